// SPDX-License-Identifier: MIT
/*
 * test_filemap.c - regular files and their page cache (span/file.h), and
 * splice between files and pipes.
 *
 * KSEM 5.8 (file -> pipe: filemap_splice_read(), no copy), 5.9 (pipe ->
 * file: iter_file_splice_write(), a copy through the page cache), 13.C.4
 * and 13.C.5 (aliasing seen from userspace).
 */
#include "span_unit.h"

static void test_filemap_create(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 5000, 0, "0123456789");
	char buf[16];

	assert_ret(span_file_size(w, f), 5000);
	assert_true(span_fd_valid(w, FD_FILE(f)));
	assert_ret(span_file_contents(w, f, 0, buf, 10), 10);
	assert_memory_equal(buf, "0123456789", 10);
	/* the pattern runs on across the page boundary */
	assert_ret(span_file_contents(w, f, 4094, buf, 4), 4);
	assert_memory_equal(buf, "4567", 4);
	/* short at EOF, 0 past it */
	assert_ret(span_file_contents(w, f, 4996, buf, 16), 4);
	assert_memory_equal(buf, "6789", 4);
	assert_ret(span_file_contents(w, f, 5000, buf, 16), 0);
	assert_ret(span_file_contents(w, f, 9000, buf, 16), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* the page cache holds one reference per page */
static void test_filemap_page_cache_pages(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 2 * PG, 0, "c"), p = new_pipe(w, 0);
	uint64_t off = 0;
	int page;

	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     2 * PG, 0),
		   2 * PG);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	page = pipe_buf(w, p, 0).page;
	assert_true(page != pipe_buf(w, p, 1).page);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_CACHE);
	assert_int_equal(page_info(w, page).mapcount, 0);
	/* folio_get() per slot: the page cache's ref plus the pipe's */
	assert_int_equal(page_ref(w, page), 2);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'c', 2 * PG);
	assert_int_equal(page_ref(w, page), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	assert_true(page_freed(w, page));
	span_world_destroy(w);
}

static void test_filemap_pwrite(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 2 * PG, 0, "-");
	char buf[16];

	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "hello", 5, PG - 2),
		   5);
	assert_ret(span_file_contents(w, f, PG - 3, buf, 7), 7);
	assert_memory_equal(buf, "-hello-", 7);
	assert_ret(span_file_size(w, f), 2 * PG);
	/* a write past EOF extends the file */
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "tail", 4,
			     2 * PG + 10),
		   4);
	assert_ret(span_file_size(w, f), 2 * PG + 14);
	assert_ret(span_file_contents(w, f, 2 * PG + 8, buf, 16), 6);
	assert_memory_equal(buf, "\0\0tail", 6);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 0, 0), 0);
	/* a page-cache write with write permission is no violation */
	assert_no_violations(w);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_filemap_read_only(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, SPAN_FILE_RDONLY, "r");
	char buf[8];

	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 0), -EBADF);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 0),
		   -EBADF);
	assert_ret(span_file_contents(w, f, 0, buf, 2), 2);
	assert_memory_equal(buf, "rr", 2);
	/* reads are allowed */
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 3, 0), 3);
	assert_memory_equal(buf, "rrr", 3);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* read(2) and write(2) of a file move its position */
static void test_filemap_read_write_position(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 10, 0, "0123456789");
	char buf[16];

	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 4, 0), 4);
	assert_memory_equal(buf, "0123", 4);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, FD_FILE(f), "ab", 2, 0), 2);
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 16, 0), 4);
	assert_memory_equal(buf, "6789", 4);
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 16, 0), 0);
	assert_ret(span_file_contents(w, f, 0, buf, 10), 10);
	assert_memory_equal(buf, "0123ab6789", 10);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static int64_t do_lseek(struct span_world *w, int fd, int64_t off,
			int whence)
{
	int64_t ret;

	step_begin(w, SPAN_INIT_PID);
	ret = span_lseek(w, fd, off, whence);
	step_end(w);
	return ret;
}

/*
 * generic_file_llseek_size(): SET/CUR/END, a negative result EINVAL (the
 * position unchanged), past i_size allowed (a read there is 0, a write
 * leaves a hole of zeros); vfs_llseek(): pipes and sockets ESPIPE
 */
static void test_filemap_lseek(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 10, 0, "0123456789"), p = new_pipe(w, 0);
	const struct span_footprint *fp;
	char buf[16];

	(void)state;
	assert_ret(do_lseek(w, FD_FILE(f), 3, SPAN_SEEK_SET), 3);
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 2, 0), 2);
	assert_memory_equal(buf, "34", 2);
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_lseek(w, FD_FILE(f), 0, SPAN_SEEK_CUR), 5);
	fp = span_world_footprint(w);
	assert_int_equal(fp->nr_write, 0);
	assert_ret(span_lseek(w, FD_FILE(f), -2, SPAN_SEEK_END), 8);
	assert_true(span_world_footprint(w)->nr_write >= 1);
	step_end(w);
	assert_ret(do_lseek(w, FD_FILE(f), -9, SPAN_SEEK_CUR), -EINVAL);
	assert_ret(do_lseek(w, FD_FILE(f), 0, SPAN_SEEK_CUR), 8);
	assert_ret(do_lseek(w, FD_FILE(f), INT64_MAX, SPAN_SEEK_END), -EINVAL);
	assert_ret(do_lseek(w, FD_FILE(f), 0, 3), -EINVAL);
	assert_ret(do_lseek(w, FD_FILE(f), 2, SPAN_SEEK_END), 12);
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 16, 0), 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, FD_FILE(f), "Z", 1, 0), 1);
	assert_ret(span_file_size(w, f), 13);
	assert_ret(span_file_contents(w, f, 8, buf, 16), 5);
	assert_memory_equal(buf, "89\0\0Z", 5);
	assert_ret(do_lseek(w, PR(p), 0, SPAN_SEEK_SET), -ESPIPE);
	assert_ret(do_lseek(w, PW(p), 0, SPAN_SEEK_CUR), -ESPIPE);
	assert_ret(do_lseek(w, FD_FILE(99), 0, SPAN_SEEK_SET), -EBADF);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.C.4: the pipe references the page cache; a later pwrite shows */
static void test_filemap_splice_aliases_page_cache(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, 0, "A"), p = new_pipe(w, 0);
	struct span_pipe_buf_info b;
	static char b4k[PG];
	uint64_t off = 0;

	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG, 0),
		   PG);
	assert_int_equal(off, PG);
	b = pipe_buf(w, p, 0);
	assert_int_equal(b.ops, SPAN_PBO_PAGE_CACHE);
	assert_int_equal(b.flags, 0);
	assert_int_equal(b.offset, 0);
	assert_int_equal(b.len, PG);
	memset(b4k, 'B', PG);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), b4k, PG, 0), PG);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'B', PG);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* 13.C.5: tee from a file-backed pipe; a pwrite shows in both pipes */
static void test_filemap_splice_tee_both_alias(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, 0, "A"), p = new_pipe(w, 0), q = new_pipe(w, 0);
	uint64_t off = 0;
	char buf[8];

	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL, 8,
			     0),
		   8);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(p), PW(q), 8, 0), 8);
	assert_int_equal(page_ref(w, pipe_buf(w, p, 0).page), 3);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "new", 3, 2), 3);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 8, 0), 8);
	assert_memory_equal(buf, "AAnewAAA", 8);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(q), buf, 8, 0), 8);
	assert_memory_equal(buf, "AAnewAAA", 8);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* file -> pipe: the file position, page offsets, EOF and a full pipe */
static void test_filemap_splice_read_limits(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 3 * PG + 100, 0, "L"), p = new_pipe(w, 0);
	uint64_t off = PG - 10;
	struct span_pipe_buf_info b;

	/* with no offset pointer the file position is used and moved */
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), NULL, PW(p), NULL, 5,
			     0),
		   5);
	assert_int_equal(pipe_buf(w, p, 0).offset, 0);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'L', 5);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), NULL, PW(p), NULL, 5,
			     0),
		   5);
	assert_int_equal(pipe_buf(w, p, 0).offset, 5);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'L', 5);
	/* one slot per page, starting mid-page */
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     30, 0),
		   30);
	assert_int_equal(off, PG + 20);
	assert_int_equal(pipe_nr_bufs(w, p), 2);
	b = pipe_buf(w, p, 0);
	assert_int_equal(b.offset, PG - 10);
	assert_int_equal(b.len, 10);
	b = pipe_buf(w, p, 1);
	assert_int_equal(b.offset, 0);
	assert_int_equal(b.len, 20);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'L', 30);
	/* stops at EOF; at EOF returns 0 */
	off = 3 * PG;
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG, 0),
		   100);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG, 0),
		   0);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'L', 100);
	/* capped to the free slots */
	assert_ret(do_set_size(w, PW(p), 2 * PG), 2 * PG);
	off = 0;
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     3 * PG, 0),
		   2 * PG);
	/* full: nonblocking -> EAGAIN, blocking -> sleeps */
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG, SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG, 0),
		   -SPAN_EWOULDSLEEP);
	assert_int_equal(off, 2 * PG);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* a read-only file may be spliced from (FMODE_READ) */
static void test_filemap_splice_from_read_only(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, SPAN_FILE_RDONLY, "R"), p = new_pipe(w, 0);
	uint64_t off = 0;

	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     100, 0),
		   100);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 'R', 100);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 5.9: pipe -> file copies through the page cache */
static void test_filemap_splice_pipe_to_file(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, 0, "."), p = new_pipe(w, 0), page;
	uint64_t off = 100;
	char buf[16];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "hello", 5, 0), 5);
	page = pipe_buf(w, p, 0).page;
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off,
			     100, 0),
		   5);
	assert_int_equal(off, 105);
	assert_int_equal(pipe_nr_bufs(w, p), 0);
	assert_ret(span_file_contents(w, f, 99, buf, 7), 7);
	assert_memory_equal(buf, ".hello.", 7);
	/* a copy: the pipe's page is not the page cache's */
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_PIPE);
	assert_int_equal(page_ref(w, page), 1); /* cached in tmp_page */
	/* partial: len smaller than the buffer */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abcdef", 6, 0), 6);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off, 2,
			     0),
		   2);
	assert_int_equal(pipe_bytes(w, p), 4);
	assert_ret(span_file_contents(w, f, 105, buf, 3), 3);
	assert_memory_equal(buf, "ab.", 3);
	/* no offset pointer: the file position, which then moves */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), NULL,
			     10, 0),
		   4);
	assert_ret(span_file_contents(w, f, 0, buf, 5), 5);
	assert_memory_equal(buf, "cdef.", 5);
	/* past EOF extends the file */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "end", 3, 0), 3);
	off = PG;
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off, 3,
			     0),
		   3);
	assert_ret(span_file_size(w, f), PG + 3);
	/* empty pipe: sleeps, EAGAIN, or 0 without writers */
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off, 3,
			     SPAN_SPLICE_F_NONBLOCK),
		   -EAGAIN);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off, 3,
			     0),
		   -SPAN_EWOULDSLEEP);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off, 3,
			     0),
		   0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* file -> pipe -> file: a round trip copies once, at the end */
static void test_filemap_splice_file_pipe_file(void **state)
{
	struct span_world *w = world_new();
	int src = new_file(w, PG, 0, "S"), dst = new_file(w, PG, 0, "d");
	int p = new_pipe(w, 0);
	uint64_t in = 0, out = 0;
	char buf[4];

	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(src), &in, PW(p), NULL,
			     PG, 0),
		   PG);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(dst), &out,
			     PG, 0),
		   PG);
	/* the copy is independent of the source afterwards */
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(src), "XXXX", 4, 0), 4);
	assert_ret(span_file_contents(w, dst, 0, buf, 4), 4);
	assert_memory_equal(buf, "SSSS", 4);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* pwrite of a pipe or socket handle: ESPIPE; bad handles: EBADF */
static void test_filemap_pwrite_bad_fd(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), f = new_file(w, PG, 0, "f");

	assert_ret(do_pwrite(w, SPAN_INIT_PID, PW(p), "x", 1, 0), -ESPIPE);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, PR(p), "x", 1, 0), -ESPIPE);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(999), "x", 1, 0),
		   -EBADF);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, 0, "x", 1, 0), -EBADF);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, -1, "x", 1, 0), -EBADF);
	assert_ret(do_close(w, SPAN_INIT_PID, FD_FILE(f)), 0);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 0), -EBADF);
	assert_ret(do_close(w, SPAN_INIT_PID, FD_FILE(f)), -EBADF);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- sparse files past 4 GiB ------------------------------------------- */

#define GIB	(1ull << 30)

/*
 * pwrite at 5 GiB into a file with no fill (all hole): only the page
 * written joins the page cache; the rest reads as zeros (filemap_read()
 * of a hole on ext4 copies a zeroed folio).
 */
static void test_filemap_sparse_write_5g(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 0, 0, NULL), page;
	struct span_snapshot *s = NULL;
	char buf[16];

	assert_ret(span_file_size(w, f), 0);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "hello", 5,
			     5 * GIB + PG - 2),
		   5);
	assert_ret(span_file_size(w, f), 5 * GIB + PG + 3);
	/* two pages, across a page boundary; everything else a hole */
	page = span_file_page(w, f, 5 * GIB / PG);
	assert_true(page > 0 && page < 8);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_CACHE);
	assert_int_equal(page_ref(w, page), 1);
	assert_true(span_file_page(w, f, 5 * GIB / PG + 1) > 0);
	assert_ret(span_file_page(w, f, 0), -EINVAL);
	assert_ret(span_file_page(w, f, 5 * GIB / PG - 1), -EINVAL);
	assert_ret(span_file_page(w, f, 5 * GIB / PG + 2), -EINVAL);
	/* read back, with the hole before it */
	assert_ret(span_file_contents(w, f, 5 * GIB + PG - 5, buf, 16), 8);
	assert_memory_equal(buf, "\0\0\0hello", 8);
	memset(buf, 'x', sizeof(buf));
	assert_ret(span_file_contents(w, f, GIB, buf, 16), 16);
	assert_true(all_bytes(buf, 0, 16));
	/* read(2) of the hole from the file position */
	memset(buf, 'x', sizeof(buf));
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 16, 0), 16);
	assert_true(all_bytes(buf, 0, 16));
	/* a 5 GiB file costs its pages, not 1.3M page-cache entries */
	assert_ret(span_world_snapshot(w, &s), 0);
	assert_true(span_snapshot_bytes(s) < (1u << 20));
	span_snapshot_free(w, s);

	span_world_teardown(w);
	assert_no_violations(w);
	assert_true(page_freed(w, page));
	span_world_destroy(w);
}

/*
 * filemap_splice_read() at 5 GiB: from the written page, the pipe
 * references it; from a hole, the read adds a zeroed page-cache page
 * (filemap_create_folio(), ext4), which a later write changes under the
 * pipe as it changes any spliced page.
 */
static void test_filemap_sparse_splice(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, 0, 0, NULL), p = new_pipe(w, 0), page, hole;
	uint64_t off = 5 * GIB;
	char buf[PG];

	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "hello", 5,
			     5 * GIB),
		   5);
	page = span_file_page(w, f, 5 * GIB / PG);
	/* only to EOF */
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG, 0),
		   5);
	assert_true(off == 5 * GIB + 5);
	assert_int_equal(pipe_buf(w, p, 0).page, page);
	assert_int_equal(page_ref(w, page), 2);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, PG, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	/* a hole at 3 GiB + 100: one new page, in the cache and the pipe */
	off = 3 * GIB + 100;
	assert_ret(span_file_page(w, f, 3 * GIB / PG), -EINVAL);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			     PG - 100, 0),
		   PG - 100);
	hole = span_file_page(w, f, 3 * GIB / PG);
	assert_true(hole > 0);
	assert_int_equal(pipe_buf(w, p, 0).page, hole);
	assert_int_equal(page_info(w, hole).kind, SPAN_PAGE_CACHE);
	assert_int_equal(page_ref(w, hole), 2);
	assert_ret(span_file_page(w, f, 3 * GIB / PG + 1), -EINVAL);
	/* the pipe sees a write made after the splice */
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "WXYZ", 4,
			     3 * GIB + 100),
		   4);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, PG, 0), PG - 100);
	assert_memory_equal(buf, "WXYZ\0\0", 6);
	assert_true(all_bytes(buf + 4, 0, PG - 104));
	assert_int_equal(page_ref(w, hole), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	assert_true(page_freed(w, hole));
	span_world_destroy(w);
}

/* generic_write_check_limits(): -EFBIG at s_maxbytes, short across it */
static void test_filemap_sparse_s_maxbytes(void **state)
{
	struct span_world *w = world_new();
	int f, p = new_pipe(w, 0), fr;
	uint64_t max = 6 * GIB + 10, off;
	char buf[8];

	assert_int_equal(span_world_param(w, SPAN_PARAM_S_MAXBYTES),
			 0xffffffff000ull);
	assert_ret(span_world_set_param(w, SPAN_PARAM_S_MAXBYTES, max), 0);
	f = new_file(w, 0, 0, NULL);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, max),
		   -EFBIG);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "abcd", 4, max - 2),
		   2);
	assert_ret(span_file_size(w, f), max);
	assert_ret(span_file_contents(w, f, max - 4, buf, 8), 4);
	assert_memory_equal(buf, "\0\0ab", 4);
	/* splice into the file: the same limits */
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "0123", 4, 0), 4);
	off = max - 1;
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off,
			     4, 0),
		   1);
	off = max;
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, FD_FILE(f), &off,
			     3, 0),
		   -EFBIG);
	assert_ret(span_file_contents(w, f, max - 1, buf, 8), 1);
	assert_memory_equal(buf, "0", 1);
	/* a file is created no larger than s_maxbytes */
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_file_create(w, max + 1, 0, NULL, 0, &fr), -EFBIG);
	assert_ret(span_file_create(w, max, 0, NULL, 0, &fr), 0);
	step_end(w);
	assert_ret(span_file_size(w, fr), max);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* the same sparse contents written in two orders: one state */
static void sparse_build(struct span_world *w, bool reverse)
{
	static const uint64_t at[] = { 5 * GIB, GIB + 7, 4 * GIB - 1,
				       5 * GIB + 3 * PG };
	int f = new_file(w, 0, 0, NULL);

	for (int i = 0; i < 4; i++) {
		int k = reverse ? 3 - i : i;
		char c = (char)('a' + k);

		assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), &c, 1,
				     at[k]),
			   1);
	}
}

static void test_filemap_sparse_canonical(void **state)
{
	struct span_world *a = world_new(), *b = world_new();
	struct span_snapshot *s = NULL;
	uint64_t ha[2], hb[2], h[2];
	char c = 0;

	sparse_build(a, false);
	sparse_build(b, true);
	/* the pages got their ids in different orders */
	assert_true(span_file_page(a, 1, 5 * GIB / PG) !=
		    span_file_page(b, 1, 5 * GIB / PG));
	span_world_hash(a, ha);
	span_world_hash(b, hb);
	assert_true(ha[0] == hb[0] && ha[1] == hb[1]);
	assert_true(span_world_equal(a, b));
	/* and differ when the contents do */
	assert_ret(do_pwrite(b, SPAN_INIT_PID, FD_FILE(1), "z", 1, GIB + 7), 1);
	span_world_hash(b, hb);
	assert_false(ha[0] == hb[0] && ha[1] == hb[1]);
	assert_false(span_world_equal(a, b));
	/* snapshot, change, restore: the hash and the contents come back */
	assert_ret(span_world_snapshot(a, &s), 0);
	assert_ret(do_pwrite(a, SPAN_INIT_PID, FD_FILE(1), "q", 1, 2 * GIB),
		   1);
	span_world_hash(a, h);
	assert_false(h[0] == ha[0] && h[1] == ha[1]);
	assert_ret(span_world_restore(a, s), 0);
	span_snapshot_free(a, s);
	span_world_hash(a, h);
	assert_true(h[0] == ha[0] && h[1] == ha[1]);
	assert_ret(span_file_page(a, 1, 2 * GIB / PG), -EINVAL);
	assert_ret(span_file_contents(a, 1, 4 * GIB - 1, &c, 1), 1);
	assert_int_equal(c, 'c');
	span_world_teardown(a);
	assert_no_violations(a);
	span_world_destroy(a);
	span_world_teardown(b);
	assert_no_violations(b);
	span_world_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filemap_create),
		cmocka_unit_test(test_filemap_page_cache_pages),
		cmocka_unit_test(test_filemap_pwrite),
		cmocka_unit_test(test_filemap_read_only),
		cmocka_unit_test(test_filemap_read_write_position),
		cmocka_unit_test(test_filemap_lseek),
		cmocka_unit_test(test_filemap_splice_aliases_page_cache),
		cmocka_unit_test(test_filemap_splice_tee_both_alias),
		cmocka_unit_test(test_filemap_splice_read_limits),
		cmocka_unit_test(test_filemap_splice_from_read_only),
		cmocka_unit_test(test_filemap_splice_pipe_to_file),
		cmocka_unit_test(test_filemap_splice_file_pipe_file),
		cmocka_unit_test(test_filemap_pwrite_bad_fd),
		cmocka_unit_test(test_filemap_sparse_write_5g),
		cmocka_unit_test(test_filemap_sparse_splice),
		cmocka_unit_test(test_filemap_sparse_s_maxbytes),
		cmocka_unit_test(test_filemap_sparse_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
