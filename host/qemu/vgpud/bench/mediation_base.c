// SPDX-License-Identifier: GPL-2.0-only
/*
 * mediation-base: the host baselines of bench_vgpu_mediation.py, measured in
 * the same run as the guest workloads. Prints one JSON line:
 *   memcpy_4k_ns   copy of one 4 KiB page
 *   memcmp_4k_ns   compare of one 4 KiB page with an equal copy: what the
 *                  shadow PPGTT's untracked sync does per shadowed guest
 *                  page-table page (equal = the whole page is read)
 *   clock_ns       one clock_gettime(CLOCK_MONOTONIC): gvt reads it six
 *                  times per dispatched workload for the phase times
 * Each is the best of several rounds over PAGES separately allocated pages
 * (like sppt's snapshots), so one busy moment does not decide it.
 * Usage: mediation-base [ROUNDS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE	4096
#define PAGES	64
#define PASSES	200

static volatile uint64_t mb_sink;	/* keeps the clock reads */

static uint64_t mb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *mb_page(void)
{
	void *p = aligned_alloc(PAGE, PAGE);

	if (!p) {
		fprintf(stderr, "mediation-base: out of memory\n");
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	static uint8_t *a[PAGES], *b[PAGES];
	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	double best_cpy = 1e30, best_cmp = 1e30, best_clk = 1e30;
	unsigned int sink = 0;

	if (rounds < 1)
		rounds = 1;
	srand(1);
	for (int i = 0; i < PAGES; i++) {
		a[i] = mb_page();
		b[i] = mb_page();
		for (int k = 0; k < PAGE; k++)
			a[i][k] = (uint8_t)rand();
		memcpy(b[i], a[i], PAGE);
	}
	for (int r = 0; r < rounds; r++) {
		uint64_t t0, t1;

		t0 = mb_now();
		for (int n = 0; n < PASSES; n++)
			for (int i = 0; i < PAGES; i++) {
				memcpy(b[i], a[(i + n) % PAGES], PAGE);
				/* keep the copies: the compiler must not drop them */
				__asm__ volatile("" : : "r"(b[i]) : "memory");
			}
		t1 = mb_now();
		if ((double)(t1 - t0) / (PASSES * PAGES) < best_cpy)
			best_cpy = (double)(t1 - t0) / (PASSES * PAGES);
		for (int i = 0; i < PAGES; i++)
			memcpy(b[i], a[i], PAGE);
		t0 = mb_now();
		for (int n = 0; n < PASSES; n++)
			for (int i = 0; i < PAGES; i++) {
				sink += memcmp(a[i], b[i], PAGE) != 0;
				__asm__ volatile("" : : : "memory");
			}
		t1 = mb_now();
		if ((double)(t1 - t0) / (PASSES * PAGES) < best_cmp)
			best_cmp = (double)(t1 - t0) / (PASSES * PAGES);
		t0 = mb_now();
		for (int n = 0; n < PASSES * PAGES; n++)
			mb_sink += mb_now();
		t1 = mb_now();
		if ((double)(t1 - t0) / (PASSES * PAGES) < best_clk)
			best_clk = (double)(t1 - t0) / (PASSES * PAGES);
	}
	printf("{\"memcpy_4k_ns\": %.1f, \"memcmp_4k_ns\": %.1f, \"clock_ns\": %.1f, "
	       "\"pages\": %d, \"rounds\": %d}\n",
	       best_cpy, best_cmp, best_clk, PAGES, rounds);
	for (int i = 0; i < PAGES; i++) {
		free(a[i]);
		free(b[i]);
	}
	return sink ? 1 : 0;	/* equal pages never compare unequal */
}
