// SPDX-License-Identifier: MIT
/*
 * test_cov_faults.c - every allocation failure and every failed user copy
 * in a network and a pipe workload (include/span/fault.h): for each N the
 * Nth operation of the class fails; every call must then return success
 * or one of its documented errors, no invariant may break at any step,
 * and the end-of-run teardown must find nothing leaked.  This drives the
 * -ENOMEM/-EFAULT unwinding of skbuff.c, tcp.c, af_unix.c, zerocopy.c,
 * splice.c and pipe.c, whose cleanup must put back exactly what was taken.
 */
#include "net_test.h"

#define PG 4096

static bool allowed_ret(ssize_t r)
{
	return r >= 0 || r == -ENOMEM || r == -EFAULT || r == -ENOBUFS ||
	       r == -EAGAIN || r == -SPAN_EWOULDSLEEP || r == -ECONNRESET ||
	       r == -EPIPE || r == -EBADF;
}

/* run one call as a step of thread 1; the result must be allowed */
#define STEP(w, expr)                                                     \
	({                                                                \
		ssize_t r_;                                               \
		nt_begin((w), 1);                                         \
		r_ = (ssize_t)(expr);                                     \
		nt_end((w));                                              \
		if (!allowed_ret(r_))                                     \
			fail_msg("%s = %zd (%s)", #expr, r_,              \
				 span_errname((int)r_) ?                  \
					 span_errname((int)r_) : "?");    \
		r_;                                                       \
	})

static void drain(struct span_world *w)
{
	for (int i = 0; i < 64 && nt_event(w, -1); i++)
		;
}

/* TCP: literal, MSG_ZEROCOPY, file -> pipe -> socket, kmem splice_pages,
 * socket -> pipe, recv, errqueue, decrypt, close */
static void tcp_workload(struct span_world *w)
{
	struct span_src src = { 0 };
	char buf[3 * PG];
	int c = 0, s = 0, q = 0, r = 0, f = 0, k = 0;
	uint64_t off = 0;
	size_t done;

	if (STEP(w, span_tcp_connect(w, &c, &s)) < 0)
		return;
	if (STEP(w, span_pipe_create(w, SPAN_PIPE_NONBLOCK, &q)) < 0)
		return;
	if (STEP(w, span_mmap_anon(w, P, 2 * PG, 0, "zc", 2, &r)) < 0)
		return;
	if (STEP(w, span_file_create(w, 2 * PG, 0, "file", 4, &f)) < 0)
		return;
	if (STEP(w, span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, "km", 2, &k)) <
	    0)
		return;
	STEP(w, span_setsockopt_zerocopy(w, SOCKFD(c), 1));
	memset(buf, 'L', sizeof(buf));
	src.buf = buf;
	done = 0;
	STEP(w, span_sendmsg(w, P, SOCKFD(c), &src, 5000, SPAN_O_NONBLOCK,
			     &done));
	src.buf = NULL;
	src.region = r;
	done = 0;
	STEP(w, span_sendmsg(w, P, SOCKFD(c), &src, 2 * PG,
			     SPAN_MSG_ZEROCOPY | SPAN_O_NONBLOCK, &done));
	STEP(w, span_splice(w, P, FILEFD(f), &off, PIPEW(q), NULL, 2 * PG, 0));
	STEP(w, span_splice(w, P, PIPER(q), NULL, SOCKFD(c), NULL, 2 * PG,
			    SPAN_SPLICE_F_NONBLOCK));
	src.region = 0;
	src.kmem = k;
	done = 0;
	STEP(w, span_sendmsg(w, P, SOCKFD(c), &src, PG,
			     SPAN_MSG_SPLICE_PAGES | SPAN_O_NONBLOCK, &done));
	drain(w);
	STEP(w, span_splice(w, P, SOCKFD(s), NULL, PIPEW(q), NULL, 3 * PG,
			    SPAN_SPLICE_F_NONBLOCK));
	STEP(w, span_read(w, P, PIPER(q), buf, sizeof(buf), SPAN_O_NONBLOCK));
	STEP(w, span_decrypt(w, P, SOCKFD(s), 100));
	STEP(w, span_recvmsg(w, P, SOCKFD(s), buf, sizeof(buf),
			     SPAN_O_NONBLOCK));
	drain(w);
	STEP(w, span_recv_errqueue(w, SOCKFD(c), false, buf, 64));
	STEP(w, span_close(w, P, SOCKFD(c)));
	drain(w);
	STEP(w, span_recvmsg(w, P, SOCKFD(s), buf, sizeof(buf),
			     SPAN_O_NONBLOCK));
	STEP(w, span_kmem_free(w, k));
}

/* AF_UNIX: literal, splice_pages from a pipe, socket -> pipe, recv */
static void unix_workload(struct span_world *w)
{
	struct span_src src = { 0 };
	char buf[3 * PG];
	int a = 0, b = 0, q = 0, r = 0;
	size_t done;

	if (STEP(w, span_unix_pair(w, &a, &b)) < 0)
		return;
	if (STEP(w, span_pipe_create(w, SPAN_PIPE_NONBLOCK, &q)) < 0)
		return;
	if (STEP(w, span_mmap_anon(w, P, 2 * PG, 0, "un", 2, &r)) < 0)
		return;
	memset(buf, 'U', sizeof(buf));
	src.buf = buf;
	done = 0;
	STEP(w, span_sendmsg(w, P, SOCKFD(a), &src, 6000, SPAN_O_NONBLOCK,
			     &done));
	STEP(w, span_vmsplice(w, P, PIPEW(q), r, 0, 2 * PG, 0));
	STEP(w, span_splice(w, P, PIPER(q), NULL, SOCKFD(a), NULL, 2 * PG,
			    SPAN_SPLICE_F_NONBLOCK));
	src.buf = NULL;
	src.region = r;
	done = 0;
	STEP(w, span_sendmsg(w, P, SOCKFD(a), &src, 100, SPAN_O_NONBLOCK,
			     &done));
	STEP(w, span_splice(w, P, SOCKFD(b), NULL, PIPEW(q), NULL, 3 * PG,
			    SPAN_SPLICE_F_NONBLOCK));
	STEP(w, span_read(w, P, PIPER(q), buf, sizeof(buf), SPAN_O_NONBLOCK));
	STEP(w, span_recvmsg(w, P, SOCKFD(b), buf, sizeof(buf),
			     SPAN_O_NONBLOCK));
	STEP(w, span_close(w, P, SOCKFD(a)));
	STEP(w, span_recvmsg(w, P, SOCKFD(b), buf, sizeof(buf),
			     SPAN_O_NONBLOCK));
}

/* pipes: vmsplice, tee, partial pipe-to-pipe splice, read */
static void pipe_workload(struct span_world *w)
{
	char buf[2 * PG];
	int a = 0, b = 0, r = 0;

	if (STEP(w, span_pipe_create(w, SPAN_PIPE_NONBLOCK, &a)) < 0)
		return;
	if (STEP(w, span_pipe_create(w, SPAN_PIPE_NONBLOCK, &b)) < 0)
		return;
	if (STEP(w, span_mmap_anon(w, P, 2 * PG, 0, "pp", 2, &r)) < 0)
		return;
	STEP(w, span_vmsplice(w, P, PIPEW(a), r, 100, PG, 0));
	memset(buf, 'W', sizeof(buf));
	{
		struct span_src src = { .buf = buf };
		size_t done = 0;

		STEP(w, span_write(w, P, PIPEW(a), &src, 300, 0, &done));
	}
	STEP(w, span_tee(w, P, PIPER(a), PIPEW(b), 50, 0));
	STEP(w, span_splice(w, P, PIPER(a), NULL, PIPEW(b), NULL, 70, 0));
	STEP(w, span_read(w, P, PIPER(a), buf, 10, 0));
	STEP(w, span_read(w, P, PIPER(b), buf, sizeof(buf), 0));
	STEP(w, span_read(w, P, PIPER(a), buf, sizeof(buf), 0));
}

static void sweep(void (*workload)(struct span_world *), const char *preset,
		  int cls)
{
	int runs = 0;

	for (uint64_t nth = 1; nth < 5000; nth++) {
		struct span_world *w = nt_world(preset);
		uint64_t hits;

		assert_int_equal(span_fault_set(w, cls, nth, 0), 0);
		workload(w);
		hits = span_fault_hits(w, cls);
		span_fault_set(w, cls, 0, 0);
		span_world_teardown(w);
		if (span_world_nr_violations(w)) {
			fprintf(stderr, "fault class %d, nth %llu:\n", cls,
				(unsigned long long)nth);
			nt_dump(w);
		}
		assert_int_equal(span_world_nr_violations(w), 0);
		span_world_destroy(w);
		runs++;
		if (!hits)
			break;
	}
	/* the workload reached more than a handful of fault points */
	assert_true(runs > (cls == SPAN_FAULT_ALLOC ? 10 : 2));
}

static void test_tcp_alloc_faults(void **state)
{
	(void)state;
	sweep(tcp_workload, NULL, SPAN_FAULT_ALLOC);
}

static void test_tcp_alloc_faults_span_desc(void **state)
{
	(void)state;
	sweep(tcp_workload, "proposal-span-desc", SPAN_FAULT_ALLOC);
}

static void test_tcp_alloc_faults_copy_out(void **state)
{
	(void)state;
	sweep(tcp_workload, "proposal-copy-out", SPAN_FAULT_ALLOC);
}

static void test_tcp_copy_faults(void **state)
{
	(void)state;
	sweep(tcp_workload, NULL, SPAN_FAULT_COPY);
}

static void test_unix_alloc_faults(void **state)
{
	(void)state;
	sweep(unix_workload, NULL, SPAN_FAULT_ALLOC);
}

static void test_unix_copy_faults(void **state)
{
	(void)state;
	sweep(unix_workload, NULL, SPAN_FAULT_COPY);
}

static void test_pipe_alloc_faults(void **state)
{
	(void)state;
	sweep(pipe_workload, NULL, SPAN_FAULT_ALLOC);
	sweep(pipe_workload, "proposal-span-desc", SPAN_FAULT_ALLOC);
	sweep(pipe_workload, "proposal-copy-out", SPAN_FAULT_ALLOC);
}

static void test_pipe_copy_faults(void **state)
{
	(void)state;
	sweep(pipe_workload, NULL, SPAN_FAULT_COPY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_alloc_faults),
		cmocka_unit_test(test_tcp_alloc_faults_span_desc),
		cmocka_unit_test(test_tcp_alloc_faults_copy_out),
		cmocka_unit_test(test_tcp_copy_faults),
		cmocka_unit_test(test_unix_alloc_faults),
		cmocka_unit_test(test_unix_copy_faults),
		cmocka_unit_test(test_pipe_alloc_faults),
		cmocka_unit_test(test_pipe_copy_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
