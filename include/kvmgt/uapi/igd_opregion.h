/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel IGD OpRegion and VBT layout as consumed by the Linux i915 and the
 * Windows Intel graphics driver. The vGPU hands this 8 KiB blob to the
 * guest firmware (QEMU fw_cfg "etc/igd-opregion"), which places it in
 * reserved RAM and writes its address to config register ASLS (0xfc).
 *
 * The VBT uses BDB version 186 with 33-byte child device entries: the
 * Windows driver needs that layout, and Linux accepts 33 bytes for BDB
 * versions 111..194.
 */
#ifndef KVMGT_UAPI_IGD_OPREGION_H
#define KVMGT_UAPI_IGD_OPREGION_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#ifdef __cplusplus
#define IGD_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define IGD_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif

#define IGD_OPREGION_SIZE		0x2000u	/* 8 KiB */
#define IGD_OPREGION_SIGNATURE		"IntelGraphicsMem"
#define IGD_OPREGION_VERSION_2_0	0x02000000u
#define IGD_OPREGION_ACPI_OFFSET	0x100u	/* mailbox 1 */
#define IGD_OPREGION_CLID_OFFSET	0x1acu	/* mailbox 1: current lid state */
#define IGD_OPREGION_CLID_OPEN		0x3u	/* what GVT-g reports; Windows needs "open" */
#define IGD_OPREGION_VBT_OFFSET		0x400u	/* mailbox 4 */
#define IGD_OPREGION_VBT_MAX		(IGD_OPREGION_SIZE - IGD_OPREGION_VBT_OFFSET)

/* header.mboxes */
#define IGD_MBOX_ACPI		(1u << 0)
#define IGD_MBOX_SWSCI		(1u << 1)
#define IGD_MBOX_ASLE		(1u << 2)
#define IGD_MBOX_VBT		(1u << 3)	/* GVT-g: "VBT mailbox only" */
#define IGD_MBOX_ASLE_EXT	(1u << 4)

struct igd_opregion_header {
	char signature[16];	/* 0x00 */
	uint32_t size_kb;	/* 0x10 */
	uint32_t version;	/* 0x14: {rsvd, revision, minor, major} */
	uint8_t bios_ver[32];	/* 0x18 */
	uint8_t vbios_ver[16];	/* 0x38 */
	uint8_t driver_ver[16];	/* 0x48 */
	uint32_t mboxes;	/* 0x58 */
	uint32_t driver_model;	/* 0x5c */
	uint32_t pcon;		/* 0x60 */
	uint8_t dver[32];	/* 0x64 */
	uint8_t rsvd[124];	/* 0x84 */
} __attribute__((packed));

IGD_STATIC_ASSERT(sizeof(struct igd_opregion_header) == 0x100, "opregion header");
IGD_STATIC_ASSERT(__builtin_offsetof(struct igd_opregion_header, mboxes) == 0x58,
	       "mboxes");

struct vbt_header {
	char signature[20];	/* "$VBT ..." */
	uint16_t version;
	uint16_t header_size;
	uint16_t vbt_size;
	uint8_t vbt_checksum;	/* all vbt_size bytes sum to 0 */
	uint8_t reserved0;
	uint32_t bdb_offset;
	uint32_t aim_offset[4];
} __attribute__((packed));

IGD_STATIC_ASSERT(sizeof(struct vbt_header) == 0x30, "vbt header");

struct bdb_header {
	char signature[16];	/* "BIOS_DATA_BLOCK " */
	uint16_t version;
	uint16_t header_size;
	uint16_t bdb_size;
} __attribute__((packed));

IGD_STATIC_ASSERT(sizeof(struct bdb_header) == 0x16, "bdb header");

/* Block header preceding each BDB data block. */
struct bdb_block_header {
	uint8_t id;
	uint16_t size;
} __attribute__((packed));

IGD_STATIC_ASSERT(sizeof(struct bdb_block_header) == 3, "bdb block header");

#define BDB_GENERAL_FEATURES		1
#define BDB_GENERAL_DEFINITIONS		2
#define BDB_DRIVER_FEATURES		12

#define VBT_BDB_VERSION			186
#define VBT_HEADER_VERSION		155
#define VBT_CHILD_SIZE			33

/* child.device_type: DP output, not HDMI, no TMDS (DEVICE_TYPE_DP) */
#define VBT_DEVICE_TYPE_DP		0x68c6u
/* child.handle values used by GVT-g for external panels */
#define VBT_HANDLE_EFP1			0x0004u
#define VBT_HANDLE_EFP2			0x0040u
#define VBT_HANDLE_EFP3			0x0020u
#define VBT_HANDLE_EFP4			0x0010u
/* child.dvo_port */
#define VBT_DVO_PORT_DPA		10
#define VBT_DVO_PORT_DPB		7
#define VBT_DVO_PORT_DPC		8
#define VBT_DVO_PORT_DPD		9
/* child.aux_channel */
#define VBT_DP_AUX_A			0x40
#define VBT_DP_AUX_B			0x10
#define VBT_DP_AUX_C			0x20
#define VBT_DP_AUX_D			0x30
/* child.support (offset 24, BDB 158+) */
#define VBT_SUPPORT_HDMI		(1u << 0)
#define VBT_SUPPORT_DP			(1u << 1)
#define VBT_SUPPORT_TMDS		(1u << 2)
/* child.caps (offset 27): pipe_cap:2 sdvo_stall:1 hpd_status:2 integrated_encoder:1 */
#define VBT_CAPS_INTEGRATED_ENCODER	(1u << 5)

/* The 33-byte child device entry of BDB versions 111..194. */
struct vbt_child_device_33 {
	uint16_t handle;	/* 0 */
	uint16_t device_type;	/* 2 */
	uint8_t device_id[10];	/* 4 */
	uint16_t addin_offset;	/* 14 */
	uint8_t dvo_port;	/* 16 */
	uint8_t i2c_pin;	/* 17 */
	uint8_t slave_addr;	/* 18 */
	uint8_t ddc_pin;	/* 19 */
	uint16_t edid_ptr;	/* 20 */
	uint8_t dvo_cfg;	/* 22 */
	uint8_t flags;		/* 23: efp_routed, lane_reversal, ... */
	uint8_t support;	/* 24: VBT_SUPPORT_* */
	uint8_t aux_channel;	/* 25 */
	uint8_t dongle_detect;	/* 26 */
	uint8_t caps;		/* 27: VBT_CAPS_* */
	uint8_t dvo_wiring;	/* 28 */
	uint8_t dvo2_wiring;	/* 29 */
	uint16_t extended_type;	/* 30 */
	uint8_t dvo_function;	/* 32 */
} __attribute__((packed));

IGD_STATIC_ASSERT(sizeof(struct vbt_child_device_33) == VBT_CHILD_SIZE, "child");
IGD_STATIC_ASSERT(__builtin_offsetof(struct vbt_child_device_33, dvo_port) == 16,
	       "dvo_port");
IGD_STATIC_ASSERT(__builtin_offsetof(struct vbt_child_device_33, aux_channel) == 25,
	       "aux_channel");

/* BDB_GENERAL_DEFINITIONS data: this header, then the child entries. */
struct bdb_general_definitions_hdr {
	uint8_t crt_ddc_gmbus_pin;
	uint8_t dpms_bits;
	uint8_t boot_display[2];
	uint8_t child_dev_size;
} __attribute__((packed));

IGD_STATIC_ASSERT(sizeof(struct bdb_general_definitions_hdr) == 5, "gen defs");

#endif /* KVMGT_UAPI_IGD_OPREGION_H */
