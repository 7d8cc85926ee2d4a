// SPDX-License-Identifier: MIT
/*
 * test_api_fuzzreuse.c - fuzz_ops runs every execution in one world, reset
 * before each (ops_run_world(), span_world_reset()); that must change
 * nothing.  Every input of tests/fuzz/corpus/fuzz_ops/ and
 * tests/fuzz/regress/, and random inputs, under the defaults and every
 * preset, one after the other in the same world, give the same violation
 * count and the same printed scenario (which carries every operation's
 * result) as a new world each.  Not a kernel file.
 */
#include <dirent.h>
#include <stdlib.h>

#include "span_unit.h"
#include "tests/fuzz/ops_decode.c"

struct run_out {
	int nviol;
	char *text;
	size_t len;
};

static void run_one_input(struct span_world *w, const char *policy,
			  const uint8_t *buf, size_t n, struct run_out *o)
{
	struct ops_config cfg;
	FILE *f;

	assert_int_equal(ops_config_parse(&cfg, policy), 0);
	o->text = NULL;
	o->len = 0;
	f = open_memstream(&o->text, &o->len);
	assert_non_null(f);
	o->nviol = w ? ops_run_world(w, &cfg, buf, n, f, 0) :
		       ops_run(&cfg, buf, n, f, 0);
	fclose(f);
}

/* @buf under every policy, in @w and in new worlds: the same */
static int compare_input(struct span_world *w, const char *what,
			 const uint8_t *buf, size_t n)
{
	char pol[256];
	int count = 0;

	for (int p = -1; p < 0 || span_preset_name(p); p++) {
		const char *pre = p < 0 ? NULL : span_preset_name(p);
		struct run_out a, b;

		snprintf(pol, sizeof(pol), "preset=%s", pre ? pre : "");
		run_one_input(NULL, pre ? pol : NULL, buf, n, &a);
		run_one_input(w, pre ? pol : NULL, buf, n, &b);
		if (a.nviol != b.nviol || a.len != b.len ||
		    memcmp(a.text, b.text, a.len))
			fail_msg("%s under %s: a new world gives %d violations and\n%s\n"
				 "the reused world %d and\n%s", what,
				 pre ? pre : "the defaults", a.nviol, a.text,
				 b.nviol, b.text);
		free(a.text);
		free(b.text);
		count++;
	}
	return count;
}

static void test_fuzzreuse_inputs(void **state)
{
	static const char *const dirs[] = { "corpus/fuzz_ops", "regress" };
	static uint8_t buf[OPS_REC_SIZE * OPS_MAX_RECS];
	char dir[4096], path[8192];
	struct span_world *w = world_new();
	uint32_t x = 14;
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
			FILE *f;
			size_t n;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			f = fopen(path, "rb");
			assert_non_null(f);
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			count += compare_input(w, path, buf, n);
		}
		closedir(d);
	}
	/* random records: most decode into valid operations */
	for (int i = 0; i < 200; i++) {
		size_t n;

		x = x * 1103515245u + 12345u;
		n = (x >> 8) % sizeof(buf);
		for (size_t j = 0; j < n; j++) {
			x = x * 1103515245u + 12345u;
			buf[j] = (uint8_t)(x >> 16);
		}
		snprintf(path, sizeof(path), "random input %d", i);
		count += compare_input(w, path, buf, n);
	}
	span_world_destroy(w);
	assert_true(count >= 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzzreuse_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
