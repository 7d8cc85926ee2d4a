// SPDX-License-Identifier: MIT
/*
 * af_unix.c - AF_UNIX stream sockets.
 *
 * Models net/unix/af_unix.c of v6.18: unix_stream_connect()/socketpair,
 * unix_stream_sendmsg() (copy skbs with a kmalloc head and page frags;
 * MSG_SPLICE_PAGES skbs with frags only), unix_stream_read_generic() with
 * the copy actor and unix_stream_splice_read(), unix_release_sock().
 * There is no protocol and no device: an skb goes straight onto the
 * peer's receive queue and the sender is charged its truesize
 * (sk_wmem_alloc) until the reader frees it (sock_wfree).
 *
 * SO_ZEROCOPY is refused (-EOPNOTSUPP, socket.c) and MSG_ZEROCOPY ignored.
 * DEVIATION: UNIX_SKB_FRAGS_SZ (32 KiB) is also bounded by max_skb_frags
 * pages, which only matters for tiny model pages.
 */
#include "internal.h"

#define UNIX_SKB_FRAGS_SZ 32768u	/* PAGE_SIZE << get_order(32768) */

static bool peer_gone(struct span_world *w, uint32_t sk)
{
	uint32_t peer = SOCK(w, sk)->peer;

	return !peer || !span__tab_live(&w->net.socks, peer) ||
	       SOCK(w, peer)->dead || (SOCK(w, peer)->shutdown & RCV_SHUTDOWN);
}

/*
 * rcv_shutdown - a read that finds nothing returns 0: this socket's
 * RCV_SHUTDOWN (its own shutdown(SHUT_RD), or the peer's SHUT_WR or
 * release, which set it here), or the peer is gone.  The peer's own
 * RCV_SHUTDOWN only stops this socket's sends.
 */
static bool rcv_shutdown(struct span_world *w, uint32_t sk)
{
	uint32_t peer = SOCK(w, sk)->peer;

	return (SOCK(w, sk)->shutdown & RCV_SHUTDOWN) || !peer ||
	       !span__tab_live(&w->net.socks, peer) || SOCK(w, peer)->dead;
}

/* a copy-mode skb: kmalloc head of size - data_len, page frags for the rest */
static ssize_t unix_copy_skb(struct span_world *w, uint32_t *out,
			     struct span_net_iter *it, uint32_t size)
{
	const char *func = "unix_stream_sendmsg";
	uint32_t max_head = span__skb_max_head(w), data_len = 0, hl, skb;
	uint32_t done = 0;

	if (size > max_head) {
		/* PAGE_ALIGN(size - SKB_MAX_HEAD(0)), bounded by size */
		data_len = size - max_head;
		data_len = (data_len + w->page_size - 1) & ~(w->page_size - 1);
		if (data_len > size)
			data_len = size;
	}
	hl = size - data_len;
	skb = span__alloc_skb(w, hl, false, "sock_alloc_send_pskb");
	if (!skb)
		return -ENOMEM;
	if (hl) {
		/* hl <= SKB_MAX_HEAD(0) < page_size */
		struct span_scratch *tmp = span__scratch(w, SCRATCH_COPY);

		if (span__iter_copy(w, it, tmp->data, tmp->prov, hl))
			goto efault;
		span__page_write(w, SHINFO(w, SKB(w, skb)->shinfo)->head_page, 0,
				 tmp->data, hl, tmp->prov, PROV_KERNEL_COPY,
				 "skb_copy_datagram_from_iter", false);
		SKB(w, skb)->len = hl;
		span__iter_advance(it, hl);
		done = hl;
	}
	while (done < size) {
		uint32_t n = size - done < w->page_size ? size - done :
							  w->page_size;
		struct span_scratch *tmp = span__scratch(w, SCRATCH_COPY);
		uint32_t page;

		if (span__iter_copy(w, it, tmp->data, tmp->prov, n))
			goto efault;
		page = span__alloc_page(w, SPAN_PAGE_KERNEL, func);
		if (!page) {
			span__iter_advance(it, 0);
			goto enomem;
		}
		span__page_write(w, page, 0, tmp->data, n, tmp->prov,
				 PROV_KERNEL_COPY, "skb_copy_datagram_from_iter",
				 false);
		if (span__skb_fill_frag(w, skb, page, 0, n, FRAG_REF_PAGE, 0)) {
			span__put_page(w, page, func);
			goto enomem;
		}
		span__iter_advance(it, n);
		done += n;
	}
	*out = skb;
	return done;
efault:
	it->pos -= done;
	it->count += done;
	span__kfree_skb(w, skb, func);
	return -EFAULT;
enomem:
	it->pos -= done;
	it->count += done;
	span__kfree_skb(w, skb, func);
	return -ENOMEM;
}

/*
 * span__unix_stream_sendmsg - unix_stream_sendmsg().
 * KREF: net/unix/af_unix.c: size = min(left, sk_sndbuf/2 - 64,
 * SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ); sock_alloc_send_pskb() waits (or
 * -EAGAIN) while sk_wmem_alloc >= sk_sndbuf; a dead or shut-down peer is
 * -EPIPE when nothing was sent.  MSG_SPLICE_PAGES: an skb with no linear
 * part filled by skb_splice_from_iter() (no SKBFL_SHARED_FRAG).
 * Return: bytes sent, -errno, -SPAN_EWOULDSLEEP (with *done).
 */
ssize_t span__unix_stream_sendmsg(struct span_world *w, uint32_t sk,
				  struct span_net_iter *it, unsigned int flags,
				  size_t *done)
{
	struct span_sock *so = SOCK(w, sk);
	bool nonblock = (flags & SPAN_O_NONBLOCK) || so->nonblock;
	bool splice = flags & SPAN_MSG_SPLICE_PAGES;
	/* sk_sndbuf: `set sndbuf`, else net.core.wmem_default */
	uint64_t sndbuf = w->param[SPAN_PARAM_SNDBUF] ?
				  w->param[SPAN_PARAM_SNDBUF] : 212992;
	size_t sent = *done;
	ssize_t err = 0;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	/*
	 * KREF: unix_stream_sendmsg() checks SEND_SHUTDOWN before its loop;
	 * unix_release_sock() of the peer set SHUTDOWN_MASK here, so even a
	 * zero-length send to a closed peer is -EPIPE.
	 */
	if (!it->count && *done == 0 &&
	    (peer_gone(w, sk) || (so->shutdown & SEND_SHUTDOWN)))
		return -EPIPE;
	while (it->count) {
		uint32_t skb = 0, peer;
		int64_t lim;
		ssize_t n;

		if (peer_gone(w, sk) || (SOCK(w, sk)->shutdown & SEND_SHUTDOWN)) {
			err = -EPIPE;	/* + SIGPIPE */
			break;
		}
		if (SOCK(w, sk)->wmem_alloc >= sndbuf) {
			/* sock_alloc_send_pskb() -> sock_wait_for_wmem() */
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			*done = sent;
			return -SPAN_EWOULDSLEEP;
		}
		peer = SOCK(w, sk)->peer;
		span__fp(w, true, SPAN_OBJ_SOCK, peer);
		if (splice) {
			skb = span__alloc_skb(w, 0, false, "sock_alloc_send_pskb");
			if (!skb) {
				err = -ENOMEM;
				break;
			}
			n = span__skb_splice_from_iter(w, skb, it, it->count);
			if (n < 0) {
				span__kfree_skb(w, skb, "unix_stream_sendmsg");
				err = n;
				break;
			}
		} else {
			lim = (int64_t)(sndbuf >> 1) - 64;
			if (lim < 1)
				lim = 1;	/* DEVIATION: tiny sndbuf values */
			if ((uint64_t)lim > span__skb_max_head(w) + UNIX_SKB_FRAGS_SZ)
				lim = span__skb_max_head(w) + UNIX_SKB_FRAGS_SZ;
			if ((uint64_t)lim > span__skb_max_head(w) +
					    (uint64_t)span__max_skb_frags(w) *
						    w->page_size)
				lim = span__skb_max_head(w) +
				      (int64_t)span__max_skb_frags(w) * w->page_size;
			if ((uint64_t)lim > it->count)
				lim = (int64_t)it->count;
			n = unix_copy_skb(w, &skb, it, (uint32_t)lim);
			if (n < 0) {
				err = n;
				break;
			}
		}
		SKB(w, skb)->sk = sk;
		SKB(w, skb)->destructor = SKB_DESTRUCTOR_WFREE;
		SKB(w, skb)->truesize = (uint32_t)n;
		SOCK(w, sk)->wmem_alloc += (uint64_t)n;
		span__skb_queue_tail(w, &SOCK(w, peer)->receive_queue, skb);
		span__trace(w, "unix_stream_sendmsg", SPAN_TR_QUEUE, SPAN_OBJ_SKB,
			    skb, peer, n, "peer receive queue");
		sent += (size_t)n;
		*done = sent;
	}
	if (sent)
		return (ssize_t)sent;
	return err;
}

/*
 * unix_read - unix_stream_read_generic() with the copy actor
 * (@pipe == NULL, MSG_PEEK honoured) or the splice actor.
 */
static ssize_t unix_read(struct span_world *w, uint32_t sk, uint8_t *out,
			 struct span_pipe_inode_info *pipe, size_t len,
			 bool peek, bool nonblock)
{
	size_t copied = 0;
	uint32_t skb;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	skb = SOCK(w, sk)->receive_queue.head;
	/*
	 * KREF: unix_stream_read_generic(): the target is sock_rcvlowat(), at
	 * least 1, so a zero-length read returns 0 only once data is queued
	 * (or at EOF); on an empty queue it is -EAGAIN or a sleep.
	 */
	if (!len && skb)
		return 0;
	while (skb && copied < len) {
		struct span_sk_buff *s = SKB(w, skb);
		uint32_t chunk = s->len - s->consumed, next = s->next;
		ssize_t n;

		if (chunk > len - copied)
			chunk = (uint32_t)(len - copied);
		if (pipe) {
			/* unix_stream_splice_actor() -> skb_splice_bits() */
			if (pipe_full(pipe))
				break;
			n = span__skb_splice_bits(w, sk, skb, s->consumed, pipe,
						  chunk);
			if (n < 0) {
				if (!copied)
					return -EFAULT;
				break;
			}
		} else {
			if (span__fault(w, SPAN_FAULT_COPY)) {
				if (!copied)
					return -EFAULT;
				break;
			}
			span__skb_read(w, skb, s->consumed, out + copied, NULL,
				       chunk, "unix_stream_read_actor");
			n = chunk;
		}
		copied += (size_t)n;
		if (peek) {
			skb = next;
			continue;
		}
		s = SKB(w, skb);
		s->consumed += (uint32_t)n;
		SOCK(w, sk)->decrypted -= (uint32_t)n < SOCK(w, sk)->decrypted ?
						  (uint32_t)n : SOCK(w, sk)->decrypted;
		if (s->consumed < s->len)
			break;	/* short splice: the pipe is full */
		span__skb_dequeue(w, &SOCK(w, sk)->receive_queue);
		span__kfree_skb(w, skb, "consume_skb");
		skb = next;
	}
	if (copied)
		return (ssize_t)copied;
	/* POSIX 1003.1g order: the pending error (sock_error()), then EOF */
	if (SOCK(w, sk)->err) {
		int err = SOCK(w, sk)->err;

		SOCK(w, sk)->err = 0;
		return -err;
	}
	if (rcv_shutdown(w, sk))
		return 0;
	if (nonblock)
		return -EAGAIN;
	return -SPAN_EWOULDSLEEP;	/* unix_stream_data_wait() */
}

ssize_t span__unix_stream_recvmsg(struct span_world *w, uint32_t sk,
				  void *out, size_t len, unsigned int flags)
{
	return unix_read(w, sk, out, NULL, len, flags & SPAN_MSG_PEEK,
			 (flags & SPAN_O_NONBLOCK) || SOCK(w, sk)->nonblock);
}

/*
 * span__unix_stream_splice_read - unix_stream_splice_read(): MSG_DONTWAIT
 * when the socket is O_NONBLOCK or SPLICE_F_NONBLOCK is given (@nonblock
 * also carries the pipe's O_NONBLOCK, which do_splice() turns into
 * SPLICE_F_NONBLOCK); a failing actor with nothing copied is -EFAULT.
 */
ssize_t span__unix_stream_splice_read(struct span_world *w, uint32_t sk,
				      struct span_pipe_inode_info *pipe,
				      size_t len, bool nonblock)
{
	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	if (!len)
		return 0;
	if (!pipe->readers)
		return -EPIPE;
	if (pipe_full(pipe))
		return nonblock ? -EAGAIN : -SPAN_EWOULDSLEEP;
	return unix_read(w, sk, NULL, pipe, len, false,
			 nonblock || SOCK(w, sk)->nonblock);
}

/*
 * span__unix_release - unix_release_sock(): the peer sees
 * SHUTDOWN_MASK (reads return 0 once drained, writes -EPIPE) and, when
 * this socket still had unread data, sk_err = ECONNRESET (its next read
 * that finds nothing queued returns -ECONNRESET once); unread skbs are
 * purged.
 */
void span__unix_release(struct span_world *w, uint32_t sk)
{
	uint32_t peer = SOCK(w, sk)->peer;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	SOCK(w, sk)->file = 0;
	SOCK(w, sk)->dead = 1;
	SOCK(w, sk)->shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
	if (peer && span__tab_live(&w->net.socks, peer)) {
		span__fp(w, true, SPAN_OBJ_SOCK, peer);
		SOCK(w, peer)->shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
		if (SOCK(w, sk)->receive_queue.head)
			SOCK(w, peer)->err = ECONNRESET;
	}
	span__skb_queue_purge(w, &SOCK(w, sk)->receive_queue,
			      "unix_release_sock");
	span__trace(w, "unix_release_sock", SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk, 0,
		    0, "SOCK_DEAD");
}

/*
 * span__unix_ioctl - unix_ioctl(): SIOCINQ is unix_inq_len(), the unread
 * bytes of the receive queue (a partly read skb counts what is left);
 * SIOCOUTQ is unix_outq_len(), sk_wmem_alloc: the truesize of the skbs this
 * socket sent that the peer has not consumed yet.  DEVIATION: the model's
 * truesize is the payload (docs/deviations.md), so SIOCOUTQ is the unread
 * bytes this socket sent, where the kernel adds each skb's overhead (768
 * for a 5-byte send on x86-64).  Anything else is -ENOIOCTLCMD (-ENOTTY).
 */
int span__unix_ioctl(struct span_world *w, uint32_t sk, unsigned int cmd,
		     int *arg)
{
	switch (cmd) {
	case SPAN_SIOCINQ:
		*arg = (int)span__sk_rmem(w, sk);
		return 0;
	case SPAN_SIOCOUTQ:
		*arg = (int)SOCK(w, sk)->wmem_alloc;
		return 0;
	default:
		return -ENOTTY;
	}
}

/*
 * span__unix_waitall_end - unix_stream_read_generic() with MSG_WAITALL
 * after it copied some bytes and found the queue empty: it returns them
 * when sock_error() has an error (consumed), on RCV_SHUTDOWN, or when it
 * may not sleep; else it sleeps (false).
 */
bool span__unix_waitall_end(struct span_world *w, uint32_t sk, bool nonblock)
{
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	if (SOCK(w, sk)->err) {
		SOCK(w, sk)->err = 0;
		return true;
	}
	return rcv_shutdown(w, sk) || nonblock || SOCK(w, sk)->nonblock;
}

/*
 * span__unix_shutdown - unix_shutdown(): @how (SHUT_* + 1) is added to this
 * socket's sk_shutdown and the mirror to the peer's (RCV_SHUTDOWN here is
 * SEND_SHUTDOWN there and the other way round), in any state: there is no
 * -ENOTCONN once the peer closed.  So SHUT_WR makes the peer read the
 * queued data, then 0, and a send here -EPIPE; SHUT_RD makes reads here
 * return what is queued, then 0, and the peer's sends -EPIPE.  Both
 * sockets are written (sk_state_change() wakes their sleepers).
 */
int span__unix_shutdown(struct span_world *w, uint32_t sk, int how)
{
	uint32_t peer = SOCK(w, sk)->peer;
	uint8_t peer_how = 0;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	SOCK(w, sk)->shutdown |= (uint8_t)how;
	span__trace(w, "unix_shutdown", SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk, 0,
		    (uint64_t)how, NULL);
	if (!peer || !span__tab_live(&w->net.socks, peer))
		return 0;
	if (how & RCV_SHUTDOWN)
		peer_how |= SEND_SHUTDOWN;
	if (how & SEND_SHUTDOWN)
		peer_how |= RCV_SHUTDOWN;
	span__fp(w, true, SPAN_OBJ_SOCK, peer);
	SOCK(w, peer)->shutdown |= peer_how;
	return 0;
}

int span_unix_pair(struct span_world *w, int *a, int *b)
{
	uint32_t x, y;

	if (!w || !a || !b)
		return -EINVAL;
	x = span__sock_alloc(w, SOCK_UNIX);
	if (!x)
		return -ENOMEM;
	y = span__sock_alloc(w, SOCK_UNIX);
	if (!y) {
		span__tab_free(&w->net.socks, x);
		return -ENOMEM;
	}
	SOCK(w, x)->peer = y;
	SOCK(w, y)->peer = x;
	span__trace(w, "unix_stream_connect", SPAN_TR_ALLOC, SPAN_OBJ_SOCK, x,
		    0, y, "socketpair");
	*a = (int)x;
	*b = (int)y;
	return 0;
}
