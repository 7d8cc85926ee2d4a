// SPDX-License-Identifier: MIT
/*
 * test_zerocopy.c - ubuf_info and MSG_ZEROCOPY (lib/zerocopy.c): ledger D
 * of kernel-semantics.md section 12 step by step, zerocopy-loopback.scn,
 * range coalescing and the COPIED code, ids of failed sends, the
 * zerocopy_gup and loopback knobs, and the premature-completion invariant.
 */
#include "net_test.h"

struct zc {
	struct span_world *w;
	int c, s, buf;
};

static void zc_setup(struct zc *z, size_t size, bool sockopt)
{
	z->w = nt_world(NULL);
	nt_begin(z->w, 0);
	assert_int_equal(span_tcp_connect(z->w, &z->c, &z->s), 0);
	if (sockopt)
		assert_int_equal(span_setsockopt_zerocopy(z->w, SOCKFD(z->c), 1),
				 0);
	assert_int_equal(span_mmap_anon(z->w, P, size, 0, "z", 1, &z->buf), 0);
	nt_end(z->w);
}

static ssize_t zc_send(struct zc *z, uint64_t off, size_t len,
		       unsigned int flags)
{
	struct span_src src = { .region = z->buf, .off = off };

	return nt_send(z->w, 1, z->c, &src, len, SPAN_MSG_ZEROCOPY | flags);
}

static void completions(struct zc *z, char *out, size_t size)
{
	assert_int_equal(span_sock_completions(z->w, SOCKFD(z->c), out, size), 0);
}

/* record the largest refcount page @watch reaches, from the trace */
struct watch {
	uint32_t page;
	int64_t max;
};

static void watch_trace(void *ud, const struct span_trace_event *ev)
{
	struct watch *wt = ud;

	if (ev->obj_type == SPAN_OBJ_PAGE && ev->obj == wt->page &&
	    ev->what == SPAN_TR_GET && ev->new > wt->max)
		wt->max = ev->new;
}

/* Ledger D: MSG_ZEROCOPY over lo, each count after each call and event */
static void test_zerocopy_ledger_d(void **state)
{
	struct watch wt = { 0 };
	struct span_world_ops ops = { .trace = watch_trace };
	struct span_world *w;
	uint32_t skb, rskb, ubuf;
	int c, s, buf, U;
	struct span_src src;
	size_t done = 0;
	char text[64];

	(void)state;
	assert_int_equal(span_world_create(&w, &ops, &wt), 0);
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_setsockopt_zerocopy(w, SOCKFD(c), 1);
	span_mmap_anon(w, P, 4096, 0, "z", 1, &buf);
	nt_end(w);
	U = span_region_page(w, P, buf, 0);
	assert_int_equal(nt_rc(w, U), 1);
	/* 1. send: uarg 1, FOLL_GET U (2), skb_zcopy_set (2), put (1) */
	src = (struct span_src){ .region = buf };
	nt_begin(w, 1);
	assert_int_equal(span_sendmsg(w, P, SOCKFD(c), &src, 4096,
				      SPAN_MSG_ZEROCOPY, &done), 4096);
	nt_end(w);
	assert_int_equal(nt_rc(w, U), 2);
	skb = SOCK(w, (uint32_t)c)->write_queue.head;
	ubuf = nt_sh(w, skb)->ubuf;
	assert_int_not_equal(ubuf, 0);
	assert_int_equal(UBUF(w, ubuf)->refcnt, 1);
	assert_int_equal(nt_sh(w, skb)->flags & SKBFL_ZEROCOPY_FRAG,
			 SKBFL_ZEROCOPY_FRAG);
	assert_true(nt_sh(w, skb)->flags & SKBFL_DONT_ORPHAN);
	/* 2. transmit a clone: shares the shinfo */
	assert_true(nt_event(w, SPAN_EV_XMIT));
	assert_int_equal(nt_sh(w, skb)->dataref, 2);
	assert_int_equal(UBUF(w, ubuf)->refcnt, 1);
	/* rx skb_copy_ubufs: unclone (U 3, refcnt 2), copy, unref U (2),
	 * complete(false) (refcnt 1, zerocopy 0) */
	wt.page = (uint32_t)U;
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	assert_int_equal(wt.max, 3);
	assert_int_equal(nt_rc(w, U), 2);
	assert_int_equal(UBUF(w, ubuf)->refcnt, 1);
	assert_int_equal(UBUF(w, ubuf)->zerocopy, 0);
	rskb = SOCK(w, (uint32_t)s)->receive_queue.head;
	assert_int_not_equal(nt_sh(w, rskb)->frags[0].page, U);
	assert_int_equal(nt_sh(w, rskb)->ubuf, 0);
	assert_int_equal(nt_sh(w, skb)->dataref, 1);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, text, 64),
			 -EAGAIN);
	/* 3. ACK frees the original: refcnt 0 -> "0-0 copied", U back to 1 */
	assert_true(nt_event(w, SPAN_EV_ACK));
	assert_false(span__tab_live(&w->net.ubufs, ubuf));
	assert_int_equal(nt_rc(w, U), 1);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, text, 64), 1);
	assert_string_equal(text, "0-0 copied");
	assert_int_equal(span_recv_errqueue(w, SOCKFD(c), false, text, 64),
			 -EAGAIN);
	nt_finish(w);
}

/* zerocopy-loopback.scn in both orders of the sender and the xmit */
static void test_zerocopy_loopback_scenario(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct zc z;
		char text[64];

		zc_setup(&z, 8192, true);
		assert_int_equal(zc_send(&z, 0, 4096, 0), 4096);
		if (order)
			nt_events(z.w);
		assert_int_equal(zc_send(&z, 4096, 4096, 0), 4096);
		nt_events(z.w);
		completions(&z, text, sizeof(text));
		/* one range: extended in place (order 0) or merged on the queue */
		assert_string_equal(text, "0-1 copied");
		assert_int_equal(span_pinned_bytes(z.w), 0);
		nt_finish(z.w);
	}
}

/* msg_zerocopy_realloc(): three sends before the xmit are one uarg */
static void test_zerocopy_range_coalescing(void **state)
{
	struct zc z;
	char text[64];
	uint32_t skb;

	(void)state;
	zc_setup(&z, 3 * 4096, true);
	for (int i = 0; i < 3; i++)
		assert_int_equal(zc_send(&z, (uint64_t)i * 4096, 4096, 0), 4096);
	skb = SOCK(z.w, (uint32_t)z.c)->write_queue.head;
	assert_int_equal(UBUF(z.w, nt_sh(z.w, skb)->ubuf)->len, 3);
	assert_int_equal(SOCK(z.w, (uint32_t)z.c)->zckey, 3);
	nt_events(z.w);
	completions(&z, text, sizeof(text));
	assert_string_equal(text, "0-2 copied");
	nt_finish(z.w);
}

/* drained notifications do not merge: two records */
static void test_zerocopy_drained_records_stay_apart(void **state)
{
	struct zc z;
	char text[64];

	(void)state;
	zc_setup(&z, 8192, true);
	zc_send(&z, 0, 4096, 0);
	nt_events(z.w);
	nt_begin(z.w, 1);
	assert_int_equal(span_recv_errqueue(z.w, SOCKFD(z.c), false, text, 64), 1);
	nt_end(z.w);
	assert_string_equal(text, "0-0 copied");
	zc_send(&z, 4096, 4096, 0);
	nt_events(z.w);
	completions(&z, text, sizeof(text));
	assert_string_equal(text, "0-0 copied,1-1 copied");
	nt_begin(z.w, 1);
	assert_int_equal(span_recv_errqueue(z.w, SOCKFD(z.c), false, text, 64), 1);
	assert_string_equal(text, "1-1 copied");
	assert_int_equal(span_recv_errqueue(z.w, SOCKFD(z.c), true, text, 64),
			 -SPAN_EWOULDSLEEP);
	nt_end(z.w);
	nt_finish(z.w);
}

/* a send that queues nothing gives its id back */
static void test_zerocopy_failed_send_keeps_id(void **state)
{
	struct zc z;
	char text[64];

	(void)state;
	zc_setup(&z, 3 * 4096, true);
	span_world_set_param(z.w, SPAN_PARAM_SNDBUF, 4096);
	assert_int_equal(zc_send(&z, 0, 4096, 0), 4096);
	/* sndbuf full: nothing queued, -EAGAIN */
	assert_int_equal(zc_send(&z, 4096, 4096, SPAN_O_NONBLOCK), -EAGAIN);
	assert_int_equal(SOCK(z.w, (uint32_t)z.c)->zckey, 1);
	nt_events(z.w);
	assert_int_equal(zc_send(&z, 8192, 4096, 0), 4096);
	nt_events(z.w);
	completions(&z, text, sizeof(text));
	assert_string_equal(text, "0-1 copied");
	nt_finish(z.w);
}

/* without SO_ZEROCOPY the flag is ignored: copied, no notification */
static void test_zerocopy_needs_sockopt(void **state)
{
	struct zc z;
	char text[64];
	uint32_t skb;

	(void)state;
	zc_setup(&z, 4096, false);
	assert_int_equal(zc_send(&z, 0, 4096, 0), 4096);
	skb = SOCK(z.w, (uint32_t)z.c)->write_queue.head;
	assert_int_equal(nt_sh(z.w, skb)->ubuf, 0);
	assert_int_equal(nt_rc(z.w, span_region_page(z.w, P, z.buf, 0)), 1);
	nt_events(z.w);
	nt_begin(z.w, 1);
	assert_int_equal(span_recv_errqueue(z.w, SOCKFD(z.c), false, text, 64),
			 -EAGAIN);
	assert_int_equal(span_setsockopt_zerocopy(z.w, SOCKFD(z.c), 2), -EINVAL);
	nt_end(z.w);
	completions(&z, text, sizeof(text));
	assert_string_equal(text, "");
	nt_finish(z.w);
}

/* literal bytes are copied and the notification says so at once */
static void test_zerocopy_literal_is_copied(void **state)
{
	struct zc z;
	char text[64];

	(void)state;
	zc_setup(&z, 4096, true);
	assert_int_equal(nt_send_str(z.w, z.c, "abc", SPAN_MSG_ZEROCOPY), 3);
	completions(&z, text, sizeof(text));
	assert_string_equal(text, "0-0 copied");
	nt_finish(z.w);
}

/* zerocopy_gup: FOLL_GET refs or FOLL_PIN pins while in flight */
static void test_zerocopy_gup_knob(void **state)
{
	(void)state;
	for (int pin = 0; pin < 2; pin++) {
		struct zc z;
		struct span_page_info pi;
		int U;

		zc_setup(&z, 4096, true);
		nt_policy(z.w, "zerocopy_gup", pin ? "pin" : "ref");
		U = span_region_page(z.w, P, z.buf, 0);
		assert_int_equal(zc_send(&z, 0, 4096, 0), 4096);
		span_page_info(z.w, U, &pi);
		assert_int_equal(span_pinned_bytes(z.w), pin ? 4096 : 0);
		assert_int_equal(pi.refcount, pin ? 1 + 1024 : 2);
		assert_int_equal(pi.maybe_pinned, pin);
		nt_events(z.w);
		assert_int_equal(span_pinned_bytes(z.w), 0);
		assert_int_equal(nt_rc(z.w, U), 1);
		nt_finish(z.w);
	}
}

/*
 * loopback=share: the receiver keeps the user pages, so the completion
 * waits for the reader and says "not copied"; a splice of that data into
 * a pipe (page refs) followed by the reader dropping the skb delivers the
 * completion while the pipe still holds the user page.
 */
static void test_zerocopy_loopback_share_defers_completion(void **state)
{
	struct zc z;
	char text[64], out[4096];

	(void)state;
	zc_setup(&z, 4096, true);
	nt_policy(z.w, "loopback", "share");
	zc_send(&z, 0, 4096, 0);
	nt_events(z.w);
	completions(&z, text, sizeof(text));
	assert_string_equal(text, "");
	assert_int_equal(nt_recv(z.w, z.s, out, 4096, 0), 4096);
	completions(&z, text, sizeof(text));
	assert_string_equal(text, "0-0");
	nt_finish(z.w);
}

static void premature(const char *loopback, bool expect)
{
	struct zc z;
	int q;
	char out[4096];

	zc_setup(&z, 4096, true);
	nt_policy(z.w, "loopback", loopback);
	nt_begin(z.w, 0);
	span_pipe_create(z.w, 0, &q);
	nt_end(z.w);
	zc_send(&z, 0, 4096, 0);
	nt_events(z.w);
	nt_begin(z.w, 2);
	assert_int_equal(span_splice(z.w, P, SOCKFD(z.s), NULL, PIPEW(q), NULL,
				     4096, 0), 4096);
	nt_end(z.w);
	assert_int_equal(nt_has(z.w, SPAN_INV_PREMATURE_COMPLETION), expect);
	nt_begin(z.w, 2);
	assert_int_equal(span_read(z.w, P, PIPER(q), out, 4096, 0), 4096);
	nt_end(z.w);
	assert_int_equal(out[4095], 'z');
	if (expect)
		nt_finish_dirty(z.w);
	else
		nt_finish(z.w);
}

static void test_zerocopy_premature_completion(void **state)
{
	(void)state;
	premature("copy_zerocopy", false);
	premature("share", true);
}

/* leak: a ubuf reference nobody drops: the completion is never delivered */
static void test_zerocopy_leak_of_completion(void **state)
{
	struct zc z;
	uint32_t skb;

	(void)state;
	zc_setup(&z, 4096, true);
	zc_send(&z, 0, 4096, 0);
	skb = SOCK(z.w, (uint32_t)z.c)->write_queue.head;
	span__net_zcopy_get(z.w, nt_sh(z.w, skb)->ubuf);
	span_world_teardown(z.w);
	assert_true(nt_has(z.w, SPAN_INV_LEAK));
	span_world_destroy(z.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zerocopy_ledger_d),
		cmocka_unit_test(test_zerocopy_loopback_scenario),
		cmocka_unit_test(test_zerocopy_range_coalescing),
		cmocka_unit_test(test_zerocopy_drained_records_stay_apart),
		cmocka_unit_test(test_zerocopy_failed_send_keeps_id),
		cmocka_unit_test(test_zerocopy_needs_sockopt),
		cmocka_unit_test(test_zerocopy_literal_is_copied),
		cmocka_unit_test(test_zerocopy_gup_knob),
		cmocka_unit_test(test_zerocopy_loopback_share_defers_completion),
		cmocka_unit_test(test_zerocopy_premature_completion),
		cmocka_unit_test(test_zerocopy_leak_of_completion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
