// SPDX-License-Identifier: MIT
/*
 * test_cov_modelbugs.c - MODEL BUG: tests where lib/ disagrees with
 * kernel-semantics.md.  They are expected to FAIL until lib/ is fixed;
 * do not weaken them.  Each names the section it is checked against.
 */
#include "net_test.h"

/*
 * MODEL BUG (lib/tcp.c span__tcp_splice_read): kernel-semantics.md 5.10,
 * tcp_splice_read() with nothing spliced checks, in order: SOCK_DONE -> 0;
 * sk_err -> that error; RCV_SHUTDOWN -> 0.  An RST on an established
 * connection (tcp_reset(): sk_err = ECONNRESET, then tcp_done() sets
 * sk_shutdown = SHUTDOWN_MASK; SOCK_DONE is only set by tcp_fin()) must
 * therefore make the next splice from the socket fail with -ECONNRESET
 * (sock_error() clears sk_err, so the one after returns 0).  The model
 * tests RCV_SHUTDOWN before sk_err and returns 0 (EOF) at once, so a
 * reset is indistinguishable from an orderly close.  (span__tcp_recvmsg
 * has the same order; tcp_recvmsg_locked() in the kernel checks
 * SOCK_DONE, sk_err, RCV_SHUTDOWN in the same order as splice.)
 */
static void test_model_bug_splice_read_after_rst_is_econnreset(void **state)
{
	struct span_world *w = nt_world(NULL);
	int c, s, q;
	ssize_t r;

	(void)state;
	nt_begin(w, 0);
	assert_int_equal(span_tcp_connect(w, &c, &s), 0);
	assert_int_equal(span_pipe_create(w, 0, &q), 0);
	nt_end(w);
	/* c has unread data and closes: tcp_send_active_reset() to s */
	assert_int_equal(nt_send_str(w, s, "unread", 0), 6);
	nt_events(w);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	nt_end(w);
	/* s was ESTABLISHED and got no FIN: ECONNRESET is pending */
	assert_int_equal(SOCK(w, (uint32_t)s)->err, ECONNRESET);
	nt_begin(w, 2);
	r = span_splice(w, P, SOCKFD(s), NULL, PIPEW(q), NULL, 16, 0);
	nt_end(w);
	assert_int_equal(r, -ECONNRESET);
	nt_begin(w, 2);
	r = span_splice(w, P, SOCKFD(s), NULL, PIPEW(q), NULL, 16, 0);
	nt_end(w);
	assert_int_equal(r, 0);
	nt_finish(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_bug_splice_read_after_rst_is_econnreset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
