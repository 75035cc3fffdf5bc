/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sppt property driver: random guest page-table graphs and random guest
 * writes (all sizes, torn, page reuse, shared subtrees, roots created and
 * destroyed); at every submission each shadowed root is checked against the
 * reference walk. Driven by a seeded PRNG (tests) or by fuzzer bytes.
 */
#ifndef SPPT_TESTS_SPPT_PROP_H
#define SPPT_TESTS_SPPT_PROP_H

#include <stddef.h>
#include <stdint.h>

#include "sppt.h"

struct prop_src {
	uint64_t rng;		/* PRNG state when data is NULL */
	const uint8_t *data;	/* fuzzer bytes, consumed in order */
	size_t len, pos;
	int prng_tail;		/* bytes exhausted: continue with a PRNG seeded from them */
};

struct prop_opts {
	enum sppt_mode mode;
	unsigned int oos_threshold;	/* 0 = default */
	uint64_t mem_budget;		/* 0 = unlimited */
	unsigned int npages;		/* guest RAM pages (default 1024) */
	unsigned int pool;		/* page-table pages in play (default 40) */
	int no_guest_page;		/* hide ops.guest_page (read_gpa path) */
	unsigned int samples;		/* random VAs per root per check */
	int allow_alloc_fail;		/* inject one shadow table allocation failure */
	unsigned int alloc_fail_every;	/* and fail every n-th one (0 = never) */
	unsigned int memo_bits;		/* checker memo size, 0 = 2^16 entries */
	unsigned int submit_pct;	/* % of steps that submit (default 18) */
	int linear;			/* register/unregister linear ranges mid-run */
};

struct prop_result {
	unsigned long steps, writes, submits, checks, roots_created;
	unsigned long lin_regs, lin_unregs;	/* linear ranges registered, withdrawn */
	struct sppt_stats st;		/* engine stats just before teardown */
};

/*
 * Run @steps random steps (or until fuzzer bytes run out). Returns 0, or -1
 * with a description of the first mismatch or imbalance in @msg.
 */
int prop_run(const struct prop_opts *o, struct prop_src *src, unsigned long steps,
	     struct prop_result *res, char *msg, size_t msglen);

#endif /* SPPT_TESTS_SPPT_PROP_H */
