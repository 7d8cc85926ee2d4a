// SPDX-License-Identifier: MIT
/*
 * run_ops.c - what the operations' model halves (sim/ops/) use from the
 * runner: operands (integers, object references, descriptors), result
 * variables, and the bookkeeping of `all` operations.
 *
 * Not a kernel file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "run_int.h"

int run__eval_int(struct run *r, struct thread *t, const struct scn_expr *e,
		    int64_t *v)
{
	int err = scn_eval_int(r->s, e, t->loopvars, v);

	if (err)
		run__set_error(r, e->line, e->col, "%s in expression",
			  err == -EDOM ? "division by zero" : "overflow");
	return err;
}

/* the element of an object symbol a reference names */
int64_t *run__obj_slot(struct run *r, const struct scn_ref *ref, int64_t idx,
		       int **pidp)
{
	struct objs *o = &r->objs[ref->sym];

	if (idx < 0 || idx >= o->n) {
		run__set_error(r, ref->line, ref->col,
			  "index %" PRId64 " out of range for '%s' (size %" PRId64 ")",
			  idx, ref->name, o->n);
		return NULL;
	}
	if (pidp)
		*pidp = &o->pid[idx];
	return &o->id[idx];
}

int64_t *run__ref_slot(struct run *r, struct thread *t,
			 const struct scn_ref *ref, int **pidp)
{
	int64_t i = 0;

	if (ref->index && run__eval_int(r, t, ref->index, &i))
		return NULL;
	return run__obj_slot(r, ref, i, pidp);
}

/*
 * A handle for a pipe/file/socket reference; @write picks the plain end.
 * DEVIATION: a handle is (kind, object id) and ids are reused, so a name
 * used after its close refers to whatever object got the id since (as a
 * reused fd number would); the live-kernel runner passes the closed
 * descriptor as -1 (-EBADF).  docs/deviations.md.
 */
int run__ref_fd(struct run *r, struct thread *t, const struct scn_ref *ref,
		  bool write, int *fd)
{
	const struct scn_sym *sym = &r->s->syms[ref->sym];
	int64_t *id = run__ref_slot(r, t, ref, NULL);
	int type;

	if (!id)
		return -1;
	switch (sym->kind) {
	case SCN_SYM_PIPE:
		if (ref->end == SCN_END_R)
			type = SPAN_FD_PIPE_R;
		else if (ref->end == SCN_END_W)
			type = SPAN_FD_PIPE_W;
		else
			type = write ? SPAN_FD_PIPE_W : SPAN_FD_PIPE_R;
		break;
	case SCN_SYM_FILE:
		type = SPAN_FD_FILE;
		break;
	default:
		type = SPAN_FD_SOCK;
	}
	*fd = *id ? SPAN_FD(type, *id) : 0;
	return 0;
}

int64_t run__sym_size(const struct scn_sym *sym)
{
	return sym->size > 0 ? sym->size : 1;
}

void run__var_store(struct run *r, struct thread *t, const struct scn_ref *ref,
		      const void *data, size_t len)
{
	struct var *v;
	int64_t i = 0;
	char *p;

	if (ref->sym < 0)
		return;
	v = &r->vars[ref->sym];
	if (ref->index && run__eval_int(r, t, ref->index, &i))
		return;
	if (i < 0 || i > 10000000) {
		run__set_error(r, ref->line, ref->col, "index %" PRId64 " out of range for '%s'",
			  i, ref->name);
		return;
	}
	if (i >= v->n) {
		int64_t n = i + 1;
		struct scn_str *nv = realloc(v->v, (size_t)n * sizeof(*nv));
		bool *ns;

		if (!nv) {
			r->oom = true;
			return;
		}
		v->v = nv;
		ns = realloc(v->set, (size_t)n * sizeof(*ns));
		if (!ns) {
			r->oom = true;
			return;
		}
		v->set = ns;
		memset(v->v + v->n, 0, (size_t)(n - v->n) * sizeof(*nv));
		memset(v->set + v->n, 0, (size_t)(n - v->n) * sizeof(*ns));
		v->n = n;
	}
	p = malloc(len + 1);
	if (!p) {
		r->oom = true;
		return;
	}
	memcpy(p, data, len);
	p[len] = 0;
	free(v->v[i].data);
	v->v[i].data = p;
	v->v[i].len = len;
	v->set[i] = true;
	r->step_data = &v->v[i];
}

void run__acc_append(struct run *r, struct scn_str *acc, const void *p,
		     size_t n)
{
	char *q = realloc(acc->data, acc->len + n + 1);

	if (!q) {
		r->oom = true;
		return;
	}
	memcpy(q + acc->len, p, n);
	acc->data = q;
	acc->len += n;
	q[acc->len] = 0;
}

/* --- executing one operation -------------------------------------------- */


void run__oom(struct run *r, const struct scn_op *op)
{
	r->oom = true;
	run__set_error(r, op->line, op->col, "out of memory");
}

int run__thread_pid(struct run *r, struct thread *t)
{
	return r->pids[t->process];
}

const struct scn_ref *run__opd_ref(const struct scn_op *op, int i)
{
	return &op->operand[i].ref;
}

enum op_res run__opd_int(struct run *r, struct thread *t,
			   const struct scn_op *op, int i, int64_t *v)
{
	return run__eval_int(r, t, op->operand[i].expr, v) ? OP_FAIL : OP_DONE;
}

/* the `all` and byte-count bookkeeping shared by read/recv/splice */
enum op_res run__finish_bytes(struct run *r, struct thread *t,
				const struct scn_op *op, ssize_t n,
				int64_t len, const void *data, int64_t *ret)
{
	bool all = op->mods & SCN_MOD_ALL;

	if (n == -SPAN_EWOULDSLEEP)
		return OP_BLOCKED;
	if (!all) {
		if (n > 0 && data)
			run__var_store(r, t, &op->result, data, (size_t)n);
		else if (data || op->result.sym >= 0)
			run__var_store(r, t, &op->result, "", 0);
		*ret = n;
		return OP_DONE;
	}
	if (n > 0) {
		t->total += n;
		if (data)
			run__acc_append(r, &t->acc, data, (size_t)n);
		if (t->total < len)
			return OP_PROGRESS;
	}
	/* done: LEN moved, EOF, or an error */
	*ret = t->total ? t->total : n;
	run__var_store(r, t, &op->result, t->acc.data ? t->acc.data : "",
		  t->acc.len);
	return OP_DONE;
}

/* one operation on the model: its op_table entry (sim/ops/) */
