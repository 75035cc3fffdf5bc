// SPDX-License-Identifier: GPL-2.0-only
/*
 * One client connection: the protocol thread reads a message (with its
 * SCM_RIGHTS fds), hands it to vus_msg_handle() and sends the reply. It
 * never touches guest memory; the only thing it waits for besides the
 * socket is the release of unmapped ranges, and it waits for that in
 * poll() (still watching for hang-up and shutdown).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vus_internal.h"

#define VUS_REPLY_CAP (sizeof(struct vus_region_access) + VUS_MAX_DATA_XFER)

struct vus_conn *vus_conn_new(struct vus_dev *dev, int fd)
{
	struct vus_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->dev = dev;
	c->fd = fd;
	c->rxbuf = malloc(VUS_MAX_MSG_SIZE);
	c->txbuf = malloc(sizeof(struct vus_hdr) + VUS_REPLY_CAP);
	if (!c->rxbuf || !c->txbuf) {
		free(c->rxbuf);
		free(c->txbuf);
		free(c);
		return NULL;
	}
	/* Until VERSION: the spec defaults. */
	c->caps.max_msg_fds = 1;
	c->caps.max_data_xfer_size = VUS_MAX_DATA_XFER;
	c->caps.pgsizes = 4096;
	c->caps.max_dma_maps = VUS_DEF_MAX_DMA_MAPS;
	return c;
}

static void vus_close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

void vus_conn_free(struct vus_conn *c)
{
	if (!c)
		return;
	vus_close_fds(c->rx_fds, c->rx_nfds);
	free(c->rxbuf);
	free(c->txbuf);
	free(c);
}


/*
 * Receive fds into fds[*nfds...] from a control buffer. -EPROTO if there
 * are more than the protocol allows (all of them closed then).
 */
static int vus_conn_take_fds(struct msghdr *mh, int *fds, unsigned int *nfds)
{
	int ret = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		unsigned int k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (unsigned int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		if (*nfds + k > VUS_MAX_MSG_FDS) {
			int extra[VUS_MAX_MSG_FDS];

			memcpy(extra, CMSG_DATA(cm), k * sizeof(int));
			vus_close_fds(extra, k);
			ret = -EPROTO;
			continue;
		}
		memcpy(fds + *nfds, CMSG_DATA(cm), k * sizeof(int));
		*nfds += k;
	}
	if (mh->msg_flags & MSG_CTRUNC)
		ret = -EPROTO;	/* more fds than we allow: unusable */
	return ret;
}

/* Offset of the last message that starts before end, walking the
 * headers in rxbuf from 0 (a bad size ends the walk: that message closes
 * the connection when it is handled). */
static size_t vus_conn_last_start(const struct vus_conn *c, size_t end)
{
	size_t off = 0;

	for (;;) {
		struct vus_hdr h;

		if (off + sizeof(h) > end)
			return off;
		memcpy(&h, c->rxbuf + off, sizeof(h));
		if (vus_hdr_check(&h) || off + h.size >= end)
			return off;
		off += h.size;
	}
}

/*
 * Read ahead: one recvmsg usually brings a whole small message (and the
 * next ones if the client pipelined them), instead of one read for the
 * header and one for the rest. Only while the current header is
 * incomplete, and at most this much.
 */
#define VUS_RX_AHEAD 8192

/*
 * fds travel with the first byte of the sendmsg that carried them, and a
 * Linux stream recvmsg ends right after the data that brought fds. So fds
 * received by a read belong to the last message starting in that read
 * (QEMU sends each message, fds included, with one sendmsg). They are
 * kept until that message is the current one.
 */
int vus_conn_recv(struct vus_conn *c, int *fds, unsigned int *nfds)
{
	union {
		char buf[CMSG_SPACE(VUS_MAX_MSG_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct vus_hdr h;
	ssize_t n;
	int ret;

	*nfds = 0;
	for (;;) {
		if (c->rx_len >= sizeof(h)) {
			memcpy(&h, c->rxbuf, sizeof(h));
			ret = vus_hdr_check(&h);
			if (ret) {
				ret = -ret;
				goto out_close;
			}
			if (c->rx_len >= h.size)
				break;
			/* The rest of this message only. */
			n = recv(c->fd, c->rxbuf + c->rx_len, h.size - c->rx_len, 0);
			if (n > 0) {
				c->rx_len += (size_t)n;
				continue;
			}
		} else {
			size_t old = c->rx_len, want = VUS_MAX_MSG_SIZE - old;
			struct iovec iov;
			struct msghdr mh = {
				.msg_iov = &iov, .msg_iovlen = 1,
				.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
			};
			unsigned int k = 0;
			int got[VUS_MAX_MSG_FDS];

			/* With fds already pending for this message, read only
			 * its header, so a second set cannot arrive. */
			if (c->rx_nfds)
				want = sizeof(h) - old;
			else if (want > VUS_RX_AHEAD)
				want = VUS_RX_AHEAD;
			iov.iov_base = c->rxbuf + old;
			iov.iov_len = want;
			n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
			if (n > 0) {
				ret = vus_conn_take_fds(&mh, got, &k);
				c->rx_len += (size_t)n;
				if (k && !ret) {
					size_t owner = vus_conn_last_start(c, c->rx_len);

					if (c->rx_nfds && c->rx_fds_off != owner) {
						ret = -EPROTO;	/* cannot happen (see above) */
					} else if (c->rx_nfds + k > VUS_MAX_MSG_FDS) {
						ret = -EPROTO;
					} else {
						memcpy(c->rx_fds + c->rx_nfds, got, k * sizeof(int));
						c->rx_nfds += k;
						c->rx_fds_off = owner;
						k = 0;
					}
				}
				vus_close_fds(got, k);
				if (ret)
					goto out_close;
				continue;
			}
		}
		if (n < 0 && errno == EINTR)
			continue;
		ret = n < 0 ? -errno : -ECONNRESET;
		goto out_close;
	}
	/* Complete: hand over its fds, if they are pending. */
	if (c->rx_nfds && c->rx_fds_off == 0) {
		memcpy(fds, c->rx_fds, c->rx_nfds * sizeof(int));
		*nfds = c->rx_nfds;
		c->rx_nfds = 0;
	}
	return 0;
out_close:
	vus_close_fds(c->rx_fds, c->rx_nfds);
	c->rx_nfds = 0;
	return ret;
}

/* Is a complete message waiting in rxbuf? */
static bool vus_conn_buffered(const struct vus_conn *c)
{
	struct vus_hdr h;

	if (c->rx_len < sizeof(h))
		return false;
	memcpy(&h, c->rxbuf, sizeof(h));
	return vus_hdr_check(&h) || c->rx_len >= h.size;
}

void vus_conn_consume(struct vus_conn *c)
{
	struct vus_hdr h;

	memcpy(&h, c->rxbuf, sizeof(h));
	/* Usually nothing is left; a pipelined message moves to the front
	 * (aligned for the handlers, at most VUS_RX_AHEAD bytes). */
	c->rx_len -= h.size;
	if (c->rx_len)
		memmove(c->rxbuf, c->rxbuf + h.size, c->rx_len);
	if (c->rx_nfds)
		c->rx_fds_off -= h.size;
}

static int vus_conn_send(struct vus_conn *c, const struct vus_hdr *req,
			 int err, const struct vus_msg *msg)
{
	struct vus_hdr *h = (struct vus_hdr *)c->txbuf;
	size_t len = sizeof(*h) + (err ? 0 : msg->reply_len), sent = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;

	h->msg_id = req->msg_id;
	h->cmd = req->cmd;
	h->size = (uint32_t)len;
	h->flags = VUS_F_TYPE_REPLY | (err ? VUS_F_ERROR : 0);
	h->error = err ? (uint32_t)err : 0;
	while (sent < len) {
		struct iovec iov = { c->txbuf + sent, len - sent };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (!sent && !err && msg->reply_fd >= 0) {
			struct cmsghdr *cm;

			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = sizeof(ctl.buf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &msg->reply_fd, sizeof(int));
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		sent += (size_t)n;
	}
	return 0;
}

/* Wait (in poll) until every unmapped range is released. false: stop. */
static bool vus_conn_wait_unmap(struct vus_conn *c)
{
	struct vus_dev *dev = c->dev;
	int waited = 0;

	while (vus_dma_dying(dev) > 0) {
		struct pollfd p[2] = {
			{ .fd = dev->dma_release_efd, .events = POLLIN },
			{ .fd = c->fd, .events = POLLRDHUP },
		};
		uint64_t v;

		if (poll(p, 2, 100) < 0 && errno != EINTR)
			return false;
		if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
			return false;
		if (p[0].revents & POLLIN && read(dev->dma_release_efd, &v, sizeof(v)) < 0)
			(void)0;	/* drained by someone else: fine */
		if (++waited == 20)
			vus_log_rl(VUS_LOG_WARN, "%s: DMA_UNMAP waits for the device to release guest memory",
				dev->desc.name);
	}
	return true;
}

/* Serve c until EOF, error or kick. Returns when the connection is over. */
void vus_conn_serve(struct vus_conn *c);
void vus_conn_serve(struct vus_conn *c)
{
	struct vus_dev *dev = c->dev;
	int fds[VUS_MAX_MSG_FDS];
	unsigned int nfds;
	struct vus_msg msg;
	int ret, err;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = c->fd, .events = POLLIN },
			{ .fd = -1, .events = POLLIN },
		};
		uint64_t v;

		pthread_mutex_lock(&dev->irq_lock);
		p[1].fd = dev->intx_resample_efd;
		pthread_mutex_unlock(&dev->irq_lock);
		/* Nothing but the socket to wait for (the usual case): block in
		 * recvmsg directly, one syscall less per message. A message
		 * already read ahead is handled before waiting for anything. */
		if (p[1].fd < 0 || vus_conn_buffered(c))
			p[0].revents = POLLIN;
		else if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			if (read(p[1].fd, &v, sizeof(v)) == sizeof(v))
				vus_intx_resample(dev);
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
			continue;

		ret = vus_conn_recv(c, fds, &nfds);
		if (ret) {
			if (ret != -ECONNRESET) {
				atomic_fetch_add(&dev->st_bad, 1);
				vus_log_rl(VUS_LOG_WARN, "%s: bad message stream (%d), closing the connection",
					   dev->desc.name, ret);
			}
			break;
		}
		atomic_fetch_add(&dev->st_messages, 1);
		memset(&msg, 0, sizeof(msg));
		msg.hdr = (const struct vus_hdr *)c->rxbuf;
		msg.payload = c->rxbuf + sizeof(struct vus_hdr);
		msg.payload_len = msg.hdr->size - sizeof(struct vus_hdr);
		msg.fds = fds;
		msg.nfds = nfds;
		msg.reply = c->txbuf + sizeof(struct vus_hdr);
		msg.reply_cap = VUS_REPLY_CAP;
		err = vus_msg_handle(c, &msg);
		vus_close_fds(fds, nfds);
		if (err) {
			atomic_fetch_add(&dev->st_bad, 1);
			vus_log_rl(VUS_LOG_DEBUG, "%s: cmd %u id %u size %u: error %d",
				   dev->desc.name, msg.hdr->cmd, msg.hdr->msg_id, msg.hdr->size, err);
		}
		if (msg.pending_unmap && !vus_conn_wait_unmap(c))
			break;
		if (!(msg.hdr->flags & VUS_F_NO_REPLY))
			ret = vus_conn_send(c, msg.hdr, err, &msg);
		if (msg.reply_fd >= 0)
			close(msg.reply_fd);
		if (ret || msg.close_conn)
			break;
		vus_conn_consume(c);
	}
}
