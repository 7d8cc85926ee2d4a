/* SPDX-License-Identifier: MIT */
/*
 * spawn.h - what the Check suites of tests/scenarios/ share: running
 * spansim (the $SPANSIM of the test environment) with its stdout and
 * stderr captured separately, and the directories the environment names.
 */
#ifndef SPANSIM_TEST_SPAWN_H
#define SPANSIM_TEST_SPAWN_H

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAX_ARGS
#define MAX_ARGS 32
#endif

struct out {
	char *out, *err;
	size_t out_len, err_len;
	int status; /* exit status, or 128 + signal */
};

static inline void out_free(struct out *o)
{
	free(o->out);
	free(o->err);
	memset(o, 0, sizeof(*o));
}

static inline void append(char **buf, size_t *len, const char *p, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);

	ck_assert_ptr_nonnull(nb);
	memcpy(nb + *len, p, n);
	*len += n;
	nb[*len] = 0;
	*buf = nb;
}

/* What spawn_ctl() does to the child besides running it. */
struct spawn_ctl {
	int signal;		/* send it once stdout or stderr contains
				 * @signal_after, */
	const char *signal_after;
	double signal_late;	/* or after this many seconds */
	rlim_t as_limit;	/* RLIMIT_AS of the child (0: unchanged) */
	double seconds;		/* out: from fork to exit */
};

static inline double spawn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run argv (argv[0] a path), capturing stdout and stderr separately. */
static inline void spawn_ctl(char *const argv[], struct out *o,
			     struct spawn_ctl *ctl)
{
	int po[2], pe[2], st;
	pid_t pid;
	bool signalled = false;
	double t0 = spawn_now();

	memset(o, 0, sizeof(*o));
	o->out = calloc(1, 1);
	o->err = calloc(1, 1);
	ck_assert(pipe(po) == 0 && pipe(pe) == 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (ctl && ctl->as_limit) {
			struct rlimit rl = { ctl->as_limit, ctl->as_limit };

			if (setrlimit(RLIMIT_AS, &rl))
				_exit(126);
		}
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	for (int open_fds = 2; open_fds;) {
		struct pollfd fds[2] = { { po[0], POLLIN, 0 },
					 { pe[0], POLLIN, 0 } };
		char buf[65536];
		bool waiting = ctl && ctl->signal && !signalled;
		int ms = waiting ? 100 : -1, nr;

		nr = poll(fds, 2, ms);
		if (nr < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (waiting && ctl->signal_late > 0 &&
		    spawn_now() - t0 >= ctl->signal_late) {
			ck_assert_int_eq(kill(pid, ctl->signal), 0);
			signalled = true;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n > 0) {
				if (i == 0)
					append(&o->out, &o->out_len, buf, (size_t)n);
				else
					append(&o->err, &o->err_len, buf, (size_t)n);
				if (ctl && ctl->signal && !signalled &&
				    ctl->signal_after &&
				    (strstr(o->err, ctl->signal_after) ||
				     strstr(o->out, ctl->signal_after))) {
					ck_assert_int_eq(kill(pid, ctl->signal), 0);
					signalled = true;
				}
				continue;
			}
			close(i == 0 ? po[0] : pe[0]);
			if (i == 0)
				po[0] = -1;
			else
				pe[0] = -1;
			open_fds--;
		}
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (ctl) {
		ctl->seconds = spawn_now() - t0;
		ck_assert_msg(!ctl->signal || signalled,
			      "%s exited before it was sent a signal\n%s%s",
			      argv[0], o->out, o->err);
	}
}

static inline void spawn(char *const argv[], struct out *o)
{
	spawn_ctl(argv, o, NULL);
}

static inline const char *spansim(void)
{
	const char *s = getenv("SPANSIM");

	ck_assert_msg(s && *s, "SPANSIM is not set");
	return s;
}

/*
 * Is $SPANSIM a wrapper script (tests/valgrind.sh runs spansim under
 * Valgrind through one) rather than the binary itself?
 */
static inline bool spansim_wrapped(void)
{
	const char *path = getenv("SPANSIM");
	FILE *f = path ? fopen(path, "rb") : NULL;
	char magic[2] = { 0 };
	bool script;

	if (!f)
		return false;
	script = fread(magic, 1, 2, f) == 2 && magic[0] == '#' && magic[1] == '!';
	fclose(f);
	return script;
}

/* built with AddressSanitizer (make check-asan): runs cost ten times more */
static inline bool sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return true;
#else
	return false;
#endif
#else
	return false;
#endif
}

static inline const char *scn_dir(void)
{
	const char *s = getenv("SPAN_SCENARIO_DIR");

	ck_assert_msg(s && *s, "SPAN_SCENARIO_DIR is not set");
	return s;
}

/* spansim ARGS... (NULL-terminated), output in @o */
static inline void run_spansim(struct out *o, ...)
{
	char *argv[MAX_ARGS];
	int n = 0;
	va_list ap;

	argv[n++] = (char *)spansim();
	va_start(ap, o);
	for (char *a; (a = va_arg(ap, char *)) && n < MAX_ARGS - 1;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	spawn(argv, o);
}

#endif
