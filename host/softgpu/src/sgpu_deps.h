// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu's only window on the C library and the OS (POSIX implementation).
 */
#ifndef SGPU_DEPS_H
#define SGPU_DEPS_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static inline void *sgpu_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void *sgpu_zalloc_aligned(size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, size))
		return NULL;
	memset(p, 0, size);
	return p;
}

/* big zeroed tables (register file, GGTT): lazily backed by the kernel */
static inline void *sgpu_zalloc_large(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void sgpu_free_large(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

static inline void sgpu_free(void *p)
{
	free(p);
}

static inline uint64_t sgpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void sgpu_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	nanosleep(&ts, NULL);
}

typedef pthread_mutex_t sgpu_mutex_t;
typedef pthread_cond_t sgpu_cond_t;
typedef pthread_t sgpu_thread_t;

#endif /* SGPU_DEPS_H */
