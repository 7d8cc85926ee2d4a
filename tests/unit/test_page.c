// SPDX-License-Identifier: MIT
/*
 * test_page.c - page references and pins (span/mm.h: span_get_page(),
 * span_put_page(), span_get_user_pages(FOLL_PIN), span_unpin_user_page(),
 * span_page_info()).
 *
 * KSEM 1.2 (get/put/try_get_page), 1.3 (FOLL_GET, FOLL_PIN, the pin bias,
 * folio_maybe_dma_pinned()), 1.6 (memory with no usable refcount),
 * POLICIES.md pincount and get_page_check.
 */
#include "span_unit.h"

/* one touched anonymous page of init; returns its page id */
static int touched_page(struct span_world *w, int *region)
{
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "A");
	int page = span_region_page(w, SPAN_INIT_PID, r, 0);

	assert_true(page > 0);
	if (region)
		*region = r;
	return page;
}

static void test_page_fresh_anon_state(void **state)
{
	struct span_world *w = world_new();
	int page = touched_page(w, NULL);
	struct span_page_info info = page_info(w, page);

	assert_int_equal(info.kind, SPAN_PAGE_ANON);
	assert_int_equal(info.refcount, 1);
	assert_int_equal(info.mapcount, 1);
	assert_int_equal(info.pincount, 0);
	assert_true(info.anon_exclusive);
	assert_false(info.maybe_pinned);
	assert_int_equal(info.owner, 0);
	assert_int_equal(info.freed_at, 0);
	assert_string_equal(span_page_kind_name(SPAN_PAGE_ANON), "anon");
	assert_string_equal(span_page_kind_name(SPAN_PAGE_ZERO), "zero");

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_page_get_put(void **state)
{
	struct span_world *w = world_new();
	int page = touched_page(w, NULL);

	assert_ret(do_get_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 2);
	assert_ret(do_get_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 3);
	assert_no_violations(w);
	assert_ret(do_put_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 2);
	assert_ret(do_put_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 1);
	/* the mapping's reference is not the caller's to drop */
	assert_ret(do_put_page(w, page), -EINVAL);
	assert_int_equal(page_ref(w, page), 1);
	assert_int_equal(page_info(w, page).mapcount, 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* the last put frees the page: munmap leaves only a GUP reference */
static void test_page_last_put_frees(void **state)
{
	struct span_world *w = world_new();
	int region, page = touched_page(w, &region), pages[1];

	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG, SPAN_FOLL_GET, pages,
			  1),
		   1);
	assert_int_equal(pages[0], page);
	assert_int_equal(page_ref(w, page), 2);
	assert_ret(do_munmap(w, SPAN_INIT_PID, region), 0);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_ANON);
	assert_int_equal(page_ref(w, page), 1);
	assert_int_equal(page_info(w, page).mapcount, 0);
	assert_ret(do_put_page(w, page), 0);
	assert_true(page_freed(w, page));
	assert_int_equal(page_info(w, page).freed_at, span_world_step(w));
	/* a freed page takes no more references */
	assert_ret(do_get_page(w, page), -EINVAL);
	assert_ret(do_put_page(w, page), -EINVAL);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_page_refcount_bits_param(void **state)
{
	struct span_world *w = world_new();

	assert_int_equal(span_world_param(w, SPAN_PARAM_REFCOUNT_BITS), 32);
	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 3),
		   -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 63),
		   -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 8), 0);
	assert_int_equal(span_world_param(w, SPAN_PARAM_REFCOUNT_BITS), 8);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * try_get_page() refuses the get that would pass the largest value of an
 * 8-bit signed counter (127); DEVIATION in lib/page.c: one get before the
 * kernel's "count <= 0 after the wrap" test.
 */
static void test_page_try_get_refused_near_overflow(void **state)
{
	struct span_world *w = world_new();
	int page;

	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 8), 0);
	page = touched_page(w, NULL);
	for (int i = 0; i < 126; i++)
		assert_ret(do_get_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 127);
	assert_ret(do_get_page(w, page), -EFAULT);
	assert_int_equal(page_ref(w, page), 127);
	assert_ret(do_get_page(w, page), -EFAULT);
	assert_no_violations(w);
	for (int i = 0; i < 126; i++)
		assert_ret(do_put_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 1);
	/* the refused gets left nothing to put */
	assert_ret(do_put_page(w, page), -EINVAL);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* get_page_check=unchecked: the get wraps the counter (CVE-2019-11487) */
static void test_page_unchecked_get_overflows(void **state)
{
	struct span_world *w = world_new();
	const struct span_violation *v;
	int page;

	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 8), 0);
	set_knob(w, SPAN_KNOB_GET_PAGE_CHECK, SPAN_GET_PAGE_UNCHECKED);
	page = touched_page(w, NULL);
	for (int i = 0; i < 126; i++)
		assert_ret(do_get_page(w, page), 0);
	assert_no_violations(w);
	assert_ret(do_get_page(w, page), 0);
	assert_true(page_ref(w, page) < 0); /* wrapped: -128 */
	assert_int_equal(page_ref(w, page), -128);
	v = find_violation(w, SPAN_INV_REFCOUNT_OVERFLOW);
	assert_non_null(v);
	assert_int_equal(v->obj_type, SPAN_OBJ_PAGE);
	assert_int_equal(v->obj, page);
	assert_int_equal(v->step, span_world_step(w));

	span_world_teardown(w);
	span_world_destroy(w);
}

/* pincount=bias: a pin of a small folio adds GUP_PIN_COUNTING_BIAS */
static void test_page_pin_bias(void **state)
{
	struct span_world *w = world_new();
	int region, page = touched_page(w, &region), pages[2];
	struct span_page_info info;

	assert_int_equal(SPAN_GUP_PIN_COUNTING_BIAS, 1024);
	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG, SPAN_FOLL_PIN, pages,
			  2),
		   1);
	assert_int_equal(pages[0], page);
	info = page_info(w, page);
	assert_int_equal(info.refcount, 1 + 1024);
	assert_int_equal(info.pincount, 1);
	assert_true(info.maybe_pinned);
	assert_int_equal(span_pinned_bytes(w), PG);
	/* a second pin */
	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, 1, SPAN_FOLL_PIN, pages,
			  2),
		   1);
	assert_int_equal(page_ref(w, page), 1 + 2048);
	assert_int_equal(page_info(w, page).pincount, 2);
	assert_int_equal(span_pinned_bytes(w), PG);
	assert_ret(do_unpin(w, page), 0);
	assert_int_equal(page_ref(w, page), 1 + 1024);
	assert_ret(do_unpin(w, page), 0);
	info = page_info(w, page);
	assert_int_equal(info.refcount, 1);
	assert_int_equal(info.pincount, 0);
	assert_false(info.maybe_pinned);
	assert_int_equal(span_pinned_bytes(w), 0);
	/* no pin left to drop */
	assert_ret(do_unpin(w, page), -EINVAL);
	assert_int_equal(page_ref(w, page), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * pincount=bias: folio_maybe_dma_pinned() is "refcount >= 1024", so 1023
 * plain references make an unpinned page look pinned (KSEM 1.3).
 */
static void test_page_maybe_pinned_false_positive_bias(void **state)
{
	struct span_world *w = world_new();
	int page = touched_page(w, NULL);
	struct span_page_info info;

	for (int i = 0; i < 1022; i++)
		assert_ret(do_get_page(w, page), 0);
	info = page_info(w, page);
	assert_int_equal(info.refcount, 1023);
	assert_false(info.maybe_pinned);
	assert_ret(do_get_page(w, page), 0);
	info = page_info(w, page);
	assert_int_equal(info.refcount, 1024);
	assert_int_equal(info.pincount, 0);
	assert_true(info.maybe_pinned); /* false positive */
	assert_int_equal(span_pinned_bytes(w), 0);
	for (int i = 0; i < 1023; i++)
		assert_ret(do_put_page(w, page), 0);
	assert_false(page_info(w, page).maybe_pinned);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* pincount=exact: a pin adds 1 ref and 1 pin; plain refs never look pinned */
static void test_page_pin_exact(void **state)
{
	struct span_world *w = world_new();
	int region, page, pages[1];
	struct span_page_info info;

	set_knob(w, SPAN_KNOB_PINCOUNT, SPAN_PINCOUNT_EXACT);
	page = touched_page(w, &region);
	for (int i = 0; i < 1023; i++)
		assert_ret(do_get_page(w, page), 0);
	info = page_info(w, page);
	assert_int_equal(info.refcount, 1024);
	assert_false(info.maybe_pinned); /* exact: no false positive */
	for (int i = 0; i < 1023; i++)
		assert_ret(do_put_page(w, page), 0);

	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG, SPAN_FOLL_PIN, pages,
			  1),
		   1);
	info = page_info(w, page);
	assert_int_equal(info.refcount, 2);
	assert_int_equal(info.pincount, 1);
	assert_true(info.maybe_pinned);
	assert_int_equal(span_pinned_bytes(w), PG);
	assert_ret(do_unpin(w, page), 0);
	info = page_info(w, page);
	assert_int_equal(info.refcount, 1);
	assert_int_equal(info.pincount, 0);
	assert_false(info.maybe_pinned);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 1.3: FOLL_PIN on the zero page counts nothing */
static void test_page_zero_page_pins_free(void **state)
{
	struct span_world *w = world_new();
	int zero = span_zero_page(w), region, pages[2];
	int64_t before;

	assert_true(zero > 0);
	assert_int_equal(page_info(w, zero).kind, SPAN_PAGE_ZERO);
	region = do_mmap(w, SPAN_INIT_PID, 2 * PG, SPAN_MMAP_UNTOUCHED, NULL);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0), zero);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, PG), zero);
	before = page_ref(w, zero);
	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, 2 * PG, SPAN_FOLL_PIN,
			  pages, 2),
		   2);
	assert_int_equal(pages[0], zero);
	assert_int_equal(pages[1], zero);
	assert_int_equal(page_ref(w, zero), before);
	assert_int_equal(span_pinned_bytes(w), 0);
	/* unpin of the zero page is a no-op too */
	assert_ret(do_unpin(w, zero), 0);
	assert_ret(do_unpin(w, zero), 0);
	assert_int_equal(page_ref(w, zero), before);
	/* the mapping is still the zero page: a read-only pin does not fault */
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0), zero);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * KSEM 1.6: FOLL_GET does take references on the zero page, and the
 * caller drops them with put_page().
 */
static void test_page_zero_page_get_put(void **state)
{
	struct span_world *w = world_new();
	int zero = span_zero_page(w), region, pages[1];
	int64_t before;

	region = do_mmap(w, SPAN_INIT_PID, PG, SPAN_MMAP_UNTOUCHED, NULL);
	before = page_ref(w, zero);
	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG, SPAN_FOLL_GET, pages,
			  1),
		   1);
	assert_int_equal(pages[0], zero);
	assert_int_equal(page_ref(w, zero), before + 1);
	assert_ret(do_put_page(w, zero), 0);
	assert_int_equal(page_ref(w, zero), before);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * KSEM 1.2/1.6: get_page() on slab memory takes no reference, and
 * span_get_page() documents -EFAULT for frozen memory.
 */
static void test_page_get_on_slab_refused(void **state)
{
	struct span_world *w = world_new();
	int kmem = 0, page, ret;

	step_begin(w, 0);
	ret = span_kmem_alloc(w, PG, SPAN_KMEM_SLAB, 0, "s", 1, &kmem);
	step_end(w);
	assert_ret(ret, 0);
	page = span_kmem_page(w, kmem, 0);
	assert_true(page > 0);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_SLAB);
	assert_int_equal(page_ref(w, page), 0);
	assert_ret(do_get_page(w, page), -EFAULT);
	assert_int_equal(page_ref(w, page), 0);
	/* nothing to put, and put_page() of slab memory is a no-op anyway */
	assert_ret(do_put_page(w, page), -EINVAL);
	assert_int_equal(page_ref(w, page), 0);

	span_world_teardown(w);
	span_world_destroy(w);
}

static void test_page_api_misuse(void **state)
{
	struct span_world *w = world_new();
	struct span_page_info info;
	int page = touched_page(w, NULL);
	const int bad[] = { 0, -1, 1 << 23, 0x7fffffff };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_ret(do_get_page(w, bad[i]), -EINVAL);
		assert_ret(do_put_page(w, bad[i]), -EINVAL);
		assert_ret(do_unpin(w, bad[i]), -EINVAL);
		assert_ret(span_page_info(w, bad[i], &info), -EINVAL);
	}
	assert_ret(span_page_info(w, page, NULL), -EINVAL);
	assert_ret(span_page_info(NULL, page, &info), -EINVAL);
	assert_ret(span_get_page(NULL, page), -EINVAL);
	assert_ret(span_put_page(NULL, page), -EINVAL);
	assert_ret(span_unpin_user_page(NULL, page), -EINVAL);
	assert_ret(span_zero_page(NULL), -EINVAL);
	assert_int_equal(span_pinned_bytes(NULL), 0);
	assert_null(span_page_kind_name(-1));
	assert_null(span_page_kind_name(SPAN_NR_PAGE_KINDS));
	/* put and unpin without a get or a pin */
	assert_ret(do_put_page(w, page), -EINVAL);
	assert_ret(do_unpin(w, page), -EINVAL);
	/* a pin is not a ref and a ref is not a pin */
	assert_ret(do_get_page(w, page), 0);
	assert_ret(do_unpin(w, page), -EINVAL);
	assert_ret(do_put_page(w, page), 0);
	assert_int_equal(page_ref(w, page), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_fresh_anon_state),
		cmocka_unit_test(test_page_get_put),
		cmocka_unit_test(test_page_last_put_frees),
		cmocka_unit_test(test_page_refcount_bits_param),
		cmocka_unit_test(test_page_try_get_refused_near_overflow),
		cmocka_unit_test(test_page_unchecked_get_overflows),
		cmocka_unit_test(test_page_pin_bias),
		cmocka_unit_test(test_page_maybe_pinned_false_positive_bias),
		cmocka_unit_test(test_page_pin_exact),
		cmocka_unit_test(test_page_zero_page_pins_free),
		cmocka_unit_test(test_page_zero_page_get_put),
		cmocka_unit_test(test_page_get_on_slab_refused),
		cmocka_unit_test(test_page_api_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
