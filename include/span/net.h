/* SPDX-License-Identifier: MIT */
/*
 * span/net.h - sockets: TCP over loopback, AF_UNIX stream, MSG_ZEROCOPY,
 * MSG_SPLICE_PAGES (net/ipv4/tcp*.c, net/unix/af_unix.c,
 * drivers/net/loopback.c, net/core/skbuff.c).
 *
 * Transmission, loopback delivery and ACKs are kernel events (see
 * span_world_events()); the socket calls only queue work.
 */
#ifndef SPAN_NET_H
#define SPAN_NET_H

#include "span/defs.h"

/**
 * span_tcp_connect - an established TCP connection over lo.
 * @a: receives the connect side's socket id; @b: the accept side's.
 * Handles are SPAN_FD(SPAN_FD_SOCK, id).
 * Return: 0, -EINVAL (a NULL argument), -ENOMEM.
 */
SPAN_API int span_tcp_connect(struct span_world *w, int *a, int *b);
/**
 * span_unix_pair - socketpair(AF_UNIX, SOCK_STREAM).
 * Return: 0, -EINVAL (a NULL argument), -ENOMEM.
 */
SPAN_API int span_unix_pair(struct span_world *w, int *a, int *b);
/**
 * span_setsockopt_zerocopy - setsockopt(SOL_SOCKET, SO_ZEROCOPY, @val).
 * Return: 0, -EOPNOTSUPP (AF_UNIX), -EINVAL (@val not 0/1), -EBADF.
 */
SPAN_API int span_setsockopt_zerocopy(struct span_world *w, int fd, int val);

/* @how of span_shutdown(), the kernel's SHUT_* values */
#define SPAN_SHUT_RD	0
#define SPAN_SHUT_WR	1
#define SPAN_SHUT_RDWR	2
/**
 * span_shutdown - shutdown(2) (inet_shutdown() -> tcp_shutdown(),
 * unix_shutdown()).  SHUT_WR: the peer reads what is queued, then 0, and
 * sends here fail with -EPIPE (TCP sends a FIN after the data); SHUT_RD:
 * reads here return what is queued, then 0 (AF_UNIX: the peer's sends get
 * -EPIPE; TCP: the peer's data is still queued, or reset once this side
 * sent its FIN too).
 * Return: 0; -EBADF; -ENOTSOCK; -EINVAL for another @how; -ENOTCONN for
 *	a TCP socket in TCP_CLOSE (reset, or both FINs acknowledged).
 */
SPAN_API int span_shutdown(struct span_world *w, int fd, int how);

struct span_src;

/**
 * span_sendmsg - sendmsg(2) (tcp_sendmsg_locked(), unix_stream_sendmsg()).
 * @flags: SPAN_MSG_ZEROCOPY, SPAN_MSG_SPLICE_PAGES, SPAN_MSG_MORE,
 *	SPAN_O_NONBLOCK.
 * @done: progress, as span_write().
 * Return: bytes queued, or -errno: -EINVAL (a NULL world or source, bad flags),
 *	-ESRCH, -EBADF, -ENOTSOCK, -EPIPE, -ECONNRESET, -EAGAIN, -EFAULT,
 *	-EMSGSIZE, -ENOBUFS, -EIO, -EOPNOTSUPP, -ENOMEM, or -SPAN_EWOULDSLEEP.
 */
SPAN_API ssize_t span_sendmsg(struct span_world *w, int pid, int fd,
			      const struct span_src *src, size_t len,
			      unsigned int flags, size_t *done);
/**
 * span_recvmsg - recvmsg(2) of up to @len bytes (SPAN_MSG_PEEK,
 * SPAN_O_NONBLOCK).
 * Return: bytes, 0 at EOF, or -errno: -EINVAL (a NULL world or buffer, bad
 *	flags), -ESRCH, -EBADF, -ENOTSOCK, -EAGAIN, -EFAULT, -ECONNRESET, or
 *	-SPAN_EWOULDSLEEP.
 */
SPAN_API ssize_t span_recvmsg(struct span_world *w, int pid, int fd,
			      void *out, size_t len, unsigned int flags);
/**
 * span_recvmsg_waitall - recvmsg(2) with MSG_WAITALL: the target of
 * tcp_recvmsg_locked() and unix_stream_read_generic() (sock_rcvlowat())
 * is @len.  A call copies what is queued to @out + *@done and adds it to
 * *@done; with SPAN_MSG_PEEK it peeks the first *@done + more bytes and
 * consumes nothing.  Call it again with the same arguments after
 * -SPAN_EWOULDSLEEP, as span_write().
 * Return: @len once it is reached; with fewer bytes and nothing more
 *	queued, *@done when the call ends there (nonblocking, end of file or
 *	shutdown, a pending error: TCP leaves it for the next call, AF_UNIX
 *	consumes it), -SPAN_EWOULDSLEEP when it sleeps for more; with nothing
 *	copied at all, what span_recvmsg() returns (-EINVAL, -ESRCH, -EBADF,
 *	-ENOTSOCK, -EAGAIN, -EFAULT, -ECONNRESET).
 */
SPAN_API ssize_t span_recvmsg_waitall(struct span_world *w, int pid, int fd,
				      void *out, size_t len,
				      unsigned int flags, size_t *done);
/**
 * span_recv_errqueue - recvmsg(MSG_ERRQUEUE) until the queue is empty:
 * zerocopy completions as text ("0-3", "4-4 copied", joined by ",").
 * Return: the number of notifications drained; -EAGAIN when the queue is
 *	empty (-SPAN_EWOULDSLEEP instead if @wait); -EBADF.
 */
SPAN_API int span_recv_errqueue(struct span_world *w, int fd, bool wait,
				char *out, size_t size);
/**
 * span_sock_completions - every completion delivered to @fd's error queue
 * so far (drained or not), in the text form above.  Return: 0 or -EBADF.
 */
SPAN_API int span_sock_completions(const struct span_world *w, int fd,
				   char *out, size_t size);
/**
 * span_decrypt - an in-kernel consumer (ESP, rxkad, AF_ALG style) that
 * transforms the next @len received bytes in place; it must copy first
 * (skb_cow_data()) where the data is not privately owned (a cloned skb, or
 * SKBFL_SHARED_FRAG unless skb_shared_frag=ignore).  The transform XORs
 * each byte with 0x20 (it swaps the case of ASCII letters), so a reader
 * sees that it happened.
 * TCP only: no such consumer reads an AF_UNIX stream (whose
 * MSG_SPLICE_PAGES skbs have no SKBFL_SHARED_FRAG), -EOPNOTSUPP there.
 * Return: bytes transformed, -SPAN_EWOULDSLEEP until queued, or -errno: -EINVAL
 *	(a NULL world), -EBADF, -ESRCH, -EOPNOTSUPP (AF_UNIX), -EFAULT, -ENOMEM.
 */
SPAN_API ssize_t span_decrypt(struct span_world *w, int pid, int fd,
			      size_t len);

/* --- read-only accessors (the ownership graph, tests, tools) ------------- */

/* socket families of struct span_sock_info */
#define SPAN_SOCK_TCP		1
#define SPAN_SOCK_UNIX		2

/* the queues of a socket, and where an skb is (struct span_skb_info) */
enum span_sock_queue {
	SPAN_SQ_WRITE,		/* TCP: queued, not yet transmitted */
	SPAN_SQ_RTX,		/* TCP: transmitted, waiting for the ACK */
	SPAN_SQ_RECEIVE,	/* sk_receive_queue */
	SPAN_NR_SQ,
	SPAN_SQ_IN_FLIGHT = SPAN_NR_SQ,	/* on lo: a pending delivery */
	SPAN_SQ_NONE,		/* on no queue (a caller holds it) */
};

/**
 * struct span_sock_info - one socket.
 * @family: SPAN_SOCK_TCP or SPAN_SOCK_UNIX.
 * @peer: the peer socket's id (0 once it is gone).
 * @open: the file is open; @dead: SOCK_DEAD (closed, lingering until its
 *	queues drain); @zerocopy: SO_ZEROCOPY.
 * @shutdown: RCV_SHUTDOWN (1) | SEND_SHUTDOWN (2); @err: sk_err (positive).
 * @nr_skbs, @bytes: skbs and unread bytes on each enum span_sock_queue.
 * @wmem_queued: TCP write + rtx bytes; @wmem_alloc: AF_UNIX bytes in flight.
 * @zckey: the next MSG_ZEROCOPY id.
 * @pfrag_page, @pfrag_offset: sk_page_frag (the socket holds a ref).
 * @write_seq, @snd_nxt, @snd_una, @rcv_nxt: TCP sequence numbers.
 * @inflight: bytes on lo towards this socket.
 */
struct span_sock_info {
	int family;
	uint32_t peer;
	bool open, dead, zerocopy;
	uint32_t shutdown;
	int err;
	uint32_t nr_skbs[SPAN_NR_SQ];
	uint64_t bytes[SPAN_NR_SQ];
	uint64_t wmem_queued, wmem_alloc;
	uint32_t zckey;
	int pfrag_page;
	uint32_t pfrag_offset;
	uint32_t write_seq, snd_nxt, snd_una, rcv_nxt;
	uint32_t inflight;
};

/**
 * span_sock_info - report socket @sock (an id, as span_tcp_connect() and
 * span_unix_pair() return; it stays valid after close until it is freed).
 * Return: 0, -ENOENT (no such socket now), -EINVAL (past the table).
 */
SPAN_API int span_sock_info(const struct span_world *w, int sock,
			    struct span_sock_info *info);
/**
 * span_sock_skb - walk a queue: the id of the @index-th skb (from the head)
 * of queue @queue (enum span_sock_queue) of @sock.
 * Return: the skb id, 0 past the end, or -ENOENT/-EINVAL.
 */
SPAN_API int span_sock_skb(const struct span_world *w, int sock, int queue,
			   int index);

/* what a frag holds on its page (struct span_skb_frag_info.ref) */
#define SPAN_FRAG_REF_PAGE	0	/* a page reference */
#define SPAN_FRAG_REF_PIN	1	/* a FOLL_PIN pin */
#define SPAN_FRAG_REF_NONE	2	/* nothing: the owner ref covers it */

/* shinfo->flags (include/linux/skbuff.h SKBFL_*) */
#define SPAN_SKBFL_ZEROCOPY_ENABLE	0x01
#define SPAN_SKBFL_SHARED_FRAG		0x02
#define SPAN_SKBFL_PURE_ZEROCOPY	0x04
#define SPAN_SKBFL_DONT_ORPHAN		0x08
#define SPAN_SKBFL_MANAGED_FRAG_REFS	0x10

#define SPAN_SKB_FRAGS_MAX	32	/* frags[] of struct span_skb_info */

/** struct span_skb_frag_info - one skb_frag_t: page, offset, len, kind. */
struct span_skb_frag_info {
	int page;
	uint32_t offset, len;
	int ref;		/* SPAN_FRAG_REF_* */
	uint32_t ubuf;		/* the ubuf whose GUP captured the page, or 0 */
};

/**
 * struct span_skb_info - one sk_buff and its skb_shared_info.
 * @len, @data_len, @truesize, @consumed: bytes (headlen = len - data_len;
 *	@consumed: already read from the front).
 * @users: skb->users; @cloned: skb->cloned; @fin: a TCP FIN.
 * @seq, @end_seq: TCP_SKB_CB.
 * @sk: the socket its destructor charges (sock_wfree), 0 if orphaned.
 * @where, @where_sock: enum span_sock_queue and the socket of that queue
 *	(for SPAN_SQ_IN_FLIGHT the destination).
 * @shinfo: id of the shared info (clones have the same); @dataref;
 *	@flags: SPAN_SKBFL_*; @ubuf: destructor_arg (MSG_ZEROCOPY), 0 if none;
 *	@owner: the owner reference (kmem_send=desc), 0 if none.
 * @head_page: the linear head's page (0: no linear data); @head_frag: it
 *	is a refcounted page frag rather than kmalloc memory.
 * @nr_frags, @frags: the page fragments.
 */
struct span_skb_info {
	uint32_t len, data_len, truesize, consumed;
	int32_t users;
	bool cloned, fin;
	uint32_t seq, end_seq;
	uint32_t sk;
	int where;
	uint32_t where_sock;
	uint32_t shinfo;
	int32_t dataref;
	uint32_t flags;
	uint32_t ubuf, owner;
	int head_page;
	bool head_frag;
	uint32_t nr_frags;
	struct span_skb_frag_info frags[SPAN_SKB_FRAGS_MAX];
};

/**
 * span_skb_info - report skb @skb (ids from span_sock_skb(), or any id from
 * 1 up: a free id is -ENOENT).  Return: 0, -ENOENT, -EINVAL (past the table).
 */
SPAN_API int span_skb_info(const struct span_world *w, int skb,
			   struct span_skb_info *info);

/**
 * struct span_ubuf_view - one MSG_ZEROCOPY ubuf_info.
 * @refcnt; @id, @len: the notification range [id, id + len - 1];
 * @bytelen; @zerocopy: 0 once a copy was made (the range says COPIED);
 * @sk: the socket it notifies.
 */
struct span_ubuf_view {
	int32_t refcnt;
	uint32_t id, len, bytelen;
	bool zerocopy;
	uint32_t sk;
};

/**
 * span_ubuf_info - report ubuf @ubuf (from span_skb_info(), or any id from
 * 1 up).  Return: 0, -ENOENT (free), -EINVAL (past the table).
 */
SPAN_API int span_ubuf_info(const struct span_world *w, int ubuf,
			    struct span_ubuf_view *info);

#endif
