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
#include <unistd.h>

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
	char *f, *argv[10];
	struct spawn_ctl ctl = { .as_limit = AS_LIMIT };
	int n = 0;

	ck_assert(asprintf(&f, "%s/seed/splice-fanout.scn", scn_dir()) > 0);
	argv[n++] = (char *)spansim();
	argv[n++] = "explore";
	argv[n++] = f;
	argv[n++] = "-q";
	/* the stateful search: DPOR answers the seed in a second */
	argv[n++] = "--reduction";
	argv[n++] = "sleep";
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

/*
 * `spansim run` of a scenario that maps 16 MiB (about 80 MiB of model
 * memory with its provenance) under address-space limits from 32 to
 * 512 MiB: each run either passes or stops with "out of host memory" and
 * exit 2; none reports a modelled -ENOMEM as a result (exit 1) or
 * crashes, the small limits do hit the error and the large ones pass.
 */
START_TEST(run_under_small_rlimits)
{
	char f[] = "/tmp/spansim-bigmem-XXXXXX";
	int fd = mkstemp(f), errors = 0, passes = 0;
	static const char text[] =
		"scenario bigmem\nthread t\n  mem m 16M fill \"x\"\n"
		"  m0: store m 0 \"y\"\n  load m 0 2 -> r\nend\n"
		"expect m0 == 0 && r == \"yx\"\n";

	ck_assert_int_ge(fd, 0);
	ck_assert(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	close(fd);
	for (rlim_t mib = 32; mib <= 512; mib *= 2) {
		char *argv[] = { (char *)spansim(), "run", f, NULL };
		struct spawn_ctl ctl = { .as_limit = mib << 20 };
		struct out o;

		spawn_ctl(argv, &o, &ctl);
		ck_assert_msg(o.status == 0 || o.status == 2,
			      "%lu MiB: exit %d\n%s", (unsigned long)mib,
			      o.status, o.err);
		if (o.status == 2) {
			ck_assert_msg(strstr(o.err, "out of host memory") ||
					      strstr(o.err, "memory budget") ||
					      strstr(o.err, "Cannot allocate memory"),
				      "%lu MiB: %s", (unsigned long)mib, o.err);
			errors++;
		} else {
			passes++;
		}
		out_free(&o);
	}
	unlink(f);
	ck_assert_msg(errors > 0, "no limit made the model run out of memory");
	ck_assert_msg(passes > 0, "no limit let the run finish");
}
END_TEST

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
	tcase_add_test(tc, run_under_small_rlimits);
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
