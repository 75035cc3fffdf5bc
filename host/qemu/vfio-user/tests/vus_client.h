// SPDX-License-Identifier: GPL-2.0-only
/* A minimal vfio-user client for tests (speaks the wire protocol). */
#ifndef VUS_CLIENT_H
#define VUS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "vus_internal.h"

struct vcl {
	int fd;
	uint16_t next_id;
	uint8_t buf[sizeof(struct vus_hdr) + 16 + (1u << 20)];
	struct vus_hdr rhdr;		/* last reply header */
	uint8_t *rpayload;		/* last reply payload (in buf) */
	size_t rlen;
	int rfds[4];
	unsigned int nrfds;
};

/* Connect to path (UNIX socket). 0 or -errno. */
int vcl_connect_path(struct vcl *c, const char *path);
void vcl_init_fd(struct vcl *c, int fd);
void vcl_close(struct vcl *c);

/*
 * Send @len bytes on socket @fd, @nfds fds (<= 32) with the first segment;
 * a short sendmsg is completed without fds. 0 or -errno.
 */
int vcl_sendmsg_fds(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds);
/* Send raw bytes with fds. */
int vcl_send_raw(struct vcl *c, const void *buf, size_t len, const int *fds,
		 unsigned int nfds);
/* Send a command; returns the message id used. */
int vcl_send(struct vcl *c, uint16_t cmd, uint32_t flags, const void *payload,
	     size_t len, const int *fds, unsigned int nfds);
/* Receive one reply (timeout_ms). 0, -ETIMEDOUT, -ECONNRESET (EOF). */
int vcl_recv(struct vcl *c, int timeout_ms);
/* Send and wait for the reply. Returns the reply's errno (0 = success,
 * >0 error reply), or -errno for transport trouble. */
int vcl_call(struct vcl *c, uint16_t cmd, const void *payload, size_t len,
	     const int *fds, unsigned int nfds);

int vcl_version(struct vcl *c, const char *json);
int vcl_dma_map(struct vcl *c, uint64_t gpa, uint64_t size, int fd,
		uint64_t off, uint32_t flags);
int vcl_dma_unmap(struct vcl *c, uint64_t gpa, uint64_t size, uint32_t flags);
int vcl_read(struct vcl *c, uint32_t region, uint64_t off, void *buf,
	     uint32_t len);
int vcl_write(struct vcl *c, uint32_t region, uint64_t off, const void *buf,
	      uint32_t len);
int vcl_read32(struct vcl *c, uint32_t region, uint64_t off, uint32_t *val);
int vcl_write32(struct vcl *c, uint32_t region, uint64_t off, uint32_t val);
/* Posted write (NO_REPLY). */
int vcl_write32_posted(struct vcl *c, uint32_t region, uint64_t off,
		       uint32_t val);
int vcl_set_irqs(struct vcl *c, uint32_t flags, uint32_t index, uint32_t start,
		 uint32_t count, const int *fds, unsigned int nfds);

/* Wait for an eventfd to fire; returns its count or 0 on timeout. */
uint64_t vcl_wait_efd(int efd, int timeout_ms);

#endif /* VUS_CLIENT_H */
