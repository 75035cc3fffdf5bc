// SPDX-License-Identifier: GPL-2.0-only
/*
 * vus: a vfio-user server library (the protocol of QEMU's
 * docs/interop/vfio-user.rst, as spoken by QEMU >= 10.1 `vfio-user-pci`).
 *
 * One struct vus_dev is one PCI device model. The model describes its
 * regions and interrupts once (struct vus_dev_desc) and handles accesses
 * through a const ops table (struct vus_dev_ops). The library owns the
 * sockets: one protocol thread per client connection, at most one client
 * per device at a time. A client disconnect drops the guest-memory maps
 * and the eventfds but keeps the device (the model's state is untouched),
 * so a new client gets a working device.
 *
 * Threading contract:
 *  - Ops are called on the protocol thread. They must be quick: register
 *    state only, never wait for guest memory or long device work. Work
 *    (DMA, command parsing) belongs on the model's own worker threads.
 *  - vus_irq_*() and vus_dma_*() may be called from any thread, at any
 *    time, also while no client is connected (they then fail safely).
 *  - Guest memory is reached only through vus_dma_*(): a pointer from
 *    vus_dma_get() stays valid until vus_dma_put(), even if the client
 *    unmaps the range meanwhile; the client's UNMAP is answered only once
 *    every such reference is gone. Hold references briefly.
 *
 * All functions return 0 (or a count) on success and -errno on failure.
 */
#ifndef VUS_H
#define VUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Region indexes (VFIO_PCI_*_REGION_INDEX). Indexes >= 9 are device specific. */
enum {
	VUS_PCI_BAR0_REGION = 0,
	VUS_PCI_BAR5_REGION = 5,
	VUS_PCI_ROM_REGION = 6,
	VUS_PCI_CONFIG_REGION = 7,
	VUS_PCI_VGA_REGION = 8,
	VUS_PCI_NUM_REGIONS = 9,
	VUS_MAX_REGIONS = 16,
};

/* Interrupt indexes (VFIO_PCI_*_IRQ_INDEX). */
enum {
	VUS_IRQ_INTX = 0,
	VUS_IRQ_MSI = 1,
	VUS_IRQ_MSIX = 2,
	VUS_IRQ_ERR = 3,
	VUS_IRQ_REQ = 4,
	VUS_NUM_IRQS = 5,
	VUS_MAX_IRQ_VECTORS = 2048,
};

/* struct vus_region.flags (same bits as VFIO_REGION_INFO_FLAG_*). */
#define VUS_REGION_READ		(1u << 0)
#define VUS_REGION_WRITE	(1u << 1)
#define VUS_REGION_RW		(VUS_REGION_READ | VUS_REGION_WRITE)
/* The client may mmap the region (or its sparse areas) from mmap_fd. */
#define VUS_REGION_MMAP		(1u << 2)

/* struct vus_irq.flags (same bits as VFIO_IRQ_INFO_*); EVENTFD is implied. */
#define VUS_IRQ_MASKABLE	(1u << 1)
#define VUS_IRQ_AUTOMASKED	(1u << 2)
#define VUS_IRQ_NORESIZE	(1u << 3)

#define VUS_MAX_SPARSE_AREAS 8

struct vus_sparse_area {
	uint64_t offset;
	uint64_t size;
};

struct vus_region {
	uint64_t size;			/* 0: region absent */
	uint32_t flags;			/* VUS_REGION_* */
	/* VUS_REGION_MMAP: the fd the client mmaps (the library dup()s it
	 * into each reply; the caller keeps ownership) and its file offset.
	 * A regular file must not be able to shrink (a client could SIGBUS
	 * the model's own mapping): vus_dev_create() seals a memfd made with
	 * MFD_ALLOW_SEALING (F_SEAL_SHRINK) and refuses other files. */
	int mmap_fd;
	uint64_t mmap_offset;
	/* Optional: only these areas are mmappable, the rest traps. */
	uint32_t nr_sparse;
	struct vus_sparse_area sparse[VUS_MAX_SPARSE_AREAS];
	/* Device-specific regions (index >= 9): VFIO region type/subtype. */
	uint32_t type;
	uint32_t subtype;
};

struct vus_irq {
	uint32_t count;			/* vectors; 0: index absent */
	uint32_t flags;			/* VUS_IRQ_* */
};

struct vus_dev_desc {
	const char *name;		/* for log lines (copied) */
	uint32_t num_regions;		/* >= VUS_PCI_NUM_REGIONS, <= VUS_MAX_REGIONS */
	struct vus_region regions[VUS_MAX_REGIONS];
	uint32_t num_irqs;		/* <= VUS_NUM_IRQS */
	struct vus_irq irqs[VUS_NUM_IRQS];
	bool reset;			/* advertise DEVICE_RESET (ops->reset) */
};

/*
 * The device model. Every op is optional except region_read/region_write.
 * The config space (VUS_PCI_CONFIG_REGION) reaches region_read/region_write
 * like any BAR; the model owns its whole config space.
 */
struct vus_dev_ops {
	/* Access [off, off+len) of region; len <= 1 MiB, inside the region.
	 * Return 0 or -errno (the client gets an error reply; a posted write
	 * is dropped). */
	int (*region_read)(void *opaque, uint32_t region, uint64_t off,
			   void *buf, uint32_t len);
	int (*region_write)(void *opaque, uint32_t region, uint64_t off,
			    const void *buf, uint32_t len);
	/* DEVICE_RESET from the client. */
	void (*reset)(void *opaque);
	/* SET_IRQS changed index: eventfds (de)assigned or mask state changed
	 * for vectors [start, start+count). Query with vus_irq_enabled(). */
	void (*irq_state)(void *opaque, uint32_t index, uint32_t start,
			  uint32_t count);
	/* Guest memory [gpa, gpa+len) became reachable / went away: one call
	 * per map (an UNMAP covering several maps gives several calls; a
	 * client disconnect unmaps everything). On unmap the range is already
	 * unreachable for new vus_dma_get(); references taken before stay
	 * valid until put, and the client's UNMAP is answered after that. */
	void (*dma_map)(void *opaque, uint64_t gpa, uint64_t len);
	void (*dma_unmap)(void *opaque, uint64_t gpa, uint64_t len);
	/* A client connected (true) or went away (false). */
	void (*client)(void *opaque, bool connected);
};

struct vus_dev;

/* Logging: levels as syslog (3 err, 4 warning, 6 info, 7 debug). The
 * default sink writes "<level>vus: ..." lines to stderr (journal style). */
typedef void (*vus_log_fn)(int level, const char *msg);
void vus_log_set(vus_log_fn fn, int max_level);

/* Create a device; desc is copied, ops and opaque must outlive it. */
int vus_dev_create(const struct vus_dev_desc *desc,
		   const struct vus_dev_ops *ops, void *opaque,
		   struct vus_dev **out);
/* Close the listener and the client, join every library thread, free. */
void vus_dev_destroy(struct vus_dev *dev);

/* Listen on a UNIX socket at path (an old socket file is replaced). An
 * acceptor thread hands each connection to a new protocol thread; a
 * second client while one is connected is refused (closed). */
int vus_dev_listen(struct vus_dev *dev, const char *path);
/* Serve an already connected socket (takes ownership of fd, also on
 * error). -EBUSY while another client is connected. */
int vus_dev_attach_fd(struct vus_dev *dev, int fd);
/* Drop the current client, if any (as if it disconnected). */
void vus_dev_kick(struct vus_dev *dev);

struct vus_dev_stats {
	bool connected;
	uint32_t nr_maps;
	uint64_t mapped_bytes;
	uint64_t connections;		/* clients served so far */
	uint64_t messages;		/* messages handled */
	uint64_t bad_messages;		/* errors replied or connections closed */
	uint64_t irqs;			/* eventfd signals sent */
	/* Maps whose file the client truncated while mapped (now zeros:
	 * see vus_dma_get). */
	uint64_t dma_truncated;
};
void vus_dev_stats(struct vus_dev *dev, struct vus_dev_stats *st);

/* Interrupts. MSI/MSI-X: signal vector's eventfd (-ENOENT if none is
 * assigned, -EAGAIN if masked; a masked vector is remembered pending and
 * fires on unmask). INTx: VUS_IRQ_INTX with vector 0 asserts the line
 * (see vus_intx_set_level). */
int vus_irq_trigger(struct vus_dev *dev, uint32_t index, uint32_t vector);
/* INTx is level triggered: level 1 fires the eventfd and auto-masks (VFIO
 * semantics); when the client unmasks (UNMASK or its resample eventfd)
 * while the level is still 1, it fires again. */
int vus_intx_set_level(struct vus_dev *dev, bool level);
/* Number of vectors of index with an eventfd assigned (0: disabled). */
uint32_t vus_irq_enabled(struct vus_dev *dev, uint32_t index);

/*
 * Guest memory (GPA = IOVA, as QEMU maps it without a vIOMMU). Maps need
 * an fd (guest RAM without one is refused: -ENOTSUP to the client). A
 * memfd is sealed against shrinking at DMA_MAP (F_SEAL_SHRINK added if the
 * client did not); should the client still truncate a file under a map
 * (a file that cannot be sealed), the process is not killed by SIGBUS:
 * the library's SIGBUS handler replaces that map with zeros, the access
 * completes, and from then on vus_dma_*() fail with -EFAULT for it. The
 * handler chains to the one installed before it for other faults.
 */
struct vus_dma_ref {
	void *priv;
};
/* Pointer to [gpa, gpa+len), which must lie inside one DMA map with the
 * access (write: needs a writable map). Holds the map until put. */
int vus_dma_get(struct vus_dev *dev, uint64_t gpa, uint64_t len, bool write,
		void **ptr, struct vus_dma_ref *ref);
void vus_dma_put(struct vus_dma_ref *ref);
/* Copy to/from guest memory; may span adjacent maps. -EFAULT outside
 * the maps (nothing is written then for vus_dma_write). */
int vus_dma_read(struct vus_dev *dev, uint64_t gpa, void *buf, size_t len);
int vus_dma_write(struct vus_dev *dev, uint64_t gpa, const void *buf,
		  size_t len);

#endif /* VUS_H */
