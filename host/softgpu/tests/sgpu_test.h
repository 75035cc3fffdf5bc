// SPDX-License-Identifier: GPL-2.0-only
/* Shared helpers for the softgpu tests: everything goes through hostdrv. */
#ifndef SGPU_TEST_H
#define SGPU_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <cmocka.h>

#include "hostdrv.h"
#include "softgpu.h"

/* command encodings (i915 intel_gpu_commands.h) */
#define MI_INSTR(op, flags)	(((uint32_t)(op) << 23) | (flags))
#define MI_NOOP			0
#define MI_USER_INTERRUPT	MI_INSTR(0x02, 0)
#define MI_ARB_CHECK		MI_INSTR(0x05, 0)
#define MI_ARB_ON_OFF		MI_INSTR(0x08, 0)
#define MI_BATCH_BUFFER_END	MI_INSTR(0x0A, 0)
#define MI_MATH(n)		MI_INSTR(0x1A, (n) - 1)
#define MI_SEMAPHORE_WAIT	MI_INSTR(0x1C, 2)
#define  MI_SEM_GGTT		(1u << 22)
#define  MI_SEM_POLL		(1u << 15)
#define  MI_SEM_SAD_EQ_SDD	(4u << 12)
#define  MI_SEM_SAD_GTE_SDD	(1u << 12)
#define MI_STORE_DWORD_IMM	MI_INSTR(0x20, 2)
#define MI_STORE_QWORD_IMM	MI_INSTR(0x20, 3)
#define  MI_USE_GGTT		(1u << 22)
#define MI_STORE_DWORD_INDEX	MI_INSTR(0x21, 1)
#define MI_LRI(n)		MI_INSTR(0x22, 2 * (n) - 1)
#define MI_SRM			MI_INSTR(0x24, 2)
#define MI_FLUSH_DW		MI_INSTR(0x26, 2)
#define  MI_FLUSH_DW_STORE_INDEX (1u << 21)
#define  MI_FLUSH_DW_OP_STOREDW	(1u << 14)
#define  MI_FLUSH_DW_USE_GTT	(1u << 2)
#define MI_LRM			MI_INSTR(0x29, 2)
#define MI_LRR			MI_INSTR(0x2A, 1)
#define MI_COPY_MEM_MEM		MI_INSTR(0x2E, 3)
#define MI_ATOMIC(len)		MI_INSTR(0x2F, (len) - 2)
#define  MI_ATOMIC_INLINE	(1u << 18)
#define  MI_ATOMIC_RETURN	(1u << 16)
#define  MI_ATOMIC_OP(op)	((uint32_t)(op) << 8)
#define MI_BB_START		MI_INSTR(0x31, 1)
#define  MI_BB_PPGTT		(1u << 8)
#define  MI_BB_SECOND_LEVEL	(1u << 22)
#define MI_COND_BB_END		MI_INSTR(0x36, 2)
#define PIPE_CONTROL		(0x7A000000u | 4)
#define  PC_QW_WRITE		(1u << 14)
#define  PC_TIMESTAMP		(3u << 14)
#define  PC_STORE_INDEX		(1u << 21)
#define  PC_GLOBAL_GTT		(1u << 24)
#define  PC_NOTIFY		(1u << 8)
#define XY_COLOR_BLT		((2u << 29) | (0x54u << 22) | 5)
#define XY_SRC_COPY_BLT		((2u << 29) | (0x53u << 22) | 8)
#define XY_FAST_COPY_BLT	((2u << 29) | (0x42u << 22) | 8)
#define  BLT_WRITE_RGBA		(3u << 20)
#define  BLT_SRC_TILED		(1u << 15)
#define  BLT_DST_TILED		(1u << 11)
#define  BR13_32BPP		(3u << 24)
#define  ROP_SRCCOPY		(0xCCu << 16)
#define  ROP_PATCOPY		(0xF0u << 16)
#define BCS_SWCTRL		0x22200

#define ALU(op, a, b)		(((uint32_t)(op) << 20) | ((uint32_t)(a) << 10) | (b))
#define ALU_LOAD		0x080
#define ALU_ADD			0x100
#define ALU_SUB			0x101
#define ALU_STORE		0x180
#define ALU_SRCA		0x20
#define ALU_SRCB		0x21
#define ALU_ACCU		0x31

#define GPR(base, n)		((base) + 0x600 + 8 * (n))

extern const uint32_t engine_base[HDRV_NUM_ENGINES];

struct tenv {
	struct sgpu *sg;
	struct hdrv_gpu *gpu;
	struct hdrv_bus bus;
	bool threaded;
	atomic_int user_irqs[HDRV_NUM_ENGINES];
	atomic_int errors[HDRV_NUM_ENGINES];
	pthread_mutex_t done_lock;
	atomic_int ndone;
	struct {
		struct hdrv_ctx *ctx;
		enum hdrv_ctx_status st;
	} done[1024];
};

/* setup/teardown for cmocka: threaded engines + interrupts, or polled */
int tenv_setup_irq(void **state);
int tenv_setup_poll(void **state);
int tenv_setup_small_ggtt(void **state);	/* poll, only 64 MiB GGTT */
int tenv_setup_watchdog(void **state);	/* poll, 1000-command watchdog */
int tenv_setup_paced(void **state);	/* threads + irq, wall time paced */
int tenv_teardown(void **state);

struct hdrv_ctx *tctx(struct tenv *t, enum hdrv_engine_id e);
struct hdrv_ctx *tctx_vm(struct tenv *t, enum hdrv_engine_id e, enum hdrv_vm_mode vm,
			 const uint64_t pdp[4]);
void temit(struct hdrv_ctx *ctx, unsigned int n, ...);
/* pad to 8 bytes, submit, wait for idle: returns hdrv_engine_wait_idle() */
int trun(struct tenv *t, struct hdrv_ctx *ctx);
void tpad(struct hdrv_ctx *ctx);
/* last recorded status of ctx, -1 if none */
int tstatus(struct tenv *t, struct hdrv_ctx *ctx);
int tcount(struct tenv *t, struct hdrv_ctx *ctx, enum hdrv_ctx_status st);
void tbo(struct tenv *t, struct hdrv_bo *bo, size_t size);
/* wait until fn(arg) or timeout_ms; polls the engines */
bool twait(struct tenv *t, bool (*fn)(void *), void *arg, unsigned int timeout_ms);

/* a small PPGTT built in DMA memory */
struct tppgtt {
	struct tenv *t;
	int levels;			/* 3 or 4 */
	struct hdrv_dma root;		/* PML4 (4-level) */
	struct hdrv_dma tables[64];
	unsigned int ntables;
	uint64_t pdp[4];		/* roots for the context */
};
void tppgtt_init(struct tenv *t, struct tppgtt *p, int levels);
/* map [va, va+size) to DMA memory dma with page size 4K, 64K or 2M */
void tppgtt_map(struct tppgtt *p, uint64_t va, uint64_t dma, uint64_t size, uint32_t page);
void tppgtt_fini(struct tppgtt *p);

#endif /* SGPU_TEST_H */
