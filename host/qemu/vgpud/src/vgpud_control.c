// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control API: one JSON object per line in, one per line out.
 *   {"cmd":"types"}                                  device types
 *   {"cmd":"list"}                                   devices
 *   {"cmd":"create","type":T,"name":N}               -> "socket": path
 *   {"cmd":"destroy","name":N}
 *   {"cmd":"status"} / {"cmd":"status","name":N}
 *   {"cmd":"stats","name":N}                       counters (totals) + clock
 *   {"cmd":"screenshot","name":N,"file":ABS}       display -> PNG file
 *   {"cmd":"edid","name":N,"edid":HEX}             new monitor EDID (hotplug)
 * Replies carry "ok": true, or "ok": false and "error": one line.
 * A failed request changes nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vgpud.h"

static json_object *vgpud_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_object *vgpud_err(const char *fmt, ...)
{
	json_object *r = json_object_new_object();
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

static json_object *vgpud_ok(void)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(1));
	return r;
}

/* A required string member, or NULL. */
static const char *vgpud_str(json_object *req, const char *key)
{
	json_object *o;

	if (!json_object_object_get_ex(req, key, &o) ||
	    !json_object_is_type(o, json_type_string))
		return NULL;
	return json_object_get_string(o);
}

static json_object *vgpud_dev_json(struct vgpud_instance *in, bool full)
{
	json_object *d = json_object_new_object();
	struct vus_dev_stats st;

	vus_dev_stats(in->vus, &st);
	json_object_object_add(d, "name", json_object_new_string(in->name));
	json_object_object_add(d, "type", json_object_new_string(in->type->name));
	json_object_object_add(d, "socket", json_object_new_string(in->socket_path));
	json_object_object_add(d, "connected", json_object_new_boolean(st.connected));
	if (!full)
		return d;
	json_object_object_add(d, "dma_maps", json_object_new_int64(st.nr_maps));
	json_object_object_add(d, "dma_bytes", json_object_new_int64((int64_t)st.mapped_bytes));
	json_object_object_add(d, "connections", json_object_new_int64((int64_t)st.connections));
	json_object_object_add(d, "messages", json_object_new_int64((int64_t)st.messages));
	json_object_object_add(d, "bad_messages", json_object_new_int64((int64_t)st.bad_messages));
	json_object_object_add(d, "irqs", json_object_new_int64((int64_t)st.irqs));
	if (in->type->status)
		in->type->status(in->backend, d);
	return d;
}

static json_object *vgpud_cmd_types(json_object *req)
{
	json_object *r = vgpud_ok(), *a = json_object_new_array();
	const struct vgpud_type *t;

	for (unsigned int i = 0; (t = vgpud_type_at(i)); i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(t->name));
		json_object_object_add(o, "description", json_object_new_string(t->description));
		if (t->type_info)
			t->type_info(t, o);
		json_object_array_add(a, o);
	}
	json_object_object_add(r, "types", a);
	return r;
}

static json_object *vgpud_cmd_list(json_object *req)
{
	json_object *r = vgpud_ok(), *a = json_object_new_array();

	for (struct vgpud_instance *in = vgpud_instance_first(); in; in = in->next)
		json_object_array_add(a, vgpud_dev_json(in, false));
	json_object_object_add(r, "devices", a);
	return r;
}

static json_object *vgpud_cmd_create(json_object *req)
{
	const char *type = vgpud_str(req, "type"), *name = vgpud_str(req, "name");
	struct vgpud_instance *in;
	char err[256] = "";
	json_object *r;

	if (!type || !name)
		return vgpud_err("create needs string members \"type\" and \"name\"");
	if (vgpud_instance_create(type, name, req, &in, err, sizeof(err)))
		return vgpud_err("%s", err);
	r = vgpud_ok();
	json_object_object_add(r, "name", json_object_new_string(in->name));
	json_object_object_add(r, "socket", json_object_new_string(in->socket_path));
	return r;
}

static json_object *vgpud_cmd_destroy(json_object *req)
{
	const char *name = vgpud_str(req, "name");

	if (!name)
		return vgpud_err("destroy needs a string member \"name\"");
	if (vgpud_instance_destroy(name))
		return vgpud_err("no device named '%s'", name);
	return vgpud_ok();
}

static json_object *vgpud_cmd_screenshot(json_object *req)
{
	const char *name = vgpud_str(req, "name"), *file = vgpud_str(req, "file");
	struct vgpud_instance *in;
	char err[256] = "";
	json_object *r;

	if (!name || !file || file[0] != '/')
		return vgpud_err("screenshot needs string members \"name\" and \"file\" (an absolute path)");
	in = vgpud_instance_find(name);
	if (!in)
		return vgpud_err("no device named '%s'", name);
	if (!in->type->screenshot)
		return vgpud_err("device '%s' (%s) has no display", name, in->type->name);
	r = vgpud_ok();
	if (in->type->screenshot(in->backend, file, r, err, sizeof(err))) {
		json_object_put(r);
		return vgpud_err("%s", err);
	}
	return r;
}

static json_object *vgpud_cmd_edid(json_object *req)
{
	const char *name = vgpud_str(req, "name"), *hex = vgpud_str(req, "edid");
	struct vgpud_instance *in;
	uint8_t edid[512];
	char err[256] = "";
	size_t n;

	if (!name || !hex)
		return vgpud_err("edid needs string members \"name\" and \"edid\" (hex)");
	n = strlen(hex);
	if (n % 2 || n / 2 > sizeof(edid))
		return vgpud_err("\"edid\" must be an even number of hex digits, at most %zu bytes",
				 sizeof(edid));
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return vgpud_err("\"edid\" is not hex at offset %zu", 2 * i);
		edid[i] = (uint8_t)b;
	}
	in = vgpud_instance_find(name);
	if (!in)
		return vgpud_err("no device named '%s'", name);
	if (!in->type->set_edid)
		return vgpud_err("device '%s' (%s) has no monitor", name, in->type->name);
	if (in->type->set_edid(in->backend, edid, n / 2, err, sizeof(err)))
		return vgpud_err("%s", err);
	return vgpud_ok();
}

static json_object *vgpud_cmd_status(json_object *req)
{
	static time_t started;
	json_object *r, *name_o;
	struct vgpud_instance *in;
	const char *name;

	if (!started)
		started = time(NULL);
	if (json_object_object_get_ex(req, "name", &name_o)) {
		name = vgpud_str(req, "name");
		if (!name)
			return vgpud_err("\"name\" must be a string");
		in = vgpud_instance_find(name);
		if (!in)
			return vgpud_err("no device named '%s'", name);
		r = vgpud_ok();
		json_object_object_add(r, "status", vgpud_dev_json(in, true));
		return r;
	}
	r = vgpud_ok();
	json_object_object_add(r, "version", json_object_new_string(VGPUD_VERSION));
	json_object_object_add(r, "devices", json_object_new_int64(vgpud_instance_count()));
	return r;
}

/*
 * Counters of one device, all totals since it was created, and the
 * monotonic clock they were read at: a client takes two and subtracts.
 */
static json_object *vgpud_cmd_stats(json_object *req)
{
	const char *name = vgpud_str(req, "name");
	struct vgpud_instance *in;
	struct vus_dev_stats vs;
	struct timespec ts;
	json_object *r, *o;

	if (!name)
		return vgpud_err("stats needs a string member \"name\"");
	in = vgpud_instance_find(name);
	if (!in)
		return vgpud_err("no device named '%s'", name);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	vus_dev_stats(in->vus, &vs);
	o = json_object_new_object();
	json_object_object_add(o, "monotonic_ns",
			       json_object_new_int64((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec));
	json_object_object_add(o, "messages", json_object_new_int64((int64_t)vs.messages));
	json_object_object_add(o, "bad_messages", json_object_new_int64((int64_t)vs.bad_messages));
	json_object_object_add(o, "irqs", json_object_new_int64((int64_t)vs.irqs));
	if (in->type->stats)
		in->type->stats(in->backend, o);
	r = vgpud_ok();
	json_object_object_add(r, "name", json_object_new_string(in->name));
	json_object_object_add(r, "type", json_object_new_string(in->type->name));
	json_object_object_add(r, "stats", o);
	return r;
}

json_object *vgpud_control_handle(const char *line, size_t len)
{
	static const struct {
		const char *name;
		json_object *(*fn)(json_object *req);
	} cmds[] = {
		{ "types", vgpud_cmd_types },
		{ "list", vgpud_cmd_list },
		{ "create", vgpud_cmd_create },
		{ "destroy", vgpud_cmd_destroy },
		{ "status", vgpud_cmd_status },
		{ "screenshot", vgpud_cmd_screenshot },
		{ "edid", vgpud_cmd_edid },
		{ "stats", vgpud_cmd_stats },
	};
	json_tokener *tok = json_tokener_new();
	json_object *req, *r;
	const char *cmd;

	if (!tok)
		return vgpud_err("out of memory");
	req = json_tokener_parse_ex(tok, line, (int)len);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(req, json_type_object)) {
		json_tokener_free(tok);
		if (req)
			json_object_put(req);
		return vgpud_err("request is not a JSON object");
	}
	json_tokener_free(tok);
	cmd = vgpud_str(req, "cmd");
	if (!cmd) {
		r = vgpud_err("request needs a string member \"cmd\"");
		goto out_put;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(cmd, cmds[i].name)) {
			r = cmds[i].fn(req);
			goto out_put;
		}
	}
	r = vgpud_err("unknown command '%s' (types, list, create, destroy, status, stats, screenshot, edid)", cmd);
out_put:
	json_object_put(req);
	return r;
}
