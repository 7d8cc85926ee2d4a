// SPDX-License-Identifier: MIT
/*
 * ops/pipe.c - the pipe operations: pipe creation and F_SETPIPE_SZ.
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

enum op_res op_pipe_model(struct run *r, struct thread *t,
			  const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	unsigned int m = op->mods;
	int64_t a = 0;
	int err;
	const struct scn_sym *sym = &r->s->syms[run__opd_ref(op, 0)->sym];
	struct objs *o = &r->objs[run__opd_ref(op, 0)->sym];
	unsigned int flags = ((m & SCN_MOD_PACKET) ? SPAN_PIPE_PACKET : 0) |
			     ((m & SCN_MOD_NONBLOCK) ? SPAN_PIPE_NONBLOCK : 0);

	*ret = 0;
	if (op->nr_operands > 1 && run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	for (int64_t i = 0; i < run__sym_size(sym); i++) {
		int p = 0;

		err = span_pipe_create(w, flags, &p);
		if (err) {
			*ret = err;
			return OP_DONE;
		}
		o->id[i] = p;
		if (op->nr_operands > 1) {
			int64_t sz = span_pipe_set_size(
				w, SPAN_FD(SPAN_FD_PIPE_W, p), (uint64_t)a);

			if (sz < 0) {
				*ret = sz;
				return OP_DONE;
			}
		}
	}
	return OP_DONE;
}

void op_pipe_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
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
		int flags = O_CLOEXEC | ((m & SCN_MOD_PACKET) ? O_DIRECT : 0) |
			    ((m & SCN_MOD_NONBLOCK) ? O_NONBLOCK : 0);

		if (op->nr_operands > 1)
			kern__eval(k, rc, op->operand[1].expr, &a);
		for (int64_t i = 0; i < kern__sym_n(&s->syms[ref->sym]); i++) {
			int p[2];

			if (pipe2(p, flags)) {
				ret = -errno;
				break;
			}
			k->objs[ref->sym].o[i] =
				(struct kobj){ .fd = { p[0], p[1] },
					       .creator = k->me };
			if (op->nr_operands > 1 &&
			    fcntl(p[1], F_SETPIPE_SZ, (unsigned long)a) < 0) {
				ret = -errno;
				break;
			}
		}
	} while (0);
	res->ret = ret;
}

enum op_res op_pipe_size_model(struct run *r, struct thread *t,
			       const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int64_t a = 0;
	int fd = 0;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), true, &fd) ||
	    run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	/* pipe_fcntl(): -EBADF for anything but a pipe before the size is
	 * looked at; the size is an unsigned int (a negative one too) */
	*ret = span_pipe_fcntl(w, fd, SPAN_F_SETPIPE_SZ, (uint64_t)a);
	return OP_DONE;
}

void op_pipe_size_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			 char **data)
{
	const struct scn_op *op = rc->op;
	int64_t a = 0;
	int fd;
	int64_t ret = 0;

	*data = NULL;
	do {
		fd = kern__ref_fd(k, rc, &op->operand[0].ref, true, NULL);
		kern__eval(k, rc, op->operand[1].expr, &a);
		ret = kern__sysret(fcntl(fd, F_SETPIPE_SZ, (unsigned long)a));
	} while (0);
	res->ret = ret;
}

enum op_res op_get_pipe_size_model(struct run *r, struct thread *t,
				   const struct scn_op *op, int64_t *ret)
{
	int fd = 0;

	if (run__ref_fd(r, t, run__opd_ref(op, 0), true, &fd))
		return OP_FAIL;
	*ret = span_pipe_fcntl(r->w, fd, SPAN_F_GETPIPE_SZ, 0);
	return OP_DONE;
}

void op_get_pipe_size_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			     char **data)
{
	int fd = kern__ref_fd(k, rc, &rc->op->operand[0].ref, true, NULL);

	*data = NULL;
	res->ret = kern__sysret(fcntl(fd, F_GETPIPE_SZ));
}
