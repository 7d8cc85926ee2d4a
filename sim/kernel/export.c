// SPDX-License-Identifier: MIT
/*
 * export.c - `spansim export kselftest|c FILE [-o OUT.c]`: a scenario as a
 * C program that makes its system calls on a real kernel.
 *
 * Not a kernel file.  The program is what `spansim kernel` does, written
 * down: the same model run (kern__prepare(): the fifo schedule, the skips)
 * gives the operations in the order the live-kernel runner replays them,
 * each with the model's result; every operation becomes the system calls
 * of its live-kernel half (sim/ops/, the runtime in export_rt.inc), started
 * on a thread of its own where the model started it and waited for where
 * the model completed it, with the runner's settling in between; then the
 * scenario's observable conditions.  `kselftest` writes a program for the
 * kselftest harness (TEST(), EXPECT_EQ(), TAP output), `c` a standalone
 * reproducer that prints every call and its result.  docs/export.md has
 * the rules and the refusals.
 */
#define _GNU_SOURCE
/* run.h first: <sched.h> (through <pthread.h>) defines SCHED_FIFO too */
#include "run.h"

#include "cond.h"
#include "host.h"
#include "kernel.h"
#include "kernel_int.h"
#include "ops/ops.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "export_rt.h"	/* export_rt[]: export_rt.inc, generated */

#define EXPORT_EXIT_OK		0
#define EXPORT_EXIT_USAGE	2	/* usage, scenario, refused */

static const char usage_export[] =
"usage: spansim export kselftest|c FILE [-o OUT.c] [--param K=V]...\n"
"\n"
"Writes the scenario as a C program that makes its system calls on the\n"
"kernel it runs on, in the order `spansim kernel` replays them: the fifo\n"
"schedule (kernel events first, then the threads in declaration order,\n"
"each until it blocks).  Every operation runs on a thread of its own,\n"
"started where the model starts it and waited for (2 s) where the model\n"
"completes it; an operation the model leaves blocked must still be blocked\n"
"after 500 ms.  The program checks each operation's result and bytes\n"
"against the model's, and each observable expect/exists line; a condition\n"
"that needs model internals (refcount(), pincount(), ...) is not checked\n"
"and the program says so (`# SKIP`), it never passes silently.\n"
"\n"
"  kselftest   a program for the kernel's selftest harness: one TEST()\n"
"              with EXPECT_EQ() checks, TEST_HARNESS_MAIN, TAP output; it\n"
"              includes \"kselftest_harness.h\" (the kernel's, in\n"
"              tools/testing/selftests/, or tests/export/ of spansim)\n"
"  c           a standalone reproducer: main() prints every call and its\n"
"              result, exit 1 when a check fails\n"
"  -o OUT.c    write there (default: standard output)\n"
"  --param K=V, --set K=V   as for run\n"
"\n"
"The expected values are the model's under this host's probed knobs\n"
"(gup_zero_page, s_maxbytes of /tmp), as for `spansim kernel`.  The\n"
"program drops to user nobody when run as root, keeps its files in a\n"
"directory under /tmp and compiles with cc -std=c11 -Wall -Werror\n"
"-pthread.\n"
"\n"
"Refused (exit 2, with the reason): every scenario `spansim kernel` skips\n"
"(kmem, put, decrypt, MSG_SPLICE_PAGES, policies off mainline, `expect\n"
"violation`, world parameters the live kernel does not have), and what\n"
"the program's processes cannot do: operations in a process no fork\n"
"creates, a fork outside init, a process using an object it neither\n"
"created nor inherited, a forked process closing an inherited descriptor.\n"
"A forked child runs its threads' operations as the parent sends them.\n"
"\n"
"exit status: 0 written; 2 usage or scenario error, or refused.\n";

/* the exporter's state */
struct ex {
	struct kctx *k;
	FILE *f;
	bool ksft;		/* kselftest, else c */
	int *base;		/* by symbol: its first object, -1 */
	int nobj;
	const char *file;
};

/* ex_err - "spansim export: ..." on stderr; Return: EXPORT_EXIT_USAGE */
static int ex_err(const char *fmt, ...)
{
	va_list ap;

	fputs("spansim export: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXPORT_EXIT_USAGE;
}

/* put_cstr - @n bytes of @p as a C string literal (octal escapes) */
static void put_cstr(FILE *f, const char *p, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		/* long data on lines of 64 bytes; messages on one line */
		if (n > 256 && i && i % 64 == 0)
			fputs("\"\n\t\t\"", f);
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 32 || c > 126 || c == '?')
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * put_bytes - @n bytes as an expression of type const char *: a literal,
 * or for a long repetition of a short pattern, x_rep(PATTERN, LEN, N).
 */
static void put_bytes(FILE *f, const char *p, size_t n)
{
	if (n > 256) {
		for (size_t pl = 1; pl <= 256 && pl < n; pl++) {
			size_t i;

			for (i = pl; i < n && p[i] == p[i - pl]; i++)
				;
			if (i == n) {
				fputs("x_rep(", f);
				put_cstr(f, p, pl);
				fprintf(f, ", %zu, %zu)", pl, n);
				return;
			}
		}
	}
	put_cstr(f, p, n);
}

/* put_int - an int64_t as C: -EAGAIN for a negative errno, else a number */
static void put_int(FILE *f, int64_t v)
{
	const char *en = v < 0 && v > -4096 ? span_errname((int)v) : NULL;

	if (en && strncmp(en, "E", 1) == 0)
		fprintf(f, "-%s", en);
	else if (v == INT64_MIN)
		fputs("INT64_MIN", f);
	else
		fprintf(f, "%" PRId64 "LL", v);
}

/* ex_eval - integer operand @e of record @rc (with its loop variables) */
static int64_t ex_eval(struct ex *x, const struct rec *rc,
		       const struct scn_expr *e)
{
	int64_t v = 0;

	kern__eval(x->k, rc, e, &v);
	return v;
}

/* ex_obj - the object a reference names, or -1 (out of its array) */
static int ex_obj(struct ex *x, const struct rec *rc, const struct scn_ref *ref)
{
	int64_t i = 0;

	if (ref->sym < 0 || x->base[ref->sym] < 0)
		return -1;
	if (ref->index && kern__eval(x->k, rc, ref->index, &i))
		return -1;
	if (i < 0 || i >= kern__sym_n(&x->k->s->syms[ref->sym]))
		return -1;
	return x->base[ref->sym] + (int)i;
}

/* ex_fd - "x_fd(O, W)": the descriptor, as kern__ref_fd() picks it */
static void ex_fd(struct ex *x, const struct rec *rc, const struct scn_ref *ref,
		  bool write)
{
	int w = 0;

	if (x->k->s->syms[ref->sym].kind == SCN_SYM_PIPE)
		w = ref->end == SCN_END_R ? 0 : ref->end == SCN_END_W ? 1 :
		    write ? 1 : 0;
	fprintf(x->f, "x_fd(%d, %d)", ex_obj(x, rc, ref), w);
}

/* ex_addr - "x_addr(O, OFF)": user memory operand @ref at @off */
static void ex_addr(struct ex *x, const struct rec *rc,
		    const struct scn_ref *ref, int64_t off)
{
	fprintf(x->f, "x_addr(%d, ", ex_obj(x, rc, ref));
	put_int(x->f, off);
	fputc(')', x->f);
}

/*
 * ex_op - the statement that runs record @ri: its op's live-kernel half
 * (sim/ops/) as calls of the runtime, the result in x_ret[ri].
 */
static void ex_op(struct ex *x, int ri)
{
	const struct rec *rc = &x->k->recs[ri];
	const struct scn *s = x->k->s;
	const struct scn_op *op = rc->op;
	const struct scn_operand *o = op->operand;
	unsigned int m = op->mods;
	FILE *f = x->f;
	int64_t a, b;

	fprintf(f, "\t\tx_ret[%d] = ", ri);
	switch (op->kind) {
	case SCN_OP_MEM:
		fprintf(f, "x_mem(%d, %d, ", x->base[o[0].ref.sym],
			(int)kern__sym_n(&s->syms[o[0].ref.sym]));
		put_int(f, ex_eval(x, rc, o[1].expr));
		fputs(", ", f);
		put_cstr(f, op->fill.data, op->fill.len);
		fprintf(f, ", %zu, %d);\n", op->fill.len,
			!!(m & SCN_MOD_UNTOUCHED));
		break;
	case SCN_OP_FILE:
		fprintf(f, "x_file(%d, %d, ", x->base[o[0].ref.sym],
			(int)kern__sym_n(&s->syms[o[0].ref.sym]));
		put_cstr(f, s->syms[o[0].ref.sym].name,
			 strlen(s->syms[o[0].ref.sym].name));
		fprintf(f, ", %d, ", s->syms[o[0].ref.sym].size > 0);
		put_int(f, ex_eval(x, rc, o[1].expr));
		fputs(", ", f);
		put_cstr(f, op->fill.data, op->fill.len);
		fprintf(f, ", %zu, %d);\n", op->fill.len, !!(m & SCN_MOD_RO));
		break;
	case SCN_OP_DEV:
		fprintf(f, "x_dev(%d, %d, %d);\n", x->base[o[0].ref.sym],
			(int)kern__sym_n(&s->syms[o[0].ref.sym]),
			(int)ex_eval(x, rc, o[1].expr));
		break;
	case SCN_OP_STORE:
		fprintf(f, "x_store(%d, ", ex_obj(x, rc, &o[0].ref));
		put_int(f, ex_eval(x, rc, o[1].expr));
		fputs(", ", f);
		put_cstr(f, o[2].str.data, o[2].str.len);
		fprintf(f, ", %zu);\n", o[2].str.len);
		break;
	case SCN_OP_LOAD:
		fprintf(f, "x_load(%d, %d, ", ri, ex_obj(x, rc, &o[0].ref));
		put_int(f, ex_eval(x, rc, o[1].expr));
		fputs(", ", f);
		put_int(f, ex_eval(x, rc, o[2].expr));
		fputs(");\n", f);
		break;
	case SCN_OP_MUNMAP:
		fprintf(f, "x_munmap(%d);\n", ex_obj(x, rc, &o[0].ref));
		break;
	case SCN_OP_FORK:
		fprintf(f, "x_fork(%d);\n", s->syms[o[0].ref.sym].index);
		break;
	case SCN_OP_PWRITE:
		fputs("x_sysret(pwrite(", f);
		ex_fd(x, rc, &o[0].ref, true);
		fputs(", ", f);
		put_cstr(f, o[2].str.data, o[2].str.len);
		fprintf(f, ", %zu, (off_t)", o[2].str.len);
		put_int(f, ex_eval(x, rc, o[1].expr));
		fputs("));\n", f);
		break;
	case SCN_OP_PIPE:
		fprintf(f, "x_pipe(%d, %d, %s%s0, %d, ", x->base[o[0].ref.sym],
			(int)kern__sym_n(&s->syms[o[0].ref.sym]),
			(m & SCN_MOD_PACKET) ? "O_DIRECT | " : "",
			(m & SCN_MOD_NONBLOCK) ? "O_NONBLOCK | " : "",
			op->nr_operands > 1);
		put_int(f, op->nr_operands > 1 ? ex_eval(x, rc, o[1].expr) : 0);
		fputs(");\n", f);
		break;
	case SCN_OP_PIPE_SIZE:
		fputs("x_sysret(fcntl(", f);
		ex_fd(x, rc, &o[0].ref, true);
		fputs(", F_SETPIPE_SZ, (unsigned long)", f);
		put_int(f, ex_eval(x, rc, o[1].expr));
		fputs("));\n", f);
		break;
	case SCN_OP_GET_PIPE_SIZE:
		fputs("x_sysret(fcntl(", f);
		ex_fd(x, rc, &o[0].ref, true);
		fputs(", F_GETPIPE_SZ));\n", f);
		break;
	case SCN_OP_TCP:
	case SCN_OP_UNIX:
		fprintf(f, "x_pair(%d, %d, %d, %d);\n", x->base[o[0].ref.sym],
			x->base[o[1].ref.sym],
			(int)kern__sym_n(&s->syms[o[0].ref.sym]),
			op->kind == SCN_OP_TCP);
		break;
	case SCN_OP_SOCKOPT:
		fprintf(f, "x_sockopt(%d);\n", ex_obj(x, rc, &o[0].ref));
		break;
	case SCN_OP_WRITE:
	case SCN_OP_SEND: {
		const struct scn_data *d = &o[1].data;

		fprintf(f, "x_write(%d, ", ex_obj(x, rc, &o[0].ref));
		ex_fd(x, rc, &o[0].ref, true);
		fputs(", ", f);
		if (d->kind == SCN_DATA_STR) {
			put_cstr(f, d->str.data, d->str.len);
			fprintf(f, ", %zu", d->str.len);
		} else {
			ex_addr(x, rc, &d->ref, ex_eval(x, rc, d->off));
			fputs(", (size_t)", f);
			put_int(f, ex_eval(x, rc, d->len));
		}
		fprintf(f, ", %d, 0%s%s%s, %d);\n", op->kind == SCN_OP_SEND,
			(m & SCN_MOD_ZEROCOPY) ? " | MSG_ZEROCOPY" : "",
			(m & SCN_MOD_MORE) ? " | MSG_MORE" : "",
			(m & SCN_MOD_NONBLOCK) ? " | MSG_DONTWAIT" : "",
			!!(m & SCN_MOD_NONBLOCK));
		break;
	}
	case SCN_OP_READ:
	case SCN_OP_RECV:
		fprintf(f, "x_read(%d, ", ri);
		ex_fd(x, rc, &o[0].ref, false);
		fputs(", ", f);
		put_int(f, ex_eval(x, rc, o[1].expr));
		fprintf(f, ", %d, 0%s%s%s, %d, %d);\n", op->kind == SCN_OP_RECV,
			(m & SCN_MOD_NONBLOCK) ? " | MSG_DONTWAIT" : "",
			(m & SCN_MOD_PEEK) ? " | MSG_PEEK" : "",
			(m & SCN_MOD_WAITALL) ? " | MSG_WAITALL" : "",
			!!(m & SCN_MOD_NONBLOCK), !!(m & SCN_MOD_ALL));
		break;
	case SCN_OP_VMSPLICE:
		fputs("x_vmsplice(", f);
		ex_fd(x, rc, &o[0].ref, true);
		fputs(", ", f);
		ex_addr(x, rc, &o[1].ref, ex_eval(x, rc, o[2].expr));
		fputs(", ", f);
		put_int(f, ex_eval(x, rc, o[3].expr));
		fprintf(f, ", 0%s%s);\n",
			(m & SCN_MOD_GIFT) ? " | SPLICE_F_GIFT" : "",
			(m & SCN_MOD_NONBLOCK) ? " | SPLICE_F_NONBLOCK" : "");
		break;
	case SCN_OP_SPLICE:
	case SCN_OP_TEE: {
		enum scn_sym_kind k0 = s->syms[o[0].ref.sym].kind;
		enum scn_sym_kind k1 = s->syms[o[1].ref.sym].kind;
		int offmode = 0;
		char flags[96];

		snprintf(flags, sizeof(flags), "0%s%s%s",
			 (m & SCN_MOD_NONBLOCK) ? " | SPLICE_F_NONBLOCK" : "",
			 (m & SCN_MOD_MORE) ? " | SPLICE_F_MORE" : "",
			 (m & SCN_MOD_MOVE) ? " | SPLICE_F_MOVE" : "");
		a = ex_eval(x, rc, o[2].expr);
		if (op->kind == SCN_OP_TEE) {
			fputs("x_sysret(tee(", f);
			ex_fd(x, rc, &o[0].ref, false);
			fputs(", ", f);
			ex_fd(x, rc, &o[1].ref, true);
			fputs(", (size_t)", f);
			put_int(f, a);
			fprintf(f, ", %s));\n", flags);
			break;
		}
		b = 0;
		if (m & SCN_MOD_OFF) {
			b = ex_eval(x, rc, op->off);
			offmode = k0 == SCN_SYM_FILE || k1 != SCN_SYM_FILE ? 1 : 2;
		}
		fputs("x_splice(", f);
		ex_fd(x, rc, &o[0].ref, false);
		fputs(", ", f);
		ex_fd(x, rc, &o[1].ref, true);
		fputs(", ", f);
		put_int(f, a);
		fprintf(f, ", %s, %d, ", flags, offmode);
		put_int(f, b);
		fprintf(f, ", %d);\n", !!(m & SCN_MOD_ALL));
		break;
	}
	case SCN_OP_ERRQUEUE:
		fprintf(f, "x_errqueue(%d, %d, %d);\n", ri,
			ex_obj(x, rc, &o[0].ref), !!(m & SCN_MOD_WAIT));
		break;
	case SCN_OP_CLOSE: {
		const struct scn_ref *ref = &o[0].ref;
		int w = 1;

		if (s->syms[ref->sym].kind == SCN_SYM_PIPE)
			w = ref->end == SCN_END_R ? 0 :
			    ref->end == SCN_END_W ? 1 : -1;
		else
			w = 0;
		fprintf(f, "x_close(%d, %d);\n", ex_obj(x, rc, ref), w);
		break;
	}
	case SCN_OP_IOCTL:
		fputs("x_ioctl(", f);
		ex_fd(x, rc, &o[0].ref, false);
		fprintf(f, ", %s);\n",
			ex_eval(x, rc, o[1].expr) & 1 ? "SIOCOUTQ" : "FIONREAD");
		break;
	case SCN_OP_SHUTDOWN: {
		static const char *const how[] = { "SHUT_RD", "SHUT_WR",
						   "SHUT_RDWR" };

		fputs("x_sysret(shutdown(", f);
		ex_fd(x, rc, &o[0].ref, true);
		fprintf(f, ", %s));\n", how[ex_eval(x, rc, o[1].expr) % 3]);
		break;
	}
	case SCN_OP_LSEEK: {
		static const char *const whence[] = { "SEEK_SET", "SEEK_CUR",
						      "SEEK_END" };

		fputs("x_sysret(lseek(", f);
		ex_fd(x, rc, &o[0].ref, false);
		fputs(", (off_t)", f);
		put_int(f, ex_eval(x, rc, o[1].expr));
		fprintf(f, ", %s));\n", whence[ex_eval(x, rc, o[2].expr) % 3]);
		break;
	}
	default:
		/* kmem, put, decrypt (.kskip), and any op ex_handles() lacks:
		 * refused before */
		fputs("-ENOSYS;\n", f);
		break;
	}
	/* which operations keep bytes, as agent.c:exec_kop() */
	if (op->result.sym >= 0 && op_desc(op->kind)->result) {
		if (op->kind == SCN_OP_LOAD)
			fprintf(f, "\t\tif (x_ret[%d]) {\n\t\t\tfree(x_data[%d]);\n\t\t\tx_data[%d] = NULL;\n\t\t} else ", ri, ri, ri);
		else
			fputs("\t\t", f);
		fprintf(f, "if (!x_data[%d]) {\n\t\t\tx_data[%d] = calloc(1, 1);\n\t\t\tx_len[%d] = 0;\n\t\t}\n",
			ri, ri, ri);
	} else if (op_desc(op->kind)->result) {
		fprintf(f, "\t\tfree(x_data[%d]);\n\t\tx_data[%d] = NULL;\n", ri, ri);
	}
}

/* ex_what - "FILE:LINE (THREAD) `TEXT` [i=2]" of record @rc into @buf */
static void ex_what(struct ex *x, const struct rec *rc, char *buf, size_t n)
{
	const struct scn *s = x->k->s;
	size_t k;

	k = (size_t)snprintf(buf, n, "line %d (%s) `%s`", rc->op->line,
			     rc->key ? s->threads[rc->key - 1].name : "setup",
			     rc->op->text);
	for (int i = 0; i < s->nr_syms && k + 32 < n; i++) {
		const struct scn_sym *sym = &s->syms[i];

		if (sym->kind == SCN_SYM_LOOPVAR && rc->lv[sym->index])
			k += (size_t)snprintf(buf + k, n - k, " [%s=%" PRId64 "]",
					      sym->name, rc->lv[sym->index]);
	}
}

/* ex_check_true - a check of C expression @expr, @msg when it fails */
static void ex_check_true(struct ex *x, const char *ind, const char *expr,
			  const char *msg)
{
	if (x->ksft) {
		fprintf(x->f, "%sEXPECT_TRUE(%s)\n%s\tTH_LOG(\"%%s\", ", ind, expr, ind);
		put_cstr(x->f, msg, strlen(msg));
		fputs(");\n", x->f);
	} else {
		fprintf(x->f, "%sx_check(%s, ", ind, expr);
		put_cstr(x->f, msg, strlen(msg));
		fputs(");\n", x->f);
	}
}

/* ex_log - print @msg at run time (a "# " comment in TAP) */
static void ex_log(struct ex *x, const char *ind, const char *msg)
{
	fprintf(x->f, "%sprintf(\"# %%s\\n\", ", ind);
	put_cstr(x->f, msg, strlen(msg));
	fputs(");\n", x->f);
}

/* ex_recs - "(const int[]){ A, B, -1 }": records with label/var @sym */
static void ex_recs(struct ex *x, int sym, bool label, int64_t idx)
{
	struct kctx *k = x->k;

	fputs("(const int[]){ ", x->f);
	for (int e = 0; e < k->nr_evs; e++) {
		const struct rec *rc = &k->recs[k->evs[e].rec];
		int64_t i = 0;

		if (k->evs[e].kind != EV_DONE)
			continue;
		if (label ? rc->op->label != sym : rc->op->result.sym != sym)
			continue;
		if (!label && rc->op->result.index &&
		    kern__eval(k, rc, rc->op->result.index, &i))
			continue;
		if (!label && i != idx)
			continue;
		fprintf(x->f, "%d, ", k->evs[e].rec);
	}
	fputs("-1 }", x->f);
}

/* ex_cobj - the object a condition's reference names (no loop vars), -1 */
static int ex_cobj(struct ex *x, const struct scn_ref *ref)
{
	int64_t i = 0;

	if (ref->sym < 0 || x->base[ref->sym] < 0)
		return -1;
	if (ref->index && scn_eval_int(x->k->s, ref->index, NULL, &i))
		return -1;
	if (i < 0 || i >= kern__sym_n(&x->k->s->syms[ref->sym]))
		return -1;
	return x->base[ref->sym] + (int)i;
}

static void ex_bool(struct ex *x, const struct scn_expr *e);

/* ex_val - condition value @e as a struct x_v expression */
static void ex_val(struct ex *x, const struct scn_expr *e)
{
	FILE *f = x->f;
	int64_t idx = 0;

	switch (e->kind) {
	case SCN_E_INT:
		fputs("xv_int(", f);
		put_int(f, e->value);
		fputc(')', f);
		break;
	case SCN_E_STR:
		fputs("xv_str(", f);
		put_bytes(f, e->str.data, e->str.len);
		fprintf(f, ", %zu)", e->str.len);
		break;
	case SCN_E_LABEL:
		fputs("xv_label(", f);
		ex_recs(x, e->ref.sym, true, 0);
		fputc(')', f);
		break;
	case SCN_E_VAR:
	case SCN_E_LEN:
		if (e->ref.index)
			scn_eval_int(x->k->s, e->ref.index, NULL, &idx);
		fputs(e->kind == SCN_E_LEN ? "xv_len(xv_var(" : "xv_var(", f);
		ex_recs(x, e->ref.sym, false, idx);
		fputs(e->kind == SCN_E_LEN ? "))" : ")", f);
		break;
	case SCN_E_NEG:
	case SCN_E_ADD:
	case SCN_E_SUB:
	case SCN_E_MUL:
	case SCN_E_DIV:
	case SCN_E_MOD: {
		static const char opc[] = { [SCN_E_NEG] = 'n', [SCN_E_ADD] = '+',
					    [SCN_E_SUB] = '-', [SCN_E_MUL] = '*',
					    [SCN_E_DIV] = '/', [SCN_E_MOD] = '%' };

		fprintf(f, "xv_arith('%c', ", opc[e->kind]);
		ex_val(x, e->arg[0]);
		fputs(", ", f);
		if (e->kind == SCN_E_NEG)
			fputs("xv_int(0)", f);
		else
			ex_val(x, e->arg[1]);
		fputc(')', f);
		break;
	}
	case SCN_E_REPEAT:
		fputs("xv_repeat(", f);
		ex_val(x, e->arg[0]);
		fputs(", ", f);
		ex_val(x, e->arg[1]);
		fputc(')', f);
		break;
	case SCN_E_FILE:
		fprintf(f, "xv_file(%d, %d, ", ex_cobj(x, &e->ref), !e->arg[0]);
		if (e->arg[0]) {
			ex_val(x, e->arg[0]);
			fputs(".i, ", f);
			ex_val(x, e->arg[1]);
			fputs(".i)", f);
		} else {
			fputs("0, 0)", f);
		}
		break;
	case SCN_E_MEM:
		fprintf(f, "xv_mem(%d, ", ex_cobj(x, &e->ref));
		ex_val(x, e->arg[0]);
		fputs(".i, ", f);
		ex_val(x, e->arg[1]);
		fputs(".i)", f);
		break;
	case SCN_E_COMPLETIONS:
		fprintf(f, "xv_compl(%d)", ex_cobj(x, &e->ref));
		break;
	default:
		/* a condition used as a value (1 or 0) */
		fputs("xv_int(", f);
		ex_bool(x, e);
		fputc(')', f);
		break;
	}
}

/* ex_bool - condition @e as a C int expression */
static void ex_bool(struct ex *x, const struct scn_expr *e)
{
	static const char *const cmp[] = {
		[SCN_E_EQ] = "==", [SCN_E_NE] = "!=", [SCN_E_LT] = "<",
		[SCN_E_LE] = "<=", [SCN_E_GT] = ">", [SCN_E_GE] = ">=",
	};
	FILE *f = x->f;

	switch (e->kind) {
	case SCN_E_AND:
	case SCN_E_OR:
		fputc('(', f);
		ex_bool(x, e->arg[0]);
		fputs(e->kind == SCN_E_AND ? " &&\n\t\t " : " ||\n\t\t ", f);
		ex_bool(x, e->arg[1]);
		fputc(')', f);
		break;
	case SCN_E_NOT:
		fputs("!", f);
		ex_bool(x, e->arg[0]);
		break;
	case SCN_E_DEADLOCK: {
		struct kctx *k = x->k;

		fputs("x_deadlock((const int[]){ ", f);
		for (int i = 0; i < k->nr_recs; i++)
			if (k->recs[i].mblocked)
				fprintf(f, "%d, ", i);
		fputs("-1 })", f);
		break;
	}
	case SCN_E_EQ:
	case SCN_E_NE:
	case SCN_E_LT:
	case SCN_E_LE:
	case SCN_E_GT:
	case SCN_E_GE:
		fprintf(f, "x_cmp(\"%s\", %d, ", cmp[e->kind],
			e->arg[0]->type == SCN_T_STR);
		ex_val(x, e->arg[0]);
		fputs(", ", f);
		ex_val(x, e->arg[1]);
		fputc(')', f);
		break;
	default:
		fputs("0", f);
		break;
	}
}

/* ex_name - the scenario's name as a C identifier */
static void ex_name(const char *name, char *buf, size_t n)
{
	size_t k = 0;

	if (!(name[0] >= 'a' && name[0] <= 'z') &&
	    !(name[0] >= 'A' && name[0] <= 'Z') && name[0] != '_')
		buf[k++] = 's';
	for (; *name && k + 1 < n; name++)
		buf[k++] = ((*name >= 'a' && *name <= 'z') ||
			    (*name >= 'A' && *name <= 'Z') ||
			    (*name >= '0' && *name <= '9')) ? *name : '_';
	buf[k] = 0;
}

/* ex_handles - does ex_op() write operation @kind */
static bool ex_handles(int kind)
{
	switch (kind) {
	case SCN_OP_MEM: case SCN_OP_FILE: case SCN_OP_DEV: case SCN_OP_STORE:
	case SCN_OP_LOAD: case SCN_OP_MUNMAP: case SCN_OP_FORK:
	case SCN_OP_PWRITE: case SCN_OP_PIPE: case SCN_OP_PIPE_SIZE:
	case SCN_OP_GET_PIPE_SIZE: case SCN_OP_TCP: case SCN_OP_UNIX:
	case SCN_OP_SOCKOPT: case SCN_OP_WRITE: case SCN_OP_SEND:
	case SCN_OP_READ: case SCN_OP_RECV: case SCN_OP_VMSPLICE:
	case SCN_OP_SPLICE: case SCN_OP_TEE: case SCN_OP_ERRQUEUE:
	case SCN_OP_CLOSE: case SCN_OP_IOCTL: case SCN_OP_SHUTDOWN:
	case SCN_OP_LSEEK:
		return true;
	default:
		return false;
	}
}

/* ex_creator - the record that creates object symbol @sym, or -1 */
static int ex_creator(const struct kctx *k, int sym)
{
	for (int i = 0; i < k->nr_recs; i++) {
		const struct scn_op *op = k->recs[i].op;
		int nd = op->kind == SCN_OP_TCP || op->kind == SCN_OP_UNIX ? 2 :
			 op->kind == SCN_OP_MEM || op->kind == SCN_OP_FILE ||
			 op->kind == SCN_OP_DEV || op->kind == SCN_OP_PIPE ? 1 : 0;

		for (int j = 0; j < nd; j++)
			if (op->operand[j].ref.sym == sym)
				return i;
	}
	return -1;
}

/* ex_done_at - the event at which record @ri completes, or INT_MAX */
static int ex_done_at(const struct kctx *k, int ri)
{
	for (int e = 0; e < k->nr_evs; e++)
		if (k->evs[e].kind == EV_DONE && k->evs[e].rec == ri)
			return e;
	return 0x7fffffff;
}

/* ex_fork_of - the record of the `fork` that creates process @p, or -1 */
static int ex_fork_of(const struct kctx *k, int p)
{
	for (int i = 0; i < k->nr_recs; i++)
		if (k->recs[i].op->kind == SCN_OP_FORK &&
		    k->s->syms[k->recs[i].op->operand[0].ref.sym].index == p)
			return i;
	return -1;
}

/*
 * ex_reach - can process @p use object symbol @sym: it created it, or it
 * inherited it from init (created before the fork of @p).  The runner
 * passes every new descriptor to every process; the program does not.
 */
static bool ex_reach(const struct kctx *k, int p, int sym)
{
	int c = ex_creator(k, sym), f;

	if (c < 0 || k->recs[c].process == p)
		return true;
	if (p == 0 || k->recs[c].process != 0)
		return false;
	f = ex_fork_of(k, p);
	return f >= 0 && ex_done_at(k, c) < ex_done_at(k, f);
}

/* ex_cond_objs - a condition's file()/mem()/completions() of objects
 * created outside init (the program reads them in init), or NULL */
static const struct scn_expr *ex_cond_objs(const struct kctx *k,
					   const struct scn_expr *e)
{
	if (!e)
		return NULL;
	if (e->kind == SCN_E_FILE || e->kind == SCN_E_MEM ||
	    e->kind == SCN_E_COMPLETIONS) {
		int c = ex_creator(k, e->ref.sym);

		if (c >= 0 && k->recs[c].process != 0)
			return e;
	}
	for (int i = 0; i < 3; i++) {
		const struct scn_expr *r = ex_cond_objs(k, e->arg[i]);

		if (r)
			return r;
	}
	return NULL;
}

/* ex_refuse - why @k cannot be exported beyond the runner's skips, or NULL */
static const char *ex_refuse(struct ex *x, char *why, size_t n)
{
	const struct kctx *k = x->k;
	const struct scn *s = k->s;

	for (int i = 0; i < k->nr_recs; i++) {
		const struct rec *rc = &k->recs[i];
		const struct scn_op *op = rc->op;
		const char *pn = s->processes[rc->process].name;

		if (!ex_handles(op->kind)) {
			snprintf(why, n,
				 "line %d: `%s`: the exporter has no case for `%s` (sim/kernel/export.c)",
				 op->line, op->text, op_desc(op->kind)->name);
			return why;
		}
		if (rc->process && !scn_process_forked(s, rc->process)) {
			snprintf(why, n,
				 "line %d: `%s` runs in process %s, which no fork creates (a process of its own from the start)",
				 op->line, op->text, pn);
			return why;
		}
		if (rc->process && op->kind == SCN_OP_FORK) {
			snprintf(why, n,
				 "line %d: `%s`: a fork in process %s (the program forks from init only)",
				 op->line, op->text, pn);
			return why;
		}
		for (int j = 0; j < op->nr_operands; j++) {
			const struct scn_ref *ref =
				op->operand[j].kind == SCN_OPD_OBJ ? &op->operand[j].ref :
				op->operand[j].kind == SCN_OPD_DATA &&
				op->operand[j].data.kind != SCN_DATA_STR ?
				&op->operand[j].data.ref : NULL;
			int c;

			if (!ref || ref->sym < 0 || x->base[ref->sym] < 0)
				continue;
			c = ex_creator(k, ref->sym);
			if (!ex_reach(k, rc->process, ref->sym)) {
				snprintf(why, n,
					 "line %d: `%s` in process %s uses %s, which process %s creates%s; the program passes no descriptors between processes",
					 op->line, op->text, pn, ref->name,
					 s->processes[k->recs[c].process].name,
					 k->recs[c].process ? "" : " after the fork");
				return why;
			}
			if (op->kind == SCN_OP_CLOSE && rc->process &&
			    k->recs[c].process != rc->process) {
				snprintf(why, n,
					 "line %d: `%s`: process %s closes a descriptor it inherited (the program carries closes from init to the children only)",
					 op->line, op->text, pn);
				return why;
			}
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct scn_cond *cs = pass ? s->exists : s->expects;
		int nc = pass ? s->nr_exists : s->nr_expects;

		for (int i = 0; i < nc; i++)
			if (ex_cond_objs(k, cs[i].expr)) {
				snprintf(why, n,
					 "line %d: `%s %s` reads an object a forked process created",
					 cs[i].line, pass ? "exists" : "expect",
					 cs[i].text);
				return why;
			}
	}
	return NULL;
}

/* ex_program - write the program for the prepared run of @x */
static void ex_program(struct ex *x, const char *scn_file)
{
	struct kctx *k = x->k;
	const struct scn *s = k->s;
	FILE *f = x->f;
	enum run_status st = run_status(k->r);
	bool model_valid, conds;
	char name[128], what[1024];
	const char *ind = "\t";

	model_valid = st == RUN_DONE || st == RUN_DEADLOCK ||
		      (st == RUN_VIOLATION && run_violation(k->r) &&
		       run_violation(k->r)->inv == SPAN_INV_LEAK);
	conds = model_valid || st == RUN_VIOLATION;
	ex_name(s->name, name, sizeof(name));
	fprintf(f, "// SPDX-License-Identifier: MIT\n/*\n * %s - scenario %s, written by `spansim export %s`.\n",
		x->ksft ? "kselftest program" : "reproducer", s->name,
		x->ksft ? "kselftest" : "c");
	if (s->doc)
		fprintf(f, " *\n * %s\n", s->doc);
	fprintf(f, " *\n"
		" * From %s.  The operations run in the order of spansim's fifo\n"
		" * schedule (kernel events first, then the threads in declaration\n"
		" * order, each until it blocks), as `spansim kernel` replays them:\n"
		" * each on a thread of its own, started where the model starts it,\n"
		" * waited for (%d ms) where the model completes it, and the kernel\n"
		" * let settle after each step (started threads asleep, TCP data\n"
		" * acknowledged).  Each result is checked against the model's; so\n"
		" * are the observable conditions.  Run as root, it drops to user\n"
		" * nobody; its files live in a directory under /tmp.\n",
		x->file, DONE_TIMEOUT_MS);
	if (x->ksft)
		fputs(" *\n * Build: cc -std=c11 -Wall -pthread -o prog prog.c, with\n"
		      " * kselftest_harness.h next to it (the kernel's, from\n"
		      " * tools/testing/selftests/, or spansim's tests/export/).\n */\n", f);
	else
		fputs(" *\n * Build: cc -std=c11 -Wall -pthread -o repro repro.c\n */\n", f);
	(void)scn_file;
	fputs("#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif\n"
	      "#include <errno.h>\n#include <fcntl.h>\n#include <grp.h>\n"
	      "#include <poll.h>\n#include <pthread.h>\n#include <signal.h>\n"
	      "#include <stdarg.h>\n#include <stdint.h>\n#include <stdio.h>\n"
	      "#include <stdlib.h>\n#include <string.h>\n#include <time.h>\n"
	      "#include <unistd.h>\n#include <arpa/inet.h>\n"
	      "#include <linux/errqueue.h>\n#include <linux/sockios.h>\n"
	      "#include <netinet/in.h>\n#include <sys/ioctl.h>\n"
	      "#include <sys/mman.h>\n#include <sys/resource.h>\n"
	      "#include <sys/socket.h>\n#include <sys/stat.h>\n"
	      "#include <sys/syscall.h>\n#include <sys/types.h>\n"
	      "#include <sys/uio.h>\n#include <sys/wait.h>\n\n", f);
	if (x->ksft)
		fputs("#include \"kselftest_harness.h\"\n\n", f);
	fprintf(f, "#define X_NREC %d\n#define X_NOBJ %d\n\n",
		k->nr_recs ? k->nr_recs : 1, x->nobj ? x->nobj : 1);
	fputs("/* each operation as the scenario writes it */\n"
	      "static const char *const x_what[X_NREC] = {\n", f);
	for (int i = 0; i < k->nr_recs; i++) {
		ex_what(x, &k->recs[i], what, sizeof(what));
		fputc('\t', f);
		put_cstr(f, what, strlen(what));
		fputs(",\n", f);
	}
	fprintf(f, "};\n\n#define X_NPROC %d\n\n/* the scenario process each operation runs in (0: init) */\n"
		"static const int x_proc[X_NREC] = {", s->nr_processes);
	for (int i = 0; i < k->nr_recs; i++)
		fprintf(f, "%s%d", !i ? "\n\t" : i % 16 ? ", " : ",\n\t",
			k->recs[i].process);
	fputs(k->nr_recs ? "\n};\n\nstatic void x_run(int i);\n\n" :
	      "\n\t0\n};\n\nstatic void x_run(int i);\n\n", f);
	fputs(export_rt, f);
	fputs("\n/* x_rep - @n bytes: pattern @p (@pl bytes) repeated */\n"
	      "static X_UNUSED const char *x_rep(const char *p, size_t pl, size_t n)\n{\n"
	      "\tchar *s = malloc(n + 1);\n\n\tif (!s)\n\t\treturn \"\";\n"
	      "\tfor (size_t i = 0; i < n; i++)\n\t\ts[i] = p[i % pl];\n"
	      "\ts[n] = 0;\n\treturn s;\n}\n\n", f);
	if (!x->ksft)
		fputs("static int x_failed;\n\n"
		      "/* x_check - count and print a failed check */\n"
		      "static void x_check(int ok, const char *what)\n{\n"
		      "\tif (ok)\n\t\treturn;\n\tx_failed++;\n"
		      "\tprintf(\"FAIL: %s\\n\", what);\n}\n\n", f);
	/* the operations */
	fputs("/* x_run - operation @i: its system calls, as spansim's live-kernel runner makes them */\n"
	      "static void x_run(int i)\n{\n\tswitch (i) {\n", f);
	for (int i = 0; i < k->nr_recs; i++) {
		fprintf(f, "\tcase %d: /* %s:%d `%s` */\n", i, x->file,
			k->recs[i].op->line, k->recs[i].op->text);
		ex_op(x, i);
		fputs("\t\tbreak;\n", f);
	}
	fputs("\t}\n}\n\n", f);

	/* the body */
	if (x->ksft)
		fprintf(f, "TEST(%s)\n{\n\tASSERT_EQ(0, x_setup())\n\t\tTH_LOG(\"setup: %%s\", strerror(errno));\n", name);
	else
		fprintf(f, "int main(void)\n{\n\tsetvbuf(stdout, NULL, _IOLBF, 0);\n\tx_verbose = 1;\n"
			"\tprintf(\"scenario %s (%s)\\n\");\n"
			"\tif (x_setup()) {\n\t\tperror(\"setup\");\n\t\treturn 1;\n\t}\n",
			s->name, x->file);
	for (int e = 0; e < k->nr_evs; e++) {
		int ri = k->evs[e].rec;
		const struct rec *rc = &k->recs[ri];
		char expr[256], msg[1400];

		ex_what(x, rc, what, sizeof(what));
		if (k->evs[e].kind == EV_START) {
			fprintf(f, "\n\t/* %s: the model starts it%s */\n", what,
				rc->msleep ? " and it sleeps" : "");
			if (rc->msleep)
				fprintf(f, "\t{\n\t\tint alone = x_alone(%d);\n\n\t\tx_start(%d);\n\t\tx_settle();\n"
					"\t\tif (alone) {\n", ri, ri);
			else
				fprintf(f, "\tx_start(%d);\n\tx_settle();\n", ri);
			if (rc->msleep) {
				snprintf(expr, sizeof(expr), "!x_done(%d)", ri);
				snprintf(msg, sizeof(msg), "%s: returned at once; the model sleeps first", what);
				ex_check_true(x, "\t\t\t", expr, msg);
				fputs("\t\t}\n\t}\n", f);
			}
			continue;
		}
		fprintf(f, "\n\t/* %s */\n\tx_start(%d);\n", what, ri);
		fprintf(f, "\tif (!x_wait(%d, X_DONE_MS))\n\t\tx_interrupt(%d);\n", ri, ri);
		snprintf(expr, sizeof(expr), "x_done(%d)", ri);
		snprintf(msg, sizeof(msg), "%s: still blocked after %d ms; the model returns", what, DONE_TIMEOUT_MS);
		ex_check_true(x, ind, expr, msg);
		if (x->ksft) {
			fputs("\tEXPECT_EQ(", f);
			put_int(f, rc->mret);
			fprintf(f, ", x_ret[%d])\n\t\tTH_LOG(\"%%s\", x_what[%d]);\n", ri, ri);
		} else {
			char mr[64];

			kern__fmt_ret(mr, sizeof(mr), rc->mret);
			fprintf(f, "\tif (x_ret[%d] != ", ri);
			put_int(f, rc->mret);
			fprintf(f, ")\n\t\tprintf(\"# %%s: returned %%lld, the model returns %s\\n\", x_what[%d], (long long)x_ret[%d]);\n", mr, ri, ri);
			fprintf(f, "\tx_check(x_ret[%d] == ", ri);
			put_int(f, rc->mret);
			fprintf(f, ", x_what[%d]);\n", ri);
		}
		if (rc->mdata_set) {
			fprintf(f, "\t{\n\t\tstatic const char *want;\n\n\t\tif (!want)\n\t\t\twant = ");
			put_bytes(f, rc->mdata, rc->mlen);
			fputs(";\n", f);
			snprintf(expr, sizeof(expr), "x_same_bytes(%d, want, %zu)", ri, rc->mlen);
			snprintf(msg, sizeof(msg), "%s: the bytes differ from the model's", what);
			ex_check_true(x, "\t\t", expr, msg);
			fputs("\t}\n", f);
		} else if (rc->op->result.sym >= 0 && op_desc(rc->op->kind)->result) {
			snprintf(expr, sizeof(expr), "!x_data[%d]", ri);
			snprintf(msg, sizeof(msg), "%s: stored bytes; the model stores none", what);
			ex_check_true(x, ind, expr, msg);
		}
		fputs("\tx_settle();\n", f);
	}
	/* operations the model leaves blocked must block here too */
	for (int i = 0; i < k->nr_recs; i++)
		if (k->recs[i].mblocked) {
			ex_what(x, &k->recs[i], what, sizeof(what));
			fprintf(f, "\n\t/* %s: the model leaves it blocked */\n\tx_start(%d);\n", what, i);
		}
	fputs("\tx_settle();\n", f);
	for (int i = 0; i < k->nr_recs; i++) {
		char expr[64], msg[1200];

		if (!k->recs[i].mblocked)
			continue;
		ex_what(x, &k->recs[i], what, sizeof(what));
		fprintf(f, "\tx_wait(%d, X_PROBE_MS);\n", i);
		snprintf(expr, sizeof(expr), "!x_done(%d)", i);
		snprintf(msg, sizeof(msg), "%s: returned; the model leaves it blocked", what);
		ex_check_true(x, ind, expr, msg);
		fprintf(f, "\tif (!x_done(%d))\n\t\tx_interrupt(%d);\n", i, i);
	}

	/* the conditions */
	fputs("\n\t/* the scenario's conditions */\n\tx_final();\n", f);
	if (!conds) {
		snprintf(what, sizeof(what), "SKIP conditions: the model run ended in %s; only the operations are checked",
			 st == RUN_STEP_LIMIT ? "its step limit" : "an error");
		ex_log(x, ind, what);
	}
	for (int pass = 0; pass < 2 && conds; pass++) {
		const struct scn_cond *cs = pass ? s->exists : s->expects;
		const struct cond_result *mr = pass ? run_exists(k->r) :
						      run_expects(k->r);
		int nc = pass ? s->nr_exists : s->nr_expects;
		const char *kw = pass ? "exists" : "expect";

		for (int i = 0; i < nc; i++) {
			const char *why = cond_internal(cs[i].expr);
			char msg[1400];

			if (why) {
				snprintf(msg, sizeof(msg), "SKIP %s:%d: %s %s (needs model internals: %s)",
					 x->file, cs[i].line, kw, cs[i].text, why);
				fprintf(f, "\t/* not checked: line %d needs model internals (%s) */\n",
					cs[i].line, why);
				ex_log(x, ind, msg);
				continue;
			}
			if (pass && (!model_valid || mr[i].error)) {
				snprintf(msg, sizeof(msg), "SKIP %s:%d: exists %s (the model has no value to compare)",
					 x->file, cs[i].line, cs[i].text);
				ex_log(x, ind, msg);
				continue;
			}
			fprintf(f, "\t/* line %d: %s %s */\n\tx_cond_err = 0;\n\t{\n\t\tint holds = ", cs[i].line, kw, cs[i].text);
			ex_bool(x, cs[i].expr);
			fputs(";\n\n", f);
			snprintf(msg, sizeof(msg), "%s:%d: %s %s: %s", x->file,
				 cs[i].line, kw, cs[i].text,
				 pass ? (mr[i].value ? "the model says yes" : "the model says no") :
					"does not hold");
			ex_check_true(x, "\t\t", pass ? (mr[i].value ? "!x_cond_err && holds" : "!x_cond_err && !holds") :
				      "!x_cond_err && holds", msg);
			if (!x->ksft) {
				fprintf(f, "\t\tprintf(\"%%s: %%s\\n\", ");
				snprintf(msg, sizeof(msg), "line %d: %s %s", cs[i].line, kw, cs[i].text);
				put_cstr(f, msg, strlen(msg));
				fprintf(f, ", x_cond_err ? \"cannot be evaluated\" : holds ? \"%s\" : \"%s\");\n",
					pass ? "yes" : "holds", pass ? "no" : "FAILS");
			}
			fputs("\t}\n", f);
		}
	}
	if (x->ksft)
		fputs("\tx_teardown();\n}\n\nTEST_HARNESS_MAIN\n", f);
	else
		fputs("\tx_teardown();\n\tprintf(\"%s\\n\", x_failed ? \"FAIL\" : \"PASS\");\n"
		      "\treturn x_failed ? 1 : 0;\n}\n", f);
}

/*
 * cmd_export - `spansim export kselftest|c FILE [-o OUT.c]`.
 * Return: EXPORT_EXIT_OK or EXPORT_EXIT_USAGE.
 */
int cmd_export(int argc, char **argv)
{
	const char *params[MAX_OV], *sets[MAX_OV + 1], *fmt = NULL,
		*file = NULL, *out = NULL;
	int np = 0, ns = 0, ret;
	struct scn_overrides ov;
	struct host_facts host;
	struct kern_opts ko = { .host = &host, .quiet = true };
	struct kern_result res;
	struct kctx k;
	struct ex x = { .k = &k };
	struct scn *s = NULL;
	char why[600], tmp[4096];
	const char *r;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_export, stdout);
			return EXPORT_EXIT_OK;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--param") ||
			   !strcmp(a, "--set")) {
			if (!v)
				return ex_err("%s needs a value", a);
			if (a[1] == 'o')
				out = v;
			else if (a[2] == 'p' && np < MAX_OV)
				params[np++] = v;
			else if (a[2] == 's' && ns < MAX_OV)
				sets[ns++] = v;
			else
				return ex_err("too many %s", a);
			i++;
		} else if (a[0] == '-' && a[1]) {
			return ex_err("unknown option '%s'\n(see 'spansim help export')", a);
		} else if (!fmt) {
			fmt = a;
		} else if (!file) {
			file = a;
		} else {
			return ex_err("needs exactly one FILE");
		}
	}
	if (!fmt || !file)
		return ex_err("needs a format (kselftest or c) and a FILE\n(see 'spansim help export')");
	if (strcmp(fmt, "kselftest") && strcmp(fmt, "c"))
		return ex_err("unknown format '%s' (kselftest or c)", fmt);
	x.ksft = !strcmp(fmt, "kselftest");
	x.file = file;
	ov = (struct scn_overrides){ .params = params, .nr_params = np,
				     .sets = sets, .nr_sets = ns };
	host_probe(&host);
	if (kern__parse(file, &ov, sets, &host, &s))
		return EXPORT_EXIT_USAGE;
	ret = kern__prepare(&k, s, file, &ko, &res);
	if (ret == KERNEL_EXIT_SKIP) {
		ret = ex_err("%s: refused: %s", file, res.skip);
		goto out;
	}
	if (ret != KERNEL_EXIT_AGREE) {
		ret = ex_err("%s: the model run failed%s%s", file,
			     k.err[0] ? ": " : "", k.err);
		goto out;
	}
	if (run_status(k.r) == RUN_ERROR) {
		ret = ex_err("%s: %s", file, run_error(k.r));
		goto out;
	}
	x.base = kern__xcalloc((size_t)s->nr_syms, sizeof(int));
	for (int i = 0; i < s->nr_syms; i++) {
		enum scn_sym_kind kd = s->syms[i].kind;

		x.base[i] = -1;
		if (kd == SCN_SYM_MEM || kd == SCN_SYM_FILE ||
		    kd == SCN_SYM_PIPE || kd == SCN_SYM_SOCK) {
			x.base[i] = x.nobj;
			x.nobj += (int)kern__sym_n(&s->syms[i]);
		}
	}
	r = ex_refuse(&x, why, sizeof(why));
	if (r) {
		ret = ex_err("%s: refused: %s", file, r);
		goto out;
	}
	if (out) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", out);
		x.f = fopen(tmp, "w");
		if (!x.f) {
			ret = ex_err("%s: %s", tmp, strerror(errno));
			goto out;
		}
	} else {
		x.f = stdout;
	}
	ex_program(&x, file);
	if (out) {
		if (ferror(x.f) | fclose(x.f) || rename(tmp, out)) {
			ret = ex_err("%s: %s", out, strerror(errno));
			unlink(tmp);
			goto out;
		}
	}
	ret = EXPORT_EXIT_OK;
out:
	free(x.base);
	kern__ctx_free(&k);
	kern_result_free(&res);
	scn_free(s);
	return ret;
}
