// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload scheduler: time-sliced sharing of the physical GPU.
 *
 * One physical workload per engine at a time (the slot). The whole GPU
 * belongs to one vGPU at a time (as upstream GVT-g): only the current
 * vGPU's workloads are dispatched. Each balance period every vGPU's budget
 * is refilled with period * weight / sum of weights (a debt carries over, a
 * credit is capped at one period's share); the busy time of each workload
 * is charged to its vGPU. The current vGPU is switched at workload
 * boundaries: when its slice ran out, or its budget is spent, or it has
 * nothing to run, and another vGPU has work, new dispatches stop; once no
 * engine runs a workload of the old vGPU the next one (round robin, vGPUs
 * with budget left first) becomes current.
 */
#include "gvt_exec.h"
#include "gvt_mmio_ctx.h"

#define SCHED_SLICE_NS		1000000ull	/* 1 ms, as upstream */
#define SCHED_BALANCE_NS	100000000ull	/* 100 ms */
#define SCHED_OVERRUN_NS	1000000000ull	/* 1 s */

int gvt_sched_init(struct gvt_gpu *gpu)
{
	struct gvt_sched *s = gvt_zalloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	gpu->sched = s;
	/* engine register owners (gvt_mmio_ctx.c) */
	ret = gvt_mmio_ctx_init(gpu);
	if (ret) {
		gpu->sched = NULL;
		gvt_free(s);
		return ret;
	}
	gvt_mutex_init(&s->lock);
	gvt_mutex_init(&s->run_lock);
	s->slice_ns = SCHED_SLICE_NS;
	s->balance_ns = SCHED_BALANCE_NS;
	s->overrun_ns = SCHED_OVERRUN_NS;
	return 0;
}

void gvt_sched_fini(struct gvt_gpu *gpu)
{
	struct gvt_sched *s = gpu->sched;

	if (!s)
		return;
	gvt_mmio_ctx_fini(gpu);
	gvt_mutex_destroy(&s->run_lock);
	gvt_mutex_destroy(&s->lock);
	gvt_free(s);
	gpu->sched = NULL;
}

int gvt_gpu_set_sched_params(struct gvt_gpu *gpu, const struct gvt_sched_params *p)
{
	struct gvt_sched *s = gpu->sched;

	if (!p || (p->slice_ns && p->balance_ns && p->balance_ns < p->slice_ns))
		return -EINVAL;
	gvt_mutex_lock(&s->lock);
	s->slice_ns = p->slice_ns ? p->slice_ns : SCHED_SLICE_NS;
	s->balance_ns = p->balance_ns ? p->balance_ns : SCHED_BALANCE_NS;
	s->overrun_ns = p->overrun_ns ? p->overrun_ns : SCHED_OVERRUN_NS;
	gvt_mutex_unlock(&s->lock);
	return 0;
}

void gvt_sched_add(struct gvt_vgpu *v)
{
	struct gvt_sched *s = v->gpu->sched;

	gvt_mutex_lock(&s->lock);
	if (s->nvgpus < GVT_MAX_VGPUS)
		s->vgpus[s->nvgpus++] = v;
	gvt_mutex_unlock(&s->lock);
}

void gvt_sched_remove(struct gvt_vgpu *v)
{
	struct gvt_sched *s = v->gpu->sched;
	unsigned int i;

	gvt_mutex_lock(&s->lock);
	for (i = 0; i < s->nvgpus; i++) {
		if (s->vgpus[i] == v) {
			s->vgpus[i] = s->vgpus[--s->nvgpus];
			break;
		}
	}
	if (s->current == v)
		s->current = NULL;
	gvt_mutex_unlock(&s->lock);
	/* under run_lock (gvt_exec_fini): no engine may keep @v as its owner */
	gvt_mmio_ctx_forget(v);
}

void gvt_sched_slot_claim(struct gvt_vgpu *v, unsigned int e, void *cookie, unsigned int seq)
{
	struct gvt_sched *s = v->gpu->sched;

	uint64_t now = gvt_now(v);

	gvt_mutex_lock(&s->lock);
	s->slot[e] = (struct gvt_sched_slot){ .v = v, .cookie = cookie, .seq = seq,
					      .start = now };
	gvt_mutex_unlock(&s->lock);
}

void gvt_sched_slot_release(struct gvt_vgpu *v, unsigned int e)
{
	struct gvt_sched *s = v->gpu->sched;

	gvt_mutex_lock(&s->lock);
	if (s->slot[e].v == v)
		gvt_memset(&s->slot[e], 0, sizeof(s->slot[e]));
	gvt_mutex_unlock(&s->lock);
}

void gvt_sched_charge(struct gvt_vgpu *v, uint64_t ns)
{
	struct gvt_sched *s = v->gpu->sched;

	gvt_mutex_lock(&s->lock);
	v->exec->budget_ns -= (int64_t)ns;
	gvt_mutex_unlock(&s->lock);
}

void gvt_gpu_ctx_done(struct gvt_gpu *gpu, void *cookie, int status)
{
	struct gvt_sched *s = gpu->sched;
	unsigned int e;

	gvt_mutex_lock(&s->lock);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		if (s->slot[e].v && s->slot[e].cookie == cookie && !s->slot[e].done) {
			s->slot[e].done = true;
			s->slot[e].status = status;
			break;
		}
	}
	gvt_mutex_unlock(&s->lock);
}

void gvt_gpu_user_irq(struct gvt_gpu *gpu, unsigned int engine)
{
	struct gvt_sched *s = gpu->sched;

	if (engine >= GVT_NUM_ENGINES)
		return;
	gvt_mutex_lock(&s->lock);
	if (s->slot[engine].v)
		s->slot[engine].user_irq = true;
	gvt_mutex_unlock(&s->lock);
}

static unsigned int pending_of(struct gvt_vgpu *v)
{
	return __atomic_load_n(&v->exec->pending, __ATOMIC_ACQUIRE);
}

/* under s->lock: refill budgets once per balance period */
static void balance(struct gvt_sched *s, uint64_t now)
{
	uint64_t sum = 0;
	unsigned int i;

	if (s->last_balance && now - s->last_balance < s->balance_ns)
		return;
	s->last_balance = now;
	for (i = 0; i < s->nvgpus; i++)
		sum += s->vgpus[i]->type->weight;
	for (i = 0; i < s->nvgpus && sum; i++) {
		struct gvt_exec *x = s->vgpus[i]->exec;
		int64_t share = (int64_t)(s->balance_ns * s->vgpus[i]->type->weight / sum);

		x->budget_ns += share;
		if (x->budget_ns > share)
			x->budget_ns = share;
	}
}

/* under s->lock: the vGPU that should own the GPU now (may be current) */
static struct gvt_vgpu *pick(struct gvt_sched *s, uint64_t now)
{
	struct gvt_vgpu *cur = s->current, *fallback = NULL;
	unsigned int i, start = 0, n = s->nvgpus;

	if (cur && cur->exec->budget_ns > 0 && now - s->current_since < s->slice_ns) {
		if (pending_of(cur)) {
			s->idle_since = 0;
			return cur;
		}
		/*
		 * A guest resubmits only after the completion interrupt
		 * reached it: keep its slice for a short grace instead of
		 * switching at every gap.
		 */
		if (!s->idle_since)
			s->idle_since = now;
		if (now - s->idle_since < s->slice_ns / 4)
			return cur;
	}
	for (i = 0; i < n; i++)
		if (s->vgpus[i] == cur)
			start = i + 1;
	for (i = 0; i < n; i++) {
		struct gvt_vgpu *v = s->vgpus[(start + i) % n];

		if (!pending_of(v))
			continue;
		if (v->exec->budget_ns > 0)
			return v;
		if (!fallback)
			fallback = v;
	}
	/* nobody with budget: keep the GPU busy anyway (work conserving) */
	if (fallback)
		return fallback;
	return cur;
}

/*
 * A workload that holds its engine past overrun_ns while another vGPU has
 * work is stopped: the host resets the engine and reports the context as
 * failed, so the others keep their share (the guest sees a hang).
 */
static void bound_overruns(struct gvt_sched *s, const struct gvt_host_ops *ops, void *priv)
{
	struct gvt_sched_slot victim;
	unsigned int e, i;
	bool waiting;

	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		gvt_mutex_lock(&s->lock);
		victim = s->slot[e];
		waiting = false;
		for (i = 0; i < s->nvgpus; i++)
			if (s->vgpus[i] != victim.v && pending_of(s->vgpus[i]))
				waiting = true;
		gvt_mutex_unlock(&s->lock);
		if (!victim.v || victim.done || !waiting || !ops->engine_reset ||
		    gvt_now(victim.v) - victim.start <= s->overrun_ns)
			continue;
		gvt_mutex_lock(&victim.v->lock);
		if (victim.v->exec && victim.v->exec->eng[e].inflight &&
		    victim.v->exec->eng[e].seq == victim.seq) {
			gvt_vlog(victim.v, 1, "engine %u: workload over its %llu ms bound while others wait: engine reset",
				 e, (unsigned long long)(s->overrun_ns / 1000000));
			s->overruns++;
			ops->engine_reset(priv, e);
			gvt_mmio_ctx_engine_reset(victim.v->gpu, e);
		}
		gvt_mutex_unlock(&victim.v->lock);
	}
}

int gvt_gpu_schedule(struct gvt_gpu *gpu)
{
	struct gvt_sched *s = gpu->sched;
	struct gvt_vgpu *v, *next;
	unsigned int e, busy = 0;
	uint64_t now;
	int n = 0;

	gvt_mutex_lock(&s->run_lock);
	bound_overruns(s, gpu->ops, gpu->priv);
	/* 1. retire what the host finished */
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		struct gvt_sched_slot done;

		gvt_mutex_lock(&s->lock);
		done = s->slot[e];
		if (done.v && done.done)
			gvt_memset(&s->slot[e], 0, sizeof(s->slot[e]));
		s->slot[e].user_irq = false;
		gvt_mutex_unlock(&s->lock);
		if (done.v && done.user_irq && !done.done) {
			/* breadcrumbs of a workload still running */
			gvt_mutex_lock(&done.v->lock);
			if (done.v->exec && done.v->exec->eng[e].inflight &&
			    done.v->exec->eng[e].seq == done.seq)
				gvt_exec_raise(done.v, e, GVT_GT_USER);
			gvt_mutex_unlock(&done.v->lock);
			n++;
		}
		if (!done.v || !done.done)
			continue;
		/* a failed workload may have reset the engine (hostdrv hang check) */
		if (done.status < 0)
			gvt_mmio_ctx_engine_reset(gpu, e);
		gvt_mutex_lock(&done.v->lock);
		if (done.v->exec && done.v->exec->eng[e].seq == done.seq)
			gvt_workload_finish(done.v, e, done.status);
		gvt_mutex_unlock(&done.v->lock);
		n++;
	}

	/* 2. who owns the GPU; switch only when it is idle */
	gvt_mutex_lock(&s->lock);
	now = s->nvgpus ? gvt_now(s->vgpus[0]) : 0;
	balance(s, now);
	next = pick(s, now);
	for (e = 0; e < GVT_NUM_ENGINES; e++)
		if (s->slot[e].v)
			busy |= 1u << e;
	if (next != s->current && !busy) {
		s->current = next;
		s->current_since = now;
		s->idle_since = 0;
		s->switches++;
	}
	v = next == s->current ? s->current : NULL;
	gvt_mutex_unlock(&s->lock);

	/* 3. dispatch the owner's work on every idle engine */
	if (!v)
		goto out;
	gvt_mutex_lock(&v->lock);
	for (e = 0; e < GVT_NUM_ENGINES; e++) {
		/* empty workloads retire at once: keep going on that engine */
		while (!(busy & (1u << e)) && v->exec && (v->exec->pending & (1u << e))) {
			int r;

			/* the engine is idle: load @v's engine registers first */
			gvt_mmio_ctx_switch(v, e);
			r = gvt_workload_dispatch(v, e);

			if (r <= 0)
				break;
			n += r;
			if (v->exec->eng[e].inflight)
				break;
		}
	}
	gvt_mutex_unlock(&v->lock);
out:
	gvt_mutex_unlock(&s->run_lock);
	return n;
}
