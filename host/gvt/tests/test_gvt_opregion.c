// SPDX-License-Identifier: GPL-2.0-only
/* OpRegion + VBT layout (docs/vgpu.md "OpRegion"), checked byte by byte. */
#include <string.h>

#include "gvt_test_util.h"
#include <kvmgt/uapi/igd_opregion.h>

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_header(void **state)
{
	uint8_t op[GVT_OPREGION_SIZE];

	(void)state;
	memset(op, 0xcc, sizeof(op));
	gvt_opregion_build(op);
	assert_memory_equal(op, "IntelGraphicsMem", 16);
	assert_int_equal(le32(op + 0x10), 8);			/* KiB */
	assert_int_equal(le32(op + 0x14), 0x02000000);		/* version 2.0 */
	assert_int_equal(op[0x17], 2);				/* major */
	assert_int_equal(le32(op + 0x58), IGD_MBOX_VBT);	/* no ACPI/SWSCI/ASLE */
	assert_int_equal(op[0x1ac], 3);				/* CLID: lid open */
	/* no RVDA: the VBT is in mailbox 4 */
	for (size_t i = 0x100; i < 0x400; i++)
		if (i != 0x1ac)
			assert_int_equal(op[i], 0);
}

static void test_vbt(void **state)
{
	uint8_t op[GVT_OPREGION_SIZE];
	const uint8_t *vbt, *bdb, *p, *end, *child = NULL;
	uint16_t vbt_size, bdb_size;
	uint8_t sum = 0;
	int seen1 = 0, seen2 = 0, seen12 = 0;

	(void)state;
	gvt_opregion_build(op);
	vbt = op + 0x400;
	assert_memory_equal(vbt, "$VBT", 4);
	assert_int_equal(le16(vbt + 20), 155);		/* header version */
	assert_int_equal(le16(vbt + 22), 0x30);		/* header size */
	vbt_size = le16(vbt + 24);
	assert_true(vbt_size > 0x30 && vbt_size <= 0x1c00);
	for (unsigned int i = 0; i < vbt_size; i++)
		sum += vbt[i];
	assert_int_equal(sum, 0);			/* checksum */
	assert_int_equal(le32(vbt + 28), 0x30);		/* bdb offset */

	bdb = vbt + 0x30;
	assert_memory_equal(bdb, "BIOS_DATA_BLOCK ", 16);
	assert_int_equal(le16(bdb + 16), 186);		/* BDB version */
	assert_int_equal(le16(bdb + 18), 22);		/* header size */
	bdb_size = le16(bdb + 20);
	assert_int_equal(0x30 + bdb_size, vbt_size);

	/* walk the blocks: [id u8][size u16][data], exactly to the end */
	p = bdb + 22;
	end = bdb + bdb_size;
	while (p < end) {
		uint8_t id = p[0];
		uint16_t size = le16(p + 1);

		assert_true(p + 3 + size <= end);
		if (id == 1)
			seen1++;
		if (id == 12)
			seen12++;
		if (id == 2) {
			seen2++;
			assert_int_equal(p[3 + 4], 33);		/* child_dev_size */
			assert_int_equal(size, 5 + 33);		/* exactly one child */
			child = p + 3 + 5;
		}
		p += 3 + size;
	}
	assert_ptr_equal(p, end);
	assert_int_equal(seen1, 1);
	assert_int_equal(seen2, 1);
	assert_int_equal(seen12, 1);

	/* the one child: DP on DDI B / AUX B, matching the display model */
	assert_non_null(child);
	assert_int_not_equal(le16(child + 0), 0);	/* handle */
	assert_int_equal(le16(child + 2), 0x68c6);	/* DEVICE_TYPE_DP */
	assert_int_equal(child[16], 7);			/* DVO_PORT_DPB */
	assert_int_equal(child[19], 0);			/* no GMBUS DDC pin */
	assert_int_equal(child[24] & 7, 2);		/* dp_support only */
	assert_int_equal(child[25], 0x10);		/* DP_AUX_B */
	assert_int_equal(child[27] & (1u << 5), 1u << 5);	/* integrated encoder */
}

static void test_vgpu_blob(void **state)
{
	struct fake_env *env = fake_env_new(0x1912, 1ull << 30);
	struct fake_hyp *h = fake_hyp_new();
	struct gvt_vgpu *v = fake_vgpu_new(env, "GVTg_V5_8", h);
	uint8_t op[GVT_OPREGION_SIZE];

	(void)state;
	gvt_opregion_build(op);
	assert_memory_equal(gvt_vgpu_opregion(v), op, sizeof(op));
	assert_int_equal(gvt_vgpu_region_size(v, GVT_REGION_OPREGION), 8192);
	gvt_vgpu_destroy(v);
	fake_hyp_free(h);
	fake_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_vbt),
		cmocka_unit_test(test_vgpu_blob),
	};

	return cmocka_run_group_tests_name("gvt_opregion", tests, NULL, NULL);
}
