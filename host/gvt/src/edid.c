// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual DP monitor: its EDID (1.4, one block, no CEA extension so the
 * guest programs no audio) and its DPCD (DP 1.2 sink, HBR, 4 lanes, SST).
 */
#include "gvt_internal.h"

struct edid_mode {
	unsigned int w, h;
	unsigned int clock_10khz;
	unsigned int hblank, hfp, hsync;
	unsigned int vblank, vfp, vsync;
	unsigned int width_mm, height_mm;
	uint8_t flags;	/* byte 17 of the detailed timing descriptor */
};

static const struct edid_mode edid_modes[] = {
	/* VESA DMT 1024x768@60: 65 MHz, htotal 1344, vtotal 806, -h -v */
	{ 1024, 768, 6500, 320, 24, 136, 38, 3, 6, 310, 230, 0x18 },
	/* CVT-RB 1920x1200@60: 154 MHz, htotal 2080, vtotal 1235, +h -v */
	{ 1920, 1200, 15400, 160, 48, 32, 35, 3, 6, 518, 324, 0x1a },
};

static void put_dtd(uint8_t *d, const struct edid_mode *m)
{
	d[0] = m->clock_10khz & 0xff;
	d[1] = m->clock_10khz >> 8;
	d[2] = m->w & 0xff;
	d[3] = m->hblank & 0xff;
	d[4] = ((m->w >> 8) << 4) | (m->hblank >> 8);
	d[5] = m->h & 0xff;
	d[6] = m->vblank & 0xff;
	d[7] = ((m->h >> 8) << 4) | (m->vblank >> 8);
	d[8] = m->hfp & 0xff;
	d[9] = m->hsync & 0xff;
	d[10] = ((m->vfp & 0xf) << 4) | (m->vsync & 0xf);
	d[11] = ((m->hfp >> 8) << 6) | ((m->hsync >> 8) << 4) | ((m->vfp >> 4) << 2) |
		(m->vsync >> 4);
	d[12] = m->width_mm & 0xff;
	d[13] = m->height_mm & 0xff;
	d[14] = ((m->width_mm >> 8) << 4) | (m->height_mm >> 8);
	d[15] = 0;
	d[16] = 0;
	d[17] = m->flags;
}

static void put_text(uint8_t *d, uint8_t tag, const char *s)
{
	size_t i, n = gvt_strlen(s);

	gvt_memset(d, 0, 18);
	d[3] = tag;
	for (i = 0; i < 13; i++)
		d[5 + i] = i < n ? (uint8_t)s[i] : (i == n ? '\n' : ' ');
}

int gvt_edid_generate(unsigned int width, unsigned int height, uint8_t edid[128])
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	/* sRGB primaries and white point, 10-bit CIE xy */
	static const uint8_t chroma[10] = { 0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99,
					    0x26, 0x0f, 0x50, 0x54 };
	/* standard timings for the large monitor: 1920x1080, 1680x1050,
	 * 1600x1200, 1440x900, 1280x1024, 1280x720 (all 60 Hz) */
	static const uint8_t std_large[16] = { 0xd1, 0xc0, 0xb3, 0x00, 0xa9, 0x40, 0x95, 0x00,
					       0x81, 0x80, 0x81, 0xc0, 0x01, 0x01, 0x01, 0x01 };
	const struct edid_mode *m = NULL;
	unsigned int i;
	uint8_t sum = 0, *d;

	for (i = 0; i < GVT_ARRAY_SIZE(edid_modes); i++)
		if (edid_modes[i].w == width && edid_modes[i].h == height)
			m = &edid_modes[i];
	if (!m)
		return -EINVAL;

	gvt_memset(edid, 0, 128);
	gvt_memcpy(edid, header, 8);
	/* manufacturer "KVG": 5-bit letters, big-endian */
	edid[8] = (11 << 2) | (22 >> 3);
	edid[9] = ((22 & 7) << 5) | 7;
	edid[10] = 0x12;	/* product code 0x1912, little-endian */
	edid[11] = 0x19;
	edid[16] = 1;		/* week */
	edid[17] = 34;		/* 2024 */
	edid[18] = 1;		/* EDID 1.4 */
	edid[19] = 4;
	edid[20] = 0xa5;	/* digital, 8 bpc, DisplayPort */
	edid[21] = (uint8_t)((m->width_mm + 5) / 10);
	edid[22] = (uint8_t)((m->height_mm + 5) / 10);
	edid[23] = 120;		/* gamma 2.2 */
	/* sRGB default, preferred timing is native; not continuous frequency */
	edid[24] = 0x06;
	gvt_memcpy(edid + 25, chroma, 10);
	/* established timings: 640x480@60, 800x600@60, 1024x768@60 */
	edid[35] = 0x21;
	edid[36] = 0x08;
	if (m->w > 1024)
		gvt_memcpy(edid + 38, std_large, 16);
	else
		gvt_memset(edid + 38, 0x01, 16);	/* unused */

	d = edid + 54;
	put_dtd(d, m);
	d += 18;
	/* range limits: 50-75 Hz, 30-90 kHz, 170 MHz max pixel clock */
	gvt_memset(d, 0, 18);
	d[3] = 0xfd;
	d[5] = 50;
	d[6] = 75;
	d[7] = 30;
	d[8] = 90;
	d[9] = 17;
	d[10] = 0x00;	/* default GTF: no extra timing info */
	d[11] = 0x0a;
	gvt_memset(d + 12, 0x20, 6);
	d += 18;
	put_text(d, 0xfc, "KVMGT vGPU");
	d += 18;
	put_text(d, 0xff, "0");
	edid[126] = 0;		/* no extension blocks */
	for (i = 0; i < 127; i++)
		sum += edid[i];
	edid[127] = (uint8_t)(0x100 - sum);
	return 0;
}

bool gvt_edid_valid(const void *edid, size_t len)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	const uint8_t *e = edid;
	size_t b, i;

	if (!e || !len || len % 128 || len > GVT_EDID_MAX)
		return false;
	if (gvt_memcmp(e, header, 8))
		return false;
	if ((size_t)e[126] + 1 != len / 128)
		return false;
	for (b = 0; b < len; b += 128) {
		uint8_t sum = 0;

		for (i = 0; i < 128; i++)
			sum += e[b + i];
		if (sum)
			return false;
	}
	return true;
}

void gvt_dpcd_init(uint8_t *dpcd)
{
	gvt_memset(dpcd, 0, GVT_DPCD_SIZE);
	dpcd[0x000] = 0x12;	/* DPCD_REV: DP 1.2 */
	dpcd[0x001] = 0x0a;	/* MAX_LINK_RATE: 2.7 Gbps (no TPS3 needed) */
	dpcd[0x002] = 0x84;	/* enhanced framing, 4 lanes */
	dpcd[0x003] = 0x01;	/* MAX_DOWNSPREAD 0.5% */
	dpcd[0x004] = 0x01;	/* NORP */
	dpcd[0x005] = 0x00;	/* not a branch device */
	dpcd[0x006] = 0x01;	/* 8b/10b */
	dpcd[0x00e] = 0x00;	/* TRAINING_AUX_RD_INTERVAL, no extended caps */
	dpcd[0x021] = 0x00;	/* MSTM_CAP: SST only */
	dpcd[0x200] = 0x01;	/* SINK_COUNT */
	/* link status: CR_DONE | EQ_DONE | SYMBOL_LOCKED on all lanes, aligned */
	dpcd[0x202] = 0x77;
	dpcd[0x203] = 0x77;
	dpcd[0x204] = 0x01;
	dpcd[0x600] = 0x01;	/* SET_POWER: D0 */
}
