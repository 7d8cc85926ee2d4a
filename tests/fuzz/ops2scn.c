// SPDX-License-Identifier: MIT
/*
 * ops2scn.c - turn a fuzz_ops input (a crash artifact, a corpus file) into
 * a readable .scn scenario that `spansim run` replays.  Not a kernel file.
 *
 *   cc -Iinclude -Itests/fuzz tests/fuzz/ops2scn.c tests/fuzz/ops_decode.c \
 *	-Lbuild -lspan -lxxhash -o ops2scn
 *   SPAN_FUZZ_POLICY=pipe_buf_init=stale ./ops2scn crash-XXXX > bug.scn
 *   spansim run bug.scn
 *
 * The same output comes from the fuzz target itself:
 *   SPAN_FUZZ_PRINT_SCN=1 build-fuzz/fuzz_ops crash-XXXX
 * Exit status: 0 when the input breaks no invariant, 1 when it does,
 * 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ops_decode.h"

int main(int argc, char **argv)
{
	static uint8_t buf[OPS_REC_SIZE * OPS_MAX_RECS];
	struct ops_config cfg;
	size_t n;
	FILE *f;
	int nviol;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FUZZ_OPS_INPUT > OUT.scn\n"
			"  (SPAN_FUZZ_POLICY=\"knob=value,...\" as for fuzz_ops)\n",
			argv[0]);
		return 2;
	}
	if (ops_config_parse(&cfg, getenv("SPAN_FUZZ_POLICY")))
		return 2;
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	nviol = ops_run(&cfg, buf, n, stdout, getenv("SPAN_FUZZ_VERBOSE") != NULL);
	if (nviol < 0)
		return 2;
	return nviol ? 1 : 0;
}
