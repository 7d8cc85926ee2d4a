/* SPDX-License-Identifier: MIT */
/*
 * ops.h - the table of operations (ops.def): one description per operation
 * of the scenario language, read by the parser, the model runner, the
 * live-kernel runner and `spansim list ops`.
 *
 * Not a kernel file.  Each operation has a model half (op_<fn>_model(),
 * which calls libspan) and a live-kernel half (op_<fn>_kernel(), which
 * makes the real system calls), both in the file of its family:
 * ops/mm.c, ops/file.c, ops/pipe.c, ops/splice.c, ops/net.c.
 */
#ifndef SPANSIM_OPS_H
#define SPANSIM_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "scn.h"

struct run;
struct thread;
struct kctx;
struct rec;
struct amsg;

/* What the model half of an operation did. */
enum op_res {
	OP_DONE,	/* finished: result in *ret */
	OP_PROGRESS,	/* made progress, not finished (all, or a write that
			 * will sleep): a step, the op stays current */
	OP_SLEEP,	/* made progress and sleeps */
	OP_BLOCKED,	/* would sleep, nothing done: not a step */
	OP_FAIL,	/* run-time error (the runner's error message) */
};

/* The symbol kinds an operand accepts (struct op_desc.obj, .data). */
#define KIND(k) (1u << SCN_SYM_##k)
#define FD_KINDS (KIND(PIPE) | KIND(FILE) | KIND(SOCK))

/* struct op_desc.flags */
#define OPF_BLOCKS (1u << 0)	/* may sleep (pipe, socket or errqueue wait) */
#define OPF_NET (1u << 1)	/* needs the network model */
#define OPF_CLOSES (1u << 2)	/* ends its object operands' handles: a
				 * later use of the name is a stale handle
				 * (docs/deviations.md); the differential
				 * fuzzer does not use them again */

/*
 * The words of a 'w' operand (struct op_desc.words), NULL-terminated: the
 * operand is an integer, the index of the word written.
 */
#define OP_WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/**
 * struct op_desc - one operation (see ops.def for the fields).
 * @model: execute @op for thread @t on the model; the result in *@ret.
 * @kernel: execute the operation of record @rc with real system calls
 *	inside a live-kernel agent; the result in @res, bytes in *@data.
 */
struct op_desc {
	const char *name;
	const char *family;
	const char *kfunc;
	const char *syscall;
	const char *doc;
	const char *sig;
	const char *const *words;
	unsigned int obj[2];
	unsigned int data;
	unsigned int mods;
	int decl;
	bool result;
	unsigned int flags;
	const char *kskip;
	unsigned int kskip_mods;
	const char *kskip_mods_why;
	enum op_res (*model)(struct run *r, struct thread *t,
			     const struct scn_op *op, int64_t *ret);
	void (*kernel)(struct kctx *k, struct rec *rc, struct amsg *res,
		       char **data);
};

extern const struct op_desc op_table[SCN_NR_OPS];

/** op_desc - the description of operation @kind, or NULL. */
const struct op_desc *op_desc(int kind);
/** op_lookup - the operation called @name (@len bytes), or -1. */
int op_lookup(const char *name, size_t len);
/** op_signature - "vmsplice PIPE MEM OFF LEN [gift] [nonblock]" into @buf. */
void op_signature(const struct op_desc *d, char *buf, size_t n);

/* the two halves of every operation */
#define OP(id, fn, ...)                                                   \
	enum op_res op_##fn##_model(struct run *r, struct thread *t,      \
				    const struct scn_op *op, int64_t *ret); \
	void op_##fn##_kernel(struct kctx *k, struct rec *rc,             \
			      struct amsg *res, char **data);
#include "ops.def"
#undef OP

#endif
