// SPDX-License-Identifier: GPL-2.0-only
/* vgpud internals: logging, the device-type registry and instances. */
#ifndef VGPUD_H
#define VGPUD_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "vus.h"

#define VGPUD_VERSION "0.1"
#define VGPUD_NAME_MAX 64

/* ---- logging (vgpud_log.c): "<N>vgpud: ..." on stderr ---- */
enum { VGPUD_ERR = 3, VGPUD_WARN = 4, VGPUD_INFO = 6, VGPUD_DEBUG = 7 };
void vgpud_log_init(int max_level);
int vgpud_log_level_parse(const char *s);
void vgpud_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A device type. A backend (test device now, vGPU types later) fills one
 * of these and calls vgpud_type_register() before the control API runs.
 */
struct vgpud_type {
	const char *name;		/* "kvmgt-testdev", "kvmgt-gen9-..." */
	const char *description;
	/* Build the device model and its vus device (not listening yet).
	 * params: the create request (may carry type options). On failure
	 * return -errno and write a one-line reason to err. */
	int (*create)(const struct vgpud_type *type, const char *name,
		      json_object *params, void **backend, struct vus_dev **vus,
		      char *err, size_t err_len);
	/* Stop the model's threads and free it (destroys the vus device). */
	void (*destroy)(void *backend);
	/* Add type-specific fields to a status reply (optional). */
	void (*status)(void *backend, json_object *out);
	/* Write a PNG of the device's display to path (optional); details
	 * go to out. On failure return -errno and one line in err. */
	int (*screenshot)(void *backend, const char *path, json_object *out,
			  char *err, size_t err_len);
	/* Replace the device's monitor EDID (optional); one line in err. */
	int (*set_edid)(void *backend, const void *edid, size_t len, char *err, size_t err_len);
	/* Add fields (available_instances, ...) to a types entry (optional). */
	void (*type_info)(const struct vgpud_type *type, json_object *out);
	/* Add the device model's counters to a stats reply (optional). */
	void (*stats)(void *backend, json_object *out);
};

int vgpud_type_register(const struct vgpud_type *type);
const struct vgpud_type *vgpud_type_find(const char *name);
/* Iterate: returns NULL past the end. */
const struct vgpud_type *vgpud_type_at(unsigned int i);

/* Built-in types. */
void vgpud_testdev_type_register(void);
void vgpud_gvt_type_register(void);	/* GVTg_V5_x (vgpud_type_gvt.c) */
/* before vgpud_gvt_type_register: run guest GPU work on the physical GPU */
void vgpud_gvt_set_exec(bool on);

/* ---- instances (vgpud_registry.c) ---- */
struct vgpud_instance {
	char name[VGPUD_NAME_MAX + 1];
	const struct vgpud_type *type;
	char *socket_path;
	void *backend;
	struct vus_dev *vus;
	struct vgpud_instance *next;
};

void vgpud_registry_init(const char *socket_dir);
const char *vgpud_socket_dir(void);
bool vgpud_name_valid(const char *name);
int vgpud_instance_create(const char *type, const char *name, json_object *params,
			  struct vgpud_instance **out, char *err, size_t err_len);
int vgpud_instance_destroy(const char *name);
struct vgpud_instance *vgpud_instance_find(const char *name);
struct vgpud_instance *vgpud_instance_first(void);
unsigned int vgpud_instance_count(void);
void vgpud_instance_destroy_all(void);

/* ---- control API (vgpud_control.c) ---- */
/* Handle one request line; returns the reply object (caller puts it). */
json_object *vgpud_control_handle(const char *line, size_t len);

#endif /* VGPUD_H */
