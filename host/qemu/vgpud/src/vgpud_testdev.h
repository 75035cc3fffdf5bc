// SPDX-License-Identifier: GPL-2.0-only
/* The kvmgt-testdev device model (see testdev_regs.h), served by libvus. */
#ifndef VGPUD_TESTDEV_H
#define VGPUD_TESTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "vus.h"

struct vgpud_testdev;

struct vgpud_testdev_status {
	uint32_t scratch;
	uint32_t dma_count;
	uint32_t dma_status;
	uint32_t irq_status;
	uint32_t connects;
	uint32_t resets;
	uint32_t sticky;
	uint64_t irqs_sent;
};

/* Create the model and its vus device (not listening yet). mmap_bar2 adds
 * BAR2, memory shared with the client through a region fd (sparse). */
int vgpud_testdev_create(const char *name, bool mmap_bar2,
			 struct vgpud_testdev **out);
/* Stops the DMA worker, destroys the vus device. */
void vgpud_testdev_destroy(struct vgpud_testdev *td);
struct vus_dev *vgpud_testdev_vus(struct vgpud_testdev *td);
void vgpud_testdev_status(struct vgpud_testdev *td,
			  struct vgpud_testdev_status *st);

#endif /* VGPUD_TESTDEV_H */
