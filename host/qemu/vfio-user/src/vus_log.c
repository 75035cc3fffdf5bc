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

/* A token bucket shared by all rate-limited lines: 10 lines/s burst,
 * so a hostile client cannot flood the journal. */
static atomic_long rl_window;
static atomic_int rl_count;

void vus_log_rl(int level, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;
	long now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec;
	if (atomic_exchange(&rl_window, now) != now)
		atomic_store(&rl_count, 0);
	if (atomic_fetch_add(&rl_count, 1) >= 10)
		return;
	va_start(ap, fmt);
	vus_vlog(level, fmt, ap);
	va_end(ap);
}
