// SPDX-License-Identifier: MIT
/*
 * mm.c - address spaces: anonymous mappings, write faults, COW, fork,
 * munmap, GUP; and kernel memory regions.
 *
 * Models mm/memory.c (do_wp_page(), wp_can_reuse_anon_folio(),
 * copy_present_ptes(), copy_present_page()), mm/gup.c (get_user_pages_fast,
 * pin_user_pages_fast, gup_must_unshare()), mm/mmap.c (munmap) and
 * kernel/fork.c (dup_mmap()) as of v6.18, with the older behaviours
 * selected by the cow_reuse and fork_pinned knobs.
 */
#include "internal.h"

bool span__proc_live(const struct span_world *w, uint32_t pid)
{
	return span__tab_live(&w->procs, pid);
}

struct span_vma *span__find_vma(struct span_world *w, uint32_t pid,
				uint32_t region)
{
	for (uint32_t i = 1; i < w->vmas.n; i++) {
		struct span_vma *v = VMA(w, i);

		if (v->live && v->pid == pid && v->region == region)
			return v;
	}
	return NULL;
}

static uint32_t vma_id(struct span_world *w, struct span_vma *v)
{
	return (uint32_t)(v - (struct span_vma *)w->vmas.v);
}

/*
 * The fork epoch from which processes @a and @b no longer share private
 * memory: that of the first fork below their closest common ancestor.  A
 * write made at that epoch or later is private to the writer.
 */
uint32_t span__split_epoch(const struct span_world *w, uint32_t a, uint32_t b)
{
	uint32_t ca[64], cb[64], sa, sb;
	int na = 0, nb = 0;

	for (uint32_t p = a; p && na < 64; p = TAB_AT(w->procs, struct span_process, p)->parent)
		ca[na++] = p;
	for (uint32_t p = b; p && nb < 64; p = TAB_AT(w->procs, struct span_process, p)->parent)
		cb[nb++] = p;
	/* walk down from the root while the chains agree */
	while (na && nb && ca[na - 1] == cb[nb - 1]) {
		na--;
		nb--;
	}
	sa = na ? TAB_AT(w->procs, struct span_process, ca[na - 1])->fork_epoch :
		  UINT32_MAX;
	sb = nb ? TAB_AT(w->procs, struct span_process, cb[nb - 1])->fork_epoch :
		  UINT32_MAX;
	return sa < sb ? sa : sb;
}

/* --- mappings ---------------------------------------------------------- */

static void pte_map(struct span_world *w, struct span_pte *pte, uint32_t page,
		    bool writable, const char *func)
{
	pte->page = page;
	pte->present = 1;
	pte->writable = writable;
	if (page != w->zero_page) {
		PAGE(w, page)->mapcount++;
		span__fp_count(w, SPAN_OBJ_PAGE, page);
	}
	span__trace(w, func, SPAN_TR_MAP, SPAN_OBJ_PAGE, page,
		    PAGE(w, page)->mapcount - 1, PAGE(w, page)->mapcount,
		    writable ? "map rw" : "map ro");
}

/* zap_pte_range(): drop the mapping and its reference */
static void pte_unmap(struct span_world *w, struct span_pte *pte,
		      const char *func)
{
	uint32_t page = pte->page;

	if (!pte->present)
		return;
	pte->present = 0;
	pte->page = 0;
	if (page == w->zero_page)
		return;
	PAGE(w, page)->mapcount--;
	span__fp_count(w, SPAN_OBJ_PAGE, page);
	span__trace(w, func, SPAN_TR_MAP, SPAN_OBJ_PAGE, page,
		    PAGE(w, page)->mapcount + 1, PAGE(w, page)->mapcount,
		    "unmap");
	span__put_page(w, page, func);
}

static void fill_pattern(uint8_t *dst, size_t n, const void *fill,
			 size_t fill_len, uint64_t start)
{
	const uint8_t *f = fill;
	size_t j, done;

	if (!fill_len || fill_len == 1) {
		memset(dst, fill_len ? f[0] : 0, n);
		return;
	}
	/* one period from the right phase, then double what is written */
	j = (size_t)(start % fill_len);
	for (done = 0; done < n && done < fill_len; done++) {
		dst[done] = f[j];
		if (++j == fill_len)
			j = 0;
	}
	while (done < n) {
		size_t chunk = done < n - done ? done : n - done;

		memcpy(dst + done, dst, chunk);
		done += chunk;
	}
}

/* the initial contents of page @index of a new region: the pattern */
static void fill_page(struct span_world *w, uint32_t page, uint32_t index,
		      const void *fill, size_t fill_len, const char *func)
{
	uint8_t buf[4096];

	for (uint32_t off = 0; off < w->page_size; off += sizeof(buf)) {
		uint32_t n = w->page_size - off < sizeof(buf) ?
				     w->page_size - off : sizeof(buf);

		fill_pattern(buf, n, fill, fill_len,
			     (uint64_t)index * w->page_size + off);
		span__page_write(w, page, off, buf, n, NULL, PROV_INIT, func,
				 false);
	}
}

int span_mmap_anon(struct span_world *w, int pid, uint64_t size,
		   unsigned int flags, const void *fill, size_t fill_len,
		   int *region)
{
	uint32_t npages, r, v, base;
	struct span_vma *vma;

	if (!w || !region || !size || size > (1ull << 32) ||
	    (flags & ~SPAN_MMAP_UNTOUCHED) || (fill_len && !fill))
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	npages = (uint32_t)((size + w->page_size - 1) >> w->page_shift);
	r = span__tab_alloc(w, &w->regions);
	if (!r)
		return -ENOMEM;
	REGION(w, r)->npages = npages;
	/* KREF: mmap() maps whole pages: the bytes after SIZE up to the end
	 * of its last page are the mapping's too (loads, stores, GUP) */
	REGION(w, r)->size = (uint64_t)npages << w->page_shift;
	v = span__tab_alloc(w, &w->vmas);
	if (!v)
		goto out_region;
	base = span__tab_alloc_range(w, &w->ptes, npages);
	if (!base)
		goto out_vma;
	vma = VMA(w, v);
	vma->pid = (uint32_t)pid;
	vma->region = r;
	vma->npages = npages;
	vma->pte_base = base;
	span__fp(w, true, SPAN_OBJ_VMA, v);
	for (uint32_t i = 0; i < npages; i++) {
		struct span_pte *pte = PTE(w, base + i);
		uint32_t page;

		if (flags & SPAN_MMAP_UNTOUCHED) {
			/*
			 * DEVIATION: under gup_zero_page=map the zero page is
			 * mapped here rather than at the first read fault; no
			 * observable differs.  Under populate the pte stays
			 * empty until the first fault (span__read_fault()).
			 */
			if (w->policy.v[SPAN_KNOB_GUP_ZERO_PAGE] ==
			    SPAN_GUP_ZERO_PAGE_MAP)
				pte_map(w, pte, w->zero_page, false,
					"do_anonymous_page");
			continue;
		}
		/* touched: do_anonymous_page() with FAULT_FLAG_WRITE */
		page = span__alloc_page_nozero(w, SPAN_PAGE_ANON,
					       "do_anonymous_page");
		if (!page) {
			span_munmap(w, pid, (int)r);
			return -ENOMEM;
		}
		PAGE(w, page)->flags |= PG_anon_exclusive;
		pte_map(w, pte, page, true, "do_anonymous_page");
		fill_page(w, page, i, fill, fill_len, "do_anonymous_page");
	}
	*region = (int)r;
	return 0;
out_vma:
	span__tab_free(&w->vmas, v);
out_region:
	span__tab_free(&w->regions, r);
	return -ENOMEM;
}

int span_munmap(struct span_world *w, int pid, int region)
{
	struct span_vma *vma;

	if (!w || region <= 0)
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	if (!span__tab_live(&w->regions, (uint32_t)region))
		return -EINVAL;
	vma = span__find_vma(w, (uint32_t)pid, (uint32_t)region);
	if (!vma)
		return 0;	/* KREF: munmap() of an unmapped range succeeds */
	span__fp(w, true, SPAN_OBJ_VMA, vma_id(w, vma));
	for (uint32_t i = 0; i < vma->npages; i++)
		pte_unmap(w, PTE(w, vma->pte_base + i), "munmap");
	span__tab_free_range(&w->ptes, vma->pte_base, vma->npages);
	vma->live = 0;
	span__tab_free(&w->vmas, vma_id(w, vma));
	return 0;
}

/*
 * wp_can_reuse - may the faulting mm reuse the old page?
 * KREF: mm/memory.c do_wp_page(): PageAnonExclusive -> reuse (5.19+);
 * wp_can_reuse_anon_folio(): refcount == 1 -> reuse.  cow_reuse=refcount
 * models 5.8-5.18 (page_count == 1 only), mapcount models < 5.8
 * (reuse_swap_page(): page_mapcount == 1).
 */
static bool wp_can_reuse(struct span_world *w, uint32_t page)
{
	struct span_page *p = PAGE(w, page);

	span__fp_count_test(w, page, true);
	switch (span__decide(w, &(struct span_decision){
			.point = SPAN_KNOB_COW_REUSE, .func = "wp_can_reuse",
			.page = page,
			.len = w->page_size, .dst = SPAN_DST_PROCESS })) {
	case SPAN_COW_REUSE_EXCLUSIVE:
		if (p->flags & PG_anon_exclusive)
			return true;
		return p->refcount == 1;
	case SPAN_COW_REUSE_REFCOUNT:
		return p->refcount == 1;
	default:
		return p->mapcount == 1;
	}
}

/*
 * do_wp_page - a write fault on a present, write-protected pte.
 * @unshare: FAULT_FLAG_UNSHARE (GUP FOLL_PIN of a shared page): make the
 *	page exclusive but leave the pte read-only.
 */
static int do_wp_page(struct span_world *w, struct span_pte *pte, bool unshare)
{
	uint32_t old = pte->page, page;
	const char *func = unshare ? "do_wp_page(unshare)" : "do_wp_page";

	if (old != w->zero_page && PAGE(w, old)->kind == SPAN_PAGE_ANON &&
	    wp_can_reuse(w, old)) {
		PAGE(w, old)->flags |= PG_anon_exclusive;
		if (!unshare)
			pte->writable = 1;
		span__fp(w, true, SPAN_OBJ_PAGE, old);
		span__trace(w, "wp_page_reuse", SPAN_TR_MAP, SPAN_OBJ_PAGE, old,
			    PAGE(w, old)->refcount, PAGE(w, old)->refcount,
			    "reuse");
		return 0;
	}
	/* wp_page_copy() */
	page = old != w->zero_page ?
		       span__alloc_page_nozero(w, SPAN_PAGE_ANON, "wp_page_copy") :
		       span__alloc_page(w, SPAN_PAGE_ANON, "wp_page_copy");
	if (!page)
		return -ENOMEM;
	if (old != w->zero_page)
		span__page_copy(w, page, 0, old, 0, w->page_size, "wp_page_copy");
	PAGE(w, page)->flags |= PG_anon_exclusive;
	pte_unmap(w, pte, func);
	pte_map(w, pte, page, !unshare, "wp_page_copy");
	return 0;
}

static struct span_pte *region_pte(struct span_world *w, uint32_t pid,
				   uint32_t region, uint64_t off,
				   struct span_vma **vmap)
{
	struct span_vma *vma = span__find_vma(w, pid, region);

	if (!vma || (off >> w->page_shift) >= vma->npages)
		return NULL;
	if (vmap)
		*vmap = vma;
	span__fp(w, false, SPAN_OBJ_VMA, vma_id(w, vma));
	return PTE(w, vma->pte_base + (uint32_t)(off >> w->page_shift));
}

/* handle_mm_fault() for a write to one page: make the pte writable. */
static int fault_in_writable(struct span_world *w, uint32_t pid,
			     uint32_t region, uint64_t off)
{
	struct span_vma *vma;
	struct span_pte *pte = region_pte(w, pid, region, off, &vma);

	if (!pte)
		return -EFAULT;
	if (!pte->present || !pte->writable)
		span__fp(w, true, SPAN_OBJ_VMA, vma_id(w, vma));	/* the pte */
	if (!pte->present) {
		/* do_anonymous_page() after a steal unmapped it */
		uint32_t page = span__alloc_page(w, SPAN_PAGE_ANON,
						 "do_anonymous_page");

		if (!page)
			return -ENOMEM;
		PAGE(w, page)->flags |= PG_anon_exclusive;
		pte_map(w, pte, page, true, "do_anonymous_page");
		return 0;
	}
	if (pte->writable)
		return 0;
	return do_wp_page(w, pte, false);
}

/*
 * span__read_fault - handle_mm_fault() without FAULT_FLAG_WRITE on one page
 * of an anonymous region: a load, copy_from_user() or read-only GUP.
 * KREF: mm/memory.c do_anonymous_page(): a read fault maps the shared zero
 * page unless mm_forbids_zeropage(); gup_zero_page=populate models kernel
 * builds that allocate a private zeroed page instead, mapped writable as a
 * write fault would.  A present pte is left alone.
 */
int span__read_fault(struct span_world *w, uint32_t pid, uint32_t region,
		     uint64_t off)
{
	struct span_vma *vma;
	struct span_pte *pte = region_pte(w, pid, region, off, &vma);
	uint32_t page;

	if (!pte)
		return -EFAULT;
	if (pte->present)
		return 0;
	span__fp(w, true, SPAN_OBJ_VMA, vma_id(w, vma));
	if (w->policy.v[SPAN_KNOB_GUP_ZERO_PAGE] == SPAN_GUP_ZERO_PAGE_MAP) {
		pte_map(w, pte, w->zero_page, false, "do_anonymous_page");
		return 0;
	}
	page = span__alloc_page(w, SPAN_PAGE_ANON, "do_anonymous_page");
	if (!page)
		return -ENOMEM;
	PAGE(w, page)->flags |= PG_anon_exclusive;
	pte_map(w, pte, page, true, "do_anonymous_page");
	return 0;
}

int span_store(struct span_world *w, int pid, int region, uint64_t off,
	       const void *data, size_t len)
{
	const uint8_t *src = data;
	int err;

	if (!w || (len && !data))
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	if (region <= 0 || !span__find_vma(w, (uint32_t)pid, (uint32_t)region) ||
	    off + len < off ||
	    off + len > REGION(w, region)->size)
		return -EFAULT;
	while (len) {
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t n = w->page_size - poff;
		struct span_pte *pte;

		if (n > len)
			n = (uint32_t)len;
		err = fault_in_writable(w, (uint32_t)pid, (uint32_t)region, off);
		if (err)
			return err;
		pte = region_pte(w, (uint32_t)pid, (uint32_t)region, off, NULL);
		err = span__page_write(w, pte->page, poff, src, n, NULL,
				       PROV_USER_STORE, "user store", false);
		if (err)
			return err;
		src += n;
		off += n;
		len -= n;
	}
	return 0;
}

int span_load(struct span_world *w, int pid, int region, uint64_t off,
	      void *out, size_t len)
{
	uint8_t *dst = out;

	if (!w || (len && !out))
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	if (region <= 0 || !span__find_vma(w, (uint32_t)pid, (uint32_t)region) ||
	    off + len < off || off + len > REGION(w, region)->size)
		return -EFAULT;
	while (len) {
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t n = w->page_size - poff;
		struct span_pte *pte;
		int err;

		if (n > len)
			n = (uint32_t)len;
		err = span__read_fault(w, (uint32_t)pid, (uint32_t)region, off);
		if (err)
			return err;
		pte = region_pte(w, (uint32_t)pid, (uint32_t)region, off, NULL);
		err = span__page_read(w, pte->page, poff, dst, n, "user load");
		if (err)
			return err;
		span__observe(w, pte->page, poff, n, (uint32_t)pid,
			      "user load");
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

int span_peek(const struct span_world *w, int pid, int region, uint64_t off,
	      void *out, size_t len)
{
	uint8_t *dst = out;

	if (!w || (len && !out) || region <= 0 ||
	    !span__tab_live(&w->regions, (uint32_t)region))
		return -EINVAL;
	if (off + len < off ||
	    off + len > TAB_AT(w->regions, struct span_region, region)->size)
		return -EFAULT;
	while (len) {
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t n = w->page_size - poff;
		int page = span_region_page(w, pid, region, off);

		if (n > len)
			n = (uint32_t)len;
		if (page == -EFAULT && span__find_vma((struct span_world *)w,
						      (uint32_t)pid,
						      (uint32_t)region)) {
			/* an empty pte: a load would read zeros */
			memset(dst, 0, n);
		} else if (page < 0 || !span__page_live(w, (uint32_t)page)) {
			return -EFAULT;
		} else {
			memcpy(dst, w->page_data +
					    (size_t)page * w->page_size + poff,
			       n);
		}
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

int span_region_page(const struct span_world *w, int pid, int region,
		     uint64_t off)
{
	struct span_vma *vma;
	struct span_pte *pte;

	if (!w || region <= 0)
		return -EINVAL;
	vma = span__find_vma((struct span_world *)w, (uint32_t)pid,
			     (uint32_t)region);
	if (!vma || (off >> w->page_shift) >= vma->npages)
		return -EFAULT;
	pte = TAB_AT(w->ptes, struct span_pte,
		     vma->pte_base + (uint32_t)(off >> w->page_shift));
	return pte->present ? (int)pte->page : -EFAULT;
}

int64_t span_region_size(const struct span_world *w, int region)
{
	if (!w || !span__tab_live(&w->regions, (uint32_t)region))
		return -EINVAL;
	return (int64_t)TAB_AT(w->regions, struct span_region, region)->size;
}

/* --- GUP --------------------------------------------------------------- */

/*
 * span__gup - grab the page behind @off for a kernel user.
 * @gup: SPAN_FOLL_GET or SPAN_FOLL_PIN (| SPAN_FOLL_WRITE).
 *
 * KREF: mm/gup.c: a read-only FOLL_GET takes a ref on whatever is mapped,
 * the zero page included, and never unshares; FOLL_PIN first unshares a
 * shared anon page (gup_must_unshare()) and sets MMF_HAS_PINNED.
 * Return: 0; -EFAULT outside the region; -ENOMEM when a fault could not
 * allocate; -EOVERFLOW when the reference or pin was refused (each
 * caller turns it into the errno its kernel path returns).
 */
int span__gup(struct span_world *w, uint32_t pid, uint32_t region,
	      uint64_t off, uint32_t gup, uint32_t *page, const char *func)
{
	struct span_vma *vma;
	struct span_pte *pte = region_pte(w, pid, region, off, &vma);
	int err;

	if (!pte)
		return -EFAULT;
	if (gup & SPAN_FOLL_WRITE)
		err = fault_in_writable(w, pid, region, off);
	else
		err = span__read_fault(w, pid, region, off);
	if (err)
		return err;
	if ((gup & SPAN_FOLL_PIN) && pte->page != w->zero_page &&
	    !(PAGE(w, pte->page)->flags & PG_anon_exclusive)) {
		span__fp(w, true, SPAN_OBJ_VMA, vma_id(w, vma));	/* the pte */
		err = do_wp_page(w, pte, true);
		if (err)
			return err;
	}
	if (gup & SPAN_FOLL_PIN) {
		PROC(w, pid)->has_pinned = 1;	/* mm_set_has_pinned_flag() */
		err = span__pin_page(w, pte->page, func);
		if (err)
			return err == -ENOMEM ? -EOVERFLOW : err;
	} else if (!span__try_get_page(w, pte->page, 1, func)) {
		return -EOVERFLOW;	/* try_grab_folio() refused */
	}
	*page = pte->page;
	return 0;
}

int span_get_user_pages(struct span_world *w, int pid, int region,
			uint64_t off, size_t len, unsigned int gup, int *pages,
			int max)
{
	int n = 0;

	if (!w || !pages || max <= 0 || region <= 0 ||
	    !(gup & (SPAN_FOLL_GET | SPAN_FOLL_PIN)) ||
	    (gup & SPAN_FOLL_GET && gup & SPAN_FOLL_PIN))
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	if (!span__find_vma(w, (uint32_t)pid, (uint32_t)region) ||
	    off + len < off || off + len > REGION(w, region)->size)
		return -EFAULT;
	while (len && n < max) {
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t chunk = w->page_size - poff;
		uint32_t page;
		int err = span__gup(w, (uint32_t)pid, (uint32_t)region, off, gup,
				    &page, gup & SPAN_FOLL_PIN ?
					    "pin_user_pages_fast" :
					    "get_user_pages_fast");

		if (err == -EOVERFLOW)
			err = -ENOMEM;	/* try_grab_folio()'s errno */
		if (err)
			return n ? n : err;
		/* the caller holds it now (the zero page's too) */
		span__fp_count(w, SPAN_OBJ_PAGE, page);
		if (gup & SPAN_FOLL_PIN)
			PAGE(w, page)->ext_pins++;
		else
			PAGE(w, page)->ext_refs++;
		pages[n++] = (int)page;
		if (chunk > len)
			chunk = (uint32_t)len;
		off += chunk;
		len -= chunk;
	}
	return n;
}

/*
 * span__user_copy_from - copy_from_user() / copy_from_iter() of @len bytes
 * at @pos of @src into @dst, with their provenance.  Fault injection:
 * SPAN_FAULT_COPY fails it with -EFAULT.
 */
int span__user_copy_from(struct span_world *w, uint32_t pid,
			 const struct span_src *src, uint64_t pos, void *dst,
			 struct span_prov *prov, uint32_t len)
{
	uint8_t *d = dst;

	if (span__fault(w, SPAN_FAULT_COPY))
		return -EFAULT;
	if (src->buf) {
		memcpy(dst, (const uint8_t *)src->buf + pos, len);
		struct span_prov one = { .epoch = PROV_EPOCH(w),
					 .who = PROV_WHO(pid, PROV_KERNEL_COPY) };

		for (uint32_t i = 0; i < len; i++)
			prov[i] = one;
		return 0;
	}
	if (src->region &&
	    (!span__find_vma(w, pid, (uint32_t)src->region) ||
	     src->off + pos + len > REGION(w, src->region)->size))
		return -EFAULT;	/* no mapping there: a bad address */
	while (len) {
		uint64_t off = src->off + pos;
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t n = w->page_size - poff;
		int page;

		if (n > len)
			n = len;
		if (src->kmem) {
			page = span_kmem_page(w, src->kmem, off);
		} else {
			/* an empty pte: the copy takes a read fault */
			int err = span__read_fault(w, pid,
						   (uint32_t)src->region, off);

			if (err)
				return err;
			page = span_region_page(w, (int)pid, src->region, off);
		}
		if (page < 0)
			return -EFAULT;
		if (span__page_read(w, (uint32_t)page, poff, d, n,
				    "copy_from_user"))
			return -EFAULT;
		memcpy(prov, page_prov(w, (uint32_t)page) + poff,
		       n * sizeof(*prov));
		d += n;
		prov += n;
		pos += n;
		len -= n;
	}
	return 0;
}

/* --- fork -------------------------------------------------------------- */

/*
 * copy_present_pte - one anon pte at fork.
 * KREF: mm/memory.c copy_present_ptes() / __folio_try_dup_anon_rmap():
 * a maybe-pinned exclusive page of an mm with MMF_HAS_PINNED is copied
 * for the child (copy_present_page()); otherwise both ptes are
 * write-protected, the page loses PageAnonExclusive and gains a map and
 * a ref.  fork_pinned=share models kernels before 5.9.
 */
static int copy_present_pte(struct span_world *w, uint32_t parent,
			    struct span_pte *src, struct span_pte *dst)
{
	uint32_t page = src->page, copy;

	if (!src->present)
		return 0;
	if (page == w->zero_page) {
		pte_map(w, dst, page, false, "copy_present_ptes");
		return 0;
	}
	if (PROC(w, parent)->has_pinned && span__maybe_pinned(w, page) &&
	    (PAGE(w, page)->flags & PG_anon_exclusive) &&
	    span__decide(w, &(struct span_decision){
		    .point = SPAN_KNOB_FORK_PINNED,
		    .func = "copy_present_ptes", .pid = parent, .page = page,
		    .len = w->page_size, .dst = SPAN_DST_PROCESS }) ==
		    SPAN_FORK_PINNED_COPY) {
		copy = span__alloc_page_nozero(w, SPAN_PAGE_ANON,
					       "copy_present_page");
		if (!copy)
			return -ENOMEM;
		span__page_copy(w, copy, 0, page, 0, w->page_size,
				"copy_present_page");
		PAGE(w, copy)->flags |= PG_anon_exclusive;
		pte_map(w, dst, copy, src->writable, "copy_present_page");
		return 0;
	}
	PAGE(w, page)->flags &= ~PG_anon_exclusive;
	span__get_page(w, page, "copy_present_ptes");
	src->writable = 0;
	pte_map(w, dst, page, false, "copy_present_ptes");
	return 0;
}

int span_process_create(struct span_world *w, int *pid)
{
	uint32_t p;

	if (!w || !pid)
		return -EINVAL;
	p = span__tab_alloc(w, &w->procs);
	if (!p)
		return -ENOMEM;
	/* DEVIATION: modelled as a child of init forked before any memory
	 * existed: it shares nothing, and its writes are private to it */
	PROC(w, p)->parent = SPAN_INIT_PID;
	PROC(w, p)->fork_epoch = ++w->nr_forks;
	span__fp(w, true, SPAN_OBJ_PROCESS, p);
	span__trace(w, "copy_process", SPAN_TR_ALLOC, SPAN_OBJ_PROCESS, p, 0, p,
		    "new process");
	*pid = (int)p;
	return 0;
}

int span_fork(struct span_world *w, int pid, int *child)
{
	uint32_t c;

	if (!w || !child)
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	c = span__tab_alloc(w, &w->procs);
	if (!c)
		return -ENOMEM;
	PROC(w, c)->parent = (uint32_t)pid;
	PROC(w, c)->fork_epoch = ++w->nr_forks;
	span__fp(w, true, SPAN_OBJ_PROCESS, c);
	span__fp(w, true, SPAN_OBJ_PROCESS, (uint32_t)pid);
	span__trace(w, "copy_process", SPAN_TR_ALLOC, SPAN_OBJ_PROCESS, c,
		    pid, c, "fork");
	for (uint32_t i = 1, n = w->vmas.n; i < n; i++) {
		struct span_vma *src = VMA(w, i), *dst;
		uint32_t v, base;

		if (!src->live || src->pid != (uint32_t)pid)
			continue;
		v = span__tab_alloc(w, &w->vmas);
		if (!v)
			goto fail;
		base = span__tab_alloc_range(w, &w->ptes, VMA(w, i)->npages);
		if (!base) {
			span__tab_free(&w->vmas, v);
			goto fail;
		}
		src = VMA(w, i);
		dst = VMA(w, v);
		dst->pid = c;
		dst->region = src->region;
		dst->npages = src->npages;
		dst->pte_base = base;
		span__fp(w, true, SPAN_OBJ_VMA, i);
		span__fp(w, true, SPAN_OBJ_VMA, v);
		for (uint32_t j = 0; j < src->npages; j++) {
			if (copy_present_pte(w, (uint32_t)pid,
					     PTE(w, src->pte_base + j),
					     PTE(w, base + j)))
				goto fail;
		}
	}
	*child = (int)c;
	return 0;
fail:
	/* dup_mmap() failure: tear the half-made child down */
	for (uint32_t i = 1; i < w->vmas.n; i++)
		if (VMA(w, i)->live && VMA(w, i)->pid == c)
			span_munmap(w, (int)c, (int)VMA(w, i)->region);
	span__tab_free(&w->procs, c);
	return -ENOMEM;
}

/* --- kernel memory ----------------------------------------------------- */

int span_kmem_alloc(struct span_world *w, uint64_t size, int kind, int owner,
		    const void *fill, size_t fill_len, int *region)
{
	uint32_t k, base, npages;
	int pkind;

	if (!w || !region || !size || size > (1ull << 32) ||
	    (fill_len && !fill))
		return -EINVAL;
	switch (kind) {
	case SPAN_KMEM_PAGES:
		pkind = SPAN_PAGE_KERNEL;
		break;
	case SPAN_KMEM_SLAB:
		pkind = SPAN_PAGE_SLAB;
		break;
	case SPAN_KMEM_OWNER:
		if (!span__tab_live(&w->owners, (uint32_t)owner) ||
		    OWNER(w, owner)->destructed)
			return -EINVAL;
		pkind = SPAN_PAGE_OWNER;
		break;
	default:
		return -EINVAL;
	}
	npages = (uint32_t)((size + w->page_size - 1) >> w->page_shift);
	k = span__tab_alloc(w, &w->kmems);
	if (!k)
		return -ENOMEM;
	base = span__tab_alloc_range(w, &w->ids, npages);
	if (!base) {
		span__tab_free(&w->kmems, k);
		return -ENOMEM;
	}
	KMEM(w, k)->kind = (uint8_t)kind;
	KMEM(w, k)->owner = kind == SPAN_KMEM_OWNER ? (uint32_t)owner : 0;
	KMEM(w, k)->npages = npages;
	KMEM(w, k)->base = base;
	KMEM(w, k)->size = size;
	span__fp(w, true, SPAN_OBJ_KMEM, k);
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t page = span__alloc_page(w, pkind, "kmalloc");

		if (!page) {
			/* undo the partial allocation, owner memory included */
			KMEM(w, k)->npages = i;
			if (kind == SPAN_KMEM_OWNER)
				OWNER(w, owner)->bytes -= (uint64_t)i * w->page_size;
			span__kmem_release(w, k, "kfree");
			return -ENOMEM;
		}
		IDREF(w, base + i)->id = page;
		if (kind == SPAN_KMEM_OWNER) {
			PAGE(w, page)->owner = (uint32_t)owner;
			OWNER(w, owner)->bytes += w->page_size;
		}
		fill_page(w, page, i, fill, fill_len, "kmalloc");
	}
	*region = (int)k;
	return 0;
}

/* free the pages of a kmem (kfree(), __free_pages(), or the destructor) */
void span__kmem_release(struct span_world *w, uint32_t k, const char *func)
{
	struct span_kmem *km = KMEM(w, k);

	for (uint32_t i = 0; i < km->npages; i++) {
		uint32_t page = IDREF(w, km->base + i)->id;
		struct span_page *p;

		if (!page || !span__page_live(w, page))
			continue;
		p = PAGE(w, page);
		if (p->kind == SPAN_PAGE_KERNEL) {
			span__put_page(w, page, func);
		} else {
			/* slab and owner memory: freed regardless of refs */
			p->freed_at = w->step;
			span__trace(w, func, SPAN_TR_FREE, SPAN_OBJ_PAGE, page,
				    0, 0, span_page_kind_name(p->kind));
			span__tab_free(&w->pages, page);
		}
	}
	span__tab_free_range(&w->ids, km->base, km->npages);
	span__tab_free(&w->kmems, k);
}

int span_kmem_free(struct span_world *w, int kmem)
{
	if (!w || !span__tab_live(&w->kmems, (uint32_t)kmem))
		return -EINVAL;
	if (KMEM(w, kmem)->kind == SPAN_KMEM_OWNER)
		return -EINVAL;	/* owner memory goes with its destructor */
	span__fp(w, true, SPAN_OBJ_KMEM, (uint32_t)kmem);
	span__kmem_release(w, (uint32_t)kmem, "kfree");
	return 0;
}

int span_kmem_peek(const struct span_world *w, int kmem, uint64_t off,
		   void *out, size_t len)
{
	const struct span_kmem *km;
	uint8_t *dst = out;

	if (!w || (len && !out) || kmem <= 0 || (uint32_t)kmem >= w->kmems.cap)
		return -EINVAL;
	if (!span__tab_live(&w->kmems, (uint32_t)kmem))
		return -EFAULT;	/* freed (or never allocated): no memory there */
	km = TAB_AT(w->kmems, struct span_kmem, kmem);
	if (off + len < off || off + len > km->size)
		return -EFAULT;
	while (len) {
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t n = w->page_size - poff;
		int page = span_kmem_page(w, kmem, off);

		if (n > len)
			n = (uint32_t)len;
		if (page <= 0 || !span__page_live(w, (uint32_t)page))
			return -EFAULT;
		memcpy(dst, w->page_data + (size_t)page * w->page_size + poff, n);
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

int span_kmem_page(const struct span_world *w, int kmem, uint64_t off)
{
	const struct span_kmem *km;

	if (!w || !span__tab_live(&w->kmems, (uint32_t)kmem))
		return -EINVAL;
	km = TAB_AT(w->kmems, struct span_kmem, kmem);
	if (off >= km->size)
		return -EFAULT;
	return (int)TAB_AT(w->ids, struct span_idref,
			   km->base + (uint32_t)(off >> w->page_shift))->id;
}
