/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal structures of the vGPU device model. Not installed. */
#ifndef GVT_SRC_GVT_INTERNAL_H
#define GVT_SRC_GVT_INTERNAL_H

#include "gvt_deps.h"
#include "../include/gvt.h"
#include "gvt_regs.h"
#include "gvt_cmd.h"	/* the command scanner (gvt_cmd.c, docs/gvt-cmd-scanner.md) */

#define GVT_PAGE_SHIFT		12
#define GVT_PAGE_SIZE		(1ull << GVT_PAGE_SHIFT)
#define GVT_MIB			(1ull << 20)
#define GVT_NUM_PIPES		3
#define GVT_NUM_ENGINES		4
#define GVT_MAX_FENCES		64
#define GVT_MAX_ROOTS		256
#define GVT_EDID_MAX		256
#define GVT_DPCD_SIZE		0x800
/* The port of the one virtual DP monitor: DDI B, AUX B (VBT agrees). */
#define GVT_DP_PORT		1

/* PTE fields (gen8 GGTT): bit0 present, bits 38:12 address */
#define GVT_PTE_PRESENT		1ull
#define GVT_PTE_ADDR_MASK	0x0000007ffffff000ull

enum gvt_platform { GVT_PLATFORM_SKL, GVT_PLATFORM_KBL, GVT_PLATFORM_CFL };

struct gvt_dev_info {
	uint16_t device_id;
	uint8_t revision;	/* recommended stepping (i915 intel_step.c) */
	enum gvt_platform platform;
	const char *name;
};

struct gvt_type {
	const char *name;
	uint64_t low_gm;	/* aperture GM */
	uint64_t high_gm;	/* hidden GM */
	unsigned int fences;
	unsigned int weight;
	unsigned int edid_w, edid_h;
};

extern const struct gvt_type gvt_types[GVT_NUM_TYPES];

struct gvt_range {
	uint64_t base, size;	/* size 0 = unused slot */
};

struct gvt_gpu {
	struct gvt_gpu_desc desc;
	const struct gvt_host_ops *ops;
	void *priv;
	const struct gvt_dev_info *dev;
	struct gvt_mutex lock;
	/* BAR0 dword -> register table index + 1 (0 = untracked); read-only after create */
	uint16_t *reg_index;
	unsigned int ntypes;
	/* partition state, under @lock */
	struct gvt_range low_used[GVT_MAX_VGPUS];
	struct gvt_range high_used[GVT_MAX_VGPUS];
	uint64_t fence_used;	/* bit per physical fence */
	bool id_used[GVT_MAX_VGPUS + 1];
	unsigned int nvgpus;
	struct gvt_sched *sched;	/* gvt_sched.c: workload scheduler */
};

struct gvt_vgpu;

typedef uint32_t (*gvt_reg_read_t)(struct gvt_vgpu *v, uint32_t off);
/* Called after the flag semantics stored the new value in vreg. */
typedef void (*gvt_reg_write_t)(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);

/* register flags */
#define GVT_F_RO	(1u << 0)	/* guest writes ignored */
#define GVT_F_MASKED	(1u << 1)	/* bits 31:16 are a write enable for 15:0 */
#define GVT_F_W1C	(1u << 2)	/* writing 1 clears the bit */
#define GVT_F_WO	(1u << 3)	/* reads return 0 */

struct gvt_reg_info {
	uint32_t off;
	uint32_t size;
	uint32_t flags;
	uint32_t init;		/* power-on value of every dword in the range */
	gvt_reg_read_t read;
	gvt_reg_write_t write;
};

extern const struct gvt_reg_info gvt_reg_table[];
extern const unsigned int gvt_reg_table_size;

struct gvt_pipe {
	bool running;
	uint64_t period_ns;	/* one frame */
	uint64_t line_ns;	/* one scanline, for PIPEDSL */
	uint32_t vtotal;
	uint32_t vactive;	/* scanline at which vblank starts */
	uint64_t frame_start;	/* time of the last vblank */
	uint64_t next_vblank;
	/* planes 1..3 then the cursor: surface armed, latched at the next vblank */
	bool flip_pending[GVT_NUM_PLANES + 1];
};

struct gvt_aux_i2c {
	uint8_t addr;		/* current I2C target (0 = none) */
	uint8_t segment;	/* E-DDC segment pointer (0x30) */
	uint16_t offset;	/* EDID byte offset (0x50) */
};

struct gvt_vgpu {
	struct gvt_gpu *gpu;
	const struct gvt_type *type;
	const struct gvt_hyp_ops *hyp;
	void *hyp_priv;
	struct gvt_mutex lock;
	unsigned int id;

	/* resources, fixed for the vGPU's life */
	uint64_t low_base, low_size, high_base, high_size;
	unsigned int nfences;
	uint8_t fences[GVT_MAX_FENCES];	/* vGPU fence i -> physical fence */

	/* PCI config space */
	uint8_t cfg[GVT_CFG_SIZE];
	uint8_t cfg_wmask[GVT_CFG_SIZE];
	uint64_t bar_size[6];

	/* BAR0 registers [0, 2 MiB): the virtual register file */
	uint32_t *vreg;

	/* GGTT: guest view and host DMA of the vGPU's own entries only */
	uint64_t *gtt_guest;	/* [low entries | high entries] */
	uint64_t *gtt_dma;	/* DMA address mapped for the entry, 0 = none */
	uint32_t gtt_low_first, gtt_low_count, gtt_high_first, gtt_high_count;
	uint32_t partial_index;	/* GGTT index of a torn 8-byte write */
	uint8_t partial_mask;	/* bit0 low half seen, bit1 high half seen */

	/* display */
	uint8_t edid[GVT_EDID_MAX];
	size_t edid_len;
	uint8_t dpcd[GVT_DPCD_SIZE];
	bool connected;
	struct gvt_aux_i2c i2c;
	struct gvt_pipe pipe[GVT_NUM_PIPES];

	/* interrupts */
	bool irq_asserted;	/* master enable && pending, as last signalled */
	enum gvt_irq_mode irq_mode;

	/* PV */
	bool pv_notified;
	unsigned int failsafe;
	uint64_t roots[GVT_MAX_ROOTS];
	unsigned int nroots;

	uint8_t opregion[GVT_OPREGION_SIZE];

	struct gvt_exec *exec;	/* gvt_execlist.c: virtual execlists, workloads */

	struct gvt_vgpu_stats stats;
	/* guest accesses by entry point (gvt_vgpu_get_mediation_stats) */
	struct {
		uint64_t cfg_reads, cfg_writes;
		uint64_t reg_reads, reg_writes;
		uint64_t ggtt_reads, ggtt_writes;
	} traps;
	uint64_t log_window_start;
	unsigned int log_count;
};

static inline uint32_t *gvt_vreg_ptr(struct gvt_vgpu *v, uint32_t off)
{
	return &v->vreg[(off & (GVT_MMIO_SIZE - 1)) >> 2];
}

#define vreg(v, off)	(*gvt_vreg_ptr((v), (off)))

static inline uint32_t gvt_masked_update(uint32_t old, uint32_t val)
{
	uint32_t mask = val >> 16;

	return (old & ~mask & 0xffffu) | (val & mask & 0xffffu);
}

/* vgpu.c */
uint64_t gvt_now(struct gvt_vgpu *v);
void gvt_vlog(struct gvt_vgpu *v, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void gvt_enter_failsafe(struct gvt_vgpu *v, unsigned int reason);

/* gpu.c */
const struct gvt_dev_info *gvt_dev_lookup(uint16_t device_id);
const struct gvt_type *gvt_type_lookup(const struct gvt_gpu *gpu, const char *name);
int gvt_partition_alloc(struct gvt_gpu *gpu, const struct gvt_type *t, struct gvt_vgpu *v);
void gvt_partition_free(struct gvt_gpu *gpu, struct gvt_vgpu *v);

/* cfg.c */
void gvt_cfg_init(struct gvt_vgpu *v);
int gvt_cfg_read(struct gvt_vgpu *v, uint32_t off, void *buf, size_t len);
int gvt_cfg_write(struct gvt_vgpu *v, uint32_t off, const void *buf, size_t len);
bool gvt_cfg_msi_enabled(struct gvt_vgpu *v, uint64_t *addr, uint32_t *data);
bool gvt_cfg_bus_master(struct gvt_vgpu *v);
void gvt_cfg_set_intx_status(struct gvt_vgpu *v, bool level);
bool gvt_cfg_intx_disabled(struct gvt_vgpu *v);

/* mmio.c */
int gvt_mmio_index_build(struct gvt_gpu *gpu);
void gvt_mmio_reset(struct gvt_vgpu *v);
void gvt_mmio_gt_reset(struct gvt_vgpu *v, uint32_t engines);
int gvt_bar0_read(struct gvt_vgpu *v, uint64_t off, void *buf, size_t len);
int gvt_bar0_write(struct gvt_vgpu *v, uint64_t off, const void *buf, size_t len);
uint32_t gvt_reg_read32(struct gvt_vgpu *v, uint32_t off);
void gvt_reg_write32(struct gvt_vgpu *v, uint32_t off, uint32_t val);
void gvt_pvinfo_populate(struct gvt_vgpu *v);

/* irq.c */
void gvt_irq_raise(struct gvt_vgpu *v, uint32_t isr_reg, uint32_t bits);
void gvt_irq_update(struct gvt_vgpu *v);
uint32_t gvt_irq_read_master(struct gvt_vgpu *v, uint32_t off);
void gvt_irq_write_master(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_irq_write_iir(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_irq_write_mask(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);

/* gt.c: handlers of GT, PCODE, PVINFO registers */
uint32_t gvt_pvinfo_read(struct gvt_vgpu *v, uint32_t off);
void gvt_pvinfo_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_forcewake_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_gdrst_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_reset_ctl_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_mi_mode_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_ring_mode_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_elsp_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_selfclear_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_pcode_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_fence_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
uint32_t gvt_mchbar_read(struct gvt_vgpu *v, uint32_t off);
uint32_t gvt_timestamp_read(struct gvt_vgpu *v, uint32_t off);
void gvt_ggtt_flush_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);

/* display.c */
void gvt_display_init(struct gvt_vgpu *v);
void gvt_display_reset(struct gvt_vgpu *v);
void gvt_display_catch_up(struct gvt_vgpu *v, uint64_t now);
uint32_t gvt_pipedsl_read(struct gvt_vgpu *v, uint32_t off);
uint32_t gvt_frmcount_read(struct gvt_vgpu *v, uint32_t off);
uint32_t gvt_sdeisr_read(struct gvt_vgpu *v, uint32_t off);
uint32_t gvt_dpll_status_read(struct gvt_vgpu *v, uint32_t off);
uint32_t gvt_gpio_read(struct gvt_vgpu *v, uint32_t off);
void gvt_pwr_well_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_pll_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_dbuf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_ddi_buf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_dp_tp_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_aux_ctl_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_transconf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_timing_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_surf_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_hotplug_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);
void gvt_gmbus_write(struct gvt_vgpu *v, uint32_t off, uint32_t old, uint32_t val);

/* edid.c */
void gvt_dpcd_init(uint8_t *dpcd);

/* ggtt.c */
int gvt_ggtt_init(struct gvt_vgpu *v);
void gvt_ggtt_fini(struct gvt_vgpu *v);
void gvt_ggtt_reset(struct gvt_vgpu *v);
void gvt_ggtt_read(struct gvt_vgpu *v, uint32_t off, void *buf, size_t len);
void gvt_ggtt_write(struct gvt_vgpu *v, uint32_t off, const void *buf, size_t len);
bool gvt_gm_in_vgpu(struct gvt_vgpu *v, uint64_t gm, uint64_t len);
int gvt_aperture_rw(struct gvt_vgpu *v, uint64_t off, void *buf, size_t len, bool write);
int gvt_gm_rw(struct gvt_vgpu *v, uint64_t gm, void *buf, size_t len, bool write);

/* gvt_execlist.c / gvt_sched.c: workloads (docs/gvt-workloads.md) */
int gvt_exec_init(struct gvt_vgpu *v);
void gvt_exec_fini(struct gvt_vgpu *v);
void gvt_exec_reset(struct gvt_vgpu *v, uint32_t engines);
void gvt_execlist_elsp_write(struct gvt_vgpu *v, uint32_t off, uint32_t val);
void gvt_exec_g2v(struct gvt_vgpu *v, uint32_t msg);
int gvt_sched_init(struct gvt_gpu *gpu);
void gvt_sched_fini(struct gvt_gpu *gpu);

#endif /* GVT_SRC_GVT_INTERNAL_H */
