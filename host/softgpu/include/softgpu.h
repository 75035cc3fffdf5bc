// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu: a software model of an Intel Gen9 (Skylake GT2) GPU as seen
 * through its PCI BARs: BAR0 = 2 MiB register file + GGTT at 8 MiB,
 * BAR2 = aperture through the GGTT. Four execlist engines with a command
 * streamer and a blitter. All GPU memory accesses go through a DMA
 * translation (bus address -> host memory registered with softgpu); an
 * access outside it is a counted, logged fault that errors out the context.
 *
 * Thread safe: one lock per device; engines optionally run on own threads.
 * See docs/softgpu.md.
 */
#ifndef SOFTGPU_H
#define SOFTGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SGPU_BAR0_SIZE		(16u << 20)
#define SGPU_MMIO_SIZE		(2u << 20)
#define SGPU_GGTT_OFFSET	(8u << 20)	/* PTEs in BAR0 */
#define SGPU_GGTT_SIZE		(4ull << 30)	/* address space covered */
#define SGPU_APERTURE_SIZE	(256u << 20)	/* BAR2 */
#define SGPU_PCI_VENDOR		0x8086
#define SGPU_PCI_DEVICE		0x1912		/* SKL GT2 desktop */

enum sgpu_engine_id {
	SGPU_RCS = 0,
	SGPU_BCS = 1,
	SGPU_VCS = 2,
	SGPU_VECS = 3,
	SGPU_NUM_ENGINES = 4,
};

struct sgpu;

struct sgpu_config {
	bool threaded;		/* one thread per engine; else sgpu_step() */
	bool pace;		/* threads: sleep so wall time >= modelled busy time */
	uint32_t slice_cmds;	/* commands per engine slice (0 = 256) */
	uint64_t watchdog_cmds;	/* error a context after this many commands in
				 * one activation without reaching its tail (0 = off) */
	uint32_t ns_per_cmd;	/* cost model (0 = 20 ns) */
	uint32_t blit_mb_per_s;	/* cost model (0 = 8000 MB/s) */
	uint32_t log_limit;	/* log lines per second (0 = 32) */
	/* log sink (NULL = stderr); called with the device lock held: must not
	 * call back into softgpu */
	void (*log)(void *arg, const char *line);
	void *log_arg;
};

int sgpu_create(const struct sgpu_config *cfg, struct sgpu **out);
void sgpu_destroy(struct sgpu *gpu);

/* PCI config space (vendor/device/class/BAR sizes; read only). */
uint32_t sgpu_cfg_read32(struct sgpu *gpu, uint32_t off);

/* BAR0: registers below 2 MiB, GGTT PTEs at 8..16 MiB. BAR2: aperture. */
uint32_t sgpu_mmio_read32(struct sgpu *gpu, uint64_t off);
void sgpu_mmio_write32(struct sgpu *gpu, uint64_t off, uint32_t val);
uint64_t sgpu_mmio_read64(struct sgpu *gpu, uint64_t off);
void sgpu_mmio_write64(struct sgpu *gpu, uint64_t off, uint64_t val);
uint32_t sgpu_aperture_read32(struct sgpu *gpu, uint64_t off);
void sgpu_aperture_write32(struct sgpu *gpu, uint64_t off, uint32_t val);

/* DMA memory: allocate (zeroed, page aligned), or register caller memory. */
int sgpu_dma_alloc(struct sgpu *gpu, size_t size, void **cpu, uint64_t *dma);
int sgpu_dma_map(struct sgpu *gpu, void *host, size_t size, uint64_t *dma);
/* Unmap / free the region starting at dma. */
int sgpu_dma_unmap(struct sgpu *gpu, uint64_t dma);

/* Interrupt line: called with no softgpu lock held, from any thread. Returns
 * only when no call of the previous handler is still running. */
void sgpu_set_irq_handler(struct sgpu *gpu, void (*fn)(void *arg), void *arg);
bool sgpu_irq_pending(struct sgpu *gpu);

/* Non-threaded mode: run up to budget commands on each engine; returns
 * the number of commands executed. */
uint64_t sgpu_step(struct sgpu *gpu, uint32_t budget);

struct sgpu_stats {
	uint64_t cmds;		/* commands executed */
	uint64_t unsupported;	/* 3D/media commands decoded and skipped */
	uint64_t faults;	/* accesses outside GGTT/PPGTT/DMA mappings */
	uint64_t errors;	/* contexts stopped by an error */
	uint64_t csb_events;
	uint64_t irqs;		/* interrupt line assertions */
	uint64_t blit_bytes;
	uint64_t dropped_writes;/* register writes a batch may not do */
	uint64_t busy_ns[SGPU_NUM_ENGINES];	/* modelled busy time */
	uint64_t indirect_ctx_runs;	/* RCS indirect-context batches started by a restore */
};
void sgpu_get_stats(struct sgpu *gpu, struct sgpu_stats *st);

/* Readable error state of an engine's last error. */
struct sgpu_error {
	bool valid;
	char reason[96];
	uint32_t header;	/* offending command dword */
	uint64_t addr;		/* command address (ring offset or batch) */
	uint64_t fault_addr;	/* graphics address that faulted, if any */
	uint32_t lrca;
};
void sgpu_engine_error(struct sgpu *gpu, enum sgpu_engine_id id, struct sgpu_error *err);

/* Bus ops for the host driver (struct hdrv_bus in hostdrv.h). */
struct hdrv_bus;
void sgpu_bus(struct sgpu *gpu, struct hdrv_bus *bus);

#endif /* SOFTGPU_H */
