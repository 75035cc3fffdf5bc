// SPDX-License-Identifier: GPL-2.0-only
/* POSIX implementation of the sppt deps: rate-limited logging. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "sppt_os.h"

/* At most SPPT_LOG_BURST lines per second, like printk_ratelimited. */
#define SPPT_LOG_BURST 10

void sppt_os_warn(const char *fmt, ...)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t window;
	static unsigned int printed, suppressed;
	struct timespec now;
	va_list ap;

	if (getenv("SPPT_QUIET"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	if (now.tv_sec != window) {
		if (suppressed)
			fprintf(stderr, "sppt: %u messages suppressed\n", suppressed);
		window = now.tv_sec;
		printed = 0;
		suppressed = 0;
	}
	if (printed >= SPPT_LOG_BURST) {
		suppressed++;
		pthread_mutex_unlock(&lock);
		return;
	}
	printed++;
	pthread_mutex_unlock(&lock);
	va_start(ap, fmt);
	fputs("sppt: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
