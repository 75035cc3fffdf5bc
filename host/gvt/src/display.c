// SPDX-License-Identifier: GPL-2.0-only
/*
 * Virtual display: one DP monitor on DDI B / AUX B (GVT_DP_PORT), the
 * display-engine handshakes i915 waits for, the DP AUX channel (native
 * DPCD and I2C-over-AUX EDID), vblank timing, flips and plane decoding.
 *
 * Handshakes follow the "request -> immediately done" rule: a power well,
 * PLL, DBUF or DDI reports the requested state at once; DP link training
 * always succeeds.
 */
#include "gvt_internal.h"

/* ---- status registers computed from requests ---- */

uint32_t gvt_sdeisr_read(struct gvt_vgpu *v, uint32_t off)
{
	/* live hotplug state: i915 aborts AUX on a port whose bit is clear */
	return vreg(v, off) | (v->connected ? SDE_PORT_HOTPLUG(GVT_DP_PORT) : 0);
}

uint32_t gvt_gpio_read(struct gvt_vgpu *v, uint32_t off)
{
	/* idle I2C bus (SCL and SDA high), so bit-banged probes NAK quickly */
	return vreg(v, off) | GPIO_CLOCK_VAL_IN | GPIO_DATA_VAL_IN;
}

void gvt_pwr_well_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t req = 0, r;

	/* any requester (BIOS, driver, KVMr, debug) powers a well; all report it */
	for (r = HSW_PWR_WELL_CTL1; r <= HSW_PWR_WELL_CTL4; r += 4)
		req |= vreg(v, r) & PWR_WELL_REQ_MASK;
	for (r = HSW_PWR_WELL_CTL1; r <= HSW_PWR_WELL_CTL4; r += 4)
		vreg(v, r) = (vreg(v, r) & PWR_WELL_REQ_MASK) | (req >> 1);
}

void gvt_pll_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	if (off != LCPLL1_CTL && off != LCPLL2_CTL)
		return;
	if (val & LCPLL_PLL_ENABLE)
		vreg(v, off) |= LCPLL_PLL_LOCK;
	else
		vreg(v, off) &= ~LCPLL_PLL_LOCK;
}

uint32_t gvt_dpll_status_read(struct gvt_vgpu *v, uint32_t off)
{
	uint32_t st = 0;

	if (vreg(v, LCPLL1_CTL) & LCPLL_PLL_ENABLE)
		st |= DPLL_LOCK(0);
	if (vreg(v, LCPLL2_CTL) & LCPLL_PLL_ENABLE)
		st |= DPLL_LOCK(1);
	if (vreg(v, WRPLL_CTL1) & LCPLL_PLL_ENABLE)
		st |= DPLL_LOCK(2);
	if (vreg(v, WRPLL_CTL2) & LCPLL_PLL_ENABLE)
		st |= DPLL_LOCK(3);
	return st;
}

void gvt_dbuf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	if (val & DBUF_POWER_REQUEST)
		vreg(v, off) |= DBUF_POWER_STATE;
	else
		vreg(v, off) &= ~DBUF_POWER_STATE;
}

void gvt_ddi_buf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	if (val & DDI_BUF_CTL_ENABLE)
		vreg(v, off) &= ~DDI_BUF_IS_IDLE;
	else
		vreg(v, off) |= DDI_BUF_IS_IDLE;
}

void gvt_dp_tp_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t port = (off - DP_TP_CTL(0)) / 0x100;

	if ((val & DP_TP_CTL_LINK_TRAIN_MASK) == DP_TP_CTL_LINK_TRAIN_IDLE)
		vreg(v, DP_TP_STATUS(port)) |= DP_TP_STATUS_IDLE_DONE;
	else
		vreg(v, DP_TP_STATUS(port)) &= ~DP_TP_STATUS_IDLE_DONE;
}

void gvt_hotplug_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	/* status fields are sticky, write 1 to clear; enables are plain */
	vreg(v, off) = (val & ~HOTPLUG_STATUS_MASK) | (old & HOTPLUG_STATUS_MASK & ~val);
}

void gvt_gmbus_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	/* no sink on any GMBUS pin: every cycle NAKs at once */
	if (val & GMBUS_SW_CLR_INT)
		vreg(v, PCH_GMBUS2) = 0;
	else if (val & GMBUS_SW_RDY)
		vreg(v, PCH_GMBUS2) = GMBUS_SATOER | GMBUS_HW_RDY;
}

/* ---- DP AUX ---- */

#define AUX_NATIVE_WRITE	0x8
#define AUX_NATIVE_READ		0x9
#define AUX_I2C_MOT		0x4
#define AUX_I2C_READ		0x1
#define AUX_REPLY_NACK		0x10
#define AUX_I2C_REPLY_NACK	0x40
#define DDC_ADDR		0x50
#define DDC_SEGMENT_ADDR	0x30

static bool dpcd_writable(uint32_t addr)
{
	/* link configuration (0x100..0x1ff) and SET_POWER (0x600) */
	return (addr >= 0x100 && addr < 0x200) || addr == 0x600;
}

static size_t aux_native(struct gvt_vgpu *v, uint8_t req, uint32_t addr, const uint8_t *tx,
			 size_t txlen, uint8_t *rx)
{
	size_t i, len = tx[3] + 1u;

	if (req == AUX_NATIVE_READ) {
		if (len > 16)
			len = 16;
		rx[0] = 0;
		for (i = 0; i < len; i++)
			rx[1 + i] = addr + i < GVT_DPCD_SIZE ? v->dpcd[addr + i] : 0;
		return 1 + len;
	}
	if (req != AUX_NATIVE_WRITE) {
		rx[0] = AUX_REPLY_NACK;
		return 1;
	}
	for (i = 0; i + 4 < txlen; i++)
		if (addr + i < GVT_DPCD_SIZE && dpcd_writable(addr + i))
			v->dpcd[addr + i] = tx[4 + i];
	rx[0] = 0;
	return 1;
}

static size_t aux_i2c(struct gvt_vgpu *v, uint8_t req, uint32_t addr, const uint8_t *tx,
		      size_t txlen, uint8_t *rx)
{
	bool mot = req & AUX_I2C_MOT;
	size_t i, len;

	if (addr != DDC_ADDR && addr != DDC_SEGMENT_ADDR) {
		rx[0] = AUX_I2C_REPLY_NACK;
		return 1;
	}
	if (txlen == 3) {
		/* address-only: start (MOT) or stop of an I2C transaction */
		if (!mot)
			v->i2c.segment = 0;	/* E-DDC: segment resets at stop */
		v->i2c.addr = mot ? addr : 0;
		rx[0] = 0;
		return 1;
	}
	len = tx[3] + 1u;
	if ((req & 3) == AUX_I2C_READ) {
		uint32_t base = v->i2c.segment * 256u;

		if (addr != DDC_ADDR) {
			rx[0] = AUX_I2C_REPLY_NACK;
			return 1;
		}
		if (len > 16)
			len = 16;
		rx[0] = 0;
		for (i = 0; i < len; i++) {
			uint32_t o = base + ((v->i2c.offset + i) & 0xff);

			rx[1 + i] = o < v->edid_len ? v->edid[o] : 0xff;
		}
		v->i2c.offset = (uint16_t)((v->i2c.offset + len) & 0xff);
		return 1 + len;
	}
	/* I2C write (or write-status-update): a one-byte pointer */
	if (txlen > 4) {
		if (addr == DDC_SEGMENT_ADDR)
			v->i2c.segment = tx[4] & 1;
		else
			v->i2c.offset = tx[4];
	}
	rx[0] = 0;
	return 1;
}

void gvt_aux_ctl_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	const uint32_t w1c = AUX_DONE | AUX_TIME_OUT_ERROR | AUX_RECEIVE_ERROR;
	uint32_t ch = (off - DP_AUX_CH_CTL(0)) / 0x100;
	uint32_t ctl = (old & w1c & ~val) | (val & ~(w1c | AUX_SEND_BUSY));
	uint8_t tx[20], rx[20];
	size_t txlen, rxlen, i;

	if (!(val & AUX_SEND_BUSY)) {
		vreg(v, off) = ctl;
		return;
	}
	v->stats.aux_transactions++;
	txlen = (val & AUX_MSG_SIZE_MASK) >> AUX_MSG_SIZE_SHIFT;
	if (ch != GVT_DP_PORT || !v->connected || txlen < 3 || txlen > 20) {
		/* nothing answers on this channel */
		vreg(v, off) = (ctl & ~AUX_MSG_SIZE_MASK) | AUX_DONE | AUX_TIME_OUT_ERROR;
		goto out_irq;
	}
	for (i = 0; i < txlen; i++)	/* big-endian packing: byte 0 in 31:24 */
		tx[i] = (uint8_t)(vreg(v, DP_AUX_CH_DATA(ch, i / 4)) >> (24 - 8 * (i % 4)));
	{
		uint8_t req = tx[0] >> 4;
		uint32_t addr = ((tx[0] & 0xfu) << 16) | (tx[1] << 8) | tx[2];

		if (req & 0x8)
			rxlen = txlen >= 4 ? aux_native(v, req, addr, tx, txlen, rx) : 0;
		else
			rxlen = aux_i2c(v, req, addr, tx, txlen, rx);
	}
	if (!rxlen) {
		rx[0] = AUX_REPLY_NACK;
		rxlen = 1;
	}
	for (i = 0; i < 5; i++)
		vreg(v, DP_AUX_CH_DATA(ch, i)) = 0;
	for (i = 0; i < rxlen; i++)
		vreg(v, DP_AUX_CH_DATA(ch, i / 4)) |= (uint32_t)rx[i] << (24 - 8 * (i % 4));
	vreg(v, off) = (ctl & ~AUX_MSG_SIZE_MASK) | AUX_DONE |
		       ((uint32_t)rxlen << AUX_MSG_SIZE_SHIFT);
out_irq:
	if (val & AUX_INTERRUPT)
		gvt_irq_raise(v, GEN8_DE_PORT_ISR, DE_PORT_AUX(ch));
}

/* ---- pipes, vblank, flips ---- */

#define DEFAULT_REFRESH_HZ	60

static uint32_t ddi_port_clock_khz(struct gvt_vgpu *v, unsigned int pipe)
{
	/* DPLL_CTRL1 link rate code -> DP port clock */
	static const uint32_t rate_khz[8] = { 540000, 270000, 162000, 324000,
					      216000, 432000, 0, 0 };
	uint32_t func = vreg(v, TRANS_DDI_FUNC_CTL(pipe));
	uint32_t port = (func >> 28) & 7, ctrl2 = vreg(v, DPLL_CTRL2), id;

	if (!(func & (1u << 31)) || port > 4)
		return 0;
	id = (ctrl2 >> (3 * port + 1)) & 3;
	return rate_khz[(vreg(v, DPLL_CTRL1) >> (6 * id + 1)) & 7];
}

/* Frame period from the guest's timings: pixel clock = port clock * M / N. */
static void pipe_timing(struct gvt_vgpu *v, unsigned int pipe)
{
	struct gvt_pipe *p = &v->pipe[pipe];
	uint64_t htotal = ((vreg(v, TRANS_HTOTAL(pipe)) >> 16) & 0x1fff) + 1;
	uint64_t vtotal = ((vreg(v, TRANS_VTOTAL(pipe)) >> 16) & 0x1fff) + 1;
	uint64_t m = vreg(v, TRANS_LINK_M1(pipe)) & 0xffffff;
	uint64_t n = vreg(v, TRANS_LINK_N1(pipe)) & 0xffffff;
	uint64_t clk = ddi_port_clock_khz(v, pipe), period = 0;

	if (clk && m && n && htotal > 1 && vtotal > 1) {
		uint64_t pixel_khz = clk * m / n;

		if (pixel_khz)
			period = htotal * vtotal * 1000000ull / pixel_khz;
	}
	/* outside 20..240 Hz the timings are not a real mode: assume 60 Hz */
	if (period < 1000000000ull / 240 || period > 1000000000ull / 20)
		period = 1000000000ull / DEFAULT_REFRESH_HZ;
	p->period_ns = period;
	p->vtotal = vtotal > 1 ? (uint32_t)vtotal : 1;
	p->vactive = (vreg(v, TRANS_VTOTAL(pipe)) & 0x1fff) + 1;
	if (p->vactive >= p->vtotal)
		p->vactive = 0;
	p->line_ns = period / p->vtotal;
	if (!p->line_ns)
		p->line_ns = 1;
}

static void latch_flips(struct gvt_vgpu *v, unsigned int pipe)
{
	struct gvt_pipe *p = &v->pipe[pipe];
	unsigned int pl;

	for (pl = 0; pl < GVT_NUM_PLANES; pl++) {
		if (!p->flip_pending[pl])
			continue;
		p->flip_pending[pl] = false;
		vreg(v, PLANE_N_SURFLIVE(pipe, pl)) = vreg(v, PLANE_N_SURF(pipe, pl));
		if (pl == 0) {
			vreg(v, PIPE_FLIPCOUNT(pipe))++;
			v->stats.flips++;
		}
		gvt_irq_raise(v, GEN8_DE_PIPE_ISR(pipe), PIPE_PLANE_FLIP_DONE(pl));
	}
	if (p->flip_pending[GVT_NUM_PLANES])
		vreg(v, CUR_SURFLIVE(pipe)) = vreg(v, CUR_BASE(pipe));
	p->flip_pending[GVT_NUM_PLANES] = false;
}

void gvt_display_catch_up(struct gvt_vgpu *v, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < GVT_NUM_PIPES; i++) {
		struct gvt_pipe *p = &v->pipe[i];
		uint64_t frames;

		if (!p->running || now < p->next_vblank)
			continue;
		/* every elapsed frame counts; one interrupt for the batch */
		frames = (now - p->next_vblank) / p->period_ns + 1;
		vreg(v, PIPE_FRMCOUNT(i)) += (uint32_t)frames;
		p->frame_start = p->next_vblank + (frames - 1) * p->period_ns;
		p->next_vblank = p->frame_start + p->period_ns;
		v->stats.vblanks += frames;
		latch_flips(v, i);
		gvt_irq_raise(v, GEN8_DE_PIPE_ISR(i), PIPE_VBLANK);
	}
}

static unsigned int pipe_of(uint32_t off)
{
	return ((off >> 12) & 0xf) % GVT_NUM_PIPES;	/* 0x6x000 / 0x7x000 + 0x1000 * pipe */
}

void gvt_transconf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	struct gvt_pipe *p;
	uint64_t now;

	if (val & TRANSCONF_ENABLE)
		vreg(v, off) |= TRANSCONF_STATE;
	else
		vreg(v, off) &= ~TRANSCONF_STATE;
	if (off == TRANSCONF_EDP)
		return;
	p = &v->pipe[pipe_of(off)];
	now = gvt_now(v);
	if ((val & TRANSCONF_ENABLE) && !p->running) {
		pipe_timing(v, pipe_of(off));
		p->running = true;
		p->frame_start = now;
		p->next_vblank = now + p->period_ns;
	} else if (!(val & TRANSCONF_ENABLE) && p->running) {
		gvt_display_catch_up(v, now);
		p->running = false;
		latch_flips(v, pipe_of(off));	/* a stopped pipe latches at once */
	}
}

void gvt_timing_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	unsigned int pipe = pipe_of(off);

	if (v->pipe[pipe].running)
		pipe_timing(v, pipe);
}

void gvt_surf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	unsigned int pipe = pipe_of(off);
	/* CUR_BASE (0x7x084) or PLANE_SURF of plane 1..3 (0x7x19c + 0x100 * n) */
	unsigned int slot = (off & 0xfff) == (CUR_BASE(0) & 0xfff) ? GVT_NUM_PLANES :
			    ((off & 0xfff) - (PLANE_SURF(0) & 0xfff)) / 0x100;

	/* writing the surface arms the double-buffered update */
	v->pipe[pipe].flip_pending[slot] = true;
	if (!v->pipe[pipe].running)
		latch_flips(v, pipe);
}

uint32_t gvt_pipedsl_read(struct gvt_vgpu *v, uint32_t off)
{
	struct gvt_pipe *p = &v->pipe[pipe_of(off)];
	uint64_t now = gvt_now(v);

	gvt_display_catch_up(v, now);
	if (!p->running)
		return 0;
	/*
	 * The vblank event is the start of vertical blank, i.e. scanline
	 * vactive; lines count on from there and wrap at vtotal. That keeps
	 * i915's vblank evasion and timestamps consistent with the interrupt.
	 */
	return (uint32_t)((p->vactive + (now - p->frame_start) / p->line_ns) % p->vtotal);
}

uint32_t gvt_frmcount_read(struct gvt_vgpu *v, uint32_t off)
{
	gvt_display_catch_up(v, gvt_now(v));
	return vreg(v, off);
}

/* ---- hotplug ---- */

static void hotplug_event(struct gvt_vgpu *v)
{
	uint32_t hp = vreg(v, PCH_PORT_HOTPLUG);

	/* a long pulse on our port, reported if the guest enabled detection */
	if (hp & (1u << (4 + 8 * (GVT_DP_PORT - 1))))
		vreg(v, PCH_PORT_HOTPLUG) = hp | HOTPLUG_LONG(GVT_DP_PORT);
	gvt_irq_raise(v, SDEISR, SDE_PORT_HOTPLUG(GVT_DP_PORT));
}

void gvt_display_init(struct gvt_vgpu *v)
{
	gvt_edid_generate(v->type->edid_w, v->type->edid_h, v->edid);
	v->edid_len = 128;
	v->connected = true;
}

void gvt_display_reset(struct gvt_vgpu *v)
{
	gvt_memset(v->pipe, 0, sizeof(v->pipe));
	gvt_memset(&v->i2c, 0, sizeof(v->i2c));
	gvt_dpcd_init(v->dpcd);
}

int gvt_display_set_edid(struct gvt_vgpu *v, const void *edid, size_t len)
{
	if (!edid || !gvt_edid_valid(edid, len))
		return -EINVAL;
	gvt_mutex_lock(&v->lock);
	gvt_memcpy(v->edid, edid, len);
	v->edid_len = len;
	if (v->connected)
		hotplug_event(v);
	gvt_mutex_unlock(&v->lock);
	return 0;
}

size_t gvt_display_get_edid(struct gvt_vgpu *v, void *buf, size_t len)
{
	size_t n;

	gvt_mutex_lock(&v->lock);
	n = GVT_MIN(len, v->edid_len);
	gvt_memcpy(buf, v->edid, n);
	n = v->edid_len;
	gvt_mutex_unlock(&v->lock);
	return n;
}

void gvt_display_set_connected(struct gvt_vgpu *v, bool connected)
{
	gvt_mutex_lock(&v->lock);
	if (v->connected != connected) {
		v->connected = connected;
		hotplug_event(v);
	}
	gvt_mutex_unlock(&v->lock);
}

uint32_t gvt_display_frame_count(struct gvt_vgpu *v, unsigned int pipe)
{
	uint32_t n;

	if (pipe >= GVT_NUM_PIPES)
		return 0;
	gvt_mutex_lock(&v->lock);
	gvt_display_catch_up(v, gvt_now(v));
	n = vreg(v, PIPE_FRMCOUNT(pipe));
	gvt_mutex_unlock(&v->lock);
	return n;
}

/* ---- plane decoding ---- */

static void decode_format(uint32_t ctl, struct gvt_plane_info *info)
{
	bool bgr = ctl & PLANE_CTL_ORDER_RGBX;
	bool alpha = (ctl >> 4) & 3;	/* gen9 PLANE_CTL alpha mode, 0 = disabled */

	info->hw_format = (ctl >> PLANE_CTL_FORMAT_SHIFT) & 0xf;
	switch (info->hw_format) {
	case 4:	/* 8:8:8:8 */
		info->bpp = 32;
		info->fourcc = bgr ? (alpha ? GVT_FMT_ABGR8888 : GVT_FMT_XBGR8888) :
				     (alpha ? GVT_FMT_ARGB8888 : GVT_FMT_XRGB8888);
		break;
	case 2:	/* 2:10:10:10 */
		info->bpp = 32;
		info->fourcc = bgr ? GVT_FMT_XBGR2101010 : GVT_FMT_XRGB2101010;
		break;
	case 14: /* 5:6:5 */
		info->bpp = 16;
		info->fourcc = GVT_FMT_RGB565;
		break;
	case 12: /* indexed 8-bit */
		info->bpp = 8;
		info->fourcc = GVT_FMT_C8;
		break;
	default:
		info->bpp = 32;
		info->fourcc = 0;
		break;
	}
}

static int32_t cursor_coord(uint32_t v)
{
	/* sign-magnitude: bit 15 sign, 11:0 magnitude */
	return (v & 0x8000) ? -(int32_t)(v & 0xfff) : (int32_t)(v & 0xfff);
}

int gvt_display_get_plane(struct gvt_vgpu *v, unsigned int pipe, enum gvt_plane_type type,
			  struct gvt_plane_info *info)
{
	uint32_t ctl, stride_units, tile_rows = 1;
	bool pipe_on;

	if (pipe >= GVT_NUM_PIPES || !info ||
	    (type != GVT_PLANE_PRIMARY && type != GVT_PLANE_CURSOR))
		return -EINVAL;
	gvt_memset(info, 0, sizeof(*info));
	gvt_mutex_lock(&v->lock);
	gvt_display_catch_up(v, gvt_now(v));
	pipe_on = vreg(v, TRANSCONF(pipe)) & TRANSCONF_ENABLE;
	if (type == GVT_PLANE_CURSOR) {
		uint32_t mode;

		ctl = vreg(v, CUR_CTL(pipe));
		mode = ctl & 0x27;
		info->hw_format = mode;
		info->enabled = pipe_on && mode;
		info->width = info->height = mode == 0x22 ? 128 : mode == 0x23 ? 256 : 64;
		info->bpp = 32;
		info->fourcc = GVT_FMT_ARGB8888;
		info->stride = info->width * 4;
		info->ggtt_base = vreg(v, CUR_SURFLIVE(pipe)) & ~0xfffu;
		info->x_pos = cursor_coord(vreg(v, CUR_POS(pipe)));
		info->y_pos = cursor_coord(vreg(v, CUR_POS(pipe)) >> 16);
		info->size = (uint64_t)info->stride * info->height;
		goto out_unlock;
	}
	ctl = vreg(v, PLANE_CTL(pipe));
	info->enabled = pipe_on && (ctl & PLANE_CTL_ENABLE);
	decode_format(ctl, info);
	info->tiling = (ctl >> PLANE_CTL_TILED_SHIFT) & 7;
	stride_units = vreg(v, PLANE_STRIDE(pipe)) & 0x3ff;
	switch (info->tiling) {
	case GVT_TILING_X:
		info->stride = stride_units * 512;	/* X tile: 512 B x 8 rows */
		tile_rows = 8;
		break;
	case GVT_TILING_Y:
	case GVT_TILING_YF:
		info->stride = stride_units * 128;	/* Y tile: 128 B x 32 rows */
		tile_rows = 32;
		break;
	default:
		info->stride = stride_units * 64;	/* linear: 64-byte units */
		break;
	}
	info->width = (vreg(v, PLANE_SIZE(pipe)) & 0x1fff) + 1;
	info->height = ((vreg(v, PLANE_SIZE(pipe)) >> 16) & 0xfff) + 1;
	info->x_offset = vreg(v, PLANE_OFFSET(pipe)) & 0x1fff;
	info->y_offset = (vreg(v, PLANE_OFFSET(pipe)) >> 16) & 0x1fff;
	info->x_pos = vreg(v, PLANE_POS(pipe)) & 0x1fff;
	info->y_pos = (vreg(v, PLANE_POS(pipe)) >> 16) & 0x1fff;
	info->ggtt_base = vreg(v, PLANE_SURFLIVE(pipe)) & ~0xfffu;
	info->size = (uint64_t)info->stride *
		     ((info->height + info->y_offset + tile_rows - 1) / tile_rows * tile_rows);
out_unlock:
	gvt_mutex_unlock(&v->lock);
	return 0;
}
