// SPDX-License-Identifier: GPL-2.0-only
/* BAR0 register model: PVINFO, flag semantics, handshakes, PCODE, irqs, fences. */
#include <errno.h>
#include <string.h>

#include "gvt_test_util.h"
#include <kvmgt/uapi/vgt_if.h>

static void test_pvinfo(void **state)
{
	struct fake_ctx *c = *state;
	struct gvt_vgpu_info info;
	uint16_t ver;

	gvt_vgpu_get_info(c->v, &info);
	assert_false(fake_vgpu_stats(c->v).pv_notified);
	assert_int_equal(rd64(c->v, VGT_PVINFO_PAGE), VGT_MAGIC);
	assert_true(fake_vgpu_stats(c->v).pv_notified);
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 0, VGT_PVINFO_PAGE + 8, &ver, 2), 0);
	assert_int_equal(ver, 1);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 8), 0x00000001);	/* 1.0 */
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0xc), info.id);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x10),
			 VGT_CAPS_FULL_PPGTT | VGT_CAPS_HWSP_EMULATION | VGT_CAPS_HUGE_GTT);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x40), info.low_gm_base);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x44), 128u << 20);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x48), info.high_gm_base);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x4c), 512u << 20);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x50), 4);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x830), 0xffffffff);
	/* the i915 balloon validity rules hold for a 1 GiB BAR2 and 4 GiB GGTT */
	assert_true(info.low_gm_base + info.low_gm_size <= (1ull << 30));
	assert_true(info.high_gm_base >= (1ull << 30));
	assert_true(info.high_gm_base + info.high_gm_size <= (4ull << 30));
	/* the host half is read-only */
	wr32(c->v, VGT_PVINFO_PAGE + 0x40, 0);
	wr64(c->v, VGT_PVINFO_PAGE, 0);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x40), info.low_gm_base);
	assert_int_equal(rd64(c->v, VGT_PVINFO_PAGE), VGT_MAGIC);
}

static void test_pvinfo_g2v(void **state)
{
	struct fake_ctx *c = *state;
	uint64_t roots[4];

	assert_false(fake_vgpu_stats(c->v).display_ready);
	wr32(c->v, VGT_PVINFO_PAGE + 0x804, VGT_DRV_DISPLAY_READY);
	assert_true(fake_vgpu_stats(c->v).display_ready);
	assert_int_equal(rd32(c->v, VGT_PVINFO_PAGE + 0x804), 1);

	wr32(c->v, VGT_PVINFO_PAGE + 0x838, 0x12345000);
	wr32(c->v, VGT_PVINFO_PAGE + 0x83c, 0x1);
	wr32(c->v, VGT_PVINFO_PAGE + 0x818, VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE);
	wr32(c->v, VGT_PVINFO_PAGE + 0x838, 0x22222000);
	wr32(c->v, VGT_PVINFO_PAGE + 0x83c, 0);
	wr32(c->v, VGT_PVINFO_PAGE + 0x818, VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE);
	assert_int_equal(gvt_vgpu_ppgtt_roots(c->v, roots, 4), 2);
	assert_int_equal(roots[0], 0x112345000ull);
	assert_int_equal(roots[1], 0x22222000ull);
	wr32(c->v, VGT_PVINFO_PAGE + 0x838, 0x12345000);
	wr32(c->v, VGT_PVINFO_PAGE + 0x83c, 0x1);
	wr32(c->v, VGT_PVINFO_PAGE + 0x818, VGT_G2V_PPGTT_L4_PAGE_TABLE_DESTROY);
	assert_int_equal(gvt_vgpu_ppgtt_roots(c->v, roots, 4), 1);
	assert_int_equal(roots[0], 0x22222000ull);
	assert_int_equal(fake_vgpu_stats(c->v).g2v_notifications, 3);
	assert_int_equal(fake_vgpu_stats(c->v).failsafe, 0);
}

static void test_masked_and_w1c(void **state)
{
	struct fake_ctx *c = *state;

	/* RCS MI_MODE: masked, MODE_IDLE always reported */
	assert_int_equal(rd32(c->v, 0x209c) & (1u << 9), 1u << 9);
	wr32(c->v, 0x209c, 0x01000100);	/* enable STOP_RING */
	assert_int_equal(rd32(c->v, 0x209c), (1u << 8) | (1u << 9));
	wr32(c->v, 0x209c, 0x00000000);	/* no mask bits: nothing changes */
	assert_int_equal(rd32(c->v, 0x209c), (1u << 8) | (1u << 9));
	wr32(c->v, 0x209c, 0x01000000);	/* disable STOP_RING */
	assert_int_equal(rd32(c->v, 0x209c), 1u << 9);
	/* GFX_MODE */
	wr32(c->v, VGT_PVINFO_PAGE, 0);	/* no-op write; read makes the guest PV-aware */
	(void)rd32(c->v, VGT_PVINFO_PAGE);
	wr32(c->v, 0x229c, 0x80008000);
	assert_int_equal(rd32(c->v, 0x229c), 0x8000);
	assert_int_equal(fake_vgpu_stats(c->v).failsafe, 0);
	/* a masked workaround register keeps earlier bits (CACHE_MODE_1) */
	wr32(c->v, 0x7004, 0x00010001);
	wr32(c->v, 0x7004, 0x00400040);
	assert_int_equal(rd32(c->v, 0x7004), 0x41);
	/* RING_EIR write-1-to-clear, ESR read-only zero */
	assert_int_equal(rd32(c->v, 0x20b8), 0);
	wr32(c->v, 0x20b8, 0xffffffff);
	assert_int_equal(rd32(c->v, 0x20b8), 0);
	wr32(c->v, 0x20b0, 0xffffffff);
	assert_int_equal(rd32(c->v, 0x20b0), 0);
	/* FPGA_DBG W1C */
	wr32(c->v, 0x42300, 0x80000000);
	assert_int_equal(rd32(c->v, 0x42300), 0);
}

static void test_failsafe_without_pvinfo(void **state)
{
	struct fake_ctx *c = *state;

	wr32(c->v, 0x229c, 0x80008000);	/* execlists on, PVINFO never read */
	assert_int_equal(fake_vgpu_stats(c->v).failsafe, GVT_FAILSAFE_UNSUPPORTED_GUEST);
	/* the device keeps answering */
	assert_int_equal(rd32(c->v, 0xa188), 0);
	gvt_vgpu_reset(c->v);
	assert_int_equal(fake_vgpu_stats(c->v).failsafe, 0);
}

static void test_forcewake(void **state)
{
	struct fake_ctx *c = *state;

	assert_int_not_equal(rd32(c->v, 0xa188), 0xffffffff);
	wr32(c->v, 0xa278, 0x00010001);		/* render: masked set bit0 */
	assert_int_equal(rd32(c->v, 0x0d84) & 1, 1);
	wr32(c->v, 0xa270, 0x00010001);		/* media */
	assert_int_equal(rd32(c->v, 0x0d88) & 1, 1);
	wr32(c->v, 0xa188, 0x00010001);		/* GT */
	assert_int_equal(rd32(c->v, 0x130044) & 1, 1);
	wr32(c->v, 0xa278, 0x00010000);
	assert_int_equal(rd32(c->v, 0x0d84) & 1, 0);
	wr32(c->v, 0x0d84, 1);			/* acks are read-only */
	assert_int_equal(rd32(c->v, 0x0d84) & 1, 0);
}

static void test_resets(void **state)
{
	struct fake_ctx *c = *state;
	static const uint32_t bases[] = { 0x2000, 0x12000, 0x22000, 0x1a000 };

	for (int i = 0; i < 4; i++) {
		uint32_t ctl = bases[i] + 0xd0;

		wr32(c->v, ctl, 0x00010001);	/* REQUEST_RESET */
		assert_int_equal(rd32(c->v, ctl) & 7, 3);	/* READY, no CAT_ERROR */
		wr32(c->v, ctl, 0x00010000);
		assert_int_equal(rd32(c->v, ctl) & 3, 0);
	}
	/* engine reset clears ring registers of that engine only */
	wr32(c->v, 0x2034, 0x1000);		/* RCS HEAD */
	wr32(c->v, 0x22034, 0x2000);		/* BCS HEAD */
	wr32(c->v, 0x941c, 1u << 1);		/* GDRST render */
	assert_int_equal(rd32(c->v, 0x941c), 0);
	assert_int_equal(rd32(c->v, 0x2034), 0);
	assert_int_equal(rd32(c->v, 0x22034), 0x2000);
	/* full reset: GT registers back to power-on, display untouched */
	wr32(c->v, 0x70180, 0x84000000);	/* PLANE_CTL A */
	wr32(c->v, 0x941c, 1);
	assert_int_equal(rd32(c->v, 0x941c), 0);
	assert_int_equal(rd32(c->v, 0x22034), 0);
	assert_int_equal(rd32(c->v, 0x209c) & (1u << 9), 1u << 9);
	assert_int_equal(rd32(c->v, 0x70180), 0x84000000);
	assert_int_equal(rd64(c->v, VGT_PVINFO_PAGE), VGT_MAGIC);
	assert_int_equal(fake_vgpu_stats(c->v).gt_resets, 1);
	assert_int_equal(fake_vgpu_stats(c->v).engine_resets, 1);
	/* TLB invalidation self-clears */
	wr32(c->v, 0x4260, 1);
	assert_int_equal(rd32(c->v, 0x4260), 0);
}

static uint32_t pcode(struct gvt_vgpu *v, uint32_t cmd, uint32_t *data)
{
	uint32_t mbox;

	wr32(v, 0x138128, *data);
	wr32(v, 0x13812c, 0);
	wr32(v, 0x138124, 0x80000000 | cmd);
	mbox = rd32(v, 0x138124);
	assert_int_equal(mbox & 0x80000000, 0);
	*data = rd32(v, 0x138128);
	return mbox & 0xff;
}

static void test_pcode(void **state)
{
	struct fake_ctx *c = *state;
	uint32_t d;

	d = 3;		/* CDCLK prepare */
	assert_int_equal(pcode(c->v, 0x7, &d), 0);
	assert_int_equal(d & 1, 1);
	d = 0;		/* memory latency L0..L3 */
	assert_int_equal(pcode(c->v, 0x6, &d), 0);
	assert_int_equal(d, 0x19191902);
	d = 1;
	assert_int_equal(pcode(c->v, 0x6, &d), 0);
	assert_int_equal(d, 0x19191919);
	d = 0;		/* SAGV disable */
	assert_int_equal(pcode(c->v, 0x21, &d), 0);
	assert_int_equal(d & 1, 1);
	d = 5;
	assert_int_equal(pcode(c->v, 0x1a, &d), 0);
	assert_int_equal(fake_vgpu_stats(c->v).pcode_commands, 5);
}

static void test_probe_values(void **state)
{
	struct fake_ctx *c = *state;

	assert_int_equal(rd32(c->v, 0x9120), 0x02800000);	/* FUSE2 */
	assert_int_equal(rd32(c->v, 0x9134), 0);
	assert_int_equal(rd32(c->v, 0xa26c), 0x4);		/* CTC_MODE */
	assert_int_equal(rd32(c->v, 0xc050), 0);		/* GuC WOPCM */
	assert_int_equal(rd32(c->v, 0xc340), 0);
	assert_int_equal(rd32(c->v, 0x120010), 0);		/* no eDRAM */
	assert_int_equal(rd32(c->v, 0x145000), 0);		/* DDR4 */
	assert_int_equal(rd32(c->v, 0x14500c), 0x408);
	assert_int_equal(rd32(c->v, 0x145998), 0);		/* RPS off */
	wr32(c->v, 0x145998, 0x00ffffff);			/* MCHBAR read-only */
	assert_int_equal(rd32(c->v, 0x145998), 0);
	assert_int_equal(rd32(c->v, 0x51000), 0);		/* DFSM */
	assert_int_equal(rd32(c->v, 0xc6204), 24);		/* rawclk */
	assert_int_equal(rd32(c->v, 0x41000), 0x80000000);	/* VGA off */
	assert_int_equal(rd32(c->v, 0x42000), 0x8e000000);	/* fuses */
	assert_int_equal(rd32(c->v, 0x4f060), 0);		/* SWF18 */
	/* GuC MIA core in reset, read-only (i915 __uc_sanitize) */
	assert_int_equal(rd32(c->v, 0xc000), 0x1);
	wr32(c->v, 0xc000, 0);
	assert_int_equal(rd32(c->v, 0xc000), 0x1);
	/* EDP_PSR_IIR: i915 clears with ~0 and asserts it reads 0 */
	wr32(c->v, 0x64838, 0xffffffff);
	assert_int_equal(rd32(c->v, 0x64838), 0);
	assert_int_equal(rd32(c->v, 0x64834), 0xffffffff);	/* PSR IMR masked */
}

static void test_untracked_and_unmapped(void **state)
{
	struct fake_ctx *c = *state;
	struct gvt_vgpu_stats s0 = fake_vgpu_stats(c->v), s1;
	uint8_t b;
	uint16_t w;

	wr32(c->v, 0x4ab0, 0x1234);		/* a workaround register */
	assert_int_equal(rd32(c->v, 0x4ab0), 0x1234);
	s1 = fake_vgpu_stats(c->v);
	assert_int_equal(s1.untracked_writes, s0.untracked_writes + 1);
	assert_int_equal(s1.untracked_reads, s0.untracked_reads + 1);
	/* byte and word access into a plain register */
	b = 0x56;
	assert_int_equal(gvt_vgpu_mmio_write(c->v, 0, 0x4ab1, &b, 1), 0);
	assert_int_equal(rd32(c->v, 0x4ab0), 0x5634);
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 0, 0x4ab2, &w, 2), 0);
	assert_int_equal(w, 0);
	/* BAR0 2..8 MiB: nothing there */
	wr32(c->v, 0x300000, 0xffffffff);
	assert_int_equal(rd32(c->v, 0x300000), 0);
	/* misaligned access: dropped, counted, zeros */
	assert_int_equal(gvt_vgpu_mmio_write(c->v, 0, 0x4ab1, &w, 2), 0);
	assert_int_equal(rd32(c->v, 0x4ab0), 0x5634);
	assert_true(fake_vgpu_stats(c->v).unmapped_bar0_accesses >= 3);
	/* transport errors */
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 0, 16u << 20, &b, 1), -EINVAL);
	assert_int_equal(gvt_vgpu_mmio_read(c->v, 1, 0, &b, 1), -EINVAL);
}

static void test_interrupts(void **state)
{
	struct fake_ctx *c = *state;

	guest_enable_msi(c->v);
	assert_int_equal(c->hyp->msi_count, 0);
	/* i915 irq reset: IMR = ~0, IER = 0, IIR = ~0 twice; IIR reads 0 */
	for (int n = 0; n < 4; n++) {
		wr32(c->v, 0x44304 + 0x10 * n, 0xffffffff);
		wr32(c->v, 0x4430c + 0x10 * n, 0);
		wr32(c->v, 0x44308 + 0x10 * n, 0xffffffff);
		wr32(c->v, 0x44308 + 0x10 * n, 0xffffffff);
		assert_int_equal(rd32(c->v, 0x44308 + 0x10 * n), 0);
	}
	/* postinstall for pipe A: VBLANK unmasked and enabled */
	wr32(c->v, 0x4440c, 1);
	wr32(c->v, 0x44404, ~1u);
	assert_int_equal(c->hyp->msi_count, 0);
	/* hotplug on the PCH path: SDE bank with our port bit */
	wr32(c->v, 0xc400c, 1u << 21);
	wr32(c->v, 0xc4004, ~(1u << 21));
	gvt_display_set_connected(c->v, false);
	assert_int_equal(c->hyp->msi_count, 1);
	assert_int_equal(c->hyp->msi_addr, 0xfee00000);
	assert_int_equal(c->hyp->msi_data, 0x4021);
	assert_int_equal(rd32(c->v, 0x44200), 0x80000000 | (1u << 23));
	/* handler: master off, ack SDEIIR, master on: nothing pending, no MSI */
	wr32(c->v, 0x44200, 0);
	wr32(c->v, 0xc4008, rd32(c->v, 0xc4008));
	assert_int_equal(rd32(c->v, 0xc4008), 0);
	wr32(c->v, 0x44200, 0x80000000);
	assert_int_equal(c->hyp->msi_count, 1);
	/* re-enable with an event left pending fires again */
	wr32(c->v, 0x44200, 0);
	gvt_display_set_connected(c->v, true);
	assert_int_equal(c->hyp->msi_count, 1);
	wr32(c->v, 0x44200, 0x80000000);
	assert_int_equal(c->hyp->msi_count, 2);
	/* masked events do not latch */
	wr32(c->v, 0xc4008, 0xffffffff);
	wr32(c->v, 0xc4004, 0xffffffff);
	gvt_display_set_connected(c->v, false);
	assert_int_equal(rd32(c->v, 0xc4008), 0);
}

static void test_intx_when_no_msi(void **state)
{
	struct fake_ctx *c = *state;

	cfgw16(c->v, 0x04, 0x0006);
	wr32(c->v, 0x44200, 0x80000000);
	wr32(c->v, 0xc400c, 1u << 21);
	wr32(c->v, 0xc4004, 0);
	gvt_display_set_connected(c->v, false);
	assert_true(c->hyp->intx);
	assert_true(cfg16(c->v, 0x06) & 0x08);
	wr32(c->v, 0xc4008, 0xffffffff);
	assert_false(c->hyp->intx);
	assert_int_equal(c->hyp->msi_count, 0);
}

static void test_irq_mode_from_transport(void **state)
{
	struct fake_ctx *c = *state;

	/* vfio-user: QEMU keeps the MSI capability to itself, only SET_IRQS says MSI */
	wr32(c->v, 0x44200, 0x80000000);
	wr32(c->v, 0xc400c, 1u << 21);
	wr32(c->v, 0xc4004, 0);
	gvt_display_set_connected(c->v, false);		/* pending, but no MSI in config */
	assert_int_equal(c->hyp->msi_count, 0);
	gvt_vgpu_set_irq_mode(c->v, GVT_IRQ_MSI);	/* delivered at once */
	assert_int_equal(c->hyp->msi_count, 1);
	assert_false(c->hyp->intx);
	wr32(c->v, 0xc4008, 0xffffffff);
	gvt_display_set_connected(c->v, true);
	assert_int_equal(c->hyp->msi_count, 2);
	/* INTx: level follows the pending state */
	gvt_vgpu_set_irq_mode(c->v, GVT_IRQ_INTX);
	assert_true(c->hyp->intx);
	wr32(c->v, 0xc4008, 0xffffffff);
	assert_false(c->hyp->intx);
	/* none: dropped */
	gvt_vgpu_set_irq_mode(c->v, GVT_IRQ_NONE);
	gvt_display_set_connected(c->v, false);
	assert_int_equal(c->hyp->msi_count, 2);
	assert_false(c->hyp->intx);
	assert_int_equal(rd32(c->v, 0x44200), 0x80000000 | (1u << 23));
}

static void test_fences(void **state)
{
	struct fake_ctx *c = *state;
	struct gvt_vgpu_info info;
	uint32_t start, end;

	gvt_vgpu_get_info(c->v, &info);
	(void)rd32(c->v, VGT_PVINFO_PAGE);
	start = (uint32_t)info.low_gm_base;
	end = start + 0x100000 - 0x1000;
	/* i915 order: lo = 0, hi, lo */
	wr32(c->v, 0x100000 + 8, 0);
	wr32(c->v, 0x100000 + 8 + 4, end);
	wr32(c->v, 0x100000 + 8, start | 1);
	assert_int_equal(c->env->host.fences[info.fences[1]], ((uint64_t)end << 32) | start | 1);
	/* a fence over another vGPU's (or the host's) GM is not written through */
	wr32(c->v, 0x100000 + 8 + 4, 0x1000);
	wr32(c->v, 0x100000 + 8, 0x0 | 1);
	assert_int_equal(c->env->host.fences[info.fences[1]], 0);
	assert_true(fake_vgpu_stats(c->v).fence_rejected >= 1);
	/* beyond fence_num: dropped */
	wr32(c->v, 0x100000 + 8 * 4, start | 1);
	assert_int_equal(rd32(c->v, 0x100000 + 8 * 4), 0);
	assert_int_equal(fake_vgpu_stats(c->v).failsafe, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pvinfo, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_pvinfo_g2v, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_masked_and_w1c, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_failsafe_without_pvinfo, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_forcewake, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_resets, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_pcode, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_probe_values, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_untracked_and_unmapped, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupts, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_intx_when_no_msi, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_irq_mode_from_transport, fake_ctx_setup_v5_4, fake_ctx_teardown),
		cmocka_unit_test_setup_teardown(test_fences, fake_ctx_setup_v5_4, fake_ctx_teardown),
	};

	return cmocka_run_group_tests_name("gvt_mmio", tests, NULL, NULL);
}
