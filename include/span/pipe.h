/* SPDX-License-Identifier: MIT */
/*
 * span/pipe.h - pipes (fs/pipe.c).
 */
#ifndef SPAN_PIPE_H
#define SPAN_PIPE_H

#include "span/defs.h"

/* pipe_buffer flags: include/linux/pipe_fs_i.h values */
#define SPAN_PIPE_BUF_FLAG_LRU		0x01	/* page is on the LRU */
#define SPAN_PIPE_BUF_FLAG_ATOMIC	0x02	/* was atomically mapped */
#define SPAN_PIPE_BUF_FLAG_GIFT		0x04	/* page is a gift */
#define SPAN_PIPE_BUF_FLAG_PACKET	0x08	/* read() as a packet */
#define SPAN_PIPE_BUF_FLAG_CAN_MERGE	0x10	/* can merge buffers */
#define SPAN_PIPE_BUF_FLAG_WHOLE	0x20	/* read() must return entire buffer or error */

/* Which ops table a buffer uses (struct pipe_buf_operations). */
enum span_pipe_buf_ops_id {
	SPAN_PBO_NONE,		/* ops == NULL: empty or released slot */
	SPAN_PBO_ANON,		/* anon_pipe_buf_ops: write() */
	SPAN_PBO_PAGE_CACHE,	/* page_cache_pipe_buf_ops: file splice */
	SPAN_PBO_USER_PAGE,	/* user_page_pipe_buf_ops: vmsplice (FOLL_GET) */
	SPAN_PBO_USER_PIN,	/* vmsplice=pin: a pinned user page */
	SPAN_PBO_DESC,		/* pipe_split=desc: shared span descriptor */
	SPAN_PBO_DEFAULT,	/* default_pipe_buf_ops: private copied page */
	SPAN_PBO_NOSTEAL,	/* nosteal_pipe_buf_ops: sockets */
	SPAN_PBO_OWNER,		/* sock_splice=desc: an owner reference */
	SPAN_NR_PBO
};

/**
 * span_pipe_buf_ops_name - "anon_pipe_buf_ops" etc.
 * Return: the name, or NULL for an unknown @ops.
 */
SPAN_API const char *span_pipe_buf_ops_name(int ops);

/* Flags of span_pipe_create(), as pipe2() */
#define SPAN_PIPE_PACKET	0x1	/* O_DIRECT */
#define SPAN_PIPE_NONBLOCK	0x2	/* O_NONBLOCK on both ends */

/**
 * span_pipe_create - pipe2() (create_pipe_files(), alloc_pipe_info()).
 * @pipe: receives the pipe id; the ends are SPAN_FD(SPAN_FD_PIPE_R, id)
 *	and SPAN_FD(SPAN_FD_PIPE_W, id).
 * Return: 0, -EINVAL (bad flags), -ENOMEM.
 */
SPAN_API int span_pipe_create(struct span_world *w, unsigned int flags,
			      int *pipe);
/**
 * span_pipe_set_size - fcntl(F_SETPIPE_SZ) (pipe_set_size()).
 * Return: the new size in bytes, or -EBADF/-EINVAL/-EPERM/-EBUSY/-ENOMEM
 *	(-EINVAL for a NULL world).
 */
SPAN_API int64_t span_pipe_set_size(struct span_world *w, int fd,
				    uint64_t arg);
/**
 * span_pipe_get_size - fcntl(F_GETPIPE_SZ) without a step: a peek for
 * reports.  Return: bytes, -EBADF, or -EINVAL for a NULL world.
 */
SPAN_API int64_t span_pipe_get_size(const struct span_world *w, int fd);

/* fcntl commands of span_pipe_fcntl(), with the kernel's numbers */
#define SPAN_F_SETPIPE_SZ	1031
#define SPAN_F_GETPIPE_SZ	1032
/**
 * span_pipe_fcntl - pipe_fcntl(): F_SETPIPE_SZ or F_GETPIPE_SZ as a step
 * (the pipe is in the step's footprint: read by F_GETPIPE_SZ, written by
 * F_SETPIPE_SZ).
 * Return: the size in bytes; -EBADF when @fd is not an open pipe end;
 * -EINVAL for another @cmd or a NULL world; for F_SETPIPE_SZ also -EPERM,
 * -EBUSY, -ENOMEM (as span_pipe_set_size()).
 */
SPAN_API int64_t span_pipe_fcntl(struct span_world *w, int fd, unsigned int cmd,
				 uint64_t arg);

/**
 * struct span_pipe_info - a pipe's ring.
 * @head, @tail: free-running indices; @max_usage, @ring_size: slots;
 * @readers, @writers: open ends; @bytes: FIONREAD.
 */
struct span_pipe_info {
	uint32_t head, tail, max_usage, ring_size;
	uint32_t readers, writers;
	uint64_t bytes;
};

/** span_pipe_info - report a pipe.  Return: 0 or -EINVAL. */
SPAN_API int span_pipe_info(const struct span_world *w, int pipe,
			    struct span_pipe_info *info);

/**
 * struct span_pipe_buf_info - one slot of the ring.
 * @page, @offset, @len, @flags: the pipe_buffer fields;
 * @ops: enum span_pipe_buf_ops_id; @priv: the descriptor or owner id, or
 * for nosteal_pipe_buf_ops the MSG_ZEROCOPY ubuf of the skb frag it came
 * from (0: none).
 */
struct span_pipe_buf_info {
	int page;
	uint32_t offset, len;
	int ops;
	uint32_t flags;
	uint32_t priv;
};

/**
 * span_pipe_buf - report slot @slot (index masked by ring_size - 1, so a
 * free slot's stale contents can be read too).  Return: 0 or -EINVAL.
 */
SPAN_API int span_pipe_buf(const struct span_world *w, int pipe,
			   uint32_t slot, struct span_pipe_buf_info *info);

#endif
