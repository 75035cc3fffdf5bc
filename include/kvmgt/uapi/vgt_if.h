/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PVINFO page ("struct vgt_if"): the paravirtual info page a GVT-g style
 * vGPU exposes at BAR0 offset 0x78000. Its layout is fixed by the guest
 * drivers already in the field (Linux i915_pvinfo.h, the Windows driver),
 * so every offset below is ABI and is checked by static_assert.
 *
 * Shared by the device model (host/gvt), the kernel module and the guest
 * tools. Fixed-width types only; no padding inferred by the compiler.
 */
#ifndef KVMGT_UAPI_VGT_IF_H
#define KVMGT_UAPI_VGT_IF_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#ifdef __cplusplus
#define VGT_IF_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define VGT_IF_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif

#define VGT_PVINFO_PAGE		0x78000u
#define VGT_PVINFO_SIZE		0x1000u

/* "vGTvGTvG" little-endian */
#define VGT_MAGIC		0x4776544776544776ull
#define VGT_VERSION_MAJOR	1
#define VGT_VERSION_MINOR	0

/* vgt_caps: bits 0 and 1 are not defined by the ABI */
#define VGT_CAPS_FULL_PPGTT	(1u << 2)	/* isolated full PPGTT per context */
#define VGT_CAPS_HWSP_EMULATION	(1u << 3)	/* per-engine HWSP is emulated */
#define VGT_CAPS_HUGE_GTT	(1u << 4)	/* 64K pages in the PPGTT */

/* g2v_notify values (guest -> host doorbell, consumes pdp[]) */
enum vgt_g2v_type {
	VGT_G2V_PPGTT_L3_PAGE_TABLE_CREATE = 2,
	VGT_G2V_PPGTT_L3_PAGE_TABLE_DESTROY = 3,
	VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE = 4,
	VGT_G2V_PPGTT_L4_PAGE_TABLE_DESTROY = 5,
	VGT_G2V_EXECLIST_CONTEXT_CREATE = 6,
	VGT_G2V_EXECLIST_CONTEXT_DESTROY = 7,
	VGT_G2V_MAX = 8,
};

#define VGT_DRV_DISPLAY_NOT_READY	0
#define VGT_DRV_DISPLAY_READY		1

struct vgt_if_gmadr {
	uint32_t base;
	uint32_t size;
} __attribute__((packed));

struct vgt_if_pdp {
	uint32_t lo;
	uint32_t hi;
} __attribute__((packed));

struct vgt_if {
	uint64_t magic;			/* 0x000: VGT_MAGIC */
	uint16_t version_major;		/* 0x008 */
	uint16_t version_minor;		/* 0x00a */
	uint32_t vgt_id;		/* 0x00c: vGPU id */
	uint32_t vgt_caps;		/* 0x010: VGT_CAPS_* */
	uint32_t rsv1[11];		/* 0x014 */
	struct {
		struct vgt_if_gmadr mappable_gmadr;	/* 0x040: aperture */
		struct vgt_if_gmadr nonmappable_gmadr;	/* 0x048: hidden GM */
		uint32_t fence_num;			/* 0x050 */
	} __attribute__((packed)) avail_rs;
	uint32_t rsv2[3];		/* 0x054 */
	uint32_t rsv3[0x200 - 24];	/* 0x060: pad to the half page */
	/* guest -> host half */
	uint32_t rsv4;			/* 0x800 */
	uint32_t display_ready;		/* 0x804: VGT_DRV_DISPLAY_* */
	uint32_t rsv5[4];		/* 0x808 */
	uint32_t g2v_notify;		/* 0x818: enum vgt_g2v_type */
	uint32_t rsv6[5];		/* 0x81c */
	uint32_t cursor_x_hot;		/* 0x830 */
	uint32_t cursor_y_hot;		/* 0x834 */
	struct vgt_if_pdp pdp[4];	/* 0x838: PPGTT roots for g2v */
	uint32_t execlist_context_descriptor_lo;	/* 0x858 */
	uint32_t execlist_context_descriptor_hi;	/* 0x85c */
	uint32_t rsv7[0x200 - 24];	/* 0x860: pad to 4096 */
} __attribute__((packed));

#define VGT_IF_OFF(f)	((uint32_t)__builtin_offsetof(struct vgt_if, f))

VGT_IF_STATIC_ASSERT(sizeof(struct vgt_if) == VGT_PVINFO_SIZE, "vgt_if size");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(version_major) == 0x008, "version_major");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(version_minor) == 0x00a, "version_minor");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(vgt_id) == 0x00c, "vgt_id");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(vgt_caps) == 0x010, "vgt_caps");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(avail_rs.mappable_gmadr.base) == 0x040, "mbase");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(avail_rs.mappable_gmadr.size) == 0x044, "msize");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(avail_rs.nonmappable_gmadr.base) == 0x048, "ubase");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(avail_rs.nonmappable_gmadr.size) == 0x04c, "usize");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(avail_rs.fence_num) == 0x050, "fence_num");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(rsv4) == 0x800, "g2v half");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(display_ready) == 0x804, "display_ready");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(g2v_notify) == 0x818, "g2v_notify");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(cursor_x_hot) == 0x830, "cursor_x_hot");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(cursor_y_hot) == 0x834, "cursor_y_hot");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(pdp) == 0x838, "pdp");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(execlist_context_descriptor_lo) == 0x858, "ctx lo");
VGT_IF_STATIC_ASSERT(VGT_IF_OFF(execlist_context_descriptor_hi) == 0x85c, "ctx hi");

#endif /* KVMGT_UAPI_VGT_IF_H */
