// SPDX-License-Identifier: MIT
/*
 * test_skbuff.c - sk_buff and skb_shared_info (lib/skbuff.c): clone,
 * pskb_copy, skb_copy, skb_try_coalesce, skb_split, skb_orphan_frags(_rx)
 * and skb_copy_ubufs, skb_splice_bits of the linear part, skb_cow_data,
 * the frag limit, the skb_shared_frag knob at each helper, and OOM sweeps
 * of the send paths.
 */
#include "net_test.h"

/* an skb with @headlen linear bytes and @nfrags kernel-page frags of 100 */
static uint32_t mkskb(struct span_world *w, uint32_t headlen, bool head_frag,
		      int nfrags, uint32_t *pages)
{
	uint32_t skb = span__alloc_skb(w, headlen ? w->page_size : 0, head_frag,
				       "test");
	char fill[100];

	assert_int_not_equal(skb, 0);
	if (headlen) {
		memset(fill, 'h', sizeof(fill));
		span__page_write(w, nt_sh(w, skb)->head_page, 0, fill, headlen,
				 NULL, PROV_INIT, "test", false);
		SKB(w, skb)->len = headlen;
	}
	for (int i = 0; i < nfrags; i++) {
		uint32_t page = span__alloc_page(w, SPAN_PAGE_KERNEL, "test");

		memset(fill, 'a' + i, sizeof(fill));
		span__page_write(w, page, 0, fill, 100, NULL, PROV_INIT, "test",
				 false);
		assert_int_equal(span__skb_fill_frag(w, skb, page, 0, 100,
						     FRAG_REF_PAGE, 0), 0);
		if (pages)
			pages[i] = page;
	}
	return skb;
}

static void test_skbuff_alloc_and_free(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t pages[2], skb, head;

	(void)state;
	nt_begin(w, 0);
	skb = mkskb(w, 50, false, 2, pages);
	head = nt_sh(w, skb)->head_page;
	assert_int_equal(SKB(w, skb)->users, 1);
	assert_int_equal(nt_sh(w, skb)->dataref, 1);
	assert_int_equal(SKB(w, skb)->len, 250);
	assert_int_equal(SKB(w, skb)->data_len, 200);
	assert_int_equal(PAGE(w, head)->kind, SPAN_PAGE_SLAB);
	nt_end(w);
	nt_assert_clean(w);
	nt_begin(w, 0);
	span__kfree_skb(w, skb, "test");
	nt_end(w);
	assert_false(span__page_live(w, pages[0]));
	assert_false(span__page_live(w, head));
	/* a second free is an underflow */
	nt_begin(w, 0);
	span__kfree_skb(w, skb, "test");
	nt_end(w);
	assert_true(nt_has(w, SPAN_INV_REFCOUNT_UNDERFLOW));
	nt_finish_dirty(w);
}

static void test_skbuff_clone_shares_shinfo(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t pages[1], skb, clone;

	(void)state;
	nt_begin(w, 0);
	skb = mkskb(w, 0, false, 1, pages);
	clone = span__skb_clone(w, skb);
	assert_int_equal(SKB(w, clone)->shinfo, SKB(w, skb)->shinfo);
	assert_int_equal(nt_sh(w, skb)->dataref, 2);
	assert_true(span__skb_cloned(w, skb));
	assert_true(span__skb_cloned(w, clone));
	assert_int_equal(nt_rc(w, (int)pages[0]), 1);
	span__kfree_skb(w, skb, "test");
	assert_false(span__skb_cloned(w, clone));
	assert_int_equal(nt_rc(w, (int)pages[0]), 1);
	span__kfree_skb(w, clone, "test");
	assert_false(span__page_live(w, pages[0]));
	nt_end(w);
	nt_finish(w);
}

static void pskb_copy_flag(const char *val, bool keeps)
{
	struct span_world *w = nt_world(NULL);
	uint32_t pages[2], skb, copy;

	nt_policy(w, "skb_shared_frag", val);
	nt_begin(w, 0);
	skb = mkskb(w, 10, false, 2, pages);
	nt_sh(w, skb)->flags |= SKBFL_SHARED_FRAG;
	copy = span__pskb_copy(w, skb);
	assert_int_not_equal(copy, 0);
	/* private head, same frags with one more ref each */
	assert_int_not_equal(nt_sh(w, copy)->head_page, nt_sh(w, skb)->head_page);
	assert_int_equal(nt_sh(w, copy)->frags[1].page, pages[1]);
	assert_int_equal(nt_rc(w, (int)pages[0]), 2);
	assert_int_equal(!!(nt_sh(w, copy)->flags & SKBFL_SHARED_FRAG), keeps);
	span__kfree_skb(w, skb, "test");
	assert_int_equal(nt_rc(w, (int)pages[0]), 1);
	span__kfree_skb(w, copy, "test");
	nt_end(w);
	nt_finish(w);
}

static void test_skbuff_pskb_copy(void **state)
{
	(void)state;
	pskb_copy_flag("keep", true);
	pskb_copy_flag("drop_on_copy", false);
	pskb_copy_flag("drop_on_coalesce", true);
}

static void test_skbuff_skb_copy_is_private(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t pages[2], skb, copy;
	char a[210], b[210];

	(void)state;
	nt_begin(w, 0);
	skb = mkskb(w, 10, false, 2, pages);
	nt_sh(w, skb)->flags |= SKBFL_SHARED_FRAG;
	copy = span__skb_copy(w, skb);
	assert_int_not_equal(nt_sh(w, copy)->frags[0].page, pages[0]);
	assert_int_equal(nt_rc(w, (int)pages[0]), 1);
	assert_false(nt_sh(w, copy)->flags & SKBFL_SHARED_FRAG);
	span__skb_read(w, skb, 0, a, NULL, 210, "test");
	span__skb_read(w, copy, 0, b, NULL, 210, "test");
	assert_memory_equal(a, b, 210);
	span__kfree_skb(w, skb, "test");
	span__kfree_skb(w, copy, "test");
	nt_end(w);
	nt_finish(w);
}

static void test_skbuff_try_coalesce(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t p1[1], p2[2], to, from, clone;
	bool stolen;

	(void)state;
	nt_begin(w, 0);
	/* a cloned @to is refused */
	to = mkskb(w, 0, false, 1, p1);
	from = mkskb(w, 0, false, 2, p2);
	clone = span__skb_clone(w, to);
	assert_false(span__skb_try_coalesce(w, to, from, &stolen));
	span__kfree_skb(w, clone, "test");
	/* @from not cloned: frags move, no ref change */
	assert_true(span__skb_try_coalesce(w, to, from, &stolen));
	assert_false(stolen);
	assert_int_equal(nt_sh(w, to)->nr_frags, 3);
	assert_int_equal(nt_sh(w, from)->nr_frags, 0);
	assert_int_equal(SKB(w, to)->len, 300);
	assert_int_equal(nt_rc(w, (int)p2[0]), 1);
	span__kfree_skb(w, from, "kfree_skb_partial");
	assert_int_equal(nt_rc(w, (int)p2[0]), 1);
	/* @from cloned: each frag gets a ref */
	from = mkskb(w, 0, false, 1, p2);
	clone = span__skb_clone(w, from);
	assert_true(span__skb_try_coalesce(w, to, from, &stolen));
	assert_int_equal(nt_rc(w, (int)p2[0]), 2);
	span__kfree_skb(w, from, "test");
	span__kfree_skb(w, clone, "test");
	assert_int_equal(nt_rc(w, (int)p2[0]), 1);
	span__kfree_skb(w, to, "test");
	/* it fits the tailroom: copied into the linear part */
	to = mkskb(w, 10, false, 0, NULL);
	from = mkskb(w, 0, false, 1, p2);
	assert_true(span__skb_try_coalesce(w, to, from, &stolen));
	assert_int_equal(nt_sh(w, to)->nr_frags, 0);
	assert_int_equal(span__skb_headlen(w, to), 110);
	span__kfree_skb(w, from, "test");
	assert_false(span__page_live(w, p2[0]));
	span__kfree_skb(w, to, "test");
	/* a head_frag head of @from is stolen as a frag */
	to = mkskb(w, 0, false, 1, p1);
	from = mkskb(w, 20, true, 0, NULL);
	assert_true(span__skb_try_coalesce(w, to, from, &stolen));
	assert_true(stolen);
	assert_int_equal(nt_sh(w, to)->nr_frags, 2);
	span__kfree_skb(w, from, "test");
	span__kfree_skb(w, to, "test");
	nt_end(w);
	nt_finish(w);
}

static void coalesce_flag(const char *val, bool keeps)
{
	struct span_world *w = nt_world(NULL);
	uint32_t to, from;
	bool stolen;

	nt_policy(w, "skb_shared_frag", val);
	nt_begin(w, 0);
	to = mkskb(w, 0, false, 1, NULL);
	from = mkskb(w, 0, false, 1, NULL);
	nt_sh(w, from)->flags |= SKBFL_SHARED_FRAG;
	assert_true(span__skb_try_coalesce(w, to, from, &stolen));
	assert_int_equal(!!(nt_sh(w, to)->flags & SKBFL_SHARED_FRAG), keeps);
	span__kfree_skb(w, from, "test");
	span__kfree_skb(w, to, "test");
	nt_end(w);
	nt_finish(w);
}

static void test_skbuff_try_coalesce_shared_frag(void **state)
{
	(void)state;
	coalesce_flag("keep", true);
	coalesce_flag("drop_on_coalesce", false);
	coalesce_flag("drop_on_copy", true);
}

static void test_skbuff_split_shares_straddling_frag(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t pages[2], skb, skb1;

	(void)state;
	nt_begin(w, 0);
	skb = mkskb(w, 0, false, 2, pages);
	nt_sh(w, skb)->flags |= SKBFL_SHARED_FRAG;
	skb1 = span__alloc_skb(w, 0, false, "test");
	assert_int_equal(span__skb_split(w, skb, skb1, 150), 0);
	assert_int_equal(SKB(w, skb)->len, 150);
	assert_int_equal(SKB(w, skb1)->len, 50);
	assert_int_equal(nt_sh(w, skb1)->frags[0].page, pages[1]);
	assert_int_equal(nt_sh(w, skb1)->frags[0].offset, 50);
	assert_int_equal(nt_rc(w, (int)pages[1]), 2);
	assert_int_equal(nt_rc(w, (int)pages[0]), 1);
	assert_true(nt_sh(w, skb1)->flags & SKBFL_SHARED_FRAG);
	span__kfree_skb(w, skb, "test");
	span__kfree_skb(w, skb1, "test");
	nt_end(w);
	nt_finish(w);
}

/* skb_orphan_frags() honours DONT_ORPHAN; skb_orphan_frags_rx() does not */
static void test_skbuff_orphan_frags(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t skb, ubuf, page;
	int c, s, region;
	char text[32];
	struct span_net_iter it;
	struct span_src src;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_mmap_anon(w, P, 4096, 0, "u", 1, &region);
	page = (uint32_t)span_region_page(w, P, region, 0);
	ubuf = span__msg_zerocopy_realloc(w, (uint32_t)c, 100, 0);
	skb = span__alloc_skb(w, 0, false, "test");
	src = (struct span_src){ .region = region };
	span__iter_init_src(&it, P, &src, 100);
	assert_int_equal(span__zerocopy_fill_skb_from_iter(w, skb, &it, 100,
							   ubuf), 100);
	span__skb_zcopy_set(w, skb, ubuf);
	assert_int_equal(UBUF(w, ubuf)->refcnt, 2);
	assert_int_equal(nt_rc(w, (int)page), 2);
	assert_int_equal(span__skb_orphan_frags(w, skb), 0);
	assert_int_equal(nt_sh(w, skb)->frags[0].page, page);
	assert_int_equal(span__skb_orphan_frags_rx(w, skb), 0);
	assert_int_not_equal(nt_sh(w, skb)->frags[0].page, page);
	assert_int_equal(nt_rc(w, (int)page), 1);
	assert_int_equal(nt_sh(w, skb)->ubuf, 0);
	assert_false(nt_sh(w, skb)->flags & SKBFL_ZEROCOPY_ENABLE);
	assert_int_equal(UBUF(w, ubuf)->refcnt, 1);
	span__net_zcopy_put(w, ubuf);
	span_sock_completions(w, SOCKFD(c), text, sizeof(text));
	assert_string_equal(text, "0-0 copied");
	span__kfree_skb(w, skb, "test");
	nt_end(w);
	nt_finish(w);
}

/* skb_splice_bits(): a locked head is copied into the socket's page frag */
static void test_skbuff_splice_bits_linear(void **state)
{
	(void)state;
	for (int locked = 0; locked < 2; locked++) {
		struct span_world *w = nt_world(NULL);
		uint32_t skb, clone = 0, head;
		struct span_pipe_buf_info bi;
		int c, s, q;

		nt_begin(w, 0);
		span_tcp_connect(w, &c, &s);
		span_pipe_create(w, 0, &q);
		skb = mkskb(w, 30, true, 0, NULL);
		head = nt_sh(w, skb)->head_page;
		if (locked)
			clone = span__skb_clone(w, skb);
		assert_int_equal(span__skb_splice_bits(w, (uint32_t)s, skb, 0,
						       PIPE(w, q), 30), 30);
		span_pipe_buf(w, q, 0, &bi);
		if (locked) {
			assert_int_equal(bi.page, SOCK(w, (uint32_t)s)->pfrag_page);
			assert_int_equal(nt_rc(w, (int)head), 1);
			span__kfree_skb(w, clone, "test");
		} else {
			assert_int_equal(bi.page, head);
			assert_int_equal(nt_rc(w, (int)head), 2);
		}
		span__kfree_skb(w, skb, "test");
		nt_end(w);
		nt_finish(w);
	}
}

static void cow(const char *val, bool cloned, bool shared, bool copies)
{
	struct span_world *w = nt_world(NULL);
	uint32_t pages[1], skb, clone = 0;

	nt_policy(w, "skb_shared_frag", val);
	nt_begin(w, 0);
	skb = mkskb(w, 0, false, 1, pages);
	if (shared)
		nt_sh(w, skb)->flags |= SKBFL_SHARED_FRAG;
	if (cloned)
		clone = span__skb_clone(w, skb);
	assert_int_equal(span__skb_cow_data(w, skb), 0);
	assert_false(span__skb_cloned(w, skb));
	assert_int_equal(nt_sh(w, skb)->frags[0].page != pages[0], copies);
	span__kfree_skb(w, skb, "test");
	if (clone)
		span__kfree_skb(w, clone, "test");
	nt_end(w);
	nt_finish(w);
}

static void test_skbuff_cow_data(void **state)
{
	(void)state;
	cow("keep", false, false, false);
	cow("keep", false, true, true);
	cow("ignore", false, true, false);
	/*
	 * a cloned skb gets private copies of every frag, whatever its
	 * flags (skb_cow_data() pulls them all into a private head)
	 */
	cow("keep", true, false, true);
	cow("ignore", true, true, true);
}

/*
 * skb_fill_frag() coalesces with the last frag only when it is the same
 * page, contiguous and of the same kind (skb_can_coalesce()): the next
 * bytes of the last frag's page grow it (1: no new reference wanted); the
 * same offset in another page is a new frag (0: the caller's ref moves in).
 */
static void test_skbuff_fill_frag_coalesce(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t pages[1], skb, other;

	(void)state;
	nt_begin(w, 0);
	skb = mkskb(w, 0, false, 1, pages);
	assert_int_equal(span__skb_fill_frag(w, skb, pages[0], 100, 50,
					     FRAG_REF_PAGE, 0), 1);
	assert_int_equal(nt_sh(w, skb)->nr_frags, 1);
	assert_int_equal(nt_sh(w, skb)->frags[0].len, 150);
	other = span__alloc_page(w, SPAN_PAGE_KERNEL, "test");
	assert_int_equal(span__skb_fill_frag(w, skb, other, 150, 10,
					     FRAG_REF_PAGE, 0), 0);
	assert_int_equal(nt_sh(w, skb)->nr_frags, 2);
	assert_int_equal(nt_sh(w, skb)->frags[1].page, other);
	assert_int_equal(nt_sh(w, skb)->frags[1].offset, 150);
	assert_int_equal(SKB(w, skb)->len, 160);
	span__kfree_skb(w, skb, "test");
	nt_end(w);
	nt_finish(w);
}

static void test_skbuff_frag_limit(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint32_t skb, page;

	(void)state;
	assert_int_equal(span_world_set_param(w, SPAN_PARAM_MAX_SKB_FRAGS, 2), 0);
	assert_int_equal(span_world_set_param(w, SPAN_PARAM_MAX_SKB_FRAGS,
					      SPAN_MAX_SKB_FRAGS_LIMIT + 1),
			 -EINVAL);
	nt_begin(w, 0);
	skb = mkskb(w, 0, false, 2, NULL);
	page = span__alloc_page(w, SPAN_PAGE_KERNEL, "test");
	assert_int_equal(span__skb_fill_frag(w, skb, page, 0, 10, FRAG_REF_PAGE,
					     0), -EMSGSIZE);
	/* contiguous with the last frag would coalesce, but it is not */
	span__put_page(w, page, "test");
	span__kfree_skb(w, skb, "test");
	nt_end(w);
	nt_finish(w);
}

/*
 * OOM sweep: fail the Nth allocation of a TCP send + transmit + receive
 * for N = 1, 2, ... until it passes; every run must end -ENOMEM (or
 * succeed) and leak nothing.
 */
static void oom_sweep(unsigned int flags)
{
	for (uint64_t nth = 1; nth < 200; nth++) {
		struct span_world *w = nt_world(NULL);
		struct span_src src = { 0 };
		size_t done = 0;
		ssize_t r;
		int c, s, region;
		char out[6000];

		nt_begin(w, 0);
		span_tcp_connect(w, &c, &s);
		span_setsockopt_zerocopy(w, SOCKFD(c), 1);
		span_mmap_anon(w, P, 8192, 0, "m", 1, &region);
		nt_end(w);
		src.region = region;
		span_fault_set(w, SPAN_FAULT_ALLOC, nth, 0);
		nt_begin(w, 1);
		r = span_sendmsg(w, P, SOCKFD(c), &src, 6000, flags, &done);
		nt_end(w);
		/* partial progress wins: a later failure returns what was queued */
		assert_true(r > 0 || r == -ENOMEM || r == -ENOBUFS);
		nt_events(w);
		if (r > 0)
			nt_recv(w, s, out, sizeof(out), SPAN_O_NONBLOCK);
		span_fault_set(w, SPAN_FAULT_ALLOC, 0, 0);
		if (span_fault_hits(w, SPAN_FAULT_ALLOC) == 0 && r == 6000) {
			nt_finish(w);
			return;
		}
		span_world_teardown(w);
		nt_assert_clean(w);
		span_world_destroy(w);
	}
	fail_msg("OOM sweep did not converge");
}

static void test_skbuff_oom_sweep_send(void **state)
{
	(void)state;
	oom_sweep(0);
	oom_sweep(SPAN_MSG_ZEROCOPY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skbuff_alloc_and_free),
		cmocka_unit_test(test_skbuff_clone_shares_shinfo),
		cmocka_unit_test(test_skbuff_pskb_copy),
		cmocka_unit_test(test_skbuff_skb_copy_is_private),
		cmocka_unit_test(test_skbuff_try_coalesce),
		cmocka_unit_test(test_skbuff_try_coalesce_shared_frag),
		cmocka_unit_test(test_skbuff_split_shares_straddling_frag),
		cmocka_unit_test(test_skbuff_orphan_frags),
		cmocka_unit_test(test_skbuff_splice_bits_linear),
		cmocka_unit_test(test_skbuff_cow_data),
		cmocka_unit_test(test_skbuff_fill_frag_coalesce),
		cmocka_unit_test(test_skbuff_frag_limit),
		cmocka_unit_test(test_skbuff_oom_sweep_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
