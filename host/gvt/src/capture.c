// SPDX-License-Identifier: GPL-2.0-only
/*
 * Screenshots: read the primary plane's surface through the vGPU's GGTT,
 * detile it and convert it to 0x00RRGGBB.
 *
 * Tile layouts (Gen9, no bit-6 swizzling): an X tile is 512 bytes x 8 rows,
 * row-major inside; a Y tile is 128 bytes x 32 rows made of 16-byte columns,
 * each column 32 rows tall (column-major OWords). Tiles follow each other
 * left to right, stride / tile width tiles per tile row.
 */
#include "gvt_internal.h"

#define CAPTURE_MAX_SPAN	(256ull << 20)

static uint64_t byte_offset(const struct gvt_plane_info *p, uint64_t xb, uint64_t y)
{
	uint64_t tiles_per_row;

	switch (p->tiling) {
	case GVT_TILING_X:
		tiles_per_row = p->stride / 512;
		return ((y / 8) * tiles_per_row + xb / 512) * 4096 + (y % 8) * 512 + xb % 512;
	case GVT_TILING_Y:
		tiles_per_row = p->stride / 128;
		return ((y / 32) * tiles_per_row + xb / 128) * 4096 +
		       ((xb % 128) / 16) * 512 + (y % 32) * 16 + xb % 16;
	default:
		return y * p->stride + xb;
	}
}

static uint32_t to_xrgb(uint32_t fourcc, const uint8_t *px, unsigned int bytes)
{
	uint32_t v = (uint32_t)gvt_get_le(px, bytes);
	uint32_t r, g, b;

	switch (fourcc) {
	case GVT_FMT_XRGB8888:
	case GVT_FMT_ARGB8888:
		return v & 0xffffff;
	case GVT_FMT_XBGR8888:
	case GVT_FMT_ABGR8888:
		return ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff);
	case GVT_FMT_XRGB2101010:
		return (((v >> 22) & 0xff) << 16) | (((v >> 12) & 0xff) << 8) | ((v >> 2) & 0xff);
	case GVT_FMT_XBGR2101010:
		return (((v >> 2) & 0xff) << 16) | (((v >> 12) & 0xff) << 8) | ((v >> 22) & 0xff);
	case GVT_FMT_RGB565:
		v &= 0xffff;
		r = (v >> 11) & 0x1f;
		g = (v >> 5) & 0x3f;
		b = v & 0x1f;
		return ((r << 3 | r >> 2) << 16) | ((g << 2 | g >> 4) << 8) | (b << 3 | b >> 2);
	default:
		return 0;
	}
}

int gvt_display_capture(struct gvt_vgpu *v, unsigned int pipe, uint32_t *dst,
			size_t dst_stride, unsigned int max_w, unsigned int max_h,
			struct gvt_plane_info *info)
{
	struct gvt_plane_info p;
	unsigned int w, h, x, y, bytes;
	uint8_t *surf;
	int ret;

	if (!dst || dst_stride < (size_t)max_w * 4)
		return -EINVAL;
	ret = gvt_display_get_plane(v, pipe, GVT_PLANE_PRIMARY, &p);
	if (ret)
		return ret;
	if (info)
		*info = p;
	if (!p.enabled)
		return -ENODEV;
	if (!p.fourcc || p.fourcc == GVT_FMT_C8 || p.tiling == GVT_TILING_YF ||
	    (p.tiling != GVT_TILING_LINEAR && p.tiling != GVT_TILING_X &&
	     p.tiling != GVT_TILING_Y))
		return -ENOTSUP;
	if (!p.size || p.size > CAPTURE_MAX_SPAN)
		return -E2BIG;
	bytes = p.bpp / 8;
	w = GVT_MIN(p.width, max_w);
	h = GVT_MIN(p.height, max_h);
	/* the visible rectangle must lie inside the surface the plane spans */
	if ((uint64_t)(p.x_offset + w) * bytes > p.stride)
		return -EINVAL;

	surf = gvt_zalloc(p.size);
	if (!surf)
		return -ENOMEM;
	gvt_mutex_lock(&v->lock);
	ret = gvt_gm_rw(v, p.ggtt_base, surf, p.size, false);
	gvt_mutex_unlock(&v->lock);
	if (ret)
		goto out_free;
	for (y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)dst + (size_t)y * dst_stride);

		for (x = 0; x < w; x++) {
			uint64_t o = byte_offset(&p, (uint64_t)(p.x_offset + x) * bytes,
						 p.y_offset + y);

			row[x] = o + bytes <= p.size ? to_xrgb(p.fourcc, surf + o, bytes) : 0;
		}
	}
out_free:
	gvt_free(surf);
	return ret;
}
