// SPDX-License-Identifier: GPL-2.0-only
/* vGPU types, GGTT/fence partitioning, available_instances. */
#include <errno.h>
#include <string.h>

#include "gvt_test_util.h"

static unsigned int avail(struct fake_env *env, unsigned int idx)
{
	struct gvt_type_info ti;

	assert_int_equal(gvt_gpu_type_info(env->gpu, idx, &ti), 0);
	return ti.available_instances;
}

static void test_type_table(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 1ull << 30);
	static const struct { const char *n; unsigned int lo, hi, w, ew, eh; } exp[] = {
		{ "GVTg_V5_8", 64, 384, 2, 1024, 768 },
		{ "GVTg_V5_4", 128, 512, 4, 1920, 1200 },
		{ "GVTg_V5_2", 256, 1024, 8, 1920, 1200 },
		{ "GVTg_V5_1", 512, 2048, 16, 1920, 1200 },
	};
	struct gvt_type_info ti;

	(void)state;
	assert_int_equal(gvt_gpu_type_count(env->gpu), 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(gvt_gpu_type_info(env->gpu, i, &ti), 0);
		assert_string_equal(ti.name, exp[i].n);
		assert_int_equal(ti.low_gm_size, (uint64_t)exp[i].lo << 20);
		assert_int_equal(ti.high_gm_size, (uint64_t)exp[i].hi << 20);
		assert_int_equal(ti.fences, 4);
		assert_int_equal(ti.weight, exp[i].w);
		assert_int_equal(ti.edid_width, exp[i].ew);
		assert_int_equal(ti.edid_height, exp[i].eh);
	}
	assert_int_equal(gvt_gpu_type_info(env->gpu, 4, &ti), -EINVAL);
	/* upstream's worked example: 1 GiB aperture, 4 GiB GGTT, 28 free fences */
	assert_int_equal(avail(env, 0), 7);
	assert_int_equal(avail(env, 1), 5);
	assert_int_equal(avail(env, 2), 2);
	assert_int_equal(avail(env, 3), 1);
	fake_env_free(env);
}

static void test_small_aperture(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 256ull << 20);

	(void)state;
	/* types stop at the first whose aperture share does not fit */
	assert_int_equal(gvt_gpu_type_count(env->gpu), 2);
	assert_int_equal(avail(env, 0), 2);
	assert_int_equal(avail(env, 1), 1);
	fake_env_free(env);
}

static void test_describe(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 1ull << 30);
	char buf[256];

	(void)state;
	assert_true(gvt_gpu_type_describe(env->gpu, "GVTg_V5_4", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\n"
				 "resolution: 1920x1200\nweight: 4\n");
	assert_int_equal(gvt_gpu_type_describe(env->gpu, "nope", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(gvt_gpu_type_describe(env->gpu, "GVTg_V5_4", buf, 8), -ENOSPC);
	fake_env_free(env);
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static void test_partition(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 1ull << 30);
	struct fake_hyp *h = fake_hyp_new();
	struct gvt_vgpu *v[8] = { 0 };
	struct gvt_vgpu_info info[8];
	unsigned int n = 0, i, j, f, g;

	(void)state;
	while (n < 8 && gvt_vgpu_create(env->gpu, "i915-GVTg_V5_8", &fake_hyp_ops, h, &v[n]) == 0)
		n++;
	assert_int_equal(n, 7);
	assert_int_equal(gvt_vgpu_create(env->gpu, "GVTg_V5_8", &fake_hyp_ops, h, &v[7]),
			 -ENOSPC);
	assert_int_equal(avail(env, 0), 0);
	for (i = 0; i < n; i++) {
		gvt_vgpu_get_info(v[i], &info[i]);
		assert_true(info[i].id >= 1 && info[i].id <= 7);
		/* low GM after the host's 128 MiB, inside the aperture */
		assert_true(info[i].low_gm_base >= (128ull << 20));
		assert_true(info[i].low_gm_base + info[i].low_gm_size <= (1ull << 30));
		/* high GM after aperture + host 384 MiB, inside 4 GiB */
		assert_true(info[i].high_gm_base >= (1ull << 30) + (384ull << 20));
		assert_true(info[i].high_gm_base + info[i].high_gm_size <= (4ull << 30));
		assert_int_equal(info[i].fence_num, 4);
		for (f = 0; f < 4; f++)
			assert_true(info[i].fences[f] >= 4);	/* host keeps 0..3 */
		for (j = 0; j < i; j++) {
			assert_int_not_equal(info[i].id, info[j].id);
			assert_false(overlap(info[i].low_gm_base, info[i].low_gm_size,
					     info[j].low_gm_base, info[j].low_gm_size));
			assert_false(overlap(info[i].high_gm_base, info[i].high_gm_size,
					     info[j].high_gm_base, info[j].high_gm_size));
			for (f = 0; f < 4; f++)
				for (g = 0; g < 4; g++)
					assert_int_not_equal(info[i].fences[f], info[j].fences[g]);
		}
	}
	/* freeing one makes room for exactly one again, with the same resources */
	gvt_vgpu_destroy(v[3]);
	assert_int_equal(avail(env, 0), 1);
	assert_int_equal(gvt_vgpu_create(env->gpu, "GVTg_V5_8", &fake_hyp_ops, h, &v[3]), 0);
	{
		struct gvt_vgpu_info again;

		gvt_vgpu_get_info(v[3], &again);
		assert_int_equal(again.low_gm_base, info[3].low_gm_base);
		assert_int_equal(again.high_gm_base, info[3].high_gm_base);
		assert_int_equal(again.id, info[3].id);
	}
	for (i = 0; i < n; i++)
		gvt_vgpu_destroy(v[i]);
	assert_int_equal(avail(env, 0), 7);
	assert_int_equal(avail(env, 3), 1);
	fake_hyp_free(h);
	fake_env_free(env);
}

static void test_mixed_types(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 1ull << 30);
	struct fake_hyp *h = fake_hyp_new();
	struct gvt_vgpu *a, *b;

	(void)state;
	a = fake_vgpu_new(env, "GVTg_V5_1", h);
	assert_int_equal(avail(env, 3), 0);
	assert_int_equal(avail(env, 2), 0);	/* 640 MiB high GM left < 1024 */
	assert_int_equal(avail(env, 1), 1);	/* 384 MiB aperture, 640 MiB high */
	b = fake_vgpu_new(env, "GVTg_V5_4", h);
	assert_int_equal(avail(env, 1), 0);
	assert_int_equal(gvt_gpu_destroy(env->gpu), -EBUSY);	/* vGPUs alive */
	gvt_vgpu_destroy(a);
	assert_int_equal(avail(env, 2), 2);
	gvt_vgpu_destroy(b);
	fake_hyp_free(h);
	fake_env_free(env);
}

static void test_bad_input(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 1ull << 30);
	struct fake_hyp *h = fake_hyp_new();
	struct gvt_gpu_desc d;
	struct gvt_gpu *gpu = NULL;
	struct gvt_vgpu *v = NULL;
	struct gvt_hyp_ops bad = fake_hyp_ops;

	(void)state;
	assert_int_equal(gvt_vgpu_create(env->gpu, "GVTg_V5_3", &fake_hyp_ops, h, &v), -EINVAL);
	assert_int_equal(gvt_vgpu_create(env->gpu, NULL, &fake_hyp_ops, h, &v), -EINVAL);
	bad.dma_map = NULL;
	assert_int_equal(gvt_vgpu_create(env->gpu, "GVTg_V5_8", &bad, h, &v), -EINVAL);
	bad = fake_hyp_ops;
	bad.version = 99;
	assert_int_equal(gvt_vgpu_create(env->gpu, "GVTg_V5_8", &bad, h, &v), -EINVAL);
	assert_null(v);

	fake_desc_init(&d, 0x1234, 1ull << 30);		/* unknown device */
	assert_int_equal(gvt_gpu_create(&d, &fake_host_ops, NULL, &gpu), -EINVAL);
	fake_desc_init(&d, 0x1912, 300ull << 20);	/* aperture not a power of two */
	assert_int_equal(gvt_gpu_create(&d, &fake_host_ops, NULL, &gpu), -EINVAL);
	fake_desc_init(&d, 0x1912, 1ull << 30);
	d.ggtt_size = 8ull << 30;			/* more than GGMS can describe */
	assert_int_equal(gvt_gpu_create(&d, &fake_host_ops, NULL, &gpu), -EINVAL);
	fake_desc_init(&d, 0x1912, 1ull << 30);
	d.num_fences = 0;
	assert_int_equal(gvt_gpu_create(&d, &fake_host_ops, NULL, &gpu), -EINVAL);
	assert_null(gpu);
	fake_hyp_free(h);
	fake_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_table),
		cmocka_unit_test(test_small_aperture),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_mixed_types),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests_name("gvt_types", tests, NULL, NULL);
}
