// SPDX-License-Identifier: MIT
/*
 * test_cov_mm.c - span_process_create() (include/span/mm.h: a process with
 * an empty address space that shares nothing with init) and misuse of the
 * page reference API recorded as violations.
 */
#include "span_unit.h"

/* a new process has its own memory; nothing it stores is seen by init */
static void test_process_create_is_private(void **state)
{
	struct span_world *w = world_new();
	int pid = 0, r1, r2, child, pg;
	char out[8];

	(void)state;
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_process_create(w, &pid), 0);
	step_end(w);
	assert_true(pid > SPAN_INIT_PID);
	r1 = do_mmap(w, SPAN_INIT_PID, PG, 0, "init");
	r2 = do_mmap(w, pid, PG, 0, "proc");
	assert_int_not_equal(r1, r2);
	/* init's region is not mapped in the new process */
	assert_true(do_load(w, pid, r1, 0, out, 4) < 0);
	assert_ret(do_store(w, pid, r2, 0, "mine", 4), 0);
	assert_ret(do_load(w, pid, r2, 0, out, 4), 0);
	assert_memory_equal(out, "mine", 4);
	pg = span_region_page(w, pid, r2, 0);
	assert_true(pg > 0);
	assert_int_equal(page_ref(w, pg), 1);
	assert_int_equal(page_info(w, pg).mapcount, 1);
	/* it can fork like any process: the child shares the page COW */
	child = do_fork(w, pid);
	assert_int_equal(page_info(w, pg).mapcount, 2);
	assert_ret(do_store(w, child, r2, 0, "kid!", 4), 0);
	assert_ret(do_load(w, pid, r2, 0, out, 4), 0);
	assert_memory_equal(out, "mine", 4);
	assert_int_equal(page_info(w, pg).mapcount, 1);
	assert_no_violations(w);
	assert_int_equal(span_world_teardown(w), 0);
	span_world_destroy(w);
}

/*
 * put_page() and unpin_user_page() of references the caller never took
 * are refused (-EINVAL) and change nothing; a caller that does hold a
 * reference puts it and the page keeps the mapping's.
 */
static void test_page_api_refuses_unheld_refs(void **state)
{
	struct span_world *w = world_new();
	int r, pg;

	(void)state;
	r = do_mmap(w, SPAN_INIT_PID, PG, 0, "x");
	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "y", 1), 0);
	pg = span_region_page(w, SPAN_INIT_PID, r, 0);
	assert_ret(do_put_page(w, pg), -EINVAL);
	assert_ret(do_unpin(w, pg), -EINVAL);
	assert_int_equal(page_ref(w, pg), 1);
	assert_ret(do_get_page(w, pg), 0);
	assert_int_equal(page_ref(w, pg), 2);
	assert_ret(do_put_page(w, pg), 0);
	assert_int_equal(page_ref(w, pg), 1);
	assert_ret(do_put_page(w, pg), -EINVAL);
	assert_int_equal(page_ref(w, pg), 1);
	assert_ret(do_munmap(w, SPAN_INIT_PID, r), 0);
	assert_true(page_freed(w, pg));
	assert_ret(do_get_page(w, pg), -EINVAL);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_create_is_private),
		cmocka_unit_test(test_page_api_refuses_unheld_refs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
