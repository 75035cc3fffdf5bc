// SPDX-License-Identifier: GPL-2.0-only
/*
 * A scripted replay of what Linux 6.12 i915 does to a SKL GT2 vGPU at probe
 * time, in its order (guest-i915-requirements.md §0), with the values it
 * must read and the waits it polls. The cases share one vGPU and run in
 * sequence, like the probe.
 */
#include <errno.h>
#include <string.h>

#include "gvt_test_util.h"
#include <kvmgt/uapi/vgt_if.h>

static struct fake_env *env;
static struct fake_hyp *hyp;
static struct gvt_vgpu *v;

/* i915's wait_for(): poll a few times; the vGPU must settle without time passing */
static void wait_for(uint32_t off, uint32_t mask, uint32_t expect)
{
	for (int i = 0; i < 3; i++)
		if ((rd32(v, off) & mask) == expect)
			return;
	fail_msg("wait_for 0x%x & 0x%x == 0x%x timed out (0x%x)", off, mask, expect,
		 rd32(v, off));
}

static int group_setup(void **state)
{
	(void)state;
	env = fake_env_new(0x1912, 512ull << 20);
	hyp = fake_hyp_new();
	v = fake_vgpu_new(env, "GVTg_V5_4", hyp);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	gvt_vgpu_destroy(v);
	assert_int_equal(hyp->pinned, 0);
	fake_hyp_free(hyp);
	fake_env_free(env);
	return 0;
}

static void step1_pci_enable(void **state)
{
	(void)state;
	assert_int_equal(cfg16(v, 0) | cfg16(v, 2) << 16, 0x19128086);
	assert_int_equal(cfg32(v, 8) >> 16, 0x0300);
	cfgw16(v, 4, cfg16(v, 4) | 0x2);		/* pci_enable_device: MEM */
	assert_int_equal(cfg16(v, 0x50) >> 6 & 3, 3);	/* GGMS: 8 MiB of PTEs */
	assert_int_equal(cfg16(v, 0x50) >> 8, 0);	/* GMS: no stolen */
	assert_int_equal(cfg32(v, 0x5c), 0);		/* BDSM */
}

static void step2_vgpu_detect(void **state)
{
	(void)state;
	assert_int_equal(rd64(v, 0x78000), 0x4776544776544776ull);
	assert_true((rd32(v, 0x78008) & 0xffff) >= 1);
	assert_int_equal(rd32(v, 0x78010) & 0xc, 0xc);	/* FULL_PPGTT | HWSP_EMULATION */
}

static void step3_uncore_and_device_info(void **state)
{
	(void)state;
	wait_for(0xa188, 0xffffffff, 0);		/* FORCEWAKE_MT != ~0 */
	wr32(v, 0x42300, rd32(v, 0x42300));		/* FPGA_DBG: clear unclaimed */
	assert_int_equal(rd32(v, 0x42300) & (1u << 31), 0);
	assert_int_equal(rd32(v, 0x51000), 0);		/* SKL_DFSM */
	assert_int_equal(rd32(v, 0xc6204) & 0x3ff, 24);	/* rawclk */
	assert_int_equal(rd32(v, 0xa26c), 0x4);		/* CTC_MODE */
	assert_int_equal(rd32(v, 0x9120) >> 25 & 7, 1);	/* one slice */
	assert_int_equal(rd32(v, 0x4094) & 1, 0);	/* no ring fault */
	wr32(v, 0x2024, 0);				/* PGTBL_ER */
	wr32(v, 0x2064, 0);				/* IPEIR */
	wr32(v, 0x20b0, rd32(v, 0x20b0));		/* EIR */
	assert_int_equal(rd32(v, 0x20b0), 0);
}

static void step4_sanitize_gpu(void **state)
{
	static const uint32_t bases[] = { 0x2000, 0x22000, 0x12000, 0x1a000 };

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 4; i++) {
			wr32(v, bases[i] + 0x9c, 0x01000100);	/* STOP_RING */
			wait_for(bases[i] + 0x9c, 1u << 9, 1u << 9);	/* MODE_IDLE */
			wr32(v, bases[i] + 0xd0, 0x00010001);	/* REQUEST_RESET */
			wait_for(bases[i] + 0xd0, 7, 3);	/* READY, no CAT_ERROR */
		}
		wr32(v, 0x941c, 1);				/* GDRST full */
		wait_for(0x941c, 1, 0);
		for (int i = 0; i < 4; i++)
			wr32(v, bases[i] + 0xd0, 0x00010000);
	}
	assert_int_equal(rd32(v, 0xc050) & 1, 0);	/* GuC WOPCM unlocked */
	assert_int_equal(rd32(v, 0xc340) & 1, 0);
}

static void step5_hw_probe(void **state)
{
	uint32_t mb, ms, ub, us;
	uint64_t mappable_end = gvt_vgpu_region_size(v, GVT_REGION_BAR2);

	(void)state;
	/* balloon validity (i915_vgpu.c:intel_vgt_balloon) */
	mb = rd32(v, 0x78040);
	ms = rd32(v, 0x78044);
	ub = rd32(v, 0x78048);
	us = rd32(v, 0x7804c);
	assert_true((uint64_t)mb + ms <= mappable_end);
	assert_true(ub >= mappable_end);
	assert_true((uint64_t)ub + us <= (4ull << 30));
	assert_int_equal((mb | ms | ub | us) & 0xfff, 0);
	assert_int_equal(rd32(v, 0x78050), 4);		/* fences */
	assert_int_equal(rd32(v, 0x120010) & 1, 0);	/* no eDRAM */
	cfgw16(v, 4, cfg16(v, 4) | 0x4);		/* pci_set_master */
	guest_enable_msi(v);				/* pci_enable_msi */
	assert_int_equal(rd32(v, 0x145000) & 3, 0);	/* DDR4 */
	(void)rd32(v, 0x14500c);
	(void)rd32(v, 0x145010);
}

static uint32_t pcode(uint32_t cmd, uint32_t data)
{
	wait_for(0x138124, 1u << 31, 0);
	wr32(v, 0x138128, data);
	wr32(v, 0x13812c, 0);
	wr32(v, 0x138124, (1u << 31) | cmd);
	wait_for(0x138124, 1u << 31, 0);
	assert_int_equal(rd32(v, 0x138124) & 0xff, 0);	/* success */
	return rd32(v, 0x138128);
}

static void step6_display_core_init(void **state)
{
	(void)state;
	wr32(v, 0x45504, 0);				/* DC_STATE_DISABLE */
	assert_int_equal(rd32(v, 0x45504) & 0xb, 0);
	wr32(v, 0x46408, rd32(v, 0x46408) | (1u << 4));	/* PCH reset handshake */
	wait_for(0x42000, 1u << 27, 1u << 27);		/* PG0 */
	wr32(v, 0x45404, rd32(v, 0x45404) | (1u << 29));	/* PW1 */
	wait_for(0x45404, 1u << 28, 1u << 28);
	wait_for(0x42000, 1u << 26, 1u << 26);		/* PG1 */
	wr32(v, 0x45404, rd32(v, 0x45404) | (1u << 1));	/* MISC IO */
	wait_for(0x45404, 1u, 1u);
	/* CDCLK: SWF18 = 0 -> reprogram */
	assert_int_equal(rd32(v, 0x4f060), 0);
	assert_int_equal(pcode(0x7, 0x3) & 1, 1);	/* PREPARE -> ready */
	wr32(v, 0x6c058, (rd32(v, 0x6c058) & ~0x3fu) | (2u << 1) | 1);
	wr32(v, 0x46010, 1u << 31);			/* DPLL0 */
	wait_for(0x46010, 1u << 30, 1u << 30);
	wr32(v, 0x46000, 0x080002a1);			/* 337.5 MHz */
	pcode(0x7, 0x1);				/* voltage level */
	wr32(v, 0x45008, 1u << 31);			/* DBUF */
	wait_for(0x45008, 1u << 30, 1u << 30);
	assert_int_equal(rd32(v, 0x41000) & (1u << 31), 1u << 31);	/* VGA off */
	/* PW2 for AUX B, with PG2 */
	wr32(v, 0x45404, rd32(v, 0x45404) | (1u << 31));
	wait_for(0x45404, 1u << 30, 1u << 30);
	wait_for(0x42000, 1u << 25, 1u << 25);
	/* watermark latencies, SAGV */
	assert_int_equal(pcode(0x6, 0) & 0xff, 2);
	assert_int_not_equal(pcode(0x6, 1), 0);
	assert_int_equal(pcode(0x21, 0) & 1, 1);
}

static void step7_irq_install(void **state)
{
	static const uint32_t banks[] = { 0x44300, 0x44310, 0x44320, 0x44330, 0x44400,
					  0x44410, 0x44420, 0x44440, 0x44460, 0x444e0, 0xc4000 };

	(void)state;
	wr32(v, 0x44200, 0);
	for (size_t i = 0; i < sizeof(banks) / sizeof(banks[0]); i++) {
		wr32(v, banks[i] + 4, 0xffffffff);
		wr32(v, banks[i] + 0xc, 0);
		wr32(v, banks[i] + 8, 0xffffffff);
		wr32(v, banks[i] + 8, 0xffffffff);
		assert_int_equal(rd32(v, banks[i] + 8), 0);	/* gen3_assert_iir_is_zero */
	}
	wr32(v, 0x4430c, 0x09090909);
	wr32(v, 0x44304, ~0x09090909u);
	wr32(v, 0x4431c, 0x09090909);
	wr32(v, 0x44314, ~0x09090909u);
	wr32(v, 0x4433c, 0x00000909);
	wr32(v, 0x44334, ~0x00000909u);
	wr32(v, 0x4440c, 0x80000001);			/* pipe A: vblank | underrun */
	wr32(v, 0xc400c, 1u << 21);			/* SDE: port B hotplug */
	wr32(v, 0xc4004, ~(1u << 21));
	wr32(v, 0xc4030, 1u << 4);			/* detect enable */
	wr32(v, 0x44200, 0x80000000);
	assert_int_equal(hyp->msi_count, 0);		/* nothing pending */
}

static void step8_outputs(void **state)
{
	uint8_t rx[20], edid[128], exp[128];

	(void)state;
	assert_true(rd32(v, 0xc4000) & (1u << 21));	/* port B connected */
	assert_int_equal(aux_xfer(v, 1, (const uint8_t[]){ 0x90, 0, 0, 14 }, 4, rx), 16);
	assert_int_equal(rx[1], 0x12);
	assert_int_equal(aux_xfer(v, 1, (const uint8_t[]){ 0x90, 0, 0x21, 0 }, 4, rx), 2);
	assert_int_equal(rx[1], 0);			/* not MST */
	assert_int_equal(aux_xfer(v, 1, (const uint8_t[]){ 0x90, 0x04, 0x00, 11 }, 4, rx), 13);
	aux_xfer(v, 1, (const uint8_t[]){ 0x80, 0x06, 0x00, 0, 1 }, 5, rx);	/* D0 */
	assert_int_equal(rx[0], 0);
	/* EDID */
	aux_xfer(v, 1, (const uint8_t[]){ 0x40, 0, 0x50 }, 3, rx);
	aux_xfer(v, 1, (const uint8_t[]){ 0x40, 0, 0x50, 0, 0 }, 5, rx);
	for (int off = 0; off < 128; off += 16) {
		assert_int_equal(aux_xfer(v, 1, (const uint8_t[]){ 0x50, 0, 0x50, 15 }, 4, rx), 17);
		memcpy(edid + off, rx + 1, 16);
	}
	aux_xfer(v, 1, (const uint8_t[]){ 0x10, 0, 0x50 }, 3, rx);
	gvt_edid_generate(1920, 1200, exp);
	assert_memory_equal(edid, exp, 128);
	/* hardware state readout: everything off, DDI B clock gated */
	assert_true(rd32(v, 0x6c05c) & (1u << 16));
	assert_int_equal(rd32(v, 0x70008) & (1u << 30), 0);
	assert_int_equal(rd32(v, 0x64100) & (1u << 31), 0);
}

static void step9_gem_init_and_fb(void **state)
{
	uint32_t mb = rd32(v, 0x78040);
	uint32_t fb = mb + (1u << 20);		/* fbdev at a 256 KiB-aligned mappable spot */
	uint8_t pix[64];

	(void)state;
	wr32(v, 0x40e0, 0x00070406);			/* private PAT */
	wr32(v, 0x40e4, 0x3b2b1b0b);
	assert_int_equal(rd32(v, 0x40e0), 0x00070406);
	wr32(v, 0x4024, 0xf0007fff);			/* GTT cache enable */
	assert_int_not_equal(rd32(v, 0x4024), 0);
	/* ballooned GGTT: i915 binds a 4-page fb into its mappable range */
	for (uint32_t i = 0; i < 4; i++)
		wr64(v, (8u << 20) + ((fb >> 12) + i) * 8, (0x200000ull + i * 0x1000) | 1);
	wr32(v, 0x101008, 1);				/* GFX_FLSH_CNTL */
	/* fbcon draws through the aperture */
	memset(pix, 0x5a, sizeof(pix));
	assert_int_equal(gvt_vgpu_mmio_write(v, 2, fb + 0x1ff0, pix, sizeof(pix)), 0);
	assert_memory_equal(hyp->ram + 0x201ff0, pix, 16);
	assert_memory_equal(hyp->ram + 0x202000, pix, 48);
	/* kernel PPGTT announced through g2v */
	wr32(v, 0x78838, 0x00345000);
	wr32(v, 0x7883c, 0);
	wr32(v, 0x78818, 4);
	{
		uint64_t root;

		assert_int_equal(gvt_vgpu_ppgtt_roots(v, &root, 1), 1);
		assert_int_equal(root, 0x345000);
	}
	/* execlists enabled after PVINFO was read: no failsafe */
	wr32(v, 0x229c, 0x80008000);
	wr32(v, 0x209c, 0x01000000);
	wr32(v, 0x2080, 0x00fff000);			/* HWS_PGA */
	assert_int_equal(rd32(v, 0x2080), 0x00fff000);
	wr32(v, 0x20b4, 0xffffffff);
	wr32(v, 0x20b0, 0xffffffff);
	assert_int_equal(rd32(v, 0x20b8), 0);		/* ESR */
	wr32(v, 0x23a0, 0xffff0505);			/* CSB pointers */
	assert_int_equal(rd32(v, 0x23a0), 0x0505);
	{
		struct gvt_vgpu_stats s;

		gvt_vgpu_get_stats(v, &s);
		assert_int_equal(s.failsafe, 0);
	}
}

static void step10_modeset(void **state)
{
	struct gvt_plane_info p;
	uint32_t fb = rd32(v, 0x78040) + (1u << 20);
	uint8_t rx[20];
	uint64_t next;
	unsigned int msi0;

	(void)state;
	/* DPLL1 for DP HBR (link rate code 1) */
	wr32(v, 0x6c058, (rd32(v, 0x6c058) & ~(0x3fu << 6)) | (((1u << 1) | 1) << 6));
	wr32(v, 0x6c05c, (rd32(v, 0x6c05c) & ~(1u << 16)) | (1u << 3) | (1u << 4));
	wr32(v, 0x46014, 1u << 31);
	wait_for(0x6c060, 1u << 8, 1u << 8);
	wr32(v, 0x46144, 2u << 29);			/* TRANS_CLK_SEL A = port B */
	/* link training */
	wr32(v, 0x64140, (1u << 31) | (0u << 8));	/* TP1 */
	wr32(v, 0x64100, (1u << 31) | (3u << 1));	/* DDI_BUF B on, 4 lanes */
	aux_xfer(v, 1, (const uint8_t[]){ 0x80, 0x01, 0x00, 1, 0x0a, 0x84 }, 6, rx);
	aux_xfer(v, 1, (const uint8_t[]){ 0x80, 0x01, 0x02, 0, 0x21 }, 5, rx);
	assert_int_equal(aux_xfer(v, 1, (const uint8_t[]){ 0x90, 0x02, 0x02, 5 }, 4, rx), 7);
	assert_int_equal(rx[1] & rx[2], 0x77);
	assert_int_equal(rx[3] & 1, 1);
	wr32(v, 0x64140, (1u << 31) | (2u << 8));	/* IDLE */
	wait_for(0x64144, 1u << 25, 1u << 25);
	wr32(v, 0x64140, (1u << 31) | (3u << 8));	/* NORMAL */
	/* timings and transcoder */
	wr32(v, 0x60000, ((2080 - 1) << 16) | (1920 - 1));
	wr32(v, 0x6000c, ((1235 - 1) << 16) | (1200 - 1));
	wr32(v, 0x6001c, ((1920 - 1) << 16) | (1200 - 1));
	wr32(v, 0x60040, 154000);
	wr32(v, 0x60044, 270000);
	wr32(v, 0x60400, (1u << 31) | (1u << 28) | (2u << 24) | (3u << 1));
	wr32(v, 0x70008, 1u << 31);
	wait_for(0x70008, 1u << 30, 1u << 30);
	/* drm_crtc_vblank_on, then the primary plane on the fb */
	wr32(v, 0x44404, ~1u);
	wr32(v, 0x70180, (1u << 31) | (4u << 24));
	wr32(v, 0x70188, 1920 * 4 / 64);
	wr32(v, 0x70190, ((1200 - 1) << 16) | (1920 - 1));
	wr32(v, 0x7019c, fb);
	/* wait for vblank: frame counter moves, the interrupt arrives */
	msi0 = hyp->msi_count;
	next = gvt_vgpu_run_timers(v);
	hyp->now = next;
	gvt_vgpu_run_timers(v);
	assert_int_equal(rd32(v, 0x70040), 1);
	assert_int_equal(hyp->msi_count, msi0 + 1);
	assert_int_equal(rd32(v, 0x44200) & (1u << 16), 1u << 16);
	wr32(v, 0x44200, 0);
	wr32(v, 0x44408, rd32(v, 0x44408));
	wr32(v, 0x44200, 0x80000000);
	assert_int_equal(rd32(v, 0x701ac), fb);		/* latched */
	/* the screenshot view of the same plane */
	assert_int_equal(gvt_display_get_plane(v, 0, GVT_PLANE_PRIMARY, &p), 0);
	assert_true(p.enabled);
	assert_int_equal(p.ggtt_base, fb);
	{
		uint8_t px[16];

		assert_int_equal(gvt_vgpu_gm_read(v, p.ggtt_base + 0x1ff0, px, 16), 0);
		for (int i = 0; i < 16; i++)
			assert_int_equal(px[i], 0x5a);
	}
	/* the state checker reads it all back */
	assert_int_equal(rd32(v, 0x60400) >> 28 & 7, 1);
	assert_int_equal(rd32(v, 0x60000), ((2080 - 1) << 16) | (1920 - 1));
	assert_true(rd32(v, 0x6c058) & (1u << 6));
}

static void step11_register(void **state)
{
	struct gvt_vgpu_stats s;

	(void)state;
	wr32(v, 0x78804, 1);				/* display_ready */
	gvt_vgpu_get_stats(v, &s);
	assert_true(s.display_ready);
	assert_true(s.pv_notified);
	assert_int_equal(s.failsafe, 0);
	assert_int_equal(s.ggtt_dropped, 0);
	assert_int_equal(s.aperture_dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(step1_pci_enable),
		cmocka_unit_test(step2_vgpu_detect),
		cmocka_unit_test(step3_uncore_and_device_info),
		cmocka_unit_test(step4_sanitize_gpu),
		cmocka_unit_test(step5_hw_probe),
		cmocka_unit_test(step6_display_core_init),
		cmocka_unit_test(step7_irq_install),
		cmocka_unit_test(step8_outputs),
		cmocka_unit_test(step9_gem_init_and_fb),
		cmocka_unit_test(step10_modeset),
		cmocka_unit_test(step11_register),
	};

	return cmocka_run_group_tests_name("gvt_probe", tests, group_setup, group_teardown);
}
