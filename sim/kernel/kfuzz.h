/* SPDX-License-Identifier: MIT */
/*
 * kfuzz.h - the program generator of `spansim kernel --fuzz`.
 *
 * Not a kernel file.  kfuzz_gen() writes a random, well-typed scenario of
 * the operations of op_table[] (ops.def) that the live kernel can run
 * (.kskip NULL), reading each operation's syntax from its struct op_desc:
 * no operation is named here, so a new OP() entry is generated without
 * editing the generator.  fuzz.c runs the programs; docs/differential.md
 * ("Differential fuzzing") has the rules.
 */
#ifndef SPANSIM_KFUZZ_H
#define SPANSIM_KFUZZ_H

#include <stddef.h>
#include <stdint.h>

/**
 * kfuzz_gen - the scenario text of program @index of seed @seed.
 * @seed: the run's seed.
 * @index: the program's number (each program has its own stream).
 * @max_ops: at most this many operations in its thread.
 * @page: the page size its integers are drawn around.
 * @rejected: if not NULL, incremented for every generated statement that
 *	did not parse (dropped, with those that depended on it).
 *
 * The text always parses (scn_parse_string()).
 *
 * Return: the text (malloc'ed, NUL-terminated), or NULL without memory.
 */
char *kfuzz_gen(uint64_t seed, uint64_t index, int max_ops, long page,
		int *rejected);

#endif
