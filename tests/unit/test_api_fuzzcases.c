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
#include <dirent.h>
#include <stdlib.h>

#include "span_unit.h"
#include "scn.h"
#include "tests/fuzz/ops_decode.c"

static size_t read_input(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

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

static void test_fuzzcases_corpus_default(void **state)
{
	char dir[4096], path[8192];
	struct dirent *de;
	int count = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/fuzz_ops",
		 SPAN_SOURCE_DIR);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (run_input(path, NULL))
			fail_msg("%s breaks an invariant under the defaults "
				 "(SPAN_FUZZ_PRINT_SCN=1 fuzz_ops %s)", path, path);
		count++;
	}
	closedir(d);
	assert_true(count >= 20);
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

/*
 * Issue 14: the incremental checker and the full walk agree on every input
 * of the corpus and the planted bugs' inputs, under the defaults and every
 * preset: check=verify finds no disagreement, and check=full and
 * check=incremental record as many violations.
 */
static void test_fuzzcases_check_modes(void **state)
{
	static const char *const dirs[] = { "corpus/fuzz_ops", "regress" };
	char dir[4096], path[8192], pol[256];
	int count = 0;

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(dirs); k++) {
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s", SPAN_SOURCE_DIR,
			 dirs[k]);
		d = opendir(dir);
		assert_non_null(d);
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			for (int p = -1; p < 0 || span_preset_name(p); p++) {
				const char *pre = p < 0 ? NULL : span_preset_name(p);
				int full, inc, ver;

				snprintf(pol, sizeof(pol), "%s%s,check=full",
					 pre ? "preset=" : "", pre ? pre : "");
				full = run_quiet(path, pol + (pre ? 0 : 1));
				snprintf(pol, sizeof(pol), "%s%s,check=incremental",
					 pre ? "preset=" : "", pre ? pre : "");
				inc = run_quiet(path, pol + (pre ? 0 : 1));
				snprintf(pol, sizeof(pol), "%s%s,check=verify",
					 pre ? "preset=" : "", pre ? pre : "");
				ver = run_quiet(path, pol + (pre ? 0 : 1));
				if (ver == OPS_DIVERGED || full != inc)
					fail_msg("%s under %s: check=full %d violations, incremental %d, verify %d",
						 path, pre ? pre : "the defaults",
						 full, inc, ver);
				count++;
			}
		}
		closedir(d);
	}
	assert_true(count >= 20);
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
