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
 * Handles are SPAN_FD(SPAN_FD_SOCK, id).  Return: 0 or -ENOMEM.
 */
SPAN_API int span_tcp_connect(struct span_world *w, int *a, int *b);
/** span_unix_pair - socketpair(AF_UNIX, SOCK_STREAM).  Return: 0/-ENOMEM. */
SPAN_API int span_unix_pair(struct span_world *w, int *a, int *b);
/**
 * span_setsockopt_zerocopy - setsockopt(SOL_SOCKET, SO_ZEROCOPY, @val).
 * Return: 0, -EOPNOTSUPP (AF_UNIX), -EINVAL (@val not 0/1), -EBADF.
 */
SPAN_API int span_setsockopt_zerocopy(struct span_world *w, int fd, int val);

struct span_src;

/**
 * span_sendmsg - sendmsg(2) (tcp_sendmsg_locked(), unix_stream_sendmsg()).
 * @flags: SPAN_MSG_ZEROCOPY, SPAN_MSG_SPLICE_PAGES, SPAN_MSG_MORE,
 *	SPAN_O_NONBLOCK.
 * @done: progress, as span_write().
 * Return: bytes queued, or -errno (-EIO, -EPIPE, -EAGAIN, -ENOBUFS, ...).
 */
SPAN_API ssize_t span_sendmsg(struct span_world *w, int pid, int fd,
			      const struct span_src *src, size_t len,
			      unsigned int flags, size_t *done);
/**
 * span_recvmsg - recvmsg(2) of up to @len bytes (SPAN_MSG_PEEK,
 * SPAN_O_NONBLOCK).  Return: bytes, 0 at EOF, or -errno.
 */
SPAN_API ssize_t span_recvmsg(struct span_world *w, int pid, int fd,
			      void *out, size_t len, unsigned int flags);
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
 * Return: bytes transformed, -SPAN_EWOULDSLEEP until queued, -errno.
 */
SPAN_API ssize_t span_decrypt(struct span_world *w, int pid, int fd,
			      size_t len);

#endif
