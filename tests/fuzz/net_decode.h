/* SPDX-License-Identifier: MIT */
/*
 * net_decode.h - fuzz input -> a sequence of libspan socket, pipe, file and
 * memory operations and kernel events, for fuzz_net.c.
 *
 * Not a kernel file.  The same record format as ops_decode.h (records of
 * OPS_REC_SIZE bytes, byte 0 the opcode, here modulo NET_NR; at most
 * OPS_MAX_RECS records; arguments mapped into valid ranges), with other
 * opcodes: fuzz_ops' format does not change.  One process (init) acts;
 * kernel events (loopback transmit, delivery, ACK, deferred free) run only
 * when a record says so (NET_EVENT, NET_SETTLE), so the order of socket
 * calls and kernel work is the input's; the rest run at teardown.
 *
 * A descriptor selector byte s (close, read, write, splice, tee) picks by
 * s >> 6: 0 a pipe (the end that fits), 1 a pipe (the other end), 2 a
 * socket, 3 a file; index s & 0x3f modulo the objects of that kind, and
 * the next kind in that order when there is none.  See docs/fuzzing.md.
 */
#ifndef SPAN_FUZZ_NET_DECODE_H
#define SPAN_FUZZ_NET_DECODE_H

#include "ops_decode.h"

enum net_op {
	NET_MMAP,	/* a=pages b=fill c=flags */
	NET_STORE,	/* a=region b=off c=len d=byte */
	NET_PIPE,	/* a=flags (4: b picks a 1, 2 or 4 slot ring) */
	NET_FILE,	/* a=flags (1: ro) b=size c=fill */
	NET_PWRITE,	/* a=file b=off c=len d=byte */
	NET_WRITE,	/* a=fd b=flags c=len (x8 if b&4) d=byte */
	NET_READ,	/* a=fd b=flags c=len (x8 if b&4) */
	NET_VMSPLICE,	/* a=pipe b=flags c=region d=off e=len */
	NET_SPLICE,	/* a=in b=out c=flags d=len e=off */
	NET_TEE,	/* a=in b=out c=flags d=len */
	NET_CLOSE,	/* a=fd */
	NET_SOCKPAIR,	/* a&1: TCP over lo, else AF_UNIX stream */
	NET_SOCKOPT,	/* a=sock b: SO_ZEROCOPY 1 (0 if b&3 == 3) */
	NET_SEND,	/* a=sock b=flags c=len d=byte|off e=source f=index */
	NET_SEND_ZC,	/* a=sock b=flags c=len d=off e=region */
	NET_SEND_KMEM,	/* a=sock b=flags c=len d=off e=kmem */
	NET_RECV,	/* a=sock b=flags c=len (x8 if b&4) */
	NET_ERRQUEUE,	/* a=sock */
	NET_DECRYPT,	/* a=sock c=len (x8 if b&4), as recv */
	NET_KMEM,	/* a=kind (pages, slab, owner) b=size c=fill */
	NET_OWNER_PUT,	/* a=owner */
	NET_EVENT,	/* a=which of the enabled kernel events */
	NET_SETTLE,	/* every pending kernel event, oldest first */
	NET_NR
};

/**
 * net_run_world - decode @data and run it in @w, which
 * span_world_reset_params() makes new first and which is left for the
 * next run.  @cfg: as ops_config_parse() makes it (NULL: defaults, page
 * size 64).  @verbose: every operation and violation on stderr.
 * Return: the number of violations (0 is correct), -errno, or
 * OPS_DIVERGED under check=verify.
 */
int net_run_world(struct span_world *w, const struct ops_config *cfg,
		  const uint8_t *data, size_t size, int verbose);

#endif
