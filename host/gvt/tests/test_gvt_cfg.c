// SPDX-License-Identifier: GPL-2.0-only
/* PCI config space of the vGPU (docs/vgpu.md "PCI configuration space"). */
#include <errno.h>
#include <string.h>

#include "gvt_test_util.h"

static void test_ids(void **state)
{
	struct fake_ctx *c = *state;

	assert_int_equal(cfg16(c->v, 0x00), 0x8086);
	assert_int_equal(cfg16(c->v, 0x02), 0x1912);
	assert_int_equal(cfg8(c->v, 0x08), 0x07);		/* SKL H0 */
	assert_int_equal(cfg32(c->v, 0x08) >> 8, 0x030000);	/* VGA class */
	assert_int_equal(cfg8(c->v, 0x0e), 0);			/* type 0, single function */
	assert_int_equal(cfg16(c->v, 0x2c), 0x8086);
	assert_int_equal(cfg16(c->v, 0x2e), 0x1912);
	assert_int_equal(cfg8(c->v, 0x3d), 1);			/* INTA */
}

static void test_kbl_ids(void **state)
{
	struct fake_env *env = fake_env_new(0x5912, 1ull << 30);
	struct fake_hyp *h = fake_hyp_new();
	struct gvt_vgpu *v = fake_vgpu_new(env, "GVTg_V5_8", h);

	(void)state;
	assert_int_equal(cfg16(v, 0x02), 0x5912);
	assert_int_equal(cfg8(v, 0x08), 0x04);		/* KBL F0 */
	assert_true(gvt_gpu_device_supported(0x3e92));
	assert_false(gvt_gpu_device_supported(0x1234));
	gvt_vgpu_destroy(v);
	fake_hyp_free(h);
	fake_env_free(env);
}

static void test_gmch_bdsm_asls(void **state)
{
	struct fake_ctx *c = *state;

	/* GGMS = 3 (4 GiB GGTT), GMS = 0 (no stolen), read-only */
	assert_int_equal(cfg16(c->v, 0x50), 0x00c0);
	cfgw16(c->v, 0x50, 0xffff);
	assert_int_equal(cfg16(c->v, 0x50), 0x00c0);
	assert_int_equal(cfg32(c->v, 0x5c), 0);
	cfgw32(c->v, 0x5c, 0x80000000);
	assert_int_equal(cfg32(c->v, 0x5c), 0);
	/* ASLS: written by the firmware with the OpRegion address */
	assert_int_equal(cfg32(c->v, 0xfc), 0);
	cfgw32(c->v, 0xfc, 0x7ffe0000);
	assert_int_equal(cfg32(c->v, 0xfc), 0x7ffe0000);
	assert_int_equal(gvt_vgpu_asls(c->v), 0x7ffe0000);
}

static void test_bar_sizing(void **state)
{
	struct fake_ctx *c = *state;

	assert_int_equal(cfg32(c->v, 0x10), 0x4);		/* 64-bit mem */
	assert_int_equal(cfg32(c->v, 0x18), 0xc);		/* 64-bit prefetchable */
	cfgw32(c->v, 0x10, 0xffffffff);
	cfgw32(c->v, 0x14, 0xffffffff);
	assert_int_equal(cfg32(c->v, 0x10), 0xff000004);	/* 16 MiB */
	assert_int_equal(cfg32(c->v, 0x14), 0xffffffff);
	cfgw32(c->v, 0x18, 0xffffffff);
	cfgw32(c->v, 0x1c, 0xffffffff);
	assert_int_equal(cfg32(c->v, 0x18), 0xc000000c);	/* 1 GiB aperture */
	assert_int_equal(cfg32(c->v, 0x1c), 0xffffffff);
	/* program addresses */
	cfgw32(c->v, 0x10, 0xfd000000);
	cfgw32(c->v, 0x14, 0);
	assert_int_equal(cfg32(c->v, 0x10), 0xfd000004);
	cfgw32(c->v, 0x18, 0xc0123456);
	cfgw32(c->v, 0x1c, 0x1);
	assert_int_equal(cfg32(c->v, 0x18), 0xc000000c);
	assert_int_equal(cfg32(c->v, 0x1c), 0x1);
	/* nothing at BAR4 and no ROM */
	cfgw32(c->v, 0x20, 0xffffffff);
	assert_int_equal(cfg32(c->v, 0x20), 0);
	cfgw32(c->v, 0x30, 0xffffffff);
	assert_int_equal(cfg32(c->v, 0x30), 0);
	assert_int_equal(gvt_vgpu_region_size(c->v, GVT_REGION_BAR0), 16u << 20);
	assert_int_equal(gvt_vgpu_region_size(c->v, GVT_REGION_BAR2), 1ull << 30);
	assert_int_equal(gvt_vgpu_region_size(c->v, GVT_REGION_CONFIG), 256);
}

static void test_command(void **state)
{
	struct fake_ctx *c = *state;

	assert_int_equal(cfg16(c->v, 0x04), 0);
	cfgw16(c->v, 0x04, 0xffff);
	assert_int_equal(cfg16(c->v, 0x04), 0x0546);	/* IO bit stays 0: no IO BAR */
	cfgw16(c->v, 0x04, 0x0006);
	assert_int_equal(cfg16(c->v, 0x04), 0x0006);
	/* status: capability list present */
	assert_true(cfg16(c->v, 0x06) & 0x10);
}

static void test_caps(void **state)
{
	struct fake_ctx *c = *state;
	uint8_t msi = cfg8(c->v, 0x34), pm;

	assert_int_equal(msi, 0xac);
	assert_int_equal(cfg8(c->v, msi), 0x05);
	pm = cfg8(c->v, msi + 1);
	assert_int_equal(cfg8(c->v, pm), 0x01);
	assert_int_equal(cfg8(c->v, pm + 1), 0);		/* end of list */
	/* MSI: 64-bit, single vector; MME cannot be raised */
	assert_int_equal(cfg16(c->v, msi + 2), 0x0080);
	cfgw16(c->v, msi + 2, 0x0071);
	assert_int_equal(cfg16(c->v, msi + 2), 0x0081);
	cfgw32(c->v, msi + 4, 0xfee0100f);
	assert_int_equal(cfg32(c->v, msi + 4), 0xfee0100c);	/* dword aligned */
	cfgw16(c->v, msi + 12, 0x4055);
	assert_int_equal(cfg16(c->v, msi + 12), 0x4055);
	/* PM: D3hot and back */
	cfgw16(c->v, pm + 4, 3);
	assert_int_equal(cfg16(c->v, pm + 4) & 3, 3);
	cfgw16(c->v, pm + 4, 0);
	assert_int_equal(cfg16(c->v, pm + 4) & 3, 0);
}

static void test_ext_space_and_bounds(void **state)
{
	struct fake_ctx *c = *state;
	uint8_t buf[16];

	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(gvt_vgpu_cfg_read(c->v, 0x100, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(gvt_vgpu_cfg_write(c->v, 0x200, buf, 4), 0);
	assert_int_equal(gvt_vgpu_cfg_read(c->v, 4095, buf, 2), -EINVAL);
	assert_int_equal(gvt_vgpu_cfg_write(c->v, 4096, buf, 1), -EINVAL);
	/* a read straddling 0xff..0x100 */
	assert_int_equal(gvt_vgpu_cfg_read(c->v, 0xfc, buf, 8), 0);
}

static uint32_t ram32(struct fake_ctx *c, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, c->hyp->ram + gpa, 4);
	return v;
}

static void put_ram32(struct fake_ctx *c, uint64_t gpa, uint32_t v)
{
	memcpy(c->hyp->ram + gpa, &v, 4);
}

static void test_swsci(void **state)
{
	struct fake_ctx *c = *state;
	const uint64_t op = 0x100000;

	/* firmware placed the OpRegion and wrote ASLS */
	memcpy(c->hyp->ram + op, gvt_vgpu_opregion(c->v), GVT_OPREGION_SIZE);
	cfgw32(c->v, 0xfc, (uint32_t)op);
	/* GetBIOSData / SupportedCalls: success, nothing supported */
	put_ram32(c, op + 0x200, (0u << 8) | (4u << 1) | 1);
	put_ram32(c, op + 0x204, 0x1234);
	cfgw16(c->v, 0xe8, 0x8001);
	assert_int_equal(ram32(c, op + 0x200), 0);
	assert_int_equal(ram32(c, op + 0x204), 0);
	/* no new request without a 0 -> 1 edge of the trigger */
	put_ram32(c, op + 0x200, (4u << 1) | 1);
	cfgw16(c->v, 0xe8, 0x8001);
	assert_int_equal(ram32(c, op + 0x200), (4u << 1) | 1);
	/* anything else: exit status cleared (failure), indicator kept */
	cfgw16(c->v, 0xe8, 0x8000);
	put_ram32(c, op + 0x200, (5u << 8) | (4u << 1) | 0xe0 | 1);
	cfgw16(c->v, 0xe8, 0x8001);
	assert_int_equal(ram32(c, op + 0x200), (5u << 8) | (4u << 1) | 1);
	/* SMI requests (bit 15 clear) are not ours */
	cfgw16(c->v, 0xe8, 0x0000);
	put_ram32(c, op + 0x200, (4u << 1) | 1);
	cfgw16(c->v, 0xe8, 0x0001);
	assert_int_equal(ram32(c, op + 0x200), (4u << 1) | 1);
	/* without ASLS nothing is touched and nothing breaks */
	cfgw32(c->v, 0xfc, 0);
	cfgw16(c->v, 0xe8, 0x0000);
	cfgw16(c->v, 0xe8, 0x8001);
}

static void test_reset_restores_cfg(void **state)
{
	struct fake_ctx *c = *state;

	cfgw16(c->v, 0x04, 0x0006);
	cfgw32(c->v, 0x10, 0xfd000000);
	gvt_vgpu_reset(c->v);
	assert_int_equal(cfg16(c->v, 0x04), 0);
	assert_int_equal(cfg32(c->v, 0x10), 0x4);
	assert_int_equal(cfg16(c->v, 0x02), 0x1912);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test(test_kbl_ids),
		cmocka_unit_test_setup_teardown(test_gmch_bdsm_asls, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_command, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_caps, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_ext_space_and_bounds, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_swsci, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_reset_restores_cfg, fake_ctx_setup_v5_4, fake_ctx_teardown),
	};

	return cmocka_run_group_tests_name("gvt_cfg", tests, NULL, NULL);
}
