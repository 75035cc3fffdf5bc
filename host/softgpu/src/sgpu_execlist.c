// SPDX-License-Identifier: GPL-2.0-only
/*
 * softgpu execlists: ELSP (four dword writes: elem1 hi/lo, elem0 hi/lo, the
 * 4th triggers the load), logical ring context load/save at the gen9 image
 * offsets, the context status buffer in the HWSP (dwords 0x10.., write
 * pointer at 0x1F) and its MMIO mirror, lite restore, preemption at
 * arbitration points, engine errors and engine reset.
 * Event sequences follow what i915's gen8_csb_parse() accepts
 * (intel_execlists_submission.c), see docs/softgpu.md.
 */
#include "sgpu_internal.h"

static int img_read(struct sgpu_engine *eng, uint32_t lrca, unsigned int idx, uint32_t *v)
{
	return sgpu_ggtt_read32(eng->gpu, (uint64_t)lrca + CTX_REG_PAGE + idx * 4u, v);
}

static void img_write(struct sgpu_engine *eng, uint32_t lrca, unsigned int idx, uint32_t v)
{
	if (sgpu_ggtt_write32(eng->gpu, (uint64_t)lrca + CTX_REG_PAGE + idx * 4u, v))
		eng->gpu->st.faults++;
}

static void csb_write(struct sgpu_engine *eng, uint32_t status, uint32_t ccid)
{
	struct sgpu *gpu = eng->gpu;
	uint64_t hwsp = *ereg(eng, R_HWS_PGA) & ~0xFFFull;
	unsigned int i;

	eng->csb_wr = (eng->csb_wr + 1) % CSB_ENTRIES;
	i = eng->csb_wr;
	*ereg(eng, R_CSB_BUF + 8 * i) = status;
	*ereg(eng, R_CSB_BUF + 8 * i + 4) = ccid;
	/* entry before pointer, both before the interrupt */
	if (sgpu_ggtt_write32(gpu, hwsp + (HWSP_CSB_DW + 2 * i) * 4, status) ||
	    sgpu_ggtt_write32(gpu, hwsp + (HWSP_CSB_DW + 2 * i + 1) * 4, ccid) ||
	    sgpu_ggtt_write32(gpu, hwsp + HWSP_CSB_WRITE_DW * 4, i))
		gpu->st.faults++;
	gpu->st.csb_events++;
	sgpu_raise(eng, GT_CTX_SWITCH);
}

void sgpu_csb_ptr_write(struct sgpu_engine *eng, uint32_t val)
{
	uint32_t *r = ereg(eng, R_CSB_PTR);
	uint32_t m = val >> 16;

	*r = (*r & ~m) | (val & m & 0xFFFF);
	if (m & 7) {
		eng->csb_wr = val & 7;
		if (eng->csb_wr >= CSB_ENTRIES)
			eng->csb_wr = CSB_ENTRIES - 1;
	}
}

void sgpu_engine_fail(struct sgpu_engine *eng, uint32_t eir, uint32_t header, uint64_t fault,
		      const char *fmt, ...)
{
	struct sgpu *gpu = eng->gpu;
	struct sgpu_error *e = &eng->err;
	va_list ap;

	if (eng->halted)
		return;
	eng->halted = true;
	eng->sem_waiting = false;
	memset(e, 0, sizeof(*e));
	e->valid = true;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	e->header = header;
	e->addr = eng->acthd;
	e->fault_addr = fault;
	e->lrca = sgpu_cur(eng)->lrca;
	eir |= EIR_INSTRUCTION;
	*ereg(eng, R_ESR) |= eir;
	*ereg(eng, R_EIR) |= eir;
	*ereg(eng, R_IPEIR) = eir;
	*ereg(eng, R_IPEHR) = header;
	gpu->st.errors++;
	sgpu_log(gpu, "%s: context lrca 0x%x stopped at 0x%llx: %s (header 0x%08x)",
		 eng->name, e->lrca, (unsigned long long)eng->acthd, e->reason, header);
	if (eir & ~*ereg(eng, R_EMR))
		sgpu_raise(eng, GT_CS_ERROR);
}

/* Load the element's context from its image and make it the running one. */
static bool activate(struct sgpu_engine *eng, unsigned int idx)
{
	struct sgpu_ctx *c = &eng->elem[idx];
	uint32_t v[0x34];
	static const unsigned int want[] = {
		CTX_RING_HEAD, CTX_RING_TAIL, CTX_RING_START, CTX_RING_CTL,
		CTX_BB_ADDR_UDW, CTX_BB_ADDR, CTX_BB_STATE, CTX_SBB_ADDR_UDW, CTX_SBB_ADDR,
		CTX_SBB_ADDR + 2, CTX_TIMESTAMP,
		CTX_PDP_UDW(0), CTX_PDP_LDW(0), CTX_PDP_UDW(1), CTX_PDP_LDW(1),
		CTX_PDP_UDW(2), CTX_PDP_LDW(2), CTX_PDP_UDW(3), CTX_PDP_LDW(3),
	};
	uint64_t bb, sbb;
	unsigned int i;

	eng->cur = idx;
	eng->active = true;
	eng->level = 0;
	eng->arb_on = true;
	eng->sem_waiting = false;
	eng->wa_active = false;
	eng->activation_cmds = 0;
	eng->act_start_ns = sgpu_now_ns();
	eng->act_model_ns = eng->model_ns;
	sgpu_tc_flush(eng);	/* new address space */

	c->lrca = (uint32_t)(c->desc & DESC_LRCA_MASK);
	c->ccid = (uint32_t)(c->desc >> 32);
	c->addr_mode = (c->desc >> DESC_ADDR_MODE_SHIFT) & 3;
	c->priv = c->desc & DESC_PRIVILEGE;
	memset(v, 0, sizeof(v));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (img_read(eng, c->lrca, want[i], &v[want[i]])) {
			sgpu_fault(eng, (uint64_t)c->lrca + CTX_REG_PAGE + want[i] * 4u, false);
			sgpu_engine_fail(eng, EIR_PAGE_TABLE, 0, c->lrca,
					 "context image at 0x%x not mapped", c->lrca);
			return false;
		}
	}
	if (!(v[CTX_RING_CTL] & RING_CTL_VALID)) {
		sgpu_engine_fail(eng, 0, 0, 0, "ring not valid in context image (ctl 0x%x)",
				 v[CTX_RING_CTL]);
		return false;
	}
	/* RING_CTL bits 20:12 = pages - 1 (PRM vol 2c RING_BUFFER_CTL) */
	c->ring_size = (((v[CTX_RING_CTL] >> 12) & 0x1FF) + 1) << 12;
	c->ring_start = v[CTX_RING_START] & ~0xFFFu;
	c->head = v[CTX_RING_HEAD] & (c->ring_size - 1) & ~3u;
	c->tail = v[CTX_RING_TAIL] & (c->ring_size - 1) & ~3u;
	for (i = 0; i < 4; i++)
		c->pdp[i] = ((uint64_t)v[CTX_PDP_UDW(i)] << 32) | v[CTX_PDP_LDW(i)];
	c->busy_ns = (uint64_t)v[CTX_TIMESTAMP] * 250 / 3;
	if (c->addr_mode != ADDR_MODE_LEGACY_32 && c->addr_mode != ADDR_MODE_LEGACY_64) {
		sgpu_engine_fail(eng, 0, 0, 0, "unsupported addressing mode %u", c->addr_mode);
		return false;
	}
	/* softgpu convention: bit 0 of a saved (S)BB_ADDR = a batch was in flight */
	bb = ((uint64_t)v[CTX_BB_ADDR_UDW] << 32) | v[CTX_BB_ADDR];
	sbb = ((uint64_t)v[CTX_SBB_ADDR_UDW] << 32) | v[CTX_SBB_ADDR];
	if (bb & 1) {
		eng->level = 1;
		eng->bb_addr[1] = bb & ~3ull;
		eng->bb_ppgtt[1] = v[CTX_BB_STATE] & (1u << 5);
		if (sbb & 1) {
			eng->level = 2;
			eng->bb_ret = eng->bb_addr[1];
			eng->bb_addr[2] = sbb & ~3ull;
			eng->bb_ppgtt[2] = v[CTX_SBB_ADDR + 2] & (1u << 5);
		}
	}
	eng->acthd = c->ring_start + c->head;
	/*
	 * RCS: INDIRECT_CTX (GGTT address | size in 64-byte lines) names a
	 * batch the hardware runs in the middle of the register restore, at
	 * INDIRECT_CTX_OFFSET. Here the whole image is loaded at once above,
	 * so it runs after all of it and before the first ring (or resumed
	 * batch) command: its register writes then stick, as they do on
	 * hardware where the restore point follows the registers they touch.
	 * It is taken from the image on every load, restore-inhibit or not.
	 */
	if (eng->id == SGPU_RCS) {
		uint32_t ind;

		if (img_read(eng, c->lrca, CTX_INDIRECT_CTX, &ind)) {
			sgpu_engine_fail(eng, EIR_PAGE_TABLE, 0, c->lrca,
					 "context image at 0x%x not mapped", c->lrca);
			return false;
		}
		if (ind & INDIRECT_CTX_LINES) {
			eng->wa_addr = ind & ~INDIRECT_CTX_LINES;
			eng->wa_end = eng->wa_addr + (ind & INDIRECT_CTX_LINES) * 64ull;
			eng->wa_active = true;
			eng->gpu->st.indirect_ctx_runs++;
		}
	}
	return true;
}

/* Write back what i915 reads: ring head, timestamp, and the batch state. */
static void save(struct sgpu_engine *eng)
{
	struct sgpu_ctx *c = sgpu_cur(eng);
	uint64_t bb = 0, sbb = 0;

	img_write(eng, c->lrca, CTX_RING_HEAD, c->head);
	img_write(eng, c->lrca, CTX_TIMESTAMP, (uint32_t)(c->busy_ns * 3 / 250));
	if (eng->level >= 1)
		bb = (eng->level == 2 ? eng->bb_ret : eng->bb_addr[1]) | 1;
	if (eng->level == 2)
		sbb = eng->bb_addr[2] | 1;
	img_write(eng, c->lrca, CTX_BB_ADDR, (uint32_t)bb);
	img_write(eng, c->lrca, CTX_BB_ADDR_UDW, (uint32_t)(bb >> 32));
	img_write(eng, c->lrca, CTX_BB_STATE, eng->level >= 1 && eng->bb_ppgtt[1] ? 1u << 5 : 0);
	img_write(eng, c->lrca, CTX_SBB_ADDR, (uint32_t)sbb);
	img_write(eng, c->lrca, CTX_SBB_ADDR_UDW, (uint32_t)(sbb >> 32));
	img_write(eng, c->lrca, CTX_SBB_ADDR + 2, eng->level == 2 && eng->bb_ppgtt[2] ? 1u << 5 : 0);
}

static void go_idle(struct sgpu_engine *eng)
{
	eng->active = false;
	eng->elem[0].valid = false;
	eng->elem[1].valid = false;
	eng->level = 0;
	eng->sem_waiting = false;
	eng->wa_active = false;
}

void sgpu_ctx_complete(struct sgpu_engine *eng)
{
	struct sgpu_ctx *c = sgpu_cur(eng);

	save(eng);
	if (eng->cur == 0 && eng->elem[1].valid) {
		csb_write(eng, CSB_ELEMENT_SWITCH | CSB_COMPLETE, c->ccid);
		activate(eng, 1);
		return;
	}
	csb_write(eng, CSB_ACTIVE_IDLE | CSB_COMPLETE, c->ccid);
	go_idle(eng);
}

bool sgpu_arbitrate(struct sgpu_engine *eng)
{
	struct sgpu_ctx *c = sgpu_cur(eng);
	uint64_t d0 = eng->pend_desc[0], d1 = eng->pend_desc[1];

	if (!eng->pending)
		return false;
	eng->pending = false;
	if (eng->active && (d0 & DESC_LRCA_MASK) == c->lrca) {
		/* lite restore: same context first, pick up the new tail */
		uint32_t tail, old_ccid = c->ccid;

		if (img_read(eng, c->lrca, CTX_RING_TAIL, &tail)) {
			sgpu_engine_fail(eng, EIR_PAGE_TABLE, 0, c->lrca, "context image unmapped");
			return true;
		}
		if (eng->cur != 0)
			eng->elem[0] = *c;
		eng->cur = 0;
		c = &eng->elem[0];
		c->desc = d0;
		c->ccid = (uint32_t)(d0 >> 32);
		c->tail = tail & (c->ring_size - 1) & ~3u;
		eng->elem[1].valid = d1 & DESC_VALID;
		eng->elem[1].desc = d1;
		eng->activation_cmds = 0;
		csb_write(eng, CSB_PREEMPTED | CSB_LITE_RESTORE, old_ccid);
		return true;
	}
	if (eng->active) {
		save(eng);
		csb_write(eng, CSB_PREEMPTED, c->ccid);
	} else {
		csb_write(eng, CSB_IDLE_ACTIVE, (uint32_t)(d0 >> 32));
	}
	eng->elem[0].valid = true;
	eng->elem[0].desc = d0;
	eng->elem[1].valid = d1 & DESC_VALID;
	eng->elem[1].desc = d1;
	activate(eng, 0);
	return true;
}

void sgpu_elsp_write(struct sgpu_engine *eng, uint32_t val)
{
	uint64_t d0, d1;

	eng->elsp[eng->elsp_n++] = val;
	if (eng->elsp_n < 4)
		return;
	eng->elsp_n = 0;
	d1 = ((uint64_t)eng->elsp[0] << 32) | eng->elsp[1];
	d0 = ((uint64_t)eng->elsp[2] << 32) | eng->elsp[3];
	if (!(*ereg(eng, R_MODE) & MODE_RUN_LIST_ENABLE) || !(d0 & DESC_VALID) || eng->halted) {
		sgpu_log(eng->gpu, "%s: ELSP write dropped (%s)", eng->name,
			 eng->halted ? "engine halted" :
			 !(d0 & DESC_VALID) ? "element 0 not valid" : "execlists not enabled");
		return;
	}
	eng->pending = true;
	eng->pend_desc[0] = d0;
	eng->pend_desc[1] = d1;
	if (!eng->active)
		sgpu_arbitrate(eng);	/* idle: load at once */
	sgpu_kick(eng);
}

void sgpu_engine_reset(struct sgpu_engine *eng)
{
	uint32_t *r = ereg(eng, 0);

	go_idle(eng);
	eng->halted = false;
	eng->pending = false;
	eng->elsp_n = 0;
	eng->csb_wr = CSB_ENTRIES - 1;	/* next event lands in entry 0 */
	sgpu_tc_flush(eng);
	eng->acthd = 0;
	memset(r, 0, ENGINE_REG_SPAN);
	*ereg(eng, R_IMR) = 0xFFFFFFFF;
	*ereg(eng, R_HWSTAM) = 0xFFFFFFFF;
	*ereg(eng, R_EMR) = 0xFFFFFFFF;
	*ereg(eng, R_CSB_PTR) = 0x700 | (CSB_ENTRIES - 1);
	sgpu_kick(eng);
}

bool sgpu_engine_runnable(struct sgpu_engine *eng)
{
	return eng->active && !eng->halted && !eng->gpu->stopping &&
	       !(*ereg(eng, R_MI_MODE) & MI_MODE_STOP_RING) &&
	       !(*ereg(eng, R_RESET_CTL) & RESET_CTL_REQUEST);
}
