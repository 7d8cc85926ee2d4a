// SPDX-License-Identifier: MIT
/*
 * cmd_explore.c - `spansim explore` and `spansim matrix`.
 *
 * Searches stop cleanly at --max-states, --max-time, --max-memory, on
 * SIGINT or SIGTERM (the handlers only set a flag the search polls) or when
 * an allocation fails, and the summary says so: exit 4 when nothing failed
 * in what was explored.
 */
#define _XOPEN_SOURCE 700	/* SA_RESETHAND */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "explore.h"

const char cli_usage_matrix[] =
"usage: spansim matrix FILE... [--presets A,B,...] [--presets-override]\n"
"                      [--design D]... [--explore [bounds]]\n"
"\n"
"Runs every file under every preset (default: all presets) and prints one\n"
"table: a row per expect/exists, a column per preset, and a legend.  A\n"
"file's own `policy` lines apply after the column's preset and win over it\n"
"(a line under the file says so); --presets-override applies the preset\n"
"last instead.  expect cells are ok/FAIL, exists\n"
"cells yes/no for the fifo run; 'viol' means an invariant broke first.\n"
"With --explore every cell covers every interleaving: expect cells are\n"
"always/FAILS/NEVER, exists cells Always/Sometimes/Never.  --max-states,\n"
"--max-time, --max-memory, --preemptions, --no-reduction and -q work as for\n"
"explore, for each search.  A search stopped early (a bound, SIGINT/SIGTERM,\n"
"out of memory) shows 'incomplete' in every cell it cannot decide (FAILS and\n"
"Sometimes stay: they are definite) and a line under the file's rows says why.\n"
"\n"
"--design D (repeatable) adds a column per design: a built-in design or a\n"
"plugin FILE.so (docs/designs.md), named with its file and build id above\n"
"the table.  Its column decides with the design and keeps the file's own\n"
"policy lines (the host knob, and any knob the design follows).  With\n"
"--design and no --presets the preset columns are linux-6.18 alone.\n"
"\n"
"--junit FILE also writes JUnit XML: a testcase per file and column, failed\n"
"when an expect cell fails or an invariant broke there, an error when a\n"
"search was cut short.\n"
"--json prints one JSON object instead (docs/json.md): the columns, and per\n"
"file its rows (kind, condition, a cell per column) and incomplete columns.\n"
"\n"
"exit status: 0 the table is complete; 2 a file did not parse, or a design\n"
"could not be loaded or broke the model's rules; 4 some cell\n"
"is incomplete.  FAIL and FAILS cells do not change the exit status.\n";

const char cli_usage_explore[] =
"usage: spansim explore FILE [options]\n"
"\n"
"Explores every schedule of the scenario.  By default with dynamic\n"
"partial-order reduction (DPOR): one schedule per class of schedules that\n"
"differ only in the order of independent steps, from the steps' footprints\n"
"(objects, reference-count updates, byte ranges of pages); no states are\n"
"stored, and states are counted on each schedule.  Scenarios with kernel\n"
"events (the network model), more than 32 threads or always/never lines,\n"
"and --preemptions or --bitstate, use the stateful search instead:\n"
"depth-first over the enabled thread steps and kernel events, backtracking\n"
"with snapshots, a visited set of 16-byte states and sleep sets; the\n"
"summary says which search ran and why.\n"
"\n"
"For each exists: Always/Sometimes/Never with counts and a witness\n"
"schedule; for each expect: 'holds in all N end states' or the shortest\n"
"counterexample, shrunk, as a `spansim run ... --schedule` line; for each\n"
"always/never: 'holds in all N states' or the shortest schedule to the\n"
"first state that breaks it.\n"
"\n"
"  --policy K=V, --param K=V, --set K=V   as for run\n"
"  --max-states N      stop after N distinct states (default 10000000)\n"
"  --max-time SECONDS  stop after SECONDS of search (fractions allowed)\n"
"  --max-memory BYTES  stop when the explorer's memory passes BYTES (suffixes\n"
"                      K, M, G); counted: the visited set, the snapshots on\n"
"                      the search stack and its frames (DPOR: checkpoints,\n"
"                      steps and their footprints).  Default: half of the\n"
"                      physical memory, or of the address-space limit\n"
"                      (ulimit -v) when that is smaller\n"
"  --preemptions K     bound the context switches away from a runnable thread\n"
"  --reduction MODE    dpor (default), sleep (stateful, visited set and sleep\n"
"                      sets) or none (stateful, every interleaving)\n"
"  --no-reduction      the same as --reduction none\n"
"  --bitstate BYTES    the stateful search, states kept as 3 bits each in a\n"
"                      BYTES-byte array instead of a visited set (Holzmann's\n"
"                      supertrace; no sleep sets): much less memory, but a\n"
"                      state whose bits were all set by others is missed.  The\n"
"                      summary gives the expected number missed; at 0.01 or\n"
"                      more the search counts as incomplete (exit 4)\n"
"  --no-shrink         do not shrink counterexamples\n"
"  --design D          decide with design D (a built-in name or FILE.so), as\n"
"                      for run; the replay lines carry it\n"
"  --check MODE        the checker after each step: incremental (default),\n"
"                      full or verify (both; a disagreement is reported, exit 1)\n"
"  --json              one JSON object (\"complete\", \"incomplete_reason\")\n"
"  -q, --quiet         no progress lines\n"
"  --shard I/N         search one of N parts (I is 1 to N), for N processes on\n"
"                      N machines whose --json reports `spansim merge` joins:\n"
"                      the states fewer than D steps from the start are\n"
"                      searched by every shard, each state first reached at\n"
"                      depth D only by the shard its hash picks.  The stateful\n"
"                      search: DPOR becomes --reduction none (sleep sets would\n"
"                      make the shards' states depend on the order); not with\n"
"                      --preemptions.  The same inputs give the same parts\n"
"  --shard-depth D     that depth (1 to 1000; default: the first at which\n"
"                      16*N states are new, or the states before it are\n"
"                      256*N or more)\n"
"  --states-out FILE   with --shard: write each state's 64-bit fingerprint to\n"
"                      FILE (8 bytes per state), for merge's exact state count\n"
"\n"
"A search that reaches a bound, gets SIGINT or SIGTERM (a second one kills)\n"
"or runs out of memory stops and prints the full summary of what it covered,\n"
"marked 'search incomplete (REASON)': counterexamples found so far are\n"
"reported (not shrunk after --max-time, a signal or out of memory); no\n"
"expect is said to hold, no exists to be Never or Always, and the result is\n"
"INCOMPLETE, not PASS.\n"
"\n"
"Progress (states, states/s, depth, memory, elapsed) goes to stderr once a\n"
"search has run a second: on a terminal one line rewritten every second,\n"
"otherwise a line every 5 seconds.\n"
"\n"
"exit status: 0 the search was complete and every expect held in every end\n"
"state, no invariant broke (or, with `expect violation`, every end state\n"
"broke it); 1 a counterexample or broken invariant was found (complete or\n"
"not); 2 usage, scenario or run-time error; 4 the search was incomplete and\n"
"found nothing wrong in what it covered.\n"
"\n"
"See also `spansim merge` (docs/tutorial.md, \"Beyond one machine\").\n";

/* --- bounds, signals ------------------------------------------------------- */


/* the bounds, signal flag and progress of @o for one search */
void cli_explore_opts(struct explore_opts *eo, const struct opts *o)
{
	eo->max_states = o->max_states;
	eo->max_seconds = o->max_seconds;
	eo->max_bytes = o->max_bytes ? o->max_bytes : cli_default_max_bytes();
	eo->stop = &cli_stop_signal;
	eo->preemptions = o->preemptions;
	eo->no_reduction = o->no_reduction;
	eo->reduction = o->reduction;
	eo->bitstate_bytes = o->bitstate;
	eo->check_mode = o->ro.check_mode;
	eo->progress = o->ro.quiet ? EXPLORE_PROGRESS_NONE :
		       isatty(2) ? EXPLORE_PROGRESS_TTY : EXPLORE_PROGRESS_LOG;
	eo->shard_index = o->shard_index;
	eo->shard_count = o->shard_count;
	eo->shard_depth = o->shard_depth;
	eo->design = o->ro.design;
	eo->design_desc = o->ro.design_desc;
	eo->color = cli_color();
}

uint64_t cli_fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	if (!h)
		h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int cli_file_hash(const char *path, uint64_t *h)
{
	FILE *f = fopen(path, "rb");
	char buf[4096];
	size_t n;

	if (!f)
		return -errno;
	*h = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)))
		*h = cli_fnv64(*h, buf, n);
	n = ferror(f);
	fclose(f);
	return n ? -EIO : 0;
}

/* --- --shard: what `spansim merge` checks and needs ---------------------- */

/* an option that changes when a search stops or what it prints, not what
 * it searches: shards may differ in them (1: it takes a value) */
static int shard_ignored(const char *a)
{
	static const char *const val[] = { "--shard", "--states-out",
		"--max-states", "--max-time", "--max-memory" };
	static const char *const flag[] = { "--json", "-q", "--quiet",
		"--no-shrink" };

	for (size_t i = 0; i < sizeof(val) / sizeof(val[0]); i++)
		if (!strcmp(a, val[i]))
			return 1;
	for (size_t i = 0; i < sizeof(flag) / sizeof(flag[0]); i++)
		if (!strcmp(a, flag[i]))
			return 0;
	return -1;
}

/* @str as a JSON string at @buf + *@k */
static void json_put(char *buf, size_t n, size_t *k, const char *str)
{
	if (*k < n)
		*k += (size_t)snprintf(buf + *k, n - *k, "\"");
	for (; *str && *k + 8 < n; str++) {
		unsigned char c = (unsigned char)*str;

		if (c == '"' || c == '\\')
			*k += (size_t)snprintf(buf + *k, n - *k, "\\%c", c);
		else if (c < 0x20)
			*k += (size_t)snprintf(buf + *k, n - *k, "\\u%04x", c);
		else
			buf[(*k)++] = (char)c;
	}
	if (*k < n)
		*k += (size_t)snprintf(buf + *k, n - *k, "\"");
}

/*
 * The "shard" member of a shard's JSON report: which shard, the search
 * (the arguments that define it, the scenario file's hash) and the
 * fingerprint file.  -ENOSPC when it does not fit in @n bytes.
 */
static int shard_json(char *buf, size_t n, int argc, char **argv,
		      const struct opts *o, uint64_t src_hash,
		      const char *states_path)
{
	char abs[4096];
	size_t k = 0;
	bool first = true;

	k += (size_t)snprintf(buf, n, "\"shard\":{\"index\":%d,\"count\":%d,\"source_fnv64\":\"%016" PRIx64 "\",\"file_path\":",
			      o->shard_index, o->shard_count, src_hash);
	json_put(buf, n, &k, realpath(o->files[0], abs) ? abs : o->files[0]);
	if (k < n)
		k += (size_t)snprintf(buf + k, n - k, ",\"states_file\":");
	if (states_path)
		json_put(buf, n, &k, states_path);
	else if (k < n)
		k += (size_t)snprintf(buf + k, n - k, "null");
	if (k < n)
		k += (size_t)snprintf(buf + k, n - k, ",\"args\":[");
	for (int i = 0; i < argc; i++) {
		int ign = shard_ignored(argv[i]);

		if (ign >= 0) {
			i += ign;
			continue;
		}
		if (!first && k < n)
			buf[k++] = ',';
		first = false;
		json_put(buf, n, &k, argv[i]);
	}
	if (k < n)
		k += (size_t)snprintf(buf + k, n - k, "]}");
	return k + 1 < n ? 0 : -ENOSPC;
}

/* --- explore -------------------------------------------------------------- */

int cmd_explore(int argc, char **argv)
{
	struct explore_opts eo = { 0 };
	struct explore_result res;
	struct opts o;
	struct scn *s = NULL;
	char err[1024], cl[2048], states_abs[4096], *shard = NULL;
	FILE *states = NULL;
	uint64_t src_hash = 0;
	int ret = cli_parse_opts("explore", argc, argv, &o);

	if (ret < 0) {
		fputs(cli_usage_explore, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (o.nfiles != 1)
		return cli_usage_error("explore", "needs exactly one FILE%s", "");
	if (cli_parse_scn(o.files[0], &o, NULL, 0, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	cli_cmdline(cl, sizeof(cl), o.files[0], &o);
	cli_explore_opts(&eo, &o);
	eo.shrink = !o.no_shrink;
	eo.cmdline = cl;
	if (o.shard_count && (ret = cli_file_hash(o.files[0], &src_hash))) {
		fprintf(stderr, "spansim explore: %s: %s\n", o.files[0],
			strerror(-ret));
		scn_free(s);
		return 2;
	}
	if (o.states_out) {
		states = fopen(o.states_out, "wb");
		if (!states) {
			fprintf(stderr, "spansim explore: cannot write %s: %s\n",
				o.states_out, strerror(errno));
			scn_free(s);
			return 2;
		}
		eo.states_out = states;
	}
	ret = cli_catch_stop_signals();
	if (ret)
		fprintf(stderr, "spansim explore: cannot catch SIGINT/SIGTERM: %s\n",
			strerror(-ret));
	ret = explore_run(s, &eo, &res);
	if (ret) {
		/* nothing to report: not even the result's tables fit */
		fprintf(stderr, "spansim explore: %s%s\n", span_strerror(ret),
			ret == -ENOMEM ? " (search incomplete: out of memory)" : "");
		scn_free(s);
		if (states)
			fclose(states);
		return ret == -ENOMEM ? EXPLORE_EXIT_INCOMPLETE : EXPLORE_EXIT_ERROR;
	}
	if (states) {
		/* a fingerprint file that did not reach the disk is left out
		 * of the report: merge then sums the counts */
		bool bad = ferror(states);

		bad |= fclose(states) != 0;
		if (bad)
			fprintf(stderr, "spansim explore: cannot write %s: %s\n",
				o.states_out, strerror(errno));
		else if (!realpath(o.states_out, states_abs))
			snprintf(states_abs, sizeof(states_abs), "%s", o.states_out);
		states = NULL;
		eo.states_out = NULL;
		if (bad)
			o.states_out = NULL;
	}
	if (o.shard_count) {
		size_t n = 8192 + (size_t)argc * 64;

		for (int i = 0; i < argc; i++)
			n += 2 * strlen(argv[i]);
		shard = malloc(n);
		if (!shard || shard_json(shard, n, argc, argv, &o, src_hash,
					 o.states_out ? states_abs : NULL)) {
			fprintf(stderr, "spansim explore: out of memory\n");
			free(shard);
			explore_result_free(s, &res);
			scn_free(s);
			return 2;
		}
		eo.json_extra = shard;
	}
	explore_report(s, &eo, &res, o.ro.json, stdout);
	free(shard);
	ret = explore_exit_status(s, &res);
	if (res.check.diverged) {
		fprintf(stderr, "spansim explore: the incremental checker and the full walk disagree %" PRIu64 " times, first at step %" PRIu64 ": %s\n",
			res.check.diverged, res.check.diverged_step,
			res.check.diverged_msg);
		if (!ret)
			ret = 1;
	}
	explore_result_free(s, &res);
	scn_free(s);
	return ret;
}

/* --- test --explore -------------------------------------------------------- */

/* "  command: '... --schedule ...'" (TAP YAML) */
static void yaml_command(FILE *out, const char *cl, const char *sched)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "%s --schedule '%s'", cl, sched ? sched : "");
	fprintf(out, "  command: ");
	cli_yaml_fstr(out, cmd);
	fputc('\n', out);
}

/* the search's verdict of each condition, as KTAP subtests (unnumbered) */
static void explore_subs(FILE *subs, const struct scn *s,
			 const struct explore_result *res)
{
	bool complete = res->stop == EXPLORE_COMPLETE;

	for (int k = 0; k < s->nr_expects; k++) {
		const struct explore_cond *c = &res->expects[k];

		char note[64];

		snprintf(note, sizeof(note), "fails in %" PRIu64 " end states",
			 c->no + c->error);
		if (c->no || c->error)
			cli_sub(subs, CLI_SUB_NOT_OK, "expect",
				s->expects[k].text, note);
		else
			cli_sub(subs, complete ? CLI_SUB_OK : CLI_SUB_SKIP,
				"expect", s->expects[k].text,
				complete ? NULL : "search incomplete");
	}
	for (int k = 0; k < s->nr_exists; k++) {
		const struct explore_cond *c = &res->exists[k];

		bool undecided = !c->yes && !complete;

		cli_sub(subs, undecided ? CLI_SUB_SKIP : CLI_SUB_OK, "exists",
			s->exists[k].text,
			c->yes && (c->no || c->error) ? "Sometimes" :
			c->yes ? (complete ? "Always" : "reached") :
			complete ? "Never" : "search incomplete");
	}
	for (int k = 0; k < s->nr_always; k++)
		cli_sub(subs, res->always[k].no ? CLI_SUB_NOT_OK : CLI_SUB_OK,
			s->always[k].never ? "never" : "always",
			s->always[k].text, NULL);
	if (s->violation >= 0) {
		cli_sub(subs, res->missed_violation ? CLI_SUB_NOT_OK :
			CLI_SUB_OK, "breaks",
			span_invariant_name(s->violation), NULL);
	} else {
		int bad = -1;

		for (int i = 0; i < SPAN_NR_INVARIANTS && bad < 0; i++)
			if (res->viol[i])
				bad = i;
		cli_sub(subs, bad >= 0 ? CLI_SUB_NOT_OK : CLI_SUB_OK,
			"invariants", NULL,
			bad >= 0 ? span_invariant_name(bad) : NULL);
	}
}

/*
 * cli_test_explore - test @n of `spansim test --explore`: explore @s and
 * write one TAP record to @out, and a line per condition (KTAP subtests,
 * unnumbered) to @subs.  An incomplete search is `not ok` with the reason,
 * never ok.  Return: 0 ok, 1 not ok, EXPLORE_EXIT_INCOMPLETE when the
 * search was stopped by a signal (the caller bails out).
 */
int cli_test_explore(int n, const char *file, struct scn *s,
		     struct opts *o, FILE *out, FILE *subs)
{
	struct explore_opts eo = { 0 };
	struct explore_result res;
	char why[128], cl[2048];
	int ret;

	cli_explore_opts(&eo, o);
	eo.progress = EXPLORE_PROGRESS_NONE;	/* stdout is TAP */
	cli_cmdline(cl, sizeof(cl), file, o);
	ret = explore_run(s, &eo, &res);
	if (ret) {
		fprintf(out, "not ok %d - %s # explore: %s\n", n, file,
		       span_strerror(ret));
		return 1;
	}
	if (res.check.diverged) {
		fprintf(out, "not ok %d - %s # checker\n  ---\n  message: ", n, file);
		snprintf(cl, sizeof(cl), "the incremental checker and the full walk disagree %" PRIu64 " times, first at step %" PRIu64 ": %s",
			 res.check.diverged, res.check.diverged_step,
			 res.check.diverged_msg);
		cli_yaml_fstr(out, cl);
		fprintf(out, "\n  ...\n");
		explore_result_free(s, &res);
		return 1;
	}
	explore_subs(subs, s, &res);
	if (explore_passed(s, &res)) {
		fprintf(out, "ok %d - %s # explored: %" PRIu64 " end states, %" PRIu64 " states\n",
		       n, file, res.end_states, res.states);
		explore_result_free(s, &res);
		return 0;
	}
	explore_incomplete_reason(&eo, &res, why, sizeof(why));
	fprintf(out, "not ok %d - %s%s%s\n  ---\n", n, file,
	       res.stop != EXPLORE_COMPLETE ? " # search incomplete: " : "",
	       res.stop != EXPLORE_COMPLETE ? why : "");
	fprintf(out, "  states: %" PRIu64 "\n  end_states: %" PRIu64 "\n",
	       res.states, res.end_states);
	if (res.stop != EXPLORE_COMPLETE) {
		fprintf(out, "  incomplete: ");
		cli_yaml_fstr(out, why);
		fputc('\n', out);
	}
	if (res.errors) {
		fprintf(out, "  error: ");
		cli_yaml_fstr(out, res.error_msg ? res.error_msg : "?");
		fputc('\n', out);
	}
	for (int k = 0; k < s->nr_expects; k++) {
		const struct explore_cond *c = &res.expects[k];

		if (!c->no && !c->error)
			continue;
		fprintf(out, "  failed: ");
		cli_yaml_fstr(out, s->expects[k].text);
		fputc('\n', out);
		if (c->witness_no)
			yaml_command(out, cl, c->witness_no);
	}
	for (int k = 0; k < s->nr_always; k++) {
		if (!res.always[k].no)
			continue;
		fprintf(out, "  failed: ");
		cli_yaml_fstr(out, s->always[k].text);
		fprintf(out, "\n  kind: %s\n", s->always[k].never ? "never" : "always");
		yaml_command(out, cl, res.always[k].witness_no);
	}
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++) {
		if (!res.viol[i] || i == s->violation)
			continue;
		fprintf(out, "  violation: %s\n", span_invariant_name(i));
		yaml_command(out, cl, res.viol_witness[i]);
	}
	if (s->violation >= 0 && res.missed_violation) {
		fprintf(out, "  expected_violation: %s\n  missed_in: %" PRIu64 " end states\n",
		       span_invariant_name(s->violation), res.missed_violation);
		yaml_command(out, cl, res.missed_witness);
	}
	fprintf(out, "  ...\n");
	ret = res.stop == EXPLORE_SIGNAL ? EXPLORE_EXIT_INCOMPLETE : 1;
	explore_result_free(s, &res);
	return ret;
}

/* --- matrix --------------------------------------------------------------- */

#define MATRIX_CELL 32	/* an invariant's name fits */
#define MATRIX_MAX_COLS 32	/* presets and designs (docs/limits.md) */

struct matrix_row {
	char cells[MATRIX_MAX_COLS][MATRIX_CELL];
};

/* the width of the column of @preset: its name, and the longest cell */
static int matrix_colw(const char *preset)
{
	int w = (int)strlen("incomplete");

	for (int i = 0; span_invariant_name(i); i++)
		if ((int)strlen(span_invariant_name(i)) > w)
			w = (int)strlen(span_invariant_name(i));
	return (int)strlen(preset) > w ? (int)strlen(preset) : w;
}

static const char matrix_legend[] =
"legend: a column per preset, then one per --design; expect cells: ok\n"
"  (held at the end of the fifo run) or FAIL; exists cells: yes or no; viol:\n"
"  the run stopped at a broken invariant, named in the file's last row;\n"
"  error: a run-time error; no-memory: the host had no memory (no\n"
"  result).  With --explore: expect\n"
"  cells always, FAILS (some schedule) or NEVER (no end state), exists cells\n"
"  Always, Sometimes or Never, and incomplete where a search was cut short.\n";

/*
 * Explore @s for column @p of @rows.  A cell the search could not decide
 * says "incomplete"; @why gets the reason ("" when complete).
 * Return: EXPLORE_EXIT_INCOMPLETE when a cell says so, else 0.
 */
static int explore_cells(struct scn *s, const struct opts *o,
			 struct matrix_row *rows, int nrows, int p, char *why,
			 size_t whyn)
{
	struct explore_opts eo = { 0 };
	struct explore_result res;
	bool complete, undecided = false, design_error = false;
	const char *v;

	cli_explore_opts(&eo, o);
	if (explore_run(s, &eo, &res)) {
		for (int k = 0; k < nrows; k++)
			strcpy(rows[k].cells[p], "error");
		return 0;
	}
	if (res.design_error) {
		/* the design broke the model's rules: no verdict */
		fprintf(stderr, "spansim matrix: %s\n", res.error_msg);
		design_error = true;
	}
	complete = res.stop == EXPLORE_COMPLETE;
	for (int k = 0; k < s->nr_expects; k++) {
		const struct explore_cond *c = &res.expects[k];

		v = res.errors ? "error" :
		    !c->no && !c->error ? (!complete ? "incomplete" :
					   c->yes ? "always" : "NEVER") :
		    c->yes || !complete ? "FAILS" : "NEVER";
		undecided |= !strcmp(v, "incomplete");
		strcpy(rows[k].cells[p], v);
	}
	for (int k = 0; k < s->nr_exists; k++) {
		const struct explore_cond *c = &res.exists[k];

		v = res.errors ? "error" :
		    c->yes && (c->no || c->error) ? "Sometimes" :
		    !complete ? "incomplete" : c->yes ? "Always" : "Never";
		undecided |= !strcmp(v, "incomplete");
		strcpy(rows[s->nr_expects + k].cells[p], v);
	}
	rows[nrows - 1].cells[p][0] = 0;
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		if (res.viol[i] && !rows[nrows - 1].cells[p][0])
			snprintf(rows[nrows - 1].cells[p], MATRIX_CELL, "%s",
				 span_invariant_name(i));
	if (!rows[nrows - 1].cells[p][0]) {
		strcpy(rows[nrows - 1].cells[p], complete ? "-" : "incomplete");
		undecided |= !complete;
	}
	explore_incomplete_reason(&eo, &res, why, whyn);
	explore_result_free(s, &res);
	return design_error ? 2 : undecided ? EXPLORE_EXIT_INCOMPLETE : 0;
}

static bool matrix_bad_cell(const char *c)
{
	return !strcmp(c, "FAIL") || !strcmp(c, "FAILS") ||
	       !strcmp(c, "NEVER") || !strcmp(c, "viol") ||
	       !strcmp(c, "error") || !strcmp(c, "no-memory");
}

/*
 * --junit: a <testcase> per column of @file, failed when an expect cell
 * fails or an invariant broke there (exists cells are answers, not
 * failures); an incomplete cell makes it an error.  *@nfail and *@nerr
 * count the testcases of each kind.
 */
static void matrix_junit_file(FILE *f, const char *file,
			      const struct scn *base, struct matrix_row *rows,
			      int nrows, int ncol, const char *const *colname,
			      int *nfail, int *nerr)
{
	for (int p = 0; p < ncol; p++) {
		char *why = NULL;
		size_t wl = 0;
		FILE *w = open_memstream(&why, &wl);
		int bad = 0;

		for (int k = 0; w && k < nrows; k++) {
			const char *c = rows[k].cells[p];
			bool inv = k == nrows - 1;

			if (!strcmp(c, "incomplete")) {
				bad = 2;
				fprintf(w, "incomplete: %s\n", inv ? "invariants" :
					k < base->nr_expects ? base->expects[k].text :
					base->exists[k - base->nr_expects].text);
			} else if (k < base->nr_expects ? matrix_bad_cell(c) :
				   inv && strcmp(c, "-")) {
				if (!bad)
					bad = 1;
				fprintf(w, "%s: %s\n", c, inv ? "invariant broken" :
					base->expects[k].text);
			}
		}
		if (w)
			fclose(w);
		fputs("    <testcase classname=\"", f);
		cli_xml(f, file, SIZE_MAX);
		fputs("\" name=\"", f);
		cli_xml(f, colname[p], SIZE_MAX);
		fputs("\"", f);
		if (!bad) {
			fputs("/>\n", f);
		} else {
			fprintf(f, ">\n      <%s message=\"", bad == 2 ? "error" : "failure");
			fputs(bad == 2 ? "search incomplete" :
			      "an expect failed or an invariant broke", f);
			fputs("\">", f);
			cli_xml(f, why ? why : "", SIZE_MAX);
			fprintf(f, "</%s>\n    </testcase>\n",
				bad == 2 ? "error" : "failure");
		}
		free(why);
		*nfail += bad == 1;
		*nerr += bad == 2;
	}
}

/* one file of `spansim matrix --json`: an element of "files" */
static void matrix_json_file(const char *file, const struct scn *base,
			     struct matrix_row *rows, int nrows, int ncol,
			     const char *const *colname, char why[][128],
			     bool override, bool first)
{
	printf("%s{\"file\":", first ? "" : ",");
	report_json_string(stdout, file);
	printf(",\"policy_lines\":%d,\"policy_lines_win\":%s,\"rows\":[",
	       base->nr_policy_lines, override ? "false" : "true");
	for (int k = 0; k < nrows; k++) {
		bool ex = k < base->nr_expects, last = k == nrows - 1;

		printf("%s{\"kind\":\"%s\",\"cond\":", k ? "," : "",
		       ex ? "expect" : last ? "invariant" : "exists");
		report_json_string(stdout, ex ? base->expects[k].text :
				   last ? NULL :
				   base->exists[k - base->nr_expects].text);
		fputs(",\"cells\":[", stdout);
		for (int p = 0; p < ncol; p++) {
			if (p)
				putchar(',');
			report_json_string(stdout, rows[k].cells[p]);
		}
		fputs("]}", stdout);
	}
	fputs("],\"incomplete\":{", stdout);
	for (int p = 0, sep = 0; p < ncol; p++) {
		if (!why[p][0])
			continue;
		if (sep++)
			putchar(',');
		report_json_string(stdout, colname[p]);
		putchar(':');
		report_json_string(stdout, why[p]);
	}
	fputs("}}", stdout);
}

int cmd_matrix(int argc, char **argv)
{
	const char *presets[MATRIX_MAX_COLS], *colname[MATRIX_MAX_COLS];
	int npre = 0, ncol, ret = 0, nfile = 0, jfail = 0, jerr = 0, jn = 0;
	FILE *junit = NULL, *jcases = NULL;
	char *jbuf = NULL;
	size_t jlen = 0;
	bool incomplete = false;
	struct opts o;
	char **files, *plist = NULL;
	int n;

	ret = cli_parse_opts("matrix", argc, argv, &o);
	if (ret < 0) {
		fputs(cli_usage_matrix, stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!o.nfiles)
		return cli_usage_error("matrix", "needs at least one FILE%s", "");
	if (o.presets) {
		struct span_policy p;

		plist = strdup(o.presets);
		if (!plist)
			return 2;
		for (char *tok = strtok(plist, ","); tok;
		     tok = strtok(NULL, ",")) {
			if (span_policy_preset(&p, tok)) {
				free(plist);
				return cli_usage_error("matrix", "unknown preset '%s'", tok);
			}
			if (npre + o.ndesigns == MATRIX_MAX_COLS) {
				free(plist);
				return cli_usage_error("matrix", "more than %s columns (presets and designs)",
						       "32");
			}
			presets[npre++] = tok;
		}
	} else if (o.ndesigns) {
		/* mainline beside the designs, unless --presets says */
		presets[npre++] = span_preset_name(0);
	} else {
		for (int i = 0; span_preset_name(i) && npre < MATRIX_MAX_COLS; i++)
			presets[npre++] = span_preset_name(i);
	}
	/* one column per --design after the presets' */
	ncol = npre;
	if (npre + o.ndesigns > MATRIX_MAX_COLS) {
		free(plist);
		return cli_usage_error("matrix", "more than %s columns (presets and designs)",
				       "32");
	}
	for (int d = 0; d < o.ndesigns; d++)
		colname[ncol++] = o.design[d].ops->name;
	for (int p = 0; p < npre; p++)
		colname[p] = presets[p];
	if (cli_collect(o.files, o.nfiles, &files, &n)) {
		free(plist);
		return 2;
	}
	if (o.junit) {
		junit = fopen(o.junit, "w");
		jcases = junit ? open_memstream(&jbuf, &jlen) : NULL;
		if (!jcases) {
			fprintf(stderr, "spansim matrix: cannot write %s: %s\n",
				o.junit, strerror(errno));
			if (junit)
				fclose(junit);
			cli_free_list(files, n);
			free(plist);
			return 2;
		}
	}
	if ((ret = cli_catch_stop_signals())) {
		fprintf(stderr, "spansim matrix: cannot catch SIGINT/SIGTERM: %s\n",
			strerror(-ret));
		ret = 0;
	}
	if (o.ro.json) {
		printf("{\"matrix\":{\"schema\":1,\"explore\":%s,\"columns\":[",
		       o.explore ? "true" : "false");
		for (int p = 0; p < ncol; p++) {
			printf("%s{\"name\":", p ? "," : "");
			report_json_string(stdout, colname[p]);
			fputs(",\"design\":", stdout);
			report_json_string(stdout, p >= npre ?
					   o.design[p - npre].desc : NULL);
			putchar('}');
		}
		fputs("],\"files\":[", stdout);
	} else {
		for (int d = 0; d < o.ndesigns; d++)
			printf("design %s: %s\n", o.design[d].ops->name,
			       o.design[d].desc);
		printf("%-58s", "condition");
		for (int p = 0; p < ncol; p++)
			printf(" %-*s", matrix_colw(colname[p]), colname[p]);
		putchar('\n');
	}
	fflush(stdout);	/* the header at once, the rows file by file */
	for (int f = 0; f < n; f++) {
		struct scn *base = NULL;
		char err[1024];
		struct matrix_row *rows;
		char why[MATRIX_MAX_COLS][128];
		int nrows;

		if (cli_parse_scn(files[f], &o, NULL, 0, &base, err, sizeof(err))) {
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
		memset(why, 0, sizeof(why));
		for (int p = 0; p < ncol; p++) {
			char pol[64];
			const char *extra[1] = { pol };
			struct scn *s = NULL;
			struct run *r;
			bool ended;

			/* a design's column: its decisions, the file's lines */
			o.ro.design = p >= npre ? o.design[p - npre].ops : NULL;
			o.ro.design_desc = p >= npre ?
					   o.design[p - npre].desc : NULL;
			snprintf(pol, sizeof(pol), "preset=%s",
				 p < npre ? presets[p] : "");
			if (p >= npre ?
			    cli_parse_scn(files[f], &o, NULL, 0, &s, err,
					  sizeof(err)) :
			/* the file's own policy lines win unless overridden */
			    o.presets_override ?
			    cli_parse_scn(files[f], &o, extra, 1, &s, err,
					  sizeof(err)) :
			    cli_parse_scn_base(files[f], &o, extra, 1, NULL, 0,
					       &s, err, sizeof(err))) {
				for (int k = 0; k < nrows; k++)
					strcpy(rows[k].cells[p], "error");
				continue;
			}
			if (cli_stop_signal) {
				/* interrupted: the rest is not run */
				for (int k = 0; k < nrows; k++)
					strcpy(rows[k].cells[p], "incomplete");
				incomplete = true;
				scn_free(s);
				continue;
			}
			if (o.explore) {
				int st = explore_cells(s, &o, rows, nrows, p,
						       why[p], sizeof(why[p]));

				if (st == EXPLORE_EXIT_INCOMPLETE)
					incomplete = true;
				else if (st == 2)
					ret = 2;
				scn_free(s);
				continue;
			}
			r = cli_run_quiet(s, 0, cli_default_max_bytes(),
					  o.ro.design);
			if (r && run_status(r) == RUN_ERROR &&
			    span_world_design_error(run_world(r))) {
				/* the design broke the model's rules */
				fprintf(stderr, "spansim matrix: %s\n",
					run_error(r));
				ret = 2;
			}
			if (!r || run_oom(r)) {
				/* the host had no memory: no result, not a verdict */
				for (int k = 0; k < nrows; k++)
					strcpy(rows[k].cells[p], "no-memory");
				ret = 2;
				run_destroy(r);
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

				snprintf(rows[nrows - 1].cells[p], MATRIX_CELL,
					 "%s",
					 v ? span_invariant_name(v->inv) : "-");
			}
			run_destroy(r);
			scn_free(s);
		}
		if (jcases) {
			matrix_junit_file(jcases, files[f], base, rows, nrows,
					  ncol, colname, &jfail, &jerr);
			jn += ncol;
		}
		if (o.ro.json) {
			matrix_json_file(files[f], base, rows, nrows, ncol,
					 colname, why, o.presets_override,
					 nfile++ == 0);
			fflush(stdout);
			free(rows);
			scn_free(base);
			continue;
		}
		printf("%s\n", files[f]);
		if (base->nr_policy_lines)
			printf("  (the file has %d policy line%s: %s)\n",
			       base->nr_policy_lines,
			       base->nr_policy_lines == 1 ? "" : "s",
			       o.presets_override ?
			       "each column's preset replaces them (--presets-override)" :
			       "they apply after each column's preset and win over it; --presets-override applies the preset last");
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
			for (int p = 0; p < ncol; p++) {
				const char *c = rows[k].cells[p];
				int w = matrix_colw(colname[p]);

				if (cli_paint(c)[0])
					/* the escapes take no columns */
					printf(" %s%s%s%*s", cli_paint(c), c,
					       CLI_RESET(c),
					       w - (int)strlen(c), "");
				else
					printf(" %-*s", w, c);
			}
			putchar('\n');
		}
		for (int p = 0; o.explore && p < ncol; p++)
			if (why[p][0])
				printf("  search incomplete under %s: %s\n",
				       colname[p], why[p]);
		fflush(stdout);
		free(rows);
		scn_free(base);
	}
	if (o.ro.json) {
		printf("],\"complete\":%s,\"interrupted\":",
		       incomplete || cli_stop_signal ? "false" : "true");
		report_json_string(stdout, !cli_stop_signal ? NULL :
				   cli_stop_signal == SIGTERM ? "SIGTERM" :
								"SIGINT");
		fputs("}}\n", stdout);
	} else {
		fputs(matrix_legend, stdout);
	}
	if (cli_stop_signal && !o.ro.json)
		printf("matrix: interrupted by %s: the cells marked incomplete were not run\n",
		       cli_stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
	if (junit) {
		fclose(jcases);
		fprintf(junit, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"spansim matrix\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n",
			jn, jfail, jerr);
		if (jbuf)
			fwrite(jbuf, 1, jlen, junit);
		fputs("  </testsuite>\n</testsuites>\n", junit);
		free(jbuf);
		if (fclose(junit)) {
			fprintf(stderr, "spansim matrix: cannot write %s: %s\n",
				o.junit, strerror(errno));
			ret = 2;
		}
	}
	cli_free_list(files, n);
	free(plist);
	if (!ret && incomplete)
		ret = EXPLORE_EXIT_INCOMPLETE;
	return ret;
}

