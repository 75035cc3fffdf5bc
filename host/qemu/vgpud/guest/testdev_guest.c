// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmgt-testdev-guest: runs INSIDE a test guest (built static on the host,
 * shipped over 9p). Drives the kvmgt-testdev PCI device:
 *   find                      print the device's PCI address
 *   mmio RES read OFF         32-bit read through a sysfs resource file
 *   mmio RES write OFF VAL    32-bit write
 *   bartest BDF               ID + scratch round trip via sysfs resource0
 *   dma BDF N                 N DMA copies through vfio-pci, each checked in
 *                             guest memory and completed by an MSI on an
 *                             eventfd; N = 0 runs until killed. With a
 *                             (virtual) IOMMU the buffers are mapped with
 *                             VFIO_IOMMU_MAP_DMA (type1); in noiommu mode
 *                             their physical addresses come from pagemap
 *   bar2test BDF              (kvmgt-testdev-mmap) fill BAR2: the mmapped
 *                             half must not trap, the other half must; the
 *                             device's checksum must match
 *   mmiobench RES OFF N       ns per 32-bit read and per write (JSON line)
 * The device must be bound to vfio-pci for "dma".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "../src/testdev_regs.h"
#include "guest_pci.h"

static bool is_testdev(const char *bdf)
{
	char p[512];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", bdf);
	if (guest_pci_read_hex(p) != TD_VENDOR_ID)
		return false;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device", bdf);
	return guest_pci_read_hex(p) == TD_DEVICE_ID;
}

static int cmd_find(void)
{
	if (!guest_pci_find(is_testdev))
		return 0;
	fprintf(stderr, "testdev-guest: no %04x:%04x device\n", TD_VENDOR_ID, TD_DEVICE_ID);
	return 1;
}

static volatile uint32_t *map_res(const char *path, size_t *len)
{
	return guest_pci_map(path, len);
}

static int cmd_mmio(const char *res, const char *op, const char *off_s, const char *val_s)
{
	size_t len;
	volatile uint32_t *r;
	unsigned long off = strtoul(off_s, NULL, 0);

	r = map_res(res, &len);
	if (off + 4 > len || off % 4)
		return fprintf(stderr, "testdev-guest: bad offset\n"), 2;
	if (!strcmp(op, "read")) {
		printf("0x%08x\n", r[off / 4]);
	} else if (!strcmp(op, "write") && val_s) {
		r[off / 4] = (uint32_t)strtoul(val_s, NULL, 0);
	} else {
		return fprintf(stderr, "testdev-guest: bad mmio op\n"), 2;
	}
	return 0;
}

static int cmd_bartest(const char *bdf)
{
	char res[256];
	volatile uint32_t *r;
	size_t len;
	uint32_t id, v;

	snprintf(res, sizeof(res), "/sys/bus/pci/devices/%s/resource0", bdf);
	r = map_res(res, &len);
	id = r[TD_REG_ID / 4];
	r[TD_REG_SCRATCH / 4] = 0xa5a5f00d;
	v = r[TD_REG_SCRATCH / 4];
	r[TD_REG_SCRATCH / 4] = 0x12345678;
	printf("bar0 size %zu id 0x%08x scratch 0x%08x then 0x%08x\n", len, id, v,
	       r[TD_REG_SCRATCH / 4]);
	if (len != TD_BAR0_SIZE || id != TD_ID_MAGIC || v != 0xa5a5f00d ||
	    r[TD_REG_SCRATCH / 4] != 0x12345678)
		return 1;
	puts("bartest ok");
	return 0;
}

static int cmd_bar2test(const char *bdf)
{
	char res[256];
	volatile uint32_t *r0, *r2;
	size_t len0, len2;
	uint32_t sum = 0, dsum, traps0, traps;

	snprintf(res, sizeof(res), "/sys/bus/pci/devices/%s/resource0", bdf);
	r0 = map_res(res, &len0);
	snprintf(res, sizeof(res), "/sys/bus/pci/devices/%s/resource2", bdf);
	r2 = map_res(res, &len2);
	if (len2 != TD_BAR2_SIZE)
		return fprintf(stderr, "testdev-guest: BAR2 is %zu bytes\n", len2), 1;
	traps0 = r0[TD_REG_BAR2_TRAPS / 4];
	for (uint32_t i = 0; i < TD_BAR2_SIZE / 4; i++) {
		r2[i] = i * 5 + 7;
		sum += i * 5 + 7;
	}
	dsum = r0[TD_REG_BAR2_SUM / 4];
	traps = r0[TD_REG_BAR2_TRAPS / 4] - traps0;
	printf("bar2 sum 0x%08x device 0x%08x, trapped writes %u of %u\n", sum, dsum, traps,
	       TD_BAR2_SIZE / 4);
	if (sum != dsum || traps != (TD_BAR2_SIZE - TD_BAR2_MMAP_SIZE) / 4)
		return 1;
	puts("bar2test ok");
	return 0;
}

/* Guest-physical address of a locked, present page. */
static uint64_t virt_to_phys(void *va)
{
	static int fd = -1;
	uint64_t e, vpn = (uintptr_t)va / 4096;

	if (fd < 0 && (fd = open("/proc/self/pagemap", O_RDONLY)) < 0)
		guest_pci_die("pagemap");
	if (pread(fd, &e, 8, (off_t)(vpn * 8)) != 8)
		guest_pci_die("pagemap read");
	if (!(e & (1ull << 63)) || !(e & ((1ull << 55) - 1))) {
		fprintf(stderr, "testdev-guest: page not present or PFN hidden\n");
		exit(1);
	}
	return (e & ((1ull << 55) - 1)) * 4096 + (uintptr_t)va % 4096;
}

struct vdev {
	int fd;
	int container;
	bool noiommu;
	uint64_t bar0, cfg;
};

static void vdev_w32(struct vdev *v, uint32_t reg, uint32_t val)
{
	if (pwrite(v->fd, &val, 4, (off_t)(v->bar0 + reg)) != 4)
		guest_pci_die("bar0 write");
}

static uint32_t vdev_r32(struct vdev *v, uint32_t reg)
{
	uint32_t val;

	if (pread(v->fd, &val, 4, (off_t)(v->bar0 + reg)) != 4)
		guest_pci_die("bar0 read");
	return val;
}

static void vdev_open(const char *bdf, struct vdev *v)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	char p[256], link[256], *g;
	int container, group;
	ssize_t n;
	uint16_t cmd;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(p, link, sizeof(link) - 1);
	if (n < 0)
		guest_pci_die("iommu_group (is the device bound to vfio-pci?)");
	link[n] = 0;
	g = strrchr(link, '/') + 1;
	snprintf(p, sizeof(p), "/dev/vfio/noiommu-%s", g);
	v->noiommu = access(p, F_OK) == 0;
	if (!v->noiommu)
		snprintf(p, sizeof(p), "/dev/vfio/%s", g);
	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(p, O_RDWR);
	if (container < 0 || group < 0)
		guest_pci_die(p);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &gs) < 0 || !(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		guest_pci_die("group not viable");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		guest_pci_die("SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, v->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU) < 0)
		guest_pci_die("SET_IOMMU");
	v->container = container;
	v->fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->fd < 0)
		guest_pci_die("GET_DEVICE_FD");
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		guest_pci_die("region info bar0");
	v->bar0 = ri.offset;
	ri.argsz = sizeof(ri);
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(v->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		guest_pci_die("region info config");
	v->cfg = ri.offset;
	/* Memory decoding and bus mastering on. */
	if (pread(v->fd, &cmd, 2, (off_t)(v->cfg + 4)) != 2)
		guest_pci_die("config read");
	cmd |= 0x6;
	if (pwrite(v->fd, &cmd, 2, (off_t)(v->cfg + 4)) != 2)
		guest_pci_die("config write");
}

static int vdev_msi(struct vdev *v)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	int efd = eventfd(0, EFD_CLOEXEC);

	if (efd < 0)
		guest_pci_die("eventfd");
	s->argsz = sizeof(buf);
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = VFIO_PCI_MSI_IRQ_INDEX;
	s->start = 0;
	s->count = 1;
	memcpy(s->data, &efd, sizeof(int));
	if (ioctl(v->fd, VFIO_DEVICE_SET_IRQS, s) < 0)
		guest_pci_die("SET_IRQS MSI");
	return efd;
}

/* Sum of the per-CPU counts of the vfio-msi line in /proc/interrupts. */
static unsigned long msi_count(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[1024];
	unsigned long total = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (!strstr(line, "vfio-msi"))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		for (p++;;) {
			char *end;
			unsigned long n = strtoul(p, &end, 10);

			if (end == p)
				break;
			total += n;
			p = end;
		}
	}
	fclose(f);
	return total;
}

static int cmd_dma(const char *bdf, unsigned long n)
{
	struct vdev v;
	uint8_t *src, *dst;
	uint64_t src_pa, dst_pa, ev;
	unsigned long i, ok = 0, irqs = 0;
	int efd;

	vdev_open(bdf, &v);
	efd = vdev_msi(&v);
	src = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	dst = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		guest_pci_die("mmap buffers");
	if (v.noiommu) {
		src_pa = virt_to_phys(src);
		dst_pa = virt_to_phys(dst);
	} else {
		/* Device addresses are IOVAs we choose; the vIOMMU maps them. */
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.size = 4096,
		};

		src_pa = m.iova = 0x40000000;
		m.vaddr = (uintptr_t)src;
		if (ioctl(v.container, VFIO_IOMMU_MAP_DMA, &m) < 0)
			guest_pci_die("MAP_DMA src");
		dst_pa = m.iova = 0x40001000;
		m.vaddr = (uintptr_t)dst;
		if (ioctl(v.container, VFIO_IOMMU_MAP_DMA, &m) < 0)
			guest_pci_die("MAP_DMA dst");
	}
	printf("%s: src 0x%llx dst 0x%llx, msi before %lu\n",
	       v.noiommu ? "noiommu" : "type1 iova", (unsigned long long)src_pa,
	       (unsigned long long)dst_pa, msi_count());
	fflush(stdout);
	for (i = 0; !n || i < n; i++) {
		struct pollfd pf = { .fd = efd, .events = POLLIN };
		uint32_t st;

		for (int b = 0; b < 4096; b++)
			src[b] = (uint8_t)(b * 13 + i * 7 + 1);
		memset(dst, 0, 4096);
		vdev_w32(&v, TD_REG_DMA_STATUS, ~0u);
		vdev_w32(&v, TD_REG_IRQ_STATUS, ~0u);
		vdev_w32(&v, TD_REG_DMA_SRC_LO, (uint32_t)src_pa);
		vdev_w32(&v, TD_REG_DMA_SRC_HI, (uint32_t)(src_pa >> 32));
		vdev_w32(&v, TD_REG_DMA_DST_LO, (uint32_t)dst_pa);
		vdev_w32(&v, TD_REG_DMA_DST_HI, (uint32_t)(dst_pa >> 32));
		vdev_w32(&v, TD_REG_DMA_LEN, 4096);
		vdev_w32(&v, TD_REG_DMA_CTRL, TD_DMA_CTRL_GO | TD_DMA_CTRL_IRQ);
		if (poll(&pf, 1, 10000) != 1) {
			fprintf(stderr, "testdev-guest: transfer %lu: no MSI within 10 s (status 0x%x)\n",
				i, vdev_r32(&v, TD_REG_DMA_STATUS));
			return 1;
		}
		if (read(efd, &ev, 8) == 8)
			irqs += ev;
		st = vdev_r32(&v, TD_REG_DMA_STATUS);
		if (st != TD_DMA_STATUS_DONE) {
			fprintf(stderr, "testdev-guest: transfer %lu: status 0x%x\n", i, st);
			return 1;
		}
		if (memcmp(src, dst, 4096)) {
			fprintf(stderr, "testdev-guest: transfer %lu: data mismatch\n", i);
			return 1;
		}
		ok++;
		if (!n && i % 100 == 0) {
			printf("progress %lu\n", i);
			fflush(stdout);
		}
	}
	printf("dma %lu/%lu ok, eventfd irqs %lu, vfio-msi in /proc/interrupts %lu, device count %u\n",
	       ok, n, irqs, msi_count(), vdev_r32(&v, TD_REG_DMA_COUNT));
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmd_mmiobench(const char *res, const char *off_s, const char *n_s)
{
	unsigned long off = strtoul(off_s, NULL, 0), n = strtoul(n_s, NULL, 0);
	volatile uint32_t *r;
	uint32_t sink = 0;
	uint64_t t0, t1, t2;
	size_t len;

	r = map_res(res, &len);
	if (off + 4 > len || !n)
		return 2;
	sink += r[off / 4];	/* warm up */
	t0 = now_ns();
	for (unsigned long i = 0; i < n; i++)
		sink += r[off / 4];
	t1 = now_ns();
	for (unsigned long i = 0; i < n; i++)
		r[off / 4] = (uint32_t)i;
	sink += r[off / 4];	/* drain posted writes before stopping the clock */
	t2 = now_ns();
	printf("{\"read_ns\":%.1f,\"write_ns\":%.1f,\"n\":%lu,\"sink\":%u}\n",
	       (double)(t1 - t0) / (double)n, (double)(t2 - t1) / (double)n, n, sink & 1);
	return 0;
}

int main(int argc, char **argv)
{
	guest_pci_prog = "testdev-guest";
	if (argc >= 2 && !strcmp(argv[1], "find"))
		return cmd_find();
	if (argc >= 5 && !strcmp(argv[1], "mmio"))
		return cmd_mmio(argv[2], argv[3], argv[4], argc > 5 ? argv[5] : NULL);
	if (argc == 3 && !strcmp(argv[1], "bartest"))
		return cmd_bartest(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "bar2test"))
		return cmd_bar2test(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "dma"))
		return cmd_dma(argv[2], strtoul(argv[3], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "mmiobench"))
		return cmd_mmiobench(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: testdev-guest find | mmio RES read|write OFF [VAL] | bartest BDF |"
		" bar2test BDF | dma BDF N | mmiobench RES OFF N\n");
	return 2;
}
