// SPDX-License-Identifier: MIT
/*
 * ops/mm.c - the mm operations: anonymous and kernel memory, user stores and loads, munmap, fork, owner puts.
 *
 * Not a kernel file.  Each operation has its entry in ops.def, a model half
 * op_NAME_model() that calls libspan, and a live-kernel half
 * op_NAME_kernel() that makes the same system calls for `spansim kernel`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* run_int.h first: <sched.h> (through <pthread.h>) defines SCHED_FIFO too */
#include "run_int.h"

#include "kernel_int.h"
#include "ops/ops.h"

enum op_res op_mem_model(struct run *r, struct thread *t,
			 const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	unsigned int m = op->mods;
	int64_t a = 0;
	int err;
	const struct scn_sym *sym = &r->s->syms[run__opd_ref(op, 0)->sym];
	struct objs *o = &r->objs[run__opd_ref(op, 0)->sym];

	*ret = 0;
	if (run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	for (int64_t i = 0; i < run__sym_size(sym); i++) {
		int region = 0;

		err = span_mmap_anon(
			w, pid, (uint64_t)a,
			(m & SCN_MOD_UNTOUCHED) ? SPAN_MMAP_UNTOUCHED : 0,
			op->fill.data, op->fill.len, &region);
		if (err) {
			*ret = err;
			return OP_DONE;
		}
		o->id[i] = region;
		o->pid[i] = pid;
	}
	return OP_DONE;
}

void op_mem_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		   char **data)
{
	const struct scn *s = k->s;
	const struct scn_op *op = rc->op;
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t ret = 0;

	*data = NULL;
	do {
		const struct scn_ref *ref = &op->operand[0].ref;

		kern__eval(k, rc, op->operand[1].expr, &a);
		for (int64_t i = 0; i < kern__sym_n(&s->syms[ref->sym]); i++) {
			size_t pg = (size_t)sysconf(_SC_PAGESIZE);
			size_t end = ((size_t)a + pg - 1) / pg * pg;
			/* a guard page after the last one: a call that runs
			 * past the memory faults there (kern__mem_addr()) */
			char *p = mmap(NULL, a > 0 ? end + pg : (size_t)a,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED) {
				ret = -errno;
				break;
			}
			if (a > 0)
				mprotect(p + end, pg, PROT_NONE);
			madvise(p, (size_t)a, MADV_NOHUGEPAGE);
			/* whole pages, as the model fills them */
			if (!(m & SCN_MOD_UNTOUCHED))
				kern__pattern_fill(p, end, &op->fill);
			k->objs[ref->sym].o[i] =
				(struct kobj){ .fd = { -1, -1 },
					       .addr = p,
					       .size = (uint64_t)end,
					       .mapped = true,
					       .creator = k->me };
		}
	} while (0);
	res->ret = ret;
}

enum op_res op_kmem_model(struct run *r, struct thread *t,
			  const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	unsigned int m = op->mods;
	int64_t a = 0;
	int err;
	const struct scn_sym *sym = &r->s->syms[run__opd_ref(op, 0)->sym];
	struct objs *o = &r->objs[run__opd_ref(op, 0)->sym];
	int kind = (m & SCN_MOD_SLAB)  ? SPAN_KMEM_SLAB :
		   (m & SCN_MOD_OWNER) ? SPAN_KMEM_OWNER :
					 SPAN_KMEM_PAGES;

	*ret = 0;
	if (run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	for (int64_t i = 0; i < run__sym_size(sym); i++) {
		int region = 0, owner = 0;

		if (kind == SPAN_KMEM_OWNER) {
			err = span_owner_create(w, &owner);
			if (err) {
				*ret = err;
				return OP_DONE;
			}
			r->objs[op->owner].id[i] = owner;
		}
		err = span_kmem_alloc(w, (uint64_t)a, kind, owner,
				      op->fill.data, op->fill.len, &region);
		if (err) {
			*ret = err;
			return OP_DONE;
		}
		o->id[i] = region;
	}
	return OP_DONE;
}

/* never called: `spansim kernel` skips a scenario with kmem (ops.def .kskip) */
void op_kmem_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		    char **data)
{
	kern__unsupported(k, rc, res, data);
}

enum op_res op_store_model(struct run *r, struct thread *t,
			   const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	int64_t a = 0;
	int64_t *slot;

	*ret = 0;
	slot = run__ref_slot(r, t, run__opd_ref(op, 0), NULL);
	if (!slot || run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	*ret = span_store(w, pid, (int)*slot, (uint64_t)a,
			  op->operand[2].str.data, op->operand[2].str.len);
	return OP_DONE;
}

/* store and load: a memcpy either way, checked against the mapping */
static void store_load_kernel(struct kctx *k, struct rec *rc,
			      struct amsg *res, char **data)
{
	const struct scn_op *op = rc->op;
	int64_t a = 0;
	int64_t b = 0;
	struct kobj *o;
	int64_t ret = 0;

	*data = NULL;
	do {
		o = kern__ref_obj(k, rc, &op->operand[0].ref);
		kern__eval(k, rc, op->operand[1].expr, &a);
		if (op->kind == SCN_OP_STORE)
			b = (int64_t)op->operand[2].str.len;
		else
			kern__eval(k, rc, op->operand[2].expr, &b);
		/* as the model: no buffer of that size is loaded into */
		if (op->kind == SCN_OP_LOAD && (b < 0 || b > (1 << 30))) {
			ret = -EINVAL;
			break;
		}
		if (!o || !o->mapped || a < 0 || b < 0 ||
		    (uint64_t)a + (uint64_t)b > o->size) {
			ret = -EFAULT;
			break;
		}
		if (op->kind == SCN_OP_STORE) {
			memcpy(o->addr + a, op->operand[2].str.data, (size_t)b);
		} else {
			*data = kern__xmemdup(o->addr + a, (size_t)b);
			res->len = (uint64_t)b;
		}
	} while (0);
	res->ret = ret;
}

void op_store_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		     char **data)
{
	store_load_kernel(k, rc, res, data);
}

void op_load_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		    char **data)
{
	store_load_kernel(k, rc, res, data);
}

enum op_res op_load_model(struct run *r, struct thread *t,
			  const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	int64_t a = 0;
	int64_t b = 0;
	int64_t *slot;
	char *buf;

	*ret = 0;
	slot = run__ref_slot(r, t, run__opd_ref(op, 0), NULL);
	if (!slot || run__opd_int(r, t, op, 1, &a) ||
	    run__opd_int(r, t, op, 2, &b))
		return OP_FAIL;
	if (b < 0 || b > (1 << 30)) {
		*ret = -EINVAL;
		return OP_DONE;
	}
	buf = calloc(1, (size_t)b + 1);
	if (!buf) {
		run__oom(r, op);
		return OP_FAIL;
	}
	*ret = span_load(w, pid, (int)*slot, (uint64_t)a, buf, (size_t)b);
	if (!*ret)
		run__var_store(r, t, &op->result, buf, (size_t)b);
	free(buf);
	return OP_DONE;
}

enum op_res op_munmap_model(struct run *r, struct thread *t,
			    const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	int64_t *slot;

	*ret = 0;
	slot = run__ref_slot(r, t, run__opd_ref(op, 0), NULL);
	if (!slot)
		return OP_FAIL;
	*ret = span_munmap(w, pid, (int)*slot);
	return OP_DONE;
}

void op_munmap_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		      char **data)
{
	const struct scn_op *op = rc->op;
	struct kobj *o;
	int64_t ret = 0;

	*data = NULL;
	do {
		o = kern__ref_obj(k, rc, &op->operand[0].ref);
		/* the mmap failed (mem of size 0): munmap(NULL, 0) */
		if (o && !o->addr) {
			ret = -EINVAL;
			break;
		}
		/* DEVIATION: the range is replaced by PROT_NONE so that no
		 * later mmap reuses it: stale addresses keep failing */
		if (o && o->addr && o->mapped &&
		    mmap(o->addr, (size_t)o->size, PROT_NONE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_NORESERVE,
			 -1, 0) == MAP_FAILED)
			ret = -errno;
		else if (o)
			o->mapped = false;
	} while (0);
	res->ret = ret;
}

enum op_res op_fork_model(struct run *r, struct thread *t,
			  const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	int err;
	int child = 0, idx = r->s->syms[run__opd_ref(op, 0)->sym].index;

	*ret = 0;
	if (r->pids[idx]) {
		run__set_error(r, op->line, op->col,
			       "process '%s' was already forked",
			       run__opd_ref(op, 0)->name);
		return OP_FAIL;
	}
	err = span_fork(w, pid, &child);
	if (!err)
		r->pids[idx] = child;
	*ret = err ? err : 0;
	return OP_DONE;
}

void op_fork_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		    char **data)
{
	const struct scn *s = k->s;
	const struct scn_op *op = rc->op;
	int64_t ret = 0;

	*data = NULL;
	do {
		int child = s->syms[op->operand[0].ref.sym].index;
		pid_t pid;

		pthread_mutex_lock(&k->wmu);
		pid = fork();
		if (pid == 0) {
			/* the child: this thread becomes the new agent */
			pthread_mutex_init(&k->wmu, NULL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			k->me = child;
			k->ctl = k->ctl_agent[child];
			for (int i = 0; i < k->nr_keys; i++)
				k->workers[i].started = false;
			kern__agent_loop(k);
		}
		pthread_mutex_unlock(&k->wmu);
		ret = pid < 0 ? -errno : 0;
		res->child = pid;
	} while (0);
	res->ret = ret;
}

enum op_res op_put_model(struct run *r, struct thread *t,
			 const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int64_t *slot;

	*ret = 0;
	slot = run__ref_slot(r, t, run__opd_ref(op, 0), NULL);
	if (!slot)
		return OP_FAIL;
	*ret = span_owner_put(w, (int)*slot);
	return OP_DONE;
}

/* never called: `spansim kernel` skips a scenario with put (ops.def .kskip) */
void op_put_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		   char **data)
{
	kern__unsupported(k, rc, res, data);
}
