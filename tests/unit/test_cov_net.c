// SPDX-License-Identifier: MIT
/*
 * test_cov_net.c - the read-only network accessors (span_sock_info(),
 * span_sock_skb(), span_skb_info(), span_ubuf_info()) followed through
 * the life of a TCP segment, their error codes, the loopback receive
 * paths (a copy that fails at delivery, delivery to a closed socket, the
 * loopback knob on zerocopy frags), close with unread data, and the skb
 * helpers no syscall path reaches yet (skb_split with a straddling frag,
 * copy_from_iter over a bvec).
 *
 * Expected values: kernel-semantics.md sections 6.4, 6.7, 7.4, 7.5, 9, 11.
 */
#include "net_test.h"

#define PG 4096 /* PAGE_SIZE of a default world */

static int conn(struct span_world *w, int *c, int *s)
{
	nt_begin(w, 0);
	assert_int_equal(span_tcp_connect(w, c, s), 0);
	nt_end(w);
	return 0;
}

static struct span_sock_info sock_info(struct span_world *w, int sk)
{
	struct span_sock_info si;

	assert_int_equal(span_sock_info(w, sk, &si), 0);
	return si;
}

static struct span_skb_info skb_info(struct span_world *w, int skb)
{
	struct span_skb_info ki;

	assert_int_equal(span_skb_info(w, skb, &ki), 0);
	return ki;
}

/* the first pending DELIVER event's skb, or 0 */
static int in_flight_skb(struct span_world *w)
{
	struct span_event ev[16];
	int n = span_world_events(w, ev, 16);

	for (int i = 0; i < n && i < 16; i++)
		if (ev[i].kind == SPAN_EV_DELIVER)
			return (int)ev[i].obj;
	return 0;
}

/* a region of @size bytes filled with @fill in process P */
static int region_of(struct span_world *w, uint64_t size, const char *fill)
{
	int r = 0;

	nt_begin(w, 1);
	assert_int_equal(span_mmap_anon(w, P, size, 0, fill, strlen(fill), &r),
			 0);
	nt_end(w);
	return r;
}

/*
 * One segment through its life, seen through the accessors: write queue,
 * then transmitted (rtx original + an in-flight clone sharing the shinfo,
 * KSEM 6.4/11), then on the receiver's queue, then acked (original freed).
 */
static void test_accessors_follow_a_segment(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_sock_info si;
	struct span_skb_info ki;
	int c, s, orig, clone;
	char buf[8];

	(void)state;
	conn(w, &c, &s);
	si = sock_info(w, c);
	assert_int_equal(si.family, SPAN_SOCK_TCP);
	assert_int_equal(si.peer, (uint32_t)s);
	assert_true(si.open);
	assert_false(si.dead);
	assert_int_equal(sock_info(w, s).peer, (uint32_t)c);

	assert_int_equal(nt_send_str(w, c, "hello", 0), 5);
	si = sock_info(w, c);
	assert_int_equal(si.nr_skbs[SPAN_SQ_WRITE], 1);
	assert_int_equal(si.bytes[SPAN_SQ_WRITE], 5);
	assert_int_equal(si.nr_skbs[SPAN_SQ_RTX], 0);
	assert_int_equal(si.wmem_queued, 5);
	assert_int_equal(si.write_seq, 5);
	assert_int_equal(si.snd_nxt, 0);
	/* the payload was copied into the socket's page frag */
	assert_true(si.pfrag_page > 0);
	assert_int_equal(si.pfrag_offset, 5);

	orig = span_sock_skb(w, c, SPAN_SQ_WRITE, 0);
	assert_true(orig > 0);
	assert_int_equal(span_sock_skb(w, c, SPAN_SQ_WRITE, 1), 0);
	assert_int_equal(span_sock_skb(w, c, SPAN_SQ_RTX, 0), 0);
	ki = skb_info(w, orig);
	assert_int_equal(ki.where, SPAN_SQ_WRITE);
	assert_int_equal(ki.where_sock, (uint32_t)c);
	assert_int_equal(ki.len, 5);
	assert_int_equal(ki.data_len, 5);
	assert_int_equal(ki.seq, 0);
	assert_int_equal(ki.end_seq, 5);
	assert_int_equal(ki.users, 1);
	assert_false(ki.cloned);
	assert_int_equal(ki.dataref, 1);
	assert_int_equal(ki.nr_frags, 1);
	assert_int_equal(ki.frags[0].page, si.pfrag_page);
	assert_int_equal(ki.frags[0].offset, 0);
	assert_int_equal(ki.frags[0].len, 5);
	assert_int_equal(ki.frags[0].ref, SPAN_FRAG_REF_PAGE);
	assert_int_equal(ki.ubuf, 0);
	assert_int_equal(ki.owner, 0);

	/* tcp_write_xmit: the original to the rtx queue, a clone on lo */
	assert_true(nt_event(w, SPAN_EV_XMIT));
	si = sock_info(w, c);
	assert_int_equal(si.nr_skbs[SPAN_SQ_WRITE], 0);
	assert_int_equal(si.nr_skbs[SPAN_SQ_RTX], 1);
	assert_int_equal(si.snd_nxt, 5);
	assert_int_equal(span_sock_skb(w, c, SPAN_SQ_RTX, 0), orig);
	assert_int_equal(sock_info(w, s).inflight, 5);
	clone = in_flight_skb(w);
	assert_true(clone > 0 && clone != orig);
	ki = skb_info(w, clone);
	assert_int_equal(ki.where, SPAN_SQ_IN_FLIGHT);
	assert_int_equal(ki.where_sock, (uint32_t)s);
	assert_true(ki.cloned);
	assert_int_equal(ki.dataref, 2);
	/* clones share one skb_shared_info (KSEM 6.4) */
	assert_int_equal(ki.shinfo, skb_info(w, orig).shinfo);
	/* loopback_xmit() orphaned the clone */
	assert_int_equal(ki.sk, 0);
	assert_int_equal(skb_info(w, orig).where, SPAN_SQ_RTX);

	/* delivery: the clone is queued on the receiver, an ACK is pending */
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	si = sock_info(w, s);
	assert_int_equal(si.nr_skbs[SPAN_SQ_RECEIVE], 1);
	assert_int_equal(si.bytes[SPAN_SQ_RECEIVE], 5);
	assert_int_equal(si.rcv_nxt, 5);
	assert_int_equal(si.inflight, 0);
	assert_int_equal(span_sock_skb(w, s, SPAN_SQ_RECEIVE, 0), clone);
	assert_int_equal(skb_info(w, clone).where, SPAN_SQ_RECEIVE);

	/* the ACK frees the original; the clone is no longer cloned */
	assert_true(nt_event(w, SPAN_EV_ACK));
	assert_int_equal(span_skb_info(w, orig, &ki), -ENOENT);
	si = sock_info(w, c);
	assert_int_equal(si.snd_una, 5);
	assert_int_equal(si.nr_skbs[SPAN_SQ_RTX], 0);
	assert_int_equal(si.wmem_queued, 0);
	assert_int_equal(skb_info(w, clone).dataref, 1);

	/* a partial read: consumed shows on the skb and in the bytes */
	assert_int_equal(nt_recv(w, s, buf, 2, 0), 2);
	assert_int_equal(skb_info(w, clone).consumed, 2);
	assert_int_equal(sock_info(w, s).bytes[SPAN_SQ_RECEIVE], 3);
	assert_int_equal(nt_recv(w, s, buf, 8, 0), 3);
	assert_memory_equal(buf, "llo", 3);
	assert_int_equal(span_sock_skb(w, s, SPAN_SQ_RECEIVE, 0), 0);
	nt_finish(w);
}

/* include/span/net.h: -EINVAL past the table or for bad arguments,
 * -ENOENT for a free id below it */
static void test_accessors_error_codes(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_sock_info si;
	struct span_skb_info ki;
	struct span_ubuf_view uv;
	int c, s, skb;

	(void)state;
	/* nothing allocated yet: id 1 is a free id */
	assert_int_equal(span_sock_info(w, 1, &si), -ENOENT);
	assert_int_equal(span_skb_info(w, 1, &ki), -ENOENT);
	assert_int_equal(span_ubuf_info(w, 1, &uv), -ENOENT);
	conn(w, &c, &s);
	assert_int_equal(span_sock_info(NULL, c, &si), -EINVAL);
	assert_int_equal(span_sock_info(w, c, NULL), -EINVAL);
	assert_int_equal(span_sock_info(w, 0, &si), -EINVAL);
	assert_int_equal(span_sock_info(w, -1, &si), -EINVAL);
	assert_int_equal(span_sock_info(w, 1 << 20, &si), -EINVAL);
	assert_int_equal(span_sock_skb(NULL, c, SPAN_SQ_WRITE, 0), -EINVAL);
	assert_int_equal(span_sock_skb(w, c, -1, 0), -EINVAL);
	assert_int_equal(span_sock_skb(w, c, SPAN_NR_SQ, 0), -EINVAL);
	assert_int_equal(span_sock_skb(w, c, SPAN_SQ_IN_FLIGHT, 0), -EINVAL);
	assert_int_equal(span_sock_skb(w, c, SPAN_SQ_WRITE, -1), -EINVAL);
	assert_int_equal(span_sock_skb(w, 0, SPAN_SQ_WRITE, 0), -EINVAL);
	assert_int_equal(span_sock_skb(w, 1 << 20, SPAN_SQ_WRITE, 0), -EINVAL);
	assert_int_equal(span_skb_info(NULL, 1, &ki), -EINVAL);
	assert_int_equal(span_skb_info(w, 1, NULL), -EINVAL);
	assert_int_equal(span_ubuf_info(NULL, 1, &uv), -EINVAL);
	assert_int_equal(span_ubuf_info(w, 1, NULL), -EINVAL);

	assert_int_equal(nt_send_str(w, c, "x", 0), 1);
	skb = span_sock_skb(w, c, SPAN_SQ_WRITE, 0);
	assert_true(skb > 0);
	assert_int_equal(span_skb_info(w, 0, &ki), -EINVAL);
	assert_int_equal(span_skb_info(w, 1 << 20, &ki), -EINVAL);
	nt_events(w);
	/* the original was freed by the ACK: its id is free, not past */
	assert_int_equal(span_skb_info(w, skb, &ki), -ENOENT);

	/* sockets: closed but lingering, then freed */
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	nt_end(w);
	assert_int_equal(span_sock_info(w, c, &si), 0);
	assert_false(si.open);
	assert_true(si.dead);
	assert_int_equal(si.shutdown, 3);
	/* the FIN is queued: reading s drains, then the FIN arrives */
	nt_events(w);
	assert_true(sock_info(w, s).shutdown & 1);
	{
		char b[4];

		assert_int_equal(nt_recv(w, s, b, 4, 0), 1);
		assert_int_equal(nt_recv(w, s, b, 4, 0), 0); /* EOF */
	}
	/* the orphan is freed once its queues drained: a free id */
	assert_int_equal(span_sock_info(w, c, &si), -ENOENT);
	assert_int_equal(span_sock_skb(w, c, SPAN_SQ_WRITE, 0), -ENOENT);
	/* the survivor's peer is reported as gone */
	assert_int_equal(sock_info(w, s).peer, 0);
	nt_finish(w);
}

/*
 * MSG_ZEROCOPY over lo (KSEM 7.4, 7.5): the ubuf is visible on the skb and
 * through span_ubuf_info(); local delivery copies the frags
 * (skb_orphan_frags_rx), so the notification says COPIED and the ubuf is
 * freed.
 */
static void test_ubuf_info_zerocopy_over_lo(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src src = { 0 };
	struct span_ubuf_view uv;
	struct span_skb_info ki;
	int c, s, r, skb, user, clone;
	char note[64], buf[PG];

	(void)state;
	conn(w, &c, &s);
	r = region_of(w, PG, "zc");
	nt_begin(w, 1);
	assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(c), 1), 0);
	nt_end(w);
	assert_true(sock_info(w, c).zerocopy);
	src.region = r;
	assert_int_equal(nt_send(w, 1, c, &src, PG, SPAN_MSG_ZEROCOPY), PG);
	assert_int_equal(sock_info(w, c).zckey, 1);
	skb = span_sock_skb(w, c, SPAN_SQ_WRITE, 0);
	ki = skb_info(w, skb);
	assert_true(ki.ubuf > 0);
	assert_true(ki.flags & SPAN_SKBFL_ZEROCOPY_ENABLE);
	assert_true(ki.flags & SPAN_SKBFL_SHARED_FRAG);
	assert_int_equal(ki.nr_frags, 1);
	user = span_region_page(w, P, r, 0);
	assert_int_equal(ki.frags[0].page, user);
	assert_int_equal(ki.frags[0].ubuf, ki.ubuf);
	assert_int_equal(span_ubuf_info(w, (int)ki.ubuf, &uv), 0);
	assert_int_equal(uv.id, 0);
	assert_int_equal(uv.len, 1);
	assert_int_equal(uv.bytelen, PG);
	assert_true(uv.zerocopy);
	assert_int_equal(uv.sk, (uint32_t)c);
	assert_true(uv.refcnt >= 1);

	assert_true(nt_event(w, SPAN_EV_XMIT));
	clone = in_flight_skb(w);
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	/* the receiver's skb holds kernel copies, not the user page */
	ki = skb_info(w, clone);
	assert_int_equal(ki.ubuf, 0);
	assert_int_not_equal(ki.frags[0].page, user);
	assert_int_equal(ki.flags & SPAN_SKBFL_ZEROCOPY_ENABLE, 0);
	nt_events(w);
	/* acked: the ubuf is gone (a free id below the table's end) */
	assert_int_equal(span_ubuf_info(w, 1, &uv), -ENOENT);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, note,
					    sizeof(note)), 1);
	assert_string_equal(note, "0-0 copied");
	assert_int_equal(nt_recv(w, s, buf, PG, 0), PG);
	assert_memory_equal(buf, "zczczc", 6);
	nt_finish(w);
}

/*
 * loopback=share: nothing is copied at delivery; the receiver's clone
 * keeps the user page and, through the shared shinfo, the ubuf, so the
 * completion waits for the reader (KSEM 7.5 explains why mainline copies).
 */
static void test_loopback_share_keeps_zerocopy_frags(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src src = { 0 };
	struct span_skb_info ki;
	int c, s, r, clone, user;
	char note[64], buf[PG];

	(void)state;
	nt_policy(w, "loopback", "share");
	conn(w, &c, &s);
	r = region_of(w, PG, "sh");
	user = span_region_page(w, P, r, 0);
	nt_begin(w, 1);
	assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(c), 1), 0);
	nt_end(w);
	src.region = r;
	assert_int_equal(nt_send(w, 1, c, &src, PG, SPAN_MSG_ZEROCOPY), PG);
	assert_true(nt_event(w, SPAN_EV_XMIT));
	clone = in_flight_skb(w);
	nt_events(w);
	ki = skb_info(w, clone);
	assert_int_equal(ki.where, SPAN_SQ_RECEIVE);
	assert_int_equal(ki.frags[0].page, user);
	assert_true(ki.ubuf > 0);
	/* acked, but the receiver still holds the ubuf: no completion */
	assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, note,
					    sizeof(note)), -EAGAIN);
	assert_int_equal(nt_recv(w, s, buf, PG, 0), PG);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, note,
					    sizeof(note)), 1);
	/* no copy was ever made */
	assert_string_equal(note, "0-0");
	nt_finish(w);
}

/*
 * loopback=copy_all with a zerocopy skb: the receiver gets private pages
 * and the ubuf is completed as COPIED at delivery, before the ACK.
 */
static void test_loopback_copy_all_zerocopy(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src src = { 0 };
	struct span_skb_info ki;
	int c, s, r, clone, user;
	char note[64], buf[PG];

	(void)state;
	nt_policy(w, "loopback", "copy_all");
	conn(w, &c, &s);
	r = region_of(w, PG, "ca");
	user = span_region_page(w, P, r, 0);
	nt_begin(w, 1);
	assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(c), 1), 0);
	nt_end(w);
	src.region = r;
	assert_int_equal(nt_send(w, 1, c, &src, PG, SPAN_MSG_ZEROCOPY), PG);
	assert_true(nt_event(w, SPAN_EV_XMIT));
	clone = in_flight_skb(w);
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	ki = skb_info(w, clone);
	assert_int_equal(ki.ubuf, 0);
	assert_int_equal(ki.owner, 0);
	assert_int_not_equal(ki.frags[0].page, user);
	nt_events(w);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, note,
					    sizeof(note)), 1);
	assert_string_equal(note, "0-0 copied");
	assert_int_equal(nt_recv(w, s, buf, PG, 0), PG);
	assert_memory_equal(buf, "cacaca", 6);
	nt_finish(w);
}

/*
 * A copy at delivery that fails (the allocation of the copy's page) drops
 * the skb (IPSTATS INDISCARDS, KSEM 11) and - the model's documented
 * DEVIATION - resets the sender: nothing reaches the receiver, the
 * sender's next send fails with -ECONNRESET, then -EPIPE.
 */
static void copy_fails_at_delivery(const char *loopback, bool zerocopy)
{
	struct span_world *w = nt_world(NULL);
	struct span_src src = { 0 };
	struct span_sock_info si;
	int c, s, r, clone;
	char buf[8];

	nt_policy(w, "loopback", loopback);
	conn(w, &c, &s);
	r = region_of(w, PG, "drop");
	src.region = r;
	if (zerocopy) {
		nt_begin(w, 1);
		assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(c), 1), 0);
		nt_end(w);
	}
	assert_int_equal(nt_send(w, 1, c, &src, 100,
				 zerocopy ? SPAN_MSG_ZEROCOPY : 0), 100);
	assert_true(nt_event(w, SPAN_EV_XMIT));
	clone = in_flight_skb(w);
	assert_true(clone > 0);
	assert_int_equal(sock_info(w, s).inflight, 100);
	assert_int_equal(span_fault_set(w, SPAN_FAULT_ALLOC, 1, 0), 0);
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	assert_int_equal(span_fault_hits(w, SPAN_FAULT_ALLOC), 1);
	span_fault_set(w, SPAN_FAULT_ALLOC, 0, 0);
	/* dropped: the receiver has nothing, nothing is in flight */
	si = sock_info(w, s);
	assert_int_equal(si.nr_skbs[SPAN_SQ_RECEIVE], 0);
	assert_int_equal(si.inflight, 0);
	assert_int_equal(si.rcv_nxt, 0);
	{
		struct span_skb_info ki;

		assert_int_equal(span_skb_info(w, clone, &ki), -ENOENT);
	}
	/* the sender was reset: queues purged, error pending */
	si = sock_info(w, c);
	assert_int_equal(si.err, ECONNRESET);
	assert_int_equal(si.shutdown, 3);
	assert_int_equal(si.nr_skbs[SPAN_SQ_RTX], 0);
	assert_int_equal(si.wmem_queued, 0);
	assert_int_equal(nt_send_str(w, c, "again", 0), -ECONNRESET);
	assert_int_equal(nt_send_str(w, c, "again", 0), -EPIPE);
	assert_int_equal(nt_recv(w, s, buf, 8, SPAN_O_NONBLOCK), -EAGAIN);
	nt_events(w);
	if (zerocopy) {
		char note[64];

		/*
		 * the rtx original went with the reset, the sender is not
		 * SOCK_DEAD: the completion is delivered (KSEM 7.5); the
		 * failed skb_copy_ubufs() never reached skb_zcopy_clear(),
		 * so no copy is reported (KSEM 6.8 steps 4 and 6)
		 */
		assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, note,
						    sizeof(note)), 1);
		assert_string_equal(note, "0-0");
	}
	nt_finish(w);
}

static void test_loopback_copy_all_failure_drops_and_resets(void **state)
{
	(void)state;
	copy_fails_at_delivery("copy_all", false);
}

static void test_loopback_orphan_frags_rx_failure_drops_and_resets(void **state)
{
	(void)state;
	copy_fails_at_delivery("copy_zerocopy", true);
}

/*
 * A segment that arrives after the receiver closed (SOCK_DEAD) is dropped
 * and answered with an RST (KSEM 7.5 "If the receiving socket is gone").
 */
static void test_delivery_to_closed_socket_is_reset(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_sock_info si;
	int c, s, clone;

	(void)state;
	conn(w, &c, &s);
	assert_int_equal(nt_send_str(w, c, "late", 0), 4);
	assert_true(nt_event(w, SPAN_EV_XMIT));
	clone = in_flight_skb(w);
	nt_begin(w, 2);
	assert_int_equal(span_close(w, P, SOCKFD(s)), 0);
	nt_end(w);
	assert_true(sock_info(w, s).dead);
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	{
		struct span_skb_info ki;

		assert_int_equal(span_skb_info(w, clone, &ki), -ENOENT);
	}
	si = sock_info(w, c);
	assert_int_equal(si.err, ECONNRESET);
	assert_int_equal(si.nr_skbs[SPAN_SQ_RTX], 0);
	assert_int_equal(nt_send_str(w, c, "x", 0), -ECONNRESET);
	nt_finish(w);
}

/*
 * close() with unread data sends an RST instead of a FIN
 * (tcp_send_active_reset()): the peer's next send fails -ECONNRESET.
 */
static void test_close_with_unread_data_resets_peer(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_sock_info si;
	int c, s;

	(void)state;
	conn(w, &c, &s);
	assert_int_equal(nt_send_str(w, c, "unread", 0), 6);
	nt_events(w);
	assert_int_equal(sock_info(w, s).bytes[SPAN_SQ_RECEIVE], 6);
	nt_begin(w, 2);
	assert_int_equal(span_close(w, P, SOCKFD(s)), 0);
	nt_end(w);
	/* the closer is gone at once: nothing lingers */
	assert_int_equal(span_sock_info(w, s, &si), -ENOENT);
	si = sock_info(w, c);
	assert_int_equal(si.err, ECONNRESET);
	assert_int_equal(si.shutdown, 3);
	assert_int_equal(si.peer, 0);
	assert_int_equal(nt_send_str(w, c, "more", 0), -ECONNRESET);
	assert_int_equal(nt_send_str(w, c, "more", 0), -EPIPE);
	assert_int_equal(span_world_events(w, NULL, 0), 0);
	nt_finish(w);
}

/* sendmsg/recvmsg argument checks (net.h) */
static void test_sendmsg_recvmsg_argument_errors(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src src = { .buf = "abc" };
	size_t done;
	int c, s;
	char b[4];

	(void)state;
	conn(w, &c, &s);
	nt_begin(w, 1);
	assert_int_equal(span_sendmsg(NULL, P, SOCKFD(c), &src, 3, 0, NULL),
			 -EINVAL);
	assert_int_equal(span_sendmsg(w, P, SOCKFD(c), NULL, 3, 0, NULL),
			 -EINVAL);
	assert_int_equal(span_sendmsg(w, P, SOCKFD(c), &src, 3, SPAN_MSG_PEEK,
				      NULL), -EINVAL);
	assert_int_equal(span_sendmsg(w, 99, SOCKFD(c), &src, 3, 0, NULL),
			 -ESRCH);
	assert_int_equal(span_sendmsg(w, P, PIPEW(1), &src, 3, 0, NULL),
			 -EBADF);
	done = 4;
	assert_int_equal(span_sendmsg(w, P, SOCKFD(c), &src, 3, 0, &done),
			 -EINVAL);
	done = 0;
	assert_int_equal(span_sendmsg(w, P, SOCKFD(c), &src, 0, 0, &done), 0);
	/* NULL @done is allowed */
	assert_int_equal(span_sendmsg(w, P, SOCKFD(c), &src, 3, 0, NULL), 3);
	assert_int_equal(span_recvmsg(NULL, P, SOCKFD(s), b, 4, 0), -EINVAL);
	assert_int_equal(span_recvmsg(w, P, SOCKFD(s), NULL, 4, 0), -EINVAL);
	assert_int_equal(span_recvmsg(w, P, SOCKFD(s), b, 4,
				      SPAN_MSG_ZEROCOPY), -EINVAL);
	assert_int_equal(span_recvmsg(w, 99, SOCKFD(s), b, 4, 0), -ESRCH);
	assert_int_equal(span_recvmsg(w, P, SOCKFD(99), b, 4, 0), -EBADF);
	/* an open descriptor that is not a socket: sockfd_lookup_light() */
	{
		int pp;

		assert_int_equal(span_pipe_create(w, 0, &pp), 0);
		assert_int_equal(span_recvmsg(w, P, SPAN_FD(SPAN_FD_PIPE_R, pp),
					      b, 4, 0), -ENOTSOCK);
		assert_int_equal(span_sendmsg(w, P, SPAN_FD(SPAN_FD_PIPE_W, pp),
					      &src, 1, 0, NULL), -ENOTSOCK);
		assert_int_equal(span_setsockopt_zerocopy(w,
				 SPAN_FD(SPAN_FD_PIPE_W, pp), 1), -ENOTSOCK);
		assert_int_equal(span_recv_errqueue(w,
				 SPAN_FD(SPAN_FD_PIPE_R, pp), false, b, 4),
				 -ENOTSOCK);
		assert_int_equal(span_close(w, P, SPAN_FD(SPAN_FD_PIPE_R, pp)), 0);
		assert_int_equal(span_close(w, P, SPAN_FD(SPAN_FD_PIPE_W, pp)), 0);
		assert_int_equal(span_recvmsg(w, P, SPAN_FD(SPAN_FD_PIPE_R, pp),
					      b, 4, 0), -EBADF);
	}
	/* a zero-length recv on an empty queue waits for data (target 1) */
	assert_int_equal(span_recvmsg(w, P, SOCKFD(s), NULL, 0, 0),
			 -SPAN_EWOULDSLEEP);
	assert_int_equal(span_recvmsg(w, P, SOCKFD(s), NULL, 0,
				      SPAN_O_NONBLOCK), -EAGAIN);
	assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(c), 2), -EINVAL);
	assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(99), 1), -EBADF);
	assert_int_equal(span_decrypt(w, 99, SOCKFD(s), 1), -ESRCH);
	assert_int_equal(span_decrypt(w, P, SOCKFD(99), 1), -EBADF);
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 0), 0);
	nt_end(w);
	nt_events(w);
	assert_int_equal(nt_recv(w, s, b, 4, 0), 3);
	assert_memory_equal(b, "abc", 3);
	nt_finish(w);
}

/*
 * span_decrypt() after the peer's FIN transforms what there is, and skips
 * bytes already transformed (a second call continues after them).
 */
static void test_decrypt_partial_then_eof(void **state)
{
	struct span_world *w = nt_world(NULL);
	int c, s;
	char b[16];

	(void)state;
	conn(w, &c, &s);
	assert_int_equal(nt_send_str(w, c, "abcd", 0), 4);
	nt_events(w);
	assert_int_equal(nt_send_str(w, c, "efgh", 0), 4);
	nt_events(w);
	nt_begin(w, 2);
	/* the first 3 bytes, then 2 more: the second starts after them */
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 3), 3);
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 2), 2);
	/* more than is queued: wait */
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 10),
			 -SPAN_EWOULDSLEEP);
	nt_end(w);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	nt_end(w);
	nt_events(w);
	nt_begin(w, 2);
	/* after the FIN: the remaining 3 bytes, then nothing */
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 10), 3);
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 10), 0);
	nt_end(w);
	assert_int_equal(nt_recv(w, s, b, 16, 0), 8);
	assert_memory_equal(b, "ABCDEFGH", 8);
	nt_finish(w);
}

/* --- skb helpers (internal.h) ------------------------------------------ */

/* an skb with one frag per page of @pages (each holding a page ref) */
static uint32_t skb_of_pages(struct span_world *w, const int *pages, int n,
			     uint32_t len)
{
	uint32_t skb = span__alloc_skb(w, 0, false, "test");

	assert_true(skb > 0);
	for (int i = 0; i < n; i++) {
		uint32_t l = len < PG ? len : PG;

		span__get_page(w, (uint32_t)pages[i], "test");
		assert_int_equal(span__skb_fill_frag(w, skb, (uint32_t)pages[i],
						     0, l, FRAG_REF_PAGE, 0), 0);
		len -= l;
	}
	return skb;
}

/*
 * skb_split() with the split point inside a frag (KSEM 6.7): frags wholly
 * after the point move, the straddling frag is shared with a get_page,
 * offsets and sizes adjusted on both sides; sequence numbers follow.
 * Each side then releases its own reference.
 */
static void test_skb_split_straddling_frag(void **state)
{
	struct span_world *w = nt_world(NULL);
	int r, pg[3];
	uint32_t skb, skb1;
	int64_t rc[3];
	struct span_sk_buff *a, *b;
	struct span_skb_shared_info *sa, *sb;

	(void)state;
	r = region_of(w, 3 * PG, "split");
	for (int i = 0; i < 3; i++) {
		pg[i] = span_region_page(w, P, r, (uint64_t)i * PG);
		assert_true(pg[i] > 0);
		rc[i] = nt_rc(w, pg[i]);
	}
	nt_begin(w, 0);
	skb = skb_of_pages(w, pg, 3, 3 * PG);
	SKB(w, skb)->seq = 1000;
	SKB(w, skb)->end_seq = 1000 + 3 * PG;
	skb1 = span__alloc_skb(w, 0, false, "test");
	assert_int_equal(span__skb_split(w, skb, skb1, PG + 100), 0);
	nt_end(w);
	nt_assert_clean(w);
	a = SKB(w, skb);
	b = SKB(w, skb1);
	sa = SHINFO(w, a->shinfo);
	sb = SHINFO(w, b->shinfo);
	assert_int_equal(a->len, PG + 100);
	assert_int_equal(a->data_len, PG + 100);
	assert_int_equal(b->len, 2 * PG - 100);
	assert_int_equal(b->data_len, 2 * PG - 100);
	assert_int_equal(a->end_seq, 1000 + PG + 100);
	assert_int_equal(b->seq, 1000 + PG + 100);
	assert_int_equal(b->end_seq, 1000 + 3 * PG);
	assert_int_equal(sa->nr_frags, 2);
	assert_int_equal(sa->frags[0].page, pg[0]);
	assert_int_equal(sa->frags[1].page, pg[1]);
	assert_int_equal(sa->frags[1].offset, 0);
	assert_int_equal(sa->frags[1].len, 100);
	assert_int_equal(sb->nr_frags, 2);
	assert_int_equal(sb->frags[0].page, pg[1]);
	assert_int_equal(sb->frags[0].offset, 100);
	assert_int_equal(sb->frags[0].len, PG - 100);
	assert_int_equal(sb->frags[1].page, pg[2]);
	/* one ref per frag: the shared page has two more, the others one */
	assert_int_equal(nt_rc(w, pg[0]), rc[0] + 1);
	assert_int_equal(nt_rc(w, pg[1]), rc[1] + 2);
	assert_int_equal(nt_rc(w, pg[2]), rc[2] + 1);
	/* the bytes read back across the split */
	{
		char x[8];

		span__skb_read(w, skb1, 0, x, NULL, 5, "test");
		/* byte PG + 100 = 4196 of a fill of period 5: 4196 % 5 = 1 */
		assert_memory_equal(x, "plits", 5);
	}
	nt_begin(w, 0);
	span__kfree_skb(w, skb, "test");
	nt_end(w);
	nt_assert_clean(w);
	assert_int_equal(nt_rc(w, pg[0]), rc[0]);
	assert_int_equal(nt_rc(w, pg[1]), rc[1] + 1);
	nt_begin(w, 0);
	span__kfree_skb(w, skb1, "test");
	nt_end(w);
	for (int i = 0; i < 3; i++)
		assert_int_equal(nt_rc(w, pg[i]), rc[i]);
	nt_finish(w);
}

/* a split point on a frag boundary moves whole frags: no new refs */
static void test_skb_split_on_frag_boundary(void **state)
{
	struct span_world *w = nt_world(NULL);
	int r, pg[2];
	uint32_t skb, skb1;
	int64_t rc0, rc1;

	(void)state;
	r = region_of(w, 2 * PG, "b");
	pg[0] = span_region_page(w, P, r, 0);
	pg[1] = span_region_page(w, P, r, PG);
	rc0 = nt_rc(w, pg[0]);
	rc1 = nt_rc(w, pg[1]);
	nt_begin(w, 0);
	skb = skb_of_pages(w, pg, 2, 2 * PG);
	skb1 = span__alloc_skb(w, 0, false, "test");
	/* bad requests: past the end, into a non-empty skb1 */
	assert_int_equal(span__skb_split(w, skb, skb1, 2 * PG + 1), -EINVAL);
	assert_int_equal(span__skb_split(w, skb, skb1, PG), 0);
	assert_int_equal(span__skb_split(w, skb, skb1, 1), -EINVAL);
	nt_end(w);
	assert_int_equal(SHINFO(w, SKB(w, skb)->shinfo)->nr_frags, 1);
	assert_int_equal(SHINFO(w, SKB(w, skb1)->shinfo)->nr_frags, 1);
	assert_int_equal(nt_rc(w, pg[0]), rc0 + 1);
	assert_int_equal(nt_rc(w, pg[1]), rc1 + 1);
	nt_begin(w, 0);
	span__kfree_skb(w, skb, "test");
	span__kfree_skb(w, skb1, "test");
	nt_end(w);
	assert_int_equal(nt_rc(w, pg[0]), rc0);
	assert_int_equal(nt_rc(w, pg[1]), rc1);
	nt_finish(w);
}

/* skb_split() refuses a cloned skb (the caller must unclone first) */
static void test_skb_split_refuses_clone(void **state)
{
	struct span_world *w = nt_world(NULL);
	int r, pg;
	uint32_t skb, clone, skb1;

	(void)state;
	r = region_of(w, PG, "c");
	pg = span_region_page(w, P, r, 0);
	nt_begin(w, 0);
	skb = skb_of_pages(w, &pg, 1, PG);
	clone = span__skb_clone(w, skb);
	assert_true(clone > 0);
	skb1 = span__alloc_skb(w, 0, false, "test");
	assert_int_equal(span__skb_split(w, skb, skb1, 10), -EINVAL);
	span__kfree_skb(w, clone, "test");
	/* no longer cloned: the split goes through */
	assert_int_equal(span__skb_split(w, skb, skb1, 10), 0);
	span__kfree_skb(w, skb, "test");
	span__kfree_skb(w, skb1, "test");
	nt_end(w);
	nt_finish(w);
}

/* copy_from_iter() over a bvec spanning two pages, not advancing */
static void test_iter_copy_bvec(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_bvec bv[2];
	struct span_net_iter it;
	struct span_prov prov[8];
	char out[8];
	int r;

	(void)state;
	r = region_of(w, 2 * PG, "0123456789");
	bv[0].page = (uint32_t)span_region_page(w, P, r, 0);
	bv[0].offset = PG - 3;
	bv[0].len = 3;
	bv[1].page = (uint32_t)span_region_page(w, P, r, PG);
	bv[1].offset = 0;
	bv[1].len = 5;
	span__iter_init_bvec(&it, bv, 2, 8);
	nt_begin(w, 0);
	assert_int_equal(span__iter_copy(w, &it, out, prov, 8), 0);
	/* the fill runs on across pages, period 10: PG - 3 = 4093 -> '3' */
	assert_memory_equal(out, "34567890", 8);
	/* it did not advance */
	assert_int_equal(it.pos, 0);
	span__iter_advance(&it, 2);
	assert_int_equal(span__iter_copy(w, &it, out, prov, 6), 0);
	assert_memory_equal(out, "567890", 6);
	/* past the end of the bvec */
	assert_int_equal(span__iter_copy(w, &it, out, prov, 7), -EFAULT);
	nt_end(w);
	nt_finish(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accessors_follow_a_segment),
		cmocka_unit_test(test_accessors_error_codes),
		cmocka_unit_test(test_ubuf_info_zerocopy_over_lo),
		cmocka_unit_test(test_loopback_share_keeps_zerocopy_frags),
		cmocka_unit_test(test_loopback_copy_all_zerocopy),
		cmocka_unit_test(test_loopback_copy_all_failure_drops_and_resets),
		cmocka_unit_test(test_loopback_orphan_frags_rx_failure_drops_and_resets),
		cmocka_unit_test(test_delivery_to_closed_socket_is_reset),
		cmocka_unit_test(test_close_with_unread_data_resets_peer),
		cmocka_unit_test(test_sendmsg_recvmsg_argument_errors),
		cmocka_unit_test(test_decrypt_partial_then_eof),
		cmocka_unit_test(test_skb_split_straddling_frag),
		cmocka_unit_test(test_skb_split_on_frag_boundary),
		cmocka_unit_test(test_skb_split_refuses_clone),
		cmocka_unit_test(test_iter_copy_bvec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
