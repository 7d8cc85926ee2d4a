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

/*
 * run_hash - the state of the whole run: the world's canonical hash and
 * every thread's position, the labels (value and the order in which they
 * and the owners' destructors happened), the variables and the ids bound
 * to names.
 */
void run_hash(struct run *r, uint64_t out[2])
{
	const struct scn *s = r->s;
	uint64_t h[2], mix = 0x9e3779b97f4a7c15ull;
	uint64_t stamps[256];
	int ns = 0;

#define MIX(x) do { mix ^= (uint64_t)(x) + 0x9e3779b97f4a7c15ull + (mix << 6) + (mix >> 2); mix *= 0xff51afd7ed558ccdull; } while (0)
	span_world_hash(r->w, h);
	MIX(r->status);
	for (int i = 0; i < r->nr_threads; i++) {
		struct thread *t = &r->threads[i];

		MIX(t->finished);
		MIX(t->blocked);
		MIX(t->depth);
		for (int d = 0; d < t->depth; d++) {
			MIX(t->stack[d].idx);
			if (t->stack[d].loopvar >= 0)
				MIX(t->loopvars[t->stack[d].loopvar]);
		}
		MIX(t->done);
		MIX(t->total);
		MIX(t->off);
		for (size_t k = 0; k < t->acc.len; k++)
			MIX((unsigned char)t->acc.data[k]);
		if (t->blocked)
			for (int k = 0; k < t->wait_fp.nr_read; k++)
				MIX(t->wait_fp.read[k]);
	}
	for (int i = 0; i < s->nr_processes; i++)
		MIX(r->pids[i]);
	/* the order of labelled completions and destructor runs */
	for (int i = 0; i < s->nr_syms && ns < 256; i++) {
		if (s->syms[i].kind == SCN_SYM_LABEL && r->labels[i].set)
			stamps[ns++] = r->labels[i].step;
		if (s->syms[i].kind == SCN_SYM_OWNER) {
			struct span_owner_info oi;

			for (int64_t j = 0; j < r->objs[i].n && ns < 256; j++)
				if (r->objs[i].id[j] &&
				    !span_owner_info(r->w, (int)r->objs[i].id[j], &oi) &&
				    oi.destructed_at)
					stamps[ns++] = oi.destructed_at;
		}
	}
	for (int i = 0; i < s->nr_syms; i++) {
		if (s->syms[i].kind == SCN_SYM_LABEL) {
			int rank = 0;

			MIX(r->labels[i].set);
			if (!r->labels[i].set)
				continue;
			MIX(r->labels[i].value);
			for (int k = 0; k < ns; k++)
				rank += stamps[k] < r->labels[i].step;
			MIX(rank);
		} else if (s->syms[i].kind == SCN_SYM_OWNER) {
			for (int64_t j = 0; j < r->objs[i].n; j++) {
				struct span_owner_info oi;
				int rank = 0;

				MIX(r->objs[i].id[j]);
				if (!r->objs[i].id[j] ||
				    span_owner_info(r->w, (int)r->objs[i].id[j], &oi) ||
				    !oi.destructed_at)
					continue;
				for (int k = 0; k < ns; k++)
					rank += stamps[k] < oi.destructed_at;
				MIX(rank);
			}
		} else if (s->syms[i].kind == SCN_SYM_VAR) {
			for (int64_t j = 0; j < r->vars[i].n; j++) {
				MIX(r->vars[i].set[j]);
				if (!r->vars[i].set[j])
					continue;
				MIX(r->vars[i].v[j].len);
				for (size_t k = 0; k < r->vars[i].v[j].len; k++)
					MIX((unsigned char)r->vars[i].v[j].data[k]);
			}
		} else {
			for (int64_t j = 0; j < r->objs[i].n; j++)
				MIX(r->objs[i].id[j]);
		}
	}
#undef MIX
	out[0] = h[0] ^ mix;
	out[1] = h[1] + (mix * 0xc4ceb9fe1a85ec53ull);
}

