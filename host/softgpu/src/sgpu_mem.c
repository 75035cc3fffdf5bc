// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu address translation: GGTT (8-byte PTEs, bit0 present, PRM vol 5
 * "Global GTT") and the per-context PPGTT (gen8+ 4-level "legacy 64-bit" and
 * 3-level "legacy 32-bit" with 4 PDP roots; 4K, 64K (PDE bit 11, IPS) and 2M
 * (PDE bit 7) pages, 1G (PDPE bit 7)), then DMA address -> host memory.
 * Anything that does not resolve is a fault; nothing outside registered DMA
 * memory is ever touched.
 */
#include "sgpu_internal.h"

#define PTE_PRESENT	(1ull << 0)
#define PTE_PS		(1ull << 7)	/* PDPE: 1G page, PDE: 2M page */
#define PDE_IPS_64K	(1ull << 11)	/* PT holds 64K entries */
#define PTE_ADDR_MASK	0x0000FFFFFFFFF000ull

static int ggtt_walk(struct sgpu *gpu, uint64_t gva, uint64_t *dma)
{
	uint64_t pte;

	if (gva >= SGPU_GGTT_SIZE)
		return -EFAULT;
	pte = gpu->ggtt[gva >> 12];
	if (!(pte & PTE_PRESENT))
		return -EFAULT;
	*dma = (pte & PTE_ADDR_MASK) | (gva & 0xFFF);
	return 0;
}

static int read_entry(struct sgpu *gpu, uint64_t table, unsigned int idx, uint64_t *e)
{
	uint8_t *p = sgpu_dma_host(gpu, (table & PTE_ADDR_MASK) + idx * 8ull, 8);

	if (!p)
		return -EFAULT;
	memcpy(e, p, 8);
	return 0;
}

static int ppgtt_walk(struct sgpu_engine *eng, uint64_t gva, uint64_t *dma)
{
	struct sgpu *gpu = eng->gpu;
	struct sgpu_ctx *c = sgpu_cur(eng);
	uint64_t pd, e;

	if (!eng->active)
		return -EFAULT;
	if (c->addr_mode == ADDR_MODE_LEGACY_64) {
		if (gva >> 48)
			return -EFAULT;
		if (read_entry(gpu, c->pdp[0], (gva >> 39) & 511, &e) || !(e & PTE_PRESENT))
			return -EFAULT;
		if (read_entry(gpu, e, (gva >> 30) & 511, &e) || !(e & PTE_PRESENT))
			return -EFAULT;
		if (e & PTE_PS) {
			*dma = (e & PTE_ADDR_MASK & ~0x3FFFFFFFull) | (gva & 0x3FFFFFFF);
			return 0;
		}
		pd = e;
	} else if (c->addr_mode == ADDR_MODE_LEGACY_32) {
		/* the four PDP registers point straight at page directories */
		if (gva >> 32)
			return -EFAULT;
		pd = c->pdp[(gva >> 30) & 3];
		if (!(pd & PTE_ADDR_MASK))
			return -EFAULT;
	} else {
		return -EFAULT;
	}
	if (read_entry(gpu, pd, (gva >> 21) & 511, &e) || !(e & PTE_PRESENT))
		return -EFAULT;
	if (e & PTE_PS) {
		*dma = (e & PTE_ADDR_MASK & ~0x1FFFFFull) | (gva & 0x1FFFFF);
		return 0;
	}
	if (e & PDE_IPS_64K) {
		/* 64K mode: every 16th PTE maps 64 KiB */
		if (read_entry(gpu, e, ((gva >> 12) & 511) & ~15u, &e) || !(e & PTE_PRESENT))
			return -EFAULT;
		*dma = (e & PTE_ADDR_MASK & ~0xFFFFull) | (gva & 0xFFFF);
		return 0;
	}
	if (read_entry(gpu, e, (gva >> 12) & 511, &e) || !(e & PTE_PRESENT))
		return -EFAULT;
	*dma = (e & PTE_ADDR_MASK) | (gva & 0xFFF);
	return 0;
}

uint8_t *sgpu_xlate(struct sgpu_engine *eng, uint64_t gva, bool ppgtt, uint32_t *avail)
{
	struct sgpu_xlate_cache *tc;
	uint8_t space = ppgtt ? 2 : 1;
	uint64_t dma;
	uint8_t *host;

	*avail = 4096 - (uint32_t)(gva & 0xFFF);
	for (unsigned int i = 0; i < 2; i++) {
		tc = &eng->tc[i];
		if (tc->space == space && tc->page == gva >> 12)
			return tc->host + (gva & 0xFFF);
	}
	if (ppgtt ? ppgtt_walk(eng, gva, &dma) : ggtt_walk(eng->gpu, gva, &dma))
		return NULL;
	host = sgpu_dma_host(eng->gpu, dma & ~0xFFFull, 4096);
	if (!host)
		return NULL;
	tc = &eng->tc[eng->tc_next];
	eng->tc_next ^= 1;
	tc->space = space;
	tc->page = gva >> 12;
	tc->host = host;
	return host + (gva & 0xFFF);
}

void sgpu_fault(struct sgpu_engine *eng, uint64_t gva, bool ppgtt)
{
	struct sgpu *gpu = eng->gpu;

	gpu->st.faults++;
	/* GEN8_RING_FAULT_REG: valid bit0, engine id (SRCID) bits 10:3, GTT select bit 11 */
	gpu->regs[R_RING_FAULT >> 2] = 1u | (eng->id << 3) | (ppgtt ? 0 : 1u << 11);
	gpu->regs[R_FAULT_TLB_DATA0 >> 2] = (uint32_t)(gva >> 12);
	gpu->regs[R_FAULT_TLB_DATA1 >> 2] = (uint32_t)(gva >> 44) | (ppgtt ? 0 : 1u << 4);
}

/* Copy between @buf and GPU virtual memory, page by page; a hole faults. */
static int gva_copy(struct sgpu_engine *eng, uint64_t gva, bool ppgtt, uint8_t *buf,
		    uint32_t len, bool write)
{
	while (len) {
		uint32_t avail, n;
		uint8_t *p = sgpu_xlate(eng, gva, ppgtt, &avail);

		if (!p) {
			sgpu_fault(eng, gva, ppgtt);
			return -EFAULT;
		}
		n = len < avail ? len : avail;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		buf += n;
		gva += n;
		len -= n;
	}
	return 0;
}

int sgpu_gva_read(struct sgpu_engine *eng, uint64_t gva, bool ppgtt, void *buf, uint32_t len)
{
	return gva_copy(eng, gva, ppgtt, buf, len, false);
}

int sgpu_gva_write(struct sgpu_engine *eng, uint64_t gva, bool ppgtt, const void *buf, uint32_t len)
{
	/* gva_copy only reads @buf when @write is set */
	return gva_copy(eng, gva, ppgtt, (uint8_t *)buf, len, true);
}

int sgpu_ggtt_read32(struct sgpu *gpu, uint64_t gva, uint32_t *val)
{
	uint64_t dma;
	uint8_t *p;

	if ((gva & 3) || ggtt_walk(gpu, gva, &dma))
		return -EFAULT;
	p = sgpu_dma_host(gpu, dma, 4);
	if (!p)
		return -EFAULT;
	memcpy(val, p, 4);
	return 0;
}

int sgpu_ggtt_write32(struct sgpu *gpu, uint64_t gva, uint32_t val)
{
	uint64_t dma;
	uint8_t *p;

	if ((gva & 3) || ggtt_walk(gpu, gva, &dma))
		return -EFAULT;
	p = sgpu_dma_host(gpu, dma, 4);
	if (!p)
		return -EFAULT;
	__atomic_store_n((uint32_t *)(void *)p, val, __ATOMIC_RELEASE);
	return 0;
}
