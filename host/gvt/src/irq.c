// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt model (Gen8+ layout): per-source banks of ISR/IMR/IIR/IER, a
 * master register (GEN8_MASTER_IRQ) summarising IIR & IER per bank, and one
 * MSI (or INTx) towards the guest.
 *
 * An event sets its IIR bit unless masked in IMR. The master summary bit of
 * a bank is set while (IIR & IER) != 0. The interrupt line is
 * "master enable (bit 31) && any summary bit"; an MSI is sent on each rising
 * edge of that line, which includes the handler's re-enable write
 * (0 -> 0x80000000) while events are still pending, as i915 requires.
 */
#include "gvt_internal.h"

struct irq_bank {
	uint32_t isr;		/* bank base (ISR) */
	uint32_t lo_bit;	/* master bit for IIR[15:0] (or whole bank) */
	int32_t hi_bit;		/* master bit for IIR[31:16], -1 = same as lo */
};

static const struct irq_bank irq_banks[] = {
	{ GEN8_GT_ISR(0), 0, 1 },	/* RCS | BCS */
	{ GEN8_GT_ISR(1), 2, 3 },	/* VCS0 | VCS1 */
	{ GEN8_GT_ISR(2), 4, -1 },	/* PM */
	{ GEN8_GT_ISR(3), 6, -1 },	/* VECS */
	{ GEN8_DE_PIPE_ISR(0), 16, -1 },
	{ GEN8_DE_PIPE_ISR(1), 17, -1 },
	{ GEN8_DE_PIPE_ISR(2), 18, -1 },
	{ GEN8_DE_PORT_ISR, 20, -1 },
	{ GEN8_DE_MISC_ISR, 22, -1 },
	{ SDEISR, 23, -1 },
	{ GEN8_PCU_ISR, 30, -1 },
};

static uint32_t irq_summary(struct gvt_vgpu *v)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < GVT_ARRAY_SIZE(irq_banks); i++) {
		const struct irq_bank *b = &irq_banks[i];
		uint32_t pend = vreg(v, b->isr + IRQ_IIR) & vreg(v, b->isr + IRQ_IER);

		if (b->hi_bit < 0) {
			if (pend)
				sum |= 1u << b->lo_bit;
			continue;
		}
		if (pend & 0xffff)
			sum |= 1u << b->lo_bit;
		if (pend >> 16)
			sum |= 1u << b->hi_bit;
	}
	return sum;
}

static void deliver_msi(struct gvt_vgpu *v)
{
	uint64_t addr = 0;
	uint32_t data = 0;

	gvt_cfg_msi_enabled(v, &addr, &data);
	v->stats.msi_injected++;
	v->hyp->inject_msi(v->hyp_priv, addr, data);
}

static void set_intx(struct gvt_vgpu *v, bool level)
{
	gvt_cfg_set_intx_status(v, level);
	if (v->hyp->set_intx)
		v->hyp->set_intx(v->hyp_priv, level);
}

void gvt_irq_update(struct gvt_vgpu *v)
{
	uint32_t sum = irq_summary(v);
	uint32_t master = vreg(v, GEN8_MASTER_IRQ) & MASTER_IRQ_ENABLE;
	bool level = master && sum;
	uint64_t addr;
	uint32_t data;

	vreg(v, GEN8_MASTER_IRQ) = master | sum;
	if (level == v->irq_asserted)
		return;
	v->irq_asserted = level;
	switch (v->irq_mode) {
	case GVT_IRQ_MSI:
		if (level)
			deliver_msi(v);
		return;
	case GVT_IRQ_INTX:
		set_intx(v, level);
		return;
	case GVT_IRQ_NONE:
		return;
	case GVT_IRQ_AUTO:
		break;
	}
	if (gvt_cfg_msi_enabled(v, &addr, &data)) {
		/* MSI is a memory write by the device: needs bus mastering */
		if (level && gvt_cfg_bus_master(v))
			deliver_msi(v);
		return;
	}
	set_intx(v, level && !gvt_cfg_intx_disabled(v));
}

void gvt_vgpu_set_irq_mode(struct gvt_vgpu *v, enum gvt_irq_mode mode)
{
	gvt_mutex_lock(&v->lock);
	if (mode > GVT_IRQ_NONE)
		mode = GVT_IRQ_NONE;
	set_intx(v, false);	/* the new path starts from a low line */
	v->irq_mode = mode;
	/* re-evaluate: a pending interrupt goes out on the new path */
	v->irq_asserted = false;
	gvt_irq_update(v);
	gvt_mutex_unlock(&v->lock);
}

void gvt_irq_raise(struct gvt_vgpu *v, uint32_t isr_reg, uint32_t bits)
{
	vreg(v, isr_reg + IRQ_IIR) |= bits & ~vreg(v, isr_reg + IRQ_IMR);
	gvt_irq_update(v);
}

uint32_t gvt_irq_read_master(struct gvt_vgpu *v, uint32_t off)
{
	return vreg(v, GEN8_MASTER_IRQ);
}

void gvt_irq_write_master(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	/* only the enable bit is writable; the rest is the live summary */
	vreg(v, GEN8_MASTER_IRQ) = val & MASTER_IRQ_ENABLE;
	gvt_irq_update(v);
}

void gvt_irq_write_iir(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	gvt_irq_update(v);
}

void gvt_irq_write_mask(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	gvt_irq_update(v);
}
