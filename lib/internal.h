/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the layout of struct span_world and the helpers every file
 * of lib/ shares.  The only shared private header of libspan.
 *
 * Objects live in per-type tables of plain structs addressed by id (index
 * into the table; 0 is never used).  The first byte of every table element
 * is its `live` flag.  Nothing holds a pointer to another object: that is
 * what lets snapshot.c copy a world with a few memcpys and hash it.
 */
#ifndef SPAN_INTERNAL_H
#define SPAN_INTERNAL_H

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "span/span.h"

/* A table of objects of one type. */
struct span_tab {
	void *v;		/* element array, elements of esz bytes */
	uint32_t n;		/* ids in use are < n */
	uint32_t cap;		/* ids below cap exist (page.c, mm.c) */
	uint32_t alloc;		/* elements of @v, >= cap (span_world_reset()
				 * keeps an array larger than its cap) */
	uint32_t hint;		/* no free id below this one */
	uint32_t esz;
};

#define TAB_AT(tab, T, id)	(&((T *)(tab).v)[id])
#define SPAN_TAB_INIT_CAP	8	/* elements of a new table */

/*
 * The objects of the world's tables (from here to struct
 * span_pipe_inode_info, and lib/net_int.h's) are snapshotted, hashed and
 * compared as their bytes (lib/snapshot.c): none may have implicit
 * padding, whose bytes C leaves unspecified.  Where alignment needs a gap,
 * a named pad field fills it; tables are zeroed when they grow, and
 * nothing writes a pad.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wpadded"

/* Per-byte provenance of page contents: who wrote it and when. */
struct span_prov {
	uint16_t epoch;		/* forks made before the write (w->nr_forks) */
	uint16_t who;		/* writing process << 2 | enum prov_kind */
};

/*
 * DEVIATION: 4 bytes of provenance per byte of memory, so a process id
 * above 16383 or a fork count above 65535 saturates; no scenario or
 * benchmark comes near either.
 */
#define PROV_SAT(v, max)	((v) > (max) ? (max) : (v))
#define PROV_WHO(pid, kind)	((uint16_t)(PROV_SAT((uint32_t)(pid), 0x3fffu) << 2 | \
					    ((kind) & 3)))
#define PROV_PID(pv)		((uint32_t)(pv).who >> 2)
#define PROV_KIND(pv)		((pv).who & 3)
#define STORE_WHO_MANY		0xffffu	/* several writers, or not known */
#define PROV_EPOCH(w)		((uint16_t)PROV_SAT((w)->nr_forks, 0xffffu))

enum prov_kind {
	PROV_INIT,		/* allocation-time contents (fill) */
	PROV_USER_STORE,	/* a user store into private memory */
	PROV_KERNEL_COPY,	/* copied by the kernel (write, pwrite, copy) */
};

/* Page flags (struct span_page.flags) */
#define PG_anon_exclusive	0x01
#define PG_uptodate		0x02
#define PG_lru			0x04

struct span_page {
	uint8_t live;
	uint8_t kind;		/* enum span_page_kind */
	uint8_t flags;
	uint8_t hash_ok;	/* hash[] is that of the bytes and provenance */
	uint16_t store_who;	/* who made the user stores in it: 0 none,
				 * one PROV_WHO(), or STORE_WHO_MANY */
	uint16_t pad2;
	uint32_t owner;		/* SPAN_PAGE_OWNER: the owner record */
	uint32_t file;		/* SPAN_PAGE_CACHE: the file, 0 once evicted */
	int64_t refcount;	/* folio _refcount */
	int64_t pincount;	/* exact pins (pincount=exact) */
	int64_t pins;		/* pins of either kind, for pinned_bytes */
	int64_t mapcount;
	int64_t ext_refs;	/* refs held by callers of the public API */
	int64_t ext_pins;	/* pins held by callers of the public API */
	uint64_t index;		/* SPAN_PAGE_CACHE: folio->index */
	uint64_t freed_at;	/* kept in the freed slot for reports */
	/*
	 * A cache, not state: XXH3-128 of the page's bytes followed by its
	 * provenance, for span_world_hash(), valid while hash_ok.  Whatever
	 * writes the bytes or the provenance clears hash_ok (page_dirty());
	 * a snapshot carries both with the bytes they describe.
	 */
	uint64_t hash[2];
};

struct span_owner {
	uint8_t live;
	uint8_t service_ref;	/* the service still holds its reference */
	uint8_t pad[2];
	uint32_t destructed;	/* times the destructor ran */
	int64_t refcount;
	uint64_t destructed_at;
	uint64_t bytes;		/* owner memory in bytes */
};

/* A shared span descriptor (pipe_split=desc, P3). */
enum desc_kind { DESC_PAGE_REF, DESC_PAGE_PIN, DESC_OWNER_REF };

struct span_desc {
	uint8_t live;
	uint8_t kind;		/* enum desc_kind: the reference it holds */
	uint8_t pad[2];
	uint32_t page;		/* DESC_PAGE_* */
	uint32_t owner;		/* DESC_OWNER_REF */
	uint32_t capturer;	/* pid whose memory it references (cow-leak) */
	int64_t refcount;	/* holders */
};

struct span_process {
	uint8_t live;
	uint8_t has_pinned;	/* MMF_HAS_PINNED (sticky) */
	uint8_t pad[2];
	uint32_t parent;
	uint32_t fork_epoch;	/* w->nr_forks just after it was made (0: init) */
	uint32_t pad2;
};

/* Page-table entry (in the pte pool, a range per vma). */
struct span_pte {
	uint8_t live;		/* range allocated */
	uint8_t present;
	uint8_t writable;
	uint8_t pad;
	uint32_t page;
};

struct span_vma {
	uint8_t live;
	uint8_t pad[3];
	uint32_t pid;
	uint32_t region;
	uint32_t npages;
	uint32_t pte_base;	/* first pte in w->ptes */
};

/* A region: the identity of a `mem` across fork. */
struct span_region {
	uint8_t live;
	uint8_t pad[3];
	uint32_t npages;
	uint64_t size;
};

/* An entry of the id pool (file page caches, kmem page lists). */
struct span_idref {
	uint8_t live;
	uint8_t pad[3];
	uint32_t id;
};

struct span_kmem {
	uint8_t live;
	uint8_t kind;		/* enum span_kmem_kind */
	uint8_t pad[2];
	uint32_t owner;
	uint32_t npages;
	uint32_t base;		/* page ids in w->ids */
	uint64_t size;
};

/*
 * A file's page cache is sparse: entries [0, npages) of the range of cap
 * entries at base in w->ids are the ids of the pages it holds, sorted by
 * their PAGE()->index.  A hole (an index with no entry) holds no page and
 * reads as zeros; i_size may run up to the s_maxbytes parameter.
 */
struct span_file {
	uint8_t live;
	uint8_t ro;
	uint8_t open;
	uint8_t chr;		/* 0, or the minor of a memory device (chrdev.c) */
	uint32_t npages;	/* pages in the page cache */
	uint32_t base;		/* first entry in w->ids */
	uint32_t cap;		/* entries reserved at @base */
	uint64_t size;		/* i_size */
	uint64_t pos;		/* f_pos of the one open file */
};

struct span_pipe_buffer {
	uint8_t live;		/* slot belongs to a ring */
	uint8_t ops;		/* enum span_pipe_buf_ops_id; NONE = NULL */
	uint8_t flags;		/* SPAN_PIPE_BUF_FLAG_* */
	uint8_t pad;
	uint32_t page;
	uint32_t offset, len;
	uint32_t priv;		/* desc or owner id; nosteal: zerocopy ubuf */
	uint32_t capturer;	/* pid whose private memory this references */
};

struct span_pipe_inode_info {
	uint8_t live;
	uint8_t packet;		/* the write end's file has O_DIRECT */
	uint8_t nonblock;	/* O_NONBLOCK on both ends */
	uint8_t pad;
	uint32_t head, tail;
	uint32_t max_usage, ring_size, nr_accounted;
	uint32_t readers, writers, files;
	uint32_t bufs;		/* first slot in w->slots */
	uint32_t tmp_page[2];	/* cached pages with page_count == 1 */
};

#pragma GCC diagnostic pop

#include "net_int.h"

/*
 * Scratch memory: page-sized bounce buffers for copies, in place of arrays
 * on the stack (a page may be 16 MiB; a stack is 8 MiB).  Each slot holds
 * one page of bytes and one page of provenance; world.c allocates the
 * slots with the world and reallocates them when page_size changes.  They
 * are not state: snapshots neither copy, restore nor hash them, and their
 * contents between two uses mean nothing.
 *
 * A function holds a slot from the read that fills it to the write that
 * drains it, and never for more than page_size bytes.  While it holds one
 * it calls only functions that take no slot: the readers and writers of
 * pages, iterators, skbs and pipe buffers (span__page_*, span__iter_copy,
 * span__user_copy_from, span__skb_read/write, span__pipe_buf_read_bytes,
 * span__file_write_iter, span_store), page and skb-frag allocation and
 * release, traces and violations.  Hooks may not call back into the world
 * (world.h), so no nested call can clobber a held slot.  A function that
 * must call a holder while holding a slot takes another slot: add one to
 * enum span_scratch_slot rather than nest two users of the same slot.
 */
enum span_scratch_slot {
	SCRATCH_COPY,		/* the bounce of one copy */
	SPAN_NR_SCRATCH
};

struct span_scratch {
	uint8_t *data;		/* page_size bytes */
	struct span_prov *prov;	/* page_size entries */
};

struct span_world {
	struct span_world_ops ops;
	void *ud;
	struct span_policy policy;
	uint64_t param[SPAN_NR_PARAMS];
	uint32_t page_size;
	uint32_t page_shift;

	/* step accounting */
	uint64_t step;
	int cur_tid, cur_pid;
	bool check_on;
	bool in_teardown;
	struct span_footprint fp;
	uint64_t fp_seq;		/* footprint records so far */
	uint64_t chk_fp_seq;		/* fp_seq at the last check */
	struct span_checker *chk;	/* check.c; not state */

	/* design.c; not state: the design of the whole run */
	const struct span_design_ops *design;	/* NULL: "knobs" */
	int design_pincount;		/* its pincount answer, or -1 */
	char design_err[192];		/* its first error, or "" */

	/* fault plan */
	uint64_t fault_count[SPAN_NR_FAULT_CLASSES];
	uint64_t fault_nth[SPAN_NR_FAULT_CLASSES];
	uint64_t fault_repeat[SPAN_NR_FAULT_CLASSES];
	uint64_t fault_hits[SPAN_NR_FAULT_CLASSES];

	/* invariants */
	bool allowed[SPAN_NR_INVARIANTS];
	struct span_violation *viol;
	int nr_viol, cap_viol;

	/* objects */
	struct span_tab pages;
	uint8_t *page_data;		/* page_mem_bytes, at least
					 * pages.cap * page_size */
	struct span_prov *page_prov;	/* as many entries */
	size_t page_mem_bytes;
	uint32_t pages_init;		/* the bytes of ids 1..pages_init-1
					 * are initialised (page.c) */
	uint32_t zero_page;
	struct span_scratch scratch[SPAN_NR_SCRATCH];	/* not state */
	size_t scratch_bytes;		/* of each slot, >= page_size */
	/*
	 * snapshot.c, not state: the page contents that live snapshots hold,
	 * each version once, found by its digest (snapshots of a long run
	 * share every page that did not change between them)
	 */
	struct span_page_blob **blob_bucket;
	uint32_t nr_blob_buckets, nr_blobs;
	struct span_tab owners, descs, procs, vmas, ptes, regions, ids;
	struct span_tab kmems, files, pipes, slots;
	uint64_t user_pipe_bufs;	/* user->pipe_bufs: slots of live pipes */
	uint32_t nr_forks;		/* processes made after init */
	struct span_net net;
};

/* world.c: tables; span__world_tab() is the @i-th of every table of the
 * world, in the order snapshots keep them */
#define SPAN_NR_WORLD_TABS 19
struct span_tab *span__world_tab(struct span_world *w, int i);
int span__tab_init(struct span_world *w, struct span_tab *t, uint32_t esz);
int span__tab_reserve(struct span_world *w, struct span_tab *t, uint32_t n);
void span__tab_destroy(struct span_world *w, struct span_tab *t);
uint32_t span__tab_alloc(struct span_world *w, struct span_tab *t);
void span__tab_free(struct span_tab *t, uint32_t id);
uint32_t span__tab_alloc_range(struct span_world *w, struct span_tab *t,
			       uint32_t n);
void span__tab_free_range(struct span_tab *t, uint32_t base, uint32_t n);
static inline bool span__tab_live(const struct span_tab *t, uint32_t id)
{
	return id > 0 && id < t->n && *((uint8_t *)t->v + (size_t)id * t->esz);
}

int span__page_mem_reserve(struct span_world *w, size_t cap);
void *span__alloc(struct span_world *w, size_t size);
void *span__realloc(struct span_world *w, void *p, size_t size);
void span__free(struct span_world *w, void *p);

/* world.c: fault plan, footprint, trace, violations */
bool span__fault(struct span_world *w, int cls);
void span__fp(struct span_world *w, bool write, int type, uint32_t id);
void span__fp_count(struct span_world *w, int type, uint32_t id);
void span__fp_range(struct span_world *w, uint32_t page, uint32_t off,
		    uint32_t len, bool write);
void span__fp_wait(struct span_world *w, bool fill, int type, uint32_t id);
void span__trace(struct span_world *w, const char *func, int what, int type,
		 uint32_t id, int64_t old, int64_t new, const char *msg);
int span__decide_slow(struct span_world *w, struct span_decision *d);
void span__design_check(struct span_world *w);

/*
 * span__decide - the world's design decides @d (its point, func and the
 * call's context filled in by the caller; a pid left 0 is the current
 * task's): a value of knob d->point.  The default design, "knobs", is the
 * world's policy, read without a call.
 */
static inline int span__decide(struct span_world *w, struct span_decision *d)
{
	if (__builtin_expect(!w->design, 1))
		return w->policy.v[d->point];
	return span__decide_slow(w, d);
}

/* span__decide() of knob @k for a call with no context but @func */
static inline int span__decide_knob(struct span_world *w, int k,
				    const char *func)
{
	struct span_decision d = { .point = k, .func = func };

	return span__decide(w, &d);
}

/* pincount=exact: the one world-wide decision (span_design_ops.pincount) */
static inline bool span__pincount_exact(const struct span_world *w)
{
	/* asking is not a change of state: a const world may ask */
	return span__decide_knob((struct span_world *)w, SPAN_KNOB_PINCOUNT,
				 "pincount") == SPAN_PINCOUNT_EXACT;
}

void span__blobs_destroy(struct span_world *w);

void span__violate(struct span_world *w, int inv, int type, uint32_t id,
		   const char *func, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int64_t span__refcount_max(const struct span_world *w);

/* Typed accessors */
#define PAGE(w, id)	TAB_AT((w)->pages, struct span_page, id)
#define OWNER(w, id)	TAB_AT((w)->owners, struct span_owner, id)
#define DESC(w, id)	TAB_AT((w)->descs, struct span_desc, id)
#define PROC(w, id)	TAB_AT((w)->procs, struct span_process, id)
#define VMA(w, id)	TAB_AT((w)->vmas, struct span_vma, id)
#define PTE(w, id)	TAB_AT((w)->ptes, struct span_pte, id)
#define REGION(w, id)	TAB_AT((w)->regions, struct span_region, id)
#define IDREF(w, id)	TAB_AT((w)->ids, struct span_idref, id)
#define KMEM(w, id)	TAB_AT((w)->kmems, struct span_kmem, id)
#define FILEP(w, id)	TAB_AT((w)->files, struct span_file, id)
#define PIPE(w, id)	TAB_AT((w)->pipes, struct span_pipe_inode_info, id)
#define SLOT(w, id)	TAB_AT((w)->slots, struct span_pipe_buffer, id)

static inline uint8_t *page_bytes(struct span_world *w, uint32_t page)
{
	return w->page_data + (size_t)page * w->page_size;
}

/* the bytes or the provenance of @page change: its cached hash is stale */
static inline void page_dirty(struct span_world *w, uint32_t page)
{
	PAGE(w, page)->hash_ok = 0;
}

static inline struct span_prov *page_prov(struct span_world *w, uint32_t page)
{
	return w->page_prov + (size_t)page * w->page_size;
}

/* scratch slot @slot: page_size bytes and provenance (see above) */
static inline struct span_scratch *span__scratch(struct span_world *w,
						 int slot)
{
	return &w->scratch[slot];
}

/* page.c */
uint32_t span__alloc_page(struct span_world *w, int kind, const char *func);
/* the caller overwrites every byte and its provenance */
uint32_t span__alloc_page_nozero(struct span_world *w, int kind,
				 const char *func);
bool span__page_live(const struct span_world *w, uint32_t page);
bool span__page_frozen(const struct span_world *w, uint32_t page);
bool span__try_get_page(struct span_world *w, uint32_t page, int64_t refs,
			const char *func);
void span__get_page(struct span_world *w, uint32_t page, const char *func);
void span__put_page(struct span_world *w, uint32_t page, const char *func);
int span__pin_page(struct span_world *w, uint32_t page, const char *func);
void span__unpin_page(struct span_world *w, uint32_t page, const char *func);
bool span__maybe_pinned(const struct span_world *w, uint32_t page);
void span__fp_count_test(struct span_world *w, uint32_t page, bool mapcount);
/* contents: every read and write of page bytes goes through these */
int span__page_write(struct span_world *w, uint32_t page, uint32_t off,
		     const void *src, uint32_t len, const struct span_prov *src_prov,
		     int prov_kind, const char *func, bool may_write_cache);
int span__page_read(struct span_world *w, uint32_t page, uint32_t off,
		    void *dst, uint32_t len, const char *func);
int span__page_copy(struct span_world *w, uint32_t dst, uint32_t doff,
		    uint32_t src, uint32_t soff, uint32_t len,
		    const char *func);
/* pages held for a pipe or desc: release by buffer kind */
void span__observe(struct span_world *w, uint32_t page, uint32_t off,
		   uint32_t len, uint32_t capturer, const char *func);

/* mm.c */
struct span_vma *span__find_vma(struct span_world *w, uint32_t pid,
				uint32_t region);
int span__gup(struct span_world *w, uint32_t pid, uint32_t region,
	      uint64_t off, uint32_t gup, uint32_t *page, const char *func);
int span__read_fault(struct span_world *w, uint32_t pid, uint32_t region,
		     uint64_t off);
int span__user_copy_from(struct span_world *w, uint32_t pid,
			 const struct span_src *src, uint64_t pos,
			 void *dst, struct span_prov *prov, uint32_t len);
bool span__proc_live(const struct span_world *w, uint32_t pid);
void span__kmem_release(struct span_world *w, uint32_t k, const char *func);

/* owner.c */
void span__owner_get(struct span_world *w, uint32_t owner, const char *func);
void span__owner_put(struct span_world *w, uint32_t owner, const char *func);
void span__owner_destruct_work(struct span_world *w, uint32_t owner);
uint32_t span__desc_create(struct span_world *w, int kind, uint32_t page,
			   uint32_t owner, uint32_t capturer);
void span__desc_get(struct span_world *w, uint32_t desc, const char *func);
void span__desc_put(struct span_world *w, uint32_t desc, const char *func);
bool span__owner_memory_page(const struct span_world *w, uint32_t page,
			     uint32_t *owner);

/* pipe.c */
struct span_pipe_inode_info *span__get_pipe_info(struct span_world *w,
						 int fd, bool *read_end);
/* the buffer in ring slot @idx (pipe->bufs[idx & (ring_size - 1)]) */
static inline struct span_pipe_buffer *
span__pipe_buf(struct span_world *w, struct span_pipe_inode_info *pipe,
	       uint32_t idx)
{
	return SLOT(w, pipe->bufs + (idx & (pipe->ring_size - 1)));
}
static inline uint32_t pipe_occupancy(const struct span_pipe_inode_info *p)
{
	return p->head - p->tail;
}
static inline bool pipe_empty(const struct span_pipe_inode_info *p)
{
	return p->head == p->tail;
}
static inline bool pipe_full(const struct span_pipe_inode_info *p)
{
	return pipe_occupancy(p) >= p->max_usage;
}
uint32_t span__pipe_id(struct span_world *w,
		       const struct span_pipe_inode_info *pipe);
int span__pipe_ioctl(struct span_world *w, struct span_pipe_inode_info *pipe,
		     unsigned int cmd, int *arg);
/*
 * The buffer at pipe->head is filled: make it part of the pipe (the
 * kernel's pipe->head = head + 1); the footprint notes a pipe made
 * non-empty.
 */
static inline void span__pipe_push(struct span_world *w,
				   struct span_pipe_inode_info *pipe)
{
	pipe->head++;
	if (pipe_occupancy(pipe) == 1)
		span__fp_wait(w, true, SPAN_OBJ_PIPE,
			      span__pipe_id(w, pipe));
}
void span__pipe_buf_release(struct span_world *w,
			    struct span_pipe_inode_info *pipe,
			    struct span_pipe_buffer *buf);
bool span__pipe_buf_get(struct span_world *w, struct span_pipe_buffer *buf);
bool span__pipe_buf_try_steal(struct span_world *w,
			      struct span_pipe_buffer *buf);
void span__pipe_consume(struct span_world *w,
			struct span_pipe_inode_info *pipe);
struct span_pipe_buffer *
span__splice_from_pipe_next(struct span_world *w,
			    struct span_pipe_inode_info *pipe, bool nonblock,
			    ssize_t *ret);
int span__pipe_buf_confirm(struct span_world *w, struct span_pipe_buffer *buf);
int span__pipe_close_end(struct span_world *w, uint32_t pipe, bool read_end);
ssize_t span__pipe_write(struct span_world *w, uint32_t pid,
			 struct span_pipe_inode_info *pipe,
			 const struct span_src *src, size_t len,
			 unsigned int flags, size_t *done);
ssize_t span__pipe_read(struct span_world *w, uint32_t pid,
			struct span_pipe_inode_info *pipe, void *out,
			size_t len, unsigned int flags);
void span__trace_buf(struct span_world *w, const char *func,
		     struct span_pipe_inode_info *pipe,
		     const struct span_pipe_buffer *buf, const char *why);
void span__pipe_buf_read_bytes(struct span_world *w,
			       struct span_pipe_buffer *buf, uint32_t off,
			       void *dst, struct span_prov *prov, uint32_t len,
			       const char *func);

/* filemap.c */
uint32_t span__file_page(struct span_world *w, uint32_t file, uint64_t index);
ssize_t span__filemap_splice_read(struct span_world *w, uint32_t file,
				  uint64_t *ppos,
				  struct span_pipe_inode_info *pipe,
				  size_t len);
ssize_t span__file_write_iter(struct span_world *w, uint32_t pid,
			      uint32_t file, uint64_t pos, const void *data,
			      const struct span_prov *prov, size_t len);

void span__file_evict(struct span_world *w, uint32_t file);

/* chrdev.c: the memory devices' file_operations, by minor */
ssize_t span__chr_read(struct span_world *w, uint32_t file, void *out,
		       size_t len);
ssize_t span__chr_write(struct span_world *w, uint32_t file, size_t len);
ssize_t span__chr_splice_read(struct span_world *w, uint32_t file,
			      struct span_pipe_inode_info *pipe, size_t len);
ssize_t span__chr_splice_write(struct span_world *w, uint32_t file,
			       struct span_pipe_inode_info *pipe, size_t len,
			       bool nonblock);
ssize_t span__file_read(struct span_world *w, uint32_t file, void *out,
			size_t len);

/* socket side of splice and the fd layer (socket.c, tcp.c, af_unix.c) */
ssize_t span__splice_to_socket(struct span_world *w, uint32_t pid,
			       struct span_pipe_inode_info *pipe, int fd,
			       size_t len, unsigned int flags, bool nonblock);
ssize_t span__sock_splice_read(struct span_world *w, uint32_t pid, int fd,
			       uint64_t *off_in,
			       struct span_pipe_inode_info *pipe, size_t len,
			       unsigned int flags, bool nonblock);
bool span__sock_valid(const struct span_world *w, uint32_t sock);
int span__sock_close(struct span_world *w, uint32_t sock);
int span__sock_ioctl(struct span_world *w, uint32_t sock, unsigned int cmd,
		     int *arg);
int span__net_init(struct span_world *w);
void span__net_canon(struct span_world *w,
		     void (*sink)(void *ctx, const void *p, size_t n),
		     void *ctx);
void span__net_destroy(struct span_world *w);
void span__net_teardown(struct span_world *w);

/* check.c */
/* ids a footprint key holds (world.c fp_key()): 24 bits, as every id
 * (tab_grow() caps a table there) */
#define SPAN_FP_ID_MAX	0xffffffu

/* check.c: what the checker counts, per target id */
enum span_ck {
	SPAN_CK_REF,		/* page references (pins excluded) */
	SPAN_CK_PIN,		/* page pins */
	SPAN_CK_MAP,		/* ptes mapping a page */
	SPAN_CK_OWNER,		/* owner references */
	SPAN_CK_DESC,		/* descriptor holders */
	SPAN_NR_CK
};
struct span_chk_rec;
struct span_counts {
	int64_t *v[SPAN_NR_CK];
	uint32_t n[SPAN_NR_CK];		/* ids the arrays cover */
	struct span_chk_rec *rec;	/* the holder being counted, or NULL */
	bool quiet;		/* find, do not report: set @suspect */
	bool defer;		/* record the items only (check.c recount()) */
	bool suspect;
	bool oom;
};
void span__count(struct span_world *w, struct span_counts *c, int kind,
		 uint32_t id, int64_t n);
void span__count_page(struct span_world *w, struct span_counts *c, int kind,
		      uint32_t page, const char *holder);
void span__count_page_ref(struct span_world *w, struct span_counts *c,
			  uint32_t page, const char *holder);
void span__check_violate(struct span_world *w, struct span_counts *c,
			 int inv, int type, uint32_t id, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void span__net_account(struct span_world *w, struct span_counts *c);
bool span__net_refers_owner(struct span_world *w, uint32_t owner);
int span__checker_create(struct span_world *w);
void span__checker_destroy(struct span_world *w);
void span__check_invalidate(struct span_world *w);
void span__check_step(struct span_world *w);
void span__owner_destructed_check(struct span_world *w, uint32_t owner);

/* split between two processes: the fork epoch from which their memory is
 * private to each */
uint32_t span__split_epoch(const struct span_world *w, uint32_t a, uint32_t b);

#define page_size_of(w) ((w)->page_size)

#endif
