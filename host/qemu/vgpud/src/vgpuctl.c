// SPDX-License-Identifier: GPL-2.0-only
/* vgpuctl: command line client of vgpud's control socket. */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

static const char usage[] =
"NAME\n"
"    vgpuctl - control vgpud, the KVMGT device daemon\n"
"\n"
"SYNOPSIS\n"
"    vgpuctl [--control PATH] [--json] COMMAND [ARGS]\n"
"\n"
"COMMANDS\n"
"    types                  list the device types vgpud can create\n"
"    list                   list the devices\n"
"    create TYPE NAME       create a device; prints its vfio-user socket path\n"
"    destroy NAME           destroy a device (its QEMU client is disconnected)\n"
"    status [NAME]          daemon status, or one device's status\n"
"    stats NAME             the device's counters (totals): traps by kind, GPU\n"
"                           workloads and the host time spent mediating them\n"
"    screenshot NAME FILE   write the device's display to FILE (PNG)\n"
"    edid NAME FILE         give the device's monitor the EDID in FILE (binary,\n"
"                           128 or 256 bytes); the guest sees a hotplug\n"
"\n"
"OPTIONS\n"
"    -c, --control PATH     vgpud control socket (default /run/vgpud/control.sock,\n"
"                           or $VGPUD_CONTROL)\n"
"    -j, --json             print vgpud's JSON reply as is\n"
"    -h, --help             this text\n"
"\n"
"EXIT STATUS\n"
"    0 on success; 1 if vgpud refused (its error is printed); 2 on bad\n"
"    usage; 3 if vgpud cannot be reached.\n";

static int ctl_call(const char *path, json_object *req, json_object **reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	char buf[65536];
	size_t len = 0;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		if (fd >= 0)
			close(fd);
		return e;
	}
	if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0 || send(fd, "\n", 1, MSG_NOSIGNAL) < 0)
		goto out_io;
	while (len < sizeof(buf) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 30000) <= 0)
			goto out_io;
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n <= 0)
			goto out_io;
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	close(fd);
	buf[len] = 0;
	*reply = json_tokener_parse(buf);
	return *reply ? 0 : -EPROTO;
out_io:
	close(fd);
	return -EIO;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("VGPUD_CONTROL"), *cmd;
	json_object *req, *reply, *o;
	bool raw = false;
	int opt, nargs, ret;

	if (!path)
		path = "/run/vgpud/control.sock";
	while ((opt = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			raw = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "vgpuctl: see 'vgpuctl --help'\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vgpuctl: missing command; see 'vgpuctl --help'\n");
		return 2;
	}
	cmd = argv[optind];
	nargs = argc - optind - 1;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if ((!strcmp(cmd, "types") || !strcmp(cmd, "list")) && nargs == 0) {
		/* no arguments */
	} else if (!strcmp(cmd, "create") && nargs == 2) {
		json_object_object_add(req, "type", json_object_new_string(argv[optind + 1]));
		json_object_object_add(req, "name", json_object_new_string(argv[optind + 2]));
	} else if ((!strcmp(cmd, "destroy") || !strcmp(cmd, "stats")) && nargs == 1) {
		json_object_object_add(req, "name", json_object_new_string(argv[optind + 1]));
	} else if (!strcmp(cmd, "screenshot") && nargs == 2) {
		/* vgpud writes the file: give it an absolute path */
		char *abs = realpath(argv[optind + 2], NULL);

		if (!abs) {
			char *slash = strrchr(argv[optind + 2], '/');
			char *dir = slash ? strndup(argv[optind + 2], (size_t)(slash - argv[optind + 2]) + 1)
					  : strdup(".");
			char *rdir = dir ? realpath(dir, NULL) : NULL;

			if (rdir && asprintf(&abs, "%s/%s", rdir, slash ? slash + 1 : argv[optind + 2]) < 0)
				abs = NULL;
			free(rdir);
			free(dir);
		}
		if (!abs) {
			fprintf(stderr, "vgpuctl: cannot resolve '%s': %s\n", argv[optind + 2], strerror(errno));
			json_object_put(req);
			return 2;
		}
		json_object_object_add(req, "name", json_object_new_string(argv[optind + 1]));
		json_object_object_add(req, "file", json_object_new_string(abs));
		free(abs);
	} else if (!strcmp(cmd, "edid") && nargs == 2) {
		unsigned char edid[257];
		char hex[2 * 256 + 1];
		FILE *f = fopen(argv[optind + 2], "rb");
		size_t n = f ? fread(edid, 1, sizeof(edid), f) : 0;

		if (!f || n == 0 || n > 256) {
			fprintf(stderr, "vgpuctl: cannot read an EDID (1-256 bytes) from '%s'%s%s\n",
				argv[optind + 2], f ? "" : ": ", f ? "" : strerror(errno));
			if (f)
				fclose(f);
			json_object_put(req);
			return 2;
		}
		fclose(f);
		for (size_t i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", edid[i]);
		json_object_object_add(req, "name", json_object_new_string(argv[optind + 1]));
		json_object_object_add(req, "edid", json_object_new_string(hex));
	} else if (!strcmp(cmd, "status") && nargs <= 1) {
		if (nargs)
			json_object_object_add(req, "name", json_object_new_string(argv[optind + 1]));
	} else {
		fprintf(stderr, "vgpuctl: bad command or arguments: '%s' with %d argument(s); see 'vgpuctl --help'\n",
			cmd, nargs);
		json_object_put(req);
		return 2;
	}
	ret = ctl_call(path, req, &reply);
	json_object_put(req);
	if (ret) {
		fprintf(stderr, "vgpuctl: cannot talk to vgpud at %s: %s\n", path, strerror(-ret));
		return 3;
	}
	if (!json_object_object_get_ex(reply, "ok", &o) || !json_object_get_boolean(o)) {
		json_object_object_get_ex(reply, "error", &o);
		fprintf(stderr, "vgpuctl: %s\n", o ? json_object_get_string(o) : "vgpud refused");
		json_object_put(reply);
		return 1;
	}
	if (!raw && !strcmp(cmd, "create") && json_object_object_get_ex(reply, "socket", &o))
		puts(json_object_get_string(o));
	else if (!raw && (!strcmp(cmd, "destroy") || !strcmp(cmd, "edid")))
		;	/* silence is success */
	else
		puts(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_NOSLASHESCAPE |
						    (raw ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY)));
	json_object_put(reply);
	return 0;
}
