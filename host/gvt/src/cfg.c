// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration space of the vGPU: a Gen9 IGD at function 0 with BAR0
 * (16 MiB, 64-bit, registers + GGTT), BAR2 (aperture, 64-bit prefetchable),
 * an MSI capability (single vector, 64-bit) and a PM capability.
 *
 * Writes are byte-wise through a write mask (cfg_wmask), then BARs are
 * re-masked to their size so that sizing (write ~0, read back) works.
 */
#include "gvt_internal.h"

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define   PCI_COMMAND_MEMORY	0x2
#define   PCI_COMMAND_MASTER	0x4
#define   PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS		0x06
#define   PCI_STATUS_INTERRUPT	0x08
#define   PCI_STATUS_CAP_LIST	0x10
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define GMCH_CTRL		0x50	/* SNB_GMCH_CTRL */
#define BDSM			0x5c
#define MSI_CAP			0xac
#define   PCI_CAP_ID_MSI	0x05
#define   MSI_FLAGS_ENABLE	0x0001
#define   MSI_FLAGS_64BIT	0x0080
#define PM_CAP			0xd0
#define   PCI_CAP_ID_PM		0x01
#define SWSCI			0xe8
#define ASLS			0xfc

/*
 * GGMS = 3 (bits 7:6): an 8 MiB PTE table, i.e. a 4 GiB GGTT. GMS (15:8) = 0:
 * no stolen memory, so the x86 early quirk reserves nothing.
 */
#define GMCH_CTRL_VALUE		0x00c0
#define BAR_MEM_64		0x4
#define BAR_PREFETCH		0x8

static void put16(uint8_t *c, uint32_t off, uint16_t v)
{
	gvt_put_le16(c + off, v);
}

static void put32(uint8_t *c, uint32_t off, uint32_t v)
{
	gvt_put_le32(c + off, v);
}

static void wmask_set(struct gvt_vgpu *v, uint32_t off, uint32_t len, uint8_t mask)
{
	gvt_memset(v->cfg_wmask + off, mask, len);
}

void gvt_cfg_init(struct gvt_vgpu *v)
{
	const struct gvt_gpu_desc *d = &v->gpu->desc;
	uint8_t *c = v->cfg;

	gvt_memset(v->cfg, 0, sizeof(v->cfg));
	gvt_memset(v->cfg_wmask, 0, sizeof(v->cfg_wmask));

	put16(c, PCI_VENDOR_ID, 0x8086);
	put16(c, PCI_DEVICE_ID, d->device_id);
	put16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	c[PCI_REVISION_ID] = d->revision;
	/* class 0x030000 (VGA): i915 matches 0x03xxxx */
	c[PCI_CLASS_PROG] = 0x00;
	c[0x0a] = 0x00;
	c[0x0b] = 0x03;
	put16(c, PCI_SUBSYSTEM_VENDOR_ID, d->subsys_vendor);
	put16(c, PCI_SUBSYSTEM_ID, d->subsys_device);
	c[PCI_CAPABILITY_LIST] = MSI_CAP;
	c[PCI_INTERRUPT_PIN] = 1;	/* INTA */
	put16(c, GMCH_CTRL, GMCH_CTRL_VALUE);
	put32(c, BDSM, 0);

	/* BAR0: 64-bit memory, non-prefetchable; BAR2: 64-bit prefetchable */
	v->bar_size[0] = GVT_BAR0_SIZE;
	v->bar_size[2] = d->aperture_size;
	put32(c, PCI_BASE_ADDRESS_0, BAR_MEM_64);
	put32(c, PCI_BASE_ADDRESS_0 + 8, BAR_MEM_64 | BAR_PREFETCH);

	/* MSI: 64-bit address, one vector, no per-vector masking */
	c[MSI_CAP] = PCI_CAP_ID_MSI;
	c[MSI_CAP + 1] = PM_CAP;
	put16(c, MSI_CAP + 2, MSI_FLAGS_64BIT);
	/* PM: version 3, D0/D3hot; no soft reset */
	c[PM_CAP] = PCI_CAP_ID_PM;
	c[PM_CAP + 1] = 0;
	put16(c, PM_CAP + 2, 0x0003);
	put16(c, PM_CAP + 4, 0x0008);	/* NoSoftReset: state kept across D3hot */

	/* command: IO (no IO BAR), MEM, BM, PERR, SERR, INTX_DISABLE */
	put16(v->cfg_wmask, PCI_COMMAND, 0x0546);
	v->cfg_wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	v->cfg_wmask[PCI_LATENCY_TIMER] = 0xff;
	wmask_set(v, PCI_BASE_ADDRESS_0, 8, 0xff);
	wmask_set(v, PCI_BASE_ADDRESS_0 + 8, 8, 0xff);
	v->cfg_wmask[PCI_INTERRUPT_LINE] = 0xff;
	/* MSI enable and MME (bits 6:4); address (dword aligned), data */
	v->cfg_wmask[MSI_CAP + 2] = 0x71;
	put32(v->cfg_wmask, MSI_CAP + 4, 0xfffffffc);
	put32(v->cfg_wmask, MSI_CAP + 8, 0xffffffff);
	put16(v->cfg_wmask, MSI_CAP + 12, 0xffff);
	v->cfg_wmask[PM_CAP + 4] = 0x03;	/* power state */
	put32(v->cfg_wmask, SWSCI, 0xffffffff);
	put32(v->cfg_wmask, ASLS, 0xffffffff);
}

/* Keep BAR bits below the BAR size zero and the type bits fixed. */
static void cfg_fixup_bars(struct gvt_vgpu *v)
{
	unsigned int bar;

	for (bar = 0; bar < 6; bar += 2) {
		uint32_t off = PCI_BASE_ADDRESS_0 + 4 * bar;
		uint64_t val, size = v->bar_size[bar], flags;

		if (!size) {
			put32(v->cfg, off, 0);
			put32(v->cfg, off + 4, 0);
			continue;
		}
		flags = bar == 0 ? BAR_MEM_64 : BAR_MEM_64 | BAR_PREFETCH;
		val = gvt_get_le(v->cfg + off, 8);
		val = (val & ~(size - 1)) | flags;
		gvt_put_le(v->cfg + off, val, 8);
	}
	/* no ROM BAR, nothing at BAR4 (i915 never uses the IO BAR) */
	put32(v->cfg, PCI_ROM_ADDRESS, 0);
}

int gvt_cfg_read(struct gvt_vgpu *v, uint32_t off, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t i;

	if (off > 4096 || len > 4096 - off)
		return -EINVAL;
	for (i = 0; i < len; i++)
		out[i] = off + i < GVT_CFG_SIZE ? v->cfg[off + i] : 0;
	return 0;
}

/*
 * SWSCI (0xe8): the driver puts a function in the OpRegion's SCIC/PARM
 * (mailbox 2) and raises bit 0 with bit 15 (SCI, not SMI) set; the BIOS
 * answers in SCIC. Like upstream GVT-g, only the capability queries
 * succeed (nothing supported, nothing requested); everything else gets a
 * failure exit status. Windows issues these even without MBOX_SWSCI.
 */
#define SWSCI_SCI_TRIGGER	0x0001
#define SWSCI_SCI_SELECT	0x8000
#define OPREGION_SCIC		0x200
#define OPREGION_PARM		0x204
#define SCIC_FUNC(x)		(((x) >> 1) & 0xf)
#define SCIC_SUBFUNC(x)		(((x) >> 8) & 0xff)
#define SCIC_EXIT_MASK		0xe0u
#define SCIC_F_GET_BIOS_DATA	4
#define SCIC_F_GET_BIOS_CALLBACKS 6
#define SCIC_SF_SUPPORTED_CALLS	0
#define SCIC_SF_REQUESTED_CALLBACKS 1

static void swsci_request(struct gvt_vgpu *v)
{
	uint64_t base = gvt_get_le32(v->cfg + ASLS);
	uint32_t scic, parm;
	unsigned int func, sub;

	if (!base || v->hyp->gpa_read(v->hyp_priv, base + OPREGION_SCIC, &scic, 4) ||
	    v->hyp->gpa_read(v->hyp_priv, base + OPREGION_PARM, &parm, 4)) {
		gvt_vlog(v, 1, "SWSCI without a readable OpRegion (ASLS 0x%llx)",
			 (unsigned long long)base);
		return;
	}
	func = SCIC_FUNC(scic);
	sub = SCIC_SUBFUNC(scic);
	if ((func == SCIC_F_GET_BIOS_DATA && (sub == SCIC_SF_SUPPORTED_CALLS ||
					       sub == SCIC_SF_REQUESTED_CALLBACKS)) ||
	    (func == SCIC_F_GET_BIOS_CALLBACKS && sub == SCIC_SF_SUPPORTED_CALLS)) {
		scic = 0;
		parm = 0;
	} else {
		gvt_vlog(v, 2, "SWSCI function %u/%u not supported", func, sub);
		scic &= ~SCIC_EXIT_MASK;
	}
	v->hyp->gpa_write(v->hyp_priv, base + OPREGION_SCIC, &scic, 4);
	v->hyp->gpa_write(v->hyp_priv, base + OPREGION_PARM, &parm, 4);
}

int gvt_cfg_write(struct gvt_vgpu *v, uint32_t off, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	uint16_t swsci_old = (uint16_t)gvt_get_le(v->cfg + SWSCI, 2), swsci;
	size_t i;

	if (off > 4096 || len > 4096 - off)
		return -EINVAL;
	for (i = 0; i < len && off + i < GVT_CFG_SIZE; i++) {
		uint32_t o = off + i;

		v->cfg[o] = (v->cfg[o] & ~v->cfg_wmask[o]) | (in[i] & v->cfg_wmask[o]);
	}
	swsci = (uint16_t)gvt_get_le(v->cfg + SWSCI, 2);
	if ((swsci & SWSCI_SCI_SELECT) && (swsci & SWSCI_SCI_TRIGGER) &&
	    !(swsci_old & SWSCI_SCI_TRIGGER))
		swsci_request(v);
	/* only one vector is offered: MME stays 0 */
	v->cfg[MSI_CAP + 2] &= ~0x70;
	if (off < PCI_ROM_ADDRESS + 4 && off + len > PCI_BASE_ADDRESS_0)
		cfg_fixup_bars(v);
	/* a newly enabled MSI or INTx path may have an interrupt to deliver */
	if ((off <= MSI_CAP + 2 && off + len > MSI_CAP + 2) ||
	    (off <= PCI_COMMAND + 1 && off + len > PCI_COMMAND)) {
		v->irq_asserted = false;
		gvt_irq_update(v);
	}
	return 0;
}

bool gvt_cfg_bus_master(struct gvt_vgpu *v)
{
	return v->cfg[PCI_COMMAND] & PCI_COMMAND_MASTER;
}

bool gvt_cfg_msi_enabled(struct gvt_vgpu *v, uint64_t *addr, uint32_t *data)
{
	if (!(v->cfg[MSI_CAP + 2] & MSI_FLAGS_ENABLE))
		return false;
	*addr = gvt_get_le(v->cfg + MSI_CAP + 4, 8);
	*data = (uint32_t)gvt_get_le(v->cfg + MSI_CAP + 12, 2);
	return true;
}

uint32_t gvt_vgpu_asls(struct gvt_vgpu *v)
{
	uint32_t val;

	gvt_mutex_lock(&v->lock);
	val = gvt_get_le32(v->cfg + ASLS);
	gvt_mutex_unlock(&v->lock);
	return val;
}

/* INTx status bit follows the interrupt line when MSI is off. */
void gvt_cfg_set_intx_status(struct gvt_vgpu *v, bool level)
{
	if (level)
		v->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		v->cfg[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
}

bool gvt_cfg_intx_disabled(struct gvt_vgpu *v)
{
	return gvt_get_le(v->cfg + PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE;
}
