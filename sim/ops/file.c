// SPDX-License-Identifier: MIT
/*
 * ops/file.c - the file operations: regular files and their page cache.
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

/* the largest filled file (span_file_create()); larger ones are sparse */
#define FILE_FILL_MAX	(1ll << 32)

enum op_res op_file_model(struct run *r, struct thread *t,
			  const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	unsigned int m = op->mods;
	int64_t a = 0;
	int err;
	const struct scn_sym *sym = &r->s->syms[run__opd_ref(op, 0)->sym];
	struct objs *o = &r->objs[run__opd_ref(op, 0)->sym];

	*ret = 0;
	if (run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	for (int64_t i = 0; i < run__sym_size(sym); i++) {
		int file = 0;

		err = span_file_create(w, (uint64_t)a,
				       (m & SCN_MOD_RO) ? SPAN_FILE_RDONLY : 0,
				       op->fill.data, op->fill.len, &file);
		if (err) {
			*ret = err;
			return OP_DONE;
		}
		o->id[i] = file;
	}
	return OP_DONE;
}

void op_file_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
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
			char path[512], *buf;
			int f;

			kern__file_path(k, ref->sym, i, path, sizeof(path));
			/* span_file_create()'s limits: a negative size (as
			 * ftruncate()), a filled file past 4 GiB */
			if (a < 0 || (op->fill.len && a > FILE_FILL_MAX)) {
				ret = -EINVAL;
				break;
			}
			f = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
				 0644);
			if (f < 0) {
				ret = -errno;
				break;
			}
			if (!op->fill.len) {
				/* no fill: one hole, as the model makes it */
				if (ftruncate(f, (off_t)a))
					ret = -errno;
			} else {
				buf = kern__xcalloc(1, a > 0 ? (size_t)a : 1);
				kern__pattern_fill(buf, a > 0 ? (size_t)a : 0,
						   &op->fill);
				if (a > 0 && kern__write_all(f, buf, (size_t)a))
					ret = -errno;
				free(buf);
			}
			if (ret) {
				/* the model has no file either (-EFBIG) */
				close(f);
				unlink(path);
				break;
			}
			if (m & SCN_MOD_RO) {
				close(f);
				f = open(path, O_RDONLY | O_CLOEXEC);
			} else {
				lseek(f, 0, SEEK_SET);
			}
			k->objs[ref->sym].o[i] =
				(struct kobj){ .fd = { f, -1 },
					       .creator = k->me };
		}
	} while (0);
	res->ret = ret;
}

enum op_res op_pwrite_model(struct run *r, struct thread *t,
			    const struct scn_op *op, int64_t *ret)
{
	struct span_world *w = r->w;
	int pid = run__thread_pid(r, t);
	int64_t a = 0;
	int fd = 0;
	ssize_t n;

	*ret = 0;
	if (run__ref_fd(r, t, run__opd_ref(op, 0), true, &fd) ||
	    run__opd_int(r, t, op, 1, &a))
		return OP_FAIL;
	n = span_pwrite(w, pid, fd, op->operand[2].str.data,
			op->operand[2].str.len, (uint64_t)a);
	*ret = n;
	return OP_DONE;
}

void op_pwrite_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
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
		ret = kern__sysret(pwrite(fd, op->operand[2].str.data,
					  op->operand[2].str.len, (off_t)a));
	} while (0);
	res->ret = ret;
}

/* `lseek FD OFF set|cur|end`: the word's index is SEEK_SET/CUR/END */
enum op_res op_lseek_model(struct run *r, struct thread *t,
			   const struct scn_op *op, int64_t *ret)
{
	int64_t off = 0, whence = 0;
	int fd = 0;

	if (run__ref_fd(r, t, run__opd_ref(op, 0), false, &fd) ||
	    run__opd_int(r, t, op, 1, &off) ||
	    run__opd_int(r, t, op, 2, &whence))
		return OP_FAIL;
	*ret = span_lseek(r->w, fd, off, (int)whence);
	return OP_DONE;
}

void op_lseek_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		     char **data)
{
	static const int whence_of[] = { SEEK_SET, SEEK_CUR, SEEK_END };
	int fd = kern__ref_fd(k, rc, &rc->op->operand[0].ref, false, NULL);
	int64_t off = 0, whence = 0;

	*data = NULL;
	kern__eval(k, rc, rc->op->operand[1].expr, &off);
	kern__eval(k, rc, rc->op->operand[2].expr, &whence);
	res->ret = kern__sysret(lseek(fd, (off_t)off, whence_of[whence % 3]));
}

/* the minors of the words null, zero, full (op_table[SCN_OP_DEV].words) */
static const int dev_minor[] = { SPAN_CHR_NULL, SPAN_CHR_ZERO, SPAN_CHR_FULL };
static const char *const dev_path[] = { "/dev/null", "/dev/zero", "/dev/full" };

enum op_res op_dev_model(struct run *r, struct thread *t,
			 const struct scn_op *op, int64_t *ret)
{
	const struct scn_sym *sym = &r->s->syms[run__opd_ref(op, 0)->sym];
	struct objs *o = &r->objs[run__opd_ref(op, 0)->sym];
	int64_t which = 0;

	*ret = 0;
	if (run__opd_int(r, t, op, 1, &which))
		return OP_FAIL;
	for (int64_t i = 0; i < run__sym_size(sym); i++) {
		int file = 0, err;

		err = span_chrdev_open(r->w, dev_minor[which % 3], &file);
		if (err) {
			*ret = err;
			return OP_DONE;
		}
		o->id[i] = file;
	}
	return OP_DONE;
}

void op_dev_kernel(struct kctx *k, struct rec *rc, struct amsg *res,
		   char **data)
{
	const struct scn_ref *ref = &rc->op->operand[0].ref;
	int64_t which = 0, ret = 0;

	*data = NULL;
	kern__eval(k, rc, rc->op->operand[1].expr, &which);
	for (int64_t i = 0; i < kern__sym_n(&k->s->syms[ref->sym]); i++) {
		int f = open(dev_path[which % 3], O_RDWR | O_CLOEXEC);

		if (f < 0) {
			ret = -errno;
			break;
		}
		k->objs[ref->sym].o[i] = (struct kobj){ .fd = { f, -1 },
							.creator = k->me };
	}
	res->ret = ret;
}
