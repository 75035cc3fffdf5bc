// SPDX-License-Identifier: GPL-2.0-only
/*
 * Property test of the sppt engine, fixed seeds: random guest page-table
 * graphs and write sequences in all three modes; at every submission every
 * GPU VA of every submitted root translates identically through the shadow
 * and through the reference walk of the guest tables. `make fuzz` runs the
 * same driver for millions of steps (fuzz/fuzz_sppt.c).
 *
 * SPPT_PROP_STEPS=n overrides the steps per case (e.g. for a long soak).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sppt_prop.h"

static unsigned long steps_per_case(unsigned long dflt)
{
	const char *s = getenv("SPPT_PROP_STEPS");

	return s ? strtoul(s, NULL, 0) : dflt;
}

static void run(const struct prop_opts *o, uint64_t seed, unsigned long steps)
{
	struct prop_src src = { .rng = seed };
	struct prop_result res;
	char msg[512];

	if (prop_run(o, &src, steps_per_case(steps), &res, msg, sizeof(msg)))
		fail_msg("seed %" PRIu64 " step %lu: %s", seed, res.steps, msg);
	/* The run did real work: submissions were checked. */
	assert_true(res.submits > 0);
	assert_true(res.checks > 0);
	print_message("# seed %" PRIu64 ": %lu steps, %lu writes, %lu submits, %lu root checks, "
		      "%" PRIu64 " resyncs, %" PRIu64 " oos, %" PRIu64 " reuse, %" PRIu64
		      " reclaims, %" PRIu64 " alloc failures, %lu/%lu linear ranges in/out\n",
		      seed, res.steps, res.writes, res.submits, res.checks, res.st.resyncs,
		      res.st.oos_events, res.st.reuse_events, res.st.reclaims,
		      res.st.alloc_failures, res.lin_regs, res.lin_unregs);
}

static void test_prop_strict(void **state)
{
	struct prop_opts o = { .mode = SPPT_MODE_TRACKED_STRICT, .samples = 32 };

	run(&o, 1, 4000);
	run(&o, 2, 4000);
}

static void test_prop_adaptive(void **state)
{
	struct prop_opts o = { .mode = SPPT_MODE_TRACKED_ADAPTIVE, .samples = 32 };

	run(&o, 3, 4000);
	o.oos_threshold = 1;
	run(&o, 4, 4000);
}

static void test_prop_untracked(void **state)
{
	struct prop_opts o = { .mode = SPPT_MODE_UNTRACKED, .samples = 32 };

	run(&o, 5, 4000);
	o.no_guest_page = 1; /* the read_gpa path */
	run(&o, 6, 4000);
}

static void test_prop_budget(void **state)
{
	struct prop_opts o = { .mode = SPPT_MODE_TRACKED_ADAPTIVE, .samples = 16,
			       .mem_budget = 96 * 1024 };

	run(&o, 7, 3000);
	o.mode = SPPT_MODE_UNTRACKED;
	run(&o, 8, 3000);
	o.mode = SPPT_MODE_TRACKED_STRICT;
	run(&o, 9, 3000);
}

static void test_prop_small_pool(void **state)
{
	/* Few pages: heavy sharing and cycles across levels. */
	struct prop_opts o = { .mode = SPPT_MODE_TRACKED_STRICT, .pool = 6, .samples = 16 };

	run(&o, 10, 4000);
	o.mode = SPPT_MODE_TRACKED_ADAPTIVE;
	run(&o, 11, 4000);
	o.mode = SPPT_MODE_UNTRACKED;
	run(&o, 12, 4000);
}

static void test_prop_alloc_failure(void **state)
{
	/* One shadow table allocation fails: no crash, still balanced. */
	struct prop_opts o = { .mode = SPPT_MODE_TRACKED_STRICT, .allow_alloc_fail = 1 };

	run(&o, 13, 3000);
	/* Every 211th table allocation fails: idle roots are reclaimed in the
	 * middle of shadowing and syncing (checked until one cannot be). */
	o.allow_alloc_fail = 0;
	o.alloc_fail_every = 211;
	o.mode = SPPT_MODE_TRACKED_ADAPTIVE;
	run(&o, 14, 3000);
	o.mode = SPPT_MODE_UNTRACKED;
	run(&o, 15, 3000);
}

/* Linear ranges registered and withdrawn mid-run: both leaf paths. */
static void test_prop_linear(void **state)
{
	struct prop_opts o = { .mode = SPPT_MODE_TRACKED_STRICT, .samples = 32, .linear = 1 };

	run(&o, 16, 4000);
	o.mode = SPPT_MODE_TRACKED_ADAPTIVE;
	run(&o, 17, 4000);
	o.mode = SPPT_MODE_UNTRACKED;
	run(&o, 18, 4000);
	o.no_guest_page = 1;
	run(&o, 19, 4000);
}

static void test_prop_linear_pressure(void **state)
{
	/* Small pool, budget reclaim and failing allocations with ranges. */
	struct prop_opts o = { .mode = SPPT_MODE_TRACKED_ADAPTIVE, .samples = 16, .linear = 1,
			       .pool = 6, .mem_budget = 96 * 1024 };

	run(&o, 20, 3000);
	o.mode = SPPT_MODE_UNTRACKED;
	run(&o, 21, 3000);
	o.mode = SPPT_MODE_TRACKED_STRICT;
	o.npages = 64;
	run(&o, 22, 3000);
	/* Every 211th table allocation fails (checks stop at the first that
	 * cannot be reclaimed around; balance is still checked). */
	o.npages = 0;
	o.mode = SPPT_MODE_UNTRACKED;
	o.alloc_fail_every = 211;
	run(&o, 23, 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prop_strict),
		cmocka_unit_test(test_prop_adaptive),
		cmocka_unit_test(test_prop_untracked),
		cmocka_unit_test(test_prop_budget),
		cmocka_unit_test(test_prop_small_pool),
		cmocka_unit_test(test_prop_alloc_failure),
		cmocka_unit_test(test_prop_linear),
		cmocka_unit_test(test_prop_linear_pressure),
	};

	setenv("SPPT_QUIET", "1", 0);
	return cmocka_run_group_tests_name("sppt_prop", tests, NULL, NULL);
}
