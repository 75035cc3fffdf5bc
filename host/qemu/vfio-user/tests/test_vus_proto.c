// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of message parsing and validation: vus_hdr_check(),
 * vus_caps_negotiate() and vus_msg_handle() with a recording fake device,
 * no sockets and no threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "vus_internal.h"
#include "vus_client.h"

struct fake {
	uint8_t bar0[256];
	uint8_t cfg[256];
	int reads, writes, resets, maps;
	uint32_t last_region;
	uint64_t last_off;
	uint32_t last_len;
};

static int fake_read(void *o, uint32_t region, uint64_t off, void *buf, uint32_t len)
{
	struct fake *f = o;

	f->reads++;
	f->last_region = region;
	f->last_off = off;
	f->last_len = len;
	memcpy(buf, (region == 7 ? f->cfg : f->bar0) + off, len);
	return 0;
}

static int fake_write(void *o, uint32_t region, uint64_t off, const void *buf, uint32_t len)
{
	struct fake *f = o;

	f->writes++;
	f->last_region = region;
	f->last_off = off;
	f->last_len = len;
	memcpy((region == 7 ? f->cfg : f->bar0) + off, buf, len);
	return 0;
}

static void fake_reset(void *o)
{
	((struct fake *)o)->resets++;
}

static void fake_map(void *o, uint64_t gpa, uint64_t len)
{
	((struct fake *)o)->maps++;
}

static const struct vus_dev_ops fake_ops = {
	.region_read = fake_read,
	.region_write = fake_write,
	.reset = fake_reset,
	.dma_map = fake_map,
};

struct fx {
	struct fake fake;
	struct vus_dev *dev;
	struct vus_conn *c;
	uint8_t in[4096];
	uint8_t out[4096];
	struct vus_msg msg;
	int bar2_fd;
};

static void quiet(int l, const char *m)
{
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct vus_dev_desc d = {
		.name = "fake", .num_regions = 10, .num_irqs = 2, .reset = true,
	};
	int memfd = memfd_create("bar2", MFD_CLOEXEC | MFD_ALLOW_SEALING);	/* only dup()ed */

	vus_log_set(quiet, 7);
	d.regions[0] = (struct vus_region){ .size = 256, .flags = VUS_REGION_RW };
	d.regions[2] = (struct vus_region){ .size = 1 << 20, .flags = VUS_REGION_RW | VUS_REGION_MMAP,
					    .mmap_fd = memfd, .mmap_offset = 0x1000, .nr_sparse = 2,
					    .sparse = { { 0, 4096 }, { 8192, 4096 } } };
	d.regions[7] = (struct vus_region){ .size = 256, .flags = VUS_REGION_RW };
	d.regions[9] = (struct vus_region){ .size = 8192, .flags = VUS_REGION_READ,
					    .type = 0x80008086, .subtype = 1 };
	d.irqs[0] = (struct vus_irq){ .count = 1, .flags = VUS_IRQ_MASKABLE };
	d.irqs[1] = (struct vus_irq){ .count = 4 };
	assert_true(memfd >= 0);
	x->bar2_fd = memfd;
	assert_int_equal(vus_dev_create(&d, &fake_ops, &x->fake, &x->dev), 0);
	x->c = vus_conn_new(x->dev, -1);
	assert_non_null(x->c);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	vus_conn_free(x->c);
	vus_dev_destroy(x->dev);
	close(x->bar2_fd);
	free(x);
	return 0;
}

/* Build a message (header + payload) in x->in and handle it. */
static int handle(struct fx *x, uint16_t cmd, uint32_t flags, const void *p, size_t len)
{
	struct vus_hdr *h = (struct vus_hdr *)x->in;

	h->msg_id = 1;
	h->cmd = cmd;
	h->size = (uint32_t)(sizeof(*h) + len);
	h->flags = flags;
	h->error = 0;
	if (len)
		memcpy(x->in + sizeof(*h), p, len);
	memset(&x->msg, 0, sizeof(x->msg));
	x->msg.hdr = h;
	x->msg.payload = x->in + sizeof(*h);
	x->msg.payload_len = len;
	x->msg.reply = x->out;
	x->msg.reply_cap = sizeof(x->out);
	return vus_msg_handle(x->c, &x->msg);
}

static void version(struct fx *x)
{
	static const char v[] = "\0\0\0\0{\"capabilities\":{\"write_multiple\":true}}";

	assert_int_equal(handle(x, VUS_CMD_VERSION, 0, v, sizeof(v)), 0);
}

static void test_hdr_check(void **state)
{
	struct vus_hdr h = { .size = 16 };

	assert_int_equal(vus_hdr_check(&h), 0);
	h.size = 15;
	assert_int_equal(vus_hdr_check(&h), EMSGSIZE);
	h.size = (uint32_t)VUS_MAX_MSG_SIZE + 1;
	assert_int_equal(vus_hdr_check(&h), EMSGSIZE);
	h.size = (uint32_t)VUS_MAX_MSG_SIZE;
	assert_int_equal(vus_hdr_check(&h), 0);
	h.flags = VUS_F_TYPE_REPLY;
	assert_int_equal(vus_hdr_check(&h), EPROTO);
}

static void test_caps(void **state)
{
	struct vus_caps c;
	char out[512];
	const char *qemu = "{\"capabilities\":{\"migration\":{\"pgsize\":4096,\"max_bitmap_size\":268435456},"
			   "\"max_msg_fds\":16,\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
			   "\"max_dma_maps\":65535,\"write_multiple\":true}}";

	assert_int_equal(vus_caps_negotiate(qemu, strlen(qemu), &c, out, sizeof(out)), 0);
	assert_int_equal(c.max_data_xfer_size, 1 << 20);
	assert_int_equal(c.max_dma_maps, 65535);
	assert_true(c.write_multiple);
	assert_null(strstr(out, "migration"));
	assert_null(strstr(out, "twin_socket"));
	/* Defaults without JSON. */
	assert_int_equal(vus_caps_negotiate(NULL, 0, &c, out, sizeof(out)), 0);
	assert_false(c.write_multiple);
	assert_int_equal(c.max_dma_maps, VUS_DEF_MAX_DMA_MAPS);
	/* Lowered limits are honoured. */
	assert_int_equal(vus_caps_negotiate("{\"capabilities\":{\"max_dma_maps\":3,\"max_data_xfer_size\":4096}}", strlen("{\"capabilities\":{\"max_dma_maps\":3,\"max_data_xfer_size\":4096}}"), &c, out, sizeof(out)), 0);
	assert_int_equal(c.max_dma_maps, 3);
	assert_int_equal(c.max_data_xfer_size, 4096);
	/* Bad JSON and bad types. */
	assert_int_equal(vus_caps_negotiate("[1]", strlen("[1]"), &c, out, sizeof(out)), -EINVAL);
	assert_int_equal(vus_caps_negotiate("{\"capabilities\":3}", strlen("{\"capabilities\":3}"), &c, out, sizeof(out)), -EINVAL);
	assert_int_equal(vus_caps_negotiate("{\"capabilities\":{\"pgsizes\":-4096}}", strlen("{\"capabilities\":{\"pgsizes\":-4096}}"), &c, out, sizeof(out)), -EINVAL);
	assert_int_equal(vus_caps_negotiate("{\"capabilities\":{\"write_multiple\":1}}", strlen("{\"capabilities\":{\"write_multiple\":1}}"), &c, out, sizeof(out)), -EINVAL);
	assert_int_equal(vus_caps_negotiate("{\"capabilities\":{\"max_msg_fds\":0}}", strlen("{\"capabilities\":{\"max_msg_fds\":0}}"), &c, out, sizeof(out)), -ENOTSUP);
	assert_int_equal(vus_caps_negotiate("{\"capabilities\":{\"pgsizes\":8192}}", strlen("{\"capabilities\":{\"pgsizes\":8192}}"), &c, out, sizeof(out)), -ENOTSUP);
	assert_int_equal(vus_caps_negotiate("{\"a\":", strlen("{\"a\":"), &c, out, sizeof(out)), -EINVAL);
}

static void test_version_first(void **state)
{
	struct fx *x = *state;
	struct vus_region_access a = { .region = 0, .count = 4 };

	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), EINVAL);
	assert_true(x->msg.close_conn);
	assert_int_equal(x->fake.reads, 0);
	assert_int_equal(handle(x, VUS_CMD_VERSION, 0, "\1\0\0\0", 4), ENOTSUP);	/* major 1 */
	assert_true(x->msg.close_conn);
	assert_int_equal(handle(x, VUS_CMD_VERSION, 0, "\0\0", 2), EINVAL);
	version(x);
	assert_true(x->c->versioned);
	assert_int_equal(x->out[x->msg.reply_len - 1], 0);
}

static void test_region_rw(void **state)
{
	struct fx *x = *state;
	uint8_t m[16 + 8];
	struct vus_region_access a = { .offset = 8, .region = 0, .count = 8 };

	version(x);
	memcpy(m, &a, 16);
	memcpy(m + 16, "ABCDEFGH", 8);
	assert_int_equal(handle(x, VUS_CMD_REGION_WRITE, 0, m, sizeof(m)), 0);
	assert_int_equal(x->msg.reply_len, 16);
	assert_memory_equal(x->fake.bar0 + 8, "ABCDEFGH", 8);
	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), 0);
	assert_int_equal(x->msg.reply_len, 24);
	assert_memory_equal(x->out + 16, "ABCDEFGH", 8);
	/* Bounds: last byte ok, one past not, wrapping offset not. */
	a.offset = 255;
	a.count = 1;
	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), 0);
	a.count = 2;
	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), EINVAL);
	a.offset = ~0ull;
	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), EINVAL);
	/* Read-only region refuses writes; absent region refuses all. */
	a = (struct vus_region_access){ .offset = 0, .region = 9, .count = 4 };
	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), 0);
	memcpy(m, &a, 16);
	assert_int_equal(handle(x, VUS_CMD_REGION_WRITE, 0, m, 20), EINVAL);
	a.region = 1;
	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), EINVAL);
	a.region = 10;
	assert_int_equal(handle(x, VUS_CMD_REGION_READ, 0, &a, sizeof(a)), EINVAL);
	assert_false(x->msg.close_conn);
}

static void test_region_info_caps(void **state)
{
	struct fx *x = *state;
	struct vus_region_info ri = { .argsz = 32, .index = 2 };
	struct vus_cap_sparse sp;
	struct vus_sparse_area ar[2];
	struct vus_cap_type ty;

	version(x);
	/* Too small for the sparse cap: argsz tells the needed size, no fd. */
	assert_int_equal(handle(x, VUS_CMD_DEVICE_GET_REGION_INFO, 0, &ri, sizeof(ri)), 0);
	memcpy(&ri, x->out, sizeof(ri));
	assert_int_equal(x->msg.reply_len, 32);
	assert_int_equal(ri.argsz, 32 + 16 + 32);
	/* No CAPS flag (QEMU rejects CAPS with cap_offset 0). */
	assert_false(ri.flags & VUS_REGION_INFO_FLAG_CAPS);
	assert_int_equal(ri.cap_offset, 0);
	assert_int_equal(x->msg.reply_fd, -1);
	/* Retry with room. */
	ri.argsz = 80;
	assert_int_equal(handle(x, VUS_CMD_DEVICE_GET_REGION_INFO, 0, &ri, sizeof(ri)), 0);
	assert_int_equal(x->msg.reply_len, 80);
	memcpy(&ri, x->out, sizeof(ri));
	assert_int_equal(ri.flags, VUS_REGION_RW | VUS_REGION_MMAP | VUS_REGION_INFO_FLAG_CAPS);
	assert_int_equal(ri.cap_offset, 32);
	assert_int_equal(ri.offset, 0x1000);
	memcpy(&sp, x->out + 32, sizeof(sp));
	assert_int_equal(sp.hdr.id, VUS_REGION_CAP_SPARSE_MMAP);
	assert_int_equal(sp.hdr.next, 0);
	assert_int_equal(sp.nr_areas, 2);
	memcpy(ar, x->out + 48, sizeof(ar));
	assert_int_equal(ar[1].offset, 8192);
	assert_true(x->msg.reply_fd >= 0);
	close(x->msg.reply_fd);
	/* Device-specific region with a type cap. */
	ri = (struct vus_region_info){ .argsz = 4096, .index = 9 };
	assert_int_equal(handle(x, VUS_CMD_DEVICE_GET_REGION_INFO, 0, &ri, sizeof(ri)), 0);
	memcpy(&ri, x->out, sizeof(ri));
	assert_int_equal(ri.argsz, 48);
	assert_int_equal(ri.cap_offset, 32);
	memcpy(&ty, x->out + 32, sizeof(ty));
	assert_int_equal(ty.hdr.id, VUS_REGION_CAP_TYPE);
	assert_int_equal(ty.type, 0x80008086);
	assert_int_equal(ty.subtype, 1);
}

static void test_write_multi_and_reset(void **state)
{
	struct fx *x = *state;
	uint8_t m[8 + 24];
	uint64_t n = 1;
	struct vus_write_multi_entry e = { .offset = 0, .region = 0, .count = 8 };

	version(x);
	memcpy(e.data, "12345678", 8);
	memcpy(m, &n, 8);
	memcpy(m + 8, &e, 24);
	assert_int_equal(handle(x, VUS_CMD_REGION_WRITE_MULTI, VUS_F_NO_REPLY, m, sizeof(m)), 0);
	assert_memory_equal(x->fake.bar0, "12345678", 8);
	n = 0;
	memcpy(m, &n, 8);
	assert_int_equal(handle(x, VUS_CMD_REGION_WRITE_MULTI, 0, m, 8), EINVAL);
	n = 201;
	memcpy(m, &n, 8);
	assert_int_equal(handle(x, VUS_CMD_REGION_WRITE_MULTI, 0, m, sizeof(m)), EINVAL);
	assert_int_equal(handle(x, VUS_CMD_DEVICE_RESET, 0, NULL, 0), 0);
	assert_int_equal(x->fake.resets, 1);
	/* Unknown flag bits in a command. */
	assert_int_equal(handle(x, VUS_CMD_DEVICE_RESET, 0x100, NULL, 0), EINVAL);
	assert_int_equal(x->fake.resets, 1);
	assert_int_equal(handle(x, VUS_CMD_DEVICE_GET_REGION_IO_FDS, 0, m, 16), ENOTSUP);
	assert_int_equal(handle(x, VUS_CMD_DMA_READ, 0, m, 16), EINVAL);
}

static void test_dma_map_msg(void **state)
{
	struct fx *x = *state;
	struct vus_dma_map m = { .argsz = 32, .flags = 3, .addr = 0xc0000, .size = 0x20000 };
	int fds[2] = { -1, -1 };

	version(x);
	/* Fd-less small map (ROM) is accepted without access. */
	assert_int_equal(handle(x, VUS_CMD_DMA_MAP, 0, &m, sizeof(m)), 0);
	assert_int_equal(x->fake.maps, 1);
	assert_int_equal(handle(x, VUS_CMD_DMA_MAP, 0, &m, sizeof(m)), EEXIST);
	/* argsz too small, short payload, offset without fd. */
	m.addr = 0x200000;
	m.argsz = 24;
	assert_int_equal(handle(x, VUS_CMD_DMA_MAP, 0, &m, sizeof(m)), EINVAL);
	m.argsz = 32;
	assert_int_equal(handle(x, VUS_CMD_DMA_MAP, 0, &m, 24), EINVAL);
	m.offset = 4096;
	assert_int_equal(handle(x, VUS_CMD_DMA_MAP, 0, &m, sizeof(m)), EINVAL);
	/* Too many fds (the handler sees the count, the caller closes). */
	m.offset = 0;
	x->msg.fds = fds;
	struct vus_hdr *h = (struct vus_hdr *)x->in;
	h->cmd = VUS_CMD_DMA_MAP;
	h->flags = 0;
	memcpy(x->in + 16, &m, sizeof(m));
	x->msg.payload_len = sizeof(m);
	x->msg.nfds = 2;
	assert_int_equal(vus_msg_handle(x->c, &x->msg), EINVAL);
	x->msg.nfds = 17;
	assert_int_equal(vus_msg_handle(x->c, &x->msg), EINVAL);
	/* max_dma_maps from the caps bounds the table. */
	x->c->caps.max_dma_maps = 1;
	m.addr = 0x400000;
	m.size = 4096;
	assert_int_equal(handle(x, VUS_CMD_DMA_MAP, 0, &m, sizeof(m)), ENOSPC);
}

/* Region fds go to the client: they must not be able to shrink under
 * the model's own mapping. */
static void test_region_fd_sealed(void **state)
{
	struct vus_dev_desc d = { .name = "seal", .num_regions = 9 };
	int sealable = memfd_create("r", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int plain = memfd_create("p", MFD_CLOEXEC);
	struct vus_dev *dev;

	(void)state;
	assert_int_equal(ftruncate(sealable, 8192), 0);
	assert_int_equal(ftruncate(plain, 8192), 0);
	d.regions[7] = (struct vus_region){ .size = 256, .flags = VUS_REGION_RW };
	d.regions[2] = (struct vus_region){ .size = 8192, .flags = VUS_REGION_RW | VUS_REGION_MMAP,
					    .mmap_fd = plain };
	assert_int_equal(vus_dev_create(&d, &fake_ops, NULL, &dev), -EINVAL);
	assert_null(dev);
	d.regions[2].mmap_fd = sealable;
	assert_int_equal(vus_dev_create(&d, &fake_ops, NULL, &dev), 0);
	assert_int_not_equal(fcntl(sealable, F_GET_SEALS) & F_SEAL_SHRINK, 0);
	assert_int_equal(ftruncate(sealable, 0), -1);
	vus_dev_destroy(dev);
	close(sealable);
	close(plain);
}

/*
 * Send one message (header + payload): its first @first bytes (all when 0)
 * with the fds in one sendmsg, then the rest.
 */
static void rd_send(int fd, uint16_t cmd, const void *payload, uint32_t len,
		    const int *fds, unsigned int nfds, size_t first)
{
	static uint8_t buf[16 + 65536 + 64];
	struct vus_hdr h = { .msg_id = cmd, .cmd = cmd, .size = 16 + len };
	size_t head = first ? first : 16 + len;

	memcpy(buf, &h, 16);
	if (len)
		memcpy(buf + 16, payload, len);
	assert_int_equal(vcl_sendmsg_fds(fd, buf, head, fds, nfds), 0);
	if (first)
		assert_int_equal(send(fd, buf + first, 16 + len - first, 0),
				 (ssize_t)(16 + len - first));
}

/*
 * The read-ahead receiver: pipelined messages come out one by one, each
 * with exactly the fds sent with it, whatever the reads brought at once.
 */
static void test_conn_reader(void **state)
{
	struct fx *x = *state;
	static uint8_t big[65536];
	struct vus_conn *c;
	uint8_t pl[64] = { 0 };
	int sv[2], efd[3], fds[VUS_MAX_MSG_FDS];
	unsigned int nfds;
	struct vus_hdr h;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	c = vus_conn_new(x->dev, sv[0]);
	assert_non_null(c);
	for (int i = 0; i < 3; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC);
	/* Three messages queued before the first read; the middle one
	 * carries two fds, the last one is an odd size. */
	rd_send(sv[1], VUS_CMD_REGION_READ, pl, 16, NULL, 0, 0);
	rd_send(sv[1], VUS_CMD_DEVICE_SET_IRQS, pl, 20, efd, 2, 0);
	rd_send(sv[1], VUS_CMD_REGION_WRITE, pl, 17, NULL, 0, 0);
	rd_send(sv[1], VUS_CMD_DEVICE_RESET, NULL, 0, NULL, 0, 0);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	memcpy(&h, c->rxbuf, 16);
	assert_int_equal(h.cmd, VUS_CMD_REGION_READ);
	assert_int_equal(nfds, 0);
	/* One read brought the next message too (and stopped at its fds). */
	assert_int_equal(c->rx_len, 32 + 36);
	vus_conn_consume(c);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	memcpy(&h, c->rxbuf, 16);
	assert_int_equal(h.cmd, VUS_CMD_DEVICE_SET_IRQS);
	assert_int_equal(nfds, 2);
	for (unsigned int i = 0; i < nfds; i++) {
		assert_true(fcntl(fds[i], F_GETFD) >= 0);
		close(fds[i]);
	}
	vus_conn_consume(c);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	memcpy(&h, c->rxbuf, 16);
	assert_int_equal(h.cmd, VUS_CMD_REGION_WRITE);
	assert_int_equal(h.size, 33);
	assert_int_equal(nfds, 0);
	vus_conn_consume(c);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	memcpy(&h, c->rxbuf, 16);
	assert_int_equal(h.cmd, VUS_CMD_DEVICE_RESET);
	vus_conn_consume(c);
	assert_int_equal(c->rx_len, 0);

	/* A header split over two sends, the fd on the first part. */
	rd_send(sv[1], VUS_CMD_DMA_MAP, pl, 32, &efd[2], 1, 5);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	memcpy(&h, c->rxbuf, 16);
	assert_int_equal(h.cmd, VUS_CMD_DMA_MAP);
	assert_int_equal(nfds, 1);
	close(fds[0]);
	vus_conn_consume(c);

	/* A message bigger than the read-ahead, then a small one. */
	rd_send(sv[1], VUS_CMD_REGION_WRITE, big, sizeof(big), NULL, 0, 0);
	rd_send(sv[1], VUS_CMD_REGION_READ, pl, 16, &efd[2], 1, 0);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	memcpy(&h, c->rxbuf, 16);
	assert_int_equal(h.size, 16 + sizeof(big));
	assert_int_equal(nfds, 0);
	vus_conn_consume(c);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	assert_int_equal(nfds, 1);
	close(fds[0]);
	vus_conn_consume(c);

	/* fds pending for a message that never completes: closed with the
	 * connection; EOF mid-message is a reset. */
	rd_send(sv[1], VUS_CMD_REGION_READ, pl, 16, &efd[2], 1, 0);
	assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), 0);
	vus_conn_consume(c);
	close(fds[0]);
	assert_int_equal(vus_conn_recv(c, fds, &nfds), -ECONNRESET);
	vus_conn_free(c);
	close(sv[0]);
	close(sv[1]);
	for (int i = 0; i < 3; i++)
		close(efd[i]);
}

static unsigned int rl_lines;
static char rl_last[256];

static void rl_sink(int level, const char *msg)
{
	rl_lines++;
	snprintf(rl_last, sizeof(rl_last), "%s", msg);
}

/* A client-triggered line floods at most a burst per window; the next
 * window says how many were dropped; another call site is not silenced. */
static void test_log_ratelimit(void **state)
{
	struct vus_ratelimit a = { 0 }, b = { 0 };

	(void)state;
	vus_log_set(rl_sink, 7);
	for (int i = 0; i < 100; i++)
		vus_log_ratelimited(&a, VUS_LOG_WARN, "flood %d", i);
	assert_int_equal(rl_lines, 10);
	assert_string_equal(rl_last, "flood 9");
	vus_log_ratelimited(&b, VUS_LOG_WARN, "other site");
	assert_int_equal(rl_lines, 11);
	/* The window ends: the drop count, then the line. */
	atomic_fetch_sub(&a.window, 5);
	vus_log_ratelimited(&a, VUS_LOG_WARN, "flood again");
	assert_int_equal(rl_lines, 13);
	assert_string_equal(rl_last, "flood again");
	/* Levels above the sink's maximum cost nothing and count nothing. */
	vus_log_set(rl_sink, VUS_LOG_WARN);
	for (int i = 0; i < 20; i++)
		vus_log_ratelimited(&b, VUS_LOG_DEBUG, "debug");
	assert_int_equal(rl_lines, 13);
	assert_int_equal(atomic_load(&b.missed), 0);
	vus_log_set(quiet, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_check),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_log_ratelimit),
		cmocka_unit_test(test_region_fd_sealed),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_version_first),
		T(test_region_rw),
		T(test_region_info_caps),
		T(test_write_multi_and_reset),
		T(test_dma_map_msg),
		T(test_conn_reader),
#undef T
	};

	return cmocka_run_group_tests_name("vus_proto", tests, NULL, NULL);
}
