/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only seam between the device model and its environment. Everything
 * the core needs from an OS (memory, locks, time, formatted logging, string
 * and memory helpers) is named gvt_* here. This is the POSIX implementation;
 * a Linux-kernel one will provide the same names under __KERNEL__.
 */
#ifndef GVT_SRC_GVT_DEPS_H
#define GVT_SRC_GVT_DEPS_H

#ifdef __KERNEL__
#error "gvt: kernel deps not written yet (host/kvmgt provides them)"
#else

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline void *gvt_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void gvt_free(void *p)
{
	free(p);
}

#define gvt_memcpy	memcpy
#define gvt_memset	memset
#define gvt_memcmp	memcmp
#define gvt_strlen	strlen
#define gvt_strcmp	strcmp
#define gvt_strncmp	strncmp

static inline int __attribute__((format(printf, 3, 0)))
gvt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return vsnprintf(buf, len, fmt, ap);
}

static inline int __attribute__((format(printf, 3, 4)))
gvt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

struct gvt_mutex {
	pthread_mutex_t m;
};

static inline void gvt_mutex_init(struct gvt_mutex *m)
{
	pthread_mutex_init(&m->m, NULL);
}

static inline void gvt_mutex_destroy(struct gvt_mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

static inline void gvt_mutex_lock(struct gvt_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

static inline void gvt_mutex_unlock(struct gvt_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

static inline uint64_t gvt_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Default log sink when the hypervisor gives none. */
static inline void gvt_log_default(int level, const char *msg)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	if (level > 1)
		return;
	fprintf(stderr, "gvt: %s: %s\n", names[level & 3], msg);
}

#endif /* __KERNEL__ */

#define GVT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define GVT_MIN(a, b)		((a) < (b) ? (a) : (b))
#define GVT_MAX(a, b)		((a) > (b) ? (a) : (b))
#define GVT_BIT(n)		(1u << (n))

static inline uint32_t gvt_get_le32(const void *p)
{
	const uint8_t *b = p;

	return b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline void gvt_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

static inline void gvt_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = v;
	b[1] = v >> 8;
}

static inline uint64_t gvt_get_le(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	while (len--)
		v = (v << 8) | b[len];
	return v;
}

static inline void gvt_put_le(void *p, uint64_t v, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++, v >>= 8)
		b[i] = (uint8_t)v;
}

#endif /* GVT_SRC_GVT_DEPS_H */
