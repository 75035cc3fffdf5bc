// SPDX-License-Identifier: GPL-2.0-only
/*
 * sppt benchmarks. Every figure is written beside a baseline measured in the
 * same run (memcpy/memcmp/mutex), with the ratio and the target.
 * Usage: bench_sppt [--out FILE.json] [--quick]
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sppt_fake.h"

#define PG 4096ull
#define P SPPT_E_PRESENT
#define RW SPPT_E_RW

static bool quick;
static FILE *out;
static int nfig;
static int missed;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what, int ret)
{
	fprintf(stderr, "bench_sppt: %s failed (%d)\n", what, ret);
	exit(1);
}

/* kind: "max_ratio" (value/baseline <= target), "max_abs" (value <= target),
 * "min_abs" (value >= target) or "none" (informational, no target). */
static void figure(const char *name, const char *unit, double value, const char *bname,
		   double base, const char *kind, double target, const char *note)
{
	double ratio = base > 0 ? value / base : 0;
	bool met = !strcmp(kind, "none")      ? true :
		   !strcmp(kind, "max_abs")   ? value <= target :
		   !strcmp(kind, "min_abs")   ? value >= target :
						ratio <= target;

	if (!met)
		missed++;
	fprintf(out == stdout ? stderr : stdout, "%-34s %12.1f %-6s | %-26s %12.1f | ratio %7.3f | target %s %g: %s\n", name,
	       value, unit, bname, base, ratio, kind, target, met ? "met" : "MISSED");
	fprintf(out,
		"%s\n  {\"name\": \"%s\", \"unit\": \"%s\", \"value\": %.3f, \"baseline_name\": \"%s\", "
		"\"baseline\": %.3f, \"ratio\": %.4f, \"target_kind\": \"%s\", \"target\": %g, "
		"\"target_met\": %s, \"note\": \"%s\"}",
		nfig++ ? "," : "", name, unit, value, bname, base, ratio, kind, target,
		met ? "true" : "false", note);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return v[n / 2];
}

struct env {
	struct fake_hv hv;
	struct sppt_vgpu *vgpu;
};

static void env_init(struct env *e, enum sppt_mode mode, unsigned int npages, unsigned int k)
{
	struct sppt_config cfg = { .mode = mode, .oos_threshold = k };
	int ret;

	if (fake_hv_init(&e->hv, npages))
		die("fake_hv_init", -ENOMEM);
	ret = sppt_vgpu_create(&fake_ops, &e->hv, &cfg, &e->vgpu);
	if (ret)
		die("sppt_vgpu_create", ret);
	e->hv.vgpu = e->vgpu;
}

static void env_fini(struct env *e)
{
	sppt_vgpu_destroy(e->vgpu);
	if (e->hv.pins_live || e->hv.tables_live || e->hv.prot_live || e->hv.errors)
		die("teardown balance", -EFAULT);
	fake_hv_fini(&e->hv);
}

static void poke(struct env *e, uint64_t gfn, unsigned int i, uint64_t v)
{
	memcpy(e->hv.mem + gfn * PG + i * 8, &v, 8);
}

static void submit(struct env *e, struct sppt_root *r)
{
	int ret = sppt_submit_begin(e->vgpu, &r, 1);

	if (ret)
		die("submit", ret);
	sppt_submit_end(e->vgpu, &r, 1);
}

/* ---- memcpy / memcmp baselines ---- */

/* ns per hot 4 KiB memcpy over @reps copies (one byte of the source
 * changes each time, so no copy is elided). */
static double memcpy_hot_ns(int reps, unsigned int tag)
{
	static uint8_t a[4096] __attribute__((aligned(64))), b[4096] __attribute__((aligned(64)));
	double t0 = now_ns();
	int k;

	for (k = 0; k < reps; k++) {
		a[k & 4095] = (uint8_t)(tag + k);
		memcpy(b, a, 4096);
		__asm__ volatile("" : : "r"(b) : "memory");
	}
	return (now_ns() - t0) / reps;
}

static double bench_memcpy4k(void)
{
	double s[15];
	int r;

	for (r = 0; r < 15; r++)
		s[r] = memcpy_hot_ns(quick ? 2000 : 20000, r);
	return median(s, 15);
}

/*
 * Re-shadow one 4 KiB PT page: all 512 guest PTEs change between two
 * submissions (untracked mode: found by compare), alternating between two
 * sets of 512 guest pages that another PT keeps pinned ("warm", the pin
 * cache hits) or that nothing else maps ("cold": every PTE pins and unpins
 * through the hypervisor callbacks).
 */
static double bench_reshadow(bool warm)
{
	struct env e;
	struct sppt_root *r;
	uint64_t root[4] = { 10 * PG, 0, 0, 0 };
	static uint64_t set[2][512];
	double s[401], t0, t1;
	int it, n = quick ? 100 : 400, ret;
	unsigned int i;

	env_init(&e, SPPT_MODE_UNTRACKED, 4096, 0);
	poke(&e, 10, 0, 11 * PG | P | RW);
	poke(&e, 11, 0, 12 * PG | P | RW);
	poke(&e, 12, 0, 13 * PG | P | RW);
	for (i = 0; i < 512; i++) {
		set[0][i] = (1024 + i) * PG | P | RW;
		set[1][i] = (2048 + i) * PG | P | RW;
		if (warm) { /* PTs 14 and 15 keep both sets pinned */
			poke(&e, 14, i, set[0][i]);
			poke(&e, 15, i, set[1][i]);
		}
	}
	if (warm) {
		poke(&e, 12, 1, 14 * PG | P | RW);
		poke(&e, 12, 2, 15 * PG | P | RW);
	}
	memcpy(e.hv.mem + 13 * PG, set[0], PG);
	ret = sppt_root_get(e.vgpu, 4, root, &r);
	if (ret)
		die("root_get", ret);
	for (it = 0; it <= n; it++) {
		memcpy(e.hv.mem + 13 * PG, set[(it + 1) & 1], PG);
		t0 = now_ns();
		submit(&e, r);
		t1 = now_ns();
		s[it] = t1 - t0;
	}
	sppt_root_put(r);
	env_fini(&e);
	return median(s + 1, n);
}

/*
 * The same PT page inside a linear range (the host declared all guest RAM
 * linear): every PTE translates by an add. Submissions with the page
 * rewritten alternate with submissions where nothing changed; *@whole gets
 * the median whole submit_begin/end with the change, *@same the median
 * without (the fixed cost: lock, untracked compare of the 3 upper pages).
 */
static void bench_reshadow_linear(double *whole, double *same, double *cpy)
{
	struct env e;
	struct sppt_root *r;
	uint64_t root[4] = { 10 * PG, 0, 0, 0 };
	static uint64_t set[2][512];
	static double s[2001], u[2001], c[2001];
	double t0;
	int it, n = quick ? 200 : 2000, ret;
	unsigned int i;

	env_init(&e, SPPT_MODE_UNTRACKED, 4096, 0);
	ret = sppt_linear_register(e.vgpu, 0, 4096, 0x200000000000ull);
	if (ret)
		die("linear_register", ret);
	poke(&e, 10, 0, 11 * PG | P | RW);
	poke(&e, 11, 0, 12 * PG | P | RW);
	poke(&e, 12, 0, 13 * PG | P | RW);
	for (i = 0; i < 512; i++) {
		set[0][i] = (1024 + i) * PG | P | RW;
		set[1][i] = (2048 + i) * PG | P | RW;
	}
	memcpy(e.hv.mem + 13 * PG, set[0], PG);
	ret = sppt_root_get(e.vgpu, 4, root, &r);
	if (ret)
		die("root_get", ret);
	for (it = 0; it <= n; it++) {
		/* The baseline under the same load: 16 hot 4 KiB copies... */
		c[it] = memcpy_hot_ns(16, it);
		/* ...then an untimed submit warms the engine's pages again. */
		submit(&e, r);
		memcpy(e.hv.mem + 13 * PG, set[(it + 1) & 1], PG);
		t0 = now_ns();
		submit(&e, r);
		s[it] = now_ns() - t0;
		t0 = now_ns();
		submit(&e, r);
		u[it] = now_ns() - t0;
	}
	if (e.hv.pins_live)
		die("linear range pinned pages", -EFAULT);
	sppt_root_put(r);
	env_fini(&e);
	*whole = median(s + 1, n);
	*same = median(u + 1, n);
	*cpy = median(c + 1, n);
}

/*
 * The floor of any linear re-shadow, measured beside the same memcpy: the
 * bare per-entry rule (present, address in range, dropped bits clear: add
 * the delta, else scratch) over one hot 4 KiB page into one hot table, with
 * no snapshot and no engine around it. Built like the engine's leaf passes
 * (AVX-512/AVX2 clones where the compiler offers them).
 */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define BENCH_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef BENCH_CLONES
#define BENCH_CLONES
#endif

BENCH_CLONES
static uint64_t floor_pass(uint64_t *restrict t, const uint64_t *restrict g, uint64_t lo,
			   uint64_t n, uint64_t delta, uint64_t scratch)
{
	uint64_t left = 0;
	unsigned int i;

	for (i = 0; i < 512; i++) {
		uint64_t v = g[i], ok = (v - lo < n) & ((v & 0xf01) == P);

		t[i] = ok ? v + delta : scratch;
		left |= (v & P) & ~ok;
	}
	return left;
}

static void bench_reshadow_floor(double *pass, double *cpy)
{
	static uint64_t g[2][512] __attribute__((aligned(64))), t[512] __attribute__((aligned(64)));
	static double s[401], c[401];
	int it, k, n = quick ? 50 : 400;
	uint64_t sink = 0;
	unsigned int i;
	double t0;

	for (i = 0; i < 512; i++) {
		g[0][i] = (1024 + i) * PG | P | RW;
		g[1][i] = (2048 + i) * PG | P | RW;
	}
	for (it = 0; it <= n; it++) {
		c[it] = memcpy_hot_ns(64, it);
		t0 = now_ns();
		for (k = 0; k < 64; k++) {
			sink += floor_pass(t, g[k & 1], 0, 4096 * PG, 0x200000000000ull, 0x5003);
			__asm__ volatile("" : : "r"(t) : "memory");
		}
		s[it] = (now_ns() - t0) / 64;
	}
	if (sink)
		die("floor pass left entries", -EINVAL);
	*pass = median(s + 1, n);
	*cpy = median(c + 1, n);
}

static double clock_overhead(void)
{
	double s[101];
	int i;

	for (i = 0; i < 101; i++) {
		double t0 = now_ns();

		s[i] = now_ns() - t0;
	}
	return median(s, 101);
}

/* ---- trapped 8-byte write, in-engine ---- */

static double bench_trap(void)
{
	struct env e;
	struct sppt_root *r;
	uint64_t root[4] = { 10 * PG, 0, 0, 0 }, v[2];
	double s[9];
	int rep, i, n = quick ? 20000 : 200000, ret;

	env_init(&e, SPPT_MODE_TRACKED_STRICT, 4096, 0);
	poke(&e, 10, 0, 11 * PG | P | RW);
	poke(&e, 11, 0, 12 * PG | P | RW);
	poke(&e, 12, 0, 13 * PG | P | RW);
	poke(&e, 13, 0, 500 * PG | P | RW);
	poke(&e, 13, 1, 501 * PG | P | RW);
	ret = sppt_root_get(e.vgpu, 4, root, &r);
	if (ret)
		die("root_get", ret);
	v[0] = 500 * PG | P | RW;
	v[1] = 501 * PG | P | RW;
	for (rep = 0; rep < 9; rep++) {
		double t0 = now_ns();

		/* Entry 2 flips between two pages that stay pinned by 0 and 1. */
		for (i = 0; i < n; i++)
			sppt_write_trap(e.vgpu, 13 * PG + 16, &v[i & 1], 8);
		s[rep] = (now_ns() - t0) / n;
	}
	sppt_root_put(r);
	env_fini(&e);
	return median(s, 9);
}

static double bench_mutex(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	double s[9];
	int rep, i, n = 1000000;

	for (rep = 0; rep < 9; rep++) {
		double t0 = now_ns();

		for (i = 0; i < n; i++) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
		s[rep] = (now_ns() - t0) / n;
	}
	return median(s, 9);
}

/* ---- untracked sync of an unchanged 1000-page tree ---- */

#define TREE_PTS 1000u

/* PML4 @1 -> PDP @2 -> PDs @3,4 -> PTs @8.. ; every PT maps the same 16 pages. */
static void build_big_tree(struct env *e)
{
	unsigned int t, i;

	poke(e, 1, 0, 2 * PG | P | RW);
	poke(e, 2, 0, 3 * PG | P | RW);
	poke(e, 2, 1, 4 * PG | P | RW);
	for (t = 0; t < TREE_PTS; t++) {
		poke(e, 3 + t / 500, t % 500, (8 + t) * PG | P | RW);
		for (i = 0; i < 16; i++)
			poke(e, 8 + t, i * 32, (1100 + i) * PG | P | RW);
	}
}

static void bench_untracked(void)
{
	struct env e;
	struct sppt_root *r;
	uint64_t root[4] = { 1 * PG, 0, 0, 0 };
	struct sppt_stats st;
	uint8_t *snap;
	double s[41], b[41], sync_ns, cmp_ns, per_page;
	volatile int sink = 0;
	int it, n = quick ? 10 : 40, ret;
	unsigned int pages, i;

	env_init(&e, SPPT_MODE_UNTRACKED, 2048, 0);
	build_big_tree(&e);
	ret = sppt_root_get(e.vgpu, 4, root, &r);
	if (ret)
		die("root_get", ret);
	sppt_vgpu_stats(e.vgpu, &st);
	pages = (unsigned int)st.guest_pages;
	snap = malloc((size_t)pages * PG);
	if (!snap)
		die("malloc", -ENOMEM);
	/* Baseline: memcmp of the same guest pages against copies. */
	for (i = 0; i < pages; i++)
		memcpy(snap + (size_t)i * PG, e.hv.mem + (size_t)(i < 4 ? 1 + i : 8 + i - 4) * PG, PG);
	for (it = 0; it <= n; it++) {
		double t0 = now_ns();

		submit(&e, r);
		s[it] = now_ns() - t0;
		t0 = now_ns();
		for (i = 0; i < pages; i++)
			sink += memcmp(snap + (size_t)i * PG,
				       e.hv.mem + (size_t)(i < 4 ? 1 + i : 8 + i - 4) * PG, PG);
		b[it] = now_ns() - t0;
	}
	sync_ns = median(s + 1, n);
	cmp_ns = median(b + 1, n);
	figure("untracked_sync_unchanged_tree", "ns", sync_ns, "memcmp_same_pages", cmp_ns,
	       "max_ratio", 1.5, "1004 guest PT pages, nothing changed, guest_page op in use");
	/* Memory per shadowed page: engine bytes (shadow tables, snapshots,
	 * metadata, pin cache) over the guest pages shadowed. */
	sppt_vgpu_stats(e.vgpu, &st);
	per_page = (double)st.mem_bytes / st.guest_pages;
	figure("memory_per_shadowed_page", "bytes", per_page, "guest_page_size", 4096.0,
	       "max_ratio", 2.1, "shadow table + snapshot + metadata, amortized");
	(void)sink;
	free(snap);
	sppt_root_put(r);
	env_fini(&e);
}

/* ---- massive update: 4096 PTEs over 64 pages between submissions ---- */

struct massive {
	uint64_t traps;
	double ns;
	uint64_t digest;
};

static void run_massive(enum sppt_mode mode, struct massive *m)
{
	struct env e;
	struct sppt_root *r;
	uint64_t root[4] = { 1 * PG, 0, 0, 0 }, v;
	int round, rounds = quick ? 3 : 10, ret;
	unsigned int t, i;
	double t0, total = 0;
	char msg[256];
	uint64_t rng = 5;

	env_init(&e, mode, 4096, 0);
	poke(&e, 1, 0, 2 * PG | P | RW);
	poke(&e, 2, 0, 3 * PG | P | RW);
	for (t = 0; t < 64; t++)
		poke(&e, 3, t, (8 + t) * PG | P | RW);
	ret = sppt_root_get(e.vgpu, 4, root, &r);
	if (ret)
		die("root_get", ret);
	submit(&e, r);
	e.hv.traps = 0;
	for (round = 0; round < rounds; round++) {
		t0 = now_ns();
		for (t = 0; t < 64; t++)
			for (i = 0; i < 64; i++) {
				v = (200 + (fake_rand(&rng) % 3000)) * PG | P | RW;
				fake_guest_write(&e.hv, (8 + t) * PG + i * 8, &v, 8);
			}
		submit(&e, r);
		total += now_ns() - t0;
	}
	m->traps = e.hv.traps / rounds;
	m->ns = total / rounds;
	if (fake_check_root(&e.hv, e.vgpu, r, 4, root, &rng, 64, msg, sizeof(msg)))
		die(msg, -EFAULT);
	/* Digest of the translations of the 64 x 64 rewritten VAs. */
	m->digest = 0;
	for (t = 0; t < 64; t++)
		for (i = 0; i < 64; i++) {
			struct fake_xlat x;
			uint64_t sh[4];

			sppt_root_shadow_addr(r, sh);
			fake_shadow_translate(&e.hv, 4, sh, ((uint64_t)t << 21) + i * PG, &x);
			m->digest = m->digest * 1000003 + x.addr + x.flags;
		}
	sppt_root_put(r);
	env_fini(&e);
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	struct massive strict, adaptive;
	double cpy, warm, cold, trap, mtx, ovh, lin_whole, lin_same, lin_cpy, fl, fl_cpy;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else {
			fprintf(stderr, "usage: bench_sppt [--out FILE.json] [--quick]\n");
			return 2;
		}
	}
	setenv("SPPT_QUIET", "1", 0);
	out = path ? fopen(path, "w") : stdout;
	if (!out) {
		fprintf(stderr, "bench_sppt: cannot write %s\n", path);
		return 1;
	}
	fprintf(out, "{\"bench\": \"sppt\", \"figures\": [");

	ovh = clock_overhead();
	cpy = bench_memcpy4k();
	warm = bench_reshadow(true) - ovh;
	cold = bench_reshadow(false) - ovh;
	bench_reshadow_linear(&lin_whole, &lin_same, &lin_cpy);
	lin_whole -= ovh;
	lin_same -= ovh;
	figure("reshadow_pt_page_linear", "ns", lin_whole - lin_same, "memcpy_4k_interleaved",
	       lin_cpy,
	       "max_ratio", 2.0,
	       "512 present PTEs changed, all RAM one linear range: submit with the page "
	       "changed minus submit with nothing changed (the re-shadow itself); baseline: "
	       "16 hot memcpys timed between the submissions");
	figure("reshadow_pt_page_linear_whole_submit", "ns", lin_whole, "memcpy_4k_interleaved",
	       lin_cpy,
	       "none", 0,
	       "the same, whole submit_begin/end incl. lock and untracked compare of the "
	       "3 unchanged upper pages (no target; informational)");
	bench_reshadow_floor(&fl, &fl_cpy);
	figure("reshadow_floor_rule_only", "ns", fl, "memcpy_4k_interleaved", fl_cpy, "none", 0,
	       "the per-entry rule alone (check, add or scratch, one store), no snapshot, no "
	       "engine: what any linear re-shadow costs at least (informational)");
	figure("reshadow_pt_page_warm", "ns", warm, "memcpy_4k", cpy, "max_ratio", 2.0,
	       "pin path (no linear range): 512 PTEs changed, found by compare, pins cached; "
	       "whole submit_begin/end");
	figure("reshadow_pt_page_cold", "ns", cold, "memcpy_4k", cpy, "max_ratio", 2.0,
	       "pin path, as warm plus 512 pin and 512 unpin callbacks (fake hypervisor)");

	trap = bench_trap();
	mtx = bench_mutex();
	figure("trapped_write_8b", "ns", trap, "mutex_lock_unlock", mtx, "max_abs", 150,
	       "sppt_write_trap of a full PTE, strict mode, in-engine only");

	bench_untracked();

	run_massive(SPPT_MODE_TRACKED_STRICT, &strict);
	run_massive(SPPT_MODE_TRACKED_ADAPTIVE, &adaptive);
	figure("massive_update_trapped_writes", "writes", (double)adaptive.traps,
	       "strict_trapped_writes", (double)strict.traps, "max_ratio", 0.05,
	       "4096 PTEs over 64 pages per submission, adaptive K=2 vs strict");
	figure("massive_update_cycle_ns", "ns", adaptive.ns, "strict_cycle_ns", strict.ns,
	       "max_ratio", 1.0, "guest writes + trap handling + submission, per round");
	figure("massive_update_identical_shadows", "bool",
	       adaptive.digest == strict.digest ? 1.0 : 0.0, "required", 1.0, "min_abs", 1,
	       "translation digests of the rewritten VAs equal in both modes");
	fprintf(out, "\n], \"missed\": %d}\n", missed);
	if (path)
		fclose(out);
	return adaptive.digest == strict.digest ? 0 : 1;
}
