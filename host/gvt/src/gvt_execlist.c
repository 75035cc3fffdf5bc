// SPDX-License-Identifier: GPL-2.0-only
/*
 * Virtual execlists: the ELSP port, the context status buffer (in the
 * registers and in the guest's HWSP), EXECLIST_STATUS and the context-switch
 * and user interrupts, for each of the four engines of a vGPU.
 *
 * Model (what i915 expects, guest-i915-requirements.md §4.3): each 4-dword
 * ELSP write is a list of one or two elements. A list becomes active at once
 * when the engine is idle (CSB IDLE_ACTIVE), otherwise it waits until the
 * active list finished (its completions first, then IDLE_ACTIVE for the new
 * one), which also covers lite restore: the resubmitted context simply runs
 * from where its previous workload ended up to its new CTX_RING_TAIL. Each
 * element runs as one workload (gvt_workload.c); its completion produces
 * ELEMENT_SWITCH|COMPLETE or ACTIVE_IDLE|COMPLETE. A failed workload leaves
 * the virtual engine hung (no CSB event) until the guest resets it, as a
 * real engine would.
 */
#include "gvt_exec.h"

static uint32_t ccid(uint64_t desc)
{
	return (uint32_t)(desc >> 32);
}

/* GT interrupt register and bit shift of engine @e */
static void engine_irq(unsigned int e, uint32_t *isr, unsigned int *shift)
{
	switch (e) {
	case GVT_ENGINE_RCS:
		*isr = GEN8_GT_ISR(0);
		*shift = 0;
		break;
	case GVT_ENGINE_BCS:
		*isr = GEN8_GT_ISR(0);
		*shift = 16;
		break;
	case GVT_ENGINE_VCS:
		*isr = GEN8_GT_ISR(1);
		*shift = 0;
		break;
	default:
		*isr = GEN8_GT_ISR(3);
		*shift = 0;
		break;
	}
}

void gvt_exec_raise(struct gvt_vgpu *v, unsigned int e, uint32_t bits)
{
	unsigned int shift;
	uint32_t isr;

	engine_irq(e, &isr, &shift);
	gvt_irq_raise(v, isr, bits << shift);
}

static void update_status(struct gvt_vgpu *v, unsigned int e)
{
	struct gvt_vengine *ve = &v->exec->eng[e];
	uint32_t base = gvt_engine_base(e), lo = 0, hi = 0;

	if (ve->nlists) {
		/* bit 0 current element, bits 3/4 element 1/0 valid */
		lo = ve->cur | (1u << 4) | (ve->lists[0].n > 1 ? 1u << 3 : 0);
		hi = ccid(ve->lists[0].desc[ve->cur]);
	}
	vreg(v, RING_EXECLIST_STATUS_LO(base)) = lo;
	vreg(v, RING_EXECLIST_STATUS_HI(base)) = hi;
}

/*
 * One CSB event: the entry and the write pointer in the registers, then in
 * the guest's HWSP (entry before pointer), then the interrupt.
 */
static void csb_emit(struct gvt_vgpu *v, unsigned int e, uint32_t status, uint32_t id)
{
	uint32_t base = gvt_engine_base(e);
	uint32_t ptr = vreg(v, RING_CSB_PTR(base));
	uint32_t wp = (ptr & 0xf) + 1;
	uint32_t hws = vreg(v, RING_HWS_PGA(base)) & 0xfffff000u;
	uint32_t entry[2] = { status, id };

	/* 7 is the reset value ("nothing written yet"), entries wrap at 6 */
	if (wp >= GVT_CSB_ENTRIES)
		wp = 0;
	vreg(v, RING_CSB(base) + 8 * wp) = status;
	vreg(v, RING_CSB(base) + 8 * wp + 4) = id;
	vreg(v, RING_CSB_PTR(base)) = (ptr & ~0xfu) | wp;
	if (hws) {
		if (gvt_gm_rw(v, hws + 4ull * (GVT_HWS_CSB_BUF0 + 2 * wp), entry, sizeof(entry),
			      true) ||
		    gvt_gm_rw(v, hws + 4ull * GVT_HWS_CSB_WRITE, &wp, sizeof(wp), true))
			gvt_vlog(v, 1, "engine %u: HWSP 0x%x not mapped, CSB only in registers",
				 e, hws);
	}
	v->exec->stats.csb_events++;
	gvt_exec_raise(v, e, GVT_GT_CTX_SWITCH);
}

void gvt_exec_set_pending(struct gvt_vgpu *v)
{
	unsigned int e, pending = 0;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct gvt_vengine *ve = &v->exec->eng[e];

		if (ve->nlists && !ve->inflight && !ve->hung)
			pending |= 1u << e;
	}
	__atomic_store_n(&v->exec->pending, pending, __ATOMIC_RELEASE);
}

void gvt_execlist_retire(struct gvt_vgpu *v, unsigned int e, int status)
{
	struct gvt_vengine *ve = &v->exec->eng[e];
	struct gvt_elsp_list *l = &ve->lists[0];

	if (!ve->nlists)
		return;
	if (status) {
		/* like a hung engine: no event until the guest resets it */
		v->exec->stats.failed++;
		gvt_vlog(v, 1, "engine %u: workload of context 0x%llx failed (%d), engine hung",
			 e, (unsigned long long)(l->desc[ve->cur] & GVT_DESC_LRCA_MASK), status);
		ve->hung = true;
		gvt_exec_set_pending(v);
		return;
	}
	v->exec->stats.completed++;
	if (ve->cur + 1 < l->n) {
		csb_emit(v, e, GVT_CSB_ELEMENT_SWITCH | GVT_CSB_COMPLETE, ccid(l->desc[ve->cur]));
		ve->cur++;
	} else {
		csb_emit(v, e, GVT_CSB_ACTIVE_IDLE | GVT_CSB_COMPLETE, ccid(l->desc[ve->cur]));
		ve->lists[0] = ve->lists[1];
		ve->nlists--;
		ve->cur = 0;
		if (ve->nlists)
			csb_emit(v, e, GVT_CSB_IDLE_ACTIVE, ccid(ve->lists[0].desc[0]));
	}
	update_status(v, e);
	gvt_exec_set_pending(v);
}

static void elsp_submit(struct gvt_vgpu *v, unsigned int e)
{
	struct gvt_vengine *ve = &v->exec->eng[e];
	const struct gvt_host_ops *ops = v->gpu->ops;
	struct gvt_elsp_list l = { { 0, 0 }, 0 };
	unsigned int i;

	/* elsp_dw[] holds element 0 lo/hi then element 1 lo/hi */
	for (i = 0; i < 2; i++) {
		uint64_t d = ve->elsp_dw[2 * i] | (uint64_t)ve->elsp_dw[2 * i + 1] << 32;

		if (d & GVT_DESC_VALID)
			l.desc[l.n++] = d;
		else if (i == 0)
			break;
	}
	v->exec->stats.elsp_submissions++;
	if (!ops->ctx_submit)
		return;		/* no physical submission: recorded only */
	if (!(ve->elsp_dw[0] & GVT_DESC_VALID)) {
		gvt_vlog(v, 1, "engine %u: ELSP element 0 not valid, ignored", e);
		return;
	}
	if (v->failsafe) {
		gvt_vlog(v, 1, "engine %u: ELSP in failsafe mode, ignored", e);
		return;
	}
	if (ve->hung) {
		gvt_vlog(v, 2, "engine %u: ELSP on a hung engine, ignored until reset", e);
		return;
	}
	if (ve->nlists == GVT_MAX_LISTS) {
		gvt_vlog(v, 1, "engine %u: ELSP while a list is still pending, ignored", e);
		return;
	}
	ve->lists[ve->nlists++] = l;
	if (ve->nlists == 1) {
		ve->cur = 0;
		csb_emit(v, e, GVT_CSB_IDLE_ACTIVE, ccid(l.desc[0]));
	}
	update_status(v, e);
	gvt_exec_set_pending(v);
	if (ops->kick)
		ops->kick(v->gpu->priv);
}

void gvt_execlist_elsp_write(struct gvt_vgpu *v, uint32_t off, uint32_t val)
{
	unsigned int e;
	struct gvt_vengine *ve;

	for (e = 0; e < GVT_NUM_ENGINES; e++)
		if (off == RING_ELSP(gvt_engine_base(e)))
			break;
	if (e == GVT_NUM_ENGINES || !v->exec)
		return;
	ve = &v->exec->eng[e];
	/* i915 writes element 1 hi, 1 lo, 0 hi, 0 lo; the 4th write submits */
	ve->elsp_dw[3 - ve->elsp_idx] = val;
	if (++ve->elsp_idx < 4)
		return;
	ve->elsp_idx = 0;
	elsp_submit(v, e);
}

void gvt_exec_reset(struct gvt_vgpu *v, uint32_t engines)
{
	struct gvt_exec *x = v->exec;
	unsigned int e;

	if (!x)
		return;
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct gvt_vengine *ve = &x->eng[e];

		if (!(engines & (1u << e)))
			continue;
		gvt_workload_abort(v, e);
		ve->nlists = 0;
		ve->cur = 0;
		ve->elsp_idx = 0;
		ve->hung = false;
		ve->seq++;
		update_status(v, e);
	}
	if (engines == ~0u) {
		/* device reset: the guest's page tables are gone with its driver */
		gvt_workload_roots_drop(v);
		if (x->sppt)
			sppt_vgpu_invalidate(x->sppt);
	}
	gvt_exec_set_pending(v);
}

int gvt_exec_init(struct gvt_vgpu *v)
{
	v->exec = gvt_zalloc(sizeof(*v->exec));
	if (!v->exec)
		return -ENOMEM;
	gvt_sched_add(v);
	return 0;
}

void gvt_exec_fini(struct gvt_vgpu *v)
{
	struct gvt_sched *s = v->gpu->sched;
	const struct gvt_host_ops *ops = v->gpu->ops;
	struct gvt_exec *x = v->exec;
	unsigned int e;

	if (!x)
		return;
	/* no gvt_gpu_schedule() may hold this vGPU while it goes away */
	gvt_mutex_lock(&s->run_lock);
	gvt_mutex_lock(&v->lock);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		gvt_workload_abort(v, e);
		if (x->eng[e].hctx)
			ops->ctx_destroy(v->gpu->priv, x->eng[e].hctx);
	}
	gvt_workload_roots_drop(v);
	gvt_workload_sppt_destroy(v);
	gvt_sched_remove(v);
	v->exec = NULL;
	gvt_mutex_unlock(&v->lock);
	gvt_mutex_unlock(&s->run_lock);
	gvt_free(x);
}

void gvt_vgpu_get_exec_stats(struct gvt_vgpu *v, struct gvt_vgpu_exec_stats *st)
{
	gvt_mutex_lock(&v->lock);
	if (v->exec)
		*st = v->exec->stats;
	else
		gvt_memset(st, 0, sizeof(*st));
	gvt_mutex_unlock(&v->lock);
}
