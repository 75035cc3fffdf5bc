/* SPDX-License-Identifier: GPL-2.0-only */
/* POSIX implementation of the sppt deps (see ../sppt_deps.h). */
#ifndef SPPT_SRC_POSIX_SPPT_OS_H
#define SPPT_SRC_POSIX_SPPT_OS_H

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define SPPT_LIKELY(x)		__builtin_expect(!!(x), 1)
#define SPPT_UNLIKELY(x)	__builtin_expect(!!(x), 0)

/*
 * For the branchless leaf-table loops: x86-64's baseline (SSE2) has no
 * 64-bit vector compare, so build AVX-512F and AVX2 clones too, picked at
 * load time (ifunc). Elsewhere, or with -DSPPT_NO_CLONES (the soak builds
 * the baseline code that way, the unit tests run the clone the CPU picks),
 * the plain -O2 code.
 */
#if defined(__x86_64__) && defined(__has_attribute) && !defined(SPPT_NO_CLONES)
#if __has_attribute(target_clones)
#define SPPT_VECTORIZE		__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef SPPT_VECTORIZE
#define SPPT_VECTORIZE
#endif

static inline void *sppt_os_zalloc(size_t len)
{
	return calloc(1, len);
}

static inline void sppt_os_free(void *p)
{
	free(p);
}

#define sppt_os_memcpy	memcpy
#define sppt_os_memset	memset
#define sppt_os_memcmp	memcmp

struct sppt_os_mutex {
	pthread_mutex_t m;
};

static inline void sppt_os_mutex_init(struct sppt_os_mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
}

static inline void sppt_os_mutex_destroy(struct sppt_os_mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

static inline void sppt_os_mutex_lock(struct sppt_os_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

static inline void sppt_os_mutex_unlock(struct sppt_os_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

void sppt_os_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SPPT_SRC_POSIX_SPPT_OS_H */
