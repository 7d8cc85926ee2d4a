/* SPDX-License-Identifier: MIT */
/*
 * explore.h - exhaustive exploration of every schedule of a scenario.
 */
#ifndef SPANSIM_EXPLORE_H
#define SPANSIM_EXPLORE_H

#include <signal.h>
#include <stdio.h>

#include "run.h"

/* Exit statuses of `spansim explore` and `spansim matrix --explore`. */
#define EXPLORE_EXIT_PASS	0	/* complete, every expectation held */
#define EXPLORE_EXIT_FAIL	1	/* a counterexample or broken invariant */
#define EXPLORE_EXIT_ERROR	2	/* usage, scenario or run-time error */
#define EXPLORE_EXIT_INCOMPLETE	4	/* stopped early, nothing failed so far */

/* explore_opts.progress */
enum explore_progress {
	EXPLORE_PROGRESS_NONE,
	EXPLORE_PROGRESS_LOG,	/* a line every 5 s (logs) */
	EXPLORE_PROGRESS_TTY,	/* one line rewritten every second */
};

/* explore_opts.reduction */
enum explore_reduction {
	EXPLORE_RED_DPOR,	/* stateless, dynamic partial-order reduction
				 * (falls back to SLEEP where it cannot) */
	EXPLORE_RED_SLEEP,	/* stateful: visited set and sleep sets */
	EXPLORE_RED_NONE,	/* stateful, every interleaving */
};

struct explore_opts {
	uint64_t max_states;	/* 0: 10 million */
	double max_seconds;	/* 0: no limit */
	uint64_t max_bytes;	/* explorer memory (see mem_bytes); 0: none */
	/* set (to a signal number) by a signal handler: stop; may be NULL */
	volatile sig_atomic_t *stop;
	int preemptions;	/* -1: unbounded */
	bool no_reduction;	/* no sleep sets (state caching stays):
				 * the same as reduction = EXPLORE_RED_NONE */
	int reduction;		/* enum explore_reduction */
	int progress;		/* enum explore_progress, on stderr */
	bool shrink;		/* shrink counterexamples */
	/* > 0: the stateful search stores states as bits in an array of this
	 * many bytes (Holzmann's bitstate hashing, 3 bits per state) instead
	 * of a visited set; no sleep sets (they need each state's own) */
	uint64_t bitstate_bytes;
	const char *cmdline;	/* how to replay, without --schedule */
	int check_mode;		/* enum span_check_mode; 0: the default */
	/*
	 * --shard I/N (shard_count > 0): every state reachable in fewer than
	 * shard_depth steps (breadth first; 0: the first depth at which
	 * EXPLORE_SHARD_ROOTS * N states are new, or the states before it are
	 * EXPLORE_SHARD_PREFIX * N or more) is explored by every shard;
	 * a state first reached at that depth is explored further only by
	 * the shard with explore_shard_owner() == shard_index - 1.  Implies
	 * the stateful search (DPOR becomes EXPLORE_RED_NONE: sleep sets
	 * with a visited set reach an order-dependent set of states).
	 */
	int shard_index, shard_count, shard_depth;
	/* each distinct state this search counts: its 64-bit fingerprint,
	 * little-endian (8 bytes per state), for `spansim merge`; or NULL */
	FILE *states_out;
	/* a JSON member ("key":value) the JSON report adds, or NULL */
	const char *json_extra;
	/* the design that decides (span/design.h); NULL: "knobs" */
	const struct span_design_ops *design;
	const char *design_desc;	/* for the report */
	bool color;		/* the report's verdict in ANSI colour */
};

/* --shard: the frontier has at least this many states per shard */
#define EXPLORE_SHARD_ROOTS 16
/* --shard: or the shared prefix has this many states per shard */
#define EXPLORE_SHARD_PREFIX 256
/* --shard: the deepest the shared prefix goes (it is searched breadth
 * first, a level of snapshots at a time) */
#define EXPLORE_SHARD_MAX_DEPTH 1000

/* Why a search ended. */
enum explore_stop {
	EXPLORE_COMPLETE,	/* every reachable state explored */
	EXPLORE_MAX_STATES,
	EXPLORE_MAX_TIME,
	EXPLORE_MAX_MEMORY,
	EXPLORE_SIGNAL,		/* *explore_opts.stop was set */
	EXPLORE_OOM,		/* an allocation failed */
	EXPLORE_TOO_WIDE,	/* a state had more enabled steps than the
				 * explorer keeps (EXPLORE_MAX_CHOICES) */
	EXPLORE_BITSTATE,	/* bitstate hashing may have missed 0.01
				 * states or more (expected) */
	EXPLORE_SHARDS,		/* merged shards: one was incomplete or
				 * missing (explore_result.stop_note) */
};

/* The most enabled steps of one state the explorer branches over. */
#define EXPLORE_MAX_CHOICES 320

/* A verdict on one condition over every end state. */
struct explore_cond {
	uint64_t yes, no, error;
	char *witness_yes;	/* shortest schedule ending with it true */
	char *witness_no;	/* shortest schedule ending with it false */
	size_t len_yes, len_no;	/* their lengths in steps */
};

struct explore_result {
	/* distinct states visited (DPOR: states on each schedule, counted
	 * again when two schedules share them) */
	uint64_t states;
	uint64_t traces;	/* DPOR: schedules run to their end */
	/* bitstate: the expected number of states missed because all their
	 * bits were set by others (the sum, over each state stored, of the
	 * chance that a new state would have been taken for a stored one) */
	double bitstate_missed;
	int reduction;		/* enum explore_reduction: what was used */
	const char *reduction_note;	/* why DPOR fell back, or NULL */
	uint64_t transitions;
	uint64_t end_states;
	uint64_t pruned_sleep;	/* transitions skipped by sleep sets */
	uint64_t pruned_preempt;
	uint64_t max_depth;
	enum explore_stop stop;
	int stop_signal;	/* EXPLORE_SIGNAL: which */
	bool truncated;		/* stop != EXPLORE_COMPLETE */
	double seconds;
	size_t table_bytes;	/* the visited set */
	size_t peak_bytes;	/* snapshots on the stack, at the deepest */
	/* the explorer's memory at its peak: visited set + snapshots on the
	 * DFS stack + the stack's frames (what --max-memory bounds) */
	size_t mem_bytes;
	struct explore_cond *expects, *exists;
	/* always/never lines: .no counts the steps that broke one (first
	 * breaks only), .witness_no the shortest schedule to it */
	struct explore_cond *always;
	/* broken invariants, by enum span_invariant, and run errors */
	uint64_t viol[SPAN_NR_INVARIANTS];
	char *viol_witness[SPAN_NR_INVARIANTS];
	size_t viol_len[SPAN_NR_INVARIANTS];
	uint64_t errors;
	char *error_msg;
	bool design_error;	/* an error was the design's (span/design.h) */
	/* for `expect violation`: end states that did not break it */
	uint64_t missed_violation;
	char *missed_witness;
	size_t missed_len;
	/* what the checker did over the whole search (check_mode verify:
	 * .diverged counts its disagreements with the full walk) */
	struct span_check_stats check;
	/* --shard: the depth of the frontier, its states, those this shard
	 * explored further, and the states of the shared prefix */
	int shard_depth;
	uint64_t shard_frontier, shard_owned, shard_prefix;
	/* a shard's part: it may hold no end state (not a failure) */
	bool shard_part;
	char *stop_note;	/* EXPLORE_SHARDS: why (allocated) */
};

/**
 * explore_run - search every schedule of @s, or until a bound of @o, a
 * signal or an allocation failure stops it (@res->stop says which; what was
 * found so far is kept).  Return: 0, or -errno when there is no result
 * (then @res is empty).
 */
int explore_run(const struct scn *s, const struct explore_opts *o,
		struct explore_result *res);
void explore_result_free(const struct scn *s, struct explore_result *res);
/** explore_result_alloc - an empty, complete result for @s (its per-line
 * tables allocated), to fill and explore_result_merge() into: 0, -ENOMEM. */
int explore_result_alloc(const struct scn *s, struct explore_result *res);
/**
 * explore_result_merge - add @part (a shard's result) into @into: counts
 * add up, the shortest witnesses stay, the first incomplete shard's stop
 * and note stay.  @into->states becomes the sum (an upper bound: the
 * shared prefix is in every shard).  0 or -ENOMEM.
 */
int explore_result_merge(const struct scn *s, struct explore_result *into,
			 const struct explore_result *part);
/** explore_shard_owner - which shard (0..@n-1) explores a frontier state
 * of hash @h further. */
int explore_shard_owner(const uint64_t h[2], int n);
/** explore_sched_steps - the steps of a schedule string ("a*3,b": 4). */
size_t explore_sched_steps(const char *sched);
/** explore_passed - the search was complete, every expect held in every
 * end state, no invariant broke (or, for `expect violation`, every end
 * state broke it). */
bool explore_passed(const struct scn *s, const struct explore_result *res);
/** explore_failed - a definite failure: a counterexample to an expect, a
 * broken invariant, or an end state without the expected violation. */
bool explore_failed(const struct scn *s, const struct explore_result *res);
/** explore_exit_status - one of EXPLORE_EXIT_*. */
int explore_exit_status(const struct scn *s, const struct explore_result *res);
/** explore_incomplete_reason - "max-states 1000 reached", ... or "" when
 * the search was complete; in @buf. */
const char *explore_incomplete_reason(const struct explore_opts *o,
				      const struct explore_result *res,
				      char *buf, size_t n);
void explore_report(const struct scn *s, const struct explore_opts *o,
		    const struct explore_result *res, bool json, FILE *out);
/**
 * explore_shrink - shorten a failing schedule: drop steps while the run
 * still fails the same way (@kind 0: expect @idx false; 1: invariant @idx;
 * 2: an end state without the expected violation).  Returns a new string.
 */
char *explore_shrink(const struct scn *s,
		     const struct span_design_ops *design,
		     const char *schedule, int kind,
		     int idx);

#endif
