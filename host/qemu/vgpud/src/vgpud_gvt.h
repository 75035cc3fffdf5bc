// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vGPU device types of vgpud: host/gvt vGPUs served over vfio-user.
 * vgpud_type_gvt.c owns the one physical GPU (softgpu through hostdrv) and
 * the GVTg_V5_x types; gvtdev.c is one vGPU behind one vus device;
 * vgpud_png.c writes screenshots.
 */
#ifndef VGPUD_GVT_H
#define VGPUD_GVT_H

#include <stddef.h>
#include <stdint.h>

#include "gvt.h"
#include "vus.h"

struct vgpud_gvtdev;

struct vgpud_gvtdev_status {
	uint64_t resets;		/* device resets (client or disconnect) */
	uint64_t msi_sent, msi_failed;	/* inject_msi through the vus trigger */
	uint64_t dma_refs;		/* outstanding dma_map references */
	uint64_t dma_map_failures;	/* dma_map outside guest RAM */
	uint32_t ram_regions;		/* guest RAM maps registered with the GPU */
	uint64_t timer_runs;		/* gvt_vgpu_run_timers calls */
	int vnc_port;			/* 0: no VNC server */
	unsigned int vnc_viewers;
	uint64_t vnc_frames;		/* captures sent to viewers */
};

/* Create the vGPU of @type on @gpu and its vus device (not listening);
 * the OpRegion is written to @opregion_path. err gets one line on failure. */
int vgpud_gvtdev_create(struct gvt_gpu *gpu, const char *type, const char *name,
			const char *opregion_path, struct vgpud_gvtdev **out,
			char *err, size_t err_len);
/* Stops the timer thread, destroys the vus device, then the vGPU. */
void vgpud_gvtdev_destroy(struct vgpud_gvtdev *d);
struct vus_dev *vgpud_gvtdev_vus(struct vgpud_gvtdev *d);
struct gvt_vgpu *vgpud_gvtdev_vgpu(struct vgpud_gvtdev *d);
const char *vgpud_gvtdev_opregion_path(struct vgpud_gvtdev *d);
void vgpud_gvtdev_status(struct vgpud_gvtdev *d, struct vgpud_gvtdev_status *st);

/* vgpud_type_gvt.c: make memory reachable by the physical GPU. */
struct hdrv_dma;
int vgpud_gvt_host_dma_map(void *cpu, size_t size, struct hdrv_dma *out);
void vgpud_gvt_host_dma_unmap(struct hdrv_dma *mem);

/* vgpud_exec.c: GPU submission (gvt_host_ops submission members over
 * hostdrv) and the scheduler thread of the physical GPU. */
struct hdrv_gpu;
struct vgpud_exec;
struct vgpud_exec_stats {
	uint64_t kicks, rounds;		/* scheduler wake-ups by gvt, loop runs */
	uint64_t submits, submit_errors;	/* host ctx_submit */
	uint64_t completions, ctx_errors, user_irqs;	/* hostdrv callbacks */
	uint64_t engine_errors, hang_resets;
};
int vgpud_exec_create(struct hdrv_gpu *hd, struct vgpud_exec **out);
/* fill the submission members of @ops (priv = the vgpud_exec) */
void vgpud_exec_host_ops(struct gvt_host_ops *ops);
/* hook hostdrv's callbacks to @gpu and start the scheduler thread */
int vgpud_exec_start(struct vgpud_exec *x, struct gvt_gpu *gpu);
void vgpud_exec_stop(struct vgpud_exec *x);
void vgpud_exec_destroy(struct vgpud_exec *x);
void vgpud_exec_get_stats(struct vgpud_exec *x, struct vgpud_exec_stats *st);

/* vgpud_vnc.c: a view-only VNC server on 127.0.0.1 showing @v's display. */
struct vgpud_vnc;
int vgpud_vnc_start(struct gvt_vgpu *v, const char *name, struct vgpud_vnc **out);
void vgpud_vnc_stop(struct vgpud_vnc *vn);
int vgpud_vnc_port(struct vgpud_vnc *vn);	/* 0 without a server */
void vgpud_vnc_stats(struct vgpud_vnc *vn, unsigned int *viewers, uint64_t *frames);

/* Write @w x @h 0x00RRGGBB pixels (@stride bytes per row) as an RGB PNG.
 * Returns 0 or -errno. */
int vgpud_png_write(const char *path, const uint32_t *px, size_t stride,
		    unsigned int w, unsigned int h);

#endif /* VGPUD_GVT_H */
