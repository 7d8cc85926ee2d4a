// SPDX-License-Identifier: MIT
/*
 * test_user_faults.c - system calls whose user range runs out of its
 * mapping: where the kernel faults and what it returns then; and the
 * other argument checks whose order the differential fuzzer found wrong.
 *
 * Found by `spansim kernel --fuzz` (docs/differential.md); each case has
 * its differential scenario in tests/differential/ (dfz-*.scn), whose
 * expectations came from the live kernel.
 */
#include "span_unit.h"

/* write(2) to a file stops at the first page of the source that faults */
static void test_file_write_short_at_fault(void **state)
{
	struct span_world *w = world_new();
	int m = do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "ab");
	int f = new_file(w, 0, 0, NULL);
	struct span_src src = { .region = m, .off = 2 * PG - 2 };
	size_t done = 0;
	char buf[4];

	(void)state;
	/* KREF: generic_perform_write(): a short copy ends the write */
	assert_ret(do_write(w, SPAN_INIT_PID, FD_FILE(f), &src, 10, 0, &done), 2);
	assert_ret(span_file_size(w, f), 2);
	assert_ret(span_file_contents(w, f, 0, buf, 2), 2);
	assert_memory_equal(buf, "ab", 2);
	/* nothing mapped at all: -EFAULT, nothing written */
	src.off = 2 * PG;
	done = 0;
	assert_ret(do_write(w, SPAN_INIT_PID, FD_FILE(f), &src, 10, 0, &done),
		   -EFAULT);
	assert_ret(span_file_size(w, f), 2);
	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* vmsplice to user memory out of the mapping: the empty pipe answers first */
static void test_vmsplice_to_user_empty_first(void **state)
{
	struct span_world *w = world_new();
	int m = do_mmap(w, SPAN_INIT_PID, 16 * PG, 0, "v");
	int p = new_pipe(w, 0);
	char c = 'x';

	(void)state;
	/* KREF: vmsplice_to_user(): import_iovec() checks access_ok() only */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), m, 0x80000000ull,
			       7, SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	/* no mapping at all (a mem whose mmap failed): the same */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), 0, 2281, 7,
			       SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	/* with a buffer to copy, the copy faults */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), &c, 1, 0), 1);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), m, 0x80000000ull,
			       7, SPAN_SPLICE_F_NONBLOCK),
		   -EFAULT);
	/* below the mapping (a negative offset) faults at the copy too */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), m, ~0ull, 7,
			       SPAN_SPLICE_F_NONBLOCK),
		   -EFAULT);
	/* a huge length is clamped (import_iovec()), not refused */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), m, 0, 1ull << 62,
			       SPAN_SPLICE_F_NONBLOCK),
		   1);
	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* pwrite: a negative position before the descriptor (found by --fuzz) */
static void test_pwrite_negative_first(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);

	(void)state;
	/* KREF: ksys_pwrite64(): pos < 0 is -EINVAL, then -ESPIPE */
	assert_ret(do_pwrite(w, SPAN_INIT_PID, PW(p), "1a", 2, -4096ull),
		   -EINVAL);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, PW(p), "1a", 2, 0), -ESPIPE);
	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* splice: a LEN negative as an ssize_t, file and pipe (found by --fuzz) */
static void test_splice_negative_len(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 4097, 0, "f");
	int p = new_pipe(w, 0), q = new_pipe(w, 0);
	uint64_t off = 0;
	ssize_t ret;

	(void)state;
	/* KREF: vfs_splice_read(): rw_verify_area() before the clamp */
	step_begin(w, SPAN_INIT_PID);
	ret = span_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			  (size_t)-4096, SPAN_SPLICE_F_NONBLOCK);
	step_end(w);
	assert_ret(ret, -EINVAL);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "hello", 5, 0), 5);
	/* pipe to pipe: no rw_verify_area(), LEN is just large */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, PW(q), NULL,
			     (size_t)-1, SPAN_SPLICE_F_NONBLOCK),
		   5);
	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * The sparse page cache: a write far past the end costs one page, at 2 GiB
 * and at 4 GiB alike (the dense cache of old gave -ENOMEM and -EFBIG).
 */
static void test_file_sparse_far_write(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 10, 0, "f");

	(void)state;
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 1ull << 31),
		   1);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 1ull << 32),
		   1);
	assert_ret(span_file_size(w, f), (1ll << 32) + 1);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 1 << 20), 1);
	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_write_short_at_fault),
		cmocka_unit_test(test_vmsplice_to_user_empty_first),
		cmocka_unit_test(test_pwrite_negative_first),
		cmocka_unit_test(test_splice_negative_len),
		cmocka_unit_test(test_file_sparse_far_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
