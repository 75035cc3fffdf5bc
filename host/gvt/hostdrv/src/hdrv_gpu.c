// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostdrv device level: probe and bring-up (the i915 order: MMIO sanity,
 * full reset, GGTT, interrupts, engines), DMA memory, the GGTT allocator and
 * PTE writes, deferred interrupt handling and callback dispatch.
 */
#include "hdrv_internal.h"

static const struct {
	enum hdrv_engine_id id;
	uint32_t base, bank, shift, gdrst;
} engine_hw[HDRV_NUM_ENGINES] = {
	{ HDRV_RCS, 0x2000, 0, 0, 1u << 1 },
	{ HDRV_BCS, 0x22000, 0, 16, 1u << 3 },
	{ HDRV_VCS, 0x12000, 1, 0, 1u << 2 },
	{ HDRV_VECS, 0x1A000, 3, 0, 1u << 4 },
};

int hdrv_wait_reg(struct hdrv_gpu *gpu, uint32_t reg, uint32_t mask, uint32_t want, unsigned int us)
{
	uint64_t end = hdrv_now_ns() + us * 1000ull;

	for (;;) {
		if ((rd(gpu, reg) & mask) == want)
			return 0;
		if (hdrv_now_ns() > end)
			return -ETIMEDOUT;
		hdrv_udelay(2);
	}
}

/* ---- locking, deferred interrupts, callbacks --------------------------- */

void hdrv_lock(struct hdrv_gpu *gpu)
{
	hdrv_mutex_lock(&gpu->lock);
}

void hdrv_queue_ev(struct hdrv_gpu *gpu, enum hdrv_ev_type t, enum hdrv_engine_id e,
		   struct hdrv_ctx *ctx, enum hdrv_ctx_status st)
{
	unsigned int next = (gpu->ev_tail + 1) % EVQ_SIZE;

	if (next == gpu->ev_head) {
		gpu->ev_dropped++;
		return;
	}
	gpu->evq[gpu->ev_tail] = (struct hdrv_ev){ t, e, ctx, st };
	gpu->ev_tail = next;
}

static void dispatch(struct hdrv_gpu *gpu, const struct hdrv_ev *ev, unsigned int n,
		     const struct hdrv_callbacks *cb, void *arg)
{
	for (unsigned int i = 0; i < n; i++) {
		switch (ev[i].type) {
		case EV_CTX:
			if (cb->ctx_done)
				cb->ctx_done(arg, ev[i].ctx, ev[i].st);
			break;
		case EV_USER:
			if (cb->user_irq)
				cb->user_irq(arg, ev[i].engine);
			break;
		case EV_ERROR:
			if (cb->engine_error)
				cb->engine_error(arg, ev[i].engine);
			break;
		}
	}
}

/*
 * The interrupt line may fire while we hold the lock (even from inside our
 * own MMIO write): the handler only sets irq_pending and tries the lock; the
 * holder services it here before letting go.
 */
void hdrv_unlock(struct hdrv_gpu *gpu)
{
	struct hdrv_ev local[64];
	struct hdrv_callbacks cb;
	void *arg;
	unsigned int n;

	for (;;) {
		if (atomic_exchange(&gpu->irq_pending, 0))
			hdrv_handle_irq_locked(gpu);
		for (n = 0; n < 64 && gpu->ev_head != gpu->ev_tail; n++) {
			local[n] = gpu->evq[gpu->ev_head];
			gpu->ev_head = (gpu->ev_head + 1) % EVQ_SIZE;
		}
		cb = gpu->cb;
		arg = gpu->cb_arg;
		if (n)
			atomic_fetch_add(&gpu->dispatching, 1);
		hdrv_mutex_unlock(&gpu->lock);
		dispatch(gpu, local, n, &cb, arg);
		if (n)
			atomic_fetch_sub(&gpu->dispatching, 1);
		if (!n && !atomic_load(&gpu->irq_pending))
			return;
		if (hdrv_mutex_trylock(&gpu->lock))
			return;	/* the new holder will do it */
	}
}

static void irq_handler(void *arg)
{
	struct hdrv_gpu *gpu = arg;

	atomic_store(&gpu->irq_pending, 1);
	if (hdrv_mutex_trylock(&gpu->lock))
		return;
	hdrv_unlock(gpu);
}

void hdrv_set_callbacks(struct hdrv_gpu *gpu, const struct hdrv_callbacks *cb, void *arg)
{
	hdrv_lock(gpu);
	if (cb)
		gpu->cb = *cb;
	else
		memset(&gpu->cb, 0, sizeof(gpu->cb));
	gpu->cb_arg = arg;
	hdrv_unlock(gpu);
}

uint32_t hdrv_mmio_read(struct hdrv_gpu *gpu, uint32_t reg)
{
	return rd(gpu, reg);
}

void hdrv_mmio_write(struct hdrv_gpu *gpu, uint32_t reg, uint32_t val)
{
	wr(gpu, reg, val);
}

int hdrv_fence_write(struct hdrv_gpu *gpu, unsigned int n, uint64_t val)
{
	uint32_t reg = 0x100000 + 8 * n;	/* FENCE_REG_GEN6_LO(n) */

	if (n >= 32)
		return -EINVAL;
	/* i915 fence_write: disable, then upper, then lower (enables) */
	wr(gpu, reg, 0);
	(void)rd(gpu, reg);
	wr(gpu, reg + 4, (uint32_t)(val >> 32));
	wr(gpu, reg, (uint32_t)val);
	(void)rd(gpu, reg);
	return 0;
}

/* ---- DMA and GGTT ------------------------------------------------------ */

int hdrv_dma_alloc(struct hdrv_gpu *gpu, size_t size, struct hdrv_dma *out)
{
	memset(out, 0, sizeof(*out));
	if (!size)
		return -EINVAL;
	return gpu->bus.ops->dma_alloc(gpu->bus.ctx, size, out);
}

void hdrv_dma_free(struct hdrv_gpu *gpu, struct hdrv_dma *mem)
{
	if (mem->cpu)
		gpu->bus.ops->dma_free(gpu->bus.ctx, mem);
	memset(mem, 0, sizeof(*mem));
}

int hdrv_dma_map(struct hdrv_gpu *gpu, void *cpu, size_t size, struct hdrv_dma *out)
{
	memset(out, 0, sizeof(*out));
	if (!gpu->bus.ops->dma_map)
		return -EOPNOTSUPP;
	if (!cpu || !size || ((uintptr_t)cpu & 4095) || (size & 4095))
		return -EINVAL;
	return gpu->bus.ops->dma_map(gpu->bus.ctx, cpu, size, out);
}

void hdrv_dma_unmap(struct hdrv_gpu *gpu, struct hdrv_dma *mem)
{
	if (mem->cpu && gpu->bus.ops->dma_unmap)
		gpu->bus.ops->dma_unmap(gpu->bus.ctx, mem);
	memset(mem, 0, sizeof(*mem));
}

static bool page_used(struct hdrv_gpu *gpu, uint64_t p)
{
	return gpu->ggtt_map[p / 64] & (1ull << (p % 64));
}

static void mark_pages(struct hdrv_gpu *gpu, uint64_t first, uint64_t n, bool used)
{
	for (uint64_t p = first; p < first + n; p++) {
		if (used)
			gpu->ggtt_map[p / 64] |= 1ull << (p % 64);
		else
			gpu->ggtt_map[p / 64] &= ~(1ull << (p % 64));
	}
}

static int ggtt_find(struct hdrv_gpu *gpu, uint64_t n, uint64_t align, uint64_t from,
		     uint64_t to, uint64_t *out)
{
	uint64_t p = (from + align - 1) / align * align;

	while (p + n <= to) {
		uint64_t i;

		for (i = 0; i < n && !page_used(gpu, p + i); i++)
			;
		if (i == n) {
			*out = p;
			return 0;
		}
		p = (p + i + 1 + align - 1) / align * align;
	}
	return -ENOSPC;
}

int hdrv_ggtt_alloc(struct hdrv_gpu *gpu, uint64_t size, uint64_t align, uint64_t *gtt)
{
	uint64_t n = (size + 4095) / 4096, a = align > 4096 ? align / 4096 : 1, p;
	int ret;

	if (!size || n > gpu->alloc_pages || (align & (align - 1)))
		return -EINVAL;
	hdrv_lock(gpu);
	ret = ggtt_find(gpu, n, a, gpu->ggtt_hint, gpu->alloc_pages, &p);
	if (ret)
		ret = ggtt_find(gpu, n, a, 1, gpu->alloc_pages, &p);
	if (!ret) {
		mark_pages(gpu, p, n, true);
		gpu->ggtt_hint = p + n;
		*gtt = p * 4096;
	}
	hdrv_unlock(gpu);
	return ret;
}

void hdrv_ggtt_release(struct hdrv_gpu *gpu, uint64_t gtt, uint64_t size)
{
	uint64_t first = gtt / 4096, n = (size + 4095) / 4096;

	if (!first || first + n > gpu->ggtt_pages)
		return;
	hdrv_lock(gpu);
	mark_pages(gpu, first, n, false);
	if (first < gpu->ggtt_hint)
		gpu->ggtt_hint = first;
	hdrv_unlock(gpu);
}

static void pte_write(struct hdrv_gpu *gpu, uint64_t gtt, uint64_t dma)
{
	/* gen8 GGTT PTE: bit0 present, bits 38:12 address (i915 gen8_ggtt_pte_encode) */
	gpu->bus.ops->write64(gpu->bus.ctx, 0, GGTT_BAR_OFFSET + (gtt >> 12) * 8, dma | 1);
}

static void ggtt_invalidate(struct hdrv_gpu *gpu)
{
	wr(gpu, GFX_FLSH_CNTL, 1);
}

void hdrv_ggtt_invalidate(struct hdrv_gpu *gpu)
{
	ggtt_invalidate(gpu);
}

int hdrv_ggtt_write_pte(struct hdrv_gpu *gpu, uint64_t index, uint64_t pte)
{
	if (index >= gpu->ggtt_pages)
		return -EINVAL;
	gpu->bus.ops->write64(gpu->bus.ctx, 0, GGTT_BAR_OFFSET + index * 8, pte);
	return 0;
}

int hdrv_ggtt_insert(struct hdrv_gpu *gpu, uint64_t gtt, uint64_t dma)
{
	if ((gtt | dma) & 4095 || gtt >= gpu->ggtt_pages * 4096)
		return -EINVAL;
	pte_write(gpu, gtt, dma);
	ggtt_invalidate(gpu);
	return 0;
}

int hdrv_ggtt_insert_range(struct hdrv_gpu *gpu, uint64_t gtt, const struct hdrv_dma *mem)
{
	if ((gtt & 4095) || gtt + mem->size > gpu->ggtt_pages * 4096)
		return -EINVAL;
	for (uint64_t off = 0; off < mem->size; off += 4096)
		pte_write(gpu, gtt + off, mem->dma + off);
	ggtt_invalidate(gpu);
	return 0;
}

int hdrv_ggtt_clear(struct hdrv_gpu *gpu, uint64_t gtt, uint64_t npages)
{
	if ((gtt & 4095) || gtt / 4096 + npages > gpu->ggtt_pages)
		return -EINVAL;
	for (uint64_t i = 0; i < npages; i++)
		pte_write(gpu, gtt + i * 4096, gpu->scratch.dma);
	ggtt_invalidate(gpu);
	return 0;
}

uint64_t hdrv_ggtt_read_pte(struct hdrv_gpu *gpu, uint64_t gtt)
{
	return gpu->bus.ops->read64(gpu->bus.ctx, 0, GGTT_BAR_OFFSET + (gtt >> 12) * 8);
}

int hdrv_bo_create(struct hdrv_gpu *gpu, size_t size, struct hdrv_bo *bo)
{
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = hdrv_dma_alloc(gpu, size, &bo->mem);
	if (ret)
		return ret;
	ret = hdrv_ggtt_alloc(gpu, bo->mem.size, 4096, &bo->gtt);
	if (ret)
		goto out_free_dma;
	ret = hdrv_ggtt_insert_range(gpu, bo->gtt, &bo->mem);
	if (ret)
		goto out_release_ggtt;
	return 0;

out_release_ggtt:
	hdrv_ggtt_release(gpu, bo->gtt, bo->mem.size);
out_free_dma:
	hdrv_dma_free(gpu, &bo->mem);
	return ret;
}

void hdrv_bo_destroy(struct hdrv_gpu *gpu, struct hdrv_bo *bo)
{
	if (!bo->mem.cpu)
		return;
	hdrv_ggtt_clear(gpu, bo->gtt, bo->mem.size / 4096);
	hdrv_ggtt_release(gpu, bo->gtt, bo->mem.size);
	hdrv_dma_free(gpu, &bo->mem);
	memset(bo, 0, sizeof(*bo));
}

/* ---- bring-up ---------------------------------------------------------- */

static bool gen9_device(uint16_t dev)
{
	/* SKL 0x19xx, KBL 0x59xx (include/drm/intel/i915_pciids.h) */
	return (dev & 0xFF00) == 0x1900 || (dev & 0xFF00) == 0x5900;
}

/* i915 gen8_reset_engines: RESET_CTL handshake per engine, then GDRST */
static int reset_domains(struct hdrv_gpu *gpu, uint32_t gdrst_bits, uint32_t engine_mask)
{
	int ret = 0;

	for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++) {
		struct hdrv_engine *e = &gpu->eng[i];

		if (!(engine_mask & (1u << i)))
			continue;
		ewr(gpu, e, RING_RESET_CTL, MASKED_ENABLE(RESET_REQUEST));
		if (hdrv_wait_reg(gpu, e->base + RING_RESET_CTL, RESET_READY, RESET_READY, 700))
			hdrv_log("engine %u: not ready to reset", i);
	}
	wr(gpu, GDRST, gdrst_bits);
	if (hdrv_wait_reg(gpu, GDRST, gdrst_bits, 0, 2000)) {
		hdrv_log("GDRST 0x%x did not clear", gdrst_bits);
		ret = -EIO;
	}
	for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++)
		if (engine_mask & (1u << i))
			ewr(gpu, &gpu->eng[i], RING_RESET_CTL, MASKED_DISABLE(RESET_REQUEST));
	return ret;
}

int hdrv_reset_engines(struct hdrv_gpu *gpu, uint32_t engine_mask)
{
	uint32_t bits = 0;

	if (engine_mask == (1u << HDRV_NUM_ENGINES) - 1) {
		bits = GDRST_FULL;
	} else {
		for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++)
			if (engine_mask & (1u << i))
				bits |= gpu->eng[i].gdrst_bit;
	}
	return reset_domains(gpu, bits, engine_mask);
}

/*
 * Keep every forcewake domain awake for as long as the driver runs (RC6 is
 * never enabled), so no register access ever needs a per-access wake
 * (i915 intel_uncore.c: masked FORCEWAKE_KERNEL request, ack within 50 ms).
 */
static int forcewake_all(struct hdrv_gpu *gpu, bool on)
{
	static const uint32_t req[] = { FORCEWAKE_RENDER, FORCEWAKE_MT, FORCEWAKE_MEDIA };
	static const uint32_t ack[] = { FORCEWAKE_ACK_RENDER, FORCEWAKE_ACK_GT, FORCEWAKE_ACK_MEDIA };
	int ret = 0;

	for (unsigned int i = 0; i < 3; i++) {
		wr(gpu, req[i], on ? MASKED_ENABLE(FORCEWAKE_KERNEL) : MASKED_DISABLE(FORCEWAKE_KERNEL));
		if (hdrv_wait_reg(gpu, ack[i], FORCEWAKE_KERNEL, on ? FORCEWAKE_KERNEL : 0, 50000)) {
			hdrv_log("forcewake domain %u: no ack", i);
			ret = -EIO;
		}
	}
	return ret;
}

static void irq_reset(struct hdrv_gpu *gpu)
{
	/* i915 gen3_irq_reset + gen3_assert_iir_is_zero */
	wr(gpu, MASTER_IRQ, 0);
	for (unsigned int n = 0; n < 4; n++) {
		wr(gpu, GT_IMR(n), 0xFFFFFFFF);
		wr(gpu, GT_IER(n), 0);
		wr(gpu, GT_IIR(n), 0xFFFFFFFF);
		wr(gpu, GT_IIR(n), 0xFFFFFFFF);
	}
}

static void irq_postinstall(struct hdrv_gpu *gpu)
{
	uint32_t ier[4] = { 0 };

	for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++)
		ier[gpu->eng[i].irq_bank] |= ENGINE_IRQS << gpu->eng[i].irq_shift;
	for (unsigned int n = 0; n < 4; n++) {
		wr(gpu, GT_IER(n), ier[n]);
		wr(gpu, GT_IMR(n), ~ier[n]);
	}
}

int hdrv_gpu_probe(const struct hdrv_bus *bus, const struct hdrv_config *cfg,
		   struct hdrv_gpu **out)
{
	struct hdrv_gpu *gpu;
	uint32_t id, ctc;
	unsigned int i;
	int ret;

	if (!bus || !bus->ops || !bus->ops->read32 || !bus->ops->write32 || !bus->ops->read64 ||
	    !bus->ops->write64 || !bus->ops->dma_alloc || !bus->ops->dma_free || !bus->ops->cfg_read32)
		return -EINVAL;
	gpu = hdrv_zalloc(sizeof(*gpu));
	if (!gpu)
		return -ENOMEM;
	gpu->bus = *bus;
	if (cfg)
		gpu->cfg = *cfg;
	if (!gpu->cfg.ggtt_size || gpu->cfg.ggtt_size > GGTT_MAX)
		gpu->cfg.ggtt_size = GGTT_MAX;
	gpu->cfg.ggtt_size &= ~4095ull;
	if (!gpu->cfg.hang_ms)
		gpu->cfg.hang_ms = 500;
	hdrv_mutex_init(&gpu->lock);
	gpu->next_ccid = 1;
	for (i = 0; i < HDRV_NUM_ENGINES; i++) {
		gpu->eng[i].id = engine_hw[i].id;
		gpu->eng[i].base = engine_hw[i].base;
		gpu->eng[i].irq_bank = engine_hw[i].bank;
		gpu->eng[i].irq_shift = engine_hw[i].shift;
		gpu->eng[i].gdrst_bit = engine_hw[i].gdrst;
	}

	id = bus->ops->cfg_read32(bus->ctx, 0);
	gpu->info.vendor = (uint16_t)id;
	gpu->info.device = (uint16_t)(id >> 16);
	if (gpu->info.vendor != 0x8086 || !gen9_device(gpu->info.device)) {
		hdrv_log("not a Gen9 Intel GPU (%04x:%04x)", gpu->info.vendor, gpu->info.device);
		ret = -ENODEV;
		goto out_free;
	}
	/* i915 sanity_check_mmio_access: all-ones means the device is gone */
	if (rd(gpu, FORCEWAKE_MT) == 0xFFFFFFFF) {
		hdrv_log("MMIO reads all-ones: device is non-operational");
		ret = -EIO;
		goto out_free;
	}
	ret = forcewake_all(gpu, true);
	if (ret)
		goto out_release_fw;
	gpu->info.fuse2 = rd(gpu, FUSE2);
	ctc = rd(gpu, CTC_MODE);
	/* gen9_read_clock_frequency: crystal 24 MHz >> (3 - bits 2:1) */
	gpu->info.ts_freq_hz = (ctc & 1) ? 12500000 : 24000000u >> (3 - ((ctc >> 1) & 3));
	gpu->info.ggtt_size = gpu->cfg.ggtt_size;

	ret = hdrv_reset_engines(gpu, (1u << HDRV_NUM_ENGINES) - 1);
	if (ret)
		goto out_release_fw;
	irq_reset(gpu);
	/*
	 * Private PAT for PPGTT entries (i915 bdw_setup_private_ppat): 0 WB+LLC,
	 * 1 WC, 2 WT, 3 UC, 4-7 WB LLC/eLLC with age 0-3.
	 */
	wr(gpu, 0x40E0, 0x000A0907);	/* GEN8_PRIVATE_PAT_LO */
	wr(gpu, 0x40E4, 0x3B2B1B0B);	/* GEN8_PRIVATE_PAT_HI */

	gpu->ggtt_pages = gpu->cfg.ggtt_size / 4096;
	gpu->alloc_pages = gpu->ggtt_pages;
	if (gpu->cfg.ggtt_alloc_size && gpu->cfg.ggtt_alloc_size / 4096 < gpu->ggtt_pages)
		gpu->alloc_pages = gpu->cfg.ggtt_alloc_size / 4096;
	gpu->ggtt_map = hdrv_zalloc((gpu->ggtt_pages + 63) / 64 * 8);
	if (!gpu->ggtt_map) {
		ret = -ENOMEM;
		goto out_release_fw;
	}
	mark_pages(gpu, 0, 1, true);	/* GGTT 0 is never handed out (i915 pin bias) */
	gpu->ggtt_hint = 1;
	ret = hdrv_dma_alloc(gpu, 4096, &gpu->scratch);
	if (ret)
		goto out_free_map;
	/* every PTE points somewhere harmless: stale GGTT accesses hit scratch */
	hdrv_ggtt_clear(gpu, 0, gpu->ggtt_pages);

	for (i = 0; i < HDRV_NUM_ENGINES; i++) {
		ret = hdrv_bo_create(gpu, 4096, &gpu->eng[i].hwsp);
		if (ret)
			goto out_free_engines;
		ret = hdrv_engine_init_hw(gpu, &gpu->eng[i]);
		if (ret)
			goto out_free_engines;
	}
	irq_postinstall(gpu);
	if (gpu->cfg.use_irq && bus->ops->irq_connect) {
		ret = bus->ops->irq_connect(bus->ctx, irq_handler, gpu);
		if (ret)
			goto out_free_engines;
		wr(gpu, MASTER_IRQ, MASTER_IRQ_ENABLE);
	} else {
		gpu->cfg.use_irq = false;
	}
	*out = gpu;
	return 0;

out_free_engines:
	for (i = 0; i < HDRV_NUM_ENGINES; i++)
		hdrv_bo_destroy(gpu, &gpu->eng[i].hwsp);
	hdrv_dma_free(gpu, &gpu->scratch);
out_free_map:
	hdrv_free(gpu->ggtt_map);
out_release_fw:
	forcewake_all(gpu, false);
out_free:
	hdrv_mutex_destroy(&gpu->lock);
	hdrv_free(gpu);
	return ret;
}

void hdrv_gpu_remove(struct hdrv_gpu *gpu)
{
	if (!gpu)
		return;
	wr(gpu, MASTER_IRQ, 0);
	if (gpu->cfg.use_irq)
		gpu->bus.ops->irq_connect(gpu->bus.ctx, NULL, NULL);
	/* stop the engines before their memory goes away */
	hdrv_reset_engines(gpu, (1u << HDRV_NUM_ENGINES) - 1);
	for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++)
		hdrv_bo_destroy(gpu, &gpu->eng[i].hwsp);
	hdrv_dma_free(gpu, &gpu->scratch);
	hdrv_free(gpu->ggtt_map);
	forcewake_all(gpu, false);
	hdrv_mutex_destroy(&gpu->lock);
	hdrv_free(gpu);
}

void hdrv_gpu_info(struct hdrv_gpu *gpu, struct hdrv_info *info)
{
	*info = gpu->info;
}

int hdrv_gpu_reset(struct hdrv_gpu *gpu)
{
	int ret;

	hdrv_lock(gpu);
	ret = hdrv_reset_engines(gpu, (1u << HDRV_NUM_ENGINES) - 1);
	for (unsigned int i = 0; i < HDRV_NUM_ENGINES; i++) {
		hdrv_engine_drop_all(gpu, &gpu->eng[i]);
		if (!ret)
			ret = hdrv_engine_init_hw(gpu, &gpu->eng[i]);
	}
	hdrv_unlock(gpu);
	return ret;
}
