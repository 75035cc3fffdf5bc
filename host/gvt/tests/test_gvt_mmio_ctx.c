// SPDX-License-Identifier: GPL-2.0-only
/*
 * Engine register state switched between vGPU owners (gvt_mmio_ctx.c), end
 * to end: two guests program the same registers differently and their
 * workloads, interleaved on a real softgpu behind hostdrv, read the
 * physical registers back with MI_STORE_REGISTER_MEM (or blit with them)
 * and must see only their own values.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gvt_test_sgpu.h"
#include "gvt_exec.h"
#include "gvt_mmio_ctx.h"

#define RAM_SIZE	(8ull << 20)

/* guest-physical layout; GGTT: GM offset = GPA - GPA_BASE, linear */
#define GPA_BASE	0x100000ull
#define GPA_RING(e)	(GPA_BASE + 0x4000ull * (e))	/* 4 pages each, RCS and BCS */
#define GPA_CTX(e)	(0x110000ull + 0x2000ull * (e))	/* PPHWSP + register state */
#define GPA_HWSP(e)	(0x120000ull + 0x1000ull * (e))
#define GPA_DATA	0x130000ull	/* results */
#define GPA_SRC		0x140000ull	/* blit source (linear) */
#define GPA_DST		0x150000ull	/* blit destination: one tile */
#define GPA_END		0x160000ull
#define GPA_PML4	0x170000ull	/* empty 4-level PPGTT */
#define GM(gpa)		((gpa) - GPA_BASE)

#define RING_SIZE	SGENV_RING_SIZE	/* the helper's ring emit wraps there */
#define RCS		0u	/* index of the test's engines: RCS, BCS */
#define BCS		1u

#define MI_NOOP			0x00000000u
#define MI_SDI_GGTT		0x10400002u
#define MI_SRM_GGTT		0x12400002u
#define MI_LRI(n)		(0x11000000u | (2u * (n) - 1))
#define XY_SRC_COPY_DST_TILED	(0x54f00008u | 1u << 11)

/* switched registers the tests use */
#define R_HDC_CHICKEN0	0x7300u		/* masked, LRI-able */
#define R_MOCS_RCS(i)	(0xc800u + 4 * (i))
#define R_L3CC(i)	(0xb020u + 4 * (i))
#define R_GPR0		0x2600u
#define R_BCS_SWCTRL	0x22200u	/* masked: bit 1 = destination Y-tiled */
#define R_MOCS_BCS(i)	(0xcc00u + 4 * (i))

static const uint32_t engine_base[2] = { 0x2000u, 0x22000u };

/* ---- guest driver ---- */

static void guest_engine_init(struct sgenv_vm *m, unsigned int i)
{
	uint32_t *r = g32(m, GPA_CTX(i) + 4096);

	sgenv_guest_engine_init(m, engine_base[i], GM(GPA_HWSP(i)), GPA_HWSP(i));
	memset(r, 0, 4096);
	r[0x09] = (uint32_t)(m->gm + GM(GPA_RING(i)));	/* RING_START */
	r[0x0b] = (RING_SIZE - 4096) | 1;		/* RING_CTL */
	r[0x31] = 0;
	r[0x33] = (uint32_t)GPA_PML4;			/* PML4: empty */
}

static void guest_boot(struct sgenv_vm *m)
{
	sgenv_guest_boot(m);
	sgenv_ggtt_map(m, GM(GPA_BASE), GPA_BASE, (GPA_END - GPA_BASE) >> 12);
	guest_engine_init(m, RCS);
	guest_engine_init(m, BCS);
}

static struct sgenv *env_new(bool host_mmio, bool threaded)
{
	struct sgenv_config c = { .ram_size = RAM_SIZE, .nvms = 2, .threaded = threaded,
				  .no_host_mmio = !host_mmio, .boot = guest_boot };

	return sgenv_new(&c);
}

static int setup(void **state)
{
	*state = env_new(true, false);
	return 0;
}

static int setup_no_host_mmio(void **state)
{
	*state = env_new(false, false);
	return 0;
}

/* softgpu engines on their own threads, hostdrv on the interrupt line */
static int setup_threaded(void **state)
{
	*state = env_new(true, true);
	return 0;
}

static int teardown(void **state)
{
	sgenv_free(*state);
	return 0;
}

struct wl_wait {
	struct sgenv_vm *m;
	unsigned int i;
	uint32_t seq;
};

static bool wl_done(struct sgenv *e, void *arg)
{
	struct wl_wait *w = arg;

	(void)e;
	return *g32(w->m, GPA_DATA + 0xffc - 4 * w->i) == w->seq &&
	       (rd32(w->m->v, engine_base[w->i] + 0x234) & (1u << 4)) == 0;
}

/*
 * One workload of @m on engine @i: @cmd, then a store of a sequence number
 * the test waits for. Runs the host (polls, scheduler) until it completed.
 */
static void run_wl(struct sgenv *e, struct sgenv_vm *m, unsigned int i, const uint32_t *cmd,
		   unsigned int n)
{
	uint32_t dw[64];
	struct wl_wait w = { .m = m, .i = i, .seq = ++m->seq };
	uint32_t mark[4] = { MI_SDI_GGTT, (uint32_t)(m->gm + GM(GPA_DATA) + 0xffc - 4 * i), 0,
			     w.seq };
	uint64_t d = (uint64_t)(0x20 + i) << 32 | (m->gm + GM(GPA_CTX(i))) | 3 << 3 | 1u << 8 | 1;

	assert_true(n + 4 <= 64);
	for (unsigned int k = 0; k < n + 4; k++)
		dw[k] = k < n ? cmd[k] : mark[k - n];
	sgenv_guest_emit(m, i, GPA_RING(i), GPA_CTX(i) + 4096, dw, n + 4);
	sgenv_guest_elsp(m, engine_base[i], d, 0);
	if (sgenv_run_until(e, true, wl_done, &w) < 0)
		fail_msg("workload %u on engine %u did not complete", w.seq, i);
}

/* SRM of @n registers into the result page at @slot.., one workload */
static void read_regs(struct sgenv *e, struct sgenv_vm *m, unsigned int i, const uint32_t *regs,
		      unsigned int n, uint32_t *out)
{
	uint32_t cmd[4 * 8] = { 0 };

	assert_true(n <= 8);
	for (unsigned int k = 0; k < n; k++) {
		cmd[4 * k] = MI_SRM_GGTT;
		cmd[4 * k + 1] = regs[k];
		cmd[4 * k + 2] = (uint32_t)(m->gm + GM(GPA_DATA) + 4 * k);
		cmd[4 * k + 3] = 0;
		*g32(m, GPA_DATA + 4 * k) = 0xdeadbeef;
	}
	run_wl(e, m, i, cmd, 4 * n);
	for (unsigned int k = 0; k < n; k++)
		out[k] = *g32(m, GPA_DATA + 4 * k);
}

static uint64_t reg_loads(struct sgenv_vm *m)
{
	struct gvt_vgpu_exec_stats st;

	gvt_vgpu_get_exec_stats(m->v, &st);
	return st.engine_reg_loads;
}

/* ---- tests ---- */

/*
 * Guest MMIO values per vGPU, alternating A, B, A on RCS and BCS: each
 * workload sees its own chicken bits, MOCS and L3CC entries, BCS_SWCTRL.
 */
static void test_mmio_values_follow_the_owner(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];
	static const uint32_t rregs[] = { R_HDC_CHICKEN0, R_MOCS_RCS(0), R_MOCS_RCS(63),
					  R_L3CC(0) };
	static const uint32_t bregs[] = { R_BCS_SWCTRL, R_MOCS_BCS(0) };
	uint32_t out[4];

	/* masked: write-enable bits 31:16 select the bits written */
	wr32(a->v, R_HDC_CHICKEN0, 0xffff00a1);
	wr32(b->v, R_HDC_CHICKEN0, 0xffff00b2);
	wr32(a->v, R_MOCS_RCS(0), 0x0000a00a);
	wr32(b->v, R_MOCS_RCS(0), 0x0000b00b);
	wr32(a->v, R_MOCS_RCS(63), 0x3a);
	wr32(b->v, R_L3CC(0), 0x00300030);
	wr32(a->v, R_BCS_SWCTRL, 0x00030003);	/* source and destination Y */
	wr32(b->v, R_BCS_SWCTRL, 0x00030000);	/* both X (the reset value) */
	wr32(a->v, R_MOCS_BCS(0), 0xa5);
	wr32(b->v, R_MOCS_BCS(0), 0xb5);

	for (int round = 0; round < 3; round++) {
		struct sgenv_vm *m = round == 1 ? b : a;
		bool is_a = m == a;

		read_regs(e, m, RCS, rregs, 4, out);
		/* softgpu keeps the masked chicken registers as plain storage: low 16 bits */
		assert_int_equal(out[0] & 0xffff, is_a ? 0xa1 : 0xb2);
		assert_int_equal(out[1], is_a ? 0xa00a : 0xb00b);
		assert_int_equal(out[2], is_a ? 0x3a : 0);
		assert_int_equal(out[3], is_a ? 0 : 0x00300030);
		read_regs(e, m, BCS, bregs, 2, out);
		assert_int_equal(out[0], is_a ? 3 : 0);
		assert_int_equal(out[1], is_a ? 0xa5 : 0xb5);
	}
	/*
	 * Written only where the physical value differs: A's first loads
	 * (chicken, MOCS 0 and 63; BCS_SWCTRL, BCS MOCS 0), then B's (the same
	 * and its L3CC entry; its zeros over A's MOCS 63 and BCS_SWCTRL), then
	 * A's again (its zero over B's L3CC entry).
	 */
	assert_int_equal(reg_loads(a), 5 + 6);
	assert_int_equal(reg_loads(b), 6);
	assert_ptr_equal(gvt_mmio_ctx_owner(e->gpu, GVT_ENGINE_RCS), a->v);
	assert_ptr_equal(gvt_mmio_ctx_owner(e->gpu, GVT_ENGINE_BCS), a->v);
}

/* the owner's MMIO write between two of its own workloads reaches the GPU */
static void test_mmio_write_while_owner_reaches_gpu(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0];
	static const uint32_t regs[] = { R_MOCS_RCS(1), R_HDC_CHICKEN0 };
	uint32_t out[2];
	uint64_t l0;

	wr32(a->v, R_MOCS_RCS(1), 0x11);
	read_regs(e, a, RCS, regs, 2, out);
	assert_int_equal(out[0], 0x11);
	assert_ptr_equal(gvt_mmio_ctx_owner(e->gpu, GVT_ENGINE_RCS), a->v);
	l0 = reg_loads(a);
	/* still the owner: only the two registers written are loaded */
	wr32(a->v, R_MOCS_RCS(1), 0x22);
	wr32(a->v, R_HDC_CHICKEN0, 0x00040004);
	read_regs(e, a, RCS, regs, 2, out);
	assert_int_equal(out[0], 0x22);
	assert_int_equal(out[1] & 0xffff, 0x4);
	assert_int_equal(reg_loads(a) - l0, 2);
	/* nothing written: nothing loaded */
	read_regs(e, a, RCS, regs, 2, out);
	assert_int_equal(out[0], 0x22);
	assert_int_equal(reg_loads(a) - l0, 2);
}

/*
 * An owner change reads back only what a command may have changed: the
 * rest (MOCS, L3CC, most chicken registers) is known from the last load.
 * The very first load reads everything.
 */
static void test_switch_reads_back_command_registers_only(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];
	static const uint32_t rregs[] = { R_MOCS_RCS(0) };
	unsigned int r0, first, second, same;
	uint32_t out[1];

	wr32(a->v, R_MOCS_RCS(0), 0x1);
	r0 = e->mmio_reads;
	read_regs(e, a, RCS, rregs, 1, out);
	first = e->mmio_reads - r0;
	assert_int_equal(out[0], 0x1);
	r0 = e->mmio_reads;
	read_regs(e, b, RCS, rregs, 1, out);
	second = e->mmio_reads - r0;
	assert_int_equal(out[0], 0);	/* known to hold A's 1: written */
	r0 = e->mmio_reads;
	read_regs(e, b, RCS, rregs, 1, out);
	same = e->mmio_reads - r0;
	assert_int_equal(same, 0);
	if (getenv("GVT_TEST_VERBOSE"))
		fprintf(stderr, "register reads: first load %u, owner change %u\n", first, second);
	assert_true(second > 32);	/* the GPRs at least */
	assert_true(first >= second + 64 + 32);	/* MOCS and L3CC not read back */
}

/*
 * A guest LRI changes switched registers inside A's workload: B's next
 * workload sees B's values, A's following one what A loaded (saved into
 * A's vregs when B took the engine).
 */
static void test_lri_value_saved_on_switch_out(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];
	static const uint32_t rregs[] = { R_HDC_CHICKEN0, R_GPR0 };
	static const uint32_t bregs[] = { R_BCS_SWCTRL };
	uint32_t lri[] = { MI_LRI(2), R_HDC_CHICKEN0, 0x00ff00c3, R_GPR0, 0x5a5a0001 };
	uint32_t lri_b[] = { MI_LRI(1), R_BCS_SWCTRL, 0x00020002 };
	uint32_t out[2];

	wr32(b->v, R_HDC_CHICKEN0, 0xffff00b2);
	run_wl(e, a, RCS, lri, 5);
	run_wl(e, a, BCS, lri_b, 3);
	read_regs(e, a, RCS, rregs, 2, out);	/* same owner: LRI values stay */
	assert_int_equal(out[0] & 0xffff, 0xc3);
	assert_int_equal(out[1], 0x5a5a0001);

	read_regs(e, b, RCS, rregs, 2, out);
	assert_int_equal(out[0] & 0xffff, 0xb2);
	assert_int_equal(out[1], 0);	/* B never loaded GPR0 */
	read_regs(e, b, BCS, bregs, 1, out);
	assert_int_equal(out[0], 0);
	/* A's command-loaded values were saved into its vregs on switch-out */
	assert_int_equal(rd32(a->v, R_HDC_CHICKEN0), 0xc3);
	assert_int_equal(rd32(a->v, R_GPR0), 0x5a5a0001);
	assert_int_equal(rd32(a->v, R_BCS_SWCTRL), 2);

	read_regs(e, a, RCS, rregs, 2, out);
	assert_int_equal(out[0] & 0xffff, 0xc3);
	assert_int_equal(out[1], 0x5a5a0001);
	read_regs(e, a, BCS, bregs, 1, out);
	assert_int_equal(out[0], 2);
}

/* a guest MMIO write after an LRI, before the switch, wins over the LRI value */
static void test_mmio_write_newer_than_lri_kept(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];
	static const uint32_t rregs[] = { R_GPR0 };
	uint32_t lri[] = { MI_LRI(1), R_GPR0, 0x1111 };
	uint32_t out[1];

	run_wl(e, a, RCS, lri, 3);
	wr32(a->v, R_GPR0, 0x2222);
	read_regs(e, b, RCS, rregs, 1, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(rd32(a->v, R_GPR0), 0x2222);
	read_regs(e, a, RCS, rregs, 1, out);
	assert_int_equal(out[0], 0x2222);
}

/*
 * End to end: A selects Y-tiled blit destinations (BCS_SWCTRL), B does
 * not. The same XY_SRC_COPY_BLT (destination tiled) interleaved A, B, A
 * writes A's destination Y-tiled and B's X-tiled: byte 16 of row 0 lands
 * at offset 512 in a Y tile (16-byte columns of 32 rows), at 16 in an X tile.
 */
static void blit_once(struct sgenv *e, struct sgenv_vm *m)
{
	uint32_t *src = g32(m, GPA_SRC), *dst = g32(m, GPA_DST);
	uint32_t cmd[10] = {
		XY_SRC_COPY_DST_TILED,
		3u << 24 | 0xccu << 16 | 128,		/* 32 bpp, SRCCOPY, pitch 512 B */
		0, 1u << 16 | 8,			/* 8 x 1 pixels */
		(uint32_t)(m->gm + GM(GPA_DST)), 0,
		0, 64,					/* source pitch 64 B */
		(uint32_t)(m->gm + GM(GPA_SRC)), 0,
	};

	for (unsigned int k = 0; k < 8; k++)
		src[k] = 0xc0de0000 | k;
	memset(dst, 0, 4096);
	run_wl(e, m, BCS, cmd, 10);
}

static void test_blit_tiling_follows_the_owner(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];

	wr32(a->v, R_BCS_SWCTRL, 0x00020002);	/* destination Y */
	for (int round = 0; round < 3; round++) {
		struct sgenv_vm *m = round == 1 ? b : a;
		uint32_t *dst = g32(m, GPA_DST);

		blit_once(e, m);
		assert_int_equal(dst[0], 0xc0de0000);
		if (m == a) {
			assert_int_equal(dst[512 / 4], 0xc0de0004);	/* Y: next column */
			assert_int_equal(dst[16 / 4], 0);
		} else {
			assert_int_equal(dst[16 / 4], 0xc0de0004);	/* X: same row */
			assert_int_equal(dst[512 / 4], 0);
		}
	}
}

/*
 * Registers the host driver programs are never switched: a guest writing
 * garbage into them by MMIO leaves the physical engine as the host set it,
 * and the other vGPU keeps running.
 */
static void test_host_registers_keep_host_values(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];
	static const uint32_t rel[] = { 0x29c, 0x9c, 0x80, 0x98, 0xa8, 0xb4, 0xd0, 0x3a0, 0x230 };
	static const uint32_t global[] = { 0x40e0, 0x40e4, 0x941c, 0x44200, 0x44304, 0x4430c,
					   0x24d0, 0x4de0, 0x4df4, 0xa188, 0x4ab0, 0x940c };
	static const uint32_t rregs[] = { R_MOCS_RCS(0) };
	uint32_t before[2][GVT_ARRAY_SIZE(rel)], out[1];

	for (unsigned int i = 0; i < GVT_ARRAY_SIZE(rel); i++)
		for (unsigned int k = 0; k < GVT_NUM_ENGINES; k++)
			assert_int_equal(gvt_mmio_ctx_engine_of(e->gpu,
					 gvt_engine_base(k) + rel[i]), -1);
	for (unsigned int i = 0; i < GVT_ARRAY_SIZE(global); i++)
		assert_int_equal(gvt_mmio_ctx_engine_of(e->gpu, global[i]), -1);

	read_regs(e, a, RCS, rregs, 1, out);	/* the engines have run once */
	read_regs(e, a, BCS, rregs, 0, out);
	for (unsigned int k = 0; k < 2; k++)
		for (unsigned int i = 0; i < GVT_ARRAY_SIZE(rel); i++)
			if (rel[i] != 0x230)	/* ELSP: write only */
				before[k][i] = hdrv_mmio_read(e->hd, engine_base[k] + rel[i]);
	/* A: stop bits, run list off, other status page, all interrupts masked */
	for (unsigned int k = 0; k < 2; k++) {
		wr32(a->v, engine_base[k] + 0x9c, 0xffffffff);	/* MI_MODE */
		wr32(a->v, engine_base[k] + 0x29c, 0xffff0000);	/* GFX_MODE */
		wr32(a->v, engine_base[k] + 0x80, 0x1000);	/* HWS_PGA */
		wr32(a->v, engine_base[k] + 0x98, 0);		/* HWSTAM */
		wr32(a->v, engine_base[k] + 0xa8, 0xffffffff);	/* RING_IMR */
	}
	wr32(b->v, R_MOCS_RCS(0), 0x77);
	for (int round = 0; round < 2; round++) {
		read_regs(e, b, RCS, rregs, 1, out);
		assert_int_equal(out[0], 0x77);
		run_wl(e, b, BCS, NULL, 0);
	}
	for (unsigned int k = 0; k < 2; k++) {
		uint32_t base = engine_base[k];

		assert_int_equal(hdrv_mmio_read(e->hd, base + 0x9c) & (1u << 8), 0);	/* STOP_RING */
		assert_int_equal(hdrv_mmio_read(e->hd, base + 0x29c) & (1u << 15), 1u << 15);
		for (unsigned int i = 0; i < GVT_ARRAY_SIZE(rel); i++) {
			/* head/tail pointers of the CSB move with the host's contexts */
			if (rel[i] == 0x230 || rel[i] == 0x3a0)
				continue;
			assert_int_equal(hdrv_mmio_read(e->hd, base + rel[i]), before[k][i]);
		}
	}
}

/*
 * Every register a guest command may write is switched with the engine
 * that runs the command (else its value would outlive the workload into
 * another vGPU's), PDPs aside (loaded from the context image, patched).
 * Every register a command may read among the switched ones is switched
 * with that engine too.
 */
static void test_command_registers_are_switched(void **state)
{
	struct sgenv *e = *state;
	static const enum gvt_cmd_engine ce[] = { GVT_CMD_RCS, GVT_CMD_BCS, GVT_CMD_VCS,
						  GVT_CMD_VECS };
	static const unsigned int ge[] = { GVT_ENGINE_RCS, GVT_ENGINE_BCS, GVT_ENGINE_VCS,
					   GVT_ENGINE_VECS };
	unsigned int writable = 0;

	for (unsigned int k = 0; k < 4; k++) {
		for (uint32_t off = 0; off < 0x40000; off += 4) {
			unsigned int acc = gvt_cmd_reg_access(ce[k], off);
			int owner = gvt_mmio_ctx_engine_of(e->gpu, off);

			if ((acc & GVT_CMD_REG_W) && !(acc & GVT_CMD_REG_PDP)) {
				writable++;
				if (owner != (int)ge[k])
					fail_msg("engine %u may write 0x%x, switched with %d", k, off,
						 owner);
			}
			/* a readable switched register is one of this engine's */
			if ((acc & GVT_CMD_REG_R) && owner >= 0 && owner != (int)ge[k])
				fail_msg("engine %u may read 0x%x of engine %d", k, off, owner);
		}
	}
	assert_true(writable > 100);
}

/*
 * The owner of an engine is destroyed: nothing keeps pointing at it (the
 * next switch would save into its freed vregs; ASan run). A new vGPU (same
 * id) and the other one then run with their own values.
 */
static unsigned int vgpu_id(struct sgenv_vm *m)
{
	struct gvt_vgpu_info info;

	gvt_vgpu_get_info(m->v, &info);
	return info.id;
}

static void test_owner_destroyed(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];
	static const uint32_t rregs[] = { R_MOCS_RCS(2), R_GPR0 };
	static const uint32_t r3[] = { R_MOCS_RCS(3) };
	uint32_t lri[] = { MI_LRI(1), R_GPR0, 0xaaaa };
	uint32_t out[2];
	unsigned int id = vgpu_id(a);

	wr32(a->v, R_MOCS_RCS(2), 0xaa);
	wr32(a->v, R_MOCS_RCS(3), 0xab);	/* dirty, never loaded */
	run_wl(e, a, RCS, lri, 3);
	assert_ptr_equal(gvt_mmio_ctx_owner(e->gpu, GVT_ENGINE_RCS), a->v);
	sgenv_vm_destroy(e, a);
	assert_null(gvt_mmio_ctx_owner(e->gpu, GVT_ENGINE_RCS));

	read_regs(e, b, RCS, rregs, 2, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	sgenv_vm_create(e, a);
	assert_int_equal(vgpu_id(a), id);
	wr32(b->v, R_MOCS_RCS(2), 0xbb);
	read_regs(e, a, RCS, rregs, 2, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	read_regs(e, b, RCS, rregs, 2, out);
	assert_int_equal(out[0], 0xbb);
	read_regs(e, a, RCS, r3, 1, out);
	assert_int_equal(out[0], 0);	/* the old vGPU's unloaded write is gone */
}

/* without host register access nothing is switched (and nothing breaks) */
static void test_no_host_mmio_no_switch(void **state)
{
	struct sgenv *e = *state;
	struct sgenv_vm *a = &e->vm[0], *b = &e->vm[1];
	static const uint32_t rregs[] = { R_MOCS_RCS(0) };
	uint32_t out[1];

	wr32(a->v, R_MOCS_RCS(0), 0x1);
	read_regs(e, a, RCS, rregs, 1, out);
	assert_int_equal(out[0], 0);
	read_regs(e, b, RCS, rregs, 1, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(reg_loads(a), 0);
	assert_null(gvt_mmio_ctx_owner(e->gpu, GVT_ENGINE_RCS));
}

/*
 * Two guests on their own threads against the scheduler's thread and
 * threaded engines: each writes its MOCS entry by MMIO and loads GPR0 by
 * LRI before every workload, which reads both back. Owner changes then run
 * concurrently with the other guest's MMIO writes (the switch takes the old
 * owner's lock); no value may cross over, nothing may deadlock.
 */
struct guest_run {
	struct sgenv *e;
	struct sgenv_vm *m;
	unsigned int idx;
	unsigned int done, wrong;
	bool timeout;
};

static void *guest_thread(void *arg)
{
	struct guest_run *g = arg;
	struct sgenv_vm *m = g->m;
	volatile uint32_t *data = g32(m, GPA_DATA);
	uint64_t d = (uint64_t)0x20 << 32 | (m->gm + GM(GPA_CTX(RCS))) | 3 << 3 | 1u << 8 | 1;
	uint32_t out = (uint32_t)(m->gm + GM(GPA_DATA));

	for (uint32_t k = 1; k <= 200; k++) {
		uint32_t mocs = (g->idx + 1) << 16 | k, gpr = (g->idx + 1) << 24 | k;
		uint32_t cmd[] = { MI_LRI(1), R_GPR0, gpr,
				   MI_SRM_GGTT, R_MOCS_RCS(5), out + 0x100, 0,
				   MI_SRM_GGTT, R_GPR0, out + 0x104, 0,
				   MI_SDI_GGTT, out + 0xffc, 0, k, MI_NOOP };
		struct timespec t0, now;

		wr32(m->v, R_MOCS_RCS(5), mocs);
		/* an even number of dwords: the tail stays qword-aligned, no padding */
		sgenv_guest_emit(m, RCS, GPA_RING(RCS), GPA_CTX(RCS) + 4096, cmd,
				 GVT_ARRAY_SIZE(cmd));
		sgenv_guest_elsp(m, engine_base[RCS], d, 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (data[0xffc / 4] != k || (rd32(m->v, 0x2234) & (1u << 4))) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - t0.tv_sec > 20) {
				g->timeout = true;
				return NULL;
			}
			usleep(20);
		}
		if (data[0x100 / 4] != mocs || data[0x104 / 4] != gpr)
			g->wrong++;
		g->done++;
	}
	return NULL;
}

static void test_threaded_guests_keep_their_values(void **state)
{
	struct sgenv *e = *state;
	struct guest_run g[2];
	pthread_t th[2];

	for (unsigned int i = 0; i < 2; i++) {
		g[i] = (struct guest_run){ .e = e, .m = &e->vm[i], .idx = i };
		assert_int_equal(pthread_create(&th[i], NULL, guest_thread, &g[i]), 0);
	}
	for (unsigned int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_false(g[i].timeout);
		assert_int_equal(g[i].done, 200);
		assert_int_equal(g[i].wrong, 0);
	}
	/* the GPU changed hands while both ran */
	if (getenv("GVT_TEST_VERBOSE"))
		fprintf(stderr, "owner switches: %llu\n",
			(unsigned long long)e->gpu->sched->switches);
	assert_true(e->gpu->sched->switches >= 20);
	assert_true(reg_loads(&e->vm[0]) > 0 && reg_loads(&e->vm[1]) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mmio_values_follow_the_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_write_while_owner_reaches_gpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_switch_reads_back_command_registers_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lri_value_saved_on_switch_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_write_newer_than_lri_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_blit_tiling_follows_the_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_registers_keep_host_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_command_registers_are_switched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_destroyed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_host_mmio_no_switch, setup_no_host_mmio,
						teardown),
		cmocka_unit_test_setup_teardown(test_threaded_guests_keep_their_values,
						setup_threaded, teardown),
	};

	return cmocka_run_group_tests_name("gvt_mmio_ctx", tests, NULL, NULL);
}
