// SPDX-License-Identifier: MIT
/*
 * determinism.c - the same file, seed and options give byte-identical
 * output on two runs: `run --seed N`, `run --seed N --trace --json`,
 * `run --schedule S` (the schedule a seeded run printed), and `explore`
 * (text and --json).  explore reports its wall-clock time (the `Time` line,
 * the "seconds" and "states_per_second" JSON fields); that is the only
 * part left out of the comparison.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

#include "spawn.h"

static const struct {
	const char *file;
	const char *args[4];
} files[] = {
	{ "seed/splice-fanout.scn", { "--param", "N=3", "--set", "page_size=8" } },
	{ "seed/vmsplice-fork.scn", { 0 } },
	{ "pipe/write-atomic.scn", { 0 } },
	{ "pipe/blocking-writer.scn", { 0 } },
	{ "pipe/epipe-partial.scn", { 0 } },
	{ "mm/fork-cow.scn", { 0 } },
	{ "knobs/fork-pinned-share.scn", { 0 } },
	{ "knobs/pipe-split-desc-release.scn", { 0 } },
	{ "invariants/use-after-free.scn", { 0 } },
};

#define NR_FILES ((int)(sizeof(files) / sizeof(files[0])))

static const char *const seeds[] = { "1", "7", "42", "123456789" };

#define NR_SEEDS ((int)(sizeof(seeds) / sizeof(seeds[0])))

/* spansim CMD FILE [file args] [extra...]: output in @o */
static void run_file(struct out *o, const char *cmd, int f, ...)
{
	char *argv[MAX_ARGS], *path;
	int n = 0;
	va_list ap;

	ck_assert(asprintf(&path, "%s/%s", scn_dir(), files[f].file) > 0);
	argv[n++] = (char *)spansim();
	argv[n++] = (char *)cmd;
	argv[n++] = path;
	for (int i = 0; i < 4 && files[f].args[i]; i++)
		argv[n++] = (char *)files[f].args[i];
	va_start(ap, f);
	for (char *a; (a = va_arg(ap, char *)) && n < MAX_ARGS - 1;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	spawn(argv, o);
	free(path);
}

static void same(const struct out *a, const struct out *b, const char *what,
		 int f)
{
	ck_assert_msg(a->status <= 1, "%s %s: exit %d\n%s%s", what,
		      files[f].file, a->status, a->out, a->err);
	ck_assert_msg(a->out_len > 0, "%s %s: no output", what, files[f].file);
	ck_assert_msg(a->status == b->status, "%s %s: exit %d then %d", what,
		      files[f].file, a->status, b->status);
	ck_assert_msg(a->out_len == b->out_len &&
			      !memcmp(a->out, b->out, a->out_len),
		      "%s %s: outputs differ\n%s\n---\n%s", what,
		      files[f].file, a->out, b->out);
}

/* loop index -> (file, seed) */
#define FILE_OF(i) ((i) / NR_SEEDS)
#define SEED_OF(i) (seeds[(i) % NR_SEEDS])

START_TEST(run_seed)
{
	struct out a, b;

	run_file(&a, "run", FILE_OF(_i), "--seed", SEED_OF(_i), NULL);
	run_file(&b, "run", FILE_OF(_i), "--seed", SEED_OF(_i), NULL);
	same(&a, &b, "run --seed", FILE_OF(_i));
	out_free(&a);
	out_free(&b);
}
END_TEST

START_TEST(run_seed_trace_json)
{
	struct out a, b;

	run_file(&a, "run", FILE_OF(_i), "--seed", SEED_OF(_i), "--trace",
		 "--json", NULL);
	run_file(&b, "run", FILE_OF(_i), "--seed", SEED_OF(_i), "--trace",
		 "--json", NULL);
	same(&a, &b, "run --seed --trace --json", FILE_OF(_i));
	out_free(&a);
	out_free(&b);
}
END_TEST

/* The schedule a seeded run prints replays to the same data and verdicts. */
START_TEST(seed_schedule_replays)
{
	struct out a, b;
	char *sched, *end;
	const char *p, *da, *db;

	run_file(&a, "run", FILE_OF(_i), "--seed", SEED_OF(_i), NULL);
	p = strstr(a.out, "\nschedule: ");
	ck_assert_msg(p, "no schedule line\n%s", a.out);
	p += strlen("\nschedule: ");
	end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	sched = strndup(p, (size_t)(end - p));
	run_file(&b, "run", FILE_OF(_i), "--schedule", sched, NULL);
	ck_assert_int_eq(a.status, b.status);
	/* from the end-of-run summary to the policy line */
	da = strstr(a.out, "\nend: ");
	db = strstr(b.out, "\nend: ");
	ck_assert_msg(da && db, "no end line\n%s\n---\n%s", a.out, b.out);
	ck_assert_msg(!strncmp(da, db, (size_t)(strstr(da, "\npolicy: ") - da)),
		      "%s: --seed %s and --schedule '%s' end differently\n%s\n---\n%s",
		      files[FILE_OF(_i)].file, SEED_OF(_i), sched, da, db);
	free(sched);
	out_free(&a);
	out_free(&b);
}
END_TEST

/* Drop the wall-clock parts of explore's report. */
static void strip_timing(struct out *o)
{
	static const char *const keys[] = { "\"seconds\":",
					    "\"states_per_second\":" };
	char *s = o->out, *line;

	while ((line = strstr(s, "Time ")) && (line == o->out || line[-1] == '\n')) {
		char *nl = strchr(line, '\n');
		size_t rest = nl ? strlen(nl + 1) + 1 : 1;

		if (!nl) {
			*line = 0;
			break;
		}
		memmove(line, nl + 1, rest);
		s = line;
	}
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char *p = strstr(o->out, keys[k]);

		if (p) {
			char *q = p + strlen(keys[k]);

			q += strcspn(q, ",}");
			if (*q == ',')
				q++;
			memmove(p, q, strlen(q) + 1);
		}
	}
	o->out_len = strlen(o->out);
}

START_TEST(explore_twice)
{
	struct out a, b;

	run_file(&a, "explore", _i, NULL);
	run_file(&b, "explore", _i, NULL);
	strip_timing(&a);
	strip_timing(&b);
	same(&a, &b, "explore", _i);
	ck_assert_msg(strstr(a.out, "Result: "), "%s", a.out);
	out_free(&a);
	out_free(&b);
	run_file(&a, "explore", _i, "--json", NULL);
	run_file(&b, "explore", _i, "--json", NULL);
	strip_timing(&a);
	strip_timing(&b);
	same(&a, &b, "explore --json", _i);
	out_free(&a);
	out_free(&b);
}
END_TEST

static Suite *determinism_suite(void)
{
	Suite *s = suite_create("determinism");
	TCase *tc = tcase_create("determinism");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, run_seed, 0, NR_FILES * NR_SEEDS);
	tcase_add_loop_test(tc, run_seed_trace_json, 0, NR_FILES * NR_SEEDS);
	tcase_add_loop_test(tc, seed_schedule_replays, 0, NR_FILES * NR_SEEDS);
	tcase_add_loop_test(tc, explore_twice, 0, NR_FILES);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!getenv("SPANSIM") || !getenv("SPAN_SCENARIO_DIR")) {
		fprintf(stderr, "determinism: SPANSIM and SPAN_SCENARIO_DIR must be set\n");
		return 1;
	}
	sr = srunner_create(determinism_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
