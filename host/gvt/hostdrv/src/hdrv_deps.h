// SPDX-License-Identifier: GPL-2.0-only
/* hostdrv's only window on the C library and the OS (POSIX implementation). */
#ifndef HDRV_DEPS_H
#define HDRV_DEPS_H

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline void *hdrv_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void hdrv_free(void *p)
{
	free(p);
}

static inline uint64_t hdrv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void hdrv_udelay(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static inline void hdrv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void hdrv_log(const char *fmt, ...)
{
	/* rate limit: a misbehaving device must not flood the host log */
	static atomic_uint lines;
	unsigned int n = atomic_fetch_add(&lines, 1);
	va_list ap;

	if (n >= 64) {
		if (n == 64)
			fputs("hostdrv: further messages suppressed\n", stderr);
		return;
	}
	fputs("hostdrv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define hdrv_mb()	atomic_thread_fence(memory_order_seq_cst)

typedef pthread_mutex_t hdrv_mutex_t;

static inline void hdrv_mutex_init(hdrv_mutex_t *m)
{
	pthread_mutex_init(m, NULL);
}

static inline void hdrv_mutex_destroy(hdrv_mutex_t *m)
{
	pthread_mutex_destroy(m);
}

static inline void hdrv_mutex_lock(hdrv_mutex_t *m)
{
	pthread_mutex_lock(m);
}

static inline void hdrv_mutex_unlock(hdrv_mutex_t *m)
{
	pthread_mutex_unlock(m);
}

/* 0 when taken, non-zero when somebody else holds it */
static inline int hdrv_mutex_trylock(hdrv_mutex_t *m)
{
	return pthread_mutex_trylock(m);
}

#endif /* HDRV_DEPS_H */
