// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads end to end without a VM: a "guest driver" programs the vGPU
 * through gvt_vgpu_mmio_write the way i915 does (GGTT PTEs for ring,
 * context and HWSP, a gen9 context image, PPGTT tables, ELSP writes); the
 * physical GPU is a real softgpu behind hostdrv; the guest's RAM is a buffer
 * the fake hypervisor maps for the GPU.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gvt_test_sgpu.h"
#include "gvt_exec.h"	/* GVT_ROOT_IDLE */

#define RAM_SIZE	(32ull << 20)

/* guest-physical layout */
#define GPA_RING	0x100000ull	/* 4 pages */
#define GPA_CTX		0x110000ull	/* PPHWSP + register state */
#define GPA_HWSP	0x120000ull
#define GPA_DATA	0x130000ull
#define GPA_BATCH	0x140000ull
#define GPA_PML4	0x150000ull
#define GPA_PDP		0x151000ull
#define GPA_PD		0x152000ull
#define GPA_PT		0x153000ull
#define GPA_PDATA	0x160000ull	/* reached through the PPGTT */
#define GPA_PBATCH	0x161000ull

/* GM offsets inside the vGPU's aperture range */
#define GM_RING		0x0000
#define GM_CTX		0x10000
#define GM_HWSP		0x20000
#define GM_DATA		0x30000
#define GM_BATCH	0x40000

#define PPGTT_VA_DATA	0x00400000ull	/* PML4[0] PDP[0] PD[2] PT[0] */
#define PPGTT_VA_BATCH	0x00401000ull

#define RING_SIZE	SGENV_RING_SIZE	/* the helper's ring emit wraps there */
#define RCS_BASE	0x2000u
#define BCS_BASE	0x22000u

#define MI_NOOP			0x00000000u
#define MI_USER_INTERRUPT	0x01000000u
#define MI_BATCH_BUFFER_END	0x05000000u
#define MI_SDI_GGTT		0x10400002u	/* MI_STORE_DWORD_IMM | USE_GGTT */
#define MI_SDI_PPGTT		0x10000002u
#define MI_BB_START_PPGTT	0x18800101u
#define MI_BB_START_GGTT	0x18800001u
#define MI_BB_START_GGTT_L2	(MI_BB_START_GGTT | 1u << 22)	/* second level */
#define MI_SEM_WAIT_EQ_GGTT	0x0E40C002u	/* MI_SEMAPHORE_WAIT GGTT, poll, SAD == SDD */
#define MI_LRI(n)		(0x11000000u | (2u * (n) - 1))

/* a second 4-level PPGTT: VA 0x400000 -> GPA_B_DATA (3-level: PDP0 = GPA_B_PD) */
#define GPA_B_PML4	0x170000ull
#define GPA_B_PDP	0x171000ull
#define GPA_B_PD	0x172000ull
#define GPA_B_PT	0x173000ull
#define GPA_B_DATA	0x174000ull

/* the last submission as the host got it (e->priv) */
struct wl_sub {
	uint32_t cmds[1024];
	uint32_t bytes;
	uint64_t pdp[4];
	unsigned int levels;
};

static struct wl_sub *sub_of(struct sgenv *e)
{
	return e->priv;
}

static int t_ctx_submit(struct sgenv *e, void *hctx, const struct gvt_host_submit *s)
{
	struct wl_sub *w = sub_of(e);

	w->bytes = s->bytes;
	memcpy(w->cmds, s->cmds, s->bytes < sizeof(w->cmds) ? s->bytes : sizeof(w->cmds));
	memcpy(w->pdp, s->pdp, sizeof(w->pdp));
	w->levels = s->levels;
	return e->hd_ops.ctx_submit(e, hctx, s);
}

/* ---- guest driver helpers ---- */

/* every engine shares the one HWSP page of this layout */
static void guest_init_engine(struct sgenv_vm *m, uint32_t base)
{
	sgenv_guest_engine_init(m, base, GM_HWSP, GPA_HWSP);
}

static void guest_boot(struct sgenv_vm *m)
{
	sgenv_guest_boot(m);
	sgenv_ggtt_map(m, GM_RING, GPA_RING, 4);
	sgenv_ggtt_map(m, GM_CTX, GPA_CTX, 2);
	sgenv_ggtt_map(m, GM_HWSP, GPA_HWSP, 1);
	sgenv_ggtt_map(m, GM_DATA, GPA_DATA, 1);
	sgenv_ggtt_map(m, GM_BATCH, GPA_BATCH, 1);
	guest_init_engine(m, RCS_BASE);
}

/* 4-level tables: VA 0x400000 -> GPA_PDATA, 0x401000 -> GPA_PBATCH */
static void guest_ppgtt_build(struct sgenv_vm *m)
{
	*g64(m, GPA_PML4) = GPA_PDP | 3;
	*g64(m, GPA_PDP) = GPA_PD | 3;
	*g64(m, GPA_PD + 8 * 2) = GPA_PT | 3;
	*g64(m, GPA_PT) = GPA_PDATA | 3;
	*g64(m, GPA_PT + 8) = GPA_PBATCH | 3;
}

/* register state: ring, and the PPGTT roots (levels 4: PML4, 3: PDP0 = PD) */
static void guest_ctx_init(struct sgenv_vm *m, unsigned int levels)
{
	uint32_t *r = g32(m, GPA_CTX + 4096);

	memset(r, 0, 4096);
	r[0x05] = 0;				/* RING_HEAD */
	r[0x07] = 0;				/* RING_TAIL */
	r[0x09] = (uint32_t)(m->gm + GM_RING);	/* RING_START */
	r[0x0b] = (RING_SIZE - 4096) | 1;	/* RING_CTL */
	if (levels == 4) {
		r[0x31] = 0;
		r[0x33] = (uint32_t)GPA_PML4;
	} else if (levels == 3) {
		r[0x31] = 0;
		r[0x33] = (uint32_t)GPA_PD;	/* PDP0: 1st GiB */
	}
	m->tail[0] = 0;
}

/* append to the ring and update CTX_RING_TAIL (qword-aligned like i915) */
static void guest_emit(struct sgenv_vm *m, const uint32_t *dw, unsigned int n)
{
	sgenv_guest_emit(m, 0, GPA_RING, GPA_CTX + 4096, dw, n);
}

static uint64_t desc_of(struct sgenv_vm *m, unsigned int levels, uint32_t ccid)
{
	uint64_t mode = levels == 3 ? 1 : 3;

	return (uint64_t)ccid << 32 | (m->gm + GM_CTX) | mode << 3 | 1u << 8 | 1;
}

/* ---- environment ---- */

static int setup_cfg(void **state, bool threaded)
{
	struct sgenv_config c = { .ram_size = RAM_SIZE, .nvms = 2, .threaded = threaded,
				  .ctx_submit = t_ctx_submit, .boot = guest_boot,
				  .priv_size = sizeof(struct wl_sub) };

	*state = sgenv_new(&c);
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(state, false);
}

/* softgpu engines on their own threads, hostdrv on the interrupt line */
static int setup_threaded(void **state)
{
	return setup_cfg(state, true);
}

static int teardown_threaded(void **state)
{
	sgenv_free(*state);
	return 0;
}

static int teardown(void **state)
{
	return sgenv_teardown_gm_checked(state);
}

/* run the host until @done, at most ~10 s of wall time; returns rounds used */
static int run_until(struct sgenv *e, bool (*done)(struct sgenv *e, void *arg), void *arg)
{
	return sgenv_run_until(e, true, done, arg);
}

/* HWSP write pointer of @m's RCS moved to @arg's index (wraps at 6) */
struct csb_wait {
	struct sgenv_vm *m;
	uint32_t base;
	uint32_t wp;
};

static bool csb_reached(struct sgenv *e, void *arg)
{
	struct csb_wait *w = arg;

	(void)e;
	return g32(w->m, GPA_HWSP)[0x1f] == w->wp &&
	       (rd32(w->m->v, w->base + 0x234) & (1u << 4)) == 0;	/* list done */
}

static uint32_t csb_status(struct sgenv_vm *m, unsigned int idx)
{
	return g32(m, GPA_HWSP)[0x10 + 2 * idx];
}

/* ---- tests ---- */

static void test_ggtt_store_completes_with_csb_and_irq(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	struct gvt_vgpu_exec_stats st;
	uint32_t cmd[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 0xC0FFEE01,
			   MI_USER_INTERRUPT };
	struct csb_wait w = { m, RCS_BASE, 1 };
	unsigned int msi0 = m->msi;

	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	guest_emit(m, cmd, 5);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	/* schedule-in is immediate: IDLE_ACTIVE in the HWSP, status busy */
	assert_int_equal(csb_status(m, 0), 0x1);
	assert_int_equal(g32(m, GPA_HWSP)[0x11], 0x20);
	assert_int_equal(rd32(m->v, RCS_BASE + 0x238), 0x20);	/* EXECLIST_STATUS_HI */
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 0xC0FFEE01);
	assert_int_equal(csb_status(m, 1), 0x18);		/* ACTIVE_IDLE | COMPLETE */
	assert_int_equal(g32(m, GPA_HWSP)[0x13], 0x20);
	/* register mirror and pointer */
	assert_int_equal(rd32(m->v, RCS_BASE + 0x370 + 8), 0x18);
	assert_int_equal(rd32(m->v, RCS_BASE + 0x3a0) & 0xf, 1);
	/* the context's saved head reached the tail */
	assert_int_equal(g32(m, GPA_CTX + 4096)[0x05], m->tail[0]);
	/* context switch + user interrupt in GT_IIR(0), and MSIs */
	assert_int_equal(rd32(m->v, 0x44308) & 0x101, 0x101);
	assert_true(m->msi > msi0);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.workloads, 1);
	assert_int_equal(st.completed, 1);
	assert_int_equal(st.csb_events, 2);
	assert_true(st.prepare_ns + st.scan_ns + st.sync_ns + st.submit_ns > 0);
}

static void test_ppgtt_store_4level_and_batch(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *bb = g32(m, GPA_PBATCH);
	uint32_t cmd[] = { MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA + 0x10, 0, 0xAB400001,
			   MI_BB_START_PPGTT, (uint32_t)PPGTT_VA_BATCH, 0 };
	struct csb_wait w = { m, RCS_BASE, 1 };

	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	bb[0] = MI_SDI_PPGTT;
	bb[1] = (uint32_t)PPGTT_VA_DATA + 0x20;
	bb[2] = 0;
	bb[3] = 0xBA7C4001;
	bb[4] = MI_BATCH_BUFFER_END;
	guest_emit(m, cmd, 7);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x40), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_PDATA + 0x10), 0xAB400001);
	assert_int_equal(*g32(m, GPA_PDATA + 0x20), 0xBA7C4001);
	assert_int_equal(csb_status(m, 1), 0x18);
	assert_int_equal(g32(m, GPA_HWSP)[0x13], 0x40);
}

static void test_ppgtt_store_3level(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t cmd[] = { MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA + 0x30, 0, 0x3333AAAA };
	struct csb_wait w = { m, RCS_BASE, 1 };

	guest_ctx_init(m, 3);
	guest_ppgtt_build(m);	/* the PD at GPA_PD maps VA 0x400000 under PDP0 */
	guest_emit(m, cmd, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 3, 0x60), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_PDATA + 0x30), 0x3333AAAA);
	assert_int_equal(csb_status(m, 1), 0x18);
}

static void test_lite_restore_resubmission(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	struct gvt_vgpu_exec_stats st;
	uint32_t c1[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0, 0x11111111 };
	uint32_t c2[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 4), 0, 0x22222222 };
	uint32_t c3[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 8), 0, 0x33333333 };
	struct csb_wait w = { m, RCS_BASE, 3 };

	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	guest_emit(m, c1, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	/* i915 resubmits the running context with a new tail (lite restore) */
	guest_emit(m, c2, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20) | 4, 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA), 0x11111111);
	assert_int_equal(*g32(m, GPA_DATA + 4), 0x22222222);
	/* first list completes, then the second is promoted and completes */
	assert_int_equal(csb_status(m, 0), 0x01);
	assert_int_equal(csb_status(m, 1), 0x18);
	assert_int_equal(csb_status(m, 2), 0x01);
	assert_int_equal(csb_status(m, 3), 0x18);
	/* and a later submission after idle runs from the saved head */
	guest_emit(m, c3, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	w.wp = 5;
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA + 8), 0x33333333);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.elsp_submissions, 3);
	assert_int_equal(st.completed, 3);
	assert_true(st.workloads >= 2);
	assert_int_equal(st.workloads + st.empty_workloads, 3);
}

/* element 1 of a list: ELEMENT_SWITCH between the two contexts */
static void test_two_elements(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *r2 = g32(m, GPA_CTX + 0x3000 + 4096), *ring2 = g32(m, GPA_RING + 0x8000);
	uint32_t cmd[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x100), 0, 0xE1E10000 };
	struct csb_wait w = { m, RCS_BASE, 2 };
	uint64_t d1;

	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	guest_emit(m, cmd, 4);
	/* second context: image at GM_CTX + 0x3000, ring at GM_RING + 0x8000 */
	sgenv_ggtt_map(m, GM_CTX + 0x3000, GPA_CTX + 0x3000, 2);
	sgenv_ggtt_map(m, GM_RING + 0x8000, GPA_RING + 0x8000, 4);
	memset(r2, 0, 4096);
	r2[0x09] = (uint32_t)(m->gm + GM_RING + 0x8000);
	r2[0x0b] = (RING_SIZE - 4096) | 1;
	r2[0x33] = (uint32_t)GPA_PML4;
	ring2[0] = MI_SDI_GGTT;
	ring2[1] = (uint32_t)(m->gm + GM_DATA + 0x104);
	ring2[2] = 0;
	ring2[3] = 0xE2E20000;
	r2[0x07] = 16;
	d1 = (uint64_t)0x80 << 32 | (m->gm + GM_CTX + 0x3000) | 3 << 3 | 1u << 8 | 1;
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), d1);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA + 0x100), 0xE1E10000);
	assert_int_equal(*g32(m, GPA_DATA + 0x104), 0xE2E20000);
	assert_int_equal(csb_status(m, 0), 0x01);
	assert_int_equal(csb_status(m, 1), 0x14);	/* ELEMENT_SWITCH | COMPLETE */
	assert_int_equal(g32(m, GPA_HWSP)[0x10 + 3], 0x20);
	assert_int_equal(csb_status(m, 2), 0x18);
	assert_int_equal(g32(m, GPA_HWSP)[0x10 + 5], 0x80);
	assert_int_equal(r2[0x05], 16);			/* its head saved */
}

static bool both_done(struct sgenv *e, void *arg)
{
	(void)arg;
	return g32(&e->vm[0], GPA_HWSP)[0x1f] == 1 && g32(&e->vm[1], GPA_HWSP)[0x1f] == 1;
}

static void test_two_vgpus_concurrently(void **state)
{
	struct sgenv *e = *state;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct sgenv_vm *m = &e->vm[i];
		uint32_t cmd[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x200), 0,
				   0x5000 + i, MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA, 0,
				   0x7000 + i };

		guest_ctx_init(m, 4);
		guest_ppgtt_build(m);
		guest_emit(m, cmd, 8);
	}
	sgenv_guest_elsp(&e->vm[0], RCS_BASE, desc_of(&e->vm[0], 4, 0x20), 0);
	sgenv_guest_elsp(&e->vm[1], RCS_BASE, desc_of(&e->vm[1], 4, 0x20), 0);
	assert_true(run_until(e, both_done, NULL) >= 0);
	for (i = 0; i < 2; i++) {
		struct sgenv_vm *m = &e->vm[i];

		assert_int_equal(*g32(m, GPA_DATA + 0x200), 0x5000 + i);
		assert_int_equal(*g32(m, GPA_PDATA), 0x7000 + i);
		assert_int_equal(csb_status(m, 1), 0x18);
	}
}

static bool vm1_done(struct sgenv *e, void *arg)
{
	(void)arg;
	return g32(&e->vm[1], GPA_HWSP)[0x1f] == 1;
}

static void test_guest_hang_reset_spares_other_vgpu(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m0 = &e->vm[0], *m1 = &e->vm[1];
	uint32_t *bb = g32(m0, GPA_BATCH);
	uint32_t hang[] = { MI_BB_START_GGTT, (uint32_t)(m0->gm + GM_BATCH), 0 };
	uint32_t ok[] = { MI_SDI_GGTT, (uint32_t)(m1->gm + GM_DATA), 0, 0x0C0C0C0C };
	uint32_t again[] = { MI_SDI_GGTT, (uint32_t)(m0->gm + GM_DATA + 0x10), 0, 0xA6A1A000 };
	struct csb_wait w = { m0, RCS_BASE, 1 };
	struct gvt_vgpu_exec_stats st;

	/* an endless batch: it jumps to itself */
	bb[0] = MI_BB_START_GGTT;
	bb[1] = (uint32_t)(m0->gm + GM_BATCH);
	bb[2] = 0;
	guest_ctx_init(m0, 4);
	guest_ctx_init(m1, 4);
	guest_emit(m0, hang, 3);
	guest_emit(m1, ok, 4);
	sgenv_guest_elsp(m0, RCS_BASE, desc_of(m0, 4, 0x20), 0);
	sgenv_guest_elsp(m1, RCS_BASE, desc_of(m1, 4, 0x20), 0);
	/* the host's hang check resets the engine; the other vGPU then runs */
	assert_true(run_until(e, vm1_done, NULL) >= 0);
	assert_int_equal(*g32(m1, GPA_DATA), 0x0C0C0C0C);
	assert_int_equal(csb_status(m1, 1), 0x18);
	gvt_vgpu_get_exec_stats(m0->v, &st);
	assert_int_equal(st.failed, 1);
	/* the hung vGPU saw no completion: its HWSP pointer stays at IDLE_ACTIVE */
	assert_int_equal(g32(m0, GPA_HWSP)[0x1f], 0);
	/* its driver resets the render engine and starts over */
	wr32(m0->v, 0x941c, 1u << 1);			/* GDRST: render */
	assert_int_equal(rd32(m0->v, RCS_BASE + 0x234) & (1u << 4), 0);
	guest_init_engine(m0, RCS_BASE);
	guest_ctx_init(m0, 4);
	guest_emit(m0, again, 4);
	sgenv_guest_elsp(m0, RCS_BASE, desc_of(m0, 4, 0x20), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m0, GPA_DATA + 0x10), 0xA6A1A000);
}

static void test_bad_context_fails_only_that_workload(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	struct gvt_vgpu_exec_stats st;
	uint32_t *r = g32(m, GPA_CTX + 4096);
	struct csb_wait w = { m, RCS_BASE, 1 };
	uint32_t cmd[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0, 0x600D };

	guest_ctx_init(m, 4);
	/* ring outside the vGPU's graphics memory */
	r[0x09] = 0x1000;
	r[0x07] = 16;
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	for (int i = 0; i < 10; i++)
		gvt_gpu_schedule(e->gpu);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.workloads, 0);
	/* engine reset clears it */
	wr32(m->v, 0x941c, 1u << 1);
	guest_init_engine(m, RCS_BASE);
	guest_ctx_init(m, 4);
	guest_emit(m, cmd, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA), 0x600D);
}

/*
 * The command scanner sits between the copy and the submission: a register
 * write a guest may not do, here from inside a PPGTT batch (read through
 * the guest's page tables), fails the workload and puts only that vGPU in
 * failsafe.
 */
static void test_scanner_rejects_forbidden_register_write(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m0 = &e->vm[0], *m1 = &e->vm[1];
	uint32_t *bb = g32(m0, GPA_PBATCH);
	uint32_t bad[] = { MI_SDI_GGTT, (uint32_t)(m0->gm + GM_DATA), 0, 0xBAD0BAD0,
			   MI_BB_START_PPGTT, (uint32_t)PPGTT_VA_BATCH, 0 };
	uint32_t ok[] = { MI_SDI_GGTT, (uint32_t)(m1->gm + GM_DATA), 0, 0x0000600D };
	struct gvt_vgpu_exec_stats st;
	struct gvt_vgpu_stats vs;

	guest_ctx_init(m0, 4);
	guest_ppgtt_build(m0);
	bb[0] = 0x11000001;		/* MI_LOAD_REGISTER_IMM(1) */
	bb[1] = 0x2034;			/* RCS RING_HEAD */
	bb[2] = 0;
	bb[3] = MI_BATCH_BUFFER_END;
	guest_emit(m0, bad, 7);
	sgenv_guest_elsp(m0, RCS_BASE, desc_of(m0, 4, 0x20), 0);
	guest_ctx_init(m1, 4);
	guest_emit(m1, ok, 4);
	sgenv_guest_elsp(m1, RCS_BASE, desc_of(m1, 4, 0x20), 0);
	assert_true(run_until(e, vm1_done, NULL) >= 0);
	assert_int_equal(*g32(m1, GPA_DATA), 0x600D);
	gvt_vgpu_get_exec_stats(m0->v, &st);
	assert_int_equal(st.scan_rejects, 1);
	assert_int_equal(st.workloads, 0);
	assert_int_equal(st.failed, 1);
	/* nothing of the workload ran */
	assert_int_equal(*g32(m0, GPA_DATA), 0);
	gvt_vgpu_get_stats(m0->v, &vs);
	assert_int_equal(vs.failsafe, GVT_FAILSAFE_BAD_COMMAND);
	gvt_vgpu_get_stats(m1->v, &vs);
	assert_int_equal(vs.failsafe, 0);
	/* a failsafe vGPU's later submissions are dropped */
	wr32(m0->v, 0x941c, 1u << 1);
	sgenv_guest_elsp(m0, RCS_BASE, desc_of(m0, 4, 0x20), 0);
	assert_int_equal(rd32(m0->v, RCS_BASE + 0x234) & (1u << 4), 0);
}

/* i915's g2v PPGTT notifications: PVINFO pdp[0] then g2v_notify (0x78818) */
static void guest_g2v(struct sgenv_vm *m, uint64_t root, uint32_t msg)
{
	wr32(m->v, 0x78838, (uint32_t)root);
	wr32(m->v, 0x7883c, (uint32_t)(root >> 32));
	wr32(m->v, 0x78818, msg);
}

static void test_g2v_announced_ppgtt_is_preshadowed(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t cmd[] = { MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA + 0x44, 0, 0x62F62F00 };
	struct csb_wait w = { m, RCS_BASE, 1 };
	uint64_t base = m->pinned, roots[4];

	guest_ppgtt_build(m);
	guest_g2v(m, GPA_PML4, 4);			/* L4 create */
	assert_int_equal(gvt_vgpu_ppgtt_roots(m->v, roots, 4), 1);
	assert_int_equal(roots[0], GPA_PML4);
	/* shadowed at once: the two data pages its PTEs map are pinned */
	assert_int_equal(m->pinned, base + 2);
	guest_g2v(m, GPA_PML4, 5);			/* L4 destroy */
	assert_int_equal(m->pinned, base);
	guest_g2v(m, GPA_PML4, 4);
	guest_ctx_init(m, 4);
	guest_emit(m, cmd, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_PDATA + 0x44), 0x62F62F00);
	/* device reset drops every shadow and pin (GGTT ones too) */
	gvt_vgpu_reset(m->v);
	assert_int_equal(m->pinned, 0);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/*
 * A hostile guest: random descriptors, context images (ring registers,
 * PDPs) and ring contents, device resets when it lands in failsafe. The
 * host must survive and the other vGPU keep working.
 */
static void test_garbage_submissions_spare_other_vgpu(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m0 = &e->vm[0], *m1 = &e->vm[1];
	uint32_t *r = g32(m0, GPA_CTX + 4096), *ring = g32(m0, GPA_RING);
	struct gvt_vgpu_stats vs;
	unsigned int i, k;

	guest_ppgtt_build(m0);
	for (i = 0; i < 300; i++) {
		uint64_t d = rnd();

		switch (rnd() % 4) {
		case 0:		/* a sane context, random ring contents */
			guest_ctx_init(m0, rnd() & 1 ? 4 : 3);
			for (k = 0; k < 16; k++)
				ring[k] = (uint32_t)rnd();
			if (rnd() & 1) {	/* or a valid store */
				ring[0] = MI_SDI_GGTT;
				ring[1] = (uint32_t)(m0->gm + GM_DATA + 4 * (rnd() % 1024));
				ring[2] = 0;
				r[0x07] = 16;
			} else {
				r[0x07] = 4 * (rnd() % 17);
			}
			d = desc_of(m0, 4, 0x20);
			break;
		case 1:		/* random ring registers and roots */
			for (k = 5; k < 0x34; k += 2)
				r[k] = (uint32_t)rnd();
			if (rnd() & 1)
				r[0x09] = (uint32_t)(m0->gm + GM_RING);
			d = desc_of(m0, 4, 0x20) ^ (rnd() & 0x18);
			break;
		case 2:		/* random LRCA */
			d |= 1;
			break;
		default:	/* resubmission */
			d = desc_of(m0, 4, 0x20);
			break;
		}
		sgenv_guest_elsp(m0, RCS_BASE, d, rnd() & 1 ? rnd() : 0);
		for (k = 0; k < 4; k++) {
			hdrv_engine_poll(e->hd, HDRV_RCS);
			gvt_gpu_schedule(e->gpu);
		}
		gvt_vgpu_get_stats(m0->v, &vs);
		if (vs.failsafe || (rnd() % 8) == 0) {
			if (vs.failsafe)
				gvt_vgpu_reset(m0->v);
			else
				wr32(m0->v, 0x941c, 1u << 1);
			guest_boot(m0);
			guest_ppgtt_build(m0);
		}
	}
	{
		struct gvt_vgpu_exec_stats st;

		gvt_vgpu_get_exec_stats(m0->v, &st);
		assert_true(st.workloads > 0);
		assert_true(st.scan_rejects > 0);
		if (getenv("GVT_TEST_VERBOSE"))
			fprintf(stderr, "garbage: elsp %llu workloads %llu empty %llu rejects %llu\n",
				(unsigned long long)st.elsp_submissions,
				(unsigned long long)st.workloads,
				(unsigned long long)st.empty_workloads,
				(unsigned long long)st.scan_rejects);
	}
	/* whatever vGPU 0 left running, vGPU 1 still gets its work done */
	{
		uint32_t ok[] = { MI_SDI_GGTT, (uint32_t)(m1->gm + GM_DATA), 0, 0x5AFE };

		guest_ctx_init(m1, 4);
		guest_emit(m1, ok, 4);
		sgenv_guest_elsp(m1, RCS_BASE, desc_of(m1, 4, 0x20), 0);
		assert_true(run_until(e, vm1_done, NULL) >= 0);
		assert_int_equal(*g32(m1, GPA_DATA), 0x5AFE);
	}
}

static bool user_irq_seen(struct sgenv *e, void *arg)
{
	struct sgenv_vm *m = arg;

	(void)e;
	return rd32(m->v, 0x44308) & 1;		/* GT_IIR(0) RCS user */
}

/* MI_USER_INTERRUPT reaches the guest while its workload still runs */
static void test_user_irq_forwarded_while_running(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *bb = g32(m, GPA_BATCH);
	uint32_t cmd[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0, 0x1111,
			   MI_USER_INTERRUPT, MI_BB_START_GGTT, (uint32_t)(m->gm + GM_BATCH), 0 };

	bb[0] = MI_BB_START_GGTT;		/* then spin in a batch */
	bb[1] = (uint32_t)(m->gm + GM_BATCH);
	bb[2] = 0;
	guest_ctx_init(m, 4);
	guest_emit(m, cmd, 8);
	wr32(m->v, 0x44308, ~0u);		/* clear GT_IIR(0) */
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	assert_true(run_until(e, user_irq_seen, m) >= 0);
	assert_int_equal(*g32(m, GPA_DATA), 0x1111);
	/* still running: no completion yet */
	assert_int_equal(rd32(m->v, RCS_BASE + 0x234) & (1u << 4), 1u << 4);
	assert_int_equal(g32(m, GPA_HWSP)[0x1f], 0);
	/* the guest gives up and resets the engine: the physical one stops too */
	wr32(m->v, 0x941c, 1u << 1);
	assert_int_equal(rd32(m->v, RCS_BASE + 0x234) & (1u << 4), 0);
	assert_true(hdrv_engine_idle(e->hd, HDRV_RCS));
}

/* one vGPU on two engines at once: the blitter's own context, HWSP, interrupt bits */
static bool rcs_bcs_done(struct sgenv *e, void *arg)
{
	struct sgenv_vm *m = arg;

	(void)e;
	return g32(m, GPA_HWSP)[0x1f] == 1 && g32(m, GPA_HWSP + 0x1000)[0x1f] == 1;
}

static void test_render_and_blitter_together(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *hw2 = g32(m, GPA_HWSP + 0x1000), *r2 = g32(m, GPA_CTX + 0x3000 + 4096);
	uint32_t *ring2 = g32(m, GPA_RING + 0x8000);
	uint32_t cmd[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x300), 0, 0x4C54 };
	uint64_t d2 = (uint64_t)0x40 << 32 | (m->gm + GM_CTX + 0x3000) | 3 << 3 | 1u << 8 | 1;

	guest_ctx_init(m, 4);
	guest_emit(m, cmd, 4);
	/* BCS: HWSP at GM_HWSP + 4K, context at GM_CTX + 0x3000, ring at GM_RING + 0x8000 */
	sgenv_ggtt_map(m, GM_HWSP + 0x1000, GPA_HWSP + 0x1000, 1);
	sgenv_ggtt_map(m, GM_CTX + 0x3000, GPA_CTX + 0x3000, 2);
	sgenv_ggtt_map(m, GM_RING + 0x8000, GPA_RING + 0x8000, 4);
	wr32(m->v, BCS_BASE + 0x80, (uint32_t)(m->gm + GM_HWSP + 0x1000));
	wr32(m->v, BCS_BASE + 0x3a0, 0xffff0505);
	memset(hw2 + 0x10, 0xff, 48);
	hw2[0x1f] = 5;
	memset(r2, 0, 4096);
	r2[0x09] = (uint32_t)(m->gm + GM_RING + 0x8000);
	r2[0x0b] = (RING_SIZE - 4096) | 1;
	ring2[0] = MI_SDI_GGTT;
	ring2[1] = (uint32_t)(m->gm + GM_DATA + 0x304);
	ring2[2] = 0;
	ring2[3] = 0xB175;
	r2[0x07] = 16;
	wr32(m->v, 0x44308, ~0u);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	sgenv_guest_elsp(m, BCS_BASE, d2, 0);
	assert_true(run_until(e, rcs_bcs_done, m) >= 0);
	assert_int_equal(*g32(m, GPA_DATA + 0x300), 0x4C54);
	assert_int_equal(*g32(m, GPA_DATA + 0x304), 0xB175);
	assert_int_equal(hw2[0x10 + 2], 0x18);
	assert_int_equal(hw2[0x10 + 3], 0x40);
	assert_int_equal(rd32(m->v, BCS_BASE + 0x370 + 8), 0x18);
	/* context switch + user for RCS (bits 8, 0) and BCS (bits 24, 16) */
	assert_int_equal(rd32(m->v, 0x44308) & 0x01010101, 0x01010101);
}

/*
 * A context without page tables still runs with a (scratch) shadow PPGTT:
 * its PPGTT addresses never reach the host GGTT, where another vGPU's
 * memory is mapped at the same numbers.
 */
static void test_no_ppgtt_context_cannot_reach_ggtt(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m0 = &e->vm[0], *m1 = &e->vm[1];
	uint32_t cmd[] = { MI_SDI_PPGTT, (uint32_t)(m1->gm + GM_DATA + 0x80), 0, 0xE71CE71C,
			   MI_SDI_PPGTT, (uint32_t)(m0->gm + GM_DATA + 0x80), 0, 0xE71CE71C };
	struct csb_wait w = { m0, RCS_BASE, 1 };

	sgenv_ggtt_map(m1, GM_DATA, GPA_DATA, 1);
	guest_ctx_init(m0, 0);			/* PML4 = 0 */
	guest_emit(m0, cmd, 8);
	sgenv_guest_elsp(m0, RCS_BASE, desc_of(m0, 4, 0x20), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(csb_status(m0, 1), 0x18);
	assert_int_equal(*g32(m1, GPA_DATA + 0x80), 0);
	assert_int_equal(*g32(m0, GPA_DATA + 0x80), 0);
}


/*
 * A privileged (GGTT) batch and the second-level batch it calls run from
 * host copies made at the scan: the guest rewrites both after submission
 * (while the engine waits on a semaphore before starting them) into a store
 * to the other vGPU's memory; the GPU still runs what was audited.
 */
static void test_ggtt_batch_runs_from_shadow_copy(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0], *m1 = &e->vm[1];
	uint32_t *bb = g32(m, GPA_BATCH), *bb2 = g32(m, GPA_BATCH + 0x800);
	uint32_t cmd[] = { MI_SEM_WAIT_EQ_GGTT, 1, (uint32_t)(m->gm + GM_DATA + 0x80), 0,
			   MI_BB_START_GGTT, (uint32_t)(m->gm + GM_BATCH), 0 };
	uint32_t b1[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 0xA0A0A0A0,
			  MI_BB_START_GGTT_L2, (uint32_t)(m->gm + GM_BATCH + 0x800), 0,
			  MI_BATCH_BUFFER_END };
	uint32_t b2[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x44), 0, 0xB0B0B0B0,
			  MI_BATCH_BUFFER_END };
	uint32_t evil[] = { MI_SDI_GGTT, (uint32_t)(m1->gm + GM_DATA), 0, 0xEEEEEEEE };
	struct csb_wait w = { m, RCS_BASE, 1 };
	struct gvt_vgpu_exec_stats st;
	unsigned int i;

	memcpy(bb, b1, sizeof(b1));
	memcpy(bb2, b2, sizeof(b2));
	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	guest_emit(m, cmd, 7);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	for (i = 0; i < 4; i++) {
		hdrv_engine_poll(e->hd, HDRV_RCS);
		gvt_gpu_schedule(e->gpu);
	}
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.workloads, 1);
	assert_int_equal(st.shadow_bbs, 2);
	assert_int_equal(e->gm_live, 1);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 0);	/* still on the semaphore */
	/* the ring the host got starts the copy, in the host's part of the GGTT */
	assert_int_equal(sub_of(e)->cmds[4], MI_BB_START_GGTT);
	assert_int_equal(sub_of(e)->cmds[5], (uint32_t)e->gm_last);
	assert_int_equal(sub_of(e)->cmds[6], (uint32_t)(e->gm_last >> 32));
	assert_true(e->gm_last + 8192 <= (128ull << 20));
	/* the guest rewrites both batches after the scan */
	memcpy(bb, evil, sizeof(evil));
	memcpy(bb2, evil, sizeof(evil));
	__atomic_store_n(g32(m, GPA_DATA + 0x80), 1, __ATOMIC_RELEASE);	/* go */
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(csb_status(m, 1), 0x18);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 0xA0A0A0A0);
	assert_int_equal(*g32(m, GPA_DATA + 0x44), 0xB0B0B0B0);
	assert_int_equal(*g32(m1, GPA_DATA), 0);
	assert_int_equal(e->gm_live, 0);		/* freed at completion */
}

/* a GGTT batch that jumps to itself spins in its copy; a reset frees the copy */
static void test_ggtt_spinner_copy_freed_on_reset(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *bb = g32(m, GPA_BATCH);
	uint32_t cmd[] = { MI_BB_START_GGTT, (uint32_t)(m->gm + GM_BATCH + 0x10), 0 };
	unsigned int i;

	bb[4] = MI_NOOP;
	bb[5] = MI_BB_START_GGTT;
	bb[6] = (uint32_t)(m->gm + GM_BATCH + 0x10);
	bb[7] = 0;
	guest_ctx_init(m, 4);
	guest_emit(m, cmd, 3);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	for (i = 0; i < 4; i++) {
		hdrv_engine_poll(e->hd, HDRV_RCS);
		gvt_gpu_schedule(e->gpu);
	}
	assert_int_equal(e->gm_live, 1);
	/* relocated to the copy of the segment at +0x10, itself included */
	assert_int_equal(sub_of(e)->cmds[1], (uint32_t)e->gm_last + 0x10);
	assert_false(hdrv_engine_idle(e->hd, HDRV_RCS));
	wr32(m->v, 0x941c, 1u << 1);			/* GDRST: render */
	assert_true(hdrv_engine_idle(e->hd, HDRV_RCS));
	assert_int_equal(e->gm_live, 0);
}

/*
 * GGTT batches over the per-workload shadow bound (2 MiB: the host's GGTT
 * range is shared) fail that workload only: no failsafe, nothing submitted,
 * the engine hangs for the guest to reset.
 */
static void test_oversized_ggtt_batch_fails_workload(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	const uint64_t gpa = 0x800000;		/* 2.3 MiB of guest RAM behind GM_BATCH */
	const unsigned int pages = 0x250;
	uint32_t cmd[] = { MI_BB_START_GGTT, (uint32_t)(m->gm + GM_BATCH), 0 };
	struct gvt_vgpu_exec_stats st;
	struct gvt_vgpu_stats vs;
	unsigned int i;

	sgenv_ggtt_map(m, GM_BATCH, gpa, pages);
	/* nine MEDIA_OBJECTs of 0x10001 dwords each: skipped by length, 2.25 MiB */
	for (i = 0; i < 9; i++)
		*g32(m, gpa + i * 0x40004ull) = 0x7100ffff;
	*g32(m, gpa + 9 * 0x40004ull) = MI_BATCH_BUFFER_END;
	guest_ctx_init(m, 4);
	guest_emit(m, cmd, 3);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	for (i = 0; i < 4; i++)
		gvt_gpu_schedule(e->gpu);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.scan_rejects, 0);
	assert_int_equal(st.workloads, 0);
	assert_int_equal(e->submits, 0);
	assert_int_equal(e->gm_live, 0);
	gvt_vgpu_get_stats(m->v, &vs);
	assert_int_equal(vs.failsafe, 0);
}

/*
 * A runaway batch (IGT i915_hangman hangcheck-unterminated: MI_NOOPs
 * without end, more than the scanner's command budget) is the guest's own
 * GPU hang, not a violation: the workload is not run and never completes,
 * no failsafe; the guest's driver resets the engine and the next one runs.
 */
static void test_runaway_batch_hangs_until_guest_reset(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	/* user batch at PPGTT VA 8 MiB: three 2M pages of zeros (MI_NOOPs),
	 * 6 MiB, more than the 2^20 commands of the scanner's budget */
	const uint64_t va = 0x800000, gpa = 0x1000000;
	uint32_t cmd[] = { MI_BB_START_GGTT, (uint32_t)va, 0 };
	uint32_t again[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0, 0x600DB0B0 };
	struct csb_wait w = { m, RCS_BASE, 1 };
	struct gvt_vgpu_exec_stats st;
	struct gvt_vgpu_stats vs;
	unsigned int i;

	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	for (i = 0; i < 3; i++)
		*g64(m, GPA_PD + 8 * (va / (2u << 20) + i)) = (gpa + (2ull << 20) * i) | 1u << 7 | 3;
	guest_emit(m, cmd, 3);
	/* unprivileged, like a user context of the guest's i915 */
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20) & ~(1ull << 8), 0);
	for (i = 0; i < 4; i++)
		gvt_gpu_schedule(e->gpu);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.scan_rejects, 0);
	assert_int_equal(st.workloads, 0);
	assert_int_equal(e->submits, 0);
	gvt_vgpu_get_stats(m->v, &vs);
	assert_int_equal(vs.failsafe, 0);
	/* hung: no completion, the list stays in the engine */
	assert_int_equal(g32(m, GPA_HWSP)[0x1f], 0);
	assert_true(rd32(m->v, RCS_BASE + 0x234) & (1u << 4));
	/* the guest's driver resets the render engine and starts over */
	wr32(m->v, 0x941c, 1u << 1);			/* GDRST: render */
	assert_int_equal(rd32(m->v, RCS_BASE + 0x234) & (1u << 4), 0);
	guest_init_engine(m, RCS_BASE);
	guest_ctx_init(m, 4);
	guest_emit(m, again, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA), 0x600DB0B0);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.workloads, 1);
	gvt_vgpu_get_stats(m->v, &vs);
	assert_int_equal(vs.failsafe, 0);
}

/*
 * The same in a privileged (GGTT) batch: it runs into the bound of the
 * host's snapshot (512 pages) before the command budget; also a hang of
 * that workload only, no failsafe.
 */
static void test_runaway_ggtt_batch_hangs_until_guest_reset(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	const uint64_t gpa = 0x800000;		/* one page of zeros: MI_NOOPs */
	const unsigned int pages = 600;		/* > the 512 snapshot pages */
	uint32_t cmd[] = { MI_BB_START_GGTT, (uint32_t)(m->gm + GM_BATCH), 0 };
	uint32_t again[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0, 0x600DB0B1 };
	struct csb_wait w = { m, RCS_BASE, 1 };
	struct gvt_vgpu_exec_stats st;
	struct gvt_vgpu_stats vs;
	unsigned int i;

	for (i = 0; i < pages; i++)
		sgenv_ggtt_map(m, GM_BATCH + 4096ull * i, gpa, 1);
	guest_ctx_init(m, 4);
	guest_emit(m, cmd, 3);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	for (i = 0; i < 4; i++)
		gvt_gpu_schedule(e->gpu);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.scan_rejects, 0);
	assert_int_equal(st.workloads, 0);
	assert_int_equal(e->submits, 0);
	assert_int_equal(e->gm_live, 0);
	gvt_vgpu_get_stats(m->v, &vs);
	assert_int_equal(vs.failsafe, 0);
	assert_int_equal(g32(m, GPA_HWSP)[0x1f], 0);
	wr32(m->v, 0x941c, 1u << 1);			/* GDRST: render */
	guest_init_engine(m, RCS_BASE);
	guest_ctx_init(m, 4);
	guest_emit(m, again, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA), 0x600DB0B1);
	gvt_vgpu_get_stats(m->v, &vs);
	assert_int_equal(vs.failsafe, 0);
}

/* the ring copy the host got: dword @i */
static uint32_t sub_dw(struct sgenv *e, unsigned int i)
{
	return sub_of(e)->cmds[i];
}

static void guest_ppgtt_b_build(struct sgenv_vm *m)
{
	*g64(m, GPA_B_PML4) = GPA_B_PDP | 3;
	*g64(m, GPA_B_PDP) = GPA_B_PD | 3;
	*g64(m, GPA_B_PD + 8 * 2) = GPA_B_PT | 3;
	*g64(m, GPA_B_PT) = GPA_B_DATA | 3;
}

/*
 * PDP loads by LRI become loads of the shadow root: the dwords the host
 * runs are those of the shadow the vGPU builds for the loaded guest root
 * (the same the next workload gets from its image, which then reaches the
 * loaded tables), and the guest image holds the guest's value afterwards.
 */
static void run_pdp_lri(struct sgenv *e, unsigned int levels)
{
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *r = g32(m, GPA_CTX + 4096);
	uint32_t lri4[] = { MI_LRI(2), RCS_BASE + 0x274, 0, RCS_BASE + 0x270, (uint32_t)GPA_B_PML4,
			    MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0, 0x1D1D };
	uint32_t lri3[] = { MI_LRI(8), RCS_BASE + 0x28c, 0, RCS_BASE + 0x288, 0,
			    RCS_BASE + 0x284, 0, RCS_BASE + 0x280, 0,
			    RCS_BASE + 0x27c, 0, RCS_BASE + 0x278, 0,
			    RCS_BASE + 0x274, 0, RCS_BASE + 0x270, (uint32_t)GPA_B_PD,
			    MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0, 0x1D1D };
	uint32_t store[] = { MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA + 0x20, 0, 0x5D5D0000 + levels };
	struct csb_wait w = { m, RCS_BASE, 1 };
	struct gvt_vgpu_exec_stats st;
	uint64_t patched[4] = { 0, 0, 0, 0 };
	unsigned int i;

	guest_ppgtt_build(m);
	guest_ppgtt_b_build(m);
	guest_ctx_init(m, levels);
	if (levels == 4) {
		guest_emit(m, lri4, 9);
		sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	} else {
		guest_emit(m, lri3, 21);
		sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 3, 0x20), 0);
	}
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(csb_status(m, 1), 0x18);
	assert_int_equal(*g32(m, GPA_DATA), 0x1D1D);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.pdp_lri_patched, levels == 4 ? 2 : 8);
	if (levels == 4) {
		patched[0] = (uint64_t)sub_dw(e, 2) << 32 | sub_dw(e, 4);
	} else {
		for (i = 0; i < 4; i++)	/* PDP3 first */
			patched[3 - i] = (uint64_t)sub_dw(e, 2 + 4 * i) << 32 | sub_dw(e, 4 + 4 * i);
	}
	assert_true(patched[0] != 0 && patched[0] != (levels == 4 ? GPA_B_PML4 : GPA_B_PD));
	/* the image now names the guest root that was loaded */
	assert_int_equal(r[0x31], 0);
	assert_int_equal(r[0x33], levels == 4 ? (uint32_t)GPA_B_PML4 : (uint32_t)GPA_B_PD);
	/* the next workload runs with that root from its image: same shadow */
	guest_emit(m, store, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, levels, 0x20), 0);
	w.wp = 3;
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(sub_of(e)->levels, levels);
	for (i = 0; i < 4; i++)
		assert_int_equal(sub_of(e)->pdp[i], patched[i]);
	assert_int_equal(*g32(m, GPA_B_DATA + 0x20), 0x5D5D0000 + levels);
	assert_int_equal(*g32(m, GPA_PDATA + 0x20), 0);
}

static void test_pdp_lri_patched_4level(void **state)
{
	run_pdp_lri(*state, 4);
}

static void test_pdp_lri_patched_3level(void **state)
{
	run_pdp_lri(*state, 3);
}

/* a PDP half-loaded, or loaded from a PPGTT batch, cannot be patched: refused */
static void test_pdp_lri_unpatchable_refused(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *pb = g32(m, GPA_PBATCH);
	uint32_t half[] = { MI_LRI(1), RCS_BASE + 0x270, (uint32_t)GPA_B_PML4 };
	uint32_t in_bb[] = { MI_BB_START_PPGTT, (uint32_t)PPGTT_VA_BATCH, 0 };
	struct gvt_vgpu_exec_stats st;
	struct gvt_vgpu_stats vs;
	unsigned int i, round;

	for (round = 0; round < 2; round++) {
		guest_ppgtt_build(m);
		guest_ctx_init(m, 4);
		if (round == 0) {
			guest_emit(m, half, 3);
		} else {
			pb[0] = MI_LRI(2);
			pb[1] = RCS_BASE + 0x274;
			pb[2] = 0;
			pb[3] = RCS_BASE + 0x270;
			pb[4] = (uint32_t)GPA_B_PML4;
			pb[5] = MI_BATCH_BUFFER_END;
			guest_emit(m, in_bb, 3);
		}
		sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
		for (i = 0; i < 4; i++)
			gvt_gpu_schedule(e->gpu);
		gvt_vgpu_get_exec_stats(m->v, &st);
		assert_int_equal(st.scan_rejects, 1);
		assert_int_equal(st.workloads, 0);
		assert_int_equal(e->submits, 0);
		gvt_vgpu_get_stats(m->v, &vs);
		assert_int_equal(vs.failsafe, GVT_FAILSAFE_BAD_COMMAND);
		gvt_vgpu_reset(m->v);
		guest_boot(m);
		/* counters live until destroy: recreate for the next round */
		gvt_vgpu_destroy(m->v);
		assert_int_equal(gvt_vgpu_create(e->gpu, "GVTg_V5_8", &sgenv_hyp_ops, m, &m->v), 0);
		gvt_vgpu_set_irq_mode(m->v, GVT_IRQ_MSI);
		guest_boot(m);
	}
}

/*
 * CTX_TIMESTAMP: the physical context runs from the guest context's value
 * and the guest image gets what it saved (not the host context's own
 * running total, which spans every guest context of that engine).
 */
/* one PPGTT store by the context at GM_CTX through its current root; waits */
static void ppgtt_store_once(struct sgenv *e, struct sgenv_vm *m, unsigned int *n, uint32_t val)
{
	uint32_t cmd[] = { MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA + 0x40, 0, val };
	struct csb_wait w = { m, RCS_BASE, 0 };

	guest_emit(m, cmd, 4);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	w.wp = (2 * ++*n - 1) % 6;	/* two CSB entries per list */
	assert_true(run_until(e, csb_reached, &w) >= 0);
}

/*
 * A root the guest stops submitting (i915 frees a VM without telling the
 * vGPU) is released after GVT_ROOT_IDLE root lookups: its pages are no
 * longer compared at each submission, and when the guest reuses them (here
 * A's PDP becomes a page of PTEs, PAT bit 7 set, which read as a PDP are
 * 1G entries) nothing is re-shadowed. A root used within the window stays.
 */
static void test_idle_root_released(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *r = g32(m, GPA_CTX + 4096);
	struct gvt_vgpu_mediation_stats st;
	struct gvt_vgpu_exec_stats xs;
	unsigned int n = 0, i;
	uint64_t synced;

	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	guest_ppgtt_b_build(m);
	ppgtt_store_once(e, m, &n, 0xA0000001);		/* root A */
	assert_int_equal(*g32(m, GPA_PDATA + 0x40), 0xA0000001);
	r[0x33] = (uint32_t)GPA_B_PML4;
	for (i = 0; i < GVT_ROOT_IDLE / 2; i++)
		ppgtt_store_once(e, m, &n, 0xB0000000 + i);
	gvt_vgpu_get_mediation_stats(m->v, &st);
	assert_int_equal(st.sppt_guest_pages, 8);	/* A and B, 4 tables each */
	r[0x33] = (uint32_t)GPA_PML4;
	ppgtt_store_once(e, m, &n, 0xA0000002);		/* A used again: kept */
	assert_int_equal(*g32(m, GPA_PDATA + 0x40), 0xA0000002);
	r[0x33] = (uint32_t)GPA_B_PML4;
	for (i = 0; i < GVT_ROOT_IDLE / 2; i++)
		ppgtt_store_once(e, m, &n, 0xB1000000 + i);
	gvt_vgpu_get_mediation_stats(m->v, &st);
	assert_int_equal(st.sppt_guest_pages, 8);
	for (; i <= GVT_ROOT_IDLE; i++)
		ppgtt_store_once(e, m, &n, 0xB1000000 + i);
	assert_int_equal(*g32(m, GPA_B_DATA + 0x40), 0xB1000000 + GVT_ROOT_IDLE);
	gvt_vgpu_get_mediation_stats(m->v, &st);
	assert_int_equal(st.sppt_guest_pages, 4);	/* A released: B's only */
	synced = st.sppt_entries_synced;
	for (i = 0; i < 512; i++)
		*g64(m, GPA_PDP + 8 * i) = (GPA_PDATA + 4096ull * (i % 4)) | 0x83;
	ppgtt_store_once(e, m, &n, 0xB2000000);
	assert_int_equal(*g32(m, GPA_B_DATA + 0x40), 0xB2000000);
	gvt_vgpu_get_mediation_stats(m->v, &st);
	assert_int_equal(st.sppt_entries_synced, synced);
	assert_int_equal(st.sppt_guest_pages, 4);
	gvt_vgpu_get_exec_stats(m->v, &xs);
	assert_int_equal(xs.failed, 0);
}

static void test_ctx_timestamp_round_trip(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *r = g32(m, GPA_CTX + 4096);
	/* SRM CTX_TIMESTAMP (GGTT) as the workload starts, 256 commands, a store */
	uint32_t cmd[4 + 256 + 4] = { 0x12400002, RCS_BASE + 0x3a8,
				      (uint32_t)(m->gm + GM_DATA + 0x10), 0 };
	struct csb_wait w = { m, RCS_BASE, 1 };
	/* 12 MHz command streamer ticks: 10 s is far more than a test takes */
	const uint32_t ten_s = 120000000u;
	/* softgpu charges 20 ns a command: 256 are > 400 ns = 5 ticks (at least) */
	const uint32_t ran = 5;

	cmd[260] = MI_SDI_GGTT;
	cmd[261] = (uint32_t)(m->gm + GM_DATA);
	cmd[263] = 0x7157;
	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	r[0x23] = 0x40000000;
	guest_emit(m, cmd, 264);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(*g32(m, GPA_DATA), 0x7157);
	/* the engine ran from the guest's value (softgpu keeps ns: a tick may round away) */
	assert_true(*g32(m, GPA_DATA + 0x10) >= 0x40000000 - 1);
	assert_true(*g32(m, GPA_DATA + 0x10) < 0x40000000 + ten_s);
	/* and the image got what it saved */
	assert_true(r[0x23] >= 0x40000000 + ran && r[0x23] < 0x40000000 + ten_s);
	/* the same engine with another starting value: that value, not the last one */
	r[0x23] = 5;
	guest_emit(m, cmd, 264);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	w.wp = 3;
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_true(*g32(m, GPA_DATA + 0x10) >= 4 && *g32(m, GPA_DATA + 0x10) < ten_s);
	assert_true(r[0x23] >= 5 + ran && r[0x23] < ten_s);
}

/*
 * A context without the privilege bit fetches batches through its PPGTT
 * even when the start does not say so; the physical context is privileged,
 * so the vGPU sets the address-space bit in the ring copy.
 */
static void test_unprivileged_context_batch_via_ppgtt(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t *pb = g32(m, GPA_PBATCH);
	uint32_t cmd[] = { MI_BB_START_GGTT, (uint32_t)PPGTT_VA_BATCH, 0 };
	struct csb_wait w = { m, RCS_BASE, 1 };

	pb[0] = MI_SDI_PPGTT;
	pb[1] = (uint32_t)PPGTT_VA_DATA + 0x60;
	pb[2] = 0;
	pb[3] = 0x0B1F0B1F;
	pb[4] = MI_BATCH_BUFFER_END;
	guest_ctx_init(m, 4);
	guest_ppgtt_build(m);
	guest_emit(m, cmd, 3);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20) & ~(1ull << 8), 0);
	assert_true(run_until(e, csb_reached, &w) >= 0);
	assert_int_equal(csb_status(m, 1), 0x18);
	assert_int_equal(sub_of(e)->cmds[0], MI_BB_START_PPGTT);
	assert_int_equal(*g32(m, GPA_PDATA + 0x60), 0x0B1F0B1F);
}

/* two guests submit back to back while a scheduler thread runs */
static void test_threaded_back_to_back(void **state)
{
	struct sgenv *e = *state;
	const unsigned int total = 100;
	unsigned int next[2] = { 1, 1 }, i;
	struct timespec t0, t;

	for (i = 0; i < 2; i++) {
		guest_ctx_init(&e->vm[i], 4);
		guest_ppgtt_build(&e->vm[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (next[0] <= total || next[1] <= total) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_true(t.tv_sec - t0.tv_sec < 60);
		for (i = 0; i < 2; i++) {
			struct sgenv_vm *m = &e->vm[i];
			uint32_t cmd[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA), 0,
					   next[i], MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA, 0,
					   next[i], MI_USER_INTERRUPT };

			if (next[i] > total || (rd32(m->v, RCS_BASE + 0x234) & (1u << 4)))
				continue;
			/* the previous one completed before the list went idle */
			assert_int_equal(*(volatile uint32_t *)g32(m, GPA_DATA), next[i] - 1);
			guest_emit(m, cmd, 9);
			sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20 + i), 0);
			next[i]++;
		}
		usleep(10);
	}
	for (i = 0; i < 2; i++) {
		struct sgenv_vm *m = &e->vm[i];
		struct gvt_vgpu_exec_stats st;

		do {
			clock_gettime(CLOCK_MONOTONIC, &t);
			assert_true(t.tv_sec - t0.tv_sec < 60);
			usleep(100);
		} while (rd32(m->v, RCS_BASE + 0x234) & (1u << 4));
		assert_int_equal(*(volatile uint32_t *)g32(m, GPA_DATA), total);
		assert_int_equal(*(volatile uint32_t *)g32(m, GPA_PDATA), total);
		gvt_vgpu_get_exec_stats(m->v, &st);
		assert_int_equal(st.completed, total);
		assert_int_equal(st.failed, 0);
		assert_int_equal(st.csb_events, 2 * total);
	}
}

/* ---- guest RAM declared linear (gvt_vgpu_ram_linear_add) ---- */

#define RAM_PAGES	(RAM_SIZE >> 12)
#define GPA_HUGE	0x600000ull	/* a 2M guest page: VA 0x600000 (PD[3]) */
#define PPGTT_VA_HUGE	0x00600000ull

struct wl_count {
	struct sgenv_vm *m;
	uint64_t done;	/* completed + failed to reach */
};

static bool wl_done(struct sgenv *e, void *arg)
{
	struct wl_count *w = arg;
	struct gvt_vgpu_exec_stats st;

	(void)e;
	gvt_vgpu_get_exec_stats(w->m->v, &st);
	return st.completed + st.failed >= w->done &&
	       !(rd32(w->m->v, RCS_BASE + 0x234) & (1u << 4));
}

/* the whole 4-level PPGTT workload: ring stores + a PPGTT batch, to completion */
static void run_ppgtt_stores(struct sgenv *e, struct sgenv_vm *m, uint32_t val)
{
	uint32_t *bb = g32(m, GPA_PBATCH);
	uint32_t cmd[] = { MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA + 0x10, 0, val,
			   MI_SDI_PPGTT, (uint32_t)PPGTT_VA_HUGE + 0x1238, 0, val + 1,
			   MI_BB_START_PPGTT, (uint32_t)PPGTT_VA_BATCH, 0 };
	struct gvt_vgpu_exec_stats st;
	struct wl_count w = { m, 0 };

	bb[0] = MI_SDI_PPGTT;
	bb[1] = (uint32_t)PPGTT_VA_DATA + 0x20;
	bb[2] = 0;
	bb[3] = val + 2;
	bb[4] = MI_BATCH_BUFFER_END;
	gvt_vgpu_get_exec_stats(m->v, &st);
	w.done = st.completed + st.failed + 1;
	guest_emit(m, cmd, 11);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x40), 0);
	assert_true(run_until(e, wl_done, &w) >= 0);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(*g32(m, GPA_PDATA + 0x10), val);
	assert_int_equal(*g32(m, GPA_HUGE + 0x1238), val + 1);
	assert_int_equal(*g32(m, GPA_PDATA + 0x20), val + 2);
}

/* guest_ppgtt_build() plus a 2M page at VA 0x600000 -> GPA_HUGE */
static void guest_ppgtt_build_huge(struct sgenv_vm *m)
{
	guest_ppgtt_build(m);
	*g64(m, GPA_PD + 8 * 3) = GPA_HUGE | 1u << 7 | 3;	/* PS */
}

static uint64_t sppt_pins(struct sgenv_vm *m)
{
	struct gvt_vgpu_mediation_stats ms;

	gvt_vgpu_get_mediation_stats(m->v, &ms);
	return ms.sppt_pins;
}

/*
 * Declared before the shadow engine exists (it is made at the first PPGTT
 * workload): the engine registers it at creation, and the workload's
 * PPGTT (4K pages and a 2M page) translates with no dma_map at all.
 */
static void test_linear_before_engine_no_pins(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint64_t calls, pinned;
	unsigned int i;

	/* the checks sppt_linear_register() makes, before the engine exists */
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, 0, 0, m->ram_dma.dma), -EINVAL);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, 0, 1, m->ram_dma.dma + 8), -EINVAL);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, 1ull << 36, 1, 0), -EINVAL);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, 0, 1, (1ull << 48) - 4096), 0);
	assert_int_equal(gvt_vgpu_ram_linear_remove(m->v, 0, 1), 0);
	assert_int_equal(gvt_vgpu_ram_linear_remove(m->v, 0, 1), -ENOENT);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, 0, RAM_PAGES, m->ram_dma.dma), 0);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, RAM_PAGES - 1, 2, 0), -EEXIST);
	for (i = 1; i < GVT_RAM_LINEAR_MAX; i++)
		assert_int_equal(gvt_vgpu_ram_linear_add(m->v, RAM_PAGES + i, 1, 0x1000ull * i), 0);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, RAM_PAGES + i, 1, 0), -ENOSPC);
	for (i = 1; i < GVT_RAM_LINEAR_MAX; i++)
		assert_int_equal(gvt_vgpu_ram_linear_remove(m->v, RAM_PAGES + i, 1), 0);
	assert_int_equal(gvt_vgpu_ram_linear_remove(m->v, 0, RAM_PAGES - 1), -ENOENT);

	guest_ctx_init(m, 4);
	guest_ppgtt_build_huge(m);
	calls = m->pin_calls;
	pinned = m->pinned;
	run_ppgtt_stores(e, m, 0x11110000);
	run_ppgtt_stores(e, m, 0x22220000);
	assert_int_equal(m->pin_calls, calls);
	assert_int_equal(m->pinned, pinned);
	assert_int_equal(sppt_pins(m), 0);
	/* left registered: the vGPU's teardown balances (vm_destroy checks) */
}

/*
 * Declared while shadows hold pins: they are converted (pins dropped) when
 * the call returns, and later workloads pin nothing.
 */
static void test_linear_after_engine_converts_pins(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint64_t pinned0 = m->pinned, calls;

	guest_ctx_init(m, 4);
	guest_ppgtt_build_huge(m);
	run_ppgtt_stores(e, m, 0x33330000);
	/* PDATA, PBATCH and the 512 pages of the split 2M page */
	assert_int_equal(sppt_pins(m), 2 + 512);
	assert_int_equal(m->pinned, pinned0 + 2 + 512);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, 0, RAM_PAGES, m->ram_dma.dma), 0);
	assert_int_equal(sppt_pins(m), 0);
	assert_int_equal(m->pinned, pinned0);
	calls = m->pin_calls;
	run_ppgtt_stores(e, m, 0x44440000);
	assert_int_equal(m->pin_calls, calls);
	assert_int_equal(m->pinned, pinned0);
	/* withdrawn while the host still maps it: the shadows pin again */
	assert_int_equal(gvt_vgpu_ram_linear_remove(m->v, 0, RAM_PAGES), 0);
	assert_int_equal(sppt_pins(m), 2 + 512);
	assert_int_equal(m->pinned, pinned0 + 2 + 512);
	run_ppgtt_stores(e, m, 0x55550000);
	assert_int_equal(m->pinned, pinned0 + 2 + 512);
}

/*
 * The host unmaps guest RAM while a workload that will write through it is
 * in flight (spinning on a semaphore): the host drops the frames from its
 * table (dma_map fails for them), withdraws the range, and only then would
 * unmap. No shadow entry may still lead into the range: the store after
 * the semaphore goes to scratch, the guest page stays untouched, and the
 * rest of the PPGTT (another range) keeps working.
 */
static void test_linear_remove_in_flight_maps_scratch(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	const uint64_t split = GPA_PDATA >> 12;	/* tables below, data above */
	uint32_t cmd[] = { MI_SEM_WAIT_EQ_GGTT, 1, (uint32_t)(m->gm + GM_DATA + 0x80), 0,
			   MI_SDI_PPGTT, (uint32_t)PPGTT_VA_DATA + 0x50, 0, 0xDEAD0050,
			   MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x84), 0, 0x600D0084 };
	struct gvt_vgpu_exec_stats st;
	struct wl_count w = { m, 1 };
	uint64_t pinned0 = m->pinned, calls;
	unsigned int i;

	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, 0, split, m->ram_dma.dma), 0);
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, split, RAM_PAGES - split,
						 m->ram_dma.dma + (split << 12)), 0);
	guest_ctx_init(m, 4);
	guest_ppgtt_build_huge(m);
	guest_emit(m, cmd, 12);
	sgenv_guest_elsp(m, RCS_BASE, desc_of(m, 4, 0x20), 0);
	for (i = 0; i < 4; i++) {
		hdrv_engine_poll(e->hd, HDRV_RCS);
		gvt_gpu_schedule(e->gpu);
	}
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.workloads, 1);
	assert_false(hdrv_engine_idle(e->hd, HDRV_RCS));	/* on the semaphore */
	assert_int_equal(sppt_pins(m), 0);

	/* the host: out of its table first, then withdraw */
	m->gone_lo = split;
	m->gone_hi = RAM_PAGES;
	calls = m->pin_calls;
	assert_int_equal(gvt_vgpu_ram_linear_remove(m->v, split, RAM_PAGES - split), 0);
	assert_true(m->pin_calls >= calls + 2 + 512);	/* PDATA, PBATCH, the 2M page */
	assert_int_equal(m->pinned, pinned0);		/* and refused: scratch */
	assert_int_equal(sppt_pins(m), 0);

	*g32(m, GPA_DATA + 0x80) = 1;			/* release the semaphore */
	assert_true(run_until(e, wl_done, &w) >= 0);
	gvt_vgpu_get_exec_stats(m->v, &st);
	assert_int_equal(st.completed, 1);
	assert_int_equal(*g32(m, GPA_DATA + 0x84), 0x600D0084);
	assert_int_equal(*g32(m, GPA_PDATA + 0x50), 0);	/* went to scratch */

	/*
	 * The host maps the frames again, as a linear range: the entries left
	 * on scratch (their guest entries did not change, so no sync would
	 * redo them) map again, with no pin.
	 */
	m->gone_lo = m->gone_hi = 0;
	calls = m->pin_calls;
	assert_int_equal(gvt_vgpu_ram_linear_add(m->v, split, RAM_PAGES - split,
						 m->ram_dma.dma + (split << 12)), 0);
	run_ppgtt_stores(e, m, 0x66660000);
	assert_int_equal(m->pin_calls, calls);
	assert_int_equal(m->pinned, pinned0);
	assert_int_equal(gvt_vgpu_ram_linear_remove(m->v, 0, split), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ggtt_store_completes_with_csb_and_irq,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppgtt_store_4level_and_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ppgtt_store_3level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lite_restore_resubmission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_elements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_vgpus_concurrently, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_hang_reset_spares_other_vgpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_context_fails_only_that_workload, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scanner_rejects_forbidden_register_write,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_g2v_announced_ppgtt_is_preshadowed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_garbage_submissions_spare_other_vgpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_user_irq_forwarded_while_running, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_render_and_blitter_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ppgtt_context_cannot_reach_ggtt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ggtt_batch_runs_from_shadow_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ggtt_spinner_copy_freed_on_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_oversized_ggtt_batch_fails_workload, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_runaway_batch_hangs_until_guest_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_runaway_ggtt_batch_hangs_until_guest_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pdp_lri_patched_4level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pdp_lri_patched_3level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pdp_lri_unpatchable_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_timestamp_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_root_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unprivileged_context_batch_via_ppgtt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_linear_before_engine_no_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linear_after_engine_converts_pins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_linear_remove_in_flight_maps_scratch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_threaded_back_to_back, setup_threaded,
						teardown_threaded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
