// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_vus_rtt --out FILE.json: the server side of an MMIO round trip,
 * without QEMU: a client thread sends REGION_READ / posted REGION_WRITE to
 * libvus serving the kvmgt-testdev over a socketpair, beside a raw
 * socketpair ping-pong of the same message sizes (the IPC floor) measured
 * in the same run. Shows how much of the in-guest vfio-user latency is the
 * library versus the transport.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testdev_regs.h"
#include "vgpud_testdev.h"
#include "vus_client.h"

#define N 20000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Echo server: read a 32-byte request, answer 36 bytes (a read reply). */
static void *echo_main(void *arg)
{
	int fd = *(int *)arg;
	uint8_t buf[64];

	for (;;) {
		if (recv(fd, buf, 32, MSG_WAITALL) != 32)
			break;
		if (send(fd, buf, 36, MSG_NOSIGNAL) != 36)
			break;
	}
	return NULL;
}

static double raw_pingpong(void)
{
	uint8_t buf[64] = { 0 };
	pthread_t t;
	uint64_t t0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		exit(1);
	pthread_create(&t, NULL, echo_main, &sv[1]);
	t0 = now_ns();
	for (int i = 0; i < N; i++) {
		if (send(sv[0], buf, 32, 0) != 32 || recv(sv[0], buf, 36, MSG_WAITALL) != 36)
			exit(1);
	}
	t0 = now_ns() - t0;
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
	return (double)t0 / N;
}

static struct vcl cl;

static void quiet(int l, const char *m)
{
}

int main(int argc, char **argv)
{
	struct vgpud_testdev *td;
	double raw, rd, wr;
	uint64_t t0;
	uint32_t v;
	FILE *out;
	int sv[2];

	if (argc != 3 || strcmp(argv[1], "--out")) {
		fprintf(stderr, "usage: bench_vus_rtt --out FILE.json\n");
		return 2;
	}
	vus_log_set(quiet, 0);
	raw = raw_pingpong();
	if (vgpud_testdev_create("bench", false, &td) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    vus_dev_attach_fd(vgpud_testdev_vus(td), sv[0]))
		return 1;
	vcl_init_fd(&cl, sv[1]);
	if (vcl_version(&cl, NULL))
		return 1;
	t0 = now_ns();
	for (int i = 0; i < N; i++)
		if (vcl_read32(&cl, VUS_PCI_BAR0_REGION, TD_REG_SCRATCH, &v))
			return 1;
	rd = (double)(now_ns() - t0) / N;
	t0 = now_ns();
	for (int i = 0; i < N; i++)
		if (vcl_write32_posted(&cl, VUS_PCI_BAR0_REGION, TD_REG_SCRATCH, (uint32_t)i))
			return 1;
	if (vcl_read32(&cl, VUS_PCI_BAR0_REGION, TD_REG_SCRATCH, &v) || v != N - 1)
		return 1;	/* every posted write was applied, in order */
	wr = (double)(now_ns() - t0) / N;
	vcl_close(&cl);
	vgpud_testdev_destroy(td);

	out = fopen(argv[2], "w");
	if (!out)
		return 1;
	fprintf(out, "{\n  \"benchmark\": \"vus_rtt\",\n  \"iterations\": %d,\n"
		"  \"raw_socketpair_pingpong_ns\": %.1f,\n"
		"  \"vus_region_read_rtt_ns\": %.1f,\n"
		"  \"vus_posted_write_ns\": %.1f,\n"
		"  \"read_vs_raw_ratio\": %.2f,\n"
		"  \"baseline\": \"raw 32/36-byte socketpair ping-pong between two threads, same run\"\n}\n",
		N, raw, rd, wr, rd / raw);
	fclose(out);
	printf("raw %.1f ns, vus read %.1f ns (x%.2f), posted write %.1f ns\n", raw, rd, rd / raw, wr);
	return 0;
}
