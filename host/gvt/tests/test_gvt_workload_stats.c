// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mediation counters (gvt_vgpu_get_mediation_stats): trap counts per
 * guest entry point, and the per-phase host time of submitted workloads.
 *
 * The physical GPU is scripted and the clock is fake: every guest-memory
 * read the model makes costs READ_NS, every shadow table the host allocates
 * ALLOC_NS, a host context CREATE_NS and a ctx_submit SUBMIT_NS. So the time
 * a phase is charged follows from the work it did, and total = the sum of
 * the phases exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gvt_test_util.h"

#define GPA_RING	0x100000ull
#define GPA_CTX		0x110000ull
#define GPA_HWSP	0x120000ull
#define GPA_PML4	0x200000ull
#define GPA_PDP		0x201000ull
#define GPA_PD		0x202000ull
#define GPA_PT		0x203000ull
#define GPA_PDATA	0x204000ull
#define GPA_PBATCH	0x205000ull
#define GPA_PDATA2	0x206000ull
#define VA_DATA		0x400000u
#define VA_BATCH	0x401000u
#define RING_SIZE	(16u << 10)
#define RCS		0x2000u

#define READ_NS		1ull
#define ALLOC_NS	100ull
#define CREATE_NS	7000ull
#define SUBMIT_NS	50000ull

#define MI_NOOP			0x00000000u
#define MI_BATCH_BUFFER_END	0x05000000u
#define MI_LRI_1		0x11000001u	/* MI_LOAD_REGISTER_IMM, one pair */
#define MI_SDI_PPGTT		0x10000002u	/* MI_STORE_DWORD_IMM, PPGTT */
#define MI_BB_START_PPGTT	0x18800101u	/* bit 8: PPGTT address space */

struct fctx {
	void *cookie;
};

struct env {
	struct gvt_gpu *gpu;
	struct fake_hyp *hyp;
	struct gvt_vgpu *v;
	uint64_t *ggtt;
	uint64_t gm;
	uint32_t tail;
	struct fctx *running;	/* what the "GPU" runs on RCS */
	unsigned int submits, allocs;
};

static struct env *cur;	/* the fakes below have no env pointer of their own */

static int s_gpa_read(void *priv, uint64_t gpa, void *buf, size_t len)
{
	cur->hyp->now += READ_NS;
	return fake_hyp_ops.gpa_read(priv, gpa, buf, len);
}

static struct gvt_hyp_ops s_hyp_ops;

static int s_ggtt_write(void *priv, uint32_t index, uint64_t pte)
{
	(void)priv;
	cur->ggtt[index] = pte;
	return 0;
}

static int s_dma_alloc(void *priv, size_t size, void **cpu, uint64_t *dma)
{
	(void)priv;
	*cpu = aligned_alloc(4096, size);
	if (!*cpu)
		return -ENOMEM;
	memset(*cpu, 0, size);
	*dma = (uint64_t)(uintptr_t)*cpu;
	cur->allocs++;
	cur->hyp->now += ALLOC_NS;
	return 0;
}

static void s_dma_free(void *priv, void *cpu, uint64_t dma, size_t size)
{
	(void)priv;
	(void)dma;
	(void)size;
	free(cpu);
}

static int s_ctx_create(void *priv, unsigned int engine, uint32_t ring_bytes, void *cookie,
			void **hctx)
{
	struct fctx *c = calloc(1, sizeof(*c));

	(void)priv;
	(void)engine;
	(void)ring_bytes;
	if (!c)
		return -ENOMEM;
	c->cookie = cookie;
	*hctx = c;
	cur->hyp->now += CREATE_NS;
	return 0;
}

static void s_ctx_destroy(void *priv, void *hctx)
{
	(void)priv;
	free(hctx);
}

static int s_ctx_submit(void *priv, void *hctx, const struct gvt_host_submit *s)
{
	(void)priv;
	if (!s->bytes || s->bytes % 4 || s->levels != 4)
		return -EINVAL;
	cur->running = hctx;
	cur->submits++;
	cur->hyp->now += SUBMIT_NS;
	return 0;
}

static const struct gvt_host_ops s_host_ops = {
	.version = GVT_OPS_VERSION,
	.ggtt_write = s_ggtt_write,
	.dma_alloc = s_dma_alloc,
	.dma_free = s_dma_free,
	.ctx_create = s_ctx_create,
	.ctx_destroy = s_ctx_destroy,
	.ctx_submit = s_ctx_submit,
};

static uint32_t *g32(struct env *e, uint64_t gpa)
{
	return (uint32_t *)(e->hyp->ram + gpa);
}

static uint64_t *g64(struct env *e, uint64_t gpa)
{
	return (uint64_t *)(e->hyp->ram + gpa);
}

static void map(struct env *e, uint64_t off, uint64_t gpa, unsigned int pages)
{
	for (unsigned int k = 0; k < pages; k++)
		wr64(e->v, GVT_GGTT_OFFSET + ((e->gm + off) >> 12) * 8 + 8 * k,
		     (gpa + 4096ull * k) | 1);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct gvt_gpu_desc d;
	struct gvt_vgpu_info info;
	uint32_t *r;

	assert_non_null(e);
	cur = e;
	s_hyp_ops = fake_hyp_ops;
	s_hyp_ops.gpa_read = s_gpa_read;
	e->ggtt = calloc((4ull << 30) >> 12, 8);
	assert_non_null(e->ggtt);
	fake_desc_init(&d, 0x1912, 512ull << 20);
	assert_int_equal(gvt_gpu_create(&d, &s_host_ops, e, &e->gpu), 0);
	e->hyp = fake_hyp_new();
	assert_int_equal(gvt_vgpu_create(e->gpu, "GVTg_V5_8", &s_hyp_ops, e->hyp, &e->v), 0);
	gvt_vgpu_get_info(e->v, &info);
	e->gm = info.low_gm_base;
	(void)rd32(e->v, 0x78000);	/* PVINFO magic: GVT-aware guest */
	map(e, 0, GPA_RING, 4);
	map(e, 0x10000, GPA_CTX, 2);
	map(e, 0x20000, GPA_HWSP, 1);
	wr32(e->v, RCS + 0x80, (uint32_t)(e->gm + 0x20000));	/* RING_HWS_PGA */
	/* 4-level PPGTT: VA 0x400000 -> GPA_PDATA, 0x401000 -> GPA_PBATCH */
	*g64(e, GPA_PML4) = GPA_PDP | 3;
	*g64(e, GPA_PDP) = GPA_PD | 3;
	*g64(e, GPA_PD + 8 * 2) = GPA_PT | 3;
	*g64(e, GPA_PT) = GPA_PDATA | 3;
	*g64(e, GPA_PT + 8) = GPA_PBATCH | 3;
	/* the batch: one PPGTT store */
	g32(e, GPA_PBATCH)[0] = MI_SDI_PPGTT;
	g32(e, GPA_PBATCH)[1] = VA_DATA + 0x10;
	g32(e, GPA_PBATCH)[2] = 0;
	g32(e, GPA_PBATCH)[3] = 0x5ca1ab1e;
	g32(e, GPA_PBATCH)[4] = MI_BATCH_BUFFER_END;
	/* register state: ring and PML4 */
	r = g32(e, GPA_CTX + 4096);
	r[0x09] = (uint32_t)e->gm;			/* RING_START */
	r[0x0b] = (RING_SIZE - 4096) | 1;		/* RING_CTL */
	r[0x31] = 0;
	r[0x33] = (uint32_t)GPA_PML4;			/* PML4 */
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	gvt_vgpu_destroy(e->v);
	assert_int_equal(e->hyp->pinned, 0);
	fake_hyp_free(e->hyp);
	assert_int_equal(gvt_gpu_destroy(e->gpu), 0);
	free(e->ggtt);
	free(e);
	cur = NULL;
	return 0;
}

/* append four dwords to the ring and write the ELSP (4-level, one element) */
static void submit(struct env *e, const uint32_t dw[4])
{
	uint32_t *ring = g32(e, GPA_RING);
	uint64_t d = (uint64_t)0x20 << 32 | (e->gm + 0x10000) | 3 << 3 | 1;

	for (int i = 0; i < 4; i++) {
		ring[e->tail / 4] = dw[i];
		e->tail = (e->tail + 4) % RING_SIZE;
	}
	g32(e, GPA_CTX + 4096)[0x07] = e->tail;	/* CTX_RING_TAIL */
	wr32(e->v, RCS + 0x230, 0);
	wr32(e->v, RCS + 0x230, 0);
	wr32(e->v, RCS + 0x230, (uint32_t)(d >> 32));
	wr32(e->v, RCS + 0x230, (uint32_t)d);
	gvt_gpu_schedule(e->gpu);
}

/* the scripted GPU finishes what runs */
static void complete(struct env *e)
{
	struct fctx *c = e->running;

	assert_non_null(c);
	e->running = NULL;
	gvt_gpu_ctx_done(e->gpu, c->cookie, 0);
	gvt_gpu_schedule(e->gpu);
}

static struct gvt_vgpu_mediation_stats med(struct env *e)
{
	struct gvt_vgpu_mediation_stats st;

	gvt_vgpu_get_mediation_stats(e->v, &st);
	assert_int_equal(st.total_ns, st.prepare_ns + st.scan_ns + st.sync_ns + st.submit_ns);
	return st;
}

static const uint32_t bb_start[4] = { MI_BB_START_PPGTT, VA_BATCH, 0, MI_NOOP };

static void test_traps_counted_per_entry_point(void **state)
{
	struct env *e = *state;
	struct gvt_vgpu_mediation_stats a, b;
	uint32_t v32;
	uint8_t buf[64];

	a = med(e);
	(void)cfg32(e->v, 0);
	(void)cfg32(e->v, 8);
	cfgw16(e->v, 0x04, 0x0006);
	(void)rd32(e->v, 0x78000);
	(void)rd32(e->v, 0x44300);
	(void)rd64(e->v, 0x78040);		/* one 8-byte access is one trap */
	wr32(e->v, 0x44304, ~0u);
	(void)rd32(e->v, 0x300000);		/* unmapped BAR0: still a trap */
	map(e, 0x30000, GPA_PDATA2, 3);		/* three 8-byte GGTT writes */
	assert_int_equal(gvt_vgpu_mmio_read(e->v, 0, GVT_GGTT_OFFSET + 8, &v32, 4), 0);
	assert_int_equal(gvt_vgpu_mmio_read(e->v, 2, 0, buf, sizeof(buf)), 0);
	assert_int_equal(gvt_vgpu_mmio_write(e->v, 2, 64, buf, sizeof(buf)), 0);
	assert_int_equal(gvt_vgpu_mmio_write(e->v, 2, 128, buf, 4), 0);
	b = med(e);
	assert_int_equal(b.cfg_reads - a.cfg_reads, 2);
	assert_int_equal(b.cfg_writes - a.cfg_writes, 1);
	assert_int_equal(b.reg_reads - a.reg_reads, 4);
	assert_int_equal(b.reg_writes - a.reg_writes, 1);
	assert_int_equal(b.ggtt_writes - a.ggtt_writes, 3);
	assert_int_equal(b.ggtt_reads - a.ggtt_reads, 1);
	assert_int_equal(b.aperture_reads - a.aperture_reads, 1);
	assert_int_equal(b.aperture_writes - a.aperture_writes, 2);
	/* no GPU work yet: no time, no shadow PPGTT */
	assert_int_equal(b.workloads, 0);
	assert_int_equal(b.total_ns, 0);
	assert_int_equal(b.sppt_syncs, 0);
	assert_int_equal(b.sppt_guest_pages, 0);
}

static void test_phase_times_follow_the_work(void **state)
{
	struct env *e = *state;
	struct gvt_vgpu_mediation_stats a, b, c;
	struct gvt_vgpu_exec_stats x;
	unsigned int allocs;

	/* first submission: the PPGTT gets shadowed (4 tables), the host context created */
	submit(e, bb_start);
	assert_int_equal(e->submits, 1);
	a = med(e);
	assert_int_equal(a.workloads, 1);
	assert_int_equal(a.submit_ns, CREATE_NS + SUBMIT_NS);
	assert_true(a.prepare_ns >= 2 * READ_NS);	/* context image, ring copy */
	assert_true(a.scan_ns >= 2 * READ_NS);		/* PPGTT walk to the batch, batch */
	assert_true(a.sync_ns >= 4 * ALLOC_NS + 4 * READ_NS);
	assert_true(a.sync_ns < 4 * ALLOC_NS + SUBMIT_NS);
	assert_int_equal(a.sppt_syncs, 1);
	assert_int_equal(a.sppt_guest_pages, 4);
	assert_int_equal(a.sppt_pins, 2);		/* the two pages the PT maps */
	assert_true(a.sppt_shadow_pages >= 4);
	complete(e);

	/* second: nothing to shadow; the sync compares the 4 guest pages */
	allocs = e->allocs;
	submit(e, bb_start);
	b = med(e);
	assert_int_equal(b.workloads, 2);
	assert_int_equal(b.submit_ns - a.submit_ns, SUBMIT_NS);
	assert_int_equal(b.sync_pages_checked - a.sync_pages_checked, 4);
	assert_int_equal(b.sppt_syncs, 2);
	assert_int_equal(b.sppt_resyncs, a.sppt_resyncs);
	assert_int_equal(e->allocs, allocs);
	assert_true(b.sync_ns - a.sync_ns >= 4 * READ_NS);
	assert_true(b.sync_ns - a.sync_ns < ALLOC_NS);
	complete(e);

	/* the guest maps a new page: the sync finds one changed table */
	*g64(e, GPA_PT + 16) = GPA_PDATA2 | 3;
	submit(e, bb_start);
	c = med(e);
	assert_int_equal(c.workloads, 3);
	assert_int_equal(c.sppt_resyncs - b.sppt_resyncs, 1);
	assert_true(c.sppt_entries_synced > b.sppt_entries_synced);
	assert_int_equal(c.sync_pages_checked - b.sync_pages_checked, 4);
	complete(e);

	/* the exec stats carry the same sums */
	gvt_vgpu_get_exec_stats(e->v, &x);
	assert_int_equal(x.workloads, c.workloads);
	assert_int_equal(x.total_ns, c.total_ns);
	assert_int_equal(x.sync_pages_checked, c.sync_pages_checked);
}

static void test_refused_workload_adds_no_time(void **state)
{
	struct env *e = *state;
	struct gvt_vgpu_mediation_stats a, b;
	/* an LRI to RING_HEAD from the ring: the scanner refuses it */
	static const uint32_t bad[4] = { MI_LRI_1, RCS + 0x34, 0, MI_NOOP };
	uint64_t t0;

	submit(e, bb_start);
	complete(e);
	a = med(e);
	t0 = e->hyp->now;
	submit(e, bad);
	b = med(e);
	assert_true(e->hyp->now > t0);		/* the model did read the context */
	assert_int_equal(e->submits, 1);
	assert_int_equal(b.workloads, a.workloads);
	assert_int_equal(b.total_ns, a.total_ns);
	assert_int_equal(b.prepare_ns, a.prepare_ns);
	assert_int_equal(b.scan_ns, a.scan_ns);
	assert_int_equal(fake_vgpu_stats(e->v).failsafe, GVT_FAILSAFE_BAD_COMMAND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_traps_counted_per_entry_point, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phase_times_follow_the_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_workload_adds_no_time, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
