// SPDX-License-Identifier: MIT
/*
 * filemap.c - regular files and their page cache.
 *
 * Models mm/filemap.c of v6.18 (filemap_splice_read(),
 * splice_folio_into_pipe(), generic_perform_write() for pwrite and
 * write_iter, filemap_read() for read) on a filesystem whose every page is
 * resident and uptodate (tmpfs-like: no I/O errors, no readahead).
 */
#include "internal.h"

uint32_t span__file_page(struct span_world *w, uint32_t file, uint64_t index)
{
	struct span_file *f = FILEP(w, file);

	if (index >= f->npages)
		return 0;
	return IDREF(w, f->base + (uint32_t)index)->id;
}

/* the largest file the dense page cache holds */
#define SPAN_FILE_DENSE_MAX (1ull << 30)

/* grow the page cache to cover @size bytes (write_begin of new pages) */
static int file_extend(struct span_world *w, uint32_t file, uint64_t size)
{
	struct span_file *f = FILEP(w, file);
	uint32_t npages = (uint32_t)((size + w->page_size - 1) >> w->page_shift);
	uint32_t base, old = f->npages;

	if (npages <= f->npages)
		return 0;
	/*
	 * DEVIATION: the page cache is dense (every page up to the end is
	 * allocated); past SPAN_FILE_DENSE_MAX bytes that is refused with
	 * -ENOMEM at once rather than after allocating a gigabyte page by
	 * page.  docs/deviations.md, "Files past 4 GiB".
	 */
	if (size > SPAN_FILE_DENSE_MAX)
		return -ENOMEM;
	base = span__tab_alloc_range(w, &w->ids, npages);
	if (!base)
		return -ENOMEM;
	f = FILEP(w, file);
	for (uint32_t i = 0; i < old; i++)
		IDREF(w, base + i)->id = IDREF(w, f->base + i)->id;
	if (old)
		span__tab_free_range(&w->ids, f->base, old);
	f->base = base;
	f->npages = npages;
	for (uint32_t i = old; i < npages; i++) {
		uint32_t page = span__alloc_page(w, SPAN_PAGE_CACHE,
						 "filemap_add_folio");

		if (!page) {
			f->npages = i;
			return -ENOMEM;
		}
		PAGE(w, page)->file = file;
		PAGE(w, page)->index = i;
		IDREF(w, base + i)->id = page;
	}
	return 0;
}

int span_file_create(struct span_world *w, uint64_t size, unsigned int flags,
		     const void *fill, size_t fill_len, int *file)
{
	uint32_t id;
	const uint8_t *f = fill;

	if (!w || !file || (flags & ~SPAN_FILE_RDONLY) || (fill_len && !fill) ||
	    size > (1ull << 32))
		return -EINVAL;
	id = span__tab_alloc(w, &w->files);
	if (!id)
		return -ENOMEM;
	FILEP(w, id)->ro = !!(flags & SPAN_FILE_RDONLY);
	FILEP(w, id)->open = 1;
	span__fp(w, true, SPAN_OBJ_FILE, id);
	if (file_extend(w, id, size)) {
		span__file_evict(w, id);
		return -ENOMEM;
	}
	FILEP(w, id)->size = size;
	for (uint32_t i = 0; i < FILEP(w, id)->npages; i++) {
		uint32_t page = span__file_page(w, id, i);
		uint8_t *d = page_bytes(w, page);

		page_dirty(w, page);
		for (uint32_t j = 0; j < w->page_size; j++) {
			uint64_t pos = (uint64_t)i * w->page_size + j;

			d[j] = (fill_len && pos < size) ? f[pos % fill_len] : 0;
		}
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
	if (f->npages)
		span__tab_free_range(&w->ids, f->base, f->npages);
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
	const uint8_t *src = data;
	size_t done = 0;

	(void)pid;
	if (pos + len < pos || pos + len > (1ull << 32))
		return -EFBIG;
	span__fp(w, true, SPAN_OBJ_FILE, file);
	if (file_extend(w, file, pos + len))
		return -ENOMEM;
	while (done < len) {
		uint32_t off = (uint32_t)(pos & (w->page_size - 1));
		uint32_t n = w->page_size - off;
		uint32_t page = span__file_page(w, file, pos >> w->page_shift);

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
	return (ssize_t)done;
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
	/* KREF: ksys_pwrite64(): pos < 0; rw_verify_area(): pos + len */
	if ((int64_t)off < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if ((int64_t)(off + len) < 0)
		return -EINVAL;
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
		memcpy(dst + done, page_bytes(ww, page) + poff, n);
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
	while (len && *ppos < f->size && !pipe_full(pipe)) {
		uint32_t off = (uint32_t)(*ppos & (w->page_size - 1));
		uint32_t n = w->page_size - off;
		uint32_t page = span__file_page(w, file, *ppos >> w->page_shift);
		struct span_pipe_buffer *buf;

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
		if (w->policy.v[SPAN_KNOB_PIPE_BUF_INIT] == SPAN_PIPE_BUF_INIT_CLEAR)
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
