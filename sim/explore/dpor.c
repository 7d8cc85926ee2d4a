// SPDX-License-Identifier: MIT
/*
 * dpor.c - stateless search with dynamic partial-order reduction.
 *
 * Not a kernel file.  Flanagan and Godefroid, "Dynamic partial-order
 * reduction for model checking software" (POPL 2005): run one schedule to
 * its end; for every pair of dependent steps of different threads that no
 * other chain of dependences orders (a race), schedule the second one's
 * thread at the state before the first (its backtrack set); repeat from the
 * deepest state with an unexplored backtrack entry.  Every Mazurkiewicz
 * trace - every class of schedules that differ only in the order of
 * independent steps - is explored at least once, and with it every end
 * state and every deadlock.
 *
 * Dependence comes from the footprints libspan records (struct
 * span_footprint): objects read and written, reference-count updates that
 * commute with each other, and byte ranges of page contents, so a store to
 * byte 0 of a page is independent of a read of byte 1, and two puts that do
 * not free commute.  Happens-before is kept with one vector clock per step;
 * races are found as each step runs, against the last conflicting accesses
 * of each object (the "frontier": an access that a later one of the same
 * kind covers, or that a write covers, cannot race any more).
 *
 * A thread that would block is not a step: trying it leaves the world as
 * it was.  When a race asks for a thread that turns out to block there,
 * every thread enabled there is scheduled instead (the paper's fallback).
 * A race whose second step awaited what the first filled (a blocking read
 * of the pipe the first step made non-empty) cannot be reversed: skipped.
 * Sleep sets (Godefroid) keep a class from being run twice.
 *
 * States are not stored.  The search keeps a checkpoint (run_save()) every
 * CKPT_EVERY steps of the current schedule and reaches a state by loading
 * the checkpoint below it and replaying the steps above, with the checker
 * off (those steps were checked when they first ran).
 *
 * Not handled (the caller falls back to the stateful search): kernel
 * events (the network model's loopback delivery), more than 32 threads,
 * --preemptions, --bitstate, and always/never lines (they need every
 * state; DPOR visits one order of independent steps).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "explore_int.h"

#define DPOR_MAX_THREADS 32
#define CKPT_EVERY 128

/* kinds of access to one object: enum span_access_kind (span/world.h) */
#define A_R	SPAN_ACC_READ
#define A_W	SPAN_ACC_WRITE
#define A_DR	SPAN_ACC_BYTES_READ
#define A_DW	SPAN_ACC_BYTES_WRITE

struct acc_ent {
	uint32_t ev;		/* index of the step in the schedule */
	uint8_t thread, kind;
	uint32_t off, len;
};

/* all frontier accesses of one object */
struct fkey {
	uint32_t key;		/* 0: empty slot */
	uint32_t n, cap;
	struct acc_ent *v;
};

struct dev {
	int thread;
	struct span_footprint fp;
};

/* the footprint of a thread's next step from a node */
struct sfp {
	int thread;
	struct span_footprint fp;
};

struct dnode {
	uint32_t enabled;	/* threads not known to be blocked or done */
	uint32_t backtrack;	/* threads to run from here */
	uint32_t done;		/* threads run (or tried) from here */
	uint32_t by_race;	/* backtrack entries a race asked for */
	uint32_t sleep;		/* threads whose step here was explored from
				 * an ancestor and commutes with all since */
	uint32_t stepped_mask;	/* threads that made a step from here */
	bool visited;
	struct run_snap *ckpt;
	struct sfp *fps;	/* of the sleeping and the stepped threads */
	int nfps, capfps;
};

struct dpor {
	struct xctx *x;
	int T;
	int depth, cap;		/* steps on the current schedule */
	struct dev *ev;		/* [cap] */
	struct dnode *node;	/* [cap + 1]: node i is the state before ev[i] */
	uint32_t *vc;		/* [cap * T]: clock of each step */
	uint32_t *pos;		/* [(cap + 1) * T]: steps of each thread before node i */
	int32_t *last;		/* [(cap + 1) * T]: last step of each thread before node i */
	struct fkey *map;
	size_t map_cap, map_n;
	int frontier_upto;	/* the frontier holds steps [0, frontier_upto) */
	struct acc_ent *conf;	/* add_step(): the accesses the new one conflicts with */
	uint32_t nconf, capconf;
	size_t ckpt_bytes;
};

static uint32_t bit(int t)
{
	return 1u << t;
}

/* --- the frontier ---------------------------------------------------------- */

/* the entry of footprint key @key (created empty); NULL: no memory */
static struct fkey *map_get(struct dpor *d, uint32_t key)
{
	size_t j;

	key++;		/* 0 marks an empty slot; type bytes stop at 0xfe */

	if ((d->map_n + 1) * 2 > d->map_cap) {
		size_t cap = d->map_cap ? d->map_cap * 2 : 1024;
		struct fkey *m = calloc(cap, sizeof(*m));

		if (!m)
			return NULL;
		for (size_t i = 0; i < d->map_cap; i++) {
			if (!d->map[i].key)
				continue;
			for (j = d->map[i].key * 2654435761u & (cap - 1); m[j].key;
			     j = (j + 1) & (cap - 1))
				;
			m[j] = d->map[i];
		}
		free(d->map);
		d->map = m;
		d->map_cap = cap;
	}
	for (j = key * 2654435761u & (d->map_cap - 1); d->map[j].key;
	     j = (j + 1) & (d->map_cap - 1))
		if (d->map[j].key == key)
			return &d->map[j];
	d->map[j].key = key;
	d->map_n++;
	return &d->map[j];
}

static void map_clear(struct dpor *d)
{
	for (size_t i = 0; i < d->map_cap; i++)
		d->map[i].n = 0;
}

/* span_access_conflict() of a frontier entry and a new access of the
 * same object */
static bool kconflict(const struct acc_ent *a, int kind, uint32_t off,
		      uint32_t len)
{
	struct span_access x = { .kind = a->kind, .off = a->off, .len = a->len };
	struct span_access y = { .kind = kind, .off = off, .len = len };

	return span_access_conflict(&x, &y);
}

/* does the new access (@kind, range) make @a unable to race again? */
static bool covers(const struct acc_ent *a, int thread, int kind,
		   uint32_t off, uint32_t len)
{
	bool inside = (uint64_t)a->off >= off &&
		      (uint64_t)a->off + a->len <= (uint64_t)off + len;

	if (kind == A_W)
		return true;
	if (kind == A_DW && (a->kind == A_DR || a->kind == A_DW) && inside)
		return true;
	return a->thread == thread && a->kind == kind && inside;
}

static int frontier_add(struct dpor *d, uint32_t key, uint32_t ev, int thread,
			int kind, uint32_t off, uint32_t len)
{
	struct fkey *f = map_get(d, key);
	uint32_t k = 0;

	if (!f)
		return -ENOMEM;
	for (uint32_t i = 0; i < f->n; i++)
		if (!covers(&f->v[i], thread, kind, off, len))
			f->v[k++] = f->v[i];
	f->n = k;
	if (f->n == f->cap) {
		uint32_t cap = f->cap ? f->cap * 2 : 4;
		struct acc_ent *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->x->dpor_bytes += (cap - f->cap) * sizeof(*v);
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = (struct acc_ent){ .ev = ev, .thread = (uint8_t)thread,
					 .kind = (uint8_t)kind, .off = off,
					 .len = len };
	return 0;
}

/*
 * Every step also accesses a pseudo-object: it reads it, and a step whose
 * footprint overflowed (or a fork, which makes threads runnable) writes
 * it, so that such a step is ordered against everything.
 */
#define KEY_ALL 0xfffffffeu

/* the accesses of a footprint (span_footprint_access()), then the
 * pseudo-object */
struct acc_it {
	const struct span_footprint *fp;
	int i;
};

static bool acc_next(struct acc_it *it, uint32_t *key, int *kind,
		     uint32_t *off, uint32_t *len)
{
	struct span_access a;
	int i = it->i++;

	if (!span_footprint_access(it->fp, i, &a)) {
		*key = a.key;
		*kind = a.kind;
		*off = a.off;
		*len = a.len;
		return true;
	}
	if (i == it->fp->nr_read + it->fp->nr_write + it->fp->nr_count +
		 it->fp->nr_range) {
		*key = KEY_ALL;
		*kind = it->fp->overflow ? A_W : A_R;
		*off = *len = 0;
		return true;
	}
	return false;
}

static int frontier_add_step(struct dpor *d, int e)
{
	struct acc_it it = { .fp = &d->ev[e].fp };
	uint32_t key, off, len;
	int kind;

	while (acc_next(&it, &key, &kind, &off, &len))
		if (frontier_add(d, key, (uint32_t)e, d->ev[e].thread, kind,
				 off, len))
			return -ENOMEM;
	return 0;
}

/* make the frontier hold exactly the steps before the current depth */
static int frontier_sync(struct dpor *d)
{
	if (d->frontier_upto == d->depth)
		return 0;
	map_clear(d);
	for (int e = 0; e < d->depth; e++)
		if (frontier_add_step(d, e))
			return -ENOMEM;
	d->frontier_upto = d->depth;
	return 0;
}

/* --- races ---------------------------------------------------------------- */

static uint32_t *vc_of(struct dpor *d, int e)
{
	return &d->vc[(size_t)e * d->T];
}

/*
 * Step @i of thread q races the new step @e of thread p: p should also be
 * tried at node i.  If p cannot run there, a thread with a later step that
 * happens before @e can; failing that, every thread enabled there.
 */
static void race(struct dpor *d, int i, int e)
{
	struct dnode *n = &d->node[i];
	int p = d->ev[e].thread;
	const uint32_t *vce = vc_of(d, e);
	const uint32_t *pos = &d->pos[(size_t)i * d->T];
	uint32_t alt = 0;

	if (n->enabled & bit(p)) {
		n->backtrack |= bit(p);
		n->by_race |= bit(p);
		return;
	}
	for (int q = 0; q < d->T; q++)
		if (q != p && vce[q] > pos[q])
			alt |= bit(q);
	alt &= n->enabled;
	if (alt) {
		if (!(n->backtrack & alt)) {
			uint32_t one = alt & -alt;

			n->backtrack |= one;
			n->by_race |= one;
		}
		return;
	}
	n->backtrack |= n->enabled;
	n->by_race |= n->enabled;
}

/*
 * Could step @e not have run before step @i?  When @i made an object
 * ready that @e awaited (a pipe @i made non-empty, that @e read blocking),
 * @e run first would sleep: the race cannot be reversed.
 */
static bool awaits(const struct dpor *d, int i, int e)
{
	const struct span_footprint *a = &d->ev[i].fp, *b = &d->ev[e].fp;

	for (int x = 0; x < a->nr_fill; x++)
		for (int y = 0; y < b->nr_await; y++)
			if (a->fill[x] == b->await[y])
				return true;
	return false;
}

/* add_step() for a step whose footprint overflowed */
static int add_step_all(struct dpor *d, int e, const uint32_t *prev)
{
	int p = d->ev[e].thread, T = d->T;
	uint32_t *vce = vc_of(d, e);

	for (size_t m = 0; m < d->map_cap; m++)
		for (uint32_t k = 0; k < d->map[m].n; k++) {
			const uint32_t *vca = vc_of(d, (int)d->map[m].v[k].ev);

			for (int q = 0; q < T; q++)
				if (vca[q] > vce[q])
					vce[q] = vca[q];
		}
	/* conservatively, every unordered access of another thread races */
	for (size_t m = 0; m < d->map_cap; m++)
		for (uint32_t k = 0; k < d->map[m].n; k++) {
			const struct acc_ent *a = &d->map[m].v[k];

			if (a->thread != p &&
			    prev[a->thread] < vc_of(d, (int)a->ev)[a->thread])
				race(d, (int)a->ev, e);
		}
	if (frontier_add_step(d, e))
		return -ENOMEM;
	d->frontier_upto = e + 1;
	return 0;
}

/* the new step ev[e]: its clock, its races, the frontier after it */
static int add_step(struct dpor *d, int e)
{
	int p = d->ev[e].thread, T = d->T;
	uint32_t *vce = vc_of(d, e);
	int32_t pe = d->last[(size_t)e * T + p];
	uint32_t prev[DPOR_MAX_THREADS];
	struct acc_it it = { .fp = &d->ev[e].fp };
	uint32_t key, off, len;
	int kind;

	if (pe >= 0)
		memcpy(prev, vc_of(d, pe), T * sizeof(*prev));
	else
		memset(prev, 0, T * sizeof(*prev));
	memcpy(vce, prev, T * sizeof(*vce));
	vce[p] = prev[p] + 1;
	if (frontier_sync(d))
		return -ENOMEM;
	/* a step that touched everything: every frontier access conflicts */
	if (d->ev[e].fp.overflow)
		return add_step_all(d, e, prev);
	/* the conflicting accesses of other threads, once */
	d->nconf = 0;
	while (acc_next(&it, &key, &kind, &off, &len)) {
		struct fkey *f = map_get(d, key);

		if (!f)
			return -ENOMEM;
		for (uint32_t k = 0; k < f->n; k++) {
			const struct acc_ent *a = &f->v[k];

			if (a->thread == p || !kconflict(a, kind, off, len))
				continue;
			if (d->nconf == d->capconf) {
				uint32_t cap = d->capconf ? d->capconf * 2 : 64;
				struct acc_ent *v = realloc(d->conf, cap * sizeof(*v));

				if (!v)
					return -ENOMEM;
				d->conf = v;
				d->capconf = cap;
			}
			d->conf[d->nconf++] = *a;
		}
	}
	/* the clock first: a race's fallback reads it */
	for (uint32_t k = 0; k < d->nconf; k++) {
		const uint32_t *vca = vc_of(d, (int)d->conf[k].ev);

		for (int q = 0; q < T; q++)
			if (vca[q] > vce[q])
				vce[q] = vca[q];
	}
	/*
	 * A race is immediate: no other chain of dependences orders the two
	 * steps.  A conflicting access @a of thread q is ordered through
	 * another one @b when b's clock has seen a (VC(b)[q] >= a's index);
	 * keep, per thread, the two largest VC(b)[q] with their steps.
	 */
	{
		uint32_t top1[DPOR_MAX_THREADS] = { 0 }, top2[DPOR_MAX_THREADS] = { 0 };
		uint32_t who1[DPOR_MAX_THREADS];

		memset(who1, 0xff, sizeof(who1));
		for (uint32_t k = 0; k < d->nconf; k++) {
			uint32_t ev = d->conf[k].ev;
			const uint32_t *vca = vc_of(d, (int)ev);

			for (int q = 0; q < T; q++) {
				if (who1[q] == ev)
					continue;
				if (vca[q] > top1[q]) {
					top2[q] = top1[q];
					top1[q] = vca[q];
					who1[q] = ev;
				} else if (vca[q] > top2[q]) {
					top2[q] = vca[q];
				}
			}
		}
		for (uint32_t k = 0; k < d->nconf; k++) {
			const struct acc_ent *a = &d->conf[k];
			uint32_t tix, q = a->thread, other;

			tix = vc_of(d, (int)a->ev)[q];
			/* ordered already through p's earlier steps? */
			if (prev[q] >= tix)
				continue;
			/* ... or through another conflicting access? */
			other = who1[q] == a->ev ? top2[q] : top1[q];
			if (other >= tix || awaits(d, (int)a->ev, e))
				continue;
			race(d, (int)a->ev, e);
		}
	}
	if (frontier_add_step(d, e))
		return -ENOMEM;
	d->frontier_upto = e + 1;
	return 0;
}

/* --- the search ------------------------------------------------------------ */

static int grow(struct dpor *d)
{
	int cap = d->cap ? d->cap * 2 : 256;
	size_t T = (size_t)d->T;
	struct dev *ev = realloc(d->ev, (size_t)cap * sizeof(*ev));
	struct dnode *node;
	uint32_t *vc, *pos;
	int32_t *last;

	if (!ev)
		return -ENOMEM;
	d->ev = ev;
	node = realloc(d->node, ((size_t)cap + 1) * sizeof(*node));
	if (!node)
		return -ENOMEM;
	/* node_init() frees what a node held: new nodes hold nothing */
	{
		int from = d->cap ? d->cap + 1 : 0;

		memset(&node[from], 0, (size_t)(cap + 1 - from) * sizeof(*node));
	}
	d->node = node;
	vc = realloc(d->vc, (size_t)cap * T * sizeof(*vc));
	if (!vc)
		return -ENOMEM;
	d->vc = vc;
	pos = realloc(d->pos, ((size_t)cap + 1) * T * sizeof(*pos));
	if (!pos)
		return -ENOMEM;
	d->pos = pos;
	last = realloc(d->last, ((size_t)cap + 1) * T * sizeof(*last));
	if (!last)
		return -ENOMEM;
	d->last = last;
	d->x->dpor_bytes += (size_t)(cap - d->cap) *
			    (sizeof(*ev) + sizeof(*node) + T * (sizeof(*vc) +
			     sizeof(*pos) + sizeof(*last)));
	d->cap = cap;
	return 0;
}

static const struct span_footprint *node_fp(const struct dnode *n, int t)
{
	for (int k = 0; k < n->nfps; k++)
		if (n->fps[k].thread == t)
			return &n->fps[k].fp;
	return NULL;
}

static int node_set_fp(struct dpor *d, struct dnode *n, int t,
		       const struct span_footprint *fp)
{
	for (int k = 0; k < n->nfps; k++)
		if (n->fps[k].thread == t) {
			n->fps[k].fp = *fp;
			return 0;
		}
	if (n->nfps == n->capfps) {
		int cap = n->capfps ? n->capfps * 2 : 2;
		struct sfp *v = realloc(n->fps, (size_t)cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->x->dpor_bytes += (size_t)(cap - n->capfps) * sizeof(*v);
		n->fps = v;
		n->capfps = cap;
	}
	n->fps[n->nfps++] = (struct sfp){ .thread = t, .fp = *fp };
	return 0;
}

static void node_forget(struct dpor *d, int i)
{
	struct dnode *n = &d->node[i];

	d->x->dpor_bytes -= (size_t)n->capfps * sizeof(*n->fps);
	free(n->fps);
	n->fps = NULL;
	n->nfps = n->capfps = 0;
}

/*
 * Sleep sets (Godefroid): thread p stepped from node i to node i + 1.  The
 * threads explored from i before p, and those asleep at i, sleep at i + 1
 * when their step commutes with p's: every schedule starting with theirs
 * was covered from i.  Then p's own step is kept for the siblings to come.
 */
static int sleep_after(struct dpor *d, int i, int p)
{
	struct dnode *n = &d->node[i], *c = &d->node[i + 1];
	const struct span_footprint *pf = &d->ev[i].fp;
	uint32_t cand = (n->sleep | n->stepped_mask) & ~bit(p);

	for (int q = 0; cand; q++) {
		const struct span_footprint *qf;

		if (!(cand & bit(q)))
			continue;
		cand &= ~bit(q);
		qf = node_fp(n, q);
		if (!qf || span_footprint_conflict(qf, pf))
			continue;
		c->sleep |= bit(q);
		if (node_set_fp(d, c, q, qf))
			return -ENOMEM;
	}
	n->stepped_mask |= bit(p);
	return node_set_fp(d, n, p, pf);
}

static void node_init(struct dpor *d, int i)
{
	node_forget(d, i);
	memset(&d->node[i], 0, sizeof(d->node[i]));
	if (!i) {
		memset(d->pos, 0, d->T * sizeof(*d->pos));
		for (int t = 0; t < d->T; t++)
			d->last[t] = -1;
		return;
	}
	memcpy(&d->pos[(size_t)i * d->T], &d->pos[(size_t)(i - 1) * d->T],
	       d->T * sizeof(*d->pos));
	memcpy(&d->last[(size_t)i * d->T], &d->last[(size_t)(i - 1) * d->T],
	       d->T * sizeof(*d->last));
	d->pos[(size_t)i * d->T + d->ev[i - 1].thread]++;
	d->last[(size_t)i * d->T + d->ev[i - 1].thread] = i - 1;
}

static int checkpoint(struct dpor *d, int i)
{
	struct dnode *n = &d->node[i];

	n->ckpt = run_save(d->x->r);
	if (!n->ckpt)
		return -ENOMEM;
	d->ckpt_bytes += run_snap_bytes(n->ckpt);
	d->x->snap_bytes = d->ckpt_bytes;
	if (d->ckpt_bytes > d->x->res->peak_bytes)
		d->x->res->peak_bytes = d->ckpt_bytes;
	return 0;
}

static void drop_checkpoint(struct dpor *d, int i)
{
	struct dnode *n = &d->node[i];

	if (!n->ckpt)
		return;
	d->ckpt_bytes -= run_snap_bytes(n->ckpt);
	d->x->snap_bytes = d->ckpt_bytes;
	run_snap_free(d->x->r, n->ckpt);
	n->ckpt = NULL;
}

/* put the run in the state of node @j of the current schedule */
static int restore(struct dpor *d, int j)
{
	struct run *r = d->x->r;
	struct span_world *w = run_world(r);
	int k = j;

	while (!d->node[k].ckpt)
		k--;
	if (run_load(r, d->node[k].ckpt))
		return -ENOMEM;
	span_world_set_check(w, false);
	for (int e = k; e < j; e++) {
		struct run_choice c = { .thread = d->ev[e].thread };

		run_step(r, &c);
	}
	span_world_set_check(w, true);
	return run_oom(r) ? -ENOMEM : 0;
}

/* the deepest node with a backtrack entry left, or -1 */
static int next_node(struct dpor *d)
{
	for (int i = d->depth; i >= 0; i--) {
		struct dnode *n = &d->node[i];

		if (n->backtrack & ~n->done & ~n->sleep)
			return i;
	}
	return -1;
}

static uint32_t lowest(uint32_t m)
{
	return m & -m;
}

static int bitno(uint32_t m)
{
	return __builtin_ctz(m);
}

/*
 * Visit node d->depth for the first time: which threads may run.
 * Return 1 when it is an end state, 0, or -EOPNOTSUPP (a kernel event).
 */
static int first_visit(struct dpor *d)
{
	struct xctx *x = d->x;
	struct dnode *n = &d->node[d->depth];
	struct run_choice ch[EXPLORE_MAX_CHOICES];
	int nc;

	n->visited = true;
	if (run_status(x->r) != RUN_RUNNING)
		return 1;
	nc = run_enabled(x->r, ch, EXPLORE_MAX_CHOICES);
	for (int i = 0; i < nc; i++) {
		if (ch[i].thread < 0)
			return -EOPNOTSUPP;
		n->enabled |= bit(ch[i].thread);
	}
	if (!n->enabled)
		return 1;
	/* every thread that can run sleeps: nothing new below (no end state) */
	if (!(n->enabled & ~n->sleep))
		return 0;
	/* the first schedule: keep running the thread that ran last */
	if (d->depth && (n->enabled & ~n->sleep &
			 bit(d->ev[d->depth - 1].thread)))
		n->backtrack = bit(d->ev[d->depth - 1].thread);
	else
		n->backtrack = lowest(n->enabled & ~n->sleep);
	return 0;
}

static void dpor_free(struct dpor *d)
{
	for (int i = 0; i <= d->depth && d->node; i++) {
		drop_checkpoint(d, i);
		node_forget(d, i);
	}
	for (size_t i = 0; i < d->map_cap; i++)
		free(d->map[i].v);
	free(d->map);
	free(d->conf);
	free(d->ev);
	free(d->node);
	free(d->vc);
	free(d->pos);
	free(d->last);
}

int explore__dpor(struct xctx *x)
{
	struct dpor d = { .x = x, .T = x->s->nr_threads };
	struct explore_result *res = x->res;
	uint64_t max = x->o->max_states ? x->o->max_states : 10000000;
	int err = 0;

	if (d.T > DPOR_MAX_THREADS) {
		res->reduction_note = "more than 32 threads";
		return -EOPNOTSUPP;
	}
	if (d.T < 1)
		d.T = 1;
	if (grow(&d) || (node_init(&d, 0), checkpoint(&d, 0))) {
		x->oom = true;
		goto out;
	}
	res->states = 1;
	for (;;) {
		struct dnode *n = &d.node[d.depth];
		uint32_t cand;
		uint64_t before;
		int p, ret;
		double tnow;

		if (!n->visited) {
			ret = first_visit(&d);
			if (ret == -EOPNOTSUPP) {
				res->reduction_note = "kernel events";
				err = ret;
				goto out;
			}
			if (ret == 1) {
				explore__end_state(x);
				res->traces++;
				goto backtrack;
			}
		}
		cand = n->backtrack & ~n->done & ~n->sleep;
		if (!cand) {
			if (!n->stepped_mask && !n->enabled) {
				/* every thread here blocks: a deadlock */
				explore__end_state(x);
				res->traces++;
			}
			goto backtrack;
		}
		p = bitno(cand);
		n->done |= bit(p);
		if (!(n->enabled & bit(p)))
			continue;
		tnow = explore__now();
		x->dpor_depth = d.depth;
		if (explore__bound_hit(x, max, tnow))
			break;
		explore__progress(x, tnow);
		before = run_nr_steps(x->r);
		run_step(x->r, &(struct run_choice){ .thread = p });
		if (run_oom(x->r)) {
			x->oom = true;
			break;
		}
		if (run_nr_steps(x->r) == before && run_status(x->r) == RUN_RUNNING) {
			/* p blocks here: not a step */
			n->enabled &= ~bit(p);
			if (n->by_race & bit(p))
				n->backtrack |= n->enabled;
			else if (!(n->backtrack & ~n->done & ~n->sleep & n->enabled))
				n->backtrack |= lowest(n->enabled & ~n->done & ~n->sleep);
			continue;
		}
		res->transitions++;
		res->states++;
		if (d.depth + 1 >= d.cap && grow(&d)) {
			x->oom = true;
			break;
		}
		d.ev[d.depth].thread = p;
		d.ev[d.depth].fp = *run_last_footprint(x->r);
		if (add_step(&d, d.depth)) {
			x->oom = true;
			break;
		}
		d.depth++;
		if ((uint64_t)d.depth > res->max_depth)
			res->max_depth = (uint64_t)d.depth;
		node_init(&d, d.depth);
		if (sleep_after(&d, d.depth - 1, p)) {
			x->oom = true;
			break;
		}
		if (d.depth % CKPT_EVERY == 0 && checkpoint(&d, d.depth)) {
			x->oom = true;
			break;
		}
		if (explore__mem_bytes(x) > res->mem_bytes)
			res->mem_bytes = explore__mem_bytes(x);
		continue;
backtrack:
		{
			int j = next_node(&d);

			if (j < 0)
				break;
			for (int i = d.depth; i > j; i--) {
				drop_checkpoint(&d, i);
				node_forget(&d, i);
			}
			d.depth = j;
			if (d.frontier_upto > j)
				d.frontier_upto = -1;
			if (restore(&d, j)) {
				x->oom = true;
				break;
			}
		}
	}
out:
	dpor_free(&d);
	x->snap_bytes = 0;
	return err;
}
