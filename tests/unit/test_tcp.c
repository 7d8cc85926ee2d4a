// SPDX-License-Identifier: MIT
/*
 * test_tcp.c - TCP over loopback (lib/tcp.c, lib/loopback.c,
 * lib/socket.c): the seed scenarios tcp-loopback-rpc.scn and
 * kmem-splice-pages.scn under their policies, ledger C of
 * kernel-semantics.md section 12, MSG_SPLICE_PAGES of every memory kind
 * under every kmem_send value, the loopback and sock_splice knobs,
 * flow control, EOF/EPIPE, splice blocking rules and the page-cache-write
 * invariant through span_decrypt().
 */
#include "net_test.h"

/* tcp c s; the service sends @size bytes of owner memory with splice_pages */
struct rpc {
	struct span_world *w;
	int c, s, q, owner, k;
	ssize_t p;
};

static void rpc_setup(struct rpc *r, const char *preset)
{
	struct span_src src = { 0 };

	r->w = nt_world(preset);
	nt_begin(r->w, 0);
	assert_int_equal(span_tcp_connect(r->w, &r->c, &r->s), 0);
	assert_int_equal(span_pipe_create(r->w, 0, &r->q), 0);
	nt_end(r->w);
	nt_begin(r->w, 1);
	r->k = nt_owner_kmem(r->w, 12288, "payload!", &r->owner);
	nt_end(r->w);
	src.kmem = r->k;
	r->p = nt_send(r->w, 1, r->c, &src, 12288, SPAN_MSG_SPLICE_PAGES);
}

/* splice s q 12288 all, then read q 12288 all; returns step of the read */
static uint64_t rpc_app(struct rpc *r, char *data)
{
	size_t n = 0, got = 0;
	uint64_t at = 0;

	while (n < 12288) {
		ssize_t x;

		nt_begin(r->w, 2);
		x = span_splice(r->w, P, SOCKFD(r->s), NULL, PIPEW(r->q), NULL,
				12288 - n, 0);
		nt_end(r->w);
		if (x == -SPAN_EWOULDSLEEP) {
			assert_true(nt_event(r->w, -1));
			continue;
		}
		assert_true(x > 0);
		n += (size_t)x;
	}
	while (got < 12288) {
		ssize_t x;

		nt_begin(r->w, 2);
		x = span_read(r->w, P, PIPER(r->q), data + got, 12288 - got, 0);
		at = span_world_step(r->w);
		nt_end(r->w);
		assert_true(x > 0);
		got += (size_t)x;
	}
	return at;
}

static void check_payload(const char *data)
{
	for (int i = 0; i < 12288; i++)
		assert_int_equal(data[i], "payload!"[i % 8]);
}

static void test_tcp_rpc_span_desc_holds_owner_until_read(void **state)
{
	struct rpc r;
	char data[12288];
	uint64_t rd;

	(void)state;
	rpc_setup(&r, "proposal-span-desc");
	assert_int_equal(r.p, 12288);
	/* the shinfo holds one owner reference, frags none */
	assert_int_equal(nt_owner(r.w, r.owner).refcount, 2);
	nt_begin(r.w, 1);
	assert_int_equal(span_owner_put(r.w, r.owner), 0);
	nt_end(r.w);
	/* xmit, delivery (share), ACK: the receiver's clone keeps the ref */
	assert_int_equal(nt_events(r.w), 3);
	assert_int_equal(nt_owner(r.w, r.owner).destructed, 0);
	assert_int_equal(nt_owner(r.w, r.owner).refcount, 1);
	rd = rpc_app(&r, data);
	check_payload(data);
	assert_int_equal(nt_owner(r.w, r.owner).destructed, 1);
	/* never before the read completes: the pipe buffers held it */
	assert_true(nt_owner(r.w, r.owner).destructed_at >= rd);
	nt_finish(r.w);
}

static void test_tcp_rpc_span_desc_pipe_buffers_hold_owner(void **state)
{
	struct rpc r;
	struct span_pipe_buf_info bi;
	ssize_t n;

	(void)state;
	rpc_setup(&r, "proposal-span-desc");
	nt_events(r.w);
	nt_begin(r.w, 2);
	n = span_splice(r.w, P, SOCKFD(r.s), NULL, PIPEW(r.q), NULL, 12288, 0);
	nt_end(r.w);
	assert_int_equal(n, 12288);
	assert_int_equal(span_pipe_buf(r.w, r.q, 0, &bi), 0);
	assert_int_equal(bi.ops, SPAN_PBO_OWNER);
	assert_int_equal(bi.priv, r.owner);
	/* service + 3 buffers; the skb was consumed and dropped its ref */
	assert_int_equal(nt_owner(r.w, r.owner).refcount, 4);
	nt_begin(r.w, 1);
	span_owner_put(r.w, r.owner);
	nt_end(r.w);
	assert_int_equal(nt_owner(r.w, r.owner).destructed, 0);
	nt_finish(r.w);
}

static void test_tcp_rpc_copy_out_destructs_before_read(void **state)
{
	struct rpc r;
	char data[12288];
	uint64_t rd;

	(void)state;
	rpc_setup(&r, "proposal-copy-out");
	assert_int_equal(r.p, 12288);
	nt_begin(r.w, 1);
	assert_int_equal(span_owner_put(r.w, r.owner), 0);
	nt_end(r.w);
	assert_true(nt_event(r.w, SPAN_EV_XMIT));
	assert_true(nt_event(r.w, SPAN_EV_DELIVER));
	/* copied at loopback: only the sender's rtx original holds it */
	assert_int_equal(nt_owner(r.w, r.owner).destructed, 0);
	assert_true(nt_event(r.w, SPAN_EV_ACK));
	assert_int_equal(nt_owner(r.w, r.owner).destructed, 1);
	rd = rpc_app(&r, data);
	check_payload(data);
	assert_true(nt_owner(r.w, r.owner).destructed_at < rd);
	nt_finish(r.w);
}

static void test_tcp_rpc_default_rejects(void **state)
{
	struct rpc r;

	(void)state;
	rpc_setup(&r, NULL);
	assert_int_equal(r.p, -EIO);
	assert_int_equal(nt_events(r.w), 0);
	nt_begin(r.w, 1);
	span_owner_put(r.w, r.owner);
	nt_end(r.w);
	assert_int_equal(nt_owner(r.w, r.owner).destructed, 1);
	nt_finish(r.w);
}

/* kmem-splice-pages.scn */
static void test_tcp_kmem_splice_pages_default(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src h = { 0 }, p = { 0 };
	int c, s, owner;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	nt_begin(w, 1);
	assert_int_equal(span_kmem_alloc(w, 256, SPAN_KMEM_SLAB, 0, "HDR:", 4,
					 &h.kmem), 0);
	p.kmem = nt_owner_kmem(w, 4096, "p", &owner);
	nt_end(w);
	assert_int_equal(nt_send(w, 1, c, &h, 256, SPAN_MSG_SPLICE_PAGES), -EIO);
	assert_int_equal(nt_send(w, 1, c, &p, 4096, SPAN_MSG_SPLICE_PAGES), -EIO);
	nt_begin(w, 1);
	span_owner_put(w, owner);
	nt_end(w);
	assert_int_equal(nt_owner(w, owner).destructed, 1);
	nt_finish(w);
}

/* kmem_send=ref: get_page on slab and owner memory; the owner's
 * destructor then runs while the skb frags still point at its memory */
static void test_tcp_kmem_send_ref_breaks_invariants(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src h = { 0 }, p = { 0 };
	int c, s, owner;

	(void)state;
	nt_policy(w, "kmem_send", "ref");
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_kmem_alloc(w, 256, SPAN_KMEM_SLAB, 0, "HDR:", 4, &h.kmem);
	p.kmem = nt_owner_kmem(w, 4096, "p", &owner);
	nt_end(w);
	assert_int_equal(nt_send(w, 1, c, &h, 256, SPAN_MSG_SPLICE_PAGES), 256);
	assert_true(nt_has(w, SPAN_INV_GET_ON_FROZEN));
	assert_false(nt_has(w, SPAN_INV_EARLY_DESTRUCT));
	assert_int_equal(nt_send(w, 1, c, &p, 4096, SPAN_MSG_SPLICE_PAGES), 4096);
	nt_begin(w, 1);
	span_owner_put(w, owner);
	nt_end(w);
	assert_int_equal(nt_owner(w, owner).destructed, 1);
	assert_true(nt_has(w, SPAN_INV_EARLY_DESTRUCT));
	nt_finish_dirty(w);
}

/* kmem_send=copy: copied at send; the owner can go right away */
static void test_tcp_kmem_send_copy(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src p = { 0 };
	int c, s, owner;
	char buf[4096];

	(void)state;
	nt_policy(w, "kmem_send", "copy");
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	p.kmem = nt_owner_kmem(w, 4096, "p", &owner);
	nt_end(w);
	assert_int_equal(nt_send(w, 1, c, &p, 4096, SPAN_MSG_SPLICE_PAGES), 4096);
	assert_int_equal(nt_owner(w, owner).refcount, 1);
	nt_begin(w, 1);
	span_owner_put(w, owner);
	nt_end(w);
	assert_int_equal(nt_owner(w, owner).destructed, 1);
	nt_events(w);
	assert_int_equal(nt_recv(w, s, buf, sizeof(buf), 0), 4096);
	assert_int_equal(buf[4095], 'p');
	nt_finish(w);
}

/* kmem_send=desc with sock_splice=ref: splicing the owner frags into a
 * pipe takes page refs on memory that has none: get-on-frozen */
static void test_tcp_kmem_send_desc_needs_sock_splice_desc(void **state)
{
	struct rpc r;

	(void)state;
	rpc_setup(&r, "proposal-span-desc");
	nt_policy(r.w, "sock_splice", "ref");
	nt_events(r.w);
	assert_false(nt_has(r.w, SPAN_INV_GET_ON_FROZEN));
	nt_begin(r.w, 2);
	assert_int_equal(span_splice(r.w, P, SOCKFD(r.s), NULL, PIPEW(r.q), NULL,
				     12288, 0), 12288);
	nt_end(r.w);
	assert_true(nt_has(r.w, SPAN_INV_GET_ON_FROZEN));
	nt_finish_dirty(r.w);
}

/*
 * Ledger C: file -> pipe -> TCP(lo) -> peer, refcount of the page-cache
 * page C after each call and event.
 */
static void test_tcp_ledger_c_file_pipe_tcp(void **state)
{
	struct span_world *w = nt_world(NULL);
	int c, s, q, f, C;
	uint64_t off = 0;
	uint32_t sk, skb;
	char buf[4096];

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_pipe_create(w, 0, &q);
	assert_int_equal(span_file_create(w, 4096, 0, "A", 1, &f), 0);
	nt_end(w);
	C = (int)span__file_page(w, (uint32_t)f, 0);
	assert_int_equal(nt_rc(w, C), 1);
	/* 1. filemap_splice_read: folio_get per slot */
	nt_begin(w, 1);
	assert_int_equal(span_splice(w, P, FILEFD(f), &off, PIPEW(q), NULL, 4096,
				     0), 4096);
	nt_end(w);
	assert_int_equal(nt_rc(w, C), 2);
	/* 2. splice(pipe -> sock): get_page, SHARED_FRAG, pipe buffer put */
	nt_begin(w, 1);
	assert_int_equal(span_splice(w, P, PIPER(q), NULL, SOCKFD(c), NULL, 4096,
				     0), 4096);
	nt_end(w);
	assert_int_equal(nt_rc(w, C), 2);
	sk = (uint32_t)c;
	skb = SOCK(w, sk)->write_queue.head;
	assert_true(nt_sh(w, skb)->flags & SKBFL_SHARED_FRAG);
	assert_int_equal(nt_sh(w, skb)->frags[0].page, C);
	/* 3. transmit a clone: no rc change, dataref 2 */
	assert_true(nt_event(w, SPAN_EV_XMIT));
	assert_int_equal(nt_rc(w, C), 2);
	assert_int_equal(nt_sh(w, skb)->dataref, 2);
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	assert_int_equal(nt_rc(w, C), 2);
	/* 4. ACK frees the original: dataref 1, the receiver owns the ref */
	assert_true(nt_event(w, SPAN_EV_ACK));
	assert_int_equal(nt_rc(w, C), 2);
	skb = SOCK(w, (uint32_t)s)->receive_queue.head;
	assert_int_equal(nt_sh(w, skb)->dataref, 1);
	/* 6. a write to the file before the peer reads is what it reads */
	nt_begin(w, 1);
	assert_int_equal(span_pwrite(w, P, FILEFD(f), "BBBB", 4, 0), 4);
	nt_end(w);
	/* 5. recv copies the current contents, then put_page */
	assert_int_equal(nt_recv(w, s, buf, sizeof(buf), 0), 4096);
	assert_memory_equal(buf, "BBBBA", 5);
	assert_int_equal(nt_rc(w, C), 1);
	nt_finish(w);
}

/* MSG_SPLICE_PAGES of every memory kind under every kmem_send value */
enum mem_kind { MK_ANON, MK_CACHE, MK_KERNEL, MK_SLAB, MK_OWNER };

static ssize_t splice_pages_of(struct span_world *w, int kind, int c,
			       int *owner)
{
	struct span_src src = { 0 };
	int region, q, f;
	uint64_t off = 0;
	ssize_t r;

	nt_begin(w, 1);
	switch (kind) {
	case MK_ANON:	/* anon user page via vmsplice into a pipe */
		span_mmap_anon(w, P, 4096, 0, "u", 1, &region);
		span_pipe_create(w, 0, &q);
		assert_int_equal(span_vmsplice(w, P, PIPEW(q), region, 0, 4096, 0),
				 4096);
		break;
	case MK_CACHE:	/* page cache via file -> pipe -> socket */
		span_file_create(w, 4096, 0, "f", 1, &f);
		span_pipe_create(w, 0, &q);
		assert_int_equal(span_splice(w, P, FILEFD(f), &off, PIPEW(q), NULL,
					     4096, 0), 4096);
		break;
	case MK_KERNEL:
		span_kmem_alloc(w, 4096, SPAN_KMEM_PAGES, 0, "k", 1, &src.kmem);
		break;
	case MK_SLAB:
		span_kmem_alloc(w, 4096, SPAN_KMEM_SLAB, 0, "s", 1, &src.kmem);
		break;
	default:
		src.kmem = nt_owner_kmem(w, 4096, "o", owner);
	}
	nt_end(w);
	nt_begin(w, 1);
	if (kind == MK_ANON || kind == MK_CACHE) {
		r = span_splice(w, P, PIPER(q), NULL, SOCKFD(c), NULL, 4096, 0);
	} else {
		size_t done = 0;

		r = span_sendmsg(w, P, SOCKFD(c), &src, 4096,
				 SPAN_MSG_SPLICE_PAGES, &done);
	}
	nt_end(w);
	return r;
}

/*
 * splice_to_socket() of a pipe holding one byte: a sendmsg that took 1
 * byte is progress like any other, so the pipe's buffer is released and
 * the byte arrives once.
 */
static void test_tcp_splice_one_byte(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_pipe_info pi;
	char out[4];
	int c, s, q;

	(void)state;
	nt_begin(w, 0);
	assert_int_equal(span_tcp_connect(w, &c, &s), 0);
	assert_int_equal(span_pipe_create(w, 0, &q), 0);
	nt_end(w);
	nt_begin(w, 1);
	assert_int_equal(span_write(w, P, PIPEW(q),
				    &(struct span_src){ .buf = "x" }, 1, 0,
				    NULL),
			 1);
	assert_int_equal(span_splice(w, P, PIPER(q), NULL, SOCKFD(c), NULL, 1,
				     0),
			 1);
	nt_end(w);
	assert_int_equal(span_pipe_info(w, q, &pi), 0);
	assert_int_equal(pi.bytes, 0);
	assert_int_equal(pi.head, pi.tail);
	nt_events(w);
	assert_int_equal(nt_recv(w, s, out, sizeof(out), 0), 1);
	assert_int_equal(out[0], 'x');
	nt_finish(w);
}

static void test_tcp_splice_pages_memory_kinds(void **state)
{
	static const char *const ks[] = { "reject", "ref", "copy", "desc" };

	(void)state;
	for (int k = 0; k < 4; k++) {
		for (int kind = MK_ANON; kind <= MK_OWNER; kind++) {
			struct span_world *w = nt_world(NULL);
			int c, s, owner = 0;
			ssize_t r;
			bool frozen = kind == MK_SLAB || kind == MK_OWNER;
			char buf[4096];

			nt_policy(w, "kmem_send", ks[k]);
			nt_begin(w, 0);
			span_tcp_connect(w, &c, &s);
			nt_end(w);
			r = splice_pages_of(w, kind, c, &owner);
			if (frozen && k == SPAN_KMEM_SEND_REJECT) {
				assert_int_equal(r, -EIO);
			} else {
				assert_int_equal(r, 4096);
				nt_events(w);
				assert_int_equal(nt_recv(w, s, buf, 4096, 0), 4096);
				assert_int_equal(buf[0], "ufkso"[kind]);
			}
			/* only ref takes a page ref on frozen memory */
			assert_int_equal(nt_has(w, SPAN_INV_GET_ON_FROZEN),
					 frozen && k == SPAN_KMEM_SEND_REF);
			if (owner) {
				nt_begin(w, 1);
				span_owner_put(w, owner);
				nt_end(w);
				assert_int_equal(nt_owner(w, owner).destructed, 1);
			}
			if (!(frozen && k == SPAN_KMEM_SEND_REF))
				nt_assert_clean(w);
			span_world_teardown(w);
			if (!(frozen && k == SPAN_KMEM_SEND_REF))
				nt_assert_clean(w);
			span_world_destroy(w);
		}
	}
}

/* the loopback knob at delivery of a spliced page-cache frag */
static void test_tcp_loopback_knob(void **state)
{
	static const char *const vals[] = { "copy_zerocopy", "share",
					    "copy_all" };

	(void)state;
	for (int v = 0; v < 3; v++) {
		struct span_world *w = nt_world(NULL);
		int c, s, C;
		uint32_t skb;

		nt_policy(w, "loopback", vals[v]);
		nt_begin(w, 0);
		span_tcp_connect(w, &c, &s);
		nt_end(w);
		assert_int_equal(splice_pages_of(w, MK_KERNEL, c, NULL), 4096);
		C = (int)nt_sh(w, SOCK(w, (uint32_t)c)->write_queue.head)
			    ->frags[0].page;
		nt_events(w);
		skb = SOCK(w, (uint32_t)s)->receive_queue.head;
		/* copy_all: the receiver has its own page; else the sender's */
		if (v == SPAN_LOOPBACK_COPY_ALL)
			assert_int_not_equal(nt_sh(w, skb)->frags[0].page, C);
		else
			assert_int_equal(nt_sh(w, skb)->frags[0].page, C);
		nt_finish(w);
	}
}

/* the sock_splice knob: what the pipe buffers are */
static void test_tcp_sock_splice_knob(void **state)
{
	static const char *const vals[] = { "ref", "desc", "copy" };
	static const int ops[] = { SPAN_PBO_NOSTEAL, SPAN_PBO_NOSTEAL,
				   SPAN_PBO_DEFAULT };

	(void)state;
	for (int v = 0; v < 3; v++) {
		struct span_world *w = nt_world(NULL);
		struct span_pipe_buf_info bi;
		int c, s, q, C;
		char buf[8];

		nt_policy(w, "sock_splice", vals[v]);
		nt_begin(w, 0);
		span_tcp_connect(w, &c, &s);
		span_pipe_create(w, 0, &q);
		nt_end(w);
		assert_int_equal(nt_send_str(w, c, "hello", 0), 5);
		C = (int)nt_sh(w, SOCK(w, (uint32_t)c)->write_queue.head)
			    ->frags[0].page;
		nt_events(w);
		nt_begin(w, 2);
		assert_int_equal(span_splice(w, P, SOCKFD(s), NULL, PIPEW(q), NULL,
					     5, 0), 5);
		nt_end(w);
		span_pipe_buf(w, q, 0, &bi);
		assert_int_equal(bi.ops, ops[v]);
		if (v == SPAN_SOCK_SPLICE_COPY)
			assert_int_not_equal(bi.page, C);
		else
			assert_int_equal(bi.page, C);
		nt_begin(w, 2);
		assert_int_equal(span_read(w, P, PIPER(q), buf, 8, 0), 5);
		nt_end(w);
		assert_memory_equal(buf, "hello", 5);
		nt_finish(w);
	}
}

/* sndbuf: a blocking send sleeps with progress, resumes after the ACK */
static void test_tcp_sndbuf_blocks_and_resumes(void **state)
{
	struct span_world *w = nt_world(NULL);
	char big[20000], out[20000];
	struct span_src src = { .buf = big };
	size_t done = 0, got = 0;
	ssize_t r;
	int c, s;

	(void)state;
	memset(big, 'x', sizeof(big));
	span_world_set_param(w, SPAN_PARAM_SNDBUF, 8192);
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	nt_begin(w, 1);
	r = span_sendmsg(w, P, SOCKFD(c), &src, sizeof(big), 0, &done);
	nt_end(w);
	assert_int_equal(r, -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 8192);
	/* non-blocking: -EAGAIN when nothing fits */
	nt_begin(w, 3);
	{
		size_t d2 = 0;

		assert_int_equal(span_sendmsg(w, P, SOCKFD(c), &src, 10,
					      SPAN_O_NONBLOCK, &d2), -EAGAIN);
	}
	nt_end(w);
	while (done < sizeof(big)) {
		nt_events(w);
		nt_begin(w, 1);
		r = span_sendmsg(w, P, SOCKFD(c), &src, sizeof(big), 0, &done);
		nt_end(w);
		assert_true(r == (ssize_t)sizeof(big) || r == -SPAN_EWOULDSLEEP);
	}
	nt_events(w);
	while (got < sizeof(out)) {
		r = nt_recv(w, s, out + got, sizeof(out) - got, 0);
		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_memory_equal(out, big, sizeof(big));
	nt_finish(w);
}

/* the receive window: data waits on the write queue until read */
static void test_tcp_rcvbuf_window(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[64];
	int c, s;

	(void)state;
	span_world_set_param(w, SPAN_PARAM_RCVBUF, 8);
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	assert_int_equal(nt_send_str(w, c, "abcdef", 0), 6);
	nt_events(w);
	assert_int_equal(nt_send_str(w, c, "ghijkl", 0), 6);
	nt_events(w);
	/* the second segment does not fit the window */
	assert_int_not_equal(SOCK(w, (uint32_t)c)->write_queue.head, 0);
	assert_int_equal(nt_recv(w, s, out, 64, 0), 6);
	nt_events(w);
	assert_int_equal(nt_recv(w, s, out, 64, 0), 6);
	assert_memory_equal(out, "ghijkl", 6);
	nt_finish(w);
}

static void test_tcp_recv_peek_and_partial(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[16];
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	assert_int_equal(nt_recv(w, s, out, 4, SPAN_O_NONBLOCK), -EAGAIN);
	assert_int_equal(nt_recv(w, s, out, 4, 0), -SPAN_EWOULDSLEEP);
	nt_send_str(w, c, "0123", 0);
	nt_events(w);
	nt_send_str(w, c, "4567", 0);
	nt_events(w);
	assert_int_equal(nt_recv(w, s, out, 6, SPAN_MSG_PEEK), 6);
	assert_memory_equal(out, "012345", 6);
	assert_int_equal(nt_recv(w, s, out, 3, 0), 3);
	assert_memory_equal(out, "012", 3);
	assert_int_equal(nt_recv(w, s, out, 16, 0), 5);
	assert_memory_equal(out, "34567", 5);
	nt_finish(w);
}

/* tcp_splice_read: SPLICE_F_NONBLOCK does not make the socket wait
 * non-blocking; an offset is ESPIPE */
static void test_tcp_splice_read_blocking_rules(void **state)
{
	struct span_world *w = nt_world(NULL);
	uint64_t off = 0;
	int c, s, q;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_pipe_create(w, 0, &q);
	nt_end(w);
	nt_begin(w, 2);
	assert_int_equal(span_splice(w, P, SOCKFD(s), NULL, PIPEW(q), NULL, 10,
				     SPAN_SPLICE_F_NONBLOCK), -SPAN_EWOULDSLEEP);
	/* do_splice(): an offset on a socket: no FMODE_PREAD */
	assert_int_equal(span_splice(w, P, SOCKFD(s), &off, PIPEW(q), NULL, 10,
				     0), -EINVAL);
	nt_end(w);
	nt_finish(w);
}

static void test_tcp_close_eof_and_epipe(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[16];
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	nt_send_str(w, c, "bye", 0);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	nt_end(w);
	nt_events(w);
	assert_int_equal(nt_recv(w, s, out, 16, 0), 3);
	assert_int_equal(nt_recv(w, s, out, 16, 0), 0);
	/* the other way: s sends to a closed socket: RST, then EPIPE */
	assert_int_equal(nt_send_str(w, s, "x", 0), 1);
	nt_events(w);
	assert_int_equal(nt_send_str(w, s, "y", 0), -EPIPE);
	nt_finish(w);
}

static int tcp_ioctl_of(struct span_world *w, int fd, unsigned int cmd)
{
	int v = -12345, err;

	nt_begin(w, 3);
	err = span_ioctl(w, fd, cmd, &v);
	nt_end(w);
	return err ? err : v;
}

/*
 * tcp_ioctl(): SIOCINQ counts the unread bytes (a peek leaves them, the
 * FIN does not count), SIOCOUTQ write_seq - snd_una (0 once acked, the
 * unacked byte after an RST stays); the socket is read, not written.
 */
static void test_tcp_ioctl(void **state)
{
	struct span_world *w = nt_world(NULL);
	const struct span_footprint *fp;
	char out[16];
	int c, s, v;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_FIONREAD), 0);
	assert_int_equal(nt_send_str(w, c, "hello", 0), 5);
	/* queued, not transmitted yet: all of it is outstanding */
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(c), SPAN_SIOCOUTQ), 5);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_SIOCINQ), 0);
	nt_events(w);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(c), SPAN_SIOCOUTQ), 0);
	nt_begin(w, 3);
	assert_int_equal(span_ioctl(w, SOCKFD(s), SPAN_FIONREAD, &v), 0);
	fp = span_world_footprint(w);
	assert_int_equal(fp->nr_read, 1);
	assert_int_equal(fp->nr_write, 0);
	nt_end(w);
	assert_int_equal(v, 5);
	assert_int_equal(nt_recv(w, s, out, 2, SPAN_MSG_PEEK), 2);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_FIONREAD), 5);
	assert_int_equal(nt_recv(w, s, out, 2, 0), 2);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_FIONREAD), 3);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), 0x541C), -ENOTTY);
	/* the peer's FIN takes a sequence number that SIOCINQ does not count */
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	nt_end(w);
	nt_events(w);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_FIONREAD), 3);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(c), SPAN_FIONREAD), -EBADF);
	assert_int_equal(nt_recv(w, s, out, 16, 0), 3);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_FIONREAD), 0);
	/* s sends to the closed socket: RST; the byte is never acked */
	assert_int_equal(nt_send_str(w, s, "x", 0), 1);
	nt_events(w);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_SIOCOUTQ), 1);
	assert_int_equal(span_ioctl(w, SOCKFD(s), SPAN_FIONREAD, NULL),
			 -EINVAL);
	nt_finish(w);
}

static int tcp_shutdown_of(struct span_world *w, int fd, int how)
{
	int err;

	nt_begin(w, 3);
	err = span_shutdown(w, fd, how);
	nt_end(w);
	return err;
}

/*
 * inet_shutdown() / tcp_shutdown(): SHUT_WR sends a FIN after the data
 * (the peer reads it, then 0; a send here is EPIPE); SHUT_RD leaves queued
 * and later data readable, then 0; data that reaches a socket shut both
 * ways in FIN_WAIT is answered with an RST; TCP_CLOSE is ENOTCONN.
 */
static void test_tcp_shutdown(void **state)
{
	struct span_world *w = nt_world(NULL);
	const struct span_footprint *fp;
	char out[16];
	int c, s, q;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_pipe_create(w, 0, &q);
	nt_end(w);
	assert_int_equal(tcp_shutdown_of(w, PIPER(q), SPAN_SHUT_RD), -ENOTSOCK);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(99), SPAN_SHUT_RD), -EBADF);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(c), 3), -EINVAL);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(c), -1), -EINVAL);
	/* SHUT_RD: the queued bytes, then 0; the peer's data still queues */
	assert_int_equal(nt_send_str(w, s, "pre", 0), 3);
	nt_events(w);
	nt_begin(w, 3);
	assert_int_equal(span_shutdown(w, SOCKFD(c), SPAN_SHUT_RD), 0);
	fp = span_world_footprint(w);
	assert_true(fp->nr_write >= 1);
	nt_end(w);
	assert_int_equal(nt_recv(w, c, out, 16, SPAN_O_NONBLOCK), 3);
	assert_int_equal(nt_recv(w, c, out, 16, SPAN_O_NONBLOCK), 0);
	assert_int_equal(nt_send_str(w, s, "post", 0), 4);
	nt_events(w);
	assert_int_equal(nt_recv(w, c, out, 16, SPAN_O_NONBLOCK), 4);
	assert_memory_equal(out, "post", 4);
	assert_int_equal(nt_recv(w, c, out, 16, 0), 0);
	/* SHUT_WR: a FIN after "x"; the peer reads "x", then 0 */
	assert_int_equal(nt_send_str(w, c, "x", 0), 1);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(c), SPAN_SHUT_WR), 0);
	assert_int_equal(nt_send_str(w, c, "y", 0), -EPIPE);
	assert_int_equal(nt_send_str(w, c, "", 0), -EPIPE);
	nt_events(w);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(c), SPAN_SIOCOUTQ), 0);
	assert_int_equal(nt_recv(w, s, out, 16, 0), 1);
	assert_int_equal(nt_recv(w, s, out, 16, 0), 0);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(c), SPAN_SHUT_RDWR), 0);
	/* data to a socket shut both ways in FIN_WAIT2: RST both ways */
	assert_int_equal(nt_send_str(w, s, "late", 0), 4);
	nt_events(w);
	assert_int_equal(nt_recv(w, c, out, 16, SPAN_O_NONBLOCK), -ECONNRESET);
	assert_int_equal(nt_recv(w, c, out, 16, SPAN_O_NONBLOCK), 0);
	/* s had the FIN first (CLOSE_WAIT): EPIPE */
	assert_int_equal(nt_send_str(w, s, "z", 0), -EPIPE);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(c), SPAN_SHUT_RD),
			 -ENOTCONN);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(s), SPAN_SHUT_WR),
			 -ENOTCONN);
	nt_finish(w);
}

/* both FINs through is TCP_CLOSE too; a FIN not yet acked is not */
static void test_tcp_shutdown_both_fins(void **state)
{
	struct span_world *w = nt_world(NULL);
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(c), SPAN_SHUT_WR), 0);
	nt_events(w);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(s), SPAN_SHUT_WR), 0);
	/* s's FIN is queued, not acked: LAST_ACK, c is in TIME_WAIT soon */
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(s), SPAN_SHUT_RD), 0);
	nt_events(w);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(c), SPAN_SHUT_RD),
			 -ENOTCONN);
	assert_int_equal(tcp_shutdown_of(w, SOCKFD(s), SPAN_SHUT_RD),
			 -ENOTCONN);
	nt_finish(w);
}

static ssize_t tcp_waitall(struct span_world *w, int sk, char *out, size_t len,
			   unsigned int flags, size_t *done)
{
	ssize_t r;

	nt_begin(w, 2);
	r = span_recvmsg_waitall(w, P, SOCKFD(sk), out, len, flags, done);
	nt_end(w);
	return r;
}

/*
 * tcp_recvmsg_locked() with MSG_WAITALL: copies what is there, sleeps for
 * the rest (progress kept in *done), returns the whole target; a partial
 * count at EOF or nonblocking; a pending error is left for the next call;
 * a peek waits for the whole target and consumes nothing.
 */
static void test_tcp_recv_waitall(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[16];
	size_t done = 0;
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	assert_int_equal(tcp_waitall(w, s, out, 6, 0, &done), -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 0);
	assert_int_equal(tcp_waitall(w, s, out, 6, SPAN_O_NONBLOCK, &done),
			 -EAGAIN);
	assert_int_equal(nt_send_str(w, c, "abc", 0), 3);
	nt_events(w);
	/* a peek sleeps for the rest, then peeks the whole target */
	assert_int_equal(tcp_waitall(w, s, out, 6, SPAN_MSG_PEEK, &done),
			 -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 3);
	assert_int_equal(nt_send_str(w, c, "defgh", 0), 5);
	nt_events(w);
	assert_int_equal(tcp_waitall(w, s, out, 6, SPAN_MSG_PEEK, &done), 6);
	assert_memory_equal(out, "abcdef", 6);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_FIONREAD), 8);
	/* a read copies what is there and sleeps for the rest */
	done = 0;
	assert_int_equal(tcp_waitall(w, s, out, 10, 0, &done),
			 -SPAN_EWOULDSLEEP);
	assert_int_equal(done, 8);
	assert_int_equal(tcp_ioctl_of(w, SOCKFD(s), SPAN_FIONREAD), 0);
	assert_int_equal(nt_send_str(w, c, "ijkl", 0), 4);
	nt_events(w);
	assert_int_equal(tcp_waitall(w, s, out, 10, 0, &done), 10);
	assert_memory_equal(out, "abcdefghij", 10);
	/* nonblocking: what is there */
	done = 0;
	assert_int_equal(tcp_waitall(w, s, out, 6, SPAN_O_NONBLOCK, &done), 2);
	assert_memory_equal(out, "kl", 2);
	/* the peer closes with "xy" sent: 2 at EOF, then 0 */
	assert_int_equal(nt_send_str(w, c, "xy", 0), 2);
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	nt_end(w);
	nt_events(w);
	done = 0;
	assert_int_equal(tcp_waitall(w, s, out, 6, 0, &done), 2);
	done = 0;
	assert_int_equal(tcp_waitall(w, s, out, 6, 0, &done), 0);
	nt_finish(w);
}

/* an RST after part of the target: the part, and the error stays queued */
static void test_tcp_recv_waitall_error_kept(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[16];
	size_t done = 0;
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	assert_int_equal(nt_send_str(w, s, "unread", 0), 6);
	assert_int_equal(nt_send_str(w, c, "ab", 0), 2);
	nt_events(w);
	assert_int_equal(tcp_waitall(w, s, out, 6, 0, &done), -SPAN_EWOULDSLEEP);
	/* c closes with "unread" unread: RST to s */
	nt_begin(w, 1);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	nt_end(w);
	nt_events(w);
	assert_int_equal(tcp_waitall(w, s, out, 6, 0, &done), 2);
	assert_int_equal(nt_recv(w, s, out, 6, 0), -ECONNRESET);
	nt_finish(w);
}

static void test_tcp_invalid_handles(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_src src = { .buf = "x" };
	char out[4];
	size_t done = 0;
	int c, s, q;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_pipe_create(w, 0, &q);
	assert_int_equal(span_sendmsg(w, P, SOCKFD(99), &src, 1, 0, &done),
			 -EBADF);
	/* an open pipe is a descriptor, not a socket */
	assert_int_equal(span_sendmsg(w, P, PIPEW(q), &src, 1, 0, &done),
			 -ENOTSOCK);
	assert_int_equal(span_recvmsg(w, P, SOCKFD(0), out, 1, 0), -EBADF);
	assert_int_equal(span_recv_errqueue(w, SOCKFD(99), false, out, 4),
			 -EBADF);
	assert_int_equal(span_sock_completions(w, SOCKFD(99), out, 4), -EBADF);
	assert_int_equal(span_setsockopt_zerocopy(w, SOCKFD(99), 1), -EBADF);
	assert_int_equal(span_decrypt(w, P, SOCKFD(99), 1), -EBADF);
	assert_int_equal(span_close(w, P, SOCKFD(c)), 0);
	assert_int_equal(span_close(w, P, SOCKFD(c)), -EBADF);
	assert_int_equal(span_sendmsg(w, P, SOCKFD(c), &src, 1, 0, &done),
			 -EBADF);
	assert_false(span_fd_valid(w, SOCKFD(c)));
	assert_true(span_fd_valid(w, SOCKFD(s)));
	assert_int_equal(span_world_run_event(w, 12345), -ENOENT);
	nt_end(w);
	nt_finish(w);
}

/*
 * Dirty Frag: a page-cache page spliced into TCP and decrypted in place
 * by the receiver.  keep: skb_cow_data() copies (SHARED_FRAG); ignore:
 * the page cache is written.
 */
static void dirty_frag(const char *val, bool expect_violation)
{
	struct span_world *w = nt_world(NULL);
	uint64_t off = 0;
	int c, s, q, f;
	char out[8], fc[8];

	nt_policy(w, "skb_shared_frag", val);
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_pipe_create(w, 0, &q);
	span_file_create(w, 4096, SPAN_FILE_RDONLY, "secret", 6, &f);
	nt_end(w);
	nt_begin(w, 1);
	span_splice(w, P, FILEFD(f), &off, PIPEW(q), NULL, 4096, 0);
	assert_int_equal(span_splice(w, P, PIPER(q), NULL, SOCKFD(c), NULL, 6, 0),
			 6);
	nt_end(w);
	nt_events(w);
	nt_begin(w, 2);
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 6), 6);
	nt_end(w);
	assert_int_equal(nt_recv(w, s, out, 6, 0), 6);
	assert_memory_equal(out, "SECRET", 6);
	assert_int_equal(span_file_contents(w, f, 0, fc, 6), 6);
	assert_memory_equal(fc, expect_violation ? "SECRET" : "secret", 6);
	assert_int_equal(nt_has(w, SPAN_INV_PAGE_CACHE_WRITE), expect_violation);
	if (expect_violation)
		nt_finish_dirty(w);
	else
		nt_finish(w);
}

static void test_tcp_decrypt_page_cache_write(void **state)
{
	(void)state;
	dirty_frag("keep", false);
	dirty_frag("ignore", true);
}

/*
 * Fragnesia: a copy-mode segment, then a spliced page-cache segment that
 * the receiver coalesces into it.  drop_on_coalesce loses SHARED_FRAG and
 * the decryption writes the page cache.
 */
static void fragnesia(const char *val, bool expect_violation)
{
	struct span_world *w = nt_world(NULL);
	uint64_t off = 0;
	int c, s, q, f;
	char out[16];

	nt_policy(w, "skb_shared_frag", val);
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	span_pipe_create(w, 0, &q);
	span_file_create(w, 4096, SPAN_FILE_RDONLY, "secret", 6, &f);
	nt_end(w);
	nt_send_str(w, c, "hdr", 0);
	nt_events(w);	/* delivered and ACKed: the tail is not cloned */
	nt_begin(w, 1);
	span_splice(w, P, FILEFD(f), &off, PIPEW(q), NULL, 4096, 0);
	span_splice(w, P, PIPER(q), NULL, SOCKFD(c), NULL, 6, 0);
	nt_end(w);
	nt_events(w);
	/* coalesced into one skb */
	assert_int_equal(SOCK(w, (uint32_t)s)->receive_queue.head,
			 SOCK(w, (uint32_t)s)->receive_queue.tail);
	nt_begin(w, 2);
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 9), 9);
	nt_end(w);
	assert_int_equal(nt_recv(w, s, out, 9, 0), 9);
	assert_memory_equal(out, "HDRSECRET", 9);
	assert_int_equal(nt_has(w, SPAN_INV_PAGE_CACHE_WRITE), expect_violation);
	nt_finish_dirty(w);
}

static void test_tcp_decrypt_after_coalesce(void **state)
{
	(void)state;
	fragnesia("keep", false);
	fragnesia("drop_on_coalesce", true);
}

static void test_tcp_decrypt_blocks_until_queued(void **state)
{
	struct span_world *w = nt_world(NULL);
	char out[8];
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	nt_send_str(w, c, "ab", 0);
	nt_events(w);
	nt_begin(w, 2);
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 4), -SPAN_EWOULDSLEEP);
	nt_end(w);
	nt_send_str(w, c, "cd", 0);
	nt_events(w);
	nt_begin(w, 2);
	assert_int_equal(span_decrypt(w, P, SOCKFD(s), 4), 4);
	nt_end(w);
	assert_int_equal(nt_recv(w, s, out, 8, 0), 4);
	assert_memory_equal(out, "ABCD", 4);
	nt_finish(w);
}

/* the world hash covers the network state */
static void test_tcp_snapshot_restore_and_hash(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_snapshot *snap;
	uint64_t h1[2], h2[2], h3[2];
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	nt_send_str(w, c, "abc", 0);
	span_world_hash(w, h1);
	assert_int_equal(span_world_snapshot(w, &snap), 0);
	nt_events(w);
	span_world_hash(w, h2);
	assert_true(h1[0] != h2[0] || h1[1] != h2[1]);
	assert_int_equal(span_world_restore(w, snap), 0);
	span_world_hash(w, h3);
	assert_memory_equal(h1, h3, sizeof(h1));
	assert_int_equal(span_world_events(w, NULL, 0), 1);
	span_snapshot_free(w, snap);
	nt_finish(w);
}

/* an ACK that uncloned the receiver's tail conflicts with a delivery
 * that may coalesce into it (through the shared shinfo) */
static void test_tcp_footprints_ack_vs_deliver(void **state)
{
	struct span_world *w = nt_world(NULL);
	struct span_footprint ack, dlv;
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	nt_send_str(w, c, "a", 0);
	assert_true(nt_event(w, SPAN_EV_XMIT));
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	nt_send_str(w, c, "b", 0);
	assert_true(nt_event(w, SPAN_EV_XMIT));
	assert_true(nt_event(w, SPAN_EV_ACK));
	ack = *span_world_footprint(w);
	assert_true(nt_event(w, SPAN_EV_DELIVER));
	dlv = *span_world_footprint(w);
	assert_true(span_footprint_conflict(&ack, &dlv));
	nt_finish(w);
}

/* leak: an skb reference nobody drops is reported at the end */
static void test_tcp_leak_of_skb(void **state)
{
	struct span_world *w = nt_world(NULL);
	int c, s;

	(void)state;
	nt_begin(w, 0);
	span_tcp_connect(w, &c, &s);
	nt_end(w);
	nt_send_str(w, c, "a", 0);
	nt_events(w);
	SKB(w, SOCK(w, (uint32_t)s)->receive_queue.head)->users++; /* skb_get */
	span_world_teardown(w);
	assert_true(nt_has(w, SPAN_INV_LEAK));
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_rpc_span_desc_holds_owner_until_read),
		cmocka_unit_test(test_tcp_rpc_span_desc_pipe_buffers_hold_owner),
		cmocka_unit_test(test_tcp_rpc_copy_out_destructs_before_read),
		cmocka_unit_test(test_tcp_rpc_default_rejects),
		cmocka_unit_test(test_tcp_kmem_splice_pages_default),
		cmocka_unit_test(test_tcp_kmem_send_ref_breaks_invariants),
		cmocka_unit_test(test_tcp_kmem_send_copy),
		cmocka_unit_test(test_tcp_kmem_send_desc_needs_sock_splice_desc),
		cmocka_unit_test(test_tcp_ledger_c_file_pipe_tcp),
		cmocka_unit_test(test_tcp_splice_one_byte),
		cmocka_unit_test(test_tcp_splice_pages_memory_kinds),
		cmocka_unit_test(test_tcp_loopback_knob),
		cmocka_unit_test(test_tcp_sock_splice_knob),
		cmocka_unit_test(test_tcp_sndbuf_blocks_and_resumes),
		cmocka_unit_test(test_tcp_rcvbuf_window),
		cmocka_unit_test(test_tcp_recv_peek_and_partial),
		cmocka_unit_test(test_tcp_splice_read_blocking_rules),
		cmocka_unit_test(test_tcp_close_eof_and_epipe),
		cmocka_unit_test(test_tcp_invalid_handles),
		cmocka_unit_test(test_tcp_decrypt_page_cache_write),
		cmocka_unit_test(test_tcp_decrypt_after_coalesce),
		cmocka_unit_test(test_tcp_decrypt_blocks_until_queued),
		cmocka_unit_test(test_tcp_snapshot_restore_and_hash),
		cmocka_unit_test(test_tcp_footprints_ack_vs_deliver),
		cmocka_unit_test(test_tcp_leak_of_skb),
		cmocka_unit_test(test_tcp_ioctl),
		cmocka_unit_test(test_tcp_shutdown),
		cmocka_unit_test(test_tcp_shutdown_both_fins),
		cmocka_unit_test(test_tcp_recv_waitall),
		cmocka_unit_test(test_tcp_recv_waitall_error_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
