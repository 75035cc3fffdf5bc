// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command scanner against hand-assembled rings and batches: length
 * rules, what i915 6.12 emits on gen9, every violation class, batch
 * chaining and nesting, loops, and address audit at the range edges.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gvt_cmd.h"

/* fake graphics memory: GGTT [0, 4 MiB), PPGTT [PPGTT_BASE, +1 MiB) */
#define GGTT_SIZE	(4u << 20)
#define PPGTT_BASE	0x7f0000000000ull
#define PPGTT_SIZE	(1u << 20)
/* the vGPU's two ranges */
#define APER_BASE	0x100000ull
#define APER_SIZE	0x100000ull
#define HIDDEN_BASE	0x300000ull
#define HIDDEN_SIZE	0x100000ull

#define OUT_LO		((uint32_t)(APER_BASE - 4))
#define OUT_HI		((uint32_t)(HIDDEN_BASE + HIDDEN_SIZE))

#define RING		0x110000ull	/* ring in the aperture range */
#define RING_SIZE	0x1000u
#define HWSP		0x120000ull
#define BB_GGTT		0x130000ull
#define BB_GGTT2	0x131000ull
#define BB_GGTT3	0x132000ull
#define BB_USER		(PPGTT_BASE + 0x2000)

static uint8_t ggtt_mem[GGTT_SIZE];
static uint8_t ppgtt_mem[PPGTT_SIZE];
static unsigned int bad_reads, reads;

static int fake_read(void *priv, uint64_t gma, bool ppgtt, void *buf, size_t len)
{
	(void)priv;
	reads++;
	/* the scanner's contract: <= 256 bytes, never across a page */
	if (len > 256 || (gma & 0xfff) + len > 0x1000)
		bad_reads++;
	if (ppgtt) {
		if (gma < PPGTT_BASE || gma - PPGTT_BASE >= PPGTT_SIZE ||
		    len > PPGTT_SIZE - (gma - PPGTT_BASE))
			return -EFAULT;
		memcpy(buf, ppgtt_mem + (gma - PPGTT_BASE), len);
		return 0;
	}
	if (gma >= GGTT_SIZE || len > GGTT_SIZE - gma)
		return -EFAULT;
	memcpy(buf, ggtt_mem + gma, len);
	return 0;
}

static struct gvt_cmd_scanner scanner;
static struct gvt_cmd_result res;
static struct gvt_cmd_params params;

/* a cursor that writes dwords into fake memory (the ring wraps) */
struct emit {
	bool ppgtt, ring;
	uint64_t at;	/* graphics address, or ring offset */
};

static void put(struct emit *e, uint32_t v)
{
	uint8_t *p;

	if (e->ring) {
		p = ggtt_mem + RING + e->at;
		e->at = (e->at + 4) % RING_SIZE;
	} else if (e->ppgtt) {
		p = ppgtt_mem + (e->at - PPGTT_BASE);
		e->at += 4;
	} else {
		p = ggtt_mem + e->at;
		e->at += 4;
	}
	memcpy(p, &v, 4);
}

static void putv(struct emit *e, int n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n--)
		put(e, va_arg(ap, uint32_t));
	va_end(ap);
}

static struct emit at_ring(uint32_t off)
{
	return (struct emit){ .ring = true, .at = off };
}

static struct emit at_ggtt(uint64_t gma)
{
	return (struct emit){ .at = gma };
}

static struct emit at_ppgtt(uint64_t gma)
{
	return (struct emit){ .ppgtt = true, .at = gma };
}

static int setup(void **state)
{
	(void)state;
	memset(ggtt_mem, 0, sizeof(ggtt_mem));
	memset(ppgtt_mem, 0, sizeof(ppgtt_mem));
	memset(&params, 0, sizeof(params));
	params.engine = GVT_CMD_RCS;
	params.read = fake_read;
	params.gm[0].base = APER_BASE;
	params.gm[0].size = APER_SIZE;
	params.gm[1].base = HIDDEN_BASE;
	params.gm[1].size = HIDDEN_SIZE;
	params.privileged = true;
	bad_reads = reads = 0;
	return 0;
}

static int scan_ring(uint32_t head, uint32_t tail)
{
	return gvt_cmd_scan_ring(&scanner, &params, RING, RING_SIZE, head, tail, &res);
}

static int scan_bb(uint64_t gma, bool ppgtt)
{
	return gvt_cmd_scan_batch(&scanner, &params, gma, ppgtt, &res);
}

static void assert_clean(int ret)
{
	if (ret) {
		char buf[256];

		gvt_cmd_describe(&res, params.engine, buf, sizeof(buf));
		print_error("unexpected violation: %s\n", buf);
	}
	assert_int_equal(ret, 0);
	assert_int_equal(res.violation, GVT_CMD_OK);
	assert_int_equal(bad_reads, 0);
}

static void assert_violation(int ret, enum gvt_cmd_violation v)
{
	assert_int_equal(ret, -EACCES);
	assert_int_equal(res.violation, v);
	assert_non_null(res.why);
	assert_int_equal(bad_reads, 0);
}

/* ---- commands ------------------------------------------------------------ */

#define MI_NOOP			0x00000000u
#define MI_USER_INTERRUPT	0x01000000u
#define MI_ARB_CHECK		0x02800000u
#define MI_ARB_ON_OFF		0x04000000u
#define MI_BB_END		0x05000000u
#define MI_SDI_GGTT		0x10400002u
#define MI_SDI			0x10000002u
#define MI_LRI(n)		(0x11000000u | (2 * (n) - 1))
#define MI_SRM			0x12000002u
#define MI_FLUSH_DW		0x13000002u
#define MI_LRM			0x14800002u
#define MI_LRR			0x15000001u
#define MI_BB_START		0x18800001u
#define MI_GGTT			(1u << 22)
#define PIPE_CONTROL		0x7a000004u

#define PC_CS_STALL		(1u << 20)
#define PC_TLB_INV		(1u << 18)
#define PC_QW_WRITE		(1u << 14)
#define PC_STORE_INDEX		(1u << 21)
#define PC_GLOBAL_GTT		(1u << 24)
#define PC_MMIO_WRITE		(1u << 23)

static void test_lengths(void **state)
{
	static const struct {
		enum gvt_cmd_engine e;
		uint32_t hdr, len;
	} t[] = {
		{ GVT_CMD_RCS, MI_NOOP, 1 },
		{ GVT_CMD_RCS, MI_ARB_ON_OFF | 1, 1 },
		{ GVT_CMD_RCS, MI_LRI(3), 7 },
		{ GVT_CMD_RCS, MI_SDI_GGTT, 4 },
		{ GVT_CMD_RCS, 0x10200003, 5 },		/* SDI qword */
		{ GVT_CMD_BCS, MI_FLUSH_DW | 0xc0, 4 },	/* bits 7:6 are flags */
		{ GVT_CMD_RCS, MI_BB_START | 0x100, 3 },
		{ GVT_CMD_RCS, 0x11800000u | 0x3fe, 0x400 },	/* MI_UPDATE_GTT: 10-bit length */
		{ GVT_CMD_RCS, 0x09000000u | 0x12, 2 },	/* MI_LOAD_SCAN_LINES_INCL */
		{ GVT_CMD_RCS, PIPE_CONTROL, 6 },
		{ GVT_CMD_RCS, 0x69040300, 1 },		/* PIPELINE_SELECT */
		{ GVT_CMD_RCS, 0x680b0001, 1 },		/* 3DSTATE_VF_STATISTICS */
		{ GVT_CMD_RCS, 0x61010011, 19 },	/* STATE_BASE_ADDRESS */
		{ GVT_CMD_RCS, 0x61020001, 3 },		/* STATE_SIP */
		{ GVT_CMD_RCS, 0x79170105, 0x107 },	/* 3DSTATE_SO_DECL_LIST: 9 bits */
		{ GVT_CMD_RCS, 0x78390345, 0x347 },	/* 3DSTATE_DX9_CONSTANTF_VS: 11 bits */
		{ GVT_CMD_RCS, 0x78430105, 0x107 },	/* 3DSTATE_BINDING_TABLE_EDIT_VS: 9 bits */
		{ GVT_CMD_RCS, 0x79430105, 0x7 },	/* opcode 1: 8 bits */
		{ GVT_CMD_RCS, 0x7b000005, 7 },		/* 3DPRIMITIVE */
		{ GVT_CMD_RCS, 0x7100ffff, 0x10001 },	/* MEDIA_OBJECT: 16 bits */
		{ GVT_CMD_BCS, 0x54f00008, 10 },	/* XY_SRC_COPY_BLT */
		{ GVT_CMD_BCS, 0x50800008, 10 },	/* XY_FAST_COPY_BLT */
		{ GVT_CMD_RCS, 0x54f00008, 0 },		/* no blitter on RCS */
		{ GVT_CMD_BCS, PIPE_CONTROL, 0 },	/* no 3D on BCS */
		{ GVT_CMD_VCS, 0x70000004, 6 },		/* MFX_PIPE_MODE_SELECT: 12 bits */
		{ GVT_CMD_VCS, 0x68000100, 1 },		/* MFX_WAIT */
		{ GVT_CMD_VECS, 0x74020fff, 0x1001 },	/* VEBOX_STATE */
		{ GVT_CMD_RCS, 0x20000000, 0 },		/* client 1 */
		{ GVT_CMD_RCS, 0xe0000000, 0 },		/* client 7 */
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (gvt_cmd_length(t[i].e, t[i].hdr) != t[i].len)
			print_error("entry %u: 0x%08x\n", i, t[i].hdr);
		assert_int_equal(gvt_cmd_length(t[i].e, t[i].hdr), t[i].len);
	}
	assert_int_equal(gvt_cmd_length((enum gvt_cmd_engine)9, MI_NOOP), 0);
}

/* every command class decodes to its length in a stream */
static void test_stream_lengths(void **state)
{
	struct emit e = at_ggtt(BB_GGTT);
	unsigned int i;

	(void)state;
	putv(&e, 1, 0x69040300);			/* PIPELINE_SELECT */
	put(&e, 0x61010011);				/* STATE_BASE_ADDRESS */
	for (i = 0; i < 18; i++)
		put(&e, 0x05000000);			/* body that looks like BB_END */
	put(&e, 0x79170105);				/* SO_DECL_LIST, 263 dwords */
	for (i = 0; i < 262; i++)
		put(&e, 0x11800000);			/* body that looks like UPDATE_GTT */
	put(&e, 0x7100002e);				/* MEDIA_OBJECT, 48 dwords */
	for (i = 0; i < 47; i++)
		put(&e, 0x18800000);
	putv(&e, 7, 0x7b000005, 0, 0, 0, 0, 0, 0);	/* 3DPRIMITIVE */
	putv(&e, 9, 0x70000007, 0, 0, 0x00100100, 0, 0, 0, 0, 0);	/* MEDIA_VFE_STATE */
	putv(&e, 3, 0x78430001, 0, 0);			/* BINDING_TABLE_EDIT_VS */
	putv(&e, 1, MI_BB_END);
	assert_clean(scan_bb(BB_GGTT, false));
	assert_int_equal(res.cmds, 8);
	assert_int_equal(res.bytes, 4 * (1 + 19 + 263 + 48 + 7 + 9 + 3 + 1));
	assert_int_equal(res.nbb, 1);
	assert_int_equal(res.bb[0].len, res.bytes);

	/* VCS: MFX with a 12-bit length; reserved bits 15:12 make it ambiguous */
	params.engine = GVT_CMD_VCS;
	e = at_ggtt(BB_GGTT2);
	putv(&e, 6, 0x70000004, 0, 0, 0, 0, 0);
	putv(&e, 2, 0x68000000, MI_BB_END);
	assert_clean(scan_bb(BB_GGTT2, false));
	assert_int_equal(res.cmds, 3);
	e = at_ggtt(BB_GGTT2);
	put(&e, 0x70001004);
	assert_violation(scan_bb(BB_GGTT2, false), GVT_CMD_E_FIELD);
}

/* ---- what i915 6.12 emits --------------------------------------------------- */

static uint32_t emit_rcs_request(uint32_t head, uint64_t batch, bool ppgtt, uint32_t seqno)
{
	struct emit e = at_ring(head);

	/* emit_flush(EMIT_INVALIDATE): NULL PIPE_CONTROL then the invalidate */
	putv(&e, 6, PIPE_CONTROL, 0, 0, 0, 0, 0);
	putv(&e, 6, PIPE_CONTROL, PC_CS_STALL | PC_TLB_INV | (1u << 11) | (1u << 10) | (1u << 4) |
				  (1u << 3) | (1u << 2) | PC_QW_WRITE | PC_STORE_INDEX,
	     0xd0, 0, 0, 0);
	/* init breadcrumb */
	putv(&e, 4, MI_SDI_GGTT, (uint32_t)HWSP + 0x100, 0, seqno - 1);
	putv(&e, 2, MI_NOOP, MI_ARB_CHECK);
	/* bb start, no arbitration */
	putv(&e, 1, MI_ARB_ON_OFF);
	putv(&e, 3, MI_BB_START | (ppgtt ? 0x100 : 0), (uint32_t)batch, (uint32_t)(batch >> 32));
	/* fini breadcrumb */
	putv(&e, 6, PIPE_CONTROL, PC_CS_STALL | PC_TLB_INV | (1u << 12) | 1u | (1u << 5), 0, 0, 0, 0);
	putv(&e, 6, PIPE_CONTROL, (1u << 7) | PC_CS_STALL | PC_GLOBAL_GTT | PC_QW_WRITE,
	     (uint32_t)HWSP + 0x100, 0, seqno, 0);
	putv(&e, 4, MI_USER_INTERRUPT, MI_ARB_ON_OFF | 1, MI_ARB_CHECK, MI_NOOP);
	return (uint32_t)e.at;
}

#define RCS_REQUEST_CMDS	13

static void test_i915_rcs_request(void **state)
{
	struct emit b = at_ppgtt(BB_USER);
	uint32_t tail;

	(void)state;
	/* gem_exec_store's user batch */
	putv(&b, 4, MI_SDI, (uint32_t)(BB_USER + 0x800), (uint32_t)(BB_USER >> 32), 0xc0ffee);
	put(&b, MI_BB_END);

	tail = emit_rcs_request(0, BB_USER, true, 2);
	assert_clean(scan_ring(0, tail));
	assert_int_equal(res.cmds, RCS_REQUEST_CMDS + 2);
	assert_int_equal(res.batches, 1);
	assert_int_equal(res.nbb, 0);	/* PPGTT batches need no shadow */
	assert_int_equal(res.npdp, 0);

	/* the same request wrapping around the ring end */
	tail = emit_rcs_request(RING_SIZE - 0x40, BB_USER, true, 3);
	assert_true(tail < RING_SIZE - 0x40);
	assert_clean(scan_ring(RING_SIZE - 0x40, tail));
	assert_int_equal(res.cmds, RCS_REQUEST_CMDS + 2);

	/* two requests for the same batch in one range: scanned once */
	tail = emit_rcs_request(0, BB_USER, true, 4);
	tail = emit_rcs_request(tail, BB_USER, true, 5);
	assert_clean(scan_ring(0, tail));
	assert_int_equal(res.cmds, 2 * RCS_REQUEST_CMDS + 2);
	assert_int_equal(res.batches, 1);
	assert_int_equal(res.loops, 1);

	/* the context workarounds of skl/kbl as one LRI, bracketed by flushes */
	{
		static const uint32_t wa[] = { 0xe4f0, 0xe194, 0x7004, 0xe188, 0x7300,
					       0xe184, 0xe180, 0x2580, 0x7014, 0xe100,
					       0x7008 };
		struct emit e = at_ring(0x200);
		unsigned int i;

		putv(&e, 6, PIPE_CONTROL, PC_CS_STALL, 0, 0, 0, 0);
		put(&e, MI_LRI(sizeof(wa) / 4));
		for (i = 0; i < sizeof(wa) / 4; i++)
			putv(&e, 2, wa[i], 0x00010001u << i % 8);
		put(&e, MI_NOOP);
		putv(&e, 6, PIPE_CONTROL, PC_CS_STALL, 0, 0, 0, 0);
		assert_clean(scan_ring(0x200, (uint32_t)e.at));
		assert_int_equal(res.cmds, 4);
	}
}

static void test_i915_bcs_request(void **state)
{
	struct emit e = at_ring(0x100), b = at_ggtt(BB_GGTT);
	uint32_t i;

	(void)state;
	params.engine = GVT_CMD_BCS;
	/* i915's shadow of a gem_blits batch runs as a privileged GGTT batch */
	putv(&b, 10, 0x54f00008, 0x03cc0000 | 4096, 0, (64u << 16) | 64,
	     0x200000, 0x7f00, 0, 4096, 0x300000, 0x7f00);	/* XY_SRC_COPY_BLT */
	putv(&b, 10, 0x50800008, 0x03000000 | 4096, 0, (64u << 16) | 64,
	     0x200000, 0x7f00, 0, 4096, 0x300000, 0x7f00);	/* XY_FAST_COPY_BLT */
	putv(&b, 3, MI_LRI(1), 0x22200, 0x00030003);		/* BCS_SWCTRL */
	put(&b, MI_BB_END);

	/* gen8_emit_flush_xcs(EMIT_INVALIDATE) */
	putv(&e, 4, MI_FLUSH_DW | (1u << 21) | (1u << 14) | (1u << 18), 0xd0, 0, 0);
	putv(&e, 1, MI_ARB_ON_OFF);
	putv(&e, 3, MI_BB_START, (uint32_t)BB_GGTT, 0);
	/* fini breadcrumb */
	putv(&e, 4, MI_FLUSH_DW | (1u << 14), (uint32_t)HWSP + 0x100 + 4, 0, 7);
	putv(&e, 4, MI_USER_INTERRUPT, MI_ARB_ON_OFF | 1, MI_ARB_CHECK, MI_NOOP);
	assert_clean(scan_ring(0x100, (uint32_t)e.at));
	assert_int_equal(res.cmds, 8 + 4);
	assert_int_equal(res.nbb, 1);
	assert_int_equal(res.bb[0].gma, BB_GGTT);
	assert_int_equal(res.bb[0].len, 4 * 24);
	assert_int_equal(res.bb[0].level, 1);

	/* blitter surfaces are PPGTT addresses: far away is fine unless blt_ggtt */
	params.blt_ggtt = true;
	assert_violation(scan_ring(0x100, (uint32_t)e.at), GVT_CMD_E_ADDRESS);
	assert_true(res.addr == BB_GGTT);
	assert_string_equal(res.cmd, "XY_SRC_COPY_BLT");

	/* GGTT blits: destination fits exactly (64 rows -> 64 rounded, x2*16+16) */
	b = at_ggtt(BB_GGTT);
	putv(&b, 10, 0x54f00008, 0x03cc0000 | 256, 0, (32u << 16) | 15,
	     (uint32_t)HIDDEN_BASE, 0, 0, 256, (uint32_t)HIDDEN_BASE, 0);
	put(&b, MI_BB_END);
	assert_clean(scan_ring(0x100, (uint32_t)e.at));
	/* extent = 256 * 32 + 15 * 16 + 16 = 8448 bytes: move it to end at the range end */
	b = at_ggtt(BB_GGTT);
	i = (uint32_t)(HIDDEN_BASE + HIDDEN_SIZE - 8448);
	putv(&b, 10, 0x54f00008, 0x03cc0000 | 256, 0, (32u << 16) | 15, i, 0, 0, 256,
	     (uint32_t)HIDDEN_BASE, 0);
	assert_clean(scan_ring(0x100, (uint32_t)e.at));
	b = at_ggtt(BB_GGTT);
	putv(&b, 10, 0x54f00008, 0x03cc0000 | 256, 0, (32u << 16) | 15, i + 4, 0, 0, 256,
	     (uint32_t)HIDDEN_BASE, 0);
	assert_violation(scan_ring(0x100, (uint32_t)e.at), GVT_CMD_E_ADDRESS);
	assert_int_equal(res.arg, i + 4);
	/* a pattern blit has no audited extent */
	b = at_ggtt(BB_GGTT);
	put(&b, 0x54400007);	/* XY_PAT_BLT */
	assert_violation(scan_ring(0x100, (uint32_t)e.at), GVT_CMD_E_FIELD);
}

/* the xCS request (gen8_emit_flush_xcs, init/fini breadcrumbs) on every xCS engine */
static void test_i915_xcs_requests(void **state)
{
	static const enum gvt_cmd_engine engines[] = { GVT_CMD_BCS, GVT_CMD_VCS, GVT_CMD_VECS };
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct emit e = at_ring(0x300), u = at_ppgtt(BB_USER);
		uint32_t inv_bsd = engines[i] == GVT_CMD_VCS ? 1u << 7 : 0;

		setup(NULL);
		params.engine = engines[i];
		put(&u, MI_BB_END);	/* gem_exec_nop's batch */
		putv(&e, 4, MI_FLUSH_DW | (1u << 21) | (1u << 14) | (1u << 18) | inv_bsd, 0xd0, 0, 0);
		putv(&e, 4, MI_SDI_GGTT, (uint32_t)HWSP + 0x180, 0, 41);
		putv(&e, 2, MI_NOOP, MI_ARB_CHECK);
		putv(&e, 1, MI_ARB_ON_OFF);
		putv(&e, 3, MI_BB_START | 0x100, (uint32_t)BB_USER, (uint32_t)(BB_USER >> 32));
		putv(&e, 4, MI_FLUSH_DW | (1u << 14), (uint32_t)(HWSP + 0x180) | 4, 0, 42);
		putv(&e, 4, MI_USER_INTERRUPT, MI_ARB_ON_OFF | 1, MI_ARB_CHECK, MI_NOOP);
		assert_clean(scan_ring(0x300, (uint32_t)e.at));
		assert_int_equal(res.cmds, 11 + 1);
		assert_int_equal(res.batches, 1);
		/* the same breadcrumb one dword past the vGPU */
		e = at_ring(0x300 + 4 * 14);
		putv(&e, 4, MI_FLUSH_DW | (1u << 14), OUT_HI | 4, 0, 42);
		assert_violation(scan_ring(0x300, 0x300 + 4 * 22), GVT_CMD_E_ADDRESS);
		assert_int_equal(res.addr, 0x300 + 4 * 14);
	}
}

/* ---- violations ------------------------------------------------------------- */

struct bad_case {
	const char *what;
	enum gvt_cmd_engine engine;
	uint32_t dw[8];
	unsigned int n;
	enum gvt_cmd_violation v;
	uint64_t arg;
};


static const struct bad_case bad_cases[] = {
	{ "LRI ring mode", GVT_CMD_RCS, { MI_LRI(1), 0x229c, 0xffff0008 }, 3,
	  GVT_CMD_E_REGISTER, 0x229c },
	{ "LRI second pair bad", GVT_CMD_RCS, { MI_LRI(2), 0x2600, 1, 0x100000, 0 }, 5,
	  GVT_CMD_E_REGISTER, 0x100000 },
	{ "LRI GPR of another engine", GVT_CMD_BCS, { MI_LRI(1), 0x2600, 1 }, 3,
	  GVT_CMD_E_REGISTER, 0x2600 },
	{ "LRI even length", GVT_CMD_RCS, { 0x11000002, 0x2600, 1, 0 }, 4, GVT_CMD_E_LENGTH, 4 },
	{ "LRM to PDP", GVT_CMD_RCS, { MI_LRM, 0x2270, (uint32_t)HWSP, 0 }, 4,
	  GVT_CMD_E_REGISTER, 0x2270 },
	{ "LRM to ELSP", GVT_CMD_VCS, { MI_LRM, 0x12230, (uint32_t)HWSP, 0 }, 4,
	  GVT_CMD_E_REGISTER, 0x12230 },
	{ "SRM of PDP", GVT_CMD_RCS, { MI_SRM, 0x2274, (uint32_t)HWSP, 0 }, 4,
	  GVT_CMD_E_REGISTER, 0x2274 },
	{ "SRM of a fence", GVT_CMD_RCS, { MI_SRM, 0x100000, (uint32_t)HWSP, 0 }, 4,
	  GVT_CMD_E_REGISTER, 0x100000 },
	{ "LRR into RING_START", GVT_CMD_RCS, { MI_LRR, 0x2600, 0x2038 }, 3,
	  GVT_CMD_E_REGISTER, 0x2038 },
	{ "LRR from PDP", GVT_CMD_RCS, { MI_LRR, 0x2270, 0x2600 }, 3, GVT_CMD_E_REGISTER, 0x2270 },
	{ "PIPE_CONTROL MMIO write", GVT_CMD_RCS,
	  { PIPE_CONTROL, PC_MMIO_WRITE | (1u << 14), 0x44200, 0, 0, 0 }, 6,
	  GVT_CMD_E_REGISTER, 0x44200 },
	{ "SDI GGTT below", GVT_CMD_RCS, { MI_SDI_GGTT, OUT_LO, 0, 1 }, 4, GVT_CMD_E_ADDRESS,
	  OUT_LO },
	{ "SDI GGTT above", GVT_CMD_RCS, { MI_SDI_GGTT, OUT_HI, 0, 1 }, 4, GVT_CMD_E_ADDRESS,
	  OUT_HI },
	{ "SDI GGTT high dword", GVT_CMD_RCS, { MI_SDI_GGTT, (uint32_t)HWSP, 1, 1 }, 4,
	  GVT_CMD_E_ADDRESS, (1ull << 32) | HWSP },
	{ "SDI GGTT qword across the end", GVT_CMD_RCS,
	  { MI_SDI_GGTT | 1 | (1u << 21), OUT_HI - 4, 0, 1, 2 }, 5, GVT_CMD_E_ADDRESS, OUT_HI - 4 },
	{ "SDI qword bit with a dword length", GVT_CMD_RCS,
	  { MI_SDI_GGTT | (1u << 21), OUT_HI - 4, 0, 1 }, 4, GVT_CMD_E_ADDRESS, OUT_HI - 4 },
	{ "SDI between the ranges", GVT_CMD_RCS,
	  { MI_SDI_GGTT, (uint32_t)(APER_BASE + APER_SIZE), 0, 1 }, 4, GVT_CMD_E_ADDRESS,
	  APER_BASE + APER_SIZE },
	{ "SRM GGTT", GVT_CMD_RCS, { MI_SRM | MI_GGTT, 0x2600, OUT_HI, 0 }, 4, GVT_CMD_E_ADDRESS,
	  OUT_HI },
	{ "LRM GGTT", GVT_CMD_RCS, { MI_LRM | MI_GGTT, 0x2600, OUT_LO, 0 }, 4, GVT_CMD_E_ADDRESS,
	  OUT_LO },
	{ "FLUSH_DW GGTT", GVT_CMD_VCS, { MI_FLUSH_DW | (1u << 14), OUT_HI | 4, 0, 1 }, 4,
	  GVT_CMD_E_ADDRESS, OUT_HI },
	{ "PIPE_CONTROL GGTT", GVT_CMD_RCS,
	  { PIPE_CONTROL, PC_GLOBAL_GTT | PC_QW_WRITE, OUT_HI - 4, 0, 0, 0 }, 6,
	  GVT_CMD_E_ADDRESS, OUT_HI - 4 },
	{ "SEMAPHORE_WAIT GGTT", GVT_CMD_RCS, { 0x0e000002 | MI_GGTT, 0, OUT_HI, 0 }, 4,
	  GVT_CMD_E_ADDRESS, OUT_HI },
	{ "ATOMIC GGTT", GVT_CMD_RCS, { 0x17800001 | MI_GGTT | (0x07u << 8), OUT_LO, 0 }, 3,
	  GVT_CMD_E_ADDRESS, OUT_LO },
	{ "ATOMIC qword at the end", GVT_CMD_RCS,
	  { 0x17800001 | MI_GGTT | (0x27u << 8), OUT_HI - 4, 0 }, 3, GVT_CMD_E_ADDRESS, OUT_HI - 4 },
	{ "ATOMIC inline length", GVT_CMD_RCS, { 0x17800001 | (1u << 18), 0, 0 }, 3,
	  GVT_CMD_E_LENGTH, 3 },
	{ "COND_BB_END GGTT", GVT_CMD_RCS, { 0x1b000002 | MI_GGTT, 0, OUT_HI, 0 }, 4,
	  GVT_CMD_E_ADDRESS, OUT_HI },
	{ "COPY_MEM_MEM GGTT dst", GVT_CMD_RCS,
	  { 0x17000003 | (1u << 21), OUT_HI, 0, (uint32_t)HWSP, 0 }, 5, GVT_CMD_E_ADDRESS, OUT_HI },
	{ "COPY_MEM_MEM GGTT src", GVT_CMD_RCS,
	  { 0x17000003 | MI_GGTT, OUT_HI, 0, OUT_LO, 0 }, 5, GVT_CMD_E_ADDRESS, OUT_LO },
	{ "BB_START GGTT outside", GVT_CMD_RCS, { MI_BB_START, OUT_HI, 0 }, 3, GVT_CMD_E_ADDRESS,
	  OUT_HI },
	{ "MI_UPDATE_GTT", GVT_CMD_RCS, { 0x11800002, 0, 0, 0 }, 4, GVT_CMD_E_FORBIDDEN, 0x1180 },
	{ "MI_SET_CONTEXT", GVT_CMD_RCS, { 0x0c000000, 0 }, 2, GVT_CMD_E_FORBIDDEN, 0x0c00 },
	{ "MI_DISPLAY_FLIP", GVT_CMD_BCS, { 0x0a000001, 0, 0 }, 3, GVT_CMD_E_FORBIDDEN, 0x0a00 },
	{ "MI_SEMAPHORE_SIGNAL", GVT_CMD_RCS, { 0x0d800000, 0 }, 2, GVT_CMD_E_FORBIDDEN, 0x0d80 },
	{ "MI_REPORT_PERF_COUNT", GVT_CMD_RCS, { 0x14000002, 0, 0, 0 }, 4,
	  GVT_CMD_E_FORBIDDEN, 0x1400 },
	{ "MI_WAIT_FOR_EVENT", GVT_CMD_RCS, { 0x01800000 }, 1, GVT_CMD_E_FORBIDDEN, 0x0180 },
	{ "unknown MI", GVT_CMD_RCS, { 0x0a800000 }, 1, GVT_CMD_E_UNKNOWN, 0x0a80 },
	{ "client 1", GVT_CMD_RCS, { 0x20000000 }, 1, GVT_CMD_E_UNKNOWN, 0x2000 },
	{ "blit on RCS", GVT_CMD_RCS, { 0x54f00008 }, 1, GVT_CMD_E_UNKNOWN, 0x54f0 },
	{ "unknown blit", GVT_CMD_BCS, { 0x5fc00000 }, 1, GVT_CMD_E_UNKNOWN, 0x5fc0 },
	{ "FLUSH_DW on RCS", GVT_CMD_RCS, { MI_FLUSH_DW, 0, 0, 0 }, 4, GVT_CMD_E_UNKNOWN, 0x1300 },
	{ "3D on VECS", GVT_CMD_VECS, { 0x78000000 }, 1, GVT_CMD_E_UNKNOWN, 0x7800 },
	{ "unknown 3D", GVT_CMD_RCS, { 0x7a010004 }, 1, GVT_CMD_E_UNKNOWN, 0x7a01 },
	{ "BINDING_TABLE_EDIT wide length", GVT_CMD_RCS, { 0x78430100, 0, 0 }, 3,
	  GVT_CMD_E_FIELD, 0x78430100 },
	{ "opcode-1 twin with wide bits", GVT_CMD_RCS, { 0x79390100, 0 }, 2,
	  GVT_CMD_E_FIELD, 0x79390100 },
	{ "MEDIA_VFE_STATE MMIO access", GVT_CMD_RCS,
	  { 0x70000007, 0, 0, 0x00100008, 0, 0, 0, 0 }, 8, GVT_CMD_E_FIELD, 0x00100008 },
	{ "BB_START short", GVT_CMD_RCS, { 0x18800000, 0 }, 2, GVT_CMD_E_LENGTH, 2 },
	{ "PIPE_CONTROL short", GVT_CMD_RCS, { 0x7a000003, 0, 0, 0, 0 }, 5, GVT_CMD_E_LENGTH, 5 },
	{ "SDI long", GVT_CMD_RCS, { 0x10000004, 0, 0, 0, 0, 0 }, 6, GVT_CMD_E_LENGTH, 6 },
	{ "BB_START predicated", GVT_CMD_RCS, { MI_BB_START | (1u << 15), (uint32_t)BB_GGTT, 0 }, 3,
	  GVT_CMD_E_FIELD, 1u << 15 },
	{ "BB_START second level from the ring", GVT_CMD_RCS,
	  { MI_BB_START | (1u << 22), (uint32_t)BB_GGTT, 0 }, 3, GVT_CMD_E_NESTING,
	  MI_BB_START | (1u << 22) },
};

static void test_violations(void **state)
{
	char line[256];
	unsigned int i, j;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct emit e = at_ring(0x80);
		int ret;

		setup(NULL);
		params.engine = c->engine;
		ggtt_mem[BB_GGTT] = 0x00;	/* MI_NOOP ... */
		memcpy(ggtt_mem + BB_GGTT + 4, &(uint32_t){ MI_BB_END }, 4);
		putv(&e, 2, MI_NOOP, MI_ARB_CHECK);
		for (j = 0; j < c->n; j++)
			put(&e, c->dw[j]);
		putv(&e, 2, MI_USER_INTERRUPT, MI_NOOP);
		ret = scan_ring(0x80, (uint32_t)e.at);
		if (ret != -EACCES || res.violation != c->v || res.arg != c->arg) {
			gvt_cmd_describe(&res, params.engine, line, sizeof(line));
			print_error("case '%s': ret %d, %s\n", c->what, ret, line);
		}
		assert_violation(ret, c->v);
		assert_int_equal(res.arg, c->arg);
		assert_true(res.in_ring);
		assert_int_equal(res.addr, 0x88);
		assert_int_equal(res.header, c->dw[0]);
		/* rejected on decode: not counted; rejected by its audit: counted */
		assert_int_equal(res.cmds, c->v == GVT_CMD_E_UNKNOWN || c->v == GVT_CMD_E_FORBIDDEN ||
				 strstr(c->what, "short") || strstr(c->what, "long") ||
				 strstr(c->what, "wide") ? 2 : 3);
	}
}

/* the log line a violation produces */
static void test_describe(void **state)
{
	struct emit e = at_ring(0x40);
	char line[256];

	(void)state;
	putv(&e, 3, MI_LRI(1), 0x229c, 0xffff0008);
	assert_violation(scan_ring(0x40, (uint32_t)e.at), GVT_CMD_E_REGISTER);
	gvt_cmd_describe(&res, GVT_CMD_RCS, line, sizeof(line));
	assert_string_equal(line, "RCS ring+0x40 MI_LOAD_REGISTER_IMM (0x11000001): register: "
				  "register not writable from a command buffer (0x229c)");
	assert_string_equal(gvt_cmd_violation_name(GVT_CMD_E_ADDRESS), "GGTT address");

	/* a violation in a second-level PPGTT batch says where */
	e = at_ring(0x40);
	putv(&e, 3, MI_BB_START | 0x100, (uint32_t)BB_USER, (uint32_t)(BB_USER >> 32));
	{
		struct emit u = at_ppgtt(BB_USER);

		putv(&u, 3, MI_BB_START | 0x100 | (1u << 22), (uint32_t)BB_USER + 0x40,
		     (uint32_t)(BB_USER >> 32));
		u = at_ppgtt(BB_USER + 0x40);
		putv(&u, 4, 0x11800002, 0, 0, 0);	/* MI_UPDATE_GTT */
	}
	assert_violation(scan_ring(0x40, (uint32_t)e.at), GVT_CMD_E_FORBIDDEN);
	gvt_cmd_describe(&res, GVT_CMD_RCS, line, sizeof(line));
	assert_string_equal(line, "RCS ppgtt 0x7f0000002040 (2nd level) MI_UPDATE_GTT (0x11800002): "
				  "forbidden command: writes GGTT entries (0x1180)");
	/* a clean result describes itself and carries no location */
	e = at_ring(0x40);
	put(&e, MI_NOOP);
	assert_clean(scan_ring(0x40, (uint32_t)e.at));
	assert_false(res.in_ring);
	assert_null(res.cmd);
	gvt_cmd_describe(&res, GVT_CMD_VECS, line, sizeof(line));
	assert_string_equal(line, "VECS: clean (1 commands, 0 batches)");
	assert_string_equal(gvt_cmd_violation_name((enum gvt_cmd_violation)99), "?");
}

/* a ring of three pages wraps at 12 KiB, not at a power of two */
static void test_ring_not_power_of_two(void **state)
{
	uint32_t *ring = (uint32_t *)(ggtt_mem + RING);

	(void)state;
	memset(ring, 0, 0x3000);
	ring[0x2ff8 / 4] = MI_NOOP;
	ring[0x2ffc / 4] = MI_SDI_GGTT;		/* its operands are at 0x0 .. 0x8 */
	ring[0] = (uint32_t)HWSP;
	ring[1] = 0;
	ring[2] = 1;
	assert_clean(gvt_cmd_scan_ring(&scanner, &params, RING, 0x3000, 0x2ff8, 0xc, &res));
	assert_int_equal(res.cmds, 2);
	/* the operands really are those at 0x0 (a mask wrap would read 0x2000.., zeros) */
	ring[0] = 0;
	assert_violation(gvt_cmd_scan_ring(&scanner, &params, RING, 0x3000, 0x2ff8, 0xc, &res),
			 GVT_CMD_E_ADDRESS);
}

/* the ring itself and bad head/tail come from the guest: violations */
static void test_ring_params(void **state)
{
	struct emit e = at_ring(RING_SIZE - 8);

	(void)state;
	assert_int_equal(gvt_cmd_scan_ring(&scanner, &params, APER_BASE + APER_SIZE - 0x1000,
					   0x2000, 0, 8, &res), -EACCES);
	assert_int_equal(res.violation, GVT_CMD_E_RING);
	assert_int_equal(gvt_cmd_scan_ring(&scanner, &params, RING, 0x1800, 0, 8, &res), -EACCES);
	assert_int_equal(gvt_cmd_scan_ring(&scanner, &params, RING + 4, 0x1000, 0, 8, &res),
			 -EACCES);
	assert_int_equal(gvt_cmd_scan_ring(&scanner, &params, RING, 0x1000, 2, 8, &res), -EACCES);
	assert_int_equal(gvt_cmd_scan_ring(&scanner, &params, RING, 0x1000, 0, 0x1000, &res),
			 -EACCES);
	assert_int_equal(res.violation, GVT_CMD_E_RING);
	/* caller mistakes */
	assert_int_equal(gvt_cmd_scan_ring(NULL, &params, RING, 0x1000, 0, 8, &res), -EINVAL);
	assert_int_equal(gvt_cmd_scan_ring(&scanner, &params, RING, 0x1000, 0, 8, NULL), -EINVAL);
	params.engine = (enum gvt_cmd_engine)7;
	assert_int_equal(gvt_cmd_scan_ring(&scanner, &params, RING, 0x1000, 0, 8, &res), -EINVAL);
	params.engine = GVT_CMD_RCS;
	params.read = NULL;
	assert_int_equal(gvt_cmd_scan_batch(&scanner, &params, BB_GGTT, false, &res), -EINVAL);
	params.read = fake_read;

	/* empty range */
	assert_clean(scan_ring(0x10, 0x10));
	assert_int_equal(res.cmds, 0);
	/* a PIPE_CONTROL that would run past the tail (wrapping) */
	putv(&e, 6, PIPE_CONTROL, 0, 0, 0, 0, 0);
	assert_violation(scan_ring(RING_SIZE - 8, 8), GVT_CMD_E_RING);
	assert_int_equal(res.addr, RING_SIZE - 8);
	assert_clean(scan_ring(RING_SIZE - 8, 16));
}

/* ---- batches ---------------------------------------------------------------- */

static void test_chained_and_second_level(void **state)
{
	struct emit r = at_ring(0), b1 = at_ggtt(BB_GGTT), b2 = at_ggtt(BB_GGTT2);
	struct emit b3 = at_ggtt(BB_GGTT3);

	(void)state;
	/* ring -> BB1; BB1 calls BB2 (2nd level), continues, chains to BB3 */
	putv(&r, 3, MI_BB_START, (uint32_t)BB_GGTT, 0);
	putv(&r, 2, MI_USER_INTERRUPT, MI_NOOP);
	putv(&b1, 1, MI_NOOP);
	putv(&b1, 3, MI_BB_START | (1u << 22), (uint32_t)BB_GGTT2, 0);
	putv(&b1, 4, MI_SDI_GGTT, (uint32_t)HWSP, 0, 1);
	putv(&b1, 3, MI_BB_START, (uint32_t)BB_GGTT3, 0);
	put(&b1, 0xffffffff);	/* never executed: after the chain */
	putv(&b2, 4, MI_SDI_GGTT, (uint32_t)HWSP + 8, 0, 2);
	putv(&b2, 1, MI_BB_END);
	putv(&b3, 2, MI_NOOP, MI_BB_END);
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.cmds, 3 + 4 + 2 + 2);
	assert_int_equal(res.batches, 3);
	assert_int_equal(res.nbb, 3);
	assert_int_equal(res.bb[0].gma, BB_GGTT);
	assert_int_equal(res.bb[0].len, 4 * 11);
	assert_int_equal(res.bb[0].level, 1);
	assert_int_equal(res.bb[1].gma, BB_GGTT2);
	assert_int_equal(res.bb[1].len, 4 * 5);
	assert_int_equal(res.bb[1].level, 2);
	assert_int_equal(res.bb[2].gma, BB_GGTT3);
	assert_int_equal(res.bb[2].len, 8);
	assert_int_equal(res.bb[2].level, 1);
	/* every start the copies must be patched at: ring -> 0, 0 -> 1, 0 -> 2 */
	assert_int_equal(res.nreloc, 3);
	assert_int_equal(res.reloc[0].where, 0);
	assert_int_equal(res.reloc[0].in_bb, -1);
	assert_int_equal(res.reloc[0].bb, 0);
	assert_int_equal(res.reloc[1].where, BB_GGTT + 4);
	assert_int_equal(res.reloc[1].in_bb, 0);
	assert_int_equal(res.reloc[1].bb, 1);
	assert_int_equal(res.reloc[2].where, BB_GGTT + 32);
	assert_int_equal(res.reloc[2].in_bb, 0);
	assert_int_equal(res.reloc[2].bb, 2);

	/* the first level is scanned after the second level returns */
	b1 = at_ggtt(BB_GGTT + 16);
	putv(&b1, 2, 0x11800000, 0);	/* MI_UPDATE_GTT where the SDI was */
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_FORBIDDEN);
	assert_false(res.in_ring);
	assert_false(res.ppgtt);
	assert_int_equal(res.level, 1);
	assert_int_equal(res.addr, BB_GGTT + 16);

	/* a violation inside the second level is located there */
	b1 = at_ggtt(BB_GGTT + 16);
	putv(&b1, 4, MI_SDI_GGTT, (uint32_t)HWSP, 0, 1);
	b2 = at_ggtt(BB_GGTT2);
	putv(&b2, 3, MI_LRI(1), 0x2034, 0);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_REGISTER);
	assert_int_equal(res.level, 2);
	assert_int_equal(res.addr, BB_GGTT2);

	/* a second level may not start another second level */
	b2 = at_ggtt(BB_GGTT2);
	putv(&b2, 3, MI_BB_START | (1u << 22), (uint32_t)BB_GGTT3, 0);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_NESTING);
	/* ... but may chain */
	b2 = at_ggtt(BB_GGTT2);
	putv(&b2, 3, MI_BB_START, (uint32_t)BB_GGTT3 + 4, 0);
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.nbb, 4);
	assert_int_equal(res.bb[2].gma, BB_GGTT3 + 4);
	assert_int_equal(res.bb[2].level, 2);
	assert_int_equal(res.bb[3].gma, BB_GGTT3);
	assert_int_equal(res.bb[3].level, 1);
}

static void test_ppgtt_batches(void **state)
{
	struct emit r = at_ring(0), u = at_ppgtt(BB_USER), g = at_ggtt(BB_GGTT);

	(void)state;
	putv(&r, 3, MI_BB_START | 0x100, (uint32_t)BB_USER, (uint32_t)(BB_USER >> 32));
	/* a user batch asking for a GGTT second level: refused */
	putv(&u, 3, MI_BB_START | (1u << 22), (uint32_t)BB_GGTT, 0);
	put(&u, MI_BB_END);
	put(&g, MI_BB_END);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_NESTING);
	assert_int_equal(res.level, 1);
	assert_true(res.ppgtt);
	assert_int_equal(res.addr, BB_USER);

	/*
	 * A non-privileged context: everything is PPGTT. The physical context
	 * is privileged, so a start without bit 8 inside a PPGTT batch (which
	 * runs in place) is refused; in the ring it is reported for patching.
	 */
	params.privileged = false;
	u = at_ppgtt(BB_USER);
	putv(&u, 3, MI_BB_START | (1u << 22), (uint32_t)(BB_USER + 0x100), (uint32_t)(BB_USER >> 32));
	put(&u, MI_BB_END);
	u = at_ppgtt(BB_USER + 0x100);
	put(&u, MI_BB_END);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_NESTING);
	assert_int_equal(res.addr, BB_USER);
	u = at_ppgtt(BB_USER);
	put(&u, MI_BB_START | (1u << 22) | 0x100);
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.batches, 2);
	assert_int_equal(res.nbb, 0);
	assert_int_equal(res.nreloc, 0);	/* the ring's start has bit 8 */
	{
		struct emit r3 = at_ring(0x200);

		putv(&r3, 3, MI_BB_START, (uint32_t)BB_USER, (uint32_t)(BB_USER >> 32));
		assert_clean(scan_ring(0x200, (uint32_t)r3.at));
		assert_int_equal(res.nreloc, 1);
		assert_int_equal(res.reloc[0].where, 0x200);
		assert_int_equal(res.reloc[0].in_bb, -1);
		assert_int_equal(res.reloc[0].bb, -1);
	}

	/* forbidden commands in a PPGTT batch: found, unless PPGTT batches are skipped */
	u = at_ppgtt(BB_USER + 0x100);
	putv(&u, 2, 0x0c000000, 0);	/* MI_SET_CONTEXT */
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_FORBIDDEN);
	params.skip_ppgtt_bb = true;
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.cmds, 1);
	assert_int_equal(res.batches, 1);
	/* ... and a chain into a skipped PPGTT batch ends the GGTT batch */
	{
		struct emit r2 = at_ring(0x100), g2 = at_ggtt(BB_GGTT2);

		params.privileged = true;
		putv(&r2, 3, MI_BB_START, (uint32_t)BB_GGTT2, 0);
		put(&r2, MI_USER_INTERRUPT);
		putv(&g2, 3, MI_BB_START | 0x100, (uint32_t)BB_USER, (uint32_t)(BB_USER >> 32));
		put(&g2, 0x11800000);	/* after the chain: never executed */
		assert_clean(scan_ring(0x100, (uint32_t)r2.at));
		assert_int_equal(res.cmds, 3);
		assert_int_equal(res.batches, 2);
		params.privileged = false;
	}

	/* an unmapped batch */
	params.skip_ppgtt_bb = false;
	r = at_ring(0);
	putv(&r, 3, MI_BB_START | 0x100, 0x1000, 0);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_FETCH);
	assert_int_equal(res.addr, 0x1000);
	/* a batch running off the end of its mapping */
	u = at_ppgtt(PPGTT_BASE + PPGTT_SIZE - 8);
	putv(&u, 2, MI_NOOP, MI_NOOP);
	assert_violation(scan_bb(PPGTT_BASE + PPGTT_SIZE - 8, true), GVT_CMD_E_FETCH);
	assert_int_equal(res.addr, PPGTT_BASE + PPGTT_SIZE);
	/* a GGTT batch running off the vGPU's range */
	g = at_ggtt(APER_BASE + APER_SIZE - 8);
	putv(&g, 2, MI_NOOP, MI_NOOP);
	assert_violation(scan_bb(APER_BASE + APER_SIZE - 8, false), GVT_CMD_E_ADDRESS);
	assert_int_equal(res.addr, APER_BASE + APER_SIZE);
	assert_violation(scan_bb(APER_BASE + APER_SIZE, false), GVT_CMD_E_ADDRESS);
}

static void test_loops_are_bounded(void **state)
{
	struct emit r = at_ring(0), u = at_ppgtt(BB_USER), g;
	unsigned int i;

	(void)state;
	/* igt_spin: a batch that jumps to itself until the CPU rewrites it */
	putv(&r, 3, MI_BB_START | 0x100, (uint32_t)BB_USER, (uint32_t)(BB_USER >> 32));
	put(&r, MI_USER_INTERRUPT);
	putv(&u, 4, MI_SDI, (uint32_t)(BB_USER + 0x800), (uint32_t)(BB_USER >> 32), 1);
	putv(&u, 2, MI_ARB_CHECK, MI_NOOP);
	putv(&u, 3, MI_BB_START | 0x100, (uint32_t)BB_USER, (uint32_t)(BB_USER >> 32));
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.loops, 1);
	assert_int_equal(res.cmds, 1 + 4 + 1);

	/* A chains to B chains to A */
	g = at_ggtt(BB_GGTT);
	putv(&g, 3, MI_BB_START, (uint32_t)BB_GGTT2, 0);
	g = at_ggtt(BB_GGTT2);
	putv(&g, 3, MI_BB_START, (uint32_t)BB_GGTT, 0);
	assert_clean(scan_bb(BB_GGTT, false));
	assert_int_equal(res.loops, 1);
	assert_int_equal(res.batches, 2);
	/* the loop's start is reported against the first segment */
	assert_int_equal(res.nbb, 2);
	assert_int_equal(res.nreloc, 2);
	assert_int_equal(res.reloc[0].in_bb, 0);
	assert_int_equal(res.reloc[0].bb, 1);
	assert_int_equal(res.reloc[1].where, BB_GGTT2);
	assert_int_equal(res.reloc[1].in_bb, 1);
	assert_int_equal(res.reloc[1].bb, 0);

	/* a second level calling a first level that calls it back is a loop too */
	g = at_ggtt(BB_GGTT3);
	putv(&g, 3, MI_BB_START | (1u << 22), (uint32_t)BB_GGTT3 + 12, 0);
	putv(&g, 3, MI_BB_START, (uint32_t)BB_GGTT3 + 12, 0);	/* level 2 at +12: chain to itself */
	assert_clean(scan_bb(BB_GGTT3, false));
	assert_int_equal(res.loops, 2);	/* once at level 2, once at level 1 */

	/* more distinct batches than the scanner follows: a violation */
	for (i = 0; i < GVT_CMD_MAX_VISITED + 8; i++) {
		g = at_ggtt(HIDDEN_BASE + 16ull * i);
		putv(&g, 3, MI_BB_START, (uint32_t)(HIDDEN_BASE + 16ull * (i + 1)), 0);
	}
	params.privileged = true;
	assert_violation(scan_bb(HIDDEN_BASE, false), GVT_CMD_E_LIMIT);

	/* a runaway batch: more commands than the budget */
	params.max_cmds = 1000;
	memset(ggtt_mem + HIDDEN_BASE, 0, 0x2000);	/* 2048 MI_NOOPs */
	assert_violation(scan_bb(HIDDEN_BASE, false), GVT_CMD_E_RUNAWAY);
	assert_int_equal(res.cmds, 1000);
	assert_int_equal(res.addr, HIDDEN_BASE + 4000);
	params.max_cmds = 0;
}

/* more requests in one ring range than the loop table holds: all audited */
static void test_many_batches_from_ring(void **state)
{
	struct emit r = at_ring(0), u;
	unsigned int i, n = GVT_CMD_MAX_VISITED * 2 + 8;

	(void)state;
	for (i = 0; i < n; i++) {
		uint64_t bb = BB_USER + 16ull * i;

		putv(&r, 3, MI_BB_START | 0x100, (uint32_t)bb, (uint32_t)(bb >> 32));
		u = at_ppgtt(bb);
		put(&u, MI_BB_END);
	}
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.batches, n);
	/* the last batch still gets audited: a forbidden LRI in it is found */
	u = at_ppgtt(BB_USER + 16ull * (n - 1));
	putv(&u, 3, MI_LRI(1), 0x2034, 0);	/* RING_HEAD */
	put(&u, MI_BB_END);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_REGISTER);
}

static void test_pdp_lri(void **state)
{
	struct emit r = at_ring(0x20), g = at_ggtt(BB_GGTT);

	(void)state;
	/* a 3-level PPGTT driver's emit_pdps: PDP3..PDP0 UDW/LDW in one LRI */
	put(&r, MI_LRI(4));
	putv(&r, 8, 0x228c, 0x1, 0x2288, 0x11000, 0x2274, 0x0, 0x2270, 0x22000);
	putv(&r, 3, MI_BB_START, (uint32_t)BB_GGTT, 0);
	putv(&g, 5, MI_LRI(2), 0x2270, 0x33000, 0x2274, 0x2);
	put(&g, MI_BB_END);
	assert_clean(scan_ring(0x20, (uint32_t)r.at));
	assert_int_equal(res.npdp, 6);
	assert_int_equal(res.pdp[0].reg, 0x228c);
	assert_int_equal(res.pdp[0].value, 1);
	assert_true(res.pdp[0].in_ring);
	assert_int_equal(res.pdp[0].where, 0x28);
	assert_int_equal(res.pdp[3].reg, 0x2270);
	assert_int_equal(res.pdp[3].value, 0x22000);
	assert_int_equal(res.pdp[3].where, 0x40);
	assert_false(res.pdp[4].in_ring);
	assert_false(res.pdp[4].ppgtt);
	assert_int_equal(res.pdp[4].where, BB_GGTT + 8);
	assert_int_equal(res.pdp[5].value, 2);
	/* the value dword is where the report says: patching it changes the LRI */
	assert_int_equal(*(uint32_t *)(ggtt_mem + RING + res.pdp[3].where), 0x22000);

	/* other engines' PDPs are engine-relative */
	params.engine = GVT_CMD_VECS;
	r = at_ring(0);
	putv(&r, 3, MI_LRI(1), 0x1a270, 0x5000);
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.npdp, 1);
	assert_int_equal(res.pdp[0].reg, 0x1a270);

	/* too many to report */
	params.engine = GVT_CMD_RCS;
	r = at_ring(0);
	put(&r, MI_LRI(GVT_CMD_MAX_PDP + 1));
	for (unsigned int i = 0; i <= GVT_CMD_MAX_PDP; i++)
		putv(&r, 2, 0x2270, i);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_LIMIT);
}

/* address audit at the exact edges of both ranges */
static void test_address_edges(void **state)
{
	static const struct {
		uint64_t addr;
		bool qword, ok;
	} t[] = {
		{ APER_BASE, false, true },
		{ APER_BASE - 4, false, false },
		{ APER_BASE + APER_SIZE - 4, false, true },	/* last valid dword */
		{ APER_BASE + APER_SIZE, false, false },	/* first invalid */
		{ APER_BASE + APER_SIZE - 8, true, true },
		{ APER_BASE + APER_SIZE - 4, true, false },
		{ HIDDEN_BASE, false, true },
		{ HIDDEN_BASE - 4, false, false },
		{ HIDDEN_BASE + HIDDEN_SIZE - 4, false, true },
		{ HIDDEN_BASE + HIDDEN_SIZE, false, false },
		{ 0, false, false },
		{ 0xfffffffcull, false, false },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct emit r = at_ring(0);
		int ret;

		if (t[i].qword)
			putv(&r, 5, MI_SDI_GGTT | (1u << 21) | 3, (uint32_t)t[i].addr, 0, 1, 2);
		else
			putv(&r, 4, MI_SDI_GGTT, (uint32_t)t[i].addr, 0, 1);
		ret = scan_ring(0, (uint32_t)r.at);
		if (t[i].ok) {
			assert_clean(ret);
		} else {
			assert_violation(ret, GVT_CMD_E_ADDRESS);
			assert_int_equal(res.arg, t[i].addr);
		}
	}
	/* a GGTT batch whose last command ends exactly at the range end */
	{
		struct emit g = at_ggtt(APER_BASE + APER_SIZE - 8);

		putv(&g, 2, MI_NOOP, MI_BB_END);
		assert_clean(scan_bb(APER_BASE + APER_SIZE - 8, false));
		assert_int_equal(res.bb[0].len, 8);
	}
	/* an empty vGPU range never matches: the ring in it is refused */
	params.gm[0].size = 0;
	assert_violation(scan_ring(0, 16), GVT_CMD_E_RING);
}

/* allowed register traffic of every kind */
static void test_register_whitelist(void **state)
{
	struct emit r = at_ring(0);

	(void)state;
	putv(&r, 5, MI_LRI(2), 0x2600, 1, 0x2604, 0);			/* GPR0 */
	putv(&r, 4, MI_SRM | MI_GGTT, 0x2358, (uint32_t)HWSP, 0);	/* RCS timestamp */
	putv(&r, 4, MI_LRM | MI_GGTT, 0x2400, (uint32_t)HWSP, 0);	/* MI_PREDICATE_SRC0 */
	putv(&r, 3, MI_LRR, 0x2608, 0x2418);				/* GPR1 -> PREDICATE_RESULT */
	putv(&r, 3, MI_LRI(1), 0x7034, 0x60000121);			/* L3CNTLREG */
	putv(&r, 6, PIPE_CONTROL, PC_MMIO_WRITE | (1u << 14), 0x2610, 0, 5, 0);
	putv(&r, 2, 0x0d000000, 0x00800000);			/* MI_MATH, 1 ALU op */
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.cmds, 7);

	params.engine = GVT_CMD_VCS;
	r = at_ring(0);
	putv(&r, 3, MI_LRI(1), 0x12600, 1);
	putv(&r, 4, MI_SRM | MI_GGTT, 0x12358, (uint32_t)HWSP, 0);
	putv(&r, 4, MI_FLUSH_DW | (1u << 14), (uint32_t)HWSP | 4, 0, 1);
	assert_clean(scan_ring(0, (uint32_t)r.at));
	/* the render chicken bits are RCS only */
	r = at_ring(0);
	putv(&r, 3, MI_LRI(1), 0x7004, 1);
	assert_violation(scan_ring(0, (uint32_t)r.at), GVT_CMD_E_REGISTER);
	/* unaligned register offsets never match (bits 1:0 are dropped, 0x2601 -> 0x2600) */
	params.engine = GVT_CMD_RCS;
	r = at_ring(0);
	putv(&r, 3, MI_LRI(1), 0x2601, 1);
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(gvt_cmd_reg_access(GVT_CMD_RCS, 0x2602), 0);
	assert_int_equal(gvt_cmd_reg_access(GVT_CMD_RCS, 0x2270), GVT_CMD_REG_W | GVT_CMD_REG_PDP);
	assert_int_equal(gvt_cmd_reg_access(GVT_CMD_BCS, 0x22200), GVT_CMD_REG_W | GVT_CMD_REG_R);
	assert_int_equal(gvt_cmd_reg_access(GVT_CMD_VCS, 0x22200), 0);
}

/* reads go through the window: a long ring costs few accessor calls */
static void test_read_window(void **state)
{
	struct emit r = at_ring(0);
	unsigned int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		put(&r, MI_NOOP);
	assert_clean(scan_ring(0, (uint32_t)r.at));
	assert_int_equal(res.cmds, 1000);
	assert_true(reads <= 4000 / 256 + 1);
}

/* ---- the RCS indirect-context (workaround) batch ---- */

#define WA_GGTT		0x140000ull	/* in the aperture range */
#define L3SQCREG4	0xb118u

/* i915's gen9_init_indirectctx_bb as it lands in memory, padded to 2 lines */
static unsigned int wa_i915(void)
{
	struct emit e = at_ggtt(WA_GGTT);

	putv(&e, 1, MI_ARB_ON_OFF);
	putv(&e, 4, MI_SRM | MI_GGTT, L3SQCREG4, (uint32_t)HWSP + 0x100, 0);
	putv(&e, 3, MI_LRI(1), L3SQCREG4, 0x40000000u);
	putv(&e, 6, PIPE_CONTROL, PC_CS_STALL | (1u << 5), 0, 0, 0, 0);
	putv(&e, 4, MI_LRM | MI_GGTT, L3SQCREG4, (uint32_t)HWSP + 0x100, 0);
	putv(&e, 6, PIPE_CONTROL, PC_CS_STALL | PC_STORE_INDEX | PC_QW_WRITE | (1u << 27), 0xd0,
	     0, 0, 0);
	putv(&e, 7, MI_LRI(3), 0x7014u, 0x00010001u, 0x2088u, 0x00020002u, 0x2090u, 0x40004000u);
	putv(&e, 1, MI_ARB_ON_OFF | 1);
	while ((e.at - WA_GGTT) % 64)
		put(&e, MI_NOOP);
	return (unsigned int)(e.at - WA_GGTT);
}

static int scan_ring_wa(uint64_t gma, uint32_t bytes, uint32_t head, uint32_t tail)
{
	params.wa_gma = gma;
	params.wa_bytes = bytes;
	return scan_ring(head, tail);
}

static void test_wa_batch_i915_clean_before_ring(void **state)
{
	struct emit r = at_ring(0);
	unsigned int bytes = wa_i915();

	(void)state;
	putv(&r, 4, MI_SDI_GGTT, (uint32_t)APER_BASE, 0, 1);
	assert_int_equal(bytes % 64, 0);
	assert_clean(scan_ring_wa(WA_GGTT, bytes, 0, 16));
	/* the batch is segment 0, scanned to its size; then the ring */
	assert_true(res.nbb >= 1);
	assert_int_equal(res.bb[0].gma, WA_GGTT);
	assert_int_equal(res.bb[0].len, bytes);
	assert_int_equal(res.bb[0].level, 1);
	assert_int_equal(res.nreloc, 0);
	assert_int_equal(res.cmds, 8 + (bytes - 32 * 4) / 4 + 1);
	assert_false(res.wa);
	/* an empty ring still scans the batch (the restore runs it) */
	assert_clean(scan_ring_wa(WA_GGTT, bytes, 16, 16));
	assert_int_equal(res.bb[0].len, bytes);
}

static void test_wa_batch_violations(void **state)
{
	struct emit e;
	char line[256];

	(void)state;
	/* a ring register */
	e = at_ggtt(WA_GGTT);
	putv(&e, 3, MI_LRI(1), 0x2030u, 0);
	assert_violation(scan_ring_wa(WA_GGTT, 64, 0, 0), GVT_CMD_E_REGISTER);
	assert_true(res.wa);
	assert_int_equal(res.addr, WA_GGTT);
	gvt_cmd_describe(&res, params.engine, line, sizeof(line));
	assert_non_null(strstr(line, "indirect ctx batch"));
	/* a store outside the vGPU */
	e = at_ggtt(WA_GGTT);
	putv(&e, 4, MI_SDI_GGTT, OUT_HI, 0, 0);
	assert_violation(scan_ring_wa(WA_GGTT, 64, 0, 0), GVT_CMD_E_ADDRESS);
	/* batch starts and ends: it ends at its size */
	e = at_ggtt(WA_GGTT);
	putv(&e, 3, MI_BB_START, (uint32_t)BB_GGTT, 0);
	e = at_ggtt(BB_GGTT);
	put(&e, MI_BB_END);
	e = at_ggtt(WA_GGTT);
	assert_violation(scan_ring_wa(WA_GGTT, 64, 0, 0), GVT_CMD_E_NESTING);
	e = at_ggtt(WA_GGTT);
	putv(&e, 3, MI_NOOP, MI_NOOP, MI_BB_END);
	assert_violation(scan_ring_wa(WA_GGTT, 64, 0, 0), GVT_CMD_E_NESTING);
	e = at_ggtt(WA_GGTT);
	putv(&e, 4, 0x1b000002u | MI_GGTT, 0, (uint32_t)APER_BASE, 0);	/* cond BB end */
	assert_violation(scan_ring_wa(WA_GGTT, 64, 0, 0), GVT_CMD_E_NESTING);
	/* a command crossing its end (an LRI whose last pair is past line 1) */
	memset(ggtt_mem + WA_GGTT, 0, 128);
	e = at_ggtt(WA_GGTT + 56);
	putv(&e, 3, MI_LRI(1), L3SQCREG4, 0);
	assert_violation(scan_ring_wa(WA_GGTT, 64, 0, 0), GVT_CMD_E_LENGTH);
	/* outside the vGPU, partly or wholly; not whole lines; not on RCS */
	memset(ggtt_mem + WA_GGTT, 0, 128);
	assert_violation(scan_ring_wa(APER_BASE + APER_SIZE - 64, 128, 0, 0), GVT_CMD_E_ADDRESS);
	assert_violation(scan_ring_wa(0x1000, 64, 0, 0), GVT_CMD_E_ADDRESS);
	assert_int_equal(res.cmds, 0);
	assert_violation(scan_ring_wa(WA_GGTT + 32, 64, 0, 0), GVT_CMD_E_FIELD);
	params.engine = GVT_CMD_BCS;
	assert_violation(scan_ring_wa(WA_GGTT, 64, 0, 0), GVT_CMD_E_FIELD);
	params.engine = GVT_CMD_RCS;
	/* the same batch without the pointer is never read */
	reads = 0;
	assert_clean(scan_ring_wa(0, 0, 0, 0));
	assert_int_equal(reads, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lengths, setup),
		cmocka_unit_test_setup(test_stream_lengths, setup),
		cmocka_unit_test_setup(test_i915_rcs_request, setup),
		cmocka_unit_test_setup(test_i915_bcs_request, setup),
		cmocka_unit_test_setup(test_i915_xcs_requests, setup),
		cmocka_unit_test_setup(test_violations, setup),
		cmocka_unit_test_setup(test_describe, setup),
		cmocka_unit_test_setup(test_ring_params, setup),
		cmocka_unit_test_setup(test_ring_not_power_of_two, setup),
		cmocka_unit_test_setup(test_chained_and_second_level, setup),
		cmocka_unit_test_setup(test_ppgtt_batches, setup),
		cmocka_unit_test_setup(test_loops_are_bounded, setup),
		cmocka_unit_test_setup(test_many_batches_from_ring, setup),
		cmocka_unit_test_setup(test_pdp_lri, setup),
		cmocka_unit_test_setup(test_address_edges, setup),
		cmocka_unit_test_setup(test_register_whitelist, setup),
		cmocka_unit_test_setup(test_read_window, setup),
		cmocka_unit_test_setup(test_wa_batch_i915_clean_before_ring, setup),
		cmocka_unit_test_setup(test_wa_batch_violations, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
