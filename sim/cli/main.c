// SPDX-License-Identifier: MIT
/*
 * main.c - the spansim command: run, test, policies, list (explore and
 * matrix are in cmd_explore.c, kernel in kernel.c).
 *
 * Exit status: 0 every expectation held; 1 an expectation failed or an
 * invariant broke; 2 a usage or scenario error; 3 (kernel) skipped; 4
 * (explore, matrix --explore) a search stopped early with nothing failed.
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "explore.h"
#include "kernel.h"
#include "list.h"
#include "run.h"

static const char usage_top[] =
"usage: spansim COMMAND [ARGS]\n"
"\n"
"spansim models how Linux moves memory through pipes and sockets (pages,\n"
"refcounts and pins, pipe buffers, splice/vmsplice/tee, sk_buffs, TCP over\n"
"loopback, AF_UNIX, MSG_ZEROCOPY, MSG_SPLICE_PAGES) and runs scenario files\n"
"(.scn) against it under the policy knobs and presets that `spansim\n"
"policies` lists (docs/policies.md).\n"
"\n"
"commands:\n"
"  run FILE        run one scenario and report every step, the data read,\n"
"                  the owners, the invariants and each expect/exists\n"
"  test FILE|DIR.. run scenarios as a TAP version 13 suite\n"
"  explore FILE    check every interleaving: Always/Sometimes/Never for each\n"
"                  exists, counterexamples for each expect (model checking)\n"
"  merge REPORT..  one verdict from the JSON reports of explore --shard I/N\n"
"  matrix FILE...  each expect/exists of each file under each preset\n"
"  policies        list the knobs, their values and the presets\n"
"  list DIR...     list the scenarios in directories, with their doc line\n"
"  list ops|knobs|presets|designs|invariants|params\n"
"                  the names a scenario can use, one line on each\n"
"  kernel FILE     differential run against the live kernel (exit 3: skipped)\n"
"  import strace LOG\n"
"                  a scenario from an strace -f log of a program's pipe and\n"
"                  socket calls, with the --schedule that replays its order\n"
"  export kselftest|c FILE [-o OUT.c]\n"
"                  the scenario as a C program for the live kernel: a\n"
"                  kselftest harness test, or a standalone reproducer\n"
"  help COMMAND    the options of one command\n"
"  --version       the version, the kernel modelled, the language version\n"
"\n"
"exit status: 0 all expectations held; 1 an expectation failed or an\n"
"invariant broke; 2 usage or scenario errors; 3 kernel: skipped; 4 explore,\n"
"matrix --explore: a search stopped early (a bound, a signal, out of memory)\n"
"and found nothing wrong in what it covered.\n";

static const char usage_run[] =
"usage: spansim run FILE [options]\n"
"\n"
"Runs the scenario once.  Setup blocks run first, atomically; then thread\n"
"steps and kernel events (loopback transmit, delivery, ACK, deferred frees)\n"
"in the order the scheduler picks; then pending events drain, the\n"
"conditions are evaluated, everything is torn down and leaks are reported.\n"
"\n"
"  --policy K=V    set policy knob K (or preset=NAME) after the file's lines\n"
"  --param K=V     override `param K` of the file\n"
"  --set K=V       override a world parameter (page_size, pipe_buffers, ...)\n"
"  --seed N        seeded random schedule instead of fifo\n"
"  --schedule S    replay an exact schedule: comma-separated thread names,\n"
"                  '@' for the first pending kernel event, '@N' for the Nth;\n"
"                  fifo continues after its end\n"
"  --trace         print every state change under its step\n"
"  --json          JSON lines instead of text\n"
"  --dot OUT.dot   write the ownership graph (Graphviz) at the end, or\n"
"  --at STEP       after step STEP\n"
"  -q, --quiet     only the summary\n"
"  --fault C:N     fail the Nth allocation (C = alloc: -ENOMEM) or user copy\n"
"                  (C = copy: -EFAULT) from the start of the run, setup included\n"
"  --check MODE    how the checker runs after each step: incremental (the\n"
"                  default: it recounts what the step wrote), full (it walks\n"
"                  the whole world), or verify (both; a disagreement is an\n"
"                  error of spansim, reported, exit 1)\n"
"  --max-memory B  the model's memory budget in bytes (suffixes K, M, G;\n"
"                  default: half of the physical memory, or of ulimit -v).\n"
"                  Past it the run stops with an error (exit 2), never a\n"
"                  modelled -ENOMEM; only --fault asks for those\n"
"  --design D      decide with design D (docs/designs.md): a built-in one\n"
"                  (`spansim list designs`: knobs, or a preset's name) or a\n"
"                  plugin FILE.so built against the installed package.  The\n"
"                  report names it (file, build id); a plugin that cannot be\n"
"                  loaded, was built for another API version or lacks a\n"
"                  callback is refused (exit 2), as is a run in which a\n"
"                  callback answers a value its knob does not have\n"
"\n"
"fifo (the default) runs kernel events first, then the threads in\n"
"declaration order, each until it blocks.  Every report ends with the\n"
"command line that reproduces it.\n";

static const char usage_test[] =
"usage: spansim test FILE|DIR... [--policy K=V]... [--set K=V]...\n"
"                    [--filter PATTERN] [--ktap] [--junit FILE]\n"
"\n"
"Runs every .scn file (directories are searched recursively, sorted by\n"
"path) with the\n"
"fifo schedule and prints TAP version 13.  A scenario passes when every\n"
"expect holds and no invariant breaks; a file with `expect violation NAME`\n"
"passes only when its run breaks exactly that invariant.  A scenario that\n"
"does not parse is `not ok` with its error.  Exit 1 if any test failed.\n"
"SIGINT or SIGTERM stops after the current file with `Bail out!\n"
"interrupted ... (incomplete)`; the exit status is then 4 (1 if a test\n"
"had failed).\n"
"\n"
"  --check MODE    incremental, full or verify, as for run; under verify a\n"
"                  disagreement of the two checkers is `not ok`\n"
"  --explore       model-check each file instead of one fifo run: ok when\n"
"                  every schedule passes (as `spansim explore` says PASS);\n"
"                  a counterexample, a broken invariant or a search cut short\n"
"                  by a bound is `not ok` with the reason and a replay command\n"
"  --design D      decide with design D, as for run\n"
"  --filter P      run only the files whose path matches P: a glob (*, ?,\n"
"                  [...], fnmatch) or else a substring; the plan counts them\n"
"  --ktap          KTAP version 1 (the kernel's TAP) instead of TAP 13: each\n"
"                  file a test with a subtest per expect (not ok when it\n"
"                  failed), per exists (# SKIP when the fifo run did not\n"
"                  reach it: --explore decides those) and for the invariants;\n"
"                  the YAML diagnostics become '#' lines\n"
"  --json          one JSON object instead of TAP (docs/json.md): per file\n"
"                  ok, its conditions and its TAP record\n"
"  --junit FILE    also write JUnit XML to FILE (a testcase per file, the\n"
"                  TAP record of a failure in its <failure>), for CI systems\n"
"  --max-memory B  without --explore: the model's memory budget per file, as\n"
"                  for run (a file over it is `not ok`, no result)\n"
"  --max-states N, --max-time S, --max-memory B, --reduction MODE,\n"
"  --bitstate B, --preemptions K\n"
"                  with --explore: as for explore, per file (default memory\n"
"                  bound: half of the physical memory)\n";

static const char usage_policies[] =
"usage: spansim policies\n\nLists every knob with its values (default first) and every preset.\n";

static const char usage_list[] =
"usage: spansim list DIR|FILE...\n"
"       spansim list ops|knobs|presets|designs|invariants|params\n"
"\n"
"Lists the scenarios with their doc lines; or the operations of the\n"
"language (syntax, the kernel function each models, what the live-kernel\n"
"runner calls), the policy knobs, the presets, the built-in designs of\n"
"--design, the invariants, or the world parameters of `set` (with their\n"
"ranges), each with one line on what it is.  A file or directory called\n"
"like one of the six words is listed as scenarios.\n";



static int write_dot(struct run *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "spansim run: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	report_dot(r, f);
	fclose(f);
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct opts o;
	struct scn *s = NULL;
	struct run *r = NULL;
	char err[1024], cl[2048];
	int ret = cli_parse_opts("run", argc, argv, &o);

	if (ret < 0) {
		fputs(usage_run, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (o.nfiles != 1)
		return cli_usage_error("run", "needs exactly one FILE%s", "");
	if (cli_parse_scn(o.files[0], &o, NULL, 0, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	cli_cmdline(cl, sizeof(cl), o.files[0], &o);
	o.ro.cmdline = cl;
	o.ro.out = stdout;
	o.ro.max_model_bytes = o.max_bytes ? o.max_bytes :
			       cli_default_max_bytes();
	ret = run_create(s, &o.ro, &r);
	if (ret) {
		fprintf(stderr, "spansim run: %s\n", span_strerror(ret));
		scn_free(s);
		return 2;
	}
	run_until(r, o.at >= 0 ? (uint64_t)o.at : 0);
	if (o.dot && write_dot(r, o.dot))
		ret = 2;
	run_to_end(r);
	run_finish(r);
	if (run_status(r) == RUN_ERROR) {
		fprintf(stderr, "%s\n", run_error(r));
		ret = 2;
	} else if (run_status(r) == RUN_BAD_SCHEDULE) {
		fprintf(stderr, "spansim run: %s\n", run_error(r));
		ret = 2;
	}
	if (o.ro.json) {
		report_json(r, stdout);
	} else {
		report_text(r, stdout);
	}
	/*
	 * The host could not give the model memory: a modelled -ENOMEM would
	 * be a lie (only --fault asks for those), so the result is no result.
	 */
	if (run_over_budget(r)) {
		fprintf(stderr, "spansim run: the model needed more than its memory budget of %" PRIu64 " bytes (--max-memory), so the results above are not the model's (raise --max-memory, or shrink the scenario)\n",
			o.ro.max_model_bytes);
		ret = 2;
	} else if (run_oom(r)) {
		fprintf(stderr, "spansim run: out of host memory: an allocation of the model failed, so the results above are not the model's (raise ulimit -v, or shrink the scenario)\n");
		ret = 2;
	}
	if (cli_check_diverged(r, err, sizeof(err))) {
		fprintf(stderr, "spansim run: %s\n", err);
		if (!ret)
			ret = 1;
	}
	if (!ret)
		ret = run_passed(r) ? 0 : 1;
	run_destroy(r);
	scn_free(s);
	return ret;
}

/* --- test ----------------------------------------------------------------- */

/* the fifo run's conditions as KTAP subtests, unnumbered (test_emit) */
static void test_subs(FILE *subs, const struct scn *s, struct run *r)
{
	bool ended = run_status(r) == RUN_DONE || run_status(r) == RUN_DEADLOCK;
	const struct span_violation *v = run_violation(r);

	char note[64];

	snprintf(note, sizeof(note), "the run did not end (%s)",
		 run_status_name(run_status(r)));
	for (int k = 0; k < s->nr_expects; k++)
		cli_sub(subs, !ended ? CLI_SUB_SKIP : run_expects(r)[k].value ?
			CLI_SUB_OK : CLI_SUB_NOT_OK, "expect",
			s->expects[k].text, !ended ? note : NULL);
	for (int k = 0; k < s->nr_exists; k++)
		cli_sub(subs, ended && run_exists(r)[k].value ? CLI_SUB_OK :
			CLI_SUB_SKIP, "exists", s->exists[k].text,
			ended && run_exists(r)[k].value ? NULL :
			"not reached in the fifo run (--explore decides exists lines)");
	if (s->violation >= 0)
		cli_sub(subs, v && v->inv == s->violation ? CLI_SUB_OK :
			CLI_SUB_NOT_OK, "breaks",
			span_invariant_name(s->violation), NULL);
	else
		cli_sub(subs, v ? CLI_SUB_NOT_OK : CLI_SUB_OK, "invariants",
			NULL, v ? span_invariant_name(v->inv) : NULL);
}

/*
 * One file of `spansim test`: its TAP record (the "ok"/"not ok" line and
 * any YAML block) to @out, its conditions to @subs.  Return: 0 ok, 1 not
 * ok, EXPLORE_EXIT_INCOMPLETE when a signal stopped an --explore search.
 */
static int test_one(int n, const char *file, struct opts *o, FILE *out,
		    FILE *subs)
{
	struct scn *s = NULL;
	struct run *r;
	char err[1024];
	int failed = 0;

	if (cli_parse_scn(file, o, NULL, 0, &s, err, sizeof(err))) {
		fprintf(out, "not ok %d - %s # scenario error\n  ---\n  message: ",
			n, file);
		cli_yaml_fstr(out, err);
		fprintf(out, "\n  ...\n");
		return 1;
	}
	if (o->explore) {
		int ret = cli_test_explore(n, file, s, o, out, subs);

		scn_free(s);
		return ret;
	}
	r = cli_run_quiet(s, o->ro.check_mode, o->max_bytes ?
			  o->max_bytes : cli_default_max_bytes(),
			  o->ro.design);
	if (!r || run_oom(r)) {
		fprintf(out, "not ok %d - %s # %s (no result)\n", n, file,
			r && run_over_budget(r) ?
			"over the model's memory budget (--max-memory)" :
			"out of host memory");
		run_destroy(r);
		scn_free(s);
		return 1;
	}
	test_subs(subs, s, r);
	if (cli_check_diverged(r, err, sizeof(err))) {
		fprintf(out, "not ok %d - %s # checker\n  ---\n  message: ",
			n, file);
		cli_yaml_fstr(out, err);
		fprintf(out, "\n  ...\n");
		failed = 1;
	} else if (run_passed(r)) {
		fprintf(out, "ok %d - %s", n, file);
		if (s->violation >= 0)
			fprintf(out, " # breaks %s as expected",
				span_invariant_name(s->violation));
		fputc('\n', out);
	} else {
		const struct span_violation *v = run_violation(r);
		char cl[2048], cmd[4096];

		failed = 1;
		fprintf(out, "not ok %d - %s\n  ---\n", n, file);
		fprintf(out, "  status: %s\n", run_status_name(run_status(r)));
		if (run_status(r) == RUN_ERROR) {
			fprintf(out, "  message: ");
			cli_yaml_fstr(out, run_error(r));
			fputc('\n', out);
		}
		if (v) {
			fprintf(out, "  violation: %s\n  step: %" PRIu64 "\n  detail: ",
				span_invariant_name(v->inv), v->step);
			cli_yaml_fstr(out, v->msg);
			fputc('\n', out);
		}
		if (s->violation >= 0)
			fprintf(out, "  expected_violation: %s\n",
				span_invariant_name(s->violation));
		if (run_status(r) == RUN_DONE || run_status(r) == RUN_DEADLOCK)
			for (int k = 0; k < s->nr_expects; k++)
				if (!run_expects(r)[k].value) {
					fprintf(out, "  failed: ");
					cli_yaml_fstr(out, s->expects[k].text);
					fputc('\n', out);
				}
		fprintf(out, "  schedule: ");
		cli_yaml_fstr(out, run_schedule(r));
		cli_cmdline(cl, sizeof(cl), file, o);
		snprintf(cmd, sizeof(cmd), "%s --schedule '%s'", cl,
			 run_schedule(r));
		fprintf(out, "\n  command: ");
		cli_yaml_fstr(out, cmd);
		fprintf(out, "\n  ...\n");
	}
	run_destroy(r);
	scn_free(s);
	return failed;
}

/* @rec's first line, "ok N - FILE # ..." or "not ok ...", as KTAP wants it:
 * the diagnostic (the YAML block) first, as "# " lines; then the result */
static void ktap_emit(const char *rec, const char *subs)
{
	const char *nl = strchr(rec, '\n'), *body = nl ? nl + 1 : "";
	const char *dash = strstr(rec, " - ");
	struct cli_sub_rec c;
	int nsub = 0;

	for (const char *p = subs; *p; p++)
		nsub += *p == '\n';
	if (nsub) {
		int k = 0;

		printf("    KTAP version 1\n    # Subtest: ");
		if (dash)
			printf("%.*s\n", (int)(strcspn(dash + 3, " \n")),
			       dash + 3);
		else
			putchar('\n');
		printf("    1..%d\n", nsub);
		for (const char *p = subs; (p = cli_sub_next(p, &c));) {
			printf("    %s %d %.*s%s%.*s",
			       c.result == CLI_SUB_NOT_OK ? "not ok" : "ok", ++k,
			       c.kind_len, c.kind, c.cond_len ? " " : "",
			       c.cond_len, c.cond);
			if (c.result == CLI_SUB_SKIP)
				printf(" # SKIP %.*s", c.note_len, c.note);
			else if (c.note_len)
				printf(" # %.*s", c.note_len, c.note);
			putchar('\n');
		}
	}
	for (const char *p = body; *p;) {
		size_t l = strcspn(p, "\n");

		if (strncmp(p, "  ---", 5) && strncmp(p, "  ...", 5))
			printf("#%.*s\n", (int)l, p);
		p += l + (p[l] == '\n');
	}
	/* "ok N - FILE" -> "ok N FILE" */
	if (dash && dash < (nl ? nl : rec + strlen(rec)))
		printf("%.*s %.*s\n", (int)(dash - rec), rec,
		       (int)((nl ? nl : rec + strlen(rec)) - dash - 3), dash + 3);
	else
		printf("%.*s\n", (int)(nl ? nl - rec : (long)strlen(rec)), rec);
}

/* one file of `spansim test --json`: an element of "files" */
static void json_case(const char *file, const char *rec, const char *subs,
		      bool ok, bool first)
{
	static const char *const result[] = {
		[CLI_SUB_OK] = "ok", [CLI_SUB_NOT_OK] = "not ok",
		[CLI_SUB_SKIP] = "skip",
	};
	const char *nl = strchr(rec, '\n'), *hash = strstr(rec, " # ");
	const char *end = nl ? nl : rec + strlen(rec);
	struct cli_sub_rec c;
	bool sep = false;

	printf("%s{\"file\":", first ? "" : ",");
	report_json_string(stdout, file);
	printf(",\"ok\":%s,\"note\":", ok ? "true" : "false");
	if (hash && hash < end)
		report_json_bytes(stdout, hash + 3, (size_t)(end - hash - 3));
	else
		fputs("null", stdout);
	fputs(",\"conditions\":[", stdout);
	for (const char *p = subs; (p = cli_sub_next(p, &c));) {
		printf("%s{\"kind\":", sep ? "," : "");
		report_json_bytes(stdout, c.kind, (size_t)c.kind_len);
		fputs(",\"cond\":", stdout);
		if (c.cond_len)
			report_json_bytes(stdout, c.cond, (size_t)c.cond_len);
		else
			fputs("null", stdout);
		printf(",\"result\":\"%s\",\"note\":", result[c.result]);
		if (c.note_len)
			report_json_bytes(stdout, c.note, (size_t)c.note_len);
		else
			fputs("null", stdout);
		putchar('}');
		sep = true;
	}
	fputs("],\"tap\":", stdout);
	report_json_string(stdout, rec);
	putchar('}');
}

/* one <testcase> of --junit: a failure carries the TAP record */
static void junit_case(FILE *f, const char *file, const char *rec,
		       const char *subs, bool ok, double secs)
{
	const char *slash = strrchr(file, '/');

	fputs("    <testcase classname=\"", f);
	if (slash)
		cli_xml(f, file, (size_t)(slash - file));
	else
		fputs(".", f);
	fputs("\" name=\"", f);
	cli_xml(f, slash ? slash + 1 : file, SIZE_MAX);
	fprintf(f, "\" time=\"%.3f\"", secs);
	if (ok && !*subs) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n", f);
	if (!ok) {
		fputs("      <failure message=\"", f);
		cli_xml(f, rec, strcspn(rec, "\n"));
		fputs("\">", f);
		cli_xml(f, rec, SIZE_MAX);
		fputs("</failure>\n", f);
	}
	if (*subs) {
		fputs("      <system-out>", f);
		cli_xml(f, subs, SIZE_MAX);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* does @file pass --filter @pat: a glob (fnmatch) or, without one of
 * *?[, a substring of the path */
static bool test_selected(const char *file, const char *pat)
{
	if (!pat)
		return true;
	if (strpbrk(pat, "*?["))
		return !fnmatch(pat, file, 0);
	return strstr(file, pat) != NULL;
}

static int cmd_test(int argc, char **argv)
{
	struct opts o;
	char **files;
	FILE *junit = NULL, *jcases = NULL;
	char *jbuf = NULL;
	size_t jlen = 0;
	double t0 = now_seconds();
	char bail[128] = "";
	int n, nsel = 0, failed = 0, k = 0;
	int ret = cli_parse_opts("test", argc, argv, &o);

	if (ret < 0) {
		fputs(usage_test, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!o.nfiles)
		return cli_usage_error("test", "needs at least one FILE or DIR%s", "");
	if (cli_collect(o.files, o.nfiles, &files, &n))
		return 2;
	for (int i = 0; i < n; i++)
		nsel += test_selected(files[i], o.filter);
	if (o.ktap && o.ro.json) {
		cli_free_list(files, n);
		return cli_usage_error("test", "--ktap and --json do not go together%s", "");
	}
	if (o.filter && !nsel) {
		fprintf(stderr, "spansim test: --filter '%s' selects none of the %d files\n",
			o.filter, n);
		cli_free_list(files, n);
		return 2;
	}
	if (o.junit) {
		junit = fopen(o.junit, "w");
		if (!junit) {
			fprintf(stderr, "spansim test: cannot write %s: %s\n",
				o.junit, strerror(errno));
			cli_free_list(files, n);
			return 2;
		}
		jcases = open_memstream(&jbuf, &jlen);
		if (!jcases) {
			fclose(junit);
			cli_free_list(files, n);
			return 2;
		}
	}
	if (cli_catch_stop_signals())
		fprintf(stderr, "spansim test: cannot catch SIGINT/SIGTERM: %s\n",
			strerror(errno));
	if (o.ro.json) {
		printf("{\"test\":{\"schema\":1,\"explore\":%s,\"filter\":",
		       o.explore ? "true" : "false");
		report_json_string(stdout, o.filter);
		fputs(",\"design\":", stdout);
		report_json_string(stdout, o.ro.design ? o.ro.design_desc : NULL);
		fputs(",\"files\":[", stdout);
	} else {
		printf("%s\n1..%d\n", o.ktap ? "KTAP version 1" :
		       "TAP version 13", nsel);
		if (o.filter)
			printf("# --filter '%s': %d of %d files\n", o.filter,
			       nsel, n);
		if (o.ro.design)
			printf("# design: %s\n", o.ro.design_desc);
	}
	for (int i = 0; i < n; i++) {
		char *rec = NULL, *subs = NULL;
		size_t rl = 0, sl = 0;
		FILE *out, *sf;
		double t = now_seconds();

		if (!test_selected(files[i], o.filter))
			continue;
		fflush(stdout);
		if (cli_stop_signal) {
			/* TAP: the plan is not met, and says why */
			snprintf(bail, sizeof(bail), "interrupted by %s after %d of %d files (incomplete)",
				 cli_stop_signal == SIGTERM ? "SIGTERM" : "SIGINT",
				 k, nsel);
			if (!o.ro.json)
				printf("Bail out! %s\n", bail);
			ret = failed ? 1 : 4;
			goto out;
		}
		k++;
		out = open_memstream(&rec, &rl);
		sf = open_memstream(&subs, &sl);
		if (!out || !sf) {
			fprintf(stderr, "spansim test: out of memory\n");
			if (out)
				fclose(out);
			if (sf)
				fclose(sf);
			free(rec);
			free(subs);
			ret = 2;
			goto out;
		}
		ret = test_one(k, files[i], &o, out, sf);
		fclose(out);
		fclose(sf);
		if (ret == EXPLORE_EXIT_INCOMPLETE) {
			snprintf(bail, sizeof(bail), "interrupted by %s in file %d of %d (incomplete)",
				 cli_stop_signal == SIGTERM ? "SIGTERM" : "SIGINT",
				 k, nsel);
			if (!o.ro.json)
				printf("Bail out! %s\n", bail);
			free(rec);
			free(subs);
			goto out;
		}
		failed += ret;
		if (o.ro.json)
			json_case(files[i], rec, subs, !ret, k == 1);
		else if (o.ktap)
			ktap_emit(rec, subs);
		else if (cli_color()) {
			/* "not ok" red, "ok" green, on a terminal */
			const char *word = ret ? "not ok" : "ok";

			printf("%s%s%s%s", cli_paint(word), word,
			       CLI_RESET(word), rec + strlen(word));
		} else
			fputs(rec, stdout);
		if (jcases)
			junit_case(jcases, files[i], rec, subs, !ret,
				   now_seconds() - t);
		free(rec);
		free(subs);
	}
	if (!o.ro.json)
		printf("# %d of %d failed\n", failed, nsel);
	ret = failed ? 1 : 0;
out:
	if (o.ro.json) {
		printf("],\"total\":%d,\"run\":%d,\"failed\":%d,\"complete\":%s,\"bail\":",
		       nsel, k - (bail[0] && ret == EXPLORE_EXIT_INCOMPLETE),
		       failed, bail[0] ? "false" : "true");
		report_json_string(stdout, bail[0] ? bail : NULL);
		fputs("}}\n", stdout);
	}
	if (junit) {
		bool stopped = ret == 4 || ret == EXPLORE_EXIT_INCOMPLETE;

		fclose(jcases);
		/* a run cut short lists the files it did not reach as errors */
		fprintf(junit, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"spansim test\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" time=\"%.3f\">\n",
			k + stopped, failed, (int)stopped,
			now_seconds() - t0);
		if (jbuf)
			fwrite(jbuf, 1, jlen, junit);
		if (stopped)
			fprintf(junit, "    <testcase classname=\"spansim\" name=\"interrupted\"><error message=\"interrupted by a signal after %d of %d files (incomplete)\"/></testcase>\n",
				k, nsel);
		fputs("  </testsuite>\n</testsuites>\n", junit);
		free(jbuf);
		if (fclose(junit)) {
			fprintf(stderr, "spansim test: cannot write %s: %s\n",
				o.junit, strerror(errno));
			ret = 2;
		}
	}
	cli_free_list(files, n);
	return ret;
}

/* --- policies, list -------------------------------------------------------- */

static int cmd_policies(int argc, char **argv)
{
	(void)argv;
	if (argc > 0 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		fputs(usage_policies, stdout);
		return 0;
	}
	if (argc > 0)
		return cli_usage_error("policies", "takes no arguments%s", "");
	puts("knobs (default first):");
	for (int k = 0; k < SPAN_NR_KNOBS; k++) {
		printf("  %-16s", span_knob_name(k));
		for (int v = 0; v < span_knob_nr_values(k); v++)
			printf("%s%s", v ? " | " : "", span_knob_value_name(k, v));
		printf("\n  %-16s%s\n", "", span_knob_doc(k));
	}
	puts("\npresets:");
	for (int i = 0; span_preset_name(i); i++) {
		struct span_policy p;
		int any = 0;

		span_policy_preset(&p, span_preset_name(i));
		printf("  %-24s %s\n  %-24s", span_preset_name(i),
		       span_preset_doc(i), "");
		for (int k = 0; k < SPAN_NR_KNOBS; k++)
			if (p.v[k])
				printf("%s%s=%s", any++ ? " " : "", span_knob_name(k),
				       span_knob_value_name(k, p.v[k]));
		printf("%s\n", any ? "" : "(all defaults)");
	}
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct opts o;
	char **files;
	int n, ret = cli_parse_opts("list", argc, argv, &o);

	if (ret < 0) {
		fputs(usage_list, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!o.nfiles)
		return cli_usage_error("list", "needs a DIR or FILE%s", "");
	if (o.nfiles == 1 && access(o.files[0], F_OK) &&
	    !list_names(o.files[0], stdout))
		return 0;
	if (cli_collect(o.files, o.nfiles, &files, &n))
		return 2;
	for (int i = 0; i < n; i++) {
		struct scn *s = NULL;
		char err[1024];

		if (cli_parse_scn(files[i], &o, NULL, 0, &s, err, sizeof(err))) {
			printf("%-40s (error: %s)\n", files[i], err);
			ret = 2;
			continue;
		}
		printf("%-28s %s\n", s->name, s->doc ? s->doc : "");
		scn_free(s);
	}
	cli_free_list(files, n);
	return ret;
}

static int dispatch(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd && (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))) {
		printf("spansim %d.%d.%d (models Linux 6.18; scenario language version 1)\n",
		       SPAN_VERSION_MAJOR, SPAN_VERSION_MINOR,
		       SPAN_VERSION_PATCH);
		return 0;
	}
	if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage_top, stdout);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "help")) {
		const char *c = argc > 2 ? argv[2] : "";

		if (!strcmp(c, "kernel")) {
			char *h[] = { "--help", NULL };

			return cmd_kernel(1, h);
		}
		if (!strcmp(c, "export")) {
			char *h[] = { "--help", NULL };

			return cmd_export(1, h);
		}

		fputs(!strcmp(c, "run") ? usage_run :
		      !strcmp(c, "test") ? usage_test :
		      !strcmp(c, "matrix") ? cli_usage_matrix :
		      !strcmp(c, "explore") ? cli_usage_explore :
		      !strcmp(c, "merge") ? cli_usage_merge :
		      !strcmp(c, "import") ? cli_usage_import :
		      !strcmp(c, "policies") ? usage_policies :
		      !strcmp(c, "list") ? usage_list : usage_top, stdout);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "test"))
		return cmd_test(argc - 2, argv + 2);
	if (!strcmp(cmd, "explore"))
		return cmd_explore(argc - 2, argv + 2);
	if (!strcmp(cmd, "merge"))
		return cmd_merge(argc - 2, argv + 2);
	if (!strcmp(cmd, "import"))
		return cmd_import(argc - 2, argv + 2);
	if (!strcmp(cmd, "kernel"))
		return cmd_kernel(argc - 2, argv + 2);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - 2, argv + 2);
	if (!strcmp(cmd, "matrix"))
		return cmd_matrix(argc - 2, argv + 2);
	if (!strcmp(cmd, "policies"))
		return cmd_policies(argc - 2, argv + 2);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 2, argv + 2);
	fprintf(stderr, "spansim: unknown command '%s' (see 'spansim --help')\n",
		cmd);
	return 2;
}

int main(int argc, char **argv)
{
	int ret = dispatch(argc, argv), err;

	/* output that did not reach its destination is an error, not a PASS */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		err = errno;
		/* a reader that went away (`spansim ... | head`) is quiet */
		if (err != EPIPE)
			fprintf(stderr, "spansim: cannot write the output: %s\n",
				strerror(err));
		return ret ? ret : 2;
	}
	return ret;
}
