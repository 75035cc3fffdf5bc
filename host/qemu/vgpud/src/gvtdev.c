// SPDX-License-Identifier: GPL-2.0-only
/*
 * One vGPU (host/gvt) behind one vus device.
 *
 * Regions: CONFIG, BAR0 (registers + GGTT) and BAR2 (aperture) are all
 * trapped (never mmappable), so QEMU keeps sending posted writes. Interrupts:
 * MSI (one vector) and INTx. The vGPU's display clock runs on a timer thread
 * that calls gvt_vgpu_run_timers() at the deadlines it returns.
 *
 * Guest RAM: each vus DMA map of guest RAM is mapped for the GPU at one
 * contiguous bus address, so it is also declared to gvt as a linear range
 * (gvt_vgpu_ram_linear_add): the shadow PPGTT translates entries into it by
 * an add and never pins its pages. On unmap the map leaves our table first,
 * then gvt withdraws the range (every shadow entry into it is rebuilt
 * through dma_map, which no longer finds it: scratch), and only then does
 * the bus mapping go.
 *
 * Locking: gvt serialises every entry point on the vGPU lock and calls our
 * hyp ops with it held; the ops take only `ram_lock` (guest RAM table) or
 * the vus library's own locks, never the vGPU lock, so the protocol thread
 * (MMIO) and the timer thread can both call into gvt. Order: vGPU lock, then
 * ram_lock; so we never call gvt holding ram_lock. vus calls our
 * irq_state/dma_map/dma_unmap ops without holding its locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostdrv.h"
#include "vgpud.h"
#include "vgpud_gvt.h"

#define GD_MAX_RAM 32			/* guest RAM maps we track */
#define GD_PAGE_SHIFT 12

/* One vus DMA map of guest RAM made reachable by the physical GPU. */
struct gd_ram {
	uint64_t gpa, len;
	uint64_t bus;			/* physical GPU (softgpu) DMA address */
	uint64_t refs;			/* dma_map references into it */
	struct vus_dma_ref ref;		/* keeps the vus map while registered */
	struct hdrv_dma hd;
};

struct vgpud_gvtdev {
	char name[VGPUD_NAME_MAX + 1];
	char opregion_path[512];
	struct gvt_gpu *gpu;
	struct gvt_vgpu *v;
	struct vus_dev *vus;
	struct vgpud_vnc *vnc;		/* NULL: no free port */

	/* guest RAM table (dma_map is a lookup + refcount) */
	pthread_mutex_t ram_lock;
	struct gd_ram ram[GD_MAX_RAM];
	unsigned int nr_ram;
	uint64_t dma_refs, dma_map_failures;

	/* timer thread */
	pthread_t timer;
	bool timer_started;
	pthread_mutex_t tlock;
	pthread_cond_t tcond;
	bool stop;
	atomic_bool timer_idle;		/* waiting without a deadline */
	atomic_uint_fast64_t wgen;	/* MMIO writes seen (wakes an idle timer) */
	atomic_uint_fast64_t timer_runs;

	atomic_uint_fast64_t resets, msi_sent, msi_failed;
};

/* ---- hyp ops (called by gvt with the vGPU lock held) ---- */

static int gd_gpa_read(void *priv, uint64_t gpa, void *buf, size_t len)
{
	struct vgpud_gvtdev *d = priv;

	return vus_dma_read(d->vus, gpa, buf, len) ? -EFAULT : 0;
}

static int gd_gpa_write(void *priv, uint64_t gpa, const void *buf, size_t len)
{
	struct vgpud_gvtdev *d = priv;

	return vus_dma_write(d->vus, gpa, buf, len) ? -EFAULT : 0;
}

/* ram_lock held */
static struct gd_ram *gd_ram_find(struct vgpud_gvtdev *d, uint64_t gpa)
{
	for (unsigned int i = 0; i < d->nr_ram; i++)
		if (gpa >= d->ram[i].gpa && gpa - d->ram[i].gpa < d->ram[i].len)
			return &d->ram[i];
	return NULL;
}

/*
 * A guest i915 points every unused GGTT entry at one scratch frame (~10^5
 * times at boot): this must stay a table lookup and a counter.
 */
static int gd_dma_map(void *priv, uint64_t gfn, uint64_t *dma)
{
	struct vgpud_gvtdev *d = priv;
	uint64_t gpa = gfn << GD_PAGE_SHIFT;
	struct gd_ram *r;
	int ret = -EFAULT;

	if (gfn >> (64 - GD_PAGE_SHIFT))
		return -EFAULT;
	pthread_mutex_lock(&d->ram_lock);
	r = gd_ram_find(d, gpa);
	if (r) {
		r->refs++;
		d->dma_refs++;
		*dma = r->bus + (gpa - r->gpa);
		ret = 0;
	} else {
		d->dma_map_failures++;
	}
	pthread_mutex_unlock(&d->ram_lock);
	return ret;
}

static void gd_dma_unmap(void *priv, uint64_t gfn, uint64_t dma)
{
	struct vgpud_gvtdev *d = priv;
	struct gd_ram *r;

	(void)dma;
	pthread_mutex_lock(&d->ram_lock);
	if (d->dma_refs)
		d->dma_refs--;
	/* The map may be gone already (QEMU unmapped or disconnected). */
	r = gd_ram_find(d, gfn << GD_PAGE_SHIFT);
	if (r && r->refs)
		r->refs--;
	pthread_mutex_unlock(&d->ram_lock);
}

static int gd_inject_msi(void *priv, uint64_t addr, uint32_t data)
{
	struct vgpud_gvtdev *d = priv;
	int ret = d->vus ? vus_irq_trigger(d->vus, VUS_IRQ_MSI, 0) : -ENOENT;

	(void)addr;
	(void)data;
	/* -EAGAIN: masked, the library keeps it pending for the unmask */
	if (ret && ret != -EAGAIN) {
		atomic_fetch_add(&d->msi_failed, 1);
		return ret;
	}
	atomic_fetch_add(&d->msi_sent, 1);
	return 0;
}

static void gd_set_intx(void *priv, bool level)
{
	struct vgpud_gvtdev *d = priv;

	if (d->vus)
		vus_intx_set_level(d->vus, level);
}

static void gd_log(void *priv, int level, const char *msg)
{
	static const int lv[] = { VGPUD_ERR, VGPUD_WARN, VGPUD_INFO, VGPUD_DEBUG };
	struct vgpud_gvtdev *d = priv;

	vgpud_log(level >= 0 && level <= 3 ? lv[level] : VGPUD_DEBUG, "%s: gvt: %s", d->name, msg);
}

static const struct gvt_hyp_ops gd_hyp_ops = {
	.version = GVT_OPS_VERSION,
	.gpa_read = gd_gpa_read,
	.gpa_write = gd_gpa_write,
	.dma_map = gd_dma_map,
	.dma_unmap = gd_dma_unmap,
	.inject_msi = gd_inject_msi,
	.set_intx = gd_set_intx,
	.log = gd_log,
};

/* ---- timer thread ---- */

static void gd_timer_kick(struct vgpud_gvtdev *d)
{
	atomic_fetch_add(&d->wgen, 1);
	/* Pairs with the idle store + wgen load in gd_timer_main (seq_cst). */
	if (atomic_load(&d->timer_idle)) {
		pthread_mutex_lock(&d->tlock);
		pthread_cond_signal(&d->tcond);
		pthread_mutex_unlock(&d->tlock);
	}
}

static void *gd_timer_main(void *arg)
{
	struct vgpud_gvtdev *d = arg;

	pthread_mutex_lock(&d->tlock);
	while (!d->stop) {
		uint64_t gen = atomic_load(&d->wgen), next;

		pthread_mutex_unlock(&d->tlock);
		next = gvt_vgpu_run_timers(d->v);
		atomic_fetch_add(&d->timer_runs, 1);
		pthread_mutex_lock(&d->tlock);
		if (d->stop)
			break;
		if (next == UINT64_MAX) {
			/* No pipe runs: sleep until an MMIO write may have
			 * started one (or 1 s, to stay self-healing). */
			struct timespec ts;

			atomic_store(&d->timer_idle, true);
			if (atomic_load(&d->wgen) == gen) {
				clock_gettime(CLOCK_MONOTONIC, &ts);
				ts.tv_sec += 1;
				pthread_cond_timedwait(&d->tcond, &d->tlock, &ts);
			}
			atomic_store(&d->timer_idle, false);
		} else {
			struct timespec ts = {
				.tv_sec = (time_t)(next / 1000000000u),
				.tv_nsec = (long)(next % 1000000000u),
			};

			/* gvt's clock is CLOCK_MONOTONIC (no now_ns op) */
			pthread_cond_timedwait(&d->tcond, &d->tlock, &ts);
		}
	}
	pthread_mutex_unlock(&d->tlock);
	return NULL;
}

/* ---- vus device ops (protocol thread) ---- */

static int gd_region_read(void *opaque, uint32_t region, uint64_t off, void *buf, uint32_t len)
{
	struct vgpud_gvtdev *d = opaque;

	switch (region) {
	case VUS_PCI_CONFIG_REGION:
		return gvt_vgpu_cfg_read(d->v, (uint32_t)off, buf, len);
	case VUS_PCI_BAR0_REGION:
	case VUS_PCI_BAR0_REGION + 2:
		return gvt_vgpu_mmio_read(d->v, (int)region, off, buf, len);
	default:
		return -EINVAL;
	}
}

static int gd_region_write(void *opaque, uint32_t region, uint64_t off, const void *buf,
			   uint32_t len)
{
	struct vgpud_gvtdev *d = opaque;
	int ret;

	switch (region) {
	case VUS_PCI_CONFIG_REGION:
		return gvt_vgpu_cfg_write(d->v, (uint32_t)off, buf, len);
	case VUS_PCI_BAR0_REGION:
		ret = gvt_vgpu_mmio_write(d->v, 0, off, buf, len);
		/* a register write may have started a pipe: wake an idle timer */
		if (off < GVT_MMIO_SIZE)
			gd_timer_kick(d);
		return ret;
	case VUS_PCI_BAR0_REGION + 2:
		return gvt_vgpu_mmio_write(d->v, 2, off, buf, len);
	default:
		return -EINVAL;
	}
}

static void gd_reset(void *opaque)
{
	struct vgpud_gvtdev *d = opaque;

	gvt_vgpu_reset(d->v);
	atomic_fetch_add(&d->resets, 1);
	gd_timer_kick(d);
}

static void gd_irq_state(void *opaque, uint32_t index, uint32_t start, uint32_t count)
{
	struct vgpud_gvtdev *d = opaque;
	enum gvt_irq_mode mode = GVT_IRQ_NONE;

	(void)index;
	(void)start;
	(void)count;
	/* QEMU emulates the MSI capability: SET_IRQS is the only truth. */
	if (vus_irq_enabled(d->vus, VUS_IRQ_MSI))
		mode = GVT_IRQ_MSI;
	else if (vus_irq_enabled(d->vus, VUS_IRQ_INTX))
		mode = GVT_IRQ_INTX;
	gvt_vgpu_set_irq_mode(d->v, mode);
}

static void gd_vus_dma_map(void *opaque, uint64_t gpa, uint64_t len)
{
	struct vgpud_gvtdev *d = opaque;
	struct gd_ram r = { .gpa = gpa, .len = len };
	void *ptr;
	int ret;

	if ((gpa | len) & ((1u << GD_PAGE_SHIFT) - 1))
		return;
	ret = vus_dma_get(d->vus, gpa, len, true, &ptr, &r.ref);
	if (ret)
		return;		/* fd-less window (ROM, VGA): not RAM the GPU maps */
	ret = vgpud_gvt_host_dma_map(ptr, len, &r.hd);
	if (ret) {
		vgpud_log(VGPUD_WARN, "%s: guest RAM 0x%llx+0x%llx not mappable by the GPU: %s",
			  d->name, (unsigned long long)gpa, (unsigned long long)len, strerror(-ret));
		vus_dma_put(&r.ref);
		return;
	}
	r.bus = r.hd.dma;
	pthread_mutex_lock(&d->ram_lock);
	if (d->nr_ram < GD_MAX_RAM) {
		d->ram[d->nr_ram++] = r;
		ret = 0;
	} else {
		ret = -ENOSPC;
	}
	pthread_mutex_unlock(&d->ram_lock);
	if (ret) {
		vgpud_log(VGPUD_WARN, "%s: too many guest RAM maps, 0x%llx not GPU-reachable",
			  d->name, (unsigned long long)gpa);
		vgpud_gvt_host_dma_unmap(&r.hd);
		vus_dma_put(&r.ref);
		return;
	}
	/*
	 * In the table first: pins taken until now are converted by the
	 * registration. The map stays pinned (r.ref) and at r.bus until
	 * gd_vus_dma_unmap, which withdraws the range before unmapping.
	 */
	ret = gvt_vgpu_ram_linear_add(d->v, gpa >> GD_PAGE_SHIFT, len >> GD_PAGE_SHIFT, r.bus);
	if (ret)
		vgpud_log(VGPUD_DEBUG, "%s: guest RAM 0x%llx+0x%llx pinned per page (linear range: %s)",
			  d->name, (unsigned long long)gpa, (unsigned long long)len,
			  strerror(-ret));
}

static void gd_vus_dma_unmap(void *opaque, uint64_t gpa, uint64_t len)
{
	struct vgpud_gvtdev *d = opaque;

	for (;;) {
		struct gd_ram r;
		bool found = false;

		pthread_mutex_lock(&d->ram_lock);
		for (unsigned int i = 0; i < d->nr_ram; i++) {
			if (d->ram[i].gpa >= gpa && d->ram[i].gpa - gpa < len) {
				r = d->ram[i];
				d->ram[i] = d->ram[--d->nr_ram];
				found = true;
				break;
			}
		}
		pthread_mutex_unlock(&d->ram_lock);
		if (!found)
			return;
		/*
		 * Out of the table, so the shadow PPGTT's re-pins fail (scratch):
		 * when this returns no shadow entry points into the map, in
		 * flight or not. -ENOENT: it was not a linear range.
		 */
		gvt_vgpu_ram_linear_remove(d->v, r.gpa >> GD_PAGE_SHIFT, r.len >> GD_PAGE_SHIFT);
		if (r.refs)
			vgpud_log(VGPUD_DEBUG, "%s: guest RAM 0x%llx unmapped with %llu GGTT references",
				  d->name, (unsigned long long)r.gpa, (unsigned long long)r.refs);
		/*
		 * From here the physical GPU faults on it (softgpu counts and
		 * drops its cached translations): a workload that fetched an
		 * entry before the rewrite cannot reach the pages either.
		 */
		vgpud_gvt_host_dma_unmap(&r.hd);
		vus_dma_put(&r.ref);
	}
}

static void gd_client(void *opaque, bool connected)
{
	struct vgpud_gvtdev *d = opaque;

	/* A new QEMU is a new VM boot: the device starts at power-on. */
	if (!connected) {
		gvt_vgpu_set_irq_mode(d->v, GVT_IRQ_NONE);
		gvt_vgpu_reset(d->v);
		atomic_fetch_add(&d->resets, 1);
	}
}

static const struct vus_dev_ops gd_vus_ops = {
	.region_read = gd_region_read,
	.region_write = gd_region_write,
	.reset = gd_reset,
	.irq_state = gd_irq_state,
	.dma_map = gd_vus_dma_map,
	.dma_unmap = gd_vus_dma_unmap,
	.client = gd_client,
};

static int gd_write_opregion(struct vgpud_gvtdev *d)
{
	const uint8_t *blob = gvt_vgpu_opregion(d->v);
	size_t off = 0;
	int fd, ret = 0;

	fd = open(d->opregion_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	while (off < GVT_OPREGION_SIZE) {
		ssize_t n = write(fd, blob + off, GVT_OPREGION_SIZE - off);

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		unlink(d->opregion_path);
	return ret;
}

int vgpud_gvtdev_create(struct gvt_gpu *gpu, const char *type, const char *name,
			const char *opregion_path, struct vgpud_gvtdev **out,
			char *err, size_t err_len)
{
	struct vus_dev_desc desc = {
		.name = name,
		.num_regions = VUS_PCI_NUM_REGIONS,
		.num_irqs = VUS_NUM_IRQS,
		.reset = true,
	};
	struct vgpud_gvtdev *d;
	pthread_condattr_t ca;
	int ret;

	if (strlen(opregion_path) >= sizeof(d->opregion_path)) {
		snprintf(err, err_len, "OpRegion path too long");
		return -ENAMETOOLONG;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	strcpy(d->opregion_path, opregion_path);
	d->gpu = gpu;
	pthread_mutex_init(&d->ram_lock, NULL);
	pthread_mutex_init(&d->tlock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->tcond, &ca);
	pthread_condattr_destroy(&ca);

	ret = gvt_vgpu_create(gpu, type, &gd_hyp_ops, d, &d->v);
	if (ret) {
		snprintf(err, err_len, "cannot create a %s vGPU: %s", type,
			 ret == -ENOSPC ? "no graphics memory, fences or vGPU id left (see 'vgpuctl types')" :
			 strerror(-ret));
		goto out_free;
	}
	ret = gd_write_opregion(d);
	if (ret) {
		snprintf(err, err_len, "cannot write the OpRegion to %s: %s", opregion_path,
			 strerror(-ret));
		goto out_vgpu;
	}

	desc.regions[VUS_PCI_CONFIG_REGION].size = gvt_vgpu_region_size(d->v, GVT_REGION_CONFIG);
	desc.regions[VUS_PCI_CONFIG_REGION].flags = VUS_REGION_RW;
	/* trapped, not mmappable: QEMU keeps posting writes */
	desc.regions[VUS_PCI_BAR0_REGION].size = gvt_vgpu_region_size(d->v, GVT_REGION_BAR0);
	desc.regions[VUS_PCI_BAR0_REGION].flags = VUS_REGION_RW;
	desc.regions[VUS_PCI_BAR0_REGION + 2].size = gvt_vgpu_region_size(d->v, GVT_REGION_BAR2);
	desc.regions[VUS_PCI_BAR0_REGION + 2].flags = VUS_REGION_RW;
	desc.irqs[VUS_IRQ_INTX].count = 1;
	desc.irqs[VUS_IRQ_INTX].flags = VUS_IRQ_MASKABLE | VUS_IRQ_AUTOMASKED;
	desc.irqs[VUS_IRQ_MSI].count = 1;
	desc.irqs[VUS_IRQ_MSI].flags = VUS_IRQ_NORESIZE;
	ret = vus_dev_create(&desc, &gd_vus_ops, d, &d->vus);
	if (ret) {
		snprintf(err, err_len, "cannot create the vfio-user device: %s", strerror(-ret));
		goto out_unlink;
	}
	/* no client, no trigger: nothing leaves until SET_IRQS */
	gvt_vgpu_set_irq_mode(d->v, GVT_IRQ_NONE);
	ret = vgpud_vnc_start(d->v, name, &d->vnc);
	if (ret)
		vgpud_log(VGPUD_WARN, "%s: no VNC server: %s", name, strerror(-ret));
	ret = -pthread_create(&d->timer, NULL, gd_timer_main, d);
	if (ret) {
		snprintf(err, err_len, "cannot start the timer thread: %s", strerror(-ret));
		goto out_vus;
	}
	d->timer_started = true;
	*out = d;
	return 0;

out_vus:
	vgpud_vnc_stop(d->vnc);
	vus_dev_destroy(d->vus);
out_unlink:
	unlink(d->opregion_path);
out_vgpu:
	gvt_vgpu_destroy(d->v);
out_free:
	pthread_cond_destroy(&d->tcond);
	pthread_mutex_destroy(&d->tlock);
	pthread_mutex_destroy(&d->ram_lock);
	free(d);
	return ret;
}

void vgpud_gvtdev_destroy(struct vgpud_gvtdev *d)
{
	if (!d)
		return;
	if (d->timer_started) {
		pthread_mutex_lock(&d->tlock);
		d->stop = true;
		pthread_cond_signal(&d->tcond);
		pthread_mutex_unlock(&d->tlock);
		pthread_join(d->timer, NULL);
	}
	vgpud_vnc_stop(d->vnc);
	/* Disconnects the client: every RAM map comes back through dma_unmap. */
	vus_dev_destroy(d->vus);
	gvt_vgpu_destroy(d->v);
	/* Whatever a disconnect did not return (none expected). */
	while (d->nr_ram) {
		struct gd_ram *r = &d->ram[--d->nr_ram];

		vgpud_gvt_host_dma_unmap(&r->hd);
		vus_dma_put(&r->ref);
	}
	unlink(d->opregion_path);
	pthread_cond_destroy(&d->tcond);
	pthread_mutex_destroy(&d->tlock);
	pthread_mutex_destroy(&d->ram_lock);
	free(d);
}

struct vus_dev *vgpud_gvtdev_vus(struct vgpud_gvtdev *d)
{
	return d->vus;
}

struct gvt_vgpu *vgpud_gvtdev_vgpu(struct vgpud_gvtdev *d)
{
	return d->v;
}

const char *vgpud_gvtdev_opregion_path(struct vgpud_gvtdev *d)
{
	return d->opregion_path;
}

void vgpud_gvtdev_status(struct vgpud_gvtdev *d, struct vgpud_gvtdev_status *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&d->ram_lock);
	st->dma_refs = d->dma_refs;
	st->dma_map_failures = d->dma_map_failures;
	st->ram_regions = d->nr_ram;
	pthread_mutex_unlock(&d->ram_lock);
	st->resets = atomic_load(&d->resets);
	st->msi_sent = atomic_load(&d->msi_sent);
	st->msi_failed = atomic_load(&d->msi_failed);
	st->timer_runs = atomic_load(&d->timer_runs);
	st->vnc_port = vgpud_vnc_port(d->vnc);
	vgpud_vnc_stats(d->vnc, &st->vnc_viewers, &st->vnc_frames);
}
