// SPDX-License-Identifier: MIT
/*
 * socket.c - the socket layer and the kernel event queue.
 *
 * Models net/socket.c (sock_sendmsg(), sock_recvmsg(), sock_close(),
 * sock_splice_read()), the splice_to_socket() actor of fs/splice.c, the
 * MSG_ERRQUEUE side of net/core/sock.c (sock_recv_errqueue()), and an
 * in-kernel consumer that transforms received data in place (esp_input(),
 * rxkad, AF_ALG: span_decrypt()).  Also the library plumbing of the
 * network model: the socket table, the kernel event queue, the checker's
 * recount of what the network holds, the canonical form for hashing and
 * the end-of-run teardown.
 *
 * Kernel events (include/span/world.h) are queued by the model and run by
 * the caller: span_world_run_event() runs the event's work and nothing
 * else; the caller brackets it with span_world_step_begin(w, 0, 0) and
 * span_world_step_end(w) exactly like a thread step.  Deliveries to one
 * socket are enabled in FIFO order (the loopback backlog is a queue);
 * every other pending event is always enabled.
 */
#include <stddef.h>
#include <stdio.h>

#include "internal.h"

/* --- tables -------------------------------------------------------------- */

int span__net_init(struct span_world *w)
{
	struct span_net *n = &w->net;

	memset(n, 0, sizeof(*n));
	if (span__tab_init(w, &n->events, sizeof(struct span_event_ent)) ||
	    span__tab_init(w, &n->skbs, sizeof(struct span_sk_buff)) ||
	    span__tab_init(w, &n->shinfos, sizeof(struct span_skb_shared_info)) ||
	    span__tab_init(w, &n->ubufs, sizeof(struct span_ubuf_info)) ||
	    span__tab_init(w, &n->socks, sizeof(struct span_sock)) ||
	    span__tab_init(w, &n->captures, sizeof(struct span_zc_capture)) ||
	    span__tab_init(w, &n->notes, sizeof(struct span_zc_note)))
		return -ENOMEM;
	return 0;
}

void span__net_destroy(struct span_world *w)
{
	struct span_net *n = &w->net;

	span__tab_destroy(w, &n->events);
	span__tab_destroy(w, &n->skbs);
	span__tab_destroy(w, &n->shinfos);
	span__tab_destroy(w, &n->ubufs);
	span__tab_destroy(w, &n->socks);
	span__tab_destroy(w, &n->captures);
	span__tab_destroy(w, &n->notes);
}

/*
 * Allocation that fault injection does not fail: the kernel has no
 * allocation at these points (a timer, softirq work, a notification skb
 * preallocated with the uarg), so failing them would model nothing.
 */
static uint32_t tab_alloc_nofail(struct span_world *w, struct span_tab *t)
{
	uint64_t nth = w->fault_nth[SPAN_FAULT_ALLOC];
	uint32_t id;

	w->fault_nth[SPAN_FAULT_ALLOC] = 0;
	id = span__tab_alloc(w, t);
	w->fault_nth[SPAN_FAULT_ALLOC] = nth;
	return id;
}

uint32_t span__sock_alloc(struct span_world *w, int family)
{
	uint32_t id = span__tab_alloc(w, &w->net.socks);

	if (!id)
		return 0;
	SOCK(w, id)->family = (uint8_t)family;
	SOCK(w, id)->file = 1;
	span__fp(w, true, SPAN_OBJ_SOCK, id);
	return id;
}

/* --- skb queues ---------------------------------------------------------- */

void span__skb_queue_tail(struct span_world *w, struct span_skb_queue *q,
			  uint32_t skb)
{
	SKB(w, skb)->next = 0;
	if (q->tail)
		SKB(w, q->tail)->next = skb;
	else
		q->head = skb;
	q->tail = skb;
}

uint32_t span__skb_dequeue(struct span_world *w, struct span_skb_queue *q)
{
	uint32_t skb = q->head;

	if (!skb)
		return 0;
	q->head = SKB(w, skb)->next;
	if (!q->head)
		q->tail = 0;
	SKB(w, skb)->next = 0;
	return skb;
}

/* __skb_queue_purge() */
void span__skb_queue_purge(struct span_world *w, struct span_skb_queue *q,
			   const char *func)
{
	uint32_t skb;

	while ((skb = span__skb_dequeue(w, q)))
		span__kfree_skb(w, skb, func);
}

/* bytes queued for reading (sk_rmem_alloc, truesize == len) */
uint64_t span__sk_rmem(struct span_world *w, uint32_t sk)
{
	uint64_t n = 0;

	for (uint32_t s = SOCK(w, sk)->receive_queue.head; s; s = SKB(w, s)->next)
		n += SKB(w, s)->len - SKB(w, s)->consumed;
	return n;
}

/* sock_wfree(): the sender's sk_wmem_alloc goes down */
void span__sock_wfree(struct span_world *w, uint32_t sk, uint32_t truesize)
{
	struct span_sock *so;

	if (!span__tab_live(&w->net.socks, sk))
		return;
	so = SOCK(w, sk);
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	so->wmem_alloc -= truesize < so->wmem_alloc ? truesize : so->wmem_alloc;
}

/* --- socket lifetime ----------------------------------------------------- */

static bool sock_busy(struct span_world *w, uint32_t sk)
{
	struct span_sock *so = SOCK(w, sk);

	if (!so->dead || so->write_queue.head || so->rtx_queue.head ||
	    so->receive_queue.head || so->wmem_alloc || so->send_uarg)
		return true;
	for (uint32_t i = 1; i < w->net.events.n; i++)
		if (EVENT(w, i)->live && EVENT(w, i)->sock == sk)
			return true;
	for (uint32_t i = 1; i < w->net.ubufs.n; i++)
		if (UBUF(w, i)->live && UBUF(w, i)->sk == sk)
			return true;
	for (uint32_t i = 1; i < w->net.skbs.n; i++)
		if (SKB(w, i)->live && SKB(w, i)->sk == sk)
			return true;
	return false;
}

/* __sk_free() of an orphaned socket once nothing refers to it */
void span__sock_reap(struct span_world *w, uint32_t sk)
{
	struct span_sock *so = SOCK(w, sk);

	if (!so->live || sock_busy(w, sk))
		return;
	if (so->peer && span__tab_live(&w->net.socks, so->peer) &&
	    SOCK(w, so->peer)->peer == sk)
		SOCK(w, so->peer)->peer = 0;
	if (so->pfrag_page)
		span__put_page(w, so->pfrag_page, "sk_destruct");
	for (uint32_t i = 1; i < w->net.notes.n; i++)
		if (NOTE(w, i)->live && NOTE(w, i)->sk == sk)
			span__tab_free(&w->net.notes, i);
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	span__trace(w, "__sk_free", SPAN_TR_FREE, SPAN_OBJ_SOCK, sk, 0, 0, NULL);
	span__tab_free(&w->net.socks, sk);
}

void span__sock_reap_all(struct span_world *w)
{
	for (uint32_t i = 1; i < w->net.socks.n; i++)
		if (SOCK(w, i)->live && SOCK(w, i)->dead)
			span__sock_reap(w, i);
}

bool span__sock_valid(const struct span_world *w, uint32_t sock)
{
	return span__tab_live(&w->net.socks, sock) &&
	       TAB_AT(w->net.socks, struct span_sock, sock)->file;
}

static uint32_t sock_of(const struct span_world *w, int fd)
{
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);

	if (!w || fd <= 0 || SPAN_FD_TYPE(fd) != SPAN_FD_SOCK ||
	    !span__sock_valid(w, id))
		return 0;
	return id;
}

/*
 * not_a_socket - the errno of a socket call on @fd when sock_of() found no
 * socket.  KREF: net/socket.c sockfd_lookup_light(): -EBADF for no open
 * descriptor, -ENOTSOCK for a descriptor that is not a socket.
 */
static int not_a_socket(const struct span_world *w, int fd)
{
	return w && fd > 0 && span_fd_valid(w, fd) ? -ENOTSOCK : -EBADF;
}

/*
 * span__sock_ioctl - sock_ioctl() -> sock_do_ioctl() -> inet_ioctl() ->
 * tcp_ioctl(), or unix_ioctl(); the socket is read (footprint).
 */
int span__sock_ioctl(struct span_world *w, uint32_t sock, unsigned int cmd,
		     int *arg)
{
	span__fp(w, false, SPAN_OBJ_SOCK, sock);
	if (SOCK(w, sock)->family == SOCK_TCP)
		return span__tcp_ioctl(w, sock, cmd, arg);
	return span__unix_ioctl(w, sock, cmd, arg);
}

/*
 * span_shutdown - KREF: net/socket.c __sys_shutdown_sock():
 * sockfd_lookup_light() first (-EBADF, -ENOTSOCK), then ->shutdown():
 * inet_shutdown() and unix_shutdown() both check @how (SHUT_RD, SHUT_WR,
 * SHUT_RDWR; else -EINVAL) and take how + 1 as the sk_shutdown bits.
 */
int span_shutdown(struct span_world *w, int fd, int how)
{
	uint32_t sk = sock_of(w, fd);
	int ret;

	if (!sk)
		return not_a_socket(w, fd);
	if (how < SPAN_SHUT_RD || how > SPAN_SHUT_RDWR)
		return -EINVAL;
	if (SOCK(w, sk)->family == SOCK_TCP)
		ret = span__inet_shutdown(w, sk, how + 1);
	else
		ret = span__unix_shutdown(w, sk, how + 1);
	span__sock_reap_all(w);
	return ret;
}

/* sock_close() -> tcp_close() / unix_release() */
int span__sock_close(struct span_world *w, uint32_t sock)
{
	if (!span__sock_valid(w, sock))
		return -EBADF;
	if (SOCK(w, sock)->family == SOCK_TCP)
		span__tcp_close(w, sock);
	else
		span__unix_release(w, sock);
	span__sock_reap_all(w);
	return 0;
}

/* --- the socket calls ---------------------------------------------------- */

int span_setsockopt_zerocopy(struct span_world *w, int fd, int val)
{
	uint32_t sk = sock_of(w, fd);

	if (!sk)
		return not_a_socket(w, fd);
	/* KREF: net/core/sock.c sk_setsockopt(SO_ZEROCOPY) */
	if (SOCK(w, sk)->family != SOCK_TCP)
		return -EOPNOTSUPP;
	if (val != 0 && val != 1)
		return -EINVAL;
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	SOCK(w, sk)->zerocopy = (uint8_t)val;
	return 0;
}

ssize_t span__sock_sendmsg_iter(struct span_world *w, uint32_t sk,
				struct span_net_iter *it, unsigned int flags,
				size_t *done)
{
	ssize_t ret;

	if (SOCK(w, sk)->family == SOCK_TCP)
		ret = span__tcp_sendmsg(w, sk, it, flags, done);
	else
		ret = span__unix_stream_sendmsg(w, sk, it, flags, done);
	span__sock_reap_all(w);
	return ret;
}

#define SEND_FLAGS (SPAN_MSG_ZEROCOPY | SPAN_MSG_SPLICE_PAGES | SPAN_MSG_MORE | \
		    SPAN_O_NONBLOCK)

ssize_t span_sendmsg(struct span_world *w, int pid, int fd,
		     const struct span_src *src, size_t len,
		     unsigned int flags, size_t *done)
{
	struct span_net_iter it;
	size_t local = 0;
	uint32_t sk;

	if (!w || !src || (flags & ~SEND_FLAGS))
		return -EINVAL;
	if (!done)
		done = &local;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	sk = sock_of(w, fd);
	if (!sk)
		return not_a_socket(w, fd);
	if (*done > len)
		return -EINVAL;
	/*
	 * No early return for a zero length: tcp_sendmsg_locked() and
	 * unix_stream_sendmsg() check the socket's errors and shutdown first
	 * (a dead AF_UNIX peer gives -EPIPE), then send nothing.
	 */
	/*
	 * KREF: net/socket.c ____sys_sendmsg(): MSG_INTERNAL_SENDMSG_FLAGS are
	 * cleared for userspace.  Literal bytes are a user buffer; a region
	 * or kmem with MSG_SPLICE_PAGES is a kernel service's bvec.
	 */
	if (src->buf)
		flags &= ~SPAN_MSG_SPLICE_PAGES;
	if (src->kmem && !(flags & SPAN_MSG_SPLICE_PAGES))
		flags &= ~SPAN_MSG_ZEROCOPY;	/* a kvec: copied */
	span__iter_init_src(&it, (uint32_t)pid, src, len);
	span__iter_advance(&it, *done);
	return span__sock_sendmsg_iter(w, sk, &it, flags, done);
}

ssize_t span_recvmsg(struct span_world *w, int pid, int fd, void *out,
		     size_t len, unsigned int flags)
{
	uint32_t sk;
	ssize_t ret;

	if (!w || (len && !out) || (flags & ~(SPAN_MSG_PEEK | SPAN_O_NONBLOCK)))
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	sk = sock_of(w, fd);
	if (!sk)
		return not_a_socket(w, fd);
	if (SOCK(w, sk)->family == SOCK_TCP)
		ret = span__tcp_recvmsg(w, sk, out, len, flags);
	else
		ret = span__unix_stream_recvmsg(w, sk, out, len, flags);
	span__sock_reap_all(w);
	return ret;
}

/*
 * span_recvmsg_waitall - MSG_WAITALL: the loop of tcp_recvmsg_locked() and
 * unix_stream_read_generic() until the target (@len) is copied, one
 * sleep at a time.  A peek re-reads the queue from its head (peek_seq
 * stays at the start of the call's bytes), so the bytes of *@done are
 * peeked again with the new ones.  DEVIATION: a reader that consumes
 * between two of these calls changes what the next peek sees, where the
 * kernel warns about the race and restarts at copied_seq.
 */
ssize_t span_recvmsg_waitall(struct span_world *w, int pid, int fd,
			     void *out, size_t len, unsigned int flags,
			     size_t *done)
{
	bool peek = flags & SPAN_MSG_PEEK;
	bool nonblock = flags & SPAN_O_NONBLOCK;
	uint32_t sk;
	uint64_t avail;
	ssize_t n;
	bool end;

	if (!w || !done || (len && !out) ||
	    (flags & ~(SPAN_MSG_PEEK | SPAN_O_NONBLOCK)) || *done > len)
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	sk = sock_of(w, fd);
	if (!sk)
		return not_a_socket(w, fd);
	if (!len)
		return span_recvmsg(w, pid, fd, out, len, flags);
	while (*done < len) {
		span__fp(w, true, SPAN_OBJ_SOCK, sk);
		avail = span__sk_rmem(w, sk);
		if (avail > *done || (!peek && avail)) {
			/* more is queued: copy it (a peek from the head) */
			if (peek)
				n = span_recvmsg(w, pid, fd, out,
						 avail < len ? avail : len,
						 flags);
			else
				n = span_recvmsg(w, pid, fd,
						 (char *)out + *done,
						 len - *done, flags);
			if (n <= 0)
				return *done ? (ssize_t)*done : n;
			*done = peek ? (size_t)n : *done + (size_t)n;
			continue;
		}
		if (!*done)	/* nothing at all: as without MSG_WAITALL */
			return span_recvmsg(w, pid, fd, out, len, flags);
		if (SOCK(w, sk)->family == SOCK_TCP)
			end = span__tcp_waitall_end(w, sk, nonblock);
		else
			end = span__unix_waitall_end(w, sk, nonblock);
		return end ? (ssize_t)*done : -SPAN_EWOULDSLEEP;
	}
	return (ssize_t)len;
}

/*
 * span__sock_splice_read - sock_splice_read() -> tcp_splice_read() or
 * unix_stream_splice_read().  @nonblock is SPLICE_F_NONBLOCK or the
 * pipe's O_NONBLOCK.  An offset is -ESPIPE (both protocols check *ppos).
 */
ssize_t span__sock_splice_read(struct span_world *w, uint32_t pid, int fd,
			       uint64_t *off_in,
			       struct span_pipe_inode_info *pipe, size_t len,
			       unsigned int flags, bool nonblock)
{
	uint32_t sk = sock_of(w, fd);
	ssize_t ret;

	(void)pid;
	(void)flags;
	if (!sk)
		return -EBADF;
	if (off_in)
		return -ESPIPE;
	if (SOCK(w, sk)->family == SOCK_TCP)
		ret = span__tcp_splice_read(w, sk, pipe, len, nonblock);
	else
		ret = span__unix_stream_splice_read(w, sk, pipe, len, nonblock);
	span__sock_reap_all(w);
	return ret;
}

/*
 * span__splice_to_socket - splice_to_socket(): up to 16 pipe buffers at a
 * time become a bvec iterator for sendmsg(MSG_SPLICE_PAGES); the skb takes
 * its own references (or, under kmem_send, what that knob says), and the
 * pipe's buffers are released once sendmsg returns.
 * @nonblock: SPLICE_F_NONBLOCK or the pipe's O_NONBLOCK (the wait for
 * pipe data); the socket's own O_NONBLOCK becomes MSG_DONTWAIT.
 */
ssize_t span__splice_to_socket(struct span_world *w, uint32_t pid,
			       struct span_pipe_inode_info *pipe, int fd,
			       size_t len, unsigned int flags, bool nonblock)
{
	uint32_t sk = sock_of(w, fd);
	ssize_t spliced = 0;

	(void)pid;
	if (!sk)
		return -EBADF;
	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	while (len) {
		struct span_bvec bv[SPAN_PIPE_DEF_SEGS];
		struct span_net_iter it;
		unsigned int mflags = SPAN_MSG_SPLICE_PAGES;
		uint32_t nr = 0;
		size_t total = 0, done = 0, more = 0;
		ssize_t ret;

		if (!span__splice_from_pipe_next(w, pipe, nonblock, &spliced))
			break;
		for (uint32_t i = pipe->tail; i != pipe->head; i++) {
			struct span_pipe_buffer *buf = span__pipe_buf(w, pipe, i);

			if (!buf->len)
				continue;
			if (nr == SPAN_PIPE_DEF_SEGS || total >= len) {
				more += buf->len;
				continue;
			}
			if (span__pipe_buf_confirm(w, buf))
				break;
			bv[nr].page = buf->page;
			bv[nr].offset = buf->offset;
			bv[nr].len = buf->len;
			if (total + bv[nr].len > len)
				bv[nr].len = (uint32_t)(len - total);
			total += bv[nr].len;
			nr++;
		}
		if (!nr)
			break;
		if ((flags & SPAN_SPLICE_F_MORE) || more)
			mflags |= SPAN_MSG_MORE;
		span__iter_init_bvec(&it, bv, nr, total);
		ret = span__sock_sendmsg_iter(w, sk, &it, mflags, &done);
		if (ret == -SPAN_EWOULDSLEEP)
			ret = done ? (ssize_t)done : (spliced ? 0 : ret);
		if (ret <= 0) {
			if (!spliced)
				spliced = ret;
			break;
		}
		/* the pipe's references go now; the skb holds its own */
		for (size_t left = (size_t)ret; left;) {
			struct span_pipe_buffer *buf =
				span__pipe_buf(w, pipe, pipe->tail);
			uint32_t n = buf->len < left ? buf->len : (uint32_t)left;

			buf->offset += n;
			buf->len -= n;
			left -= n;
			if (!buf->len)
				span__pipe_consume(w, pipe);
		}
		while (!pipe_empty(pipe) &&
		       !span__pipe_buf(w, pipe, pipe->tail)->len)
			span__pipe_consume(w, pipe);
		spliced += ret;
		len -= (size_t)ret;
		if ((size_t)ret < total)
			break;
	}
	span__sock_reap_all(w);
	return spliced;
}

/* --- error queue and completions ---------------------------------------- */

int span_recv_errqueue(struct span_world *w, int fd, bool wait, char *out,
		       size_t size)
{
	uint32_t sk = sock_of(w, fd);

	if (!sk)
		return not_a_socket(w, fd);
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	/*
	 * KREF: unix_stream_recvmsg() does not look at MSG_ERRQUEUE: the
	 * call is a zero-length read, 0 when bytes are queued or at end of
	 * file (nothing consumed), -EAGAIN on an empty queue.
	 */
	/*
	 * With `wait` (poll for POLLERR first), AF_UNIX has POLLERR only
	 * from sk_err (the peer closed with bytes unread: ECONNRESET); then
	 * the same zero-length read.
	 */
	if (SOCK(w, sk)->family != SOCK_TCP && wait && !SOCK(w, sk)->err)
		return -SPAN_EWOULDSLEEP;
	if (SOCK(w, sk)->family != SOCK_TCP) {
		char c;
		ssize_t n = span__unix_stream_recvmsg(w, sk, &c, 0,
						      SPAN_O_NONBLOCK);

		return n > 0 ? 0 : (int)n;
	}
	if (!span__zc_notes_text(w, sk, true, false, NULL, 0))
		return wait ? -SPAN_EWOULDSLEEP : -EAGAIN;
	return span__zc_notes_text(w, sk, true, true, out, size);
}

int span_sock_completions(const struct span_world *w, int fd, char *out,
			  size_t size)
{
	uint32_t sk = sock_of(w, fd);

	if (!sk)
		return -EBADF;
	span__zc_notes_text(w, sk, false, false, out, size);
	return 0;
}

/* --- an in-place consumer ------------------------------------------------ */

/*
 * span_decrypt - transform the next @len received bytes in place, the way
 * esp_input() decrypts: the transform is XOR 0x20 on every byte (it swaps
 * the case of ASCII letters, so a reader sees what happened).  The bytes
 * are the ones after the read position and after bytes already
 * transformed.  Every skb touched first goes through skb_cow_data(): an
 * skb that is cloned or has SKBFL_SHARED_FRAG is given private copies
 * (skb_shared_frag=ignore: SHARED_FRAG is not looked at, Dirty Frag, and a
 * page-cache frag is then written: page-cache-write).  Waits until @len
 * bytes are queued; after the peer's FIN it transforms what there is.
 * TCP sockets only: -EOPNOTSUPP on AF_UNIX.
 */
ssize_t span_decrypt(struct span_world *w, int pid, int fd, size_t len)
{
	const char *func = "esp_input";
	uint32_t sk = sock_of(w, fd), skb, skip;
	uint64_t avail;
	size_t done = 0;

	if (!w)
		return -EINVAL;
	if (!sk)
		return -EBADF;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	/*
	 * ESP (espintcp), rxkad and kTLS-style consumers sit on TCP (or
	 * UDP); nothing decrypts an AF_UNIX stream in place, and its
	 * MSG_SPLICE_PAGES skbs carry no SKBFL_SHARED_FRAG to warn one.
	 */
	if (SOCK(w, sk)->family != SOCK_TCP)
		return -EOPNOTSUPP;
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	if (!len)
		return 0;
	avail = span__sk_rmem(w, sk) - SOCK(w, sk)->decrypted;
	if (avail < len) {
		if (!(SOCK(w, sk)->shutdown & RCV_SHUTDOWN))
			return -SPAN_EWOULDSLEEP;
		len = (size_t)avail;
		if (!len)
			return 0;
	}
	skip = SOCK(w, sk)->decrypted;
	for (skb = SOCK(w, sk)->receive_queue.head; skb && done < len;
	     skb = SKB(w, skb)->next) {
		uint32_t off = SKB(w, skb)->consumed, n;
		int err;

		n = SKB(w, skb)->len - off;
		if (skip >= n) {
			skip -= n;
			continue;
		}
		off += skip;
		n -= skip;
		skip = 0;
		if (n > len - done)
			n = (uint32_t)(len - done);
		err = span__skb_cow_data(w, skb);
		if (err)
			return done ? (ssize_t)done : err;
		/* a page at a time: an skb may hold more than a page */
		for (uint32_t at = 0; at < n; at += w->page_size) {
			uint8_t *tmp = span__scratch(w, SCRATCH_COPY)->data;
			uint32_t c = n - at < w->page_size ? n - at :
							     w->page_size;

			span__skb_read(w, skb, off + at, tmp, NULL, c, func);
			for (uint32_t i = 0; i < c; i++)
				tmp[i] ^= 0x20;
			span__skb_write(w, skb, off + at, tmp, c, func);
		}
		done += n;
		SOCK(w, sk)->decrypted += n;
	}
	return (ssize_t)done;
}

/* --- kernel events ------------------------------------------------------- */

int span__event_queue(struct span_world *w, int kind, uint32_t obj,
		      uint32_t sock, uint32_t arg)
{
	uint32_t id = tab_alloc_nofail(w, &w->net.events);
	struct span_event_ent *e;

	if (!id)
		return -ENOMEM;
	span__fp_events(w);
	e = EVENT(w, id);
	e->kind = (uint8_t)kind;
	e->obj = obj;
	e->sock = sock;
	e->arg = arg;
	e->seq = ++w->net.event_seq;
	return (int)id;
}

bool span__event_pending(struct span_world *w, int kind, uint32_t sock)
{
	for (uint32_t i = 1; i < w->net.events.n; i++)
		if (EVENT(w, i)->live && EVENT(w, i)->kind == kind &&
		    EVENT(w, i)->sock == sock)
			return true;
	return false;
}

const char *span_event_kind_name(int kind)
{
	static const char *const names[SPAN_NR_EVENT_KINDS] = {
		[SPAN_EV_XMIT] = "tcp_write_xmit",
		[SPAN_EV_DELIVER] = "loopback_xmit",
		[SPAN_EV_ACK] = "tcp_ack",
		[SPAN_EV_FREE] = "skb_attempt_defer_free",
		[SPAN_EV_RTO] = "tcp_retransmit_timer",
		[SPAN_EV_DESTRUCT] = "owner_destruct_work",
	};

	if (kind < 0 || kind >= SPAN_NR_EVENT_KINDS)
		return NULL;
	return names[kind];
}

/* a delivery waits for earlier deliveries to the same socket */
static bool event_enabled(const struct span_world *w, uint32_t id)
{
	const struct span_event_ent *e =
		TAB_AT(w->net.events, struct span_event_ent, id);

	if (e->kind != SPAN_EV_DELIVER || e->late_ok)
		return true;
	for (uint32_t i = 1; i < w->net.events.n; i++) {
		const struct span_event_ent *o =
			TAB_AT(w->net.events, struct span_event_ent, i);

		if (o->live && o->kind == SPAN_EV_DELIVER && !o->late_ok &&
		    o->sock == e->sock && o->seq < e->seq)
			return false;
	}
	return true;
}

int span_world_events(const struct span_world *w, struct span_event *out,
		      int max)
{
	uint64_t last = 0;
	int n = 0;

	if (!w)
		return -EINVAL;
	for (;;) {
		uint32_t best = 0;
		uint64_t bs = UINT64_MAX;

		for (uint32_t i = 1; i < w->net.events.n; i++) {
			const struct span_event_ent *e =
				TAB_AT(w->net.events, struct span_event_ent, i);

			if (e->live && e->seq > last && e->seq < bs) {
				bs = e->seq;
				best = i;
			}
		}
		if (!best)
			break;
		last = bs;
		if (!event_enabled(w, best))
			continue;
		if (out && n < max) {
			const struct span_event_ent *e =
				TAB_AT(w->net.events, struct span_event_ent, best);

			out[n].id = best;
			out[n].kind = e->kind;
			out[n].obj = e->obj;
		}
		n++;
	}
	return n;
}

int span_world_run_event(struct span_world *w, uint32_t id)
{
	struct span_event_ent e;

	if (!w)
		return -EINVAL;
	if (!span__tab_live(&w->net.events, id) || !event_enabled(w, id))
		return -ENOENT;
	e = *EVENT(w, id);
	span__fp_events(w);
	span__tab_free(&w->net.events, id);
	span__trace(w, span_event_kind_name(e.kind), SPAN_TR_NOTE,
		    e.kind == SPAN_EV_DELIVER ? SPAN_OBJ_SKB : SPAN_OBJ_SOCK,
		    e.obj, 0, 0, "kernel event");
	switch (e.kind) {
	case SPAN_EV_XMIT:
		if (span__tab_live(&w->net.socks, e.sock))
			span__tcp_write_xmit(w, e.sock);
		break;
	case SPAN_EV_DELIVER:
		span__netif_receive_skb(w, e.obj, e.sock, e.arg);
		break;
	case SPAN_EV_ACK:
		if (span__tab_live(&w->net.socks, e.sock))
			span__tcp_ack(w, e.sock, e.arg);
		break;
	case SPAN_EV_RTO:
		if (span__tab_live(&w->net.socks, e.sock))
			span__tcp_retransmit_timer(w, e.sock);
		break;
	case SPAN_EV_DESTRUCT:
		span__owner_destruct_work(w, e.obj);
		break;
	default:
		break;
	}
	span__sock_reap_all(w);
	return 0;
}

/* --- the checker's view -------------------------------------------------- */

void span__net_account(struct span_world *w, struct span_counts *c)
{
	for (uint32_t i = 1; i < w->net.shinfos.n; i++) {
		struct span_skb_shared_info *sh = SHINFO(w, i);

		if (!sh->live)
			continue;
		if (sh->head_page && sh->head_frag)
			span__count_page_ref(w, c, sh->head_page, "an skb head");
		for (uint32_t f = 0; f < sh->nr_frags; f++) {
			struct span_skb_frag *fr = &sh->frags[f];
			uint32_t o;

			if (fr->ref == FRAG_REF_PAGE)
				span__count_page(w, c, SPAN_CK_REF, fr->page,
						 "an skb frag");
			else if (fr->ref == FRAG_REF_PIN)
				span__count_page(w, c, SPAN_CK_PIN, fr->page,
						 "an skb frag");
			if (span__owner_memory_page(w, fr->page, &o) &&
			    OWNER(w, o)->destructed)
				span__check_violate(w, c, SPAN_INV_USE_AFTER_FREE,
						    SPAN_OBJ_OWNER, o,
						    "an skb frag still references page#%u of destructed owner#%u",
						    fr->page, o);
		}
		if (sh->owner)
			span__count(w, c, SPAN_CK_OWNER, sh->owner, 1);
	}
	for (uint32_t i = 1; i < w->net.socks.n; i++)
		if (SOCK(w, i)->live && SOCK(w, i)->pfrag_page)
			span__count_page_ref(w, c, SOCK(w, i)->pfrag_page,
					     "a socket page frag");
}

bool span__net_refers_owner(struct span_world *w, uint32_t owner)
{
	for (uint32_t i = 1; i < w->net.shinfos.n; i++) {
		struct span_skb_shared_info *sh = SHINFO(w, i);

		if (!sh->live)
			continue;
		for (uint32_t f = 0; f < sh->nr_frags; f++) {
			uint32_t o;

			if (span__owner_memory_page(w, sh->frags[f].page, &o) &&
			    o == owner)
				return true;
		}
	}
	return false;
}

/* --- canonical form ------------------------------------------------------ */

static void canon_tab(struct span_tab *t,
		      void (*sink)(void *ctx, const void *p, size_t n),
		      void *ctx)
{
	for (uint32_t i = 1; i < t->n; i++) {
		const uint8_t *e = (const uint8_t *)t->v + (size_t)i * t->esz;

		if (!*e)
			continue;
		sink(ctx, &i, sizeof(i));
		sink(ctx, e, t->esz);
	}
}

/*
 * next_by_seq - the live element of @t with the smallest sequence number
 * after *@last (the uint64_t at @seq_off in each element), or 0; *@last
 * becomes its sequence number.
 */
static uint32_t next_by_seq(const struct span_tab *t, size_t seq_off,
			    uint64_t *last)
{
	uint32_t best = 0;
	uint64_t bs = UINT64_MAX;

	for (uint32_t i = 1; i < t->n; i++) {
		const uint8_t *e = (const uint8_t *)t->v + (size_t)i * t->esz;
		uint64_t seq;

		memcpy(&seq, e + seq_off, sizeof(seq));
		if (*e && seq > *last && seq < bs) {
			bs = seq;
			best = i;
		}
	}
	if (best)
		*last = bs;
	return best;
}

void span__net_canon(struct span_world *w,
		     void (*sink)(void *ctx, const void *p, size_t n),
		     void *ctx)
{
	uint64_t last = 0;
	uint32_t i;

	canon_tab(&w->net.skbs, sink, ctx);
	canon_tab(&w->net.shinfos, sink, ctx);
	canon_tab(&w->net.ubufs, sink, ctx);
	canon_tab(&w->net.socks, sink, ctx);
	canon_tab(&w->net.captures, sink, ctx);
	/* events and notes in their order, without the absolute counters */
	while ((i = next_by_seq(&w->net.events,
				offsetof(struct span_event_ent, seq), &last))) {
		uint32_t rec[4] = { i, EVENT(w, i)->kind, EVENT(w, i)->obj,
				    EVENT(w, i)->sock ^ (EVENT(w, i)->arg << 8) };

		sink(ctx, rec, sizeof(rec));
	}
	last = 0;
	while ((i = next_by_seq(&w->net.notes,
				offsetof(struct span_zc_note, seq), &last))) {
		uint32_t rec[5] = { NOTE(w, i)->sk, NOTE(w, i)->lo,
				    NOTE(w, i)->hi, NOTE(w, i)->copied,
				    NOTE(w, i)->queued };

		sink(ctx, rec, sizeof(rec));
	}
}

/* --- teardown ------------------------------------------------------------ */

/* run every pending event, oldest enabled first, until quiet */
static void drain_events(struct span_world *w)
{
	for (int guard = 0; guard < 1000000; guard++) {
		struct span_event ev;

		if (span_world_events(w, &ev, 1) <= 0)
			return;
		span_world_run_event(w, ev.id);
	}
}

/*
 * span__net_teardown - the end of a run: run pending events, let every
 * reader drop what it has queued (so completions reach senders that are
 * still open), close every socket, run the resulting events, free the
 * orphans.  What is still alive then is a leak: an skb, a ubuf (a
 * completion never delivered) or a socket.
 */
void span__net_teardown(struct span_world *w)
{
	const char *func = "teardown";

	drain_events(w);
	for (uint32_t i = 1; i < w->net.socks.n; i++) {
		if (!SOCK(w, i)->live || !SOCK(w, i)->file)
			continue;
		if (SOCK(w, i)->send_uarg) {
			uint32_t u = SOCK(w, i)->send_uarg;

			SOCK(w, i)->send_uarg = 0;
			span__net_zcopy_put(w, u);
		}
		span__skb_queue_purge(w, &SOCK(w, i)->receive_queue, func);
		span__tcp_rcv_space_adjust(w, i);
	}
	drain_events(w);
	for (uint32_t i = 1; i < w->net.socks.n; i++)
		if (SOCK(w, i)->live && SOCK(w, i)->file)
			span__sock_close(w, i);
	drain_events(w);
	span__sock_reap_all(w);
	for (uint32_t i = 1; i < w->net.skbs.n; i++)
		if (SKB(w, i)->live)
			span__violate(w, SPAN_INV_LEAK, SPAN_OBJ_SKB, i, func,
				      "skb#%u (len %u, users %d) never freed", i,
				      SKB(w, i)->len, SKB(w, i)->users);
	for (uint32_t i = 1; i < w->net.ubufs.n; i++)
		if (UBUF(w, i)->live)
			span__violate(w, SPAN_INV_LEAK, SPAN_OBJ_UBUF, i, func,
				      "zerocopy completion %u-%u never delivered (ubuf#%u refcnt %d)",
				      UBUF(w, i)->id,
				      UBUF(w, i)->id + UBUF(w, i)->len - 1, i,
				      UBUF(w, i)->refcnt);
	for (uint32_t i = 1; i < w->net.socks.n; i++)
		if (SOCK(w, i)->live)
			span__violate(w, SPAN_INV_LEAK, SPAN_OBJ_SOCK, i, func,
				      "socket#%u never freed", i);
}

/* --- read-only accessors ------------------------------------------------- */

_Static_assert(SPAN_SKB_FRAGS_MAX == SPAN_MAX_SKB_FRAGS_LIMIT, "frags[]");
_Static_assert(SPAN_FRAG_REF_PAGE == FRAG_REF_PAGE &&
	       SPAN_FRAG_REF_PIN == FRAG_REF_PIN &&
	       SPAN_FRAG_REF_NONE == FRAG_REF_NONE, "enum frag_ref");
_Static_assert(SPAN_SOCK_TCP == SOCK_TCP && SPAN_SOCK_UNIX == SOCK_UNIX,
	       "enum sock_family");
_Static_assert(SPAN_SKBFL_SHARED_FRAG == SKBFL_SHARED_FRAG &&
	       SPAN_SKBFL_MANAGED_FRAG_REFS == SKBFL_MANAGED_FRAG_REFS &&
	       SPAN_SKBFL_ZEROCOPY_ENABLE == SKBFL_ZEROCOPY_ENABLE &&
	       SPAN_SKBFL_PURE_ZEROCOPY == SKBFL_PURE_ZEROCOPY &&
	       SPAN_SKBFL_DONT_ORPHAN == SKBFL_DONT_ORPHAN, "SKBFL_*");

#define CSOCK(w, id)	TAB_AT((w)->net.socks, const struct span_sock, id)
#define CSKB(w, id)	TAB_AT((w)->net.skbs, const struct span_sk_buff, id)
#define CSHINFO(w, id)	TAB_AT((w)->net.shinfos, \
			       const struct span_skb_shared_info, id)

/* 0 if @id names a live entry of @t, -ENOENT if free, -EINVAL past the end */
static int tab_lookup(const struct span_tab *t, int id)
{
	if (id <= 0 || (uint32_t)id >= t->n)
		return id > 0 && (uint32_t)id < t->cap ? -ENOENT : -EINVAL;
	return span__tab_live(t, (uint32_t)id) ? 0 : -ENOENT;
}

static const struct span_skb_queue *sock_queue(const struct span_sock *so,
					       int queue)
{
	switch (queue) {
	case SPAN_SQ_WRITE:
		return &so->write_queue;
	case SPAN_SQ_RTX:
		return &so->rtx_queue;
	case SPAN_SQ_RECEIVE:
		return &so->receive_queue;
	default:
		return NULL;
	}
}

int span_sock_info(const struct span_world *w, int sock,
		   struct span_sock_info *info)
{
	const struct span_sock *so;
	int err;

	if (!w || !info)
		return -EINVAL;
	err = tab_lookup(&w->net.socks, sock);
	if (err)
		return err;
	so = CSOCK(w, sock);
	memset(info, 0, sizeof(*info));
	info->family = so->family;
	info->peer = so->peer && span__tab_live(&w->net.socks, so->peer) ?
			     so->peer : 0;
	info->open = so->file;
	info->dead = so->dead;
	info->zerocopy = so->zerocopy;
	info->shutdown = so->shutdown;
	info->err = so->err;
	for (int q = 0; q < SPAN_NR_SQ; q++) {
		const struct span_skb_queue *sq = sock_queue(so, q);

		for (uint32_t s = sq->head; s; s = CSKB(w, s)->next) {
			const struct span_sk_buff *k = CSKB(w, s);

			info->nr_skbs[q]++;
			info->bytes[q] += k->len - k->consumed;
		}
	}
	info->wmem_queued = so->wmem_queued;
	info->wmem_alloc = so->wmem_alloc;
	info->zckey = so->zckey;
	info->pfrag_page = (int)so->pfrag_page;
	info->pfrag_offset = so->pfrag_offset;
	info->write_seq = so->write_seq;
	info->snd_nxt = so->snd_nxt;
	info->snd_una = so->snd_una;
	info->rcv_nxt = so->rcv_nxt;
	info->inflight = so->inflight;
	return 0;
}

int span_sock_skb(const struct span_world *w, int sock, int queue, int index)
{
	const struct span_skb_queue *sq;
	uint32_t s;
	int err;

	if (!w || queue < 0 || queue >= SPAN_NR_SQ || index < 0)
		return -EINVAL;
	err = tab_lookup(&w->net.socks, sock);
	if (err)
		return err;
	sq = sock_queue(CSOCK(w, sock), queue);
	for (s = sq->head; s && index; s = CSKB(w, s)->next)
		index--;
	return (int)s;
}

/* which queue holds @skb, or a pending delivery, or nothing */
static void skb_where(const struct span_world *w, uint32_t skb, int *where,
		      uint32_t *sock)
{
	for (uint32_t i = 1; i < w->net.socks.n; i++) {
		if (!span__tab_live(&w->net.socks, i))
			continue;
		for (int q = 0; q < SPAN_NR_SQ; q++)
			for (uint32_t s = sock_queue(CSOCK(w, i), q)->head; s;
			     s = CSKB(w, s)->next)
				if (s == skb) {
					*where = q;
					*sock = i;
					return;
				}
	}
	for (uint32_t i = 1; i < w->net.events.n; i++) {
		const struct span_event_ent *e =
			TAB_AT(w->net.events, const struct span_event_ent, i);

		if (e->live && e->kind == SPAN_EV_DELIVER && e->obj == skb) {
			*where = SPAN_SQ_IN_FLIGHT;
			*sock = e->sock;
			return;
		}
	}
	*where = SPAN_SQ_NONE;
	*sock = 0;
}

int span_skb_info(const struct span_world *w, int skb,
		  struct span_skb_info *info)
{
	const struct span_sk_buff *s;
	const struct span_skb_shared_info *sh;
	int err;

	if (!w || !info)
		return -EINVAL;
	err = tab_lookup(&w->net.skbs, skb);
	if (err)
		return err;
	s = CSKB(w, skb);
	memset(info, 0, sizeof(*info));
	info->len = s->len;
	info->data_len = s->data_len;
	info->truesize = s->truesize;
	info->consumed = s->consumed;
	info->users = s->users;
	info->cloned = s->cloned;
	info->fin = s->fin;
	info->seq = s->seq;
	info->end_seq = s->end_seq;
	info->sk = s->sk;
	skb_where(w, (uint32_t)skb, &info->where, &info->where_sock);
	info->shinfo = s->shinfo;
	if (!span__tab_live(&w->net.shinfos, s->shinfo))
		return 0;
	sh = CSHINFO(w, s->shinfo);
	info->dataref = sh->dataref;
	info->flags = sh->flags;
	info->ubuf = sh->ubuf;
	info->owner = sh->owner;
	info->head_page = (int)sh->head_page;
	info->head_frag = sh->head_frag;
	info->nr_frags = sh->nr_frags < SPAN_SKB_FRAGS_MAX ? sh->nr_frags :
							     SPAN_SKB_FRAGS_MAX;
	for (uint32_t i = 0; i < info->nr_frags; i++) {
		info->frags[i].page = (int)sh->frags[i].page;
		info->frags[i].offset = sh->frags[i].offset;
		info->frags[i].len = sh->frags[i].len;
		info->frags[i].ref = sh->frags[i].ref;
		info->frags[i].ubuf = sh->frags[i].ubuf;
	}
	return 0;
}

int span_ubuf_info(const struct span_world *w, int ubuf,
		   struct span_ubuf_view *info)
{
	const struct span_ubuf_info *u;
	int err;

	if (!w || !info)
		return -EINVAL;
	err = tab_lookup(&w->net.ubufs, ubuf);
	if (err)
		return err;
	u = TAB_AT(w->net.ubufs, const struct span_ubuf_info, ubuf);
	memset(info, 0, sizeof(*info));
	info->refcnt = u->refcnt;
	info->id = u->id;
	info->len = u->len;
	info->bytelen = u->bytelen;
	info->zerocopy = u->zerocopy;
	info->sk = u->sk;
	return 0;
}
