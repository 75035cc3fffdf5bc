// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu register file: reset values, masked / write-1-to-clear /
 * self-clearing / read-only registers, live engine registers, interrupts.
 * Semantics follow the Skylake PRM vol 2c and what i915 relies on
 * (intel_uncore.c, intel_reset.c, intel_gt_irq.c, intel_execlists_submission.c).
 */
#include "sgpu_internal.h"

static struct sgpu_engine *engine_of(struct sgpu *gpu, uint32_t off, uint32_t *rel)
{
	for (unsigned int i = 0; i < SGPU_NUM_ENGINES; i++) {
		struct sgpu_engine *eng = &gpu->eng[i];

		if (off >= eng->base && off < eng->base + ENGINE_REG_SPAN) {
			*rel = off - eng->base;
			return eng;
		}
	}
	return NULL;
}

uint64_t sgpu_timestamp(struct sgpu *gpu)
{
	/* 12 MHz: 3 ticks per 250 ns */
	return (sgpu_now_ns() - gpu->t0_ns) * 3 / 250;
}

/* power-on values; the register file starts zeroed */
void sgpu_regs_reset(struct sgpu *gpu)
{
	uint32_t *r = gpu->regs;

	r[R_FUSE2 >> 2] = 0x02800000;	/* 1 slice, 3 subslices (GT2) */
	r[R_CTC_MODE >> 2] = 0x4;	/* crystal, 12 MHz */
	/* a few display/PCH power-on values of a real SKL (reference §8) */
	r[0x42000 >> 2] = 0x8E000000;	/* SKL_FUSE_STATUS: PG0-2 fuses distributed */
	r[0x41000 >> 2] = 0x80000000;	/* CPU_VGACNTRL: VGA disabled */
	r[0xC6204 >> 2] = 24;		/* PCH_RAWCLK_FREQ: 24 MHz */
	for (unsigned int n = 0; n < 4; n++)
		r[R_GT_IMR(n) >> 2] = 0xFFFFFFFF;
}

/* ---- interrupts ------------------------------------------------------- */

static uint32_t master_summary(struct sgpu *gpu)
{
	uint32_t p[4], sum = 0;

	for (unsigned int n = 0; n < 4; n++)
		p[n] = gpu->regs[R_GT_IIR(n) >> 2] & gpu->regs[R_GT_IER(n) >> 2];
	if (p[0] & 0xFFFF)
		sum |= 1u << 0;
	if (p[0] >> 16)
		sum |= 1u << 1;
	if (p[1] & 0xFFFF)
		sum |= 1u << 2;
	if (p[1] >> 16)
		sum |= 1u << 3;
	if (p[2])
		sum |= 1u << 4;
	if (p[3] & 0xFFFF)
		sum |= 1u << 6;
	return sum;
}

void sgpu_irq_update(struct sgpu *gpu)
{
	bool line = (gpu->regs[R_MASTER_IRQ >> 2] & MASTER_IRQ_ENABLE) && master_summary(gpu);

	if (line && !gpu->irq_line) {
		gpu->irq_edge = true;
		gpu->st.irqs++;
	}
	gpu->irq_line = line;
}

void sgpu_raise(struct sgpu_engine *eng, uint32_t bits)
{
	struct sgpu *gpu = eng->gpu;
	uint32_t n = eng->irq_bank;

	bits &= ~*ereg(eng, R_IMR);	/* RING_IMR gates events at the engine */
	bits <<= eng->irq_shift;
	gpu->regs[R_GT_ISR(n) >> 2] |= bits;
	gpu->regs[R_GT_IIR(n) >> 2] |= bits & ~gpu->regs[R_GT_IMR(n) >> 2];
	sgpu_irq_update(gpu);
}

/* ---- reads ------------------------------------------------------------ */

static uint32_t engine_read(struct sgpu_engine *eng, uint32_t rel)
{
	struct sgpu_ctx *c = sgpu_cur(eng);
	uint32_t v = *ereg(eng, rel & ~3u);

	switch (rel) {
	case R_RING_HEAD:
		return eng->active ? c->head : v;
	case R_RING_TAIL:
		return eng->active ? c->tail : v;
	case R_RING_START:
		return eng->active ? c->ring_start : v;
	case R_RING_CTL:
		return eng->active ? (((c->ring_size >> 12) - 1) << 12) | RING_CTL_VALID : v;
	case R_ACTHD:
		return (uint32_t)eng->acthd;
	case R_ACTHD_UDW:
		return (uint32_t)(eng->acthd >> 32);
	case R_MI_MODE:
		if (!eng->active || eng->halted || (v & MI_MODE_STOP_RING))
			v |= MI_MODE_IDLE;
		return v;
	case R_RESET_CTL:
		/* READY_TO_RESET follows the request at once: the model stops
		 * at command boundaries only (i915 gen8_engine_reset_prepare) */
		return (v & RESET_CTL_REQUEST) ? v | RESET_CTL_READY : v & ~RESET_CTL_READY;
	case R_EXECLIST_STATUS_LO:
		return (eng->active ? (1u << 14) : 0) | (eng->cur & 1) | (eng->pending ? (1u << 2) : 0);
	case R_EXECLIST_STATUS_HI:
		return eng->active ? c->ccid : 0;
	case R_TIMESTAMP:
		return (uint32_t)sgpu_timestamp(eng->gpu);
	case R_TIMESTAMP_UDW:
		return (uint32_t)(sgpu_timestamp(eng->gpu) >> 32);
	case R_CSB_PTR:
		return (v & 0x700) | eng->csb_wr;
	case R_CTX_TIMESTAMP:
		return eng->active ? (uint32_t)(c->busy_ns * 3 / 250) : v;
	default:
		return v;
	}
}

uint32_t sgpu_reg_read(struct sgpu *gpu, uint32_t off)
{
	struct sgpu_engine *eng;
	uint32_t rel;

	off &= ~3u;
	eng = engine_of(gpu, off, &rel);
	if (eng)
		return engine_read(eng, rel);
	switch (off) {
	case R_MASTER_IRQ:
		return (gpu->regs[off >> 2] & MASTER_IRQ_ENABLE) | master_summary(gpu);
	case R_GDRST:
	case R_TLB_INV_RCS:
	case R_TLB_INV_VCS:
	case R_TLB_INV_BCS:
	case R_TLB_INV_VECS:
	case R_GFX_FLSH_CNTL:
		return 0;	/* self-clearing: done at once */
	case R_FW_RENDER_ACK:
		return gpu->regs[R_FW_RENDER_REQ >> 2] & 0xFFFF;
	case R_FW_MEDIA_ACK:
		return gpu->regs[R_FW_MEDIA_REQ >> 2] & 0xFFFF;
	case R_FW_GT_ACK:
		return gpu->regs[R_FORCEWAKE_MT >> 2] & 0xFFFF;
	default:
		return gpu->regs[off >> 2];
	}
}

/* ---- writes ----------------------------------------------------------- */

static uint32_t masked(uint32_t old, uint32_t val)
{
	uint32_t m = val >> 16;

	return (old & ~m) | (val & m & 0xFFFF);
}

static void gdrst_write(struct sgpu *gpu, uint32_t val)
{
	for (unsigned int i = 0; i < SGPU_NUM_ENGINES; i++)
		if ((val & GDRST_FULL) || (val & gpu->eng[i].gdrst_bit))
			sgpu_engine_reset(&gpu->eng[i]);
}

static bool engine_write(struct sgpu_engine *eng, uint32_t rel, uint32_t val, bool from_cs)
{
	uint32_t *r = ereg(eng, rel);

	switch (rel) {
	case R_ELSP:
		if (from_cs)
			return false;
		sgpu_elsp_write(eng, val);
		return true;
	case R_CSB_PTR:
		if (from_cs)
			return false;
		sgpu_csb_ptr_write(eng, val);
		return true;
	case R_RESET_CTL:
	case R_MODE:
		if (from_cs)
			return false;
		*r = masked(*r, val);
		sgpu_kick(eng);
		return true;
	case R_MI_MODE:
	case R_CONTEXT_CONTROL:
		*r = masked(*r, val);
		sgpu_kick(eng);
		return true;
	case R_BCS_SWCTRL:
		if (eng->id == SGPU_BCS)
			*r = masked(*r, val);
		else
			*r = val;
		return true;
	case R_EIR:
		*r &= ~val;	/* write 1 to clear */
		return true;
	case R_HWS_PGA:
	case R_IMR:
		if (from_cs)
			return false;
		*r = val;
		return true;
	case R_EXECLIST_STATUS_LO:
	case R_EXECLIST_STATUS_HI:
	case R_TIMESTAMP:
	case R_TIMESTAMP_UDW:
	case R_ACTHD:
	case R_ACTHD_UDW:
	case R_ESR:
		return !from_cs;	/* read only */
	default:
		*r = val;
		return true;
	}
}

bool sgpu_reg_write(struct sgpu *gpu, uint32_t off, uint32_t val, bool from_cs)
{
	struct sgpu_engine *eng;
	uint32_t rel, *r;

	off &= ~3u;
	if (off >= SGPU_MMIO_SIZE)
		return false;
	eng = engine_of(gpu, off, &rel);
	if (eng)
		return engine_write(eng, rel, val, from_cs);
	r = &gpu->regs[off >> 2];
	switch (off) {
	case R_GDRST:
		if (from_cs)
			return false;
		gdrst_write(gpu, val);
		return true;
	case R_MASTER_IRQ:
	case R_GT_IMR(0): case R_GT_IMR(1): case R_GT_IMR(2): case R_GT_IMR(3):
	case R_GT_IER(0): case R_GT_IER(1): case R_GT_IER(2): case R_GT_IER(3):
		if (from_cs)
			return false;
		*r = val;
		sgpu_irq_update(gpu);
		return true;
	case R_GT_IIR(0): case R_GT_IIR(1): case R_GT_IIR(2): case R_GT_IIR(3):
		if (from_cs)
			return false;
		*r &= ~val;	/* write 1 to clear */
		gpu->regs[(off - 8) >> 2] &= ~val;	/* ISR follows */
		sgpu_irq_update(gpu);
		return true;
	case R_FPGA_DBG:
		*r &= ~val;
		return true;
	case R_FW_RENDER_REQ:
	case R_FW_MEDIA_REQ:
	case R_FORCEWAKE_MT:
		*r = masked(*r, val);
		return true;
	case R_TLB_INV_RCS:
	case R_TLB_INV_VCS:
	case R_TLB_INV_BCS:
	case R_TLB_INV_VECS:
	case R_GFX_FLSH_CNTL:
		/* no TLBs beyond a one-entry cache per engine: flush it, self-clear */
		for (unsigned int i = 0; i < SGPU_NUM_ENGINES; i++)
			sgpu_tc_flush(&gpu->eng[i]);
		return true;
	case R_FUSE2:
	case R_CTC_MODE:
	case R_FW_RENDER_ACK:
	case R_FW_MEDIA_ACK:
	case R_FW_GT_ACK:
		return false;	/* read only */
	default:
		*r = val;
		return true;
	}
}
