/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gvt: the vGPU device model (freestanding, VMM-agnostic).
 *
 * One struct gvt_gpu per physical GPU owns the partition of the GGTT and of
 * the fence registers. Each struct gvt_vgpu is one emulated Intel Gen9 GPU
 * (PCI config space, BAR0 registers + GGTT, BAR2 aperture, display) that an
 * unmodified guest i915 detects as a GVT-g vGPU.
 *
 * Locking: every gvt_vgpu_* / gvt_display_* entry point takes the vGPU's
 * own lock; gvt_gpu_* functions take the GPU lock. Callbacks (struct
 * gvt_hyp_ops, struct gvt_host_ops) are called with that lock held and
 * must not call back into this API for the same vGPU.
 *
 * Errors: functions return 0 or a negative errno value.
 */
#ifndef GVT_INCLUDE_GVT_H
#define GVT_INCLUDE_GVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gvt_gpu;
struct gvt_vgpu;

#define GVT_OPS_VERSION		1
#define GVT_MAX_VGPUS		7	/* ids 1..7, as upstream GVT-g */
#define GVT_NUM_TYPES		4

/* BAR layout seen by the guest */
#define GVT_BAR0_SIZE		(16u << 20)	/* registers + GGTT */
#define GVT_MMIO_SIZE		(2u << 20)	/* registers: BAR0 [0, 2 MiB) */
#define GVT_GGTT_OFFSET		(8u << 20)	/* GGTT PTEs: BAR0 [8, 16 MiB) */
#define GVT_CFG_SIZE		256u
#define GVT_OPREGION_SIZE	0x2000u

/** enum gvt_region - the regions a transport exposes for a vGPU */
enum gvt_region {
	GVT_REGION_CONFIG = 0,	/* PCI config space, GVT_CFG_SIZE */
	GVT_REGION_BAR0 = 1,	/* GVT_BAR0_SIZE, trapped, 1/2/4/8-byte */
	GVT_REGION_BAR2 = 2,	/* aperture, size of the physical aperture */
	GVT_REGION_OPREGION = 3, /* read-only 8 KiB blob (fw_cfg etc/igd-opregion) */
};

/* engine numbering of the device model (register bases 0x2000/0x12000/0x22000/0x1a000) */
enum gvt_engine { GVT_ENGINE_RCS = 0, GVT_ENGINE_VCS = 1, GVT_ENGINE_BCS = 2,
		  GVT_ENGINE_VECS = 3 };

/**
 * struct gvt_host_submit - one workload for the physical GPU
 * @levels: 0 = no PPGTT (GGTT only), 3 = 4 PDP roots, 4 = PML4 root
 * @pdp: shadow roots (DMA addresses built by the shadow PPGTT engine)
 * @cmds, @bytes: the scanned copy of the guest's ring commands to append to
 *	the context's ring (a multiple of 4 bytes, < the context's ring size)
 * @privileged: the guest descriptor had the privilege bit (GGTT batches)
 * @ctx_timestamp: CTX_TIMESTAMP of the guest context (image dword 0x23,
 *	command streamer ticks): load it into the physical context before it
 *	runs, so the guest's timestamp reads and busyness accounting continue
 *	from its own value (read back with gvt_host_ops.ctx_timestamp)
 * @wa_ctx_gm, @wa_ctx_bytes, @wa_ctx_offset: RCS only; the guest context's
 *	indirect-context workaround batch, copied and scanned, in host graphics
 *	memory from gvt_host_ops.gm_alloc (64-byte aligned, @wa_ctx_bytes a
 *	multiple of 64; 0 = none). The physical context runs it on every
 *	restore, as INDIRECT_CTX does on hardware; @wa_ctx_offset is the
 *	guest's INDIRECT_CTX_OFFSET value (where in the restore it runs).
 */
struct gvt_host_submit {
	unsigned int levels;
	uint64_t pdp[4];
	const void *cmds;
	uint32_t bytes;
	bool privileged;
	uint32_t ctx_timestamp;
	uint64_t wa_ctx_gm;
	uint32_t wa_ctx_bytes;
	uint32_t wa_ctx_offset;
};

/**
 * struct gvt_host_ops - the physical-GPU side (implemented by the host driver)
 * @version: GVT_OPS_VERSION
 * @ggtt_write: write one 64-bit PTE at GGTT @index of the physical GPU.
 *	Returns 0 or -errno.
 * @ggtt_invalidate: optional; flush the GGTT TLB after a batch of writes.
 * @fence_write: optional; write physical fence register @fence (64-bit
 *	value as FENCE_REG_GEN6_LO/HI). Returns 0 or -errno.
 */
struct gvt_host_ops {
	unsigned int version;
	int (*ggtt_write)(void *priv, uint32_t index, uint64_t pte);
	void (*ggtt_invalidate)(void *priv);
	int (*fence_write)(void *priv, unsigned int fence, uint64_t value);
	/*
	 * Submission (docs/gvt-workloads.md). Optional: with ctx_submit NULL,
	 * ELSP writes are recorded and acknowledged but no command runs.
	 * Engines are numbered GVT_ENGINE_*. All are called with the vGPU lock
	 * held (from gvt_gpu_schedule() or an MMIO write).
	 */
	/* zeroed, 4 KiB aligned memory the GPU can read/write (shadow page tables) */
	int (*dma_alloc)(void *priv, size_t size, void **cpu, uint64_t *dma);
	void (*dma_free)(void *priv, void *cpu, uint64_t dma, size_t size);
	/* a physical context on @engine with a ring of >= @ring_bytes; @cookie
	 * is what the host passes back to gvt_gpu_ctx_done() */
	int (*ctx_create)(void *priv, unsigned int engine, uint32_t ring_bytes, void *cookie,
			  void **hctx);
	void (*ctx_destroy)(void *priv, void *hctx);
	/* run @s on the idle context @hctx; completion: gvt_gpu_ctx_done() */
	int (*ctx_submit)(void *priv, void *hctx, const struct gvt_host_submit *s);
	/* stop whatever runs on @engine (its context completes with an error) */
	int (*engine_reset)(void *priv, unsigned int engine);
	/* optional: work was queued, call gvt_gpu_schedule() soon (any thread) */
	void (*kick)(void *priv);
	/*
	 * Host graphics memory for shadow batch buffers: @size bytes (a
	 * multiple of 4 KiB) of zeroed memory the CPU writes at @cpu and the
	 * GPU reads through the GGTT at @gm, in the host's own part of the
	 * GGTT (outside every vGPU's range, so no guest can reach it).
	 * Optional: without it a workload with a privileged (GGTT) batch
	 * buffer fails (it could not be executed from a copy).
	 */
	int (*gm_alloc)(void *priv, size_t size, void **cpu, uint64_t *gm, void **handle);
	void (*gm_free)(void *priv, void *handle);
	/* optional: CTX_TIMESTAMP the idle context @hctx saved (written back
	 * into the guest image at completion) */
	uint32_t (*ctx_timestamp)(void *priv, void *hctx);
	/*
	 * Optional: one physical register at BAR0 offset @off, for the engine
	 * register state switched between vGPU owners (gvt_mmio_ctx.c).
	 * Without both, engine registers are not switched.
	 */
	uint32_t (*mmio_read)(void *priv, uint32_t off);
	void (*mmio_write)(void *priv, uint32_t off, uint32_t val);
};

/**
 * struct gvt_gpu_desc - what the device model needs to know about a GPU
 * @device_id: PCI device id exposed to guests (0x1912, 0x5912, ...); must be
 *	in the device table (gvt_gpu_device_supported()).
 * @revision: PCI revision; 0 = the recommended one for @device_id.
 * @subsys_vendor, @subsys_device: PCI subsystem ids (0 = 8086:@device_id).
 * @ggtt_size: GGTT address space in bytes (4 GiB on Gen9).
 * @aperture_size: physical aperture (BAR2) size; power of two, >= 128 MiB.
 * @num_fences: physical fence registers (32 on Gen9).
 * @host_low_gm, @host_high_gm, @host_fences: kept for the host driver
 *	(0 = upstream defaults 128 MiB / 384 MiB / 4).
 * @scratch_pte: physical PTE (DMA address | present) of the host scratch
 *	page, written for every GGTT entry a vGPU does not map.
 */
struct gvt_gpu_desc {
	uint16_t device_id;
	uint8_t revision;
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	uint64_t ggtt_size;
	uint64_t aperture_size;
	unsigned int num_fences;
	uint64_t host_low_gm;
	uint64_t host_high_gm;
	unsigned int host_fences;
	uint64_t scratch_pte;
};

/**
 * struct gvt_hyp_ops - the hypervisor side of one vGPU (vgpud / kvmgt.ko)
 * @version: GVT_OPS_VERSION
 * @gpa_read: read @len bytes of guest-physical memory at @gpa. Returns 0 or
 *	-errno (-EFAULT when @gpa is not guest RAM).
 * @gpa_write: write guest-physical memory. Returns 0 or -errno.
 * @dma_map: pin guest frame @gfn and return in @dma the address the
 *	physical GPU must use for it (IOVA/host physical). Returns 0 or -errno.
 * @dma_unmap: release one @dma_map reference of @gfn / @dma.
 * @inject_msi: deliver the MSI programmed in the guest's MSI capability
 *	(@addr/@data are what the guest wrote there). Returns 0 or -errno.
 * @set_intx: optional; level of INTx when MSI is disabled.
 * @now_ns: optional monotonic clock (tests use a fake one); NULL = the OS
 *	monotonic clock.
 * @log: optional log sink; @level 0 err, 1 warn, 2 info, 3 debug.
 */
struct gvt_hyp_ops {
	unsigned int version;
	int (*gpa_read)(void *priv, uint64_t gpa, void *buf, size_t len);
	int (*gpa_write)(void *priv, uint64_t gpa, const void *buf, size_t len);
	int (*dma_map)(void *priv, uint64_t gfn, uint64_t *dma);
	void (*dma_unmap)(void *priv, uint64_t gfn, uint64_t dma);
	int (*inject_msi)(void *priv, uint64_t addr, uint32_t data);
	void (*set_intx)(void *priv, bool level);
	uint64_t (*now_ns)(void *priv);
	void (*log)(void *priv, int level, const char *msg);
};

/** struct gvt_type_info - one vGPU type (GVTg_V5_8/4/2/1) */
struct gvt_type_info {
	char name[16];		/* "GVTg_V5_4" */
	uint64_t low_gm_size;	/* aperture (mappable) GM, bytes */
	uint64_t high_gm_size;	/* hidden GM, bytes */
	unsigned int fences;
	unsigned int weight;	/* scheduler weight, 16 = whole GPU */
	unsigned int edid_width, edid_height;
	unsigned int available_instances;
};

/** struct gvt_vgpu_info - resources of a created vGPU (what PVINFO says) */
struct gvt_vgpu_info {
	unsigned int id;
	char type[16];
	uint64_t low_gm_base, low_gm_size;
	uint64_t high_gm_base, high_gm_size;
	unsigned int fence_num;
	unsigned int fences[8];	/* physical fence register of vGPU fence i */
};

/** struct gvt_vgpu_stats - counters (monotonic, reset only on destroy) */
struct gvt_vgpu_stats {
	uint64_t mmio_reads, mmio_writes;
	uint64_t untracked_reads, untracked_writes;
	uint64_t unmapped_bar0_accesses;	/* BAR0 [2, 8) MiB or bad size */
	uint64_t ggtt_writes, ggtt_dropped, ggtt_map_failures;
	uint64_t aperture_reads, aperture_writes, aperture_dropped;
	uint64_t g2v_notifications, ppgtt_roots;
	uint64_t elsp_writes, gt_resets, engine_resets;
	uint64_t vblanks, flips, msi_injected;
	uint64_t aux_transactions, pcode_commands;
	uint64_t fence_writes, fence_rejected;
	bool pv_notified;	/* the guest read PVINFO */
	bool display_ready;	/* PVINFO display_ready == 1 */
	unsigned int failsafe;	/* enum gvt_failsafe_reason, 0 = none */
};

enum gvt_failsafe_reason {
	GVT_FAILSAFE_NONE = 0,
	GVT_FAILSAFE_UNSUPPORTED_GUEST = 1, /* programmed the GPU before reading PVINFO */
	GVT_FAILSAFE_INSUFFICIENT_RESOURCE = 2,
	GVT_FAILSAFE_BAD_COMMAND = 3,	/* the command scanner refused a workload */
};

/* Framebuffer formats (DRM fourcc values) reported by gvt_display_get_plane */
#define GVT_FOURCC(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | \
				((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define GVT_FMT_XRGB8888	GVT_FOURCC('X', 'R', '2', '4')
#define GVT_FMT_XBGR8888	GVT_FOURCC('X', 'B', '2', '4')
#define GVT_FMT_ARGB8888	GVT_FOURCC('A', 'R', '2', '4')
#define GVT_FMT_ABGR8888	GVT_FOURCC('A', 'B', '2', '4')
#define GVT_FMT_XRGB2101010	GVT_FOURCC('X', 'R', '3', '0')
#define GVT_FMT_XBGR2101010	GVT_FOURCC('X', 'B', '3', '0')
#define GVT_FMT_RGB565		GVT_FOURCC('R', 'G', '1', '6')
#define GVT_FMT_C8		GVT_FOURCC('C', '8', ' ', ' ')

enum gvt_tiling { GVT_TILING_LINEAR = 0, GVT_TILING_X = 1, GVT_TILING_Y = 4,
		  GVT_TILING_YF = 5 };

enum gvt_plane_type { GVT_PLANE_PRIMARY = 0, GVT_PLANE_CURSOR = 1 };

/**
 * struct gvt_plane_info - a decoded scanout plane
 * @enabled: plane and its pipe are enabled
 * @ggtt_base: GGTT (graphics memory) address of the surface
 * @fourcc: GVT_FMT_* (0 when the hardware format is not supported)
 * @hw_format: raw format field of PLANE_CTL (bits 27:24) / CUR_CTL mode
 * @tiling: enum gvt_tiling
 * @width, @height: pixels; @stride: bytes per line; @bpp: bits per pixel
 * @x_offset, @y_offset: PLANE_OFFSET (pixels into the surface)
 * @x_pos, @y_pos: position on the pipe (cursor: signed)
 * @size: bytes the surface spans from @ggtt_base
 */
struct gvt_plane_info {
	bool enabled;
	uint64_t ggtt_base;
	uint32_t fourcc;
	uint32_t hw_format;
	unsigned int tiling;
	uint32_t width, height, stride, bpp;
	uint32_t x_offset, y_offset;
	int32_t x_pos, y_pos;
	uint64_t size;
};

/* ---- GPU ---- */

/** gvt_gpu_device_supported() - true if @device_id is in the device table */
bool gvt_gpu_device_supported(uint16_t device_id);

/**
 * gvt_gpu_create() - describe a physical GPU to the device model
 * @desc: copied
 * @ops, @priv: physical-GPU callbacks; @ops must outlive the GPU object
 * @out: the new object
 * Return: 0, -EINVAL for a bad description, -ENOMEM.
 */
int gvt_gpu_create(const struct gvt_gpu_desc *desc, const struct gvt_host_ops *ops,
		   void *priv, struct gvt_gpu **out);
/**
 * gvt_gpu_destroy() - free the GPU object
 * Return: 0, or -EBUSY (nothing freed) while vGPUs of it still exist.
 */
int gvt_gpu_destroy(struct gvt_gpu *gpu);
/** gvt_gpu_type_count() - number of vGPU types this GPU offers (<= GVT_NUM_TYPES) */
unsigned int gvt_gpu_type_count(const struct gvt_gpu *gpu);
/**
 * gvt_gpu_type_info() - type @idx with its current available_instances
 * Return: 0 or -EINVAL.
 */
int gvt_gpu_type_info(struct gvt_gpu *gpu, unsigned int idx, struct gvt_type_info *info);
/**
 * gvt_gpu_type_describe() - upstream-style "description" text of a type
 * Return: length written (excluding NUL) or -EINVAL / -ENOSPC.
 */
int gvt_gpu_type_describe(struct gvt_gpu *gpu, const char *type, char *buf, size_t len);

/* ---- vGPU lifecycle ---- */

/**
 * gvt_vgpu_create() - create a vGPU of type @type ("GVTg_V5_4" or "i915-GVTg_V5_4")
 * @hyp, @priv: hypervisor callbacks of this vGPU; @hyp must outlive it
 * Return: 0; -EINVAL (unknown type, bad ops), -ENOSPC (no GM, fences or id
 * left), -ENOMEM.
 */
int gvt_vgpu_create(struct gvt_gpu *gpu, const char *type, const struct gvt_hyp_ops *hyp,
		    void *priv, struct gvt_vgpu **out);
/** gvt_vgpu_destroy() - unmap everything, give GM/fences back */
void gvt_vgpu_destroy(struct gvt_vgpu *vgpu);
/**
 * gvt_vgpu_reset() - device-level reset (PCI FLR / VFIO_DEVICE_RESET): config
 * space, registers, PVINFO, display and GGTT back to power-on state.
 */
void gvt_vgpu_reset(struct gvt_vgpu *vgpu);
void gvt_vgpu_get_info(struct gvt_vgpu *vgpu, struct gvt_vgpu_info *info);
void gvt_vgpu_get_stats(struct gvt_vgpu *vgpu, struct gvt_vgpu_stats *stats);
/** gvt_vgpu_region_size() - size in bytes of @region (0 if not present) */
uint64_t gvt_vgpu_region_size(struct gvt_vgpu *vgpu, enum gvt_region region);

/* ---- guest accesses (transport entry points) ---- */

/**
 * gvt_vgpu_cfg_read() / gvt_vgpu_cfg_write() - PCI config space access
 * @off, @len: any byte range inside [0, GVT_CFG_SIZE); reads beyond return
 *	zeros (extended space up to 4 KiB), writes beyond are ignored.
 * Return: 0 or -EINVAL (range outside 4 KiB).
 */
int gvt_vgpu_cfg_read(struct gvt_vgpu *vgpu, uint32_t off, void *buf, size_t len);
int gvt_vgpu_cfg_write(struct gvt_vgpu *vgpu, uint32_t off, const void *buf, size_t len);

/**
 * gvt_vgpu_mmio_read() / gvt_vgpu_mmio_write() - BAR access
 * @bar: 0 (registers + GGTT, @len 1/2/4/8 naturally aligned) or 2 (aperture,
 *	any length)
 * Guest mistakes never fail: they read zeros or are dropped and counted.
 * Return: 0, or -EINVAL for a BAR or range the transport should not have
 * sent (no such BAR, beyond its size, bad BAR0 access size).
 */
int gvt_vgpu_mmio_read(struct gvt_vgpu *vgpu, int bar, uint64_t off, void *buf, size_t len);
int gvt_vgpu_mmio_write(struct gvt_vgpu *vgpu, int bar, uint64_t off, const void *buf,
			size_t len);

/**
 * gvt_vgpu_run_timers() - advance the virtual display clock (vblanks,
 * frame counters, flips, their interrupts) to now.
 * Return: the monotonic time (ns, same clock as @now_ns) at which it must be
 * called again, or UINT64_MAX when no pipe is running.
 */
uint64_t gvt_vgpu_run_timers(struct gvt_vgpu *vgpu);

/**
 * gvt_vgpu_gm_read() - read graphics memory through the vGPU's GGTT (for
 * screenshots): @gm is a GGTT address inside the vGPU's ranges.
 * Return: 0, -EFAULT (an entry not present or outside the vGPU), or the
 * gpa_read error.
 */
int gvt_vgpu_gm_read(struct gvt_vgpu *vgpu, uint64_t gm, void *buf, size_t len);

/**
 * gvt_vgpu_ppgtt_roots() - PPGTT roots the guest announced through g2v
 * (L4 create minus destroy), at most @max into @roots.
 * Return: the number of live roots (may exceed @max).
 */
unsigned int gvt_vgpu_ppgtt_roots(struct gvt_vgpu *vgpu, uint64_t *roots, unsigned int max);

/**
 * enum gvt_irq_mode - who decides how interrupts leave the vGPU
 * @GVT_IRQ_AUTO: follow the vGPU's own config space (MSI enable bit and bus
 *	master in the MSI capability / command register). Right when every
 *	config write reaches the model (kernel mdev path).
 * @GVT_IRQ_MSI: the transport has an MSI trigger (vfio-user SET_IRQS on the
 *	MSI index; QEMU emulates the MSI capability itself and may not forward
 *	its enable bit): every rising edge calls inject_msi.
 * @GVT_IRQ_INTX: level changes go to set_intx.
 * @GVT_IRQ_NONE: interrupts are dropped (no trigger configured).
 */
enum gvt_irq_mode { GVT_IRQ_AUTO = 0, GVT_IRQ_MSI, GVT_IRQ_INTX, GVT_IRQ_NONE };

/**
 * gvt_vgpu_set_irq_mode() - set by the transport when the guest (re)configures
 * interrupts; a pending interrupt is delivered on the new path at once.
 */
void gvt_vgpu_set_irq_mode(struct gvt_vgpu *vgpu, enum gvt_irq_mode mode);

/** gvt_vgpu_asls() - what the guest firmware wrote to ASLS (0xfc) */
uint32_t gvt_vgpu_asls(struct gvt_vgpu *vgpu);

/* ---- workloads and scheduling (docs/gvt-workloads.md) ---- */

/**
 * gvt_gpu_ctx_done() - the host reports that the workload submitted on the
 * context created with @cookie left the GPU; @status 0 = completed, else
 * -errno (engine error, reset). Safe from any thread and from inside a
 * host ops call: it only records the event (see gvt_gpu_schedule()).
 */
void gvt_gpu_ctx_done(struct gvt_gpu *gpu, void *cookie, int status);

/**
 * gvt_gpu_user_irq() - the host saw a user interrupt (MI_USER_INTERRUPT,
 * notify flush) on @engine (GVT_ENGINE_*): forwarded to the vGPU whose
 * workload runs there at the next gvt_gpu_schedule(). Same rules as
 * gvt_gpu_ctx_done(). Optional: completions raise one anyway.
 */
void gvt_gpu_user_irq(struct gvt_gpu *gpu, unsigned int engine);

/**
 * gvt_gpu_schedule() - retire completed workloads (context write-back,
 * status events, interrupts to the guest) and submit the next ones, picking
 * vGPUs by the time-slice policy. Call from one thread (never from a host
 * callback) after a kick, a completion or periodically (1 ms).
 * Return: number of workloads retired or submitted.
 */
int gvt_gpu_schedule(struct gvt_gpu *gpu);

/**
 * struct gvt_sched_params - time-slice policy
 * @slice_ns: a vGPU keeps the GPU at most this long while others wait (0 = 1 ms)
 * @balance_ns: budgets are refilled by weight every period (0 = 100 ms)
 * @overrun_ns: a workload running longer than this while another vGPU
 *	waits is stopped by an engine reset (that vGPU's engine then looks
 *	hung to its guest); 0 = 1 s
 */
struct gvt_sched_params {
	uint64_t slice_ns;
	uint64_t balance_ns;
	uint64_t overrun_ns;
};
int gvt_gpu_set_sched_params(struct gvt_gpu *gpu, const struct gvt_sched_params *p);

/** struct gvt_vgpu_exec_stats - workload counters of one vGPU */
struct gvt_vgpu_exec_stats {
	uint64_t elsp_submissions;	/* complete 4-dword ELSP writes */
	uint64_t workloads;		/* submitted to the physical GPU */
	uint64_t empty_workloads;	/* head == tail: retired without the GPU */
	uint64_t completed, failed;
	uint64_t csb_events;
	uint64_t busy_ns;		/* time its workloads held an engine */
	uint64_t scan_rejects;		/* workloads the command scanner refused */
	/* host-side mediation of the submitted workloads, summed (ns) */
	uint64_t prepare_ns;	/* context read and ring copy */
	uint64_t scan_ns;	/* command scanner, shadow batch copies */
	uint64_t sync_ns;	/* shadow PPGTT get + sync */
	uint64_t submit_ns;	/* host context + ctx_submit */
	uint64_t total_ns;	/* dispatch start to ctx_submit returned */
	/* guest page-table pages the shadow PPGTT compared (4 KiB each) */
	uint64_t sync_pages_checked;
	/* privileged (GGTT) batch segments executed from a host copy */
	uint64_t shadow_bbs;
	/* PDP loads by LRI patched to a shadow root (data dwords) */
	uint64_t pdp_lri_patched;
	/* RCS indirect-context WA batches executed from a host copy */
	uint64_t shadow_wa_ctxs;
	/* engine registers of this vGPU loaded into the physical GPU when it
	 * became an engine's owner (gvt_mmio_ctx.c) */
	uint64_t engine_reg_loads;
};
void gvt_vgpu_get_exec_stats(struct gvt_vgpu *vgpu, struct gvt_vgpu_exec_stats *st);

/**
 * struct gvt_vgpu_mediation_stats - what mediating one vGPU cost the host,
 * in one consistent snapshot (totals since creation; take two and subtract).
 *
 * Trap counters count guest accesses that reached the model (one per
 * transport call, whatever its size). The time fields are summed over the
 * workloads submitted to the physical GPU only (a dispatch that fails or
 * finds nothing to run adds nothing), so each divided by @workloads is the
 * mean per submission; @total_ns covers the whole dispatch, so it is the sum
 * of the phases. The sppt_ fields are the shadow PPGTT engine's counters
 * (struct sppt_stats; 0 before the vGPU's first PPGTT workload).
 */
struct gvt_vgpu_mediation_stats {
	uint64_t cfg_reads, cfg_writes;		/* PCI config space */
	uint64_t reg_reads, reg_writes;		/* BAR0 below 8 MiB (registers) */
	uint64_t ggtt_reads, ggtt_writes;	/* BAR0 GGTT [8, 16 MiB) */
	uint64_t aperture_reads, aperture_writes; /* BAR2 */
	uint64_t workloads;
	uint64_t prepare_ns, scan_ns, sync_ns, submit_ns, total_ns;
	uint64_t sync_pages_checked;
	uint64_t sppt_syncs, sppt_resyncs, sppt_entries_synced;
	uint64_t sppt_guest_pages, sppt_shadow_pages, sppt_pins, sppt_mem_bytes;
};
void gvt_vgpu_get_mediation_stats(struct gvt_vgpu *vgpu, struct gvt_vgpu_mediation_stats *st);

/* ---- guest RAM the host maps linearly ---- */

/* ranges one vGPU can hold (the shadow PPGTT's SPPT_LINEAR_MAX_RANGES) */
#define GVT_RAM_LINEAR_MAX	8

/**
 * gvt_vgpu_ram_linear_add() - declare guest RAM the host maps linearly
 * @vgpu: the vGPU
 * @gfn: first guest frame of the range
 * @npages: frames in the range (> 0)
 * @dma: DMA address of @gfn; frame @gfn + k is at @dma + k * 4 KiB
 *
 * The host promises that the whole range stays mapped for the physical GPU
 * at these addresses, and pinned, until gvt_vgpu_ram_linear_remove()
 * returns; dma_map of a frame in it returns the same address. The shadow
 * PPGTT then translates guest entries into the range by an add, with no
 * dma_map/dma_unmap call (and shadows 2M pages natively); entries it made
 * through dma_map before are converted and their references dropped before
 * this returns. The range is remembered: a shadow engine created later
 * (at the vGPU's first PPGTT workload) registers it too. Takes the vGPU
 * lock and may call dma_map/dma_unmap: call it holding no lock those take.
 *
 * Return: 0; -EINVAL (empty, @dma not page aligned, an end beyond 48-bit
 * addresses), -EEXIST (overlaps a range), -ENOSPC (GVT_RAM_LINEAR_MAX
 * already), -ENODEV (the vGPU runs no workloads). On error nothing changed
 * and the frames keep the dma_map path.
 */
int gvt_vgpu_ram_linear_add(struct gvt_vgpu *vgpu, uint64_t gfn, uint64_t npages, uint64_t dma);

/**
 * gvt_vgpu_ram_linear_remove() - withdraw a range before the host unmaps it
 * @vgpu: the vGPU
 * @gfn, @npages: exactly as added
 *
 * An unmap: when it returns, no shadow PPGTT entry points into the range,
 * in flight or not; the entries it covered are rebuilt through dma_map (a
 * host that already dropped the frames from its table fails that and they
 * map scratch). A GPU that fetched an entry before the rewrite is stopped
 * by the host's own unmap of the bus addresses, which must follow (as for
 * GGTT entries still pointing at the frames). Same locking as _add().
 *
 * Return: 0, -ENOENT (no such range).
 */
int gvt_vgpu_ram_linear_remove(struct gvt_vgpu *vgpu, uint64_t gfn, uint64_t npages);

/* ---- display ---- */

/**
 * gvt_display_get_plane() - decode plane @type of pipe @pipe (0..2)
 * Return: 0 (see info->enabled) or -EINVAL.
 */
int gvt_display_get_plane(struct gvt_vgpu *vgpu, unsigned int pipe, enum gvt_plane_type type,
			  struct gvt_plane_info *info);
/**
 * gvt_display_capture() - the visible image of pipe @pipe's primary plane,
 * converted to 0x00RRGGBB pixels, detiled (linear, X and Y tiling) and read
 * through the vGPU's GGTT (for screenshots and VNC).
 * @dst: @max_w x @max_h pixels with @dst_stride bytes per row
 * @info: optional; the decoded plane (see gvt_display_get_plane)
 * Writes min(width, @max_w) x min(height, @max_h) pixels from the plane's
 * PLANE_OFFSET origin.
 * Return: 0; -ENODEV (plane or pipe off), -ENOTSUP (format or tiling not
 * convertible: C8, Yf, 64-bit), -EFAULT (surface not mapped in the GGTT),
 * -E2BIG (surface over 256 MiB), -ENOMEM, -EINVAL.
 */
int gvt_display_capture(struct gvt_vgpu *vgpu, unsigned int pipe, uint32_t *dst,
			size_t dst_stride, unsigned int max_w, unsigned int max_h,
			struct gvt_plane_info *info);
/**
 * gvt_display_set_edid() - replace the monitor's EDID (1..2 blocks of 128
 * bytes, valid header and checksums) and signal a hotplug to the guest.
 * Return: 0 or -EINVAL (nothing changed).
 */
int gvt_display_set_edid(struct gvt_vgpu *vgpu, const void *edid, size_t len);
/** gvt_display_get_edid() - copy the current EDID; returns its length */
size_t gvt_display_get_edid(struct gvt_vgpu *vgpu, void *buf, size_t len);
/** gvt_display_set_connected() - plug/unplug the virtual monitor (hotplug irq) */
void gvt_display_set_connected(struct gvt_vgpu *vgpu, bool connected);
/** gvt_display_frame_count() - PIPE_FRMCOUNT of @pipe */
uint32_t gvt_display_frame_count(struct gvt_vgpu *vgpu, unsigned int pipe);

/* ---- OpRegion ---- */

/**
 * gvt_opregion_build() - the 8 KiB IGD OpRegion with a VBT that lists the
 * vGPU's one DP port (BDB 186, 33-byte child; CLID lid open).
 * @buf: GVT_OPREGION_SIZE bytes
 */
void gvt_opregion_build(void *buf);
/** gvt_vgpu_opregion() - the vGPU's OpRegion blob (GVT_OPREGION_SIZE bytes) */
const void *gvt_vgpu_opregion(struct gvt_vgpu *vgpu);

/* ---- EDID helpers ---- */

/**
 * gvt_edid_generate() - a 128-byte EDID 1.4 for a DP monitor whose preferred
 * mode is @width x @height at 60 Hz (1024x768 and 1920x1200 are built in).
 * Return: 0 or -EINVAL for another size.
 */
int gvt_edid_generate(unsigned int width, unsigned int height, uint8_t edid[128]);
/** gvt_edid_valid() - header and per-block checksums of 1..2 blocks */
bool gvt_edid_valid(const void *edid, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* GVT_INCLUDE_GVT_H */
