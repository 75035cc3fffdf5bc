/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test doubles for sppt: a fake guest (RAM as an array of pages, write
 * protection that delivers trapped writes), a fake gfn -> DMA map that is NOT
 * the identity, a fake bus for shadow tables, and an independent reference
 * walker of the Gen8+ PPGTT format used to check shadows against guests.
 */
#ifndef SPPT_TESTS_SPPT_FAKE_H
#define SPPT_TESTS_SPPT_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "sppt.h"

/* A linear range the fake host registered with the engine. */
struct fake_lin {
	uint64_t gfn, npages, dma;
};

struct fake_hv {
	unsigned int npages;	/* guest RAM: gfns [0, npages) */
	struct fake_lin lin[SPPT_LINEAR_MAX_RANGES]; /* registered now */
	unsigned int nlin;
	long lin_pins;		/* pin() calls for a gfn inside a registered range */
	uint8_t *mem;
	uint8_t *prot;		/* write-protected flag per gfn */
	uint32_t *pin;		/* pin count per gfn (engine must pin once) */
	void **tables;		/* shadow tables by index; dma = base + idx*4K */
	unsigned int ntables, cap;
	unsigned int *free_idx;
	unsigned int nfree;
	long tables_live, pins_live, prot_live;
	long errors;		/* double pin/protect, bad unpin/unprotect */
	long alloc_fail_at;	/* fail the table_alloc with this serial (-1 = never) */
	long alloc_serial;
	long alloc_fail_every;	/* also fail every n-th table_alloc (0 = never) */
	int64_t protect_fail_gfn;	/* protect() fails for this gfn (-1 = none) */
	bool offer_guest_page;	/* implement ops.guest_page */
	bool deliver_traps;	/* call sppt_write_trap for protected pages */
	struct sppt_vgpu *vgpu;
	uint64_t traps;		/* writes delivered to the engine */
	uint64_t trap_bytes;
};

#define FAKE_TABLE_DMA_BASE 0x700000000000ull

extern const struct sppt_ops fake_ops;
extern const struct sppt_ops fake_ops_noptr;

int fake_hv_init(struct fake_hv *hv, unsigned int npages);
void fake_hv_fini(struct fake_hv *hv);
/* Non-identity, injective gfn -> DMA address (page aligned) of pin(). */
uint64_t fake_dma_of(uint64_t gfn);
/* The DMA address the GPU must see for @gfn: its linear range's if one is
 * registered, else fake_dma_of(). */
uint64_t fake_hv_dma(const struct fake_hv *hv, uint64_t gfn);
/* Register / unregister a linear range with the engine and the fake alike;
 * return what the engine returned. */
int fake_linear_register(struct fake_hv *hv, uint64_t gfn, uint64_t npages, uint64_t dma);
int fake_linear_unregister(struct fake_hv *hv, uint64_t gfn, uint64_t npages);
/* Live shadow table entries whose address falls in [dma, dma + len). */
unsigned long fake_bus_refs(const struct fake_hv *hv, uint64_t dma, uint64_t len);
/* CPU pointer of a shadow table by its DMA address, NULL if none. */
const uint64_t *fake_bus_table(const struct fake_hv *hv, uint64_t dma);
/* A guest CPU write: lands in RAM, trapped if it touches a protected page. */
void fake_guest_write(struct fake_hv *hv, uint64_t gpa, const void *data, size_t len);
uint64_t fake_guest_read64(const struct fake_hv *hv, uint64_t gpa);

/* One GPU virtual address as the GPU sees it. */
struct fake_xlat {
	bool mapped;
	uint64_t addr;	/* 4K frame (guest-physical for the guest walk, DMA for shadows) */
	uint64_t flags;	/* effective RW (AND of all levels) | PWT | PCD | PAT (PTE bits) */
	uint64_t entry;	/* the leaf entry itself, as the table holds it */
};

/* Walk the guest tables (reference) and map the result through the fake
 * DMA map; unmapped or outside RAM -> mapped=false. */
void fake_ref_translate(const struct fake_hv *hv, unsigned int levels, const uint64_t pdps[4],
			uint64_t va, struct fake_xlat *x);
/* Walk shadow tables through the fake bus. */
void fake_shadow_translate(const struct fake_hv *hv, unsigned int levels,
			   const uint64_t sh_pdps[4], uint64_t va, struct fake_xlat *x);

/*
 * Check a shadowed root against its guest tables over the whole VA space
 * (structural walk, memoized over shared subtrees), plus @samples random VAs
 * through both walkers. Returns 0 or -1 with a message in @msg.
 */
int fake_check_root(const struct fake_hv *hv, struct sppt_vgpu *vgpu, struct sppt_root *root,
		    unsigned int levels, const uint64_t pdps[4], uint64_t *rng,
		    unsigned int samples, char *msg, size_t msglen);
/* The same with a memo shared by several roots of one submission: pairs of
 * (guest table, shadow table) already checked are skipped. Reset the memo
 * (fake_memo_reset) whenever the guest or the shadows may have changed. */
struct fake_memo;
struct fake_memo *fake_memo_new(unsigned int bits); /* 2^bits entries, 0 = 2^16 */
void fake_memo_reset(struct fake_memo *m);
void fake_memo_free(struct fake_memo *m);
int fake_check_root_memo(const struct fake_hv *hv, struct sppt_vgpu *vgpu,
			 struct sppt_root *root, unsigned int levels, const uint64_t pdps[4],
			 uint64_t *rng, unsigned int samples, struct fake_memo *memo, char *msg,
			 size_t msglen);
/* Check the 5 scratch tables of @vgpu. */
int fake_check_scratch(const struct fake_hv *hv, struct sppt_vgpu *vgpu, char *msg, size_t msglen);

uint64_t fake_rand(uint64_t *s);

#endif /* SPPT_TESTS_SPPT_FAKE_H */
