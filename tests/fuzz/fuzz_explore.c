// SPDX-License-Identifier: MIT
/*
 * fuzz_explore.c - libFuzzer target: tiny scenarios through the explorer
 * (every schedule, at most 500 states, DPOR, sleep sets or no reduction
 * and a preemption bound chosen from the input; page_size up to 1 MiB).
 * Must never crash, leak or trip a sanitizer.  And an oracle: when the
 * unreduced search of an input completes, DPOR and the sleep-set search
 * must give the same verdicts, or the target aborts (an unsound
 * reduction is a finding).  Not a kernel file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
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

/* the verdicts of a search, as a comparable string; NULL if incomplete */
static char *verdicts(const struct scn *s, int reduction, int max_states)
{
	struct explore_opts o = { .max_states = (uint64_t)max_states,
				  .preemptions = -1, .reduction = reduction,
				  .design = fuzz_design() };
	struct explore_result res;
	char *v, *p;

	if (explore_run(s, &o, &res))
		return NULL;
	v = p = calloc(1, (size_t)(s->nr_expects + 2 * s->nr_exists +
				   s->nr_always + SPAN_NR_INVARIANTS) + 4);
	if (v && res.stop == EXPLORE_COMPLETE) {
		for (int i = 0; i < s->nr_expects; i++)
			*p++ = res.expects[i].no || res.expects[i].error ? 'F' : 'h';
		for (int i = 0; i < s->nr_exists; i++) {
			*p++ = res.exists[i].yes ? 'y' : '-';
			*p++ = res.exists[i].no || res.exists[i].error ? 'n' : '-';
		}
		for (int i = 0; i < s->nr_always; i++)
			*p++ = res.always[i].no ? 'F' : 'h';
		for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
			*p++ = res.viol[i] ? 'V' : '-';
		*p++ = res.errors ? 'E' : '-';
		*p++ = res.missed_violation ? 'M' : '-';
	} else {
		free(v);
		v = NULL;
	}
	explore_result_free(s, &res);
	return v;
}

/* abort when a reduction changes a verdict of a complete search */
static void oracle(const struct scn *s, int max_states)
{
	char *none = verdicts(s, EXPLORE_RED_NONE, max_states);

	if (none) {
		for (int red = EXPLORE_RED_DPOR; red <= EXPLORE_RED_SLEEP; red++) {
			char *v = verdicts(s, red, 100 * max_states);

			if (v && strcmp(v, none)) {
				fprintf(stderr, "fuzz_explore: reduction %d gives %s, the unreduced search %s\n",
					red, v, none);
				abort();
			}
			free(v);
		}
	}
	free(none);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_limits lim = { .max_value = 1 << 12, .max_array = 8,
				  .max_ops = 64, .max_page_size = 1 << 20,
				  .big_page = 1 << 12, .big_page_every = 64,
				  .big_max_ops = 4 };
	struct explore_opts o = { .max_states = 500, .preemptions = -1,
				  .design = fuzz_design() };
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
	o.reduction = (int)((seed >> 8) % 3);
	o.shrink = (seed & 6) == 0;
	if (seed & 8)
		o.preemptions = (int)(seed >> 4) % 3;
	if (scn_within_limits(s, &lim) && !explore_run(s, &o, &res)) {
		explore_passed(s, &res);
		explore_report(s, &o, &res, seed & 16, devnull);
		explore_result_free(s, &res);
		if ((seed & 32) && o.max_states > 8)
			oracle(s, 500);
	}
	scn_free(s);
	return 0;
}
