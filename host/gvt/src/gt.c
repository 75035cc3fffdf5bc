// SPDX-License-Identifier: GPL-2.0-only
/*
 * GT-side register handlers: PVINFO, forcewake, resets, ring mode, ELSP,
 * PCODE mailbox, fences, GGTT flush. Handlers run after the table's flag
 * semantics stored the new value (see mmio.c).
 */
#include "gvt_internal.h"
#include <kvmgt/uapi/vgt_if.h>

/* ---- PVINFO ---- */

uint32_t gvt_pvinfo_read(struct gvt_vgpu *v, uint32_t off)
{
	/* Reading PVINFO is what makes a guest "GVT-aware" (upstream rule). */
	v->pv_notified = true;
	return vreg(v, off);
}

static void roots_add(struct gvt_vgpu *v, uint64_t root)
{
	unsigned int i;

	for (i = 0; i < v->nroots; i++)
		if (v->roots[i] == root)
			return;
	if (v->nroots == GVT_MAX_ROOTS) {
		gvt_vlog(v, 1, "too many PPGTT roots announced, 0x%llx not tracked",
			 (unsigned long long)root);
		return;
	}
	v->roots[v->nroots++] = root;
	v->stats.ppgtt_roots++;
}

static void roots_del(struct gvt_vgpu *v, uint64_t root)
{
	unsigned int i;

	for (i = 0; i < v->nroots; i++) {
		if (v->roots[i] == root) {
			v->roots[i] = v->roots[--v->nroots];
			return;
		}
	}
}

static void g2v_notify(struct gvt_vgpu *v, uint32_t msg)
{
	uint64_t pdp0 = vreg(v, VGT_PVINFO_PAGE + VGT_IF_OFF(pdp[0].lo)) |
			(uint64_t)vreg(v, VGT_PVINFO_PAGE + VGT_IF_OFF(pdp[0].hi)) << 32;

	v->stats.g2v_notifications++;
	switch (msg) {
	case VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE:
	case VGT_G2V_PPGTT_L3_PAGE_TABLE_CREATE:
		roots_add(v, pdp0);
		break;
	case VGT_G2V_PPGTT_L4_PAGE_TABLE_DESTROY:
	case VGT_G2V_PPGTT_L3_PAGE_TABLE_DESTROY:
		roots_del(v, pdp0);
		break;
	case VGT_G2V_EXECLIST_CONTEXT_CREATE:
	case VGT_G2V_EXECLIST_CONTEXT_DESTROY:
		break;	/* defined by the ABI, never needed */
	default:
		gvt_vlog(v, 1, "unknown g2v notification %u", msg);
		break;
	}
}

void gvt_pvinfo_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t rel = off - VGT_PVINFO_PAGE;

	/* the host -> guest half is read-only */
	if (rel < VGT_IF_OFF(rsv4)) {
		vreg(v, off) = old;
		return;
	}
	if (rel == VGT_IF_OFF(display_ready)) {
		v->stats.display_ready = val == VGT_DRV_DISPLAY_READY;
	} else if (rel == VGT_IF_OFF(g2v_notify)) {
		g2v_notify(v, val);
		gvt_exec_g2v(v, val);	/* gvt_workload.c: pre-shadow the root */
	} else if (rel >= VGT_IF_OFF(rsv5) && rel < VGT_IF_OFF(g2v_notify)) {
		/* upstream: a guest asking for more resources than it has */
		gvt_enter_failsafe(v, GVT_FAILSAFE_INSUFFICIENT_RESOURCE);
	}
}

/* ---- forcewake: the ack mirrors the (masked) request ---- */

void gvt_forcewake_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t ack;

	switch (off) {
	case FORCEWAKE_RENDER_GEN9:
		ack = FORCEWAKE_ACK_RENDER;
		break;
	case FORCEWAKE_MEDIA_GEN9:
		ack = FORCEWAKE_ACK_MEDIA;
		break;
	default:
		ack = FORCEWAKE_ACK_GT;
		break;
	}
	vreg(v, ack) = vreg(v, off) & 0xffff;
}

/* ---- resets ---- */

void gvt_gdrst_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t engines = 0;

	if (val & GDRST_FULL) {
		gvt_mmio_gt_reset(v, ~0u);
	} else {
		/* engine_base order in mmio.c: RCS, VCS, BCS, VECS */
		if (val & GDRST_RENDER)
			engines |= 1u << 0;
		if (val & GDRST_MEDIA)
			engines |= 1u << 1;
		if (val & GDRST_BLT)
			engines |= 1u << 2;
		if (val & GDRST_VECS)
			engines |= 1u << 3;
		gvt_mmio_gt_reset(v, engines);
	}
	/* the reset completes at once: the domain bits self-clear */
	vreg(v, GEN6_GDRST) = 0;
}

void gvt_reset_ctl_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	/* READY_TO_RESET follows REQUEST_RESET; never report CAT_ERROR (bit 2) */
	uint32_t cur = vreg(v, off) & ~(RESET_CTL_READY | (1u << 2));

	if (cur & RESET_CTL_REQUEST)
		cur |= RESET_CTL_READY;
	vreg(v, off) = cur;
}

void gvt_mi_mode_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	/* no workload runs in this model yet: the ring is always idle */
	vreg(v, off) |= MI_MODE_IDLE;
}

void gvt_ring_mode_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t set = vreg(v, off) & ~old;

	/*
	 * Enabling execlists or PPGTT without having read PVINFO means a
	 * driver that does not know it runs on a vGPU (upstream: failsafe).
	 */
	if (set & (GFX_RUN_LIST_ENABLE | GFX_PPGTT_ENABLE) && !v->pv_notified)
		gvt_enter_failsafe(v, GVT_FAILSAFE_UNSUPPORTED_GUEST);
}

void gvt_elsp_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	v->stats.elsp_writes++;
	vreg(v, off) = 0;
	gvt_execlist_elsp_write(v, off, val);	/* gvt_execlist.c */
}

void gvt_selfclear_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	/* TLB invalidation requests: a software GPU has no TLB, done at once */
	vreg(v, off) = 0;
}

/* ---- PCODE mailbox ---- */

/*
 * Memory latencies (us) for watermark levels 0..7, as SKL firmware reports
 * them; a failing read would leave i915 unable to allocate DDB (no modeset).
 */
#define PCODE_MEM_LATENCY_L0_3	0x19191902u
#define PCODE_MEM_LATENCY_L4_7	0x19191919u

void gvt_pcode_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t data = vreg(v, GEN6_PCODE_DATA);
	uint32_t status = 0;

	if (!(val & PCODE_READY))
		return;
	v->stats.pcode_commands++;
	switch (val & 0xff) {
	case PCODE_CDCLK_CONTROL:
		if (data == CDCLK_PREPARE)
			vreg(v, GEN6_PCODE_DATA) = CDCLK_READY;
		break;
	case PCODE_READ_MEM_LATENCY:
		vreg(v, GEN6_PCODE_DATA) = data == 0 ? PCODE_MEM_LATENCY_L0_3 :
						       PCODE_MEM_LATENCY_L4_7;
		vreg(v, GEN6_PCODE_DATA1) = 0;
		break;
	case PCODE_SAGV_CONTROL:
		if (data == 0)
			vreg(v, GEN6_PCODE_DATA) = SAGV_IS_DISABLED;
		break;
	default:
		/* RPS/LLC tables and the rest: accepted, nothing to do */
		break;
	}
	/* done: READY clears, bits 7:0 carry the status (0 = success) */
	vreg(v, off) = (val & ~(PCODE_READY | 0xffu)) | status;
}

/* ---- fences ---- */

void gvt_fence_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	unsigned int i = (off - FENCE_REG_GEN6_LO(0)) / 8;
	uint32_t lo_off = FENCE_REG_GEN6_LO(i);
	uint64_t value, start, end;

	v->stats.fence_writes++;
	if (i >= v->nfences) {
		vreg(v, off) = old;
		v->stats.fence_rejected++;
		if (!v->pv_notified)
			gvt_enter_failsafe(v, GVT_FAILSAFE_UNSUPPORTED_GUEST);
		return;
	}
	value = vreg(v, lo_off) | (uint64_t)vreg(v, lo_off + 4) << 32;
	if (value & 1) {
		/* gen6+ fence: start in lo 31:12, end (inclusive page) in hi 31:12 */
		start = value & 0xfffff000u;
		end = ((value >> 32) & 0xfffff000u) + GVT_PAGE_SIZE;
		if (end <= start || !gvt_gm_in_vgpu(v, start, end - start)) {
			v->stats.fence_rejected++;
			gvt_vlog(v, 1, "fence %u outside the vGPU's GM, disabled", i);
			value = 0;
		}
	}
	if (v->gpu->ops->fence_write)
		v->gpu->ops->fence_write(v->gpu->priv, v->fences[i], value);
}

void gvt_ggtt_flush_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	if (v->gpu->ops->ggtt_invalidate)
		v->gpu->ops->ggtt_invalidate(v->gpu->priv);
	vreg(v, off) = 0;
}

/* ---- MCHBAR mirror (read-only, what intel_dram.c and RPS read) ---- */

uint32_t gvt_mchbar_read(struct gvt_vgpu *v, uint32_t off)
{
	switch (off) {
	case SKL_MAD_INTER_CHANNEL:
		return 0;		/* DDR4 */
	case SKL_MAD_DIMM_CH0:
		/* one 8 GB DIMM: size 8 x 8 Gb (5:0), x8 (9:8 = 0), 2 ranks (b10) */
		return 0x00000408;
	case GEN6_RP_STATE_CAP:
		return 0;		/* RP0 = RPn = 0: guest RPS stays off */
	default:
		return 0;
	}
}

/* ---- RING_TIMESTAMP: ticks at the CTC frequency (12 MHz, CTC_MODE = 0x4) ---- */

uint32_t gvt_timestamp_read(struct gvt_vgpu *v, uint32_t off)
{
	uint64_t ticks = gvt_now(v) / 1000 * 12;

	return (off & 4) ? (uint32_t)(ticks >> 32) : (uint32_t)ticks;
}
