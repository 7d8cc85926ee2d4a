/* SPDX-License-Identifier: MIT */
/*
 * fuzz_inputs.h - walk the checked-in inputs of a fuzz target
 * (tests/fuzz/corpus/NAME, tests/fuzz/regress...), read them, and run them
 * under every checker mode, for the unit tests that replay them
 * (test_api_fuzzcases.c, test_api_fuzznet.c).  Not a kernel file.
 */
#ifndef SPAN_TEST_FUZZ_INPUTS_H
#define SPAN_TEST_FUZZ_INPUTS_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>

#include "span_unit.h"

/* call @fn on every input file in tests/fuzz/@sub; Return: how many */
static int for_each_input(const char *sub, void (*fn)(const char *path))
{
	char dir[4096], path[8192];
	struct dirent *de;
	int count = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s", SPAN_SOURCE_DIR, sub);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fn(path);
		count++;
	}
	closedir(d);
	return count;
}

/* the first @size bytes of the file @path */
static size_t read_input(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

/*
 * @path run by @run under the defaults and every preset, with each checker
 * mode: check=verify finds no disagreement (@diverged is the runner's
 * OPS_DIVERGED), and check=full and check=incremental record as many
 * violations.
 */
static void check_modes_agree(const char *path,
			      int (*run)(const char *path, const char *policy),
			      int diverged)
{
	for (int p = -1; p < 0 || span_preset_name(p); p++) {
		const char *pre = p < 0 ? NULL : span_preset_name(p);
		char pol[256];
		int n[3];

		for (int m = SPAN_CHECK_INCREMENTAL; m <= SPAN_CHECK_VERIFY; m++) {
			snprintf(pol, sizeof(pol), "%s%s%scheck=%s",
				 pre ? "preset=" : "", pre ? pre : "",
				 pre ? "," : "", span_check_mode_name(m));
			n[m - SPAN_CHECK_INCREMENTAL] = run(path, pol);
		}
		if (n[2] == diverged || n[0] != n[1])
			fail_msg("%s under %s: check=incremental %d violations, full %d, verify %d",
				 path, pre ? pre : "the defaults", n[0], n[1],
				 n[2]);
	}
}

#endif
