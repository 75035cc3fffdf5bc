// SPDX-License-Identifier: GPL-2.0-only
/* vus internals: wire layouts, device and connection state. */
#ifndef VUS_INTERNAL_H
#define VUS_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "vus.h"

/* ---- wire protocol (host endian; offsets per docs/interop/vfio-user.rst) ---- */

enum vus_cmd {
	VUS_CMD_VERSION = 1,
	VUS_CMD_DMA_MAP = 2,
	VUS_CMD_DMA_UNMAP = 3,
	VUS_CMD_DEVICE_GET_INFO = 4,
	VUS_CMD_DEVICE_GET_REGION_INFO = 5,
	VUS_CMD_DEVICE_GET_REGION_IO_FDS = 6,
	VUS_CMD_DEVICE_GET_IRQ_INFO = 7,
	VUS_CMD_DEVICE_SET_IRQS = 8,
	VUS_CMD_REGION_READ = 9,
	VUS_CMD_REGION_WRITE = 10,
	VUS_CMD_DMA_READ = 11,
	VUS_CMD_DMA_WRITE = 12,
	VUS_CMD_DEVICE_RESET = 13,
	VUS_CMD_REGION_WRITE_MULTI = 15,
	VUS_CMD_MAX = 19,
};

#define VUS_F_TYPE_MASK		0xfu
#define VUS_F_TYPE_COMMAND	0u
#define VUS_F_TYPE_REPLY	1u
#define VUS_F_NO_REPLY		(1u << 4)
#define VUS_F_ERROR		(1u << 5)

struct vus_hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t size;		/* whole message, header included */
	uint32_t flags;
	uint32_t error;		/* positive errno in replies with VUS_F_ERROR */
};
static_assert(sizeof(struct vus_hdr) == 16, "vfio-user header is 16 bytes");

struct vus_version {
	uint16_t major;
	uint16_t minor;
	/* char json[] follows, NUL terminated */
};
static_assert(sizeof(struct vus_version) == 4, "VERSION payload head");

#define VUS_DMA_FLAG_READ	(1u << 0)
#define VUS_DMA_FLAG_WRITE	(1u << 1)
#define VUS_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP (1u << 0)
#define VUS_DMA_UNMAP_FLAG_ALL	(1u << 1)

struct vus_dma_map {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset;	/* file offset in the passed fd */
	uint64_t addr;		/* IOVA */
	uint64_t size;
};
static_assert(sizeof(struct vus_dma_map) == 32, "DMA_MAP payload");
static_assert(offsetof(struct vus_dma_map, addr) == 16, "DMA_MAP addr");

struct vus_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
};
static_assert(sizeof(struct vus_dma_unmap) == 24, "DMA_UNMAP payload");

#define VUS_DEVICE_FLAGS_RESET	(1u << 0)
#define VUS_DEVICE_FLAGS_PCI	(1u << 1)

struct vus_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
};
static_assert(sizeof(struct vus_device_info) == 16, "DEVICE_GET_INFO payload");

#define VUS_REGION_INFO_FLAG_CAPS (1u << 3)
#define VUS_REGION_CAP_SPARSE_MMAP 1
#define VUS_REGION_CAP_TYPE	2

struct vus_region_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t cap_offset;	/* from the start of this struct */
	uint64_t size;
	uint64_t offset;	/* mmap offset in the reply's fd */
};
static_assert(sizeof(struct vus_region_info) == 32, "GET_REGION_INFO payload");
static_assert(offsetof(struct vus_region_info, size) == 16, "region size");

struct vus_cap_hdr {
	uint16_t id;
	uint16_t version;
	uint32_t next;		/* from the start of the region info; 0 ends */
};
static_assert(sizeof(struct vus_cap_hdr) == 8, "info cap header");

struct vus_cap_sparse {
	struct vus_cap_hdr hdr;
	uint32_t nr_areas;
	uint32_t reserved;
	/* struct vus_sparse_area areas[] */
};
static_assert(sizeof(struct vus_cap_sparse) == 16, "sparse mmap cap");
static_assert(sizeof(struct vus_sparse_area) == 16, "sparse area");

struct vus_cap_type {
	struct vus_cap_hdr hdr;
	uint32_t type;
	uint32_t subtype;
};
static_assert(sizeof(struct vus_cap_type) == 16, "type cap");

#define VUS_IRQ_INFO_EVENTFD	(1u << 0)

struct vus_irq_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
};
static_assert(sizeof(struct vus_irq_info) == 16, "GET_IRQ_INFO payload");

#define VUS_IRQ_SET_DATA_NONE	(1u << 0)
#define VUS_IRQ_SET_DATA_BOOL	(1u << 1)
#define VUS_IRQ_SET_DATA_EVENTFD (1u << 2)
#define VUS_IRQ_SET_DATA_MASK	0x7u
#define VUS_IRQ_SET_ACTION_MASK	(1u << 3)
#define VUS_IRQ_SET_ACTION_UNMASK (1u << 4)
#define VUS_IRQ_SET_ACTION_TRIGGER (1u << 5)
#define VUS_IRQ_SET_ACTION_MASKS 0x38u

struct vus_irq_set {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t start;
	uint32_t count;
	/* u8 data[] for DATA_BOOL */
};
static_assert(sizeof(struct vus_irq_set) == 20, "SET_IRQS payload head");

struct vus_region_access {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	/* u8 data[] */
};
static_assert(sizeof(struct vus_region_access) == 16, "REGION_READ/WRITE head");

#define VUS_WRITE_MULTI_MAX	200
#define VUS_WRITE_MULTI_DATA	8

struct vus_write_multi_entry {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	uint8_t data[VUS_WRITE_MULTI_DATA];
};
static_assert(sizeof(struct vus_write_multi_entry) == 24, "WRITE_MULTI entry");

/* ---- limits ---- */

#define VUS_MAX_DATA_XFER	(1u << 20)	/* what we offer and default to */
#define VUS_MAX_MSG_FDS		16		/* what we accept per message */
#define VUS_DEF_MAX_DMA_MAPS	65535
/* Largest message we read: a full-size REGION_WRITE (header, access head,
 * data) or a full WRITE_MULTI; anything larger closes the connection. */
#define VUS_MAX_MSG_SIZE	(sizeof(struct vus_hdr) + \
				 sizeof(struct vus_region_access) + \
				 VUS_MAX_DATA_XFER)
#define VUS_MAX_VERSION_JSON	4096

/* ---- negotiated capabilities (vus_caps.c) ---- */

struct vus_caps {
	uint32_t max_msg_fds;
	uint64_t max_data_xfer_size;
	uint64_t pgsizes;
	uint32_t max_dma_maps;
	bool write_multiple;
};

/* Parse the client's JSON (NULL/empty: spec defaults) and compute what we
 * accept; writes our reply JSON into out (NUL terminated). */
int vus_caps_negotiate(const char *json, size_t len, struct vus_caps *caps,
		       char *out, size_t out_len);

/* ---- guest memory maps (vus_dma.c) ---- */

struct vus_map {
	uint64_t gpa;
	uint64_t len;
	uint8_t *va;		/* points at gpa inside the mmap */
	void *mmap_base;
	size_t mmap_len;
	uint32_t prot;		/* VUS_DMA_FLAG_* */
	atomic_int refs;	/* the table's ref + vus_dma_get() refs */
	int guard;		/* truncation guard slot, -1: none */
	atomic_bool dead_seen;	/* guard hit already counted and logged */
	struct vus_dev *dev;
};

struct vus_dma_table {
	pthread_mutex_t lock;
	struct vus_map **maps;	/* sorted by gpa, non-overlapping */
	uint32_t nr;
	uint32_t cap;
	uint64_t bytes;
};

void vus_dma_table_init(struct vus_dma_table *t);
void vus_dma_table_fini(struct vus_dma_table *t);
/* What vus_dma_add() noticed, for the caller's once-per-connection log. */
#define VUS_MAP_FDLESS		(1u << 0)	/* accepted without an fd */
#define VUS_MAP_UNSEALED	(1u << 1)	/* fd not sealed against shrinking */
int vus_dma_add(struct vus_dev *dev, uint64_t gpa, uint64_t len, uint32_t prot,
		int fd, uint64_t file_off, uint32_t max_maps,
		unsigned int *notes);
/* Largest fd-less map accepted (ROM and VGA windows); guest RAM is more. */
#define VUS_FDLESS_MAX		(16ull << 20)
/* Shrink-seal fd if it is a sealable file: 0 if it cannot shrink now,
 * -EPERM if it is a file that can, -errno on other trouble. */
int vus_fd_seal_shrink(int fd);
int vus_dma_remove_range(struct vus_dev *dev, uint64_t gpa, uint64_t len,
			 void (*unmap)(void *opaque, uint64_t gpa, uint64_t len),
			 void *opaque);
void vus_dma_remove_all(struct vus_dev *dev);
/* Maps removed from the table but still referenced. */
int vus_dma_dying(struct vus_dev *dev);

/* ---- truncation guard (vus_guard.c) ---- */

/* Guard [base, base+len), mapped with prot: a SIGBUS inside it replaces
 * the range with anonymous memory. Returns a slot number or -errno. */
int vus_guard_add(void *base, size_t len, int prot);
/* Has the range been replaced (the file was truncated under it)? */
bool vus_guard_hit(int slot);
/* Unguard; call before munmap. */
void vus_guard_del(int slot);

/* ---- interrupts (vus_irq.c) ---- */

struct vus_irq_vec {
	int efd;		/* -1: none */
	bool masked;
	bool pending;
};

struct vus_irq_state {
	uint32_t count;
	struct vus_irq_vec *vec;
};

/* ---- device and connection ---- */

struct vus_conn;

struct vus_dev {
	struct vus_dev_desc desc;	/* desc.name points at name[] */
	char name[64];
	const struct vus_dev_ops *ops;
	void *opaque;

	struct vus_dma_table dma;
	/* Written (+1) whenever a dying map is finally released. */
	int dma_release_efd;
	atomic_int dma_dying;

	pthread_mutex_t irq_lock;
	struct vus_irq_state irqs[VUS_NUM_IRQS];
	bool intx_level;
	int intx_resample_efd;	/* -1: none */

	pthread_mutex_t conn_lock;
	pthread_cond_t conn_cond;
	struct vus_conn *conn;	/* the current client or NULL */
	struct vus_conn *old_conn; /* finished client, thread to join */
	bool stopping;

	int listen_fd;
	int stop_efd;		/* wakes the acceptor on destroy */
	char *listen_path;
	pthread_t acceptor;
	bool acceptor_running;

	atomic_ulong st_connections;
	atomic_ulong st_messages;
	atomic_ulong st_bad;
	atomic_ulong st_irqs;
	atomic_ulong st_dma_dead;
};

/* A message being handled: input, and the reply being built. */
struct vus_msg {
	const struct vus_hdr *hdr;
	const uint8_t *payload;
	size_t payload_len;
	int *fds;		/* received fds; handlers take ownership by
				 * setting the slot to -1 */
	unsigned int nfds;

	uint8_t *reply;		/* reply payload buffer */
	size_t reply_cap;
	size_t reply_len;
	int reply_fd;		/* -1, or one fd to send (owned: closed after) */
	bool pending_unmap;	/* defer the reply until dying maps are gone */
	bool close_conn;	/* protocol violation: drop the connection */
};

struct vus_conn {
	struct vus_dev *dev;
	int fd;
	bool versioned;
	/* Client-triggered notes already logged on this connection. */
	bool logged_fdless, logged_fdless_ram, logged_unsealed;
	struct vus_caps caps;
	pthread_t thread;
	/* Received bytes: the message being handled first, possibly the
	 * start of later ones (vus_conn_recv reads ahead). */
	uint8_t *rxbuf;
	size_t rx_len;
	/* fds that arrived with a later message in rxbuf, at rx_fds_off. */
	int rx_fds[VUS_MAX_MSG_FDS];
	unsigned int rx_nfds;
	size_t rx_fds_off;
	uint8_t *txbuf;
};

/* Handle one complete message (vus_proto.c). Returns 0 with the reply in
 * msg (reply_len bytes), or a positive errno for an error reply. Sets
 * msg->close_conn for violations that end the connection. */
int vus_msg_handle(struct vus_conn *c, struct vus_msg *msg);
/* Validate a header as received; 0 or positive errno (closes the conn). */
int vus_hdr_check(const struct vus_hdr *hdr);

/* vus_irq.c */
int vus_irqs_init(struct vus_dev *dev);
void vus_irqs_fini(struct vus_dev *dev);
int vus_irq_set(struct vus_dev *dev, const struct vus_irq_set *set,
		const uint8_t *data, size_t data_len, int *fds,
		unsigned int nfds);
void vus_irqs_drop_client(struct vus_dev *dev);
void vus_intx_resample(struct vus_dev *dev);

/* vus_log.c */
void vus_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Rate limited per call site: every line a client or guest can trigger
 * goes through vus_log_rl(). */
struct vus_ratelimit {
	atomic_long window;	/* start of the current window (s), 0: none */
	atomic_int count;	/* lines in the window */
	atomic_int missed;	/* dropped in the window */
};
void vus_log_ratelimited(struct vus_ratelimit *rl, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define vus_log_rl(level, ...) do {					\
		static struct vus_ratelimit vus_rl_site_;			\
		vus_log_ratelimited(&vus_rl_site_, (level), __VA_ARGS__);	\
	} while (0)

#define VUS_LOG_ERR 3
#define VUS_LOG_WARN 4
#define VUS_LOG_INFO 6
#define VUS_LOG_DEBUG 7

/* Connection helpers for tests and the fuzzer (vus_conn.c). */
struct vus_conn *vus_conn_new(struct vus_dev *dev, int fd);
void vus_conn_free(struct vus_conn *c);
/* Make the next complete message rxbuf[0..hdr.size), with its fds (the
 * caller owns them). 0, -ECONNRESET on EOF, -errno; the connection is
 * unusable after an error. */
int vus_conn_recv(struct vus_conn *c, int *fds, unsigned int *nfds);
/* Drop the message handled last from rxbuf. */
void vus_conn_consume(struct vus_conn *c);

#endif /* VUS_INTERNAL_H */
