// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake hypervisor, fake bus and the reference walker for sppt tests.
 *
 * The reference walker is written from the Gen8+ PPGTT format alone and
 * shares no code with the engine: it reads the GUEST tables as the GPU would
 * if it walked them directly, then maps the resulting guest page through the
 * (non-identity) fake gfn -> DMA map.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sppt_fake.h"

#define PG 4096u

uint64_t fake_rand(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fake_dma_of(uint64_t gfn)
{
	/* Multiplying by an odd constant mod 2^24 is a bijection: every gfn
	 * gets its own frame, far from the gfn and in scrambled order. */
	return (0x3000000ull + ((gfn * 40503ull + 977) & 0xffffffull)) << 12;
}

uint64_t fake_hv_dma(const struct fake_hv *hv, uint64_t gfn)
{
	unsigned int k;

	for (k = 0; k < hv->nlin; k++)
		if (gfn - hv->lin[k].gfn < hv->lin[k].npages)
			return hv->lin[k].dma + (gfn - hv->lin[k].gfn) * PG;
	return fake_dma_of(gfn);
}

int fake_linear_register(struct fake_hv *hv, uint64_t gfn, uint64_t npages, uint64_t dma)
{
	int ret = sppt_linear_register(hv->vgpu, gfn, npages, dma);

	if (!ret && hv->nlin < SPPT_LINEAR_MAX_RANGES)
		hv->lin[hv->nlin++] = (struct fake_lin){ gfn, npages, dma };
	return ret;
}

int fake_linear_unregister(struct fake_hv *hv, uint64_t gfn, uint64_t npages)
{
	unsigned int k;

	/* Out of the fake's set first: the engine pins these gfns again
	 * inside the call, and pin() must see them unregistered. */
	for (k = 0; k < hv->nlin; k++)
		if (hv->lin[k].gfn == gfn && hv->lin[k].npages == npages) {
			hv->lin[k] = hv->lin[--hv->nlin];
			break;
		}
	return sppt_linear_unregister(hv->vgpu, gfn, npages);
}

unsigned long fake_bus_refs(const struct fake_hv *hv, uint64_t dma, uint64_t len)
{
	unsigned long n = 0;
	unsigned int t, i;

	for (t = 0; t < hv->ntables; t++) {
		const uint64_t *tb = hv->tables[t];

		for (i = 0; tb && i < 512; i++)
			n += (tb[i] & 0x0000fffffffff000ull) - dma < len;
	}
	return n;
}

/* ---------------------------------------------------------------- ops */

static int f_read_gpa(void *priv, uint64_t gpa, void *buf, size_t len)
{
	struct fake_hv *hv = priv;

	if (gpa >= (uint64_t)hv->npages * PG || len > (uint64_t)hv->npages * PG - gpa)
		return -EFAULT;
	memcpy(buf, hv->mem + gpa, len);
	return 0;
}

static const void *f_guest_page(void *priv, uint64_t gfn)
{
	struct fake_hv *hv = priv;

	if (!hv->offer_guest_page || gfn >= hv->npages)
		return NULL;
	return hv->mem + gfn * PG;
}

static int f_pin(void *priv, uint64_t gfn, uint64_t *dma)
{
	struct fake_hv *hv = priv;

	unsigned int k;

	if (gfn >= hv->npages)
		return -EFAULT;
	for (k = 0; k < hv->nlin; k++)
		if (gfn - hv->lin[k].gfn < hv->lin[k].npages)
			hv->lin_pins++; /* linear: the engine must not pin */
	if (hv->pin[gfn])
		hv->errors++; /* the engine must pin a gfn only once */
	hv->pin[gfn]++;
	hv->pins_live++;
	*dma = fake_dma_of(gfn);
	return 0;
}

static void f_unpin(void *priv, uint64_t gfn, uint64_t dma)
{
	struct fake_hv *hv = priv;

	if (gfn >= hv->npages || !hv->pin[gfn] || dma != fake_dma_of(gfn)) {
		hv->errors++;
		return;
	}
	hv->pin[gfn]--;
	hv->pins_live--;
}

static int f_protect(void *priv, uint64_t gfn)
{
	struct fake_hv *hv = priv;

	if (gfn >= hv->npages)
		return -EFAULT;
	if ((int64_t)gfn == hv->protect_fail_gfn)
		return -EBUSY;
	if (hv->prot[gfn])
		hv->errors++;
	hv->prot[gfn] = 1;
	hv->prot_live++;
	/* Like an MMU write-protect: once protect returns (and the engine
	 * reads the page), a vCPU store that is not trapped happened before. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

static int f_unprotect(void *priv, uint64_t gfn)
{
	struct fake_hv *hv = priv;

	if (gfn >= hv->npages || !hv->prot[gfn]) {
		hv->errors++;
		return -EINVAL;
	}
	hv->prot[gfn] = 0;
	hv->prot_live--;
	return 0;
}

static int f_table_alloc(void *priv, void **va, uint64_t *dma)
{
	struct fake_hv *hv = priv;
	unsigned int idx;
	void *p;

	if (hv->alloc_serial++ == hv->alloc_fail_at ||
	    (hv->alloc_fail_every && hv->alloc_serial % hv->alloc_fail_every == 0))
		return -ENOMEM;
	p = aligned_alloc(PG, PG);
	if (!p)
		return -ENOMEM;
	/* Garbage, not zeros: the engine must write every entry. */
	memset(p, 0xa5, PG);
	if (hv->nfree) {
		idx = hv->free_idx[--hv->nfree];
	} else {
		if (hv->ntables == hv->cap) {
			unsigned int cap = hv->cap ? hv->cap * 2 : 256;
			void **t = realloc(hv->tables, cap * sizeof(*t));
			unsigned int *f = realloc(hv->free_idx, cap * sizeof(*f));

			if (!t || !f) {
				free(p);
				if (t)
					hv->tables = t;
				if (f)
					hv->free_idx = f;
				return -ENOMEM;
			}
			hv->tables = t;
			hv->free_idx = f;
			hv->cap = cap;
		}
		idx = hv->ntables++;
	}
	hv->tables[idx] = p;
	hv->tables_live++;
	*va = p;
	*dma = FAKE_TABLE_DMA_BASE + (uint64_t)idx * PG;
	return 0;
}

static void f_table_free(void *priv, void *va, uint64_t dma)
{
	struct fake_hv *hv = priv;
	uint64_t idx = (dma - FAKE_TABLE_DMA_BASE) / PG;

	if (dma < FAKE_TABLE_DMA_BASE || idx >= hv->ntables || hv->tables[idx] != va) {
		hv->errors++;
		return;
	}
	free(va);
	hv->tables[idx] = NULL;
	hv->free_idx[hv->nfree++] = (unsigned int)idx;
	hv->tables_live--;
}

const struct sppt_ops fake_ops = {
	.read_gpa = f_read_gpa,
	.guest_page = f_guest_page,
	.pin = f_pin,
	.unpin = f_unpin,
	.protect = f_protect,
	.unprotect = f_unprotect,
	.table_alloc = f_table_alloc,
	.table_free = f_table_free,
};

const struct sppt_ops fake_ops_noptr = {
	.read_gpa = f_read_gpa,
	.pin = f_pin,
	.unpin = f_unpin,
	.protect = f_protect,
	.unprotect = f_unprotect,
	.table_alloc = f_table_alloc,
	.table_free = f_table_free,
};

int fake_hv_init(struct fake_hv *hv, unsigned int npages)
{
	memset(hv, 0, sizeof(*hv));
	hv->npages = npages;
	/* Page aligned, as a host maps guest RAM. */
	hv->mem = aligned_alloc(PG, (size_t)npages * PG);
	if (hv->mem)
		memset(hv->mem, 0, (size_t)npages * PG);
	hv->prot = calloc(npages, 1);
	hv->pin = calloc(npages, sizeof(*hv->pin));
	hv->alloc_fail_at = -1;
	hv->protect_fail_gfn = -1;
	hv->offer_guest_page = true;
	hv->deliver_traps = true;
	if (!hv->mem || !hv->prot || !hv->pin) {
		fake_hv_fini(hv);
		return -ENOMEM;
	}
	return 0;
}

void fake_hv_fini(struct fake_hv *hv)
{
	unsigned int i;

	for (i = 0; i < hv->ntables; i++)
		free(hv->tables[i]);
	free(hv->tables);
	free(hv->free_idx);
	free(hv->mem);
	free(hv->prot);
	free(hv->pin);
	memset(hv, 0, sizeof(*hv));
}

const uint64_t *fake_bus_table(const struct fake_hv *hv, uint64_t dma)
{
	uint64_t idx;

	if (dma < FAKE_TABLE_DMA_BASE || (dma & (PG - 1)))
		return NULL;
	idx = (dma - FAKE_TABLE_DMA_BASE) / PG;
	return idx < hv->ntables ? hv->tables[idx] : NULL;
}

void fake_guest_write(struct fake_hv *hv, uint64_t gpa, const void *data, size_t len)
{
	uint64_t last = gpa + len - 1;
	bool trapped;

	if (!len || last >= (uint64_t)hv->npages * PG)
		return;
	memcpy(hv->mem + gpa, data, len);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with f_protect() */
	trapped = __atomic_load_n(&hv->prot[gpa / PG], __ATOMIC_RELAXED) ||
		  __atomic_load_n(&hv->prot[last / PG], __ATOMIC_RELAXED);
	if (trapped && hv->deliver_traps && hv->vgpu) {
		hv->traps++;
		hv->trap_bytes += len;
		sppt_write_trap(hv->vgpu, gpa, data, len);
	}
}

uint64_t fake_guest_read64(const struct fake_hv *hv, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, hv->mem + gpa, 8);
	return v;
}

/* ------------------------------------------------------ the GPU walker */

/* Format facts (Gen8+ PPGTT), restated here independently of the engine. */
#define E_P	(1ull << 0)
#define E_RW	(1ull << 1)
#define E_PWT	(1ull << 3)
#define E_PCD	(1ull << 4)
#define E_B7	(1ull << 7)	/* PTE: PAT; PDE: 2M; PDPE: 1G */
#define E_IPS	(1ull << 11)
#define E_B12	(1ull << 12)	/* 2M PDE: PAT */
#define A4K	0x0000fffffffff000ull
#define A64K	0x0000ffffffff0000ull
#define A2M	0x0000ffffffe00000ull

typedef bool (*read_fn)(const struct fake_hv *hv, uint64_t table, unsigned int i, uint64_t *e);

static bool read_guest(const struct fake_hv *hv, uint64_t table, unsigned int i, uint64_t *e)
{
	if (table / PG >= hv->npages)
		return false;
	*e = fake_guest_read64(hv, (table & A4K) + i * 8);
	return true;
}

static bool read_shadow(const struct fake_hv *hv, uint64_t table, unsigned int i, uint64_t *e)
{
	const uint64_t *t = fake_bus_table(hv, table & A4K);

	if (!t)
		return false;
	*e = t[i];
	return true;
}

/* The hardware walk: returns the 4K frame and effective flags. */
static void hw_walk(const struct fake_hv *hv, read_fn rd, unsigned int levels,
		    const uint64_t pdps[4], uint64_t va, struct fake_xlat *x)
{
	uint64_t table, e, rw = E_RW;
	unsigned int l, idx;
	bool ips = false;

	x->mapped = false;
	if (levels == 4) {
		table = pdps[0] & A4K;
		l = 4;
	} else {
		table = pdps[(va >> 30) & 3] & A4K;
		l = 2;
	}
	if (!table)
		return;
	for (;; l--) {
		idx = (va >> (12 + 9 * (l - 1))) & 511;
		if (l == 1 && ips)
			idx &= ~15u; /* 64K mode: every 16th PTE maps 64K */
		if (!rd(hv, table, idx, &e) || !(e & E_P))
			return;
		rw &= e & E_RW;
		if (l == 3 && (e & E_B7))
			return; /* 1G: not supported, treated as unmapped */
		if (l == 2 && (e & E_B7)) {
			x->mapped = true;
			x->addr = (e & A2M) + (va & 0x1ff000);
			x->flags = rw | (e & (E_PWT | E_PCD)) | ((e & E_B12) ? E_B7 : 0);
			x->entry = e;
			return;
		}
		if (l == 2)
			ips = e & E_IPS;
		if (l == 1) {
			x->mapped = true;
			x->addr = ips ? (e & A64K) + (va & 0xf000) : (e & A4K);
			x->flags = rw | (e & (E_PWT | E_PCD | E_B7));
			x->entry = e;
			return;
		}
		table = e & A4K;
	}
}

void fake_ref_translate(const struct fake_hv *hv, unsigned int levels, const uint64_t pdps[4],
			uint64_t va, struct fake_xlat *x)
{
	hw_walk(hv, read_guest, levels, pdps, va, x);
	if (x->mapped) {
		if (x->addr / PG >= hv->npages)
			x->mapped = false; /* outside guest RAM: must be scratch */
		else
			x->addr = fake_hv_dma(hv, x->addr / PG);
	}
}

void fake_shadow_translate(const struct fake_hv *hv, unsigned int levels,
			   const uint64_t sh_pdps[4], uint64_t va, struct fake_xlat *x)
{
	hw_walk(hv, read_shadow, levels, sh_pdps, va, x);
}

/* --------------------------------------------- structural comparison */

enum { N_NONE, N_TABLE, N_LEAF };

/* A node covers 512^lvl 4K pages: a table at lvl (PML4 = 4, PT = 1) or a
 * leaf (4K at lvl 0, 2M at lvl 1). */
struct node {
	int kind;
	unsigned int lvl;
	bool ips;
	uint64_t addr;
	uint64_t rw;	/* this entry's own RW bit (a 2M leaf: the PDE's) */
	uint64_t cache;
};

static struct node node_child(const struct fake_hv *hv, read_fn rd, const struct node *n,
			      unsigned int i)
{
	struct node c = { .kind = N_NONE, .lvl = n->lvl - 1 };
	uint64_t e;

	if (n->kind == N_NONE)
		return c;
	if (n->kind == N_LEAF) {
		c = *n;
		c.lvl = n->lvl - 1;
		c.addr = n->addr + (uint64_t)i * PG; /* only 2M leaves reach here */
		return c;
	}
	if (!rd(hv, n->addr, (n->lvl == 1 && n->ips) ? (i & ~15u) : i, &e) || !(e & E_P))
		return c;
	c.rw = e & E_RW;
	switch (n->lvl) {
	case 4:
		c.kind = N_TABLE;
		c.addr = e & A4K;
		break;
	case 3:
		if (!(e & E_B7)) {
			c.kind = N_TABLE;
			c.addr = e & A4K;
		}
		break;
	case 2:
		if (e & E_B7) {
			c.kind = N_LEAF;
			c.addr = e & A2M;
			c.cache = (e & (E_PWT | E_PCD)) | ((e & E_B12) ? E_B7 : 0);
		} else {
			c.kind = N_TABLE;
			c.addr = e & A4K;
			c.ips = e & E_IPS;
		}
		break;
	default:
		c.kind = N_LEAF;
		c.addr = n->ips ? (e & A64K) + (uint64_t)(i & 15) * PG : (e & A4K);
		c.cache = e & (E_PWT | E_PCD | E_B7);
		break;
	}
	return c;
}

struct memo_ent {
	uint64_t g, s;
	unsigned int lvl;
	unsigned int gen;
};

struct fake_memo {
	struct memo_ent *e;
	unsigned int cap, n, gen;
};

struct fake_memo *fake_memo_new(unsigned int bits)
{
	struct fake_memo *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 1u << (bits ? bits : 16);
	m->e = calloc(m->cap, sizeof(*m->e));
	if (!m->e) {
		free(m);
		return NULL;
	}
	m->gen = 1;
	return m;
}

void fake_memo_reset(struct fake_memo *m)
{
	m->n = 0;
	if (++m->gen == 0) {
		memset(m->e, 0, m->cap * sizeof(*m->e));
		m->gen = 1;
	}
}

void fake_memo_free(struct fake_memo *m)
{
	if (m)
		free(m->e);
	free(m);
}

struct cmp_ctx {
	const struct fake_hv *hv;
	uint64_t scratch[5];
	struct fake_memo *memo;
	char *msg;
	size_t msglen;
	unsigned long visits;
};

/* true if the pair was seen before (and records it otherwise) */
static bool memo_seen(struct cmp_ctx *c, const struct node *g, const struct node *s)
{
	struct fake_memo *mm = c->memo;
	uint64_t gk = g->addr | (g->ips ? 1 : 0) | (g->kind == N_LEAF ? 2 + g->cache * 4 : 0), h;
	unsigned int i;

	if (mm->n * 2 >= mm->cap)
		return false; /* full: just walk again */
	h = (gk * 31 + s->addr * 17 + g->lvl) * 0x9e3779b97f4a7c15ull;
	for (i = (unsigned int)(h >> 40) & (mm->cap - 1);; i = (i + 1) & (mm->cap - 1)) {
		struct memo_ent *m = &mm->e[i];

		if (m->gen != mm->gen) {
			*m = (struct memo_ent){ gk, s->addr, g->lvl, mm->gen };
			mm->n++;
			return false;
		}
		if (m->g == gk && m->s == s->addr && m->lvl == g->lvl)
			return true;
	}
}

/* The common pair, a 4K-mode PT against its shadow, without node structs.
 * Returns 0 when all 512 leaves agree, -1 to let the slow path explain. */
static int pt_pair_fast(struct cmp_ctx *c, const struct node *g, const struct node *s)
{
	const uint64_t *st = fake_bus_table(c->hv, s->addr);
	const uint8_t *gt;
	unsigned int i;

	if (!st || g->addr / PG >= c->hv->npages)
		return -1;
	gt = c->hv->mem + g->addr;
	for (i = 0; i < 512; i++) {
		uint64_t ge, se = st[i];

		memcpy(&ge, gt + i * 8, 8);
		if (!(se & E_P))
			return -1;
		if ((ge & E_P) && (ge & A4K) / PG < c->hv->npages) {
			if ((se & A4K) != fake_hv_dma(c->hv, (ge & A4K) / PG) ||
			    (se & E_RW) != (ge & E_RW) ||
			    (se & (E_PWT | E_PCD | E_B7)) != (ge & (E_PWT | E_PCD | E_B7)))
				return -1;
		} else if ((se & A4K) != c->scratch[0]) {
			return -1;
		}
	}
	return 0;
}

/* A 2M guest leaf against the shadow PT it was split into. */
static int leaf2m_pair_fast(struct cmp_ctx *c, const struct node *g, const struct node *s)
{
	const uint64_t *st = fake_bus_table(c->hv, s->addr);
	unsigned int i;

	if (!st)
		return -1;
	for (i = 0; i < 512; i++) {
		uint64_t gfn = g->addr / PG + i, se = st[i];

		if (!(se & E_P))
			return -1;
		if (gfn < c->hv->npages) {
			if ((se & A4K) != fake_hv_dma(c->hv, gfn) || (se & E_RW) != g->rw ||
			    (se & (E_PWT | E_PCD | E_B7)) != g->cache)
				return -1;
		} else if ((se & A4K) != c->scratch[0]) {
			return -1;
		}
	}
	return 0;
}

/* A 2M guest leaf against a native 2M shadow leaf: page by page. */
static int leaf2m_native_fast(struct cmp_ctx *c, const struct node *g, const struct node *s)
{
	unsigned int i;

	if (s->rw != g->rw || s->cache != g->cache)
		return -1;
	for (i = 0; i < 512; i++) {
		uint64_t gfn = g->addr / PG + i;
		uint64_t want = gfn < c->hv->npages ? fake_hv_dma(c->hv, gfn) : c->scratch[0];

		if (s->addr + (uint64_t)i * PG != want)
			return -1;
	}
	return 0;
}

static int cmp_nodes(struct cmp_ctx *c, const struct node *g, const struct node *s, uint64_t va)
{
	unsigned int i;

	c->visits++;
	if (g->lvl == 0) {
		bool in_ram = g->kind == N_LEAF && g->addr / PG < c->hv->npages;
		uint64_t want = in_ram ? fake_hv_dma(c->hv, g->addr / PG) : c->scratch[0];

		if (s->kind != N_LEAF) {
			snprintf(c->msg, c->msglen, "va 0x%" PRIx64 ": shadow not mapped", va);
			return -1;
		}
		if (s->addr != want) {
			snprintf(c->msg, c->msglen,
				 "va 0x%" PRIx64 ": shadow -> 0x%" PRIx64 ", want 0x%" PRIx64
				 " (guest %s 0x%" PRIx64 ")",
				 va, s->addr, want, g->kind == N_LEAF ? "page" : "unmapped", g->addr);
			return -1;
		}
		if (in_ram && (s->rw != g->rw || s->cache != g->cache)) {
			snprintf(c->msg, c->msglen,
				 "va 0x%" PRIx64 ": flags rw %" PRIx64 "/%" PRIx64 " cache %" PRIx64
				 "/%" PRIx64,
				 va, s->rw, g->rw, s->cache, g->cache);
			return -1;
		}
		return 0;
	}
	if (s->kind == N_NONE) {
		snprintf(c->msg, c->msglen, "va 0x%" PRIx64 " lvl %u: shadow entry not present", va,
			 g->lvl);
		return -1;
	}
	/* RW is compared level by level (the shadow copies it at every level,
	 * so the AND along any path agrees); that keeps the memo key small. */
	if (g->kind != N_NONE && s->rw != g->rw) {
		snprintf(c->msg, c->msglen, "va 0x%" PRIx64 " lvl %u: rw %" PRIx64 " want %" PRIx64,
			 va, g->lvl, s->rw, g->rw);
		return -1;
	}
	/* Guest maps nothing here: the shadow must point at scratch. */
	if (g->kind == N_NONE && s->kind == N_TABLE && s->addr == c->scratch[g->lvl])
		return 0;
	if (g->kind != N_NONE && s->kind == N_TABLE && memo_seen(c, g, s))
		return 0;
	if (g->lvl == 1 && g->kind == N_TABLE && !g->ips && s->kind == N_TABLE &&
	    !pt_pair_fast(c, g, s))
		return 0;
	if (g->lvl == 1 && g->kind == N_LEAF && s->kind == N_TABLE && !leaf2m_pair_fast(c, g, s))
		return 0;
	if (g->lvl == 1 && g->kind == N_LEAF && s->kind == N_LEAF && !leaf2m_native_fast(c, g, s))
		return 0;
	for (i = 0; i < 512; i++) {
		struct node gc = node_child(c->hv, read_guest, g, i);
		struct node sc = node_child(c->hv, read_shadow, s, i);

		if (gc.kind == N_TABLE && gc.addr / PG >= c->hv->npages)
			gc.kind = N_NONE; /* a table outside RAM maps nothing */
		if (cmp_nodes(c, &gc, &sc, va + ((uint64_t)i << (12 + 9 * (g->lvl - 1)))))
			return -1;
	}
	return 0;
}

int fake_check_scratch(const struct fake_hv *hv, struct sppt_vgpu *vgpu, char *msg, size_t msglen)
{
	unsigned int l, i;

	for (l = 1; l <= 4; l++) {
		const uint64_t *t = fake_bus_table(hv, sppt_scratch_addr(vgpu, l));

		if (!t) {
			snprintf(msg, msglen, "scratch level %u not on the bus", l);
			return -1;
		}
		for (i = 0; i < 512; i++) {
			if ((t[i] & A4K) != sppt_scratch_addr(vgpu, l - 1) || !(t[i] & E_P)) {
				snprintf(msg, msglen, "scratch level %u entry %u = 0x%" PRIx64, l, i,
					 t[i]);
				return -1;
			}
		}
	}
	return 0;
}

int fake_check_root(const struct fake_hv *hv, struct sppt_vgpu *vgpu, struct sppt_root *root,
		    unsigned int levels, const uint64_t pdps[4], uint64_t *rng,
		    unsigned int samples, char *msg, size_t msglen)
{
	struct fake_memo *m = fake_memo_new(0);
	int ret;

	if (!m) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	ret = fake_check_root_memo(hv, vgpu, root, levels, pdps, rng, samples, m, msg, msglen);
	fake_memo_free(m);
	return ret;
}

int fake_check_root_memo(const struct fake_hv *hv, struct sppt_vgpu *vgpu,
			 struct sppt_root *root, unsigned int levels, const uint64_t pdps[4],
			 uint64_t *rng, unsigned int samples, struct fake_memo *memo, char *msg,
			 size_t msglen)
{
	struct cmp_ctx c = { .hv = hv, .msg = msg, .msglen = msglen, .memo = memo };
	uint64_t sh[4];
	unsigned int k, l;
	int ret = 0;

	if (sppt_root_shadow_addr(root, sh) != (int)levels) {
		snprintf(msg, msglen, "root not shadowed");
		return -1;
	}
	for (l = 0; l <= 4; l++)
		c.scratch[l] = sppt_scratch_addr(vgpu, l);
	for (k = 0; k < (levels == 4 ? 1u : 4u) && !ret; k++) {
		struct node g = { .kind = N_NONE, .lvl = levels == 4 ? 4 : 2, .rw = E_RW };
		struct node s = g;

		if ((pdps[k] & A4K) && (pdps[k] & A4K) / PG < hv->npages) {
			g.kind = N_TABLE;
			g.addr = pdps[k] & A4K;
		}
		s.kind = N_TABLE;
		s.addr = sh[k];
		ret = cmp_nodes(&c, &g, &s, (uint64_t)k << 30);
	}
	/* Literal per-VA translations through both walkers. */
	for (k = 0; k < samples && !ret; k++) {
		uint64_t va = fake_rand(rng) & (levels == 4 ? 0xfffffffff000ull : 0xfffff000ull);
		struct fake_xlat r, s;

		fake_ref_translate(hv, levels, pdps, va, &r);
		fake_shadow_translate(hv, levels, sh, va, &s);
		if (!s.mapped || (r.mapped && (r.addr != s.addr || r.flags != s.flags)) ||
		    (!r.mapped && s.addr != c.scratch[0])) {
			snprintf(msg, msglen,
				 "sample va 0x%" PRIx64 ": ref %d 0x%" PRIx64 "/%" PRIx64
				 " shadow %d 0x%" PRIx64 "/%" PRIx64,
				 va, r.mapped, r.addr, r.flags, s.mapped, s.addr, s.flags);
			ret = -1;
		}
	}
	return ret;
}
