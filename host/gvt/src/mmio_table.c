// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compile-time register table of the Gen9 GT2 vGPU: every register with
 * a power-on value other than 0, a flag semantic or a handler. Registers not
 * listed are plain storage (reset value 0). Why each value was chosen is in
 * docs/vgpu.md ("Register model"); the offsets are in gvt_regs.h.
 */
#include "gvt_internal.h"
#include "gvt_mmio_ctx.h"
#include <kvmgt/uapi/vgt_if.h>

#define REG(o, f, i, r, w)	{ .off = (o), .size = 4, .flags = (f), .init = (i), \
				  .read = (r), .write = (w) }
#define RANGE(o, s, f, i, r, w)	{ .off = (o), .size = (s), .flags = (f), .init = (i), \
				  .read = (r), .write = (w) }
/* one entry per engine: RCS, VCS0, BCS, VECS */
#define RING(fn, f, i, r, w) \
	REG(fn(RENDER_RING_BASE), f, i, r, w), REG(fn(GEN6_BSD_RING_BASE), f, i, r, w), \
	REG(fn(BLT_RING_BASE), f, i, r, w), REG(fn(VEBOX_RING_BASE), f, i, r, w)
#define RING_RANGE(fn, s, f, i, r, w) \
	RANGE(fn(RENDER_RING_BASE), s, f, i, r, w), RANGE(fn(GEN6_BSD_RING_BASE), s, f, i, r, w), \
	RANGE(fn(BLT_RING_BASE), s, f, i, r, w), RANGE(fn(VEBOX_RING_BASE), s, f, i, r, w)
/* ISR (read-only), IMR, IIR (write 1 to clear), IER of one interrupt bank */
#define IRQ_BANK(isr) \
	REG((isr) + IRQ_ISR, GVT_F_RO, 0, NULL, NULL), \
	REG((isr) + IRQ_IMR, 0, 0xffffffffu, NULL, gvt_irq_write_mask), \
	REG((isr) + IRQ_IIR, GVT_F_W1C, 0, NULL, gvt_irq_write_iir), \
	REG((isr) + IRQ_IER, 0, 0, NULL, gvt_irq_write_mask)
#define PER_PIPE(fn, f, i, r, w)	REG(fn(0), f, i, r, w), REG(fn(1), f, i, r, w), \
					REG(fn(2), f, i, r, w)
#define PER_DDI(fn, f, i, r, w)	REG(fn(0), f, i, r, w), REG(fn(1), f, i, r, w), \
				REG(fn(2), f, i, r, w), REG(fn(3), f, i, r, w), \
				REG(fn(4), f, i, r, w)
/* write handler of the registers switched between vGPUs */
#define CTX			gvt_mmio_ctx_write
#define RING_GPR(b)		((b) + 0x600)
#define RING_TIMESTAMP_UDW(b)	(RING_TIMESTAMP(b) + 4)
#define PLANE2_SURF(p)		PLANE_N_SURF(p, 1)
#define PLANE2_SURFLIVE(p)	PLANE_N_SURFLIVE(p, 1)
#define PLANE3_SURF(p)		PLANE_N_SURF(p, 2)
#define PLANE3_SURFLIVE(p)	PLANE_N_SURFLIVE(p, 2)

const struct gvt_reg_info gvt_reg_table[] = {
	/* ---- engines ---- */
	RING(RING_MI_MODE, GVT_F_MASKED, MI_MODE_IDLE, NULL, gvt_mi_mode_write),
	RING(RING_EIR, GVT_F_W1C, 0, NULL, NULL),
	RING(RING_ESR, GVT_F_RO, 0, NULL, NULL),
	RING(RING_RESET_CTL, GVT_F_MASKED, 0, NULL, gvt_reset_ctl_write),
	RING(RING_ELSP, GVT_F_WO, 0, NULL, gvt_elsp_write),
	RING(RING_EXECLIST_STATUS_LO, GVT_F_RO, 0, NULL, NULL),
	RING(RING_EXECLIST_STATUS_HI, GVT_F_RO, 0, NULL, NULL),
	RING(RING_CONTEXT_CONTROL, GVT_F_MASKED, 0, NULL, NULL),
	RING(RING_MODE_GEN7, GVT_F_MASKED, 0, NULL, gvt_ring_mode_write),
	RING(RING_TIMESTAMP, GVT_F_RO, 0, gvt_timestamp_read, NULL),
	RING(RING_TIMESTAMP_UDW, GVT_F_RO, 0, gvt_timestamp_read, NULL),
	RING_RANGE(RING_CSB, 48, GVT_F_RO, 0, NULL, NULL),
	/* read pointer 10:8 and write pointer 2:0 at the "empty" value 7 */
	RING(RING_CSB_PTR, GVT_F_MASKED, 0x0707, NULL, NULL),
	RING(RING_INSTPM, GVT_F_MASKED, 0, NULL, CTX),
	/*
	 * Masked chicken/mode registers i915 programs at init (workarounds);
	 * the same set upstream GVT-g marks F_MODE_MASK for Gen9. Those with
	 * the CTX handler are switched into the physical engine by
	 * gvt_mmio_ctx.c (its list says which and why); the others are vreg only.
	 */
	REG(0x2088, GVT_F_MASKED, 0, NULL, CTX),	/* FF_SLICE_CHICKEN */
	REG(0x2090, GVT_F_MASKED, 0, NULL, CTX),	/* _3D_CHICKEN3 */
	REG(0x20dc, GVT_F_MASKED, 0, NULL, NULL),
	REG(0x20e4, GVT_F_MASKED, 0, NULL, CTX),	/* FF_SLICE_CS_CHICKEN2 */
	REG(0x2120, GVT_F_MASKED, 0, NULL, NULL),	/* CACHE_MODE_0 */
	REG(0x2124, GVT_F_MASKED, 0, NULL, NULL),
	REG(0x2470, GVT_F_MASKED, 0, NULL, NULL),
	REG(0x7000, GVT_F_MASKED, 0, NULL, CTX),	/* CACHE_MODE_0_GEN7 */
	REG(0x7004, GVT_F_MASKED, 0, NULL, CTX),	/* CACHE_MODE_1 */
	REG(0x7008, GVT_F_MASKED, 0, NULL, CTX),	/* GEN7_GT_MODE */
	REG(0x7010, GVT_F_MASKED, 0, NULL, CTX),	/* GEN7_COMMON_SLICE_CHICKEN1 */
	REG(0x7014, GVT_F_MASKED, 0, NULL, CTX),	/* COMMON_SLICE_CHICKEN2 */
	REG(0x7018, GVT_F_MASKED, 0, NULL, CTX),	/* HIZ_CHICKEN */
	REG(0xe100, GVT_F_MASKED, 0, NULL, CTX),	/* GEN7_HALF_SLICE_CHICKEN1 */
	REG(0xe184, GVT_F_MASKED, 0, NULL, CTX),	/* HALF_SLICE_CHICKEN3 */

	/* ---- engine register state switched between vGPUs (gvt_mmio_ctx.c) ---- */
	REG(0x20a0, 0, 0, NULL, CTX),			/* GEN7_FF_THREAD_MODE */
	REG(0x20d4, GVT_F_MASKED, 0, NULL, CTX),	/* GEN9_CSFE_CHICKEN1_RCS */
	REG(0x20d8, GVT_F_MASKED, 0, NULL, CTX),	/* CS_DEBUG_MODE2 */
	REG(0x20ec, GVT_F_MASKED, 0, NULL, CTX),	/* GEN9_CS_DEBUG_MODE1 */
	REG(0x2248, GVT_F_MASKED, 0, NULL, CTX),	/* GEN9_CTX_PREEMPT_REG */
	REG(0x2580, GVT_F_MASKED, 0, NULL, CTX),	/* GEN8_CS_CHICKEN1 */
	REG(0x5588, GVT_F_MASKED, 0, NULL, CTX),	/* GEN9_WM_CHICKEN3 */
	REG(0x7300, GVT_F_MASKED, 0, NULL, CTX),	/* HDC_CHICKEN0 */
	REG(0x7304, GVT_F_MASKED, 0, NULL, CTX),	/* GEN8_HDC_CHICKEN1 */
	REG(0x7308, GVT_F_MASKED, 0, NULL, CTX),	/* SLICE_COMMON_ECO_CHICKEN0 */
	REG(0x731c, GVT_F_MASKED, 0, NULL, CTX),	/* SLICE_COMMON_ECO_CHICKEN1 */
	REG(0x83a4, GVT_F_MASKED, 0, NULL, CTX),	/* VF_GUARDBAND */
	REG(0xe180, GVT_F_MASKED, 0, NULL, CTX),	/* HALF_SLICE_CHICKEN2 */
	REG(0xe188, GVT_F_MASKED, 0, NULL, CTX),	/* GEN9_HALF_SLICE_CHICKEN5 */
	REG(0xe194, GVT_F_MASKED, 0, NULL, CTX),	/* GEN9_HALF_SLICE_CHICKEN7 */
	REG(0xe4f0, GVT_F_MASKED, 0, NULL, CTX),	/* GEN8_ROW_CHICKEN */
	REG(0xe4f4, GVT_F_MASKED, 0, NULL, CTX),	/* GEN7_ROW_CHICKEN2 */
	REG(0x7034, 0, 0, NULL, CTX),			/* GEN8_L3CNTLREG */
	REG(0xb118, 0, 0, NULL, CTX),			/* GEN8_L3SQCREG4 */
	REG(0x2214, 0, 0, NULL, CTX),			/* MI_PREDICATE_RESULT_2 */
	RANGE(0x2400, 9 * 4, 0, 0, NULL, CTX),		/* MI_PREDICATE_*, 3DPRIM_END_OFFSET */
	RANGE(0x2430, 5 * 4, 0, 0, NULL, CTX),		/* 3DPRIM_START_VERTEX .. */
	RANGE(0x2500, 3 * 4, 0, 0, NULL, CTX),		/* GPGPU_DISPATCHDIMX/Y/Z */
	RANGE(0x5200, 8 * 4, 0, 0, NULL, CTX),		/* SO_NUM_PRIMS_WRITTEN0..3 */
	RANGE(0x5240, 8 * 4, 0, 0, NULL, CTX),		/* SO_PRIM_STORAGE_NEEDED0..3 */
	RANGE(0x5280, 4 * 4, 0, 0, NULL, CTX),		/* SO_WRITE_OFFSET0..3 */
	RING_RANGE(RING_GPR, 32 * 4, 0, 0, NULL, CTX),	/* CS_GPR 0..15 */
	REG(0x22200, GVT_F_MASKED, 0, NULL, CTX),	/* BCS_SWCTRL */
	RANGE(0xb020, 32 * 4, 0, 0, NULL, CTX),	/* GEN9_LNCFCMOCS (L3CC) */
	RANGE(0xc800, 64 * 4, 0, 0, NULL, CTX),	/* GEN9_GFX_MOCS: RCS */
	RANGE(0xc900, 64 * 4, 0, 0, NULL, CTX),	/* VCS */
	RANGE(0xcb00, 64 * 4, 0, 0, NULL, CTX),	/* VECS */
	RANGE(0xcc00, 64 * 4, 0, 0, NULL, CTX),	/* BCS */
	/* ---- GT ---- */
	REG(FORCEWAKE_MT, GVT_F_MASKED, 0, NULL, gvt_forcewake_write),
	REG(FORCEWAKE_RENDER_GEN9, GVT_F_MASKED, 0, NULL, gvt_forcewake_write),
	REG(FORCEWAKE_MEDIA_GEN9, GVT_F_MASKED, 0, NULL, gvt_forcewake_write),
	REG(FORCEWAKE_ACK_RENDER, GVT_F_RO, 0, NULL, NULL),
	REG(FORCEWAKE_ACK_MEDIA, GVT_F_RO, 0, NULL, NULL),
	REG(FORCEWAKE_ACK_GT, GVT_F_RO, 0, NULL, NULL),
	REG(GEN6_GDRST, 0, 0, NULL, gvt_gdrst_write),
	REG(GEN8_RTCR, 0, 0, NULL, gvt_selfclear_write),
	REG(GEN8_M1TCR, 0, 0, NULL, gvt_selfclear_write),
	REG(GEN8_BTCR, 0, 0, NULL, gvt_selfclear_write),
	REG(GEN8_VTCR, 0, 0, NULL, gvt_selfclear_write),
	/* GT2: slice 0 enabled (27:25 = 1), subslice 3 of 4 disabled (23:20 = 0b1000) */
	REG(GEN8_FUSE2, GVT_F_RO, 0x02800000, NULL, NULL),
	RANGE(GEN9_EU_DISABLE0, 12, GVT_F_RO, 0, NULL, NULL),
	/* crystal clock, 12 MHz timestamps: 24 MHz >> (3 - 2) */
	REG(CTC_MODE, 0, 0x4, NULL, NULL),
	/* GuC WOPCM unlocked, else i915 wedges the GT */
	REG(GUC_WOPCM_SIZE, GVT_F_RO, 0, NULL, NULL),
	REG(DMA_GUC_WOPCM_OFFSET, GVT_F_RO, 0, NULL, NULL),
	/*
	 * GUC_STATUS: no GuC, its MIA core always in reset (bit 0); i915's
	 * __uc_sanitize warns "MIA core expected to be in reset" otherwise
	 */
	REG(0xc000, GVT_F_RO, 0x1, NULL, NULL),
	REG(GEN8_RING_FAULT_REG, GVT_F_W1C, 0, NULL, NULL),
	RANGE(FENCE_REG_GEN6_LO(0), 32 * 8, 0, 0, NULL, gvt_fence_write),
	REG(GFX_FLSH_CNTL_GEN6, 0, 0, NULL, gvt_ggtt_flush_write),
	REG(HSW_EDRAM_CAP, GVT_F_RO, 0, NULL, NULL),
	REG(GEN6_PCODE_MAILBOX, 0, 0, NULL, gvt_pcode_write),
	RANGE(MCHBAR_MIRROR_BASE, 0x40000, GVT_F_RO, 0, gvt_mchbar_read, NULL),

	/* ---- interrupts ---- */
	REG(GEN8_MASTER_IRQ, 0, 0, gvt_irq_read_master, gvt_irq_write_master),
	IRQ_BANK(GEN8_GT_ISR(0)),
	IRQ_BANK(GEN8_GT_ISR(1)),
	IRQ_BANK(GEN8_GT_ISR(2)),
	IRQ_BANK(GEN8_GT_ISR(3)),
	IRQ_BANK(GEN8_DE_PIPE_ISR(0)),
	IRQ_BANK(GEN8_DE_PIPE_ISR(1)),
	IRQ_BANK(GEN8_DE_PIPE_ISR(2)),
	IRQ_BANK(GEN8_DE_PORT_ISR),
	IRQ_BANK(GEN8_DE_MISC_ISR),
	IRQ_BANK(GEN8_PCU_ISR),
	REG(SDEISR, GVT_F_RO, 0, gvt_sdeisr_read, NULL),
	REG(SDEIMR, 0, 0xffffffffu, NULL, gvt_irq_write_mask),
	REG(SDEIIR, GVT_F_W1C, 0, NULL, gvt_irq_write_iir),
	REG(SDEIER, 0, 0, NULL, gvt_irq_write_mask),
	/*
	 * EDP_PSR_IMR/IIR (display < 12): no PSR, nothing ever pending. IIR is
	 * write-1-to-clear: i915 resets it with 0xffffffff and then asserts it
	 * reads 0 (gen3_assert_iir_is_zero)
	 */
	REG(0x64834, 0, 0xffffffffu, NULL, NULL),
	REG(0x64838, GVT_F_W1C, 0, NULL, NULL),

	/* ---- PVINFO ---- */
	RANGE(VGT_PVINFO_PAGE, VGT_PVINFO_SIZE, 0, 0, gvt_pvinfo_read, gvt_pvinfo_write),

	/* ---- display core ---- */
	/* legacy VGA plane off: i915 then skips VGA sequencer I/O */
	REG(CPU_VGACNTRL, 0, VGA_DISP_DISABLE, NULL, NULL),
	REG(SKL_FUSE_STATUS, GVT_F_RO, SKL_FUSE_DEFAULT, NULL, NULL),
	REG(FPGA_DBG, GVT_F_W1C, 0, NULL, NULL),
	REG(DBUF_CTL, 0, 0, NULL, gvt_dbuf_write),
	REG(HSW_PWR_WELL_CTL1, 0, 0, NULL, gvt_pwr_well_write),
	REG(HSW_PWR_WELL_CTL2, 0, 0, NULL, gvt_pwr_well_write),
	REG(HSW_PWR_WELL_CTL3, 0, 0, NULL, gvt_pwr_well_write),
	REG(HSW_PWR_WELL_CTL4, 0, 0, NULL, gvt_pwr_well_write),
	REG(LCPLL1_CTL, 0, 0, NULL, gvt_pll_write),
	REG(LCPLL2_CTL, 0, 0, NULL, gvt_pll_write),
	REG(WRPLL_CTL1, 0, 0, NULL, gvt_pll_write),
	REG(WRPLL_CTL2, 0, 0, NULL, gvt_pll_write),
	REG(DPLL_STATUS, GVT_F_RO, 0, gvt_dpll_status_read, NULL),
	/*
	 * DDI clocks of ports A..E gated (DDI_CLK_OFF, bits 19:15), as without a
	 * BIOS: i915 then finds no "ungated DDI clock" on a disabled port.
	 */
	REG(DPLL_CTRL2, 0, 0x000f8000, NULL, NULL),
	REG(SKL_DFSM, GVT_F_RO, 0, NULL, NULL),

	/* ---- DDI ports A..E, AUX A..D ---- */
	PER_DDI(DDI_BUF_CTL, 0, DDI_BUF_IS_IDLE, NULL, gvt_ddi_buf_write),
	PER_DDI(DP_TP_CTL, 0, 0, NULL, gvt_dp_tp_write),
	PER_DDI(DP_TP_STATUS, GVT_F_RO, 0, NULL, NULL),
	REG(DP_AUX_CH_CTL(0), 0, 0, NULL, gvt_aux_ctl_write),
	REG(DP_AUX_CH_CTL(1), 0, 0, NULL, gvt_aux_ctl_write),
	REG(DP_AUX_CH_CTL(2), 0, 0, NULL, gvt_aux_ctl_write),
	REG(DP_AUX_CH_CTL(3), 0, 0, NULL, gvt_aux_ctl_write),

	/* ---- pipes / transcoders ---- */
	PER_PIPE(TRANSCONF, 0, 0, NULL, gvt_transconf_write),
	REG(TRANSCONF_EDP, 0, 0, NULL, gvt_transconf_write),
	PER_PIPE(TRANS_HTOTAL, 0, 0, NULL, gvt_timing_write),
	PER_PIPE(TRANS_VTOTAL, 0, 0, NULL, gvt_timing_write),
	PER_PIPE(TRANS_LINK_M1, 0, 0, NULL, gvt_timing_write),
	PER_PIPE(TRANS_LINK_N1, 0, 0, NULL, gvt_timing_write),
	PER_PIPE(PIPEDSL, GVT_F_RO, 0, gvt_pipedsl_read, NULL),
	PER_PIPE(PIPE_FRMCOUNT, GVT_F_RO, 0, gvt_frmcount_read, NULL),
	PER_PIPE(PIPE_FLIPCOUNT, GVT_F_RO, 0, NULL, NULL),
	PER_PIPE(PLANE_SURF, 0, 0, NULL, gvt_surf_write),
	PER_PIPE(PLANE_SURFLIVE, GVT_F_RO, 0, NULL, NULL),
	PER_PIPE(PLANE2_SURF, 0, 0, NULL, gvt_surf_write),
	PER_PIPE(PLANE2_SURFLIVE, GVT_F_RO, 0, NULL, NULL),
	PER_PIPE(PLANE3_SURF, 0, 0, NULL, gvt_surf_write),
	PER_PIPE(PLANE3_SURFLIVE, GVT_F_RO, 0, NULL, NULL),
	PER_PIPE(CUR_BASE, 0, 0, NULL, gvt_surf_write),
	PER_PIPE(CUR_SURFLIVE, GVT_F_RO, 0, NULL, NULL),

	/* ---- PCH ---- */
	REG(PCH_PORT_HOTPLUG, 0, 0, NULL, gvt_hotplug_write),
	REG(SFUSE_STRAP, GVT_F_RO, SFUSE_STRAP_DDI_DETECTED(GVT_DP_PORT), NULL, NULL),
	RANGE(PCH_GPIO_BASE, 6 * 4, 0, 0, gvt_gpio_read, NULL),
	REG(PCH_GMBUS1, 0, 0, NULL, gvt_gmbus_write),
	REG(PCH_GMBUS2, GVT_F_RO, 0, NULL, NULL),
	REG(PCH_PP_STATUS, GVT_F_RO, 0, NULL, NULL),
	REG(PCH_RAWCLK_FREQ, 0, 24, NULL, NULL),	/* 24 MHz raw clock */
};

const unsigned int gvt_reg_table_size = GVT_ARRAY_SIZE(gvt_reg_table);
