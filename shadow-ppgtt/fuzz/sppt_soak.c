// SPDX-License-Identifier: GPL-2.0-only
/*
 * sppt property soak: the property driver (tests/sppt_prop.c) for a fixed
 * number of steps in each of the three sync modes, cycling through settings
 * (pool sizes, submit rates, K, the read_gpa path, budgets, failing table
 * allocations, linear ranges registered and withdrawn mid-run), one seed per
 * run. At every submission each submitted root is checked against the
 * reference walk; after each run nothing may stay pinned or allocated.
 *
 * `make fuzz` runs it beside the libFuzzer targets (it takes and ignores
 * their arguments) from an uninstrumented -O2 build; `make sppt-soak` from
 * the current build. SPPT_SOAK_STEPS=n sets the steps per mode (default
 * 1,200,000). Prints "Done ..." with the step counts; exits 1 on the first
 * mismatch or imbalance, with its seed and settings.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sppt_prop.h"

#define RUN_STEPS 20000ul

static const char *const mode_name[3] = { "strict", "adaptive", "untracked" };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Settings of run @k: every combination comes round within 64 runs. */
static void soak_opts(struct prop_opts *o, enum sppt_mode mode, unsigned long k)
{
	static const unsigned int pools[4] = { 4, 12, 12, 40 };
	static const unsigned int pcts[4] = { 2, 5, 10, 18 };

	*o = (struct prop_opts){ .mode = mode, .samples = 4, .memo_bits = 12 };
	o->pool = pools[k % 4];
	o->npages = o->pool == 40 ? 512 : 128;
	o->submit_pct = pcts[(k / 4) % 4];
	o->linear = (k / 16) % 2 == 0;
	o->oos_threshold = (k / 2) % 4;
	o->no_guest_page = (k / 8) % 2;
	if ((k / 32) % 2)
		o->mem_budget = 40 * 1024;
	if (k % 7 == 3)
		o->alloc_fail_every = 97;
}

int main(int argc, char **argv)
{
	const char *env = getenv("SPPT_SOAK_STEPS");
	unsigned long per_mode = env ? strtoul(env, NULL, 0) : 1200000ul;
	unsigned long steps[3] = { 0 }, runs = 0, checks = 0, submits = 0, lin = 0;
	unsigned long k = 0;
	double t0 = now_s();
	unsigned int m;

	(void)argc;
	(void)argv; /* libFuzzer's options and corpus directories: not used */
	setenv("SPPT_QUIET", "1", 0);
	/* Modes take turns, so that a run cut short has covered all three. */
	while (steps[0] < per_mode || steps[1] < per_mode || steps[2] < per_mode) {
		for (m = 0; m < 3; m++) {
			struct prop_opts o;
			struct prop_result res;
			uint64_t seed = 0x50a6000000ull + k * 3 + m;
			struct prop_src src = { .rng = seed };
			char msg[512];

			if (steps[m] >= per_mode)
				continue;
			soak_opts(&o, (enum sppt_mode)m, k);
			if (prop_run(&o, &src, RUN_STEPS, &res, msg, sizeof(msg))) {
				printf("sppt soak: MISMATCH in %s mode, seed 0x%" PRIx64
				       " (run %lu: pool %u, npages %u, submit %u%%, K %u, linear %d, "
				       "no_guest_page %d, budget %" PRIu64 ", alloc_fail_every %u) "
				       "at step %lu: %s\n",
				       mode_name[m], seed, k, o.pool, o.npages, o.submit_pct,
				       o.oos_threshold, o.linear, o.no_guest_page, o.mem_budget,
				       o.alloc_fail_every, res.steps, msg);
				return 1;
			}
			steps[m] += res.steps;
			checks += res.checks;
			submits += res.submits;
			lin += res.lin_regs;
			runs++;
		}
		k++;
	}
	printf("Done %lu sppt property steps (strict %lu, adaptive %lu, untracked %lu) in %lu "
	       "runs: %lu submissions, %lu root checks, %lu linear ranges registered, "
	       "0 mismatches, %.0f s\n",
	       steps[0] + steps[1] + steps[2], steps[0], steps[1], steps[2], runs, submits, checks,
	       lin, now_s() - t0);
	return 0;
}
