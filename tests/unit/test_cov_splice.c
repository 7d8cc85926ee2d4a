// SPDX-License-Identifier: MIT
/*
 * test_cov_splice.c - the stopping rules of splice between pipes, tee and
 * socket-to-pipe splice (kernel-semantics.md 5.4, 5.5, 5.10, 13.B), and
 * the trace formatter (include/span/trace.h).
 */
#include "net_test.h"

#define PG 4096

static ssize_t splice_(struct span_world *w, int in, int out, size_t len,
		       unsigned int flags)
{
	ssize_t r;

	nt_begin(w, 1);
	r = span_splice(w, P, in, NULL, out, NULL, len, flags);
	nt_end(w);
	return r;
}

static ssize_t tee_(struct span_world *w, int in, int out, size_t len,
		    unsigned int flags)
{
	ssize_t r;

	nt_begin(w, 1);
	r = span_tee(w, P, in, out, len, flags);
	nt_end(w);
	return r;
}

static int pipe_(struct span_world *w, unsigned int flags)
{
	int p = 0;

	nt_begin(w, 1);
	assert_int_equal(span_pipe_create(w, flags, &p), 0);
	nt_end(w);
	return p;
}

static ssize_t write_(struct span_world *w, int fd, int c, size_t len)
{
	static char buf[4 * PG];
	struct span_src src = { .buf = buf };
	size_t done = 0;
	ssize_t r;

	memset(buf, c, len);
	nt_begin(w, 1);
	r = span_write(w, P, fd, &src, len, SPAN_O_NONBLOCK, &done);
	nt_end(w);
	return r;
}

static ssize_t read_(struct span_world *w, int fd, char *out, size_t len)
{
	ssize_t r;

	nt_begin(w, 1);
	r = span_read(w, P, fd, out, len, SPAN_O_NONBLOCK);
	nt_end(w);
	return r;
}

static int close_(struct span_world *w, int fd)
{
	int r;

	nt_begin(w, 1);
	r = span_close(w, P, fd);
	nt_end(w);
	return r;
}

static uint32_t nr_bufs(struct span_world *w, int p)
{
	struct span_pipe_info pi;

	assert_int_equal(span_pipe_info(w, p, &pi), 0);
	return pi.head - pi.tail;
}

/*
 * splice_pipe_to_pipe (KSEM 5.4): whole buffers move while the output
 * has room; once it is full after progress the call returns the short
 * count; with nothing moved it is -EAGAIN (SPLICE_F_NONBLOCK); no reader
 * on the output is -EPIPE; an empty input without writers is EOF (0).
 */
static void test_pipe_to_pipe_stops(void **state)
{
	struct span_world *w = nt_world(NULL);
	int a, b;
	char out[4 * PG];

	(void)state;
	a = pipe_(w, 0);
	b = pipe_(w, 0);
	nt_begin(w, 1);
	/* one slot in b */
	assert_int_equal(span_pipe_set_size(w, PIPEW(b), PG), PG);
	nt_end(w);
	assert_int_equal(write_(w, PIPEW(a), 'a', PG), PG);
	assert_int_equal(write_(w, PIPEW(a), 'b', PG), PG);
	assert_int_equal(nr_bufs(w, a), 2);
	assert_int_equal(splice_(w, PIPER(a), PIPEW(b), 3 * PG, 0), PG);
	assert_int_equal(nr_bufs(w, a), 1);
	assert_int_equal(splice_(w, PIPER(a), PIPEW(b), 3 * PG,
				 SPAN_SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(splice_(w, PIPER(a), PIPEW(b), 3 * PG, 0),
			 -SPAN_EWOULDSLEEP);
	/* tee stops the same way */
	assert_int_equal(tee_(w, PIPER(a), PIPEW(b), 3 * PG,
			      SPAN_SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(read_(w, PIPER(b), out, sizeof(out)), PG);
	assert_true(out[0] == 'a' && out[PG - 1] == 'a');
	/* no reader on b: -EPIPE, nothing taken from a */
	assert_int_equal(close_(w, PIPER(b)), 0);
	assert_int_equal(splice_(w, PIPER(a), PIPEW(b), PG, 0), -EPIPE);
	assert_int_equal(tee_(w, PIPER(a), PIPEW(b), PG, 0), -EPIPE);
	assert_int_equal(nr_bufs(w, a), 1);
	/* a drained input without writers: EOF */
	assert_int_equal(read_(w, PIPER(a), out, sizeof(out)), PG);
	assert_int_equal(close_(w, PIPEW(a)), 0);
	b = pipe_(w, 0);
	assert_int_equal(splice_(w, PIPER(a), PIPEW(b), PG, 0), 0);
	assert_int_equal(tee_(w, PIPER(a), PIPEW(b), PG, 0), 0);
	nt_finish(w);
}

/*
 * tcp_splice_read (KSEM 5.10): a pipe with no reader is -EPIPE and a full
 * one -EAGAIN (SPLICE_F_NONBLOCK) before the socket is looked at; with
 * nothing queued and the peer's FIN in, 0.
 */
static void test_tcp_splice_read_stops(void **state)
{
	struct span_world *w = nt_world(NULL);
	int c, s, q, full;
	char out[16];

	(void)state;
	nt_begin(w, 0);
	assert_int_equal(span_tcp_connect(w, &c, &s), 0);
	nt_end(w);
	q = pipe_(w, 0);
	full = pipe_(w, 0);
	nt_begin(w, 1);
	assert_int_equal(span_pipe_set_size(w, PIPEW(full), PG), PG);
	nt_end(w);
	assert_int_equal(write_(w, PIPEW(full), 'f', 10), 10);
	assert_int_equal(nt_send_str(w, c, "data", 0), 4);
	nt_events(w);
	assert_int_equal(splice_(w, SOCKFD(s), PIPEW(full), 4,
				 SPAN_SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(splice_(w, SOCKFD(s), PIPEW(full), 4, 0),
			 -SPAN_EWOULDSLEEP);
	assert_int_equal(splice_(w, SOCKFD(s), PIPEW(q), 0, 0), 0);
	assert_int_equal(splice_(w, SOCKFD(s), PIPEW(q), 4, 0), 4);
	assert_int_equal(read_(w, PIPER(q), out, 16), 4);
	assert_memory_equal(out, "data", 4);
	/* nothing queued, blocking socket: would sleep */
	assert_int_equal(splice_(w, SOCKFD(s), PIPEW(q), 4,
				 SPAN_SPLICE_F_NONBLOCK), -SPAN_EWOULDSLEEP);
	assert_int_equal(close_(w, SOCKFD(c)), 0);
	nt_events(w);
	/* FIN: EOF */
	assert_int_equal(splice_(w, SOCKFD(s), PIPEW(q), 4, 0), 0);
	assert_int_equal(close_(w, PIPER(q)), 0);
	assert_int_equal(splice_(w, SOCKFD(s), PIPEW(q), 4, 0), -EPIPE);
	nt_finish(w);
}

/* AF_UNIX splice read: full pipe and closed reader (KSEM 5.10) */
static void test_unix_splice_read_stops(void **state)
{
	struct span_world *w = nt_world(NULL);
	int a, b, q, full;
	char out[16];

	(void)state;
	nt_begin(w, 0);
	assert_int_equal(span_unix_pair(w, &a, &b), 0);
	nt_end(w);
	q = pipe_(w, 0);
	full = pipe_(w, 0);
	nt_begin(w, 1);
	assert_int_equal(span_pipe_set_size(w, PIPEW(full), PG), PG);
	nt_end(w);
	assert_int_equal(write_(w, PIPEW(full), 'f', 10), 10);
	assert_int_equal(nt_send_str(w, a, "unix", 0), 4);
	assert_int_equal(splice_(w, SOCKFD(b), PIPEW(full), 4,
				 SPAN_SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(splice_(w, SOCKFD(b), PIPEW(q), 0, 0), 0);
	assert_int_equal(splice_(w, SOCKFD(b), PIPEW(q), 4, 0), 4);
	assert_int_equal(read_(w, PIPER(q), out, 16), 4);
	assert_memory_equal(out, "unix", 4);
	assert_int_equal(splice_(w, SOCKFD(b), PIPEW(q), 4,
				 SPAN_SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(close_(w, SOCKFD(a)), 0);
	assert_int_equal(splice_(w, SOCKFD(b), PIPEW(q), 4, 0), 0);
	assert_int_equal(close_(w, PIPER(q)), 0);
	assert_int_equal(splice_(w, SOCKFD(b), PIPEW(q), 4, 0), -EPIPE);
	nt_finish(w);
}

/* --- trace --------------------------------------------------------------- */

struct tlog {
	int n, bufs;
	char last[512];
};

static void tracer(void *ud, const struct span_trace_event *ev)
{
	struct tlog *l = ud;
	char line[512];

	assert_true(span_trace_format(ev, false, line, sizeof(line)) > 0);
	assert_true(span_trace_format(ev, true, line, sizeof(line)) > 0);
	assert_int_equal(line[0], '{');
	if (ev->msg && strstr(ev->msg, "_pipe_buf_ops"))
		l->bufs++;
	snprintf(l->last, sizeof(l->last), "%s", line);
	l->n++;
}

/* a trace hook sees every pipe buffer queued, with its ops named */
static void test_trace_hook_sees_buffers(void **state)
{
	struct span_world_ops ops = { .trace = tracer };
	struct span_world *w = NULL;
	struct tlog l = { 0 };
	int a, b;

	(void)state;
	assert_int_equal(span_world_create(&w, &ops, &l), 0);
	a = pipe_(w, 0);
	b = pipe_(w, 0);
	assert_int_equal(write_(w, PIPEW(a), 'x', 10), 10);
	assert_int_equal(tee_(w, PIPER(a), PIPEW(b), 10, 0), 10);
	assert_true(l.n > 0);
	assert_true(l.bufs >= 2);
	nt_finish(w);
}

static void test_trace_format(void **state)
{
	struct span_trace_event ev = {
		.step = 7, .func = "f\"q\\", .what = 99, .obj_type = 99,
		.obj = 3, .old = 1, .new = 2, .msg = "tab\there",
	};
	char buf[256];
	int n;

	(void)state;
	n = span_trace_format(&ev, true, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
			    "{\"step\":7,\"func\":\"f\\\"q\\\\\",\"what\":\"?\","
			    "\"obj\":\"?\",\"id\":3,\"old\":1,\"new\":2,"
			    "\"msg\":\"tab\\u0009here\"}");
	n = span_trace_format(&ev, false, buf, sizeof(buf));
	assert_string_equal(buf, "step 7: f\"q\\ ?#3 ? 1->2 (tab\there)");
	ev.func = NULL;
	ev.msg = NULL;
	ev.what = SPAN_TR_GET;
	ev.obj_type = SPAN_OBJ_PAGE;
	span_trace_format(&ev, true, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"func\":null"));
	assert_non_null(strstr(buf, "\"msg\":null"));
	span_trace_format(&ev, false, buf, sizeof(buf));
	assert_string_equal(buf, "step 7: ? page#3 get 1->2");
	/* the length is what snprintf would have written */
	n = span_trace_format(&ev, false, NULL, 0);
	assert_int_equal(n, (int)strlen("step 7: ? page#3 get 1->2"));
	assert_int_equal(span_trace_format(NULL, false, buf, 4), -EINVAL);
	assert_int_equal(span_trace_format(&ev, false, NULL, 4), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_to_pipe_stops),
		cmocka_unit_test(test_tcp_splice_read_stops),
		cmocka_unit_test(test_unix_splice_read_stops),
		cmocka_unit_test(test_trace_hook_sees_buffers),
		cmocka_unit_test(test_trace_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
