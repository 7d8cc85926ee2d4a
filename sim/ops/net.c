// SPDX-License-Identifier: MIT
/*
 * ops/net.c - the net operations: TCP and AF_UNIX connections, SO_ZEROCOPY, the error queue, in-kernel consumers.
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

enum op_res op_tcp_unix_model(struct run *r, struct thread *t,
			      const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int err;
	const struct scn_sym *sym = &r->s->syms[run__opd_ref(op, 0)->sym];
	struct objs *oa = &r->objs[run__opd_ref(op, 0)->sym];
	struct objs *ob = &r->objs[run__opd_ref(op, 1)->sym];

	*ret = 0;
	for (int64_t i = 0; i < run__sym_size(sym); i++) {
		int sa = 0, sb = 0;

		err = op->kind == SCN_OP_TCP ? span_tcp_connect(w, &sa, &sb) :
					       span_unix_pair(w, &sa, &sb);
		if (err) {
			*ret = err;
			return OP_DONE;
		}
		oa->id[i] = sa;
		ob->id[i] = sb;
	}
	return OP_DONE;
}

void op_tcp_unix_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			char **data)
{
	const struct scn *s = k->s;
	const struct scn_op *op = rc->op;
	int64_t ret = 0;

	*data = NULL;
	do {
		const struct scn_ref *ra = &op->operand[0].ref;
		const struct scn_ref *rb = &op->operand[1].ref;

		for (int64_t i = 0; i < kern__sym_n(&s->syms[ra->sym]); i++) {
			int sv[2] = { -1, -1 };

			if (op->kind == SCN_OP_TCP)
				kern__tcp_pair(&sv[0], &sv[1]);
			else
				socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					   0, sv);
			if (sv[0] < 0 || sv[1] < 0) {
				ret = -errno;
				break;
			}
			k->objs[ra->sym].o[i] =
				(struct kobj){ .fd = { sv[0], -1 },
					       .tcp = op->kind == SCN_OP_TCP,
					       .creator = k->me };
			k->objs[rb->sym].o[i] =
				(struct kobj){ .fd = { sv[1], -1 },
					       .tcp = op->kind == SCN_OP_TCP,
					       .creator = k->me };
		}
	} while (0);
	res->ret = ret;
}

enum op_res op_sockopt_model(struct run *r, struct thread *t,
			     const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int fd = 0;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), true, &fd))
		return OP_FAIL;
	*ret = span_setsockopt_zerocopy(w, fd, 1);
	return OP_DONE;
}

void op_sockopt_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		       char **data)
{
	const struct scn_op *op = rc->op;
	struct kobj *o;
	int fd;
	int64_t ret = 0;

	*data = NULL;
	do {
		int one = 1;

		o = kern__ref_obj(k, rc, &op->operand[0].ref);
		fd = o ? o->fd[0] : -1;
		ret = kern__sysret(setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one,
					      sizeof(one)));
		if (!ret && o)
			o->zc = true;
	} while (0);
	res->ret = ret;
}

enum op_res op_errqueue_model(struct run *r, struct thread *t,
			      const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	unsigned int m = op->mods;
	int fd = 0;
	char buf[4096];
	int k;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), false, &fd))
		return OP_FAIL;
	buf[0] = 0;
	k = span_recv_errqueue(w, fd, m & SCN_MOD_WAIT, buf, sizeof(buf));
	if (k == -SPAN_EWOULDSLEEP)
		return OP_BLOCKED;
	run__var_store(r, t, &op->result, buf, k > 0 ? strlen(buf) : 0);
	*ret = k;
	return OP_DONE;
}

void op_errqueue_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			char **data)
{
	const struct scn_op *op = rc->op;
	unsigned int m = op->mods;
	struct kobj *o;
	int fd;
	int64_t ret = 0;

	*data = NULL;
	do {
		char buf[8192];

		o = kern__ref_obj(k, rc, &op->operand[0].ref);
		fd = o ? o->fd[0] : -1;
		ret = kern__errq_drain(fd, m & SCN_MOD_WAIT, buf, sizeof(buf));
		if (ret > 0 && o)
			o->zc_pending = false;
		*data = kern__xmemdup(buf, ret > 0 ? strlen(buf) : 0);
		res->len = ret > 0 ? strlen(buf) : 0;
	} while (0);
	res->ret = ret;
}

enum op_res op_decrypt_model(struct run *r, struct thread *t,
			     const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	int64_t a = 0;
	int fd = 0;
	ssize_t n;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), false, &fd) ||
	    run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	n = span_decrypt(w, pid, fd, (size_t)(a < 0 ? 0 : a));
	if (n == -SPAN_EWOULDSLEEP)
		return OP_BLOCKED;
	*ret = n;
	return OP_DONE;
}

/* never called: `spansim kernel` skips a scenario with decrypt (ops.def .kskip) */
void op_decrypt_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		       char **data)
{
	kern__unsupported(k, rc, res, data);
}

/* `shutdown SOCK rd|wr|rdwr`: the word's index is SHUT_RD/WR/RDWR */
enum op_res op_shutdown_model(struct run *r, struct thread *t,
			      const struct scn_op *op, int64_t *ret)
{
	int64_t how = 0;
	int fd = 0;

	if (run__ref_fd(r, t, run__opd_ref(op, 0), true, &fd) ||
	    run__opd_int(r, t, op, 1, &how))
		return OP_FAIL;
	*ret = span_shutdown(r->w, fd, (int)how);
	return OP_DONE;
}

void op_shutdown_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			char **data)
{
	static const int how_of[] = { SHUT_RD, SHUT_WR, SHUT_RDWR };
	int fd = kern__ref_fd(k, rc, &rc->op->operand[0].ref, true, NULL);
	int64_t how = 0;

	*data = NULL;
	kern__eval(k, rc, rc->op->operand[1].expr, &how);
	res->ret = kern__sysret(shutdown(fd, how_of[how % 3]));
}
