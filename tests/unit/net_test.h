/* SPDX-License-Identifier: MIT */
/*
 * net_test.h - helpers shared by the network unit tests (test_skbuff.c,
 * test_tcp.c, test_af_unix.c, test_zerocopy.c): drive a world the way the
 * scheduler does (step_begin / call / step_end; kernel events as steps of
 * tid 0) and look at its internals.
 */
#ifndef SPAN_NET_TEST_H
#define SPAN_NET_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define P SPAN_INIT_PID
#define SOCKFD(id) SPAN_FD(SPAN_FD_SOCK, (id))
#define PIPER(id) SPAN_FD(SPAN_FD_PIPE_R, (id))
#define PIPEW(id) SPAN_FD(SPAN_FD_PIPE_W, (id))
#define FILEFD(id) SPAN_FD(SPAN_FD_FILE, (id))

static inline struct span_world *nt_world(const char *preset)
{
	struct span_world *w = NULL;

	assert_int_equal(span_world_create(&w, NULL, NULL), 0);
	if (preset)
		assert_int_equal(span_policy_preset(span_world_policy(w), preset),
				 0);
	return w;
}

static inline void nt_policy(struct span_world *w, const char *k,
			     const char *v)
{
	assert_int_equal(span_policy_set(span_world_policy(w), k, v), 0);
}

static inline void nt_begin(struct span_world *w, int tid)
{
	span_world_step_begin(w, tid, P);
}

static inline void nt_end(struct span_world *w)
{
	span_world_step_end(w);
}

/* run the oldest enabled kernel event as one step; false if none */
static inline bool nt_event(struct span_world *w, int kind)
{
	struct span_event ev[64];
	int n = span_world_events(w, ev, 64);

	for (int i = 0; i < n && i < 64; i++) {
		if (kind >= 0 && ev[i].kind != kind)
			continue;
		span_world_step_begin(w, 0, 0);
		assert_int_equal(span_world_run_event(w, ev[i].id), 0);
		span_world_step_end(w);
		return true;
	}
	return false;
}

/* run every pending kernel event, each as its own step */
static inline int nt_events(struct span_world *w)
{
	int n = 0;

	while (nt_event(w, -1))
		n++;
	return n;
}

static inline void nt_dump(struct span_world *w)
{
	for (int i = 0; i < span_world_nr_violations(w); i++) {
		const struct span_violation *v = span_world_violation(w, i);

		fprintf(stderr, "  violation %s at step %llu in %s: %s\n",
			span_invariant_name(v->inv),
			(unsigned long long)v->step, v->func, v->msg);
	}
}

static inline bool nt_has(struct span_world *w, int inv)
{
	for (int i = 0; i < span_world_nr_violations(w); i++)
		if (span_world_violation(w, i)->inv == inv)
			return true;
	return false;
}

static inline void nt_assert_clean(struct span_world *w)
{
	if (span_world_nr_violations(w))
		nt_dump(w);
	assert_int_equal(span_world_nr_violations(w), 0);
}

/* end of a test: teardown, no violation, destroy */
static inline void nt_finish(struct span_world *w)
{
	span_world_teardown(w);
	nt_assert_clean(w);
	span_world_destroy(w);
}

/* end of a test that expects violations: teardown and destroy */
static inline void nt_finish_dirty(struct span_world *w)
{
	span_world_teardown(w);
	span_world_destroy(w);
}

static inline int64_t nt_rc(struct span_world *w, int page)
{
	struct span_page_info pi;

	assert_int_equal(span_page_info(w, page, &pi), 0);
	return pi.refcount;
}

static inline ssize_t nt_send(struct span_world *w, int tid, int sk,
			      const struct span_src *src, size_t len,
			      unsigned int flags)
{
	size_t done = 0;
	ssize_t r;

	nt_begin(w, tid);
	r = span_sendmsg(w, P, SOCKFD(sk), src, len, flags, &done);
	nt_end(w);
	return r;
}

static inline ssize_t nt_send_str(struct span_world *w, int sk, const char *s,
				  unsigned int flags)
{
	struct span_src src = { .buf = s };

	return nt_send(w, 1, sk, &src, strlen(s), flags);
}

static inline ssize_t nt_recv(struct span_world *w, int sk, char *out,
			      size_t len, unsigned int flags)
{
	ssize_t r;

	nt_begin(w, 2);
	r = span_recvmsg(w, P, SOCKFD(sk), out, len, flags);
	nt_end(w);
	return r;
}

static inline int nt_owner_kmem(struct span_world *w, size_t size,
				const char *fill, int *owner)
{
	int k;

	assert_int_equal(span_owner_create(w, owner), 0);
	assert_int_equal(span_kmem_alloc(w, size, SPAN_KMEM_OWNER, *owner, fill,
					 strlen(fill), &k), 0);
	return k;
}

static inline struct span_owner_info nt_owner(struct span_world *w, int o)
{
	struct span_owner_info oi;

	assert_int_equal(span_owner_info(w, o, &oi), 0);
	return oi;
}

/* first live skb on a queue */
static inline struct span_sk_buff *nt_skb(struct span_world *w, uint32_t id)
{
	return SKB(w, id);
}

static inline struct span_skb_shared_info *nt_sh(struct span_world *w,
						 uint32_t skb)
{
	return SHINFO(w, SKB(w, skb)->shinfo);
}

#endif
