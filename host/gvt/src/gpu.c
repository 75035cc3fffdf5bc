// SPDX-License-Identifier: GPL-2.0-only
/*
 * The physical GPU object: device table, vGPU types and the partition of
 * GGTT space and fence registers among vGPUs.
 *
 * GGTT layout (guest GM addresses equal host GM addresses, as with upstream
 * GVT-g ballooning):
 *   [0, host_low)                     host driver, mappable
 *   [host_low, aperture)              vGPU low (aperture) ranges, bottom-up
 *   [aperture, aperture + host_high)  host driver, hidden
 *   [aperture + host_high, ggtt_size) vGPU high (hidden) ranges, top-down
 */
#include "gvt_internal.h"

static const struct gvt_dev_info gvt_devices[] = {
	{ 0x1912, 0x07, GVT_PLATFORM_SKL, "SKL DT GT2" },	/* H0 */
	{ 0x191b, 0x07, GVT_PLATFORM_SKL, "SKL H GT2" },
	{ 0x1916, 0x07, GVT_PLATFORM_SKL, "SKL ULT GT2" },
	{ 0x5912, 0x04, GVT_PLATFORM_KBL, "KBL DT GT2" },	/* F0 */
	{ 0x5916, 0x04, GVT_PLATFORM_KBL, "KBL ULT GT2" },
	{ 0x591b, 0x04, GVT_PLATFORM_KBL, "KBL H GT2" },
	{ 0x3e92, 0x00, GVT_PLATFORM_CFL, "CFL S GT2" },
	{ 0x3e9b, 0x00, GVT_PLATFORM_CFL, "CFL H GT2" },
};

/* Upstream GVT-g types (vgpu.c intel_vgpu_configs), V5 naming for Gen9. */
const struct gvt_type gvt_types[GVT_NUM_TYPES] = {
	{ "GVTg_V5_8", 64 * GVT_MIB, 384 * GVT_MIB, 4, 2, 1024, 768 },
	{ "GVTg_V5_4", 128 * GVT_MIB, 512 * GVT_MIB, 4, 4, 1920, 1200 },
	{ "GVTg_V5_2", 256 * GVT_MIB, 1024 * GVT_MIB, 4, 8, 1920, 1200 },
	{ "GVTg_V5_1", 512 * GVT_MIB, 2048 * GVT_MIB, 4, 16, 1920, 1200 },
};

const struct gvt_dev_info *gvt_dev_lookup(uint16_t device_id)
{
	size_t i;

	for (i = 0; i < GVT_ARRAY_SIZE(gvt_devices); i++)
		if (gvt_devices[i].device_id == device_id)
			return &gvt_devices[i];
	return NULL;
}

bool gvt_gpu_device_supported(uint16_t device_id)
{
	return gvt_dev_lookup(device_id) != NULL;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int gvt_gpu_create(const struct gvt_gpu_desc *desc, const struct gvt_host_ops *ops,
		   void *priv, struct gvt_gpu **out)
{
	struct gvt_gpu *gpu;
	const struct gvt_dev_info *dev;
	unsigned int i;
	int ret;

	if (!desc || !ops || !out || ops->version != GVT_OPS_VERSION || !ops->ggtt_write)
		return -EINVAL;
	dev = gvt_dev_lookup(desc->device_id);
	if (!dev)
		return -EINVAL;

	gpu = gvt_zalloc(sizeof(*gpu));
	if (!gpu)
		return -ENOMEM;
	gpu->desc = *desc;
	gpu->dev = dev;
	gpu->ops = ops;
	gpu->priv = priv;
	if (!gpu->desc.revision)
		gpu->desc.revision = dev->revision;
	if (!gpu->desc.subsys_vendor) {
		gpu->desc.subsys_vendor = 0x8086;
		gpu->desc.subsys_device = desc->device_id;
	}
	if (!gpu->desc.host_low_gm)
		gpu->desc.host_low_gm = 128 * GVT_MIB;
	if (!gpu->desc.host_high_gm)
		gpu->desc.host_high_gm = 384 * GVT_MIB;
	if (!gpu->desc.host_fences)
		gpu->desc.host_fences = 4;

	ret = -EINVAL;
	/* GGMS can describe at most 4 GiB; the aperture is a power-of-two BAR */
	if (!gpu->desc.ggtt_size || gpu->desc.ggtt_size > (4ull << 30) ||
	    gpu->desc.ggtt_size & (GVT_MIB - 1))
		goto out_free;
	if (!is_pow2(gpu->desc.aperture_size) || gpu->desc.aperture_size < 128 * GVT_MIB ||
	    gpu->desc.aperture_size > gpu->desc.ggtt_size)
		goto out_free;
	if (!gpu->desc.num_fences || gpu->desc.num_fences > GVT_MAX_FENCES ||
	    gpu->desc.host_fences >= gpu->desc.num_fences)
		goto out_free;
	if (gpu->desc.host_low_gm >= gpu->desc.aperture_size ||
	    gpu->desc.aperture_size + gpu->desc.host_high_gm >= gpu->desc.ggtt_size ||
	    gpu->desc.host_low_gm & (GVT_PAGE_SIZE - 1) ||
	    gpu->desc.host_high_gm & (GVT_PAGE_SIZE - 1))
		goto out_free;

	/*
	 * Like upstream, offer types in order and stop at the first whose
	 * aperture share does not fit beside the host's.
	 */
	for (i = 0; i < GVT_NUM_TYPES; i++)
		if (gvt_types[i].low_gm > gpu->desc.aperture_size - gpu->desc.host_low_gm)
			break;
	gpu->ntypes = i;

	for (i = 0; i < gpu->desc.host_fences; i++)
		gpu->fence_used |= 1ull << i;

	ret = gvt_mmio_index_build(gpu);
	if (ret)
		goto out_free;
	ret = gvt_sched_init(gpu);	/* gvt_sched.c */
	if (ret)
		goto out_free_index;
	gvt_mutex_init(&gpu->lock);
	*out = gpu;
	return 0;

out_free_index:
	gvt_free(gpu->reg_index);
out_free:
	gvt_free(gpu);
	return ret;
}

int gvt_gpu_destroy(struct gvt_gpu *gpu)
{
	unsigned int n;

	if (!gpu)
		return 0;
	gvt_mutex_lock(&gpu->lock);
	n = gpu->nvgpus;
	gvt_mutex_unlock(&gpu->lock);
	if (n)
		return -EBUSY;
	gvt_sched_fini(gpu);
	gvt_mutex_destroy(&gpu->lock);
	gvt_free(gpu->reg_index);
	gvt_free(gpu);
	return 0;
}

unsigned int gvt_gpu_type_count(const struct gvt_gpu *gpu)
{
	return gpu->ntypes;
}

const struct gvt_type *gvt_type_lookup(const struct gvt_gpu *gpu, const char *name)
{
	unsigned int i;

	if (!name)
		return NULL;
	if (!gvt_strncmp(name, "i915-", 5))
		name += 5;
	for (i = 0; i < gpu->ntypes; i++)
		if (!gvt_strcmp(gvt_types[i].name, name))
			return &gvt_types[i];
	return NULL;
}

/* Free gaps of a pool, given its used ranges (unsorted, size 0 = free slot). */
static unsigned int pool_gaps(const struct gvt_range *used, uint64_t start, uint64_t end,
			      struct gvt_range *gaps)
{
	struct gvt_range sorted[GVT_MAX_VGPUS];
	unsigned int n = 0, i, j, ngaps = 0;
	uint64_t cur = start;

	for (i = 0; i < GVT_MAX_VGPUS; i++) {
		if (!used[i].size)
			continue;
		for (j = n; j > 0 && sorted[j - 1].base > used[i].base; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = used[i];
		n++;
	}
	for (i = 0; i < n; i++) {
		if (sorted[i].base > cur) {
			gaps[ngaps].base = cur;
			gaps[ngaps++].size = sorted[i].base - cur;
		}
		cur = sorted[i].base + sorted[i].size;
	}
	if (end > cur) {
		gaps[ngaps].base = cur;
		gaps[ngaps++].size = end - cur;
	}
	return ngaps;
}

/* How many ranges of @size fit in the free gaps (each vGPU gets one contiguous range). */
static unsigned int pool_fit(const struct gvt_range *used, uint64_t start, uint64_t end,
			     uint64_t size)
{
	struct gvt_range gaps[GVT_MAX_VGPUS + 1];
	unsigned int n = pool_gaps(used, start, end, gaps), i, fit = 0;

	for (i = 0; i < n; i++)
		fit += gaps[i].size / size;
	return fit;
}

static unsigned int popcount64(uint64_t x)
{
	unsigned int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static void pool_bounds(const struct gvt_gpu *gpu, bool high, uint64_t *start, uint64_t *end)
{
	if (high) {
		*start = gpu->desc.aperture_size + gpu->desc.host_high_gm;
		*end = gpu->desc.ggtt_size;
	} else {
		*start = gpu->desc.host_low_gm;
		*end = gpu->desc.aperture_size;
	}
}

static unsigned int available_locked(const struct gvt_gpu *gpu, const struct gvt_type *t)
{
	uint64_t s, e;
	unsigned int low, high, fences;

	pool_bounds(gpu, false, &s, &e);
	low = pool_fit(gpu->low_used, s, e, t->low_gm);
	pool_bounds(gpu, true, &s, &e);
	high = pool_fit(gpu->high_used, s, e, t->high_gm);
	fences = (gpu->desc.num_fences - popcount64(gpu->fence_used)) / t->fences;
	return GVT_MIN(GVT_MIN(low, high), GVT_MIN(fences, GVT_MAX_VGPUS - gpu->nvgpus));
}

int gvt_gpu_type_info(struct gvt_gpu *gpu, unsigned int idx, struct gvt_type_info *info)
{
	const struct gvt_type *t;

	if (!gpu || !info || idx >= gpu->ntypes)
		return -EINVAL;
	t = &gvt_types[idx];
	gvt_memset(info, 0, sizeof(*info));
	gvt_snprintf(info->name, sizeof(info->name), "%s", t->name);
	info->low_gm_size = t->low_gm;
	info->high_gm_size = t->high_gm;
	info->fences = t->fences;
	info->weight = t->weight;
	info->edid_width = t->edid_w;
	info->edid_height = t->edid_h;
	gvt_mutex_lock(&gpu->lock);
	info->available_instances = available_locked(gpu, t);
	gvt_mutex_unlock(&gpu->lock);
	return 0;
}

int gvt_gpu_type_describe(struct gvt_gpu *gpu, const char *type, char *buf, size_t len)
{
	const struct gvt_type *t;
	int n;

	if (!gpu || !buf)
		return -EINVAL;
	t = gvt_type_lookup(gpu, type);
	if (!t)
		return -EINVAL;
	n = gvt_snprintf(buf, len,
			 "low_gm_size: %uMB\nhigh_gm_size: %uMB\nfence: %u\nresolution: %ux%u\nweight: %u\n",
			 (unsigned int)(t->low_gm >> 20), (unsigned int)(t->high_gm >> 20),
			 t->fences, t->edid_w, t->edid_h, t->weight);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* First fit; @top_down picks the highest fitting address (hidden GM, like PIN_HIGH). */
static int pool_alloc(struct gvt_range *used, uint64_t start, uint64_t end, uint64_t size,
		      bool top_down, uint64_t *base)
{
	struct gvt_range gaps[GVT_MAX_VGPUS + 1];
	unsigned int n = pool_gaps(used, start, end, gaps), i, slot;
	bool found = false;

	for (i = 0; i < n; i++) {
		if (gaps[i].size < size)
			continue;
		if (top_down) {
			*base = gaps[i].base + gaps[i].size - size;
			found = true;	/* keep going: the last fitting gap is the highest */
		} else {
			*base = gaps[i].base;
			found = true;
			break;
		}
	}
	if (!found)
		return -ENOSPC;
	for (slot = 0; slot < GVT_MAX_VGPUS; slot++) {
		if (!used[slot].size) {
			used[slot].base = *base;
			used[slot].size = size;
			return 0;
		}
	}
	return -ENOSPC;
}

static void pool_release(struct gvt_range *used, uint64_t base)
{
	unsigned int i;

	for (i = 0; i < GVT_MAX_VGPUS; i++)
		if (used[i].size && used[i].base == base)
			used[i].size = 0;
}

int gvt_partition_alloc(struct gvt_gpu *gpu, const struct gvt_type *t, struct gvt_vgpu *v)
{
	uint64_t s, e;
	unsigned int id, i, got = 0;
	int ret = -ENOSPC;

	gvt_mutex_lock(&gpu->lock);
	if (available_locked(gpu, t) == 0)
		goto out_unlock;
	for (id = 1; id <= GVT_MAX_VGPUS; id++)
		if (!gpu->id_used[id])
			break;
	pool_bounds(gpu, false, &s, &e);
	ret = pool_alloc(gpu->low_used, s, e, t->low_gm, false, &v->low_base);
	if (ret)
		goto out_unlock;
	pool_bounds(gpu, true, &s, &e);
	ret = pool_alloc(gpu->high_used, s, e, t->high_gm, true, &v->high_base);
	if (ret)
		goto out_release_low;
	for (i = 0; i < gpu->desc.num_fences && got < t->fences; i++) {
		if (gpu->fence_used & (1ull << i))
			continue;
		v->fences[got++] = (uint8_t)i;
	}
	for (i = 0; i < got; i++)
		gpu->fence_used |= 1ull << v->fences[i];
	v->low_size = t->low_gm;
	v->high_size = t->high_gm;
	v->nfences = got;
	v->id = id;
	gpu->id_used[id] = true;
	gpu->nvgpus++;
	gvt_mutex_unlock(&gpu->lock);
	return 0;

out_release_low:
	pool_release(gpu->low_used, v->low_base);
out_unlock:
	gvt_mutex_unlock(&gpu->lock);
	return ret;
}

void gvt_partition_free(struct gvt_gpu *gpu, struct gvt_vgpu *v)
{
	unsigned int i;

	gvt_mutex_lock(&gpu->lock);
	pool_release(gpu->low_used, v->low_base);
	pool_release(gpu->high_used, v->high_base);
	for (i = 0; i < v->nfences; i++)
		gpu->fence_used &= ~(1ull << v->fences[i]);
	gpu->id_used[v->id] = false;
	gpu->nvgpus--;
	gvt_mutex_unlock(&gpu->lock);
}
