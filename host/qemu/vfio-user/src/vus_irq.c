// SPDX-License-Identifier: GPL-2.0-only
/* Interrupts: SET_IRQS state and device-side triggering (eventfds). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vus_internal.h"

int vus_irqs_init(struct vus_dev *dev)
{
	pthread_mutex_init(&dev->irq_lock, NULL);
	dev->intx_resample_efd = -1;
	for (uint32_t i = 0; i < dev->desc.num_irqs; i++) {
		struct vus_irq_state *s = &dev->irqs[i];

		s->count = dev->desc.irqs[i].count;
		if (!s->count)
			continue;
		s->vec = calloc(s->count, sizeof(*s->vec));
		if (!s->vec)
			return -ENOMEM;
		for (uint32_t v = 0; v < s->count; v++)
			s->vec[v].efd = -1;
	}
	return 0;
}

void vus_irqs_fini(struct vus_dev *dev)
{
	vus_irqs_drop_client(dev);
	for (uint32_t i = 0; i < VUS_NUM_IRQS; i++) {
		free(dev->irqs[i].vec);
		dev->irqs[i].vec = NULL;
	}
	pthread_mutex_destroy(&dev->irq_lock);
}

static void vus_close_efd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vus_irqs_drop_client(struct vus_dev *dev)
{
	pthread_mutex_lock(&dev->irq_lock);
	for (uint32_t i = 0; i < VUS_NUM_IRQS; i++) {
		struct vus_irq_state *s = &dev->irqs[i];

		for (uint32_t v = 0; v < s->count; v++) {
			vus_close_efd(&s->vec[v].efd);
			s->vec[v].masked = false;
			s->vec[v].pending = false;
		}
	}
	vus_close_efd(&dev->intx_resample_efd);
	pthread_mutex_unlock(&dev->irq_lock);
}

/* Signal one vector. irq_lock held. */
static int vus_vec_fire(struct vus_dev *dev, struct vus_irq_vec *v, bool automask)
{
	uint64_t one = 1;

	if (v->efd < 0)
		return -ENOENT;
	if (v->masked) {
		v->pending = true;
		return -EAGAIN;
	}
	/* An eventfd write only blocks when the counter would overflow,
	 * i.e. never for a counter the client keeps draining. */
	if (write(v->efd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	atomic_fetch_add(&dev->st_irqs, 1);
	v->pending = false;
	if (automask)
		v->masked = true;
	return 0;
}

int vus_irq_trigger(struct vus_dev *dev, uint32_t index, uint32_t vector)
{
	int ret;

	if (index >= VUS_NUM_IRQS || vector >= dev->irqs[index].count)
		return -EINVAL;
	if (index == VUS_IRQ_INTX)
		return vus_intx_set_level(dev, true);
	pthread_mutex_lock(&dev->irq_lock);
	ret = vus_vec_fire(dev, &dev->irqs[index].vec[vector], false);
	pthread_mutex_unlock(&dev->irq_lock);
	return ret;
}

int vus_intx_set_level(struct vus_dev *dev, bool level)
{
	struct vus_irq_state *s = &dev->irqs[VUS_IRQ_INTX];
	int ret = 0;

	if (!s->count)
		return -EINVAL;
	pthread_mutex_lock(&dev->irq_lock);
	/* Fire on the rising edge; a line that stays high fires again when
	 * the client unmasks (vus_intx_unmask). */
	if (level && !dev->intx_level)
		ret = vus_vec_fire(dev, &s->vec[0], true);
	dev->intx_level = level;
	if (!level)
		s->vec[0].pending = false;
	pthread_mutex_unlock(&dev->irq_lock);
	return ret;
}

/* irq_lock held. */
static void vus_intx_unmask_locked(struct vus_dev *dev)
{
	struct vus_irq_vec *v = &dev->irqs[VUS_IRQ_INTX].vec[0];

	v->masked = false;
	if (dev->intx_level || v->pending)
		vus_vec_fire(dev, v, true);
}

void vus_intx_resample(struct vus_dev *dev)
{
	if (!dev->irqs[VUS_IRQ_INTX].count)
		return;
	pthread_mutex_lock(&dev->irq_lock);
	vus_intx_unmask_locked(dev);
	pthread_mutex_unlock(&dev->irq_lock);
}

uint32_t vus_irq_enabled(struct vus_dev *dev, uint32_t index)
{
	uint32_t n = 0;

	if (index >= VUS_NUM_IRQS)
		return 0;
	pthread_mutex_lock(&dev->irq_lock);
	for (uint32_t v = 0; v < dev->irqs[index].count; v++)
		n += dev->irqs[index].vec[v].efd >= 0;
	pthread_mutex_unlock(&dev->irq_lock);
	return n;
}

/* Apply a mask/unmask to one vector. irq_lock held. */
static void vus_vec_mask(struct vus_dev *dev, uint32_t index, uint32_t vec,
			 bool mask)
{
	struct vus_irq_vec *v = &dev->irqs[index].vec[vec];

	if (mask) {
		v->masked = true;
		return;
	}
	if (index == VUS_IRQ_INTX) {
		vus_intx_unmask_locked(dev);
		return;
	}
	v->masked = false;
	if (v->pending)
		vus_vec_fire(dev, v, false);
}

/*
 * DEVICE_SET_IRQS. The message layer checked the payload covers the
 * header and data_len bytes follow; fds[0..nfds) are ours to take (set
 * a slot to -1 when taken; the caller closes the rest).
 */
int vus_irq_set(struct vus_dev *dev, const struct vus_irq_set *set,
		const uint8_t *data, size_t data_len, int *fds,
		unsigned int nfds)
{
	uint32_t dtype = set->flags & VUS_IRQ_SET_DATA_MASK;
	uint32_t action = set->flags & VUS_IRQ_SET_ACTION_MASKS;
	struct vus_irq_state *s;
	uint32_t index = set->index, start = set->start, count = set->count;
	int ret = 0;

	if (set->flags & ~(VUS_IRQ_SET_DATA_MASK | VUS_IRQ_SET_ACTION_MASKS))
		return -EINVAL;
	/* Exactly one data type and one action. */
	if (__builtin_popcount(dtype) != 1 || __builtin_popcount(action) != 1)
		return -EINVAL;
	if (index >= dev->desc.num_irqs || !dev->irqs[index].count)
		return -EINVAL;
	s = &dev->irqs[index];
	if (nfds && dtype != VUS_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;

	if (!count) {
		/* DATA_NONE|TRIGGER with count 0 disables the whole index. */
		if (dtype != VUS_IRQ_SET_DATA_NONE || action != VUS_IRQ_SET_ACTION_TRIGGER || start)
			return -EINVAL;
		pthread_mutex_lock(&dev->irq_lock);
		for (uint32_t v = 0; v < s->count; v++) {
			vus_close_efd(&s->vec[v].efd);
			s->vec[v].masked = s->vec[v].pending = false;
		}
		if (index == VUS_IRQ_INTX)
			vus_close_efd(&dev->intx_resample_efd);
		pthread_mutex_unlock(&dev->irq_lock);
		goto out_notify_all;
	}
	if (start >= s->count || count > s->count - start)
		return -EINVAL;
	if (dtype == VUS_IRQ_SET_DATA_BOOL && data_len < count)
		return -EINVAL;

	pthread_mutex_lock(&dev->irq_lock);
	switch (dtype) {
	case VUS_IRQ_SET_DATA_EVENTFD:
		/* All valid fds, or none at all (= de-assign). */
		if (nfds && nfds != count) {
			ret = -EINVAL;
			break;
		}
		if (action == VUS_IRQ_SET_ACTION_TRIGGER) {
			for (uint32_t i = 0; i < count; i++) {
				struct vus_irq_vec *v = &s->vec[start + i];

				vus_close_efd(&v->efd);
				if (nfds) {
					v->efd = fds[i];
					fds[i] = -1;
				}
			}
		} else if (action == VUS_IRQ_SET_ACTION_UNMASK &&
			   index == VUS_IRQ_INTX) {
			/* The INTx resample eventfd (KVM's resamplefd): the
			 * client signals it at EOI, which unmasks. */
			vus_close_efd(&dev->intx_resample_efd);
			if (nfds) {
				dev->intx_resample_efd = fds[0];
				fds[0] = -1;
			}
		} else {
			ret = -EINVAL;
		}
		break;
	case VUS_IRQ_SET_DATA_NONE:
	case VUS_IRQ_SET_DATA_BOOL:
		for (uint32_t i = 0; i < count; i++) {
			uint32_t v = start + i;

			if (dtype == VUS_IRQ_SET_DATA_BOOL && !data[i])
				continue;
			if (action == VUS_IRQ_SET_ACTION_TRIGGER) {
				vus_vec_fire(dev, &s->vec[v], index == VUS_IRQ_INTX);
			} else {
				vus_vec_mask(dev, index, v,
					     action == VUS_IRQ_SET_ACTION_MASK);
			}
		}
		break;
	}
	pthread_mutex_unlock(&dev->irq_lock);
	if (ret)
		return ret;
	if (dev->ops->irq_state)
		dev->ops->irq_state(dev->opaque, index, start, count);
	return 0;

out_notify_all:
	if (dev->ops->irq_state)
		dev->ops->irq_state(dev->opaque, index, 0, s->count);
	return 0;
}
