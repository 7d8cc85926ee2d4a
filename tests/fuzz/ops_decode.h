/* SPDX-License-Identifier: MIT */
/*
 * ops_decode.h - structure-aware decoding of fuzz input into a sequence of
 * libspan API operations, shared by fuzz_ops.c and the ops2scn converter.
 *
 * Not a kernel file.  The input is a sequence of fixed-size records of
 * OPS_REC_SIZE bytes: byte 0 is the opcode (modulo OPS_NR), the other bytes
 * are arguments mapped into valid ranges (object indices modulo the number
 * of objects created so far, lengths and offsets bounded by small limits),
 * so almost every input is a valid operation sequence.  A trailing partial
 * record is ignored.  See docs/fuzzing.md.
 *
 * Every operation runs as one step (span_world_step_begin/end) of a world
 * with page_size 64; at the end the harness drops the references and pins
 * it took with get_user_pages and calls span_world_teardown().  The world
 * is then expected to hold no violation at all.
 *
 * With a FILE to print to, the executor also writes the operations it ran
 * as a .scn scenario: one `setup [as PROC]` block per run of operations of
 * the same process, so `spansim run` replays them in the same order.
 */
#ifndef SPAN_FUZZ_OPS_DECODE_H
#define SPAN_FUZZ_OPS_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "span/span.h"

#define OPS_REC_SIZE	8	/* bytes per record */
#define OPS_MAX_RECS	96	/* records beyond this are ignored */

/* Opcodes (byte 0 of a record, modulo OPS_NR). */
enum ops_op {
	OPS_MMAP,	/* a=proc b=pages c=flags d=fill */
	OPS_STORE,	/* a=proc b=region c=off d=len e=byte */
	OPS_LOAD,	/* a=proc b=region c=off d=len */
	OPS_FORK,	/* a=proc */
	OPS_MUNMAP,	/* a=proc b=region */
	OPS_PIPE,	/* a=flags (4: b picks a 1, 2 or 4 slot ring) */
	OPS_CLOSE,	/* a=fd selector */
	OPS_PIPE_SIZE,	/* a=pipe b,c=size */
	OPS_WRITE,	/* a=fd b=flags c=len(x8 if b&4) d=byte|off e=proc f=region */
	OPS_READ,	/* a=fd b=flags c=len (x8 if b&4) */
	OPS_VMSPLICE,	/* a=fd b=flags c=proc d=region e=off f=len */
	OPS_SPLICE,	/* a=in b=out c=flags d=len e=off */
	OPS_TEE,	/* a=in b=out c=flags d=len */
	OPS_FILE,	/* a=flags b=size c=fill */
	OPS_PWRITE,	/* a=file b=off c=len d=byte */
	OPS_GUP,	/* a=proc b=region c=off d=len e=flags */
	OPS_GUP_PUT,	/* a=held index */
	OPS_NR
};

/* Options of a run, from SPAN_FUZZ_POLICY. */
struct ops_config {
	struct span_policy policy;
	uint64_t param[SPAN_NR_PARAMS];
	unsigned char param_set[SPAN_NR_PARAMS];
	unsigned char allow[SPAN_NR_INVARIANTS];	/* allow=NAME */
	int check_mode;		/* check=MODE (enum span_check_mode); 0: default */
	char text[512];		/* the setting as given, for the .scn */
};

/**
 * ops_config_parse - parse "knob=value,preset=NAME,param=value,...".
 * Policy knobs, presets, world parameters (refcount_bits=8,
 * pipe_buffers=4, ...), allow=INVARIANT (turn one invariant off, as a
 * scenario's `allow`: to fuzz past a known model bug) and check=MODE (the
 * checker's mode: incremental, full, or verify, which makes any
 * disagreement of the incremental checker with the full walk a finding)
 * may be mixed; page_size defaults to 64.
 * Return: 0, or -EINVAL (message on stderr).
 */
int ops_config_parse(struct ops_config *cfg, const char *text);

/**
 * ops_run - decode @data and run it on a new world.
 * @cfg: policy and parameters (NULL: defaults, page_size 64).
 * @scn: where to print the .scn scenario of the run, or NULL.
 * @verbose: print every operation and its result on stderr.
 * Return: the number of violations recorded (0 is correct), -ENOMEM
 * when the world could not be created, or OPS_DIVERGED under check=verify
 * when the incremental checker disagreed with the full walk (on stderr).
 */
#define OPS_DIVERGED	(-1000)
int ops_run(const struct ops_config *cfg, const uint8_t *data, size_t size,
	    FILE *scn, int verbose);

/**
 * ops_run_world - ops_run() in @w, which span_world_reset() makes new
 * first and which is left for the next run: the fuzz target's way, with no
 * world created and destroyed per execution.  Return: as ops_run().
 */
int ops_run_world(struct span_world *w, const struct ops_config *cfg,
		  const uint8_t *data, size_t size, FILE *scn, int verbose);

/**
 * ops_mutate - a structure-aware mutation of a record sequence in place:
 * change one argument, the opcode, insert, delete, duplicate or swap
 * records.  @seed drives every choice.  Return: the new size.
 */
size_t ops_mutate(uint8_t *data, size_t size, size_t max_size,
		  unsigned int seed);

/**
 * ops_mutate_nr - ops_mutate() for a record format of @nr_ops opcodes
 * (fuzz_net's, net_decode.h), with the same 8-byte records.  @kin: for
 * each opcode a group, 0 for none; opcodes of one group read their
 * argument bytes alike (read, recv and decrypt: a descriptor, flags, a
 * length), and half of the opcode changes turn an opcode into one of its
 * kin, keeping the arguments' meaning.  NULL: no groups.
 */
size_t ops_mutate_nr(uint8_t *data, size_t size, size_t max_size,
		     unsigned int seed, unsigned int nr_ops,
		     const uint8_t *kin);

/**
 * ops_crossover - a prefix of the records of @d1 followed by a run of
 * records of @d2, written to @out.  Return: the size written.
 */
size_t ops_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2,
		     size_t s2, uint8_t *out, size_t max_out,
		     unsigned int seed);

#endif
