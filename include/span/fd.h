/* SPDX-License-Identifier: MIT */
/*
 * span/fd.h - file handles and the byte-moving syscalls that take them.
 *
 * A handle names one open file: a pipe end, a regular file or a socket.
 * It is an int built with the macros below, so a scheduler can keep it in
 * plain data.  Any value that does not name an open file gives -EBADF.
 *
 * DEVIATION: handles are per world, not per process: fork does not
 * duplicate them and close(2) from any process closes the file for all.
 * The scenarios never rely on per-process descriptor tables.
 */
#ifndef SPAN_FD_H
#define SPAN_FD_H

#include "span/defs.h"

enum span_fd_type {
	SPAN_FD_NONE,
	SPAN_FD_PIPE_R,
	SPAN_FD_PIPE_W,
	SPAN_FD_FILE,
	SPAN_FD_SOCK,
};

#define SPAN_FD(type, id)	((int)(((unsigned int)(type) << 24) | \
				       ((unsigned int)(id) & 0xffffff)))
#define SPAN_FD_TYPE(fd)	((int)(((unsigned int)(fd) >> 24) & 0x7f))
#define SPAN_FD_ID(fd)		((int)((unsigned int)(fd) & 0xffffff))

/* Flags of the byte movers: one per modelled syscall flag. */
#define SPAN_O_NONBLOCK		0x0001	/* IOCB_NOWAIT / MSG_DONTWAIT */
#define SPAN_SPLICE_F_MOVE	0x0002
#define SPAN_SPLICE_F_NONBLOCK	0x0004
#define SPAN_SPLICE_F_MORE	0x0008
#define SPAN_SPLICE_F_GIFT	0x0010
#define SPAN_MSG_PEEK		0x0020
#define SPAN_MSG_ZEROCOPY	0x0040
#define SPAN_MSG_SPLICE_PAGES	0x0080
#define SPAN_MSG_MORE		0x0100

/**
 * struct span_src - where the bytes of a write or send come from.
 * @buf: literal bytes (a buffer on the calling thread's stack), or NULL;
 * @region: else a user memory region of the calling process, or 0;
 * @kmem: else a kernel memory region (kernel senders);
 * @off: offset into @region or @kmem.
 */
struct span_src {
	const void *buf;
	int region;
	int kmem;
	uint64_t off;
};

/**
 * span_write - write(2) of @len bytes from @src to @fd by process @pid.
 * @done: progress in bytes; 0 on the first call.  When the call returns
 *	-SPAN_EWOULDSLEEP it has moved *@done bytes so far; call it again with
 *	the same arguments once the file is writable to continue.
 * Return: bytes written, or -errno: -EINVAL (a NULL world or source), -ESRCH
 *	(no such process), -EBADF (not open for writing), -EPIPE (no reader, or
 *	the peer is gone), -EAGAIN (O_NONBLOCK and full), -EFAULT (bad source
 *	memory), -EFBIG, -ENOSPC (/dev/full), -ENOMEM, the errors of
 *	span_sendmsg() on a socket, or
 *	-SPAN_EWOULDSLEEP.
 */
SPAN_API ssize_t span_write(struct span_world *w, int pid, int fd,
			    const struct span_src *src, size_t len,
			    unsigned int flags, size_t *done);
/**
 * span_read - read(2) of up to @len bytes from @fd into @out.
 * Return: bytes read, 0 at EOF, or -errno: -EINVAL (a NULL world or buffer),
 *	-ESRCH (no such process), -EBADF (not open for reading), -EAGAIN
 *	(O_NONBLOCK and empty), -EFAULT, -ECONNRESET (a socket reset by its
 *	peer), or -SPAN_EWOULDSLEEP when a blocking read finds nothing.
 */
SPAN_API ssize_t span_read(struct span_world *w, int pid, int fd, void *out,
			   size_t len, unsigned int flags);
/** span_close - close(2).  Return: 0 or -EBADF. */
SPAN_API int span_close(struct span_world *w, int pid, int fd);
/* ioctl requests of span_ioctl(), with the kernel's numbers */
#define SPAN_FIONREAD	0x541B	/* asm-generic/ioctls.h; = SIOCINQ */
#define SPAN_SIOCINQ	SPAN_FIONREAD
#define SPAN_SIOCOUTQ	0x5411	/* TIOCOUTQ; linux/sockios.h */
/**
 * span_ioctl - ioctl(2) of a request that answers an int, as a step (the
 * pipe, file or socket is read: it is in the step's footprint).
 * SPAN_FIONREAD: the bytes a read would find: on a regular file i_size
 * minus the position (do_vfs_ioctl(); negative past the end, as the
 * kernel's int is), on a pipe the bytes in its buffers (pipe_ioctl()), on
 * a socket SIOCINQ (tcp_inq(), unix_inq_len()).  SPAN_SIOCOUTQ, sockets
 * only: TCP bytes sent and not acknowledged plus bytes not sent
 * (write_seq - snd_una, tcp_ioctl()); AF_UNIX the send buffer still
 * charged for skbs the peer has not consumed (sk_wmem_alloc,
 * unix_outq_len()).
 * @arg: receives the value.
 * Return: 0; -EBADF for no open file; -ENOTTY for a request the kind does
 *	not answer (-ENOIOCTLCMD in the kernel); -EINVAL for a NULL @w/@arg.
 */
SPAN_API int span_ioctl(struct span_world *w, int fd, unsigned int cmd,
			int *arg);
/* @whence of span_lseek(), the kernel's SEEK_* values */
#define SPAN_SEEK_SET	0
#define SPAN_SEEK_CUR	1
#define SPAN_SEEK_END	2
/* MAX_LFS_FILESIZE: the largest s_maxbytes a filesystem can have */
#define SPAN_MAX_LFS_FILESIZE	INT64_MAX
/**
 * span_lseek - lseek(2) as a step (the file is written: its position).
 * The new position is @off from the start, the position or i_size; it may
 * lie past i_size (a read there returns 0, FIONREAD is negative).
 * Return: the new position; -EBADF; -ESPIPE for a pipe or a socket;
 *	-EINVAL for a negative result, one past the s_maxbytes parameter, or
 *	another @whence.
 */
SPAN_API int64_t span_lseek(struct span_world *w, int fd, int64_t off,
			    int whence);
/**
 * span_fd_valid - does @fd name an open file?
 * Return: true for an open file of @w, false otherwise (a NULL world too).
 */
SPAN_API bool span_fd_valid(const struct span_world *w, int fd);

#endif
