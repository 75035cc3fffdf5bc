// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the vfio-user message parser: the input is a
 * stream of messages (16-byte header + payload, sizes as the header says,
 * clipped to the input) fed to vus_hdr_check() and vus_msg_handle() of a
 * fresh connection on a fake device. DMA_MAP gets a memfd and SET_IRQS
 * eventfds when header bit 31 of the flags asks for them.
 *
 * With bit 2 of the first byte set, the rest of the input goes through a
 * socketpair instead, in two writes (the first byte after it says where
 * to split; bit 3: an eventfd rides on each write), and the connection's
 * read-ahead receiver (vus_conn_recv) cuts it into messages.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vus_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t bar0[4096], bar2[1 << 20], cfg[256], r9[4096];

/* The backing store of region r; aborts if the library let an access
 * through that is out of bounds or to an absent region. */
static uint8_t *f_region(uint32_t r, uint64_t off, uint32_t len)
{
	static const struct { uint8_t *p; size_t n; } map[10] = {
		[0] = { bar0, sizeof(bar0) }, [2] = { bar2, sizeof(bar2) },
		[7] = { cfg, sizeof(cfg) }, [9] = { r9, sizeof(r9) },
	};

	if (r >= 10 || !map[r].p || off > map[r].n || len > map[r].n - off)
		abort();
	return map[r].p + off;
}

static int f_read(void *o, uint32_t r, uint64_t off, void *buf, uint32_t len)
{
	memcpy(buf, f_region(r, off, len), len);
	return 0;
}

static int f_write(void *o, uint32_t r, uint64_t off, const void *buf, uint32_t len)
{
	if (r == 9)
		abort();	/* read-only region */
	memcpy(f_region(r, off, len), buf, len);
	return 0;
}

static void f_reset(void *o)
{
}

static const struct vus_dev_ops f_ops = {
	.region_read = f_read, .region_write = f_write, .reset = f_reset,
};

static struct vus_dev *dev;
static int memfd = -1;

static void quiet(int l, const char *m)
{
}

static void fuzz_init(void)
{
	struct vus_dev_desc d = { .name = "fuzz", .num_regions = 10, .num_irqs = 5, .reset = true };

	vus_log_set(quiet, 0);
	memfd = memfd_create("fuzz-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, 1 << 20))
		abort();
	d.regions[0] = (struct vus_region){ .size = sizeof(bar0), .flags = VUS_REGION_RW };
	d.regions[2] = (struct vus_region){ .size = 1 << 20, .flags = VUS_REGION_RW | VUS_REGION_MMAP,
					    .mmap_fd = memfd, .nr_sparse = 1, .sparse = { { 0, 4096 } } };
	d.regions[7] = (struct vus_region){ .size = sizeof(cfg), .flags = VUS_REGION_RW };
	d.regions[9] = (struct vus_region){ .size = 4096, .flags = VUS_REGION_READ, .type = 1, .subtype = 1 };
	d.irqs[0] = (struct vus_irq){ .count = 1, .flags = VUS_IRQ_MASKABLE | VUS_IRQ_AUTOMASKED };
	d.irqs[1] = (struct vus_irq){ .count = 4 };
	d.irqs[2] = (struct vus_irq){ .count = 8 };
	if (vus_dev_create(&d, &f_ops, NULL, &dev))
		abort();
}

/*
 * One whole message of @len bytes at @buf (header checked) with @nfds fds,
 * as the server's loop handles it; the fds are closed after. Returns true
 * when the handler closes the connection.
 */
static bool handle_one(struct vus_conn *c, uint8_t *buf, size_t len, int *fds,
		       unsigned int nfds, uint8_t *out)
{
	struct vus_msg msg = { 0 };

	msg.hdr = (struct vus_hdr *)buf;
	msg.payload = buf + sizeof(struct vus_hdr);
	msg.payload_len = len - sizeof(struct vus_hdr);
	msg.fds = fds;
	msg.nfds = nfds;
	msg.reply = out;
	msg.reply_cap = sizeof(struct vus_region_access) + VUS_MAX_DATA_XFER;
	vus_msg_handle(c, &msg);
	for (unsigned int i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (msg.reply_fd >= 0)
		close(msg.reply_fd);
	/* What the handlers promise the sender. */
	if (msg.reply_len > msg.reply_cap)
		abort();
	return msg.close_conn;
}

static void stream_write(int fd, const uint8_t *p, size_t len, bool with_fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)p, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int efd = -1;

	if (!len)
		return;
	if (with_fd) {
		struct cmsghdr *cm;

		efd = eventfd(0, EFD_CLOEXEC);
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &efd, sizeof(int));
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)len)
		abort();	/* inputs are far below the socket buffer */
	if (efd >= 0)
		close(efd);
}

static void fuzz_stream(struct vus_conn *c, const uint8_t *data, size_t size,
			uint8_t *out)
{
	size_t split = data[1], len = size - 2;
	int sv[2], fds[VUS_MAX_MSG_FDS];
	unsigned int nfds;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	if (split > len)
		split = len;
	stream_write(sv[1], data + 2, split, data[0] & 8);
	stream_write(sv[1], data + 2 + split, len - split, data[0] & 8);
	shutdown(sv[1], SHUT_WR);
	c->fd = sv[0];
	c->versioned = data[0] & 1;
	c->caps.write_multiple = data[0] & 2;
	while (!vus_conn_recv(c, fds, &nfds)) {
		struct vus_hdr h;

		memcpy(&h, c->rxbuf, sizeof(h));
		/* What the receiver promises the handlers. */
		if (vus_hdr_check(&h) || h.size > c->rx_len || nfds > VUS_MAX_MSG_FDS)
			abort();
		if (handle_one(c, c->rxbuf, h.size, fds, nfds, out))
			break;
		vus_conn_consume(c);
	}
	/* Pending fds of an unfinished message die with the connection. */
	for (unsigned int i = 0; i < c->rx_nfds; i++)
		close(c->rx_fds[i]);
	c->rx_nfds = 0;
	c->fd = -1;
	close(sv[0]);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *in, *out;
	static struct vus_conn *c, fresh;
	size_t pos = 0;

	if (!dev) {
		fuzz_init();
		in = malloc(VUS_MAX_MSG_SIZE);
		out = malloc(sizeof(struct vus_region_access) + VUS_MAX_DATA_XFER);
		c = vus_conn_new(dev, -1);
		if (!c)
			abort();
		fresh = *c;
	}
	*c = fresh;	/* a new connection, without reallocating buffers */
	if (size >= 2 && (data[0] & 4)) {
		fuzz_stream(c, data, size, out);
		goto out;
	}
	/* Half the inputs skip VERSION to reach the other handlers. */
	if (size && (data[0] & 1)) {
		c->versioned = true;
		c->caps.write_multiple = data[0] & 2;
		pos = 1;
	}
	while (size - pos >= sizeof(struct vus_hdr)) {
		struct vus_hdr h;
		int fds[4] = { -1, -1, -1, -1 };
		unsigned int nfds = 0;
		size_t len;

		memcpy(&h, data + pos, sizeof(h));
		len = h.size;
		if (len < sizeof(h) || len > size - pos)
			len = size - pos;
		if (len > VUS_MAX_MSG_SIZE)
			break;
		h.size = (uint32_t)len;
		memcpy(in, data + pos, len);
		memcpy(in, &h, sizeof(h));
		pos += len;
		if (vus_hdr_check((struct vus_hdr *)in))
			break;	/* the connection would close */
		if (h.flags & (1u << 31)) {
			((struct vus_hdr *)in)->flags &= ~(1u << 31);
			if (h.cmd == VUS_CMD_DMA_MAP) {
				fds[0] = dup(memfd);
				nfds = 1;
			} else {
				nfds = 1 + (h.msg_id & 3);
				for (unsigned int i = 0; i < nfds; i++)
					fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			}
		}
		if (handle_one(c, in, len, fds, nfds, out))
			break;
	}
out:
	/* As on disconnect: drop the client's maps and eventfds. */
	vus_dma_remove_all(dev);
	vus_irqs_drop_client(dev);
	return 0;
}
