// SPDX-License-Identifier: GPL-2.0-only
/* Device lifetime, the listening socket and the per-client threads. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vus_internal.h"

void vus_conn_serve(struct vus_conn *c);

static int vus_desc_check(const struct vus_dev_desc *d)
{
	if (d->num_regions < VUS_PCI_NUM_REGIONS || d->num_regions > VUS_MAX_REGIONS ||
	    d->num_irqs > VUS_NUM_IRQS)
		return -EINVAL;
	/* A PCI device needs at least the standard config header. */
	if (d->regions[VUS_PCI_CONFIG_REGION].size < 256 ||
	    !(d->regions[VUS_PCI_CONFIG_REGION].flags & VUS_REGION_READ))
		return -EINVAL;
	for (uint32_t i = 0; i < d->num_regions; i++) {
		const struct vus_region *r = &d->regions[i];

		if (r->flags & ~(VUS_REGION_RW | VUS_REGION_MMAP))
			return -EINVAL;
		if ((r->flags & VUS_REGION_MMAP) && r->mmap_fd < 0)
			return -EINVAL;
		if (r->nr_sparse > VUS_MAX_SPARSE_AREAS ||
		    (r->nr_sparse && !(r->flags & VUS_REGION_MMAP)))
			return -EINVAL;
		for (uint32_t a = 0; a < r->nr_sparse; a++)
			if (r->sparse[a].offset > r->size ||
			    r->sparse[a].size > r->size - r->sparse[a].offset)
				return -EINVAL;
		if (r->type && i < VUS_PCI_NUM_REGIONS)
			return -EINVAL;
	}
	for (uint32_t i = 0; i < d->num_irqs; i++)
		if (d->irqs[i].count > VUS_MAX_IRQ_VECTORS)
			return -EINVAL;
	if (d->num_irqs > VUS_IRQ_INTX && d->irqs[VUS_IRQ_INTX].count > 1)
		return -EINVAL;
	return 0;
}

int vus_dev_create(const struct vus_dev_desc *desc,
		   const struct vus_dev_ops *ops, void *opaque,
		   struct vus_dev **out)
{
	struct vus_dev *dev;
	int ret;

	*out = NULL;
	if (!desc || !ops || !ops->region_read || !ops->region_write)
		return -EINVAL;
	ret = vus_desc_check(desc);
	if (ret)
		return ret;
	/*
	 * The client gets the region fds and could truncate them under the
	 * model's own mapping (SIGBUS in the daemon): they must be files that
	 * cannot shrink. A memfd made with MFD_ALLOW_SEALING is sealed here.
	 */
	for (uint32_t i = 0; i < desc->num_regions; i++) {
		const struct vus_region *r = &desc->regions[i];

		if (!(r->flags & VUS_REGION_MMAP) || !r->size)
			continue;
		ret = vus_fd_seal_shrink(r->mmap_fd);
		if (ret) {
			vus_log(VUS_LOG_ERR, "%s: region %u: its fd can be truncated by a client (%s): use memfd_create(MFD_ALLOW_SEALING)",
				desc->name ? desc->name : "vus", i, strerror(-ret));
			return -EINVAL;
		}
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->desc = *desc;
	snprintf(dev->name, sizeof(dev->name), "%s", desc->name ? desc->name : "vus");
	dev->desc.name = dev->name;
	dev->ops = ops;
	dev->opaque = opaque;
	dev->listen_fd = -1;
	dev->stop_efd = -1;
	vus_dma_table_init(&dev->dma);
	pthread_mutex_init(&dev->conn_lock, NULL);
	pthread_cond_init(&dev->conn_cond, NULL);
	ret = vus_irqs_init(dev);
	if (ret)
		goto out_free;
	dev->dma_release_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	dev->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (dev->dma_release_efd < 0 || dev->stop_efd < 0) {
		ret = -errno;
		goto out_close;
	}
	*out = dev;
	return 0;

out_close:
	if (dev->dma_release_efd >= 0)
		close(dev->dma_release_efd);
	if (dev->stop_efd >= 0)
		close(dev->stop_efd);
out_free:
	vus_irqs_fini(dev);
	pthread_cond_destroy(&dev->conn_cond);
	pthread_mutex_destroy(&dev->conn_lock);
	vus_dma_table_fini(&dev->dma);
	free(dev);
	return ret;
}

static void *vus_conn_main(void *arg)
{
	struct vus_conn *c = arg;
	struct vus_dev *dev = c->dev;

	vus_log_rl(VUS_LOG_INFO, "%s: client connected", dev->desc.name);
	if (dev->ops->client)
		dev->ops->client(dev->opaque, true);
	vus_conn_serve(c);

	/* The client is gone: drop its maps and eventfds, keep the device. */
	vus_dma_remove_range(dev, 0, 0, dev->ops->dma_unmap, dev->opaque);
	vus_irqs_drop_client(dev);
	if (dev->ops->client)
		dev->ops->client(dev->opaque, false);
	vus_log_rl(VUS_LOG_INFO, "%s: client disconnected", dev->desc.name);

	pthread_mutex_lock(&dev->conn_lock);
	close(c->fd);
	c->fd = -1;
	dev->conn = NULL;
	dev->old_conn = c;
	pthread_cond_broadcast(&dev->conn_cond);
	pthread_mutex_unlock(&dev->conn_lock);
	return NULL;
}

/* Join and free a finished client. conn_lock held. */
static void vus_conn_reap(struct vus_dev *dev)
{
	if (dev->old_conn) {
		pthread_join(dev->old_conn->thread, NULL);
		vus_conn_free(dev->old_conn);
		dev->old_conn = NULL;
	}
}

int vus_dev_attach_fd(struct vus_dev *dev, int fd)
{
	struct vus_conn *c;
	int ret;

	pthread_mutex_lock(&dev->conn_lock);
	if (dev->conn || dev->stopping) {
		ret = dev->stopping ? -ESHUTDOWN : -EBUSY;
		goto out_unlock;
	}
	vus_conn_reap(dev);
	c = vus_conn_new(dev, fd);
	if (!c) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ret = -pthread_create(&c->thread, NULL, vus_conn_main, c);
	if (ret) {
		vus_conn_free(c);
		goto out_unlock;
	}
	dev->conn = c;
	atomic_fetch_add(&dev->st_connections, 1);
	pthread_mutex_unlock(&dev->conn_lock);
	return 0;

out_unlock:
	pthread_mutex_unlock(&dev->conn_lock);
	close(fd);
	return ret;
}

void vus_dev_kick(struct vus_dev *dev)
{
	pthread_mutex_lock(&dev->conn_lock);
	/* The protocol thread sees EOF and cleans up; it closes the fd. */
	if (dev->conn && dev->conn->fd >= 0)
		shutdown(dev->conn->fd, SHUT_RDWR);
	pthread_mutex_unlock(&dev->conn_lock);
}

static void *vus_acceptor_main(void *arg)
{
	struct vus_dev *dev = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = dev->listen_fd, .events = POLLIN },
			{ .fd = dev->stop_efd, .events = POLLIN },
		};
		int fd, ret;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			vus_log(VUS_LOG_ERR, "%s: poll: %s", dev->desc.name, strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(dev->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				vus_log_rl(VUS_LOG_WARN, "%s: accept: %s", dev->desc.name,
					   strerror(errno));
			continue;
		}
		ret = vus_dev_attach_fd(dev, fd);
		if (ret == -EBUSY)
			vus_log_rl(VUS_LOG_WARN, "%s: refusing a second client (one is connected)",
				   dev->desc.name);
		else if (ret)
			vus_log_rl(VUS_LOG_ERR, "%s: cannot serve a client: %s",
				   dev->desc.name, strerror(-ret));
	}
	return NULL;
}

int vus_dev_listen(struct vus_dev *dev, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if (dev->listen_fd >= 0)
		return -EBUSY;
	strcpy(sa.sun_path, path);
	/* Replace a stale socket, never any other kind of file. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		ret = -errno;
		goto out_close;
	}
	dev->listen_path = strdup(path);
	if (!dev->listen_path) {
		ret = -ENOMEM;
		goto out_unlink;
	}
	dev->listen_fd = fd;
	ret = -pthread_create(&dev->acceptor, NULL, vus_acceptor_main, dev);
	if (ret) {
		dev->listen_fd = -1;
		free(dev->listen_path);
		dev->listen_path = NULL;
		goto out_unlink;
	}
	dev->acceptor_running = true;
	vus_log(VUS_LOG_INFO, "%s: listening on %s", dev->desc.name, path);
	return 0;

out_unlink:
	unlink(path);
out_close:
	close(fd);
	return ret;
}

void vus_dev_destroy(struct vus_dev *dev)
{
	uint64_t one = 1;

	if (!dev)
		return;
	if (dev->acceptor_running) {
		if (write(dev->stop_efd, &one, sizeof(one)) < 0)
			vus_log(VUS_LOG_ERR, "%s: cannot stop the acceptor", dev->desc.name);
		pthread_join(dev->acceptor, NULL);
	}
	if (dev->listen_fd >= 0) {
		close(dev->listen_fd);
		unlink(dev->listen_path);
	}
	free(dev->listen_path);

	pthread_mutex_lock(&dev->conn_lock);
	dev->stopping = true;
	if (dev->conn) {
		shutdown(dev->conn->fd, SHUT_RDWR);
		while (dev->conn)
			pthread_cond_wait(&dev->conn_cond, &dev->conn_lock);
	}
	vus_conn_reap(dev);
	pthread_mutex_unlock(&dev->conn_lock);

	vus_dma_remove_all(dev);
	vus_irqs_fini(dev);
	close(dev->dma_release_efd);
	close(dev->stop_efd);
	pthread_cond_destroy(&dev->conn_cond);
	pthread_mutex_destroy(&dev->conn_lock);
	vus_dma_table_fini(&dev->dma);
	free(dev);
}

void vus_dev_stats(struct vus_dev *dev, struct vus_dev_stats *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&dev->conn_lock);
	st->connected = dev->conn != NULL;
	pthread_mutex_unlock(&dev->conn_lock);
	pthread_mutex_lock(&dev->dma.lock);
	st->nr_maps = dev->dma.nr;
	st->mapped_bytes = dev->dma.bytes;
	pthread_mutex_unlock(&dev->dma.lock);
	st->connections = atomic_load(&dev->st_connections);
	st->messages = atomic_load(&dev->st_messages);
	st->bad_messages = atomic_load(&dev->st_bad);
	st->irqs = atomic_load(&dev->st_irqs);
	st->dma_truncated = atomic_load(&dev->st_dma_dead);
}
