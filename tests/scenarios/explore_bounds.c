// SPDX-License-Identifier: MIT
/*
 * explore_bounds.c - `spansim explore` and `matrix --explore` tell a search
 * cut short from a complete one (issue 13, items 3 and 4):
 *  - stopped by --max-states before the counterexample of
 *    tests/explore/late-counterexample.scn: "search incomplete", no
 *    holds/Never/PASS, exit 4; stopped after it: the counterexample, exit 1;
 *  - --max-time and --max-memory on the 4096-byte fan-out seed;
 *  - SIGINT and SIGTERM during a long search: the full summary, exit 4;
 *  - --json carries "complete" and "incomplete_reason";
 *  - progress lines on stderr when it is not a tty, none with -q;
 *  - matrix --explore shows "incomplete" cells and exits 4;
 *  - a complete search still passes with exit 0.
 * The long searches use the stateful search (--reduction sleep): DPOR, the
 * default, answers the 4096-pipe seed in about a second.
 * The address-space limit (ulimit -v) is explore_rlimit.c.
 */
#define _GNU_SOURCE
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"

#define EXIT_INCOMPLETE 4

static char *late_scn(void)
{
	const char *src = getenv("SPAN_SOURCE_DIR");
	char *p;

	ck_assert_msg(src && *src, "SPAN_SOURCE_DIR is not set");
	ck_assert(asprintf(&p, "%s/tests/explore/late-counterexample.scn", src) > 0);
	return p;
}

static char *fanout_scn(void)
{
	char *p;

	ck_assert(asprintf(&p, "%s/seed/splice-fanout.scn", scn_dir()) > 0);
	return p;
}

/* time limits for a child: generous when Valgrind runs spansim */
static double slack(void)
{
	return spansim_wrapped() ? 120.0 : 10.0;
}

/* an incomplete search claims nothing it did not see */
static void assert_no_claims(const struct out *o)
{
	ck_assert_msg(!strstr(o->out, "holds in all"), "claims holds\n%s", o->out);
	/* the verdicts of an exists line ("exists C: Always (3 yes, 0 no)") */
	ck_assert_msg(!strstr(o->out, ": Never ("), "claims Never\n%s", o->out);
	ck_assert_msg(!strstr(o->out, ": Always ("), "claims Always\n%s", o->out);
	ck_assert_msg(!strstr(o->out, "PASS"), "claims PASS\n%s", o->out);
}

/* (a) the full search fails; stopped at 100 states it has not seen why */
START_TEST(max_states_before_counterexample)
{
	char *f = late_scn();
	struct out o;

	run_spansim(&o, "explore", f, "-q", NULL);
	ck_assert_msg(o.status == 1, "full search: exit %d\n%s%s", o.status,
		      o.out, o.err);
	ck_assert_msg(strstr(o.out, "counterexample"), "%s", o.out);
	ck_assert_msg(!strstr(o.out, "search incomplete"), "%s", o.out);
	out_free(&o);

	run_spansim(&o, "explore", f, "--max-states", "100", "-q", NULL);
	ck_assert_msg(o.status == EXIT_INCOMPLETE, "exit %d\n%s%s", o.status,
		      o.out, o.err);
	ck_assert_msg(strstr(o.out, "search incomplete (max-states 100 reached)"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "no counterexample in the "), "%s", o.out);
	ck_assert_msg(strstr(o.out, "not seen (search incomplete)"), "%s", o.out);
	ck_assert_msg(strstr(o.out, "Result: INCOMPLETE (max-states 100 reached)"),
		      "%s", o.out);
	assert_no_claims(&o);
	out_free(&o);
	free(f);
}
END_TEST

/* a counterexample met before the bound is a definite answer: exit 1 */
START_TEST(max_states_after_counterexample)
{
	char *f = late_scn();
	struct out o;

	run_spansim(&o, "explore", f, "--max-states", "250", "-q", NULL);
	ck_assert_msg(o.status == 1, "exit %d\n%s%s", o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "search incomplete (max-states 250 reached)"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "  counterexample (6 steps): spansim run "),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "--schedule 'b,a*4,reader'"), "%s", o.out);
	ck_assert_msg(strstr(o.out, "exists at(wb) < at(first): Sometimes"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "Result: FAIL (search incomplete: max-states 250 reached)"),
		      "%s", o.out);
	out_free(&o);
	free(f);
}
END_TEST

START_TEST(json_complete_fields)
{
	char *f = late_scn();
	struct out o;

	run_spansim(&o, "explore", f, "--max-states", "100", "--json", NULL);
	ck_assert_msg(o.status == EXIT_INCOMPLETE, "exit %d\n%s%s", o.status,
		      o.out, o.err);
	ck_assert_msg(strstr(o.out, "\"complete\":false,\"incomplete_reason\":\"max-states 100 reached\""),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "\"truncated\":true"), "%s", o.out);
	ck_assert_msg(strstr(o.out, "\"pass\":false"), "%s", o.out);
	ck_assert_msg(strstr(o.out, "\"verdict\":\"incomplete\""), "%s", o.out);
	out_free(&o);

	run_spansim(&o, "explore", f, "--json", NULL);
	ck_assert_msg(o.status == 1, "exit %d\n%s%s", o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "\"complete\":true,\"incomplete_reason\":null"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "\"truncated\":false"), "%s", o.out);
	out_free(&o);
	free(f);
}
END_TEST

/* (b) the 4096-byte fan-out takes minutes; --max-time 2 stops it */
START_TEST(max_time)
{
	char *f = fanout_scn();
	char *argv[] = { (char *)spansim(), "explore", f, "--reduction", "sleep",
			 "--max-time", "2", NULL };
	struct spawn_ctl ctl = { 0 };
	struct out o;

	spawn_ctl(argv, &o, &ctl);
	ck_assert_msg(o.status == EXIT_INCOMPLETE, "exit %d\n%s%s", o.status,
		      o.out, o.err);
	ck_assert_msg(ctl.seconds < slack(), "took %.1f s", ctl.seconds);
	ck_assert_msg(strstr(o.out, "search incomplete (max-time 2 s reached)"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "States "), "%s", o.out);
	ck_assert_msg(strstr(o.out, "Result: INCOMPLETE (max-time 2 s reached)"),
		      "%s", o.out);
	assert_no_claims(&o);
	/* stderr is a pipe here: plain progress lines, no carriage return */
	ck_assert_msg(strstr(o.err, "explore splice-fanout: ") &&
		      strstr(o.err, " states/s, depth ") && !strchr(o.err, '\r'),
		      "no progress line on stderr:\n%s", o.err);
	out_free(&o);
	free(f);
}
END_TEST

START_TEST(quiet_has_no_progress)
{
	char *f = fanout_scn();
	struct out o;

	run_spansim(&o, "explore", f, "--reduction", "sleep", "--max-time", "1.5",
		    "-q", NULL);
	ck_assert_msg(o.status == EXIT_INCOMPLETE, "exit %d\n%s%s", o.status,
		      o.out, o.err);
	ck_assert_msg(o.err_len == 0, "stderr with -q:\n%s", o.err);
	out_free(&o);
	free(f);
}
END_TEST

START_TEST(max_memory)
{
	char *f = fanout_scn();
	struct out o;

	run_spansim(&o, "explore", f, "--reduction", "sleep", "--max-memory",
		    "64M", "-q", NULL);
	ck_assert_msg(o.status == EXIT_INCOMPLETE, "exit %d\n%s%s", o.status,
		      o.out, o.err);
	ck_assert_msg(strstr(o.out, "search incomplete (max-memory 64.0 MiB reached)"),
		      "%s", o.out);
	assert_no_claims(&o);
	out_free(&o);
	free(f);
}
END_TEST

/* (c) a signal during the search: the summary of what was covered */
static const int stop_signals[] = { SIGINT, SIGTERM };

START_TEST(signal_prints_summary)
{
	char *f = fanout_scn();
	char *argv[] = { (char *)spansim(), "explore", f, "--reduction", "sleep",
			 NULL };
	/* at the first progress line (the search has run a second), or later
	 * if there is none: max_time checks the progress lines */
	struct spawn_ctl ctl = { .signal = stop_signals[_i],
				 .signal_after = "explore splice-fanout: ",
				 .signal_late = slack() };
	const char *want = _i ? "interrupted by SIGTERM" : "interrupted by SIGINT";
	char line[128];
	struct out o;

	spawn_ctl(argv, &o, &ctl);
	ck_assert_msg(o.status == EXIT_INCOMPLETE, "exit %d\n%s%s", o.status,
		      o.out, o.err);
	snprintf(line, sizeof(line), "search incomplete (%s)", want);
	ck_assert_msg(strstr(o.out, line), "%s", o.out);
	snprintf(line, sizeof(line), "Result: INCOMPLETE (%s)", want);
	ck_assert_msg(strstr(o.out, line), "%s", o.out);
	ck_assert_msg(strstr(o.out, "States ") && strstr(o.out, "expect v == N: "),
		      "%s", o.out);
	assert_no_claims(&o);
	out_free(&o);
	free(f);
}
END_TEST

/* (d) a complete search of a small scenario still passes */
START_TEST(complete_search_passes)
{
	char *f = fanout_scn();
	struct out o;

	run_spansim(&o, "explore", f, "--param", "N=3", "--set", "page_size=8",
		    "--max-time", "600", NULL);
	ck_assert_msg(o.status == 0, "exit %d\n%s%s", o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "expect v == N: holds in all "),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "Result: PASS"), "%s", o.out);
	ck_assert_msg(!strstr(o.out, "search incomplete"), "%s", o.out);
	out_free(&o);
	free(f);
}
END_TEST

/* cut matrix output before its legend (whose words are the cells') */
static void table_only(struct out *o)
{
	char *l = strstr(o->out, "\nlegend: ");

	if (l)
		l[1] = 0;
}

/* how many times @word occurs in the line that starts at @line */
static int count_words(const char *line, const char *word)
{
	const char *e = strchr(line, '\n');
	int n = 0;

	for (const char *p = line; (p = strstr(p, word)) && (!e || p < e);
	     p += strlen(word))
		n++;
	return n;
}

START_TEST(matrix_incomplete_cells)
{
	char *f = late_scn();
	struct out o;

	run_spansim(&o, "matrix", f, "--explore", "--presets",
		    "linux-6.18,proposal-copy-out", "--max-states", "100", "-q",
		    NULL);
	ck_assert_msg(o.status == EXIT_INCOMPLETE, "exit %d\n%s%s", o.status,
		      o.out, o.err);
	table_only(&o);
	ck_assert_msg(strstr(o.out, "  expect at(wb) > at(first)") &&
		      count_words(strstr(o.out, "  expect at(wb) > at(first)"),
				  "incomplete") == 2, "%s", o.out);
	ck_assert_msg(strstr(o.out, "  search incomplete under linux-6.18: max-states 100 reached"),
		      "%s", o.out);
	ck_assert_msg(!strstr(o.out, "always") && !strstr(o.out, "Never") &&
		      !strstr(o.out, "NEVER"), "%s", o.out);
	out_free(&o);

	/* complete: the verdicts, exit 0 (FAILS cells do not change it) */
	run_spansim(&o, "matrix", f, "--explore", "--presets", "linux-6.18",
		    "-q", NULL);
	ck_assert_msg(o.status == 0, "exit %d\n%s%s", o.status, o.out, o.err);
	table_only(&o);
	ck_assert_msg(strstr(o.out, "FAILS") && strstr(o.out, "Sometimes") &&
		      !strstr(o.out, "incomplete"), "%s", o.out);
	out_free(&o);
	free(f);
}
END_TEST

/* a directory of 24 copies of the seed fan-out: several seconds of work */
static char *fanout_dir(void)
{
	char *dir = strdup("/tmp/spansim-fanouts-XXXXXX"), *src = fanout_scn();
	FILE *in;
	char buf[65536];
	size_t len;

	ck_assert_ptr_nonnull(dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	in = fopen(src, "r");
	ck_assert_ptr_nonnull(in);
	len = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	for (int i = 0; i < 24; i++) {
		char path[4096];
		FILE *out;

		snprintf(path, sizeof(path), "%s/f%02d.scn", dir, i);
		out = fopen(path, "w");
		ck_assert_ptr_nonnull(out);
		ck_assert_uint_eq(fwrite(buf, 1, len, out), len);
		ck_assert_int_eq(fclose(out), 0);
	}
	free(src);
	return dir;
}

static void rm_fanout_dir(char *dir)
{
	char path[4096];

	for (int i = 0; i < 24; i++) {
		snprintf(path, sizeof(path), "%s/f%02d.scn", dir, i);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

/* SIGINT during `test` and during `matrix` (no --explore): what was done
 * is printed, the rest is marked incomplete, the exit status is 4 */
START_TEST(signal_test_and_matrix)
{
	char *dir = fanout_dir(), *one;
	char *targv[] = { (char *)spansim(), "test", dir, NULL };
	/* once the first file is done: the handler is in place by then */
	struct spawn_ctl ctl = { .signal = SIGINT, .signal_after = "ok 1 -" };
	struct out o;

	spawn_ctl(targv, &o, &ctl);
	ck_assert_msg(o.status == EXIT_INCOMPLETE &&
			      strstr(o.out, "Bail out! interrupted by SIGINT") &&
			      !strstr(o.out, "ok 24 -"),
		      "test: exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	ck_assert(asprintf(&one, "%s/f00.scn", dir) > 0);
	{
		char *margv[] = { (char *)spansim(), "matrix", one, NULL };
		/* once the header is out: the handler is in place by then */
		struct spawn_ctl mctl = { .signal = SIGINT,
					  .signal_after = "condition" };

		spawn_ctl(margv, &o, &mctl);
	}
	ck_assert_msg(o.status == EXIT_INCOMPLETE &&
			      strstr(o.out, "incomplete") &&
			      strstr(o.out, "interrupted by SIGINT"),
		      "matrix: exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	free(one);
	rm_fanout_dir(dir);
}
END_TEST

/* a state with more enabled steps than the explorer keeps: incomplete */
/* --bitstate: the verdicts with enough bits; too few bits is incomplete */
START_TEST(bitstate)
{
	char *f = fanout_scn();
	struct out o;

	run_spansim(&o, "explore", f, "--param", "N=16", "--set", "page_size=16",
		    "--bitstate", "1M", "-q", NULL);
	ck_assert_msg(o.status == 0 && strstr(o.out, "Result: PASS") &&
		      strstr(o.out, "exists r[0] == \"X\": Sometimes") &&
		      strstr(o.out, "expected states missed by hash collisions"),
		      "exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	run_spansim(&o, "explore", f, "--param", "N=16", "--set", "page_size=16",
		    "--bitstate", "16", "-q", NULL);
	ck_assert_msg(o.status == EXIT_INCOMPLETE &&
		      strstr(o.out, "search incomplete (bitstate: about") &&
		      !strstr(o.out, "PASS"), "exit %d\n%s%s", o.status, o.out,
		      o.err);
	assert_no_claims(&o);
	out_free(&o);
	free(f);
}
END_TEST

/* never/always are checked in every state, not only in end states */
START_TEST(never_in_every_state)
{
	const char *src = getenv("SPAN_SOURCE_DIR");
	char *f;
	struct out o;

	ck_assert(asprintf(&f, "%s/tests/explore/always-transient.scn", src) > 0);
	run_spansim(&o, "explore", f, "-q", NULL);
	ck_assert_msg(o.status == 1 &&
		      strstr(o.out, "never refcount(buf, 0) > 2: FAILS") &&
		      strstr(o.out, "--schedule 'x,y'") &&
		      strstr(o.out, "expect refcount(buf, 0) == 1: holds in all"),
		      "exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	/* the counterexample replays: the run fails at the second step */
	run_spansim(&o, "run", f, "--schedule", "x,y", NULL);
	ck_assert_msg(o.status != 0 &&
		      strstr(o.out, "never refcount(buf, 0) > 2 ... FAILED at step") &&
		      strstr(o.out, "result: FAIL"), "exit %d\n%s%s", o.status,
		      o.out, o.err);
	out_free(&o);
	/* the fifo run never has both buffers at once: it passes */
	run_spansim(&o, "run", f, NULL);
	ck_assert_msg(o.status == 0 && strstr(o.out, "ok in every state"),
		      "exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	free(f);
}
END_TEST

/* spansim test --explore: TAP per file; incomplete and failing are not ok */
START_TEST(test_explore_tap)
{
	char *late = late_scn(), *fan = fanout_scn(), *ok;
	struct out o;

	ck_assert(asprintf(&ok, "%s/seed/vmsplice-then-store.scn", scn_dir()) > 0);
	run_spansim(&o, "test", "--explore", ok, NULL);
	ck_assert_msg(o.status == 0 && strstr(o.out, "ok 1 - ") &&
		      !strstr(o.out, "not ok"), "exit %d\n%s%s", o.status,
		      o.out, o.err);
	out_free(&o);
	/* a counterexample: not ok, the failed expect, a replay command */
	run_spansim(&o, "test", "--explore", late, NULL);
	ck_assert_msg(o.status == 1 && strstr(o.out, "not ok 1 - ") &&
		      strstr(o.out, "failed: 'at(wb) > at(first)'") &&
		      strstr(o.out, "--schedule '"), "exit %d\n%s%s", o.status,
		      o.out, o.err);
	out_free(&o);
	/* a broken never line: not ok, the line, its kind, a replay */
	free(late);
	ck_assert(asprintf(&late, "%s/tests/explore/always-transient.scn",
			   getenv("SPAN_SOURCE_DIR")) > 0);
	run_spansim(&o, "test", "--explore", late, NULL);
	ck_assert_msg(o.status == 1 && strstr(o.out, "not ok 1 - ") &&
		      strstr(o.out, "failed: 'refcount(buf, 0) > 2'") &&
		      strstr(o.out, "kind: never") &&
		      strstr(o.out, "--schedule ''x,y''"), "exit %d\n%s%s",
		      o.status, o.out, o.err);
	out_free(&o);
	/* cut short: not ok with the reason, never ok */
	run_spansim(&o, "test", "--explore", fan, "--reduction", "sleep",
		    "--max-states", "1000", NULL);
	ck_assert_msg(o.status == 1 &&
		      strstr(o.out, "not ok 1 - ") &&
		      strstr(o.out, "# search incomplete: max-states 1000 reached"),
		      "exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	free(ok);
	free(late);
	free(fan);
}
END_TEST

START_TEST(too_many_choices)
{
	char path[] = "/tmp/spansim-wide-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct out o;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "scenario wide\n");
	for (int i = 0; i < 330; i++)
		fprintf(f, "thread t%d\n  mem m%d 8\nend\n", i, i);
	ck_assert_int_eq(fclose(f), 0);
	run_spansim(&o, "explore", path, "-q", NULL);
	ck_assert_msg(o.status == 4 &&
			      strstr(o.out, "more than 320 enabled steps") &&
			      !strstr(o.out, "PASS"),
		      "exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	unlink(path);
}
END_TEST

START_TEST(bad_bounds)
{
	static const char *const bad[][2] = {
		{ "--max-time", "0" },	   { "--max-time", "-1" },
		{ "--max-time", "1x" },	   { "--max-memory", "0" },
		{ "--max-memory", "12X" }, { "--max-memory", "-5M" },
		{ "--max-memory", "99999999999G" },
	};
	char *f = late_scn();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct out o;

		run_spansim(&o, "explore", f, bad[i][0], bad[i][1], NULL);
		ck_assert_msg(o.status == 2, "%s %s: exit %d\n%s%s", bad[i][0],
			      bad[i][1], o.status, o.out, o.err);
		out_free(&o);
	}
	free(f);
}
END_TEST

static Suite *explore_bounds_suite(void)
{
	Suite *s = suite_create("explore_bounds");
	TCase *tc = tcase_create("explore_bounds");

	/* Valgrind runs spansim through a wrapper: much slower */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, max_states_before_counterexample);
	tcase_add_test(tc, max_states_after_counterexample);
	tcase_add_test(tc, json_complete_fields);
	tcase_add_test(tc, max_time);
	tcase_add_test(tc, quiet_has_no_progress);
	tcase_add_test(tc, max_memory);
	tcase_add_loop_test(tc, signal_prints_summary, 0,
			    (int)(sizeof(stop_signals) / sizeof(stop_signals[0])));
	tcase_add_test(tc, complete_search_passes);
	tcase_add_test(tc, matrix_incomplete_cells);
	tcase_add_test(tc, bad_bounds);
	tcase_add_test(tc, too_many_choices);
	tcase_add_test(tc, test_explore_tap);
	tcase_add_test(tc, never_in_every_state);
	tcase_add_test(tc, bitstate);
	tcase_add_test(tc, signal_test_and_matrix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!getenv("SPANSIM") || !getenv("SPAN_SCENARIO_DIR") ||
	    !getenv("SPAN_SOURCE_DIR")) {
		fprintf(stderr, "explore_bounds: SPANSIM, SPAN_SCENARIO_DIR and SPAN_SOURCE_DIR must be set\n");
		return 1;
	}
	sr = srunner_create(explore_bounds_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
