// SPDX-License-Identifier: MIT
/*
 * test_splice.c - splice(2), tee(2), vmsplice(2) (span/splice.h) and the
 * policy knobs that change them.
 *
 * KSEM 5 (fs/splice.c), 12.B and 12.F (ledgers), 13.B (errno catalogue),
 * 13.C (aliasing); POLICIES.md vmsplice, pipe_split, pipe_link_merge,
 * pipe_buf_init, get_page_check and cow_reuse, with the CVEs they model:
 * the tee merge bug (fixed in 5.0), Dirty Pipe (CVE-2022-0847), the pipe
 * refcount overflow (CVE-2019-11487) and the GUP-after-fork COW leak
 * (CVE-2020-29374).
 */
#include "span_unit.h"

#define SPLICE_F_BAD 0x8000 /* no such splice flag */

/* one touched anonymous page of @pid filled with @fill */
static int user_mem(struct span_world *w, int pid, uint64_t size,
		    const char *fill)
{
	return do_mmap(w, pid, size, 0, fill);
}

static int user_page(struct span_world *w, int pid, int region, uint64_t off)
{
	int page = span_region_page(w, pid, region, off);

	assert_true(page > 0);
	return page;
}

/* --- ledger B: vmsplice -> store -> read ---------------------------------- */

static void test_splice_ledger_b_vmsplice_store_read(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);
	/* 1. U is an exclusive anon page with rc 1 */
	int r = user_mem(w, SPAN_INIT_PID, PG, "A");
	int u = user_page(w, SPAN_INIT_PID, r, 0);
	struct span_pipe_buf_info b;

	assert_int_equal(page_ref(w, u), 1);
	assert_true(page_info(w, u).anon_exclusive);
	/* 2. vmsplice: FOLL_GET -> rc 2, a user_page slot with flags 0 */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG, 0), PG);
	assert_int_equal(page_ref(w, u), 2);
	assert_int_equal(pipe_nr_bufs(w, p), 1);
	b = pipe_buf(w, p, 0);
	assert_int_equal(b.page, u);
	assert_int_equal(b.ops, SPAN_PBO_USER_PAGE);
	assert_int_equal(b.flags, 0);
	assert_int_equal(b.offset, 0);
	assert_int_equal(b.len, PG);
	/* no FOLL_PIN */
	assert_int_equal(page_info(w, u).pincount, 0);
	assert_int_equal(span_pinned_bytes(w), 0);
	/* 3. the store goes in place: exclusive, no COW */
	assert_ret(do_store_fill(w, SPAN_INIT_PID, r, 0, 'B', PG), 0);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, r, 0), u);
	assert_int_equal(page_ref(w, u), 2);
	/* 4. read sees the new bytes (13.C.1); release -> rc 1 */
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'B', PG);
	assert_int_equal(page_ref(w, u), 1);
	assert_int_equal(pipe_nr_bufs(w, p), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.C.1 control: write() copies, so the store is not seen */
static void test_splice_write_control_copies(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = user_mem(w, SPAN_INIT_PID, PG, "A");
	struct span_src src = { .region = r };
	size_t done = 0;

	assert_ret(do_write(w, SPAN_INIT_PID, PW(p), &src, PG, 0, &done), PG);
	assert_int_equal(page_ref(w, user_page(w, SPAN_INIT_PID, r, 0)), 1);
	assert_ret(do_store_fill(w, SPAN_INIT_PID, r, 0, 'B', PG), 0);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'A', PG);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 12.B.5, 13.C.3: after fork the parent's store copies */
static void test_splice_ledger_b_fork_variant(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = user_mem(w, SPAN_INIT_PID, PG, "A");
	int u = user_page(w, SPAN_INIT_PID, r, 0), child;
	struct span_page_info info;

	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG, 0), PG);
	child = do_fork(w, SPAN_INIT_PID);
	info = page_info(w, u);
	assert_int_equal(info.refcount, 3);
	assert_int_equal(info.mapcount, 2);
	assert_false(info.anon_exclusive);
	assert_int_equal(span_region_page(w, child, r, 0), u);
	/* refcount > 1: wp_can_reuse fails, the parent gets a copy */
	assert_ret(do_store_fill(w, SPAN_INIT_PID, r, 0, 'B', PG), 0);
	assert_true(span_region_page(w, SPAN_INIT_PID, r, 0) != u);
	assert_int_equal(page_ref(w, u), 2);
	assert_int_equal(pipe_buf(w, p, 0).page, u);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'A', PG);
	assert_int_equal(page_ref(w, u), 1);
	assert_int_equal(page_info(w, u).mapcount, 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- ledger F: partial pipe-to-pipe splice and tee ------------------------ */

static void test_splice_ledger_f_partial_and_tee(void **state)
{
	struct span_world *w = world_new();
	int in = new_pipe(w, 0), out = new_pipe(w, 0), out2 = new_pipe(w, 0);
	static char data[PG], buf[PG];
	struct span_pipe_buf_info ib, ob;
	int page;

	for (int i = 0; i < PG; i++)
		data[i] = (char)(i % 251);
	/* 1. ipipe holds 4096 bytes in P (rc 1) */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(in), data, PG, 0), PG);
	page = pipe_buf(w, in, 0).page;
	assert_int_equal(page_ref(w, page), 1);
	/* 2. splice 1000: pipe_buf_get (rc 2), CAN_MERGE/GIFT cleared */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(in), NULL, PW(out), NULL,
			     1000, 0),
		   1000);
	assert_int_equal(page_ref(w, page), 2);
	ob = pipe_buf(w, out, 0);
	assert_int_equal(ob.page, page);
	assert_int_equal(ob.offset, 0);
	assert_int_equal(ob.len, 1000);
	assert_int_equal(ob.flags & (SPAN_PIPE_BUF_FLAG_CAN_MERGE |
				     SPAN_PIPE_BUF_FLAG_GIFT),
			 0);
	ib = pipe_buf(w, in, 0);
	assert_int_equal(ib.page, page);
	assert_int_equal(ib.offset, 1000);
	assert_int_equal(ib.len, 3096);
	assert_int_equal(pipe_nr_bufs(w, in), 1);
	/* 3. tee(large): rc 3; opipe2 {P, 1000, 3096}; ipipe unchanged */
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(in), PW(out2), 100000, 0), 3096);
	assert_int_equal(page_ref(w, page), 3);
	ob = pipe_buf(w, out2, 0);
	assert_int_equal(ob.page, page);
	assert_int_equal(ob.offset, 1000);
	assert_int_equal(ob.len, 3096);
	assert_int_equal(ob.flags & (SPAN_PIPE_BUF_FLAG_CAN_MERGE |
				     SPAN_PIPE_BUF_FLAG_GIFT),
			 0);
	ib = pipe_buf(w, in, 0);
	assert_int_equal(ib.offset, 1000);
	assert_int_equal(ib.len, 3096);
	assert_int_equal(pipe_bytes(w, in), 3096);
	/* the three views of P */
	assert_ret(do_read(w, SPAN_INIT_PID, PR(out), buf, PG, 0), 1000);
	assert_memory_equal(buf, data, 1000);
	assert_int_equal(page_ref(w, page), 2);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(out2), buf, PG, 0), 3096);
	assert_memory_equal(buf, data + 1000, 3096);
	assert_int_equal(page_ref(w, page), 1);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(in), buf, PG, 0), 3096);
	assert_memory_equal(buf, data + 1000, 3096);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* GIFT is stripped from fragments but kept on a whole-buffer move */
static void test_splice_gift_flag(void **state)
{
	struct span_world *w = world_new();
	int in = new_pipe(w, 0), out = new_pipe(w, 0), out2 = new_pipe(w, 0);
	int r = user_mem(w, SPAN_INIT_PID, PG, "g");

	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(in), r, 0, 200,
			       SPAN_SPLICE_F_GIFT),
		   200);
	assert_int_equal(pipe_buf(w, in, 0).flags, SPAN_PIPE_BUF_FLAG_GIFT);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(in), NULL, PW(out), NULL, 50,
			     0),
		   50);
	assert_int_equal(pipe_buf(w, out, 0).flags & SPAN_PIPE_BUF_FLAG_GIFT,
			 0);
	assert_int_equal(pipe_buf(w, in, 0).flags, SPAN_PIPE_BUF_FLAG_GIFT);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(in), PW(out2), 10, 0), 10);
	assert_int_equal(pipe_buf(w, out2, 0).flags & SPAN_PIPE_BUF_FLAG_GIFT,
			 0);
	/* the rest moves whole: its flags go with it */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(in), NULL, PW(out), NULL, 150,
			     0),
		   150);
	assert_int_equal(pipe_nr_bufs(w, in), 0);
	assert_int_equal(pipe_buf(w, out, 1).flags, SPAN_PIPE_BUF_FLAG_GIFT);
	assert_int_equal(pipe_buf(w, out, 1).len, 150);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 5.4: a whole-buffer move changes no refcount and keeps CAN_MERGE */
static void test_splice_whole_buffer_move(void **state)
{
	struct span_world *w = world_new();
	int in = new_pipe(w, 0), out = new_pipe(w, 0), page;
	struct span_pipe_buf_info b;
	char buf[200];

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(in), 'w', 100, 0), 100);
	page = pipe_buf(w, in, 0).page;
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(in), NULL, PW(out), NULL, 100,
			     0),
		   100);
	assert_int_equal(pipe_nr_bufs(w, in), 0);
	assert_int_equal(page_ref(w, page), 1);
	b = pipe_buf(w, out, 0);
	assert_int_equal(b.page, page);
	assert_int_equal(b.len, 100);
	assert_int_equal(b.ops, SPAN_PBO_ANON);
	assert_int_equal(b.flags, SPAN_PIPE_BUF_FLAG_CAN_MERGE);
	/* the moved buffer is the only holder: merging into it is fine */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(out), 'x', 10, 0), 10);
	assert_int_equal(pipe_nr_bufs(w, out), 1);
	assert_int_equal(pipe_buf(w, out, 0).len, 110);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(out), buf, 200, 0), 110);
	assert_true(all_bytes(buf, 'w', 100));
	assert_true(all_bytes(buf + 100, 'x', 10));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 5.4: whole buffers first, then one partial fragment */
static void test_splice_pipe_to_pipe_multi_buffer(void **state)
{
	struct span_world *w = world_new();
	int in = new_pipe(w, 0), out = new_pipe(w, 0), out2 = new_pipe(w, 0);
	int p0, p1;

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(in), 'm', 2 * PG, 0),
		   2 * PG);
	p0 = pipe_buf(w, in, 0).page;
	p1 = pipe_buf(w, in, 1).page;
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(in), NULL, PW(out), NULL,
			     6000, 0),
		   6000);
	assert_int_equal(pipe_nr_bufs(w, out), 2);
	assert_int_equal(pipe_buf(w, out, 0).page, p0);
	assert_int_equal(pipe_buf(w, out, 0).len, PG);
	assert_int_equal(pipe_buf(w, out, 1).page, p1);
	assert_int_equal(pipe_buf(w, out, 1).len, 6000 - PG);
	assert_int_equal(pipe_nr_bufs(w, in), 1);
	assert_int_equal(pipe_buf(w, in, 0).offset, 6000 - PG);
	assert_int_equal(pipe_buf(w, in, 0).len, 2 * PG - 6000);
	assert_int_equal(page_ref(w, p0), 1);
	assert_int_equal(page_ref(w, p1), 2);
	/* 13.B.7: tee(len) trims the last fragment */
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(out), PW(out2), 5000, 0), 5000);
	assert_int_equal(pipe_nr_bufs(w, out2), 2);
	assert_int_equal(pipe_buf(w, out2, 1).len, 5000 - PG);
	assert_int_equal(pipe_bytes(w, out), 6000);
	assert_int_equal(page_ref(w, p0), 2);
	assert_int_equal(page_ref(w, p1), 3);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- errno rules (KSEM 5.1, 13.B) ----------------------------------------- */

static void test_splice_len_zero_first(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0);

	/* 13.B.4: len 0 -> 0 before any other check, even with bad fds */
	assert_ret(do_splice(w, SPAN_INIT_PID, -1, NULL, -1, NULL, 0, 0), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, 0, NULL, 12345, NULL, 0, 0), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, PW(p), NULL, 0,
			     SPLICE_F_BAD),
		   0);
	/* tee: flags first, then len 0 -> 0, then the fds */
	assert_ret(do_tee(w, SPAN_INIT_PID, -1, -1, 0, 0), 0);
	assert_ret(do_tee(w, SPAN_INIT_PID, -1, -1, 0, SPLICE_F_BAD), -EINVAL);
	/* vmsplice: a total length of 0 -> 0 */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), 0, 0, 0, 0), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_splice_bad_flags(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0);
	int r = user_mem(w, SPAN_INIT_PID, PG, "f");

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(a), 'f', 10, 0), 10);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(b), NULL, 10,
			     SPLICE_F_BAD),
		   -EINVAL);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(b), NULL, 10,
			     SPAN_MSG_PEEK),
		   -EINVAL);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 10, SPLICE_F_BAD),
		   -EINVAL);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(b), r, 0, 10, SPLICE_F_BAD),
		   -EINVAL);
	/* flags are checked before the fds */
	assert_ret(do_splice(w, SPAN_INIT_PID, -1, NULL, -1, NULL, 10,
			     SPLICE_F_BAD),
		   -EINVAL);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, -1, r, 0, 10, SPLICE_F_BAD),
		   -EINVAL);
	/* every valid flag is accepted */
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 1,
			  SPAN_SPLICE_F_MOVE | SPAN_SPLICE_F_NONBLOCK |
				  SPAN_SPLICE_F_MORE | SPAN_SPLICE_F_GIFT),
		   1);
	assert_int_equal(pipe_bytes(w, a), 10);
	assert_int_equal(pipe_bytes(w, b), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_splice_bad_fd(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0), c = new_pipe(w, 0);
	int r = user_mem(w, SPAN_INIT_PID, PG, "f");
	const int bad[] = { 0, -1, PR(999), PW(999), FD_FILE(999), 0x7f000001 };

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(a), 'f', 10, 0), 10);
	assert_ret(do_close(w, SPAN_INIT_PID, PR(c)), 0);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(c)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_ret(do_splice(w, SPAN_INIT_PID, bad[i], NULL, PW(b),
				     NULL, 10, 0),
			   -EBADF);
		assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, bad[i],
				     NULL, 10, 0),
			   -EBADF);
		assert_ret(do_tee(w, SPAN_INIT_PID, bad[i], PW(b), 10, 0),
			   -EBADF);
		assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), bad[i], 10, 0),
			   -EBADF);
		assert_ret(do_vmsplice(w, SPAN_INIT_PID, bad[i], r, 0, 10, 0),
			   -EBADF);
	}
	/* closed pipe ends */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(c), NULL, PW(b), NULL, 10, 0),
		   -EBADF);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(c), r, 0, 10, 0), -EBADF);
	/* the wrong end: in without FMODE_READ, out without FMODE_WRITE */
	assert_ret(do_splice(w, SPAN_INIT_PID, PW(a), NULL, PW(b), NULL, 10, 0),
		   -EBADF);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PR(b), NULL, 10, 0),
		   -EBADF);
	assert_ret(do_tee(w, SPAN_INIT_PID, PW(a), PW(b), 10, 0), -EBADF);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PR(b), 10, 0), -EBADF);
	/* nothing moved */
	assert_int_equal(pipe_bytes(w, a), 10);
	assert_int_equal(pipe_bytes(w, b), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.1, 13.B.2, 13.B.3, 13.B.5, 13.B.7 */
static void test_splice_einval_espipe_ebadf(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0);
	int f = new_file(w, PG, 0, "f"), g = new_file(w, PG, 0, "g");
	int ro = new_file(w, PG, SPAN_FILE_RDONLY, "r");
	uint64_t off = 0;

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(a), 'f', 10, 0), 10);
	/* 13.B.1: the same pipe */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(a), NULL, 10, 0),
		   -EINVAL);
	/* 13.B.2: an offset on a pipe */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), &off, PW(b), NULL, 10, 0),
		   -ESPIPE);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(b), &off, 10, 0),
		   -ESPIPE);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), NULL, PW(b), &off,
			     10, 0),
		   -ESPIPE);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), &off, FD_FILE(f), NULL,
			     10, 0),
		   -ESPIPE);
	/* 13.B.3: neither side a pipe */
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), NULL, FD_FILE(g),
			     NULL, 10, 0),
		   -EINVAL);
	/* 13.B.5: pipe -> a read-only file */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, FD_FILE(ro), NULL,
			     10, 0),
		   -EBADF);
	/* 13.B.7: tee needs two pipes, and two different ones */
	assert_ret(do_tee(w, SPAN_INIT_PID, FD_FILE(f), PW(b), 10, 0), -EINVAL);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), FD_FILE(f), 10, 0), -EINVAL);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(a), 10, 0), -EINVAL);
	assert_int_equal(pipe_bytes(w, a), 10);
	assert_int_equal(pipe_bytes(w, b), 0);
	assert_int_equal(off, 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.7: tee of 10 over a 100-byte buffer; the input is not consumed */
static void test_tee_trims_and_keeps_input(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0);
	char buf[128];

	for (int i = 0; i < 100; i++)
		buf[i] = (char)('0' + i % 10);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), buf, 100, 0), 100);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 10, 0), 10);
	assert_int_equal(pipe_bytes(w, b), 10);
	assert_int_equal(pipe_bytes(w, a), 100);
	memset(buf, 0, sizeof(buf));
	assert_ret(do_read(w, SPAN_INIT_PID, PR(b), buf, 128, 0), 10);
	assert_memory_equal(buf, "0123456789", 10);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(a), buf, 128, 0), 100);
	assert_memory_equal(buf + 90, "0123456789", 10);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.8: vmsplice of a non-pipe fd */
static void test_vmsplice_non_pipe(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, 0, "f"),
	    r = user_mem(w, SPAN_INIT_PID, PG, "v");

	assert_ret(do_vmsplice(w, SPAN_INIT_PID, FD_FILE(f), r, 0, 10, 0),
		   -EBADF);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.6: the input pipe is empty */
static void test_splice_empty_input(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0),
	    nb = new_pipe(w, SPAN_PIPE_NONBLOCK);

	/* writers alive: EAGAIN with SPLICE_F_NONBLOCK, else it would sleep */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(b), NULL, 10,
			     SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(b), NULL, 10, 0),
		   -SPAN_EWOULDSLEEP);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 10,
			  SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 10, 0),
		   -SPAN_EWOULDSLEEP);
	/* O_NONBLOCK on either pipe file adds SPLICE_F_NONBLOCK */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(nb), NULL, PW(b), NULL, 10,
			     0),
		   -EAGAIN);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(nb), NULL, 10,
			     0),
		   -EAGAIN);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(nb), 10, 0), -EAGAIN);
	/* no writers: EOF */
	assert_ret(do_close(w, SPAN_INIT_PID, PW(a)), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(b), NULL, 10, 0),
		   0);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 10, 0), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.6: the output pipe has no readers */
static void test_splice_output_no_readers(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0), f = new_file(w, PG, 0, "f");
	int r = user_mem(w, SPAN_INIT_PID, PG, "v");
	uint64_t off = 0;

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(a), 'e', 10, 0), 10);
	assert_ret(do_close(w, SPAN_INIT_PID, PR(b)), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(b), NULL, 10, 0),
		   -EPIPE);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 10, 0), -EPIPE);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(b), NULL,
			     10, 0),
		   -EPIPE);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(b), r, 0, 10, 0), -EPIPE);
	assert_int_equal(pipe_bytes(w, a), 10);
	assert_int_equal(off, 0);
	assert_int_equal(page_ref(w, user_page(w, SPAN_INIT_PID, r, 0)), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- vmsplice ------------------------------------------------------------- */

/* 13.B.9: a 1-slot pipe and a buffer at page offset 2048 */
static void test_vmsplice_short_count_one_slot(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = user_mem(w, SPAN_INIT_PID, 2 * PG, "s");
	struct span_pipe_buf_info b;

	assert_ret(do_set_size(w, PW(p), 4096), 4096);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 2048, PG, 0), 2048);
	b = pipe_buf(w, p, 0);
	assert_int_equal(b.offset, 2048);
	assert_int_equal(b.len, 2048);
	/* the page that did not fit holds no reference */
	assert_int_equal(page_ref(w, user_page(w, SPAN_INIT_PID, r, PG)), 1);
	assert_int_equal(page_ref(w, user_page(w, SPAN_INIT_PID, r, 0)), 2);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.9: 16 slots, 65536 bytes page-aligned and at page offset 1 */
static void test_vmsplice_short_count_sixteen_slots(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), q = new_pipe(w, 0);
	int r = user_mem(w, SPAN_INIT_PID, 17 * PG, "s");

	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 65536, 0), 65536);
	assert_int_equal(pipe_nr_bufs(w, p), 16);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(q), r, 1, 65536, 0), 65535);
	assert_int_equal(pipe_nr_bufs(w, q), 16);
	assert_int_equal(pipe_buf(w, q, 0).offset, 1);
	assert_int_equal(pipe_buf(w, q, 0).len, 4095);
	assert_int_equal(pipe_buf(w, q, 15).len, 4096);
	/* one slot per page: p and q both reference pages 0..15 */
	assert_int_equal(page_ref(w, user_page(w, SPAN_INIT_PID, r, 0)), 3);
	assert_int_equal(page_ref(w, user_page(w, SPAN_INIT_PID, r, 16 * PG)),
			 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.10: only SPLICE_F_NONBLOCK makes vmsplice onto a full pipe fail */
static void test_vmsplice_full_pipe(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, SPAN_PIPE_NONBLOCK);
	int r = user_mem(w, SPAN_INIT_PID, PG, "v");

	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'f', 65536, 0),
		   65536);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 10,
			       SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	/* the pipe file's O_NONBLOCK is not looked at: it blocks */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 10, 0),
		   -SPAN_EWOULDSLEEP);
	assert_int_equal(page_ref(w, user_page(w, SPAN_INIT_PID, r, 0)), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.11: vmsplice on the read end copies out, ignoring packets */
static void test_vmsplice_read_end_copies_out(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), q = new_pipe(w, SPAN_PIPE_PACKET);
	int r = user_mem(w, SPAN_INIT_PID, PG, ".");
	char buf[40];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "hello", 5, 0), 5);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), r, 0, 100, 0), 5);
	assert_ret(do_load(w, SPAN_INIT_PID, r, 0, buf, 6), 0);
	assert_memory_equal(buf, "hello.", 6);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	/* empty with writers */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), r, 0, 100,
			       SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), r, 0, 100, 0),
		   -SPAN_EWOULDSLEEP);
	/* packet boundaries are not honoured */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(q), '1', 10, 0), 10);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(q), '2', 20, 0), 20);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(q), r, 0, 100, 0), 30);
	assert_ret(do_load(w, SPAN_INIT_PID, r, 0, buf, 31), 0);
	assert_true(all_bytes(buf, '1', 10));
	assert_true(all_bytes(buf + 10, '2', 20));
	assert_int_equal(buf[30], '.');
	/* no writers, empty: 0 */
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), r, 0, 100, 0), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.C.2: untouched memory: the pipe references the zero page */
static void test_vmsplice_untouched_zero_page(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), zero = span_zero_page(w);
	int r = do_mmap(w, SPAN_INIT_PID, PG, SPAN_MMAP_UNTOUCHED, NULL);
	int64_t zref = page_ref(w, zero);

	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG, 0), PG);
	assert_int_equal(pipe_buf(w, p, 0).page, zero);
	assert_int_equal(page_ref(w, zero), zref + 1);
	/* the read-only GUP did not fault in a page */
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, r, 0), zero);
	assert_ret(do_store_fill(w, SPAN_INIT_PID, r, 0, 'B', PG), 0);
	assert_true(span_region_page(w, SPAN_INIT_PID, r, 0) != zero);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 0, PG);
	assert_int_equal(page_ref(w, zero), zref);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.B.8: memory the process does not have mapped */
static void test_vmsplice_efault(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), child = do_fork(w, SPAN_INIT_PID);
	int mine = user_mem(w, child, PG, "c");
	int gone = user_mem(w, SPAN_INIT_PID, PG, "g");

	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), mine, 0, 10, 0),
		   -EFAULT);
	assert_ret(do_munmap(w, SPAN_INIT_PID, gone), 0);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), gone, 0, 10, 0),
		   -EFAULT);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), 0, 0, 10, 0), -EFAULT);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), 999, 0, 10, 0),
		   -EFAULT);
	/*
	 * past the end of the region: iov_iter_get_pages2() takes the pages
	 * it can, the fault after them ends the call with a short count
	 * (checked against Linux 6.18); a fault at the first page is -EFAULT
	 */
	assert_ret(do_vmsplice(w, child, PW(p), mine, PG - 5, 10, 0), 5);
	assert_ret(do_vmsplice(w, child, PW(p), mine, PG, 5, 0), -EFAULT);
	/* the read end copies into the region: the same checks */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), mine, 0, 5, 0),
		   -EFAULT);
	assert_int_equal(pipe_bytes(w, p), 5);
	/* import_iovec(): a length that is negative as an ssize_t */
	assert_ret(do_vmsplice(w, child, PW(p), mine, 0, SIZE_MAX, 0), -EINVAL);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- vmsplice knob -------------------------------------------------------- */

/*
 * POLICIES.md "vmsplice then store": ref and pin show the store, copy
 * does not; steal without SPLICE_F_GIFT copies.
 */
static void test_vmsplice_knob_store_after(void **state)
{
	static const struct {
		int mode;
		int ops;
		int64_t ref; /* user page refcount while in the pipe */
		int seen; /* byte the reader sees */
	} cases[] = {
		{ SPAN_VMSPLICE_REF, SPAN_PBO_USER_PAGE, 2, 'B' },
		{ SPAN_VMSPLICE_PIN, SPAN_PBO_USER_PIN, 1 + 1024, 'B' },
		{ SPAN_VMSPLICE_COPY, SPAN_PBO_ANON, 1, 'A' },
		{ SPAN_VMSPLICE_STEAL, SPAN_PBO_DEFAULT, 1, 'A' },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct span_world *w = world_new();
		int p, r, u;

		set_knob(w, SPAN_KNOB_VMSPLICE, cases[i].mode);
		p = new_pipe(w, 0);
		r = user_mem(w, SPAN_INIT_PID, PG, "A");
		u = user_page(w, SPAN_INIT_PID, r, 0);
		assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG, 0),
			   PG);
		assert_int_equal(pipe_nr_bufs(w, p), 1);
		assert_int_equal(pipe_buf(w, p, 0).ops, cases[i].ops);
		assert_int_equal(page_ref(w, u), cases[i].ref);
		assert_int_equal(span_pinned_bytes(w),
				 cases[i].mode == SPAN_VMSPLICE_PIN ? PG : 0);
		if (cases[i].mode == SPAN_VMSPLICE_COPY ||
		    cases[i].mode == SPAN_VMSPLICE_STEAL)
			assert_true(pipe_buf(w, p, 0).page != u);
		else
			assert_int_equal(pipe_buf(w, p, 0).page, u);
		assert_ret(do_store_fill(w, SPAN_INIT_PID, r, 0, 'B', PG), 0);
		assert_int_equal(span_region_page(w, SPAN_INIT_PID, r, 0), u);
		read_expect_fill(w, SPAN_INIT_PID, PR(p), cases[i].seen, PG);
		assert_int_equal(page_ref(w, u), 1);
		assert_int_equal(span_pinned_bytes(w), 0);

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

/* vmsplice=steal with SPLICE_F_GIFT moves a whole page out of the process */
static void test_vmsplice_steal_gift_unmaps(void **state)
{
	struct span_world *w = world_new();
	int p, r, u, np;
	struct span_pipe_buf_info b;
	char c;

	set_knob(w, SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_STEAL);
	p = new_pipe(w, 0);
	r = user_mem(w, SPAN_INIT_PID, PG, "A");
	u = user_page(w, SPAN_INIT_PID, r, 0);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG,
			       SPAN_SPLICE_F_GIFT),
		   PG);
	b = pipe_buf(w, p, 0);
	assert_int_equal(b.page, u);
	assert_int_equal(b.ops, SPAN_PBO_DEFAULT);
	assert_int_equal(page_ref(w, u), 1);
	assert_int_equal(page_info(w, u).mapcount, 0);
	assert_ret(span_region_page(w, SPAN_INIT_PID, r, 0), -EFAULT);
	/* the process faults in a fresh page; the pipe keeps the old data */
	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "B", 1), 0);
	np = user_page(w, SPAN_INIT_PID, r, 0);
	assert_true(np != u);
	assert_ret(do_load(w, SPAN_INIT_PID, r, 1, &c, 1), 0);
	assert_int_equal(c, 0);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'A', PG);
	/* the pipe held the page's only reference */
	assert_true(page_freed(w, u));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* vmsplice=steal: a gift that is not a whole page is copied */
static void test_vmsplice_steal_partial_page_copies(void **state)
{
	struct span_world *w = world_new();
	int p, r, u;

	set_knob(w, SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_STEAL);
	p = new_pipe(w, 0);
	r = user_mem(w, SPAN_INIT_PID, PG, "A");
	u = user_page(w, SPAN_INIT_PID, r, 0);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 1, PG - 1,
			       SPAN_SPLICE_F_GIFT),
		   PG - 1);
	assert_true(pipe_buf(w, p, 0).page != u);
	assert_int_equal(user_page(w, SPAN_INIT_PID, r, 0), u);
	assert_int_equal(page_ref(w, u), 1);
	assert_ret(do_store_fill(w, SPAN_INIT_PID, r, 0, 'B', PG), 0);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'A', PG - 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * POLICIES.md "vmsplice then fork": with ref the parent's later store is
 * lost to the reader (COW copy); with pin the child got a copy at fork and
 * the parent's store is seen.
 */
static void test_vmsplice_knob_fork(void **state)
{
	for (int pin = 0; pin < 2; pin++) {
		struct span_world *w = world_new();
		int p, r, u, child;

		set_knob(w, SPAN_KNOB_VMSPLICE,
			 pin ? SPAN_VMSPLICE_PIN : SPAN_VMSPLICE_REF);
		p = new_pipe(w, 0);
		r = user_mem(w, SPAN_INIT_PID, PG, "A");
		u = user_page(w, SPAN_INIT_PID, r, 0);
		assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG, 0),
			   PG);
		child = do_fork(w, SPAN_INIT_PID);
		if (pin)
			assert_true(span_region_page(w, child, r, 0) != u);
		else
			assert_int_equal(span_region_page(w, child, r, 0), u);
		assert_ret(do_store_fill(w, SPAN_INIT_PID, r, 0, 'B', PG), 0);
		assert_int_equal(span_region_page(w, SPAN_INIT_PID, r, 0) == u,
				 pin);
		read_expect_fill(w, SPAN_INIT_PID, PR(p), pin ? 'B' : 'A', PG);

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

/* --- pipe_split knob: fan-out of one page into three pipes ---------------- */

struct fanout {
	struct span_world *w;
	int src, out[3];
	int region, page;
};

/* vmsplice U into src; tee src -> out0, tee src -> out1, splice -> out2 */
static void fanout_setup(struct fanout *f, int policy)
{
	struct span_world *w = world_new();

	f->w = w;
	set_knob(w, SPAN_KNOB_PIPE_SPLIT, policy);
	f->src = new_pipe(w, 0);
	for (int i = 0; i < 3; i++)
		f->out[i] = new_pipe(w, 0);
	f->region = user_mem(w, SPAN_INIT_PID, PG, "A");
	f->page = user_page(w, SPAN_INIT_PID, f->region, 0);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(f->src), f->region, 0, PG,
			       0),
		   PG);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(f->src), PW(f->out[0]), PG, 0),
		   PG);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(f->src), PW(f->out[1]), PG, 0),
		   PG);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(f->src), NULL, PW(f->out[2]),
			     NULL, PG, 0),
		   PG);
	assert_int_equal(pipe_nr_bufs(w, f->src), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pipe_bytes(w, f->out[i]), PG);
	assert_no_violations(w);
}

static void test_splice_pipe_split_ref(void **state)
{
	struct fanout f;
	struct span_world *w;

	fanout_setup(&f, SPAN_PIPE_SPLIT_REF);
	w = f.w;
	/* one reference per fragment, plus the mapping */
	assert_int_equal(page_ref(w, f.page), 1 + 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pipe_buf(w, f.out[i], 0).page, f.page);
		assert_int_equal(pipe_buf(w, f.out[i], 0).ops,
				 SPAN_PBO_USER_PAGE);
	}
	assert_ret(do_store_fill(w, SPAN_INIT_PID, f.region, 0, 'B', PG), 0);
	for (int i = 0; i < 3; i++) {
		read_expect_fill(w, SPAN_INIT_PID, PR(f.out[i]), 'B', PG);
		assert_int_equal(page_ref(w, f.page), 1 + 2 - i);
	}

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_splice_pipe_split_desc(void **state)
{
	struct fanout f;
	struct span_world *w;
	uint32_t desc;

	fanout_setup(&f, SPAN_PIPE_SPLIT_DESC);
	w = f.w;
	/* one descriptor holds the span's one page reference */
	assert_int_equal(page_ref(w, f.page), 1 + 1);
	desc = pipe_buf(w, f.out[0], 0).priv;
	assert_true(desc != 0);
	for (int i = 0; i < 3; i++) {
		struct span_pipe_buf_info b = pipe_buf(w, f.out[i], 0);

		assert_int_equal(b.ops, SPAN_PBO_DESC);
		assert_int_equal(b.priv, desc);
		assert_int_equal(b.page, f.page);
	}
	assert_ret(do_store_fill(w, SPAN_INIT_PID, f.region, 0, 'B', PG), 0);
	/* the release runs once, when the last holder goes */
	read_expect_fill(w, SPAN_INIT_PID, PR(f.out[1]), 'B', PG);
	assert_int_equal(page_ref(w, f.page), 2);
	read_expect_fill(w, SPAN_INIT_PID, PR(f.out[2]), 'B', PG);
	assert_int_equal(page_ref(w, f.page), 2);
	read_expect_fill(w, SPAN_INIT_PID, PR(f.out[0]), 'B', PG);
	assert_int_equal(page_ref(w, f.page), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_splice_pipe_split_copy(void **state)
{
	struct fanout f;
	struct span_world *w;

	fanout_setup(&f, SPAN_PIPE_SPLIT_COPY);
	w = f.w;
	/* the source page left with the source pipe's buffer */
	assert_int_equal(page_ref(w, f.page), 1);
	for (int i = 0; i < 3; i++) {
		struct span_pipe_buf_info b = pipe_buf(w, f.out[i], 0);

		assert_true(b.page != f.page);
		assert_int_equal(page_ref(w, b.page), 1);
		for (int j = 0; j < i; j++)
			assert_true(b.page != pipe_buf(w, f.out[j], 0).page);
	}
	/* a snapshot: later stores to the source are not seen */
	assert_ret(do_store_fill(w, SPAN_INIT_PID, f.region, 0, 'B', PG), 0);
	for (int i = 0; i < 3; i++) {
		int page = pipe_buf(w, f.out[i], 0).page;

		read_expect_fill(w, SPAN_INIT_PID, PR(f.out[i]), 'A', PG);
		assert_true(page_freed(w, page));
	}
	assert_int_equal(page_ref(w, f.page), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- pipe_link_merge knob: the tee merge bug (fixed in 5.0) --------------- */

/*
 * Jann Horn's reproducer (commit "splice: don't merge into linked
 * buffers"): write "abcd" to A, tee 2 bytes A -> B, write "xx" to B, read
 * A.  With keep, B's buffer kept CAN_MERGE and the write lands in the page
 * A still reads: "abxx" and a shared-merge.  With clear: "abcd".
 */
static void test_splice_link_merge_keep_tee_bug(void **state)
{
	for (int keep = 0; keep < 2; keep++) {
		struct span_world *w = world_new();
		int a, b, page;
		char buf[8];

		set_knob(w, SPAN_KNOB_PIPE_LINK_MERGE,
			 keep ? SPAN_PIPE_LINK_MERGE_KEEP :
				SPAN_PIPE_LINK_MERGE_CLEAR);
		a = new_pipe(w, 0);
		b = new_pipe(w, 0);
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "abcd", 4, 0),
			   4);
		page = pipe_buf(w, a, 0).page;
		assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 2, 0), 2);
		assert_int_equal(pipe_buf(w, b, 0).flags &
					 SPAN_PIPE_BUF_FLAG_CAN_MERGE,
				 keep ? SPAN_PIPE_BUF_FLAG_CAN_MERGE : 0);
		assert_no_violations(w);
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(b), "xx", 2, 0),
			   2);
		if (keep) {
			const struct span_violation *v =
				find_violation(w, SPAN_INV_SHARED_MERGE);

			assert_int_equal(pipe_nr_bufs(w, b), 1);
			assert_non_null(v);
			assert_int_equal(v->obj_type, SPAN_OBJ_PAGE);
			assert_int_equal(v->obj, page);
		} else {
			assert_int_equal(pipe_nr_bufs(w, b), 2);
			assert_no_violations(w);
		}
		assert_ret(do_read(w, SPAN_INIT_PID, PR(a), buf, 8, 0), 4);
		assert_memory_equal(buf, keep ? "abxx" : "abcd", 4);
		assert_ret(do_read(w, SPAN_INIT_PID, PR(b), buf, 8, 0), 4);
		assert_memory_equal(buf, "abxx", 4);

		span_world_teardown(w);
		if (keep)
			assert_int_equal(
				nr_violations_of(w, SPAN_INV_SHARED_MERGE), 1);
		else
			assert_no_violations(w);
		span_world_destroy(w);
	}
}

/*
 * The same bug with a whole tee: both pipes end with a CAN_MERGE buffer
 * over the same page and the same bytes; a write to the input pipe, then a
 * write to the output pipe, which lands on top of the first (keep).
 */
static void test_splice_link_merge_keep_full_tee(void **state)
{
	for (int keep = 0; keep < 2; keep++) {
		struct span_world *w = world_new();
		int a, b;
		char buf[8];

		set_knob(w, SPAN_KNOB_PIPE_LINK_MERGE,
			 keep ? SPAN_PIPE_LINK_MERGE_KEEP :
				SPAN_PIPE_LINK_MERGE_CLEAR);
		a = new_pipe(w, 0);
		b = new_pipe(w, 0);
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "abcd", 4, 0),
			   4);
		assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 4, 0), 4);
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "xx", 2, 0),
			   2);
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(b), "yy", 2, 0),
			   2);
		assert_ret(do_read(w, SPAN_INIT_PID, PR(a), buf, 8, 0), 6);
		assert_memory_equal(buf, keep ? "abcdyy" : "abcdxx", 6);
		assert_ret(do_read(w, SPAN_INIT_PID, PR(b), buf, 8, 0), 6);
		assert_memory_equal(buf, "abcdyy", 6);
		/*
		 * Under clear the first write (to the input pipe) merges into
		 * the shared page too; whether that alone is a violation is
		 * test_splice_tee_then_write_input_mainline's question.
		 */
		if (keep)
			assert_non_null(
				find_violation(w, SPAN_INV_SHARED_MERGE));

		span_world_teardown(w);
		span_world_destroy(w);
	}
}

/*
 * Mainline (clear): tee leaves CAN_MERGE on the input buffer (KSEM 5.5:
 * only obuf is cleared), so a later write to the input pipe merges into the
 * page the output pipe also holds -- beyond the output buffer's bytes,
 * where no one else can see it.  The output pipe's data is unchanged, and
 * nothing a reader can observe went wrong: no violation is expected.
 */
static void test_splice_tee_then_write_input_mainline(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0), c = new_pipe(w, 0);
	char buf[8];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "abcd", 4, 0), 4);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 4, 0), 4);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(a), NULL, PW(c), NULL, 1, 0),
		   1);
	assert_int_equal(pipe_buf(w, a, 0).flags, SPAN_PIPE_BUF_FLAG_CAN_MERGE);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "xx", 2, 0), 2);
	/* the kernel merges (one buffer, not two) */
	assert_int_equal(pipe_nr_bufs(w, a), 1);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(b), buf, 8, 0), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(c), buf, 8, 0), 1);
	assert_memory_equal(buf, "a", 1);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(a), buf, 8, 0), 5);
	assert_memory_equal(buf, "bcdxx", 5);
	assert_no_violations(w);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- pipe_buf_init knob: Dirty Pipe (CVE-2022-0847) ----------------------- */

static void test_splice_dirty_pipe(void **state)
{
	for (int stale = 0; stale < 2; stale++) {
		struct span_world *w = world_new();
		int p, f, page;
		uint64_t off = 0;
		char buf[8];

		set_knob(w, SPAN_KNOB_PIPE_BUF_INIT,
			 stale ? SPAN_PIPE_BUF_INIT_STALE :
				 SPAN_PIPE_BUF_INIT_CLEAR);
		p = new_pipe(w, 0);
		f = new_file(w, PG, SPAN_FILE_RDONLY, "F");
		page = 0;
		/* every slot gets CAN_MERGE, then the pipe is drained */
		assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'p', 65536,
					 0),
			   65536);
		read_expect_fill(w, SPAN_INIT_PID, PR(p), 'p', 65536);
		/* splice one byte of the read-only file */
		assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p),
				     NULL, 1, 0),
			   1);
		assert_int_equal(off, 1);
		page = pipe_buf(w, p, 0).page;
		assert_int_equal(page_info(w, page).kind, SPAN_PAGE_CACHE);
		assert_int_equal(pipe_buf(w, p, 0).ops, SPAN_PBO_PAGE_CACHE);
		assert_int_equal(pipe_buf(w, p, 0).flags,
				 stale ? SPAN_PIPE_BUF_FLAG_CAN_MERGE : 0);
		assert_no_violations(w);
		/* the write */
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "XYZ", 3, 0),
			   3);
		assert_ret(span_file_contents(w, f, 0, buf, 4), 4);
		if (stale) {
			const struct span_violation *v =
				find_violation(w, SPAN_INV_PAGE_CACHE_WRITE);

			assert_non_null(v);
			assert_int_equal(v->obj_type, SPAN_OBJ_PAGE);
			assert_int_equal(v->obj, page);
			assert_memory_equal(buf, "FXYZ", 4);
			assert_int_equal(pipe_nr_bufs(w, p), 1);
		} else {
			assert_memory_equal(buf, "FFFF", 4);
			assert_int_equal(pipe_nr_bufs(w, p), 2);
			assert_no_violations(w);
		}
		/* the reader sees the same bytes either way */
		assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 8, 0), 4);
		assert_memory_equal(buf, "FXYZ", 4);

		span_world_teardown(w);
		if (!stale)
			assert_no_violations(w);
		span_world_destroy(w);
	}
}

/* --- get_page_check knob: CVE-2019-11487 ---------------------------------- */

/*
 * refcount_bits = 5: the largest count is 15.  A page written to a pipe
 * has rc 1; 14 tees take it to 15.  checked: the 15th pipe_buf_get is
 * refused and tee returns -EFAULT (so does a partial splice).  unchecked:
 * the count wraps (refcount-overflow).
 */
static void test_splice_get_page_check(void **state)
{
	for (int unchecked = 0; unchecked < 2; unchecked++) {
		struct span_world *w = world_new();
		int in, out, out2, page;

		assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 5),
			   0);
		set_knob(w, SPAN_KNOB_GET_PAGE_CHECK,
			 unchecked ? SPAN_GET_PAGE_UNCHECKED :
				     SPAN_GET_PAGE_CHECKED);
		in = new_pipe(w, 0);
		out = new_pipe(w, 0);
		out2 = new_pipe(w, 0);
		assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(in), 't', PG, 0),
			   PG);
		page = pipe_buf(w, in, 0).page;
		for (int i = 0; i < 14; i++)
			assert_ret(do_tee(w, SPAN_INIT_PID, PR(in), PW(out), PG,
					  0),
				   PG);
		assert_int_equal(page_ref(w, page), 15);
		assert_no_violations(w);
		if (!unchecked) {
			assert_ret(do_tee(w, SPAN_INIT_PID, PR(in), PW(out), PG,
					  0),
				   -EFAULT);
			assert_int_equal(pipe_nr_bufs(w, out), 14);
			assert_ret(do_splice(w, SPAN_INIT_PID, PR(in), NULL,
					     PW(out2), NULL, 1, 0),
				   -EFAULT);
			assert_int_equal(pipe_nr_bufs(w, out2), 0);
			assert_int_equal(pipe_bytes(w, in), PG);
			assert_int_equal(page_ref(w, page), 15);
			assert_no_violations(w);
			/* reading one fragment makes room again */
			read_expect_fill(w, SPAN_INIT_PID, PR(out), 't', PG);
			assert_ret(do_tee(w, SPAN_INIT_PID, PR(in), PW(out2),
					  PG, 0),
				   PG);
			span_world_teardown(w);
			assert_no_violations(w);
		} else {
			const struct span_violation *v;

			assert_ret(do_tee(w, SPAN_INIT_PID, PR(in), PW(out), PG,
					  0),
				   PG);
			assert_true(page_ref(w, page) < 0);
			v = find_violation(w, SPAN_INV_REFCOUNT_OVERFLOW);
			assert_non_null(v);
			assert_int_equal(v->obj_type, SPAN_OBJ_PAGE);
			assert_int_equal(v->obj, page);
			span_world_teardown(w);
		}
		span_world_destroy(w);
	}
}

/*
 * vmsplice=pin, refcount_bits = 8 (the largest count is 127): a pin's
 * GUP_PIN_COUNTING_BIAS (1024) references cannot be taken, try_grab_folio()
 * refuses, and vmsplice fails with -EFAULT (span__gup()'s -EOVERFLOW as
 * iter_to_pipe() reports it; not the -ENOMEM of the refusal itself), with
 * nothing queued and nothing taken.
 */
static void test_splice_vmsplice_pin_refused(void **state)
{
	struct span_world *w = world_new();
	int r, p, page;

	(void)state;
	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 8), 0);
	set_knob(w, SPAN_KNOB_GET_PAGE_CHECK, SPAN_GET_PAGE_CHECKED);
	set_knob(w, SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_PIN);
	r = do_mmap(w, SPAN_INIT_PID, PG, 0, "v");
	page = span_region_page(w, SPAN_INIT_PID, r, 0);
	p = new_pipe(w, 0);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, PG, 0), -EFAULT);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	assert_int_equal(page_ref(w, page), 1);
	assert_false(page_info(w, page).maybe_pinned);
	assert_no_violations(w);
	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- cow_reuse=mapcount: CVE-2020-29374 ----------------------------------- */

/*
 * The parent has memory and forks; the child vmsplices the shared page
 * (FOLL_GET, no unshare) and unmaps it; the parent stores.  mapcount: the
 * page is mapped once, so the parent reuses it and the child's pipe shows
 * the parent's new data (cow-leak).  exclusive, refcount: the parent
 * copies, the child's pipe keeps the old data.
 */
static void test_splice_cow_leak_cve_2020_29374(void **state)
{
	static const int policies[] = {
		SPAN_COW_REUSE_EXCLUSIVE,
		SPAN_COW_REUSE_REFCOUNT,
		SPAN_COW_REUSE_MAPCOUNT,
	};

	for (size_t i = 0; i < ARRAY_SIZE(policies); i++) {
		bool leak = policies[i] == SPAN_COW_REUSE_MAPCOUNT;
		struct span_world *w = world_new();
		int p, r, u, child;
		char buf[8];

		set_knob(w, SPAN_KNOB_COW_REUSE, policies[i]);
		p = new_pipe(w, 0);
		r = user_mem(w, SPAN_INIT_PID, PG, "A");
		u = user_page(w, SPAN_INIT_PID, r, 0);
		child = do_fork(w, SPAN_INIT_PID);
		assert_ret(do_vmsplice(w, child, PW(p), r, 0, 8, 0), 8);
		assert_int_equal(pipe_buf(w, p, 0).page, u);
		assert_int_equal(page_ref(w, u), 3);
		assert_ret(do_munmap(w, child, r), 0);
		assert_int_equal(page_ref(w, u), 2);
		assert_int_equal(page_info(w, u).mapcount, 1);
		assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "SECRET!!", 8), 0);
		assert_int_equal(span_region_page(w, SPAN_INIT_PID, r, 0) == u,
				 leak);
		assert_no_violations(w);
		assert_ret(do_read(w, child, PR(p), buf, 8, 0), 8);
		if (leak) {
			const struct span_violation *v;

			assert_memory_equal(buf, "SECRET!!", 8);
			v = find_violation(w, SPAN_INV_COW_LEAK);
			assert_non_null(v);
			assert_int_equal(v->obj, u);
		} else {
			assert_memory_equal(buf, "AAAAAAAA", 8);
			assert_no_violations(w);
		}

		span_world_teardown(w);
		if (!leak)
			assert_no_violations(w);
		span_world_destroy(w);
	}
}

/*
 * An input at EOF (empty, no writers) still goes through opipe_prep():
 * an output without readers is -EPIPE for splice and tee, blocking or
 * not; with a reader it is 0.  KREF: fs/splice.c splice_pipe_to_pipe(),
 * do_tee().
 */
static void test_splice_tee_eof_into_no_reader(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), q = new_pipe(w, 0), r = new_pipe(w, 0);

	(void)state;
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_ret(do_close(w, SPAN_INIT_PID, PR(q)), 0);
	for (int nb = 0; nb < 2; nb++) {
		unsigned int fl = nb ? SPAN_SPLICE_F_NONBLOCK : 0;

		assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, PW(q), NULL,
				     10, fl), -EPIPE);
		assert_ret(do_tee(w, SPAN_INIT_PID, PR(p), PW(q), 10, fl),
			   -EPIPE);
		assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, PW(r), NULL,
				     10, fl), 0);
		assert_ret(do_tee(w, SPAN_INIT_PID, PR(p), PW(r), 10, fl), 0);
	}

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splice_ledger_b_vmsplice_store_read),
		cmocka_unit_test(test_splice_tee_eof_into_no_reader),
		cmocka_unit_test(test_splice_write_control_copies),
		cmocka_unit_test(test_splice_ledger_b_fork_variant),
		cmocka_unit_test(test_splice_ledger_f_partial_and_tee),
		cmocka_unit_test(test_splice_gift_flag),
		cmocka_unit_test(test_splice_whole_buffer_move),
		cmocka_unit_test(test_splice_pipe_to_pipe_multi_buffer),
		cmocka_unit_test(test_splice_len_zero_first),
		cmocka_unit_test(test_splice_bad_flags),
		cmocka_unit_test(test_splice_bad_fd),
		cmocka_unit_test(test_splice_einval_espipe_ebadf),
		cmocka_unit_test(test_tee_trims_and_keeps_input),
		cmocka_unit_test(test_vmsplice_non_pipe),
		cmocka_unit_test(test_splice_empty_input),
		cmocka_unit_test(test_splice_output_no_readers),
		cmocka_unit_test(test_vmsplice_short_count_one_slot),
		cmocka_unit_test(test_vmsplice_short_count_sixteen_slots),
		cmocka_unit_test(test_vmsplice_full_pipe),
		cmocka_unit_test(test_vmsplice_read_end_copies_out),
		cmocka_unit_test(test_vmsplice_untouched_zero_page),
		cmocka_unit_test(test_vmsplice_efault),
		cmocka_unit_test(test_vmsplice_knob_store_after),
		cmocka_unit_test(test_vmsplice_steal_gift_unmaps),
		cmocka_unit_test(test_vmsplice_steal_partial_page_copies),
		cmocka_unit_test(test_vmsplice_knob_fork),
		cmocka_unit_test(test_splice_pipe_split_ref),
		cmocka_unit_test(test_splice_pipe_split_desc),
		cmocka_unit_test(test_splice_pipe_split_copy),
		cmocka_unit_test(test_splice_link_merge_keep_tee_bug),
		cmocka_unit_test(test_splice_link_merge_keep_full_tee),
		cmocka_unit_test(test_splice_tee_then_write_input_mainline),
		cmocka_unit_test(test_splice_dirty_pipe),
		cmocka_unit_test(test_splice_get_page_check),
		cmocka_unit_test(test_splice_vmsplice_pin_refused),
		cmocka_unit_test(test_splice_cow_leak_cve_2020_29374),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
