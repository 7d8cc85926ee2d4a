// SPDX-License-Identifier: MIT
/*
 * test_api_fuzznet.c - the fuzz_net corpus and planted-bug inputs as
 * regression tests.
 *
 * Every seed of tests/fuzz/corpus/fuzz_net/ runs through the fuzz_net
 * executor (net_decode.h) and must break no invariant under the defaults,
 * with the incremental checker and the full walk agreeing under every
 * preset; each input of tests/fuzz/regress-net/ breaks its invariant under
 * its planted bug's policy and none under the defaults.  Not a kernel file.
 */
#include <stdlib.h>

#include "span_unit.h"
#include "fuzz_inputs.h"
#include "tests/fuzz/net_decode.c"

static struct span_world *tw;

/*
 * run @path under @policy (NULL: the defaults) in a new world, left in
 * @tw for the caller to look at.  Return: violations.
 */
static int run_input(const char *path, const char *policy)
{
	static uint8_t buf[OPS_REC_SIZE * OPS_MAX_RECS];
	struct ops_config cfg;
	size_t n = read_input(path, buf, sizeof(buf));

	assert_int_equal(ops_config_parse(&cfg, policy), 0);
	span_world_destroy(tw);
	tw = NULL;
	assert_int_equal(span_world_create(&tw, NULL, NULL), 0);
	return net_run_world(tw, &cfg, buf, n, 0);
}

/*
 * the regression input @file of tests/fuzz/regress-net/ breaks nothing
 * under the defaults nor under @policy
 */
static void regress_clean(const char *file, const char *policy)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/fuzz/regress-net/%s",
		 SPAN_SOURCE_DIR, file);
	assert_int_equal(run_input(path, NULL), 0);
	assert_int_equal(run_input(path, policy), 0);
}

static void input_default(const char *path)
{
	if (run_input(path, NULL))
		fail_msg("%s breaks an invariant under the defaults "
			 "(SPAN_FUZZ_VERBOSE=1 fuzz_net %s)", path, path);
}

static void test_fuzznet_corpus_default(void **state)
{
	(void)state;
	assert_true(for_each_input("corpus/fuzz_net", input_default) >= 20);
}

/* @path under the defaults and every preset, with each checker mode */
static void input_check_modes(const char *path)
{
	check_modes_agree(path, run_input, OPS_DIVERGED);
}

static void test_fuzznet_check_modes(void **state)
{
	(void)state;
	assert_true(for_each_input("corpus/fuzz_net", input_check_modes) >= 20);
	assert_true(for_each_input("regress-net", input_check_modes) >= 6);
}

/* the hand-written exploits of the planted net bugs (bench/fuzz_find.sh) */
static void test_fuzznet_planted(void **state)
{
	static const struct {
		const char *file, *policy, *inv;
	} cases[] = {
		{ "kmem_send_ref.net", "kmem_send=ref", "get-on-frozen" },
		{ "loopback_share.net", "loopback=share",
		  "premature-completion" },
		{ "fragnesia.net", "skb_shared_frag=drop_on_coalesce",
		  "page-cache-write" },
		{ "dirty_frag.net", "skb_shared_frag=ignore",
		  "page-cache-write" },
		{ "dirtyclone.net", "skb_shared_frag=drop_on_copy,tcp_retransmit=1",
		  "page-cache-write" },
	};
	char path[4096];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(path, sizeof(path), "%s/tests/fuzz/regress-net/%s",
			 SPAN_SOURCE_DIR, cases[i].file);
		assert_int_equal(run_input(path, NULL), 0);
		assert_true(run_input(path, cases[i].policy) > 0);
		assert_string_equal(span_invariant_name(span_world_violation(tw, 0)->inv),
				    cases[i].inv);
		/* DirtyClone's knob does not act without a late segment */
		assert_int_equal(run_input(path, "skb_shared_frag=drop_on_copy"), 0);
		/* nor does a late segment break anything under mainline's */
		assert_int_equal(run_input(path, "tcp_retransmit=1"), 0);
	}
}

/*
 * Found by fuzz_net under the defaults: a page vmspliced into a pipe and
 * then sent with MSG_ZEROCOPY is no premature-completion when the send
 * completes (the pipe buffer is the user's own reference).
 */
static void test_fuzznet_zc_vmsplice(void **state)
{
	(void)state;
	regress_clean("zc_vmsplice_same_page.net", "vmsplice=pin");
}

/*
 * Found by fuzz_net (a Fragnesia run): a user page vmspliced into a pipe,
 * spliced into TCP and out of the peer into a second pipe, then sent with
 * MSG_ZEROCOPY: the second pipe's buffer came from the earlier splice, not
 * from the zerocopy skb, so the completion is no premature-completion.
 * Under loopback=share a buffer spliced from the zerocopy skb still is
 * (test_fuzznet_planted, loopback_share.net).
 */
static void test_fuzznet_zc_after_splice(void **state)
{
	(void)state;
	regress_clean("zc_after_splice_same_page.net", "vmsplice=pin");
}

/*
 * The opcode mutation of ops_mutate_nr(): half of its changes go to an
 * opcode of the same group (net_kin), so a recv becomes a decrypt (the
 * last step of Fragnesia) far more often than one change in NET_NR.
 */
static void test_fuzznet_kin_mutation(void **state)
{
	unsigned int to[NET_NR] = { 0 };
	unsigned int runs = 6000;

	(void)state;
	for (unsigned int seed = 0; seed < runs; seed++) {
		uint8_t rec[OPS_REC_SIZE * 2] = { NET_RECV, 1, 2, 3, 4, 5, 6, 7 };
		uint8_t orig[sizeof(rec)];
		size_t n;

		memcpy(orig, rec, sizeof(rec));
		n = ops_mutate_nr(rec, OPS_REC_SIZE, sizeof(rec), seed, NET_NR,
				  net_kin);
		if (n == OPS_REC_SIZE && !memcmp(rec + 1, orig + 1, OPS_REC_SIZE - 1))
			to[rec[0] % NET_NR]++;
	}
	/* about runs / 6 opcode changes: a twelfth to each of two kin */
	assert_true(to[NET_DECRYPT] > runs / 40);
	assert_true(to[NET_READ] > runs / 40);
	/* a random opcode: about runs / 12 / NET_NR each */
	assert_true(to[NET_SEND] < runs / 40);
}

/*
 * Found by fuzz_net under the defaults: a read-only file's page spliced
 * into AF_UNIX and decrypted in place by the peer wrote the page cache;
 * decrypt is a TCP consumer (-EOPNOTSUPP on AF_UNIX).
 */
static void test_fuzznet_unix_decrypt(void **state)
{
	(void)state;
	regress_clean("unix_decrypt.net", "skb_shared_frag=ignore");
}

static int teardown(void **state)
{
	(void)state;
	span_world_destroy(tw);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzznet_corpus_default),
		cmocka_unit_test(test_fuzznet_planted),
		cmocka_unit_test(test_fuzznet_zc_vmsplice),
		cmocka_unit_test(test_fuzznet_unix_decrypt),
		cmocka_unit_test(test_fuzznet_zc_after_splice),
		cmocka_unit_test(test_fuzznet_kin_mutation),
		cmocka_unit_test(test_fuzznet_check_modes),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
