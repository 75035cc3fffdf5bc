// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "kvmgt-testdev" PCI device: register layout, shared by the device
 * model (testdev.c), the host test client and the guest test helper.
 * Plain defines only, so the static guest helper can include it.
 */
#ifndef TESTDEV_REGS_H
#define TESTDEV_REGS_H

/* Test-only IDs under Red Hat's QEMU vendor ID (no Linux driver binds
 * 1b36:11f0; the vfio-pci test helper binds it by new_id). */
#define TD_VENDOR_ID		0x1b36
#define TD_DEVICE_ID		0x11f0
#define TD_CLASS		0xff0000	/* unclassified */
#define TD_REVISION		1

#define TD_BAR0_SIZE		4096
#define TD_MSI_CAP		0x40

/* BAR0 registers, 32 bits wide, little endian. */
#define TD_REG_ID		0x00	/* RO: TD_ID_MAGIC */
#define TD_ID_MAGIC		0x4b565444u	/* "KVTD" */
#define TD_REG_SCRATCH		0x04	/* RW, kept across client reconnects */
#define TD_REG_DMA_SRC_LO	0x08	/* guest physical source */
#define TD_REG_DMA_SRC_HI	0x0c
#define TD_REG_DMA_DST_LO	0x10	/* guest physical destination */
#define TD_REG_DMA_DST_HI	0x14
#define TD_REG_DMA_LEN		0x18	/* bytes, <= TD_DMA_MAX */
#define TD_REG_DMA_CTRL		0x1c
#define  TD_DMA_CTRL_GO		(1u << 0)	/* write 1: start (self-clearing) */
#define  TD_DMA_CTRL_IRQ	(1u << 1)	/* interrupt on completion */
#define TD_REG_DMA_STATUS	0x20
#define  TD_DMA_STATUS_BUSY	(1u << 0)
#define  TD_DMA_STATUS_DONE	(1u << 1)	/* W1C */
#define  TD_DMA_STATUS_ERROR	(1u << 2)	/* W1C: bad range or length */
#define TD_REG_IRQ_STATUS	0x24	/* W1C; INTx is asserted while != 0 */
#define  TD_IRQ_DMA		(1u << 0)
#define  TD_IRQ_SOFT		(1u << 1)
#define TD_REG_IRQ_RAISE	0x28	/* WO: any write sets TD_IRQ_SOFT */
/* Lifetime counters and a sticky register: survive device reset (QEMU
 * resets the device when it starts) and client reconnects, so a test can
 * see that a new QEMU got the same device. */
#define TD_REG_DMA_COUNT	0x2c	/* RO: completed transfers */
#define TD_REG_CONNECTS		0x30	/* RO: clients served */
#define TD_REG_RESETS		0x34	/* RO: device resets */
#define TD_REG_STICKY		0x38	/* RW */
/* BAR2 (only on the "kvmgt-testdev-mmap" type): 64 KiB of memory shared
 * with the client through a region fd. The first half is a sparse mmap
 * area (guest accesses never reach vgpud); the second half traps. */
#define TD_REG_BAR2_SUM		0x3c	/* RO: sum of BAR2's 32-bit words */
#define TD_REG_BAR2_TRAPS	0x40	/* RO: trapped BAR2 writes */

#define TD_BAR2_SIZE		(64u << 10)
#define TD_BAR2_MMAP_SIZE	(32u << 10)

#define TD_DMA_MAX		(1u << 20)

#endif /* TESTDEV_REGS_H */
