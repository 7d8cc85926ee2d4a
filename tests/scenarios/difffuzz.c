// SPDX-License-Identifier: MIT
/*
 * difffuzz.c - `spansim kernel --fuzz`: differential fuzzing against the
 * live kernel (docs/differential.md, "Differential fuzzing").
 *
 * TAP tests, run as root (the kernel half drops to user nobody; without
 * root the whole suite is skipped with exit 77, as scenario_differential):
 *  1. 200 programs of seed 1 end with no unexplained disagreement
 *     (exit 0);
 *  2. a planted model bug is found and shrunk: under `--policy
 *     vmsplice=copy` (off mainline: the model copies where the kernel
 *     references user pages) the same seed finds a vmsplice disagreement
 *     (exit 1) and writes a scenario of at most MAX_SHRUNK operations;
 *  3. SIGINT stops a run with the summary marked INCOMPLETE, exit 4.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_SKIP 77
#define MAX_SHRUNK 4	/* operations left in the planted bug's scenario */

/* run argv with stdout+stderr to @log; Return: exit status (128+sig) */
static int run(char *const argv[], const char *log, int sig_after_ms)
{
	pid_t pid;
	int st;

	fflush(stdout);		/* the child must not repeat our TAP lines */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);

		if (!f)
			_exit(127);
		dup2(1, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (sig_after_ms) {
		usleep((useconds_t)sig_after_ms * 1000);
		kill(pid, SIGINT);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void diag_file(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		printf("#   %s", line);
	if (f)
		fclose(f);
}

static bool file_has(const char *path, const char *what)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	bool yes = false;

	while (f && !yes && fgets(line, sizeof(line), f))
		yes = strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return yes;
}

/* the operations of the thread of scenario @path, or -1 */
static int nr_ops(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;
	bool in = false;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "thread ", 7))
			in = true;
		else if (!strncmp(line, "end", 3))
			in = false;
		else if (in)
			n++;
	}
	fclose(f);
	return n;
}

int main(void)
{
	const char *spansim = getenv("SPANSIM");
	char dir[] = "/tmp/spansim-difffuzz.XXXXXX", out[256], log[256];
	int rc, fails = 0;

	if (!spansim || geteuid() != 0) {
		printf("1..0 # SKIP %s\n", !spansim ? "no $SPANSIM" :
		       "not root: the kernel half runs as user nobody");
		return EXIT_SKIP;
	}
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	printf("1..3\n");

	/* 1: no unexplained disagreement */
	snprintf(out, sizeof(out), "%s/clean", dir);
	snprintf(log, sizeof(log), "%s/clean.log", dir);
	{
		char *argv[] = { (char *)spansim, "kernel", "--fuzz", "200",
				 "--seed", "1", "--out", out, NULL };

		rc = run(argv, log, 0);
	}
	if (rc) {
		printf("not ok 1 - --fuzz 200 --seed 1: exit %d (1: an unexplained disagreement)\n",
		       rc);
		diag_file(log);
		fails++;
	} else {
		printf("ok 1 - --fuzz 200 --seed 1: no unexplained disagreement\n");
	}

	/* 2: a planted bug is found and shrunk */
	snprintf(out, sizeof(out), "%s/planted", dir);
	snprintf(log, sizeof(log), "%s/planted.log", dir);
	{
		char *argv[] = { (char *)spansim, "kernel", "--fuzz", "300",
				 "--seed", "1", "--policy", "vmsplice=copy",
				 "--out", out, NULL };

		rc = run(argv, log, 0);
	}
	{
		DIR *d = opendir(out);
		struct dirent *e;
		int best = -1;
		char path[512];

		while (d && (e = readdir(d))) {
			int n;

			if (strncmp(e->d_name, "vmsplice-", 9))
				continue;
			snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
			n = nr_ops(path);
			if (n >= 0 && (best < 0 || n < best))
				best = n;
		}
		if (d)
			closedir(d);
		if (rc != 1 || best < 0 || best > MAX_SHRUNK ||
		    !file_has(log, "UNEXPLAINED")) {
			printf("not ok 2 - planted bug (vmsplice=copy): exit %d, smallest vmsplice scenario %d operations (want exit 1, 1..%d)\n",
			       rc, best, MAX_SHRUNK);
			diag_file(log);
			fails++;
		} else {
			printf("ok 2 - planted bug (vmsplice=copy) found and shrunk to %d operations\n",
			       best);
		}
	}

	/* 3: SIGINT: the summary, marked incomplete, exit 4 */
	snprintf(out, sizeof(out), "%s/int", dir);
	snprintf(log, sizeof(log), "%s/int.log", dir);
	{
		char *argv[] = { (char *)spansim, "kernel", "--fuzz", "100000",
				 "--seed", "2", "--out", out, NULL };

		rc = run(argv, log, 1500);
	}
	if (rc != 4 || !file_has(log, "INCOMPLETE")) {
		printf("not ok 3 - SIGINT: exit %d (want 4 and INCOMPLETE)\n", rc);
		diag_file(log);
		fails++;
	} else {
		printf("ok 3 - SIGINT stops the run: summary INCOMPLETE, exit 4\n");
	}
	if (!fails) {
		char cmd[512];

		/* only what this test made, in its own directory */
		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
		if (system(cmd))
			printf("# %s was not removed\n", dir);
	} else {
		printf("# logs and scenarios kept in %s\n", dir);
	}
	return fails ? 1 : 0;
}
