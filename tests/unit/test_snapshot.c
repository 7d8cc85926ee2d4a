// SPDX-License-Identifier: MIT
/*
 * test_snapshot.c - snapshot, restore, hash and compare worlds
 * (span/snapshot.h).
 *
 * The explorer depends on three properties: a restored world is the
 * snapshotted one (same canonical state, same hash, and it behaves the
 * same from there on); any change of state changes the hash; and the hash
 * depends on the canonical state only, not on the history of id
 * allocation that led to it.
 */
#include "span_unit.h"

struct hash {
	uint64_t v[2];
};

static struct hash world_hash(const struct span_world *w)
{
	struct hash h = { { 0, 0 } };

	span_world_hash(w, h.v);
	return h;
}

static bool hash_eq(struct hash a, struct hash b)
{
	return a.v[0] == b.v[0] && a.v[1] == b.v[1];
}

struct built {
	int region, pipe, file, child;
};

/* a world with memory, a fork, a pipe holding several kinds of buffer */
static void build(struct span_world *w, struct built *b)
{
	uint64_t off = 0;

	b->region = do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "A");
	b->pipe = new_pipe(w, 0);
	b->file = new_file(w, PG, 0, "F");
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(b->pipe), 'w', 100, 0),
		   100);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(b->pipe), b->region, 0, PG,
			       0),
		   PG);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(b->file), &off,
			     PW(b->pipe), NULL, 10, 0),
		   10);
	b->child = do_fork(w, SPAN_INIT_PID);
	assert_no_violations(w);
}

static struct span_snapshot *snapshot(const struct span_world *w)
{
	struct span_snapshot *s = NULL;

	assert_ret(span_world_snapshot(w, &s), 0);
	assert_non_null(s);
	return s;
}

static void test_snapshot_two_builds_equal(void **state)
{
	struct span_world *a = world_new(), *b = world_new();
	struct built ba, bb;

	assert_true(span_world_equal(a, b));
	assert_true(hash_eq(world_hash(a), world_hash(b)));
	build(a, &ba);
	assert_false(span_world_equal(a, b));
	assert_false(hash_eq(world_hash(a), world_hash(b)));
	build(b, &bb);
	assert_true(span_world_equal(a, b));
	assert_true(hash_eq(world_hash(a), world_hash(b)));
	/* the hash is a function of the state: asking twice changes nothing */
	assert_true(hash_eq(world_hash(a), world_hash(a)));

	span_world_teardown(a);
	assert_no_violations(a);
	span_world_destroy(a);
	span_world_teardown(b);
	assert_no_violations(b);
	span_world_destroy(b);
}

static void test_snapshot_round_trip(void **state)
{
	struct span_world *w = world_new(), *ref = world_new();
	struct span_snapshot *s;
	struct built b, rb;
	struct hash h0;
	struct span_page_info before;
	int u, q;
	char buf[PG];

	build(w, &b);
	build(ref, &rb);
	u = span_region_page(w, SPAN_INIT_PID, b.region, 0);
	before = page_info(w, u);
	h0 = world_hash(w);
	s = snapshot(w);
	assert_true(span_snapshot_bytes(s) > 2 * PG);
	/* the snapshot does not change the world */
	assert_true(hash_eq(world_hash(w), h0));

	/* change a lot */
	assert_ret(do_store(w, SPAN_INIT_PID, b.region, 0, "B", 1), 0);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(b.pipe), buf, 50, 0), 50);
	q = new_pipe(w, 0);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(b.pipe), PW(q), 100, 0), 100);
	assert_ret(do_munmap(w, b.child, b.region), 0);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(b.file), "x", 1, PG), 1);
	assert_false(hash_eq(world_hash(w), h0));
	assert_false(span_world_equal(w, ref));

	assert_ret(span_world_restore(w, s), 0);
	assert_true(hash_eq(world_hash(w), h0));
	assert_true(span_world_equal(w, ref));
	/* the state is really back, not only its hash */
	assert_int_equal(page_info(w, u).refcount, before.refcount);
	assert_int_equal(page_info(w, u).mapcount, before.mapcount);
	assert_int_equal(pipe_bytes(w, b.pipe), 100 + PG + 10);
	assert_ret(span_pipe_info(w, q, &(struct span_pipe_info){ 0 }),
		   -EINVAL);
	assert_ret(span_file_size(w, b.file), PG);
	assert_ret(span_peek(w, b.child, b.region, 0, buf, 1), 0);
	assert_int_equal(buf[0], 'A');
	assert_ret(span_peek(w, SPAN_INIT_PID, b.region, 0, buf, 1), 0);
	assert_int_equal(buf[0], 'A');
	/* a snapshot can be restored more than once */
	assert_ret(do_store(w, SPAN_INIT_PID, b.region, 0, "C", 1), 0);
	assert_ret(span_world_restore(w, s), 0);
	assert_true(hash_eq(world_hash(w), h0));
	span_snapshot_free(w, s);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
	span_world_teardown(ref);
	assert_no_violations(ref);
	span_world_destroy(ref);
}

/* every kind of change moves the hash */
static void test_snapshot_hash_differs_after_change(void **state)
{
	struct span_world *w = world_new();
	struct built b;
	struct hash h[10];
	int n = 0, kmem, page;
	char c;

	build(w, &b);
	h[n++] = world_hash(w);
	assert_ret(do_store(w, b.child, b.region, PG + 7, "z", 1), 0);
	h[n++] = world_hash(w);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(b.pipe), &c, 1, 0), 1);
	h[n++] = world_hash(w);
	set_knob(w, SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_PIN);
	h[n++] = world_hash(w);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PIPE_MAX_SIZE, 8192), 0);
	h[n++] = world_hash(w);
	page = span_region_page(w, SPAN_INIT_PID, b.region, PG);
	assert_ret(do_get_page(w, page), 0);
	h[n++] = world_hash(w);
	step_begin(w, 0);
	assert_ret(span_kmem_alloc(w, PG, SPAN_KMEM_SLAB, 0, NULL, 0, &kmem),
		   0);
	step_end(w);
	h[n++] = world_hash(w);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(b.pipe)), 0);
	h[n++] = world_hash(w);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (hash_eq(h[i], h[j]))
				fail_msg("hash %d equals hash %d", i, j);
	assert_ret(do_put_page(w, page), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * Two worlds that reach the same live objects with the same ids through
 * different allocation histories (objects created and freed in between)
 * have the same canonical state.
 */
static void test_snapshot_hash_ignores_history(void **state)
{
	struct span_world *a = world_new(), *b = world_new();
	int pa, pb, kmem, ret;
	char buf[8];

	pa = new_pipe(a, 0);
	assert_ret(do_write_buf(a, SPAN_INIT_PID, PW(pa), "abc", 3, 0), 3);

	/* b: a pipe and kernel memory that come and go first */
	pb = new_pipe(b, 0);
	assert_ret(do_write_buf(b, SPAN_INIT_PID, PW(pb), "zzz", 3, 0), 3);
	assert_ret(do_read(b, SPAN_INIT_PID, PR(pb), buf, 3, 0), 3);
	step_begin(b, 0);
	ret = span_kmem_alloc(b, 3 * PG, SPAN_KMEM_PAGES, 0, "k", 1, &kmem);
	step_end(b);
	assert_ret(ret, 0);
	step_begin(b, 0);
	assert_ret(span_kmem_free(b, kmem), 0);
	step_end(b);
	assert_ret(do_close(b, SPAN_INIT_PID, PR(pb)), 0);
	assert_ret(do_close(b, SPAN_INIT_PID, PW(pb)), 0);
	pb = new_pipe(b, 0);
	assert_ret(do_write_buf(b, SPAN_INIT_PID, PW(pb), "abc", 3, 0), 3);

	assert_int_equal(pa, pb);
	assert_int_equal(pipe_buf(a, pa, 0).page, pipe_buf(b, pb, 0).page);
	assert_true(span_world_step(a) != span_world_step(b));
	assert_true(span_world_equal(a, b));
	assert_true(hash_eq(world_hash(a), world_hash(b)));

	span_world_teardown(a);
	assert_no_violations(a);
	span_world_destroy(a);
	span_world_teardown(b);
	assert_no_violations(b);
	span_world_destroy(b);
}

/* --- restore, then continue ----------------------------------------------- */

struct log {
	int64_t v[64];
	int n;
	uint64_t sum; /* of the bytes read */
};

static void log_ret(struct log *l, int64_t v)
{
	assert_true(l->n < (int)ARRAY_SIZE(l->v));
	l->v[l->n++] = v;
}

static void log_bytes(struct log *l, const char *buf, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++)
		l->sum = l->sum * 31 + (unsigned char)buf[i];
}

/* a script of calls after build(); every result goes into @l */
static void script(struct span_world *w, const struct built *b, struct log *l)
{
	static char buf[3 * PG];
	uint64_t off = 0;
	ssize_t n;
	int q;

	log_ret(l, do_write_fill(w, SPAN_INIT_PID, PW(b->pipe), 's', 5000, 0));
	log_ret(l,
		do_vmsplice(w, b->child, PW(b->pipe), b->region, PG, 100, 0));
	log_ret(l, do_store(w, SPAN_INIT_PID, b->region, 0, "P", 1));
	log_ret(l, span_region_page(w, SPAN_INIT_PID, b->region, 0));
	n = do_read(w, SPAN_INIT_PID, PR(b->pipe), buf, sizeof(buf), 0);
	log_ret(l, n);
	log_bytes(l, buf, n);
	q = new_pipe(w, 0);
	log_ret(l, q);
	log_ret(l, do_tee(w, SPAN_INIT_PID, PR(b->pipe), PW(q), 3000, 0));
	log_ret(l, do_pwrite(w, SPAN_INIT_PID, FD_FILE(b->file), "Q", 1, 0));
	log_ret(l, do_splice(w, SPAN_INIT_PID, FD_FILE(b->file), &off, PW(q),
			     NULL, 4, 0));
	n = do_read(w, SPAN_INIT_PID, PR(q), buf, sizeof(buf), 0);
	log_ret(l, n);
	log_bytes(l, buf, n);
	n = do_read(w, SPAN_INIT_PID, PR(b->pipe), buf, sizeof(buf), 0);
	log_ret(l, n);
	log_bytes(l, buf, n);
	for (int i = 0; i < 3; i++)
		log_ret(l, page_ref(w, span_region_page(w, b->child, b->region,
							0)));
	log_ret(l, pipe_bytes(w, b->pipe));
	log_ret(l, pipe_bytes(w, q));
	log_ret(l, (int64_t)span_world_step(w));
}

static void test_snapshot_restore_then_continue(void **state)
{
	struct span_world *w = world_new(), *fresh = world_new();
	struct log l1, l2, l3;
	struct span_snapshot *s;
	struct built b, fb;
	struct hash h1, h2;

	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	memset(&l3, 0, sizeof(l3));
	build(w, &b);
	s = snapshot(w);
	script(w, &b, &l1);
	h1 = world_hash(w);
	assert_ret(span_world_restore(w, s), 0);
	script(w, &b, &l2);
	h2 = world_hash(w);
	assert_int_equal(l1.n, l2.n);
	assert_memory_equal(l1.v, l2.v, sizeof(l1.v[0]) * (size_t)l1.n);
	assert_int_equal(l1.sum, l2.sum);
	assert_true(hash_eq(h1, h2));
	/* and a world that never was restored agrees */
	build(fresh, &fb);
	script(fresh, &fb, &l3);
	assert_memory_equal(l1.v, l3.v, sizeof(l1.v[0]) * (size_t)l1.n);
	assert_int_equal(l1.sum, l3.sum);
	assert_true(span_world_equal(w, fresh));
	span_snapshot_free(w, s);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
	span_world_teardown(fresh);
	assert_no_violations(fresh);
	span_world_destroy(fresh);
}

/*
 * A restore leaves nothing of the branch it abandons: a pipe page that the
 * branch filled, freed, and that the next write gets again (pipe pages are
 * not zeroed on allocation) holds what a run that never took the branch
 * would hold, so the state and its hash depend on the path only.
 */
static void test_snapshot_restore_forgets_abandoned_pages(void **state)
{
	struct span_world *w = world_new(), *fresh = world_new();
	struct span_snapshot *s;
	char buf[64];
	int p, q, fp, fq;

	p = new_pipe(w, 0);
	q = new_pipe(w, 0);
	s = snapshot(w);
	/* the abandoned branch: a full pipe page, read and freed */
	assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'z', PG, 0), PG);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, sizeof(buf), 0),
		   sizeof(buf));
	assert_ret(span_world_restore(w, s), 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(q), "x", 1, 0), 1);

	fp = new_pipe(fresh, 0);
	fq = new_pipe(fresh, 0);
	assert_int_equal(fp, p);
	assert_int_equal(fq, q);
	assert_ret(do_write_buf(fresh, SPAN_INIT_PID, PW(fq), "x", 1, 0), 1);
	assert_true(hash_eq(world_hash(w), world_hash(fresh)));
	assert_true(span_world_equal(w, fresh));
	span_snapshot_free(w, s);
	span_world_destroy(w);
	span_world_destroy(fresh);
}

/*
 * Two worlds that differ only in which page of a large mapping a write
 * fault mapped (the same bytes in the same page id): the page tables (8
 * bytes a page, far more than the hash's staging buffer here) must reach
 * the hash whole.
 */
static void test_snapshot_hash_large_mapping(void **state)
{
	struct span_world *a = world_new(), *b = world_new();
	uint64_t pages = 16384, size = pages * PG;
	int ra, rb;

	(void)state;
	assert_ret(span_mmap_anon(a, SPAN_INIT_PID, size, SPAN_MMAP_UNTOUCHED,
				  "a", 1, &ra), 0);
	assert_ret(span_mmap_anon(b, SPAN_INIT_PID, size, SPAN_MMAP_UNTOUCHED,
				  "a", 1, &rb), 0);
	assert_true(hash_eq(world_hash(a), world_hash(b)));
	assert_ret(span_store(a, SPAN_INIT_PID, ra, 0, "x", 1), 0);
	assert_ret(span_store(b, SPAN_INIT_PID, rb, size - PG, "x", 1), 0);
	assert_false(span_world_equal(a, b));
	assert_false(hash_eq(world_hash(a), world_hash(b)));
	span_world_destroy(a);
	span_world_destroy(b);
}

/* restore after the tables grew past their size at the snapshot */
static void test_snapshot_restore_after_growth(void **state)
{
	struct span_world *w = world_new();
	struct span_snapshot *s;
	struct hash h0;
	int p, r, pipes[20];

	p = new_pipe(w, 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "small", 5, 0), 5);
	h0 = world_hash(w);
	s = snapshot(w);
	r = do_mmap(w, SPAN_INIT_PID, 100 * PG, 0, "g");
	for (int i = 0; i < 20; i++) {
		pipes[i] = new_pipe(w, 0);
		assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(pipes[i]), 'x',
					 3 * PG, 0),
			   3 * PG);
	}
	assert_true(span_region_page(w, SPAN_INIT_PID, r, 99 * PG) > 0);
	assert_ret(span_world_restore(w, s), 0);
	assert_true(hash_eq(world_hash(w), h0));
	assert_ret(span_region_size(w, r), -EINVAL);
	/* the restored world still works, and grows again */
	r = do_mmap(w, SPAN_INIT_PID, 100 * PG, 0, "h");
	assert_ret(do_store(w, SPAN_INIT_PID, r, 99 * PG, "!", 1), 0);
	read_expect_fill(w, SPAN_INIT_PID, PR(p), 's', 1);
	span_snapshot_free(w, s);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_snapshot_bad_args(void **state)
{
	struct span_world *w = world_new(), *big = world_new();
	struct span_snapshot *s = NULL;
	uint64_t h[2] = { 1, 2 };

	assert_ret(span_world_snapshot(NULL, &s), -EINVAL);
	assert_ret(span_world_snapshot(w, NULL), -EINVAL);
	assert_null(s);
	assert_ret(span_world_restore(w, NULL), -EINVAL);
	s = snapshot(w);
	assert_ret(span_world_restore(NULL, s), -EINVAL);
	/* a snapshot of a world with another page size */
	assert_ret(span_world_set_param(big, SPAN_PARAM_PAGE_SIZE, 8192), 0);
	assert_ret(span_world_restore(big, s), -EINVAL);
	assert_int_equal(span_world_param(big, SPAN_PARAM_PAGE_SIZE), 8192);
	span_snapshot_free(w, s);
	span_snapshot_free(w, NULL);
	span_snapshot_free(NULL, NULL);
	assert_int_equal(span_snapshot_bytes(NULL), 0);
	span_world_hash(NULL, h);
	assert_int_equal(h[0], 1);
	span_world_hash(w, NULL);
	assert_false(span_world_equal(NULL, w));
	assert_false(span_world_equal(w, NULL));
	assert_false(span_world_equal(w, big));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
	span_world_teardown(big);
	assert_no_violations(big);
	span_world_destroy(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_two_builds_equal),
		cmocka_unit_test(test_snapshot_round_trip),
		cmocka_unit_test(test_snapshot_hash_differs_after_change),
		cmocka_unit_test(test_snapshot_hash_ignores_history),
		cmocka_unit_test(test_snapshot_restore_then_continue),
		cmocka_unit_test(test_snapshot_restore_forgets_abandoned_pages),
		cmocka_unit_test(test_snapshot_hash_large_mapping),
		cmocka_unit_test(test_snapshot_restore_after_growth),
		cmocka_unit_test(test_snapshot_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
