/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gvt_hostdrv: struct gvt_host_ops implemented over the host driver
 * (host/gvt/hostdrv): the one adapter every integrator of host/gvt on a
 * hostdrv GPU uses (vgpud, the gvt tests). It binds the two freestanding
 * libraries and nothing else: threads, wake-ups and counters stay with the
 * integrator (the kick hook, its own hostdrv callbacks that forward here).
 *
 * Usage:
 *	struct gvt_hostdrv h;			// embed or allocate; outlives the gvt_gpu
 *	struct gvt_host_ops ops;
 *	gvt_hostdrv_init(&h, hd);
 *	gvt_hostdrv_ops(&ops);			// every member; priv must be &h
 *	gvt_gpu_create(&desc, &ops, &h, &gpu);
 *	gvt_hostdrv_attach(&h, gpu);		// before any completion can arrive
 *	// hostdrv ctx_done / user_irq callbacks call gvt_hostdrv_ctx_done() /
 *	// gvt_hostdrv_user_irq() (directly or from the integrator's own ones)
 *
 * See docs/gvt-workloads.md §7.
 */
#ifndef GVT_INCLUDE_GVT_HOSTDRV_H
#define GVT_INCLUDE_GVT_HOSTDRV_H

#include "gvt.h"
#include "hostdrv.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct gvt_hostdrv - the adapter's state (fields public so it can be embedded)
 * @hd: the host driver's GPU
 * @gpu: the device model fed with completions (gvt_hostdrv_attach())
 * @kick, @kick_arg: optional; what gvt_host_ops.kick does (wake the thread
 *	that calls gvt_gpu_schedule()); called with a vGPU lock held
 */
struct gvt_hostdrv {
	struct hdrv_gpu *hd;
	struct gvt_gpu *gpu;
	void (*kick)(void *arg);
	void *kick_arg;
};

/** gvt_hostdrv_init() - zero @h and bind it to @hd */
void gvt_hostdrv_init(struct gvt_hostdrv *h, struct hdrv_gpu *hd);

/**
 * gvt_hostdrv_ops() - fill every member of @ops (version, GGTT, fences, DMA
 * memory, host GM for shadow batch buffers, contexts, submission, engine
 * reset, kick). The priv given to gvt_gpu_create() with these ops must be
 * the struct gvt_hostdrv (or a struct whose first member it is).
 */
void gvt_hostdrv_ops(struct gvt_host_ops *ops);

/** gvt_hostdrv_attach() - the gvt_gpu that receives completions */
void gvt_hostdrv_attach(struct gvt_hostdrv *h, struct gvt_gpu *gpu);

/**
 * gvt_hostdrv_ctx_done() / gvt_hostdrv_user_irq() - forward hostdrv's
 * ctx_done / user_irq callbacks to the device model (engine numbers
 * translated). Safe from any thread, as the callbacks are.
 */
void gvt_hostdrv_ctx_done(struct gvt_hostdrv *h, struct hdrv_ctx *ctx,
			  enum hdrv_ctx_status st);
void gvt_hostdrv_user_irq(struct gvt_hostdrv *h, enum hdrv_engine_id engine);

/** gvt_hostdrv_engine() - hostdrv engine of device-model engine @e (GVT_ENGINE_*) */
enum hdrv_engine_id gvt_hostdrv_engine(unsigned int e);
/** gvt_hostdrv_gvt_engine() - device-model engine (GVT_ENGINE_*) of hostdrv engine @e */
unsigned int gvt_hostdrv_gvt_engine(enum hdrv_engine_id e);

/**
 * gvt_hostdrv_callbacks() - hostdrv callbacks that only forward (ctx_done,
 * user_irq) with arg = the struct gvt_hostdrv; for integrators that need
 * nothing else (tests). hdrv_set_callbacks(hd, gvt_hostdrv_callbacks(), &h).
 */
const struct hdrv_callbacks *gvt_hostdrv_callbacks(void);

#ifdef __cplusplus
}
#endif

#endif /* GVT_INCLUDE_GVT_HOSTDRV_H */
