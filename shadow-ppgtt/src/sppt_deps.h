/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only seam between the freestanding sppt core and its host.
 *
 * The core includes nothing else. The build selects an implementation of
 * <sppt_os.h> through the include path: src/posix/ for userspace now, a
 * Linux kernel one (kmalloc, mutex, pr_warn_ratelimited) when host/kvmgt
 * builds the core with kbuild. Each implementation provides:
 *
 *   types      u8 u16 u32 u64, size_t, bool/true/false, uint64_t, NULL
 *   errno      EINVAL ENOMEM EFAULT ENOENT EOPNOTSUPP EAGAIN EEXIST ENOSPC
 *              (positive values)
 *   memory     void *sppt_os_zalloc(size_t len)      zeroed, NULL on failure
 *              void sppt_os_free(void *p)            NULL is a no-op
 *              sppt_os_memcpy/memset/memcmp          as the libc ones
 *   locking    struct sppt_os_mutex; sppt_os_mutex_init/destroy/lock/unlock
 *   logging    sppt_os_warn(fmt, ...)                rate-limited warning
 *   misc       static_assert, SPPT_LIKELY(x), SPPT_UNLIKELY(x),
 *              SPPT_VECTORIZE (function attribute for the branchless
 *              leaf-table loops; may be empty)
 */
#ifndef SPPT_SRC_SPPT_DEPS_H
#define SPPT_SRC_SPPT_DEPS_H

#include <sppt_os.h>

#endif /* SPPT_SRC_SPPT_DEPS_H */
