// SPDX-License-Identifier: MIT
/*
 * test_world.c - the world (span/world.h): defaults, steps, hooks, and the
 * promise that "no function keeps global state: two worlds never
 * interfere" (style guide rule 24).
 */
#include <stdlib.h>

#include "span_unit.h"

static void test_world_create_defaults(void **state)
{
	static const struct {
		int p;
		uint64_t v;
	} params[] = {
		{ SPAN_PARAM_PAGE_SIZE, 4096 },
		{ SPAN_PARAM_PIPE_BUFFERS, 16 },
		{ SPAN_PARAM_PIPE_MAX_SIZE, 1048576 },
		{ SPAN_PARAM_REFCOUNT_BITS, 32 },
		{ SPAN_PARAM_PIPE_USER_PAGES_SOFT, 16384 },
		{ SPAN_PARAM_PIPE_USER_PAGES_HARD, 0 },
		{ SPAN_PARAM_MAX_SKB_FRAGS, 17 },
	};
	struct span_world *w = world_new();
	int zero = span_zero_page(w);

	for (size_t i = 0; i < ARRAY_SIZE(params); i++)
		assert_int_equal(span_world_param(w, params[i].p), params[i].v);
	for (int k = 0; k < SPAN_NR_KNOBS; k++)
		assert_int_equal(span_world_policy(w)->v[k], 0);
	assert_true(zero > 0);
	assert_int_equal(page_info(w, zero).kind, SPAN_PAGE_ZERO);
	assert_int_equal(span_world_step(w), 0);
	assert_int_equal(span_world_nr_violations(w), 0);
	assert_ret(span_world_events(w, NULL, 0), 0);
	/* init exists: it can fork */
	assert_int_equal(do_fork(w, SPAN_INIT_PID), 2);
	for (int p = 0; p < SPAN_NR_PARAMS; p++) {
		assert_non_null(span_param_name(p));
		assert_ret(span_param_lookup(span_param_name(p)), p);
		/* `spansim list params` prints both for every parameter */
		assert_non_null(span_param_range(p));
		assert_non_null(span_param_doc(p));
	}

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_world_steps(void **state)
{
	struct span_world *w = world_new();

	span_world_step_begin(w, 1, 1);
	assert_int_equal(span_world_step(w), 1);
	assert_ret(span_world_step_end(w), 0);
	span_world_step_begin(w, 1, 1);
	assert_int_equal(span_world_step(w), 2);
	/* an attempt that would sleep without progress is cancelled */
	span_world_step_cancel(w);
	assert_int_equal(span_world_step(w), 1);
	span_world_step_begin(w, 1, 1);
	assert_int_equal(span_world_step(w), 2);
	span_world_step_end(w);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* the footprint of a step names the objects it wrote */
static void test_world_footprint(void **state)
{
	struct span_world *w = world_new();
	int a = new_pipe(w, 0), b = new_pipe(w, 0);
	struct span_footprint fa, fb, fa2;

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "x", 1, 0), 1);
	fa = *span_world_footprint(w);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(b), "y", 1, 0), 1);
	fb = *span_world_footprint(w);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(a), (char[2]){ 0 }, 1, 0), 1);
	fa2 = *span_world_footprint(w);
	assert_true(fa.nr_write > 0);
	/* writes to two different pipes commute; a read of the same does not */
	assert_false(span_footprint_conflict(&fa, &fb));
	assert_true(span_footprint_conflict(&fa, &fa2));
	assert_true(span_footprint_conflict(&fa2, &fa));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static struct span_footprint fp_of(const char *what, uint32_t page,
				    uint32_t off, uint32_t len)
{
	struct span_footprint f = { 0 };
	uint32_t key = (uint32_t)SPAN_OBJ_PAGE << 24 | page;

	if (!strcmp(what, "read"))
		f.read[f.nr_read++] = key;
	else if (!strcmp(what, "write"))
		f.write[f.nr_write++] = key;
	else if (!strcmp(what, "count"))
		f.count[f.nr_count++] = key;
	else if (!strcmp(what, "live"))
		f.read[f.nr_read++] = (uint32_t)SPAN_FP_LIVE << 24 | page;
	else
		f.range[f.nr_range++] = (struct span_fp_range){
			.page = page, .off = off, .len = len,
			.write = !strcmp(what, "store") };
	return f;
}

#define CONFLICT(a, b) (span_footprint_conflict(&(a), &(b)) && \
			span_footprint_conflict(&(b), &(a)))
#define COMMUTE(a, b) (!span_footprint_conflict(&(a), &(b)) && \
		       !span_footprint_conflict(&(b), &(a)))

/* counts, liveness and byte ranges: the rules of span_footprint_conflict() */
/*
 * The per-access rules that span_footprint_conflict() and the explorer's
 * DPOR share: every pair of kinds on one object, and another object.
 */
static void test_world_access_rules(void **state)
{
	/* R W C L BR BW, against each other; bytes [0, 4) and [2, 6) */
	static const bool want[6][6] = {
		/*        R  W  C  L  BR BW */
		/* R  */ { 0, 1, 1, 0, 0, 1 },
		/* W  */ { 1, 1, 1, 1, 1, 1 },
		/* C  */ { 1, 1, 0, 0, 0, 0 },
		/* L  */ { 0, 1, 0, 0, 0, 0 },
		/* BR */ { 0, 1, 0, 0, 0, 1 },
		/* BW */ { 1, 1, 0, 0, 1, 1 },
	};
	struct span_footprint fp = { 0 };
	struct span_access acc;

	(void)state;
	for (int x = 0; x < 6; x++)
		for (int y = 0; y < 6; y++) {
			struct span_access a = { .key = 7, .kind = x, .off = 0, .len = 4 };
			struct span_access b = { .key = 7, .kind = y, .off = 2, .len = 4 };
			struct span_access far = b, other = b;

			far.off = 4;	/* [4, 8): meets [0, 4) nowhere */
			other.key = 8;
			if (span_access_conflict(&a, &b) != want[x][y])
				fail_msg("kinds %d and %d", x, y);
			assert_false(span_access_conflict(&a, &other));
			if ((x == SPAN_ACC_BYTES_READ || x == SPAN_ACC_BYTES_WRITE) &&
			    (y == SPAN_ACC_BYTES_READ || y == SPAN_ACC_BYTES_WRITE))
				assert_false(span_access_conflict(&a, &far));
		}
	/* a liveness key is an access to the page itself */
	fp.read[0] = (uint32_t)SPAN_FP_LIVE << 24 | 5;
	fp.nr_read = 1;
	fp.range[0] = (struct span_fp_range){ .page = 5, .off = 1, .len = 2,
					      .write = true };
	fp.nr_range = 1;
	assert_int_equal(span_footprint_access(&fp, 0, &acc), 0);
	assert_int_equal(acc.kind, SPAN_ACC_LIVE);
	assert_int_equal(acc.key, (uint32_t)SPAN_OBJ_PAGE << 24 | 5);
	assert_int_equal(span_footprint_access(&fp, 1, &acc), 0);
	assert_int_equal(acc.kind, SPAN_ACC_BYTES_WRITE);
	assert_int_equal(acc.key, (uint32_t)SPAN_OBJ_PAGE << 24 | 5);
	assert_int_equal(acc.off, 1);
	assert_int_equal(acc.len, 2);
	assert_int_equal(span_footprint_access(&fp, 2, &acc), -ENOENT);
	assert_int_equal(span_footprint_access(NULL, 0, &acc), -EINVAL);
	assert_int_equal(span_footprint_access(&fp, -1, &acc), -EINVAL);
}

static void test_world_footprint_kinds(void **state)
{
	struct span_footprint get = fp_of("count", 2, 0, 0),
			      put = fp_of("count", 2, 0, 0),
			      other = fp_of("count", 3, 0, 0),
			      rd = fp_of("read", 2, 0, 0),
			      wr = fp_of("write", 2, 0, 0),
			      live = fp_of("live", 2, 0, 0),
			      st0 = fp_of("store", 2, 0, 1),
			      ld1 = fp_of("load", 2, 1, 1),
			      ld01 = fp_of("load", 2, 0, 2),
			      st1 = fp_of("store", 2, 1, 4),
			      ld0p3 = fp_of("load", 3, 0, 1);

	/* gets and puts commute; a read or a write of the page does not */
	assert_true(COMMUTE(get, put));
	assert_true(COMMUTE(get, other));
	assert_true(CONFLICT(get, rd));
	assert_true(CONFLICT(get, wr));
	/* liveness: only a write of the page (alloc, free) touches it */
	assert_true(COMMUTE(live, get));
	assert_true(COMMUTE(live, rd));
	assert_true(CONFLICT(live, wr));
	/* bytes: a store to byte 0 and a load of byte 1 commute */
	assert_true(COMMUTE(st0, ld1));
	assert_true(CONFLICT(st0, ld01));
	assert_true(CONFLICT(st1, ld01));
	assert_true(CONFLICT(st0, st0));
	assert_true(COMMUTE(ld1, ld01));
	assert_true(COMMUTE(st0, ld0p3));
	/* bytes against whole-page accesses and counts */
	assert_true(CONFLICT(st0, wr));
	assert_true(CONFLICT(ld1, wr));
	assert_true(CONFLICT(st0, rd));
	assert_true(COMMUTE(ld1, rd));
	assert_true(COMMUTE(st0, get));
	/* an overflowed footprint conflicts with everything */
	other.overflow = true;
	assert_true(CONFLICT(other, ld0p3));
	(void)state;
}

/* the footprints of real steps: a vmspliced page spliced into two pipes */
static void test_world_footprint_steps(void **state)
{
	struct span_world *w = world_new();
	int src = new_pipe(w, 0), a = new_pipe(w, 0), b = new_pipe(w, 0);
	int region = do_mmap(w, SPAN_INIT_PID, PG, 0, "01234567");
	struct span_footprint sa, sb, ra, rb;
	char c;

	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(src), region, 0, 2, 0), 2);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(src), NULL, PW(a), NULL, 1, 0), 1);
	sa = *span_world_footprint(w);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(src), NULL, PW(b), NULL, 1, 0), 1);
	sb = *span_world_footprint(w);
	/* each splice filled an empty pipe: the reads of a and b await that */
	assert_true(sa.nr_fill == 1 && sb.nr_fill == 1);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(a), &c, 1, 0), 1);
	ra = *span_world_footprint(w);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(b), &c, 1, 0), 1);
	rb = *span_world_footprint(w);
	assert_true(ra.nr_await == 1 && ra.await[0] == sa.fill[0]);
	/* reads of different bytes through different pipes commute, also
	 * with the other pipe's splice (page references are counts) */
	assert_false(span_footprint_conflict(&ra, &rb));
	assert_false(span_footprint_conflict(&ra, &sb));
	assert_true(span_footprint_conflict(&ra, &sa));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
	(void)state;
}

/* span_world_allow(): an allowed invariant is not recorded */
static void test_world_allow(void **state)
{
	for (int allow = 0; allow < 2; allow++) {
		struct span_world *w = world_new();
		int a, b;

		set_knob(w, SPAN_KNOB_PIPE_LINK_MERGE,
			 SPAN_PIPE_LINK_MERGE_KEEP);
		assert_ret(span_world_allow(w, SPAN_INV_SHARED_MERGE, allow),
			   0);
		a = new_pipe(w, 0);
		b = new_pipe(w, 0);
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "abcd", 4, 0),
			   4);
		assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), 2, 0), 2);
		assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(b), "xx", 2, 0),
			   2);
		assert_int_equal(nr_violations_of(w, SPAN_INV_SHARED_MERGE),
				 !allow);

		span_world_teardown(w);
		span_world_destroy(w);
	}
}

/* --- hooks ---------------------------------------------------------------- */

struct hooks {
	long live; /* allocations not yet freed */
	long allocs;
	long traces;
	long reports;
	int last_inv;
};

static void *count_alloc(void *ud, void *ptr, size_t size)
{
	struct hooks *h = ud;
	void *p;

	if (!size) {
		if (ptr)
			h->live--;
		free(ptr);
		return NULL;
	}
	p = realloc(ptr, size);
	if (p && !ptr) {
		h->live++;
		h->allocs++;
	}
	return p;
}

static void count_trace(void *ud, const struct span_trace_event *ev)
{
	struct hooks *h = ud;
	char buf[256];

	assert_non_null(ev->func);
	assert_true(span_trace_format(ev, false, buf, sizeof(buf)) > 0);
	assert_true(span_trace_format(ev, true, buf, sizeof(buf)) > 0);
	h->traces++;
}

static void count_report(void *ud, const struct span_violation *v)
{
	struct hooks *h = ud;

	h->reports++;
	h->last_inv = v->inv;
}

/*
 * Every byte the library takes comes from the world's allocator and goes
 * back to it by span_world_destroy(); traces and reports reach the hooks
 * with the world's user data.
 */
static void test_world_hooks_and_allocator(void **state)
{
	const struct span_world_ops ops = {
		.trace = count_trace,
		.report = count_report,
		.alloc = count_alloc,
	};
	struct hooks h = { 0 };
	struct span_world *w = NULL;
	struct span_snapshot *s = NULL;
	int a, b, r, f;
	uint64_t off = 0;

	assert_ret(span_world_create(&w, &ops, &h), 0);
	assert_true(h.live > 0);
	a = new_pipe(w, 0);
	b = new_pipe(w, 0);
	r = do_mmap(w, SPAN_INIT_PID, 4 * PG, 0, "h");
	f = new_file(w, 2 * PG, 0, "f");
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(a), r, 0, 2 * PG, 0),
		   2 * PG);
	do_fork(w, SPAN_INIT_PID);
	assert_ret(span_world_snapshot(w, &s), 0);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(b), NULL,
			     PG, 0),
		   PG);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(a), PW(b), PG, 0), PG);
	assert_ret(span_world_restore(w, s), 0);
	span_snapshot_free(w, s);
	assert_true(h.traces > 10);
	assert_int_equal(h.reports, 0);
	/* a violation is reported to the hook */
	set_knob(w, SPAN_KNOB_PIPE_LINK_MERGE, SPAN_PIPE_LINK_MERGE_KEEP);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(b), "abcd", 4, 0), 4);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(b), PW(a), 2, 0), 2);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(a), "xx", 2, 0), 2);
	assert_int_equal(h.reports, 1);
	assert_int_equal(h.last_inv, SPAN_INV_SHARED_MERGE);
	assert_int_equal(span_world_nr_violations(w), 1);

	span_world_teardown(w);
	assert_int_equal(span_world_nr_violations(w), 1);
	span_world_destroy(w);
	assert_int_equal(h.live, 0);
}

/* --- reset ----------------------------------------------------------------- */

/* what a world shows of itself, for a reset one against a new one */
struct world_view {
	uint64_t hash[2];
	uint64_t step, param[SPAN_NR_PARAMS], faults[SPAN_NR_FAULT_CLASSES];
	struct span_policy policy;
	int nr_viol, check_mode, zero_page;
	struct span_check_stats cs;
	struct span_footprint fp;
};

static void world_view(const struct span_world *w, struct world_view *v)
{
	memset(v, 0, sizeof(*v));
	span_world_hash(w, v->hash);
	v->step = span_world_step(w);
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		v->param[p] = span_world_param(w, p);
	for (int c = 0; c < SPAN_NR_FAULT_CLASSES; c++)
		v->faults[c] = span_fault_count(w, c) * 1000 +
			       span_fault_hits(w, c);
	v->policy = *span_world_policy((struct span_world *)w);
	v->nr_viol = span_world_nr_violations(w);
	v->check_mode = span_world_check_mode(w);
	v->zero_page = span_zero_page(w);
	assert_ret(span_world_check_stats(w, &v->cs), 0);
	v->fp = *span_world_footprint(w);
}

static void assert_same_view(const struct world_view *a,
			     const struct world_view *b)
{
	assert_memory_equal(a->hash, b->hash, sizeof(a->hash));
	assert_int_equal(a->step, b->step);
	assert_memory_equal(a->param, b->param, sizeof(a->param));
	assert_memory_equal(a->faults, b->faults, sizeof(a->faults));
	assert_memory_equal(&a->policy, &b->policy, sizeof(a->policy));
	assert_int_equal(a->nr_viol, b->nr_viol);
	assert_int_equal(a->check_mode, b->check_mode);
	assert_int_equal(a->zero_page, b->zero_page);
	assert_int_equal(a->cs.steps, b->cs.steps);
	assert_int_equal(a->cs.incremental, b->cs.incremental);
	assert_int_equal(a->cs.full, b->cs.full);
	assert_int_equal(a->cs.full_stale, b->cs.full_stale);
	assert_int_equal(a->cs.full_overflow, b->cs.full_overflow);
	assert_int_equal(a->cs.full_suspect, b->cs.full_suspect);
	assert_int_equal(a->cs.verified, b->cs.verified);
	assert_int_equal(a->cs.diverged, b->cs.diverged);
	assert_int_equal(a->fp.nr_write, b->fp.nr_write);
	assert_int_equal(a->fp.nr_read, b->fp.nr_read);
	assert_memory_equal(a->fp.write, b->fp.write,
			    a->fp.nr_write * sizeof(a->fp.write[0]));
}

/* one value of the log of a run, and the world's hash with it */
static void reset_log(struct span_world *w, int64_t *log, int *n, int64_t v)
{
	uint64_t h[2];

	span_world_hash(w, h);
	log[(*n)++] = v;
	log[(*n)++] = (int64_t)(h[0] ^ h[1]);
}

/*
 * A short run that grows most tables past create's 8 elements (pipes,
 * slots, pages, mappings, files, sockets), ends in a violation under
 * pipe_link_merge=keep and is torn down; every result, every hash and the
 * violations go into @log.
 */
static int reset_run(struct span_world *w, int64_t *log)
{
	int pipes[10], r, f, c, a = 0, b = 0, n = 0;
	struct world_view v;
	uint64_t off = 0;
	char buf[64];

	for (int i = 0; i < 10; i++) {
		pipes[i] = new_pipe(w, 0);
		reset_log(w, log, &n, pipes[i]);
	}
	r = do_mmap(w, SPAN_INIT_PID, 12 * PG, 0, "r");
	reset_log(w, log, &n, r);
	f = new_file(w, 10 * PG, 0, "f");
	reset_log(w, log, &n, f);
	c = do_fork(w, SPAN_INIT_PID);
	reset_log(w, log, &n, c);
	reset_log(w, log, &n, do_vmsplice(w, SPAN_INIT_PID, PW(pipes[0]), r, 0,
					  9 * PG, 0));
	reset_log(w, log, &n, do_store(w, c, r, 10, "child", 5));
	reset_log(w, log, &n, do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off,
					PW(pipes[1]), NULL, 9 * PG, 0));
	reset_log(w, log, &n, do_tee(w, SPAN_INIT_PID, PR(pipes[0]),
				     PW(pipes[2]), 3 * PG, 0));
	reset_log(w, log, &n, do_read(w, SPAN_INIT_PID, PR(pipes[2]), buf,
				      sizeof(buf), 0));
	reset_log(w, log, &n, buf[0] | buf[63] << 8);
	reset_log(w, log, &n, span_unix_pair(w, &a, &b));
	reset_log(w, log, &n, a * 100 + b);
	reset_log(w, log, &n, page_info(w, span_region_page(w, SPAN_INIT_PID,
							    r, 0)).refcount);
	/* a violation: tee keeps CAN_MERGE, the write merges into a shared page */
	set_knob(w, SPAN_KNOB_PIPE_LINK_MERGE, SPAN_PIPE_LINK_MERGE_KEEP);
	reset_log(w, log, &n, do_write_buf(w, SPAN_INIT_PID, PW(pipes[3]),
					   "abcd", 4, 0));
	reset_log(w, log, &n, do_tee(w, SPAN_INIT_PID, PR(pipes[3]),
				     PW(pipes[4]), 2, 0));
	reset_log(w, log, &n, do_write_buf(w, SPAN_INIT_PID, PW(pipes[4]),
					   "xx", 2, 0));
	reset_log(w, log, &n, span_world_teardown(w));
	for (int i = 0; i < span_world_nr_violations(w); i++) {
		const struct span_violation *vi = span_world_violation(w, i);

		reset_log(w, log, &n, vi->inv * 1000000 + (int64_t)vi->step);
		reset_log(w, log, &n, (int64_t)strlen(vi->msg));
	}
	world_view(w, &v);
	reset_log(w, log, &n, (int64_t)(v.cs.steps * 1000 + v.cs.full));
	return n;
}

/* leave @w as a long, odd run would: every kind of setting changed */
static void reset_dirty(struct span_world *w, uint64_t page_size)
{
	/* two pages' worth of buffers per pipe */
	size_t len = page_size < PG ? (size_t)page_size + 1 : PG + 1;
	int p, q, r;

	assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, page_size), 0);
	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 8), 0);
	assert_ret(span_policy_preset(span_world_policy(w), "linux-5.4"), 0);
	assert_ret(span_world_allow(w, SPAN_INV_LEAK, true), 0);
	assert_ret(span_world_set_check_mode(w, SPAN_CHECK_VERIFY), 0);
	for (int i = 0; i < 20; i++) {
		p = new_pipe(w, 0);
		assert_true(p > 0);
		assert_ret(do_write_fill(w, SPAN_INIT_PID, PW(p), 'q', len, 0),
			   (ssize_t)len);
	}
	r = do_mmap(w, SPAN_INIT_PID, 3 * page_size, 0, "d");
	assert_ret(do_fork(w, SPAN_INIT_PID), 2);
	assert_ret(do_store(w, SPAN_INIT_PID, r, 1, "x", 1), 0);
	assert_ret(span_fault_set(w, SPAN_FAULT_ALLOC, 1000, 5), 0);
	/* a violation the world keeps */
	set_knob(w, SPAN_KNOB_PIPE_LINK_MERGE, SPAN_PIPE_LINK_MERGE_KEEP);
	p = new_pipe(w, 0);
	q = new_pipe(w, 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abcd", 4, 0), 4);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(p), PW(q), 2, 0), 2);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(q), "xx", 2, 0), 2);
	assert_true(span_world_nr_violations(w) > 0);
}

/*
 * span_world_reset(): a world reset after any run is the world
 * span_world_create() makes: the same canonical hash, settings, counters
 * and checker, and the same results, hashes and violations for a run
 * after it; with pages of 64 bytes (the memory is reused), 4096 and
 * 1 MiB (new page arrays), twice in a row, with the hooks kept.
 */
static void test_world_reset(void **state)
{
	static const uint64_t sizes[] = { 64, 4096, 1 << 20, 64 };
	int64_t want[512], got[512];
	struct world_view fresh, v;
	struct span_world *w = world_new(), *d = world_new();
	int n;

	world_view(w, &fresh);
	n = reset_run(w, want);
	assert_true(n < (int)ARRAY_SIZE(want));
	assert_true(span_world_nr_violations(w) > 0);
	span_world_destroy(w);

	/* a world reset before anything ran */
	assert_ret(span_world_reset(d), 0);
	world_view(d, &v);
	assert_same_view(&fresh, &v);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		reset_dirty(d, sizes[i]);
		assert_ret(span_world_reset(d), 0);
		if (i == 2)	/* twice in a row */
			assert_ret(span_world_reset(d), 0);
		world_view(d, &v);
		assert_same_view(&fresh, &v);
		assert_true(span_world_equal(d, d));
		memset(got, 0, sizeof(got));
		assert_int_equal(reset_run(d, got), n);
		assert_memory_equal(got, want, (size_t)n * sizeof(got[0]));
		assert_ret(span_world_reset(d), 0);
	}
	assert_ret(span_world_reset(NULL), -EINVAL);
	span_world_destroy(d);
}

/*
 * span_world_reset_params(): the world span_world_create() and
 * span_world_set_param() of each parameter make, after any run, at pages
 * smaller, equal and larger than the default; bad arguments change nothing.
 */
static void test_world_reset_params(void **state)
{
	static const uint64_t sizes[] = { 64, 4096, 1 << 20 };
	uint64_t param[SPAN_NR_PARAMS] = { 0 };
	uint32_t mask = 1u << SPAN_PARAM_PAGE_SIZE |
			1u << SPAN_PARAM_REFCOUNT_BITS;
	int64_t want[512], got[512];
	struct world_view fresh, v, before;
	struct span_world *d = world_new();

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct span_world *w = world_new();
		int n;

		param[SPAN_PARAM_PAGE_SIZE] = sizes[i];
		param[SPAN_PARAM_REFCOUNT_BITS] = 20;
		assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE,
						sizes[i]), 0);
		assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS,
						20), 0);
		world_view(w, &fresh);
		n = reset_run(w, want);
		assert_true(n < (int)ARRAY_SIZE(want));
		span_world_destroy(w);

		assert_ret(span_world_reset(d), 0);
		reset_dirty(d, sizes[(i + 1) % ARRAY_SIZE(sizes)]);
		assert_ret(span_world_reset_params(d, param, mask), 0);
		world_view(d, &v);
		assert_same_view(&fresh, &v);
		assert_int_equal(span_world_param(d, SPAN_PARAM_PAGE_SIZE),
				 sizes[i]);
		memset(got, 0, sizeof(got));
		assert_int_equal(reset_run(d, got), n);
		assert_memory_equal(got, want, (size_t)n * sizeof(got[0]));
	}

	/* bad arguments: -EINVAL, and the world as it was */
	assert_ret(span_world_reset(d), 0);
	reset_dirty(d, 64);
	world_view(d, &before);
	param[SPAN_PARAM_PAGE_SIZE] = 100;	/* not a power of two */
	assert_ret(span_world_reset_params(d, param, mask), -EINVAL);
	assert_ret(span_world_reset_params(d, NULL, mask), -EINVAL);
	assert_ret(span_world_reset_params(d, param, 1u << SPAN_NR_PARAMS),
		   -EINVAL);
	assert_ret(span_world_reset_params(NULL, NULL, 0), -EINVAL);
	world_view(d, &v);
	assert_same_view(&before, &v);
	/* no mask: span_world_reset() */
	assert_ret(span_world_reset_params(d, NULL, 0), 0);
	assert_int_equal(span_world_param(d, SPAN_PARAM_PAGE_SIZE), 4096);
	span_world_destroy(d);
}

/* reset with hooks: they stay, the allocator gets everything back, and an
 * allocation failure leaves the world as it was */
static struct hooks *fail_hooks;
static bool fail_allocs;

static void *fail_alloc(void *ud, void *ptr, size_t size)
{
	if (fail_allocs && size && !ptr)
		return NULL;
	return count_alloc(ud, ptr, size);
}

static void test_world_reset_hooks(void **state)
{
	const struct span_world_ops ops = {
		.trace = count_trace,
		.report = count_report,
		.alloc = fail_alloc,
	};
	struct hooks h = { 0 }, h2 = { 0 };
	struct span_world *w = NULL, *fresh = NULL;
	struct world_view before, after;
	long traces;

	fail_hooks = &h;
	assert_ret(span_world_create(&fresh, &ops, &h2), 0);
	assert_ret(span_world_create(&w, &ops, &h), 0);
	traces = h.traces;
	reset_dirty(w, 1 << 20);
	assert_true(h.reports > 0);

	/* out of memory: nothing changes */
	world_view(w, &before);
	fail_allocs = true;
	assert_ret(span_world_reset(w), -ENOMEM);
	fail_allocs = false;
	world_view(w, &after);
	assert_same_view(&before, &after);

	h.traces = h.reports = 0;
	assert_ret(span_world_reset(w), 0);
	/* what create reported: the zero page's allocation */
	assert_int_equal(h.traces, traces);
	assert_int_equal(h.reports, 0);
	assert_true(span_world_equal(w, fresh));
	world_view(w, &after);
	world_view(fresh, &before);
	assert_same_view(&before, &after);
	span_world_teardown(w);
	assert_int_equal(span_world_nr_violations(w), 0);
	span_world_destroy(w);
	span_world_destroy(fresh);
	assert_int_equal(h.live, 0);
	assert_int_equal(h2.live, 0);
}

/* --- two worlds ----------------------------------------------------------- */

struct side {
	struct span_world *w;
	int pipe, region, child, file;
	int64_t log[64];
	int n;
	char bytes[512];
	int nbytes;
};

static void side_log(struct side *s, int64_t v)
{
	assert_true(s->n < (int)ARRAY_SIZE(s->log));
	s->log[s->n++] = v;
}

static void side_read(struct side *s, int fd, size_t len)
{
	char buf[256];
	ssize_t n = do_read(s->w, SPAN_INIT_PID, fd, buf, len, SPAN_O_NONBLOCK);

	side_log(s, n);
	assert_true(n <= (ssize_t)sizeof(buf));
	if (n > 0 && s->nbytes + n < (int)sizeof(s->bytes)) {
		memcpy(s->bytes + s->nbytes, buf, (size_t)n);
		s->nbytes += (int)n;
	}
}

/*
 * Phase @i of side A: mainline, a fork, a vmsplice that then sees the
 * parent's store, an injected allocation failure.
 */
static void side_a(struct side *s, int i)
{
	struct span_world *w = s->w;

	switch (i) {
	case 0:
		s->pipe = new_pipe(w, 0);
		side_log(s, s->pipe);
		break;
	case 1:
		side_log(s, do_write_buf(w, SPAN_INIT_PID, PW(s->pipe), "one",
					 3, 0));
		break;
	case 2:
		s->region = do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "a");
		side_log(s, s->region);
		break;
	case 3:
		side_log(s, do_vmsplice(w, SPAN_INIT_PID, PW(s->pipe),
					s->region, 0, 8, 0));
		break;
	case 4:
		s->child = do_fork(w, SPAN_INIT_PID);
		side_log(s, s->child);
		break;
	case 5:
		side_log(s, do_store(w, s->child, s->region, 0, "CHILD", 5));
		break;
	case 6:
		side_read(s, PR(s->pipe), 100);
		break;
	case 7:
		assert_ret(span_fault_set(w, SPAN_FAULT_ALLOC, 1, 0), 0);
		step_begin(w, SPAN_INIT_PID);
		side_log(s, span_pipe_create(w, 0, &(int){ 0 }));
		step_end(w);
		break;
	case 8:
		side_log(s, page_ref(w, span_region_page(w, SPAN_INIT_PID,
							 s->region, 0)));
		side_log(s, span_world_nr_violations(w));
		break;
	}
}

/*
 * Side B: other parameters and knobs (page size 8192, vmsplice=copy,
 * pipe_buf_init=stale) and a Dirty Pipe violation.
 */
static void side_b(struct side *s, int i)
{
	static char big[16 * 8192];
	struct span_world *w = s->w;
	uint64_t off = 0;
	char buf[8];

	switch (i) {
	case 0:
		assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, 8192),
			   0);
		set_knob(w, SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_COPY);
		set_knob(w, SPAN_KNOB_PIPE_BUF_INIT, SPAN_PIPE_BUF_INIT_STALE);
		s->pipe = new_pipe(w, 0);
		side_log(s, s->pipe);
		break;
	case 1:
		side_log(s, do_write_fill(w, SPAN_INIT_PID, PW(s->pipe), 'b',
					  16 * 8192, 0));
		break;
	case 2:
		s->region = do_mmap(w, SPAN_INIT_PID, 8192, 0, "b");
		side_log(s, span_pipe_get_size(w, PW(s->pipe)));
		break;
	case 3:
		side_log(s, do_read(w, SPAN_INIT_PID, PR(s->pipe), big,
				    sizeof(big), 0));
		break;
	case 4:
		s->file = new_file(w, 8192, SPAN_FILE_RDONLY, "R");
		side_log(s, do_splice(w, SPAN_INIT_PID, FD_FILE(s->file), &off,
				      PW(s->pipe), NULL, 1, 0));
		break;
	case 5:
		side_log(s, do_write_buf(w, SPAN_INIT_PID, PW(s->pipe), "dirty",
					 5, 0));
		break;
	case 6:
		side_log(s, span_file_contents(w, s->file, 0, buf, 6));
		side_log(s, memcmp(buf, "Rdirty", 6) == 0);
		side_read(s, PR(s->pipe), 100);
		break;
	case 7:
		side_log(s, do_vmsplice(w, SPAN_INIT_PID, PW(s->pipe),
					s->region, 0, 8, 0));
		side_log(s, pipe_buf(w, s->pipe, 0).ops);
		break;
	case 8:
		side_log(s, span_world_nr_violations(w));
		side_log(s, (int64_t)span_world_step(w));
		break;
	}
}

#define NR_PHASES 9

static void test_world_two_worlds_independent(void **state)
{
	struct side a = { .w = world_new() }, b = { .w = world_new() };
	struct side ra = { .w = world_new() }, rb = { .w = world_new() };

	/* interleaved, phase by phase */
	for (int i = 0; i < NR_PHASES; i++) {
		side_a(&a, i);
		side_b(&b, i);
	}
	/* each alone */
	for (int i = 0; i < NR_PHASES; i++)
		side_a(&ra, i);
	for (int i = 0; i < NR_PHASES; i++)
		side_b(&rb, i);

	assert_int_equal(a.n, ra.n);
	assert_memory_equal(a.log, ra.log, sizeof(a.log[0]) * (size_t)a.n);
	assert_int_equal(a.nbytes, ra.nbytes);
	assert_memory_equal(a.bytes, ra.bytes, (size_t)a.nbytes);
	assert_int_equal(b.n, rb.n);
	assert_memory_equal(b.log, rb.log, sizeof(b.log[0]) * (size_t)b.n);
	assert_int_equal(b.nbytes, rb.nbytes);
	assert_memory_equal(b.bytes, rb.bytes, (size_t)b.nbytes);
	assert_true(span_world_equal(a.w, ra.w));
	assert_true(span_world_equal(b.w, rb.w));

	/* and what each saw is its own */
	assert_int_equal(a.log[1], 3);
	assert_int_equal(a.log[6], 11); /* "one" + 8 vmspliced bytes */
	assert_memory_equal(a.bytes, "oneaaaaaaaa", 11);
	assert_int_equal(a.log[7], -ENOMEM);
	assert_int_equal(a.log[a.n - 1], 0); /* no violations in A */
	assert_int_equal(span_world_param(a.w, SPAN_PARAM_PAGE_SIZE), 4096);
	assert_int_equal(span_world_policy(a.w)->v[SPAN_KNOB_VMSPLICE], 0);
	assert_int_equal(span_fault_hits(b.w, SPAN_FAULT_ALLOC), 0);
	assert_int_equal(b.log[2], 16 * 8192);
	assert_true(b.log[b.n - 2] >= 1); /* Dirty Pipe in B */
	assert_non_null(find_violation(b.w, SPAN_INV_PAGE_CACHE_WRITE));
	assert_int_equal(b.log[b.n - 3], SPAN_PBO_ANON);

	span_world_teardown(a.w);
	assert_no_violations(a.w);
	span_world_destroy(a.w);
	span_world_teardown(ra.w);
	assert_no_violations(ra.w);
	span_world_destroy(ra.w);
	span_world_teardown(b.w);
	span_world_destroy(b.w);
	span_world_teardown(rb.w);
	span_world_destroy(rb.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_world_create_defaults),
		cmocka_unit_test(test_world_steps),
		cmocka_unit_test(test_world_footprint),
		cmocka_unit_test(test_world_footprint_kinds),
		cmocka_unit_test(test_world_access_rules),
		cmocka_unit_test(test_world_footprint_steps),
		cmocka_unit_test(test_world_allow),
		cmocka_unit_test(test_world_hooks_and_allocator),
		cmocka_unit_test(test_world_reset),
		cmocka_unit_test(test_world_reset_params),
		cmocka_unit_test(test_world_reset_hooks),
		cmocka_unit_test(test_world_two_worlds_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
