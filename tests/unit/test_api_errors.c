// SPDX-License-Identifier: MIT
/*
 * test_api_errors.c - the error contract of the public API (docs/api.md,
 * "Errors"), checked three ways:
 *
 *  1. every SPAN_API function in include/span/ has a `Return:` clause in
 *     its comment, and docs/api.md's table gives the same text for it;
 *  2. every function is called here with what a careless caller gives
 *     (a NULL world, a freed or closed object's id, ids and values out of
 *     range), and nothing in include/span/ is left uncalled;
 *  3. each such call returns what the clause promises: a negative errno
 *     that the clause names (a call returning an errno the header does
 *     not name fails), NULL where it says NULL, or the value it states.
 *
 * The header is the source: a new function without a `Return:` clause, a
 * clause that docs/api.md does not repeat, or an errno that a call can
 * return but the clause does not list, fails this test.
 */
#include <ctype.h>
#include <stdlib.h>

#include "span_unit.h"

#define MAX_FNS 256
#define MAX_TEXT 400

struct fn_doc {
	char name[48];
	char ret[MAX_TEXT];	/* the Return: clause, whitespace collapsed */
	bool called;
};

static struct fn_doc fns[MAX_FNS];
static int nr_fns;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* copy [s, e) with comment leaders dropped and whitespace collapsed */
static void collapse(char *out, size_t size, const char *s, const char *e)
{
	size_t o = 0;
	bool space = false;

	while (s < e && o + 1 < size) {
		if (*s == '\n') {
			s++;
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			if (s < e && *s == '*' && s[1] != '/')
				s++;
			space = true;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			space = true;
			s++;
			continue;
		}
		if (space && o)
			out[o++] = ' ';
		space = false;
		out[o++] = *s++;
	}
	out[o] = 0;
}

static struct fn_doc *fn_find(const char *name)
{
	for (int i = 0; i < nr_fns; i++)
		if (!strcmp(fns[i].name, name))
			return &fns[i];
	return NULL;
}

/* the SPAN_API declarations of one header and their Return: clauses */
static void parse_header(const char *path)
{
	char *buf = slurp(path);
	const char *p = buf;

	while ((p = strstr(p, "SPAN_API "))) {
		const char *paren = strchr(p, '(');
		const char *name = paren, *cs, *ce, *r;
		struct fn_doc *fd;

		assert_non_null(paren);
		while (name > p && (isalnum((unsigned char)name[-1]) ||
				    name[-1] == '_'))
			name--;
		assert_true(nr_fns < MAX_FNS);
		fd = &fns[nr_fns++];
		assert_true(paren - name < (long)sizeof(fd->name));
		memcpy(fd->name, name, (size_t)(paren - name));
		fd->name[paren - name] = 0;

		/* the comment that ends right before the declaration */
		ce = p;
		while (ce > buf && isspace((unsigned char)ce[-1]))
			ce--;
		fd->ret[0] = 0;
		if (ce - buf >= 2 && ce[-1] == '/' && ce[-2] == '*') {
			ce -= 2;
			cs = ce;
			while (cs > buf && !(cs[0] == '/' && cs[1] == '*'))
				cs--;
			r = strstr(cs, "Return:");
			if (r && r < ce) {
				const char *end = r + 7;

				/* up to a blank comment line or the end */
				while (end < ce && !(end[0] == '\n' &&
						     !strncmp(end + 1, " *\n", 3)))
					end++;
				collapse(fd->ret, sizeof(fd->ret), r + 7, end);
			}
		}
		p = paren;
	}
	free(buf);
}

static void load_headers(void)
{
	static const char *const headers[] = {
		"check", "design", "errno", "fault", "fd", "file", "mm", "net",
		"pipe", "policy", "snapshot", "splice", "trace", "world",
	};
	const char *src = getenv("SPAN_SOURCE_DIR");
	char path[512];

	if (nr_fns)
		return;
	assert_non_null(src);
	for (size_t i = 0; i < ARRAY_SIZE(headers); i++) {
		snprintf(path, sizeof(path), "%s/include/span/%s.h", src,
			 headers[i]);
		parse_header(path);
	}
}

/* Is -@err named in @fn's Return: clause (as -ENAME or -SPAN_ENAME)? */
static bool documents(const struct fn_doc *fd, long long err)
{
	const char *name = span_errname((int)err);
	char tok[40];
	const char *p = fd->ret;

	if (!name)
		return false;
	snprintf(tok, sizeof(tok), "-%s", name);
	while ((p = strstr(p, tok))) {
		char c = p[strlen(tok)];

		if (!isalnum((unsigned char)c) && c != '_')
			return true;
		p++;
	}
	return false;
}

static struct fn_doc *called(const char *fn)
{
	struct fn_doc *fd = fn_find(fn);

	if (!fd)
		fail_msg("%s is called here but not declared SPAN_API", fn);
	fd->called = true;
	return fd;
}

/*
 * The checks below report every broken promise (print_error) and count
 * it, so one run lists them all; the test fails at its end if any.
 */
static int broken;

#define BROKEN(...)                          \
	do {                                 \
		print_error(__VA_ARGS__);    \
		print_error("\n");           \
		broken++;                    \
	} while (0)

/* @expr returns a negative errno that @fn's Return: clause names */
#define E(fn, expr)                                                          \
	do {                                                                 \
		struct fn_doc *fd_ = called(#fn);                            \
		long long v_ = (long long)(expr);                            \
		if (v_ >= 0)                                                 \
			BROKEN("%s = %lld, expected a negative errno", #expr, \
			       v_);                                          \
		else if (!documents(fd_, v_))                                \
			BROKEN("%s = %s, which %s's Return: clause does not " \
			       "name (\"%s\")", #expr, errn(v_), #fn,        \
			       fd_->ret);                                    \
	} while (0)

/* @expr returns exactly @err, and the clause names it */
#define EQ(fn, expr, err)                                                    \
	do {                                                                 \
		struct fn_doc *fd_ = called(#fn);                            \
		long long v_ = (long long)(expr);                            \
		if (v_ != (err))                                             \
			BROKEN("%s = %lld (%s), expected %s", #expr, v_,     \
			       errn(v_), errn(err));                         \
		else if (!documents(fd_, (err)))                             \
			BROKEN("%s returns %s but its Return: clause does "  \
			       "not name it (\"%s\")", #fn, errn(err),       \
			       fd_->ret);                                    \
	} while (0)

/* @expr is NULL, and the clause says so */
#define N(fn, expr)                                                          \
	do {                                                                 \
		struct fn_doc *fd_ = called(#fn);                            \
		if ((expr) != NULL)                                          \
			BROKEN("%s is not NULL", #expr);                     \
		else if (!strstr(fd_->ret, "NULL"))                          \
			BROKEN("%s returns NULL but its Return: clause "     \
			       "does not say so (\"%s\")", #fn, fd_->ret);   \
	} while (0)

/* @expr equals @val (a function that cannot fail states its value) */
#define V(fn, expr, val)                                                     \
	do {                                                                 \
		long long v_ = (long long)(expr);                            \
		called(#fn);                                                 \
		if (v_ != (long long)(val))                                  \
			BROKEN("%s = %lld, expected %lld", #expr, v_,        \
			       (long long)(val));                            \
	} while (0)

/* a void function: it must return (not crash) */
#define X(fn, stmt)             \
	do {                        \
		called(#fn);        \
		stmt;               \
	} while (0)

static const int bad_ids[] = { 0, -1, 4242, 0x7fffffff };

/* 1. every function has a Return: clause, and docs/api.md repeats it */
static void test_api_errors_documented(void **state)
{
	const char *src = getenv("SPAN_SOURCE_DIR");
	char path[512], row[MAX_TEXT + 80];
	char *doc;
	int missing = 0, differ = 0;

	(void)state;
	load_headers();
	assert_true(nr_fns > 100);
	snprintf(path, sizeof(path), "%s/docs/api.md", src);
	doc = slurp(path);
	for (int i = 0; i < nr_fns; i++) {
		if (!fns[i].ret[0]) {
			print_error("%s: no Return: clause in its header\n",
				    fns[i].name);
			missing++;
			continue;
		}
		snprintf(row, sizeof(row), "| `%s` | %s |\n", fns[i].name,
			 fns[i].ret);
		if (!strstr(doc, row)) {
			print_error("docs/api.md lacks the row: %s", row);
			differ++;
		}
	}
	free(doc);
	if (missing || differ)
		fail_msg("%d functions without a Return: clause, %d rows of "
			 "docs/api.md's Errors table missing or different",
			 missing, differ);
}

/* 2 and 3: every function, given bad arguments */
static void test_api_errors_returned(void **state)
{
	struct span_world *w = world_new(), *w2 = world_new();
	struct span_snapshot *snap = NULL;
	struct span_page_info pi;
	struct span_owner_info oi;
	struct span_pipe_info pipi;
	struct span_pipe_buf_info pbi;
	struct span_sock_info si;
	struct span_skb_info ki;
	struct span_ubuf_view ui;
	struct span_check_stats cs;
	struct span_event ev[4];
	struct span_access acc;
	struct span_policy pol;
	struct span_src src = { .buf = "x" };
	uint64_t off = 0, h[2];
	char out[64];
	int id, p, f, r, k, o, a, b;
	size_t done = 0;
	int uninit_pid = 77;

	(void)state;
	load_headers();

	/* objects, then the same ids once freed or closed */
	assert_ret(span_pipe_create(w, 0, &p), 0);
	assert_ret(span_close(w, SPAN_INIT_PID, PR(p)), 0);
	assert_ret(span_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_ret(span_file_create(w, 100, 0, "f", 1, &f), 0);
	assert_ret(span_close(w, SPAN_INIT_PID, FD_FILE(f)), 0);
	assert_ret(span_mmap_anon(w, SPAN_INIT_PID, PG, 0, "m", 1, &r), 0);
	assert_ret(span_munmap(w, SPAN_INIT_PID, r), 0);
	assert_ret(span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, "k", 1, &k), 0);
	assert_ret(span_kmem_free(w, k), 0);
	assert_ret(span_owner_create(w, &o), 0);
	assert_ret(span_owner_put(w, o), 0);

	/* check.h */
	N(span_invariant_name, span_invariant_name(-1));
	N(span_invariant_name, span_invariant_name(SPAN_NR_INVARIANTS));
	E(span_invariant_lookup, span_invariant_lookup("no-such-invariant"));
	E(span_invariant_lookup, span_invariant_lookup(NULL));
	N(span_invariant_doc, span_invariant_doc(-1));
	EQ(span_world_allow, span_world_allow(NULL, 0, true), -EINVAL);
	EQ(span_world_allow, span_world_allow(w, -1, true), -EINVAL);
	EQ(span_world_allow, span_world_allow(w, SPAN_NR_INVARIANTS, true),
	   -EINVAL);
	EQ(span_world_check, span_world_check(NULL), -EINVAL);
	EQ(span_world_set_check_mode, span_world_set_check_mode(NULL, 0),
	   -EINVAL);
	EQ(span_world_set_check_mode, span_world_set_check_mode(w, 99),
	   -EINVAL);
	EQ(span_world_check_mode, span_world_check_mode(NULL), -EINVAL);
	N(span_check_mode_name, span_check_mode_name(-1));
	N(span_check_mode_name, span_check_mode_name(99));
	E(span_check_mode_lookup, span_check_mode_lookup("sometimes"));
	E(span_check_mode_lookup, span_check_mode_lookup(NULL));
	EQ(span_world_check_stats, span_world_check_stats(NULL, &cs),
	   -EINVAL);
	EQ(span_world_check_stats, span_world_check_stats(w, NULL), -EINVAL);
	V(span_world_nr_violations, span_world_nr_violations(NULL), 0);
	N(span_world_violation, span_world_violation(NULL, 0));
	N(span_world_violation, span_world_violation(w, -1));
	N(span_world_violation, span_world_violation(w, 0));
	EQ(span_world_teardown, span_world_teardown(NULL), -EINVAL);

	/* errno.h */
	N(span_errname, span_errname(0));
	N(span_errname, span_errname(-100000));
	V(span_errno_lookup, span_errno_lookup("ENOTANERRNO"), 0);
	V(span_errno_lookup, span_errno_lookup(NULL), 0);
	called("span_strerror");
	if (strcmp(span_strerror(-100000), "Unknown error"))
		BROKEN("span_strerror(-100000) = \"%s\"",
		       span_strerror(-100000));

	/* fault.h */
	EQ(span_fault_set, span_fault_set(NULL, 0, 1, 0), -EINVAL);
	EQ(span_fault_set, span_fault_set(w, -1, 1, 0), -EINVAL);
	EQ(span_fault_set, span_fault_set(w, SPAN_NR_FAULT_CLASSES, 1, 0), -EINVAL);
	V(span_fault_count, span_fault_count(NULL, 0), 0);
	V(span_fault_count, span_fault_count(w, -1), 0);
	V(span_fault_hits, span_fault_hits(NULL, 0), 0);
	V(span_fault_hits, span_fault_hits(w, SPAN_NR_FAULT_CLASSES), 0);
	X(span_fault_hit, span_fault_hit(-1));

	/* fd.h */
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		id = bad_ids[i];
		E(span_write, span_write(w, SPAN_INIT_PID, PW(id), &src, 1, 0,
					 &done));
		E(span_read, span_read(w, SPAN_INIT_PID, PR(id), out, 1, 0));
		EQ(span_close, span_close(w, SPAN_INIT_PID, PR(id)), -EBADF);
		V(span_fd_valid, span_fd_valid(w, PR(id)), false);
	}
	E(span_write, span_write(NULL, SPAN_INIT_PID, PW(p), &src, 1, 0,
				 &done));
	E(span_write, span_write(w, SPAN_INIT_PID, PW(p), &src, 1, 0, &done));
	E(span_write, span_write(w, SPAN_INIT_PID, -1, &src, 1, 0, &done));
	E(span_read, span_read(NULL, SPAN_INIT_PID, PR(p), out, 1, 0));
	E(span_read, span_read(w, SPAN_INIT_PID, PR(p), out, 1, 0));
	EQ(span_close, span_close(NULL, SPAN_INIT_PID, PR(p)), -EBADF);
	EQ(span_close, span_close(w, SPAN_INIT_PID, PW(p)), -EBADF);
	EQ(span_close, span_close(w, SPAN_INIT_PID, FD_FILE(f)), -EBADF);
	V(span_fd_valid, span_fd_valid(NULL, PR(p)), false);
	V(span_fd_valid, span_fd_valid(w, PR(p)), false);
	E(span_ioctl, span_ioctl(NULL, PR(p), SPAN_FIONREAD, &a));
	EQ(span_ioctl, span_ioctl(w, PR(p), SPAN_FIONREAD, &a), -EBADF);
	EQ(span_ioctl, span_ioctl(w, FD_FILE(4242), SPAN_FIONREAD, &a), -EBADF);
	E(span_lseek, span_lseek(NULL, FD_FILE(f), 0, SPAN_SEEK_SET));
	EQ(span_lseek, span_lseek(w, FD_FILE(f), 0, SPAN_SEEK_SET), -EBADF);
	EQ(span_lseek, span_lseek(w, PR(4242), 0, SPAN_SEEK_SET), -EBADF);

	/* file.h */
	EQ(span_chrdev_open, span_chrdev_open(NULL, SPAN_CHR_NULL, &id),
	   -EINVAL);
	EQ(span_chrdev_open, span_chrdev_open(w, 4, &id), -EINVAL);
	EQ(span_chrdev_open, span_chrdev_open(w, SPAN_CHR_ZERO, NULL), -EINVAL);
	EQ(span_file_create, span_file_create(NULL, 1, 0, NULL, 0, &id),
	   -EINVAL);
	EQ(span_file_create, span_file_create(w, 1, 0x100, NULL, 0, &id),
	   -EINVAL);
	EQ(span_file_create, span_file_create(w, 1, 0, NULL, 0, NULL),
	   -EINVAL);
	E(span_pwrite, span_pwrite(NULL, SPAN_INIT_PID, FD_FILE(f), "x", 1,
				   0));
	EQ(span_pwrite, span_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 0),
	   -EBADF);
	E(span_pwrite, span_pwrite(w, SPAN_INIT_PID, FD_FILE(4242), "x", 1,
				   0));
	EQ(span_file_contents, span_file_contents(NULL, f, 0, out, 1),
	   -EINVAL);
	EQ(span_file_contents, span_file_contents(w, 4242, 0, out, 1),
	   -EINVAL);
	EQ(span_file_page, span_file_page(NULL, f, 0), -EINVAL);
	EQ(span_file_page, span_file_page(w, 4242, 0), -EINVAL);
	EQ(span_file_size, span_file_size(NULL, f), -EINVAL);
	EQ(span_file_size, span_file_size(w, 4242), -EINVAL);

	/* mm.h */
	N(span_page_kind_name, span_page_kind_name(-1));
	N(span_page_kind_name, span_page_kind_name(SPAN_NR_PAGE_KINDS));
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		id = bad_ids[i];
		E(span_page_info, span_page_info(w, id, &pi));
		E(span_put_page, span_put_page(w, id));
		E(span_unpin_user_page, span_unpin_user_page(w, id));
		E(span_get_page, span_get_page(w, id));
		E(span_fork, span_fork(w, id, &a));
		E(span_mmap_anon, span_mmap_anon(w, id, PG, 0, NULL, 0, &a));
		E(span_store, span_store(w, SPAN_INIT_PID, id, 0, "x", 1));
		E(span_load, span_load(w, SPAN_INIT_PID, id, 0, out, 1));
		E(span_munmap, span_munmap(w, SPAN_INIT_PID, id));
		E(span_peek, span_peek(w, SPAN_INIT_PID, id, 0, out, 1));
		E(span_region_page, span_region_page(w, SPAN_INIT_PID, id, 0));
		E(span_region_size, span_region_size(w, id));
		E(span_get_user_pages,
		  span_get_user_pages(w, SPAN_INIT_PID, id, 0, 1,
				      SPAN_FOLL_GET, &a, 1));
		E(span_kmem_alloc, span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, id,
						   NULL, 0, &a));
		E(span_kmem_free, span_kmem_free(w, id));
		E(span_kmem_peek, span_kmem_peek(w, id, 0, out, 1));
		E(span_kmem_page, span_kmem_page(w, id, 0));
		E(span_owner_put, span_owner_put(w, id));
		E(span_owner_info, span_owner_info(w, id, &oi));
	}
	EQ(span_page_info, span_page_info(NULL, 1, &pi), -EINVAL);
	EQ(span_zero_page, span_zero_page(NULL), -EINVAL);
	EQ(span_process_create, span_process_create(NULL, &a), -EINVAL);
	EQ(span_process_create, span_process_create(w, NULL), -EINVAL);
	E(span_fork, span_fork(NULL, SPAN_INIT_PID, &a));
	EQ(span_fork, span_fork(w, uninit_pid, &a), -ESRCH);
	EQ(span_mmap_anon, span_mmap_anon(w, uninit_pid, PG, 0, NULL, 0, &a),
	   -ESRCH);
	EQ(span_mmap_anon, span_mmap_anon(w, SPAN_INIT_PID, 0, 0, NULL, 0, &a),
	   -EINVAL);
	E(span_mmap_anon, span_mmap_anon(NULL, SPAN_INIT_PID, PG, 0, NULL, 0,
					 &a));
	EQ(span_store, span_store(w, SPAN_INIT_PID, r, 0, "x", 1), -EFAULT);
	E(span_store, span_store(NULL, SPAN_INIT_PID, r, 0, "x", 1));
	EQ(span_load, span_load(w, SPAN_INIT_PID, r, 0, out, 1), -EFAULT);
	E(span_load, span_load(NULL, SPAN_INIT_PID, r, 0, out, 1));
	EQ(span_munmap, span_munmap(w, uninit_pid, r), -ESRCH);
	E(span_munmap, span_munmap(NULL, SPAN_INIT_PID, r));
	EQ(span_peek, span_peek(w, SPAN_INIT_PID, r, 0, out, 1), -EFAULT);
	E(span_peek, span_peek(NULL, SPAN_INIT_PID, r, 0, out, 1));
	EQ(span_region_page, span_region_page(w, SPAN_INIT_PID, r, 0),
	   -EFAULT);
	E(span_region_page, span_region_page(NULL, SPAN_INIT_PID, r, 0));
	E(span_region_size, span_region_size(NULL, r));
	E(span_get_user_pages, span_get_user_pages(w, SPAN_INIT_PID, r, 0, 1,
						   SPAN_FOLL_GET, &a, 1));
	E(span_get_user_pages, span_get_user_pages(NULL, SPAN_INIT_PID, r, 0,
						   1, SPAN_FOLL_GET, &a, 1));
	E(span_put_page, span_put_page(NULL, 1));
	E(span_unpin_user_page, span_unpin_user_page(NULL, 1));
	E(span_get_page, span_get_page(NULL, 1));
	EQ(span_kmem_alloc, span_kmem_alloc(NULL, PG, SPAN_KMEM_PAGES, 0,
					    NULL, 0, &a), -EINVAL);
	EQ(span_kmem_alloc, span_kmem_alloc(w, PG, 99, 0, NULL, 0, &a),
	   -EINVAL);
	EQ(span_kmem_alloc, span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, o, NULL,
					    0, &a), -EINVAL);
	E(span_kmem_free, span_kmem_free(w, k));
	E(span_kmem_free, span_kmem_free(NULL, k));
	E(span_kmem_peek, span_kmem_peek(w, k, 0, out, 1));
	E(span_kmem_peek, span_kmem_peek(NULL, k, 0, out, 1));
	E(span_kmem_page, span_kmem_page(NULL, k, 0));
	EQ(span_owner_create, span_owner_create(NULL, &a), -EINVAL);
	EQ(span_owner_create, span_owner_create(w, NULL), -EINVAL);
	EQ(span_owner_put, span_owner_put(w, o), -EINVAL);
	EQ(span_owner_put, span_owner_put(NULL, o), -EINVAL);
	EQ(span_owner_info, span_owner_info(NULL, o, &oi), -EINVAL);
	EQ(span_owner_info, span_owner_info(w, o, NULL), -EINVAL);
	V(span_pinned_bytes, span_pinned_bytes(NULL), 0);

	/* net.h */
	EQ(span_tcp_connect, span_tcp_connect(NULL, &a, &b), -EINVAL);
	EQ(span_tcp_connect, span_tcp_connect(w, NULL, &b), -EINVAL);
	EQ(span_unix_pair, span_unix_pair(NULL, &a, &b), -EINVAL);
	EQ(span_unix_pair, span_unix_pair(w, &a, NULL), -EINVAL);
	assert_ret(span_unix_pair(w, &a, &b), 0);
	EQ(span_setsockopt_zerocopy, span_setsockopt_zerocopy(w, SPAN_FD(
	   SPAN_FD_SOCK, a), 1), -EOPNOTSUPP);
	assert_ret(span_close(w, SPAN_INIT_PID, SPAN_FD(SPAN_FD_SOCK, a)), 0);
	assert_ret(span_close(w, SPAN_INIT_PID, SPAN_FD(SPAN_FD_SOCK, b)), 0);
	EQ(span_setsockopt_zerocopy, span_setsockopt_zerocopy(NULL, SPAN_FD(
	   SPAN_FD_SOCK, a), 1), -EBADF);
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids) + 1; i++) {
		int s = i < ARRAY_SIZE(bad_ids) ? bad_ids[i] : a;
		int sfd = SPAN_FD(SPAN_FD_SOCK, s);

		EQ(span_setsockopt_zerocopy, span_setsockopt_zerocopy(w, sfd,
		   1), -EBADF);
		E(span_sendmsg, span_sendmsg(w, SPAN_INIT_PID, sfd, &src, 1, 0,
					     &done));
		E(span_recvmsg, span_recvmsg(w, SPAN_INIT_PID, sfd, out, 1, 0));
		done = 0;
		E(span_recvmsg_waitall, span_recvmsg_waitall(w, SPAN_INIT_PID,
			sfd, out, 1, 0, &done));
		EQ(span_shutdown, span_shutdown(w, sfd, 1), -EBADF);
		E(span_recv_errqueue, span_recv_errqueue(w, sfd, false, out,
							 sizeof(out)));
		EQ(span_sock_completions, span_sock_completions(w, sfd, out,
		   sizeof(out)), -EBADF);
		E(span_decrypt, span_decrypt(w, SPAN_INIT_PID, sfd, 1));
		E(span_sock_info, span_sock_info(w, s, &si));
		E(span_sock_skb, span_sock_skb(w, s, 0, 0));
		E(span_skb_info, span_skb_info(w, s, &ki));
		E(span_ubuf_info, span_ubuf_info(w, s, &ui));
	}
	E(span_sendmsg, span_sendmsg(NULL, SPAN_INIT_PID, SPAN_FD(SPAN_FD_SOCK,
				     1), &src, 1, 0, &done));
	E(span_sendmsg, span_sendmsg(w, SPAN_INIT_PID, PW(p), &src, 1, 0,
				     &done));
	E(span_recvmsg, span_recvmsg(NULL, SPAN_INIT_PID, SPAN_FD(SPAN_FD_SOCK,
				     1), out, 1, 0));
	E(span_recvmsg_waitall, span_recvmsg_waitall(NULL, SPAN_INIT_PID,
		SPAN_FD(SPAN_FD_SOCK, 1), out, 1, 0, &done));
	E(span_shutdown, span_shutdown(NULL, SPAN_FD(SPAN_FD_SOCK, 1), 1));
	E(span_recv_errqueue, span_recv_errqueue(NULL, SPAN_FD(SPAN_FD_SOCK,
						 1), false, out, sizeof(out)));
	E(span_sock_completions, span_sock_completions(NULL, SPAN_FD(
	  SPAN_FD_SOCK, 1), out, sizeof(out)));
	E(span_decrypt, span_decrypt(NULL, SPAN_INIT_PID, SPAN_FD(SPAN_FD_SOCK,
				     1), 1));
	E(span_sock_info, span_sock_info(NULL, 1, &si));
	E(span_sock_skb, span_sock_skb(NULL, 1, 0, 0));
	E(span_skb_info, span_skb_info(NULL, 1, &ki));
	E(span_ubuf_info, span_ubuf_info(NULL, 1, &ui));

	/* pipe.h */
	N(span_pipe_buf_ops_name, span_pipe_buf_ops_name(-1));
	N(span_pipe_buf_ops_name, span_pipe_buf_ops_name(99));
	EQ(span_pipe_create, span_pipe_create(NULL, 0, &id), -EINVAL);
	EQ(span_pipe_create, span_pipe_create(w, 0x40000000, &id), -EINVAL);
	EQ(span_pipe_create, span_pipe_create(w, 0, NULL), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids) + 1; i++) {
		id = i < ARRAY_SIZE(bad_ids) ? bad_ids[i] : p;
		EQ(span_pipe_set_size, span_pipe_set_size(w, PW(id), PG),
		   -EBADF);
		EQ(span_pipe_get_size, span_pipe_get_size(w, PW(id)), -EBADF);
		EQ(span_pipe_fcntl, span_pipe_fcntl(w, PW(id), 1032, 0),
		   -EBADF);
		E(span_pipe_info, span_pipe_info(w, id, &pipi));
		E(span_pipe_buf, span_pipe_buf(w, id, 0, &pbi));
	}
	EQ(span_pipe_set_size, span_pipe_set_size(NULL, PW(p), PG), -EINVAL);
	EQ(span_pipe_get_size, span_pipe_get_size(NULL, PW(p)), -EINVAL);
	EQ(span_pipe_fcntl, span_pipe_fcntl(NULL, PW(p), 1032, 0), -EINVAL);
	E(span_pipe_info, span_pipe_info(NULL, p, &pipi));
	E(span_pipe_buf, span_pipe_buf(NULL, p, 0, &pbi));

	/* design.h */
	V(span_decide_knob, span_decide_knob(NULL), 0);
	V(span_decide_mainline, span_decide_mainline(NULL), 0);
	V(span_design_decide, span_design_decide(NULL, NULL), 0);
	N(span_design_callback, span_design_callback(NULL, 0));
	N(span_design_callback,
	  span_design_callback(span_design_builtin("knobs"),
			       SPAN_KNOB_GUP_ZERO_PAGE));
	N(span_design_callback,
	  span_design_callback(span_design_builtin("knobs"), SPAN_NR_KNOBS));
	EQ(span_design_validate, span_design_validate(NULL, out, sizeof(out)),
	   -EINVAL);
	{
		struct span_design_ops d = *span_design_builtin("knobs");

		d.api_version++;
		EQ(span_design_validate, span_design_validate(&d, NULL, 0),
		   -EPROTO);
		d.api_version--;
		d.owner_release = NULL;
		EQ(span_design_validate, span_design_validate(&d, out,
							      sizeof(out)),
		   -EINVAL);
		EQ(span_world_set_design, span_world_set_design(w, &d),
		   -EINVAL);
		d = *span_design_builtin("knobs");
		d.name = NULL;
		EQ(span_design_validate, span_design_validate(&d, NULL, 0),
		   -EINVAL);
	}
	N(span_design_builtin, span_design_builtin(NULL));
	N(span_design_builtin, span_design_builtin("nonesuch"));
	N(span_design_builtin_name, span_design_builtin_name(-1));
	N(span_design_builtin_name, span_design_builtin_name(9999));
	EQ(span_world_set_design, span_world_set_design(NULL, NULL), -EINVAL);
	N(span_world_design, span_world_design(NULL));
	N(span_world_design_error, span_world_design_error(NULL));
	N(span_world_design_error, span_world_design_error(w));

	/* policy.h */
	N(span_knob_name, span_knob_name(-1));
	N(span_knob_name, span_knob_name(SPAN_NR_KNOBS));
	EQ(span_knob_lookup, span_knob_lookup("no_such_knob"), -ENOENT);
	EQ(span_knob_lookup, span_knob_lookup(NULL), -EINVAL);
	EQ(span_knob_nr_values, span_knob_nr_values(-1), -EINVAL);
	N(span_knob_value_name, span_knob_value_name(-1, 0));
	N(span_knob_value_name, span_knob_value_name(0, 99));
	EQ(span_knob_value_lookup, span_knob_value_lookup(0, "nonesuch"),
	   -ENOENT);
	EQ(span_knob_value_lookup, span_knob_value_lookup(-1, "x"), -EINVAL);
	N(span_knob_doc, span_knob_doc(SPAN_NR_KNOBS));
	EQ(span_knob_is_host, span_knob_is_host(-1), -EINVAL);
	X(span_policy_default, span_policy_default(NULL));
	EQ(span_policy_set, span_policy_set(&pol, "nonesuch", "x"), -ENOENT);
	EQ(span_policy_set, span_policy_set(NULL, "nonesuch", "x"), -EINVAL);
	span_policy_default(&pol);
	EQ(span_policy_set, span_policy_set(&pol, span_knob_name(0),
					    "nonesuch"), -EINVAL);
	EQ(span_policy_preset, span_policy_preset(&pol, "nonesuch"),
	   -ENOENT);
	EQ(span_policy_preset, span_policy_preset(NULL, "nonesuch"),
	   -EINVAL);
	N(span_preset_name, span_preset_name(-1));
	N(span_preset_name, span_preset_name(9999));
	N(span_preset_doc, span_preset_doc(9999));
	N(span_world_policy, span_world_policy(NULL));

	/* snapshot.h */
	EQ(span_world_snapshot, span_world_snapshot(NULL, &snap), -EINVAL);
	EQ(span_world_snapshot, span_world_snapshot(w, NULL), -EINVAL);
	EQ(span_world_restore, span_world_restore(w, NULL), -EINVAL);
	assert_ret(span_world_snapshot(w, &snap), 0);
	EQ(span_world_restore, span_world_restore(NULL, snap), -EINVAL);
	X(span_snapshot_free, span_snapshot_free(w, NULL));
	X(span_snapshot_free, span_snapshot_free(NULL, snap));
	V(span_snapshot_bytes, span_snapshot_bytes(NULL), 0);
	h[0] = h[1] = 1;
	X(span_world_hash, span_world_hash(NULL, h));
	if (h[0] != 1 || h[1] != 1)
		BROKEN("span_world_hash(NULL, h) changed h");
	V(span_world_equal, span_world_equal(NULL, w), false);
	V(span_world_equal, span_world_equal(w, NULL), false);
	V(span_world_equal, span_world_equal(w, w2), false);

	/* splice.h */
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids) + 1; i++) {
		id = i < ARRAY_SIZE(bad_ids) ? bad_ids[i] : p;
		EQ(span_splice, span_splice(w, SPAN_INIT_PID, PR(id), NULL,
					    PW(id), NULL, 1, 0), -EBADF);
		EQ(span_tee, span_tee(w, SPAN_INIT_PID, PR(id), PW(id), 1, 0),
		   -EBADF);
		E(span_vmsplice, span_vmsplice(w, SPAN_INIT_PID, PW(id), r, 0,
					       1, 0));
	}
	E(span_splice, span_splice(NULL, SPAN_INIT_PID, PR(p), &off, PW(p),
				   NULL, 1, 0));
	E(span_tee, span_tee(NULL, SPAN_INIT_PID, PR(p), PW(p), 1, 0));
	E(span_vmsplice, span_vmsplice(NULL, SPAN_INIT_PID, PW(p), r, 0, 1,
				       0));

	/* trace.h */
	N(span_trace_what_name, span_trace_what_name(-1));
	N(span_trace_what_name, span_trace_what_name(9999));
	N(span_obj_type_name, span_obj_type_name(-1));
	N(span_obj_type_name, span_obj_type_name(9999));
	EQ(span_trace_format, span_trace_format(NULL, false, out,
						sizeof(out)), -EINVAL);

	/* world.h */
	EQ(span_world_create, span_world_create(NULL, NULL, NULL), -EINVAL);
	X(span_world_destroy, span_world_destroy(NULL));
	EQ(span_world_reset, span_world_reset(NULL), -EINVAL);
	EQ(span_world_reset_params, span_world_reset_params(NULL, NULL, 0),
	   -EINVAL);
	EQ(span_world_reset_params, span_world_reset_params(w, NULL, 1),
	   -EINVAL);
	N(span_param_name, span_param_name(-1));
	N(span_param_name, span_param_name(SPAN_NR_PARAMS));
	EQ(span_param_lookup, span_param_lookup("nonesuch"), -ENOENT);
	EQ(span_param_lookup, span_param_lookup(NULL), -EINVAL);
	EQ(span_param_check, span_param_check(-1, 0), -EINVAL);
	EQ(span_param_check, span_param_check(SPAN_PARAM_PAGE_SIZE, 3),
	   -EINVAL);
	N(span_param_range, span_param_range(-1));
	N(span_param_doc, span_param_doc(SPAN_NR_PARAMS));
	EQ(span_world_set_param, span_world_set_param(NULL, 0, 4096),
	   -EINVAL);
	EQ(span_world_set_param, span_world_set_param(w, -1, 4096), -EINVAL);
	EQ(span_world_set_param, span_world_set_param(w, SPAN_PARAM_PAGE_SIZE,
						      3), -EINVAL);
	V(span_world_param, span_world_param(NULL, 0), 0);
	V(span_world_param, span_world_param(w, SPAN_NR_PARAMS), 0);
	X(span_world_step_begin, span_world_step_begin(NULL, 1, 1));
	EQ(span_world_step_end, span_world_step_end(NULL), -EINVAL);
	X(span_world_step_cancel, span_world_step_cancel(NULL));
	V(span_world_step, span_world_step(NULL), 0);
	X(span_world_set_check, span_world_set_check(NULL, false));
	N(span_event_kind_name, span_event_kind_name(-1));
	N(span_event_kind_name, span_event_kind_name(9999));
	EQ(span_world_events, span_world_events(NULL, ev, 4), -EINVAL);
	V(span_world_events, span_world_events(w, NULL, 4), 0);
	EQ(span_world_run_event, span_world_run_event(NULL, 1), -EINVAL);
	EQ(span_world_run_event, span_world_run_event(w, 4242), -ENOENT);
	EQ(span_footprint_access, span_footprint_access(NULL, 0, &acc),
	   -EINVAL);
	EQ(span_footprint_access, span_footprint_access(span_world_footprint(
	   w), 999999, &acc), -ENOENT);
	N(span_world_footprint, span_world_footprint(NULL));
	V(span_access_conflict, span_access_conflict(NULL, &acc), true);
	V(span_footprint_conflict, span_footprint_conflict(NULL, NULL), true);

	span_snapshot_free(w, snap);
	span_world_destroy(w2);
	span_world_destroy(w);

	/* nothing public is left uncalled */
	for (int i = 0; i < nr_fns; i++)
		if (!fns[i].called)
			BROKEN("%s is not called by this test", fns[i].name);
	if (broken)
		fail_msg("%d calls broke their function's error contract",
			 broken);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_errors_documented),
		cmocka_unit_test(test_api_errors_returned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
