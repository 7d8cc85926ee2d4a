/* SPDX-License-Identifier: MIT */
/*
 * explore.h - exhaustive exploration of every schedule of a scenario.
 */
#ifndef SPANSIM_EXPLORE_H
#define SPANSIM_EXPLORE_H

#include "run.h"

struct explore_opts {
	uint64_t max_states;	/* 0: 10 million */
	int preemptions;	/* -1: unbounded */
	bool no_reduction;	/* no sleep sets (state caching stays) */
	bool progress;		/* progress lines on stderr */
	bool shrink;		/* shrink counterexamples */
	const char *cmdline;	/* how to replay, without --schedule */
};

/* A verdict on one condition over every end state. */
struct explore_cond {
	uint64_t yes, no, error;
	char *witness_yes;	/* shortest schedule ending with it true */
	char *witness_no;	/* shortest schedule ending with it false */
	size_t len_yes, len_no;	/* their lengths in steps */
};

struct explore_result {
	uint64_t states;	/* distinct states visited */
	uint64_t transitions;
	uint64_t end_states;
	uint64_t pruned_sleep;	/* transitions skipped by sleep sets */
	uint64_t pruned_preempt;
	uint64_t max_depth;
	bool truncated;		/* max_states reached */
	double seconds;
	size_t table_bytes;	/* the visited set */
	size_t peak_bytes;	/* snapshots on the stack, at the deepest */
	struct explore_cond *expects, *exists;
	/* broken invariants, by enum span_invariant, and run errors */
	uint64_t viol[SPAN_NR_INVARIANTS];
	char *viol_witness[SPAN_NR_INVARIANTS];
	size_t viol_len[SPAN_NR_INVARIANTS];
	uint64_t errors;
	char *error_msg;
	/* for `expect violation`: end states that did not break it */
	uint64_t missed_violation;
	char *missed_witness;
	size_t missed_len;
};

int explore_run(const struct scn *s, const struct explore_opts *o,
		struct explore_result *res);
void explore_result_free(const struct scn *s, struct explore_result *res);
/** explore_passed - every expect held in every end state, no invariant
 * broke (or, for `expect violation`, every end state broke it). */
bool explore_passed(const struct scn *s, const struct explore_result *res);
void explore_report(const struct scn *s, const struct explore_opts *o,
		    const struct explore_result *res, bool json, FILE *out);
/**
 * explore_shrink - shorten a failing schedule: drop steps while the run
 * still fails the same way (@kind 0: expect @idx false; 1: invariant @idx;
 * 2: an end state without the expected violation).  Returns a new string.
 */
char *explore_shrink(const struct scn *s, const char *schedule, int kind,
		     int idx);

#endif
