// SPDX-License-Identifier: GPL-2.0-only
/*
 * vus-probe: one vfio-user client session from the command line, for
 * scripts and tests. Connects, negotiates VERSION, then runs the ops:
 *   vus-probe SOCKET [read32 REGION OFF] [write32 REGION OFF VAL]...
 * Each read32 prints the value as 0x%08x on its own line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vus_client.h"

static struct vcl cl;

int main(int argc, char **argv)
{
	int ret, i;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: vus-probe SOCKET [read32 REGION OFF | write32 REGION OFF VAL]...\n");
		return 2;
	}
	ret = vcl_connect_path(&cl, argv[1]);
	if (ret) {
		fprintf(stderr, "vus-probe: connect %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	ret = vcl_version(&cl, "{\"capabilities\":{\"max_msg_fds\":16}}");
	if (ret) {
		fprintf(stderr, "vus-probe: VERSION failed: %d\n", ret);
		return 1;
	}
	for (i = 2; i < argc;) {
		if (!strcmp(argv[i], "read32") && i + 2 < argc) {
			uint32_t v;

			ret = vcl_read32(&cl, (uint32_t)strtoul(argv[i + 1], NULL, 0),
					 strtoull(argv[i + 2], NULL, 0), &v);
			if (ret)
				goto out_err;
			printf("0x%08x\n", v);
			i += 3;
		} else if (!strcmp(argv[i], "write32") && i + 3 < argc) {
			ret = vcl_write32(&cl, (uint32_t)strtoul(argv[i + 1], NULL, 0),
					  strtoull(argv[i + 2], NULL, 0),
					  (uint32_t)strtoul(argv[i + 3], NULL, 0));
			if (ret)
				goto out_err;
			i += 4;
		} else {
			fprintf(stderr, "vus-probe: bad op '%s'\n", argv[i]);
			return 2;
		}
	}
	vcl_close(&cl);
	return 0;
out_err:
	fprintf(stderr, "vus-probe: %s failed: %d\n", argv[i], ret);
	return 1;
}
