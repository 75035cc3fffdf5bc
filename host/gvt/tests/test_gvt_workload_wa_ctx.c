// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RCS indirect-context (workaround) batch of a guest context, end to
 * end: a guest image whose INDIRECT_CTX names a batch in its GGTT range;
 * gvt scans it, runs it from a host copy whose address the physical
 * context's INDIRECT_CTX names, and the softgpu behind hostdrv runs it at
 * the context restore, before the ring.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gvt_test_sgpu.h"

#define RAM_SIZE	(16ull << 20)

/* guest-physical layout */
#define GPA_RING	0x100000ull	/* 4 pages */
#define GPA_CTX		0x110000ull	/* PPHWSP + register state */
#define GPA_HWSP	0x120000ull
#define GPA_DATA	0x130000ull
#define GPA_WA		0x140000ull
#define GPA_PML4	0x150000ull

/* GM offsets inside the vGPU's aperture range */
#define GM_RING		0x0000
#define GM_CTX		0x10000
#define GM_HWSP		0x20000
#define GM_DATA		0x30000
#define GM_WA		0x40000

#define RING_SIZE	SGENV_RING_SIZE	/* the helper's ring emit wraps there */
#define RCS_BASE	0x2000u
#define BCS_BASE	0x22000u

#define MI_NOOP			0x00000000u
#define MI_ARB_ON_OFF		0x04000000u
#define MI_SDI_GGTT		0x10400002u	/* MI_STORE_DWORD_IMM | USE_GGTT */
#define MI_LRI(n)		(0x11000000u | (2u * (n) - 1))
#define MI_BB_START_GGTT	0x18800001u

/* register-state dwords of the guest image (gen9) */
#define CTX_CTRL		0x03
#define CTX_BB_PER_CTX_PTR	0x19
#define CTX_INDIRECT_CTX	0x1b
#define CTX_INDIRECT_CTX_OFFSET	0x1d
#define INDIRECT_CTX_OFFSET_I915 (0x26u << 6)	/* gen9 default, i915 */

#define L3SQCREG4	0xb118u		/* loaded by i915's WA batch; whitelisted */

/* the last submission as the host got it, and the physical image after it (e->priv) */
struct wa_sub {
	uint64_t wa_gm;
	uint32_t wa_bytes, wa_offset;
	uint32_t phys_indirect, phys_offset, phys_per_ctx;
	/* called between the scan and the host's submission (a racing guest) */
	void (*on_submit)(struct sgenv *e);
};

static struct wa_sub *sub_of(struct sgenv *e)
{
	return e->priv;
}

/* ---- host: the hostdrv adapter, watched ---- */

static int t_ctx_submit(struct sgenv *e, void *hctx, const struct gvt_host_submit *s)
{
	struct wa_sub *w = sub_of(e);
	uint32_t *r;
	int ret;

	w->wa_gm = s->wa_ctx_gm;
	w->wa_bytes = s->wa_ctx_bytes;
	w->wa_offset = s->wa_ctx_offset;
	if (w->on_submit)
		w->on_submit(e);
	ret = e->hd_ops.ctx_submit(e, hctx, s);
	r = hdrv_ctx_regs(hctx);
	w->phys_indirect = r[CTX_INDIRECT_CTX];
	w->phys_offset = r[CTX_INDIRECT_CTX_OFFSET];
	w->phys_per_ctx = r[CTX_BB_PER_CTX_PTR];
	return ret;
}

/* ---- the guest driver ---- */

static uint32_t *ctx_regs(struct sgenv_vm *m)
{
	return g32(m, GPA_CTX + 4096);
}

/* the HWSP page: RCS in its first half, BCS in its second */
static void guest_init_engine(struct sgenv_vm *m, uint32_t base)
{
	uint64_t off = base == RCS_BASE ? 0 : 0x800;

	sgenv_guest_engine_init(m, base, GM_HWSP + off, GPA_HWSP + off);
}

static void guest_boot(struct sgenv_vm *m)
{
	sgenv_guest_boot(m);
	sgenv_ggtt_map(m, GM_RING, GPA_RING, 4);
	sgenv_ggtt_map(m, GM_CTX, GPA_CTX, 2);
	sgenv_ggtt_map(m, GM_HWSP, GPA_HWSP, 1);
	sgenv_ggtt_map(m, GM_DATA, GPA_DATA, 1);
	sgenv_ggtt_map(m, GM_WA, GPA_WA, 1);
	guest_init_engine(m, RCS_BASE);
	guest_init_engine(m, BCS_BASE);
}

/* a context with an empty ring and no PPGTT tables (a PML4 of nothing) */
static void guest_ctx_init(struct sgenv_vm *m)
{
	uint32_t *r = ctx_regs(m);

	memset(r, 0, 4096);
	r[0x09] = (uint32_t)(m->gm + GM_RING);	/* RING_START */
	r[0x0b] = (RING_SIZE - 4096) | 1;	/* RING_CTL */
	r[0x33] = (uint32_t)GPA_PML4;		/* PDP0 = PML4 */
	m->tail[0] = 0;
}

/* the workaround batch at GM_WA: @n dwords, NOOP-padded to @lines lines */
static void guest_wa(struct sgenv_vm *m, const uint32_t *dw, unsigned int n, unsigned int lines)
{
	uint32_t *p = g32(m, GPA_WA);

	for (unsigned int i = 0; i < lines * 16; i++)
		p[i] = i < n ? dw[i] : MI_NOOP;
	ctx_regs(m)[CTX_INDIRECT_CTX] = (uint32_t)(m->gm + GM_WA) | lines;
	ctx_regs(m)[CTX_INDIRECT_CTX_OFFSET] = INDIRECT_CTX_OFFSET_I915;
}

static void guest_emit(struct sgenv_vm *m, const uint32_t *dw, unsigned int n)
{
	sgenv_guest_emit(m, 0, GPA_RING, GPA_CTX + 4096, dw, n);
}

static void guest_elsp(struct sgenv_vm *m, uint32_t base)
{
	m->elsps++;
	/* legacy 64-bit (PML4), privileged, valid; ccid 0x20 */
	uint64_t d0 = 0x20ull << 32 | (m->gm + GM_CTX) | 3u << 3 | 1u << 8 | 1;

	sgenv_guest_elsp(m, base, d0, 0);
}

/* ---- environment ---- */

static int setup(void **state)
{
	struct sgenv_config c = { .ram_size = RAM_SIZE, .nvms = 2, .ctx_submit = t_ctx_submit,
				  .boot = guest_boot, .priv_size = sizeof(struct wa_sub) };

	*state = sgenv_new(&c);
	return 0;
}

static int teardown(void **state)
{
	return sgenv_teardown_gm_checked(state);
}

/*
 * Every element @m submitted completed (its execlist then is empty) or failed
 * (the engine stays hung for the guest to reset).
 */
static bool list_done(struct sgenv_vm *m, uint32_t base)
{
	struct gvt_vgpu_exec_stats st;

	gvt_vgpu_get_exec_stats(m->v, &st);
	if (st.completed + st.failed < m->elsps)
		return false;
	return st.failed || (rd32(m->v, base + 0x234) & (1u << 4)) == 0;
}

struct run_wait {
	struct sgenv_vm *a, *b;
	uint32_t base;
};

static bool lists_done(struct sgenv *e, void *arg)
{
	struct run_wait *w = arg;

	(void)e;
	return (!w->a || list_done(w->a, w->base)) && (!w->b || list_done(w->b, w->base));
}

/* run the host until every listed VM's execlist drained, ~10 s at most */
static void run(struct sgenv *e, struct sgenv_vm *a, struct sgenv_vm *b, uint32_t base)
{
	struct run_wait w = { a, b, base };

	assert_true(sgenv_run_until(e, false, lists_done, &w) >= 0);
}

static struct gvt_vgpu_exec_stats exec_stats(struct sgenv_vm *m)
{
	struct gvt_vgpu_exec_stats st;

	gvt_vgpu_get_exec_stats(m->v, &st);
	return st;
}

static unsigned int failsafe_of(struct sgenv_vm *m)
{
	struct gvt_vgpu_stats vs;

	gvt_vgpu_get_stats(m->v, &vs);
	return vs.failsafe;
}

/* the host copy lies outside every vGPU's GM */
static bool outside_vgpus(struct sgenv *e, uint64_t gm, uint64_t len)
{
	for (unsigned int i = 0; i < 2; i++) {
		const struct sgenv_vm *m = &e->vm[i];

		if (gm < m->gm + m->gm_size && m->gm < gm + len)
			return false;
		if (gm < m->hgm + m->hgm_size && m->hgm < gm + len)
			return false;
	}
	return true;
}

/* ---- tests ---- */

static void guest_rewrites_wa(struct sgenv *e)
{
	uint32_t *p = g32(&e->vm[0], GPA_WA);

	/* after the scan: a store into the other VM and a ring register */
	p[1] = MI_SDI_GGTT;
	p[2] = (uint32_t)(e->vm[1].gm + GM_DATA);
	p[3] = 0;
	p[4] = 0xEEEEEEEE;
	p[6] = RCS_BASE + 0x30;
	p[7] = 0xEEEEEEEE;
}

static void test_wa_batch_runs_from_host_copy(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	const uint32_t wa[] = {
		MI_ARB_ON_OFF,
		MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x80), 0, 0x3A000001,
		MI_LRI(1), L3SQCREG4, 0x12345678,
		MI_ARB_ON_OFF | 1,
	};
	const uint32_t ring[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 0x600D };
	struct gvt_vgpu_exec_stats st;

	guest_ctx_init(m);
	guest_wa(m, wa, 9, 1);
	guest_emit(m, ring, 4);
	sub_of(e)->on_submit = guest_rewrites_wa;
	guest_elsp(m, RCS_BASE);
	run(e, m, NULL, RCS_BASE);
	st = exec_stats(m);
	assert_int_equal(st.completed, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.shadow_wa_ctxs, 1);
	/* what was scanned ran, not what the guest wrote afterwards */
	assert_int_equal(*g32(m, GPA_DATA + 0x80), 0x3A000001);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 0x600D);
	assert_int_equal(hdrv_mmio_read(e->hd, L3SQCREG4), 0x12345678);
	assert_int_equal(*g32(&e->vm[1], GPA_DATA), 0);
	assert_int_equal(failsafe_of(m), 0);
	/* the physical context named the host copy, one line, the guest's offset */
	assert_int_equal(sub_of(e)->wa_bytes, 64);
	assert_int_equal(sub_of(e)->wa_gm & 63, 0);
	assert_true(sub_of(e)->wa_gm + 64 <= (4ull << 30));
	assert_true(outside_vgpus(e, sub_of(e)->wa_gm, 64));
	assert_int_equal(sub_of(e)->phys_indirect, (uint32_t)sub_of(e)->wa_gm | 1);
	assert_int_equal(sub_of(e)->phys_offset, INDIRECT_CTX_OFFSET_I915);
	assert_int_equal(sub_of(e)->wa_offset, INDIRECT_CTX_OFFSET_I915);
	assert_int_equal(sub_of(e)->phys_per_ctx, 0);
	/* the guest image keeps its own pointer */
	assert_int_equal(ctx_regs(m)[CTX_INDIRECT_CTX], (uint32_t)(m->gm + GM_WA) | 1);
	assert_int_equal(e->gm_live, 0);	/* the copy went with the workload */
}

/*
 * i915's gen9_init_indirectctx_bb, three lines: clean, and it runs (an LRI
 * first gives the register a known value whoever owned the engine before).
 */
static void test_wa_batch_i915_shape(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	uint32_t scratch = (uint32_t)(m->gm + GM_DATA + 0x100);
	const uint32_t wa[] = {
		MI_LRI(1), L3SQCREG4, 0x777,
		MI_ARB_ON_OFF,
		0x12400002u, L3SQCREG4, scratch, 0,		/* SRM, GGTT */
		MI_LRI(1), L3SQCREG4, 0x40000000u,
		0x7a000004u, (1u << 20) | (1u << 5), 0, 0, 0, 0,	/* PIPE_CONTROL CS stall, DC flush */
		0x14c00002u, L3SQCREG4, scratch, 0,		/* LRM, GGTT */
		/* PIPE_CONTROL: L3 flush, store-data-index QW into the PPHWSP 0xd0 */
		0x7a000004u, (1u << 27) | (1u << 21) | (1u << 20) | (1u << 14), 0xd0, 0, 0, 0,
		MI_LRI(3), 0x7014u, 0x00010001u, 0x2088u, 0x00020002u, 0x2090u, 0x40004000u,
		MI_ARB_ON_OFF | 1,
	};
	const uint32_t ring[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 0x600D };
	struct gvt_vgpu_exec_stats st;

	assert_int_equal(sizeof(wa) / 4, 35);
	guest_ctx_init(m);
	guest_wa(m, wa, 35, 3);
	guest_emit(m, ring, 4);
	guest_elsp(m, RCS_BASE);
	run(e, m, NULL, RCS_BASE);
	st = exec_stats(m);
	assert_int_equal(st.completed, 1);
	assert_int_equal(st.scan_rejects, 0);
	assert_int_equal(st.shadow_wa_ctxs, 1);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 0x600D);
	/* saved to the guest's scratch, then restored from it */
	assert_int_equal(*g32(m, GPA_DATA + 0x100), 0x777);
	assert_int_equal(hdrv_mmio_read(e->hd, L3SQCREG4), 0x777);
	assert_int_equal(sub_of(e)->phys_indirect, (uint32_t)sub_of(e)->wa_gm | 3);
}

static void test_wa_forbidden_lri_fails_only_that_vgpu(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m0 = &e->vm[0], *m1 = &e->vm[1];
	const uint32_t bad[] = { MI_LRI(1), RCS_BASE + 0x30, 0 };	/* RING_TAIL */
	const uint32_t r0[] = { MI_SDI_GGTT, (uint32_t)(m0->gm + GM_DATA + 0x40), 0, 0xBAD };
	const uint32_t good[] = { MI_SDI_GGTT, (uint32_t)(m1->gm + GM_DATA + 0x80), 0, 0x600D };
	const uint32_t r1[] = { MI_SDI_GGTT, (uint32_t)(m1->gm + GM_DATA + 0x40), 0, 0x600E };
	struct gvt_vgpu_exec_stats st;

	guest_ctx_init(m0);
	guest_wa(m0, bad, 3, 1);
	guest_emit(m0, r0, 4);
	guest_ctx_init(m1);
	guest_wa(m1, good, 4, 1);
	guest_emit(m1, r1, 4);
	guest_elsp(m0, RCS_BASE);
	guest_elsp(m1, RCS_BASE);
	run(e, m0, m1, RCS_BASE);
	st = exec_stats(m0);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.workloads, 0);
	assert_int_equal(st.scan_rejects, 1);
	assert_int_equal(st.shadow_wa_ctxs, 0);
	assert_int_equal(failsafe_of(m0), GVT_FAILSAFE_BAD_COMMAND);
	assert_int_equal(*g32(m0, GPA_DATA + 0x40), 0);	/* nothing of it ran */
	/* the other vGPU runs its own batch */
	st = exec_stats(m1);
	assert_int_equal(st.completed, 1);
	assert_int_equal(st.shadow_wa_ctxs, 1);
	assert_int_equal(failsafe_of(m1), 0);
	assert_int_equal(*g32(m1, GPA_DATA + 0x80), 0x600D);
	assert_int_equal(*g32(m1, GPA_DATA + 0x40), 0x600E);
	assert_int_equal(e->submits, 1);
	assert_int_equal(e->gm_live, 0);
}

/* INDIRECT_CTX naming GM the vGPU does not own: refused before anything is read */
static void wa_outside(struct sgenv *e, struct sgenv_vm *m, uint32_t indirect)
{
	const uint32_t ring[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 0xBAD };
	struct gvt_vgpu_exec_stats st;
	unsigned int submits = e->submits;

	guest_ctx_init(m);
	ctx_regs(m)[CTX_INDIRECT_CTX] = indirect;
	guest_emit(m, ring, 4);
	guest_elsp(m, RCS_BASE);
	run(e, m, NULL, RCS_BASE);
	st = exec_stats(m);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.scan_rejects, 1);
	assert_int_equal(failsafe_of(m), GVT_FAILSAFE_BAD_COMMAND);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 0);
	assert_int_equal(e->submits, submits);
	assert_int_equal(e->gm_live, 0);
}

static void test_wa_outside_vgpu_refused(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m0 = &e->vm[0], *m1 = &e->vm[1];
	/* the other VM's batch page, fully formed */
	const uint32_t other[] = { MI_SDI_GGTT, (uint32_t)(m1->gm + GM_DATA), 0, 0x0 };

	memcpy(g32(m1, GPA_WA), other, sizeof(other));
	wa_outside(e, m0, (uint32_t)(m1->gm + GM_WA) | 1);
	/* the host's own part of the GGTT (its bottom) */
	wa_outside(e, m1, 0x1000 | 4);
	assert_int_equal(failsafe_of(m0), GVT_FAILSAFE_BAD_COMMAND);
}

static void test_wa_straddling_range_end_refused(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];

	wa_outside(e, m, (uint32_t)(m->gm + m->gm_size - 64) | 2);
	assert_int_equal(failsafe_of(&e->vm[1]), 0);
}

/*
 * Many workloads, with and without a batch: one copy per workload, freed
 * when it retires; a context without one gets INDIRECT_CTX 0 (the last
 * copy is gone and must never run again).
 */
static void test_wa_copies_balanced_over_many_workloads(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	struct gvt_vgpu_exec_stats st;
	unsigned int i, with = 0;

	guest_ctx_init(m);
	for (i = 0; i < 120; i++) {
		const uint32_t wa[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x80), 0, 0x1000 + i };
		const uint32_t ring[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, i + 1 };
		bool has = i % 3 != 1;

		*g32(m, GPA_DATA + 0x80) = 0;
		if (has) {
			guest_wa(m, wa, 4, 1 + i % 4);
			with++;
		} else {
			ctx_regs(m)[CTX_INDIRECT_CTX] = 0;
		}
		guest_emit(m, ring, 4);
		guest_elsp(m, RCS_BASE);
		run(e, m, NULL, RCS_BASE);
		assert_int_equal(*g32(m, GPA_DATA + 0x40), i + 1);
		assert_int_equal(*g32(m, GPA_DATA + 0x80), has ? 0x1000 + i : 0);
		assert_int_equal(sub_of(e)->phys_indirect, has ? (uint32_t)sub_of(e)->wa_gm | (1 + i % 4) : 0);
		assert_int_equal(e->gm_live, 0);
	}
	st = exec_stats(m);
	assert_int_equal(st.completed, 120);
	assert_int_equal(st.shadow_wa_ctxs, with);
	assert_int_equal(st.failed, 0);
}

/* BB_PER_CTX_PTR valid: not supported, the workload is refused (no failsafe) */
static void test_wa_per_ctx_bb_refused(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	const uint32_t wa[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x80), 0, 1 };
	const uint32_t ring[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 2 };
	struct gvt_vgpu_exec_stats st;

	guest_ctx_init(m);
	guest_wa(m, wa, 4, 1);
	g32(m, GPA_WA)[0x200] = 0x05000000u;	/* MI_BATCH_BUFFER_END */
	ctx_regs(m)[CTX_BB_PER_CTX_PTR] = (uint32_t)(m->gm + GM_WA + 0x800) | 1;
	guest_emit(m, ring, 4);
	guest_elsp(m, RCS_BASE);
	run(e, m, NULL, RCS_BASE);
	st = exec_stats(m);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.workloads, 0);
	assert_int_equal(st.scan_rejects, 0);
	assert_int_equal(failsafe_of(m), 0);
	assert_int_equal(e->submits, 0);
	assert_int_equal(*g32(m, GPA_DATA + 0x80), 0);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 0);
}

/* restore-inhibit (a first load): the pointer is taken from the image anyway */
static void test_wa_runs_with_restore_inhibit(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	const uint32_t wa[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x80), 0, 0x1A1A };
	const uint32_t ring[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 3 };

	guest_ctx_init(m);
	ctx_regs(m)[CTX_CTRL] = 0x00090009;	/* masked: RESTORE_INHIBIT | INHIBIT_SYN_CTX_SWITCH */
	guest_wa(m, wa, 4, 1);
	guest_emit(m, ring, 4);
	guest_elsp(m, RCS_BASE);
	run(e, m, NULL, RCS_BASE);
	assert_int_equal(exec_stats(m).completed, 1);
	assert_int_equal(*g32(m, GPA_DATA + 0x80), 0x1A1A);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 3);
}

/* the other engines have no indirect context: whatever the image holds is ignored */
static void test_wa_ignored_on_blitter(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *m = &e->vm[0];
	const uint32_t ring[] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM_DATA + 0x40), 0, 4 };
	struct gvt_vgpu_exec_stats st;

	guest_ctx_init(m);
	ctx_regs(m)[CTX_INDIRECT_CTX] = 0x1000 | 1;	/* outside: would be refused on RCS */
	ctx_regs(m)[CTX_BB_PER_CTX_PTR] = 0x2000 | 1;
	guest_emit(m, ring, 4);
	guest_elsp(m, BCS_BASE);
	run(e, m, NULL, BCS_BASE);
	st = exec_stats(m);
	assert_int_equal(st.completed, 1);
	assert_int_equal(st.shadow_wa_ctxs, 0);
	assert_int_equal(*g32(m, GPA_DATA + 0x40), 4);
	assert_int_equal(sub_of(e)->wa_bytes, 0);
	assert_int_equal(sub_of(e)->phys_indirect, 0);
	assert_int_equal(failsafe_of(m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wa_batch_runs_from_host_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wa_batch_i915_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wa_forbidden_lri_fails_only_that_vgpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wa_outside_vgpu_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wa_straddling_range_end_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wa_copies_balanced_over_many_workloads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wa_per_ctx_bb_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wa_runs_with_restore_inhibit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wa_ignored_on_blitter, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
