// SPDX-License-Identifier: MIT
/*
 * cmd_explore.c - `spansim explore` and `spansim matrix`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "explore.h"

const char cli_usage_matrix[] =
"usage: spansim matrix FILE... [--presets A,B,...] [--explore [--max-states N]]\n"
"\n"
"Runs every file under every preset (default: all presets; the preset\n"
"replaces the file's own policy lines) and prints one table: a row per\n"
"expect/exists, a column per preset.  expect cells are ok/FAIL, exists\n"
"cells yes/no for the fifo run; 'viol' means an invariant broke first.\n"
"With --explore every cell covers every interleaving: expect cells are\n"
"always/FAILS/NEVER, exists cells Always/Sometimes/Never.\n";

const char cli_usage_explore[] =
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

/* --- explore -------------------------------------------------------------- */

int cmd_explore(int argc, char **argv)
{
	struct explore_opts eo = { 0 };
	struct explore_result res;
	struct opts o;
	struct scn *s = NULL;
	char err[1024], cl[2048];
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

/* --- matrix --------------------------------------------------------------- */

int cmd_matrix(int argc, char **argv)
{
	const char *presets[32];
	int npre = 0, ret = 0;
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
		for (char *tok = strtok(plist, ","); tok && npre < 32;
		     tok = strtok(NULL, ",")) {
			if (span_policy_preset(&p, tok)) {
				free(plist);
				return cli_usage_error("matrix", "unknown preset '%s'", tok);
			}
			presets[npre++] = tok;
		}
	} else {
		for (int i = 0; span_preset_name(i) && npre < 32; i++)
			presets[npre++] = span_preset_name(i);
	}
	if (cli_collect(o.files, o.nfiles, &files, &n)) {
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
		for (int p = 0; p < npre; p++) {
			char pol[64];
			const char *extra[1] = { pol };
			struct scn *s = NULL;
			struct run *r;
			bool ended;

			snprintf(pol, sizeof(pol), "preset=%s", presets[p]);
			if (cli_parse_scn(files[f], &o, extra, 1, &s, err, sizeof(err))) {
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
			r = cli_run_quiet(s);
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
	cli_free_list(files, n);
	free(plist);
	return ret;
}

