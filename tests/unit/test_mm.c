// SPDX-License-Identifier: MIT
/*
 * test_mm.c - address spaces, COW, fork, GUP, kernel memory and owners
 * (span/mm.h).
 *
 * KSEM 1.3 (GUP), 1.4 (fork of maybe-pinned pages), 1.5 (write fault:
 * reuse or copy), 12.E (ledger: fork with a pinned page); POLICIES.md
 * cow_reuse and fork_pinned.
 */
#include "span_unit.h"

static void test_mm_mmap_touched(void **state)
{
	struct span_world *w = world_new();
	char buf[8];
	int region = do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "AB");
	int p0 = span_region_page(w, SPAN_INIT_PID, region, 0);
	int p1 = span_region_page(w, SPAN_INIT_PID, region, PG);

	assert_true(p0 > 0 && p1 > 0 && p0 != p1);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, PG - 1),
			 p0);
	assert_int_equal(span_region_size(w, region), 2 * PG);
	for (int i = 0; i < 2; i++) {
		struct span_page_info info = page_info(w, i ? p1 : p0);

		assert_int_equal(info.kind, SPAN_PAGE_ANON);
		assert_int_equal(info.refcount, 1);
		assert_int_equal(info.mapcount, 1);
		assert_true(info.anon_exclusive);
	}
	/* the fill pattern runs on across the page boundary */
	assert_ret(do_load(w, SPAN_INIT_PID, region, PG - 2, buf, 4), 0);
	assert_memory_equal(buf, "ABAB", 4);
	assert_ret(do_load(w, SPAN_INIT_PID, region, 0, buf, 3), 0);
	assert_memory_equal(buf, "ABA", 3);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_mm_mmap_untouched(void **state)
{
	struct span_world *w = world_new();
	int zero = span_zero_page(w);
	int64_t zref = page_ref(w, zero);
	int region =
		do_mmap(w, SPAN_INIT_PID, 2 * PG, SPAN_MMAP_UNTOUCHED, NULL);
	char buf[16];
	int page;

	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0), zero);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, PG), zero);
	memset(buf, 'x', sizeof(buf));
	assert_ret(do_load(w, SPAN_INIT_PID, region, 100, buf, sizeof(buf)), 0);
	assert_true(all_bytes(buf, 0, sizeof(buf)));
	/* a read does not allocate */
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0), zero);
	/* a write fault replaces the zero page by a private page */
	assert_ret(do_store(w, SPAN_INIT_PID, region, 100, "hi", 2), 0);
	page = span_region_page(w, SPAN_INIT_PID, region, 0);
	assert_true(page > 0 && page != zero);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_ANON);
	assert_int_equal(page_ref(w, page), 1);
	assert_int_equal(page_info(w, page).mapcount, 1);
	assert_true(page_info(w, page).anon_exclusive);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, PG), zero);
	assert_ret(do_load(w, SPAN_INIT_PID, region, 98, buf, 6), 0);
	assert_memory_equal(buf, "\0\0hi\0\0", 6);
	assert_int_equal(page_ref(w, zero), zref);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * gup_zero_page: read-only GUP of never-touched memory references the zero
 * page (map: a later store COWs away from it and the GUP user keeps
 * zeros) or a private zeroed page (populate: the store lands in the page
 * the GUP user holds).  kernel-semantics.md 5.6, 13.C.2.
 */
static void test_mm_untouched_gup_each_policy(void **state)
{
	for (int v = 0; v < 2; v++) {
		struct span_world *w = world_new();
		int zero = span_zero_page(w), region, region2, pipe;
		int pages[1], page, back;
		char buf[4];

		set_knob(w, SPAN_KNOB_GUP_ZERO_PAGE, v);
		region = do_mmap(w, SPAN_INIT_PID, 2 * PG, SPAN_MMAP_UNTOUCHED,
				 NULL);
		/* reads see zeros under both, with or without a pte */
		memset(buf, 'x', sizeof(buf));
		assert_ret(span_peek(w, SPAN_INIT_PID, region, 0, buf, 4), 0);
		assert_true(all_bytes(buf, 0, 4));
		assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, 1, SPAN_FOLL_GET,
				  pages, 1), 1);
		page = pages[0];
		if (v == SPAN_GUP_ZERO_PAGE_MAP) {
			assert_int_equal(page, zero);
		} else {
			assert_true(page > 0 && page != zero);
			assert_int_equal(page_info(w, page).kind,
					 SPAN_PAGE_ANON);
			assert_int_equal(page_ref(w, page), 2);
			assert_int_equal(page_info(w, page).mapcount, 1);
			assert_true(page_info(w, page).anon_exclusive);
		}
		assert_ret(do_store(w, SPAN_INIT_PID, region, 0, "BBBB", 4), 0);
		back = span_region_page(w, SPAN_INIT_PID, region, 0);
		if (v == SPAN_GUP_ZERO_PAGE_MAP)
			assert_true(back != page);	/* COW from the zero page */
		else
			assert_int_equal(back, page);	/* written in place */
		/* a load of the second page faults: zero page, or a new page */
		assert_ret(do_load(w, SPAN_INIT_PID, region, PG, buf, 4), 0);
		assert_true(all_bytes(buf, 0, 4));
		back = span_region_page(w, SPAN_INIT_PID, region, PG);
		if (v == SPAN_GUP_ZERO_PAGE_MAP)
			assert_int_equal(back, zero);
		else
			assert_true(back > 0 && back != zero &&
				    page_ref(w, back) == 1);
		assert_ret(do_put_page(w, page), 0);

		/* what a pipe reader sees: vmsplice, then a store */
		region2 = do_mmap(w, SPAN_INIT_PID, PG, SPAN_MMAP_UNTOUCHED,
				  NULL);
		pipe = new_pipe(w, 0);
		assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(pipe), region2, 0,
				       PG, 0), PG);
		assert_ret(do_store(w, SPAN_INIT_PID, region2, 0, "BBBB", 4), 0);
		memset(buf, 'x', sizeof(buf));
		assert_ret(do_read(w, SPAN_INIT_PID, PR(pipe), buf, 4, 0), 4);
		assert_memory_equal(buf, v == SPAN_GUP_ZERO_PAGE_MAP ?
					      "\0\0\0\0" : "BBBB", 4);

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

static void test_mm_store_load(void **state)
{
	struct span_world *w = world_new();
	int region = do_mmap(w, SPAN_INIT_PID, 5000, 0, "-");
	int page = span_region_page(w, SPAN_INIT_PID, region, 0);
	char buf[16];

	/* 5000 bytes take two pages, and the mapping is those two pages
	 * (mmap() maps whole pages; the live kernel agrees) */
	assert_true(span_region_page(w, SPAN_INIT_PID, region, 4999) > 0);
	assert_int_equal(span_region_size(w, region), 2 * PG);
	/* a store across the page boundary */
	assert_ret(do_store(w, SPAN_INIT_PID, region, PG - 3, "hello", 5), 0);
	assert_ret(do_load(w, SPAN_INIT_PID, region, PG - 4, buf, 7), 0);
	assert_memory_equal(buf, "-hello-", 7);
	/* exclusive pages are written in place */
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0), page);
	assert_ret(do_store(w, SPAN_INIT_PID, region, 4999, "z", 1), 0);
	/* past SIZE, inside the last page: still the mapping */
	assert_ret(do_store(w, SPAN_INIT_PID, region, 5000, "y", 1), 0);
	assert_ret(do_store(w, SPAN_INIT_PID, region, 2 * PG, "z", 1), -EFAULT);
	assert_ret(do_store(w, SPAN_INIT_PID, region, 2 * PG - 10, buf, 11),
		   -EFAULT);
	assert_ret(do_load(w, SPAN_INIT_PID, region, 2 * PG - 1, buf, 2), -EFAULT);
	assert_ret(do_load(w, SPAN_INIT_PID, region, 4999, buf, 2), 0);
	assert_memory_equal(buf, "zy", 2);
	/* zero-length accesses at the end are fine */
	assert_ret(do_store(w, SPAN_INIT_PID, region, 2 * PG, "", 0), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- fork and COW --------------------------------------------------------- */

static const int cow_policies[] = {
	SPAN_COW_REUSE_EXCLUSIVE,
	SPAN_COW_REUSE_REFCOUNT,
	SPAN_COW_REUSE_MAPCOUNT,
};

static void test_mm_fork_shares_cow(void **state)
{
	struct span_world *w = world_new();
	int region = do_mmap(w, SPAN_INIT_PID, PG, 0, "A");
	int page = span_region_page(w, SPAN_INIT_PID, region, 0);
	int child = do_fork(w, SPAN_INIT_PID);
	struct span_page_info info = page_info(w, page);
	char c;

	assert_int_equal(span_region_page(w, child, region, 0), page);
	assert_int_equal(info.refcount, 2);
	assert_int_equal(info.mapcount, 2);
	assert_false(info.anon_exclusive);
	assert_ret(do_load(w, child, region, 7, &c, 1), 0);
	assert_int_equal(c, 'A');

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * Every cow_reuse value: after fork, the parent's store copies (the page
 * is mapped twice), and then the child, the last mapper, reuses it.
 */
static void test_mm_cow_after_fork_each_policy(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cow_policies); i++) {
		struct span_world *w = world_new();
		int region, page, child, ppage;
		char c;

		set_knob(w, SPAN_KNOB_COW_REUSE, cow_policies[i]);
		region = do_mmap(w, SPAN_INIT_PID, PG, 0, "A");
		page = span_region_page(w, SPAN_INIT_PID, region, 0);
		child = do_fork(w, SPAN_INIT_PID);

		assert_ret(do_store(w, SPAN_INIT_PID, region, 0, "B", 1), 0);
		ppage = span_region_page(w, SPAN_INIT_PID, region, 0);
		assert_true(ppage > 0 && ppage != page);
		assert_int_equal(page_ref(w, ppage), 1);
		assert_int_equal(page_info(w, ppage).mapcount, 1);
		assert_true(page_info(w, ppage).anon_exclusive);
		assert_int_equal(page_ref(w, page), 1);
		assert_int_equal(page_info(w, page).mapcount, 1);
		assert_ret(do_load(w, child, region, 0, &c, 1), 0);
		assert_int_equal(c, 'A');
		assert_ret(do_load(w, SPAN_INIT_PID, region, 0, &c, 1), 0);
		assert_int_equal(c, 'B');
		/* the rest of the page was copied too */
		assert_ret(do_load(w, SPAN_INIT_PID, region, 1, &c, 1), 0);
		assert_int_equal(c, 'A');

		assert_ret(do_store(w, child, region, 0, "C", 1), 0);
		assert_int_equal(span_region_page(w, child, region, 0), page);
		assert_true(page_info(w, page).anon_exclusive);
		assert_ret(do_load(w, SPAN_INIT_PID, region, 0, &c, 1), 0);
		assert_int_equal(c, 'B');

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

/*
 * fork, the child takes a FOLL_GET reference (it is a GUP without
 * FOLL_WRITE, so no unshare) and unmaps; then the parent writes.  The page
 * is mapped once but has two references.
 *   exclusive, refcount: not exclusive and refcount 2 -> copy (5.8+);
 *   mapcount: mapcount 1 -> reuse (before 5.8; CVE-2020-29374).
 */
static void test_mm_cow_extra_ref_each_policy(void **state)
{
	static const bool reuse[] = { false, false, true };

	for (size_t i = 0; i < ARRAY_SIZE(cow_policies); i++) {
		struct span_world *w = world_new();
		int region, page, child, pages[1];
		char c;

		set_knob(w, SPAN_KNOB_COW_REUSE, cow_policies[i]);
		region = do_mmap(w, SPAN_INIT_PID, PG, 0, "A");
		page = span_region_page(w, SPAN_INIT_PID, region, 0);
		child = do_fork(w, SPAN_INIT_PID);
		assert_ret(do_gup(w, child, region, 0, PG, SPAN_FOLL_GET, pages,
				  1),
			   1);
		assert_int_equal(pages[0], page);
		assert_int_equal(page_ref(w, page), 3);
		assert_false(page_info(w, page).anon_exclusive);
		assert_ret(do_munmap(w, child, region), 0);
		assert_int_equal(page_ref(w, page), 2);
		assert_int_equal(page_info(w, page).mapcount, 1);

		assert_ret(do_store(w, SPAN_INIT_PID, region, 0, "B", 1), 0);
		if (reuse[i]) {
			assert_int_equal(span_region_page(w, SPAN_INIT_PID,
							  region, 0),
					 page);
			assert_int_equal(page_ref(w, page), 2);
		} else {
			assert_true(span_region_page(w, SPAN_INIT_PID, region,
						     0) != page);
			assert_int_equal(page_ref(w, page), 1);
			assert_int_equal(page_info(w, page).mapcount, 0);
		}
		assert_ret(do_load(w, SPAN_INIT_PID, region, 0, &c, 1), 0);
		assert_int_equal(c, 'B');
		assert_ret(do_put_page(w, page), 0);

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

/*
 * A FOLL_PIN of a write-protected, shared page unshares it: the pte stays
 * read-only but the page becomes exclusive.  The next store:
 *   exclusive, mapcount: reuse, the pinned page sees it (5.19+);
 *   refcount: refcount 1025 != 1 -> copy, the pin loses the store.
 */
static void test_mm_cow_pinned_readonly_pte_each_policy(void **state)
{
	static const bool reuse[] = { true, false, true };

	for (size_t i = 0; i < ARRAY_SIZE(cow_policies); i++) {
		struct span_world *w = world_new();
		int region, page, child, pinned, pages[1];
		struct span_page_info info;
		char c;

		set_knob(w, SPAN_KNOB_COW_REUSE, cow_policies[i]);
		region = do_mmap(w, SPAN_INIT_PID, PG, 0, "A");
		page = span_region_page(w, SPAN_INIT_PID, region, 0);
		child = do_fork(w, SPAN_INIT_PID);
		assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG,
				  SPAN_FOLL_PIN, pages, 1),
			   1);
		pinned = pages[0];
		/* gup_must_unshare(): the parent now maps a private copy */
		assert_true(pinned != page);
		assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0),
				 pinned);
		info = page_info(w, pinned);
		assert_true(info.anon_exclusive);
		assert_int_equal(info.refcount, 1 + 1024);
		assert_int_equal(info.mapcount, 1);
		assert_int_equal(page_ref(w, page), 1); /* the child's */
		assert_int_equal(span_region_page(w, child, region, 0), page);

		assert_ret(do_store(w, SPAN_INIT_PID, region, 0, "B", 1), 0);
		if (reuse[i]) {
			assert_int_equal(span_region_page(w, SPAN_INIT_PID,
							  region, 0),
					 pinned);
		} else {
			assert_true(span_region_page(w, SPAN_INIT_PID, region,
						     0) != pinned);
			assert_int_equal(page_ref(w, pinned), 1024);
			assert_int_equal(page_info(w, pinned).mapcount, 0);
		}
		assert_ret(do_load(w, child, region, 0, &c, 1), 0);
		assert_int_equal(c, 'A');
		assert_ret(do_unpin(w, pinned), 0);
		if (!reuse[i])
			assert_true(page_freed(w, pinned));

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

/* --- fork with a pinned page ---------------------------------------------- */

/* KSEM 12.E, step by step (fork_pinned=copy, the default) */
static void test_mm_ledger_e_fork_pinned_copy(void **state)
{
	struct span_world *w = world_new();
	int region = do_mmap(w, SPAN_INIT_PID, PG, 0, "U");
	int u = span_region_page(w, SPAN_INIT_PID, region, 0);
	int pages[1], child, u2;
	struct span_page_info info;
	char c;

	/* 1. pin_user_pages(U): rc = 1 + 1024, MMF_HAS_PINNED */
	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG, SPAN_FOLL_PIN, pages,
			  1),
		   1);
	assert_int_equal(pages[0], u);
	assert_int_equal(page_ref(w, u), 1 + 1024);
	/* 2. fork: maybe_pinned and exclusive -> the child gets a copy */
	child = do_fork(w, SPAN_INIT_PID);
	u2 = span_region_page(w, child, region, 0);
	assert_true(u2 > 0 && u2 != u);
	info = page_info(w, u2);
	assert_int_equal(info.refcount, 1);
	assert_int_equal(info.mapcount, 1);
	assert_true(info.anon_exclusive);
	info = page_info(w, u);
	assert_int_equal(info.refcount, 1 + 1024);
	assert_int_equal(info.mapcount, 1);
	assert_true(info.anon_exclusive);
	assert_ret(do_load(w, child, region, 0, &c, 1), 0);
	assert_int_equal(c, 'U');
	/* the parent keeps U writable: its store lands in the pinned page */
	assert_ret(do_store(w, SPAN_INIT_PID, region, 0, "P", 1), 0);
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0), u);
	assert_ret(do_load(w, child, region, 0, &c, 1), 0);
	assert_int_equal(c, 'U');
	/* 3. unpin_user_page: rc -= 1024 */
	assert_ret(do_unpin(w, u), 0);
	assert_int_equal(page_ref(w, u), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* fork_pinned=share (before 5.9): the pinned page is shared COW */
static void test_mm_fork_pinned_share(void **state)
{
	struct span_world *w = world_new();
	int region, u, pages[1], child, np;
	struct span_page_info info;
	char c;

	set_knob(w, SPAN_KNOB_FORK_PINNED, SPAN_FORK_PINNED_SHARE);
	region = do_mmap(w, SPAN_INIT_PID, PG, 0, "U");
	u = span_region_page(w, SPAN_INIT_PID, region, 0);
	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG, SPAN_FOLL_PIN, pages,
			  1),
		   1);
	child = do_fork(w, SPAN_INIT_PID);
	assert_int_equal(span_region_page(w, child, region, 0), u);
	info = page_info(w, u);
	assert_int_equal(info.refcount, 2 + 1024);
	assert_int_equal(info.mapcount, 2);
	assert_false(info.anon_exclusive);
	/* the parent's store copies: the pin no longer sees the parent */
	assert_ret(do_store(w, SPAN_INIT_PID, region, 0, "P", 1), 0);
	np = span_region_page(w, SPAN_INIT_PID, region, 0);
	assert_true(np != u);
	assert_int_equal(page_ref(w, u), 1 + 1024);
	assert_int_equal(page_info(w, u).mapcount, 1);
	assert_ret(do_load(w, child, region, 0, &c, 1), 0);
	assert_int_equal(c, 'U');
	assert_ret(do_unpin(w, u), 0);
	assert_int_equal(page_ref(w, u), 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* a FOLL_GET reference never makes fork copy (KSEM 1.3: no MMF_HAS_PINNED) */
static void test_mm_fork_foll_get_shares(void **state)
{
	struct span_world *w = world_new();
	int region = do_mmap(w, SPAN_INIT_PID, PG, 0, "U");
	int u = span_region_page(w, SPAN_INIT_PID, region, 0);
	int pages[1], child;

	assert_ret(do_gup(w, SPAN_INIT_PID, region, 0, PG, SPAN_FOLL_GET, pages,
			  1),
		   1);
	child = do_fork(w, SPAN_INIT_PID);
	assert_int_equal(span_region_page(w, child, region, 0), u);
	assert_int_equal(page_ref(w, u), 3);
	assert_int_equal(page_info(w, u).mapcount, 2);
	assert_ret(do_put_page(w, u), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * pincount=bias: once the mm has MMF_HAS_PINNED, a page with 1023 plain
 * extra references looks pinned and fork copies it for the child; with
 * pincount=exact it is shared.
 */
static void test_mm_fork_maybe_pinned_false_positive(void **state)
{
	for (int exact = 0; exact < 2; exact++) {
		struct span_world *w = world_new();
		int region, p0, p1, pages[1], child;

		set_knob(w, SPAN_KNOB_PINCOUNT,
			 exact ? SPAN_PINCOUNT_EXACT : SPAN_PINCOUNT_BIAS);
		region = do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "x");
		p0 = span_region_page(w, SPAN_INIT_PID, region, 0);
		p1 = span_region_page(w, SPAN_INIT_PID, region, PG);
		/* pin p1: sets MMF_HAS_PINNED */
		assert_ret(do_gup(w, SPAN_INIT_PID, region, PG, PG,
				  SPAN_FOLL_PIN, pages, 1),
			   1);
		for (int i = 0; i < 1023; i++)
			assert_ret(do_get_page(w, p0), 0);
		assert_int_equal(page_info(w, p0).maybe_pinned, !exact);
		child = do_fork(w, SPAN_INIT_PID);
		/* the really pinned page is copied either way */
		assert_true(span_region_page(w, child, region, PG) != p1);
		if (exact) {
			assert_int_equal(span_region_page(w, child, region, 0),
					 p0);
			assert_int_equal(page_info(w, p0).mapcount, 2);
		} else {
			assert_true(span_region_page(w, child, region, 0) !=
				    p0);
			assert_int_equal(page_info(w, p0).mapcount, 1);
			assert_true(page_info(w, p0).anon_exclusive);
		}
		for (int i = 0; i < 1023; i++)
			assert_ret(do_put_page(w, p0), 0);
		assert_ret(do_unpin(w, p1), 0);

		span_world_teardown(w);
		assert_no_violations(w);
		span_world_destroy(w);
	}
}

/* --- munmap --------------------------------------------------------------- */

static void test_mm_munmap(void **state)
{
	struct span_world *w = world_new();
	int region = do_mmap(w, SPAN_INIT_PID, 2 * PG, 0, "m");
	int p0 = span_region_page(w, SPAN_INIT_PID, region, 0);
	int p1 = span_region_page(w, SPAN_INIT_PID, region, PG);
	int child = do_fork(w, SPAN_INIT_PID);
	char c;

	/* the child's unmap leaves the parent's mapping */
	assert_ret(do_munmap(w, child, region), 0);
	assert_int_equal(page_ref(w, p0), 1);
	assert_int_equal(page_info(w, p0).mapcount, 1);
	assert_ret(do_load(w, child, region, 0, &c, 1), -EFAULT);
	assert_ret(do_store(w, child, region, 0, "x", 1), -EFAULT);
	assert_ret(span_region_page(w, child, region, 0), -EFAULT);
	/* munmap(2) of a range that is no longer mapped succeeds */
	assert_ret(do_munmap(w, child, region), 0);
	assert_ret(do_load(w, SPAN_INIT_PID, region, 0, &c, 1), 0);
	assert_int_equal(c, 'm');
	/* the last mapping goes: the pages are freed */
	assert_ret(do_munmap(w, SPAN_INIT_PID, region), 0);
	assert_true(page_freed(w, p0));
	assert_true(page_freed(w, p1));
	/* munmap(2) of a range that is no longer mapped succeeds */
	assert_ret(do_munmap(w, SPAN_INIT_PID, region), 0);
	assert_ret(do_munmap(w, 99, region), -ESRCH);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- kernel memory and owners --------------------------------------------- */

static int kmem_alloc(struct span_world *w, uint64_t size, int kind, int owner,
		      const char *fill, int *kmem)
{
	int ret;

	step_begin(w, 0);
	ret = span_kmem_alloc(w, size, kind, owner, fill,
			      fill ? strlen(fill) : 0, kmem);
	step_end(w);
	return ret;
}

static int kmem_free(struct span_world *w, int kmem)
{
	int ret;

	step_begin(w, 0);
	ret = span_kmem_free(w, kmem);
	step_end(w);
	return ret;
}

static int owner_create(struct span_world *w)
{
	int owner = 0, ret;

	step_begin(w, 0);
	ret = span_owner_create(w, &owner);
	step_end(w);
	assert_ret(ret, 0);
	assert_true(owner > 0);
	return owner;
}

static int owner_put(struct span_world *w, int owner)
{
	int ret;

	step_begin(w, 0);
	ret = span_owner_put(w, owner);
	step_end(w);
	return ret;
}

static struct span_owner_info owner_info(struct span_world *w, int owner)
{
	struct span_owner_info info;

	assert_ret(span_owner_info(w, owner, &info), 0);
	return info;
}

static void test_mm_kmem_pages(void **state)
{
	struct span_world *w = world_new();
	int kmem, p0, p1;

	assert_ret(kmem_alloc(w, 2 * PG, SPAN_KMEM_PAGES, 0, "k", &kmem), 0);
	p0 = span_kmem_page(w, kmem, 0);
	p1 = span_kmem_page(w, kmem, 2 * PG - 1);
	assert_true(p0 > 0 && p1 > 0 && p0 != p1);
	assert_int_equal(page_info(w, p0).kind, SPAN_PAGE_KERNEL);
	assert_int_equal(page_ref(w, p0), 1);
	assert_int_equal(page_info(w, p0).mapcount, 0);
	assert_int_equal(page_ref(w, p1), 1);
	assert_ret(span_kmem_page(w, kmem, 2 * PG), -EFAULT);
	/* refcounted: a get and a put work */
	assert_ret(do_get_page(w, p0), 0);
	assert_int_equal(page_ref(w, p0), 2);
	assert_ret(do_put_page(w, p0), 0);
	assert_ret(kmem_free(w, kmem), 0);
	assert_true(page_freed(w, p0));
	assert_true(page_freed(w, p1));
	assert_ret(kmem_free(w, kmem), -EINVAL);
	assert_ret(span_kmem_page(w, kmem, 0), -EINVAL);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* KSEM 1.6: slab memory has no usable refcount */
static void test_mm_kmem_slab(void **state)
{
	struct span_world *w = world_new();
	int kmem, page;

	assert_ret(kmem_alloc(w, 100, SPAN_KMEM_SLAB, 0, "s", &kmem), 0);
	page = span_kmem_page(w, kmem, 99);
	assert_true(page > 0);
	assert_int_equal(span_kmem_page(w, kmem, 0), page);
	assert_ret(span_kmem_page(w, kmem, 100), -EFAULT);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_SLAB);
	assert_int_equal(page_ref(w, page), 0);
	assert_ret(kmem_free(w, kmem), 0);
	assert_true(page_freed(w, page));

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_mm_kmem_owner(void **state)
{
	struct span_world *w = world_new();
	int owner = owner_create(w), kmem, page;
	struct span_owner_info info;

	assert_ret(kmem_alloc(w, PG, SPAN_KMEM_OWNER, owner, "o", &kmem), 0);
	page = span_kmem_page(w, kmem, 0);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_OWNER);
	assert_int_equal(page_ref(w, page), 0);
	assert_int_equal(page_info(w, page).owner, owner);
	/* owner memory goes with its destructor, not with kfree */
	assert_ret(kmem_free(w, kmem), -EINVAL);
	assert_int_equal(page_info(w, page).kind, SPAN_PAGE_OWNER);
	info = owner_info(w, owner);
	assert_int_equal(info.refcount, 1);
	assert_int_equal(info.held_bytes, PG);
	assert_ret(owner_put(w, owner), 0);
	info = owner_info(w, owner);
	assert_int_equal(info.destructed, 1);
	assert_int_equal(info.held_bytes, 0);
	assert_true(page_freed(w, page));
	/* a destructed owner takes no new memory */
	assert_ret(kmem_alloc(w, PG, SPAN_KMEM_OWNER, owner, NULL, &kmem),
		   -EINVAL);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_mm_kmem_bad_args(void **state)
{
	struct span_world *w = world_new();
	int kmem = 0;

	assert_ret(kmem_alloc(w, 0, SPAN_KMEM_PAGES, 0, NULL, &kmem), -EINVAL);
	assert_ret(kmem_alloc(w, PG, 3, 0, NULL, &kmem), -EINVAL);
	assert_ret(kmem_alloc(w, PG, -1, 0, NULL, &kmem), -EINVAL);
	assert_ret(kmem_alloc(w, PG, SPAN_KMEM_OWNER, 0, NULL, &kmem), -EINVAL);
	assert_ret(kmem_alloc(w, PG, SPAN_KMEM_OWNER, 7, NULL, &kmem), -EINVAL);
	assert_ret(kmem_alloc(w, PG, SPAN_KMEM_OWNER, -1, NULL, &kmem),
		   -EINVAL);
	assert_ret(kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, NULL, NULL), -EINVAL);
	assert_ret(kmem_free(w, 0), -EINVAL);
	assert_ret(kmem_free(w, -1), -EINVAL);
	assert_ret(kmem_free(w, 12345), -EINVAL);
	assert_int_equal(kmem, 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_mm_owner_destructor_once(void **state)
{
	struct span_world *w = world_new();
	int owner = owner_create(w);
	struct span_owner_info info = owner_info(w, owner);
	uint64_t step;

	assert_int_equal(info.refcount, 1);
	assert_true(info.service_ref);
	assert_int_equal(info.destructed, 0);
	assert_int_equal(info.destructed_at, 0);
	assert_int_equal(info.held_bytes, 0);
	assert_ret(owner_put(w, owner), 0);
	step = span_world_step(w);
	info = owner_info(w, owner);
	assert_int_equal(info.refcount, 0);
	assert_false(info.service_ref);
	assert_int_equal(info.destructed, 1);
	assert_int_equal(info.destructed_at, step);
	assert_no_violations(w);
	/*
	 * The service's reference can be put once.  A second put is refused;
	 * it may be recorded as a refcount-underflow of the owner, but the
	 * destructor must not run again.
	 */
	assert_ret(owner_put(w, owner), -EINVAL);
	info = owner_info(w, owner);
	assert_int_equal(info.destructed, 1);
	assert_int_equal(info.destructed_at, step);
	assert_int_equal(info.refcount, 0);

	span_world_teardown(w);
	assert_only_violations_of(w, SPAN_INV_REFCOUNT_UNDERFLOW,
				  SPAN_OBJ_OWNER, owner);
	assert_int_equal(owner_info(w, owner).destructed, 1);
	span_world_destroy(w);
}

/* an owner the service never put is destructed by the teardown, once */
static void test_mm_owner_teardown_destructs(void **state)
{
	struct span_world *w = world_new();
	int owner = owner_create(w), kmem, page;

	assert_ret(kmem_alloc(w, 2 * PG, SPAN_KMEM_OWNER, owner, "o", &kmem),
		   0);
	page = span_kmem_page(w, kmem, PG);
	span_world_teardown(w);
	assert_no_violations(w);
	assert_int_equal(owner_info(w, owner).destructed, 1);
	assert_int_equal(owner_info(w, owner).held_bytes, 0);
	assert_true(page_freed(w, page));
	span_world_destroy(w);
}

static void test_mm_owner_held_bytes(void **state)
{
	struct span_world *w = world_new();
	int a = owner_create(w), b = owner_create(w), k1, k2, k3;

	assert_true(a != b);
	assert_ret(kmem_alloc(w, 2 * PG, SPAN_KMEM_OWNER, a, "1", &k1), 0);
	assert_ret(kmem_alloc(w, PG, SPAN_KMEM_OWNER, a, "2", &k2), 0);
	assert_ret(kmem_alloc(w, 3 * PG, SPAN_KMEM_OWNER, b, "3", &k3), 0);
	assert_int_equal(owner_info(w, a).held_bytes, 3 * PG);
	assert_int_equal(owner_info(w, b).held_bytes, 3 * PG);
	assert_ret(owner_put(w, a), 0);
	assert_int_equal(owner_info(w, a).held_bytes, 0);
	assert_int_equal(owner_info(w, b).held_bytes, 3 * PG);
	assert_ret(span_kmem_page(w, k1, 0), -EINVAL);
	assert_ret(span_kmem_page(w, k2, 0), -EINVAL);
	assert_true(span_kmem_page(w, k3, 0) > 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- span_peek ------------------------------------------------------------ */

static void test_mm_peek(void **state)
{
	struct span_world *w = world_new();
	int region =
		do_mmap(w, SPAN_INIT_PID, 2 * PG, SPAN_MMAP_UNTOUCHED, NULL);
	int zero = span_zero_page(w), child;
	char buf[8];

	/* peeking untouched memory reads the zero page and does not fault */
	memset(buf, 'x', sizeof(buf));
	assert_ret(span_peek(w, SPAN_INIT_PID, region, 10, buf, 8), 0);
	assert_true(all_bytes(buf, 0, 8));
	assert_int_equal(span_region_page(w, SPAN_INIT_PID, region, 0), zero);
	assert_ret(do_store(w, SPAN_INIT_PID, region, PG - 2, "abcd", 4), 0);
	assert_ret(span_peek(w, SPAN_INIT_PID, region, PG - 2, buf, 4), 0);
	assert_memory_equal(buf, "abcd", 4);
	/* after fork and a parent store, each process peeks its own copy */
	child = do_fork(w, SPAN_INIT_PID);
	assert_ret(do_store(w, SPAN_INIT_PID, region, PG - 2, "XY", 2), 0);
	assert_ret(span_peek(w, child, region, PG - 2, buf, 2), 0);
	assert_memory_equal(buf, "ab", 2);
	assert_ret(span_peek(w, SPAN_INIT_PID, region, PG - 2, buf, 2), 0);
	assert_memory_equal(buf, "XY", 2);
	/* out of range, other process, bad region */
	assert_ret(span_peek(w, SPAN_INIT_PID, region, 2 * PG - 1, buf, 2),
		   -EFAULT);
	assert_ret(span_peek(w, 77, region, 0, buf, 1), -EFAULT);
	assert_ret(span_peek(w, SPAN_INIT_PID, 0, 0, buf, 1), -EINVAL);
	assert_ret(span_peek(w, SPAN_INIT_PID, 999, 0, buf, 1), -EINVAL);
	assert_ret(span_peek(w, SPAN_INIT_PID, region, 0, NULL, 1), -EINVAL);
	assert_ret(do_munmap(w, child, region), 0);
	assert_ret(span_peek(w, child, region, 0, buf, 1), -EFAULT);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_mmap_touched),
		cmocka_unit_test(test_mm_mmap_untouched),
		cmocka_unit_test(test_mm_untouched_gup_each_policy),
		cmocka_unit_test(test_mm_store_load),
		cmocka_unit_test(test_mm_fork_shares_cow),
		cmocka_unit_test(test_mm_cow_after_fork_each_policy),
		cmocka_unit_test(test_mm_cow_extra_ref_each_policy),
		cmocka_unit_test(test_mm_cow_pinned_readonly_pte_each_policy),
		cmocka_unit_test(test_mm_ledger_e_fork_pinned_copy),
		cmocka_unit_test(test_mm_fork_pinned_share),
		cmocka_unit_test(test_mm_fork_foll_get_shares),
		cmocka_unit_test(test_mm_fork_maybe_pinned_false_positive),
		cmocka_unit_test(test_mm_munmap),
		cmocka_unit_test(test_mm_kmem_pages),
		cmocka_unit_test(test_mm_kmem_slab),
		cmocka_unit_test(test_mm_kmem_owner),
		cmocka_unit_test(test_mm_kmem_bad_args),
		cmocka_unit_test(test_mm_owner_destructor_once),
		cmocka_unit_test(test_mm_owner_teardown_destructs),
		cmocka_unit_test(test_mm_owner_held_bytes),
		cmocka_unit_test(test_mm_peek),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
