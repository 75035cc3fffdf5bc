// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostdrv: the host-side driver that brings up and programs a physical Intel
 * Gen9 GPU (Skylake GT2 class) for the vGPU scheduler.
 *
 * The driver reaches the GPU only through a bus ops table (MMIO on BAR0/BAR2,
 * config space, DMA memory, an interrupt line). softgpu implements the bus
 * in-process (sgpu_bus()); a VFIO-mapped BAR is the second implementation.
 *
 * Everything here is thread safe: one lock per GPU.
 */
#ifndef HOSTDRV_H
#define HOSTDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- bus -------------------------------------------------------------- */

/* DMA-able memory: page aligned, zeroed, visible to CPU and GPU. */
struct hdrv_dma {
	void *cpu;		/* CPU mapping */
	uint64_t dma;		/* bus address the GPU uses */
	size_t size;		/* bytes, a multiple of 4096 */
};

struct hdrv_bus_ops {
	uint32_t (*cfg_read32)(void *ctx, uint32_t off);
	uint32_t (*read32)(void *ctx, unsigned int bar, uint64_t off);
	void (*write32)(void *ctx, unsigned int bar, uint64_t off, uint32_t val);
	uint64_t (*read64)(void *ctx, unsigned int bar, uint64_t off);
	void (*write64)(void *ctx, unsigned int bar, uint64_t off, uint64_t val);
	/* size is rounded up to 4 KiB; returns 0 or -errno */
	int (*dma_alloc)(void *ctx, size_t size, struct hdrv_dma *out);
	void (*dma_free)(void *ctx, struct hdrv_dma *mem);
	/*
	 * Make existing memory (e.g. guest RAM the vGPU shadows into the GGTT)
	 * reachable by the GPU: page aligned cpu/size; out->dma is its bus
	 * address. Optional (NULL: -EOPNOTSUPP).
	 */
	int (*dma_map)(void *ctx, void *cpu, size_t size, struct hdrv_dma *out);
	void (*dma_unmap)(void *ctx, struct hdrv_dma *mem);
	/*
	 * Connect the interrupt line: handler(arg) is called (from any thread,
	 * never with bus locks held) whenever the GPU asserts its interrupt.
	 * handler == NULL disconnects. Optional (NULL: the driver polls).
	 */
	int (*irq_connect)(void *ctx, void (*handler)(void *arg), void *arg);
};

struct hdrv_bus {
	const struct hdrv_bus_ops *ops;
	void *ctx;
};

/* ---- device ----------------------------------------------------------- */

enum hdrv_engine_id {
	HDRV_RCS = 0,
	HDRV_BCS = 1,
	HDRV_VCS = 2,
	HDRV_VECS = 3,
	HDRV_NUM_ENGINES = 4,
};

/* Why a submitted context left the engine. */
enum hdrv_ctx_status {
	HDRV_CTX_COMPLETE = 0,	/* ring head reached the submitted tail */
	HDRV_CTX_PREEMPTED = 1,	/* switched out early; resubmit to continue */
	HDRV_CTX_ERROR = 2,	/* engine error or reset: the context was dropped */
};

struct hdrv_ctx;
struct hdrv_gpu;

/*
 * Callbacks run on any thread (the interrupt line's, or whichever thread
 * called into hostdrv), never with a hostdrv lock held: they may call any
 * hdrv_ function, e.g. resubmit from ctx_done.
 */
struct hdrv_callbacks {
	/* a submitted context left the engine */
	void (*ctx_done)(void *arg, struct hdrv_ctx *ctx, enum hdrv_ctx_status st);
	/* MI_USER_INTERRUPT / PIPE_CONTROL notify on an engine */
	void (*user_irq)(void *arg, enum hdrv_engine_id engine);
	/* an engine reported an error (it is halted until hdrv_engine_reset) */
	void (*engine_error)(void *arg, enum hdrv_engine_id engine);
};

struct hdrv_config {
	uint64_t ggtt_size;	/* bytes of GGTT to manage, 0 = all 4 GiB */
	bool use_irq;		/* connect the interrupt line (else poll) */
	uint32_t hang_ms;	/* no progress for this long = hung, 0 = 500 */
	/*
	 * bytes at the bottom of the GGTT that hdrv_ggtt_alloc hands out
	 * (0 = ggtt_size); the rest (vGPU partitions) is only reached
	 * through hdrv_ggtt_insert/clear by the caller
	 */
	uint64_t ggtt_alloc_size;
};

struct hdrv_info {
	uint16_t vendor, device;
	uint32_t fuse2;
	uint32_t ts_freq_hz;	/* command streamer timestamp frequency */
	uint64_t ggtt_size;
};

int hdrv_gpu_probe(const struct hdrv_bus *bus, const struct hdrv_config *cfg,
		   struct hdrv_gpu **out);
/* Destroy every context and bo first; resets the engines, disconnects the irq. */
void hdrv_gpu_remove(struct hdrv_gpu *gpu);
void hdrv_gpu_info(struct hdrv_gpu *gpu, struct hdrv_info *info);
void hdrv_set_callbacks(struct hdrv_gpu *gpu, const struct hdrv_callbacks *cb, void *arg);
/* Full GPU reset (GDRST): every engine drops its contexts (ctx_done ERROR). */
int hdrv_gpu_reset(struct hdrv_gpu *gpu);

/*
 * Fence register n (0..31, FENCE_REG_GEN6 at 0x100000 + 8n): 64-bit value,
 * bit0 = valid; written disable-first like i915 so no half value is live.
 */
int hdrv_fence_write(struct hdrv_gpu *gpu, unsigned int n, uint64_t val);

/* Raw register access (debug, and for the vGPU device model). */
uint32_t hdrv_mmio_read(struct hdrv_gpu *gpu, uint32_t reg);
void hdrv_mmio_write(struct hdrv_gpu *gpu, uint32_t reg, uint32_t val);

/* ---- DMA memory and GGTT --------------------------------------------- */

int hdrv_dma_alloc(struct hdrv_gpu *gpu, size_t size, struct hdrv_dma *out);
void hdrv_dma_free(struct hdrv_gpu *gpu, struct hdrv_dma *mem);
/* Map caller memory for the GPU (page aligned); undo with hdrv_dma_unmap. */
int hdrv_dma_map(struct hdrv_gpu *gpu, void *cpu, size_t size, struct hdrv_dma *out);
void hdrv_dma_unmap(struct hdrv_gpu *gpu, struct hdrv_dma *mem);

/* GGTT address space allocator (4 KiB granules; never hands out page 0). */
int hdrv_ggtt_alloc(struct hdrv_gpu *gpu, uint64_t size, uint64_t align, uint64_t *gtt);
void hdrv_ggtt_release(struct hdrv_gpu *gpu, uint64_t gtt, uint64_t size);
/* Point the PTE of GGTT page gtt at DMA page dma (both 4 KiB aligned). */
int hdrv_ggtt_insert(struct hdrv_gpu *gpu, uint64_t gtt, uint64_t dma);
int hdrv_ggtt_insert_range(struct hdrv_gpu *gpu, uint64_t gtt, const struct hdrv_dma *mem);
/* Point npages PTEs at the scratch page. */
int hdrv_ggtt_clear(struct hdrv_gpu *gpu, uint64_t gtt, uint64_t npages);
uint64_t hdrv_ggtt_read_pte(struct hdrv_gpu *gpu, uint64_t gtt);
/* Raw PTE write by index (gen8 PTE: DMA address | present), no TLB flush;
 * batch them and call hdrv_ggtt_invalidate() (GFX_FLSH_CNTL) once. */
int hdrv_ggtt_write_pte(struct hdrv_gpu *gpu, uint64_t index, uint64_t pte);
void hdrv_ggtt_invalidate(struct hdrv_gpu *gpu);

/* DMA memory mapped into the GGTT. */
struct hdrv_bo {
	struct hdrv_dma mem;
	uint64_t gtt;
};
int hdrv_bo_create(struct hdrv_gpu *gpu, size_t size, struct hdrv_bo *bo);
void hdrv_bo_destroy(struct hdrv_gpu *gpu, struct hdrv_bo *bo);

/* ---- contexts and submission ----------------------------------------- */

enum hdrv_vm_mode {
	HDRV_VM_GGTT = 0,	/* no PPGTT; batches run from the GGTT */
	HDRV_VM_PPGTT_3LVL = 1,	/* legacy 32-bit: 4 PDP roots */
	HDRV_VM_PPGTT_4LVL = 2,	/* legacy 64-bit: PML4 root */
};

struct hdrv_ctx_params {
	uint32_t ring_size;	/* bytes, 4 KiB multiple, 0 = 16 KiB */
	enum hdrv_vm_mode vm;
	uint64_t pdp[4];	/* 3-level: PDP0..3 DMA addrs; 4-level: pdp[0] = PML4 */
	bool unprivileged;	/* clear the descriptor privilege bit */
	void *priv;		/* caller cookie, see hdrv_ctx_priv() */
};

int hdrv_ctx_create(struct hdrv_gpu *gpu, enum hdrv_engine_id engine,
		    const struct hdrv_ctx_params *p, struct hdrv_ctx **out);
/* A context still on its engine is stopped by an engine reset first (other
 * contexts on that engine are then reported HDRV_CTX_ERROR). */
void hdrv_ctx_destroy(struct hdrv_ctx *ctx);
void *hdrv_ctx_priv(const struct hdrv_ctx *ctx);
enum hdrv_engine_id hdrv_ctx_engine(const struct hdrv_ctx *ctx);
/* Append dwords to the ring (wrapping); -ENOSPC if the ring would overflow. */
int hdrv_ctx_emit(struct hdrv_ctx *ctx, const uint32_t *dw, unsigned int n);
/*
 * Direct ring access for callers that copy commands in bulk (the vGPU copies
 * a guest ring): write at hdrv_ctx_tail(), then hdrv_ctx_set_tail().
 */
void *hdrv_ctx_ring_map(struct hdrv_ctx *ctx, uint32_t *size);
uint64_t hdrv_ctx_ring_gtt(const struct hdrv_ctx *ctx);
/* -EINVAL if unaligned (4 bytes) or outside the ring */
int hdrv_ctx_set_tail(struct hdrv_ctx *ctx, uint32_t tail);
/* Ring tail in bytes (where the next emit lands) and saved head. */
uint32_t hdrv_ctx_tail(const struct hdrv_ctx *ctx);
uint32_t hdrv_ctx_head(const struct hdrv_ctx *ctx);
/* Context descriptor (what goes into the ELSP) and the image. */
uint64_t hdrv_ctx_desc(const struct hdrv_ctx *ctx);
uint32_t *hdrv_ctx_regs(struct hdrv_ctx *ctx);	/* register state page */
uint64_t hdrv_ctx_lrca(const struct hdrv_ctx *ctx);
/* Busy time the GPU saved in the image (CTX_TIMESTAMP), in ns. */
uint64_t hdrv_ctx_busy_ns(struct hdrv_ctx *ctx);
/* Change the page-table roots of an idle context. */
int hdrv_ctx_set_vm(struct hdrv_ctx *ctx, enum hdrv_vm_mode vm, const uint64_t pdp[4]);
/*
 * RCS indirect-context batch of an idle context: @bytes (a multiple of 64,
 * at most 63 lines) of commands at GGTT @gtt (64-byte aligned) that the
 * engine runs on every restore of the context, before its ring; @offset is
 * the INDIRECT_CTX_OFFSET value. @bytes 0 clears it (nothing runs).
 * -EBUSY in flight, -EINVAL bad alignment or size, or not an RCS context.
 */
int hdrv_ctx_set_indirect(struct hdrv_ctx *ctx, uint64_t gtt, uint32_t bytes, uint32_t offset);

/*
 * Submit up to two contexts (ctx1 may be NULL) to their engine. Their ring
 * tails are written into the images, then the ELSP. A submission while the
 * engine is busy replaces the pending list (preemption at the next
 * arbitration point; the running context first = lite restore).
 * -EBUSY if a previous submission is still pending.
 */
int hdrv_engine_submit(struct hdrv_gpu *gpu, struct hdrv_ctx *ctx0, struct hdrv_ctx *ctx1);
/* Process interrupts and the context status buffer; returns events handled. */
int hdrv_engine_poll(struct hdrv_gpu *gpu, enum hdrv_engine_id engine);
bool hdrv_engine_idle(struct hdrv_gpu *gpu, enum hdrv_engine_id engine);
/* true when hdrv_engine_submit would not return -EBUSY/-EIO (no list pending) */
bool hdrv_engine_can_submit(struct hdrv_gpu *gpu, enum hdrv_engine_id engine);
/* Poll until idle or error; -ETIMEDOUT, -EIO (engine error) or 0. Returns
 * after the callbacks of the events seen so far have run (so never call it
 * from a callback). */
int hdrv_engine_wait_idle(struct hdrv_gpu *gpu, enum hdrv_engine_id engine, uint32_t timeout_ms);
/*
 * Hang check: true if the engine is in error, or busy with its position
 * (ACTHD, ring head) unchanged for hang_ms across at least three calls in a
 * row, or busy without a context event for 10 * hang_ms (a looping batch).
 * Each call samples the engine: call it periodically (a few times per
 * hang_ms); one late call after a long gap never decides alone.
 */
bool hdrv_engine_hung(struct hdrv_gpu *gpu, enum hdrv_engine_id engine);
/* Per-engine reset (RESET_CTL handshake + GDRST): active contexts dropped. */
int hdrv_engine_reset(struct hdrv_gpu *gpu, enum hdrv_engine_id engine);
/* Check every engine, reset the hung ones; returns the mask of engines reset. */
unsigned int hdrv_hangcheck(struct hdrv_gpu *gpu);

struct hdrv_engine_error {
	uint32_t eir, esr, ipehr, acthd, instdone;
	uint32_t fault_reg;
	uint64_t fault_addr;
};
/* Error registers of an engine (valid after an engine_error callback). */
void hdrv_engine_read_error(struct hdrv_gpu *gpu, enum hdrv_engine_id engine,
			    struct hdrv_engine_error *err);

struct hdrv_engine_stats {
	uint64_t submits, completes, preemptions, lite_restores, errors, resets;
	uint64_t user_irqs, csb_events;
};
void hdrv_engine_stats(struct hdrv_gpu *gpu, enum hdrv_engine_id engine,
		       struct hdrv_engine_stats *st);

#endif /* HOSTDRV_H */
