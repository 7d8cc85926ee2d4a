// SPDX-License-Identifier: MIT
/*
 * explore_report.c - what a search found, in text or JSON, and the
 * shrinking of counterexamples (replays with steps left out).
 *
 * Not a kernel file.  "Never", "holds" and PASS are printed only after a
 * complete search; an incomplete one says what it covered and why it
 * stopped.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explore_int.h"

/* --- shrinking ---------------------------------------------------------- */

/* replay @sched; does it fail as (@kind, @idx)? */
static bool fails_same(const struct scn *s,
		       const struct span_design_ops *design, const char *sched,
		       int kind, int idx)
{
	struct run_opts ro = { .sched = SCHED_GIVEN, .schedule = sched,
			       .quiet = true, .design = design };
	struct run *r;
	bool same = false;

	if (run_create(s, &ro, &r))
		return false;
	run_to_end(r);
	if (run_status(r) != RUN_BAD_SCHEDULE) {
		run_finish(r);
		switch (kind) {
		case 0:
			same = (run_status(r) == RUN_DONE ||
				run_status(r) == RUN_DEADLOCK) &&
			       !run_expects(r)[idx].value && !run_expects(r)[idx].error;
			break;
		case 1:
			same = run_status(r) == RUN_VIOLATION &&
			       run_violation(r)->inv == idx;
			break;
		default:
			same = !(run_status(r) == RUN_VIOLATION &&
				 run_violation(r)->inv == s->violation) &&
			       run_status(r) != RUN_ERROR;
		}
	}
	run_destroy(r);
	return same;
}

/* expand "a*3,b" into tokens */
static int tokens(const char *sched, char ***out)
{
	char **v = NULL;
	int n = 0;

	while (*sched) {
		size_t l = strcspn(sched, ",");
		char tok[64];
		unsigned long k = 1;
		const char *star = memchr(sched, '*', l);
		size_t tl = star ? (size_t)(star - sched) : l;

		if (tl >= sizeof(tok))
			tl = sizeof(tok) - 1;
		memcpy(tok, sched, tl);
		tok[tl] = 0;
		if (star)
			k = strtoul(star + 1, NULL, 10);
		for (unsigned long i = 0; i < k; i++) {
			char **nv = realloc(v, (size_t)(n + 1) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			v[n++] = strdup(tok);
		}
		sched += l;
		if (*sched)
			sched++;
	}
	*out = v;
	return n;
}

static char *join(char **v, int n, const bool *skip)
{
	size_t len = 1;
	char *s, *p;
	int i = 0;

	for (int k = 0; k < n; k++)
		len += strlen(v[k]) + 24;
	s = p = calloc(1, len);
	if (!s)
		return NULL;
	while (i < n) {
		int j = i;

		if (skip && skip[i]) {
			i++;
			continue;
		}
		/* run-length encode runs of one token */
		for (j = i + 1; j < n && (!skip || !skip[j]); j++)
			if (strcmp(v[j], v[i]))
				break;
		if (p != s)
			*p++ = ',';
		p += j - i > 1 ? sprintf(p, "%s*%d", v[i], j - i) :
				 sprintf(p, "%s", v[i]);
		i = j;
	}
	return s;
}

char *explore_shrink(const struct scn *s,
		     const struct span_design_ops *design,
		     const char *schedule, int kind,
		     int idx)
{
	char **v;
	int n = tokens(schedule, &v);
	bool *skip = calloc((size_t)n + 1, sizeof(bool));
	bool changed = true;
	char *best = NULL;

	if (!skip)
		goto out;
	/* drop single steps, from the end, while the failure persists */
	while (changed) {
		changed = false;
		for (int i = n - 1; i >= 0; i--) {
			char *cand;

			if (skip[i])
				continue;
			skip[i] = true;
			cand = join(v, n, skip);
			if (cand && fails_same(s, design, cand, kind, idx))
				changed = true;
			else
				skip[i] = false;
			free(cand);
		}
	}
	best = join(v, n, skip);
out:
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(skip);
	return best;
}

/* --- the report ------------------------------------------------------------ */

/* Always/Sometimes/Never; after an incomplete search only what is
 * definite ("Sometimes": both seen), NULL otherwise */
static const char *verdict(const struct explore_cond *c, bool complete)
{
	if (c->yes && (c->no || c->error))
		return "Sometimes";
	if (!complete)
		return NULL;
	return c->yes ? "Always" : "Never";
}

/* @str as a JSON string (or null) */
static void json_str(FILE *out, const char *str)
{
	report_json_string(out, str);
}

static void explore_report_json(const struct scn *s,
				const struct explore_opts *o,
				const struct explore_result *res, FILE *out)
{
	double n = (double)res->states;
	/* birthday bound for 96-bit hashes */
	double pcoll = n * n / 2.0 / 79228162514264337593543950336.0;
	bool complete = res->stop == EXPLORE_COMPLETE;
	char why[256];

	explore_incomplete_reason(o, res, why, sizeof(why));
	fputs("{\"explore\":{\"schema\":1,", out);
	if (o->design) {
		fputs("\"design\":", out);
		json_str(out, o->design_desc ? o->design_desc : o->design->name);
		fputc(',', out);
	}
	fprintf(out, "\"scenario\":\"%s\",\"states\":%" PRIu64
		",\"transitions\":%" PRIu64 ",\"end_states\":%" PRIu64
		",\"complete\":%s,\"incomplete_reason\":%s%s%s"
		",\"truncated\":%s,\"seconds\":%.6f,\"states_per_second\":%.0f"
		",\"bytes_per_state\":%zu,\"table_bytes\":%zu,\"peak_snapshot_bytes\":%zu"
		",\"peak_memory_bytes\":%zu"
		",\"collision_probability\":%.3g,\"bitstate_bytes\":%" PRIu64
		",\"bitstate_expected_missed\":%.3g,\"reduction\":\"%s\",\"traces\":%" PRIu64
		",\"pass\":%s,\"expect\":[",
		s->name, res->states, res->transitions, res->end_states,
		complete ? "true" : "false", complete ? "" : "\"",
		complete ? "null" : why, complete ? "" : "\"",
		res->truncated ? "true" : "false", res->seconds,
		res->seconds > 0 ? n / res->seconds : 0.0,
		sizeof(struct vslot), res->table_bytes, res->peak_bytes,
		res->mem_bytes, pcoll, o->bitstate_bytes, res->bitstate_missed,
		res->reduction == EXPLORE_RED_DPOR ? "dpor" :
		res->reduction == EXPLORE_RED_SLEEP ? "sleep" : "none",
		res->traces, explore_passed(s, res) ? "true" : "false");
	/* schedules are thread names, '@', digits, '*' and ',' */
	for (int i = 0; i < s->nr_expects; i++)
	{
		fprintf(out, "%s{\"line\":%d,\"cond\":", i ? "," : "",
			s->expects[i].line);
		json_str(out, s->expects[i].text);
		fprintf(out, ",\"holds\":%" PRIu64 ",\"fails\":%" PRIu64
			",\"errors\":%" PRIu64 ",\"counterexample\":%s%s%s}",
			res->expects[i].yes, res->expects[i].no,
			res->expects[i].error,
			res->expects[i].witness_no ? "\"" : "",
			res->expects[i].witness_no ? res->expects[i].witness_no : "null",
			res->expects[i].witness_no ? "\"" : "");
	}
	fputs("],\"exists\":[", out);
	for (int i = 0; i < s->nr_exists; i++) {
		const char *v = verdict(&res->exists[i], complete);

		fprintf(out, "%s{\"line\":%d,\"cond\":", i ? "," : "",
			s->exists[i].line);
		json_str(out, s->exists[i].text);
		fprintf(out, ",\"verdict\":\"%s\",\"yes\":%" PRIu64 ",\"no\":%" PRIu64
			",\"errors\":%" PRIu64 ",\"witness\":%s%s%s,\"witness_no\":",
			v ? v : "incomplete",
			res->exists[i].yes, res->exists[i].no,
			res->exists[i].error,
			res->exists[i].witness_yes ? "\"" : "",
			res->exists[i].witness_yes ? res->exists[i].witness_yes : "null",
			res->exists[i].witness_yes ? "\"" : "");
		json_str(out, res->exists[i].witness_no);
		fputc('}', out);
	}
	fputs("],\"always\":[", out);
	for (int i = 0; i < s->nr_always; i++) {
		fprintf(out, "%s{\"line\":%d,\"cond\":", i ? "," : "",
			s->always[i].line);
		json_str(out, s->always[i].text);
		fprintf(out, ",\"kind\":\"%s\",\"fails\":%" PRIu64
			",\"counterexample\":%s%s%s}",
			s->always[i].never ? "never" : "always", res->always[i].no,
			res->always[i].witness_no ? "\"" : "",
			res->always[i].witness_no ? res->always[i].witness_no : "null",
			res->always[i].witness_no ? "\"" : "");
	}
	fputs("],\"violations\":{", out);
	for (int i = 0, first = 1; i < SPAN_NR_INVARIANTS; i++)
		if (res->viol[i]) {
			fprintf(out, "%s\"%s\":{\"end_states\":%" PRIu64
				",\"witness\":\"%s\"}", first ? "" : ",",
				span_invariant_name(i), res->viol[i],
				res->viol_witness[i] ? res->viol_witness[i] : "");
			first = 0;
		}
	/* what `spansim merge` needs besides the above */
	fprintf(out, "},\"max_depth\":%" PRIu64 ",\"errors\":%" PRIu64
		",\"error_message\":", res->max_depth, res->errors);
	json_str(out, res->error_msg);
	fprintf(out, ",\"missed_violation\":%" PRIu64 ",\"missed_witness\":",
		res->missed_violation);
	json_str(out, res->missed_witness);
	fprintf(out, ",\"pruned_sleep\":%" PRIu64 ",\"reduction_note\":",
		res->pruned_sleep);
	json_str(out, res->reduction_note);
	if (o->shard_count > 0)
		fprintf(out, ",\"shard_search\":{\"index\":%d,\"count\":%d,\"depth\":%d"
			",\"prefix_states\":%" PRIu64 ",\"frontier\":%" PRIu64
			",\"owned\":%" PRIu64 "}",
			o->shard_index, o->shard_count, res->shard_depth,
			res->shard_prefix, res->shard_frontier, res->shard_owned);
	if (o->json_extra)
		fprintf(out, ",%s", o->json_extra);
	fputs("}}\n", out);
}

void explore_report(const struct scn *s, const struct explore_opts *o,
		    const struct explore_result *res, bool json, FILE *out)
{
	double n = (double)res->states;
	double pcoll = n * n / 2.0 / 79228162514264337593543950336.0;
	const char *cl = o->cmdline ? o->cmdline : "spansim run FILE";
	bool complete = res->stop == EXPLORE_COMPLETE;
	/* no shrinking (more runs) when the user wants out, or memory is short */
	bool shrink = o->shrink && res->stop != EXPLORE_MAX_TIME &&
		      res->stop != EXPLORE_SIGNAL && res->stop != EXPLORE_OOM;
	char why[256];

	if (json) {
		explore_report_json(s, o, res, out);
		return;
	}
	explore_incomplete_reason(o, res, why, sizeof(why));
	fprintf(out, "Explore %s\n", s->name);
	if (o->design)
		fprintf(out, "Design %s\n", o->design_desc ? o->design_desc :
						  o->design->name);
	fprintf(out, "States %" PRIu64 "  Transitions %" PRIu64 "  End states %" PRIu64 "\n",
		res->states, res->transitions, res->end_states);
	if (!complete)
		fprintf(out, "search incomplete (%s): the verdicts below cover only the states explored\n",
			why);
	fprintf(out, "Time %.3fs  %.0f states/s  max depth %" PRIu64 "\n",
		res->seconds, res->seconds > 0 ? n / res->seconds : 0.0,
		res->max_depth);
	if (o->bitstate_bytes && res->reduction != EXPLORE_RED_DPOR)
		fprintf(out, "Memory: bitstate %.1f KiB (%d bits per state; expected states missed by hash collisions: %.2g), snapshots %.1f KiB at the deepest\n",
			o->bitstate_bytes / 1024.0, BITSTATE_K, res->bitstate_missed,
			res->peak_bytes / 1024.0);
	else if (res->reduction == EXPLORE_RED_DPOR)
		fprintf(out, "Memory: checkpoints %.1f KiB at the most, explorer %.1f KiB at the peak\n",
			res->peak_bytes / 1024.0, res->mem_bytes / 1024.0);
	else
		fprintf(out, "Memory: visited set %.1f KiB (%zu bytes per state, 96-bit hashes: collision probability %.2g), snapshots %.1f KiB at the deepest, explorer %.1f KiB at the peak\n",
			res->table_bytes / 1024.0, sizeof(struct vslot), pcoll,
			res->peak_bytes / 1024.0, res->mem_bytes / 1024.0);
	if (res->reduction == EXPLORE_RED_DPOR)
		fprintf(out, "Reduction: DPOR, %" PRIu64 " schedules (traces); states are not stored\n",
			res->traces);
	else if (res->reduction == EXPLORE_RED_SLEEP)
		fprintf(out, "Reduction: sleep sets skipped %" PRIu64 " transitions%s%s%s\n",
			res->pruned_sleep,
			res->reduction_note ? " (no DPOR: " : "",
			res->reduction_note ? res->reduction_note : "",
			res->reduction_note ? ")" : "");
	else
		fprintf(out, "Reduction: none%s\n",
			o->bitstate_bytes ? " (--bitstate: no sleep sets)" : "");
	if (o->shard_count > 0)
		fprintf(out, "Shard %d/%d: %" PRIu64 " states searched by every shard (depth < %d), %" PRIu64 " at depth %d, %" PRIu64 " of them this shard's\n",
			o->shard_index, o->shard_count, res->shard_prefix,
			res->shard_depth, res->shard_frontier, res->shard_depth, res->shard_owned);
	if (o->preemptions >= 0)
		fprintf(out, "Preemption bound %d: %" PRIu64 " transitions not explored\n",
			o->preemptions, res->pruned_preempt);
	if (res->errors)
		fprintf(out, "ERROR in %" PRIu64 " end states: %s\n", res->errors,
			res->error_msg ? res->error_msg : "?");
	for (int i = 0; i < s->nr_expects; i++) {
		const struct explore_cond *c = &res->expects[i];

		fprintf(out, "expect %s: ", s->expects[i].text);
		if (!c->no && !c->error) {
			if (complete)
				fprintf(out, "holds in all %" PRIu64 " end states\n", c->yes);
			else
				fprintf(out, "no counterexample in the %" PRIu64 " end states explored (search incomplete)\n",
					c->yes);
			continue;
		}
		fprintf(out, "FAILS in %" PRIu64 " of %s%" PRIu64 " end states%s\n",
			c->no, complete ? "" : "the ", c->yes + c->no + c->error,
			complete ? "" : " explored (search incomplete)");
		if (c->witness_no) {
			char *sh = shrink ? explore_shrink(s, o->design, c->witness_no, 0, i) : NULL;

			fprintf(out, "  counterexample (%zu steps): %s --schedule '%s'\n",
				c->len_no, cl, c->witness_no);
			if (sh && strcmp(sh, c->witness_no))
				fprintf(out, "  shrunk (%zu steps): %s --schedule '%s'\n",
					explore__sched_steps(sh), cl, sh);
			free(sh);
		}
	}
	for (int i = 0; i < s->nr_always; i++) {
		const struct explore_cond *c = &res->always[i];
		const char *kw = s->always[i].never ? "never" : "always";

		if (!c->no) {
			fprintf(out, "%s %s: %s %" PRIu64 " states%s\n", kw,
				s->always[i].text,
				complete ? "holds in all" : "no counterexample in the",
				res->states, complete ? "" : " explored (search incomplete)");
			continue;
		}
		fprintf(out, "%s %s: FAILS\n  counterexample (%zu steps): %s --schedule '%s'\n",
			kw, s->always[i].text, c->len_no, cl, c->witness_no);
	}
	for (int i = 0; i < s->nr_exists; i++) {
		const struct explore_cond *c = &res->exists[i];
		const char *v = verdict(c, complete);

		fprintf(out, "exists %s: %s (%" PRIu64 " yes, %" PRIu64 " no)\n",
			s->exists[i].text,
			v ? v : c->yes ? "seen in every end state explored, Always not established (search incomplete)" :
					 "not seen (search incomplete)",
			c->yes, c->no);
		if (c->witness_yes)
			fprintf(out, "  witness: %s --schedule '%s'\n", cl,
				c->witness_yes);
	}
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++) {
		char *sh;

		if (!res->viol[i])
			continue;
		fprintf(out, "%s %s in %" PRIu64 " end states\n",
			i == s->violation ? "expected violation" : "invariant broken:",
			span_invariant_name(i), res->viol[i]);
		fprintf(out, "  %s (%zu steps): %s --schedule '%s'\n",
			i == s->violation ? "witness" : "counterexample",
			res->viol_len[i], cl, res->viol_witness[i]);
		if (i == s->violation || !shrink)
			continue;
		sh = explore_shrink(s, o->design, res->viol_witness[i], 1, i);
		if (sh && strcmp(sh, res->viol_witness[i]))
			fprintf(out, "  shrunk (%zu steps): %s --schedule '%s'\n",
				explore__sched_steps(sh), cl, sh);
		free(sh);
	}
	if (s->violation >= 0 && res->missed_violation)
		fprintf(out, "expect violation %s: FAILS: %" PRIu64 " end states do not break it\n  counterexample: %s --schedule '%s'\n",
			span_invariant_name(s->violation), res->missed_violation,
			cl, res->missed_witness);
	else if (s->violation >= 0 && !complete)
		fprintf(out, "expect violation %s: every end state explored breaks it (search incomplete)\n",
			span_invariant_name(s->violation));
	if (complete)
		fprintf(out, "Result: %s%s%s\n",
			!o->color ? "" : explore_passed(s, res) ? "\033[32m" :
								  "\033[31m",
			explore_passed(s, res) ? "PASS" : "FAIL",
			o->color ? "\033[0m" : "");
	else if (res->errors || explore_failed(s, res))
		fprintf(out, "Result: FAIL (search incomplete: %s)\n", why);
	else
		fprintf(out, "Result: INCOMPLETE (%s)\n", why);
}
