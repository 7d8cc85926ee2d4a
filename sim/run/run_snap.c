// SPDX-License-Identifier: MIT
/*
 * run_snap.c - snapshots of a whole run (world and runner) and the state
 * hash, for the explorer.
 *
 * Not a kernel file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "run_int.h"

/* --- snapshots of a whole run (the explorer) ----------------------------- */

struct run_snap {
	struct run r;			/* scalars */
	struct thread *threads;
	struct span_snapshot *ws;
	int *pids;
	struct label *labels;
	struct var *vars;
	int64_t **ids;
	char *sched;
};

static char *dup_bytes(const char *p, size_t n)
{
	char *q;

	if (!p)
		return NULL;
	q = malloc(n + 1);
	if (q) {
		memcpy(q, p, n);
		q[n] = 0;
	}
	return q;
}

static void vars_free(const struct scn *s, struct var *vars)
{
	if (!vars)
		return;
	for (int i = 0; i < s->nr_syms; i++) {
		for (int64_t j = 0; j < vars[i].n; j++)
			free(vars[i].v[j].data);
		free(vars[i].v);
		free(vars[i].set);
	}
	free(vars);
}

static struct var *vars_dup(const struct scn *s, const struct var *src)
{
	struct var *v = calloc((size_t)s->nr_syms, sizeof(*v));

	if (!v)
		return NULL;
	for (int i = 0; i < s->nr_syms; i++) {
		if (!src[i].n)
			continue;
		v[i].v = calloc((size_t)src[i].n, sizeof(*v[i].v));
		v[i].set = calloc((size_t)src[i].n, sizeof(bool));
		if (!v[i].v || !v[i].set)
			goto fail;
		v[i].n = src[i].n;
		memcpy(v[i].set, src[i].set, (size_t)src[i].n * sizeof(bool));
		for (int64_t j = 0; j < src[i].n; j++) {
			if (!src[i].set[j])
				continue;
			v[i].v[j].data = dup_bytes(src[i].v[j].data, src[i].v[j].len);
			v[i].v[j].len = src[i].v[j].len;
			if (!v[i].v[j].data)
				goto fail;
		}
	}
	return v;
fail:
	vars_free(s, v);
	return NULL;
}

static void threads_free(struct run *r, struct thread *t)
{
	if (!t)
		return;
	for (int i = 0; i < r->nr_threads; i++) {
		free(t[i].loopvars);
		free(t[i].acc.data);
	}
	free(t);
}

static struct thread *threads_dup(struct run *r, const struct thread *src)
{
	size_t nl = (size_t)r->s->nr_kind[SCN_SYM_LOOPVAR] + 1;
	struct thread *t = calloc((size_t)r->nr_threads + 1, sizeof(*t));

	if (!t)
		return NULL;
	for (int i = 0; i < r->nr_threads; i++) {
		t[i] = src[i];
		t[i].loopvars = malloc(nl * sizeof(int64_t));
		t[i].acc.data = dup_bytes(src[i].acc.data, src[i].acc.len);
		if (!t[i].loopvars || (src[i].acc.data && !t[i].acc.data)) {
			for (int k = i + 1; k < r->nr_threads; k++)
				t[k].loopvars = NULL, t[k].acc.data = NULL;
			threads_free(r, t);
			return NULL;
		}
		memcpy(t[i].loopvars, src[i].loopvars, nl * sizeof(int64_t));
	}
	return t;
}

void run_snap_free(struct run *r, struct run_snap *sn)
{
	if (!sn)
		return;
	span_snapshot_free(r->w, sn->ws);
	threads_free(r, sn->threads);
	free(sn->pids);
	free(sn->labels);
	vars_free(r->s, sn->vars);
	if (sn->ids)
		for (int i = 0; i < r->s->nr_syms; i++)
			free(sn->ids[i]);
	free(sn->ids);
	free(sn->sched);
	free(sn);
}

struct run_snap *run_save(struct run *r)
{
	const struct scn *s = r->s;
	struct run_snap *sn = calloc(1, sizeof(*sn));

	if (!sn)
		return NULL;
	sn->r = *r;
	if (span_world_snapshot(r->w, &sn->ws))
		goto fail;
	sn->threads = threads_dup(r, r->threads);
	sn->pids = malloc((size_t)s->nr_processes * sizeof(int));
	sn->labels = malloc((size_t)s->nr_syms * sizeof(struct label));
	sn->vars = vars_dup(s, r->vars);
	sn->ids = calloc((size_t)s->nr_syms, sizeof(int64_t *));
	sn->sched = dup_bytes(r->sched ? r->sched : "", r->sched_len);
	if (!sn->threads || !sn->pids || !sn->labels || !sn->vars || !sn->ids ||
	    !sn->sched)
		goto fail;
	memcpy(sn->pids, r->pids, (size_t)s->nr_processes * sizeof(int));
	memcpy(sn->labels, r->labels, (size_t)s->nr_syms * sizeof(struct label));
	for (int i = 0; i < s->nr_syms; i++) {
		if (!r->objs[i].n)
			continue;
		sn->ids[i] = malloc((size_t)r->objs[i].n * sizeof(int64_t));
		if (!sn->ids[i])
			goto fail;
		memcpy(sn->ids[i], r->objs[i].id, (size_t)r->objs[i].n * sizeof(int64_t));
	}
	return sn;
fail:
	run_snap_free(r, sn);
	return NULL;
}

int run_load(struct run *r, const struct run_snap *sn)
{
	const struct scn *s = r->s;
	struct thread *t = threads_dup(r, sn->threads);
	struct var *v = vars_dup(s, sn->vars);
	char *sched = dup_bytes(sn->sched, sn->r.sched_len);
	struct run saved = *r;

	if (!t || !v || !sched || span_world_restore(r->w, sn->ws)) {
		threads_free(r, t);
		vars_free(s, v);
		free(sched);
		return -ENOMEM;
	}
	threads_free(r, r->threads);
	vars_free(s, r->vars);
	free(r->sched);
	*r = sn->r;
	/* the heap parts are this run's own */
	r->w = saved.w;
	r->threads = t;
	r->vars = v;
	r->sched = sched;
	r->sched_cap = sn->r.sched_len + 1;
	r->pids = saved.pids;
	r->labels = saved.labels;
	r->objs = saved.objs;
	r->expects = saved.expects;
	r->exists = saved.exists;
	r->given = saved.given;
	r->given_rep = saved.given_rep;
	r->setup = saved.setup;
	r->oom = saved.oom;
	r->over_budget = saved.over_budget;
	r->model_bytes = saved.model_bytes;	/* the world's, as it is now */
	r->hash_st = saved.hash_st;
	r->hash_stamps = saved.hash_stamps;
	r->hash_stamps_cap = saved.hash_stamps_cap;
	memcpy(r->pids, sn->pids, (size_t)s->nr_processes * sizeof(int));
	memcpy(r->labels, sn->labels, (size_t)s->nr_syms * sizeof(struct label));
	for (int i = 0; i < s->nr_syms; i++)
		if (r->objs[i].n)
			memcpy(r->objs[i].id, sn->ids[i],
			       (size_t)r->objs[i].n * sizeof(int64_t));
	r->viol = NULL;
	if (r->status == RUN_VIOLATION)
		r->viol = r->deadlock ? &r->deadlock_viol :
					span_world_violation(r->w, 0);
	return 0;
}

size_t run_snap_bytes(const struct run_snap *sn)
{
	return sizeof(*sn) + span_snapshot_bytes(sn->ws);
}

/* run_hash()'s input, fed to XXH3 in pieces of 64 words */
struct hash_feed {
	XXH3_state_t *st;
	uint64_t buf[64];
	int n;
};

static void feed_flush(struct hash_feed *hf)
{
	if (hf->n)
		XXH3_128bits_update(hf->st, hf->buf,
				    (size_t)hf->n * sizeof(hf->buf[0]));
	hf->n = 0;
}

static void feed(struct hash_feed *hf, uint64_t v)
{
	if (hf->n == (int)(sizeof(hf->buf) / sizeof(hf->buf[0])))
		feed_flush(hf);
	hf->buf[hf->n++] = v;
}

static void feed_bytes(struct hash_feed *hf, const void *p, size_t n)
{
	feed(hf, n);
	feed_flush(hf);
	if (n)
		XXH3_128bits_update(hf->st, p, n);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* how many of the @n sorted @stamps are below @v */
static uint64_t stamp_rank(const uint64_t *stamps, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (stamps[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t owner_destructed_at(struct run *r, int64_t id)
{
	struct span_owner_info oi;

	if (!id || span_owner_info(r->w, (int)id, &oi))
		return 0;
	return oi.destructed_at;
}

/* the steps of every labelled completion and destructor run, sorted */
static size_t collect_stamps(struct run *r)
{
	const struct scn *s = r->s;
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (int i = 0; i < s->nr_syms; i++) {
			if (s->syms[i].kind == SCN_SYM_LABEL &&
			    r->labels[i].set) {
				if (pass)
					r->hash_stamps[n] = r->labels[i].step;
				n++;
			}
			if (s->syms[i].kind != SCN_SYM_OWNER)
				continue;
			for (int64_t j = 0; j < r->objs[i].n; j++) {
				uint64_t at = owner_destructed_at(r,
							r->objs[i].id[j]);

				if (!at)
					continue;
				if (pass)
					r->hash_stamps[n] = at;
				n++;
			}
		}
		if (pass)
			break;
		if (n > r->hash_stamps_cap) {
			uint64_t *p = realloc(r->hash_stamps,
					      n * sizeof(*p));

			if (!p) {
				r->oom = true;
				return 0;
			}
			r->hash_stamps = p;
			r->hash_stamps_cap = n;
		}
	}
	if (n > 1)	/* qsort() of none would be qsort(NULL, 0, ...) */
		qsort(r->hash_stamps, n, sizeof(r->hash_stamps[0]), cmp_u64);
	return n;
}

/*
 * run_hash - the state of the whole run: the world's canonical hash and
 * every thread's position, the labels (value and the order in which they
 * and the owners' destructors happened, as ranks, so that two runs that
 * reached the same order at different step numbers are one state), the
 * variables and the ids bound to names.  XXH3-128 over all of it; a host
 * allocation failure sets the run's oom flag (the explorer then reports
 * its search incomplete) rather than hashing less.
 */
void run_hash(struct run *r, uint64_t out[2])
{
	const struct scn *s = r->s;
	struct hash_feed hf = { .st = r->hash_st };
	uint64_t h[2];
	XXH128_hash_t d;
	size_t ns;

	span_world_hash(r->w, h);
	if (!hf.st) {
		hf.st = r->hash_st = XXH3_createState();
		if (!hf.st) {
			r->oom = true;
			out[0] = h[0];
			out[1] = h[1];
			return;
		}
	}
	XXH3_128bits_reset(hf.st);
	feed(&hf, h[0]);
	feed(&hf, h[1]);
	feed(&hf, (uint64_t)r->status);
	for (int i = 0; i < r->nr_threads; i++) {
		struct thread *t = &r->threads[i];

		feed(&hf, t->finished);
		feed(&hf, t->blocked);
		feed(&hf, (uint64_t)t->depth);
		for (int k = 0; k < t->depth; k++) {
			feed(&hf, (uint64_t)t->stack[k].idx);
			if (t->stack[k].loopvar >= 0)
				feed(&hf, (uint64_t)t->loopvars[
						t->stack[k].loopvar]);
		}
		feed(&hf, t->done);
		feed(&hf, t->total);
		feed(&hf, t->off);
		feed_bytes(&hf, t->acc.data, t->acc.len);
		if (t->blocked) {
			feed(&hf, (uint64_t)t->wait_fp.nr_read);
			for (int k = 0; k < t->wait_fp.nr_read; k++)
				feed(&hf, t->wait_fp.read[k]);
		}
	}
	for (int i = 0; i < s->nr_processes; i++)
		feed(&hf, (uint64_t)r->pids[i]);
	ns = collect_stamps(r);
	for (int i = 0; i < s->nr_syms; i++) {
		if (s->syms[i].kind == SCN_SYM_LABEL) {
			feed(&hf, r->labels[i].set);
			if (!r->labels[i].set)
				continue;
			feed(&hf, (uint64_t)r->labels[i].value);
			feed(&hf, stamp_rank(r->hash_stamps, ns,
					     r->labels[i].step));
		} else if (s->syms[i].kind == SCN_SYM_OWNER) {
			for (int64_t j = 0; j < r->objs[i].n; j++) {
				uint64_t at = owner_destructed_at(r,
							r->objs[i].id[j]);

				feed(&hf, (uint64_t)r->objs[i].id[j]);
				feed(&hf, !!at);
				if (at)
					feed(&hf, stamp_rank(r->hash_stamps,
							     ns, at));
			}
		} else if (s->syms[i].kind == SCN_SYM_VAR) {
			for (int64_t j = 0; j < r->vars[i].n; j++) {
				feed(&hf, r->vars[i].set[j]);
				if (r->vars[i].set[j])
					feed_bytes(&hf, r->vars[i].v[j].data,
						   r->vars[i].v[j].len);
			}
		} else {
			for (int64_t j = 0; j < r->objs[i].n; j++)
				feed(&hf, (uint64_t)r->objs[i].id[j]);
		}
	}
	feed_flush(&hf);
	d = XXH3_128bits_digest(hf.st);
	out[0] = d.low64;
	out[1] = d.high64;
}

