// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostdrv unit tests: probe checks with a fake bus, bring-up register state
 * on softgpu, the GGTT allocator and PTEs, the aperture, ring emission and
 * submission argument checks, and the progress-based hang check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hostdrv.h"
#include "softgpu.h"

/* ---- a fake bus for the probe failure paths ---------------------------- */

struct fake {
	uint32_t cfg0;
	uint32_t mmio_value;
};

static uint32_t f_cfg(void *ctx, uint32_t off)
{
	return off == 0 ? ((struct fake *)ctx)->cfg0 : 0;
}

static uint32_t f_rd32(void *ctx, unsigned int bar, uint64_t off)
{
	return ((struct fake *)ctx)->mmio_value;
}

static void f_wr32(void *ctx, unsigned int bar, uint64_t off, uint32_t v)
{
}

static uint64_t f_rd64(void *ctx, unsigned int bar, uint64_t off)
{
	return ~0ull;
}

static void f_wr64(void *ctx, unsigned int bar, uint64_t off, uint64_t v)
{
}

static int f_alloc(void *ctx, size_t size, struct hdrv_dma *out)
{
	return -ENOMEM;
}

static void f_free(void *ctx, struct hdrv_dma *mem)
{
}

static const struct hdrv_bus_ops fake_ops = {
	.cfg_read32 = f_cfg, .read32 = f_rd32, .write32 = f_wr32, .read64 = f_rd64,
	.write64 = f_wr64, .dma_alloc = f_alloc, .dma_free = f_free,
};

static void test_probe_rejects_bad_devices(void **state)
{
	struct fake f = { .cfg0 = 0x12341002, .mmio_value = 0 };	/* not Intel */
	struct hdrv_bus bus = { &fake_ops, &f };
	struct hdrv_bus_ops no_dma = fake_ops;
	struct hdrv_gpu *gpu = NULL;

	assert_int_equal(hdrv_gpu_probe(&bus, NULL, &gpu), -ENODEV);
	f.cfg0 = 0x3E928086;	/* Intel, but gen9.5 CFL is not ours */
	assert_int_equal(hdrv_gpu_probe(&bus, NULL, &gpu), -ENODEV);
	f.cfg0 = 0x19128086;	/* SKL GT2, but the device reads all-ones */
	f.mmio_value = 0xFFFFFFFF;
	assert_int_equal(hdrv_gpu_probe(&bus, NULL, &gpu), -EIO);
	f.mmio_value = 0;	/* alive, but forcewake never acks */
	assert_int_equal(hdrv_gpu_probe(&bus, NULL, &gpu), -EIO);
	no_dma.dma_alloc = NULL;
	bus.ops = &no_dma;
	assert_int_equal(hdrv_gpu_probe(&bus, NULL, &gpu), -EINVAL);
	assert_int_equal(hdrv_gpu_probe(NULL, NULL, &gpu), -EINVAL);
	assert_null(gpu);
}

/* ---- on softgpu -------------------------------------------------------- */

struct env {
	struct sgpu *sg;
	struct hdrv_gpu *gpu;
	struct hdrv_bus bus;
};

static int setup(void **state)
{
	struct sgpu_config sc = { .threaded = false };
	struct hdrv_config hc = { .ggtt_size = 32ull << 20 };
	struct env *e = calloc(1, sizeof(*e));

	if (!e || sgpu_create(&sc, &e->sg))
		return -1;
	sgpu_bus(e->sg, &e->bus);
	if (hdrv_gpu_probe(&e->bus, &hc, &e->gpu))
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	hdrv_gpu_remove(e->gpu);
	sgpu_destroy(e->sg);
	free(e);
	return 0;
}

static void test_bringup_state(void **state)
{
	struct env *e = *state;
	static const uint32_t base[] = { 0x2000, 0x22000, 0x12000, 0x1A000 };
	struct hdrv_info info;

	hdrv_gpu_info(e->gpu, &info);
	assert_int_equal(info.vendor, 0x8086);
	assert_int_equal(info.device, 0x1912);
	assert_int_equal(info.fuse2, 0x02800000);
	assert_int_equal(info.ts_freq_hz, 12000000);
	assert_int_equal(info.ggtt_size, 32ull << 20);
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x40E0), 0x000A0907);	/* private PAT */
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x40E4), 0x3B2B1B0B);
	/* all forcewake domains held (render, GT, media acks) */
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x0D84) & 1, 1);
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x130044) & 1, 1);
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x0D88) & 1, 1);
	for (int i = 0; i < 4; i++) {
		uint32_t hws = hdrv_mmio_read(e->gpu, base[i] + 0x80);

		assert_true(hdrv_mmio_read(e->gpu, base[i] + 0x29C) & (1u << 15));	/* run list */
		assert_false(hdrv_mmio_read(e->gpu, base[i] + 0x9C) & (1u << 8));	/* !STOP_RING */
		assert_true(hws && !(hws & 4095));
		assert_true(hdrv_ggtt_read_pte(e->gpu, hws) & 1);
		assert_int_equal(hdrv_mmio_read(e->gpu, base[i] + 0xB4), 0xFFFFFFFEu);	/* EMR */
		assert_int_equal(hdrv_mmio_read(e->gpu, base[i] + 0x3A0) & 7, 5);	/* CSB wp */
		assert_int_equal(hdrv_mmio_read(e->gpu, base[i] + 0xA8), ~0x109u);	/* RING_IMR */
	}
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x4430C), 0x01090109);	/* GT IER0 */
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x44304), ~0x01090109u);
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x4431C), 0x109);
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x4433C), 0x109);
	for (int n = 0; n < 4; n++)
		assert_int_equal(hdrv_mmio_read(e->gpu, 0x44308 + 0x10 * n), 0);	/* IIRs */
}

static void test_fence_write(void **state)
{
	struct env *e = *state;

	assert_int_equal(hdrv_fence_write(e->gpu, 3, 0x123456789ABCD001ull), 0);
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x100018), 0x9ABCD001);
	assert_int_equal(hdrv_mmio_read(e->gpu, 0x10001C), 0x12345678);
	assert_int_equal(hdrv_fence_write(e->gpu, 32, 1), -EINVAL);
}

static void test_ggtt_allocator(void **state)
{
	struct env *e = *state;
	uint64_t a, b, c, big;

	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 4096, 0, &a), 0);
	assert_true(a != 0);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 10000, 65536, &b), 0);
	assert_int_equal(b % 65536, 0);
	assert_true(b >= a + 4096 || b + 12288 <= a);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 0, 0, &c), -EINVAL);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 4096, 3000, &c), -EINVAL);
	/* the 32 MiB space cannot hold 64 MiB */
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 64u << 20, 0, &big), -EINVAL);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 31u << 20, 0, &big), 0);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 2u << 20, 0, &c), -ENOSPC);
	hdrv_ggtt_release(e->gpu, big, 31u << 20);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 2u << 20, 0, &c), 0);
	hdrv_ggtt_release(e->gpu, c, 2u << 20);
	hdrv_ggtt_release(e->gpu, a, 4096);
	hdrv_ggtt_release(e->gpu, b, 10000);
}

static void test_ggtt_alloc_size_limits_allocator(void **state)
{
	struct sgpu_config sc = { .threaded = false };
	struct hdrv_config hc = { .ggtt_size = 32ull << 20, .ggtt_alloc_size = 8ull << 20 };
	struct hdrv_bus bus;
	struct hdrv_gpu *gpu;
	struct sgpu *sg;
	struct hdrv_dma mem;
	uint64_t gtt;

	assert_int_equal(sgpu_create(&sc, &sg), 0);
	sgpu_bus(sg, &bus);
	assert_int_equal(hdrv_gpu_probe(&bus, &hc, &gpu), 0);
	/* the allocator stays below 8 MiB (status pages took a few pages) */
	assert_int_equal(hdrv_ggtt_alloc(gpu, 9u << 20, 0, &gtt), -EINVAL);
	assert_int_equal(hdrv_ggtt_alloc(gpu, 8u << 20, 0, &gtt), -ENOSPC);
	assert_int_equal(hdrv_ggtt_alloc(gpu, 4u << 20, 0, &gtt), 0);
	assert_true(gtt + (4u << 20) <= (8u << 20));
	assert_int_equal(hdrv_ggtt_alloc(gpu, 4u << 20, 0, &gtt), -ENOSPC);
	/* the rest (vGPU partitions) is still reachable by insert */
	assert_int_equal(hdrv_dma_alloc(gpu, 4096, &mem), 0);
	assert_int_equal(hdrv_ggtt_insert(gpu, 20u << 20, mem.dma), 0);
	assert_int_equal(hdrv_ggtt_read_pte(gpu, 20u << 20), mem.dma | 1);
	assert_int_equal(hdrv_ggtt_insert(gpu, 32u << 20, mem.dma), -EINVAL);
	assert_int_equal(hdrv_ggtt_write_pte(gpu, (24u << 20) >> 12, mem.dma | 1), 0);
	hdrv_ggtt_invalidate(gpu);
	assert_int_equal(hdrv_ggtt_read_pte(gpu, 24u << 20), mem.dma | 1);
	assert_int_equal(hdrv_ggtt_write_pte(gpu, (32u << 20) >> 12, 1), -EINVAL);
	assert_int_equal(hdrv_ggtt_clear(gpu, 20u << 20, 1), 0);
	hdrv_dma_free(gpu, &mem);
	hdrv_gpu_remove(gpu);
	sgpu_destroy(sg);
}

static void test_ggtt_pte_and_aperture(void **state)
{
	struct env *e = *state;
	const struct hdrv_bus_ops *ops = e->bus.ops;
	struct hdrv_dma mem;
	uint64_t gtt, scratch;
	uint32_t *p;

	assert_int_equal(hdrv_dma_alloc(e->gpu, 8192, &mem), 0);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 8192, 0, &gtt), 0);
	scratch = hdrv_ggtt_read_pte(e->gpu, gtt);
	assert_true(scratch & 1);	/* unused PTEs point at the scratch page */
	assert_int_equal(hdrv_ggtt_insert_range(e->gpu, gtt, &mem), 0);
	assert_int_equal(hdrv_ggtt_read_pte(e->gpu, gtt), mem.dma | 1);
	assert_int_equal(hdrv_ggtt_read_pte(e->gpu, gtt + 4096), (mem.dma + 4096) | 1);
	assert_int_equal(hdrv_ggtt_insert(e->gpu, gtt + 1, mem.dma), -EINVAL);
	/* BAR2 aperture goes through the GGTT */
	p = mem.cpu;
	p[1027] = 0x5A5A1234;
	assert_int_equal(ops->read32(e->bus.ctx, 2, gtt + 4096 + 12), 0x5A5A1234);
	ops->write32(e->bus.ctx, 2, gtt + 8, 0xAB);
	assert_int_equal(p[2], 0xAB);
	assert_int_equal(hdrv_ggtt_clear(e->gpu, gtt, 2), 0);
	assert_int_equal(hdrv_ggtt_read_pte(e->gpu, gtt), scratch);
	ops->write32(e->bus.ctx, 2, gtt + 8, 0xCD);	/* lands in scratch now */
	assert_int_equal(p[2], 0xAB);
	hdrv_ggtt_release(e->gpu, gtt, 8192);
	hdrv_dma_free(e->gpu, &mem);
}

static void test_dma_map_external_memory(void **state)
{
	struct env *e = *state;
	struct hdrv_ctx *ctx;
	struct hdrv_dma ext;
	uint64_t gtt;
	uint32_t *mem = aligned_alloc(4096, 8192), cmd[4];

	/* memory the driver did not allocate (guest RAM for the vGPU) */
	assert_non_null(mem);
	memset(mem, 0, 8192);
	assert_int_equal(hdrv_dma_map(e->gpu, mem + 1, 4096, &ext), -EINVAL);
	assert_int_equal(hdrv_dma_map(e->gpu, mem, 8192, &ext), 0);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 8192, 0, &gtt), 0);
	assert_int_equal(hdrv_ggtt_insert_range(e->gpu, gtt, &ext), 0);
	assert_int_equal(hdrv_ctx_create(e->gpu, HDRV_VECS, NULL, &ctx), 0);
	cmd[0] = (0x20u << 23) | (1u << 22) | 2;	/* MI_STORE_DWORD_IMM, GGTT */
	cmd[1] = (uint32_t)gtt + 4096 + 16;
	cmd[2] = 0;
	cmd[3] = 0xE7E7;
	assert_int_equal(hdrv_ctx_emit(ctx, cmd, 4), 0);
	assert_int_equal(hdrv_engine_submit(e->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(e->gpu, HDRV_VECS, 5000), 0);
	assert_int_equal(mem[1024 + 4], 0xE7E7);
	hdrv_ctx_destroy(ctx);
	hdrv_ggtt_clear(e->gpu, gtt, 2);
	hdrv_ggtt_release(e->gpu, gtt, 8192);
	hdrv_dma_unmap(e->gpu, &ext);
	free(mem);
}

static void test_dma_guard_pages_and_reuse(void **state)
{
	struct env *e = *state;
	const struct hdrv_bus_ops *ops = e->bus.ops;
	struct hdrv_dma a, b;
	uint64_t gtt, first;

	assert_int_equal(hdrv_dma_alloc(e->gpu, 4096, &a), 0);
	assert_int_equal(hdrv_dma_alloc(e->gpu, 4096, &b), 0);
	/* regions never touch: the page after each one is unmapped */
	assert_true(b.dma >= a.dma + 8192 || a.dma >= b.dma + 8192);
	assert_int_equal(hdrv_ggtt_alloc(e->gpu, 4096, 0, &gtt), 0);
	assert_int_equal(hdrv_ggtt_insert(e->gpu, gtt, a.dma + 4096), 0);
	assert_int_equal(ops->read32(e->bus.ctx, 2, gtt), 0xFFFFFFFF);	/* no memory there */
	ops->write32(e->bus.ctx, 2, gtt, 1);	/* dropped, nothing corrupted */
	assert_int_equal(hdrv_ggtt_clear(e->gpu, gtt, 1), 0);
	hdrv_ggtt_release(e->gpu, gtt, 4096);
	/* freed bus addresses are reused */
	first = a.dma;
	hdrv_dma_free(e->gpu, &a);
	assert_int_equal(hdrv_dma_alloc(e->gpu, 4096, &a), 0);
	assert_int_equal(a.dma, first);
	hdrv_dma_free(e->gpu, &a);
	hdrv_dma_free(e->gpu, &b);
}

static void test_ring_emit_wraps_and_fills(void **state)
{
	struct env *e = *state;
	struct hdrv_ctx_params p = { .ring_size = 4096 };
	struct hdrv_ctx *ctx;
	uint32_t dw[64] = { 0 };
	int n = 0;

	assert_int_equal(hdrv_ctx_create(e->gpu, HDRV_BCS, &p, &ctx), 0);
	while (hdrv_ctx_emit(ctx, dw, 64) == 0)
		n++;
	/* 4 KiB ring, one qword kept free: 15 blocks of 256 bytes fit */
	assert_int_equal(n, 15);
	assert_int_equal(hdrv_ctx_emit(ctx, dw, 62), 0);
	assert_int_equal(hdrv_ctx_emit(ctx, dw, 1), -ENOSPC);
	assert_int_equal(hdrv_ctx_tail(ctx), 4096 - 8);
	hdrv_ctx_destroy(ctx);

	/* bulk copy: write into the mapped ring, then move the tail */
	assert_int_equal(hdrv_ctx_create(e->gpu, HDRV_BCS, &p, &ctx), 0);
	{
		uint32_t size, *ring = hdrv_ctx_ring_map(ctx, &size);

		assert_int_equal(size, 4096);
		assert_non_null(ring);
		assert_true(hdrv_ctx_ring_gtt(ctx) != 0);
		ring[0] = 0;
		ring[1] = 0;
		assert_int_equal(hdrv_ctx_set_tail(ctx, 6), -EINVAL);
		assert_int_equal(hdrv_ctx_set_tail(ctx, 4096), -EINVAL);
		assert_int_equal(hdrv_ctx_set_tail(ctx, 8), 0);
		assert_int_equal(hdrv_engine_submit(e->gpu, ctx, NULL), 0);
		assert_int_equal(hdrv_engine_wait_idle(e->gpu, HDRV_BCS, 5000), 0);
		assert_int_equal(hdrv_ctx_head(ctx), 8);
	}
	hdrv_ctx_destroy(ctx);

	p.ring_size = 1000;
	assert_int_equal(hdrv_ctx_create(e->gpu, HDRV_BCS, &p, &ctx), -EINVAL);
	assert_int_equal(hdrv_ctx_create(e->gpu, 7, NULL, &ctx), -EINVAL);
}

static void test_submit_checks(void **state)
{
	struct env *e = *state;
	struct hdrv_ctx *a, *b, *c;
	uint32_t nop[2] = { 0, 0 };

	assert_int_equal(hdrv_ctx_create(e->gpu, HDRV_RCS, NULL, &a), 0);
	assert_int_equal(hdrv_ctx_create(e->gpu, HDRV_RCS, NULL, &b), 0);
	assert_int_equal(hdrv_ctx_create(e->gpu, HDRV_VCS, &(struct hdrv_ctx_params){ .priv = e }, &c), 0);
	assert_ptr_equal(hdrv_ctx_priv(c), e);
	assert_int_equal(hdrv_ctx_engine(c), HDRV_VCS);
	assert_int_equal(hdrv_ctx_desc(c) & (1u << 9), 0);	/* priority bits: RCS only */
	/* descriptor: valid, legacy 64-bit addressing, privileged, LRCA */
	assert_int_equal(hdrv_ctx_desc(a) & 0x1FF, 0x119);
	assert_int_equal(hdrv_ctx_desc(a) & 0xFFFFF000ull, hdrv_ctx_lrca(a));
	assert_true(hdrv_ctx_desc(a) >> 32);
	assert_int_equal(hdrv_engine_submit(e->gpu, a, c), -EINVAL);
	assert_int_equal(hdrv_engine_submit(e->gpu, a, a), -EINVAL);
	assert_int_equal(hdrv_engine_submit(e->gpu, NULL, NULL), -EINVAL);
	hdrv_ctx_emit(a, nop, 2);
	hdrv_ctx_emit(b, nop, 2);
	assert_int_equal(hdrv_engine_submit(e->gpu, a, NULL), 0);
	/* not yet promoted (nobody polled): a second list must wait */
	assert_false(hdrv_engine_can_submit(e->gpu, HDRV_RCS));
	assert_int_equal(hdrv_engine_submit(e->gpu, b, NULL), -EBUSY);
	assert_int_equal(hdrv_engine_wait_idle(e->gpu, HDRV_RCS, 5000), 0);
	assert_true(hdrv_engine_can_submit(e->gpu, HDRV_RCS));
	assert_int_equal(hdrv_engine_submit(e->gpu, b, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(e->gpu, HDRV_RCS, 5000), 0);
	assert_int_equal(hdrv_ctx_head(b), 8);
	assert_int_equal(hdrv_ctx_set_vm(a, HDRV_VM_PPGTT_3LVL, (uint64_t[4]){ 0x1000, 0, 0, 0 }), 0);
	assert_int_equal(hdrv_ctx_desc(a) & 0x18, 0x8);	/* legacy 32-bit mode */
	assert_int_equal(hdrv_ctx_regs(a)[0x33], 0x1000);
	hdrv_ctx_destroy(a);
	hdrv_ctx_destroy(b);
	hdrv_ctx_destroy(c);
}

/* ---- hang check ---------------------------------------------------------- */

#define MI_NOOP_DW	0u
#define MI_BB_END	(0x0Au << 23)
#define MI_BB_START	((0x31u << 23) | 1)	/* GGTT (bit 8 clear), 3 dwords */
#define T_HANG_MS	40u

static uint64_t t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * softgpu's own bus runs the engines a little on every register read; here
 * the engines move only when a test calls sgpu_step(), so a test decides
 * whether an engine gets to run between two hang checks.
 */
static struct hdrv_bus_ops still_ops;

static uint32_t still_rd32(void *ctx, unsigned int bar, uint64_t off)
{
	if (bar == 2)
		return sgpu_aperture_read32(ctx, off);
	return bar == 0 ? sgpu_mmio_read32(ctx, off) : 0xFFFFFFFF;
}

static int setup_hang(void **state)
{
	struct sgpu_config sc = { .threaded = false };
	struct hdrv_config hc = { .ggtt_size = 32ull << 20, .hang_ms = T_HANG_MS };
	struct env *e = calloc(1, sizeof(*e));

	if (!e || sgpu_create(&sc, &e->sg))
		return -1;
	sgpu_bus(e->sg, &e->bus);
	still_ops = *e->bus.ops;
	still_ops.read32 = still_rd32;
	e->bus.ops = &still_ops;
	if (hdrv_gpu_probe(&e->bus, &hc, &e->gpu))
		return -1;
	*state = e;
	return 0;
}

/* a context on engine id whose ring jumps into bb */
static struct hdrv_ctx *submit_batch(struct env *e, enum hdrv_engine_id id, const struct hdrv_bo *bb)
{
	uint32_t start[4] = { MI_BB_START, (uint32_t)bb->gtt, 0, 0 };
	struct hdrv_ctx *ctx;

	assert_int_equal(hdrv_ctx_create(e->gpu, id, NULL, &ctx), 0);
	assert_int_equal(hdrv_ctx_emit(ctx, start, 4), 0);
	assert_int_equal(hdrv_engine_submit(e->gpu, ctx, NULL), 0);
	sgpu_step(e->sg, 1);	/* loaded, and the batch started */
	assert_false(hdrv_engine_idle(e->gpu, id));
	return ctx;
}

/* A stalled engine (a batch jumping to itself: ACTHD never moves) is reset,
 * though it keeps executing: not before hang_ms and three checks. */
static void test_hangcheck_resets_stalled_engine(void **state)
{
	struct env *e = *state;
	struct hdrv_engine_stats st;
	struct hdrv_ctx *ctx;
	struct hdrv_bo bb;
	uint64_t t0, now = 0;
	unsigned int checks = 0, mask = 0;

	assert_int_equal(hdrv_bo_create(e->gpu, 4096, &bb), 0);
	((uint32_t *)bb.mem.cpu)[0] = MI_BB_START;
	((uint32_t *)bb.mem.cpu)[1] = (uint32_t)bb.gtt;
	((uint32_t *)bb.mem.cpu)[2] = 0;
	ctx = submit_batch(e, HDRV_BCS, &bb);
	t0 = t_now_ms();
	while (!mask && (now = t_now_ms()) - t0 < 5000) {
		assert_true(sgpu_step(e->sg, 64) > 0);	/* it runs, but stays put */
		mask = hdrv_hangcheck(e->gpu);
		checks++;
		usleep(T_HANG_MS * 1000 / 8);
	}
	assert_int_equal(mask, 1u << HDRV_BCS);
	assert_true(now - t0 >= T_HANG_MS);
	assert_true(checks >= 3);
	assert_true(hdrv_engine_idle(e->gpu, HDRV_BCS));
	hdrv_engine_stats(e->gpu, HDRV_BCS, &st);
	assert_int_equal(st.resets, 1);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(e->gpu, &bb);
}

/* A slow engine that moves between checks is never reset, not even by the
 * first check after a gap of several hang_ms in which it did not run (a
 * host too loaded to schedule it), and its batch then completes. */
static void test_hangcheck_spares_slow_engine(void **state)
{
	struct env *e = *state;
	enum { NOOPS = 1000 };
	struct hdrv_engine_stats st;
	struct hdrv_ctx *ctx;
	struct hdrv_bo bb;
	uint64_t t0;

	assert_int_equal(hdrv_bo_create(e->gpu, 4096, &bb), 0);
	memset(bb.mem.cpu, 0, NOOPS * 4);
	((uint32_t *)bb.mem.cpu)[NOOPS] = MI_BB_END;
	ctx = submit_batch(e, HDRV_VCS, &bb);
	t0 = t_now_ms();
	while (t_now_ms() - t0 < 4 * T_HANG_MS) {
		assert_int_equal(sgpu_step(e->sg, 2), 2);	/* two NOOPs a check */
		assert_int_equal(hdrv_hangcheck(e->gpu), 0);
		usleep(T_HANG_MS * 1000 / 8);
	}
	/* starved: no step for three hang_ms; the next check alone says nothing */
	usleep(3 * T_HANG_MS * 1000);
	assert_int_equal(hdrv_hangcheck(e->gpu), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(sgpu_step(e->sg, 2), 2);
		assert_int_equal(hdrv_hangcheck(e->gpu), 0);
	}
	assert_false(hdrv_engine_idle(e->gpu, HDRV_VCS));
	while (sgpu_step(e->sg, 256))
		;
	assert_int_equal(hdrv_engine_wait_idle(e->gpu, HDRV_VCS, 5000), 0);
	assert_int_equal(hdrv_ctx_head(ctx), 16);
	hdrv_engine_stats(e->gpu, HDRV_VCS, &st);
	assert_int_equal(st.resets, 0);
	assert_int_equal(st.completes, 1);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(e->gpu, &bb);
}

/* A batch looping over two commands moves ACTHD at every check: it is
 * progress, reset only by the loop bound (10 * hang_ms without a context
 * event). */
static void test_hangcheck_bounds_looping_engine(void **state)
{
	struct env *e = *state;
	struct hdrv_ctx *ctx;
	struct hdrv_bo bb;
	uint64_t t0, now = 0;
	unsigned int mask = 0;

	assert_int_equal(hdrv_bo_create(e->gpu, 4096, &bb), 0);
	((uint32_t *)bb.mem.cpu)[0] = MI_NOOP_DW;
	((uint32_t *)bb.mem.cpu)[1] = MI_BB_START;
	((uint32_t *)bb.mem.cpu)[2] = (uint32_t)bb.gtt;
	((uint32_t *)bb.mem.cpu)[3] = 0;
	ctx = submit_batch(e, HDRV_VECS, &bb);
	t0 = t_now_ms();
	while (!mask && (now = t_now_ms()) - t0 < 10000) {
		sgpu_step(e->sg, 1);	/* one command: ACTHD alternates */
		mask = hdrv_hangcheck(e->gpu);
		usleep(T_HANG_MS * 1000 / 8);
	}
	assert_int_equal(mask, 1u << HDRV_VECS);
	assert_true(now - t0 >= 10 * T_HANG_MS);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(e->gpu, &bb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_rejects_bad_devices),
		cmocka_unit_test_setup_teardown(test_bringup_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fence_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ggtt_allocator, setup, teardown),
		cmocka_unit_test(test_ggtt_alloc_size_limits_allocator),
		cmocka_unit_test_setup_teardown(test_ggtt_pte_and_aperture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_map_external_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_guard_pages_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_emit_wraps_and_fills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hangcheck_resets_stalled_engine, setup_hang, teardown),
		cmocka_unit_test_setup_teardown(test_hangcheck_spares_slow_engine, setup_hang, teardown),
		cmocka_unit_test_setup_teardown(test_hangcheck_bounds_looping_engine, setup_hang, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
