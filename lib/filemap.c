// SPDX-License-Identifier: MIT
/*
 * filemap.c - regular files and their page cache.
 *
 * Models mm/filemap.c of v6.18 (filemap_splice_read(),
 * splice_folio_into_pipe(), generic_perform_write() for pwrite and
 * write_iter, filemap_read() for read) on a filesystem whose every page is
 * resident and uptodate (no I/O errors, no readahead).  Files are sparse
 * up to sb->s_maxbytes (the s_maxbytes parameter): a hole holds no page,
 * reads as zeros, and gets a zeroed page when it is written or spliced,
 * as on ext4, where `spansim kernel` keeps its files.
 *
 * DEVIATION: read(2) of a hole copies zeros without adding a page (ext4's
 * filemap_read() adds a zeroed folio); nothing a program sees differs, and
 * the next splice of it adds the page.
 */
#include "internal.h"

/*
 * The page cache of a file is sparse (struct span_file): a sorted list of
 * page ids, looked up by binary search on PAGE()->index.  An index with no
 * page is a hole; it reads as zeros and costs nothing.
 */

/* the entry of @index, or the position it would take (*@pos); 0 if none */
static uint32_t file_find(struct span_world *w, const struct span_file *f,
			  uint64_t index, uint32_t *pos)
{
	uint32_t lo = 0, hi = f->npages;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint32_t page = IDREF(w, f->base + mid)->id;
		uint64_t i = PAGE(w, page)->index;

		if (i == index) {
			*pos = mid;
			return page;
		}
		if (i < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

uint32_t span__file_page(struct span_world *w, uint32_t file, uint64_t index)
{
	uint32_t pos;

	return file_find(w, FILEP(w, file), index, &pos);
}

/* room for @n entries in the file's range of w->ids */
static int file_reserve(struct span_world *w, uint32_t file, uint32_t n)
{
	struct span_file *f = FILEP(w, file);
	uint32_t cap = f->cap ? f->cap : 1, base;

	if (n <= f->cap)
		return 0;
	while (cap < n) {
		if (cap > SPAN_FP_ID_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	base = span__tab_alloc_range(w, &w->ids, cap);
	if (!base)
		return -ENOMEM;
	f = FILEP(w, file);
	for (uint32_t i = 0; i < f->npages; i++)
		IDREF(w, base + i)->id = IDREF(w, f->base + i)->id;
	if (f->cap)
		span__tab_free_range(&w->ids, f->base, f->cap);
	f->base = base;
	f->cap = cap;
	return 0;
}

/*
 * filemap_add_folio(): a new zeroed page at @index, which is a hole, put
 * at entry @pos (from file_find()).  Return: the page, or 0 (-ENOMEM).
 */
static uint32_t file_add_page(struct span_world *w, uint32_t file,
			      uint64_t index, uint32_t pos, const char *func)
{
	struct span_file *f;
	uint32_t page;

	if (file_reserve(w, file, FILEP(w, file)->npages + 1))
		return 0;
	page = span__alloc_page(w, SPAN_PAGE_CACHE, func);
	if (!page)
		return 0;
	PAGE(w, page)->file = file;
	PAGE(w, page)->index = index;
	f = FILEP(w, file);
	for (uint32_t i = f->npages; i > pos; i--)
		IDREF(w, f->base + i)->id = IDREF(w, f->base + i - 1)->id;
	IDREF(w, f->base + pos)->id = page;
	f->npages++;
	return page;
}

/* the page at @index, added (zeroed) if @index is a hole; 0: -ENOMEM */
static uint32_t file_get_page(struct span_world *w, uint32_t file,
			      uint64_t index)
{
	uint32_t pos, page = file_find(w, FILEP(w, file), index, &pos);

	return page ? page :
		      file_add_page(w, file, index, pos, "filemap_add_folio");
}

/* the largest file that span_file_create() fills page by page */
#define FILE_FILL_MAX	(1ull << 32)

int span_file_create(struct span_world *w, uint64_t size, unsigned int flags,
		     const void *fill, size_t fill_len, int *file)
{
	uint32_t id;
	const uint8_t *f = fill;
	uint64_t npages;

	/* a negative size: -EINVAL, as do_sys_ftruncate() says */
	if (!w || !file || (flags & ~SPAN_FILE_RDONLY) || (fill_len && !fill) ||
	    (int64_t)size < 0 || (fill_len && size > FILE_FILL_MAX))
		return -EINVAL;
	/* KREF: inode_newsize_ok(): past s_maxbytes is -EFBIG */
	if (size > w->param[SPAN_PARAM_S_MAXBYTES])
		return -EFBIG;
	id = span__tab_alloc(w, &w->files);
	if (!id)
		return -ENOMEM;
	FILEP(w, id)->ro = !!(flags & SPAN_FILE_RDONLY);
	FILEP(w, id)->open = 1;
	span__fp(w, true, SPAN_OBJ_FILE, id);
	FILEP(w, id)->size = size;
	/* no fill: all of it a hole (ftruncate()); a fill is written */
	npages = fill_len ? (size + w->page_size - 1) >> w->page_shift : 0;
	if (npages && file_reserve(w, id, (uint32_t)npages)) {
		span__file_evict(w, id);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < npages; i++) {
		uint32_t page = file_add_page(w, id, i, (uint32_t)i,
					      "filemap_add_folio");
		uint8_t *d;

		if (!page) {
			span__file_evict(w, id);
			return -ENOMEM;
		}
		d = page_bytes(w, page);
		for (uint32_t j = 0; j < w->page_size; j++) {
			uint64_t pos = i * w->page_size + j;

			d[j] = pos < size ? f[pos % fill_len] : 0;
		}
		page_dirty(w, page);
	}
	span__trace(w, "file_create", SPAN_TR_ALLOC, SPAN_OBJ_FILE, id, 0,
		    (int64_t)size, NULL);
	*file = (int)id;
	return 0;
}

/* truncate_inode_pages() at eviction: drop the page cache's references */
void span__file_evict(struct span_world *w, uint32_t file)
{
	struct span_file *f = FILEP(w, file);

	for (uint32_t i = 0; i < f->npages; i++) {
		uint32_t page = IDREF(w, f->base + i)->id;

		if (page && span__page_live(w, page)) {
			PAGE(w, page)->file = 0;
			span__put_page(w, page, "truncate_inode_pages");
		}
	}
	if (f->cap)
		span__tab_free_range(&w->ids, f->base, f->cap);
	span__tab_free(&w->files, file);
}

/*
 * span__file_write_iter - generic_perform_write() into the page cache:
 * the write path that has write permission on the file.
 */
ssize_t span__file_write_iter(struct span_world *w, uint32_t pid,
			      uint32_t file, uint64_t pos, const void *data,
			      const struct span_prov *prov, size_t len)
{
	uint64_t max = w->param[SPAN_PARAM_S_MAXBYTES];
	const uint8_t *src = data;
	size_t done = 0;

	(void)pid;
	/*
	 * KREF: generic_write_check_limits(): at or past s_maxbytes is
	 * -EFBIG, a write across it is cut short there
	 */
	if (pos >= max)
		return -EFBIG;
	if (len > max - pos)
		len = (size_t)(max - pos);
	span__fp(w, true, SPAN_OBJ_FILE, file);
	while (done < len) {
		uint32_t off = (uint32_t)(pos & (w->page_size - 1));
		uint32_t n = w->page_size - off;
		/* write_begin: only the pages written join the cache */
		uint32_t page = file_get_page(w, file, pos >> w->page_shift);

		if (!page)
			break;
		if (n > len - done)
			n = (uint32_t)(len - done);
		span__page_write(w, page, off, src + done, n,
				 prov ? prov + done : NULL, PROV_KERNEL_COPY,
				 "generic_perform_write", true);
		done += n;
		pos += n;
	}
	if (pos > FILEP(w, file)->size)
		FILEP(w, file)->size = pos;
	return done ? (ssize_t)done : -ENOMEM;
}

ssize_t span_pwrite(struct span_world *w, int pid, int fd, const void *data,
		    size_t len, uint64_t off)
{
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);

	if (!w || (len && !data))
		return -EINVAL;
	/* KREF: ksys_pwrite64(): pos < 0 before the descriptor is looked at */
	if ((int64_t)off < 0)
		return -EINVAL;
	if (SPAN_FD_TYPE(fd) == SPAN_FD_PIPE_R ||
	    SPAN_FD_TYPE(fd) == SPAN_FD_PIPE_W || SPAN_FD_TYPE(fd) == SPAN_FD_SOCK)
		return span_fd_valid(w, fd) ? -ESPIPE : -EBADF;
	if (SPAN_FD_TYPE(fd) != SPAN_FD_FILE || !span__tab_live(&w->files, id) ||
	    !FILEP(w, id)->open)
		return -EBADF;
	if (FILEP(w, id)->ro)
		return -EBADF;	/* not FMODE_WRITE */
	/*
	 * KREF: vfs_write(): rw_verify_area() before f_op->write: pos + len
	 * past LLONG_MAX is -EINVAL for the memory devices too (no
	 * FMODE_UNSIGNED_OFFSET: only /dev/mem has it)
	 */
	if ((int64_t)(off + len) < 0)
		return -EINVAL;
	if (FILEP(w, id)->chr)	/* write_null(), write_full() */
		return span__chr_write(w, id, len);
	if (!len)
		return 0;
	if (span__fault(w, SPAN_FAULT_COPY))
		return -EFAULT;
	return span__file_write_iter(w, (uint32_t)pid, id, off, data, NULL, len);
}

/* filemap_read(): read(2) of a file at its position */
ssize_t span__file_read(struct span_world *w, uint32_t file, void *out,
			size_t len)
{
	struct span_file *f = FILEP(w, file);
	ssize_t n;

	span__fp(w, true, SPAN_OBJ_FILE, file);
	if (span__fault(w, SPAN_FAULT_COPY))
		return -EFAULT;
	n = span_file_contents(w, (int)file, f->pos, out, len);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

ssize_t span_file_contents(const struct span_world *w, int file, uint64_t off,
			   void *out, size_t len)
{
	struct span_world *ww = (struct span_world *)w;
	const struct span_file *f;
	uint8_t *dst = out;
	size_t done = 0;

	if (!w || (len && !out) || !span__tab_live(&w->files, (uint32_t)file))
		return -EINVAL;
	f = TAB_AT(w->files, struct span_file, file);
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	while (done < len) {
		uint32_t poff = (uint32_t)(off & (w->page_size - 1));
		uint32_t n = w->page_size - poff;
		uint32_t page = span__file_page(ww, (uint32_t)file,
						off >> w->page_shift);

		if (n > len - done)
			n = (uint32_t)(len - done);
		if (page)
			memcpy(dst + done, page_bytes(ww, page) + poff, n);
		else
			memset(dst + done, 0, n);	/* a hole */
		done += n;
		off += n;
	}
	return (ssize_t)done;
}

int span_file_page(const struct span_world *w, int file, uint64_t index)
{
	uint32_t page;

	if (!w || !span__tab_live(&w->files, (uint32_t)file))
		return -EINVAL;
	page = span__file_page((struct span_world *)w, (uint32_t)file, index);
	return page ? (int)page : -EINVAL;
}

int64_t span_file_size(const struct span_world *w, int file)
{
	if (!w || !span__tab_live(&w->files, (uint32_t)file))
		return -EINVAL;
	return (int64_t)TAB_AT(w->files, struct span_file, file)->size;
}

/*
 * span__filemap_splice_read - filemap_splice_read(): one slot per page
 * with a folio_get() and page_cache_pipe_buf_ops, no copy.
 * pipe_buf_init=stale leaves the slot's previous flags (5.8-5.16.10).
 */
ssize_t span__filemap_splice_read(struct span_world *w, uint32_t file,
				  uint64_t *ppos,
				  struct span_pipe_inode_info *pipe,
				  size_t len)
{
	struct span_file *f = FILEP(w, file);
	uint64_t room = (uint64_t)(pipe->max_usage - pipe_occupancy(pipe)) *
			w->page_size;
	ssize_t ret = 0;

	span__fp(w, false, SPAN_OBJ_FILE, file);
	if (len > room)
		len = (size_t)room;
	if (*ppos >= w->param[SPAN_PARAM_S_MAXBYTES])
		return 0;
	while (len && *ppos < f->size && !pipe_full(pipe)) {
		uint32_t off = (uint32_t)(*ppos & (w->page_size - 1));
		uint32_t n = w->page_size - off;
		uint64_t index = *ppos >> w->page_shift;
		uint32_t pos, page = file_find(w, f, index, &pos);
		struct span_pipe_buffer *buf;

		if (!page) {
			/*
			 * A hole.  KREF: filemap_get_pages() ->
			 * filemap_create_folio(): on a page-cache file system
			 * (ext4, where `spansim kernel` keeps its files) the
			 * read adds a zeroed folio to the cache, and the pipe
			 * references it like any other.  tmpfs would splice
			 * the ZERO_PAGE instead (shmem_file_splice_read()).
			 * DEVIATION: no readahead; only the pages spliced are
			 * added.
			 */
			span__fp(w, true, SPAN_OBJ_FILE, file);
			page = file_add_page(w, file, index, pos,
					     "filemap_create_folio");
			f = FILEP(w, file);
			if (!page)
				return ret ? ret : -ENOMEM;
		}

		if (n > len)
			n = (uint32_t)len;
		if (n > f->size - *ppos)
			n = (uint32_t)(f->size - *ppos);
		span__get_page(w, page, "splice_folio_into_pipe"); /* folio_get */
		buf = span__pipe_buf(w, pipe, pipe->head);
		buf->page = page;
		buf->offset = off;
		buf->len = n;
		buf->ops = SPAN_PBO_PAGE_CACHE;
		buf->priv = 0;
		buf->capturer = 0;
		if (span__decide(w, &(struct span_decision){
				.point = SPAN_KNOB_PIPE_BUF_INIT,
				.func = "splice_folio_into_pipe",
				.page = page,
				.len = n, .dst = SPAN_DST_PIPE }) ==
		    SPAN_PIPE_BUF_INIT_CLEAR)
			buf->flags = 0;
		span__pipe_push(w, pipe);
		span__trace_buf(w, "splice_folio_into_pipe", pipe, buf,
				buf->flags ? "stale flags kept" : NULL);
		*ppos += n;
		len -= n;
		ret += n;
	}
	return ret;
}
