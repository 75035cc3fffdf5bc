// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmgt-testdev: a small PCI device that proves the vfio-user transport.
 * BAR0 has a few registers and a DMA engine that copies within guest
 * memory on a worker thread (never on the protocol thread), then raises
 * MSI (if the client enabled it) or INTx.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "testdev_regs.h"
#include "vgpud_testdev.h"

#define TD_CFG_SIZE 256
#define TD_BOUNCE (64u << 10)

struct vgpud_testdev {
	struct vus_dev *vus;
	pthread_mutex_t lock;		/* everything below */
	pthread_cond_t cond;
	pthread_t worker;
	bool stop;

	uint8_t cfg[TD_CFG_SIZE];
	uint32_t regs[TD_BAR0_SIZE / 4];
	bool dma_go;			/* a transfer is queued for the worker */
	int bar2_fd;			/* -1: no BAR2 */
	uint8_t *bar2;			/* our mapping of the BAR2 memfd */
	uint32_t reset_gen;		/* drops a transfer that a reset overtook */
};

/* Writable bits of the config space (everything else reads back fixed). */
static uint8_t td_cfg_wmask[TD_CFG_SIZE];

static void td_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void td_put32(uint8_t *p, uint32_t v) { td_put16(p, (uint16_t)v); td_put16(p + 2, (uint16_t)(v >> 16)); }

static void td_cfg_init(struct vgpud_testdev *td)
{
	uint8_t *c = td->cfg;

	memset(c, 0, TD_CFG_SIZE);
	td_put16(c + 0x00, TD_VENDOR_ID);
	td_put16(c + 0x02, TD_DEVICE_ID);
	td_put16(c + 0x06, 0x0010);		/* status: capability list */
	c[0x08] = TD_REVISION;
	c[0x09] = TD_CLASS & 0xff;
	c[0x0a] = (TD_CLASS >> 8) & 0xff;
	c[0x0b] = (TD_CLASS >> 16) & 0xff;
	td_put32(c + 0x10, 0);			/* BAR0: 32-bit MMIO, non-prefetch */
	td_put32(c + 0x18, 0);			/* BAR2 (mmap type): same kind */
	td_put16(c + 0x2c, TD_VENDOR_ID);	/* subsystem vendor */
	td_put16(c + 0x2e, 0x0001);		/* subsystem */
	c[0x34] = TD_MSI_CAP;
	c[0x3d] = 1;				/* INTA# */
	c[TD_MSI_CAP + 0] = 0x05;		/* MSI */
	c[TD_MSI_CAP + 1] = 0;			/* last capability */
	td_put16(c + TD_MSI_CAP + 2, 0x0080);	/* 64-bit, one vector */
}

static void td_cfg_wmask_init(void)
{
	uint8_t *m = td_cfg_wmask;

	/* command: IO, MEM, master, parity, SERR, INTx disable */
	td_put16(m + 0x04, 0x0547);
	/* BAR0 decodes 4 KiB: address bits 31..12 */
	td_put32(m + 0x10, ~(uint32_t)(TD_BAR0_SIZE - 1));
	td_put32(m + 0x18, ~(uint32_t)(TD_BAR2_SIZE - 1));
	m[0x3c] = 0xff;				/* interrupt line */
	m[TD_MSI_CAP + 2] = 0x71;		/* MSI enable, multiple msg enable */
	td_put32(m + TD_MSI_CAP + 4, 0xfffffffc);
	td_put32(m + TD_MSI_CAP + 8, 0xffffffff);
	td_put16(m + TD_MSI_CAP + 12, 0xffff);
}

/* Re-evaluate the interrupt line; raise an MSI for new events. Lock held. */
static void td_irq_update(struct vgpud_testdev *td, uint32_t new_events)
{
	uint32_t st = td->regs[TD_REG_IRQ_STATUS / 4];
	bool intx_off = td->cfg[0x05] & 0x04;	/* command bit 10 */

	if (vus_irq_enabled(td->vus, VUS_IRQ_MSI)) {
		if (new_events)
			vus_irq_trigger(td->vus, VUS_IRQ_MSI, 0);
		vus_intx_set_level(td->vus, false);
		return;
	}
	vus_intx_set_level(td->vus, st && !intx_off);
}

static int td_dma_copy(struct vgpud_testdev *td, uint64_t src, uint64_t dst,
		       uint32_t len, uint8_t *bounce)
{
	int ret;

	while (len) {
		uint32_t n = len < TD_BOUNCE ? len : TD_BOUNCE;

		ret = vus_dma_read(td->vus, src, bounce, n);
		if (!ret)
			ret = vus_dma_write(td->vus, dst, bounce, n);
		if (ret)
			return ret;
		src += n;
		dst += n;
		len -= n;
	}
	return 0;
}

static void *td_worker(void *arg)
{
	struct vgpud_testdev *td = arg;
	uint8_t *bounce = malloc(TD_BOUNCE);

	pthread_mutex_lock(&td->lock);
	while (!td->stop) {
		uint64_t src, dst;
		uint32_t len, gen, *r = td->regs;
		int ret;

		if (!td->dma_go) {
			pthread_cond_wait(&td->cond, &td->lock);
			continue;
		}
		td->dma_go = false;
		src = r[TD_REG_DMA_SRC_LO / 4] | (uint64_t)r[TD_REG_DMA_SRC_HI / 4] << 32;
		dst = r[TD_REG_DMA_DST_LO / 4] | (uint64_t)r[TD_REG_DMA_DST_HI / 4] << 32;
		len = r[TD_REG_DMA_LEN / 4];
		gen = td->reset_gen;
		pthread_mutex_unlock(&td->lock);

		/* Guest memory is touched without the device lock: register
		 * accesses on the protocol thread never wait for a copy. */
		if (!bounce || !len || len > TD_DMA_MAX)
			ret = -EINVAL;
		else
			ret = td_dma_copy(td, src, dst, len, bounce);

		pthread_mutex_lock(&td->lock);
		if (gen != td->reset_gen)
			continue;	/* reset meanwhile: drop the result */
		r[TD_REG_DMA_STATUS / 4] &= ~TD_DMA_STATUS_BUSY;
		r[TD_REG_DMA_STATUS / 4] |= ret ? TD_DMA_STATUS_ERROR : TD_DMA_STATUS_DONE;
		if (!ret)
			r[TD_REG_DMA_COUNT / 4]++;
		if (r[TD_REG_DMA_CTRL / 4] & TD_DMA_CTRL_IRQ) {
			r[TD_REG_IRQ_STATUS / 4] |= TD_IRQ_DMA;
			td_irq_update(td, TD_IRQ_DMA);
		}
	}
	pthread_mutex_unlock(&td->lock);
	free(bounce);
	return NULL;
}

/* 32-bit register write. Lock held. */
static void td_reg_write(struct vgpud_testdev *td, uint32_t reg, uint32_t val)
{
	uint32_t *r = td->regs;

	switch (reg) {
	case TD_REG_ID:
	case TD_REG_DMA_COUNT:
	case TD_REG_CONNECTS:
	case TD_REG_RESETS:
	case TD_REG_BAR2_SUM:
	case TD_REG_BAR2_TRAPS:
		break;
	case TD_REG_DMA_CTRL:
		r[reg / 4] = val & TD_DMA_CTRL_IRQ;
		if ((val & TD_DMA_CTRL_GO) && !(r[TD_REG_DMA_STATUS / 4] & TD_DMA_STATUS_BUSY)) {
			r[TD_REG_DMA_STATUS / 4] = TD_DMA_STATUS_BUSY;
			td->dma_go = true;
			pthread_cond_signal(&td->cond);
		}
		break;
	case TD_REG_DMA_STATUS:
		r[reg / 4] &= ~(val & (TD_DMA_STATUS_DONE | TD_DMA_STATUS_ERROR));
		break;
	case TD_REG_IRQ_STATUS:
		r[reg / 4] &= ~val;
		td_irq_update(td, 0);
		break;
	case TD_REG_IRQ_RAISE:
		r[TD_REG_IRQ_STATUS / 4] |= TD_IRQ_SOFT;
		td_irq_update(td, TD_IRQ_SOFT);
		break;
	default:
		if (reg < TD_BAR0_SIZE)
			r[reg / 4] = val;
		break;
	}
}

static int td_region_read(void *opaque, uint32_t region, uint64_t off,
			  void *buf, uint32_t len)
{
	struct vgpud_testdev *td = opaque;
	uint8_t *out = buf;

	pthread_mutex_lock(&td->lock);
	if (region == VUS_PCI_CONFIG_REGION) {
		memcpy(buf, td->cfg + off, len);	/* bounds checked by vus */
	} else if (region == 2) {
		memcpy(buf, td->bar2 + off, len);	/* the trapped half */
	} else {
		if (td->bar2 && off < TD_REG_BAR2_SUM + 4 && off + len > TD_REG_BAR2_SUM) {
			uint32_t sum = 0, w;

			for (uint32_t i = 0; i < TD_BAR2_SIZE; i += 4) {
				memcpy(&w, td->bar2 + i, 4);
				sum += w;
			}
			td->regs[TD_REG_BAR2_SUM / 4] = sum;
		}
		/* Any size/alignment: bytes of the little-endian registers. */
		for (uint32_t i = 0; i < len; i++) {
			uint64_t a = off + i;

			out[i] = (uint8_t)(td->regs[a / 4] >> (8 * (a % 4)));
		}
	}
	pthread_mutex_unlock(&td->lock);
	return 0;
}

static int td_region_write(void *opaque, uint32_t region, uint64_t off,
			   const void *buf, uint32_t len)
{
	struct vgpud_testdev *td = opaque;
	const uint8_t *in = buf;

	pthread_mutex_lock(&td->lock);
	if (region == VUS_PCI_CONFIG_REGION) {
		for (uint32_t i = 0; i < len; i++) {
			uint8_t m = td_cfg_wmask[off + i];

			td->cfg[off + i] = (uint8_t)((td->cfg[off + i] & ~m) | (in[i] & m));
		}
		td_irq_update(td, 0);	/* INTx disable may have changed */
	} else if (region == 2) {
		memcpy(td->bar2 + off, buf, len);
		td->regs[TD_REG_BAR2_TRAPS / 4]++;
	} else {
		/* Merge partial writes into their registers, then act once
		 * per touched register. */
		uint64_t first = off / 4, last = (off + len - 1) / 4;

		for (uint64_t reg = first; reg <= last; reg++) {
			uint32_t v = td->regs[reg];

			for (uint32_t b = 0; b < 4; b++) {
				uint64_t a = reg * 4 + b;

				if (a >= off && a < off + len) {
					v &= ~(0xffu << (8 * b));
					v |= (uint32_t)in[a - off] << (8 * b);
				}
			}
			td_reg_write(td, (uint32_t)(reg * 4), v);
		}
	}
	pthread_mutex_unlock(&td->lock);
	return 0;
}

/* Lock held. */
static void td_regs_reset(struct vgpud_testdev *td)
{
	static const uint32_t keep[] = {
		TD_REG_DMA_COUNT, TD_REG_CONNECTS, TD_REG_RESETS, TD_REG_STICKY,
	};
	uint32_t saved[sizeof(keep) / sizeof(keep[0])];

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		saved[i] = td->regs[keep[i] / 4];
	memset(td->regs, 0, sizeof(td->regs));
	td->regs[TD_REG_ID / 4] = TD_ID_MAGIC;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		td->regs[keep[i] / 4] = saved[i];
	td->dma_go = false;
	td->reset_gen++;
}

static void td_reset(void *opaque)
{
	struct vgpud_testdev *td = opaque;

	pthread_mutex_lock(&td->lock);
	td_regs_reset(td);
	td->regs[TD_REG_RESETS / 4]++;
	vus_intx_set_level(td->vus, false);
	pthread_mutex_unlock(&td->lock);
}

static void td_irq_state(void *opaque, uint32_t index, uint32_t start,
			 uint32_t count)
{
	struct vgpud_testdev *td = opaque;

	/* MSI switched on or off: move a pending event to the right line. */
	pthread_mutex_lock(&td->lock);
	td_irq_update(td, 0);
	pthread_mutex_unlock(&td->lock);
}

static void td_client(void *opaque, bool connected)
{
	struct vgpud_testdev *td = opaque;

	pthread_mutex_lock(&td->lock);
	if (connected)
		td->regs[TD_REG_CONNECTS / 4]++;
	pthread_mutex_unlock(&td->lock);
}

static const struct vus_dev_ops td_ops = {
	.region_read = td_region_read,
	.region_write = td_region_write,
	.reset = td_reset,
	.irq_state = td_irq_state,
	.client = td_client,
};

int vgpud_testdev_create(const char *name, bool mmap_bar2,
			 struct vgpud_testdev **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct vus_dev_desc desc = {
		.name = name,
		.num_regions = VUS_PCI_NUM_REGIONS,
		.num_irqs = VUS_NUM_IRQS,
		.reset = true,
	};
	struct vgpud_testdev *td;
	int ret;

	pthread_once(&once, td_cfg_wmask_init);
	desc.regions[VUS_PCI_BAR0_REGION].size = TD_BAR0_SIZE;
	desc.regions[VUS_PCI_BAR0_REGION].flags = VUS_REGION_RW;
	desc.regions[VUS_PCI_CONFIG_REGION].size = TD_CFG_SIZE;
	desc.regions[VUS_PCI_CONFIG_REGION].flags = VUS_REGION_RW;
	desc.irqs[VUS_IRQ_INTX].count = 1;
	desc.irqs[VUS_IRQ_INTX].flags = VUS_IRQ_MASKABLE | VUS_IRQ_AUTOMASKED;
	desc.irqs[VUS_IRQ_MSI].count = 1;
	desc.irqs[VUS_IRQ_MSI].flags = VUS_IRQ_NORESIZE;

	td = calloc(1, sizeof(*td));
	if (!td)
		return -ENOMEM;
	td->bar2_fd = -1;
	if (mmap_bar2) {
		struct vus_region *r = &desc.regions[2];

		td->bar2_fd = memfd_create("kvmgt-testdev-bar2", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (td->bar2_fd < 0 || ftruncate(td->bar2_fd, TD_BAR2_SIZE)) {
			ret = -errno;
			goto out_close;
		}
		td->bar2 = mmap(NULL, TD_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
				td->bar2_fd, 0);
		if (td->bar2 == MAP_FAILED) {
			ret = -errno;
			td->bar2 = NULL;
			goto out_close;
		}
		r->size = TD_BAR2_SIZE;
		r->flags = VUS_REGION_RW | VUS_REGION_MMAP;
		r->mmap_fd = td->bar2_fd;
		r->mmap_offset = 0;
		r->nr_sparse = 1;
		r->sparse[0].offset = 0;
		r->sparse[0].size = TD_BAR2_MMAP_SIZE;
	}
	pthread_mutex_init(&td->lock, NULL);
	pthread_cond_init(&td->cond, NULL);
	td_cfg_init(td);
	td_regs_reset(td);
	ret = vus_dev_create(&desc, &td_ops, td, &td->vus);
	if (ret)
		goto out_free;
	ret = -pthread_create(&td->worker, NULL, td_worker, td);
	if (ret)
		goto out_destroy;
	*out = td;
	return 0;

out_destroy:
	vus_dev_destroy(td->vus);
out_free:
	pthread_cond_destroy(&td->cond);
	pthread_mutex_destroy(&td->lock);
out_close:
	if (td->bar2)
		munmap(td->bar2, TD_BAR2_SIZE);
	if (td->bar2_fd >= 0)
		close(td->bar2_fd);
	free(td);
	return ret;
}

void vgpud_testdev_destroy(struct vgpud_testdev *td)
{
	if (!td)
		return;
	pthread_mutex_lock(&td->lock);
	td->stop = true;
	pthread_cond_signal(&td->cond);
	pthread_mutex_unlock(&td->lock);
	pthread_join(td->worker, NULL);
	vus_dev_destroy(td->vus);
	pthread_cond_destroy(&td->cond);
	pthread_mutex_destroy(&td->lock);
	if (td->bar2)
		munmap(td->bar2, TD_BAR2_SIZE);
	if (td->bar2_fd >= 0)
		close(td->bar2_fd);
	free(td);
}

struct vus_dev *vgpud_testdev_vus(struct vgpud_testdev *td)
{
	return td->vus;
}

void vgpud_testdev_status(struct vgpud_testdev *td,
			  struct vgpud_testdev_status *st)
{
	struct vus_dev_stats vs;

	vus_dev_stats(td->vus, &vs);
	pthread_mutex_lock(&td->lock);
	st->scratch = td->regs[TD_REG_SCRATCH / 4];
	st->dma_count = td->regs[TD_REG_DMA_COUNT / 4];
	st->dma_status = td->regs[TD_REG_DMA_STATUS / 4];
	st->irq_status = td->regs[TD_REG_IRQ_STATUS / 4];
	st->connects = td->regs[TD_REG_CONNECTS / 4];
	st->resets = td->regs[TD_REG_RESETS / 4];
	st->sticky = td->regs[TD_REG_STICKY / 4];
	pthread_mutex_unlock(&td->lock);
	st->irqs_sent = vs.irqs;
}
