// SPDX-License-Identifier: MIT
/*
 * world.c - struct span_world: tables, allocator, fault plan, steps,
 * footprints, traces and recorded violations.
 *
 * Not a kernel file.  Everything the kernel keeps in globals (sysctls, the
 * zero page, the page allocator) hangs off the world instead.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static void *default_alloc(void *ud, void *ptr, size_t size)
{
	(void)ud;
	if (!size) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

void *span__realloc(struct span_world *w, void *p, size_t size)
{
	return w->ops.alloc(w->ud, p, size);
}

void *span__alloc(struct span_world *w, size_t size)
{
	void *p = span__realloc(w, NULL, size ? size : 1);

	if (p)
		memset(p, 0, size);
	return p;
}

void span__free(struct span_world *w, void *p)
{
	if (p)
		w->ops.alloc(w->ud, p, 0);
}

/* --- tables ------------------------------------------------------------ */

int span__tab_init(struct span_world *w, struct span_tab *t, uint32_t esz)
{
	memset(t, 0, sizeof(*t));
	t->esz = esz;
	t->cap = t->alloc = SPAN_TAB_INIT_CAP;
	t->n = 1;		/* id 0 is never used */
	t->hint = 1;
	t->v = span__alloc(w, (size_t)t->cap * esz);
	return t->v ? 0 : -ENOMEM;
}

void span__tab_destroy(struct span_world *w, struct span_tab *t)
{
	span__free(w, t->v);
	t->v = NULL;
	t->n = t->cap = t->alloc = 0;
}

/* room for @n entries in @t's array (t->alloc), its capacity unchanged */
int span__tab_reserve(struct span_world *w, struct span_tab *t, uint32_t n)
{
	void *v;

	if (n <= t->alloc)
		return 0;
	v = span__realloc(w, t->v, (size_t)n * t->esz);
	if (!v)
		return -ENOMEM;
	t->v = v;
	t->alloc = n;
	return 0;
}

/*
 * tab_grow - make room for ids below @need.
 *
 * The new elements are left as realloc() gives them (or as they were
 * before a reset, which keeps the array), except in the page
 * table: ids at or past n are never read (span__tab_live() stops at n)
 * before span__tab_alloc_range() clears them, as span_world_restore()
 * already assumes of the capacity it reserves.  The page table is the
 * exception: span_page_info() reads freed_at below cap, so a page id never
 * used must read as zeros there.  Zeroing the whole new capacity made a
 * table that doubles touch twice the memory its live ids use; a fan-out
 * of 4096 pipes spent most of its pipe2 steps in page faults on it.
 */
static int tab_grow(struct span_world *w, struct span_tab *t, uint32_t need)
{
	uint32_t cap = t->cap;

	if (need <= cap)
		return 0;
	while (cap < need) {
		if (cap > UINT32_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	if (cap > 0xffffff)	/* ids must fit a handle's 24 bits */
		cap = 0xffffff;
	if (need > cap)
		return -ENOMEM;
	if (t == &w->pages && span__page_mem_reserve(w, cap))
		return -ENOMEM;
	if (span__tab_reserve(w, t, cap))
		return -ENOMEM;
	if (t == &w->pages)
		memset((char *)t->v + (size_t)t->cap * t->esz, 0,
		       (size_t)(cap - t->cap) * t->esz);
	t->cap = cap;
	return 0;
}

static inline uint8_t *tab_live(struct span_tab *t, uint32_t id)
{
	return (uint8_t *)t->v + (size_t)id * t->esz;
}

/*
 * Ids are allocated lowest-free-first, so the same history of live objects
 * gives the same ids whatever was freed in between: hashes of equal states
 * agree more often (DESIGN.md decision 2).
 */
uint32_t span__tab_alloc_range(struct span_world *w, struct span_tab *t,
			       uint32_t n)
{
	uint32_t id = t->hint, run = 0, start = 0;

	if (!n)
		return 0;
	if (span__fault(w, SPAN_FAULT_ALLOC))
		return 0;
	for (; id < t->n; id++) {
		if (*tab_live(t, id)) {
			run = 0;
			continue;
		}
		if (!run++)
			start = id;
		if (run == n)
			goto found;
	}
	if (!run)
		start = t->n;
	if (tab_grow(w, t, start + n))
		return 0;
	if (start + n > t->n)
		t->n = start + n;
found:
	memset(tab_live(t, start), 0, (size_t)n * t->esz);
	for (uint32_t i = start; i < start + n; i++)
		*tab_live(t, i) = 1;
	if (start == t->hint && n)
		t->hint = start + n;
	return start;
}

uint32_t span__tab_alloc(struct span_world *w, struct span_tab *t)
{
	return span__tab_alloc_range(w, t, 1);
}

void span__tab_free_range(struct span_tab *t, uint32_t base, uint32_t n)
{
	uint32_t end = base + n < t->n ? base + n : t->n;

	for (uint32_t i = base; i < end; i++)
		*tab_live(t, i) = 0;
	if (base && base < t->hint)
		t->hint = base;
	/*
	 * Shrink n so that hashes do not see trailing free ids.  A range that
	 * ended at n (a pipe's ring of up to 16384 slots, last allocated)
	 * leaves none from its base: step there at once, not id by id.
	 */
	if (base < end && end == t->n)
		t->n = base > 1 ? base : 1;
	while (t->n > 1 && !*tab_live(t, t->n - 1))
		t->n--;
}

void span__tab_free(struct span_tab *t, uint32_t id)
{
	span__tab_free_range(t, id, 1);
}

/*
 * span__page_mem_reserve - page arrays that hold @cap pages of the current
 * size.  They only grow here; w->page_mem_bytes says how much they hold,
 * which may be more than pages.cap pages (a reset or a smaller page_size
 * keeps what it has).  The new ids' bytes are left as they come: see
 * page_mem_alloc().  Return: 0 or -ENOMEM (the arrays as they were).
 */
int span__page_mem_reserve(struct span_world *w, size_t cap)
{
	size_t bytes = cap * w->page_size;
	uint8_t *d;
	struct span_prov *p;

	if (bytes <= w->page_mem_bytes)
		return 0;
	d = span__realloc(w, w->page_data, bytes);
	if (!d)
		return -ENOMEM;
	w->page_data = d;
	p = span__realloc(w, w->page_prov, bytes * sizeof(*p));
	if (!p)
		return -ENOMEM;
	w->page_prov = p;
	w->page_mem_bytes = bytes;
	return 0;
}

/* --- page memory and scratch ------------------------------------------- */

/* what depends on page_size: the page arrays and the scratch slots */
struct page_mem {
	uint8_t *data;
	struct span_prov *prov;
	size_t bytes;		/* of @data; @prov has as many entries */
	struct span_scratch scratch[SPAN_NR_SCRATCH];
	size_t scratch_bytes;	/* of each slot's data */
};

/*
 * Page memory a world keeps when it needs less (a reset, a smaller
 * page_size): enough that the world of a fuzz execution, which resets to
 * 4096-byte pages and then sets 64, allocates nothing; not so much that
 * one run with 16 MiB pages keeps its gigabyte.
 */
#define PAGE_MEM_KEEP	((size_t)256 << 10)

/* do @have bytes serve a need of @need without wasting much? */
static bool mem_fits(size_t have, size_t need)
{
	return need <= have && (have <= PAGE_MEM_KEEP || have <= 2 * need);
}

static void page_mem_free(struct span_world *w, struct page_mem *m)
{
	span__free(w, m->data);
	span__free(w, m->prov);
	for (int i = 0; i < SPAN_NR_SCRATCH; i++) {
		span__free(w, m->scratch[i].data);
		span__free(w, m->scratch[i].prov);
	}
}

/*
 * page_mem_alloc - page arrays for @cap pages of @ps bytes and the scratch
 * slots (a page each), uninitialised.
 *
 * The bytes of a page id are zeroed when the id is first allocated
 * (alloc_page(), w->pages_init), not when the arrays grow: with pages of
 * 16 MiB, zeroing a capacity of eight pages up front wrote 640 MiB.
 * Return: 0, or -ENOMEM with nothing allocated.
 */
static int page_mem_alloc(struct span_world *w, struct page_mem *m,
			  size_t cap, size_t ps)
{
	bool ok;

	memset(m, 0, sizeof(*m));
	m->data = span__realloc(w, NULL, cap * ps);
	m->prov = span__realloc(w, NULL, cap * ps * sizeof(*m->prov));
	ok = m->data && m->prov;
	m->bytes = cap * ps;
	m->scratch_bytes = ps;
	for (int i = 0; i < SPAN_NR_SCRATCH && ok; i++) {
		m->scratch[i].data = span__realloc(w, NULL, ps);
		m->scratch[i].prov = span__realloc(w, NULL, ps *
						   sizeof(struct span_prov));
		ok = m->scratch[i].data && m->scratch[i].prov;
	}
	if (!ok) {
		page_mem_free(w, m);
		return -ENOMEM;
	}
	return 0;
}

/* install @m in @w, handing the arrays it replaces back in @m */
static void page_mem_swap(struct span_world *w, struct page_mem *m)
{
	struct page_mem old = { .data = w->page_data, .prov = w->page_prov,
				.bytes = w->page_mem_bytes,
				.scratch_bytes = w->scratch_bytes };

	memcpy(old.scratch, w->scratch, sizeof(old.scratch));
	w->page_data = m->data;
	w->page_prov = m->prov;
	w->page_mem_bytes = m->bytes;
	memcpy(w->scratch, m->scratch, sizeof(w->scratch));
	w->scratch_bytes = m->scratch_bytes;
	*m = old;
}

/* --- parameters -------------------------------------------------------- */

/*
 * Each world parameter once: its name in `set`, its default, its valid
 * values (inclusive; page_size also a power of two) in numbers and in
 * words, and one line on what it is (`spansim list params`).
 */
static const struct param_desc {
	const char *name;
	uint64_t def, min, max;
	const char *range, *doc;
} params[SPAN_NR_PARAMS] = {
	[SPAN_PARAM_PAGE_SIZE] = { "page_size", 4096, 8, 1u << 24,
		"a power of two from 8 to 16M",
		"bytes per page (PAGE_SIZE); default 4096" },
	[SPAN_PARAM_PIPE_BUFFERS] = { "pipe_buffers", 16, 1, 65536,
		"1 to 65536",
		"slots of a new pipe (PIPE_DEF_BUFFERS); default 16" },
	[SPAN_PARAM_PIPE_MAX_SIZE] = { "pipe_max_size", 1048576, 1, 1u << 31,
		"1 to 2^31",
		"fs.pipe-max-size, the largest F_SETPIPE_SZ without CAP_SYS_RESOURCE; default 1048576" },
	[SPAN_PARAM_MAX_SKB_FRAGS] = { "max_skb_frags", 17, 1,
		SPAN_MAX_SKB_FRAGS_LIMIT, "1 to 32",
		"net.core.max_skb_frags (CONFIG_MAX_SKB_FRAGS); default 17" },
	[SPAN_PARAM_REFCOUNT_BITS] = { "refcount_bits", 32, 4, 62, "4 to 62",
		"width of a signed page refcount; default 32 (smaller makes overflow reachable)" },
	[SPAN_PARAM_MSS] = { "mss", 65483, 1, 1u << 30, "1 to 2^30",
		"TCP segment size on lo (65536 MTU - headers); default 65483" },
	/* 0: the family's default (tcp.c, af_unix.c) */
	[SPAN_PARAM_SNDBUF] = { "sndbuf", 0, 1, 1ull << 40, "1 to 2^40",
		"sk_sndbuf in bytes; default the family's (tcp_sndbuf_expand(), wmem_default)" },
	[SPAN_PARAM_RCVBUF] = { "rcvbuf", 131072, 1, 1ull << 40, "1 to 2^40",
		"sk_rcvbuf in bytes (the receive window); default 131072 (tcp_rmem[1])" },
	[SPAN_PARAM_PIPE_USER_PAGES_SOFT] = { "pipe_user_pages_soft", 16384, 0,
		1ull << 40, "0 (no limit) to 2^40",
		"fs.pipe-user-pages-soft (16 * INR_OPEN_CUR); default 16384" },
	[SPAN_PARAM_PIPE_USER_PAGES_HARD] = { "pipe_user_pages_hard", 0, 0,
		1ull << 40, "0 (no limit) to 2^40",
		"fs.pipe-user-pages-hard; default 0 (no limit)" },
	[SPAN_PARAM_TCP_RETRANSMIT] = { "tcp_retransmit", 0, 0, 1, "0 or 1",
		"1: the retransmission timer may fire while a segment is in flight on lo (a delay, as netem makes); default 0" },
	/* ext4_max_size(): (2^32 - 1) blocks of 4 KiB; tmpfs has
	 * MAX_LFS_FILESIZE (2^63 - 1) */
	[SPAN_PARAM_S_MAXBYTES] = { "s_maxbytes", 0xffffffff000ull, 1,
		(1ull << 63) - 1, "1 to 2^63-1",
		"sb->s_maxbytes of the files' file system, the largest i_size (-EFBIG past it); default 0xffffffff000 (ext4, 4 KiB blocks)" },
};

const char *span_param_doc(int p)
{
	if (p < 0 || p >= SPAN_NR_PARAMS)
		return NULL;
	return params[p].doc;
}

int span_param_check(int p, uint64_t v)
{
	if (p < 0 || p >= SPAN_NR_PARAMS)
		return -EINVAL;
	if (v < params[p].min || v > params[p].max)
		return -EINVAL;
	if (p == SPAN_PARAM_PAGE_SIZE && (v & (v - 1)))
		return -EINVAL;
	return 0;
}

const char *span_param_range(int p)
{
	if (p < 0 || p >= SPAN_NR_PARAMS)
		return NULL;
	return params[p].range;
}

const char *span_param_name(int p)
{
	if (p < 0 || p >= SPAN_NR_PARAMS)
		return NULL;
	return params[p].name;
}

int span_param_lookup(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		if (!strcmp(params[p].name, name))
			return p;
	return -ENOENT;
}

uint64_t span_world_param(const struct span_world *w, int p)
{
	if (!w || p < 0 || p >= SPAN_NR_PARAMS)
		return 0;
	return w->param[p];
}

static bool memory_exists(const struct span_world *w)
{
	/* only the zero page */
	for (uint32_t i = 1; i < w->pages.n; i++)
		if (i != w->zero_page && span__tab_live(&w->pages, i))
			return true;
	return false;
}

/* log2 of a page size (a power of two) */
static uint32_t page_shift_of(uint64_t size)
{
	uint32_t shift = 0;

	while ((1ull << shift) < size)
		shift++;
	return shift;
}

int span_world_set_param(struct span_world *w, int p, uint64_t v)
{
	uint32_t shift = 0;
	struct page_mem m;

	if (!w || span_param_check(p, v))
		return -EINVAL;
	span__check_invalidate(w);
	if (p == SPAN_PARAM_PAGE_SIZE && v != w->page_size) {
		if (memory_exists(w))
			return -EBUSY;
		shift = page_shift_of(v);
		/* no page holds anything but the zero page's zeros: keep the
		 * arrays if they fit the new size, else start afresh, and on
		 * failure keep the old size whole */
		if (!mem_fits(w->page_mem_bytes, (size_t)w->pages.cap * v) ||
		    !mem_fits(w->scratch_bytes, (size_t)v)) {
			if (page_mem_alloc(w, &m, w->pages.cap, (size_t)v))
				return -ENOMEM;
			page_mem_swap(w, &m);
			page_mem_free(w, &m);
		}
		w->page_size = (uint32_t)v;
		w->page_shift = shift;
		/* the ids in use (the zero page's) as new: zeros */
		w->pages_init = w->pages.n;
		memset(page_bytes(w, 1), 0, (size_t)(w->pages.n - 1) * v);
		memset(page_prov(w, 1), 0,
		       (size_t)(w->pages.n - 1) * v * sizeof(*w->page_prov));
		for (uint32_t i = 1; i < w->pages.n; i++)
			page_dirty(w, i);
	}
	w->param[p] = v;
	return 0;
}

int64_t span__refcount_max(const struct span_world *w)
{
	return (int64_t)((1ull << (w->param[SPAN_PARAM_REFCOUNT_BITS] - 1)) - 1);
}

/* --- create / reset / destroy ----------------------------------------- */

/* every table of the world, in snapshot order (reset, snapshot.c) */
static const size_t world_tabs[SPAN_NR_WORLD_TABS] = {
	offsetof(struct span_world, pages),
	offsetof(struct span_world, owners),
	offsetof(struct span_world, descs),
	offsetof(struct span_world, procs),
	offsetof(struct span_world, vmas),
	offsetof(struct span_world, ptes),
	offsetof(struct span_world, regions),
	offsetof(struct span_world, ids),
	offsetof(struct span_world, kmems),
	offsetof(struct span_world, files),
	offsetof(struct span_world, pipes),
	offsetof(struct span_world, slots),
	offsetof(struct span_world, net.events),
	offsetof(struct span_world, net.skbs),
	offsetof(struct span_world, net.shinfos),
	offsetof(struct span_world, net.ubufs),
	offsetof(struct span_world, net.socks),
	offsetof(struct span_world, net.captures),
	offsetof(struct span_world, net.notes),
};
struct span_tab *span__world_tab(struct span_world *w, int i)
{
	return (struct span_tab *)((char *)w + world_tabs[i]);
}

/*
 * world_init - what every new world holds, in @w whose tables, page arrays
 * (for 8 pages of the default size at least) and checker exist, empty, and
 * whose other fields are zero: the default policy and parameters, process
 * 1 and the zero page.  Shared by create and reset, so that a reset world
 * is a new one.
 */
static int world_init(struct span_world *w, const uint64_t *param,
		      uint32_t mask)
{
	span_policy_default(&w->policy);
	w->design_pincount = -1;
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		w->param[p] = params[p].def;
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		if (mask & (1u << p))
			w->param[p] = param[p];
	w->page_size = (uint32_t)w->param[SPAN_PARAM_PAGE_SIZE];
	w->page_shift = page_shift_of(w->page_size);
	w->pages_init = 1;	/* id 0 is never a page */
	w->check_on = true;
	/* init and the zero page exist from the start */
	if (span__tab_alloc(w, &w->procs) != SPAN_INIT_PID)
		return -ENOMEM;
	w->zero_page = span__alloc_page(w, SPAN_PAGE_ZERO, "world_init");
	return w->zero_page ? 0 : -ENOMEM;
}

int span_world_create(struct span_world **out, const struct span_world_ops *ops,
		      void *ud)
{
	void *(*alloc)(void *, void *, size_t) = default_alloc;
	struct span_world *w;
	struct page_mem m;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (ops && ops->alloc)
		alloc = ops->alloc;
	w = alloc(ud, NULL, sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w, 0, sizeof(*w));
	if (ops)
		w->ops = *ops;
	w->ops.alloc = alloc;
	w->ud = ud;

	if (span__checker_create(w))
		goto fail;
	if (span__tab_init(w, &w->pages, sizeof(struct span_page)))
		goto fail;
	if (page_mem_alloc(w, &m, w->pages.cap,
			   (size_t)params[SPAN_PARAM_PAGE_SIZE].def))
		goto fail;
	page_mem_swap(w, &m);
#define INIT(t, T)							\
	do {								\
		if (span__tab_init(w, &w->t, sizeof(T)))		\
			goto fail;					\
	} while (0)
	INIT(owners, struct span_owner);
	INIT(descs, struct span_desc);
	INIT(procs, struct span_process);
	INIT(vmas, struct span_vma);
	INIT(ptes, struct span_pte);
	INIT(regions, struct span_region);
	INIT(ids, struct span_idref);
	INIT(kmems, struct span_kmem);
	INIT(files, struct span_file);
	INIT(pipes, struct span_pipe_inode_info);
	INIT(slots, struct span_pipe_buffer);
	if (span__net_init(w))
		goto fail;
#undef INIT
	if (world_init(w, NULL, 0))
		goto fail;
	*out = w;
	return 0;
fail:
	span_world_destroy(w);
	return -ENOMEM;
}

/*
 * A table keeps the array it has across a reset, to grow into again
 * without allocating (a fuzz execution's pipes take rings of up to 16384
 * slots), unless it is larger than this.
 */
#define TAB_KEEP	((size_t)4 << 20)

/*
 * @t as span__tab_init() makes it: a capacity of SPAN_TAB_INIT_CAP ids,
 * zeroed, none in use; in the memory it has.  Past the capacity the array
 * is left as it is: tab_grow() treats it as new memory.
 */
static void tab_reset(struct span_world *w, struct span_tab *t)
{
	if ((size_t)t->alloc * t->esz > TAB_KEEP) {
		void *v = span__realloc(w, t->v,
					(size_t)SPAN_TAB_INIT_CAP * t->esz);

		if (v) {	/* else the larger array serves as well */
			t->v = v;
			t->alloc = SPAN_TAB_INIT_CAP;
		}
	}
	t->cap = SPAN_TAB_INIT_CAP;
	memset(t->v, 0, (size_t)t->cap * t->esz);
	t->n = 1;
	t->hint = 1;
}

/*
 * span_world_reset - span_world_create() in the memory of @w: every field
 * zero, as create's memset leaves it, but for the hooks, the allocations
 * (the tables' arrays, with create's capacity and contents; the page
 * arrays and scratch slots when they fit 8 default pages without wasting
 * much; the violation array) and a new checker; then world_init().  What
 * can fail is done first, so -ENOMEM leaves @w as it was.
 */
int span_world_reset(struct span_world *w)
{
	return span_world_reset_params(w, NULL, 0);
}

/*
 * span_world_reset_params - a reset whose new world starts with the
 * parameters of @mask from @param: the zero page is made at the page size
 * the run will use, not made at 4096 bytes and then made again.
 */
int span_world_reset_params(struct span_world *w, const uint64_t *param,
			    uint32_t mask)
{
	size_t ps = (size_t)params[SPAN_PARAM_PAGE_SIZE].def;
	struct span_checker *chk;
	struct span_world keep;
	struct page_mem m;
	bool fresh;

	if (!w || (mask && !param) || (mask >> SPAN_NR_PARAMS))
		return -EINVAL;
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		if ((mask & (1u << p)) && span_param_check(p, param[p]))
			return -EINVAL;
	if (mask & (1u << SPAN_PARAM_PAGE_SIZE))
		ps = (size_t)param[SPAN_PARAM_PAGE_SIZE];
	fresh = !mem_fits(w->page_mem_bytes, SPAN_TAB_INIT_CAP * ps) ||
		!mem_fits(w->scratch_bytes, ps);
	if (fresh && page_mem_alloc(w, &m, SPAN_TAB_INIT_CAP, ps))
		return -ENOMEM;
	/* a new checker: its statistics start over too */
	chk = w->chk;
	w->chk = NULL;
	if (span__checker_create(w)) {
		w->chk = chk;
		if (fresh)
			page_mem_free(w, &m);
		return -ENOMEM;
	}
	{
		struct span_checker *nk = w->chk;

		w->chk = chk;
		span__checker_destroy(w);
		w->chk = nk;
	}
	if (fresh) {
		page_mem_swap(w, &m);
		page_mem_free(w, &m);
	}

	keep = *w;
	memset(w, 0, sizeof(*w));
	w->ops = keep.ops;
	w->ud = keep.ud;
	w->design = keep.design;	/* like the hooks: not state */
	/* the snapshots of the old world keep their pages */
	w->blob_bucket = keep.blob_bucket;
	w->nr_blob_buckets = keep.nr_blob_buckets;
	w->nr_blobs = keep.nr_blobs;
	w->chk = keep.chk;
	w->viol = keep.viol;
	w->cap_viol = keep.cap_viol;
	w->page_data = keep.page_data;
	w->page_prov = keep.page_prov;
	w->page_mem_bytes = keep.page_mem_bytes;
	memcpy(w->scratch, keep.scratch, sizeof(w->scratch));
	w->scratch_bytes = keep.scratch_bytes;
	for (int i = 0; i < SPAN_NR_WORLD_TABS; i++) {
		*span__world_tab(w, i) = *span__world_tab(&keep, i);
		tab_reset(w, span__world_tab(w, i));
	}
	/* cannot fail: no fault plan, and the tables have room */
	return world_init(w, param, mask);
}

void span_world_destroy(struct span_world *w)
{
	if (!w)
		return;
	span__net_destroy(w);
	span__tab_destroy(w, &w->pages);
	span__tab_destroy(w, &w->owners);
	span__tab_destroy(w, &w->descs);
	span__tab_destroy(w, &w->procs);
	span__tab_destroy(w, &w->vmas);
	span__tab_destroy(w, &w->ptes);
	span__tab_destroy(w, &w->regions);
	span__tab_destroy(w, &w->ids);
	span__tab_destroy(w, &w->kmems);
	span__tab_destroy(w, &w->files);
	span__tab_destroy(w, &w->pipes);
	span__tab_destroy(w, &w->slots);
	{
		struct page_mem m = { 0 };

		page_mem_swap(w, &m);
		page_mem_free(w, &m);
	}
	span__free(w, w->viol);
	span__blobs_destroy(w);
	span__checker_destroy(w);
	w->ops.alloc(w->ud, w, 0);
}

struct span_policy *span_world_policy(struct span_world *w)
{
	return w ? &w->policy : NULL;
}

/* --- steps ------------------------------------------------------------- */

void span_world_step_begin(struct span_world *w, int tid, int pid)
{
	if (!w)
		return;
	/* changed since the last check (outside a step): walk it all */
	if (w->check_on && w->fp_seq != w->chk_fp_seq)
		span__check_invalidate(w);
	w->step++;
	w->cur_tid = tid;
	w->cur_pid = pid;
	w->fp.nr_read = w->fp.nr_write = 0;
	w->fp.nr_count = w->fp.nr_range = 0;
	w->fp.nr_await = w->fp.nr_fill = 0;
	w->fp.overflow = w->fp.updates_lost = false;
}

int span_world_step_end(struct span_world *w)
{
	if (!w)
		return -EINVAL;
	/* with the checker off, the counts go stale: turning it on again
	 * (span_world_set_check()) makes the next check walk the world */
	if (w->check_on)
		span__check_step(w);
	return w->nr_viol;
}

void span_world_step_cancel(struct span_world *w)
{
	if (w && w->step) {
		w->step--;
		w->chk_fp_seq = w->fp_seq;	/* it changed nothing */
	}
}

uint64_t span_world_step(const struct span_world *w)
{
	return w ? w->step : 0;
}

void span_world_set_check(struct span_world *w, bool on)
{
	if (w) {
		if (on && !w->check_on)
			span__check_invalidate(w);
		w->check_on = on;
	}
}

/* --- footprints -------------------------------------------------------- */

/* add @key to the set @v of *@n keys (at most @max); false when full */
static bool fp_insert(uint32_t *v, uint16_t *n, uint16_t max, uint32_t key)
{
	for (uint16_t i = 0; i < *n; i++)
		if (v[i] == key)
			return true;
	if (*n >= max)
		return false;
	v[(*n)++] = key;
	return true;
}

static void fp_add(struct span_footprint *fp, uint32_t *v, uint16_t *n,
		   uint32_t key)
{
	/*
	 * A full set whose overflow is already noted: a key found or lost
	 * changes nothing now.  A step that puts a file's every page-cache
	 * page scanned the whole set for each.
	 */
	if (*n >= SPAN_FP_MAX && fp->overflow &&
	    (v == fp->read || fp->updates_lost))
		return;
	if (!fp_insert(v, n, SPAN_FP_MAX, key)) {
		fp->overflow = true;
		if (v != fp->read)
			fp->updates_lost = true;
	}
}

static uint32_t fp_key(int type, uint32_t id)
{
	return ((uint32_t)type << 24) | (id & 0xffffff);
}

#define FP_TYPE(k)	((k) >> 24)
#define FP_ID(k)	((k) & 0xffffff)

void span__fp(struct span_world *w, bool write, int type, uint32_t id)
{
	struct span_footprint *fp = &w->fp;

	w->fp_seq++;

	if (write)
		fp_add(fp, fp->write, &fp->nr_write, fp_key(type, id));
	else
		fp_add(fp, fp->read, &fp->nr_read, fp_key(type, id));
}

void span__fp_count(struct span_world *w, int type, uint32_t id)
{
	struct span_footprint *fp = &w->fp;

	w->fp_seq++;

	fp_add(fp, fp->count, &fp->nr_count, fp_key(type, id));
}

/* @await, @fill of struct span_footprint; past SPAN_FP_MAX_WAIT the rest
 * is left out, which only costs the explorer reduction */
void span__fp_wait(struct span_world *w, bool fill, int type, uint32_t id)
{
	struct span_footprint *fp = &w->fp;

	w->fp_seq++;

	if (fill)
		fp_insert(fp->fill, &fp->nr_fill, SPAN_FP_MAX_WAIT, fp_key(type, id));
	else
		fp_insert(fp->await, &fp->nr_await, SPAN_FP_MAX_WAIT,
			  fp_key(type, id));
}

/* bytes [off, off + len) of @page's contents; merged with an overlapping
 * or adjacent range of the same kind, widened to the whole page when the
 * ranges do not fit */
void span__fp_range(struct span_world *w, uint32_t page, uint32_t off,
		    uint32_t len, bool write)
{
	struct span_footprint *fp = &w->fp;
	uint64_t end = (uint64_t)off + len;

	w->fp_seq++;
	if (!len)
		return;
	for (uint16_t i = 0; i < fp->nr_range; i++) {
		struct span_fp_range *r = &fp->range[i];
		uint64_t rend = (uint64_t)r->off + r->len;

		if (r->page != page || r->write != write ||
		    end < r->off || off > rend)
			continue;
		if (off < r->off)
			r->off = off;
		if (end > rend)
			rend = end;
		r->len = (uint32_t)(rend - r->off);
		return;
	}
	if (fp->nr_range >= SPAN_FP_MAX_RANGES) {
		/* DEVIATION (footprint precision only): a step touching more
		 * than SPAN_FP_MAX_RANGES ranges touches whole pages */
		span__fp(w, write, SPAN_OBJ_PAGE, page);
		return;
	}
	fp->range[fp->nr_range++] = (struct span_fp_range){
		.page = page, .off = off, .len = len, .write = write };
}

const struct span_footprint *span_world_footprint(const struct span_world *w)
{
	return w ? &w->fp : NULL;
}

int span_footprint_access(const struct span_footprint *fp, int i,
			  struct span_access *out)
{
	if (!fp || !out || i < 0)
		return -EINVAL;
	*out = (struct span_access){ 0 };
	if (i < fp->nr_read) {
		out->key = fp->read[i];
		out->kind = SPAN_ACC_READ;
		if (FP_TYPE(out->key) == SPAN_FP_LIVE) {
			out->key = fp_key(SPAN_OBJ_PAGE, FP_ID(out->key));
			out->kind = SPAN_ACC_LIVE;
		}
		return 0;
	}
	i -= fp->nr_read;
	if (i < fp->nr_write) {
		out->key = fp->write[i];
		out->kind = SPAN_ACC_WRITE;
		return 0;
	}
	i -= fp->nr_write;
	if (i < fp->nr_count) {
		out->key = fp->count[i];
		out->kind = SPAN_ACC_COUNT;
		return 0;
	}
	i -= fp->nr_count;
	if (i < fp->nr_range) {
		const struct span_fp_range *r = &fp->range[i];

		out->key = fp_key(SPAN_OBJ_PAGE, r->page);
		out->kind = r->write ? SPAN_ACC_BYTES_WRITE : SPAN_ACC_BYTES_READ;
		out->off = r->off;
		out->len = r->len;
		return 0;
	}
	return -ENOENT;
}

static bool acc_bytes(int kind)
{
	return kind == SPAN_ACC_BYTES_READ || kind == SPAN_ACC_BYTES_WRITE;
}

bool span_access_conflict(const struct span_access *a,
			  const struct span_access *b)
{
	int x, y;

	if (!a || !b)
		return true;	/* unknown: conflict, the sound answer */
	x = a->kind;
	y = b->kind;
	if (a->key != b->key)
		return false;
	/* a plain write meets everything: liveness, counts, bytes */
	if (x == SPAN_ACC_WRITE || y == SPAN_ACC_WRITE)
		return true;
	/* a plain read reads the count and every byte */
	if ((x == SPAN_ACC_READ &&
	     (y == SPAN_ACC_COUNT || y == SPAN_ACC_BYTES_WRITE)) ||
	    (y == SPAN_ACC_READ &&
	     (x == SPAN_ACC_COUNT || x == SPAN_ACC_BYTES_WRITE)))
		return true;
	if (acc_bytes(x) && acc_bytes(y))
		return (x == SPAN_ACC_BYTES_WRITE || y == SPAN_ACC_BYTES_WRITE) &&
		       (uint64_t)a->off < (uint64_t)b->off + b->len &&
		       (uint64_t)b->off < (uint64_t)a->off + a->len;
	return false;
}

bool span_footprint_conflict(const struct span_footprint *a,
			     const struct span_footprint *b)
{
	struct span_access x, y;

	if (!a || !b || a->overflow || b->overflow)
		return true;
	for (int i = 0; !span_footprint_access(a, i, &x); i++)
		for (int j = 0; !span_footprint_access(b, j, &y); j++)
			if (span_access_conflict(&x, &y))
				return true;
	return false;
}

/* --- fault plan -------------------------------------------------------- */

void span_fault_hit(int cls)
{
	(void)cls;	/* a place for a breakpoint */
}

bool span__fault(struct span_world *w, int cls)
{
	uint64_t n = ++w->fault_count[cls];

	if (!w->fault_nth[cls] || n < w->fault_nth[cls] ||
	    n > w->fault_nth[cls] + w->fault_repeat[cls])
		return false;
	w->fault_hits[cls]++;
	span_fault_hit(cls);
	span__trace(w, "should_fail", SPAN_TR_NOTE, SPAN_OBJ_NONE, 0,
		    (int64_t)n, 0,
		    cls == SPAN_FAULT_ALLOC ? "injected -ENOMEM" :
					      "injected -EFAULT");
	return true;
}

int span_fault_set(struct span_world *w, int cls, uint64_t nth, uint64_t repeat)
{
	if (!w || cls < 0 || cls >= SPAN_NR_FAULT_CLASSES)
		return -EINVAL;
	w->fault_count[cls] = 0;
	w->fault_hits[cls] = 0;
	w->fault_nth[cls] = nth;
	w->fault_repeat[cls] = repeat;
	return 0;
}

uint64_t span_fault_count(const struct span_world *w, int cls)
{
	if (!w || cls < 0 || cls >= SPAN_NR_FAULT_CLASSES)
		return 0;
	return w->fault_count[cls];
}

uint64_t span_fault_hits(const struct span_world *w, int cls)
{
	if (!w || cls < 0 || cls >= SPAN_NR_FAULT_CLASSES)
		return 0;
	return w->fault_hits[cls];
}

/* --- traces and violations --------------------------------------------- */

void span__trace(struct span_world *w, const char *func, int what, int type,
		 uint32_t id, int64_t old, int64_t new, const char *msg)
{
	struct span_trace_event ev;

	if (!w->ops.trace)
		return;
	ev.step = w->step;
	ev.func = func;
	ev.what = what;
	ev.obj_type = type;
	ev.obj = id;
	ev.old = old;
	ev.new = new;
	ev.msg = msg;
	w->ops.trace(w->ud, &ev);
}

#define MAX_VIOLATIONS 64

void span__violate(struct span_world *w, int inv, int type, uint32_t id,
		   const char *func, const char *fmt, ...)
{
	struct span_violation *v;
	va_list ap;

	if (inv < 0 || inv >= SPAN_NR_INVARIANTS || w->allowed[inv])
		return;
	/* the same violation of the same object is reported once */
	for (int i = 0; i < w->nr_viol; i++)
		if (w->viol[i].inv == inv && w->viol[i].obj_type == type &&
		    w->viol[i].obj == id)
			return;
	if (w->nr_viol >= MAX_VIOLATIONS)
		return;
	if (w->nr_viol == w->cap_viol) {
		int cap = w->cap_viol ? w->cap_viol * 2 : 4;
		void *p = span__realloc(w, w->viol, cap * sizeof(*w->viol));

		if (!p)
			return;
		w->viol = p;
		w->cap_viol = cap;
	}
	v = &w->viol[w->nr_viol++];
	memset(v, 0, sizeof(*v));
	v->inv = inv;
	v->step = w->step;
	v->obj_type = type;
	v->obj = id;
	v->func = func;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	span__trace(w, func, SPAN_TR_NOTE, type, id, 0, 0, v->msg);
	if (w->ops.report)
		w->ops.report(w->ud, v);
}

int span_world_allow(struct span_world *w, int inv, bool allow)
{
	if (!w || inv < 0 || inv >= SPAN_NR_INVARIANTS)
		return -EINVAL;
	w->allowed[inv] = allow;
	span__check_invalidate(w);
	return 0;
}

int span_world_nr_violations(const struct span_world *w)
{
	return w ? w->nr_viol : 0;
}

const struct span_violation *span_world_violation(const struct span_world *w,
						  int i)
{
	if (!w || i < 0 || i >= w->nr_viol)
		return NULL;
	return &w->viol[i];
}
