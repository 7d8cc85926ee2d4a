// SPDX-License-Identifier: MIT
/*
 * export.c - `spansim export` against the live kernel.
 *
 * One TAP test per .scn file of tests/differential/ (the corpus the
 * differential runner compares with the live kernel):
 *  - `$SPANSIM export kselftest FILE -o F.k.c` and `$SPANSIM export c FILE
 *    -o F.c.c` must both write a program, or both refuse the file (exit 2,
 *    "refused: REASON"), reported as `ok N - FILE # SKIP refused: REASON`;
 *  - both programs must compile with the system cc (-std=c11 -Wall -Werror
 *    -D_GNU_SOURCE -pthread; the kselftest one against
 *    tests/export/kselftest_harness.h);
 *  - the kselftest program must pass on this machine's kernel: exit 0,
 *    "TAP version 13" and its "ok 1" line.
 * Then the command's own errors: an unknown format, a missing FILE, a
 * refused kmem file and a refused child process (no output written),
 * `spansim help export`.
 *
 * More than MAX_REFUSED_SHARE percent of tests/differential refused fails
 * the suite.  Without root (the programs drop to user nobody as the kernel
 * runner's agents do, and the expected values are those of nobody) or
 * without a C compiler the suite is skipped (exit 77).  The programs run
 * one at a time: pipes of user nobody count against
 * fs.pipe-user-pages-soft together.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "spawn.h"

#define MAX_REFUSED_SHARE 20	/* percent of tests/differential/ */
#define EXIT_SKIP 77		/* ctest SKIP_RETURN_CODE */

static char **files;
static int nr_files;

/* every .scn file of @dir, sorted */
static void collect(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0) {
		printf("Bail out! cannot read %s\n", dir);
		exit(1);
	}
	files = calloc((size_t)n + 1, sizeof(*files));
	for (int i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);

		if (len > 4 && !strcmp(ents[i]->d_name + len - 4, ".scn") &&
		    asprintf(&files[nr_files], "%s/%s", dir,
			     ents[i]->d_name) >= 0)
			nr_files++;
		free(ents[i]);
	}
	free(ents);
}

/* output as TAP diagnostics, at most 60 lines */
static void diag(const char *out)
{
	int lines = 0;

	for (const char *l = out; *l && lines < 60; lines++) {
		int n = (int)strcspn(l, "\n");

		printf("#   %.*s\n", n > 300 ? 300 : n, l);
		l += n + (l[n] == '\n');
	}
}

enum result { PASS, FAIL, REFUSED };

/* the stem of @path: "13b7-tee" */
static void stem(const char *path, char *buf, size_t n)
{
	const char *b = strrchr(path, '/');

	snprintf(buf, n, "%s", b ? b + 1 : path);
	if (strlen(buf) > 4)
		buf[strlen(buf) - 4] = 0;
}

/*
 * test_file - export @path (test @nr) in both formats into @dir, compile
 * both against the harness in @inc, run the kselftest program.
 */
static enum result test_file(const char *spansim, const char *inc,
			     const char *dir, const char *path, int nr)
{
	char name[256], kc[4096], cc[4096], kbin[4096], cbin[4096];
	char incflag[4096], *out = NULL;
	int rc, rc2;

	stem(path, name, sizeof(name));
	snprintf(kc, sizeof(kc), "%s/%s.k.c", dir, name);
	snprintf(cc, sizeof(cc), "%s/%s.c.c", dir, name);
	snprintf(kbin, sizeof(kbin), "%s/%s.k", dir, name);
	snprintf(cbin, sizeof(cbin), "%s/%s.c", dir, name);
	snprintf(incflag, sizeof(incflag), "-I%s", inc);
	{
		char *argv[] = { (char *)spansim, "export", "kselftest",
				 (char *)path, "-o", kc, NULL };

		rc = run(argv, &out);
	}
	if (rc == 2 && strstr(out, "refused: ")) {
		char *why = strstr(out, "refused: ") + 9;
		char *o2 = NULL;
		char *argv[] = { (char *)spansim, "export", "c", (char *)path,
				 "-o", cc, NULL };

		rc2 = run(argv, &o2);
		if (rc2 != 2 || !strstr(o2, "refused: ") ||
		    !access(kc, F_OK) || !access(cc, F_OK)) {
			printf("not ok %d - %s: refused as kselftest, not as c (exit %d) or an output written\n",
			       nr, path, rc2);
			diag(o2);
			free(o2);
			free(out);
			return FAIL;
		}
		free(o2);
		printf("ok %d - %s # SKIP refused: %.*s\n", nr, path,
		       (int)strcspn(why, "\n"), why);
		free(out);
		return REFUSED;
	}
	if (rc) {
		printf("not ok %d - %s: export kselftest failed (exit %d)\n",
		       nr, path, rc);
		diag(out);
		free(out);
		return FAIL;
	}
	free(out);
	{
		char *argv[] = { (char *)spansim, "export", "c", (char *)path,
				 "-o", cc, NULL };

		rc = run(argv, &out);
	}
	if (rc) {
		printf("not ok %d - %s: export c failed (exit %d)\n", nr, path,
		       rc);
		diag(out);
		free(out);
		return FAIL;
	}
	free(out);
	{
		char *argv[] = { "cc", "-std=c11", "-Wall", "-Werror",
				 "-D_GNU_SOURCE", "-pthread", incflag, "-o",
				 kbin, kc, NULL };

		rc = run(argv, &out);
	}
	if (rc) {
		printf("not ok %d - %s: the kselftest program does not compile\n",
		       nr, path);
		diag(out);
		free(out);
		return FAIL;
	}
	free(out);
	{
		char *argv[] = { "cc", "-std=c11", "-Wall", "-Werror",
				 "-D_GNU_SOURCE", "-pthread", "-o", cbin, cc,
				 NULL };

		rc = run(argv, &out);
	}
	if (rc) {
		printf("not ok %d - %s: the reproducer does not compile\n", nr,
		       path);
		diag(out);
		free(out);
		return FAIL;
	}
	free(out);
	{
		char *argv[] = { kbin, NULL };

		rc = run(argv, &out);
	}
	if (rc || !strstr(out, "TAP version 13\n") ||
	    !strstr(out, "\nok 1 ")) {
		printf("not ok %d - %s: the kselftest program fails on the live kernel (exit %d)\n",
		       nr, path, rc);
		diag(out);
		free(out);
		return FAIL;
	}
	free(out);
	unlink(kc);
	unlink(cc);
	unlink(kbin);
	unlink(cbin);
	printf("ok %d - %s\n", nr, path);
	return PASS;
}

/* the command's own errors; Return: the tests that failed */
static int test_cli(const char *spansim, const char *src, const char *dir,
		    int nr)
{
	struct {
		const char *what;
		char *argv[8];
		int rc;
		const char *want;
	} t[] = {
		{ "an unknown format is an error",
		  { (char *)spansim, "export", "python", "x.scn", NULL }, 2,
		  "spansim export: unknown format 'python'" },
		{ "a FILE is needed",
		  { (char *)spansim, "export", "c", NULL }, 2,
		  "spansim export: needs a format" },
		{ "a missing file is an error",
		  { (char *)spansim, "export", "c", "/nonexistent.scn", NULL },
		  2, "nonexistent.scn" },
		{ "spansim help export",
		  { (char *)spansim, "help", "export", NULL }, 0,
		  "usage: spansim export kselftest|c FILE" },
		{ "export --help",
		  { (char *)spansim, "export", "--help", NULL }, 0,
		  "usage: spansim export kselftest|c FILE" },
	};
	static const struct {
		const char *what, *scn, *want;
	} refuse[] = {
		{ "a kmem scenario",
		  "scenario k\nthread t\n  kmem b 4096\nend\n",
		  "refused: kernel-only memory (kmem)" },
		{ "a child using a pipe made after its fork",
		  "scenario k\nprocess child\nthread parent\n  fork child\n"
		  "  pipe p\nend\nthread c in child\n  write p \"x\"\nend\n",
		  "passes no descriptors between processes" },
	};
	char kmem[4096], outp[4096];
	int failed = 0;
	FILE *f;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *out = NULL;
		int rc = run(t[i].argv, &out);
		bool ok = rc == t[i].rc && strstr(out, t[i].want);

		printf("%s %d - export: %s\n", ok ? "ok" : "not ok",
		       nr + (int)i, t[i].what);
		if (!ok) {
			printf("#   exit %d, wanted %d and \"%s\"\n", rc, t[i].rc,
			       t[i].want);
			diag(out);
			failed++;
		}
		free(out);
	}
	/* refused files: exit 2, the op and why, nothing written */
	for (size_t i = 0; i < sizeof(refuse) / sizeof(refuse[0]); i++) {
		char *argv[] = { (char *)spansim, "export", "kselftest", kmem,
				 "-o", outp, NULL };
		char *out = NULL;
		int rc;
		bool ok;

		snprintf(kmem, sizeof(kmem), "%s/refused.scn", dir);
		snprintf(outp, sizeof(outp), "%s/refused.c", dir);
		f = fopen(kmem, "w");
		if (!f) {
			printf("not ok %d - export: cannot write %s\n",
			       nr + 5 + (int)i, kmem);
			failed++;
			continue;
		}
		fputs(refuse[i].scn, f);
		fclose(f);
		rc = run(argv, &out);
		ok = rc == 2 && strstr(out, "spansim export: ") &&
		     strstr(out, refuse[i].want) && access(outp, F_OK);
		printf("%s %d - export: %s is refused, naming why, nothing written\n",
		       ok ? "ok" : "not ok", nr + 5 + (int)i, refuse[i].what);
		if (!ok) {
			diag(out);
			failed++;
		}
		free(out);
		unlink(kmem);
	}
	(void)src;
	return failed;
}

int main(void)
{
	const char *spansim = getenv("SPANSIM");
	const char *src = getenv("SPAN_SOURCE_DIR");
	int failed = 0, refused = 0, passed = 0;
	char *dir, *inc, tmp[] = "/tmp/spansim-export-test.XXXXXX", *out;

	setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef SPAN_SOURCE_DIR
	if (!src)
		src = SPAN_SOURCE_DIR;
#endif
	if (!spansim || !src) {
		printf("1..0 # SKIP SPANSIM or SPAN_SOURCE_DIR not set\n");
		return EXIT_SKIP;
	}
	if (geteuid() != 0) {
		printf("1..0 # SKIP not root: the exported programs run their operations as user nobody, as the kernel runner does\n");
		return EXIT_SKIP;
	}
	{
		char *argv[] = { "cc", "--version", NULL };

		if (run(argv, &out)) {
			printf("1..0 # SKIP no C compiler (cc)\n");
			free(out);
			return EXIT_SKIP;
		}
		free(out);
	}
	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	if (asprintf(&dir, "%s/tests/differential", src) < 0 ||
	    asprintf(&inc, "%s/tests/export", src) < 0)
		return 1;
	collect(dir);
	if (!nr_files) {
		printf("Bail out! no scenario files in %s\n", dir);
		return 1;
	}
	printf("TAP version 13\n1..%d\n", nr_files + 7);
	for (int i = 0; i < nr_files; i++) {
		enum result r;

		/*
		 * Under ASan the exporter is what the sanitizer checks, not
		 * the programs (built without it): every fifth file keeps
		 * make check's time; natively, every file.
		 */
		if (sanitized() && i % 5) {
			printf("ok %d - %s # SKIP under ASan only every fifth file\n",
			       i + 1, files[i]);
			free(files[i]);
			continue;
		}
		r = test_file(spansim, inc, tmp, files[i], i + 1);

		failed += r == FAIL;
		refused += r == REFUSED;
		passed += r == PASS;
		free(files[i]);
	}
	free(files);
	failed += test_cli(spansim, src, tmp, nr_files + 1);
	printf("# export: %d files of tests/differential: %d exported, %d refused; %d passed on the live kernel, %d failed\n",
	       nr_files, nr_files - refused, refused, passed,
	       nr_files - refused - passed);
	if (rmdir(tmp))
		printf("# note: %s kept (the files of failed tests)\n", tmp);
	free(dir);
	free(inc);
	if (sanitized())
		printf("# under ASan: every fifth file only\n");
	if (refused * 100 > nr_files * MAX_REFUSED_SHARE) {
		printf("# FAIL: %d of %d tests/differential files refused, more than %d%%\n",
		       refused, nr_files, MAX_REFUSED_SHARE);
		return 1;
	}
	return failed ? 1 : 0;
}
