// SPDX-License-Identifier: MIT
/*
 * test_policy.c - the knobs and presets of POLICIES.md (span/policy.h).
 *
 * The expected tables below are written from POLICIES.md and the enums of
 * span/policy.h, not from lib/policy.c, so a drift between the document,
 * the header and the library fails here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "span/policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct value_desc {
	const char *name;
	int value; /* the header's enum constant */
};

struct knob_expect {
	int knob;
	const char *name;
	int nr_values;
	struct value_desc values[5];
};

/* POLICIES.md, "Knobs": values in order, default first. */
static const struct knob_expect knobs[] = {
	{ SPAN_KNOB_VMSPLICE,
	  "vmsplice",
	  4,
	  { { "ref", SPAN_VMSPLICE_REF },
	    { "pin", SPAN_VMSPLICE_PIN },
	    { "copy", SPAN_VMSPLICE_COPY },
	    { "steal", SPAN_VMSPLICE_STEAL } } },
	{ SPAN_KNOB_PIPE_SPLIT,
	  "pipe_split",
	  3,
	  { { "ref", SPAN_PIPE_SPLIT_REF },
	    { "desc", SPAN_PIPE_SPLIT_DESC },
	    { "copy", SPAN_PIPE_SPLIT_COPY } } },
	{ SPAN_KNOB_KMEM_SEND,
	  "kmem_send",
	  4,
	  { { "reject", SPAN_KMEM_SEND_REJECT },
	    { "ref", SPAN_KMEM_SEND_REF },
	    { "copy", SPAN_KMEM_SEND_COPY },
	    { "desc", SPAN_KMEM_SEND_DESC } } },
	{ SPAN_KNOB_ZEROCOPY_GUP,
	  "zerocopy_gup",
	  2,
	  { { "ref", SPAN_ZEROCOPY_GUP_REF },
	    { "pin", SPAN_ZEROCOPY_GUP_PIN } } },
	{ SPAN_KNOB_LOOPBACK,
	  "loopback",
	  3,
	  { { "copy_zerocopy", SPAN_LOOPBACK_COPY_ZEROCOPY },
	    { "share", SPAN_LOOPBACK_SHARE },
	    { "copy_all", SPAN_LOOPBACK_COPY_ALL } } },
	{ SPAN_KNOB_SOCK_SPLICE,
	  "sock_splice",
	  3,
	  { { "ref", SPAN_SOCK_SPLICE_REF },
	    { "desc", SPAN_SOCK_SPLICE_DESC },
	    { "copy", SPAN_SOCK_SPLICE_COPY } } },
	{ SPAN_KNOB_PINCOUNT,
	  "pincount",
	  2,
	  { { "bias", SPAN_PINCOUNT_BIAS },
	    { "exact", SPAN_PINCOUNT_EXACT } } },
	{ SPAN_KNOB_COW_REUSE,
	  "cow_reuse",
	  3,
	  { { "exclusive", SPAN_COW_REUSE_EXCLUSIVE },
	    { "refcount", SPAN_COW_REUSE_REFCOUNT },
	    { "mapcount", SPAN_COW_REUSE_MAPCOUNT } } },
	{ SPAN_KNOB_FORK_PINNED,
	  "fork_pinned",
	  2,
	  { { "copy", SPAN_FORK_PINNED_COPY },
	    { "share", SPAN_FORK_PINNED_SHARE } } },
	{ SPAN_KNOB_GET_PAGE_CHECK,
	  "get_page_check",
	  2,
	  { { "checked", SPAN_GET_PAGE_CHECKED },
	    { "unchecked", SPAN_GET_PAGE_UNCHECKED } } },
	{ SPAN_KNOB_PIPE_BUF_INIT,
	  "pipe_buf_init",
	  2,
	  { { "clear", SPAN_PIPE_BUF_INIT_CLEAR },
	    { "stale", SPAN_PIPE_BUF_INIT_STALE } } },
	{ SPAN_KNOB_PIPE_LINK_MERGE,
	  "pipe_link_merge",
	  2,
	  { { "clear", SPAN_PIPE_LINK_MERGE_CLEAR },
	    { "keep", SPAN_PIPE_LINK_MERGE_KEEP } } },
	{ SPAN_KNOB_SKB_SHARED_FRAG,
	  "skb_shared_frag",
	  4,
	  { { "keep", SPAN_SHARED_FRAG_KEEP },
	    { "drop_on_coalesce", SPAN_SHARED_FRAG_DROP_ON_COALESCE },
	    { "drop_on_copy", SPAN_SHARED_FRAG_DROP_ON_COPY },
	    { "ignore", SPAN_SHARED_FRAG_IGNORE } } },
	{ SPAN_KNOB_GUP_ZERO_PAGE,
	  "gup_zero_page",
	  2,
	  { { "map", SPAN_GUP_ZERO_PAGE_MAP },
	    { "populate", SPAN_GUP_ZERO_PAGE_POPULATE } } },
	{ SPAN_KNOB_OWNER_RELEASE,
	  "owner_release",
	  3,
	  { { "last_ref", SPAN_OWNER_RELEASE_LAST_REF },
	    { "deferred", SPAN_OWNER_RELEASE_DEFERRED },
	    { "service_put", SPAN_OWNER_RELEASE_SERVICE_PUT } } },
};

struct setting {
	int knob;
	int value;
};

struct preset_expect {
	const char *name;
	int nr;
	struct setting set[5];
};

/* POLICIES.md, "Presets": the knobs that differ from the default. */
static const struct preset_expect presets[] = {
	{ "linux-6.18", 0, { { 0, 0 } } },
	{ "linux-7.2-vmsplice-copy",
	  1,
	  { { SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_COPY } } },
	{ "linux-5.16",
	  2,
	  { { SPAN_KNOB_PIPE_BUF_INIT, SPAN_PIPE_BUF_INIT_STALE },
	    { SPAN_KNOB_COW_REUSE, SPAN_COW_REUSE_REFCOUNT } } },
	{ "linux-5.4",
	  3,
	  { { SPAN_KNOB_COW_REUSE, SPAN_COW_REUSE_MAPCOUNT },
	    { SPAN_KNOB_FORK_PINNED, SPAN_FORK_PINNED_SHARE },
	    { SPAN_KNOB_KMEM_SEND, SPAN_KMEM_SEND_REF } } },
	{ "linux-4.19",
	  5,
	  { { SPAN_KNOB_COW_REUSE, SPAN_COW_REUSE_MAPCOUNT },
	    { SPAN_KNOB_FORK_PINNED, SPAN_FORK_PINNED_SHARE },
	    { SPAN_KNOB_KMEM_SEND, SPAN_KMEM_SEND_REF },
	    { SPAN_KNOB_GET_PAGE_CHECK, SPAN_GET_PAGE_UNCHECKED },
	    { SPAN_KNOB_PIPE_LINK_MERGE, SPAN_PIPE_LINK_MERGE_KEEP } } },
	{ "proposal-pin",
	  3,
	  { { SPAN_KNOB_VMSPLICE, SPAN_VMSPLICE_PIN },
	    { SPAN_KNOB_ZEROCOPY_GUP, SPAN_ZEROCOPY_GUP_PIN },
	    { SPAN_KNOB_PINCOUNT, SPAN_PINCOUNT_EXACT } } },
	{ "proposal-span-desc",
	  4,
	  { { SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_DESC },
	    { SPAN_KNOB_KMEM_SEND, SPAN_KMEM_SEND_DESC },
	    { SPAN_KNOB_LOOPBACK, SPAN_LOOPBACK_SHARE },
	    { SPAN_KNOB_SOCK_SPLICE, SPAN_SOCK_SPLICE_DESC } } },
	{ "proposal-copy-out",
	  4,
	  { { SPAN_KNOB_KMEM_SEND, SPAN_KMEM_SEND_DESC },
	    { SPAN_KNOB_LOOPBACK, SPAN_LOOPBACK_COPY_ALL },
	    { SPAN_KNOB_SOCK_SPLICE, SPAN_SOCK_SPLICE_COPY },
	    { SPAN_KNOB_PIPE_SPLIT, SPAN_PIPE_SPLIT_COPY } } },
};

/* A policy with every knob at a value no knob has, to see what gets set. */
static void poison(struct span_policy *p)
{
	memset(p, 0xa5, sizeof(*p));
}

static void test_policy_knob_table_matches_header(void **state)
{
	assert_int_equal(SPAN_NR_KNOBS, 15);
	assert_int_equal(ARRAY_SIZE(knobs), SPAN_NR_KNOBS);
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++)
		assert_int_equal(knobs[i].knob, (int)i);
}

static void test_policy_knob_names(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		const char *doc = span_knob_doc(knobs[i].knob);

		assert_non_null(span_knob_name(knobs[i].knob));
		assert_string_equal(span_knob_name(knobs[i].knob),
				    knobs[i].name);
		assert_int_equal(span_knob_lookup(knobs[i].name),
				 knobs[i].knob);
		assert_non_null(doc);
		assert_true(strlen(doc) > 0);
	}
}

static void test_policy_knob_out_of_range(void **state)
{
	assert_null(span_knob_name(-1));
	assert_null(span_knob_name(SPAN_NR_KNOBS));
	/* only gup_zero_page describes the host rather than a design */
	for (int k = 0; k < SPAN_NR_KNOBS; k++)
		assert_int_equal(span_knob_is_host(k),
				 k == SPAN_KNOB_GUP_ZERO_PAGE);
	assert_int_equal(span_knob_is_host(-1), -EINVAL);
	assert_int_equal(span_knob_is_host(SPAN_NR_KNOBS), -EINVAL);
	assert_null(span_knob_doc(-1));
	assert_null(span_knob_doc(SPAN_NR_KNOBS));
	assert_int_equal(span_knob_nr_values(-1), -EINVAL);
	assert_int_equal(span_knob_nr_values(SPAN_NR_KNOBS), -EINVAL);
	assert_null(span_knob_value_name(-1, 0));
	assert_null(span_knob_value_name(SPAN_NR_KNOBS, 0));
	assert_int_equal(span_knob_value_lookup(-1, "ref"), -EINVAL);
	assert_int_equal(span_knob_value_lookup(SPAN_NR_KNOBS, "ref"), -EINVAL);
}

static void test_policy_knob_lookup_unknown(void **state)
{
	assert_int_equal(span_knob_lookup("no_such_knob"), -ENOENT);
	assert_int_equal(span_knob_lookup(""), -ENOENT);
	/* names are exact: no prefixes, no case folding */
	assert_int_equal(span_knob_lookup("vmsplic"), -ENOENT);
	assert_int_equal(span_knob_lookup("VMSPLICE"), -ENOENT);
	assert_int_equal(span_knob_lookup("vmsplice "), -ENOENT);
}

static void test_policy_value_round_trip(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		const struct knob_expect *e = &knobs[i];

		assert_int_equal(span_knob_nr_values(e->knob), e->nr_values);
		for (int v = 0; v < e->nr_values; v++) {
			const char *name = span_knob_value_name(e->knob, v);

			assert_int_equal(e->values[v].value, v);
			assert_non_null(name);
			assert_string_equal(name, e->values[v].name);
			assert_int_equal(span_knob_value_lookup(e->knob, name),
					 v);
		}
		assert_null(span_knob_value_name(e->knob, -1));
		assert_null(span_knob_value_name(e->knob, e->nr_values));
	}
}

static void test_policy_value_lookup_unknown(void **state)
{
	for (int k = 0; k < SPAN_NR_KNOBS; k++) {
		assert_int_equal(span_knob_value_lookup(k, "no_such_value"),
				 -ENOENT);
		assert_int_equal(span_knob_value_lookup(k, ""), -ENOENT);
	}
	/* a value of another knob is not a value of this one */
	assert_int_equal(span_knob_value_lookup(SPAN_KNOB_PINCOUNT, "ref"),
			 -ENOENT);
	assert_int_equal(span_knob_value_lookup(SPAN_KNOB_VMSPLICE, "REF"),
			 -ENOENT);
}

static void test_policy_default_is_mainline(void **state)
{
	struct span_policy p;

	poison(&p);
	span_policy_default(&p);
	for (int k = 0; k < SPAN_NR_KNOBS; k++)
		assert_int_equal(p.v[k], 0);
}

static void test_policy_set_each_value(void **state)
{
	struct span_policy p;

	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		const struct knob_expect *e = &knobs[i];

		for (int v = 0; v < e->nr_values; v++) {
			span_policy_default(&p);
			assert_int_equal(span_policy_set(&p, e->name,
							 e->values[v].name),
					 0);
			for (int k = 0; k < SPAN_NR_KNOBS; k++)
				assert_int_equal(p.v[k], k == e->knob ? v : 0);
		}
	}
}

static void test_policy_set_overrides(void **state)
{
	struct span_policy p;

	span_policy_default(&p);
	assert_int_equal(span_policy_set(&p, "vmsplice", "pin"), 0);
	assert_int_equal(span_policy_set(&p, "vmsplice", "copy"), 0);
	assert_int_equal(p.v[SPAN_KNOB_VMSPLICE], SPAN_VMSPLICE_COPY);
	assert_int_equal(span_policy_set(&p, "vmsplice", "ref"), 0);
	assert_int_equal(p.v[SPAN_KNOB_VMSPLICE], SPAN_VMSPLICE_REF);
}

static void test_policy_set_unknown_knob(void **state)
{
	struct span_policy p, before;

	span_policy_default(&p);
	assert_int_equal(span_policy_set(&p, "vmsplice", "pin"), 0);
	before = p;
	assert_int_equal(span_policy_set(&p, "no_such_knob", "ref"), -ENOENT);
	assert_int_equal(span_policy_set(&p, "", "ref"), -ENOENT);
	/* an unknown knob wins over a bad value */
	assert_int_equal(span_policy_set(&p, "no_such_knob", "bogus"), -ENOENT);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_policy_set_bad_value(void **state)
{
	struct span_policy p, before;

	span_policy_default(&p);
	assert_int_equal(span_policy_set(&p, "loopback", "share"), 0);
	before = p;
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
		assert_int_equal(span_policy_set(&p, knobs[i].name, "bogus"),
				 -EINVAL);
		assert_int_equal(span_policy_set(&p, knobs[i].name, ""),
				 -EINVAL);
	}
	/* values belong to their knob */
	assert_int_equal(span_policy_set(&p, "pincount", "pin"), -EINVAL);
	assert_int_equal(span_policy_set(&p, "loopback", "copy"), -EINVAL);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_policy_preset_names(void **state)
{
	int n = 0;

	while (span_preset_name(n)) {
		assert_non_null(span_preset_doc(n));
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(presets));
	assert_null(span_preset_name(-1));
	assert_null(span_preset_doc(-1));
	assert_null(span_preset_doc(n));
	for (size_t i = 0; i < ARRAY_SIZE(presets); i++) {
		int found = 0;

		for (int j = 0; j < n; j++)
			found += !strcmp(span_preset_name(j), presets[i].name);
		assert_int_equal(found, 1);
	}
}

static void test_policy_preset_sets_exactly_its_row(void **state)
{
	struct span_policy p;
	uint8_t want[SPAN_NR_KNOBS];

	for (size_t i = 0; i < ARRAY_SIZE(presets); i++) {
		const struct preset_expect *e = &presets[i];

		memset(want, 0, sizeof(want));
		for (int s = 0; s < e->nr; s++)
			want[e->set[s].knob] = (uint8_t)e->set[s].value;
		/* every knob is set, whatever it held before */
		poison(&p);
		assert_int_equal(span_policy_preset(&p, e->name), 0);
		for (int k = 0; k < SPAN_NR_KNOBS; k++) {
			if (p.v[k] != want[k])
				print_error("preset %s knob %s: %d, want %d\n",
					    e->name, span_knob_name(k), p.v[k],
					    want[k]);
			assert_int_equal(p.v[k], want[k]);
		}
	}
}

static void test_policy_preset_then_override(void **state)
{
	struct span_policy p;

	/* "policy preset = NAME" then single "policy" lines */
	span_policy_default(&p);
	assert_int_equal(span_policy_preset(&p, "proposal-pin"), 0);
	assert_int_equal(span_policy_set(&p, "pincount", "bias"), 0);
	assert_int_equal(p.v[SPAN_KNOB_VMSPLICE], SPAN_VMSPLICE_PIN);
	assert_int_equal(p.v[SPAN_KNOB_ZEROCOPY_GUP], SPAN_ZEROCOPY_GUP_PIN);
	assert_int_equal(p.v[SPAN_KNOB_PINCOUNT], SPAN_PINCOUNT_BIAS);
	/* a later preset replaces every knob */
	assert_int_equal(span_policy_preset(&p, "linux-6.18"), 0);
	for (int k = 0; k < SPAN_NR_KNOBS; k++)
		assert_int_equal(p.v[k], 0);
}

static void test_policy_preset_unknown(void **state)
{
	struct span_policy p, before;

	span_policy_default(&p);
	assert_int_equal(span_policy_set(&p, "cow_reuse", "mapcount"), 0);
	before = p;
	assert_int_equal(span_policy_preset(&p, "linux-9.9"), -ENOENT);
	assert_int_equal(span_policy_preset(&p, ""), -ENOENT);
	assert_int_equal(span_policy_preset(&p, "Linux-6.18"), -ENOENT);
	assert_int_equal(span_policy_preset(&p, "linux-6.1"), -ENOENT);
	assert_memory_equal(&p, &before, sizeof(p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_knob_table_matches_header),
		cmocka_unit_test(test_policy_knob_names),
		cmocka_unit_test(test_policy_knob_out_of_range),
		cmocka_unit_test(test_policy_knob_lookup_unknown),
		cmocka_unit_test(test_policy_value_round_trip),
		cmocka_unit_test(test_policy_value_lookup_unknown),
		cmocka_unit_test(test_policy_default_is_mainline),
		cmocka_unit_test(test_policy_set_each_value),
		cmocka_unit_test(test_policy_set_overrides),
		cmocka_unit_test(test_policy_set_unknown_knob),
		cmocka_unit_test(test_policy_set_bad_value),
		cmocka_unit_test(test_policy_preset_names),
		cmocka_unit_test(test_policy_preset_sets_exactly_its_row),
		cmocka_unit_test(test_policy_preset_then_override),
		cmocka_unit_test(test_policy_preset_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
