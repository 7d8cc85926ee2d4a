// SPDX-License-Identifier: MIT
/*
 * tcp.c - a TCP connection over the loopback device.
 *
 * Models net/ipv4/tcp.c, tcp_output.c and tcp_input.c of v6.18 as far as
 * memory goes: tcp_sendmsg_locked() (copy mode into the socket's page
 * frag, MSG_ZEROCOPY, MSG_SPLICE_PAGES), tcp_write_xmit() /
 * tcp_transmit_skb() (a clone goes out, the original waits on the
 * retransmit queue), tcp_v4_rcv() -> tcp_queue_rcv() with
 * tcp_try_coalesce(), tcp_ack() -> tcp_clean_rtx_queue(),
 * tcp_recvmsg_locked(), tcp_splice_read(), tcp_close().
 *
 * DEVIATIONS, all for a model with no clock: no handshake (span_tcp_connect
 * makes an ESTABLISHED pair), no loss, and no retransmission or reordering
 * (loopback is a FIFO) unless tcp_retransmit=1 (tcp_rearm_rto()), no
 * Nagle/autocork (a push queues tcp_write_xmit unless MSG_MORE), the
 * receive window is rcvbuf minus the bytes queued at or in flight to the
 * receiver, truesize == len, and the sndbuf limit
 * (sk_stream_memory_free()) is checked before every chunk rather than per
 * skb so that small sndbuf values block.
 */
#include "internal.h"

static bool before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static uint32_t mss_of(struct span_world *w)
{
	uint64_t v = w->param[SPAN_PARAM_MSS];

	return v > (1u << 30) ? (1u << 30) : (uint32_t)v;
}

/* sk_stream_memory_free(): sk_wmem_queued < sk_sndbuf */
/*
 * tcp_sndbuf - sk_sndbuf of an established connection: `set sndbuf`, or
 * what tcp_sndbuf_expand() gives at connect time: 2 (Cubic's factor) x
 * TCP_INIT_CWND (10) segments of roundup_pow_of_two(mss + MAX_TCP_HEADER +
 * sizeof(skb_shared_info)) + sizeof(struct sk_buff), capped by
 * tcp_wmem[2] (4 MiB).  About 2.6 MB for lo's mss.
 */
static uint64_t tcp_sndbuf(struct span_world *w)
{
	uint64_t per_mss = 1, sndmem;

	if (w->param[SPAN_PARAM_SNDBUF])
		return w->param[SPAN_PARAM_SNDBUF];
	while (per_mss < (uint64_t)mss_of(w) + 320 + 320)
		per_mss <<= 1;
	per_mss += 256;
	sndmem = 2 * 10 * per_mss;
	return sndmem < 4194304 ? sndmem : 4194304;
}

static bool sk_stream_memory_free(struct span_world *w, uint32_t sk)
{
	return SOCK(w, sk)->wmem_queued < tcp_sndbuf(w);
}

static bool tcp_snd_wnd_test(struct span_world *w, uint32_t sk, uint32_t skb);
static void tcp_rearm_rto(struct span_world *w, uint32_t sk);

/*
 * tcp_push(): hand the write queue to tcp_write_xmit() (a kernel event).
 * With the peer's window closed nothing could go out: the window update
 * the receiver sends when it reads (tcp_rcv_space_adjust()) pushes then.
 */
static void tcp_push(struct span_world *w, uint32_t sk)
{
	uint32_t head = SOCK(w, sk)->write_queue.head;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	if (head && tcp_snd_wnd_test(w, sk, head) &&
	    !span__event_pending(w, SPAN_EV_XMIT, sk))
		span__event_queue(w, SPAN_EV_XMIT, sk, sk, 0);
}

/* tcp_remove_empty_skb(): an skb entailed for a send that added nothing */
static void tcp_remove_empty_skb(struct span_world *w, uint32_t sk)
{
	struct span_sock *so = SOCK(w, sk);
	uint32_t skb = so->write_queue.tail, prev = 0;

	if (!skb || SKB(w, skb)->len || SKB(w, skb)->fin)
		return;
	for (uint32_t i = so->write_queue.head; i != skb; i = SKB(w, i)->next)
		prev = i;
	if (prev)
		SKB(w, prev)->next = 0;
	else
		so->write_queue.head = 0;
	so->write_queue.tail = prev;
	span__kfree_skb(w, skb, "tcp_remove_empty_skb");
}

/* tcp_stream_alloc_skb() + tcp_skb_entail() */
static uint32_t tcp_new_skb(struct span_world *w, uint32_t sk)
{
	uint32_t skb = span__alloc_skb(w, 0, false, "tcp_stream_alloc_skb");
	struct span_sock *so;

	if (!skb)
		return 0;
	so = SOCK(w, sk);
	SKB(w, skb)->seq = SKB(w, skb)->end_seq = so->write_seq;
	span__skb_queue_tail(w, &so->write_queue, skb);
	return skb;
}

/*
 * copy mode: skb_copy_to_page_nocache() into sk_page_frag, then coalesce
 * with the last frag or add one with page_ref_inc().  Return: bytes, or
 * -EMSGSIZE (frags full: new segment), -ENOMEM, -EFAULT.
 */
static ssize_t tcp_copy_to_frag(struct span_world *w, uint32_t sk,
				uint32_t skb, struct span_net_iter *it,
				uint32_t copy)
{
	const char *func = "tcp_sendmsg_locked";
	struct span_skb_shared_info *sh;
	struct span_skb_frag *last;
	uint32_t page, off;
	bool merge;
	int err;

	err = span__sk_page_frag_refill(w, sk);
	if (err)
		return err;
	page = SOCK(w, sk)->pfrag_page;
	off = SOCK(w, sk)->pfrag_offset;
	sh = SHINFO(w, SKB(w, skb)->shinfo);
	last = sh->nr_frags ? &sh->frags[sh->nr_frags - 1] : NULL;
	merge = last && last->page == page && last->offset + last->len == off &&
		last->ref == FRAG_REF_PAGE && !last->ubuf;
	if (!merge && sh->nr_frags >= span__max_skb_frags(w))
		return -EMSGSIZE;
	/*
	 * DEVIATION: the model's page_frag is one page; the kernel's is an
	 * order-3 (32 KiB) compound page, and each piece is copied all or
	 * nothing (skb_copy_to_page_nocache()), so a send whose buffer runs
	 * into a fault returns fewer bytes, or -EFAULT, in the kernel.
	 * docs/deviations.md.
	 */
	if (copy > w->page_size - off)
		copy = w->page_size - off;
	{
		struct span_scratch *tmp = span__scratch(w, SCRATCH_COPY);

		if (span__iter_copy(w, it, tmp->data, tmp->prov, copy))
			return -EFAULT;
		span__page_write(w, page, off, tmp->data, copy, tmp->prov,
				 PROV_KERNEL_COPY, "skb_copy_to_page_nocache",
				 false);
	}
	/* tcp_downgrade_zcopy_pure() */
	SHINFO(w, SKB(w, skb)->shinfo)->flags &= ~SKBFL_PURE_ZEROCOPY;
	if (!merge)
		span__get_page(w, page, func);	/* page_ref_inc(pfrag->page) */
	span__skb_fill_frag(w, skb, page, off, copy, FRAG_REF_PAGE, 0);
	SOCK(w, sk)->pfrag_offset += copy;
	span__iter_advance(it, copy);
	return copy;
}

/*
 * span__tcp_sendmsg - tcp_sendmsg_locked().
 * @done: progress as span_write(): bytes already queued by earlier calls
 *	of the same sendmsg that slept (sk_stream_wait_memory()).
 *
 * MSG_ZEROCOPY with SO_ZEROCOPY: user pages by reference under one uarg
 * (msg_zerocopy_realloc()); a literal or kernel source is copied and the
 * uarg reports COPIED (DEVIATION: the kernel would GUP the stack page).
 * MSG_SPLICE_PAGES: skb_splice_from_iter() and SKBFL_SHARED_FRAG.
 * Return: bytes queued, -EPIPE, -EAGAIN, -ENOBUFS, -EIO, -EFAULT,
 * -ENOMEM, or -SPAN_EWOULDSLEEP (with *done updated).
 */
ssize_t span__tcp_sendmsg(struct span_world *w, uint32_t sk,
			  struct span_net_iter *it, unsigned int flags,
			  size_t *done)
{
	const char *func = "tcp_sendmsg_locked";
	struct span_sock *so = SOCK(w, sk);
	bool nonblock = (flags & SPAN_O_NONBLOCK) || so->nonblock;
	bool splice = flags & SPAN_MSG_SPLICE_PAGES;
	bool zc = false, force_new = false;
	uint32_t uarg = 0, mss = mss_of(w);
	size_t copied = *done;
	ssize_t err = 0;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	if (so->err || (so->shutdown & SEND_SHUTDOWN)) {
		/*
		 * KREF: sk_stream_error(): -EPIPE becomes the pending socket
		 * error if there is one (sock_error() consumes it), so the
		 * first send after an RST gives -ECONNRESET, later ones -EPIPE
		 */
		err = so->err ? -so->err : -EPIPE;
		so->err = 0;
		goto do_error;
	}
	if ((flags & SPAN_MSG_ZEROCOPY) && it->count && so->zerocopy) {
		if (copied && so->send_uarg) {
			uarg = so->send_uarg;
		} else {
			uint32_t tail = so->write_queue.tail;
			uint32_t tz = tail ? SHINFO(w, SKB(w, tail)->shinfo)->ubuf :
					     0;

			uarg = span__msg_zerocopy_realloc(w, sk, it->count + copied,
							  tz);
			if (!uarg)
				return copied ? (ssize_t)copied : -ENOBUFS;
		}
		so = SOCK(w, sk);
		so->send_uarg = uarg;
		if (it->type == NET_ITER_UBUF && it->src->region && !splice)
			zc = true;
		else
			UBUF(w, uarg)->zerocopy = 0;
	}
	while (it->count) {
		uint32_t skb = SOCK(w, sk)->write_queue.tail;
		ssize_t n;
		uint32_t copy;

		if (!sk_stream_memory_free(w, sk))
			goto wait_for_space;
		if (!skb || force_new || SKB(w, skb)->len >= mss ||
		    SKB(w, skb)->fin) {
			skb = tcp_new_skb(w, sk);
			if (!skb) {
				err = -ENOMEM;
				goto do_error;
			}
			force_new = false;
		}
		copy = mss - SKB(w, skb)->len;
		if (copy > it->count)
			copy = (uint32_t)it->count;
		if (zc) {
			struct span_skb_shared_info *sh =
				SHINFO(w, SKB(w, skb)->shinfo);
			bool was_empty = !SKB(w, skb)->len;

			if (sh->ubuf && sh->ubuf != uarg) {
				force_new = true;	/* -EEXIST */
				continue;
			}
			n = span__zerocopy_fill_skb_from_iter(w, skb, it, copy,
							      uarg);
			if (n == -EMSGSIZE && !was_empty) {
				force_new = true;
				continue;
			}
			if (n < 0) {
				err = n;
				goto do_error;
			}
			span__skb_zcopy_set(w, skb, uarg);
			if (was_empty)
				SHINFO(w, SKB(w, skb)->shinfo)->flags |=
					SKBFL_PURE_ZEROCOPY;
		} else if (splice) {
			n = span__skb_splice_from_iter(w, skb, it, copy);
			if (n == -EMSGSIZE && SKB(w, skb)->len) {
				force_new = true;
				continue;
			}
			if (n < 0) {
				err = n;
				goto do_error;
			}
			/* KREF: tcp_sendmsg_locked(): unless MSG_NO_SHARED_FRAGS */
			SHINFO(w, SKB(w, skb)->shinfo)->flags |=
				SKBFL_SHARED_FRAG;
		} else {
			n = tcp_copy_to_frag(w, sk, skb, it, copy);
			if (n == -EMSGSIZE) {
				force_new = true;
				continue;
			}
			if (n < 0) {
				err = n;
				goto do_error;
			}
		}
		so = SOCK(w, sk);
		SKB(w, skb)->end_seq += (uint32_t)n;
		so->write_seq += (uint32_t)n;
		so->wmem_queued += (uint64_t)n;
		copied += (size_t)n;
		*done = copied;
	}
out:
	/*
	 * KREF: MSG_MORE corks the data (tcp_push() with TCP_NAGLE_CORK), but
	 * with nothing in flight the probe timer sends it about 200 ms later;
	 * the XMIT event stands for that timer, so corked data is pushed too.
	 */
	if (copied)
		tcp_push(w, sk);
	tcp_remove_empty_skb(w, sk);
	if (uarg) {
		SOCK(w, sk)->send_uarg = 0;
		span__net_zcopy_put(w, uarg);
	}
	return (ssize_t)copied;
wait_for_space:
	/* sk_stream_wait_memory(): push what is queued, then sleep */
	tcp_remove_empty_skb(w, sk);
	tcp_push(w, sk);
	if (nonblock) {
		err = -EAGAIN;
		goto do_error;
	}
	if (!copied && uarg) {
		/*
		 * DEVIATION: the kernel keeps the uarg across the sleep; the
		 * model's call returns and is made again when woken, so an
		 * attempt that queued nothing gives its uarg (and id) back and
		 * takes it again on the next attempt: a blocked attempt changes
		 * nothing, and the ids come out the same.
		 */
		SOCK(w, sk)->send_uarg = 0;
		span__net_zcopy_put_abort(w, uarg);
	}
	*done = copied;
	return -SPAN_EWOULDSLEEP;
do_error:
	tcp_remove_empty_skb(w, sk);
	if (copied)
		goto out;
	if (uarg) {
		SOCK(w, sk)->send_uarg = 0;
		span__net_zcopy_put_abort(w, uarg);
	}
	span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk, 0, err,
		    "sendmsg failed");
	return err;
}

/* bytes the receiver has queued or in flight to it */
static uint64_t peer_window_used(struct span_world *w, uint32_t peer)
{
	return span__sk_rmem(w, peer) + SOCK(w, peer)->inflight;
}

/* tcp_snd_wnd_test(): does @skb fit the peer's window?  A zero window
 * still lets one in. */
static bool tcp_snd_wnd_test(struct span_world *w, uint32_t sk, uint32_t skb)
{
	uint32_t peer = SOCK(w, sk)->peer;
	uint64_t used;

	if (!peer || !span__tab_live(&w->net.socks, peer))
		return true;
	span__fp(w, false, SPAN_OBJ_SOCK, peer);
	used = peer_window_used(w, peer);
	return !used || used + SKB(w, skb)->len <= w->param[SPAN_PARAM_RCVBUF];
}

/*
 * span__tcp_write_xmit - tcp_write_xmit() -> tcp_transmit_skb(clone_it):
 * each skb of the write queue that fits the receive window is cloned
 * (skb_clone(), no page refs), the clone goes to the loopback device and
 * the original to the retransmit queue, where it keeps its frag refs and
 * ubuf until ACKed.
 */
void span__tcp_write_xmit(struct span_world *w, uint32_t sk)
{
	const char *func = "tcp_write_xmit";

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	for (;;) {
		struct span_sock *so = SOCK(w, sk);
		uint32_t skb = so->write_queue.head, peer = so->peer, clone;
		uint64_t used;

		if (!skb)
			break;
		if (peer && span__tab_live(&w->net.socks, peer)) {
			span__fp(w, true, SPAN_OBJ_SOCK, peer);
			if (!tcp_snd_wnd_test(w, sk, skb)) {
				used = peer_window_used(w, peer);
				span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SOCK,
					    sk, (int64_t)used, SKB(w, skb)->len,
					    "receive window full");
				break;
			}
		}
		clone = span__skb_clone(w, skb);
		if (!clone) {
			/* the kernel retries from a timer */
			tcp_push(w, sk);
			break;
		}
		so = SOCK(w, sk);
		span__skb_dequeue(w, &so->write_queue);
		span__skb_queue_tail(w, &so->rtx_queue, skb);
		so->snd_nxt = SKB(w, skb)->end_seq;
		span__trace(w, "tcp_transmit_skb", SPAN_TR_QUEUE, SPAN_OBJ_SKB,
			    skb, clone, SKB(w, skb)->len, "original to rtx queue");
		if (peer && span__tab_live(&w->net.socks, peer))
			SOCK(w, peer)->inflight += SKB(w, clone)->len;
		span__loopback_xmit(w, clone, peer, sk, false);
		tcp_rearm_rto(w, sk);
	}
}

/*
 * tcp_rearm_rto - with tcp_retransmit=1, a retransmission timer for the
 * head of the retransmit queue, unless one is pending or the head was
 * sent again already.  DEVIATION: each segment is retransmitted at most
 * once (the kernel backs off and retries; once is enough to reach
 * pskb_copy(), and it keeps the state space finite), and with
 * tcp_retransmit=0 never: on an idle lo the ACK always comes first.
 */
static void tcp_rearm_rto(struct span_world *w, uint32_t sk)
{
	uint32_t head = SOCK(w, sk)->rtx_queue.head;

	if (!w->param[SPAN_PARAM_TCP_RETRANSMIT] || !head ||
	    SKB(w, head)->retransmitted ||
	    span__event_pending(w, SPAN_EV_RTO, sk))
		return;
	span__event_queue(w, SPAN_EV_RTO, sk, sk, 0);
}

/*
 * span__tcp_retransmit_timer - tcp_retransmit_timer() ->
 * tcp_retransmit_skb() of the retransmit queue's head ->
 * __tcp_transmit_skb(clone_it): an skb that is still cloned (the earlier
 * transmission still in flight or queued at the receiver) is sent as a
 * pskb_copy() - a private head, the same frags with a reference each -
 * otherwise as a clone.  The copy may overtake the delayed transmission.
 */
void span__tcp_retransmit_timer(struct span_world *w, uint32_t sk)
{
	const char *func = "tcp_retransmit_skb";
	struct span_sock *so;
	uint32_t skb, peer, n;
	bool copy;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	so = SOCK(w, sk);
	skb = so->rtx_queue.head;
	peer = so->peer;
	if (!skb || SKB(w, skb)->retransmitted)
		return;
	span__fp(w, true, SPAN_OBJ_SKB, skb);
	SKB(w, skb)->retransmitted = 1;
	/* KREF: net/ipv4/tcp_output.c __tcp_transmit_skb() */
	copy = span__skb_cloned(w, skb);
	n = copy ? span__pskb_copy(w, skb) : span__skb_clone(w, skb);
	if (!n) {
		span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SKB, skb, 0, 0,
			    "no memory: not retransmitted");
		return;
	}
	span__trace(w, func, SPAN_TR_QUEUE, SPAN_OBJ_SKB, skb, n,
		    SKB(w, skb)->len, copy ? "pskb_copy: still cloned" :
					     "skb_clone");
	if (peer && span__tab_live(&w->net.socks, peer))
		SOCK(w, peer)->inflight += SKB(w, n)->len;
	span__loopback_xmit(w, n, peer, sk, true);
}

/* tcp_rcv_space_adjust()/tcp_cleanup_rbuf(): a window update */
void span__tcp_rcv_space_adjust(struct span_world *w, uint32_t sk)
{
	uint32_t peer = SOCK(w, sk)->peer;

	if (SOCK(w, sk)->family != SOCK_TCP || !peer ||
	    !span__tab_live(&w->net.socks, peer))
		return;
	tcp_push(w, peer);
}

/*
 * span__tcp_reset - tcp_reset() -> tcp_done(): an RST arrived; the write
 * and retransmit queues are purged (their frags and ubufs released) and
 * the next send fails with EPIPE.
 */
void span__tcp_reset(struct span_world *w, uint32_t sk)
{
	struct span_sock *so;

	if (!sk || !span__tab_live(&w->net.socks, sk))
		return;
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	so = SOCK(w, sk);
	/*
	 * KREF: tcp_reset(): nothing in TCP_CLOSE; EPIPE in CLOSE_WAIT (the
	 * peer's FIN came first and this side has not sent its own), else
	 * ECONNRESET.  A shutdown(SHUT_RD) alone is not CLOSE_WAIT.
	 */
	if (so->reset)
		return;
	so->err = (so->done && !so->fin_queued) ? EPIPE : ECONNRESET;
	so->reset = 1;
	so->shutdown |= RCV_SHUTDOWN | SEND_SHUTDOWN;
	span__trace(w, "tcp_reset", SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk, 0, 0,
		    "RST: queues purged");
	span__skb_queue_purge(w, &SOCK(w, sk)->write_queue,
			      "tcp_write_queue_purge");
	span__skb_queue_purge(w, &SOCK(w, sk)->rtx_queue,
			      "tcp_write_queue_purge");
	SOCK(w, sk)->wmem_queued = 0;
}

/*
 * span__tcp_v4_rcv - tcp_v4_rcv() -> tcp_rcv_established() ->
 * tcp_queue_rcv(): coalesce into the tail (tcp_try_coalesce()) or queue;
 * then the ACK goes back (a kernel event).  A FIN sets RCV_SHUTDOWN.  A
 * segment for a closed or vanished socket is dropped and answered with an
 * RST (tcp_v4_send_reset()), which resets @sender.
 */
void span__tcp_v4_rcv(struct span_world *w, uint32_t sk, uint32_t skb,
		      uint32_t sender)
{
	const char *func = "tcp_v4_rcv";
	struct span_sock *so;
	uint32_t end_seq = SKB(w, skb)->end_seq, tail;
	bool stolen, fin = SKB(w, skb)->fin;

	if (sk && span__tab_live(&w->net.socks, sk)) {
		so = SOCK(w, sk);
		so->inflight -= SKB(w, skb)->len < so->inflight ?
					SKB(w, skb)->len : so->inflight;
	}
	if (!sk || !span__tab_live(&w->net.socks, sk) ||
	    (SOCK(w, sk)->dead && (SKB(w, skb)->len || !fin))) {
		span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SKB, skb, 0, 0,
			    "no open socket: RST");
		span__kfree_skb(w, skb, func);
		span__tcp_reset(w, sender);
		return;
	}
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	so = SOCK(w, sk);
	if ((SKB(w, skb)->len || fin) && !before(so->rcv_nxt, end_seq)) {
		/*
		 * tcp_data_queue(): !after(end_seq, rcv_nxt), "a retransmit":
		 * old data (the other of a segment's two transmissions came
		 * first), dropped, and the ACK goes again.  Only with
		 * tcp_retransmit=1.
		 */
		span__trace(w, "tcp_data_queue", SPAN_TR_NOTE, SPAN_OBJ_SKB,
			    skb, SKB(w, skb)->seq, end_seq, "old data: dropped");
		span__kfree_skb(w, skb, "tcp_drop_reason");
		end_seq = so->rcv_nxt;
	} else if (SKB(w, skb)->len && (so->shutdown & RCV_SHUTDOWN) &&
		   so->fin_queued && !so->done) {
		/*
		 * KREF: tcp_rcv_state_process(), TCP_FIN_WAIT1/2: new data
		 * after shutdown(SHUT_RD) is answered with a reset (RFC 1122);
		 * tcp_reset() here and tcp_v4_send_reset() to the sender.
		 * DEVIATION: the RST reaches the sender at once, as in
		 * tcp_close().
		 */
		span__trace(w, "tcp_rcv_state_process", SPAN_TR_NOTE,
			    SPAN_OBJ_SKB, skb, SKB(w, skb)->seq, end_seq,
			    "data after RCV_SHUTDOWN: RST");
		span__kfree_skb(w, skb, func);
		span__tcp_reset(w, sk);
		span__tcp_reset(w, sender);
		return;
	} else if (fin) {
		/* tcp_fin() */
		so->shutdown |= RCV_SHUTDOWN;
		so->done = 1;	/* sock_set_flag(sk, SOCK_DONE) */
		so->rcv_nxt = end_seq;
		span__trace(w, "tcp_fin", SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk, 0, 0,
			    "RCV_SHUTDOWN");
		span__kfree_skb(w, skb, func);
	} else {
		tail = so->receive_queue.tail;
		/* tcp_try_coalesce(): to.end_seq == from.seq */
		if (tail && SKB(w, tail)->end_seq == SKB(w, skb)->seq &&
		    span__skb_try_coalesce(w, tail, skb, &stolen)) {
			/* kfree_skb_partial(from, fragstolen) */
			span__kfree_skb(w, skb, "kfree_skb_partial");
		} else {
			span__skb_queue_tail(w, &SOCK(w, sk)->receive_queue, skb);
			span__trace(w, "tcp_queue_rcv", SPAN_TR_QUEUE,
				    SPAN_OBJ_SKB, skb, 0, SKB(w, skb)->len, NULL);
		}
		SOCK(w, sk)->rcv_nxt = end_seq;
	}
	/* __tcp_ack_snd_check(): the ACK crosses lo as its own event */
	if (sender && span__tab_live(&w->net.socks, sender))
		span__event_queue(w, SPAN_EV_ACK, sender, sender, end_seq);
}

/*
 * span__tcp_ack - tcp_ack() -> tcp_clean_rtx_queue(): every fully acked
 * original on the retransmit queue is freed (tcp_wmem_free_skb()); that
 * drops its dataref, and the last one puts the frags and completes the
 * ubuf.
 */
void span__tcp_ack(struct span_world *w, uint32_t sk, uint32_t ack)
{
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	for (;;) {
		struct span_sock *so = SOCK(w, sk);
		uint32_t skb = so->rtx_queue.head;

		if (!skb || before(ack, SKB(w, skb)->end_seq))
			break;
		span__skb_dequeue(w, &so->rtx_queue);
		so->wmem_queued -= SKB(w, skb)->len < so->wmem_queued ?
					   SKB(w, skb)->len : so->wmem_queued;
		span__kfree_skb(w, skb, "tcp_clean_rtx_queue");
	}
	if (before(SOCK(w, sk)->snd_una, ack))
		SOCK(w, sk)->snd_una = ack;
	tcp_rearm_rto(w, sk);
}

/* read or peek: bytes of the receive queue from the read position */
static ssize_t tcp_copy_out(struct span_world *w, uint32_t sk, uint8_t *out,
			    size_t len, bool peek)
{
	size_t copied = 0, skip = 0;
	uint32_t skb = SOCK(w, sk)->receive_queue.head;

	while (skb && copied < len) {
		struct span_sk_buff *s = SKB(w, skb);
		uint32_t avail = s->len - s->consumed - (uint32_t)skip;
		uint32_t n = avail < len - copied ? avail : (uint32_t)(len - copied);
		uint32_t next = s->next;

		if (span__fault(w, SPAN_FAULT_COPY)) {
			if (!copied)
				return -EFAULT;
			break;
		}
		/* skb_copy_datagram_msg() */
		span__skb_read(w, skb, s->consumed + (uint32_t)skip,
			       out + copied, NULL, n, "skb_copy_datagram_msg");
		copied += n;
		if (peek) {
			skip = 0;
			skb = next;
			continue;
		}
		s = SKB(w, skb);
		s->consumed += n;
		SOCK(w, sk)->decrypted -= n < SOCK(w, sk)->decrypted ?
						  n : SOCK(w, sk)->decrypted;
		if (s->consumed == s->len) {
			/* tcp_eat_recv_skb() */
			span__skb_dequeue(w, &SOCK(w, sk)->receive_queue);
			span__kfree_skb(w, skb, "tcp_eat_recv_skb");
		}
		skb = next;
	}
	return (ssize_t)copied;
}

/*
 * tcp_read_end - what tcp_recvmsg_locked() and tcp_splice_read() return
 * when nothing was read: 0 after the peer's FIN (SOCK_DONE), else the
 * pending error (sock_error() consumes it: -ECONNRESET after an RST), else
 * 0 after a shutdown, else -EAGAIN or a sleep.
 */
static ssize_t tcp_read_end(struct span_world *w, uint32_t sk, bool nonblock)
{
	struct span_sock *so = SOCK(w, sk);
	int err;

	if (so->done)
		return 0;
	if (so->err) {
		err = so->err;
		so->err = 0;
		return -err;
	}
	if (so->shutdown & RCV_SHUTDOWN)
		return 0;
	return nonblock ? -EAGAIN : -SPAN_EWOULDSLEEP;
}

/*
 * span__tcp_recvmsg - tcp_recvmsg_locked(): copy out, MSG_PEEK leaves the
 * queue as it is; 0 after the peer's FIN; -EAGAIN or -SPAN_EWOULDSLEEP
 * (sk_wait_data()) when empty.
 */
ssize_t span__tcp_recvmsg(struct span_world *w, uint32_t sk, void *out,
			  size_t len, unsigned int flags)
{
	struct span_sock *so = SOCK(w, sk);
	ssize_t n;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	/*
	 * KREF: tcp_recvmsg_locked(): target = sock_rcvlowat() is at least 1,
	 * so a zero-length recv returns 0 only when data is queued; on an
	 * empty queue it ends as any read that found nothing (-EAGAIN, or
	 * sk_wait_data() and then 0).
	 */
	if (!len && span__sk_rmem(w, sk))
		return 0;
	n = len ? tcp_copy_out(w, sk, out, len, flags & SPAN_MSG_PEEK) : 0;
	if (n) {
		if (n > 0 && !(flags & SPAN_MSG_PEEK))
			span__tcp_rcv_space_adjust(w, sk);
		return n;
	}
	so = SOCK(w, sk);
	return tcp_read_end(w, sk, (flags & SPAN_O_NONBLOCK) || so->nonblock);
}

/*
 * span__tcp_splice_read - tcp_splice_read() -> tcp_read_sock() ->
 * skb_splice_bits() for each skb, consuming what was spliced.
 * KREF: net/ipv4/tcp.c tcp_splice_read(): with nothing spliced it waits
 * according to the socket's O_NONBLOCK only; SPLICE_F_NONBLOCK and the
 * pipe's O_NONBLOCK (@pipe_nonblock) only decide the wait for pipe space,
 * which splice_file_to_pipe() does first.
 */
ssize_t span__tcp_splice_read(struct span_world *w, uint32_t sk,
			      struct span_pipe_inode_info *pipe, size_t len,
			      bool pipe_nonblock)
{
	ssize_t spliced = 0;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	span__fp(w, true, SPAN_OBJ_PIPE, span__pipe_id(w, pipe));
	if (!len)
		return 0;
	/* splice_file_to_pipe() -> wait_for_space() */
	if (!pipe->readers)
		return -EPIPE;
	if (pipe_full(pipe))
		return pipe_nonblock ? -EAGAIN : -SPAN_EWOULDSLEEP;
	while (len && !pipe_full(pipe)) {
		uint32_t skb = SOCK(w, sk)->receive_queue.head;
		struct span_sk_buff *s;
		uint32_t avail;
		ssize_t n;

		if (!skb)
			break;
		s = SKB(w, skb);
		avail = s->len - s->consumed;
		n = span__skb_splice_bits(w, sk, skb, s->consumed, pipe,
					  avail < len ? avail : (uint32_t)len);
		if (n <= 0) {
			if (!spliced && n != -EAGAIN)
				spliced = n;
			break;
		}
		s = SKB(w, skb);
		s->consumed += (uint32_t)n;
		SOCK(w, sk)->decrypted -= (uint32_t)n < SOCK(w, sk)->decrypted ?
						  (uint32_t)n : SOCK(w, sk)->decrypted;
		if (s->consumed == s->len) {
			span__skb_dequeue(w, &SOCK(w, sk)->receive_queue);
			span__kfree_skb(w, skb, "tcp_read_sock");
		}
		spliced += n;
		len -= (size_t)n;
		if (SOCK(w, sk)->nonblock)
			break;	/* !timeo: one round only */
	}
	if (spliced > 0) {
		span__tcp_rcv_space_adjust(w, sk);
		return spliced;
	}
	if (spliced < 0)
		return spliced;
	/* sk_wait_data() when it would sleep */
	return tcp_read_end(w, sk, SOCK(w, sk)->nonblock);
}

/* tcp_send_fin(): a FIN segment after the queued data */
static void tcp_send_fin(struct span_world *w, uint32_t sk)
{
	uint32_t skb;

	if (SOCK(w, sk)->fin_queued)
		return;
	skb = span__alloc_skb(w, 0, false, "tcp_send_fin");
	if (!skb) {
		/* DEVIATION: the kernel retries; the FIN is then lost */
		span__trace(w, "tcp_send_fin", SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk,
			    0, 0, "FIN not sent: -ENOMEM");
		return;
	}
	SOCK(w, sk)->fin_queued = 1;
	SKB(w, skb)->fin = 1;
	SKB(w, skb)->seq = SOCK(w, sk)->write_seq;
	SKB(w, skb)->end_seq = ++SOCK(w, sk)->write_seq;
	span__skb_queue_tail(w, &SOCK(w, sk)->write_queue, skb);
	tcp_push(w, sk);
}

/*
 * span__tcp_close - tcp_close(): SEND_SHUTDOWN, FIN queued, the socket is
 * orphaned (SOCK_DEAD) and lingers until its queues drain.  KREF: with
 * unread data in the receive queue the kernel purges it and sends an RST
 * instead of a FIN (tcp_send_active_reset()), so the peer's next send
 * fails with -ECONNRESET.  DEVIATION: the RST reaches the peer at once
 * rather than as a loopback delivery event.
 */
void span__tcp_close(struct span_world *w, uint32_t sk)
{
	struct span_sock *so = SOCK(w, sk);

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	/* __tcp_close(): a socket already reset (TCP_CLOSE) is just killed */
	if (so->receive_queue.head && !so->reset) {
		uint32_t peer = so->peer;

		so->file = 0;
		span__skb_queue_purge(w, &SOCK(w, sk)->receive_queue,
				      "tcp_close");
		span__trace(w, "tcp_send_active_reset", SPAN_TR_NOTE,
			    SPAN_OBJ_SOCK, sk, 0, peer, "unread data: RST");
		if (SOCK(w, sk)->send_uarg) {
			uint32_t u = SOCK(w, sk)->send_uarg;

			SOCK(w, sk)->send_uarg = 0;
			span__net_zcopy_put(w, u);
		}
		span__tcp_reset(w, sk);
		SOCK(w, sk)->err = 0;
		SOCK(w, sk)->dead = 1;
		if (peer && span__tab_live(&w->net.socks, peer))
			span__tcp_reset(w, peer);
		return;
	}
	so->file = 0;
	so->shutdown |= SEND_SHUTDOWN | RCV_SHUTDOWN;
	span__skb_queue_purge(w, &SOCK(w, sk)->receive_queue, "tcp_close");
	if (SOCK(w, sk)->send_uarg) {
		uint32_t u = SOCK(w, sk)->send_uarg;

		SOCK(w, sk)->send_uarg = 0;
		span__net_zcopy_put(w, u);
	}
	/* tcp_close_state(): no FIN from TCP_CLOSE (after an RST) */
	if (!SOCK(w, sk)->reset)
		tcp_send_fin(w, sk);
	SOCK(w, sk)->dead = 1;
	span__trace(w, "tcp_close", SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk, 0, 0,
		    "SOCK_DEAD");
}

/*
 * span__tcp_ioctl - tcp_ioctl(): SIOCINQ is tcp_inq(), rcv_nxt - copied_seq
 * less the FIN's sequence number once it arrived: the unread bytes of the
 * receive queue (the model has no urgent data and no out-of-order queue,
 * and a loopback delivery still in flight is a kernel event the fifo
 * schedule runs first).  SIOCOUTQ is write_seq - snd_una: bytes queued
 * and not sent, sent and not acknowledged, and a FIN not acknowledged.
 * There is no LISTEN or SYN state (-EINVAL, 0).  Anything else is
 * -ENOIOCTLCMD (-ENOTTY).
 */
int span__tcp_ioctl(struct span_world *w, uint32_t sk, unsigned int cmd,
		    int *arg)
{
	struct span_sock *so = SOCK(w, sk);

	switch (cmd) {
	case SPAN_SIOCINQ:
		*arg = (int)span__sk_rmem(w, sk);
		return 0;
	case SPAN_SIOCOUTQ:
		*arg = (int)(so->write_seq - so->snd_una);
		return 0;
	default:
		return -ENOTTY;
	}
}

/*
 * span__tcp_waitall_end - tcp_recvmsg_locked() with MSG_WAITALL after it
 * copied some bytes and found the queue empty: it returns them when it
 * may not sleep (!timeo), on sk_err (left for the next call), in
 * TCP_CLOSE or on RCV_SHUTDOWN (the peer's FIN or shutdown(SHUT_RD));
 * else it sleeps in sk_wait_data() (false).
 */
bool span__tcp_waitall_end(struct span_world *w, uint32_t sk, bool nonblock)
{
	struct span_sock *so = SOCK(w, sk);

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	return nonblock || so->nonblock || so->err || so->reset ||
	       (so->shutdown & RCV_SHUTDOWN);
}

/*
 * tcp_closed - the socket is in TCP_CLOSE: reset (tcp_done()), or both
 * FINs are through (TIME_WAIT hands the connection to a timewait sock and
 * calls tcp_done(); LAST_ACK ends in tcp_done() when its FIN is acked).
 */
static bool tcp_closed(struct span_world *w, uint32_t sk)
{
	struct span_sock *so = SOCK(w, sk);

	return so->reset ||
	       (so->fin_queued && so->done && so->snd_una == so->write_seq);
}

/*
 * span__inet_shutdown - inet_shutdown() -> tcp_shutdown(): @how is
 * RCV_SHUTDOWN, SEND_SHUTDOWN or both (SHUT_* + 1).  sk_shutdown gains
 * @how in every state; TCP_CLOSE is -ENOTCONN.  SEND_SHUTDOWN in
 * ESTABLISHED or CLOSE_WAIT queues the FIN after the data
 * (tcp_close_state(), tcp_send_fin()): the peer reads the data, then 0,
 * and a send here is -EPIPE.  RCV_SHUTDOWN changes nothing on the wire:
 * queued and later data stay readable, then reads return 0 (but new data
 * in FIN_WAIT is answered with an RST, span__tcp_v4_rcv()).  A thread
 * asleep on the socket is woken (sk_state_change(): the socket is
 * written).
 */
int span__inet_shutdown(struct span_world *w, uint32_t sk, int how)
{
	int err = 0;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	if (tcp_closed(w, sk))
		err = -ENOTCONN;
	SOCK(w, sk)->shutdown |= (uint8_t)how;
	span__trace(w, "inet_shutdown", SPAN_TR_NOTE, SPAN_OBJ_SOCK, sk, 0,
		    (uint64_t)how, err ? "TCP_CLOSE: -ENOTCONN" : NULL);
	if (!err && (how & SEND_SHUTDOWN))
		tcp_send_fin(w, sk);	/* once: fin_queued */
	return err;
}

int span_tcp_connect(struct span_world *w, int *a, int *b)
{
	uint32_t x, y;

	if (!w || !a || !b)
		return -EINVAL;
	x = span__sock_alloc(w, SOCK_TCP);
	if (!x)
		return -ENOMEM;
	y = span__sock_alloc(w, SOCK_TCP);
	if (!y) {
		SOCK(w, x)->live = 0;
		span__tab_free(&w->net.socks, x);
		return -ENOMEM;
	}
	SOCK(w, x)->peer = y;
	SOCK(w, y)->peer = x;
	span__trace(w, "tcp_connect", SPAN_TR_ALLOC, SPAN_OBJ_SOCK, x, 0, y,
		    "ESTABLISHED over lo");
	*a = (int)x;
	*b = (int)y;
	return 0;
}
