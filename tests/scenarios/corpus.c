// SPDX-License-Identifier: MIT
/*
 * corpus.c - the scenario corpus as a Check suite.
 *
 * One test per .scn file under $SPAN_SCENARIO_DIR (recursively, without
 * pending/ and seed/) and one per seed file (scenarios/seed/), each running
 * `$SPANSIM test FILE` in its own process (Check forks every test) and
 * asserting exit status 0 and the TAP `ok 1` line.  Then the behaviour the
 * seed files must show under other policies (POLICIES.md, "What each policy
 * must predict"), that scenarios/seed/ is a byte-identical copy of
 * ../shared/scenarios, and that `spansim explore` agrees with
 * `explore --no-reduction` on the verdict and invariant lines of small
 * scenarios.
 *
 * Files that use the network operations (tcp, unix, send, recv, sockopt,
 * errqueue, decrypt) are skipped with a note while the network model is
 * not built in (a probe scenario over TCP loopback fails).
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

/* ------------------------------------------------------------ helpers */

#include "spawn.h"

static char *path_in(const char *dir, const char *rel)
{
	char *p;

	ck_assert(asprintf(&p, "%s/%s", dir, rel) > 0);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	char tmp[4096];
	size_t k;

	if (!f)
		return NULL;
	buf = calloc(1, 1);
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		append(&buf, &n, tmp, k);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

/* ----------------------------------------------- the network gate */

static const char *const net_ops[] = { "tcp",	   "unix",    "send",
				       "recv",	   "sockopt", "errqueue",
				       "decrypt" };

/* Does the file use a network operation (first word, after a label)? */
static bool uses_network(const char *path)
{
	char *text = slurp(path, NULL), *line, *save = NULL;
	bool net = false;

	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line && !net;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line;
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n > 1 && p[n - 1] == ':') { /* LABEL: op */
			p += n;
			while (*p == ' ' || *p == '\t')
				p++;
			n = strcspn(p, " \t");
		}
		for (size_t i = 0; i < sizeof(net_ops) / sizeof(net_ops[0]); i++)
			if (strlen(net_ops[i]) == n && !strncmp(p, net_ops[i], n))
				net = true;
	}
	free(text);
	return net;
}

/* Is the network model built in?  A TCP loopback round trip. */
static bool network_works(void)
{
	static const char probe[] =
		"scenario net-probe\n"
		"setup\n  tcp c s\nend\n"
		"thread t\n  n: send c \"ping\"\n  recv s 4 all -> r\nend\n"
		"expect n == 4 && r == \"ping\"\n";
	char path[] = "/tmp/spansim-net-probe-XXXXXX";
	int fd = mkstemp(path);
	struct out o;
	bool ok;

	ck_assert_int_ge(fd, 0);
	ck_assert(write(fd, probe, sizeof(probe) - 1) ==
		  (ssize_t)(sizeof(probe) - 1));
	close(fd);
	run_spansim(&o, "run", "--quiet", path, NULL);
	ok = o.status == 0;
	out_free(&o);
	unlink(path);
	return ok;
}

/* -------------------------------------------------- the file lists */

static char **files;
static int nr_files;
static char **seeds;
static int nr_seeds;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(char ***arr, int *nr, char *s)
{
	*arr = realloc(*arr, (size_t)(*nr + 1) * sizeof(**arr));
	if (!*arr)
		abort();
	(*arr)[(*nr)++] = s;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Every .scn under @dir; at the top, pending/ and seed/ are left out. */
static void collect(const char *dir, bool top, char ***arr, int *nr)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			abort();
		if (stat(p, &st)) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!(top && (!strcmp(e->d_name, "pending") ||
				      !strcmp(e->d_name, "seed"))))
				collect(p, false, arr, nr);
			free(p);
		} else if (ends_with(e->d_name, ".scn")) {
			push(arr, nr, p);
		} else {
			free(p);
		}
	}
	closedir(d);
}

/* ----------------------------------------------------------- tests */

static void check_tap_ok(const char *path)
{
	struct out o;
	char *want;

	/* the network model is part of every build: its absence is a failure */
	ck_assert_msg(!uses_network(path) || network_works(),
		      "%s: the network model does not work in this build", path);
	run_spansim(&o, "test", path, NULL);
	ck_assert(asprintf(&want, "\nok 1 - %s", path) > 0);
	ck_assert_msg(o.status == 0 && strstr(o.out, want),
		      "%s: exit %d\n%s%s", path, o.status, o.out, o.err);
	free(want);
	out_free(&o);
}

START_TEST(scenario_file)
{
	check_tap_ok(files[_i]);
}
END_TEST

START_TEST(seed_file)
{
	check_tap_ok(seeds[_i]);
}
END_TEST

/* scenarios/seed/ holds byte-identical copies of ../shared/scenarios. */
START_TEST(seed_copies_identical)
{
	const char *shared = getenv("SPAN_SHARED_DIR");
	char **orig = NULL;
	int nr_orig = 0;
	char *dir;

	ck_assert_msg(shared && *shared, "SPAN_SHARED_DIR is not set");
	dir = path_in(shared, "scenarios");
	/* ../shared is beside every checkout and CI run: not finding it fails */
	ck_assert_msg(!access(dir, R_OK), "cannot read %s", dir);
	collect(dir, false, &orig, &nr_orig);
	ck_assert_int_gt(nr_orig, 0);
	ck_assert_int_eq(nr_orig, nr_seeds);
	qsort(orig, (size_t)nr_orig, sizeof(*orig), cmp_str);
	for (int i = 0; i < nr_orig; i++) {
		const char *base = strrchr(orig[i], '/') + 1;
		char *seed = path_in(scn_dir(), "seed");
		char *copy = path_in(seed, base);
		size_t la, lb;
		char *a = slurp(orig[i], &la), *b = slurp(copy, &lb);

		ck_assert_msg(a && b, "%s: missing copy %s", orig[i], copy);
		ck_assert_msg(la == lb && !memcmp(a, b, la),
			      "%s differs from %s", copy, orig[i]);
		free(a);
		free(b);
		free(copy);
		free(seed);
		free(orig[i]);
	}
	free(orig);
	free(dir);
}
END_TEST

/* vmsplice-then-store under vmsplice=copy: the reader gets "AAAA". */
START_TEST(seed_vmsplice_copy_fails)
{
	char *f = path_in(scn_dir(), "seed/vmsplice-then-store.scn");
	struct out o;

	run_spansim(&o, "run", f, "--policy", "vmsplice=copy", NULL);
	ck_assert_msg(o.status == 1, "exit %d\n%s%s", o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "\n  r = \"AAAA\"\n"), "%s", o.out);
	ck_assert_msg(strstr(o.out, "expect r == \"BBBB\" ... FAILED"), "%s",
		      o.out);
	ck_assert_msg(strstr(o.out, "expect n == 4096 ... ok"), "%s", o.out);
	out_free(&o);

	/* and under the 7.2 preset that carries the knob */
	run_spansim(&o, "test", f, "--policy", "preset=linux-7.2-vmsplice-copy",
		    NULL);
	ck_assert_msg(o.status == 1 && strstr(o.out, "not ok 1 - "), "%s",
		      o.out);
	out_free(&o);
	free(f);
}
END_TEST

static void explore_expect(const char *rel, const char *want, ...)
{
	char *f = path_in(scn_dir(), rel);
	char *argv[MAX_ARGS];
	int n = 0;
	struct out o;
	va_list ap;

	argv[n++] = (char *)spansim();
	argv[n++] = "explore";
	argv[n++] = f;
	va_start(ap, want);
	for (char *a; (a = va_arg(ap, char *)) && n < MAX_ARGS - 1;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	spawn(argv, &o);
	ck_assert_msg(o.status == 0, "%s: exit %d\n%s%s", rel, o.status, o.out,
		      o.err);
	ck_assert_msg(strstr(o.out, want), "%s: no '%s' in\n%s", rel, want,
		      o.out);
	out_free(&o);
	free(f);
}

START_TEST(seed_fanout_ref_sometimes)
{
	explore_expect("seed/splice-fanout.scn",
		       "exists r[0] == \"X\": Sometimes", "--param", "N=3",
		       "--set", "page_size=8", NULL);
}
END_TEST

START_TEST(seed_fanout_copy_never)
{
	explore_expect("seed/splice-fanout.scn", "exists r[0] == \"X\": Never",
		       "--param", "N=3", "--set", "page_size=8", "--policy",
		       "pipe_split=copy", NULL);
}
END_TEST

START_TEST(seed_fanout_desc_sometimes)
{
	explore_expect("seed/splice-fanout.scn",
		       "exists r[0] == \"X\": Sometimes", "--param", "N=3",
		       "--set", "page_size=8", "--policy", "pipe_split=desc",
		       NULL);
}
END_TEST

START_TEST(seed_vmsplice_fork_ref_never)
{
	explore_expect("seed/vmsplice-fork.scn", "exists r == \"PPPP\": Never",
		       NULL);
	explore_expect("seed/vmsplice-fork.scn",
		       "exists r == \"AAAA\": Always", NULL);
}
END_TEST

/*
 * DirtyClone: only a schedule in which the retransmitted pskb_copy
 * overtakes the first transmission breaks page-cache-write (the FIFO run
 * is clean, scenario_corpus); its twin under mainline's keep never does.
 */
START_TEST(net_dirtyclone_found)
{
	char *f = path_in(scn_dir(), "net/dirtyclone.scn");
	char *argv[] = { (char *)spansim(), "explore", f, NULL };
	struct out o;

	spawn(argv, &o);
	ck_assert_msg(o.status == 1, "exit %d\n%s%s", o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "invariant broken: page-cache-write"),
		      "%s", o.out);
	out_free(&o);
	free(f);
	explore_expect("net/dirtyclone-twin.scn", "Result: PASS", NULL);
	/* without the delay on lo nothing calls pskb_copy: clean too */
	explore_expect("net/dirtyclone.scn", "Result: PASS", "--set",
		       "tcp_retransmit=0", NULL);
}
END_TEST

START_TEST(seed_vmsplice_fork_pin_sometimes)
{
	explore_expect("seed/vmsplice-fork.scn",
		       "exists r == \"PPPP\": Sometimes", "--policy",
		       "preset=proposal-pin", NULL);
}
END_TEST

/*
 * explore and explore --no-reduction give the same verdict lines (every
 * expect/exists, expected violation, invariants, Result); witnesses and
 * statistics may differ.
 */
static const struct {
	const char *file;
	const char *args[6];
} agree[] = {
	{ "seed/splice-fanout.scn", { "--param", "N=3", "--set", "page_size=8" } },
	{ "seed/vmsplice-fork.scn", { 0 } },
	{ "seed/vmsplice-fork.scn", { "--policy", "preset=proposal-pin" } },
	{ "seed/vmsplice-then-store.scn", { 0 } },
	{ "pipe/blocking-writer.scn", { 0 } },
	{ "pipe/write-atomic.scn", { 0 } },
	{ "pipe/epipe-partial.scn", { 0 } },
	{ "pipe/deadlock-expected.scn", { 0 } },
	{ "pipe/deadlock-reader.scn", { 0 } },
	{ "splice/splice-blocks.scn", { 0 } },
	{ "mm/fork-cow.scn", { 0 } },
	{ "mm/vmsplice-fork-store.scn", { 0 } },
	{ "knobs/fork-pinned-copy.scn", { 0 } },
	{ "knobs/fork-pinned-share.scn", { 0 } },
	{ "knobs/cow-reuse-exclusive.scn", { 0 } },
	{ "knobs/pipe-split-desc-release.scn", { 0 } },
	{ "invariants/cow-leak-mapcount.scn", { 0 } },
	{ "invariants/cow-leak-twin.scn", { 0 } },
	{ "lang/param-override.scn", { "--param", "N=2" } },
	{ "seed/vmsplice-fork.scn", { "--policy", "fork_pinned=share", "--policy", "vmsplice=pin" } },
};

/* The verdict lines: not indented, and not statistics. */
static char *verdicts(const char *text)
{
	static const char *const skip[] = { "Explore ", "States ", "Time ",
					    "Memory", "Reduction" };
	char *out = calloc(1, 1), *copy = strdup(text), *save = NULL;
	size_t len = 0;

	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		bool keep = l[0] != ' ';

		for (size_t i = 0; keep && i < sizeof(skip) / sizeof(skip[0]); i++)
			if (!strncmp(l, skip[i], strlen(skip[i])))
				keep = false;
		if (!keep)
			continue;
		/* counts of end states differ with reduction: drop digits */
		for (char *c = l; *c; c++)
			if (*c >= '0' && *c <= '9')
				memmove(c, c + 1, strlen(c)), c--;
		append(&out, &len, l, strlen(l));
		append(&out, &len, "\n", 1);
	}
	free(copy);
	return out;
}

START_TEST(explore_agrees_without_reduction)
{
	char *f = path_in(scn_dir(), agree[_i].file);
	char *argv[2][MAX_ARGS];
	struct out o[2];
	char *v[2];

	for (int k = 0; k < 2; k++) {
		int n = 0;

		argv[k][n++] = (char *)spansim();
		argv[k][n++] = "explore";
		argv[k][n++] = f;
		for (int a = 0; a < 6 && agree[_i].args[a]; a++)
			argv[k][n++] = (char *)agree[_i].args[a];
		if (k)
			argv[k][n++] = "--no-reduction";
		argv[k][n] = NULL;
		spawn(argv[k], &o[k]);
		v[k] = verdicts(o[k].out);
	}
	ck_assert_msg(o[0].status == o[1].status, "%s: exit %d vs %d",
		      agree[_i].file, o[0].status, o[1].status);
	ck_assert_msg(strstr(v[0], "Result: "), "%s: no result\n%s%s",
		      agree[_i].file, o[0].out, o[0].err);
	ck_assert_msg(!strcmp(v[0], v[1]),
		      "%s: reduced and unreduced verdicts differ\n%s---\n%s",
		      agree[_i].file, v[0], v[1]);
	for (int k = 0; k < 2; k++) {
		free(v[k]);
		out_free(&o[k]);
	}
	free(f);
}
END_TEST

/*
 * Every file of the corpus and every seed: reduced and unreduced explore
 * give the same verdicts (the fan-out seed with N=3 and 8-byte pages).
 */
static void agree_on(const char *path)
{
	char *argv[2][MAX_ARGS];
	struct out o[2];
	char *v[2];

	for (int k = 0; k < 2; k++) {
		int n = 0;

		argv[k][n++] = (char *)spansim();
		argv[k][n++] = "explore";
		argv[k][n++] = (char *)path;
		argv[k][n++] = "--no-shrink";
		if (ends_with(path, "/splice-fanout.scn")) {
			argv[k][n++] = "--param";
			argv[k][n++] = "N=3";
			argv[k][n++] = "--set";
			argv[k][n++] = "page_size=8";
		}
		if (k)
			argv[k][n++] = "--no-reduction";
		argv[k][n] = NULL;
		spawn(argv[k], &o[k]);
		v[k] = verdicts(o[k].out);
	}
	ck_assert_msg(o[0].status == o[1].status, "%s: exit %d vs %d\n%s",
		      path, o[0].status, o[1].status, o[0].err);
	ck_assert_msg(strstr(v[0], "Result: "), "%s: no result\n%s%s", path,
		      o[0].out, o[0].err);
	ck_assert_msg(!strstr(o[0].out, "search incomplete"), "%s: incomplete", path);
	ck_assert_msg(!strcmp(v[0], v[1]),
		      "%s: reduced and unreduced verdicts differ\n%s---\n%s",
		      path, v[0], v[1]);
	for (int k = 0; k < 2; k++) {
		free(v[k]);
		out_free(&o[k]);
	}
}

START_TEST(explore_agrees_corpus)
{
	agree_on(files[_i]);
}
END_TEST

START_TEST(explore_agrees_seeds)
{
	agree_on(seeds[_i]);
}
END_TEST

/*
 * A counterexample or witness that explore prints replays with `spansim
 * run --schedule` to the same failure.  @what is the line explore prints
 * the schedule on ("  witness", "  counterexample", "  shrunk"); @want is
 * what the replayed run's report must contain.
 */
static int replay_lines(const char *out, const char *what, const char *want,
			const char *path)
{
	const char *l = out;
	int nr = 0;

	while ((l = strstr(l, what))) {
		const char *cmd = strstr(l, "spansim run ");
		const char *q = cmd ? strstr(cmd, "--schedule '") : NULL;
		const char *end = q ? strchr(q + 12, '\'') : NULL;
		char *argv[MAX_ARGS], *buf;
		struct out o;
		int n = 0;

		ck_assert_msg(cmd && q && end, "%s: bad line after %s", path, what);
		buf = strndup(cmd + 12, (size_t)(q - cmd - 12));
		argv[n++] = (char *)spansim();
		argv[n++] = "run";
		for (char *save = NULL, *t = strtok_r(buf, " ", &save);
		     t && n < MAX_ARGS - 4; t = strtok_r(NULL, " ", &save))
			argv[n++] = t;
		argv[n++] = "--schedule";
		argv[n++] = strndup(q + 12, (size_t)(end - q - 12));
		argv[n] = NULL;
		spawn(argv, &o);
		ck_assert_msg(strstr(o.out, want),
			      "%s: replaying `%s` does not show `%s`:\n%s%s",
			      path, argv[n - 1], want, o.out, o.err);
		free(argv[n - 1]);
		free(buf);
		out_free(&o);
		nr++;
		l = end;
	}
	return nr;
}

/* every `expect violation` file: its witness replays to that violation */
START_TEST(explore_witness_replays)
{
	const char *path = files[_i];
	char *text = NULL, *name, want[128];
	size_t len = 0;
	FILE *f = fopen(path, "r");
	struct out o;

	ck_assert_ptr_nonnull(f);
	if (getdelim(&text, &len, 0, f) < 0) {
		fclose(f);
		free(text);
		return;
	}
	fclose(f);
	name = strstr(text, "\nexpect violation ");
	if (!name) {
		free(text);
		return;
	}
	name += strlen("\nexpect violation ");
	snprintf(want, sizeof(want), "invariants: %.*s at step",
		 (int)strcspn(name, " \n#"), name);
	run_spansim(&o, "explore", path, NULL);
	ck_assert_msg(replay_lines(o.out, "  witness (", want, path) > 0,
		      "%s: explore printed no witness\n%s", path, o.out);
	out_free(&o);
	free(text);
}
END_TEST

/*
 * Twins under the old policy: explore finds the counterexample, and both
 * the counterexample and its shrunk form replay to the same failure.
 */
static const struct {
	const char *file;
	const char *policy;
	const char *want;	/* in the replayed report */
} broken[] = {
	{ "seed/vmsplice-then-store.scn", "vmsplice=copy",
	  "expect r == \"BBBB\" ... FAILED" },
	{ "invariants/dirty-pipe.scn", "pipe_buf_init=clear",
	  "expect violation page-cache-write ... FAILED" },
	{ "invariants/tee-merge-twin.scn", "pipe_link_merge=keep",
	  "invariants: shared-merge at step" },
	{ "invariants/cow-leak-twin.scn", "cow_reuse=mapcount",
	  "invariants: cow-leak at step" },
	{ "net/dirty-frag-twin.scn", "skb_shared_frag=ignore",
	  "invariants: page-cache-write at step" },
	{ "net/premature-completion-twin.scn", "loopback=share",
	  "invariants: premature-completion at step" },
};

START_TEST(explore_counterexample_replays)
{
	char *path = path_in(scn_dir(), broken[_i].file);
	struct out o;
	int nr;

	run_spansim(&o, "explore", path, "--policy", broken[_i].policy, NULL);
	ck_assert_msg(o.status == 1, "%s under %s: explore exit %d\n%s%s", path,
		      broken[_i].policy, o.status, o.out, o.err);
	nr = replay_lines(o.out, "  counterexample", broken[_i].want, path);
	nr += replay_lines(o.out, "  shrunk (", broken[_i].want, path);
	ck_assert_msg(nr > 0, "%s under %s: no counterexample printed\n%s",
		      path, broken[_i].policy, o.out);
	out_free(&o);
	free(path);
}
END_TEST

/* ------------------------------------------------------------- main */

static Suite *corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *tc;

	tc = tcase_create("scenarios");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, scenario_file, 0, nr_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("seeds");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, seed_file, 0, nr_seeds);
	tcase_add_test(tc, seed_copies_identical);
	tcase_add_test(tc, seed_vmsplice_copy_fails);
	tcase_add_test(tc, seed_fanout_ref_sometimes);
	tcase_add_test(tc, seed_fanout_copy_never);
	tcase_add_test(tc, seed_fanout_desc_sometimes);
	tcase_add_test(tc, seed_vmsplice_fork_ref_never);
	tcase_add_test(tc, seed_vmsplice_fork_pin_sometimes);
	tcase_add_test(tc, net_dirtyclone_found);
	suite_add_tcase(s, tc);

	tc = tcase_create("explore");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, explore_agrees_without_reduction, 0,
			    (int)(sizeof(agree) / sizeof(agree[0])));
	tcase_add_loop_test(tc, explore_agrees_corpus, 0, nr_files);
	tcase_add_loop_test(tc, explore_agrees_seeds, 0, nr_seeds);
	tcase_add_loop_test(tc, explore_witness_replays, 0, nr_files);
	tcase_add_loop_test(tc, explore_counterexample_replays, 0,
			    (int)(sizeof(broken) / sizeof(broken[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *dir = getenv("SPAN_SCENARIO_DIR");
	SRunner *sr;
	int failed;
	char *seed_dir;

	if (!dir || !getenv("SPANSIM")) {
		fprintf(stderr, "corpus: SPANSIM and SPAN_SCENARIO_DIR must be set\n");
		return 1;
	}
	collect(dir, true, &files, &nr_files);
	if (asprintf(&seed_dir, "%s/seed", dir) < 0)
		return 1;
	collect(seed_dir, false, &seeds, &nr_seeds);
	qsort(files, (size_t)nr_files, sizeof(*files), cmp_str);
	qsort(seeds, (size_t)nr_seeds, sizeof(*seeds), cmp_str);
	if (!nr_files || !nr_seeds) {
		fprintf(stderr, "corpus: no scenarios under %s\n", dir);
		return 1;
	}
	sr = srunner_create(corpus_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(seed_dir);
	return failed ? 1 : 0;
}
