// SPDX-License-Identifier: MIT
/*
 * page_sizes.c - scenarios at the smallest page size (8), the default
 * (4096) and the largest (16 MiB, 16777216).
 *
 * Each file runs as `spansim run FILE --quiet --set page_size=N` (or
 * `--param PS=N` for the files of tests/scenarios/page_sizes/, whose sizes
 * follow the page size) in its own process.  At every size the run must
 * end with a report (`result:` line), exit 0 or 1, and print no sanitizer
 * report: lib/ keeps no page-sized buffer on the stack, and the scratch
 * slots of the world (lib/internal.h) follow page_size.  Under ASan a
 * scratch slot one byte too small, or one not reallocated when page_size
 * changes, is a heap-buffer-overflow here.  At the default size the file
 * must pass (exit 0).  Where a file's result does not depend on the page
 * size (flags SAME_8, SAME_16M), its expect and invariant verdicts must
 * equal those at the default size; elsewhere sizes in the file (fills of
 * 4096 bytes, pipe capacities in pages, pipe_max_size below 16 pages of 1
 * MiB) change what the expectations mean, and only the first checks apply.
 *
 * The files are chosen so that every user of a scratch slot but two runs
 * at 16 MiB (the two files of tests/scenarios/page_sizes/ reach the ones
 * no file of scenarios/ reaches there; skb_try_coalesce()'s tailroom copy
 * and linear_to_page() are reached by no scenario at any size), and so
 * that the suite stays short under ASan: a 16 MiB page is 80 MiB of data
 * and provenance, 2-3 s a file, so files marked NOT_16M run at 8 and
 * 4096 only.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

#include "spawn.h"

#define SAME_8		1	/* verdicts at page_size 8 as at 4096 */
#define SAME_16M	2	/* verdicts at 16 MiB as at 4096 */
#define PS_PARAM	4	/* a file of tests/scenarios/page_sizes/ */
#define NOT_16M		8	/* skip 16 MiB: another file covers the path */

static const struct {
	const char *file;
	unsigned int flags;
} files[] = {
	/* pipe writes: the merge and the page loop of anon_pipe_write */
	{ "pipe/write-atomic.scn", SAME_8 | SAME_16M },
	{ "pipe/blocking-writer.scn", SAME_8 | NOT_16M },
	{ "pipe/write-merge.scn", SAME_8 },
	{ "pipe/epipe-partial.scn", SAME_8 | NOT_16M },
	/* splice, tee, vmsplice (steal copies), copy_fragment */
	{ "splice/tee-basic.scn", SAME_8 | SAME_16M },
	{ "splice/splice-more-move.scn", SAME_8 | NOT_16M },
	{ "splice/pipe-to-pipe-whole.scn", NOT_16M },
	{ "knobs/pipe-split-copy.scn", SAME_8 | SAME_16M },
	{ "knobs/vmsplice-steal-nogift.scn", SAME_8 | SAME_16M },
	{ "vmsplice-to-user-merged.scn", PS_PARAM | SAME_8 | SAME_16M },
	/* memory */
	{ "mm/vmsplice-fork-store.scn", SAME_8 | SAME_16M },
	{ "mm/fork-cow.scn", 0 },
	/* iter_file_splice_write */
	{ "file/splice-to-file.scn", SAME_8 | SAME_16M },
	/* sockets: tcp copy to the page frag, AF_UNIX head and frags,
	 * skb_splice_bits copy, kmem_send=copy, skb_copy, decrypt */
	{ "net/tcp-send-recv.scn", SAME_8 | SAME_16M },
	{ "net/unix-send-recv.scn", SAME_8 | NOT_16M },
	{ "unix-send-frags.scn", PS_PARAM | SAME_8 | SAME_16M },
	{ "net/sock-splice-copy.scn", SAME_16M },
	{ "net/kmem-send-copy.scn", SAME_8 | SAME_16M },
	{ "net/loopback-copy-all.scn", SAME_8 | SAME_16M },
	{ "net/dirty-frag.scn", SAME_8 | SAME_16M },
};

#define NR_FILES ((int)(sizeof(files) / sizeof(files[0])))

static const char *const sizes[] = { "8", "4096", "16777216" };

#define NR_SIZES ((int)(sizeof(sizes) / sizeof(sizes[0])))
#define DEFAULT_SIZE 1

static char *file_path(int f)
{
	const char *src = getenv("SPAN_SOURCE_DIR");
	char *p;

	if (files[f].flags & PS_PARAM) {
		ck_assert_msg(src && *src, "SPAN_SOURCE_DIR is not set");
		ck_assert(asprintf(&p, "%s/tests/scenarios/page_sizes/%s", src,
				   files[f].file) > 0);
	} else {
		ck_assert(asprintf(&p, "%s/%s", scn_dir(), files[f].file) > 0);
	}
	return p;
}

/* spansim run FILE --quiet at page size @size */
static void run_at(struct out *o, int f, int size)
{
	char *path = file_path(f), *arg;
	bool param = files[f].flags & PS_PARAM;

	ck_assert(asprintf(&arg, "%s=%s", param ? "PS" : "page_size",
			   sizes[size]) > 0);
	run_spansim(o, "run", path, "--quiet", param ? "--param" : "--set",
		    arg, NULL);
	free(arg);
	free(path);
}

/* the verdict lines: `invariants: ...` and every `expect ...` */
static char *verdicts(const char *out)
{
	char *v = calloc(1, 1);
	size_t len = 0;

	for (const char *l = out; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) + 1 : strlen(l);

		if (!strncmp(l, "expect ", 7) || !strncmp(l, "invariants:", 11))
			append(&v, &len, l, n);
		l += n;
	}
	return v;
}

START_TEST(page_size)
{
	int f = _i / NR_SIZES, size = _i % NR_SIZES;
	unsigned int same = size == 0 ? SAME_8 : size == 2 ? SAME_16M : 0;
	struct out o, d;
	char *vo, *vd;

	if (size == 2 && (files[f].flags & NOT_16M))
		return;
	run_at(&o, f, size);
	ck_assert_msg(!strstr(o.err, "Sanitizer") &&
			      !strstr(o.err, "runtime error"),
		      "%s at page_size %s: sanitizer report\n%s", files[f].file,
		      sizes[size], o.err);
	ck_assert_msg(o.status == 0 || o.status == 1,
		      "%s at page_size %s: exit %d\n%s%s", files[f].file,
		      sizes[size], o.status, o.out, o.err);
	ck_assert_msg(strstr(o.out, "\nresult: "),
		      "%s at page_size %s: no result line\n%s%s", files[f].file,
		      sizes[size], o.out, o.err);
	if (size == DEFAULT_SIZE)
		ck_assert_msg(o.status == 0, "%s fails at the default size\n%s",
			      files[f].file, o.out);
	if (files[f].flags & same) {
		run_at(&d, f, DEFAULT_SIZE);
		vo = verdicts(o.out);
		vd = verdicts(d.out);
		ck_assert_msg(o.status == d.status && !strcmp(vo, vd),
			      "%s: exit %d at page_size %s, %d at %s\n%s---\n%s",
			      files[f].file, o.status, sizes[size], d.status,
			      sizes[DEFAULT_SIZE], vo, vd);
		free(vo);
		free(vd);
		out_free(&d);
	}
	out_free(&o);
}
END_TEST

static Suite *page_sizes_suite(void)
{
	Suite *s = suite_create("page_sizes");
	TCase *tc = tcase_create("page_sizes");

	/* a 16 MiB run takes about 2 s under ASan */
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, page_size, 0, NR_FILES * NR_SIZES);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!getenv("SPANSIM") || !getenv("SPAN_SCENARIO_DIR") ||
	    !getenv("SPAN_SOURCE_DIR")) {
		fprintf(stderr, "page_sizes: SPANSIM, SPAN_SCENARIO_DIR and SPAN_SOURCE_DIR must be set\n");
		return 1;
	}
	sr = srunner_create(page_sizes_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
