// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu as a host-driver bus (struct hdrv_bus_ops, hostdrv.h): in-process
 * calls. In non-threaded mode every register read also runs the engines a
 * little, so a polling driver sees progress without knowing about sgpu_step().
 */
#include "hostdrv.h"
#include "sgpu_internal.h"

#define POLL_BUDGET	64

static uint32_t bus_cfg_read32(void *ctx, uint32_t off)
{
	return sgpu_cfg_read32(ctx, off);
}

static void bus_run(struct sgpu *gpu)
{
	if (!gpu->cfg.threaded)
		sgpu_step(gpu, POLL_BUDGET);
}

static uint32_t bus_read32(void *ctx, unsigned int bar, uint64_t off)
{
	struct sgpu *gpu = ctx;

	if (bar == 2)
		return sgpu_aperture_read32(gpu, off);
	if (bar != 0)
		return 0xFFFFFFFF;
	bus_run(gpu);
	return sgpu_mmio_read32(gpu, off);
}

static void bus_write32(void *ctx, unsigned int bar, uint64_t off, uint32_t val)
{
	if (bar == 2)
		sgpu_aperture_write32(ctx, off, val);
	else if (bar == 0)
		sgpu_mmio_write32(ctx, off, val);
}

static uint64_t bus_read64(void *ctx, unsigned int bar, uint64_t off)
{
	if (bar == 2)
		return sgpu_aperture_read32(ctx, off) | ((uint64_t)sgpu_aperture_read32(ctx, off + 4) << 32);
	if (bar != 0)
		return ~0ull;
	return sgpu_mmio_read64(ctx, off);
}

static void bus_write64(void *ctx, unsigned int bar, uint64_t off, uint64_t val)
{
	if (bar == 2) {
		sgpu_aperture_write32(ctx, off, (uint32_t)val);
		sgpu_aperture_write32(ctx, off + 4, (uint32_t)(val >> 32));
	} else if (bar == 0) {
		sgpu_mmio_write64(ctx, off, val);
	}
}

static int bus_dma_alloc(void *ctx, size_t size, struct hdrv_dma *out)
{
	int ret = sgpu_dma_alloc(ctx, size, &out->cpu, &out->dma);

	if (!ret)
		out->size = (size + 4095) & ~(size_t)4095;
	return ret;
}

static void bus_dma_free(void *ctx, struct hdrv_dma *mem)
{
	if (mem->cpu)
		sgpu_dma_unmap(ctx, mem->dma);
	mem->cpu = NULL;
	mem->dma = 0;
	mem->size = 0;
}

static int bus_dma_map(void *ctx, void *cpu, size_t size, struct hdrv_dma *out)
{
	int ret = sgpu_dma_map(ctx, cpu, size, &out->dma);

	if (!ret) {
		out->cpu = cpu;
		out->size = size;
	}
	return ret;
}

static void bus_dma_unmap(void *ctx, struct hdrv_dma *mem)
{
	sgpu_dma_unmap(ctx, mem->dma);	/* not owned: the memory stays */
}

static int bus_irq_connect(void *ctx, void (*handler)(void *arg), void *arg)
{
	sgpu_set_irq_handler(ctx, handler, arg);
	return 0;
}

static const struct hdrv_bus_ops sgpu_bus_ops = {
	.cfg_read32 = bus_cfg_read32,
	.read32 = bus_read32,
	.write32 = bus_write32,
	.read64 = bus_read64,
	.write64 = bus_write64,
	.dma_alloc = bus_dma_alloc,
	.dma_free = bus_dma_free,
	.dma_map = bus_dma_map,
	.dma_unmap = bus_dma_unmap,
	.irq_connect = bus_irq_connect,
};

void sgpu_bus(struct sgpu *gpu, struct hdrv_bus *bus)
{
	bus->ops = &sgpu_bus_ops;
	bus->ctx = gpu;
}
