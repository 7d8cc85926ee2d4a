// SPDX-License-Identifier: MIT
/*
 * test_fault.c - fault injection (span/fault.h): a failed allocation is
 * -ENOMEM and leaves nothing behind; a failed user copy is -EFAULT.
 *
 * Style guide rule 38 (the OOM sweep: fail at N = 1, 2, ... until the run
 * passes; every failure must be -ENOMEM and leak-free), KSEM 4.3 (write:
 * -ENOMEM/-EFAULT only if nothing was written), 4.4 (read: -EFAULT only if
 * nothing was read).
 */
#include "span_unit.h"

static void arm(struct span_world *w, int cls, uint64_t nth, uint64_t repeat)
{
	assert_ret(span_fault_set(w, cls, nth, repeat), 0);
}

static void test_fault_counters(void **state)
{
	struct span_world *w = world_new();
	int p;

	arm(w, SPAN_FAULT_ALLOC, 0, 0);
	assert_int_equal(span_fault_count(w, SPAN_FAULT_ALLOC), 0);
	p = new_pipe(w, 0);
	assert_true(span_fault_count(w, SPAN_FAULT_ALLOC) > 0);
	assert_int_equal(span_fault_hits(w, SPAN_FAULT_ALLOC), 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abc", 3, 0), 3);
	assert_int_equal(span_fault_count(w, SPAN_FAULT_COPY), 1);
	/* span_fault_set() restarts the count */
	arm(w, SPAN_FAULT_COPY, 5, 0);
	assert_int_equal(span_fault_count(w, SPAN_FAULT_COPY), 0);
	assert_ret(span_fault_set(w, -1, 1, 0), -EINVAL);
	assert_ret(span_fault_set(w, SPAN_NR_FAULT_CLASSES, 1, 0), -EINVAL);
	assert_ret(span_fault_set(NULL, SPAN_FAULT_ALLOC, 1, 0), -EINVAL);
	assert_int_equal(span_fault_count(NULL, SPAN_FAULT_ALLOC), 0);
	assert_int_equal(span_fault_count(w, -1), 0);
	assert_int_equal(span_fault_hits(w, SPAN_NR_FAULT_CLASSES), 0);
	span_fault_hit(SPAN_FAULT_ALLOC); /* a breakpoint: does nothing */

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- allocation failures -------------------------------------------------- */

static void test_fault_alloc_pipe_create(void **state)
{
	struct span_world *w = world_new();
	int p = 0, ret;

	arm(w, SPAN_FAULT_ALLOC, 1, 0);
	step_begin(w, SPAN_INIT_PID);
	ret = span_pipe_create(w, 0, &p);
	step_end(w);
	assert_ret(ret, -ENOMEM);
	assert_int_equal(p, 0);
	assert_int_equal(span_fault_hits(w, SPAN_FAULT_ALLOC), 1);
	/* one failure only: the next create works and gets the first id */
	p = new_pipe(w, 0);
	assert_int_equal(p, 1);
	/* the second allocation of a create (the ring) fails too cleanly */
	arm(w, SPAN_FAULT_ALLOC, 2, 0);
	step_begin(w, SPAN_INIT_PID);
	ret = span_pipe_create(w, 0, &p);
	step_end(w);
	assert_ret(ret, -ENOMEM);
	assert_int_equal(p, 1);
	assert_int_equal(new_pipe(w, 0), 2);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 4.3: -ENOMEM only when nothing was written, else a short count */
static void test_fault_alloc_pipe_write(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);

	arm(w, SPAN_FAULT_ALLOC, 1, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'a', 100, 0),
		   -ENOMEM);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	arm(w, SPAN_FAULT_ALLOC, 2, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'b', 3 * PG, 0), PG);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'b', PG);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* a write fault that cannot allocate the copy leaves the page shared */
static void test_fault_alloc_cow_store(void **state)
{
	struct span_world *w = world_new();
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "A");
	int u = span_region_page(w, SPAN_INIT_PID, r, 0);
	int child = do_fork(w, SPAN_INIT_PID);
	char c;

	arm(w, SPAN_FAULT_ALLOC, 1, 0);
	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "B", 1), -ENOMEM);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, r, 0), u);
	assert_int_equal(page_ref(w, u), 2);
	assert_ret(do_load(w, SPAN_INIT_PID, r, 0, &c, 1), 0);
	assert_int_equal(c, 'A');
	assert_ret(do_load(w, child, r, 0, &c, 1), 0);
	assert_int_equal(c, 'A');
	/* retried after the failure, it works */
	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "B", 1), 0);
	assert_true(span_region_page(w, SPAN_INIT_PID, r, 0) != u);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * fork fails half-way: page 0 was already shared with the child, page 1
 * (pinned) needs a copy that cannot be allocated.  Everything the child
 * got is given back.
 */
static void test_fault_alloc_fork_half_way(void **state)
{
	struct span_world *w = world_new();
	int r = do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "F");
	int p0 = span_region_page(w, SPAN_INIT_PID, r, 0);
	int p1 = span_region_page(w, SPAN_INIT_PID, r, PG);
	int pages[1], child = 0, ret;

	assert_ret(do_gup(w, SPAN_INIT_PID, r, PG, PG, SPAN_FOLL_PIN, pages, 1),
		   1);
	/* allocations of fork: process, vma, ptes, then the copy of p1 */
	arm(w, SPAN_FAULT_ALLOC, 4, 0);
	step_begin(w, SPAN_INIT_PID);
	ret = span_fork(w, SPAN_INIT_PID, &child);
	step_end(w);
	assert_ret(ret, -ENOMEM);
	assert_int_equal(span_fault_hits(w, SPAN_FAULT_ALLOC), 1);
	assert_int_equal(page_ref(w, p0), 1);
	assert_int_equal(page_info(w, p0).mapcount, 1);
	assert_int_equal(page_ref(w, p1), 1 + 1024);
	assert_int_equal(page_info(w, p1).mapcount, 1);
	assert_no_violations(w);
	/* the parent goes on, and a later fork works */
	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "x", 1), 0);
	child = do_fork(w, SPAN_INIT_PID);
	assert_true(span_region_page(w, child, r, PG) != p1);
	assert_ret(do_unpin(w, p1), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * span_kmem_alloc(SPAN_KMEM_OWNER) fails on its second page: the call
 * returns -ENOMEM, so the service got no memory and the owner holds none.
 */
static void test_fault_alloc_kmem_owner_partial(void **state)
{
	struct span_world *w = world_new();
	struct span_owner_info info;
	int owner = 0, kmem = 0, ret;

	step_begin(w, 0);
	assert_ret(span_owner_create(w, &owner), 0);
	step_end(w);
	/* allocations: the kmem, its page list, then one per page */
	arm(w, SPAN_FAULT_ALLOC, 4, 0);
	step_begin(w, 0);
	ret = span_kmem_alloc(w, 3 * PG, SPAN_KMEM_OWNER, owner, "o", 1, &kmem);
	step_end(w);
	assert_ret(ret, -ENOMEM);
	assert_int_equal(kmem, 0);
	assert_ret(span_owner_info(w, owner, &info), 0);
	assert_int_equal(info.held_bytes, 0);
	assert_ret(span_kmem_page(w, 1, 0), -EINVAL);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- the OOM sweep -------------------------------------------------------- */

struct sweep {
	struct span_world *w;
	int step_fail; /* calls that hit the fault */
};

/*
 * One call of the sweep: if the injected fault hit during it, it must
 * have returned -ENOMEM (or, for a byte mover with @partial, made some
 * progress short of @ok); otherwise it must have returned @ok.
 * Return: true when the call fully succeeded.
 */
static bool sweep_check(struct sweep *s, uint64_t hits0, long long ret,
			long long ok, bool partial, const char *what)
{
	if (span_fault_hits(s->w, SPAN_FAULT_ALLOC) > hits0) {
		s->step_fail++;
		if (ret == -ENOMEM || (partial && ret > 0 && ret < ok))
			return false;
		fail_msg("%s: fault injected, returned %lld (%s)", what, ret,
			 errn(ret));
	}
	if (ret != ok)
		fail_msg("%s: returned %lld (%s), expected %lld", what, ret,
			 errn(ret), ok);
	return true;
}

/* a run over most allocating calls; the fault may hit any of them */
static void sweep_run(struct sweep *s)
{
	struct span_world *w = s->w;
	int r = 0, p = 0, q = 0, q2 = 0, f = 0, child = 0, owner = 0, kmem;
	uint64_t h, off = 0;
	ssize_t ret;
	int iret;

	h = span_fault_hits(w, SPAN_FAULT_ALLOC);
	step_begin(w, SPAN_INIT_PID);
	iret = span_mmap_anon(w, SPAN_INIT_PID, 3 * PG, 0, "A", 1, &r);
	step_end(w);
	if (!sweep_check(s, h, iret, 0, false, "mmap"))
		r = 0;

	h = span_fault_hits(w, SPAN_FAULT_ALLOC);
	step_begin(w, SPAN_INIT_PID);
	iret = span_pipe_create(w, 0, &p);
	step_end(w);
	if (!sweep_check(s, h, iret, 0, false, "pipe_create"))
		p = 0;

	if (p) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		ret = do_write_fill(w, SPAN_INIT_PID, PW(p), 'w', 5000, 0);
		sweep_check(s, h, ret, 5000, true, "write");
	}
	if (p && r) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		ret = do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG, 0);
		sweep_check(s, h, ret, PG, true, "vmsplice");
	}
	if (r) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		step_begin(w, SPAN_INIT_PID);
		iret = span_fork(w, SPAN_INIT_PID, &child);
		step_end(w);
		if (!sweep_check(s, h, iret, 0, false, "fork"))
			child = 0;
	}
	if (r && child) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		iret = do_store(w, SPAN_INIT_PID, r, 0, "B", 1);
		sweep_check(s, h, iret, 0, false, "COW store");
	}

	h = span_fault_hits(w, SPAN_FAULT_ALLOC);
	step_begin(w, SPAN_INIT_PID);
	iret = span_file_create(w, 2 * PG, 0, "F", 1, &f);
	step_end(w);
	if (!sweep_check(s, h, iret, 0, false, "file_create"))
		f = 0;
	if (f && p) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		ret = do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
				100, 0);
		sweep_check(s, h, ret, 100, false, "splice file->pipe");
	}

	h = span_fault_hits(w, SPAN_FAULT_ALLOC);
	step_begin(w, SPAN_INIT_PID);
	iret = span_pipe_create(w, 0, &q);
	step_end(w);
	if (!sweep_check(s, h, iret, 0, false, "pipe_create 2"))
		q = 0;
	if (p && q) {
		long long bytes = (long long)pipe_bytes(w, p);

		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		ret = do_tee(w, SPAN_INIT_PID, PR(p), PW(q), 100000, 0);
		sweep_check(s, h, ret, bytes, false, "tee");
	}
	if (q) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		sweep_check(s, h, do_set_size(w, PW(q), 131072), 131072, false,
			    "F_SETPIPE_SZ");
	}

	h = span_fault_hits(w, SPAN_FAULT_ALLOC);
	step_begin(w, 0);
	iret = span_owner_create(w, &owner);
	step_end(w);
	if (!sweep_check(s, h, iret, 0, false, "owner_create"))
		owner = 0;
	if (owner) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		step_begin(w, 0);
		iret = span_kmem_alloc(w, 2 * PG, SPAN_KMEM_OWNER, owner, "o",
				       1, &kmem);
		step_end(w);
		sweep_check(s, h, iret, 0, false, "kmem owner");
	}
	h = span_fault_hits(w, SPAN_FAULT_ALLOC);
	step_begin(w, 0);
	iret = span_kmem_alloc(w, 2 * PG, SPAN_KMEM_PAGES, 0, "k", 1, &kmem);
	step_end(w);
	sweep_check(s, h, iret, 0, false, "kmem pages");
	if (f) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		ret = do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "tail", 4,
				3 * PG + 1);
		sweep_check(s, h, ret, 4, false, "pwrite extend");
	}

	/* a partial splice under pipe_split=desc allocates a descriptor */
	set_knob(w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_DESC);
	h = span_fault_hits(w, SPAN_FAULT_ALLOC);
	step_begin(w, SPAN_INIT_PID);
	iret = span_pipe_create(w, 0, &q2);
	step_end(w);
	if (!sweep_check(s, h, iret, 0, false, "pipe_create 3"))
		q2 = 0;
	if (p && q2 && pipe_nr_bufs(w, p) && pipe_buf(w, p, 0).len > 1) {
		h = span_fault_hits(w, SPAN_FAULT_ALLOC);
		ret = do_splice(w, SPAN_INIT_PID, PR(p), NULL, PW(q2), NULL, 1,
				0);
		sweep_check(s, h, ret, 1, false, "splice desc");
	}
}

static void test_fault_alloc_sweep(void **state)
{
	uint64_t n;

	for (n = 1; n < 500; n++) {
		struct sweep s = { world_new(), 0 };
		uint64_t hits;

		arm(s.w, SPAN_FAULT_ALLOC, n, 0);
		sweep_run(&s);
		hits = span_fault_hits(s.w, SPAN_FAULT_ALLOC);
		arm(s.w, SPAN_FAULT_ALLOC, 0, 0);
		if (hits)
			assert_int_equal(s.step_fail, 1);
		span_world_teardown(s.w);
		if (span_world_nr_violations(s.w))
			print_message("with the allocation #%llu failing:\n",
				      (unsigned long long)n);
		assert_no_violations(s.w);
		span_world_destroy(s.w);
		if (!hits)
			break;
	}
	/* the run makes many allocations, and a run past them all passes */
	assert_true(n > 20);
	assert_true(n < 500);
}

/* the same run with every allocation from the Nth on failing */
static void test_fault_alloc_sweep_persistent(void **state)
{
	for (uint64_t n = 1; n < 60; n++) {
		struct sweep s = { world_new(), 0 };

		arm(s.w, SPAN_FAULT_ALLOC, n, 1000000);
		sweep_run(&s);
		arm(s.w, SPAN_FAULT_ALLOC, 0, 0);
		span_world_teardown(s.w);
		if (span_world_nr_violations(s.w))
			print_message("with allocations from #%llu failing:\n",
				      (unsigned long long)n);
		assert_no_violations(s.w);
		span_world_destroy(s.w);
	}
}

/* --- copy failures -------------------------------------------------------- */

static void test_fault_copy_pipe_write(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = do_mmap(w, SPAN_INIT_PID, PG, 0, "R");
	struct span_src src = { .region = r };
	size_t done = 0;

	arm(w, SPAN_FAULT_COPY, 1, 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abc", 3, 0), -EFAULT);
	assert_int_equal(span_fault_hits(w, SPAN_FAULT_COPY), 1);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abc", 3, 0), 3);
	/* the merge path */
	arm(w, SPAN_FAULT_COPY, 1, 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "de", 2, 0), -EFAULT);
	assert_int_equal(pipe_bytes(w, p), 3);
	/* from user memory; the second page of a large write */
	arm(w, SPAN_FAULT_COPY, 1, 0);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p), &src, 100, 0, &done),
		   -EFAULT);
	arm(w, SPAN_FAULT_COPY, 2, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'x', 2 * PG, 0), PG);
	assert_int_equal(pipe_bytes(w, p), 3 + PG);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 4.4: a read whose copy fails returns -EFAULT and consumes nothing */
static void test_fault_copy_pipe_read(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char buf[8];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "hello", 5, 0), 5);
	arm(w, SPAN_FAULT_COPY, 1, 0);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 8, 0), -EFAULT);
	assert_int_equal(pipe_bytes(w, p), 5);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 8, 0), 5);
	assert_memory_equal(buf, "hello", 5);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_fault_copy_pwrite(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, 0, "f");
	char buf[4];

	arm(w, SPAN_FAULT_COPY, 1, 0);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "XYZ", 3, 0),
		   -EFAULT);
	assert_ret(span_file_contents(w, f, 0, buf, 3), 3);
	assert_memory_equal(buf, "fff", 3);
	assert_ret(span_file_size(w, f), PG);
	/* write(2) to the file the same */
	arm(w, SPAN_FAULT_COPY, 1, 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, FD_FILE(f), "XYZ", 3, 0),
		   -EFAULT);
	assert_ret(span_file_contents(w, f, 0, buf, 3), 3);
	assert_memory_equal(buf, "fff", 3);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* vmsplice=copy and vmsplice=steal (without a gift) copy from the user */
static void test_fault_copy_vmsplice_copy(void **state)
{
	static const int modes[] = { SPAN_VMSPLICE_COPY, SPAN_VMSPLICE_STEAL };

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		struct span_world *w = world_new();
		int p, r, u;

		set_knob(w, SPAN_KNOB_VMSPLICE, modes[i]);
		p = new_pipe(w, 0);
		r = do_mmap(w, SPAN_INIT_PID, PG, 0, "V");
		u = span_region_page(w, SPAN_INIT_PID, r, 0);
		arm(w, SPAN_FAULT_COPY, 1, 0);
		assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 100, 0),
			   -EFAULT);
		assert_int_equal(pipe_nr_bufs(w, p), 0);
		assert_int_equal(page_ref(w, u), 1);
		assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 100, 0),
			   100);
		read_expect_fill(w, SPAN_INIT_PID, PR(p), 'V', 100);

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

/* a copy fault on vmsplice to the user (the read end) */
static void test_fault_copy_vmsplice_to_user(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = do_mmap(w, SPAN_INIT_PID, PG, 0, ".");

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "data", 4, 0), 4);
	arm(w, SPAN_FAULT_COPY, 1, 0);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), r, 0, 4, 0), -EFAULT);
	assert_int_equal(pipe_bytes(w, p), 4);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* repeat: the Nth and the next @repeat operations fail */
static void test_fault_copy_repeat(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);

	arm(w, SPAN_FAULT_COPY, 2, 2);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "1", 1, 0), 1);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "2", 1, 0), -EFAULT);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "3", 1, 0), -EFAULT);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "4", 1, 0), -EFAULT);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "5", 1, 0), 1);
	assert_int_equal(span_fault_hits(w, SPAN_FAULT_COPY), 3);
	assert_int_equal(span_fault_count(w, SPAN_FAULT_COPY), 5);
	assert_int_equal(pipe_bytes(w, p), 2);
	/* disarmed */
	arm(w, SPAN_FAULT_COPY, 0, 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "6", 1, 0), 1);
	assert_int_equal(span_fault_hits(w, SPAN_FAULT_COPY), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_counters),
		cmocka_unit_test(test_fault_alloc_pipe_create),
		cmocka_unit_test(test_fault_alloc_pipe_write),
		cmocka_unit_test(test_fault_alloc_cow_store),
		cmocka_unit_test(test_fault_alloc_fork_half_way),
		cmocka_unit_test(test_fault_alloc_kmem_owner_partial),
		cmocka_unit_test(test_fault_alloc_sweep),
		cmocka_unit_test(test_fault_alloc_sweep_persistent),
		cmocka_unit_test(test_fault_copy_pipe_write),
		cmocka_unit_test(test_fault_copy_pipe_read),
		cmocka_unit_test(test_fault_copy_pwrite),
		cmocka_unit_test(test_fault_copy_vmsplice_copy),
		cmocka_unit_test(test_fault_copy_vmsplice_to_user),
		cmocka_unit_test(test_fault_copy_repeat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
