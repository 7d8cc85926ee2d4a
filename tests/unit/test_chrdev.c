// SPDX-License-Identifier: MIT
/*
 * test_chrdev.c - the memory devices /dev/null, /dev/zero and /dev/full
 * (span_chrdev_open(), lib/chrdev.c): drivers/char/mem.c's null_fops,
 * zero_fops and full_fops on every call that takes a descriptor.
 */
#include "span_unit.h"

static int new_dev(struct span_world *w, int minor)
{
	int file = 0, ret;

	step_begin(w, SPAN_INIT_PID);
	ret = span_chrdev_open(w, minor, &file);
	step_end(w);
	assert_ret(ret, 0);
	assert_true(file > 0);
	return FD_FILE(file);
}

static void teardown(struct span_world *w)
{
	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_chrdev_open(void **state)
{
	struct span_world *w = world_new();
	int file = 0;

	assert_ret(span_chrdev_open(w, 4, &file), -EINVAL);
	assert_ret(span_chrdev_open(w, SPAN_CHR_NULL, NULL), -EINVAL);
	assert_ret(span_chrdev_open(NULL, SPAN_CHR_NULL, &file), -EINVAL);
	file = SPAN_FD_ID(new_dev(w, SPAN_CHR_ZERO));
	assert_true(span_fd_valid(w, FD_FILE(file)));
	/* no page cache, i_size 0 */
	assert_ret(span_file_size(w, file), 0);
	assert_ret(span_file_page(w, file, 0), -EINVAL);
	assert_ret(do_close(w, SPAN_INIT_PID, FD_FILE(file)), 0);
	assert_false(span_fd_valid(w, FD_FILE(file)));
	teardown(w);
}

/* read_null(), read_zero(); write_null(), write_full() */
static void test_chrdev_read_write(void **state)
{
	struct span_world *w = world_new();
	int null = new_dev(w, SPAN_CHR_NULL), zero = new_dev(w, SPAN_CHR_ZERO);
	int full = new_dev(w, SPAN_CHR_FULL);
	char buf[100];

	memset(buf, 'x', sizeof(buf));
	assert_ret(do_read(w, SPAN_INIT_PID, null, buf, 100, 0), 0);
	assert_true(all_bytes(buf, 'x', 100));
	assert_ret(do_read(w, SPAN_INIT_PID, zero, buf, 100, 0), 100);
	assert_true(all_bytes(buf, 0, 100));
	memset(buf, 'x', sizeof(buf));
	assert_ret(do_read(w, SPAN_INIT_PID, full, buf, 60, 0), 60);
	assert_true(all_bytes(buf, 0, 60));
	assert_true(all_bytes(buf + 60, 'x', 40));

	assert_ret(do_write_buf(w, SPAN_INIT_PID, null, "abc", 3, 0), 3);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, zero, "abc", 3, 0), 3);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, full, "abc", 3, 0), -ENOSPC);
	/* write_full() is called for a count of 0 too */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, full, "", 0, 0), -ENOSPC);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, null, "", 0, 0), 0);
	/* pwrite: the same ->write, after the offset check */
	assert_ret(do_pwrite(w, SPAN_INIT_PID, null, "abc", 3, 10), 3);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, zero, "abc", 3, 10), 3);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, full, "abc", 3, 10), -ENOSPC);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, null, "abc", 3, (uint64_t)-1),
		   -EINVAL);
	/* the device keeps nothing */
	assert_ret(span_file_size(w, SPAN_FD_ID(zero)), 0);
	teardown(w);
}

/* null_lseek(); FIONREAD reaches vfs_ioctl(): -ENOTTY */
static void test_chrdev_lseek_ioctl(void **state)
{
	struct span_world *w = world_new();
	int zero = new_dev(w, SPAN_CHR_ZERO), null = new_dev(w, SPAN_CHR_NULL);
	int a = 7;

	assert_ret(span_lseek(w, zero, 100, SPAN_SEEK_SET), 0);
	assert_ret(span_lseek(w, zero, 5, SPAN_SEEK_CUR), 0);
	assert_ret(span_lseek(w, null, 5, SPAN_SEEK_END), 0);
	assert_ret(span_lseek(w, null, -5, SPAN_SEEK_SET), 0);
	assert_ret(span_ioctl(w, zero, SPAN_FIONREAD, &a), -ENOTTY);
	assert_ret(span_ioctl(w, null, SPAN_SIOCOUTQ, &a), -ENOTTY);
	assert_int_equal(a, 7);
	teardown(w);
}

/* copy_splice_read(): fresh zeroed pages, capped at the free slots */
static void test_chrdev_splice_read(void **state)
{
	struct span_world *w = world_new();
	int zero = new_dev(w, SPAN_CHR_ZERO), full = new_dev(w, SPAN_CHR_FULL);
	int null = new_dev(w, SPAN_CHR_NULL);
	int p = new_pipe(w, 0), q = new_pipe(w, 0);
	uint64_t off = 5;

	assert_ret(do_splice(w, SPAN_INIT_PID, zero, NULL, PW(p), NULL,
			     3 * 1009, 0),
		   3 * 1009);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	assert_int_equal(page_info(w, pipe_buf(w, p, 0).page).kind,
			 SPAN_PAGE_PIPE);
	/* no PIPE_BUF_FLAG_CAN_MERGE: a write takes a new slot */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "a", 1, 0), 1);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 0, 3 * 1009);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'a', 1);
	assert_ret(do_splice(w, SPAN_INIT_PID, full, &off, PW(p), NULL, 100, 0),
		   100);
	/* capped at the 15 free slots */
	assert_ret(do_splice(w, SPAN_INIT_PID, full, NULL, PW(p), NULL, 1 << 20,
			     SPAN_SPLICE_F_NONBLOCK),
		   15 * PG);
	assert_ret(do_splice(w, SPAN_INIT_PID, zero, NULL, PW(p), NULL, 100,
			     SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	assert_ret(do_splice(w, SPAN_INIT_PID, zero, NULL, PW(p), NULL, 100, 0),
		   -SPAN_EWOULDSLEEP);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 0, 100 + 15 * PG);
	/* null_fops has no splice_read: -EINVAL once there is room */
	assert_ret(do_splice(w, SPAN_INIT_PID, null, NULL, PW(q), NULL, 1024, 0),
		   -EINVAL);
	assert_int_equal(pipe_nr_bufs(w, q), 0);
	/* wait_for_space() first: no reader is -EPIPE */
	assert_ret(do_close(w, SPAN_INIT_PID, PR(q)), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, null, NULL, PW(q), NULL, 1024, 0),
		   -EPIPE);
	assert_ret(do_splice(w, SPAN_INIT_PID, zero, NULL, PW(q), NULL, 1024, 0),
		   -EPIPE);
	teardown(w);
}

/* splice_write_null() consumes; full_fops has no splice_write */
static void test_chrdev_splice_write(void **state)
{
	struct span_world *w = world_new();
	int zero = new_dev(w, SPAN_CHR_ZERO), full = new_dev(w, SPAN_CHR_FULL);
	int null = new_dev(w, SPAN_CHR_NULL);
	int p = new_pipe(w, 0);
	uint64_t off = 5;

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "hello", 5, 0), 5);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, full, NULL, 1024, 0),
		   -EINVAL);
	assert_int_equal(pipe_bytes(w, p), 5);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, null, NULL, 3, 0), 3);
	assert_int_equal(pipe_bytes(w, p), 2);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, zero, &off, 1024, 0),
		   2);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, null, NULL, 1024,
			     SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, null, NULL, 1024, 0),
		   -SPAN_EWOULDSLEEP);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, zero, NULL, 1024, 0),
		   0);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, full, NULL, 1024, 0),
		   -EINVAL);
	teardown(w);
}

/* not a pipe, not a socket */
static void test_chrdev_other_calls(void **state)
{
	struct span_world *w = world_new();
	int zero = new_dev(w, SPAN_CHR_ZERO), null = new_dev(w, SPAN_CHR_NULL);
	int p = new_pipe(w, 0);
	int mem = do_mmap(w, SPAN_INIT_PID, PG, 0, "m");
	struct span_src src = { .buf = "a" };

	assert_ret(do_tee(w, SPAN_INIT_PID, zero, PW(p), 10, 0), -EINVAL);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(p), null, 10, 0), -EINVAL);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, zero, mem, 0, 10, 0), -EBADF);
	assert_ret(span_sendmsg(w, SPAN_INIT_PID, null, &src, 1, 0, NULL),
		   -ENOTSOCK);
	assert_ret(span_pipe_fcntl(w, zero, SPAN_F_GETPIPE_SZ, 0), -EBADF);
	teardown(w);
}

/* the device is state: hashes tell null from zero, restore brings it back */
static void test_chrdev_snapshot(void **state)
{
	struct span_world *a = world_new(), *b = world_new();
	struct span_snapshot *snap = NULL;
	int za = new_dev(a, SPAN_CHR_ZERO);
	int nb = new_dev(b, SPAN_CHR_NULL);
	char buf[8];

	assert_false(span_world_equal(a, b));
	assert_ret(span_world_snapshot(a, &snap), 0);
	assert_ret(do_close(a, SPAN_INIT_PID, za), 0);
	assert_false(span_fd_valid(a, za));
	assert_ret(span_world_restore(a, snap), 0);
	span_snapshot_free(a, snap);
	assert_true(span_fd_valid(a, za));
	assert_ret(do_read(a, SPAN_INIT_PID, za, buf, 8, 0), 8);
	assert_ret(do_read(b, SPAN_INIT_PID, nb, buf, 8, 0), 0);
	teardown(a);
	teardown(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chrdev_open),
		cmocka_unit_test(test_chrdev_read_write),
		cmocka_unit_test(test_chrdev_lseek_ioctl),
		cmocka_unit_test(test_chrdev_splice_read),
		cmocka_unit_test(test_chrdev_splice_write),
		cmocka_unit_test(test_chrdev_other_calls),
		cmocka_unit_test(test_chrdev_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
