/* SPDX-License-Identifier: MIT */
/*
 * explore_int.h - what the searches of explore.c (stateful, sleep sets)
 * and dpor.c (stateless, dynamic partial-order reduction) share.
 */
#ifndef SPANSIM_EXPLORE_INT_H
#define SPANSIM_EXPLORE_INT_H

#include "explore.h"

struct vslot {
	uint64_t h;		/* hash bits 0..63 (never 0) */
	uint32_t h2;		/* hash bits 64..95 */
	uint32_t sleep;		/* sleep set it was explored with */
};

struct vset {
	struct vslot *v;
	size_t cap, n;
	size_t first;		/* the capacity of its first allocation */
};

struct xframe;
struct dpor;

struct xctx {
	const struct scn *s;
	const struct explore_opts *o;
	struct explore_result *res;
	struct run *r;
	struct vset vs;
	struct xframe *stack;
	int depth, cap;
	size_t snap_bytes;
	size_t dpor_bytes;	/* dpor.c: steps, nodes, the frontier */
	int red;		/* enum explore_reduction in use */
	int dpor_depth;		/* dpor.c: steps on the current schedule */
	int depth_base;		/* --shard: the depth of the frontier state
				 * the stack starts at */
	uint8_t *bits;		/* --bitstate: the bit array */
	uint64_t nbits;
	double t0, last_progress;
	bool progressed;	/* a progress line was printed */
	bool oom;
	bool too_wide;		/* a state had more than MAX_CHOICES steps */
};

/* bits per state of --bitstate (explore.c; the report prints it) */
#define BITSTATE_K 3

double explore__now(void);
/* the number of steps of a schedule string ("a*3,b" is 4) */
size_t explore__sched_steps(const char *s);
/* an end state: count its verdicts, keep witnesses (x->r is finished) */
void explore__end_state(struct xctx *x);
size_t explore__mem_bytes(const struct xctx *x);
void explore__progress(struct xctx *x, double t);
/* after a step: a state that broke an always/never line (@before: what
 * run_always_broken() said before the step) */
void explore__check_always(struct xctx *x, int before);
/* should the search stop before the next transition?  Sets res->stop. */
bool explore__bound_hit(struct xctx *x, uint64_t max_states, double t);

/* dpor.c: 0 done (res filled, maybe incomplete), -EOPNOTSUPP when the
 * scenario needs what DPOR does not handle yet (res->reduction_note says
 * what; nothing in res counts), -ENOMEM */
int explore__dpor(struct xctx *x);

#endif
