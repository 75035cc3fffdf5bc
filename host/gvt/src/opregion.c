// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IGD OpRegion handed to the guest firmware: header ("IntelGraphicsMem",
 * 8 KiB, version 2.0, VBT mailbox only), CLID "lid open" for Windows, and a
 * VBT at +0x400 that describes exactly one output: DP on DDI B with AUX B,
 * the port the display model emulates. BDB version 186 with 33-byte child
 * entries is the layout the Windows driver needs and Linux accepts.
 */
#include "gvt_internal.h"
#include <kvmgt/uapi/igd_opregion.h>

_Static_assert(GVT_DP_PORT == 1, "the VBT child below describes DDI B / AUX B");

#define GEN_FEATURES_SIZE	5	/* bdb_general_features up to int_crt_support */
#define DRV_FEATURES_SIZE	16	/* zeros: lvds_config = no LVDS, no PSR/DRRS */

struct vbt_image {
	struct vbt_header vbt;
	struct bdb_header bdb;
	struct bdb_block_header gen_features_hdr;
	uint8_t gen_features[GEN_FEATURES_SIZE];
	struct bdb_block_header gen_defs_hdr;
	struct bdb_general_definitions_hdr gen_defs;
	struct vbt_child_device_33 child;
	struct bdb_block_header drv_features_hdr;
	uint8_t drv_features[DRV_FEATURES_SIZE];
} __attribute__((packed));

_Static_assert(sizeof(struct vbt_image) <= IGD_OPREGION_VBT_MAX, "VBT fits mailbox 4");

void gvt_opregion_build(void *buf)
{
	uint8_t *op = buf;
	struct igd_opregion_header hdr;
	struct vbt_image img;
	uint8_t sum = 0;
	size_t i;

	gvt_memset(op, 0, IGD_OPREGION_SIZE);
	gvt_memset(&hdr, 0, sizeof(hdr));
	gvt_memcpy(hdr.signature, IGD_OPREGION_SIGNATURE, 16);
	hdr.size_kb = IGD_OPREGION_SIZE / 1024;
	hdr.version = IGD_OPREGION_VERSION_2_0;
	hdr.mboxes = IGD_MBOX_VBT;
	gvt_memcpy(op, &hdr, sizeof(hdr));
	op[IGD_OPREGION_CLID_OFFSET] = IGD_OPREGION_CLID_OPEN;

	gvt_memset(&img, 0, sizeof(img));
	gvt_memcpy(img.vbt.signature, "$VBT SKYLAKE        ", 20);
	img.vbt.version = VBT_HEADER_VERSION;
	img.vbt.header_size = sizeof(img.vbt);
	img.vbt.vbt_size = sizeof(img);
	img.vbt.bdb_offset = sizeof(img.vbt);

	gvt_memcpy(img.bdb.signature, "BIOS_DATA_BLOCK ", 16);
	img.bdb.version = VBT_BDB_VERSION;
	img.bdb.header_size = sizeof(img.bdb);
	img.bdb.bdb_size = sizeof(img) - sizeof(img.vbt);

	/* general features: no integrated CRT or TV (all bits 0) */
	img.gen_features_hdr.id = BDB_GENERAL_FEATURES;
	img.gen_features_hdr.size = GEN_FEATURES_SIZE;

	img.gen_defs_hdr.id = BDB_GENERAL_DEFINITIONS;
	img.gen_defs_hdr.size = sizeof(img.gen_defs) + sizeof(img.child);
	img.gen_defs.child_dev_size = VBT_CHILD_SIZE;

	/* the one DP monitor: DDI B, AUX B, integrated encoder, no TMDS/HDMI */
	img.child.handle = VBT_HANDLE_EFP2;
	img.child.device_type = VBT_DEVICE_TYPE_DP;
	img.child.dvo_port = VBT_DVO_PORT_DPB;
	img.child.aux_channel = VBT_DP_AUX_B;
	img.child.support = VBT_SUPPORT_DP;
	img.child.caps = VBT_CAPS_INTEGRATED_ENCODER;

	img.drv_features_hdr.id = BDB_DRIVER_FEATURES;
	img.drv_features_hdr.size = DRV_FEATURES_SIZE;

	for (i = 0; i < sizeof(img); i++)
		sum += ((const uint8_t *)&img)[i];
	img.vbt.vbt_checksum = (uint8_t)(0x100 - sum);
	gvt_memcpy(op + IGD_OPREGION_VBT_OFFSET, &img, sizeof(img));
}

const void *gvt_vgpu_opregion(struct gvt_vgpu *v)
{
	return v->opregion;
}
