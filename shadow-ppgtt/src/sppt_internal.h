/* SPDX-License-Identifier: GPL-2.0-only */
/* sppt internals: objects, lists, hash tables. Never installed. */
#ifndef SPPT_SRC_SPPT_INTERNAL_H
#define SPPT_SRC_SPPT_INTERNAL_H

#include "sppt_deps.h"
#include "sppt.h"

static_assert(SPPT_ENTRIES * sizeof(u64) == SPPT_PAGE_SIZE, "512 8-byte entries per table");

#define SPPT_PAGE_SHIFT		12
#define SPPT_OFF_MASK		(SPPT_PAGE_SIZE - 1)
/* Low flag bits copied from a guest table-pointing entry into its shadow:
 * P, RW, US, PWT, PCD, A, D. Bit 7 (PS) and bit 11 (IPS) are never copied:
 * the shadow always splits 2M and 64K pages into 4K PTEs. */
#define SPPT_UPPER_FLAGS	0x7full
/* Leaf PTE bits copied into a shadow PTE: P, RW, US, PWT, PCD, A, D, PAT. */
#define SPPT_PTE_FLAGS		0xffull
#define SPPT_DEFAULT_OOS	2
#define SPPT_DEFAULT_REUSE	4

/* Levels: 1 = PT, 2 = PD, 3 = PDP, 4 = PML4. Variants of a guest page: */
enum sppt_variant {
	SPPT_V_PT = 0,	/* level 1, 4K PTEs */
	SPPT_V_PD = 1,
	SPPT_V_PDP = 2,
	SPPT_V_PML4 = 3,
	SPPT_V_PT64K = 4, /* level 1 in 64K mode (IPS in the parent PDE) */
	SPPT_V_NR = 5,
	SPPT_V_SPLIT2M = 6, /* shadow-only PT holding a split 2M page */
};

/* ---- intrusive doubly linked list ---- */
struct sppt_list {
	struct sppt_list *next, *prev;
};

static inline void sppt_list_init(struct sppt_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool sppt_list_empty(const struct sppt_list *l)
{
	return l->next == l;
}

static inline void sppt_list_add_tail(struct sppt_list *n, struct sppt_list *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void sppt_list_del(struct sppt_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	sppt_list_init(n);
}

#define sppt_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - __builtin_offsetof(type, member)))

/* ---- chained hash keyed by u64, power-of-two buckets, grows ---- */
struct sppt_hnode {
	struct sppt_hnode *next;
	u64 key;
};

struct sppt_hash {
	struct sppt_hnode **b;
	u32 bits;
	u64 count;
};

static inline u64 sppt_hash_idx(const struct sppt_hash *h, u64 key)
{
	/* Fibonacci hashing: consecutive gfns spread over the buckets. */
	return (key * 0x9e3779b97f4a7c15ull) >> (64 - h->bits);
}

static inline struct sppt_hnode *sppt_hash_find(const struct sppt_hash *h, u64 key)
{
	struct sppt_hnode *n = h->b[sppt_hash_idx(h, key)];

	while (n && n->key != key)
		n = n->next;
	return n;
}

int sppt_hash_init(struct sppt_hash *h, u32 bits);
void sppt_hash_fini(struct sppt_hash *h);
void sppt_hash_add(struct sppt_hash *h, struct sppt_hnode *n);
void sppt_hash_del(struct sppt_hash *h, struct sppt_hnode *n);

/* ---- pin cache: one pin per gfn, refcounted per shadow entry ---- */
#define SPPT_PIN_CHUNK_SHIFT	9
#define SPPT_PIN_CHUNK		(1u << SPPT_PIN_CHUNK_SHIFT)
struct sppt_pin_chunk {
	struct sppt_hnode node;	/* key = gfn >> 9 */
	u32 used;		/* gfns with ref > 0 */
	u32 ref[SPPT_PIN_CHUNK];
	u64 dma[SPPT_PIN_CHUNK];
};

/* ---- shadow page table ---- */
struct sppt_gpage;

struct sppt_spt {
	u64 *table;		/* CPU view of the shadow table */
	u64 dma;		/* what the GPU sees */
	struct sppt_gpage *gp;	/* NULL for SPLIT2M */
	struct sppt_hnode node;	/* SPLIT2M only: key = gfn2m << 8 | pte flags */
	u64 reach;		/* vgpu->mark when last reached from a root in flight */
	u64 probe;		/* vgpu->mark when last reached by a probe walk */
	u32 ref;
	u16 pins;		/* entries holding a pin (0: none to release) */
	u8 variant;
	u8 level;
};

/* ---- guest page-table page (one per gfn, shared by its variants) ---- */
enum {
	SPPT_GP_PROTECTED = 1 << 0,	/* write-protect is on */
	SPPT_GP_OOS = 1 << 1,		/* adaptive: unprotected until next sync */
	SPPT_GP_REUSED = 1 << 2,	/* reused for other data: compare each sync */
	SPPT_GP_DIRTY = 1 << 3,		/* on vgpu->dirty */
	SPPT_GP_COMPARE = 1 << 4,	/* full compare at the next sync */
};

struct sppt_gpage {
	struct sppt_hnode node;		/* key = gfn */
	struct sppt_list all;		/* vgpu->gpages */
	struct sppt_list cmp;		/* vgpu->cmp (OOS or REUSED) */
	struct sppt_list dirty;		/* vgpu->dirty */
	u64 *snap;			/* guest entries the shadows reflect */
	struct sppt_spt *spt[SPPT_V_NR];
	u64 pending[SPPT_ENTRIES / 64];	/* partly written entries */
	u32 hold;			/* temporary references */
	u32 flags;
	u32 writes;			/* trapped writes since gen */
	u32 odd_writes;			/* non-PTE-like writes since gen */
	u64 gen;
};

/* ---- root ---- */
struct sppt_root {
	struct sppt_vgpu *vgpu;
	struct sppt_list link;		/* vgpu->roots, in LRU order (head = oldest) */
	u64 pdps[4];
	struct sppt_spt *top[4];	/* held references, NULL = scratch */
	u32 ref;
	u32 inflight;
	u8 levels;
	bool shadowed;
};

struct sppt_scratch {
	u64 *va;
	u64 dma;
};

/* ---- linear ranges: gfns the host maps affinely and keeps pinned ---- */
#define SPPT_LINEAR_MAX		SPPT_LINEAR_MAX_RANGES
struct sppt_linear {
	u64 gfn;		/* first gfn */
	u64 npages;
	u64 delta;		/* dma - (gfn << 12), mod 2^64: address + delta = DMA */
};

struct sppt_vgpu {
	const struct sppt_ops *ops;
	void *priv;
	struct sppt_config cfg;
	struct sppt_os_mutex lock;
	struct sppt_scratch scratch[5];	/* index = level, 0 = data page */
	struct sppt_hash gpages;	/* gfn -> sppt_gpage */
	struct sppt_hash pins;		/* gfn >> 9 -> sppt_pin_chunk */
	struct sppt_hash split2m;	/* key -> SPLIT2M spt */
	struct sppt_list all;		/* every gpage */
	struct sppt_list cmp;		/* OOS/REUSED gpages */
	struct sppt_list dirty;		/* gpages to process at the next sync */
	struct sppt_list roots;
	struct sppt_pin_chunk *chunk_cache[16]; /* direct-mapped by chunk key */
	struct sppt_linear lin[SPPT_LINEAR_MAX]; /* disjoint, unordered */
	u32 nlin;
	u32 lin_hint;			/* index of the range that hit last */
	bool reclaim_off;		/* walking every table: no reclaim now */
	u64 *tmp;			/* one page for reads without guest_page */
	u64 gen;			/* sync generation */
	u64 mark;			/* walk generation (sppt_sync.c) */
	int last_err;			/* -EOPNOTSUPP from the current write */
	struct sppt_stats st;
};

/* sppt_core.c */
void *sppt_meta_alloc(struct sppt_vgpu *vgpu, size_t len);
void sppt_meta_free(struct sppt_vgpu *vgpu, void *p, size_t len);
struct sppt_gpage *sppt_gpage_find(struct sppt_vgpu *vgpu, u64 gfn);
void sppt_gpage_hold(struct sppt_gpage *gp);
void sppt_gpage_unhold(struct sppt_vgpu *vgpu, struct sppt_gpage *gp);
void sppt_gpage_set_dirty(struct sppt_vgpu *vgpu, struct sppt_gpage *gp);
int sppt_gpage_protect(struct sppt_vgpu *vgpu, struct sppt_gpage *gp);
void sppt_gpage_unprotect(struct sppt_vgpu *vgpu, struct sppt_gpage *gp);
void sppt_gpage_update(struct sppt_vgpu *vgpu, struct sppt_gpage *gp, unsigned int i, u64 val);
void sppt_gpage_update_page(struct sppt_vgpu *vgpu, struct sppt_gpage *gp, const u64 *page);
struct sppt_spt *sppt_spt_get_top(struct sppt_vgpu *vgpu, u64 gpa, unsigned int level);
void sppt_spt_put(struct sppt_vgpu *vgpu, struct sppt_spt *s);
struct sppt_spt *sppt_upper_child(struct sppt_vgpu *vgpu, unsigned int level, u64 se, u64 e);
int sppt_scratch_init(struct sppt_vgpu *vgpu);
void sppt_scratch_fini(struct sppt_vgpu *vgpu);

void sppt_linear_reeval(struct sppt_vgpu *vgpu, u64 lo, u64 n, bool added);

/* sppt_sync.c */
void sppt_sync(struct sppt_vgpu *vgpu);
bool sppt_gpage_has_upper(const struct sppt_gpage *gp);
void sppt_gpage_refresh(struct sppt_vgpu *vgpu, struct sppt_gpage *gp);

/* sppt_root.c */
void sppt_root_unshadow(struct sppt_root *r);
bool sppt_reclaim_one(struct sppt_vgpu *vgpu);
void sppt_roots_destroy_all(struct sppt_vgpu *vgpu);

/*
 * One read of a guest entry that other vCPUs may be writing (the untracked
 * path compares and syncs live guest memory): the value that goes into the
 * snapshot must be the one the shadow entry is built from.
 */
static inline u64 sppt_load_once(const u64 *p)
{
	return *(const volatile u64 *)p;
}

static inline u64 sppt_gfn(u64 entry)
{
	return (entry & SPPT_ADDR_MASK) >> SPPT_PAGE_SHIFT;
}

/* The linear range holding @gfn, NULL if none (few ranges: a scan). */
static inline const struct sppt_linear *sppt_linear_find(struct sppt_vgpu *vgpu, u64 gfn)
{
	const struct sppt_linear *l = &vgpu->lin[vgpu->lin_hint];
	u32 k;

	if (SPPT_LIKELY(gfn - l->gfn < l->npages))
		return l;
	for (k = 0; k < vgpu->nlin; k++) {
		l = &vgpu->lin[k];
		if (gfn - l->gfn < l->npages) {
			vgpu->lin_hint = k;
			return l;
		}
	}
	return NULL;
}

#endif /* SPPT_SRC_SPPT_INTERNAL_H */
