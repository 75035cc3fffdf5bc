// SPDX-License-Identifier: GPL-2.0-only
/* A minimal vfio-user client for tests. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vus_client.h"

void vcl_init_fd(struct vcl *c, int fd)
{
	c->fd = fd;
	c->next_id = 1;
	c->nrfds = 0;
}

int vcl_connect_path(struct vcl *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	vcl_init_fd(c, fd);
	return 0;
}

void vcl_close(struct vcl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	for (unsigned int i = 0; i < c->nrfds; i++)
		close(c->rfds[i]);
	c->nrfds = 0;
}

int vcl_sendmsg_fds(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	union {
		char b[CMSG_SPACE(32 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds) {
		struct cmsghdr *cm;

		if (nfds > 32)
			return -EINVAL;
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	if ((size_t)n != len) {
		/* Rest without fds. */
		const uint8_t *p = buf;
		size_t off = (size_t)n;

		while (off < len) {
			n = send(fd, p + off, len - off, MSG_NOSIGNAL);
			if (n < 0)
				return -errno;
			off += (size_t)n;
		}
	}
	return 0;
}

int vcl_send_raw(struct vcl *c, const void *buf, size_t len, const int *fds,
		 unsigned int nfds)
{
	return vcl_sendmsg_fds(c->fd, buf, len, fds, nfds);
}

static uint8_t vcl_tx[sizeof(struct vus_hdr) + 16 + (1u << 20) + 64];

int vcl_send(struct vcl *c, uint16_t cmd, uint32_t flags, const void *payload,
	     size_t len, const int *fds, unsigned int nfds)
{
	struct vus_hdr h = {
		.msg_id = c->next_id++,
		.cmd = cmd,
		.size = (uint32_t)(sizeof(h) + len),
		.flags = flags,
	};
	int ret;

	if (len > sizeof(vcl_tx) - sizeof(h))
		return -EMSGSIZE;
	memcpy(vcl_tx, &h, sizeof(h));
	if (len)
		memcpy(vcl_tx + sizeof(h), payload, len);
	ret = vcl_send_raw(c, vcl_tx, sizeof(h) + len, fds, nfds);
	return ret ? ret : h.msg_id;
}

static int vcl_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < len) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, timeout_ms) == 0)
			return -ETIMEDOUT;
		n = recv(fd, p + got, len - got, 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	return 0;
}

int vcl_recv(struct vcl *c, int timeout_ms)
{
	union {
		char b[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { &c->rhdr, sizeof(c->rhdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
	};
	struct pollfd pf = { .fd = c->fd, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;
	int ret;

	for (unsigned int i = 0; i < c->nrfds; i++)
		close(c->rfds[i]);
	c->nrfds = 0;
	if (poll(&pf, 1, timeout_ms) == 0)
		return -ETIMEDOUT;
	n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		unsigned int k = (unsigned int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

		if (k > 4)
			k = 4;
		memcpy(c->rfds, CMSG_DATA(cm), k * sizeof(int));
		c->nrfds = k;
	}
	if ((size_t)n < sizeof(c->rhdr)) {
		ret = vcl_read_full(c->fd, (uint8_t *)&c->rhdr + n,
				    sizeof(c->rhdr) - (size_t)n, timeout_ms);
		if (ret)
			return ret;
	}
	if (c->rhdr.size < sizeof(c->rhdr) || c->rhdr.size > sizeof(c->buf))
		return -EPROTO;
	c->rlen = c->rhdr.size - sizeof(c->rhdr);
	c->rpayload = c->buf;
	return vcl_read_full(c->fd, c->buf, c->rlen, timeout_ms);
}

int vcl_call(struct vcl *c, uint16_t cmd, const void *payload, size_t len,
	     const int *fds, unsigned int nfds)
{
	int id = vcl_send(c, cmd, 0, payload, len, fds, nfds), ret;

	if (id < 0)
		return id;
	ret = vcl_recv(c, 5000);
	if (ret)
		return ret;
	if (c->rhdr.msg_id != id || c->rhdr.cmd != cmd ||
	    (c->rhdr.flags & VUS_F_TYPE_MASK) != VUS_F_TYPE_REPLY)
		return -EPROTO;
	if (c->rhdr.flags & VUS_F_ERROR)
		return c->rhdr.error ? (int)c->rhdr.error : EIO;
	return 0;
}

int vcl_version(struct vcl *c, const char *json)
{
	uint8_t buf[1024];
	struct vus_version v = { 0, 0 };
	size_t n = sizeof(v);

	memcpy(buf, &v, sizeof(v));
	if (json) {
		memcpy(buf + n, json, strlen(json) + 1);
		n += strlen(json) + 1;
	}
	return vcl_call(c, VUS_CMD_VERSION, buf, n, NULL, 0);
}

int vcl_dma_map(struct vcl *c, uint64_t gpa, uint64_t size, int fd,
		uint64_t off, uint32_t flags)
{
	struct vus_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .offset = off,
		.addr = gpa, .size = size,
	};

	return vcl_call(c, VUS_CMD_DMA_MAP, &m, sizeof(m), &fd, fd >= 0);
}

int vcl_dma_unmap(struct vcl *c, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct vus_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .addr = gpa, .size = size,
	};

	return vcl_call(c, VUS_CMD_DMA_UNMAP, &u, sizeof(u), NULL, 0);
}

int vcl_read(struct vcl *c, uint32_t region, uint64_t off, void *buf,
	     uint32_t len)
{
	struct vus_region_access a = { .offset = off, .region = region, .count = len };
	int ret = vcl_call(c, VUS_CMD_REGION_READ, &a, sizeof(a), NULL, 0);

	if (ret)
		return ret;
	if (c->rlen != sizeof(a) + len)
		return -EPROTO;
	memcpy(buf, c->rpayload + sizeof(a), len);
	return 0;
}

static uint8_t vcl_wbuf[16 + (1u << 20)];

int vcl_write(struct vcl *c, uint32_t region, uint64_t off, const void *buf,
	      uint32_t len)
{
	struct vus_region_access a = { .offset = off, .region = region, .count = len };

	if (len > sizeof(vcl_wbuf) - sizeof(a))
		return -EINVAL;
	memcpy(vcl_wbuf, &a, sizeof(a));
	memcpy(vcl_wbuf + sizeof(a), buf, len);
	return vcl_call(c, VUS_CMD_REGION_WRITE, vcl_wbuf, sizeof(a) + len, NULL, 0);
}

int vcl_read32(struct vcl *c, uint32_t region, uint64_t off, uint32_t *val)
{
	return vcl_read(c, region, off, val, 4);
}

int vcl_write32(struct vcl *c, uint32_t region, uint64_t off, uint32_t val)
{
	return vcl_write(c, region, off, &val, 4);
}

int vcl_write32_posted(struct vcl *c, uint32_t region, uint64_t off,
		       uint32_t val)
{
	uint8_t b[20];
	struct vus_region_access a = { .offset = off, .region = region, .count = 4 };
	int id;

	memcpy(b, &a, sizeof(a));
	memcpy(b + sizeof(a), &val, 4);
	id = vcl_send(c, VUS_CMD_REGION_WRITE, VUS_F_NO_REPLY, b, sizeof(b), NULL, 0);
	return id < 0 ? id : 0;
}

int vcl_set_irqs(struct vcl *c, uint32_t flags, uint32_t index, uint32_t start,
		 uint32_t count, const int *fds, unsigned int nfds)
{
	struct vus_irq_set s = {
		.argsz = sizeof(s), .flags = flags, .index = index,
		.start = start, .count = count,
	};

	return vcl_call(c, VUS_CMD_DEVICE_SET_IRQS, &s, sizeof(s), fds, nfds);
}

uint64_t vcl_wait_efd(int efd, int timeout_ms)
{
	struct pollfd pf = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&pf, 1, timeout_ms) <= 0)
		return 0;
	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}
