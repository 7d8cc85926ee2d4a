// SPDX-License-Identifier: MIT
/*
 * differential.c - the model against the live kernel.
 *
 * One TAP test per .scn file of tests/differential/ and of the project
 * corpus ($SPAN_SCENARIO_DIR, recursively):
 *  - a tests/differential/ file must first pass in the model
 *    (`$SPANSIM run FILE --quiet` exits 0);
 *  - then `$SPANSIM kernel FILE` must exit 0 (model and kernel agree);
 *    exit 3 is a skip, reported as `ok N - FILE # SKIP reason`; exit 1 (a
 *    disagreement) or 2 is `not ok` with the runner's output.
 *
 * tests/differential/ exists to be compared: if more than MAX_SKIP_SHARE of
 * its files are skipped the suite fails.  Corpus files are skipped for
 * reasons of their own (kernel-only memory, policies off mainline) and
 * only reported.  Without root the kernel half cannot run as user nobody:
 * the whole suite is then skipped (exit 77, which ctest shows as a skip,
 * not a pass).  docs/differential.md has the details.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <glob.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"

#define MAX_SKIP_SHARE 5	/* percent of tests/differential/ */
#define EXIT_SKIP 77		/* ctest SKIP_RETURN_CODE */

struct file {
	char *path;
	bool diff;		/* from tests/differential/ */
};

static struct file *files;
static int nr_files, cap_files;

static void add_file(char *path, bool diff)
{
	if (nr_files == cap_files) {
		cap_files = cap_files ? 2 * cap_files : 256;
		files = realloc(files, (size_t)cap_files * sizeof(*files));
		if (!files) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
	}
	files[nr_files].path = path;
	files[nr_files++].diff = diff;
}

/* every .scn under @dir, sorted; symbolic links are not followed */
static void collect(const char *dir, bool diff)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0) {
		printf("Bail out! cannot read %s\n", dir);
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		struct stat st;
		char *path;

		if (name[0] == '.' || asprintf(&path, "%s/%s", dir, name) < 0) {
			free(ents[i]);
			continue;
		}
		if (!lstat(path, &st) && S_ISDIR(st.st_mode)) {
			collect(path, diff);
			free(path);
		} else if (len > 4 && !strcmp(name + len - 4, ".scn") &&
			   S_ISREG(st.st_mode)) {
			add_file(path, diff);
		} else {
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
}

/* the runner's output as TAP diagnostics */
static void diag(const char *out)
{
	for (const char *l = out; *l;) {
		int n = (int)strcspn(l, "\n");

		printf("#   %.*s\n", n, l);
		l += n + (l[n] == '\n');
	}
}

enum result { PASS, FAIL, SKIP };

static enum result test_file(const char *spansim, const struct file *f,
			     int nr)
{
	char *out = NULL;
	int rc;

	if (f->diff) {
		char *argv[] = { (char *)spansim, "run", f->path, "--quiet",
				 NULL };

		rc = run(argv, &out);
		if (rc) {
			printf("not ok %d - %s does not pass in the model (exit %d)\n",
			       nr, f->path, rc);
			diag(out ? out : "");
			free(out);
			return FAIL;
		}
		free(out);
	}
	{
		char *argv[] = { (char *)spansim, "kernel", f->path, NULL };

		rc = run(argv, &out);
	}
	if (rc == 3) {
		const char *skip = strstr(out, "SKIP: ");
		int n = skip ? (int)strcspn(skip + 6, "\n") : 0;

		printf("ok %d - %s # SKIP %.*s\n", nr, f->path, n,
		       skip ? skip + 6 : "no reason given");
		free(out);
		return SKIP;
	}
	if (rc) {
		printf("not ok %d - %s: model and live kernel %s (exit %d)\n",
		       nr, f->path,
		       rc == 1 ? "disagree" : "could not be compared", rc);
		diag(out ? out : "");
		free(out);
		return FAIL;
	}
	printf("ok %d - %s\n", nr, f->path);
	free(out);
	return PASS;
}

/* how many temporary directories the kernel run of process @pid left */
static int kernel_dirs(pid_t pid)
{
	char pat[64];
	glob_t g;
	int n;

	snprintf(pat, sizeof(pat), "/tmp/spansim-kernel.%d.*", (int)pid);
	if (glob(pat, 0, NULL, &g))
		return 0;
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

/*
 * SIGINT during a kernel run: what finished is compared, the agents stop,
 * the run's temporary directory is removed, exit 4.  A scenario of 200
 * TCP round trips (each waits for its ACK) is still running after 1 s.
 */
static bool test_interrupt(const char *spansim, int nr)
{
	char scn[] = "/tmp/spansim-slow-XXXXXX";
	int fd = mkstemp(scn), st, p[2];
	char out[8192];
	size_t len = 0;
	ssize_t k;
	pid_t pid;
	FILE *f;
	bool ok;

	if (fd < 0 || !(f = fdopen(fd, "w")) || pipe(p)) {
		printf("not ok %d - SIGINT during spansim kernel: setup failed\n", nr);
		return false;
	}
	fputs("scenario slow-tcp\nthread t\n  tcp a b\n  for i in 1 .. 200\n"
	      "    send a \"x\"\n    recv b 1 -> r[i]\n  end\nend\n"
	      "expect r[200] == \"x\"\n", f);
	fclose(f);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execl(spansim, spansim, "kernel", scn, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	sleep(1);
	kill(pid, SIGINT);
	while (len < sizeof(out) - 1 &&
	       (k = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)k;
	out[len] = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	unlink(scn);
	ok = WIFEXITED(st) && WEXITSTATUS(st) == 4 &&
	     strstr(out, "interrupted by SIGINT") &&
	     kernel_dirs(pid) == 0;	/* its directory is gone */
	printf("%s %d - SIGINT during spansim kernel: exit 4, marked incomplete, cleaned up\n",
	       ok ? "ok" : "not ok", nr);
	if (!ok)
		diag(out);
	return ok;
}

int main(void)
{
	const char *spansim = getenv("SPANSIM");
	const char *src = getenv("SPAN_SOURCE_DIR");
	const char *scn = getenv("SPAN_SCENARIO_DIR");
	int failed = 0, skipped = 0, diff_files = 0, diff_skipped = 0;
	char *dir;

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
		printf("1..0 # SKIP not root: the kernel runner must start as root to run the operations as user nobody\n");
		return EXIT_SKIP;
	}
	if (asprintf(&dir, "%s/tests/differential", src) < 0)
		return 1;
	collect(dir, true);
	free(dir);
	if (scn)
		collect(scn, false);
	if (!nr_files) {
		printf("Bail out! no scenario files found\n");
		return 1;
	}
	printf("TAP version 13\n1..%d\n", nr_files + 1);
	for (int i = 0; i < nr_files; i++) {
		enum result r = test_file(spansim, &files[i], i + 1);

		failed += r == FAIL;
		skipped += r == SKIP;
		diff_files += files[i].diff;
		diff_skipped += files[i].diff && r == SKIP;
		free(files[i].path);
	}
	free(files);
	failed += !test_interrupt(spansim, nr_files + 1);
	printf("# %d files: %d agree, %d disagree or fail, %d skipped (%d of %d in tests/differential)\n",
	       nr_files, nr_files - failed - skipped, failed, skipped,
	       diff_skipped, diff_files);
	if (diff_skipped * 100 > diff_files * MAX_SKIP_SHARE) {
		printf("# FAIL: %d of %d tests/differential files skipped, more than %d%%\n",
		       diff_skipped, diff_files, MAX_SKIP_SHARE);
		return 1;
	}
	return failed ? 1 : 0;
}
