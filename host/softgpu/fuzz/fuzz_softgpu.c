// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: random command streams (in rings, GGTT batches and
 * PPGTT batches on all four engines) and random register / GGTT PTE writes.
 * Must hold: no crash, no access outside mapped memory (ASan), and every
 * input finishes (bounded steps; the softgpu watchdog errors out runaway
 * contexts).
 *
 * Input: byte 0 = mode bits (which engines get a ring stream, a GGTT batch
 * or a PPGTT batch), byte 1 = number of register writes taken from the end
 * of the input (8 bytes each: offset, value), the rest = command dwords.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostdrv.h"
#include "softgpu.h"

#define MI_BB_START	((0x31u << 23) | 1)
#define BB_PPGTT	(1u << 8)
#define BUF_SIZE	16384
#define PPGTT_VA	0x10000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* host memory the GPU must never reach: checked after every input */
static uint8_t canary[3][4096];

static void canary_check(void)
{
	for (unsigned int i = 0; i < 3; i++)
		for (unsigned int k = 0; k < 4096; k++)
			if (canary[i][k] != 0xA5)
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sgpu_config sc = { .watchdog_cmds = 4096, .log = quiet, .log_limit = 1 };
	struct hdrv_config hc = { .ggtt_size = 16u << 20, .hang_ms = 1 };
	struct hdrv_ctx *ctx[HDRV_NUM_ENGINES] = { 0 };
	struct hdrv_dma pt[4] = { 0 };
	struct hdrv_bo cmd, dat;
	struct hdrv_gpu *gpu;
	struct hdrv_bus bus;
	struct sgpu *sg;
	size_t nregs, body;
	const uint8_t *regs;
	uint64_t *e;
	unsigned int mode, i;

	if (size < 4)
		return 0;
	memset(canary, 0xA5, sizeof(canary));
	mode = data[0];
	nregs = data[1] % 16;
	if (nregs * 8 > size - 2)
		nregs = (size - 2) / 8;
	body = size - 2 - nregs * 8;
	regs = data + 2 + body;
	data += 2;

	if (sgpu_create(&sc, &sg))
		return 0;
	sgpu_bus(sg, &bus);
	if (hdrv_gpu_probe(&bus, &hc, &gpu))
		goto out_destroy;
	if (hdrv_bo_create(gpu, BUF_SIZE, &cmd))
		goto out_remove;
	if (hdrv_bo_create(gpu, BUF_SIZE, &dat))
		goto out_free_cmd;
	memcpy(cmd.mem.cpu, data, body < BUF_SIZE ? body : BUF_SIZE);

	/* 4-level PPGTT: VA 0x10000.. -> cmd pages, then dat pages */
	for (i = 0; i < 4; i++)
		if (hdrv_dma_alloc(gpu, 4096, &pt[i]))
			goto out_free_pt;
	e = pt[0].cpu;
	e[0] = pt[1].dma | 3;
	e = pt[1].cpu;
	e[0] = pt[2].dma | 3;
	e = pt[2].cpu;
	e[0] = pt[3].dma | 3;
	e = pt[3].cpu;
	for (i = 0; i < BUF_SIZE / 4096; i++) {
		e[(PPGTT_VA >> 12) + i] = (cmd.mem.dma + i * 4096) | 3;
		e[(PPGTT_VA >> 12) + BUF_SIZE / 4096 + i] = (dat.mem.dma + i * 4096) | 3;
	}

	for (i = 0; i < HDRV_NUM_ENGINES; i++) {
		struct hdrv_ctx_params p = { .vm = HDRV_VM_PPGTT_4LVL, .pdp = { pt[0].dma } };
		unsigned int how = (mode >> (2 * i)) & 3;
		uint32_t bb[4] = { MI_BB_START, (uint32_t)cmd.gtt, 0, 0 };

		if (how == 0)
			continue;
		if (hdrv_ctx_create(gpu, i, &p, &ctx[i]))
			goto out_free_ctx;
		if (how == 1) {
			/* the stream straight in the ring */
			uint32_t n = (uint32_t)(body / 4);

			if (n > 16384 / 4 - 4)
				n = 16384 / 4 - 4;
			for (uint32_t k = 0; k < n; k++) {
				uint32_t dw = rd32(data + 4 * k);

				hdrv_ctx_emit(ctx[i], &dw, 1);
			}
		} else {
			if (how == 3) {
				bb[0] |= BB_PPGTT;
				bb[1] = (uint32_t)PPGTT_VA;
			}
			hdrv_ctx_emit(ctx[i], bb, 4);
		}
		if (hdrv_ctx_tail(ctx[i]) & 7) {
			uint32_t noop = 0;

			hdrv_ctx_emit(ctx[i], &noop, 1);
		}
		hdrv_engine_submit(gpu, ctx[i], NULL);
	}

	/* bounded: a fixed number of steps, register writes in between */
	for (i = 0; i < 32; i++) {
		if (i < nregs) {
			uint32_t off = rd32(regs + 8 * i) % SGPU_BAR0_SIZE & ~3u;

			sgpu_mmio_write32(sg, off, rd32(regs + 8 * i + 4));
		}
		sgpu_step(sg, 1024);
		for (unsigned int k = 0; k < HDRV_NUM_ENGINES; k++) {
			hdrv_engine_poll(gpu, k);
			if (i == 16 && hdrv_engine_hung(gpu, k))
				hdrv_engine_reset(gpu, k);
		}
	}

out_free_ctx:
	/* contexts still on an engine are stopped by the reset in destroy */
	for (i = 0; i < HDRV_NUM_ENGINES; i++)
		hdrv_ctx_destroy(ctx[i]);
out_free_pt:
	for (i = 0; i < 4; i++)
		hdrv_dma_free(gpu, &pt[i]);
	hdrv_bo_destroy(gpu, &dat);
out_free_cmd:
	hdrv_bo_destroy(gpu, &cmd);
out_remove:
	hdrv_gpu_remove(gpu);
out_destroy:
	sgpu_destroy(sg);
	canary_check();
	return 0;
}
