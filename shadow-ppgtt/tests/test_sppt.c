// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the sppt engine: one behaviour per case, against the fakes. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sppt_fake.h"

#define PG 4096ull
#define P SPPT_E_PRESENT
#define RW SPPT_E_RW

struct env {
	struct fake_hv hv;
	struct sppt_vgpu *vgpu;
	struct sppt_config cfg;
};

static struct env *env_new(enum sppt_mode mode)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(fake_hv_init(&e->hv, 4096), 0);
	e->cfg.mode = mode;
	assert_int_equal(sppt_vgpu_create(&fake_ops, &e->hv, &e->cfg, &e->vgpu), 0);
	e->hv.vgpu = e->vgpu;
	return e;
}

static void env_free(struct env *e)
{
	struct sppt_stats st;

	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.inconsistencies, 0);
	sppt_vgpu_destroy(e->vgpu);
	/* Balance: nothing pinned, protected or allocated after teardown. */
	assert_int_equal(e->hv.pins_live, 0);
	assert_int_equal(e->hv.tables_live, 0);
	assert_int_equal(e->hv.prot_live, 0);
	assert_int_equal(e->hv.errors, 0);
	fake_hv_fini(&e->hv);
	free(e);
}

/* Write a guest entry directly (as before the vGPU tracks the page). */
static void poke(struct env *e, uint64_t gfn, unsigned int i, uint64_t v)
{
	memcpy(e->hv.mem + gfn * PG + i * 8, &v, 8);
}

/* A guest store through the CPU (trapped when the page is protected). */
static void store(struct env *e, uint64_t gfn, unsigned int i, uint64_t v)
{
	fake_guest_write(&e->hv, gfn * PG + i * 8, &v, 8);
}

static void xlat(struct env *e, struct sppt_root *r, unsigned int levels, uint64_t va,
		 struct fake_xlat *x)
{
	uint64_t sh[4];

	assert_int_equal(sppt_root_shadow_addr(r, sh), (int)levels);
	fake_shadow_translate(&e->hv, levels, sh, va, x);
}

static void expect_page(struct env *e, struct sppt_root *r, unsigned int levels, uint64_t va,
			uint64_t gfn)
{
	struct fake_xlat x;

	xlat(e, r, levels, va, &x);
	assert_true(x.mapped);
	assert_int_equal(x.addr, fake_hv_dma(&e->hv, gfn));
}

static void expect_scratch(struct env *e, struct sppt_root *r, unsigned int levels, uint64_t va)
{
	struct fake_xlat x;

	xlat(e, r, levels, va, &x);
	assert_true(x.mapped); /* the shadow always maps: scratch */
	assert_int_equal(x.addr, sppt_scratch_addr(e->vgpu, 0));
}

static void check_root(struct env *e, struct sppt_root *r, unsigned int levels,
		       const uint64_t pdps[4])
{
	uint64_t rng = 7;
	char msg[256] = "";

	if (fake_check_root(&e->hv, e->vgpu, r, levels, pdps, &rng, 256, msg, sizeof(msg)))
		fail_msg("%s", msg);
}

static void submit(struct env *e, struct sppt_root *r)
{
	assert_int_equal(sppt_submit_begin(e->vgpu, &r, 1), 0);
	sppt_submit_end(e->vgpu, &r, 1);
}

/* Guest layout used by most cases: PML4 @10 -> PDP @11 -> PD @12 -> PT @13,
 * VA 0 .. 2M mapped by PT 13; PT entry i -> gfn 100 + i. */
static void build_tree(struct env *e, unsigned int nptes)
{
	unsigned int i;

	poke(e, 10, 0, 11 * PG | P | RW);
	poke(e, 11, 0, 12 * PG | P | RW);
	poke(e, 12, 0, 13 * PG | P | RW);
	for (i = 0; i < nptes; i++)
		poke(e, 13, i, (100 + i) * PG | P | RW);
}

static const uint64_t root4[4] = { 10 * PG, 0, 0, 0 };

static void test_create_invalid(void **state)
{
	struct fake_hv hv;
	struct sppt_vgpu *v = NULL;
	struct sppt_config cfg = { .mode = SPPT_MODE_TRACKED_STRICT };
	struct sppt_ops ops = fake_ops;

	assert_int_equal(fake_hv_init(&hv, 16), 0);
	cfg.mode = 7;
	assert_int_equal(sppt_vgpu_create(&fake_ops, &hv, &cfg, &v), -EINVAL);
	cfg.mode = SPPT_MODE_TRACKED_STRICT;
	ops.protect = NULL;
	assert_int_equal(sppt_vgpu_create(&ops, &hv, &cfg, &v), -EINVAL);
	cfg.mode = SPPT_MODE_UNTRACKED; /* no protect needed without tracking */
	assert_int_equal(sppt_vgpu_create(&ops, &hv, &cfg, &v), 0);
	assert_int_equal(hv.tables_live, 5); /* scratch page + 4 scratch tables */
	sppt_vgpu_destroy(v);
	assert_int_equal(hv.tables_live, 0);
	ops = fake_ops;
	ops.pin = NULL;
	assert_int_equal(sppt_vgpu_create(&ops, &hv, &cfg, &v), -EINVAL);
	fake_hv_fini(&hv);
}

static void test_map_4level(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	struct sppt_stats st;

	build_tree(e, 8);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	expect_page(e, r, 4, 0, 100);
	expect_page(e, r, 4, 7 * PG, 107);
	expect_scratch(e, r, 4, 8 * PG);
	expect_scratch(e, r, 4, 1ull << 39);
	check_root(e, r, 4, root4);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.guest_pages, 4);
	assert_int_equal(st.protected_pages, 4);
	assert_int_equal(st.pins, 8);
	assert_int_equal(st.shadow_pages, 5 + 4);
	assert_true(e->hv.prot[10] && e->hv.prot[13] && !e->hv.prot[100]);
	sppt_root_put(r);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.guest_pages, 0);
	assert_int_equal(st.pins, 0);
	assert_int_equal(st.shadow_pages, 5);
	assert_int_equal(e->hv.prot_live, 0);
	env_free(e);
}

static void test_root_cache(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *a, *b, *c;
	uint64_t other[4] = { 10 * PG | 0x3, 5, 6, 7 }; /* low bits, unused slots ignored */
	struct sppt_stats st;

	build_tree(e, 1);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &a), 0);
	assert_int_equal(sppt_root_get(e->vgpu, 4, other, &b), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(sppt_root_get(e->vgpu, 3, root4, &c), 0);
	assert_ptr_not_equal(a, c);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.roots, 2);
	sppt_root_put(a);
	expect_page(e, b, 4, 0, 100); /* still referenced once */
	sppt_root_put(b);
	sppt_root_put(c);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.roots, 0);
	assert_int_equal(sppt_root_get(e->vgpu, 5, root4, &a), -EINVAL);
	env_free(e);
}

static void test_trap_full_write(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	struct sppt_stats st;

	build_tree(e, 4);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	store(e, 13, 1, 200 * PG | P | RW);
	expect_page(e, r, 4, PG, 200); /* applied at once, no submission */
	store(e, 13, 2, 0);
	expect_scratch(e, r, 4, 2 * PG);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.trapped_writes, 2);
	assert_int_equal(st.pins, 3);
	assert_int_equal(e->hv.pin[101], 0); /* old page unpinned */
	assert_int_equal(e->hv.pin[200], 1);
	/* A new PT under a new PD entry: tracked and shadowed at once. */
	poke(e, 14, 5, 300 * PG | P);
	store(e, 12, 1, 14 * PG | P | RW);
	assert_true(e->hv.prot[14]);
	expect_page(e, r, 4, (1ull << 21) + 5 * PG, 300);
	submit(e, r);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	env_free(e);
}

static void test_partial_deferred(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	uint64_t v = 0x123456ull * PG | P | RW; /* high half non-zero: outside RAM */
	uint64_t w = 400 * PG | P | RW;
	struct sppt_stats st;

	build_tree(e, 4);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	/* Low half then high half: nothing changes until the submission. */
	fake_guest_write(&e->hv, 13 * PG + 8, &w, 4);
	expect_page(e, r, 4, PG, 101);
	fake_guest_write(&e->hv, 13 * PG + 12, (uint8_t *)&w + 4, 4);
	expect_page(e, r, 4, PG, 101);
	submit(e, r);
	expect_page(e, r, 4, PG, 400);
	/* Torn at the sync point: the shadow follows the torn guest entry. */
	fake_guest_write(&e->hv, 13 * PG + 16 + 4, (uint8_t *)&v + 4, 4);
	submit(e, r);
	check_root(e, r, 4, root4);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.partial_writes, 3);
	/* 1-byte writes, 3-byte writes: all deferred and replayed. */
	fake_guest_write(&e->hv, 13 * PG + 24, &w, 1);
	fake_guest_write(&e->hv, 13 * PG + 25, (uint8_t *)&w + 1, 3);
	fake_guest_write(&e->hv, 13 * PG + 28, (uint8_t *)&w + 4, 4);
	submit(e, r);
	expect_page(e, r, 4, 3 * PG, 400);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	env_free(e);
}

static void test_write_16_and_invalid(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	uint64_t two[2] = { 500 * PG | P | RW, 501 * PG | P };
	uint8_t big[17] = { 0 };

	build_tree(e, 4);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	fake_guest_write(&e->hv, 13 * PG + 16, two, 16);
	expect_page(e, r, 4, 2 * PG, 500);
	expect_page(e, r, 4, 3 * PG, 501);
	assert_int_equal(sppt_write_trap(e->vgpu, 13 * PG, big, 17), -EINVAL);
	assert_int_equal(sppt_write_trap(e->vgpu, 13 * PG, big, 0), -EINVAL);
	/* A write to a page nobody shadows is stray, not an error. */
	assert_int_equal(sppt_write_trap(e->vgpu, 900 * PG, big, 8), 0);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	env_free(e);
}

static void test_adaptive_oos(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_ADAPTIVE);
	struct sppt_root *r;
	struct sppt_stats st;
	unsigned int i;

	build_tree(e, 64);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	for (i = 0; i < 64; i++)
		store(e, 13, i, (1000 + i) * PG | P | RW);
	/* K = 2: the third write unprotects the page; the rest are not trapped. */
	assert_int_equal(e->hv.traps, 3);
	assert_false(e->hv.prot[13]);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.oos_events, 1);
	submit(e, r);
	assert_true(e->hv.prot[13]); /* protected again at the sync */
	for (i = 0; i < 64; i++)
		expect_page(e, r, 4, i * PG, 1000 + i);
	check_root(e, r, 4, root4);
	/* Write counts restart after each submission. */
	store(e, 13, 0, 7 * PG | P);
	store(e, 13, 1, 8 * PG | P);
	assert_true(e->hv.prot[13]);
	expect_page(e, r, 4, PG, 8);
	sppt_root_put(r);
	env_free(e);
}

static void test_untracked_sync(void **state)
{
	struct env *e = env_new(SPPT_MODE_UNTRACKED);
	struct sppt_root *r;
	struct sppt_stats st;

	build_tree(e, 4);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	assert_int_equal(e->hv.prot_live, 0);
	store(e, 13, 1, 600 * PG | P | RW);
	expect_page(e, r, 4, PG, 101); /* nothing trapped: stale until sync */
	submit(e, r);
	expect_page(e, r, 4, PG, 600);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.resyncs, 1);
	submit(e, r); /* unchanged: compared, nothing re-synced */
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.resyncs, 1);
	assert_int_equal(sppt_write_trap(e->vgpu, 13 * PG, &st, 8), -EINVAL);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	env_free(e);
}

static void test_64k_2m_1g(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	struct sppt_stats st;
	unsigned int j;
	uint64_t v;

	build_tree(e, 0);
	/* PD entry 1: a PT in 64K mode; entry 16 maps 64K at gfn 0x400. */
	poke(e, 14, 16, 0x400 * PG | P | RW | SPPT_E_PWT);
	poke(e, 14, 17, 0x999 * PG | P); /* ignored in 64K mode */
	poke(e, 12, 1, 14 * PG | P | RW | SPPT_E_IPS);
	/* PD entry 2: a 2M page at 0x600000 (gfn 0x600), PAT via bit 12. */
	poke(e, 12, 2, 0x600 * PG | P | RW | SPPT_E_PS | SPPT_E_PAT_LARGE);
	/* PDP entry 1: a 1G page, refused. */
	poke(e, 11, 1, (1ull << 30) | P | RW | SPPT_E_PS);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	for (j = 0; j < 16; j++)
		expect_page(e, r, 4, (1ull << 21) + (16 + j) * PG, 0x400 + j);
	expect_page(e, r, 4, (2ull << 21) + 5 * PG, 0x605);
	expect_scratch(e, r, 4, 1ull << 30);
	check_root(e, r, 4, root4);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.refused_1g, 1);
	/* The 2M and 64K pages: one pin per 4K page. */
	assert_int_equal(st.pins, 16 + 512);
	/* Installing a 1G page through a trapped write reports -EOPNOTSUPP. */
	v = (2ull << 30) | P | SPPT_E_PS;
	memcpy(e->hv.mem + 11 * PG + 16, &v, 8);
	assert_int_equal(sppt_write_trap(e->vgpu, 11 * PG + 16, &v, 8), -EOPNOTSUPP);
	/* Changing the 64K group head re-maps all 16; other indices do nothing. */
	store(e, 14, 16, 0x800 * PG | P);
	store(e, 14, 18, 0x123 * PG | P);
	expect_page(e, r, 4, (1ull << 21) + 31 * PG, 0x80f);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	env_free(e);
}

static void test_out_of_range(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	struct sppt_stats st;
	uint64_t bad_root[4] = { 99999 * PG, 0, 0, 0 };

	build_tree(e, 2);
	poke(e, 13, 1, 5000 * PG | P | RW);	/* leaf outside 4096 pages of RAM */
	poke(e, 12, 3, 7000 * PG | P | RW);	/* table outside RAM */
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	expect_page(e, r, 4, 0, 100);
	expect_scratch(e, r, 4, PG);
	expect_scratch(e, r, 4, 3ull << 21);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.out_of_range, 2);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	assert_int_equal(sppt_root_get(e->vgpu, 4, bad_root, &r), 0);
	expect_scratch(e, r, 4, 0);
	sppt_root_put(r);
	env_free(e);
}

static void test_page_reuse(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	struct sppt_stats st;
	uint8_t junk[13];
	unsigned int i;

	build_tree(e, 16);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	/* The guest stores odd-sized data into the PT (Windows reuse). */
	memset(junk, 0x41, sizeof(junk));
	for (i = 0; i < 6; i++)
		fake_guest_write(&e->hv, 13 * PG + 100 + i * 13, junk, sizeof(junk));
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.reuse_events, 1);
	assert_false(e->hv.prot[13]); /* untracked, no more traps */
	fake_guest_write(&e->hv, 13 * PG + 300, junk, 3);
	assert_int_equal(e->hv.traps, 5);
	submit(e, r);
	check_root(e, r, 4, root4); /* still exactly what the guest tables say */
	/* Explicit notification on another page. */
	assert_int_equal(sppt_page_reuse(e->vgpu, 12 * PG + 8), 0);
	assert_false(e->hv.prot[12]);
	assert_int_equal(sppt_page_reuse(e->vgpu, 3000 * PG), -ENOENT);
	store(e, 12, 0, 0);
	submit(e, r);
	expect_scratch(e, r, 4, 0);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	env_free(e);
}

static void test_shared_subtree_3level(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *a, *b;
	uint64_t l3[4] = { 12 * PG, 0, 12 * PG, 20 * PG };
	struct sppt_stats st;

	build_tree(e, 4);
	poke(e, 20, 0, 13 * PG | P | RW); /* another PD sharing PT 13 */
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &a), 0);
	assert_int_equal(sppt_root_get(e->vgpu, 3, l3, &b), 0);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.guest_pages, 5); /* 10, 11, 12, 13, 20: one shadow each */
	assert_int_equal(st.shadow_pages, 5 + 5);
	expect_page(e, b, 3, 0, 100);
	expect_page(e, b, 3, (2ull << 30) + PG, 101);
	expect_page(e, b, 3, (3ull << 30) + 2 * PG, 102);
	expect_scratch(e, b, 3, 1ull << 30);
	/* One write to the shared PT shows in every root. */
	store(e, 13, 0, 700 * PG | P);
	expect_page(e, a, 4, 0, 700);
	expect_page(e, b, 3, 3ull << 30, 700);
	check_root(e, a, 4, root4);
	check_root(e, b, 3, l3);
	sppt_root_put(a);
	sppt_root_put(b);
	env_free(e);
}

static void test_reclaim_budget(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct sppt_root *a, *b;
	uint64_t rb[4] = { 30 * PG, 0, 0, 0 }, sh[4];
	struct sppt_stats st;

	assert_int_equal(fake_hv_init(&e->hv, 4096), 0);
	e->cfg.mode = SPPT_MODE_TRACKED_STRICT;
	e->cfg.mem_budget = 1; /* everything not in flight is reclaimable */
	assert_int_equal(sppt_vgpu_create(&fake_ops, &e->hv, &e->cfg, &e->vgpu), 0);
	e->hv.vgpu = e->vgpu;
	build_tree(e, 4);
	poke(e, 30, 0, 11 * PG | P | RW);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &a), 0);
	assert_int_equal(sppt_root_get(e->vgpu, 4, rb, &b), 0);
	/* a was the least recently used root and not in flight. */
	assert_int_equal(sppt_root_shadow_addr(a, sh), -EAGAIN);
	assert_int_equal(sppt_root_shadow_addr(b, sh), 4);
	assert_int_equal(sppt_submit_begin(e->vgpu, &a, 1), 0);
	/* a is back and pinned; b was reclaimed instead. */
	check_root(e, a, 4, root4);
	assert_int_equal(sppt_root_shadow_addr(b, sh), -EAGAIN);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.reclaims, 2);
	sppt_submit_end(e->vgpu, &a, 1);
	sppt_root_put(a);
	sppt_root_put(b);
	env_free(e);
}

/*
 * The budget as documented: at sppt_root_get() roots not in flight are
 * unshadowed least recently used first until memory is within the budget,
 * the root being shadowed and roots in flight never; the same at submit.
 */
static void test_reclaim_budget_lru(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct sppt_root *r[4];
	uint64_t pd[4][4], sh[4];
	struct sppt_stats st, st1;
	uint64_t tree, budget;
	unsigned int k, i;

	assert_int_equal(fake_hv_init(&e->hv, 4096), 0);
	e->cfg.mode = SPPT_MODE_UNTRACKED;
	assert_int_equal(sppt_vgpu_create(&fake_ops, &e->hv, &e->cfg, &e->vgpu), 0);
	e->hv.vgpu = e->vgpu;
	/* Four disjoint 4-level trees of 4 pages each (PT k maps 8 pages). */
	for (k = 0; k < 4; k++) {
		uint64_t b = 20 + 4 * k;

		poke(e, b, 0, (b + 1) * PG | P | RW);
		poke(e, b + 1, 0, (b + 2) * PG | P | RW);
		poke(e, b + 2, 0, (b + 3) * PG | P | RW);
		for (i = 0; i < 8; i++)
			poke(e, b + 3, i, (200 + 8 * k + i) * PG | P | RW);
		memset(pd[k], 0, sizeof(pd[k]));
		pd[k][0] = b * PG;
	}
	assert_int_equal(sppt_root_get(e->vgpu, 4, pd[0], &r[0]), 0);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(sppt_root_get(e->vgpu, 4, pd[1], &r[1]), 0);
	sppt_vgpu_stats(e->vgpu, &st1);
	/* One more root costs @tree; the budget holds one and a half. */
	tree = st1.mem_bytes - st.mem_bytes;
	budget = st.mem_bytes + tree / 2;
	sppt_root_put(r[0]);
	sppt_root_put(r[1]);
	sppt_vgpu_destroy(e->vgpu);
	e->cfg.mem_budget = budget;
	assert_int_equal(sppt_vgpu_create(&fake_ops, &e->hv, &e->cfg, &e->vgpu), 0);
	e->hv.vgpu = e->vgpu;
	for (k = 0; k < 3; k++) {
		assert_int_equal(sppt_root_get(e->vgpu, 4, pd[k], &r[k]), 0);
		/* Soft: only the root just shadowed may exceed the budget. */
		sppt_vgpu_stats(e->vgpu, &st);
		assert_true(st.mem_bytes <= budget + tree);
	}
	/* At the third get the vGPU was over: the oldest (r0) went, only it. */
	assert_int_equal(sppt_root_shadow_addr(r[0], sh), -EAGAIN);
	assert_int_equal(sppt_root_shadow_addr(r[1], sh), 4);
	assert_int_equal(sppt_root_shadow_addr(r[2], sh), 4);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.reclaims, 1);
	/* Memory accounting covers at least every table and snapshot. */
	assert_true(st.mem_bytes >= (uint64_t)e->hv.tables_live * PG + st.guest_pages * PG);
	/* Submitting r1 (over budget again): r2 is idle and goes, r1 stays. */
	assert_int_equal(sppt_submit_begin(e->vgpu, &r[1], 1), 0);
	assert_int_equal(sppt_root_shadow_addr(r[2], sh), -EAGAIN);
	check_root(e, r[1], 4, pd[1]);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_true(st.mem_bytes <= budget);
	/* r3 fits beside r1 without a reclaim; then submitting r0 next to
	 * r1 in flight must take r3 (idle), never r1. */
	assert_int_equal(sppt_root_get(e->vgpu, 4, pd[3], &r[3]), 0);
	assert_int_equal(sppt_root_shadow_addr(r[3], sh), 4);
	assert_int_equal(sppt_submit_begin(e->vgpu, &r[0], 1), 0);
	check_root(e, r[0], 4, pd[0]);
	check_root(e, r[1], 4, pd[1]);
	assert_int_equal(sppt_root_shadow_addr(r[3], sh), -EAGAIN);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.reclaims, 3);
	/* Both in flight, over budget: nothing left to reclaim, still served. */
	assert_true(st.mem_bytes > budget);
	sppt_submit_end(e->vgpu, &r[0], 1);
	sppt_submit_end(e->vgpu, &r[1], 1);
	for (k = 0; k < 4; k++)
		sppt_root_put(r[k]);
	env_free(e);
}

/* Entry @i of the shadow of PD @12 (under PML4 @10, PDP @11, as built). */
static uint64_t shadow_pde(struct env *e, struct sppt_root *r, unsigned int i)
{
	uint64_t sh[4];
	const uint64_t *t;

	assert_int_equal(sppt_root_shadow_addr(r, sh), 4);
	t = fake_bus_table(&e->hv, sh[0]);
	assert_non_null(t);
	t = fake_bus_table(&e->hv, t[0] & SPPT_ADDR_MASK);
	assert_non_null(t);
	t = fake_bus_table(&e->hv, t[0] & SPPT_ADDR_MASK);
	assert_non_null(t);
	return t[i];
}

/* Linear ranges: no pin calls inside, conversions both ways, native 2M
 * pages where the range backs them aligned, errors. */
static void test_linear(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	struct sppt_stats st;
	const uint64_t D = 0x200000000000ull, D2 = 0x300000000000ull;
	unsigned int i;

	assert_int_equal(sppt_linear_register(e->vgpu, 0, 0, D), -EINVAL);
	assert_int_equal(sppt_linear_register(e->vgpu, 0, 16, D + 8), -EINVAL);
	assert_int_equal(sppt_linear_register(e->vgpu, 1ull << 36, 1, D), -EINVAL);
	assert_int_equal(sppt_linear_register(e->vgpu, 0, 16, (1ull << 48) - 8 * PG), -EINVAL);
	assert_int_equal(sppt_linear_unregister(e->vgpu, 0, 16), -ENOENT);
	/* PT 13 maps gfns 100..611; 2M PDE 1 maps gfns 0x600..0x7ff; 64K
	 * PDE 2 -> PT 14 maps 0x400..0x40f. */
	build_tree(e, 512);
	poke(e, 12, 1, 0x600 * PG | P | RW | SPPT_E_PS);
	poke(e, 14, 0, 0x400 * PG | P | RW);
	poke(e, 12, 2, 14 * PG | P | RW | SPPT_E_IPS);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.pins, 512 + 512 + 16);
	/* Register over everything: all pins dropped, entries re-pointed. */
	assert_int_equal(fake_linear_register(&e->hv, 0, 4096, D), 0);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.pins, 0);
	assert_int_equal(e->hv.pins_live, 0);
	/* The 2M page is backed contiguously at a 2M-aligned address: one
	 * native 2M shadow PDE, its split table gone. */
	assert_true(shadow_pde(e, r, 1) & SPPT_E_PS);
	assert_int_equal(shadow_pde(e, r, 1) & SPPT_ADDR_MASK, D + 0x600 * PG);
	assert_int_equal(st.shadow_pages, 5 + 4 + 1);
	expect_page(e, r, 4, 5 * PG, 105);
	assert_int_equal(fake_hv_dma(&e->hv, 105), D + 105 * PG);
	check_root(e, r, 4, root4);
	assert_int_equal(fake_linear_register(&e->hv, 4000, 200, D2), -EEXIST);
	/* New entries inside take no pin; trapped writes keep it so. */
	store(e, 13, 7, 3000 * PG | P);
	submit(e, r);
	check_root(e, r, 4, root4);
	assert_int_equal(e->hv.pins_live, 0);
	/* Withdraw it and declare two halves elsewhere: the entries follow. */
	assert_int_equal(fake_linear_unregister(&e->hv, 0, 4096), 0);
	assert_int_equal(fake_bus_refs(&e->hv, D, 4096 * PG), 0);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.pins, 512 + 512 + 16);
	assert_false(shadow_pde(e, r, 1) & SPPT_E_PS);
	check_root(e, r, 4, root4);
	/* Backed, but not at a 2M-aligned address: split, linear entries. */
	assert_int_equal(fake_linear_register(&e->hv, 0, 0x600, D2), 0);
	assert_int_equal(fake_linear_register(&e->hv, 0x600, 4096 - 0x600, D + PG), 0);
	assert_false(shadow_pde(e, r, 1) & SPPT_E_PS);
	check_root(e, r, 4, root4);
	assert_int_equal(fake_linear_unregister(&e->hv, 0x600, 4096 - 0x600), 0);
	assert_int_equal(fake_linear_register(&e->hv, 0x600, 4096 - 0x600, D), 0);
	assert_true(shadow_pde(e, r, 1) & SPPT_E_PS);
	for (i = 2; i < SPPT_LINEAR_MAX_RANGES; i++)
		assert_int_equal(fake_linear_register(&e->hv, 8192 + i, 1, D2 + i * PG * 8192), 0);
	assert_int_equal(sppt_linear_register(e->vgpu, 9000, 1, D), -ENOSPC);
	check_root(e, r, 4, root4);
	assert_int_equal(e->hv.pins_live, 0);
	assert_int_equal(e->hv.lin_pins, 0);
	sppt_root_put(r);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.pins, 0);
	assert_int_equal(st.shadow_pages, 5);
	env_free(e);
}

/* Rewrite all 512 entries of PT 13: entry i -> gfn @base + i (present, RW). */
static void fill_pt(struct env *e, uint64_t base)
{
	unsigned int i;

	for (i = 0; i < 512; i++)
		poke(e, 13, i, (base + i) * PG | P | RW);
}

/* Structural check of the root plus the pin balance of the fake host. */
static void check_lin(struct env *e, struct sppt_root *r, long pins)
{
	check_root(e, r, 4, root4);
	assert_int_equal(e->hv.pins_live, pins);
	assert_int_equal(e->hv.lin_pins, 0);
	assert_int_equal(e->hv.errors, 0);
}

/*
 * Re-syncing a leaf page that holds no pin (the no-pin pass of section 3),
 * found changed by the untracked compare, and each of its ways out: entries
 * outside the range of the page's first present entry (another range, a
 * pin, outside RAM), a page that holds pins, ranges withdrawn and declared
 * again between submissions, and a page that also has a 64K shadow or lies
 * under a 2M PDE.
 */
static void test_linear_nopin_sync(void **state)
{
	struct env *e = env_new(SPPT_MODE_UNTRACKED);
	struct sppt_root *r;
	struct sppt_stats st, st0;
	const uint64_t DA = 0x200000000000ull, DB = 0x300000000000ull;

	/* Range A: gfns 0..2047; range B: 2048..3071; 3072..4095 need pins. */
	assert_int_equal(fake_linear_register(&e->hv, 0, 2048, DA), 0);
	assert_int_equal(fake_linear_register(&e->hv, 2048, 1024, DB), 0);
	build_tree(e, 512);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	check_lin(e, r, 0);

	/* The whole page rewritten inside A: one pass, no pin. */
	fill_pt(e, 1000);
	sppt_vgpu_stats(e->vgpu, &st0);
	submit(e, r);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.resyncs - st0.resyncs, 1);
	assert_true(st.entries_synced - st0.entries_synced >= 512);
	expect_page(e, r, 4, 7 * PG, 1007);
	assert_int_equal(fake_hv_dma(&e->hv, 1007), DA + 1007 * PG);
	check_lin(e, r, 0);

	/* Entries the pass leaves: in B (linear, no pin), outside every range
	 * (a pin), outside RAM (scratch, counted), not present with an address
	 * outside the ranges (scratch); non-present inside A (scratch). */
	fill_pt(e, 1200);
	poke(e, 13, 5, 2500 * PG | P | RW);
	poke(e, 13, 6, 3500 * PG | P);
	poke(e, 13, 7, 5000 * PG | P | RW);
	poke(e, 13, 8, 3600 * PG | RW);
	poke(e, 13, 9, 1300 * PG | RW);
	submit(e, r);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.out_of_range - st0.out_of_range, 1);
	expect_page(e, r, 4, 4 * PG, 1204);
	expect_page(e, r, 4, 5 * PG, 2500);
	assert_int_equal(fake_hv_dma(&e->hv, 2500), DB + 452 * PG);
	expect_page(e, r, 4, 6 * PG, 3500);
	expect_scratch(e, r, 4, 7 * PG);
	expect_scratch(e, r, 4, 8 * PG);
	expect_scratch(e, r, 4, 9 * PG);
	check_lin(e, r, 1);

	/* The page now holds a pin: the per-entry path releases it. */
	fill_pt(e, 1400);
	submit(e, r);
	check_lin(e, r, 0);
	expect_page(e, r, 4, 6 * PG, 1406);
	/* ...and the page is back on the no-pin pass. */
	fill_pt(e, 100);
	submit(e, r);
	check_lin(e, r, 0);

	/* A withdrawn between submissions: its entries pin; a rewrite inside
	 * (then outside) it goes through pins; declared again, no pin. */
	assert_int_equal(fake_linear_unregister(&e->hv, 0, 2048), 0);
	check_lin(e, r, 512);
	fill_pt(e, 600);
	submit(e, r);
	check_lin(e, r, 512);
	assert_int_equal(fake_linear_register(&e->hv, 0, 2048, DA + (1ull << 30)), 0);
	check_lin(e, r, 0);
	fill_pt(e, 700);
	submit(e, r);
	check_lin(e, r, 0);
	assert_int_equal(fake_hv_dma(&e->hv, 710), DA + (1ull << 30) + 710 * PG);
	/* B withdrawn: entries of B in a page whose first entry is in A. */
	fill_pt(e, 1800); /* 1800..2047 in A, 2048..2311 in B */
	submit(e, r);
	check_lin(e, r, 0);
	assert_int_equal(fake_linear_unregister(&e->hv, 2048, 1024), 0);
	check_lin(e, r, 2311 - 2048 + 1);
	fill_pt(e, 1700); /* 1700..2047 in A, 2048..2211 pinned */
	submit(e, r);
	check_lin(e, r, 2211 - 2048 + 1);
	fill_pt(e, 1000);
	submit(e, r);
	check_lin(e, r, 0);
	/* First present entry outside every range: no pass, the per-entry path. */
	poke(e, 13, 0, 3900 * PG | P | RW);
	submit(e, r);
	check_lin(e, r, 1);

	/* The page also shadowed as a 64K-mode PT (IPS PDE 1) and lying under
	 * a 2M PDE (PDE 2 maps gfns 0..511 as data): two variants, no pass. */
	poke(e, 12, 1, 13 * PG | P | RW | SPPT_E_IPS);
	poke(e, 12, 2, 0 * PG | P | RW | SPPT_E_PS);
	submit(e, r);
	check_lin(e, r, 16); /* 64K: gfns 3888..3903 (3900 pinned once) */
	fill_pt(e, 300);
	submit(e, r);
	check_lin(e, r, 0);
	fill_pt(e, 1100);
	poke(e, 13, 32, 3300 * PG | P | RW);
	submit(e, r);
	check_lin(e, r, 16); /* 64K: 3296..3311, the 4K entry's 3300 among them */
	/* The 64K variant gone (PDE 1 cleared): the plain PT alone again. */
	poke(e, 12, 1, 0);
	submit(e, r);
	check_lin(e, r, 1);
	fill_pt(e, 200);
	submit(e, r);
	check_lin(e, r, 0);
	sppt_root_put(r);
	env_free(e);
}

/* The shadow leaf entry PT 13 entry @i gives, and what it must be. */
static uint64_t leaf_at(struct env *e, struct sppt_root *r, unsigned int i)
{
	struct fake_xlat x;

	xlat(e, r, 4, i * PG, &x);
	assert_true(x.mapped);
	return x.entry;
}

/*
 * Guest PTEs with bits the shadow drops (8..11 ignored by Gen9, 48..63
 * above the address) inside a linear range: the whole-page passes leave
 * them to the per-entry rule, so every way in (built at root creation,
 * re-synced by the untracked compare, a trapped write in strict mode) gives
 * address + delta with only bits 0..7 kept, and no pin.
 */
static void test_linear_dropped_bits(void **state)
{
	static const uint64_t odd[] = {
		500 * PG | P | RW | 0x100,
		501 * PG | P | 0x800,
		502 * PG | P | RW | (1ull << 52),
		503 * PG | P | RW | SPPT_E_PWT | SPPT_E_PCD | SPPT_E_PAT | 0xf00 | (0xffull << 56),
		504 * PG | 0x700,		/* not present: scratch */
		505 * PG | P | RW,		/* plain */
	};
	const uint64_t D = 0x200000000000ull;
	enum sppt_mode modes[] = { SPPT_MODE_UNTRACKED, SPPT_MODE_TRACKED_STRICT };
	unsigned int m, i, k, n = sizeof(odd) / sizeof(odd[0]);

	(void)state;
	for (m = 0; m < 2; m++) {
		struct env *e = env_new(modes[m]);
		struct sppt_root *r;

		assert_int_equal(fake_linear_register(&e->hv, 0, 4096, D), 0);
		build_tree(e, 512);
		for (i = 0; i < n; i++)
			poke(e, 13, 8 + i, odd[i]);
		assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
		for (k = 0; k < 3; k++) {
			for (i = 0; i < n; i++) {
				uint64_t g = odd[i] + k * 1000 * PG, want;

				if (!(g & P)) {
					expect_scratch(e, r, 4, (8 + i) * PG);
					continue;
				}
				want = ((g & SPPT_ADDR_MASK) + D) | (g & 0xff);
				assert_int_equal(leaf_at(e, r, 8 + i), want);
			}
			check_lin(e, r, 0);
			/* Next round: the same entries 1000 pages on, the rest
			 * of the page rewritten too (the whole-page pass). */
			for (i = 0; i < 512; i++) {
				uint64_t v = (i >= 8 && i < 8 + n) ? odd[i - 8] + (k + 1) * 1000 * PG :
								      (1100 + k + i) * PG | P | RW;

				if (modes[m] == SPPT_MODE_UNTRACKED)
					poke(e, 13, i, v);
				else
					store(e, 13, i, v);
			}
			submit(e, r);
		}
		sppt_root_put(r);
		env_free(e);
	}
}

/*
 * A directory page freed and reused as a PT inside the address space being
 * submitted (i915 frees page directories that become empty): the guest
 * cleared the PML4E and filled the page with PTEs, so both pages changed.
 * The PML4 page is synced before its old child: otherwise the stale
 * snapshot would still lead the in-flight root to the page, which would be
 * synced as a PDP and its PTEs (PAT is bit 7) refused as 1G pages. An idle
 * root that still reaches it keeps it, unsynced, until it is submitted.
 */
static void test_role_reuse_inflight_parent(void **state)
{
	struct env *e = env_new(SPPT_MODE_UNTRACKED);
	const uint64_t idle4[4] = { 50 * PG, 0, 0, 0 };
	struct sppt_root *r_idle, *r;
	struct sppt_stats st, st0;
	unsigned int i;

	(void)state;
	/* Idle root first, so that PDP page 11 comes before PML4 page 10
	 * in the engine's page list (the order the compare finds them). */
	poke(e, 50, 0, 11 * PG | P | RW);
	poke(e, 11, 0, 12 * PG | P | RW);
	poke(e, 12, 0, 13 * PG | P | RW);
	for (i = 0; i < 4; i++)
		poke(e, 13, i, (100 + i) * PG | P | RW);
	assert_int_equal(sppt_root_get(e->vgpu, 4, idle4, &r_idle), 0);
	submit(e, r_idle);
	poke(e, 10, 0, 11 * PG | P | RW);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	submit(e, r);
	check_root(e, r, 4, root4);

	/* PDP 11 freed (PML4E cleared) and reused as a PT under PD 12' = 14,
	 * linked from a new PDP 15. */
	poke(e, 10, 0, 0);
	poke(e, 10, 1, 15 * PG | P | RW);
	poke(e, 15, 0, 14 * PG | P | RW);
	poke(e, 14, 0, 11 * PG | P | RW);
	for (i = 0; i < 512; i++)
		poke(e, 11, i, (200 + i) * PG | P | RW | SPPT_E_PAT);
	sppt_vgpu_stats(e->vgpu, &st0);
	submit(e, r);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.refused_1g - st0.refused_1g, 0);
	check_root(e, r, 4, root4);
	expect_page(e, r, 4, (1ull << 39) + 5 * PG, 205);
	expect_scratch(e, r, 4, 0);
	/* The idle root, submitted, sees page 11 as it now is. */
	submit(e, r_idle);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.refused_1g - st0.refused_1g, 512);
	check_root(e, r_idle, 4, idle4);
	check_root(e, r, 4, root4);
	sppt_root_put(r_idle);
	sppt_root_put(r);
	env_free(e);
}

/*
 * Page-table pages reused in another role while an idle cached root still
 * holds them (i915 freeing an address space and building a new one from its
 * pages, as gem_ctx_exec basic-close-race does), untracked: the changed
 * pages are synced for the roots submitted, not in the old role for the
 * idle root, and the idle root sees the current content when submitted.
 */
static void test_role_reuse_idle_root(void **state)
{
	struct env *e = env_new(SPPT_MODE_UNTRACKED);
	struct sppt_root *r_old, *r_new, *r_pdp, *r_other;
	struct sppt_stats st, st0;
	const uint64_t new4[4] = { 20 * PG, 0, 0, 0 }, pdp4[4] = { 30 * PG, 0, 0, 0 };
	const uint64_t other4[4] = { 40 * PG, 0, 0, 0 };
	unsigned int i;

	build_tree(e, 4);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r_old), 0);
	submit(e, r_old);
	check_root(e, r_old, 4, root4);

	/* PDP page 11 of the idle root becomes a PT of a new address space:
	 * its PTEs carry PAT (bit 7), PS in a PDPE. */
	poke(e, 20, 0, 21 * PG | P | RW);
	poke(e, 21, 0, 22 * PG | P | RW);
	poke(e, 22, 0, 11 * PG | P | RW);
	for (i = 0; i < 512; i++)
		poke(e, 11, i, (200 + i) * PG | P | RW | SPPT_E_PAT);
	sppt_vgpu_stats(e->vgpu, &st0);
	assert_int_equal(sppt_root_get(e->vgpu, 4, new4, &r_new), 0);
	assert_int_equal(sppt_submit_begin(e->vgpu, &r_new, 1), 0);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.refused_1g, 0);
	assert_int_equal(st.stale_unshadows - st0.stale_unshadows, 1);
	check_root(e, r_new, 4, new4);
	expect_page(e, r_new, 4, 3 * PG, 203);
	sppt_submit_end(e->vgpu, &r_new, 1);
	/* The old root, submitted again, sees page 11 as it is now: 512 1G
	 * PDPEs, refused because its guest really says so. */
	assert_int_equal(sppt_root_shadow_addr(r_old, (uint64_t[4]){ 0 }), -EAGAIN);
	submit(e, r_old);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.refused_1g, 512);
	check_root(e, r_old, 4, root4);
	check_root(e, r_new, 4, new4);
	sppt_root_put(r_old);

	/* PT page 23 of the new address space (PT role) becomes a PDP of a
	 * third one while the new root is idle. */
	poke(e, 22, 1, 23 * PG | P | RW);
	for (i = 0; i < 8; i++)
		poke(e, 23, i, (300 + i) * PG | P | RW);
	submit(e, r_new);
	check_root(e, r_new, 4, new4);
	poke(e, 30, 0, 23 * PG | P | RW);
	poke(e, 33, 0, 500 * PG | P | RW);
	poke(e, 32, 0, 33 * PG | P | RW);
	for (i = 1; i < 8; i++)
		poke(e, 23, i, 0);
	poke(e, 23, 0, 32 * PG | P | RW);
	assert_int_equal(sppt_root_get(e->vgpu, 4, pdp4, &r_pdp), 0);
	submit(e, r_pdp);
	check_root(e, r_pdp, 4, pdp4);
	expect_page(e, r_pdp, 4, 0, 500);
	submit(e, r_new);
	check_root(e, r_new, 4, new4);
	expect_page(e, r_new, 4, (512 + 0) * PG, 32);

	/* A page directory only an idle root reaches filled with data that
	 * looks like PDEs: not shadowed while other roots are submitted. */
	poke(e, 40, 0, 41 * PG | P | RW);
	poke(e, 41, 0, 42 * PG | P | RW);
	poke(e, 42, 0, 43 * PG | P | RW);
	poke(e, 43, 0, 600 * PG | P | RW);
	assert_int_equal(sppt_root_get(e->vgpu, 4, other4, &r_other), 0);
	submit(e, r_other);
	sppt_vgpu_stats(e->vgpu, &st0);
	for (i = 0; i < 512; i++)
		poke(e, 22, i, (1000 + 3 * i) * PG | P | RW);
	submit(e, r_other);
	submit(e, r_other);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.guest_pages, st0.guest_pages);
	assert_int_equal(st.pins, st0.pins);
	check_root(e, r_other, 4, other4);
	/* ...and is when its root is. */
	submit(e, r_new);
	check_root(e, r_new, 4, new4);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_true(st.guest_pages > st0.guest_pages + 500);
	/* A changed directory only the idle root reached, linked into the
	 * submitted root by a change of that submission: synced too. */
	poke(e, 44, 0, 700 * PG | P | RW);
	poke(e, 42, 1, 44 * PG | P | RW);
	poke(e, 21, 1, 42 * PG | P | RW);
	submit(e, r_new);
	check_root(e, r_new, 4, new4);
	expect_page(e, r_new, 4, (1ull << 30) + (1ull << 21), 700);
	sppt_root_put(r_other);
	sppt_root_put(r_pdp);
	sppt_root_put(r_new);
	env_free(e);
}

/*
 * A new kind of shadow for a page other shadows already reflect is built from
 * the page as it is now: PT page 13 of an idle root (PTEs with PAT, PS in a
 * PDPE) becomes a PDP of a new root, announced (sppt_root_get) before any
 * submission. Both read paths (in place and read_gpa).
 */
static void test_role_reuse_new_variant(void **state)
{
	const uint64_t new4[4] = { 50 * PG, 0, 0, 0 };
	unsigned int pass, i;

	for (pass = 0; pass < 2; pass++) {
		struct env *e = env_new(SPPT_MODE_UNTRACKED);
		struct sppt_root *r_old, *r_new;
		struct sppt_stats st;

		e->hv.offer_guest_page = pass == 0;
		build_tree(e, 0);
		for (i = 0; i < 512; i++)
			poke(e, 13, i, (100 + i) * PG | P | RW | SPPT_E_PAT);
		assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r_old), 0);
		submit(e, r_old);
		check_root(e, r_old, 4, root4);
		/* Page 13 rewritten as a PDP: entry 0 -> PD 52 -> PT 53. */
		for (i = 0; i < 512; i++)
			poke(e, 13, i, 0);
		poke(e, 13, 0, 52 * PG | P | RW);
		poke(e, 52, 0, 53 * PG | P | RW);
		poke(e, 53, 0, 800 * PG | P | RW);
		poke(e, 50, 0, 13 * PG | P | RW);
		assert_int_equal(sppt_root_get(e->vgpu, 4, new4, &r_new), 0);
		sppt_vgpu_stats(e->vgpu, &st);
		assert_int_equal(st.refused_1g, 0);
		assert_int_equal(st.stale_unshadows, 1);
		submit(e, r_new);
		sppt_vgpu_stats(e->vgpu, &st);
		assert_int_equal(st.refused_1g, 0);
		check_root(e, r_new, 4, new4);
		expect_page(e, r_new, 4, 0, 800);
		/* The old root again: page 13 read as the PT it points at. */
		submit(e, r_old);
		check_root(e, r_old, 4, root4);
		check_root(e, r_new, 4, new4);
		sppt_root_put(r_old);
		sppt_root_put(r_new);
		env_free(e);
	}
}

static void test_invalidate(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *a, *b;
	uint64_t rb[4] = { 30 * PG, 0, 0, 0 }, sh[4];
	struct sppt_stats st;

	build_tree(e, 4);
	poke(e, 30, 0, 11 * PG | P | RW);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &a), 0);
	assert_int_equal(sppt_root_get(e->vgpu, 4, rb, &b), 0);
	assert_int_equal(sppt_submit_begin(e->vgpu, &b, 1), 0);
	/* b is in flight and keeps its shadow; a loses it. */
	assert_int_equal(sppt_vgpu_invalidate(e->vgpu), 1);
	assert_int_equal(sppt_root_shadow_addr(a, sh), -EAGAIN);
	assert_false(e->hv.prot[10]); /* a's PML4 no longer tracked */
	assert_true(e->hv.prot[30]);
	sppt_submit_end(e->vgpu, &b, 1);
	assert_int_equal(sppt_vgpu_invalidate(e->vgpu), 1);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.pins, 0);
	assert_int_equal(st.guest_pages, 0);
	assert_int_equal(st.roots, 2);
	/* The guest changed the tables meanwhile: resubmission shadows anew. */
	poke(e, 13, 0, 777 * PG | P);
	submit(e, a);
	expect_page(e, a, 4, 0, 777);
	check_root(e, a, 4, root4);
	sppt_root_put(a);
	sppt_root_put(b);
	env_free(e);
}

static void test_alloc_failure(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;
	struct sppt_stats st;

	build_tree(e, 4);
	e->hv.alloc_fail_at = e->hv.alloc_serial + 2; /* the PD's shadow */
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	expect_scratch(e, r, 4, 0);
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.alloc_failures, 1);
	assert_int_equal(st.pins, 0);
	sppt_root_put(r);
	env_free(e);
}

/* Out of table memory while shadowing: an idle root is reclaimed instead of
 * mapping scratch. */
static void test_alloc_failure_reclaims(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *a, *b;
	uint64_t rb[4] = { 40 * PG, 0, 0, 0 }, sh[4];
	struct sppt_stats st;

	build_tree(e, 4);
	poke(e, 40, 0, 41 * PG | P | RW); /* a second, unrelated tree */
	poke(e, 41, 0, 42 * PG | P | RW);
	assert_int_equal(sppt_root_get(e->vgpu, 4, rb, &b), 0);
	e->hv.alloc_fail_at = e->hv.alloc_serial + 2;
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &a), 0);
	check_root(e, a, 4, root4); /* fully shadowed, no scratch */
	sppt_vgpu_stats(e->vgpu, &st);
	assert_int_equal(st.alloc_failures, 0);
	assert_int_equal(st.reclaims, 1);
	assert_int_equal(sppt_root_shadow_addr(b, sh), -EAGAIN);
	submit(e, b); /* comes back when used */
	check_root(e, b, 4, rb);
	sppt_root_put(a);
	sppt_root_put(b);
	env_free(e);
}

static void test_destroy_with_roots(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_ADAPTIVE);
	struct sppt_root *r;
	unsigned int i;

	build_tree(e, 32);
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	for (i = 0; i < 8; i++)
		store(e, 13, i, (2000 + i) * PG | P); /* leaves the PT out of sync */
	env_free(e); /* destroy with a live root and an OOS page: still balanced */
}

static void test_protect_failure(void **state)
{
	struct env *e = env_new(SPPT_MODE_TRACKED_STRICT);
	struct sppt_root *r;

	build_tree(e, 4);
	e->hv.protect_fail_gfn = 13; /* the hypervisor can't track the PT */
	assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
	assert_false(e->hv.prot[13]);
	expect_page(e, r, 4, PG, 101);
	store(e, 13, 1, 321 * PG | P); /* not trapped */
	assert_int_equal(e->hv.traps, 0);
	submit(e, r); /* compared at the sync instead */
	expect_page(e, r, 4, PG, 321);
	check_root(e, r, 4, root4);
	sppt_root_put(r);
	env_free(e);
}

struct thr {
	struct env *e;
	struct sppt_root *r;
	int stop;
};

static void *thr_writer(void *arg)
{
	struct thr *t = arg;
	uint64_t rng = 3;
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		uint64_t x = fake_rand(&rng);
		uint64_t v = (200 + x % 3000) * PG | P | (x & RW);

		/* Whole and half stores into the shared PT, as a vCPU would. */
		if (x & (1ull << 40))
			fake_guest_write(&t->e->hv, 13 * PG + (x >> 50) % 64 * 8, &v, 8);
		else
			fake_guest_write(&t->e->hv, 13 * PG + (x >> 50) % 64 * 8 + 4 * ((x >> 45) & 1),
					 (uint8_t *)&v + 4 * ((x >> 45) & 1), 4);
	}
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *thr_submitter(void *arg)
{
	struct thr *t = arg;
	struct sppt_stats st;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		assert_int_equal(sppt_submit_begin(t->e->vgpu, &t->r, 1), 0);
		sppt_vgpu_stats(t->e->vgpu, &st);
		sppt_submit_end(t->e->vgpu, &t->r, 1);
	}
	return NULL;
}

/* A vCPU writing while another thread submits: the engine's lock keeps it
 * consistent, and the next sync point matches the guest exactly. */
static void test_threads(void **state)
{
	static const enum sppt_mode modes[3] = { SPPT_MODE_TRACKED_STRICT,
						 SPPT_MODE_TRACKED_ADAPTIVE, SPPT_MODE_UNTRACKED };
	unsigned int m;

	for (m = 0; m < 3; m++) {
		struct env *e = env_new(modes[m]);
		struct thr t = { .e = e };
		pthread_t a, b;

		build_tree(e, 64);
		assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &t.r), 0);
		assert_int_equal(pthread_create(&a, NULL, thr_writer, &t), 0);
		assert_int_equal(pthread_create(&b, NULL, thr_submitter, &t), 0);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		submit(e, t.r);
		check_root(e, t.r, 4, root4);
		sppt_root_put(t.r);
		env_free(e);
	}
}

/* The three modes give the same shadow translations for the same history. */
static void test_modes_agree(void **state)
{
	static const enum sppt_mode modes[3] = { SPPT_MODE_TRACKED_STRICT,
						 SPPT_MODE_TRACKED_ADAPTIVE, SPPT_MODE_UNTRACKED };
	uint64_t digest[3] = { 0, 0, 0 };
	unsigned int m, i, step;

	for (m = 0; m < 3; m++) {
		struct env *e = env_new(modes[m]);
		struct sppt_root *r;
		uint64_t rng = 99;

		build_tree(e, 64);
		assert_int_equal(sppt_root_get(e->vgpu, 4, root4, &r), 0);
		for (step = 0; step < 40; step++) {
			for (i = 0; i < 30; i++) {
				uint64_t x = fake_rand(&rng);

				store(e, 13, x % 64, (x >> 20) % 4096 * PG | ((x >> 8) & 0x9b) | P);
			}
			submit(e, r);
			for (i = 0; i < 64; i++) {
				struct fake_xlat t;

				xlat(e, r, 4, i * PG, &t);
				digest[m] = digest[m] * 1000003 + t.addr + t.flags;
			}
		}
		check_root(e, r, 4, root4);
		sppt_root_put(r);
		env_free(e);
	}
	assert_int_equal(digest[0], digest[1]);
	assert_int_equal(digest[0], digest[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_invalid),
		cmocka_unit_test(test_map_4level),
		cmocka_unit_test(test_root_cache),
		cmocka_unit_test(test_trap_full_write),
		cmocka_unit_test(test_partial_deferred),
		cmocka_unit_test(test_write_16_and_invalid),
		cmocka_unit_test(test_adaptive_oos),
		cmocka_unit_test(test_untracked_sync),
		cmocka_unit_test(test_64k_2m_1g),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_page_reuse),
		cmocka_unit_test(test_shared_subtree_3level),
		cmocka_unit_test(test_reclaim_budget),
		cmocka_unit_test(test_reclaim_budget_lru),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_linear_nopin_sync),
		cmocka_unit_test(test_linear_dropped_bits),
		cmocka_unit_test(test_role_reuse_idle_root),
		cmocka_unit_test(test_role_reuse_inflight_parent),
		cmocka_unit_test(test_role_reuse_new_variant),
		cmocka_unit_test(test_invalidate),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_alloc_failure_reclaims),
		cmocka_unit_test(test_destroy_with_roots),
		cmocka_unit_test(test_protect_failure),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_modes_agree),
	};

	setenv("SPPT_QUIET", "1", 0);
	return cmocka_run_group_tests_name("sppt", tests, NULL, NULL);
}
