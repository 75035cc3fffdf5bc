// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory: the DMA map table and the device-side access helpers.
 *
 * Each map is refcounted: the table holds one reference, every
 * vus_dma_get() another. Removing a map takes it out of the table (no new
 * users) and drops the table's reference; the mmap goes away with the
 * last reference. dev->dma_dying counts removed-but-referenced maps, and
 * dev->dma_release_efd is signalled whenever one is finally released, so
 * the protocol thread can hold an UNMAP reply without blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vus_internal.h"

#define VUS_PAGE 4096ull

void vus_dma_table_init(struct vus_dma_table *t)
{
	pthread_mutex_init(&t->lock, NULL);
	t->maps = NULL;
	t->nr = t->cap = 0;
	t->bytes = 0;
}

void vus_dma_table_fini(struct vus_dma_table *t)
{
	free(t->maps);
	t->maps = NULL;
	pthread_mutex_destroy(&t->lock);
}

/*
 * Did the client truncate the file under this map (the guard replaced it
 * with zeros)? Counted and logged once per map.
 */
static bool vus_map_check_dead(struct vus_map *m)
{
	if (!vus_guard_hit(m->guard))
		return false;
	if (!atomic_exchange(&m->dead_seen, true)) {
		atomic_fetch_add(&m->dev->st_dma_dead, 1);
		vus_log_rl(VUS_LOG_ERR,
			   "%s: the client truncated the file behind guest memory [0x%llx, +0x%llx) while it was mapped: the device now sees zeros there and DMA to it fails",
			   m->dev->desc.name, (unsigned long long)m->gpa,
			   (unsigned long long)m->len);
	}
	return true;
}

int vus_fd_seal_shrink(int fd)
{
	struct stat st;
	int seals;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;	/* device memory, not a file that can shrink */
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		return -EPERM;	/* a file without seals (tmpfs, hugetlbfs, disk) */
	if (seals & F_SEAL_SHRINK)
		return 0;
	/* QEMU's memory-backend-memfd seals by default; with seal=off (or
	 * another client) we add the seal: guest RAM never shrinks. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		return -EPERM;
	return 0;
}

static void vus_map_release(struct vus_map *m)
{
	struct vus_dev *dev = m->dev;
	uint64_t one = 1;

	vus_map_check_dead(m);
	vus_guard_del(m->guard);
	if (m->mmap_base)
		munmap(m->mmap_base, m->mmap_len);
	free(m);
	atomic_fetch_sub(&dev->dma_dying, 1);
	/* The counter is the truth; the eventfd only wakes the poller. */
	if (write(dev->dma_release_efd, &one, sizeof(one)) < 0)
		vus_log_rl(VUS_LOG_WARN, "dma release notify failed: %d", errno);
}

static void vus_map_put(struct vus_map *m)
{
	if (atomic_fetch_sub(&m->refs, 1) == 1)
		vus_map_release(m);
}

/* Index of the last map with gpa <= addr, or -1. Lock held. */
static long vus_dma_find(const struct vus_dma_table *t, uint64_t addr)
{
	long lo = 0, hi = (long)t->nr - 1, best = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (t->maps[mid]->gpa <= addr) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

int vus_dma_add(struct vus_dev *dev, uint64_t gpa, uint64_t len, uint32_t prot,
		int fd, uint64_t file_off, uint32_t max_maps,
		unsigned int *notes)
{
	struct vus_dma_table *t = &dev->dma;
	struct vus_map *m;
	long i;
	int ret = 0, mprot;

	*notes = 0;
	if (!len || (gpa | len | file_off) & (VUS_PAGE - 1) ||
	    gpa + len < gpa || file_off + len < file_off ||
	    !(prot & (VUS_DMA_FLAG_READ | VUS_DMA_FLAG_WRITE)) ||
	    (prot & ~(VUS_DMA_FLAG_READ | VUS_DMA_FLAG_WRITE)) ||
	    len > SIZE_MAX)
		return -EINVAL;
	/*
	 * Maps without an fd: QEMU sends them for RAM it cannot share (ROMs,
	 * the BIOS, VGA memory, and all guest RAM when it is not fd-backed).
	 * ROM-like windows are accepted but unreachable by the device. Guest
	 * RAM (it always starts at GPA 0; or anything bigger than a VGA
	 * window) is refused: a GPU cannot work through message DMA.
	 */
	if (fd < 0 && (gpa == 0 || len > VUS_FDLESS_MAX))
		return -ENOTSUP;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->gpa = gpa;
	m->len = len;
	m->prot = prot;
	m->dev = dev;
	m->guard = -1;
	atomic_init(&m->refs, 1);
	if (fd >= 0) {
		struct stat st;

		ret = vus_fd_seal_shrink(fd);
		if (ret == -EPERM)
			*notes |= VUS_MAP_UNSEALED;
		else if (ret)
			goto out_free;
		/* Touching a mapping past the end of its file is SIGBUS:
		 * refuse maps that reach beyond it. */
		if (fstat(fd, &st) < 0 ||
		    (S_ISREG(st.st_mode) && file_off + len > (uint64_t)st.st_size)) {
			ret = -EINVAL;
			goto out_free;
		}
		mprot = ((prot & VUS_DMA_FLAG_READ) ? PROT_READ : 0) |
			((prot & VUS_DMA_FLAG_WRITE) ? PROT_WRITE : 0);
		m->mmap_base = mmap(NULL, len, mprot, MAP_SHARED, fd,
				    (off_t)file_off);
		if (m->mmap_base == MAP_FAILED) {
			ret = -errno;
			m->mmap_base = NULL;
			vus_log_rl(VUS_LOG_WARN, "%s: DMA_MAP mmap of [0x%llx, +0x%llx) failed: %d",
				   dev->desc.name, (unsigned long long)gpa,
				   (unsigned long long)len, ret);
			goto out_free;
		}
		m->mmap_len = len;
		m->va = m->mmap_base;
		/* Sealed or not: a hugetlbfs hole can still SIGBUS. */
		m->guard = vus_guard_add(m->mmap_base, len, mprot);
		if (m->guard < 0) {
			ret = m->guard;
			m->guard = -1;
			vus_log_rl(VUS_LOG_WARN, "%s: DMA_MAP [0x%llx, +0x%llx): no truncation guard: %d",
				   dev->desc.name, (unsigned long long)gpa,
				   (unsigned long long)len, ret);
			goto out_unmap;
		}
	} else {
		*notes |= VUS_MAP_FDLESS;
	}

	pthread_mutex_lock(&t->lock);
	if (t->nr >= max_maps) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	i = vus_dma_find(t, gpa);
	/* Overlap with the predecessor or the successor? */
	if ((i >= 0 && t->maps[i]->gpa + t->maps[i]->len > gpa) ||
	    ((unsigned long)(i + 1) < t->nr && t->maps[i + 1]->gpa < gpa + len)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (t->nr == t->cap) {
		uint32_t ncap = t->cap ? t->cap * 2 : 16;
		struct vus_map **n = realloc(t->maps, ncap * sizeof(*n));

		if (!n) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		t->maps = n;
		t->cap = ncap;
	}
	memmove(&t->maps[i + 2], &t->maps[i + 1],
		(t->nr - (uint32_t)(i + 1)) * sizeof(*t->maps));
	t->maps[i + 1] = m;
	t->nr++;
	t->bytes += len;
	pthread_mutex_unlock(&t->lock);
	return 0;

out_unlock:
	pthread_mutex_unlock(&t->lock);
	vus_guard_del(m->guard);
out_unmap:
	if (m->mmap_base)
		munmap(m->mmap_base, m->mmap_len);
out_free:
	free(m);
	return ret;
}

/* Lock held. */
static void vus_dma_remove_at(struct vus_dev *dev, uint32_t i)
{
	struct vus_dma_table *t = &dev->dma;
	struct vus_map *m = t->maps[i];

	memmove(&t->maps[i], &t->maps[i + 1], (t->nr - i - 1) * sizeof(*t->maps));
	t->nr--;
	t->bytes -= m->len;
	atomic_fetch_add(&dev->dma_dying, 1);
	vus_map_put(m);
}

/*
 * Remove every map inside [gpa, gpa+len) (len 0 or a wrap: to the end of
 * the address space), like the kernel's type1 unmap: QEMU's vIOMMU path
 * unmaps whole address-space chunks, not exact maps. A map straddling an
 * edge of the range is -EINVAL and nothing is removed. Returns the number
 * of maps removed; for each, unmap(opaque, gpa, len) after removal.
 */
int vus_dma_remove_range(struct vus_dev *dev, uint64_t gpa, uint64_t len,
			 void (*unmap)(void *opaque, uint64_t gpa, uint64_t len),
			 void *opaque)
{
	struct vus_dma_table *t = &dev->dma;
	uint64_t last = len && gpa + len - 1 >= gpa ? gpa + len - 1 : UINT64_MAX;
	int n = 0;

	pthread_mutex_lock(&t->lock);
	for (uint32_t i = 0; i < t->nr; i++) {
		struct vus_map *m = t->maps[i];
		uint64_t mlast = m->gpa + m->len - 1;

		if (mlast < gpa || m->gpa > last)
			continue;
		if (m->gpa < gpa || mlast > last) {
			pthread_mutex_unlock(&t->lock);
			return -EINVAL;
		}
	}
	for (;;) {
		uint64_t mg, ml;
		uint32_t i;

		for (i = 0; i < t->nr; i++)
			if (t->maps[i]->gpa >= gpa && t->maps[i]->gpa <= last)
				break;
		if (i == t->nr)
			break;
		mg = t->maps[i]->gpa;
		ml = t->maps[i]->len;
		vus_dma_remove_at(dev, i);
		n++;
		pthread_mutex_unlock(&t->lock);
		if (unmap)
			unmap(opaque, mg, ml);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}

void vus_dma_remove_all(struct vus_dev *dev)
{
	struct vus_dma_table *t = &dev->dma;

	pthread_mutex_lock(&t->lock);
	while (t->nr)
		vus_dma_remove_at(dev, t->nr - 1);
	pthread_mutex_unlock(&t->lock);
}

int vus_dma_dying(struct vus_dev *dev)
{
	return atomic_load(&dev->dma_dying);
}

int vus_dma_get(struct vus_dev *dev, uint64_t gpa, uint64_t len, bool write,
		void **ptr, struct vus_dma_ref *ref)
{
	struct vus_dma_table *t = &dev->dma;
	struct vus_map *m;
	long i;
	int ret = -EFAULT;

	ref->priv = NULL;
	*ptr = NULL;
	if (!len || gpa + len < gpa)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	i = vus_dma_find(t, gpa);
	if (i < 0)
		goto out_unlock;
	m = t->maps[i];
	if (gpa + len > m->gpa + m->len || !m->va || vus_map_check_dead(m))
		goto out_unlock;
	if (!(m->prot & (write ? VUS_DMA_FLAG_WRITE : VUS_DMA_FLAG_READ))) {
		ret = -EACCES;
		goto out_unlock;
	}
	atomic_fetch_add(&m->refs, 1);
	*ptr = m->va + (gpa - m->gpa);
	ref->priv = m;
	ret = 0;
out_unlock:
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void vus_dma_put(struct vus_dma_ref *ref)
{
	if (ref->priv)
		vus_map_put(ref->priv);
	ref->priv = NULL;
}

/* Length of the mapped, accessible run at gpa, up to len (0: none). */
static uint64_t vus_dma_run(struct vus_dev *dev, uint64_t gpa, uint64_t len,
			    bool write)
{
	struct vus_dma_table *t = &dev->dma;
	struct vus_map *m;
	uint64_t n = 0;
	long i;

	pthread_mutex_lock(&t->lock);
	i = vus_dma_find(t, gpa);
	if (i >= 0) {
		m = t->maps[i];
		if (gpa < m->gpa + m->len && m->va && !vus_map_check_dead(m) &&
		    (m->prot & (write ? VUS_DMA_FLAG_WRITE : VUS_DMA_FLAG_READ))) {
			n = m->gpa + m->len - gpa;
			if (n > len)
				n = len;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}

static int vus_dma_copy(struct vus_dev *dev, uint64_t gpa, void *buf,
			size_t len, bool write)
{
	struct vus_dma_ref ref;
	uint8_t *b = buf;
	uint64_t n;
	void *p;
	int ret;

	if (gpa + len < gpa)
		return -EFAULT;
	/* Check the whole range first, so a bad range writes nothing. */
	for (uint64_t a = gpa, left = len; left; a += n, left -= n) {
		n = vus_dma_run(dev, a, left, write);
		if (!n)
			return -EFAULT;
	}
	while (len) {
		n = vus_dma_run(dev, gpa, len, write);
		if (!n)
			return -EFAULT;	/* unmapped meanwhile */
		ret = vus_dma_get(dev, gpa, n, write, &p, &ref);
		if (ret)
			return ret;
		if (write)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		/* Truncated under the copy: what was read is zeros, what was
		 * written is lost. */
		if (vus_map_check_dead(ref.priv)) {
			vus_dma_put(&ref);
			return -EFAULT;
		}
		vus_dma_put(&ref);
		gpa += n;
		b += n;
		len -= n;
	}
	return 0;
}

int vus_dma_read(struct vus_dev *dev, uint64_t gpa, void *buf, size_t len)
{
	return vus_dma_copy(dev, gpa, buf, len, false);
}

int vus_dma_write(struct vus_dev *dev, uint64_t gpa, const void *buf,
		  size_t len)
{
	return vus_dma_copy(dev, gpa, (void *)buf, len, true);
}
