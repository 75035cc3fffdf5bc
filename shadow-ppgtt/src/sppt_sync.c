// SPDX-License-Identifier: GPL-2.0-only
/*
 * sppt sync: trapped writes (tracked modes), out-of-sync and reused pages,
 * and the sync point run at every submission.
 */
#include "sppt_internal.h"

/* Reuse: the page gets no more write protection; it is compared with its
 * snapshot at every sync until no shadow references it. */
static void sppt_gpage_mark_reused(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	if (gp->flags & SPPT_GP_REUSED)
		return;
	sppt_gpage_unprotect(vgpu, gp);
	gp->flags = (gp->flags & ~SPPT_GP_OOS) | SPPT_GP_REUSED | SPPT_GP_COMPARE;
	sppt_list_del(&gp->cmp);
	sppt_list_add_tail(&gp->cmp, &vgpu->cmp);
	sppt_gpage_set_dirty(vgpu, gp);
	vgpu->st.reuse_events++;
}

/* Adaptive: too many writes since the last sync, stop trapping this page. */
static void sppt_gpage_mark_oos(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	sppt_gpage_unprotect(vgpu, gp);
	gp->flags |= SPPT_GP_OOS | SPPT_GP_COMPARE;
	sppt_gpage_set_dirty(vgpu, gp);
	vgpu->st.oos_events++;
}

static inline u64 sppt_load_le64(const u8 *p)
{
	u64 v;

	sppt_os_memcpy(&v, p, sizeof(v)); /* Gen8+ and its hosts are little-endian */
	return v;
}

/* The part of one trapped write that falls in one page. */
static void sppt_trap_page(struct sppt_vgpu *vgpu, u64 gpa, const u8 *data, unsigned int n,
			   unsigned int total)
{
	struct sppt_gpage *gp = sppt_gpage_find(vgpu, gpa >> SPPT_PAGE_SHIFT);
	unsigned int off = gpa & SPPT_OFF_MASK, end = off + n, i;
	unsigned int align = total < 8 ? total : 8;
	bool odd;

	if (!gp || !(gp->flags & SPPT_GP_PROTECTED)) {
		vgpu->st.stray_writes++;
		return;
	}
	if (gp->gen != vgpu->gen) {
		gp->gen = vgpu->gen;
		gp->writes = 0;
		gp->odd_writes = 0;
	}
	gp->writes++;
	/* PTE updates are 4-, 8- or 16-byte stores, naturally aligned (up to
	 * 8); anything else is data written into a page the guest reused. */
	odd = !(total == 4 || total == 8 || total == 16) || (gpa & (align - 1));
	if (odd && ++gp->odd_writes > vgpu->cfg.reuse_threshold) {
		sppt_gpage_mark_reused(vgpu, gp);
		return;
	}
	if (vgpu->cfg.mode == SPPT_MODE_TRACKED_ADAPTIVE && gp->writes > vgpu->cfg.oos_threshold) {
		sppt_gpage_mark_oos(vgpu, gp);
		return;
	}
	gp->hold++;
	for (i = off / 8; i * 8 < end; i++) {
		unsigned int es = i * 8;

		if (es >= off && es + 8 <= end) {
			/* Whole entry: apply now. */
			gp->pending[i / 64] &= ~(1ull << (i % 64));
			sppt_gpage_update(vgpu, gp, i, sppt_load_le64(data + (es - off)));
		} else {
			/* Torn: the rest comes in another write; replay at sync. */
			gp->pending[i / 64] |= 1ull << (i % 64);
			sppt_gpage_set_dirty(vgpu, gp);
			vgpu->st.partial_writes++;
		}
	}
	sppt_gpage_unhold(vgpu, gp);
}

int sppt_write_trap(struct sppt_vgpu *vgpu, uint64_t gpa, const void *data, size_t len)
{
	unsigned int first;
	int ret;

	if (!vgpu || !data || !len || len > 16)
		return -EINVAL;
	if (vgpu->cfg.mode == SPPT_MODE_UNTRACKED)
		return -EINVAL;
	sppt_os_mutex_lock(&vgpu->lock);
	vgpu->last_err = 0;
	vgpu->st.trapped_writes++;
	first = SPPT_PAGE_SIZE - (gpa & SPPT_OFF_MASK);
	if (first > len)
		first = len;
	sppt_trap_page(vgpu, gpa, data, first, len);
	if (first < len)
		sppt_trap_page(vgpu, gpa + first, (const u8 *)data + first, len - first, len);
	ret = vgpu->last_err;
	sppt_os_mutex_unlock(&vgpu->lock);
	return ret;
}

int sppt_page_reuse(struct sppt_vgpu *vgpu, uint64_t gpa)
{
	struct sppt_gpage *gp;

	if (!vgpu)
		return -EINVAL;
	sppt_os_mutex_lock(&vgpu->lock);
	gp = sppt_gpage_find(vgpu, gpa >> SPPT_PAGE_SHIFT);
	if (gp)
		sppt_gpage_mark_reused(vgpu, gp);
	sppt_os_mutex_unlock(&vgpu->lock);
	return gp ? 0 : -ENOENT;
}

/* Current guest content of @gp: in place when the host offers it. */
static const u64 *sppt_gpage_read(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	const void *p = NULL;
	u64 gfn = gp->node.key;

	if (vgpu->ops->guest_page)
		p = vgpu->ops->guest_page(vgpu->priv, gfn);
	if (p)
		return p;
	if (vgpu->ops->read_gpa(vgpu->priv, gfn << SPPT_PAGE_SHIFT, vgpu->tmp, SPPT_PAGE_SIZE)) {
		sppt_os_warn("guest page-table page 0x%llx unreadable, kept as is",
			     (unsigned long long)gfn);
		return NULL;
	}
	return vgpu->tmp;
}

static void sppt_gpage_check(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	const u64 *page = sppt_gpage_read(vgpu, gp);

	if (page && sppt_os_memcmp(page, gp->snap, SPPT_PAGE_SIZE)) {
		gp->flags |= SPPT_GP_COMPARE;
		sppt_gpage_set_dirty(vgpu, gp);
	}
}

static void sppt_gpage_sync(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	const u64 *page;
	u64 before = vgpu->st.entries_synced;
	unsigned int i, w;

	if (gp->flags & SPPT_GP_OOS) {
		/* Protect again before reading: later writes trap again. */
		gp->flags &= ~SPPT_GP_OOS;
		if (sppt_gpage_protect(vgpu, gp))
			sppt_gpage_mark_reused(vgpu, gp);
		gp->flags |= SPPT_GP_COMPARE;
	}
	page = sppt_gpage_read(vgpu, gp);
	if (page) {
		if (gp->flags & SPPT_GP_COMPARE) {
			sppt_gpage_update_page(vgpu, gp, page);
		} else {
			for (w = 0; w < SPPT_ENTRIES / 64; w++) {
				u64 bits = gp->pending[w];

				while (bits) {
					i = w * 64 + __builtin_ctzll(bits);
					bits &= bits - 1;
					sppt_gpage_update(vgpu, gp, i,
							  sppt_load_once(&page[i]));
				}
			}
		}
	}
	sppt_os_memset(gp->pending, 0, sizeof(gp->pending));
	gp->flags &= ~SPPT_GP_COMPARE;
	if (vgpu->st.entries_synced != before)
		vgpu->st.resyncs++;
}

void sppt_sync(struct sppt_vgpu *vgpu)
{
	struct sppt_list *l, *head;

	vgpu->st.syncs++;
	/* Phase 1: find the changed pages among those nothing tracks. */
	if (vgpu->cfg.mode == SPPT_MODE_UNTRACKED) {
		head = &vgpu->all;
		for (l = head->next; l != head; l = l->next)
			sppt_gpage_check(vgpu, sppt_container_of(l, struct sppt_gpage, all));
	} else {
		head = &vgpu->cmp;
		for (l = head->next; l != head; l = l->next)
			sppt_gpage_check(vgpu, sppt_container_of(l, struct sppt_gpage, cmp));
	}
	/* Phase 2: sync them. Syncing one page may free others (they leave
	 * the dirty list then) or create new ones (built from fresh reads). */
	while (!sppt_list_empty(&vgpu->dirty)) {
		struct sppt_gpage *gp = sppt_container_of(vgpu->dirty.next, struct sppt_gpage, dirty);

		sppt_list_del(&gp->dirty);
		gp->flags &= ~SPPT_GP_DIRTY;
		sppt_gpage_hold(gp);
		sppt_gpage_sync(vgpu, gp);
		sppt_gpage_unhold(vgpu, gp);
	}
	vgpu->gen++;
}
