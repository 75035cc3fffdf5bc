// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads: one guest execlist element, run on the physical engine.
 *
 * Dispatch reads the guest context's register state (through the vGPU's
 * GGTT into guest memory), copies the guest ring between CTX_RING_HEAD and
 * CTX_RING_TAIL (the copy is what the command scanner audits and what runs,
 * so the guest cannot change commands after the scan), shadows the PPGTT
 * named by the image's PDP/PML4 entries (shadow-ppgtt, untracked mode: every
 * submission syncs the shadow against the guest tables) and hands the copy
 * and the shadow roots to the host driver on this vGPU's physical context
 * for that engine. Batch buffers are not copied: GGTT addresses are the
 * same on the host (the GGTT is partitioned and shadowed) and PPGTT ones go
 * through the shadow tables.
 *
 * On completion CTX_RING_HEAD (and the RING_HEAD register) of the guest
 * context become the tail that ran; then the virtual execlist advances
 * (gvt_execlist_retire).
 */
#include "gvt_exec.h"
#include <kvmgt/uapi/vgt_if.h>

/* ---- shadow PPGTT engine callbacks (priv = the vGPU, lock held) ---- */

static int sp_read_gpa(void *priv, uint64_t gpa, void *buf, size_t len)
{
	struct gvt_vgpu *v = priv;

	return v->hyp->gpa_read(v->hyp_priv, gpa, buf, len);
}

static int sp_pin(void *priv, uint64_t gfn, uint64_t *dma)
{
	struct gvt_vgpu *v = priv;

	return v->hyp->dma_map(v->hyp_priv, gfn, dma);
}

static void sp_unpin(void *priv, uint64_t gfn, uint64_t dma)
{
	struct gvt_vgpu *v = priv;

	v->hyp->dma_unmap(v->hyp_priv, gfn, dma);
}

static int sp_table_alloc(void *priv, void **va, uint64_t *dma)
{
	struct gvt_vgpu *v = priv;

	return v->gpu->ops->dma_alloc(v->gpu->priv, SPPT_PAGE_SIZE, va, dma);
}

static void sp_table_free(void *priv, void *va, uint64_t dma)
{
	struct gvt_vgpu *v = priv;

	v->gpu->ops->dma_free(v->gpu->priv, va, dma, SPPT_PAGE_SIZE);
}

static const struct sppt_ops gvt_sppt_ops = {
	.read_gpa = sp_read_gpa,
	.pin = sp_pin,
	.unpin = sp_unpin,
	.table_alloc = sp_table_alloc,
	.table_free = sp_table_free,
};

int gvt_workload_sppt_create(struct gvt_vgpu *v)
{
	/* vfio-user has no write protection: sync every table at submission */
	static const struct sppt_config cfg = { .mode = SPPT_MODE_UNTRACKED };

	if (v->exec->sppt)
		return 0;
	if (!v->gpu->ops->dma_alloc || !v->gpu->ops->dma_free)
		return -EOPNOTSUPP;
	return sppt_vgpu_create(&gvt_sppt_ops, v, &cfg, &v->exec->sppt);
}

void gvt_workload_sppt_destroy(struct gvt_vgpu *v)
{
	sppt_vgpu_destroy(v->exec->sppt);
	v->exec->sppt = NULL;
}

/* every reference this vGPU holds on roots (device reset, destroy) */
void gvt_workload_roots_drop(struct gvt_vgpu *v)
{
	struct gvt_exec *x = v->exec;
	unsigned int i;

	for (i = 0; i < GVT_ROOT_CACHE; i++) {
		sppt_root_put(x->roots[i]);
		x->roots[i] = NULL;
	}
	for (i = 0; i < x->nannounced; i++)
		sppt_root_put(x->announced[i].root);
	x->nannounced = 0;
}

/*
 * PPGTT create/destroy notifications (PVINFO g2v): shadow the announced
 * tables now and keep them while the guest uses them, so the first
 * submission only syncs. Roots from context images work without this.
 */
void gvt_exec_g2v(struct gvt_vgpu *v, uint32_t msg)
{
	struct gvt_exec *x = v->exec;
	struct gvt_announced a = { NULL, 0, { 0, 0, 0, 0 } };
	unsigned int i;

	if (!x || !v->gpu->ops->ctx_submit)
		return;
	switch (msg) {
	case VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE:
	case VGT_G2V_PPGTT_L4_PAGE_TABLE_DESTROY:
		a.levels = 4;
		break;
	case VGT_G2V_PPGTT_L3_PAGE_TABLE_CREATE:
	case VGT_G2V_PPGTT_L3_PAGE_TABLE_DESTROY:
		a.levels = 3;
		break;
	default:
		return;
	}
	for (i = 0; i < (a.levels == 4 ? 1u : 4u); i++)
		a.pdps[i] = vreg(v, VGT_PVINFO_PAGE + VGT_IF_OFF(pdp[0].lo) + 8 * i) |
			    (uint64_t)vreg(v, VGT_PVINFO_PAGE + VGT_IF_OFF(pdp[0].hi) + 8 * i) << 32;
	for (i = 0; i < x->nannounced; i++)
		if (x->announced[i].levels == a.levels &&
		    !gvt_memcmp(x->announced[i].pdps, a.pdps, sizeof(a.pdps)))
			break;
	if (msg == VGT_G2V_PPGTT_L4_PAGE_TABLE_DESTROY ||
	    msg == VGT_G2V_PPGTT_L3_PAGE_TABLE_DESTROY) {
		if (i < x->nannounced) {
			sppt_root_put(x->announced[i].root);
			x->announced[i] = x->announced[--x->nannounced];
		}
		return;
	}
	if (i < x->nannounced)
		return;
	if (x->nannounced == GVT_ANNOUNCED_ROOTS) {
		gvt_vlog(v, 2, "more than %u PPGTTs announced: not pre-shadowed",
			 GVT_ANNOUNCED_ROOTS);
		return;
	}
	if (gvt_workload_sppt_create(v) || sppt_root_get(x->sppt, a.levels, a.pdps, &a.root))
		return;		/* shadowed at its first submission instead */
	x->announced[x->nannounced++] = a;
}

/* a root with one reference for the workload; the cache keeps another */
static int root_get(struct gvt_vgpu *v, unsigned int levels, const uint64_t pdps[4],
		    struct sppt_root **out)
{
	struct gvt_exec *x = v->exec;
	struct sppt_root *r, *cached;
	unsigned int i;
	int ret;

	ret = gvt_workload_sppt_create(v);
	if (ret)
		return ret;
	ret = sppt_root_get(x->sppt, levels, pdps, &r);
	if (ret)
		return ret;
	for (i = 0; i < GVT_ROOT_CACHE; i++)
		if (x->roots[i] == r)
			goto out;
	if (sppt_root_get(x->sppt, levels, pdps, &cached) == 0) {
		sppt_root_put(x->roots[x->root_next]);
		x->roots[x->root_next] = cached;
		x->root_next = (x->root_next + 1) % GVT_ROOT_CACHE;
	}
out:
	*out = r;
	return 0;
}

/* ---- guest PPGTT walk (what the scanner reads batches through) ---- */

static int pt_entry(struct gvt_vgpu *v, uint64_t table, unsigned int idx, uint64_t *e)
{
	int ret = v->hyp->gpa_read(v->hyp_priv, (table & SPPT_ADDR_MASK) + 8ull * idx, e, 8);

	if (ret)
		return ret;
	return (*e & SPPT_E_PRESENT) ? 0 : -EFAULT;
}

static int ppgtt_walk(struct gvt_vgpu *v, unsigned int levels, const uint64_t pdps[4],
		      uint64_t gma, uint64_t *gpa)
{
	uint64_t e, pd;
	int ret;

	if (levels == 4) {
		ret = pt_entry(v, pdps[0], (gma >> 39) & 511, &e);
		if (!ret)
			ret = pt_entry(v, e, (gma >> 30) & 511, &e);
		if (ret)
			return ret;
		if (e & SPPT_E_PS)
			return -EFAULT;	/* 1G pages are refused (shadow-ppgtt) */
		pd = e;
	} else if (levels == 3 && gma < (4ull << 30)) {
		pd = pdps[(gma >> 30) & 3];
		if (!pd)
			return -EFAULT;
	} else {
		return -EFAULT;
	}
	ret = pt_entry(v, pd, (gma >> 21) & 511, &e);
	if (ret)
		return ret;
	if (e & SPPT_E_PS) {
		*gpa = (e & SPPT_ADDR_MASK_2M) | (gma & 0x1fffff);
		return 0;
	}
	if (e & SPPT_E_IPS) {
		/* 64K pages: the entry of each 64K sits at the first of its 16 slots */
		ret = pt_entry(v, e, ((gma >> 12) & 511) & ~15u, &e);
		if (!ret)
			*gpa = (e & SPPT_ADDR_MASK_64K) | (gma & 0xffff);
		return ret;
	}
	ret = pt_entry(v, e, (gma >> 12) & 511, &e);
	if (!ret)
		*gpa = (e & SPPT_ADDR_MASK) | (gma & 0xfff);
	return ret;
}

/* ---- the command scanner (gvt_cmd.h) ---- */

struct scan_ctx {
	struct gvt_vgpu *v;
	const struct gvt_workload *wl;
	uint64_t ring_gma;
	uint32_t ring_size;
	unsigned int levels;
	uint64_t pdps[4];
};

/*
 * Ring bytes the copy holds come from the copy (what will run, not what the
 * guest may have rewritten since); everything else from guest memory.
 */
static int scan_read(void *priv, uint64_t gma, bool ppgtt, void *buf, size_t len)
{
	struct scan_ctx *c = priv;
	struct gvt_vgpu *v = c->v;
	const struct gvt_workload *wl = c->wl;
	uint64_t gpa;
	size_t i;
	int ret;

	if (ppgtt) {
		ret = ppgtt_walk(v, c->levels, c->pdps, gma, &gpa);
		return ret ? ret : v->hyp->gpa_read(v->hyp_priv, gpa, buf, len);
	}
	ret = gvt_gm_rw(v, gma, buf, len, false);
	if (ret || gma + len <= c->ring_gma || gma >= c->ring_gma + c->ring_size)
		return ret;
	for (i = 0; i < len; i++) {
		uint64_t off = gma + i - c->ring_gma;
		uint32_t pos;

		if (off >= c->ring_size)
			continue;
		pos = (uint32_t)((off + c->ring_size - wl->head) % c->ring_size);
		if (pos < wl->bytes)
			((uint8_t *)buf)[i] = ((const uint8_t *)wl->cmds)[pos];
	}
	return 0;
}

static const enum gvt_cmd_engine scan_engine[GVT_NUM_ENGINES] = {
	[GVT_ENGINE_RCS] = GVT_CMD_RCS, [GVT_ENGINE_VCS] = GVT_CMD_VCS,
	[GVT_ENGINE_BCS] = GVT_CMD_BCS, [GVT_ENGINE_VECS] = GVT_CMD_VECS,
};

static int scan_workload(struct gvt_vgpu *v, unsigned int e, const struct gvt_workload *wl,
			 const uint32_t regs[], uint32_t start, uint32_t size)
{
	struct gvt_exec *x = v->exec;
	unsigned int mode = (wl->desc >> GVT_DESC_MODE_SHIFT) & 3, i;
	struct scan_ctx c = { .v = v, .wl = wl, .ring_gma = start, .ring_size = size };
	struct gvt_cmd_params p;
	char line[192];
	int ret;

	for (i = 0; i < 4; i++) {
		unsigned int udw = GVT_CTX_PDP0_UDW - 4 * i;

		c.pdps[i] = (uint64_t)regs[udw] << 32 | regs[udw + 2];
	}
	if (mode == GVT_DESC_MODE_LEGACY64 && c.pdps[0])
		c.levels = 4;
	else if (mode == GVT_DESC_MODE_LEGACY32 && (c.pdps[0] | c.pdps[1] | c.pdps[2] | c.pdps[3]))
		c.levels = 3;
	gvt_memset(&p, 0, sizeof(p));
	p.engine = scan_engine[e];
	p.read = scan_read;
	p.priv = &c;
	p.gm[0].base = v->low_base;
	p.gm[0].size = v->low_size;
	p.gm[1].base = v->high_base;
	p.gm[1].size = v->high_size;
	p.privileged = wl->desc & GVT_DESC_PRIVILEGE;
	/* blits address the PPGTT, which is always shadowed (prepare_mm) */
	p.blt_ggtt = false;
	ret = gvt_cmd_scan_ring(&x->scanner, &p, start, size, wl->head, wl->tail, &x->scan_res);
	if (ret == -EACCES) {
		gvt_cmd_describe(&x->scan_res, p.engine, line, sizeof(line));
		gvt_vlog(v, 0, "command scanner: %s", line);
		return ret;
	}
	if (ret)
		return ret;
	if (x->scan_res.npdp) {
		/* PDP loads by LRI would bypass the shadow: not patched yet */
		gvt_vlog(v, 0, "command scanner: engine %u loads a PDP by LRI (0x%x), refused",
			 e, x->scan_res.pdp[0].reg);
		return -EACCES;
	}
	return 0;
}

/* ---- dispatch ---- */

static int read_context(struct gvt_vgpu *v, struct gvt_workload *wl, uint32_t regs[],
			uint32_t *ring_start, uint32_t *ring_size)
{
	int ret;

	wl->lrca = wl->desc & GVT_DESC_LRCA_MASK;
	ret = gvt_gm_rw(v, wl->lrca + GVT_PAGE_SIZE, regs, 4 * GVT_CTX_REGS_READ, false);
	if (ret)
		return ret;
	wl->head = regs[GVT_CTX_RING_HEAD] & GVT_RING_ADDR_MASK;
	wl->tail = regs[GVT_CTX_RING_TAIL] & GVT_RING_ADDR_MASK;
	*ring_start = regs[GVT_CTX_RING_START] & 0xfffff000u;
	*ring_size = (regs[GVT_CTX_RING_CTL] & GVT_RING_SIZE_MASK) + (uint32_t)GVT_PAGE_SIZE;
	if (wl->head >= *ring_size || wl->tail >= *ring_size ||
	    !gvt_gm_in_vgpu(v, *ring_start, *ring_size))
		return -EINVAL;
	return 0;
}

static int copy_ring(struct gvt_vgpu *v, struct gvt_workload *wl, uint32_t start,
		     uint32_t size)
{
	uint32_t first;
	int ret;

	wl->bytes = (wl->tail - wl->head + size) % size;
	if (!wl->bytes)
		return 0;
	wl->cmds = gvt_zalloc(wl->bytes);
	if (!wl->cmds)
		return -ENOMEM;
	first = GVT_MIN(wl->bytes, size - wl->head);
	ret = gvt_gm_rw(v, start + wl->head, wl->cmds, first, false);
	if (!ret && first < wl->bytes)
		ret = gvt_gm_rw(v, start, (uint8_t *)wl->cmds + first, wl->bytes - first, false);
	return ret;
}

/* @checked: guest page-table pages the sync compares against their snapshot */
static int prepare_mm(struct gvt_vgpu *v, struct gvt_workload *wl, const uint32_t regs[],
		      struct gvt_host_submit *sub, uint64_t *checked)
{
	unsigned int mode = (wl->desc >> GVT_DESC_MODE_SHIFT) & 3, i, levels;
	struct sppt_stats sst;
	uint64_t pdps[4];
	int ret;

	for (i = 0; i < 4; i++) {
		unsigned int udw = GVT_CTX_PDP0_UDW - 4 * i;

		pdps[i] = (uint64_t)regs[udw] << 32 | regs[udw + 2];
	}
	if (mode == GVT_DESC_MODE_LEGACY64)
		levels = 4;
	else if (mode == GVT_DESC_MODE_LEGACY32)
		levels = 3;
	else
		return -EINVAL;	/* advanced-context modes do not exist on gen9 */
	/*
	 * Always a shadow PPGTT, even for roots of 0 (all scratch): a
	 * physical context without one would resolve the guest's PPGTT
	 * addresses through the host's GGTT, i.e. other vGPUs' memory.
	 */
	ret = root_get(v, levels, pdps, &wl->root);
	if (ret)
		return ret;
	/* untracked mode: the sync compares every page shadowed now */
	sppt_vgpu_stats(v->exec->sppt, &sst);
	*checked = sst.guest_pages;
	ret = sppt_submit_begin(v->exec->sppt, &wl->root, 1);
	if (ret)
		goto out_put;
	ret = sppt_root_shadow_addr(wl->root, sub->pdp);
	if (ret < 0)
		goto out_end;
	sub->levels = (unsigned int)ret;
	return 0;

out_end:
	sppt_submit_end(v->exec->sppt, &wl->root, 1);
out_put:
	sppt_root_put(wl->root);
	wl->root = NULL;
	return ret;
}

static void release_mm(struct gvt_vgpu *v, struct gvt_workload *wl)
{
	if (!wl->root)
		return;
	sppt_submit_end(v->exec->sppt, &wl->root, 1);
	sppt_root_put(wl->root);
	wl->root = NULL;
}

static int ensure_hctx(struct gvt_vgpu *v, unsigned int e, uint32_t ring_size)
{
	const struct gvt_host_ops *ops = v->gpu->ops;
	struct gvt_vengine *ve = &v->exec->eng[e];
	/* the copy is shorter than the guest ring: twice its size, a power of two */
	uint32_t need = 32u << 10;
	int ret;

	while (need < 2 * ring_size)
		need <<= 1;

	if (ve->hctx && ve->hctx_ring >= need)
		return 0;
	if (ve->hctx)
		ops->ctx_destroy(v->gpu->priv, ve->hctx);
	ve->hctx = NULL;
	/*
	 * A number, not a pointer: a late completion of a destroyed context
	 * can never match its successor.
	 */
	ve->hctx_cookie = (void *)__atomic_add_fetch(&v->gpu->sched->next_cookie, 1,
						     __ATOMIC_RELAXED);
	ret = ops->ctx_create(v->gpu->priv, e, need, ve->hctx_cookie, &ve->hctx);
	if (ret) {
		ve->hctx = NULL;
		return ret;
	}
	ve->hctx_ring = need;
	return 0;
}

/* after an error or reset the host context's ring state is unknown: renew it */
static void drop_hctx(struct gvt_vgpu *v, unsigned int e)
{
	struct gvt_vengine *ve = &v->exec->eng[e];

	if (ve->hctx)
		v->gpu->ops->ctx_destroy(v->gpu->priv, ve->hctx);
	ve->hctx = NULL;
	ve->hctx_ring = 0;
}

static void wl_clear(struct gvt_workload *wl)
{
	gvt_free(wl->cmds);
	gvt_memset(wl, 0, sizeof(*wl));
}

int gvt_workload_dispatch(struct gvt_vgpu *v, unsigned int e)
{
	const struct gvt_host_ops *ops = v->gpu->ops;
	struct gvt_vengine *ve = &v->exec->eng[e];
	struct gvt_workload *wl = &ve->wl;
	struct gvt_vgpu_exec_stats *st = &v->exec->stats;
	struct gvt_host_submit sub;
	uint32_t regs[GVT_CTX_REGS_READ], start, size;
	uint64_t t_start, t0, t1, prepare_ns, scan_ns, sync_ns, checked = 0;
	int ret;

	if (!ve->nlists || ve->inflight || ve->hung)
		return 0;
	/* phase times are added to the stats only if the workload is submitted */
	t_start = gvt_now(v);
	wl_clear(wl);
	gvt_memset(&sub, 0, sizeof(sub));
	wl->desc = ve->lists[0].desc[ve->cur];
	ret = read_context(v, wl, regs, &start, &size);
	if (ret) {
		gvt_vlog(v, 1, "engine %u: context 0x%llx unreadable or ring outside the vGPU",
			 e, (unsigned long long)wl->lrca);
		goto out_fail;
	}
	ret = copy_ring(v, wl, start, size);
	if (ret)
		goto out_fail;
	if (!wl->bytes) {
		/* nothing new (e.g. an earlier workload already ran to this tail) */
		v->exec->stats.empty_workloads++;
		wl_clear(wl);
		gvt_execlist_retire(v, e, 0);
		return 1;
	}
	sub.privileged = wl->desc & GVT_DESC_PRIVILEGE;
	t1 = gvt_now(v);
	prepare_ns = t1 - t_start;
	t0 = t1;
	ret = scan_workload(v, e, wl, regs, start, size);
	t1 = gvt_now(v);
	scan_ns = t1 - t0;
	t0 = t1;
	if (ret) {
		v->exec->stats.scan_rejects++;
		/* only this vGPU stops: its workloads no longer run */
		gvt_enter_failsafe(v, GVT_FAILSAFE_BAD_COMMAND);
		goto out_fail;
	}
	ret = prepare_mm(v, wl, regs, &sub, &checked);
	t1 = gvt_now(v);
	sync_ns = t1 - t0;
	t0 = t1;
	if (ret) {
		gvt_vlog(v, 1, "engine %u: PPGTT of context 0x%llx cannot be shadowed (%d)",
			 e, (unsigned long long)wl->lrca, ret);
		goto out_fail;
	}
	ret = ensure_hctx(v, e, size);
	if (ret)
		goto out_release;
	sub.cmds = wl->cmds;
	sub.bytes = wl->bytes;
	/* claim first: the host may report completion from inside ctx_submit */
	gvt_sched_slot_claim(v, e, ve->hctx_cookie, ve->seq);
	wl->start_ns = gvt_now(v);
	ret = ops->ctx_submit(v->gpu->priv, ve->hctx, &sub);
	if (ret) {
		gvt_sched_slot_release(v, e);
		drop_hctx(v, e);
		goto out_release;
	}
	t1 = gvt_now(v);
	ve->inflight = true;
	st->workloads++;
	st->prepare_ns += prepare_ns;
	st->scan_ns += scan_ns;
	st->sync_ns += sync_ns;
	st->submit_ns += t1 - t0;
	st->total_ns += t1 - t_start;
	st->sync_pages_checked += checked;
	gvt_exec_set_pending(v);
	return 1;

out_release:
	release_mm(v, wl);
out_fail:
	wl_clear(wl);
	gvt_execlist_retire(v, e, ret ? ret : -EIO);
	return 1;
}

void gvt_workload_finish(struct gvt_vgpu *v, unsigned int e, int status)
{
	struct gvt_vengine *ve = &v->exec->eng[e];
	struct gvt_workload *wl = &ve->wl;
	uint64_t busy = gvt_now(v) - wl->start_ns;

	if (!ve->inflight)
		return;
	ve->inflight = false;
	v->exec->stats.busy_ns += busy;
	gvt_sched_charge(v, busy);
	release_mm(v, wl);
	if (!status) {
		uint32_t head = wl->tail;

		/* the minimum context save: where the ring head stopped */
		if (gvt_gm_rw(v, wl->lrca + GVT_PAGE_SIZE + 4 * GVT_CTX_RING_HEAD, &head,
			      sizeof(head), true))
			status = -EFAULT;
		vreg(v, RING_HEAD(gvt_engine_base(e))) = head;
		/*
		 * The copy may have held MI_USER_INTERRUPT / notify flushes:
		 * signal the breadcrumbs (a spurious one only makes i915 look
		 * at its seqnos).
		 */
		gvt_exec_raise(v, e, GVT_GT_USER);
	}
	wl_clear(wl);
	if (status)
		drop_hctx(v, e);
	gvt_execlist_retire(v, e, status);
}

void gvt_workload_abort(struct gvt_vgpu *v, unsigned int e)
{
	struct gvt_vengine *ve = &v->exec->eng[e];

	if (!ve->inflight)
		return;
	/* stop the physical engine first: the shadow tables are still in use */
	if (v->gpu->ops->engine_reset)
		v->gpu->ops->engine_reset(v->gpu->priv, e);
	gvt_sched_slot_release(v, e);
	ve->inflight = false;
	release_mm(v, &ve->wl);
	wl_clear(&ve->wl);
	drop_hctx(v, e);
}

void gvt_vgpu_get_mediation_stats(struct gvt_vgpu *v, struct gvt_vgpu_mediation_stats *st)
{
	struct sppt_stats sst;

	gvt_memset(st, 0, sizeof(*st));
	gvt_mutex_lock(&v->lock);
	st->cfg_reads = v->traps.cfg_reads;
	st->cfg_writes = v->traps.cfg_writes;
	st->reg_reads = v->traps.reg_reads;
	st->reg_writes = v->traps.reg_writes;
	st->ggtt_reads = v->traps.ggtt_reads;
	st->ggtt_writes = v->traps.ggtt_writes;
	st->aperture_reads = v->stats.aperture_reads;
	st->aperture_writes = v->stats.aperture_writes;
	if (v->exec) {
		const struct gvt_vgpu_exec_stats *x = &v->exec->stats;

		st->workloads = x->workloads;
		st->prepare_ns = x->prepare_ns;
		st->scan_ns = x->scan_ns;
		st->sync_ns = x->sync_ns;
		st->submit_ns = x->submit_ns;
		st->total_ns = x->total_ns;
		st->sync_pages_checked = x->sync_pages_checked;
		if (v->exec->sppt) {
			/* sppt's own lock nests inside the vGPU lock, as in dispatch */
			sppt_vgpu_stats(v->exec->sppt, &sst);
			st->sppt_syncs = sst.syncs;
			st->sppt_resyncs = sst.resyncs;
			st->sppt_entries_synced = sst.entries_synced;
			st->sppt_guest_pages = sst.guest_pages;
			st->sppt_shadow_pages = sst.shadow_pages;
			st->sppt_pins = sst.pins;
			st->sppt_mem_bytes = sst.mem_bytes;
		}
	}
	gvt_mutex_unlock(&v->lock);
}
