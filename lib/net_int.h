/* SPDX-License-Identifier: MIT */
/*
 * net_int.h - layouts of the network objects (sk_buff, skb_shared_info,
 * ubuf_info, sockets, the kernel event queue), shared by skbuff.c,
 * zerocopy.c, tcp.c, af_unix.c, loopback.c, socket.c, check.c and
 * snapshot.c.
 *
 * Every object lives in its own table of struct span_net and is named by
 * id; queues are singly linked through skb ids (sk_buff.next), never by
 * pointer, so a world is still copied with memcpy.
 */
#ifndef SPAN_NET_INT_H
#define SPAN_NET_INT_H

#define SPAN_MAX_SKB_FRAGS_LIMIT 32	/* frags[] size; max_skb_frags <= it */
#define SPAN_MAX_SKB_FRAGS	17	/* CONFIG_MAX_SKB_FRAGS (spd size) */
#define SPAN_MSG_ZC_MAX_BYTES	(1u << 19) /* msg_zerocopy_realloc() limit */
#define SPAN_MSG_ZC_MAX_LEN	65534	/* uarg_zc->len limit */
#define SPAN_PIPE_DEF_SEGS	16	/* splice_to_socket(): bvec batch */

/* shinfo->flags: include/linux/skbuff.h values (bit numbers) */
#define SKBFL_ZEROCOPY_ENABLE	0x01	/* destructor_arg is a ubuf_info */
#define SKBFL_SHARED_FRAG	0x02	/* frags may be overwritten externally */
#define SKBFL_PURE_ZEROCOPY	0x04	/* only zerocopy payload */
#define SKBFL_DONT_ORPHAN	0x08	/* skb_orphan_frags() is a no-op */
#define SKBFL_MANAGED_FRAG_REFS	0x10	/* frags hold no page refs */
#define SKBFL_ZEROCOPY_FRAG	(SKBFL_ZEROCOPY_ENABLE | SKBFL_SHARED_FRAG)
#define SKBFL_ALL_ZEROCOPY	(SKBFL_ZEROCOPY_FRAG | SKBFL_PURE_ZEROCOPY | \
				 SKBFL_DONT_ORPHAN | SKBFL_MANAGED_FRAG_REFS)

/*
 * What one frag holds on its page.  DEVIATION: the kernel has one
 * MANAGED_FRAG_REFS bit per skb; the model keeps the kind per frag (the
 * "ref'd, pinned, no-retention" states Howells proposed in 2023) so that
 * copy-mode and owner-managed data can share an skb without a downgrade.
 */
enum frag_ref {
	FRAG_REF_PAGE,		/* a page reference (get_page / FOLL_GET) */
	FRAG_REF_PIN,		/* a FOLL_PIN pin (zerocopy_gup=pin) */
	FRAG_REF_NONE,		/* nothing: the shinfo's owner ref covers it */
};

/* table objects: no implicit padding (see lib/internal.h) */
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wpadded"

/* skb_frag_t */
struct span_skb_frag {
	uint32_t page;
	uint32_t offset;
	uint32_t len;
	uint8_t ref;		/* enum frag_ref */
	uint8_t pad[3];
	uint32_t ubuf;		/* the ubuf whose GUP captured it, or 0 */
};

/* struct skb_shared_info: shared by all clones of one head */
struct span_skb_shared_info {
	uint8_t live;
	uint8_t flags;		/* SKBFL_* */
	uint8_t nr_frags;
	uint8_t head_frag;	/* head is a refcounted page frag */
	int32_t dataref;	/* references from sk_buffs */
	uint32_t ubuf;		/* destructor_arg (SKBFL_ZEROCOPY_ENABLE) */
	uint32_t owner;		/* kmem_send=desc: owner reference held */
	uint32_t head_page;	/* linear head: slab page, kernel page, or 0 */
	uint32_t head_size;	/* bytes of the head buffer (end - head) */
	struct span_skb_frag frags[SPAN_MAX_SKB_FRAGS_LIMIT];
};

/* skb->destructor */
enum skb_destructor {
	SKB_DESTRUCTOR_NONE,
	SKB_DESTRUCTOR_WFREE,	/* sock_wfree: sender's sk_wmem_alloc */
};

/* struct sk_buff */
struct span_sk_buff {
	uint8_t live;
	uint8_t cloned;
	uint8_t fin;		/* TCP FIN (a zero-length segment) */
	uint8_t destructor;	/* enum skb_destructor */
	int32_t users;
	uint32_t shinfo;
	uint32_t data;		/* skb->data - skb->head */
	uint32_t len, data_len;	/* headlen = len - data_len */
	uint32_t truesize;
	uint32_t sk;		/* socket charged by the destructor */
	uint32_t next;		/* queue link */
	uint32_t seq, end_seq;	/* TCP_SKB_CB */
	uint32_t consumed;	/* bytes already read (UNIXCB.consumed, seq) */
	uint8_t retransmitted;	/* TCP: the timer sent it again (once) */
	uint8_t pad[3];
};

/* struct ubuf_info_msgzc */
struct span_ubuf_info {
	uint8_t live;
	uint8_t zerocopy;	/* cleared by a copy: notification COPIED */
	uint8_t flags;		/* SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN */
	uint8_t pad;
	int32_t refcnt;
	uint32_t id, len, bytelen;
	uint32_t sk;		/* sock_hold(sk) */
};

/* a user page captured by a ubuf's GUP (for premature-completion) */
struct span_zc_capture {
	uint8_t live;
	uint8_t pad[3];
	uint32_t ubuf;
	uint32_t page;
};

/* one zerocopy notification (sock_extended_err) on a socket */
struct span_zc_note {
	uint8_t live;
	uint8_t copied;		/* SO_EE_CODE_ZEROCOPY_COPIED */
	uint8_t queued;		/* still on sk_error_queue (not drained) */
	uint8_t pad;
	uint32_t sk;
	uint32_t lo, hi;	/* ee_info, ee_data */
	uint64_t seq;		/* order of delivery */
};

enum sock_family { SOCK_TCP = 1, SOCK_UNIX = 2 };

#define RCV_SHUTDOWN	1
#define SEND_SHUTDOWN	2

struct span_skb_queue {
	uint32_t head, tail;
};

struct span_sock {
	uint8_t live;
	uint8_t family;		/* enum sock_family */
	uint8_t file;		/* the file is open (handle valid) */
	uint8_t zerocopy;	/* SOCK_ZEROCOPY */
	uint8_t shutdown;	/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	uint8_t nonblock;	/* O_NONBLOCK on the file */
	uint8_t dead;		/* SOCK_DEAD */
	uint8_t fin_queued;	/* tcp_send_fin() done */
	uint8_t done;		/* SOCK_DONE: the peer's FIN arrived */
	uint8_t reset;		/* TCP: TCP_CLOSE after an RST (tcp_done()) */
	uint8_t pad2[2];
	uint32_t peer;
	int32_t err;		/* sk_err (positive errno) */
	struct span_skb_queue write_queue;	/* TCP: not yet transmitted */
	struct span_skb_queue rtx_queue;	/* TCP: transmitted, unacked */
	struct span_skb_queue receive_queue;
	uint32_t write_seq, snd_nxt, snd_una, rcv_nxt;
	uint32_t pad3;
	uint64_t wmem_queued;	/* TCP: write + rtx queue bytes */
	uint64_t wmem_alloc;	/* AF_UNIX: truesize of skbs in flight */
	uint32_t zckey;		/* sk_zckey */
	uint32_t send_uarg;	/* uarg of a sendmsg that is sleeping */
	uint32_t pfrag_page;	/* sk_page_frag: the socket holds a ref */
	uint32_t pfrag_offset;
	uint32_t decrypted;	/* bytes from the read position transformed */
	uint32_t inflight;	/* DELIVER events towards this socket */
};

struct span_event_ent {
	uint8_t live;
	uint8_t kind;		/* enum span_event_kind */
	uint8_t late_ok;	/* DELIVER of a retransmission: may overtake
				 * the deliveries queued before it */
	uint8_t pad;
	uint32_t obj;		/* socket (XMIT, ACK, RTO) or skb (DELIVER) */
	uint32_t sock;		/* acting/destination socket */
	uint32_t arg;		/* ACK: acked seq; DELIVER: the sender */
	uint64_t seq;		/* queueing order */
};

#pragma GCC diagnostic pop

struct span_net {
	struct span_tab events;
	struct span_tab skbs, shinfos, ubufs, socks, captures, notes;
	uint64_t event_seq;
	uint64_t note_seq;
	uint32_t releasing;	/* shinfo being released (premature check) */
};

/* iov_iter over the source of a sendmsg */
enum { NET_ITER_UBUF, NET_ITER_BVEC };

struct span_bvec {
	uint32_t page, offset, len;
};

struct span_net_iter {
	int type;
	uint32_t pid;
	const struct span_src *src;	/* NET_ITER_UBUF (user, literal, kmem) */
	const struct span_bvec *bvec;	/* NET_ITER_BVEC */
	uint32_t nr_bvec;
	size_t count;			/* bytes left */
	size_t pos;			/* bytes consumed so far */
};

#define SKB(w, id)	TAB_AT((w)->net.skbs, struct span_sk_buff, id)
#define SHINFO(w, id)	TAB_AT((w)->net.shinfos, struct span_skb_shared_info, id)
#define UBUF(w, id)	TAB_AT((w)->net.ubufs, struct span_ubuf_info, id)
#define SOCK(w, id)	TAB_AT((w)->net.socks, struct span_sock, id)
#define CAPTURE(w, id)	TAB_AT((w)->net.captures, struct span_zc_capture, id)
#define NOTE(w, id)	TAB_AT((w)->net.notes, struct span_zc_note, id)
#define EVENT(w, id)	TAB_AT((w)->net.events, struct span_event_ent, id)

struct span_world;
struct span_prov;
struct span_pipe_inode_info;

/*
 * Footprint keys of objects with no SPAN_OBJ_* type of their own: a
 * shinfo is an SPAN_OBJ_SKB key with bit 23 set (shared by all clones, so
 * a dataref change conflicts with every holder's step); the kernel event
 * queue is SPAN_OBJ_SOCK id 0 (queueing order is state).
 */
#define SPAN_FP_SHINFO_BIT	0x800000u
#define span__fp_shinfo(w, write, sh) \
	span__fp((w), (write), SPAN_OBJ_SKB, (sh) | SPAN_FP_SHINFO_BIT)
#define span__fp_events(w)	span__fp((w), true, SPAN_OBJ_SOCK, 0)

/* skbuff.c */
uint32_t span__skb_headlen(struct span_world *w, uint32_t skb);
uint32_t span__skb_max_head(const struct span_world *w);
uint32_t span__max_skb_frags(const struct span_world *w);
bool span__sendpage_ok(const struct span_world *w, uint32_t page);
bool span__frag_ref(struct span_world *w, struct span_skb_frag *f,
		    const char *func);
void span__frag_unref(struct span_world *w, struct span_skb_frag *f,
		      const char *func);
uint32_t span__alloc_skb(struct span_world *w, uint32_t head_size,
			 bool head_frag, const char *func);
void span__shinfo_put(struct span_world *w, uint32_t sh, const char *func);
void span__kfree_skb(struct span_world *w, uint32_t skb, const char *func);
void span__skb_orphan(struct span_world *w, uint32_t skb, const char *func);
bool span__skb_cloned(struct span_world *w, uint32_t skb);
int span__skb_read(struct span_world *w, uint32_t skb, uint32_t off,
		   void *dst, struct span_prov *prov, uint32_t len,
		   const char *func);
int span__skb_write(struct span_world *w, uint32_t skb, uint32_t off,
		    const void *src, uint32_t len, const char *func);
uint32_t span__skb_clone(struct span_world *w, uint32_t skb);
int span__pskb_expand_head(struct span_world *w, uint32_t skb);
uint32_t span__pskb_copy(struct span_world *w, uint32_t skb);
uint32_t span__skb_copy(struct span_world *w, uint32_t skb);
int span__skb_copy_ubufs(struct span_world *w, uint32_t skb);
int span__skb_orphan_frags(struct span_world *w, uint32_t skb);
int span__skb_orphan_frags_rx(struct span_world *w, uint32_t skb);
int span__skb_copy_all(struct span_world *w, uint32_t skb);
bool span__skb_try_coalesce(struct span_world *w, uint32_t to, uint32_t from,
			    bool *fragstolen);
int span__skb_split(struct span_world *w, uint32_t skb, uint32_t skb1,
		    uint32_t len);
int span__skb_cow_data(struct span_world *w, uint32_t skb);
int span__sk_page_frag_refill(struct span_world *w, uint32_t sk);
ssize_t span__skb_splice_bits(struct span_world *w, uint32_t sk, uint32_t skb,
			      uint32_t offset,
			      struct span_pipe_inode_info *pipe, uint32_t len);
int span__skb_fill_frag(struct span_world *w, uint32_t skb, uint32_t page,
			uint32_t off, uint32_t len, int ref, uint32_t ubuf);
ssize_t span__skb_splice_from_iter(struct span_world *w, uint32_t skb,
				   struct span_net_iter *it, size_t maxsize);
void span__iter_init_src(struct span_net_iter *it, uint32_t pid,
			 const struct span_src *src, size_t len);
void span__iter_init_bvec(struct span_net_iter *it, const struct span_bvec *bv,
			  uint32_t nr, size_t len);
void span__iter_advance(struct span_net_iter *it, size_t n);
int span__iter_page(struct span_world *w, const struct span_net_iter *it,
		    uint32_t *page, uint32_t *off, uint32_t *avail);
int span__iter_copy(struct span_world *w, const struct span_net_iter *it,
		    void *dst, struct span_prov *prov, uint32_t n);

/* zerocopy.c */
uint32_t span__msg_zerocopy_realloc(struct span_world *w, uint32_t sk,
				    size_t size, uint32_t tail);
void span__net_zcopy_get(struct span_world *w, uint32_t ubuf);
void span__net_zcopy_put(struct span_world *w, uint32_t ubuf);
void span__net_zcopy_put_abort(struct span_world *w, uint32_t ubuf);
void span__ubuf_complete(struct span_world *w, uint32_t ubuf, bool success);
void span__skb_zcopy_set(struct span_world *w, uint32_t skb, uint32_t ubuf);
void span__skb_zcopy_clear(struct span_world *w, uint32_t sh, bool success);
ssize_t span__zerocopy_fill_skb_from_iter(struct span_world *w, uint32_t skb,
					  struct span_net_iter *it,
					  size_t length, uint32_t ubuf);
int span__zc_notes_text(const struct span_world *w, uint32_t sk,
			bool queued_only, bool drain, char *out, size_t size);

/* socket.c */
uint32_t span__sock_alloc(struct span_world *w, int family);
void span__sock_wfree(struct span_world *w, uint32_t sk, uint32_t truesize);
void span__sock_reap(struct span_world *w, uint32_t sk);
void span__sock_reap_all(struct span_world *w);
void span__skb_queue_tail(struct span_world *w, struct span_skb_queue *q,
			  uint32_t skb);
uint32_t span__skb_dequeue(struct span_world *w, struct span_skb_queue *q);
void span__skb_queue_purge(struct span_world *w, struct span_skb_queue *q,
			   const char *func);
uint64_t span__sk_rmem(struct span_world *w, uint32_t sk);
/* queue a kernel event; return: its id, or -ENOMEM */
int span__event_queue(struct span_world *w, int kind, uint32_t obj,
		      uint32_t sock, uint32_t arg);
bool span__event_pending(struct span_world *w, int kind, uint32_t sock);
ssize_t span__sock_sendmsg_iter(struct span_world *w, uint32_t sk,
				struct span_net_iter *it, unsigned int flags,
				size_t *done);

/* tcp.c */
ssize_t span__tcp_sendmsg(struct span_world *w, uint32_t sk,
			  struct span_net_iter *it, unsigned int flags,
			  size_t *done);
ssize_t span__tcp_recvmsg(struct span_world *w, uint32_t sk, void *out,
			  size_t len, unsigned int flags);
ssize_t span__tcp_splice_read(struct span_world *w, uint32_t sk,
			      struct span_pipe_inode_info *pipe, size_t len,
			      bool pipe_nonblock);
void span__tcp_write_xmit(struct span_world *w, uint32_t sk);
void span__tcp_v4_rcv(struct span_world *w, uint32_t sk, uint32_t skb,
		      uint32_t sender);
void span__tcp_ack(struct span_world *w, uint32_t sk, uint32_t ack);
void span__tcp_retransmit_timer(struct span_world *w, uint32_t sk);
void span__tcp_reset(struct span_world *w, uint32_t sk);
void span__tcp_close(struct span_world *w, uint32_t sk);
void span__tcp_rcv_space_adjust(struct span_world *w, uint32_t sk);
int span__tcp_ioctl(struct span_world *w, uint32_t sk, unsigned int cmd,
		    int *arg);
int span__inet_shutdown(struct span_world *w, uint32_t sk, int how);
bool span__tcp_waitall_end(struct span_world *w, uint32_t sk, bool nonblock);

/* af_unix.c */
ssize_t span__unix_stream_sendmsg(struct span_world *w, uint32_t sk,
				  struct span_net_iter *it, unsigned int flags,
				  size_t *done);
ssize_t span__unix_stream_recvmsg(struct span_world *w, uint32_t sk,
				  void *out, size_t len, unsigned int flags);
ssize_t span__unix_stream_splice_read(struct span_world *w, uint32_t sk,
				      struct span_pipe_inode_info *pipe,
				      size_t len, bool nonblock);
void span__unix_release(struct span_world *w, uint32_t sk);
int span__unix_ioctl(struct span_world *w, uint32_t sk, unsigned int cmd,
		     int *arg);
int span__unix_shutdown(struct span_world *w, uint32_t sk, int how);
bool span__unix_waitall_end(struct span_world *w, uint32_t sk, bool nonblock);

/* loopback.c */
void span__loopback_xmit(struct span_world *w, uint32_t skb, uint32_t dest,
			 uint32_t sender, bool late_ok);
void span__netif_receive_skb(struct span_world *w, uint32_t skb,
			     uint32_t dest, uint32_t sender);

#endif
