// SPDX-License-Identifier: MIT
/*
 * snapshot.c - copy, restore, hash and compare worlds.
 *
 * Not a kernel file.  A snapshot is the world struct plus a copy of every
 * table's used prefix and of the live pages' contents: a few memcpys
 * (DESIGN.md decision 2).  The hash and the equality test run over a
 * canonical form of the state: live objects only, ring slots in ring
 * order, pool bases (which depend on allocation history) left out, and
 * absolute step numbers replaced by what a later decision can depend on
 * (whether an owner was destructed; a write's fork epoch).
 */
#include <xxhash.h>

#include "internal.h"

struct tab_copy {
	void *v;
	uint32_t n, hint;
};

#define NR_TABS 19

struct span_snapshot {
	struct span_world w;		/* scalars; table pointers unused */
	struct tab_copy tabs[NR_TABS];
	uint8_t *page_data;
	struct span_prov *page_prov;
	size_t bytes;
};

static struct span_tab *world_tabs(struct span_world *w, int i)
{
	struct span_tab *t[NR_TABS] = {
		&w->pages, &w->owners, &w->descs, &w->procs, &w->vmas,
		&w->ptes, &w->regions, &w->ids, &w->kmems, &w->files,
		&w->pipes, &w->slots, &w->net.events, &w->net.skbs,
		&w->net.shinfos, &w->net.ubufs, &w->net.socks,
		&w->net.captures, &w->net.notes,
	};

	return t[i];
}

void span_snapshot_free(struct span_world *w, struct span_snapshot *s)
{
	if (!w || !s)
		return;
	for (int i = 0; i < NR_TABS; i++)
		span__free(w, s->tabs[i].v);
	span__free(w, s->page_data);
	span__free(w, s->page_prov);
	span__free(w, s);
}

int span_world_snapshot(const struct span_world *cw, struct span_snapshot **out)
{
	struct span_world *w = (struct span_world *)cw;
	struct span_snapshot *s;
	size_t np;

	if (!w || !out)
		return -EINVAL;
	s = span__alloc(w, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->w = *w;
	s->w.viol = NULL;
	s->bytes = sizeof(*s);
	for (int i = 0; i < NR_TABS; i++) {
		struct span_tab *t = world_tabs(w, i);
		size_t n = (size_t)t->n * t->esz;

		s->tabs[i].n = t->n;
		s->tabs[i].hint = t->hint;
		s->tabs[i].v = span__alloc(w, n);
		if (!s->tabs[i].v)
			goto fail;
		memcpy(s->tabs[i].v, t->v, n);
		s->bytes += n;
	}
	np = (size_t)w->pages.n * w->page_size;
	s->page_data = span__alloc(w, np);
	s->page_prov = span__alloc(w, np * sizeof(struct span_prov));
	if (!s->page_data || !s->page_prov)
		goto fail;
	memcpy(s->page_data, w->page_data, np);
	memcpy(s->page_prov, w->page_prov, np * sizeof(struct span_prov));
	s->bytes += np * (1 + sizeof(struct span_prov));
	*out = s;
	return 0;
fail:
	span_snapshot_free(w, s);
	return -ENOMEM;
}

static int tab_reserve(struct span_world *w, struct span_tab *t, uint32_t n)
{
	void *v;

	if (n <= t->cap)
		return 0;
	v = span__realloc(w, t->v, (size_t)n * t->esz);
	if (!v)
		return -ENOMEM;
	t->v = v;
	t->cap = n;
	return 0;
}

int span_world_restore(struct span_world *w, const struct span_snapshot *s)
{
	struct span_tab saved[NR_TABS];
	struct span_violation *viol;
	int nr_viol, cap_viol;
	uint8_t *pd;
	struct span_prov *pp;
	size_t ps = s ? s->w.page_size : 0;

	if (!w || !s || ps != w->page_size)
		return -EINVAL;
	/* make room first, so a failure leaves the world as it was */
	if (s->tabs[0].n > w->pages.cap) {
		pd = span__realloc(w, w->page_data, (size_t)s->tabs[0].n * ps);
		if (!pd)
			return -ENOMEM;
		w->page_data = pd;
		pp = span__realloc(w, w->page_prov,
				   (size_t)s->tabs[0].n * ps * sizeof(*pp));
		if (!pp)
			return -ENOMEM;
		w->page_prov = pp;
	}
	for (int i = 0; i < NR_TABS; i++)
		if (tab_reserve(w, world_tabs(w, i), s->tabs[i].n))
			return -ENOMEM;
	for (int i = 0; i < NR_TABS; i++)
		saved[i] = *world_tabs(w, i);
	viol = w->viol;
	nr_viol = w->nr_viol;
	cap_viol = w->cap_viol;
	pd = w->page_data;
	pp = w->page_prov;
	*w = s->w;
	w->viol = viol;
	w->cap_viol = cap_viol;
	w->nr_viol = nr_viol < s->w.nr_viol ? nr_viol : s->w.nr_viol;
	w->page_data = pd;
	w->page_prov = pp;
	for (int i = 0; i < NR_TABS; i++) {
		struct span_tab *t = world_tabs(w, i);

		*t = saved[i];
		memcpy(t->v, s->tabs[i].v, (size_t)s->tabs[i].n * t->esz);
		memset((char *)t->v + (size_t)s->tabs[i].n * t->esz, 0,
		       (size_t)(t->cap - s->tabs[i].n) * t->esz);
		t->n = s->tabs[i].n;
		t->hint = s->tabs[i].hint;
	}
	/* pages.cap may have grown past the data arrays: keep them in step */
	if (w->pages.cap > s->tabs[0].n) {
		size_t cap = w->pages.cap;

		pd = span__realloc(w, w->page_data, cap * ps);
		pp = pd ? span__realloc(w, w->page_prov, cap * ps * sizeof(*pp)) :
			  NULL;
		if (pd)
			w->page_data = pd;
		if (pp)
			w->page_prov = pp;
		if (!pd || !pp)
			return -ENOMEM;
	}
	memcpy(w->page_data, s->page_data, (size_t)s->tabs[0].n * ps);
	memcpy(w->page_prov, s->page_prov,
	       (size_t)s->tabs[0].n * ps * sizeof(*pp));
	return 0;
}

size_t span_snapshot_bytes(const struct span_snapshot *s)
{
	return s ? s->bytes : 0;
}

/* --- canonical form ---------------------------------------------------- */

typedef void (*sink_fn)(void *ctx, const void *p, size_t n);

static uint32_t fork_epoch(const struct span_world *w, uint64_t step)
{
	uint32_t e = 0;

	for (uint32_t p = 1; p < w->procs.n; p++)
		if (span__tab_live(&w->procs, p) &&
		    TAB_AT(w->procs, struct span_process, p)->forked_at &&
		    TAB_AT(w->procs, struct span_process, p)->forked_at < step)
			e++;
	return e;
}

static void canon(const struct span_world *cw, sink_fn sink, void *ctx)
{
	struct span_world *w = (struct span_world *)cw;

	sink(ctx, &w->policy, sizeof(w->policy));
	sink(ctx, w->param, sizeof(w->param));
	for (uint32_t i = 1; i < w->pages.n; i++) {
		struct span_page p;
		const struct span_prov *pv;

		if (!span__page_live(w, i))
			continue;
		p = *PAGE(w, i);
		p.freed_at = 0;
		sink(ctx, &i, sizeof(i));
		sink(ctx, &p, sizeof(p));
		sink(ctx, page_bytes(w, i), w->page_size);
		pv = page_prov(w, i);
		for (uint32_t b = 0; b < w->page_size; b++) {
			uint32_t c[2] = { (uint32_t)pv[b].pid << 16 | pv[b].kind,
					  fork_epoch(w, pv[b].step) };

			sink(ctx, c, sizeof(c));
		}
	}
	for (uint32_t i = 1; i < w->owners.n; i++) {
		struct span_owner o;

		if (!OWNER(w, i)->live)
			continue;
		o = *OWNER(w, i);
		o.destructed_at = !!o.destructed_at;
		sink(ctx, &i, sizeof(i));
		sink(ctx, &o, sizeof(o));
	}
	for (uint32_t i = 1; i < w->descs.n; i++)
		if (DESC(w, i)->live) {
			sink(ctx, &i, sizeof(i));
			sink(ctx, DESC(w, i), sizeof(struct span_desc));
		}
	for (uint32_t i = 1; i < w->procs.n; i++) {
		struct span_process p;

		if (!PROC(w, i)->live)
			continue;
		p = *PROC(w, i);
		p.forked_at = fork_epoch(w, p.forked_at + 1);
		sink(ctx, &i, sizeof(i));
		sink(ctx, &p, sizeof(p));
	}
	for (uint32_t i = 1; i < w->vmas.n; i++) {
		struct span_vma v;

		if (!VMA(w, i)->live)
			continue;
		v = *VMA(w, i);
		v.pte_base = 0;
		sink(ctx, &i, sizeof(i));
		sink(ctx, &v, sizeof(v));
		sink(ctx, PTE(w, VMA(w, i)->pte_base),
		     (size_t)v.npages * sizeof(struct span_pte));
	}
	for (uint32_t i = 1; i < w->regions.n; i++)
		if (REGION(w, i)->live) {
			sink(ctx, &i, sizeof(i));
			sink(ctx, REGION(w, i), sizeof(struct span_region));
		}
	for (uint32_t i = 1; i < w->kmems.n; i++) {
		struct span_kmem k;

		if (!KMEM(w, i)->live)
			continue;
		k = *KMEM(w, i);
		k.base = 0;
		sink(ctx, &i, sizeof(i));
		sink(ctx, &k, sizeof(k));
		for (uint32_t j = 0; j < k.npages; j++)
			sink(ctx, &IDREF(w, KMEM(w, i)->base + j)->id,
			     sizeof(uint32_t));
	}
	for (uint32_t i = 1; i < w->files.n; i++) {
		struct span_file f;

		if (!FILEP(w, i)->live)
			continue;
		f = *FILEP(w, i);
		f.base = 0;
		sink(ctx, &i, sizeof(i));
		sink(ctx, &f, sizeof(f));
		for (uint32_t j = 0; j < f.npages; j++)
			sink(ctx, &IDREF(w, FILEP(w, i)->base + j)->id,
			     sizeof(uint32_t));
	}
	for (uint32_t i = 1; i < w->pipes.n; i++) {
		struct span_pipe_inode_info p;
		uint32_t pos[2];

		if (!PIPE(w, i)->live)
			continue;
		p = *PIPE(w, i);
		pos[0] = p.tail & (p.ring_size - 1);
		pos[1] = p.head - p.tail;
		p.bufs = p.head = p.tail = 0;
		sink(ctx, &i, sizeof(i));
		sink(ctx, &p, sizeof(p));
		sink(ctx, pos, sizeof(pos));
		sink(ctx, SLOT(w, PIPE(w, i)->bufs),
		     (size_t)p.ring_size * sizeof(struct span_pipe_buffer));
	}
	span__net_canon(w, sink, ctx);
}

static void hash_sink(void *ctx, const void *p, size_t n)
{
	XXH3_128bits_update(ctx, p, n);
}

void span_world_hash(const struct span_world *w, uint64_t out[2])
{
	XXH3_state_t *st;
	XXH128_hash_t h;

	if (!w || !out)
		return;
	st = XXH3_createState();
	if (!st) {
		out[0] = out[1] = 0;
		return;
	}
	XXH3_128bits_reset(st);
	canon(w, hash_sink, st);
	h = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	out[0] = h.low64;
	out[1] = h.high64;
}

struct buf_ctx {
	struct span_world *w;
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static void buf_sink(void *ctx, const void *p, size_t n)
{
	struct buf_ctx *b = ctx;

	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *q;

		while (cap < b->n + n)
			cap *= 2;
		q = span__realloc(b->w, b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

bool span_world_equal(const struct span_world *a, const struct span_world *b)
{
	struct buf_ctx x = { .w = (struct span_world *)a };
	struct buf_ctx y = { .w = (struct span_world *)b };
	bool eq;

	if (!a || !b)
		return false;
	canon(a, buf_sink, &x);
	canon(b, buf_sink, &y);
	eq = !x.oom && !y.oom && x.n == y.n && !memcmp(x.p, y.p, x.n);
	span__free(x.w, x.p);
	span__free(y.w, y.p);
	return eq;
}
