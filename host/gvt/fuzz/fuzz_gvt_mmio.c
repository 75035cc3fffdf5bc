// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the guest-facing write paths of one vGPU: BAR0
 * registers and GGTT, config space, the aperture, time. The fakes check the
 * invariants a guest must never break: the physical GGTT is written only in
 * the vGPU's ranges, guest memory is accessed only inside guest RAM, every
 * pin is released on destroy.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "gvt.h"

#define RAM_SIZE	(4u << 20)

static struct {
	uint64_t lo_base, lo_size, hi_base, hi_size;
	bool ranges_known;
	int64_t pinned;
	uint64_t now;
	uint8_t ram[RAM_SIZE];
} f;

static bool in_vgpu(uint32_t index)
{
	uint64_t gm = (uint64_t)index << 12;

	return (gm >= f.lo_base && gm < f.lo_base + f.lo_size) ||
	       (gm >= f.hi_base && gm < f.hi_base + f.hi_size);
}

static int host_ggtt_write(void *priv, uint32_t index, uint64_t pte)
{
	(void)priv;
	(void)pte;
	if (f.ranges_known && !in_vgpu(index))
		abort();	/* a guest reached the physical GGTT outside its ranges */
	return 0;
}

static int host_fence_write(void *priv, unsigned int fence, uint64_t value)
{
	(void)priv;
	if (fence < 4 || fence >= 32)	/* the host's own fences or beyond */
		abort();
	(void)value;
	return 0;
}

static const struct gvt_host_ops host_ops = {
	.version = GVT_OPS_VERSION,
	.ggtt_write = host_ggtt_write,
	.fence_write = host_fence_write,
};

static int gpa_read(void *priv, uint64_t gpa, void *buf, size_t len)
{
	(void)priv;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, f.ram + gpa, len);
	return 0;
}

static int gpa_write(void *priv, uint64_t gpa, const void *buf, size_t len)
{
	(void)priv;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(f.ram + gpa, buf, len);
	return 0;
}

static int dma_map(void *priv, uint64_t gfn, uint64_t *dma)
{
	(void)priv;
	if (gfn >= RAM_SIZE >> 12)
		return -EFAULT;
	*dma = (gfn << 12) + 0x100000000ull;
	f.pinned++;
	return 0;
}

static void dma_unmap(void *priv, uint64_t gfn, uint64_t dma)
{
	(void)priv;
	if (dma != (gfn << 12) + 0x100000000ull)
		abort();	/* unpinned something else than was pinned */
	f.pinned--;
}

static int inject_msi(void *priv, uint64_t addr, uint32_t data)
{
	(void)priv;
	(void)addr;
	(void)data;
	return 0;
}

static uint64_t now_ns(void *priv)
{
	(void)priv;
	return f.now;
}

static void log_sink(void *priv, int level, const char *msg)
{
	(void)priv;
	(void)level;
	(void)msg;
}

static const struct gvt_hyp_ops hyp_ops = {
	.version = GVT_OPS_VERSION,
	.gpa_read = gpa_read,
	.gpa_write = gpa_write,
	.dma_map = dma_map,
	.dma_unmap = dma_unmap,
	.inject_msi = inject_msi,
	.now_ns = now_ns,
	.log = log_sink,
};

static struct gvt_gpu *gpu;
static struct gvt_vgpu *v;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gvt_vgpu_info info;
	size_t pos = 0;

	/*
	 * One vGPU for the whole run, reset between inputs: a reset must bring
	 * it back to power-on state (release every pin) for inputs to replay.
	 */
	if (!gpu) {
		struct gvt_gpu_desc d = {
			.device_id = 0x1912, .ggtt_size = 4ull << 30,
			.aperture_size = 256u << 20, .num_fences = 32, .scratch_pte = 0x1001,
		};

		if (gvt_gpu_create(&d, &host_ops, NULL, &gpu))
			abort();
		if (gvt_vgpu_create(gpu, "GVTg_V5_8", &hyp_ops, NULL, &v))
			abort();
	}
	f.now = 1000000000ull;
	gvt_vgpu_get_info(v, &info);
	f.lo_base = info.low_gm_base;
	f.lo_size = info.low_gm_size;
	f.hi_base = info.high_gm_base;
	f.hi_size = info.high_gm_size;
	f.ranges_known = true;

	/* each op: kind(1) len(1) off(4) val(8) = 14 bytes */
	while (size - pos >= 14) {
		uint8_t kind = data[pos], len = (uint8_t)(1u << (data[pos + 1] & 3));
		uint32_t off;
		uint64_t val;
		uint8_t buf[64];

		memcpy(&off, data + pos + 2, 4);
		memcpy(&val, data + pos + 6, 8);
		pos += 14;
		switch (kind % 8) {
		case 0:	/* register write, biased to the 2 MiB register space */
			gvt_vgpu_mmio_write(v, 0, off % (2u << 20), &val, len);
			break;
		case 1:	/* anywhere in BAR0, including the GGTT */
			gvt_vgpu_mmio_write(v, 0, off % (16u << 20), &val, len);
			break;
		case 2:
			gvt_vgpu_mmio_read(v, 0, off % (16u << 20), &val, len);
			break;
		case 3:
			gvt_vgpu_cfg_write(v, off % 260, &val, len);
			break;
		case 4:	/* GGTT PTE pointing into guest RAM */
			val = (val % RAM_SIZE) | 1;
			gvt_vgpu_mmio_write(v, 0, (8u << 20) + ((uint64_t)(off % (1u << 20)) << 3),
					    &val, 8);
			break;
		case 5:
			memset(buf, (int)val, sizeof(buf));
			gvt_vgpu_mmio_write(v, 2, off % (256u << 20), buf,
					    1 + (val >> 8) % sizeof(buf));
			gvt_vgpu_mmio_read(v, 2, off % (256u << 20), buf,
					   1 + (val >> 16) % sizeof(buf));
			break;
		case 6:
			f.now += val % 100000000ull;
			gvt_vgpu_run_timers(v);
			break;
		default:
			if ((val & 0xff) == 0)
				gvt_vgpu_reset(v);
			else
				gvt_display_get_plane(v, off % 3, val & 1, &(struct gvt_plane_info){ 0 });
			break;
		}
	}
	gvt_vgpu_reset(v);
	if (f.pinned != 0)
		abort();	/* a pin leaked */
	return 0;
}
