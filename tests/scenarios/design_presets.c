// SPDX-License-Identifier: MIT
/*
 * design_presets.c - the built-in presets, run as designs through the
 * design API (span/design.h), decide as the knobs do (issue 19).
 *
 * For every scenario under scenarios/ and tests/ and every preset P, with
 * the fifo schedule and two seeded random ones, two runs must end in the
 * same way - status, schedule, steps, expect/exists values, violations,
 * and the hash of the world at the end:
 *   - knobs: the policy is preset P (applied after the file's lines),
 *     decided by the default design "knobs";
 *   - design: the built-in design P decides, while the world's policy
 *     says the opposite (every design knob at its last value), so that a
 *     decision point that still read the policy would show.
 * The host knob gup_zero_page keeps the file's value in both.  Then the
 * seed scenarios are explored both ways and must give the same search.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/explore/explore.h"
#include "scn_files.h"
#include "spawn.h"

/*
 * @path under preset @preset (knobs) or under the opposite policy (for
 * the design), the file's gup_zero_page either way.  NULL: not parsable.
 */
static struct scn *parse(const char *path, const char *preset, bool opposite,
			 bool small)
{
	const char *params[1] = { "N=8" };
	const char *pol[SPAN_NR_KNOBS + 2];
	static char buf[SPAN_NR_KNOBS + 2][96];
	struct scn_overrides ov = { 0 };
	struct scn_error err;
	struct scn *s;
	int n = 0, gup;

	if (scn_parse_file(path, NULL, &s, &err))
		return NULL;
	gup = s->policy.v[SPAN_KNOB_GUP_ZERO_PAGE];
	scn_free(s);
	if (!opposite) {
		snprintf(buf[n], sizeof(buf[n]), "preset=%s", preset);
		pol[n] = buf[n];
		n++;
	} else {
		for (int k = 0; k < SPAN_NR_KNOBS; k++) {
			if (span_knob_is_host(k))
				continue;
			snprintf(buf[n], sizeof(buf[n]), "%s=%s",
				 span_knob_name(k),
				 span_knob_value_name(k,
					span_knob_nr_values(k) - 1));
			pol[n] = buf[n];
			n++;
		}
	}
	snprintf(buf[n], sizeof(buf[n]), "gup_zero_page=%s",
		 span_knob_value_name(SPAN_KNOB_GUP_ZERO_PAGE, gup));
	pol[n] = buf[n];
	n++;
	ov.policies = pol;
	ov.nr_policies = n;
	if (small && strstr(path, "splice-fanout")) {
		ov.params = params;
		ov.nr_params = 1;
	}
	return scn_parse_file(path, &ov, &s, &err) ? NULL : s;
}

static char *outcome(const struct scn *s, const struct span_design_ops *d,
		     uint64_t seed, bool hash)
{
	struct run_opts ro = { .sched = seed ? SCHED_RANDOM : SCHED_FIFO,
			       .seed = seed, .quiet = true, .design = d };
	struct span_world *w;
	struct run *r;
	char *text = NULL;
	size_t len = 0;
	uint64_t h[2];
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(run_create(s, &ro, &r), 0);
	run_to_end(r);
	w = run_world(r);
	span_world_hash(w, h);
	run_finish(r);
	fprintf(f, "status %s passed %d steps %llu\n",
		run_status_name(run_status(r)), run_passed(r),
		(unsigned long long)run_nr_steps(r));
	/* the hash covers the policy too */
	if (hash)
		fprintf(f, "hash %016llx%016llx\n", (unsigned long long)h[0],
			(unsigned long long)h[1]);
	fprintf(f, "schedule %s\n", run_schedule(r));
	for (int i = 0; i < s->nr_expects; i++)
		fprintf(f, "expect %d: %d %d\n", i, run_expects(r)[i].value,
			run_expects(r)[i].error);
	for (int i = 0; i < s->nr_exists; i++)
		fprintf(f, "exists %d: %d %d\n", i, run_exists(r)[i].value,
			run_exists(r)[i].error);
	for (int i = 0; i < span_world_nr_violations(w); i++) {
		const struct span_violation *v = span_world_violation(w, i);

		fprintf(f, "%s %d#%u step %llu: %s\n",
			span_invariant_name(v->inv), v->obj_type, v->obj,
			(unsigned long long)v->step, v->msg);
	}
	if (span_world_design_error(w))
		fprintf(f, "design error: %s\n", span_world_design_error(w));
	fclose(f);
	run_destroy(r);
	return text;
}

static int nr_runs, nr_differ_from_mainline;

static void compare(const char *path, const char *preset, int nseeds)
{
	static const uint64_t seeds[] = { 0, 1, 2 };
	const struct span_design_ops *d = span_design_builtin(preset);
	struct scn *sk = parse(path, preset, false, false);
	struct scn *sd = parse(path, preset, true, false);

	ck_assert_ptr_nonnull(d);
	if (!sk || !sd) {
		ck_assert_msg(!sk && !sd, "%s: parses one way only", path);
		return;		/* tests/scenarios/malformed and the like */
	}
	for (int k = 0; k < nseeds; k++) {
		char *a = outcome(sk, NULL, seeds[k], false);
		char *b = outcome(sd, d, seeds[k], false);
		char *ah = outcome(sk, NULL, seeds[k], true);
		char *bh = outcome(sk, d, seeds[k], true);

		ck_assert_msg(!strcmp(a, b),
			      "%s (%s, seed %llu): knobs and design (under the opposite policy) differ:\n--- knobs\n%s--- design\n%s",
			      path, preset, (unsigned long long)seeds[k], a, b);
		/* the same policy both ways: the same world at the end */
		ck_assert_msg(!strcmp(ah, bh),
			      "%s (%s, seed %llu): knobs and design differ:\n--- knobs\n%s--- design\n%s",
			      path, preset, (unsigned long long)seeds[k], ah,
			      bh);
		if (strcmp(preset, "linux-6.18")) {
			char *m = outcome(sk, span_design_builtin("linux-6.18"),
					  seeds[k], false);

			nr_differ_from_mainline += strcmp(a, m) != 0;
			free(m);
		}
		nr_runs++;
		free(a);
		free(b);
		free(ah);
		free(bh);
	}
	scn_free(sk);
	scn_free(sd);
}

START_TEST(presets_as_designs)
{
	/* under Valgrind and ASan: proposal-span-desc, fifo; natively every
	 * preset, fifo and two seeds */
	bool all = !spansim_wrapped() && !sanitized();
	int np = 0;

	collect_all();
	for (int p = 0; span_preset_name(p); p++) {
		if (!all && strcmp(span_preset_name(p), "proposal-span-desc"))
			continue;
		np++;
		for (int i = 0; i < nr_files; i++)
			compare(files[i], span_preset_name(p), all ? 3 : 1);
	}
	fprintf(stderr, "# %d runs compared under %d presets; %d of them end otherwise under mainline's design\n",
		nr_runs, np, nr_differ_from_mainline);
	ck_assert_int_gt(nr_runs, nr_files * np * (all ? 2 : 1) * 8 / 10);
	/* the designs must decide something: runs that mainline ends
	 * otherwise, or the comparison proves little */
	ck_assert_int_gt(nr_differ_from_mainline, all ? 500 : 20);
}
END_TEST

/* the seed scenarios, explored: the same search either way (under
 * Valgrind and ASan: three presets, the fan-out with 8 pipes) */
START_TEST(explore_as_designs)
{
	bool all = !spansim_wrapped() && !sanitized();
	int want = 0;
	const char *src = getenv("SPAN_SOURCE_DIR");
	static const char *const seeds[] = {
		"kmem-splice-pages", "splice-fanout", "tcp-loopback-rpc",
		"vmsplice-fork", "vmsplice-then-store", "zerocopy-loopback",
	};
	int searched = 0;

	ck_assert_ptr_nonnull(src);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/scenarios/seed/%s.scn", src,
			 seeds[i]);
		for (int p = 0; span_preset_name(p); p++) {
			const char *preset = span_preset_name(p);
			struct scn *sk, *sd;

			if (!all && strcmp(preset, "linux-6.18") &&
			    strcmp(preset, "proposal-span-desc") &&
			    strcmp(preset, "proposal-copy-out"))
				continue;
			want++;
			sk = parse(path, preset, false, !all);
			sd = parse(path, preset, true, !all);
			struct explore_opts ok = { .max_states = 200000,
						   .preemptions = -1 };
			struct explore_opts od = ok;
			struct explore_result rk, rd;

			ck_assert_ptr_nonnull(sk);
			ck_assert_ptr_nonnull(sd);
			od.design = span_design_builtin(preset);
			ck_assert_int_eq(explore_run(sk, &ok, &rk), 0);
			ck_assert_int_eq(explore_run(sd, &od, &rd), 0);
			ck_assert_msg(rk.states == rd.states &&
				      rk.end_states == rd.end_states &&
				      rk.stop == rd.stop &&
				      rk.errors == rd.errors,
				      "%s under %s: knobs %llu states %llu end states, design %llu states %llu end states",
				      seeds[i], preset,
				      (unsigned long long)rk.states,
				      (unsigned long long)rk.end_states,
				      (unsigned long long)rd.states,
				      (unsigned long long)rd.end_states);
			for (int e = 0; e < sk->nr_expects; e++)
				ck_assert(rk.expects[e].yes == rd.expects[e].yes &&
					  rk.expects[e].no == rd.expects[e].no);
			for (int e = 0; e < sk->nr_exists; e++)
				ck_assert(rk.exists[e].yes == rd.exists[e].yes &&
					  rk.exists[e].no == rd.exists[e].no);
			for (int v = 0; v < SPAN_NR_INVARIANTS; v++)
				ck_assert(rk.viol[v] == rd.viol[v]);
			explore_result_free(sk, &rk);
			explore_result_free(sd, &rd);
			scn_free(sk);
			scn_free(sd);
			searched++;
		}
	}
	ck_assert_int_eq(searched, want);
	ck_assert_int_ge(searched, all ? 48 : 18);
}
END_TEST

static Suite *design_presets_suite(void)
{
	Suite *s = suite_create("design_presets");
	TCase *tc = tcase_create("design_presets");

	tcase_set_timeout(tc, 3600);
	tcase_add_test(tc, presets_as_designs);
	tcase_add_test(tc, explore_as_designs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(design_presets_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
