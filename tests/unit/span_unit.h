/* SPDX-License-Identifier: MIT */
/*
 * span_unit.h - helpers shared by the CMocka unit tests of libspan.
 *
 * The tests drive a world the way a scheduler does: every modelled call
 * runs inside span_world_step_begin() / span_world_step_end(), so the
 * checker walks the world after each one.  The do_*() wrappers below do
 * exactly that and nothing else; what a call returns is always checked by
 * the test itself.
 *
 * Expected values come from reference/kernel-semantics.md (KSEM section
 * numbers in the tests) and POLICIES.md, not from lib/.
 */
#ifndef SPAN_UNIT_H
#define SPAN_UNIT_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "span/span.h"

#define PG 4096 /* PAGE_SIZE of a default world */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PR(p) SPAN_FD(SPAN_FD_PIPE_R, (p)) /* read end of pipe @p */
#define PW(p) SPAN_FD(SPAN_FD_PIPE_W, (p)) /* write end of pipe @p */
#define FD_FILE(f) SPAN_FD(SPAN_FD_FILE, (f))

static inline const char *errn(long long v)
{
	const char *n = v < 0 ? span_errname((int)v) : NULL;

	return n ? n : "-";
}

/* assert_int_equal() that prints errno names for negative values */
#define assert_ret(actual, expected)                                   \
	do {                                                           \
		long long a_ = (long long)(actual);                    \
		long long e_ = (long long)(expected);                  \
		if (a_ != e_)                                          \
			fail_msg("%s = %lld (%s), expected %lld (%s)", \
				 #actual, a_, errn(a_), e_, errn(e_)); \
	} while (0)

static inline struct span_world *world_new(void)
{
	struct span_world *w = NULL;

	assert_int_equal(span_world_create(&w, NULL, NULL), 0);
	assert_non_null(w);
	return w;
}

static inline void set_knob(struct span_world *w, int knob, int value)
{
	span_world_policy(w)->v[knob] = (uint8_t)value;
}

static inline void step_begin(struct span_world *w, int pid)
{
	span_world_step_begin(w, pid, pid);
}

static inline void step_end(struct span_world *w)
{
	span_world_step_end(w);
}

/* --- violations -------------------------------------------------------- */

static inline void dump_violations(const struct span_world *w)
{
	for (int i = 0; i < span_world_nr_violations(w); i++) {
		const struct span_violation *v = span_world_violation(w, i);

		print_message("violation %d: %s at step %llu in %s: %s\n", i,
			      span_invariant_name(v->inv),
			      (unsigned long long)v->step, v->func, v->msg);
	}
}

/* a macro, so that a failure names the test's line */
#define assert_no_violations(w)                                   \
	do {                                                      \
		if (span_world_nr_violations(w))                  \
			dump_violations(w);                       \
		assert_int_equal(span_world_nr_violations(w), 0); \
	} while (0)

/* how many recorded violations are of invariant @inv */
static inline int nr_violations_of(const struct span_world *w, int inv)
{
	int n = 0;

	for (int i = 0; i < span_world_nr_violations(w); i++)
		n += span_world_violation(w, i)->inv == inv;
	return n;
}

/*
 * Every recorded violation (if any) is @inv_ on object (@type_, @obj_): for
 * a test that misuses the API on purpose, where recording the misuse as a
 * violation is allowed but nothing else may go wrong.
 */
#define assert_only_violations_of(w, inv_, type_, obj_)                     \
	do {                                                                \
		for (int i_ = 0; i_ < span_world_nr_violations(w); i_++) {  \
			const struct span_violation *v_ =                   \
				span_world_violation((w), i_);              \
			if (v_->inv != (inv_) || v_->obj_type != (type_) || \
			    v_->obj != (uint32_t)(obj_)) {                  \
				dump_violations(w);                         \
				fail_msg("unexpected violation %d", i_);    \
			}                                                   \
		}                                                           \
	} while (0)

/* the first recorded violation of @inv, or NULL */
static inline const struct span_violation *
find_violation(const struct span_world *w, int inv)
{
	for (int i = 0; i < span_world_nr_violations(w); i++)
		if (span_world_violation(w, i)->inv == inv)
			return span_world_violation(w, i);
	return NULL;
}

/* --- pages --------------------------------------------------------------- */

static inline struct span_page_info page_info(const struct span_world *w,
					      int page)
{
	struct span_page_info info;

	assert_ret(span_page_info(w, page, &info), 0);
	return info;
}

static inline int64_t page_ref(const struct span_world *w, int page)
{
	return page_info(w, page).refcount;
}

static inline bool page_freed(const struct span_world *w, int page)
{
	struct span_page_info info;

	return span_page_info(w, page, &info) == 0 &&
	       info.kind == SPAN_PAGE_FREE && info.freed_at;
}

/* --- stepped calls -------------------------------------------------------- */

static inline int do_mmap(struct span_world *w, int pid, uint64_t size,
			  unsigned int flags, const char *fill)
{
	int region = 0, ret;

	step_begin(w, pid);
	ret = span_mmap_anon(w, pid, size, flags, fill, fill ? strlen(fill) : 0,
			     &region);
	step_end(w);
	assert_ret(ret, 0);
	assert_true(region > 0);
	return region;
}

static inline int do_munmap(struct span_world *w, int pid, int region)
{
	int ret;

	step_begin(w, pid);
	ret = span_munmap(w, pid, region);
	step_end(w);
	return ret;
}

static inline int do_fork(struct span_world *w, int pid)
{
	int child = 0, ret;

	step_begin(w, pid);
	ret = span_fork(w, pid, &child);
	step_end(w);
	assert_ret(ret, 0);
	assert_true(child > 0 && child != pid);
	return child;
}

static inline int do_store(struct span_world *w, int pid, int region,
			   uint64_t off, const void *data, size_t len)
{
	int ret;

	step_begin(w, pid);
	ret = span_store(w, pid, region, off, data, len);
	step_end(w);
	return ret;
}

/* store @len copies of byte @c */
static inline int do_store_fill(struct span_world *w, int pid, int region,
				uint64_t off, int c, size_t len)
{
	char buf[PG * 4];

	assert_true(len <= sizeof(buf));
	memset(buf, c, len);
	return do_store(w, pid, region, off, buf, len);
}

static inline int do_load(struct span_world *w, int pid, int region,
			  uint64_t off, void *out, size_t len)
{
	int ret;

	step_begin(w, pid);
	ret = span_load(w, pid, region, off, out, len);
	step_end(w);
	return ret;
}

static inline int do_gup(struct span_world *w, int pid, int region,
			 uint64_t off, size_t len, unsigned int gup, int *pages,
			 int max)
{
	int ret;

	step_begin(w, pid);
	ret = span_get_user_pages(w, pid, region, off, len, gup, pages, max);
	step_end(w);
	return ret;
}

static inline int do_get_page(struct span_world *w, int page)
{
	int ret;

	step_begin(w, 0);
	ret = span_get_page(w, page);
	step_end(w);
	return ret;
}

static inline int do_put_page(struct span_world *w, int page)
{
	int ret;

	step_begin(w, 0);
	ret = span_put_page(w, page);
	step_end(w);
	return ret;
}

static inline int do_unpin(struct span_world *w, int page)
{
	int ret;

	step_begin(w, 0);
	ret = span_unpin_user_page(w, page);
	step_end(w);
	return ret;
}

static inline int new_pipe(struct span_world *w, unsigned int flags)
{
	int pipe = 0, ret;

	step_begin(w, SPAN_INIT_PID);
	ret = span_pipe_create(w, flags, &pipe);
	step_end(w);
	assert_ret(ret, 0);
	assert_true(pipe > 0);
	return pipe;
}

static inline int64_t do_set_size(struct span_world *w, int fd, uint64_t arg)
{
	int64_t ret;

	step_begin(w, SPAN_INIT_PID);
	ret = span_pipe_set_size(w, fd, arg);
	step_end(w);
	return ret;
}

static inline ssize_t do_write(struct span_world *w, int pid, int fd,
			       const struct span_src *src, size_t len,
			       unsigned int flags, size_t *done)
{
	ssize_t ret;

	step_begin(w, pid);
	ret = span_write(w, pid, fd, src, len, flags, done);
	step_end(w);
	return ret;
}

/* write @len bytes of @buf (a buffer on the caller's stack) */
static inline ssize_t do_write_buf(struct span_world *w, int pid, int fd,
				   const void *buf, size_t len,
				   unsigned int flags)
{
	struct span_src src = { .buf = buf };
	size_t done = 0;

	return do_write(w, pid, fd, &src, len, flags, &done);
}

/* write @len copies of byte @c */
static inline ssize_t do_write_fill(struct span_world *w, int pid, int fd,
				    int c, size_t len, unsigned int flags)
{
	static char buf[1 << 18];

	assert_true(len <= sizeof(buf));
	memset(buf, c, len);
	return do_write_buf(w, pid, fd, buf, len, flags);
}

static inline ssize_t do_read(struct span_world *w, int pid, int fd, void *out,
			      size_t len, unsigned int flags)
{
	ssize_t ret;

	step_begin(w, pid);
	ret = span_read(w, pid, fd, out, len, flags);
	step_end(w);
	return ret;
}

static inline int do_close(struct span_world *w, int pid, int fd)
{
	int ret;

	step_begin(w, pid);
	ret = span_close(w, pid, fd);
	step_end(w);
	return ret;
}

static inline ssize_t do_splice(struct span_world *w, int pid, int fd_in,
				uint64_t *off_in, int fd_out, uint64_t *off_out,
				size_t len, unsigned int flags)
{
	ssize_t ret;

	step_begin(w, pid);
	ret = span_splice(w, pid, fd_in, off_in, fd_out, off_out, len, flags);
	step_end(w);
	return ret;
}

static inline ssize_t do_tee(struct span_world *w, int pid, int fd_in,
			     int fd_out, size_t len, unsigned int flags)
{
	ssize_t ret;

	step_begin(w, pid);
	ret = span_tee(w, pid, fd_in, fd_out, len, flags);
	step_end(w);
	return ret;
}

static inline ssize_t do_vmsplice(struct span_world *w, int pid, int fd,
				  int region, uint64_t off, size_t len,
				  unsigned int flags)
{
	ssize_t ret;

	step_begin(w, pid);
	ret = span_vmsplice(w, pid, fd, region, off, len, flags);
	step_end(w);
	return ret;
}

static inline int new_file(struct span_world *w, uint64_t size,
			   unsigned int flags, const char *fill)
{
	int file = 0, ret;

	step_begin(w, SPAN_INIT_PID);
	ret = span_file_create(w, size, flags, fill, fill ? strlen(fill) : 0,
			       &file);
	step_end(w);
	assert_ret(ret, 0);
	assert_true(file > 0);
	return file;
}

static inline ssize_t do_pwrite(struct span_world *w, int pid, int fd,
				const void *data, size_t len, uint64_t off)
{
	ssize_t ret;

	step_begin(w, pid);
	ret = span_pwrite(w, pid, fd, data, len, off);
	step_end(w);
	return ret;
}

/* --- pipes --------------------------------------------------------------- */

static inline struct span_pipe_info pipe_info(const struct span_world *w,
					      int pipe)
{
	struct span_pipe_info info;

	assert_ret(span_pipe_info(w, pipe, &info), 0);
	return info;
}

static inline uint32_t pipe_nr_bufs(const struct span_world *w, int pipe)
{
	struct span_pipe_info info = pipe_info(w, pipe);

	return info.head - info.tail;
}

static inline uint64_t pipe_bytes(const struct span_world *w, int pipe)
{
	return pipe_info(w, pipe).bytes;
}

/* the @i-th occupied buffer, counted from the tail */
static inline struct span_pipe_buf_info pipe_buf(const struct span_world *w,
						 int pipe, uint32_t i)
{
	struct span_pipe_info info = pipe_info(w, pipe);
	struct span_pipe_buf_info b;

	assert_true(i < info.head - info.tail);
	assert_ret(span_pipe_buf(w, pipe, info.tail + i, &b), 0);
	return b;
}

/* true when all @len bytes of @buf are @c */
static inline bool all_bytes(const void *buf, int c, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)c)
			return false;
	return true;
}

/* read @len bytes and check that every one is @c */
static inline void read_expect_fill(struct span_world *w, int pid, int fd,
				    int c, size_t len)
{
	static char buf[1 << 18];

	assert_true(len <= sizeof(buf));
	memset(buf, 0x5a, len);
	assert_ret(do_read(w, pid, fd, buf, len, SPAN_O_NONBLOCK),
		   (ssize_t)len);
	if (!all_bytes(buf, c, len))
		fail_msg("read: expected %zu bytes of 0x%02x, got 0x%02x...",
			 len, c, (unsigned char)buf[0]);
}

#endif
