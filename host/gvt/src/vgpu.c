// SPDX-License-Identifier: GPL-2.0-only
/*
 * vGPU lifecycle and the public entry points. Every entry point takes the
 * vGPU lock; the internal functions it calls run under it.
 */
#include "gvt_internal.h"

uint64_t gvt_now(struct gvt_vgpu *v)
{
	return v->hyp->now_ns ? v->hyp->now_ns(v->hyp_priv) : gvt_clock_ns();
}

/* At most 10 lines per second per vGPU: a guest must not flood the host log. */
#define LOG_BURST	10
#define LOG_WINDOW_NS	1000000000ull

void gvt_vlog(struct gvt_vgpu *v, int level, const char *fmt, ...)
{
	char msg[192];
	uint64_t now = gvt_now(v);
	va_list ap;
	int n;

	if (now - v->log_window_start > LOG_WINDOW_NS) {
		v->log_window_start = now;
		v->log_count = 0;
	}
	if (v->log_count++ >= LOG_BURST)
		return;
	n = gvt_snprintf(msg, sizeof(msg), "vgpu%u: ", v->id);
	va_start(ap, fmt);
	gvt_vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (v->hyp->log)
		v->hyp->log(v->hyp_priv, level, msg);
	else
		gvt_log_default(level, msg);
}

void gvt_enter_failsafe(struct gvt_vgpu *v, unsigned int reason)
{
	if (v->failsafe)
		return;
	v->failsafe = reason;
	gvt_vlog(v, 0, "entering failsafe mode (%s): GPU commands will not run",
		 reason == GVT_FAILSAFE_UNSUPPORTED_GUEST ? "guest is not GVT-aware" :
		 reason == GVT_FAILSAFE_BAD_COMMAND ? "forbidden GPU command" :
							    "insufficient resources");
}

static void vgpu_reset_locked(struct gvt_vgpu *v)
{
	gvt_cfg_init(v);
	gvt_mmio_reset(v);
	gvt_display_reset(v);
	gvt_exec_reset(v, ~0u);
	gvt_ggtt_reset(v);
	v->irq_asserted = false;
	v->pv_notified = false;
	v->failsafe = GVT_FAILSAFE_NONE;
	v->nroots = 0;
}

int gvt_vgpu_create(struct gvt_gpu *gpu, const char *type, const struct gvt_hyp_ops *hyp,
		    void *priv, struct gvt_vgpu **out)
{
	const struct gvt_type *t;
	struct gvt_vgpu *v;
	int ret;

	if (!gpu || !hyp || !out || hyp->version != GVT_OPS_VERSION || !hyp->gpa_read ||
	    !hyp->gpa_write || !hyp->dma_map || !hyp->dma_unmap || !hyp->inject_msi)
		return -EINVAL;
	t = gvt_type_lookup(gpu, type);
	if (!t)
		return -EINVAL;
	v = gvt_zalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->gpu = gpu;
	v->type = t;
	v->hyp = hyp;
	v->hyp_priv = priv;
	v->vreg = gvt_zalloc(GVT_MMIO_SIZE);
	ret = -ENOMEM;
	if (!v->vreg)
		goto out_free;
	ret = gvt_partition_alloc(gpu, t, v);
	if (ret)
		goto out_free_vreg;
	ret = gvt_ggtt_init(v);
	if (ret)
		goto out_free_partition;
	ret = gvt_exec_init(v);
	if (ret)
		goto out_free_ggtt;
	gvt_mutex_init(&v->lock);
	gvt_display_init(v);
	gvt_opregion_build(v->opregion);
	vgpu_reset_locked(v);
	*out = v;
	return 0;

out_free_ggtt:
	gvt_ggtt_fini(v);
out_free_partition:
	gvt_partition_free(gpu, v);
out_free_vreg:
	gvt_free(v->vreg);
out_free:
	gvt_free(v);
	return ret;
}

void gvt_vgpu_destroy(struct gvt_vgpu *v)
{
	unsigned int i;

	if (!v)
		return;
	gvt_exec_fini(v);	/* stops its workloads; takes the lock itself */
	gvt_mutex_lock(&v->lock);
	gvt_ggtt_fini(v);
	/* leave no fence of ours active on the physical GPU */
	if (v->gpu->ops->fence_write)
		for (i = 0; i < v->nfences; i++)
			v->gpu->ops->fence_write(v->gpu->priv, v->fences[i], 0);
	gvt_mutex_unlock(&v->lock);
	gvt_partition_free(v->gpu, v);
	gvt_mutex_destroy(&v->lock);
	gvt_free(v->vreg);
	gvt_free(v);
}

void gvt_vgpu_reset(struct gvt_vgpu *v)
{
	unsigned int i;

	gvt_mutex_lock(&v->lock);
	vgpu_reset_locked(v);
	if (v->gpu->ops->fence_write)
		for (i = 0; i < v->nfences; i++)
			v->gpu->ops->fence_write(v->gpu->priv, v->fences[i], 0);
	gvt_mutex_unlock(&v->lock);
}

void gvt_vgpu_get_info(struct gvt_vgpu *v, struct gvt_vgpu_info *info)
{
	unsigned int i;

	gvt_memset(info, 0, sizeof(*info));
	info->id = v->id;
	gvt_snprintf(info->type, sizeof(info->type), "%s", v->type->name);
	info->low_gm_base = v->low_base;
	info->low_gm_size = v->low_size;
	info->high_gm_base = v->high_base;
	info->high_gm_size = v->high_size;
	info->fence_num = v->nfences;
	for (i = 0; i < v->nfences && i < GVT_ARRAY_SIZE(info->fences); i++)
		info->fences[i] = v->fences[i];
}

void gvt_vgpu_get_stats(struct gvt_vgpu *v, struct gvt_vgpu_stats *stats)
{
	gvt_mutex_lock(&v->lock);
	*stats = v->stats;
	stats->pv_notified = v->pv_notified;
	stats->failsafe = v->failsafe;
	gvt_mutex_unlock(&v->lock);
}

uint64_t gvt_vgpu_region_size(struct gvt_vgpu *v, enum gvt_region region)
{
	switch (region) {
	case GVT_REGION_CONFIG:
		return GVT_CFG_SIZE;
	case GVT_REGION_BAR0:
		return GVT_BAR0_SIZE;
	case GVT_REGION_BAR2:
		return v->gpu->desc.aperture_size;
	case GVT_REGION_OPREGION:
		return GVT_OPREGION_SIZE;
	}
	return 0;
}

int gvt_vgpu_cfg_read(struct gvt_vgpu *v, uint32_t off, void *buf, size_t len)
{
	int ret;

	gvt_mutex_lock(&v->lock);
	v->traps.cfg_reads++;
	ret = gvt_cfg_read(v, off, buf, len);
	gvt_mutex_unlock(&v->lock);
	return ret;
}

int gvt_vgpu_cfg_write(struct gvt_vgpu *v, uint32_t off, const void *buf, size_t len)
{
	int ret;

	gvt_mutex_lock(&v->lock);
	v->traps.cfg_writes++;
	ret = gvt_cfg_write(v, off, buf, len);
	gvt_mutex_unlock(&v->lock);
	return ret;
}

int gvt_vgpu_mmio_read(struct gvt_vgpu *v, int bar, uint64_t off, void *buf, size_t len)
{
	int ret = -EINVAL;

	gvt_mutex_lock(&v->lock);
	if (bar == 0)
		ret = gvt_bar0_read(v, off, buf, len);
	else if (bar == 2 && off < v->gpu->desc.aperture_size &&
		 len <= v->gpu->desc.aperture_size - off)
		ret = gvt_aperture_rw(v, off, buf, len, false);
	gvt_mutex_unlock(&v->lock);
	return ret;
}

int gvt_vgpu_mmio_write(struct gvt_vgpu *v, int bar, uint64_t off, const void *buf,
			size_t len)
{
	int ret = -EINVAL;

	gvt_mutex_lock(&v->lock);
	if (bar == 0)
		ret = gvt_bar0_write(v, off, buf, len);
	else if (bar == 2 && off < v->gpu->desc.aperture_size &&
		 len <= v->gpu->desc.aperture_size - off)
		ret = gvt_aperture_rw(v, off, (void *)buf, len, true);
	gvt_mutex_unlock(&v->lock);
	return ret;
}

uint64_t gvt_vgpu_run_timers(struct gvt_vgpu *v)
{
	uint64_t next = UINT64_MAX;
	unsigned int i;

	gvt_mutex_lock(&v->lock);
	gvt_display_catch_up(v, gvt_now(v));
	for (i = 0; i < GVT_NUM_PIPES; i++)
		if (v->pipe[i].running && v->pipe[i].next_vblank < next)
			next = v->pipe[i].next_vblank;
	gvt_mutex_unlock(&v->lock);
	return next;
}

int gvt_vgpu_gm_read(struct gvt_vgpu *v, uint64_t gm, void *buf, size_t len)
{
	int ret;

	gvt_mutex_lock(&v->lock);
	ret = gvt_gm_rw(v, gm, buf, len, false);
	gvt_mutex_unlock(&v->lock);
	return ret;
}

unsigned int gvt_vgpu_ppgtt_roots(struct gvt_vgpu *v, uint64_t *roots, unsigned int max)
{
	unsigned int n, i;

	gvt_mutex_lock(&v->lock);
	n = v->nroots;
	for (i = 0; i < n && i < max; i++)
		roots[i] = v->roots[i];
	gvt_mutex_unlock(&v->lock);
	return n;
}
