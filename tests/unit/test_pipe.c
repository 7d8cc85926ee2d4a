// SPDX-License-Identifier: MIT
/*
 * test_pipe.c - pipes: ring, write merging, packet mode, blocking, EOF,
 * EPIPE, F_SETPIPE_SZ (span/pipe.h, span/fd.h).
 *
 * KSEM 4 (fs/pipe.c), 12.A (ledger: write -> pipe -> read), 13.A (the
 * userspace-observable pipe catalogue).
 */
#include "span_unit.h"

static void test_pipe_create_defaults(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	struct span_pipe_info info = pipe_info(w, p);

	/* KSEM 4.2: 16 slots, one reader, one writer; 13.A.1: 65536 */
	assert_int_equal(info.max_usage, 16);
	assert_int_equal(info.ring_size, 16);
	assert_int_equal(info.readers, 1);
	assert_int_equal(info.writers, 1);
	assert_int_equal(info.head, info.tail);
	assert_int_equal(info.bytes, 0);
	assert_ret(span_pipe_get_size(w, PR(p)), 65536);
	assert_ret(span_pipe_get_size(w, PW(p)), 65536);
	assert_true(span_fd_valid(w, PR(p)));
	assert_true(span_fd_valid(w, PW(p)));
	/* KSEM 4.2: unknown pipe2() flags */
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_pipe_create(w, 0x100, &p), -EINVAL);
	step_end(w);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 4.2/13.A.1: past pipe-user-pages-soft a new pipe gets 2 slots */
static void test_pipe_user_pages_soft_limit(void **state)
{
	struct span_world *w = world_new();
	int a, b;

	assert_ret(span_world_set_param(w, SPAN_PARAM_PIPE_USER_PAGES_SOFT, 16),
		   0);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	assert_ret(span_pipe_get_size(w, PW(a)), 65536);
	assert_ret(span_pipe_get_size(w, PW(b)), 8192);
	assert_int_equal(pipe_info(w, b).max_usage, 2);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 12.A, step by step */
static void test_pipe_ledger_a_write_read(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), page;
	struct span_pipe_buf_info b;
	struct span_page_info info;

	/* 1. write(4096): a new page, rc 1, an anon slot with CAN_MERGE */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'a', PG, 0), PG);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	b = pipe_buf(w, p, 0);
	page = b.page;
	assert_int_equal(b.ops, SPAN_PBO_ANON);
	assert_int_equal(b.offset, 0);
	assert_int_equal(b.len, PG);
	assert_int_equal(b.flags, SPAN_PIPE_BUF_FLAG_CAN_MERGE);
	info = page_info(w, page);
	assert_int_equal(info.kind, SPAN_PAGE_PIPE);
	assert_int_equal(info.refcount, 1);
	assert_int_equal(info.mapcount, 0);
	/* 2. read(4096): copy out; rc == 1, so the page is kept in tmp_page */
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'a', PG);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	assert_int_equal(pipe_bytes(w, p), 0);
	info = page_info(w, page);
	assert_int_equal(info.kind, SPAN_PAGE_PIPE);
	assert_int_equal(info.refcount, 1);
	/* the next write reuses it */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'b', 10, 0), 10);
	assert_int_equal(pipe_buf(w, p, 0).page, page);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'b', 10);

	span_world_teardown(w);
	assert_no_violations(w);
	assert_true(page_freed(w, page));
	span_world_destroy(w);
}

/* tmp_page[] holds two pages; a third released page is freed */
static void test_pipe_tmp_page_cache_two(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), pages[3], kept = 0;

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'x', 3 * PG, 0),
		   3 * PG);
	for (int i = 0; i < 3; i++)
		pages[i] = pipe_buf(w, p, (uint32_t)i).page;
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'x', 3 * PG);
	for (int i = 0; i < 3; i++)
		kept += !page_freed(w, pages[i]);
	assert_int_equal(kept, 2);
	assert_true(page_freed(w, pages[2]));
	/* the two cached pages serve the next two pages written */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'y', 2 * PG, 0),
		   2 * PG);
	for (int i = 0; i < 2; i++) {
		int page = pipe_buf(w, p, (uint32_t)i).page;

		assert_true(page == pages[0] || page == pages[1]);
	}

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 4.3 step 4: small writes merge into the last CAN_MERGE buffer */
static void test_pipe_write_merge(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char buf[300];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "0123456789", 10, 0),
		   10);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abcdefghij", 10, 0),
		   10);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	assert_int_equal(pipe_buf(w, p, 0).len, 20);
	assert_int_equal(pipe_buf(w, p, 0).flags, SPAN_PIPE_BUF_FLAG_CAN_MERGE);
	/* 13.A.8: FIONREAD */
	assert_int_equal(pipe_bytes(w, p), 20);
	/* 4100 bytes: the first 4100 % 4096 = 4 merge, 4096 go to a new page */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'm', PG + 4, 0),
		   PG + 4);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	assert_int_equal(pipe_buf(w, p, 0).len, 24);
	assert_int_equal(pipe_buf(w, p, 1).len, PG);
	assert_int_equal(pipe_bytes(w, p), 24 + PG);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 24, 0), 24);
	assert_memory_equal(buf, "0123456789abcdefghijmmmm", 24);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'm', PG);
	/* a multiple of the page size never merges (chars == 0) */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'n', 10, 0), 10);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'o', PG, 0), PG);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	assert_int_equal(pipe_buf(w, p, 0).len, 10);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'n', 10);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'o', PG);
	/* a merge only if it fits in the page */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'q', 4000, 0), 4000);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'r', 96, 0), 96);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	assert_int_equal(pipe_buf(w, p, 0).len, PG);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 's', 1, 0), 1);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	assert_int_equal(pipe_buf(w, p, 1).len, 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* a read that takes part of a buffer leaves the rest at a new offset */
static void test_pipe_partial_read(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char buf[16];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "hello world", 11, 0),
		   11);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 6, 0), 6);
	assert_memory_equal(buf, "hello ", 6);
	assert_int_equal(pipe_buf(w, p, 0).offset, 6);
	assert_int_equal(pipe_buf(w, p, 0).len, 5);
	assert_int_equal(pipe_bytes(w, p), 5);
	/* reads never wait for more: a larger read returns what is there */
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "world", 5);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 4.5, 13.A.9: packet mode (O_DIRECT) */
static void test_pipe_packet_one_per_read(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, SPAN_PIPE_PACKET);
	char buf[1000];

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), '1', 10, 0), 10);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), '2', 20, 0), 20);
	/* no merging in packet mode */
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	assert_int_equal(pipe_buf(w, p, 0).flags, SPAN_PIPE_BUF_FLAG_PACKET);
	assert_int_equal(pipe_buf(w, p, 1).flags, SPAN_PIPE_BUF_FLAG_PACKET);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 1000, 0), 10);
	assert_true(all_bytes(buf, '1', 10));
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 1000, 0), 20);
	assert_true(all_bytes(buf, '2', 20));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_pipe_packet_short_read_discards(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, SPAN_PIPE_PACKET);
	char buf[100];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "0123456789", 10, 0),
		   10);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 4, 0), 4);
	assert_memory_equal(buf, "0123", 4);
	/* the other 6 bytes of the packet are gone */
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	assert_int_equal(pipe_bytes(w, p), 0);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 100, SPAN_O_NONBLOCK),
		   -EAGAIN);
	/* the next packet is read whole */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abc", 3, 0), 3);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 100, 0), 3);
	assert_memory_equal(buf, "abc", 3);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_pipe_packet_large_write_splits(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, SPAN_PIPE_PACKET);
	static char buf[8192];

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'p', 5000, 0), 5000);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	assert_int_equal(pipe_buf(w, p, 0).len, 4096);
	assert_int_equal(pipe_buf(w, p, 1).len, 904);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, sizeof(buf), 0), 4096);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, sizeof(buf), 0), 904);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.A.5: a non-blocking write larger than the free space is partial */
static void test_pipe_nonblock_full(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, SPAN_PIPE_NONBLOCK), q = new_pipe(w, 0);

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'f', 100000, 0),
		   65536);
	assert_int_equal(pipe_nr_bufs(w, p), 16);
	assert_int_equal(pipe_bytes(w, p), 65536);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'f', 1, 0), -EAGAIN);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'f', 100, 0),
		   -EAGAIN);
	/* the per-call O_NONBLOCK on a blocking pipe does the same */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(q), 'g', 100000,
				 SPAN_O_NONBLOCK),
		   65536);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(q), 'g', 1,
				 SPAN_O_NONBLOCK),
		   -EAGAIN);
	/* 13.A.7: read of an empty pipe with writers and O_NONBLOCK */
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'f', 65536);
	{
		char c;

		assert_ret(do_read(w, SPAN_INIT_PID, PR(p), &c, 1, 0), -EAGAIN);
	}

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* a blocking write sleeps with its progress in *done, then continues */
static void test_pipe_blocking_write_continues(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	static char data[100000], out[100000];
	struct span_src src = { .buf = data };
	size_t done = 0, total = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 4096);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p), &src, sizeof(data), 0,
			    &done),
		   -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 65536);
	assert_int_equal(pipe_bytes(w, p), 65536);
	/* called again while still full: sleeps again, no progress */
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p), &src, sizeof(data), 0,
			    &done),
		   -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 65536);
	/* a reader frees one slot; the writer continues by one page */
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), out, PG, 0), PG);
	total = PG;
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p), &src, sizeof(data), 0,
			    &done),
		   -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 65536 + PG);
	/* drain, and the writer finishes */
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), out + total, 65536, 0),
		   65536);
	total += 65536;
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p), &src, sizeof(data), 0,
			    &done),
		   (ssize_t)sizeof(data));
	assert_int_equal(done, sizeof(data));
	assert_int_equal(pipe_bytes(w, p), sizeof(data) - total);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), out + total,
			   sizeof(out) - total, 0),
		   (ssize_t)(sizeof(data) - total));
	assert_memory_equal(out, data, sizeof(data));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_pipe_blocking_read_empty(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char c;

	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), &c, 1, 0),
		   -SPAN_EWOULDSLEEP);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), &c, 1, SPAN_O_NONBLOCK),
		   -EAGAIN);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.A.7: read with no writers returns the data, then 0 (EOF) */
static void test_pipe_eof(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char buf[8];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abc", 3, 0), 3);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_false(span_fd_valid(w, PW(p)));
	assert_int_equal(pipe_info(w, p).writers, 0);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 8, 0), 3);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 8, 0), 0);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 8, SPAN_O_NONBLOCK),
		   0);
	/* the closed end is gone */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "x", 1, 0), -EBADF);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), -EBADF);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.A.6: write with no readers: EPIPE; a 0-byte write returns 0 */
static void test_pipe_epipe(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abc", 3, 0), 3);
	assert_ret(do_close(w, SPAN_INIT_PID, PR(p)), 0);
	assert_int_equal(pipe_info(w, p).readers, 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "x", 1, 0), -EPIPE);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "x", 1,
				SPAN_O_NONBLOCK),
		   -EPIPE);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "x", 0, 0), 0);
	/* a mergeable write fails the same way */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "yy", 2, 0), -EPIPE);
	assert_int_equal(pipe_bytes(w, p), 3);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 4.3/4.4: zero-length reads and writes return 0, with no checks */
static void test_pipe_zero_length(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char c;

	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), &c, 0, 0), 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "x", 0, 0), 0);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'f', 65536, 0),
		   65536);
	/* a full pipe still takes a 0-byte write */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "x", 0, 0), 0);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), &c, 0, 0), 0);
	assert_int_equal(pipe_bytes(w, p), 65536);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* the wrong end of a pipe */
static void test_pipe_wrong_end(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char c;

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PR(p), "x", 1, 0), -EBADF);
	assert_ret(do_read(w, SPAN_INIT_PID, PW(p), &c, 1, 0), -EBADF);
	assert_int_equal(pipe_nr_bufs(w, p), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 4.7, 13.A.2 */
static void test_pipe_set_size_rounding(void **state)
{
	static const struct {
		uint64_t arg;
		int64_t ret;
	} cases[] = {
		{ 0, 4096 },
		{ 1, 4096 },
		{ 4096, 4096 },
		{ 4097, 8192 },
		{ 5000, 8192 },
		{ 65537, 131072 },
		{ 1048576, 1048576 },
		{ 1048577, -EPERM }, /* rounds to 2 MiB > pipe-max-size */
		{ 0x80000001u, -EINVAL },
		{ 65536, 65536 },
	};
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), f = new_file(w, 10, 0, "f");

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t before = span_pipe_get_size(w, PW(p));
		int64_t ret = do_set_size(w, PW(p), cases[i].arg);

		if (ret != cases[i].ret)
			fail_msg("F_SETPIPE_SZ(%llu) = %lld, expected %lld",
				 (unsigned long long)cases[i].arg,
				 (long long)ret, (long long)cases[i].ret);
		assert_ret(span_pipe_get_size(w, PR(p)),
			   cases[i].ret > 0 ? cases[i].ret : before);
		assert_int_equal(pipe_info(w, p).max_usage,
				 span_pipe_get_size(w, PR(p)) / PG);
	}
	/* the read end works as well */
	assert_ret(do_set_size(w, PR(p), 8192), 8192);
	/* 13.A.2: a regular file */
	assert_ret(do_set_size(w, FD_FILE(f), 4096), -EBADF);
	assert_ret(span_pipe_get_size(w, FD_FILE(f)), -EBADF);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* pipe_fcntl(): F_GETPIPE_SZ as a step reads the pipe; errors */
static void test_pipe_fcntl(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), f = new_file(w, 10, 0, "f");
	const struct span_footprint *fp;
	int64_t ret;

	step_begin(w, SPAN_INIT_PID);
	ret = span_pipe_fcntl(w, PR(p), SPAN_F_GETPIPE_SZ, 0);
	fp = span_world_footprint(w);
	assert_int_equal(fp->nr_read, 1);
	assert_int_equal(fp->nr_write, 0);
	step_end(w);
	assert_ret(ret, 65536);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_pipe_fcntl(w, PW(p), SPAN_F_SETPIPE_SZ, 5000), 8192);
	assert_true(span_world_footprint(w)->nr_write >= 1);
	step_end(w);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_pipe_fcntl(w, PW(p), SPAN_F_GETPIPE_SZ, 0), 8192);
	assert_ret(span_pipe_fcntl(w, PW(p), 1033, 0), -EINVAL);
	assert_ret(span_pipe_fcntl(w, FD_FILE(f), SPAN_F_GETPIPE_SZ, 0),
		   -EBADF);
	assert_ret(span_pipe_fcntl(NULL, PW(p), SPAN_F_GETPIPE_SZ, 0),
		   -EINVAL);
	step_end(w);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_pipe_fcntl(w, PW(p), SPAN_F_GETPIPE_SZ, 0), -EBADF);
	assert_ret(span_pipe_fcntl(w, PR(p), SPAN_F_GETPIPE_SZ, 0), 8192);
	step_end(w);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * pipe_ioctl(): FIONREAD sums the buffers on either end (packets too);
 * SIOCOUTQ is -ENOTTY; do_vfs_ioctl(): a file's FIONREAD is i_size - pos
 */
static void test_pipe_ioctl(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), q = new_pipe(w, SPAN_PIPE_PACKET);
	int f = new_file(w, 10, 0, "f");
	const struct span_footprint *fp;
	char out[8];
	int v = -1;

	(void)state;
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_ioctl(w, PR(p), SPAN_FIONREAD, &v), 0);
	assert_int_equal(v, 0);
	fp = span_world_footprint(w);
	assert_int_equal(fp->nr_read, 1);
	assert_int_equal(fp->nr_write, 0);
	step_end(w);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "hello", 5, 0), 5);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(q), "ab", 2, 0), 2);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(q), "cde", 3, 0), 3);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_ioctl(w, PW(p), SPAN_FIONREAD, &v), 0);
	assert_int_equal(v, 5);
	assert_ret(span_ioctl(w, PR(q), SPAN_FIONREAD, &v), 0);
	assert_int_equal(v, 5);
	assert_ret(span_ioctl(w, PR(p), SPAN_SIOCOUTQ, &v), -ENOTTY);
	assert_ret(span_ioctl(w, FD_FILE(f), SPAN_FIONREAD, &v), 0);
	assert_int_equal(v, 10);
	assert_ret(span_ioctl(w, FD_FILE(f), SPAN_SIOCOUTQ, &v), -ENOTTY);
	assert_ret(span_ioctl(w, PR(p), SPAN_FIONREAD, NULL), -EINVAL);
	step_end(w);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), out, 2, 0), 2);
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), out, 4, 0), 4);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_ioctl(w, PR(p), SPAN_FIONREAD, &v), 0);
	assert_int_equal(v, 3);
	assert_ret(span_ioctl(w, FD_FILE(f), SPAN_FIONREAD, &v), 0);
	assert_int_equal(v, 6);
	step_end(w);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_ioctl(w, PW(p), SPAN_FIONREAD, &v), -EBADF);
	assert_ret(span_ioctl(w, PR(p), SPAN_FIONREAD, &v), 0);
	assert_int_equal(v, 3);
	step_end(w);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static int vmsplice_region(struct span_world *w)
{
	return do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "v");
}

/* 13.A.3: two slots that cannot merge block shrinking to one slot */
static void test_pipe_set_size_ebusy(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = vmsplice_region(w);
	char buf[4];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "w", 1, 0), 1);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 1, 0), 1);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	assert_ret(do_set_size(w, PW(p), 4096), -EBUSY);
	assert_ret(span_pipe_get_size(w, PW(p)), 65536);
	assert_ret(do_set_size(w, PW(p), 8192), 8192);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	/* the data survived the resize, in order */
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 4, 0), 2);
	assert_memory_equal(buf, "wv", 2);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.A.3 variant: two 1-byte writes merge, so shrinking works */
static void test_pipe_set_size_mergeable_ok(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char buf[4];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "a", 1, 0), 1);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "b", 1, 0), 1);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	assert_ret(do_set_size(w, PW(p), 4096), 4096);
	assert_int_equal(pipe_info(w, p).max_usage, 1);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 4, 0), 2);
	assert_memory_equal(buf, "ab", 2);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* a resize keeps a wrapped ring's buffers in order */
static void test_pipe_set_size_wrapped_ring(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	char buf[8];

	/* move head and tail to slot 14 of 16 */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'z', 14 * PG, 0),
		   14 * PG);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'z', 14 * PG);
	for (int i = 0; i < 4; i++) {
		char c = (char)('0' + i);

		assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), c, PG, 0),
			   PG);
	}
	assert_ret(do_set_size(w, PW(p), 4 * PG), 4 * PG);
	for (int i = 0; i < 4; i++) {
		assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 1, 0), 1);
		assert_int_equal(buf[0], '0' + i);
		read_expect_fill(w, SPAN_INIT_PID, PR(p), '0' + i, PG - 1);
	}

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.A.4: capacity in bytes depends on the write pattern */
static void test_pipe_one_slot_capacity(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, SPAN_PIPE_NONBLOCK),
	    q = new_pipe(w, SPAN_PIPE_NONBLOCK);
	int r = vmsplice_region(w);

	assert_ret(do_set_size(w, PW(p), 4096), 4096);
	for (int i = 0; i < 40; i++)
		assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'c', 100, 0),
			   100);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	assert_int_equal(pipe_bytes(w, p), 4000);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'c', 100, 0),
		   -EAGAIN);
	/* 96 bytes still fit the page */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'c', 96, 0), 96);
	assert_int_equal(pipe_bytes(w, p), 4096);

	/* a vmspliced buffer never takes a merge */
	assert_ret(do_set_size(w, PW(q), 4096), 4096);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(q), r, 0, 1, 0), 1);
	assert_int_equal(pipe_buf(w, q, 0).flags & SPAN_PIPE_BUF_FLAG_CAN_MERGE,
			 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(q), 'c', 1, 0), -EAGAIN);
	assert_int_equal(pipe_bytes(w, q), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.A.8: FIONREAD is the sum of the buffer lengths */
static void test_pipe_fionread(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = vmsplice_region(w);
	char buf[64];

	assert_int_equal(pipe_bytes(w, p), 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'a', 100, 0), 100);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'a', 100, 0), 100);
	assert_int_equal(pipe_bytes(w, p), 200);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 10, 30, 0), 30);
	assert_int_equal(pipe_bytes(w, p), 230);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 50, 0), 50);
	assert_int_equal(pipe_bytes(w, p), 180);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* close of both ends frees the pipe and every page it held */
static void test_pipe_close_frees(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), page;
	struct span_pipe_info info;

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'k', 100, 0), 100);
	page = pipe_buf(w, p, 0).page;
	assert_ret(do_close(w, SPAN_INIT_PID, PR(p)), 0);
	assert_false(page_freed(w, page));
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_true(page_freed(w, page));
	assert_ret(span_pipe_info(w, p, &info), -EINVAL);
	assert_false(span_fd_valid(w, PR(p)));
	assert_false(span_fd_valid(w, PW(p)));
	assert_ret(do_close(w, SPAN_INIT_PID, PR(p)), -EBADF);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_create_defaults),
		cmocka_unit_test(test_pipe_user_pages_soft_limit),
		cmocka_unit_test(test_pipe_ledger_a_write_read),
		cmocka_unit_test(test_pipe_tmp_page_cache_two),
		cmocka_unit_test(test_pipe_write_merge),
		cmocka_unit_test(test_pipe_partial_read),
		cmocka_unit_test(test_pipe_packet_one_per_read),
		cmocka_unit_test(test_pipe_packet_short_read_discards),
		cmocka_unit_test(test_pipe_packet_large_write_splits),
		cmocka_unit_test(test_pipe_nonblock_full),
		cmocka_unit_test(test_pipe_blocking_write_continues),
		cmocka_unit_test(test_pipe_blocking_read_empty),
		cmocka_unit_test(test_pipe_eof),
		cmocka_unit_test(test_pipe_epipe),
		cmocka_unit_test(test_pipe_zero_length),
		cmocka_unit_test(test_pipe_wrong_end),
		cmocka_unit_test(test_pipe_set_size_rounding),
		cmocka_unit_test(test_pipe_fcntl),
		cmocka_unit_test(test_pipe_ioctl),
		cmocka_unit_test(test_pipe_set_size_ebusy),
		cmocka_unit_test(test_pipe_set_size_mergeable_ok),
		cmocka_unit_test(test_pipe_set_size_wrapped_ring),
		cmocka_unit_test(test_pipe_one_slot_capacity),
		cmocka_unit_test(test_pipe_fionread),
		cmocka_unit_test(test_pipe_close_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
