// SPDX-License-Identifier: MIT
/*
 * oom_sweep.c - fault-injection sweep over every scenario (style guide
 * item 38; libuv loop_init_oom, SQLite do_faultsim_test).
 *
 * Not a kernel file.  For each scenario file under $SPAN_SCENARIO_DIR
 * (recursively) and $SPAN_SHARED_DIR/scenarios, and for each fault class
 * (SPAN_FAULT_ALLOC: -ENOMEM, SPAN_FAULT_COPY: -EFAULT), one Check test (in
 * its own process) runs the scenario under the fifo schedule with the Nth
 * operation of the class failing, for N = 1, 2, 3, ... until a run sees no
 * injected fault.  Each faulted run must:
 *  - end (done, deadlock, or a step limit never reached), without a crash
 *    or a sanitizer report;
 *  - break no invariant but the one the scenario expects (`expect
 *    violation`) and `deadlock` (a failed call can leave a reader waiting
 *    forever): a `leak`, `refcount-underflow` or `use-after-free` on an
 *    error path is a model bug.  Runs that stop early (deadlock, run-time
 *    error) are torn down here so that their leaks are seen too;
 *  - give the failing operation, when it has a label, -ENOMEM (alloc;
 *    -ENOBUFS in the socket layer) or -EFAULT (copy), or a short count
 *    (partial progress wins).
 * A fault that hits the runner's own preparation (run_create() creating
 * the processes no fork creates) makes run_create() fail with -ENOMEM:
 * counted as "refused", not a failure.
 * Scenarios that do not parse, or that already fail without any fault
 * (scenarios/pending/), are skipped with a note.  When a scenario has many
 * fault points, N is sampled (the first SAMPLE_HEAD, then evenly spread)
 * and each (scenario, class) gets a time budget, so the suite stays well
 * under three minutes.  SPAN_OOM_VERBOSE=1 prints one line per sweep.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "run.h"
#include "scn.h"
#include "span/span.h"

#define MAX_FILES	512
#define SAMPLE_HEAD	64	/* N = 1 .. SAMPLE_HEAD always */
#define SAMPLE_MAX	160	/* fault points tried per sweep at most */
#define BUDGET_SEC	0.7	/* per (scenario, class) */

static char *files[MAX_FILES];
static int nr_files;

/* --- collecting scenario files -------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
		buf[n] = 0;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* the same text already collected (shared/scenarios == scenarios/seed) */
static bool duplicate(const char *path)
{
	size_t la, lb;
	char *a = slurp(path, &la);
	bool dup = false;

	for (int i = 0; a && i < nr_files && !dup; i++) {
		char *b = slurp(files[i], &lb);

		dup = b && la == lb && !memcmp(a, b, la);
		free(b);
	}
	free(a);
	return dup;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *dir)
{
	struct dirent *de;
	char **names = NULL;
	int n = 0;
	DIR *d = dir ? opendir(dir) : NULL;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (size_t)(n + 1) * sizeof(*names));
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		sprintf(names[n++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	for (int i = 0; i < n; i++) {
		struct stat sb;
		size_t l = strlen(names[i]);

		if (stat(names[i], &sb))
			;
		else if (S_ISDIR(sb.st_mode))
			collect(names[i]);
		else if (l > 4 && !strcmp(names[i] + l - 4, ".scn") &&
			 nr_files < MAX_FILES && !duplicate(names[i])) {
			files[nr_files++] = names[i];
			continue;
		}
		free(names[i]);
	}
	free(names);
}

/* --- one run -------------------------------------------------------------- */

struct outcome {
	enum run_status st;
	int inv;		/* first violation (-1: none) */
	char msg[200];
	uint64_t hits, count, steps;
	uint64_t fault_step;	/* step during which the fault hit (0: setup
				 * or the end of the run) */
	int64_t fault_label;	/* value of that step's label */
	bool fault_labelled;
	char error[256];
	int create_err;		/* run_create() failed with this */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_once(const struct scn *s, int cls, uint64_t nth,
		     uint64_t max_steps, struct outcome *out)
{
	struct run_opts o = { .sched = SCHED_FIFO, .quiet = true,
			      .max_steps = max_steps, .fault_class = cls,
			      .fault_nth = nth };
	struct span_world *w;
	struct run *r;
	int err;

	memset(out, 0, sizeof(*out));
	out->inv = -1;
	err = run_create(s, &o, &r);
	if (err) {
		/* the runner's own preparation (processes that no fork
		 * creates) met the fault: a clean refusal to run */
		out->create_err = err;
		out->hits = 1;
		return;
	}
	w = run_world(r);
	/* one step at a time, to see which step the fault hit */
	while (run_status(r) == RUN_RUNNING) {
		uint64_t before = span_fault_hits(w, cls), step;

		run_until(r, span_world_step(w) + 1);
		step = span_world_step(w);
		if (!out->fault_step && before == 0 &&
		    span_fault_hits(w, cls) > 0) {
			out->fault_step = step;
			for (int i = 0; i < s->nr_syms; i++) {
				int64_t v;
				uint64_t at;

				if (s->syms[i].kind == SCN_SYM_LABEL &&
				    run_label(r, i, &v, &at) && at == step) {
					out->fault_labelled = true;
					out->fault_label = v;
				}
			}
		}
	}
	run_finish(r);
	out->st = run_status(r);
	/*
	 * run_finish() tears down only finished runs: tear down the ones
	 * that stopped at a deadlock or a run-time error here, so the leaks
	 * of their error paths are seen too.
	 */
	int first = span_world_nr_violations(w);

	if ((out->st == RUN_VIOLATION && run_violation(r) &&
	     run_violation(r)->inv == SPAN_INV_DEADLOCK && !first) ||
	    out->st == RUN_ERROR) {
		span_world_step_begin(w, 0, 0);
		span_world_teardown(w);
	}
	if (run_violation(r)) {
		out->inv = run_violation(r)->inv;
		snprintf(out->msg, sizeof(out->msg), "%s", run_violation(r)->msg);
	}
	/*
	 * What our own teardown found.  (Violations recorded in the same step
	 * as the first are its consequences: refcount-overflow, then
	 * refcount-underflow; they are not looked at.)
	 */
	for (int i = first; i < span_world_nr_violations(w); i++) {
		const struct span_violation *v = span_world_violation(w, i);

		if (v->inv != SPAN_INV_DEADLOCK && v->inv != s->violation) {
			out->inv = v->inv;
			snprintf(out->msg, sizeof(out->msg), "%s", v->msg);
			break;
		}
	}
	if (out->st == RUN_ERROR)
		snprintf(out->error, sizeof(out->error), "%s", run_error(r));
	out->hits = span_fault_hits(w, cls);
	out->count = span_fault_count(w, cls);
	out->steps = run_nr_steps(r);
	run_destroy(r);
}

/* --- the sweep -------------------------------------------------------------- */

static const char *const cls_name[] = { "alloc", "copy" };

/* the fault points to try: 1..HEAD, then evenly spread up to @total + 1 */
static int plan(uint64_t total, uint64_t *nths)
{
	int n = 0;

	if (total + 1 <= SAMPLE_MAX) {
		for (uint64_t i = 1; i <= total + 1; i++)
			nths[n++] = i;
		return n;
	}
	for (uint64_t i = 1; i <= SAMPLE_HEAD; i++)
		nths[n++] = i;
	for (int k = 1; k < SAMPLE_MAX - SAMPLE_HEAD; k++)
		nths[n++] = SAMPLE_HEAD + (total - SAMPLE_HEAD) * (uint64_t)k /
				       (SAMPLE_MAX - SAMPLE_HEAD);
	nths[n++] = total + 1;
	return n;
}

START_TEST(test_oom_sweep)
{
	const char *path = files[_i / 2];
	int cls = _i % 2 ? SPAN_FAULT_COPY : SPAN_FAULT_ALLOC;
	int want = cls == SPAN_FAULT_ALLOC ? -ENOMEM : -EFAULT;
	/* the network stack reports a failed skb/ubuf allocation as -ENOBUFS
	 * (msg_zerocopy_realloc(), sock_alloc_send_pskb()) */
	int want2 = cls == SPAN_FAULT_ALLOC ? -ENOBUFS : -EFAULT;
	bool verbose = getenv("SPAN_OOM_VERBOSE") != NULL;
	uint64_t nths[SAMPLE_MAX + 1], limit;
	struct outcome base, o;
	struct scn_error err;
	struct scn *s;
	int n, tried = 0, hit = 0, deadlocks = 0, errors = 0, refused = 0;
	double t0 = now();
	bool baseline_ok;

	if (scn_parse_file(path, NULL, &s, &err)) {
		char msg[512];

		scn_error_format(&err, msg, sizeof(msg));
		ck_abort_msg("%s does not parse: %s", path, msg);
	}
	run_once(s, cls, 0, 0, &base);
	baseline_ok = (base.st == RUN_DONE || base.st == RUN_DEADLOCK ||
		       (base.st == RUN_VIOLATION && base.inv == s->violation)) &&
		      (base.inv < 0 || base.inv == s->violation);
	/* every corpus scenario passes without faults (scenario_corpus) */
	ck_assert_msg(baseline_ok, "%s fails without faults: %s %s", path,
		      run_status_name(base.st),
		      base.inv >= 0 ? span_invariant_name(base.inv) : "");
	limit = base.steps * 4 + 1000;
	n = plan(base.count, nths);
	for (int i = 0; i < n; i++) {
		if (i && now() - t0 > BUDGET_SEC)
			break;
		run_once(s, cls, nths[i], limit, &o);
		tried++;
		if (!o.hits)
			break;	/* past the last fault point */
		hit++;
		if (o.create_err) {
			ck_assert_msg(o.create_err == -ENOMEM,
				      "%s --fault %s:%" PRIu64 ": run_create: %d",
				      path, cls_name[cls], nths[i], o.create_err);
			refused++;
			continue;
		}
		ck_assert_msg(o.st != RUN_STEP_LIMIT,
			      "%s --fault %s:%" PRIu64 ": step limit (%" PRIu64
			      " steps, %" PRIu64 " without the fault)",
			      path, cls_name[cls], nths[i], o.steps, base.steps);
		ck_assert_msg(o.st != RUN_BAD_SCHEDULE, "%s: bad schedule", path);
		/* a failed fork can leave `setup as CHILD` without its process */
		ck_assert_msg(o.st != RUN_ERROR || strstr(o.error, "does not exist"),
			      "%s --fault %s:%" PRIu64 ": run-time error: %s",
			      path, cls_name[cls], nths[i], o.error);
		errors += o.st == RUN_ERROR;
		ck_assert_msg(o.inv < 0 || o.inv == s->violation ||
				      o.inv == SPAN_INV_DEADLOCK,
			      "%s --fault %s:%" PRIu64 ": %s on the error path: %s",
			      path, cls_name[cls], nths[i],
			      span_invariant_name(o.inv), o.msg);
		deadlocks += o.inv == SPAN_INV_DEADLOCK || o.st == RUN_DEADLOCK;
		ck_assert_msg(!o.fault_labelled || o.fault_label == want ||
				      o.fault_label == want2 || o.fault_label >= 0,
			      "%s --fault %s:%" PRIu64 ": the failing operation "
			      "(step %" PRIu64 ") returned %" PRId64 " (%s), "
			      "expected %s or a short count",
			      path, cls_name[cls], nths[i], o.fault_step,
			      o.fault_label, span_errname((int)o.fault_label) ?
			      span_errname((int)o.fault_label) : "?",
			      span_errname(want));
	}
	if (verbose)
		fprintf(stderr, "oom_sweep: %-50s %-5s points %4" PRIu64
			" tried %4d faulted %4d deadlock %3d setup-error %2d"
			" refused %2d %.2fs\n",
			path, cls_name[cls], base.count, tried, hit, deadlocks,
			errors, refused, now() - t0);
	scn_free(s);
}
END_TEST

int main(void)
{
	const char *dir = getenv("SPAN_SCENARIO_DIR");
	const char *shared = getenv("SPAN_SHARED_DIR");
	char path[4096];
	Suite *su = suite_create("oom_sweep");
	TCase *tc = tcase_create("sweep");
	SRunner *sr;
	int failed;

	collect(dir);
	if (shared) {
		snprintf(path, sizeof(path), "%s/scenarios", shared);
		collect(path);
	}
	if (!nr_files) {
		fprintf(stderr, "oom_sweep: no scenarios (SPAN_SCENARIO_DIR=%s, "
			"SPAN_SHARED_DIR=%s)\n",
			dir ? dir : "unset", shared ? shared : "unset");
		return 1;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_oom_sweep, 0, 2 * nr_files);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (int i = 0; i < nr_files; i++)
		free(files[i]);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
