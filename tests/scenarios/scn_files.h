/* SPDX-License-Identifier: MIT */
/*
 * scn_files.h - every .scn file under scenarios/ and tests/ of the source
 * tree ($SPAN_SOURCE_DIR): the corpus the whole-corpus comparisons of
 * check_modes.c and design_presets.c run over (explore_dpor.c walks
 * scenarios/ alone with collect()).
 */
#ifndef SPANSIM_TEST_SCN_FILES_H
#define SPANSIM_TEST_SCN_FILES_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nr_files;
static char *files[2048];

/* an nftw() callback: every .scn file into files[] */
static inline int collect(const char *path, const struct stat *st, int type,
			  struct FTW *ftw)
{
	size_t l = strlen(path);

	(void)st;
	(void)ftw;
	if (type == FTW_F && l > 4 && !strcmp(path + l - 4, ".scn") &&
	    nr_files < 2048)
		files[nr_files++] = strdup(path);
	return 0;
}

/* fill files[]: once; fails the test on a missing or moved directory */
static inline void collect_all(void)
{
	const char *src = getenv("SPAN_SOURCE_DIR");
	char dir[4096];

	if (nr_files)
		return;
	ck_assert_msg(src && *src, "SPAN_SOURCE_DIR is not set");
	snprintf(dir, sizeof(dir), "%s/scenarios", src);
	ck_assert_int_eq(nftw(dir, collect, 16, FTW_PHYS), 0);
	/* every scenario, and not an empty or a moved directory */
	ck_assert_int_gt(nr_files, 140);
	snprintf(dir, sizeof(dir), "%s/tests", src);
	ck_assert_int_eq(nftw(dir, collect, 16, FTW_PHYS), 0);
	/* the language suites, the malformed inputs, the fuzz corpora */
	ck_assert_int_gt(nr_files, 340);
}

#endif /* SPANSIM_TEST_SCN_FILES_H */
