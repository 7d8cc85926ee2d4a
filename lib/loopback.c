// SPDX-License-Identifier: MIT
/*
 * loopback.c - the loopback device and local delivery.
 *
 * Models drivers/net/loopback.c loopback_xmit() and the receive path
 * __netif_receive_skb_core() -> ip_rcv() -> ip_local_deliver_finish() of
 * net/ipv4/ip_input.c (v6.18) up to tcp_v4_rcv().  The device queue
 * (__netif_rx() to the per-CPU backlog, processed in NET_RX softirq) is
 * the SPAN_EV_DELIVER kernel event; deliveries to one socket run in FIFO
 * order, as the backlog does, except a retransmission (tcp_retransmit=1),
 * which may overtake.
 *
 * The loopback knob is read in ip_local_deliver_finish():
 *   copy_zerocopy (mainline): skb_orphan_frags_rx() copies the frags of an
 *     skb that carries a zerocopy ubuf (the receiver must not hold user
 *     pages; the notification says COPIED) and shares every other frag;
 *   share: nothing is copied; the receiver's clone keeps the frags and,
 *     through the shared skb_shared_info, the ubuf or owner reference;
 *   copy_all: every frag is copied into pages the receiver owns, and the
 *     ubuf/owner reference is dropped (copy at loopback, P4).
 */
#include "internal.h"

/*
 * span__loopback_xmit - loopback_xmit(): skb_orphan() (the TX destructor
 * runs here), then __netif_rx(): the delivery becomes a kernel event.
 * @late_ok: a retransmission (tcp_retransmit=1), which may be delivered
 * before the segments queued ahead of it (the earlier transmission is the
 * one a delay on lo holds back).
 */
void span__loopback_xmit(struct span_world *w, uint32_t skb, uint32_t dest,
			 uint32_t sender, bool late_ok)
{
	int id;

	span__skb_orphan(w, skb, "loopback_xmit");
	id = span__event_queue(w, SPAN_EV_DELIVER, skb, dest, sender);
	if (id < 0) {
		/* DEVIATION: cannot happen, the event queue never fails */
		span__kfree_skb(w, skb, "loopback_xmit");
		return;
	}
	EVENT(w, (uint32_t)id)->late_ok = late_ok;
	span__trace(w, "loopback_xmit", SPAN_TR_QUEUE, SPAN_OBJ_SKB, skb, 0,
		    dest, "__netif_rx");
}

/*
 * span__netif_receive_skb - the NET_RX softirq for one skb from lo:
 * ip_rcv_core() (skb_orphan again), ip_local_deliver_finish() with the
 * loopback policy, then tcp_v4_rcv().  A copy that fails drops the skb
 * (IPSTATS_MIB_INDISCARDS); TCP would retransmit, the model does not.
 */
void span__netif_receive_skb(struct span_world *w, uint32_t skb, uint32_t dest,
			     uint32_t sender)
{
	const char *func = "ip_local_deliver_finish";
	int err = 0;

	span__fp(w, true, SPAN_OBJ_SKB, skb);
	span__skb_orphan(w, skb, "ip_rcv_core");
	switch (span__decide(w, &(struct span_decision){
			.point = SPAN_KNOB_LOOPBACK, .func = func,
			.len = SKB(w, skb)->len, .dst = SPAN_DST_SOCK })) {
	case SPAN_LOOPBACK_COPY_ZEROCOPY:
		/* KREF: net/ipv4/ip_input.c ip_local_deliver_finish() */
		err = span__skb_orphan_frags_rx(w, skb);
		break;
	case SPAN_LOOPBACK_SHARE:
		break;
	case SPAN_LOOPBACK_COPY_ALL:
		if (SHINFO(w, SKB(w, skb)->shinfo)->nr_frags ||
		    SHINFO(w, SKB(w, skb)->shinfo)->ubuf ||
		    SHINFO(w, SKB(w, skb)->shinfo)->owner)
			err = span__skb_copy_all(w, skb);
		break;
	}
	if (err) {
		span__trace(w, func, SPAN_TR_NOTE, SPAN_OBJ_SKB, skb, 0, err,
			    "copy failed: dropped");
		if (dest && span__tab_live(&w->net.socks, dest)) {
			struct span_sock *so = SOCK(w, dest);

			so->inflight -= SKB(w, skb)->len < so->inflight ?
						SKB(w, skb)->len : so->inflight;
		}
		span__kfree_skb(w, skb, func);
		/* DEVIATION: no retransmission of a lost segment; the
		 * connection is reset */
		span__tcp_reset(w, sender);
		return;
	}
	span__tcp_v4_rcv(w, dest, skb, sender);
}
