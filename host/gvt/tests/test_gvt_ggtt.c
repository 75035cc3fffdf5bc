// SPDX-License-Identifier: GPL-2.0-only
/* GGTT shadowing, range checks, torn writes and the BAR2 aperture. */
#include <errno.h>
#include <string.h>

#include "gvt_test_util.h"

#define GGTT	(8u << 20)	/* BAR0 offset of the PTEs */

static void test_initial_scratch(void **state)
{
	struct fake_ctx *c = *state;
	uint32_t first = (uint32_t)(c->info.low_gm_base >> 12);
	uint32_t hfirst = (uint32_t)(c->info.high_gm_base >> 12);

	assert_int_equal(c->env->host.ggtt[first], FAKE_SCRATCH_PTE | 1);
	assert_int_equal(c->env->host.ggtt[first + (64u << 8) - 1], FAKE_SCRATCH_PTE | 1);
	assert_int_equal(c->env->host.ggtt[hfirst], FAKE_SCRATCH_PTE | 1);
	/* the host's own range is not touched */
	assert_int_equal(c->env->host.ggtt[0], 0);
	assert_int_equal(c->env->host.ggtt[first - 1], 0);
}

static void test_pte_write_in_range(void **state)
{
	struct fake_ctx *c = *state;
	uint32_t idx = (uint32_t)(c->info.low_gm_base >> 12) + 5;
	uint64_t pte = (0x123ull << 12) | 1;

	wr64(c->v, GGTT + idx * 8, pte);
	assert_int_equal(c->env->host.ggtt[idx], ((0x123ull << 12) + FAKE_DMA_OFFSET) | 1);
	assert_int_equal(rd64(c->v, GGTT + idx * 8), pte);
	assert_int_equal(c->hyp->pinned, 1);
	/* rewrite releases the old pin */
	wr64(c->v, GGTT + idx * 8, (0x456ull << 12) | 1);
	assert_int_equal(c->hyp->pinned, 1);
	assert_int_equal(c->env->host.ggtt[idx], ((0x456ull << 12) + FAKE_DMA_OFFSET) | 1);
	/* not present: scratch, not present, unpinned */
	wr64(c->v, GGTT + idx * 8, 0x456ull << 12);
	assert_int_equal(c->env->host.ggtt[idx], FAKE_SCRATCH_PTE);
	assert_int_equal(c->hyp->pinned, 0);
	/* high (hidden) range works too */
	idx = (uint32_t)(c->info.high_gm_base >> 12) + 7;
	wr64(c->v, GGTT + idx * 8, (0x10ull << 12) | 1);
	assert_int_equal(c->env->host.ggtt[idx], ((0x10ull << 12) + FAKE_DMA_OFFSET) | 1);
	/* the flush doorbell reaches the host driver */
	wr32(c->v, 0x101008, 1);
	assert_true(c->env->host.invalidates >= 1);
}

static void test_pte_write_out_of_range(void **state)
{
	struct fake_ctx *c = *state;
	uint64_t before = c->env->host.ggtt_writes;
	uint32_t below = (uint32_t)(c->info.low_gm_base >> 12) - 1;
	uint32_t above = (uint32_t)((c->info.low_gm_base + c->info.low_gm_size) >> 12);

	wr64(c->v, GGTT + 0, (0x1ull << 12) | 1);		/* host range */
	wr64(c->v, GGTT + below * 8, (0x1ull << 12) | 1);
	wr64(c->v, GGTT + above * 8, (0x1ull << 12) | 1);
	wr64(c->v, GGTT + ((1u << 30) >> 12) * 8, (0x1ull << 12) | 1);	/* host hidden GM */
	assert_int_equal(c->env->host.ggtt_writes, before);
	assert_int_equal(c->env->host.ggtt[below], 0);
	assert_int_equal(fake_vgpu_stats(c->v).ggtt_dropped, 4);
	assert_int_equal(rd64(c->v, GGTT + below * 8), 0);
	assert_int_equal(c->hyp->pinned, 0);
}

static void test_torn_write(void **state)
{
	struct fake_ctx *c = *state;
	uint32_t idx = (uint32_t)(c->info.low_gm_base >> 12) + 9;
	uint64_t gpa = 0x3456000ull;

	wr64(c->v, GGTT + idx * 8, (0x1ull << 12) | 1);
	assert_int_equal(c->hyp->pinned, 1);
	/* low half: the entry is not usable yet, the GPU sees scratch */
	wr32(c->v, GGTT + idx * 8, (uint32_t)gpa | 1);
	assert_int_equal(c->env->host.ggtt[idx], FAKE_SCRATCH_PTE);
	assert_int_equal(c->hyp->pinned, 0);
	/* high half completes it */
	wr32(c->v, GGTT + idx * 8 + 4, 0);
	assert_int_equal(c->env->host.ggtt[idx], (gpa + FAKE_DMA_OFFSET) | 1);
	assert_int_equal(c->hyp->pinned, 1);
	assert_int_equal(rd32(c->v, GGTT + idx * 8), (uint32_t)gpa | 1);
	assert_int_equal(rd32(c->v, GGTT + idx * 8 + 4), 0);
	/* high then low also works */
	wr32(c->v, GGTT + (idx + 1) * 8 + 4, 0);
	assert_int_equal(c->env->host.ggtt[idx + 1], FAKE_SCRATCH_PTE);
	wr32(c->v, GGTT + (idx + 1) * 8, 0x5000 | 1);
	assert_int_equal(c->env->host.ggtt[idx + 1], (0x5000 + FAKE_DMA_OFFSET) | 1);
	/* interleaved halves of two entries: neither completes from the other */
	wr32(c->v, GGTT + (idx + 2) * 8, 0x6000 | 1);
	wr32(c->v, GGTT + (idx + 3) * 8 + 4, 0);
	assert_int_equal(c->env->host.ggtt[idx + 2], FAKE_SCRATCH_PTE);
	assert_int_equal(c->env->host.ggtt[idx + 3], FAKE_SCRATCH_PTE);
	/* a misaligned or odd-sized access is dropped */
	{
		uint16_t w = 0xffff;

		assert_int_equal(gvt_vgpu_mmio_write(c->v, 0, GGTT + idx * 8, &w, 2), 0);
		assert_int_equal(c->env->host.ggtt[idx], (gpa + FAKE_DMA_OFFSET) | 1);
	}
}

static void test_map_failure(void **state)
{
	struct fake_ctx *c = *state;
	uint32_t idx = (uint32_t)(c->info.low_gm_base >> 12);

	c->hyp->fail_gfn = 0x77;
	wr64(c->v, GGTT + idx * 8, (0x77ull << 12) | 1);
	assert_int_equal(c->env->host.ggtt[idx], FAKE_SCRATCH_PTE | 1);
	assert_int_equal(fake_vgpu_stats(c->v).ggtt_map_failures, 1);
	/* beyond guest RAM */
	wr64(c->v, GGTT + idx * 8, (0x7000000ull << 12) | 1);
	assert_int_equal(c->env->host.ggtt[idx], FAKE_SCRATCH_PTE | 1);
	assert_int_equal(c->hyp->pinned, 0);
}

static void test_aperture(void **state)
{
	struct fake_ctx *c = *state;
	uint64_t base = c->info.low_gm_base;
	uint32_t idx = (uint32_t)(base >> 12);
	uint8_t buf[8192], rb[8192];

	/* map two aperture pages to non-contiguous guest pages */
	wr64(c->v, GGTT + idx * 8, 0x100000ull | 1);
	wr64(c->v, GGTT + (idx + 1) * 8, 0x300000ull | 1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	/* a write straddling the page boundary */
	assert_int_equal(gvt_vgpu_mmio_write(c->v, 2, base + 0x800, buf, 0x1000), 0);
	assert_memory_equal(c->hyp->ram + 0x100800, buf, 0x800);
	assert_memory_equal(c->hyp->ram + 0x300000, buf + 0x800, 0x800);
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 2, base + 0x800, rb, 0x1000), 0);
	assert_memory_equal(rb, buf, 0x1000);
	/* screenshot path: the same bytes through gvt_vgpu_gm_read */
	assert_int_equal(gvt_vgpu_gm_read(c->v, base + 0x800, rb, 0x1000), 0);
	assert_memory_equal(rb, buf, 0x1000);
	assert_int_equal(gvt_vgpu_gm_read(c->v, base + 0x2000, rb, 4), -EFAULT);
	assert_int_equal(gvt_vgpu_gm_read(c->v, 0, rb, 4), -EFAULT);
	/* outside the vGPU's aperture slice: dropped, reads 0xff */
	memset(rb, 0, 16);
	assert_int_equal(gvt_vgpu_mmio_write(c->v, 2, 0x1000, buf, 16), 0);
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 2, 0x1000, rb, 16), 0);
	assert_int_equal(rb[0], 0xff);
	/* an unmapped page inside the slice: dropped too, guest RAM unchanged */
	assert_int_equal(gvt_vgpu_mmio_write(c->v, 2, base + 0x2000, buf, 16), 0);
	assert_true(fake_vgpu_stats(c->v).aperture_dropped >= 3);
	/* beyond BAR2 is a transport error */
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 2, 1ull << 30, rb, 1), -EINVAL);
}

/* fence @i over the two aperture pages at @base; pitch in bytes */
static void set_fence(struct fake_ctx *c, unsigned int i, uint64_t base, bool y, uint32_t pitch)
{
	uint32_t hi = (uint32_t)(base + 0x1000) | (pitch / 128 - 1);
	uint32_t lo = (uint32_t)base | (y ? 2u : 0) | 1u;

	assert_int_equal(gvt_vgpu_mmio_write(c->v, 0, 0x100000 + 8 * i + 4, &hi, 4), 0);
	assert_int_equal(gvt_vgpu_mmio_write(c->v, 0, 0x100000 + 8 * i, &lo, 4), 0);
}

/* a GTT mmap of a tiled buffer: the aperture detiles through the fence */
static void test_aperture_fence_detiling(void **state)
{
	struct fake_ctx *c = *state;
	uint64_t base = c->info.low_gm_base;
	uint32_t idx = (uint32_t)(base >> 12), zero = 0;
	static uint8_t buf[8192], rb[8192];

	wr64(c->v, GGTT + idx * 8, 0x100000ull | 1);
	wr64(c->v, GGTT + (idx + 1) * 8, 0x101000ull | 1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + i / 251);

	for (int y = 0; y <= 1; y++) {
		uint32_t pitch = y ? 256 : 1024, tw = y ? 128 : 512;

		set_fence(c, 0, base, y, pitch);
		memset(c->hyp->ram + 0x100000, 0, 8192);
		/* odd sizes and offsets: split at every column/row span */
		assert_int_equal(gvt_vgpu_mmio_write(c->v, 2, base, buf, 3), 0);
		assert_int_equal(gvt_vgpu_mmio_write(c->v, 2, base + 3, buf + 3, 8189), 0);
		for (uint32_t off = 0; off < 8192; off++) {
			uint32_t row = off / pitch, col = off % pitch, tx = col % tw;
			uint32_t tile = col / tw, at;

			at = tile * 4096 + (y ? (tx / 16) * 512 + row * 16 + tx % 16 : row * 512 + tx);
			if (c->hyp->ram[0x100000 + at] != buf[off])
				fail_msg("%s: linear %u -> tiled %u", y ? "Y" : "X", off, at);
		}
		memset(rb, 0, sizeof(rb));
		assert_int_equal(gvt_vgpu_mmio_read(c->v, 2, base + 1, rb + 1, 8191), 0);
		assert_memory_equal(rb + 1, buf + 1, 8191);
	}
	/* fence disabled: linear again */
	assert_int_equal(gvt_vgpu_mmio_write(c->v, 0, 0x100000, &zero, 4), 0);
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 2, base, rb, 8192), 0);
	assert_memory_equal(rb, c->hyp->ram + 0x100000, 8192);
}

static void test_destroy_restores_scratch(void **state)
{
	struct fake_ctx *c = *state;
	uint32_t idx = (uint32_t)(c->info.low_gm_base >> 12);

	wr64(c->v, GGTT + idx * 8, 0x100000ull | 1);
	assert_int_equal(c->hyp->pinned, 1);
	gvt_vgpu_reset(c->v);
	assert_int_equal(c->hyp->pinned, 0);
	assert_int_equal(c->env->host.ggtt[idx], FAKE_SCRATCH_PTE | 1);
	assert_int_equal(rd64(c->v, GGTT + idx * 8), 0);
	wr64(c->v, GGTT + idx * 8, 0x100000ull | 1);
	/* teardown destroys and checks pinned == 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_scratch, fake_ctx_setup_v5_8, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_pte_write_in_range, fake_ctx_setup_v5_8, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_pte_write_out_of_range, fake_ctx_setup_v5_8, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_torn_write, fake_ctx_setup_v5_8, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_map_failure, fake_ctx_setup_v5_8, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_aperture, fake_ctx_setup_v5_8, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_aperture_fence_detiling, fake_ctx_setup_v5_8,
						fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_restores_scratch, fake_ctx_setup_v5_8, fake_ctx_teardown),
	};

	return cmocka_run_group_tests_name("gvt_ggtt", tests, NULL, NULL);
}
