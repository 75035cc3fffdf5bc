/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gvt_cmd: the command scanner. Decodes a guest ring buffer range or batch
 * buffer the way the command streamer will execute it (length of every
 * command, batch buffer starts/ends, chaining, second level) and audits it
 * before the vGPU submits it to the physical GPU:
 *  - register writes (LRI, LRM, LRR, SRM's read, PIPE_CONTROL MMIO post-sync)
 *    against a per-engine whitelist of what gen9 i915 and its userspace use;
 *  - GGTT addresses of commands that can reach the GGTT against the vGPU's
 *    two GM ranges (aperture and hidden);
 *  - commands a guest must not issue (MI_UPDATE_GTT, MI_SET_CONTEXT,
 *    MI_DISPLAY_FLIP, ...) and unknown ones.
 * It never writes guest memory and never allocates: all state lives in a
 * struct gvt_cmd_scanner the caller owns (one per engine or per vGPU; not
 * shared between threads). Guest memory is read only through @read.
 * See docs/gvt-cmd-scanner.md.
 */
#ifndef GVT_SRC_GVT_CMD_H
#define GVT_SRC_GVT_CMD_H

#include "gvt_deps.h"

enum gvt_cmd_engine {
	GVT_CMD_RCS = 0,
	GVT_CMD_BCS = 1,
	GVT_CMD_VCS = 2,
	GVT_CMD_VECS = 3,
	GVT_CMD_NUM_ENGINES
};

/**
 * gvt_cmd_read_t - read guest graphics memory
 * @gma: graphics address; @ppgtt: through the context's PPGTT (else GGTT)
 * @len: <= 256 bytes, never crossing a 4 KiB page
 * Return: 0 or -errno (-EFAULT: not mapped; -E2BIG: beyond what the caller
 * copies for one workload, reported as GVT_CMD_E_RUNAWAY, not FETCH).
 */
typedef int (*gvt_cmd_read_t)(void *priv, uint64_t gma, bool ppgtt, void *buf, size_t len);

struct gvt_cmd_gm_range {
	uint64_t base, size;	/* size 0: unused */
};

/**
 * struct gvt_cmd_params - what the scanner needs to know about a submission
 * @engine: enum gvt_cmd_engine
 * @read, @priv: guest memory accessor
 * @gm: the vGPU's GGTT ranges (aperture, hidden); every GGTT access must lie
 *	entirely inside one of them
 * @privileged: the context descriptor's PRIVILEGE bit: the ring and batches
 *	started without the PPGTT bit run from the GGTT (else everything is PPGTT)
 * @skip_ppgtt_bb: do not descend into PPGTT (non-privileged) batches; the
 *	hardware already confines them (no GGTT, no privileged registers)
 * @blt_ggtt: treat blitter surface addresses as GGTT addresses and audit the
 *	extents of XY_SRC_COPY/XY_FAST_COPY/XY_COLOR (other surface blits are
 *	refused). Under execlists they are PPGTT addresses (confined by the
 *	shadow PPGTT); this is a conservative extra for a context the caller
 *	considers GGTT-only. 3D/media addresses are never audited here.
 * @max_cmds: bound on decoded commands (0: GVT_CMD_DEFAULT_MAX_CMDS)
 * @wa_gma, @wa_bytes: gvt_cmd_scan_ring() only, RCS only: the context's
 *	indirect-context (workaround) batch, which the engine runs during the
 *	context restore, before the ring. @wa_bytes 0: none; else a multiple
 *	of 64 at a 64-byte aligned GGTT address. It is scanned first, as a
 *	privileged GGTT segment (result bb[0], level 1) that ends at its size:
 *	no batch start or end may appear in it, and no command may cross its
 *	end.
 */
struct gvt_cmd_params {
	enum gvt_cmd_engine engine;
	gvt_cmd_read_t read;
	void *priv;
	struct gvt_cmd_gm_range gm[2];
	bool privileged;
	bool skip_ppgtt_bb;
	bool blt_ggtt;
	uint32_t max_cmds;
	uint64_t wa_gma;
	uint32_t wa_bytes;
};

#define GVT_CMD_DEFAULT_MAX_CMDS	(1u << 20)	/* > a full 2 MiB ring of MI_NOOP */
#define GVT_CMD_MAX_PDP			16	/* PDP LRIs reported per scan */
#define GVT_CMD_MAX_BB			512	/* GGTT batch segments reported per scan */
#define GVT_CMD_MAX_RELOC		512	/* batch starts reported per scan */
#define GVT_CMD_MAX_VISITED		128	/* distinct batch starts per scan */

enum gvt_cmd_violation {
	GVT_CMD_OK = 0,
	GVT_CMD_E_UNKNOWN,	/* opcode unknown or not valid on this engine */
	GVT_CMD_E_FORBIDDEN,	/* a command a guest must not issue */
	GVT_CMD_E_LENGTH,	/* bad length for the command */
	GVT_CMD_E_FIELD,	/* control bits the scanner cannot follow safely */
	GVT_CMD_E_REGISTER,	/* register access outside the whitelist */
	GVT_CMD_E_ADDRESS,	/* GGTT address outside the vGPU's ranges */
	GVT_CMD_E_FETCH,	/* guest memory not readable (accessor failed) */
	GVT_CMD_E_RING,		/* bad ring parameters or a command crossing the tail */
	GVT_CMD_E_NESTING,	/* batch start not allowed at this level / space */
	GVT_CMD_E_LIMIT,	/* batch or PDP budget exhausted */
	GVT_CMD_E_RUNAWAY,	/* command budget exhausted on valid commands: the
				 * batch would hang the engine (not a policy breach) */
	GVT_CMD_NUM_VIOLATIONS
};

/** struct gvt_cmd_pdp - one LRI data dword that loads a PDP register */
struct gvt_cmd_pdp {
	uint32_t reg;		/* MMIO offset (engine base + 0x270 + 4 * i) */
	uint32_t value;		/* as the guest wrote it */
	bool in_ring;		/* the value dword is at ring offset @where */
	bool ppgtt;		/* else at graphics address @where in this space */
	int16_t bb;		/* GGTT: index in result->bb of the segment holding it */
	uint32_t cmd;		/* which LRI (ordinal in the scan): loads of one
				 * command share it */
	uint64_t where;
};

/**
 * struct gvt_cmd_reloc - an MI_BATCH_BUFFER_START in the ring or in a GGTT
 * batch segment (those in PPGTT batches run in place and are not reported)
 * @where: the command: ring offset (@in_bb < 0) or GGTT address inside
 *	segment result->bb[@in_bb]; its address is the two dwords after it
 * @in_bb: segment holding it, -1 for the ring
 * @bb: target segment in result->bb (a GGTT batch: relocate the address to
 *	its shadow copy), -1 for a PPGTT target (the start must fetch through
 *	the PPGTT even in a privileged physical context: set bit 8)
 */
struct gvt_cmd_reloc {
	uint64_t where;
	int16_t in_bb;
	int16_t bb;
};

/** struct gvt_cmd_bb - a GGTT (privileged) batch segment, for shadowing */
struct gvt_cmd_bb {
	uint64_t gma;		/* first command */
	uint32_t len;		/* bytes up to the end of the last command scanned */
	uint8_t level;		/* 1 first level, 2 second level */
};

/**
 * struct gvt_cmd_result - outcome of one scan
 * @violation: GVT_CMD_OK or the class of the first violation; the fields
 *	below describe it: @in_ring/@ppgtt/@addr locate the command (ring
 *	offset or graphics address), @level 0 ring / 1 / 2, @header its first
 *	dword, @cmd its name, @why a fixed reason, @arg the offending register
 *	or address.
 * @pdp: PDP loads found (LRI only) that the caller must patch to the shadow
 * @bb: GGTT batch segments that the caller must execute from a copy
 * @reloc: batch starts the caller must patch in its copies (see
 *	struct gvt_cmd_reloc)
 * @cmds, @bytes, @batches: decoded commands, their bytes, batch starts
 *	followed; @loops: batch starts that re-entered already scanned code
 */
struct gvt_cmd_result {
	enum gvt_cmd_violation violation;
	bool in_ring, ppgtt, wa;
	uint8_t level;
	uint64_t addr;
	uint32_t header;
	const char *cmd;
	const char *why;
	uint64_t arg;

	unsigned int npdp;
	struct gvt_cmd_pdp pdp[GVT_CMD_MAX_PDP];
	unsigned int nbb;
	struct gvt_cmd_bb bb[GVT_CMD_MAX_BB];
	unsigned int nreloc;
	struct gvt_cmd_reloc reloc[GVT_CMD_MAX_RELOC];

	uint64_t cmds, bytes;
	uint32_t batches, loops;
};

/* Workspace. Fields are private to gvt_cmd*.c; the caller only owns it. */
struct gvt_cmd_frame {
	uint64_t ip;		/* ring: offset; batch: graphics address */
	bool ppgtt;
	int bb;			/* index in result->bb, -1 for none */
};

struct gvt_cmd_visit {
	uint64_t gma;
	uint8_t ppgtt, level;
	int16_t bb;		/* its segment in result->bb, -1 for PPGTT */
};

struct gvt_cmd_scanner {
	const struct gvt_cmd_params *p;
	struct gvt_cmd_result *res;
	uint64_t ring_gma;
	uint32_t ring_size, tail;
	unsigned int level;
	struct gvt_cmd_frame f[3];
	/* the command being audited */
	uint64_t cmd_addr;
	uint32_t cmd_len;
	/* read window: 64 dwords, never across a page */
	uint64_t win_addr;
	bool win_ppgtt, win_valid;
	uint32_t win[64];
	unsigned int nvisited;
	struct gvt_cmd_visit visited[GVT_CMD_MAX_VISITED];
	uint32_t budget;
	/* level 1 is the indirect-context batch, which ends at @wa_end */
	bool in_wa;
	uint64_t wa_end;
};

/**
 * gvt_cmd_scan_ring() - scan the ring range [head, tail) and every batch it starts
 * @ring_gma: GGTT address of the ring (4 KiB aligned); @ring_size: bytes,
 *	a multiple of 4 KiB up to 2 MiB; @head, @tail: byte offsets, dword
 *	aligned, < @ring_size (head == tail: nothing to scan)
 * The ring parameters come from the guest's context image: bad ones are a
 * violation (GVT_CMD_E_RING), not a caller error. With @p->wa_bytes the
 * indirect-context batch is scanned before the ring (see struct
 * gvt_cmd_params); one outside the vGPU is a GVT_CMD_E_ADDRESS violation.
 * Return: 0 (clean), -EACCES (the commands must not run: see @res; a
 * GVT_CMD_E_RUNAWAY result is a guest hang, every other one a violation),
 * -EINVAL (@s, @p, @res NULL, no @p->read or a bad @p->engine).
 */
int gvt_cmd_scan_ring(struct gvt_cmd_scanner *s, const struct gvt_cmd_params *p,
		      uint64_t ring_gma, uint32_t ring_size, uint32_t head, uint32_t tail,
		      struct gvt_cmd_result *res);

/**
 * gvt_cmd_scan_batch() - scan one first-level batch buffer at @gma
 * @ppgtt: the batch is fetched through the PPGTT (non-privileged)
 * Return: as gvt_cmd_scan_ring().
 */
int gvt_cmd_scan_batch(struct gvt_cmd_scanner *s, const struct gvt_cmd_params *p,
		       uint64_t gma, bool ppgtt, struct gvt_cmd_result *res);

/** gvt_cmd_violation_name() - short name of a violation class ("register") */
const char *gvt_cmd_violation_name(enum gvt_cmd_violation v);

/**
 * gvt_cmd_describe() - the one log line for a violation, e.g.
 * "RCS ring+0x1f8 MI_LOAD_REGISTER_IMM (0x11000001): register: register not
 * writable from a command buffer (0x2034)"
 * Return: what snprintf returns.
 */
int gvt_cmd_describe(const struct gvt_cmd_result *res, enum gvt_cmd_engine engine,
		     char *buf, size_t len);

/**
 * gvt_cmd_length() - total dwords of the command with first dword @hdr on
 * @engine, by the hardware's length rules (also for commands the scanner
 * rejects); 0 when the client or opcode has no length rule on that engine.
 */
uint32_t gvt_cmd_length(enum gvt_cmd_engine engine, uint32_t hdr);

/* ---- shared by gvt_cmd*.c only ---- */
#define GVT_CMD_REG_W	1u	/* writable (LRI, LRM, LRR destination, PIPE_CONTROL MMIO) */
#define GVT_CMD_REG_R	2u	/* readable (SRM, LRR source) */
#define GVT_CMD_REG_PDP	4u	/* a PDP: LRI only, reported for patching */

extern const uint32_t gvt_cmd_engine_base[GVT_CMD_NUM_ENGINES];
/* GVT_CMD_REG_* flags of MMIO offset @reg for a command on @engine (0: none) */
unsigned int gvt_cmd_reg_access(enum gvt_cmd_engine engine, uint32_t reg);

#endif /* GVT_SRC_GVT_CMD_H */
