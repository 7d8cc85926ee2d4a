/* SPDX-License-Identifier: MIT */
/*
 * span/mm.h - processes, anonymous memory, kernel memory, owners, pages.
 *
 * Models mm/memory.c (write faults, COW, fork), mm/gup.c (FOLL_GET,
 * FOLL_PIN), mm/mmap.c (munmap), the slab and page allocators as far as
 * refcounts go, and owner records: memory whose lifetime is held by an
 * owner whose destructor runs once.
 */
#ifndef SPAN_MM_H
#define SPAN_MM_H

#include "span/defs.h"

#define SPAN_GUP_PIN_COUNTING_BIAS 1024	/* include/linux/mm.h */

/* Kinds of page. */
enum span_page_kind {
	SPAN_PAGE_FREE,		/* not allocated */
	SPAN_PAGE_ANON,		/* anonymous user memory */
	SPAN_PAGE_ZERO,		/* the shared zero page */
	SPAN_PAGE_CACHE,	/* a page-cache page of a file */
	SPAN_PAGE_KERNEL,	/* refcounted kernel page (page_frag, netmem) */
	SPAN_PAGE_SLAB,		/* slab: no usable refcount */
	SPAN_PAGE_OWNER,	/* owner-managed: lifetime held by an owner */
	SPAN_PAGE_PIPE,		/* a pipe's own page (anon_pipe_get_page) */
	SPAN_NR_PAGE_KINDS
};

/**
 * span_page_kind_name - "anon", "zero", "pagecache", ...
 * Return: the name, or NULL for an unknown @kind.
 */
SPAN_API const char *span_page_kind_name(int kind);

/**
 * struct span_page_info - what span_page_info() reports about a page.
 * @kind: enum span_page_kind.
 * @refcount: folio _refcount (pins included under pincount=bias).
 * @pincount: exact pins (pincount=exact), or pins counted by the model.
 * @mapcount: page-table mappings.
 * @anon_exclusive: PageAnonExclusive.
 * @maybe_pinned: folio_maybe_dma_pinned() under the world's policy.
 * @owner: owner id of an owner-managed page (0 otherwise).
 * @freed_at: step at which the page was freed (0 while alive).
 */
struct span_page_info {
	int kind;
	int64_t refcount;
	int64_t pincount;
	int64_t mapcount;
	bool anon_exclusive;
	bool maybe_pinned;
	uint32_t owner;
	uint64_t freed_at;
};

/** span_page_info - report page @page.  Return: 0 or -EINVAL. */
SPAN_API int span_page_info(const struct span_world *w, int page,
			    struct span_page_info *info);
/**
 * span_zero_page - the id of the shared zero page.
 * Return: the page id, or -EINVAL for a NULL world.
 */
SPAN_API int span_zero_page(const struct span_world *w);

/* Processes.  Process 1 is init and always exists. */
#define SPAN_INIT_PID 1

/**
 * span_process_create - a new process with an empty address space (as if
 * exec'd by init): no parent memory is shared with it.
 * @pid: receives the process id.
 * Return: 0, -EINVAL (a NULL argument), -ENOMEM.
 */
SPAN_API int span_process_create(struct span_world *w, int *pid);
/**
 * span_fork - fork process @pid (copy_process() -> dup_mmap()).
 * @child: receives the new process id.
 *
 * Models copy_present_ptes(): maybe-pinned exclusive anon pages are copied
 * for the child up front (fork_pinned=copy, MMF_HAS_PINNED); every other
 * anon page is shared copy-on-write.
 * Return: 0, -EINVAL (a NULL argument), -ESRCH, -ENOMEM.
 */
SPAN_API int span_fork(struct span_world *w, int pid, int *child);

/* Anonymous user memory. */
#define SPAN_MMAP_UNTOUCHED 0x1	/* mapped, never touched: the zero page */

/**
 * span_mmap_anon - map @size bytes of anonymous private memory in @pid.
 * @flags: SPAN_MMAP_UNTOUCHED, or 0 for touched memory.
 * @fill, @fill_len: pattern repeated over the memory (may be NULL/0).
 * @region: receives the region id; the same id names the copy in every
 *	process forked later.
 * Return: 0, -ESRCH, -EINVAL, -ENOMEM.
 */
SPAN_API int span_mmap_anon(struct span_world *w, int pid, uint64_t size,
			    unsigned int flags, const void *fill,
			    size_t fill_len, int *region);
/**
 * span_store - a user store of @len bytes at @off (handle_mm_fault() with
 * FAULT_FLAG_WRITE, then the copy).
 * Return: 0, -EINVAL (a NULL world or data), -EFAULT, -ENOMEM.
 */
SPAN_API int span_store(struct span_world *w, int pid, int region,
			uint64_t off, const void *data, size_t len);
/**
 * span_load - a user load into @out.
 * Return: 0, -EINVAL (a NULL world or buffer), or -EFAULT.
 */
SPAN_API int span_load(struct span_world *w, int pid, int region,
		       uint64_t off, void *out, size_t len);
/**
 * span_munmap - unmap @region from @pid; unmapping a region @pid does not
 * map (any more) succeeds, as munmap(2) of an unmapped range does.
 * Return: 0, -EINVAL (no such region), -ESRCH.
 */
SPAN_API int span_munmap(struct span_world *w, int pid, int region);
/**
 * span_peek - what a load by @pid would return, without side effects (no
 * fault, no provenance check): for reports and conditions.
 * Return: 0, -EFAULT (outside the region or unmapped), -EINVAL.
 */
SPAN_API int span_peek(const struct span_world *w, int pid, int region,
		       uint64_t off, void *out, size_t len);
/**
 * span_region_page - the page behind byte @off of @region in @pid.
 * Return: page id (>0); -EFAULT when unmapped or not present; -EINVAL for an
 *	unknown region or a NULL world.
 */
SPAN_API int span_region_page(const struct span_world *w, int pid,
			      int region, uint64_t off);
/**
 * span_region_size - size of @region in bytes, or -EINVAL.
 * Return: the size in bytes, or -EINVAL.
 */
SPAN_API int64_t span_region_size(const struct span_world *w, int region);

/*
 * GUP as a kernel user would call it (mm/gup.c).  Pages are returned in
 * @pages; FOLL_GET takes a page ref, FOLL_PIN a pin.
 */
#define SPAN_FOLL_WRITE	0x01	/* include/linux/mm_types.h values */
#define SPAN_FOLL_GET	0x04
#define SPAN_FOLL_PIN	0x40000

/**
 * span_get_user_pages - get_user_pages_fast()/pin_user_pages_fast().
 * Return: pages grabbed, or -EFAULT/-ENOMEM/-EINVAL.
 */
SPAN_API int span_get_user_pages(struct span_world *w, int pid, int region,
				 uint64_t off, size_t len, unsigned int gup,
				 int *pages, int max);
/**
 * span_put_page - put_page() of a reference taken by the caller.
 * Return: 0, or -EINVAL for a page that is not live.
 */
SPAN_API int span_put_page(struct span_world *w, int page);
/** span_unpin_user_page - unpin_user_page().  Return: 0 or -EINVAL. */
SPAN_API int span_unpin_user_page(struct span_world *w, int page);
/**
 * span_get_page - try_get_page() (get_page_check=checked) or get_page().
 * Return: 0; -EFAULT when refused (overflow guard or frozen memory); -EINVAL
 *	for a page that is not live or a NULL world.
 */
SPAN_API int span_get_page(struct span_world *w, int page);

/* Kernel memory. */
enum span_kmem_kind {
	SPAN_KMEM_PAGES,	/* refcounted kernel pages */
	SPAN_KMEM_SLAB,		/* kmalloc: no usable refcount */
	SPAN_KMEM_OWNER,	/* owner-managed: no refcount, a destructor */
};

/**
 * span_kmem_alloc - allocate @size bytes of kernel memory for a service.
 * @kind: enum span_kmem_kind.
 * @owner: for SPAN_KMEM_OWNER, the owner record that holds its lifetime.
 * @region: receives the kmem id.
 * Return: 0, -EINVAL, -ENOMEM.
 */
SPAN_API int span_kmem_alloc(struct span_world *w, uint64_t size, int kind,
			     int owner, const void *fill, size_t fill_len,
			     int *region);
/**
 * span_kmem_free - the service frees plain or slab kernel memory.
 * Return: 0, or -EINVAL (no such kmem, or not plain or slab).
 */
SPAN_API int span_kmem_free(struct span_world *w, int kmem);
/**
 * span_kmem_peek - the bytes of a kmem, without side effects.
 * Return: 0, -EFAULT (out of range or freed), -EINVAL.
 */
SPAN_API int span_kmem_peek(const struct span_world *w, int kmem, uint64_t off,
			    void *out, size_t len);
/**
 * span_kmem_page - the page behind byte @off of a kmem, or -EINVAL.
 * Return: the page id, or -EINVAL.
 */
SPAN_API int span_kmem_page(const struct span_world *w, int kmem,
			    uint64_t off);

/* Owner records. */
/**
 * span_owner_create - an owner record with one reference (the service's).
 * Return: 0, -EINVAL (a NULL argument), -ENOMEM.
 */
SPAN_API int span_owner_create(struct span_world *w, int *owner);
/**
 * span_owner_put - the service drops its own reference (at most once).
 * Return: 0, -EINVAL (bad id, or the service's reference already put).
 */
SPAN_API int span_owner_put(struct span_world *w, int owner);

/**
 * struct span_owner_info - an owner record's state.
 * @refcount: references (the service's, pipe buffers', skbs', descs').
 * @destructed: how many times the destructor ran (1 is correct).
 * @destructed_at: step of the (first) destructor run, 0 if never.
 * @held_bytes: bytes of owner memory still held (0 once destructed).
 * @service_ref: the service still holds its reference.
 */
struct span_owner_info {
	int64_t refcount;
	uint32_t destructed;
	uint64_t destructed_at;
	uint64_t held_bytes;
	bool service_ref;
};

/** span_owner_info - report an owner.  Return: 0 or -EINVAL. */
SPAN_API int span_owner_info(const struct span_world *w, int owner,
			     struct span_owner_info *info);

/**
 * span_pinned_bytes - bytes of memory currently pinned (FOLL_PIN).
 * Return: the bytes (0 for a NULL world).
 */
SPAN_API uint64_t span_pinned_bytes(const struct span_world *w);

#endif
