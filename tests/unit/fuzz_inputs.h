/* SPDX-License-Identifier: MIT */
/*
 * fuzz_inputs.h - walk the checked-in inputs of a fuzz target
 * (tests/fuzz/corpus/NAME, tests/fuzz/regress...), for the unit tests that
 * replay them (test_api_fuzzcases.c, test_api_fuzznet.c).  Not a kernel
 * file.
 */
#ifndef SPAN_TEST_FUZZ_INPUTS_H
#define SPAN_TEST_FUZZ_INPUTS_H

#include <dirent.h>
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

#endif
