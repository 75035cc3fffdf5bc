// SPDX-License-Identifier: GPL-2.0-only
/* vus logging: leveled lines to stderr (sd-daemon "<N>" prefixes). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "vus_internal.h"

static void vus_log_stderr(int level, const char *msg)
{
	fprintf(stderr, "<%d>vus: %s\n", level, msg);
}

static vus_log_fn log_fn = vus_log_stderr;
static int log_max = VUS_LOG_INFO;

void vus_log_set(vus_log_fn fn, int max_level)
{
	log_fn = fn ? fn : vus_log_stderr;
	log_max = max_level;
}

__attribute__((format(printf, 2, 0)))
static void vus_vlog(int level, const char *fmt, va_list ap)
{
	char line[512];

	if (level > log_max)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	log_fn(level, line);
}

void vus_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vus_vlog(level, fmt, ap);
	va_end(ap);
}

/*
 * Per call site: at most VUS_RL_BURST lines per VUS_RL_WINDOW seconds, so
 * a hostile client cannot flood the journal, and one noisy line cannot
 * silence the others. Lines dropped in a window are counted and reported
 * with the next line of that site. Races between threads only blur the
 * count a little.
 */
#define VUS_RL_BURST	10
#define VUS_RL_WINDOW	5

void vus_log_ratelimited(struct vus_ratelimit *rl, int level, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;
	long now, start;
	int missed;

	if (level > log_max)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec;
	start = atomic_load(&rl->window);
	if ((!start || now - start >= VUS_RL_WINDOW) &&
	    atomic_compare_exchange_strong(&rl->window, &start, now ? now : 1)) {
		atomic_store(&rl->count, 0);
		missed = atomic_exchange(&rl->missed, 0);
		if (missed)
			vus_log(level, "(%d lines like the next one suppressed)", missed);
	}
	if (atomic_fetch_add(&rl->count, 1) >= VUS_RL_BURST) {
		atomic_fetch_add(&rl->missed, 1);
		return;
	}
	va_start(ap, fmt);
	vus_vlog(level, fmt, ap);
	va_end(ap);
}
