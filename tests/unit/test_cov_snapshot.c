// SPDX-License-Identifier: MIT
/*
 * test_cov_snapshot.c - snapshot/restore/hash/equal (lib/snapshot.c) and
 * world creation (lib/world.c) beyond the happy path: restoring into a
 * smaller world, owners and span descriptors in the canonical form, freed
 * objects leaving no trace in it, and every allocation failure (through
 * the world's allocator hook) leaving the world as it was and leaking
 * nothing.
 */
#include <stdlib.h>

#include "span_unit.h"

#include "internal.h"

/* a realloc-like allocator that fails the @fail_at-th allocation (1-based;
 * 0: never) and counts live blocks */
struct alloc_ctl {
	long calls;
	long fail_at;
	long live;
};

static void *ctl_alloc(void *ud, void *ptr, size_t size)
{
	struct alloc_ctl *c = ud;
	void *q;

	if (!size) {
		if (ptr)
			c->live--;
		free(ptr);
		return NULL;
	}
	if (++c->calls == c->fail_at)
		return NULL;
	q = realloc(ptr, size);
	if (q && !ptr)
		c->live++;
	return q;
}

static struct span_world *world_with(struct alloc_ctl *c)
{
	struct span_world_ops ops = { .alloc = ctl_alloc };
	struct span_world *w = NULL;

	memset(c, 0, sizeof(*c));
	assert_int_equal(span_world_create(&w, &ops, c), 0);
	return w;
}

struct hash {
	uint64_t v[2];
};

static struct hash hash_of(const struct span_world *w)
{
	struct hash h = { { 0, 0 } };

	span_world_hash(w, h.v);
	return h;
}

static bool hash_eq(struct hash a, struct hash b)
{
	return a.v[0] == b.v[0] && a.v[1] == b.v[1];
}

/* memory, a pipe with a split (desc) buffer, an owner with memory */
static void build(struct span_world *w, int *owner)
{
	int r, a, b, k;

	set_knob(w, SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_DESC);
	r = do_mmap(w, SPAN_INIT_PID, 40 * PG, 0, "big");
	for (int i = 0; i < 40; i++)
		assert_ret(do_store(w, SPAN_INIT_PID, r, (uint64_t)i * PG, "s",
				    1), 0);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(a), 'd', 100, 0), 100);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 50, 0), 50);
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_create(w, owner), 0);
	assert_int_equal(span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, *owner, "o",
					 1, &k), 0);
	step_end(w);
	assert_no_violations(w);
}

/*
 * A snapshot of a big world restored into a fresh one, whose tables and
 * page arrays are smaller: it is made room for, and the worlds are then
 * equal and hash the same.
 */
static void test_restore_into_a_smaller_world(void **state)
{
	struct span_world *big = world_new(), *small = world_new();
	struct span_snapshot *s = NULL;
	int owner;
	char out[100];

	(void)state;
	build(big, &owner);
	assert_true(big->pages.n > small->pages.cap);
	assert_false(span_world_equal(big, small));
	assert_ret(span_world_snapshot(big, &s), 0);
	assert_ret(span_world_restore(small, s), 0);
	assert_true(span_world_equal(big, small));
	assert_true(hash_eq(hash_of(big), hash_of(small)));
	/* and it behaves the same: the tee'd half reads back */
	assert_ret(do_read(small, SPAN_INIT_PID, PR(2), out, 100,
			   SPAN_O_NONBLOCK), 50);
	assert_true(all_bytes(out, 'd', 50));
	assert_false(span_world_equal(big, small));
	span_snapshot_free(big, s);
	assert_int_equal(span_world_teardown(small), 0);
	assert_int_equal(span_world_teardown(big), 0);
	span_world_destroy(small);
	span_world_destroy(big);
}

/* owners and span descriptors are part of the state the hash covers */
static void test_hash_covers_owners_and_descs(void **state)
{
	struct span_world *w = world_new();
	struct span_snapshot *s = NULL;
	struct hash h0;
	int owner;
	uint32_t d;

	(void)state;
	build(w, &owner);
	h0 = hash_of(w);
	assert_ret(span_world_snapshot(w, &s), 0);
	d = pipe_buf(w, 1, 0).priv;
	assert_true(span__tab_live(&w->descs, d));
	/* a desc holder more changes the hash */
	DESC(w, d)->refcount++;
	assert_false(hash_eq(hash_of(w), h0));
	DESC(w, d)->refcount--;
	assert_true(hash_eq(hash_of(w), h0));
	/* the owner's service reference going changes it */
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_owner_put(w, owner), 0);
	step_end(w);
	assert_false(hash_eq(hash_of(w), h0));
	assert_ret(span_world_restore(w, s), 0);
	assert_true(hash_eq(hash_of(w), h0));
	assert_true(OWNER(w, owner)->service_ref);
	span_snapshot_free(w, s);
	assert_int_equal(span_world_teardown(w), 0);
	span_world_destroy(w);
}

/*
 * Objects created and freed again (kernel memory, a pipe with its buffer
 * and cached page, mappings and their pages) leave no trace: the world
 * equals one that never had them.  (A region keeps its identity after its
 * last munmap, and a forked process lives on, in both worlds alike.)
 */
static void test_freed_objects_leave_no_trace(void **state)
{
	struct span_world *w = world_new(), *other = world_new();
	struct span_world *ws[2] = { w, other };
	int k, p;

	(void)state;
	for (int i = 0; i < 2; i++) {
		int r = do_mmap(ws[i], SPAN_INIT_PID, 2 * PG, 0, "gone");
		int child;

		assert_ret(do_store(ws[i], SPAN_INIT_PID, r, PG, "x", 1), 0);
		child = do_fork(ws[i], SPAN_INIT_PID);
		assert_ret(do_munmap(ws[i], child, r), 0);
		assert_ret(do_munmap(ws[i], SPAN_INIT_PID, r), 0);
	}
	assert_true(span_world_equal(w, other));
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, "k", 1, &k),
			 0);
	step_end(w);
	assert_false(span_world_equal(w, other));
	step_begin(w, SPAN_INIT_PID);
	assert_int_equal(span_kmem_free(w, k), 0);
	step_end(w);
	assert_true(span_world_equal(w, other));
	p = new_pipe(w, 0);
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'p', 10, 0), 10);
	assert_false(span_world_equal(w, other));
	assert_ret(do_close(w, SPAN_INIT_PID, PR(p)), 0);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_no_violations(w);
	assert_true(span_world_equal(w, other));
	assert_true(hash_eq(hash_of(w), hash_of(other)));
	span_world_destroy(other);
	span_world_destroy(w);
}

/*
 * Every allocation of span_world_snapshot() may fail: -ENOMEM and nothing
 * leaked.  A second snapshot of an unchanged world shares every page of
 * the first: one allocation.  Every allocation of span_world_restore() may
 * fail: -ENOMEM and the world is as it was.
 */
static void test_snapshot_and_restore_out_of_memory(void **state)
{
	struct alloc_ctl c;
	struct span_world *big = world_with(&c), *small;
	struct span_snapshot *s = NULL;
	struct hash hb, hs;
	int owner, failures = 0;
	long live;

	(void)state;
	build(big, &owner);
	hb = hash_of(big);
	for (long n = 1;; n++) {
		live = c.live;
		c.calls = 0;
		c.fail_at = n;
		s = NULL;
		if (!span_world_snapshot(big, &s))
			break;
		assert_null(s);
		assert_int_equal(c.live, live);
		failures++;
	}
	c.fail_at = 0;
	/* the table of blobs, the snapshot, a blob per distinct page (ids
	 * with the same bytes and provenance share one) */
	assert_true(failures >= 3);
	assert_true(failures <= 2 + (int)big->pages.n - 1);
	assert_true(hash_eq(hash_of(big), hb));
	{
		struct span_snapshot *again = NULL;
		long live2 = c.live;

		/* nothing changed: the pages are shared, only the header */
		c.calls = 0;
		assert_int_equal(span_world_snapshot(big, &again), 0);
		assert_int_equal(c.calls, 1);
		assert_int_equal(c.live, live2 + 1);
		assert_true(span_snapshot_bytes(again) < span_snapshot_bytes(s));
		span_snapshot_free(big, again);
		assert_int_equal(c.live, live2);
	}

	/* restore into a smaller world with the same allocator */
	{
		struct span_world_ops ops = { .alloc = ctl_alloc };

		assert_int_equal(span_world_create(&small, &ops, &c), 0);
	}
	(void)do_mmap(small, SPAN_INIT_PID, PG, 0, "before");
	hs = hash_of(small);
	failures = 0;
	for (long n = 1;; n++) {
		c.calls = 0;
		c.fail_at = n;
		if (!span_world_restore(small, s))
			break;
		c.fail_at = 0;
		/* a failed restore left the world as it was */
		assert_true(hash_eq(hash_of(small), hs));
		failures++;
	}
	c.fail_at = 0;
	assert_true(failures >= 2);
	assert_true(span_world_equal(small, big));
	span_snapshot_free(big, s);
	span_world_destroy(small);
	span_world_destroy(big);
	assert_int_equal(c.live, 0);
}

/* hash and equal when their buffers cannot be had */
static void test_hash_and_equal_out_of_memory(void **state)
{
	struct alloc_ctl c;
	struct span_world *w = world_with(&c);
	uint64_t h[2] = { 7, 7 };

	(void)state;
	(void)do_mmap(w, SPAN_INIT_PID, PG, 0, "h");
	c.calls = 0;
	c.fail_at = 1;
	span_world_hash(w, h);
	assert_int_equal(h[0], 0);
	assert_int_equal(h[1], 0);
	/* equality that cannot keep the canonical form says "not equal" */
	c.calls = 0;
	c.fail_at = 1;
	assert_false(span_world_equal(w, w));
	c.fail_at = 0;
	assert_true(span_world_equal(w, w));
	span_world_destroy(w);
	assert_int_equal(c.live, 0);
}

/* span_world_create(): every allocation may fail; nothing is leaked */
static void test_world_create_out_of_memory(void **state)
{
	struct span_world_ops ops = { .alloc = ctl_alloc };
	struct alloc_ctl c;
	int failures = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (long n = 1;; n++) {
		struct span_world *w = NULL;
		int err;

		c.calls = 0;
		c.fail_at = n;
		err = span_world_create(&w, &ops, &c);
		if (!err) {
			assert_non_null(w);
			span_world_destroy(w);
			break;
		}
		assert_int_equal(err, -ENOMEM);
		assert_int_equal(c.live, 0);
		failures++;
	}
	assert_true(failures >= 10);
	assert_int_equal(c.live, 0);
	assert_int_equal(span_world_create(NULL, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_into_a_smaller_world),
		cmocka_unit_test(test_hash_covers_owners_and_descs),
		cmocka_unit_test(test_freed_objects_leave_no_trace),
		cmocka_unit_test(test_snapshot_and_restore_out_of_memory),
		cmocka_unit_test(test_hash_and_equal_out_of_memory),
		cmocka_unit_test(test_world_create_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
