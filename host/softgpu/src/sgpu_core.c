// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu device: creation, DMA regions, BAR entry points, engine threads,
 * interrupt delivery.
 */
#include "sgpu_internal.h"

static const struct {
	const char *name;
	uint32_t base, bank, shift, master, gdrst;
} engine_desc[SGPU_NUM_ENGINES] = {
	/* bases: i915 intel_engine_cs.c; irq banks: i915 intel_gt_irq.c;
	 * GDRST bits: i915 intel_reset.c (GEN6_GRDOM_*) */
	[SGPU_RCS] = { "rcs0", 0x2000, 0, 0, 1u << 0, 1u << 1 },
	[SGPU_BCS] = { "bcs0", 0x22000, 0, 16, 1u << 1, 1u << 3 },
	[SGPU_VCS] = { "vcs0", 0x12000, 1, 0, 1u << 2, 1u << 2 },
	[SGPU_VECS] = { "vecs0", 0x1A000, 3, 0, 1u << 6, 1u << 4 },
};

static void log_line(struct sgpu *gpu, const char *line)
{
	if (gpu->cfg.log)
		gpu->cfg.log(gpu->cfg.log_arg, line);
	else
		fprintf(stderr, "softgpu: %s\n", line);
}

void sgpu_log(struct sgpu *gpu, const char *fmt, ...)
{
	uint64_t now = sgpu_now_ns();
	char line[256];
	va_list ap;

	/* rate limit: at most log_limit lines per second, nothing a guest
	 * does may flood the host log */
	if (now - gpu->log_window_ns >= 1000000000ull) {
		if (gpu->log_suppressed) {
			snprintf(line, sizeof(line), "%u messages suppressed", gpu->log_suppressed);
			log_line(gpu, line);
		}
		gpu->log_window_ns = now;
		gpu->log_count = 0;
		gpu->log_suppressed = 0;
	}
	if (gpu->log_count >= gpu->cfg.log_limit) {
		gpu->log_suppressed++;
		return;
	}
	gpu->log_count++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_line(gpu, line);
}

void sgpu_unlock_deliver(struct sgpu *gpu)
{
	bool edge = gpu->irq_edge;
	void (*fn)(void *) = gpu->irq_fn;
	void *arg = gpu->irq_arg;

	gpu->irq_edge = false;
	if (edge && fn)
		__atomic_add_fetch(&gpu->irq_busy, 1, __ATOMIC_ACQ_REL);
	SGPU_UNLOCK(gpu);
	if (edge && fn) {
		fn(arg);
		__atomic_sub_fetch(&gpu->irq_busy, 1, __ATOMIC_ACQ_REL);
	}
}

void sgpu_kick(struct sgpu_engine *eng)
{
	if (eng->thread_started)
		pthread_cond_signal(&eng->cv);
}

#define GGTT_BYTES	((SGPU_GGTT_SIZE >> 12) * sizeof(uint64_t))

/* ---- DMA regions ------------------------------------------------------ */

static int region_insert(struct sgpu *gpu, uint64_t dma, uint64_t size, uint8_t *host, bool owned)
{
	unsigned int i;

	if (gpu->nregions == gpu->cap_regions) {
		unsigned int cap = gpu->cap_regions ? gpu->cap_regions * 2 : 64;
		struct sgpu_region *n = realloc(gpu->regions, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		gpu->regions = n;
		gpu->cap_regions = cap;
	}
	for (i = gpu->nregions; i > 0 && gpu->regions[i - 1].dma > dma; i--)
		gpu->regions[i] = gpu->regions[i - 1];
	gpu->regions[i] = (struct sgpu_region){ dma, size, host, owned };
	gpu->nregions++;
	gpu->last_region = i;
	return 0;
}

uint8_t *sgpu_dma_host(struct sgpu *gpu, uint64_t dma, uint64_t len)
{
	struct sgpu_region *r;
	unsigned int lo = 0, hi = gpu->nregions;

	if (gpu->last_region < gpu->nregions) {
		r = &gpu->regions[gpu->last_region];
		if (dma >= r->dma && dma - r->dma < r->size && len <= r->size - (dma - r->dma))
			return r->host + (dma - r->dma);
	}
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		r = &gpu->regions[mid];
		if (dma < r->dma) {
			hi = mid;
		} else if (dma - r->dma >= r->size) {
			lo = mid + 1;
		} else {
			if (len > r->size - (dma - r->dma))
				return NULL;
			gpu->last_region = mid;
			return r->host + (dma - r->dma);
		}
	}
	return NULL;
}

/* bus addresses handed out: start at 4 GiB, one unmapped guard page between regions */
#define DMA_BASE	(1ull << 32)
#define DMA_LIMIT	(1ull << 39)	/* i915's gen8 DMA mask */

/* first fit in the bus address space, keeping a guard page around each region */
static int dma_add(struct sgpu *gpu, uint8_t *host, size_t size, bool owned, uint64_t *dma)
{
	uint64_t sz = (size + 4095) & ~4095ull, cand = DMA_BASE;

	for (unsigned int i = 0; i < gpu->nregions; i++) {
		const struct sgpu_region *r = &gpu->regions[i];

		if (cand + sz + 4096 <= r->dma)
			break;
		if (r->dma + r->size + 4096 > cand)
			cand = r->dma + r->size + 4096;
	}
	if (cand + sz > DMA_LIMIT)
		return -ENOMEM;
	*dma = cand;
	return region_insert(gpu, cand, sz, host, owned);
}

int sgpu_dma_alloc(struct sgpu *gpu, size_t size, void **cpu, uint64_t *dma)
{
	size_t sz = (size + 4095) & ~(size_t)4095;
	uint8_t *p;
	int ret;

	if (!size || size > (1ull << 36))
		return -EINVAL;
	p = sgpu_zalloc_aligned(sz);
	if (!p)
		return -ENOMEM;
	SGPU_LOCK(gpu);
	ret = dma_add(gpu, p, sz, true, dma);
	SGPU_UNLOCK(gpu);
	if (ret) {
		sgpu_free(p);
		return ret;
	}
	*cpu = p;
	return 0;
}

int sgpu_dma_map(struct sgpu *gpu, void *host, size_t size, uint64_t *dma)
{
	int ret;

	if (!host || !size || ((uintptr_t)host & 4095) || (size & 4095))
		return -EINVAL;
	SGPU_LOCK(gpu);
	ret = dma_add(gpu, host, size, false, dma);
	SGPU_UNLOCK(gpu);
	return ret;
}

int sgpu_dma_unmap(struct sgpu *gpu, uint64_t dma)
{
	unsigned int i;
	uint8_t *host = NULL;

	SGPU_LOCK(gpu);
	for (i = 0; i < gpu->nregions; i++)
		if (gpu->regions[i].dma == dma)
			break;
	if (i == gpu->nregions) {
		SGPU_UNLOCK(gpu);
		return -ENOENT;
	}
	if (gpu->regions[i].owned)
		host = gpu->regions[i].host;
	for (; i + 1 < gpu->nregions; i++)
		gpu->regions[i] = gpu->regions[i + 1];
	gpu->nregions--;
	gpu->last_region = 0;
	/* cached translations may point into the region: drop them */
	for (i = 0; i < SGPU_NUM_ENGINES; i++)
		sgpu_tc_flush(&gpu->eng[i]);
	SGPU_UNLOCK(gpu);
	sgpu_free(host);
	return 0;
}

/* ---- BAR entry points ------------------------------------------------- */

uint32_t sgpu_cfg_read32(struct sgpu *gpu, uint32_t off)
{
	switch (off & ~3u) {
	case 0x00:
		return SGPU_PCI_VENDOR | ((uint32_t)SGPU_PCI_DEVICE << 16);
	case 0x08:
		return 0x03000000 | 0x07;	/* VGA class, revision 7 */
	case 0x10:
		return 0x4;			/* BAR0: 64-bit memory */
	case 0x18:
		return 0xC;			/* BAR2: 64-bit prefetchable */
	case 0x2C:
		return SGPU_PCI_VENDOR | ((uint32_t)SGPU_PCI_DEVICE << 16);
	default:
		return 0;
	}
}

static void ggtt_invalidate_caches(struct sgpu *gpu)
{
	for (unsigned int i = 0; i < SGPU_NUM_ENGINES; i++)
		sgpu_tc_flush(&gpu->eng[i]);
}

uint32_t sgpu_mmio_read32(struct sgpu *gpu, uint64_t off)
{
	uint32_t v;

	if (off >= SGPU_BAR0_SIZE || (off & 3))
		return 0xFFFFFFFF;
	SGPU_LOCK(gpu);
	if (off >= SGPU_GGTT_OFFSET) {
		uint64_t pte = gpu->ggtt[(off - SGPU_GGTT_OFFSET) >> 3];

		v = (off & 4) ? (uint32_t)(pte >> 32) : (uint32_t)pte;
	} else if (off < SGPU_MMIO_SIZE) {
		v = sgpu_reg_read(gpu, (uint32_t)off);
	} else {
		v = 0;
	}
	sgpu_unlock_deliver(gpu);
	return v;
}

void sgpu_mmio_write32(struct sgpu *gpu, uint64_t off, uint32_t val)
{
	if (off >= SGPU_BAR0_SIZE || (off & 3))
		return;
	SGPU_LOCK(gpu);
	if (off >= SGPU_GGTT_OFFSET) {
		uint64_t *pte = &gpu->ggtt[(off - SGPU_GGTT_OFFSET) >> 3];

		if (off & 4)
			*pte = (*pte & 0xFFFFFFFFull) | ((uint64_t)val << 32);
		else
			*pte = (*pte & ~0xFFFFFFFFull) | val;
		ggtt_invalidate_caches(gpu);
	} else if (off < SGPU_MMIO_SIZE) {
		sgpu_reg_write(gpu, (uint32_t)off, val, false);
	}
	sgpu_unlock_deliver(gpu);
}

uint64_t sgpu_mmio_read64(struct sgpu *gpu, uint64_t off)
{
	uint64_t v;

	if (off >= SGPU_BAR0_SIZE || (off & 7))
		return ~0ull;
	if (off < SGPU_GGTT_OFFSET)
		return sgpu_mmio_read32(gpu, off) | ((uint64_t)sgpu_mmio_read32(gpu, off + 4) << 32);
	SGPU_LOCK(gpu);
	v = gpu->ggtt[(off - SGPU_GGTT_OFFSET) >> 3];
	SGPU_UNLOCK(gpu);
	return v;
}

void sgpu_mmio_write64(struct sgpu *gpu, uint64_t off, uint64_t val)
{
	if (off >= SGPU_BAR0_SIZE || (off & 7))
		return;
	if (off < SGPU_GGTT_OFFSET) {
		sgpu_mmio_write32(gpu, off, (uint32_t)val);
		sgpu_mmio_write32(gpu, off + 4, (uint32_t)(val >> 32));
		return;
	}
	SGPU_LOCK(gpu);
	gpu->ggtt[(off - SGPU_GGTT_OFFSET) >> 3] = val;	/* one PTE, atomic */
	ggtt_invalidate_caches(gpu);
	SGPU_UNLOCK(gpu);
}

uint32_t sgpu_aperture_read32(struct sgpu *gpu, uint64_t off)
{
	uint32_t v = 0xFFFFFFFF;

	if (off >= SGPU_APERTURE_SIZE || (off & 3))
		return v;
	SGPU_LOCK(gpu);
	if (sgpu_ggtt_read32(gpu, off, &v))
		v = 0xFFFFFFFF;	/* unmapped aperture reads float */
	SGPU_UNLOCK(gpu);
	return v;
}

void sgpu_aperture_write32(struct sgpu *gpu, uint64_t off, uint32_t val)
{
	if (off >= SGPU_APERTURE_SIZE || (off & 3))
		return;
	SGPU_LOCK(gpu);
	sgpu_ggtt_write32(gpu, off, val);	/* unmapped: dropped */
	SGPU_UNLOCK(gpu);
}

/* ---- interrupts, stats ------------------------------------------------ */

void sgpu_set_irq_handler(struct sgpu *gpu, void (*fn)(void *arg), void *arg)
{
	SGPU_LOCK(gpu);
	gpu->irq_fn = fn;
	gpu->irq_arg = arg;
	SGPU_UNLOCK(gpu);
	/* after a disconnect no old handler may still be running: the caller
	 * may free what arg points to (must not be called from the handler) */
	while (__atomic_load_n(&gpu->irq_busy, __ATOMIC_ACQUIRE))
		sched_yield();
}

bool sgpu_irq_pending(struct sgpu *gpu)
{
	bool v;

	SGPU_LOCK(gpu);
	v = gpu->irq_line;
	SGPU_UNLOCK(gpu);
	return v;
}

void sgpu_get_stats(struct sgpu *gpu, struct sgpu_stats *st)
{
	SGPU_LOCK(gpu);
	*st = gpu->st;
	for (unsigned int i = 0; i < SGPU_NUM_ENGINES; i++)
		st->busy_ns[i] = gpu->eng[i].model_ns;
	SGPU_UNLOCK(gpu);
}

void sgpu_engine_error(struct sgpu *gpu, enum sgpu_engine_id id, struct sgpu_error *err)
{
	memset(err, 0, sizeof(*err));
	if ((unsigned int)id >= SGPU_NUM_ENGINES)
		return;
	SGPU_LOCK(gpu);
	*err = gpu->eng[id].err;
	SGPU_UNLOCK(gpu);
}

/* ---- execution -------------------------------------------------------- */

uint64_t sgpu_step(struct sgpu *gpu, uint32_t budget)
{
	uint64_t n = 0;

	SGPU_LOCK(gpu);
	for (unsigned int i = 0; i < SGPU_NUM_ENGINES; i++)
		if (!gpu->eng[i].thread_started && sgpu_engine_runnable(&gpu->eng[i]))
			n += sgpu_engine_run(&gpu->eng[i], budget);
	sgpu_unlock_deliver(gpu);
	return n;
}

uint64_t sgpu_pace_ahead_ns(struct sgpu_engine *eng)
{
	uint64_t want, have;

	if (!eng->active)
		return 0;
	want = eng->model_ns - eng->act_model_ns;
	have = sgpu_now_ns() - eng->act_start_ns;
	return want > have ? want - have : 0;
}

static void *engine_thread(void *arg)
{
	struct sgpu_engine *eng = arg;
	struct sgpu *gpu = eng->gpu;

	SGPU_LOCK(gpu);
	while (!gpu->stopping) {
		bool waiting;
		uint32_t n;

		if (!sgpu_engine_runnable(eng)) {
			pthread_cond_wait(&eng->cv, &gpu->lock);
			continue;
		}
		n = sgpu_engine_run(eng, gpu->cfg.slice_cmds);
		if (gpu->cfg.pace) {
			uint64_t ahead = sgpu_pace_ahead_ns(eng);

			if (ahead) {
				sgpu_unlock_deliver(gpu);
				sgpu_sleep_ns(ahead > 2000000 ? 2000000 : ahead);
				SGPU_LOCK(gpu);
				continue;
			}
		}
		waiting = eng->sem_waiting || !n;
		sgpu_unlock_deliver(gpu);
		/* waiting on a semaphore (or nothing done): let others run */
		if (waiting)
			sgpu_sleep_ns(20000);
		else
			sched_yield();
		SGPU_LOCK(gpu);
	}
	SGPU_UNLOCK(gpu);
	return NULL;
}

int sgpu_create(const struct sgpu_config *cfg, struct sgpu **out)
{
	struct sgpu *gpu;
	unsigned int i;
	int ret = -ENOMEM;

	gpu = sgpu_zalloc(sizeof(*gpu));
	if (!gpu)
		return -ENOMEM;
	if (cfg)
		gpu->cfg = *cfg;
	if (!gpu->cfg.slice_cmds)
		gpu->cfg.slice_cmds = 256;
	if (!gpu->cfg.ns_per_cmd)
		gpu->cfg.ns_per_cmd = 20;
	if (!gpu->cfg.blit_mb_per_s)
		gpu->cfg.blit_mb_per_s = 8000;
	if (!gpu->cfg.log_limit)
		gpu->cfg.log_limit = 32;
	gpu->regs = sgpu_zalloc_large(SGPU_MMIO_SIZE);
	if (!gpu->regs)
		goto out_free_gpu;
	gpu->ggtt = sgpu_zalloc_large(GGTT_BYTES);
	if (!gpu->ggtt)
		goto out_free_regs;
	pthread_mutex_init(&gpu->lock, NULL);
	gpu->t0_ns = sgpu_now_ns();
	for (i = 0; i < SGPU_NUM_ENGINES; i++) {
		struct sgpu_engine *eng = &gpu->eng[i];

		eng->gpu = gpu;
		eng->id = i;
		eng->name = engine_desc[i].name;
		eng->base = engine_desc[i].base;
		eng->irq_bank = engine_desc[i].bank;
		eng->irq_shift = engine_desc[i].shift;
		eng->master_bit = engine_desc[i].master;
		eng->gdrst_bit = engine_desc[i].gdrst;
		pthread_cond_init(&eng->cv, NULL);
	}
	sgpu_regs_reset(gpu);
	for (i = 0; i < SGPU_NUM_ENGINES; i++)
		sgpu_engine_reset(&gpu->eng[i]);
	if (gpu->cfg.threaded) {
		for (i = 0; i < SGPU_NUM_ENGINES; i++) {
			ret = -pthread_create(&gpu->eng[i].thread, NULL, engine_thread, &gpu->eng[i]);
			if (ret)
				goto out_stop_threads;
			gpu->eng[i].thread_started = true;
		}
	}
	*out = gpu;
	return 0;

out_stop_threads:
	sgpu_destroy(gpu);
	return ret;
out_free_regs:
	sgpu_free_large(gpu->regs, SGPU_MMIO_SIZE);
out_free_gpu:
	sgpu_free(gpu);
	return ret;
}

void sgpu_destroy(struct sgpu *gpu)
{
	unsigned int i;

	if (!gpu)
		return;
	SGPU_LOCK(gpu);
	gpu->stopping = true;
	for (i = 0; i < SGPU_NUM_ENGINES; i++)
		pthread_cond_signal(&gpu->eng[i].cv);
	SGPU_UNLOCK(gpu);
	for (i = 0; i < SGPU_NUM_ENGINES; i++) {
		if (gpu->eng[i].thread_started)
			pthread_join(gpu->eng[i].thread, NULL);
		pthread_cond_destroy(&gpu->eng[i].cv);
	}
	for (i = 0; i < gpu->nregions; i++)
		if (gpu->regions[i].owned)
			sgpu_free(gpu->regions[i].host);
	free(gpu->regions);
	pthread_mutex_destroy(&gpu->lock);
	sgpu_free_large(gpu->ggtt, GGTT_BYTES);
	sgpu_free_large(gpu->regs, SGPU_MMIO_SIZE);
	sgpu_free(gpu);
}
