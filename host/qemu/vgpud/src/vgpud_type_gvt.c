// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vGPU types GVTg_V5_8/4/2/1 (as many as the physical GPU offers).
 *
 * One physical GPU per vgpud: softgpu (the software Gen9 GPU) driven by
 * hostdrv, described to host/gvt by gvt_gpu_create(). hostdrv's GGTT
 * allocator keeps to the host's reserved bottom 128 MiB; the vGPU ranges
 * are written through gvt_host_ops.ggtt_write -> hdrv_ggtt_insert/clear.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostdrv.h"
#include "softgpu.h"
#include "vgpud.h"
#include "vgpud_gvt.h"

#define PG_HOST_LOW_GM (128ull << 20)	/* upstream's host reserve = hostdrv's GGTT */
#define PG_HOST_HIGH_GM (384ull << 20)
#define PG_HOST_FENCES 4
#define PG_NUM_FENCES 32
#define PG_PTE_ADDR_MASK 0x7ffffff000ull	/* gen8 PTE bits 38:12 */
#define PG_MAX_CAPTURE 8192u

static struct {
	struct sgpu *sg;
	struct hdrv_bus bus;
	struct hdrv_gpu *hd;
	struct gvt_gpu *gpu;
	bool exec;			/* guest GPU work runs (not --no-exec) */
	struct vgpud_exec *ex;		/* its scheduler, NULL with --no-exec */
	struct gvt_host_ops ops;
	uint64_t scratch_pte;
	unsigned int ntypes;
	char names[GVT_NUM_TYPES][16];
	char descs[GVT_NUM_TYPES][256];
	struct vgpud_type types[GVT_NUM_TYPES];
} pg;

/* ---- gvt_host_ops over hostdrv ---- */

/* gvt's PTE as is (DMA address | present, or scratch); TLB flush batched */
static int pg_ggtt_write(void *priv, uint32_t index, uint64_t pte)
{
	(void)priv;
	return hdrv_ggtt_write_pte(pg.hd, index, pte);
}

/* the guest's GFX_FLSH_CNTL, and after a range reset */
static void pg_ggtt_invalidate(void *priv)
{
	(void)priv;
	hdrv_ggtt_invalidate(pg.hd);
}

static int pg_fence_write(void *priv, unsigned int fence, uint64_t value)
{
	(void)priv;
	return hdrv_fence_write(pg.hd, fence, value);
}

static const struct gvt_host_ops pg_host_ops = {
	.version = GVT_OPS_VERSION,
	.ggtt_write = pg_ggtt_write,
	.ggtt_invalidate = pg_ggtt_invalidate,
	.fence_write = pg_fence_write,
};

void vgpud_gvt_set_exec(bool on)
{
	pg.exec = on;
}

int vgpud_gvt_host_dma_map(void *cpu, size_t size, struct hdrv_dma *out)
{
	return hdrv_dma_map(pg.hd, cpu, size, out);
}

void vgpud_gvt_host_dma_unmap(struct hdrv_dma *mem)
{
	hdrv_dma_unmap(pg.hd, mem);
}

/* Physical entries of [base, base+size) that point elsewhere than scratch. */
static uint64_t pg_ggtt_mapped(uint64_t base, uint64_t size)
{
	uint64_t n = 0;

	for (uint64_t gtt = base; gtt < base + size; gtt += 4096)
		if ((hdrv_ggtt_read_pte(pg.hd, gtt) & PG_PTE_ADDR_MASK) !=
		    (pg.scratch_pte & PG_PTE_ADDR_MASK))
			n++;
	return n;
}

/* ---- the vgpud type ---- */

static int gvt_type_create(const struct vgpud_type *type, const char *name,
			   json_object *params, void **backend, struct vus_dev **vus,
			   char *err, size_t err_len)
{
	struct vgpud_gvtdev *d;
	char path[512];
	int ret;

	(void)params;
	if (snprintf(path, sizeof(path), "%s/%s.opregion", vgpud_socket_dir(), name) >=
	    (int)sizeof(path)) {
		snprintf(err, err_len, "socket directory path too long");
		return -ENAMETOOLONG;
	}
	ret = vgpud_gvtdev_create(pg.gpu, type->name, name, path, &d, err, err_len);
	if (ret)
		return ret;
	*backend = d;
	*vus = vgpud_gvtdev_vus(d);
	return 0;
}

static void gvt_type_destroy(void *backend)
{
	vgpud_gvtdev_destroy(backend);
}

static json_object *u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

/* submission counters of @v and of the physical GPU's scheduler */
static void gvt_type_exec_status(struct gvt_vgpu *v, json_object *o)
{
	json_object *x = json_object_new_object();
	struct vgpud_exec_stats es;
	struct gvt_vgpu_exec_stats vs;

	json_object_object_add(x, "enabled", json_object_new_boolean(pg.exec));
	gvt_vgpu_get_exec_stats(v, &vs);
	json_object_object_add(x, "elsp_submissions", u64(vs.elsp_submissions));
	json_object_object_add(x, "workloads", u64(vs.workloads));
	json_object_object_add(x, "empty_workloads", u64(vs.empty_workloads));
	json_object_object_add(x, "completed", u64(vs.completed));
	json_object_object_add(x, "failed", u64(vs.failed));
	json_object_object_add(x, "csb_events", u64(vs.csb_events));
	json_object_object_add(x, "scan_rejects", u64(vs.scan_rejects));
	json_object_object_add(x, "shadow_bbs", u64(vs.shadow_bbs));
	json_object_object_add(x, "pdp_lri_patched", u64(vs.pdp_lri_patched));
	json_object_object_add(x, "shadow_wa_ctxs", u64(vs.shadow_wa_ctxs));
	json_object_object_add(x, "engine_reg_loads", u64(vs.engine_reg_loads));
	vgpud_exec_get_stats(pg.ex, &es);
	json_object_object_add(x, "host_submits", u64(es.submits));
	json_object_object_add(x, "host_submit_errors", u64(es.submit_errors));
	json_object_object_add(x, "host_completions", u64(es.completions));
	json_object_object_add(x, "host_ctx_errors", u64(es.ctx_errors));
	json_object_object_add(x, "host_engine_errors", u64(es.engine_errors));
	json_object_object_add(x, "host_hang_resets", u64(es.hang_resets));
	json_object_object_add(o, "exec", x);
}

static void gvt_type_status(void *backend, json_object *out)
{
	struct vgpud_gvtdev *d = backend;
	struct gvt_vgpu *v = vgpud_gvtdev_vgpu(d);
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	struct vgpud_gvtdev_status ds;
	struct gvt_vgpu_stats st;
	struct gvt_vgpu_info info;
	struct gvt_plane_info pl;
	uint8_t edid[256];
	char hex[513];
	size_t elen;

	gvt_vgpu_get_info(v, &info);
	gvt_vgpu_get_stats(v, &st);
	vgpud_gvtdev_status(d, &ds);
	json_object_object_add(out, "opregion", json_object_new_string(vgpud_gvtdev_opregion_path(d)));
	if (ds.vnc_port)
		json_object_object_add(out, "vnc_port", u64((uint64_t)ds.vnc_port));
	json_object_object_add(o, "id", u64(info.id));
	json_object_object_add(o, "type", json_object_new_string(info.type));
	json_object_object_add(o, "low_gm_base", u64(info.low_gm_base));
	json_object_object_add(o, "low_gm_size", u64(info.low_gm_size));
	json_object_object_add(o, "high_gm_base", u64(info.high_gm_base));
	json_object_object_add(o, "high_gm_size", u64(info.high_gm_size));
	for (unsigned int i = 0; i < info.fence_num && i < 8; i++)
		json_object_array_add(a, u64(info.fences[i]));
	json_object_object_add(o, "fences", a);
	/* physical GGTT entries of this vGPU's ranges that map guest memory */
	json_object_object_add(o, "ggtt_host_mapped",
			       u64(pg_ggtt_mapped(info.low_gm_base, info.low_gm_size) +
				   pg_ggtt_mapped(info.high_gm_base, info.high_gm_size)));
	json_object_object_add(o, "pv_notified", json_object_new_boolean(st.pv_notified));
	json_object_object_add(o, "display_ready", json_object_new_boolean(st.display_ready));
	json_object_object_add(o, "failsafe", u64(st.failsafe));
	json_object_object_add(o, "mmio_reads", u64(st.mmio_reads));
	json_object_object_add(o, "mmio_writes", u64(st.mmio_writes));
	json_object_object_add(o, "untracked_reads", u64(st.untracked_reads));
	json_object_object_add(o, "untracked_writes", u64(st.untracked_writes));
	json_object_object_add(o, "unmapped_bar0_accesses", u64(st.unmapped_bar0_accesses));
	json_object_object_add(o, "ggtt_writes", u64(st.ggtt_writes));
	json_object_object_add(o, "ggtt_dropped", u64(st.ggtt_dropped));
	json_object_object_add(o, "ggtt_map_failures", u64(st.ggtt_map_failures));
	json_object_object_add(o, "aperture_reads", u64(st.aperture_reads));
	json_object_object_add(o, "aperture_writes", u64(st.aperture_writes));
	json_object_object_add(o, "aperture_dropped", u64(st.aperture_dropped));
	json_object_object_add(o, "g2v_notifications", u64(st.g2v_notifications));
	json_object_object_add(o, "elsp_writes", u64(st.elsp_writes));
	json_object_object_add(o, "gt_resets", u64(st.gt_resets));
	json_object_object_add(o, "vblanks", u64(st.vblanks));
	json_object_object_add(o, "flips", u64(st.flips));
	json_object_object_add(o, "msi_injected", u64(st.msi_injected));
	json_object_object_add(o, "aux_transactions", u64(st.aux_transactions));
	json_object_object_add(o, "fence_writes", u64(st.fence_writes));
	json_object_object_add(o, "fence_rejected", u64(st.fence_rejected));
	json_object_object_add(o, "frame_count", u64(gvt_display_frame_count(v, 0)));
	json_object_object_add(o, "resets", u64(ds.resets));
	json_object_object_add(o, "msi_sent", u64(ds.msi_sent));
	json_object_object_add(o, "msi_failed", u64(ds.msi_failed));
	json_object_object_add(o, "dma_refs", u64(ds.dma_refs));
	json_object_object_add(o, "dma_map_failures", u64(ds.dma_map_failures));
	json_object_object_add(o, "ram_regions", u64(ds.ram_regions));
	json_object_object_add(o, "timer_runs", u64(ds.timer_runs));
	json_object_object_add(o, "vnc_viewers", u64(ds.vnc_viewers));
	json_object_object_add(o, "vnc_frames", u64(ds.vnc_frames));
	json_object_object_add(o, "asls", u64(gvt_vgpu_asls(v)));
	gvt_type_exec_status(v, o);
	if (!gvt_display_get_plane(v, 0, GVT_PLANE_PRIMARY, &pl)) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "enabled", json_object_new_boolean(pl.enabled));
		json_object_object_add(p, "width", u64(pl.width));
		json_object_object_add(p, "height", u64(pl.height));
		json_object_object_add(p, "stride", u64(pl.stride));
		json_object_object_add(p, "fourcc", u64(pl.fourcc));
		json_object_object_add(p, "tiling", u64(pl.tiling));
		json_object_object_add(p, "ggtt_base", u64(pl.ggtt_base));
		json_object_object_add(o, "pipe_a_primary", p);
	}
	elen = gvt_display_get_edid(v, edid, sizeof(edid));
	if (elen > sizeof(edid))
		elen = sizeof(edid);
	for (size_t i = 0; i < elen; i++)
		snprintf(hex + 2 * i, 3, "%02x", edid[i]);
	hex[2 * elen] = 0;
	json_object_object_add(o, "edid", json_object_new_string(hex));
	json_object_object_add(out, "vgpu", o);
}

/* the mediation counters (docs/vgpud.md "stats"): totals, the caller subtracts */
static void gvt_type_stats(void *backend, json_object *out)
{
	struct gvt_vgpu *v = vgpud_gvtdev_vgpu(backend);
	struct gvt_vgpu_mediation_stats m;
	struct gvt_vgpu_exec_stats x;

	gvt_vgpu_get_mediation_stats(v, &m);
	gvt_vgpu_get_exec_stats(v, &x);
#define ADD(name, val) json_object_object_add(out, name, u64(val))
	ADD("cfg_reads", m.cfg_reads);
	ADD("cfg_writes", m.cfg_writes);
	ADD("reg_reads", m.reg_reads);
	ADD("reg_writes", m.reg_writes);
	ADD("ggtt_reads", m.ggtt_reads);
	ADD("ggtt_writes", m.ggtt_writes);
	ADD("aperture_reads", m.aperture_reads);
	ADD("aperture_writes", m.aperture_writes);
	ADD("elsp_submissions", x.elsp_submissions);
	ADD("workloads", m.workloads);
	ADD("empty_workloads", x.empty_workloads);
	ADD("completed", x.completed);
	ADD("failed", x.failed);
	ADD("prepare_ns", m.prepare_ns);
	ADD("scan_ns", m.scan_ns);
	ADD("sync_ns", m.sync_ns);
	ADD("submit_ns", m.submit_ns);
	ADD("total_ns", m.total_ns);
	ADD("busy_ns", x.busy_ns);
	ADD("sync_pages_checked", m.sync_pages_checked);
	ADD("sppt_syncs", m.sppt_syncs);
	ADD("sppt_resyncs", m.sppt_resyncs);
	ADD("sppt_entries_synced", m.sppt_entries_synced);
	ADD("sppt_guest_pages", m.sppt_guest_pages);
	ADD("sppt_shadow_pages", m.sppt_shadow_pages);
	ADD("sppt_pins", m.sppt_pins);
	ADD("sppt_mem_bytes", m.sppt_mem_bytes);
#undef ADD
}

static int gvt_type_screenshot(void *backend, const char *path, json_object *out,
			       char *err, size_t err_len)
{
	struct gvt_vgpu *v = vgpud_gvtdev_vgpu(backend);
	struct gvt_plane_info info;
	unsigned int pipe, w, h;
	uint32_t *px;
	int ret;

	for (pipe = 0; pipe < 3; pipe++)
		if (!gvt_display_get_plane(v, pipe, GVT_PLANE_PRIMARY, &info) && info.enabled)
			break;
	if (pipe == 3) {
		snprintf(err, err_len, "the display is off (no pipe scans out a primary plane)");
		return -ENODEV;
	}
	w = info.width < PG_MAX_CAPTURE ? info.width : PG_MAX_CAPTURE;
	h = info.height < PG_MAX_CAPTURE ? info.height : PG_MAX_CAPTURE;
	if (!w || !h) {
		snprintf(err, err_len, "the primary plane of pipe %u is empty", pipe);
		return -ENODEV;
	}
	px = malloc((size_t)w * h * 4);
	if (!px) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	ret = gvt_display_capture(v, pipe, px, (size_t)w * 4, w, h, &info);
	if (ret) {
		snprintf(err, err_len, "cannot capture pipe %u: %s", pipe,
			 ret == -ENOTSUP ? "pixel format or tiling not supported" :
			 ret == -EFAULT ? "surface not mapped in the GGTT" : strerror(-ret));
		goto out_free;
	}
	/* The plane may have changed between the two calls: clamp. */
	if (info.width < w)
		w = info.width;
	if (info.height < h)
		h = info.height;
	ret = vgpud_png_write(path, px, (size_t)w * 4, w, h);
	if (ret) {
		snprintf(err, err_len, "cannot write %s: %s", path, strerror(-ret));
		goto out_free;
	}
	json_object_object_add(out, "file", json_object_new_string(path));
	json_object_object_add(out, "pipe", u64(pipe));
	json_object_object_add(out, "width", u64(w));
	json_object_object_add(out, "height", u64(h));
	json_object_object_add(out, "fourcc", u64(info.fourcc));
	json_object_object_add(out, "tiling", u64(info.tiling));
out_free:
	free(px);
	return ret;
}

static int gvt_type_set_edid(void *backend, const void *edid, size_t len, char *err,
			     size_t err_len)
{
	int ret = gvt_display_set_edid(vgpud_gvtdev_vgpu(backend), edid, len);

	if (ret)
		snprintf(err, err_len, "not a valid EDID: 128 or 256 bytes with the 00 ff .. ff 00 header and block checksums");
	return ret;
}

static void gvt_type_info(const struct vgpud_type *type, json_object *out)
{
	for (unsigned int i = 0; i < pg.ntypes; i++) {
		struct gvt_type_info ti;

		if (type != &pg.types[i] || gvt_gpu_type_info(pg.gpu, i, &ti))
			continue;
		json_object_object_add(out, "available_instances", u64(ti.available_instances));
		json_object_object_add(out, "low_gm_size", u64(ti.low_gm_size));
		json_object_object_add(out, "high_gm_size", u64(ti.high_gm_size));
		json_object_object_add(out, "fences", u64(ti.fences));
		json_object_object_add(out, "weight", u64(ti.weight));
		json_object_object_add(out, "edid_width", u64(ti.edid_width));
		json_object_object_add(out, "edid_height", u64(ti.edid_height));
	}
}

static void sg_log(void *arg, const char *line)
{
	(void)arg;
	vgpud_log(VGPUD_WARN, "softgpu: %s", line);
}

static void gvt_physical_gpu_remove(void)
{
	/* no gvt_gpu_schedule and no hostdrv callback into a dying gvt_gpu */
	vgpud_exec_stop(pg.ex);
	if (pg.gpu && gvt_gpu_destroy(pg.gpu))
		return;		/* vGPUs left: the process is exiting anyway */
	pg.gpu = NULL;
	vgpud_exec_destroy(pg.ex);
	pg.ex = NULL;
	if (pg.hd)
		hdrv_gpu_remove(pg.hd);
	pg.hd = NULL;
	if (pg.sg)
		sgpu_destroy(pg.sg);
	pg.sg = NULL;
}

/* Bring up the physical GPU; 0 or -errno (then no vGPU type is offered). */
static int gvt_physical_gpu_init(void)
{
	/* exec: engines on their own threads, hostdrv on its irq line */
	struct sgpu_config sc = { .threaded = pg.exec, .log = sg_log };
	struct hdrv_config hc = { .ggtt_size = 0, .use_irq = pg.exec,
				  .ggtt_alloc_size = PG_HOST_LOW_GM };
	struct gvt_gpu_desc desc = {
		.device_id = SGPU_PCI_DEVICE,
		.ggtt_size = SGPU_GGTT_SIZE,
		.aperture_size = SGPU_APERTURE_SIZE,
		.num_fences = PG_NUM_FENCES,
		.host_low_gm = PG_HOST_LOW_GM,
		.host_high_gm = PG_HOST_HIGH_GM,
		.host_fences = PG_HOST_FENCES,
	};
	int ret;

	ret = sgpu_create(&sc, &pg.sg);
	if (ret)
		return ret;
	sgpu_bus(pg.sg, &pg.bus);
	ret = hdrv_gpu_probe(&pg.bus, &hc, &pg.hd);
	if (ret)
		goto out_remove;
	/* GGTT page 0 is never handed out: it holds hostdrv's scratch PTE */
	pg.scratch_pte = hdrv_ggtt_read_pte(pg.hd, 0);
	desc.scratch_pte = pg.scratch_pte;
	pg.ops = pg_host_ops;
	if (pg.exec) {
		ret = vgpud_exec_create(pg.hd, &pg.ex);
		if (ret)
			goto out_remove;
		vgpud_exec_host_ops(&pg.ops);
	}
	ret = gvt_gpu_create(&desc, &pg.ops, pg.ex, &pg.gpu);
	if (ret)
		goto out_remove;
	if (pg.ex) {
		ret = vgpud_exec_start(pg.ex, pg.gpu);
		if (ret)
			goto out_remove;
	}
	return 0;

out_remove:
	gvt_physical_gpu_remove();
	return ret;
}

void vgpud_gvt_type_register(void)
{
	int ret = gvt_physical_gpu_init();

	if (ret) {
		vgpud_log(VGPUD_ERR, "physical GPU (softgpu) bring-up failed: %s; no vGPU types",
			  strerror(-ret));
		return;
	}
	atexit(gvt_physical_gpu_remove);
	pg.ntypes = gvt_gpu_type_count(pg.gpu);
	for (unsigned int i = 0; i < pg.ntypes; i++) {
		struct gvt_type_info ti;
		struct vgpud_type *t = &pg.types[i];

		if (gvt_gpu_type_info(pg.gpu, i, &ti))
			continue;
		snprintf(pg.names[i], sizeof(pg.names[i]), "%s", ti.name);
		snprintf(pg.descs[i], sizeof(pg.descs[i]),
			 "vGPU (Intel GVT-g, SKL GT2 %04x): %llu MiB aperture, %llu MiB hidden GM, %u fences, %ux%u display",
			 SGPU_PCI_DEVICE, (unsigned long long)(ti.low_gm_size >> 20),
			 (unsigned long long)(ti.high_gm_size >> 20), ti.fences, ti.edid_width,
			 ti.edid_height);
		t->name = pg.names[i];
		t->description = pg.descs[i];
		t->create = gvt_type_create;
		t->destroy = gvt_type_destroy;
		t->status = gvt_type_status;
		t->stats = gvt_type_stats;
		t->screenshot = gvt_type_screenshot;
		t->set_edid = gvt_type_set_edid;
		t->type_info = gvt_type_info;
		vgpud_type_register(t);
	}
	vgpud_log(VGPUD_INFO, "physical GPU: softgpu %04x, %u vGPU types, guest GPU work %s",
		  SGPU_PCI_DEVICE, pg.ntypes, pg.exec ? "runs" : "is not run (--no-exec)");
}
