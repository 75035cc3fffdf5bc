// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu register file semantics seen through hostdrv's MMIO accessors:
 * reset values, masked, write-1-to-clear, self-clearing and read-only
 * registers, timestamps, the reset handshake; the watchdog and pacing.
 */
#include <string.h>
#include <time.h>

#include "sgpu_test.h"

static void test_reset_values_and_read_only(void **state)
{
	struct tenv *t = *state;

	assert_int_equal(hdrv_mmio_read(t->gpu, 0x9120), 0x02800000);	/* FUSE2 */
	hdrv_mmio_write(t->gpu, 0x9120, 0);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x9120), 0x02800000);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0xA26C), 0x4);	/* CTC_MODE */
	/* FORCEWAKE_MT: never ~0; hostdrv holds the GT domain, the ack follows */
	assert_int_equal(hdrv_mmio_read(t->gpu, 0xA188), 1);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x130044), 1);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0xC050), 0);	/* GuC WOPCM unlocked */
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x4094), 0);	/* no fault */
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x42000), 0x8E000000);	/* SKL_FUSE_STATUS */
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x41000), 0x80000000);	/* VGA disabled */
	/* plain storage elsewhere */
	hdrv_mmio_write(t->gpu, 0x7004, 0x12345678);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x7004), 0x12345678);
}

static void test_masked_registers(void **state)
{
	struct tenv *t = *state;
	uint32_t mi_mode = 0x12000 + 0x9C;

	/* forcewake: masked request, the ack follows */
	hdrv_mmio_write(t->gpu, 0xA278, 0x00010001);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0xA278), 1);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x0D84), 1);
	hdrv_mmio_write(t->gpu, 0xA278, 0x00000000);	/* no mask bits: no change */
	assert_int_equal(hdrv_mmio_read(t->gpu, 0xA278), 1);
	hdrv_mmio_write(t->gpu, 0xA278, 0x00010000);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x0D84), 0);
	/* STOP_RING: masked, and MODE_IDLE reads back */
	hdrv_mmio_write(t->gpu, mi_mode, 0x01000100);
	assert_int_equal(hdrv_mmio_read(t->gpu, mi_mode) & 0x300, 0x300);
	hdrv_mmio_write(t->gpu, mi_mode, 0x01000000);
	assert_int_equal(hdrv_mmio_read(t->gpu, mi_mode) & 0x100, 0);
	/* RESET_CTL handshake: READY follows REQUEST */
	hdrv_mmio_write(t->gpu, 0x22000 + 0xD0, 0x00010001);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x22000 + 0xD0) & 3, 3);
	hdrv_mmio_write(t->gpu, 0x22000 + 0xD0, 0x00010000);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x22000 + 0xD0) & 3, 0);
}

static void test_w1c_and_self_clearing(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);

	/* latch a USER interrupt without anyone acknowledging it (poll mode) */
	temit(ctx, 2, MI_USER_INTERRUPT, MI_NOOP);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	for (int i = 0; i < 100 && !(hdrv_mmio_read(t->gpu, 0x44308) & 1); i++)
		;
	assert_true(hdrv_mmio_read(t->gpu, 0x44308) & 1);
	assert_true(hdrv_mmio_read(t->gpu, 0x44200) & 1);	/* master summary: RCS */
	hdrv_mmio_write(t->gpu, 0x44308, 0x100);	/* clearing another bit leaves USER */
	assert_true(hdrv_mmio_read(t->gpu, 0x44308) & 1);
	hdrv_mmio_write(t->gpu, 0x44308, 0xFFFFFFFF);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x44308), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), 0);
	/* RING_EIR is write-1-to-clear too; FPGA_DBG likewise */
	hdrv_mmio_write(t->gpu, 0x42300, 0x80000000);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x42300), 0);
	/* self-clearing: GDRST and the TLB invalidation registers read 0 */
	hdrv_mmio_write(t->gpu, 0x941C, 1u << 2);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x941C), 0);
	hdrv_mmio_write(t->gpu, 0x4260, 1);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x4260), 0);
	/* the engine reset put VCS's registers back: hostdrv must re-init it */
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x12000 + 0x80), 0);
	assert_int_equal(hdrv_mmio_read(t->gpu, 0x12000 + 0xA8), 0xFFFFFFFF);
	assert_int_equal(hdrv_engine_reset(t->gpu, HDRV_VCS), 0);
	assert_true(hdrv_mmio_read(t->gpu, 0x12000 + 0x80) != 0);
	hdrv_ctx_destroy(ctx);
}

static void test_timestamp_ticks(void **state)
{
	struct tenv *t = *state;
	struct timespec ts = { 0, 20000000 };
	uint32_t a, b;

	a = hdrv_mmio_read(t->gpu, 0x2000 + 0x358);
	nanosleep(&ts, NULL);
	b = hdrv_mmio_read(t->gpu, 0x2000 + 0x358);
	/* 12 MHz: 20 ms is 240000 ticks (sleep may overshoot, never undershoot) */
	assert_true(b - a >= 240000);
	assert_true(b - a < 240000 * 50);
}

static void test_watchdog_stops_runaway(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS), *ok;
	struct hdrv_bo bb, out;
	struct sgpu_error se;
	uint32_t *c;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	c = bb.mem.cpu;
	c[0] = MI_BB_START;	/* jumps to itself forever */
	c[1] = (uint32_t)bb.gtt;
	c[2] = 0;
	temit(ctx, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	tpad(ctx);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), -EIO);
	sgpu_engine_error(t->sg, SGPU_RCS, &se);
	assert_non_null(strstr(se.reason, "watchdog"));
	assert_int_equal(atomic_load(&t->errors[HDRV_RCS]), 1);
	assert_int_equal(hdrv_engine_reset(t->gpu, HDRV_RCS), 0);
	/* 900 commands stay below the limit */
	ok = tctx(t, HDRV_RCS);
	for (int i = 0; i < 900; i++)
		temit(ok, 1, MI_NOOP);
	temit(ok, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt, 0, 9);
	assert_int_equal(trun(t, ok), 0);
	assert_int_equal(*(uint32_t *)out.mem.cpu, 9);
	hdrv_ctx_destroy(ctx);
	hdrv_ctx_destroy(ok);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_pacing_wall_time_covers_model(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_BCS);
	struct hdrv_bo dst;
	double t0, dt;

	/* 4 MiB fill at 8000 MB/s is 524 us of modelled time */
	tbo(t, &dst, 4u << 20);
	temit(ctx, 7, XY_COLOR_BLT | BLT_WRITE_RGBA, BR13_32BPP | ROP_PATCOPY | 4096, 0,
	      (1024u << 16) | 1024, (uint32_t)dst.gtt, 0, 1);
	tpad(ctx);
	t0 = now_s();
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_BCS, 5000), 0);
	dt = now_s() - t0;
	assert_true(dt >= 520e-6);
	assert_true(hdrv_ctx_busy_ns(ctx) >= 520000);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &dst);
}

static void count_line(void *arg, const char *line)
{
	(*(int *)arg)++;
	(void)line;
}

static void test_log_is_rate_limited(void **state)
{
	int lines = 0;
	struct sgpu_config sc = { .log = count_line, .log_arg = &lines, .log_limit = 5 };
	struct hdrv_bus bus;
	struct hdrv_gpu *gpu;
	struct sgpu *sg;

	assert_int_equal(sgpu_create(&sc, &sg), 0);
	sgpu_bus(sg, &bus);
	assert_int_equal(hdrv_gpu_probe(&bus, NULL, &gpu), 0);
	/* 40 invalid ELSP submissions: each is dropped and would log a line */
	for (int i = 0; i < 40 * 4; i++)
		hdrv_mmio_write(gpu, 0x2000 + 0x230, 0);
	assert_true(lines >= 1 && lines <= 6);
	hdrv_gpu_remove(gpu);
	sgpu_destroy(sg);
}

#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, tenv_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_values_and_read_only, tenv_setup_poll),
		T(test_masked_registers, tenv_setup_poll),
		T(test_w1c_and_self_clearing, tenv_setup_poll),
		T(test_timestamp_ticks, tenv_setup_poll),
		T(test_watchdog_stops_runaway, tenv_setup_watchdog),
		T(test_pacing_wall_time_covers_model, tenv_setup_paced),
		cmocka_unit_test(test_log_is_rate_limited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
