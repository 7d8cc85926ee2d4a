// SPDX-License-Identifier: MIT
/*
 * fuzz_explore.c - libFuzzer target: tiny scenarios through the explorer
 * (every schedule, at most 500 states, sleep sets on or off and a
 * preemption bound chosen from the input; page_size up to 1 MiB).  Must
 * never crash, leak or trip a sanitizer.  Not a kernel file.
 */
#include <stdio.h>

#include "explore.h"
#include "tests/fuzz/scn_limits.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_limits lim = { .max_value = 1 << 12, .max_array = 8,
				  .max_ops = 64, .max_page_size = 1 << 20,
				  .big_page = 1 << 12, .big_page_every = 64,
				  .big_max_ops = 4 };
	struct explore_opts o = { .max_states = 500, .preemptions = -1 };
	struct explore_result res = { 0 };
	uint64_t seed = scn_input_seed(data, size);
	struct scn *s;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (scn_parse_string("fuzz.scn", (const char *)data, size, NULL, &s,
			     NULL))
		return 0;
	lim.seed = seed >> 32;
	/*
	 * Every state on the path is a snapshot (5 bytes per byte of each
	 * page): with big pages, a few states.  Pages stop at 1 MiB here;
	 * at 16 MiB eight states of a TCP scenario passed libFuzzer's 2 GB
	 * RSS limit (fuzz_scenario covers the sizes above).
	 */
	for (int i = 0; i < s->nr_sets; i++)
		if (s->sets[i].param == SPAN_PARAM_PAGE_SIZE &&
		    s->sets[i].value > lim.big_page)
			o.max_states = 8;
	o.no_reduction = seed & 1;
	o.shrink = (seed & 6) == 0;
	if (seed & 8)
		o.preemptions = (int)(seed >> 4) % 3;
	if (scn_within_limits(s, &lim) && !explore_run(s, &o, &res)) {
		explore_passed(s, &res);
		explore_report(s, &o, &res, seed & 16, devnull);
		explore_result_free(s, &res);
	}
	scn_free(s);
	return 0;
}
