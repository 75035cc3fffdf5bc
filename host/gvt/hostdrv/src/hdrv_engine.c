// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostdrv engines: execlists enable (i915 enable_execlists), logical ring
 * contexts (gen9 image layout, i915 intel_lrc.c), ELSP submission, CSB
 * processing with i915's promote/complete semantics (gen8_csb_parse),
 * interrupts, hang check and engine reset.
 */
#include "hdrv_internal.h"

int hdrv_engine_init_hw(struct hdrv_gpu *gpu, struct hdrv_engine *e)
{
	uint32_t *hwsp = e->hwsp.mem.cpu;
	int ret = 0;

	ewr(gpu, e, RING_HWSTAM, 0xFFFFFFFF);
	ewr(gpu, e, RING_MODE, MASKED_ENABLE(RUN_LIST_ENABLE));
	ewr(gpu, e, RING_MI_MODE, MASKED_DISABLE(STOP_RING));
	ewr(gpu, e, RING_HWS_PGA, (uint32_t)e->hwsp.gtt);
	(void)erd(gpu, e, RING_HWS_PGA);	/* posting read */
	/* enable_error_interrupt */
	ewr(gpu, e, RING_EMR, 0xFFFFFFFF);
	ewr(gpu, e, RING_EIR, 0xFFFFFFFF);
	if (erd(gpu, e, RING_ESR)) {
		hdrv_log("engine %u: still in error after reset (ESR 0x%x)", e->id,
			 erd(gpu, e, RING_ESR));
		ret = -EIO;
	}
	ewr(gpu, e, RING_EMR, ~ERROR_INSTRUCTION);
	/* reset_csb_pointers: read and write pointer to the last entry */
	memset(&hwsp[HWSP_CSB_DW], 0xFF, CSB_ENTRIES * 8);
	hwsp[HWSP_CSB_WRITE_DW] = CSB_ENTRIES - 1;
	e->csb_rd = CSB_ENTRIES - 1;
	hdrv_mb();
	ewr(gpu, e, RING_CSB_PTR, 0xFFFF0000 | ((CSB_ENTRIES - 1) << 8) | (CSB_ENTRIES - 1));
	ewr(gpu, e, RING_CSB_PTR, 0xFFFF0000 | ((CSB_ENTRIES - 1) << 8) | (CSB_ENTRIES - 1));
	ewr(gpu, e, RING_IMR, ~ENGINE_IRQS);
	e->error = false;
	e->last_event_ns = hdrv_now_ns();
	return ret;
}

/* ---- contexts ---------------------------------------------------------- */

static void init_image(struct hdrv_ctx *ctx, const struct hdrv_engine *e, const uint64_t pdp[4])
{
	uint32_t *r = hdrv_ctx_regs(ctx);
	static const uint32_t lri1[] = { 0x244, 0x34, 0x30, 0x38, 0x3C, 0x168, 0x140,
					 0x110, 0x11C, 0x114, 0x118, 0x1C0, 0x1C4, 0x1C8 };
	static const uint32_t lri2[] = { 0x3A8, 0x28C, 0x288, 0x284, 0x280,
					 0x27C, 0x278, 0x274, 0x270 };
	unsigned int i;

	/* the image is a register list the hardware replays: MI_LRI(n) | POSTED */
	r[1] = 0x11001000 | (2 * 14 - 1);
	for (i = 0; i < 14; i++)
		r[2 + 2 * i] = e->base + lri1[i];
	r[0x21] = 0x11001000 | (2 * 9 - 1);
	for (i = 0; i < 9; i++)
		r[0x22 + 2 * i] = e->base + lri2[i];
	r[CTX_CONTEXT_CONTROL] = MASKED_ENABLE(1u << 3);	/* INHIBIT_SYN_CTX_SWITCH */
	r[CTX_RING_HEAD] = 0;
	r[CTX_RING_TAIL] = 0;
	r[CTX_RING_START] = (uint32_t)ctx->ring.gtt;
	r[CTX_RING_CTL] = (ctx->ring_size - 4096) | 1;	/* RING_VALID */
	r[CTX_BB_STATE] = 1u << 5;	/* RING_BB_PPGTT, as i915 writes it */
	for (i = 0; i < 4; i++) {
		r[CTX_PDP_UDW(i)] = (uint32_t)(pdp[i] >> 32);
		r[CTX_PDP_LDW(i)] = (uint32_t)pdp[i];
	}
}

static uint64_t make_desc(const struct hdrv_ctx *ctx, bool unprivileged)
{
	/* addressing mode: 3 = legacy 64-bit (PML4), 1 = legacy 32-bit (4 PDPs) */
	uint64_t d = DESC_VALID | ctx->img.gtt | ((uint64_t)ctx->ccid << 32);

	d |= DESC_ADDR_MODE(ctx->vm == HDRV_VM_PPGTT_3LVL ? 1 : 3);
	if (!unprivileged)
		d |= DESC_PRIVILEGE;
	if (ctx->engine == HDRV_RCS)
		d |= DESC_RCS_PRIO_NORMAL;
	return d;
}

int hdrv_ctx_create(struct hdrv_gpu *gpu, enum hdrv_engine_id engine,
		    const struct hdrv_ctx_params *p, struct hdrv_ctx **out)
{
	static const uint64_t no_pdp[4];
	struct hdrv_ctx_params def = { 0 };
	struct hdrv_ctx *ctx;
	int ret;

	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return -EINVAL;
	if (!p)
		p = &def;
	if ((p->ring_size & 4095) || p->ring_size > (2u << 20) || (unsigned int)p->vm > HDRV_VM_PPGTT_4LVL)
		return -EINVAL;
	ctx = hdrv_zalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->gpu = gpu;
	ctx->engine = engine;
	ctx->ring_size = p->ring_size ? p->ring_size : 16384;
	ctx->vm = p->vm;
	ctx->priv = p->priv;
	/* context sizes: RCS 22 pages, others 2 (GEN9_LR_CONTEXT_RENDER_SIZE) */
	ret = hdrv_bo_create(gpu, (engine == HDRV_RCS ? 22 : 2) * 4096, &ctx->img);
	if (ret)
		goto out_free;
	ret = hdrv_bo_create(gpu, ctx->ring_size, &ctx->ring);
	if (ret)
		goto out_free_img;
	hdrv_lock(gpu);
	ctx->ccid = gpu->next_ccid++ << 5;	/* i915: (tag + 1) << 5 */
	hdrv_unlock(gpu);
	init_image(ctx, &gpu->eng[engine], p->vm == HDRV_VM_GGTT ? no_pdp : p->pdp);
	ctx->desc = make_desc(ctx, p->unprivileged);
	*out = ctx;
	return 0;

out_free_img:
	hdrv_bo_destroy(gpu, &ctx->img);
out_free:
	hdrv_free(ctx);
	return ret;
}

void hdrv_ctx_destroy(struct hdrv_ctx *ctx)
{
	struct hdrv_gpu *gpu;
	bool inflight;

	if (!ctx)
		return;
	gpu = ctx->gpu;
	hdrv_lock(gpu);
	inflight = ctx->inflight;
	hdrv_unlock(gpu);
	if (inflight) {
		/* still on the hardware: stop the engine before freeing its memory */
		hdrv_engine_reset(gpu, ctx->engine);
	}
	hdrv_bo_destroy(gpu, &ctx->ring);
	hdrv_bo_destroy(gpu, &ctx->img);
	hdrv_free(ctx);
}

void *hdrv_ctx_priv(const struct hdrv_ctx *ctx)
{
	return ctx->priv;
}

enum hdrv_engine_id hdrv_ctx_engine(const struct hdrv_ctx *ctx)
{
	return ctx->engine;
}

uint32_t *hdrv_ctx_regs(struct hdrv_ctx *ctx)
{
	return (uint32_t *)((uint8_t *)ctx->img.mem.cpu + 4096);
}

uint64_t hdrv_ctx_lrca(const struct hdrv_ctx *ctx)
{
	return ctx->img.gtt;
}

uint64_t hdrv_ctx_desc(const struct hdrv_ctx *ctx)
{
	return ctx->desc;
}

void *hdrv_ctx_ring_map(struct hdrv_ctx *ctx, uint32_t *size)
{
	if (size)
		*size = ctx->ring_size;
	return ctx->ring.mem.cpu;
}

uint64_t hdrv_ctx_ring_gtt(const struct hdrv_ctx *ctx)
{
	return ctx->ring.gtt;
}

int hdrv_ctx_set_tail(struct hdrv_ctx *ctx, uint32_t tail)
{
	if ((tail & 3) || tail >= ctx->ring_size)
		return -EINVAL;
	ctx->tail = tail;
	return 0;
}

uint32_t hdrv_ctx_tail(const struct hdrv_ctx *ctx)
{
	return ctx->tail;
}

uint32_t hdrv_ctx_head(const struct hdrv_ctx *ctx)
{
	const uint32_t *r = (const uint32_t *)((const uint8_t *)ctx->img.mem.cpu + 4096);

	return __atomic_load_n(&r[CTX_RING_HEAD], __ATOMIC_ACQUIRE) & (ctx->ring_size - 1);
}

uint64_t hdrv_ctx_busy_ns(struct hdrv_ctx *ctx)
{
	uint64_t ticks = __atomic_load_n(&hdrv_ctx_regs(ctx)[CTX_TIMESTAMP], __ATOMIC_ACQUIRE);

	return ticks * 1000000000ull / ctx->gpu->info.ts_freq_hz;
}

int hdrv_ctx_set_vm(struct hdrv_ctx *ctx, enum hdrv_vm_mode vm, const uint64_t pdp[4])
{
	uint32_t *r = hdrv_ctx_regs(ctx);

	if (ctx->inflight || (unsigned int)vm > HDRV_VM_PPGTT_4LVL)
		return -EBUSY;
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t v = vm == HDRV_VM_GGTT ? 0 : pdp[i];

		r[CTX_PDP_UDW(i)] = (uint32_t)(v >> 32);
		r[CTX_PDP_LDW(i)] = (uint32_t)v;
	}
	ctx->vm = vm;
	ctx->desc = make_desc(ctx, !(ctx->desc & DESC_PRIVILEGE));
	return 0;
}

int hdrv_ctx_set_indirect(struct hdrv_ctx *ctx, uint64_t gtt, uint32_t bytes, uint32_t offset)
{
	uint32_t *r = hdrv_ctx_regs(ctx);

	if (ctx->inflight)
		return -EBUSY;
	/* bits 5:0 of INDIRECT_CTX count 64-byte lines; the address is above */
	if ((gtt & 63) || (bytes & 63) || bytes > 63 * 64 || gtt + bytes > GGTT_MAX ||
	    (bytes && ctx->engine != HDRV_RCS))
		return -EINVAL;
	r[CTX_INDIRECT_CTX] = bytes ? (uint32_t)gtt | bytes / 64 : 0;
	r[CTX_INDIRECT_CTX_OFFSET] = bytes ? offset : 0;
	r[CTX_BB_PER_CTX_PTR] = 0;
	return 0;
}

int hdrv_ctx_emit(struct hdrv_ctx *ctx, const uint32_t *dw, unsigned int n)
{
	uint32_t *ring = ctx->ring.mem.cpu;
	uint32_t head = hdrv_ctx_head(ctx);
	uint32_t space = (head - ctx->tail - 8) & (ctx->ring_size - 1);

	/* head in the image is only as new as the last switch-out: conservative */
	if (n * 4 > space)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++) {
		ring[ctx->tail / 4] = dw[i];
		ctx->tail = (ctx->tail + 4) & (ctx->ring_size - 1);
	}
	return 0;
}

/* ---- submission and completion ---------------------------------------- */

static void ctx_left(struct hdrv_gpu *gpu, struct hdrv_engine *e, struct hdrv_ctx *ctx,
		     enum hdrv_ctx_status st)
{
	if (!ctx || !ctx->inflight)
		return;
	ctx->inflight = false;
	if (st == HDRV_CTX_COMPLETE)
		e->st.completes++;
	hdrv_queue_ev(gpu, EV_CTX, e->id, ctx, st);
}

void hdrv_engine_drop_all(struct hdrv_gpu *gpu, struct hdrv_engine *e)
{
	for (unsigned int i = e->active_idx; i < e->n_active; i++)
		ctx_left(gpu, e, e->active[i], HDRV_CTX_ERROR);
	if (e->has_pending) {
		ctx_left(gpu, e, e->pending[0], HDRV_CTX_ERROR);
		ctx_left(gpu, e, e->pending[1], HDRV_CTX_ERROR);
	}
	e->n_active = e->active_idx = 0;
	e->has_pending = false;
}

static bool in_pending(struct hdrv_engine *e, struct hdrv_ctx *ctx)
{
	return e->pending[0] == ctx || e->pending[1] == ctx;
}

static void promote(struct hdrv_gpu *gpu, struct hdrv_engine *e, uint32_t status)
{
	if (!e->has_pending) {
		hdrv_log("engine %u: CSB promote 0x%x with nothing pending", e->id, status);
		return;
	}
	if (status & CSB_PREEMPTED) {
		if (status & CSB_LITE_RESTORE)
			e->st.lite_restores++;
		else
			e->st.preemptions++;
		/* contexts dropped from the active list: finished, or preempted */
		for (unsigned int i = e->active_idx; i < e->n_active; i++) {
			struct hdrv_ctx *c = e->active[i];

			if (in_pending(e, c))
				continue;
			ctx_left(gpu, e, c, hdrv_ctx_head(c) == c->sub_tail ? HDRV_CTX_COMPLETE
									     : HDRV_CTX_PREEMPTED);
		}
	}
	e->active[0] = e->pending[0];
	e->active[1] = e->pending[1];
	e->n_active = e->pending[1] ? 2 : 1;
	e->active_idx = 0;
	e->has_pending = false;
}

static int process_csb(struct hdrv_gpu *gpu, struct hdrv_engine *e)
{
	uint32_t *hwsp = e->hwsp.mem.cpu;
	uint32_t wp = __atomic_load_n(&hwsp[HWSP_CSB_WRITE_DW], __ATOMIC_ACQUIRE) & 0xFF;
	int n = 0;

	if (wp >= CSB_ENTRIES)
		return 0;
	while (e->csb_rd != wp) {
		unsigned int i = (e->csb_rd + 1) % CSB_ENTRIES;
		uint32_t status = __atomic_load_n(&hwsp[HWSP_CSB_DW + 2 * i], __ATOMIC_ACQUIRE);

		e->csb_rd = i;
		hwsp[HWSP_CSB_DW + 2 * i] = 0xFFFFFFFF;	/* consumed */
		e->st.csb_events++;
		e->last_event_ns = hdrv_now_ns();
		n++;
		if (status == 0xFFFFFFFF) {
			hdrv_log("engine %u: CSB entry %u not written", e->id, i);
			continue;
		}
		if (status & (CSB_IDLE_ACTIVE | CSB_PREEMPTED)) {
			promote(gpu, e, status);
		} else if (status) {
			/* element 0 of the active list completed */
			if (e->active_idx >= e->n_active) {
				hdrv_log("engine %u: CSB completion 0x%x with nothing active", e->id, status);
				continue;
			}
			ctx_left(gpu, e, e->active[e->active_idx++], HDRV_CTX_COMPLETE);
			if (status & CSB_ACTIVE_IDLE)
				e->n_active = e->active_idx = 0;
		}
	}
	return n;
}

void hdrv_handle_irq_locked(struct hdrv_gpu *gpu)
{
	uint32_t iir[4] = { 0 };

	if (gpu->cfg.use_irq)
		wr(gpu, MASTER_IRQ, 0);
	for (unsigned int n = 0; n < 4; n++) {
		if (n == 2)
			continue;	/* PM/GuC bank: not enabled */
		iir[n] = rd(gpu, GT_IIR(n));
		if (iir[n])
			wr(gpu, GT_IIR(n), iir[n]);
	}
	for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++) {
		struct hdrv_engine *e = &gpu->eng[i];
		uint32_t bits = (iir[e->irq_bank] >> e->irq_shift) & 0xFFFF;

		process_csb(gpu, e);
		if (bits & GT_USER) {
			e->st.user_irqs++;
			hdrv_queue_ev(gpu, EV_USER, e->id, NULL, 0);
		}
		if ((bits & GT_CS_ERROR) && !e->error) {
			e->error = true;
			e->st.errors++;
			hdrv_queue_ev(gpu, EV_ERROR, e->id, NULL, 0);
		}
	}
	if (gpu->cfg.use_irq)
		wr(gpu, MASTER_IRQ, MASTER_IRQ_ENABLE);
}

int hdrv_engine_submit(struct hdrv_gpu *gpu, struct hdrv_ctx *ctx0, struct hdrv_ctx *ctx1)
{
	struct hdrv_engine *e;
	uint64_t d0, d1 = 0;
	int ret = 0;

	if (!ctx0 || ctx0 == ctx1 || (ctx1 && ctx1->engine != ctx0->engine) || ctx0->gpu != gpu)
		return -EINVAL;
	e = &gpu->eng[ctx0->engine];
	hdrv_lock(gpu);
	if (e->error) {
		ret = -EIO;
		goto out_unlock;
	}
	if (e->has_pending) {
		ret = -EBUSY;
		goto out_unlock;
	}
	hdrv_ctx_regs(ctx0)[CTX_RING_TAIL] = ctx0->tail;
	ctx0->sub_tail = ctx0->tail;
	d0 = ctx0->desc;
	if (ctx1) {
		hdrv_ctx_regs(ctx1)[CTX_RING_TAIL] = ctx1->tail;
		ctx1->sub_tail = ctx1->tail;
		d1 = ctx1->desc;
	}
	hdrv_mb();	/* image and ring before the ELSP */
	e->pending[0] = ctx0;
	e->pending[1] = ctx1;
	e->has_pending = true;
	ctx0->inflight = true;
	if (ctx1)
		ctx1->inflight = true;
	if (!e->n_active)
		e->last_event_ns = hdrv_now_ns();
	e->st.submits++;
	/* execlists_submit_ports: elem1 hi, lo, then elem0 hi, lo (4th write loads) */
	ewr(gpu, e, RING_ELSP, (uint32_t)(d1 >> 32));
	ewr(gpu, e, RING_ELSP, (uint32_t)d1);
	ewr(gpu, e, RING_ELSP, (uint32_t)(d0 >> 32));
	ewr(gpu, e, RING_ELSP, (uint32_t)d0);
out_unlock:
	hdrv_unlock(gpu);
	return ret;
}

int hdrv_engine_poll(struct hdrv_gpu *gpu, enum hdrv_engine_id engine)
{
	int n;

	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return -EINVAL;
	hdrv_lock(gpu);
	n = (int)gpu->eng[engine].st.csb_events;
	hdrv_handle_irq_locked(gpu);
	n = (int)gpu->eng[engine].st.csb_events - n;
	hdrv_unlock(gpu);
	return n;
}

bool hdrv_engine_idle(struct hdrv_gpu *gpu, enum hdrv_engine_id engine)
{
	struct hdrv_engine *e;
	bool idle;

	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return true;
	e = &gpu->eng[engine];

	hdrv_lock(gpu);
	idle = !e->has_pending && e->active_idx >= e->n_active;
	hdrv_unlock(gpu);
	return idle;
}

bool hdrv_engine_can_submit(struct hdrv_gpu *gpu, enum hdrv_engine_id engine)
{
	struct hdrv_engine *e;
	bool ok;

	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return false;
	e = &gpu->eng[engine];
	hdrv_lock(gpu);
	ok = !e->has_pending && !e->error;
	hdrv_unlock(gpu);
	return ok;
}

int hdrv_engine_wait_idle(struct hdrv_gpu *gpu, enum hdrv_engine_id engine, uint32_t timeout_ms)
{
	uint64_t end = hdrv_now_ns() + timeout_ms * 1000000ull;

	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return -EINVAL;
	for (;;) {
		struct hdrv_engine *e = &gpu->eng[engine];
		bool error, idle;

		hdrv_lock(gpu);
		hdrv_handle_irq_locked(gpu);
		error = e->error;
		idle = !e->has_pending && e->active_idx >= e->n_active;
		hdrv_unlock(gpu);	/* runs what this thread queued */
		/* callbacks another thread popped must have run too */
		if (atomic_load(&gpu->dispatching))
			idle = error = false;
		if (error)
			return -EIO;
		if (idle)
			return 0;
		if (hdrv_now_ns() > end)
			return -ETIMEDOUT;
		hdrv_udelay(20);
	}
}

/*
 * Hang check, progress based like i915's hangcheck: a busy engine is hung
 * when its position (ACTHD, which on gen9 holds the batch address inside a
 * batch, and the ring head) has stood still for hang_ms, seen by at least
 * HANG_STILL_CHECKS checks in a row. Wall time alone is not enough: on a
 * loaded host the engine (softgpu's thread, or whatever feeds it) may not
 * run for longer than hang_ms, and the first check after such a gap must
 * not reset it; the checks after it see it move again.
 *
 * A batch that loops (ACTHD moving round a loop) is progress by this
 * measure. Two bounds keep it from holding the engine: gvt's scheduler
 * resets a workload that overruns its slice while another vGPU waits, and
 * here an engine busy without a single context event for
 * HANG_LOOP_FACTOR * hang_ms counts as hung too (the guest alone on it).
 */
#define HANG_STILL_CHECKS	3u
#define HANG_LOOP_FACTOR	10u

static bool engine_busy(const struct hdrv_engine *e)
{
	return e->has_pending || e->active_idx < e->n_active;
}

static bool engine_check_hung_locked(struct hdrv_gpu *gpu, struct hdrv_engine *e)
{
	uint64_t now = hdrv_now_ns(), hang_ns = gpu->cfg.hang_ms * 1000000ull;
	uint64_t acthd = ((uint64_t)erd(gpu, e, RING_ACTHD_UDW) << 32) | erd(gpu, e, RING_ACTHD);
	uint32_t head = erd(gpu, e, RING_HEAD);

	if (acthd != e->hc_acthd || head != e->hc_head || e->st.csb_events != e->hc_events ||
	    e->st.submits != e->hc_submits) {
		e->hc_acthd = acthd;
		e->hc_head = head;
		e->hc_events = e->st.csb_events;
		e->hc_submits = e->st.submits;
		e->hc_moved_ns = now;
		e->hc_still = 0;
	} else if (e->hc_still < HANG_STILL_CHECKS) {
		e->hc_still++;
	}
	if (e->hc_still >= HANG_STILL_CHECKS && now - e->hc_moved_ns > hang_ns)
		return true;
	return now - e->last_event_ns > HANG_LOOP_FACTOR * hang_ns;
}

bool hdrv_engine_hung(struct hdrv_gpu *gpu, enum hdrv_engine_id engine)
{
	struct hdrv_engine *e;
	bool hung;

	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return false;
	e = &gpu->eng[engine];
	hdrv_lock(gpu);
	hdrv_handle_irq_locked(gpu);
	if (e->error) {
		hung = true;
	} else if (!engine_busy(e)) {
		e->hc_still = 0;
		hung = false;
	} else {
		hung = engine_check_hung_locked(gpu, e);
	}
	hdrv_unlock(gpu);
	return hung;
}

int hdrv_engine_reset(struct hdrv_gpu *gpu, enum hdrv_engine_id engine)
{
	struct hdrv_engine *e;
	int ret;

	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return -EINVAL;
	e = &gpu->eng[engine];
	hdrv_lock(gpu);
	/* stop the ring first (i915 __intel_engine_stop_cs) */
	ewr(gpu, e, RING_MI_MODE, MASKED_ENABLE(STOP_RING));
	hdrv_wait_reg(gpu, e->base + RING_MI_MODE, 1u << 9, 1u << 9, 1000);
	ret = hdrv_reset_engines(gpu, 1u << engine);
	hdrv_engine_drop_all(gpu, e);
	if (!ret)
		ret = hdrv_engine_init_hw(gpu, e);
	e->st.resets++;
	hdrv_unlock(gpu);
	return ret;
}

unsigned int hdrv_hangcheck(struct hdrv_gpu *gpu)
{
	unsigned int mask = 0;

	for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++) {
		if (!hdrv_engine_hung(gpu, i))
			continue;
		hdrv_log("engine %u hung: resetting it", i);
		if (!hdrv_engine_reset(gpu, i))
			mask |= 1u << i;
	}
	return mask;
}

void hdrv_engine_read_error(struct hdrv_gpu *gpu, enum hdrv_engine_id engine,
			    struct hdrv_engine_error *err)
{
	struct hdrv_engine *e;

	memset(err, 0, sizeof(*err));
	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return;
	e = &gpu->eng[engine];
	err->eir = erd(gpu, e, RING_EIR);
	err->esr = erd(gpu, e, RING_ESR);
	err->ipehr = erd(gpu, e, RING_IPEHR);
	err->acthd = erd(gpu, e, RING_ACTHD);
	err->instdone = erd(gpu, e, RING_INSTDONE);
	err->fault_reg = rd(gpu, RING_FAULT_REG);
	err->fault_addr = ((uint64_t)rd(gpu, FAULT_TLB_DATA0) << 12) |
			  ((uint64_t)(rd(gpu, FAULT_TLB_DATA1) & 0xF) << 44);
}

void hdrv_engine_stats(struct hdrv_gpu *gpu, enum hdrv_engine_id engine,
		       struct hdrv_engine_stats *st)
{
	memset(st, 0, sizeof(*st));
	if ((unsigned int)engine >= HDRV_NUM_ENGINES)
		return;
	hdrv_lock(gpu);
	*st = gpu->eng[engine].st;
	hdrv_unlock(gpu);
}
