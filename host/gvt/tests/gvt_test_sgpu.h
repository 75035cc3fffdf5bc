/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The softgpu-backed test environment of the end-to-end gvt tests: a real
 * softgpu behind hostdrv as the physical GPU, driven through the shared
 * gvt_hostdrv adapter; a fake hypervisor per VM whose guest RAM is a buffer
 * hostdrv maps for the GPU; and the guest-driver steps every such test
 * takes (GGTT PTEs, engine init, ring emit, ELSP writes, run the host).
 *
 * What differs between the tests is in struct sgenv_config (guest RAM
 * size, number of VMs, threaded engines, a wrapped ctx_submit, no host
 * MMIO ops) or stays in the test (its guest layout, via the boot hook).
 * The pure fakes without a physical GPU are in gvt_test_util.h.
 */
#ifndef GVT_TESTS_GVT_TEST_SGPU_H
#define GVT_TESTS_GVT_TEST_SGPU_H

#include <pthread.h>

#include "gvt_test_util.h"
#include "gvt_hostdrv.h"
#include "softgpu.h"

#define SGENV_MAX_VMS		2
#define SGENV_RING_SIZE		(16u << 10)	/* every guest ring of these tests */

struct sgenv;

/* one VM: guest RAM, its hypervisor counters and the guest driver's state */
struct sgenv_vm {
	uint8_t *ram;
	uint64_t ram_size;
	struct hdrv_dma ram_dma;
	struct gvt_vgpu *v;
	uint64_t gm, gm_size, hgm, hgm_size;	/* low and high GM range (vGPU info) */
	unsigned int msi;	/* MSIs injected */
	int64_t pinned;		/* dma_map minus dma_unmap */
	uint64_t pin_calls;	/* dma_map calls, failed ones included */
	uint64_t gone_lo, gone_hi;	/* dma_map fails for gfns in [lo, hi) */
	/* guest driver: ring tail per engine index (the test's), counters */
	uint32_t tail[4];
	uint32_t seq;
	uint64_t elsps;
};

struct sgenv_config {
	uint64_t ram_size;	/* per VM, bytes */
	unsigned int nvms;	/* created by sgenv_new(), <= SGENV_MAX_VMS */
	/* softgpu engines on threads, hostdrv on the interrupt line, and a
	 * scheduler thread like vgpud's; else the test polls (sgenv_run_until) */
	bool threaded;
	bool no_host_mmio;	/* the gvt_gpu gets no mmio_read/mmio_write */
	/* replaces the submission: must call e->hd_ops.ctx_submit(e, hctx, s) */
	int (*ctx_submit)(struct sgenv *e, void *hctx, const struct gvt_host_submit *s);
	/* the guest's own boot after sgenv_vm_create() made its vGPU */
	void (*boot)(struct sgenv_vm *m);
	size_t priv_size;	/* zeroed test state at e->priv */
};

struct sgenv {
	struct gvt_hostdrv h;	/* first: the host ops' priv is the env */
	struct gvt_host_ops ops, hd_ops;	/* ops: hd_ops (the adapter's), observed */
	struct sgenv_config cfg;
	unsigned int submits;	/* ctx_submit calls */
	int gm_live;		/* host GM (shadow batch copies) allocated, not freed */
	uint64_t gm_last;	/* GGTT address of the last one */
	unsigned int mmio_reads;	/* physical registers the model read */
	unsigned int kicks;
	struct sgpu *sg;
	struct hdrv_bus bus;
	struct hdrv_gpu *hd;
	struct hdrv_dma scratch;
	struct gvt_gpu *gpu;
	struct gvt_gpu_desc desc;
	struct sgenv_vm vm[SGENV_MAX_VMS];
	pthread_t thread;	/* cfg.threaded: the scheduler */
	bool has_thread;
	bool stop;		/* __atomic */
	void *priv;
};

/* the hypervisor of one VM: its priv is the struct sgenv_vm */
extern const struct gvt_hyp_ops sgenv_hyp_ops;

/* GPU (SKL, 256 MiB aperture), then cfg->nvms VMs ("GVTg_V5_8", MSI) */
struct sgenv *sgenv_new(const struct sgenv_config *cfg);
/* stops the scheduler thread, destroys the VMs still alive (checks pins) */
void sgenv_vms_destroy(struct sgenv *e);
/* sgenv_vms_destroy(), then the GPU, hostdrv and softgpu */
void sgenv_free(struct sgenv *e);
/* cmocka teardown: sgenv_free(), checking first that no host GM copy leaked */
int sgenv_teardown_gm_checked(void **state);
void sgenv_vm_create(struct sgenv *e, struct sgenv_vm *m);
void sgenv_vm_destroy(struct sgenv *e, struct sgenv_vm *m);

/*
 * Run the host (poll every engine, hangcheck if asked, schedule) until
 * @done; returns the rounds used, -1 after ~10 s of wall time.
 */
int sgenv_run_until(struct sgenv *e, bool hangcheck,
		    bool (*done)(struct sgenv *e, void *arg), void *arg);

/* ---- guest driver ---- */

static inline uint32_t *g32(struct sgenv_vm *m, uint64_t gpa)
{
	return (uint32_t *)(m->ram + gpa);
}

static inline uint64_t *g64(struct sgenv_vm *m, uint64_t gpa)
{
	return (uint64_t *)(m->ram + gpa);
}

/* vGPU info into m->gm.., MSI on, GVT-aware, RCS and BCS GT interrupts */
void sgenv_guest_boot(struct sgenv_vm *m);
/* GGTT PTEs: @pages from low GM offset @gm_off to guest pages from @gpa */
void sgenv_ggtt_map(struct sgenv_vm *m, uint64_t gm_off, uint64_t gpa, unsigned int pages);
/* HWSP at low GM offset @hwsp_gm (guest page @hwsp_gpa), run lists on, CSB reset */
void sgenv_guest_engine_init(struct sgenv_vm *m, uint32_t base, uint64_t hwsp_gm,
			     uint64_t hwsp_gpa);
/*
 * Append @n dwords to the ring at @ring_gpa (tail m->tail[@i]), pad to a
 * qword like i915 and set CTX_RING_TAIL in the register state at @regs_gpa.
 */
void sgenv_guest_emit(struct sgenv_vm *m, unsigned int i, uint64_t ring_gpa,
		      uint64_t regs_gpa, const uint32_t *dw, unsigned int n);
/* ELSP: element 1 first, then element 0 (which submits) */
void sgenv_guest_elsp(struct sgenv_vm *m, uint32_t base, uint64_t d0, uint64_t d1);

#endif /* GVT_TESTS_GVT_TEST_SGPU_H */
