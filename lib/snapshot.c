// SPDX-License-Identifier: MIT
/*
 * snapshot.c - copy, restore, hash and compare worlds.
 *
 * Not a kernel file.  A snapshot is the world struct plus a copy of every
 * table's used prefix and, for each page id, a reference to a blob of its
 * bytes and provenance (DESIGN.md decision 2).  The world keeps the blobs
 * of its live snapshots found by their digest, so a page that did not
 * change between two snapshots is held once: the explorer's checkpoints
 * of a run that fills thousands of pages cost what changed, not every page
 * each time.  The hash and the equality test run over a
 * canonical form of the state: live objects only, ring slots in ring
 * order, pool bases (which depend on allocation history) left out, and
 * absolute step numbers replaced by what a later decision can depend on
 * (whether an owner was destructed; a write's fork epoch).  The hash takes
 * each live page's bytes and provenance as their cached digest (struct
 * span_page's hash); equality compares them byte by byte.  The scratch
 * slots (internal.h) are not state: neither copied, restored nor hashed.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <xxhash.h>

#include "internal.h"

/* -DSPAN_HASH_VERIFY=1 (the sanitizer build): check every cached page hash */
#ifndef SPAN_HASH_VERIFY
#define SPAN_HASH_VERIFY 0
#endif

struct tab_copy {
	void *v;
	uint32_t n, hint;
};

#define NR_TABS SPAN_NR_WORLD_TABS

/*
 * One version of one page's contents, shared by the snapshots that hold
 * it (@refs), in its world's table of blobs under its digest.
 */
struct span_page_blob {
	struct span_page_blob *next;	/* in its bucket */
	uint64_t hash[2];		/* XXH3-128 of the bytes, then prov */
	uint32_t refs;
	uint32_t page_size;
	/* page_size bytes, then page_size struct span_prov */
};

struct span_snapshot {
	struct span_world w;		/* scalars; table pointers unused */
	struct tab_copy tabs[NR_TABS];
	struct span_page_blob **blob;	/* one per page id below tabs[0].n */
	size_t bytes;
	/* the tables and the blob pointers follow in the same allocation */
};

static inline uint8_t *blob_data(struct span_page_blob *b)
{
	return (uint8_t *)(b + 1);
}

static inline struct span_prov *blob_prov(struct span_page_blob *b)
{
	return (struct span_prov *)(blob_data(b) + b->page_size);
}

static size_t blob_size(size_t ps)
{
	return sizeof(struct span_page_blob) + ps +
	       ps * sizeof(struct span_prov);
}

static inline uint32_t blob_bucket_of(const struct span_world *w,
				      const uint64_t *hash)
{
	return (uint32_t)(hash[0] & (w->nr_blob_buckets - 1));
}

static void blob_put(struct span_world *w, struct span_page_blob *b)
{
	struct span_page_blob **pp;

	if (--b->refs)
		return;
	pp = &w->blob_bucket[blob_bucket_of(w, b->hash)];
	while (*pp != b)
		pp = &(*pp)->next;
	*pp = b->next;
	w->nr_blobs--;
	span__free(w, b);
}

/* double the buckets when the blobs outnumber them; a failure is fine */
static void blob_grow(struct span_world *w)
{
	uint32_t n = w->nr_blob_buckets ? w->nr_blob_buckets * 2 : 1024;
	struct span_page_blob **nb;

	if (w->nr_blobs < w->nr_blob_buckets)
		return;
	nb = span__realloc(w, NULL, (size_t)n * sizeof(*nb));
	if (!nb)
		return;
	memset(nb, 0, (size_t)n * sizeof(*nb));
	for (uint32_t i = 0; i < w->nr_blob_buckets; i++) {
		struct span_page_blob *b = w->blob_bucket[i], *next;

		for (; b; b = next) {
			uint32_t k = (uint32_t)(b->hash[0] & (n - 1));

			next = b->next;
			b->next = nb[k];
			nb[k] = b;
		}
	}
	span__free(w, w->blob_bucket);
	w->blob_bucket = nb;
	w->nr_blob_buckets = n;
}

void span__blobs_destroy(struct span_world *w)
{
	for (uint32_t i = 0; i < w->nr_blob_buckets; i++) {
		struct span_page_blob *b = w->blob_bucket[i], *next;

		for (; b; b = next) {
			next = b->next;
			span__free(w, b);
		}
	}
	span__free(w, w->blob_bucket);
	w->blob_bucket = NULL;
	w->nr_blob_buckets = w->nr_blobs = 0;
}

void span_snapshot_free(struct span_world *w, struct span_snapshot *s)
{
	if (!w || !s)
		return;
	for (uint32_t i = 0; i < s->tabs[0].n; i++)
		if (s->blob[i])
			blob_put(w, s->blob[i]);
	span__free(w, s);
}

static const uint64_t *page_digest(struct span_world *w, uint32_t page,
				   XXH3_state_t *st);

/*
 * The blob of page id @i's contents (live or freed: a freed id's bytes are
 * what a page that reuses it unzeroed holds), with a reference; a new one
 * when no live snapshot holds these contents.  *@created gets its size
 * when it is new.  Return: the blob, or NULL (-ENOMEM).
 */
static struct span_page_blob *blob_get(struct span_world *w, uint32_t i,
				       XXH3_state_t *st, size_t *created)
{
	size_t ps = w->page_size;
	const uint64_t *h = page_digest(w, i, st);
	struct span_page_blob *b;

	if (w->nr_blob_buckets) {
		for (b = w->blob_bucket[blob_bucket_of(w, h)]; b; b = b->next) {
			if (b->hash[0] != h[0] || b->hash[1] != h[1] ||
			    b->page_size != ps)
				continue;
			if (SPAN_HASH_VERIFY &&
			    (memcmp(blob_data(b), page_bytes(w, i), ps) ||
			     memcmp(blob_prov(b), page_prov(w, i),
				    ps * sizeof(struct span_prov)))) {
				fprintf(stderr, "span_world_snapshot: page#%u differs from a blob of the same digest\n",
					i);
				abort();
			}
			b->refs++;
			return b;
		}
	}
	blob_grow(w);
	if (!w->nr_blob_buckets)
		return NULL;
	b = span__realloc(w, NULL, blob_size(ps));
	if (!b)
		return NULL;
	b->hash[0] = h[0];
	b->hash[1] = h[1];
	b->refs = 1;
	b->page_size = (uint32_t)ps;
	memcpy(blob_data(b), page_bytes(w, i), ps);
	memcpy(blob_prov(b), page_prov(w, i), ps * sizeof(struct span_prov));
	b->next = w->blob_bucket[blob_bucket_of(w, h)];
	w->blob_bucket[blob_bucket_of(w, h)] = b;
	w->nr_blobs++;
	*created += blob_size(ps);
	return b;
}

/* keep each piece of a snapshot aligned for its element type */
static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

int span_world_snapshot(const struct span_world *cw, struct span_snapshot **out)
{
	struct span_world *w = (struct span_world *)cw;
	struct span_snapshot *s;
	size_t total = align8(sizeof(*s)), created = 0;
	uint32_t np;
	XXH3_state_t *st;
	char *p;

	if (!w || !out)
		return -EINVAL;
	/* one allocation: the header, every table's used prefix, the blobs */
	for (int i = 0; i < NR_TABS; i++) {
		struct span_tab *t = span__world_tab(w, i);

		total += align8((size_t)t->n * t->esz);
	}
	np = w->pages.n;
	total += (size_t)np * sizeof(struct span_page_blob *);
	st = XXH3_createState();
	s = st ? span__realloc(w, NULL, total) : NULL;
	if (!s) {
		XXH3_freeState(st);
		return -ENOMEM;
	}
	s->blob = (struct span_page_blob **)((char *)s + total -
					     (size_t)np * sizeof(*s->blob));
	/* the digests first: the page table copied below caches them */
	for (uint32_t i = 0; i < np; i++) {
		s->blob[i] = i ? blob_get(w, i, st, &created) : NULL;
		if (i && !s->blob[i]) {
			while (i-- > 1)
				blob_put(w, s->blob[i]);
			span__free(w, s);
			XXH3_freeState(st);
			/* the first snapshot leaves no table of blobs */
			if (!w->nr_blobs)
				span__blobs_destroy(w);
			return -ENOMEM;
		}
	}
	XXH3_freeState(st);
	s->w = *w;
	s->w.viol = NULL;
	s->w.chk = NULL;	/* the checker is not state */
	/* scratch is not state: the world keeps its own across a restore */
	memset(s->w.scratch, 0, sizeof(s->w.scratch));
	/* its own memory and the blobs it added: shared ones count once */
	s->bytes = total + created;
	p = (char *)s + align8(sizeof(*s));
	for (int i = 0; i < NR_TABS; i++) {
		struct span_tab *t = span__world_tab(w, i);
		size_t n = (size_t)t->n * t->esz;

		s->tabs[i].n = t->n;
		s->tabs[i].hint = t->hint;
		s->tabs[i].v = p;
		memcpy(p, t->v, n);
		p += align8(n);
	}
	*out = s;
	return 0;
}

static int tab_reserve(struct span_world *w, struct span_tab *t, uint32_t n)
{
	if (n <= t->cap)
		return 0;
	if (span__tab_reserve(w, t, n))
		return -ENOMEM;
	t->cap = n;
	return 0;
}

/*
 * the snapshot's page bytes and provenance into @w, whose page table is
 * still @cur (@ncur ids): a page whose cached digest (span_world_hash())
 * is its blob's is left as it is - after a step and its hash, a restore
 * copies what the step changed, not every page
 */
static void restore_pages(struct span_world *w, const struct span_snapshot *s,
			  const struct span_page *cur, uint32_t ncur)
{
	size_t ps = w->page_size;

	for (uint32_t i = 1; i < s->tabs[0].n; i++) {
		struct span_page_blob *b = s->blob[i];
		uint8_t *d = w->page_data + (size_t)i * ps;
		struct span_prov *v = w->page_prov + (size_t)i * ps;

		if (i < ncur && cur[i].hash_ok &&
		    cur[i].hash[0] == b->hash[0] &&
		    cur[i].hash[1] == b->hash[1]) {
			if (SPAN_HASH_VERIFY &&
			    (memcmp(d, blob_data(b), ps) ||
			     memcmp(v, blob_prov(b), ps * sizeof(*v)))) {
				fprintf(stderr, "span_world_restore: page#%u differs under the same digest\n",
					i);
				abort();
			}
			continue;
		}
		memcpy(d, blob_data(b), ps);
		memcpy(v, blob_prov(b), ps * sizeof(*v));
	}
}

int span_world_restore(struct span_world *w, const struct span_snapshot *s)
{
	struct span_tab saved[NR_TABS];
	struct span_scratch scratch[SPAN_NR_SCRATCH];
	struct span_violation *viol;
	struct span_checker *chk;
	struct span_page_blob **blob_bucket;
	uint32_t nr_blob_buckets, nr_blobs;
	int nr_viol, cap_viol;
	uint8_t *pd;
	struct span_prov *pp;
	size_t ps = s ? s->w.page_size : 0, mem_bytes, scratch_bytes;

	if (!w || !s || ps != w->page_size)
		return -EINVAL;
	/* make room first, so a failure leaves the world as it was */
	if (span__page_mem_reserve(w, s->tabs[0].n))
		return -ENOMEM;
	for (int i = 0; i < NR_TABS; i++)
		if (tab_reserve(w, span__world_tab(w, i), s->tabs[i].n))
			return -ENOMEM;
	for (int i = 0; i < NR_TABS; i++)
		saved[i] = *span__world_tab(w, i);
	restore_pages(w, s, saved[0].v, saved[0].n);
	viol = w->viol;
	nr_viol = w->nr_viol;
	cap_viol = w->cap_viol;
	pd = w->page_data;
	pp = w->page_prov;
	mem_bytes = w->page_mem_bytes;
	memcpy(scratch, w->scratch, sizeof(scratch));
	scratch_bytes = w->scratch_bytes;
	chk = w->chk;
	blob_bucket = w->blob_bucket;
	nr_blob_buckets = w->nr_blob_buckets;
	nr_blobs = w->nr_blobs;
	*w = s->w;
	memcpy(w->scratch, scratch, sizeof(scratch));
	w->scratch_bytes = scratch_bytes;
	w->chk = chk;
	/* the blobs are the world's now, not as they were at the snapshot */
	w->blob_bucket = blob_bucket;
	w->nr_blob_buckets = nr_blob_buckets;
	w->nr_blobs = nr_blobs;
	span__check_invalidate(w);
	/*
	 * initialised: the snapshot's pages only.  An id past them is zeroed
	 * when it is next allocated, as in a run that never went further:
	 * keeping what a branch abandoned by this restore wrote there (a pipe
	 * page is not zeroed on allocation, so its unwritten bytes are what
	 * the id held last) made the state, and its hash, depend on the
	 * search's history, not on the path to it.
	 */
	w->pages_init = s->tabs[0].n;
	w->viol = viol;
	w->cap_viol = cap_viol;
	w->nr_viol = nr_viol < s->w.nr_viol ? nr_viol : s->w.nr_viol;
	w->page_data = pd;
	w->page_prov = pp;
	w->page_mem_bytes = mem_bytes;
	for (int i = 0; i < NR_TABS; i++) {
		struct span_tab *t = span__world_tab(w, i);

		*t = saved[i];
		memcpy(t->v, s->tabs[i].v, (size_t)s->tabs[i].n * t->esz);
		/* ids at or past n are never read before being allocated, and
		 * allocation clears them; clearing the used tail is enough */
		if (saved[i].n > s->tabs[i].n)
			memset((char *)t->v + (size_t)s->tabs[i].n * t->esz, 0,
			       (size_t)(saved[i].n - s->tabs[i].n) * t->esz);
		t->n = s->tabs[i].n;
		t->hint = s->tabs[i].hint;
	}
	/* pages.cap may have grown past the data arrays: keep them in step */
	if (span__page_mem_reserve(w, w->pages.cap))
		return -ENOMEM;
	return 0;
}

size_t span_snapshot_bytes(const struct span_snapshot *s)
{
	return s ? s->bytes : 0;
}

/* --- canonical form ---------------------------------------------------- */

/*
 * The canonical form is written into a buffer in small pieces; when the
 * buffer fills, flush() hands it on (to XXH3 for a hash; equality keeps it
 * all by growing the buffer).
 */
struct canon_buf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
	XXH3_state_t *digests;	/* non-NULL: a page's bytes and provenance
				 * as their hash, computed with this */
	void (*flush)(struct canon_buf *cb, size_t need);
	/* a piece larger than the buffer, after a flush (NULL: grow) */
	void (*large)(struct canon_buf *cb, const void *p, size_t n);
	void *ctx;
};

static inline void emit(struct canon_buf *cb, const void *p, size_t n)
{
	if (cb->n + n > cb->cap) {
		cb->flush(cb, n);
		if (cb->n + n > cb->cap && cb->large) {
			cb->large(cb, p, n);
			return;
		}
		if (cb->n + n > cb->cap) {
			cb->oom = true;
			return;
		}
	}
	memcpy(cb->p + cb->n, p, n);
	cb->n += n;
}

static void net_sink(void *ctx, const void *p, size_t n)
{
	emit(ctx, p, n);
}

/*
 * The hash of @page's bytes and provenance, from the page's cache when no
 * write has touched them since: a state's hash then costs what
 * changed, not 5 bytes per byte of every live page.  A cache that missed a
 * write would make two different states one; SPAN_HASH_VERIFY (above)
 * recomputes every cached digest and aborts on a stale one.
 */
static const uint64_t *page_digest(struct span_world *w, uint32_t page,
				   XXH3_state_t *st)
{
	struct span_page *p = PAGE(w, page);
	XXH128_hash_t d;

	if (p->hash_ok && !SPAN_HASH_VERIFY)
		return p->hash;
	XXH3_128bits_reset(st);
	XXH3_128bits_update(st, page_bytes(w, page), w->page_size);
	XXH3_128bits_update(st, page_prov(w, page),
			    w->page_size * sizeof(struct span_prov));
	d = XXH3_128bits_digest(st);
	if (p->hash_ok && (p->hash[0] != d.low64 || p->hash[1] != d.high64)) {
		fprintf(stderr, "span_world_hash: page#%u changed without page_dirty()\n",
			page);
		abort();
	}
	p->hash[0] = d.low64;
	p->hash[1] = d.high64;
	p->hash_ok = 1;
	return p->hash;
}

/*
 * Page-cache pages that only the page cache holds are named by their
 * place in it, not by the order they were allocated in: a sparse file
 * allocates a page when an offset is first written or spliced, so equal
 * contents written in another order would otherwise hash differently
 * (the dense cache of old allocated every page in index order).  Such a
 * page's id appears in the canonical form only in the page table and in
 * its file's list, so renaming them among themselves is safe: the ids of
 * the quiet cache pages, sorted, are given out in (file, index) order.
 * A page that anything else holds (a pipe buffer, an skb, a descriptor, a
 * caller) keeps its id, as every other object's id is kept (docs/design.md,
 * "Explorer equivalence is up to renaming").
 */
struct canon_names {
	uint32_t *fwd;		/* fwd[id]: its canonical id, 0: itself */
	uint32_t *inv;		/* inv[c]: the page named c, 0: c itself */
};

static bool cache_quiet(struct span_world *w, uint32_t page)
{
	const struct span_page *p = PAGE(w, page);

	return p->refcount == 1 && !p->pins && !p->pincount && !p->mapcount &&
	       !p->ext_refs && !p->ext_pins;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* fill @cn, or leave it empty when the names are the ids already */
static void canon_names(struct span_world *w, struct canon_names *cn)
{
	uint32_t n = 0, last = 0, *a, *sorted;
	bool in_order = true;

	cn->fwd = cn->inv = NULL;
	for (uint32_t i = 1; i < w->files.n; i++) {
		const struct span_file *f = FILEP(w, i);

		if (!f->live)
			continue;
		for (uint32_t j = 0; j < f->npages; j++) {
			uint32_t page = IDREF(w, f->base + j)->id;

			if (!cache_quiet(w, page))
				continue;
			if (page < last)
				in_order = false;
			last = page;
			n++;
		}
	}
	if (in_order)
		return;
	a = span__alloc(w, 2 * (size_t)n * sizeof(*a));
	cn->fwd = span__alloc(w, (size_t)w->pages.n * sizeof(*cn->fwd));
	cn->inv = span__alloc(w, (size_t)w->pages.n * sizeof(*cn->inv));
	if (!a || !cn->fwd || !cn->inv) {
		/* the ids as names: a valid form, only not order-blind */
		span__free(w, a);
		span__free(w, cn->fwd);
		span__free(w, cn->inv);
		cn->fwd = cn->inv = NULL;
		return;
	}
	sorted = a + n;
	n = 0;
	for (uint32_t i = 1; i < w->files.n; i++) {
		const struct span_file *f = FILEP(w, i);

		if (!f->live)
			continue;
		for (uint32_t j = 0; j < f->npages; j++)
			if (cache_quiet(w, IDREF(w, f->base + j)->id))
				a[n++] = IDREF(w, f->base + j)->id;
	}
	memcpy(sorted, a, (size_t)n * sizeof(*a));
	qsort(sorted, n, sizeof(*sorted), cmp_u32);
	for (uint32_t k = 0; k < n; k++) {
		cn->fwd[a[k]] = sorted[k];
		cn->inv[sorted[k]] = a[k];
	}
	span__free(w, a);
}

static void canon_names_free(struct span_world *w, struct canon_names *cn)
{
	span__free(w, cn->fwd);
	span__free(w, cn->inv);
}

static inline uint32_t canon_name(const struct canon_names *cn, uint32_t id)
{
	return cn->fwd && cn->fwd[id] ? cn->fwd[id] : id;
}

static void canon(const struct span_world *cw, struct canon_buf *cb)
{
	struct span_world *w = (struct span_world *)cw;
	struct canon_names cn;

	emit(cb, &w->policy, sizeof(w->policy));
	emit(cb, w->param, sizeof(w->param));
	canon_names(w, &cn);
	for (uint32_t i = 1; i < w->pages.n; i++) {
		struct span_page p;
		/* the page that canonical id @i names */
		uint32_t pg = cn.inv && cn.inv[i] ? cn.inv[i] : i;

		if (!span__page_live(w, pg))
			continue;
		p = *PAGE(w, pg);
		p.freed_at = 0;
		p.store_who = 0;	/* a cache of what the provenance says */
		p.hash_ok = 0;		/* the hash cache is not state */
		memset(p.hash, 0, sizeof(p.hash));
		emit(cb, &i, sizeof(i));
		emit(cb, &p, sizeof(p));
		if (cb->digests) {
			emit(cb, page_digest(w, pg, cb->digests), sizeof(p.hash));
			continue;
		}
		emit(cb, page_bytes(w, pg), w->page_size);
		/* provenance is canonical as it is: fork epochs, not steps */
		emit(cb, page_prov(w, pg), w->page_size * sizeof(struct span_prov));
	}
	for (uint32_t i = 1; i < w->owners.n; i++) {
		struct span_owner o;

		if (!OWNER(w, i)->live)
			continue;
		o = *OWNER(w, i);
		o.destructed_at = !!o.destructed_at;
		emit(cb, &i, sizeof(i));
		emit(cb, &o, sizeof(o));
	}
	for (uint32_t i = 1; i < w->descs.n; i++)
		if (DESC(w, i)->live) {
			emit(cb, &i, sizeof(i));
			emit(cb, DESC(w, i), sizeof(struct span_desc));
		}
	for (uint32_t i = 1; i < w->procs.n; i++) {
		struct span_process p;

		if (!PROC(w, i)->live)
			continue;
		p = *PROC(w, i);
		emit(cb, &i, sizeof(i));
		emit(cb, &p, sizeof(p));
	}
	for (uint32_t i = 1; i < w->vmas.n; i++) {
		struct span_vma v;

		if (!VMA(w, i)->live)
			continue;
		v = *VMA(w, i);
		v.pte_base = 0;
		emit(cb, &i, sizeof(i));
		emit(cb, &v, sizeof(v));
		emit(cb, PTE(w, VMA(w, i)->pte_base),
		     (size_t)v.npages * sizeof(struct span_pte));
	}
	for (uint32_t i = 1; i < w->regions.n; i++)
		if (REGION(w, i)->live) {
			emit(cb, &i, sizeof(i));
			emit(cb, REGION(w, i), sizeof(struct span_region));
		}
	for (uint32_t i = 1; i < w->kmems.n; i++) {
		struct span_kmem k;

		if (!KMEM(w, i)->live)
			continue;
		k = *KMEM(w, i);
		k.base = 0;
		emit(cb, &i, sizeof(i));
		emit(cb, &k, sizeof(k));
		for (uint32_t j = 0; j < k.npages; j++)
			emit(cb, &IDREF(w, KMEM(w, i)->base + j)->id,
			     sizeof(uint32_t));
	}
	for (uint32_t i = 1; i < w->files.n; i++) {
		struct span_file f;

		if (!FILEP(w, i)->live)
			continue;
		f = *FILEP(w, i);
		f.base = f.cap = 0;	/* where and how roomy: history */
		emit(cb, &i, sizeof(i));
		emit(cb, &f, sizeof(f));
		for (uint32_t j = 0; j < f.npages; j++) {
			uint32_t id = canon_name(&cn,
						 IDREF(w, FILEP(w, i)->base + j)->id);

			emit(cb, &id, sizeof(id));
		}
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
		emit(cb, &i, sizeof(i));
		emit(cb, &p, sizeof(p));
		emit(cb, pos, sizeof(pos));
		/*
		 * occupied slots whole; of a free slot only the flags a
		 * producer may leave in place (pipe_buf_init=stale)
		 */
		{
			struct span_pipe_buffer *ring = SLOT(w, PIPE(w, i)->bufs);
			uint8_t flags[64];
			uint32_t nf = 0;

			for (uint32_t k = 0; k < p.ring_size; k++) {
				uint32_t rel = (k - pos[0]) & (p.ring_size - 1);

				if (rel < pos[1]) {
					emit(cb, &ring[k], sizeof(ring[k]));
					continue;
				}
				flags[nf++] = ring[k].flags;
				if (nf == sizeof(flags)) {
					emit(cb, flags, nf);
					nf = 0;
				}
			}
			emit(cb, flags, nf);
		}
	}
	span__net_canon(w, net_sink, cb);
	canon_names_free(w, &cn);
}

#define HASH_STAGE 16384

/* hand a full stage to XXH3 (large blocks hash several times faster) */
static void hash_flush(struct canon_buf *cb, size_t need)
{
	if (cb->n)
		XXH3_128bits_update(cb->ctx, cb->p, cb->n);
	cb->n = 0;
}

/*
 * a piece larger than the stage (the page table of a large mapping: 8
 * bytes a page) goes to XXH3 as it is; it was dropped from the hash, so
 * two states that differed only there had one hash
 */
static void hash_large(struct canon_buf *cb, const void *p, size_t n)
{
	XXH3_128bits_update(cb->ctx, p, n);
}

void span_world_hash(const struct span_world *w, uint64_t out[2])
{
	struct span_world *ww = (struct span_world *)w;
	struct canon_buf cb = { .cap = HASH_STAGE, .flush = hash_flush,
				.large = hash_large };
	XXH128_hash_t d;

	if (!w || !out)
		return;
	out[0] = out[1] = 0;
	cb.p = span__realloc(ww, NULL, HASH_STAGE);
	if (!cb.p)
		return;
	cb.ctx = XXH3_createState();
	cb.digests = XXH3_createState();
	if (!cb.ctx || !cb.digests) {
		XXH3_freeState(cb.ctx);
		XXH3_freeState(cb.digests);
		span__free(ww, cb.p);
		return;
	}
	XXH3_128bits_reset(cb.ctx);
	canon(w, &cb);
	hash_flush(&cb, 0);
	d = XXH3_128bits_digest(cb.ctx);
	XXH3_freeState(cb.ctx);
	XXH3_freeState(cb.digests);
	span__free(ww, cb.p);
	out[0] = d.low64;
	out[1] = d.high64;
}

/* equality keeps the whole canonical form: grow */
static void grow_flush(struct canon_buf *cb, size_t need)
{
	size_t cap = cb->cap ? cb->cap : 4096;
	uint8_t *q;

	while (cap < cb->n + need)
		cap *= 2;
	q = span__realloc(cb->ctx, cb->p, cap);
	if (!q)
		return;
	cb->p = q;
	cb->cap = cap;
}

bool span_world_equal(const struct span_world *a, const struct span_world *b)
{
	struct canon_buf x = { .flush = grow_flush, .ctx = (void *)a };
	struct canon_buf y = { .flush = grow_flush, .ctx = (void *)b };
	bool eq;

	if (!a || !b)
		return false;
	canon(a, &x);
	canon(b, &y);
	eq = !x.oom && !y.oom && x.n == y.n && !memcmp(x.p, y.p, x.n);
	span__free((struct span_world *)a, x.p);
	span__free((struct span_world *)b, y.p);
	return eq;
}
