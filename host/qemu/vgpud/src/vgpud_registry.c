// SPDX-License-Identifier: GPL-2.0-only
/* Device types and device instances. Used from the main thread only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpud.h"

#define VGPUD_MAX_TYPES 16
#define VGPUD_MAX_INSTANCES 64

static const struct vgpud_type *types[VGPUD_MAX_TYPES];
static unsigned int nr_types;
static struct vgpud_instance *instances;
static unsigned int nr_instances;
static const char *sock_dir = "/run/vgpud";

int vgpud_type_register(const struct vgpud_type *type)
{
	if (nr_types == VGPUD_MAX_TYPES || vgpud_type_find(type->name))
		return -EEXIST;
	types[nr_types++] = type;
	return 0;
}

const struct vgpud_type *vgpud_type_find(const char *name)
{
	for (unsigned int i = 0; i < nr_types; i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

const struct vgpud_type *vgpud_type_at(unsigned int i)
{
	return i < nr_types ? types[i] : NULL;
}

void vgpud_registry_init(const char *socket_dir)
{
	sock_dir = socket_dir;
}

const char *vgpud_socket_dir(void)
{
	return sock_dir;
}

/* Names become socket file names: keep them boring. */
bool vgpud_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > VGPUD_NAME_MAX || name[0] == '.' || name[0] == '-' ||
	    !strcmp(name, "control"))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

struct vgpud_instance *vgpud_instance_find(const char *name)
{
	for (struct vgpud_instance *i = instances; i; i = i->next)
		if (!strcmp(i->name, name))
			return i;
	return NULL;
}

struct vgpud_instance *vgpud_instance_first(void)
{
	return instances;
}

unsigned int vgpud_instance_count(void)
{
	return nr_instances;
}

int vgpud_instance_create(const char *type, const char *name, json_object *params,
			  struct vgpud_instance **out, char *err, size_t err_len)
{
	const struct vgpud_type *t = vgpud_type_find(type);
	struct vgpud_instance *in;
	int ret;

	if (!t) {
		snprintf(err, err_len, "unknown type '%s' (see 'vgpuctl types')", type);
		return -ENOENT;
	}
	if (!vgpud_name_valid(name)) {
		snprintf(err, err_len, "invalid name '%s': use 1-%d of [A-Za-z0-9._-], not starting with '.' or '-'",
			 name, VGPUD_NAME_MAX);
		return -EINVAL;
	}
	if (vgpud_instance_find(name)) {
		snprintf(err, err_len, "a device named '%s' already exists", name);
		return -EEXIST;
	}
	if (nr_instances >= VGPUD_MAX_INSTANCES) {
		snprintf(err, err_len, "too many devices (max %d)", VGPUD_MAX_INSTANCES);
		return -ENOSPC;
	}
	in = calloc(1, sizeof(*in));
	if (!in || asprintf(&in->socket_path, "%s/%s.sock", sock_dir, name) < 0) {
		free(in);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	strcpy(in->name, name);
	in->type = t;
	ret = t->create(t, name, params, &in->backend, &in->vus, err, err_len);
	if (ret)
		goto out_free;
	ret = vus_dev_listen(in->vus, in->socket_path);
	if (ret) {
		snprintf(err, err_len, "cannot listen on %s: %s", in->socket_path, strerror(-ret));
		t->destroy(in->backend);
		goto out_free;
	}
	in->next = instances;
	instances = in;
	nr_instances++;
	vgpud_log(VGPUD_INFO, "created %s '%s' at %s", t->name, name, in->socket_path);
	*out = in;
	return 0;

out_free:
	free(in->socket_path);
	free(in);
	return ret;
}

int vgpud_instance_destroy(const char *name)
{
	struct vgpud_instance **pp, *in;

	for (pp = &instances; (in = *pp); pp = &in->next) {
		if (strcmp(in->name, name))
			continue;
		*pp = in->next;
		nr_instances--;
		/* Closes the socket and the client, joins the threads. */
		in->type->destroy(in->backend);
		vgpud_log(VGPUD_INFO, "destroyed '%s'", name);
		free(in->socket_path);
		free(in);
		return 0;
	}
	return -ENOENT;
}

void vgpud_instance_destroy_all(void)
{
	while (instances) {
		char name[VGPUD_NAME_MAX + 1];

		strcpy(name, instances->name);
		vgpud_instance_destroy(name);
	}
}
