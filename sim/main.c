// SPDX-License-Identifier: MIT
/*
 * main.c - the spansim command: run, test, matrix, policies, list.
 *
 * Exit status: 0 every expectation held; 1 an expectation failed or an
 * invariant broke; 2 a usage or scenario error.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explore.h"
#include "kernel.h"
#include "list.h"
#include "run.h"

#define MAX_OV 64

static const char usage_top[] =
"usage: spansim COMMAND [ARGS]\n"
"\n"
"spansim models how Linux moves memory through pipes and sockets (pages,\n"
"refcounts and pins, pipe buffers, splice/vmsplice/tee, sk_buffs, TCP over\n"
"loopback, AF_UNIX, MSG_ZEROCOPY, MSG_SPLICE_PAGES) and runs scenario files\n"
"(.scn) against it under the policies of POLICIES.md.\n"
"\n"
"commands:\n"
"  run FILE        run one scenario and report every step, the data read,\n"
"                  the owners, the invariants and each expect/exists\n"
"  test FILE|DIR.. run scenarios as a TAP version 13 suite\n"
"  explore FILE    check every interleaving: Always/Sometimes/Never for each\n"
"                  exists, counterexamples for each expect (model checking)\n"
"  matrix FILE...  each expect/exists of each file under each preset\n"
"  policies        list the knobs, their values and the presets\n"
"  list DIR...     list the scenarios in directories, with their doc line\n"
"  list ops|knobs|presets|invariants\n"
"                  the names a scenario can use, one line on each\n"
"  kernel FILE     differential run against the live kernel (exit 3: skipped)\n"
"  help COMMAND    the options of one command\n"
"\n"
"exit status: 0 all expectations held; 1 an expectation failed or an\n"
"invariant broke; 2 usage or scenario errors.\n";

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
"  --quiet         only the summary\n"
"  --fault C:N     fail the Nth allocation (C = alloc: -ENOMEM) or user copy\n"
"                  (C = copy: -EFAULT) from the start of the run, setup included\n"
"\n"
"fifo (the default) runs kernel events first, then the threads in\n"
"declaration order, each until it blocks.  Every report ends with the\n"
"command line that reproduces it.\n";

static const char usage_test[] =
"usage: spansim test FILE|DIR... [--policy K=V]... [--set K=V]...\n"
"\n"
"Runs every .scn file (directories are searched recursively, sorted by\n"
"path) with the\n"
"fifo schedule and prints TAP version 13.  A scenario passes when every\n"
"expect holds and no invariant breaks; a file with `expect violation NAME`\n"
"passes only when its run breaks exactly that invariant.  A scenario that\n"
"does not parse is `not ok` with its error.  Exit 1 if any test failed.\n";

static const char usage_matrix[] =
"usage: spansim matrix FILE... [--presets A,B,...] [--explore [--max-states N]]\n"
"\n"
"Runs every file under every preset (default: all presets; the preset\n"
"replaces the file's own policy lines) and prints one table: a row per\n"
"expect/exists, a column per preset.  expect cells are ok/FAIL, exists\n"
"cells yes/no for the fifo run; 'viol' means an invariant broke first.\n"
"With --explore every cell covers every interleaving: expect cells are\n"
"always/FAILS/NEVER, exists cells Always/Sometimes/Never.\n";

static const char usage_explore[] =
"usage: spansim explore FILE [options]\n"
"\n"
"Explores every schedule of the scenario: depth-first over the enabled\n"
"thread steps and kernel events, backtracking with snapshots, with a\n"
"visited set of 16-byte states and sleep-set partial-order reduction from\n"
"step footprints.  For each exists: Always/Sometimes/Never with counts and\n"
"a witness schedule; for each expect: 'holds in all N end states' or the\n"
"shortest counterexample, shrunk, as a `spansim run ... --schedule` line.\n"
"\n"
"  --policy K=V, --param K=V, --set K=V   as for run\n"
"  --max-states N      stop after N distinct states (default 10000000)\n"
"  --preemptions K     bound the context switches away from a runnable thread\n"
"  --no-reduction      no sleep sets (every interleaving; states still cached)\n"
"  --no-shrink         do not shrink counterexamples\n"
"  --json              one JSON object\n"
"\n"
"Progress (states, states/s, depth, memory) goes to stderr for runs over a\n"
"second.  Exit 0 when every expect holds in every end state and no invariant\n"
"breaks (or, with `expect violation`, every end state breaks it).\n";

static const char usage_policies[] =
"usage: spansim policies\n\nLists every knob with its values (default first) and every preset.\n";

static const char usage_list[] =
"usage: spansim list DIR|FILE...\n"
"       spansim list ops|knobs|presets|invariants\n"
"\n"
"Lists the scenarios with their doc lines; or the operations of the\n"
"language (syntax, the kernel function each models, what the live-kernel\n"
"runner calls), the policy knobs, the presets, or the invariants, each\n"
"with one line on what it is.  A file or directory called like one of the\n"
"four words is listed as scenarios.\n";

struct opts {
	const char *params[MAX_OV], *sets[MAX_OV], *policies[MAX_OV];
	int np, ns, npol;
	struct run_opts ro;
	const char *dot;
	int64_t at;
	const char *presets;
	uint64_t max_states;
	int preemptions;
	bool no_reduction, no_shrink, explore;
	const char **files;
	int nfiles;
};

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "spansim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'spansim help %s')\n", cmd);
	return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

static int parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
{
	static const char *files[1024];

	memset(o, 0, sizeof(*o));
	o->at = -1;
	o->preemptions = -1;
	o->files = files;
	o->ro.sched = SCHED_FIFO;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED() do { if (!v) return usage_error(cmd, "%s needs a value", a); i++; } while (0)
		if (!strcmp(a, "--policy")) {
			NEED();
			if (o->npol == MAX_OV)
				return usage_error(cmd, "too many %s", a);
			o->policies[o->npol++] = v;
		} else if (!strcmp(a, "--param")) {
			NEED();
			if (o->np == MAX_OV)
				return usage_error(cmd, "too many %s", a);
			o->params[o->np++] = v;
		} else if (!strcmp(a, "--set")) {
			NEED();
			if (o->ns == MAX_OV)
				return usage_error(cmd, "too many %s", a);
			o->sets[o->ns++] = v;
		} else if (!strcmp(a, "--seed")) {
			NEED();
			if (parse_u64(v, &o->ro.seed))
				return usage_error(cmd, "bad seed '%s'", v);
			o->ro.sched = SCHED_RANDOM;
		} else if (!strcmp(a, "--schedule")) {
			NEED();
			o->ro.schedule = v;
			o->ro.sched = SCHED_GIVEN;
		} else if (!strcmp(a, "--fault")) {
			const char *colon;

			NEED();
			colon = strchr(v, ':');
			if (!colon || parse_u64(colon + 1, &o->ro.fault_nth) ||
			    !o->ro.fault_nth)
				return usage_error(cmd, "bad fault '%s' (alloc:N or copy:N)", v);
			if (!strncmp(v, "alloc:", 6))
				o->ro.fault_class = SPAN_FAULT_ALLOC;
			else if (!strncmp(v, "copy:", 5))
				o->ro.fault_class = SPAN_FAULT_COPY;
			else
				return usage_error(cmd, "bad fault '%s' (alloc:N or copy:N)", v);
		} else if (!strcmp(a, "--trace")) {
			o->ro.trace = true;
		} else if (!strcmp(a, "--json")) {
			o->ro.json = true;
		} else if (!strcmp(a, "--quiet")) {
			o->ro.quiet = true;
		} else if (!strcmp(a, "--dot")) {
			NEED();
			o->dot = v;
		} else if (!strcmp(a, "--at")) {
			uint64_t at;

			NEED();
			if (parse_u64(v, &at))
				return usage_error(cmd, "bad step '%s'", v);
			o->at = (int64_t)at;
		} else if (!strcmp(a, "--max-states")) {
			NEED();
			if (parse_u64(v, &o->max_states) || !o->max_states)
				return usage_error(cmd, "bad state count '%s'", v);
		} else if (!strcmp(a, "--preemptions")) {
			uint64_t k;

			NEED();
			if (parse_u64(v, &k) || k > 1000)
				return usage_error(cmd, "bad preemption bound '%s'", v);
			o->preemptions = (int)k;
		} else if (!strcmp(a, "--no-reduction")) {
			o->no_reduction = true;
		} else if (!strcmp(a, "--no-shrink")) {
			o->no_shrink = true;
		} else if (!strcmp(a, "--explore")) {
			o->explore = true;
		} else if (!strcmp(a, "--presets")) {
			NEED();
			o->presets = v;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return -1;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(cmd, "unknown option '%s'", a);
		} else {
			if (o->nfiles == 1024)
				return usage_error(cmd, "too many files", a);
			files[o->nfiles++] = a;
		}
#undef NEED
	}
	if (o->at >= 0 && !o->dot)
		return usage_error(cmd, "--at needs --dot%s", "");
	return 0;
}

static int parse(const char *file, struct opts *o, const char **extra_pol,
		 int nextra, struct scn **s, char *err, size_t errn)
{
	const char *pol[MAX_OV * 2];
	struct scn_overrides ov;
	struct scn_error e;
	int n = 0, ret;

	for (int i = 0; i < o->npol; i++)
		pol[n++] = o->policies[i];
	for (int i = 0; i < nextra; i++)
		pol[n++] = extra_pol[i];
	ov = (struct scn_overrides){ .params = o->params, .nr_params = o->np,
				     .sets = o->sets, .nr_sets = o->ns,
				     .policies = pol, .nr_policies = n };
	ret = scn_parse_file(file, &ov, s, &e);
	if (ret)
		scn_error_format(&e, err, errn);
	return ret;
}

/* the command line that reproduces a run (without the schedule) */
static void cmdline(char *buf, size_t n, const char *file, struct opts *o)
{
	size_t k = (size_t)snprintf(buf, n, "spansim run %s", file);

	for (int i = 0; i < o->npol && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, " --policy %s", o->policies[i]);
	for (int i = 0; i < o->np && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, " --param %s", o->params[i]);
	for (int i = 0; i < o->ns && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, " --set %s", o->sets[i]);
	if (o->ro.fault_nth && k < n)
		k += (size_t)snprintf(buf + k, n - k, " --fault %s:%" PRIu64,
				      o->ro.fault_class == SPAN_FAULT_ALLOC ?
					      "alloc" : "copy",
				      o->ro.fault_nth);
}

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
	int ret = parse_opts("run", argc, argv, &o);

	if (ret < 0) {
		fputs(usage_run, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (o.nfiles != 1)
		return usage_error("run", "needs exactly one FILE%s", "");
	if (parse(o.files[0], &o, NULL, 0, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	cmdline(cl, sizeof(cl), o.files[0], &o);
	o.ro.cmdline = cl;
	o.ro.out = stdout;
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
	if (!ret)
		ret = run_passed(r) ? 0 : 1;
	run_destroy(r);
	scn_free(s);
	return ret;
}

/* --- explore -------------------------------------------------------------- */

static int cmd_explore(int argc, char **argv)
{
	struct explore_opts eo = { 0 };
	struct explore_result res;
	struct opts o;
	struct scn *s = NULL;
	char err[1024], cl[2048];
	int ret = parse_opts("explore", argc, argv, &o);

	if (ret < 0) {
		fputs(usage_explore, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (o.nfiles != 1)
		return usage_error("explore", "needs exactly one FILE%s", "");
	if (parse(o.files[0], &o, NULL, 0, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	cmdline(cl, sizeof(cl), o.files[0], &o);
	eo.max_states = o.max_states;
	eo.preemptions = o.preemptions;
	eo.no_reduction = o.no_reduction;
	eo.shrink = !o.no_shrink;
	eo.progress = isatty(2);
	eo.cmdline = cl;
	ret = explore_run(s, &eo, &res);
	if (ret) {
		fprintf(stderr, "spansim explore: %s\n", span_strerror(ret));
		explore_result_free(s, &res);
		scn_free(s);
		return 2;
	}
	explore_report(s, &eo, &res, o.ro.json, stdout);
	ret = res.errors ? 2 : explore_passed(s, &res) ? 0 : 1;
	explore_result_free(s, &res);
	scn_free(s);
	return ret;
}

/* --- test ----------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_path(char ***v, int *n, const char *path)
{
	char **nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = strdup(path);
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

/* every .scn below @dir, sorted by path */
static int walk(const char *dir, char ***v, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int first = *n;

	if (!d) {
		fprintf(stderr, "spansim: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (walk(path, v, n)) {
				closedir(d);
				return -1;
			}
		} else if (l > 4 && !strcmp(de->d_name + l - 4, ".scn")) {
			if (push_path(v, n, path)) {
				closedir(d);
				return -1;
			}
		}
	}
	closedir(d);
	qsort(*v + first, (size_t)(*n - first), sizeof(**v), cmp_str);
	return 0;
}

/* expand files and directories (recursively) into .scn paths */
static int collect(const char **in, int nin, char ***out, int *nout)
{
	char **v = NULL;
	int n = 0;

	for (int i = 0; i < nin; i++) {
		struct stat st;

		if (stat(in[i], &st)) {
			fprintf(stderr, "spansim: %s: %s\n", in[i], strerror(errno));
			goto fail;
		}
		if (S_ISDIR(st.st_mode) ? walk(in[i], &v, &n) :
					  push_path(&v, &n, in[i]))
			goto fail;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -1;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* run one file silently under fifo; returns the run (caller destroys) */
static struct run *run_quiet(struct scn *s)
{
	struct run_opts ro = { .sched = SCHED_FIFO, .quiet = true };
	struct run *r;

	if (run_create(s, &ro, &r))
		return NULL;
	run_to_end(r);
	run_finish(r);
	return r;
}

static void yaml_str(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			putchar('\'');
		putchar(*s == '\n' ? ' ' : *s);
	}
	putchar('\'');
}

static int cmd_test(int argc, char **argv)
{
	struct opts o;
	char **files;
	int n, failed = 0, ret = parse_opts("test", argc, argv, &o);

	if (ret < 0) {
		fputs(usage_test, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!o.nfiles)
		return usage_error("test", "needs at least one FILE or DIR%s", "");
	if (collect(o.files, o.nfiles, &files, &n))
		return 2;
	printf("TAP version 13\n1..%d\n", n);
	for (int i = 0; i < n; i++) {
		struct scn *s = NULL;
		struct run *r;
		char err[1024];

		fflush(stdout);
		if (parse(files[i], &o, NULL, 0, &s, err, sizeof(err))) {
			printf("not ok %d - %s # scenario error\n  ---\n  message: ",
			       i + 1, files[i]);
			yaml_str(err);
			printf("\n  ...\n");
			failed++;
			continue;
		}
		r = run_quiet(s);
		if (!r) {
			printf("not ok %d - %s # out of memory\n", i + 1, files[i]);
			failed++;
			scn_free(s);
			continue;
		}
		if (run_passed(r)) {
			printf("ok %d - %s", i + 1, files[i]);
			if (s->violation >= 0)
				printf(" # breaks %s as expected",
				       span_invariant_name(s->violation));
			putchar('\n');
		} else {
			const struct span_violation *v = run_violation(r);

			failed++;
			printf("not ok %d - %s\n  ---\n", i + 1, files[i]);
			printf("  status: %s\n", run_status_name(run_status(r)));
			if (run_status(r) == RUN_ERROR) {
				printf("  message: ");
				yaml_str(run_error(r));
				putchar('\n');
			}
			if (v) {
				printf("  violation: %s\n  step: %" PRIu64 "\n  detail: ",
				       span_invariant_name(v->inv), v->step);
				yaml_str(v->msg);
				putchar('\n');
			}
			if (s->violation >= 0)
				printf("  expected_violation: %s\n",
				       span_invariant_name(s->violation));
			if (run_status(r) == RUN_DONE || run_status(r) == RUN_DEADLOCK)
				for (int k = 0; k < s->nr_expects; k++)
					if (!run_expects(r)[k].value) {
						printf("  failed: ");
						yaml_str(s->expects[k].text);
						putchar('\n');
					}
			printf("  schedule: ");
			yaml_str(run_schedule(r));
			{
				char cl[2048], cmd[4096];

				cmdline(cl, sizeof(cl), files[i], &o);
				snprintf(cmd, sizeof(cmd), "%s --schedule '%s'", cl,
					 run_schedule(r));
				printf("\n  command: ");
				yaml_str(cmd);
			}
			printf("\n  ...\n");
		}
		run_destroy(r);
		scn_free(s);
	}
	free_list(files, n);
	printf("# %d of %d failed\n", failed, n);
	return failed ? 1 : 0;
}

/* --- matrix --------------------------------------------------------------- */

static int cmd_matrix(int argc, char **argv)
{
	const char *presets[32];
	int npre = 0, ret = 0;
	struct opts o;
	char **files, *plist = NULL;
	int n;

	ret = parse_opts("matrix", argc, argv, &o);
	if (ret < 0) {
		fputs(usage_matrix, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!o.nfiles)
		return usage_error("matrix", "needs at least one FILE%s", "");
	if (o.presets) {
		struct span_policy p;

		plist = strdup(o.presets);
		for (char *tok = strtok(plist, ","); tok && npre < 32;
		     tok = strtok(NULL, ",")) {
			if (span_policy_preset(&p, tok)) {
				free(plist);
				return usage_error("matrix", "unknown preset '%s'", tok);
			}
			presets[npre++] = tok;
		}
	} else {
		for (int i = 0; span_preset_name(i) && npre < 32; i++)
			presets[npre++] = span_preset_name(i);
	}
	if (collect(o.files, o.nfiles, &files, &n)) {
		free(plist);
		return 2;
	}
	printf("%-58s", "condition");
	for (int p = 0; p < npre; p++)
		printf(" %-*s", (int)(strlen(presets[p]) < 6 ? 6 : strlen(presets[p])),
		       presets[p]);
	putchar('\n');
	for (int f = 0; f < n; f++) {
		struct scn *base = NULL;
		char err[1024];
		struct {
			char cells[32][16];
		} *rows;
		int nrows;

		if (parse(files[f], &o, NULL, 0, &base, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			ret = 2;
			continue;
		}
		nrows = base->nr_expects + base->nr_exists + 1;
		rows = calloc((size_t)nrows, sizeof(*rows));
		if (!rows) {
			scn_free(base);
			ret = 2;
			break;
		}
		for (int p = 0; p < npre; p++) {
			char pol[64];
			const char *extra[1] = { pol };
			struct scn *s = NULL;
			struct run *r;
			bool ended;

			snprintf(pol, sizeof(pol), "preset=%s", presets[p]);
			if (parse(files[f], &o, extra, 1, &s, err, sizeof(err))) {
				for (int k = 0; k < nrows; k++)
					strcpy(rows[k].cells[p], "error");
				continue;
			}
			if (o.explore) {
				struct explore_opts eo = {
					.max_states = o.max_states,
					.preemptions = o.preemptions,
					.no_reduction = o.no_reduction };
				struct explore_result res;

				if (explore_run(s, &eo, &res)) {
					for (int k = 0; k < nrows; k++)
						strcpy(rows[k].cells[p], "error");
				} else {
					for (int k = 0; k < s->nr_expects; k++) {
						const struct explore_cond *c = &res.expects[k];

						strcpy(rows[k].cells[p],
						       res.errors ? "error" :
						       !c->no && !c->error && c->yes ? "always" :
						       c->yes ? "FAILS" : "NEVER");
					}
					for (int k = 0; k < s->nr_exists; k++) {
						const struct explore_cond *c = &res.exists[k];

						strcpy(rows[s->nr_expects + k].cells[p],
						       res.errors ? "error" :
						       !c->no && !c->error && c->yes ? "Always" :
						       c->yes ? "Sometimes" : "Never");
					}
					rows[nrows - 1].cells[p][0] = 0;
					for (int v = 0; v < SPAN_NR_INVARIANTS; v++)
						if (res.viol[v] && !rows[nrows - 1].cells[p][0])
							snprintf(rows[nrows - 1].cells[p], 16, "%s",
								 span_invariant_name(v));
					if (!rows[nrows - 1].cells[p][0])
						strcpy(rows[nrows - 1].cells[p], "-");
				}
				explore_result_free(s, &res);
				scn_free(s);
				continue;
			}
			r = run_quiet(s);
			if (!r) {
				scn_free(s);
				continue;
			}
			ended = run_status(r) == RUN_DONE ||
				run_status(r) == RUN_DEADLOCK;
			for (int k = 0; k < s->nr_expects; k++)
				strcpy(rows[k].cells[p],
				       !ended ? (run_status(r) == RUN_VIOLATION ? "viol" : "error") :
				       run_expects(r)[k].value ? "ok" : "FAIL");
			for (int k = 0; k < s->nr_exists; k++)
				strcpy(rows[s->nr_expects + k].cells[p],
				       !ended ? (run_status(r) == RUN_VIOLATION ? "viol" : "error") :
				       run_exists(r)[k].value ? "yes" : "no");
			{
				const struct span_violation *v = run_violation(r);

				snprintf(rows[nrows - 1].cells[p], 16, "%s",
					 v ? span_invariant_name(v->inv) : "-");
			}
			run_destroy(r);
			scn_free(s);
		}
		printf("%s\n", files[f]);
		for (int k = 0; k < nrows; k++) {
			char label[256];

			if (k < base->nr_expects)
				snprintf(label, sizeof(label), "  expect %s",
					 base->expects[k].text);
			else if (k < nrows - 1)
				snprintf(label, sizeof(label), "  exists %s",
					 base->exists[k - base->nr_expects].text);
			else
				snprintf(label, sizeof(label), "  invariant broken");
			if (strlen(label) > 57)
				strcpy(label + 54, "...");
			printf("%-58s", label);
			for (int p = 0; p < npre; p++)
				printf(" %-*s", (int)(strlen(presets[p]) < 6 ? 6 :
						      strlen(presets[p])),
				       rows[k].cells[p]);
			putchar('\n');
		}
		free(rows);
		scn_free(base);
	}
	free_list(files, n);
	free(plist);
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
		return usage_error("policies", "takes no arguments%s", "");
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
	int n, ret = parse_opts("list", argc, argv, &o);

	if (ret < 0) {
		fputs(usage_list, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!o.nfiles)
		return usage_error("list", "needs a DIR or FILE%s", "");
	if (o.nfiles == 1 && access(o.files[0], F_OK) &&
	    !list_names(o.files[0], stdout))
		return 0;
	if (collect(o.files, o.nfiles, &files, &n))
		return 2;
	for (int i = 0; i < n; i++) {
		struct scn *s = NULL;
		char err[1024];

		if (parse(files[i], &o, NULL, 0, &s, err, sizeof(err))) {
			printf("%-40s (error: %s)\n", files[i], err);
			ret = 2;
			continue;
		}
		printf("%-28s %s\n", s->name, s->doc ? s->doc : "");
		scn_free(s);
	}
	free_list(files, n);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

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

		fputs(!strcmp(c, "run") ? usage_run :
		      !strcmp(c, "test") ? usage_test :
		      !strcmp(c, "matrix") ? usage_matrix :
		      !strcmp(c, "explore") ? usage_explore :
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
	if (!strcmp(cmd, "kernel"))
		return cmd_kernel(argc - 2, argv + 2);
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
