// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu blitter tests through hostdrv: XY_COLOR_BLT, XY_SRC_COPY_BLT and
 * XY_FAST_COPY_BLT on linear, X- and Y-tiled surfaces, checked pixel by
 * pixel against a CPU reference of the tile layouts.
 */
#include <string.h>

#include "sgpu_test.h"

enum { W = 256, H = 64, PITCH = W * 4, SURF = PITCH * H };	/* 64 KiB */
enum { LIN = 0, TX = 1, TY = 2 };

/* CPU reference: byte offset of pixel (x, y) in a 32bpp surface */
static size_t px_off(int tiling, unsigned int x, unsigned int y)
{
	unsigned int xb = x * 4;

	switch (tiling) {
	case TX:	/* 4 KiB tiles of 8 rows x 512 bytes, row-major */
		return ((size_t)(y / 8) * (PITCH / 512) + xb / 512) * 4096 + (y % 8) * 512 + xb % 512;
	case TY:	/* 4 KiB tiles of 32 rows x 128 bytes in 16-byte columns */
		return ((size_t)(y / 32) * (PITCH / 128) + xb / 128) * 4096 +
		       (xb % 128) / 16 * 512 + (y % 32) * 16 + xb % 16;
	default:
		return (size_t)y * PITCH + xb;
	}
}

static uint32_t px(const struct hdrv_bo *bo, int tiling, unsigned int x, unsigned int y)
{
	uint32_t v;

	memcpy(&v, (uint8_t *)bo->mem.cpu + px_off(tiling, x, y), 4);
	return v;
}

static void set_px(struct hdrv_bo *bo, int tiling, unsigned int x, unsigned int y, uint32_t v)
{
	memcpy((uint8_t *)bo->mem.cpu + px_off(tiling, x, y), &v, 4);
}

static uint32_t pattern(unsigned int x, unsigned int y)
{
	return 0xA0000000u | (y << 12) | x;
}

static void fill_pattern(struct hdrv_bo *bo, int tiling)
{
	for (unsigned int y = 0; y < H; y++)
		for (unsigned int x = 0; x < W; x++)
			set_px(bo, tiling, x, y, pattern(x, y));
}

static void set_swctrl(struct hdrv_ctx *ctx, bool src_y, bool dst_y)
{
	/* BCS_SWCTRL is masked: bit0 source Y-tiled, bit1 destination Y-tiled */
	temit(ctx, 3, MI_LRI(1), BCS_SWCTRL,
	      (3u << 16) | (src_y ? 1u : 0) | (dst_y ? 2u : 0));
}

static uint32_t pitch_field(int tiling)
{
	return tiling == LIN ? PITCH : PITCH / 4;	/* tiled: in dwords */
}

static void color_blt_at(struct tenv *t, int tiling, unsigned int x1, unsigned int y1,
			 unsigned int x2, unsigned int y2)
{
	struct hdrv_ctx *ctx = tctx(t, HDRV_BCS);
	struct hdrv_bo dst;
	const uint32_t color = 0x00C0FFEE;

	tbo(t, &dst, SURF);
	memset(dst.mem.cpu, 0x11, SURF);
	if (tiling != LIN)
		set_swctrl(ctx, false, tiling == TY);
	temit(ctx, 7, XY_COLOR_BLT | BLT_WRITE_RGBA | (tiling != LIN ? BLT_DST_TILED : 0),
	      BR13_32BPP | ROP_PATCOPY | pitch_field(tiling), (y1 << 16) | x1, (y2 << 16) | x2,
	      (uint32_t)dst.gtt, 0, color);
	assert_int_equal(trun(t, ctx), 0);
	for (unsigned int y = 0; y < H; y++)
		for (unsigned int x = 0; x < W; x++) {
			bool in = x >= x1 && x < x2 && y >= y1 && y < y2;

			if (px(&dst, tiling, x, y) != (in ? color : 0x11111111u))
				fail_msg("tiling %d pixel (%u,%u) = 0x%08x", tiling, x, y,
					 px(&dst, tiling, x, y));
		}
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &dst);
}

static void color_blt(struct tenv *t, int tiling)
{
	color_blt_at(t, tiling, 10, 5, 150, 47);
}

static void test_color_blt_linear(void **state)
{
	color_blt(*state, LIN);
}

static void test_color_blt_xtiled(void **state)
{
	color_blt(*state, TX);
}

static void test_color_blt_ytiled(void **state)
{
	color_blt(*state, TY);
}

static void test_color_blt_8_and_16bpp(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_BCS);
	struct hdrv_bo dst;
	uint8_t *p;

	tbo(t, &dst, 4096);
	p = dst.mem.cpu;
	/* 8bpp: depth 0, pitch 64, rect x 3..9 rows 1..2 */
	temit(ctx, 7, XY_COLOR_BLT | BLT_WRITE_RGBA, ROP_PATCOPY | 64, (1u << 16) | 3,
	      (3u << 16) | 10, (uint32_t)dst.gtt, 0, 0xAB);
	/* 16bpp 565: depth 1, pitch 64, at row 8, x 2..5 */
	temit(ctx, 7, XY_COLOR_BLT | BLT_WRITE_RGBA, (1u << 24) | ROP_PATCOPY | 64, (8u << 16) | 2,
	      (9u << 16) | 6, (uint32_t)dst.gtt, 0, 0x1234);
	assert_int_equal(trun(t, ctx), 0);
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 64; x++)
			assert_int_equal(p[y * 64 + x], (y >= 1 && y < 3 && x >= 3 && x < 10) ? 0xAB : 0);
	for (int x = 0; x < 32; x++) {
		uint16_t v;

		memcpy(&v, p + 8 * 64 + 2 * x, 2);
		assert_int_equal(v, (x >= 2 && x < 6) ? 0x1234 : 0);
	}
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &dst);
}

/* copy the src rect at (sx,sy) to (dx,dy), w x h, with XY_SRC_COPY or FAST_COPY */
static void copy_blt_at(struct tenv *t, int st, int dt, bool fast, unsigned int sx,
			unsigned int sy, unsigned int dx, unsigned int dy, unsigned int w,
			unsigned int h)
{
	struct hdrv_ctx *ctx = tctx(t, HDRV_BCS);
	struct hdrv_bo src, dst;
	uint32_t hdr;

	tbo(t, &src, SURF);
	tbo(t, &dst, SURF);
	fill_pattern(&src, st);
	memset(dst.mem.cpu, 0x22, SURF);
	if (fast) {
		hdr = XY_FAST_COPY_BLT | ((uint32_t)st << 20) | ((uint32_t)dt << 13);
	} else {
		set_swctrl(ctx, st == TY, dt == TY);
		hdr = XY_SRC_COPY_BLT | BLT_WRITE_RGBA | (st != LIN ? BLT_SRC_TILED : 0) |
		      (dt != LIN ? BLT_DST_TILED : 0);
	}
	temit(ctx, 10, hdr, BR13_32BPP | (fast ? 0 : ROP_SRCCOPY) | pitch_field(dt),
	      (dy << 16) | dx, ((dy + h) << 16) | (dx + w), (uint32_t)dst.gtt, 0,
	      (sy << 16) | sx, pitch_field(st), (uint32_t)src.gtt, 0);
	assert_int_equal(trun(t, ctx), 0);
	for (unsigned int y = 0; y < H; y++)
		for (unsigned int x = 0; x < W; x++) {
			bool in = x >= dx && x < dx + w && y >= dy && y < dy + h;
			uint32_t want = in ? pattern(x - dx + sx, y - dy + sy) : 0x22222222u;

			if (px(&dst, dt, x, y) != want)
				fail_msg("src %d dst %d fast %d: pixel (%u,%u) = 0x%08x, want 0x%08x",
					 st, dt, fast, x, y, px(&dst, dt, x, y), want);
		}
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &src);
	hdrv_bo_destroy(t->gpu, &dst);
}

static void copy_blt(struct tenv *t, int st, int dt, bool fast)
{
	copy_blt_at(t, st, dt, fast, 7, 3, 40, 20, 150, 41);
}

/* rects on tile corners: whole tiles move 4 KiB at a time, edges row by row */
static void test_tile_aligned_copies_and_fills(void **state)
{
	struct tenv *t = *state;

	/* X tiles are 128 px x 8 rows at 32 bpp: one full column, 3 full rows + 5 */
	copy_blt_at(t, TX, TX, false, 0, 8, 128, 16, 128, 29);
	copy_blt_at(t, TX, TX, true, 128, 0, 0, 8, 128, 56);
	/* Y tiles are 32 px x 32 rows: 3 full columns + 10 px, 1 full row + 7 */
	copy_blt_at(t, TY, TY, false, 32, 0, 96, 0, 106, 39);
	copy_blt_at(t, TY, TY, true, 0, 32, 64, 0, 192, 32);
	/* same tiling but misaligned source: the row path */
	copy_blt_at(t, TY, TY, true, 3, 0, 64, 0, 100, 40);
	color_blt_at(t, TX, 128, 8, 256, 40);
	color_blt_at(t, TY, 32, 32, 200, 64);
}

static void test_src_copy_linear(void **state)
{
	copy_blt(*state, LIN, LIN, false);
}

static void test_src_copy_linear_to_xtiled(void **state)
{
	copy_blt(*state, LIN, TX, false);
}

static void test_src_copy_ytiled_to_linear(void **state)
{
	copy_blt(*state, TY, LIN, false);
}

static void test_src_copy_xtiled_to_ytiled(void **state)
{
	copy_blt(*state, TX, TY, false);
}

static void test_fast_copy_all_tilings(void **state)
{
	for (int s = LIN; s <= TY; s++)
		for (int d = LIN; d <= TY; d++)
			copy_blt(*state, s, d, true);
}

static void test_blit_fault_and_bad_pitch(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_BCS);
	struct sgpu_error se;

	/* destination beyond the 64 MiB GGTT this device manages: unmapped */
	temit(ctx, 7, XY_COLOR_BLT | BLT_WRITE_RGBA, BR13_32BPP | ROP_PATCOPY | PITCH, 0,
	      (4u << 16) | 4, 0x10000000, 0, 1);
	tpad(ctx);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_BCS, 5000), -EIO);
	sgpu_engine_error(t->sg, SGPU_BCS, &se);
	assert_non_null(strstr(se.reason, "blit fault"));
	assert_int_equal(se.fault_addr, 0x10000000);
	assert_int_equal(hdrv_engine_reset(t->gpu, HDRV_BCS), 0);
	hdrv_ctx_destroy(ctx);

	/* X-tiled with a pitch that is not a whole number of tiles */
	ctx = tctx(t, HDRV_BCS);
	temit(ctx, 7, XY_COLOR_BLT | BLT_WRITE_RGBA | BLT_DST_TILED, BR13_32BPP | ROP_PATCOPY | 100,
	      0, (4u << 16) | 4, 0x1000, 0, 1);
	tpad(ctx);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_BCS, 5000), -EIO);
	sgpu_engine_error(t->sg, SGPU_BCS, &se);
	assert_non_null(strstr(se.reason, "pitch"));
	assert_int_equal(hdrv_engine_reset(t->gpu, HDRV_BCS), 0);
	hdrv_ctx_destroy(ctx);
}

static void test_blit_on_render_is_an_error(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);

	temit(ctx, 7, XY_COLOR_BLT | BLT_WRITE_RGBA, BR13_32BPP | ROP_PATCOPY | PITCH, 0,
	      (4u << 16) | 4, 0x1000, 0, 1);
	tpad(ctx);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), -EIO);
	assert_int_equal(hdrv_engine_reset(t->gpu, HDRV_RCS), 0);
	hdrv_ctx_destroy(ctx);
}

#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, tenv_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_color_blt_linear, tenv_setup_poll),
		T(test_color_blt_xtiled, tenv_setup_poll),
		T(test_color_blt_ytiled, tenv_setup_irq),
		T(test_color_blt_8_and_16bpp, tenv_setup_poll),
		T(test_src_copy_linear, tenv_setup_poll),
		T(test_src_copy_linear_to_xtiled, tenv_setup_poll),
		T(test_src_copy_ytiled_to_linear, tenv_setup_poll),
		T(test_src_copy_xtiled_to_ytiled, tenv_setup_irq),
		T(test_fast_copy_all_tilings, tenv_setup_poll),
		T(test_tile_aligned_copies_and_fills, tenv_setup_poll),
		T(test_blit_fault_and_bad_pitch, tenv_setup_small_ggtt),
		T(test_blit_on_render_is_an_error, tenv_setup_poll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
