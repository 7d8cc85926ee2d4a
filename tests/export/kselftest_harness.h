/* SPDX-License-Identifier: MIT */
/*
 * kselftest_harness.h - a small subset of the kernel's
 * tools/testing/selftests/kselftest_harness.h, enough to build and run the
 * programs `spansim export kselftest` writes outside a kernel tree.
 *
 * Not a kernel file, and not a copy of one: written for spansim from the
 * documented interface (Documentation/dev-tools/kselftest.rst).  Inside the
 * kernel tree the exported program includes the real header instead (copy
 * it next to the program, or build it from tools/testing/selftests/).
 *
 * What there is: TEST(name), TEST_HARNESS_MAIN, TH_LOG(), SKIP(),
 * ASSERT_EQ/NE/LT/LE/GT/GE/TRUE/FALSE and the EXPECT_ forms, each of which
 * may be followed by a statement run when it fails (as in the kernel's:
 * `EXPECT_EQ(1, x) TH_LOG("why");`).  Each test runs in a child process
 * (forked), with a timeout of 30 seconds; the output is TAP version 13:
 * "# RUN name", "ok N name", "not ok N name", "ok N name # SKIP reason".
 * An ASSERT that fails ends the test at once; an EXPECT lets it go on and
 * fails it at the end.
 */
#ifndef SPANSIM_KSELFTEST_HARNESS_H
#define SPANSIM_KSELFTEST_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define TEST_TIMEOUT_DEFAULT 30

/* what the child reports to the parent (shared memory) */
struct __test_results {
	char reason[1024];	/* SKIP(): why */
};

struct __test_metadata {
	const char *name;
	void (*fn)(struct __test_metadata *);
	int exit_code;		/* KSFT_PASS, KSFT_FAIL, KSFT_SKIP */
	int trigger;		/* the last check failed: run its handler */
	struct __test_results *results;
	struct __test_metadata *next;
};

static struct __test_metadata *__test_list, **__test_tail = &__test_list;
static unsigned int __test_count;

/* __register_test - append @t to the list TEST_HARNESS_MAIN runs */
static inline void __register_test(struct __test_metadata *t)
{
	*__test_tail = t;
	__test_tail = &t->next;
	__test_count++;
}

#define TH_LOG_STREAM stderr

/* TH_LOG - a diagnostic line ("# file:line:test:message") */
#define TH_LOG(fmt, ...)                                                      \
	fprintf(TH_LOG_STREAM, "# %s:%d:%s:" fmt "\n", __FILE__, __LINE__,    \
		_metadata->name, ##__VA_ARGS__)

/* SKIP - end the test as skipped with a reason, then run @statement */
#define SKIP(statement, fmt, ...)                                             \
	do {                                                                  \
		snprintf(_metadata->results->reason,                          \
			 sizeof(_metadata->results->reason), fmt,             \
			 ##__VA_ARGS__);                                      \
		_metadata->exit_code = KSFT_SKIP;                             \
		statement;                                                    \
	} while (0)

/*
 * __bail - after the handler of a failed check ran once: an ASSERT ends
 * the test (its child process); Return: 0 (the handler runs once).
 */
static inline int __bail(int assert, struct __test_metadata *m)
{
	if (assert) {
		fflush(NULL);
		_exit(KSFT_FAIL);
	}
	(void)m;
	return 0;
}

/* the handler statement after a check runs when it failed */
#define OPTIONAL_HANDLER(_assert)                                             \
	for (; _metadata->trigger;                                            \
	     _metadata->trigger = __bail(_assert, _metadata))

#define __EXPECT(_expected, _expected_str, _seen, _seen_str, _t, _assert)    \
	do {                                                                  \
		__typeof__(_expected) __exp = (_expected);                    \
		__typeof__(_seen) __seen = (_seen);                           \
		if (!(__exp _t __seen)) {                                     \
			fprintf(TH_LOG_STREAM,                                \
				"# %s:%d:Expected %s (%lld) %s %s (%lld)\n",  \
				__FILE__, __LINE__, _expected_str,            \
				(long long)__exp, #_t, _seen_str,             \
				(long long)__seen);                           \
			_metadata->exit_code = KSFT_FAIL;                     \
			_metadata->trigger = 1;                               \
		}                                                             \
	} while (0);                                                          \
	OPTIONAL_HANDLER(_assert)

#define ASSERT_EQ(e, s) __EXPECT(e, #e, s, #s, ==, 1)
#define ASSERT_NE(e, s) __EXPECT(e, #e, s, #s, !=, 1)
#define ASSERT_LT(e, s) __EXPECT(e, #e, s, #s, <, 1)
#define ASSERT_LE(e, s) __EXPECT(e, #e, s, #s, <=, 1)
#define ASSERT_GT(e, s) __EXPECT(e, #e, s, #s, >, 1)
#define ASSERT_GE(e, s) __EXPECT(e, #e, s, #s, >=, 1)
#define ASSERT_TRUE(s) __EXPECT(0, "0", s, #s, !=, 1)
#define ASSERT_FALSE(s) __EXPECT(0, "0", s, #s, ==, 1)
#define EXPECT_EQ(e, s) __EXPECT(e, #e, s, #s, ==, 0)
#define EXPECT_NE(e, s) __EXPECT(e, #e, s, #s, !=, 0)
#define EXPECT_LT(e, s) __EXPECT(e, #e, s, #s, <, 0)
#define EXPECT_LE(e, s) __EXPECT(e, #e, s, #s, <=, 0)
#define EXPECT_GT(e, s) __EXPECT(e, #e, s, #s, >, 0)
#define EXPECT_GE(e, s) __EXPECT(e, #e, s, #s, >=, 0)
#define EXPECT_TRUE(s) __EXPECT(0, "0", s, #s, !=, 0)
#define EXPECT_FALSE(s) __EXPECT(0, "0", s, #s, ==, 0)

/* TEST - define and register test @name; its body follows */
#define TEST(test_name)                                                       \
	static void test_name(struct __test_metadata *_metadata);             \
	static struct __test_metadata _##test_name##_object = {               \
		.name = #test_name, .fn = test_name,                          \
	};                                                                    \
	static void __attribute__((constructor)) _register_##test_name(void)  \
	{                                                                     \
		__register_test(&_##test_name##_object);                      \
	}                                                                     \
	static void test_name(                                                \
		struct __test_metadata __attribute__((unused)) *_metadata)

/*
 * __run_test - run test @t in a child process, with a timeout; print its
 * TAP line as test number @n.  Return: KSFT_PASS, KSFT_FAIL or KSFT_SKIP.
 */
static inline int __run_test(struct __test_metadata *t, unsigned int n)
{
	struct __test_results *res;
	int status = 0, ret;
	pid_t pid;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		printf("not ok %u %s # cannot map the results\n", n, t->name);
		return KSFT_FAIL;
	}
	memset(res, 0, sizeof(*res));
	t->results = res;
	printf("# RUN %s ...\n", t->name);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		printf("not ok %u %s # fork failed\n", n, t->name);
		return KSFT_FAIL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm(TEST_TIMEOUT_DEFAULT);
		t->exit_code = KSFT_PASS;
		t->fn(t);
		fflush(NULL);
		_exit(t->exit_code);
	}
	if (waitpid(pid, &status, 0) < 0)
		status = -1;
	/* whatever the test left behind (forked children, say) */
	kill(-pid, SIGKILL);
	if (WIFEXITED(status))
		ret = WEXITSTATUS(status) == KSFT_SKIP ? KSFT_SKIP :
		      WEXITSTATUS(status) ? KSFT_FAIL : KSFT_PASS;
	else
		ret = KSFT_FAIL;
	if (WIFSIGNALED(status))
		printf("# %s: killed by signal %d%s\n", t->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	if (ret == KSFT_SKIP)
		printf("ok %u %s # SKIP %s\n", n, t->name, res->reason);
	else
		printf("%s %u %s\n", ret == KSFT_PASS ? "ok" : "not ok", n,
		       t->name);
	fflush(NULL);
	munmap(res, sizeof(*res));
	return ret;
}

/* test_harness_run - run every registered test; Return: the exit status */
static inline int test_harness_run(int argc, char **argv)
{
	unsigned int n = 0, pass = 0, fail = 0, skip = 0;

	(void)argc;
	(void)argv;
	printf("TAP version 13\n");
	printf("1..%u\n", __test_count);
	for (struct __test_metadata *t = __test_list; t; t = t->next) {
		int r = __run_test(t, ++n);

		if (r == KSFT_PASS)
			pass++;
		else if (r == KSFT_SKIP)
			skip++;
		else
			fail++;
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       pass, fail, skip);
	return fail ? KSFT_FAIL : (pass || !skip) ? KSFT_PASS : KSFT_SKIP;
}

#define TEST_HARNESS_MAIN                                                     \
	int main(int argc, char **argv)                                       \
	{                                                                     \
		return test_harness_run(argc, argv);                          \
	}

#endif
