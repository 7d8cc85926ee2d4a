// SPDX-License-Identifier: MIT
/*
 * test_cov_check.c - the checker (lib/check.c) catches what it promises
 * (include/span/check.h, SCENARIO-LANGUAGE.md section 5): worlds whose
 * stored counts are deliberately corrupted through internal.h, the way a
 * model bug would leave them, must be reported with the exact invariant
 * and object; span_world_teardown() reports what is left as a leak.
 */
#include "span_unit.h"

#include "internal.h"

/* the only violations are of @inv on (@type, @obj), and there is one */
static void expect_only(struct span_world *w, int inv, int type, uint32_t obj)
{
	if (span_world_nr_violations(w) == 0)
		fail_msg("expected %s on %d#%u, got nothing",
			 span_invariant_name(inv), type, obj);
	assert_only_violations_of(w, inv, type, obj);
}

/* a page of anon memory, mapped and written: refcount 1, mapcount 1 */
static int anon_page(struct span_world *w, int *region)
{
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "anon");

	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "x", 1), 0);
	if (region)
		*region = r;
	return span_region_page(w, SPAN_INIT_PID, r, 0);
}

static void test_invariant_names_and_docs(void **state)
{
	(void)state;
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++) {
		assert_non_null(span_invariant_name(i));
		assert_non_null(span_invariant_doc(i));
		assert_int_equal(span_invariant_lookup(span_invariant_name(i)), i);
	}
	assert_null(span_invariant_name(-1));
	assert_null(span_invariant_doc(SPAN_NR_INVARIANTS));
	assert_null(span_invariant_doc(-1));
	assert_int_equal(span_invariant_lookup(NULL), -EINVAL);
	assert_int_equal(span_invariant_lookup("no-such"), -ENOENT);
	assert_int_equal(span_world_check(NULL), -EINVAL);
	assert_int_equal(span_world_teardown(NULL), -EINVAL);
}

/* a refcount one below what the mapping holds: refcount-underflow */
static void test_page_refcount_below_holders(void **state)
{
	struct span_world *w = world_new();
	int page = anon_page(w, NULL);

	(void)state;
	assert_no_violations(w);
	PAGE(w, page)->refcount--;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE, page);
	assert_non_null(strstr(span_world_violation(w, 0)->msg,
			       "holders account for 1"));
	span_world_destroy(w);
}

/* a mapcount that disagrees with the ptes, either way */
static void test_page_mapcount_mismatch(void **state)
{
	struct span_world *w = world_new();
	int page = anon_page(w, NULL);

	(void)state;
	PAGE(w, page)->mapcount = 2;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE, page);
	assert_non_null(strstr(span_world_violation(w, 0)->msg,
			       "mapcount 2, but 1 ptes"));
	span_world_destroy(w);
}

/* a FOLL_PIN pin whose pin count was lost */
static void test_page_pins_below_holders(void **state)
{
	struct span_world *w = world_new();
	int r, page, got = 0;

	(void)state;
	page = anon_page(w, &r);
	assert_ret(do_gup(w, SPAN_INIT_PID, r, 0, 1, SPAN_FOLL_PIN, &got, 1),
		   1);
	assert_int_equal(got, page);
	assert_int_equal(page_ref(w, page), 1 + 1024); /* GUP_PIN_COUNTING_BIAS */
	assert_int_equal(span_pinned_bytes(w), PG);
	assert_no_violations(w);
	PAGE(w, page)->pins = 0;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE, page);
	assert_non_null(strstr(span_world_violation(w, 0)->msg,
			       "0 pins, but 1 holders pin it"));
	PAGE(w, page)->pins = 1;
	assert_ret(do_unpin(w, page), 0);
	assert_int_equal(span_world_nr_violations(w), 1);
	span_world_destroy(w);
}

/* an owner whose service reference was not counted */
static void test_owner_refcount_below_holders(void **state)
{
	struct span_world *w = world_new();
	int owner;

	(void)state;
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, &owner), 0);
	step_end(w);
	assert_no_violations(w);
	OWNER(w, owner)->refcount = 0;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_OWNER, owner);
	assert_non_null(strstr(span_world_violation(w, 0)->msg,
			       "refcount 0, but 1 holders"));
	span_world_destroy(w);
}

/*
 * tee under pipe_split=desc: both buffers hold the span descriptor
 * (refcount 2); a lost holder count is refcount-underflow on the desc.
 */
static void test_desc_refcount_below_holders(void **state)
{
	struct span_world *w = world_new();
	int a, b;
	struct span_pipe_buf_info bi;

	(void)state;
	set_knob(w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_DESC);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(a), 'd', 100, 0), 100);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 40, 0), 40);
	bi = pipe_buf(w, b, 0);
	assert_int_equal(bi.ops, SPAN_PBO_DESC);
	assert_int_equal(pipe_buf(w, a, 0).priv, bi.priv);
	assert_int_equal(DESC(w, bi.priv)->refcount, 2);
	assert_no_violations(w);
	DESC(w, bi.priv)->refcount = 1;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_DESC, bi.priv);
	DESC(w, bi.priv)->refcount = 2;
	span_world_destroy(w);
}

/*
 * A put too many on a span descriptor (one holder released twice): the
 * put itself is refcount-underflow on the desc and changes nothing.
 */
static void test_desc_put_without_holder(void **state)
{
	struct span_world *w = world_new();
	int a, b;
	uint32_t d;
	int64_t rc;

	(void)state;
	set_knob(w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_DESC);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(a), 'd', 100, 0), 100);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 100, 0), 100);
	d = pipe_buf(w, a, 0).priv;
	rc = page_ref(w, pipe_buf(w, a, 0).page);
	DESC(w, d)->refcount = 0;
	step_begin(w, 0);
	span__desc_put(w, d, "test");
	step_end(w);
	/* reported at the put (the checker's recount of the same desc is
	 * the same violation, reported once) */
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_DESC, d);
	assert_int_equal(span_world_nr_violations(w), 1);
	assert_string_equal(find_violation(w, SPAN_INV_REFCOUNT_UNDERFLOW)->func,
			    "test");
	assert_true(DESC(w, d)->live);
	assert_int_equal(page_ref(w, pipe_buf(w, a, 0).page), rc);
	span_world_destroy(w);
}

/*
 * A pipe buffer whose page was freed under it (a put the buffer did not
 * own): the checker reports use-after-free on that page.
 */
static void test_pipe_buffer_of_freed_page(void **state)
{
	struct span_world *w = world_new();
	int p, page;

	(void)state;
	p = new_pipe(w, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'f', 10, 0), 10);
	page = pipe_buf(w, p, 0).page;
	assert_int_equal(page_ref(w, page), 1);
	step_begin(w, 0);
	span__put_page(w, (uint32_t)page, "test");
	step_end(w);
	assert_true(page_freed(w, page));
	expect_only(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_PAGE, page);
	assert_non_null(strstr(span_world_violation(w, 0)->msg,
			       "pipe buffer still references freed page"));
	/* unhook the buffer so that destroy does not put it again */
	PIPE(w, p)->tail = PIPE(w, p)->head;
	span_world_destroy(w);
}

/* a buffer whose offset + len runs past its page */
static void test_pipe_buffer_past_its_page(void **state)
{
	struct span_world *w = world_new();
	int p;
	struct span_pipe_buffer *b;

	(void)state;
	p = new_pipe(w, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'o', 10, 0), 10);
	b = span__pipe_buf(w, PIPE(w, p), PIPE(w, p)->tail);
	b->offset = PG - 4;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_PIPE, p);
	assert_non_null(strstr(span_world_violation(w, 0)->msg,
			       "runs past its page"));
	b->offset = 0;
	span_world_destroy(w);
}

/* more buffers than max_usage */
static void test_pipe_occupancy_past_max_usage(void **state)
{
	struct span_world *w = world_new();
	int p;

	(void)state;
	p = new_pipe(w, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'a', PG, 0), PG);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'b', PG, 0), PG);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	PIPE(w, p)->max_usage = 1;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_REFCOUNT_OVERFLOW, SPAN_OBJ_PIPE, p);
	PIPE(w, p)->max_usage = 16;
	span_world_destroy(w);
}

/*
 * With the after-step checker off, a corruption is not noticed at the end
 * of a step; span_world_check() still finds it.
 */
static void test_check_off_then_explicit_check(void **state)
{
	struct span_world *w = world_new();
	int page = anon_page(w, NULL);

	(void)state;
	span_world_set_check(w, false);
	PAGE(w, page)->refcount = 0;
	step_begin(w, SPAN_INIT_PID);
	step_end(w);
	assert_int_equal(span_world_nr_violations(w), 0);
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_PAGE, page);
	PAGE(w, page)->refcount = 1;
	span_world_destroy(w);
}

/*
 * An owner's memory in a pipe (what skb_splice_bits() makes under
 * sock_splice=desc: an owner_pipe_buf_ops buffer holding an owner ref)
 * and an owner put the buffer did not own: the destructor runs while the
 * pipe still holds the page (early-destruct), the checker finds the owner
 * refcount below its holders (refcount-underflow), and reading the buffer
 * touches the freed page (use-after-free; the reader gets zeroes).
 */
static void test_owner_destructed_under_a_pipe_buffer(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_buffer *b;
	int owner, k, p, opage;
	const struct span_violation *v;
	char out[4];

	(void)state;
	p = new_pipe(w, 0);
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, &owner), 0);
	assert_int_equal(span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, owner, "own",
					 3, &k), 0);
	opage = span_kmem_page(w, k, 0);
	assert_true(opage > 0);
	b = span__pipe_buf(w, PIPE(w, p), PIPE(w, p)->head);
	memset(b, 0, sizeof(*b));
	b->live = 1;
	b->ops = SPAN_PBO_OWNER;
	b->page = (uint32_t)opage;
	b->len = 3;
	b->priv = (uint32_t)owner;
	span__owner_get(w, (uint32_t)owner, "test");
	PIPE(w, p)->head++;
	step_end(w);
	assert_no_violations(w);
	/* the pipe reads the owner's bytes while it lives */
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), out, 1, SPAN_O_NONBLOCK),
		   1);
	assert_memory_equal(out, "o", 1);
	/* the service's put and one put nobody owned */
	step_begin(w, 0);
	assert_int_equal(span_owner_put(w, owner), 0);
	span__owner_put(w, (uint32_t)owner, "test");
	step_end(w);
	assert_int_equal(OWNER(w, owner)->destructed, 1);
	assert_false(span__page_live(w, (uint32_t)opage));
	v = find_violation(w, SPAN_INV_EARLY_DESTRUCT);
	assert_non_null(v);
	assert_int_equal(v->obj_type, SPAN_OBJ_OWNER);
	assert_int_equal(v->obj, owner);
	assert_non_null(strstr(v->msg, "pipe#"));
	v = find_violation(w, SPAN_INV_REFCOUNT_UNDERFLOW);
	assert_non_null(v);
	assert_int_equal(v->obj_type, SPAN_OBJ_OWNER);
	assert_int_equal(v->obj, owner);
	assert_int_equal(span_world_nr_violations(w), 2);
	/* reading what is left touches freed memory */
	memset(out, 'x', sizeof(out));
	(void)do_read(w, SPAN_INIT_PID, PR(p), out, 2, SPAN_O_NONBLOCK);
	v = find_violation(w, SPAN_INV_USE_AFTER_FREE);
	assert_non_null(v);
	assert_int_equal(v->obj_type, SPAN_OBJ_PAGE);
	assert_int_equal(v->obj, opage);
	assert_memory_equal(out, "\0\0", 2);
	/* a get on the destructed owner: use-after-free at the get */
	step_begin(w, 0);
	span__owner_get(w, (uint32_t)owner, "test3");
	step_end(w);
	v = span_world_violation(w, span_world_nr_violations(w) - 1);
	assert_int_equal(v->inv, SPAN_INV_USE_AFTER_FREE);
	assert_int_equal(v->obj_type, SPAN_OBJ_OWNER);
	assert_string_equal(v->func, "test3");
	span_world_destroy(w);
}

/*
 * The checker's own view of owner memory: a holder of a page of an owner
 * whose destructor has run (here the destructor count is set without the
 * memory going) is use-after-free on the owner.
 */
static void test_holder_of_destructed_owner_page(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_buffer *b;
	int owner, k, p, opage;

	(void)state;
	p = new_pipe(w, 0);
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, &owner), 0);
	assert_int_equal(span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, owner, "own",
					 3, &k), 0);
	opage = span_kmem_page(w, k, 0);
	b = span__pipe_buf(w, PIPE(w, p), PIPE(w, p)->head);
	memset(b, 0, sizeof(*b));
	b->live = 1;
	b->ops = SPAN_PBO_OWNER;
	b->page = (uint32_t)opage;
	b->len = 3;
	b->priv = (uint32_t)owner;
	span__owner_get(w, (uint32_t)owner, "test");
	PIPE(w, p)->head++;
	step_end(w);
	assert_no_violations(w);
	OWNER(w, owner)->destructed = 1;
	assert_int_equal(span_world_check(w), 1);
	expect_only(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_OWNER, owner);
	assert_non_null(strstr(span_world_violation(w, 0)->msg,
			       "pipe buffer still references page#"));
	OWNER(w, owner)->destructed = 0;
	span_world_destroy(w);
}

/* the service puts its owner reference twice: refcount-underflow */
static void test_owner_put_twice_by_service(void **state)
{
	struct span_world *w = world_new();
	int owner;
	struct span_owner_info oi;

	(void)state;
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, &owner), 0);
	assert_int_equal(span_owner_put(w, owner), 0);
	assert_int_equal(span_owner_put(w, owner), -EINVAL);
	step_end(w);
	expect_only(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_OWNER, owner);
	assert_int_equal(span_owner_info(w, owner, &oi), 0);
	assert_int_equal(oi.destructed, 1);
	assert_false(oi.service_ref);
	assert_int_equal(span_owner_create(NULL, &owner), -EINVAL);
	assert_int_equal(span_owner_create(w, NULL), -EINVAL);
	assert_int_equal(span_owner_put(w, 999), -EINVAL);
	span_world_destroy(w);
}

/* the destructor run a second time: double-destruct */
static void test_owner_double_destruct(void **state)
{
	struct span_world *w = world_new();
	int owner;

	(void)state;
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, &owner), 0);
	assert_int_equal(span_owner_put(w, owner), 0);
	/* a stale holder resurrects the count and puts it again */
	OWNER(w, owner)->refcount = 1;
	span__owner_put(w, (uint32_t)owner, "test");
	step_end(w);
	assert_int_equal(nr_violations_of(w, SPAN_INV_DOUBLE_DESTRUCT), 1);
	assert_int_equal(find_violation(w, SPAN_INV_DOUBLE_DESTRUCT)->obj,
			 owner);
	assert_int_equal(OWNER(w, owner)->destructed, 2);
	span_world_destroy(w);
}

/* --- teardown ------------------------------------------------------------ */

/* span_get_page() through the API and never a put: a leak at the end */
static void test_teardown_reports_leaked_page_ref(void **state)
{
	struct span_world *w = world_new();
	int r, page;
	const struct span_violation *v;

	(void)state;
	page = anon_page(w, &r);
	assert_ret(do_get_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 2);
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 1);
	v = span_world_violation(w, 0);
	assert_int_equal(v->inv, SPAN_INV_LEAK);
	assert_int_equal(v->obj_type, SPAN_OBJ_PAGE);
	assert_int_equal(v->obj, page);
	assert_string_equal(v->func, "teardown");
	/* the mapping went; the caller's reference is what is left */
	assert_non_null(strstr(v->msg, "refcount 1 at the end"));
	span_world_destroy(w);
}

/* a FOLL_PIN never unpinned: a leak that names the pins */
static void test_teardown_reports_leaked_pin(void **state)
{
	struct span_world *w = world_new();
	int r, page, got = 0;
	const struct span_violation *v;

	(void)state;
	page = anon_page(w, &r);
	assert_ret(do_gup(w, SPAN_INIT_PID, r, 0, PG, SPAN_FOLL_PIN, &got, 1),
		   1);
	assert_int_equal(span_world_teardown(w), 1);
	v = span_world_violation(w, 0);
	assert_int_equal(v->inv, SPAN_INV_LEAK);
	assert_int_equal(v->obj, page);
	assert_non_null(strstr(v->msg, "still has 1 pins"));
	span_world_destroy(w);
}

/* an owner with a reference nobody will put: never destructed */
static void test_teardown_reports_owner_never_destructed(void **state)
{
	struct span_world *w = world_new();
	int owner;
	const struct span_violation *v;

	(void)state;
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, &owner), 0);
	span__owner_get(w, (uint32_t)owner, "test");
	step_end(w);
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 1);
	v = span_world_violation(w, 0);
	assert_int_equal(v->inv, SPAN_INV_LEAK);
	assert_int_equal(v->obj_type, SPAN_OBJ_OWNER);
	assert_int_equal(v->obj, owner);
	assert_non_null(strstr(v->msg, "never destructed (refcount 1)"));
	/* the service's reference was put by teardown */
	assert_false(OWNER(w, owner)->service_ref);
	span_world_destroy(w);
}

/* a clean world tears down clean: pipes, files, kmem, owners all go */
static void test_teardown_clean_world(void **state)
{
	struct span_world *w = world_new();
	int p, f, owner, k, k2;
	uint64_t off = 0;

	(void)state;
	p = new_pipe(w, 0);
	f = new_file(w, 2 * PG, 0, "file");
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG + 10, 0), PG + 10);
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, &owner), 0);
	assert_int_equal(span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, owner, "o", 1,
					 &k), 0);
	assert_int_equal(span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, "p", 1,
					 &k2), 0);
	step_end(w);
	(void)do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "m");
	assert_int_equal(span_world_teardown(w), 0);
	assert_int_equal(OWNER(w, owner)->destructed, 1);
	for (uint32_t i = 1; i < w->pages.n; i++)
		assert_false(span__page_live(w, i) && i != w->zero_page);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invariant_names_and_docs),
		cmocka_unit_test(test_page_refcount_below_holders),
		cmocka_unit_test(test_page_mapcount_mismatch),
		cmocka_unit_test(test_page_pins_below_holders),
		cmocka_unit_test(test_owner_refcount_below_holders),
		cmocka_unit_test(test_desc_refcount_below_holders),
		cmocka_unit_test(test_desc_put_without_holder),
		cmocka_unit_test(test_pipe_buffer_of_freed_page),
		cmocka_unit_test(test_pipe_buffer_past_its_page),
		cmocka_unit_test(test_pipe_occupancy_past_max_usage),
		cmocka_unit_test(test_check_off_then_explicit_check),
		cmocka_unit_test(test_owner_destructed_under_a_pipe_buffer),
		cmocka_unit_test(test_holder_of_destructed_owner_page),
		cmocka_unit_test(test_owner_put_twice_by_service),
		cmocka_unit_test(test_owner_double_destruct),
		cmocka_unit_test(test_teardown_reports_leaked_page_ref),
		cmocka_unit_test(test_teardown_reports_leaked_pin),
		cmocka_unit_test(test_teardown_reports_owner_never_destructed),
		cmocka_unit_test(test_teardown_clean_world),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
