// SPDX-License-Identifier: GPL-2.0-only
/*
 * sppt roots and vGPU lifetime: root cache, LRU reclaim under the memory
 * budget, submission begin/end, stats.
 */
#include "sppt_internal.h"

static bool sppt_root_present(u64 pdp)
{
	/* A root pointer is present when it holds an address, as GVT treats
	 * the context's PDP registers (i915 never points them at page 0). */
	return (pdp & SPPT_ADDR_MASK) != 0;
}

static void sppt_root_shadow(struct sppt_root *r)
{
	struct sppt_vgpu *vgpu = r->vgpu;
	unsigned int k, n = r->levels == 4 ? 1 : 4;

	for (k = 0; k < n; k++)
		if (sppt_root_present(r->pdps[k]))
			r->top[k] = sppt_spt_get_top(vgpu, r->pdps[k], r->levels == 4 ? 4 : 2);
	r->shadowed = true;
}

void sppt_root_unshadow(struct sppt_root *r)
{
	unsigned int k;

	for (k = 0; k < 4; k++) {
		if (r->top[k])
			sppt_spt_put(r->vgpu, r->top[k]);
		r->top[k] = NULL;
	}
	r->shadowed = false;
}

static void sppt_root_touch(struct sppt_root *r)
{
	sppt_list_del(&r->link);
	sppt_list_add_tail(&r->link, &r->vgpu->roots);
}

/* Drop the shadows of least recently used roots not in flight until the
 * vGPU is within its budget (roots stay valid and re-shadow on demand). */
static void sppt_reclaim(struct sppt_vgpu *vgpu)
{
	struct sppt_list *l;

	if (!vgpu->cfg.mem_budget)
		return;
	for (l = vgpu->roots.next; l != &vgpu->roots; l = l->next) {
		struct sppt_root *r = sppt_container_of(l, struct sppt_root, link);

		if (vgpu->st.mem_bytes <= vgpu->cfg.mem_budget)
			break;
		if (!r->shadowed || r->inflight)
			continue;
		sppt_root_unshadow(r);
		vgpu->st.reclaims++;
	}
}

/*
 * Out of memory while shadowing: drop the least recently used root not in
 * flight. Safe at any allocation: everything the caller is working on holds
 * a reference (new tables their parent's, synced pages a hold), and roots
 * being shadowed or submitted are in flight.
 */
bool sppt_reclaim_one(struct sppt_vgpu *vgpu)
{
	struct sppt_list *l;

	if (vgpu->reclaim_off)
		return false;
	for (l = vgpu->roots.next; l != &vgpu->roots; l = l->next) {
		struct sppt_root *r = sppt_container_of(l, struct sppt_root, link);

		if (r->shadowed && !r->inflight) {
			sppt_root_unshadow(r);
			vgpu->st.reclaims++;
			return true;
		}
	}
	return false;
}

static void sppt_root_free(struct sppt_root *r)
{
	struct sppt_vgpu *vgpu = r->vgpu;

	sppt_root_unshadow(r);
	sppt_list_del(&r->link);
	sppt_meta_free(vgpu, r, sizeof(*r));
	vgpu->st.roots--;
}

int sppt_root_get(struct sppt_vgpu *vgpu, unsigned int levels, const uint64_t pdps[4],
		  struct sppt_root **out)
{
	struct sppt_list *l;
	struct sppt_root *r = NULL;
	u64 key[4] = { 0, 0, 0, 0 };
	unsigned int k;

	if (!vgpu || !pdps || !out || (levels != 3 && levels != 4))
		return -EINVAL;
	for (k = 0; k < (levels == 4 ? 1u : 4u); k++)
		key[k] = pdps[k] & SPPT_ADDR_MASK;
	sppt_os_mutex_lock(&vgpu->lock);
	/* Few roots per vGPU (one per guest address space): a list is enough. */
	for (l = vgpu->roots.next; l != &vgpu->roots; l = l->next) {
		struct sppt_root *c = sppt_container_of(l, struct sppt_root, link);

		if (c->levels == levels && !sppt_os_memcmp(c->pdps, key, sizeof(key))) {
			r = c;
			break;
		}
	}
	if (r) {
		r->ref++;
	} else {
		r = sppt_meta_alloc(vgpu, sizeof(*r));
		if (!r) {
			sppt_os_mutex_unlock(&vgpu->lock);
			return -ENOMEM;
		}
		r->vgpu = vgpu;
		r->levels = levels;
		r->ref = 1;
		sppt_os_memcpy(r->pdps, key, sizeof(key));
		sppt_list_init(&r->link);
		vgpu->st.roots++;
	}
	sppt_root_touch(r);
	if (!r->shadowed) {
		r->inflight++; /* not a reclaim victim of its own shadowing */
		sppt_reclaim(vgpu);
		sppt_root_shadow(r);
		r->inflight--;
	}
	sppt_os_mutex_unlock(&vgpu->lock);
	*out = r;
	return 0;
}

void sppt_root_put(struct sppt_root *r)
{
	struct sppt_vgpu *vgpu;

	if (!r)
		return;
	vgpu = r->vgpu;
	sppt_os_mutex_lock(&vgpu->lock);
	if (!--r->ref)
		sppt_root_free(r);
	sppt_os_mutex_unlock(&vgpu->lock);
}

int sppt_root_shadow_addr(struct sppt_root *r, uint64_t pdps[4])
{
	struct sppt_vgpu *vgpu = r->vgpu;
	unsigned int k;
	int ret = r->levels;

	sppt_os_mutex_lock(&vgpu->lock);
	if (!r->shadowed) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	for (k = 0; k < 4; k++) {
		if (r->levels == 4 && k)
			pdps[k] = 0;
		else if (r->top[k])
			pdps[k] = r->top[k]->dma;
		else
			pdps[k] = vgpu->scratch[r->levels == 4 ? 4 : 2].dma;
	}
out_unlock:
	sppt_os_mutex_unlock(&vgpu->lock);
	return ret;
}

int sppt_submit_begin(struct sppt_vgpu *vgpu, struct sppt_root *const *roots, unsigned int n)
{
	unsigned int k;

	if (!vgpu || (n && !roots))
		return -EINVAL;
	for (k = 0; k < n; k++)
		if (!roots[k] || roots[k]->vgpu != vgpu)
			return -EINVAL;
	sppt_os_mutex_lock(&vgpu->lock);
	for (k = 0; k < n; k++) {
		roots[k]->inflight++;
		roots[k]->ref++; /* a submission keeps its roots alive */
		sppt_root_touch(roots[k]);
	}
	sppt_reclaim(vgpu);
	/* Shadow first (from the snapshots), then sync: the sync brings every
	 * page the submitted roots reach up to date, these roots' included. */
	for (k = 0; k < n; k++)
		if (!roots[k]->shadowed)
			sppt_root_shadow(roots[k]);
	sppt_sync(vgpu);
	sppt_os_mutex_unlock(&vgpu->lock);
	return 0;
}

void sppt_submit_end(struct sppt_vgpu *vgpu, struct sppt_root *const *roots, unsigned int n)
{
	unsigned int k;

	if (!vgpu || !roots)
		return;
	sppt_os_mutex_lock(&vgpu->lock);
	for (k = 0; k < n; k++) {
		struct sppt_root *r = roots[k];

		if (!r || r->vgpu != vgpu || !r->inflight)
			continue;
		r->inflight--;
		if (!--r->ref)
			sppt_root_free(r);
	}
	sppt_os_mutex_unlock(&vgpu->lock);
}

int sppt_linear_register(struct sppt_vgpu *vgpu, uint64_t gfn, uint64_t npages, uint64_t dma)
{
	struct sppt_linear *l;
	u32 k;
	int ret = 0;

	/* Shadow PTEs hold addresses in bits 12..47: both ends must fit. */
	if (!vgpu || !npages || (dma & SPPT_OFF_MASK) || gfn >= (1ull << 36) ||
	    npages > (1ull << 36) - gfn || dma >= (1ull << 48) ||
	    npages > ((1ull << 48) - dma) >> SPPT_PAGE_SHIFT)
		return -EINVAL;
	sppt_os_mutex_lock(&vgpu->lock);
	for (k = 0; k < vgpu->nlin; k++) {
		l = &vgpu->lin[k];
		if (gfn < l->gfn + l->npages && l->gfn < gfn + npages) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	if (vgpu->nlin == SPPT_LINEAR_MAX) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	l = &vgpu->lin[vgpu->nlin++];
	l->gfn = gfn;
	l->npages = npages;
	l->delta = dma - (gfn << SPPT_PAGE_SHIFT);
	vgpu->reclaim_off = true;
	sppt_linear_reeval(vgpu, gfn, npages, true);
	vgpu->reclaim_off = false;
out_unlock:
	sppt_os_mutex_unlock(&vgpu->lock);
	return ret;
}

int sppt_linear_unregister(struct sppt_vgpu *vgpu, uint64_t gfn, uint64_t npages)
{
	u32 k;

	if (!vgpu)
		return -EINVAL;
	sppt_os_mutex_lock(&vgpu->lock);
	for (k = 0; k < vgpu->nlin; k++)
		if (vgpu->lin[k].gfn == gfn && vgpu->lin[k].npages == npages)
			break;
	if (k == vgpu->nlin) {
		sppt_os_mutex_unlock(&vgpu->lock);
		return -ENOENT;
	}
	/* Out of the set first: the entries it covered now pin (or map
	 * scratch), and none of them still points into the range on return. */
	vgpu->lin[k] = vgpu->lin[--vgpu->nlin];
	vgpu->lin[vgpu->nlin] = (struct sppt_linear){ 0 };
	vgpu->lin_hint = 0;
	vgpu->reclaim_off = true;
	sppt_linear_reeval(vgpu, gfn, npages, false);
	vgpu->reclaim_off = false;
	sppt_os_mutex_unlock(&vgpu->lock);
	return 0;
}

int sppt_vgpu_invalidate(struct sppt_vgpu *vgpu)
{
	struct sppt_list *l;
	int n = 0;

	sppt_os_mutex_lock(&vgpu->lock);
	for (l = vgpu->roots.next; l != &vgpu->roots; l = l->next) {
		struct sppt_root *r = sppt_container_of(l, struct sppt_root, link);

		if (!r->shadowed || r->inflight)
			continue;
		sppt_root_unshadow(r);
		n++;
	}
	sppt_os_mutex_unlock(&vgpu->lock);
	return n;
}

void sppt_vgpu_stats(struct sppt_vgpu *vgpu, struct sppt_stats *st)
{
	sppt_os_mutex_lock(&vgpu->lock);
	*st = vgpu->st;
	sppt_os_mutex_unlock(&vgpu->lock);
}

uint64_t sppt_scratch_addr(struct sppt_vgpu *vgpu, unsigned int level)
{
	return level <= 4 ? vgpu->scratch[level].dma : 0;
}

int sppt_vgpu_create(const struct sppt_ops *ops, void *priv, const struct sppt_config *cfg,
		     struct sppt_vgpu **out)
{
	struct sppt_vgpu *vgpu;
	int ret;

	if (!ops || !cfg || !out || !ops->read_gpa || !ops->pin || !ops->unpin ||
	    !ops->table_alloc || !ops->table_free)
		return -EINVAL;
	if (cfg->mode != SPPT_MODE_TRACKED_STRICT && cfg->mode != SPPT_MODE_TRACKED_ADAPTIVE &&
	    cfg->mode != SPPT_MODE_UNTRACKED)
		return -EINVAL;
	if (cfg->mode != SPPT_MODE_UNTRACKED && (!ops->protect || !ops->unprotect))
		return -EINVAL;
	vgpu = sppt_os_zalloc(sizeof(*vgpu));
	if (!vgpu)
		return -ENOMEM;
	vgpu->ops = ops;
	vgpu->priv = priv;
	vgpu->cfg = *cfg;
	if (!vgpu->cfg.oos_threshold)
		vgpu->cfg.oos_threshold = SPPT_DEFAULT_OOS;
	if (!vgpu->cfg.reuse_threshold)
		vgpu->cfg.reuse_threshold = SPPT_DEFAULT_REUSE;
	vgpu->st.mem_bytes = sizeof(*vgpu) + SPPT_PAGE_SIZE;
	sppt_os_mutex_init(&vgpu->lock);
	sppt_list_init(&vgpu->all);
	sppt_list_init(&vgpu->cmp);
	sppt_list_init(&vgpu->dirty);
	sppt_list_init(&vgpu->roots);
	ret = -ENOMEM;
	vgpu->tmp = sppt_os_zalloc(SPPT_PAGE_SIZE);
	if (!vgpu->tmp)
		goto out_free_vgpu;
	if (sppt_hash_init(&vgpu->gpages, 10))
		goto out_free_tmp;
	if (sppt_hash_init(&vgpu->pins, 6))
		goto out_fini_gpages;
	if (sppt_hash_init(&vgpu->split2m, 4))
		goto out_fini_pins;
	ret = sppt_scratch_init(vgpu);
	if (ret)
		goto out_fini_scratch;
	*out = vgpu;
	return 0;

out_fini_scratch:
	sppt_scratch_fini(vgpu);
	sppt_hash_fini(&vgpu->split2m);
out_fini_pins:
	sppt_hash_fini(&vgpu->pins);
out_fini_gpages:
	sppt_hash_fini(&vgpu->gpages);
out_free_tmp:
	sppt_os_free(vgpu->tmp);
out_free_vgpu:
	sppt_os_mutex_destroy(&vgpu->lock);
	sppt_os_free(vgpu);
	return ret;
}

void sppt_vgpu_destroy(struct sppt_vgpu *vgpu)
{
	if (!vgpu)
		return;
	sppt_os_mutex_lock(&vgpu->lock);
	while (!sppt_list_empty(&vgpu->roots))
		sppt_root_free(sppt_container_of(vgpu->roots.next, struct sppt_root, link));
	if (vgpu->st.pins || vgpu->st.guest_pages || vgpu->st.shadow_pages != 5)
		sppt_os_warn("teardown imbalance: %llu pins, %llu guest pages, %llu tables",
			     (unsigned long long)vgpu->st.pins,
			     (unsigned long long)vgpu->st.guest_pages,
			     (unsigned long long)vgpu->st.shadow_pages);
	sppt_scratch_fini(vgpu);
	sppt_hash_fini(&vgpu->split2m);
	sppt_hash_fini(&vgpu->pins);
	sppt_hash_fini(&vgpu->gpages);
	sppt_os_free(vgpu->tmp);
	sppt_os_mutex_unlock(&vgpu->lock);
	sppt_os_mutex_destroy(&vgpu->lock);
	sppt_os_free(vgpu);
}
