// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR0 trap-and-emulate: dispatch of guest register accesses through the
 * compile-time register table (mmio_table.c).
 *
 * BAR0 map:  [0, 2 MiB)  registers (vreg file, table handlers)
 *            [2, 8 MiB)  nothing: reads 0, writes dropped
 *            [8, 16 MiB) GGTT PTEs (ggtt.c)
 *
 * Lookup is one array load: gpu->reg_index holds, per dword of the register
 * space, the table index + 1 (0 = untracked). Untracked dwords behave as
 * plain storage and are counted.
 */
#include "gvt_internal.h"
#include "gvt_mmio_ctx.h"
#include <kvmgt/uapi/vgt_if.h>

int gvt_mmio_index_build(struct gvt_gpu *gpu)
{
	unsigned int i;
	uint32_t dw;

	gpu->reg_index = gvt_zalloc(sizeof(uint16_t) * (GVT_MMIO_SIZE / 4));
	if (!gpu->reg_index)
		return -ENOMEM;
	for (i = 0; i < gvt_reg_table_size; i++) {
		const struct gvt_reg_info *r = &gvt_reg_table[i];

		if (!r->size || (r->off | r->size) & 3 || r->off + r->size > GVT_MMIO_SIZE)
			goto out_bad;
		for (dw = r->off >> 2; dw < (r->off + r->size) >> 2; dw++) {
			if (gpu->reg_index[dw])	/* two entries for one register */
				goto out_bad;
			gpu->reg_index[dw] = (uint16_t)(i + 1);
		}
	}
	return 0;

out_bad:
	gvt_free(gpu->reg_index);
	gpu->reg_index = NULL;
	return -EINVAL;
}

static const struct gvt_reg_info *reg_lookup(struct gvt_vgpu *v, uint32_t off)
{
	uint16_t idx = v->gpu->reg_index[off >> 2];

	return idx ? &gvt_reg_table[idx - 1] : NULL;
}

uint32_t gvt_reg_read32(struct gvt_vgpu *v, uint32_t off)
{
	const struct gvt_reg_info *r = reg_lookup(v, off);

	v->stats.mmio_reads++;
	if (!r) {
		v->stats.untracked_reads++;
		return vreg(v, off);
	}
	if (r->flags & GVT_F_WO)
		return 0;
	return r->read ? r->read(v, off) : vreg(v, off);
}

void gvt_reg_write32(struct gvt_vgpu *v, uint32_t off, uint32_t val)
{
	const struct gvt_reg_info *r = reg_lookup(v, off);
	uint32_t old = vreg(v, off), nv = val;

	v->stats.mmio_writes++;
	if (!r) {
		v->stats.untracked_writes++;
		vreg(v, off) = val;
		return;
	}
	if (r->flags & GVT_F_RO)
		return;
	if (r->flags & GVT_F_MASKED)
		nv = gvt_masked_update(old, val);
	else if (r->flags & GVT_F_W1C)
		nv = old & ~val;
	vreg(v, off) = nv;
	if (r->write)
		r->write(v, off, old, val);
}

/* A 1- or 2-byte write becomes a dword write of the merged value. */
static void reg_write_partial(struct gvt_vgpu *v, uint32_t off, uint32_t val, size_t len)
{
	const struct gvt_reg_info *r = reg_lookup(v, off & ~3u);
	uint32_t shift = (off & 3) * 8;
	uint32_t mask = (len == 1 ? 0xffu : 0xffffu) << shift;
	uint32_t dw;

	/* W1C and masked registers must not see the other bytes as written 1s */
	if (r && r->flags & (GVT_F_W1C | GVT_F_MASKED))
		dw = (val << shift) & mask;
	else
		dw = (vreg(v, off & ~3u) & ~mask) | ((val << shift) & mask);
	gvt_reg_write32(v, off & ~3u, dw);
}

int gvt_bar0_read(struct gvt_vgpu *v, uint64_t off, void *buf, size_t len)
{
	uint64_t val;

	if (off >= GVT_BAR0_SIZE || len > GVT_BAR0_SIZE - off || !len || len > 8)
		return -EINVAL;
	if (off >= GVT_GGTT_OFFSET) {
		v->traps.ggtt_reads++;
		gvt_ggtt_read(v, (uint32_t)(off - GVT_GGTT_OFFSET), buf, len);
		return 0;
	}
	v->traps.reg_reads++;
	if (off >= GVT_MMIO_SIZE || off + len > GVT_MMIO_SIZE ||
	    (len != 1 && len != 2 && len != 4 && len != 8) || off & (len - 1)) {
		v->stats.unmapped_bar0_accesses++;
		gvt_memset(buf, 0, len);
		return 0;
	}
	if (len == 8) {
		val = gvt_reg_read32(v, (uint32_t)off);
		val |= (uint64_t)gvt_reg_read32(v, (uint32_t)off + 4) << 32;
	} else {
		val = gvt_reg_read32(v, (uint32_t)off & ~3u) >> ((off & 3) * 8);
	}
	gvt_put_le(buf, val, len);
	return 0;
}

int gvt_bar0_write(struct gvt_vgpu *v, uint64_t off, const void *buf, size_t len)
{
	uint64_t val;

	if (off >= GVT_BAR0_SIZE || len > GVT_BAR0_SIZE - off || !len || len > 8)
		return -EINVAL;
	if (off >= GVT_GGTT_OFFSET) {
		v->traps.ggtt_writes++;
		gvt_ggtt_write(v, (uint32_t)(off - GVT_GGTT_OFFSET), buf, len);
		return 0;
	}
	v->traps.reg_writes++;
	if (off >= GVT_MMIO_SIZE || off + len > GVT_MMIO_SIZE ||
	    (len != 1 && len != 2 && len != 4 && len != 8) || off & (len - 1)) {
		v->stats.unmapped_bar0_accesses++;
		return 0;
	}
	val = gvt_get_le(buf, len);
	switch (len) {
	case 8:
		/* low dword first, as two writel() would do */
		gvt_reg_write32(v, (uint32_t)off, (uint32_t)val);
		gvt_reg_write32(v, (uint32_t)off + 4, (uint32_t)(val >> 32));
		break;
	case 4:
		gvt_reg_write32(v, (uint32_t)off, (uint32_t)val);
		break;
	default:
		reg_write_partial(v, (uint32_t)off, (uint32_t)val, len);
		break;
	}
	return 0;
}

void gvt_pvinfo_populate(struct gvt_vgpu *v)
{
	struct vgt_if pv;
	uint32_t i;

	gvt_memset(&pv, 0, sizeof(pv));
	pv.magic = VGT_MAGIC;
	pv.version_major = VGT_VERSION_MAJOR;
	pv.version_minor = VGT_VERSION_MINOR;
	pv.vgt_id = v->id;
	pv.vgt_caps = VGT_CAPS_FULL_PPGTT | VGT_CAPS_HWSP_EMULATION | VGT_CAPS_HUGE_GTT;
	pv.avail_rs.mappable_gmadr.base = (uint32_t)v->low_base;
	pv.avail_rs.mappable_gmadr.size = (uint32_t)v->low_size;
	pv.avail_rs.nonmappable_gmadr.base = (uint32_t)v->high_base;
	pv.avail_rs.nonmappable_gmadr.size = (uint32_t)v->high_size;
	pv.avail_rs.fence_num = v->nfences;
	pv.cursor_x_hot = 0xffffffffu;
	pv.cursor_y_hot = 0xffffffffu;
	for (i = 0; i < VGT_PVINFO_SIZE; i += 4)
		vreg(v, VGT_PVINFO_PAGE + i) = gvt_get_le32((const uint8_t *)&pv + i);
}

/* Power-on values of every register, then the PVINFO page. */
void gvt_mmio_reset(struct gvt_vgpu *v)
{
	unsigned int i;
	uint32_t off;

	gvt_memset(v->vreg, 0, GVT_MMIO_SIZE);
	for (i = 0; i < gvt_reg_table_size; i++) {
		const struct gvt_reg_info *r = &gvt_reg_table[i];

		if (!r->init)
			continue;
		for (off = r->off; off < r->off + r->size; off += 4)
			vreg(v, off) = r->init;
	}
	gvt_pvinfo_populate(v);
	/* switched engine registers: the reset values must reach the GPU too */
	gvt_mmio_ctx_vreg_reset(v, 0, GVT_MMIO_SIZE);
}

static const uint32_t engine_base[GVT_NUM_ENGINES] = {
	RENDER_RING_BASE, GEN6_BSD_RING_BASE, BLT_RING_BASE, VEBOX_RING_BASE,
};

static void reset_range(struct gvt_vgpu *v, uint32_t start, uint32_t end)
{
	uint32_t off;

	for (off = start; off < end; off += 4) {
		const struct gvt_reg_info *r = reg_lookup(v, off);

		vreg(v, off) = r ? r->init : 0;
	}
	gvt_mmio_ctx_vreg_reset(v, start, end);
}

/*
 * GT reset (GDRST): engine registers go back to power-on values; display,
 * PVINFO, fences and the GGTT are untouched. @engines: bit per engine in
 * engine_base order, or ~0 for a full reset ([0, 0x40000): every GT-side
 * register, like upstream's [0, 0x44200) minus the display block).
 */
void gvt_mmio_gt_reset(struct gvt_vgpu *v, uint32_t engines)
{
	unsigned int i;

	gvt_exec_reset(v, engines);	/* drop the engines' workloads first */
	if (engines == ~0u) {
		reset_range(v, 0, 0x40000);
		v->stats.gt_resets++;
		return;
	}
	for (i = 0; i < GVT_NUM_ENGINES; i++) {
		if (!(engines & (1u << i)))
			continue;
		reset_range(v, engine_base[i], engine_base[i] + 0x800);
		v->stats.engine_resets++;
	}
}
