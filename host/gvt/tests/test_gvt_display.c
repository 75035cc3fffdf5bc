// SPDX-License-Identifier: GPL-2.0-only
/* Virtual display: handshakes, DP AUX/DPCD/EDID, vblank, flips, planes. */
#include <errno.h>
#include <string.h>

#include "gvt_test_util.h"

#define AUX_B	1

static void test_power_and_plls(void **state)
{
	struct fake_ctx *c = *state;

	/* DC_STATE_EN reads back what was written */
	wr32(c->v, 0x45504, 0);
	assert_int_equal(rd32(c->v, 0x45504), 0);
	wr32(c->v, 0x45504, 2);
	assert_int_equal(rd32(c->v, 0x45504), 2);
	/* PW1 (idx 14: req b29, state b28) and MISC IO (req b1, state b0) */
	assert_int_equal(rd32(c->v, 0x42000) & (1u << 27), 1u << 27);	/* PG0 */
	wr32(c->v, 0x45404, (1u << 29) | (1u << 1));
	assert_int_equal(rd32(c->v, 0x45404), (1u << 29) | (1u << 28) | (1u << 1) | 1u);
	/* PW2 requested by the BIOS register shows in the driver register */
	wr32(c->v, 0x45400, 1u << 31);
	assert_true(rd32(c->v, 0x45404) & (1u << 30));
	wr32(c->v, 0x45400, 0);
	assert_false(rd32(c->v, 0x45404) & (1u << 30));
	/* LCPLL1 (DPLL0) lock follows enable */
	wr32(c->v, 0x46010, 1u << 31);
	assert_int_equal(rd32(c->v, 0x46010), (1u << 31) | (1u << 30));
	assert_true(rd32(c->v, 0x6c060) & 1);
	wr32(c->v, 0x46010, 0);
	assert_int_equal(rd32(c->v, 0x46010) & (1u << 30), 0);
	/* DPLL1 = LCPLL2, DPLL2/3 = WRPLL1/2: DPLL_STATUS lock bits */
	wr32(c->v, 0x46014, 1u << 31);
	wr32(c->v, 0x46040, 1u << 31);
	wr32(c->v, 0x46060, 1u << 31);
	assert_int_equal(rd32(c->v, 0x6c060), (1u << 8) | (1u << 16) | (1u << 24));
	/* DBUF */
	wr32(c->v, 0x45008, 1u << 31);
	assert_int_equal(rd32(c->v, 0x45008), (1u << 31) | (1u << 30));
	/* DDI buffer idle = !enable, DP_TP idle done */
	assert_true(rd32(c->v, 0x64100) & (1u << 7));
	wr32(c->v, 0x64100, 1u << 31);
	assert_false(rd32(c->v, 0x64100) & (1u << 7));
	wr32(c->v, 0x64140, (1u << 31) | (2u << 8));
	assert_true(rd32(c->v, 0x64144) & (1u << 25));
	wr32(c->v, 0x64140, (1u << 31) | (3u << 8));
	assert_false(rd32(c->v, 0x64144) & (1u << 25));
	/* transcoder state follows enable */
	wr32(c->v, 0x70008, 1u << 31);
	assert_int_equal(rd32(c->v, 0x70008), (1u << 31) | (1u << 30));
	wr32(c->v, 0x70008, 0);
	assert_int_equal(rd32(c->v, 0x70008), 0);
	wr32(c->v, 0x7f008, 1u << 31);
	assert_true(rd32(c->v, 0x7f008) & (1u << 30));
}

static void test_hpd_live(void **state)
{
	struct fake_ctx *c = *state;

	assert_true(rd32(c->v, 0xc4000) & (1u << 21));		/* port B */
	assert_false(rd32(c->v, 0xc4000) & (1u << 22));
	gvt_display_set_connected(c->v, false);
	assert_false(rd32(c->v, 0xc4000) & (1u << 21));
	assert_int_equal(aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x90, 0, 0, 0 }, 4, NULL),
			 -ETIMEDOUT);
}

static void test_aux_dpcd(void **state)
{
	struct fake_ctx *c = *state;
	uint8_t rx[20];
	int n;

	/* native read of the 15 capability bytes */
	n = aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x90, 0x00, 0x00, 14 }, 4, rx);
	assert_int_equal(n, 16);
	assert_int_equal(rx[0], 0);		/* ACK */
	assert_int_equal(rx[1], 0x12);		/* DP 1.2 */
	assert_int_equal(rx[2], 0x0a);		/* HBR */
	assert_int_equal(rx[3], 0x84);		/* 4 lanes, enhanced framing */
	assert_int_equal(rx[6], 0x00);		/* no downstream port */
	/* MST capability 0 */
	n = aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x90, 0x00, 0x21, 0 }, 4, rx);
	assert_int_equal(n, 2);
	assert_int_equal(rx[1], 0);
	/* link training: write config, read status at 0x202 */
	n = aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x80, 0x01, 0x00, 1, 0x0a, 0x84 }, 6, rx);
	assert_int_equal(n, 1);
	assert_int_equal(rx[0], 0);
	n = aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x80, 0x01, 0x02, 0, 0x21 }, 5, rx);
	n = aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x90, 0x01, 0x00, 1 }, 4, rx);
	assert_int_equal(n, 3);
	assert_int_equal(rx[1], 0x0a);
	assert_int_equal(rx[2], 0x84);
	n = aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x90, 0x02, 0x02, 5 }, 4, rx);
	assert_int_equal(n, 7);
	assert_int_equal(rx[1], 0x77);
	assert_int_equal(rx[2], 0x77);
	assert_int_equal(rx[3], 0x01);
	assert_int_equal(rx[5], 0);
	/* status registers are not guest-writable */
	aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x80, 0x02, 0x02, 0, 0x00 }, 5, rx);
	aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x90, 0x02, 0x02, 0 }, 4, rx);
	assert_int_equal(rx[1], 0x77);
	/* other AUX channels: nothing answers */
	assert_int_equal(aux_xfer(c->v, 0, (const uint8_t[]){ 0x90, 0, 0, 0 }, 4, rx),
			 -ETIMEDOUT);
	assert_int_equal(aux_xfer(c->v, 3, (const uint8_t[]){ 0x90, 0, 0, 0 }, 4, rx),
			 -ETIMEDOUT);
}

/* The EDID read the way drm_dp_i2c_xfer does it: start, offset, 16-byte reads, stop. */
static void read_edid_over_aux(struct gvt_vgpu *v, uint8_t *edid)
{
	uint8_t rx[20];
	int n;

	n = aux_xfer(v, AUX_B, (const uint8_t[]){ 0x40, 0, 0x50 }, 3, rx);	/* MOT start */
	assert_int_equal(n, 1);
	assert_int_equal(rx[0], 0);
	n = aux_xfer(v, AUX_B, (const uint8_t[]){ 0x40, 0, 0x50, 0, 0 }, 5, rx);	/* offset 0 */
	assert_int_equal(rx[0], 0);
	for (int off = 0; off < 128; off += 16) {
		n = aux_xfer(v, AUX_B, (const uint8_t[]){ 0x50, 0, 0x50, 15 }, 4, rx);
		assert_int_equal(n, 17);
		assert_int_equal(rx[0], 0);
		memcpy(edid + off, rx + 1, 16);
	}
	n = aux_xfer(v, AUX_B, (const uint8_t[]){ 0x10, 0, 0x50 }, 3, rx);	/* stop */
	assert_int_equal(rx[0], 0);
}

static void test_aux_edid(void **state)
{
	struct fake_ctx *c = *state;
	uint8_t edid[128], exp[128], rx[20];

	read_edid_over_aux(c->v, edid);
	assert_int_equal(gvt_edid_generate(1920, 1200, exp), 0);
	assert_memory_equal(edid, exp, 128);
	assert_int_equal(gvt_display_get_edid(c->v, exp, sizeof(exp)), 128);
	assert_memory_equal(edid, exp, 128);
	/* preferred detailed timing: 1920x1200, 154 MHz */
	assert_int_equal(edid[54] | edid[55] << 8, 15400);
	assert_int_equal(edid[56] | (edid[58] >> 4) << 8, 1920);
	assert_int_equal(edid[59] | (edid[61] >> 4) << 8, 1200);
	/* DP++ dual-mode probe (0x40) and others NAK */
	assert_int_equal(aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x50, 0, 0x40, 0 }, 4, rx), 1);
	assert_int_equal(rx[0], 0x40);
	assert_int_equal(aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x40, 0, 0x37 }, 3, rx), 1);
	assert_int_equal(rx[0], 0x40);
}

static void test_edid_generate_and_replace(void **state)
{
	struct fake_ctx *c = *state;
	uint8_t e[256], got[128];

	assert_int_equal(gvt_edid_generate(1024, 768, e), 0);
	assert_true(gvt_edid_valid(e, 128));
	assert_int_equal(e[54] | e[55] << 8, 6500);
	assert_int_equal(gvt_edid_generate(1920, 1200, e), 0);
	assert_true(gvt_edid_valid(e, 128));
	assert_int_equal(gvt_edid_generate(800, 600, e), -EINVAL);

	/* invalid replacements change nothing */
	assert_int_equal(gvt_edid_generate(1024, 768, e), 0);
	e[100] ^= 1;
	assert_int_equal(gvt_display_set_edid(c->v, e, 128), -EINVAL);
	e[100] ^= 1;
	assert_int_equal(gvt_display_set_edid(c->v, e, 100), -EINVAL);
	assert_int_equal(gvt_display_set_edid(c->v, e, 256), -EINVAL);	/* ext count 0 */
	gvt_display_get_edid(c->v, got, sizeof(got));
	assert_int_equal(got[54] | got[55] << 8, 15400);
	/* a valid one is served and signalled as a hotplug */
	wr32(c->v, 0xc4030, 1u << 4);		/* port B detect enable */
	wr32(c->v, 0xc4004, 0);
	assert_int_equal(gvt_display_set_edid(c->v, e, 128), 0);
	assert_true(rd32(c->v, 0xc4008) & (1u << 21));
	assert_int_equal(rd32(c->v, 0xc4030) & 3, 2);	/* long pulse */
	wr32(c->v, 0xc4030, rd32(c->v, 0xc4030));	/* W1C */
	assert_int_equal(rd32(c->v, 0xc4030), 1u << 4);
	read_edid_over_aux(c->v, got);
	assert_memory_equal(got, e, 128);
}

/* 1920x1200@60 CVT-RB on pipe A, DP HBR via DPLL1: a full mode set. */
static void modeset(struct gvt_vgpu *v)
{
	wr32(v, 0x6c058, (1u << 6) | (1u << 7));	/* DPLL1: override, 1350 */
	wr32(v, 0x6c05c, (1u << 3) | (1u << 4));		/* DDI B: sel override, DPLL1 */
	wr32(v, 0x46014, 1u << 31);
	wr32(v, 0x60000, ((2080 - 1) << 16) | (1920 - 1));	/* HTOTAL */
	wr32(v, 0x6000c, ((1235 - 1) << 16) | (1200 - 1));	/* VTOTAL */
	wr32(v, 0x60040, 154000);				/* LINK_M1 */
	wr32(v, 0x60044, 270000);				/* LINK_N1 */
	wr32(v, 0x60400, (1u << 31) | (1u << 28) | (2u << 24) | (3u << 1));
	wr32(v, 0x70008, 1u << 31);
}

static void test_vblank(void **state)
{
	struct fake_ctx *c = *state;
	uint64_t t0 = c->hyp->now, next;
	uint32_t period;

	guest_enable_msi(c->v);
	wr32(c->v, 0x4440c, 1);		/* DE pipe A IER: vblank */
	wr32(c->v, 0x44404, ~1u);	/* unmasked */
	assert_int_equal(gvt_vgpu_run_timers(c->v), UINT64_MAX);
	modeset(c->v);
	next = gvt_vgpu_run_timers(c->v);
	period = (uint32_t)(next - t0);
	/* 154 MHz / (2080 * 1235) = 59.95 Hz */
	assert_in_range(period, 16670000, 16690000);
	assert_int_equal(gvt_display_frame_count(c->v, 0), 0);
	assert_int_equal(c->hyp->msi_count, 0);
	/* scanline moves with time */
	/* vblank starts at line 1200; half a frame later: (1200 + 617) % 1235 */
	c->hyp->now = t0 + period / 2;
	assert_in_range(rd32(c->v, 0x70000), 570, 595);
	c->hyp->now = t0 + 1000;
	assert_int_equal(rd32(c->v, 0x70000), 1200);
	c->hyp->now = next;
	assert_int_equal(gvt_vgpu_run_timers(c->v), next + period);
	assert_int_equal(rd32(c->v, 0x70040), 1);
	assert_true(rd32(c->v, 0x44408) & 1);
	assert_int_equal(c->hyp->msi_count, 1);
	assert_int_equal(rd32(c->v, 0x44200), 0x80000000 | (1u << 16));
	/* the handler acks; a long stall counts all frames, one interrupt */
	wr32(c->v, 0x44200, 0);
	wr32(c->v, 0x44408, 1);
	wr32(c->v, 0x44200, 0x80000000);
	c->hyp->now = next + 10ull * period + 5;
	assert_int_equal(rd32(c->v, 0x70040), 11);
	assert_int_equal(c->hyp->msi_count, 2);
	/* pipe off: no more vblanks */
	wr32(c->v, 0x70008, 0);
	assert_int_equal(gvt_vgpu_run_timers(c->v), UINT64_MAX);
	c->hyp->now += 100ull * period;
	assert_int_equal(gvt_display_frame_count(c->v, 0), 11);
	assert_int_equal(rd32(c->v, 0x70000), 0);
}

static void test_default_refresh(void **state)
{
	struct fake_ctx *c = *state;
	uint64_t t0 = c->hyp->now;

	/* no usable timings: 60 Hz */
	wr32(c->v, 0x71008, 1u << 31);	/* pipe B */
	assert_int_equal(gvt_vgpu_run_timers(c->v) - t0, 1000000000ull / 60);
}

static void test_flip_and_plane(void **state)
{
	struct fake_ctx *c = *state;
	struct gvt_plane_info p;
	uint64_t next;

	/* a plane on a stopped pipe latches at once but is not "enabled" */
	wr32(c->v, 0x70180, (1u << 31) | (4u << 24));		/* XRGB8888 linear */
	wr32(c->v, 0x70188, 1920 * 4 / 64);
	wr32(c->v, 0x70190, ((1200 - 1) << 16) | (1920 - 1));
	wr32(c->v, 0x7019c, 0x08000000);
	assert_int_equal(rd32(c->v, 0x701ac), 0x08000000);
	assert_int_equal(gvt_display_get_plane(c->v, 0, GVT_PLANE_PRIMARY, &p), 0);
	assert_false(p.enabled);
	modeset(c->v);
	assert_int_equal(gvt_display_get_plane(c->v, 0, GVT_PLANE_PRIMARY, &p), 0);
	assert_true(p.enabled);
	assert_int_equal(p.ggtt_base, 0x08000000);
	assert_int_equal(p.fourcc, GVT_FMT_XRGB8888);
	assert_int_equal(p.width, 1920);
	assert_int_equal(p.height, 1200);
	assert_int_equal(p.stride, 7680);
	assert_int_equal(p.bpp, 32);
	assert_int_equal(p.tiling, GVT_TILING_LINEAR);
	assert_int_equal(p.size, 7680ull * 1200);
	/* a flip on a running pipe is latched at the next vblank */
	wr32(c->v, 0x44404, ~(1u << 3));
	wr32(c->v, 0x7019c, 0x09000000);
	assert_int_equal(rd32(c->v, 0x701ac), 0x08000000);
	next = gvt_vgpu_run_timers(c->v);
	c->hyp->now = next;
	gvt_vgpu_run_timers(c->v);
	assert_int_equal(rd32(c->v, 0x701ac), 0x09000000);
	assert_int_equal(rd32(c->v, 0x70044), 2);	/* + the latch while stopped */
	assert_true(rd32(c->v, 0x44408) & (1u << 3));		/* flip done */
	/* sprite plane 2 latches too, with its own flip-done bit */
	wr32(c->v, 0x7029c, 0x0b000000);
	assert_int_equal(rd32(c->v, 0x702ac), 0);
	c->hyp->now = gvt_vgpu_run_timers(c->v);
	gvt_vgpu_run_timers(c->v);
	assert_int_equal(rd32(c->v, 0x702ac), 0x0b000000);
	assert_int_equal(rd32(c->v, 0x70044), 2);		/* primary flips only */
	/* X-tiled, BGR order, with an offset */
	wr32(c->v, 0x70180, (1u << 31) | (4u << 24) | (1u << 20) | (1u << 10));
	wr32(c->v, 0x70188, 16);
	wr32(c->v, 0x701a4, (3u << 16) | 5);
	gvt_display_get_plane(c->v, 0, GVT_PLANE_PRIMARY, &p);
	assert_int_equal(p.fourcc, GVT_FMT_XBGR8888);
	assert_int_equal(p.tiling, GVT_TILING_X);
	assert_int_equal(p.stride, 8192);
	assert_int_equal(p.x_offset, 5);
	assert_int_equal(p.y_offset, 3);
	assert_int_equal(p.size, 8192ull * 1208);	/* 1203 rows up to a whole tile */
	/* cursor: 64x64 ARGB at (-10, 20) */
	wr32(c->v, 0x70080, 0x27);
	wr32(c->v, 0x70088, (20u << 16) | 0x8000 | 10);
	wr32(c->v, 0x70084, 0x0a000000);
	c->hyp->now += 20000000;
	gvt_display_get_plane(c->v, 0, GVT_PLANE_CURSOR, &p);
	assert_true(p.enabled);
	assert_int_equal(p.width, 64);
	assert_int_equal(p.fourcc, GVT_FMT_ARGB8888);
	assert_int_equal(p.ggtt_base, 0x0a000000);
	assert_int_equal(p.x_pos, -10);
	assert_int_equal(p.y_pos, 20);
	assert_int_equal(gvt_display_get_plane(c->v, 3, GVT_PLANE_CURSOR, &p), -EINVAL);
}

static uint32_t pattern(unsigned int x, unsigned int y)
{
	return ((x * 7) & 0xff) << 16 | ((y * 13) & 0xff) << 8 | ((x ^ y) & 0xff);
}

/* Map @pages guest pages at gpa 0x400000 behind GM @gm, fill them via @place. */
static void map_surface(struct fake_ctx *c, uint64_t gm, unsigned int pages)
{
	for (unsigned int i = 0; i < pages; i++)
		wr64(c->v, (8u << 20) + ((gm >> 12) + i) * 8, (0x400000ull + i * 4096) | 1);
}

static void put_px(struct fake_ctx *c, uint64_t off, uint32_t v)
{
	memcpy(c->hyp->ram + 0x400000 + off, &v, 4);
}

static void test_capture(void **state)
{
	struct fake_ctx *c = *state;
	struct gvt_vgpu_info info;
	struct gvt_plane_info p;
	enum { W = 200, H = 40 };
	static uint32_t img[H][W];
	uint64_t gm;
	unsigned int x, y;

	gvt_vgpu_get_info(c->v, &info);
	gm = info.low_gm_base + (1u << 20);
	map_surface(c, gm, 64);
	assert_int_equal(gvt_display_capture(c->v, 0, &img[0][0], sizeof(img[0]), W, H, &p),
			 -ENODEV);
	modeset(c->v);

	/* linear XRGB8888, 256 px stride, visible from (8, 2) */
	for (y = 0; y < H + 2; y++)
		for (x = 0; x < 256; x++)
			put_px(c, y * 1024 + x * 4, 0xff000000 | pattern(x, y));
	wr32(c->v, 0x70180, (1u << 31) | (4u << 24));
	wr32(c->v, 0x70188, 1024 / 64);
	wr32(c->v, 0x70190, ((H - 1) << 16) | (W - 1));
	wr32(c->v, 0x701a4, (2u << 16) | 8);
	wr32(c->v, 0x7019c, (uint32_t)gm);
	c->hyp->now = gvt_vgpu_run_timers(c->v);	/* latch */
	memset(img, 0, sizeof(img));
	assert_int_equal(gvt_display_capture(c->v, 0, &img[0][0], sizeof(img[0]), W, H, &p), 0);
	assert_int_equal(p.width, W);
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			if (img[y][x] != pattern(x + 8, y + 2))
				fail_msg("linear (%u,%u): 0x%x", x, y, img[y][x]);

	/* X-tiled XBGR8888: 512-byte x 8-row tiles, 2 tiles per row */
	for (y = 0; y < 48; y++)
		for (x = 0; x < 256; x++) {
			uint64_t xb = x * 4, tile = (y / 8) * 2 + xb / 512;
			uint32_t v = pattern(x, y);
			uint32_t bgr = ((v & 0xff) << 16) | (v & 0xff00) | (v >> 16);

			put_px(c, tile * 4096 + (y % 8) * 512 + xb % 512, bgr);
		}
	wr32(c->v, 0x70180, (1u << 31) | (4u << 24) | (1u << 20) | (1u << 10));
	wr32(c->v, 0x70188, 2);			/* 2 X tiles */
	wr32(c->v, 0x701a4, 0);
	wr32(c->v, 0x7019c, (uint32_t)gm);
	c->hyp->now = gvt_vgpu_run_timers(c->v);
	assert_int_equal(gvt_display_capture(c->v, 0, &img[0][0], sizeof(img[0]), W, H, &p), 0);
	assert_int_equal(p.tiling, GVT_TILING_X);
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			if (img[y][x] != pattern(x, y))
				fail_msg("X-tiled (%u,%u): 0x%x", x, y, img[y][x]);

	/* Y-tiled: 128-byte x 32-row tiles of 16-byte columns, 8 tiles per row */
	for (y = 0; y < 64; y++)
		for (x = 0; x < 256; x++) {
			uint64_t xb = x * 4, tile = (y / 32) * 8 + xb / 128;

			put_px(c, tile * 4096 + ((xb % 128) / 16) * 512 + (y % 32) * 16 + xb % 16,
			       pattern(x, y));
		}
	wr32(c->v, 0x70180, (1u << 31) | (4u << 24) | (4u << 10));
	wr32(c->v, 0x70188, 8);			/* 8 Y tiles */
	wr32(c->v, 0x7019c, (uint32_t)gm);
	c->hyp->now = gvt_vgpu_run_timers(c->v);
	assert_int_equal(gvt_display_capture(c->v, 0, &img[0][0], sizeof(img[0]), W, H, &p), 0);
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			if (img[y][x] != pattern(x, y))
				fail_msg("Y-tiled (%u,%u): 0x%x", x, y, img[y][x]);

	/* unsupported and unmapped surfaces */
	wr32(c->v, 0x70180, (1u << 31) | (12u << 24));	/* C8 */
	assert_int_equal(gvt_display_capture(c->v, 0, &img[0][0], sizeof(img[0]), W, H, NULL),
			 -ENOTSUP);
	wr32(c->v, 0x70180, (1u << 31) | (4u << 24));
	wr32(c->v, 0x70188, 1024 / 64);
	wr32(c->v, 0x7019c, (uint32_t)gm + (1u << 20));	/* nothing mapped there */
	c->hyp->now = gvt_vgpu_run_timers(c->v);
	assert_int_equal(gvt_display_capture(c->v, 0, &img[0][0], sizeof(img[0]), W, H, NULL),
			 -EFAULT);
	assert_int_equal(gvt_display_capture(c->v, 0, &img[0][0], 4, W, H, NULL), -EINVAL);
}

static void test_reset_while_scanning_out(void **state)
{
	struct fake_ctx *c = *state;
	uint8_t e[128], got[128];

	gvt_edid_generate(1024, 768, e);
	assert_int_equal(gvt_display_set_edid(c->v, e, 128), 0);
	modeset(c->v);
	c->hyp->now = gvt_vgpu_run_timers(c->v);
	assert_int_equal(gvt_display_frame_count(c->v, 0), 1);
	/* VM reboot: the device resets, the monitor stays plugged with its EDID */
	gvt_vgpu_reset(c->v);
	assert_int_equal(gvt_vgpu_run_timers(c->v), UINT64_MAX);
	assert_int_equal(gvt_display_frame_count(c->v, 0), 0);
	assert_int_equal(rd32(c->v, 0x70008), 0);
	assert_true(rd32(c->v, 0xc4000) & (1u << 21));
	assert_int_equal(gvt_display_get_edid(c->v, got, sizeof(got)), 128);
	assert_memory_equal(got, e, 128);
	/* DPCD back to power-on: SET_POWER D0, link config cleared */
	{
		uint8_t rx[20];

		assert_int_equal(aux_xfer(c->v, AUX_B, (const uint8_t[]){ 0x90, 0x01, 0x00, 1 },
					  4, rx), 3);
		assert_int_equal(rx[1], 0);
	}
}

static void test_gmbus_gpio(void **state)
{
	struct fake_ctx *c = *state;

	/* GPIO lines idle high, GMBUS NAKs at once */
	assert_int_equal(rd32(c->v, 0xc5020) & 0x1010, 0x1010);
	wr32(c->v, 0xc5100, 5);
	wr32(c->v, 0xc5104, (1u << 30) | (0x50 << 1) | 1 | (128 << 16));
	assert_true(rd32(c->v, 0xc5108) & (1u << 10));
	wr32(c->v, 0xc5104, 1u << 31);
	assert_int_equal(rd32(c->v, 0xc5108), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_power_and_plls, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_hpd_live, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_aux_dpcd, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_aux_edid, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_edid_generate_and_replace, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_vblank, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_default_refresh, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_flip_and_plane, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_capture, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_reset_while_scanning_out, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_gmbus_gpio, fake_ctx_setup_v5_4, fake_ctx_teardown),
	};

	return cmocka_run_group_tests_name("gvt_display", tests, NULL, NULL);
}
