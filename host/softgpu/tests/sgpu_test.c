// SPDX-License-Identifier: GPL-2.0-only
/* Shared helpers for the softgpu tests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgpu_test.h"

const uint32_t engine_base[HDRV_NUM_ENGINES] = { 0x2000, 0x22000, 0x12000, 0x1A000 };

static void cb_done(void *arg, struct hdrv_ctx *ctx, enum hdrv_ctx_status st)
{
	struct tenv *t = arg;
	int i;

	pthread_mutex_lock(&t->done_lock);
	i = atomic_load(&t->ndone);
	if (i < 1024) {
		t->done[i].ctx = ctx;
		t->done[i].st = st;
	}
	atomic_store(&t->ndone, i + 1);	/* publish after the entry */
	pthread_mutex_unlock(&t->done_lock);
}

static void cb_user(void *arg, enum hdrv_engine_id e)
{
	struct tenv *t = arg;

	atomic_fetch_add(&t->user_irqs[e], 1);
}

static void cb_error(void *arg, enum hdrv_engine_id e)
{
	struct tenv *t = arg;

	atomic_fetch_add(&t->errors[e], 1);
}

static void quiet_log(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

static int setup_cfg(void **state, struct sgpu_config sc, uint64_t ggtt_size)
{
	bool threaded = sc.threaded;
	struct hdrv_config hc = { .use_irq = threaded, .ggtt_size = ggtt_size, .hang_ms = 200 };
	struct hdrv_callbacks cb = { cb_done, cb_user, cb_error };
	struct tenv *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->threaded = threaded;
	pthread_mutex_init(&t->done_lock, NULL);
	if (getenv("SGPU_TEST_LOG"))
		sc.log = NULL;
	if (sgpu_create(&sc, &t->sg))
		goto out_free;
	sgpu_bus(t->sg, &t->bus);
	if (hdrv_gpu_probe(&t->bus, &hc, &t->gpu))
		goto out_destroy;
	hdrv_set_callbacks(t->gpu, &cb, t);
	*state = t;
	return 0;

out_destroy:
	sgpu_destroy(t->sg);
out_free:
	free(t);
	return -1;
}

static int setup(void **state, bool threaded, uint64_t ggtt_size)
{
	struct sgpu_config sc = { .threaded = threaded, .log = quiet_log };

	return setup_cfg(state, sc, ggtt_size);
}

int tenv_setup_watchdog(void **state)
{
	struct sgpu_config sc = { .watchdog_cmds = 1000, .log = quiet_log };

	return setup_cfg(state, sc, 0);
}

int tenv_setup_paced(void **state)
{
	struct sgpu_config sc = { .threaded = true, .pace = true, .log = quiet_log };

	return setup_cfg(state, sc, 0);
}

int tenv_setup_irq(void **state)
{
	return setup(state, true, 0);
}

int tenv_setup_poll(void **state)
{
	return setup(state, false, 0);
}

int tenv_setup_small_ggtt(void **state)
{
	return setup(state, false, 64ull << 20);
}

int tenv_teardown(void **state)
{
	struct tenv *t = *state;

	hdrv_gpu_remove(t->gpu);
	sgpu_destroy(t->sg);
	free(t);
	return 0;
}

struct hdrv_ctx *tctx_vm(struct tenv *t, enum hdrv_engine_id e, enum hdrv_vm_mode vm,
			 const uint64_t pdp[4])
{
	struct hdrv_ctx_params p = { .vm = vm };
	struct hdrv_ctx *ctx = NULL;

	if (pdp)
		memcpy(p.pdp, pdp, sizeof(p.pdp));
	assert_int_equal(hdrv_ctx_create(t->gpu, e, &p, &ctx), 0);
	return ctx;
}

struct hdrv_ctx *tctx(struct tenv *t, enum hdrv_engine_id e)
{
	return tctx_vm(t, e, HDRV_VM_GGTT, NULL);
}

void temit(struct hdrv_ctx *ctx, unsigned int n, ...)
{
	uint32_t dw[64];
	va_list ap;

	assert_true(n <= 64);
	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++)
		dw[i] = va_arg(ap, uint32_t);
	va_end(ap);
	assert_int_equal(hdrv_ctx_emit(ctx, dw, n), 0);
}

void tpad(struct hdrv_ctx *ctx)
{
	if (hdrv_ctx_tail(ctx) & 7)
		temit(ctx, 1, MI_NOOP);
}

int trun(struct tenv *t, struct hdrv_ctx *ctx)
{
	int ret;

	tpad(ctx);
	ret = hdrv_engine_submit(t->gpu, ctx, NULL);
	if (ret)
		return ret;
	return hdrv_engine_wait_idle(t->gpu, hdrv_ctx_engine(ctx), 5000);
}

int tstatus(struct tenv *t, struct hdrv_ctx *ctx)
{
	int n, st = -1;

	pthread_mutex_lock(&t->done_lock);
	n = atomic_load(&t->ndone);
	for (int i = 0; i < n && i < 1024; i++)
		if (t->done[i].ctx == ctx)
			st = (int)t->done[i].st;
	pthread_mutex_unlock(&t->done_lock);
	return st;
}

int tcount(struct tenv *t, struct hdrv_ctx *ctx, enum hdrv_ctx_status st)
{
	int n, c = 0;

	pthread_mutex_lock(&t->done_lock);
	n = atomic_load(&t->ndone);
	for (int i = 0; i < n && i < 1024; i++)
		if (t->done[i].ctx == ctx && t->done[i].st == st)
			c++;
	pthread_mutex_unlock(&t->done_lock);
	return c;
}

void tbo(struct tenv *t, struct hdrv_bo *bo, size_t size)
{
	assert_int_equal(hdrv_bo_create(t->gpu, size, bo), 0);
}

bool twait(struct tenv *t, bool (*fn)(void *), void *arg, unsigned int timeout_ms)
{
	struct timespec ts = { 0, 20000 };

	for (unsigned int i = 0; i < timeout_ms * 50; i++) {
		for (int e = 0; e < HDRV_NUM_ENGINES; e++)
			hdrv_engine_poll(t->gpu, e);
		if (fn(arg))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* ---- PPGTT builder ----------------------------------------------------- */

void tppgtt_init(struct tenv *t, struct tppgtt *p, int levels)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->levels = levels;
	if (levels == 4) {
		assert_int_equal(hdrv_dma_alloc(t->gpu, 4096, &p->root), 0);
		p->pdp[0] = p->root.dma;
	}
}

static uint64_t *table_of(struct tppgtt *p, uint64_t dma)
{
	for (unsigned int i = 0; i < p->ntables; i++)
		if (p->tables[i].dma == (dma & ~0xFFFull))
			return p->tables[i].cpu;
	if (p->root.cpu && p->root.dma == (dma & ~0xFFFull))
		return p->root.cpu;
	fail_msg("table 0x%llx not found", (unsigned long long)dma);
	return NULL;
}

static uint64_t new_table(struct tppgtt *p)
{
	assert_true(p->ntables < 64);
	assert_int_equal(hdrv_dma_alloc(p->t->gpu, 4096, &p->tables[p->ntables]), 0);
	return p->tables[p->ntables++].dma;
}

/* entry -> next-level table, created on demand (PRESENT | RW) */
static uint64_t *next_level(struct tppgtt *p, uint64_t *entry, uint64_t flags)
{
	if (!(*entry & 1))
		*entry = new_table(p) | 3 | flags;
	return table_of(p, *entry & 0x0000FFFFFFFFF000ull);
}

void tppgtt_map(struct tppgtt *p, uint64_t va, uint64_t dma, uint64_t size, uint32_t page)
{
	for (uint64_t off = 0; off < size; off += page) {
		uint64_t a = va + off, *pd, *pt;

		if (p->levels == 4) {
			uint64_t *pml4 = p->root.cpu;
			uint64_t *pdpt = next_level(p, &pml4[(a >> 39) & 511], 0);

			pd = next_level(p, &pdpt[(a >> 30) & 511], 0);
		} else {
			uint64_t *root = &p->pdp[(a >> 30) & 3];

			if (!*root)
				*root = new_table(p);
			pd = table_of(p, *root);
		}
		if (page == (2u << 20)) {
			pd[(a >> 21) & 511] = (dma + off) | 3 | (1u << 7);
			continue;
		}
		pt = next_level(p, &pd[(a >> 21) & 511], page == 65536 ? (1u << 11) : 0);
		pt[(a >> 12) & 511] = (dma + off) | 3;
	}
}

void tppgtt_fini(struct tppgtt *p)
{
	for (unsigned int i = 0; i < p->ntables; i++)
		hdrv_dma_free(p->t->gpu, &p->tables[i]);
	if (p->root.cpu)
		hdrv_dma_free(p->t->gpu, &p->root);
}
