/* SPDX-License-Identifier: MIT */
/*
 * fuzz_design.h - SPANSIM_DESIGN=NAME|FILE.so: every fuzz target runs its
 * executions under that design (span/design.h, `spansim --design`); unset,
 * under the default design, knobs.  A design that cannot be loaded stops
 * the target at start with the reason and exit status 2.
 */
#ifndef SPAN_FUZZ_DESIGN_H
#define SPAN_FUZZ_DESIGN_H

#include <stdio.h>
#include <stdlib.h>

#include "run.h"

static const struct span_design_ops *fuzz_design(void)
{
	static struct run_design d;
	static int loaded;
	const char *spec = getenv("SPANSIM_DESIGN");
	char err[1024];

	if (loaded)
		return d.ops;
	loaded = 1;
	if (!spec || !*spec)
		return NULL;
	if (run_design_load(spec, &d, err, sizeof(err))) {
		fprintf(stderr, "SPANSIM_DESIGN: %s\n", err);
		exit(2);
	}
	fprintf(stderr, "SPANSIM_DESIGN: design %s\n", d.desc);
	return d.ops;
}

#endif /* SPAN_FUZZ_DESIGN_H */
