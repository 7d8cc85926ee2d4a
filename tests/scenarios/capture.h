/* SPDX-License-Identifier: MIT */
/*
 * capture.h - run a command with its stdout and stderr together in one
 * buffer: the TAP suites that drive spansim and the programs it writes
 * (differential.c, export.c).
 */
#ifndef SPANSIM_TEST_CAPTURE_H
#define SPANSIM_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* run @argv (PATH searched), stdout+stderr in *@out (the caller frees
 * it); Return: the exit status, 128 + a signal, or -1 */
static int run(char *const argv[], char **out)
{
	size_t len = 0, cap = 4096;
	int p[2], st;
	pid_t pid;
	ssize_t k;

	*out = calloc(1, cap);
	if (!*out || pipe(p))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		if (len + 1024 > cap) {
			char *n = realloc(*out, cap * 2);

			if (!n)
				break;
			*out = n;
			cap *= 2;
		}
		k = read(p[0], *out + len, cap - len - 1);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	(*out)[len] = 0;
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif /* SPANSIM_TEST_CAPTURE_H */
