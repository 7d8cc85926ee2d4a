// SPDX-License-Identifier: MIT
/*
 * chrdev.c - the memory devices /dev/null, /dev/zero and /dev/full.
 *
 * Models drivers/char/mem.c of v6.18: null_fops, zero_fops and full_fops
 * (memory_open() chooses them by minor).  An open device is a struct
 * span_file with @chr set to the minor: no page cache, i_size 0, always
 * O_RDWR.  read_write.c, filemap.c and splice.c dispatch to these
 * functions where the kernel calls the device's file_operations.
 *
 * DEVIATION: f_pos is not kept.  read_zero(), read_iter_zero(),
 * write_null() and the splice paths ignore it, and null_lseek() (the
 * llseek of all three) sets it to 0 and returns 0; nothing else reads it,
 * so the model leaves it at 0.
 */
#include "internal.h"

int span_chrdev_open(struct span_world *w, int minor, int *file)
{
	uint32_t id;

	if (!w || !file)
		return -EINVAL;
	if (minor != SPAN_CHR_NULL && minor != SPAN_CHR_ZERO &&
	    minor != SPAN_CHR_FULL)
		return -EINVAL;
	id = span__tab_alloc(w, &w->files);
	if (!id)
		return -ENOMEM;
	span__fp(w, true, SPAN_OBJ_FILE, id);
	FILEP(w, id)->open = 1;
	FILEP(w, id)->chr = (uint8_t)minor;
	span__trace(w, "memory_open", SPAN_TR_ALLOC, SPAN_OBJ_FILE, id, 0,
		    minor, minor == SPAN_CHR_NULL ? "/dev/null" :
		    minor == SPAN_CHR_ZERO ? "/dev/zero" : "/dev/full");
	*file = (int)id;
	return 0;
}

/*
 * span__chr_read - KREF: drivers/char/mem.c read_null() (0: end of file)
 * for /dev/null; read_zero() / read_iter_zero() (@len zero bytes) for
 * /dev/zero and /dev/full.
 */
ssize_t span__chr_read(struct span_world *w, uint32_t file, void *out,
		       size_t len)
{
	span__fp(w, false, SPAN_OBJ_FILE, file);
	if (FILEP(w, file)->chr == SPAN_CHR_NULL)
		return 0;
	if (len)
		memset(out, 0, len);
	return (ssize_t)len;
}

/*
 * span__chr_write - KREF: write_null() (= write_zero()): @len, the bytes
 * are never looked at (a bad buffer is not -EFAULT); write_full():
 * -ENOSPC, for a zero-length write too (vfs_write() calls ->write with a
 * count of 0).  vfs_write() has clamped the count to MAX_RW_COUNT
 * (INT_MAX & PAGE_MASK) first, so /dev/null takes at most that.
 */
ssize_t span__chr_write(struct span_world *w, uint32_t file, size_t len)
{
	size_t max_rw = (size_t)INT32_MAX & ~((size_t)w->page_size - 1);

	span__fp(w, false, SPAN_OBJ_FILE, file);
	if (FILEP(w, file)->chr == SPAN_CHR_FULL)
		return -ENOSPC;
	return (ssize_t)(len > max_rw ? max_rw : len);
}

/*
 * span__chr_splice_read - the device's ->splice_read; @len is not capped
 * yet: do_splice_read() caps it at the pipe's free slots, which the loop
 * below does by stopping at a full pipe.
 * KREF: null_fops has no splice_read: warn_unsupported(), -EINVAL.
 * zero_fops and full_fops have copy_splice_read(): DIV_ROUND_UP(len,
 * PAGE_SIZE) fresh pages, filled by read_iter_zero(), each a buffer of
 * default_pipe_buf_ops without PIPE_BUF_FLAG_CAN_MERGE.
 */
ssize_t span__chr_splice_read(struct span_world *w, uint32_t file,
			      struct span_pipe_inode_info *pipe, size_t len)
{
	const char *func = "copy_splice_read";
	ssize_t ret = 0;

	span__fp(w, false, SPAN_OBJ_FILE, file);
	if (FILEP(w, file)->chr == SPAN_CHR_NULL)
		return -EINVAL;
	while (len && !pipe_full(pipe)) {
		struct span_pipe_buffer *buf;
		uint32_t n = len < w->page_size ? (uint32_t)len : w->page_size;
		uint32_t page = span__alloc_page(w, SPAN_PAGE_PIPE, func);

		if (!page)
			return ret ? ret : -ENOMEM;
		buf = span__pipe_buf(w, pipe, pipe->head);
		buf->page = page;
		buf->offset = 0;
		buf->len = n;
		buf->ops = SPAN_PBO_DEFAULT;
		buf->flags = 0;
		buf->priv = 0;
		buf->capturer = 0;
		span__pipe_push(w, pipe);
		span__trace_buf(w, func, pipe, buf, NULL);
		ret += n;
		len -= n;
	}
	return ret;
}

/*
 * span__chr_splice_write - the device's ->splice_write.
 * KREF: full_fops has none: warn_unsupported(), -EINVAL, whatever the
 * pipe holds.  splice_write_null() (= splice_write_zero()):
 * splice_from_pipe() with pipe_to_null(), which consumes up to @len bytes
 * of the pipe's buffers; it waits for data as iter_file_splice_write()
 * does (splice_from_pipe_next()).
 */
ssize_t span__chr_splice_write(struct span_world *w, uint32_t file,
			       struct span_pipe_inode_info *pipe, size_t len,
			       bool nonblock)
{
	ssize_t ret = 0;

	span__fp(w, false, SPAN_OBJ_FILE, file);
	if (FILEP(w, file)->chr == SPAN_CHR_FULL)
		return -EINVAL;
	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	while (len) {
		struct span_pipe_buffer *buf;
		uint32_t n;

		buf = span__splice_from_pipe_next(w, pipe, nonblock, &ret);
		if (!buf)
			break;
		if (span__pipe_buf_confirm(w, buf))
			break;	/* -ENODATA: a clean stop */
		n = buf->len < len ? buf->len : (uint32_t)len;
		ret += n;
		len -= n;
		buf->offset += n;
		buf->len -= n;
		if (!buf->len)
			span__pipe_consume(w, pipe);
	}
	return ret;
}
