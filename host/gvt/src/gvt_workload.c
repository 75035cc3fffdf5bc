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
 * for that engine. Privileged (GGTT) batch buffers run from host copies
 * of the bytes the scanner audited (shadow batch buffers, in host graphics
 * memory no guest reaches); PPGTT batches run in place, confined by the
 * hardware (unprivileged) and the shadow tables. PDP loads by LRI are
 * patched to shadow roots in the copies. The RCS context's indirect-context
 * workaround batch (INDIRECT_CTX) is scanned before the ring and runs from
 * a host copy too: the physical context's INDIRECT_CTX points at the copy.
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

_Static_assert(GVT_RAM_LINEAR_MAX == SPPT_LINEAR_MAX_RANGES,
	       "every range gvt keeps fits the shadow engine");

int gvt_workload_sppt_create(struct gvt_vgpu *v)
{
	/* vfio-user has no write protection: sync every table at submission */
	static const struct sppt_config cfg = { .mode = SPPT_MODE_UNTRACKED };
	struct gvt_exec *x = v->exec;
	unsigned int i;
	int ret;

	if (x->sppt)
		return 0;
	if (!v->gpu->ops->dma_alloc || !v->gpu->ops->dma_free)
		return -EOPNOTSUPP;
	ret = sppt_vgpu_create(&gvt_sppt_ops, v, &cfg, &x->sppt);
	if (ret)
		return ret;
	/* no shadow yet: registering only records the ranges */
	for (i = 0; i < x->nlinear; i++) {
		const struct gvt_linear *l = &x->linear[i];

		ret = sppt_linear_register(x->sppt, l->gfn, l->npages, l->dma);
		if (ret)	/* checked at _add(): cannot happen */
			gvt_vlog(v, 1, "linear RAM range 0x%llx+%llu pages: %d, pinned per page",
				 (unsigned long long)l->gfn, (unsigned long long)l->npages, ret);
	}
	return 0;
}

/* sppt_linear_register()'s checks, for a range kept before the engine exists */
static int linear_check(const struct gvt_exec *x, uint64_t gfn, uint64_t npages, uint64_t dma)
{
	/* shadow entries hold addresses in bits 12..47: both ends must fit */
	const uint64_t lim = 1ull << 48, flim = lim >> GVT_PAGE_SHIFT;
	unsigned int i;

	if (!npages || (dma & (GVT_PAGE_SIZE - 1)) || gfn >= flim || npages > flim - gfn ||
	    dma >= lim || npages > (lim - dma) >> GVT_PAGE_SHIFT)
		return -EINVAL;
	for (i = 0; i < x->nlinear; i++)
		if (gfn < x->linear[i].gfn + x->linear[i].npages &&
		    x->linear[i].gfn < gfn + npages)
			return -EEXIST;
	return x->nlinear == GVT_RAM_LINEAR_MAX ? -ENOSPC : 0;
}

int gvt_vgpu_ram_linear_add(struct gvt_vgpu *v, uint64_t gfn, uint64_t npages, uint64_t dma)
{
	struct gvt_exec *x;
	int ret;

	gvt_mutex_lock(&v->lock);
	x = v->exec;
	ret = x ? linear_check(x, gfn, npages, dma) : -ENODEV;
	/* converts the shadow entries pinned so far (dma_unmap under the lock) */
	if (!ret && x->sppt)
		ret = sppt_linear_register(x->sppt, gfn, npages, dma);
	if (!ret) {
		x->linear[x->nlinear].gfn = gfn;
		x->linear[x->nlinear].npages = npages;
		x->linear[x->nlinear].dma = dma;
		x->nlinear++;
	}
	gvt_mutex_unlock(&v->lock);
	return ret;
}

int gvt_vgpu_ram_linear_remove(struct gvt_vgpu *v, uint64_t gfn, uint64_t npages)
{
	struct gvt_exec *x;
	unsigned int i;
	int ret = -ENOENT;

	gvt_mutex_lock(&v->lock);
	x = v->exec;
	for (i = 0; x && i < x->nlinear; i++) {
		if (x->linear[i].gfn != gfn || x->linear[i].npages != npages)
			continue;
		/*
		 * Every shadow entry into the range, in flight or not, is
		 * rewritten (dma_map, else scratch) before the lock drops:
		 * the host unmaps after we return.
		 */
		if (x->sppt)
			sppt_linear_unregister(x->sppt, gfn, npages);
		x->linear[i] = x->linear[--x->nlinear];
		ret = 0;
		break;
	}
	gvt_mutex_unlock(&v->lock);
	return ret;
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

/*
 * A root with one reference for the workload; the cache keeps another
 * (least recently used out first) and releases roots idle for
 * GVT_ROOT_IDLE lookups: their pages are then no longer compared at every
 * submission, nor re-shadowed when the guest reuses them.
 */
static int root_get(struct gvt_vgpu *v, unsigned int levels, const uint64_t pdps[4],
		    struct sppt_root **out)
{
	struct gvt_exec *x = v->exec;
	struct sppt_root *r, *cached;
	unsigned int i, slot = GVT_ROOT_CACHE;
	int ret;

	ret = gvt_workload_sppt_create(v);
	if (ret)
		return ret;
	ret = sppt_root_get(x->sppt, levels, pdps, &r);
	if (ret)
		return ret;
	x->root_clock++;
	for (i = 0; i < GVT_ROOT_CACHE; i++) {
		if (x->roots[i] == r) {
			slot = i;
		} else if (x->roots[i] && x->root_clock - x->root_used[i] > GVT_ROOT_IDLE) {
			sppt_root_put(x->roots[i]);	/* @r holds its own reference */
			x->roots[i] = NULL;
		}
	}
	if (slot == GVT_ROOT_CACHE) {
		/* a free slot, else the least recently used */
		for (i = 0, slot = 0; i < GVT_ROOT_CACHE; i++) {
			if (!x->roots[i]) {
				slot = i;
				break;
			}
			if (x->root_used[i] < x->root_used[slot])
				slot = i;
		}
		if (sppt_root_get(x->sppt, levels, pdps, &cached))
			goto out;	/* not cached: the workload's reference is enough */
		sppt_root_put(x->roots[slot]);
		x->roots[slot] = cached;
	}
	x->root_used[slot] = x->root_clock;
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
	struct gvt_workload *wl;
	unsigned int levels;
	uint64_t pdps[4];
};

/* ring position in the copy of guest ring offset @off (>= wl->bytes: not copied) */
static uint32_t ring_pos(const struct gvt_workload *wl, uint64_t off)
{
	return (uint32_t)((off + wl->ring_size - wl->head) % wl->ring_size);
}

/* bytes of [gma, gma + len) that the ring copy holds are taken from it */
static void ring_overlay(const struct gvt_workload *wl, uint64_t gma, uint8_t *buf, size_t len)
{
	size_t i;

	if (gma + len <= wl->ring_gma || gma >= wl->ring_gma + wl->ring_size)
		return;
	for (i = 0; i < len; i++) {
		uint64_t off = gma + i - wl->ring_gma;
		uint32_t pos;

		if (off >= wl->ring_size)
			continue;
		pos = ring_pos(wl, off);
		if (pos < wl->bytes)
			buf[i] = ((const uint8_t *)wl->cmds)[pos];
	}
}

static const uint8_t *snap_find(struct gvt_workload *wl, uint64_t page)
{
	unsigned int i;

	if (wl->snap_last < wl->nsnap && wl->snap[wl->snap_last].page == page)
		return wl->snap[wl->snap_last].data;
	for (i = 0; i < wl->nsnap; i++)
		if (wl->snap[i].page == page) {
			wl->snap_last = i;
			return wl->snap[i].data;
		}
	return NULL;
}

/*
 * GGTT page @page as the scan sees it: copied from the guest at its first
 * read and served from that copy afterwards, so the shadow batch buffers
 * hold exactly the bytes that were audited. NULL: unmapped, or over
 * GVT_BB_SNAP_MAX pages (the scan then fails to fetch).
 */
static const uint8_t *snap_page(struct gvt_vgpu *v, struct gvt_workload *wl, uint64_t page)
{
	const uint8_t *hit = snap_find(wl, page);
	void *d;

	if (hit)
		return hit;
	if (wl->nsnap == GVT_BB_SNAP_MAX)
		return NULL;
	if (wl->nsnap == wl->snap_cap) {
		unsigned int cap = wl->snap_cap ? 2 * wl->snap_cap : 16;
		struct gvt_bb_snap *n = gvt_zalloc(cap * sizeof(*n));

		if (!n)
			return NULL;
		if (wl->nsnap)
			gvt_memcpy(n, wl->snap, wl->nsnap * sizeof(*n));
		gvt_free(wl->snap);
		wl->snap = n;
		wl->snap_cap = cap;
	}
	d = gvt_zalloc(GVT_PAGE_SIZE);
	if (!d)
		return NULL;
	if (gvt_gm_rw(v, page, d, GVT_PAGE_SIZE, false)) {
		gvt_free(d);
		return NULL;
	}
	wl->snap[wl->nsnap].page = page;
	wl->snap[wl->nsnap].data = d;
	wl->snap_last = wl->nsnap++;
	return d;
}

static void snap_free(struct gvt_workload *wl)
{
	unsigned int i;

	for (i = 0; i < wl->nsnap; i++)
		gvt_free(wl->snap[i].data);
	gvt_free(wl->snap);
	wl->snap = NULL;
	wl->nsnap = wl->snap_cap = wl->snap_last = 0;
}

/* GGTT command bytes: the ring copy where it holds them, else the snapshot */
static int snap_read(struct gvt_vgpu *v, struct gvt_workload *wl, uint64_t gma, void *buf,
		     size_t len)
{
	size_t done = 0;

	if (gma >= wl->ring_gma && gma + len <= wl->ring_gma + wl->ring_size) {
		uint32_t pos = ring_pos(wl, gma - wl->ring_gma);

		if (pos + len <= wl->bytes) {
			gvt_memcpy(buf, (const uint8_t *)wl->cmds + pos, len);
			return 0;
		}
	}
	while (done < len) {
		uint64_t a = gma + done, page = a & ~(uint64_t)(GVT_PAGE_SIZE - 1);
		size_t n = GVT_MIN(len - done, (size_t)(page + GVT_PAGE_SIZE - a));
		const uint8_t *d;

		/* the snapshot bound: the scanner reports a runaway batch (a hang) */
		if (wl->nsnap == GVT_BB_SNAP_MAX && !snap_find(wl, page))
			return -E2BIG;
		d = snap_page(v, wl, page);
		if (!d)
			return -EFAULT;
		gvt_memcpy((uint8_t *)buf + done, d + (a - page), n);
		done += n;
	}
	ring_overlay(wl, gma, buf, len);
	return 0;
}

/*
 * The ring copy and GGTT pages come from the copy / snapshot (what will run,
 * not what the guest may have rewritten since); PPGTT batches (run in place,
 * confined by the hardware) from guest memory through the guest's tables.
 */
static int scan_read(void *priv, uint64_t gma, bool ppgtt, void *buf, size_t len)
{
	struct scan_ctx *c = priv;
	struct gvt_vgpu *v = c->v;
	uint64_t gpa;
	int ret;

	if (ppgtt) {
		ret = ppgtt_walk(v, c->levels, c->pdps, gma, &gpa);
		return ret ? ret : v->hyp->gpa_read(v->hyp_priv, gpa, buf, len);
	}
	return snap_read(v, c->wl, gma, buf, len);
}

/* ---- shadow batch buffers ---- */

#define GVT_BB_START_PPGTT	(1u << 8)	/* MI_BATCH_BUFFER_START address space */

/*
 * The copy of command dword @i of the command at @where: ring offset (@bb <
 * 0, in the ring copy) or GGTT address in shadow segment @bb. NULL if the
 * copy does not hold it (the scanner never reports such a place).
 */
static uint32_t *copy_dw(struct gvt_workload *wl, int bb, uint64_t where, unsigned int i)
{
	const struct gvt_bb_shadow *sb;
	uint64_t a;

	if (bb < 0) {
		uint32_t pos = ring_pos(wl, (where + 4ull * i) % wl->ring_size);

		return pos + 4 <= wl->bytes ? &wl->cmds[pos / 4] : NULL;
	}
	if ((unsigned int)bb >= wl->nbbs)
		return NULL;
	sb = &wl->bbs[bb];
	a = where + 4ull * i;
	if (a < sb->page || a + 4 > sb->page + sb->span)
		return NULL;
	return (uint32_t *)((uint8_t *)wl->bb_cpu + sb->off + (a - sb->page));
}

/*
 * Privileged (GGTT) batch buffers: copy every segment the scanner followed
 * into host graphics memory (outside every vGPU's range) from the bytes it
 * audited, and point the MI_BATCH_BUFFER_STARTs in the ring copy and in the
 * copies at the copies. A start to a PPGTT batch that relies on a missing
 * context privilege bit gets bit 8, since the physical context is
 * privileged. The guest can no longer change a batch after the scan.
 */
static int shadow_batches(struct gvt_vgpu *v, struct gvt_workload *wl,
			  const struct gvt_cmd_result *r)
{
	const struct gvt_host_ops *ops = v->gpu->ops;
	uint64_t total = 0;
	unsigned int i, k;
	int ret;

	if (r->nbb) {
		if (!ops->gm_alloc || !ops->gm_free) {
			gvt_vlog(v, 1, "privileged batch buffer: the host cannot shadow it, refused");
			return -EOPNOTSUPP;
		}
		wl->bbs = gvt_zalloc(r->nbb * sizeof(*wl->bbs));
		if (!wl->bbs)
			return -ENOMEM;
		for (i = 0; i < r->nbb; i++) {
			uint64_t page = r->bb[i].gma & ~(uint64_t)(GVT_PAGE_SIZE - 1);
			uint64_t end = r->bb[i].gma + GVT_MAX(r->bb[i].len, 4u);

			end = (end + GVT_PAGE_SIZE - 1) & ~(uint64_t)(GVT_PAGE_SIZE - 1);
			wl->bbs[i].page = page;
			wl->bbs[i].span = (uint32_t)(end - page);
			wl->bbs[i].off = (uint32_t)total;
			total += end - page;
			if (total > GVT_BB_SHADOW_MAX) {
				gvt_vlog(v, 1, "privileged batch buffers over %u bytes, refused",
					 GVT_BB_SHADOW_MAX);
				return -E2BIG;
			}
		}
		ret = ops->gm_alloc(v->gpu->priv, total, &wl->bb_cpu, &wl->bb_gm, &wl->bb_handle);
		if (ret) {
			wl->bb_cpu = wl->bb_handle = NULL;
			return ret;
		}
		wl->nbbs = r->nbb;
		for (i = 0; i < r->nbb; i++) {
			for (k = 0; k < wl->bbs[i].span; k += GVT_PAGE_SIZE) {
				uint64_t page = wl->bbs[i].page + k;
				uint8_t *dst = (uint8_t *)wl->bb_cpu + wl->bbs[i].off + k;
				const uint8_t *d = snap_find(wl, page);

				/*
				 * Pages the scan never read hold only bodies of
				 * commands it skipped by length: any content is as
				 * good (unmapped ones stay zero).
				 */
				if (d)
					gvt_memcpy(dst, d, GVT_PAGE_SIZE);
				else if (gvt_gm_rw(v, page, dst, GVT_PAGE_SIZE, false))
					gvt_memset(dst, 0, GVT_PAGE_SIZE);
				ring_overlay(wl, page, dst, GVT_PAGE_SIZE);
			}
		}
	}
	for (i = 0; i < r->nreloc; i++) {
		const struct gvt_cmd_reloc *rl = &r->reloc[i];
		uint32_t *hdr = copy_dw(wl, rl->in_bb, rl->where, 0);
		uint32_t *lo = copy_dw(wl, rl->in_bb, rl->where, 1);
		uint32_t *hi = copy_dw(wl, rl->in_bb, rl->where, 2);
		uint64_t addr;

		if (!hdr || !lo || !hi || rl->bb >= (int)wl->nbbs)
			return -EFAULT;
		if (rl->bb < 0) {
			*hdr |= GVT_BB_START_PPGTT;
			continue;
		}
		addr = wl->bb_gm + wl->bbs[rl->bb].off + (r->bb[rl->bb].gma - wl->bbs[rl->bb].page);
		*lo = (uint32_t)addr;
		*hi = (uint32_t)(addr >> 32);
	}
	v->exec->stats.shadow_bbs += r->nbb;
	snap_free(wl);
	return 0;
}

static void shadow_batches_free(struct gvt_vgpu *v, struct gvt_workload *wl)
{
	if (wl->bb_handle)
		v->gpu->ops->gm_free(v->gpu->priv, wl->bb_handle);
	wl->bb_handle = wl->bb_cpu = NULL;
	gvt_free(wl->bbs);
	wl->bbs = NULL;
	wl->nbbs = 0;
	snap_free(wl);
}

static const enum gvt_cmd_engine scan_engine[GVT_NUM_ENGINES] = {
	[GVT_ENGINE_RCS] = GVT_CMD_RCS, [GVT_ENGINE_VCS] = GVT_CMD_VCS,
	[GVT_ENGINE_BCS] = GVT_CMD_BCS, [GVT_ENGINE_VECS] = GVT_CMD_VECS,
};

static int scan_workload(struct gvt_vgpu *v, unsigned int e, struct gvt_workload *wl,
			 const uint32_t regs[], uint32_t start, uint32_t size)
{
	struct gvt_exec *x = v->exec;
	unsigned int mode = (wl->desc >> GVT_DESC_MODE_SHIFT) & 3, i;
	struct scan_ctx c = { .v = v, .wl = wl };
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
	/* the indirect-context batch: scanned first, result bb[0] */
	p.wa_gma = wl->wa_gma;
	p.wa_bytes = wl->wa_bytes;
	/* blits address the PPGTT, which is always shadowed (prepare_mm) */
	p.blt_ggtt = false;
	wl->ring_gma = start;
	wl->ring_size = size;
	ret = gvt_cmd_scan_ring(&x->scanner, &p, start, size, wl->head, wl->tail, &x->scan_res);
	if (ret == -EACCES && x->scan_res.violation == GVT_CMD_E_RUNAWAY) {
		/*
		 * Valid commands without end (IGT's hangcheck-unterminated):
		 * on hardware the engine hangs and the guest's driver resets
		 * it. Not run here, the workload never completes: the same.
		 */
		gvt_cmd_describe(&x->scan_res, p.engine, line, sizeof(line));
		gvt_vlog(v, 1, "command scanner: %s: not run, engine hung for the guest to reset", line);
		return -ELOOP;
	}
	if (ret == -EACCES) {
		gvt_cmd_describe(&x->scan_res, p.engine, line, sizeof(line));
		gvt_vlog(v, 0, "command scanner: %s", line);
		return ret;
	}
	if (ret)
		return ret;
	for (i = 0; i < x->scan_res.npdp; i++) {
		/*
		 * A PPGTT batch runs in place (not patchable) and unprivileged:
		 * the hardware would refuse the load anyway.
		 */
		if (x->scan_res.pdp[i].ppgtt) {
			gvt_vlog(v, 0, "command scanner: engine %u loads a PDP by LRI from a PPGTT batch (0x%x), refused",
				 e, x->scan_res.pdp[i].reg);
			return -EACCES;
		}
	}
	/* not a guest violation when this fails: host memory or limits */
	ret = shadow_batches(v, wl, &x->scan_res);
	return ret == -EACCES ? -EIO : ret;
}

/* ---- dispatch ---- */

/*
 * The RCS indirect-context batch of the guest image (read_context's @regs):
 * GGTT address and size, scanned and copied with the shadow batches. As on
 * hardware the pointer is taken from the image whatever CTX_CONTEXT_CONTROL
 * says: restore-inhibit skips the engine state, not the ring, PDP and
 * indirect-context registers, so a first (inhibited) load runs it too.
 * A per-context batch (BB_PER_CTX_PTR valid) is not supported: i915 sets
 * none on gen9; the workload is refused.
 */
static int read_wa_ctx(struct gvt_vgpu *v, unsigned int e, struct gvt_workload *wl,
		       const uint32_t regs[], struct gvt_host_submit *sub)
{
	uint32_t ind = regs[GVT_CTX_INDIRECT_CTX];

	if (e != GVT_ENGINE_RCS)
		return 0;	/* the other engines have no such registers */
	if (regs[GVT_CTX_BB_PER_CTX_PTR] & GVT_BB_PER_CTX_VALID) {
		gvt_vlog(v, 1, "engine %u: context 0x%llx has a per-context batch (BB_PER_CTX_PTR 0x%x): not supported, workload refused",
			 e, (unsigned long long)wl->lrca, regs[GVT_CTX_BB_PER_CTX_PTR]);
		return -EOPNOTSUPP;
	}
	wl->wa_bytes = (ind & GVT_INDIRECT_CTX_SIZE) * 64u;
	if (!wl->wa_bytes)
		return 0;
	wl->wa_gma = ind & ~(uint32_t)GVT_INDIRECT_CTX_SIZE;
	sub->wa_ctx_offset = regs[GVT_CTX_INDIRECT_CTX_OFFSET];
	return 0;
}

/* where the copy of the indirect-context batch (segment 0) runs from */
static void wa_ctx_submit(const struct gvt_workload *wl, struct gvt_host_submit *sub)
{
	if (!wl->wa_bytes || !wl->nbbs)
		return;
	sub->wa_ctx_gm = wl->bb_gm + wl->bbs[0].off + (wl->wa_gma - wl->bbs[0].page);
	sub->wa_ctx_bytes = wl->wa_bytes;
}

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

/* one more root for the workload (the same root twice is held once) */
static int wl_root_add(struct gvt_vgpu *v, struct gvt_workload *wl, unsigned int levels,
		       const uint64_t pdps[4], unsigned int *slot)
{
	struct sppt_root *r;
	unsigned int i;
	int ret;

	if (wl->nroots == GVT_WL_ROOTS)
		return -ENOSPC;
	ret = root_get(v, levels, pdps, &r);
	if (ret)
		return ret;
	for (i = 0; i < wl->nroots; i++)
		if (wl->roots[i] == r) {
			sppt_root_put(r);
			*slot = i;
			return 0;
		}
	*slot = wl->nroots;
	wl->roots[wl->nroots++] = r;
	return 0;
}

/* PDPn of a PDP register offset (engine base + 0x270 + 8n, +4 for UDW) */
static unsigned int pdp_index(uint32_t reg)
{
	return (((reg & 0xfff) - 0x270) / 8) & 3;
}

static bool pdp_udw(uint32_t reg)
{
	return reg & 4;
}

/*
 * PDP loads by LRI (the scanner's pdp[], all in the ring copy or in shadow
 * batch copies): the loads of one LRI give the guest's new roots; get (or
 * create) their shadow, to be patched in by lri_roots_patch(). Every PDP
 * an LRI touches must get both halves from it: a half-loaded root has no
 * shadow to point at. @slot: the root of each pdp[] entry.
 */
static int lri_roots_get(struct gvt_vgpu *v, struct gvt_workload *wl, unsigned int levels,
			 const uint64_t image[4], unsigned int slot[])
{
	const struct gvt_cmd_result *r = &v->exec->scan_res;
	uint64_t file[4];
	unsigned int i, j, k, s;
	int ret;

	gvt_memcpy(file, image, sizeof(file));
	for (i = 0; i < r->npdp; i = j) {
		unsigned int halves = 0;

		for (j = i; j < r->npdp && r->pdp[j].cmd == r->pdp[i].cmd; j++) {
			unsigned int n = pdp_index(r->pdp[j].reg);

			if (pdp_udw(r->pdp[j].reg)) {
				halves |= 2u << (2 * n);
				file[n] = (file[n] & 0xffffffffull) | (uint64_t)r->pdp[j].value << 32;
			} else {
				halves |= 1u << (2 * n);
				file[n] = (file[n] & ~0xffffffffull) | r->pdp[j].value;
			}
		}
		/* 0b01 and 0b10 per PDP: one half alone */
		if ((halves & 0x55) != ((halves >> 1) & 0x55)) {
			gvt_vlog(v, 0, "command scanner: PDP loaded by halves (LRI of 0x%x), refused",
				 r->pdp[i].reg);
			return -EACCES;
		}
		ret = wl_root_add(v, wl, levels, file, &s);
		if (ret)
			return ret;
		for (k = i; k < j; k++)
			slot[k] = s;
	}
	wl->pdp_loaded = r->npdp > 0;
	gvt_memcpy(wl->pdp_guest, file, sizeof(file));
	return 0;
}

/* write the shadow roots' addresses into the copies (roots in flight) */
static int lri_roots_patch(struct gvt_vgpu *v, struct gvt_workload *wl, const unsigned int slot[])
{
	const struct gvt_cmd_result *r = &v->exec->scan_res;
	uint64_t sh[GVT_WL_ROOTS][4];
	unsigned int i;
	int ret;

	for (i = 1; i < wl->nroots; i++) {
		ret = sppt_root_shadow_addr(wl->roots[i], sh[i]);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < r->npdp; i++) {
		const struct gvt_cmd_pdp *pd = &r->pdp[i];
		uint32_t *dw = copy_dw(wl, pd->in_ring ? -1 : pd->bb, pd->where, 0);
		/* 4-level: only PDP0 (the PML4) is used; sh[][1..3] are 0 */
		uint64_t a = slot[i] ? sh[slot[i]][pdp_index(pd->reg)] : 0;

		if (!dw || !slot[i])
			return -EFAULT;	/* cannot happen: slot 0 is the image's root */
		*dw = pdp_udw(pd->reg) ? (uint32_t)(a >> 32) : (uint32_t)a;
	}
	v->exec->stats.pdp_lri_patched += r->npdp;
	return 0;
}

/* @checked: guest page-table pages the sync compares against their snapshot */
static int prepare_mm(struct gvt_vgpu *v, struct gvt_workload *wl, const uint32_t regs[],
		      struct gvt_host_submit *sub, uint64_t *checked)
{
	unsigned int mode = (wl->desc >> GVT_DESC_MODE_SHIFT) & 3, i, levels, s;
	unsigned int slot[GVT_CMD_MAX_PDP];
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
	ret = wl_root_add(v, wl, levels, pdps, &s);
	if (ret)
		return ret;
	ret = lri_roots_get(v, wl, levels, pdps, slot);
	if (ret)
		goto out_put;
	/* untracked mode: the sync compares every page shadowed now */
	sppt_vgpu_stats(v->exec->sppt, &sst);
	*checked = sst.guest_pages;
	ret = sppt_submit_begin(v->exec->sppt, wl->roots, wl->nroots);
	if (ret)
		goto out_put;
	ret = sppt_root_shadow_addr(wl->roots[0], sub->pdp);
	if (ret < 0)
		goto out_end;
	sub->levels = (unsigned int)ret;
	ret = lri_roots_patch(v, wl, slot);
	if (ret)
		goto out_end;
	return 0;

out_end:
	sppt_submit_end(v->exec->sppt, wl->roots, wl->nroots);
out_put:
	for (i = 0; i < wl->nroots; i++)
		sppt_root_put(wl->roots[i]);
	wl->nroots = 0;
	return ret;
}

static void release_mm(struct gvt_vgpu *v, struct gvt_workload *wl)
{
	unsigned int i;

	if (!wl->nroots)
		return;
	sppt_submit_end(v->exec->sppt, wl->roots, wl->nroots);
	for (i = 0; i < wl->nroots; i++)
		sppt_root_put(wl->roots[i]);
	wl->nroots = 0;
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

/* after the GPU is done with it (or it never ran) */
static void wl_clear(struct gvt_vgpu *v, struct gvt_workload *wl)
{
	shadow_batches_free(v, wl);
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
	wl_clear(v, wl);
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
		wl_clear(v, wl);
		gvt_execlist_retire(v, e, 0);
		return 1;
	}
	sub.privileged = wl->desc & GVT_DESC_PRIVILEGE;
	sub.ctx_timestamp = regs[GVT_CTX_TIMESTAMP];
	ret = read_wa_ctx(v, e, wl, regs, &sub);
	if (ret)
		goto out_fail;
	t1 = gvt_now(v);
	prepare_ns = t1 - t_start;
	t0 = t1;
	ret = scan_workload(v, e, wl, regs, start, size);
	t1 = gvt_now(v);
	scan_ns = t1 - t0;
	t0 = t1;
	if (ret == -EACCES) {
		v->exec->stats.scan_rejects++;
		/* only this vGPU stops: its workloads no longer run */
		gvt_enter_failsafe(v, GVT_FAILSAFE_BAD_COMMAND);
		goto out_fail;
	}
	if (ret == -ELOOP)
		goto out_fail;	/* runaway batch: a hang of this workload only */
	if (ret) {
		gvt_vlog(v, 1, "engine %u: batch buffers cannot be shadowed (%d)", e, ret);
		goto out_fail;
	}
	wa_ctx_submit(wl, &sub);
	ret = prepare_mm(v, wl, regs, &sub, &checked);
	t1 = gvt_now(v);
	sync_ns = t1 - t0;
	t0 = t1;
	if (ret == -EACCES) {
		/* a PDP LRI the scanner passed but that cannot be patched */
		v->exec->stats.scan_rejects++;
		gvt_enter_failsafe(v, GVT_FAILSAFE_BAD_COMMAND);
		goto out_fail;
	}
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
	if (sub.wa_ctx_bytes)
		st->shadow_wa_ctxs++;
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
	wl_clear(v, wl);
	gvt_execlist_retire(v, e, ret ? ret : -EIO);
	return 1;
}

/* guest image dword @idx of the register-state page */
static int ctx_write(struct gvt_vgpu *v, const struct gvt_workload *wl, unsigned int idx,
		     uint32_t val)
{
	return gvt_gm_rw(v, wl->lrca + GVT_PAGE_SIZE + 4 * idx, &val, sizeof(val), true);
}

/*
 * The context save beyond the ring head, as the hardware would leave the
 * image: CTX_TIMESTAMP (the physical context ran from the guest's value)
 * and the PDPs when LRIs loaded new roots (the guest's values, never the
 * shadow's). Not written back: BB state (a completed workload has no batch
 * in flight, and the host's would name shadow addresses), CTX_CTRL and the
 * indirect-context pointers (the physical context's name the host copy).
 */
static int ctx_write_back(struct gvt_vgpu *v, unsigned int e, const struct gvt_workload *wl)
{
	const struct gvt_host_ops *ops = v->gpu->ops;
	void *hctx = v->exec->eng[e].hctx;
	unsigned int i;
	int ret = 0;

	if (ops->ctx_timestamp && hctx)
		ret = ctx_write(v, wl, GVT_CTX_TIMESTAMP, ops->ctx_timestamp(v->gpu->priv, hctx));
	for (i = 0; !ret && wl->pdp_loaded && i < 4; i++) {
		unsigned int udw = GVT_CTX_PDP0_UDW - 4 * i;

		ret = ctx_write(v, wl, udw, (uint32_t)(wl->pdp_guest[i] >> 32));
		if (!ret)
			ret = ctx_write(v, wl, udw + 2, (uint32_t)wl->pdp_guest[i]);
	}
	return ret;
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
			      sizeof(head), true) || ctx_write_back(v, e, wl))
			status = -EFAULT;
		vreg(v, RING_HEAD(gvt_engine_base(e))) = head;
		/*
		 * The copy may have held MI_USER_INTERRUPT / notify flushes:
		 * signal the breadcrumbs (a spurious one only makes i915 look
		 * at its seqnos).
		 */
		gvt_exec_raise(v, e, GVT_GT_USER);
	}
	wl_clear(v, wl);
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
	wl_clear(v, &ve->wl);
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
