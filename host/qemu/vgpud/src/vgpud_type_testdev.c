// SPDX-License-Identifier: GPL-2.0-only
/* The "kvmgt-testdev" type: the transport test device (testdev.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vgpud.h"
#include "vgpud_testdev.h"

static int td_type_create(const struct vgpud_type *type, const char *name,
			  json_object *params, void **backend, struct vus_dev **vus,
			  char *err, size_t err_len)
{
	struct vgpud_testdev *td;
	int ret = vgpud_testdev_create(name, !strcmp(type->name, "kvmgt-testdev-mmap"), &td);

	if (ret) {
		snprintf(err, err_len, "cannot create the test device: %s", strerror(-ret));
		return ret;
	}
	*backend = td;
	*vus = vgpud_testdev_vus(td);
	return 0;
}

static void td_type_destroy(void *backend)
{
	vgpud_testdev_destroy(backend);
}

static void td_type_status(void *backend, json_object *out)
{
	struct vgpud_testdev_status st;
	json_object *d = json_object_new_object();

	vgpud_testdev_status(backend, &st);
	json_object_object_add(d, "scratch", json_object_new_int64(st.scratch));
	json_object_object_add(d, "dma_count", json_object_new_int64(st.dma_count));
	json_object_object_add(d, "dma_status", json_object_new_int64(st.dma_status));
	json_object_object_add(d, "irq_status", json_object_new_int64(st.irq_status));
	json_object_object_add(d, "connects", json_object_new_int64(st.connects));
	json_object_object_add(d, "resets", json_object_new_int64(st.resets));
	json_object_object_add(d, "sticky", json_object_new_int64(st.sticky));
	json_object_object_add(out, "device", d);
}

static const struct vgpud_type td_type = {
	.name = "kvmgt-testdev",
	.description = "transport test device: BAR0 registers, DMA copy engine, MSI/INTx",
	.create = td_type_create,
	.destroy = td_type_destroy,
	.status = td_type_status,
};

static const struct vgpud_type td_mmap_type = {
	.name = "kvmgt-testdev-mmap",
	.description = "kvmgt-testdev plus BAR2: 64 KiB shared through a region fd, half sparse-mmapped",
	.create = td_type_create,
	.destroy = td_type_destroy,
	.status = td_type_status,
};

void vgpud_testdev_type_register(void)
{
	vgpud_type_register(&td_type);
	vgpud_type_register(&td_mmap_type);
}
