// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler's policy with a scripted physical GPU: every workload takes
 * a fixed time on a fake clock and completes when the test says so. Checks
 * the share by type weight, switching only at workload boundaries, and that
 * a vGPU alone gets the whole GPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gvt_test_util.h"

#define GPA_RING	0x100000ull
#define GPA_CTX		0x110000ull
#define GPA_HWSP	0x120000ull
#define GPA_DATA	0x130000ull
#define RING_SIZE	(16u << 10)
#define RCS		0x2000u
#define WL_NS		100000ull	/* each workload: 100 us */

struct fctx {
	unsigned int engine;
	void *cookie;
};

struct fhost {
	uint64_t *ggtt;
	struct fctx *running[4];	/* what the "GPU" runs per engine */
	unsigned int submits, overlaps, resets;
	struct gvt_gpu *gpu;
};

struct fenv {
	struct fhost host;
	struct gvt_gpu *gpu;
	struct fake_hyp *hyp[2];
	struct gvt_vgpu *v[2];
	uint64_t gm[2];
	uint32_t tail[2];
	uint64_t done[2];
};

static int f_ggtt_write(void *priv, uint32_t index, uint64_t pte)
{
	struct fhost *h = priv;

	h->ggtt[index] = pte;
	return 0;
}

static int f_dma_alloc(void *priv, size_t size, void **cpu, uint64_t *dma)
{
	(void)priv;
	*cpu = aligned_alloc(4096, size);
	if (!*cpu)
		return -ENOMEM;
	memset(*cpu, 0, size);
	*dma = (uint64_t)(uintptr_t)*cpu;
	return 0;
}

static void f_dma_free(void *priv, void *cpu, uint64_t dma, size_t size)
{
	(void)priv;
	(void)dma;
	(void)size;
	free(cpu);
}

static int f_ctx_create(void *priv, unsigned int engine, uint32_t ring_bytes, void *cookie,
			void **hctx)
{
	struct fctx *c = calloc(1, sizeof(*c));

	(void)priv;
	(void)ring_bytes;
	if (!c)
		return -ENOMEM;
	c->engine = engine;
	c->cookie = cookie;
	*hctx = c;
	return 0;
}

static void f_ctx_destroy(void *priv, void *hctx)
{
	(void)priv;
	free(hctx);
}

static int f_ctx_submit(void *priv, void *hctx, const struct gvt_host_submit *s)
{
	struct fhost *h = priv;
	struct fctx *c = hctx;

	if (s->bytes == 0 || s->bytes % 4)
		return -EINVAL;
	if (h->running[c->engine])
		h->overlaps++;
	h->running[c->engine] = c;
	h->submits++;
	return 0;
}

static int f_engine_reset(void *priv, unsigned int engine)
{
	struct fhost *h = priv;
	struct fctx *c = h->running[engine];

	/* like hostdrv: the dropped context is reported as failed */
	h->running[engine] = NULL;
	h->resets++;
	if (c)
		gvt_gpu_ctx_done(h->gpu, c->cookie, -EIO);
	return 0;
}

static const struct gvt_host_ops fops = {
	.version = GVT_OPS_VERSION,
	.ggtt_write = f_ggtt_write,
	.dma_alloc = f_dma_alloc,
	.dma_free = f_dma_free,
	.ctx_create = f_ctx_create,
	.ctx_destroy = f_ctx_destroy,
	.ctx_submit = f_ctx_submit,
	.engine_reset = f_engine_reset,
};

static uint32_t *g32(struct fenv *e, int i, uint64_t gpa)
{
	return (uint32_t *)(e->hyp[i]->ram + gpa);
}

static void map(struct fenv *e, int i, uint64_t off, uint64_t gpa, unsigned int pages)
{
	for (unsigned int k = 0; k < pages; k++)
		wr64(e->v[i], GVT_GGTT_OFFSET + ((e->gm[i] + off) >> 12) * 8 + 8 * k,
		     (gpa + 4096ull * k) | 1);
}

static struct fenv *fenv_new(const char *t0, const char *t1)
{
	struct fenv *e = calloc(1, sizeof(*e));
	struct gvt_gpu_desc d;
	const char *types[2] = { t0, t1 };

	assert_non_null(e);
	e->host.ggtt = calloc((4ull << 30) >> 12, 8);
	assert_non_null(e->host.ggtt);
	fake_desc_init(&d, 0x1912, 512ull << 20);
	assert_int_equal(gvt_gpu_create(&d, &fops, &e->host, &e->gpu), 0);
	e->host.gpu = e->gpu;
	for (int i = 0; i < 2; i++) {
		struct gvt_vgpu_info info;
		uint32_t *r;

		if (!types[i])
			continue;
		e->hyp[i] = fake_hyp_new();
		assert_int_equal(gvt_vgpu_create(e->gpu, types[i], &fake_hyp_ops, e->hyp[i],
						 &e->v[i]), 0);
		gvt_vgpu_get_info(e->v[i], &info);
		e->gm[i] = info.low_gm_base;
		(void)rd32(e->v[i], 0x78000);
		map(e, i, 0, GPA_RING, 4);
		map(e, i, 0x10000, GPA_CTX, 2);
		map(e, i, 0x20000, GPA_HWSP, 1);
		map(e, i, 0x30000, GPA_DATA, 1);
		wr32(e->v[i], RCS + 0x80, (uint32_t)(e->gm[i] + 0x20000));
		r = g32(e, i, GPA_CTX + 4096);
		r[0x09] = (uint32_t)e->gm[i];
		r[0x0b] = (RING_SIZE - 4096) | 1;
	}
	return e;
}

static void fenv_free(struct fenv *e)
{
	for (int i = 0; i < 2; i++) {
		if (!e->v[i])
			continue;
		gvt_vgpu_destroy(e->v[i]);
		fake_hyp_free(e->hyp[i]);
	}
	assert_int_equal(gvt_gpu_destroy(e->gpu), 0);
	free(e->host.ggtt);
	free(e);
}

/* guest @i: one store in its ring and an ELSP, if its engine is idle */
static void guest_submit_if_idle(struct fenv *e, int i)
{
	uint32_t *ring = g32(e, i, GPA_RING), *r = g32(e, i, GPA_CTX + 4096);
	uint64_t d = (uint64_t)0x20 << 32 | (e->gm[i] + 0x10000) | 3 << 3 | 1u << 8 | 1;

	if (rd32(e->v[i], RCS + 0x234) & (1u << 4))
		return;		/* a list is active */
	ring[e->tail[i] / 4] = 0x10400002;
	ring[e->tail[i] / 4 + 1] = (uint32_t)(e->gm[i] + 0x30000);
	ring[e->tail[i] / 4 + 2] = 0;
	ring[e->tail[i] / 4 + 3] = e->tail[i];
	e->tail[i] = (e->tail[i] + 16) % RING_SIZE;
	r[0x07] = e->tail[i];
	wr32(e->v[i], RCS + 0x230, 0);
	wr32(e->v[i], RCS + 0x230, 0);
	wr32(e->v[i], RCS + 0x230, (uint32_t)(d >> 32));
	wr32(e->v[i], RCS + 0x230, (uint32_t)d);
}

static void advance(struct fenv *e, uint64_t ns)
{
	for (int i = 0; i < 2; i++)
		if (e->hyp[i])
			e->hyp[i]->now += ns;
}

/* @rounds workloads of WL_NS each by the guests in @mask; fills e->done */
static void run(struct fenv *e, unsigned int rounds, unsigned int mask)
{
	for (unsigned int n = 0; n < rounds; n++) {
		struct fctx *c;

		for (int i = 0; i < 2; i++)
			if (e->v[i] && (mask & (1u << i)))
				guest_submit_if_idle(e, i);
		gvt_gpu_schedule(e->gpu);
		c = e->host.running[0];
		assert_non_null(c);
		advance(e, WL_NS);
		e->host.running[0] = NULL;
		gvt_gpu_ctx_done(e->gpu, c->cookie, 0);
		gvt_gpu_schedule(e->gpu);
	}
	for (int i = 0; i < 2; i++) {
		struct gvt_vgpu_exec_stats st;

		if (!e->v[i])
			continue;
		gvt_vgpu_get_exec_stats(e->v[i], &st);
		e->done[i] = st.completed;
	}
}

static void test_share_follows_type_weight(void **state)
{
	/* GVTg_V5_4 has weight 4, GVTg_V5_8 weight 2 */
	struct fenv *e = fenv_new("GVTg_V5_4", "GVTg_V5_8");
	struct gvt_sched_params p = { .slice_ns = 1000000, .balance_ns = 100000000 };
	double ratio;

	(void)state;
	assert_int_equal(gvt_gpu_set_sched_params(e->gpu, &p), 0);
	run(e, 4000, 3);		/* 400 ms of GPU time */
	assert_int_equal(e->host.overlaps, 0);
	assert_true(e->done[0] + e->done[1] >= 3990);
	ratio = (double)e->done[0] / (double)e->done[1];
	if (getenv("GVT_TEST_VERBOSE"))
		fprintf(stderr, "done %llu / %llu\n", (unsigned long long)e->done[0],
			(unsigned long long)e->done[1]);
	assert_true(ratio > 1.7 && ratio < 2.4);
	fenv_free(e);
}

static void test_equal_weights_alternate_by_slice(void **state)
{
	struct fenv *e = fenv_new("GVTg_V5_8", "GVTg_V5_8");
	struct gvt_sched_params p = { .slice_ns = 500000, .balance_ns = 50000000 };
	double ratio;

	(void)state;
	assert_int_equal(gvt_gpu_set_sched_params(e->gpu, &p), 0);
	run(e, 2000, 3);
	ratio = (double)e->done[0] / (double)e->done[1];
	assert_true(ratio > 0.9 && ratio < 1.1);
	fenv_free(e);
}

static void test_alone_gets_whole_gpu(void **state)
{
	/* the other vGPU exists but is idle: no budget stops the busy one */
	struct fenv *e = fenv_new("GVTg_V5_8", "GVTg_V5_4");
	struct gvt_vgpu_exec_stats st;

	(void)state;
	run(e, 3000, 1);
	gvt_vgpu_get_exec_stats(e->v[0], &st);
	assert_int_equal(st.completed, 3000);
	assert_int_equal(st.busy_ns, 3000 * WL_NS);
	fenv_free(e);
}

static void test_overrun_bounded_only_when_others_wait(void **state)
{
	struct fenv *e = fenv_new("GVTg_V5_8", "GVTg_V5_8");
	struct gvt_sched_params p = { .overrun_ns = 5000000 };
	struct gvt_vgpu_exec_stats st;
	struct fctx *c0;

	(void)state;
	assert_int_equal(gvt_gpu_set_sched_params(e->gpu, &p), 0);
	guest_submit_if_idle(e, 0);
	gvt_gpu_schedule(e->gpu);
	c0 = e->host.running[0];
	assert_non_null(c0);
	/* alone, a long workload is left alone */
	advance(e, 20000000);
	gvt_gpu_schedule(e->gpu);
	assert_ptr_equal(e->host.running[0], c0);
	assert_int_equal(e->host.resets, 0);
	/* someone waits, but the bound counts from submission: already over */
	guest_submit_if_idle(e, 1);
	gvt_gpu_schedule(e->gpu);
	assert_int_equal(e->host.resets, 1);
	gvt_vgpu_get_exec_stats(e->v[0], &st);
	assert_int_equal(st.failed, 1);
	/* the waiting vGPU got the engine */
	gvt_gpu_schedule(e->gpu);
	assert_non_null(e->host.running[0]);
	assert_ptr_not_equal(e->host.running[0], c0);
	gvt_vgpu_get_exec_stats(e->v[1], &st);
	assert_int_equal(st.workloads, 1);
	fenv_free(e);
}

static void test_bad_params_rejected(void **state)
{
	struct fenv *e = fenv_new("GVTg_V5_8", NULL);
	struct gvt_sched_params p = { .slice_ns = 10000000, .balance_ns = 1000000 };

	(void)state;
	assert_int_equal(gvt_gpu_set_sched_params(e->gpu, &p), -EINVAL);
	assert_int_equal(gvt_gpu_set_sched_params(e->gpu, NULL), -EINVAL);
	fenv_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_follows_type_weight),
		cmocka_unit_test(test_equal_weights_alternate_by_slice),
		cmocka_unit_test(test_alone_gets_whole_gpu),
		cmocka_unit_test(test_overrun_bounded_only_when_others_wait),
		cmocka_unit_test(test_bad_params_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
