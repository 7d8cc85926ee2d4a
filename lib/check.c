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

/* one more holder of @page in @counts (its references or its pins) */
static void count_page(struct span_world *w, int64_t *counts, uint32_t page,
		       const char *holder, const char *verb)
{
	if (page == w->zero_page)
		return;
	if (!span__page_live(w, page)) {
		span__violate(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_PAGE, page,
			      "span_world_check", "%s still %s freed page#%u",
			      holder, verb, page);
		return;
	}
	counts[page]++;
}

void span__count_page_ref(struct span_world *w, struct span_counts *c,
			  uint32_t page, const char *holder)
{
	count_page(w, c->ref, page, holder, "references");
}

static void count_page_pin(struct span_world *w, struct span_counts *c,
			   uint32_t page, const char *holder)
{
	count_page(w, c->pins, page, holder, "pins");
}

static void count_owner_page(struct span_world *w, uint32_t page,
			     const char *holder)
{
	uint32_t owner;

	if (span__owner_memory_page(w, page, &owner) &&
	    OWNER(w, owner)->destructed)
		span__violate(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_OWNER, owner,
			      "span_world_check",
			      "%s still references page#%u of destructed owner#%u",
			      holder, page, owner);
}

static void count_pipes(struct span_world *w, struct span_counts *c)
{
	for (uint32_t id = 1; id < w->pipes.n; id++) {
		struct span_pipe_inode_info *p = PIPE(w, id);

		if (!p->live)
			continue;
		if (pipe_occupancy(p) > p->max_usage)
			span__violate(w, SPAN_INV_REFCOUNT_OVERFLOW, SPAN_OBJ_PIPE,
				      id, "span_world_check",
				      "pipe#%u occupancy %u > max_usage %u", id,
				      pipe_occupancy(p), p->max_usage);
		for (int i = 0; i < 2; i++)
			if (p->tmp_page[i])
				span__count_page_ref(w, c, p->tmp_page[i],
						     "pipe tmp_page");
		for (uint32_t i = p->tail; i != p->head; i++) {
			struct span_pipe_buffer *b = span__pipe_buf(w, p, i);

			if (b->ops && b->offset + b->len > w->page_size)
				span__violate(w, SPAN_INV_USE_AFTER_FREE,
					      SPAN_OBJ_PIPE, id, "span_world_check",
					      "pipe#%u buffer +%u len %u runs past its page",
					      id, b->offset, b->len);
			switch (b->ops) {
			case SPAN_PBO_NONE:
				break;
			case SPAN_PBO_USER_PIN:
				count_page_pin(w, c, b->page, "pipe buffer");
				break;
			case SPAN_PBO_DESC:
				c->desc[b->priv]++;
				count_owner_page(w, b->page, "pipe buffer");
				break;
			case SPAN_PBO_OWNER:
				c->owner[b->priv]++;
				count_owner_page(w, b->page, "pipe buffer");
				break;
			default:
				span__count_page_ref(w, c, b->page,
						     "pipe buffer");
				count_owner_page(w, b->page, "pipe buffer");
			}
		}
	}
}

static void count_holders(struct span_world *w, struct span_counts *c)
{
	for (uint32_t v = 1; v < w->vmas.n; v++) {
		struct span_vma *vma = VMA(w, v);

		if (!vma->live)
			continue;
		for (uint32_t i = 0; i < vma->npages; i++) {
			struct span_pte *pte = PTE(w, vma->pte_base + i);

			if (!pte->present || pte->page == w->zero_page)
				continue;
			span__count_page_ref(w, c, pte->page, "a mapping");
			if (span__page_live(w, pte->page))
				c->map[pte->page]++;
		}
	}
	count_pipes(w, c);
	for (uint32_t f = 1; f < w->files.n; f++) {
		struct span_file *file = FILEP(w, f);

		if (!file->live)
			continue;
		for (uint32_t i = 0; i < file->npages; i++)
			span__count_page_ref(w, c, IDREF(w, file->base + i)->id,
					     "the page cache");
	}
	for (uint32_t k = 1; k < w->kmems.n; k++) {
		struct span_kmem *km = KMEM(w, k);

		if (!km->live || km->kind != SPAN_KMEM_PAGES)
			continue;
		for (uint32_t i = 0; i < km->npages; i++)
			span__count_page_ref(w, c, IDREF(w, km->base + i)->id,
					     "kernel memory");
	}
	for (uint32_t d = 1; d < w->descs.n; d++) {
		struct span_desc *desc = DESC(w, d);

		if (!desc->live)
			continue;
		switch (desc->kind) {
		case DESC_PAGE_REF:
			span__count_page_ref(w, c, desc->page, "a span descriptor");
			break;
		case DESC_PAGE_PIN:
			count_page_pin(w, c, desc->page, "a span descriptor");
			break;
		default:
			c->owner[desc->owner]++;
		}
	}
	for (uint32_t o = 1; o < w->owners.n; o++)
		if (OWNER(w, o)->live && OWNER(w, o)->service_ref)
			c->owner[o]++;
	for (uint32_t p = 1; p < w->pages.n; p++) {
		if (!span__page_live(w, p))
			continue;
		c->ref[p] += PAGE(w, p)->ext_refs;
		c->pins[p] += PAGE(w, p)->ext_pins;
	}
	span__net_account(w, c);
}

static int counts_alloc(struct span_world *w, struct span_counts *c)
{
	c->ref = span__alloc(w, w->pages.n * sizeof(int64_t));
	c->pins = span__alloc(w, w->pages.n * sizeof(int64_t));
	c->map = span__alloc(w, w->pages.n * sizeof(int64_t));
	c->owner = span__alloc(w, w->owners.n * sizeof(int64_t));
	c->desc = span__alloc(w, w->descs.n * sizeof(int64_t));
	return c->ref && c->pins && c->map && c->owner && c->desc ? 0 : -ENOMEM;
}

static void counts_free(struct span_world *w, struct span_counts *c)
{
	span__free(w, c->ref);
	span__free(w, c->pins);
	span__free(w, c->map);
	span__free(w, c->owner);
	span__free(w, c->desc);
}

static void compare_counts(struct span_world *w, struct span_counts *c)
{
	const char *func = "span_world_check";
	bool exact = w->policy.v[SPAN_KNOB_PINCOUNT] == SPAN_PINCOUNT_EXACT;

	for (uint32_t p = 1; p < w->pages.n; p++) {
		struct span_page *pg = PAGE(w, p);
		int64_t want;

		if (!span__page_live(w, p) || p == w->zero_page ||
		    span__page_frozen(w, p))
			continue;
		want = c->ref[p] + c->pins[p] * (exact ? 1 : SPAN_GUP_PIN_COUNTING_BIAS);
		if (pg->refcount < want)
			span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
				      p, func, "page#%u refcount %lld, but its holders account for %lld",
				      p, (long long)pg->refcount,
				      (long long)want);
		if (pg->pins < c->pins[p])
			span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
				      p, func, "page#%u has %lld pins, but %lld holders pin it",
				      p, (long long)pg->pins,
				      (long long)c->pins[p]);
		if (pg->mapcount != c->map[p])
			span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
				      p, func, "page#%u mapcount %lld, but %lld ptes map it",
				      p, (long long)pg->mapcount,
				      (long long)c->map[p]);
	}
	for (uint32_t o = 1; o < w->owners.n; o++) {
		struct span_owner *ow = OWNER(w, o);

		if (!ow->live)
			continue;
		if (ow->refcount < c->owner[o])
			span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_OWNER,
				      o, func, "owner#%u refcount %lld, but %lld holders",
				      o, (long long)ow->refcount,
				      (long long)c->owner[o]);
	}
	for (uint32_t d = 1; d < w->descs.n; d++) {
		struct span_desc *desc = DESC(w, d);

		if (desc->live && desc->refcount < c->desc[d])
			span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_DESC,
				      d, func, "desc#%u refcount %lld, but %lld holders",
				      d, (long long)desc->refcount,
				      (long long)c->desc[d]);
	}
}

void span__check_step(struct span_world *w)
{
	struct span_counts c;

	if (!counts_alloc(w, &c)) {
		count_holders(w, &c);
		compare_counts(w, &c);
	}
	counts_free(w, &c);
}

int span_world_check(struct span_world *w)
{
	if (!w)
		return -EINVAL;
	span__check_step(w);
	return w->nr_viol;
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
