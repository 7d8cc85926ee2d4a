// SPDX-License-Identifier: MIT
/*
 * splice.c - splice(2), tee(2), vmsplice(2).
 *
 * Models fs/splice.c of v6.18: the entry checks of splice/vmsplice/tee
 * (__do_splice(), do_splice(), SYSCALL_DEFINE(tee)), splice_pipe_to_pipe(),
 * link_pipe(), vmsplice_to_pipe()/iter_to_pipe(), vmsplice_to_user(),
 * splice_file_to_pipe() and iter_file_splice_write().  Socket ends go to
 * the network model (tcp.c, af_unix.c).
 *
 * The pipe_split knob decides what a fragment holds (a ref of the
 * buffer's kind, a shared span descriptor, a private copy), vmsplice what
 * vmsplice captures, pipe_link_merge whether fragments keep CAN_MERGE.
 */
#include "internal.h"

#define SPLICE_F_ALL (SPAN_SPLICE_F_MOVE | SPAN_SPLICE_F_NONBLOCK | \
		      SPAN_SPLICE_F_MORE | SPAN_SPLICE_F_GIFT)

static bool fd_is_pipe(int fd)
{
	return SPAN_FD_TYPE(fd) == SPAN_FD_PIPE_R ||
	       SPAN_FD_TYPE(fd) == SPAN_FD_PIPE_W;
}

/* --- fragment policy ---------------------------------------------------- */

/* Does the buffer reference memory the pipe does not own? */
static bool buf_borrows(const struct span_pipe_buffer *buf)
{
	return buf->ops != SPAN_PBO_ANON && buf->ops != SPAN_PBO_DEFAULT;
}

/* a private copy of @len bytes at @off of @ibuf into @obuf */
static int copy_fragment(struct span_world *w, struct span_pipe_buffer *ibuf,
			 uint32_t off, uint32_t len,
			 struct span_pipe_buffer *obuf, const char *func)
{
	uint32_t page = span__alloc_page(w, SPAN_PAGE_PIPE, func);
	/* a buffer's bytes lie in one page: len <= page_size */
	struct span_scratch *tmp = span__scratch(w, SCRATCH_COPY);

	if (!page)
		return -ENOMEM;
	span__pipe_buf_read_bytes(w, ibuf, off, tmp->data, tmp->prov, len,
				  func);
	span__page_write(w, page, 0, tmp->data, len, tmp->prov, 0, func,
			 false);
	obuf->page = page;
	obuf->offset = 0;
	obuf->len = len;
	obuf->ops = SPAN_PBO_DEFAULT;
	obuf->flags = 0;
	obuf->priv = 0;
	obuf->capturer = ibuf->capturer;
	return 0;
}

/* turn @buf into a holder of a span descriptor (first split) */
static int desc_convert(struct span_world *w, struct span_pipe_buffer *buf)
{
	int kind;
	uint32_t d;

	if (buf->ops == SPAN_PBO_DESC)
		return 0;
	switch (buf->ops) {
	case SPAN_PBO_USER_PIN:
		kind = DESC_PAGE_PIN;
		break;
	case SPAN_PBO_OWNER:
		kind = DESC_OWNER_REF;
		break;
	default:
		kind = DESC_PAGE_REF;
	}
	d = span__desc_create(w, kind, buf->page,
			      kind == DESC_OWNER_REF ? buf->priv : 0,
			      buf->capturer);
	if (!d)
		return -ENOMEM;
	buf->ops = SPAN_PBO_DESC;
	buf->priv = d;
	return 0;
}

/*
 * make_fragment - *obuf becomes a second holder of @ibuf's span, @len
 * bytes from @ibuf's offset.  Return: 0, -EFAULT (pipe_buf_get refused),
 * -ENOMEM.
 */
static int make_fragment(struct span_world *w, struct span_pipe_buffer *ibuf,
			 struct span_pipe_buffer *obuf, uint32_t len,
			 const char *func)
{
	int err;

	switch (span__decide(w, &(struct span_decision){
			.point = SPAN_KNOB_PIPE_SPLIT, .func = func,
			.page = ibuf->page,
			.len = len, .dst = SPAN_DST_PIPE,
			.borrowed = buf_borrows(ibuf) })) {
	case SPAN_PIPE_SPLIT_COPY:
		return copy_fragment(w, ibuf, 0, len, obuf, func);
	case SPAN_PIPE_SPLIT_DESC:
		err = desc_convert(w, ibuf);
		if (err)
			return err;
		span__desc_get(w, ibuf->priv, func);
		break;
	default:
		if (!span__pipe_buf_get(w, ibuf))
			return -EFAULT;
	}
	*obuf = *ibuf;
	obuf->len = len;
	/* KREF: fs/splice.c splice_pipe_to_pipe()/link_pipe() (5.0+) */
	if (span__decide(w, &(struct span_decision){
			.point = SPAN_KNOB_PIPE_LINK_MERGE, .func = func,
			.page = ibuf->page,
			.len = len, .dst = SPAN_DST_PIPE,
			.borrowed = buf_borrows(ibuf) }) ==
	    SPAN_PIPE_LINK_MERGE_CLEAR)
		obuf->flags &= ~(SPAN_PIPE_BUF_FLAG_GIFT |
				 SPAN_PIPE_BUF_FLAG_CAN_MERGE);
	return 0;
}

/*
 * rw_verify_area - KREF: fs/read_write.c rw_verify_area() for a regular
 * file (no FMODE_UNSIGNED_OFFSET): a negative position, or one whose end
 * passes LLONG_MAX, is -EINVAL.
 */
static int rw_verify_area(uint64_t pos, size_t len)
{
	/* a count negative as an ssize_t, then the position */
	if ((ssize_t)len < 0 || (int64_t)pos < 0 || (int64_t)(pos + len) < 0)
		return -EINVAL;
	return 0;
}

/* --- waiting ------------------------------------------------------------ */

/*
 * ipipe_prep(): 0 when there is data or no writer is left (the caller's
 * loop sees the EOF after checking the output's readers), or -errno.
 */
static int ipipe_prep(struct span_pipe_inode_info *ipipe, bool nonblock)
{
	if (!pipe_empty(ipipe) || !ipipe->writers)
		return 0;
	return nonblock ? -EAGAIN : -SPAN_EWOULDSLEEP;
}

/* opipe_prep() / wait_for_space() */
static int opipe_prep(struct span_pipe_inode_info *opipe, bool nonblock)
{
	if (!opipe->readers)
		return -EPIPE;	/* + SIGPIPE */
	if (!pipe_full(opipe))
		return 0;
	return nonblock ? -EAGAIN : -SPAN_EWOULDSLEEP;
}

/* --- pipe to pipe ------------------------------------------------------- */

/*
 * ipipe_prep() then opipe_prep(), as splice_pipe_to_pipe() and do_tee()
 * both begin: 0 or -errno.  KREF: fs/splice.c: an input at EOF still goes
 * through opipe_prep(), so an output without readers is -EPIPE (and a
 * full output is waited for) even when there is nothing to move.
 */
static int pipe_pair_prep(struct span_world *w,
			  struct span_pipe_inode_info *ipipe,
			  struct span_pipe_inode_info *opipe, bool nonblock)
{
	int err;

	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, ipipe));
	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, opipe));
	err = ipipe_prep(ipipe, nonblock);
	if (err)
		return err;
	return opipe_prep(opipe, nonblock);
}

/* KREF: fs/splice.c splice_pipe_to_pipe() */
static ssize_t splice_pipe_to_pipe(struct span_world *w,
				   struct span_pipe_inode_info *ipipe,
				   struct span_pipe_inode_info *opipe,
				   size_t len, bool nonblock)
{
	const char *func = "splice_pipe_to_pipe";
	ssize_t ret = 0;
	int err;

	err = pipe_pair_prep(w, ipipe, opipe, nonblock);
	if (err)
		return err;
	while (len) {
		struct span_pipe_buffer *ibuf, *obuf;

		if (!opipe->readers) {
			if (!ret)
				ret = -EPIPE;
			break;
		}
		if (pipe_empty(ipipe) && !ipipe->writers)
			break;
		if (pipe_empty(ipipe) || pipe_full(opipe)) {
			if (ret)
				break;
			ret = nonblock ? -EAGAIN : -SPAN_EWOULDSLEEP;
			break;
		}
		ibuf = span__pipe_buf(w, ipipe, ipipe->tail);
		obuf = span__pipe_buf(w, opipe, opipe->head);
		if (len >= ibuf->len) {
			/* whole buffer: move it, no refcount change */
			if (buf_borrows(ibuf) &&
			    span__decide(w, &(struct span_decision){
				    .point = SPAN_KNOB_PIPE_SPLIT,
				    .func = func,
				    .page = ibuf->page, .len = ibuf->len,
				    .dst = SPAN_DST_PIPE, .borrowed = true }) ==
				    SPAN_PIPE_SPLIT_COPY) {
				/* copy-out: borrowed memory never leaves */
				err = copy_fragment(w, ibuf, 0, ibuf->len, obuf,
						    func);
				if (err) {
					if (!ret)
						ret = err;
					break;
				}
				span__pipe_consume(w, ipipe);
			} else {
				*obuf = *ibuf;
				ibuf->ops = SPAN_PBO_NONE;
				ipipe->tail++;
			}
			span__pipe_push(w, opipe);
			span__trace_buf(w, func, opipe, obuf, "whole buffer");
			ret += obuf->len;
			len -= obuf->len;
		} else {
			err = make_fragment(w, ibuf, obuf, (uint32_t)len, func);
			if (err) {
				if (!ret)
					ret = err;
				break;
			}
			ibuf->offset += (uint32_t)len;
			ibuf->len -= (uint32_t)len;
			span__pipe_push(w, opipe);
			span__trace_buf(w, func, opipe, obuf, "partial");
			ret += (ssize_t)len;
			len = 0;
		}
	}
	return ret;
}

/* KREF: fs/splice.c link_pipe() (tee) */
static ssize_t link_pipe(struct span_world *w,
			 struct span_pipe_inode_info *ipipe,
			 struct span_pipe_inode_info *opipe, size_t len,
			 bool nonblock)
{
	const char *func = "link_pipe";
	ssize_t ret = 0;
	int err;

	err = pipe_pair_prep(w, ipipe, opipe, nonblock);
	if (err)
		return err;
	for (uint32_t i = ipipe->tail; len; i++) {
		struct span_pipe_buffer *ibuf, *obuf;
		uint32_t n;

		if (!opipe->readers) {
			if (!ret)
				ret = -EPIPE;
			break;
		}
		if (i == ipipe->head || pipe_full(opipe))
			break;
		ibuf = span__pipe_buf(w, ipipe, i);
		obuf = span__pipe_buf(w, opipe, opipe->head);
		n = ibuf->len < len ? ibuf->len : (uint32_t)len;
		err = make_fragment(w, ibuf, obuf, n, func);
		if (err) {
			if (!ret)
				ret = err;
			break;
		}
		span__pipe_push(w, opipe);
		span__trace_buf(w, func, opipe, obuf, "tee");
		ret += n;
		len -= n;
	}
	return ret;
}

/* --- files ------------------------------------------------------------- */

static struct span_file *file_of(struct span_world *w, int fd)
{
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);

	if (SPAN_FD_TYPE(fd) != SPAN_FD_FILE || !span__tab_live(&w->files, id) ||
	    !FILEP(w, id)->open)
		return NULL;
	return FILEP(w, id);
}

/* KREF: fs/splice.c splice_file_to_pipe() */
static ssize_t splice_file_to_pipe(struct span_world *w, uint32_t file,
				   uint64_t *ppos,
				   struct span_pipe_inode_info *pipe,
				   size_t len, bool nonblock)
{
	int err = opipe_prep(pipe, nonblock);	/* wait_for_space() */

	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	if (err)
		return err;
	/* rw_verify_area() of LEN as given, before it is clamped to the
	 * pipe's room: negative as an ssize_t, or past LLONG_MAX from the
	 * position, is -EINVAL (the live kernel) */
	if (rw_verify_area(*ppos, len))
		return -EINVAL;
	/* in->f_op->splice_read: a memory device's, or filemap's */
	if (FILEP(w, file)->chr)
		return span__chr_splice_read(w, file, pipe, len);
	return span__filemap_splice_read(w, file, ppos, pipe, len);
}

/* KREF: fs/splice.c iter_file_splice_write() */
static ssize_t iter_file_splice_write(struct span_world *w, uint32_t pid,
				      struct span_pipe_inode_info *pipe,
				      uint32_t file, uint64_t *ppos,
				      size_t len, bool nonblock)
{
	const char *func = "iter_file_splice_write";
	ssize_t ret = 0;

	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	while (len) {
		struct span_pipe_buffer *buf;
		uint32_t n;
		ssize_t wr;

		buf = span__splice_from_pipe_next(w, pipe, nonblock, &ret);
		if (!buf)
			break;
		if (span__pipe_buf_confirm(w, buf))
			break;	/* -ENODATA: a clean stop */
		n = buf->len < len ? buf->len : (uint32_t)len;
		{
			/* n <= buf->len <= page_size */
			struct span_scratch *tmp =
				span__scratch(w, SCRATCH_COPY);

			span__pipe_buf_read_bytes(w, buf, 0, tmp->data,
						  tmp->prov, n, func);
			wr = span__file_write_iter(w, pid, file, *ppos,
						   tmp->data, tmp->prov, n);
		}
		if (wr <= 0) {
			if (!ret)
				ret = wr;
			break;
		}
		*ppos += (uint64_t)wr;
		ret += wr;
		len -= (size_t)wr;
		buf->offset += (uint32_t)wr;
		buf->len -= (uint32_t)wr;
		if (!buf->len)
			span__pipe_consume(w, pipe);
	}
	return ret;
}

/*
 * span__splice_from_pipe_next - splice_from_pipe_next(): the first buffer
 * with data (empty ones are eaten, eat_empty_buffer()), or NULL with *@ret
 * set when there is none: left alone at EOF or after progress, -EAGAIN
 * for a nonblocking call, -SPAN_EWOULDSLEEP to sleep in
 * pipe_wait_readable().
 */
struct span_pipe_buffer *
span__splice_from_pipe_next(struct span_world *w,
			    struct span_pipe_inode_info *pipe, bool nonblock,
			    ssize_t *ret)
{
	while (!pipe_empty(pipe)) {
		struct span_pipe_buffer *buf = span__pipe_buf(w, pipe, pipe->tail);

		if (buf->len)
			return buf;
		span__pipe_consume(w, pipe);
	}
	if (pipe->writers && !*ret)
		*ret = nonblock ? -EAGAIN : -SPAN_EWOULDSLEEP;
	return NULL;
}

/* --- splice(2) and tee(2) ---------------------------------------------- */

ssize_t span_splice(struct span_world *w, int pid, int fd_in,
		    uint64_t *off_in, int fd_out, uint64_t *off_out,
		    size_t len, unsigned int flags)
{
	struct span_pipe_inode_info *ipipe, *opipe;
	bool nonblock, rd;
	struct span_file *f;
	uint64_t *ppos;

	if (!w)
		return -EINVAL;
	/* KREF: fs/splice.c SYSCALL_DEFINE6(splice): len 0 first */
	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!span_fd_valid(w, fd_in) || !span_fd_valid(w, fd_out))
		return -EBADF;
	/* __do_splice(): offsets on a pipe */
	if ((fd_is_pipe(fd_in) && off_in) || (fd_is_pipe(fd_out) && off_out))
		return -ESPIPE;
	/* do_splice(): FMODE_READ on in, FMODE_WRITE on out */
	if (SPAN_FD_TYPE(fd_in) == SPAN_FD_PIPE_W ||
	    SPAN_FD_TYPE(fd_out) == SPAN_FD_PIPE_R)
		return -EBADF;
	f = file_of(w, fd_out);
	if (f && f->ro)
		return -EBADF;
	nonblock = flags & SPAN_SPLICE_F_NONBLOCK;
	ipipe = span__get_pipe_info(w, fd_in, &rd);
	opipe = span__get_pipe_info(w, fd_out, &rd);
	if (ipipe && opipe) {
		if (ipipe == opipe)
			return -EINVAL;
		nonblock |= ipipe->nonblock || opipe->nonblock;
		return splice_pipe_to_pipe(w, ipipe, opipe, len, nonblock);
	}
	if (ipipe) {
		nonblock |= ipipe->nonblock;
		/* do_splice(): an offset needs FMODE_PWRITE (not a socket) */
		/* do_splice(): rw_verify_area() of LEN for any output */
		if (SPAN_FD_TYPE(fd_out) == SPAN_FD_SOCK)
			return off_out ? -EINVAL :
			       (ssize_t)len < 0 ? -EINVAL :
					 span__splice_to_socket(w, (uint32_t)pid,
								ipipe, fd_out,
								len, flags,
								nonblock);
		ppos = off_out ? off_out : &f->pos;
		if (rw_verify_area(*ppos, len))
			return -EINVAL;
		/* do_splice_from(): out->f_op->splice_write */
		if (f->chr)
			return span__chr_splice_write(w,
						      (uint32_t)SPAN_FD_ID(fd_out),
						      ipipe, len, nonblock);
		return iter_file_splice_write(w, (uint32_t)pid, ipipe,
					      (uint32_t)SPAN_FD_ID(fd_out), ppos,
					      len, nonblock);
	}
	if (opipe) {
		nonblock |= opipe->nonblock;
		/* do_splice(): an offset needs FMODE_PREAD (not a socket) */
		/* vfs_splice_read(): rw_verify_area() of LEN, for a socket
		 * too (no position) */
		if (SPAN_FD_TYPE(fd_in) == SPAN_FD_SOCK)
			return off_in ? -EINVAL :
			       (ssize_t)len < 0 ? -EINVAL :
					span__sock_splice_read(w, (uint32_t)pid,
							       fd_in, NULL, opipe,
							       len, flags,
							       nonblock);
		f = file_of(w, fd_in);
		ppos = off_in ? off_in : &f->pos;
		return splice_file_to_pipe(w, (uint32_t)SPAN_FD_ID(fd_in), ppos,
					   opipe, len, nonblock);
	}
	return -EINVAL;
}

ssize_t span_tee(struct span_world *w, int pid, int fd_in, int fd_out,
		 size_t len, unsigned int flags)
{
	struct span_pipe_inode_info *ipipe, *opipe;
	bool nonblock;

	(void)pid;
	if (!w)
		return -EINVAL;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	if (!span_fd_valid(w, fd_in) || !span_fd_valid(w, fd_out))
		return -EBADF;
	if (SPAN_FD_TYPE(fd_in) == SPAN_FD_PIPE_W ||
	    SPAN_FD_TYPE(fd_out) == SPAN_FD_PIPE_R ||
	    (SPAN_FD_TYPE(fd_out) == SPAN_FD_FILE &&
	     FILEP(w, SPAN_FD_ID(fd_out))->ro))
		return -EBADF;
	ipipe = span__get_pipe_info(w, fd_in, NULL);
	opipe = span__get_pipe_info(w, fd_out, NULL);
	if (!ipipe || !opipe || ipipe == opipe)
		return -EINVAL;
	nonblock = (flags & SPAN_SPLICE_F_NONBLOCK) || ipipe->nonblock ||
		   opipe->nonblock;
	return link_pipe(w, ipipe, opipe, len, nonblock);
}

/* --- vmsplice(2) ------------------------------------------------------- */

/*
 * steal_user_page - vmsplice=steal (Howells' 2023 RFC): move a gifted,
 * whole, exclusive, singly mapped page out of the process into the pipe.
 */
static bool steal_user_page(struct span_world *w, uint32_t pid,
			    uint32_t region, uint64_t off, uint32_t *page)
{
	struct span_vma *vma = span__find_vma(w, pid, region);
	struct span_pte *pte;
	struct span_page *p;
	uint32_t vid;

	if (!vma)
		return false;
	vid = (uint32_t)(vma - TAB_AT(w->vmas, struct span_vma, 0));
	span__fp(w, false, SPAN_OBJ_VMA, vid);
	pte = PTE(w, vma->pte_base + (uint32_t)(off >> w->page_shift));
	if (!pte->present || pte->page == w->zero_page)
		return false;
	p = PAGE(w, pte->page);
	if (p->kind != SPAN_PAGE_ANON || !(p->flags & PG_anon_exclusive) ||
	    p->mapcount != 1 || p->refcount > 4 ||
	    span__maybe_pinned(w, pte->page))
		return false;
	/* unmap it: the mapping's reference becomes the pipe's */
	*page = pte->page;
	span__fp(w, true, SPAN_OBJ_VMA, vid);
	span__fp(w, true, SPAN_OBJ_PAGE, *page);
	pte->present = 0;
	pte->page = 0;
	p->mapcount--;
	p->kind = SPAN_PAGE_PIPE;
	p->flags &= ~PG_anon_exclusive;
	span__trace(w, "vmsplice_steal", SPAN_TR_MAP, SPAN_OBJ_PAGE, *page, 1, 0,
		    "stolen from the process");
	return true;
}

/* KREF: fs/splice.c vmsplice_to_pipe() -> iter_to_pipe() */
static ssize_t vmsplice_to_pipe(struct span_world *w, uint32_t pid,
				struct span_pipe_inode_info *pipe,
				uint32_t region, uint64_t off, size_t len,
				unsigned int flags)
{
	const char *func = "iter_to_pipe";
	int mode = span__decide(w, &(struct span_decision){
			.point = SPAN_KNOB_VMSPLICE, .func = func, .pid = pid,
			.len = len, .flags = flags, .dst = SPAN_DST_PIPE,
			.borrowed = true });
	bool nonblock = flags & SPAN_SPLICE_F_NONBLOCK;
	uint8_t buf_flag = (flags & SPAN_SPLICE_F_GIFT) ?
				   SPAN_PIPE_BUF_FLAG_GIFT : 0;
	ssize_t ret = 0;
	int err;

	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	/* wait_for_space(): only SPLICE_F_NONBLOCK counts here */
	err = opipe_prep(pipe, nonblock);
	if (err)
		return err;
	/*
	 * KREF: iter_to_pipe(): iov_iter_get_pages2() takes what it can, a
	 * page that is not mapped ends the call (-EFAULT only if it is the
	 * first), and a range past the mapping is never looked at once the
	 * pipe is full: no check of the whole range up front.
	 */
	if (!span__find_vma(w, pid, region) || off + len < off)
		return -EFAULT;
	if (mode == SPAN_VMSPLICE_COPY) {
		if (off + len > REGION(w, region)->size)
			return -EFAULT;
		/*
		 * vmsplice as pwritev2 (vfs-7.2.vmsplice).  DEVIATION: the
		 * copy keeps vmsplice's rule of blocking only before the
		 * first buffer; after it the call returns a short count.
		 */
		struct span_src src = { .region = (int)region, .off = off };
		size_t done = 0;

		return span__pipe_write(w, pid, pipe, &src, len,
					SPAN_O_NONBLOCK, &done);
	}
	while (len) {
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t n = w->page_size - poff;
		struct span_pipe_buffer *buf;
		uint32_t page = 0;
		uint8_t ops;

		if (n > len)
			n = (uint32_t)len;
		if (!pipe->readers) {	/* add_to_pipe() */
			if (!ret)
				ret = -EPIPE;
			break;
		}
		if (pipe_full(pipe))
			break;
		buf = span__pipe_buf(w, pipe, pipe->head);
		if (mode == SPAN_VMSPLICE_STEAL) {
			if ((flags & SPAN_SPLICE_F_GIFT) && !poff &&
			    n == w->page_size &&
			    steal_user_page(w, pid, region, off, &page)) {
				buf->page = page;
				buf->offset = 0;
				buf->len = n;
				buf->ops = SPAN_PBO_DEFAULT;
				buf->flags = SPAN_PIPE_BUF_FLAG_LRU;
				buf->priv = 0;
				buf->capturer = 0;
			} else {
				struct span_src src = { .region = (int)region,
							.off = off };
				struct span_scratch *tmp =
					span__scratch(w, SCRATCH_COPY);

				if (span__user_copy_from(w, pid, &src, 0,
							 tmp->data, tmp->prov,
							 n)) {
					if (!ret)
						ret = -EFAULT;
					break;
				}
				page = span__alloc_page(w, SPAN_PAGE_PIPE, func);
				if (!page) {
					if (!ret)
						ret = -ENOMEM;
					break;
				}
				span__page_write(w, page, 0, tmp->data, n,
						 tmp->prov, 0, func, false);
				buf->page = page;
				buf->offset = 0;
				buf->len = n;
				buf->ops = SPAN_PBO_DEFAULT;
				buf->flags = 0;
				buf->priv = 0;
				buf->capturer = 0;
			}
		} else {
			/* iov_iter_get_pages2(): FOLL_GET, or FOLL_PIN */
			err = span__gup(w, pid, region, off,
					mode == SPAN_VMSPLICE_PIN ? SPAN_FOLL_PIN :
								    SPAN_FOLL_GET,
					&page, func);
			if (err) {
				if (!ret)
					ret = err == -EOVERFLOW ? -EFAULT : err;
				break;
			}
			ops = mode == SPAN_VMSPLICE_PIN ? SPAN_PBO_USER_PIN :
							  SPAN_PBO_USER_PAGE;
			buf->page = page;
			buf->offset = poff;
			buf->len = n;
			buf->ops = ops;
			buf->flags = buf_flag;
			buf->priv = 0;
			buf->capturer = pid;
		}
		span__pipe_push(w, pipe);
		span__trace_buf(w, func, pipe, buf, NULL);
		ret += n;
		off += n;
		len -= n;
	}
	return ret;
}

/* KREF: fs/splice.c vmsplice_to_user(): a plain copy, no packets */
static ssize_t vmsplice_to_user(struct span_world *w, uint32_t pid,
				struct span_pipe_inode_info *pipe,
				uint32_t region, uint64_t off, size_t len,
				unsigned int flags)
{
	bool nonblock = flags & SPAN_SPLICE_F_NONBLOCK;
	ssize_t ret = 0;

	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	/*
	 * import_iovec() checks only access_ok() (span_vmsplice()): a range
	 * out of the mapping, below or above it, faults in
	 * copy_page_to_iter(), once there is a buffer to copy (an empty pipe
	 * is -EAGAIN or sleeps first).
	 */
	while (len) {
		struct span_pipe_buffer *buf;
		uint32_t n;
		int err;

		buf = span__splice_from_pipe_next(w, pipe, nonblock, &ret);
		if (!buf)
			break;
		err = span__pipe_buf_confirm(w, buf);
		if (err) {
			if (!ret)
				ret = err == -ENODATA ? 0 : err;
			break;
		}
		n = buf->len < len ? buf->len : (uint32_t)len;
		{
			/* n <= buf->len <= page_size */
			uint8_t *tmp = span__scratch(w, SCRATCH_COPY)->data;

			span__pipe_buf_read_bytes(w, buf, 0, tmp, NULL, n,
						  "pipe_to_user");
			if (span__fault(w, SPAN_FAULT_COPY) ||
			    span_store(w, (int)pid, (int)region, off, tmp, n)) {
				if (!ret)
					ret = -EFAULT;
				break;
			}
		}
		ret += n;
		off += n;
		len -= n;
		buf->offset += n;
		buf->len -= n;
		if (!buf->len)
			span__pipe_consume(w, pipe);
	}
	return ret;
}

ssize_t span_vmsplice(struct span_world *w, int pid, int fd, int region,
		      uint64_t off, size_t len, unsigned int flags)
{
	struct span_pipe_inode_info *pipe;
	bool read_end;

	if (!w)
		return -EINVAL;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!span_fd_valid(w, fd))
		return -EBADF;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	/* import_iovec(): an iov_len that is negative as an ssize_t; a
	 * larger one is clamped to MAX_RW_COUNT before access_ok() */
	if ((ssize_t)len < 0)
		return -EINVAL;
	if (!len)
		return 0;
	pipe = span__get_pipe_info(w, fd, &read_end);
	if (!pipe)
		return -EBADF;
	/*
	 * An address that is no mapping (region 0: a mem whose mmap failed)
	 * passes access_ok() and faults at the copy or the GUP, after the
	 * pipe's own answer (empty: vmsplice_to_user(); full:
	 * vmsplice_to_pipe()'s wait_for_space()); both look the region up.
	 */
	if (region < 0)
		region = 0;
	if (read_end)
		return vmsplice_to_user(w, (uint32_t)pid, pipe, (uint32_t)region,
					off, len, flags);
	return vmsplice_to_pipe(w, (uint32_t)pid, pipe, (uint32_t)region, off,
				len, flags);
}
