/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux kernel implementation of the sppt deps (see ../sppt_deps.h), for
 * host/kvmgt's kbuild: add -I<path>/shadow-ppgtt/src/linux to ccflags.
 * tests/kbuild_check.sh builds the core with it as a module (W=1).
 */
#ifndef SPPT_SRC_LINUX_SPPT_OS_H
#define SPPT_SRC_LINUX_SPPT_OS_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmalloc.h>

#define SPPT_LIKELY(x)		likely(x)
#define SPPT_UNLIKELY(x)	unlikely(x)
/* No vector unit in the kernel without kernel_fpu_begin(): scalar loops. */
#define SPPT_VECTORIZE

static inline void *sppt_os_zalloc(size_t len)
{
	/* Called with the vGPU mutex held from process context. */
	return kvzalloc(len, GFP_KERNEL);
}

static inline void sppt_os_free(void *p)
{
	kvfree(p);
}

#define sppt_os_memcpy	memcpy
#define sppt_os_memset	memset
#define sppt_os_memcmp	memcmp

struct sppt_os_mutex {
	struct mutex m;
};

static inline void sppt_os_mutex_init(struct sppt_os_mutex *m)
{
	mutex_init(&m->m);
}

static inline void sppt_os_mutex_destroy(struct sppt_os_mutex *m)
{
	mutex_destroy(&m->m);
}

static inline void sppt_os_mutex_lock(struct sppt_os_mutex *m)
{
	mutex_lock(&m->m);
}

static inline void sppt_os_mutex_unlock(struct sppt_os_mutex *m)
{
	mutex_unlock(&m->m);
}

#define sppt_os_warn(fmt, ...) pr_warn_ratelimited("sppt: " fmt "\n", ##__VA_ARGS__)

#endif /* SPPT_SRC_LINUX_SPPT_OS_H */
