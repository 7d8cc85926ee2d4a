// SPDX-License-Identifier: MIT
/*
 * test_af_unix.c - AF_UNIX stream sockets (lib/af_unix.c): copy skbs
 * (kmalloc head + page frags), MSG_SPLICE_PAGES (frags only, data aliased
 * until read), SO_ZEROCOPY / MSG_ZEROCOPY, the splice-read blocking rules,
 * sndbuf flow control, EOF and EPIPE.
 */
#include "net_test.h"

static struct span_world *pair(int *a, int *b)
{
	struct span_world *w = nt_world(NULL);

	nt_begin(w, 0);
	assert_int_equal(span_unix_pair(w, a, b), 0);
	nt_end(w);
	return w;
}

static void test_af_unix_copy_skb_layout(void **state)
{
	struct span_world *w;
	char big[6000], out[6000];
	struct span_src src = { .buf = big };
	uint32_t skb;
	int a, b;

	(void)state;
	w = pair(&a, &b);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(nt_send(w, 1, a, &src, sizeof(big), 0), 6000);
	/* no events: straight onto the peer's receive queue */
	assert_int_equal(span_world_events(w, NULL, 0), 0);
	skb = SOCK(w, (uint32_t)b)->receive_queue.head;
	/* SKB_MAX_HEAD(0) = 3776 linear in a kmalloc head, one page frag */
	assert_int_equal(span__skb_headlen(w, skb), 6000 - 4096);
	assert_int_equal(nt_sh(w, skb)->nr_frags, 1);
	assert_false(nt_sh(w, skb)->head_frag);
	assert_int_equal(SOCK(w, (uint32_t)a)->wmem_alloc, 6000);
	assert_int_equal(nt_recv(w, b, out, 100, 0), 100);
	assert_int_equal(nt_recv(w, b, out + 100, sizeof(out), 0), 5900);
	assert_memory_equal(out, big, sizeof(big));
	assert_int_equal(SOCK(w, (uint32_t)a)->wmem_alloc, 0);
	nt_finish(w);
}

static void test_af_unix_zerocopy_unsupported(void **state)
{
	struct span_world *w;
	int a, b, buf;
	struct span_src src;
	char out[8], text[16];

	(void)state;
	w = pair(&a, &b);
	nt_begin(w, 1);
	assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(a), 1), -EOPNOTSUPP);
	span_mmap_anon(w, P, 4096, 0, "m", 1, &buf);
	nt_end(w);
	src = (struct span_src){ .region = buf };
	assert_int_equal(nt_send(w, 1, a, &src, 8, SPAN_MSG_ZEROCOPY), 8);
	/* copied: the user page is not referenced */
	assert_int_equal(nt_rc(w, span_region_page(w, P, buf, 0)), 1);
	assert_int_equal(nt_recv(w, b, out, 8, 0), 8);
	assert_memory_equal(out, "mmmmmmmm", 8);
	nt_begin(w, 1);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(a), false, text, 16),
			 -EAGAIN);
	nt_end(w);
	nt_finish(w);
}

/* MSG_ERRQUEUE is not looked at: a zero-length read (found by --fuzz) */
static void test_af_unix_errqueue_is_a_read(void **state)
{
	struct span_world *w;
	struct span_src src = { .buf = "bay" };
	char out[8], text[16];
	int a, b;

	(void)state;
	w = pair(&a, &b);
	nt_begin(w, 1);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(a), false, text, 16),
			 -EAGAIN);
	/* wait: POLLERR only from sk_err, which nothing set */
	assert_int_equal(span_recv_errqueue(w, SOCKFD(a), true, text, 16),
			 -SPAN_EWOULDSLEEP);
	nt_end(w);
	assert_int_equal(nt_send(w, 1, b, &src, 3, 0), 3);
	/* bytes queued: 0, and they stay */
	nt_begin(w, 1);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(a), false, text, 16), 0);
	nt_end(w);
	assert_int_equal(nt_recv(w, a, out, 8, 0), 3);
	assert_memory_equal(out, "bay", 3);
	nt_finish(w);
}

/* SPLICE_F_NONBLOCK: AF_UNIX honours it (TCP does not) */
static void test_af_unix_splice_read_nonblock(void **state)
{
	struct span_world *w;
	uint64_t off = 0;
	int a, b, q;

	(void)state;
	w = pair(&a, &b);
	nt_begin(w, 0);
	span_pipe_create(w, 0, &q);
	nt_end(w);
	nt_begin(w, 2);
	assert_int_equal(span_splice(w, P, SOCKFD(b), NULL, PIPEW(q), NULL, 10,
				     SPAN_SPLICE_F_NONBLOCK), -EAGAIN);
	assert_int_equal(span_splice(w, P, SOCKFD(b), NULL, PIPEW(q), NULL, 10,
				     0), -SPAN_EWOULDSLEEP);
	/* do_splice(): an offset on a socket: no FMODE_PREAD */
	assert_int_equal(span_splice(w, P, SOCKFD(b), &off, PIPEW(q), NULL, 10,
				     0), -EINVAL);
	nt_end(w);
	nt_finish(w);
}

/* splice of a copy skb: linear bytes copied into a page frag, frags by ref */
static void test_af_unix_splice_read_copy_skb(void **state)
{
	struct span_world *w;
	char big[5000], out[5000];
	struct span_src src = { .buf = big };
	struct span_pipe_buf_info b0, b1;
	uint32_t skb, frag_page;
	int a, b, q;

	(void)state;
	w = pair(&a, &b);
	memset(big, 'q', sizeof(big));
	nt_begin(w, 0);
	span_pipe_create(w, 0, &q);
	nt_end(w);
	nt_send(w, 1, a, &src, sizeof(big), 0);
	skb = SOCK(w, (uint32_t)b)->receive_queue.head;
	frag_page = nt_sh(w, skb)->frags[0].page;
	nt_begin(w, 2);
	assert_int_equal(span_splice(w, P, SOCKFD(b), NULL, PIPEW(q), NULL, 5000,
				     0), 5000);
	nt_end(w);
	span_pipe_buf(w, q, 0, &b0);
	span_pipe_buf(w, q, 1, &b1);
	assert_int_equal(b0.ops, SPAN_PBO_NOSTEAL);
	assert_int_equal(b0.page, SOCK(w, (uint32_t)b)->pfrag_page);
	assert_int_equal(b0.len, 5000 - 4096);
	assert_int_equal(b1.page, frag_page);
	/* the skb is gone; the pipe holds the frag page's only ref */
	assert_int_equal(nt_rc(w, (int)frag_page), 1);
	nt_begin(w, 2);
	assert_int_equal(span_read(w, P, PIPER(q), out, 5000, 0), 5000);
	nt_end(w);
	assert_memory_equal(out, big, 5000);
	nt_finish(w);
}

/* MSG_SPLICE_PAGES: frags only; the peer reads the page cache at recv */
static void test_af_unix_splice_pages_alias(void **state)
{
	struct span_world *w;
	uint64_t off = 0;
	uint32_t skb;
	int a, b, q, f;
	char out[8];

	(void)state;
	w = pair(&a, &b);
	nt_begin(w, 1);
	span_pipe_create(w, 0, &q);
	span_file_create(w, 4096, 0, "A", 1, &f);
	span_splice(w, P, FILEFD(f), &off, PIPEW(q), NULL, 4096, 0);
	assert_int_equal(span_splice(w, P, PIPER(q), NULL, SOCKFD(a), NULL, 4096,
				     0), 4096);
	nt_end(w);
	skb = SOCK(w, (uint32_t)b)->receive_queue.head;
	assert_int_equal(span__skb_headlen(w, skb), 0);
	assert_int_equal(nt_sh(w, skb)->frags[0].page,
			 span__file_page(w, (uint32_t)f, 0));
	/* AF_UNIX does not set SKBFL_SHARED_FRAG */
	assert_false(nt_sh(w, skb)->flags & SKBFL_SHARED_FRAG);
	nt_begin(w, 1);
	span_pwrite(w, P, FILEFD(f), "B", 1, 0);
	nt_end(w);
	assert_int_equal(nt_recv(w, b, out, 2, 0), 2);
	assert_memory_equal(out, "BA", 2);
	nt_finish(w);
}

/* kmem_send on AF_UNIX: owner memory is -EIO under mainline */
static void test_af_unix_kmem_send(void **state)
{
	static const char *const ks[] = { "reject", "ref", "copy", "desc" };

	(void)state;
	for (int k = 0; k < 4; k++) {
		struct span_world *w;
		struct span_src src = { 0 };
		int a, b, owner;
		ssize_t r;
		char out[16];

		w = pair(&a, &b);
		nt_policy(w, "kmem_send", ks[k]);
		nt_begin(w, 1);
		src.kmem = nt_owner_kmem(w, 4096, "o", &owner);
		nt_end(w);
		r = nt_send(w, 1, a, &src, 4096, SPAN_MSG_SPLICE_PAGES);
		assert_int_equal(r, k == SPAN_KMEM_SEND_REJECT ? -EIO : 4096);
		assert_int_equal(nt_owner(w, owner).refcount,
				 k == SPAN_KMEM_SEND_DESC ? 2 : 1);
		if (r > 0) {
			assert_int_equal(nt_recv(w, b, out, 16, 0), 16);
			assert_int_equal(out[0], 'o');
		}
		assert_int_equal(nt_has(w, SPAN_INV_GET_ON_FROZEN),
				 k == SPAN_KMEM_SEND_REF);
		nt_finish_dirty(w);
	}
}

static void test_af_unix_sndbuf_blocks(void **state)
{
	struct span_world *w;
	char big[3000], out[3000];
	struct span_src src = { .buf = big };
	size_t done = 0;
	ssize_t r;
	int a, b;

	(void)state;
	w = pair(&a, &b);
	span_world_set_param(w, SPAN_PARAM_SNDBUF, 2048);
	memset(big, 'x', sizeof(big));
	nt_begin(w, 1);
	r = span_sendmsg(w, P, SOCKFD(a), &src, sizeof(big), 0, &done);
	nt_end(w);
	/* skbs of sndbuf/2 - 64 = 960 bytes until wmem_alloc >= sndbuf */
	assert_int_equal(r, -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 2880);
	assert_int_equal(nt_recv(w, b, out, sizeof(out), 0), 2880);
	nt_begin(w, 1);
	r = span_sendmsg(w, P, SOCKFD(a), &src, sizeof(big), 0, &done);
	nt_end(w);
	assert_int_equal(r, 3000);
	assert_int_equal(nt_recv(w, b, out, sizeof(out), 0), 120);
	nt_finish(w);
}

static void test_af_unix_close_eof_epipe(void **state)
{
	struct span_world *w;
	char out[8];
	int a, b;

	(void)state;
	w = pair(&a, &b);
	nt_send_str(w, a, "hi", 0);
	assert_int_equal(nt_recv(w, b, out, 8, SPAN_O_NONBLOCK | SPAN_MSG_PEEK),
			 2);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(a)), 0);
	nt_end(w);
	/* queued data is still readable, then EOF */
	assert_int_equal(nt_recv(w, b, out, 8, 0), 2);
	assert_int_equal(nt_recv(w, b, out, 8, 0), 0);
	assert_int_equal(nt_send_str(w, b, "x", 0), -EPIPE);
	nt_finish(w);
}

/*
 * Zero-length I/O: recvmsg() waits for one byte of data (sock_rcvlowat()
 * is at least 1), read(2) returns 0 at once (sock_read_iter()), a send to
 * a closed peer is -EPIPE even with nothing to send.
 */
static void test_af_unix_zero_length(void **state)
{
	struct span_world *w;
	struct span_src src = { .buf = "" };
	char out[4];
	int a, b;

	(void)state;
	w = pair(&a, &b);
	assert_int_equal(nt_recv(w, b, out, 0, SPAN_O_NONBLOCK), -EAGAIN);
	assert_int_equal(nt_recv(w, b, out, 0, 0), -SPAN_EWOULDSLEEP);
	nt_begin(w, 2);
	assert_int_equal(span_read(w, P, SOCKFD(b), out, 0, SPAN_O_NONBLOCK),
			 0);
	nt_end(w);
	assert_int_equal(nt_send(w, 1, a, &src, 0, 0), 0);
	assert_int_equal(nt_send_str(w, a, "xy", 0), 2);
	/* data queued: a zero-length recv returns 0 and leaves it there */
	assert_int_equal(nt_recv(w, b, out, 0, 0), 0);
	assert_int_equal(nt_recv(w, b, out, 4, 0), 2);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(a)), 0);
	nt_end(w);
	assert_int_equal(nt_send(w, 1, b, &src, 0, 0), -EPIPE);
	/* at EOF a zero-length recv returns 0 */
	assert_int_equal(nt_recv(w, b, out, 0, SPAN_O_NONBLOCK), 0);
	nt_finish(w);
}

static int unix_ioctl_of(struct span_world *w, int sk, unsigned int cmd)
{
	int v = -12345, err;

	nt_begin(w, 3);
	err = span_ioctl(w, SOCKFD(sk), cmd, &v);
	nt_end(w);
	return err ? err : v;
}

/*
 * unix_ioctl(): SIOCINQ the unread bytes of the receive queue (a partly
 * read skb counts its rest), SIOCOUTQ the sender's sk_wmem_alloc until
 * the reader consumes the skb (in the model's truesize: the payload) or
 * the reader closes.
 */
static void test_af_unix_ioctl(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[16];
	int a, b;

	(void)state;
	nt_begin(w, 0);
	assert_int_equal(span_unix_pair(w, &a, &b), 0);
	nt_end(w);
	assert_int_equal(unix_ioctl_of(w, a, SPAN_SIOCOUTQ), 0);
	assert_int_equal(nt_send_str(w, a, "hello", 0), 5);
	assert_int_equal(nt_send_str(w, a, "abc", 0), 3);
	assert_int_equal(unix_ioctl_of(w, b, SPAN_SIOCINQ), 8);
	assert_int_equal(unix_ioctl_of(w, a, SPAN_FIONREAD), 0);
	assert_int_equal(unix_ioctl_of(w, a, SPAN_SIOCOUTQ), 8);
	assert_int_equal(unix_ioctl_of(w, b, SPAN_SIOCOUTQ), 0);
	assert_int_equal(nt_recv(w, b, out, 2, 0), 2);
	assert_int_equal(unix_ioctl_of(w, b, SPAN_SIOCINQ), 6);
	/* the first skb is partly read: still charged */
	assert_int_equal(unix_ioctl_of(w, a, SPAN_SIOCOUTQ), 8);
	assert_int_equal(nt_recv(w, b, out, 3, 0), 3);
	assert_int_equal(unix_ioctl_of(w, a, SPAN_SIOCOUTQ), 3);
	assert_int_equal(unix_ioctl_of(w, a, 0x5412), -ENOTTY);
	/* the reader closes with "abc" unread: purged, uncharged */
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(b)), 0);
	nt_end(w);
	assert_int_equal(unix_ioctl_of(w, a, SPAN_SIOCOUTQ), 0);
	assert_int_equal(unix_ioctl_of(w, b, SPAN_SIOCOUTQ), -EBADF);
	nt_finish(w);
}

static int unix_shutdown_of(struct span_world *w, int sk, int how)
{
	int err;

	nt_begin(w, 3);
	err = span_shutdown(w, SOCKFD(sk), how);
	nt_end(w);
	return err;
}

/*
 * unix_shutdown(): the mirror of @how goes to the peer.  SHUT_RD here:
 * reads here drain, then 0; the peer's sends are EPIPE but its reads
 * still wait (EAGAIN), since its RCV_SHUTDOWN is not set.  SHUT_WR:
 * the peer drains, then 0; even a zero-length send here is EPIPE.  No
 * ENOTCONN once the peer closed.
 */
static void test_af_unix_shutdown(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[16];
	int a, b, c, d;

	(void)state;
	nt_begin(w, 0);
	assert_int_equal(span_unix_pair(w, &a, &b), 0);
	assert_int_equal(span_unix_pair(w, &c, &d), 0);
	nt_end(w);
	assert_int_equal(unix_shutdown_of(w, a, 7), -EINVAL);
	assert_int_equal(nt_send_str(w, b, "queued", 0), 6);
	assert_int_equal(unix_shutdown_of(w, a, SPAN_SHUT_RD), 0);
	assert_int_equal(nt_recv(w, b, out, 16, SPAN_O_NONBLOCK), -EAGAIN);
	assert_int_equal(nt_recv(w, b, out, 16, 0), -SPAN_EWOULDSLEEP);
	assert_int_equal(nt_send_str(w, b, "x", 0), -EPIPE);
	assert_int_equal(nt_recv(w, a, out, 16, SPAN_O_NONBLOCK), 6);
	assert_int_equal(nt_recv(w, a, out, 16, SPAN_O_NONBLOCK), 0);
	assert_int_equal(nt_send_str(w, a, "y", 0), 1);
	assert_int_equal(nt_recv(w, b, out, 16, 0), 1);
	/* SHUT_WR */
	assert_int_equal(nt_send_str(w, c, "data", 0), 4);
	assert_int_equal(unix_shutdown_of(w, c, SPAN_SHUT_WR), 0);
	assert_int_equal(nt_send_str(w, c, "", 0), -EPIPE);
	assert_int_equal(nt_recv(w, d, out, 16, 0), 4);
	assert_int_equal(nt_recv(w, d, out, 16, 0), 0);
	assert_int_equal(nt_send_str(w, d, "z", 0), 1);
	assert_int_equal(nt_recv(w, c, out, 16, 0), 1);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(d)), 0);
	nt_end(w);
	assert_int_equal(unix_shutdown_of(w, c, SPAN_SHUT_RDWR), 0);
	assert_int_equal(unix_shutdown_of(w, d, SPAN_SHUT_RDWR), -EBADF);
	nt_finish(w);
}

/*
 * unix_stream_read_generic() with MSG_WAITALL: gathers across sends and
 * sleeps for the rest; at the peer's close, the part; a pending
 * ECONNRESET after a part is consumed with it (sock_error()).
 */
static void test_af_unix_recv_waitall(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[16];
	size_t done = 0;
	int a, b;
	ssize_t r;

	(void)state;
	nt_begin(w, 0);
	assert_int_equal(span_unix_pair(w, &a, &b), 0);
	nt_end(w);
	assert_int_equal(nt_send_str(w, a, "abc", 0), 3);
	nt_begin(w, 2);
	r = span_recvmsg_waitall(w, P, SOCKFD(b), out, 5, 0, &done);
	nt_end(w);
	assert_int_equal(r, -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 3);
	assert_int_equal(nt_send_str(w, a, "defg", 0), 4);
	nt_begin(w, 2);
	r = span_recvmsg_waitall(w, P, SOCKFD(b), out, 5, 0, &done);
	nt_end(w);
	assert_int_equal(r, 5);
	assert_memory_equal(out, "abcde", 5);
	assert_int_equal(unix_ioctl_of(w, b, SPAN_SIOCINQ), 2);
	/* a waits for 4, has 2; b closes with "z" unread: ECONNRESET,
	 * consumed with the part (then EOF) */
	assert_int_equal(nt_send_str(w, b, "xy", 0), 2);
	assert_int_equal(nt_send_str(w, a, "z", 0), 1);
	done = 0;
	nt_begin(w, 2);
	r = span_recvmsg_waitall(w, P, SOCKFD(a), out, 4, 0, &done);
	nt_end(w);
	assert_int_equal(r, -SPAN_EWOULDSLEEP);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(b)), 0);
	nt_end(w);
	nt_begin(w, 2);
	r = span_recvmsg_waitall(w, P, SOCKFD(a), out, 4, 0, &done);
	nt_end(w);
	assert_int_equal(r, 2);
	assert_int_equal(nt_recv(w, a, out, 4, 0), 0);
	nt_finish(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_af_unix_copy_skb_layout),
		cmocka_unit_test(test_af_unix_zerocopy_unsupported),
		cmocka_unit_test(test_af_unix_errqueue_is_a_read),
		cmocka_unit_test(test_af_unix_splice_read_nonblock),
		cmocka_unit_test(test_af_unix_splice_read_copy_skb),
		cmocka_unit_test(test_af_unix_splice_pages_alias),
		cmocka_unit_test(test_af_unix_kmem_send),
		cmocka_unit_test(test_af_unix_sndbuf_blocks),
		cmocka_unit_test(test_af_unix_close_eof_epipe),
		cmocka_unit_test(test_af_unix_zero_length),
		cmocka_unit_test(test_af_unix_ioctl),
		cmocka_unit_test(test_af_unix_shutdown),
		cmocka_unit_test(test_af_unix_recv_waitall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
