// SPDX-License-Identifier: GPL-2.0-only
/*
 * Registers a guest may write (W) or read (R) from a command buffer, per
 * engine. Everything else is refused: a guest's LRI/LRM/LRR or PIPE_CONTROL
 * MMIO write could otherwise reprogram the physical GPU (ring registers,
 * GGTT, fences, interrupts, display) under every other vGPU.
 *
 * What is listed, and why (gen9 i915 6.12 and its userspace):
 *  - engine-relative CS_GPR (base + 0x600..0x67f): MI_MATH operands; IGT
 *    spinners/gem tests and Mesa load and store them. Context-saved.
 *  - engine-relative PDP0..3 (base + 0x270..0x28f), write only and flagged:
 *    a 3-level PPGTT driver (and GVT-g's own ring-LRI path) loads them by
 *    LRI; i915 6.12 on gen9 always uses 4-level and puts the PML4 in the
 *    context image, so it never emits this. The values are guest PML4/PDP
 *    addresses the caller must patch to the shadow. Never readable: they
 *    would then hold host addresses.
 *  - RING_TIMESTAMP (base + 0x358/0x35c) and CTX_TIMESTAMP (base + 0x3a8),
 *    read only: SRM'd by IGT and Mesa for timing queries.
 *  - RCS: what i915's own gen7/gen9 command parser lets user batches touch
 *    (i915_cmd_parser.c gen7_render_regs): pipeline statistics counters (R),
 *    MI_PREDICATE_* (conditional rendering), 3DPRIM_* (indirect draws),
 *    GPGPU_DISPATCHDIM*, SO_* (transform feedback).
 *  - RCS: the context workarounds i915 emits as one LRI in the first request
 *    of the default context (intel_engine_emit_ctx_wa; gen9/skl/kbl/cfl
 *    lists): GEN8_CS_CHICKEN1, CACHE_MODE_0/1, GT_MODE, COMMON_SLICE_CHICKEN1/2,
 *    HIZ_CHICKEN, HDC_CHICKEN0, SLICE_COMMON_ECO_CHICKEN0/1, WM_CHICKEN3,
 *    HALF_SLICE_CHICKEN1/2/3/5/7, ROW_CHICKEN/ROW_CHICKEN2. All are masked
 *    and saved in the render context image, so a value only affects the
 *    guest's own context.
 *  - RCS: the indirect-context WA batch (gen9_init_indirectctx_bb):
 *    GEN8_L3SQCREG4 (SRM/LRI/LRM), FF_SLICE_CHICKEN, _3D_CHICKEN3.
 *  - RCS: GEN8_L3CNTLREG (Mesa programs the L3 partitioning per batch on
 *    gen8+) and CS_DEBUG_MODE2 (Mesa gen9 constant-buffer offset mode).
 *  - BCS: BCS_SWCTRL (Y-tiled source/destination for XY blits; IGT and
 *    i915's gen9 blitter parser whitelist, gen9_blt_regs).
 *  - Each engine its own MOCS table, RCS also the L3CC table, read only:
 *    gvt_mmio_ctx.c loads the vGPU's own values into them before each of
 *    its workloads (it switches them with that engine), so an SRM reads
 *    the vGPU's own settings and nothing another vGPU left.
 * Every register listed writable (PDPs aside) is switched between vGPUs by
 * gvt_mmio_ctx.c: a command changes the physical register, which is saved
 * into the vGPU's vreg when another vGPU takes the engine
 * (test_gvt_mmio_ctx checks the two lists agree).
 * Not listed on purpose: OA/perf registers (OACTXCONTROL, flex EU counters:
 * perf is not virtualised), MOCS writes (global tables, only LRI'd by i915
 * before 5.x), another engine's MOCS table (it may hold another vGPU's
 * values), FORCE_TO_NONPRIV (0x24d0..), anything per ring (RING_START/CTL,
 * HWS_PGA, MODE, IMR, ELSP), fences, interrupts and display.
 */
#include "gvt_cmd.h"

#define RW	(GVT_CMD_REG_W | GVT_CMD_REG_R)
#define RO	GVT_CMD_REG_R
#define PDP	(GVT_CMD_REG_W | GVT_CMD_REG_PDP)

#define E_RCS	GVT_BIT(GVT_CMD_RCS)
#define E_BCS	GVT_BIT(GVT_CMD_BCS)
#define E_VCS	GVT_BIT(GVT_CMD_VCS)
#define E_VECS	GVT_BIT(GVT_CMD_VECS)
#define E_ALL	0xfu

struct reg_range {
	uint32_t start, end;	/* [start, end) */
	uint8_t engines;
	uint8_t flags;
	bool rel;		/* offsets relative to the engine's MMIO base */
};

static const struct reg_range reg_ranges[] = {
	/* every engine, engine-relative */
	{ 0x600, 0x680, E_ALL, RW, true },	/* CS_GPR 0..15 (64-bit) */
	{ 0x270, 0x290, E_ALL, PDP, true },	/* PDP0..3 LDW/UDW */
	{ 0x358, 0x360, E_ALL, RO, true },	/* RING_TIMESTAMP, UDW */
	{ 0x3a8, 0x3ac, E_ALL, RO, true },	/* CTX_TIMESTAMP */

	/* RCS: i915 gen7_render_regs (user batch whitelist) */
	{ 0x2214, 0x2218, E_RCS, RW, false },	/* MI_PREDICATE_RESULT_2 */
	{ 0x2290, 0x2298, E_RCS, RO, false },	/* GPGPU_THREADS_DISPATCHED */
	{ 0x2300, 0x2358, E_RCS, RO, false },	/* HS_INVOCATION .. PS_DEPTH_COUNT */
	{ 0x2400, 0x2420, E_RCS, RW, false },	/* MI_PREDICATE_SRC0/1, DATA, RESULT, RESULT_1 */
	{ 0x2420, 0x2424, E_RCS, RW, false },	/* 3DPRIM_END_OFFSET */
	{ 0x2430, 0x2444, E_RCS, RW, false },	/* 3DPRIM_START_VERTEX .. BASE_VERTEX */
	{ 0x2500, 0x250c, E_RCS, RW, false },	/* GPGPU_DISPATCHDIMX/Y/Z */
	{ 0x5200, 0x5220, E_RCS, RW, false },	/* SO_NUM_PRIMS_WRITTEN0..3 */
	{ 0x5240, 0x5260, E_RCS, RW, false },	/* SO_PRIM_STORAGE_NEEDED0..3 */
	{ 0x5280, 0x5290, E_RCS, RW, false },	/* SO_WRITE_OFFSET0..3 */

	/* RCS: context workarounds (intel_engine_emit_ctx_wa) */
	{ 0x2580, 0x2584, E_RCS, RW, false },	/* GEN8_CS_CHICKEN1 */
	{ 0x5588, 0x558c, E_RCS, RW, false },	/* GEN9_WM_CHICKEN3 */
	{ 0x7000, 0x700c, E_RCS, RW, false },	/* CACHE_MODE_0, CACHE_MODE_1, GT_MODE */
	{ 0x7010, 0x701c, E_RCS, RW, false },	/* COMMON_SLICE_CHICKEN1/2, HIZ_CHICKEN */
	{ 0x7300, 0x7304, E_RCS, RW, false },	/* HDC_CHICKEN0 */
	{ 0x7308, 0x730c, E_RCS, RW, false },	/* SLICE_COMMON_ECO_CHICKEN0 */
	{ 0x731c, 0x7320, E_RCS, RW, false },	/* SLICE_COMMON_ECO_CHICKEN1 */
	{ 0xe100, 0xe104, E_RCS, RW, false },	/* GEN7_HALF_SLICE_CHICKEN1 */
	{ 0xe180, 0xe18c, E_RCS, RW, false },	/* HALF_SLICE_CHICKEN2/3/5 */
	{ 0xe194, 0xe198, E_RCS, RW, false },	/* GEN9_HALF_SLICE_CHICKEN7 */
	{ 0xe4f0, 0xe4f8, E_RCS, RW, false },	/* GEN8_ROW_CHICKEN, GEN7_ROW_CHICKEN2 */

	/* RCS: indirect-context WA batch, Mesa state */
	{ 0x2088, 0x208c, E_RCS, RW, false },	/* FF_SLICE_CHICKEN */
	{ 0x2090, 0x2094, E_RCS, RW, false },	/* _3D_CHICKEN3 */
	{ 0x20d8, 0x20dc, E_RCS, RW, false },	/* CS_DEBUG_MODE2 */
	{ 0x7034, 0x7038, E_RCS, RW, false },	/* GEN8_L3CNTLREG */
	{ 0xb118, 0xb11c, E_RCS, RW, false },	/* GEN8_L3SQCREG4 */

	/* BCS */
	{ 0x22200, 0x22204, E_BCS, RW, false },	/* BCS_SWCTRL */

	/* MOCS and L3CC, each engine its own table (switched per engine) */
	{ 0xc800, 0xc900, E_RCS, RO, false },	/* GEN9_GFX_MOCS */
	{ 0xb020, 0xb0a0, E_RCS, RO, false },	/* GEN9_LNCFCMOCS (L3CC) */
	{ 0xc900, 0xca00, E_VCS, RO, false },	/* GEN9_MFX0_MOCS */
	{ 0xcb00, 0xcc00, E_VECS, RO, false },	/* GEN9_VEBOX_MOCS */
	{ 0xcc00, 0xcd00, E_BCS, RO, false },	/* GEN9_BLT_MOCS */
};

const uint32_t gvt_cmd_engine_base[GVT_CMD_NUM_ENGINES] = {
	[GVT_CMD_RCS] = 0x2000,
	[GVT_CMD_BCS] = 0x22000,
	[GVT_CMD_VCS] = 0x12000,
	[GVT_CMD_VECS] = 0x1a000,
};

unsigned int gvt_cmd_reg_access(enum gvt_cmd_engine engine, uint32_t reg)
{
	uint32_t base = gvt_cmd_engine_base[engine];
	unsigned int i;

	if (reg & 3)
		return 0;
	for (i = 0; i < GVT_ARRAY_SIZE(reg_ranges); i++) {
		const struct reg_range *r = &reg_ranges[i];
		uint32_t off = reg;

		if (!(r->engines & GVT_BIT(engine)))
			continue;
		if (r->rel) {
			if (reg < base)
				continue;
			off = reg - base;
		}
		if (off >= r->start && off < r->end)
			return r->flags;
	}
	return 0;
}
