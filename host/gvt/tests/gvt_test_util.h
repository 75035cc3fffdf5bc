/* SPDX-License-Identifier: GPL-2.0-only */
/* Fakes for the device model's two ops tables, shared by the unit tests. */
#ifndef GVT_TESTS_GVT_TEST_UTIL_H
#define GVT_TESTS_GVT_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <cmocka.h>

#include "gvt.h"

#define FAKE_SCRATCH_PTE	0x7fff000ull	/* host scratch page DMA */
#define FAKE_DMA_OFFSET		0x4000000000ull	/* dma = gpa + this */
#define FAKE_RAM_SIZE		(64ull << 20)

struct fake_host {
	uint64_t *ggtt;		/* whole physical GGTT */
	uint32_t nentries;
	uint64_t ggtt_writes;
	unsigned int invalidates;
	uint64_t fences[64];
	unsigned int fence_writes;
};

struct fake_hyp {
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t now;
	unsigned int msi_count;
	uint64_t msi_addr;
	uint32_t msi_data;
	bool intx;
	int64_t pinned;		/* dma_map minus dma_unmap */
	uint64_t fail_gfn;	/* dma_map fails for this gfn (0 = none) */
	unsigned int bad_gpa;	/* accesses outside guest RAM */
	unsigned int logs;
};

struct fake_env {
	struct gvt_gpu *gpu;
	struct fake_host host;
	struct gvt_gpu_desc desc;
};

extern const struct gvt_host_ops fake_host_ops;
extern const struct gvt_hyp_ops fake_hyp_ops;

void fake_desc_init(struct gvt_gpu_desc *d, uint16_t device_id, uint64_t aperture);
struct fake_env *fake_env_new(uint16_t device_id, uint64_t aperture);
void fake_env_free(struct fake_env *env);
struct fake_hyp *fake_hyp_new(void);
void fake_hyp_free(struct fake_hyp *h);
struct gvt_vgpu *fake_vgpu_new(struct fake_env *env, const char *type, struct fake_hyp *h);

/* cmocka fixture: one GPU (SKL, 1 GiB aperture), one fake hypervisor, one vGPU */
struct fake_ctx {
	struct fake_env *env;
	struct fake_hyp *hyp;
	struct gvt_vgpu *v;
	struct gvt_vgpu_info info;
};

int fake_ctx_setup_v5_4(void **state);
int fake_ctx_setup_v5_8(void **state);
/* destroys the vGPU and checks every dma_map was balanced by a dma_unmap */
int fake_ctx_teardown(void **state);
struct gvt_vgpu_stats fake_vgpu_stats(struct gvt_vgpu *v);

uint32_t rd32(struct gvt_vgpu *v, uint32_t off);
void wr32(struct gvt_vgpu *v, uint32_t off, uint32_t val);
uint64_t rd64(struct gvt_vgpu *v, uint32_t off);
void wr64(struct gvt_vgpu *v, uint32_t off, uint64_t val);
uint32_t cfg32(struct gvt_vgpu *v, uint32_t off);
uint16_t cfg16(struct gvt_vgpu *v, uint32_t off);
uint8_t cfg8(struct gvt_vgpu *v, uint32_t off);
void cfgw32(struct gvt_vgpu *v, uint32_t off, uint32_t val);
void cfgw16(struct gvt_vgpu *v, uint32_t off, uint16_t val);

/* PCI enable + MSI enable at 0xfee00000 / data 0x4021, master irq enabled */
void guest_enable_msi(struct gvt_vgpu *v);
/* one DP AUX transaction on channel @ch; returns reply size, fills @rx */
int aux_xfer(struct gvt_vgpu *v, unsigned int ch, const uint8_t *tx, int txlen, uint8_t *rx);

#endif /* GVT_TESTS_GVT_TEST_UTIL_H */
