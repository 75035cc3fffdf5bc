// SPDX-License-Identifier: GPL-2.0-only
/*
 * Truncation guard for guest memory maps.
 *
 * A DMA map is an mmap of a file the client owns. If the client shrinks
 * that file while it is mapped, any access past the new end of file is
 * SIGBUS, which would kill the whole daemon (every device, every VM). The
 * library seals memfds against shrinking at DMA_MAP time where it can
 * (vus_dma.c); files that cannot be sealed (memory-backend-file on tmpfs
 * or hugetlbfs, a memfd created without MFD_ALLOW_SEALING) and hugetlbfs
 * holes that cannot be refilled are caught here instead.
 *
 * Every fd-backed map registers its address range in a process-wide table.
 * A SIGBUS handler looks the faulting address up; inside a guarded map it
 * replaces the whole map with private anonymous memory of the same
 * protection (MAP_FIXED, one syscall) and marks the map dead, then returns,
 * so the faulting access is retried and completes on zeros. This covers
 * device accesses through vus_dma_get() pointers as well as the library's
 * own copies, at no cost on the access path. vus_dma_*() report a dead map
 * as -EFAULT. Faults outside every guarded map go to the handler that was
 * installed before ours (or the default action: the process dies as it
 * would have without us). A handler installed over ours later is noticed
 * at the next map: we take SIGBUS back and chain to it.
 *
 * The handler reads the table without locks: slots are never freed (they
 * live in chunks that are only ever added), a slot's range is published
 * before its state becomes ACTIVE, and it is unpublished before the
 * mapping is unmapped. A fault can only hit a map that the faulting thread
 * holds a reference to, so that map's slot cannot be unpublished while the
 * handler runs.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vus_internal.h"

#define VUS_GUARD_CHUNK		1024
#define VUS_GUARD_MAX_CHUNKS	256	/* 262144 guarded maps per process */

enum { VUS_GUARD_FREE, VUS_GUARD_BUSY, VUS_GUARD_ACTIVE };

struct vus_guard_slot {
	atomic_int state;
	atomic_uintptr_t base;
	atomic_size_t len;
	atomic_int prot;
	atomic_bool hit;	/* replaced by anonymous memory */
};

static struct vus_guard_slot *_Atomic guard_chunks[VUS_GUARD_MAX_CHUNKS];
static atomic_int guard_nr_chunks;

/* Slot allocation (never taken by the signal handler). */
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static int *guard_free;		/* stack of free slot numbers */
static int guard_nr_free;

/*
 * The handler that was there before ours. Someone may install a handler
 * over ours later (a test framework, the application); the next
 * vus_guard_add() notices, takes SIGBUS back and chains to that one. Two
 * copies, so a fault chaining while we re-install reads a whole one.
 */
static struct sigaction guard_old_store[2];
static struct sigaction *_Atomic guard_old;
static _Thread_local int guard_chaining;

static struct vus_guard_slot *vus_guard_slot(int n)
{
	return &atomic_load(&guard_chunks[n / VUS_GUARD_CHUNK])[n % VUS_GUARD_CHUNK];
}

static void vus_guard_chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *old = atomic_load(&guard_old);

	/* A later handler that chains back to us must not loop. */
	if (old && !guard_chaining) {
		guard_chaining = 1;
		if (old->sa_flags & SA_SIGINFO) {
			old->sa_sigaction(sig, si, uc);
			guard_chaining = 0;
			return;
		}
		if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
			old->sa_handler(sig);
			guard_chaining = 0;
			return;
		}
		guard_chaining = 0;
	}
	/* Default action: restore it and return; the access faults again
	 * and the process dies with SIGBUS, as without the guard. (SIG_IGN
	 * cannot skip a faulting access either.) */
	signal(sig, SIG_DFL);
}

static void vus_guard_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	int nchunks = atomic_load(&guard_nr_chunks);
	int saved_errno = errno;

	for (int c = 0; c < nchunks; c++) {
		struct vus_guard_slot *chunk = atomic_load(&guard_chunks[c]);

		for (int i = 0; chunk && i < VUS_GUARD_CHUNK; i++) {
			struct vus_guard_slot *s = &chunk[i];
			uintptr_t base;

			if (atomic_load(&s->state) != VUS_GUARD_ACTIVE)
				continue;
			base = atomic_load(&s->base);
			if (a - base >= atomic_load(&s->len))
				continue;
			/* First fault replaces the map; a concurrent fault on
			 * the same map just retries until that is done. */
			if (!atomic_exchange(&s->hit, true) &&
			    mmap((void *)base, atomic_load(&s->len), atomic_load(&s->prot),
				 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0) == MAP_FAILED) {
				atomic_store(&s->hit, false);
				goto chain;
			}
			errno = saved_errno;
			return;
		}
	}
chain:
	errno = saved_errno;
	vus_guard_chain(sig, si, uc);
}

/* Make sure SIGBUS reaches vus_guard_sigbus(). guard_lock held. */
static int vus_guard_install(void)
{
	struct sigaction sa, cur, *old = atomic_load(&guard_old), *next;

	if (sigaction(SIGBUS, NULL, &cur) < 0)
		return -errno;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == vus_guard_sigbus)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vus_guard_sigbus;
	/* ONSTACK: a thread with an alternate stack keeps using it. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	next = old == &guard_old_store[0] ? &guard_old_store[1] : &guard_old_store[0];
	if (sigaction(SIGBUS, &sa, next) < 0)
		return -errno;
	atomic_store(&guard_old, next);
	return 0;
}

/* A fresh chunk: its slots go on the free stack. guard_lock held. */
static int vus_guard_grow(void)
{
	int n = atomic_load(&guard_nr_chunks);
	struct vus_guard_slot *chunk;
	int *nf;

	if (n == VUS_GUARD_MAX_CHUNKS)
		return -ENOSPC;
	nf = realloc(guard_free, (size_t)(n + 1) * VUS_GUARD_CHUNK * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	guard_free = nf;
	chunk = calloc(VUS_GUARD_CHUNK, sizeof(*chunk));
	if (!chunk)
		return -ENOMEM;
	for (int i = VUS_GUARD_CHUNK - 1; i >= 0; i--)
		guard_free[guard_nr_free++] = n * VUS_GUARD_CHUNK + i;
	atomic_store(&guard_chunks[n], chunk);
	atomic_store(&guard_nr_chunks, n + 1);
	return 0;
}

int vus_guard_add(void *base, size_t len, int prot)
{
	struct vus_guard_slot *s;
	int n, ret;

	pthread_mutex_lock(&guard_lock);
	ret = vus_guard_install();
	if (!ret && !guard_nr_free)
		ret = vus_guard_grow();
	if (ret) {
		pthread_mutex_unlock(&guard_lock);
		return ret;
	}
	n = guard_free[--guard_nr_free];
	pthread_mutex_unlock(&guard_lock);

	s = vus_guard_slot(n);
	atomic_store(&s->state, VUS_GUARD_BUSY);
	atomic_store(&s->base, (uintptr_t)base);
	atomic_store(&s->len, len);
	atomic_store(&s->prot, prot);
	atomic_store(&s->hit, false);
	atomic_store(&s->state, VUS_GUARD_ACTIVE);
	return n;
}

bool vus_guard_hit(int slot)
{
	return slot >= 0 && atomic_load(&vus_guard_slot(slot)->hit);
}

void vus_guard_del(int slot)
{
	struct vus_guard_slot *s;

	if (slot < 0)
		return;
	s = vus_guard_slot(slot);
	atomic_store(&s->state, VUS_GUARD_FREE);
	atomic_store(&s->len, 0);
	pthread_mutex_lock(&guard_lock);
	guard_free[guard_nr_free++] = slot;
	pthread_mutex_unlock(&guard_lock);
}
