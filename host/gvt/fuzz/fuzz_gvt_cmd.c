// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the command scanner: the input is a configuration
 * header followed by the contents of a small GGTT and PPGTT. Every scan must
 * terminate, read only through the accessor (which aborts on any read the
 * scanner's contract forbids), and leave a result whose counts and lists
 * are within their bounds. The ring scans may start with an RCS
 * indirect-context batch (header bytes 6-7), which, when clean, must be
 * segment 0, scanned to exactly its size, with no batch start in it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gvt_cmd.h"

#define MEM_SIZE	0x10000u	/* GGTT [0, 64 KiB), PPGTT [0, 64 KiB) */
#define MAX_CMDS	4096u

static uint8_t mem[2 * MEM_SIZE];	/* GGTT then PPGTT */
static struct gvt_cmd_scanner scanner;
static struct gvt_cmd_result res;
static unsigned long reads;

static int fuzz_read(void *priv, uint64_t gma, bool pp, void *buf, size_t len)
{
	(void)priv;
	if (len == 0 || len > 256 || (gma & 0xfff) + len > 0x1000)
		abort();	/* the scanner broke its read contract */
	reads++;
	if (gma >= MEM_SIZE || len > MEM_SIZE - gma)
		return -EFAULT;
	memcpy(buf, mem + (pp ? MEM_SIZE : 0) + gma, len);
	return 0;
}

static void check(int ret, const struct gvt_cmd_params *p)
{
	char line[512];

	if (ret != 0 && ret != -EACCES)
		abort();
	if ((ret == 0) != (res.violation == GVT_CMD_OK))
		abort();
	if ((unsigned int)res.violation >= GVT_CMD_NUM_VIOLATIONS)
		abort();
	if (res.npdp > GVT_CMD_MAX_PDP || res.nbb > GVT_CMD_MAX_BB)
		abort();
	if (res.cmds > p->max_cmds || res.batches > res.cmds + 1)
		abort();
	for (unsigned int i = 0; i < res.nbb; i++) {
		/* GGTT batch segments lie inside the vGPU's ranges */
		const struct gvt_cmd_bb *bb = &res.bb[i];
		bool in = false;

		for (unsigned int g = 0; g < 2; g++)
			if (bb->gma >= p->gm[g].base &&
			    bb->gma + bb->len <= p->gm[g].base + p->gm[g].size)
				in = true;
		if (!in || (bb->level != 1 && bb->level != 2))
			abort();
	}
	if (res.nreloc > GVT_CMD_MAX_RELOC)
		abort();
	for (unsigned int i = 0; i < res.nreloc; i++) {
		/* a start to patch names real segments: the workload indexes by them */
		const struct gvt_cmd_reloc *rl = &res.reloc[i];

		if (rl->in_bb >= (int)res.nbb || rl->bb >= (int)res.nbb || rl->in_bb < -1 ||
		    rl->bb < -1)
			abort();
		if (rl->in_bb >= 0 && (rl->where < res.bb[rl->in_bb].gma ||
				       rl->where + 12 > res.bb[rl->in_bb].gma + res.bb[rl->in_bb].len))
			abort();
	}
	for (unsigned int i = 0; i < res.npdp; i++)
		if (res.pdp[i].bb >= (int)res.nbb ||
		    (!res.pdp[i].in_ring && !res.pdp[i].ppgtt && res.pdp[i].bb < 0))
			abort();
	if (p->wa_bytes && ret == 0) {
		if (p->engine != GVT_CMD_RCS || res.nbb < 1 || res.bb[0].gma != p->wa_gma ||
		    res.bb[0].len != p->wa_bytes || res.bb[0].level != 1)
			abort();
		for (unsigned int i = 0; i < res.nreloc; i++)
			if (res.reloc[i].in_bb == 0)
				abort();
	}
	gvt_cmd_describe(&res, p->engine, line, sizeof(line));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gvt_cmd_params p = { 0 };
	uint32_t head, tail, ring;
	size_t n;

	if (size < 8)
		return 0;
	p.engine = (enum gvt_cmd_engine)(data[0] & 3);
	p.privileged = data[0] & 4;
	p.skip_ppgtt_bb = data[0] & 8;
	p.blt_ggtt = data[0] & 16;
	p.read = fuzz_read;
	p.max_cmds = MAX_CMDS;
	p.gm[0].base = 0x1000;
	p.gm[0].size = 0x7000;
	p.gm[1].base = 0xa000;
	p.gm[1].size = 0x6000;
	ring = (data[1] & 7) << 12;				/* ring start, page aligned */
	head = (data[2] | (data[3] << 8)) & 0xffc;
	tail = (data[4] | (data[5] << 8)) & 0xffc;
	/* indirect-context batch: 0..63 lines at any line of the 64 KiB GGTT */
	p.wa_bytes = (data[6] & 0x3f) * 64u;
	p.wa_gma = (uint64_t)(data[7] | (data[6] & 0xc0) << 2) << 6;
	data += 8;
	size -= 8;

	/* the rest fills GGTT then PPGTT, repeated to cover both */
	memset(mem, 0, sizeof(mem));
	for (n = 0; size && n < sizeof(mem); n += size)
		memcpy(mem + n, data, size < sizeof(mem) - n ? size : sizeof(mem) - n);

	check(gvt_cmd_scan_ring(&scanner, &p, ring, 0x1000, head, tail, &res), &p);
	p.wa_bytes = 0;		/* only ring scans take it */
	check(gvt_cmd_scan_ring(&scanner, &p, ring, 0x1000, head, tail, &res), &p);
	check(gvt_cmd_scan_batch(&scanner, &p, 0x1000 + head, false, &res), &p);
	check(gvt_cmd_scan_batch(&scanner, &p, tail, true, &res), &p);
	return 0;
}
