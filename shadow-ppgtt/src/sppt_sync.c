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

/* The highest directory level @gp is shadowed at (4, 3 or 2), 1 if none. */
static unsigned int sppt_gpage_top(const struct sppt_gpage *gp)
{
	if (gp->spt[SPPT_V_PML4])
		return 4;
	if (gp->spt[SPPT_V_PDP])
		return 3;
	return gp->spt[SPPT_V_PD] ? 2 : 1;
}

bool sppt_gpage_has_upper(const struct sppt_gpage *gp)
{
	return sppt_gpage_top(gp) > 1;
}

/*
 * Stamp @s and every table below it with @mark (@probe: the probe stamp,
 * else the reach stamp). The children are found as releasing finds them,
 * from the snapshot the shadow reflects; the depth is at most 4 (each level
 * points one level down) and each table is scanned once per mark.
 */
static void sppt_spt_walk(struct sppt_vgpu *vgpu, struct sppt_spt *s, u64 mark, bool probe)
{
	u64 *stamp = probe ? &s->probe : &s->reach;
	unsigned int i;

	if (*stamp == mark)
		return;
	*stamp = mark;
	if (s->level == 1)
		return;
	for (i = 0; i < SPPT_ENTRIES; i++) {
		struct sppt_spt *c = sppt_upper_child(vgpu, s->level, s->table[i], s->gp->snap[i]);

		if (c)
			sppt_spt_walk(vgpu, c, mark, probe);
	}
}

static void sppt_root_walk(struct sppt_root *r, u64 mark, bool probe)
{
	unsigned int k;

	for (k = 0; k < 4; k++)
		if (r->top[k])
			sppt_spt_walk(r->vgpu, r->top[k], mark, probe);
}

/* Stamp every table reachable from a root in flight (being submitted or
 * not yet ended); returns the stamp. */
static u64 sppt_mark_inflight(struct sppt_vgpu *vgpu)
{
	u64 mark = ++vgpu->mark;
	struct sppt_list *l;

	for (l = vgpu->roots.next; l != &vgpu->roots; l = l->next) {
		struct sppt_root *r = sppt_container_of(l, struct sppt_root, link);

		if (r->inflight && r->shadowed)
			sppt_root_walk(r, mark, false);
	}
	return mark;
}

/*
 * The variants of @gp in @vmask are reachable from idle roots only: drop the
 * shadows of the idle roots that reach one (they are re-shadowed from the
 * guest's current content at their next submission), so that those variants
 * go instead of being re-synced in a role the page may no longer play.
 */
static void sppt_unshadow_idle_reaching(struct sppt_vgpu *vgpu, struct sppt_gpage *gp,
					unsigned int vmask)
{
	struct sppt_list *l;
	unsigned int v;

	for (l = vgpu->roots.next; l != &vgpu->roots; l = l->next) {
		struct sppt_root *r = sppt_container_of(l, struct sppt_root, link);
		u64 mark;

		if (r->inflight || !r->shadowed)
			continue;
		mark = ++vgpu->mark;
		sppt_root_walk(r, mark, true);
		for (v = 0; v < SPPT_V_NR; v++) {
			if ((vmask & (1u << v)) && gp->spt[v] && gp->spt[v]->probe == mark) {
				sppt_root_unshadow(r);
				vgpu->st.stale_unshadows++;
				break;
			}
		}
	}
}

/*
 * @gp is about to get a new variant and nothing write-protects it: when the
 * guest changed it since its snapshot, bring the snapshot in first. The idle
 * roots that reach its existing variants are unshadowed (the page may have
 * changed role: re-syncing it for them would shadow garbage); variants that
 * roots in flight still reach are synced, as at a sync point.
 */
void sppt_gpage_refresh(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	const u64 *page = NULL;
	unsigned int v, vmask = 0;
	u64 *buf = NULL;

	for (v = 0; v < SPPT_V_NR; v++)
		if (gp->spt[v])
			vmask |= 1u << v;
	if (!vmask)
		return; /* no shadow reflects it: built from a fresh read */
	if (vgpu->ops->guest_page)
		page = vgpu->ops->guest_page(vgpu->priv, gp->node.key);
	if (!page) {
		/* A buffer of its own: syncing this page may refresh others
		 * (nested), and the sync's vgpu->tmp may be in use. Without
		 * memory the page is kept as is; the next sync brings it in. */
		buf = sppt_os_zalloc(SPPT_PAGE_SIZE);
		if (!buf || vgpu->ops->read_gpa(vgpu->priv, gp->node.key << SPPT_PAGE_SHIFT, buf,
						SPPT_PAGE_SIZE))
			goto out_free;
		page = buf;
	}
	if (sppt_os_memcmp(page, gp->snap, SPPT_PAGE_SIZE)) {
		gp->hold++;
		sppt_unshadow_idle_reaching(vgpu, gp, vmask);
		sppt_gpage_update_page(vgpu, gp, page);
		gp->hold--; /* the caller attaches the new variant or frees the page */
	}
out_free:
	sppt_os_free(buf);
}

static void sppt_list_splice_tail(struct sppt_list *from, struct sppt_list *to)
{
	while (!sppt_list_empty(from)) {
		struct sppt_list *n = from->next;

		sppt_list_del(n);
		sppt_list_add_tail(n, to);
	}
}

/*
 * Sync one dirty page with a page-directory variant (PD, PDP, PML4) against
 * the reach stamps @mark: not reachable from a root in flight, it stays
 * dirty and is left on @defer; otherwise its variants that only idle roots
 * reach are dropped first, then it is synced. Returns whether it was synced.
 */
static bool sppt_gpage_sync_upper(struct sppt_vgpu *vgpu, struct sppt_gpage *gp, u64 mark,
				  struct sppt_list *defer)
{
	unsigned int v, reached = 0, unreached = 0;

	for (v = 0; v < SPPT_V_NR; v++) {
		if (!gp->spt[v])
			continue;
		if (gp->spt[v]->reach == mark)
			reached |= 1u << v;
		else
			unreached |= 1u << v;
	}
	sppt_list_del(&gp->dirty);
	if (!reached) {
		sppt_list_add_tail(&gp->dirty, defer); /* still SPPT_GP_DIRTY */
		return false;
	}
	gp->flags &= ~SPPT_GP_DIRTY;
	sppt_gpage_hold(gp);
	if (unreached)
		sppt_unshadow_idle_reaching(vgpu, gp, unreached);
	sppt_gpage_sync(vgpu, gp);
	sppt_gpage_unhold(vgpu, gp);
	return true;
}

/*
 * Order the dirty list top-down: pages shadowed as a PML4 first, then PDPs,
 * then PDs, then the rest, each group in its old order. A parent synced
 * first drops the links its guest removed, so a child freed and reused in
 * another role is not reached through the parent's stale snapshot.
 */
static void sppt_dirty_sort(struct sppt_vgpu *vgpu)
{
	struct sppt_list by[4];
	unsigned int k;

	for (k = 0; k < 4; k++)
		sppt_list_init(&by[k]);
	while (!sppt_list_empty(&vgpu->dirty)) {
		struct sppt_list *n = vgpu->dirty.next;

		sppt_list_del(n);
		sppt_list_add_tail(n, &by[4 - sppt_gpage_top(sppt_container_of(n, struct sppt_gpage,
									    dirty))]);
	}
	for (k = 0; k < 4; k++)
		sppt_list_splice_tail(&by[k], &vgpu->dirty);
}

void sppt_sync(struct sppt_vgpu *vgpu)
{
	struct sppt_list *l, *head, defer;
	bool again;

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
	/*
	 * Phase 2: sync them. Syncing one page may free others (they leave
	 * the dirty list then) or create new ones (built from fresh reads).
	 * A page shadowed as a page directory is synced only when a root in
	 * flight reaches it: a guest that freed an address space may reuse its
	 * pages as other tables or data while an idle cached root still holds
	 * them, and re-syncing them in their old role would shadow garbage
	 * (1G pages refused, tables made of data). Those stay dirty until a
	 * root reaching them is submitted. Directories are synced top-down
	 * and the reach is walked again after each: a parent that dropped a
	 * child the guest freed and reused must not lead to it through its old
	 * snapshot. Syncing a directory may make more pages reachable: then the
	 * deferred ones are looked at again.
	 */
	sppt_list_init(&defer);
	do {
		u64 mark = 0;

		again = false;
		sppt_dirty_sort(vgpu);
		while (!sppt_list_empty(&vgpu->dirty)) {
			struct sppt_gpage *gp = sppt_container_of(vgpu->dirty.next, struct sppt_gpage,
								  dirty);

			if (sppt_gpage_has_upper(gp)) {
				if (!mark)
					mark = sppt_mark_inflight(vgpu);
				if (sppt_gpage_sync_upper(vgpu, gp, mark, &defer)) {
					/* Its links changed: reach again. */
					again = true;
					mark = 0;
				}
				continue;
			}
			sppt_list_del(&gp->dirty);
			gp->flags &= ~SPPT_GP_DIRTY;
			sppt_gpage_hold(gp);
			sppt_gpage_sync(vgpu, gp);
			sppt_gpage_unhold(vgpu, gp);
		}
		again &= !sppt_list_empty(&defer);
		sppt_list_splice_tail(&defer, &vgpu->dirty);
	} while (again);
	vgpu->gen++;
}
