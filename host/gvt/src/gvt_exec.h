/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual execlists, workloads and the scheduler (docs/gvt-workloads.md).
 * Internal to gvt_execlist.c, gvt_workload.c and gvt_sched.c.
 *
 * Locks, outermost first: sched->run_lock (one gvt_gpu_schedule() or vGPU
 * teardown at a time), the vGPU lock, sched->lock (engine slots, vGPU list,
 * budgets). gvt_gpu_ctx_done() takes only sched->lock, so the host may call
 * it from inside any host op. Only a run_lock holder takes two vGPU locks
 * (gvt_mmio_ctx_switch(): the incoming owner's, then the old owner's).
 */
#ifndef GVT_SRC_GVT_EXEC_H
#define GVT_SRC_GVT_EXEC_H

#include "gvt_internal.h"
#include "sppt.h"

/* CSB in the engine's HWSP (i915 I915_HWS_CSB_BUF0_INDEX / _WRITE_INDEX) */
#define GVT_CSB_ENTRIES		6
#define GVT_HWS_CSB_BUF0	0x10	/* dword index */
#define GVT_HWS_CSB_WRITE	0x1f	/* dword index */

/* CSB status dword */
#define GVT_CSB_IDLE_ACTIVE	(1u << 0)
#define GVT_CSB_PREEMPTED	(1u << 1)
#define GVT_CSB_ELEMENT_SWITCH	(1u << 2)
#define GVT_CSB_ACTIVE_IDLE	(1u << 3)
#define GVT_CSB_COMPLETE	(1u << 4)
#define GVT_CSB_LITE_RESTORE	(1u << 15)

/* context descriptor (low dword) */
#define GVT_DESC_VALID		(1ull << 0)
#define GVT_DESC_MODE_SHIFT	3	/* 4:3 addressing mode */
#define GVT_DESC_MODE_LEGACY32	1	/* 3-level, 4 PDPs */
#define GVT_DESC_MODE_LEGACY64	3	/* 4-level, PML4 */
#define GVT_DESC_PRIVILEGE	(1ull << 8)
#define GVT_DESC_LRCA_MASK	0xfffff000ull

/* register-state page (LRCA + 4 KiB) dword indices, gen9 */
#define GVT_CTX_RING_HEAD	0x05
#define GVT_CTX_RING_TAIL	0x07
#define GVT_CTX_RING_START	0x09
#define GVT_CTX_RING_CTL	0x0b
#define GVT_CTX_PDP3_UDW	0x25	/* PDPn UDW at 0x31 - 4 * n, LDW at UDW + 2 */
#define GVT_CTX_PDP0_UDW	0x31
#define GVT_CTX_TIMESTAMP	0x23	/* CTX_TIMESTAMP value */
/* RCS only: the indirect-context (workaround) batch the restore runs */
#define GVT_CTX_BB_PER_CTX_PTR	0x19	/* BB_PER_CTX_PTR (0x1C0): GGTT | bit 0 valid */
#define GVT_CTX_INDIRECT_CTX	0x1b	/* INDIRECT_CTX (0x1C4): GGTT | size in 64 B lines */
#define GVT_CTX_INDIRECT_CTX_OFFSET 0x1d /* INDIRECT_CTX_OFFSET (0x1C8): restore point */
#define GVT_INDIRECT_CTX_SIZE	0x3fu	/* bits 5:0: cachelines */
#define GVT_BB_PER_CTX_VALID	1u
#define GVT_CTX_REGS_READ	0x34	/* dwords read from the guest image */
#define GVT_RING_ADDR_MASK	0x001ffffcu	/* head/tail offset in the ring */
#define GVT_RING_SIZE_MASK	0x001ff000u	/* RING_CTL: size - 4 KiB */

/* GT interrupt bits per engine (shifted by the engine's bank position) */
#define GVT_GT_USER		(1u << 0)
#define GVT_GT_CTX_SWITCH	(1u << 8)

#define GVT_ROOT_CACHE		16
/*
 * A cached root unused for this many root lookups (about one per
 * submission) is released. In untracked mode every shadowed guest page is
 * compared at every submission, so an idle root costs a compare of its
 * whole tree per submission; and a root whose PPGTT the guest freed
 * (i915 says nothing on a vGPU) has its pages reused as other tables or
 * data, which the sync would re-shadow as garbage (e.g. a page of PTEs,
 * PAT bit 7 set, read as a PDP of 1G entries).
 */
#define GVT_ROOT_IDLE		32
#define GVT_ANNOUNCED_ROOTS	64	/* PPGTTs announced by g2v, shadowed */
#define GVT_MAX_LISTS		2	/* active + one pending ELSP list */
/*
 * Shadow batch buffers live in the host's part of the GGTT, which every
 * vGPU shares: a small bound per workload (one per engine and vGPU at a
 * time) keeps one guest from exhausting it. i915's GGTT batches (blitter
 * batches it parsed) are a few KiB.
 */
#define GVT_BB_SNAP_MAX		512	/* GGTT command pages a scan may read (2 MiB) */
#define GVT_BB_SHADOW_MAX	(2u << 20)	/* shadow batch bytes per workload */
#define GVT_WL_ROOTS		(1 + GVT_CMD_MAX_PDP)	/* the image's + one per PDP LRI */

static inline uint32_t gvt_engine_base(unsigned int e)
{
	static const uint32_t base[GVT_NUM_ENGINES] = {
		RENDER_RING_BASE, GEN6_BSD_RING_BASE, BLT_RING_BASE, VEBOX_RING_BASE,
	};

	return base[e];
}

struct gvt_elsp_list {
	uint64_t desc[2];
	unsigned int n;		/* valid elements, 1 or 2 */
};

/* a GGTT page of guest commands as the scanner read it */
struct gvt_bb_snap {
	uint64_t page;		/* GGTT address */
	void *data;		/* 4 KiB copy */
};

/* where one GGTT batch segment (scan result bb[i]) sits in the shadow buffer */
struct gvt_bb_shadow {
	uint64_t page;		/* GGTT address of its first page */
	uint32_t span;		/* whole pages, bytes */
	uint32_t off;		/* offset in the shadow buffer */
};

/* the workload of one guest element while it runs on the physical engine */
struct gvt_workload {
	uint64_t desc;
	uint64_t lrca;		/* GGTT address of the guest context */
	uint32_t head, tail;	/* guest ring offsets the copy covers */
	uint32_t *cmds;		/* copy of guest ring [head, tail) */
	uint32_t bytes;
	uint64_t ring_gma;	/* the guest ring: GGTT address and size */
	uint32_t ring_size;
	/* roots in use: [0] the image's, then those PDP LRIs load (refs held) */
	struct sppt_root *roots[GVT_WL_ROOTS];
	unsigned int nroots;
	/* GGTT command pages the scanner read: what the shadow batches copy */
	struct gvt_bb_snap *snap;
	unsigned int nsnap, snap_cap, snap_last;
	/* shadow batch buffers: every GGTT segment in one host GM buffer */
	struct gvt_bb_shadow *bbs;
	unsigned int nbbs;
	void *bb_cpu, *bb_handle;
	uint64_t bb_gm;
	/* RCS indirect-context batch: scan result bb[0], copied with the
	 * shadow batches (guest GGTT address and bytes; 0 = none) */
	uint64_t wa_gma;
	uint32_t wa_bytes;
	/* PDP LRIs ran: the guest values they loaded, for the image write-back */
	bool pdp_loaded;
	uint64_t pdp_guest[4];
	uint64_t start_ns;
};

struct gvt_vengine {
	uint32_t elsp_dw[4];
	unsigned int elsp_idx;
	struct gvt_elsp_list lists[GVT_MAX_LISTS];
	unsigned int nlists;	/* lists[0] is active when nlists > 0 */
	unsigned int cur;	/* element of lists[0] that runs next / now */
	bool inflight;		/* lists[0].desc[cur] runs on the physical GPU */
	bool hung;		/* a workload failed: nothing runs until reset */
	unsigned int seq;	/* bumped by resets: stale completions are dropped */
	void *hctx;		/* host context for this vGPU and engine */
	void *hctx_cookie;	/* its unique completion cookie (never reused) */
	uint32_t hctx_ring;
	struct gvt_workload wl;
};

struct gvt_exec {
	struct gvt_vengine eng[GVT_NUM_ENGINES];
	/* the command scanner's workspace and result (gvt_cmd.h) */
	struct gvt_cmd_scanner scanner;
	struct gvt_cmd_result scan_res;
	struct sppt_vgpu *sppt;
	struct sppt_root *roots[GVT_ROOT_CACHE];	/* references held */
	uint64_t root_used[GVT_ROOT_CACHE];	/* root_clock at its last lookup */
	uint64_t root_clock;			/* root lookups so far */
	struct gvt_announced {
		struct sppt_root *root;	/* reference held until g2v destroy */
		unsigned int levels;
		uint64_t pdps[4];
	} announced[GVT_ANNOUNCED_ROOTS];
	unsigned int nannounced;
	/*
	 * Guest RAM the host maps linearly (gvt_vgpu_ram_linear_add): kept
	 * here so that a shadow engine created later registers them too.
	 */
	struct gvt_linear {
		uint64_t gfn, npages, dma;
	} linear[GVT_RAM_LINEAR_MAX];
	unsigned int nlinear;
	struct gvt_vgpu_exec_stats stats;
	/* scheduler's view, under sched->lock */
	unsigned int pending;	/* engines with work to dispatch */
	int64_t budget_ns;
};

struct gvt_sched_slot {
	struct gvt_vgpu *v;	/* owner of the workload on the engine, NULL = idle */
	void *cookie;		/* its host context */
	unsigned int seq;
	bool done;
	bool user_irq;		/* a user interrupt to forward */
	int status;
	uint64_t start;		/* when it was submitted */
};

struct gvt_sched {
	struct gvt_mutex lock;
	struct gvt_mutex run_lock;
	struct gvt_sched_slot slot[GVT_NUM_ENGINES];
	struct gvt_vgpu *vgpus[GVT_MAX_VGPUS];
	unsigned int nvgpus;
	struct gvt_vgpu *current;	/* vGPU owning the GPU's time slice */
	uint64_t current_since;
	uint64_t idle_since;		/* current has had nothing to run since */
	uint64_t slice_ns, balance_ns, last_balance, overrun_ns;
	uint64_t switches, overruns;
	uintptr_t next_cookie;	/* __atomic */
	struct gvt_mmio_ctx *mmio_ctx;	/* gvt_mmio_ctx.c: engine register owners */
};

/* gvt_execlist.c */
void gvt_execlist_retire(struct gvt_vgpu *v, unsigned int e, int status);
void gvt_exec_set_pending(struct gvt_vgpu *v);
void gvt_exec_raise(struct gvt_vgpu *v, unsigned int e, uint32_t bits);

/* gvt_workload.c */
int gvt_workload_dispatch(struct gvt_vgpu *v, unsigned int e);
void gvt_workload_finish(struct gvt_vgpu *v, unsigned int e, int status);
void gvt_workload_abort(struct gvt_vgpu *v, unsigned int e);
int gvt_workload_sppt_create(struct gvt_vgpu *v);
void gvt_workload_sppt_destroy(struct gvt_vgpu *v);
void gvt_workload_roots_drop(struct gvt_vgpu *v);

/* gvt_sched.c */
void gvt_sched_add(struct gvt_vgpu *v);
void gvt_sched_remove(struct gvt_vgpu *v);
void gvt_sched_slot_claim(struct gvt_vgpu *v, unsigned int e, void *cookie, unsigned int seq);
void gvt_sched_slot_release(struct gvt_vgpu *v, unsigned int e);
void gvt_sched_charge(struct gvt_vgpu *v, uint64_t ns);

/* gvt_mmio_ctx.c: engine register state switched between vGPU owners */
struct gvt_mmio_ctx;
int gvt_mmio_ctx_init(struct gvt_gpu *gpu);
void gvt_mmio_ctx_fini(struct gvt_gpu *gpu);
/* engine @e is idle and about to run a workload of @v: make @v its owner */
void gvt_mmio_ctx_switch(struct gvt_vgpu *v, unsigned int e);
/* @v goes away: it owns no engine any more */
void gvt_mmio_ctx_forget(struct gvt_vgpu *v);

#endif /* GVT_SRC_GVT_EXEC_H */
