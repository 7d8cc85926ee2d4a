/* SPDX-License-Identifier: MIT */
/*
 * span/splice.h - splice(2), tee(2), vmsplice(2) (fs/splice.c).
 */
#ifndef SPAN_SPLICE_H
#define SPAN_SPLICE_H

#include "span/defs.h"

/**
 * span_splice - splice(2) from @fd_in to @fd_out.
 * @off_in, @off_out: file offsets, or NULL (as the syscall's pointers).
 * @flags: SPAN_SPLICE_F_*.
 * Return: bytes moved, 0 at EOF, or -errno: -EINVAL, -EBADF, -ESPIPE, -ESRCH,
 *	-EPIPE, -EAGAIN, -EFAULT, -EOVERFLOW, -ENOMEM; -SPAN_EWOULDSLEEP when a
 *	blocking call would sleep before moving anything.
 */
SPAN_API ssize_t span_splice(struct span_world *w, int pid, int fd_in,
			     uint64_t *off_in, int fd_out, uint64_t *off_out,
			     size_t len, unsigned int flags);
/**
 * span_tee - tee(2).
 * Return: bytes duplicated, 0 at EOF, or -errno: -EINVAL, -EBADF, -ESRCH,
 *	-EPIPE, -EAGAIN, -ENOMEM; -SPAN_EWOULDSLEEP as for span_splice().
 */
SPAN_API ssize_t span_tee(struct span_world *w, int pid, int fd_in,
			  int fd_out, size_t len, unsigned int flags);
/**
 * span_vmsplice - vmsplice(2) of one iovec over @region of process @pid.
 *
 * On the write end of a pipe it maps user pages into the pipe
 * (vmsplice_to_pipe()); on the read end it copies out of the pipe into the
 * region (vmsplice_to_user()).
 * Return: bytes, or -errno: -EINVAL, -EBADF, -ESRCH, -EFAULT, -EPIPE, -EAGAIN,
 *	-ENOMEM, or -SPAN_EWOULDSLEEP.
 */
SPAN_API ssize_t span_vmsplice(struct span_world *w, int pid, int fd,
			       int region, uint64_t off, size_t len,
			       unsigned int flags);

#endif
