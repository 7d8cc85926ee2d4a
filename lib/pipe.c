// SPDX-License-Identifier: MIT
/*
 * pipe.c - pipes: the ring of pipe_buffers, write merging, packet mode,
 * read, blocking, EOF, EPIPE, F_SETPIPE_SZ/F_GETPIPE_SZ.
 *
 * Models fs/pipe.c of v6.18 (anon_pipe_write(), anon_pipe_read(),
 * anon_pipe_get_page()/anon_pipe_put_page(), pipe_release(),
 * pipe_set_size(), pipe_resize_ring(), round_pipe_size()) and the
 * pipe_buf_operations tables of fs/pipe.c and fs/splice.c.
 *
 * Slots keep their old contents when a buffer is released: only ops is
 * cleared (pipe_buf_release() sets buf->ops = NULL), so flags left in a
 * free slot are there for the next producer to (not) initialise.  That is
 * how pipe_buf_init=stale (Dirty Pipe) is expressed.
 */
#include <stdio.h>

#include "internal.h"

/* --- pipe_buf_operations ---------------------------------------------- */

/*
 * struct pipe_buf_ops - the ops of one buffer kind.
 *
 * Note on the nesting: pipe_buf_release() clears buf->ops before calling
 * ->release, so a double release finds ops == NULL and is reported.
 */
struct pipe_buf_ops {
	const char *name;
	void (*release)(struct span_world *w,
			struct span_pipe_inode_info *pipe,
			struct span_pipe_buffer *buf);
	bool (*get)(struct span_world *w, struct span_pipe_buffer *buf);
	bool (*try_steal)(struct span_world *w, struct span_pipe_buffer *buf);
};

/* anon_pipe_put_page(): cache a page nobody else holds in tmp_page[] */
static void anon_pipe_buf_release(struct span_world *w,
				  struct span_pipe_inode_info *pipe,
				  struct span_pipe_buffer *buf)
{
	uint32_t page = buf->page;

	span__fp_count_test(w, page, false);
	if (span__page_live(w, page) && PAGE(w, page)->refcount == 1) {
		for (int i = 0; i < 2; i++) {
			if (!pipe->tmp_page[i]) {
				pipe->tmp_page[i] = page;
				span__trace(w, "anon_pipe_put_page", SPAN_TR_NOTE,
					    SPAN_OBJ_PAGE, page, 1, 1,
					    "cached in tmp_page");
				return;
			}
		}
	}
	span__put_page(w, page, "anon_pipe_put_page");
}

/* generic_pipe_buf_release() / page_cache_pipe_buf_release() */
static void generic_pipe_buf_release(struct span_world *w,
				     struct span_pipe_inode_info *pipe,
				     struct span_pipe_buffer *buf)
{
	(void)pipe;
	buf->flags &= ~SPAN_PIPE_BUF_FLAG_LRU;
	span__put_page(w, buf->page, "generic_pipe_buf_release");
}

static void user_pin_pipe_buf_release(struct span_world *w,
				      struct span_pipe_inode_info *pipe,
				      struct span_pipe_buffer *buf)
{
	(void)pipe;
	span__unpin_page(w, buf->page, "unpin_user_page");
}

static void desc_pipe_buf_release(struct span_world *w,
				  struct span_pipe_inode_info *pipe,
				  struct span_pipe_buffer *buf)
{
	(void)pipe;
	span__desc_put(w, buf->priv, "span_desc_pipe_buf_release");
}

static void owner_pipe_buf_release(struct span_world *w,
				   struct span_pipe_inode_info *pipe,
				   struct span_pipe_buffer *buf)
{
	(void)pipe;
	span__owner_put(w, buf->priv, "owner_pipe_buf_release");
}

/* generic_pipe_buf_get() -> try_get_page() */
static bool generic_pipe_buf_get(struct span_world *w,
				 struct span_pipe_buffer *buf)
{
	return span__try_get_page(w, buf->page, 1, "generic_pipe_buf_get");
}

static bool user_pin_pipe_buf_get(struct span_world *w,
				  struct span_pipe_buffer *buf)
{
	/* one more pin of the buffer's kind (folio_add_pin()) */
	return !span__pin_page(w, buf->page, "folio_add_pin");
}

static bool desc_pipe_buf_get(struct span_world *w,
			      struct span_pipe_buffer *buf)
{
	span__desc_get(w, buf->priv, "span_desc_pipe_buf_get");
	return true;
}

static bool owner_pipe_buf_get(struct span_world *w,
			       struct span_pipe_buffer *buf)
{
	span__owner_get(w, buf->priv, "owner_pipe_buf_get");
	return true;
}

/* generic_pipe_buf_try_steal(): page_count == 1 */
static bool generic_pipe_buf_try_steal(struct span_world *w,
				       struct span_pipe_buffer *buf)
{
	span__fp_count_test(w, buf->page, false);
	return span__page_live(w, buf->page) &&
	       PAGE(w, buf->page)->refcount == 1;
}

/* user_page_pipe_buf_try_steal(): only gifts */
static bool user_page_pipe_buf_try_steal(struct span_world *w,
					 struct span_pipe_buffer *buf)
{
	if (!(buf->flags & SPAN_PIPE_BUF_FLAG_GIFT))
		return false;
	buf->flags |= SPAN_PIPE_BUF_FLAG_LRU;
	return generic_pipe_buf_try_steal(w, buf);
}

static const struct pipe_buf_ops pipe_buf_ops[SPAN_NR_PBO] = {
	[SPAN_PBO_NONE] = { .name = "NULL" },
	[SPAN_PBO_ANON] = { "anon_pipe_buf_ops", anon_pipe_buf_release,
			    generic_pipe_buf_get, generic_pipe_buf_try_steal },
	[SPAN_PBO_PAGE_CACHE] = { "page_cache_pipe_buf_ops",
				  generic_pipe_buf_release,
				  generic_pipe_buf_get, NULL },
	[SPAN_PBO_USER_PAGE] = { "user_page_pipe_buf_ops",
				 generic_pipe_buf_release,
				 generic_pipe_buf_get,
				 user_page_pipe_buf_try_steal },
	[SPAN_PBO_USER_PIN] = { "user_pin_pipe_buf_ops",
				user_pin_pipe_buf_release,
				user_pin_pipe_buf_get, NULL },
	[SPAN_PBO_DESC] = { "span_desc_pipe_buf_ops", desc_pipe_buf_release,
			    desc_pipe_buf_get, NULL },
	[SPAN_PBO_DEFAULT] = { "default_pipe_buf_ops",
			       generic_pipe_buf_release, generic_pipe_buf_get,
			       generic_pipe_buf_try_steal },
	[SPAN_PBO_NOSTEAL] = { "nosteal_pipe_buf_ops",
			       generic_pipe_buf_release, generic_pipe_buf_get,
			       NULL },
	[SPAN_PBO_OWNER] = { "owner_pipe_buf_ops", owner_pipe_buf_release,
			     owner_pipe_buf_get, NULL },
};

const char *span_pipe_buf_ops_name(int ops)
{
	if (ops < 0 || ops >= SPAN_NR_PBO)
		return NULL;
	return pipe_buf_ops[ops].name;
}

/* pipe_buf_release(): clear ops first, then ->release */
void span__pipe_buf_release(struct span_world *w,
			    struct span_pipe_inode_info *pipe,
			    struct span_pipe_buffer *buf)
{
	uint8_t ops = buf->ops;

	if (ops == SPAN_PBO_NONE || ops >= SPAN_NR_PBO) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PIPE,
			      span__pipe_id(w, pipe), "pipe_buf_release",
			      "pipe_buf_release: release of a released buffer");
		return;
	}
	buf->ops = SPAN_PBO_NONE;
	pipe_buf_ops[ops].release(w, pipe, buf);
}

/* pipe_buf_get(): __must_check; false makes tee/splice fail -EFAULT */
bool span__pipe_buf_get(struct span_world *w, struct span_pipe_buffer *buf)
{
	if (buf->ops == SPAN_PBO_NONE || buf->ops >= SPAN_NR_PBO)
		return false;
	return pipe_buf_ops[buf->ops].get(w, buf);
}

/* pipe_buf_try_steal(): NULL means refused */
bool span__pipe_buf_try_steal(struct span_world *w,
			      struct span_pipe_buffer *buf)
{
	if (!pipe_buf_ops[buf->ops].try_steal)
		return false;
	return pipe_buf_ops[buf->ops].try_steal(w, buf);
}

/*
 * pipe_buf_confirm(): page_cache_pipe_buf_confirm() returns -ENODATA for a
 * truncated folio and -EIO for one that is not uptodate; every other ops
 * has no ->confirm.
 */
int span__pipe_buf_confirm(struct span_world *w, struct span_pipe_buffer *buf)
{
	if (buf->ops != SPAN_PBO_PAGE_CACHE)
		return 0;
	if (!span__page_live(w, buf->page))
		return 0;	/* the read reports the use-after-free */
	if (!(PAGE(w, buf->page)->flags & PG_uptodate))
		return -EIO;
	return 0;
}

/*
 * span__trace_buf - a buffer was added at the head of @pipe: trace the
 * slot's contents ("page#3 +0 len 1 user_page_pipe_buf_ops GIFT").
 */
void span__trace_buf(struct span_world *w, const char *func,
		     struct span_pipe_inode_info *pipe,
		     const struct span_pipe_buffer *buf, const char *why)
{
	char msg[160];

	if (!w->ops.trace)
		return;
	snprintf(msg, sizeof(msg), "page#%u +%u len %u %s%s%s%s%s%s", buf->page,
		 buf->offset, buf->len, span_pipe_buf_ops_name(buf->ops),
		 buf->flags & SPAN_PIPE_BUF_FLAG_CAN_MERGE ? " CAN_MERGE" : "",
		 buf->flags & SPAN_PIPE_BUF_FLAG_GIFT ? " GIFT" : "",
		 buf->flags & SPAN_PIPE_BUF_FLAG_PACKET ? " PACKET" : "",
		 why ? ", " : "", why ? why : "");
	span__trace(w, func, SPAN_TR_QUEUE, SPAN_OBJ_PIPE, span__pipe_id(w, pipe),
		    pipe_occupancy(pipe) - 1, pipe_occupancy(pipe), msg);
}

/* copy bytes out of a buffer, checking what they were captured from */
void span__pipe_buf_read_bytes(struct span_world *w,
			       struct span_pipe_buffer *buf, uint32_t off,
			       void *dst, struct span_prov *prov, uint32_t len,
			       const char *func)
{
	uint32_t page = buf->page;

	if (span__page_read(w, page, buf->offset + off, dst, len, func)) {
		memset(dst, 0, len);
		if (prov)
			memset(prov, 0, len * sizeof(*prov));
		return;
	}
	if (prov)
		memcpy(prov, page_prov(w, page) + buf->offset + off,
		       len * sizeof(*prov));
	span__observe(w, page, buf->offset + off, len, buf->capturer, func);
}

/* --- the ring ----------------------------------------------------------- */

uint32_t span__pipe_id(struct span_world *w,
		       const struct span_pipe_inode_info *pipe)
{
	return (uint32_t)(pipe - (struct span_pipe_inode_info *)w->pipes.v);
}

struct span_pipe_inode_info *span__get_pipe_info(struct span_world *w, int fd,
						 bool *read_end)
{
	int type = SPAN_FD_TYPE(fd);
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);
	struct span_pipe_inode_info *pipe;

	if (type != SPAN_FD_PIPE_R && type != SPAN_FD_PIPE_W)
		return NULL;
	if (!span__tab_live(&w->pipes, id))
		return NULL;
	pipe = PIPE(w, id);
	if (type == SPAN_FD_PIPE_R && !pipe->readers)
		return NULL;
	if (type == SPAN_FD_PIPE_W && !pipe->writers)
		return NULL;
	if (read_end)
		*read_end = type == SPAN_FD_PIPE_R;
	return pipe;
}

static uint32_t roundup_pow_of_two32(uint32_t v)
{
	uint32_t r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

/* account_pipe_buffers(): the world is one unprivileged user */
static uint64_t user_pipe_bufs(struct span_world *w)
{
	return w->user_pipe_bufs;
}

int span_pipe_create(struct span_world *w, unsigned int flags, int *pipe)
{
	struct span_pipe_inode_info *p;
	uint32_t id, slots, base;
	uint64_t soft = w ? w->param[SPAN_PARAM_PIPE_USER_PAGES_SOFT] : 0;
	uint64_t hard = w ? w->param[SPAN_PARAM_PIPE_USER_PAGES_HARD] : 0;

	if (!w || !pipe)
		return -EINVAL;
	if (flags & ~(SPAN_PIPE_PACKET | SPAN_PIPE_NONBLOCK))
		return -EINVAL;	/* __do_pipe_flags() */
	/* KREF: fs/pipe.c alloc_pipe_info() */
	slots = roundup_pow_of_two32((uint32_t)w->param[SPAN_PARAM_PIPE_BUFFERS]);
	if ((uint64_t)slots * w->page_size > w->param[SPAN_PARAM_PIPE_MAX_SIZE])
		slots = (uint32_t)(w->param[SPAN_PARAM_PIPE_MAX_SIZE] >>
				   w->page_shift);
	/*
	 * DEVIATION: a model page larger than pipe_max_size (2 MiB or more
	 * with the default 1 MiB) leaves no slot here.  The kernel's
	 * pipe-max-size is never below PAGE_SIZE (round_pipe_size()), so a
	 * pipe gets at least one slot there; so it does here.
	 */
	if (!slots)
		slots = 1;
	if (soft && user_pipe_bufs(w) + slots > soft)
		slots = 2 < slots ? 2 : slots;	/* PIPE_MIN_DEF_BUFFERS */
	if (hard && user_pipe_bufs(w) + slots > hard)
		return -ENFILE;
	id = span__tab_alloc(w, &w->pipes);
	if (!id)
		return -ENOMEM;
	base = span__tab_alloc_range(w, &w->slots, slots);
	if (!base) {
		span__tab_free(&w->pipes, id);
		return -ENOMEM;
	}
	p = PIPE(w, id);
	p->bufs = base;
	p->ring_size = p->max_usage = p->nr_accounted = slots;
	w->user_pipe_bufs += slots;
	p->readers = p->writers = 1;
	p->files = 2;
	p->packet = !!(flags & SPAN_PIPE_PACKET);
	p->nonblock = !!(flags & SPAN_PIPE_NONBLOCK);
	span__fp(w, true, SPAN_OBJ_PIPE, id);
	span__trace(w, "alloc_pipe_info", SPAN_TR_ALLOC, SPAN_OBJ_PIPE, id, 0,
		    slots, NULL);
	*pipe = (int)id;
	return 0;
}

/* free_pipe_info(): release every buffer, the tmp_pages and the ring */
static void free_pipe_info(struct span_world *w, uint32_t id)
{
	struct span_pipe_inode_info *p = PIPE(w, id);

	for (uint32_t i = p->tail; i != p->head; i++) {
		struct span_pipe_buffer *buf = span__pipe_buf(w, p, i);

		if (buf->ops)
			span__pipe_buf_release(w, p, buf);
	}
	for (int i = 0; i < 2; i++) {
		if (p->tmp_page[i])
			span__put_page(w, p->tmp_page[i], "free_pipe_info");
		p->tmp_page[i] = 0;
	}
	span__trace(w, "free_pipe_info", SPAN_TR_FREE, SPAN_OBJ_PIPE, id, 0, 0,
		    NULL);
	span__tab_free_range(&w->slots, p->bufs, p->ring_size);
	w->user_pipe_bufs -= p->nr_accounted;
	p->live = 0;
	span__tab_free(&w->pipes, id);
}

/* pipe_release() of one end */
int span__pipe_close_end(struct span_world *w, uint32_t id, bool read_end)
{
	struct span_pipe_inode_info *p = PIPE(w, id);

	span__fp(w, true, SPAN_OBJ_PIPE, id);
	if (read_end) {
		if (!p->readers)
			return -EBADF;
		p->readers--;
	} else {
		if (!p->writers)
			return -EBADF;
		p->writers--;
	}
	span__trace(w, "pipe_release", SPAN_TR_NOTE, SPAN_OBJ_PIPE, id, 0, 0,
		    read_end ? "close read end" : "close write end");
	if (!--p->files)
		free_pipe_info(w, id);
	return 0;
}

/*
 * anon_pipe_get_page(): a cached tmp_page, else alloc_page().  KREF: the
 * page is not zeroed (GFP_HIGHUSER, no __GFP_ZERO), like a page back from
 * the tmp_page cache: only the bytes the write puts in it are ever read.
 */
static uint32_t anon_pipe_get_page(struct span_world *w,
				   struct span_pipe_inode_info *pipe)
{
	for (int i = 1; i >= 0; i--) {
		if (pipe->tmp_page[i]) {
			uint32_t page = pipe->tmp_page[i];

			pipe->tmp_page[i] = 0;
			return page;
		}
	}
	return span__alloc_page_nozero(w, SPAN_PAGE_PIPE, "anon_pipe_get_page");
}

static bool ranges_meet(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * merge_hits_shared - would merging @len bytes at @off of @buf's page write
 * bytes that someone else can see: another pipe buffer or skb frag over
 * them, or a user mapping of the page?  Appending past every other
 * holder's range is harmless (mainline merges into pages a tee shares,
 * beyond the tee'd bytes); writing under one is the tee merge bug.
 */
static bool merge_hits_shared(struct span_world *w,
			      const struct span_pipe_buffer *buf, uint32_t off,
			      uint32_t len)
{
	uint32_t page = buf->page;

	span__fp_count_test(w, page, true);
	if (PAGE(w, page)->mapcount)
		return true;
	if (PAGE(w, page)->refcount == 1)
		return false;	/* this buffer is the only holder */
	/* a scan of every pipe and skb: the step depends on all of them */
	w->fp.overflow = true;
	for (uint32_t id = 1; id < w->pipes.n; id++) {
		struct span_pipe_inode_info *q = PIPE(w, id);

		if (!q->live)
			continue;
		for (uint32_t i = q->tail; i != q->head; i++) {
			struct span_pipe_buffer *b = span__pipe_buf(w, q, i);

			if (b != buf && b->ops && b->page == page &&
			    ranges_meet(b->offset, b->len, off, len))
				return true;
		}
	}
	for (uint32_t i = 1; i < w->net.shinfos.n; i++) {
		struct span_skb_shared_info *sh =
			TAB_AT(w->net.shinfos, struct span_skb_shared_info, i);

		if (!sh->live)
			continue;
		for (int f = 0; f < sh->nr_frags; f++)
			if (sh->frags[f].page == page &&
			    ranges_meet(sh->frags[f].offset, sh->frags[f].len,
					off, len))
				return true;
	}
	return false;
}

/*
 * span__pipe_write - anon_pipe_write().
 * KREF: fs/pipe.c anon_pipe_write(): merge the first (len % PAGE_SIZE)
 * bytes into the last buffer if it has CAN_MERGE, then one page per slot.
 */
ssize_t span__pipe_write(struct span_world *w, uint32_t pid,
			 struct span_pipe_inode_info *pipe,
			 const struct span_src *src, size_t total,
			 unsigned int flags, size_t *done)
{
	uint32_t id = span__pipe_id(w, pipe);
	bool nonblock = (flags & SPAN_O_NONBLOCK) || pipe->nonblock;
	/* the bounce buffer of copy_page_from_iter(), a page at most */
	struct span_scratch *tmp = span__scratch(w, SCRATCH_COPY);
	size_t ps = w->page_size;
	ssize_t ret = 0;
	int err;

	span__fp(w, true, SPAN_OBJ_PIPE, id);
	if (!total)
		return 0;
	if (!*done) {
		size_t chars = total & (ps - 1);

		if (!pipe->readers)
			return -EPIPE;	/* + SIGPIPE */
		if (chars && !pipe_empty(pipe)) {
			struct span_pipe_buffer *buf =
				span__pipe_buf(w, pipe, pipe->head - 1);

			if ((buf->flags & SPAN_PIPE_BUF_FLAG_CAN_MERGE) &&
			    buf->ops && buf->offset + buf->len + chars <= ps) {
				err = span__pipe_buf_confirm(w, buf);
				if (err)
					return err;
				if (span__user_copy_from(w, pid, src, 0,
							 tmp->data, tmp->prov,
							 (uint32_t)chars))
					return -EFAULT;
				if (PAGE(w, buf->page)->kind != SPAN_PAGE_CACHE &&
				    merge_hits_shared(w, buf, buf->offset + buf->len,
						      (uint32_t)chars))
					span__violate(w, SPAN_INV_SHARED_MERGE,
						      SPAN_OBJ_PAGE, buf->page,
						      "anon_pipe_write",
						      "anon_pipe_write: merge writes bytes %u-%u of page#%u (%s, refcount %lld) that another holder still sees",
						      buf->offset + buf->len,
						      buf->offset + buf->len + (uint32_t)chars - 1,
						      buf->page,
						      span_page_kind_name(PAGE(w, buf->page)->kind),
						      (long long)PAGE(w, buf->page)->refcount);
				span__page_write(w, buf->page,
						 buf->offset + buf->len,
						 tmp->data, (uint32_t)chars,
						 tmp->prov, 0, "anon_pipe_write",
						 false);
				buf->len += (uint32_t)chars;
				*done = chars;
				if (chars == total)
					return (ssize_t)total;
			}
		}
	}
	for (;;) {
		if (!pipe->readers) {
			ret = *done ? (ssize_t)*done : -EPIPE;
			break;
		}
		if (!pipe_full(pipe)) {
			struct span_pipe_buffer *buf;
			size_t n = total - *done < ps ? total - *done : ps;
			uint32_t page = anon_pipe_get_page(w, pipe);

			if (!page) {
				ret = *done ? (ssize_t)*done : -ENOMEM;
				break;
			}
			if (span__user_copy_from(w, pid, src, *done, tmp->data,
						 tmp->prov, (uint32_t)n)) {
				/* the page goes back to the cache */
				if (!pipe->tmp_page[0])
					pipe->tmp_page[0] = page;
				else
					span__put_page(w, page, "anon_pipe_write");
				ret = *done ? (ssize_t)*done : -EFAULT;
				break;
			}
			span__page_write(w, page, 0, tmp->data, (uint32_t)n,
					 tmp->prov, 0, "anon_pipe_write", false);
			buf = span__pipe_buf(w, pipe, pipe->head);
			buf->page = page;
			buf->offset = 0;
			buf->len = (uint32_t)n;
			buf->ops = SPAN_PBO_ANON;
			buf->priv = 0;
			buf->capturer = 0;
			buf->flags = pipe->packet ? SPAN_PIPE_BUF_FLAG_PACKET :
						    SPAN_PIPE_BUF_FLAG_CAN_MERGE;
			span__pipe_push(w, pipe);
			span__trace_buf(w, "anon_pipe_write", pipe, buf, NULL);
			*done += n;
			if (*done == total) {
				ret = (ssize_t)total;
				break;
			}
			continue;
		}
		if (nonblock) {
			ret = *done ? (ssize_t)*done : -EAGAIN;
			break;
		}
		ret = -SPAN_EWOULDSLEEP;	/* pipe_wait_writable() */
		break;
	}
	return ret;
}

/* pipe_update_tail(): release a consumed buffer and advance */
void span__pipe_consume(struct span_world *w, struct span_pipe_inode_info *pipe)
{
	struct span_pipe_buffer *buf = span__pipe_buf(w, pipe, pipe->tail);

	if (buf->ops)
		span__pipe_buf_release(w, pipe, buf);
	pipe->tail++;
}

/*
 * span__pipe_read - anon_pipe_read().
 * KREF: fs/pipe.c anon_pipe_read(): never waits once something was read;
 * a PACKET buffer ends the read and the rest of the packet is discarded.
 */
ssize_t span__pipe_read(struct span_world *w, uint32_t pid,
			struct span_pipe_inode_info *pipe, void *out,
			size_t total, unsigned int flags)
{
	uint32_t id = span__pipe_id(w, pipe);
	bool nonblock = (flags & SPAN_O_NONBLOCK) || pipe->nonblock;
	uint8_t *dst = out;
	ssize_t ret = 0;

	(void)pid;
	span__fp(w, true, SPAN_OBJ_PIPE, id);
	if (!total)
		return 0;
	/* empty, with writers, this read would sleep (pipe_wait_readable()) */
	if (!nonblock && !pipe_empty(pipe) && pipe->writers)
		span__fp_wait(w, false, SPAN_OBJ_PIPE, id);
	while (!pipe_empty(pipe)) {
		struct span_pipe_buffer *buf = span__pipe_buf(w, pipe, pipe->tail);
		size_t chars = buf->len < total - (size_t)ret ?
				       buf->len : total - (size_t)ret;
		int err;

		if (buf->len > chars && (buf->flags & SPAN_PIPE_BUF_FLAG_WHOLE)) {
			if (!ret)
				ret = -ENOBUFS;
			break;
		}
		err = span__pipe_buf_confirm(w, buf);
		if (err) {
			if (!ret)
				ret = err;
			break;
		}
		if (chars) {
			if (span__fault(w, SPAN_FAULT_COPY)) {
				if (!ret)
					ret = -EFAULT;
				break;
			}
			span__pipe_buf_read_bytes(w, buf, 0, dst + ret, NULL,
						  (uint32_t)chars,
						  "anon_pipe_read");
			ret += (ssize_t)chars;
			buf->offset += (uint32_t)chars;
			buf->len -= (uint32_t)chars;
		}
		if (buf->flags & SPAN_PIPE_BUF_FLAG_PACKET) {
			total = (size_t)ret;
			buf->len = 0;
		}
		if (!buf->len)
			span__pipe_consume(w, pipe);
		if ((size_t)ret == total)
			break;
	}
	if (ret)
		return ret;
	if (!pipe->writers)
		return 0;
	if (nonblock)
		return -EAGAIN;
	return -SPAN_EWOULDSLEEP;	/* pipe_wait_readable() */
}

/* --- F_SETPIPE_SZ ------------------------------------------------------ */

/* round_pipe_size(): 0 for an oversized request */
static uint64_t round_pipe_size(struct span_world *w, uint64_t size)
{
	if (size > (1ull << 31))
		return 0;
	if (size < w->page_size)
		return w->page_size;
	return roundup_pow_of_two32((uint32_t)size);
}

int64_t span_pipe_set_size(struct span_world *w, int fd, uint64_t arg)
{
	struct span_pipe_inode_info *p;
	uint64_t size, soft, hard, user;
	uint32_t nr_slots, n, base, old_base, old_ring, id;

	if (!w)
		return -EINVAL;
	p = span__get_pipe_info(w, fd, NULL);
	if (!p)
		return -EBADF;	/* get_pipe_info() */
	id = span__pipe_id(w, p);
	span__fp(w, true, SPAN_OBJ_PIPE, id);
	/* KREF: pipe_fcntl() takes the argument as an unsigned int */
	arg = (uint32_t)arg;
	size = round_pipe_size(w, arg);
	if (!size)
		return -EINVAL;
	nr_slots = (uint32_t)(size >> w->page_shift);
	/* unprivileged: no CAP_SYS_RESOURCE */
	if (nr_slots > p->max_usage &&
	    size > w->param[SPAN_PARAM_PIPE_MAX_SIZE])
		return -EPERM;
	soft = w->param[SPAN_PARAM_PIPE_USER_PAGES_SOFT];
	hard = w->param[SPAN_PARAM_PIPE_USER_PAGES_HARD];
	user = user_pipe_bufs(w) - p->nr_accounted + nr_slots;
	if (nr_slots > p->nr_accounted &&
	    ((hard && user > hard) || (soft && user > soft)))
		return -EPERM;
	/* pipe_resize_ring() */
	n = pipe_occupancy(p);
	if (nr_slots < n)
		return -EBUSY;
	base = span__tab_alloc_range(w, &w->slots, nr_slots);
	if (!base)
		return -ENOMEM;
	p = PIPE(w, id);	/* the table did not move, but be plain */
	for (uint32_t i = 0; i < n; i++)
		*SLOT(w, base + i) = *span__pipe_buf(w, p, p->tail + i);
	old_base = p->bufs;
	old_ring = p->ring_size;
	span__tab_free_range(&w->slots, old_base, old_ring);
	p->bufs = base;
	p->tail = 0;
	p->head = n;
	w->user_pipe_bufs += nr_slots;
	w->user_pipe_bufs -= p->nr_accounted;
	p->ring_size = p->max_usage = p->nr_accounted = nr_slots;
	span__trace(w, "pipe_resize_ring", SPAN_TR_NOTE, SPAN_OBJ_PIPE, id,
		    old_ring, nr_slots, NULL);
	return (int64_t)nr_slots * w->page_size;
}

int64_t span_pipe_get_size(const struct span_world *w, int fd)
{
	struct span_pipe_inode_info *p;

	if (!w)
		return -EINVAL;
	p = span__get_pipe_info((struct span_world *)w, fd, NULL);
	if (!p)
		return -EBADF;
	return (int64_t)p->max_usage * w->page_size;
}

/*
 * span_pipe_fcntl - KREF: fs/pipe.c pipe_fcntl(): get_pipe_info() first
 * (-EBADF for anything but a pipe), then F_SETPIPE_SZ -> pipe_set_size(),
 * F_GETPIPE_SZ -> pipe->max_usage * PAGE_SIZE, anything else -EINVAL.
 */
int64_t span_pipe_fcntl(struct span_world *w, int fd, unsigned int cmd,
			uint64_t arg)
{
	struct span_pipe_inode_info *p;

	if (!w)
		return -EINVAL;
	p = span__get_pipe_info(w, fd, NULL);
	if (!p)
		return -EBADF;
	switch (cmd) {
	case SPAN_F_SETPIPE_SZ:
		return span_pipe_set_size(w, fd, arg);
	case SPAN_F_GETPIPE_SZ:
		span__fp(w, false, SPAN_OBJ_PIPE, span__pipe_id(w, p));
		return (int64_t)p->max_usage * w->page_size;
	default:
		return -EINVAL;
	}
}

/*
 * span__pipe_ioctl - KREF: fs/pipe.c pipe_ioctl(): FIONREAD sums the
 * lengths of the buffers from tail to head under pipe->mutex (on either
 * end, whatever O_DIRECT says); anything else is -ENOIOCTLCMD, -ENOTTY
 * to the caller.
 */
int span__pipe_ioctl(struct span_world *w, struct span_pipe_inode_info *pipe,
		     unsigned int cmd, int *arg)
{
	uint32_t count = 0;

	if (cmd != SPAN_FIONREAD)
		return -ENOTTY;
	span__fp(w, false, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	for (uint32_t tail = pipe->tail; tail != pipe->head; tail++)
		count += span__pipe_buf(w, pipe, tail)->len;
	*arg = (int)count;
	return 0;
}

int span_pipe_info(const struct span_world *w, int pipe,
		   struct span_pipe_info *info)
{
	struct span_pipe_inode_info *p;

	if (!w || !info || !span__tab_live(&w->pipes, (uint32_t)pipe))
		return -EINVAL;
	p = TAB_AT(w->pipes, struct span_pipe_inode_info, pipe);
	info->head = p->head;
	info->tail = p->tail;
	info->max_usage = p->max_usage;
	info->ring_size = p->ring_size;
	info->readers = p->readers;
	info->writers = p->writers;
	info->bytes = 0;
	for (uint32_t i = p->tail; i != p->head; i++)
		info->bytes += span__pipe_buf((struct span_world *)w, p, i)->len;
	return 0;
}

int span_pipe_buf(const struct span_world *w, int pipe, uint32_t slot,
		  struct span_pipe_buf_info *info)
{
	struct span_pipe_inode_info *p;
	struct span_pipe_buffer *b;

	if (!w || !info || !span__tab_live(&w->pipes, (uint32_t)pipe))
		return -EINVAL;
	p = TAB_AT(w->pipes, struct span_pipe_inode_info, pipe);
	b = span__pipe_buf((struct span_world *)w, p, slot);
	info->page = (int)b->page;
	info->offset = b->offset;
	info->len = b->len;
	info->ops = b->ops;
	info->flags = b->flags;
	info->priv = b->priv;
	return 0;
}
