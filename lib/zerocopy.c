// SPDX-License-Identifier: MIT
/*
 * zerocopy.c - ubuf_info and MSG_ZEROCOPY.
 *
 * Models the MSG_ZEROCOPY half of net/core/skbuff.c of v6.18
 * (msg_zerocopy_alloc(), msg_zerocopy_realloc(), msg_zerocopy_complete(),
 * __msg_zerocopy_callback(), msg_zerocopy_put_abort(), skb_zcopy_set(),
 * skb_zcopy_clear()) and net/core/datagram.c
 * zerocopy_fill_skb_from_iter(), with the notification merge on
 * sk_error_queue.
 *
 * The knob zerocopy_gup decides how the user pages are captured:
 * FOLL_GET page references (mainline, iov_iter_get_pages2()) or FOLL_PIN
 * pins, released with unpin when the frag goes.
 *
 * The premature-completion invariant is checked where the completion is
 * delivered: no skb (other than the one whose release delivers it) and no
 * pipe buffer may still reference a user page the ubuf captured.
 */
#include <stdio.h>

#include "internal.h"

/* --- alloc / realloc ---------------------------------------------------- */

/*
 * msg_zerocopy_alloc(): refcnt = 1 (the sendmsg call's own reference),
 * id = sk_zckey++, len = 1, zerocopy = 1, sock_hold().  DEVIATION: no
 * mm_account_pinned_pages(): the kernel charges the whole requested size
 * to the user's RLIMIT_MEMLOCK here, before any page is touched, and a
 * send larger than the limit is -ENOBUFS (the model faults or sends).
 * docs/deviations.md.
 */
static uint32_t msg_zerocopy_alloc(struct span_world *w, uint32_t sk,
				   size_t size)
{
	uint32_t id = span__tab_alloc(w, &w->net.ubufs);
	struct span_ubuf_info *u;

	if (!id)
		return 0;	/* sock_omalloc() failed: -ENOBUFS */
	u = UBUF(w, id);
	u->refcnt = 1;
	u->id = SOCK(w, sk)->zckey++;
	u->len = 1;
	u->bytelen = (uint32_t)size;
	u->zerocopy = 1;
	u->flags = SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN;
	u->sk = sk;
	span__fp(w, true, SPAN_OBJ_UBUF, id);
	span__fp(w, true, SPAN_OBJ_SOCK, sk);
	span__trace(w, "msg_zerocopy_alloc", SPAN_TR_ALLOC, SPAN_OBJ_UBUF, id, 0,
		    1, NULL);
	return id;
}

/*
 * span__msg_zerocopy_realloc - msg_zerocopy_realloc(sk, size, uarg).
 * KREF: net/core/skbuff.c: extend @tail's uarg (the one on the write
 * queue's tail skb) when its ids end at sk_zckey and the byte and count
 * limits allow: len++, bytelen += size, sk_zckey++, refcnt++ (the call's
 * reference); else a new uarg.  Return: the uarg, or 0 (-ENOBUFS).
 */
uint32_t span__msg_zerocopy_realloc(struct span_world *w, uint32_t sk,
				    size_t size, uint32_t tail)
{
	if (tail) {
		struct span_ubuf_info *u = UBUF(w, tail);
		struct span_sock *so = SOCK(w, sk);

		if (u->bytelen + size <= SPAN_MSG_ZC_MAX_BYTES &&
		    u->len < SPAN_MSG_ZC_MAX_LEN && u->id + u->len == so->zckey) {
			u->len++;
			u->bytelen += (uint32_t)size;
			so->zckey++;
			u->refcnt++;
			span__fp(w, true, SPAN_OBJ_UBUF, tail);
			span__trace(w, "msg_zerocopy_realloc", SPAN_TR_GET,
				    SPAN_OBJ_UBUF, tail, u->refcnt - 1,
				    u->refcnt, "range extended");
			return tail;
		}
	}
	return msg_zerocopy_alloc(w, sk, size);
}

void span__net_zcopy_get(struct span_world *w, uint32_t ubuf)
{
	struct span_ubuf_info *u = UBUF(w, ubuf);

	span__fp(w, true, SPAN_OBJ_UBUF, ubuf);
	u->refcnt++;
	span__trace(w, "net_zcopy_get", SPAN_TR_GET, SPAN_OBJ_UBUF, ubuf,
		    u->refcnt - 1, u->refcnt, NULL);
}

/* --- completion --------------------------------------------------------- */

static void note_add(struct span_world *w, uint32_t sk, uint32_t lo,
		     uint32_t hi, bool copied)
{
	uint32_t last = 0, id;
	uint64_t best = 0;

	span__fp(w, true, SPAN_OBJ_SOCK, sk);

	/* the tail of sk_error_queue: the newest notification still queued */
	for (uint32_t i = 1; i < w->net.notes.n; i++) {
		struct span_zc_note *n = NOTE(w, i);

		if (n->live && n->sk == sk && n->seq >= best) {
			best = n->seq;
			last = i;
		}
	}
	if (last && NOTE(w, last)->queued && NOTE(w, last)->hi + 1 == lo) {
		/* KREF: __msg_zerocopy_callback(): merge, keep the tail's code */
		NOTE(w, last)->hi = hi;
		span__trace(w, "__msg_zerocopy_callback", SPAN_TR_QUEUE,
			    SPAN_OBJ_SOCK, sk, lo, hi, "merged into queue tail");
		return;
	}
	id = span__tab_alloc(w, &w->net.notes);
	if (!id) {
		/* DEVIATION: the notification skb is preallocated in the kernel */
		span__trace(w, "__msg_zerocopy_callback", SPAN_TR_NOTE,
			    SPAN_OBJ_SOCK, sk, lo, hi, "notification lost: -ENOMEM");
		return;
	}
	NOTE(w, id)->sk = sk;
	NOTE(w, id)->lo = lo;
	NOTE(w, id)->hi = hi;
	NOTE(w, id)->copied = copied;
	NOTE(w, id)->queued = 1;
	NOTE(w, id)->seq = ++w->net.note_seq;
	span__trace(w, "__msg_zerocopy_callback", SPAN_TR_QUEUE, SPAN_OBJ_SOCK,
		    sk, lo, hi, copied ? "sk_error_queue: copied" :
					 "sk_error_queue");
}

/*
 * does anything but the releasing shinfo still reference @page through
 * this send?  An skb frag that @ubuf's GUP made, or a pipe buffer that
 * skb_splice_bits() made from such a frag (its priv: span__skb_splice_bits,
 * a DEVIATION).  Every other reference is the user's own - vmsplice()'s,
 * or one an earlier splice of those pages into a socket handed on - and
 * the kernel's completion does not wait for it.  Not seen: a buffer that
 * pipe_split=desc turned into a descriptor holder (it keeps no ubuf).
 */
static bool page_still_referenced(struct span_world *w, uint32_t ubuf,
				  uint32_t page, const char **who)
{
	for (uint32_t i = 1; i < w->net.shinfos.n; i++) {
		struct span_skb_shared_info *sh = SHINFO(w, i);

		if (!sh->live || i == w->net.releasing)
			continue;
		for (uint32_t f = 0; f < sh->nr_frags; f++)
			if (sh->frags[f].page == page &&
			    sh->frags[f].ubuf == ubuf) {
				*who = "an skb frag";
				return true;
			}
	}
	for (uint32_t id = 1; id < w->pipes.n; id++) {
		struct span_pipe_inode_info *p = PIPE(w, id);

		if (!p->live)
			continue;
		for (uint32_t i = p->tail; i != p->head; i++) {
			struct span_pipe_buffer *b = span__pipe_buf(w, p, i);

			if (b->ops == SPAN_PBO_NOSTEAL && b->priv == ubuf &&
			    b->page == page) {
				*who = "a pipe buffer";
				return true;
			}
		}
	}
	return false;
}

/*
 * __msg_zerocopy_callback(): at refcnt 0.  No notification when len is 0
 * (an aborted send) or the socket is dead; otherwise [id, id + len - 1],
 * COPIED unless every skb kept the user pages.
 */
static void msg_zerocopy_callback(struct span_world *w, uint32_t ubuf)
{
	const char *func = "__msg_zerocopy_callback";
	struct span_ubuf_info u = *UBUF(w, ubuf);
	struct span_sock *so = SOCK(w, u.sk);

	if (u.len && span__tab_live(&w->net.socks, u.sk) && !so->dead) {
		for (uint32_t i = 1; i < w->net.captures.n; i++) {
			struct span_zc_capture *c = CAPTURE(w, i);
			const char *who = NULL;

			if (!c->live || c->ubuf != ubuf)
				continue;
			if (page_still_referenced(w, ubuf, c->page, &who)) {
				span__violate(w, SPAN_INV_PREMATURE_COMPLETION,
					      SPAN_OBJ_UBUF, ubuf, func,
					      "completion %u-%u delivered while %s still references user page#%u",
					      u.id, u.id + u.len - 1, who,
					      c->page);
				break;
			}
		}
		note_add(w, u.sk, u.id, u.id + u.len - 1, !u.zerocopy);
	}
	for (uint32_t i = 1; i < w->net.captures.n; i++)
		if (CAPTURE(w, i)->live && CAPTURE(w, i)->ubuf == ubuf)
			span__tab_free(&w->net.captures, i);
	span__trace(w, func, SPAN_TR_FREE, SPAN_OBJ_UBUF, ubuf, 0, 0, NULL);
	span__tab_free(&w->net.ubufs, ubuf);
	if (span__tab_live(&w->net.socks, u.sk))
		span__sock_reap(w, u.sk);	/* sock_put() */
}

/*
 * span__ubuf_complete - msg_zerocopy_complete(skb, uarg, success):
 * zerocopy &= success; refcnt--; the callback at zero.
 */
void span__ubuf_complete(struct span_world *w, uint32_t ubuf, bool success)
{
	struct span_ubuf_info *u = UBUF(w, ubuf);

	if (!span__tab_live(&w->net.ubufs, ubuf) || u->refcnt <= 0) {
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_UBUF,
			      ubuf, "msg_zerocopy_complete",
			      "msg_zerocopy_complete: ubuf#%u refcnt underflow",
			      ubuf);
		return;
	}
	span__fp(w, true, SPAN_OBJ_UBUF, ubuf);
	if (!success && u->zerocopy)
		span__trace(w, "msg_zerocopy_complete", SPAN_TR_FLAGS,
			    SPAN_OBJ_UBUF, ubuf, 1, 0, "zerocopy = 0 (copied)");
	u->zerocopy &= success;
	u->refcnt--;
	span__trace(w, "msg_zerocopy_complete", SPAN_TR_PUT, SPAN_OBJ_UBUF,
		    ubuf, u->refcnt + 1, u->refcnt, NULL);
	if (!u->refcnt)
		msg_zerocopy_callback(w, ubuf);
}

/* net_zcopy_put(): the sendmsg call's reference, success */
void span__net_zcopy_put(struct span_world *w, uint32_t ubuf)
{
	span__ubuf_complete(w, ubuf, true);
}

/*
 * span__net_zcopy_put_abort - msg_zerocopy_put_abort(): nothing was
 * queued, so the call gives its id back (sk_zckey--, len--) and drops its
 * reference.  A failed send consumes no notification id.
 */
void span__net_zcopy_put_abort(struct span_world *w, uint32_t ubuf)
{
	struct span_ubuf_info *u = UBUF(w, ubuf);

	SOCK(w, u->sk)->zckey--;
	u->len--;
	span__trace(w, "msg_zerocopy_put_abort", SPAN_TR_NOTE, SPAN_OBJ_UBUF,
		    ubuf, u->len + 1, u->len, "id given back");
	span__ubuf_complete(w, ubuf, true);
}

/* skb_zcopy_set(skb, uarg, NULL): refcnt++ once per skb */
void span__skb_zcopy_set(struct span_world *w, uint32_t skb, uint32_t ubuf)
{
	struct span_skb_shared_info *sh = SHINFO(w, SKB(w, skb)->shinfo);

	if (sh->ubuf)
		return;
	span__net_zcopy_get(w, ubuf);
	sh = SHINFO(w, SKB(w, skb)->shinfo);
	sh->ubuf = ubuf;
	sh->flags |= UBUF(w, ubuf)->flags;
}

/* skb_zcopy_clear(skb, success): complete, clear SKBFL_ALL_ZEROCOPY */
void span__skb_zcopy_clear(struct span_world *w, uint32_t sh, bool success)
{
	struct span_skb_shared_info *s = SHINFO(w, sh);
	uint32_t ubuf = s->ubuf;

	if (!ubuf)
		return;
	s->ubuf = 0;
	s->flags &= ~SKBFL_ALL_ZEROCOPY;
	span__ubuf_complete(w, ubuf, success);
}

/* --- user memory -> skb by reference ------------------------------------ */

static int capture_add(struct span_world *w, uint32_t ubuf, uint32_t page)
{
	uint32_t id;

	for (uint32_t i = 1; i < w->net.captures.n; i++)
		if (CAPTURE(w, i)->live && CAPTURE(w, i)->ubuf == ubuf &&
		    CAPTURE(w, i)->page == page)
			return 0;
	id = span__tab_alloc(w, &w->net.captures);
	if (!id)
		return -ENOMEM;
	CAPTURE(w, id)->ubuf = ubuf;
	CAPTURE(w, id)->page = page;
	return 0;
}

/*
 * span__zerocopy_fill_skb_from_iter - zerocopy_fill_skb_from_iter():
 * capture up to @length bytes of user memory as frags of @skb, one GUP
 * reference (zerocopy_gup=ref: FOLL_GET) or pin (pin: FOLL_PIN) per
 * page; a page contiguous with the last frag is coalesced and its surplus
 * reference dropped.  Return: bytes added, or -EMSGSIZE (no frag free),
 * -EFAULT, -ENOBUFS (capture accounting).
 */
ssize_t span__zerocopy_fill_skb_from_iter(struct span_world *w, uint32_t skb,
					  struct span_net_iter *it,
					  size_t length, uint32_t ubuf)
{
	const char *func = "zerocopy_fill_skb_from_iter";
	bool pin = span__decide(w, &(struct span_decision){
			   .point = SPAN_KNOB_ZEROCOPY_GUP, .func = func,
			   .len = length,
			   .flags = SPAN_MSG_ZEROCOPY, .dst = SPAN_DST_SOCK,
			   .borrowed = true }) == SPAN_ZEROCOPY_GUP_PIN;
	ssize_t copied = 0;

	while (length && it->count) {
		uint64_t at = it->src->off + it->pos;
		uint32_t off = (uint32_t)(at & (w->page_size - 1));
		uint32_t part = w->page_size - off, page;
		int err, r;

		if (part > length)
			part = (uint32_t)length;
		if (part > it->count)
			part = (uint32_t)it->count;
		{
			struct span_skb_shared_info *sh =
				SHINFO(w, SKB(w, skb)->shinfo);
			struct span_skb_frag *last =
				sh->nr_frags ? &sh->frags[sh->nr_frags - 1] : NULL;
			int cur = span_region_page(w, (int)it->pid,
						   it->src->region, at);
			bool merge = last && cur > 0 &&
				     last->page == (uint32_t)cur &&
				     last->offset + last->len == off &&
				     last->ubuf == ubuf;

			if (!merge && sh->nr_frags >= span__max_skb_frags(w)) {
				err = -EMSGSIZE;
				goto fail;
			}
		}
		err = span__gup(w, it->pid, (uint32_t)it->src->region, at,
				pin ? SPAN_FOLL_PIN : SPAN_FOLL_GET, &page, func);
		if (err) {
			/* a fault that could not allocate stays -ENOMEM */
			if (err != -ENOMEM)
				err = -EFAULT;
			goto fail;
		}
		if (capture_add(w, ubuf, page)) {
			if (pin)
				span__unpin_page(w, page, func);
			else
				span__put_page(w, page, func);
			err = -ENOBUFS;
			goto fail;
		}
		r = span__skb_fill_frag(w, skb, page, off, part,
					pin ? FRAG_REF_PIN : FRAG_REF_PAGE, ubuf);
		if (r == 1) {
			/* coalesced: drop the surplus GUP reference */
			if (pin)
				span__unpin_page(w, page, func);
			else
				span__put_page(w, page, func);
		}
		span__iter_advance(it, part);
		length -= part;
		copied += part;
		continue;
fail:
		return copied ? copied : err;
	}
	return copied;
}

/* --- error queue -------------------------------------------------------- */

/* format notifications of @sk ("0-3", "4-4 copied", joined by ",") */
int span__zc_notes_text(const struct span_world *cw, uint32_t sk,
			bool queued_only, bool drain, char *out, size_t size)
{
	struct span_world *w = (struct span_world *)cw;
	uint64_t last = 0;
	size_t used = 0;
	int n = 0;

	if (out && size)
		out[0] = 0;
	for (;;) {
		uint32_t best = 0;
		uint64_t bs = UINT64_MAX;

		for (uint32_t i = 1; i < w->net.notes.n; i++) {
			struct span_zc_note *z = NOTE(w, i);

			if (!z->live || z->sk != sk || z->seq <= last ||
			    (queued_only && !z->queued))
				continue;
			if (z->seq < bs) {
				bs = z->seq;
				best = i;
			}
		}
		if (!best)
			break;
		last = bs;
		if (out && size > used) {
			struct span_zc_note *z = NOTE(w, best);
			int k = snprintf(out + used, size - used, "%s%u-%u%s",
					 n ? "," : "", z->lo, z->hi,
					 z->copied ? " copied" : "");

			if (k > 0)
				used += (size_t)k < size - used ?
						(size_t)k : size - used - 1;
		}
		if (drain)
			NOTE(w, best)->queued = 0;
		n++;
	}
	return n;
}
