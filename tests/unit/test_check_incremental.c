// SPDX-License-Identifier: MIT
/*
 * test_check_incremental.c - the incremental checker (lib/check.c,
 * enum span_check_mode): it reports at the step the full walk would, from
 * the step's footprint alone, walks the world when it must (the world
 * changed outside a step, a restore, an overflowed footprint), and
 * check=verify counts a holder written without its footprint key.
 *
 * Corruptions go through internal.h, the way a model bug would leave the
 * world; a step "records" the corruption's footprint as a buggy modelled
 * function would (it names what it changed, wrongly).
 */
#include "span_unit.h"

#include "internal.h"

static struct span_check_stats stats(const struct span_world *w)
{
	struct span_check_stats st;

	assert_int_equal(span_world_check_stats(w, &st), 0);
	return st;
}

/* a page of anon memory, mapped and written: refcount 1, mapcount 1 */
static int anon_page(struct span_world *w)
{
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "anon");

	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "x", 1), 0);
	return span_region_page(w, SPAN_INIT_PID, r, 0);
}

static void test_modes(void **state)
{
	struct span_world *w = world_new();

	(void)state;
	assert_int_equal(span_world_check_mode(w), SPAN_CHECK_INCREMENTAL);
	for (int m = SPAN_CHECK_INCREMENTAL; m <= SPAN_CHECK_VERIFY; m++) {
		assert_int_equal(span_check_mode_lookup(span_check_mode_name(m)), m);
		assert_int_equal(span_world_set_check_mode(w, m), 0);
		assert_int_equal(span_world_check_mode(w), m);
	}
	assert_int_equal(span_world_set_check_mode(w, 0), -EINVAL);
	assert_int_equal(span_world_set_check_mode(w, SPAN_CHECK_VERIFY + 1),
			 -EINVAL);
	assert_int_equal(span_world_set_check_mode(NULL, SPAN_CHECK_FULL),
			 -EINVAL);
	assert_int_equal(span_world_check_mode(NULL), -EINVAL);
	assert_null(span_check_mode_name(0));
	assert_int_equal(span_check_mode_lookup("sometimes"), -ENOENT);
	assert_int_equal(span_check_mode_lookup(NULL), -EINVAL);
	assert_int_equal(span_world_check_stats(w, NULL), -EINVAL);
	span_world_destroy(w);
}

/* steps after the first are answered from their footprints */
static void test_steps_are_incremental(void **state)
{
	struct span_world *w = world_new();
	struct span_check_stats st;
	int pipe;

	(void)state;
	anon_page(w);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_pipe_create(w, SPAN_PIPE_NONBLOCK, &pipe), 0);
	step_end(w);
	for (int i = 0; i < 8; i++) {
		step_begin(w, SPAN_INIT_PID);
		assert_ret(span_write(w, SPAN_INIT_PID, PW(pipe),
				      &(struct span_src){ .buf = "abc" }, 3, 0,
				      NULL), 3);
		step_end(w);
	}
	st = stats(w);
	assert_int_equal(st.steps, 11);
	assert_int_equal(st.full, 1);		/* the first step */
	assert_int_equal(st.full_stale, 1);
	assert_int_equal(st.incremental, 10);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * A step changes a page's refcount and names it in its footprint, but no
 * holder let go: the page is compared and the underflow reported at that
 * step, by the full walk's message.
 */
static void test_count_without_holder(void **state)
{
	for (int m = SPAN_CHECK_INCREMENTAL; m <= SPAN_CHECK_FULL; m++) {
		struct span_world *w = world_new();
		const struct span_violation *v;
		int page;

		(void)state;
		span_world_set_check_mode(w, m);
		page = anon_page(w);
		step_begin(w, SPAN_INIT_PID);
		PAGE(w, page)->refcount--;
		span__fp_count(w, SPAN_OBJ_PAGE, (uint32_t)page);
		step_end(w);
		assert_int_equal(span_world_nr_violations(w), 1);
		v = span_world_violation(w, 0);
		assert_int_equal(v->inv, SPAN_INV_REFCOUNT_UNDERFLOW);
		assert_int_equal(v->obj, page);
		assert_int_equal(v->step, span_world_step(w));
		assert_string_equal(v->func, "span_world_check");
		if (m == SPAN_CHECK_INCREMENTAL)
			assert_int_equal(stats(w).full_suspect, 1);
		span_world_destroy(w);
	}
}

/*
 * A holder gains a page without a get: the pipe is in the footprint, its
 * new buffer is counted, and the page it names is compared.
 */
static void test_holder_without_count(void **state)
{
	struct span_world *w = world_new();
	struct span_pipe_inode_info *p;
	int page = anon_page(w), pipe;

	(void)state;
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_pipe_create(w, 0, &pipe), 0);
	step_end(w);
	p = PIPE(w, pipe);
	assert_true(p->live);
	step_begin(w, SPAN_INIT_PID);
	*span__pipe_buf(w, p, p->head) = (struct span_pipe_buffer){
		.page = (uint32_t)page, .len = 1,
		.ops = SPAN_PBO_ANON };
	p->head++;
	span__fp(w, true, SPAN_OBJ_PIPE, (uint32_t)pipe);
	step_end(w);
	assert_int_equal(span_world_nr_violations(w), 1);
	assert_int_equal(span_world_violation(w, 0)->inv,
			 SPAN_INV_REFCOUNT_UNDERFLOW);
	assert_int_equal(span_world_violation(w, 0)->obj, page);
	assert_int_equal(span_world_violation(w, 0)->step, span_world_step(w));
	p->head--;	/* let teardown free it */
	span_world_destroy(w);
}

/*
 * A mapping lets go of its page but the mapcount stays: the page the
 * mapping held before the step is compared too (mapcount must equal the
 * ptes), so the mismatch is reported at that step.
 */
static void test_holder_lets_go(void **state)
{
	struct span_world *w = world_new();
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "anon");
	struct span_vma *vma;
	struct span_pte *pte;
	uint32_t page;

	(void)state;
	vma = span__find_vma(w, SPAN_INIT_PID, (uint32_t)r);
	assert_non_null(vma);
	pte = PTE(w, vma->pte_base);
	page = pte->page;
	step_begin(w, SPAN_INIT_PID);
	pte->present = 0;
	pte->page = 0;
	span__fp(w, true, SPAN_OBJ_VMA,
		 (uint32_t)(vma - TAB_AT(w->vmas, struct span_vma, 0)));
	step_end(w);
	assert_int_equal(span_world_nr_violations(w), 1);
	assert_int_equal(span_world_violation(w, 0)->inv,
			 SPAN_INV_REFCOUNT_UNDERFLOW);
	assert_int_equal(span_world_violation(w, 0)->obj, page);
	assert_non_null(strstr(span_world_violation(w, 0)->msg, "mapcount"));
	span_world_destroy(w);
}

/* changed outside a step, restored, overflowed: the full walk */
static void test_falls_back(void **state)
{
	struct span_world *w = world_new();
	struct span_snapshot *snap;
	struct span_check_stats st;
	int page = anon_page(w);

	(void)state;
	/* between two steps, with a footprint: noticed at the next step */
	assert_int_equal(span_get_page(w, page), 0);
	step_begin(w, SPAN_INIT_PID);
	step_end(w);
	st = stats(w);
	assert_int_equal(st.full_stale, 2);
	assert_no_violations(w);
	assert_int_equal(span_put_page(w, page), 0);

	assert_int_equal(span_world_snapshot(w, &snap), 0);
	step_begin(w, SPAN_INIT_PID);
	step_end(w);
	assert_int_equal(span_world_restore(w, snap), 0);
	step_begin(w, SPAN_INIT_PID);
	step_end(w);
	assert_int_equal(stats(w).full_stale, st.full_stale + 2);
	span_snapshot_free(w, snap);

	/* more reads than fit: nothing the checker needs was lost */
	step_begin(w, SPAN_INIT_PID);
	for (uint32_t i = 1; i <= SPAN_FP_MAX + 8; i++)
		span__fp(w, false, SPAN_OBJ_PIPE, i);
	assert_true(w->fp.overflow && !w->fp.updates_lost);
	step_end(w);
	assert_int_equal(stats(w).full_overflow, 0);
	/* more writes than fit: the whole world */
	step_begin(w, SPAN_INIT_PID);
	for (uint32_t i = 1; i <= SPAN_FP_MAX + 8; i++)
		span__fp(w, true, SPAN_OBJ_PIPE, i);
	assert_true(w->fp.overflow && w->fp.updates_lost);
	step_end(w);
	assert_int_equal(stats(w).full_overflow, 1);

	/* the checker off for a step: the counts are stale after it */
	span_world_set_check(w, false);
	step_begin(w, SPAN_INIT_PID);
	step_end(w);
	span_world_set_check(w, true);
	st = stats(w);
	step_begin(w, SPAN_INIT_PID);
	step_end(w);
	assert_int_equal(stats(w).full_stale, st.full_stale + 1);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * An owner destructed in a step: what still refers to its memory can be
 * anywhere, so the step ends with a full walk, counted as full_destruct
 * (not as full_suspect: nothing was wrong).
 */
static void test_destruct_walks(void **state)
{
	struct span_world *w = world_new();
	struct span_check_stats st;
	int owner = 0;

	(void)state;
	step_begin(w, 0);
	assert_ret(span_owner_create(w, &owner), 0);
	step_end(w);
	st = stats(w);
	step_begin(w, 0);
	assert_ret(span_owner_put(w, owner), 0);
	step_end(w);
	assert_int_equal(stats(w).full_destruct, st.full_destruct + 1);
	assert_int_equal(stats(w).full, st.full + 1);
	assert_int_equal(stats(w).full_suspect, st.full_suspect);
	assert_int_equal(stats(w).incremental, st.incremental);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * A holder written without its footprint key (a footprint bug): the
 * incremental check cannot see it, check=verify counts the disagreement.
 */
static void test_verify_finds_missing_key(void **state)
{
	for (int m = SPAN_CHECK_INCREMENTAL; m <= SPAN_CHECK_VERIFY; m++) {
		struct span_world *w = world_new();
		struct span_check_stats st;
		int page;

		(void)state;
		span_world_set_check_mode(w, m);
		page = anon_page(w);
		step_begin(w, SPAN_INIT_PID);
		PAGE(w, page)->ext_refs++;	/* no span__fp_count() */
		PAGE(w, page)->refcount++;
		step_end(w);
		st = stats(w);
		assert_no_violations(w);
		if (m == SPAN_CHECK_VERIFY) {
			assert_int_equal(st.diverged, 1);
			assert_int_equal(st.diverged_step, span_world_step(w));
			assert_non_null(strstr(st.diverged_msg, "page refs"));
		} else {
			assert_int_equal(st.diverged, 0);
		}
		PAGE(w, page)->ext_refs--;
		PAGE(w, page)->refcount--;
		span_world_destroy(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_steps_are_incremental),
		cmocka_unit_test(test_count_without_holder),
		cmocka_unit_test(test_holder_without_count),
		cmocka_unit_test(test_holder_lets_go),
		cmocka_unit_test(test_falls_back),
		cmocka_unit_test(test_destruct_walks),
		cmocka_unit_test(test_verify_finds_missing_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
