/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sppt: the shadow PPGTT engine.
 *
 * Keeps host shadow copies of every guest Gen8+ PPGTT page-table page so that
 * the physical GPU only walks tables built here and only reaches the guest's
 * own (pinned) memory. See docs/shadow-ppgtt.md for the model, the three sync
 * modes and the invariants.
 *
 * Locking: every function taking a struct sppt_vgpu (or a root of it) takes
 * that vGPU's lock; different vGPUs are independent. Callbacks in
 * struct sppt_ops are called with the vGPU lock held and must not call back
 * into the engine for the same vGPU.
 */
#ifndef SPPT_INCLUDE_SPPT_H
#define SPPT_INCLUDE_SPPT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct sppt_vgpu;
struct sppt_root;

/* Linear ranges one vGPU can register (sppt_linear_register()). */
#define SPPT_LINEAR_MAX_RANGES	8

/* Gen8+ PPGTT entry format (8-byte entries, 512 per 4 KiB table). */
#define SPPT_PAGE_SIZE		4096u
#define SPPT_ENTRIES		512u
#define SPPT_E_PRESENT		(1ull << 0)
#define SPPT_E_RW		(1ull << 1)
#define SPPT_E_PWT		(1ull << 3)
#define SPPT_E_PCD		(1ull << 4)
#define SPPT_E_PAT		(1ull << 7)	/* PTE: PAT index bit 2 */
#define SPPT_E_PS		(1ull << 7)	/* PDE: 2M page, PDPE: 1G page */
#define SPPT_E_IPS		(1ull << 11)	/* PDE: the PT is in 64K mode */
#define SPPT_E_PAT_LARGE	(1ull << 12)	/* 2M PDE: PAT index bit 2 */
#define SPPT_ADDR_MASK		0x0000fffffffff000ull	/* bits 12..47 */
#define SPPT_ADDR_MASK_64K	0x0000ffffffff0000ull
#define SPPT_ADDR_MASK_2M	0x0000ffffffe00000ull

/**
 * enum sppt_mode - how the shadow is kept in sync with the guest tables
 * @SPPT_MODE_TRACKED_STRICT: every guest page-table page is write-protected;
 *	each trapped write updates the shadow (KVM page-track path).
 * @SPPT_MODE_TRACKED_ADAPTIVE: as strict, but a page taking more than
 *	oos_threshold trapped writes between two submissions is unprotected
 *	(out of sync) and re-synced against its snapshot at the next submission.
 * @SPPT_MODE_UNTRACKED: no write protection exists (vfio-user path); every
 *	submission compares each guest page-table page with its snapshot and
 *	re-syncs only the changed ones.
 */
enum sppt_mode {
	SPPT_MODE_TRACKED_STRICT = 0,
	SPPT_MODE_TRACKED_ADAPTIVE = 1,
	SPPT_MODE_UNTRACKED = 2,
};

/**
 * struct sppt_ops - the hypervisor and host as seen by the engine.
 *
 * One const table per vGPU, passed to sppt_vgpu_create() with an opaque @priv
 * given back to every member. Members return 0 or -errno unless stated.
 *
 * @read_gpa: copy @len bytes of guest-physical memory at @gpa into @buf
 *	(never crosses a page for the engine's calls). Required.
 * @guest_page: optional (may be NULL): a CPU pointer to the 4 KiB guest page
 *	@gfn that stays valid while the page is pinned or tracked, or NULL when
 *	there is none. Lets the untracked sync compare pages in place.
 * @pin: pin guest page @gfn and return the DMA address the GPU uses for it in
 *	@dma (page aligned). Fails (e.g. -EFAULT) for a gfn outside guest RAM;
 *	the engine then maps scratch. The engine pins each gfn once and calls
 *	@unpin when its last shadow entry goes away; never for a gfn inside a
 *	range registered with sppt_linear_register(). Required.
 * @unpin: release a pin taken by @pin (@dma is what @pin returned). Required.
 * @protect: write-protect guest page @gfn so that writes to it are reported
 *	through sppt_write_trap(). Required in the tracked modes, may be NULL in
 *	the untracked mode. Called once per tracked page.
 * @unprotect: undo @protect. Same rules as @protect.
 * @table_alloc: allocate one zeroed 4 KiB shadow table, 4 KiB aligned, that
 *	the (physical or software) GPU can walk: its CPU address in @va and the
 *	DMA address the GPU sees in @dma. Required.
 * @table_free: free a table from @table_alloc. Required.
 */
struct sppt_ops {
	int (*read_gpa)(void *priv, uint64_t gpa, void *buf, size_t len);
	const void *(*guest_page)(void *priv, uint64_t gfn);
	int (*pin)(void *priv, uint64_t gfn, uint64_t *dma);
	void (*unpin)(void *priv, uint64_t gfn, uint64_t dma);
	int (*protect)(void *priv, uint64_t gfn);
	int (*unprotect)(void *priv, uint64_t gfn);
	int (*table_alloc)(void *priv, void **va, uint64_t *dma);
	void (*table_free)(void *priv, void *va, uint64_t dma);
};

/**
 * struct sppt_config - per-vGPU settings
 * @mode: see enum sppt_mode.
 * @oos_threshold: K for the adaptive mode: the (K+1)-th trapped write to a
 *	page between two submissions takes it out of sync. 0 selects the
 *	default (2).
 * @reuse_threshold: trapped writes per page between two submissions that
 *	are not page-table updates (size other than 4, 8 or 16 bytes, or not
 *	naturally aligned) before the page counts as reused for other data and
 *	is untracked. 0 selects the default (4).
 * @mem_budget: bytes of shadow memory (tables, snapshots, metadata) above
 *	which roots not in flight are reclaimed, least recently used first, at
 *	sppt_root_get() and sppt_submit_begin(). 0 = unlimited.
 */
struct sppt_config {
	enum sppt_mode mode;
	unsigned int oos_threshold;
	unsigned int reuse_threshold;
	uint64_t mem_budget;
};

/**
 * struct sppt_stats - counters (current values and totals since creation)
 */
struct sppt_stats {
	uint64_t pins;		/* guest pages pinned now */
	uint64_t shadow_pages;	/* shadow tables allocated now (incl. 5 scratch) */
	uint64_t guest_pages;	/* guest page-table pages shadowed now */
	uint64_t protected_pages; /* of those, write-protected now */
	uint64_t roots;		/* root objects alive */
	uint64_t mem_bytes;	/* shadow memory now: tables + snapshots + metadata */
	uint64_t out_of_range;	/* entries that pointed outside guest RAM (total) */
	uint64_t refused_1g;	/* 1G PDPEs mapped to scratch (total) */
	uint64_t alloc_failures; /* shadow tables that could not be allocated */
	uint64_t trapped_writes; /* sppt_write_trap() calls accepted */
	uint64_t partial_writes; /* entries only partly written, deferred */
	uint64_t stray_writes;	/* trapped writes to pages not (or no longer) tracked */
	uint64_t oos_events;	/* pages taken out of sync (adaptive) */
	uint64_t reuse_events;	/* pages untracked because reused for other data */
	uint64_t resyncs;	/* page syncs at submission that found changes */
	uint64_t entries_synced; /* shadow entry updates (trap or sync) */
	uint64_t syncs;		/* sppt_submit_begin() calls */
	uint64_t reclaims;	/* roots reclaimed under the memory budget */
	uint64_t inconsistencies; /* internal bookkeeping errors caught (always 0) */
	uint64_t stale_unshadows; /* idle roots unshadowed because a page directory
				   * they reach changed while only they reached it */
};

/**
 * sppt_vgpu_create() - create the engine state of one vGPU
 * @ops: hypervisor/host callbacks; must outlive the vGPU
 * @priv: passed to every callback
 * @cfg: settings (copied)
 * @out: the new vGPU
 *
 * Allocates the per-vGPU scratch tables (scratch page, PT, PD, PDP, PML4).
 *
 * Return: 0, -EINVAL for a bad @ops/@cfg (missing required callback, unknown
 * mode, tracked mode without protect/unprotect), -ENOMEM.
 */
int sppt_vgpu_create(const struct sppt_ops *ops, void *priv, const struct sppt_config *cfg,
		     struct sppt_vgpu **out);

/**
 * sppt_vgpu_destroy() - release every root, shadow table, pin and protection
 * @vgpu: the vGPU (NULL is a no-op). Roots still referenced become invalid.
 */
void sppt_vgpu_destroy(struct sppt_vgpu *vgpu);

/**
 * sppt_root_get() - get (create or find) a shadowed PPGTT root
 * @vgpu: the vGPU
 * @levels: 4 (PML4 in @pdps[0]) or 3 (legacy: 4 page-directory roots)
 * @pdps: the root pointers as in the context image: guest-physical table
 *	addresses (bits 12..47), 0 = not present. For @levels 4 only @pdps[0]
 *	is used.
 * @out: the root, with one more reference
 *
 * The same @levels/@pdps twice returns the same root. The root is shadowed
 * on return; a page it reaches in a new role that the guest changed since
 * its snapshot is synced first, and idle roots holding that page in its old
 * role lose their shadows (re-shadowed when submitted; docs, section 2).
 *
 * Return: 0, -EINVAL (bad @levels), -ENOMEM.
 */
int sppt_root_get(struct sppt_vgpu *vgpu, unsigned int levels, const uint64_t pdps[4],
		  struct sppt_root **out);

/**
 * sppt_root_put() - drop a reference from sppt_root_get()
 * @root: the root (NULL is a no-op); freed with its shadow on the last put.
 */
void sppt_root_put(struct sppt_root *root);

/**
 * sppt_root_shadow_addr() - DMA addresses to put in the shadow context
 * @root: the root (must be shadowed: after sppt_root_get() or while in flight)
 * @pdps: 4-level: [0] = shadow PML4, [1..3] = 0; 3-level: the 4 shadow page
 *	directories (scratch PD for a root entry that is not present).
 *
 * Return: the number of levels (3 or 4), -EAGAIN if the root was reclaimed
 * and not re-shadowed yet (submit it again).
 */
int sppt_root_shadow_addr(struct sppt_root *root, uint64_t pdps[4]);

/**
 * sppt_write_trap() - report a trapped guest write to a protected page
 * @vgpu: the vGPU
 * @gpa: guest-physical address written
 * @data: the bytes written (already in guest memory)
 * @len: 1..16 bytes, any alignment; may cross into the next page
 *
 * Full 8-byte entries are applied at once (the new entry is added before the
 * old one is released); partly written entries are deferred to the next
 * submission. Writes to untracked pages are counted and ignored.
 *
 * Return: 0, -EINVAL (@len 0 or > 16, or the untracked mode), -EOPNOTSUPP if
 * the write installed a 1G page (mapped to scratch).
 */
int sppt_write_trap(struct sppt_vgpu *vgpu, uint64_t gpa, const void *data, size_t len);

/**
 * sppt_page_reuse() - the guest reuses page-table page @gpa for other data
 * @vgpu: the vGPU
 * @gpa: any address inside the page
 *
 * The page is unprotected and from now on compared with its snapshot at each
 * submission (like the untracked mode) until no shadow references it.
 *
 * Return: 0, -ENOENT if the page is not shadowed.
 */
int sppt_page_reuse(struct sppt_vgpu *vgpu, uint64_t gpa);

/**
 * sppt_submit_begin() - sync point before the GPU runs @roots
 * @vgpu: the vGPU
 * @roots: roots the submission uses
 * @n: number of @roots
 *
 * Pins @roots against reclaim until sppt_submit_end(), reclaims over-budget
 * roots not in flight, re-shadows reclaimed @roots, replays deferred partial
 * writes and re-syncs out-of-sync and reused pages (every page in the
 * untracked mode). Afterwards every shadow a root in flight reaches matches
 * its guest tables; a changed page directory that only idle roots reach is
 * synced when one of them is submitted (docs/shadow-ppgtt.md, section 2).
 *
 * Return: 0, -EINVAL (a root of another vGPU).
 */
int sppt_submit_begin(struct sppt_vgpu *vgpu, struct sppt_root *const *roots, unsigned int n);

/**
 * sppt_submit_end() - the submission using @roots completed
 * @vgpu: the vGPU
 * @roots: as given to sppt_submit_begin()
 * @n: number of @roots
 */
void sppt_submit_end(struct sppt_vgpu *vgpu, struct sppt_root *const *roots, unsigned int n);

/**
 * sppt_linear_register() - declare guest RAM the host maps linearly
 * @vgpu: the vGPU
 * @gfn: first guest page of the range
 * @npages: pages in the range (> 0)
 * @dma: DMA address of @gfn; guest page @gfn + k is at @dma + k * 4 KiB
 *
 * The host promises that the whole range stays mapped and pinned until
 * sppt_linear_unregister() returns. Leaf entries inside the range are then
 * translated by an add, with no ops->pin/unpin call and no per-page reference
 * (4K-mode page tables take a branchless, vectorizable pass), and a 2M page
 * the range backs at a 2M-aligned address gets a native 2M shadow PDE;
 * entries outside every range keep the ops->pin path. Shadow entries made
 * through ops->pin before the call are converted (and their pins dropped)
 * before it returns. Walks every shadow table: for memory-map changes.
 *
 * Return: 0, -EINVAL (empty range, @dma not page aligned, either end not
 * addressable in 48 bits), -EEXIST (overlaps a registered range), -ENOSPC
 * (SPPT_LINEAR_MAX ranges already).
 */
int sppt_linear_register(struct sppt_vgpu *vgpu, uint64_t gfn, uint64_t npages, uint64_t dma);

/**
 * sppt_linear_unregister() - withdraw a range from sppt_linear_register()
 * @vgpu: the vGPU
 * @gfn: as registered
 * @npages: as registered
 *
 * Like an unmap: when it returns no shadow entry points into the range any
 * more; the entries it covered are rebuilt through ops->pin (or map scratch
 * when that fails), in flight or not. The host may then unpin the memory.
 *
 * Return: 0, -ENOENT (no such range registered).
 */
int sppt_linear_unregister(struct sppt_vgpu *vgpu, uint64_t gfn, uint64_t npages);

/**
 * sppt_vgpu_invalidate() - drop the shadows of every root not in flight
 * @vgpu: the vGPU
 *
 * For a GPU reset: the roots stay valid (references unchanged) and are
 * re-shadowed from the guest tables when next submitted; guest pages no
 * longer referenced are unpinned and unprotected.
 *
 * Return: the number of roots invalidated.
 */
int sppt_vgpu_invalidate(struct sppt_vgpu *vgpu);

/**
 * sppt_vgpu_stats() - read the counters
 * @vgpu: the vGPU
 * @st: filled in
 */
void sppt_vgpu_stats(struct sppt_vgpu *vgpu, struct sppt_stats *st);

/**
 * sppt_scratch_addr() - DMA address of a scratch table
 * @vgpu: the vGPU
 * @level: 0 = scratch data page, 1 = PT, 2 = PD, 3 = PDP, 4 = PML4
 *
 * Return: the DMA address, 0 for a bad @level.
 */
uint64_t sppt_scratch_addr(struct sppt_vgpu *vgpu, unsigned int level);

#ifdef __cplusplus
}
#endif
#endif /* SPPT_INCLUDE_SPPT_H */
