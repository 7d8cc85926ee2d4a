// SPDX-License-Identifier: MIT
/*
 * fuzz_scenario.c - libFuzzer target: any text through the .scn parser;
 * what parses (and is small, scn_limits.h) is run once under a random
 * schedule seeded from the input, reported, finished and freed.  Parse
 * errors are fine; a crash, a leak or a sanitizer report is a bug.
 * Not a kernel file.
 */
#include <stdio.h>

#include "run.h"
#include "tests/fuzz/fuzz_alloc.h"
#include "tests/fuzz/fuzz_design.h"
#include "tests/fuzz/scn_limits.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_keep_freed_memory();
	fuzz_design();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_limits lim = { .max_value = 1 << 16, .max_array = 64,
				  .max_ops = 4096, .max_page_size = 1 << 24,
				  .big_page = 1 << 16, .big_page_every = 16,
				  .big_max_ops = 8 };
	struct run_opts o = { .sched = SCHED_RANDOM, .quiet = true,
			      .max_steps = 2000, .design = fuzz_design() };
	struct scn_error err;
	struct scn *s;
	struct run *r;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (scn_parse_string("fuzz.scn", (const char *)data, size, NULL, &s,
			     &err))
		return 0;
	o.seed = scn_input_seed(data, size);
	lim.seed = o.seed >> 32;	/* not the bits the schedule uses first */
	o.out = devnull;
	if (scn_within_limits(s, &lim) && !run_create(s, &o, &r)) {
		run_to_end(r);
		run_finish(r);
		run_passed(r);
		report_text(r, devnull);
		report_json(r, devnull);
		run_destroy(r);
	}
	scn_free(s);
	return 0;
}
