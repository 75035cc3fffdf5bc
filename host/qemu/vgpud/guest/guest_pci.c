// SPDX-License-Identifier: GPL-2.0-only
/* PCI helpers of the in-guest test programs (guest_pci.h). */
#include "guest_pci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *guest_pci_prog = "guest";

void guest_pci_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", guest_pci_prog, what, strerror(errno));
	exit(1);
}

unsigned long guest_pci_read_hex(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

int guest_pci_find(bool (*match)(const char *bdf))
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	if (!d)
		guest_pci_die("opendir /sys/bus/pci/devices");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !match(e->d_name))
			continue;
		puts(e->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	return 1;
}

static void enable_decoding(const char *res)
{
	char p[512], *slash;
	int fd;

	snprintf(p, sizeof(p), "%s", res);
	slash = strrchr(p, '/');
	if (!slash || (size_t)(slash - p) + sizeof("/enable") > sizeof(p))
		return;
	strcpy(slash, "/enable");
	fd = open(p, O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) < 0)
		fprintf(stderr, "%s: %s: %s\n", guest_pci_prog, p, strerror(errno));
	close(fd);
}

void *guest_pci_map(const char *res, size_t *len)
{
	off_t size;
	void *p;
	int fd;

	enable_decoding(res);
	fd = open(res, O_RDWR | O_SYNC);
	if (fd < 0)
		guest_pci_die(res);
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0)
		guest_pci_die("resource size");
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		guest_pci_die("mmap resource");
	close(fd);
	*len = (size_t)size;
	return p;
}
