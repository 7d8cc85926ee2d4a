/* SPDX-License-Identifier: MIT */
/*
 * cond.h - the one evaluator of `expect` and `exists` conditions.
 *
 * Not a kernel file.  The model runner (run.c) and the live-kernel runner
 * (kernel.c) evaluate the same conditions over different states: each gives
 * a struct cond_ops that reads labels, variables, files, memory and
 * completions from its own side.  Everything else - arithmetic, repeat(),
 * comparisons, the treatment of operations that never completed - is here,
 * once.
 */
#ifndef SPANSIM_COND_H
#define SPANSIM_COND_H

#include <stdbool.h>
#include <stdint.h>

#include "scn.h"

/**
 * struct cond_ops - where a condition's atoms come from.
 * @label: the return value of label @sym and the step it completed at:
 *	0, or 1 when the labelled operation never completed.
 * @var: element @idx of variable @sym, or NULL when never stored.
 * @file: file(F) (@whole) or file(F, @off, @len) of element @idx of the
 *	file @ref names: 0 with *@out malloc'd, 1 when the file does not
 *	exist, -1 on an error.
 * @mem: mem(M, @off, @len) of element @idx of a mem or kmem: as @file.
 * @completions: completions(S) of element @idx of a socket: as @file.
 * @internal: a model-internal function (cond_internal() names them) with
 *	the value of its integer argument @arg (the page of refcount() and
 *	friends): 0 with *@out, -1 on an error.  NULL where the state has no
 *	such thing (the live kernel); cond_eval() then reports an error.
 * @deadlock: the value of `deadlock`.
 * @oom: an allocation of the host failed while evaluating (may be NULL).
 */
struct cond_ops {
	int (*label)(void *ud, int sym, int64_t *value, uint64_t *step);
	const struct scn_str *(*var)(void *ud, int sym, int64_t idx);
	int (*file)(void *ud, const struct scn_ref *ref, int64_t idx,
		    bool whole, int64_t off, int64_t len, struct scn_str *out);
	int (*mem)(void *ud, const struct scn_ref *ref, int64_t idx,
		   int64_t off, int64_t len, struct scn_str *out);
	int (*completions)(void *ud, const struct scn_ref *ref, int64_t idx,
			   struct scn_str *out);
	int (*internal)(void *ud, const struct scn_expr *e, int64_t arg,
			int64_t *out);
	bool (*deadlock)(void *ud);
	void (*oom)(void *ud);
};

/**
 * cond_eval - the value of condition @e.
 * @s: the scenario.
 * @ops: the state's accessors.
 * @ud: their first argument.
 * @err: set when some part could not be evaluated (left alone otherwise).
 *
 * A comparison with an operation that never completed (an unset label or
 * variable) holds only for `!=`.
 */
bool cond_eval(const struct scn *s, const struct cond_ops *ops, void *ud,
	       const struct scn_expr *e, bool *err);
/** cond_eval_defined - cond_eval(), except that a comparison with an
 * operation that has not completed yet sets @err (always/never lines are
 * not checked in states where their operands are not defined). */
bool cond_eval_defined(const struct scn *s, const struct cond_ops *ops,
		       void *ud, const struct scn_expr *e, bool *err);

/** cond_internal - the first model-internal function @e uses ("refcount()"), or NULL. */
const char *cond_internal(const struct scn_expr *e);

#endif
