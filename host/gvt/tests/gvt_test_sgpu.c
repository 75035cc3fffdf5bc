// SPDX-License-Identifier: GPL-2.0-only
/* The softgpu-backed test environment (gvt_test_sgpu.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gvt_test_sgpu.h"

_Static_assert(offsetof(struct sgenv, h) == 0, "the host ops' priv is the env and the adapter's");

/* ---- host ops: the shared adapter over hostdrv, observed ---- */

static void h_kick(void *arg)
{
	struct sgenv *e = arg;

	e->kicks++;
}

static int t_ctx_submit(void *priv, void *hctx, const struct gvt_host_submit *s)
{
	struct sgenv *e = priv;

	e->submits++;
	if (e->cfg.ctx_submit)
		return e->cfg.ctx_submit(e, hctx, s);
	return e->hd_ops.ctx_submit(priv, hctx, s);
}

static int t_gm_alloc(void *priv, size_t size, void **cpu, uint64_t *gm, void **handle)
{
	struct sgenv *e = priv;
	int ret = e->hd_ops.gm_alloc(priv, size, cpu, gm, handle);

	if (!ret) {
		__atomic_add_fetch(&e->gm_live, 1, __ATOMIC_RELAXED);
		e->gm_last = *gm;
	}
	return ret;
}

static void t_gm_free(void *priv, void *handle)
{
	struct sgenv *e = priv;

	__atomic_sub_fetch(&e->gm_live, 1, __ATOMIC_RELAXED);
	e->hd_ops.gm_free(priv, handle);
}

static uint32_t t_mmio_read(void *priv, uint32_t off)
{
	struct sgenv *e = priv;

	e->mmio_reads++;
	return e->hd_ops.mmio_read(priv, off);
}

static void env_host_init(struct sgenv *e)
{
	gvt_hostdrv_init(&e->h, e->hd);
	e->h.kick = h_kick;
	e->h.kick_arg = e;
	gvt_hostdrv_ops(&e->hd_ops);
	e->ops = e->hd_ops;
	e->ops.ctx_submit = t_ctx_submit;
	e->ops.gm_alloc = t_gm_alloc;
	e->ops.gm_free = t_gm_free;
	e->ops.mmio_read = t_mmio_read;
	if (e->cfg.no_host_mmio) {
		e->ops.mmio_read = NULL;
		e->ops.mmio_write = NULL;
	}
	hdrv_set_callbacks(e->hd, gvt_hostdrv_callbacks(), &e->h);
}

/* ---- the hypervisor of one VM ---- */

static int y_gpa_read(void *priv, uint64_t gpa, void *buf, size_t len)
{
	struct sgenv_vm *m = priv;

	if (gpa >= m->ram_size || len > m->ram_size - gpa)
		return -EFAULT;
	memcpy(buf, m->ram + gpa, len);
	return 0;
}

static int y_gpa_write(void *priv, uint64_t gpa, const void *buf, size_t len)
{
	struct sgenv_vm *m = priv;

	if (gpa >= m->ram_size || len > m->ram_size - gpa)
		return -EFAULT;
	memcpy(m->ram + gpa, buf, len);
	return 0;
}

static int y_dma_map(void *priv, uint64_t gfn, uint64_t *dma)
{
	struct sgenv_vm *m = priv;

	m->pin_calls++;
	if ((gfn << 12) >= m->ram_size || (gfn >= m->gone_lo && gfn < m->gone_hi))
		return -EFAULT;
	*dma = m->ram_dma.dma + (gfn << 12);
	m->pinned++;
	return 0;
}

static void y_dma_unmap(void *priv, uint64_t gfn, uint64_t dma)
{
	struct sgenv_vm *m = priv;

	(void)gfn;
	(void)dma;
	m->pinned--;
}

static int y_inject_msi(void *priv, uint64_t addr, uint32_t data)
{
	struct sgenv_vm *m = priv;

	(void)addr;
	(void)data;
	m->msi++;
	return 0;
}

static void y_log(void *priv, int level, const char *msg)
{
	(void)priv;
	if (getenv("GVT_TEST_VERBOSE"))
		fprintf(stderr, "[%d] %s\n", level, msg);
}

const struct gvt_hyp_ops sgenv_hyp_ops = {
	.version = GVT_OPS_VERSION,
	.gpa_read = y_gpa_read,
	.gpa_write = y_gpa_write,
	.dma_map = y_dma_map,
	.dma_unmap = y_dma_unmap,
	.inject_msi = y_inject_msi,
	.log = y_log,
};

/* ---- environment ---- */

void sgenv_vm_create(struct sgenv *e, struct sgenv_vm *m)
{
	m->ram_size = e->cfg.ram_size;
	m->ram = aligned_alloc(4096, m->ram_size);
	assert_non_null(m->ram);
	memset(m->ram, 0, m->ram_size);
	memset(m->tail, 0, sizeof(m->tail));
	m->seq = 0;
	m->elsps = 0;
	assert_int_equal(hdrv_dma_map(e->hd, m->ram, m->ram_size, &m->ram_dma), 0);
	assert_int_equal(gvt_vgpu_create(e->gpu, "GVTg_V5_8", &sgenv_hyp_ops, m, &m->v), 0);
	gvt_vgpu_set_irq_mode(m->v, GVT_IRQ_MSI);
	if (e->cfg.boot)
		e->cfg.boot(m);
}

void sgenv_vm_destroy(struct sgenv *e, struct sgenv_vm *m)
{
	gvt_vgpu_destroy(m->v);
	m->v = NULL;
	assert_int_equal(m->pinned, 0);
	hdrv_dma_unmap(e->hd, &m->ram_dma);
	free(m->ram);
	m->ram = NULL;
}

static void *sched_thread(void *arg)
{
	struct sgenv *e = arg;
	unsigned int n = 0;

	while (!__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE)) {
		gvt_gpu_schedule(e->gpu);
		if (++n % 256 == 0)
			hdrv_hangcheck(e->hd);
		usleep(20);
	}
	return NULL;
}

struct sgenv *sgenv_new(const struct sgenv_config *cfg)
{
	struct sgpu_config sc = { .threaded = cfg->threaded };
	struct hdrv_config hc = { .ggtt_size = 4ull << 30, .ggtt_alloc_size = 128ull << 20,
				  .hang_ms = 500, .use_irq = cfg->threaded };
	struct sgenv *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_true(cfg->nvms <= SGENV_MAX_VMS);
	e->cfg = *cfg;
	if (cfg->priv_size) {
		e->priv = calloc(1, cfg->priv_size);
		assert_non_null(e->priv);
	}
	assert_int_equal(sgpu_create(&sc, &e->sg), 0);
	sgpu_bus(e->sg, &e->bus);
	assert_int_equal(hdrv_gpu_probe(&e->bus, &hc, &e->hd), 0);
	env_host_init(e);
	assert_int_equal(hdrv_dma_alloc(e->hd, 4096, &e->scratch), 0);
	fake_desc_init(&e->desc, 0x1912, 256ull << 20);
	e->desc.scratch_pte = e->scratch.dma | 1;
	assert_int_equal(gvt_gpu_create(&e->desc, &e->ops, e, &e->gpu), 0);
	gvt_hostdrv_attach(&e->h, e->gpu);
	for (unsigned int i = 0; i < cfg->nvms; i++)
		sgenv_vm_create(e, &e->vm[i]);
	if (cfg->threaded) {
		assert_int_equal(pthread_create(&e->thread, NULL, sched_thread, e), 0);
		e->has_thread = true;
	}
	return e;
}

void sgenv_vms_destroy(struct sgenv *e)
{
	if (e->has_thread) {
		__atomic_store_n(&e->stop, true, __ATOMIC_RELEASE);
		pthread_join(e->thread, NULL);
		e->has_thread = false;
	}
	for (unsigned int i = 0; i < SGENV_MAX_VMS; i++)
		if (e->vm[i].v)
			sgenv_vm_destroy(e, &e->vm[i]);
}

void sgenv_free(struct sgenv *e)
{
	sgenv_vms_destroy(e);
	assert_int_equal(gvt_gpu_destroy(e->gpu), 0);
	hdrv_dma_free(e->hd, &e->scratch);
	hdrv_gpu_remove(e->hd);
	sgpu_destroy(e->sg);
	free(e->priv);
	free(e);
}

int sgenv_teardown_gm_checked(void **state)
{
	struct sgenv *e = *state;

	sgenv_vms_destroy(e);
	assert_int_equal(e->gm_live, 0);
	sgenv_free(e);
	return 0;
}

int sgenv_run_until(struct sgenv *e, bool hangcheck,
		    bool (*done)(struct sgenv *e, void *arg), void *arg)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0;; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 10)
			return -1;
		for (int k = 0; k < HDRV_NUM_ENGINES; k++)
			hdrv_engine_poll(e->hd, k);
		if (hangcheck)
			hdrv_hangcheck(e->hd);
		gvt_gpu_schedule(e->gpu);
		if (done(e, arg))
			return i;
	}
}

/* ---- guest driver ---- */

void sgenv_guest_boot(struct sgenv_vm *m)
{
	struct gvt_vgpu_info info;

	gvt_vgpu_get_info(m->v, &info);
	m->gm = info.low_gm_base;
	m->gm_size = info.low_gm_size;
	m->hgm = info.high_gm_base;
	m->hgm_size = info.high_gm_size;
	guest_enable_msi(m->v);
	(void)rd32(m->v, 0x78000);		/* PVINFO magic: GVT-aware */
	/* GT interrupts: user + context switch of RCS and BCS */
	wr32(m->v, 0x4430c, 0x01010101);	/* GT_IER(0) */
	wr32(m->v, 0x44304, ~0x01010101u);	/* GT_IMR(0) */
}

void sgenv_ggtt_map(struct sgenv_vm *m, uint64_t gm_off, uint64_t gpa, unsigned int pages)
{
	for (unsigned int i = 0; i < pages; i++)
		wr64(m->v, GVT_GGTT_OFFSET + ((m->gm + gm_off) >> 12) * 8 + 8 * i,
		     (gpa + 4096ull * i) | 1);
}

void sgenv_guest_engine_init(struct sgenv_vm *m, uint32_t base, uint64_t hwsp_gm,
			     uint64_t hwsp_gpa)
{
	uint32_t *hwsp = g32(m, hwsp_gpa);

	wr32(m->v, base + 0x80, (uint32_t)(m->gm + hwsp_gm));	/* RING_HWS_PGA */
	wr32(m->v, base + 0x29c, 0x80008000);	/* RING_MODE: run list enable */
	wr32(m->v, base + 0x3a0, 0xffff0505);	/* CSB pointers (i915 reset) */
	memset(hwsp + 0x10, 0xff, 48);		/* the CSB entries */
	hwsp[0x1f] = 5;				/* CSB write pointer: "none yet" */
}

void sgenv_guest_emit(struct sgenv_vm *m, unsigned int i, uint64_t ring_gpa,
		      uint64_t regs_gpa, const uint32_t *dw, unsigned int n)
{
	uint32_t *ring = g32(m, ring_gpa);
	uint32_t t = m->tail[i];

	for (unsigned int k = 0; k < n; k++) {
		ring[t / 4] = dw[k];
		t = (t + 4) % SGENV_RING_SIZE;
	}
	if (t % 8) {
		ring[t / 4] = 0;	/* MI_NOOP */
		t = (t + 4) % SGENV_RING_SIZE;
	}
	m->tail[i] = t;
	g32(m, regs_gpa)[0x07] = t;	/* CTX_RING_TAIL */
}

void sgenv_guest_elsp(struct sgenv_vm *m, uint32_t base, uint64_t d0, uint64_t d1)
{
	wr32(m->v, base + 0x230, (uint32_t)(d1 >> 32));
	wr32(m->v, base + 0x230, (uint32_t)d1);
	wr32(m->v, base + 0x230, (uint32_t)(d0 >> 32));
	wr32(m->v, base + 0x230, (uint32_t)d0);
}
