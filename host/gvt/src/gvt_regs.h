/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gen9 (SKL/KBL/CFL) register offsets and bits the device model emulates.
 * All offsets are BAR0 offsets. Sources: the Intel PRMs as quoted by the
 * Linux i915 driver; see docs/vgpu.md for what each one does here.
 */
#ifndef GVT_SRC_GVT_REGS_H
#define GVT_SRC_GVT_REGS_H

/* ---- engines ---- */
#define RENDER_RING_BASE	0x02000
#define BLT_RING_BASE		0x22000
#define GEN6_BSD_RING_BASE	0x12000
#define VEBOX_RING_BASE		0x1a000

#define RING_TAIL(b)		((b) + 0x30)
#define RING_HEAD(b)		((b) + 0x34)
#define RING_START(b)		((b) + 0x38)
#define RING_CTL(b)		((b) + 0x3c)
#define RING_ACTHD_UDW(b)	((b) + 0x5c)
#define RING_INSTDONE(b)	((b) + 0x6c)
#define RING_ACTHD(b)		((b) + 0x74)
#define RING_HWS_PGA(b)		((b) + 0x80)
#define RING_HWSTAM(b)		((b) + 0x98)
#define RING_MI_MODE(b)		((b) + 0x9c)
#define   MI_MODE_STOP_RING	(1u << 8)
#define   MI_MODE_IDLE		(1u << 9)
#define RING_IMR(b)		((b) + 0xa8)
#define RING_INSTPM(b)		((b) + 0xc0)
#define RING_EIR(b)		((b) + 0xb0)
#define RING_EMR(b)		((b) + 0xb4)
#define RING_ESR(b)		((b) + 0xb8)
#define RING_RESET_CTL(b)	((b) + 0xd0)
#define   RESET_CTL_REQUEST	(1u << 0)
#define   RESET_CTL_READY	(1u << 1)
#define RING_ELSP(b)		((b) + 0x230)
#define RING_EXECLIST_STATUS_LO(b) ((b) + 0x234)
#define RING_EXECLIST_STATUS_HI(b) ((b) + 0x238)
#define RING_CONTEXT_CONTROL(b)	((b) + 0x244)
#define RING_MODE_GEN7(b)	((b) + 0x29c)
#define   GFX_RUN_LIST_ENABLE	(1u << 15)
#define   GFX_PPGTT_ENABLE	(1u << 9)
#define RING_TIMESTAMP(b)	((b) + 0x358)
#define RING_CSB(b)		((b) + 0x370)	/* 6 x u64 */
#define RING_CSB_PTR(b)		((b) + 0x3a0)

/* ---- GT ---- */
#define HSW_GTT_CACHE_EN	0x4024
#define GEN8_RING_FAULT_REG	0x4094
#define GEN8_PRIVATE_PAT_LO	0x40e0
#define GEN8_PRIVATE_PAT_HI	0x40e4
#define GEN8_RTCR		0x4260
#define GEN8_M1TCR		0x4264
#define GEN8_BTCR		0x426c
#define GEN8_VTCR		0x4270
#define EIR			0x20b0
#define GEN6_GDRST		0x941c
#define   GDRST_FULL		(1u << 0)
#define   GDRST_RENDER		(1u << 1)
#define   GDRST_MEDIA		(1u << 2)
#define   GDRST_BLT		(1u << 3)
#define   GDRST_VECS		(1u << 4)
#define GEN8_FUSE2		0x9120
#define GEN9_EU_DISABLE0	0x9134
#define FORCEWAKE_MEDIA_GEN9	0xa270
#define FORCEWAKE_RENDER_GEN9	0xa278
#define FORCEWAKE_MT		0xa188	/* also the blitter/GT domain request */
#define FORCEWAKE_ACK_RENDER	0x0d84
#define FORCEWAKE_ACK_MEDIA	0x0d88
#define FORCEWAKE_ACK_GT	0x130044
#define CTC_MODE		0xa26c
#define GUC_WOPCM_SIZE		0xc050
#define DMA_GUC_WOPCM_OFFSET	0xc340
#define FENCE_REG_GEN6_LO(i)	(0x100000 + 8 * (i))
#define GFX_FLSH_CNTL_GEN6	0x101008
#define HSW_EDRAM_CAP		0x120010
#define GEN6_PCODE_MAILBOX	0x138124
#define   PCODE_READY		(1u << 31)
#define GEN6_PCODE_DATA		0x138128
#define GEN6_PCODE_DATA1	0x13812c
#define MCHBAR_MIRROR_BASE	0x140000
#define SKL_MAD_INTER_CHANNEL	0x145000
#define SKL_MAD_DIMM_CH0	0x14500c
#define SKL_MAD_DIMM_CH1	0x145010
#define GEN6_GT_PERF_STATUS	0x145948
#define GEN6_RP_STATE_CAP	0x145998
#define DCLK			0x145e04

/* PCODE commands (GEN6_PCODE_MAILBOX bits 7:0) */
#define PCODE_READ_MEM_LATENCY	0x06
#define PCODE_CDCLK_CONTROL	0x07
#define PCODE_SAGV_CONTROL	0x21
#define   CDCLK_PREPARE		0x3
#define   CDCLK_READY		(1u << 0)
#define   SAGV_IS_DISABLED	(1u << 0)
#define PCODE_ILLEGAL_CMD	0x1

/* ---- interrupts ---- */
#define GEN8_MASTER_IRQ		0x44200
#define   MASTER_IRQ_ENABLE	(1u << 31)
#define   MASTER_DE_PCH		(1u << 23)
#define   MASTER_DE_MISC	(1u << 22)
#define   MASTER_DE_PORT	(1u << 20)
#define   MASTER_DE_PIPE(p)	(1u << (16 + (p)))
#define   MASTER_PCU		(1u << 30)
#define GEN8_GT_ISR(n)		(0x44300 + 0x10 * (n))
#define GEN8_DE_PIPE_ISR(p)	(0x44400 + 0x10 * (p))
#define   PIPE_VBLANK		(1u << 0)
#define   PIPE_PLANE_FLIP_DONE(pl) (1u << (3 + (pl)))
#define GEN8_DE_PORT_ISR	0x44440
#define   DE_PORT_AUX(ch)	((ch) == 0 ? 1u : (1u << (24 + (ch))))
#define GEN8_DE_MISC_ISR	0x44460
#define GEN8_PCU_ISR		0x444e0
/* bank layout: ISR +0, IMR +4, IIR +8, IER +0xc */
#define IRQ_ISR			0x0
#define IRQ_IMR			0x4
#define IRQ_IIR			0x8
#define IRQ_IER			0xc

#define SDEISR			0xc4000
#define SDEIMR			0xc4004
#define SDEIIR			0xc4008
#define SDEIER			0xc400c
#define   SDE_PORT_HOTPLUG(port) ((port) == 0 ? (1u << 24) : (1u << (20 + (port))))
#define PCH_PORT_HOTPLUG	0xc4030	/* SHOTPLUG_CTL */
#define   HOTPLUG_STATUS_MASK	0x03030303u
#define   HOTPLUG_LONG(port)	((port) == 0 ? (2u << 24) : (2u << (8 * ((port) - 1))))
#define SFUSE_STRAP		0xc2014
#define   SFUSE_STRAP_DDI_DETECTED(port) (1u << (3 - (port)))	/* B b2, C b1, D b0 */

/* ---- display core ---- */
#define CPU_VGACNTRL		0x41000
#define   VGA_DISP_DISABLE	(1u << 31)
#define SKL_FUSE_STATUS		0x42000
#define   SKL_FUSE_DEFAULT	0x8e000000u	/* DOWNLOAD_STATUS, PG0, PG1, PG2 */
#define FPGA_DBG		0x42300
#define DBUF_CTL		0x45008
#define   DBUF_POWER_REQUEST	(1u << 31)
#define   DBUF_POWER_STATE	(1u << 30)
#define HSW_PWR_WELL_CTL1	0x45400
#define HSW_PWR_WELL_CTL2	0x45404
#define HSW_PWR_WELL_CTL3	0x45408
#define HSW_PWR_WELL_CTL4	0x4540c
#define   PWR_WELL_REQ_MASK	0xaaaaaaaau	/* REQ(i) = bit 2i+1 */
#define DC_STATE_EN		0x45504
#define CDCLK_CTL		0x46000
#define LCPLL1_CTL		0x46010
#define LCPLL2_CTL		0x46014
#define   LCPLL_PLL_ENABLE	(1u << 31)
#define   LCPLL_PLL_LOCK	(1u << 30)
#define WRPLL_CTL1		0x46040
#define WRPLL_CTL2		0x46060
#define SWF18			0x4f060
#define SKL_DFSM		0x51000
#define DPLL_CTRL1		0x6c058
#define DPLL_CTRL2		0x6c05c
#define DPLL_STATUS		0x6c060
#define   DPLL_LOCK(id)		(1u << ((id) * 8))

/* ---- ports (port A = 0 ... E = 4) ---- */
#define DDI_BUF_CTL(port)	(0x64000 + 0x100 * (port))
#define   DDI_BUF_CTL_ENABLE	(1u << 31)
#define   DDI_BUF_IS_IDLE	(1u << 7)
#define DP_TP_CTL(port)		(0x64040 + 0x100 * (port))
#define   DP_TP_CTL_LINK_TRAIN_MASK (7u << 8)
#define   DP_TP_CTL_LINK_TRAIN_IDLE (2u << 8)
#define DP_TP_STATUS(port)	(0x64044 + 0x100 * (port))
#define   DP_TP_STATUS_IDLE_DONE (1u << 25)
#define DP_AUX_CH_CTL(ch)	(0x64010 + 0x100 * (ch))
#define DP_AUX_CH_DATA(ch, i)	(0x64014 + 0x100 * (ch) + 4 * (i))
#define   AUX_SEND_BUSY		(1u << 31)
#define   AUX_DONE		(1u << 30)
#define   AUX_INTERRUPT		(1u << 29)
#define   AUX_TIME_OUT_ERROR	(1u << 28)
#define   AUX_RECEIVE_ERROR	(1u << 25)
#define   AUX_MSG_SIZE_SHIFT	20
#define   AUX_MSG_SIZE_MASK	(0x1fu << 20)

/* ---- pipes / transcoders (pipe A = 0, B = 1, C = 2) ---- */
#define TRANS_HTOTAL(p)		(0x60000 + 0x1000 * (p))
#define TRANS_VTOTAL(p)		(0x6000c + 0x1000 * (p))
#define PIPESRC(p)		(0x6001c + 0x1000 * (p))
#define TRANS_LINK_M1(p)	(0x60040 + 0x1000 * (p))
#define TRANS_LINK_N1(p)	(0x60044 + 0x1000 * (p))
#define TRANS_DDI_FUNC_CTL(p)	(0x60400 + 0x1000 * (p))
#define TRANS_CLK_SEL(p)	(0x46140 + 4 * (p))
#define PIPEDSL(p)		(0x70000 + 0x1000 * (p))
#define TRANSCONF(p)		(0x70008 + 0x1000 * (p))
#define TRANSCONF_EDP		0x7f008
#define   TRANSCONF_ENABLE	(1u << 31)
#define   TRANSCONF_STATE	(1u << 30)
#define PIPE_FRMCOUNT(p)	(0x70040 + 0x1000 * (p))
#define PIPE_FLIPCOUNT(p)	(0x70044 + 0x1000 * (p))
#define CUR_CTL(p)		(0x70080 + 0x1000 * (p))
#define CUR_BASE(p)		(0x70084 + 0x1000 * (p))
#define CUR_POS(p)		(0x70088 + 0x1000 * (p))
#define CUR_SURFLIVE(p)		(0x700ac + 0x1000 * (p))
#define PLANE_CTL(p)		(0x70180 + 0x1000 * (p))
#define   PLANE_CTL_ENABLE	(1u << 31)
#define   PLANE_CTL_FORMAT_SHIFT 24
#define   PLANE_CTL_ORDER_RGBX	(1u << 20)
#define   PLANE_CTL_TILED_SHIFT	10
#define PLANE_STRIDE(p)		(0x70188 + 0x1000 * (p))
#define PLANE_POS(p)		(0x7018c + 0x1000 * (p))
#define PLANE_SIZE(p)		(0x70190 + 0x1000 * (p))
#define PLANE_SURF(p)		(0x7019c + 0x1000 * (p))
#define PLANE_OFFSET(p)		(0x701a4 + 0x1000 * (p))
#define PLANE_SURFLIVE(p)	(0x701ac + 0x1000 * (p))
/* universal planes 1..3 of a pipe (pl = 0..2), 0x100 apart */
#define PLANE_N_SURF(p, pl)	(PLANE_SURF(p) + 0x100 * (pl))
#define PLANE_N_SURFLIVE(p, pl)	(PLANE_SURFLIVE(p) + 0x100 * (pl))
#define GVT_NUM_PLANES		3

/* ---- PCH misc ---- */
#define PCH_GPIO_BASE		0xc5010	/* GPIOA..GPIOF: 0xc5010 + 4n */
#define   GPIO_CLOCK_VAL_IN	(1u << 4)
#define   GPIO_DATA_VAL_IN	(1u << 12)
#define PCH_GMBUS0		0xc5100
#define PCH_GMBUS1		0xc5104
#define   GMBUS_SW_CLR_INT	(1u << 31)
#define   GMBUS_SW_RDY		(1u << 30)
#define PCH_GMBUS2		0xc5108
#define   GMBUS_SATOER		(1u << 10)
#define   GMBUS_HW_RDY		(1u << 11)
#define PCH_PP_STATUS		0xc7200
#define PCH_RAWCLK_FREQ		0xc6204

#endif /* GVT_SRC_GVT_REGS_H */
