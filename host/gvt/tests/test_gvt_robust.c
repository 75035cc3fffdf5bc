// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest that writes random values to every BAR0 register, the GGTT, the
 * aperture and config space of its vGPU must not crash the device model,
 * must not touch the physical GGTT outside its own ranges, and must not
 * change anything a second vGPU on the same GPU shows.
 */
#include <errno.h>
#include <string.h>

#include "gvt_test_util.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static bool in_ranges(const struct gvt_vgpu_info *i, uint64_t gm)
{
	return (gm >= i->low_gm_base && gm < i->low_gm_base + i->low_gm_size) ||
	       (gm >= i->high_gm_base && gm < i->high_gm_base + i->high_gm_size);
}

static uint64_t ram_sum(const struct fake_hyp *h)
{
	uint64_t s = 0;

	for (uint64_t i = 0; i < h->ram_size; i += 8)
		s = s * 31 + *(const uint64_t *)(h->ram + i);
	return s;
}

/* What the second VM's guest and its screenshot would see. */
static void snapshot(struct gvt_vgpu *v, uint32_t *regs, uint8_t *cfg)
{
	static const uint32_t offs[] = {
		0x78000, 0x78004, 0x78040, 0x78044, 0x78048, 0x7804c, 0x78050,
		0x70008, 0x70180, 0x70188, 0x70190, 0x7019c, 0x701ac, 0x60000, 0x6000c,
		0x45404, 0x46010, 0x64100, 0xc4000, 0x44200, 0x44408, 0x100000, 0x100004,
	};

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		regs[i] = rd32(v, offs[i]);
	assert_int_equal(gvt_vgpu_cfg_read(v, 0, cfg, 256), 0);
}

static void test_random_everything(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 1ull << 30);
	struct fake_hyp *ha = fake_hyp_new(), *hb = fake_hyp_new();
	struct gvt_vgpu *a = fake_vgpu_new(env, "GVTg_V5_4", ha);
	struct gvt_vgpu *b = fake_vgpu_new(env, "GVTg_V5_4", hb);
	struct gvt_vgpu_info ia, ib;
	uint64_t *ggtt0, sum_b, b_fences[4];
	uint32_t regs_b0[32], regs_b1[32];
	uint8_t cfg_b0[256], cfg_b1[256], buf[64];
	unsigned int msi_b;
	struct gvt_plane_info pb0, pb1;

	(void)state;
	gvt_vgpu_get_info(a, &ia);
	gvt_vgpu_get_info(b, &ib);

	/* B is a live guest with its display on */
	guest_enable_msi(b);
	wr32(b, 0x70180, (1u << 31) | (4u << 24));
	wr32(b, 0x7019c, (uint32_t)ib.low_gm_base);
	wr32(b, 0x70008, 1u << 31);
	wr64(b, (8u << 20) + (ib.low_gm_base >> 12) * 8, 0x10000 | 1);
	memset(hb->ram + 0x10000, 0x33, 4096);
	snapshot(b, regs_b0, cfg_b0);
	gvt_display_get_plane(b, 0, GVT_PLANE_PRIMARY, &pb0);
	sum_b = ram_sum(hb);
	msi_b = hb->msi_count;
	for (int i = 0; i < 4; i++)
		b_fences[i] = env->host.fences[ib.fences[i]];
	ggtt0 = malloc(env->host.nentries * sizeof(uint64_t));
	memcpy(ggtt0, env->host.ggtt, env->host.nentries * sizeof(uint64_t));

	/* A: config space noise (but keep MSI so interrupts are exercised) */
	for (int i = 0; i < 2000; i++) {
		uint32_t v32 = (uint32_t)rnd();

		gvt_vgpu_cfg_write(a, (uint32_t)(rnd() % 256), &v32, 1 + rnd() % 4);
	}
	guest_enable_msi(a);
	/* every BAR0 register dword, twice, with random values and sizes */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t off = 0; off < (2u << 20); off += 4) {
			uint64_t val = rnd();
			size_t len = (rnd() & 7) == 0 ? 8 : 4;

			if (off + len > (2u << 20))
				len = 4;
			assert_int_equal(gvt_vgpu_mmio_write(a, 0, off, &val, len), 0);
			if ((off & 0xfff) == 0) {
				ha->now += rnd() % 20000000;
				gvt_vgpu_run_timers(a);
			}
		}
	}
	/* odd sizes and reads anywhere in BAR0 */
	for (int i = 0; i < 200000; i++) {
		uint64_t val = rnd(), off = rnd() % (16u << 20);
		size_t len = 1u << (rnd() % 4);

		if (off + len > (16u << 20))
			continue;
		if (rnd() & 1)
			assert_int_equal(gvt_vgpu_mmio_write(a, 0, off, &val, len), 0);
		else
			assert_int_equal(gvt_vgpu_mmio_read(a, 0, off, &val, len), 0);
	}
	/* GGTT entries everywhere, some pointing at A's RAM */
	for (int i = 0; i < 200000; i++) {
		uint32_t idx = (uint32_t)(rnd() % (1u << 20));
		uint64_t pte = (rnd() & 1) ? (rnd() % (64u << 20)) & ~0xfffull : rnd();

		if (rnd() & 1)
			wr64(a, (8u << 20) + idx * 8, pte | (rnd() & 1));
		else
			wr32(a, (8u << 20) + idx * 8 + (rnd() & 4), (uint32_t)pte);
	}
	/* aperture noise */
	for (int i = 0; i < 20000; i++) {
		uint64_t off = rnd() % ((1ull << 30) - sizeof(buf));

		memset(buf, (int)rnd(), sizeof(buf));
		assert_int_equal(gvt_vgpu_mmio_write(a, 2, off, buf, 1 + rnd() % sizeof(buf)), 0);
		assert_int_equal(gvt_vgpu_mmio_read(a, 2, off, buf, 1 + rnd() % sizeof(buf)), 0);
	}
	ha->now += 1000000000ull;
	gvt_vgpu_run_timers(a);

	/* the physical GGTT changed only inside A's ranges */
	for (uint32_t i = 0; i < env->host.nentries; i++)
		if (!in_ranges(&ia, (uint64_t)i << 12) && env->host.ggtt[i] != ggtt0[i])
			fail_msg("GGTT entry 0x%x outside vGPU A changed", i);
	/* A's fences only: B's untouched */
	for (int i = 0; i < 4; i++)
		assert_int_equal(env->host.fences[ib.fences[i]], b_fences[i]);
	/* B saw nothing */
	snapshot(b, regs_b1, cfg_b1);
	assert_memory_equal(regs_b0, regs_b1, sizeof(uint32_t) * 23);
	assert_memory_equal(cfg_b0, cfg_b1, 256);
	gvt_display_get_plane(b, 0, GVT_PLANE_PRIMARY, &pb1);
	assert_memory_equal(&pb0, &pb1, sizeof(pb0));
	assert_int_equal(ram_sum(hb), sum_b);
	assert_int_equal(hb->msi_count, msi_b);
	assert_int_equal(hb->bad_gpa, 0);
	assert_int_equal(hb->pinned, 1);

	/* A recovers with a device reset */
	gvt_vgpu_reset(a);
	assert_int_equal(rd64(a, 0x78000), 0x4776544776544776ull);
	assert_int_equal(rd32(a, 0x78040), (uint32_t)ia.low_gm_base);
	assert_int_equal(cfg16(a, 2), 0x1912);
	assert_int_equal(ha->pinned, 0);

	gvt_vgpu_destroy(a);
	gvt_vgpu_destroy(b);
	assert_int_equal(hb->pinned, 0);
	/* both vGPUs gone: their ranges are scratch, the host's range untouched */
	for (uint32_t i = 0; i < env->host.nentries; i++) {
		if (in_ranges(&ia, (uint64_t)i << 12) || in_ranges(&ib, (uint64_t)i << 12))
			assert_int_equal(env->host.ggtt[i], FAKE_SCRATCH_PTE | 1);
		else
			assert_int_equal(env->host.ggtt[i], 0);
	}
	free(ggtt0);
	fake_hyp_free(ha);
	fake_hyp_free(hb);
	fake_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_everything),
	};

	return cmocka_run_group_tests_name("gvt_robust", tests, NULL, NULL);
}
