/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Engine register state switched between vGPU owners (gvt_mmio_ctx.c,
 * docs/gvt-workloads.md "Engine register switching"). The scheduler's
 * entry points (init, fini, switch, forget) are declared in gvt_exec.h;
 * these are the MMIO side and the queries of the tests.
 */
#ifndef GVT_SRC_GVT_MMIO_CTX_H
#define GVT_SRC_GVT_MMIO_CTX_H

#include "gvt_internal.h"

/*
 * Write handler of every switched register (mmio_table.c): the guest's new
 * value (already in vreg) must reach the hardware before @v's next workload.
 */
void gvt_mmio_ctx_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
/* vregs in [start, end) went back to power-on values (reset): reload them */
void gvt_mmio_ctx_vreg_reset(struct gvt_vgpu *v, uint32_t start, uint32_t end);
/* engine @e may have been reset: its physical registers are unknown */
void gvt_mmio_ctx_engine_reset(struct gvt_gpu *gpu, unsigned int e);
/* GVT_ENGINE_* of switched register @off, or -1 when @off is not switched */
int gvt_mmio_ctx_engine_of(const struct gvt_gpu *gpu, uint32_t off);
/* the vGPU whose registers engine @e holds (NULL: none since start or reset) */
struct gvt_vgpu *gvt_mmio_ctx_owner(const struct gvt_gpu *gpu, unsigned int e);

#endif /* GVT_SRC_GVT_MMIO_CTX_H */
