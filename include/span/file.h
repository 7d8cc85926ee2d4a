/* SPDX-License-Identifier: MIT */
/*
 * span/file.h - regular files with a page cache (mm/filemap.c).
 */
#ifndef SPAN_FILE_H
#define SPAN_FILE_H

#include "span/defs.h"

#define SPAN_FILE_RDONLY 0x1	/* every opener has it O_RDONLY */

/**
 * span_file_create - a regular file of @size bytes.  With a @fill its
 * pages are written with the pattern and sit in the page cache
 * (uptodate); a filled file is at most 4 GiB.  Without one (@fill_len 0)
 * the file is one hole, as after ftruncate(): no page until an offset is
 * written or spliced.
 * @file: receives the file id; the handle is SPAN_FD(SPAN_FD_FILE, id).
 * Return: 0, -EINVAL, -EFBIG past the s_maxbytes parameter, -ENOMEM.
 */
SPAN_API int span_file_create(struct span_world *w, uint64_t size,
			      unsigned int flags, const void *fill,
			      size_t fill_len, int *file);
/**
 * span_pwrite - pwrite(2) through the page cache (generic_perform_write()).
 * Only the pages written join the page cache; a write across s_maxbytes
 * is cut short there (generic_write_check_limits()).
 * Return: bytes written, or -errno: -EINVAL (a NULL world or data, a negative
 *	offset or end), -EBADF (not a writable file), -ESPIPE (a pipe or a
 *	socket), -EFAULT, -EFBIG (at or past s_maxbytes), -ENOSPC
 *	(/dev/full), -ENOMEM.
 */
SPAN_API ssize_t span_pwrite(struct span_world *w, int pid, int fd,
			     const void *data, size_t len, uint64_t off);
/**
 * span_file_contents - copy what a read(2) at @off would return (a hole
 * reads as zeros).
 * Return: bytes copied (short at EOF), or -EINVAL.
 */
SPAN_API ssize_t span_file_contents(const struct span_world *w, int file,
				    uint64_t off, void *out, size_t len);
/**
 * span_file_page - the page-cache page of index @index.
 * Return: the page id, or -EINVAL (a hole, past EOF, or an unknown file).
 */
SPAN_API int span_file_page(const struct span_world *w, int file,
			    uint64_t index);
/**
 * span_file_size - i_size, or -EINVAL.
 * Return: i_size, or -EINVAL for an unknown file.
 */
SPAN_API int64_t span_file_size(const struct span_world *w, int file);

/* the memory devices of drivers/char/mem.c, by their minor numbers */
#define SPAN_CHR_NULL	3	/* /dev/null */
#define SPAN_CHR_ZERO	5	/* /dev/zero */
#define SPAN_CHR_FULL	7	/* /dev/full */

/**
 * span_chrdev_open - open(2) of a memory device, O_RDWR: /dev/null,
 * /dev/zero or /dev/full (memory_open() picks null_fops, zero_fops or
 * full_fops by @minor).  The device is a file of the files table with no
 * page cache: it holds no pages and i_size is 0.  read, write, pwrite,
 * splice, ioctl, lseek and close take its handle and act as the device's
 * file_operations do; tee is -EINVAL, vmsplice -EBADF and the socket
 * calls -ENOTSOCK, as for a regular file.
 * @minor: SPAN_CHR_NULL, SPAN_CHR_ZERO or SPAN_CHR_FULL.
 * @file: receives the file id; the handle is SPAN_FD(SPAN_FD_FILE, id).
 * Return: 0, -EINVAL (a NULL @w or @file, or another @minor: -ENXIO in
 *	memory_open(), but the model has no device node to open), -ENOMEM.
 */
SPAN_API int span_chrdev_open(struct span_world *w, int minor, int *file);

#endif
