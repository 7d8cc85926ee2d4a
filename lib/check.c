// SPDX-License-Identifier: MIT
/*
 * check.c - the checker: the global invariants of SCENARIO-LANGUAGE.md
 * section 5, and the end-of-run teardown that reports leaks.
 *
 * Not a kernel file; it plays the part of CONFIG_DEBUG_VM and
 * page_ref tracepoints.  After every step it recomputes every count from
 * the holders (mappings, pipe buffers, tmp_pages, page cache, kernel
 * memory, descriptors, skb frags, pins taken through the API) and compares
 * it with the count the model stored.  It never changes the model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "internal.h"

static const struct {
	const char *name;
	const char *doc;
} invariants[SPAN_NR_INVARIANTS] = {
	[SPAN_INV_REFCOUNT_UNDERFLOW] = { "refcount-underflow",
		"a page, owner, skb or ubuf count below zero, or a put without a matching get" },
	[SPAN_INV_REFCOUNT_OVERFLOW] = { "refcount-overflow",
		"a get that takes a count past the largest value of a signed refcount_bits-bit counter" },
	[SPAN_INV_GET_ON_FROZEN] = { "get-on-frozen",
		"taking a page reference on memory with no usable refcount (slab, owner-managed)" },
	[SPAN_INV_USE_AFTER_FREE] = { "use-after-free",
		"any read, copy, DMA or store that touches a freed page or a destructed owner's memory" },
	[SPAN_INV_DOUBLE_DESTRUCT] = { "double-destruct",
		"an owner's destructor running twice" },
	[SPAN_INV_EARLY_DESTRUCT] = { "early-destruct",
		"an owner's destructor running while a pipe buffer, skb frag or iterator still refers to its memory" },
	[SPAN_INV_PAGE_CACHE_WRITE] = { "page-cache-write",
		"a page-cache page changing other than through a write path with write permission" },
	[SPAN_INV_SHARED_MERGE] = { "shared-merge",
		"a pipe write merging into a page that another pipe, the page cache or a mapping also references" },
	[SPAN_INV_COW_LEAK] = { "cow-leak",
		"after fork, a process observing data another process wrote into its private memory after the fork" },
	[SPAN_INV_PREMATURE_COMPLETION] = { "premature-completion",
		"a zerocopy completion delivered while an skb or pipe buffer still references the user pages" },
	[SPAN_INV_LEAK] = { "leak",
		"at the end: a page with references left, an owner never destructed, a pin never released, a completion never delivered" },
	[SPAN_INV_DEADLOCK] = { "deadlock",
		"all threads blocked with no pending kernel event" },
	[SPAN_INV_DESIGN] = { "design",
		"an invariant of the world's design of its own (struct span_design_ops.check)" },
};

const char *span_invariant_name(int inv)
{
	if (inv < 0 || inv >= SPAN_NR_INVARIANTS)
		return NULL;
	return invariants[inv].name;
}

int span_invariant_lookup(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		if (!strcmp(invariants[i].name, name))
			return i;
	return -ENOENT;
}

const char *span_invariant_doc(int inv)
{
	if (inv < 0 || inv >= SPAN_NR_INVARIANTS)
		return NULL;
	return invariants[inv].doc;
}

/* --- counting holders -------------------------------------------------- */

/*
 * A holder is an object whose contents hold references: a mapping, a
 * pipe, a file's page cache, kernel memory, a descriptor, an owner's
 * service reference, the API's refs and pins of a page, and the network
 * (skbs and sockets, counted as one holder).  Counting a holder adds what
 * it holds to struct span_counts, indexed by the target's id.
 *
 * The full walk counts every holder into zeroed counts and compares every
 * page, owner and descriptor with them.  The incremental check keeps the
 * counts in the world between steps, and with them each holder's record:
 * the list of what it counted last time.  After a step it recounts only
 * the holders in the step's footprint (its writes and count updates): it
 * takes the holder's record off the counts, counts the holder again, and
 * compares the targets whose counts changed or whose stored counts the
 * step updated.  A step whose footprint overflowed, a world changed
 * outside a step (a restore, a policy change, a step with the checker
 * off), or a recount or comparison that finds anything wrong gets the full
 * walk instead; so every violation is reported by the full walk, with its
 * message, at the step the full walk would report it.
 */
enum {
	CH_VMA, CH_PIPE, CH_FILE, CH_KMEM, CH_DESC, CH_OWNER, CH_PAGE, CH_NET,
	CH_NR
};

/* @n of enum span_ck ITEM_KIND() held on target ITEM_ID() */
struct chk_item {
	uint32_t key;		/* kind << 24 | target id */
	int32_t n;
};
#define ITEM_KIND(it)	((it).key >> 24)
#define ITEM_ID(it)	((it).key & FP_ID_MAX)
#define FP_ID_MAX	SPAN_FP_ID_MAX

/* a holder's record: up to REC_INLINE items in place (a pipe with one or
 * two buffers, a descriptor, a page's API refs), more in @v */
#define REC_INLINE 2
struct span_chk_rec {
	uint32_t n, cap;	/* cap > REC_INLINE: the items are in @v */
	union {
		struct chk_item *v;
		struct chk_item in[REC_INLINE];
	};
};

static inline struct chk_item *rec_items(struct span_chk_rec *r)
{
	return r->cap > REC_INLINE ? r->v : r->in;
}

/* not state: snapshots neither copy nor restore it (snapshot.c) */
struct span_checker {
	int mode;		/* enum span_check_mode */
	bool valid;		/* counts and records match the world */
	int pincount;		/* the pincount knob they were built under */
	struct span_counts c;
	uint32_t cap[SPAN_NR_CK];
	struct span_chk_rec *rec[CH_NR];
	uint32_t nrec[CH_NR];
	uint32_t *touched;	/* TOUCH(): targets to compare */
	uint32_t nr_touched, cap_touched;
	struct span_chk_rec scratch;	/* a holder's new items (recount()) */
	uint32_t *stamp[3];	/* per target class and id: the epoch of the
				 * check that last touched it */
	uint32_t stamp_cap[3], epoch;
	bool destructed;	/* the step wrote a destructed owner */
	struct span_check_stats st;
};

/* the targets a step touched: class (page, owner, desc) and id */
enum { T_PAGE, T_OWNER, T_DESC };
#define TOUCH(cls, id)	((uint32_t)(cls) << 24 | (id))

static const char *const ck_name[SPAN_NR_CK] = {
	[SPAN_CK_REF] = "page refs", [SPAN_CK_PIN] = "page pins",
	[SPAN_CK_MAP] = "page mapcount", [SPAN_CK_OWNER] = "owner refs",
	[SPAN_CK_DESC] = "desc holders",
};

/* a violation found while counting: reported, or (quiet) only noted */
void span__check_violate(struct span_world *w, struct span_counts *c,
			 int inv, int type, uint32_t id, const char *fmt, ...)
{
	char msg[sizeof(((struct span_violation *)0)->msg)];
	va_list ap;

	if (c->quiet) {
		c->suspect = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	span__violate(w, inv, type, id, "span_world_check", "%s", msg);
}

/* grow a holder's record past its inline items; false out of memory */
static bool rec_items_grow(struct span_world *w, struct span_counts *c,
			   struct span_chk_rec *r)
{
	uint32_t cap = r->cap > REC_INLINE ? r->cap * 2 : 8;
	struct chk_item *v = span__realloc(w, r->cap > REC_INLINE ? r->v : NULL,
					   cap * sizeof(*v));

	if (!v) {
		c->oom = true;
		return false;
	}
	if (r->cap <= REC_INLINE)
		memcpy(v, r->in, sizeof(r->in));
	r->v = v;
	r->cap = cap;
	return true;
}

/* @n more of @kind held on target @id, noted in the current record */
static inline void count(struct span_world *w, struct span_counts *c,
			 int kind, uint32_t id, int64_t n)
{
	struct span_chk_rec *r = c->rec;

	if (id >= c->n[kind])
		return;
	if (r) {
		/* an item holds a 32-bit count (ids are 24-bit); past it
		 * the records are lost and the next check walks the world */
		if (n != (int32_t)n) {
			c->oom = true;
			r = NULL;
		} else if (r->n >= REC_INLINE && r->n == r->cap &&
			   !rec_items_grow(w, c, r)) {
			return;
		}
	}
	if (!c->defer)
		c->v[kind][id] += n;
	if (r)
		rec_items(r)[r->n++] = (struct chk_item){
			.key = (uint32_t)kind << 24 | id, .n = (int32_t)n };
}

void span__count(struct span_world *w, struct span_counts *c, int kind,
		 uint32_t id, int64_t n)
{
	count(w, c, kind, id, n);
}

/* one more holder of @page: a reference (SPAN_CK_REF) or a pin */
static inline void count_page(struct span_world *w, struct span_counts *c,
			      int kind, uint32_t page, const char *holder)
{
	if (page == w->zero_page)
		return;
	if (!span__tab_live(&w->pages, page))	/* span__page_live() */
		span__check_violate(w, c, SPAN_INV_USE_AFTER_FREE,
				    SPAN_OBJ_PAGE, page,
				    "%s still %s freed page#%u", holder,
				    kind == SPAN_CK_PIN ? "pins" : "references",
				    page);
	/* freed pages are counted too: a comparison of one finds its holders */
	count(w, c, kind, page, 1);
}

void span__count_page(struct span_world *w, struct span_counts *c, int kind,
		      uint32_t page, const char *holder)
{
	count_page(w, c, kind, page, holder);
}

void span__count_page_ref(struct span_world *w, struct span_counts *c,
			  uint32_t page, const char *holder)
{
	span__count_page(w, c, SPAN_CK_REF, page, holder);
}

static inline void count_owner_page(struct span_world *w,
				    struct span_counts *c, uint32_t page,
				    const char *holder)
{
	uint32_t owner;

	/* span__owner_memory_page(), after a cheaper first test */
	if (page < w->pages.n && PAGE(w, page)->kind == SPAN_PAGE_OWNER &&
	    span__owner_memory_page(w, page, &owner) &&
	    OWNER(w, owner)->destructed)
		span__check_violate(w, c, SPAN_INV_USE_AFTER_FREE,
				    SPAN_OBJ_OWNER, owner,
				    "%s still references page#%u of destructed owner#%u",
				    holder, page, owner);
}

static void holder_vma(struct span_world *w, struct span_counts *c,
		       uint32_t v)
{
	struct span_vma *vma = VMA(w, v);

	if (!vma->live)
		return;
	for (uint32_t i = 0; i < vma->npages; i++) {
		struct span_pte *pte = PTE(w, vma->pte_base + i);

		if (!pte->present || pte->page == w->zero_page)
			continue;
		count_page(w, c, SPAN_CK_REF, pte->page, "a mapping");
		count(w, c, SPAN_CK_MAP, pte->page, 1);
	}
}

static __attribute__((always_inline)) inline void
holder_pipe(struct span_world *w, struct span_counts *c,
			uint32_t id)
{
	struct span_pipe_inode_info *p = PIPE(w, id);

	if (!p->live)
		return;
	if (pipe_occupancy(p) > p->max_usage)
		span__check_violate(w, c, SPAN_INV_REFCOUNT_OVERFLOW,
				    SPAN_OBJ_PIPE, id,
				    "pipe#%u occupancy %u > max_usage %u", id,
				    pipe_occupancy(p), p->max_usage);
	/* the buffers in ring order, then the cached pages: a read or a
	 * write shifts the record (recount()) */
	for (uint32_t i = p->tail; i != p->head; i++) {
		struct span_pipe_buffer *b = span__pipe_buf(w, p, i);

		if (b->ops && b->offset + b->len > w->page_size)
			span__check_violate(w, c, SPAN_INV_USE_AFTER_FREE,
					    SPAN_OBJ_PIPE, id,
					    "pipe#%u buffer +%u len %u runs past its page",
					    id, b->offset, b->len);
		switch (b->ops) {
		case SPAN_PBO_NONE:
			break;
		case SPAN_PBO_USER_PIN:
			count_page(w, c, SPAN_CK_PIN, b->page,
					 "pipe buffer");
			break;
		case SPAN_PBO_DESC:
			count(w, c, SPAN_CK_DESC, b->priv, 1);
			count_owner_page(w, c, b->page, "pipe buffer");
			break;
		case SPAN_PBO_OWNER:
			count(w, c, SPAN_CK_OWNER, b->priv, 1);
			count_owner_page(w, c, b->page, "pipe buffer");
			break;
		default:
			count_page(w, c, SPAN_CK_REF, b->page,
					 "pipe buffer");
			count_owner_page(w, c, b->page, "pipe buffer");
		}
	}
	if (p->tmp_page[0] | p->tmp_page[1])
		for (int i = 0; i < 2; i++)
			if (p->tmp_page[i])
				count_page(w, c, SPAN_CK_REF, p->tmp_page[i],
					   "pipe tmp_page");
}

static void holder_file(struct span_world *w, struct span_counts *c,
			uint32_t f)
{
	struct span_file *file = FILEP(w, f);

	if (!file->live)
		return;
	for (uint32_t i = 0; i < file->npages; i++)
		count_page(w, c, SPAN_CK_REF, IDREF(w, file->base + i)->id,
				 "the page cache");
}

static void holder_kmem(struct span_world *w, struct span_counts *c,
			uint32_t k)
{
	struct span_kmem *km = KMEM(w, k);

	if (!km->live || km->kind != SPAN_KMEM_PAGES)
		return;
	for (uint32_t i = 0; i < km->npages; i++)
		count_page(w, c, SPAN_CK_REF, IDREF(w, km->base + i)->id,
				 "kernel memory");
}

static void holder_desc(struct span_world *w, struct span_counts *c,
			uint32_t d)
{
	struct span_desc *desc = DESC(w, d);

	if (!desc->live)
		return;
	switch (desc->kind) {
	case DESC_PAGE_REF:
		count_page(w, c, SPAN_CK_REF, desc->page,
				 "a span descriptor");
		break;
	case DESC_PAGE_PIN:
		count_page(w, c, SPAN_CK_PIN, desc->page,
				 "a span descriptor");
		break;
	default:
		count(w, c, SPAN_CK_OWNER, desc->owner, 1);
	}
}

static void holder_owner(struct span_world *w, struct span_counts *c,
			 uint32_t o)
{
	if (OWNER(w, o)->live && OWNER(w, o)->service_ref)
		count(w, c, SPAN_CK_OWNER, o, 1);
}

/* the refs and pins callers of the public API hold */
static void holder_page(struct span_world *w, struct span_counts *c,
			uint32_t p)
{
	if (!span__page_live(w, p))
		return;
	if (PAGE(w, p)->ext_refs)
		count(w, c, SPAN_CK_REF, p, PAGE(w, p)->ext_refs);
	if (PAGE(w, p)->ext_pins)
		count(w, c, SPAN_CK_PIN, p, PAGE(w, p)->ext_pins);
}

static void holder_net(struct span_world *w, struct span_counts *c,
		       uint32_t unused)
{
	(void)unused;
	span__net_account(w, c);
}

static void (*const holder_fn[CH_NR])(struct span_world *,
				      struct span_counts *, uint32_t) = {
	[CH_VMA] = holder_vma, [CH_PIPE] = holder_pipe,
	[CH_FILE] = holder_file, [CH_KMEM] = holder_kmem,
	[CH_DESC] = holder_desc, [CH_OWNER] = holder_owner,
	[CH_PAGE] = holder_page, [CH_NET] = holder_net,
};

/* the table of each kind of holder; the network is one holder, id 0 */
static const size_t holder_tab[CH_NR] = {
	[CH_VMA] = offsetof(struct span_world, vmas),
	[CH_PIPE] = offsetof(struct span_world, pipes),
	[CH_FILE] = offsetof(struct span_world, files),
	[CH_KMEM] = offsetof(struct span_world, kmems),
	[CH_DESC] = offsetof(struct span_world, descs),
	[CH_OWNER] = offsetof(struct span_world, owners),
	[CH_PAGE] = offsetof(struct span_world, pages),
};

/* ids of holders of kind @h: [first, holder_n) */
static inline uint32_t holder_n(const struct span_world *w, int h)
{
	if (h == CH_NET)
		return 1;
	return ((const struct span_tab *)((const char *)w + holder_tab[h]))->n;
}

static uint32_t target_n(const struct span_world *w, int kind)
{
	if (kind == SPAN_CK_OWNER)
		return w->owners.n;
	if (kind == SPAN_CK_DESC)
		return w->descs.n;
	return w->pages.n;
}

/* the records of holders of kind @h, grown to cover @id; -ENOMEM */
static int rec_grow(struct span_world *w, struct span_checker *k, int h,
		    uint32_t id)
{
	uint32_t n = k->nrec[h] * 2 > id ? k->nrec[h] * 2 : id + 1;
	struct span_chk_rec *v;

	if (n < 16)
		n = 16;
	v = span__realloc(w, k->rec[h], (size_t)n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(v + k->nrec[h], 0, (size_t)(n - k->nrec[h]) * sizeof(*v));
	for (uint32_t i = k->nrec[h]; i < n; i++)
		v[i].cap = REC_INLINE;
	k->rec[h] = v;
	k->nrec[h] = n;
	return 0;
}

/* the record of holder (@h, @id); NULL out of memory */
static inline struct span_chk_rec *rec_of(struct span_world *w,
					  struct span_checker *k, int h,
					  uint32_t id)
{
	if (__builtin_expect(id >= k->nrec[h], 0) && rec_grow(w, k, h, id))
		return NULL;
	return &k->rec[h][id];
}

/*
 * Size the counts to the world's tables.  @zero (the full walk): clear
 * them, sized to the tables as they are.  Otherwise they only grow, new
 * ids at zero: a table whose last id was freed shrinks, but the records
 * that still name that id are taken off when their holders are recounted.
 * -ENOMEM leaves them as they were.
 */
static int counts_size(struct span_world *w, struct span_counts *c,
		       uint32_t *cap, bool zero)
{
	for (int kind = 0; kind < SPAN_NR_CK; kind++) {
		uint32_t n = target_n(w, kind);

		if (n > cap[kind]) {
			uint32_t ncap = n > cap[kind] * 2 ? n : cap[kind] * 2;
			int64_t *v = span__realloc(w, c->v[kind],
						   (size_t)ncap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			c->v[kind] = v;
			cap[kind] = ncap;
		}
		if (zero) {
			memset(c->v[kind], 0, (size_t)n * sizeof(int64_t));
			c->n[kind] = n;
		} else if (n > c->n[kind]) {
			memset(c->v[kind] + c->n[kind], 0,
			       (size_t)(n - c->n[kind]) * sizeof(int64_t));
			c->n[kind] = n;
		}
	}
	return 0;
}

/* count every holder; with @k, rebuild the records too */
static void count_all(struct span_world *w, struct span_checker *k,
		      struct span_counts *c)
{
	for (int h = 0; h < CH_NR; h++) {
		uint32_t n = holder_n(w, h);

		/* ids past a table that shrank hold nothing */
		for (uint32_t id = n; k && id < k->nrec[h]; id++)
			k->rec[h][id].n = 0;

		for (uint32_t id = h == CH_NET ? 0 : 1; id < n; id++) {
			if (k) {
				c->rec = rec_of(w, k, h, id);
				if (!c->rec) {
					c->oom = true;
					continue;
				}
				c->rec->n = 0;
			}
			holder_fn[h](w, c, id);
		}
	}
	c->rec = NULL;
}

/* --- comparing --------------------------------------------------------- */

static __attribute__((always_inline)) inline void check_page(struct span_world *w, struct span_counts *c,
		       uint32_t p, bool exact)
{
	const char *func = "span_world_check";
	struct span_page *pg = PAGE(w, p);
	int64_t ref = c->v[SPAN_CK_REF][p], pins = c->v[SPAN_CK_PIN][p];
	int64_t map = c->v[SPAN_CK_MAP][p], want;

	if (p == w->zero_page)
		return;
	if (!span__tab_live(&w->pages, p)) {	/* span__page_live() */
		/* the holders of a freed page: the full walk names them */
		if (ref || pins || map)
			c->suspect = true;
		return;
	}
	/* span__page_frozen() */
	if (pg->kind == SPAN_PAGE_SLAB || pg->kind == SPAN_PAGE_OWNER)
		return;
	want = ref + pins * (exact ? 1 : SPAN_GUP_PIN_COUNTING_BIAS);
	if (c->quiet) {
		if (pg->refcount < want || pg->pins < pins ||
		    pg->mapcount != map)
			c->suspect = true;
		return;
	}
	if (pg->refcount < want)
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      p, func, "page#%u refcount %lld, but its holders account for %lld",
			      p, (long long)pg->refcount, (long long)want);
	if (pg->pins < pins)
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      p, func, "page#%u has %lld pins, but %lld holders pin it",
			      p, (long long)pg->pins, (long long)pins);
	if (pg->mapcount != map)
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      p, func, "page#%u mapcount %lld, but %lld ptes map it",
			      p, (long long)pg->mapcount, (long long)map);
}

/* an owner or a descriptor (@kind SPAN_CK_OWNER or SPAN_CK_DESC) counts
 * at least its holders */
static void check_held(struct span_world *w, struct span_counts *c,
		       int kind, uint32_t id)
{
	bool owner = kind == SPAN_CK_OWNER;
	int64_t held = c->v[kind][id], refs;

	if (!span__tab_live(owner ? &w->owners : &w->descs, id))
		return;
	refs = owner ? OWNER(w, id)->refcount : DESC(w, id)->refcount;
	if (refs < held)
		span__check_violate(w, c, SPAN_INV_REFCOUNT_UNDERFLOW,
				    owner ? SPAN_OBJ_OWNER : SPAN_OBJ_DESC, id,
				    "%s#%u refcount %lld, but %lld holders",
				    owner ? "owner" : "desc", id,
				    (long long)refs, (long long)held);
}

static bool pincount_exact(const struct span_world *w)
{
	return span__pincount_exact(w);
}

static void compare_all(struct span_world *w, struct span_counts *c)
{
	bool exact = pincount_exact(w);

	for (uint32_t p = 1; p < w->pages.n; p++)
		check_page(w, c, p, exact);
	for (uint32_t o = 1; o < w->owners.n; o++)
		check_held(w, c, SPAN_CK_OWNER, o);
	for (uint32_t d = 1; d < w->descs.n; d++)
		check_held(w, c, SPAN_CK_DESC, d);
}

/* --- the checker ------------------------------------------------------- */

int span__checker_create(struct span_world *w)
{
	w->chk = span__alloc(w, sizeof(*w->chk));
	if (!w->chk)
		return -ENOMEM;
	w->chk->mode = SPAN_CHECK_INCREMENTAL;
	w->chk->scratch.cap = REC_INLINE;
	return 0;
}

void span__checker_destroy(struct span_world *w)
{
	struct span_checker *k = w->chk;

	if (!k)
		return;
	for (int kind = 0; kind < SPAN_NR_CK; kind++)
		span__free(w, k->c.v[kind]);
	for (int h = 0; h < CH_NR; h++) {
		for (uint32_t i = 0; i < k->nrec[h]; i++)
			if (k->rec[h][i].cap > REC_INLINE)
				span__free(w, k->rec[h][i].v);
		span__free(w, k->rec[h]);
	}
	span__free(w, k->touched);
	for (int cls = 0; cls < 3; cls++)
		span__free(w, k->stamp[cls]);
	if (k->scratch.cap > REC_INLINE)
		span__free(w, k->scratch.v);
	span__free(w, k);
	w->chk = NULL;
}

/* the counts no longer match the world: the next check walks it all */
void span__check_invalidate(struct span_world *w)
{
	if (w && w->chk)
		w->chk->valid = false;
}


/* the stamps (touch()) as big as the counts; -ENOMEM */
static int stamps_size(struct span_world *w, struct span_checker *k)
{
	static const uint8_t kind_of[3] = {
		[T_PAGE] = SPAN_CK_REF, [T_OWNER] = SPAN_CK_OWNER,
		[T_DESC] = SPAN_CK_DESC,
	};

	for (int cls = 0; cls < 3; cls++) {
		uint32_t n = k->c.n[kind_of[cls]], cap = k->stamp_cap[cls];
		uint32_t *v;

		if (n <= cap)
			continue;
		if (n < cap * 2)
			n = cap * 2;
		v = span__realloc(w, k->stamp[cls], (size_t)n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + cap, 0, (size_t)(n - cap) * sizeof(*v));
		k->stamp[cls] = v;
		k->stamp_cap[cls] = n;
	}
	return 0;
}

/* the full walk; with @records, it leaves the counts ready for the next
 * incremental check */
static void check_full(struct span_world *w, struct span_checker *k,
		       bool records)
{
	struct span_counts *c = &k->c;

	k->valid = false;
	k->st.full++;
	if (counts_size(w, c, k->cap, true) || stamps_size(w, k)) {
		k->st.skipped++;
		return;
	}
	c->quiet = c->suspect = c->oom = false;
	count_all(w, records ? k : NULL, c);
	compare_all(w, c);
	k->valid = records && !c->oom;
	k->pincount = span__pincount_exact(w);
}

/* the class of target each kind of count is about */
static const uint8_t ck_class[SPAN_NR_CK] = {
	[SPAN_CK_REF] = T_PAGE, [SPAN_CK_PIN] = T_PAGE, [SPAN_CK_MAP] = T_PAGE,
	[SPAN_CK_OWNER] = T_OWNER, [SPAN_CK_DESC] = T_DESC,
};

static __attribute__((always_inline)) inline void touch(struct span_world *w, struct span_checker *k,
		  struct span_counts *c, uint32_t t)
{
	uint32_t cls = t >> 24, id = t & FP_ID_MAX;

	/* each target once a step */
	if (id < k->stamp_cap[cls]) {
		if (k->stamp[cls][id] == k->epoch)
			return;
		k->stamp[cls][id] = k->epoch;
	}
	if (k->nr_touched == k->cap_touched) {
		uint32_t cap = k->cap_touched ? k->cap_touched * 2 : 64;
		uint32_t *v = span__realloc(w, k->touched, cap * sizeof(*v));

		if (!v) {
			c->oom = true;
			return;
		}
		k->touched = v;
		k->cap_touched = cap;
	}
	k->touched[k->nr_touched++] = t;
}

/* take @n items off the counts (@sign -1) or add them (+1), and touch
 * their targets */
static inline void apply_items(struct span_world *w, struct span_checker *k,
			       const struct chk_item *it, uint32_t n, int sign)
{
	for (uint32_t i = 0; i < n; i++) {
		k->c.v[ITEM_KIND(it[i])][ITEM_ID(it[i])] += sign * it[i].n;
		touch(w, k, &k->c, TOUCH(ck_class[ITEM_KIND(it[i])],
					 ITEM_ID(it[i])));
	}
}

static inline bool same_item(const struct chk_item *a, const struct chk_item *b)
{
	return a->key == b->key && a->n == b->n;
}

/*
 * How many items left the front of the old record, when the rest is the
 * front of the new one (a pipe read drops buffers at the tail, a write
 * adds them at the head; mostly nothing changed): 0..SHIFT_MAX, or -1.
 */
#define SHIFT_MAX 4
static inline int shift_of(const struct chk_item *old, uint32_t nold,
			   const struct chk_item *new, uint32_t nnew)
{
	for (uint32_t s = 0; s <= SHIFT_MAX && s <= nold; s++) {
		uint32_t keep = nold - s, i;

		if (keep > nnew)
			continue;
		for (i = 0; i < keep && same_item(&old[s + i], &new[i]); i++)
			;
		if (i == keep)
			return (int)s;
	}
	return -1;
}

/*
 * Count holder (@h, @id) again: its new items into the scratch record,
 * then only the difference from its old record goes on the counts and
 * touches targets, and the new items become its record.
 */
static __attribute__((always_inline)) inline void
recount(struct span_world *w, struct span_checker *k, int h, uint32_t id)
{
	struct span_counts *c = &k->c;
	struct span_chk_rec *r, *t = &k->scratch;
	struct chk_item *old, *new;
	int s;

	r = rec_of(w, k, h, id);
	if (!r) {
		c->oom = true;
		return;
	}
	t->n = 0;
	/* a holder past its table's end (its table shrank) holds nothing */
	if (id < holder_n(w, h)) {
		c->rec = t;
		c->defer = true;
		if (h == CH_PIPE)
			holder_pipe(w, c, id);	/* the most common, inlined */
		else
			holder_fn[h](w, c, id);
		c->rec = NULL;
		c->defer = false;
	}
	old = rec_items(r);
	new = rec_items(t);
	s = shift_of(old, r->n, new, t->n);
	if (s < 0) {
		apply_items(w, k, old, r->n, -1);
		apply_items(w, k, new, t->n, 1);
	} else {
		apply_items(w, k, old, (uint32_t)s, -1);
		apply_items(w, k, new + (r->n - (uint32_t)s),
			    t->n - (r->n - (uint32_t)s), 1);
		if (!s && r->n == t->n)
			return;		/* unchanged */
	}
	/* the new items become the record */
	if (t->n > REC_INLINE && t->n > r->cap) {
		struct span_chk_rec grow = *r;

		while (grow.cap < t->n)
			if (!rec_items_grow(w, c, &grow)) {
				/* the counts hold the new items: keep the
				 * record whole or walk the world next */
				c->oom = true;
				*r = grow;
				r->n = 0;
				return;
			}
		*r = grow;
	}
	memcpy(rec_items(r), new, t->n * sizeof(*new));
	r->n = t->n;
}

/* the step wrote or counted the object of footprint key @key */
static __attribute__((always_inline)) inline void
dirty(struct span_world *w, struct span_checker *k, uint32_t key, bool *net)
{
	uint32_t type = key >> 24, id = key & FP_ID_MAX;
	int h;

	/* the common cases first, and one recount() */
	if (type == SPAN_OBJ_PIPE) {
		/* an empty pipe that held nothing (made, closed): no change */
		if (id < k->nrec[CH_PIPE] && !k->rec[CH_PIPE][id].n &&
		    id < w->pipes.n && PIPE(w, id)->head == PIPE(w, id)->tail &&
		    !(PIPE(w, id)->tmp_page[0] | PIPE(w, id)->tmp_page[1]))
			return;
		h = CH_PIPE;
	} else if (type == SPAN_OBJ_PAGE) {
		touch(w, k, &k->c, TOUCH(T_PAGE, id));
		/* most pages held no API refs and hold none: nothing to do */
		if (!(id < k->nrec[CH_PAGE] && k->rec[CH_PAGE][id].n) &&
		    !(id < w->pages.n && (PAGE(w, id)->ext_refs ||
					  PAGE(w, id)->ext_pins)))
			return;
		h = CH_PAGE;
	} else if (type == SPAN_OBJ_SKB || type == SPAN_OBJ_UBUF ||
		   type == SPAN_OBJ_SOCK) {
		*net = true;
		return;
	} else if (type == SPAN_OBJ_VMA) {
		h = CH_VMA;
	} else if (type == SPAN_OBJ_FILE) {
		h = CH_FILE;
	} else if (type == SPAN_OBJ_KMEM) {
		h = CH_KMEM;
	} else if (type == SPAN_OBJ_DESC) {
		touch(w, k, &k->c, TOUCH(T_DESC, id));
		h = CH_DESC;
	} else if (type == SPAN_OBJ_OWNER) {
		touch(w, k, &k->c, TOUCH(T_OWNER, id));
		/* what still refers to its memory: the full walk finds it */
		if (span__tab_live(&w->owners, id) && OWNER(w, id)->destructed)
			k->destructed = true;
		h = CH_OWNER;
	} else {
		return;		/* processes, liveness keys: no holders */
	}
	recount(w, k, h, id);
}

/* Return: true when the step was checked without the full walk */
static __attribute__((always_inline)) inline bool
check_incremental(struct span_world *w, struct span_checker *k)
{
	struct span_counts *c = &k->c;
	const struct span_footprint *fp = &w->fp;
	bool exact = pincount_exact(w), net = false;

	/* an overflow of reads alone (a scan of every pipe) loses nothing
	 * the checker needs */
	if (__builtin_expect(!k->valid | fp->updates_lost |
			     (k->pincount != span__pincount_exact(w)),
			     0)) {
		if (fp->updates_lost)
			k->st.full_overflow++;
		else
			k->st.full_stale++;
		check_full(w, k, true);
		return false;
	}
	if ((w->pages.n > c->n[SPAN_CK_REF] || w->owners.n > c->n[SPAN_CK_OWNER] ||
	     w->descs.n > c->n[SPAN_CK_DESC]) &&
	    (counts_size(w, c, k->cap, false) || stamps_size(w, k))) {
		check_full(w, k, true);
		return false;
	}
	if (__builtin_expect(!++k->epoch, 0)) {
		for (int cls = 0; cls < 3; cls++)
			memset(k->stamp[cls], 0,
			       k->stamp_cap[cls] * sizeof(uint32_t));
		k->epoch = 1;
	}
	c->quiet = true;
	c->suspect = c->oom = false;
	k->nr_touched = 0;
	for (uint32_t i = 0, n = fp->nr_write; i < n; i++)
		dirty(w, k, fp->write[i], &net);
	for (uint32_t i = 0, n = fp->nr_count; i < n; i++)
		dirty(w, k, fp->count[i], &net);
	if (net)
		recount(w, k, CH_NET, 0);
	for (uint32_t i = 0; i < k->nr_touched && !c->suspect; i++) {
		uint32_t id = k->touched[i] & FP_ID_MAX;

		switch (k->touched[i] >> 24) {
		case T_PAGE:
			if (id < c->n[SPAN_CK_REF])
				check_page(w, c, id, exact);
			break;
		case T_OWNER:
			if (id < c->n[SPAN_CK_OWNER])
				check_held(w, c, SPAN_CK_OWNER, id);
			break;
		default:
			if (id < c->n[SPAN_CK_DESC])
				check_held(w, c, SPAN_CK_DESC, id);
		}
	}
	c->quiet = false;
	if (c->suspect || c->oom || k->destructed) {
		if (c->suspect || c->oom)
			k->st.full_suspect++;
		else
			k->st.full_destruct++;
		k->destructed = false;
		check_full(w, k, true);
		return false;
	}
	k->st.incremental++;
	return true;
}

static void diverged(struct span_world *w, struct span_checker *k,
		     const char *fmt, ...)
{
	va_list ap;

	if (!k->st.diverged++) {
		k->st.diverged_step = w->step;
		va_start(ap, fmt);
		vsnprintf(k->st.diverged_msg, sizeof(k->st.diverged_msg), fmt,
			  ap);
		va_end(ap);
	}
}

/*
 * SPAN_CHECK_VERIFY: after the incremental check, the full walk into
 * counts of its own; any difference is a bug of the checker or of a
 * footprint (a holder written without its key).
 */
static void check_verify(struct span_world *w, struct span_checker *k,
			 bool incremental)
{
	struct span_counts t = { 0 };
	uint32_t cap[SPAN_NR_CK] = { 0 };
	int before = w->nr_viol;

	if (counts_size(w, &t, cap, true))
		goto out;
	count_all(w, NULL, &t);
	compare_all(w, &t);
	k->st.verified++;
	if (incremental && w->nr_viol > before)
		diverged(w, k, "the incremental check missed: %s",
			 w->viol[before].msg);
	if (!k->valid)
		goto out;
	for (int kind = 0; kind < SPAN_NR_CK; kind++)
		for (uint32_t id = 1; id < t.n[kind]; id++)
			if (t.v[kind][id] != k->c.v[kind][id]) {
				diverged(w, k, "%s of #%u: incremental %lld, full walk %lld",
					 ck_name[kind], id,
					 (long long)k->c.v[kind][id],
					 (long long)t.v[kind][id]);
				goto out;
			}
out:
	for (int kind = 0; kind < SPAN_NR_CK; kind++)
		span__free(w, t.v[kind]);
}

void span__check_step(struct span_world *w)
{
	struct span_checker *k = w->chk;
	bool incremental;

	k->st.steps++;
	if (__builtin_expect(k->mode == SPAN_CHECK_INCREMENTAL, 1)) {
		check_incremental(w, k);
	} else if (k->mode == SPAN_CHECK_VERIFY) {
		incremental = check_incremental(w, k);
		check_verify(w, k, incremental);
	} else {
		check_full(w, k, false);
	}
	w->chk_fp_seq = w->fp_seq;
	if (__builtin_expect(w->design != NULL, 0))
		span__design_check(w);
}

int span_world_check(struct span_world *w)
{
	if (!w)
		return -EINVAL;
	w->chk->st.steps++;
	check_full(w, w->chk, w->chk->mode != SPAN_CHECK_FULL);
	w->chk_fp_seq = w->fp_seq;
	span__design_check(w);
	return w->nr_viol;
}

int span_world_set_check_mode(struct span_world *w, int mode)
{
	if (!w || mode < SPAN_CHECK_INCREMENTAL || mode > SPAN_CHECK_VERIFY)
		return -EINVAL;
	w->chk->mode = mode;
	w->chk->valid = false;
	return 0;
}

int span_world_check_mode(const struct span_world *w)
{
	return w ? w->chk->mode : -EINVAL;
}

static const char *const mode_names[] = {
	[SPAN_CHECK_INCREMENTAL] = "incremental",
	[SPAN_CHECK_FULL] = "full",
	[SPAN_CHECK_VERIFY] = "verify",
};

const char *span_check_mode_name(int mode)
{
	if (mode < SPAN_CHECK_INCREMENTAL || mode > SPAN_CHECK_VERIFY)
		return NULL;
	return mode_names[mode];
}

int span_check_mode_lookup(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int m = SPAN_CHECK_INCREMENTAL; m <= SPAN_CHECK_VERIFY; m++)
		if (!strcmp(mode_names[m], name))
			return m;
	return -ENOENT;
}

int span_world_check_stats(const struct span_world *w,
			   struct span_check_stats *out)
{
	if (!w || !out)
		return -EINVAL;
	*out = w->chk->st;
	return 0;
}

/*
 * An owner's destructor ran: nothing may still refer to its memory
 * (early-destruct).  Called from the destructor, before the memory goes.
 */
void span__owner_destructed_check(struct span_world *w, uint32_t owner)
{
	const char *func = "owner_destruct";

	for (uint32_t id = 1; id < w->pipes.n; id++) {
		struct span_pipe_inode_info *p = PIPE(w, id);

		if (!p->live)
			continue;
		for (uint32_t i = p->tail; i != p->head; i++) {
			struct span_pipe_buffer *b = span__pipe_buf(w, p, i);
			uint32_t o;

			if (b->ops && span__owner_memory_page(w, b->page, &o) &&
			    o == owner) {
				span__violate(w, SPAN_INV_EARLY_DESTRUCT,
					      SPAN_OBJ_OWNER, owner, func,
					      "owner#%u destructed while pipe#%u still holds its page#%u",
					      owner, id, b->page);
				return;
			}
		}
	}
	if (span__net_refers_owner(w, owner))
		span__violate(w, SPAN_INV_EARLY_DESTRUCT, SPAN_OBJ_OWNER, owner,
			      func, "owner#%u destructed while an skb frag still holds its memory",
			      owner);
}

/* --- teardown ---------------------------------------------------------- */

int span_world_teardown(struct span_world *w)
{
	const char *func = "teardown";

	if (!w)
		return -EINVAL;
	w->in_teardown = true;
	span__net_teardown(w);
	for (uint32_t id = 1; id < w->pipes.n; id++) {
		struct span_pipe_inode_info *p = PIPE(w, id);

		if (!p->live)
			continue;
		if (p->readers)
			span__pipe_close_end(w, id, true);
		if (PIPE(w, id)->live && PIPE(w, id)->writers)
			span__pipe_close_end(w, id, false);
	}
	for (uint32_t v = 1; v < w->vmas.n; v++)
		if (VMA(w, v)->live)
			span_munmap(w, (int)VMA(w, v)->pid,
				    (int)VMA(w, v)->region);
	for (uint32_t f = 1; f < w->files.n; f++)
		if (FILEP(w, f)->live)
			span__file_evict(w, f);
	for (uint32_t k = 1; k < w->kmems.n; k++)
		if (span__tab_live(&w->kmems, k) &&
		    KMEM(w, k)->kind != SPAN_KMEM_OWNER)
			span__kmem_release(w, k, func);
	for (uint32_t o = 1; o < w->owners.n; o++)
		if (OWNER(w, o)->live && OWNER(w, o)->service_ref) {
			OWNER(w, o)->service_ref = 0;
			span__owner_put(w, o, func);
		}
	span__net_teardown(w);
	w->in_teardown = false;
	span__check_invalidate(w);
	/* what is left is leaked */
	for (uint32_t p = 1; p < w->pages.n; p++) {
		struct span_page *pg = PAGE(w, p);

		if (!span__page_live(w, p) || p == w->zero_page)
			continue;
		if (pg->pins)
			span__violate(w, SPAN_INV_LEAK, SPAN_OBJ_PAGE, p, func,
				      "page#%u (%s) still has %lld pins at the end",
				      p, span_page_kind_name(pg->kind),
				      (long long)pg->pins);
		else
			span__violate(w, SPAN_INV_LEAK, SPAN_OBJ_PAGE, p, func,
				      "page#%u (%s) still has refcount %lld at the end",
				      p, span_page_kind_name(pg->kind),
				      (long long)pg->refcount);
	}
	for (uint32_t o = 1; o < w->owners.n; o++)
		if (OWNER(w, o)->live && !OWNER(w, o)->destructed)
			span__violate(w, SPAN_INV_LEAK, SPAN_OBJ_OWNER, o, func,
				      "owner#%u never destructed (refcount %lld)",
				      o, (long long)OWNER(w, o)->refcount);
	span__check_step(w);
	return w->nr_viol;
}
