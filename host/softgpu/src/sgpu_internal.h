// SPDX-License-Identifier: GPL-2.0-only
/* softgpu internals: device, engines, register map, shared helpers. */
#ifndef SGPU_INTERNAL_H
#define SGPU_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "softgpu.h"
#include "sgpu_deps.h"

/* ---- register map (offsets in BAR0) ----------------------------------- */

/* per engine, relative to the engine base (PRM vol 2c, i915 intel_engine_regs.h) */
#define R_RING_TAIL		0x030
#define R_RING_HEAD		0x034
#define R_RING_START		0x038
#define R_RING_CTL		0x03C
#define R_ACTHD_UDW		0x05C
#define R_IPEIR			0x064
#define R_IPEHR			0x068
#define R_INSTDONE		0x06C
#define R_ACTHD			0x074
#define R_HWS_PGA		0x080
#define R_HWSTAM		0x098
#define R_MI_MODE		0x09C
#define R_IMR			0x0A8
#define R_EIR			0x0B0
#define R_EMR			0x0B4
#define R_ESR			0x0B8
#define R_RESET_CTL		0x0D0
#define R_BBSTATE		0x110
#define R_BBADDR		0x140
#define R_BBADDR_UDW		0x168
#define R_BCS_SWCTRL		0x200	/* BCS only: Y-tiling select for XY_ blits */
#define R_ELSP			0x230
#define R_EXECLIST_STATUS_LO	0x234
#define R_EXECLIST_STATUS_HI	0x238
#define R_CONTEXT_CONTROL	0x244
#define R_PDP0_LDW		0x270
#define R_MODE			0x29C
#define R_TIMESTAMP		0x358
#define R_TIMESTAMP_UDW		0x35C
#define R_CSB_BUF		0x370	/* 6 x 64-bit */
#define R_CSB_PTR		0x3A0
#define R_CTX_TIMESTAMP		0x3A8
#define R_GPR			0x600	/* 16 x 64-bit */
#define ENGINE_REG_SPAN		0x800

/* bits */
#define MI_MODE_STOP_RING	(1u << 8)
#define MI_MODE_IDLE		(1u << 9)
#define MODE_RUN_LIST_ENABLE	(1u << 15)
#define RESET_CTL_REQUEST	(1u << 0)
#define RESET_CTL_READY		(1u << 1)
#define EIR_INSTRUCTION		(1u << 0)
#define EIR_PAGE_TABLE		(1u << 4)
#define RING_CTL_VALID		(1u << 0)

/* global */
#define R_GDRST			0x941C
#define GDRST_FULL		(1u << 0)
#define R_FUSE2			0x9120
#define R_CTC_MODE		0xA26C
#define R_FORCEWAKE_MT		0xA188
#define R_FW_RENDER_REQ		0xA278
#define R_FW_RENDER_ACK		0x0D84
#define R_FW_MEDIA_REQ		0xA270
#define R_FW_MEDIA_ACK		0x0D88
#define R_FW_GT_ACK		0x130044
#define R_RING_FAULT		0x4094
#define R_FAULT_TLB_DATA0	0x4B10
#define R_FAULT_TLB_DATA1	0x4B14
#define R_TLB_INV_RCS		0x4260
#define R_TLB_INV_VCS		0x4264
#define R_TLB_INV_BCS		0x426C
#define R_TLB_INV_VECS		0x4270
#define R_FPGA_DBG		0x42300
#define R_MASTER_IRQ		0x44200
#define MASTER_IRQ_ENABLE	(1u << 31)
#define R_GT_ISR(n)		(0x44300 + 0x10 * (n))
#define R_GT_IMR(n)		(0x44304 + 0x10 * (n))
#define R_GT_IIR(n)		(0x44308 + 0x10 * (n))
#define R_GT_IER(n)		(0x4430C + 0x10 * (n))
#define R_GFX_FLSH_CNTL		0x101008

/* per-engine interrupt bits (GT IIR, shifted per engine) */
#define GT_USER			(1u << 0)
#define GT_CS_ERROR		(1u << 3)
#define GT_CTX_SWITCH		(1u << 8)
#define GT_WAIT_SEMAPHORE	(1u << 11)

/* CSB status (i915 intel_execlists_submission.c) */
#define CSB_IDLE_ACTIVE		0x1
#define CSB_PREEMPTED		0x2
#define CSB_ELEMENT_SWITCH	0x4
#define CSB_ACTIVE_IDLE		0x8
#define CSB_COMPLETE		0x10
#define CSB_LITE_RESTORE	0x8000
#define CSB_ENTRIES		6
#define HWSP_CSB_DW		0x10
#define HWSP_CSB_WRITE_DW	0x1F

/* context image: dword indices into the register state page (LRCA + 4 KiB) */
#define CTX_CONTEXT_CONTROL	0x03
#define CTX_RING_HEAD		0x05
#define CTX_RING_TAIL		0x07
#define CTX_RING_START		0x09
#define CTX_RING_CTL		0x0B
#define CTX_BB_ADDR_UDW		0x0D
#define CTX_BB_ADDR		0x0F
#define CTX_BB_STATE		0x11
#define CTX_SBB_ADDR_UDW	0x13
#define CTX_SBB_ADDR		0x15
#define CTX_TIMESTAMP		0x23
#define CTX_INDIRECT_CTX	0x1B	/* RCS: GGTT address | size in 64-byte lines */
#define INDIRECT_CTX_LINES	0x3Fu
#define CTX_PDP_UDW(n)		(0x31 - 4 * (n))
#define CTX_PDP_LDW(n)		(0x33 - 4 * (n))
#define CTX_REG_PAGE		4096
#define PPHWSP_BYTES		4096

/* descriptor */
#define DESC_VALID		(1ull << 0)
#define DESC_ADDR_MODE_SHIFT	3
#define DESC_PRIVILEGE		(1ull << 8)
#define DESC_LRCA_MASK		0xFFFFF000ull
#define ADDR_MODE_LEGACY_32	1
#define ADDR_MODE_LEGACY_64	3

/* timestamps: CTC_MODE 0x4 -> 12 MHz (i915 gen9_read_clock_frequency) */
#define SGPU_TS_HZ		12000000ull

/* hardware layouts the model depends on */
static_assert(SGPU_GGTT_OFFSET + (SGPU_GGTT_SIZE >> 12) * 8 == SGPU_BAR0_SIZE,
	      "GGTT PTEs fill BAR0 from 8 MiB to 16 MiB");
static_assert(SGPU_MMIO_SIZE <= SGPU_GGTT_OFFSET, "registers below the GGTT");
static_assert((HWSP_CSB_DW + 2 * CSB_ENTRIES) <= HWSP_CSB_WRITE_DW,
	      "CSB entries (HWSP bytes 0x40-0x6F) end before the write pointer (0x7C)");
static_assert(CTX_PDP_UDW(3) == 0x25 && CTX_PDP_LDW(0) == 0x33,
	      "gen9 image: PDP3 UDW at 0x25 .. PDP0 LDW at 0x33 (i915 gen9 offsets)");
static_assert(R_CSB_BUF + 8 * CSB_ENTRIES <= R_CSB_PTR, "CSB MMIO mirror before the pointer");
static_assert(R_GPR + 16 * 8 <= ENGINE_REG_SPAN, "GPRs inside the engine register span");

/* ---- device state ----------------------------------------------------- */

struct sgpu_region {
	uint64_t dma;
	uint64_t size;
	uint8_t *host;
	bool owned;
};

/* a context loaded on an engine (from its image) */
struct sgpu_ctx {
	bool valid;
	uint64_t desc;
	uint32_t lrca;
	uint32_t ccid;
	uint32_t ring_start;
	uint32_t ring_size;
	uint32_t head;
	uint32_t tail;
	unsigned int addr_mode;
	uint64_t pdp[4];
	uint64_t busy_ns;	/* modelled, from CTX_TIMESTAMP */
	bool priv;
	/* batch state restored from the image (mid-batch preemption) */
	unsigned int level;
	uint64_t bb[3];
	bool bb_ppgtt[3];
	uint64_t bb_ret;
};

struct sgpu_xlate_cache {
	uint64_t page;		/* graphics page (addr >> 12) */
	uint8_t space;		/* 0 none, 1 GGTT, 2 PPGTT */
	uint8_t *host;		/* host address of the page */
};

struct sgpu_engine {
	struct sgpu *gpu;
	unsigned int id;
	uint32_t base;
	uint32_t irq_bank, irq_shift, master_bit, gdrst_bit;
	const char *name;

	/* execlists */
	uint32_t elsp[4];
	unsigned int elsp_n;
	bool pending;
	uint64_t pend_desc[2];
	struct sgpu_ctx elem[2];
	unsigned int cur;	/* running element */
	bool active;		/* a context is loaded */
	bool halted;		/* stopped by an error until reset */
	unsigned int csb_wr;	/* index of the last written CSB entry */

	/* command streamer */
	unsigned int level;	/* 0 ring, 1 first-level batch, 2 second-level */
	uint64_t bb_addr[3];
	bool bb_ppgtt[3];
	uint64_t bb_ret;	/* level 2 returns here in level 1 */
	bool arb_on;
	bool sem_waiting;
	/* RCS indirect-context batch of the restore: runs first, privileged */
	bool wa_active;
	uint64_t wa_addr, wa_end;
	uint64_t acthd;
	uint64_t activation_cmds;
	uint64_t act_start_ns;	/* wall time at activation (pacing) */
	uint64_t act_model_ns;	/* modelled ns at activation */
	uint64_t model_ns;	/* modelled busy time, total */
	struct sgpu_xlate_cache tc[2];	/* two entries: a blit's src and dst */
	unsigned int tc_next;
	struct sgpu_error err;

	sgpu_thread_t thread;
	sgpu_cond_t cv;
	bool thread_started;
};

struct sgpu {
	struct sgpu_config cfg;
	sgpu_mutex_t lock;
	uint32_t *regs;			/* 2 MiB register file */
	uint64_t *ggtt;			/* 1 Mi PTEs */
	struct sgpu_engine eng[SGPU_NUM_ENGINES];

	struct sgpu_region *regions;	/* sorted by dma */
	unsigned int nregions, cap_regions;
	unsigned int last_region;

	bool irq_line;			/* level of the interrupt output */
	bool irq_edge;			/* rose since last delivery */
	void (*irq_fn)(void *arg);
	void *irq_arg;
	int irq_busy;			/* deliveries in progress (atomic) */

	bool stopping;
	uint64_t t0_ns;
	unsigned int log_count;
	unsigned int log_suppressed;
	uint64_t log_window_ns;
	struct sgpu_stats st;
};

/* ---- helpers shared between files (called with gpu->lock held) -------- */

#define SGPU_LOCK(g)	pthread_mutex_lock(&(g)->lock)
#define SGPU_UNLOCK(g)	pthread_mutex_unlock(&(g)->lock)

void sgpu_log(struct sgpu *gpu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* unlock, then deliver a pending interrupt edge outside the lock */
void sgpu_unlock_deliver(struct sgpu *gpu);
void sgpu_kick(struct sgpu_engine *eng);
/* pacing: how far modelled busy time is ahead of wall time since activation */
uint64_t sgpu_pace_ahead_ns(struct sgpu_engine *eng);

/* registers (sgpu_regs.c) */
void sgpu_regs_reset(struct sgpu *gpu);
uint32_t sgpu_reg_read(struct sgpu *gpu, uint32_t off);
/* from_cs: a command streamer write (LRI/LRM/LRR): no side effects */
bool sgpu_reg_write(struct sgpu *gpu, uint32_t off, uint32_t val, bool from_cs);
void sgpu_raise(struct sgpu_engine *eng, uint32_t bits);
void sgpu_irq_update(struct sgpu *gpu);
uint64_t sgpu_timestamp(struct sgpu *gpu);

static inline uint32_t *ereg(struct sgpu_engine *eng, uint32_t off)
{
	return &eng->gpu->regs[(eng->base + off) >> 2];
}

/* memory (sgpu_mem.c) */
uint8_t *sgpu_dma_host(struct sgpu *gpu, uint64_t dma, uint64_t len);
/* translate a graphics address; returns host pointer and bytes left in page */
uint8_t *sgpu_xlate(struct sgpu_engine *eng, uint64_t gva, bool ppgtt, uint32_t *avail);
int sgpu_gva_read(struct sgpu_engine *eng, uint64_t gva, bool ppgtt, void *buf, uint32_t len);
int sgpu_gva_write(struct sgpu_engine *eng, uint64_t gva, bool ppgtt, const void *buf, uint32_t len);
int sgpu_ggtt_read32(struct sgpu *gpu, uint64_t gva, uint32_t *val);
int sgpu_ggtt_write32(struct sgpu *gpu, uint64_t gva, uint32_t val);
void sgpu_fault(struct sgpu_engine *eng, uint64_t gva, bool ppgtt);

static inline void sgpu_tc_flush(struct sgpu_engine *eng)
{
	eng->tc[0].space = 0;
	eng->tc[1].space = 0;
}

/* execlists (sgpu_execlist.c) */
void sgpu_elsp_write(struct sgpu_engine *eng, uint32_t val);
void sgpu_engine_reset(struct sgpu_engine *eng);
bool sgpu_arbitrate(struct sgpu_engine *eng);
void sgpu_ctx_complete(struct sgpu_engine *eng);
void sgpu_engine_fail(struct sgpu_engine *eng, uint32_t eir, uint32_t header, uint64_t fault,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sgpu_csb_ptr_write(struct sgpu_engine *eng, uint32_t val);
static inline struct sgpu_ctx *sgpu_cur(struct sgpu_engine *eng)
{
	return &eng->elem[eng->cur];
}
bool sgpu_engine_runnable(struct sgpu_engine *eng);

/* command streamer (sgpu_cs.c) and blitter (sgpu_blt.c) */
uint32_t sgpu_engine_run(struct sgpu_engine *eng, uint32_t budget);
/* returns 0, or -EFAULT / -EINVAL after failing the engine */
int sgpu_blt_exec(struct sgpu_engine *eng, const uint32_t *cmd, uint32_t len, bool ppgtt);

#endif /* SGPU_INTERNAL_H */
