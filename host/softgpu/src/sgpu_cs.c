// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu command streamer: fetches from the ring (GGTT) and from first- and
 * second-level batches (GGTT or PPGTT), decodes MI / 2D / GFXPIPE headers
 * (length rules as in PRM vol 2a and GVT-g's cmd_parser.c), executes the MI
 * commands listed in docs/softgpu.md and PIPE_CONTROL, hands XY_ blits to
 * sgpu_blt.c, and skips every other 3D/media command by length.
 * Malformed input stops the context (sgpu_engine_fail); nothing here loops
 * without consuming budget.
 */
#include "sgpu_internal.h"

#define STALL		1	/* exec result: semaphore not satisfied */

/* MI opcodes, bits 28:23 (i915 intel_gpu_commands.h) */
#define MI_NOOP			0x00
#define MI_USER_INTERRUPT	0x02
#define MI_ARB_CHECK		0x05
#define MI_ARB_ON_OFF		0x08
#define MI_BATCH_BUFFER_END	0x0A
#define MI_MATH			0x1A
#define MI_SEMAPHORE_WAIT	0x1C
#define MI_STORE_DATA_IMM	0x20
#define MI_STORE_DATA_INDEX	0x21
#define MI_LOAD_REGISTER_IMM	0x22
#define MI_STORE_REGISTER_MEM	0x24
#define MI_FLUSH_DW		0x26
#define MI_LOAD_REGISTER_MEM	0x29
#define MI_LOAD_REGISTER_REG	0x2A
#define MI_COPY_MEM_MEM		0x2E
#define MI_ATOMIC		0x2F
#define MI_BATCH_BUFFER_START	0x31
#define MI_COND_BB_END		0x36

#define MI_GGTT			(1u << 22)	/* "use global GTT" in SDI/SRM/LRM/SEM/ATOMIC */
#define BB_SECOND_LEVEL		(1u << 22)
#define BB_PPGTT		(1u << 8)

/* PIPE_CONTROL dw1 */
#define PC_NOTIFY		(1u << 8)
#define PC_POST_SYNC_SHIFT	14
#define PC_STORE_INDEX		(1u << 21)
#define PC_GLOBAL_GTT		(1u << 24)
/* MI_FLUSH_DW */
#define FDW_STORE_INDEX		(1u << 21)
#define FDW_POST_SYNC_SHIFT	14
#define FDW_USE_GTT		(1u << 2)	/* in dw1 */

#define MAX_FETCH		260

static inline uint64_t addr48(uint32_t lo, uint32_t hi)
{
	return ((uint64_t)(hi & 0xFFFF) << 32) | lo;
}

static bool privileged(struct sgpu_engine *eng)
{
	/* the indirect-context batch is part of the (kernel-owned) restore */
	return eng->wa_active || (sgpu_cur(eng)->priv && (eng->level == 0 || !eng->bb_ppgtt[1]));
}

/* commands may only use the GGTT from a privileged batch (else PPGTT) */
static bool want_ppgtt(struct sgpu_engine *eng, bool ggtt_bit)
{
	return !(ggtt_bit && privileged(eng));
}

static uint32_t ring_space(struct sgpu_ctx *c)
{
	return (c->tail - c->head) & (c->ring_size - 1);
}

static int fetch(struct sgpu_engine *eng, uint32_t *buf, uint32_t n)
{
	struct sgpu_ctx *c = sgpu_cur(eng);
	uint32_t bytes = n * 4;
	int ret;

	if (eng->wa_active) {
		if (bytes > eng->wa_end - eng->wa_addr) {
			sgpu_engine_fail(eng, 0, n > 1 ? buf[0] : 0, 0,
					 "command crosses the end of the indirect context batch (0x%llx)",
					 (unsigned long long)eng->wa_end);
			return -EINVAL;
		}
		ret = sgpu_gva_read(eng, eng->wa_addr, false, buf, bytes);
		if (ret)
			sgpu_engine_fail(eng, EIR_PAGE_TABLE, 0, eng->wa_addr,
					 "indirect context batch fetch fault at 0x%llx",
					 (unsigned long long)eng->wa_addr);
		return ret;
	}
	if (eng->level) {
		ret = sgpu_gva_read(eng, eng->bb_addr[eng->level], eng->bb_ppgtt[eng->level], buf, bytes);
		if (ret)
			sgpu_engine_fail(eng, EIR_PAGE_TABLE, 0, eng->bb_addr[eng->level],
					 "batch fetch fault at 0x%llx",
					 (unsigned long long)eng->bb_addr[eng->level]);
		return ret;
	}
	if (bytes > ring_space(c)) {
		sgpu_engine_fail(eng, 0, n > 1 ? buf[0] : 0, 0,
				 "command crosses the ring tail (head 0x%x tail 0x%x)", c->head, c->tail);
		return -EINVAL;
	}
	uint32_t first = c->ring_size - c->head;

	if (first > bytes)
		first = bytes;
	ret = sgpu_gva_read(eng, (uint64_t)c->ring_start + c->head, false, buf, first);
	if (!ret && bytes > first)
		ret = sgpu_gva_read(eng, c->ring_start, false, (uint8_t *)buf + first, bytes - first);
	if (ret)
		sgpu_engine_fail(eng, EIR_PAGE_TABLE, 0, c->ring_start + c->head,
				 "ring fetch fault (start 0x%x head 0x%x)", c->ring_start, c->head);
	return ret;
}

static void advance(struct sgpu_engine *eng, uint32_t n)
{
	struct sgpu_ctx *c = sgpu_cur(eng);

	if (eng->wa_active)
		eng->wa_addr += n * 4ull;	/* left at its end by sgpu_engine_run() */
	else if (eng->level)
		eng->bb_addr[eng->level] += n * 4ull;
	else
		c->head = (c->head + n * 4) & (c->ring_size - 1);
}

static int mem_write(struct sgpu_engine *eng, uint32_t hdr, uint64_t gva, bool ppgtt,
		     const void *buf, uint32_t len)
{
	if (sgpu_gva_write(eng, gva, ppgtt, buf, len)) {
		sgpu_engine_fail(eng, EIR_PAGE_TABLE, hdr, gva, "write fault at %s 0x%llx",
				 ppgtt ? "ppgtt" : "ggtt", (unsigned long long)gva);
		return -EFAULT;
	}
	return 0;
}

static int mem_read(struct sgpu_engine *eng, uint32_t hdr, uint64_t gva, bool ppgtt,
		    void *buf, uint32_t len)
{
	if (sgpu_gva_read(eng, gva, ppgtt, buf, len)) {
		sgpu_engine_fail(eng, EIR_PAGE_TABLE, hdr, gva, "read fault at %s 0x%llx",
				 ppgtt ? "ppgtt" : "ggtt", (unsigned long long)gva);
		return -EFAULT;
	}
	return 0;
}

/* per-process HWSP = page 0 of the context (LRC_PPHWSP) */
static int pphwsp_write(struct sgpu_engine *eng, uint32_t hdr, uint32_t off, const void *buf,
			uint32_t len)
{
	if (off + len > PPHWSP_BYTES) {
		sgpu_engine_fail(eng, 0, hdr, 0, "store index 0x%x outside the PPHWSP", off);
		return -EINVAL;
	}
	return mem_write(eng, hdr, (uint64_t)sgpu_cur(eng)->lrca + off, false, buf, len);
}

/* register writes from a batch: a non-privileged batch may only touch its GPRs */
static void cs_reg_write(struct sgpu_engine *eng, uint32_t reg, uint32_t val)
{
	struct sgpu *gpu = eng->gpu;
	uint32_t rel;

	reg &= 0x7FFFFC;
	rel = reg - eng->base;
	/*
	 * A user batch may write its GPRs, and on the gen9 blitter BCS_SWCTRL:
	 * that engine has no LRI protection in hardware (i915 and gvt guard it
	 * with their command parsers), and IGT/Mesa select Y-tiled blits from
	 * user batches that way.
	 */
	if (!privileged(eng) && !(reg >= eng->base && rel >= R_GPR && rel < R_GPR + 0x80) &&
	    !(eng->id == SGPU_BCS && reg >= eng->base && rel == R_BCS_SWCTRL)) {
		gpu->st.dropped_writes++;
		return;
	}
	if (!sgpu_reg_write(gpu, reg, val, true))
		gpu->st.dropped_writes++;
}

static uint32_t cs_reg_read(struct sgpu_engine *eng, uint32_t reg)
{
	reg &= 0x7FFFFC;
	return reg < SGPU_MMIO_SIZE ? sgpu_reg_read(eng->gpu, reg) : 0;
}

static uint64_t gpr_get(struct sgpu_engine *eng, unsigned int i)
{
	return *ereg(eng, R_GPR + 8 * i) | ((uint64_t)*ereg(eng, R_GPR + 8 * i + 4) << 32);
}

static void gpr_set(struct sgpu_engine *eng, unsigned int i, uint64_t v)
{
	*ereg(eng, R_GPR + 8 * i) = (uint32_t)v;
	*ereg(eng, R_GPR + 8 * i + 4) = (uint32_t)(v >> 32);
}

/* ---- MI_MATH (PRM vol 2a "MI_MATH", ALU opcodes) ----------------------- */

#define ALU_SRCA	0x20
#define ALU_SRCB	0x21
#define ALU_ACCU	0x31
#define ALU_ZF		0x32
#define ALU_CF		0x33

static int mi_math(struct sgpu_engine *eng, const uint32_t *cmd, uint32_t len)
{
	uint64_t srca = 0, srcb = 0, accu = 0;
	bool zf = false, cf = false;

	for (uint32_t i = 1; i < len; i++) {
		uint32_t op = cmd[i] >> 20, o1 = (cmd[i] >> 10) & 0x3FF, o2 = cmd[i] & 0x3FF;
		uint64_t v = 0, *dst;

		/* source operand of LOAD/STORE */
		if (o2 < 16)
			v = gpr_get(eng, o2);
		else if (o2 == ALU_SRCA)
			v = srca;
		else if (o2 == ALU_SRCB)
			v = srcb;
		else if (o2 == ALU_ACCU)
			v = accu;
		else if (o2 == ALU_ZF)
			v = zf ? ~0ull : 0;
		else if (o2 == ALU_CF)
			v = cf ? ~0ull : 0;
		dst = o1 == ALU_SRCA ? &srca : o1 == ALU_SRCB ? &srcb : NULL;

		switch (op) {
		case 0x000:	/* NOOP */
			break;
		case 0x080:	/* LOAD */
		case 0x480:	/* LOADINV */
		case 0x081:	/* LOAD0 */
		case 0x481:	/* LOAD1 */
			if (!dst)
				goto bad;
			*dst = op == 0x080 ? v : op == 0x480 ? ~v : op == 0x081 ? 0 : 1;
			break;
		case 0x100:
			accu = srca + srcb;
			cf = accu < srca;
			zf = !accu;
			break;
		case 0x101:
			accu = srca - srcb;
			cf = srca < srcb;
			zf = !accu;
			break;
		case 0x102:
			accu = srca & srcb;
			zf = !accu;
			break;
		case 0x103:
			accu = srca | srcb;
			zf = !accu;
			break;
		case 0x104:
			accu = srca ^ srcb;
			zf = !accu;
			break;
		case 0x180:	/* STORE */
		case 0x580:	/* STOREINV */
			if (o1 >= 16)
				goto bad;
			gpr_set(eng, o1, op == 0x180 ? v : ~v);
			break;
		default:
			goto bad;
		}
	}
	return 0;
bad:
	sgpu_engine_fail(eng, 0, cmd[0], 0, "bad MI_MATH instruction");
	return -EINVAL;
}

/* ---- MI_ATOMIC ------------------------------------------------------- */

static int mi_atomic(struct sgpu_engine *eng, const uint32_t *cmd, uint32_t len)
{
	uint32_t hdr = cmd[0], op = (hdr >> 8) & 0xFF;
	bool inl = hdr & (1u << 18), ppgtt = want_ppgtt(eng, hdr & MI_GGTT);
	bool qw = (op & 0x60) == 0x20;
	uint64_t gva = addr48(cmd[1] & ~3u, cmd[2]);
	uint64_t m = 0, s1, s2, old;

	uint32_t in[8] = { 0 };

	if ((op & 0x60) == 0x40 || (op & 0x60) == 0x60) {
		eng->gpu->st.unsupported++;	/* octword atomics: not modelled */
		return 0;
	}
	/* inline operands: up to 8 dwords after the address (shorter forms allowed) */
	for (uint32_t i = 3; i < len && i < 11; i++)
		in[i - 3] = cmd[i];
	s1 = inl ? in[0] | (qw ? (uint64_t)in[1] << 32 : 0) : gpr_get(eng, 0);
	s2 = inl ? in[2] | (qw ? (uint64_t)in[3] << 32 : 0) : gpr_get(eng, 1);
	if (mem_read(eng, hdr, gva, ppgtt, &m, qw ? 8 : 4))
		return -EFAULT;
	old = m;
	switch (op & 0x1F) {
	case 0x01: m &= s1; break;
	case 0x02: m |= s1; break;
	case 0x03: m ^= s1; break;
	case 0x04: m = s1; break;
	case 0x05: m += 1; break;
	case 0x06: m -= 1; break;
	case 0x07: m += s1; break;
	case 0x08: m -= s1; break;
	case 0x09: m = s1 - m; break;
	case 0x0A:
		m = qw ? ((int64_t)m > (int64_t)s1 ? m : s1) : ((int32_t)m > (int32_t)s1 ? m : s1);
		break;
	case 0x0B:
		m = qw ? ((int64_t)m < (int64_t)s1 ? m : s1) : ((int32_t)m < (int32_t)s1 ? m : s1);
		break;
	case 0x0C: m = (qw ? m : (uint32_t)m) > (qw ? s1 : (uint32_t)s1) ? m : s1; break;
	case 0x0D: m = (qw ? m : (uint32_t)m) < (qw ? s1 : (uint32_t)s1) ? m : s1; break;
	case 0x0E:	/* compare and write */
		if ((qw ? m : (uint32_t)m) == (qw ? s1 : (uint32_t)s1))
			m = s2;
		break;
	case 0x0F: m -= 1; break;
	default:
		sgpu_engine_fail(eng, 0, hdr, 0, "bad MI_ATOMIC opcode 0x%x", op);
		return -EINVAL;
	}
	if (mem_write(eng, hdr, gva, ppgtt, &m, qw ? 8 : 4))
		return -EFAULT;
	if (hdr & (1u << 16))	/* return data control: old value to GPR0 */
		gpr_set(eng, 0, qw ? old : (uint32_t)old);
	return 0;
}

/* ---- batch control ----------------------------------------------------- */

static void bb_end(struct sgpu_engine *eng)
{
	if (eng->level == 2) {
		eng->level = 1;
		eng->bb_addr[1] = eng->bb_ret;
	} else if (eng->level == 1) {
		eng->level = 0;
	}
}

static void bb_start(struct sgpu_engine *eng, const uint32_t *cmd)
{
	uint64_t addr = addr48(cmd[1] & ~3u, cmd[2]);
	bool ppgtt = (cmd[0] & BB_PPGTT) || !sgpu_cur(eng)->priv;

	if (eng->level == 0) {
		eng->level = 1;
	} else if (eng->level == 1 && (cmd[0] & BB_SECOND_LEVEL)) {
		eng->bb_ret = eng->bb_addr[1];	/* already advanced past BB_START */
		eng->level = 2;
	}
	/* otherwise: chained, replaces the current batch at this level */
	eng->bb_addr[eng->level] = addr;
	eng->bb_ppgtt[eng->level] = ppgtt;
}

static int semaphore_wait(struct sgpu_engine *eng, const uint32_t *cmd)
{
	uint64_t gva = addr48(cmd[2] & ~3u, cmd[3]);
	uint32_t sad, sdd = cmd[1];
	bool ok;

	if (mem_read(eng, cmd[0], gva, want_ppgtt(eng, cmd[0] & MI_GGTT), &sad, 4))
		return -EFAULT;
	switch ((cmd[0] >> 12) & 7) {
	case 0: ok = sad > sdd; break;
	case 1: ok = sad >= sdd; break;
	case 2: ok = sad < sdd; break;
	case 3: ok = sad <= sdd; break;
	case 4: ok = sad == sdd; break;
	case 5: ok = sad != sdd; break;
	default:
		sgpu_engine_fail(eng, 0, cmd[0], 0, "bad semaphore compare op");
		return -EINVAL;
	}
	eng->sem_waiting = !ok;
	return ok ? 0 : STALL;
}

static int post_sync(struct sgpu_engine *eng, uint32_t hdr, unsigned int op, bool index,
		     uint64_t gva, bool ppgtt, uint64_t data, uint32_t bytes)
{
	uint64_t v;

	if (op == 0)
		return 0;
	v = op == 1 ? data : op == 3 ? sgpu_timestamp(eng->gpu) : 0;
	if (index)
		return pphwsp_write(eng, hdr, (uint32_t)gva & 0xFF8, &v, bytes);
	return mem_write(eng, hdr, gva, ppgtt, &v, bytes);
}

/* ---- decode ------------------------------------------------------------ */

/* total dwords of the command at hdr, 0 if the client is unknown */
static uint32_t cmd_length(uint32_t hdr)
{
	uint32_t client = hdr >> 29, op, sub, opc, subop;

	switch (client) {
	case 0:
		op = (hdr >> 23) & 0x3F;
		if (op < 0x10)
			return 1;
		switch (op) {
		case 0x12:	/* MI_LOAD_SCAN_LINES_INCL/EXCL: fixed */
		case 0x13:
			return 2;
		case MI_FLUSH_DW:	/* bits 7.. carry flags */
		case 0x28:		/* MI_REPORT_PERF_COUNT */
			return (hdr & 0x3F) + 2;
		case MI_STORE_DATA_IMM:
		case 0x23:		/* MI_UPDATE_GTT */
		case 0x27:		/* MI_CLFLUSH */
			return (hdr & 0x3FF) + 2;
		default:
			return (hdr & 0xFF) + 2;
		}
	case 2:
		return (hdr & 0xFF) + 2;
	case 3:
		sub = (hdr >> 27) & 3;
		opc = (hdr >> 24) & 7;
		subop = (hdr >> 16) & 0xFF;
		if (sub == 1 && (opc == 0 || (opc == 1 && subop == 4)))
			return 1;	/* 3DSTATE_VF_STATISTICS, PIPELINE_SELECT, ... */
		/*
		 * Wide length fields: 3DSTATE_SO_DECL_LIST is 3D opcode 1
		 * (0x7917); BINDING_TABLE_EDIT_* (0x7843..0x7847) and
		 * DX9_CONSTANTF_VS/PS (0x7839/0x783a) are opcode 0.
		 */
		if (sub == 3 && ((opc == 1 && subop == 0x17) ||
				 (opc == 0 && subop >= 0x43 && subop <= 0x47)))
			return (hdr & 0x1FF) + 2;
		if (sub == 3 && opc == 0 && (subop == 0x39 || subop == 0x3A))
			return (hdr & 0x7FF) + 2;
		if (sub == 2)
			return (hdr & 0xFFFF) + 2;	/* media / MFX / VEBOX */
		return (hdr & 0xFF) + 2;
	default:
		return 0;
	}
}

static int exec_mi(struct sgpu_engine *eng, const uint32_t *cmd, uint32_t len, bool *arb)
{
	struct sgpu *gpu = eng->gpu;
	uint32_t hdr = cmd[0], op = (hdr >> 23) & 0x3F;
	uint64_t gva, v;
	bool ppgtt;

	/*
	 * The indirect-context batch ends at its size: batch control inside
	 * it is not modelled (a hardware behaviour no driver relies on).
	 */
	if (eng->wa_active && (op == MI_BATCH_BUFFER_END || op == MI_BATCH_BUFFER_START ||
			       op == MI_COND_BB_END)) {
		sgpu_engine_fail(eng, 0, hdr, 0, "batch control in the indirect context batch");
		return -EINVAL;
	}
	switch (op) {
	case MI_NOOP:
		return 0;
	case MI_USER_INTERRUPT:
		sgpu_raise(eng, GT_USER);
		return 0;
	case MI_ARB_CHECK:
		*arb = eng->arb_on;
		return 0;
	case MI_ARB_ON_OFF:
		eng->arb_on = hdr & 1;
		return 0;
	case MI_BATCH_BUFFER_END:
		bb_end(eng);
		return 0;
	case MI_MATH:
		return mi_math(eng, cmd, len);
	case MI_SEMAPHORE_WAIT:
		if (len != 4)
			break;
		return semaphore_wait(eng, cmd);
	case MI_STORE_DATA_IMM:
		if (len != 4 && len != 5)
			break;
		gva = addr48(cmd[1] & ~3u, cmd[2]);
		v = cmd[3] | (len == 5 ? (uint64_t)cmd[4] << 32 : 0);
		return mem_write(eng, hdr, gva, want_ppgtt(eng, hdr & MI_GGTT), &v, (len - 3) * 4);
	case MI_STORE_DATA_INDEX:
		if (len != 3 && len != 4)
			break;
		v = cmd[2] | (len == 4 ? (uint64_t)cmd[3] << 32 : 0);
		return pphwsp_write(eng, hdr, cmd[1] & 0xFFC, &v, (len - 2) * 4);
	case MI_LOAD_REGISTER_IMM:
		if (!(len & 1))
			break;
		for (uint32_t i = 1; i + 1 < len; i += 2)
			cs_reg_write(eng, cmd[i], cmd[i + 1]);
		return 0;
	case MI_STORE_REGISTER_MEM:
		if (len != 4)
			break;
		v = cs_reg_read(eng, cmd[1]);
		return mem_write(eng, hdr, addr48(cmd[2] & ~3u, cmd[3]),
				 want_ppgtt(eng, hdr & MI_GGTT), &v, 4);
	case MI_LOAD_REGISTER_MEM: {
		uint32_t d;

		if (len != 4)
			break;
		if (mem_read(eng, hdr, addr48(cmd[2] & ~3u, cmd[3]), want_ppgtt(eng, hdr & MI_GGTT), &d, 4))
			return -EFAULT;
		cs_reg_write(eng, cmd[1], d);
		return 0;
	}
	case MI_LOAD_REGISTER_REG:
		if (len != 3)
			break;
		cs_reg_write(eng, cmd[2], cs_reg_read(eng, cmd[1]));
		return 0;
	case MI_FLUSH_DW:
		if (len != 4 && len != 5)
			break;
		/* flush: nothing cached but the one-entry translation */
		if (hdr & (1u << 18))
			sgpu_tc_flush(eng);
		return post_sync(eng, hdr, (hdr >> FDW_POST_SYNC_SHIFT) & 3, hdr & FDW_STORE_INDEX,
				 addr48(cmd[1] & ~7u, cmd[2]), want_ppgtt(eng, cmd[1] & FDW_USE_GTT),
				 cmd[3] | (len == 5 ? (uint64_t)cmd[4] << 32 : 0), len == 5 ? 8 : 4);
	case MI_COPY_MEM_MEM: {
		uint32_t d;

		if (len != 5)
			break;
		ppgtt = want_ppgtt(eng, hdr & (1u << 22));	/* source GGTT */
		if (mem_read(eng, hdr, addr48(cmd[3] & ~3u, cmd[4]), ppgtt, &d, 4))
			return -EFAULT;
		ppgtt = want_ppgtt(eng, hdr & (1u << 21));	/* destination GGTT */
		return mem_write(eng, hdr, addr48(cmd[1] & ~3u, cmd[2]), ppgtt, &d, 4);
	}
	case MI_ATOMIC:
		if (len < 3 || len > 11)
			break;
		return mi_atomic(eng, cmd, len);
	case MI_BATCH_BUFFER_START:
		if (len != 3)
			break;
		bb_start(eng, cmd);
		return 0;
	case MI_COND_BB_END: {
		uint32_t d;

		if (len != 4)
			break;
		if (mem_read(eng, hdr, addr48(cmd[2] & ~3u, cmd[3]), want_ppgtt(eng, hdr & MI_GGTT), &d, 4))
			return -EFAULT;
		/* the batch ends unless memory > compare data (i915 selftests:
		 * compare 0 = "break if *addr == 0", -2 = "break if *addr < -1") */
		if (d <= cmd[1])
			bb_end(eng);
		return 0;
	}
	default:
		gpu->st.unsupported++;
		return 0;
	}
	sgpu_engine_fail(eng, 0, hdr, 0, "MI opcode 0x%02x with bad length %u", op, len);
	return -EINVAL;
}

static int exec_pipe_control(struct sgpu_engine *eng, const uint32_t *cmd, uint32_t len)
{
	uint32_t f;

	if (len != 6) {
		sgpu_engine_fail(eng, 0, cmd[0], 0, "PIPE_CONTROL with length %u", len);
		return -EINVAL;
	}
	f = cmd[1];
	if (post_sync(eng, cmd[0], (f >> PC_POST_SYNC_SHIFT) & 3, f & PC_STORE_INDEX,
		      addr48(cmd[2] & ~3u, cmd[3]), want_ppgtt(eng, f & PC_GLOBAL_GTT),
		      cmd[4] | ((uint64_t)cmd[5] << 32), 8))
		return -EFAULT;
	if (f & PC_NOTIFY)
		sgpu_raise(eng, GT_USER);
	return 0;
}

/* Execute one command; 0 done, STALL, or <0 (engine failed). */
static int exec_one(struct sgpu_engine *eng, bool *arb)
{
	struct sgpu_ctx *c = sgpu_cur(eng);
	uint32_t cmd[MAX_FETCH], len, hdr, client;
	int ret;

	eng->acthd = eng->wa_active ? eng->wa_addr :
		     eng->level ? eng->bb_addr[eng->level] : (uint64_t)c->ring_start + c->head;
	if (fetch(eng, cmd, 1))
		return -EFAULT;
	hdr = cmd[0];
	len = cmd_length(hdr);
	client = hdr >> 29;
	if (!len) {
		sgpu_engine_fail(eng, EIR_INSTRUCTION, hdr, 0, "unknown command client %u", client);
		return -EINVAL;
	}
	if (client == 3 && !(eng->id == SGPU_RCS && (hdr >> 16) == 0x7A00)) {
		/* 3D / media: decode the length and skip */
		if (eng->wa_active && len * 4ull > eng->wa_end - eng->wa_addr) {
			sgpu_engine_fail(eng, 0, hdr, 0,
					 "command crosses the end of the indirect context batch");
			return -EINVAL;
		}
		if (!eng->wa_active && !eng->level && len * 4 > ring_space(c)) {
			sgpu_engine_fail(eng, 0, hdr, 0, "command crosses the ring tail");
			return -EINVAL;
		}
		eng->gpu->st.unsupported++;
		advance(eng, len);
		return 0;
	}
	if (len > MAX_FETCH) {
		sgpu_engine_fail(eng, 0, hdr, 0, "command length %u too long", len);
		return -EINVAL;
	}
	if (len > 1 && fetch(eng, cmd, len))
		return -EFAULT;
	if (client == 2 && eng->id != SGPU_BCS) {
		sgpu_engine_fail(eng, 0, hdr, 0, "blitter command on %s", eng->name);
		return -EINVAL;
	}
	/* advance first: BB_START / BB_END / ARB_CHECK work from the next command */
	advance(eng, len);
	if (client == 0) {
		ret = exec_mi(eng, cmd, len, arb);
		if (ret == STALL) {	/* retry the wait next time */
			if (eng->wa_active)
				eng->wa_addr -= len * 4ull;
			else if (eng->level)
				eng->bb_addr[eng->level] -= len * 4ull;
			else
				c->head = (c->head - len * 4) & (c->ring_size - 1);
		}
		return ret;
	}
	if (client == 2)
		return sgpu_blt_exec(eng, cmd, len, !privileged(eng));
	return exec_pipe_control(eng, cmd, len);
}

uint32_t sgpu_engine_run(struct sgpu_engine *eng, uint32_t budget)
{
	struct sgpu *gpu = eng->gpu;
	uint32_t n = 0;

	while (n < budget && sgpu_engine_runnable(eng)) {
		struct sgpu_ctx *c = sgpu_cur(eng);
		bool arb = false;
		int ret;

		/* paced threads: nothing (not even a completion) runs ahead of wall time */
		if (gpu->cfg.pace && eng->thread_started && sgpu_pace_ahead_ns(eng))
			break;

		/* the restore's indirect-context batch ran to its size: on to the ring */
		if (eng->wa_active && eng->wa_addr >= eng->wa_end)
			eng->wa_active = false;

		if (!eng->wa_active && eng->level == 0 && c->head == c->tail) {
			/* end of the submitted ring contents: an arbitration point */
			if (!sgpu_arbitrate(eng))
				sgpu_ctx_complete(eng);
			continue;
		}
		if (gpu->cfg.watchdog_cmds && eng->activation_cmds >= gpu->cfg.watchdog_cmds) {
			sgpu_engine_fail(eng, 0, 0, 0, "watchdog: %llu commands without completion",
					 (unsigned long long)eng->activation_cmds);
			break;
		}
		ret = exec_one(eng, &arb);
		n++;
		eng->activation_cmds++;
		gpu->st.cmds++;
		eng->model_ns += gpu->cfg.ns_per_cmd;
		sgpu_cur(eng)->busy_ns += gpu->cfg.ns_per_cmd;
		if (ret == STALL) {
			/* waiting on a semaphore is an arbitration point too */
			if (eng->arb_on && eng->pending)
				sgpu_arbitrate(eng);
			break;
		}
		if (arb && eng->pending)
			sgpu_arbitrate(eng);
	}
	return n;
}
