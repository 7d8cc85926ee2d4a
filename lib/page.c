// SPDX-License-Identifier: MIT
/*
 * page.c - pages and folios: refcount, pins, contents.
 *
 * Models include/linux/mm.h (get_page(), try_get_page(), put_page(),
 * folio_maybe_dma_pinned()) and the refcount side of mm/gup.c
 * (try_grab_folio(), gup_put_folio()) for v6.18.  Every page is a small
 * (order-0) folio; the pin accounting of a large folio is what
 * pincount=exact models.
 *
 * Every read and write of page contents goes through span__page_read()
 * and span__page_write(), which record per-byte provenance and detect
 * use-after-free and page-cache writes.
 */
#include "internal.h"

static const char *const page_kind_names[SPAN_NR_PAGE_KINDS] = {
	[SPAN_PAGE_FREE] = "free",	[SPAN_PAGE_ANON] = "anon",
	[SPAN_PAGE_ZERO] = "zero",	[SPAN_PAGE_CACHE] = "pagecache",
	[SPAN_PAGE_KERNEL] = "kernel",	[SPAN_PAGE_SLAB] = "slab",
	[SPAN_PAGE_OWNER] = "owner",	[SPAN_PAGE_PIPE] = "pipe",
};

const char *span_page_kind_name(int kind)
{
	if (kind < 0 || kind >= SPAN_NR_PAGE_KINDS)
		return NULL;
	return page_kind_names[kind];
}

bool span__page_live(const struct span_world *w, uint32_t page)
{
	return span__tab_live(&w->pages, page);
}

/* Memory whose refcount may not be used (slab, owner-managed, frozen). */
bool span__page_frozen(const struct span_world *w, uint32_t page)
{
	const struct span_page *p = TAB_AT(w->pages, struct span_page, page);

	return p->kind == SPAN_PAGE_SLAB || p->kind == SPAN_PAGE_OWNER;
}

/*
 * span__alloc_page - alloc_page(): a new page with refcount 1 (0 for
 * slab and owner memory, which hold no usable refcount).
 */
static uint32_t alloc_page(struct span_world *w, int kind, const char *func,
			   bool zero);

uint32_t span__alloc_page(struct span_world *w, int kind, const char *func)
{
	return alloc_page(w, kind, func, true);
}

uint32_t span__alloc_page_nozero(struct span_world *w, int kind,
				 const char *func)
{
	return alloc_page(w, kind, func, false);
}

static void page_zero(struct span_world *w, uint32_t page)
{
	memset(page_bytes(w, page), 0, w->page_size);
	memset(page_prov(w, page), 0, w->page_size * sizeof(struct span_prov));
	page_dirty(w, page);
}

static uint32_t alloc_page(struct span_world *w, int kind, const char *func,
			   bool zero)
{
	uint32_t id = span__tab_alloc(w, &w->pages);
	struct span_page *p;

	if (!id)
		return 0;
	p = PAGE(w, id);
	p->kind = (uint8_t)kind;
	p->refcount = (kind == SPAN_PAGE_SLAB || kind == SPAN_PAGE_OWNER) ? 0 : 1;
	p->flags = PG_uptodate;
	/*
	 * The page arrays grow uninitialised (world.c): an id used for the
	 * first time starts as zeros, as if fresh memory were zeroed, so a
	 * page that is not zeroed here holds either zeros or what its id
	 * held last, never bytes of the C heap.
	 */
	if (id >= w->pages_init) {
		while (w->pages_init < id)
			page_zero(w, w->pages_init++);
		w->pages_init = id + 1;
		zero = true;
	}
	if (zero)
		page_zero(w, id);
	span__fp(w, true, SPAN_OBJ_PAGE, id);
	span__trace(w, func, SPAN_TR_ALLOC, SPAN_OBJ_PAGE, id, 0, p->refcount,
		    span_page_kind_name(kind));
	return id;
}

static void free_page(struct span_world *w, uint32_t page, const char *func)
{
	struct span_page *p = PAGE(w, page);

	span__trace(w, func, SPAN_TR_FREE, SPAN_OBJ_PAGE, page, 0, 0,
		    span_page_kind_name(p->kind));
	p->freed_at = w->step;
	span__fp(w, true, SPAN_OBJ_PAGE, page);
	span__tab_free(&w->pages, page);
}

static void set_refcount(struct span_world *w, uint32_t page, int64_t v,
			 int what, const char *func)
{
	struct span_page *p = PAGE(w, page);
	int64_t old = p->refcount;

	p->refcount = v;
	/*
	 * A get, or a put that does not free, commutes with other gets and
	 * puts: a count.  With a counter of fewer bits than the kernel's, a
	 * get may wrap or be refused depending on the order: a write.  The
	 * put that frees writes the page (free_page()).
	 */
	if (w->param[SPAN_PARAM_REFCOUNT_BITS] >= 32 && v > 0)
		span__fp_count(w, SPAN_OBJ_PAGE, page);
	else
		span__fp(w, true, SPAN_OBJ_PAGE, page);
	span__trace(w, func, what, SPAN_OBJ_PAGE, page, old, v, NULL);
}

/*
 * Add @refs to a refcount, modelling a signed refcount_bits-bit counter:
 * past the largest value it wraps (atomic_t arithmetic).
 */
static int64_t ref_add(struct span_world *w, int64_t v, int64_t refs)
{
	int64_t max = span__refcount_max(w);
	int64_t r = v + refs;

	if (r > max)
		r -= 2 * (max + 1);
	return r;
}

/*
 * span__try_get_page - try_get_page() / get_page() for @refs references.
 *
 * KREF: include/linux/mm.h try_get_page(): refuses a count <= 0.
 * get_page_check=checked also refuses a get that would pass the largest
 * value of the counter (the guard is what 5.1 added against
 * CVE-2019-11487; DEVIATION: the kernel tests for a wrapped, negative
 * count after the fact, the model refuses before the wrap, which is the
 * same outcome one get earlier).  unchecked takes it blindly and a wrap
 * is a refcount-overflow.
 */
static bool get_page_refs(struct span_world *w, uint32_t page, int64_t refs,
			  const char *func, bool may_refuse);

bool span__try_get_page(struct span_world *w, uint32_t page, int64_t refs,
			const char *func)
{
	return get_page_refs(w, page, refs, func, true);
}

static bool get_page_refs(struct span_world *w, uint32_t page, int64_t refs,
			  const char *func, bool may_refuse)
{
	struct span_page *p;

	span__fp(w, false, SPAN_FP_LIVE, page);
	if (!span__page_live(w, page)) {
		span__violate(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_PAGE, page,
			      func, "%s: get on freed page#%u", func, page);
		return false;
	}
	p = PAGE(w, page);
	if (p->kind == SPAN_PAGE_ZERO) {
		set_refcount(w, page, p->refcount + refs, SPAN_TR_GET, func);
		return true;
	}
	if (span__page_frozen(w, page)) {
		/*
		 * KREF: include/linux/mm.h get_page(): WARN_ON_ONCE and no ref
		 * for a slab folio.  Taking one is what the model calls
		 * get-on-frozen; the caller decided to (kmem_send=ref).
		 */
		span__violate(w, SPAN_INV_GET_ON_FROZEN, SPAN_OBJ_PAGE, page,
			      func, "%s: page ref on %s page#%u, which has no usable refcount",
			      func, span_page_kind_name(p->kind), page);
		set_refcount(w, page, p->refcount + refs, SPAN_TR_GET, func);
		return true;
	}
	if (may_refuse &&
	    span__decide(w, &(struct span_decision){
		    .point = SPAN_KNOB_GET_PAGE_CHECK, .func = func,
		    .page = page, .len = refs }) ==
		    SPAN_GET_PAGE_CHECKED) {
		if (p->refcount <= 0 ||
		    p->refcount > span__refcount_max(w) - refs) {
			span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_PAGE, page,
				    p->refcount, p->refcount,
				    "try_get_page refused (overflow guard)");
			return false;
		}
		set_refcount(w, page, p->refcount + refs, SPAN_TR_GET, func);
		return true;
	}
	if (p->refcount + refs > span__refcount_max(w))
		span__violate(w, SPAN_INV_REFCOUNT_OVERFLOW, SPAN_OBJ_PAGE, page,
			      func, "%s: page#%u refcount %lld + %lld passes %lld (refcount_bits=%llu)",
			      func, page, (long long)p->refcount,
			      (long long)refs, (long long)span__refcount_max(w),
			      (unsigned long long)w->param[SPAN_PARAM_REFCOUNT_BITS]);
	set_refcount(w, page, ref_add(w, p->refcount, refs), SPAN_TR_GET, func);
	return true;
}

/*
 * span__get_page - get_page() / folio_get(): unconditional.
 *
 * KREF: include/linux/mm.h folio_get(): only a VM_BUG_ON for a count near
 * zero or overflow; no caller can be refused, so get_page_check does not
 * apply (5.1 guarded the paths that duplicate references without memory of
 * their own - pipe_buf_get, GUP - not these).  A count passed the largest
 * value is a refcount-overflow, as with get_page_check=unchecked: at the
 * kernel's 32 bits it takes 2^31 pipe buffers, at a small refcount_bits a
 * few page-cache splices.
 */
void span__get_page(struct span_world *w, uint32_t page, const char *func)
{
	/* callers that cannot fail checked their page before */
	(void)get_page_refs(w, page, 1, func, false);
}

/*
 * span__put_page - put_page() -> folio_put(): free at zero.
 * KREF: include/linux/mm.h put_page(): a no-op for slab folios.
 */
void span__put_page(struct span_world *w, uint32_t page, const char *func)
{
	struct span_page *p;

	span__fp(w, false, SPAN_FP_LIVE, page);
	if (!span__page_live(w, page)) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      page, func, "%s: put on freed page#%u", func,
			      page);
		return;
	}
	p = PAGE(w, page);
	if (span__page_frozen(w, page) && p->refcount <= 0) {
		span__fp(w, false, SPAN_OBJ_PAGE, page);
		return;
	}
	if (p->refcount <= 0) {
		span__fp(w, false, SPAN_OBJ_PAGE, page);
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      page, func, "%s: put_page on page#%u with refcount %lld",
			      func, page, (long long)p->refcount);
		return;
	}
	set_refcount(w, page, p->refcount - 1, SPAN_TR_PUT, func);
	if (!p->refcount && p->kind != SPAN_PAGE_ZERO &&
	    !span__page_frozen(w, page))
		free_page(w, page, func);
}

/*
 * span__pin_page - try_grab_folio(FOLL_PIN) of one small folio.
 * KREF: mm/gup.c try_grab_folio(): zero page pins are free; a small
 * folio gets GUP_PIN_COUNTING_BIAS refs, a large one 1 ref + _pincount.
 * Return: 0, or -ENOMEM when the count is <= 0 or would overflow.
 */
int span__pin_page(struct span_world *w, uint32_t page, const char *func)
{
	struct span_page *p;
	int64_t refs;

	span__fp(w, false, SPAN_FP_LIVE, page);
	if (!span__page_live(w, page))
		return -EFAULT;
	p = PAGE(w, page);
	if (p->kind == SPAN_PAGE_ZERO)
		return 0;
	refs = !span__pincount_exact(w) ?
		       SPAN_GUP_PIN_COUNTING_BIAS : 1;
	if (!span__try_get_page(w, page, refs, func))
		return -ENOMEM;
	if (span__pincount_exact(w))
		p->pincount++;
	p->pins++;
	span__trace(w, func, SPAN_TR_PIN, SPAN_OBJ_PAGE, page, p->pins - 1,
		    p->pins, NULL);
	return 0;
}

/* span__unpin_page - unpin_user_page() -> gup_put_folio(FOLL_PIN). */
void span__unpin_page(struct span_world *w, uint32_t page, const char *func)
{
	struct span_page *p;
	int64_t refs;

	span__fp(w, false, SPAN_FP_LIVE, page);
	if (!span__page_live(w, page)) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      page, func, "%s: unpin of freed page#%u", func,
			      page);
		return;
	}
	p = PAGE(w, page);
	/*
	 * Unpins commute with each other and with gets and puts: whichever
	 * runs first, the counts end the same.  The last pin, or a count at
	 * zero, is tested: a write.  Otherwise set_refcount() records a count.
	 */
	if (p->pins <= 1)
		span__fp(w, true, SPAN_OBJ_PAGE, page);
	if (p->kind == SPAN_PAGE_ZERO)
		return;
	if (p->pins <= 0) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      page, func, "%s: unpin of page#%u with no pin",
			      func, page);
		return;
	}
	p->pins--;
	refs = 1;
	if (span__pincount_exact(w) && p->pincount)
		p->pincount--;
	else
		refs = SPAN_GUP_PIN_COUNTING_BIAS;
	span__trace(w, func, SPAN_TR_UNPIN, SPAN_OBJ_PAGE, page, p->pins + 1,
		    p->pins, NULL);
	if (p->refcount < refs) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE,
			      page, func, "%s: unpin of page#%u below zero",
			      func, page);
		return;
	}
	set_refcount(w, page, p->refcount - refs, SPAN_TR_PUT, func);
	if (!p->refcount)
		free_page(w, page, func);
}

/*
 * span__fp_count_test - the footprint of a test of page_count() (and of
 * page_mapcount() when @mapcount) against 0 or 1.  Such a test reads the counts only near
 * those values: while both counts are above 2, no single get or put can
 * change its outcome, so it commutes with them and records a liveness read
 * only.  Closer, it reads the counts, and every get and put conflicts.
 */
void span__fp_count_test(struct span_world *w, uint32_t page, bool mapcount)
{
	if (span__page_live(w, page) && PAGE(w, page)->refcount > 2 &&
	    (!mapcount || PAGE(w, page)->mapcount > 2))
		span__fp(w, false, SPAN_FP_LIVE, page);
	else
		span__fp(w, false, SPAN_OBJ_PAGE, page);
}

/*
 * span__maybe_pinned - folio_maybe_dma_pinned(): exact for pincount=exact,
 * "refcount >= GUP_PIN_COUNTING_BIAS" (false positives) for bias.
 */
bool span__maybe_pinned(const struct span_world *w, uint32_t page)
{
	const struct span_page *p = TAB_AT(w->pages, struct span_page, page);

	/* the footprint is not state: a const world still records a read */
	span__fp((struct span_world *)w, false, SPAN_OBJ_PAGE, page);
	if (span__pincount_exact(w))
		return p->pincount > 0;
	return p->refcount >= SPAN_GUP_PIN_COUNTING_BIAS;
}

/* --- contents ---------------------------------------------------------- */

static bool check_access(struct span_world *w, uint32_t page, uint32_t off,
			 uint32_t len, const char *func, const char *what)
{
	uint32_t owner;

	span__fp(w, false, SPAN_FP_LIVE, page);
	if (page >= w->pages.n || !span__page_live(w, page)) {
		span__violate(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_PAGE, page,
			      func, "%s: %s of freed page#%u", func, what,
			      page);
		return false;
	}
	if (span__owner_memory_page(w, page, &owner)) {
		/* a read of the owner: it may be destructed */
		span__fp(w, false, SPAN_OBJ_OWNER, owner);
		if (OWNER(w, owner)->destructed) {
			span__violate(w, SPAN_INV_USE_AFTER_FREE,
				      SPAN_OBJ_OWNER, owner, func,
				      "%s: %s of page#%u of destructed owner#%u",
				      func, what, page, owner);
			return false;
		}
	}
	if (off + len > w->page_size || off + len < off) {
		span__violate(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_PAGE, page,
			      func, "%s: %s of bytes %u+%u past the end of page#%u",
			      func, what, off, len, page);
		return false;
	}
	return true;
}

/* the page's summary of user stores, with @who's added */
static uint16_t store_who_merge(uint16_t a, uint16_t b)
{
	if (!a || a == b)
		return b;
	if (!b)
		return a;
	return STORE_WHO_MANY;
}

int span__page_write(struct span_world *w, uint32_t page, uint32_t off,
		     const void *src, uint32_t len,
		     const struct span_prov *src_prov, int prov_kind,
		     const char *func, bool may_write_cache)
{
	struct span_page *p;
	struct span_prov *pv;

	if (!len)
		return 0;
	if (!check_access(w, page, off, len, func, "write"))
		return -EFAULT;
	p = PAGE(w, page);
	if (p->kind == SPAN_PAGE_CACHE && !may_write_cache)
		span__violate(w, SPAN_INV_PAGE_CACHE_WRITE, SPAN_OBJ_PAGE, page,
			      func, "%s: page-cache page#%u (file#%u) written without write permission",
			      func, page, p->file);
	memmove(page_bytes(w, page) + off, src, len);
	page_dirty(w, page);
	pv = page_prov(w, page) + off;
	if (src_prov) {
		memmove(pv, src_prov, len * sizeof(*pv));
		/* copied provenance: unknown, unless the caller knows better */
		p->store_who = STORE_WHO_MANY;
	} else {
		struct span_prov one = { .epoch = PROV_EPOCH(w),
					 .who = PROV_WHO(w->cur_pid, prov_kind) };
		uint32_t done = len ? 1 : 0;

		if (prov_kind == PROV_USER_STORE)
			p->store_who = store_who_merge(p->store_who, one.who);
		/* one entry, then double what is written */
		if (len)
			pv[0] = one;
		while (done < len) {
			uint32_t chunk = done < len - done ? done : len - done;

			memcpy(pv + done, pv, chunk * sizeof(*pv));
			done += chunk;
		}
	}
	/* the bytes, and a commutative update of the store_who summary */
	span__fp_range(w, page, off, len, true);
	span__fp_count(w, SPAN_OBJ_PAGE, page);
	span__trace(w, func, SPAN_TR_COPY, SPAN_OBJ_PAGE, page, off, off + len,
		    "write");
	return 0;
}

int span__page_read(struct span_world *w, uint32_t page, uint32_t off,
		    void *dst, uint32_t len, const char *func)
{
	if (!len)
		return 0;
	if (!check_access(w, page, off, len, func, "read"))
		return -EFAULT;
	memcpy(dst, page_bytes(w, page) + off, len);
	span__fp_range(w, page, off, len, false);
	return 0;
}

/* Copy bytes and their provenance from one page to another (copy_page). */
int span__page_copy(struct span_world *w, uint32_t dst, uint32_t doff,
		    uint32_t src, uint32_t soff, uint32_t len,
		    const char *func)
{
	if (!len)
		return 0;
	if (!check_access(w, src, soff, len, func, "copy"))
		return -EFAULT;
	uint16_t before;
	int err;

	span__fp(w, false, SPAN_OBJ_PAGE, src);
	before = span__page_live(w, dst) ? PAGE(w, dst)->store_who : 0;
	err = span__page_write(w, dst, doff, page_bytes(w, src) + soff, len,
			       page_prov(w, src) + soff, PROV_KERNEL_COPY,
			       func, false);
	if (!err)	/* the copy brings the source's stores along */
		PAGE(w, dst)->store_who = store_who_merge(before,
							  PAGE(w, src)->store_who);
	return err;
}

/*
 * span__observe - bytes of @page are seen through a reference taken from
 * process @capturer's private memory: did another process write them
 * there after the two split?  That is a cow-leak (CVE-2020-29374).
 */
void span__observe(struct span_world *w, uint32_t page, uint32_t off,
		   uint32_t len, uint32_t capturer, const char *func)
{
	const struct span_prov *pv;
	uint16_t last_who = 0;	/* no USER_STORE has who 0 */
	uint32_t split = 0;

	/* without a fork no memory was ever shared */
	if (!capturer || !w->nr_forks || !span__page_live(w, page))
		return;
	span__fp(w, false, SPAN_OBJ_PAGE, page);	/* store_who */
	/* no user stores in the page, or only the capturer's own */
	if (!PAGE(w, page)->store_who ||
	    PAGE(w, page)->store_who == PROV_WHO(capturer, PROV_USER_STORE))
		return;
	pv = page_prov(w, page) + off;
	for (uint32_t i = 0; i < len; i++) {
		if (PROV_KIND(pv[i]) != PROV_USER_STORE ||
		    PROV_PID(pv[i]) == capturer)
			continue;
		if (pv[i].who != last_who) {
			/* bytes come in runs from one writer */
			last_who = pv[i].who;
			split = span__split_epoch(w, capturer, PROV_PID(pv[i]));
		}
		if (pv[i].epoch >= split) {
			span__violate(w, SPAN_INV_COW_LEAK, SPAN_OBJ_PAGE, page,
				      func, "%s: process %u sees a byte process %u stored into its private memory after they split at fork",
				      func, capturer, PROV_PID(pv[i]));
			return;
		}
	}
}

/* --- public accessors -------------------------------------------------- */

int span_page_info(const struct span_world *w, int page,
		   struct span_page_info *info)
{
	const struct span_page *p;

	if (!w || !info || page <= 0 || (uint32_t)page >= w->pages.cap)
		return -EINVAL;
	p = TAB_AT(w->pages, struct span_page, page);
	memset(info, 0, sizeof(*info));
	if (!span__page_live(w, (uint32_t)page)) {
		if (!p->freed_at)
			return -EINVAL;
		info->kind = SPAN_PAGE_FREE;
		info->freed_at = p->freed_at;
		return 0;
	}
	info->kind = p->kind;
	info->refcount = p->refcount;
	info->pincount = span__pincount_exact(w) ?
				 p->pincount : p->pins;
	info->mapcount = p->mapcount;
	info->anon_exclusive = p->flags & PG_anon_exclusive;
	info->maybe_pinned = span__maybe_pinned(w, (uint32_t)page);
	info->owner = p->owner;
	return 0;
}

int span_zero_page(const struct span_world *w)
{
	return w ? (int)w->zero_page : -EINVAL;
}

int span_get_page(struct span_world *w, int page)
{
	if (!w || page <= 0 || !span__page_live(w, (uint32_t)page))
		return -EINVAL;
	/* KREF: get_page() WARNs and takes nothing on slab memory */
	if (span__page_frozen(w, (uint32_t)page))
		return -EFAULT;
	if (!span__try_get_page(w, (uint32_t)page, 1, "get_page"))
		return -EFAULT;
	span__fp_count(w, SPAN_OBJ_PAGE, (uint32_t)page);
	PAGE(w, page)->ext_refs++;
	return 0;
}

int span_put_page(struct span_world *w, int page)
{
	if (!w || page <= 0 || !span__page_live(w, (uint32_t)page))
		return -EINVAL;
	if (PAGE(w, page)->ext_refs <= 0)
		return -EINVAL;	/* the caller holds no reference */
	span__fp_count(w, SPAN_OBJ_PAGE, (uint32_t)page);
	PAGE(w, page)->ext_refs--;
	span__put_page(w, (uint32_t)page, "put_page");
	return 0;
}

int span_unpin_user_page(struct span_world *w, int page)
{
	if (!w || page <= 0 || !span__page_live(w, (uint32_t)page))
		return -EINVAL;
	if (PAGE(w, page)->ext_pins <= 0)
		return -EINVAL;	/* the caller holds no pin */
	span__fp_count(w, SPAN_OBJ_PAGE, (uint32_t)page);
	PAGE(w, page)->ext_pins--;
	span__unpin_page(w, (uint32_t)page, "unpin_user_page");
	return 0;
}

uint64_t span_pinned_bytes(const struct span_world *w)
{
	uint64_t n = 0;

	if (!w)
		return 0;
	for (uint32_t i = 1; i < w->pages.n; i++)
		if (span__page_live(w, i) && PAGE(w, i)->pins > 0)
			n += w->page_size;
	return n;
}
