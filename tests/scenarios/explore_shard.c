// SPDX-License-Identifier: MIT
/*
 * explore_shard.c - `spansim explore --shard I/N` and `spansim merge`
 * (issue 13, item 6): the merged reports of 4 shards say what one process
 * says.
 *
 * For scenarios with exists seen and never seen, a failing expect, a
 * failing `never`, a broken invariant and an `expect violation`, one
 * process (the stateful search without reduction: its states do not
 * depend on the order) and 4 shards joined by `spansim merge` give the
 * same exit status, the same verdicts and, with the shards' fingerprint
 * files, the same number of distinct states.  A missing shard or an
 * incomplete one makes the merge incomplete (exit 4), never PASS; reports
 * of different searches and bad --shard values are usage errors.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spawn.h"

#define NSHARDS 4

static char tmpdir[] = "/tmp/spansim-shard-XXXXXX";

/* a two-writer race: one order breaks the expect, one exists is Never */
static const char race_scn[] =
"scenario shard-race\n"
"setup\n"
"  pipe p\n"
"end\n"
"thread a\n"
"  write p \"a\"\n"
"  write p \"c\"\n"
"end\n"
"thread b\n"
"  write p \"b\"\n"
"end\n"
"thread reader\n"
"  read p 3 all -> data\n"
"end\n"
"expect data != \"bac\"\n"
"exists data == \"abc\"\n"
"exists data == \"zzz\"\n";

static char *tmp_path(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", tmpdir, name), 0);
	return p;
}

static char *write_tmp(const char *name, const char *text)
{
	char *p = tmp_path(name);
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

static char *scenario(const char *rel)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", getenv("SPAN_SOURCE_DIR"), rel), 0);
	return p;
}

/* run spansim with @args (NULL-terminated, at most MAX_ARGS - 8) and then
 * @more */
static void run(struct out *o, const char *const *args, const char *const *more)
{
	char *argv[MAX_ARGS];
	int n = 0;

	argv[n++] = (char *)spansim();
	for (; args && *args; args++)
		argv[n++] = (char *)*args;
	for (; more && *more; more++)
		argv[n++] = (char *)*more;
	ck_assert_int_lt(n, MAX_ARGS);
	argv[n] = NULL;
	spawn(argv, o);
}

static uint64_t json_u64(const char *json, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(json, k);
	ck_assert_msg(p, "no %s in %s", key, json);
	return strtoull(p + strlen(k), NULL, 10);
}

/*
 * What a JSON report says, without the counts that depend on how the
 * search was split: pass, complete, each expect failing or not, each
 * exists verdict, each always/never failing or not, the broken invariants.
 */
static void signature(const char *json, char *sig, size_t n)
{
	const char *p = json, *v;
	size_t k = 0;

	sig[0] = 0;
	v = strstr(json, "\"pass\":");
	ck_assert_ptr_nonnull(v);
	k += (size_t)snprintf(sig + k, n - k, "pass=%c complete=%c;", v[7],
			      strstr(json, "\"complete\":true") ? 't' : 'f');
	while ((p = strstr(p, "\"fails\":"))) {
		p += 8;
		k += (size_t)snprintf(sig + k, n - k, "fails=%d;", *p != '0');
	}
	for (p = json; (p = strstr(p, "\"verdict\":\"")); ) {
		p += 11;
		k += (size_t)snprintf(sig + k, n - k, "%.*s;",
				      (int)strcspn(p, "\""), p);
	}
	p = strstr(json, "\"violations\":{");
	ck_assert_ptr_nonnull(p);
	p += 14;
	while (*p == '"' || *p == ',') {
		if (*p == ',')
			p++;
		k += (size_t)snprintf(sig + k, n - k, "viol=%.*s;",
				      (int)strcspn(p + 1, "\""), p + 1);
		p = strstr(p, "}");
		ck_assert_ptr_nonnull(p);
		p++;
	}
	ck_assert_uint_lt(k, n);
}

/* cases whose frontier was split between two shards or more */
static int nr_split;

struct shard_case {
	const char *file;	/* under SPAN_SOURCE_DIR, or a tmp name */
	const char *args[8];
	int status;		/* of the one process */
};

/* the shards' reports: @dir/NAME.I.json and .states; @depth NULL: default */
static void run_shards(const char *file, const char *const *args,
		       const char *depth, const char *tag, bool states,
		       const char *max_states_2, int expect_status)
{
	for (int i = 1; i <= NSHARDS; i++) {
		char shard[16], *json_path, *st_path, name[64];
		const char *more[12];
		struct out o;
		int m = 0;
		FILE *f;

		snprintf(shard, sizeof(shard), "%d/%d", i, NSHARDS);
		snprintf(name, sizeof(name), "%s.%d.json", tag, i);
		json_path = tmp_path(name);
		snprintf(name, sizeof(name), "%s.%d.states", tag, i);
		st_path = tmp_path(name);
		more[m++] = file;
		more[m++] = "--shard";
		more[m++] = shard;
		more[m++] = "--json";
		more[m++] = "-q";
		if (states) {
			more[m++] = "--states-out";
			more[m++] = st_path;
		}
		if (depth) {
			more[m++] = "--shard-depth";
			more[m++] = depth;
		}
		if (max_states_2 && i == 2) {
			more[m++] = "--max-states";
			more[m++] = max_states_2;
		}
		more[m] = NULL;
		{
			const char *pre[] = { "explore", NULL };
			const char *all[24];
			int a = 0;

			for (int k = 0; pre[k]; k++)
				all[a++] = pre[k];
			for (int k = 0; more[k]; k++)
				all[a++] = more[k];
			for (int k = 0; args[k]; k++)
				all[a++] = args[k];
			all[a] = NULL;
			run(&o, all, NULL);
		}
		/* a shard fails only where one process fails, even one
		 * that owns no end state */
		ck_assert_msg(o.status == 0 || o.status == 1 || o.status == 4,
			      "%s shard %s: exit %d: %s", file, shard, o.status,
			      o.err);
		if (expect_status >= 0 && !(max_states_2 && i == 2))
			ck_assert_msg(o.status == expect_status ||
				      (expect_status == 1 && o.status == 0),
				      "%s shard %s: exit %d, one process %d", file,
				      shard, o.status, expect_status);
		f = fopen(json_path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(o.out, f);
		ck_assert_int_eq(fclose(f), 0);
		out_free(&o);
		free(json_path);
		free(st_path);
	}
}

/* spansim merge of the reports of @tag whose index is in @which ("1234") */
static void merge(struct out *o, const char *tag, const char *which,
		  bool json)
{
	const char *argv[MAX_ARGS];
	char *paths[NSHARDS + 1];
	int n = 0, np = 0;

	argv[n++] = "merge";
	if (json)
		argv[n++] = "--json";
	argv[n++] = "--no-shrink";
	for (const char *w = which; *w; w++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.%c.json", tag, *w);
		paths[np] = tmp_path(name);
		argv[n++] = paths[np++];
	}
	argv[n] = NULL;
	run(o, argv, NULL);
	for (int i = 0; i < np; i++)
		free(paths[i]);
}

static void single(struct out *o, const char *file, const char *const *args)
{
	const char *pre[] = { "explore", file, "--reduction", "none", "--json",
			      "-q", "--no-shrink", NULL };

	run(o, pre, args);
}

static void check_case(const struct shard_case *c, const char *depth,
		       const char *tag)
{
	char *file = c->file[0] == '/' ? strdup(c->file) :
		     strchr(c->file, '/') ? scenario(c->file) : tmp_path(c->file);
	char sig1[4096], sigm[4096];
	struct out one, m;
	uint64_t frontier = 0, owned = 0;
	int owners = 0;

	single(&one, file, c->args);
	ck_assert_msg(one.status == c->status, "%s: one process exits %d, not %d: %s",
		      file, one.status, c->status, one.err);
	run_shards(file, c->args, depth, tag, true, NULL, c->status);
	merge(&m, tag, "1234", true);
	ck_assert_msg(m.status == one.status, "%s (depth %s): merged exit %d, one process %d\n%s%s",
		      file, depth ? depth : "default", m.status, one.status,
		      m.out, m.err);
	ck_assert_msg(json_u64(m.out, "states") == json_u64(one.out, "states"),
		      "%s (depth %s): merged %llu states, one process %llu",
		      file, depth ? depth : "default",
		      (unsigned long long)json_u64(m.out, "states"),
		      (unsigned long long)json_u64(one.out, "states"));
	ck_assert(strstr(m.out, "\"states_exact\":true"));
	signature(one.out, sig1, sizeof(sig1));
	signature(m.out, sigm, sizeof(sigm));
	ck_assert_msg(!strcmp(sig1, sigm), "%s (depth %s): verdicts differ:\n one:    %s\n merged: %s",
		      file, depth ? depth : "default", sig1, sigm);
	/* with a split depth of 2 the frontier really is split */
	for (int i = 1; depth && i <= NSHARDS; i++) {
		char name[64], *p, *text;
		FILE *f;
		long len;

		snprintf(name, sizeof(name), "%s.%d.json", tag, i);
		p = tmp_path(name);
		f = fopen(p, "r");
		ck_assert_ptr_nonnull(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = calloc(1, (size_t)len + 1);
		ck_assert_int_eq(fread(text, 1, (size_t)len, f), len);
		fclose(f);
		frontier = json_u64(strstr(text, "\"shard_search\""), "frontier");
		owners += json_u64(strstr(text, "\"shard_search\""), "owned") > 0;
		owned += json_u64(strstr(text, "\"shard_search\""), "owned");
		free(text);
		free(p);
	}
	/* each frontier state has one owner */
	if (depth)
		ck_assert_msg(owned == frontier,
			      "%s: frontier %llu, owned %llu in all", file,
			      (unsigned long long)frontier, (unsigned long long)owned);
	if (owners >= 2)
		nr_split++;
	out_free(&one);
	out_free(&m);
	free(file);
}

static const struct shard_case cases[] = {
	/* exists Sometimes twice, expects hold */
	{ "scenarios/seed/splice-fanout.scn",
	  { "--param", "N=4", "--set", "page_size=8" }, 0 },
	{ "scenarios/seed/splice-fanout.scn",
	  { "--param", "N=16", "--set", "page_size=16" }, 0 },
	/* an expect fails late in the depth-first order */
	{ "tests/explore/late-counterexample.scn", { NULL }, 1 },
	/* a `never` line breaks (the stateful search checks every state) */
	{ "tests/explore/always-transient.scn", { NULL }, 1 },
	/* expect fails in one order, exists seen, exists Never */
	{ "race.scn", { NULL }, 1 },
	/* an invariant broken (use-after-free.scn without its `expect
	 * violation`) */
	{ "uaf.scn", { NULL }, 1 },
	/* `expect violation`: every end state breaks it: PASS */
	{ "scenarios/invariants/dirty-pipe.scn", { NULL }, 0 },
	/* the network model: kernel events */
	{ "scenarios/net/tcp-recv-all.scn", { NULL }, 0 },
	/* page-cache-write in every order; pipe pages reused across
	 * restores (the states must not depend on the search's history) */
	{ "tests/explore/restore-history.scn", { NULL }, 1 },
};

START_TEST(shards_merge_to_one_process)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char tag[32];

		snprintf(tag, sizeof(tag), "c%zu", i);
		check_case(&cases[i], NULL, tag);
		snprintf(tag, sizeof(tag), "c%zu-d2", i);
		check_case(&cases[i], "2", tag);
	}
	ck_assert_msg(nr_split >= 4, "only %d searches split their frontier",
		      nr_split);
}
END_TEST

/* a missing shard: incomplete, never PASS; a failure still fails */
START_TEST(missing_shard_is_incomplete)
{
	char *fan = scenario("scenarios/seed/splice-fanout.scn");
	const char *args[] = { "--param", "N=16", "--set", "page_size=16", NULL };
	struct out m;

	run_shards(fan, args, "2", "miss", true, NULL, -1);
	merge(&m, "miss", "124", false);
	ck_assert_msg(m.status == 4, "exit %d\n%s", m.status, m.out);
	ck_assert_ptr_nonnull(strstr(m.out, "Result: INCOMPLETE (shard 3 of 4 missing)"));
	ck_assert_ptr_null(strstr(m.out, "PASS"));
	out_free(&m);
	merge(&m, "miss", "1", false);
	ck_assert_int_eq(m.status, 4);
	ck_assert_ptr_nonnull(strstr(m.out, "shards 2, 3, 4 of 4 missing"));
	out_free(&m);
	/* the same shard twice: not a merge */
	merge(&m, "miss", "1224", false);
	ck_assert_int_eq(m.status, 2);
	ck_assert_ptr_nonnull(strstr(m.err, "shard 2/4 twice"));
	out_free(&m);
	free(fan);
}
END_TEST

/* a shard stopped by a bound: the merge is incomplete, and says which */
START_TEST(incomplete_shard_is_incomplete)
{
	char *fan = scenario("scenarios/seed/splice-fanout.scn");
	const char *args[] = { "--param", "N=16", "--set", "page_size=16", NULL };
	struct out m;

	run_shards(fan, args, NULL, "inc", true, "5", -1);
	merge(&m, "inc", "1234", false);
	ck_assert_msg(m.status == 4, "exit %d\n%s", m.status, m.out);
	ck_assert_ptr_nonnull(strstr(m.out, "Result: INCOMPLETE (shard 2/4: max-states 5 reached)"));
	out_free(&m);
	free(fan);
}
END_TEST

/* no fingerprint files: the sum of the counts, said to be an upper bound */
START_TEST(no_fingerprints_upper_bound)
{
	char *fan = scenario("scenarios/seed/splice-fanout.scn");
	const char *args[] = { "--param", "N=16", "--set", "page_size=16", NULL };
	struct out m, one;

	single(&one, fan, args);
	run_shards(fan, args, "2", "sum", false, NULL, -1);
	merge(&m, "sum", "1234", true);
	ck_assert_int_eq(m.status, 0);
	ck_assert_ptr_nonnull(strstr(m.out, "\"states_exact\":false"));
	ck_assert_uint_gt(json_u64(m.out, "states"), json_u64(one.out, "states"));
	out_free(&m);
	merge(&m, "sum", "1234", false);
	ck_assert_ptr_nonnull(strstr(m.out, "an upper bound"));
	out_free(&m);
	out_free(&one);
	free(fan);
}
END_TEST

/* the same inputs, the same parts: fingerprint files byte for byte */
START_TEST(deterministic)
{
	char *fan = scenario("scenarios/seed/splice-fanout.scn");
	const char *args[] = { "--param", "N=16", "--set", "page_size=16", NULL };
	char *a, *b;
	size_t la, lb;

	run_shards(fan, args, NULL, "detA", true, NULL, -1);
	run_shards(fan, args, NULL, "detB", true, NULL, -1);
	for (int i = 1; i <= NSHARDS; i++) {
		char name[64], *pa, *pb;
		FILE *f;

		snprintf(name, sizeof(name), "detA.%d.states", i);
		pa = tmp_path(name);
		snprintf(name, sizeof(name), "detB.%d.states", i);
		pb = tmp_path(name);
		f = fopen(pa, "rb");
		ck_assert_ptr_nonnull(f);
		a = calloc(1, 1 << 20);
		la = fread(a, 1, 1 << 20, f);
		fclose(f);
		f = fopen(pb, "rb");
		ck_assert_ptr_nonnull(f);
		b = calloc(1, 1 << 20);
		lb = fread(b, 1, 1 << 20, f);
		fclose(f);
		ck_assert_uint_gt(la, 0);
		ck_assert_uint_eq(la % 8, 0);
		ck_assert(la == lb && !memcmp(a, b, la));
		free(a);
		free(b);
		free(pa);
		free(pb);
	}
	free(fan);
}
END_TEST

START_TEST(usage_errors)
{
	char *fan = scenario("scenarios/seed/splice-fanout.scn");
	char *race = tmp_path("race.scn");
	static const char *const bad[][6] = {
		{ "--shard", "0/4" }, { "--shard", "5/4" }, { "--shard", "4" },
		{ "--shard", "a/b" }, { "--shard", "1/0" },
		{ "--shard", "1/4", "--preemptions", "2" },
		{ "--states-out", "/dev/null" }, { "--shard-depth", "3" },
		{ "--shard", "1/4", "--shard-depth", "0" },
	};
	const char *args[] = { "--param", "N=4", "--set", "page_size=8", NULL };
	struct out o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *pre[] = { "explore", fan, "-q", NULL };

		run(&o, pre, bad[i]);
		ck_assert_msg(o.status == 2, "%s %s: exit %d", bad[i][0],
			      bad[i][1], o.status);
		ck_assert_ptr_nonnull(strstr(o.err, "spansim explore:"));
		out_free(&o);
	}
	/* reports of two searches */
	run_shards(fan, args, NULL, "u1", false, NULL, -1);
	run_shards(race, (const char *[]){ NULL }, NULL, "u2", false, NULL, -1);
	{
		char *p1 = tmp_path("u1.1.json"), *p2 = tmp_path("u2.2.json");
		const char *m[] = { "merge", p1, p2, NULL };

		run(&o, m, NULL);
		ck_assert_int_eq(o.status, 2);
		ck_assert_ptr_nonnull(strstr(o.err, "not shards of the same search"));
		out_free(&o);
		free(p1);
		free(p2);
	}
	/* a report that is not a shard's */
	{
		const char *pre[] = { "explore", fan, "--json", "-q", NULL };
		char *p = tmp_path("plain.json");
		const char *m[] = { "merge", p, NULL };
		FILE *f;

		run(&o, pre, args);
		f = fopen(p, "w");
		fputs(o.out, f);
		fclose(f);
		out_free(&o);
		run(&o, m, NULL);
		ck_assert_int_eq(o.status, 2);
		ck_assert_ptr_nonnull(strstr(o.err, "not the report of a shard"));
		out_free(&o);
		free(p);
	}
	free(fan);
	free(race);
}
END_TEST

static void setup(void)
{
	char *p;

	/* a new name for each test: without CK_FORK (Valgrind) they share
	 * the process, and mkdtemp() left the last name in the template */
	strcpy(tmpdir, "/tmp/spansim-shard-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	p = write_tmp("race.scn", race_scn);
	free(p);
	/* use-after-free.scn, the violation not expected */
	{
		char *src = scenario("scenarios/invariants/use-after-free.scn");
		char *dst = tmp_path("uaf.scn"), line[4096];
		FILE *in = fopen(src, "r"), *out = fopen(dst, "w");

		ck_assert(in && out);
		while (fgets(line, sizeof(line), in))
			if (strncmp(line, "expect violation", 16))
				fputs(line, out);
		fclose(in);
		ck_assert_int_eq(fclose(out), 0);
		free(src);
		free(dst);
	}
}

static void teardown(void)
{
	char *cmd;

	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", tmpdir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static Suite *explore_shard_suite(void)
{
	Suite *s = suite_create("explore_shard");
	TCase *tc = tcase_create("explore_shard");

	tcase_set_timeout(tc, 600);
	/* each test forks: each makes and removes its own directory */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, shards_merge_to_one_process);
	tcase_add_test(tc, missing_shard_is_incomplete);
	tcase_add_test(tc, incomplete_shard_is_incomplete);
	tcase_add_test(tc, no_fingerprints_upper_bound);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, usage_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(explore_shard_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
