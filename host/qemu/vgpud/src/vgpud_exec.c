// SPDX-License-Identifier: GPL-2.0-only
/*
 * GPU submission for the vGPUs of vgpud (docs/gvt-workloads.md §7): the
 * gvt_host_ops submission members from the shared adapter over hostdrv
 * (host/gvt gvt_hostdrv.h), counted, and one scheduler thread per physical
 * GPU.
 *
 * Threads: softgpu runs each engine on its own thread and raises its
 * interrupt line; hostdrv handles it on its irq thread and calls
 * ctx_done/user_irq/engine_error here, which forward to host/gvt and wake
 * the scheduler. The scheduler thread calls gvt_gpu_schedule() after a kick
 * (new guest work), a completion, or every tick (1 ms), and
 * hdrv_hangcheck() every PG_HANGCHECK_MS.
 */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gvt_hostdrv.h"
#include "vgpud.h"
#include "vgpud_gvt.h"

#define EXEC_TICK_NS 1000000L		/* gvt_gpu_schedule at least this often */
#define EXEC_HANGCHECK_MS 100u		/* hdrv_hangcheck period */

struct vgpud_exec {
	/*
	 * First member: the gvt_host_ops priv is the vgpud_exec, and the
	 * shared adapter's ops take it as their struct gvt_hostdrv.
	 */
	struct gvt_hostdrv h;
	struct hdrv_gpu *hd;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;		/* protects the fields below */
	pthread_cond_t cond;
	bool kicked, stop;
	unsigned int reset_mask;	/* hostdrv engines to reset (engine_error) */
	struct vgpud_exec_stats st;
};
_Static_assert(offsetof(struct vgpud_exec, h) == 0, "gvt_host_ops priv is the vgpud_exec");

static void exec_wake(struct vgpud_exec *x, uint64_t *counter)
{
	pthread_mutex_lock(&x->lock);
	x->kicked = true;
	if (counter)
		(*counter)++;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

/* ---- gvt_host_ops: the shared adapter over hostdrv, submissions counted ---- */

static struct gvt_host_ops exec_hd_ops;	/* gvt_hostdrv_ops(), filled once */

static int exec_ctx_submit(void *priv, void *hctx, const struct gvt_host_submit *s)
{
	struct vgpud_exec *x = priv;
	int ret = exec_hd_ops.ctx_submit(priv, hctx, s);

	pthread_mutex_lock(&x->lock);
	if (ret)
		x->st.submit_errors++;
	else
		x->st.submits++;
	pthread_mutex_unlock(&x->lock);
	if (ret)
		vgpud_log(VGPUD_DEBUG, "exec: host submit failed: %s", strerror(-ret));
	return ret;
}

/* called with a vGPU lock held: only wakes the scheduler thread */
static void exec_kick(void *arg)
{
	struct vgpud_exec *x = arg;

	exec_wake(x, &x->st.kicks);
}

void vgpud_exec_host_ops(struct gvt_host_ops *ops)
{
	gvt_hostdrv_ops(&exec_hd_ops);
	ops->dma_alloc = exec_hd_ops.dma_alloc;
	ops->dma_free = exec_hd_ops.dma_free;
	ops->gm_alloc = exec_hd_ops.gm_alloc;
	ops->gm_free = exec_hd_ops.gm_free;
	ops->ctx_create = exec_hd_ops.ctx_create;
	ops->ctx_destroy = exec_hd_ops.ctx_destroy;
	ops->ctx_submit = exec_ctx_submit;
	ops->ctx_timestamp = exec_hd_ops.ctx_timestamp;
	ops->engine_reset = exec_hd_ops.engine_reset;
	ops->kick = exec_hd_ops.kick;	/* -> h.kick = exec_kick */
	/* engine register state switched between vGPU owners (gvt_mmio_ctx.c) */
	ops->mmio_read = exec_hd_ops.mmio_read;
	ops->mmio_write = exec_hd_ops.mmio_write;
}

/* ---- hostdrv callbacks (its irq thread, or hangcheck on ours) ---- */

static void exec_hd_ctx_done(void *arg, struct hdrv_ctx *ctx, enum hdrv_ctx_status st)
{
	struct vgpud_exec *x = arg;
	bool ok = st == HDRV_CTX_COMPLETE;

	gvt_hostdrv_ctx_done(&x->h, ctx, st);
	exec_wake(x, ok ? &x->st.completions : &x->st.ctx_errors);
}

static void exec_hd_user_irq(void *arg, enum hdrv_engine_id engine)
{
	struct vgpud_exec *x = arg;

	gvt_hostdrv_user_irq(&x->h, engine);
	exec_wake(x, &x->st.user_irqs);
}

/* the engine is halted until reset: reset it from the scheduler thread
 * (its context then completes with an error and that vGPU's engine hangs) */
static void exec_hd_engine_error(void *arg, enum hdrv_engine_id engine)
{
	struct vgpud_exec *x = arg;

	pthread_mutex_lock(&x->lock);
	x->reset_mask |= 1u << engine;
	x->st.engine_errors++;
	x->kicked = true;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

static const struct hdrv_callbacks exec_hd_cbs = {
	.ctx_done = exec_hd_ctx_done,
	.user_irq = exec_hd_user_irq,
	.engine_error = exec_hd_engine_error,
};

/* ---- the scheduler thread ---- */

static uint64_t exec_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *exec_thread(void *arg)
{
	struct vgpud_exec *x = arg;
	uint64_t last_hc = exec_now_ms();

	pthread_mutex_lock(&x->lock);
	while (!x->stop) {
		unsigned int resets;
		uint64_t now;

		if (!x->kicked) {
			struct timespec dl;

			clock_gettime(CLOCK_MONOTONIC, &dl);
			dl.tv_nsec += EXEC_TICK_NS;
			if (dl.tv_nsec >= 1000000000L) {
				dl.tv_sec++;
				dl.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&x->cond, &x->lock, &dl);
			if (x->stop)
				break;
		}
		x->kicked = false;
		resets = x->reset_mask;
		x->reset_mask = 0;
		x->st.rounds++;
		pthread_mutex_unlock(&x->lock);

		for (unsigned int e = 0; e < 4; e++)
			if (resets & (1u << e)) {
				vgpud_log(VGPUD_WARN, "exec: physical engine %u reported an error; reset", e);
				hdrv_engine_reset(x->hd, (enum hdrv_engine_id)e);
			}
		gvt_gpu_schedule(x->h.gpu);
		now = exec_now_ms();
		if (now - last_hc >= EXEC_HANGCHECK_MS) {
			unsigned int hung = hdrv_hangcheck(x->hd);

			last_hc = now;
			if (hung) {
				/* hung is a mask of engine ids: count engines, not the mask */
				vgpud_log(VGPUD_WARN, "exec: hang check reset %d physical engine(s) (mask 0x%x)",
					  __builtin_popcount(hung), hung);
				pthread_mutex_lock(&x->lock);
				x->st.hang_resets += (unsigned int)__builtin_popcount(hung);
				pthread_mutex_unlock(&x->lock);
			}
		}
		pthread_mutex_lock(&x->lock);
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

int vgpud_exec_create(struct hdrv_gpu *hd, struct vgpud_exec **out)
{
	struct vgpud_exec *x = calloc(1, sizeof(*x));
	pthread_condattr_t ca;

	if (!x)
		return -ENOMEM;
	x->hd = hd;
	gvt_hostdrv_init(&x->h, hd);
	x->h.kick = exec_kick;
	x->h.kick_arg = x;
	pthread_mutex_init(&x->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->cond, &ca);
	pthread_condattr_destroy(&ca);
	*out = x;
	return 0;
}

int vgpud_exec_start(struct vgpud_exec *x, struct gvt_gpu *gpu)
{
	int ret;

	gvt_hostdrv_attach(&x->h, gpu);
	hdrv_set_callbacks(x->hd, &exec_hd_cbs, x);
	ret = pthread_create(&x->thread, NULL, exec_thread, x);
	if (ret) {
		hdrv_set_callbacks(x->hd, NULL, NULL);
		return -ret;
	}
	x->started = true;
	return 0;
}

void vgpud_exec_stop(struct vgpud_exec *x)
{
	if (!x || !x->started)
		return;
	pthread_mutex_lock(&x->lock);
	x->stop = true;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
	pthread_join(x->thread, NULL);
	x->started = false;
}

void vgpud_exec_destroy(struct vgpud_exec *x)
{
	if (!x)
		return;
	vgpud_exec_stop(x);
	hdrv_set_callbacks(x->hd, NULL, NULL);
	pthread_cond_destroy(&x->cond);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

void vgpud_exec_get_stats(struct vgpud_exec *x, struct vgpud_exec_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!x)
		return;
	pthread_mutex_lock(&x->lock);
	*st = x->st;
	pthread_mutex_unlock(&x->lock);
}
