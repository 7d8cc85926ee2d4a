/* SPDX-License-Identifier: MIT */
/*
 * net_int.h - layouts of the network objects (sk_buff, skb_shared_info,
 * ubuf_info, sockets, the kernel event queue), shared by skbuff.c,
 * zerocopy.c, tcp.c, af_unix.c, loopback.c, check.c and snapshot.c.
 */
#ifndef SPAN_NET_INT_H
#define SPAN_NET_INT_H

#define SPAN_MAX_SKB_FRAGS_LIMIT 32	/* frags[] size; max_skb_frags <= it */

struct span_event_ent {
	uint8_t live;
	uint8_t kind;		/* enum span_event_kind */
	uint8_t pad[2];
	uint32_t obj;
	uint64_t seq;		/* queueing order */
};

struct span_net {
	struct span_tab events;
	uint64_t event_seq;
};

#endif
