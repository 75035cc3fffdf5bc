// SPDX-License-Identifier: GPL-2.0-only
/* The sppt property driver (see sppt_prop.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sppt_fake.h"
#include "sppt_prop.h"

#define MAX_ROOTS 6
#define MAX_TORN 4
#define PG 4096u

struct root_slot {
	struct sppt_root *r;
	unsigned int levels;
	uint64_t pdps[4];
};

struct torn {
	uint64_t gpa;
	uint8_t bytes[16];
	unsigned int len;
};

struct prop {
	const struct prop_opts *o;
	struct prop_src *src;
	struct fake_hv hv;
	struct sppt_vgpu *vgpu;
	struct root_slot roots[MAX_ROOTS];
	struct torn torn[MAX_TORN];
	unsigned int ntorn;
	uint64_t check_rng;
	struct fake_memo *memo;
	struct prop_result *res;
	char *msg;
	size_t msglen;
	int done;
};

static uint32_t rnd(struct prop *p, uint32_t bound)
{
	struct prop_src *s = p->src;
	uint32_t v;

	if (!s->data) {
		v = (uint32_t)(fake_rand(&s->rng) >> 32);
	} else {
		if (s->pos + 2 > s->len) {
			uint64_t h = 0xcbf29ce484222325ull;
			size_t i;

			if (!s->prng_tail) {
				p->done = 1;
				return 0;
			}
			for (i = 0; i < s->len; i++)
				h = (h ^ s->data[i]) * 0x100000001b3ull;
			s->rng = h;
			s->data = NULL;
			return rnd(p, bound);
		}
		v = (uint32_t)s->data[s->pos] | (uint32_t)s->data[s->pos + 1] << 8;
		s->pos += 2;
		v *= 0x9e3779b1u; /* spread 16 bits over the range */
	}
	return bound ? (uint32_t)(((uint64_t)v * bound) >> 32) : v;
}

static uint64_t rnd64(struct prop *p)
{
	return (uint64_t)rnd(p, 0) << 32 | rnd(p, 0);
}

static uint64_t pool_gfn(struct prop *p)
{
	return 1 + rnd(p, p->o->pool);
}

static unsigned int pick_index(struct prop *p)
{
	static const unsigned int hot[] = { 0, 1, 2, 15, 16, 17, 32, 255, 510, 511 };

	if (rnd(p, 100) < 75)
		return hot[rnd(p, sizeof(hot) / sizeof(hot[0]))];
	return rnd(p, 512);
}

/* A random guest entry: pointers into the pool (at any level: shared and
 * cyclic graphs), leaves in and out of RAM, with every interesting bit. */
static uint64_t gen_value(struct prop *p)
{
	uint32_t k = rnd(p, 100);
	uint64_t v, flags = SPPT_E_PRESENT;

	if (rnd(p, 4))
		flags |= SPPT_E_RW;
	if (rnd(p, 5) == 0)
		flags |= SPPT_E_PWT;
	if (rnd(p, 5) == 0)
		flags |= SPPT_E_PCD;
	if (k < 40) {
		v = pool_gfn(p) << 12;
		if (rnd(p, 12) == 0)
			flags |= SPPT_E_PS; /* 2M at PD, 1G at PDP, PAT at PT */
		if (rnd(p, 8) == 0)
			flags |= SPPT_E_IPS;
		if (rnd(p, 30) == 0)
			v = (uint64_t)(p->o->npages + rnd(p, 64)) << 12; /* table outside RAM */
	} else if (k < 75) {
		v = (uint64_t)rnd(p, p->o->npages + 24) << 12;
		if (rnd(p, 4) == 0)
			flags |= SPPT_E_PAT;
		if (rnd(p, 10) == 0)
			flags |= SPPT_E_PAT_LARGE;
		if (rnd(p, 10) == 0)
			flags |= SPPT_E_IPS;
	} else if (k < 88) {
		return rnd(p, 3) ? 0 : rnd64(p) & ~SPPT_E_PRESENT;
	} else {
		return rnd64(p);
	}
	return v | flags;
}

static void guest_write(struct prop *p, uint64_t gpa, const void *d, unsigned int len)
{
	fake_guest_write(&p->hv, gpa, d, len);
	p->res->writes++;
}

/* Write 8 bytes of entry at @gpa in one of the ways a guest CPU can. */
static void write_entry(struct prop *p, uint64_t gpa, uint64_t val)
{
	uint32_t form = rnd(p, 100);
	uint8_t b[16];
	unsigned int off, n;

	memcpy(b, &val, 8);
	if (form < 50) {
		guest_write(p, gpa, b, 8);
	} else if (form < 70) {
		/* Two 4-byte halves, either order; sometimes torn across a sync. */
		unsigned int first = rnd(p, 2) * 4;

		guest_write(p, gpa + first, b + first, 4);
		if (rnd(p, 3) == 0 && p->ntorn < MAX_TORN) {
			struct torn *t = &p->torn[p->ntorn++];

			t->gpa = gpa + (4 - first);
			memcpy(t->bytes, b + (4 - first), 4);
			t->len = 4;
		} else {
			guest_write(p, gpa + (4 - first), b + (4 - first), 4);
		}
	} else if (form < 80) {
		/* 16-byte store over an aligned pair; the other gets a value too. */
		uint64_t base = gpa & ~15ull, other = rnd(p, 2) ? gen_value(p) :
					fake_guest_read64(&p->hv, base + ((gpa & 8) ? 0 : 8));

		if (gpa & 8) {
			memcpy(b + 8, &val, 8);
			memcpy(b, &other, 8);
		} else {
			memcpy(b + 8, &other, 8);
		}
		guest_write(p, base, b, 16);
	} else if (form < 92) {
		/* Byte-granular pieces of random sizes. */
		for (off = 0; off < 8; off += n) {
			n = 1 + rnd(p, 8 - off);
			guest_write(p, gpa + off, b + off, n);
		}
	} else {
		/* A misaligned store straddling two entries (may cross a page). */
		uint64_t at = gpa + 1 + rnd(p, 7);
		uint8_t junk[16];
		uint64_t r = rnd64(p);

		n = 1 + rnd(p, 16);
		memcpy(junk, &r, 8);
		memcpy(junk + 8, &val, 8);
		if (at + n <= (uint64_t)p->hv.npages * PG)
			guest_write(p, at, junk, n);
		guest_write(p, gpa, b, 8);
	}
}

static void flush_torn(struct prop *p)
{
	unsigned int i;

	for (i = 0; i < p->ntorn; i++)
		guest_write(p, p->torn[i].gpa, p->torn[i].bytes, p->torn[i].len);
	p->ntorn = 0;
}

/* The guest reuses a page-table page for other data (Windows #153). */
static void reuse_page(struct prop *p)
{
	uint64_t gfn = pool_gfn(p), gpa;
	unsigned int n = 1 + rnd(p, 24), i, len;

	if (rnd(p, 3) == 0)
		sppt_page_reuse(p->vgpu, gfn << 12);
	for (i = 0; i < n; i++) {
		uint64_t a = rnd64(p), b2 = rnd64(p);
		uint8_t d[16];

		memcpy(d, &a, 8);
		memcpy(d + 8, &b2, 8);
		len = 1 + rnd(p, 16);
		gpa = (gfn << 12) + rnd(p, PG - len + 1);
		guest_write(p, gpa, d, len);
	}
}

static void root_create(struct prop *p)
{
	unsigned int i, k, levels = rnd(p, 3) ? 4 : 3;
	struct root_slot *s = NULL;

	for (i = 0; i < MAX_ROOTS; i++)
		if (!p->roots[i].r) {
			s = &p->roots[i];
			break;
		}
	if (!s)
		return;
	memset(s->pdps, 0, sizeof(s->pdps));
	for (k = 0; k < (levels == 4 ? 1u : 4u); k++) {
		uint32_t c = rnd(p, 20);

		if (c == 0)
			s->pdps[k] = 0;
		else if (c == 1)
			s->pdps[k] = (uint64_t)(p->o->npages + 3) << 12;
		else
			s->pdps[k] = pool_gfn(p) << 12;
	}
	s->levels = levels;
	if (sppt_root_get(p->vgpu, levels, s->pdps, &s->r))
		s->r = NULL;
	else
		p->res->roots_created++;
	/* Same pointers again must return the cached root. */
	for (i = 0; i < MAX_ROOTS; i++) {
		struct root_slot *o = &p->roots[i];

		if (o != s && o->r && o->levels == s->levels &&
		    !memcmp(o->pdps, s->pdps, sizeof(s->pdps)) && o->r != s->r) {
			snprintf(p->msg, p->msglen, "same root pointers, two roots");
			p->done = -1;
		}
	}
}

static void root_destroy(struct prop *p)
{
	struct root_slot *s = &p->roots[rnd(p, MAX_ROOTS)];

	sppt_root_put(s->r);
	s->r = NULL;
}

static int balance(struct prop *p, const char *when)
{
	struct sppt_stats st;

	sppt_vgpu_stats(p->vgpu, &st);
	if (p->hv.lin_pins) {
		snprintf(p->msg, p->msglen, "%s: %ld pins of gfns inside a linear range", when,
			 p->hv.lin_pins);
		return -1;
	}
	if (p->hv.errors || st.inconsistencies || (long)st.pins != p->hv.pins_live ||
	    (long)st.shadow_pages != p->hv.tables_live ||
	    (long)st.protected_pages != p->hv.prot_live) {
		snprintf(p->msg, p->msglen,
			 "%s: fake errors %ld, inconsistencies %" PRIu64 ", pins %" PRIu64
			 "/%ld, tables %" PRIu64 "/%ld, protected %" PRIu64 "/%ld",
			 when, p->hv.errors, st.inconsistencies, st.pins, p->hv.pins_live, st.shadow_pages,
			 p->hv.tables_live, st.protected_pages, p->hv.prot_live);
		return -1;
	}
	if (p->o->mode == SPPT_MODE_UNTRACKED && p->hv.prot_live) {
		snprintf(p->msg, p->msglen, "%s: untracked mode protected pages", when);
		return -1;
	}
	return 0;
}

static int submit(struct prop *p)
{
	struct sppt_root *in[MAX_ROOTS];
	struct root_slot *slot[MAX_ROOTS];
	struct sppt_stats st;
	unsigned int i, n = 0;
	char m[200];
	int ret = 0;

	if (rnd(p, 2))
		flush_torn(p);
	for (i = 0; i < MAX_ROOTS; i++)
		if (p->roots[i].r && rnd(p, 4)) {
			slot[n] = &p->roots[i];
			in[n++] = p->roots[i].r;
		}
	if (sppt_submit_begin(p->vgpu, in, n)) {
		snprintf(p->msg, p->msglen, "submit_begin failed");
		return -1;
	}
	p->res->submits++;
	sppt_vgpu_stats(p->vgpu, &st);
	if (!st.alloc_failures) {
		if (fake_check_scratch(&p->hv, p->vgpu, m, sizeof(m))) {
			snprintf(p->msg, p->msglen, "submit %lu: %s", p->res->submits, m);
			ret = -1;
		}
		fake_memo_reset(p->memo);
		for (i = 0; i < n && !ret; i++) {
			p->res->checks++;
			if (fake_check_root_memo(&p->hv, p->vgpu, in[i], slot[i]->levels,
						 slot[i]->pdps, &p->check_rng, p->o->samples,
						 p->memo, m, sizeof(m))) {
				snprintf(p->msg, p->msglen, "submit %lu, %u-level root %" PRIx64 ": %s",
					 p->res->submits, slot[i]->levels, slot[i]->pdps[0], m);
				ret = -1;
			}
		}
	}
	sppt_submit_end(p->vgpu, in, n);
	if (!ret)
		ret = balance(p, "after submit");
	return ret;
}

/*
 * The host declares a linear range of guest RAM (whole RAM, a 2M-aligned
 * block, or a few pages anywhere) or withdraws one. The engine must accept
 * exactly the disjoint ones, and after a withdrawal no live shadow table
 * may point into the range.
 */
static int linear_op(struct prop *p)
{
	struct fake_hv *hv = &p->hv;
	uint64_t gfn, n, dma;
	unsigned int k, shape;
	int ret, want = 0;

	if (hv->nlin && (rnd(p, 2) || hv->nlin == SPPT_LINEAR_MAX_RANGES)) {
		struct fake_lin l = hv->lin[rnd(p, hv->nlin)];

		if (rnd(p, 16) == 0 && fake_linear_unregister(hv, l.gfn, l.npages + 1) != -ENOENT) {
			snprintf(p->msg, p->msglen, "unregister of an unknown range not -ENOENT");
			return -1;
		}
		ret = fake_linear_unregister(hv, l.gfn, l.npages);
		if (ret) {
			snprintf(p->msg, p->msglen, "linear unregister: %d", ret);
			return -1;
		}
		p->res->lin_unregs++;
		if (fake_bus_refs(hv, l.dma, l.npages * PG)) {
			snprintf(p->msg, p->msglen,
				 "%lu shadow entries still point into an unregistered range",
				 fake_bus_refs(hv, l.dma, l.npages * PG));
			return -1;
		}
		return 0;
	}
	shape = rnd(p, 4);
	if (shape == 0) {
		gfn = 0;
		n = p->o->npages;
	} else if (shape == 1 && p->o->npages >= 512) {
		gfn = (uint64_t)rnd(p, p->o->npages / 512) * 512;
		n = 512;
	} else {
		gfn = rnd(p, p->o->npages);
		n = 1 + rnd(p, shape == 2 ? 16 : p->o->npages - (unsigned int)gfn);
		if (gfn + n > p->o->npages)
			n = p->o->npages - gfn;
	}
	/* Linear DMA windows live in [16 TiB, 80 TiB): apart from pin()'s
	 * frames and the shadow tables, so a stale entry can't pass as right. */
	dma = (0x100000000ull + (rnd64(p) & 0x3ffffffffull)) << 12;
	if (rnd(p, 2))
		dma &= ~0x1fffffull; /* 2M aligned: 2M pages may be shadowed whole */
	/* Distinct guest RAM never shares host memory (each map is its own
	 * mapping): no window may overlap one still declared, or an entry of
	 * that range would look like one left pointing into a withdrawn one. */
	for (k = 0; k < hv->nlin; k++)
		if (dma < hv->lin[k].dma + hv->lin[k].npages * PG && hv->lin[k].dma < dma + n * PG)
			return 0;
	for (k = 0; k < hv->nlin; k++)
		if (gfn < hv->lin[k].gfn + hv->lin[k].npages && hv->lin[k].gfn < gfn + n)
			want = -EEXIST;
	if (!want && hv->nlin == SPPT_LINEAR_MAX_RANGES)
		want = -ENOSPC;
	ret = fake_linear_register(hv, gfn, n, dma);
	if (ret != want) {
		snprintf(p->msg, p->msglen, "linear register [%" PRIu64 "+%" PRIu64 "): %d, want %d",
			 gfn, n, ret, want);
		return -1;
	}
	if (!ret)
		p->res->lin_regs++;
	return 0;
}

static void seed_graph(struct prop *p)
{
	unsigned int g, k, n;

	for (g = 1; g <= p->o->pool; g++) {
		n = rnd(p, 10);
		for (k = 0; k < n; k++) {
			uint64_t v = gen_value(p);

			memcpy(p->hv.mem + (uint64_t)g * PG + pick_index(p) * 8, &v, 8);
		}
	}
}

int prop_run(const struct prop_opts *oin, struct prop_src *src, unsigned long steps,
	     struct prop_result *res, char *msg, size_t msglen)
{
	struct prop_opts o = *oin;
	struct prop_result dummy;
	struct sppt_config cfg = { 0 };
	struct prop p;
	unsigned long s;
	unsigned int i;
	int ret = 0;

	if (!o.npages)
		o.npages = 1024;
	if (!o.pool)
		o.pool = 40;
	if (!o.submit_pct)
		o.submit_pct = 18;
	memset(&p, 0, sizeof(p));
	p.o = &o;
	p.src = src;
	p.res = res ? res : &dummy;
	memset(p.res, 0, sizeof(*p.res));
	p.msg = msg;
	p.msglen = msglen;
	p.check_rng = 12345;
	msg[0] = 0;
	p.memo = fake_memo_new(o.memo_bits);
	if (!p.memo || fake_hv_init(&p.hv, o.npages)) {
		fake_memo_free(p.memo);
		snprintf(msg, msglen, "fake_hv_init failed");
		return -1;
	}
	p.hv.offer_guest_page = !o.no_guest_page;
	seed_graph(&p);
	cfg.mode = o.mode;
	cfg.oos_threshold = o.oos_threshold;
	cfg.mem_budget = o.mem_budget;
	if (o.allow_alloc_fail)
		p.hv.alloc_fail_at = 5 + rnd(&p, 200);
	p.hv.alloc_fail_every = o.alloc_fail_every;
	if (sppt_vgpu_create(&fake_ops, &p.hv, &cfg, &p.vgpu)) {
		snprintf(msg, msglen, "sppt_vgpu_create failed");
		fake_hv_fini(&p.hv);
		fake_memo_free(p.memo);
		return -1;
	}
	p.hv.vgpu = p.vgpu;
	for (s = 0; s < steps && !p.done && !ret; s++) {
		uint32_t op;

		/* submit_pct % of the steps submit; the others write or churn
		 * roots in the fixed ratio below. */
		p.res->steps++;
		if (rnd(&p, 100) < o.submit_pct) {
			ret = submit(&p);
			continue;
		}
		if (o.linear && rnd(&p, 100) < 3) {
			ret = linear_op(&p);
			continue;
		}
		op = rnd(&p, 100);
		if (op < 85) {
			uint64_t gpa = (pool_gfn(&p) << 12) + pick_index(&p) * 8;

			write_entry(&p, gpa, gen_value(&p));
		} else if (op < 88) {
			reuse_page(&p);
		} else if (op < 95) {
			root_create(&p);
		} else if (op < 99) {
			root_destroy(&p);
		} else {
			flush_torn(&p);
		}
	}
	if (p.done < 0)
		ret = -1;
	if (!ret)
		ret = submit(&p);
	for (i = 0; i < MAX_ROOTS; i++)
		sppt_root_put(p.roots[i].r);
	/* Some ranges are withdrawn with nothing shadowed, some stay to
	 * sppt_vgpu_destroy(). */
	while (!ret && p.hv.nlin && rnd(&p, 2) &&
	       !fake_linear_unregister(&p.hv, p.hv.lin[0].gfn, p.hv.lin[0].npages))
		p.res->lin_unregs++;
	sppt_vgpu_stats(p.vgpu, &p.res->st);
	if (!ret && (p.res->st.pins || p.res->st.guest_pages || p.res->st.shadow_pages != 5 ||
		     p.res->st.protected_pages || p.res->st.roots)) {
		snprintf(msg, msglen,
			 "after the last root: %" PRIu64 " pins, %" PRIu64 " guest pages, %" PRIu64
			 " tables",
			 p.res->st.pins, p.res->st.guest_pages, p.res->st.shadow_pages);
		ret = -1;
	}
	sppt_vgpu_destroy(p.vgpu);
	if (!ret && (p.hv.pins_live || p.hv.tables_live || p.hv.prot_live || p.hv.errors)) {
		snprintf(msg, msglen, "after destroy: %ld pins, %ld tables, %ld protected, %ld errors",
			 p.hv.pins_live, p.hv.tables_live, p.hv.prot_live, p.hv.errors);
		ret = -1;
	}
	fake_hv_fini(&p.hv);
	fake_memo_free(p.memo);
	return ret;
}
