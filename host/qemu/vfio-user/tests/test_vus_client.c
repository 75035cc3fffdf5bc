// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end tests of libvus with the kvmgt-testdev model: a C client
 * speaks vfio-user over a socketpair / UNIX socket, a memfd is the
 * "guest RAM". Covers the normal flows and malformed sequences; the
 * server must survive them and keep serving.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdev_regs.h"
#include "vgpud_testdev.h"
#include "vus_client.h"

#define RAM_SIZE (4u << 20)
#define RAM_GPA 0x100000000ull	/* map the memfd at 4 GiB */
#define BAR0 VUS_PCI_BAR0_REGION
#define CFG VUS_PCI_CONFIG_REGION

struct fx {
	struct vgpud_testdev *td;
	struct vus_dev *dev;
	struct vcl *c;
	int ram_fd;
	uint8_t *ram;
};

/* Log lines seen, for tests that count what a client can make us log. */
static char log_lines[256][256];
static unsigned int nr_log_lines;

static void quiet_log(int level, const char *msg)
{
	if (getenv("VUS_TEST_LOG"))
		fprintf(stderr, "<%d>%s\n", level, msg);
	snprintf(log_lines[nr_log_lines % 256], sizeof(log_lines[0]), "%s", msg);
	nr_log_lines++;
}

/* Lines containing what since nr_log_lines was start. */
static unsigned int log_count(unsigned int start, const char *what)
{
	unsigned int n = 0;

	for (unsigned int i = start; i < nr_log_lines; i++)
		if (strstr(log_lines[i % 256], what))
			n++;
	return n;
}

static void fx_connect(struct fx *f)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(vus_dev_attach_fd(f->dev, sv[0]), 0);
	vcl_init_fd(f->c, sv[1]);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	vus_log_set(quiet_log, 7);
	assert_int_equal(vgpud_testdev_create("t", true, &f->td), 0);
	f->dev = vgpud_testdev_vus(f->td);
	f->c = malloc(sizeof(*f->c));
	f->ram_fd = memfd_create("guest-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(f->ram_fd >= 0);
	assert_int_equal(ftruncate(f->ram_fd, RAM_SIZE), 0);
	/* As QEMU's memory-backend-memfd does by default. */
	assert_int_equal(fcntl(f->ram_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
	f->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->ram_fd, 0);
	assert_true(f->ram != MAP_FAILED);
	fx_connect(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vcl_close(f->c);
	vgpud_testdev_destroy(f->td);
	munmap(f->ram, RAM_SIZE);
	close(f->ram_fd);
	free(f->c);
	free(f);
	return 0;
}

/* Wait until the server has noticed the client went away. */
static void wait_disconnected(struct vus_dev *dev)
{
	struct vus_dev_stats st;

	for (int i = 0; i < 500; i++) {
		vus_dev_stats(dev, &st);
		if (!st.connected)
			return;
		usleep(10000);
	}
	fail_msg("server did not notice the disconnect");
}

static void std_setup(struct fx *f)
{
	assert_int_equal(vcl_version(f->c, "{\"capabilities\":{\"max_msg_fds\":16,"
				     "\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
				     "\"max_dma_maps\":65535,\"write_multiple\":true,"
				     "\"migration\":{\"pgsize\":4096}}}"), 0);
	assert_int_equal(vcl_dma_map(f->c, RAM_GPA, RAM_SIZE, f->ram_fd, 0, 3), 0);
}

static void test_version(void **state)
{
	struct fx *f = *state;
	struct vus_version v;
	const char *json;

	assert_int_equal(vcl_version(f->c, "{\"capabilities\":{\"max_msg_fds\":16,\"write_multiple\":true}}"), 0);
	assert_true(f->c->rlen > sizeof(v));
	memcpy(&v, f->c->rpayload, sizeof(v));
	assert_int_equal(v.major, 0);
	assert_int_equal(v.minor, 0);
	json = (const char *)f->c->rpayload + sizeof(v);
	assert_non_null(strstr(json, "\"max_msg_fds\":16"));
	assert_non_null(strstr(json, "\"max_data_xfer_size\":1048576"));
	assert_non_null(strstr(json, "\"pgsizes\":4096"));
	assert_non_null(strstr(json, "\"write_multiple\":true"));
	assert_int_equal(f->c->rpayload[f->c->rlen - 1], 0);
	/* A second VERSION is refused, the connection lives on. */
	assert_int_equal(vcl_version(f->c, NULL), EINVAL);
	uint32_t id;
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_ID, &id), 0);
	assert_int_equal(id, TD_ID_MAGIC);
}

static void test_version_limits(void **state)
{
	struct fx *f = *state;
	uint8_t buf[256];

	/* The client's smaller max_data_xfer_size is honoured. */
	assert_int_equal(vcl_version(f->c, "{\"capabilities\":{\"max_data_xfer_size\":64}}"), 0);
	assert_non_null(strstr((const char *)f->c->rpayload + 4, "\"max_data_xfer_size\":64"));
	assert_non_null(strstr((const char *)f->c->rpayload + 4, "\"write_multiple\":false"));
	assert_int_equal(vcl_read(f->c, CFG, 0, buf, 64), 0);
	assert_int_equal(vcl_read(f->c, CFG, 0, buf, 128), EINVAL);
}

static void test_version_bad(void **state)
{
	struct fx *f = *state;
	uint32_t v;

	/* Not JSON: refused and closed. */
	assert_int_equal(vcl_version(f->c, "{not json"), EINVAL);
	assert_int_equal(vcl_recv(f->c, 2000), -ECONNRESET);
	vcl_close(f->c);
	wait_disconnected(f->dev);
	/* Wrong type for a capability. */
	fx_connect(f);
	assert_int_equal(vcl_version(f->c, "{\"capabilities\":{\"max_msg_fds\":\"x\"}}"), EINVAL);
	vcl_close(f->c);
	wait_disconnected(f->dev);
	/* Anything before VERSION: error, closed. */
	fx_connect(f);
	assert_int_equal(vcl_read32(f->c, BAR0, 0, &v), EINVAL);
	assert_int_equal(vcl_recv(f->c, 2000), -ECONNRESET);
	vcl_close(f->c);
	wait_disconnected(f->dev);
	/* JSON not NUL terminated inside the message. */
	fx_connect(f);
	uint8_t m[4 + 5] = { 0, 0, 0, 0, '{', '}', ' ', ' ', ' ' };
	assert_int_equal(vcl_call(f->c, VUS_CMD_VERSION, m, sizeof(m), NULL, 0), EINVAL);
	/* ...but the connection is fine for a proper VERSION. */
	assert_int_equal(vcl_version(f->c, NULL), 0);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_ID, &v), 0);
	assert_int_equal(v, TD_ID_MAGIC);
}

static void test_device_info(void **state)
{
	struct fx *f = *state;
	struct vus_device_info di = { .argsz = sizeof(di) };
	struct vus_region_info ri = { .argsz = sizeof(ri) };
	struct vus_irq_info ii = { .argsz = sizeof(ii) };

	std_setup(f);
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_INFO, &di, sizeof(di), NULL, 0), 0);
	memcpy(&di, f->c->rpayload, sizeof(di));
	assert_int_equal(di.flags, VUS_DEVICE_FLAGS_PCI | VUS_DEVICE_FLAGS_RESET);
	assert_int_equal(di.num_regions, 9);
	assert_int_equal(di.num_irqs, 5);

	ri.index = BAR0;
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0), 0);
	memcpy(&ri, f->c->rpayload, sizeof(ri));
	assert_int_equal(ri.size, TD_BAR0_SIZE);
	assert_int_equal(ri.flags, VUS_REGION_RW);
	assert_int_equal(f->c->nrfds, 0);
	ri.argsz = sizeof(ri);
	ri.index = CFG;
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0), 0);
	memcpy(&ri, f->c->rpayload, sizeof(ri));
	assert_int_equal(ri.size, 256);
	ri.argsz = sizeof(ri);
	ri.index = 3;	/* absent BAR */
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0), 0);
	memcpy(&ri, f->c->rpayload, sizeof(ri));
	assert_int_equal(ri.size, 0);
	assert_int_equal(ri.flags, 0);
	ri.argsz = sizeof(ri);
	ri.index = 9;
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0), EINVAL);
	ri.index = 0;
	ri.argsz = 16;	/* argsz smaller than the struct */
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0), EINVAL);

	ii.index = VUS_IRQ_MSI;
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii), NULL, 0), 0);
	memcpy(&ii, f->c->rpayload, sizeof(ii));
	assert_int_equal(ii.count, 1);
	assert_int_equal(ii.flags, VUS_IRQ_INFO_EVENTFD | VUS_IRQ_NORESIZE);
	ii.argsz = sizeof(ii);
	ii.index = VUS_IRQ_INTX;
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii), NULL, 0), 0);
	memcpy(&ii, f->c->rpayload, sizeof(ii));
	assert_int_equal(ii.flags, VUS_IRQ_INFO_EVENTFD | VUS_IRQ_MASKABLE | VUS_IRQ_AUTOMASKED);
	ii.argsz = sizeof(ii);
	ii.index = 5;
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii), NULL, 0), EINVAL);
}

/* BAR2: the region fd reaches the client, the sparse half is shared
 * memory, the other half traps. */
static void test_region_fd(void **state)
{
	struct fx *f = *state;
	struct vus_region_info ri = { .argsz = sizeof(ri), .index = 2 };
	struct vus_cap_sparse sp;
	struct vus_sparse_area area;
	uint32_t *bar2, v, sum = 0;
	int fd;

	std_setup(f);
	/* First ask with room for the struct only, as QEMU does. */
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0), 0);
	memcpy(&ri, f->c->rpayload, sizeof(ri));
	assert_int_equal(ri.argsz, 32 + 16 + 16);
	assert_int_equal(f->c->nrfds, 0);
	ri.index = 2;
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0), 0);
	memcpy(&ri, f->c->rpayload, sizeof(ri));
	assert_int_equal(ri.size, TD_BAR2_SIZE);
	assert_int_equal(ri.flags, VUS_REGION_RW | VUS_REGION_MMAP | VUS_REGION_INFO_FLAG_CAPS);
	assert_int_equal(ri.cap_offset, 32);
	memcpy(&sp, f->c->rpayload + 32, sizeof(sp));
	memcpy(&area, f->c->rpayload + 48, sizeof(area));
	assert_int_equal(sp.hdr.id, VUS_REGION_CAP_SPARSE_MMAP);
	assert_int_equal(sp.nr_areas, 1);
	assert_int_equal(area.offset, 0);
	assert_int_equal(area.size, TD_BAR2_MMAP_SIZE);
	assert_int_equal(f->c->nrfds, 1);
	fd = f->c->rfds[0];
	/* The client cannot pull the region's memory from under vgpud. */
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(errno, EPERM);
	bar2 = mmap(NULL, TD_BAR2_MMAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)ri.offset);
	assert_true(bar2 != MAP_FAILED);
	for (uint32_t i = 0; i < TD_BAR2_MMAP_SIZE / 4; i++) {
		bar2[i] = i * 3 + 1;
		sum += i * 3 + 1;
	}
	/* The trapped half through REGION_WRITE. */
	for (uint32_t off = TD_BAR2_MMAP_SIZE; off < TD_BAR2_MMAP_SIZE + 64; off += 4) {
		assert_int_equal(vcl_write32(f->c, 2, off, off), 0);
		sum += off;
	}
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_BAR2_SUM, &v), 0);
	assert_int_equal(v, sum);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_BAR2_TRAPS, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(vcl_read32(f->c, 2, 8, &v), 0);	/* reads see the shared half too */
	assert_int_equal(v, 2 * 3 + 1);
	munmap(bar2, TD_BAR2_MMAP_SIZE);
}

static void test_config_space(void **state)
{
	struct fx *f = *state;
	uint32_t v;

	std_setup(f);
	assert_int_equal(vcl_read32(f->c, CFG, 0, &v), 0);
	assert_int_equal(v, TD_VENDOR_ID | (uint32_t)TD_DEVICE_ID << 16);
	/* BAR sizing: all ones reads back the size mask. */
	assert_int_equal(vcl_write32(f->c, CFG, 0x10, 0xffffffff), 0);
	assert_int_equal(vcl_read32(f->c, CFG, 0x10, &v), 0);
	assert_int_equal(v, ~(uint32_t)(TD_BAR0_SIZE - 1));
	/* Read-only IDs stay. */
	assert_int_equal(vcl_write32(f->c, CFG, 0, 0), 0);
	assert_int_equal(vcl_read32(f->c, CFG, 0, &v), 0);
	assert_int_equal(v & 0xffff, TD_VENDOR_ID);
	/* The MSI capability is where the pointer says. */
	assert_int_equal(vcl_read32(f->c, CFG, 0x34, &v), 0);
	assert_int_equal(v & 0xff, TD_MSI_CAP);
	assert_int_equal(vcl_read32(f->c, CFG, TD_MSI_CAP, &v), 0);
	assert_int_equal(v & 0xff, 0x05);
	/* Out of range. */
	assert_int_equal(vcl_read32(f->c, CFG, 254, &v), EINVAL);
}

static void test_dma_map_rules(void **state)
{
	struct fx *f = *state;
	struct vus_dev_stats st;
	int fd2 = memfd_create("x", MFD_CLOEXEC);

	assert_int_equal(ftruncate(fd2, 1 << 20), 0);
	std_setup(f);
	/* Overlaps: inside, straddling the start, straddling the end. */
	assert_int_equal(vcl_dma_map(f->c, RAM_GPA + 4096, 4096, fd2, 0, 3), EEXIST);
	assert_int_equal(vcl_dma_map(f->c, RAM_GPA - 4096, 8192, fd2, 0, 3), EEXIST);
	assert_int_equal(vcl_dma_map(f->c, RAM_GPA + RAM_SIZE - 4096, 8192, fd2, 0, 3), EEXIST);
	/* Adjacent is fine. */
	assert_int_equal(vcl_dma_map(f->c, RAM_GPA + RAM_SIZE, 1 << 20, fd2, 0, 3), 0);
	/* Misaligned, zero sized, wrapping, bad flags. */
	assert_int_equal(vcl_dma_map(f->c, 0x10000100, 4096, fd2, 0, 3), EINVAL);
	assert_int_equal(vcl_dma_map(f->c, 0x10000000, 0, fd2, 0, 3), EINVAL);
	assert_int_equal(vcl_dma_map(f->c, 0xfffffffffffff000ull, 8192, fd2, 0, 3), EINVAL);
	assert_int_equal(vcl_dma_map(f->c, 0x10000000, 4096, fd2, 0, 0x80), EINVAL);
	/* Beyond the file: mmap works but... offset past EOF still maps
	 * (SIGBUS on touch) - so the library must not touch it itself. */
	/* fd-less maps: ROM windows are tolerated, RAM (from GPA 0) is refused. */
	assert_int_equal(vcl_dma_map(f->c, 0xc0000, 0x20000, -1, 0, 1), 0);
	assert_int_equal(vcl_dma_map(f->c, 0, 0xa0000, -1, 0, 3), ENOTSUP);
	assert_int_equal(vcl_dma_map(f->c, 0x100000, 1ull << 30, -1, 0, 3), ENOTSUP);
	/* Two fds on a map. */
	int two[2] = { fd2, fd2 };
	struct vus_dma_map m = { .argsz = 32, .flags = 3, .addr = 0x20000000, .size = 4096 };
	assert_int_equal(vcl_call(f->c, VUS_CMD_DMA_MAP, &m, sizeof(m), two, 2), EINVAL);
	vus_dev_stats(f->dev, &st);
	assert_int_equal(st.nr_maps, 3);
	/* Unmap removes whole maps inside the range; splitting one is
	 * refused; a range with no maps is fine (QEMU's vIOMMU chunks). */
	assert_int_equal(vcl_dma_unmap(f->c, RAM_GPA, 4096, 0), EINVAL);
	assert_int_equal(vcl_dma_unmap(f->c, RAM_GPA - 4096, RAM_SIZE, 0), EINVAL);
	assert_int_equal(vcl_dma_unmap(f->c, RAM_GPA + RAM_SIZE, 1 << 20, 0), 0);
	vus_dev_stats(f->dev, &st);
	assert_int_equal(st.nr_maps, 2);
	assert_int_equal(vcl_dma_unmap(f->c, RAM_GPA + RAM_SIZE, 1 << 20, 0), 0);
	assert_int_equal(vcl_dma_unmap(f->c, 0, 0, 0), EINVAL);
	/* A covering range takes both the ROM window and nothing else. */
	assert_int_equal(vcl_dma_unmap(f->c, 0, 1ull << 31, 0), 0);
	vus_dev_stats(f->dev, &st);
	assert_int_equal(st.nr_maps, 1);
	/* Dirty bitmaps are not supported. */
	assert_int_equal(vcl_dma_unmap(f->c, RAM_GPA, RAM_SIZE, 1), ENOTSUP);
	/* UNMAP_FLAG_ALL. */
	assert_int_equal(vcl_dma_unmap(f->c, 0, 0, VUS_DMA_UNMAP_FLAG_ALL), 0);
	vus_dev_stats(f->dev, &st);
	assert_int_equal(st.nr_maps, 0);
	close(fd2);
}

static void test_dma_api(void **state)
{
	struct fx *f = *state;
	int fd2 = memfd_create("y", MFD_CLOEXEC);
	uint8_t *m2, buf[8192];
	struct vus_dma_ref ref;
	void *p;

	assert_int_equal(ftruncate(fd2, 1 << 20), 0);
	m2 = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	std_setup(f);
	assert_int_equal(vcl_dma_map(f->c, RAM_GPA + RAM_SIZE, 1 << 20, fd2, 0, 3), 0);
	assert_int_equal(vcl_dma_map(f->c, 0x1000000, 1 << 20, fd2, 0, 1), 0);	/* read-only */
	/* A copy spanning two adjacent maps. */
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(vus_dma_write(f->dev, RAM_GPA + RAM_SIZE - 4096, buf, sizeof(buf)), 0);
	assert_int_equal(f->ram[RAM_SIZE - 1], 0x5a);
	assert_int_equal(m2[4095], 0x5a);
	assert_int_equal(m2[4096], 0);
	/* Outside the maps: nothing written. */
	memset(buf, 0x77, sizeof(buf));
	assert_int_equal(vus_dma_write(f->dev, RAM_GPA + RAM_SIZE + (1 << 20) - 4096, buf, 8192), -EFAULT);
	assert_int_equal(m2[(1 << 20) - 1], 0);
	assert_int_equal(vus_dma_read(f->dev, 0x5000, buf, 16), -EFAULT);
	/* Read-only map: read yes, write no. */
	assert_int_equal(vus_dma_read(f->dev, 0x1000000, buf, 16), 0);
	assert_int_equal(vus_dma_get(f->dev, 0x1000000, 16, true, &p, &ref), -EACCES);
	assert_null(ref.priv);
	/* A get that crosses the end of one map fails. */
	assert_int_equal(vus_dma_get(f->dev, RAM_GPA + RAM_SIZE - 8, 16, false, &p, &ref), -EFAULT);
	assert_int_equal(vus_dma_get(f->dev, RAM_GPA + 8, 16, true, &p, &ref), 0);
	*(uint8_t *)p = 0x42;
	assert_int_equal(f->ram[8], 0x42);
	vus_dma_put(&ref);
	munmap(m2, 1 << 20);
	close(fd2);
}

struct unmap_waiter {
	struct vcl *c;
	int ret;
	struct timespec done;
};

/* The UNMAP reply must wait for device references to the range. */
static void test_unmap_waits_for_device(void **state)
{
	struct fx *f = *state;
	struct vus_dma_unmap u = { .argsz = sizeof(u), .addr = RAM_GPA, .size = RAM_SIZE };
	struct vus_dma_ref ref;
	uint32_t v;
	void *p;
	int id;

	std_setup(f);
	assert_int_equal(vus_dma_get(f->dev, RAM_GPA, 4096, true, &p, &ref), 0);
	id = vcl_send(f->c, VUS_CMD_DMA_UNMAP, 0, &u, sizeof(u), NULL, 0);
	assert_true(id > 0);
	/* No reply while the device still holds the range... */
	assert_int_equal(vcl_recv(f->c, 300), -ETIMEDOUT);
	/* ...but new users can no longer get it. */
	struct vus_dma_ref r2;
	void *p2;
	assert_int_equal(vus_dma_get(f->dev, RAM_GPA, 4096, false, &p2, &r2), -EFAULT);
	/* The pointer stays valid until put. */
	memset(p, 0xab, 16);
	vus_dma_put(&ref);
	assert_int_equal(vcl_recv(f->c, 5000), 0);
	assert_int_equal(f->c->rhdr.msg_id, id);
	assert_int_equal(f->c->rhdr.flags & VUS_F_ERROR, 0);
	assert_int_equal(f->ram[0], 0xab);
	/* The connection serves on. */
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_ID, &v), 0);
}

/* Program a DMA in the test device and start it. */
static void td_dma(struct vcl *c, uint64_t src, uint64_t dst, uint32_t len, bool irq)
{
	assert_int_equal(vcl_write32(c, BAR0, TD_REG_DMA_STATUS, ~0u), 0);
	assert_int_equal(vcl_write32(c, BAR0, TD_REG_DMA_SRC_LO, (uint32_t)src), 0);
	assert_int_equal(vcl_write32(c, BAR0, TD_REG_DMA_SRC_HI, (uint32_t)(src >> 32)), 0);
	assert_int_equal(vcl_write32(c, BAR0, TD_REG_DMA_DST_LO, (uint32_t)dst), 0);
	assert_int_equal(vcl_write32(c, BAR0, TD_REG_DMA_DST_HI, (uint32_t)(dst >> 32)), 0);
	assert_int_equal(vcl_write32(c, BAR0, TD_REG_DMA_LEN, len), 0);
	assert_int_equal(vcl_write32(c, BAR0, TD_REG_DMA_CTRL,
				     TD_DMA_CTRL_GO | (irq ? TD_DMA_CTRL_IRQ : 0)), 0);
}

static uint32_t td_wait_dma(struct vcl *c)
{
	uint32_t st = 0;

	for (int i = 0; i < 500; i++) {
		assert_int_equal(vcl_read32(c, BAR0, TD_REG_DMA_STATUS, &st), 0);
		if (!(st & TD_DMA_STATUS_BUSY))
			return st;
		usleep(2000);
	}
	fail_msg("DMA did not finish");
	return st;
}

static void test_dma_copy_msi(void **state)
{
	struct fx *f = *state;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint32_t v;

	std_setup(f);
	for (uint32_t i = 0; i < 65536; i++)
		f->ram[i] = (uint8_t)(i * 7 + 3);
	memset(f->ram + (1 << 20), 0, 65536);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 1, &efd, 1), 0);
	td_dma(f->c, RAM_GPA, RAM_GPA + (1 << 20), 65536, true);
	assert_int_equal(vcl_wait_efd(efd, 5000), 1);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_DONE);
	assert_memory_equal(f->ram, f->ram + (1 << 20), 65536);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_DMA_COUNT, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_IRQ_STATUS, &v), 0);
	assert_int_equal(v, TD_IRQ_DMA);

	/* A DMA outside guest memory fails cleanly, still interrupts. */
	td_dma(f->c, 0x7000000000ull, RAM_GPA, 4096, true);
	assert_int_equal(vcl_wait_efd(efd, 5000), 1);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_ERROR);
	/* Destination partly outside: nothing written. */
	memset(f->ram + RAM_SIZE - 4096, 0x11, 4096);
	td_dma(f->c, RAM_GPA, RAM_GPA + RAM_SIZE - 4096, 8192, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_ERROR);
	assert_int_equal(f->ram[RAM_SIZE - 4096], 0x11);
	/* Too long. */
	td_dma(f->c, RAM_GPA, RAM_GPA, TD_DMA_MAX + 1, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_ERROR);

	/* Disable MSI (count 0, DATA_NONE|TRIGGER): no more signals. */
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_NONE | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 0, NULL, 0), 0);
	assert_int_equal(vus_irq_enabled(f->dev, VUS_IRQ_MSI), 0);
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_IRQ_RAISE, 1), 0);
	assert_int_equal(vcl_wait_efd(efd, 100), 0);
	close(efd);
}

static void test_intx(void **state)
{
	struct fx *f = *state;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t one = 1;

	std_setup(f);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_INTX, 0, 1, &efd, 1), 0);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_UNMASK,
				      VUS_IRQ_INTX, 0, 1, &rfd, 1), 0);
	/* Raise: fires once and auto-masks. */
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_IRQ_RAISE, 1), 0);
	assert_int_equal(vcl_wait_efd(efd, 2000), 1);
	/* Unmask through DATA_NONE while the line is still high: fires again. */
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_NONE | VUS_IRQ_SET_ACTION_UNMASK,
				      VUS_IRQ_INTX, 0, 1, NULL, 0), 0);
	assert_int_equal(vcl_wait_efd(efd, 2000), 1);
	/* The resample eventfd unmasks too (KVM's resamplefd path). */
	assert_int_equal(write(rfd, &one, sizeof(one)), 8);
	assert_int_equal(vcl_wait_efd(efd, 2000), 1);
	/* Clear the status: line low; unmask gives nothing. */
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_IRQ_STATUS, ~0u), 0);
	assert_int_equal(write(rfd, &one, sizeof(one)), 8);
	assert_int_equal(vcl_wait_efd(efd, 200), 0);
	/* Masked by the client: a raise stays pending until unmask. */
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_NONE | VUS_IRQ_SET_ACTION_MASK,
				      VUS_IRQ_INTX, 0, 1, NULL, 0), 0);
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_IRQ_RAISE, 1), 0);
	assert_int_equal(vcl_wait_efd(efd, 200), 0);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_NONE | VUS_IRQ_SET_ACTION_UNMASK,
				      VUS_IRQ_INTX, 0, 1, NULL, 0), 0);
	assert_int_equal(vcl_wait_efd(efd, 2000), 1);
	/* INTx disable in the command register lowers the line. */
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_IRQ_STATUS, ~0u), 0);
	/* DATA_BOOL trigger is a loopback test of the eventfd. */
	uint8_t b[21] = { 0 };
	struct vus_irq_set s = { .argsz = 21, .flags = VUS_IRQ_SET_DATA_BOOL | VUS_IRQ_SET_ACTION_TRIGGER,
				 .index = VUS_IRQ_INTX, .start = 0, .count = 1 };
	memcpy(b, &s, sizeof(s));
	b[20] = 1;
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_NONE | VUS_IRQ_SET_ACTION_UNMASK,
				      VUS_IRQ_INTX, 0, 1, NULL, 0), 0);
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_SET_IRQS, b, sizeof(b), NULL, 0), 0);
	assert_int_equal(vcl_wait_efd(efd, 2000), 1);
	close(efd);
	close(rfd);
}

static void test_set_irqs_bad(void **state)
{
	struct fx *f = *state;
	int efd = eventfd(0, EFD_CLOEXEC), pfd[2];
	int fds[2];
	uint32_t v;

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	std_setup(f);
	/* Bad index, range, flag combinations, fd counts, fd kinds. */
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSIX, 0, 1, &efd, 1), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      7, 0, 1, &efd, 1), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 1, 1, &efd, 1), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 0xffffffff, &efd, 1), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_DATA_NONE |
				      VUS_IRQ_SET_ACTION_TRIGGER, VUS_IRQ_MSI, 0, 1, &efd, 1), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER |
				      VUS_IRQ_SET_ACTION_MASK, VUS_IRQ_MSI, 0, 1, &efd, 1), EINVAL);
	fds[0] = fds[1] = efd;
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 1, fds, 2), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_NONE | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 1, &efd, 1), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 1, &pfd[1], 1), EBADF);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_MASK,
				      VUS_IRQ_MSI, 0, 1, &efd, 1), EINVAL);
	assert_int_equal(vcl_set_irqs(f->c, 0x1000 | VUS_IRQ_SET_DATA_NONE | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 1, NULL, 0), EINVAL);
	/* DATA_BOOL without its bytes. */
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_BOOL | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 1, NULL, 0), EINVAL);
	assert_int_equal(vus_irq_enabled(f->dev, VUS_IRQ_MSI), 0);
	/* Nothing broke. */
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_ID, &v), 0);
	close(efd);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_region_access_bad(void **state)
{
	struct fx *f = *state;
	struct vus_region_access a;
	uint8_t buf[64] = { 0 };
	uint32_t v;

	std_setup(f);
	assert_int_equal(vcl_read32(f->c, 9, 0, &v), EINVAL);		/* no such region */
	assert_int_equal(vcl_read32(f->c, 3, 0, &v), EINVAL);		/* absent BAR */
	assert_int_equal(vcl_read32(f->c, 0xffffffff, 0, &v), EINVAL);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_BAR0_SIZE - 2, &v), EINVAL);
	assert_int_equal(vcl_read32(f->c, BAR0, 0xfffffffffffffffeull, &v), EINVAL);
	assert_int_equal(vcl_read(f->c, BAR0, 0, buf, 0), EINVAL);
	/* Write whose count disagrees with the data that follows. */
	a = (struct vus_region_access){ .offset = 4, .region = BAR0, .count = 8 };
	memcpy(buf, &a, sizeof(a));
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_WRITE, buf, sizeof(a) + 4, NULL, 0), EINVAL);
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_WRITE, buf, sizeof(a) + 12, NULL, 0), EINVAL);
	/* Read with trailing junk. */
	a.count = 4;
	memcpy(buf, &a, sizeof(a));
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_READ, buf, sizeof(a) + 4, NULL, 0), EINVAL);
	/* Truncated payloads of every command get an error, not a crash. */
	for (uint16_t cmd = 2; cmd <= 18; cmd++) {
		if (cmd == VUS_CMD_DEVICE_RESET)
			continue;
		for (size_t len = 0; len < 8; len++)
			assert_int_not_equal(vcl_call(f->c, cmd, buf, len, NULL, 0), 0);
	}
	assert_int_equal(vcl_call(f->c, 200, NULL, 0, NULL, 0), ENOSYS);
	/* fds on a command that takes none: refused (and closed by us). */
	int efd = eventfd(0, EFD_CLOEXEC);
	a.count = 4;
	memcpy(buf, &a, sizeof(a));
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_READ, buf, sizeof(a), &efd, 1), EINVAL);
	close(efd);
	/* A reply-typed message from the client ends the connection. */
	struct vus_hdr h = { .msg_id = 9, .cmd = VUS_CMD_REGION_READ, .size = 16, .flags = 1 };
	assert_int_equal(vcl_send_raw(f->c, &h, sizeof(h), NULL, 0), 0);
	assert_int_equal(vcl_recv(f->c, 2000), -ECONNRESET);
}

static void test_posted_and_multi(void **state)
{
	struct fx *f = *state;
	uint8_t buf[8 + 3 * 24];
	struct vus_write_multi_entry e[3];
	uint64_t n = 3;
	uint32_t v;

	std_setup(f);
	/* Posted writes: no reply; the next reply belongs to the read. */
	assert_int_equal(vcl_write32_posted(f->c, BAR0, TD_REG_SCRATCH, 0x1234), 0);
	assert_int_equal(vcl_write32_posted(f->c, BAR0, 0x9999, 1), 0);	/* bad: dropped */
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_SCRATCH, &v), 0);
	assert_int_equal(v, 0x1234);
	/* WRITE_MULTI: byte, word and dword writes. */
	memset(e, 0, sizeof(e));
	e[0] = (struct vus_write_multi_entry){ .offset = TD_REG_SCRATCH, .region = BAR0, .count = 4 };
	memcpy(e[0].data, &(uint32_t){ 0xaabbccdd }, 4);
	e[1] = (struct vus_write_multi_entry){ .offset = TD_REG_SCRATCH, .region = BAR0, .count = 1 };
	e[1].data[0] = 0x11;
	e[2] = (struct vus_write_multi_entry){ .offset = TD_REG_DMA_LEN, .region = BAR0, .count = 2 };
	e[2].data[0] = 0x34;
	e[2].data[1] = 0x12;
	memcpy(buf, &n, 8);
	memcpy(buf + 8, e, sizeof(e));
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_WRITE_MULTI, buf, sizeof(buf), NULL, 0), 0);
	memcpy(&n, f->c->rpayload, 8);
	assert_int_equal(n, 3);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_SCRATCH, &v), 0);
	assert_int_equal(v, 0xaabbcc11);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_DMA_LEN, &v), 0);
	assert_int_equal(v, 0x1234);
	/* One bad entry: nothing applied. */
	e[0].data[0] = 0x99;
	e[2].count = 9;
	memcpy(buf + 8, e, sizeof(e));
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_WRITE_MULTI, buf, sizeof(buf), NULL, 0), EINVAL);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_SCRATCH, &v), 0);
	assert_int_equal(v, 0xaabbcc11);
	/* Count disagreeing with the size. */
	n = 4;
	memcpy(buf, &n, 8);
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_WRITE_MULTI, buf, sizeof(buf), NULL, 0), EINVAL);
	/* Posted WRITE_MULTI. */
	n = 1;
	e[0] = (struct vus_write_multi_entry){ .offset = TD_REG_SCRATCH, .region = BAR0, .count = 4 };
	memcpy(e[0].data, &(uint32_t){ 7 }, 4);
	memcpy(buf, &n, 8);
	memcpy(buf + 8, e, 24);
	assert_true(vcl_send(f->c, VUS_CMD_REGION_WRITE_MULTI, VUS_F_NO_REPLY, buf, 32, NULL, 0) > 0);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_SCRATCH, &v), 0);
	assert_int_equal(v, 7);
}

static void test_multi_needs_cap(void **state)
{
	struct fx *f = *state;
	uint8_t buf[32] = { 1 };
	struct vus_write_multi_entry e = { .offset = 4, .region = BAR0, .count = 4 };

	assert_int_equal(vcl_version(f->c, NULL), 0);
	memcpy(buf + 8, &e, sizeof(e));
	assert_int_equal(vcl_call(f->c, VUS_CMD_REGION_WRITE_MULTI, buf, sizeof(buf), NULL, 0), EINVAL);
}

static void test_reset(void **state)
{
	struct fx *f = *state;
	uint32_t v;

	std_setup(f);
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_SCRATCH, 55), 0);
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_STICKY, 66), 0);
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_RESET, NULL, 0, NULL, 0), 0);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_SCRATCH, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_STICKY, &v), 0);
	assert_int_equal(v, 66);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_RESETS, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(vcl_call(f->c, VUS_CMD_DEVICE_RESET, "x", 1, NULL, 0), EINVAL);
}

static void test_header_violations(void **state)
{
	struct fx *f = *state;
	struct vus_hdr h = { .msg_id = 1, .cmd = VUS_CMD_REGION_READ };
	uint32_t v;
	int fds[17];

	/* Size below the header, above the limit: connection closed; the
	 * device lives on for the next client. */
	std_setup(f);
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_SCRATCH, 0xfeed), 0);
	h.size = 8;
	assert_int_equal(vcl_send_raw(f->c, &h, sizeof(h), NULL, 0), 0);
	assert_int_equal(vcl_recv(f->c, 2000), -ECONNRESET);
	vcl_close(f->c);
	wait_disconnected(f->dev);

	fx_connect(f);
	std_setup(f);
	h.size = 64u << 20;
	assert_int_equal(vcl_send_raw(f->c, &h, sizeof(h), NULL, 0), 0);
	assert_int_equal(vcl_recv(f->c, 2000), -ECONNRESET);
	vcl_close(f->c);
	wait_disconnected(f->dev);

	/* More fds than the protocol allows. */
	fx_connect(f);
	std_setup(f);
	for (int i = 0; i < 17; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	struct vus_irq_set s = { .argsz = 20, .flags = VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				 .index = VUS_IRQ_MSI, .count = 1 };
	uint8_t m[36];
	h = (struct vus_hdr){ .msg_id = 2, .cmd = VUS_CMD_DEVICE_SET_IRQS, .size = 36 };
	memcpy(m, &h, 16);
	memcpy(m + 16, &s, 20);
	assert_int_equal(vcl_send_raw(f->c, m, sizeof(m), fds, 17), 0);
	assert_int_equal(vcl_recv(f->c, 2000), -ECONNRESET);
	for (int i = 0; i < 17; i++)
		close(fds[i]);
	vcl_close(f->c);
	wait_disconnected(f->dev);

	/* Truncated message then EOF. */
	fx_connect(f);
	std_setup(f);
	h = (struct vus_hdr){ .msg_id = 3, .cmd = VUS_CMD_REGION_READ, .size = 32 };
	assert_int_equal(vcl_send_raw(f->c, &h, 10, NULL, 0), 0);
	vcl_close(f->c);
	wait_disconnected(f->dev);

	/* A header split over two writes is fine. */
	fx_connect(f);
	std_setup(f);
	struct vus_region_access a = { .offset = TD_REG_SCRATCH, .region = BAR0, .count = 4 };
	uint8_t msg[32];
	h = (struct vus_hdr){ .msg_id = 77, .cmd = VUS_CMD_REGION_READ, .size = 32 };
	memcpy(msg, &h, 16);
	memcpy(msg + 16, &a, 16);
	assert_int_equal(vcl_send_raw(f->c, msg, 5, NULL, 0), 0);
	usleep(20000);
	assert_int_equal(vcl_send_raw(f->c, msg + 5, 27, NULL, 0), 0);
	assert_int_equal(vcl_recv(f->c, 2000), 0);
	assert_int_equal(f->c->rhdr.msg_id, 77);
	memcpy(&v, f->c->rpayload + 16, 4);
	assert_int_equal(v, 0xfeed);	/* state survived four bad clients */
}

static void test_reconnect_keeps_state(void **state)
{
	struct fx *f = *state;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct vus_dev_stats st;
	uint32_t v;

	std_setup(f);
	assert_int_equal(vcl_write32(f->c, BAR0, TD_REG_SCRATCH, 0xc0ffee), 0);
	assert_int_equal(vcl_set_irqs(f->c, VUS_IRQ_SET_DATA_EVENTFD | VUS_IRQ_SET_ACTION_TRIGGER,
				      VUS_IRQ_MSI, 0, 1, &efd, 1), 0);
	/* A second client while one is connected is refused. */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(vus_dev_attach_fd(f->dev, sv[0]), -EBUSY);
	close(sv[1]);
	vcl_close(f->c);
	wait_disconnected(f->dev);
	vus_dev_stats(f->dev, &st);
	assert_int_equal(st.nr_maps, 0);
	assert_int_equal(vus_irq_enabled(f->dev, VUS_IRQ_MSI), 0);
	/* Device work without a client fails safely. */
	assert_int_equal(vus_irq_trigger(f->dev, VUS_IRQ_MSI, 0), -ENOENT);
	assert_int_equal(vus_dma_read(f->dev, RAM_GPA, &v, 4), -EFAULT);

	fx_connect(f);
	assert_int_equal(vcl_version(f->c, NULL), 0);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_SCRATCH, &v), 0);
	assert_int_equal(v, 0xc0ffee);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_CONNECTS, &v), 0);
	assert_int_equal(v, 2);
	/* No maps yet: DMA fails; after mapping it works. */
	td_dma(f->c, RAM_GPA, RAM_GPA + 8192, 4096, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_ERROR);
	assert_int_equal(vcl_dma_map(f->c, RAM_GPA, RAM_SIZE, f->ram_fd, 0, 3), 0);
	memset(f->ram, 0x3c, 4096);
	td_dma(f->c, RAM_GPA, RAM_GPA + 8192, 4096, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_DONE);
	assert_memory_equal(f->ram, f->ram + 8192, 4096);
	close(efd);
}

/* A memfd the client did not seal: the server seals it against
 * shrinking, so the client can no longer pull guest RAM away. */
static void test_dma_seals_memfd(void **state)
{
	struct fx *f = *state;
	int fd = memfd_create("sealable", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	uint8_t *p;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	assert_int_equal(fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK, 0);
	std_setup(f);
	assert_int_equal(vcl_dma_map(f->c, 0x40000000, 1 << 20, fd, 0, 3), 0);
	assert_int_not_equal(fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK, 0);
	assert_int_equal(ftruncate(fd, 4096), -1);
	assert_int_equal(errno, EPERM);
	/* Growing is still the client's business, and the map works. */
	assert_int_equal(ftruncate(fd, 2 << 20), 0);
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 0x6b, 4096);
	td_dma(f->c, 0x40000000, RAM_GPA, 4096, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_DONE);
	assert_int_equal(f->ram[4095], 0x6b);
	/* QEMU's own seals (SHRINK|GROW|SEAL) are accepted as they are. */
	int q = memfd_create("qemu-like", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_int_equal(ftruncate(q, 1 << 20), 0);
	assert_int_equal(fcntl(q, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
	assert_int_equal(vcl_dma_map(f->c, 0x50000000, 1 << 20, q, 0, 3), 0);
	munmap(p, 1 << 20);
	close(q);
	close(fd);
}

/*
 * Files that cannot be sealed (a memfd without MFD_ALLOW_SEALING, like
 * memory-backend-memfd,seal=off; a plain file, like memory-backend-file):
 * the client truncates one under its map and makes the device touch it.
 * The server survives, reports the DMA as failed, and keeps serving this
 * client's other memory and other connections.
 */
static void truncate_under_device(struct fx *f, int fd, uint64_t gpa)
{
	struct vus_dev_stats st;
	struct vgpud_testdev *td2;
	struct vcl *c2 = malloc(sizeof(*c2));
	struct vus_dma_ref ref;
	unsigned int log0 = nr_log_lines;
	uint8_t *view;
	uint32_t v;
	int sv[2];
	void *p;

	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	std_setup(f);
	assert_int_equal(vcl_dma_map(f->c, gpa, 1 << 20, fd, 0, 3), 0);
	assert_int_equal(log_count(log0, "cannot be sealed"), 1);
	/* A device pointer taken while the memory is good (as vgpud's vGPU
	 * holds one for the physical GPU). */
	assert_int_equal(vus_dma_get(f->dev, gpa, 1 << 20, true, &p, &ref), 0);
	((uint8_t *)p)[8192] = 0x5e;
	td_dma(f->c, gpa + 8192, RAM_GPA, 4096, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_DONE);
	assert_int_equal(f->ram[0], 0x5e);

	assert_int_equal(ftruncate(fd, 0), 0);
	/* The device's DMA engine reads it: SIGBUS in the worker thread,
	 * caught; the DMA fails instead of the daemon. */
	td_dma(f->c, gpa + 8192, RAM_GPA, 4096, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_ERROR);
	vus_dev_stats(f->dev, &st);
	assert_int_equal(st.dma_truncated, 1);
	assert_int_equal(log_count(log0, "truncated the file behind guest memory"), 1);
	/* The old pointer reads zeros and takes writes, no signal. */
	view = p;
	assert_int_equal(view[8192], 0);
	view[100] = 1;
	vus_dma_put(&ref);
	/* New device references to the dead map are refused. */
	assert_int_equal(vus_dma_get(f->dev, gpa, 4096, false, &p, &ref), -EFAULT);
	assert_int_equal(vus_dma_write(f->dev, gpa, "x", 1), -EFAULT);
	/* The rest of guest memory and the connection work. */
	memset(f->ram, 0x21, 4096);
	td_dma(f->c, RAM_GPA, RAM_GPA + 65536, 4096, false);
	assert_int_equal(td_wait_dma(f->c), TD_DMA_STATUS_DONE);
	assert_int_equal(f->ram[65536 + 4095], 0x21);
	assert_int_equal(vcl_read32(f->c, BAR0, TD_REG_ID, &v), 0);
	assert_int_equal(v, TD_ID_MAGIC);
	/* The client can unmap it (UNMAP does not wait forever). */
	assert_int_equal(vcl_dma_unmap(f->c, gpa, 1 << 20, 0), 0);
	/* Another device on another connection is served. */
	assert_int_equal(vgpud_testdev_create("t2", false, &td2), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(vus_dev_attach_fd(vgpud_testdev_vus(td2), sv[0]), 0);
	vcl_init_fd(c2, sv[1]);
	assert_int_equal(vcl_version(c2, NULL), 0);
	assert_int_equal(vcl_read32(c2, BAR0, TD_REG_ID, &v), 0);
	assert_int_equal(v, TD_ID_MAGIC);
	vcl_close(c2);
	vgpud_testdev_destroy(td2);
	free(c2);
	close(fd);
}

static void test_dma_truncated_memfd(void **state)
{
	int fd = memfd_create("unsealable", MFD_CLOEXEC);	/* F_SEAL_SEAL */

	assert_true(fd >= 0);
	truncate_under_device(*state, fd, 0x40000000);
}

static void test_dma_truncated_file(void **state)
{
	char path[] = "/tmp/vus-ram-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	assert_true(fd >= 0);
	unlink(path);
	truncate_under_device(*state, fd, 0x80000000);
}

static void child_sigbus(int sig, siginfo_t *si, void *uc)
{
	_exit(42);
}

/* A child process touches a truncated mapping that is not guest memory. */
static int child_foreign_fault(bool own_handler)
{
	int fd = memfd_create("own", MFD_CLOEXEC), g;
	struct sigaction sa = { .sa_sigaction = child_sigbus, .sa_flags = SA_SIGINFO };
	volatile uint8_t *p;
	void *guarded;

	/* Undo the test framework's handler: the library chains to what
	 * is installed before its next map. */
	if (own_handler)
		sigaction(SIGBUS, &sa, NULL);
	else
		signal(SIGBUS, SIG_DFL);
	guarded = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	g = vus_guard_add(guarded, 4096, PROT_READ);
	if (g < 0 || fd < 0 || ftruncate(fd, 8192))
		_exit(2);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ftruncate(fd, 0))
		_exit(3);
	(void)p[4096];
	_exit(0);	/* survived: the guard swallowed a foreign fault */
}

/* The guard only handles guest memory: any other SIGBUS goes to the
 * handler installed before, or kills the process as without the library. */
static void test_sigbus_elsewhere_chained(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	for (int own = 0; own < 2; own++) {
		pid = fork();
		assert_true(pid >= 0);
		if (!pid)
			child_foreign_fault(own);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (own) {
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 42);
		} else {
			assert_true(WIFSIGNALED(status));
			assert_int_equal(WTERMSIG(status), SIGBUS);
		}
	}
}

/* Guest RAM without an fd is refused with one clear line per client; the
 * ROM windows QEMU maps without an fd are one quiet line per client. */
static void test_fdless_logged_once(void **state)
{
	struct fx *f = *state;
	unsigned int log0 = nr_log_lines;
	struct vus_dev_stats st;

	for (int conn = 0; conn < 2; conn++) {
		assert_int_equal(vcl_version(f->c, NULL), 0);
		/* What QEMU sends for anonymous RAM: low RAM, RAM above 1 MiB. */
		assert_int_equal(vcl_dma_map(f->c, 0, 0xa0000, -1, 0, 3), ENOTSUP);
		assert_int_equal(vcl_dma_map(f->c, 0x100000, 0x7ff00000, -1, 0, 3), ENOTSUP);
		assert_int_equal(vcl_dma_map(f->c, 0x100000000ull, 1ull << 30, -1, 0, 3), ENOTSUP);
		/* BIOS, option ROM, VGA windows. */
		assert_int_equal(vcl_dma_map(f->c, 0xc0000, 0x20000, -1, 0, 1), 0);
		assert_int_equal(vcl_dma_map(f->c, 0xe0000, 0x20000, -1, 0, 1), 0);
		assert_int_equal(vcl_dma_map(f->c, 0xfffc0000, 0x40000, -1, 0, 1), 0);
		vus_dev_stats(f->dev, &st);
		assert_int_equal(st.nr_maps, 3);
		/* The device cannot reach them. */
		assert_int_equal(vus_dma_read(f->dev, 0xc0000, &st, 4), -EFAULT);
		assert_int_equal(log_count(log0, "has no fd"), conn + 1);
		assert_int_equal(log_count(log0, "memory-backend-memfd"), conn + 1);
		assert_int_equal(log_count(log0, "fd-less DMA_MAP"), conn + 1);
		vcl_close(f->c);
		wait_disconnected(f->dev);
		fx_connect(f);
	}
}

static void test_listen_many(void **state)
{
	struct fx *f = *state;
	struct vgpud_testdev *td2;
	char dir[] = "/tmp/vus-test-XXXXXX", p1[64], p2[64];
	struct vcl *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)), *c2 = malloc(sizeof(*c2));
	uint32_t v;

	vcl_close(f->c);
	wait_disconnected(f->dev);
	assert_non_null(mkdtemp(dir));
	snprintf(p1, sizeof(p1), "%s/a.sock", dir);
	snprintf(p2, sizeof(p2), "%s/b.sock", dir);
	assert_int_equal(vgpud_testdev_create("t2", false, &td2), 0);
	assert_int_equal(vus_dev_listen(f->dev, p1), 0);
	assert_int_equal(vus_dev_listen(vgpud_testdev_vus(td2), p2), 0);
	assert_int_equal(vcl_connect_path(a, p1), 0);
	assert_int_equal(vcl_connect_path(b, p2), 0);
	assert_int_equal(vcl_version(a, NULL), 0);
	assert_int_equal(vcl_version(b, NULL), 0);
	assert_int_equal(vcl_write32(b, BAR0, TD_REG_SCRATCH, 2), 0);
	/* A second client on a busy device is closed at once. */
	assert_int_equal(vcl_connect_path(c2, p1), 0);
	assert_int_equal(vcl_recv(c2, 2000), -ECONNRESET);
	vcl_close(c2);
	/* Garbage on a: a is dropped, b serves on. */
	assert_int_equal(vcl_send_raw(a, "garbage-garbage-garbage", 23, NULL, 0), 0);
	assert_int_equal(vcl_recv(a, 2000), -ECONNRESET);
	vcl_close(a);
	assert_int_equal(vcl_read32(b, BAR0, TD_REG_SCRATCH, &v), 0);
	assert_int_equal(v, 2);
	/* a's device takes a new client. */
	wait_disconnected(f->dev);
	assert_int_equal(vcl_connect_path(a, p1), 0);
	assert_int_equal(vcl_version(a, NULL), 0);
	assert_int_equal(vcl_read32(a, BAR0, TD_REG_ID, &v), 0);
	assert_int_equal(v, TD_ID_MAGIC);
	vcl_close(a);
	vcl_close(b);
	vgpud_testdev_destroy(td2);
	/* Destroy removed the socket file. */
	assert_int_not_equal(access(p2, F_OK), 0);
	wait_disconnected(f->dev);
	fx_connect(f);	/* for teardown; the listener stays until destroy */
	free(a);
	free(b);
	free(c2);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_version),
		T(test_version_limits),
		T(test_version_bad),
		T(test_device_info),
		T(test_region_fd),
		T(test_config_space),
		T(test_dma_map_rules),
		T(test_dma_api),
		T(test_unmap_waits_for_device),
		T(test_dma_copy_msi),
		T(test_intx),
		T(test_set_irqs_bad),
		T(test_region_access_bad),
		T(test_posted_and_multi),
		T(test_multi_needs_cap),
		T(test_reset),
		T(test_header_violations),
		T(test_reconnect_keeps_state),
		T(test_listen_many),
		T(test_dma_seals_memfd),
		T(test_dma_truncated_memfd),
		T(test_dma_truncated_file),
		T(test_sigbus_elsewhere_chained),
		T(test_fdless_logged_once),
#undef T
	};

	return cmocka_run_group_tests_name("vus_client", tests, NULL, NULL);
}
