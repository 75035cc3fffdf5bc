// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpud: serves virtual PCI devices (the vGPU, and a test device) to QEMU
 * over vfio-user, one UNIX socket per device, and takes orders on a
 * control socket (JSON lines; see vgpud_control.c and docs/vgpud.md).
 * The main thread runs the control socket; every client connection has a
 * protocol thread (libvus); device work runs on the models' own workers.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgpud.h"

#define CTL_MAX_CLIENTS 16
#define CTL_LINE_MAX 4096

static const char usage[] =
"NAME\n"
"    vgpud - KVMGT device daemon: virtual GPUs for QEMU over vfio-user\n"
"\n"
"SYNOPSIS\n"
"    vgpud [--socket-dir DIR] [--control PATH] [--log-level LEVEL]\n"
"          [--create TYPE:NAME]... [--no-exec]\n"
"\n"
"DESCRIPTION\n"
"    vgpud serves each device on its own UNIX socket, DIR/NAME.sock, for\n"
"    QEMU >= 10.1:\n"
"        -object memory-backend-memfd,id=mem,size=4G\n"
"        -machine q35,memory-backend=mem\n"
"        -device '{\"driver\":\"vfio-user-pci\",\"socket\":{\"type\":\"unix\",\"path\":\"DIR/NAME.sock\"}}'\n"
"    Guest RAM must be shared and fd-backed (memory-backend-memfd, or\n"
"    memory-backend-file with share=on). A QEMU that goes away leaves the\n"
"    device as it was; the next QEMU on the same socket continues it.\n"
"    Devices are created and destroyed through the control socket (JSON\n"
"    lines; see vgpuctl(1)) or with --create at start-up. vgpud does not\n"
"    daemonize; logs go to stderr with <N> level prefixes (journal style).\n"
"    SIGTERM or SIGINT destroys every device and exits 0.\n"
"\n"
"OPTIONS\n"
"    -d, --socket-dir DIR   directory for device sockets (default /run/vgpud)\n"
"    -c, --control PATH     control socket (default DIR/control.sock)\n"
"    -l, --log-level LEVEL  err, warning, info (default) or debug\n"
"    -C, --create TYPE:NAME create a device at start-up (repeatable)\n"
"    -x, --exec             run the vGPUs' GPU work (execlist submissions) on\n"
"                           the physical GPU (the default)\n"
"    -X, --no-exec          acknowledge submissions without running them (a\n"
"                           guest i915 then declares its GT wedged)\n"
"    -h, --help             this text\n"
"    -V, --version          print the version\n"
"\n"
"DEVICE TYPES\n"
"    kvmgt-testdev          transport test device (BAR0 registers, DMA, MSI)\n"
"    kvmgt-testdev-mmap     the same plus BAR2 shared through a region fd\n"
"    GVTg_V5_8, GVTg_V5_4   vGPUs (Intel GVT-g types the physical GPU offers)\n"
"\n"
"EXIT STATUS\n"
"    0 after SIGTERM/SIGINT, 1 on a start-up error, 2 on bad usage.\n";

struct ctl_client {
	int fd;
	size_t len;
	char buf[CTL_LINE_MAX];
};

static int ctl_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		vgpud_log(VGPUD_ERR, "control socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			vgpud_log(VGPUD_ERR, "%s exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		vgpud_log(VGPUD_ERR, "cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void ctl_reply(struct ctl_client *c, json_object *r)
{
	const char *s = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s), off = 0;

	/* Small replies on a local socket: a client that does not read
	 * gets dropped rather than stalling the daemon. */
	while (off < n) {
		ssize_t k = send(c->fd, s + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (k <= 0)
			return;
		off += (size_t)k;
	}
	if (send(c->fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		vgpud_log(VGPUD_DEBUG, "control client went away");
}

/* Read what is there; handle complete lines. false: drop the client. */
static bool ctl_client_read(struct ctl_client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	char *nl;

	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	c->len += (size_t)n;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t line = (size_t)(nl - c->buf);
		json_object *r = vgpud_control_handle(c->buf, line);

		ctl_reply(c, r);
		json_object_put(r);
		memmove(c->buf, nl + 1, c->len - line - 1);
		c->len -= line + 1;
	}
	if (c->len == sizeof(c->buf)) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "ok", json_object_new_boolean(0));
		json_object_object_add(r, "error", json_object_new_string("request line too long"));
		ctl_reply(c, r);
		json_object_put(r);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket-dir", required_argument, NULL, 'd' },
		{ "control", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "create", required_argument, NULL, 'C' },
		{ "exec", no_argument, NULL, 'x' },
		{ "no-exec", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "/run/vgpud", *control = NULL;
	char *creates[64], ctl_path[256];
	struct ctl_client *clients[CTL_MAX_CLIENTS] = { 0 };
	int nr_creates = 0, level = VGPUD_INFO, o, lfd, sfd, rc = 0;
	struct stat st;
	sigset_t mask;
	bool exec = true;

	while ((o = getopt_long(argc, argv, "d:c:l:C:xXhV", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			control = optarg;
			break;
		case 'l':
			level = vgpud_log_level_parse(optarg);
			if (level < 0) {
				fprintf(stderr, "vgpud: bad --log-level '%s' (err, warning, info, debug)\n", optarg);
				return 2;
			}
			break;
		case 'C':
			if (nr_creates == 64 || !strchr(optarg, ':')) {
				fprintf(stderr, "vgpud: bad --create '%s' (TYPE:NAME, at most 64)\n", optarg);
				return 2;
			}
			creates[nr_creates++] = optarg;
			break;
		case 'x':
			exec = true;
			break;
		case 'X':
			exec = false;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			puts("vgpud " VGPUD_VERSION);
			return 0;
		default:
			fprintf(stderr, "vgpud: see 'vgpud --help'\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vgpud: unexpected argument '%s'; see 'vgpud --help'\n", argv[optind]);
		return 2;
	}
	vgpud_log_init(level);
	if (stat(dir, &st) < 0 && mkdir(dir, 0750) < 0) {
		vgpud_log(VGPUD_ERR, "cannot create socket directory %s: %s", dir, strerror(errno));
		return 1;
	}
	if (!control) {
		snprintf(ctl_path, sizeof(ctl_path), "%s/control.sock", dir);
		control = ctl_path;
	}
	/* Signals arrive through signalfd in the main loop only; every
	 * thread created later (the physical GPU's engine, irq and scheduler
	 * threads with --exec, too) inherits the blocked mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	vgpud_registry_init(dir);
	vgpud_testdev_type_register();
	vgpud_gvt_set_exec(exec);
	vgpud_gvt_type_register();

	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	lfd = ctl_listen(control);
	if (sfd < 0 || lfd < 0)
		return 1;

	for (int i = 0; i < nr_creates; i++) {
		char *colon = strchr(creates[i], ':'), err[256];
		struct vgpud_instance *in;

		*colon = 0;
		if (vgpud_instance_create(creates[i], colon + 1, NULL, &in, err, sizeof(err))) {
			vgpud_log(VGPUD_ERR, "--create %s:%s: %s", creates[i], colon + 1, err);
			rc = 1;
			goto out_stop;
		}
	}
	vgpud_log(VGPUD_INFO, "vgpud %s ready, control socket %s", VGPUD_VERSION, control);

	for (;;) {
		struct pollfd p[2 + CTL_MAX_CLIENTS];
		int np = 2;

		p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			p[np++] = (struct pollfd){ .fd = clients[i] ? clients[i]->fd : -1, .events = POLLIN };
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			vgpud_log(VGPUD_ERR, "poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					vgpud_log(VGPUD_INFO, "SIGHUP: %u devices", vgpud_instance_count());
				} else {
					vgpud_log(VGPUD_INFO, "signal %u: stopping", si.ssi_signo);
					break;
				}
			}
		}
		if (p[1].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			int slot = -1;

			for (int i = 0; i < CTL_MAX_CLIENTS && fd >= 0; i++)
				if (!clients[i]) {
					slot = i;
					break;
				}
			if (fd >= 0 && slot >= 0 && (clients[slot] = calloc(1, sizeof(**clients)))) {
				clients[slot]->fd = fd;
			} else if (fd >= 0) {
				vgpud_log(VGPUD_WARN, "too many control clients");
				close(fd);
			}
		}
		for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
			if (!clients[i] || !p[2 + i].revents)
				continue;
			if (!ctl_client_read(clients[i])) {
				close(clients[i]->fd);
				free(clients[i]);
				clients[i] = NULL;
			}
		}
	}

out_stop:
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (clients[i]) {
			close(clients[i]->fd);
			free(clients[i]);
		}
	}
	vgpud_instance_destroy_all();
	close(lfd);
	unlink(control);
	vgpud_log(VGPUD_INFO, "stopped");
	return rc;
}
