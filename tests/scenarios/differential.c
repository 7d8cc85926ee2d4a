// SPDX-License-Identifier: MIT
/*
 * differential.c - the model against the live kernel, as a Check suite.
 *
 * One test per .scn file of tests/differential/ and of the project corpus
 * ($SPAN_SCENARIO_DIR, recursively), each in its own process (Check forks
 * every test):
 *  - a tests/differential/ file must first pass in the model
 *    (`$SPANSIM run FILE --quiet` exits 0);
 *  - then `$SPANSIM kernel FILE` must exit 0 (model and kernel agree) or 3
 *    (skipped: its SKIP line is printed); exit 1 (a disagreement) or 2
 *    fails the test with the runner's output.
 * Without root the kernel half is skipped with a message (the runner
 * drops to user nobody only when it starts as root, and per-user pipe
 * limits differ otherwise).  docs/differential.md has the details.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FILES 1024

static char *files[MAX_FILES];
static bool is_diff[MAX_FILES];
static int nr_files;

/* every .scn under @dir, sorted, appended to files[] */
static void collect(const char *dir, bool diff)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *path;
		struct stat st;
		size_t len = strlen(name);

		if (name[0] == '.' ||
		    asprintf(&path, "%s/%s", dir, name) < 0) {
			free(ents[i]);
			continue;
		}
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			collect(path, diff);
			free(path);
		} else if (len > 4 && !strcmp(name + len - 4, ".scn") &&
			   nr_files < MAX_FILES) {
			is_diff[nr_files] = diff;
			files[nr_files++] = path;
		} else {
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
}

/* run argv, capturing stdout+stderr; Return: exit status (128+sig) */
static int run(char *const argv[], char **out)
{
	int p[2], st;
	size_t len = 0, cap = 4096;
	pid_t pid;
	ssize_t k;

	*out = calloc(1, cap);
	ck_assert_ptr_nonnull(*out);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		if (len + 1024 > cap) {
			cap *= 2;
			*out = realloc(*out, cap);
			ck_assert_ptr_nonnull(*out);
		}
		k = read(p[0], *out + len, cap - len - 1);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	(*out)[len] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(test_file)
{
	const char *spansim = getenv("SPANSIM");
	const char *f = files[_i];
	char *out;
	int rc;

	if (!spansim) {
		printf("differential: SPANSIM not set, %s not run\n", f);
		return;
	}
	if (is_diff[_i]) {
		char *argv[] = { (char *)spansim, "run", (char *)f, "--quiet", NULL };

		rc = run(argv, &out);
		ck_assert_msg(rc == 0, "%s does not pass in the model (exit %d):\n%s",
			      f, rc, out);
		free(out);
	}
	if (geteuid() != 0) {
		printf("differential: SKIP kernel run of %s: not root (the runner must start as root to run as user nobody)\n",
		       f);
		return;
	}
	{
		char *argv[] = { (char *)spansim, "kernel", (char *)f, NULL };

		rc = run(argv, &out);
	}
	if (rc == 2 && strstr(out, "unknown command")) {
		printf("differential: SKIP %s: this spansim has no `kernel` command\n", f);
		free(out);
		return;
	}
	if (rc == 3) {
		const char *skip = strstr(out, "SKIP:");
		int n = skip ? (int)strcspn(skip, "\n") : 0;

		printf("differential: %s: %.*s\n", f, n, skip ? skip : "SKIP");
		free(out);
		return;
	}
	ck_assert_msg(rc == 0, "%s: model and live kernel %s (exit %d):\n%s", f,
		      rc == 1 ? "disagree" : "could not be compared", rc, out);
	free(out);
}
END_TEST

static Suite *differential_suite(void)
{
	Suite *s = suite_create("differential");
	TCase *tc = tcase_create("files");
	const char *src = getenv("SPAN_SOURCE_DIR");
	const char *scn = getenv("SPAN_SCENARIO_DIR");
	char *dir;

#ifdef SPAN_SOURCE_DIR
	if (!src)
		src = SPAN_SOURCE_DIR;
#endif
	if (src && asprintf(&dir, "%s/tests/differential", src) >= 0) {
		collect(dir, true);
		free(dir);
	}
	if (scn)
		collect(scn, false);
	tcase_set_timeout(tc, 300);
	if (nr_files)
		tcase_add_loop_test(tc, test_file, 0, nr_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(differential_suite());
	int failed;

	if (!nr_files)
		printf("differential: no scenario files found (SPAN_SOURCE_DIR, SPAN_SCENARIO_DIR)\n");
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
