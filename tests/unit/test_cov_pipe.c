// SPDX-License-Identifier: MIT
/*
 * test_cov_pipe.c - pipe buffer operations of every kind through tee and
 * partial splice (lib/pipe.c, lib/splice.c, lib/owner.c): the get of a
 * pinned, a span-descriptor and an owner buffer; the last put of a span
 * descriptor of each kind (page ref, pin, owner ref); try_steal; confirm
 * of a page-cache page that is not uptodate; pipe creation limits.
 *
 * Expected values: kernel-semantics.md sections 3.3-3.4, 4.2, 4.4, 5.4,
 * 5.5, 5.6, and POLICIES.md (pipe_split, vmsplice, sock_splice).
 */
#include "span_unit.h"

#include "internal.h"

#define PID SPAN_INIT_PID

/* one page of user memory of process PID, filled with @fill */
static int user_region(struct span_world *w, const char *fill, int *page)
{
	int r = do_mmap(w, PID, PG, 0, fill);

	assert_ret(do_store(w, PID, r, 0, fill, strlen(fill)), 0);
	*page = span_region_page(w, PID, r, 0);
	assert_true(*page > 0);
	return r;
}

/*
 * vmsplice=pin, pipe_split=ref: tee takes one more pin of the buffer's
 * kind (folio_add_pin(), user_pin_pipe_buf_get); each buffer releases its
 * own pin.
 */
static void test_tee_of_pinned_buffer_adds_a_pin(void **state)
{
	struct span_world *w = world_new();
	int a, b, r, page;

	(void)state;
	set_knob(w, SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_PIN);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	r = user_region(w, "pinned", &page);
	assert_ret(do_vmsplice(w, PID, PW(a), r, 0, 100, 0), 100);
	assert_int_equal(pipe_buf(w, a, 0).ops, SPAN_PBO_USER_PIN);
	assert_int_equal(PAGE(w, page)->pins, 1);
	assert_ret(do_tee(w, PID, PR(a), PW(b), 100, 0), 100);
	assert_int_equal(pipe_buf(w, b, 0).ops, SPAN_PBO_USER_PIN);
	assert_int_equal(PAGE(w, page)->pins, 2);
	/* mapping + two pins of GUP_PIN_COUNTING_BIAS */
	assert_int_equal(page_ref(w, page), 1 + 2 * 1024);
	read_expect_fill(w, PID, PR(a), 'p', 1);
	{
		char out[99];

		assert_ret(do_read(w, PID, PR(a), out, 99, SPAN_O_NONBLOCK),
			   99);
	}
	assert_int_equal(PAGE(w, page)->pins, 1);
	{
		char out[100];

		assert_ret(do_read(w, PID, PR(b), out, 100, SPAN_O_NONBLOCK),
			   100);
		assert_memory_equal(out, "pinned", 6);
	}
	assert_int_equal(PAGE(w, page)->pins, 0);
	assert_int_equal(page_ref(w, page), 1);
	assert_int_equal(span_pinned_bytes(w), 0);
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 0);
	span_world_destroy(w);
}

/*
 * vmsplice=pin, pipe_split=desc: tee converts the pinned buffer into a
 * span descriptor that takes over its pin; both buffers hold the desc, and
 * the pin is released once, by the last holder (span_desc_release).
 */
static void test_desc_of_pin_released_by_last_holder(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_buf_info ba, bb;
	int a, b, r, page;
	char out[100];

	(void)state;
	set_knob(w, SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_PIN);
	set_knob(w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_DESC);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	r = user_region(w, "descpin", &page);
	assert_ret(do_vmsplice(w, PID, PW(a), r, 0, 100, 0), 100);
	assert_ret(do_tee(w, PID, PR(a), PW(b), 60, 0), 60);
	ba = pipe_buf(w, a, 0);
	bb = pipe_buf(w, b, 0);
	assert_int_equal(ba.ops, SPAN_PBO_DESC);
	assert_int_equal(bb.ops, SPAN_PBO_DESC);
	assert_int_equal(ba.priv, bb.priv);
	assert_int_equal(bb.len, 60);
	assert_int_equal(DESC(w, ba.priv)->kind, DESC_PAGE_PIN);
	assert_int_equal(DESC(w, ba.priv)->refcount, 2);
	/* still one pin: the desc holds it for both */
	assert_int_equal(PAGE(w, page)->pins, 1);
	assert_int_equal(span_pinned_bytes(w), PG);
	assert_ret(do_read(w, PID, PR(b), out, 100, SPAN_O_NONBLOCK), 60);
	assert_memory_equal(out, "descpin", 7);
	assert_int_equal(DESC(w, ba.priv)->refcount, 1);
	assert_int_equal(PAGE(w, page)->pins, 1);
	assert_ret(do_read(w, PID, PR(a), out, 100, SPAN_O_NONBLOCK), 100);
	assert_false(span__tab_live(&w->descs, ba.priv));
	assert_int_equal(PAGE(w, page)->pins, 0);
	assert_int_equal(page_ref(w, page), 1);
	assert_int_equal(span_pinned_bytes(w), 0);
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 0);
	span_world_destroy(w);
}

/*
 * pipe_split=desc, then the policy changes to ref: a tee of a buffer that
 * already holds a desc takes one more desc holder (span_desc_pipe_buf_get)
 * rather than a page ref; the page ref of the desc is put once.
 */
static void test_tee_of_desc_buffer_under_ref(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_buf_info bi;
	int a, b, c, page;
	char out[64];

	(void)state;
	set_knob(w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_DESC);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	c = new_pipe(w, 0);
	assert_ret(do_write_fill(w, PID, PW(a), 'q', 64, 0), 64);
	page = pipe_buf(w, a, 0).page;
	/* a partial splice a -> b splits the buffer: a desc of kind ref */
	assert_ret(do_splice(w, PID, PR(a), NULL, PW(b), NULL, 10, 0), 10);
	bi = pipe_buf(w, a, 0);
	assert_int_equal(bi.ops, SPAN_PBO_DESC);
	assert_int_equal(bi.offset, 10);
	assert_int_equal(bi.len, 54);
	assert_int_equal(DESC(w, bi.priv)->kind, DESC_PAGE_REF);
	assert_int_equal(DESC(w, bi.priv)->refcount, 2);
	assert_int_equal(page_ref(w, page), 1);
	set_knob(w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_REF);
	assert_ret(do_tee(w, PID, PR(a), PW(c), 64, 0), 54);
	assert_int_equal(pipe_buf(w, c, 0).ops, SPAN_PBO_DESC);
	assert_int_equal(DESC(w, bi.priv)->refcount, 3);
	assert_int_equal(page_ref(w, page), 1);
	assert_ret(do_read(w, PID, PR(a), out, 64, SPAN_O_NONBLOCK), 54);
	assert_ret(do_read(w, PID, PR(b), out, 64, SPAN_O_NONBLOCK), 10);
	assert_int_equal(page_ref(w, page), 1);
	assert_ret(do_read(w, PID, PR(c), out, 64, SPAN_O_NONBLOCK), 54);
	assert_true(all_bytes(out, 'q', 54));
	/* the last holder put the page: it went back to the pipe's cache or
	 * was freed; the desc is gone */
	assert_false(span__tab_live(&w->descs, bi.priv));
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 0);
	span_world_destroy(w);
}

/* --- owner buffers (sock_splice=desc) ----------------------------------- */

struct rpc {
	struct span_world *w;
	int c, s, q, owner, k;
};

/* tcp c s; the service sends @size bytes of owner memory; s -> pipe q */
static void rpc_to_pipe(struct rpc *r, uint32_t size)
{
	struct span_src src = { 0 };
	size_t done = 0;
	struct span_event ev[8];
	ssize_t n;

	r->w = world_new();
	assert_int_equal(span_policy_preset(span_world_policy(r->w),
					    "proposal-span-desc"), 0);
	step_begin(r->w, PID);
	assert_int_equal(span_tcp_connect(r->w, &r->c, &r->s), 0);
	assert_int_equal(span_pipe_create(r->w, 0, &r->q), 0);
	assert_int_equal(span_owner_create(r->w, &r->owner), 0);
	assert_int_equal(span_kmem_alloc(r->w, size, SPAN_KMEM_OWNER, r->owner,
					 "owned!", 6, &r->k), 0);
	step_end(r->w);
	src.kmem = r->k;
	step_begin(r->w, PID);
	n = span_sendmsg(r->w, PID, SPAN_FD(SPAN_FD_SOCK, r->c), &src, size,
			 SPAN_MSG_SPLICE_PAGES, &done);
	step_end(r->w);
	assert_ret(n, size);
	for (int i = 0; i < 8; i++) {
		if (span_world_events(r->w, ev, 8) <= 0)
			break;
		span_world_step_begin(r->w, 0, 0);
		assert_int_equal(span_world_run_event(r->w, ev[0].id), 0);
		span_world_step_end(r->w);
	}
	step_begin(r->w, PID);
	n = span_splice(r->w, PID, SPAN_FD(SPAN_FD_SOCK, r->s), NULL,
			PW(r->q), NULL, size, 0);
	step_end(r->w);
	assert_ret(n, size);
	assert_int_equal(pipe_buf(r->w, r->q, 0).ops, SPAN_PBO_OWNER);
	assert_int_equal(pipe_buf(r->w, r->q, 0).priv, r->owner);
}

static struct span_owner_info owner_info(struct span_world *w, int o)
{
	struct span_owner_info oi;

	assert_int_equal(span_owner_info(w, o, &oi), 0);
	return oi;
}

/*
 * pipe_split=ref: tee of an owner buffer takes an owner reference
 * (owner_pipe_buf_get), not a page ref on owner memory; the owner is
 * destructed only after the last buffer went.
 */
static void test_tee_of_owner_buffer_takes_owner_ref(void **state)
{
	struct rpc r;
	int t;
	int64_t before;
	char out[128];

	(void)state;
	rpc_to_pipe(&r, 100);
	set_knob(r.w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_REF);
	t = new_pipe(r.w, 0);
	before = owner_info(r.w, r.owner).refcount;
	assert_ret(do_tee(r.w, PID, PR(r.q), PW(t), 100, 0), 100);
	assert_int_equal(pipe_buf(r.w, t, 0).ops, SPAN_PBO_OWNER);
	assert_int_equal(owner_info(r.w, r.owner).refcount, before + 1);
	step_begin(r.w, PID);
	assert_int_equal(span_owner_put(r.w, r.owner), 0);
	step_end(r.w);
	assert_ret(do_read(r.w, PID, PR(r.q), out, 128, SPAN_O_NONBLOCK), 100);
	assert_int_equal(owner_info(r.w, r.owner).destructed, 0);
	assert_ret(do_read(r.w, PID, PR(t), out, 128, SPAN_O_NONBLOCK), 100);
	assert_memory_equal(out, "owned!owned!", 12);
	assert_int_equal(owner_info(r.w, r.owner).destructed, 1);
	assert_no_violations(r.w);
	assert_int_equal(span_world_teardown(r.w), 0);
	span_world_destroy(r.w);
}

/*
 * pipe_split=desc: a partial splice of an owner buffer makes a desc of
 * kind owner-ref that takes over the buffer's owner reference; the last
 * desc holder puts it (span_desc_release), which runs the destructor once
 * the service's reference is gone too.
 */
static void test_desc_of_owner_ref_released_by_last_holder(void **state)
{
	struct rpc r;
	struct span_pipe_buf_info bi;
	int t;
	int64_t before;
	char out[128];

	(void)state;
	rpc_to_pipe(&r, 100);
	t = new_pipe(r.w, 0);
	before = owner_info(r.w, r.owner).refcount;
	assert_ret(do_splice(r.w, PID, PR(r.q), NULL, PW(t), NULL, 30, 0), 30);
	bi = pipe_buf(r.w, r.q, 0);
	assert_int_equal(bi.ops, SPAN_PBO_DESC);
	assert_int_equal(pipe_buf(r.w, t, 0).priv, bi.priv);
	assert_int_equal(DESC(r.w, bi.priv)->kind, DESC_OWNER_REF);
	assert_int_equal(DESC(r.w, bi.priv)->owner, (uint32_t)r.owner);
	/* no new owner reference: the desc took the buffer's */
	assert_int_equal(owner_info(r.w, r.owner).refcount, before);
	step_begin(r.w, PID);
	assert_int_equal(span_owner_put(r.w, r.owner), 0);
	step_end(r.w);
	assert_int_equal(owner_info(r.w, r.owner).refcount, before - 1);
	assert_ret(do_read(r.w, PID, PR(t), out, 128, SPAN_O_NONBLOCK), 30);
	assert_memory_equal(out, "owned!", 6);
	assert_int_equal(owner_info(r.w, r.owner).destructed, 0);
	assert_ret(do_read(r.w, PID, PR(r.q), out, 128, SPAN_O_NONBLOCK), 70);
	/* byte 30 of a fill of period 6 */
	assert_memory_equal(out, "owned!", 6);
	assert_false(span__tab_live(&r.w->descs, bi.priv));
	assert_int_equal(owner_info(r.w, r.owner).destructed, 1);
	assert_int_equal(owner_info(r.w, r.owner).held_bytes, 0);
	assert_no_violations(r.w);
	assert_int_equal(span_world_teardown(r.w), 0);
	span_world_destroy(r.w);
}

/* --- buffer ops called directly ---------------------------------------- */

/*
 * try_steal (KSEM 3.3-3.4): anon buffers may be stolen when the pipe holds
 * the only reference; user_page_pipe_buf_ops only for gifts (and then the
 * page is marked LRU); page-cache and nosteal buffers never.
 */
static void test_try_steal_by_buffer_kind(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_inode_info *pi;
	struct span_pipe_buffer *buf;
	int a, b, v, f, r, page;
	uint64_t off = 0;

	(void)state;
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	assert_ret(do_write_fill(w, PID, PW(a), 's', 10, 0), 10);
	pi = PIPE(w, a);
	buf = span__pipe_buf(w, pi, pi->tail);
	assert_int_equal(buf->ops, SPAN_PBO_ANON);
	assert_true(span__pipe_buf_try_steal(w, buf));
	/* a tee shares the page: no longer stealable */
	assert_ret(do_tee(w, PID, PR(a), PW(b), 10, 0), 10);
	buf = span__pipe_buf(w, PIPE(w, a), PIPE(w, a)->tail);
	assert_false(span__pipe_buf_try_steal(w, buf));

	/* a user page spliced without SPLICE_F_GIFT */
	v = new_pipe(w, 0);
	r = user_region(w, "gift", &page);
	assert_ret(do_vmsplice(w, PID, PW(v), r, 0, 8, 0), 8);
	buf = span__pipe_buf(w, PIPE(w, v), PIPE(w, v)->tail);
	assert_int_equal(buf->ops, SPAN_PBO_USER_PAGE);
	assert_false(span__pipe_buf_try_steal(w, buf));
	assert_int_equal(buf->flags & SPAN_PIPE_BUF_FLAG_LRU, 0);
	/* a gift: marked LRU, but still mapped, so refcount 2: refused */
	assert_ret(do_vmsplice(w, PID, PW(v), r, 8, 8, SPAN_SPLICE_F_GIFT), 8);
	buf = span__pipe_buf(w, PIPE(w, v), PIPE(w, v)->head - 1);
	assert_true(buf->flags & SPAN_PIPE_BUF_FLAG_GIFT);
	assert_false(span__pipe_buf_try_steal(w, buf));
	assert_true(buf->flags & SPAN_PIPE_BUF_FLAG_LRU);

	/* page cache: no try_steal at all */
	f = new_file(w, PG, 0, "file");
	assert_ret(do_splice(w, PID, FD_FILE(f), &off, PW(b), NULL, 4, 0), 4);
	buf = span__pipe_buf(w, PIPE(w, b), PIPE(w, b)->head - 1);
	assert_int_equal(buf->ops, SPAN_PBO_PAGE_CACHE);
	assert_false(span__pipe_buf_try_steal(w, buf));
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 0);
	span_world_destroy(w);
}

/* releasing a released buffer (ops NULL) is refcount-underflow */
static void test_release_of_released_buffer(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_buffer copy;
	int a;

	(void)state;
	a = new_pipe(w, 0);
	assert_ret(do_write_fill(w, PID, PW(a), 'r', 10, 0), 10);
	copy = *span__pipe_buf(w, PIPE(w, a), PIPE(w, a)->tail);
	copy.ops = SPAN_PBO_NONE;
	step_begin(w, 0);
	span__pipe_buf_release(w, PIPE(w, a), &copy);
	/* and a get of it is refused */
	assert_false(span__pipe_buf_get(w, &copy));
	step_end(w);
	assert_only_violations_of(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PIPE,
				  a);
	assert_int_equal(span_world_nr_violations(w), 1);
	assert_string_equal(span_world_violation(w, 0)->func,
			    "pipe_buf_release");
	span_world_destroy(w);
}

/*
 * page_cache_pipe_buf_confirm(): a page-cache page that is not uptodate
 * (a read error) makes read() fail with -EIO, before any byte (KSEM 3.3).
 */
static void test_read_of_page_cache_buffer_not_uptodate(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_buffer *buf;
	int p, f;
	uint64_t off = 0;
	char out[8];

	(void)state;
	p = new_pipe(w, 0);
	f = new_file(w, PG, 0, "cache");
	assert_ret(do_splice(w, PID, FD_FILE(f), &off, PW(p), NULL, 5, 0), 5);
	buf = span__pipe_buf(w, PIPE(w, p), PIPE(w, p)->tail);
	assert_int_equal(buf->ops, SPAN_PBO_PAGE_CACHE);
	PAGE(w, buf->page)->flags &= (uint8_t)~PG_uptodate;
	assert_ret(do_read(w, PID, PR(p), out, 8, SPAN_O_NONBLOCK), -EIO);
	assert_int_equal(pipe_bytes(w, p), 5);
	PAGE(w, buf->page)->flags |= PG_uptodate;
	assert_ret(do_read(w, PID, PR(p), out, 8, SPAN_O_NONBLOCK), 5);
	assert_memory_equal(out, "cache", 5);
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 0);
	span_world_destroy(w);
}

/* --- creation limits (KSEM 4.2) ---------------------------------------- */

static void test_pipe_create_limits(void **state)
{
	struct span_world *w = world_new();
	int p[4], q = 0;

	(void)state;
	step_begin(w, PID);
	assert_int_equal(span_pipe_create(w, 0x100, &q), -EINVAL);
	assert_int_equal(span_pipe_create(NULL, 0, &q), -EINVAL);
	assert_int_equal(span_pipe_create(w, 0, NULL), -EINVAL);
	step_end(w);
	/* pipe-max-size below 16 pages: max_size >> PAGE_SHIFT slots */
	assert_int_equal(span_world_set_param(w, SPAN_PARAM_PIPE_MAX_SIZE,
					      4 * PG), 0);
	p[0] = new_pipe(w, 0);
	assert_int_equal(pipe_info(w, p[0]).ring_size, 4);
	assert_int_equal(pipe_info(w, p[0]).max_usage, 4);
	assert_int_equal(span_world_set_param(w, SPAN_PARAM_PIPE_MAX_SIZE,
					      1 << 20), 0);
	/* soft limit 20 pages: 4 + 16 fits, the next gets 2 slots */
	assert_int_equal(span_world_set_param(w,
					      SPAN_PARAM_PIPE_USER_PAGES_SOFT,
					      20), 0);
	assert_int_equal(span_world_set_param(w,
					      SPAN_PARAM_PIPE_USER_PAGES_HARD,
					      24), 0);
	p[1] = new_pipe(w, 0);
	assert_int_equal(pipe_info(w, p[1]).ring_size, 16);
	p[2] = new_pipe(w, 0);
	assert_int_equal(pipe_info(w, p[2]).ring_size, 2);
	p[3] = new_pipe(w, 0);
	assert_int_equal(pipe_info(w, p[3]).ring_size, 2);
	/* 24 pages accounted: the hard limit refuses even 2 more */
	step_begin(w, PID);
	assert_int_equal(span_pipe_create(w, 0, &q), -ENFILE);
	step_end(w);
	/* closing a pipe gives its pages back */
	assert_ret(do_close(w, PID, PR(p[1])), 0);
	assert_ret(do_close(w, PID, PW(p[1])), 0);
	q = new_pipe(w, 0);
	assert_int_equal(pipe_info(w, q).ring_size, 2);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* a write that finds no reader after partial progress returns the bytes */
static void test_write_errors(void **state)
{
	struct span_world *w = world_new();
	int p;

	(void)state;
	p = new_pipe(w, SPAN_PIPE_NONBLOCK);
	/* an allocation failure before any byte: -ENOMEM */
	assert_int_equal(span_fault_set(w, SPAN_FAULT_ALLOC, 1, 0), 0);
	assert_ret(do_write_fill(w, PID, PW(p), 'e', 10, 0), -ENOMEM);
	span_fault_set(w, SPAN_FAULT_ALLOC, 0, 0);
	assert_int_equal(pipe_bytes(w, p), 0);
	/* the second page's allocation fails: the first page's bytes count */
	assert_int_equal(span_fault_set(w, SPAN_FAULT_ALLOC, 2, 0), 0);
	assert_ret(do_write_fill(w, PID, PW(p), 'e', 2 * PG, 0), PG);
	span_fault_set(w, SPAN_FAULT_ALLOC, 0, 0);
	assert_int_equal(pipe_bytes(w, p), PG);
	/* no reader: -EPIPE */
	assert_ret(do_close(w, PID, PR(p)), 0);
	assert_ret(do_write_fill(w, PID, PW(p), 'e', 10, 0), -EPIPE);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tee_of_pinned_buffer_adds_a_pin),
		cmocka_unit_test(test_desc_of_pin_released_by_last_holder),
		cmocka_unit_test(test_tee_of_desc_buffer_under_ref),
		cmocka_unit_test(test_tee_of_owner_buffer_takes_owner_ref),
		cmocka_unit_test(test_desc_of_owner_ref_released_by_last_holder),
		cmocka_unit_test(test_try_steal_by_buffer_kind),
		cmocka_unit_test(test_release_of_released_buffer),
		cmocka_unit_test(test_read_of_page_cache_buffer_not_uptodate),
		cmocka_unit_test(test_pipe_create_limits),
		cmocka_unit_test(test_write_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
