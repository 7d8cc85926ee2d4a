// SPDX-License-Identifier: MIT
/*
 * skbuff.c - sk_buff and skb_shared_info.
 *
 * Models net/core/skbuff.c and include/linux/skbuff.h,
 * include/linux/skbuff_ref.h of v6.18: __alloc_skb(), kfree_skb() /
 * consume_skb(), skb_release_data(), skb_clone(), pskb_expand_head(),
 * __pskb_copy_fclone(), skb_copy(), skb_try_coalesce(), skb_split(),
 * skb_orphan_frags(), skb_orphan_frags_rx(), skb_copy_ubufs(),
 * skb_splice_bits() and skb_splice_from_iter(), plus skb_cow_data() of
 * net/core/skbuff.c as the in-place consumers (ESP, rxkad) use it.
 *
 * An sk_buff is a struct with users, len/data_len and an id of its
 * skb_shared_info, which clones share (dataref).  The linear head is one
 * page: a kmalloc (slab) page with its own bytes, or a refcounted page
 * frag (head_frag).  DEVIATION: an skb with an empty linear area has no
 * head page at all (TCP's headroom-only heads are not modelled), and a
 * head is at most one page.
 *
 * Knobs read here: kmem_send (skb_splice_from_iter on memory that fails
 * sendpage_ok()), sock_splice (skb_splice_bits), skb_shared_frag
 * (pskb_copy, skb_try_coalesce, skb_cow_data).
 */
#include "internal.h"

/* --- helpers ------------------------------------------------------------ */

static uint32_t skb_headlen(const struct span_sk_buff *skb)
{
	return skb->len - skb->data_len;
}

uint32_t span__skb_headlen(struct span_world *w, uint32_t skb)
{
	return skb_headlen(SKB(w, skb));
}

/* SKB_MAX_HEAD(0): what fits a one-page kmalloc head next to the shinfo */
uint32_t span__skb_max_head(const struct span_world *w)
{
	/*
	 * DEVIATION: for tiny model pages (page_size < 1024) the 320 bytes of
	 * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) would not fit, so
	 * half a page is used instead.
	 */
	if (w->page_size >= 1024)
		return w->page_size - 320;
	return w->page_size / 2;
}

static uint32_t frag_limit(const struct span_world *w)
{
	uint64_t v = w->param[SPAN_PARAM_MAX_SKB_FRAGS];

	return v > SPAN_MAX_SKB_FRAGS_LIMIT ? SPAN_MAX_SKB_FRAGS_LIMIT :
					      (uint32_t)v;
}

uint32_t span__max_skb_frags(const struct span_world *w)
{
	return frag_limit(w);
}

/* sendpage_ok(): !PageSlab(page) && page_count(page) >= 1 */
bool span__sendpage_ok(const struct span_world *w, uint32_t page)
{
	const struct span_page *p = TAB_AT(w->pages, struct span_page, page);

	if (!span__page_live(w, page))
		return false;
	return p->kind != SPAN_PAGE_SLAB && p->refcount >= 1;
}

/* kfree() of a kmalloc head: slab memory is freed whatever its count */
static void kfree_head(struct span_world *w, uint32_t page, const char *func)
{
	struct span_page *p;

	if (!span__page_live(w, page)) {
		span__violate(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_PAGE, page,
			      func, "%s: kfree of freed head page#%u", func,
			      page);
		return;
	}
	p = PAGE(w, page);
	p->freed_at = w->step;
	span__trace(w, func, SPAN_TR_FREE, SPAN_OBJ_PAGE, page, 0, 0,
		    "kfree(skb->head)");
	span__tab_free(&w->pages, page);
}

/* __skb_frag_ref(): the reference of the frag's kind */
bool span__frag_ref(struct span_world *w, struct span_skb_frag *f,
		    const char *func)
{
	switch (f->ref) {
	case FRAG_REF_PAGE:
		return span__try_get_page(w, f->page, 1, func);
	case FRAG_REF_PIN:
		/* folio_add_pin(): one more pin of the same kind */
		return !span__pin_page(w, f->page, func);
	default:
		return true;	/* covered by the shinfo's owner reference */
	}
}

/* __skb_frag_unref(): put_page, unpin, or nothing for managed frags */
void span__frag_unref(struct span_world *w, struct span_skb_frag *f,
		      const char *func)
{
	switch (f->ref) {
	case FRAG_REF_PAGE:
		span__put_page(w, f->page, func);
		break;
	case FRAG_REF_PIN:
		span__unpin_page(w, f->page, func);
		break;
	default:
		break;
	}
}

/* --- allocation and release --------------------------------------------- */

/*
 * span__alloc_skb - __alloc_skb(): users = 1, dataref = 1, no frags.
 * @head_size: bytes of linear buffer (0: none); @head_frag: the head is a
 * refcounted kernel page (napi_alloc_frag) rather than kmalloc (slab).
 * Return: the skb id, or 0 (-ENOMEM).
 */
uint32_t span__alloc_skb(struct span_world *w, uint32_t head_size,
			 bool head_frag, const char *func)
{
	uint32_t skb, sh, page = 0;

	if (head_size > w->page_size)
		head_size = w->page_size;
	skb = span__tab_alloc(w, &w->net.skbs);
	if (!skb)
		return 0;
	sh = span__tab_alloc(w, &w->net.shinfos);
	if (!sh) {
		span__tab_free(&w->net.skbs, skb);
		return 0;
	}
	if (head_size) {
		page = span__alloc_page(w, head_frag ? SPAN_PAGE_KERNEL :
						       SPAN_PAGE_SLAB, func);
		if (!page) {
			span__tab_free(&w->net.shinfos, sh);
			span__tab_free(&w->net.skbs, skb);
			return 0;
		}
	}
	SHINFO(w, sh)->dataref = 1;
	SHINFO(w, sh)->head_page = page;
	SHINFO(w, sh)->head_size = head_size;
	SHINFO(w, sh)->head_frag = head_frag && head_size;
	SKB(w, skb)->users = 1;
	SKB(w, skb)->shinfo = sh;
	span__fp(w, true, SPAN_OBJ_SKB, skb);
	span__trace(w, func, SPAN_TR_ALLOC, SPAN_OBJ_SKB, skb, 0, 1,
		    head_size ? (head_frag ? "head_frag" : "kmalloc head") :
				"no linear data");
	return skb;
}

/*
 * shinfo_release - skb_release_data() once dataref reaches zero.
 * KREF: net/core/skbuff.c skb_release_data(): skb_zcopy_clear(skb, true)
 * first, then the frag unrefs (skipped for managed frags), then the head.
 * The owner reference (kmem_send=desc) goes last, after every frag is gone.
 */
static void shinfo_release(struct span_world *w, uint32_t sh,
			   const char *func)
{
	struct span_skb_shared_info *s = SHINFO(w, sh);
	uint32_t owner = s->owner, saved = w->net.releasing;

	w->net.releasing = sh;
	if (s->ubuf)
		span__skb_zcopy_clear(w, sh, true);
	s = SHINFO(w, sh);
	for (uint32_t i = 0; i < s->nr_frags; i++)
		span__frag_unref(w, &s->frags[i], "skb_release_data");
	s->nr_frags = 0;
	if (s->head_page) {
		if (s->head_frag)
			span__put_page(w, s->head_page, "skb_free_head");
		else
			kfree_head(w, s->head_page, "skb_free_head");
	}
	span__trace(w, func, SPAN_TR_FREE, SPAN_OBJ_SKB, 0, 0, 0,
		    "skb_release_data: shinfo freed");
	span__tab_free(&w->net.shinfos, sh);
	w->net.releasing = saved;
	if (owner)
		span__owner_put(w, owner, "skb_release_data");
}

/* skb_data_unref(): drop one dataref of @sh */
void span__shinfo_put(struct span_world *w, uint32_t sh, const char *func)
{
	struct span_skb_shared_info *s = SHINFO(w, sh);

	if (!span__tab_live(&w->net.shinfos, sh) || s->dataref <= 0) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_SKB, 0,
			      func, "%s: dataref underflow on shinfo#%u", func,
			      sh);
		return;
	}
	span__fp_shinfo(w, true, sh);
	s->dataref--;
	span__trace(w, func, SPAN_TR_PUT, SPAN_OBJ_SKB, 0, s->dataref + 1,
		    s->dataref, "dataref");
	if (!s->dataref)
		shinfo_release(w, sh, func);
}

/*
 * span__kfree_skb - kfree_skb() / consume_skb(): users--, and at zero
 * __kfree_skb(): the destructor (sock_wfree), then skb_release_data().
 */
void span__kfree_skb(struct span_world *w, uint32_t skb, const char *func)
{
	struct span_sk_buff *s = SKB(w, skb);
	uint32_t sh;

	if (!span__tab_live(&w->net.skbs, skb) || s->users <= 0) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_SKB, skb,
			      func, "%s: free of freed skb#%u", func, skb);
		return;
	}
	span__fp(w, true, SPAN_OBJ_SKB, skb);
	s->users--;
	if (s->users)
		return;
	if (s->destructor == SKB_DESTRUCTOR_WFREE && s->sk)
		span__sock_wfree(w, s->sk, s->truesize);
	sh = s->shinfo;
	span__trace(w, func, SPAN_TR_FREE, SPAN_OBJ_SKB, skb, 1, 0, NULL);
	span__tab_free(&w->net.skbs, skb);
	span__shinfo_put(w, sh, func);
}

/* skb_orphan(): call and clear the destructor; frags are untouched */
void span__skb_orphan(struct span_world *w, uint32_t skb, const char *func)
{
	struct span_sk_buff *s = SKB(w, skb);

	if (s->destructor == SKB_DESTRUCTOR_WFREE && s->sk)
		span__sock_wfree(w, s->sk, s->truesize);
	if (s->destructor || s->sk)
		span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SKB, skb, 0, 0,
			    "skb_orphan");
	s->destructor = SKB_DESTRUCTOR_NONE;
	s->sk = 0;
}

/* skb_cloned(): cloned && (dataref & SKB_DATAREF_MASK) != 1 */
bool span__skb_cloned(struct span_world *w, uint32_t skb)
{
	struct span_sk_buff *s = SKB(w, skb);

	span__fp_shinfo(w, false, s->shinfo);
	return s->cloned && SHINFO(w, s->shinfo)->dataref != 1;
}

/* skb_head_is_locked(): !head_frag || skb_cloned() */
static bool skb_head_is_locked(struct span_world *w, uint32_t skb)
{
	return !SHINFO(w, SKB(w, skb)->shinfo)->head_frag ||
	       span__skb_cloned(w, skb);
}

/* --- byte access -------------------------------------------------------- */

/*
 * skb_seg - where byte @off of the skb's data lives: the page, the offset
 * in it, how many bytes are contiguous there, and the frag (-1: linear).
 */
static int skb_seg(struct span_world *w, uint32_t skb, uint32_t off,
		   uint32_t *page, uint32_t *poff, uint32_t *n, int *frag)
{
	struct span_sk_buff *s = SKB(w, skb);
	struct span_skb_shared_info *sh = SHINFO(w, s->shinfo);
	uint32_t hl = skb_headlen(s);

	span__fp_shinfo(w, false, s->shinfo);
	if (off < hl) {
		*page = sh->head_page;
		*poff = s->data + off;
		*n = hl - off;
		*frag = -1;
		return 0;
	}
	off -= hl;
	for (uint32_t i = 0; i < sh->nr_frags; i++) {
		if (off < sh->frags[i].len) {
			*page = sh->frags[i].page;
			*poff = sh->frags[i].offset + off;
			*n = sh->frags[i].len - off;
			*frag = (int)i;
			return 0;
		}
		off -= sh->frags[i].len;
	}
	return -EFAULT;
}

/* skb_copy_bits(): @len bytes at @off into @dst (and their provenance) */
int span__skb_read(struct span_world *w, uint32_t skb, uint32_t off, void *dst,
		   struct span_prov *prov, uint32_t len, const char *func)
{
	uint8_t *d = dst;

	while (len) {
		uint32_t page, poff, n;
		int frag;

		if (skb_seg(w, skb, off, &page, &poff, &n, &frag))
			return -EFAULT;
		if (n > len)
			n = len;
		if (span__page_read(w, page, poff, d, n, func)) {
			memset(d, 0, n);
			if (prov)
				memset(prov, 0, n * sizeof(*prov));
		} else if (prov) {
			memcpy(prov, page_prov(w, page) + poff,
			       n * sizeof(*prov));
		}
		d += n;
		if (prov)
			prov += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* copy the linear part of @from into a new private kmalloc head of @to */
static int copy_linear(struct span_world *w, uint32_t to_sh, uint32_t from,
		       const char *func)
{
	struct span_sk_buff *f = SKB(w, from);
	uint32_t hl = skb_headlen(f), page;
	struct span_skb_shared_info *src = SHINFO(w, f->shinfo);

	if (!hl)
		return 0;
	page = span__alloc_page(w, SPAN_PAGE_SLAB, func);
	if (!page)
		return -ENOMEM;
	span__page_copy(w, page, 0, src->head_page, f->data, hl, func);
	SHINFO(w, to_sh)->head_page = page;
	SHINFO(w, to_sh)->head_size = src->head_size > hl ? src->head_size : hl;
	SHINFO(w, to_sh)->head_frag = 0;
	return 0;
}

/* --- clone and copy ----------------------------------------------------- */

/*
 * span__skb_clone - skb_clone(): a new sk_buff sharing the head and the
 * frags: dataref++, cloned on both, no page refs, no ubuf ref.
 * KREF: net/core/skbuff.c skb_clone(): skb_orphan_frags() first.
 * Return: the clone, or 0.
 */
uint32_t span__skb_clone(struct span_world *w, uint32_t skb)
{
	uint32_t n;
	struct span_sk_buff *c;

	if (span__skb_orphan_frags(w, skb))
		return 0;
	n = span__tab_alloc(w, &w->net.skbs);
	if (!n)
		return 0;
	c = SKB(w, n);
	*c = *SKB(w, skb);
	c->users = 1;
	c->cloned = 1;
	c->sk = 0;
	c->destructor = SKB_DESTRUCTOR_NONE;
	c->next = 0;
	SKB(w, skb)->cloned = 1;
	SHINFO(w, c->shinfo)->dataref++;
	span__fp_shinfo(w, true, c->shinfo);
	span__fp(w, true, SPAN_OBJ_SKB, n);
	span__fp(w, true, SPAN_OBJ_SKB, skb);
	span__trace(w, "skb_clone", SPAN_TR_GET, SPAN_OBJ_SKB, skb,
		    SHINFO(w, c->shinfo)->dataref - 1,
		    SHINFO(w, c->shinfo)->dataref, "dataref");
	return n;
}

/* copy frag descriptors of @from_sh to @to_sh, taking a ref each */
static int copy_frags_ref(struct span_world *w, uint32_t to_sh,
			  uint32_t from_sh, const char *func)
{
	struct span_skb_shared_info *f = SHINFO(w, from_sh);
	struct span_skb_shared_info *t = SHINFO(w, to_sh);

	for (uint32_t i = 0; i < f->nr_frags; i++) {
		t->frags[i] = f->frags[i];
		if (!span__frag_ref(w, &t->frags[i], func)) {
			for (uint32_t j = 0; j < i; j++)
				span__frag_unref(w, &t->frags[j], func);
			return -ENOMEM;
		}
	}
	t->nr_frags = f->nr_frags;
	return 0;
}

/* skb_zerocopy_clone() and the owner reference for a second shinfo */
static void share_refs(struct span_world *w, uint32_t to_sh, uint32_t from_sh,
		       const char *func)
{
	struct span_skb_shared_info *f = SHINFO(w, from_sh);
	struct span_skb_shared_info *t = SHINFO(w, to_sh);

	if (f->ubuf && !t->ubuf) {
		span__net_zcopy_get(w, f->ubuf);
		t->ubuf = f->ubuf;
		t->flags |= f->flags & SKBFL_ALL_ZEROCOPY;
	}
	if (f->owner && !t->owner) {
		span__owner_get(w, f->owner, func);
		t->owner = f->owner;
		t->flags |= f->flags & SKBFL_MANAGED_FRAG_REFS;
	}
}

/*
 * span__pskb_expand_head - pskb_expand_head(skb, 0, 0) of a cloned skb
 * (skb_unclone()): a private head and shinfo; every frag gets a ref, the
 * ubuf refcnt++ (and the owner ref), then the old head loses a dataref.
 * Return: 0 or -ENOMEM.
 */
int span__pskb_expand_head(struct span_world *w, uint32_t skb)
{
	const char *func = "pskb_expand_head";
	struct span_sk_buff *s = SKB(w, skb);
	uint32_t old = s->shinfo, sh;

	if (!span__skb_cloned(w, skb)) {
		s->cloned = 0;
		return 0;
	}
	if (span__skb_orphan_frags(w, skb))
		return -ENOMEM;
	sh = span__tab_alloc(w, &w->net.shinfos);
	if (!sh)
		return -ENOMEM;
	SHINFO(w, sh)->dataref = 1;
	if (copy_linear(w, sh, skb, func)) {
		span__tab_free(&w->net.shinfos, sh);
		return -ENOMEM;
	}
	if (copy_frags_ref(w, sh, old, func)) {
		if (SHINFO(w, sh)->head_page)
			kfree_head(w, SHINFO(w, sh)->head_page, func);
		span__tab_free(&w->net.shinfos, sh);
		return -ENOMEM;
	}
	/* the flags travel with the frags (SHARED_FRAG included) */
	SHINFO(w, sh)->flags = SHINFO(w, old)->flags &
			       ~(SKBFL_ALL_ZEROCOPY & ~SKBFL_SHARED_FRAG);
	share_refs(w, sh, old, func);
	s = SKB(w, skb);
	s->shinfo = sh;
	s->data = 0;
	s->cloned = 0;
	span__fp(w, true, SPAN_OBJ_SKB, skb);
	span__trace(w, func, SPAN_TR_ALLOC, SPAN_OBJ_SKB, skb, 0, 1,
		    "private head (unclone)");
	span__shinfo_put(w, old, func);
	return 0;
}

/*
 * span__pskb_copy - __pskb_copy_fclone(): a new skb with a private copy of
 * the linear part and the same frags, each with a ref; the ubuf refcnt++.
 * skb_shared_frag=drop_on_copy: SKBFL_SHARED_FRAG is not carried over
 * (DirtyClone).  Return: the copy, or 0.
 */
uint32_t span__pskb_copy(struct span_world *w, uint32_t skb)
{
	const char *func = "pskb_copy";
	struct span_sk_buff *s;
	uint32_t n, sh, old;
	uint8_t flags;

	if (span__skb_orphan_frags(w, skb))
		return 0;
	n = span__alloc_skb(w, 0, false, func);
	if (!n)
		return 0;
	s = SKB(w, skb);
	old = s->shinfo;
	sh = SKB(w, n)->shinfo;
	if (copy_linear(w, sh, skb, func) || copy_frags_ref(w, sh, old, func)) {
		span__kfree_skb(w, n, func);
		return 0;
	}
	flags = SHINFO(w, old)->flags & SKBFL_SHARED_FRAG;
	if (flags && span__decide(w, &(struct span_decision){
			     .point = SPAN_KNOB_SKB_SHARED_FRAG, .func = func,
			     .dst = SPAN_DST_SOCK }) ==
			     SPAN_SHARED_FRAG_DROP_ON_COPY) {
		flags = 0;
		span__trace(w, func, SPAN_TR_FLAGS, SPAN_OBJ_SKB, n,
			    SKBFL_SHARED_FRAG, 0,
			    "SKBFL_SHARED_FRAG lost (skb_shared_frag=drop_on_copy)");
	}
	SHINFO(w, sh)->flags |= flags;
	share_refs(w, sh, old, func);
	s = SKB(w, skb);
	SKB(w, n)->len = s->len;
	SKB(w, n)->data_len = s->data_len;
	SKB(w, n)->truesize = s->truesize;
	SKB(w, n)->seq = s->seq;
	SKB(w, n)->end_seq = s->end_seq;
	SKB(w, n)->fin = s->fin;
	return n;
}

/* fill @sh's frags with private kernel-page copies of @skb's frag bytes */
static int copy_frag_bytes(struct span_world *w, uint32_t skb, uint32_t sh,
			   const char *func)
{
	struct span_sk_buff *s = SKB(w, skb);
	uint32_t hl = skb_headlen(s), left = s->data_len, off = hl, n = 0;
	uint32_t pages[SPAN_MAX_SKB_FRAGS_LIMIT];
	struct span_scratch *tmp = span__scratch(w, SCRATCH_COPY);

	while (left) {
		uint32_t chunk = left < w->page_size ? left : w->page_size;
		uint32_t page;

		if (n == SPAN_MAX_SKB_FRAGS_LIMIT)
			goto fail;
		page = span__alloc_page(w, SPAN_PAGE_KERNEL, func);
		if (!page)
			goto fail;
		pages[n++] = page;
		span__skb_read(w, skb, off, tmp->data, tmp->prov, chunk, func);
		span__page_write(w, page, 0, tmp->data, chunk, tmp->prov,
				 PROV_KERNEL_COPY, func, false);
		off += chunk;
		left -= chunk;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct span_skb_frag *f = &SHINFO(w, sh)->frags[i];

		memset(f, 0, sizeof(*f));
		f->page = pages[i];
		f->len = i + 1 < n ? w->page_size :
				     s->data_len - (n - 1) * w->page_size;
		f->ref = FRAG_REF_PAGE;
	}
	SHINFO(w, sh)->nr_frags = (uint8_t)n;
	return 0;
fail:
	for (uint32_t i = 0; i < n; i++)
		span__put_page(w, pages[i], func);
	return -ENOMEM;
}

/*
 * span__skb_copy - skb_copy(): a private copy of all the data; no ubuf, no
 * owner, no SHARED_FRAG.  DEVIATION: the model's head is one page, so the
 * frag bytes go into private kernel pages instead of one linear buffer.
 * Return: the copy, or 0.
 */
uint32_t span__skb_copy(struct span_world *w, uint32_t skb)
{
	const char *func = "skb_copy";
	uint32_t n = span__alloc_skb(w, 0, false, func), sh;
	struct span_sk_buff *s;

	if (!n)
		return 0;
	sh = SKB(w, n)->shinfo;
	if (copy_linear(w, sh, skb, func) || copy_frag_bytes(w, skb, sh, func)) {
		span__kfree_skb(w, n, func);
		return 0;
	}
	s = SKB(w, skb);
	SKB(w, n)->len = s->len;
	SKB(w, n)->data_len = s->data_len;
	SKB(w, n)->truesize = s->len;
	SKB(w, n)->seq = s->seq;
	SKB(w, n)->end_seq = s->end_seq;
	SKB(w, n)->fin = s->fin;
	return n;
}

/* --- orphaning user frags ----------------------------------------------- */

/*
 * replace_frags - the body of skb_copy_ubufs(): copy every frag into new
 * kernel pages, drop the old frags' references and install the copies.
 * The caller made the shinfo private.
 */
static int replace_frags(struct span_world *w, uint32_t skb, const char *func)
{
	uint32_t sh = SKB(w, skb)->shinfo;
	struct span_skb_shared_info old = *SHINFO(w, sh);
	uint32_t tmp_sh;
	int err;

	if (!old.nr_frags)
		return 0;
	/* build the copies in a scratch shinfo, then swap the frag arrays */
	tmp_sh = span__tab_alloc(w, &w->net.shinfos);
	if (!tmp_sh)
		return -ENOMEM;
	err = copy_frag_bytes(w, skb, tmp_sh, func);
	if (err) {
		span__tab_free(&w->net.shinfos, tmp_sh);
		return err;
	}
	for (uint32_t i = 0; i < old.nr_frags; i++)
		span__frag_unref(w, &old.frags[i], "skb_frag_unref");
	memcpy(SHINFO(w, sh)->frags, SHINFO(w, tmp_sh)->frags,
	       sizeof(old.frags));
	SHINFO(w, sh)->nr_frags = SHINFO(w, tmp_sh)->nr_frags;
	span__tab_free(&w->net.shinfos, tmp_sh);
	span__trace(w, func, SPAN_TR_COPY, SPAN_OBJ_SKB, skb, old.nr_frags,
		    SHINFO(w, sh)->nr_frags, "frags copied into kernel pages");
	return 0;
}

/*
 * span__skb_copy_ubufs - skb_copy_ubufs(): unclone, copy the frags into
 * kernel pages, unref the user pages, skb_zcopy_clear(skb, false).
 * Return: 0, -EINVAL (shared, or unclone failed), -ENOMEM.
 */
int span__skb_copy_ubufs(struct span_world *w, uint32_t skb)
{
	const char *func = "skb_copy_ubufs";
	int err;

	if (SKB(w, skb)->users > 1)
		return -EINVAL;
	if (span__skb_cloned(w, skb) && span__pskb_expand_head(w, skb))
		return -EINVAL;
	err = replace_frags(w, skb, func);
	if (err)
		return err;
	span__skb_zcopy_clear(w, SKB(w, skb)->shinfo, false);
	return 0;
}

/* skb_orphan_frags(): a no-op unless zerocopy without DONT_ORPHAN */
int span__skb_orphan_frags(struct span_world *w, uint32_t skb)
{
	struct span_skb_shared_info *sh = SHINFO(w, SKB(w, skb)->shinfo);

	if (!sh->ubuf || (sh->flags & SKBFL_DONT_ORPHAN))
		return 0;
	return span__skb_copy_ubufs(w, skb);
}

/* skb_orphan_frags_rx(): every zerocopy skb is copied (DONT_ORPHAN or not) */
int span__skb_orphan_frags_rx(struct span_world *w, uint32_t skb)
{
	if (!SHINFO(w, SKB(w, skb)->shinfo)->ubuf)
		return 0;
	return span__skb_copy_ubufs(w, skb);
}

/*
 * span__skb_copy_all - loopback=copy_all: no mainline counterpart (the
 * copy-at-loopback of design-alternatives.md P4).  Like skb_copy_ubufs()
 * but for every skb: the receiver gets private copies of all frags, the
 * ubuf is completed as copied and the owner reference is dropped, since
 * nothing of the owner's memory is referenced any more.
 */
int span__skb_copy_all(struct span_world *w, uint32_t skb)
{
	const char *func = "loopback_copy_all";
	uint32_t sh, owner;
	int err;

	if (SKB(w, skb)->users > 1)
		return -EINVAL;
	if (span__skb_cloned(w, skb) && span__pskb_expand_head(w, skb))
		return -ENOMEM;
	err = replace_frags(w, skb, func);
	if (err)
		return err;
	sh = SKB(w, skb)->shinfo;
	if (SHINFO(w, sh)->ubuf)
		span__skb_zcopy_clear(w, sh, false);
	SHINFO(w, sh)->flags &= ~(SKBFL_ALL_ZEROCOPY);
	owner = SHINFO(w, sh)->owner;
	SHINFO(w, sh)->owner = 0;
	if (owner)
		span__owner_put(w, owner, func);
	return 0;
}

/* --- coalesce and split ------------------------------------------------- */

static uint32_t skb_tailroom(struct span_world *w, uint32_t skb)
{
	struct span_sk_buff *s = SKB(w, skb);
	struct span_skb_shared_info *sh = SHINFO(w, s->shinfo);

	if (s->data_len || !sh->head_page)
		return 0;	/* skb_tailroom(): 0 for non-linear skbs */
	return sh->head_size - s->data - skb_headlen(s);
}

/*
 * span__skb_try_coalesce - skb_try_coalesce(to, from, &fragstolen, &delta).
 * KREF: net/core/skbuff.c skb_try_coalesce(): refuses a cloned @to; copies
 * @from into @to's tailroom when it fits; refuses zerocopy; otherwise
 * moves the frag descriptors, with no new refs if @from is not cloned and
 * a ref each if it is; a head_frag head of @from is stolen as a frag.
 * skb_shared_frag=drop_on_coalesce: @to does not inherit
 * SKBFL_SHARED_FRAG (Fragnesia).  The caller frees @from
 * (kfree_skb_partial()).  Return: true if coalesced.
 */
bool span__skb_try_coalesce(struct span_world *w, uint32_t to, uint32_t from,
			    bool *fragstolen)
{
	const char *func = "skb_try_coalesce";
	struct span_sk_buff *t = SKB(w, to), *f = SKB(w, from);
	struct span_skb_shared_info *ts, *fs;
	uint32_t limit = frag_limit(w), hl = skb_headlen(f), extra = 0;
	uint8_t shared;

	*fragstolen = false;
	if (span__skb_cloned(w, to))
		return false;
	ts = SHINFO(w, t->shinfo);
	fs = SHINFO(w, f->shinfo);
	span__fp_shinfo(w, true, t->shinfo);
	span__fp_shinfo(w, true, f->shinfo);
	if (f->len <= skb_tailroom(w, to)) {
		/* tailroom <= head_size <= page_size */
		struct span_scratch *tmp = span__scratch(w, SCRATCH_COPY);

		span__skb_read(w, from, 0, tmp->data, tmp->prov, f->len, func);
		span__page_write(w, ts->head_page, t->data + skb_headlen(t),
				 tmp->data, f->len, tmp->prov, PROV_KERNEL_COPY,
				 func, false);
		t->len += f->len;
		t->end_seq = f->end_seq;
		span__trace(w, func, SPAN_TR_COPY, SPAN_OBJ_SKB, to, 0, f->len,
			    "copied into tailroom");
		return true;
	}
	if (ts->ubuf || fs->ubuf)
		return false;	/* skb_zcopy(to) || skb_zcopy(from) */
	/* DEVIATION: owner references (kmem_send=desc) are per shinfo too */
	if (fs->owner && fs->owner != ts->owner)
		return false;
	if (hl) {
		if (skb_head_is_locked(w, from))
			return false;
		if (ts->nr_frags + fs->nr_frags >= SPAN_MAX_SKB_FRAGS ||
		    (uint32_t)(ts->nr_frags + fs->nr_frags + 1) > limit)
			return false;
		extra = 1;
	} else if (ts->nr_frags + fs->nr_frags > SPAN_MAX_SKB_FRAGS ||
		   (uint32_t)(ts->nr_frags + fs->nr_frags) > limit) {
		return false;
	}
	if (extra) {
		/* the stolen head: its page ref moves to the new frag */
		struct span_skb_frag *nf = &ts->frags[ts->nr_frags++];

		memset(nf, 0, sizeof(*nf));
		nf->page = fs->head_page;
		nf->offset = f->data;
		nf->len = hl;
		nf->ref = FRAG_REF_PAGE;
		fs->head_page = 0;
		*fragstolen = true;
	}
	for (uint32_t i = 0; i < fs->nr_frags; i++) {
		ts->frags[ts->nr_frags + i] = fs->frags[i];
		if (span__skb_cloned(w, from))
			span__frag_ref(w, &ts->frags[ts->nr_frags + i], func);
	}
	ts->nr_frags = (uint8_t)(ts->nr_frags + fs->nr_frags);
	if (!span__skb_cloned(w, from))
		fs->nr_frags = 0;	/* ownership moves, no ref change */
	shared = fs->flags & SKBFL_SHARED_FRAG;
	if (shared && span__decide(w, &(struct span_decision){
			      .point = SPAN_KNOB_SKB_SHARED_FRAG, .func = func,
			      .dst = SPAN_DST_SOCK }) ==
			      SPAN_SHARED_FRAG_DROP_ON_COALESCE) {
		span__trace(w, func, SPAN_TR_FLAGS, SPAN_OBJ_SKB, to,
			    SKBFL_SHARED_FRAG, 0,
			    "SKBFL_SHARED_FRAG lost (skb_shared_frag=drop_on_coalesce)");
		shared = 0;
	}
	ts->flags |= shared;
	ts->flags |= fs->flags & SKBFL_MANAGED_FRAG_REFS;
	t->len += f->len;
	t->data_len += f->len;
	t->truesize += f->len;
	t->end_seq = f->end_seq;
	span__fp(w, true, SPAN_OBJ_SKB, to);
	span__fp(w, true, SPAN_OBJ_SKB, from);
	span__trace(w, func, SPAN_TR_QUEUE, SPAN_OBJ_SKB, to, from,
		    ts->nr_frags, "frags moved");
	return true;
}

/*
 * span__skb_split - skb_split(skb, skb1, len): the bytes from @len on move
 * to the empty, private @skb1.  KREF: net/core/skbuff.c skb_split():
 * SHARED_FRAG and PURE_ZEROCOPY are inherited, the ubuf is shared with
 * refcnt++, frags past the point move without refs, a straddling frag is
 * shared with one more ref.  Return: 0, -EINVAL, -ENOMEM.
 */
int span__skb_split(struct span_world *w, uint32_t skb, uint32_t skb1,
		    uint32_t len)
{
	const char *func = "skb_split";
	struct span_sk_buff *s = SKB(w, skb), *s1 = SKB(w, skb1);
	struct span_skb_shared_info *sh, *sh1;
	uint32_t hl = skb_headlen(s), pos, k = 0, n;

	if (len > s->len || span__skb_cloned(w, skb) || s1->len)
		return -EINVAL;
	sh = SHINFO(w, s->shinfo);
	sh1 = SHINFO(w, s1->shinfo);
	sh1->flags |= sh->flags & (SKBFL_SHARED_FRAG | SKBFL_PURE_ZEROCOPY);
	share_refs(w, s1->shinfo, s->shinfo, func);
	if (len < hl) {
		/* skb_split_inside_header(): copy the linear tail, move frags */
		uint32_t tail = hl - len;

		if (!sh1->head_page) {
			uint32_t page = span__alloc_page(w, SPAN_PAGE_SLAB, func);

			if (!page)
				return -ENOMEM;
			sh1->head_page = page;
			sh1->head_size = w->page_size;
		}
		span__page_copy(w, sh1->head_page, 0, sh->head_page,
				s->data + len, tail, func);
		for (uint32_t i = 0; i < sh->nr_frags; i++)
			sh1->frags[i] = sh->frags[i];
		sh1->nr_frags = sh->nr_frags;
		sh->nr_frags = 0;
		s1->len = s->len - len;
		s1->data_len = s->data_len;
		s->len = len;
		s->data_len = 0;
	} else {
		/* skb_split_no_header() */
		pos = hl;
		n = sh->nr_frags;
		sh->nr_frags = 0;
		for (uint32_t i = 0; i < n; i++) {
			struct span_skb_frag f = sh->frags[i];

			if (pos + f.len > len) {
				sh1->frags[k] = f;
				if (pos < len) {
					/* the straddling frag is shared */
					span__frag_ref(w, &f, func);
					sh1->frags[k].offset += len - pos;
					sh1->frags[k].len -= len - pos;
					sh->frags[sh->nr_frags] = f;
					sh->frags[sh->nr_frags].len = len - pos;
					sh->nr_frags++;
				}
				k++;
			} else {
				sh->frags[sh->nr_frags++] = f;
			}
			pos += f.len;
		}
		sh1->nr_frags = (uint8_t)k;
		s1->len = s1->data_len = s->len - len;
		s->len = len;
		s->data_len = len - hl;
	}
	s1->seq = s->seq + len;
	s1->end_seq = s->end_seq;
	s->end_seq = s->seq + len;
	s1->truesize = s1->len;
	s->truesize = s->len;
	span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SKB, skb, skb1, len, NULL);
	return 0;
}

/* --- in-place consumers ------------------------------------------------- */

/*
 * span__skb_cow_data - skb_cow_data() as esp_input()/rxkad use it before
 * transforming data in place: an skb whose head is cloned or which has
 * SKBFL_SHARED_FRAG gets private copies of everything.  KREF:
 * net/core/skbuff.c skb_cow_data() and skb_has_shared_frag().
 * skb_shared_frag=ignore: the consumer does not look at SHARED_FRAG (Dirty
 * Frag): an skb that is not cloned is transformed in place.  DEVIATION: the kernel linearises
 * (__pskb_pull_tail); the model copies the frags into private pages.
 * Return: 0 or -ENOMEM.
 */
int span__skb_cow_data(struct span_world *w, uint32_t skb)
{
	const char *func = "skb_cow_data";
	struct span_skb_shared_info *sh = SHINFO(w, SKB(w, skb)->shinfo);
	bool shared = sh->flags & SKBFL_SHARED_FRAG;
	int err;

	if (shared && span__decide(w, &(struct span_decision){
			      .point = SPAN_KNOB_SKB_SHARED_FRAG, .func = func,
			      .dst = SPAN_DST_SOCK }) ==
			      SPAN_SHARED_FRAG_IGNORE) {
		span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SKB, skb, 0, 0,
			    "SKBFL_SHARED_FRAG ignored (skb_shared_frag=ignore)");
		shared = false;
	}
	if (!span__skb_cloned(w, skb) && !shared && !sh->ubuf && !sh->owner)
		return 0;
	/*
	 * KREF: esp_input() skips the copy only for an skb that is not
	 * cloned (and has no shared frags); skb_cow_data() on a cloned skb
	 * pulls every frag into a private head (__pskb_pull_tail()), so a
	 * cloned skb gets private copies of everything, whatever its flags.
	 */
	if (span__skb_cloned(w, skb)) {
		err = span__pskb_expand_head(w, skb);
		if (err)
			return err;
	}
	return span__skb_copy_all(w, skb);
}

/* write @len bytes at @off of the skb's data in place (a decryption) */
int span__skb_write(struct span_world *w, uint32_t skb, uint32_t off,
		    const void *src, uint32_t len, const char *func)
{
	const uint8_t *p = src;

	while (len) {
		uint32_t page, poff, n;
		int frag;

		if (skb_seg(w, skb, off, &page, &poff, &n, &frag))
			return -EFAULT;
		if (n > len)
			n = len;
		if (span__page_write(w, page, poff, p, n, NULL,
				     PROV_KERNEL_COPY, func, false))
			return -EFAULT;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* --- skb -> pipe -------------------------------------------------------- */

/*
 * sk_page_frag_refill(): the socket's page frag; the socket holds one ref
 * on it.  Return: 0 or -ENOMEM.
 */
int span__sk_page_frag_refill(struct span_world *w, uint32_t sk)
{
	struct span_sock *so = SOCK(w, sk);
	uint32_t page;

	if (so->pfrag_page && so->pfrag_offset < w->page_size)
		return 0;
	page = span__alloc_page(w, SPAN_PAGE_KERNEL, "sk_page_frag_refill");
	if (!page)
		return -ENOMEM;
	so = SOCK(w, sk);
	if (so->pfrag_page)
		span__put_page(w, so->pfrag_page, "sk_page_frag_refill");
	so->pfrag_page = page;
	so->pfrag_offset = 0;
	return 0;
}

/* add one pipe buffer, or merge into the one this call added last */
static bool spd_fill(struct span_world *w, struct span_pipe_inode_info *pipe,
		     bool *have_last, int ops, uint32_t page, uint32_t off,
		     uint32_t len, uint32_t priv, int *nr)
{
	struct span_pipe_buffer *buf;

	if (*have_last) {
		buf = span__pipe_buf(w, pipe, pipe->head - 1);
		/* spd_can_coalesce(): same page, contiguous */
		if (buf->ops == ops && buf->page == page &&
		    buf->offset + buf->len == off && buf->priv == priv &&
		    ops != SPAN_PBO_DEFAULT) {
			buf->len += len;
			return false;
		}
	}
	buf = span__pipe_buf(w, pipe, pipe->head);
	buf->page = page;
	buf->offset = off;
	buf->len = len;
	buf->ops = (uint8_t)ops;
	buf->flags = 0;
	buf->priv = priv;
	buf->capturer = 0;
	span__pipe_push(w, pipe);
	(*nr)++;
	*have_last = true;
	span__trace(w, "splice_to_pipe", SPAN_TR_QUEUE, SPAN_OBJ_PIPE,
		    span__pipe_id(w, pipe), pipe->head - 1, page,
		    span_pipe_buf_ops_name(ops));
	return true;
}

/*
 * span__skb_splice_bits - skb_splice_bits(skb, sk, offset, pipe, len).
 *
 * sock_splice=ref (mainline): the linear part is copied into @sk's page
 * frag when the head is locked, else its page is referenced; every frag
 * page gets get_page() and nosteal_pipe_buf_ops.  desc: a frag of owner
 * memory becomes a buffer that holds a reference on the skb's owner
 * (owner_pipe_buf_ops) and no page ref; other memory as ref.  copy: every
 * byte is copied into pipe-owned pages (default_pipe_buf_ops).  At most
 * MAX_SKB_FRAGS new buffers per call.  The caller checked readers and
 * space.  Return: bytes spliced, or -EAGAIN (pipe full), -ENOMEM.
 */
ssize_t span__skb_splice_bits(struct span_world *w, uint32_t sk, uint32_t skb,
			      uint32_t offset, struct span_pipe_inode_info *pipe,
			      uint32_t len)
{
	const char *func = "skb_splice_bits";
	int policy = span__decide(w, &(struct span_decision){
			.point = SPAN_KNOB_SOCK_SPLICE, .func = func,
			.len = len,
			.dst = SPAN_DST_PIPE });
	bool have_last = false;
	ssize_t spliced = 0;
	int nr = 0;
	uint32_t cur = 0, cur_used = 0;	/* copy: the pipe page being filled */

	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	span__fp(w, false, SPAN_OBJ_SKB, skb);
	while (len) {
		uint32_t page, poff, n, owner = 0, zc;
		int frag;

		if (skb_seg(w, skb, offset, &page, &poff, &n, &frag))
			break;
		if (n > len)
			n = len;
		if (policy == SPAN_SOCK_SPLICE_COPY) {
			struct span_scratch *tmp =
				span__scratch(w, SCRATCH_COPY);

			if (!cur || cur_used == w->page_size) {
				if (pipe_full(pipe) || nr == SPAN_MAX_SKB_FRAGS)
					break;
				cur = span__alloc_page(w, SPAN_PAGE_PIPE, func);
				if (!cur) {
					if (!spliced)
						spliced = -ENOMEM;
					break;
				}
				cur_used = 0;
				spd_fill(w, pipe, &have_last, SPAN_PBO_DEFAULT,
					 cur, 0, 0, 0, &nr);
			}
			if (n > w->page_size - cur_used)
				n = w->page_size - cur_used;
			span__skb_read(w, skb, offset, tmp->data, tmp->prov, n,
				       func);
			span__page_write(w, cur, cur_used, tmp->data, n,
					 tmp->prov, PROV_KERNEL_COPY, func,
					 false);
			span__pipe_buf(w, pipe, pipe->head - 1)->len += n;
			cur_used += n;
			goto next;
		}
		if (pipe_full(pipe) && !have_last)
			break;
		if (frag < 0 && skb_head_is_locked(w, skb)) {
			/* linear_to_page(): copy into sk_page_frag */
			if (pipe_full(pipe) || nr == SPAN_MAX_SKB_FRAGS)
				break;
			if (span__sk_page_frag_refill(w, sk)) {
				if (!spliced)
					spliced = -ENOMEM;
				break;
			}
			if (n > w->page_size - SOCK(w, sk)->pfrag_offset)
				n = w->page_size - SOCK(w, sk)->pfrag_offset;
			{
				struct span_scratch *tmp =
					span__scratch(w, SCRATCH_COPY);

				span__skb_read(w, skb, offset, tmp->data,
					       tmp->prov, n, "linear_to_page");
				page = SOCK(w, sk)->pfrag_page;
				poff = SOCK(w, sk)->pfrag_offset;
				span__page_write(w, page, poff, tmp->data, n,
						 tmp->prov, PROV_KERNEL_COPY,
						 "linear_to_page", false);
				SOCK(w, sk)->pfrag_offset += n;
			}
		} else if (frag >= 0 && policy == SPAN_SOCK_SPLICE_DESC &&
			   span__owner_memory_page(w, page, &owner) &&
			   SHINFO(w, SKB(w, skb)->shinfo)->owner == owner) {
			/* the buffer holds the owner reference, no page ref */
			if (pipe_full(pipe) || nr == SPAN_MAX_SKB_FRAGS) {
				struct span_pipe_buffer *last =
					span__pipe_buf(w, pipe, pipe->head - 1);

				if (!have_last || last->ops != SPAN_PBO_OWNER ||
				    last->page != page ||
				    last->offset + last->len != poff)
					break;
			}
			if (spd_fill(w, pipe, &have_last, SPAN_PBO_OWNER, page,
				     poff, n, owner, &nr))
				span__owner_get(w, owner, func);
			goto next;
		}
		/*
		 * DEVIATION: the buffer remembers the zerocopy ubuf of the frag
		 * it references (priv; the kernel keeps no such link), so that
		 * a completion can tell a reference this send handed on from
		 * one the user made otherwise (zerocopy.c).
		 */
		zc = frag >= 0 ?
			SHINFO(w, SKB(w, skb)->shinfo)->frags[frag].ubuf : 0;
		{
			struct span_pipe_buffer *last =
				have_last ? span__pipe_buf(w, pipe, pipe->head - 1) :
					    NULL;
			bool merge = last && last->ops == SPAN_PBO_NOSTEAL &&
				     last->page == page && last->priv == zc &&
				     last->offset + last->len == poff;

			/* only a merge into the last buffer still fits */
			if ((pipe_full(pipe) || nr == SPAN_MAX_SKB_FRAGS) && !merge)
				break;
			/* get_page() for a new spd entry, none when merging */
			if (!merge && !span__try_get_page(w, page, 1, func))
				break;
			spd_fill(w, pipe, &have_last, SPAN_PBO_NOSTEAL, page,
				 poff, n, zc, &nr);
		}
next:
		offset += n;
		len -= n;
		spliced += n;
	}
	if (!spliced)
		return -EAGAIN;
	return spliced;
}

/* --- iterators ---------------------------------------------------------- */

void span__iter_init_src(struct span_net_iter *it, uint32_t pid,
			 const struct span_src *src, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->type = NET_ITER_UBUF;
	it->pid = pid;
	it->src = src;
	it->count = len;
}

void span__iter_init_bvec(struct span_net_iter *it, const struct span_bvec *bv,
			  uint32_t nr, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->type = NET_ITER_BVEC;
	it->bvec = bv;
	it->nr_bvec = nr;
	it->count = len;
}

void span__iter_advance(struct span_net_iter *it, size_t n)
{
	it->pos += n;
	it->count -= n;
}

/*
 * span__iter_page - the page behind the iterator's position without
 * taking anything (iov_iter_extract_pages() of a kernel iterator).
 * Return: 0, or -EFAULT for a literal buffer or an unmapped address.
 */
int span__iter_page(struct span_world *w, const struct span_net_iter *it,
		    uint32_t *page, uint32_t *off, uint32_t *avail)
{
	if (it->type == NET_ITER_BVEC) {
		size_t pos = it->pos;

		for (uint32_t i = 0; i < it->nr_bvec; i++) {
			if (pos < it->bvec[i].len) {
				*page = it->bvec[i].page;
				*off = it->bvec[i].offset + (uint32_t)pos;
				*avail = it->bvec[i].len - (uint32_t)pos;
				return 0;
			}
			pos -= it->bvec[i].len;
		}
		return -EFAULT;
	} else {
		uint64_t at = it->src->off + it->pos;
		int p;

		if (it->src->buf)
			return -EFAULT;
		if (it->src->kmem)
			p = span_kmem_page(w, it->src->kmem, at);
		else
			p = span_region_page(w, (int)it->pid, it->src->region,
					     at);
		if (p <= 0)
			return -EFAULT;
		*page = (uint32_t)p;
		*off = (uint32_t)(at & (w->page_size - 1));
		*avail = w->page_size - *off;
		return 0;
	}
}

/* copy_from_iter(): @n bytes at the position, not advancing */
int span__iter_copy(struct span_world *w, const struct span_net_iter *it,
		    void *dst, struct span_prov *prov, uint32_t n)
{
	if (it->type == NET_ITER_UBUF)
		return span__user_copy_from(w, it->pid, it->src, it->pos, dst,
					    prov, n);
	{
		struct span_net_iter tmp = *it;
		uint8_t *d = dst;

		while (n) {
			uint32_t page, off, avail;

			if (span__iter_page(w, &tmp, &page, &off, &avail))
				return -EFAULT;
			if (avail > n)
				avail = n;
			if (span__page_read(w, page, off, d, avail,
					    "copy_from_iter"))
				return -EFAULT;
			memcpy(prov, page_prov(w, page) + off,
			       avail * sizeof(*prov));
			d += avail;
			prov += avail;
			n -= avail;
			span__iter_advance(&tmp, avail);
		}
		return 0;
	}
}

/* --- iterator -> skb without copying ------------------------------------ */

/*
 * skb_fill_frag - append (page, off, len) to @skb's frags, coalescing with
 * the last frag when it is the same page, contiguous and of the same kind
 * (skb_can_coalesce()).  Return: 1 coalesced (no new ref wanted), 0 a new
 * frag (the caller's ref moves into it), -EMSGSIZE when full.
 */
int span__skb_fill_frag(struct span_world *w, uint32_t skb, uint32_t page,
			uint32_t off, uint32_t len, int ref, uint32_t ubuf)
{
	struct span_sk_buff *s = SKB(w, skb);
	struct span_skb_shared_info *sh = SHINFO(w, s->shinfo);
	struct span_skb_frag *f;

	span__fp_shinfo(w, true, s->shinfo);
	if (sh->nr_frags) {
		f = &sh->frags[sh->nr_frags - 1];
		if (f->page == page && f->offset + f->len == off &&
		    f->ref == ref && f->ubuf == ubuf) {
			f->len += len;
			goto grow;
		}
	}
	if (sh->nr_frags >= frag_limit(w))
		return -EMSGSIZE;
	f = &sh->frags[sh->nr_frags++];
	memset(f, 0, sizeof(*f));
	f->page = page;
	f->offset = off;
	f->len = len;
	f->ref = (uint8_t)ref;
	f->ubuf = ubuf;
	s->len += len;
	s->data_len += len;
	s->truesize += len;
	span__fp(w, true, SPAN_OBJ_SKB, skb);
	return 0;
grow:
	s->len += len;
	s->data_len += len;
	s->truesize += len;
	span__fp(w, true, SPAN_OBJ_SKB, skb);
	return 1;
}

/*
 * span__skb_splice_from_iter - skb_splice_from_iter(skb, iter, maxsize)
 * (MSG_SPLICE_PAGES).  Each page must pass sendpage_ok(); what happens to
 * one that does not is the kmem_send knob:
 *   reject: WARN_ON_ONCE + -EIO (mainline);
 *   ref:    get_page() anyway (before 5.9): the page layer reports
 *           get-on-frozen;
 *   copy:   copy into a refcounted kernel page at send;
 *   desc:   owner memory: the shinfo holds one reference on the owner and
 *           the frag no page ref (MANAGED_FRAG_REFS-like); slab memory,
 *           which has no owner record, is copied.
 * Return: bytes spliced, or -EIO, -EMSGSIZE (nothing fit), -ENOMEM.
 */
ssize_t span__skb_splice_from_iter(struct span_world *w, uint32_t skb,
				   struct span_net_iter *it, size_t maxsize)
{
	const char *func = "skb_splice_from_iter";
	ssize_t spliced = 0, ret = 0;

	while (it->count && (size_t)spliced < maxsize) {
		uint32_t page, off, part, owner = 0;
		int ref = FRAG_REF_PAGE, r;
		bool copied = false;

		if (span__iter_page(w, it, &page, &off, &part)) {
			ret = -EFAULT;
			break;
		}
		if (part > it->count)
			part = (uint32_t)it->count;
		if (part > maxsize - (size_t)spliced)
			part = (uint32_t)(maxsize - (size_t)spliced);
		if (!span__sendpage_ok(w, page)) {
			int kind = span__page_live(w, page) ?
					   PAGE(w, page)->kind : SPAN_PAGE_FREE;

			switch (span__decide(w, &(struct span_decision){
					.point = SPAN_KNOB_KMEM_SEND,
					.func = func,
					.page = page, .len = part,
					.dst = SPAN_DST_SOCK })) {
			case SPAN_KMEM_SEND_REJECT:
				/* KREF: net/core/skbuff.c skb_splice_from_iter() */
				span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_PAGE,
					    page, 0, 0,
					    "WARN_ON_ONCE(!sendpage_ok(page)): -EIO");
				ret = -EIO;
				goto out;
			case SPAN_KMEM_SEND_REF:
				break;	/* get_page() below: get-on-frozen */
			case SPAN_KMEM_SEND_DESC:
				if (kind == SPAN_PAGE_OWNER &&
				    span__owner_memory_page(w, page, &owner)) {
					struct span_skb_shared_info *sh =
						SHINFO(w, SKB(w, skb)->shinfo);

					if (sh->owner && sh->owner != owner) {
						ret = -EMSGSIZE;
						goto out;
					}
					ref = FRAG_REF_NONE;
					break;
				}
				/* fall through: slab has no owner, copy it */
				/* FALLTHROUGH */
			default:
				copied = true;
			}
		}
		if (copied) {
			/* part <= what is left of one page */
			struct span_scratch *tmp =
				span__scratch(w, SCRATCH_COPY);
			uint32_t np;

			if (SHINFO(w, SKB(w, skb)->shinfo)->nr_frags >=
			    frag_limit(w)) {
				ret = -EMSGSIZE;
				break;
			}
			if (span__iter_copy(w, it, tmp->data, tmp->prov, part)) {
				ret = -EFAULT;
				break;
			}
			np = span__alloc_page(w, SPAN_PAGE_KERNEL, func);
			if (!np) {
				ret = -ENOMEM;
				break;
			}
			span__page_write(w, np, 0, tmp->data, part,
					 tmp->prov, PROV_KERNEL_COPY, func,
					 false);
			span__trace(w, func, SPAN_TR_COPY, SPAN_OBJ_PAGE, np,
				    page, part, "kmem_send=copy");
			r = span__skb_fill_frag(w, skb, np, 0, part,
						FRAG_REF_PAGE, 0);
			if (r)	/* cannot coalesce with a fresh page */
				span__put_page(w, np, func);
			if (r < 0) {
				ret = r;
				break;
			}
		} else {
			/* skb_append_pagefrags() */
			struct span_skb_shared_info *sh =
				SHINFO(w, SKB(w, skb)->shinfo);
			struct span_skb_frag *last =
				sh->nr_frags ? &sh->frags[sh->nr_frags - 1] : NULL;
			bool merge = last && last->page == page &&
				     last->offset + last->len == off &&
				     last->ref == ref && !last->ubuf;

			if (!merge && sh->nr_frags >= frag_limit(w)) {
				ret = -EMSGSIZE;
				break;
			}
			if (!merge && ref == FRAG_REF_PAGE &&
			    !span__try_get_page(w, page, 1,
						"skb_append_pagefrags")) {
				ret = -EFAULT;
				break;
			}
			r = span__skb_fill_frag(w, skb, page, off, part, ref, 0);
			if (ref == FRAG_REF_NONE) {
				sh = SHINFO(w, SKB(w, skb)->shinfo);
				sh->flags |= SKBFL_MANAGED_FRAG_REFS;
				if (!sh->owner) {
					span__owner_get(w, owner, func);
					sh->owner = owner;
				}
			}
		}
		span__iter_advance(it, part);
		spliced += part;
	}
out:
	return spliced ? spliced : ret;
}
