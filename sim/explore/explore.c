// SPDX-License-Identifier: MIT
/*
 * explore.c - model checking: every schedule of a scenario.
 *
 * Not a kernel file.  Depth-first search over the enabled steps (thread
 * steps, blocked attempts and kernel events) of a run, with
 *  - snapshots of the whole run (world and runner) to backtrack;
 *  - a visited set of states, 16 bytes each: a 96-bit hash of the state
 *    and the 32-bit sleep set it was explored with;
 *  - sleep sets from step footprints (partial-order reduction): after a
 *    step t has been explored from a state, t sleeps in the sibling
 *    subtrees until a step that conflicts with it runs.  A revisited state
 *    is pruned only when it was explored with a sleep set no larger than
 *    the current one; otherwise it is explored again with the
 *    intersection, so no reachable end state is lost (Godefroid, "Partial-
 *    Order Methods for the Verification of Concurrent Systems", ch. 5-6).
 * Kernel events never sleep: they are always explored.
 *
 * A search ends complete, or stops early at --max-states, --max-time,
 * --max-memory, a signal (explore_opts.stop) or a failed allocation; what
 * it found until then is kept, and the report says the search was
 * incomplete instead of claiming Never/holds/PASS.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "explore_int.h"

#define MAX_CHOICES EXPLORE_MAX_CHOICES
#define MAX_SLEEP_THREADS 32

/* --- the visited set ------------------------------------------------------ */

/*
 * The first capacity of the visited set: 1 << 16 slots (1 MiB), or fewer
 * when a search may store no more than @max_states states (at half load):
 * a search of 500 states (fuzz_explore) zeroed a megabyte it never used.
 * The set doubles when half full either way.
 */
static size_t vset_first(uint64_t max_states)
{
	size_t cap = 1 << 16;

	while (cap > 1024 && cap / 4 > max_states)
		cap /= 2;
	return cap;
}

static int vset_grow(struct vset *vs)
{
	size_t cap = vs->cap ? vs->cap * 2 : vs->first;
	struct vslot *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < vs->cap; i++) {
		size_t j;

		if (!vs->v[i].h)
			continue;
		for (j = vs->v[i].h & (cap - 1); v[j].h; j = (j + 1) & (cap - 1))
			;
		v[j] = vs->v[i];
	}
	free(vs->v);
	vs->v = v;
	vs->cap = cap;
	return 0;
}

/*
 * Look @h up.  Return 1 (and *@sleep updated to what to explore with) when
 * the state must be explored, 0 when it can be pruned, -ENOMEM.
 */
static int vset_visit(struct vset *vs, const uint64_t h[2], uint32_t *sleep,
		      bool *fresh)
{
	uint64_t a = h[0] | 1;
	uint32_t b = (uint32_t)(h[1] >> 32);
	size_t j;

	if ((vs->n + 1) * 2 > vs->cap && vset_grow(vs))
		return -ENOMEM;
	for (j = a & (vs->cap - 1); vs->v[j].h; j = (j + 1) & (vs->cap - 1)) {
		if (vs->v[j].h != a || vs->v[j].h2 != b)
			continue;
		*fresh = false;
		if (!(vs->v[j].sleep & ~*sleep))
			return 0;	/* explored with fewer sleeping: done */
		*sleep &= vs->v[j].sleep;
		vs->v[j].sleep = *sleep;
		return 1;
	}
	vs->v[j] = (struct vslot){ .h = a, .h2 = b, .sleep = *sleep };
	vs->n++;
	*fresh = true;
	return 1;
}

/* --- bitstate hashing (Holzmann) -------------------------------------------- */

/*
 * Like vset_visit() for --bitstate: 1 (and *fresh) when some of the state's
 * bits were clear (now set), 0 when all were set: seen, or a collision.
 */
static int bits_visit(struct xctx *x, const uint64_t h[2], bool *fresh)
{
	uint64_t a = h[0], b = h[1] | 1, n = 0;
	bool all = true;

	for (int i = 0; i < BITSTATE_K; i++) {
		uint64_t bit = (a + (uint64_t)i * b) % x->nbits;

		if (!(x->bits[bit >> 3] & (1u << (bit & 7)))) {
			all = false;
			x->bits[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		}
	}
	*fresh = !all;
	if (all)
		return 0;
	/* the chance that the next new state finds all its bits set */
	n = x->res->states + 1;
	x->res->bitstate_missed += pow(1.0 - exp(-(double)BITSTATE_K * (double)n /
						  (double)x->nbits), BITSTATE_K);
	return 1;
}

static int state_visit(struct xctx *x, const uint64_t h[2], uint32_t *sleep,
		       bool *fresh)
{
	if (x->bits)
		return bits_visit(x, h, fresh);
	return vset_visit(&x->vs, h, sleep, fresh);
}

/* --- counting states, fingerprints for `spansim merge` ---------------------- */

/* a state counted: with --shard, its fingerprint goes to states_out */
static void found(struct xctx *x, const uint64_t h[2])
{
	FILE *f = x->o->states_out;

	x->res->states++;
	if (f) {
		unsigned char b[8];

		for (int i = 0; i < 8; i++)
			b[i] = (unsigned char)(h[0] >> (8 * i));
		fwrite(b, 1, sizeof(b), f);	/* the caller checks ferror() */
	}
}

int explore_shard_owner(const uint64_t h[2], int n)
{
	/* the visited set's hash, mixed (splitmix64's finaliser): its low
	 * bits also pick the set's slots */
	uint64_t z = h[0] ^ h[1];

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return n > 0 ? (int)(z % (uint64_t)n) : 0;
}

/* --- the search ------------------------------------------------------------ */

struct xframe {
	struct run_snap *snap;
	struct run_choice ch[MAX_CHOICES];
	int n, next;
	uint32_t sleep;		/* threads asleep here */
	uint32_t explored;	/* threads explored from here */
	struct span_footprint fps[MAX_SLEEP_THREADS];
	int last_thread;	/* the thread whose step led here */
	int preemptions;
};

double explore__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

size_t explore_sched_steps(const char *sched)
{
	return explore__sched_steps(sched);
}

size_t explore__sched_steps(const char *s)
{
	size_t n = 0;

	while (*s) {
		size_t l = strcspn(s, ",");
		const char *star = memchr(s, '*', l);

		n += star ? strtoull(star + 1, NULL, 10) : 1;
		s += l;
		if (*s)
			s++;
	}
	return n;
}

/* keep @sched as the witness if it is the first or the shortest */
static void witness(struct xctx *x, char **slot, size_t *len,
		    const char *sched)
{
	size_t n = explore__sched_steps(sched);
	char *dup;

	if (*slot && *len <= n)
		return;
	dup = strdup(sched);
	if (!dup) {
		x->oom = true;
		return;
	}
	free(*slot);
	*slot = dup;
	*len = n;
}

/* count each condition's value in this end state, keeping witnesses */
static void tally(struct xctx *x, struct explore_cond *e,
		  const struct cond_result *c, int n, const char *sched)
{
	for (int i = 0; i < n; i++) {
		if (c[i].error)
			e[i].error++;
		else if (c[i].value)
			e[i].yes++, witness(x, &e[i].witness_yes, &e[i].len_yes, sched);
		else
			e[i].no++, witness(x, &e[i].witness_no, &e[i].len_no, sched);
	}
}

void explore__end_state(struct xctx *x)
{
	struct explore_result *res = x->res;
	const struct scn *s = x->s;
	struct run *r = x->r;
	char *sched;
	enum run_status st;

	run_finish(r);
	st = run_status(r);
	sched = strdup(run_schedule(r));
	/* a run that ran out of memory tells nothing: do not count it */
	if (!sched || run_oom(r)) {
		free(sched);
		x->oom = true;
		return;
	}
	res->end_states++;
	if (st == RUN_ERROR || st == RUN_STEP_LIMIT) {
		res->errors++;
		if (!res->error_msg)
			res->error_msg = strdup(st == RUN_ERROR ? run_error(r) :
						"step limit reached");
		if (span_world_design_error(run_world(r)))
			res->design_error = true;
	} else if (st == RUN_VIOLATION) {
		const struct span_violation *v = run_violation(r);

		res->viol[v->inv]++;
		witness(x, &res->viol_witness[v->inv], &res->viol_len[v->inv],
			sched);
	}
	if (s->violation >= 0 && !(st == RUN_VIOLATION &&
				   run_violation(r)->inv == s->violation)) {
		res->missed_violation++;
		witness(x, &res->missed_witness, &res->missed_len, sched);
	}
	if (st == RUN_DONE || st == RUN_DEADLOCK) {
		tally(x, res->expects, run_expects(r), s->nr_expects, sched);
		tally(x, res->exists, run_exists(r), s->nr_exists, sched);
	}
	free(sched);
}

void explore__check_always(struct xctx *x, int before)
{
	int b = run_always_broken(x->r, NULL);
	char *sched;

	if (b < 0 || before >= 0)
		return;
	sched = strdup(run_schedule(x->r));
	if (!sched) {
		x->oom = true;
		return;
	}
	x->res->always[b].no++;
	witness(x, &x->res->always[b].witness_no, &x->res->always[b].len_no,
		sched);
	free(sched);
}

/* what --max-memory bounds: the visited set, the snapshots on the DFS
 * stack and the stack's frames (not the run being stepped, nor malloc's
 * own overhead) */
size_t explore__mem_bytes(const struct xctx *x)
{
	return x->vs.cap * sizeof(struct vslot) + x->snap_bytes +
	       (size_t)x->cap * sizeof(struct xframe) + x->dpor_bytes +
	       (size_t)(x->nbits / 8);
}

/*
 * A progress line on stderr once the search has run a second: on a tty one
 * line rewritten every second, otherwise (logs) a line every 5 seconds.
 */
void explore__progress(struct xctx *x, double t)
{
	bool tty = x->o->progress == EXPLORE_PROGRESS_TTY;

	if (x->o->progress == EXPLORE_PROGRESS_NONE || t - x->t0 < 1.0 ||
	    (x->progressed && t - x->last_progress < (tty ? 1.0 : 5.0)))
		return;
	x->last_progress = t;
	x->progressed = true;
	if (x->red == EXPLORE_RED_DPOR)
		fprintf(stderr, "%sexplore %s: %" PRIu64 " schedules, %" PRIu64 " states, %.0f states/s, depth %d, %.1f MiB, %.0f s%s",
			tty ? "\r" : "", x->s->name, x->res->traces,
			x->res->states, x->res->states / (t - x->t0),
			x->dpor_depth, (double)explore__mem_bytes(x) / 1048576.0,
			t - x->t0, tty ? "   " : "\n");
	else
		fprintf(stderr, "%sexplore %s: %" PRIu64 " states, %.0f states/s, depth %d, %.1f MiB, %.0f s%s",
			tty ? "\r" : "", x->s->name, x->res->states,
			x->res->states / (t - x->t0), x->depth,
			(double)explore__mem_bytes(x) / 1048576.0, t - x->t0,
			tty ? "   " : "\n");
	fflush(stderr);
}

/* should the search stop before the next transition?  Sets res->stop. */
bool explore__bound_hit(struct xctx *x, uint64_t max_states, double t)
{
	const struct explore_opts *o = x->o;
	struct explore_result *res = x->res;
	size_t mem = explore__mem_bytes(x);

	/* the visited set doubles when half full: count it before it does */
	if ((x->vs.n + 1) * 2 > x->vs.cap)
		mem += x->vs.cap * sizeof(struct vslot);
	if (o->stop && *o->stop) {
		res->stop = EXPLORE_SIGNAL;
		res->stop_signal = (int)*o->stop;
	} else if (x->oom || run_oom(x->r)) {
		res->stop = EXPLORE_OOM;
	} else if (x->too_wide) {
		res->stop = EXPLORE_TOO_WIDE;
	} else if (res->states >= max_states) {
		res->stop = EXPLORE_MAX_STATES;
	} else if (o->max_seconds > 0 && t - x->t0 >= o->max_seconds) {
		res->stop = EXPLORE_MAX_TIME;
	} else if (o->max_bytes && mem > o->max_bytes) {
		res->stop = EXPLORE_MAX_MEMORY;
	}
	return res->stop != EXPLORE_COMPLETE;
}

static int push(struct xctx *x, uint32_t sleep, const struct xframe *parent,
		int last_thread, int preemptions)
{
	/* @parent is a frame of x->stack, which may move */
	ptrdiff_t pi = parent ? parent - x->stack : -1;
	struct xframe *f;

	if (x->depth == x->cap) {
		int cap = x->cap ? x->cap * 2 : 64;
		struct xframe *st = realloc(x->stack, (size_t)cap * sizeof(*st));

		if (!st)
			return -ENOMEM;
		x->stack = st;
		x->cap = cap;
		parent = pi >= 0 ? &x->stack[pi] : NULL;
	}
	f = &x->stack[x->depth];
	memset(f, 0, offsetof(struct xframe, fps));
	f->snap = run_save(x->r);
	if (!f->snap)
		return -ENOMEM;
	x->snap_bytes += run_snap_bytes(f->snap);
	if (x->snap_bytes > x->res->peak_bytes)
		x->res->peak_bytes = x->snap_bytes;
	f->n = run_enabled(x->r, f->ch, MAX_CHOICES);
	if (f->n == MAX_CHOICES) {
		/* dropping a choice would lose states: stop, and say why */
		struct run_choice more[MAX_CHOICES + 1];

		if (run_enabled(x->r, more, MAX_CHOICES + 1) > MAX_CHOICES)
			x->too_wide = true;
	}
	f->sleep = sleep;
	f->last_thread = last_thread;
	f->preemptions = preemptions;
	if (parent)
		for (int t = 0; t < MAX_SLEEP_THREADS; t++)
			if (sleep & (1u << t))
				f->fps[t] = parent->fps[t];
	x->depth++;
	if ((uint64_t)(x->depth + x->depth_base) > x->res->max_depth)
		x->res->max_depth = (uint64_t)(x->depth + x->depth_base);
	return 0;
}

static void pop(struct xctx *x)
{
	struct xframe *f = &x->stack[--x->depth];

	x->snap_bytes -= run_snap_bytes(f->snap);
	run_snap_free(x->r, f->snap);
}

static bool thread_enabled_in(const struct xframe *f, int t)
{
	for (int i = 0; i < f->n; i++)
		if (f->ch[i].thread == t)
			return true;
	return false;
}

/* the state after a step: an end state, pruned, or a new frame */
static int visit(struct xctx *x, struct xframe *f, const struct run_choice *c,
		 uint32_t sleep)
{
	uint64_t h[2];
	bool fresh;
	int pre = f->preemptions, ret;
	struct run_choice probe;

	if (c->thread >= 0 && f->last_thread >= 0 && c->thread != f->last_thread &&
	    thread_enabled_in(f, f->last_thread))
		pre++;
	run_hash(x->r, h);
	ret = state_visit(x, h, &sleep, &fresh);
	if (ret <= 0)
		return ret;
	if (fresh)
		found(x, h);
	if (run_status(x->r) != RUN_RUNNING || !run_enabled(x->r, &probe, 1)) {
		explore__end_state(x);
		return 0;
	}
	return push(x, sleep, f, c->thread >= 0 ? c->thread : f->last_thread,
		    pre);
}

/* the result's per-line tables */
static int res_alloc(const struct scn *s, struct explore_result *res)
{
	res->expects = calloc((size_t)s->nr_expects + 1, sizeof(*res->expects));
	res->exists = calloc((size_t)s->nr_exists + 1, sizeof(*res->exists));
	res->always = calloc((size_t)s->nr_always + 1, sizeof(*res->always));
	return res->expects && res->exists && res->always ? 0 : -ENOMEM;
}

/* the checker's statistics of @r's world, added to @st */
static void check_stats_add(struct span_check_stats *st, struct run *r)
{
	struct span_check_stats a;

	if (span_world_check_stats(run_world(r), &a))
		return;
	if (a.diverged && !st->diverged) {
		st->diverged_step = a.diverged_step;
		memcpy(st->diverged_msg, a.diverged_msg, sizeof(a.diverged_msg));
	}
	st->steps += a.steps;
	st->incremental += a.incremental;
	st->full += a.full;
	st->full_stale += a.full_stale;
	st->full_overflow += a.full_overflow;
	st->full_suspect += a.full_suspect;
	st->full_destruct += a.full_destruct;
	st->skipped += a.skipped;
	st->verified += a.verified;
	st->diverged += a.diverged;
}

/* throw away what DPOR found and start a fresh run for the stateful search
 * (the checker's statistics stay: they are about the checker) */
static int dpor_restart(const struct scn *s, struct xctx *x)
{
	struct explore_result *res = x->res;
	const char *note = res->reduction_note;
	struct span_check_stats st = { 0 };

	check_stats_add(&st, x->r);
	explore_result_free(s, res);
	res->reduction_note = note;
	res->check = st;
	x->oom = false;
	x->dpor_bytes = 0;
	run_destroy(x->r);
	x->r = NULL;
	return res_alloc(s, res);
}

/*
 * The depth-first search from the frame on top of the stack (x->r holds
 * its state) until the stack is empty, a bound is hit (res->stop) or an
 * allocation fails (x->oom).
 */
static void dfs(struct xctx *x, uint64_t max)
{
	const struct explore_opts *o = x->o;
	struct explore_result *res = x->res;
	bool cur_top = true;	/* x->r holds the top frame's state */

	while (x->depth && !x->oom) {
		struct xframe *f = &x->stack[x->depth - 1];
		struct run_choice c;
		struct span_footprint fp;
		uint32_t child_sleep = 0, bit;
		double tnow;

		if (f->next >= f->n) {
			pop(x);
			cur_top = false;
			continue;
		}
		c = f->ch[f->next++];
		bit = c.thread >= 0 && c.thread < MAX_SLEEP_THREADS ?
			      1u << c.thread : 0;
		if (bit && (f->sleep & bit) && x->red != EXPLORE_RED_NONE) {
			res->pruned_sleep++;
			continue;
		}
		if (o->preemptions >= 0 && c.thread >= 0 && f->last_thread >= 0 &&
		    c.thread != f->last_thread &&
		    thread_enabled_in(f, f->last_thread) &&
		    f->preemptions + 1 > o->preemptions) {
			res->pruned_preempt++;
			continue;
		}
		/* a transition is left: stop here if a bound says so */
		tnow = explore__now();
		if (explore__bound_hit(x, max, tnow))
			break;
		explore__progress(x, tnow);
		if (!cur_top && run_load(x->r, f->snap)) {
			x->oom = true;
			break;
		}
		{
			int before = run_always_broken(x->r, NULL);

			run_step(x->r, &c);
			explore__check_always(x, before);
		}
		cur_top = false;
		res->transitions++;
		fp = *run_last_footprint(x->r);
		if (x->red != EXPLORE_RED_NONE) {
			uint32_t cand = f->sleep | f->explored;

			for (int t = 0; t < MAX_SLEEP_THREADS; t++)
				if ((cand & (1u << t)) &&
				    !span_footprint_conflict(&f->fps[t], &fp))
					child_sleep |= 1u << t;
			if (bit) {
				f->fps[c.thread] = fp;
				f->explored |= bit;
			}
		}
		{
			int depth = x->depth;

			if (visit(x, f, &c, child_sleep) < 0) {
				x->oom = true;
				break;
			}
			/* a new frame: the run holds its state */
			cur_top = x->depth > depth;
		}
		if (explore__mem_bytes(x) > res->mem_bytes)
			res->mem_bytes = explore__mem_bytes(x);
	}
}

/* --- --shard: the shared prefix, breadth first ------------------------------ */

/* a state of the prefix: its snapshot and hash */
struct pnode {
	struct run_snap *snap;
	uint64_t h[2];
};

struct plevel {
	struct pnode *v;
	size_t n, cap;
};

static void plevel_free(struct xctx *x, struct plevel *l, size_t from)
{
	for (size_t i = from; i < l->n; i++)
		if (l->v[i].snap) {
			x->snap_bytes -= run_snap_bytes(l->v[i].snap);
			run_snap_free(x->r, l->v[i].snap);
		}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* the state x->r holds joins @l (a snapshot of it) */
static int plevel_add(struct xctx *x, struct plevel *l, const uint64_t h[2])
{
	struct pnode *p;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;

		p = realloc(l->v, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	p = &l->v[l->n];
	p->snap = run_save(x->r);
	if (!p->snap)
		return -ENOMEM;
	p->h[0] = h[0];
	p->h[1] = h[1];
	x->snap_bytes += run_snap_bytes(p->snap);
	if (x->snap_bytes > x->res->peak_bytes)
		x->res->peak_bytes = x->snap_bytes;
	l->n++;
	return 0;
}

/*
 * Expand every state of @cur (all its steps: no sleep sets, no preemption
 * bound) into @next: the states not seen before that are not end states
 * (end states are tallied and counted here, in every shard).  The states
 * of @next are in the visited set but not counted yet.  0, or 1 when a
 * bound stopped it (res->stop), -ENOMEM.
 */
static int prefix_level(struct xctx *x, uint64_t max, struct plevel *cur,
			struct plevel *next)
{
	struct run_choice ch[MAX_CHOICES];

	for (size_t i = 0; i < cur->n; i++) {
		int n;

		if (run_load(x->r, cur->v[i].snap))
			return -ENOMEM;
		n = run_enabled(x->r, ch, MAX_CHOICES);
		if (n == MAX_CHOICES) {
			struct run_choice more[MAX_CHOICES + 1];

			if (run_enabled(x->r, more, MAX_CHOICES + 1) > MAX_CHOICES)
				x->too_wide = true;
		}
		for (int k = 0; k < n; k++) {
			struct run_choice probe;
			uint64_t h[2];
			uint32_t sleep = 0;
			bool fresh;
			double tnow = explore__now();
			int ret, before;

			if (explore__bound_hit(x, max, tnow))
				return 1;
			explore__progress(x, tnow);
			if (k && run_load(x->r, cur->v[i].snap))
				return -ENOMEM;
			before = run_always_broken(x->r, NULL);
			run_step(x->r, &ch[k]);
			explore__check_always(x, before);
			x->res->transitions++;
			run_hash(x->r, h);
			ret = state_visit(x, h, &sleep, &fresh);
			if (ret < 0)
				return ret;
			if (!ret || !fresh)
				continue;
			if (run_status(x->r) != RUN_RUNNING ||
			    !run_enabled(x->r, &probe, 1)) {
				found(x, h);
				explore__end_state(x);
				continue;
			}
			ret = plevel_add(x, next, h);
			if (ret)
				return ret;
		}
		if (explore__mem_bytes(x) > x->res->mem_bytes)
			x->res->mem_bytes = explore__mem_bytes(x);
	}
	return 0;
}

/*
 * --shard I/N: search the states reachable in fewer than D steps breadth
 * first (every shard does), then depth first from the states first reached
 * at depth D that this shard owns; the others stay in the visited set, as
 * explored (by their owner).  Every reachable state is in the prefix, or
 * reachable from a frontier state without going through the prefix or
 * another frontier state, so the shards' states cover the search.  x->r
 * holds the initial state, counted, on entry.
 */
static int shard_search(struct xctx *x, uint64_t max)
{
	const struct explore_opts *o = x->o;
	struct explore_result *res = x->res;
	struct plevel cur = { 0 }, next = { 0 };
	uint64_t h[2];
	int d = 0, ret = 0;

	run_hash(x->r, h);
	ret = plevel_add(x, &cur, h);
	while (!ret && cur.n) {
		uint64_t nn = (uint64_t)o->shard_count;
		bool last = o->shard_depth ? d >= o->shard_depth :
			    d >= EXPLORE_SHARD_MAX_DEPTH ||
			    (d && (cur.n >= EXPLORE_SHARD_ROOTS * nn ||
				   res->states >= EXPLORE_SHARD_PREFIX * nn));

		if (last)
			break;
		/* a prefix level: every shard counts and expands it */
		if (d)
			for (size_t i = 0; i < cur.n; i++)
				found(x, cur.v[i].h);
		ret = prefix_level(x, max, &cur, &next);
		plevel_free(x, &cur, 0);
		cur = next;
		memset(&next, 0, sizeof(next));
		d++;
		if ((uint64_t)d > res->max_depth && cur.n)
			res->max_depth = (uint64_t)d;
	}
	res->shard_depth = d;
	res->shard_frontier = cur.n;
	res->shard_prefix = res->states;
	x->depth_base = d - 1;
	for (size_t i = 0; !ret && i < cur.n; i++) {
		struct pnode *p = &cur.v[i];

		if (explore_shard_owner(p->h, o->shard_count) !=
		    o->shard_index - 1)
			continue;
		if (explore__bound_hit(x, max, explore__now()))
			break;
		found(x, p->h);
		res->shard_owned++;
		if (run_load(x->r, p->snap) || push(x, 0, NULL, -1, 0)) {
			ret = -ENOMEM;
			break;
		}
		/* the stack holds its own snapshot of it */
		x->snap_bytes -= run_snap_bytes(p->snap);
		run_snap_free(x->r, p->snap);
		p->snap = NULL;
		dfs(x, max);
		if (x->oom || res->stop != EXPLORE_COMPLETE)
			break;
	}
	plevel_free(x, &cur, 0);
	plevel_free(x, &next, 0);
	return ret < 0 ? ret : 0;
}

int explore_run(const struct scn *s, const struct explore_opts *o,
		struct explore_result *res)
{
	struct run_opts ro = { .sched = SCHED_FIFO, .quiet = true,
			       .check_mode = o->check_mode,
			       .design = o->design,
			       .design_desc = o->design_desc };
	struct xctx x = { .s = s, .o = o, .res = res };
	uint64_t max = o->max_states ? o->max_states : 10000000;
	uint64_t h[2];
	uint32_t sleep = 0;
	bool fresh;
	int err;
	struct run_choice probe;

	memset(res, 0, sizeof(*res));
	x.vs.first = vset_first(max);
	if (res_alloc(s, res)) {
		explore_result_free(s, res);
		return -ENOMEM;
	}
	x.t0 = explore__now();
	x.red = o->no_reduction ? EXPLORE_RED_NONE : o->reduction;
	/* the shards' states must not depend on the order they are reached
	 * in: no sleep sets unless asked for (docs/design.md) */
	if (x.red == EXPLORE_RED_DPOR && o->shard_count > 0) {
		x.red = EXPLORE_RED_NONE;
		res->reduction_note = "--shard";
	}
	if (x.red == EXPLORE_RED_DPOR && o->preemptions >= 0) {
		x.red = EXPLORE_RED_SLEEP;
		res->reduction_note = "--preemptions";
	}
	/* a bit per state can carry neither DPOR's nor a sleep set's needs */
	if (x.red != EXPLORE_RED_NONE && o->bitstate_bytes) {
		if (x.red == EXPLORE_RED_DPOR)
			res->reduction_note = "--bitstate";
		x.red = EXPLORE_RED_NONE;
	}
	/* DPOR visits one order of independent steps, not every state */
	if (x.red == EXPLORE_RED_DPOR && s->nr_always) {
		x.red = EXPLORE_RED_SLEEP;
		res->reduction_note = "always/never are checked in every state";
	}
again:
	err = run_create(s, &ro, &x.r);
	if (err == -ENOMEM) {
		x.oom = true;
		goto out;
	}
	if (err) {
		explore_result_free(s, res);
		return err;
	}
	if (x.red == EXPLORE_RED_DPOR) {
		err = explore__dpor(&x);
		if (err != -EOPNOTSUPP)
			goto out;
		/* start again, stateful: nothing DPOR counted stays */
		x.red = EXPLORE_RED_SLEEP;
		if (dpor_restart(s, &x)) {
			/* not even the result's tables: no result */
			explore_result_free(s, res);
			return -ENOMEM;
		}
		goto again;
	}
	explore__check_always(&x, -1);
	run_hash(x.r, h);
	if (o->bitstate_bytes) {
		x.nbits = o->bitstate_bytes * 8;
		x.bits = calloc(o->bitstate_bytes, 1);
		if (!x.bits) {
			x.oom = true;
			goto out;
		}
	}
	if (state_visit(&x, h, &sleep, &fresh) < 0) {
		x.oom = true;
		goto out;
	}
	found(&x, h);
	if (run_status(x.r) != RUN_RUNNING || !run_enabled(x.r, &probe, 1)) {
		explore__end_state(&x);
		goto out;
	}
	if (o->shard_count > 0) {
		res->shard_part = true;
		if (shard_search(&x, max))
			x.oom = true;
		goto out;
	}
	if (push(&x, 0, NULL, -1, 0)) {
		x.oom = true;
		goto out;
	}
	dfs(&x, max);
out:
	res->reduction = x.red;
	if (x.oom && res->stop == EXPLORE_COMPLETE)
		res->stop = EXPLORE_OOM;
	if (x.too_wide && res->stop == EXPLORE_COMPLETE)
		res->stop = EXPLORE_TOO_WIDE;
	if (x.bits && res->stop == EXPLORE_COMPLETE &&
	    res->bitstate_missed >= 0.01)
		res->stop = EXPLORE_BITSTATE;
	free(x.bits);
	res->truncated = res->stop != EXPLORE_COMPLETE;
	while (x.depth)
		pop(&x);
	if (x.progressed && o->progress == EXPLORE_PROGRESS_TTY)
		fputc('\n', stderr);
	res->seconds = explore__now() - x.t0;
	res->table_bytes = x.vs.cap * sizeof(struct vslot);
	if (res->table_bytes > res->mem_bytes)
		res->mem_bytes = res->table_bytes;
	free(x.vs.v);
	free(x.stack);
	if (x.r) {
		check_stats_add(&res->check, x.r);
		run_destroy(x.r);
	}
	return 0;
}

void explore_result_free(const struct scn *s, struct explore_result *res)
{
	if (res->expects)
		for (int i = 0; i < s->nr_expects; i++) {
			free(res->expects[i].witness_yes);
			free(res->expects[i].witness_no);
		}
	if (res->exists)
		for (int i = 0; i < s->nr_exists; i++) {
			free(res->exists[i].witness_yes);
			free(res->exists[i].witness_no);
		}
	if (res->always)
		for (int i = 0; i < s->nr_always; i++)
			free(res->always[i].witness_no);
	free(res->always);
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		free(res->viol_witness[i]);
	free(res->expects);
	free(res->exists);
	free(res->error_msg);
	free(res->missed_witness);
	free(res->stop_note);
	memset(res, 0, sizeof(*res));
}

int explore_result_alloc(const struct scn *s, struct explore_result *res)
{
	memset(res, 0, sizeof(*res));
	if (res_alloc(s, res)) {
		explore_result_free(s, res);
		return -ENOMEM;
	}
	return 0;
}

/* keep the shorter of two witnesses (the first when they tie) */
static int merge_witness(char **slot, size_t *len, const char *w, size_t n)
{
	char *dup;

	if (!w || (*slot && *len <= n))
		return 0;
	dup = strdup(w);
	if (!dup)
		return -ENOMEM;
	free(*slot);
	*slot = dup;
	*len = n;
	return 0;
}

static int merge_conds(struct explore_cond *into,
		       const struct explore_cond *part, int n)
{
	int err = 0;

	for (int i = 0; i < n; i++) {
		into[i].yes += part[i].yes;
		into[i].no += part[i].no;
		into[i].error += part[i].error;
		err |= merge_witness(&into[i].witness_yes, &into[i].len_yes,
				     part[i].witness_yes, part[i].len_yes);
		err |= merge_witness(&into[i].witness_no, &into[i].len_no,
				     part[i].witness_no, part[i].len_no);
	}
	return err ? -ENOMEM : 0;
}

int explore_result_merge(const struct scn *s, struct explore_result *into,
			 const struct explore_result *part)
{
	int err = 0;

	into->states += part->states;
	into->traces += part->traces;
	into->transitions += part->transitions;
	into->end_states += part->end_states;
	into->pruned_sleep += part->pruned_sleep;
	into->pruned_preempt += part->pruned_preempt;
	into->bitstate_missed += part->bitstate_missed;
	into->reduction = part->reduction;
	if (part->reduction_note)
		into->reduction_note = part->reduction_note;
	if (part->max_depth > into->max_depth)
		into->max_depth = part->max_depth;
	/* the shards ran side by side: the slowest, the biggest */
	if (part->seconds > into->seconds)
		into->seconds = part->seconds;
	if (part->table_bytes > into->table_bytes)
		into->table_bytes = part->table_bytes;
	if (part->peak_bytes > into->peak_bytes)
		into->peak_bytes = part->peak_bytes;
	if (part->mem_bytes > into->mem_bytes)
		into->mem_bytes = part->mem_bytes;
	if (into->stop == EXPLORE_COMPLETE && part->stop != EXPLORE_COMPLETE) {
		into->stop = part->stop;
		into->stop_signal = part->stop_signal;
		if (part->stop_note && !(into->stop_note = strdup(part->stop_note)))
			err = -ENOMEM;
	}
	into->truncated = into->stop != EXPLORE_COMPLETE;
	err |= merge_conds(into->expects, part->expects, s->nr_expects);
	err |= merge_conds(into->exists, part->exists, s->nr_exists);
	err |= merge_conds(into->always, part->always, s->nr_always);
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++) {
		into->viol[i] += part->viol[i];
		err |= merge_witness(&into->viol_witness[i], &into->viol_len[i],
				     part->viol_witness[i], part->viol_len[i]);
	}
	into->errors += part->errors;
	if (part->error_msg && !into->error_msg &&
	    !(into->error_msg = strdup(part->error_msg)))
		err = -ENOMEM;
	into->missed_violation += part->missed_violation;
	err |= merge_witness(&into->missed_witness, &into->missed_len,
			     part->missed_witness, part->missed_len);
	return err ? -ENOMEM : 0;
}

bool explore_failed(const struct scn *s, const struct explore_result *res)
{
	if (s->violation >= 0)
		return res->missed_violation;
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		if (res->viol[i])
			return true;
	for (int i = 0; i < s->nr_expects; i++)
		if (res->expects[i].no || res->expects[i].error)
			return true;
	for (int i = 0; i < s->nr_always; i++)
		if (res->always[i].no)
			return true;
	return false;
}

bool explore_passed(const struct scn *s, const struct explore_result *res)
{
	return res->stop == EXPLORE_COMPLETE && !res->errors &&
	       (res->end_states || res->shard_part) && !explore_failed(s, res);
}

int explore_exit_status(const struct scn *s, const struct explore_result *res)
{
	if (res->errors)
		return EXPLORE_EXIT_ERROR;
	if (explore_failed(s, res))
		return EXPLORE_EXIT_FAIL;
	if (res->stop != EXPLORE_COMPLETE)
		return EXPLORE_EXIT_INCOMPLETE;
	return explore_passed(s, res) ? EXPLORE_EXIT_PASS : EXPLORE_EXIT_FAIL;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

const char *explore_incomplete_reason(const struct explore_opts *o,
				      const struct explore_result *res,
				      char *buf, size_t n)
{
	switch (res->stop) {
	case EXPLORE_COMPLETE:
		snprintf(buf, n, "%s", "");
		break;
	case EXPLORE_MAX_STATES:
		snprintf(buf, n, "max-states %" PRIu64 " reached",
			 o->max_states ? o->max_states : 10000000);
		break;
	case EXPLORE_MAX_TIME:
		snprintf(buf, n, "max-time %g s reached", o->max_seconds);
		break;
	case EXPLORE_MAX_MEMORY:
		if (o->max_bytes < 1048576)
			snprintf(buf, n, "max-memory %" PRIu64 " bytes reached",
				 o->max_bytes);
		else
			snprintf(buf, n, "max-memory %.1f MiB reached",
				 (double)o->max_bytes / 1048576.0);
		break;
	case EXPLORE_SIGNAL:
		snprintf(buf, n, "interrupted by %s", signal_name(res->stop_signal));
		break;
	case EXPLORE_OOM:
		snprintf(buf, n, "%s", "out of memory");
		break;
	case EXPLORE_TOO_WIDE:
		snprintf(buf, n, "a state has more than %d enabled steps, the explorer's limit",
			 MAX_CHOICES);
		break;
	case EXPLORE_BITSTATE:
		snprintf(buf, n, "bitstate: about %.2g states may have been missed; give --bitstate more bytes",
			 res->bitstate_missed);
		break;
	case EXPLORE_SHARDS:
		snprintf(buf, n, "%s", res->stop_note ? res->stop_note :
			 "a shard is incomplete");
		break;
	}
	return buf;
}
