// SPDX-License-Identifier: MIT
/*
 * test_api_fuzzcases.c - the fuzz_ops corpus as regression tests.
 *
 * Every seed of tests/fuzz/corpus/fuzz_ops/ runs through the fuzz_ops
 * executor (tests/fuzz/ops_decode.c) under the default policies and must
 * break no invariant; the inputs of tests/fuzz/regress/ are findings of
 * the planted-bug experiment (docs/fuzzing.md) and must break theirs under
 * the old behaviour of the knob and nothing under the default.  The
 * executor also prints each input as a .scn scenario; that text must
 * parse.  Not a kernel file.
 */
#include <stdlib.h>

#include "span_unit.h"
#include "fuzz_inputs.h"
#include "scn.h"
#include "tests/fuzz/ops_decode.c"

/* run @path under @policy; check the violations and that the .scn parses */
static int run_input(const char *path, const char *policy)
{
	static uint8_t buf[OPS_REC_SIZE * OPS_MAX_RECS];
	struct ops_config cfg;
	struct scn *s = NULL;
	struct scn_error err;
	char *text = NULL;
	size_t len = 0, n = read_input(path, buf, sizeof(buf));
	FILE *out = open_memstream(&text, &len);
	int nviol;

	assert_int_equal(ops_config_parse(&cfg, policy), 0);
	assert_non_null(out);
	nviol = ops_run(&cfg, buf, n, out, 0);
	fclose(out);
	if (scn_parse_string(path, text, len, NULL, &s, &err)) {
		char msg[600];

		scn_error_format(&err, msg, sizeof(msg));
		fail_msg("%s: the converted scenario does not parse: %s", path,
			 msg);
	}
	scn_free(s);
	free(text);
	return nviol;
}

static void input_default(const char *path)
{
	if (run_input(path, NULL))
		fail_msg("%s breaks an invariant under the defaults "
			 "(SPAN_FUZZ_PRINT_SCN=1 fuzz_ops %s)", path, path);
}

static void test_fuzzcases_corpus_default(void **state)
{
	(void)state;
	assert_true(for_each_input("corpus/fuzz_ops", input_default) >= 20);
}

/* run the bytes of @path under @policy (NULL: the defaults) */
static int run_quiet(const char *path, const char *policy)
{
	static uint8_t buf[OPS_REC_SIZE * OPS_MAX_RECS];
	struct ops_config cfg;
	size_t n = read_input(path, buf, sizeof(buf));

	assert_int_equal(ops_config_parse(&cfg, policy), 0);
	return ops_run(&cfg, buf, n, NULL, 0);
}

/* @path under the defaults and every preset, with each checker mode */
static void input_check_modes(const char *path)
{
	check_modes_agree(path, run_quiet, OPS_DIVERGED);
}

/*
 * Issue 14: the incremental checker and the full walk agree on every input
 * of the corpus and the planted bugs' inputs, under the defaults and every
 * preset: check=verify finds no disagreement, and check=full and
 * check=incremental record as many violations.
 */
static void test_fuzzcases_check_modes(void **state)
{
	(void)state;
	assert_true(for_each_input("corpus/fuzz_ops", input_check_modes) >= 20);
	assert_true(for_each_input("regress", input_check_modes) >= 2);
}

static void test_fuzzcases_planted(void **state)
{
	static const struct {
		const char *file, *policy;
	} cases[] = {
		{ "pipe_link_merge_keep.ops", "pipe_link_merge=keep" },
		{ "pipe_buf_init_stale.ops", "pipe_buf_init=stale" },
	};
	char path[4096];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(path, sizeof(path), "%s/tests/fuzz/regress/%s",
			 SPAN_SOURCE_DIR, cases[i].file);
		assert_int_equal(run_input(path, NULL), 0);
		assert_true(run_input(path, cases[i].policy) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzzcases_corpus_default),
		cmocka_unit_test(test_fuzzcases_planted),
		cmocka_unit_test(test_fuzzcases_check_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
