// SPDX-License-Identifier: MIT
/*
 * ops/splice.c - the splice operations: vmsplice(2), splice(2) and tee(2).
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

enum op_res op_vmsplice_model(struct run *r, struct thread *t,
			      const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t b = 0;
	int64_t *slot;
	int fd = 0;
	int *mpid;
	ssize_t n;
	unsigned int flags =
		((m & SCN_MOD_GIFT) ? SPAN_SPLICE_F_GIFT : 0) |
		((m & SCN_MOD_NONBLOCK) ? SPAN_SPLICE_F_NONBLOCK : 0);

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), true, &fd))
		return OP_FAIL;
	slot = run__ref_slot(r, t, run__opd_ref(op, 1), &mpid);
	if (!slot || run__opd_int(r, t, op, 2, &a) ||
	    run__opd_int(r, t, op, 3, &b))
		return OP_FAIL;
	/*
	 * Below the mapping is out of the region as far above it is: the
	 * descriptor is checked first (-EBADF), then the fault (a negative
	 * LEN is import_iovec's -EINVAL).
	 */
	n = span_vmsplice(w, pid, fd, (int)*slot, (uint64_t)a, (size_t)b,
			  flags);
	if (n == -SPAN_EWOULDSLEEP)
		return OP_BLOCKED;
	*ret = n;
	return OP_DONE;
}

void op_vmsplice_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			char **data)
{
	const struct scn_op *op = rc->op;
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t b = 0;
	int fd;
	int64_t ret = 0;

	*data = NULL;
	do {
		struct kobj *mo;
		struct iovec iov;
		unsigned int flags =
			((m & SCN_MOD_GIFT) ? SPLICE_F_GIFT : 0) |
			((m & SCN_MOD_NONBLOCK) ? SPLICE_F_NONBLOCK : 0);

		fd = kern__ref_fd(k, rc, &op->operand[0].ref, true, NULL);
		mo = kern__ref_obj(k, rc, &op->operand[1].ref);
		kern__eval(k, rc, op->operand[2].expr, &a);
		kern__eval(k, rc, op->operand[3].expr, &b);
		iov.iov_base = mo ? kern__mem_addr(mo, a) :
						(char *)(uintptr_t)a;
		iov.iov_len = (size_t)b;
		ret = kern__sysret(vmsplice(fd, &iov, 1, flags));
	} while (0);
	res->ret = ret;
}

enum op_res op_splice_tee_model(struct run *r, struct thread *t,
				const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t b = 0;
	int64_t c = 0;
	int fd = 0;
	int fd2 = 0;
	ssize_t n;
	unsigned int flags =
		((m & SCN_MOD_NONBLOCK) ? SPAN_SPLICE_F_NONBLOCK : 0) |
		((m & SCN_MOD_MORE) ? SPAN_SPLICE_F_MORE : 0) |
		((m & SCN_MOD_MOVE) ? SPAN_SPLICE_F_MOVE : 0);
	uint64_t *off_in = NULL, *off_out = NULL;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), false, &fd) ||
	    run__ref_fd(r, t, run__opd_ref(op, 1), true, &fd2) ||
	    run__opd_int(r, t, op, 2, &a))
		return OP_FAIL;
	/* LEN is a size_t: a negative one is huge, not an error */
	if (op->kind == SCN_OP_TEE) {
		n = span_tee(w, pid, fd, fd2, (size_t)a, flags);
		if (n == -SPAN_EWOULDSLEEP)
			return OP_BLOCKED;
		*ret = n;
		return OP_DONE;
	}
	if (m & SCN_MOD_OFF) {
		if (!t->in_op || !(m & SCN_MOD_ALL) || !t->total) {
			if (run__eval_int(r, t, op->off, &c))
				return OP_FAIL;
			if (!t->total)
				t->off = (uint64_t)c;
		}
		if (SPAN_FD_TYPE(fd) == SPAN_FD_FILE ||
		    SPAN_FD_TYPE(fd2) != SPAN_FD_FILE)
			off_in = &t->off;
		else
			off_out = &t->off;
	}
	b = (m & SCN_MOD_ALL) ? a - t->total : a;
	n = span_splice(w, pid, fd, off_in, fd2, off_out, (size_t)b, flags);
	return run__finish_bytes(r, t, op, n, a, NULL, ret);
}

void op_splice_tee_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			  char **data)
{
	const struct scn *s = k->s;
	const struct scn_op *op = rc->op;
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t b = 0;
	int fd;
	int fd2;
	int64_t ret = 0;

	*data = NULL;
	do {
		unsigned int flags =
			((m & SCN_MOD_NONBLOCK) ? SPLICE_F_NONBLOCK : 0) |
			((m & SCN_MOD_MORE) ? SPLICE_F_MORE : 0) |
			((m & SCN_MOD_MOVE) ? SPLICE_F_MOVE : 0);
		enum scn_sym_kind k0 = s->syms[op->operand[0].ref.sym].kind;
		enum scn_sym_kind k1 = s->syms[op->operand[1].ref.sym].kind;
		loff_t off = 0, *in = NULL, *out = NULL;
		int64_t total = 0, n;

		fd = kern__ref_fd(k, rc, &op->operand[0].ref, false, NULL);
		fd2 = kern__ref_fd(k, rc, &op->operand[1].ref, true, NULL);
		kern__eval(k, rc, op->operand[2].expr, &a);
		if (op->kind == SCN_OP_TEE) {
			ret = kern__sysret(tee(fd, fd2, (size_t)a, flags));
			break;
		}
		if (m & SCN_MOD_OFF) {
			kern__eval(k, rc, op->off, &b);
			off = (loff_t)b;
			if (k0 == SCN_SYM_FILE || k1 != SCN_SYM_FILE)
				in = &off;
			else
				out = &off;
		}
		do {
			if (kern__intr) {
				n = -EINTR;
				break;
			}
			n = kern__sysret(splice(fd, in, fd2, out,
						(size_t)(a - total), flags));
			if (n <= 0)
				break;
			total += n;
		} while ((m & SCN_MOD_ALL) && total < a);
		ret = total ? total : n;
	} while (0);
	res->ret = ret;
}
