// SPDX-License-Identifier: GPL-2.0-only
/*
 * sppt core: hash tables, the pin cache, guest pages, shadow tables and the
 * per-entry shadowing rules.
 *
 * Invariant: the shadow of a guest page is a pure function of its snapshot
 * (gp->snap) and its variant (level, 64K mode). Every shadow entry that does
 * not point at a scratch table/page holds exactly one reference: a pin of the
 * guest page for a leaf, a reference on the child shadow table otherwise.
 * Releasing an entry recomputes which reference it held from the snapshot
 * value it was made from, so no per-entry side table is needed.
 */
#include "sppt_internal.h"

/* ---------------------------------------------------------------- hash */

int sppt_hash_init(struct sppt_hash *h, u32 bits)
{
	h->bits = bits;
	h->count = 0;
	h->b = sppt_os_zalloc(sizeof(*h->b) << bits);
	return h->b ? 0 : -ENOMEM;
}

void sppt_hash_fini(struct sppt_hash *h)
{
	sppt_os_free(h->b);
	h->b = NULL;
}

static void sppt_hash_grow(struct sppt_hash *h)
{
	struct sppt_hash n = { .bits = h->bits + 1, .count = h->count };
	u64 i;

	n.b = sppt_os_zalloc(sizeof(*n.b) << n.bits);
	if (!n.b)
		return; /* keep the longer chains; still correct */
	for (i = 0; i < (1ull << h->bits); i++) {
		struct sppt_hnode *e = h->b[i], *next;

		for (; e; e = next) {
			u64 k = sppt_hash_idx(&n, e->key);

			next = e->next;
			e->next = n.b[k];
			n.b[k] = e;
		}
	}
	sppt_os_free(h->b);
	*h = n;
}

void sppt_hash_add(struct sppt_hash *h, struct sppt_hnode *n)
{
	u64 k;

	if (h->count >= (1ull << h->bits) && h->bits < 30)
		sppt_hash_grow(h);
	k = sppt_hash_idx(h, n->key);
	n->next = h->b[k];
	h->b[k] = n;
	h->count++;
}

void sppt_hash_del(struct sppt_hash *h, struct sppt_hnode *n)
{
	struct sppt_hnode **pp = &h->b[sppt_hash_idx(h, n->key)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = n->next;
		h->count--;
	}
}

/* ------------------------------------------------------------- memory */

void *sppt_meta_alloc(struct sppt_vgpu *vgpu, size_t len)
{
	void *p = sppt_os_zalloc(len);

	while (SPPT_UNLIKELY(!p) && sppt_reclaim_one(vgpu))
		p = sppt_os_zalloc(len);
	if (p)
		vgpu->st.mem_bytes += len;
	return p;
}

void sppt_meta_free(struct sppt_vgpu *vgpu, void *p, size_t len)
{
	if (!p)
		return;
	vgpu->st.mem_bytes -= len;
	sppt_os_free(p);
}

static int sppt_table_alloc(struct sppt_vgpu *vgpu, u64 **va, u64 *dma)
{
	void *p = NULL;
	int ret;

	ret = vgpu->ops->table_alloc(vgpu->priv, &p, dma);
	while (SPPT_UNLIKELY(ret || !p) && sppt_reclaim_one(vgpu)) {
		p = NULL;
		ret = vgpu->ops->table_alloc(vgpu->priv, &p, dma);
	}
	if (ret || !p) {
		vgpu->st.alloc_failures++;
		sppt_os_warn("shadow table allocation failed (%d)", ret);
		return ret ? ret : -ENOMEM;
	}
	*va = p;
	vgpu->st.shadow_pages++;
	vgpu->st.mem_bytes += SPPT_PAGE_SIZE;
	return 0;
}

static void sppt_table_free(struct sppt_vgpu *vgpu, u64 *va, u64 dma)
{
	vgpu->ops->table_free(vgpu->priv, va, dma);
	vgpu->st.shadow_pages--;
	vgpu->st.mem_bytes -= SPPT_PAGE_SIZE;
}

/* ---------------------------------------------------------- pin cache */

static struct sppt_pin_chunk *sppt_pin_chunk(struct sppt_vgpu *vgpu, u64 ck)
{
	struct sppt_pin_chunk **slot = &vgpu->chunk_cache[ck & 15], *c = *slot;
	struct sppt_hnode *n;

	if (SPPT_LIKELY(c && c->node.key == ck))
		return c;
	n = sppt_hash_find(&vgpu->pins, ck);
	if (!n)
		return NULL;
	c = sppt_container_of(n, struct sppt_pin_chunk, node);
	*slot = c;
	return c;
}

static int sppt_pin_get_slow(struct sppt_vgpu *vgpu, u64 gfn, u64 *dma)
{
	u64 ck = gfn >> SPPT_PIN_CHUNK_SHIFT;
	unsigned int j = gfn & (SPPT_PIN_CHUNK - 1);
	struct sppt_pin_chunk *c = sppt_pin_chunk(vgpu, ck);
	int ret;

	if (SPPT_LIKELY(c && c->ref[j])) {
		c->ref[j]++;
		*dma = c->dma[j];
		return 0;
	}
	/* Pin before allocating: gfns outside guest RAM (guest garbage) fail
	 * here without touching the cache. */
	ret = vgpu->ops->pin(vgpu->priv, gfn, dma);
	if (ret)
		return ret;
	if (!c) {
		c = sppt_meta_alloc(vgpu, sizeof(*c));
		if (!c) {
			vgpu->ops->unpin(vgpu->priv, gfn, *dma);
			return -ENOMEM;
		}
		c->node.key = ck;
		sppt_hash_add(&vgpu->pins, &c->node);
	}
	c->dma[j] = *dma;
	c->ref[j] = 1;
	c->used++;
	vgpu->st.pins++;
	*dma = c->dma[j];
	return 0;
}

static void sppt_pin_put_slow(struct sppt_vgpu *vgpu, u64 gfn)
{
	unsigned int j = gfn & (SPPT_PIN_CHUNK - 1);
	struct sppt_pin_chunk *c = sppt_pin_chunk(vgpu, gfn >> SPPT_PIN_CHUNK_SHIFT);

	if (SPPT_UNLIKELY(!c || !c->ref[j])) {
		vgpu->st.inconsistencies++;
		sppt_os_warn("unbalanced unpin of gfn 0x%llx", (unsigned long long)gfn);
		return;
	}
	if (--c->ref[j])
		return;
	vgpu->ops->unpin(vgpu->priv, gfn, c->dma[j]);
	vgpu->st.pins--;
	if (--c->used)
		return;
	sppt_hash_del(&vgpu->pins, &c->node);
	if (vgpu->chunk_cache[c->node.key & 15] == c)
		vgpu->chunk_cache[c->node.key & 15] = NULL;
	sppt_meta_free(vgpu, c, sizeof(*c));
}

/* Hits of the direct-mapped chunk cache stay inline; the rest goes slow. */
static inline int sppt_pin_get(struct sppt_vgpu *vgpu, u64 gfn, u64 *dma)
{
	u64 ck = gfn >> SPPT_PIN_CHUNK_SHIFT;
	struct sppt_pin_chunk *c = vgpu->chunk_cache[ck & 15];
	unsigned int j = gfn & (SPPT_PIN_CHUNK - 1);

	if (SPPT_LIKELY(c && c->node.key == ck && c->ref[j])) {
		c->ref[j]++;
		*dma = c->dma[j];
		return 0;
	}
	return sppt_pin_get_slow(vgpu, gfn, dma);
}

static inline void sppt_pin_put(struct sppt_vgpu *vgpu, u64 gfn)
{
	u64 ck = gfn >> SPPT_PIN_CHUNK_SHIFT;
	struct sppt_pin_chunk *c = vgpu->chunk_cache[ck & 15];
	unsigned int j = gfn & (SPPT_PIN_CHUNK - 1);

	if (SPPT_LIKELY(c && c->node.key == ck && c->ref[j] > 1)) {
		c->ref[j]--;
		return;
	}
	sppt_pin_put_slow(vgpu, gfn);
}

/* ------------------------------------------------------------ scratch */

int sppt_scratch_init(struct sppt_vgpu *vgpu)
{
	unsigned int l, i;
	int ret;

	for (l = 0; l <= 4; l++) {
		ret = sppt_table_alloc(vgpu, &vgpu->scratch[l].va, &vgpu->scratch[l].dma);
		if (ret)
			return ret; /* sppt_scratch_fini() frees what exists */
		sppt_os_memset(vgpu->scratch[l].va, 0, SPPT_PAGE_SIZE);
		if (!l)
			continue;
		/* Each scratch table points every entry at the scratch one level
		 * down, present and writable, as i915 builds its own scratch. */
		for (i = 0; i < SPPT_ENTRIES; i++)
			vgpu->scratch[l].va[i] =
				vgpu->scratch[l - 1].dma | SPPT_E_PRESENT | SPPT_E_RW;
	}
	return 0;
}

void sppt_scratch_fini(struct sppt_vgpu *vgpu)
{
	unsigned int l;

	for (l = 0; l <= 4; l++) {
		if (vgpu->scratch[l].va)
			sppt_table_free(vgpu, vgpu->scratch[l].va, vgpu->scratch[l].dma);
		vgpu->scratch[l].va = NULL;
	}
}

static inline u64 sppt_scratch_entry(struct sppt_vgpu *vgpu, unsigned int level)
{
	/* An entry of a level-@level table that maps nothing points at the
	 * scratch one level down. */
	return vgpu->scratch[level - 1].dma | SPPT_E_PRESENT | SPPT_E_RW;
}

/* ---------------------------------------------------------- guest pages */

struct sppt_gpage *sppt_gpage_find(struct sppt_vgpu *vgpu, u64 gfn)
{
	struct sppt_hnode *n = sppt_hash_find(&vgpu->gpages, gfn);

	return n ? sppt_container_of(n, struct sppt_gpage, node) : NULL;
}

int sppt_gpage_protect(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	int ret;

	if (gp->flags & SPPT_GP_PROTECTED)
		return 0;
	ret = vgpu->ops->protect(vgpu->priv, gp->node.key);
	if (ret)
		return ret;
	gp->flags |= SPPT_GP_PROTECTED;
	vgpu->st.protected_pages++;
	return 0;
}

void sppt_gpage_unprotect(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	if (!(gp->flags & SPPT_GP_PROTECTED))
		return;
	vgpu->ops->unprotect(vgpu->priv, gp->node.key);
	gp->flags &= ~SPPT_GP_PROTECTED;
	vgpu->st.protected_pages--;
}

void sppt_gpage_set_dirty(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	if (gp->flags & SPPT_GP_DIRTY)
		return;
	gp->flags |= SPPT_GP_DIRTY;
	sppt_list_add_tail(&gp->dirty, &vgpu->dirty);
}

static struct sppt_gpage *sppt_gpage_create(struct sppt_vgpu *vgpu, u64 gfn)
{
	struct sppt_gpage *gp;
	int ret;

	gp = sppt_meta_alloc(vgpu, sizeof(*gp));
	if (!gp)
		return NULL;
	gp->snap = sppt_meta_alloc(vgpu, SPPT_PAGE_SIZE);
	if (!gp->snap)
		goto out_free_gp;
	gp->node.key = gfn;
	sppt_list_init(&gp->all);
	sppt_list_init(&gp->cmp);
	sppt_list_init(&gp->dirty);
	gp->gen = vgpu->gen;
	/* Protect before reading: a write between the two would be lost. A
	 * page the hypervisor can't protect is compared at every sync instead. */
	if (vgpu->cfg.mode != SPPT_MODE_UNTRACKED && sppt_gpage_protect(vgpu, gp)) {
		gp->flags |= SPPT_GP_REUSED;
		sppt_list_add_tail(&gp->cmp, &vgpu->cmp);
	}
	ret = vgpu->ops->read_gpa(vgpu->priv, gfn << SPPT_PAGE_SHIFT, gp->snap, SPPT_PAGE_SIZE);
	if (ret)
		goto out_unprotect;
	sppt_hash_add(&vgpu->gpages, &gp->node);
	sppt_list_add_tail(&gp->all, &vgpu->all);
	vgpu->st.guest_pages++;
	return gp;

out_unprotect:
	sppt_gpage_unprotect(vgpu, gp);
	sppt_list_del(&gp->cmp);
	sppt_meta_free(vgpu, gp->snap, SPPT_PAGE_SIZE);
out_free_gp:
	sppt_meta_free(vgpu, gp, sizeof(*gp));
	return NULL;
}

static void sppt_gpage_maybe_free(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	unsigned int v;

	if (gp->hold)
		return;
	for (v = 0; v < SPPT_V_NR; v++)
		if (gp->spt[v])
			return;
	sppt_gpage_unprotect(vgpu, gp);
	sppt_hash_del(&vgpu->gpages, &gp->node);
	sppt_list_del(&gp->all);
	sppt_list_del(&gp->cmp);
	sppt_list_del(&gp->dirty);
	sppt_meta_free(vgpu, gp->snap, SPPT_PAGE_SIZE);
	sppt_meta_free(vgpu, gp, sizeof(*gp));
	vgpu->st.guest_pages--;
}

void sppt_gpage_hold(struct sppt_gpage *gp)
{
	gp->hold++;
}

void sppt_gpage_unhold(struct sppt_vgpu *vgpu, struct sppt_gpage *gp)
{
	gp->hold--;
	sppt_gpage_maybe_free(vgpu, gp);
}

/* ------------------------------------------------------- entry rules */

static struct sppt_spt *sppt_spt_get(struct sppt_vgpu *vgpu, u64 gfn, unsigned int variant);
static struct sppt_spt *sppt_split2m_get(struct sppt_vgpu *vgpu, u64 key);

/*
 * A 4K leaf: inside a linear range the DMA address is the guest address plus
 * the range's delta (the host keeps the range pinned); elsewhere pin the
 * guest page (@s counts the pins it holds). Copy P/RW/cache bits.
 */
static inline u64 sppt_leaf_make(struct sppt_vgpu *vgpu, struct sppt_spt *s, u64 gfn, u64 flags)
{
	const struct sppt_linear *lin;
	u64 dma;

	if (!(flags & SPPT_E_PRESENT))
		return sppt_scratch_entry(vgpu, 1);
	lin = sppt_linear_find(vgpu, gfn);
	if (lin)
		return ((gfn << SPPT_PAGE_SHIFT) + lin->delta) | (flags & SPPT_PTE_FLAGS);
	if (SPPT_UNLIKELY(sppt_pin_get(vgpu, gfn, &dma))) {
		vgpu->st.out_of_range++;
		return sppt_scratch_entry(vgpu, 1);
	}
	s->pins++;
	return dma | (flags & SPPT_PTE_FLAGS);
}

/*
 * Release leaf @se made for @gfn. A non-scratch entry for a gfn inside a
 * linear range is a linear one (registering a range converts the pinned
 * entries it covers, unregistering converts them back before the range
 * goes), so it holds nothing.
 */
static inline void sppt_leaf_release(struct sppt_vgpu *vgpu, struct sppt_spt *s, u64 se, u64 gfn)
{
	if ((se & SPPT_ADDR_MASK) == vgpu->scratch[0].dma || sppt_linear_find(vgpu, gfn))
		return;
	s->pins--;
	sppt_pin_put(vgpu, gfn);
}

/* The 16 4K pages of a 64K PTE: base 64K-aligned, page @j of it. */
static inline u64 sppt_gfn64k(u64 e, unsigned int j)
{
	return ((e & SPPT_ADDR_MASK_64K) >> SPPT_PAGE_SHIFT) + j;
}

/* Key of the shadow-only PT for a 2M PDE: the 2M frame and the PTE flags
 * its 512 entries get (PAT moves from bit 12 to bit 7). */
static inline u64 sppt_split2m_key(u64 pde)
{
	u64 flags = (pde & SPPT_UPPER_FLAGS) | ((pde & SPPT_E_PAT_LARGE) ? SPPT_E_PAT : 0);

	return ((pde & SPPT_ADDR_MASK_2M) >> 21) << 8 | flags;
}

static unsigned int sppt_child_variant(unsigned int level, u64 e)
{
	switch (level) {
	case 4:
		return SPPT_V_PDP;
	case 3:
		return SPPT_V_PD;
	default:
		return (e & SPPT_E_IPS) ? SPPT_V_PT64K : SPPT_V_PT;
	}
}

/*
 * A 2M PDE whose 512 pages lie in one linear range at a 2M-aligned DMA
 * address is shadowed as a 2M PDE (P, RW, US, PWT, PCD, A, D, PS and the PAT
 * bit 12 copied); it holds nothing. 0 when the host can't back it so.
 */
static u64 sppt_native2m(struct sppt_vgpu *vgpu, u64 e)
{
	u64 g = (e & SPPT_ADDR_MASK_2M) >> SPPT_PAGE_SHIFT, dma;
	const struct sppt_linear *l = sppt_linear_find(vgpu, g);

	if (!l || g + SPPT_ENTRIES - l->gfn > l->npages)
		return 0;
	dma = (g << SPPT_PAGE_SHIFT) + l->delta;
	if (dma & ~SPPT_ADDR_MASK_2M)
		return 0;
	return dma | (e & (SPPT_UPPER_FLAGS | SPPT_E_PS | SPPT_E_PAT_LARGE));
}

/* Shadow value of a table-pointing entry (@level >= 2); takes the child ref. */
static u64 sppt_upper_make(struct sppt_vgpu *vgpu, unsigned int level, u64 e)
{
	struct sppt_spt *c;

	if (!(e & SPPT_E_PRESENT))
		return sppt_scratch_entry(vgpu, level);
	if (level == 3 && (e & SPPT_E_PS)) {
		/* 1G pages: not supported by the shadow (no host backs them). */
		vgpu->st.refused_1g++;
		vgpu->last_err = -EOPNOTSUPP;
		sppt_os_warn("1G page in PDPE refused (-EOPNOTSUPP), mapped to scratch");
		return sppt_scratch_entry(vgpu, level);
	}
	if (level == 2 && (e & SPPT_E_PS)) {
		u64 se = sppt_native2m(vgpu, e);

		if (se)
			return se;
		c = sppt_split2m_get(vgpu, sppt_split2m_key(e));
	} else
		c = sppt_spt_get(vgpu, sppt_gfn(e), sppt_child_variant(level, e));
	if (!c)
		return sppt_scratch_entry(vgpu, level);
	return c->dma | (e & SPPT_UPPER_FLAGS);
}

/*
 * The child table that shadow entry @se, made from guest entry @e of a
 * level-@level table, references; NULL for scratch and native 2M entries
 * (PS is never set on a table pointer in a shadow), which hold nothing.
 */
struct sppt_spt *sppt_upper_child(struct sppt_vgpu *vgpu, unsigned int level, u64 se, u64 e)
{
	struct sppt_hnode *n;
	struct sppt_gpage *gp;

	if ((se & SPPT_ADDR_MASK) == vgpu->scratch[level - 1].dma || (se & SPPT_E_PS))
		return NULL;
	if (level == 2 && (e & SPPT_E_PS)) {
		n = sppt_hash_find(&vgpu->split2m, sppt_split2m_key(e));
		return n ? sppt_container_of(n, struct sppt_spt, node) : NULL;
	}
	gp = sppt_gpage_find(vgpu, sppt_gfn(e));
	return gp ? gp->spt[sppt_child_variant(level, e)] : NULL;
}

static void sppt_upper_release(struct sppt_vgpu *vgpu, unsigned int level, u64 se, u64 e)
{
	struct sppt_spt *c;

	if ((se & SPPT_ADDR_MASK) == vgpu->scratch[level - 1].dma || (se & SPPT_E_PS))
		return;
	c = sppt_upper_child(vgpu, level, se, e);
	if (SPPT_UNLIKELY(!c || c->dma != (se & SPPT_ADDR_MASK))) {
		vgpu->st.inconsistencies++;
		sppt_os_warn("shadow entry 0x%llx has no child (bug)", (unsigned long long)se);
		return;
	}
	sppt_spt_put(vgpu, c);
}

/*
 * The linear fast path of a 4K-mode PT: one branchless pass over the 512
 * entries for the range @l (the compiler vectorizes it where the target has
 * 64-bit vector compares). Entries not present become scratch, entries in @l
 * become address + delta; the others need a pin or another range and are
 * left for the caller, which learns whether there are any.
 */
struct sppt_lin_args {
	u64 lo, n, delta, scratch;	/* lo, n in bytes: compared with addresses */
};

static inline struct sppt_lin_args sppt_lin_args(struct sppt_vgpu *vgpu, const struct sppt_linear *l)
{
	return (struct sppt_lin_args){ .lo = l->gfn << SPPT_PAGE_SHIFT,
				       .n = l->npages << SPPT_PAGE_SHIFT, .delta = l->delta,
				       .scratch = sppt_scratch_entry(vgpu, 1) };
}

/*
 * Whether guest PTE @v translates by the add alone: present, no bit set
 * that the shadow drops (8..11, 48..63) and its address in [lo, lo + n).
 * Then @v + delta is the shadow entry: the delta is page aligned and the
 * bits below 12 are exactly the ones kept (SPPT_PTE_FLAGS). High bits make
 * @v - lo reach past n (lo + n <= 2^48), so one compare covers both. The
 * checks work on @v itself, so the pass needs no masking of each entry;
 * whatever fails while present is left to sppt_leaf_make().
 */
#define SPPT_LIN_CHECK		(SPPT_E_PRESENT | (0xfffull & ~SPPT_PTE_FLAGS))
static_assert(SPPT_LIN_CHECK == 0xf01, "linear leaf check: P and the dropped low bits");

static inline bool sppt_lin_fast(u64 v, struct sppt_lin_args a)
{
	return (v - a.lo < a.n) & ((v & SPPT_LIN_CHECK) == SPPT_E_PRESENT);
}

/* Present but not translated by sppt_lin_fast(): sppt_leaf_make()'s. */
static inline bool sppt_lin_left(u64 v, struct sppt_lin_args a)
{
	return (v & SPPT_E_PRESENT) && !sppt_lin_fast(v, a);
}

/*
 * The passes below select with ?: on values (vector blends, whole stores)
 * and fold "left" into a u64 so that it stays in the 64-bit lanes.
 */

/* New table @t from snapshot @snap; the entries left are set to scratch
 * (the table is new: nothing walks it yet). */
static SPPT_VECTORIZE unsigned int sppt_pt_fill_linear(u64 *restrict t, const u64 *restrict snap,
						       struct sppt_lin_args a)
{
	unsigned int i;
	u64 left = 0;

	for (i = 0; i < SPPT_ENTRIES; i++) {
		u64 v = snap[i], ok = sppt_lin_fast(v, a);

		t[i] = ok ? v + a.delta : a.scratch;
		left |= (v & SPPT_E_PRESENT) & ~ok;
	}
	return left != 0;
}

/*
 * Bring guest page @page into snapshot @snap and table @t, which holds no
 * pin, so no old entry needs a release and the old snapshot need not be read:
 * one pass loads each guest entry once (plain loads, so that they vectorize;
 * nothing makes the compiler load twice) and stores that value to the
 * snapshot and its translation to the shadow. Entries left (present, not
 * translated by the add: they need a pin or another range) keep their old
 * shadow entry, which holds nothing, until the caller remakes them from the
 * snapshot: a root in flight may be walking this table, and an entry the
 * guest did not change must not blink to scratch. So their store is skipped
 * (a masked store where the clone has them, not a reload and select: that
 * measured slower). Returns whether there are any.
 */
static SPPT_VECTORIZE unsigned int sppt_pt_sync_nopin(u64 *restrict t, u64 *restrict snap,
						      const u64 *restrict page,
						      struct sppt_lin_args a)
{
	unsigned int i;
	u64 left = 0;

	for (i = 0; i < SPPT_ENTRIES; i++) {
		u64 v = page[i], ok = sppt_lin_fast(v, a);
		u64 keep = (v & SPPT_E_PRESENT) & ~ok;

		if (!keep)
			t[i] = ok ? v + a.delta : a.scratch;
		snap[i] = v;
		left |= keep;
	}
	return left != 0;
}

/* The range to try first for a PT: that of its first present entry. */
static const struct sppt_linear *sppt_pt_linear(struct sppt_vgpu *vgpu, const u64 *page)
{
	unsigned int i;

	if (!vgpu->nlin)
		return NULL;
	for (i = 0; i < SPPT_ENTRIES; i++) {
		u64 v = sppt_load_once(&page[i]);

		if (v & SPPT_E_PRESENT)
			return sppt_linear_find(vgpu, sppt_gfn(v));
	}
	return NULL;
}

static void sppt_spt_populate(struct sppt_vgpu *vgpu, struct sppt_spt *s, const u64 *snap)
{
	const struct sppt_linear *l;
	struct sppt_lin_args a;
	unsigned int i, j;

	switch (s->variant) {
	case SPPT_V_PT:
		l = sppt_pt_linear(vgpu, snap);
		if (!l) {
			for (i = 0; i < SPPT_ENTRIES; i++)
				s->table[i] = sppt_leaf_make(vgpu, s, sppt_gfn(snap[i]), snap[i]);
			break;
		}
		a = sppt_lin_args(vgpu, l);
		if (!sppt_pt_fill_linear(s->table, snap, a))
			break;
		/* Only what the linear pass left. */
		for (i = 0; i < SPPT_ENTRIES; i++)
			if (sppt_lin_left(snap[i], a))
				s->table[i] = sppt_leaf_make(vgpu, s, sppt_gfn(snap[i]), snap[i]);
		break;
	case SPPT_V_PT64K:
		/* 64K mode: only every 16th guest PTE counts; split into 16 4K. */
		for (i = 0; i < SPPT_ENTRIES; i += 16)
			for (j = 0; j < 16; j++)
				s->table[i + j] = sppt_leaf_make(vgpu, s, sppt_gfn64k(snap[i], j), snap[i]);
		break;
	default:
		for (i = 0; i < SPPT_ENTRIES; i++)
			s->table[i] = sppt_upper_make(vgpu, s->level, snap[i]);
		break;
	}
}

static void sppt_spt_release_all(struct sppt_vgpu *vgpu, struct sppt_spt *s, const u64 *snap)
{
	unsigned int i;

	switch (s->variant) {
	case SPPT_V_PT:
		for (i = 0; i < SPPT_ENTRIES; i++)
			sppt_leaf_release(vgpu, s, s->table[i], sppt_gfn(snap[i]));
		break;
	case SPPT_V_PT64K:
		for (i = 0; i < SPPT_ENTRIES; i++)
			sppt_leaf_release(vgpu, s, s->table[i], sppt_gfn64k(snap[i & ~15u], i & 15));
		break;
	default:
		for (i = 0; i < SPPT_ENTRIES; i++)
			sppt_upper_release(vgpu, s->level, s->table[i], snap[i]);
		break;
	}
}

/* ------------------------------------------------------ shadow tables */

static const u8 sppt_variant_level[SPPT_V_NR] = { 1, 2, 3, 4, 1 };

static struct sppt_spt *sppt_spt_alloc(struct sppt_vgpu *vgpu)
{
	struct sppt_spt *s = sppt_meta_alloc(vgpu, sizeof(*s));

	if (!s)
		return NULL;
	if (sppt_table_alloc(vgpu, &s->table, &s->dma)) {
		sppt_meta_free(vgpu, s, sizeof(*s));
		return NULL;
	}
	s->ref = 1;
	return s;
}

static struct sppt_spt *sppt_spt_get(struct sppt_vgpu *vgpu, u64 gfn, unsigned int variant)
{
	struct sppt_gpage *gp = sppt_gpage_find(vgpu, gfn);
	struct sppt_spt *s;

	if (!gp) {
		gp = sppt_gpage_create(vgpu, gfn);
		if (!gp) {
			vgpu->st.out_of_range++;
			return NULL;
		}
	}
	s = gp->spt[variant];
	if (s) {
		s->ref++;
		return s;
	}
	/* A new kind of shadow for a page nothing write-protects, that other
	 * shadows already reflect: build it from the page as it is now, not
	 * from a snapshot the guest may have left behind (a page reused in
	 * another role). Not while the page is being synced: that brings its
	 * snapshot in already. */
	if (!(gp->flags & SPPT_GP_PROTECTED) && !gp->hold) {
		sppt_gpage_refresh(vgpu, gp);
		/* Syncing it may have made this variant (a cycle back to it). */
		s = gp->spt[variant];
		if (s) {
			s->ref++;
			return s;
		}
	}
	/* Allocating may reclaim idle roots, which may drop this page's
	 * other variants: hold it. */
	gp->hold++;
	s = sppt_spt_alloc(vgpu);
	gp->hold--;
	if (!s) {
		sppt_gpage_maybe_free(vgpu, gp);
		return NULL;
	}
	s->gp = gp;
	s->variant = variant;
	s->level = sppt_variant_level[variant];
	gp->spt[variant] = s;
	/* Populating only takes references, so nothing can free gp here. */
	sppt_spt_populate(vgpu, s, gp->snap);
	return s;
}

static struct sppt_spt *sppt_split2m_get(struct sppt_vgpu *vgpu, u64 key)
{
	struct sppt_hnode *n = sppt_hash_find(&vgpu->split2m, key);
	struct sppt_spt *s;
	u64 gfn = (key >> 8) << 9, flags = key & 0xff;
	unsigned int i;

	if (n) {
		s = sppt_container_of(n, struct sppt_spt, node);
		s->ref++;
		return s;
	}
	s = sppt_spt_alloc(vgpu);
	if (!s)
		return NULL;
	s->variant = SPPT_V_SPLIT2M;
	s->level = 1;
	s->node.key = key;
	sppt_hash_add(&vgpu->split2m, &s->node);
	for (i = 0; i < SPPT_ENTRIES; i++)
		s->table[i] = sppt_leaf_make(vgpu, s, gfn + i, flags);
	return s;
}

void sppt_spt_put(struct sppt_vgpu *vgpu, struct sppt_spt *s)
{
	struct sppt_gpage *gp = s->gp;
	unsigned int i;

	if (--s->ref)
		return;
	if (s->variant == SPPT_V_SPLIT2M) {
		u64 gfn = (s->node.key >> 8) << 9;

		sppt_hash_del(&vgpu->split2m, &s->node);
		for (i = 0; i < SPPT_ENTRIES; i++)
			sppt_leaf_release(vgpu, s, s->table[i], gfn + i);
	} else {
		/* Detach first so that a cycle back to this page can't find it. */
		gp->spt[s->variant] = NULL;
		gp->hold++;
		sppt_spt_release_all(vgpu, s, gp->snap);
		gp->hold--;
	}
	if (SPPT_UNLIKELY(s->pins)) {
		vgpu->st.inconsistencies++;
		sppt_os_warn("shadow table freed holding %u pins (bug)", s->pins);
	}
	sppt_table_free(vgpu, s->table, s->dma);
	sppt_meta_free(vgpu, s, sizeof(*s));
	if (gp)
		sppt_gpage_maybe_free(vgpu, gp);
}

/* Shadow table for a root pointer: @level 4 (PML4) or 2 (3-level PD root). */
struct sppt_spt *sppt_spt_get_top(struct sppt_vgpu *vgpu, u64 gpa, unsigned int level)
{
	return sppt_spt_get(vgpu, sppt_gfn(gpa), level == 4 ? SPPT_V_PML4 : SPPT_V_PD);
}

/* Apply guest entry @i = @n of one shadow: add the new, then release the old. */
static void sppt_spt_entry_update(struct sppt_vgpu *vgpu, struct sppt_spt *s, unsigned int i,
				  u64 o, u64 n)
{
	u64 old;
	unsigned int j;

	switch (s->variant) {
	case SPPT_V_PT:
		old = s->table[i];
		s->table[i] = sppt_leaf_make(vgpu, s, sppt_gfn(n), n);
		sppt_leaf_release(vgpu, s, old, sppt_gfn(o));
		break;
	case SPPT_V_PT64K:
		if (i & 15)
			break; /* ignored by the GPU in 64K mode */
		for (j = 0; j < 16; j++) {
			old = s->table[i + j];
			s->table[i + j] = sppt_leaf_make(vgpu, s, sppt_gfn64k(n, j), n);
			sppt_leaf_release(vgpu, s, old, sppt_gfn64k(o, j));
		}
		break;
	default:
		old = s->table[i];
		s->table[i] = sppt_upper_make(vgpu, s->level, n);
		sppt_upper_release(vgpu, s->level, old, o);
		break;
	}
}

/*
 * Set guest entry @i of @gp to @val in the snapshot and every shadow of the
 * page. The snapshot changes first, so a variant created while we work (a
 * cycle back to this page) is built from the new value; the variants that
 * existed are held so that none is freed while it is half updated.
 */
void sppt_gpage_update(struct sppt_vgpu *vgpu, struct sppt_gpage *gp, unsigned int i, u64 val)
{
	struct sppt_spt *held[SPPT_V_NR];
	u64 old = gp->snap[i];
	unsigned int v;

	if (old == val)
		return;
	gp->hold++;
	for (v = 0; v < SPPT_V_NR; v++) {
		held[v] = gp->spt[v];
		if (held[v])
			held[v]->ref++;
	}
	gp->snap[i] = val;
	for (v = 0; v < SPPT_V_NR; v++)
		if (held[v])
			sppt_spt_entry_update(vgpu, held[v], i, old, val);
	for (v = 0; v < SPPT_V_NR; v++)
		if (held[v])
			sppt_spt_put(vgpu, held[v]);
	vgpu->st.entries_synced++;
	sppt_gpage_unhold(vgpu, gp);
}

/*
 * Bring every entry of @gp that differs from @page in: the same rule as
 * sppt_gpage_update() per entry, with the variants held once for the page.
 * A variant created on the way (a cycle back to this page) is built from the
 * snapshot as it is then, and joins the held set for the entries after it.
 */
void sppt_gpage_update_page(struct sppt_vgpu *vgpu, struct sppt_gpage *gp, const u64 *page)
{
	struct sppt_spt *held[SPPT_V_NR];
	unsigned int v, i, nheld = 0;
	u64 old, val;

	gp->hold++;
	for (v = 0; v < SPPT_V_NR; v++) {
		held[v] = gp->spt[v];
		if (held[v]) {
			held[v]->ref++;
			nheld++;
		}
	}
	if (nheld == 1 && held[SPPT_V_PT]) {
		/* The common case, a plain PT: leaves only pin and unpin, so no
		 * variant can appear or go while we work. */
		struct sppt_spt *s = held[SPPT_V_PT];
		u64 *snap = gp->snap, *table = s->table;
		const struct sppt_linear *l = NULL;
		unsigned int left = 1;
		u64 n = 0;

		/*
		 * A PT holding no pin needs no releases: the no-pin pass rewrites
		 * the whole page from the guest without comparing. The entries it
		 * left (present outside the range) still hold their old shadow
		 * entry, which held nothing: make them from the new snapshot.
		 */
		if (!s->pins)
			l = sppt_pt_linear(vgpu, page);
		if (l) {
			struct sppt_lin_args a = sppt_lin_args(vgpu, l);

			if (sppt_pt_sync_nopin(table, snap, page, a)) {
				for (i = 0; i < SPPT_ENTRIES; i++) {
					val = snap[i];
					if (sppt_lin_left(val, a))
						table[i] = sppt_leaf_make(vgpu, s, sppt_gfn(val), val);
				}
			}
			/* Not compared: every entry counts as synced (section 9). */
			n = SPPT_ENTRIES;
			left = 0;
		}
		for (i = 0; i < SPPT_ENTRIES && left; i++) {
			u64 se;

			val = sppt_load_once(&page[i]);
			old = snap[i];
			if (SPPT_LIKELY(old == val))
				continue;
			snap[i] = val;
			n++;
			se = table[i];
			table[i] = sppt_leaf_make(vgpu, s, sppt_gfn(val), val);
			sppt_leaf_release(vgpu, s, se, sppt_gfn(old));
		}
		vgpu->st.entries_synced += n;
		i = SPPT_ENTRIES;
	} else {
		i = 0;
	}
	for (; i < SPPT_ENTRIES; i++) {
		val = sppt_load_once(&page[i]);
		old = gp->snap[i];
		if (SPPT_LIKELY(old == val))
			continue;
		gp->snap[i] = val;
		vgpu->st.entries_synced++;
		for (v = 0; v < SPPT_V_NR; v++)
			if (held[v])
				sppt_spt_entry_update(vgpu, held[v], i, old, val);
		for (v = 0; v < SPPT_V_NR; v++) {
			if (!held[v] && gp->spt[v]) {
				held[v] = gp->spt[v];
				held[v]->ref++;
				nheld++;
			}
		}
	}
	for (v = 0; v < SPPT_V_NR; v++)
		if (held[v])
			sppt_spt_put(vgpu, held[v]);
	sppt_gpage_unhold(vgpu, gp);
}

/* ------------------------------------------------------ linear ranges */

/* Guest page and flags behind leaf @i of @s (a PT, PT64K or SPLIT2M). */
static inline u64 sppt_leaf_src(const struct sppt_spt *s, unsigned int i, u64 *flags)
{
	u64 e;

	switch (s->variant) {
	case SPPT_V_PT:
		*flags = s->gp->snap[i];
		return sppt_gfn(*flags);
	case SPPT_V_PT64K:
		e = s->gp->snap[i & ~15u];
		*flags = e;
		return sppt_gfn64k(e, i & 15);
	default:
		*flags = s->node.key & 0xff;
		return ((s->node.key >> 8) << 9) + i;
	}
}

static void sppt_leaf_table_reeval(struct sppt_vgpu *vgpu, struct sppt_spt *s, u64 lo, u64 n,
				   bool added)
{
	unsigned int i;

	for (i = 0; i < SPPT_ENTRIES; i++) {
		u64 flags, g = sppt_leaf_src(s, i, &flags), old;

		if (!(flags & SPPT_E_PRESENT) || g - lo >= n)
			continue;
		old = s->table[i];
		/* New first (linear now, or pinned again), then the old one. */
		s->table[i] = sppt_leaf_make(vgpu, s, g, flags);
		if (added && (old & SPPT_ADDR_MASK) != vgpu->scratch[0].dma) {
			s->pins--;
			sppt_pin_put(vgpu, g);
		}
	}
}

/*
 * The range [@lo, @lo + @n) was just added to (@added) or removed from the
 * linear set: rebuild every leaf entry it covers, so that each shadow is
 * again a function of its snapshot and the current ranges. Added: pinned
 * entries become linear and drop their pin (a scratch one, whose pin had
 * failed, now maps). Removed: linear entries pin through the ops (or map
 * scratch when that fails); they held nothing.
 */
void sppt_linear_reeval(struct sppt_vgpu *vgpu, u64 lo, u64 n, bool added)
{
	struct sppt_list *l;
	u64 b;

	for (l = vgpu->all.next; l != &vgpu->all; l = l->next) {
		struct sppt_gpage *gp = sppt_container_of(l, struct sppt_gpage, all);

		if (gp->spt[SPPT_V_PT])
			sppt_leaf_table_reeval(vgpu, gp->spt[SPPT_V_PT], lo, n, added);
		if (gp->spt[SPPT_V_PT64K])
			sppt_leaf_table_reeval(vgpu, gp->spt[SPPT_V_PT64K], lo, n, added);
	}
	for (b = 0; b < (1ull << vgpu->split2m.bits); b++) {
		struct sppt_hnode *h;

		for (h = vgpu->split2m.b[b]; h; h = h->next) {
			struct sppt_spt *s = sppt_container_of(h, struct sppt_spt, node);
			u64 g = (h->key >> 8) << 9;

			if (g + SPPT_ENTRIES > lo && g < lo + n)
				sppt_leaf_table_reeval(vgpu, s, lo, n, added);
		}
	}
	/* Then the 2M PDEs over the range: native where the ranges now back
	 * them, split otherwise. This puts and makes split tables, so it runs
	 * after the walk of the split table hash. */
	for (l = vgpu->all.next; l != &vgpu->all; l = l->next) {
		struct sppt_gpage *gp = sppt_container_of(l, struct sppt_gpage, all);
		struct sppt_spt *s = gp->spt[SPPT_V_PD];
		unsigned int i;

		for (i = 0; s && i < SPPT_ENTRIES; i++) {
			u64 e = gp->snap[i], g = (e & SPPT_ADDR_MASK_2M) >> SPPT_PAGE_SHIFT, old;

			if (!(e & SPPT_E_PRESENT) || !(e & SPPT_E_PS) || g + SPPT_ENTRIES <= lo ||
			    g >= lo + n)
				continue;
			old = s->table[i];
			s->table[i] = sppt_upper_make(vgpu, 2, e);
			sppt_upper_release(vgpu, 2, old, e);
		}
	}
}
