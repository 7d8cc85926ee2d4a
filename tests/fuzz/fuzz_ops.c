// SPDX-License-Identifier: MIT
/*
 * fuzz_ops.c - libFuzzer target: bytes -> a sequence of libspan operations
 * (ops_decode.h) on a small world, then teardown.  Under the default
 * policies every violation is a bug of the model: the target traps.
 *
 * Not a kernel file.  Environment:
 *   SPAN_FUZZ_POLICY="knob=value,preset=NAME,refcount_bits=8,..."  run
 *	under other policies or world parameters (experiments, docs/fuzzing.md)
 *   SPAN_FUZZ_PRINT_SCN=1  print each input as a .scn scenario on stdout
 *   SPAN_FUZZ_VERBOSE=1    print every operation on stderr
 *   SPANSIM_DESIGN=NAME|FILE.so  run under that design (span/design.h)
 */
#include <stdlib.h>

/* Each fuzz target is built from one source file: take the decoder here. */
#include "tests/fuzz/ops_decode.c"
#include "tests/fuzz/fuzz_alloc.h"
#include "tests/fuzz/fuzz_design.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static struct ops_config cfg;
static int print_scn, verbose;
/* one world for every execution, reset before each (span_world_reset) */
static struct span_world *world;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (ops_config_parse(&cfg, getenv("SPAN_FUZZ_POLICY")))
		abort();
	print_scn = getenv("SPAN_FUZZ_PRINT_SCN") != NULL;
	verbose = getenv("SPAN_FUZZ_VERBOSE") != NULL;
	fuzz_keep_freed_memory();
	if (span_world_create(&world, NULL, NULL))
		abort();
	if (span_world_set_design(world, fuzz_design()))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int nviol = ops_run_world(world, &cfg, data, size,
				  print_scn ? stdout : NULL, verbose);

	if (print_scn) {
		fflush(stdout);
		print_scn = 0;	/* libFuzzer may run an input twice */
	}
	if (nviol)
		__builtin_trap();	/* a broken invariant: a model bug */
	return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	if (seed % 4 == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	return ops_mutate(data, size, max_size, seed / 4);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1,
				 const uint8_t *d2, size_t s2, uint8_t *out,
				 size_t max_out, unsigned int seed)
{
	return ops_crossover(d1, s1, d2, s2, out, max_out, seed);
}
