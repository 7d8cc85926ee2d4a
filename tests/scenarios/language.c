// SPDX-License-Identifier: MIT
/*
 * language.c - malformed scenario input and command-line errors.
 *
 * SCENARIO-LANGUAGE.md section 1: every error is reported as
 * `FILE:LINE:COL: error: MESSAGE`, the run stops with exit status 2 and
 * nothing is executed.  One test per file of tests/scenarios/malformed/
 * (one class of malformed input each) checks the exit status, that stdout
 * is empty, and the exact error line on stderr.  Command-line overrides
 * (--param, --set, --policy) are checked against a valid file; they have
 * no position, so their line is `FILE: error: MESSAGE`.  Usage errors
 * (unknown option, unknown command, missing FILE) exit 2 as well.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

#include "spawn.h"

static char *malformed(const char *name)
{
	const char *src = getenv("SPAN_SOURCE_DIR");
	char *dir, *p;

	if (!src || !*src) {
		/* the scenario dir is <source>/scenarios */
		ck_assert(asprintf(&dir, "%s/..", scn_dir()) > 0);
	} else {
		dir = strdup(src);
	}
	ck_assert(asprintf(&p, "%s/tests/scenarios/malformed/%s", dir, name) > 0);
	free(dir);
	ck_assert_msg(access(p, R_OK) == 0, "missing %s", p);
	return p;
}

/* ------------------------------------------------- malformed files */

static const struct {
	const char *file;
	int line, col;
	const char *msg;
} cases[] = {
	{ "unknown-word.scn", 2, 1,
	  "unknown statement 'frobnicate'" },
	{ "op-outside-block.scn", 2, 1,
	  "operation 'pipe' outside setup or thread" },
	{ "unknown-operation.scn", 4, 3,
	  "unknown operation 'frobnicate'" },
	{ "unknown-modifier.scn", 4, 15,
	  "unknown modifier 'sideways' for 'write'" },
	{ "unknown-function.scn", 2, 8,
	  "unknown function 'size'" },
	{ "unknown-errno.scn", 6, 14,
	  "undefined name 'ENOTANERRNO'" },
	{ "bad-number.scn", 3, 11,
	  "bad number '12Q'" },
	{ "bad-hex.scn", 3, 11,
	  "bad number '0xZZ'" },
	{ "integer-overflow.scn", 2, 11,
	  "integer overflow" },
	{ "integer-overflow-expr.scn", 2, 31,
	  "integer overflow" },
	{ "suffix-overflow.scn", 2, 11,
	  "integer overflow" },
	{ "division-by-zero.scn", 2, 13,
	  "division by zero" },
	{ "unterminated-string.scn", 2, 5,
	  "unterminated string" },
	{ "bad-escape.scn", 2, 5,
	  "bad escape '\\q' in string" },
	{ "bad-hex-escape.scn", 2, 5,
	  "bad escape '\\x' in string (two hex digits)" },
	{ "unterminated-block.scn", 2, 1,
	  "unterminated 'thread' block" },
	{ "unterminated-block-toplevel.scn", 2, 1,
	  "unterminated 'setup' block" },
	{ "missing-scenario.scn", 2, 1,
	  "the first statement must be 'scenario NAME'" },
	{ "empty.scn", 1, 1,
	  "the first statement must be 'scenario NAME'" },
	{ "undefined-name.scn", 3, 9,
	  "undefined name 'q'" },
	{ "undefined-in-condition.scn", 2, 8,
	  "undefined name 'nosuch'" },
	{ "duplicate-name.scn", 4, 7,
	  "duplicate name 'p' (first declared at 3:8)" },
	{ "duplicate-thread.scn", 4, 8,
	  "duplicate name 't' (first declared at 2:8)" },
	{ "duplicate-set.scn", 3, 5,
	  "duplicate 'set pipe_buffers' (first at 2:1)" },
	{ "reserved-name.scn", 3, 8,
	  "'deadlock' is reserved" },
	{ "wrong-kind.scn", 4, 9,
	  "'buf' is a mem, expected a file, a pipe or a socket" },
	{ "wrong-kind-condition.scn", 5, 17,
	  "'p' is a pipe, expected a mem, a kmem or a file" },
	{ "pipe-end-on-mem.scn", 4, 9,
	  "'.r' applies only to pipes ('buf' is a mem)" },
	{ "loops-too-deep.scn", 35, 3,
	  "loops nested more than 31 deep" },
	{ "result-without-output.scn", 4, 15,
	  "'write' has no result to store ('-> VAR')" },
	{ "index-not-array.scn", 4, 9,
	  "'p' is not an array" },
	{ "array-needs-index.scn", 6, 9,
	  "'p' is an array and needs an index" },
	{ "index-out-of-range.scn", 6, 11,
	  "index 2 out of range for 'p' (size 2)" },
	{ "string-vs-int.scn", 6, 10,
	  "cannot compare a string with an integer" },
	{ "string-ordering.scn", 6, 10,
	  "strings compare only with == and !=" },
	{ "chained-comparison.scn", 3, 14,
	  "comparisons do not chain (use &&)" },
	{ "bad-knob.scn", 2, 8,
	  "unknown policy knob 'vmsplic'" },
	{ "bad-knob-value.scn", 2, 19,
	  "bad value 'borrow' for policy knob 'vmsplice' (ref, pin, copy, steal)" },
	{ "bad-preset.scn", 2, 17,
	  "unknown preset 'linux-2.6' (linux-6.18, linux-7.2-vmsplice-copy, linux-5.16, linux-5.4, linux-4.19, proposal-pin, proposal-span-desc, proposal-copy-out)" },
	{ "bad-set-key.scn", 2, 5,
	  "unknown world parameter 'page_sz'" },
	{ "bad-page-size.scn", 2, 17,
	  "bad value 4000 for 'page_size' (a power of two from 8 to 16M)" },
	{ "small-page-size.scn", 2, 17,
	  "bad value 4 for 'page_size' (a power of two from 8 to 16M)" },
	{ "binary-garbage.scn", 2, 1,
	  "invalid character 0x01" },
	{ "nul-byte.scn", 2, 8,
	  "invalid character 0x00" },
	{ "two-violations.scn", 3, 1,
	  "more than one 'expect violation' (first at 2:1)" },
	{ "unknown-invariant.scn", 2, 18,
	  "unknown invariant 'use-after-fry'" },
	{ "unknown-allow.scn", 2, 7,
	  "unknown invariant 'everything'" },
	{ "stray-end.scn", 4, 1,
	  "'end' outside a block" },
	{ "trailing-tokens.scn", 3, 16,
	  "expected end of line, got '1'" },
	{ "trailing-after-end.scn", 3, 5,
	  "expected end of line, got 'now'" },
};

static void check_error(const struct out *o, const char *want, const char *what)
{
	char *line;

	ck_assert_msg(o->status == 2, "%s: exit %d, want 2\n%s%s", what,
		      o->status, o->out, o->err);
	ck_assert_msg(o->out_len == 0, "%s: stdout not empty:\n%s", what, o->out);
	ck_assert(asprintf(&line, "%s\n", want) > 0);
	ck_assert_msg(!strcmp(o->err, line),
		      "%s: stderr\n  %s\nwant\n  %s", what, o->err, line);
	free(line);
}

START_TEST(malformed_file)
{
	char *f = malformed(cases[_i].file), *want;
	struct out o;

	ck_assert(asprintf(&want, "%s:%d:%d: error: %s", f, cases[_i].line,
			   cases[_i].col, cases[_i].msg) > 0);
	run_spansim(&o, "run", f, NULL);
	check_error(&o, want, cases[_i].file);
	out_free(&o);

	/* test and explore reject the file the same way (test as a TAP line) */
	run_spansim(&o, "explore", f, NULL);
	check_error(&o, want, cases[_i].file);
	out_free(&o);
	free(want);
	free(f);
}
END_TEST

/* ------------------------------------------- command-line overrides */

static const struct {
	const char *args[4];
	const char *msg;
} overrides[] = {
	{ { "--param", "N" },
	  "--param 'N': expected NAME=VALUE" },
	{ { "--param", "M=2" },
	  "--param 'M=2': unknown param 'M'" },
	{ { "--param", "N=x" },
	  "--param 'N=x': bad integer 'x'" },
	{ { "--param", "N=99999999999999999999" },
	  "--param 'N=99999999999999999999': integer overflow" },
	{ { "--set", "page_size=12" },
	  "--set 'page_size=12': bad value 12 for 'page_size' (a power of two from 8 to 16M)" },
	{ { "--set", "pagesize=4096" },
	  "--set 'pagesize=4096': unknown world parameter 'pagesize'" },
	{ { "--set", "page_size=abc" },
	  "--set 'page_size=abc': bad integer 'abc'" },
	{ { "--set", "pipe_buffers=-1" },
	  "--set 'pipe_buffers=-1': bad value -1 for 'pipe_buffers' (1 to 65536)" },
	{ { "--policy", "vmsplice=borrow" },
	  "--policy 'vmsplice=borrow': bad value 'borrow' for policy knob 'vmsplice' (ref, pin, copy, steal)" },
	{ { "--policy", "vmsplic=ref" },
	  "--policy 'vmsplic=ref': unknown policy knob 'vmsplic'" },
	{ { "--policy", "preset=linux-2.6" },
	  "--policy 'preset=linux-2.6': unknown preset 'linux-2.6' (linux-6.18, linux-7.2-vmsplice-copy, linux-5.16, linux-5.4, linux-4.19, proposal-pin, proposal-span-desc, proposal-copy-out)" },
	{ { "--policy", "vmsplice" },
	  "--policy 'vmsplice': expected NAME=VALUE" },
};

START_TEST(bad_override)
{
	char *f = malformed("ok-base.scn"), *want;
	char *argv[MAX_ARGS];
	int n = 0;
	struct out o;

	argv[n++] = (char *)spansim();
	argv[n++] = "run";
	argv[n++] = f;
	for (int i = 0; i < 4 && overrides[_i].args[i]; i++)
		argv[n++] = (char *)overrides[_i].args[i];
	argv[n] = NULL;
	ck_assert(asprintf(&want, "%s: error: %s", f, overrides[_i].msg) > 0);
	spawn(argv, &o);
	check_error(&o, want, overrides[_i].msg);
	out_free(&o);
	free(want);
	free(f);
}
END_TEST

/* The base file itself is fine: the errors above come from the options. */
START_TEST(override_base_runs)
{
	char *f = malformed("ok-base.scn");
	struct out o;

	run_spansim(&o, "run", "--quiet", f, NULL);
	ck_assert_msg(o.status == 0, "exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	run_spansim(&o, "run", "--quiet", f, "--param", "N=2", NULL);
	ck_assert_msg(o.status == 1, "exit %d\n%s%s", o.status, o.out, o.err);
	out_free(&o);
	free(f);
}
END_TEST

/* ----------------------------------------------------- usage errors */

static void check_usage(const char *what, ...)
{
	char *argv[MAX_ARGS];
	int n = 0;
	struct out o;
	va_list ap;

	argv[n++] = (char *)spansim();
	va_start(ap, what);
	for (char *a; (a = va_arg(ap, char *)) && n < MAX_ARGS - 1;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	spawn(argv, &o);
	ck_assert_msg(o.status == 2, "%s: exit %d\n%s%s", what, o.status, o.out,
		      o.err);
	ck_assert_msg(o.err_len + o.out_len > 0, "%s: no message", what);
	out_free(&o);
}

START_TEST(usage_errors)
{
	char *f = malformed("ok-base.scn");

	check_usage("no command", NULL);
	check_usage("unknown command", "frobnicate", NULL);
	check_usage("run without FILE", "run", NULL);
	check_usage("run with two FILEs", "run", f, f, NULL);
	check_usage("run, unknown option", "run", f, "--bogus", NULL);
	check_usage("explore without FILE", "explore", NULL);
	check_usage("explore, unknown option", "explore", f, "--bogus", NULL);
	check_usage("test without FILE", "test", NULL);
	check_usage("run, --seed without a value", "run", f, "--seed", NULL);
	check_usage("run, nonexistent file", "run", "/nonexistent/x.scn", NULL);
	/* an option the command would ignore is an error */
	check_usage("test --trace", "test", f, "--trace", NULL);
	check_usage("matrix --schedule", "matrix", f, "--schedule", "a", NULL);
	check_usage("run --ktap", "run", f, "--ktap", NULL);
	check_usage("test --ktap --json", "test", f, "--ktap", "--json", NULL);
	/* 33 columns: more than the matrix has (docs/limits.md) */
	check_usage("matrix, 33 presets", "matrix", f, "--presets",
		    "linux-6.18,linux-6.18,linux-6.18,linux-6.18,linux-6.18,"
		    "linux-6.18,linux-6.18,linux-6.18,linux-6.18,linux-6.18,"
		    "linux-6.18,linux-6.18,linux-6.18,linux-6.18,linux-6.18,"
		    "linux-6.18,linux-6.18,linux-6.18,linux-6.18,linux-6.18,"
		    "linux-6.18,linux-6.18,linux-6.18,linux-6.18,linux-6.18,"
		    "linux-6.18,linux-6.18,linux-6.18,linux-6.18,linux-6.18,"
		    "linux-6.18,linux-6.18,linux-6.18", NULL);
	check_usage("explore --seed", "explore", f, "--seed", "1", NULL);
	check_usage("run --max-states", "run", f, "--max-states", "5", NULL);
	/* inputs are checked before they are read */
	check_usage("run /dev/zero", "run", "/dev/zero", NULL);
	check_usage("run a directory", "run", "/", NULL);
	{
		char dir[] = "/tmp/spansim-empty-XXXXXX";

		ck_assert_ptr_nonnull(mkdtemp(dir));
		check_usage("test on an empty directory", "test", dir, NULL);
		rmdir(dir);
	}
	free(f);
}
END_TEST

/* --version names the version; --help names files that exist */
START_TEST(version_and_help)
{
	char *argv[] = { (char *)spansim(), "--version", NULL };
	char *help[] = { (char *)spansim(), "--help", NULL };
	struct out o;

	spawn(argv, &o);
	ck_assert_msg(o.status == 0 && !strncmp(o.out, "spansim ", 8) &&
			      strstr(o.out, "Linux 6.18"),
		      "--version: exit %d\n%s", o.status, o.out);
	out_free(&o);
	spawn(help, &o);
	ck_assert_msg(o.status == 0 && !strstr(o.out, "POLICIES.md"),
		      "--help names a file the repository does not have:\n%s",
		      o.out);
	out_free(&o);
}
END_TEST

/* output that cannot be written is an error exit, not a PASS */
START_TEST(output_errors)
{
	char *f = malformed("ok-base.scn");
	int st, fd;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (!pid) {
		fd = open("/dev/full", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(99);
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(99);
		execl(spansim(), spansim(), "run", f, (char *)NULL);
		_exit(98);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 2,
		      "run > /dev/full: status 0x%x", st);
	free(f);
}
END_TEST

/* `test` reports a file that does not parse as not ok, with its error. */
START_TEST(test_reports_parse_error)
{
	char *f = malformed("unknown-operation.scn");
	struct out o;

	run_spansim(&o, "test", f, NULL);
	ck_assert_msg(o.status != 0, "exit %d", o.status);
	ck_assert_msg(strstr(o.out, "not ok 1 - ") &&
			      strstr(o.out, "error: unknown operation "),
		      "%s", o.out);
	out_free(&o);
	free(f);
}
END_TEST

/*
 * The model's memory budget (--max-memory of run and test): a scenario that
 * needs more is an error with a message, never a modelled -ENOMEM and
 * never a PASS; within the budget it runs.
 */
START_TEST(model_memory_budget)
{
	char dir[] = "/tmp/spansim-budget-XXXXXX", *f;
	static const char text[] =
		"scenario bigmem\nthread t\n  mem m 16M fill \"x\"\n"
		"  m0: store m 0 \"y\"\n  load m 0 2 -> r\nend\n"
		"expect m0 == 0 && r == \"yx\"\n";
	struct out o;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_gt(asprintf(&f, "%s/bigmem.scn", dir), 0);
	fp = fopen(f, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);

	run_spansim(&o, "run", f, "--max-memory", "8M", NULL);
	ck_assert_msg(o.status == 2, "run --max-memory 8M: exit %d\n%s",
		      o.status, o.err);
	ck_assert_msg(strstr(o.err, "memory budget of 8388608 bytes"), "%s",
		      o.err);
	ck_assert_msg(!strstr(o.out, "PASS"), "%s", o.out);
	out_free(&o);

	run_spansim(&o, "run", f, "--max-memory", "1G", NULL);
	ck_assert_msg(o.status == 0, "run --max-memory 1G: exit %d\n%s",
		      o.status, o.err);
	out_free(&o);

	run_spansim(&o, "test", dir, "--max-memory", "8M", NULL);
	ck_assert_msg(o.status == 1, "test --max-memory 8M: exit %d", o.status);
	ck_assert_msg(strstr(o.out, "not ok 1 - ") &&
			      strstr(o.out, "memory budget"), "%s", o.out);
	out_free(&o);

	run_spansim(&o, "test", dir, NULL);
	ck_assert_msg(o.status == 0, "test: exit %d\n%s", o.status, o.out);
	out_free(&o);

	unlink(f);
	rmdir(dir);
	free(f);
}
END_TEST

/* the line of @out that starts with @prefix (a static copy), or "" */
static const char *line_of(const char *out, const char *prefix)
{
	static char line[512];
	const char *p = out;

	line[0] = 0;
	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (!strncmp(p, prefix, strlen(prefix))) {
			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			break;
		}
		p = e ? e + 1 : NULL;
	}
	return line;
}

/*
 * matrix: a file's own policy lines win over the column's preset unless
 * --presets-override, and a line says which; invariant names are whole;
 * a legend ends the table.
 */
/* occurrences of @needle in @hay */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* test --filter, --ktap and --junit (issue 18, CI formats) */
START_TEST(test_filter_ktap_junit)
{
	const char *dir = getenv("SPAN_SCENARIO_DIR");
	char *junit, *fail, *xml = NULL;
	size_t len = 0;
	struct out o;
	FILE *f;

	ck_assert_int_gt(asprintf(&junit, "%s/spansim-junit-%d.xml",
				  getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
				  (int)getpid()), 0);
	ck_assert_int_gt(asprintf(&fail, "%s/net/dirtyclone.scn", dir), 0);

	/* a glob: the six seed files, the plan says so */
	run_spansim(&o, "test", dir, "--filter", "*/seed/*.scn", NULL);
	ck_assert_msg(o.status == 0, "exit %d\n%s%s", o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "TAP version 13\n1..6\n"), "%s", o.out);
	ck_assert_int_eq(count_of(o.out, "\nok "), 6);
	out_free(&o);
	/* a substring; and one that selects nothing is an error */
	run_spansim(&o, "test", dir, "--filter", "vmsplice-fork", NULL);
	ck_assert_msg(strstr(o.out, "1..2\n"), "%s", o.out);
	out_free(&o);
	run_spansim(&o, "test", dir, "--filter", "no-such-file", NULL);
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "selects none"), "%s", o.err);
	out_free(&o);

	/* KTAP: a subtest per condition; the failure's diagnostics as '#' */
	run_spansim(&o, "test", fail, "--explore", "--ktap", "--junit", junit,
		    NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_msg(!strncmp(o.out, "KTAP version 1\n1..1\n", 20), "%s",
		      o.out);
	ck_assert_msg(strstr(o.out, "    KTAP version 1\n    # Subtest: "),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "    1..4\n"), "%s", o.out);
	ck_assert_msg(strstr(o.out, "    not ok 4 invariants # page-cache-write\n"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "#  violation: page-cache-write\n"), "%s",
		      o.out);
	ck_assert_msg(strstr(o.out, "\nnot ok 1 "), "%s", o.out);
	ck_assert_msg(!strstr(o.out, "  ---"), "%s", o.out);
	out_free(&o);

	/* the JUnit file: one failing testcase, its TAP record inside */
	f = fopen(junit, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert(getdelim(&xml, &len, '\0', f) > 0);
	fclose(f);
	ck_assert_msg(strstr(xml, "tests=\"1\" failures=\"1\" errors=\"0\""),
		      "%s", xml);
	ck_assert_msg(strstr(xml, "name=\"dirtyclone.scn\""), "%s", xml);
	ck_assert_msg(strstr(xml, "<failure message=\"not ok 1 - "), "%s", xml);
	ck_assert_int_eq(count_of(xml, "<testcase "), 1);
	free(xml);
	unlink(junit);

	/* matrix --junit: a testcase per file and column; linux-5.4's slab
	 * splice breaks get-on-frozen in kmem-splice-pages */
	run_spansim(&o, "matrix", dir, "--filter-not-an-option", NULL);
	ck_assert_int_eq(o.status, 2);
	out_free(&o);
	{
		char *seed;

		ck_assert_int_gt(asprintf(&seed, "%s/seed/kmem-splice-pages.scn",
					  dir), 0);
		run_spansim(&o, "matrix", seed, "--presets",
			    "linux-6.18,linux-5.4", "--junit", junit, "-q",
			    NULL);
		ck_assert_msg(o.status == 0, "exit %d\n%s", o.status, o.err);
		out_free(&o);
		f = fopen(junit, "r");
		ck_assert_ptr_nonnull(f);
		xml = NULL;
		len = 0;
		ck_assert(getdelim(&xml, &len, '\0', f) > 0);
		fclose(f);
		ck_assert_msg(strstr(xml, "tests=\"2\" failures=\"1\" errors=\"0\""),
			      "%s", xml);
		ck_assert_msg(strstr(xml, "name=\"linux-5.4\">\n      <failure message=\"an expect failed or an invariant broke\">viol: h == -EIO"),
			      "%s", xml);
		ck_assert_msg(strstr(xml, "name=\"linux-6.18\"/>"), "%s", xml);
		free(xml);
		unlink(junit);
		free(seed);
	}

	/* a JUnit file that cannot be written: exit 2, nothing run */
	run_spansim(&o, "test", fail, "--junit", "/nonexistent/dir/j.xml",
		    NULL);
	ck_assert_int_eq(o.status, 2);
	ck_assert_msg(strstr(o.err, "cannot write /nonexistent/dir/j.xml"),
		      "%s", o.err);
	out_free(&o);
	free(junit);
	free(fail);
}
END_TEST

/* colour: only on a terminal or with CLICOLOR_FORCE; NO_COLOR wins */
START_TEST(colour)
{
	char *kmem;
	struct out o;

	ck_assert_int_gt(asprintf(&kmem, "%s/seed/kmem-splice-pages.scn",
				  getenv("SPAN_SCENARIO_DIR")), 0);
	unsetenv("NO_COLOR");
	unsetenv("CLICOLOR_FORCE");
	/* a pipe: no escapes */
	run_spansim(&o, "matrix", kmem, "--presets", "linux-6.18,linux-5.4",
		    NULL);
	ck_assert_msg(!strchr(o.out, '\033'), "%s", o.out);
	out_free(&o);
	setenv("CLICOLOR_FORCE", "1", 1);
	run_spansim(&o, "matrix", kmem, "--presets", "linux-6.18,linux-5.4",
		    NULL);
	ck_assert_msg(strstr(o.out, "\033[32mok\033[0m"), "%s", o.out);
	ck_assert_msg(strstr(o.out, "\033[31mget-on-frozen\033[0m"), "%s",
		      o.out);
	/* the columns stay aligned: escapes are not counted as width */
	ck_assert_msg(strstr(o.out, "\033[32mok\033[0m                   \033[31mviol"),
		      "%s", o.out);
	out_free(&o);
	run_spansim(&o, "explore", kmem, "-q", NULL);
	ck_assert_msg(strstr(o.out, "Result: \033[32mPASS\033[0m\n"), "%s",
		      o.out);
	out_free(&o);
	setenv("NO_COLOR", "1", 1);
	run_spansim(&o, "matrix", kmem, "--presets", "linux-6.18,linux-5.4",
		    NULL);
	ck_assert_msg(!strchr(o.out, '\033'), "%s", o.out);
	out_free(&o);
	unsetenv("NO_COLOR");
	unsetenv("CLICOLOR_FORCE");
	free(kmem);
}
END_TEST

START_TEST(matrix_presets_and_names)
{
	char *rpc, *pc;
	struct out o;

	ck_assert_int_gt(asprintf(&rpc, "%s/seed/tcp-loopback-rpc.scn",
				  getenv("SPAN_SCENARIO_DIR")), 0);
	ck_assert_int_gt(asprintf(&pc, "%s/net/premature-completion.scn",
				  getenv("SPAN_SCENARIO_DIR")), 0);

	/* the file's `policy preset = proposal-span-desc` wins */
	run_spansim(&o, "matrix", rpc, "--presets", "linux-6.18", NULL);
	ck_assert_msg(o.status == 0, "exit %d\n%s", o.status, o.err);
	ck_assert_msg(strstr(o.out, "(the file has 1 policy line: they apply after each column's preset"),
		      "%s", o.out);
	ck_assert_msg(strstr(line_of(o.out, "  expect p == 12288"), " ok"),
		      "%s", o.out);
	ck_assert_msg(strstr(o.out, "\nlegend: "), "%s", o.out);
	out_free(&o);

	/* mainline's own answer: the scenario deadlocks */
	run_spansim(&o, "matrix", rpc, "--presets", "linux-6.18",
		    "--presets-override", NULL);
	ck_assert_msg(o.status == 0, "exit %d\n%s", o.status, o.err);
	ck_assert_msg(strstr(o.out, "each column's preset replaces them"),
		      "%s", o.out);
	ck_assert_msg(strstr(line_of(o.out, "  expect p == 12288"), " viol"),
		      "%s", o.out);
	ck_assert_msg(strstr(line_of(o.out, "  invariant broken"), " deadlock"),
		      "%s", o.out);
	out_free(&o);

	/* a 20-character invariant name is printed whole */
	run_spansim(&o, "matrix", pc, "--presets", "linux-6.18", NULL);
	ck_assert_msg(strstr(line_of(o.out, "  invariant broken"),
			     " premature-completion"), "%s", o.out);
	out_free(&o);
	free(rpc);
	free(pc);
}
END_TEST

static Suite *language_suite(void)
{
	Suite *s = suite_create("language");
	TCase *tc = tcase_create("malformed");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, malformed_file, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, bad_override, 0,
			    (int)(sizeof(overrides) / sizeof(overrides[0])));
	tcase_add_test(tc, override_base_runs);
	tcase_add_test(tc, usage_errors);
	tcase_add_test(tc, output_errors);
	tcase_add_test(tc, version_and_help);
	tcase_add_test(tc, test_reports_parse_error);
	tcase_add_test(tc, model_memory_budget);
	tcase_add_test(tc, matrix_presets_and_names);
	tcase_add_test(tc, test_filter_ktap_junit);
	tcase_add_test(tc, colour);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!getenv("SPANSIM") || !getenv("SPAN_SCENARIO_DIR")) {
		fprintf(stderr, "language: SPANSIM and SPAN_SCENARIO_DIR must be set\n");
		return 1;
	}
	sr = srunner_create(language_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
