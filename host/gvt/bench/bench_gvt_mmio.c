// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-model dispatch cost: ns per BAR0 register read/write (plain,
 * masked, handler), per GGTT PTE write and aperture bandwidth, beside a
 * memcpy baseline measured in the same run. The figures exclude the
 * transport (vfio-user round trip), which dominates in a real VM.
 * Usage: bench_gvt_mmio [--out FILE.json]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gvt.h"

#define RAM_SIZE	(16u << 20)

static uint8_t *ram;
static uint64_t sink;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int ggtt_write(void *priv, uint32_t index, uint64_t pte)
{
	sink += index ^ pte;
	return 0;
}

static const struct gvt_host_ops host_ops = { .version = GVT_OPS_VERSION, .ggtt_write = ggtt_write };

static int gpa_read(void *priv, uint64_t gpa, void *buf, size_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static int gpa_write(void *priv, uint64_t gpa, const void *buf, size_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(ram + gpa, buf, len);
	return 0;
}

static int dma_map(void *priv, uint64_t gfn, uint64_t *dma)
{
	*dma = gfn << 12;
	return 0;
}

static void dma_unmap(void *priv, uint64_t gfn, uint64_t dma)
{
}

static int inject_msi(void *priv, uint64_t addr, uint32_t data)
{
	return 0;
}

static const struct gvt_hyp_ops hyp_ops = {
	.version = GVT_OPS_VERSION, .gpa_read = gpa_read, .gpa_write = gpa_write,
	.dma_map = dma_map, .dma_unmap = dma_unmap, .inject_msi = inject_msi,
};

static void die(const char *what, int ret)
{
	fprintf(stderr, "bench_gvt_mmio: %s failed (%d)\n", what, ret);
	exit(1);
}

/* ns per call of @fn over @n iterations, best of 3 */
#define TIME_NS(n, body) ({						\
	double best = 1e30;						\
	for (int rep = 0; rep < 3; rep++) {				\
		double t0 = now_s();					\
		for (unsigned int i = 0; i < (n); i++) { body; }	\
		double t = (now_s() - t0) * 1e9 / (n);			\
		if (t < best)						\
			best = t;					\
	}								\
	best;								\
})

int main(int argc, char **argv)
{
	const char *out = NULL;
	struct gvt_gpu_desc d = {
		.device_id = 0x1912, .ggtt_size = 4ull << 30, .aperture_size = 1ull << 30,
		.num_fences = 32, .scratch_pte = 0x1001,
	};
	struct gvt_gpu *gpu;
	struct gvt_vgpu *v;
	struct gvt_vgpu_info info;
	enum { N = 2000000, NP = 200000, NA = 20000 };
	static uint8_t page[4096], page2[4096];
	double plain_rd, plain_wr, masked_wr, handler_rd, pte_wr, ap_wr, memcpy_4k, copy_dw;
	volatile uint32_t vol[64];
	uint32_t val = 0;
	FILE *f;
	int ret;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		die("alloc", -ENOMEM);
	ret = gvt_gpu_create(&d, &host_ops, NULL, &gpu);
	if (ret)
		die("gpu create", ret);
	ret = gvt_vgpu_create(gpu, "GVTg_V5_4", &hyp_ops, NULL, &v);
	if (ret)
		die("vgpu create", ret);
	gvt_vgpu_get_info(v, &info);

	/* baseline: a plain dword store + load through memory */
	copy_dw = TIME_NS(N, { vol[i & 63] = i; sink += vol[(i + 1) & 63]; });
	plain_rd = TIME_NS(N, { gvt_vgpu_mmio_read(v, 0, 0x4ab0, &val, 4); sink += val; });
	plain_wr = TIME_NS(N, { val = i; gvt_vgpu_mmio_write(v, 0, 0x4ab0, &val, 4); });
	masked_wr = TIME_NS(N, { val = 0x00010000 | (i & 1);
				 gvt_vgpu_mmio_write(v, 0, 0x7004, &val, 4); });
	handler_rd = TIME_NS(N, { gvt_vgpu_mmio_read(v, 0, 0xc4000, &val, 4); sink += val; });
	pte_wr = TIME_NS(NP, {
		uint64_t pte = ((uint64_t)(i % 4096) << 12) | 1;
		uint64_t off = (8u << 20) + ((info.low_gm_base >> 12) + (i % 16384)) * 8;
		gvt_vgpu_mmio_write(v, 0, off, &pte, 8); });
	/* map 256 aperture pages for the bandwidth run */
	for (unsigned int i = 0; i < 256; i++) {
		uint64_t pte = ((uint64_t)i << 12) | 1;

		gvt_vgpu_mmio_write(v, 0, (8u << 20) + ((info.low_gm_base >> 12) + i) * 8, &pte, 8);
	}
	ap_wr = TIME_NS(NA, { gvt_vgpu_mmio_write(v, 2, info.low_gm_base + (i % 256) * 4096ull,
						  page, sizeof(page)); });
	memcpy_4k = TIME_NS(NA, { memcpy(ram + (i % 256) * 4096ull, page2, sizeof(page2));
				  sink += ram[i % 4096]; });

	printf("dword copy baseline      %7.1f ns\n", copy_dw);
	printf("register read (plain)    %7.1f ns\n", plain_rd);
	printf("register write (plain)   %7.1f ns\n", plain_wr);
	printf("register write (masked)  %7.1f ns\n", masked_wr);
	printf("register read (handler)  %7.1f ns\n", handler_rd);
	printf("GGTT PTE write           %7.1f ns\n", pte_wr);
	printf("aperture 4 KiB write     %7.1f ns (%.2f GB/s)\n", ap_wr, 4096 / ap_wr);
	printf("memcpy 4 KiB baseline    %7.1f ns (%.2f GB/s)\n", memcpy_4k, 4096 / memcpy_4k);
	if (out) {
		f = fopen(out, "w");
		if (!f)
			die("open --out", -errno);
		fprintf(f, "{\n  \"bench\": \"gvt_mmio\",\n"
			"  \"baseline_dword_copy_ns\": %.2f,\n"
			"  \"reg_read_plain_ns\": %.2f,\n  \"reg_write_plain_ns\": %.2f,\n"
			"  \"reg_write_masked_ns\": %.2f,\n  \"reg_read_handler_ns\": %.2f,\n"
			"  \"ggtt_pte_write_ns\": %.2f,\n"
			"  \"aperture_write_4k_ns\": %.2f,\n  \"baseline_memcpy_4k_ns\": %.2f\n}\n",
			copy_dw, plain_rd, plain_wr, masked_wr, handler_rd, pte_wr, ap_wr, memcpy_4k);
		fclose(f);
	}
	gvt_vgpu_destroy(v);
	gvt_gpu_destroy(gpu);
	free(ram);
	return sink == 42 ? 1 : 0;	/* keep the work observable */
}
