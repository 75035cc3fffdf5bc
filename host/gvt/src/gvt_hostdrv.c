// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct gvt_host_ops over the host driver (gvt_hostdrv.h): the one adapter
 * between the device model and hostdrv, shared by vgpud and the tests.
 * Every op gets priv = the struct gvt_hostdrv.
 */
#include "gvt_deps.h"
#include "gvt_hostdrv.h"

/* register-state page dword of CTX_TIMESTAMP (gen9 LRC layout) */
#define HD_CTX_TIMESTAMP	0x23

/* gvt engine -> hostdrv engine (hostdrv numbers RCS, BCS, VCS, VECS) */
static const enum hdrv_engine_id hd_engine[4] = {
	[GVT_ENGINE_RCS] = HDRV_RCS, [GVT_ENGINE_VCS] = HDRV_VCS,
	[GVT_ENGINE_BCS] = HDRV_BCS, [GVT_ENGINE_VECS] = HDRV_VECS,
};

enum hdrv_engine_id gvt_hostdrv_engine(unsigned int e)
{
	return hd_engine[e & 3];
}

unsigned int gvt_hostdrv_gvt_engine(enum hdrv_engine_id e)
{
	switch (e) {
	case HDRV_RCS: return GVT_ENGINE_RCS;
	case HDRV_VCS: return GVT_ENGINE_VCS;
	case HDRV_BCS: return GVT_ENGINE_BCS;
	default: return GVT_ENGINE_VECS;
	}
}

static int hd_ggtt_write(void *priv, uint32_t index, uint64_t pte)
{
	struct gvt_hostdrv *h = priv;

	return hdrv_ggtt_write_pte(h->hd, index, pte);
}

static void hd_ggtt_invalidate(void *priv)
{
	struct gvt_hostdrv *h = priv;

	hdrv_ggtt_invalidate(h->hd);
}

static int hd_fence_write(void *priv, unsigned int fence, uint64_t value)
{
	struct gvt_hostdrv *h = priv;

	return hdrv_fence_write(h->hd, fence, value);
}

static int hd_dma_alloc(void *priv, size_t size, void **cpu, uint64_t *dma)
{
	struct gvt_hostdrv *h = priv;
	struct hdrv_dma m;
	int ret = hdrv_dma_alloc(h->hd, size, &m);

	if (ret)
		return ret;
	*cpu = m.cpu;
	*dma = m.dma;
	return 0;
}

static void hd_dma_free(void *priv, void *cpu, uint64_t dma, size_t size)
{
	struct gvt_hostdrv *h = priv;
	struct hdrv_dma m = { .cpu = cpu, .dma = dma, .size = size };

	hdrv_dma_free(h->hd, &m);
}

/*
 * hostdrv's GGTT allocator only hands out the host's reserved bottom of the
 * GGTT (hdrv_config.ggtt_alloc_size), which no vGPU range overlaps.
 */
static int hd_gm_alloc(void *priv, size_t size, void **cpu, uint64_t *gm, void **handle)
{
	struct gvt_hostdrv *h = priv;
	struct hdrv_bo *bo = gvt_zalloc(sizeof(*bo));
	int ret;

	if (!bo)
		return -ENOMEM;
	ret = hdrv_bo_create(h->hd, size, bo);
	if (ret) {
		gvt_free(bo);
		return ret;
	}
	*cpu = bo->mem.cpu;
	*gm = bo->gtt;
	*handle = bo;
	return 0;
}

static void hd_gm_free(void *priv, void *handle)
{
	struct gvt_hostdrv *h = priv;

	hdrv_bo_destroy(h->hd, handle);
	gvt_free(handle);
}

static int hd_ctx_create(void *priv, unsigned int engine, uint32_t ring_bytes, void *cookie,
			 void **hctx)
{
	struct gvt_hostdrv *h = priv;
	struct hdrv_ctx_params p = { .ring_size = ring_bytes, .vm = HDRV_VM_GGTT,
				     .priv = cookie };

	if (engine >= GVT_ARRAY_SIZE(hd_engine))
		return -EINVAL;
	return hdrv_ctx_create(h->hd, hd_engine[engine], &p, (struct hdrv_ctx **)hctx);
}

static void hd_ctx_destroy(void *priv, void *hctx)
{
	(void)priv;
	hdrv_ctx_destroy(hctx);
}

static int hd_ctx_submit(void *priv, void *hctx, const struct gvt_host_submit *s)
{
	struct gvt_hostdrv *h = priv;
	enum hdrv_vm_mode vm = s->levels == 4 ? HDRV_VM_PPGTT_4LVL :
			       s->levels == 3 ? HDRV_VM_PPGTT_3LVL : HDRV_VM_GGTT;
	int ret;

	ret = hdrv_ctx_set_vm(hctx, vm, s->pdp);
	if (ret)
		return ret;
	/* the context is idle (set_vm checked): its image is ours to write */
	hdrv_ctx_regs(hctx)[HD_CTX_TIMESTAMP] = s->ctx_timestamp;
	/*
	 * Always written, 0 without one: the copy a previous workload's
	 * INDIRECT_CTX named is freed once that workload retired, and the
	 * engine runs whatever INDIRECT_CTX names at every restore.
	 */
	ret = hdrv_ctx_set_indirect(hctx, s->wa_ctx_gm, s->wa_ctx_bytes, s->wa_ctx_offset);
	if (ret)
		return ret;
	ret = hdrv_ctx_emit(hctx, s->cmds, s->bytes / 4);
	if (!ret)
		ret = hdrv_engine_submit(h->hd, hctx, NULL);
	return ret;
}

static uint32_t hd_ctx_timestamp(void *priv, void *hctx)
{
	(void)priv;
	return __atomic_load_n(&hdrv_ctx_regs(hctx)[HD_CTX_TIMESTAMP], __ATOMIC_ACQUIRE);
}

static uint32_t hd_mmio_read(void *priv, uint32_t off)
{
	struct gvt_hostdrv *h = priv;

	return hdrv_mmio_read(h->hd, off);
}

static void hd_mmio_write(void *priv, uint32_t off, uint32_t val)
{
	struct gvt_hostdrv *h = priv;

	hdrv_mmio_write(h->hd, off, val);
}

static int hd_engine_reset(void *priv, unsigned int engine)
{
	struct gvt_hostdrv *h = priv;

	if (engine >= GVT_ARRAY_SIZE(hd_engine))
		return -EINVAL;
	return hdrv_engine_reset(h->hd, hd_engine[engine]);
}

static void hd_kick(void *priv)
{
	struct gvt_hostdrv *h = priv;

	if (h->kick)
		h->kick(h->kick_arg);
}

void gvt_hostdrv_ops(struct gvt_host_ops *ops)
{
	gvt_memset(ops, 0, sizeof(*ops));
	ops->version = GVT_OPS_VERSION;
	ops->ggtt_write = hd_ggtt_write;
	ops->ggtt_invalidate = hd_ggtt_invalidate;
	ops->fence_write = hd_fence_write;
	ops->dma_alloc = hd_dma_alloc;
	ops->dma_free = hd_dma_free;
	ops->gm_alloc = hd_gm_alloc;
	ops->gm_free = hd_gm_free;
	ops->ctx_create = hd_ctx_create;
	ops->ctx_destroy = hd_ctx_destroy;
	ops->ctx_submit = hd_ctx_submit;
	ops->ctx_timestamp = hd_ctx_timestamp;
	ops->engine_reset = hd_engine_reset;
	ops->kick = hd_kick;
	ops->mmio_read = hd_mmio_read;
	ops->mmio_write = hd_mmio_write;
}

void gvt_hostdrv_init(struct gvt_hostdrv *h, struct hdrv_gpu *hd)
{
	gvt_memset(h, 0, sizeof(*h));
	h->hd = hd;
}

void gvt_hostdrv_attach(struct gvt_hostdrv *h, struct gvt_gpu *gpu)
{
	__atomic_store_n(&h->gpu, gpu, __ATOMIC_RELEASE);
}

void gvt_hostdrv_ctx_done(struct gvt_hostdrv *h, struct hdrv_ctx *ctx, enum hdrv_ctx_status st)
{
	struct gvt_gpu *gpu = __atomic_load_n(&h->gpu, __ATOMIC_ACQUIRE);

	if (gpu)
		gvt_gpu_ctx_done(gpu, hdrv_ctx_priv(ctx), st == HDRV_CTX_COMPLETE ? 0 : -EIO);
}

void gvt_hostdrv_user_irq(struct gvt_hostdrv *h, enum hdrv_engine_id engine)
{
	struct gvt_gpu *gpu = __atomic_load_n(&h->gpu, __ATOMIC_ACQUIRE);

	if (gpu)
		gvt_gpu_user_irq(gpu, gvt_hostdrv_gvt_engine(engine));
}

static void cb_ctx_done(void *arg, struct hdrv_ctx *ctx, enum hdrv_ctx_status st)
{
	gvt_hostdrv_ctx_done(arg, ctx, st);
}

static void cb_user_irq(void *arg, enum hdrv_engine_id engine)
{
	gvt_hostdrv_user_irq(arg, engine);
}

static const struct hdrv_callbacks gvt_hostdrv_cbs = {
	.ctx_done = cb_ctx_done,
	.user_irq = cb_user_irq,
};

const struct hdrv_callbacks *gvt_hostdrv_callbacks(void)
{
	return &gvt_hostdrv_cbs;
}
