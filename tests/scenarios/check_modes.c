// SPDX-License-Identifier: MIT
/*
 * check_modes.c - the incremental checker reports what the full walk
 * reports (issue 14, item 1).
 *
 * For every scenario under scenarios/ and tests/ (the fuzz corpora of
 * fuzz_scenario and fuzz_explore included), under the default policy and
 * under every preset, with the fifo schedule and two seeded random ones:
 * the runs with check=full and check=incremental end the same way and
 * record the same violations (invariant, object, step and message), and a
 * run with check=verify (the full walk after the incremental check, every
 * count compared) finds no disagreement, and a run that breaks nothing
 * never made the incremental check fall back on suspicion.  Then every
 * scenario is explored
 * (DPOR, or the stateful search where DPOR falls back: restores,
 * checkpoints and replays with the checker off) under check=verify.
 * The fuzz_ops corpus is the same test in tests/unit/test_api_fuzzcases.c.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/explore/explore.h"
#include "scn_files.h"
#include "spawn.h"

static struct scn *parse(const char *path, const char *preset)
{
	const char *pol[1];
	char polbuf[128];
	struct scn_overrides ov = { 0 };
	struct scn_error err;
	struct scn *s;

	if (preset) {
		snprintf(polbuf, sizeof(polbuf), "preset=%s", preset);
		pol[0] = polbuf;
		ov.policies = pol;
		ov.nr_policies = 1;
	}
	return scn_parse_file(path, &ov, &s, &err) ? NULL : s;
}

/* one run: its end and its violations, as text */
static char *outcome(const struct scn *s, int mode, uint64_t seed,
		     struct span_check_stats *st)
{
	struct run_opts ro = { .sched = seed ? SCHED_RANDOM : SCHED_FIFO,
			       .seed = seed, .quiet = true,
			       .check_mode = mode };
	struct span_world *w;
	struct run *r;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(run_create(s, &ro, &r), 0);
	run_to_end(r);
	run_finish(r);
	w = run_world(r);
	fprintf(f, "status %s passed %d\n", run_status_name(run_status(r)),
		run_passed(r));
	for (int i = 0; i < span_world_nr_violations(w); i++) {
		const struct span_violation *v = span_world_violation(w, i);

		fprintf(f, "%s %d#%u step %llu %s: %s\n",
			span_invariant_name(v->inv), v->obj_type, v->obj,
			(unsigned long long)v->step, v->func ? v->func : "?",
			v->msg);
	}
	fclose(f);
	ck_assert_int_eq(span_world_check_stats(w, st), 0);
	run_destroy(r);
	return text;
}

static int nr_runs, nr_violating, nr_incremental;

static void compare(const char *path, const char *preset)
{
	static const uint64_t seeds[] = { 0, 1, 2 };
	struct scn *s = parse(path, preset);

	if (!s)
		return;		/* tests/scenarios/malformed and the like */
	for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		struct span_check_stats sf, si, sv;
		char *full = outcome(s, SPAN_CHECK_FULL, seeds[k], &sf);
		char *inc = outcome(s, SPAN_CHECK_INCREMENTAL, seeds[k], &si);
		char *ver = outcome(s, SPAN_CHECK_VERIFY, seeds[k], &sv);

		ck_assert_msg(!strcmp(full, inc),
			      "%s (%s, seed %llu): check=full and check=incremental differ:\n--- full\n%s--- incremental\n%s",
			      path, preset ? preset : "default",
			      (unsigned long long)seeds[k], full, inc);
		ck_assert_msg(!strcmp(full, ver),
			      "%s (%s, seed %llu): check=verify differs:\n%s",
			      path, preset ? preset : "default",
			      (unsigned long long)seeds[k], ver);
		ck_assert_msg(!sv.diverged,
			      "%s (%s, seed %llu): check=verify: %llu disagreements, the first at step %llu: %s",
			      path, preset ? preset : "default",
			      (unsigned long long)seeds[k],
			      (unsigned long long)sv.diverged,
			      (unsigned long long)sv.diverged_step,
			      sv.diverged_msg);
		/* full walks every step; incremental mostly does not */
		ck_assert_uint_eq(sf.incremental, 0);
		/*
		 * Nothing broken, nothing allowed: the incremental check had
		 * no reason to suspect anything.  (A count it kept too high
		 * makes it suspect, and the full walk then heals it: the
		 * answers stay right, only slow; this catches that.)
		 */
		if (!strchr(inc, '\n')[1] && !s->nr_allows)
			ck_assert_msg(!si.full_suspect,
				      "%s (%s, seed %llu): %llu full walks on suspicion in a run that broke nothing",
				      path, preset ? preset : "default",
				      (unsigned long long)seeds[k],
				      (unsigned long long)si.full_suspect);
		nr_incremental += si.incremental > 0;
		nr_violating += strchr(full, '\n')[1] != 0;
		nr_runs++;
		free(full);
		free(inc);
		free(ver);
	}
	scn_free(s);
}

START_TEST(incremental_equals_full)
{
	/* under Valgrind (tests/valgrind.sh wraps spansim) and ASan: the
	 * default policy only, a ninth of the runs; natively every preset */
	bool presets = !spansim_wrapped() && !sanitized();

	collect_all();
	for (int i = 0; i < nr_files; i++) {
		compare(files[i], NULL);
		for (int p = 0; presets && span_preset_name(p); p++)
			compare(files[i], span_preset_name(p));
	}
	fprintf(stderr, "# %d runs compared (%d with violations; %d used the incremental check)%s\n",
		nr_runs, nr_violating, nr_incremental,
		presets ? "" : " (default policy only: Valgrind or ASan)");
	/* fifo and 2 seeds for most files, under each preset */
	ck_assert_int_gt(nr_runs, nr_files * (presets ? 20 : 2));
	/* the comparison must see violations, or it proves little */
	ck_assert_int_gt(nr_violating, presets ? 300 : 20);
	ck_assert_int_gt(nr_incremental, nr_runs / 2);
}
END_TEST

START_TEST(explore_verify)
{
	int searched = 0;

	collect_all();
	for (int i = 0; i < nr_files; i++) {
		const char *params[1] = { "N=4" }, *sets[1] = { "page_size=8" };
		struct scn_overrides ov = { .params = params, .nr_params = 1,
					    .sets = sets, .nr_sets = 1 };
		struct explore_opts o = { .max_states = 20000, .max_seconds = 20,
					  .preemptions = -1,
					  .check_mode = SPAN_CHECK_VERIFY };
		struct explore_result res;
		struct scn_error err;
		struct scn *s;

		if (scn_parse_file(files[i], &ov, &s, &err) &&
		    scn_parse_file(files[i], NULL, &s, &err))
			continue;
		ck_assert_int_eq(explore_run(s, &o, &res), 0);
		ck_assert_msg(!res.check.diverged,
			      "%s: explore, check=verify: %llu disagreements, the first at step %llu: %s",
			      files[i], (unsigned long long)res.check.diverged,
			      (unsigned long long)res.check.diverged_step,
			      res.check.diverged_msg);
		ck_assert(res.check.verified > 0 || !res.states);
		explore_result_free(s, &res);
		scn_free(s);
		searched++;
	}
	fprintf(stderr, "# %d scenarios explored under check=verify\n", searched);
	/* all but the few too big to explore */
	ck_assert_int_gt(searched, nr_files * 8 / 10);
}
END_TEST

static Suite *check_modes_suite(void)
{
	Suite *s = suite_create("check_modes");
	TCase *tc = tcase_create("check_modes");

	tcase_set_timeout(tc, 3600);
	tcase_add_test(tc, incremental_equals_full);
	tcase_add_test(tc, explore_verify);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(check_modes_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
