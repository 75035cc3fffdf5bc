// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for sppt: the fuzzer's bytes drive the property driver
 * (tests/sppt_prop.c) through the public write/submit API: guest writes of
 * every size and alignment, torn writes, page reuse, roots created and
 * destroyed, linear ranges registered and withdrawn, submissions. At every
 * submission each submitted root must translate every GPU VA exactly as the
 * reference walk of the guest tables;
 * after teardown nothing may stay pinned, protected or allocated. Any
 * mismatch aborts (a finding).
 *
 * Byte 0 picks the mode and options; the rest are the random choices.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sppt_prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long long total_steps, total_checks;

const char *__asan_default_options(void);

/* Every step allocates and frees 4 KiB tables and snapshots: skip ASan's
 * fill of fresh allocations (calloc zeroes them anyway) and keep the
 * quarantine small, so the time goes to the engine and the checks. */
const char *__asan_default_options(void)
{
	return "max_malloc_fill_size=0:quarantine_size_mb=32";
}

__attribute__((destructor)) static void report(void)
{
	if (total_steps)
		fprintf(stderr, "sppt fuzz: %llu steps, %llu root checks\n", total_steps,
			total_checks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prop_opts o = { .samples = 4 };
	struct prop_result res;
	struct prop_src src;
	char msg[512];

	if (size < 2)
		return 0;
	setenv("SPPT_QUIET", "1", 0);
	o.mode = data[0] % 3;
	o.oos_threshold = (data[0] >> 2) & 3;
	o.no_guest_page = (data[0] >> 4) & 1;
	o.pool = (data[0] & 0x20) ? 4 : 12;
	o.npages = 64;
	o.memo_bits = 11;
	o.submit_pct = 2;
	o.linear = 1; /* linear ranges come and go among the steps */
	if (data[0] & 0x40)
		o.mem_budget = 40 * 1024;
	if (data[0] & 0x80)
		o.alloc_fail_every = 97; /* reclaim in the middle of shadowing */
	/* The bytes choose the first steps; a PRNG seeded from them goes on
	 * for 200 more, so every input runs long write/submit histories. */
	src = (struct prop_src){ .data = data + 1, .len = size - 1, .prng_tail = 1 };
	if (prop_run(&o, &src, size / 4 + 200, &res, msg, sizeof(msg))) {
		fprintf(stderr, "sppt property violated: %s\n", msg);
		abort();
	}
	total_steps += res.steps;
	total_checks += res.checks;
	return 0;
}
