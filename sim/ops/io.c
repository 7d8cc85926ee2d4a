// SPDX-License-Identifier: MIT
/*
 * ops/io.c - the io operations: read(2), write(2), sendmsg(2), recvmsg(2) and close(2) on any descriptor.
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
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

/* run_int.h first: <sched.h> (through <pthread.h>) defines SCHED_FIFO too */
#include "run_int.h"

#include "kernel_int.h"
#include "ops/ops.h"

/*
 * access_ok(): a user range must end below TASK_SIZE_MAX (2^47 - a page on
 * x86-64 with four-level paging).  The model has no addresses; mappings
 * sit high in the address space, so a count past 2^46 fits after none of
 * them, and a smaller one after all.
 */
#define WRITE_ACCESS_OK_MAX (1ull << 46)

enum op_res op_write_send_model(struct run *r, struct thread *t,
				const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t b = 0;
	int64_t *slot;
	int fd = 0;
	ssize_t n;
	const struct scn_data *d = &op->operand[1].data;
	struct span_src src = { 0 };
	unsigned int flags = (m & SCN_MOD_NONBLOCK) ? SPAN_O_NONBLOCK : 0;
	size_t len;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), true, &fd))
		return OP_FAIL;
	if (d->kind == SCN_DATA_STR) {
		src.buf = d->str.data;
		len = d->str.len;
	} else {
		slot = run__ref_slot(r, t, &d->ref, NULL);
		if (!slot || run__eval_int(r, t, d->off, &a) ||
		    run__eval_int(r, t, d->len, &b))
			return OP_FAIL;
		/*
		 * sendto(): import_ubuf() clamps a LEN past MAX_RW_COUNT
		 * (INT_MAX rounded down to a page), a negative one too, and
		 * the send copies until the buffer faults
		 */
		if (b < 0 && op->kind == SCN_OP_SEND && a >= 0)
			b = INT32_MAX &
			    ~(int64_t)(span_world_param(w, SPAN_PARAM_PAGE_SIZE) - 1);
		/* vfs_write(): access_ok(buf, count) before the count is
		 * clamped: a length that fits after no mapping faults */
		if (op->kind == SCN_OP_WRITE && (uint64_t)b > WRITE_ACCESS_OK_MAX)
			b = -1;
		if (a < 0 || b < 0) {
			/*
			 * Out of every mapping, but the descriptor is looked
			 * at first (vfs_write(): FMODE_WRITE, then
			 * access_ok(); sendto(): sockfd_lookup_light()): a
			 * zero-length call says whether it is usable.
			 */
			struct span_src none = { .buf = "" };
			size_t zero = 0;

			n = op->kind == SCN_OP_WRITE ?
				    span_write(w, pid, fd, &none, 0, flags, &zero) :
				    span_sendmsg(w, pid, fd, &none, 0, flags, &zero);
			/* nothing to copy: the zero-length call is the call */
			*ret = n < 0 && n != -SPAN_EWOULDSLEEP ? n :
			       !b ? n : -EFAULT;
			/* a count past access_ok(): only the descriptor's
			 * FMODE_WRITE comes first, not what the file does */
			if (op->kind == SCN_OP_WRITE && b < 0 && *ret != -EBADF)
				*ret = -EFAULT;
			return OP_DONE;
		}
		if (d->kind == SCN_DATA_MEM)
			src.region = (int)*slot;
		else
			src.kmem = (int)*slot;
		src.off = (uint64_t)a;
		len = (size_t)b;
	}
	if (op->kind == SCN_OP_WRITE) {
		n = span_write(w, pid, fd, &src, len, flags, &t->done);
	} else {
		flags |= ((m & SCN_MOD_ZEROCOPY) ? SPAN_MSG_ZEROCOPY : 0) |
			 ((m & SCN_MOD_SPLICE_PAGES) ? SPAN_MSG_SPLICE_PAGES :
						       0) |
			 ((m & SCN_MOD_MORE) ? SPAN_MSG_MORE : 0);
		n = span_sendmsg(w, pid, fd, &src, len, flags, &t->done);
	}
	if (n == -SPAN_EWOULDSLEEP)
		return t->done > (size_t)t->total ?
			       (t->total = (int64_t)t->done, OP_SLEEP) :
			       OP_BLOCKED;
	*ret = n;
	return OP_DONE;
}

void op_write_send_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			  char **data)
{
	const struct scn_op *op = rc->op;
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t b = 0;
	struct kobj *o;
	int fd;
	int64_t ret = 0;

	*data = NULL;
	do {
		const struct scn_data *d = &op->operand[1].data;
		const char *p;
		size_t len;
		int fl;

		o = kern__ref_obj(k, rc, &op->operand[0].ref);
		fd = kern__ref_fd(k, rc, &op->operand[0].ref, true, NULL);
		if (d->kind == SCN_DATA_STR) {
			p = d->str.data;
			len = d->str.len;
		} else {
			struct kobj *mo = kern__ref_obj(k, rc, &d->ref);

			kern__eval(k, rc, d->off, &a);
			kern__eval(k, rc, d->len, &b);
			p = mo ? kern__mem_addr(mo, a) :
					     (char *)(uintptr_t)a;
			len = (size_t)b;
		}
		if (op->kind == SCN_OP_SEND) {
			int flags =
				((m & SCN_MOD_ZEROCOPY) ? MSG_ZEROCOPY : 0) |
				((m & SCN_MOD_MORE) ? MSG_MORE : 0) |
				((m & SCN_MOD_NONBLOCK) ? MSG_DONTWAIT : 0);

			/*
			 * Raw system calls: the buffer may not be the
			 * agent's (fault tests), and a device may take
			 * more bytes than it reads (/dev/null); a
			 * sanitizer's send()/write() interceptor would
			 * check the count as if the kernel had read it.
			 */
			ret = kern__sysret(syscall(SYS_sendto, fd, p, len,
						   flags, NULL, 0));
			if (ret > 0 && (m & SCN_MOD_ZEROCOPY) && o && o->zc)
				o->zc_pending = true;
		} else {
			fl = (m & SCN_MOD_NONBLOCK) ? kern__nb_on(fd) : -1;
			ret = kern__sysret(syscall(SYS_write, fd, p, len));
			kern__nb_off(fd, fl);
		}
	} while (0);
	res->ret = ret;
}

/*
 * recv ... waitall: one recvmsg(MSG_WAITALL) that may sleep after copying
 * part of LEN, like a write that fills a pipe: the bytes so far are kept
 * in t->acc (t->done counts them) and the call goes on once woken.
 */
static enum op_res recv_waitall_model(struct run *r, struct thread *t,
				      const struct scn_op *op, int fd,
				      int64_t len, int64_t *ret)
{
	unsigned int m = op->mods;
	unsigned int flags = ((m & SCN_MOD_NONBLOCK) ? SPAN_O_NONBLOCK : 0) |
			     ((m & SCN_MOD_PEEK) ? SPAN_MSG_PEEK : 0);
	size_t done = t->done;
	char *buf = malloc((size_t)len + 1);
	ssize_t n;

	if (!buf) {
		run__oom(r, op);
		return OP_FAIL;
	}
	if (t->acc.len)
		memcpy(buf, t->acc.data, t->acc.len);
	n = span_recvmsg_waitall(r->w, run__thread_pid(r, t), fd, buf,
				 (size_t)len, flags, &done);
	if (n == -SPAN_EWOULDSLEEP) {
		enum op_res res = OP_BLOCKED;

		if (done > t->done) {
			t->acc.len = 0;
			run__acc_append(r, &t->acc, buf, done);
			t->done = done;
			res = OP_SLEEP;
		}
		free(buf);
		return res;
	}
	run__var_store(r, t, &op->result, buf, n > 0 ? (size_t)n : 0);
	*ret = n;
	free(buf);
	return OP_DONE;
}

enum op_res op_read_recv_model(struct run *r, struct thread *t,
			       const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	unsigned int m = op->mods;
	int64_t a = 0;
	int64_t b = 0;
	int fd = 0;
	ssize_t n;
	unsigned int flags = (m & SCN_MOD_NONBLOCK) ? SPAN_O_NONBLOCK : 0;
	char *buf;
	enum op_res res;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), false, &fd) ||
	    run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	if (a < 0 || a > (1 << 30))	/* the variable is "", as on any error */
		return run__finish_bytes(r, t, op, -EINVAL, a, NULL, ret);
	if (op->kind == SCN_OP_RECV && (m & SCN_MOD_WAITALL))
		return recv_waitall_model(r, t, op, fd, a, ret);
	b = (m & SCN_MOD_ALL) ? a - t->total : a;
	buf = malloc((size_t)b + 1);
	if (!buf) {
		run__oom(r, op);
		return OP_FAIL;
	}
	if (op->kind == SCN_OP_READ)
		n = span_read(w, pid, fd, buf, (size_t)b, flags);
	else
		n = span_recvmsg(w, pid, fd, buf, (size_t)b,
				 flags | ((m & SCN_MOD_PEEK) ? SPAN_MSG_PEEK :
							       0));
	res = run__finish_bytes(r, t, op, n, a, buf, ret);
	free(buf);
	return res;
}

void op_read_recv_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
			 char **data)
{
	const struct scn_op *op = rc->op;
	unsigned int m = op->mods;
	int64_t a = 0;
	int fd;
	int64_t ret = 0;

	*data = NULL;
	do {
		int64_t total = 0, n;
		char *buf;
		int fl = -1, flags = 0;

		fd = kern__ref_fd(k, rc, &op->operand[0].ref, false, NULL);
		kern__eval(k, rc, op->operand[1].expr, &a);
		if (a < 0 || a > (1 << 30)) {
			/* as the model: no buffer of that size is passed */
			ret = -EINVAL;
			*data = kern__xmemdup("", 0);
			break;
		}
		buf = kern__xcalloc(1, (size_t)a + 1);
		/*
		 * read(2) is read(2) on every kind, with O_NONBLOCK set around
		 * the call (on a socket a zero-length read returns 0 at once:
		 * sock_read_iter()); recv is recvmsg with MSG_DONTWAIT.
		 */
		if (op->kind == SCN_OP_RECV)
			flags = ((m & SCN_MOD_NONBLOCK) ? MSG_DONTWAIT : 0) |
				((m & SCN_MOD_PEEK) ? MSG_PEEK : 0) |
				((m & SCN_MOD_WAITALL) ? MSG_WAITALL : 0);
		else if (m & SCN_MOD_NONBLOCK)
			fl = kern__nb_on(fd);
		do {
			if (kern__intr) {
				n = -EINTR;
				break;
			}
			if (op->kind == SCN_OP_RECV)
				n = kern__sysret(recv(fd, buf + total,
						      (size_t)(a - total),
						      flags));
			else
				n = kern__sysret(read(fd, buf + total,
						      (size_t)(a - total)));
			if (n <= 0)
				break;
			total += n;
		} while ((m & SCN_MOD_ALL) && total < a);
		kern__nb_off(fd, fl);
		ret = total ? total : n;
		*data = buf;
		res->len = (uint64_t)total;
	} while (0);
	res->ret = ret;
}

enum op_res op_close_model(struct run *r, struct thread *t,
			   const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	int64_t a = 0;
	int64_t *slot;
	int fd = 0;
	int err;
	const struct scn_ref *ref = run__opd_ref(op, 0);

	*ret = 0;
	if (r->s->syms[ref->sym].kind == SCN_SYM_PIPE &&
	    ref->end == SCN_END_NONE) {
		slot = run__ref_slot(r, t, ref, NULL);
		if (!slot)
			return OP_FAIL;
		err = span_close(w, pid, SPAN_FD(SPAN_FD_PIPE_R, *slot));
		a = span_close(w, pid, SPAN_FD(SPAN_FD_PIPE_W, *slot));
		*ret = err ? err : a;
		return OP_DONE;
	}
	if (run__ref_fd(r, t, ref, true, &fd))
		return OP_FAIL;
	*ret = span_close(w, pid, fd);
	return OP_DONE;
}

void op_close_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		     char **data)
{
	const struct scn *s = k->s;
	const struct scn_op *op = rc->op;
	struct kobj *o;
	int fd;
	int64_t ret = 0;

	*data = NULL;
	do {
		const struct scn_ref *ref = &op->operand[0].ref;

		o = kern__ref_obj(k, rc, ref);
		if (s->syms[ref->sym].kind == SCN_SYM_PIPE &&
		    ref->end == SCN_END_NONE) {
			int64_t e1 = kern__sysret(close(o ? o->fd[0] : -1));
			int64_t e2 = kern__sysret(close(o ? o->fd[1] : -1));

			ret = e1 ? e1 : e2;
			if (o)
				o->fd[0] = o->fd[1] = -1;
			break;
		}
		fd = kern__ref_fd(k, rc, ref, true, NULL);
		ret = kern__sysret(close(fd));
		if (o && fd >= 0)
			o->fd[o->fd[1] == fd ? 1 : 0] = -1;
	} while (0);
	res->ret = ret;
}

/* the requests of `ioctl`, by the index of their word in ops.def */
static const unsigned int ioctl_model_cmd[] = { SPAN_FIONREAD, SPAN_SIOCOUTQ };
static const unsigned long ioctl_kernel_cmd[] = { FIONREAD, SIOCOUTQ };

enum op_res op_ioctl_model(struct run *r, struct thread *t,
			   const struct scn_op *op, int64_t *ret)
{
	int64_t req = 0;
	int fd = 0, v = 0, err;

	if (run__ref_fd(r, t, run__opd_ref(op, 0), false, &fd) ||
	    run__opd_int(r, t, op, 1, &req))
		return OP_FAIL;
	err = span_ioctl(r->w, fd, ioctl_model_cmd[req & 1], &v);
	*ret = err ? err : v;
	return OP_DONE;
}

void op_ioctl_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		     char **data)
{
	int fd = kern__ref_fd(k, rc, &rc->op->operand[0].ref, false, NULL);
	int64_t req = 0;
	int v = 0;
	int64_t err;

	*data = NULL;
	kern__eval(k, rc, rc->op->operand[1].expr, &req);
	err = kern__sysret(ioctl(fd, ioctl_kernel_cmd[req & 1], &v));
	res->ret = err ? err : v;
}
