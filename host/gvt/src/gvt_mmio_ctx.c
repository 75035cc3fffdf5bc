// SPDX-License-Identifier: GPL-2.0-only
/*
 * Engine register state switched between vGPU owners.
 *
 * A guest's writes to engine configuration registers (chicken bits, MOCS,
 * BCS_SWCTRL...) land in its vregs; a guest command (LRI, LRM, LRR) the
 * scanner allows changes the physical register itself. Each physical engine
 * has an owner: the vGPU whose values it holds. Right before a workload of
 * vGPU v runs on engine e (engine idle, gvt_gpu_schedule):
 *  - owner != v: the physical values of the registers a guest command may
 *    change are read and saved into the old owner's vregs (unless the old
 *    owner wrote that vreg by MMIO since: its newer value stays), then
 *    every register of e whose physical value differs from v's vreg is
 *    written (masked registers with the write-enable bits 31:16 set). The
 *    other registers change only by these writes: their physical values
 *    are remembered, not read back (MOCS and L3CC are half the list),
 *    until an engine reset or failed workload makes them unknown;
 *  - owner == v: only the registers v wrote by MMIO since its last load
 *    (dirty) are written.
 * So a workload sees its own vGPU's values and nothing another vGPU left.
 * The registers the host driver programs itself are never switched (see
 * the list below). Without host mmio_read/mmio_write ops nothing happens.
 *
 * Locks: the owner table under sched->run_lock (switch, forget and reset
 * all run under it); a vGPU's dirty bits and vregs under its own lock.
 * gvt_mmio_ctx_switch() holds v's lock and takes the old owner's to save
 * into its vregs: only a run_lock holder ever takes two vGPU locks, and no
 * path holding a vGPU lock waits for run_lock or another vGPU's lock.
 */
#include "gvt_exec.h"
#include "gvt_mmio_ctx.h"

#define CTX_M	1u	/* masked: bits 31:16 enable the write of 15:0 */
#define CTX_C	2u	/* the command scanner lets a guest write it (LRI/LRM/LRR) */

#define E_RCS	GVT_BIT(GVT_ENGINE_RCS)
#define E_VCS	GVT_BIT(GVT_ENGINE_VCS)
#define E_BCS	GVT_BIT(GVT_ENGINE_BCS)
#define E_VECS	GVT_BIT(GVT_ENGINE_VECS)
#define E_ALL	(E_RCS | E_VCS | E_BCS | E_VECS)

struct ctx_group {
	uint32_t off;		/* absolute, or relative to the engine base if @rel */
	uint16_t count;		/* dwords */
	uint8_t engines;	/* E_*: switched with these engines */
	uint8_t flags;		/* CTX_* */
	bool rel;
};

/*
 * What is switched, and why. Facts (offsets, masked or not) from i915 and
 * upstream GVT-g's gen9 list (mmio_context.c); Gen9 keeps many of these in
 * the context image, this GPU model keeps every register in the engine,
 * so all are switched by MMIO here.
 *
 * Not switched, on purpose (hostdrv programs or owns them, or a guest value
 * would reach beyond its own work):
 *  - RING_MODE/GFX_MODE (+0x29c), MI_MODE (+0x9c, STOP_RING), HWS_PGA
 *    (+0x80), HWSTAM (+0x98), RING_IMR (+0xa8), EMR/EIR/ESR, RESET_CTL
 *    (+0xd0), ELSP/EXECLIST_STATUS/CSB_PTR, CONTEXT_CONTROL: hostdrv's
 *    execlist submission, status page and interrupts (hdrv_engine.c). A
 *    guest MI_MODE stop bit or GFX_MODE without run-list enable would stop
 *    the engine for every vGPU. Upstream switches GFX_MODE/MI_MODE/HWSTAM
 *    because i915 programs the same values in host and guest; ours differ.
 *  - RING_START/HEAD/TAIL/CTL, PDPs: loaded from the host context image
 *    (PDPs patched to the shadow PPGTT).
 *  - GDRST, forcewake, MASTER_IRQ, GT IMR/IER/IIR, GFX_FLSH_CNTL, TLB
 *    invalidation: host-wide control, emulated on vregs (gt.c, irq.c).
 *  - PAT (0x40e0/0x40e4): hostdrv programs it; shadow PTEs use its indices.
 *  - FORCE_TO_NONPRIV (0x24d0..0x24fc): names registers a non-privileged
 *    batch may write; a guest value could open ELSP or RING_MODE to batches.
 *  - TR-TT (0x4de0..0x4df4): table pointers that would be used unchecked.
 *  - GT-wide workaround registers upstream switches with the render engine
 *    (GAMT 0x4ab0/0x4ab8, UCGCTL4 0x940c, GARBCNTL 0xb004): they act on
 *    every engine, and owners are per engine (switched lazily), so the
 *    render owner's values would apply to another vGPU's blitter work.
 *  - RING_EXCC, the other masked regs of mmio_table.c (0x20dc, 0x2120,
 *    0x2124, 0x2470): vreg only (not in upstream's gen9 list, no effect in
 *    the model).
 *  - timestamps and statistics counters: read only.
 */
static const struct ctx_group ctx_groups[] = {
	/* render chicken / mode registers i915 sets as workarounds (masked) */
	{ 0x2088, 1, E_RCS, CTX_M | CTX_C, false },	/* FF_SLICE_CHICKEN */
	{ 0x2090, 1, E_RCS, CTX_M | CTX_C, false },	/* _3D_CHICKEN3 */
	{ 0x20a0, 1, E_RCS, 0, false },			/* GEN7_FF_THREAD_MODE */
	{ 0x20d4, 1, E_RCS, CTX_M, false },		/* GEN9_CSFE_CHICKEN1_RCS */
	{ 0x20d8, 1, E_RCS, CTX_M | CTX_C, false },	/* CS_DEBUG_MODE2 */
	{ 0x20e4, 1, E_RCS, CTX_M, false },		/* FF_SLICE_CS_CHICKEN2 */
	{ 0x20ec, 1, E_RCS, CTX_M, false },		/* GEN9_CS_DEBUG_MODE1 */
	{ 0x2248, 1, E_RCS, CTX_M, false },		/* GEN9_CTX_PREEMPT_REG */
	{ 0x2580, 1, E_RCS, CTX_M | CTX_C, false },	/* GEN8_CS_CHICKEN1 */
	{ 0x5588, 1, E_RCS, CTX_M | CTX_C, false },	/* GEN9_WM_CHICKEN3 */
	{ 0x7000, 3, E_RCS, CTX_M | CTX_C, false },	/* CACHE_MODE_0/1, GT_MODE */
	{ 0x7010, 3, E_RCS, CTX_M | CTX_C, false },	/* COMMON_SLICE_CHICKEN1/2, HIZ */
	{ 0x7300, 1, E_RCS, CTX_M | CTX_C, false },	/* HDC_CHICKEN0 */
	{ 0x7304, 1, E_RCS, CTX_M, false },		/* GEN8_HDC_CHICKEN1 */
	{ 0x7308, 1, E_RCS, CTX_M | CTX_C, false },	/* SLICE_COMMON_ECO_CHICKEN0 */
	{ 0x731c, 1, E_RCS, CTX_M | CTX_C, false },	/* SLICE_COMMON_ECO_CHICKEN1 */
	{ 0x83a4, 1, E_RCS, CTX_M, false },		/* VF_GUARDBAND */
	{ 0xe100, 1, E_RCS, CTX_M | CTX_C, false },	/* GEN7_HALF_SLICE_CHICKEN1 */
	{ 0xe180, 3, E_RCS, CTX_M | CTX_C, false },	/* HALF_SLICE_CHICKEN2/3/5 */
	{ 0xe194, 1, E_RCS, CTX_M | CTX_C, false },	/* GEN9_HALF_SLICE_CHICKEN7 */
	{ 0xe4f0, 2, E_RCS, CTX_M | CTX_C, false },	/* ROW_CHICKEN, ROW_CHICKEN2 */
	/* L3 configuration: Mesa and the WA batch program them by LRI */
	{ 0x7034, 1, E_RCS, CTX_C, false },		/* GEN8_L3CNTLREG */
	{ 0xb118, 1, E_RCS, CTX_C, false },		/* GEN8_L3SQCREG4 */
	/*
	 * Command state the scanner lets a guest load (LRI/LRM/LRR), which a
	 * following workload of another vGPU could otherwise read or use.
	 */
	{ 0x2214, 1, E_RCS, CTX_C, false },		/* MI_PREDICATE_RESULT_2 */
	{ 0x2400, 9, E_RCS, CTX_C, false },		/* MI_PREDICATE_*, 3DPRIM_END_OFFSET */
	{ 0x2430, 5, E_RCS, CTX_C, false },		/* 3DPRIM_START_VERTEX .. BASE_VERTEX */
	{ 0x2500, 3, E_RCS, CTX_C, false },		/* GPGPU_DISPATCHDIMX/Y/Z */
	{ 0x5200, 8, E_RCS, CTX_C, false },		/* SO_NUM_PRIMS_WRITTEN0..3 */
	{ 0x5240, 8, E_RCS, CTX_C, false },		/* SO_PRIM_STORAGE_NEEDED0..3 */
	{ 0x5280, 4, E_RCS, CTX_C, false },		/* SO_WRITE_OFFSET0..3 */
	{ 0x600, 32, E_ALL, CTX_C, true },		/* CS_GPR 0..15 (64-bit) */
	/* every engine: instruction parser mode (masked), not host-programmed */
	{ 0x0c0, 1, E_ALL, CTX_M, true },		/* INSTPM */
	/* blitter: Y-tiling of XY_ blits, whitelisted for LRI (masked) */
	{ 0x22200, 1, E_BCS, CTX_M | CTX_C, false },	/* BCS_SWCTRL */
	/*
	 * MOCS: 64 control entries per engine (global registers, but each
	 * table is only used by its engine) and the 32 L3CC dwords (two
	 * entries each) the render engine uses. i915 programs them at init.
	 */
	{ 0xc800, 64, E_RCS, 0, false },		/* GEN9_GFX_MOCS, RCS */
	{ 0xb020, 32, E_RCS, 0, false },		/* GEN9_LNCFCMOCS (L3CC) */
	{ 0xc900, 64, E_VCS, 0, false },		/* GEN9_MFX0_MOCS */
	{ 0xcb00, 64, E_VECS, 0, false },		/* GEN9_VEBOX_MOCS */
	{ 0xcc00, 64, E_BCS, 0, false },		/* GEN9_BLT_MOCS */
};

struct ctx_reg {
	uint32_t off;
	uint8_t engine;		/* GVT_ENGINE_* */
	uint8_t flags;
};

struct gvt_mmio_ctx {
	struct ctx_reg *regs;	/* sorted by offset */
	unsigned int nregs;
	bool enabled;		/* the host can read and write registers */
	struct gvt_vgpu *owner[GVT_NUM_ENGINES];
	/* under run_lock: last known physical value of each register */
	uint32_t *phys;
	uint8_t phys_known;	/* engines whose non-command registers match @phys */
	/* per vGPU id: registers written by MMIO since its last load */
	uint64_t *dirty[GVT_MAX_VGPUS + 1];
	uint8_t dirty_eng[GVT_MAX_VGPUS + 1];	/* engines with a dirty bit */
};

static const uint32_t ctx_engine_base[GVT_NUM_ENGINES] = {
	[GVT_ENGINE_RCS] = RENDER_RING_BASE, [GVT_ENGINE_VCS] = GEN6_BSD_RING_BASE,
	[GVT_ENGINE_BCS] = BLT_RING_BASE, [GVT_ENGINE_VECS] = VEBOX_RING_BASE,
};

static struct gvt_mmio_ctx *ctx_of(const struct gvt_gpu *gpu)
{
	return gpu->sched ? gpu->sched->mmio_ctx : NULL;
}

static int ctx_index(const struct gvt_mmio_ctx *c, uint32_t off)
{
	unsigned int lo = 0, hi = c->nregs;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (c->regs[mid].off == off)
			return (int)mid;
		if (c->regs[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static unsigned int ctx_count(void)
{
	unsigned int i, e, n = 0;

	for (i = 0; i < GVT_ARRAY_SIZE(ctx_groups); i++)
		for (e = 0; e < GVT_NUM_ENGINES; e++)
			if (ctx_groups[i].engines & GVT_BIT(e))
				n += ctx_groups[i].count;
	return n;
}

/* expand the groups, sort by offset, reject duplicates */
static int ctx_build(struct gvt_mmio_ctx *c)
{
	unsigned int i, e, k, n = 0;

	for (i = 0; i < GVT_ARRAY_SIZE(ctx_groups); i++) {
		const struct ctx_group *g = &ctx_groups[i];

		for (e = 0; e < GVT_NUM_ENGINES; e++) {
			if (!(g->engines & GVT_BIT(e)))
				continue;
			for (k = 0; k < g->count; k++) {
				struct ctx_reg r = {
					.off = g->off + 4 * k + (g->rel ? ctx_engine_base[e] : 0),
					.engine = (uint8_t)e, .flags = g->flags,
				};
				unsigned int j = n++;

				/* insertion sort: a few hundred entries, once per GPU */
				while (j && c->regs[j - 1].off > r.off) {
					c->regs[j] = c->regs[j - 1];
					j--;
				}
				c->regs[j] = r;
			}
		}
	}
	for (i = 1; i < n; i++)
		if (c->regs[i].off == c->regs[i - 1].off)
			return -EINVAL;
	c->nregs = n;
	return 0;
}

/*
 * Every switched register must be a table entry whose write handler marks
 * it dirty, with the same masked semantic: else a guest MMIO write would
 * never reach the hardware, or reach it with the wrong bits.
 */
static int ctx_check_table(const struct gvt_gpu *gpu, const struct gvt_mmio_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->nregs; i++) {
		uint16_t idx = gpu->reg_index[c->regs[i].off >> 2];
		const struct gvt_reg_info *r;

		if (!idx)
			return -EINVAL;
		r = &gvt_reg_table[idx - 1];
		if (r->write != gvt_mmio_ctx_write ||
		    !!(r->flags & GVT_F_MASKED) != !!(c->regs[i].flags & CTX_M) ||
		    r->flags & (GVT_F_RO | GVT_F_WO | GVT_F_W1C))
			return -EINVAL;
	}
	return 0;
}

int gvt_mmio_ctx_init(struct gvt_gpu *gpu)
{
	struct gvt_mmio_ctx *c = gvt_zalloc(sizeof(*c));
	unsigned int n = ctx_count(), words = (n + 63) / 64, id;
	int ret = -ENOMEM;

	if (!c)
		return -ENOMEM;
	c->regs = gvt_zalloc(sizeof(*c->regs) * n);
	c->phys = gvt_zalloc(sizeof(*c->phys) * n);
	if (!c->regs || !c->phys)
		goto out_free;
	for (id = 0; id <= GVT_MAX_VGPUS; id++) {
		c->dirty[id] = gvt_zalloc(sizeof(uint64_t) * words);
		if (!c->dirty[id])
			goto out_free_dirty;
	}
	ret = ctx_build(c);
	if (!ret)
		ret = ctx_check_table(gpu, c);
	if (ret)
		goto out_free_dirty;
	c->enabled = gpu->ops->mmio_read && gpu->ops->mmio_write;
	gpu->sched->mmio_ctx = c;
	return 0;

out_free_dirty:
	for (id = 0; id <= GVT_MAX_VGPUS; id++)
		gvt_free(c->dirty[id]);
out_free:
	gvt_free(c->phys);
	gvt_free(c->regs);
	gvt_free(c);
	return ret;
}

void gvt_mmio_ctx_fini(struct gvt_gpu *gpu)
{
	struct gvt_mmio_ctx *c = ctx_of(gpu);
	unsigned int id;

	if (!c)
		return;
	for (id = 0; id <= GVT_MAX_VGPUS; id++)
		gvt_free(c->dirty[id]);
	gvt_free(c->phys);
	gvt_free(c->regs);
	gvt_free(c);
	gpu->sched->mmio_ctx = NULL;
}

static bool dirty_test(const struct gvt_mmio_ctx *c, unsigned int id, unsigned int i)
{
	return c->dirty[id][i / 64] & (1ull << (i % 64));
}

static void dirty_set(struct gvt_mmio_ctx *c, unsigned int id, unsigned int i)
{
	c->dirty[id][i / 64] |= 1ull << (i % 64);
	c->dirty_eng[id] |= (uint8_t)GVT_BIT(c->regs[i].engine);
}

/* the vreg as the register holds it: masked registers keep bits 15:0 */
static uint32_t reg_value(const struct ctx_reg *r, uint32_t val)
{
	return r->flags & CTX_M ? val & 0xffffu : val;
}

static void reg_load(struct gvt_gpu *gpu, const struct ctx_reg *r, uint32_t val)
{
	/* masked: all 16 write-enable bits, so every bit takes the vGPU's value */
	gpu->ops->mmio_write(gpu->priv, r->off, r->flags & CTX_M ? val | 0xffff0000u : val);
}

void gvt_mmio_ctx_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	struct gvt_mmio_ctx *c = ctx_of(v->gpu);
	int i;

	(void)old;
	(void)val;
	if (!c || !c->enabled)
		return;
	i = ctx_index(c, off);
	if (i >= 0)
		dirty_set(c, v->id, (unsigned int)i);
}

void gvt_mmio_ctx_vreg_reset(struct gvt_vgpu *v, uint32_t start, uint32_t end)
{
	struct gvt_mmio_ctx *c = ctx_of(v->gpu);
	unsigned int i;

	if (!c || !c->enabled)
		return;
	for (i = 0; i < c->nregs; i++)
		if (c->regs[i].off >= start && c->regs[i].off < end)
			dirty_set(c, v->id, i);
}

/* under run_lock and @v's lock; engine @e is idle */
void gvt_mmio_ctx_switch(struct gvt_vgpu *v, unsigned int e)
{
	struct gvt_gpu *gpu = v->gpu;
	struct gvt_mmio_ctx *c = ctx_of(gpu);
	struct gvt_vgpu *old;
	uint64_t loads = 0;
	unsigned int i, id = v->id;

	if (!c || !c->enabled || e >= GVT_NUM_ENGINES)
		return;
	old = c->owner[e];
	if (old == v) {
		if (!(c->dirty_eng[id] & GVT_BIT(e)))
			return;
		for (i = 0; i < c->nregs; i++) {
			const struct ctx_reg *r = &c->regs[i];

			if (r->engine != e || !dirty_test(c, id, i))
				continue;
			c->phys[i] = reg_value(r, vreg(v, r->off));
			reg_load(gpu, r, c->phys[i]);
			c->dirty[id][i / 64] &= ~(1ull << (i % 64));
			loads++;
		}
		c->dirty_eng[id] &= (uint8_t)~GVT_BIT(e);
		v->exec->stats.engine_reg_loads += loads;
		return;
	}
	if (old)
		gvt_mutex_lock(&old->lock);
	for (i = 0; i < c->nregs; i++) {
		const struct ctx_reg *r = &c->regs[i];
		uint32_t phys, want;

		if (r->engine != e)
			continue;
		if (r->flags & CTX_C || !(c->phys_known & GVT_BIT(e)))
			phys = reg_value(r, gpu->ops->mmio_read(gpu->priv, r->off));
		else
			phys = c->phys[i];
		/* save what the old owner's commands left, unless its MMIO write is newer */
		if (old && r->flags & CTX_C && !dirty_test(c, old->id, i))
			vreg(old, r->off) = phys;
		want = reg_value(r, vreg(v, r->off));
		if (want != phys) {
			reg_load(gpu, r, want);
			loads++;
		}
		c->phys[i] = want;
		c->dirty[id][i / 64] &= ~(1ull << (i % 64));
	}
	if (old)
		gvt_mutex_unlock(&old->lock);
	c->dirty_eng[id] &= (uint8_t)~GVT_BIT(e);
	c->phys_known |= (uint8_t)GVT_BIT(e);
	c->owner[e] = v;
	v->exec->stats.engine_reg_loads += loads;
}

/* under run_lock: @v goes away */
void gvt_mmio_ctx_forget(struct gvt_vgpu *v)
{
	struct gvt_mmio_ctx *c = ctx_of(v->gpu);
	unsigned int e;

	if (!c)
		return;
	for (e = 0; e < GVT_NUM_ENGINES; e++)
		if (c->owner[e] == v)
			c->owner[e] = NULL;
	gvt_memset(c->dirty[v->id], 0, sizeof(uint64_t) * ((c->nregs + 63) / 64));
	c->dirty_eng[v->id] = 0;
}

/*
 * Under run_lock. The engine may have been reset (its registers back to
 * power-on values): what the hardware holds is unknown, so the next owner
 * change reads every register back. The owner keeps the engine; values a
 * reset cleared are saved as cleared, as on hardware.
 */
void gvt_mmio_ctx_engine_reset(struct gvt_gpu *gpu, unsigned int e)
{
	struct gvt_mmio_ctx *c = ctx_of(gpu);

	if (c && e < GVT_NUM_ENGINES)
		c->phys_known &= (uint8_t)~GVT_BIT(e);
}

int gvt_mmio_ctx_engine_of(const struct gvt_gpu *gpu, uint32_t off)
{
	const struct gvt_mmio_ctx *c = ctx_of(gpu);
	int i;

	if (!c)
		return -1;
	i = ctx_index(c, off);
	return i < 0 ? -1 : c->regs[i].engine;
}

struct gvt_vgpu *gvt_mmio_ctx_owner(const struct gvt_gpu *gpu, unsigned int e)
{
	const struct gvt_mmio_ctx *c = ctx_of(gpu);

	return c && e < GVT_NUM_ENGINES ? c->owner[e] : NULL;
}
