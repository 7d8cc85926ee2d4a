/* SPDX-License-Identifier: MIT */
/*
 * span/file.h - regular files with a page cache (mm/filemap.c).
 */
#ifndef SPAN_FILE_H
#define SPAN_FILE_H

#include "span/defs.h"

#define SPAN_FILE_RDONLY 0x1	/* every opener has it O_RDONLY */

/**
 * span_file_create - a regular file of @size bytes, filled with @fill,
 * its pages already in the page cache (uptodate).
 * @file: receives the file id; the handle is SPAN_FD(SPAN_FD_FILE, id).
 * Return: 0, -EINVAL, -ENOMEM.
 */
SPAN_API int span_file_create(struct span_world *w, uint64_t size,
			      unsigned int flags, const void *fill,
			      size_t fill_len, int *file);
/**
 * span_pwrite - pwrite(2) through the page cache (generic_perform_write()).
 * Return: bytes written, or -errno: -EINVAL (a NULL world or data, a negative
 *	offset or end), -EBADF (not a writable file), -ESPIPE (a pipe or a
 *	socket), -EFAULT, -EFBIG, -ENOMEM.
 */
SPAN_API ssize_t span_pwrite(struct span_world *w, int pid, int fd,
			     const void *data, size_t len, uint64_t off);
/**
 * span_file_contents - copy what a read(2) at @off would return.
 * Return: bytes copied (short at EOF), or -EINVAL.
 */
SPAN_API ssize_t span_file_contents(const struct span_world *w, int file,
				    uint64_t off, void *out, size_t len);
/**
 * span_file_page - the page-cache page of index @index, or -EINVAL.
 * Return: the page id, 0 for a page not in the cache, or -EINVAL.
 */
SPAN_API int span_file_page(const struct span_world *w, int file,
			    uint64_t index);
/**
 * span_file_size - i_size, or -EINVAL.
 * Return: i_size, or -EINVAL for an unknown file.
 */
SPAN_API int64_t span_file_size(const struct span_world *w, int file);

#endif
