// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu blitter (BCS): XY_COLOR_BLT, XY_SRC_COPY_BLT (PRM vol 2a, gen8+
 * 64-bit address layouts; Y-tiling chosen through BCS_SWCTRL) and
 * XY_FAST_COPY_BLT (tiling types in dw0). Surfaces are linear, X-tiled
 * (512 B x 8 rows) or legacy Y-tiled (128 B x 32 rows of 16 B OWord
 * columns); no bit-6 swizzling (gen9). Copies are done in runs that are
 * contiguous in both surfaces, each split at page boundaries and translated
 * once, so the fast path is memmove.
 */
#include "sgpu_internal.h"

#define XY_FAST_COPY_BLT	0x42
#define XY_SRC_COPY_BLT		0x53
#define XY_COLOR_BLT		0x54
#define BLT_SRC_TILED		(1u << 15)
#define BLT_DST_TILED		(1u << 11)
#define BCS_SRC_Y		(1u << 0)
#define BCS_DST_Y		(1u << 1)
#define BLT_MAX_BYTES		(64u << 20)	/* per command; bigger = malformed */

enum tiling { LINEAR = 0, TILE_X = 1, TILE_Y = 2 };

struct surf {
	uint64_t base;
	uint32_t pitch;		/* bytes */
	enum tiling tiling;
	bool ppgtt;
};

/* offset of byte column xb in row y, and bytes contiguous from there */
static uint64_t surf_off(const struct surf *s, uint32_t xb, uint32_t y, uint32_t *run)
{
	uint64_t tile;

	switch (s->tiling) {
	case TILE_X:
		tile = (uint64_t)(y / 8) * (s->pitch / 512) + xb / 512;
		*run = 512 - xb % 512;
		return tile * 4096 + (y % 8) * 512 + xb % 512;
	case TILE_Y:
		tile = (uint64_t)(y / 32) * (s->pitch / 128) + xb / 128;
		*run = 16 - xb % 16;
		return tile * 4096 + ((xb % 128) / 16) * 512 + (y % 32) * 16 + xb % 16;
	default:
		*run = UINT32_MAX;
		return (uint64_t)y * s->pitch + xb;
	}
}

static int blt_fault(struct sgpu_engine *eng, uint32_t hdr, uint64_t gva, bool ppgtt)
{
	sgpu_fault(eng, gva, ppgtt);
	sgpu_engine_fail(eng, EIR_PAGE_TABLE, hdr, gva, "blit fault at %s 0x%llx",
			 ppgtt ? "ppgtt" : "ggtt", (unsigned long long)gva);
	return -EFAULT;
}

/*
 * Bytes of a row from byte column xb that stay inside one page: a tile row
 * span (tiles are 4 KiB and tile aligned), or up to the page end (linear).
 */
static uint32_t page_span(const struct surf *s, uint32_t xb, uint32_t y)
{
	uint32_t run;
	uint64_t off = surf_off(s, xb, y, &run);

	switch (s->tiling) {
	case TILE_X:
		return 512 - xb % 512;
	case TILE_Y:
		return 128 - xb % 128;
	default:
		return 4096 - (uint32_t)((s->base + off) & 0xFFF);
	}
}

/* host address of the page holding (xb, y); *pg = its graphics address */
static uint8_t *page_of(struct sgpu_engine *eng, uint32_t hdr, const struct surf *s, uint32_t xb,
			uint32_t y, uint64_t *pg)
{
	uint32_t run, avail;
	uint64_t gva = s->base + surf_off(s, xb, y, &run);
	uint8_t *p = sgpu_xlate(eng, gva, s->ppgtt, &avail);

	if (!p) {
		blt_fault(eng, hdr, gva, s->ppgtt);
		return NULL;
	}
	*pg = gva & ~0xFFFull;
	return p - (gva & 0xFFF);
}

static void fill(uint8_t *p, uint32_t n, uint32_t color, uint32_t cpp, uint32_t phase)
{
	if (cpp == 4 && !phase && !((uintptr_t)p & 3)) {
		uint32_t *q = (uint32_t *)(void *)p;

		for (uint32_t i = 0; i < n / 4; i++)
			q[i] = color;
		p += n & ~3u;
		n &= 3;
	}
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(color >> (8 * ((phase + i) % cpp)));
}

static int check_surf(struct sgpu_engine *eng, uint32_t hdr, const struct surf *s)
{
	uint32_t tw = s->tiling == TILE_X ? 512 : s->tiling == TILE_Y ? 128 : 1;

	if (!s->pitch || s->pitch % tw) {
		sgpu_engine_fail(eng, 0, hdr, 0, "blit pitch %u invalid for tiling %d",
				 s->pitch, s->tiling);
		return -EINVAL;
	}
	if (s->tiling != LINEAR && (s->base & 0xFFF)) {
		sgpu_engine_fail(eng, 0, hdr, 0, "tiled surface 0x%llx not tile aligned",
				 (unsigned long long)s->base);
		return -EINVAL;
	}
	return 0;
}

/* offset inside the (tile) page of byte column xb of row y, and bytes contiguous from it */
static inline uint32_t in_page(const struct surf *s, uint32_t xb, uint32_t y, uint32_t *run)
{
	switch (s->tiling) {
	case TILE_X:
		*run = 512 - (xb & 511);
		return (y & 7) * 512 + (xb & 511);
	case TILE_Y:
		*run = 16 - (xb & 15);
		return ((xb & 127) >> 4) * 512 + (y & 31) * 16 + (xb & 15);
	default:
		*run = UINT32_MAX;
		return (uint32_t)((s->base + (uint64_t)y * s->pitch + xb) & 0xFFF);
	}
}

/* one row segment inside one page of each surface */
static int blit_seg(struct sgpu_engine *eng, uint32_t hdr, const struct surf *d, uint32_t dxb,
		    uint32_t dy, const struct surf *s, uint32_t sxb, uint32_t sy, uint32_t n,
		    uint32_t cpp, bool is_fill, uint32_t color, uint32_t phase)
{
	uint64_t dpg, spg;
	uint8_t *dp, *sp = NULL;
	uint32_t k = 0;

	dp = page_of(eng, hdr, d, dxb, dy, &dpg);
	if (!dp)
		return -EFAULT;
	if (!is_fill) {
		sp = page_of(eng, hdr, s, sxb, sy, &spg);
		if (!sp)
			return -EFAULT;
	}
	while (k < n) {
		uint32_t dr, sr = UINT32_MAX, m = n - k;
		uint8_t *dst = dp + in_page(d, dxb + k, dy, &dr), *src = NULL;

		if (!is_fill)
			src = sp + in_page(s, sxb + k, sy, &sr);
		if (m > dr)
			m = dr;
		if (m > sr)
			m = sr;
		if (is_fill) {
			fill(dst, m, color, cpp, (phase + k) % cpp);
		} else if (m == 16) {
			/* a Y-tile OWord: load both halves first (overlap safe) */
			uint64_t a, b;

			memcpy(&a, src, 8);
			memcpy(&b, src + 8, 8);
			memcpy(dst, &a, 8);
			memcpy(dst + 8, &b, 8);
		} else {
			memmove(dst, src, m);
		}
		k += m;
	}
	return 0;
}

/* bytes from gva (up to max) that are contiguous in host memory; 0 = fault */
static uint32_t host_span(struct sgpu_engine *eng, uint32_t hdr, const struct surf *s, uint64_t gva,
			  uint32_t max, uint8_t **p)
{
	uint32_t len, avail;

	*p = sgpu_xlate(eng, gva, s->ppgtt, &len);
	if (!*p) {
		blt_fault(eng, hdr, gva, s->ppgtt);
		return 0;
	}
	while (len < max) {
		uint8_t *q = sgpu_xlate(eng, gva + len, s->ppgtt, &avail);

		if (q != *p + len)
			break;	/* fault or discontiguous: the next segment reports it */
		len += avail;
	}
	return len < max ? len : max;
}

/* both surfaces linear: whole host-contiguous runs, rows merged when dense */
static int blit_linear(struct sgpu_engine *eng, uint32_t hdr, const struct surf *d, uint32_t dxb,
		       uint32_t dy, const struct surf *s, uint32_t sxb, uint32_t sy, uint32_t row,
		       uint32_t h, uint32_t cpp, bool is_fill, uint32_t color)
{
	if (row == d->pitch && (is_fill || row == s->pitch) && !dxb && !sxb) {
		row *= h;
		h = 1;
	}
	for (uint32_t y = 0; y < h; y++) {
		uint64_t dg = d->base + (uint64_t)(dy + y) * d->pitch + dxb;
		uint64_t sg = is_fill ? 0 : s->base + (uint64_t)(sy + y) * s->pitch + sxb;
		uint32_t x = 0;

		while (x < row) {
			uint8_t *dp, *sp;
			uint32_t n = host_span(eng, hdr, d, dg + x, row - x, &dp);

			if (!n)
				return -EFAULT;
			if (is_fill) {
				fill(dp, n, color, cpp, x % cpp);
			} else {
				n = host_span(eng, hdr, s, sg + x, n, &sp);
				if (!n)
					return -EFAULT;
				memmove(dp, sp, n);
			}
			x += n;
		}
	}
	return 0;
}

/* both rects start on a tile corner of the same tiling and pitch (or a fill) */
static bool same_tile_layout(const struct surf *d, uint32_t dxb, uint32_t dy, const struct surf *s,
			     uint32_t sxb, uint32_t sy)
{
	uint32_t tw = d->tiling == TILE_X ? 512 : 128, th = d->tiling == TILE_X ? 8 : 32;

	if (d->tiling == LINEAR || dxb % tw || dy % th)
		return false;
	if (!s)
		return true;
	return s->tiling == d->tiling && s->pitch == d->pitch && !(sxb % tw) && !(sy % th);
}

static int blit_tiles(struct sgpu_engine *eng, uint32_t hdr, const struct surf *d, uint32_t dxb,
		      uint32_t dy, const struct surf *s, uint32_t sxb, uint32_t sy, uint32_t cols,
		      uint32_t rows, bool is_fill, uint32_t color, uint32_t cpp)
{
	uint32_t tw = d->tiling == TILE_X ? 512 : 128, th = d->tiling == TILE_X ? 8 : 32;

	for (uint32_t r = 0; r < rows; r++) {
		for (uint32_t c = 0; c < cols; c++) {
			uint64_t dpg, spg;
			uint8_t *dp = page_of(eng, hdr, d, dxb + c * tw, dy + r * th, &dpg), *sp;

			if (!dp)
				return -EFAULT;
			if (is_fill) {
				fill(dp, 4096, color, cpp, 0);
				continue;
			}
			sp = page_of(eng, hdr, s, sxb + c * tw, sy + r * th, &spg);
			if (!sp)
				return -EFAULT;
			memmove(dp, sp, 4096);
		}
	}
	return 0;
}

/* rect: dw = y1<<16 | x1, dw+1 = y2<<16 | x2 (exclusive) */
static int blit(struct sgpu_engine *eng, uint32_t hdr, const struct surf *d, uint32_t dxy1,
		uint32_t dxy2, const struct surf *s, uint32_t sxy1, uint32_t cpp, bool is_fill,
		uint32_t color)
{
	uint32_t dx1 = dxy1 & 0xFFFF, dy1 = dxy1 >> 16, dx2 = dxy2 & 0xFFFF, dy2 = dxy2 >> 16;
	uint32_t sx1 = sxy1 & 0xFFFF, sy1 = sxy1 >> 16;
	uint32_t w, h, row, full_rows, full_cols;
	uint64_t bytes;

	if (dx2 <= dx1 || dy2 <= dy1)
		return 0;	/* empty rectangle: nothing to do */
	/* coordinates are signed 16-bit in the PRM; negative ones are not modelled */
	if ((dx2 | dy2 | sx1 | sy1) & 0x8000) {
		sgpu_engine_fail(eng, 0, hdr, 0, "negative blit coordinates");
		return -EINVAL;
	}
	w = dx2 - dx1;
	h = dy2 - dy1;
	bytes = (uint64_t)w * h * cpp;
	if (bytes > BLT_MAX_BYTES) {
		sgpu_engine_fail(eng, 0, hdr, 0, "blit of %llu bytes too large",
				 (unsigned long long)bytes);
		return -EINVAL;
	}
	if (check_surf(eng, hdr, d) || (!is_fill && check_surf(eng, hdr, s)))
		return -EINVAL;
	row = w * cpp;
	if (d->tiling == LINEAR && (is_fill || s->tiling == LINEAR)) {
		if (blit_linear(eng, hdr, d, dx1 * cpp, dy1, s, sx1 * cpp, sy1, row, h, cpp,
				is_fill, color))
			return -EFAULT;
		goto out_account;
	}
	/* whole tiles with the same layout on both sides: 4 KiB at a time */
	full_rows = full_cols = 0;
	if (same_tile_layout(d, dx1 * cpp, dy1, is_fill ? NULL : s, sx1 * cpp, sy1)) {
		uint32_t tw = d->tiling == TILE_X ? 512 : 128, th = d->tiling == TILE_X ? 8 : 32;

		full_cols = row / tw;
		full_rows = h / th;
		if (full_cols && full_rows &&
		    blit_tiles(eng, hdr, d, dx1 * cpp, dy1, s, sx1 * cpp, sy1, full_cols, full_rows,
			       is_fill, color, cpp))
			return -EFAULT;
		full_cols *= tw;
		full_rows *= th;
	}
	for (uint32_t y = 0; y < h; y++) {
		uint32_t x = y < full_rows ? full_cols : 0;

		while (x < row) {
			uint32_t dxb = dx1 * cpp + x, sxb = sx1 * cpp + x, n = row - x, lim;

			lim = page_span(d, dxb, dy1 + y);
			if (n > lim)
				n = lim;
			if (!is_fill) {
				lim = page_span(s, sxb, sy1 + y);
				if (n > lim)
					n = lim;
			}
			if (blit_seg(eng, hdr, d, dxb, dy1 + y, s, sxb, sy1 + y, n, cpp, is_fill,
				     color, x % cpp))
				return -EFAULT;
			x += n;
		}
	}
out_account:
	eng->gpu->st.blit_bytes += bytes;
	bytes = bytes * 1000 / eng->gpu->cfg.blit_mb_per_s;	/* modelled ns */
	eng->model_ns += bytes;
	sgpu_cur(eng)->busy_ns += bytes;
	return 0;
}

static uint32_t xy_cpp(uint32_t br13)
{
	static const uint32_t cpp[4] = { 1, 2, 2, 4 };

	return cpp[(br13 >> 24) & 3];
}

static inline uint64_t addr48(uint32_t lo, uint32_t hi)
{
	return ((uint64_t)(hi & 0xFFFF) << 32) | lo;
}

int sgpu_blt_exec(struct sgpu_engine *eng, const uint32_t *cmd, uint32_t len, bool ppgtt)
{
	uint32_t hdr = cmd[0], op = (hdr >> 22) & 0x7F;
	uint32_t swctrl = *ereg(eng, R_BCS_SWCTRL);
	struct surf d = { .ppgtt = ppgtt }, s = { .ppgtt = ppgtt };
	uint32_t cpp;

	switch (op) {
	case XY_COLOR_BLT:
		if (len != 7)
			break;
		d.base = addr48(cmd[4], cmd[5]);
		d.tiling = !(hdr & BLT_DST_TILED) ? LINEAR : (swctrl & BCS_DST_Y) ? TILE_Y : TILE_X;
		d.pitch = (cmd[1] & 0xFFFF) * (d.tiling ? 4 : 1);
		return blit(eng, hdr, &d, cmd[2], cmd[3], NULL, 0, xy_cpp(cmd[1]), true, cmd[6]);
	case XY_SRC_COPY_BLT:
		if (len != 10)
			break;
		d.base = addr48(cmd[4], cmd[5]);
		d.tiling = !(hdr & BLT_DST_TILED) ? LINEAR : (swctrl & BCS_DST_Y) ? TILE_Y : TILE_X;
		d.pitch = (cmd[1] & 0xFFFF) * (d.tiling ? 4 : 1);
		s.base = addr48(cmd[8], cmd[9]);
		s.tiling = !(hdr & BLT_SRC_TILED) ? LINEAR : (swctrl & BCS_SRC_Y) ? TILE_Y : TILE_X;
		s.pitch = (cmd[7] & 0xFFFF) * (s.tiling ? 4 : 1);
		return blit(eng, hdr, &d, cmd[2], cmd[3], &s, cmd[6], xy_cpp(cmd[1]), false, 0);
	case XY_FAST_COPY_BLT: {
		static const uint32_t fcpp[8] = { 1, 2, 0, 4, 8, 16, 0, 0 };
		uint32_t st = (hdr >> 20) & 3, dt = (hdr >> 13) & 3;

		if (len != 10)
			break;
		cpp = fcpp[(cmd[1] >> 24) & 7];
		if (!cpp || st == 3 || dt == 3 || (cmd[1] >> 30)) {
			/* Ys / Yf tiling and odd depths are not modelled */
			eng->gpu->st.unsupported++;
			sgpu_engine_fail(eng, 0, hdr, 0, "fast copy mode not modelled");
			return -EINVAL;
		}
		d.base = addr48(cmd[4], cmd[5]);
		d.tiling = (enum tiling)dt;
		d.pitch = (cmd[1] & 0xFFFF) * (dt ? 4 : 1);
		s.base = addr48(cmd[8], cmd[9]);
		s.tiling = (enum tiling)st;
		s.pitch = (cmd[7] & 0xFFFF) * (st ? 4 : 1);
		return blit(eng, hdr, &d, cmd[2], cmd[3], &s, cmd[6], cpp, false, 0);
	}
	default:
		eng->gpu->st.unsupported++;
		return 0;	/* other 2D commands: skipped by length */
	}
	sgpu_engine_fail(eng, 0, hdr, 0, "blit opcode 0x%x with bad length %u", op, len);
	return -EINVAL;
}
