// SPDX-License-Identifier: GPL-2.0-only
/* hostdrv internals. Register facts: i915 (intel_engine_regs.h, intel_gt_regs.h). */
#ifndef HDRV_INTERNAL_H
#define HDRV_INTERNAL_H

#include <assert.h>

#include "hostdrv.h"
#include "hdrv_deps.h"

/* engine-relative registers */
#define RING_TAIL		0x030
#define RING_HEAD		0x034
#define RING_ACTHD_UDW		0x05C
#define RING_IPEHR		0x068
#define RING_INSTDONE		0x06C
#define RING_ACTHD		0x074
#define RING_HWS_PGA		0x080
#define RING_HWSTAM		0x098
#define RING_MI_MODE		0x09C
#define RING_IMR		0x0A8
#define RING_EIR		0x0B0
#define RING_EMR		0x0B4
#define RING_ESR		0x0B8
#define RING_RESET_CTL		0x0D0
#define RING_ELSP		0x230
#define RING_MODE		0x29C
#define RING_CSB_PTR		0x3A0

#define MASKED_ENABLE(b)	(((b) << 16) | (b))
#define MASKED_DISABLE(b)	((b) << 16)
#define STOP_RING		(1u << 8)
#define RUN_LIST_ENABLE		(1u << 15)
#define RESET_REQUEST		(1u << 0)
#define RESET_READY		(1u << 1)
#define ERROR_INSTRUCTION	(1u << 0)

#define GDRST			0x941C
#define GDRST_FULL		(1u << 0)
#define FORCEWAKE_MT		0xA188	/* gen9: the GT/blitter domain request */
#define FORCEWAKE_RENDER	0xA278
#define FORCEWAKE_MEDIA		0xA270
#define FORCEWAKE_ACK_GT	0x130044
#define FORCEWAKE_ACK_RENDER	0x0D84
#define FORCEWAKE_ACK_MEDIA	0x0D88
#define FORCEWAKE_KERNEL	(1u << 0)
#define FUSE2			0x9120
#define CTC_MODE		0xA26C
#define RING_FAULT_REG		0x4094
#define FAULT_TLB_DATA0		0x4B10
#define FAULT_TLB_DATA1		0x4B14
#define MASTER_IRQ		0x44200
#define MASTER_IRQ_ENABLE	(1u << 31)
#define GT_IMR(n)		(0x44304 + 0x10 * (n))
#define GT_IIR(n)		(0x44308 + 0x10 * (n))
#define GT_IER(n)		(0x4430C + 0x10 * (n))
#define GFX_FLSH_CNTL		0x101008
#define GGTT_BAR_OFFSET		(8u << 20)
#define GGTT_MAX		(4ull << 30)

#define GT_USER			(1u << 0)
#define GT_CS_ERROR		(1u << 3)
#define GT_CTX_SWITCH		(1u << 8)
#define ENGINE_IRQS		(GT_USER | GT_CS_ERROR | GT_CTX_SWITCH)

#define CSB_IDLE_ACTIVE		0x1
#define CSB_PREEMPTED		0x2
#define CSB_ACTIVE_IDLE		0x8
#define CSB_LITE_RESTORE	0x8000
#define CSB_ENTRIES		6
#define HWSP_CSB_DW		0x10
#define HWSP_CSB_WRITE_DW	0x1F

/* gen9 context image, dword indices in the register state page */
#define CTX_CONTEXT_CONTROL	0x03
#define CTX_RING_HEAD		0x05
#define CTX_RING_TAIL		0x07
#define CTX_RING_START		0x09
#define CTX_RING_CTL		0x0B
#define CTX_BB_STATE		0x11
#define CTX_TIMESTAMP		0x23
#define CTX_BB_PER_CTX_PTR	0x19	/* RCS: per-context batch, bit 0 valid */
#define CTX_INDIRECT_CTX	0x1B	/* RCS: GGTT address | size in 64-byte lines */
#define CTX_INDIRECT_CTX_OFFSET	0x1D	/* RCS: where in the restore it runs */
#define CTX_PDP_UDW(n)		(0x31 - 4 * (n))
#define CTX_PDP_LDW(n)		(0x33 - 4 * (n))

#define DESC_VALID		(1ull << 0)
#define DESC_ADDR_MODE(m)	((uint64_t)(m) << 3)
#define DESC_PRIVILEGE		(1ull << 8)
#define DESC_RCS_PRIO_NORMAL	(1ull << 9)

static_assert(HWSP_CSB_DW + 2 * CSB_ENTRIES <= HWSP_CSB_WRITE_DW,
	      "CSB entries end before the write pointer in the HWSP");
static_assert(CTX_PDP_UDW(3) == 0x25 && CTX_PDP_LDW(0) == 0x33,
	      "gen9 image: PDP3 UDW at 0x25 .. PDP0 LDW at 0x33");
static_assert(CTX_INDIRECT_CTX == 0x1B && CTX_INDIRECT_CTX_OFFSET == 0x1D,
	      "gen9 image: INDIRECT_CTX (0x1C4) and its offset (0x1C8) at 0x1B/0x1D");
static_assert(GGTT_BAR_OFFSET + (GGTT_MAX >> 12) * 8 == 16u << 20, "GGTT PTEs end at 16 MiB");

struct hdrv_ctx {
	struct hdrv_gpu *gpu;
	enum hdrv_engine_id engine;
	struct hdrv_bo img;
	struct hdrv_bo ring;
	uint32_t ring_size;
	uint32_t tail;
	uint32_t sub_tail;	/* tail of the last submission */
	uint32_t ccid;
	uint64_t desc;
	enum hdrv_vm_mode vm;
	bool inflight;
	void *priv;
};

struct hdrv_engine {
	enum hdrv_engine_id id;
	uint32_t base, irq_bank, irq_shift, gdrst_bit;
	struct hdrv_bo hwsp;
	unsigned int csb_rd;
	struct hdrv_ctx *active[2];
	unsigned int n_active, active_idx;
	struct hdrv_ctx *pending[2];
	bool has_pending;
	bool error;
	uint64_t last_event_ns;
	/* hang check: the position last seen moving (ACTHD, ring head), when,
	 * the CSB events and submissions counted then, and how many checks in
	 * a row have seen it stand still */
	uint64_t hc_acthd;
	uint32_t hc_head;
	uint64_t hc_events, hc_submits;
	uint64_t hc_moved_ns;
	unsigned int hc_still;
	struct hdrv_engine_stats st;
};

enum hdrv_ev_type { EV_CTX, EV_USER, EV_ERROR };

struct hdrv_ev {
	enum hdrv_ev_type type;
	enum hdrv_engine_id engine;
	struct hdrv_ctx *ctx;
	enum hdrv_ctx_status st;
};

#define EVQ_SIZE	512

struct hdrv_gpu {
	struct hdrv_bus bus;
	struct hdrv_config cfg;
	struct hdrv_info info;
	hdrv_mutex_t lock;
	atomic_int irq_pending;
	atomic_int dispatching;	/* callbacks popped but not finished */
	struct hdrv_dma scratch;
	uint64_t *ggtt_map;	/* allocation bitmap, one bit per 4 KiB page */
	uint64_t ggtt_pages;
	uint64_t alloc_pages;	/* allocator limit (cfg.ggtt_alloc_size) */
	uint64_t ggtt_hint;
	struct hdrv_engine eng[HDRV_NUM_ENGINES];
	struct hdrv_callbacks cb;
	void *cb_arg;
	uint32_t next_ccid;
	struct hdrv_ev evq[EVQ_SIZE];
	unsigned int ev_head, ev_tail;
	uint64_t ev_dropped;
};

/* MMIO helpers (BAR0) */
static inline uint32_t rd(struct hdrv_gpu *gpu, uint32_t reg)
{
	return gpu->bus.ops->read32(gpu->bus.ctx, 0, reg);
}

static inline void wr(struct hdrv_gpu *gpu, uint32_t reg, uint32_t val)
{
	gpu->bus.ops->write32(gpu->bus.ctx, 0, reg, val);
}

static inline uint32_t erd(struct hdrv_gpu *gpu, struct hdrv_engine *e, uint32_t off)
{
	return rd(gpu, e->base + off);
}

static inline void ewr(struct hdrv_gpu *gpu, struct hdrv_engine *e, uint32_t off, uint32_t val)
{
	wr(gpu, e->base + off, val);
}

/* wait for (reg & mask) == want, up to us microseconds; 0 or -ETIMEDOUT */
int hdrv_wait_reg(struct hdrv_gpu *gpu, uint32_t reg, uint32_t mask, uint32_t want, unsigned int us);
void hdrv_lock(struct hdrv_gpu *gpu);
/* unlock, then handle deferred interrupts and run queued callbacks */
void hdrv_unlock(struct hdrv_gpu *gpu);
void hdrv_queue_ev(struct hdrv_gpu *gpu, enum hdrv_ev_type t, enum hdrv_engine_id e,
		   struct hdrv_ctx *ctx, enum hdrv_ctx_status st);

/* reset engines in mask (bit = engine id; all = full GDRST) */
int hdrv_reset_engines(struct hdrv_gpu *gpu, uint32_t engine_mask);

/* hdrv_engine.c */
int hdrv_engine_init_hw(struct hdrv_gpu *gpu, struct hdrv_engine *e);
void hdrv_handle_irq_locked(struct hdrv_gpu *gpu);
void hdrv_engine_drop_all(struct hdrv_gpu *gpu, struct hdrv_engine *e);

#endif /* HDRV_INTERNAL_H */
