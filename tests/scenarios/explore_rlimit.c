// SPDX-License-Identifier: MIT
/*
 * explore_rlimit.c - `spansim explore` under a 1 GiB address-space limit
 * (what `ulimit -v 1048576` sets) on the 4096-byte fan-out seed, whose
 * search wants gigabytes of snapshots: it prints its summary marked
 * "search incomplete" and exits 4, instead of dying with exit 2.
 *  - by default --max-memory is half of the limit, so the bound stops it;
 *  - with --max-memory above the limit, allocations fail: "out of memory".
 *
 * AddressSanitizer reserves terabytes of shadow address space and cannot
 * start under such a limit, and Valgrind (tests/valgrind.sh runs spansim
 * through a wrapper script) needs its own room: there the suite reports a
 * skip (exit 77, SKIP_RETURN_CODE in CMakeLists.txt), not a pass.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"

#define EXIT_INCOMPLETE 4
#define EXIT_SKIP 77
#define AS_LIMIT ((rlim_t)1 << 30)

#if defined(__SANITIZE_ADDRESS__)
#define SPAN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPAN_ASAN 1
#endif
#endif

static void explore_limited(struct out *o, const char *max_memory)
{
	char *f, *argv[8];
	struct spawn_ctl ctl = { .as_limit = AS_LIMIT };
	int n = 0;

	ck_assert(asprintf(&f, "%s/seed/splice-fanout.scn", scn_dir()) > 0);
	argv[n++] = (char *)spansim();
	argv[n++] = "explore";
	argv[n++] = f;
	argv[n++] = "-q";
	if (max_memory) {
		argv[n++] = "--max-memory";
		argv[n++] = (char *)max_memory;
	}
	argv[n] = NULL;
	spawn_ctl(argv, o, &ctl);
	ck_assert_msg(o->status == EXIT_INCOMPLETE, "exit %d\n%s%s", o->status,
		      o->out, o->err);
	ck_assert_msg(strstr(o->out, "States ") &&
		      strstr(o->out, "expect v == N: no counterexample in the "),
		      "no summary\n%s%s", o->out, o->err);
	ck_assert_msg(!strstr(o->out, "holds in all") && !strstr(o->out, "PASS"),
		      "%s", o->out);
	free(f);
}

START_TEST(default_memory_bound_under_rlimit)
{
	struct out o;

	explore_limited(&o, NULL);
	ck_assert_msg(strstr(o.out, "search incomplete (max-memory 512.0 MiB reached)"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "Result: INCOMPLETE (max-memory 512.0 MiB reached)"),
		      "%s", o.out);
	out_free(&o);
}
END_TEST

START_TEST(out_of_memory_under_rlimit)
{
	struct out o;

	explore_limited(&o, "64G");
	ck_assert_msg(strstr(o.out, "search incomplete (out of memory)"), "%s",
		      o.out);
	ck_assert_msg(strstr(o.out, "Result: INCOMPLETE (out of memory)"), "%s",
		      o.out);
	out_free(&o);
}
END_TEST

static Suite *explore_rlimit_suite(void)
{
	Suite *s = suite_create("explore_rlimit");
	TCase *tc = tcase_create("explore_rlimit");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, default_memory_bound_under_rlimit);
	tcase_add_test(tc, out_of_memory_under_rlimit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!getenv("SPANSIM") || !getenv("SPAN_SCENARIO_DIR")) {
		fprintf(stderr, "explore_rlimit: SPANSIM and SPAN_SCENARIO_DIR must be set\n");
		return 1;
	}
#ifdef SPAN_ASAN
	printf("explore_rlimit: SKIP: AddressSanitizer cannot run under a 1 GiB RLIMIT_AS\n");
	return EXIT_SKIP;
#endif
	if (spansim_wrapped()) {
		printf("explore_rlimit: SKIP: $SPANSIM is a wrapper script (Valgrind?), which needs its own address space\n");
		return EXIT_SKIP;
	}
	sr = srunner_create(explore_rlimit_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
