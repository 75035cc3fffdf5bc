// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command scanner: decode and audit what a vGPU is about to execute.
 *
 * Control flow is followed the way the command streamer follows it: level 0
 * is the ring, MI_BATCH_BUFFER_START from the ring enters a first-level
 * batch (level 1), with the second-level bit from level 1 a second-level
 * batch (level 2, returns to level 1 at MI_BATCH_BUFFER_END); without it
 * the batch is chained (replaced at the same level). The scan is linear:
 * MI_CONDITIONAL_BATCH_BUFFER_END may end a batch early, and scanning past
 * it covers both outcomes.
 *
 * Termination: every decoded command costs one unit of a budget
 * (params.max_cmds), and each (address, space, level) batch start is
 * scanned once: a later start of the same batch (a spinner jumping to
 * itself, the same batch submitted twice in one ring range) re-enters code
 * already audited on the same level, so the scanner treats a chain to it as
 * the end of this batch and a call to it as returned.
 *
 * Guest memory is read through params.read in windows of 64 dwords that
 * never cross a 4 KiB page; command bodies that need no audit (3D state)
 * are skipped by length without being read.
 */
#include "gvt_cmd.h"

#define MI_GGTT			GVT_BIT(22)	/* "Use Global GTT" of MI memory commands */
#define BB_PPGTT		GVT_BIT(8)	/* MI_BATCH_BUFFER_START address space */
#define BB_SECOND_LEVEL		GVT_BIT(22)
#define FDW_STORE_INDEX		GVT_BIT(21)	/* MI_FLUSH_DW: address is a PPHWSP offset */
#define FDW_USE_GTT		GVT_BIT(2)	/* MI_FLUSH_DW, in the address dword */
#define PC_STORE_INDEX		GVT_BIT(21)
#define PC_MMIO_WRITE		GVT_BIT(23)	/* PIPE_CONTROL post-sync writes a register */
#define PC_GLOBAL_GTT		GVT_BIT(24)
#define ATOMIC_INLINE		GVT_BIT(18)
#define CBE_MASK_MODE		GVT_BIT(19)	/* compare mask: reads data and mask */

#define WIN_BYTES		256u
#define GGTT_LIMIT		(1ull << 32)
#define PPGTT_LIMIT		(1ull << 48)

#define E(x)			GVT_BIT(GVT_CMD_##x)
#define ALL			0xfu
#define XCS			(E(BCS) | E(VCS) | E(VECS))

struct cmd_info;
typedef int (*cmd_audit_t)(struct gvt_cmd_scanner *s, uint32_t hdr);

struct cmd_info {
	const char *name;
	uint8_t engines;	/* engines it is valid on; 0 = unknown opcode */
	uint8_t min, max;	/* total dwords allowed, 0 = any */
	const char *forbid;	/* non-NULL: rejected, with this reason */
	cmd_audit_t audit;
};

static const char *const engine_names[GVT_CMD_NUM_ENGINES] = {
	"RCS", "BCS", "VCS", "VECS"
};

static const char *const violation_names[GVT_CMD_NUM_VIOLATIONS] = {
	[GVT_CMD_OK] = "ok",
	[GVT_CMD_E_UNKNOWN] = "unknown command",
	[GVT_CMD_E_FORBIDDEN] = "forbidden command",
	[GVT_CMD_E_LENGTH] = "bad length",
	[GVT_CMD_E_FIELD] = "unsupported field",
	[GVT_CMD_E_REGISTER] = "register",
	[GVT_CMD_E_ADDRESS] = "GGTT address",
	[GVT_CMD_E_FETCH] = "fetch",
	[GVT_CMD_E_RING] = "ring",
	[GVT_CMD_E_NESTING] = "batch nesting",
	[GVT_CMD_E_LIMIT] = "limit",
	[GVT_CMD_E_RUNAWAY] = "runaway",
};

const char *gvt_cmd_violation_name(enum gvt_cmd_violation v)
{
	if ((unsigned int)v >= GVT_CMD_NUM_VIOLATIONS)
		return "?";
	return violation_names[v];
}

/* ---- lengths ----------------------------------------------------------- */

static uint32_t mi_length(uint32_t hdr)
{
	uint32_t op = (hdr >> 23) & 0x3f;

	if (op < 0x10)
		return 1;
	switch (op) {
	case 0x12:	/* MI_LOAD_SCAN_LINES_INCL/EXCL */
	case 0x13:
		return 2;
	case 0x26:	/* MI_FLUSH_DW: bits 7:6 are flags */
	case 0x28:	/* MI_REPORT_PERF_COUNT */
		return (hdr & 0x3f) + 2;
	case 0x20:	/* MI_STORE_DATA_IMM */
	case 0x23:	/* MI_UPDATE_GTT */
	case 0x27:	/* MI_CLFLUSH */
		return (hdr & 0x3ff) + 2;
	default:
		return (hdr & 0xff) + 2;
	}
}

static uint32_t gfx_length(enum gvt_cmd_engine engine, uint32_t hdr)
{
	uint32_t sub = (hdr >> 27) & 3, opc = (hdr >> 24) & 7, subop = (hdr >> 16) & 0xff;

	if (engine == GVT_CMD_VCS || engine == GVT_CMD_VECS) {
		/* MFX/HCP/VDENC/VEBOX: DWord Length is bits 11:0 */
		if (sub == 1 && opc == 0)
			return 1;	/* MFX_WAIT */
		if (sub == 2)
			return (hdr & 0xfff) + 2;
		return 0;
	}
	if (engine != GVT_CMD_RCS)
		return 0;
	if (sub == 1 && (opc == 0 || (opc == 1 && subop == 4)))
		return 1;	/* 3DSTATE_VF_STATISTICS, PIPELINE_SELECT */
	if (sub == 3 && opc == 1 && subop == 0x17)
		return (hdr & 0x1ff) + 2;	/* 3DSTATE_SO_DECL_LIST */
	if (sub == 3 && opc == 0 && subop >= 0x43 && subop <= 0x47)
		return (hdr & 0x1ff) + 2;	/* 3DSTATE_BINDING_TABLE_EDIT_* */
	if (sub == 3 && opc == 0 && (subop == 0x39 || subop == 0x3a))
		return (hdr & 0x7ff) + 2;	/* 3DSTATE_DX9_CONSTANTF_VS/PS */
	if (sub == 2)
		return (hdr & 0xffff) + 2;	/* MEDIA_*, GPGPU_WALKER */
	return (hdr & 0xff) + 2;
}

uint32_t gvt_cmd_length(enum gvt_cmd_engine engine, uint32_t hdr)
{
	if ((unsigned int)engine >= GVT_CMD_NUM_ENGINES)
		return 0;
	switch (hdr >> 29) {
	case 0:
		return mi_length(hdr);
	case 2:
		return engine == GVT_CMD_BCS ? (hdr & 0xff) + 2 : 0;
	case 3:
		return gfx_length(engine, hdr);
	default:
		return 0;
	}
}

/* ---- violations -------------------------------------------------------- */

static int violate(struct gvt_cmd_scanner *s, enum gvt_cmd_violation v, const char *why,
		   uint64_t arg)
{
	struct gvt_cmd_result *r = s->res;

	r->violation = v;
	r->why = why;
	r->arg = arg;
	return -EACCES;
}

int gvt_cmd_describe(const struct gvt_cmd_result *res, enum gvt_cmd_engine engine,
		     char *buf, size_t len)
{
	const char *eng = (unsigned int)engine < GVT_CMD_NUM_ENGINES ? engine_names[engine] : "?";

	if (res->violation == GVT_CMD_OK)
		return gvt_snprintf(buf, len, "%s: clean (%llu commands, %u batches)", eng,
				    (unsigned long long)res->cmds, res->batches);
	return gvt_snprintf(buf, len, "%s %s0x%llx%s %s (0x%08x): %s: %s (0x%llx)", eng,
			    res->in_ring ? "ring+" : res->ppgtt ? "ppgtt " : "ggtt ",
			    (unsigned long long)res->addr,
			    res->in_ring ? "" : res->wa ? " (indirect ctx batch)" :
			    res->level == 2 ? " (2nd level)" : "",
			    res->cmd ? res->cmd : "?", res->header,
			    gvt_cmd_violation_name(res->violation), res->why ? res->why : "",
			    (unsigned long long)res->arg);
}

/* ---- guest memory ------------------------------------------------------ */

static bool gm_contains(const struct gvt_cmd_params *p, uint64_t addr, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < GVT_ARRAY_SIZE(p->gm); i++) {
		const struct gvt_cmd_gm_range *g = &p->gm[i];

		if (size && g->size && addr >= g->base && addr - g->base < g->size &&
		    size <= g->size - (addr - g->base))
			return true;
	}
	return false;
}

static int ggtt_check(struct gvt_cmd_scanner *s, uint64_t addr, uint64_t size, const char *why)
{
	if (gm_contains(s->p, addr, size))
		return 0;
	return violate(s, GVT_CMD_E_ADDRESS, why, addr);
}

static int read_dw(struct gvt_cmd_scanner *s, uint64_t addr, bool ppgtt, uint32_t *v)
{
	if (!s->win_valid || s->win_ppgtt != ppgtt || addr - s->win_addr >= WIN_BYTES) {
		uint64_t base = addr & ~(uint64_t)(WIN_BYTES - 1);

		int ret;

		s->win_valid = false;
		ret = s->p->read(s->p->priv, base, ppgtt, s->win, WIN_BYTES);
		/* -E2BIG: past what the caller copies, only a batch without end gets there */
		if (ret == -E2BIG)
			return violate(s, GVT_CMD_E_RUNAWAY, "batch longer than the host copies (runaway batch)",
				       addr);
		if (ret)
			return violate(s, GVT_CMD_E_FETCH, "command memory not readable", addr);
		s->win_addr = base;
		s->win_ppgtt = ppgtt;
		s->win_valid = true;
	}
	*v = gvt_get_le32((const uint8_t *)s->win + (addr - s->win_addr));
	return 0;
}

/* dword @i of the current command */
static int cmd_dw(struct gvt_cmd_scanner *s, uint32_t i, uint32_t *v)
{
	if (s->res->in_ring)
		return read_dw(s, s->ring_gma + (s->cmd_addr + 4ull * i) % s->ring_size,
			       false, v);
	return read_dw(s, s->cmd_addr + 4ull * i, s->res->ppgtt, v);
}

/* a 48-bit address from a lo/hi dword pair; @lo_mask drops flag bits */
static int cmd_addr64(struct gvt_cmd_scanner *s, uint32_t i, uint32_t lo_mask, uint64_t *addr)
{
	uint32_t lo, hi;
	int ret;

	ret = cmd_dw(s, i, &lo);
	if (!ret)
		ret = cmd_dw(s, i + 1, &hi);
	if (!ret)
		*addr = ((uint64_t)hi << 32) | (lo & lo_mask);
	return ret;
}

/* ---- register audit ---------------------------------------------------- */

static int reg_write(struct gvt_cmd_scanner *s, uint32_t reg, bool lri, uint32_t val_dw)
{
	unsigned int f;
	struct gvt_cmd_pdp *pdp;
	uint32_t val;
	int ret;

	reg &= 0x7ffffc;
	f = gvt_cmd_reg_access(s->p->engine, reg);
	if (!(f & GVT_CMD_REG_W))
		return violate(s, GVT_CMD_E_REGISTER, "register not writable from a command buffer",
			       reg);
	if (!(f & GVT_CMD_REG_PDP))
		return 0;
	if (!lri)
		return violate(s, GVT_CMD_E_REGISTER, "PDP loaded from memory cannot be shadowed",
			       reg);
	if (s->res->npdp >= GVT_CMD_MAX_PDP)
		return violate(s, GVT_CMD_E_LIMIT, "too many PDP loads", reg);
	ret = cmd_dw(s, val_dw, &val);
	if (ret)
		return ret;
	pdp = &s->res->pdp[s->res->npdp++];
	pdp->reg = reg;
	pdp->value = val;
	pdp->in_ring = s->res->in_ring;
	pdp->ppgtt = s->res->ppgtt;
	pdp->bb = s->level ? (int16_t)s->f[s->level].bb : -1;
	pdp->cmd = (uint32_t)s->res->cmds;
	pdp->where = s->res->in_ring ? (s->cmd_addr + 4ull * val_dw) % s->ring_size :
				       s->cmd_addr + 4ull * val_dw;
	return 0;
}

static int reg_read(struct gvt_cmd_scanner *s, uint32_t reg)
{
	reg &= 0x7ffffc;
	if (gvt_cmd_reg_access(s->p->engine, reg) & GVT_CMD_REG_R)
		return 0;
	return violate(s, GVT_CMD_E_REGISTER, "register not readable from a command buffer", reg);
}

/* ---- MI audits ---------------------------------------------------------- */

static int audit_sdi(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint64_t addr;
	int ret;

	if (!(hdr & MI_GGTT))
		return 0;
	ret = cmd_addr64(s, 1, ~3u, &addr);
	if (ret)
		return ret;
	/* the "store qword" bit (21) writes 8 bytes whatever the length says */
	return ggtt_check(s, addr, (hdr & GVT_BIT(21)) ? 8 : (s->cmd_len - 3) * 4ull,
			  "store outside the vGPU");
}

static int audit_lri(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t i, reg;
	int ret;

	(void)hdr;
	if (!(s->cmd_len & 1))
		return violate(s, GVT_CMD_E_LENGTH, "odd number of LRI dwords", s->cmd_len);
	for (i = 1; i + 1 < s->cmd_len; i += 2) {
		ret = cmd_dw(s, i, &reg);
		if (!ret)
			ret = reg_write(s, reg, true, i + 1);
		if (ret)
			return ret;
	}
	return 0;
}

static int audit_srm(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t reg;
	uint64_t addr;
	int ret;

	ret = cmd_dw(s, 1, &reg);
	if (!ret)
		ret = reg_read(s, reg);
	if (ret || !(hdr & MI_GGTT))
		return ret;
	ret = cmd_addr64(s, 2, ~3u, &addr);
	return ret ? ret : ggtt_check(s, addr, 4, "register stored outside the vGPU");
}

static int audit_lrm(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t reg;
	uint64_t addr;
	int ret;

	ret = cmd_dw(s, 1, &reg);
	if (!ret)
		ret = reg_write(s, reg, false, 0);
	if (ret || !(hdr & MI_GGTT))
		return ret;
	ret = cmd_addr64(s, 2, ~3u, &addr);
	return ret ? ret : ggtt_check(s, addr, 4, "register loaded from outside the vGPU");
}

static int audit_lrr(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t src, dst;
	int ret;

	(void)hdr;
	ret = cmd_dw(s, 1, &src);
	if (!ret)
		ret = cmd_dw(s, 2, &dst);
	if (!ret)
		ret = reg_read(s, src);
	if (!ret)
		ret = reg_write(s, dst, false, 0);
	return ret;
}

static int audit_flush_dw(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t op = (hdr >> 14) & 3, lo;
	uint64_t addr;
	int ret;

	if (!op || (hdr & FDW_STORE_INDEX))
		return 0;	/* no post-sync, or into the context's PPHWSP */
	ret = cmd_dw(s, 1, &lo);
	if (ret || !(lo & FDW_USE_GTT))
		return ret;
	ret = cmd_addr64(s, 1, ~7u, &addr);
	if (ret)
		return ret;
	return ggtt_check(s, addr, op == 1 && s->cmd_len == 4 ? 4 : 8,
			  "post-sync write outside the vGPU");
}

static int audit_copy_mem(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint64_t addr;
	int ret = 0;

	if (hdr & GVT_BIT(21)) {	/* destination in GGTT */
		ret = cmd_addr64(s, 1, ~3u, &addr);
		if (!ret)
			ret = ggtt_check(s, addr, 4, "copy destination outside the vGPU");
	}
	if (!ret && (hdr & MI_GGTT)) {	/* source in GGTT */
		ret = cmd_addr64(s, 3, ~3u, &addr);
		if (!ret)
			ret = ggtt_check(s, addr, 4, "copy source outside the vGPU");
	}
	return ret;
}

static int audit_atomic(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	/* operand size from the opcode's size class: dword, qword, octword */
	static const uint8_t size[4] = { 4, 8, 16, 16 };
	uint64_t addr;
	int ret;

	if (s->cmd_len != ((hdr & ATOMIC_INLINE) ? 11u : 3u))
		return violate(s, GVT_CMD_E_LENGTH, "MI_ATOMIC length does not match inline data",
			       s->cmd_len);
	if (!(hdr & MI_GGTT))
		return 0;
	ret = cmd_addr64(s, 1, ~3u, &addr);
	return ret ? ret : ggtt_check(s, addr, size[(hdr >> 13) & 3],
				      "atomic outside the vGPU");
}

static int audit_sem_wait(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint64_t addr;
	int ret;

	if (!(hdr & MI_GGTT))
		return 0;
	ret = cmd_addr64(s, 2, ~3u, &addr);
	return ret ? ret : ggtt_check(s, addr, 4, "semaphore outside the vGPU");
}

static int audit_cond_bb_end(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint64_t addr;
	int ret;

	if (s->in_wa)
		return violate(s, GVT_CMD_E_NESTING, "batch end in the indirect context batch", hdr);
	if (!(hdr & MI_GGTT))
		return 0;
	/* dword-aligned start: an engine that aligns further only moves down
	 * inside the (page-aligned) range */
	ret = cmd_addr64(s, 2, ~3u, &addr);
	return ret ? ret : ggtt_check(s, addr, (hdr & CBE_MASK_MODE) ? 8 : 4,
				      "compare data outside the vGPU");
}

/* ---- batch buffers ------------------------------------------------------ */

static int frame_pop(struct gvt_cmd_scanner *s)
{
	s->level--;
	return 0;
}

static int audit_bb_end(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	/* it ends at its size: an end inside it has no meaning the scan can follow */
	if (s->in_wa)
		return violate(s, GVT_CMD_E_NESTING, "batch end in the indirect context batch", hdr);
	/* in the ring it does nothing (the ring continues to the tail) */
	return s->level ? frame_pop(s) : 0;
}

/* @seen: already scanned on @level; then @bb is its segment (-1: PPGTT) */
static int visit(struct gvt_cmd_scanner *s, uint64_t gma, bool ppgtt, unsigned int level,
		 bool *seen, int *bb)
{
	unsigned int i;

	for (i = 0; i < s->nvisited; i++) {
		const struct gvt_cmd_visit *v = &s->visited[i];

		if (v->gma == gma && v->ppgtt == ppgtt && v->level == level) {
			*seen = true;
			*bb = v->bb;
			return 0;
		}
	}
	*seen = false;
	if (s->nvisited >= GVT_CMD_MAX_VISITED)
		return violate(s, GVT_CMD_E_LIMIT, "too many distinct batch buffers", gma);
	s->visited[s->nvisited].gma = gma;
	s->visited[s->nvisited].ppgtt = ppgtt;
	s->visited[s->nvisited].level = level;
	s->visited[s->nvisited].bb = -1;
	s->nvisited++;
	return 0;
}

/* a batch start the caller patches in its copy of the ring or segment */
static int add_reloc(struct gvt_cmd_scanner *s, int in_bb, int bb)
{
	struct gvt_cmd_result *r = s->res;

	if (r->nreloc >= GVT_CMD_MAX_RELOC)
		return violate(s, GVT_CMD_E_LIMIT, "too many batch buffer starts", s->cmd_addr);
	r->reloc[r->nreloc].where = s->cmd_addr;
	r->reloc[r->nreloc].in_bb = (int16_t)in_bb;
	r->reloc[r->nreloc].bb = (int16_t)bb;
	r->nreloc++;
	return 0;
}

static int audit_bb_start(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	const uint32_t allowed = 0x1f800000u | BB_SECOND_LEVEL | BB_PPGTT | 0xffu;
	struct gvt_cmd_result *r = s->res;
	unsigned int level = s->level, to;
	/* only starts in the ring and in GGTT segments are in host copies */
	int in_bb = level ? s->f[level].bb : -1;
	bool ppgtt, call, seen, copied = !level || in_bb >= 0;
	int seen_bb = -1;
	uint64_t addr;
	int ret;

	/* the host runs it from a copy of its own size: nothing may leave it */
	if (s->in_wa)
		return violate(s, GVT_CMD_E_NESTING, "batch start in the indirect context batch", hdr);
	/* predication, add-offset and resource-streamer bits would make the
	 * target or the fall-through depend on state the scanner cannot see */
	if (hdr & ~allowed)
		return violate(s, GVT_CMD_E_FIELD, "batch start control bits", hdr & ~allowed);
	ppgtt = (hdr & BB_PPGTT) || !s->p->privileged;
	if (level && s->f[level].ppgtt && !ppgtt)
		return violate(s, GVT_CMD_E_NESTING, "GGTT batch started from a PPGTT batch", hdr);
	/*
	 * The vGPU runs every workload in a privileged physical context, where
	 * a start without bit 8 fetches from the GGTT. In the ring and in GGTT
	 * segments the caller sets the bit in its copy (reloc); a PPGTT batch
	 * runs in place and cannot be patched.
	 */
	if (level && s->f[level].ppgtt && !(hdr & BB_PPGTT))
		return violate(s, GVT_CMD_E_NESTING, "batch start without the PPGTT bit in a PPGTT batch",
			       hdr);
	if (level == 0) {
		if (hdr & BB_SECOND_LEVEL)
			return violate(s, GVT_CMD_E_NESTING, "second-level batch started from the ring",
				       hdr);
		to = 1;
	} else if (level == 1) {
		to = (hdr & BB_SECOND_LEVEL) ? 2 : 1;
	} else {
		if (hdr & BB_SECOND_LEVEL)
			return violate(s, GVT_CMD_E_NESTING, "second-level batch inside a second-level batch",
				       hdr);
		to = 2;
	}
	call = to > level;

	ret = cmd_addr64(s, 1, ~3u, &addr);
	if (ret)
		return ret;
	if (ppgtt) {
		addr &= PPGTT_LIMIT - 1;	/* bits 63:48 are ignored (canonical form) */
	} else if (!gm_contains(s->p, addr, 4)) {
		return violate(s, GVT_CMD_E_ADDRESS, "batch buffer outside the vGPU", addr);
	}

	/* a PPGTT start that relies on the context's missing privilege bit */
	if (ppgtt && !(hdr & BB_PPGTT) && copied) {
		ret = add_reloc(s, in_bb, -1);
		if (ret)
			return ret;
	}
	if (ppgtt && s->p->skip_ppgtt_bb) {
		r->batches++;
		return call ? 0 : frame_pop(s);
	}
	/*
	 * Back in the ring every earlier chain is fully audited: a full table
	 * starts over, so a ring range with many requests (a guest batches
	 * hundreds of execbufs between two ELSP writes) is not refused. Loops
	 * can only form inside one chain, and the command budget bounds the
	 * whole scan.
	 */
	if (level == 0 && s->nvisited >= GVT_CMD_MAX_VISITED)
		s->nvisited = 0;
	ret = visit(s, addr, ppgtt, to, &seen, &seen_bb);
	if (ret)
		return ret;
	if (seen) {
		/* already audited on this level: a call returns, a chain ends here */
		r->loops++;
		if (!ppgtt && copied) {
			ret = add_reloc(s, in_bb, seen_bb);
			if (ret)
				return ret;
		}
		return call ? 0 : frame_pop(s);
	}
	r->batches++;
	s->f[to].ip = addr;
	s->f[to].ppgtt = ppgtt;
	s->f[to].bb = -1;
	if (!ppgtt) {
		if (r->nbb >= GVT_CMD_MAX_BB)
			return violate(s, GVT_CMD_E_LIMIT, "too many GGTT batch buffers", addr);
		r->bb[r->nbb].gma = addr;
		r->bb[r->nbb].len = 0;
		r->bb[r->nbb].level = to;
		s->visited[s->nvisited - 1].bb = (int16_t)r->nbb;
		if (copied) {
			ret = add_reloc(s, in_bb, (int)r->nbb);
			if (ret)
				return ret;
		}
		s->f[to].bb = r->nbb++;
	}
	s->level = to;
	return 0;
}

/* ---- blitter ------------------------------------------------------------ */

/*
 * Conservative extent of a blit surface: @pitch_dw is the pitch dword,
 * @tiled says whether it counts dwords, rows are rounded up to a Y tile's
 * 32 lines and 16 bytes per pixel are assumed at the last column.
 */
static int blt_surface(struct gvt_cmd_scanner *s, uint32_t pitch_dw, bool tiled, uint32_t y1x1,
		       uint32_t y2x2, uint32_t addr_dw, const char *why)
{
	int32_t pitch = (int16_t)(pitch_dw & 0xffff);
	uint64_t addr, rows, end;
	int ret;

	if (pitch < 0)
		return violate(s, GVT_CMD_E_FIELD, "negative pitch on a GGTT blit", pitch_dw);
	if (tiled)
		pitch *= 4;
	(void)y1x1;
	rows = ((y2x2 >> 16) + 31) & ~31u;
	end = (uint64_t)pitch * rows + (uint64_t)(y2x2 & 0xffff) * 16 + 16;
	ret = cmd_addr64(s, addr_dw, ~0u, &addr);
	return ret ? ret : ggtt_check(s, addr, end, why);
}

static int audit_blt(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t op = (hdr >> 22) & 0x7f, d[8];
	uint32_t i, n, sy2x2, dx, dy;
	int ret;

	if (!s->p->blt_ggtt)
		return 0;	/* surfaces are PPGTT addresses: the shadow PPGTT confines them */
	switch (op) {
	case 0x03:	/* XY_SETUP_CLIP_BLT: no surface */
		return 0;
	case 0x50:	/* XY_COLOR_BLT */
		n = 6;
		break;
	case 0x53:	/* XY_SRC_COPY_BLT */
	case 0x42:	/* XY_FAST_COPY_BLT */
		n = 8;
		break;
	default:
		return violate(s, GVT_CMD_E_FIELD, "blit with unaudited surfaces on a GGTT context",
			       op);
	}
	if (s->cmd_len < n + 2)
		return violate(s, GVT_CMD_E_LENGTH, "short blit", s->cmd_len);
	for (i = 0; i < n; i++) {
		ret = cmd_dw(s, i + 1, &d[i]);
		if (ret)
			return ret;
	}
	/* dw1 pitch, dw2 y1x1, dw3 y2x2, dw4/5 destination */
	ret = blt_surface(s, d[0], op == 0x42 ? ((hdr >> 13) & 3) != 0 : (hdr & GVT_BIT(11)),
			  d[1], d[2], 4, "blit destination outside the vGPU");
	if (ret || op == 0x50)
		return ret;
	/* dw6 source y1x1, dw7 source pitch, dw8/9 source */
	dx = (d[2] & 0xffff) > (d[1] & 0xffff) ? (d[2] & 0xffff) - (d[1] & 0xffff) : 0;
	dy = (d[2] >> 16) > (d[1] >> 16) ? (d[2] >> 16) - (d[1] >> 16) : 0;
	sy2x2 = (((d[5] >> 16) + dy) << 16) | (((d[5] & 0xffff) + dx) & 0xffff);
	if ((d[5] >> 16) + dy > 0xffff || (d[5] & 0xffff) + dx > 0xffff)
		sy2x2 = 0xffffffffu;
	return blt_surface(s, d[6], op == 0x42 ? ((hdr >> 20) & 3) != 0 : (hdr & GVT_BIT(15)),
			   d[5], sy2x2, 8, "blit source outside the vGPU");
}

/* ---- 3D ----------------------------------------------------------------- */

/*
 * Length fields another decoder might read with a different width: the
 * 9/11-bit fields of BINDING_TABLE_EDIT_* and DX9_CONSTANTF_* (opcode 0;
 * softgpu reads them at opcode 1, where the same subopcodes have 8 bits),
 * and the 12-bit MFX/VEBOX fields (softgpu reads 16). Only headers on which
 * both readings agree are accepted, so the scanner and whatever executes
 * never disagree on where the next command starts.
 */
static bool gfx_length_ambiguous(enum gvt_cmd_engine engine, uint32_t hdr)
{
	uint32_t sub = (hdr >> 27) & 3, opc = (hdr >> 24) & 7, subop = (hdr >> 16) & 0xff;

	if ((hdr >> 29) != 3)
		return false;
	if (engine == GVT_CMD_VCS || engine == GVT_CMD_VECS)
		return sub == 2 && (hdr & 0xf000);
	return engine == GVT_CMD_RCS && sub == 3 && (opc == 0 || opc == 1) &&
	       ((subop >= 0x43 && subop <= 0x47) || subop == 0x39 || subop == 0x3a) &&
	       (hdr & 0x700);
}

/* MEDIA_VFE_STATE: gen7's "Gateway MMIO Access Control" (dw3 bits 4:3 on gen8+
 * layouts, reserved there) would let shader threads reach MMIO */
static int audit_media_vfe(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t dw3;
	int ret;

	if (((hdr >> 16) & 0xff) != 0 || ((hdr >> 24) & 7) != 0)
		return 0;
	if (s->cmd_len < 4)
		return violate(s, GVT_CMD_E_LENGTH, "short MEDIA_VFE_STATE", s->cmd_len);
	ret = cmd_dw(s, 3, &dw3);
	if (!ret && (dw3 & 0x18))
		return violate(s, GVT_CMD_E_FIELD, "gateway MMIO access", dw3);
	return ret;
}

static int audit_pipe_control(struct gvt_cmd_scanner *s, uint32_t hdr)
{
	uint32_t dw1, op, reg;
	uint64_t addr;
	int ret;

	(void)hdr;
	ret = cmd_dw(s, 1, &dw1);
	if (ret)
		return ret;
	op = (dw1 >> 14) & 3;
	if (dw1 & PC_MMIO_WRITE) {
		/* "LRI post-sync": the immediate data goes to register dw2 */
		if (op != 1)
			return violate(s, GVT_CMD_E_FIELD, "MMIO post-sync without immediate data",
				       dw1);
		ret = cmd_dw(s, 2, &reg);
		return ret ? ret : reg_write(s, reg, false, 0);
	}
	if (!op || (dw1 & PC_STORE_INDEX) || !(dw1 & PC_GLOBAL_GTT))
		return 0;
	ret = cmd_addr64(s, 2, ~3u, &addr);
	return ret ? ret : ggtt_check(s, addr, 8, "post-sync write outside the vGPU");
}

/* ---- tables ------------------------------------------------------------- */

#define FORBID(n, why)	{ .name = n, .engines = ALL, .forbid = why }
#define ONE(n, eng)	{ .name = n, .engines = eng, .min = 1, .max = 1 }

static const struct cmd_info mi_table[64] = {
	[0x00] = ONE("MI_NOOP", ALL),
	[0x01] = ONE("MI_SET_PREDICATE", ALL),
	[0x02] = ONE("MI_USER_INTERRUPT", ALL),
	[0x03] = FORBID("MI_WAIT_FOR_EVENT", "waits on the host's display"),
	[0x04] = FORBID("MI_FLUSH", "not a gen9 command"),
	[0x05] = ONE("MI_ARB_CHECK", ALL),
	[0x06] = FORBID("MI_RS_CONTROL", "resource streamer is not used by i915"),
	[0x07] = FORBID("MI_REPORT_HEAD", "not used by i915 on gen9"),
	[0x08] = ONE("MI_ARB_ON_OFF", ALL),
	[0x09] = ONE("MI_URB_ATOMIC_ALLOC", E(RCS)),
	[0x0a] = { .name = "MI_BATCH_BUFFER_END", .engines = ALL, .min = 1, .max = 1,
		   .audit = audit_bb_end },
	[0x0b] = ONE("MI_SUSPEND_FLUSH", ALL),
	[0x0c] = ONE("MI_PREDICATE", E(RCS)),
	[0x0d] = ONE("MI_TOPOLOGY_FILTER", E(RCS)),
	[0x0e] = ONE("MI_SET_APPID", ALL),
	[0x0f] = FORBID("MI_RS_CONTEXT", "resource streamer is not used by i915"),
	[0x12] = FORBID("MI_LOAD_SCAN_LINES_INCL", "waits on the host's display"),
	[0x13] = FORBID("MI_LOAD_SCAN_LINES_EXCL", "waits on the host's display"),
	[0x14] = FORBID("MI_DISPLAY_FLIP", "would flip the host's display plane"),
	[0x16] = FORBID("MI_SEMAPHORE_MBOX", "not a gen9 command"),
	[0x18] = FORBID("MI_SET_CONTEXT", "legacy ring contexts do not exist under execlists"),
	[0x19] = FORBID("MI_URB_CLEAR", "not used by i915 or Mesa on gen9"),
	[0x1a] = { .name = "MI_MATH", .engines = ALL },
	[0x1b] = FORBID("MI_SEMAPHORE_SIGNAL", "signals engines owned by other vGPUs"),
	[0x1c] = { .name = "MI_SEMAPHORE_WAIT", .engines = ALL, .min = 4, .max = 4,
		   .audit = audit_sem_wait },
	[0x1d] = FORBID("MI_FORCE_WAKEUP", "power management belongs to the host"),
	[0x20] = { .name = "MI_STORE_DATA_IMM", .engines = ALL, .min = 4, .max = 5,
		   .audit = audit_sdi },
	[0x21] = { .name = "MI_STORE_DATA_INDEX", .engines = ALL, .min = 3, .max = 4 },
	[0x22] = { .name = "MI_LOAD_REGISTER_IMM", .engines = ALL, .min = 3,
		   .audit = audit_lri },
	[0x23] = FORBID("MI_UPDATE_GTT", "writes GGTT entries"),
	[0x24] = { .name = "MI_STORE_REGISTER_MEM", .engines = ALL, .min = 4, .max = 4,
		   .audit = audit_srm },
	[0x26] = { .name = "MI_FLUSH_DW", .engines = XCS, .min = 4, .max = 5,
		   .audit = audit_flush_dw },
	[0x27] = FORBID("MI_CLFLUSH", "not used by i915 on gen9"),
	[0x28] = FORBID("MI_REPORT_PERF_COUNT", "perf counters are not virtualised"),
	[0x29] = { .name = "MI_LOAD_REGISTER_MEM", .engines = ALL, .min = 4, .max = 4,
		   .audit = audit_lrm },
	[0x2a] = { .name = "MI_LOAD_REGISTER_REG", .engines = ALL, .min = 3, .max = 3,
		   .audit = audit_lrr },
	[0x2b] = FORBID("MI_RS_STORE_DATA_IMM", "resource streamer is not used by i915"),
	[0x2c] = FORBID("MI_LOAD_URB_MEM", "not used by i915 or Mesa on gen9"),
	[0x2d] = FORBID("MI_STORE_URB_MEM", "not used by i915 or Mesa on gen9"),
	[0x2e] = { .name = "MI_COPY_MEM_MEM", .engines = ALL, .min = 5, .max = 5,
		   .audit = audit_copy_mem },
	[0x2f] = { .name = "MI_ATOMIC", .engines = ALL, .min = 3, .max = 11,
		   .audit = audit_atomic },
	[0x31] = { .name = "MI_BATCH_BUFFER_START", .engines = ALL, .min = 3, .max = 3,
		   .audit = audit_bb_start },
	[0x36] = { .name = "MI_CONDITIONAL_BATCH_BUFFER_END", .engines = ALL, .min = 4, .max = 4,
		   .audit = audit_cond_bb_end },
};

#define BLT(n)		{ .name = n, .engines = E(BCS), .audit = audit_blt }

static const struct cmd_info blt_table[128] = {
	[0x01] = BLT("XY_SETUP_BLT"),
	[0x03] = BLT("XY_SETUP_CLIP_BLT"),
	[0x11] = BLT("XY_SETUP_MONO_PATTERN_SL_BLT"),
	[0x24] = BLT("XY_PIXEL_BLT"),
	[0x25] = BLT("XY_SCANLINES_BLT"),
	[0x26] = BLT("XY_TEXT_BLT"),
	[0x31] = BLT("XY_TEXT_IMMEDIATE_BLT"),
	[0x40] = BLT("COLOR_BLT"),
	[0x42] = BLT("XY_FAST_COPY_BLT"),
	[0x43] = BLT("SRC_COPY_BLT"),
	[0x50] = BLT("XY_COLOR_BLT"),
	[0x51] = BLT("XY_PAT_BLT"),
	[0x52] = BLT("XY_MONO_PAT_BLT"),
	[0x53] = BLT("XY_SRC_COPY_BLT"),
	[0x54] = BLT("XY_MONO_SRC_COPY_BLT"),
	[0x55] = BLT("XY_FULL_BLT"),
	[0x56] = BLT("XY_FULL_MONO_SRC_BLT"),
	[0x57] = BLT("XY_FULL_MONO_PATTERN_BLT"),
	[0x58] = BLT("XY_FULL_MONO_PATTERN_MONO_SRC_BLT"),
	[0x59] = BLT("XY_MONO_PAT_FIXED_BLT"),
	[0x71] = BLT("XY_MONO_SRC_COPY_IMMEDIATE_BLT"),
	[0x72] = BLT("XY_PAT_BLT_IMMEDIATE"),
	[0x73] = BLT("XY_SRC_COPY_CHROMA_BLT"),
	[0x74] = BLT("XY_FULL_IMMEDIATE_PATTERN_BLT"),
	[0x75] = BLT("XY_FULL_MONO_SRC_IMMEDIATE_PATTERN_BLT"),
	[0x76] = BLT("XY_PAT_CHROMA_BLT"),
	[0x77] = BLT("XY_PAT_CHROMA_BLT_IMMEDIATE"),
};

static const struct cmd_info gfx_pipe_control = {
	.name = "PIPE_CONTROL", .engines = E(RCS), .min = 6, .max = 6,
	.audit = audit_pipe_control,
};
static const struct cmd_info gfx_3dstate = { .name = "3DSTATE", .engines = E(RCS) };
static const struct cmd_info gfx_3dprim = { .name = "3DPRIMITIVE", .engines = E(RCS) };
static const struct cmd_info gfx_state = { .name = "STATE_BASE/SIP", .engines = E(RCS) };
static const struct cmd_info gfx_single = { .name = "PIPELINE_SELECT/VF_STATISTICS",
					    .engines = E(RCS), .min = 1, .max = 1 };
static const struct cmd_info gfx_media = { .name = "MEDIA/GPGPU", .engines = E(RCS),
					   .audit = audit_media_vfe };
static const struct cmd_info gfx_mfx_wait = { .name = "MFX_WAIT", .engines = E(VCS),
					      .min = 1, .max = 1 };
static const struct cmd_info gfx_mfx = { .name = "MFX/HCP/VDENC", .engines = E(VCS) };
static const struct cmd_info gfx_vebox = { .name = "VEBOX", .engines = E(VECS) };

static const struct cmd_info *gfx_lookup(enum gvt_cmd_engine engine, uint32_t hdr)
{
	uint32_t sub = (hdr >> 27) & 3, opc = (hdr >> 24) & 7, subop = (hdr >> 16) & 0xff;

	switch (engine) {
	case GVT_CMD_RCS:
		if (sub == 3) {
			if (opc == 0 || opc == 1)
				return &gfx_3dstate;
			if (opc == 2 && subop == 0)
				return &gfx_pipe_control;
			if (opc == 3 && subop == 0)
				return &gfx_3dprim;
			return NULL;
		}
		if (sub == 0 && opc == 1 && subop >= 1 && subop <= 4)
			return &gfx_state;	/* STATE_BASE_ADDRESS, STATE_SIP, SWTESS, CSR base */
		if (sub == 0 && opc == 0 && subop == 3)
			return &gfx_state;	/* STATE_PREFETCH */
		if (sub == 1 && (opc == 0 || (opc == 1 && subop == 4)))
			return &gfx_single;
		if (sub == 2 && (opc == 0 || opc == 1))
			return &gfx_media;
		return NULL;
	case GVT_CMD_VCS:
		if (sub == 1 && opc == 0)
			return &gfx_mfx_wait;
		return sub == 2 ? &gfx_mfx : NULL;
	case GVT_CMD_VECS:
		return sub == 2 && opc == 4 ? &gfx_vebox : NULL;
	default:
		return NULL;
	}
}

static const struct cmd_info *cmd_lookup(enum gvt_cmd_engine engine, uint32_t hdr)
{
	switch (hdr >> 29) {
	case 0:
		return &mi_table[(hdr >> 23) & 0x3f];
	case 2:
		return &blt_table[(hdr >> 22) & 0x7f];
	case 3:
		return gfx_lookup(engine, hdr);
	default:
		return NULL;
	}
}

/* ---- the walk ----------------------------------------------------------- */

static int scan_one(struct gvt_cmd_scanner *s)
{
	struct gvt_cmd_result *r = s->res;
	struct gvt_cmd_frame *f = &s->f[s->level];
	const struct cmd_info *info;
	uint32_t hdr, len;
	int ret;

	r->in_ring = s->level == 0;
	r->ppgtt = s->level ? f->ppgtt : false;
	r->wa = s->in_wa;
	r->level = s->level;
	r->addr = f->ip;
	r->header = 0;
	r->cmd = NULL;
	s->cmd_addr = f->ip;
	s->cmd_len = 1;

	if (!s->level && (f->ip & 3))
		return violate(s, GVT_CMD_E_RING, "unaligned ring offset", f->ip);
	if (s->level) {
		uint64_t limit = f->ppgtt ? PPGTT_LIMIT : GGTT_LIMIT;

		if (f->ip & 3 || f->ip >= limit)
			return violate(s, GVT_CMD_E_ADDRESS, "batch runs off its address space",
				       f->ip);
		/* never read a GGTT batch outside the vGPU, not even its header */
		if (!f->ppgtt && !gm_contains(s->p, f->ip, 4))
			return violate(s, GVT_CMD_E_ADDRESS, "batch buffer outside the vGPU", f->ip);
	}
	ret = cmd_dw(s, 0, &hdr);
	if (ret)
		return ret;
	r->header = hdr;
	info = cmd_lookup(s->p->engine, hdr);
	len = gvt_cmd_length(s->p->engine, hdr);
	if (info)
		r->cmd = info->name;
	if (!info || !info->engines)
		return violate(s, GVT_CMD_E_UNKNOWN, "unknown command", hdr >> 16);
	if (!(info->engines & GVT_BIT(s->p->engine)) || !len)
		return violate(s, GVT_CMD_E_UNKNOWN, "not a command of this engine", hdr >> 16);
	if (info->forbid)
		return violate(s, GVT_CMD_E_FORBIDDEN, info->forbid, hdr >> 16);
	if ((info->min && len < info->min) || (info->max && len > info->max))
		return violate(s, GVT_CMD_E_LENGTH, "length outside the command's range", len);
	if (gfx_length_ambiguous(s->p->engine, hdr))
		return violate(s, GVT_CMD_E_FIELD, "ambiguous length field", hdr);
	s->cmd_len = len;

	if (!s->level) {
		/* a ring is any number of pages (not only a power of two): wrap by modulo */
		if (4ull * len > (s->tail + s->ring_size - f->ip) % s->ring_size)
			return violate(s, GVT_CMD_E_RING, "command crosses the ring tail", len);
		f->ip = (f->ip + 4ull * len) % s->ring_size;
	} else {
		uint64_t end = f->ip + 4ull * len;

		if (end > (f->ppgtt ? PPGTT_LIMIT : GGTT_LIMIT))
			return violate(s, GVT_CMD_E_ADDRESS, "batch runs off its address space", end);
		if (s->in_wa && end > s->wa_end)
			return violate(s, GVT_CMD_E_LENGTH,
				       "command crosses the end of the indirect context batch", len);
		if (!f->ppgtt && !gm_contains(s->p, f->ip, 4ull * len))
			return violate(s, GVT_CMD_E_ADDRESS, "batch buffer outside the vGPU", f->ip);
		f->ip = end;
		if (f->bb >= 0) {
			struct gvt_cmd_bb *bb = &r->bb[f->bb];

			if (end - bb->gma > bb->len)
				bb->len = end - bb->gma > UINT32_MAX ? UINT32_MAX :
					  (uint32_t)(end - bb->gma);
		}
	}
	r->cmds++;
	r->bytes += 4ull * len;
	return info->audit ? info->audit(s, hdr) : 0;
}

static int scan_run(struct gvt_cmd_scanner *s, bool ring)
{
	int ret;

	for (;;) {
		if (s->in_wa && s->f[1].ip == s->wa_end) {
			/* the restore is done: the ring runs next */
			s->in_wa = false;
			s->level = 0;
			continue;
		}
		if (s->level == 0 && (!ring || s->f[0].ip == s->tail)) {
			/* clean: the location fields describe nothing */
			s->res->in_ring = s->res->ppgtt = s->res->wa = false;
			s->res->level = 0;
			s->res->addr = 0;
			s->res->header = 0;
			s->res->cmd = NULL;
			return 0;
		}
		if (!s->budget) {
			s->res->in_ring = s->level == 0;
			s->res->wa = s->in_wa;
			s->res->ppgtt = s->level ? s->f[s->level].ppgtt : false;
			s->res->level = s->level;
			s->res->addr = s->f[s->level].ip;
			s->res->header = 0;
			s->res->cmd = NULL;
			/* valid commands without end: on hardware a hang, which
			 * the guest's driver detects and resets (its own fault) */
			return violate(s, GVT_CMD_E_RUNAWAY, "command budget exhausted (runaway batch)",
				       s->res->cmds);
		}
		s->budget--;
		ret = scan_one(s);
		if (ret)
			return ret;
	}
}

static int scan_init(struct gvt_cmd_scanner *s, const struct gvt_cmd_params *p,
		     struct gvt_cmd_result *res)
{
	if (!s || !p || !res || !p->read || (unsigned int)p->engine >= GVT_CMD_NUM_ENGINES)
		return -EINVAL;
	gvt_memset(res, 0, sizeof(*res));
	s->p = p;
	s->res = res;
	s->level = 0;
	s->nvisited = 0;
	s->win_valid = false;
	s->ring_gma = 0;
	s->ring_size = 0;
	s->tail = 0;
	s->budget = p->max_cmds ? p->max_cmds : GVT_CMD_DEFAULT_MAX_CMDS;
	s->in_wa = false;
	s->wa_end = 0;
	return 0;
}

/*
 * The indirect-context batch as the first segment of a ring scan: level 1,
 * GGTT, privileged (the engine runs it from the context restore, whatever
 * the descriptor says), ending at its size (scan_run() drops back to the
 * ring there).
 */
static int scan_wa_enter(struct gvt_cmd_scanner *s, const struct gvt_cmd_params *p)
{
	struct gvt_cmd_result *res = s->res;

	res->in_ring = false;
	res->wa = true;
	res->level = 1;
	res->addr = p->wa_gma;
	res->cmd = "INDIRECT_CTX";	/* the pointer itself, until a command is read */
	if (p->engine != GVT_CMD_RCS)
		return violate(s, GVT_CMD_E_FIELD, "indirect context batch on a non-render engine",
			       p->wa_gma);
	if ((p->wa_gma & 63) || (p->wa_bytes & 63))
		return violate(s, GVT_CMD_E_FIELD, "indirect context batch not in whole cachelines",
			       p->wa_bytes);
	if (!gm_contains(p, p->wa_gma, p->wa_bytes))
		return violate(s, GVT_CMD_E_ADDRESS, "indirect context batch outside the vGPU",
			       p->wa_gma);
	res->bb[0].gma = p->wa_gma;
	res->bb[0].len = 0;
	res->bb[0].level = 1;
	res->nbb = 1;
	res->batches = 1;
	s->f[1].ip = p->wa_gma;
	s->f[1].ppgtt = false;
	s->f[1].bb = 0;
	s->level = 1;
	s->in_wa = true;
	s->wa_end = p->wa_gma + p->wa_bytes;
	return 0;
}

int gvt_cmd_scan_ring(struct gvt_cmd_scanner *s, const struct gvt_cmd_params *p,
		      uint64_t ring_gma, uint32_t ring_size, uint32_t head, uint32_t tail,
		      struct gvt_cmd_result *res)
{
	int ret = scan_init(s, p, res);

	if (ret)
		return ret;
	res->in_ring = true;
	res->addr = head;
	res->cmd = "ring";
	if (!ring_size || ring_size > (2u << 20) || (ring_size & 0xfff) || (ring_gma & 0xfff))
		return violate(s, GVT_CMD_E_RING, "bad ring start or size", ring_size);
	if (head >= ring_size || tail >= ring_size || (head & 3) || (tail & 3))
		return violate(s, GVT_CMD_E_RING, "bad ring head or tail", tail);
	if (!gm_contains(p, ring_gma, ring_size))
		return violate(s, GVT_CMD_E_RING, "ring outside the vGPU", ring_gma);
	s->ring_gma = ring_gma;
	s->ring_size = ring_size;
	s->tail = tail;
	s->f[0].ip = head;
	s->f[0].ppgtt = false;
	s->f[0].bb = -1;
	res->cmd = NULL;
	if (p->wa_bytes) {
		ret = scan_wa_enter(s, p);
		if (ret)
			return ret;
		res->cmd = NULL;
	}
	return scan_run(s, true);
}

int gvt_cmd_scan_batch(struct gvt_cmd_scanner *s, const struct gvt_cmd_params *p,
		       uint64_t gma, bool ppgtt, struct gvt_cmd_result *res)
{
	bool seen;
	int bb, ret = scan_init(s, p, res);

	if (ret)
		return ret;
	res->addr = gma;
	res->ppgtt = ppgtt;
	res->level = 1;
	res->cmd = "batch";
	if (!ppgtt && !gm_contains(p, gma, 4))
		return violate(s, GVT_CMD_E_ADDRESS, "batch buffer outside the vGPU", gma);
	ret = visit(s, gma, ppgtt, 1, &seen, &bb);
	if (ret)
		return ret;
	res->cmd = NULL;
	res->batches = 1;
	s->level = 1;
	s->f[1].ip = gma;
	s->f[1].ppgtt = ppgtt;
	s->f[1].bb = -1;
	if (!ppgtt) {
		res->bb[0].gma = gma;
		res->bb[0].level = 1;
		res->nbb = 1;
		s->f[1].bb = 0;
		s->visited[0].bb = 0;
	}
	return scan_run(s, false);
}
