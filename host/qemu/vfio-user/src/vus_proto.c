// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-user message handling: validate every field of one received
 * message and act on it. No socket I/O here (vus_conn.c does that), so the
 * fuzzer can drive this directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vus_internal.h"

int vus_hdr_check(const struct vus_hdr *hdr)
{
	if (hdr->size < sizeof(*hdr) || hdr->size > VUS_MAX_MSG_SIZE)
		return EMSGSIZE;
	/* We never send commands, so we never expect replies. */
	if ((hdr->flags & VUS_F_TYPE_MASK) != VUS_F_TYPE_COMMAND)
		return EPROTO;
	return 0;
}

/* Every fd we accept must be an eventfd: anything else (a pipe, a socket)
 * could block the writer. */
static bool vus_fd_is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

static int vus_reply_room(struct vus_msg *msg, size_t len)
{
	if (len > msg->reply_cap)
		return ENOSPC;
	msg->reply_len = len;
	return 0;
}

static int vus_handle_version(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_version v;
	const char *json = NULL;
	size_t jlen = 0, n;
	char out[512];
	int ret;

	if (msg->payload_len < sizeof(v))
		return EINVAL;
	memcpy(&v, msg->payload, sizeof(v));
	if (msg->payload_len > sizeof(v)) {
		json = (const char *)msg->payload + sizeof(v);
		jlen = msg->payload_len - sizeof(v);
		/* The JSON must be NUL terminated inside the message. */
		n = strnlen(json, jlen);
		if (n == jlen || jlen > VUS_MAX_VERSION_JSON)
			return EINVAL;
		jlen = n;
	}
	if (v.major != 0) {
		msg->close_conn = true;
		return ENOTSUP;
	}
	ret = vus_caps_negotiate(json, jlen, &c->caps, out, sizeof(out));
	if (ret) {
		/* The spec: a server that cannot work with the client's
		 * capabilities closes the connection. */
		msg->close_conn = true;
		return -ret;
	}
	n = strlen(out) + 1;
	if (vus_reply_room(msg, sizeof(v) + n))
		return ENOSPC;
	v.major = 0;
	v.minor = 0;	/* we implement minor 0; never more than proposed */
	memcpy(msg->reply, &v, sizeof(v));
	memcpy(msg->reply + sizeof(v), out, n);
	c->versioned = true;
	vus_log_rl(VUS_LOG_INFO, "%s: client version %u.%u, caps %s", c->dev->desc.name,
		v.major, v.minor, out);
	return 0;
}

static int vus_handle_dma_map(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_dev *dev = c->dev;
	struct vus_dma_map m;
	unsigned int notes;
	int ret;

	if (msg->payload_len < sizeof(m))
		return EINVAL;
	memcpy(&m, msg->payload, sizeof(m));
	if (m.argsz < sizeof(m) || msg->nfds > 1)
		return EINVAL;
	if (!msg->nfds && m.offset)
		return EINVAL;
	ret = vus_dma_add(dev, m.addr, m.size, m.flags,
			  msg->nfds ? msg->fds[0] : -1, m.offset,
			  c->caps.max_dma_maps, &notes);
	/* QEMU sends several maps of each kind per boot and again on every
	 * reconnect: one line per connection (and rate limited, against a
	 * client that reconnects in a loop). */
	if (ret == -ENOTSUP && !c->logged_fdless_ram) {
		c->logged_fdless_ram = true;
		vus_log_rl(VUS_LOG_ERR,
			   "%s: guest memory [0x%llx, +0x%llx) has no fd: a GPU cannot work through message DMA; back guest RAM with memory-backend-memfd (or memory-backend-file,share=on) (refusing every such map of this client)",
			   dev->desc.name, (unsigned long long)m.addr,
			   (unsigned long long)m.size);
	}
	if (ret)
		return -ret;
	if ((notes & VUS_MAP_FDLESS) && !c->logged_fdless) {
		c->logged_fdless = true;
		vus_log_rl(VUS_LOG_INFO,
			   "%s: fd-less DMA_MAP [0x%llx, +0x%llx) (ROM or VGA window): not reachable by the device (further ones of this client not logged)",
			   dev->desc.name, (unsigned long long)m.addr,
			   (unsigned long long)m.size);
	}
	if ((notes & VUS_MAP_UNSEALED) && !c->logged_unsealed) {
		c->logged_unsealed = true;
		vus_log_rl(VUS_LOG_INFO,
			   "%s: guest memory fd of [0x%llx, +0x%llx) cannot be sealed against shrinking (memory-backend-file?): guarded, a truncation reads as zeros",
			   dev->desc.name, (unsigned long long)m.addr,
			   (unsigned long long)m.size);
	}
	if (dev->ops->dma_map)
		dev->ops->dma_map(dev->opaque, m.addr, m.size);
	return 0;
}

static int vus_handle_dma_unmap(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_dev *dev = c->dev;
	struct vus_dma_unmap u;
	int ret;

	if (msg->payload_len < sizeof(u) || msg->nfds)
		return EINVAL;
	memcpy(&u, msg->payload, sizeof(u));
	if (u.argsz < sizeof(u))
		return EINVAL;
	if (u.flags & ~VUS_DMA_UNMAP_FLAG_ALL)
		return ENOTSUP;	/* no dirty bitmaps: no migration */
	/* FLAG_ALL: the whole space. Otherwise every map inside the range
	 * (an exact map, or a vIOMMU chunk covering several or none). */
	if (u.flags & VUS_DMA_UNMAP_FLAG_ALL)
		ret = vus_dma_remove_range(dev, 0, 0, dev->ops->dma_unmap, dev->opaque);
	else if (!u.size)
		return EINVAL;
	else
		ret = vus_dma_remove_range(dev, u.addr, u.size, dev->ops->dma_unmap,
					   dev->opaque);
	if (ret < 0)
		return -ret;
	if (vus_reply_room(msg, sizeof(u)))
		return ENOSPC;
	u.argsz = sizeof(u);
	memcpy(msg->reply, &u, sizeof(u));
	/* Reply only when no device thread uses a removed range any more. */
	msg->pending_unmap = vus_dma_dying(dev) > 0;
	return 0;
}

static int vus_handle_device_info(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_device_info info;

	if (msg->payload_len < sizeof(info) || msg->nfds)
		return EINVAL;
	memcpy(&info, msg->payload, sizeof(info));
	if (info.argsz < sizeof(info))
		return EINVAL;
	info.argsz = sizeof(info);
	info.flags = VUS_DEVICE_FLAGS_PCI |
		     (c->dev->desc.reset ? VUS_DEVICE_FLAGS_RESET : 0);
	info.num_regions = c->dev->desc.num_regions;
	info.num_irqs = c->dev->desc.num_irqs;
	if (vus_reply_room(msg, sizeof(info)))
		return ENOSPC;
	memcpy(msg->reply, &info, sizeof(info));
	return 0;
}

static int vus_handle_region_info(struct vus_conn *c, struct vus_msg *msg)
{
	const struct vus_region *r;
	struct vus_region_info info;
	struct vus_cap_sparse sp;
	struct vus_cap_type ty;
	size_t need, sp_off = 0, ty_off = 0, sp_len = 0;
	uint32_t argsz;

	if (msg->payload_len < sizeof(info) || msg->nfds)
		return EINVAL;
	memcpy(&info, msg->payload, sizeof(info));
	argsz = info.argsz;
	if (argsz < sizeof(info) || info.index >= c->dev->desc.num_regions)
		return EINVAL;
	r = &c->dev->desc.regions[info.index];

	need = sizeof(info);
	if ((r->flags & VUS_REGION_MMAP) && r->nr_sparse) {
		sp_off = need;
		sp_len = sizeof(sp) + r->nr_sparse * sizeof(struct vus_sparse_area);
		need += sp_len;
	}
	if (r->type) {
		ty_off = need;
		need += sizeof(ty);
	}
	memset(&info, 0, sizeof(info));
	info.index = (uint32_t)(r - c->dev->desc.regions);
	info.argsz = (uint32_t)need;
	info.size = r->size;
	info.flags = r->size ? (r->flags & (VUS_REGION_RW | VUS_REGION_MMAP)) : 0;
	info.offset = (r->flags & VUS_REGION_MMAP) ? r->mmap_offset : 0;
	if (need > argsz) {
		/* Too small: say how much is needed; the client retries. No
		 * CAPS flag without caps: QEMU rejects CAPS with cap_offset 0. */
		if (vus_reply_room(msg, sizeof(info)))
			return ENOSPC;
		memcpy(msg->reply, &info, sizeof(info));
		return 0;
	}
	if (vus_reply_room(msg, need))
		return ENOSPC;
	if (need > sizeof(info))
		info.flags |= VUS_REGION_INFO_FLAG_CAPS;
	if (sp_off) {
		memset(&sp, 0, sizeof(sp));
		sp.hdr.id = VUS_REGION_CAP_SPARSE_MMAP;
		sp.hdr.version = 1;
		sp.hdr.next = (uint32_t)ty_off;
		sp.nr_areas = r->nr_sparse;
		memcpy(msg->reply + sp_off, &sp, sizeof(sp));
		memcpy(msg->reply + sp_off + sizeof(sp), r->sparse,
		       r->nr_sparse * sizeof(struct vus_sparse_area));
	}
	if (ty_off) {
		memset(&ty, 0, sizeof(ty));
		ty.hdr.id = VUS_REGION_CAP_TYPE;
		ty.hdr.version = 1;
		ty.type = r->type;
		ty.subtype = r->subtype;
		memcpy(msg->reply + ty_off, &ty, sizeof(ty));
	}
	info.cap_offset = sp_off ? (uint32_t)sp_off : (uint32_t)ty_off;
	memcpy(msg->reply, &info, sizeof(info));
	if ((r->flags & VUS_REGION_MMAP) && r->size) {
		msg->reply_fd = fcntl(r->mmap_fd, F_DUPFD_CLOEXEC, 0);
		if (msg->reply_fd < 0)
			return errno;
	}
	return 0;
}

static int vus_handle_irq_info(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_irq_info info;

	if (msg->payload_len < sizeof(info) || msg->nfds)
		return EINVAL;
	memcpy(&info, msg->payload, sizeof(info));
	if (info.argsz < sizeof(info) || info.index >= c->dev->desc.num_irqs)
		return EINVAL;
	info.argsz = sizeof(info);
	info.count = c->dev->desc.irqs[info.index].count;
	info.flags = info.count ? VUS_IRQ_INFO_EVENTFD |
		     (c->dev->desc.irqs[info.index].flags &
		      (VUS_IRQ_MASKABLE | VUS_IRQ_AUTOMASKED | VUS_IRQ_NORESIZE)) : 0;
	if (vus_reply_room(msg, sizeof(info)))
		return ENOSPC;
	memcpy(msg->reply, &info, sizeof(info));
	return 0;
}

static int vus_handle_set_irqs(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_irq_set set;
	int ret;

	if (msg->payload_len < sizeof(set))
		return EINVAL;
	memcpy(&set, msg->payload, sizeof(set));
	if (set.argsz < sizeof(set))
		return EINVAL;
	for (unsigned int i = 0; i < msg->nfds; i++)
		if (!vus_fd_is_eventfd(msg->fds[i]))
			return EBADF;
	ret = vus_irq_set(c->dev, &set, msg->payload + sizeof(set),
			  msg->payload_len - sizeof(set), msg->fds, msg->nfds);
	return -ret;
}

/* Is [off, off+len) inside region idx with access acc? 0 or errno. */
static int vus_region_check(struct vus_conn *c, uint32_t idx, uint64_t off,
			    uint64_t len, uint32_t acc)
{
	const struct vus_region *r;

	if (idx >= c->dev->desc.num_regions)
		return EINVAL;
	r = &c->dev->desc.regions[idx];
	if (!r->size || !(r->flags & acc))
		return EINVAL;
	if (!len || len > c->caps.max_data_xfer_size)
		return EINVAL;
	if (off >= r->size || len > r->size - off)
		return EINVAL;
	return 0;
}

static int vus_handle_region_read(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_region_access a;
	int ret;

	if (msg->payload_len != sizeof(a) || msg->nfds)
		return EINVAL;
	memcpy(&a, msg->payload, sizeof(a));
	ret = vus_region_check(c, a.region, a.offset, a.count, VUS_REGION_READ);
	if (ret)
		return ret;
	if (vus_reply_room(msg, sizeof(a) + a.count))
		return ENOSPC;
	ret = c->dev->ops->region_read(c->dev->opaque, a.region, a.offset,
				       msg->reply + sizeof(a), a.count);
	if (ret)
		return ret < 0 ? -ret : EIO;
	memcpy(msg->reply, &a, sizeof(a));
	return 0;
}

static int vus_handle_region_write(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_region_access a;
	int ret;

	if (msg->payload_len < sizeof(a) || msg->nfds)
		return EINVAL;
	memcpy(&a, msg->payload, sizeof(a));
	if (msg->payload_len - sizeof(a) != a.count)
		return EINVAL;
	ret = vus_region_check(c, a.region, a.offset, a.count, VUS_REGION_WRITE);
	if (ret)
		return ret;
	ret = c->dev->ops->region_write(c->dev->opaque, a.region, a.offset,
					msg->payload + sizeof(a), a.count);
	if (ret)
		return ret < 0 ? -ret : EIO;
	if (vus_reply_room(msg, sizeof(a)))
		return ENOSPC;
	memcpy(msg->reply, &a, sizeof(a));
	return 0;
}

static int vus_handle_write_multi(struct vus_conn *c, struct vus_msg *msg)
{
	struct vus_write_multi_entry e;
	uint64_t n;
	int ret;

	if (!c->caps.write_multiple || msg->nfds || msg->payload_len < sizeof(n))
		return EINVAL;
	memcpy(&n, msg->payload, sizeof(n));
	if (!n || n > VUS_WRITE_MULTI_MAX ||
	    msg->payload_len != sizeof(n) + n * sizeof(e))
		return EINVAL;
	/* Validate every entry before applying any: all or nothing. */
	for (uint64_t i = 0; i < n; i++) {
		memcpy(&e, msg->payload + sizeof(n) + i * sizeof(e), sizeof(e));
		if (e.count > VUS_WRITE_MULTI_DATA)
			return EINVAL;
		ret = vus_region_check(c, e.region, e.offset, e.count, VUS_REGION_WRITE);
		if (ret)
			return ret;
	}
	for (uint64_t i = 0; i < n; i++) {
		memcpy(&e, msg->payload + sizeof(n) + i * sizeof(e), sizeof(e));
		ret = c->dev->ops->region_write(c->dev->opaque, e.region,
						e.offset, e.data, e.count);
		if (ret)
			return ret < 0 ? -ret : EIO;
	}
	if (vus_reply_room(msg, sizeof(n)))
		return ENOSPC;
	memcpy(msg->reply, &n, sizeof(n));
	return 0;
}

static int vus_handle_reset(struct vus_conn *c, struct vus_msg *msg)
{
	if (msg->nfds || msg->payload_len)
		return EINVAL;
	if (!c->dev->desc.reset || !c->dev->ops->reset)
		return ENOTSUP;
	c->dev->ops->reset(c->dev->opaque);
	return 0;
}

int vus_msg_handle(struct vus_conn *c, struct vus_msg *msg)
{
	const struct vus_hdr *h = msg->hdr;

	msg->reply_len = 0;
	msg->reply_fd = -1;
	msg->pending_unmap = false;
	msg->close_conn = false;
	if (msg->nfds > VUS_MAX_MSG_FDS)
		return EINVAL;
	if (h->flags & ~(VUS_F_TYPE_MASK | VUS_F_NO_REPLY))
		return EINVAL;
	if (!c->versioned) {
		if (h->cmd != VUS_CMD_VERSION) {
			/* The spec: VERSION comes first, nothing else. */
			msg->close_conn = true;
			return EINVAL;
		}
		return vus_handle_version(c, msg);
	}
	switch (h->cmd) {
	case VUS_CMD_VERSION:
		return EINVAL;	/* negotiated once per connection */
	case VUS_CMD_DMA_MAP:
		return vus_handle_dma_map(c, msg);
	case VUS_CMD_DMA_UNMAP:
		return vus_handle_dma_unmap(c, msg);
	case VUS_CMD_DEVICE_GET_INFO:
		return vus_handle_device_info(c, msg);
	case VUS_CMD_DEVICE_GET_REGION_INFO:
		return vus_handle_region_info(c, msg);
	case VUS_CMD_DEVICE_GET_IRQ_INFO:
		return vus_handle_irq_info(c, msg);
	case VUS_CMD_DEVICE_SET_IRQS:
		return vus_handle_set_irqs(c, msg);
	case VUS_CMD_REGION_READ:
		return vus_handle_region_read(c, msg);
	case VUS_CMD_REGION_WRITE:
		return vus_handle_region_write(c, msg);
	case VUS_CMD_REGION_WRITE_MULTI:
		return vus_handle_write_multi(c, msg);
	case VUS_CMD_DEVICE_RESET:
		return vus_handle_reset(c, msg);
	case VUS_CMD_DEVICE_GET_REGION_IO_FDS:
		return ENOTSUP;	/* no ioeventfds (QEMU never asks) */
	case VUS_CMD_DMA_READ:
	case VUS_CMD_DMA_WRITE:
		return EINVAL;	/* server-to-client commands */
	default:
		return ENOSYS;
	}
}
