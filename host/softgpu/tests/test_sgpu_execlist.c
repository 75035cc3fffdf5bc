// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu execlists through hostdrv: two-element submission, lite restore,
 * preemption at MI_ARB_CHECK with mid-batch resume, semaphores between
 * engines, interrupts, hang detection and engine / full reset while the
 * other engines keep running, busy-time accounting.
 */
#include <string.h>
#include <time.h>

#include "sgpu_test.h"

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void test_two_elements(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_RCS), *b = tctx(t, HDRV_RCS);
	struct hdrv_engine_stats st;
	struct hdrv_bo out;

	tbo(t, &out, 4096);
	temit(a, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt, 0, 0xA);
	temit(b, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 4, 0, 0xB);
	tpad(a);
	tpad(b);
	assert_int_equal(hdrv_engine_submit(t->gpu, a, b), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), 0);
	assert_int_equal(((uint32_t *)out.mem.cpu)[0], 0xA);
	assert_int_equal(((uint32_t *)out.mem.cpu)[1], 0xB);
	/* a completes first (element switch), then b (active -> idle) */
	assert_int_equal(atomic_load(&t->ndone), 2);
	assert_ptr_equal(t->done[0].ctx, a);
	assert_ptr_equal(t->done[1].ctx, b);
	assert_int_equal(t->done[0].st, HDRV_CTX_COMPLETE);
	assert_int_equal(t->done[1].st, HDRV_CTX_COMPLETE);
	hdrv_engine_stats(t->gpu, HDRV_RCS, &st);
	assert_int_equal(st.csb_events, 3);	/* idle->active, element switch, active->idle */
	assert_int_equal(st.completes, 2);
	hdrv_ctx_destroy(a);
	hdrv_ctx_destroy(b);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_lite_restore(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_VCS);
	struct hdrv_engine_stats st;
	struct hdrv_bo out;
	volatile uint32_t *o;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	/* wait until o[0] == 1, then store 2 */
	temit(a, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | MI_SEM_SAD_EQ_SDD, 1,
	      (uint32_t)out.gtt, 0);
	temit(a, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 4, 0, 2);
	assert_int_equal(hdrv_engine_submit(t->gpu, a, NULL), 0);
	for (int i = 0; i < 20; i++)
		hdrv_engine_poll(t->gpu, HDRV_VCS);	/* promote; engine spins on the wait */
	assert_false(hdrv_engine_idle(t->gpu, HDRV_VCS));
	/* more work for the running context, resubmitted: a lite restore */
	temit(a, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 8, 0, 3);
	tpad(a);
	assert_int_equal(hdrv_engine_submit(t->gpu, a, NULL), 0);
	for (int i = 0; i < 20; i++)
		hdrv_engine_poll(t->gpu, HDRV_VCS);
	hdrv_engine_stats(t->gpu, HDRV_VCS, &st);
	assert_int_equal(st.lite_restores, 1);
	assert_int_equal(o[1], 0);
	o[0] = 1;
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_VCS, 5000), 0);
	assert_int_equal(o[1], 2);
	assert_int_equal(o[2], 3);
	assert_int_equal(tcount(t, a, HDRV_CTX_COMPLETE), 1);
	assert_int_equal(tcount(t, a, HDRV_CTX_PREEMPTED), 0);
	hdrv_ctx_destroy(a);
	hdrv_bo_destroy(t->gpu, &out);
}

/* lite restore of the second element while it runs */
static void test_lite_restore_second_element(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_VECS), *b = tctx(t, HDRV_VECS);
	struct hdrv_engine_stats st;
	struct hdrv_bo out;
	volatile uint32_t *o;
	uint32_t g;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	g = (uint32_t)out.gtt;
	temit(a, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 4, 0, 0xA);
	temit(b, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | MI_SEM_SAD_EQ_SDD, 1, g, 0);
	tpad(a);
	tpad(b);
	assert_int_equal(hdrv_engine_submit(t->gpu, a, b), 0);
	for (int i = 0; i < 50 && tstatus(t, a) != HDRV_CTX_COMPLETE; i++)
		hdrv_engine_poll(t->gpu, HDRV_VECS);
	assert_int_equal(tstatus(t, a), HDRV_CTX_COMPLETE);	/* b now runs as element 1 */
	temit(b, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 8, 0, 0xB);
	tpad(b);
	assert_int_equal(hdrv_engine_submit(t->gpu, b, NULL), 0);
	for (int i = 0; i < 20; i++)
		hdrv_engine_poll(t->gpu, HDRV_VECS);
	hdrv_engine_stats(t->gpu, HDRV_VECS, &st);
	assert_int_equal(st.lite_restores, 1);
	o[0] = 1;
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_VECS, 5000), 0);
	assert_int_equal(o[1], 0xA);
	assert_int_equal(o[2], 0xB);
	assert_int_equal(tcount(t, b, HDRV_CTX_COMPLETE), 1);
	assert_int_equal(tcount(t, b, HDRV_CTX_PREEMPTED), 0);
	hdrv_ctx_destroy(a);
	hdrv_ctx_destroy(b);
	hdrv_bo_destroy(t->gpu, &out);
}

/* a batch that loops (ARB_CHECK, count, chain to itself) until flag <= 0 */
static void make_spinner(struct hdrv_bo *bb, const struct hdrv_bo *out, bool arb)
{
	uint32_t *c = bb->mem.cpu, g = (uint32_t)out->gtt;

	c[0] = arb ? MI_ARB_CHECK : MI_NOOP;
	c[1] = MI_ATOMIC(3) | MI_USE_GGTT | MI_ATOMIC_OP(0x05);	/* counter at +4 */
	c[2] = g + 4;
	c[3] = 0;
	c[4] = MI_COND_BB_END | MI_USE_GGTT;	/* flag at +0: ends when <= 0 */
	c[5] = 0;
	c[6] = g;
	c[7] = 0;
	c[8] = MI_BB_START;
	c[9] = (uint32_t)bb->gtt;
	c[10] = 0;
	((uint32_t *)out->mem.cpu)[0] = 1;
}

static bool counter_moves(void *arg)
{
	volatile uint32_t *o = arg;

	return o[1] > 10;
}

static void test_preemption_and_resume(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *lo = tctx(t, HDRV_RCS), *hi = tctx(t, HDRV_RCS);
	struct hdrv_engine_stats st;
	struct hdrv_bo bb, out, out2;
	volatile uint32_t *o;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	tbo(t, &out2, 4096);
	o = out.mem.cpu;
	make_spinner(&bb, &out, true);
	temit(lo, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	temit(lo, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out2.gtt + 4, 0, 0x10);
	tpad(lo);
	assert_int_equal(hdrv_engine_submit(t->gpu, lo, NULL), 0);
	assert_true(twait(t, counter_moves, (void *)o, 5000));
	/* a different context preempts the spinner at its next MI_ARB_CHECK */
	temit(hi, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out2.gtt, 0, 0x20);
	tpad(hi);
	assert_int_equal(hdrv_engine_submit(t->gpu, hi, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), 0);
	assert_int_equal(((uint32_t *)out2.mem.cpu)[0], 0x20);
	assert_int_equal(tstatus(t, lo), HDRV_CTX_PREEMPTED);
	assert_int_equal(tstatus(t, hi), HDRV_CTX_COMPLETE);
	assert_int_equal(((uint32_t *)out2.mem.cpu)[1], 0);	/* lo's ring tail not reached */
	hdrv_engine_stats(t->gpu, HDRV_RCS, &st);
	assert_int_equal(st.preemptions, 1);
	/* resubmit lo: it resumes inside its batch, then finishes its ring */
	assert_int_equal(hdrv_engine_submit(t->gpu, lo, NULL), 0);
	o[1] = 0;
	assert_true(twait(t, counter_moves, (void *)o, 5000));
	o[0] = 0;
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), 0);
	assert_int_equal(tstatus(t, lo), HDRV_CTX_COMPLETE);
	assert_int_equal(((uint32_t *)out2.mem.cpu)[1], 0x10);
	hdrv_ctx_destroy(lo);
	hdrv_ctx_destroy(hi);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
	hdrv_bo_destroy(t->gpu, &out2);
}

static void test_preempt_two_element_list(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_VCS), *b = tctx(t, HDRV_VCS), *c = tctx(t, HDRV_VCS);
	struct hdrv_bo bb, out, out2;
	volatile uint32_t *o;
	uint32_t *o2;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	tbo(t, &out2, 4096);
	o = out.mem.cpu;
	o2 = out2.mem.cpu;
	make_spinner(&bb, &out, true);
	temit(a, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	temit(b, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out2.gtt, 0, 0xB);
	temit(c, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out2.gtt + 4, 0, 0xC);
	tpad(a);
	tpad(b);
	tpad(c);
	assert_int_equal(hdrv_engine_submit(t->gpu, a, b), 0);
	assert_true(twait(t, counter_moves, (void *)o, 5000));
	/* c replaces the whole list: a is preempted, b never ran */
	assert_int_equal(hdrv_engine_submit(t->gpu, c, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_VCS, 5000), 0);
	assert_int_equal(tstatus(t, a), HDRV_CTX_PREEMPTED);
	assert_int_equal(tstatus(t, b), HDRV_CTX_PREEMPTED);
	assert_int_equal(tstatus(t, c), HDRV_CTX_COMPLETE);
	assert_int_equal(o2[0], 0);
	assert_int_equal(o2[1], 0xC);
	/* resubmit both: a resumes and ends, then b runs */
	o[0] = 0;
	assert_int_equal(hdrv_engine_submit(t->gpu, a, b), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_VCS, 5000), 0);
	assert_int_equal(tstatus(t, a), HDRV_CTX_COMPLETE);
	assert_int_equal(tstatus(t, b), HDRV_CTX_COMPLETE);
	assert_int_equal(o2[0], 0xB);
	hdrv_ctx_destroy(a);
	hdrv_ctx_destroy(b);
	hdrv_ctx_destroy(c);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
	hdrv_bo_destroy(t->gpu, &out2);
}

/* preempted inside a second-level batch: the return address survives the switch */
static void test_preempt_second_level_and_resume(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *lo = tctx(t, HDRV_RCS), *hi = tctx(t, HDRV_RCS);
	struct hdrv_bo b1, b2, out;
	volatile uint32_t *o;
	uint32_t *c1, g;

	tbo(t, &b1, 4096);
	tbo(t, &b2, 4096);
	tbo(t, &out, 4096);
	o = out.mem.cpu;
	g = (uint32_t)out.gtt;
	make_spinner(&b2, &out, true);
	c1 = b1.mem.cpu;
	c1[0] = MI_BB_START | MI_BB_SECOND_LEVEL;
	c1[1] = (uint32_t)b2.gtt;
	c1[2] = 0;
	c1[3] = MI_STORE_DWORD_IMM | MI_USE_GGTT;
	c1[4] = g + 64;
	c1[5] = 0;
	c1[6] = 0x77;
	c1[7] = MI_BATCH_BUFFER_END;
	temit(lo, 3, MI_BB_START, (uint32_t)b1.gtt, 0);
	tpad(lo);
	assert_int_equal(hdrv_engine_submit(t->gpu, lo, NULL), 0);
	assert_true(twait(t, counter_moves, (void *)o, 5000));
	/* the running context's CCID is visible in EXECLIST_STATUS_HI */
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x2000 + 0x238), (uint32_t)(hdrv_ctx_desc(lo) >> 32));
	temit(hi, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 68, 0, 0x88);
	tpad(hi);
	assert_int_equal(hdrv_engine_submit(t->gpu, hi, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), 0);
	assert_int_equal(tstatus(t, lo), HDRV_CTX_PREEMPTED);
	assert_int_equal(o[17], 0x88);
	assert_int_equal(o[16], 0);
	assert_int_equal(hdrv_engine_submit(t->gpu, lo, NULL), 0);
	o[1] = 0;
	assert_true(twait(t, counter_moves, (void *)o, 5000));
	o[0] = 0;	/* end the spinner: back in the first-level batch */
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), 0);
	assert_int_equal(o[16], 0x77);
	assert_int_equal(tstatus(t, lo), HDRV_CTX_COMPLETE);
	hdrv_ctx_destroy(lo);
	hdrv_ctx_destroy(hi);
	hdrv_bo_destroy(t->gpu, &b1);
	hdrv_bo_destroy(t->gpu, &b2);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_arb_off_blocks_preemption(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *lo = tctx(t, HDRV_VECS), *hi = tctx(t, HDRV_VECS);
	struct hdrv_bo bb, out;
	volatile uint32_t *o;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	o = out.mem.cpu;
	make_spinner(&bb, &out, true);
	temit(lo, 1, MI_ARB_ON_OFF);	/* arbitration disabled */
	temit(lo, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	temit(lo, 1, MI_ARB_ON_OFF | 1);
	tpad(lo);
	assert_int_equal(hdrv_engine_submit(t->gpu, lo, NULL), 0);
	assert_true(twait(t, counter_moves, (void *)o, 5000));
	temit(hi, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 8, 0, 0x30);
	tpad(hi);
	assert_int_equal(hdrv_engine_submit(t->gpu, hi, NULL), 0);
	o[1] = 0;
	assert_true(twait(t, counter_moves, (void *)o, 5000));
	assert_int_equal(o[2], 0);	/* not preempted while ARB is off */
	o[0] = 0;	/* let lo finish: then hi runs */
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_VECS, 5000), 0);
	assert_int_equal(o[2], 0x30);
	assert_int_equal(tstatus(t, hi), HDRV_CTX_COMPLETE);
	hdrv_ctx_destroy(lo);
	hdrv_ctx_destroy(hi);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_semaphore_between_engines(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *waiter = tctx(t, HDRV_VCS), *signaller = tctx(t, HDRV_BCS);
	struct hdrv_bo out;
	uint32_t g;
	volatile uint32_t *o;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	g = (uint32_t)out.gtt;
	temit(waiter, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | MI_SEM_SAD_GTE_SDD, 5, g, 0);
	temit(waiter, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 4, 0, 0xD0E);
	tpad(waiter);
	assert_int_equal(hdrv_engine_submit(t->gpu, waiter, NULL), 0);
	sleep_ms(20);
	assert_int_equal(o[1], 0);
	assert_false(hdrv_engine_idle(t->gpu, HDRV_VCS));
	temit(signaller, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g, 0, 7);
	assert_int_equal(trun(t, signaller), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_VCS, 5000), 0);
	assert_int_equal(o[1], 0xD0E);
	hdrv_ctx_destroy(waiter);
	hdrv_ctx_destroy(signaller);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_preempt_semaphore_waiter(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *waiter = tctx(t, HDRV_BCS), *other = tctx(t, HDRV_BCS);
	struct hdrv_bo out;
	volatile uint32_t *o;
	uint32_t g;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	g = (uint32_t)out.gtt;
	temit(waiter, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | MI_SEM_SAD_EQ_SDD, 1, g, 0);
	temit(waiter, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 4, 0, 0x51);
	tpad(waiter);
	assert_int_equal(hdrv_engine_submit(t->gpu, waiter, NULL), 0);
	for (int i = 0; i < 20; i++)
		hdrv_engine_poll(t->gpu, HDRV_BCS);
	/* an unsatisfied semaphore wait is an arbitration point */
	temit(other, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 8, 0, 0x52);
	tpad(other);
	assert_int_equal(hdrv_engine_submit(t->gpu, other, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_BCS, 5000), 0);
	assert_int_equal(o[2], 0x52);
	assert_int_equal(o[1], 0);
	assert_int_equal(tstatus(t, waiter), HDRV_CTX_PREEMPTED);
	/* back on the engine, it waits again until released */
	assert_int_equal(hdrv_engine_submit(t->gpu, waiter, NULL), 0);
	for (int i = 0; i < 20; i++)
		hdrv_engine_poll(t->gpu, HDRV_BCS);
	assert_false(hdrv_engine_idle(t->gpu, HDRV_BCS));
	o[0] = 1;
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_BCS, 5000), 0);
	assert_int_equal(o[1], 0x51);
	assert_int_equal(tstatus(t, waiter), HDRV_CTX_COMPLETE);
	hdrv_ctx_destroy(waiter);
	hdrv_ctx_destroy(other);
	hdrv_bo_destroy(t->gpu, &out);
}

/*
 * Many contexts on all engines, submitted in pairs whenever the port is
 * free. A submission while busy replaces the queued element: a context
 * reported PREEMPTED is resubmitted as it is (what a scheduler does).
 */
static void test_stress_all_engines(void **state)
{
	enum { PER = 6, ROUNDS = 4, STORES = 16 };
	struct tenv *t = *state;
	struct hdrv_ctx *ctx[HDRV_NUM_ENGINES][PER];
	int round[HDRV_NUM_ENGINES][PER] = { { 0 } }, subs[HDRV_NUM_ENGINES][PER] = { { 0 } };
	struct hdrv_bo out;
	uint32_t *o;
	int spins = 0;

	tbo(t, &out, 4096 * 4);
	o = out.mem.cpu;
	for (int e = 0; e < HDRV_NUM_ENGINES; e++)
		for (int i = 0; i < PER; i++)
			ctx[e][i] = tctx(t, e);
	for (;;) {
		bool progress = false, done = true;

		for (int e = 0; e < HDRV_NUM_ENGINES; e++) {
			struct hdrv_ctx *pick[2] = { NULL, NULL };
			int n = 0;

			for (int i = 0; i < PER; i++)
				if (tcount(t, ctx[e][i], HDRV_CTX_COMPLETE) < ROUNDS)
					done = false;
			if (!hdrv_engine_can_submit(t->gpu, e))
				continue;
			for (int i = 0; i < PER && n < 2; i++) {
				struct hdrv_ctx *c = ctx[e][i];
				int events = tcount(t, c, HDRV_CTX_COMPLETE) + tcount(t, c, HDRV_CTX_PREEMPTED);

				if (events < subs[e][i])
					continue;	/* still on the engine */
				if (tstatus(t, c) != HDRV_CTX_PREEMPTED) {
					if (round[e][i] >= ROUNDS)
						continue;
					round[e][i]++;
					for (int k = 0; k < STORES; k++)
						temit(c, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT,
						      (uint32_t)out.gtt + 4 * (e * 256 + i * 32 + k), 0,
						      round[e][i] * 1000 + k);
					tpad(c);
				}
				subs[e][i]++;
				pick[n++] = c;
			}
			if (n) {
				assert_int_equal(hdrv_engine_submit(t->gpu, pick[0], pick[1]), 0);
				progress = true;
			}
		}
		if (done)
			break;
		if (!progress) {
			for (int e = 0; e < HDRV_NUM_ENGINES; e++)
				hdrv_engine_poll(t->gpu, e);
			assert_true(++spins < 100000);
		}
	}
	for (int e = 0; e < HDRV_NUM_ENGINES; e++)
		assert_int_equal(hdrv_engine_wait_idle(t->gpu, e, 5000), 0);
	for (int e = 0; e < HDRV_NUM_ENGINES; e++)
		for (int i = 0; i < PER; i++) {
			for (int k = 0; k < STORES; k++)
				assert_int_equal(o[e * 256 + i * 32 + k], ROUNDS * 1000 + k);
			assert_int_equal(tcount(t, ctx[e][i], HDRV_CTX_COMPLETE), ROUNDS);
			assert_int_equal(tcount(t, ctx[e][i], HDRV_CTX_ERROR), 0);
			hdrv_ctx_destroy(ctx[e][i]);
		}
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_destroy_running_context(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *spin = tctx(t, HDRV_VECS), *c;
	struct hdrv_bo bb, out;
	uint32_t *loop;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	loop = bb.mem.cpu;
	loop[0] = MI_BB_START;
	loop[1] = (uint32_t)bb.gtt;
	loop[2] = 0;
	temit(spin, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	tpad(spin);
	assert_int_equal(hdrv_engine_submit(t->gpu, spin, NULL), 0);
	sleep_ms(5);
	/* its memory goes away: the engine must be stopped first */
	hdrv_ctx_destroy(spin);
	assert_true(hdrv_engine_idle(t->gpu, HDRV_VECS));
	c = tctx(t, HDRV_VECS);
	temit(c, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt, 0, 0xDE);
	assert_int_equal(trun(t, c), 0);
	assert_int_equal(*(uint32_t *)out.mem.cpu, 0xDE);
	hdrv_ctx_destroy(c);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
}

static bool two_done(void *arg)
{
	struct tenv *t = arg;

	return atomic_load(&t->ndone) >= 2;
}

static void test_interrupts_deliver_completions(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_RCS), *b = tctx(t, HDRV_BCS);
	struct sgpu_stats st;
	int i;

	temit(a, 2, MI_USER_INTERRUPT, MI_USER_INTERRUPT);
	temit(b, 2, MI_USER_INTERRUPT, MI_NOOP);
	assert_int_equal(hdrv_engine_submit(t->gpu, a, NULL), 0);
	assert_int_equal(hdrv_engine_submit(t->gpu, b, NULL), 0);
	/* no polling: completions arrive through the interrupt line alone */
	for (i = 0; i < 5000 && !two_done(t); i++)
		sleep_ms(1);
	assert_true(two_done(t));
	assert_int_equal(tstatus(t, a), HDRV_CTX_COMPLETE);
	assert_int_equal(tstatus(t, b), HDRV_CTX_COMPLETE);
	for (i = 0; i < 1000 && atomic_load(&t->user_irqs[HDRV_RCS]) < 1; i++)
		sleep_ms(1);
	assert_true(atomic_load(&t->user_irqs[HDRV_RCS]) >= 1);
	assert_true(atomic_load(&t->user_irqs[HDRV_BCS]) >= 1);
	sgpu_get_stats(t->sg, &st);
	assert_true(st.irqs >= 2);
	/* everything acknowledged: GT IIRs read back 0, the line is low */
	for (i = 0; i < 1000 && sgpu_irq_pending(t->sg); i++)
		sleep_ms(1);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x44308), 0);
	assert_false(sgpu_irq_pending(t->sg));
	hdrv_ctx_destroy(a);
	hdrv_ctx_destroy(b);
}

static void test_imr_masks_user_interrupt(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_VECS);
	uint32_t imr = hdrv_mmio_read(t->gpu, 0x1A000 + 0xA8);

	hdrv_mmio_write(t->gpu, 0x1A000 + 0xA8, imr | 1);	/* mask USER at the engine */
	temit(a, 2, MI_USER_INTERRUPT, MI_NOOP);
	assert_int_equal(trun(t, a), 0);
	assert_int_equal(atomic_load(&t->user_irqs[HDRV_VECS]), 0);
	assert_int_equal(tstatus(t, a), HDRV_CTX_COMPLETE);	/* ctx switch still delivered */
	hdrv_mmio_write(t->gpu, 0x1A000 + 0xA8, imr);
	hdrv_ctx_destroy(a);
}

struct hang_arg {
	struct tenv *t;
	enum hdrv_engine_id e;
};

static bool engine_hung(void *arg)
{
	struct hang_arg *h = arg;

	return hdrv_engine_hung(h->t->gpu, h->e);
}

static void test_hung_context_reset_others_keep_running(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *hang = tctx(t, HDRV_RCS), *c;
	struct hdrv_bo bb, out;
	struct hang_arg h = { t, HDRV_RCS };
	uint32_t *loop;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	/* an endless batch: jumps to itself, no way out */
	loop = bb.mem.cpu;
	loop[0] = MI_NOOP;
	loop[1] = MI_BB_START;
	loop[2] = (uint32_t)bb.gtt;
	loop[3] = 0;
	temit(hang, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	tpad(hang);
	assert_int_equal(hdrv_engine_submit(t->gpu, hang, NULL), 0);
	/* while rcs spins, the other engines complete work */
	for (int e = HDRV_BCS; e < HDRV_NUM_ENGINES; e++) {
		c = tctx(t, e);
		temit(c, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 4 * e, 0, 0x100 + e);
		assert_int_equal(trun(t, c), 0);
		assert_int_equal(((uint32_t *)out.mem.cpu)[e], 0x100 + e);
		hdrv_ctx_destroy(c);
	}
	assert_false(hdrv_engine_idle(t->gpu, HDRV_RCS));
	assert_true(twait(t, engine_hung, &h, 5000));
	assert_int_equal(hdrv_hangcheck(t->gpu), 1u << HDRV_RCS);
	assert_int_equal(tstatus(t, hang), HDRV_CTX_ERROR);
	assert_true(hdrv_engine_idle(t->gpu, HDRV_RCS));
	assert_false(hdrv_engine_hung(t->gpu, HDRV_RCS));
	/* the reset engine works again */
	c = tctx(t, HDRV_RCS);
	temit(c, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 64, 0, 0x600D);
	assert_int_equal(trun(t, c), 0);
	assert_int_equal(((uint32_t *)out.mem.cpu)[16], 0x600D);
	hdrv_ctx_destroy(c);
	hdrv_ctx_destroy(hang);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_full_gpu_reset(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_RCS), *b = tctx(t, HDRV_VCS), *c;
	struct hdrv_bo bb, out;
	uint32_t *loop;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	loop = bb.mem.cpu;
	loop[0] = MI_BB_START;
	loop[1] = (uint32_t)bb.gtt;
	loop[2] = 0;
	temit(a, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	temit(b, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	tpad(a);
	tpad(b);
	assert_int_equal(hdrv_engine_submit(t->gpu, a, NULL), 0);
	assert_int_equal(hdrv_engine_submit(t->gpu, b, NULL), 0);
	sleep_ms(10);
	assert_int_equal(hdrv_gpu_reset(t->gpu), 0);
	assert_int_equal(tstatus(t, a), HDRV_CTX_ERROR);
	assert_int_equal(tstatus(t, b), HDRV_CTX_ERROR);
	for (int e = 0; e < HDRV_NUM_ENGINES; e++) {
		c = tctx(t, e);
		temit(c, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 4 * e, 0, 0x200 + e);
		assert_int_equal(trun(t, c), 0);
		assert_int_equal(((uint32_t *)out.mem.cpu)[e], 0x200 + e);
		hdrv_ctx_destroy(c);
	}
	hdrv_ctx_destroy(a);
	hdrv_ctx_destroy(b);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_busy_time_cost_model(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *a = tctx(t, HDRV_RCS), *b = tctx(t, HDRV_BCS);
	struct hdrv_bo dst;
	uint64_t ns;

	for (int i = 0; i < 200; i++)
		temit(a, 1, MI_NOOP);
	assert_int_equal(trun(t, a), 0);
	/* 200 commands at 20 ns each (default cost), saved as CTX_TIMESTAMP */
	ns = hdrv_ctx_busy_ns(a);
	assert_true(ns >= 3900 && ns <= 4200);
	/* 1 MiB blit at 8000 MB/s: about 131 us */
	tbo(t, &dst, 1u << 20);
	temit(b, 7, XY_COLOR_BLT | BLT_WRITE_RGBA, BR13_32BPP | ROP_PATCOPY | 4096, 0,
	      (256u << 16) | 1024, (uint32_t)dst.gtt, 0, 1);
	assert_int_equal(trun(t, b), 0);
	ns = hdrv_ctx_busy_ns(b);
	assert_true(ns >= 125000 && ns <= 140000);
	hdrv_ctx_destroy(a);
	hdrv_ctx_destroy(b);
	hdrv_bo_destroy(t->gpu, &dst);
}

#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, tenv_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_two_elements, tenv_setup_poll),
		T(test_two_elements, tenv_setup_irq),
		T(test_lite_restore, tenv_setup_poll),
		T(test_lite_restore_second_element, tenv_setup_poll),
		T(test_preemption_and_resume, tenv_setup_irq),
		T(test_preemption_and_resume, tenv_setup_poll),
		T(test_preempt_two_element_list, tenv_setup_irq),
		T(test_preempt_second_level_and_resume, tenv_setup_irq),
		T(test_arb_off_blocks_preemption, tenv_setup_irq),
		T(test_semaphore_between_engines, tenv_setup_irq),
		T(test_semaphore_between_engines, tenv_setup_poll),
		T(test_preempt_semaphore_waiter, tenv_setup_poll),
		T(test_interrupts_deliver_completions, tenv_setup_irq),
		T(test_imr_masks_user_interrupt, tenv_setup_poll),
		T(test_hung_context_reset_others_keep_running, tenv_setup_irq),
		T(test_full_gpu_reset, tenv_setup_irq),
		T(test_destroy_running_context, tenv_setup_irq),
		T(test_busy_time_cost_model, tenv_setup_poll),
		T(test_stress_all_engines, tenv_setup_irq),
		T(test_stress_all_engines, tenv_setup_poll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
