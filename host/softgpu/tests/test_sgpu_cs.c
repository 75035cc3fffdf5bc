// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu command streamer tests, driven only through hostdrv: store-dword
 * through GGTT and PPGTT, batches, registers, MI_MATH, atomics, post-sync.
 */
#include <string.h>

#include "sgpu_test.h"

static void test_store_dword_ggtt_all_engines(void **state)
{
	struct tenv *t = *state;
	struct hdrv_bo bo;

	tbo(t, &bo, 4096);
	for (int e = 0; e < HDRV_NUM_ENGINES; e++) {
		struct hdrv_ctx *ctx = tctx(t, e);

		temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)bo.gtt + 4 * e, 0,
		      0xC0DE0000u + e);
		temit(ctx, 1, MI_USER_INTERRUPT);
		assert_int_equal(trun(t, ctx), 0);
		assert_int_equal(((uint32_t *)bo.mem.cpu)[e], 0xC0DE0000u + e);
		assert_int_equal(tstatus(t, ctx), HDRV_CTX_COMPLETE);
		/* the GPU saved the ring head back into the image */
		assert_int_equal(hdrv_ctx_head(ctx), hdrv_ctx_tail(ctx));
		assert_true(atomic_load(&t->user_irqs[e]) >= 1);
		hdrv_ctx_destroy(ctx);
	}
	hdrv_bo_destroy(t->gpu, &bo);
}

static void test_store_qword_and_index(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_VCS);
	struct hdrv_bo bo;
	uint32_t *pphwsp;

	tbo(t, &bo, 4096);
	temit(ctx, 5, MI_STORE_QWORD_IMM | MI_USE_GGTT, (uint32_t)bo.gtt + 8, 0, 0x11111111, 0x22222222);
	temit(ctx, 3, MI_STORE_DWORD_INDEX, 0x34 * 4, 0xABCD0001);
	/* MI_FLUSH_DW post-sync store into the PPHWSP (i915 emit_flush_xcs) */
	temit(ctx, 4, MI_FLUSH_DW | MI_FLUSH_DW_STORE_INDEX | MI_FLUSH_DW_OP_STOREDW,
	      0x38 * 4, 0, 0x5EC0);
	temit(ctx, 4, MI_FLUSH_DW | MI_FLUSH_DW_OP_STOREDW, (uint32_t)bo.gtt | MI_FLUSH_DW_USE_GTT,
	      0, 0xF1D0);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(((uint32_t *)bo.mem.cpu)[2], 0x11111111);
	assert_int_equal(((uint32_t *)bo.mem.cpu)[3], 0x22222222);
	assert_int_equal(((uint32_t *)bo.mem.cpu)[0], 0xF1D0);
	/* page 0 of the context image is the PPHWSP */
	pphwsp = (uint32_t *)(hdrv_ctx_regs(ctx) - 1024);
	assert_int_equal(pphwsp[0x34], 0xABCD0001);
	assert_int_equal(pphwsp[0x38], 0x5EC0);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &bo);
}

static void store_ppgtt(struct tenv *t, int levels, uint32_t page)
{
	struct hdrv_dma mem;
	struct tppgtt pp;
	struct hdrv_ctx *ctx;
	uint64_t va = levels == 4 ? 0x7F1234000000ull : 0x40000000ull;
	uint64_t aligned, off = page - 8;	/* near the end of the page */
	uint32_t *p;

	/* the DMA allocator only promises 4K alignment: align big pages inside */
	assert_int_equal(hdrv_dma_alloc(t->gpu, page * 2ull, &mem), 0);
	aligned = (mem.dma + page - 1) & ~(uint64_t)(page - 1);
	tppgtt_init(t, &pp, levels);
	tppgtt_map(&pp, va, aligned, page, page);
	ctx = tctx_vm(t, HDRV_RCS, levels == 4 ? HDRV_VM_PPGTT_4LVL : HDRV_VM_PPGTT_3LVL, pp.pdp);
	temit(ctx, 4, MI_STORE_DWORD_IMM, (uint32_t)(va + off), (uint32_t)((va + off) >> 32),
	      0x600D0000u + levels);
	temit(ctx, 4, MI_STORE_DWORD_IMM, (uint32_t)(va + 4), (uint32_t)(va >> 32), page);
	assert_int_equal(trun(t, ctx), 0);
	p = (uint32_t *)((uint8_t *)mem.cpu + (aligned - mem.dma) + off);
	assert_int_equal(*p, 0x600D0000u + levels);
	p = (uint32_t *)((uint8_t *)mem.cpu + (aligned - mem.dma) + 4);
	assert_int_equal(*p, page);
	assert_int_equal(tstatus(t, ctx), HDRV_CTX_COMPLETE);
	hdrv_ctx_destroy(ctx);
	tppgtt_fini(&pp);
	hdrv_dma_free(t->gpu, &mem);
}

static void test_store_dword_ppgtt_4lvl_4k(void **state)
{
	store_ppgtt(*state, 4, 4096);
}

static void test_store_dword_ppgtt_3lvl_4k(void **state)
{
	store_ppgtt(*state, 3, 4096);
}

static void test_store_dword_ppgtt_4lvl_64k(void **state)
{
	store_ppgtt(*state, 4, 65536);
}

static void test_store_dword_ppgtt_3lvl_2m(void **state)
{
	store_ppgtt(*state, 3, 2u << 20);
}

static void test_ppgtt_fault_errors_context(void **state)
{
	struct tenv *t = *state;
	struct tppgtt pp;
	struct hdrv_ctx *ctx, *other;
	struct hdrv_engine_error err;
	struct hdrv_bo bo;
	struct sgpu_stats st;

	tppgtt_init(t, &pp, 4);
	ctx = tctx_vm(t, HDRV_VCS, HDRV_VM_PPGTT_4LVL, pp.pdp);
	/* nothing mapped at all: the write must fault, not corrupt anything */
	temit(ctx, 4, MI_STORE_DWORD_IMM, 0x12345000, 0, 0xBAD);
	tpad(ctx);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_VCS, 5000), -EIO);
	assert_int_equal(atomic_load(&t->errors[HDRV_VCS]), 1);
	hdrv_engine_read_error(t->gpu, HDRV_VCS, &err);
	assert_true(err.eir & 1);
	assert_int_equal(err.ipehr, MI_STORE_DWORD_IMM);
	assert_true(err.fault_reg & 1);
	assert_int_equal(err.fault_addr, 0x12345000);
	sgpu_get_stats(t->sg, &st);
	assert_true(st.faults >= 1);
	assert_true(hdrv_engine_hung(t->gpu, HDRV_VCS));
	/* other engines are unaffected */
	tbo(t, &bo, 4096);
	other = tctx(t, HDRV_BCS);
	temit(other, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)bo.gtt, 0, 7);
	assert_int_equal(trun(t, other), 0);
	assert_int_equal(*(uint32_t *)bo.mem.cpu, 7);
	/* the hang check resets exactly the faulting engine */
	assert_int_equal(hdrv_hangcheck(t->gpu), 1u << HDRV_VCS);
	assert_int_equal(tstatus(t, ctx), HDRV_CTX_ERROR);
	assert_false(hdrv_engine_hung(t->gpu, HDRV_VCS));
	hdrv_ctx_destroy(ctx);
	ctx = tctx(t, HDRV_VCS);
	temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)bo.gtt + 4, 0, 8);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(((uint32_t *)bo.mem.cpu)[1], 8);
	hdrv_ctx_destroy(ctx);
	hdrv_ctx_destroy(other);
	hdrv_bo_destroy(t->gpu, &bo);
	tppgtt_fini(&pp);
}

static void test_batch_chain_and_second_level(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);
	struct hdrv_bo b1, b2, b3, out;
	uint32_t *c1, *c2, *c3, g;
	uint32_t *o;

	tbo(t, &b1, 4096);
	tbo(t, &b2, 4096);
	tbo(t, &b3, 4096);
	tbo(t, &out, 4096);
	c1 = b1.mem.cpu;
	c2 = b2.mem.cpu;
	c3 = b3.mem.cpu;
	g = (uint32_t)out.gtt;
	/* batch 1: store 1, call b3 as second level, store 3, chain to b2 */
	c1[0] = MI_STORE_DWORD_IMM | MI_USE_GGTT; c1[1] = g; c1[2] = 0; c1[3] = 1;
	c1[4] = MI_BB_START | MI_BB_SECOND_LEVEL; c1[5] = (uint32_t)b3.gtt; c1[6] = 0;
	c1[7] = MI_STORE_DWORD_IMM | MI_USE_GGTT; c1[8] = g + 8; c1[9] = 0; c1[10] = 3;
	c1[11] = MI_BB_START; c1[12] = (uint32_t)b2.gtt; c1[13] = 0;
	c1[14] = MI_STORE_DWORD_IMM | MI_USE_GGTT; c1[15] = g + 60; c1[16] = 0; c1[17] = 0xBAD;
	/* batch 3 (second level): store 2, end -> back to batch 1 */
	c3[0] = MI_STORE_DWORD_IMM | MI_USE_GGTT; c3[1] = g + 4; c3[2] = 0; c3[3] = 2;
	c3[4] = MI_BATCH_BUFFER_END;
	/* batch 2 (chained): store 4, end -> back to the ring */
	c2[0] = MI_STORE_DWORD_IMM | MI_USE_GGTT; c2[1] = g + 12; c2[2] = 0; c2[3] = 4;
	c2[4] = MI_BATCH_BUFFER_END;
	temit(ctx, 3, MI_BB_START, (uint32_t)b1.gtt, 0);
	temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 16, 0, 5);
	assert_int_equal(trun(t, ctx), 0);
	o = out.mem.cpu;
	assert_int_equal(o[0], 1);
	assert_int_equal(o[1], 2);
	assert_int_equal(o[2], 3);
	assert_int_equal(o[3], 4);
	assert_int_equal(o[4], 5);
	assert_int_equal(o[15], 0);	/* never reached: the chain replaced batch 1 */
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &b1);
	hdrv_bo_destroy(t->gpu, &b2);
	hdrv_bo_destroy(t->gpu, &b3);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_registers_math_atomics(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);
	uint32_t b = engine_base[HDRV_RCS], g;
	struct hdrv_bo out;
	uint32_t *o;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	g = (uint32_t)out.gtt;
	o[10] = 1000;
	o[11] = 5;
	o[12] = 42;
	temit(ctx, 5, MI_LRI(2), GPR(b, 0), 40, GPR(b, 1), 2);
	temit(ctx, 4, MI_LRM | MI_USE_GGTT, GPR(b, 2), g + 40, 0);	/* GPR2 = 1000 */
	temit(ctx, 3, MI_LRR, GPR(b, 2), GPR(b, 3));			/* GPR3 = 1000 */
	/* GPR4 = GPR0 + GPR1 = 42; GPR5 = GPR3 - GPR0 = 960 */
	temit(ctx, 9, MI_MATH(8),
	      ALU(ALU_LOAD, ALU_SRCA, 0), ALU(ALU_LOAD, ALU_SRCB, 1), ALU(ALU_ADD, 0, 0),
	      ALU(ALU_STORE, 4, ALU_ACCU),
	      ALU(ALU_LOAD, ALU_SRCA, 3), ALU(ALU_LOAD, ALU_SRCB, 0), ALU(ALU_SUB, 0, 0),
	      ALU(ALU_STORE, 5, ALU_ACCU));
	temit(ctx, 4, MI_SRM | MI_USE_GGTT, GPR(b, 4), g, 0);
	temit(ctx, 4, MI_SRM | MI_USE_GGTT, GPR(b, 5), g + 4, 0);
	/* atomics: add 7 inline; compare-and-write 42 -> 99 */
	temit(ctx, 11, MI_ATOMIC(11) | MI_USE_GGTT | MI_ATOMIC_INLINE | MI_ATOMIC_OP(0x07),
	      g + 44, 0, 7, 0, 0, 0, 0, 0, 0, 0);
	temit(ctx, 11, MI_ATOMIC(11) | MI_USE_GGTT | MI_ATOMIC_INLINE | MI_ATOMIC_RETURN |
	      MI_ATOMIC_OP(0x0E), g + 48, 0, 42, 0, 99, 0, 0, 0, 0, 0);
	temit(ctx, 4, MI_SRM | MI_USE_GGTT, GPR(b, 0), g + 8, 0);	/* returned old value */
	temit(ctx, 3, MI_ATOMIC(3) | MI_USE_GGTT | MI_ATOMIC_OP(0x05), g + 52, 0);	/* inc */
	temit(ctx, 5, MI_COPY_MEM_MEM | (1u << 22) | (1u << 21), g + 56, 0, g + 40, 0);
	/* PIPE_CONTROL immediate + timestamp post-sync and notify */
	temit(ctx, 6, PIPE_CONTROL, PC_QW_WRITE | PC_GLOBAL_GTT | PC_NOTIFY, g + 64, 0, 0xFEED, 0);
	temit(ctx, 6, PIPE_CONTROL, PC_TIMESTAMP | PC_GLOBAL_GTT, g + 72, 0, 0, 0);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(o[0], 42);
	assert_int_equal(o[1], 960);
	assert_int_equal(o[11], 12);
	assert_int_equal(o[12], 99);
	assert_int_equal(o[2], 42);
	assert_int_equal(o[13], 1);
	assert_int_equal(o[14], 1000);
	assert_int_equal(o[16], 0xFEED);
	assert_true(o[18] != 0 || o[19] != 0);
	assert_true(atomic_load(&t->user_irqs[HDRV_RCS]) >= 1);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_cond_bb_end_and_unsupported(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);
	struct hdrv_bo bb, out;
	uint32_t *c, g;
	struct sgpu_stats before, after;

	tbo(t, &bb, 4096);
	tbo(t, &out, 4096);
	c = bb.mem.cpu;
	g = (uint32_t)out.gtt;
	((uint32_t *)out.mem.cpu)[8] = 5;
	sgpu_get_stats(t->sg, &before);
	/* 3D state the kernel emits (gen9_null_state): skipped by length */
	c[0] = 0x69040300;				/* PIPELINE_SELECT */
	c[1] = 0x78000000 | (5 - 2); c[2] = c[3] = c[4] = c[5] = 0;	/* 3DSTATE_x, 5 dw */
	c[6] = MI_STORE_DWORD_IMM | MI_USE_GGTT; c[7] = g; c[8] = 0; c[9] = 1;
	/* memory (5) <= 10: the batch ends here */
	c[10] = MI_COND_BB_END | MI_USE_GGTT; c[11] = 10; c[12] = g + 32; c[13] = 0;
	c[14] = MI_STORE_DWORD_IMM | MI_USE_GGTT; c[15] = g + 4; c[16] = 0; c[17] = 0xBAD;
	c[18] = MI_BATCH_BUFFER_END;
	temit(ctx, 3, MI_BB_START, (uint32_t)bb.gtt, 0);
	temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 8, 0, 3);
	assert_int_equal(trun(t, ctx), 0);
	sgpu_get_stats(t->sg, &after);
	assert_int_equal(((uint32_t *)out.mem.cpu)[0], 1);
	assert_int_equal(((uint32_t *)out.mem.cpu)[1], 0);
	assert_int_equal(((uint32_t *)out.mem.cpu)[2], 3);
	assert_int_equal(after.unsupported - before.unsupported, 2);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_malformed_stream_errors_out(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_BCS);
	struct sgpu_error se;

	/* client 7 does not exist */
	temit(ctx, 2, 0xE0000000u, MI_NOOP);
	tpad(ctx);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_BCS, 5000), -EIO);
	sgpu_engine_error(t->sg, SGPU_BCS, &se);
	assert_true(se.valid);
	assert_int_equal(se.header, 0xE0000000u);
	assert_non_null(strstr(se.reason, "unknown command"));
	assert_int_equal(hdrv_engine_reset(t->gpu, HDRV_BCS), 0);
	assert_int_equal(tstatus(t, ctx), HDRV_CTX_ERROR);
	hdrv_ctx_destroy(ctx);
}

static void test_unprivileged_batch_restrictions(void **state)
{
	struct tenv *t = *state;
	struct hdrv_dma mem;
	struct tppgtt pp;
	struct hdrv_ctx *ctx;
	struct hdrv_bo out;
	uint32_t *bb, b = engine_base[HDRV_VECS];
	struct sgpu_stats before, after;

	tbo(t, &out, 4096);
	assert_int_equal(hdrv_dma_alloc(t->gpu, 8192, &mem), 0);
	tppgtt_init(t, &pp, 4);
	tppgtt_map(&pp, 0x100000, mem.dma, 8192, 4096);	/* batch at 1 MiB, data page after */
	ctx = tctx_vm(t, HDRV_VECS, HDRV_VM_PPGTT_4LVL, pp.pdp);
	bb = mem.cpu;
	/* a PPGTT (user) batch: its GGTT bit is ignored, privileged registers dropped */
	bb[0] = MI_STORE_DWORD_IMM | MI_USE_GGTT; bb[1] = 0x101000; bb[2] = 0; bb[3] = 0x77;
	bb[4] = MI_LRI(2); bb[5] = b + 0xA8; bb[6] = 0; bb[7] = GPR(b, 3); bb[8] = 0x1234;
	bb[9] = MI_SRM; bb[10] = GPR(b, 3); bb[11] = 0x101004; bb[12] = 0;
	bb[13] = MI_BATCH_BUFFER_END;
	sgpu_get_stats(t->sg, &before);
	temit(ctx, 3, MI_BB_START | MI_BB_PPGTT, 0x100000, 0);
	assert_int_equal(trun(t, ctx), 0);
	sgpu_get_stats(t->sg, &after);
	assert_int_equal(((uint32_t *)mem.cpu)[1024], 0x77);
	assert_int_equal(((uint32_t *)mem.cpu)[1025], 0x1234);
	assert_int_equal(after.dropped_writes - before.dropped_writes, 1);
	/* the RING_IMR write was dropped: interrupts still work */
	assert_int_equal(hdrv_mmio_read(t->gpu, b + 0xA8), ~0x109u);
	hdrv_ctx_destroy(ctx);
	tppgtt_fini(&pp);
	hdrv_dma_free(t->gpu, &mem);
	hdrv_bo_destroy(t->gpu, &out);
}

/* a user batch on the blitter selects Y tiling through BCS_SWCTRL (gen9) */
static void test_unprivileged_bcs_swctrl(void **state)
{
	struct tenv *t = *state;
	struct hdrv_dma mem;
	struct tppgtt pp;
	struct hdrv_ctx *ctx;
	uint32_t *bb, b = engine_base[HDRV_BCS];
	struct sgpu_stats before, after;

	assert_int_equal(hdrv_dma_alloc(t->gpu, 4096, &mem), 0);
	tppgtt_init(t, &pp, 4);
	tppgtt_map(&pp, 0x100000, mem.dma, 4096, 4096);
	ctx = tctx_vm(t, HDRV_BCS, HDRV_VM_PPGTT_4LVL, pp.pdp);
	bb = mem.cpu;
	/* masked: set both Y bits; then RING_IMR, which stays privileged */
	bb[0] = MI_LRI(2); bb[1] = b + 0x200; bb[2] = (3u << 16) | 3u; bb[3] = b + 0xA8; bb[4] = 0;
	bb[5] = MI_BATCH_BUFFER_END;
	sgpu_get_stats(t->sg, &before);
	temit(ctx, 3, MI_BB_START | MI_BB_PPGTT, 0x100000, 0);
	assert_int_equal(trun(t, ctx), 0);
	sgpu_get_stats(t->sg, &after);
	assert_int_equal(hdrv_mmio_read(t->gpu, b + 0x200) & 3u, 3u);
	assert_int_equal(after.dropped_writes - before.dropped_writes, 1);
	hdrv_ctx_destroy(ctx);
	tppgtt_fini(&pp);
	hdrv_dma_free(t->gpu, &mem);
}

/*
 * What i915 (6.12, gen9) puts in a request on rcs and on an xCS ring
 * (gen8_emit_flush_rcs/xcs, gen8_emit_bb_start_noarb, gen8_emit_fini_breadcrumb_*)
 * with a render-state batch like gen9_null_state: must run unchanged.
 */
static void test_i915_request_sequence(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *rcs = tctx(t, HDRV_RCS), *vcs = tctx(t, HDRV_VCS);
	struct hdrv_bo bb, hwsp;
	uint32_t *c, n = 0, *pphwsp, g;
	uint32_t *seq;

	tbo(t, &bb, 4096);
	tbo(t, &hwsp, 4096);
	g = (uint32_t)hwsp.gtt;
	seq = hwsp.mem.cpu;
	c = bb.mem.cpu;
	c[n++] = 0x69040300;			/* PIPELINE_SELECT */
	c[n++] = 0x61010011;			/* STATE_BASE_ADDRESS, 19 dwords */
	n += 18;
	c[n++] = 0x61020001;			/* STATE_SIP */
	c[n++] = 0;
	c[n++] = 0;
	c[n++] = 0x680B0001;			/* 3DSTATE_VF_STATISTICS */
	c[n++] = 0x79170000 | 0x101;		/* 3DSTATE_SO_DECL_LIST, 9-bit length */
	n += 0x102;
	/*
	 * Opcode-0 commands with wide length fields; their payload is filled
	 * with an invalid header so that a mis-decoded length errors out.
	 */
	c[n++] = 0x78430000 | 0x101;		/* BINDING_TABLE_EDIT_VS, 9-bit */
	memset(&c[n], 0xff, 0x102 * 4);	/* length field + 2 dwords in all */
	n += 0x102;
	c[n++] = 0x78390000 | 0x181;		/* DX9_CONSTANTF_VS, 11-bit */
	memset(&c[n], 0xff, 0x182 * 4);
	n += 0x182;
	c[n++] = 0x78130000 | 4;		/* 3DSTATE_x, 6 dwords */
	n += 5;
	c[n++] = 0x7B000005;			/* 3DPRIMITIVE */
	n += 6;
	c[n++] = MI_BATCH_BUFFER_END;
	assert_true(n * 4 < 4096);

	/* rcs: invalidate flush, batch, fini breadcrumb */
	temit(rcs, 6, PIPE_CONTROL, 0, 0, 0, 0, 0);
	temit(rcs, 6, PIPE_CONTROL, (1u << 20) | (1u << 18) | PC_QW_WRITE | PC_STORE_INDEX, 0xD0, 0, 0, 0);
	temit(rcs, 4, MI_ARB_ON_OFF, MI_BB_START, (uint32_t)bb.gtt, 0);
	temit(rcs, 6, PIPE_CONTROL, (1u << 20) | (1u << 12) | (1u << 0), 0, 0, 0, 0);
	temit(rcs, 6, PIPE_CONTROL, (1u << 7) | (1u << 20) | PC_GLOBAL_GTT | PC_QW_WRITE,
	      g + 0x100, 0, 17, 0);
	temit(rcs, 4, MI_USER_INTERRUPT, MI_ARB_ON_OFF | 1, MI_ARB_CHECK, MI_NOOP);
	/* vcs: MI_FLUSH_DW flavours */
	temit(vcs, 4, MI_FLUSH_DW | MI_FLUSH_DW_STORE_INDEX | MI_FLUSH_DW_OP_STOREDW | (1u << 18) |
	      (1u << 7), 0xD0 | MI_FLUSH_DW_USE_GTT, 0, 0);
	temit(vcs, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 0x200, 0, 4);	/* init breadcrumb */
	temit(vcs, 2, MI_NOOP, MI_ARB_CHECK);
	temit(vcs, 4, MI_FLUSH_DW | MI_FLUSH_DW_OP_STOREDW, (g + 0x108) | MI_FLUSH_DW_USE_GTT, 0, 23);
	temit(vcs, 4, MI_USER_INTERRUPT, MI_ARB_ON_OFF | 1, MI_ARB_CHECK, MI_NOOP);

	assert_int_equal(trun(t, rcs), 0);
	assert_int_equal(trun(t, vcs), 0);
	assert_int_equal(seq[0x100 / 4], 17);
	assert_int_equal(seq[0x108 / 4], 23);
	assert_int_equal(seq[0x104 / 4], 0);
	assert_int_equal(seq[0x200 / 4], 4);
	pphwsp = (uint32_t *)(hdrv_ctx_regs(rcs) - 1024);
	assert_int_equal(pphwsp[0xD0 / 4], 0);	/* store-index of a zero qword */
	assert_true(atomic_load(&t->user_irqs[HDRV_RCS]) >= 1);
	assert_true(atomic_load(&t->user_irqs[HDRV_VCS]) >= 1);
	assert_int_equal(tstatus(t, rcs), HDRV_CTX_COMPLETE);
	assert_int_equal(tstatus(t, vcs), HDRV_CTX_COMPLETE);
	hdrv_ctx_destroy(rcs);
	hdrv_ctx_destroy(vcs);
	hdrv_bo_destroy(t->gpu, &bb);
	hdrv_bo_destroy(t->gpu, &hwsp);
}

static void test_atomic_ops(void **state)
{
	static const struct {
		uint32_t op;
		uint32_t mem, s1, s2, want;
	} tab[] = {
		{ 0x01, 0xF0F0, 0xFF00, 0, 0xF000 },	/* AND */
		{ 0x02, 0xF0F0, 0x0F0F, 0, 0xFFFF },	/* OR */
		{ 0x03, 0xFFFF, 0x0F0F, 0, 0xF0F0 },	/* XOR */
		{ 0x04, 1, 77, 0, 77 },			/* MOVE */
		{ 0x05, 41, 0, 0, 42 },			/* INC */
		{ 0x06, 43, 0, 0, 42 },			/* DEC */
		{ 0x07, 40, 2, 0, 42 },			/* ADD */
		{ 0x08, 50, 8, 0, 42 },			/* SUB */
		{ 0x09, 8, 50, 0, 42 },			/* RSUB */
		{ 0x0A, (uint32_t)-5, 3, 0, 3 },	/* IMAX */
		{ 0x0B, (uint32_t)-5, 3, 0, (uint32_t)-5 },	/* IMIN */
		{ 0x0C, (uint32_t)-5, 3, 0, (uint32_t)-5 },	/* UMAX */
		{ 0x0D, (uint32_t)-5, 3, 0, 3 },	/* UMIN */
		{ 0x0E, 7, 7, 9, 9 },			/* CMP_WR, equal */
		{ 0x0E, 7, 8, 9, 7 },			/* CMP_WR, different */
		{ 0x0F, 43, 0, 0, 42 },			/* PREDEC */
	};
	enum { N = sizeof(tab) / sizeof(tab[0]) };
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_VCS);
	struct hdrv_bo out;
	uint32_t *o, g;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	g = (uint32_t)out.gtt;
	for (unsigned int i = 0; i < N; i++) {
		o[i] = tab[i].mem;
		temit(ctx, 11, MI_ATOMIC(11) | MI_USE_GGTT | MI_ATOMIC_INLINE | MI_ATOMIC_OP(tab[i].op),
		      g + 4 * i, 0, tab[i].s1, 0, tab[i].s2, 0, 0, 0, 0, 0);
	}
	/* qword add: carries into the upper dword */
	o[64] = 0xFFFFFFFF;
	o[65] = 1;
	temit(ctx, 11, MI_ATOMIC(11) | MI_USE_GGTT | MI_ATOMIC_INLINE | MI_ATOMIC_OP(0x27),
	      g + 256, 0, 2, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(trun(t, ctx), 0);
	for (unsigned int i = 0; i < N; i++)
		if (o[i] != tab[i].want)
			fail_msg("atomic op 0x%x: 0x%x, want 0x%x", tab[i].op, o[i], tab[i].want);
	assert_int_equal(o[64], 1);
	assert_int_equal(o[65], 2);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_math_logic_and_semaphore_ops(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);
	uint32_t b = engine_base[HDRV_RCS], g;
	struct hdrv_bo out;
	uint32_t *o;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	g = (uint32_t)out.gtt;
	o[32] = 10;
	temit(ctx, 5, MI_LRI(2), GPR(b, 0), 0xF0F0, GPR(b, 1), 0x0FF0);
	/* R2 = R0 & R1, R3 = R0 | R1, R4 = R0 ^ R1, R5 = ~R0 (low dword) */
	temit(ctx, 13, MI_MATH(12),
	      ALU(ALU_LOAD, ALU_SRCA, 0), ALU(ALU_LOAD, ALU_SRCB, 1), ALU(0x102, 0, 0),
	      ALU(ALU_STORE, 2, ALU_ACCU), ALU(0x103, 0, 0), ALU(ALU_STORE, 3, ALU_ACCU),
	      ALU(0x104, 0, 0), ALU(ALU_STORE, 4, ALU_ACCU), ALU(0x580, 5, 0),
	      ALU(0x000, 0, 0), ALU(ALU_SUB, 0, 0), ALU(ALU_STORE, 6, 0x33));	/* CF of F0F0-0FF0 */
	for (int r = 2; r <= 6; r++)
		temit(ctx, 4, MI_SRM | MI_USE_GGTT, GPR(b, r), g + 4 * r, 0);
	/* every compare op, each satisfied by memory 10 */
	temit(ctx, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | (0u << 12), 9, g + 128, 0);
	temit(ctx, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | (1u << 12), 10, g + 128, 0);
	temit(ctx, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | (2u << 12), 11, g + 128, 0);
	temit(ctx, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | (3u << 12), 10, g + 128, 0);
	temit(ctx, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | (4u << 12), 10, g + 128, 0);
	temit(ctx, 4, MI_SEMAPHORE_WAIT | MI_SEM_GGTT | MI_SEM_POLL | (5u << 12), 3, g + 128, 0);
	temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, g + 4, 0, 0x5E);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(o[2], 0x00F0);
	assert_int_equal(o[3], 0xFFF0);
	assert_int_equal(o[4], 0xFF00);
	assert_int_equal(o[5], ~0xF0F0u);
	assert_int_equal(o[6], 0);	/* no borrow */
	assert_int_equal(o[1], 0x5E);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_ring_wraparound(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx_params p = { .ring_size = 4096 };
	struct hdrv_ctx *ctx;
	struct hdrv_bo out;
	uint32_t *o;

	tbo(t, &out, 4096);
	o = out.mem.cpu;
	assert_int_equal(hdrv_ctx_create(t->gpu, HDRV_BCS, &p, &ctx), 0);
	/* run 4088 bytes of no-ops so the next command straddles the ring end */
	for (int i = 0; i < 1021; i++)
		temit(ctx, 1, MI_NOOP);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(hdrv_ctx_tail(ctx), 4088);
	assert_int_equal(hdrv_ctx_head(ctx), 4088);
	for (int round = 0; round < 3; round++) {
		temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 4 * round, 0,
		      0x100 + round);
		temit(ctx, 6, MI_NOOP, MI_NOOP, MI_NOOP, MI_NOOP, MI_NOOP, MI_NOOP);
		assert_int_equal(trun(t, ctx), 0);
	}
	assert_int_equal(o[0], 0x100);
	assert_int_equal(o[1], 0x101);
	assert_int_equal(o[2], 0x102);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &out);
}

/* ---- RCS indirect-context batch (INDIRECT_CTX of the image) ---- */

#define L3SQCREG4	0xB118	/* a register i915's WA batch loads */

/* fill @bo's first @bytes with @n dwords then MI_NOOP */
static void wa_fill(struct hdrv_bo *bo, uint32_t bytes, unsigned int n, const uint32_t *dw)
{
	uint32_t *p = bo->mem.cpu;

	for (unsigned int i = 0; i < bytes / 4; i++)
		p[i] = i < n ? dw[i] : MI_NOOP;
}

static void test_indirect_ctx_runs_before_ring_on_every_restore(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);
	struct hdrv_bo wa, out;
	struct sgpu_stats s0, s1;
	uint32_t *o;

	tbo(t, &wa, 4096);
	tbo(t, &out, 4096);
	o = out.mem.cpu;
	{
		const uint32_t cmds[] = {
			MI_ARB_ON_OFF,	/* arbitration off, as i915's batch starts */
			MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 8, 0, 0xAAAA,
			MI_LRI(1), L3SQCREG4, 0x5A5A0001,
			MI_ATOMIC(3) | MI_ATOMIC_OP(0x05) | MI_USE_GGTT, (uint32_t)out.gtt + 12, 0,
			MI_ARB_ON_OFF | 1,
		};

		wa_fill(&wa, 128, sizeof(cmds) / 4, cmds);
	}
	assert_int_equal(hdrv_ctx_set_indirect(ctx, wa.gtt, 128, 0x26 << 6), 0);
	assert_int_equal(hdrv_ctx_regs(ctx)[0x1B], (uint32_t)wa.gtt | 2);
	sgpu_get_stats(t->sg, &s0);
	/* the ring sees what the batch did: it ran first */
	temit(ctx, 4, MI_SRM | MI_USE_GGTT, L3SQCREG4, (uint32_t)out.gtt, 0);
	temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt + 8, 0, 0xBBBB);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(o[0], 0x5A5A0001);
	assert_int_equal(o[2], 0xBBBB);		/* the ring's store came second */
	assert_int_equal(o[3], 1);
	assert_int_equal(hdrv_mmio_read(t->gpu, L3SQCREG4), 0x5A5A0001);
	/* a second restore runs it again */
	temit(ctx, 1, MI_NOOP);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(o[3], 2);
	assert_int_equal(o[2], 0xAAAA);
	sgpu_get_stats(t->sg, &s1);
	assert_int_equal(s1.indirect_ctx_runs - s0.indirect_ctx_runs, 2);
	assert_int_equal(s1.errors, s0.errors);
	/* cleared: nothing runs on the next restore */
	assert_int_equal(hdrv_ctx_set_indirect(ctx, 0, 0, 0), 0);
	assert_int_equal(hdrv_ctx_regs(ctx)[0x1B], 0);
	temit(ctx, 1, MI_NOOP);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(o[3], 2);
	sgpu_get_stats(t->sg, &s0);
	assert_int_equal(s0.indirect_ctx_runs, s1.indirect_ctx_runs);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &wa);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_indirect_ctx_set_rejects_bad_values(void **state)
{
	struct tenv *t = *state;
	struct hdrv_ctx *rcs = tctx(t, HDRV_RCS), *vcs = tctx(t, HDRV_VCS);

	assert_int_equal(hdrv_ctx_set_indirect(vcs, 0x10000, 64, 0), -EINVAL);
	assert_int_equal(hdrv_ctx_set_indirect(vcs, 0, 0, 0), 0);
	assert_int_equal(hdrv_ctx_set_indirect(rcs, 0x10020, 64, 0), -EINVAL);
	assert_int_equal(hdrv_ctx_set_indirect(rcs, 0x10000, 96, 0), -EINVAL);
	assert_int_equal(hdrv_ctx_set_indirect(rcs, 0x10000, 64 * 64, 0), -EINVAL);
	assert_int_equal(hdrv_ctx_set_indirect(rcs, 0x10000, 63 * 64, 0), 0);
	assert_int_equal(hdrv_ctx_regs(rcs)[0x1B], 0x10000u | 63);
	hdrv_ctx_destroy(rcs);
	hdrv_ctx_destroy(vcs);
}

/* one bad indirect-context batch: an engine error like a bad batch, then reset */
static void wa_expect_error(struct tenv *t, uint64_t gtt, uint32_t bytes, const char *why)
{
	struct hdrv_ctx *ctx = tctx(t, HDRV_RCS);
	struct sgpu_error se;
	struct hdrv_bo out;

	tbo(t, &out, 4096);
	assert_int_equal(hdrv_ctx_set_indirect(ctx, gtt, bytes, 0), 0);
	temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt, 0, 0x1234);
	tpad(ctx);
	assert_int_equal(hdrv_engine_submit(t->gpu, ctx, NULL), 0);
	assert_int_equal(hdrv_engine_wait_idle(t->gpu, HDRV_RCS, 5000), -EIO);
	sgpu_engine_error(t->sg, SGPU_RCS, &se);
	assert_true(se.valid);
	assert_non_null(strstr(se.reason, why));
	/* the ring never ran */
	assert_int_equal(*(uint32_t *)out.mem.cpu, 0);
	assert_int_equal(hdrv_engine_reset(t->gpu, HDRV_RCS), 0);
	assert_int_equal(tstatus(t, ctx), HDRV_CTX_ERROR);
	hdrv_ctx_destroy(ctx);
	/* the engine works again, without the batch */
	ctx = tctx(t, HDRV_RCS);
	temit(ctx, 4, MI_STORE_DWORD_IMM | MI_USE_GGTT, (uint32_t)out.gtt, 0, 0x5678);
	assert_int_equal(trun(t, ctx), 0);
	assert_int_equal(*(uint32_t *)out.mem.cpu, 0x5678);
	hdrv_ctx_destroy(ctx);
	hdrv_bo_destroy(t->gpu, &out);
}

static void test_indirect_ctx_errors(void **state)
{
	struct tenv *t = *state;
	struct hdrv_bo wa;
	uint32_t *p;

	tbo(t, &wa, 4096);
	p = wa.mem.cpu;
	/* an SDI whose last dword would be past the end of one line */
	wa_fill(&wa, 64, 0, NULL);
	p[14] = MI_STORE_DWORD_IMM | MI_USE_GGTT;
	wa_expect_error(t, wa.gtt, 64, "crosses the end of the indirect context batch");
	/* batch control inside it */
	wa_fill(&wa, 64, 0, NULL);
	p[0] = MI_BB_START;
	p[1] = (uint32_t)wa.gtt + 1024;
	wa_expect_error(t, wa.gtt, 64, "batch control in the indirect context batch");
	wa_fill(&wa, 64, 0, NULL);
	p[3] = MI_BATCH_BUFFER_END;
	wa_expect_error(t, wa.gtt, 64, "batch control in the indirect context batch");
	/* nothing mapped there (PTE not present): a fetch fault */
	assert_int_equal(hdrv_ggtt_write_pte(t->gpu, 0xF0000000u >> 12, 0), 0);
	wa_expect_error(t, 0xF0000000ull, 128, "indirect context batch fetch fault");
	hdrv_bo_destroy(t->gpu, &wa);
}

#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, tenv_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store_dword_ggtt_all_engines, tenv_setup_poll),
		T(test_store_dword_ggtt_all_engines, tenv_setup_irq),
		T(test_store_qword_and_index, tenv_setup_poll),
		T(test_i915_request_sequence, tenv_setup_irq),
		T(test_store_dword_ppgtt_4lvl_4k, tenv_setup_poll),
		T(test_store_dword_ppgtt_3lvl_4k, tenv_setup_poll),
		T(test_store_dword_ppgtt_4lvl_64k, tenv_setup_poll),
		T(test_store_dword_ppgtt_3lvl_2m, tenv_setup_irq),
		T(test_ppgtt_fault_errors_context, tenv_setup_irq),
		T(test_batch_chain_and_second_level, tenv_setup_poll),
		T(test_registers_math_atomics, tenv_setup_poll),
		T(test_atomic_ops, tenv_setup_poll),
		T(test_math_logic_and_semaphore_ops, tenv_setup_poll),
		T(test_ring_wraparound, tenv_setup_irq),
		T(test_cond_bb_end_and_unsupported, tenv_setup_poll),
		T(test_malformed_stream_errors_out, tenv_setup_irq),
		T(test_unprivileged_batch_restrictions, tenv_setup_poll),
		T(test_unprivileged_bcs_swctrl, tenv_setup_poll),
		T(test_indirect_ctx_runs_before_ring_on_every_restore, tenv_setup_poll),
		T(test_indirect_ctx_runs_before_ring_on_every_restore, tenv_setup_irq),
		T(test_indirect_ctx_set_rejects_bad_values, tenv_setup_poll),
		T(test_indirect_ctx_errors, tenv_setup_irq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
