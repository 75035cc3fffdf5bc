/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A deps implementation with nothing behind it: only the compiler's own
 * freestanding headers. tests/freestanding_check.sh compiles the core
 * against it with -ffreestanding -nostdinc to prove the core reaches the
 * OS only through sppt_deps.h.
 */
#ifndef SPPT_TESTS_FREESTANDING_SPPT_OS_H
#define SPPT_TESTS_FREESTANDING_SPPT_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define EINVAL		22
#define ENOMEM		12
#define EFAULT		14
#define ENOENT		2
#define EAGAIN		11
#define EOPNOTSUPP	95
#define EEXIST		17
#define ENOSPC		28

#define static_assert _Static_assert

#define SPPT_LIKELY(x)		__builtin_expect(!!(x), 1)
#define SPPT_UNLIKELY(x)	__builtin_expect(!!(x), 0)
#define SPPT_VECTORIZE

void *sppt_os_zalloc(size_t len);
void sppt_os_free(void *p);
#define sppt_os_memcpy	__builtin_memcpy
#define sppt_os_memset	__builtin_memset
#define sppt_os_memcmp	__builtin_memcmp

struct sppt_os_mutex {
	int opaque;
};

void sppt_os_mutex_init(struct sppt_os_mutex *m);
void sppt_os_mutex_destroy(struct sppt_os_mutex *m);
void sppt_os_mutex_lock(struct sppt_os_mutex *m);
void sppt_os_mutex_unlock(struct sppt_os_mutex *m);
void sppt_os_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SPPT_TESTS_FREESTANDING_SPPT_OS_H */
