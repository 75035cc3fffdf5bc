// SPDX-License-Identifier: GPL-2.0-only
/*
 * GGTT emulation and the BAR2 aperture.
 *
 * Guest GM addresses are host GM addresses (ballooning), so a guest PTE at
 * index i is shadowed into physical GGTT entry i, but only if i lies in one
 * of the vGPU's two ranges; everything else is dropped and counted. The
 * guest PTE's frame (a guest frame number) is pinned through the hypervisor
 * (dma_map) and the physical entry gets the returned DMA address. Entries the
 * vGPU does not map point at the host scratch page.
 *
 * Torn writes: a 64-bit PTE written as two 32-bit halves is only shadowed
 * once both halves of the same entry have arrived; until then the physical
 * entry is scratch (not present), so the GPU never sees half an address.
 *
 * The aperture (BAR2) is the CPU view of GM [0, aperture size): an access at
 * offset o is translated through the vGPU's guest PTE at o >> 12 into guest
 * memory. Inside a valid guest fence the CPU view is detiled as the fence
 * says (X: 512 B x 8 rows, Y: 128 B x 32 rows of 16-byte columns; no bit-6
 * swizzling), so a guest's GTT mmap of a tiled buffer reads it linearly.
 */
#include "gvt_internal.h"

static bool entry_slot(struct gvt_vgpu *v, uint32_t index, uint32_t *slot)
{
	if (index >= v->gtt_low_first && index - v->gtt_low_first < v->gtt_low_count) {
		*slot = index - v->gtt_low_first;
		return true;
	}
	if (index >= v->gtt_high_first && index - v->gtt_high_first < v->gtt_high_count) {
		*slot = v->gtt_low_count + (index - v->gtt_high_first);
		return true;
	}
	return false;
}

bool gvt_gm_in_vgpu(struct gvt_vgpu *v, uint64_t gm, uint64_t len)
{
	if (!len)
		return false;
	if (gm >= v->low_base && gm - v->low_base < v->low_size &&
	    len <= v->low_size - (gm - v->low_base))
		return true;
	return gm >= v->high_base && gm - v->high_base < v->high_size &&
	       len <= v->high_size - (gm - v->high_base);
}

static uint64_t scratch_pte(struct gvt_vgpu *v, bool present)
{
	uint64_t pte = v->gpu->desc.scratch_pte & GVT_PTE_ADDR_MASK;

	return present ? pte | GVT_PTE_PRESENT : pte;
}

/*
 * gtt_dma[slot] flags: bit 0 = a DMA mapping is held (DMA addresses are page
 * aligned, and 0 is a legal one); bit 1 = the physical entry differs from
 * the reset value (scratch, present), so a reset must rewrite it.
 */
#define DMA_MAPPED	1ull
#define HOST_DIRTY	2ull

static void host_write(struct gvt_vgpu *v, uint32_t index, uint64_t pte)
{
	int ret = v->gpu->ops->ggtt_write(v->gpu->priv, index, pte);

	if (ret)
		gvt_vlog(v, 0, "host GGTT write at index 0x%x failed: %d", index, ret);
}

static void slot_unmap(struct gvt_vgpu *v, uint32_t slot)
{
	if (!(v->gtt_dma[slot] & DMA_MAPPED))
		return;
	v->hyp->dma_unmap(v->hyp_priv, (v->gtt_guest[slot] & GVT_PTE_ADDR_MASK) >> GVT_PAGE_SHIFT,
			  v->gtt_dma[slot] & GVT_PTE_ADDR_MASK);
	v->gtt_dma[slot] &= HOST_DIRTY;
}

/* A guest-caused write of physical entry @index (vGPU slot @slot). */
static void slot_host_write(struct gvt_vgpu *v, uint32_t index, uint32_t slot, uint64_t pte)
{
	v->gtt_dma[slot] |= HOST_DIRTY;
	host_write(v, index, pte);
}

/* Shadow the (complete) guest entry of @slot into physical entry @index. */
static void entry_shadow(struct gvt_vgpu *v, uint32_t index, uint32_t slot)
{
	uint64_t pte = v->gtt_guest[slot], dma;

	if (!(pte & GVT_PTE_PRESENT)) {
		slot_host_write(v, index, slot, scratch_pte(v, false));
		return;
	}
	if (v->hyp->dma_map(v->hyp_priv, (pte & GVT_PTE_ADDR_MASK) >> GVT_PAGE_SHIFT, &dma)) {
		/* not guest RAM: keep it present, but on scratch (upstream too) */
		v->stats.ggtt_map_failures++;
		gvt_vlog(v, 1, "GGTT entry 0x%x: gfn 0x%llx not mappable", index,
			 (unsigned long long)((pte & GVT_PTE_ADDR_MASK) >> GVT_PAGE_SHIFT));
		slot_host_write(v, index, slot, scratch_pte(v, true));
		return;
	}
	v->gtt_dma[slot] = (dma & GVT_PTE_ADDR_MASK) | DMA_MAPPED;
	slot_host_write(v, index, slot, (dma & GVT_PTE_ADDR_MASK) | GVT_PTE_PRESENT);
}

static void entry_write(struct gvt_vgpu *v, uint32_t index, uint64_t val, uint8_t halves)
{
	uint32_t slot;

	v->stats.ggtt_writes++;
	if (!entry_slot(v, index, &slot)) {
		/* outside the vGPU: the guest's balloon space, silently ours to drop */
		v->stats.ggtt_dropped++;
		return;
	}
	slot_unmap(v, slot);
	if (halves == 3) {
		v->gtt_guest[slot] = val;
		if (v->partial_mask && v->partial_index == index)
			v->partial_mask = 0;
		entry_shadow(v, index, slot);
		return;
	}
	/* one 32-bit half */
	if (halves == 1)
		v->gtt_guest[slot] = (v->gtt_guest[slot] & ~0xffffffffull) | (uint32_t)val;
	else
		v->gtt_guest[slot] = (v->gtt_guest[slot] & 0xffffffffull) | (val << 32);
	if (!v->partial_mask || v->partial_index != index) {
		v->partial_index = index;
		v->partial_mask = 0;
	}
	v->partial_mask |= halves;
	if (v->partial_mask == 3) {
		v->partial_mask = 0;
		entry_shadow(v, index, slot);
	} else {
		slot_host_write(v, index, slot, scratch_pte(v, false));
	}
}

void gvt_ggtt_write(struct gvt_vgpu *v, uint32_t off, const void *buf, size_t len)
{
	uint64_t val = gvt_get_le(buf, len);

	if ((len != 4 && len != 8) || off & (len - 1)) {
		v->stats.ggtt_dropped++;
		return;
	}
	if (len == 8)
		entry_write(v, off >> 3, val, 3);
	else
		entry_write(v, off >> 3, val, (off & 4) ? 2 : 1);
}

void gvt_ggtt_read(struct gvt_vgpu *v, uint32_t off, void *buf, size_t len)
{
	uint32_t slot;
	uint64_t pte = 0;

	if ((len == 4 || len == 8) && !(off & (len - 1)) && entry_slot(v, off >> 3, &slot))
		pte = v->gtt_guest[slot];
	if (len == 4 && (off & 4))
		pte >>= 32;
	gvt_put_le(buf, (len == 4 || len == 8) ? pte : 0, len);
}

int gvt_ggtt_init(struct gvt_vgpu *v)
{
	uint32_t n;

	v->gtt_low_first = (uint32_t)(v->low_base >> GVT_PAGE_SHIFT);
	v->gtt_low_count = (uint32_t)(v->low_size >> GVT_PAGE_SHIFT);
	v->gtt_high_first = (uint32_t)(v->high_base >> GVT_PAGE_SHIFT);
	v->gtt_high_count = (uint32_t)(v->high_size >> GVT_PAGE_SHIFT);
	n = v->gtt_low_count + v->gtt_high_count;
	v->gtt_guest = gvt_zalloc(sizeof(uint64_t) * n);
	v->gtt_dma = gvt_zalloc(sizeof(uint64_t) * n);
	if (!v->gtt_guest || !v->gtt_dma) {
		gvt_free(v->gtt_guest);
		gvt_free(v->gtt_dma);
		v->gtt_guest = v->gtt_dma = NULL;
		return -ENOMEM;
	}
	/* the whole range once; later resets rewrite only what the guest changed */
	for (n = 0; n < v->gtt_low_count + v->gtt_high_count; n++)
		v->gtt_dma[n] = HOST_DIRTY;
	gvt_ggtt_reset(v);
	return 0;
}

static uint32_t slot_index(struct gvt_vgpu *v, uint32_t slot)
{
	return slot < v->gtt_low_count ? v->gtt_low_first + slot :
					 v->gtt_high_first + (slot - v->gtt_low_count);
}

/* Unmap everything and point the vGPU's whole physical range at scratch. */
void gvt_ggtt_reset(struct gvt_vgpu *v)
{
	uint32_t i, n = v->gtt_low_count + v->gtt_high_count;

	for (i = 0; i < n; i++) {
		if (!v->gtt_dma[i]) {
			v->gtt_guest[i] = 0;
			continue;
		}
		slot_unmap(v, i);
		v->gtt_guest[i] = 0;
		v->gtt_dma[i] = 0;
		host_write(v, slot_index(v, i), scratch_pte(v, true));
	}
	v->partial_mask = 0;
	if (v->gpu->ops->ggtt_invalidate)
		v->gpu->ops->ggtt_invalidate(v->gpu->priv);
}

void gvt_ggtt_fini(struct gvt_vgpu *v)
{
	if (!v->gtt_guest)
		return;
	gvt_ggtt_reset(v);
	gvt_free(v->gtt_guest);
	gvt_free(v->gtt_dma);
	v->gtt_guest = v->gtt_dma = NULL;
}

/* Graphics-memory access through the guest's GGTT view, page by page. */
int gvt_gm_rw(struct gvt_vgpu *v, uint64_t gm, void *buf, size_t len, bool write)
{
	uint8_t *p = buf;

	while (len) {
		uint32_t slot;
		uint64_t pte, gpa;
		size_t chunk = GVT_PAGE_SIZE - (gm & (GVT_PAGE_SIZE - 1));
		int ret;

		if (chunk > len)
			chunk = len;
		if (gm >> GVT_PAGE_SHIFT > 0xffffffffull ||
		    !entry_slot(v, (uint32_t)(gm >> GVT_PAGE_SHIFT), &slot))
			return -EFAULT;
		pte = v->gtt_guest[slot];
		if (!(pte & GVT_PTE_PRESENT))
			return -EFAULT;
		gpa = (pte & GVT_PTE_ADDR_MASK) | (gm & (GVT_PAGE_SIZE - 1));
		ret = write ? v->hyp->gpa_write(v->hyp_priv, gpa, p, chunk) :
			      v->hyp->gpa_read(v->hyp_priv, gpa, p, chunk);
		if (ret)
			return ret;
		gm += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * If aperture offset @off lies in a valid guest fence, return the tiled GM
 * address it reaches and clamp *@chunk to the bytes that stay contiguous
 * (to the end of the 16-byte Y column or 512-byte X row span, and of the
 * pitch row). The result is only an address: gvt_gm_rw() still checks it
 * against the vGPU's GGTT entries.
 */
static uint64_t aperture_detile(struct gvt_vgpu *v, uint64_t off, size_t *chunk)
{
	for (unsigned int i = 0; i < v->nfences; i++) {
		uint32_t lo = vreg(v, FENCE_REG_GEN6_LO(i)), hi = vreg(v, FENCE_REG_GEN6_LO(i) + 4);
		/* lo 31:12 start, bit 1 Y tiling, bit 0 valid; hi 31:12 last page,
		 * hi 11:0 pitch in 128-byte units minus one */
		uint64_t start = lo & 0xfffff000u, end = (uint64_t)(hi & 0xfffff000u) + GVT_PAGE_SIZE;
		uint64_t pitch = ((uint64_t)(hi & 0xfffu) + 1) * 128, rel, row, col, tile, gm;
		bool y = lo & 2;
		uint32_t tw = y ? 128 : 512, th = y ? 32 : 8, tx, ty;
		size_t span;

		if (!(lo & 1) || off < start || off >= end || pitch < tw)
			continue;
		rel = off - start;
		row = rel / pitch;
		col = rel % pitch;
		tile = (row / th) * (pitch / tw) + col / tw;
		tx = (uint32_t)(col % tw);
		ty = (uint32_t)(row % th);
		gm = start + tile * GVT_PAGE_SIZE +
		     (y ? (tx / 16) * 512 + ty * 16 + tx % 16 : ty * 512 + tx);
		span = y ? 16 - tx % 16 : 512 - tx;
		if (span > pitch - col)
			span = (size_t)(pitch - col);
		if (*chunk > span)
			*chunk = span;
		return gm;
	}
	return off;
}

int gvt_aperture_rw(struct gvt_vgpu *v, uint64_t off, void *buf, size_t len, bool write)
{
	uint8_t *p = buf;

	if (write)
		v->stats.aperture_writes++;
	else
		v->stats.aperture_reads++;
	/* page by page, so one bad page does not hide the good ones */
	while (len) {
		size_t chunk = GVT_PAGE_SIZE - (off & (GVT_PAGE_SIZE - 1));

		uint64_t gm;

		if (chunk > len)
			chunk = len;
		gm = aperture_detile(v, off, &chunk);
		if (off >= v->low_base + v->low_size || off < v->low_base ||
		    gvt_gm_rw(v, gm, p, chunk, write)) {
			v->stats.aperture_dropped++;
			if (!write)
				gvt_memset(p, 0xff, chunk);	/* like a master abort */
		}
		off += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}
