// SPDX-License-Identifier: GPL-2.0-only
/*
 * vgpu-guest: runs INSIDE a test guest (built static on the host, shipped
 * over 9p). Pokes the KVMGT vGPU (8086, VGA class) through sysfs resource0:
 *   find                  print the vGPU's PCI address
 *   pvinfo BDF            print the PVINFO page fields (key=value)
 *   randwrite BDF SEED    write a pseudo-random 32-bit value to every dword
 *                         of the register space (BAR0 [0, 2 MiB)), then to
 *                         65536 random GGTT entries (64-bit): a hostile
 *                         guest; the host must survive it
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <kvmgt/uapi/vgt_if.h>

#include "guest_pci.h"

#define BAR0_SIZE (16u << 20)
#define MMIO_SIZE (2u << 20)
#define GGTT_OFF (8u << 20)
#define GGTT_ENTRIES ((BAR0_SIZE - GGTT_OFF) / 8)

static bool is_intel_vga(const char *bdf)
{
	char p[512];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", bdf);
	if (guest_pci_read_hex(p) != 0x8086)
		return false;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/class", bdf);
	return (guest_pci_read_hex(p) >> 8) == 0x0300;	/* display, VGA */
}

static int cmd_find(void)
{
	if (!guest_pci_find(is_intel_vga))
		return 0;
	fprintf(stderr, "vgpu-guest: no Intel VGA device\n");
	return 1;
}

static volatile uint8_t *map_bar0(const char *bdf)
{
	char p[256];
	size_t len;
	void *m;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/resource0", bdf);
	m = guest_pci_map(p, &len);
	if (len < BAR0_SIZE) {
		fprintf(stderr, "vgpu-guest: BAR0 is %zu bytes, not %u\n", len, BAR0_SIZE);
		exit(1);
	}
	return m;
}

static uint32_t rd32(volatile uint8_t *bar, uint32_t off)
{
	return *(volatile uint32_t *)(bar + off);
}

static int cmd_pvinfo(const char *bdf)
{
	volatile uint8_t *bar = map_bar0(bdf);
	uint32_t pv = VGT_PVINFO_PAGE;
	uint64_t magic = rd32(bar, pv) | (uint64_t)rd32(bar, pv + 4) << 32;

	printf("magic=0x%016llx\n", (unsigned long long)magic);
	printf("version=%u.%u\n", rd32(bar, pv + VGT_IF_OFF(version_major)) & 0xffff,
	       rd32(bar, pv + VGT_IF_OFF(version_major)) >> 16);
	printf("vgt_id=%u\n", rd32(bar, pv + VGT_IF_OFF(vgt_id)));
	printf("vgt_caps=0x%x\n", rd32(bar, pv + VGT_IF_OFF(vgt_caps)));
	printf("mappable_base=0x%x\n", rd32(bar, pv + VGT_IF_OFF(avail_rs.mappable_gmadr.base)));
	printf("mappable_size=0x%x\n", rd32(bar, pv + VGT_IF_OFF(avail_rs.mappable_gmadr.size)));
	printf("nonmappable_base=0x%x\n",
	       rd32(bar, pv + VGT_IF_OFF(avail_rs.nonmappable_gmadr.base)));
	printf("nonmappable_size=0x%x\n",
	       rd32(bar, pv + VGT_IF_OFF(avail_rs.nonmappable_gmadr.size)));
	printf("fence_num=%u\n", rd32(bar, pv + VGT_IF_OFF(avail_rs.fence_num)));
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmd_randwrite(const char *bdf, uint64_t seed)
{
	volatile uint8_t *bar = map_bar0(bdf);
	uint64_t s = seed | 1, n = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t off = 0; off < MMIO_SIZE; off += 4, n++)
		*(volatile uint32_t *)(bar + off) = (uint32_t)xorshift(&s);
	for (unsigned int i = 0; i < 65536; i++, n++) {
		uint64_t e = xorshift(&s) % GGTT_ENTRIES;

		*(volatile uint64_t *)(bar + GGTT_OFF + e * 8) = xorshift(&s);
	}
	/* a read flushes the posted writes through QEMU */
	(void)rd32(bar, VGT_PVINFO_PAGE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("randwrite %llu writes in %.1f s\n", (unsigned long long)n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	guest_pci_prog = "vgpu-guest";
	if (argc == 2 && !strcmp(argv[1], "find"))
		return cmd_find();
	if (argc == 3 && !strcmp(argv[1], "pvinfo"))
		return cmd_pvinfo(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "randwrite"))
		return cmd_randwrite(argv[2], strtoull(argv[3], NULL, 0));
	fprintf(stderr, "usage: vgpu-guest find | pvinfo BDF | randwrite BDF SEED\n");
	return 2;
}
