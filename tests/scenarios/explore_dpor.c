// SPDX-License-Identifier: MIT
/*
 * explore_dpor.c - the reductions lose nothing (issue 13, item 2).
 *
 * For every scenario under scenarios/, under the default policy and under
 * every preset, the verdicts of the default search (DPOR, or the stateful
 * search with sleep sets where DPOR falls back) and of the stateful search
 * with sleep sets equal those of the unreduced search: which expects fail,
 * which exists are seen true and seen false, which invariants break, run
 * errors and `expect violation` misses.  A scenario with a parameter N is
 * searched with N = 4 and an 8-byte page; one too big for the unreduced
 * search is skipped (and counted: more than a few skips fail the test).
 *
 * Also: the seed fan-out at N = 4096 with DPOR finds both `exists`
 * reachable and both `expect`s holding, and the byte-range footprints
 * keep it to a handful of schedules.
 *
 * Also: the runner's names (a declaration and its uses in another thread,
 * two stores into one variable) order steps like objects of the world,
 * and the order of labelled completions is part of a state however many
 * labels there are.
 */
#define _GNU_SOURCE
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/explore/explore.h"
#include "scn_files.h"
#include "spawn.h"

#define MAX_STATES 200000

/* what a search says, independent of how many states it took */
struct verdicts {
	bool complete;
	unsigned char fails[64], yes[64], no[64];
	unsigned char viol[SPAN_NR_INVARIANTS];
	bool errors, missed;
};

static int search(const char *path, const char *preset, const char *n,
		  int reduction, struct verdicts *v, uint64_t *traces)
{
	const char *pol[1], *params[1], *sets[1];
	char polbuf[128];
	struct scn_overrides ov = { 0 };
	struct explore_opts o = { .max_states = MAX_STATES, .max_seconds = 60,
				  .preemptions = -1, .reduction = reduction };
	struct explore_result res;
	struct scn *s;
	struct scn_error err;
	int ret;

	if (preset) {
		snprintf(polbuf, sizeof(polbuf), "preset=%s", preset);
		pol[0] = polbuf;
		ov.policies = pol;
		ov.nr_policies = 1;
	}
	if (n) {
		params[0] = n;
		sets[0] = "page_size=8";
		ov.params = params;
		ov.nr_params = 1;
		ov.sets = sets;
		ov.nr_sets = 1;
	}
	if (scn_parse_file(path, &ov, &s, &err))
		return -1;
	ret = explore_run(s, &o, &res);
	ck_assert_msg(!ret, "%s: explore_run %d", path, ret);
	memset(v, 0, sizeof(*v));
	v->complete = res.stop == EXPLORE_COMPLETE;
	ck_assert_int_le(s->nr_expects, 64);
	ck_assert_int_le(s->nr_exists, 64);
	for (int i = 0; i < s->nr_expects; i++)
		v->fails[i] = res.expects[i].no || res.expects[i].error;
	for (int i = 0; i < s->nr_exists; i++) {
		v->yes[i] = res.exists[i].yes > 0;
		v->no[i] = res.exists[i].no || res.exists[i].error;
	}
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		v->viol[i] = res.viol[i] > 0;
	v->errors = res.errors > 0;
	v->missed = res.missed_violation > 0;
	if (traces)
		*traces = res.traces;
	explore_result_free(s, &res);
	scn_free(s);
	return 0;
}

static int nr_compared, nr_skipped;

/* one scenario under one preset: compare, or count a skip */
static void compare(const char *path, const char *preset)
{
	static const char *const sizes[] = { "N=4", NULL };
	struct verdicts none, dpor, sleep;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		if (search(path, preset, sizes[k], EXPLORE_RED_NONE, &none, NULL))
			continue;	/* no N, or N=4 does not parse */
		if (!none.complete)
			continue;
		ck_assert_int_eq(search(path, preset, sizes[k], EXPLORE_RED_DPOR,
					&dpor, NULL), 0);
		ck_assert_int_eq(search(path, preset, sizes[k], EXPLORE_RED_SLEEP,
					&sleep, NULL), 0);
		ck_assert_msg(dpor.complete && sleep.complete,
			      "%s (%s): reduced search incomplete", path,
			      preset ? preset : "default");
		ck_assert_msg(!memcmp(&dpor, &none, sizeof(none)),
			      "%s (%s%s%s): DPOR verdicts differ from the unreduced search",
			      path, preset ? preset : "default",
			      sizes[k] ? ", " : "", sizes[k] ? sizes[k] : "");
		ck_assert_msg(!memcmp(&sleep, &none, sizeof(none)),
			      "%s (%s%s%s): sleep-set verdicts differ from the unreduced search",
			      path, preset ? preset : "default",
			      sizes[k] ? ", " : "", sizes[k] ? sizes[k] : "");
		nr_compared++;
		return;
	}
	nr_skipped++;
	fprintf(stderr, "# skip %s (%s): too big for the unreduced search\n",
		path, preset ? preset : "default");
}

START_TEST(reduced_equals_unreduced)
{
	const char *dir = getenv("SPAN_SCENARIO_DIR");
	/* under Valgrind (tests/valgrind.sh wraps spansim): the default
	 * policy only, a ninth of the work; natively and under ASan, all */
	bool presets = !spansim_wrapped();

	ck_assert_msg(dir && *dir, "SPAN_SCENARIO_DIR is not set");
	ck_assert_int_eq(nftw(dir, collect, 16, FTW_PHYS), 0);
	ck_assert_int_gt(nr_files, 100);
	for (int i = 0; i < nr_files; i++) {
		compare(files[i], NULL);
		for (int p = 0; presets && span_preset_name(p); p++)
			compare(files[i], span_preset_name(p));
	}
	fprintf(stderr, "# %d scenario/preset pairs compared, %d skipped%s\n",
		nr_compared, nr_skipped, presets ? "" : " (default policy only: Valgrind)");
	ck_assert_int_le(nr_skipped, 2);
	ck_assert_int_gt(nr_compared, presets ? 1000 : 100);
	for (int i = 0; i < nr_files; i++)
		free(files[i]);
}
END_TEST

START_TEST(seed_at_4096)
{
	char *path;
	struct verdicts v;
	uint64_t traces = 0;

	ck_assert(asprintf(&path, "%s/seed/splice-fanout.scn",
			   getenv("SPAN_SCENARIO_DIR")) > 0);
	ck_assert_int_eq(search(path, NULL, NULL, EXPLORE_RED_DPOR, &v, &traces), 0);
	ck_assert_msg(v.complete, "the 4096-pipe fan-out did not finish");
	/* expect v == N, expect r[1] == "1": hold */
	ck_assert(!v.fails[0] && !v.fails[1]);
	/* exists r[0] == "X", exists r[0] == "0": both reachable */
	ck_assert(v.yes[0] && v.yes[1]);
	ck_assert(!v.errors);
	/* the store to byte 0 races only the read of byte 0, the unmap only
	 * the last read: a few schedules, not thousands */
	ck_assert_msg(traces >= 2 && traces <= 16, "%llu schedules",
		      (unsigned long long)traces);
	free(path);
}
END_TEST

/*
 * The runner's names are shared state: a use of `buf` depends on the
 * `mem buf` of another thread, and two `-> v` on each other.  Both
 * reductions once dropped the order that shows it (docs/fuzzing.md,
 * finding 3).
 */
START_TEST(runner_names)
{
	static const struct {
		const char *file;
		bool fails, yes0, no0, yes1, no1;
	} cases[] = {
		/* expect v == "AAAA": fails with `u` first */
		{ "names-use-before-decl.scn", true, false, false, false, false },
		/* exists v == "A", exists v == "B": both seen, both not */
		{ "names-two-results.scn", false, true, true, true, true },
		/* at(a) < at(b) and the reverse, after 300 labels: both */
		{ "many-labels-order.scn", false, true, true, true, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct verdicts none, red;
		char *path;

		ck_assert(asprintf(&path, "%s/tests/explore/%s",
				   getenv("SPAN_SOURCE_DIR"), cases[i].file) > 0);
		ck_assert_int_eq(search(path, NULL, NULL, EXPLORE_RED_NONE,
					&none, NULL), 0);
		ck_assert(none.complete);
		ck_assert_int_eq(none.fails[0], cases[i].fails);
		if (!cases[i].fails) {
			ck_assert_int_eq(none.yes[0], cases[i].yes0);
			ck_assert_int_eq(none.no[0], cases[i].no0);
			ck_assert_int_eq(none.yes[1], cases[i].yes1);
			ck_assert_int_eq(none.no[1], cases[i].no1);
		}
		for (int red_kind = EXPLORE_RED_DPOR; ; red_kind = EXPLORE_RED_SLEEP) {
			ck_assert_int_eq(search(path, NULL, NULL, red_kind, &red,
						NULL), 0);
			ck_assert_msg(!memcmp(&red, &none, sizeof(none)),
				      "%s: %s verdicts differ from the unreduced search",
				      cases[i].file,
				      red_kind == EXPLORE_RED_DPOR ? "DPOR" : "sleep-set");
			if (red_kind == EXPLORE_RED_SLEEP)
				break;
		}
		free(path);
	}
}
END_TEST

static Suite *explore_dpor_suite(void)
{
	Suite *s = suite_create("explore_dpor");
	TCase *tc = tcase_create("explore_dpor");

	tcase_set_timeout(tc, 3600);
	tcase_add_test(tc, reduced_equals_unreduced);
	tcase_add_test(tc, seed_at_4096);
	tcase_add_test(tc, runner_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(explore_dpor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
