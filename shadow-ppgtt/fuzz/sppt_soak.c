// SPDX-License-Identifier: GPL-2.0-only
/*
 * sppt property soak: the property driver (tests/sppt_prop.c) for a fixed
 * number of steps in each of the three sync modes, cycling through settings
 * (pool sizes, submit rates, K, the read_gpa path, budgets, failing table
 * allocations, linear ranges registered and withdrawn mid-run), one seed per
 * run. At every submission each submitted root is checked against the
 * reference walk; after each run nothing may stay pinned or allocated.
 *
 * `make fuzz` runs it beside the libFuzzer targets (it takes and ignores
 * their arguments) from an uninstrumented -O2 build; `make sppt-soak` from
 * the current build. SPPT_SOAK_STEPS=n sets the steps per mode (default
 * 400,000: 1.2 million in all), SPPT_SOAK_JOBS=n the processes sharing them (default: one per
 * online CPU). Prints "Done ..." with the step counts; exits 1 on the first
 * mismatch or imbalance, with its seed and settings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sppt_prop.h"

#define RUN_STEPS 20000ul

static const char *const mode_name[3] = { "strict", "adaptive", "untracked" };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Settings of run @k: every combination comes round within 64 runs. */
static void soak_opts(struct prop_opts *o, enum sppt_mode mode, unsigned long k)
{
	static const unsigned int pools[4] = { 4, 12, 12, 40 };
	static const unsigned int pcts[4] = { 2, 2, 5, 10 };

	*o = (struct prop_opts){ .mode = mode, .samples = 4, .memo_bits = 12 };
	o->pool = pools[k % 4];
	o->npages = o->pool == 40 ? 512 : 128;
	o->submit_pct = pcts[(k / 4) % 4];
	o->linear = (k / 16) % 2 == 0;
	o->oos_threshold = (k / 2) % 4;
	o->no_guest_page = (k / 8) % 2;
	if ((k / 32) % 2)
		o->mem_budget = 40 * 1024;
	if (k % 7 == 3)
		o->alloc_fail_every = 97;
}

struct soak_total {
	unsigned long steps[3], runs, checks, submits, lin;
};

/* Process @job of @jobs: settings 0, 1, 2, ... (the same mix in every
 * process), seeds of its own, until each mode did @per_mode steps.
 * Returns 0, or 1 after printing the first mismatch. */
static int soak(unsigned long job, unsigned long jobs, unsigned long per_mode,
		struct soak_total *t)
{
	unsigned long c, k;
	unsigned int m;

	/* Modes take turns, so that a run cut short has covered all three. */
	for (c = 0; t->steps[0] < per_mode || t->steps[1] < per_mode || t->steps[2] < per_mode;
	     c++) {
		k = c * jobs + job;
		for (m = 0; m < 3; m++) {
			uint64_t seed = 0x50a6000000ull + k * 3 + m;
			struct prop_src src = { .rng = seed };
			struct prop_opts o;
			struct prop_result res;
			char msg[512];

			if (t->steps[m] >= per_mode)
				continue;
			soak_opts(&o, (enum sppt_mode)m, c);
			if (prop_run(&o, &src, RUN_STEPS, &res, msg, sizeof(msg))) {
				printf("sppt soak: MISMATCH in %s mode, seed 0x%" PRIx64
				       " (settings %lu: pool %u, npages %u, submit %u%%, K %u, linear %d, "
				       "no_guest_page %d, budget %" PRIu64 ", alloc_fail_every %u) "
				       "at step %lu: %s\n",
				       mode_name[m], seed, c, o.pool, o.npages, o.submit_pct,
				       o.oos_threshold, o.linear, o.no_guest_page, o.mem_budget,
				       o.alloc_fail_every, res.steps, msg);
				fflush(stdout);
				return 1;
			}
			t->steps[m] += res.steps;
			t->checks += res.checks;
			t->submits += res.submits;
			t->lin += res.lin_regs;
			t->runs++;
		}
	}
	return 0;
}

/* A positive decimal (or 0x hex) count with nothing after it; 0 or -EINVAL. */
static int soak_parse_count(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || !v || *s == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("SPPT_SOAK_STEPS"), *jenv = getenv("SPPT_SOAK_JOBS");
	unsigned long per_mode = 400000ul;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	struct soak_total tot = { .runs = 0 };
	double t0 = now_s();
	int failed = 0, st;
	long j;
	pid_t pid[8];
	int fd[8][2];

	(void)argc;
	(void)argv; /* libFuzzer's options and corpus directories: not used */
	if (env && soak_parse_count(env, &per_mode)) {
		fprintf(stderr, "sppt_soak: SPPT_SOAK_STEPS must be a positive whole number, not '%s'\n",
			env);
		return 2;
	}
	if (jenv) {
		unsigned long n;

		if (soak_parse_count(jenv, &n)) {
			fprintf(stderr,
				"sppt_soak: SPPT_SOAK_JOBS must be a positive whole number, not '%s'\n",
				jenv);
			return 2;
		}
		jobs = n > 8 ? 8 : (long)n;
	}
	setenv("SPPT_QUIET", "1", 0);
	if (jobs < 1)
		jobs = 1;
	if (jobs > 8)
		jobs = 8;
	if (jobs == 1) {
		failed = soak(0, 1, per_mode, &tot);
	} else {
		/* One process per CPU, each a share of every mode, results back
		 * through a pipe. */
		for (j = 0; j < jobs; j++) {
			if (pipe(fd[j]) || (pid[j] = fork()) < 0) {
				perror("sppt soak: pipe/fork");
				return 1;
			}
			if (!pid[j]) {
				struct soak_total t = { .runs = 0 };
				int r = soak(j, jobs, (per_mode + jobs - 1) / jobs, &t);

				if (write(fd[j][1], &t, sizeof(t)) != sizeof(t))
					r = 1;
				_exit(r);
			}
			close(fd[j][1]);
		}
		for (j = 0; j < jobs; j++) {
			struct soak_total t;
			unsigned int m;

			if (read(fd[j][0], &t, sizeof(t)) == sizeof(t)) {
				for (m = 0; m < 3; m++)
					tot.steps[m] += t.steps[m];
				tot.runs += t.runs;
				tot.checks += t.checks;
				tot.submits += t.submits;
				tot.lin += t.lin;
			}
			close(fd[j][0]);
			if (waitpid(pid[j], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				failed = 1;
		}
	}
	if (failed) {
		printf("sppt soak: FAILED\n");
		return 1;
	}
	printf("Done %lu sppt property steps (strict %lu, adaptive %lu, untracked %lu) in %lu "
	       "runs on %ld processes: %lu submissions, %lu root checks, %lu linear ranges "
	       "registered, 0 mismatches, %.0f s\n",
	       tot.steps[0] + tot.steps[1] + tot.steps[2], tot.steps[0], tot.steps[1],
	       tot.steps[2], tot.runs, jobs, tot.submits, tot.checks, tot.lin, now_s() - t0);
	return 0;
}
