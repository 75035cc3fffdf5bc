// SPDX-License-Identifier: GPL-2.0-only
/* VERSION capability negotiation (JSON, json-c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vus_internal.h"

static int vus_caps_u64(json_object *caps, const char *key, uint64_t *val)
{
	json_object *o;
	int64_t v;

	if (!json_object_object_get_ex(caps, key, &o))
		return 0;
	if (!json_object_is_type(o, json_type_int))
		return -EINVAL;
	errno = 0;
	v = json_object_get_int64(o);
	if (v < 0 || errno)
		return -EINVAL;
	*val = (uint64_t)v;
	return 0;
}

int vus_caps_negotiate(const char *json, size_t len, struct vus_caps *caps,
		       char *out, size_t out_len)
{
	/* Spec defaults when the client says nothing. */
	uint64_t fds = 1, xfer = 1u << 20, pgsizes = 4096;
	uint64_t maps = VUS_DEF_MAX_DMA_MAPS;
	bool wm = false;
	json_tokener *tok = NULL;
	json_object *root = NULL, *c, *o;
	int ret = 0, n;

	if (json && len) {
		tok = json_tokener_new();
		if (!tok)
			return -ENOMEM;
		root = json_tokener_parse_ex(tok, json, (int)len);
		if (!root || json_tokener_get_error(tok) != json_tokener_success ||
		    !json_object_is_type(root, json_type_object)) {
			ret = -EINVAL;
			goto out_put;
		}
		if (json_object_object_get_ex(root, "capabilities", &c)) {
			if (!json_object_is_type(c, json_type_object)) {
				ret = -EINVAL;
				goto out_put;
			}
			if ((ret = vus_caps_u64(c, "max_msg_fds", &fds)) ||
			    (ret = vus_caps_u64(c, "max_data_xfer_size", &xfer)) ||
			    (ret = vus_caps_u64(c, "pgsizes", &pgsizes)) ||
			    (ret = vus_caps_u64(c, "max_dma_maps", &maps)))
				goto out_put;
			if (json_object_object_get_ex(c, "write_multiple", &o)) {
				if (!json_object_is_type(o, json_type_boolean)) {
					ret = -EINVAL;
					goto out_put;
				}
				wm = json_object_get_boolean(o);
			}
			/* twin_socket is never accepted: it is only used when
			 * the server echoes it, and we don't. */
		}
	}
	/* The client must be able to take the one fd a region reply carries,
	 * move some data, and map 4 KiB pages (all we do). */
	if (fds < 1 || xfer < 8 || !(pgsizes & 4096) || maps < 1) {
		ret = -ENOTSUP;
		goto out_put;
	}
	caps->max_msg_fds = VUS_MAX_MSG_FDS;
	caps->max_data_xfer_size = xfer < VUS_MAX_DATA_XFER ? xfer : VUS_MAX_DATA_XFER;
	caps->pgsizes = 4096;
	caps->max_dma_maps = maps < VUS_DEF_MAX_DMA_MAPS ? (uint32_t)maps : VUS_DEF_MAX_DMA_MAPS;
	caps->write_multiple = wm;
	n = snprintf(out, out_len,
		     "{\"capabilities\":{\"max_msg_fds\":%u,"
		     "\"max_data_xfer_size\":%llu,\"pgsizes\":%llu,"
		     "\"max_dma_maps\":%u,\"write_multiple\":%s}}",
		     caps->max_msg_fds,
		     (unsigned long long)caps->max_data_xfer_size,
		     (unsigned long long)caps->pgsizes, caps->max_dma_maps,
		     caps->write_multiple ? "true" : "false");
	if (n < 0 || (size_t)n >= out_len)
		ret = -ENOSPC;
out_put:
	if (root)
		json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	return ret;
}
