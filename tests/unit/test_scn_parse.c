// SPDX-License-Identifier: MIT
/*
 * test_scn_parse.c - the scenario language parser and checker (sim/scn.h).
 *
 * The seed scenarios parse; every construct of SCENARIO-LANGUAGE.md sections
 * 1-4 gives the expected tree; every class of malformed input is rejected
 * with its exact line, column and message (docs/language.md lists them);
 * nothing leaks, on success or on error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cmocka.h>

#include "span/check.h"
#include "span/errno.h"
#include "span/policy.h"
#include "span/world.h"
#include "scn.h"

/* The copies of ../shared/scenarios/ in the source tree. */
#ifndef SCN_SEED_DIR
#ifdef SPAN_SOURCE_DIR
#define SCN_SEED_DIR SPAN_SOURCE_DIR "/scenarios/seed"
#else
#define SCN_SEED_DIR "scenarios/seed"
#endif
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SC "scenario t\n"

static const char *const seeds[] = {
	"kmem-splice-pages.scn",   "splice-fanout.scn",
	"tcp-loopback-rpc.scn",	   "vmsplice-fork.scn",
	"vmsplice-then-store.scn", "zerocopy-loopback.scn",
};

/* ------------------------------------------------------------- helpers */

static struct scn *parse_ov(const char *text, const struct scn_overrides *ov)
{
	struct scn_error e;
	struct scn *s = NULL;
	char buf[600];
	int ret = scn_parse_string("t.scn", text, strlen(text), ov, &s, &e);

	if (ret) {
		scn_error_format(&e, buf, sizeof(buf));
		print_error("unexpected error: %s\n", buf);
	}
	assert_int_equal(ret, 0);
	assert_non_null(s);
	return s;
}

static struct scn *parse(const char *text)
{
	return parse_ov(text, NULL);
}

static void check_error(const char *text, size_t len,
			const struct scn_overrides *ov, int line, int col,
			const char *msg, int src_line)
{
	struct scn *s = (struct scn *)&s;
	struct scn_error e;
	int ret = scn_parse_string("t.scn", text, len, ov, &s, &e);

	if (ret != -EINVAL || e.line != line || e.col != col ||
	    strcmp(e.msg, msg)) {
		print_error(
			"case at line %d\n  want %d:%d: %s\n  got  %d %d:%d: %s\n",
			src_line, line, col, msg, ret, e.line, e.col, e.msg);
		fail();
	}
	assert_null(s);
	assert_string_equal(e.file, "t.scn");
}

/* An error case: the text (NUL bytes allowed), where, and what. */
#define ERR(text, line, col, msg) \
	check_error(text, sizeof(text) - 1, NULL, line, col, msg, __LINE__)
#define ERR_OV(text, ov, line, col, msg) \
	check_error(text, sizeof(text) - 1, ov, line, col, msg, __LINE__)

static int sym(const struct scn *s, const char *name, int kind)
{
	for (int i = 0; i < s->nr_syms; i++)
		if (!strcmp(s->syms[i].name, name) &&
		    (int)s->syms[i].kind == kind)
			return i;
	fail_msg("no %s '%s'", scn_sym_kind_name(kind), name);
	return -1;
}

static const struct scn_op *op_at(const struct scn_body *b, int i)
{
	assert_true(i < b->nr);
	assert_int_equal(b->stmts[i].kind, SCN_STMT_OP);
	return &b->stmts[i].op;
}

static void assert_int_expr(const struct scn_expr *e, int64_t v)
{
	assert_non_null(e);
	assert_int_equal(e->kind, SCN_E_INT);
	assert_int_equal(e->type, SCN_T_INT);
	assert_true(e->value == v);
}

static void assert_str(const struct scn_str *s, const char *bytes, size_t n)
{
	assert_int_equal(s->len, n);
	assert_memory_equal(s->data, bytes, n);
	assert_int_equal(s->data[n], 0);
}

static void assert_obj(const struct scn *s, const struct scn_operand *o,
		       const char *name, int kind, enum scn_end end)
{
	assert_int_equal(o->kind, SCN_OPD_OBJ);
	assert_int_equal(o->ref.sym, sym(s, name, kind));
	assert_int_equal(o->ref.end, end);
}

/* ---------------------------------------------------------- the seeds */

static void test_scn_seed_files_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
		char path[512];
		struct scn_error e;
		struct scn *s;
		int ret;

		snprintf(path, sizeof(path), "%s/%s", SCN_SEED_DIR, seeds[i]);
		ret = scn_parse_file(path, NULL, &s, &e);
		if (ret)
			print_error("%s:%d:%d: %s\n", e.file, e.line, e.col,
				    e.msg);
		assert_int_equal(ret, 0);
		assert_non_null(s->name);
		assert_non_null(s->doc);
		assert_true(s->nr_threads >= 1);
		assert_true(s->nr_expects >= 1);
		assert_int_equal(s->violation, -1);
		assert_string_equal(s->file, path);
		scn_free(s);
	}
}

static void test_scn_seed_vmsplice_then_store_tree(void **state)
{
	struct scn *s = parse("scenario vmsplice-then-store\n"
			      "doc \"vmsplice aliases user memory\"\n"
			      "thread t\n"
			      "  mem buf 4096 fill \"A\"\n"
			      "  pipe p\n"
			      "  n: vmsplice p buf 0 4096\n"
			      "  store buf 0 \"BBBB\"\n"
			      "  read p 4 -> r\n"
			      "end\n"
			      "expect n == 4096\n"
			      "expect r == \"BBBB\"\n");
	const struct scn_body *b = &s->threads[0].body;
	const struct scn_op *op;
	const struct scn_expr *e;

	(void)state;
	assert_string_equal(s->name, "vmsplice-then-store");
	assert_string_equal(s->doc, "vmsplice aliases user memory");
	assert_int_equal(s->nr_threads, 1);
	assert_string_equal(s->threads[0].name, "t");
	assert_int_equal(s->threads[0].process, 0);
	assert_int_equal(s->threads[0].line, 3);
	assert_int_equal(b->nr, 5);

	op = op_at(b, 0);
	assert_int_equal(op->kind, SCN_OP_MEM);
	assert_int_equal(op->nr_operands, 2);
	assert_obj(s, &op->operand[0], "buf", SCN_SYM_MEM, SCN_END_NONE);
	assert_int_expr(op->operand[1].expr, 4096);
	assert_int_equal(op->mods, SCN_MOD_FILL);
	assert_str(&op->fill, "A", 1);
	assert_string_equal(op->text, "mem buf 4096 fill \"A\"");
	assert_int_equal(op->label, -1);
	assert_int_equal(op->result.sym, -1);

	op = op_at(b, 1);
	assert_int_equal(op->kind, SCN_OP_PIPE);
	assert_int_equal(op->nr_operands, 1);
	assert_int_equal(op->mods, 0);

	op = op_at(b, 2);
	assert_int_equal(op->kind, SCN_OP_VMSPLICE);
	assert_int_equal(op->label, sym(s, "n", SCN_SYM_LABEL));
	assert_obj(s, &op->operand[0], "p", SCN_SYM_PIPE, SCN_END_NONE);
	assert_obj(s, &op->operand[1], "buf", SCN_SYM_MEM, SCN_END_NONE);
	assert_int_expr(op->operand[2].expr, 0);
	assert_int_expr(op->operand[3].expr, 4096);
	assert_string_equal(op->text, "n: vmsplice p buf 0 4096");
	assert_int_equal(b->stmts[2].line, 6);
	assert_int_equal(b->stmts[2].col, 3);
	assert_int_equal(op->line, 6);
	assert_int_equal(op->col, 6);

	op = op_at(b, 3);
	assert_int_equal(op->kind, SCN_OP_STORE);
	assert_int_equal(op->operand[2].kind, SCN_OPD_STR);
	assert_str(&op->operand[2].str, "BBBB", 4);

	op = op_at(b, 4);
	assert_int_equal(op->kind, SCN_OP_READ);
	assert_int_equal(op->result.sym, sym(s, "r", SCN_SYM_VAR));
	assert_null(op->result.index);

	assert_int_equal(s->nr_expects, 2);
	e = s->expects[0].expr;
	assert_int_equal(e->kind, SCN_E_EQ);
	assert_int_equal(e->type, SCN_T_BOOL);
	assert_int_equal(e->arg[0]->kind, SCN_E_LABEL);
	assert_int_equal(e->arg[0]->ref.sym, sym(s, "n", SCN_SYM_LABEL));
	assert_int_expr(e->arg[1], 4096);
	assert_string_equal(s->expects[0].text, "n == 4096");
	assert_int_equal(s->expects[0].line, 10);
	e = s->expects[1].expr;
	assert_int_equal(e->arg[0]->kind, SCN_E_VAR);
	assert_int_equal(e->arg[0]->type, SCN_T_STR);
	assert_int_equal(e->arg[1]->kind, SCN_E_STR);
	assert_str(&e->arg[1]->str, "BBBB", 4);

	assert_int_equal(s->nr_kind[SCN_SYM_MEM], 1);
	assert_int_equal(s->nr_kind[SCN_SYM_PIPE], 1);
	assert_int_equal(s->nr_kind[SCN_SYM_LABEL], 1);
	assert_int_equal(s->nr_kind[SCN_SYM_VAR], 1);
	assert_int_equal(s->nr_kind[SCN_SYM_PROCESS], 1);
	assert_int_equal(s->nr_processes, 1);
	assert_string_equal(s->processes[0].name, "init");
	scn_free(s);
}

static void test_scn_seed_splice_fanout_tree(void **state)
{
	const char *params[] = { "N=3" };
	const char *sets[] = { "page_size=8" };
	struct scn_overrides ov = {
		.params = params, .nr_params = 1, .sets = sets, .nr_sets = 1
	};
	struct scn_error e;
	struct scn *s;
	const struct scn_stmt *loop;
	const struct scn_op *op;
	const struct scn_expr *c;
	char path[512];
	int dst, i0, i1;

	(void)state;
	snprintf(path, sizeof(path), "%s/splice-fanout.scn", SCN_SEED_DIR);
	assert_int_equal(scn_parse_file(path, &ov, &s, &e), 0);
	assert_int_equal(s->nr_params, 1);
	assert_string_equal(s->params[0].name, "N");
	assert_true(s->params[0].value == 3);
	assert_true(s->params[0].overridden);
	assert_int_equal(s->nr_sets, 1);
	assert_int_equal(s->sets[0].param, SPAN_PARAM_PAGE_SIZE);
	assert_true(s->sets[0].value == 8);
	assert_true(s->sets[0].overridden);

	dst = sym(s, "dst", SCN_SYM_PIPE);
	assert_true(s->syms[dst].indexed);
	assert_true(s->syms[dst].size == 3);
	assert_int_equal(s->syms[dst].index, 1);

	/* setup: mem buf N folded to 3 */
	op = op_at(&s->setups[0].body, 0);
	assert_int_expr(op->operand[1].expr, 3);
	op = op_at(&s->setups[0].body, 2);
	assert_obj(s, &op->operand[0], "dst", SCN_SYM_PIPE, SCN_END_NONE);
	assert_null(op->operand[0].ref.index);

	/* writer: for i in 0 .. N-1 / splice src dst[i] 1 / end */
	loop = &s->threads[0].body.stmts[1];
	assert_int_equal(loop->kind, SCN_STMT_FOR);
	assert_int_expr(loop->loop.from, 0);
	assert_int_expr(loop->loop.to, 2);
	assert_int_equal(loop->loop.body.nr, 1);
	i0 = loop->loop.var;
	assert_int_equal(s->syms[i0].kind, SCN_SYM_LOOPVAR);
	op = op_at(&loop->loop.body, 0);
	assert_int_equal(op->kind, SCN_OP_SPLICE);
	assert_int_equal(op->operand[1].ref.sym, dst);
	assert_int_equal(op->operand[1].ref.index->kind, SCN_E_LOOPVAR);
	assert_int_equal(op->operand[1].ref.index->ref.sym, i0);

	/* reader: its own loop variable i, and r[i] */
	loop = &s->threads[1].body.stmts[0];
	i1 = loop->loop.var;
	assert_int_not_equal(i0, i1);
	assert_string_equal(s->syms[i1].name, "i");
	assert_int_equal(s->syms[i0].index, 0);
	assert_int_equal(s->syms[i1].index, 1);
	assert_int_equal(s->nr_kind[SCN_SYM_LOOPVAR], 2);
	op = op_at(&loop->loop.body, 0);
	assert_int_equal(op->result.sym, sym(s, "r", SCN_SYM_VAR));
	assert_true(s->syms[op->result.sym].indexed);
	assert_int_equal(op->result.index->kind, SCN_E_LOOPVAR);
	assert_int_equal(op->result.index->ref.sym, i1);

	/* expect v == N, r[1] == "1"; exists r[0] == "X" */
	assert_int_expr(s->expects[0].expr->arg[1], 3);
	c = s->expects[1].expr->arg[0];
	assert_int_equal(c->kind, SCN_E_VAR);
	assert_int_expr(c->ref.index, 1);
	assert_int_equal(s->nr_exists, 2);
	assert_string_equal(s->exists[0].text, "r[0] == \"X\"");
	scn_free(s);

	/* Without the overrides: N = 4096 pipes, page_size = N. */
	assert_int_equal(scn_parse_file(path, NULL, &s, &e), 0);
	assert_true(s->syms[sym(s, "dst", SCN_SYM_PIPE)].size == 4096);
	assert_true(s->sets[0].value == 4096);
	assert_false(s->sets[0].overridden);
	assert_int_equal(s->sets[0].line, 8);
	scn_free(s);
}

static void test_scn_seed_tcp_loopback_rpc_tree(void **state)
{
	struct scn_error e;
	struct scn *s;
	const struct scn_op *op;
	const struct scn_expr *c;
	struct span_policy want;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/tcp-loopback-rpc.scn", SCN_SEED_DIR);
	assert_int_equal(scn_parse_file(path, NULL, &s, &e), 0);
	assert_int_equal(span_policy_preset(&want, "proposal-span-desc"), 0);
	assert_memory_equal(&s->policy, &want, sizeof(want));
	assert_int_equal(s->nr_processes, 2);
	assert_string_equal(s->processes[1].name, "svc");
	assert_int_equal(s->threads[0].process, 1);
	assert_int_equal(s->threads[1].process, 0);

	op = op_at(&s->threads[0].body, 0);
	assert_int_equal(op->kind, SCN_OP_KMEM);
	assert_int_equal(op->mods, SCN_MOD_FILL | SCN_MOD_OWNER);
	assert_int_equal(op->owner, sym(s, "rpc", SCN_SYM_OWNER));
	assert_str(&op->fill, "payload!", 8);
	op = op_at(&s->threads[0].body, 1);
	assert_int_equal(op->kind, SCN_OP_SEND);
	assert_int_equal(op->operand[1].kind, SCN_OPD_DATA);
	assert_int_equal(op->operand[1].data.kind, SCN_DATA_KMEM);
	assert_int_equal(op->operand[1].data.ref.sym,
			 sym(s, "payload", SCN_SYM_KMEM));
	assert_int_expr(op->operand[1].data.len, 12288);
	assert_int_equal(op->mods, SCN_MOD_SPLICE_PAGES);

	op = op_at(&s->threads[1].body, 0);
	assert_int_equal(op->kind, SCN_OP_SPLICE);
	assert_obj(s, &op->operand[0], "s", SCN_SYM_SOCK, SCN_END_NONE);
	assert_obj(s, &op->operand[1], "q", SCN_SYM_PIPE, SCN_END_NONE);
	assert_int_equal(op->mods, SCN_MOD_ALL);

	c = s->expects[2].expr->arg[1];
	assert_int_equal(c->kind, SCN_E_REPEAT);
	assert_int_equal(c->type, SCN_T_STR);
	assert_str(&c->arg[0]->str, "payload!", 8);
	assert_int_expr(c->arg[1], 1536);
	c = s->exists[0].expr;
	assert_int_equal(c->kind, SCN_E_LT);
	assert_int_equal(c->arg[0]->kind, SCN_E_DESTRUCTED_AT);
	assert_int_equal(c->arg[0]->ref.sym, sym(s, "rpc", SCN_SYM_OWNER));
	assert_int_equal(c->arg[1]->kind, SCN_E_AT);
	assert_int_equal(c->arg[1]->ref.sym, sym(s, "rd", SCN_SYM_LABEL));
	scn_free(s);
}

/* ----------------------------------------------------------- constructs */

static void test_scn_lexical_forms(void **state)
{
	struct scn *s =
		parse("scenario lex-1.2_x   # a comment \xc3\x97 in UTF-8\r\n"
		      "param A = 0x10\r\n"
		      "param B = 4K\n"
		      "param C = 2M\n"
		      "param D = 0X1fK\n"
		      "param E = -EAGAIN\n"
		      "param F = A-1\n"
		      "param G = -(A + 2) * 3 % 5\n"
		      "param H = 9223372036854775807\n"
		      "doc \"a\\n\\t\\\\\\\"\\x41\\x00z\"\n"
		      "\t\n");

	(void)state;
	assert_string_equal(s->name, "lex-1.2_x");
	assert_true(s->params[0].value == 16);
	assert_true(s->params[1].value == 4096);
	assert_true(s->params[2].value == 2097152);
	assert_true(s->params[3].value == 31 * 1024);
	assert_true(s->params[4].value == -EAGAIN);
	assert_true(s->params[5].value == 15);
	assert_true(s->params[6].value == -(16 + 2) * 3 % 5);
	assert_true(s->params[7].value == INT64_MAX);
	assert_memory_equal(s->doc, "a\n\t\\\"A\0z", 9);
	scn_free(s);

	/* Errno names in values; a minus after a value is subtraction. */
	s = parse(SC "param EIO2 = 7\nparam X = EIO2-EIO2\n"
		     "param Y = -EPIPE - -EINVAL\n");
	assert_true(s->params[1].value == 0);
	assert_true(s->params[2].value == -EPIPE + EINVAL);
	scn_free(s);
}

static void test_scn_strings_hold_any_byte(void **state)
{
	static const char text[] = SC "thread t\n  pipe p\n"
				      "  write p \"a\0b\xff\x01\"\nend\n";
	struct scn_error e;
	struct scn *s;

	(void)state;
	assert_int_equal(scn_parse_string("t.scn", text, sizeof(text) - 1, NULL,
					  &s, &e),
			 0);
	assert_str(&op_at(&s->threads[0].body, 1)->operand[1].data.str,
		   "a\0b\xff\x01", 5);
	scn_free(s);
}

static void test_scn_memory_operations(void **state)
{
	struct scn *s = parse(SC "process kid\n"
				 "thread t\n"
				 "  mem m 8192 fill \"ab\"\n"
				 "  mem z 4096 untouched\n"
				 "  kmem k 256 slab fill \"x\"\n"
				 "  kmem ko 4096 owner o\n"
				 "  kmem plain 64\n"
				 "  file f 8192 fill \"f\" ro\n"
				 "  file g 10\n"
				 "  store m 1 \"Q\"\n"
				 "  load m 0 4 -> v\n"
				 "  munmap z\n"
				 "  fork kid\n"
				 "  put o\n"
				 "  pw: pwrite g 2 \"hi\"\n"
				 "end\n");
	const struct scn_body *b = &s->threads[0].body;
	const struct scn_op *op;

	(void)state;
	op = op_at(b, 1);
	assert_int_equal(op->mods, SCN_MOD_UNTOUCHED);
	op = op_at(b, 2);
	assert_int_equal(op->kind, SCN_OP_KMEM);
	assert_int_equal(op->mods, SCN_MOD_SLAB | SCN_MOD_FILL);
	assert_int_equal(op->owner, -1);
	op = op_at(b, 3);
	assert_int_equal(op->mods, SCN_MOD_OWNER);
	assert_int_equal(op->owner, sym(s, "o", SCN_SYM_OWNER));
	assert_int_equal(s->syms[op->owner].index, 0);
	op = op_at(b, 5);
	assert_int_equal(op->kind, SCN_OP_FILE);
	assert_int_equal(op->mods, SCN_MOD_FILL | SCN_MOD_RO);
	op = op_at(b, 8);
	assert_int_equal(op->kind, SCN_OP_LOAD);
	assert_int_equal(op->nr_operands, 3);
	assert_int_equal(op->result.sym, sym(s, "v", SCN_SYM_VAR));
	op = op_at(b, 9);
	assert_int_equal(op->kind, SCN_OP_MUNMAP);
	assert_obj(s, &op->operand[0], "z", SCN_SYM_MEM, SCN_END_NONE);
	op = op_at(b, 10);
	assert_int_equal(op->kind, SCN_OP_FORK);
	assert_obj(s, &op->operand[0], "kid", SCN_SYM_PROCESS, SCN_END_NONE);
	assert_int_equal(s->syms[op->operand[0].ref.sym].index, 1);
	op = op_at(b, 11);
	assert_int_equal(op->kind, SCN_OP_PUT);
	assert_obj(s, &op->operand[0], "o", SCN_SYM_OWNER, SCN_END_NONE);
	op = op_at(b, 12);
	assert_int_equal(op->kind, SCN_OP_PWRITE);
	assert_obj(s, &op->operand[0], "g", SCN_SYM_FILE, SCN_END_NONE);
	assert_int_expr(op->operand[1].expr, 2);
	assert_str(&op->operand[2].str, "hi", 2);
	assert_int_equal(s->nr_kind[SCN_SYM_MEM], 2);
	assert_int_equal(s->nr_kind[SCN_SYM_KMEM], 3);
	assert_int_equal(s->nr_kind[SCN_SYM_FILE], 2);
	scn_free(s);
}

static void test_scn_pipe_and_socket_operations(void **state)
{
	struct scn *s = parse(SC
			      "param SZ = 8192\n"
			      "thread t\n"
			      "  pipe p SZ*2 packet nonblock\n"
			      "  pipe q nonblock\n"
			      "  pipe_size p 4096\n"
			      "  tcp c srv\n"
			      "  unix ua ub\n"
			      "  sockopt c zerocopy\n"
			      "  mem m 4096\n"
			      "  kmem km 4096\n"
			      "  file f 4096\n"
			      "  write p.w \"hi\" nonblock\n"
			      "  write f m 0 10\n"
			      "  read p.r 4 nonblock all -> r\n"
			      "  vmsplice p.w m 0 4096 gift nonblock\n"
			      "  splice f p 100 off 2 nonblock more move all\n"
			      "  splice p.r srv 1\n"
			      "  tee p q 5 nonblock\n"
			      "  send c \"x\" more\n"
			      "  send c m 0 8 zerocopy nonblock\n"
			      "  send c km 8 8 splice_pages\n"
			      "  recv srv 8 peek nonblock all -> got\n"
			      "  errqueue c wait -> cq\n"
			      "  errqueue c\n"
			      "  close p.w\n"
			      "  close q\n"
			      "  decrypt srv 16\n"
			      "end\n");
	const struct scn_body *b = &s->threads[0].body;
	const struct scn_op *op;

	(void)state;
	op = op_at(b, 0);
	assert_int_equal(op->nr_operands, 2);
	assert_int_expr(op->operand[1].expr, 16384);
	assert_int_equal(op->mods, SCN_MOD_PACKET | SCN_MOD_NONBLOCK);
	op = op_at(b, 1);
	assert_int_equal(op->nr_operands, 1);
	assert_int_equal(op->mods, SCN_MOD_NONBLOCK);
	op = op_at(b, 3);
	assert_int_equal(op->kind, SCN_OP_TCP);
	assert_obj(s, &op->operand[0], "c", SCN_SYM_SOCK, SCN_END_NONE);
	assert_obj(s, &op->operand[1], "srv", SCN_SYM_SOCK, SCN_END_NONE);
	op = op_at(b, 4);
	assert_int_equal(op->kind, SCN_OP_UNIX);
	assert_int_equal(s->nr_kind[SCN_SYM_SOCK], 4);
	op = op_at(b, 5);
	assert_int_equal(op->kind, SCN_OP_SOCKOPT);
	assert_int_equal(op->nr_operands, 1);
	assert_int_equal(op->mods, SCN_MOD_ZEROCOPY);
	op = op_at(b, 9);
	assert_obj(s, &op->operand[0], "p", SCN_SYM_PIPE, SCN_END_W);
	assert_int_equal(op->operand[1].data.kind, SCN_DATA_STR);
	assert_str(&op->operand[1].data.str, "hi", 2);
	op = op_at(b, 10);
	assert_obj(s, &op->operand[0], "f", SCN_SYM_FILE, SCN_END_NONE);
	assert_int_equal(op->operand[1].data.kind, SCN_DATA_MEM);
	assert_int_expr(op->operand[1].data.off, 0);
	assert_int_expr(op->operand[1].data.len, 10);
	op = op_at(b, 11);
	assert_obj(s, &op->operand[0], "p", SCN_SYM_PIPE, SCN_END_R);
	assert_int_equal(op->mods, SCN_MOD_NONBLOCK | SCN_MOD_ALL);
	op = op_at(b, 12);
	assert_int_equal(op->mods, SCN_MOD_GIFT | SCN_MOD_NONBLOCK);
	op = op_at(b, 13);
	assert_int_equal(op->mods, SCN_MOD_OFF | SCN_MOD_NONBLOCK |
					   SCN_MOD_MORE | SCN_MOD_MOVE |
					   SCN_MOD_ALL);
	assert_int_expr(op->off, 2);
	assert_int_expr(op->operand[2].expr, 100);
	op = op_at(b, 14);
	assert_obj(s, &op->operand[1], "srv", SCN_SYM_SOCK, SCN_END_NONE);
	assert_null(op->off);
	op = op_at(b, 15);
	assert_int_equal(op->kind, SCN_OP_TEE);
	op = op_at(b, 16);
	assert_int_equal(op->operand[1].data.kind, SCN_DATA_STR);
	assert_int_equal(op->mods, SCN_MOD_MORE);
	op = op_at(b, 17);
	assert_int_equal(op->operand[1].data.kind, SCN_DATA_MEM);
	assert_int_equal(op->mods, SCN_MOD_ZEROCOPY | SCN_MOD_NONBLOCK);
	op = op_at(b, 18);
	assert_int_equal(op->operand[1].data.kind, SCN_DATA_KMEM);
	op = op_at(b, 19);
	assert_int_equal(op->kind, SCN_OP_RECV);
	assert_int_equal(op->mods,
			 SCN_MOD_PEEK | SCN_MOD_NONBLOCK | SCN_MOD_ALL);
	assert_string_equal(scn_mod_name(SCN_MOD_WAITALL), "waitall");
	op = op_at(b, 20);
	assert_int_equal(op->kind, SCN_OP_ERRQUEUE);
	assert_int_equal(op->mods, SCN_MOD_WAIT);
	assert_int_equal(op->result.sym, sym(s, "cq", SCN_SYM_VAR));
	op = op_at(b, 21);
	assert_int_equal(op->result.sym, -1);
	op = op_at(b, 22);
	assert_int_equal(op->kind, SCN_OP_CLOSE);
	assert_obj(s, &op->operand[0], "p", SCN_SYM_PIPE, SCN_END_W);
	op = op_at(b, 23);
	assert_obj(s, &op->operand[0], "q", SCN_SYM_PIPE, SCN_END_NONE);
	op = op_at(b, 24);
	assert_int_equal(op->kind, SCN_OP_DECRYPT);
	assert_int_expr(op->operand[1].expr, 16);
	scn_free(s);
}

static void test_scn_blocks_processes_and_forward_uses(void **state)
{
	struct scn *s = parse(SC "process a\n"
				 "thread reader in b\n"
				 "  read q 4 -> r\n"
				 "end\n"
				 "setup as a\n"
				 "  pipe q\n"
				 "end\n"
				 "setup\n"
				 "  mem m 8\n"
				 "end\n"
				 "process b\n"
				 "thread w\n"
				 "  write q m 0 4\n"
				 "end\n"
				 "expect r == \"abcd\"\n");

	(void)state;
	assert_int_equal(s->nr_processes, 3);
	assert_string_equal(s->processes[2].name, "b");
	assert_int_equal(s->nr_setups, 2);
	assert_int_equal(s->setups[0].process, 1);
	assert_int_equal(s->setups[1].process, 0);
	assert_int_equal(s->setups[0].line, 6);
	assert_int_equal(s->threads[0].process, 2);
	assert_int_equal(s->threads[1].process, 0);
	assert_int_equal(s->syms[s->threads[1].sym].index, 1);
	assert_obj(s, &op_at(&s->threads[0].body, 0)->operand[0], "q",
		   SCN_SYM_PIPE, SCN_END_NONE);
	scn_free(s);
}

static void test_scn_nested_loops(void **state)
{
	struct scn *s = parse(SC "param N = 3\n"
				 "setup\n"
				 "  pipe p[N]\n"
				 "  tcp c[N] d[N]\n"
				 "  kmem k[2] 8 owner o[2]\n"
				 "end\n"
				 "thread t\n"
				 "  for i in 0 .. N - 1\n"
				 "    for j in i .. i + 1\n"
				 "      write p[j % N] \"x\"\n"
				 "    end\n"
				 "    read p[i].r 1 -> r[i * 2]\n"
				 "  end\n"
				 "  for i in 1 .. 0\n"
				 "  end\n"
				 "  put o[1]\n"
				 "end\n");
	const struct scn_stmt *outer = &s->threads[0].body.stmts[0];
	const struct scn_stmt *inner = &outer->loop.body.stmts[0];
	const struct scn_op *op;
	const struct scn_expr *e;

	(void)state;
	assert_int_equal(inner->kind, SCN_STMT_FOR);
	assert_int_equal(inner->loop.from->kind, SCN_E_LOOPVAR);
	assert_int_equal(inner->loop.from->ref.sym, outer->loop.var);
	assert_int_equal(inner->loop.to->kind, SCN_E_ADD);
	op = op_at(&inner->loop.body, 0);
	e = op->operand[0].ref.index;
	assert_int_equal(e->kind, SCN_E_MOD);
	assert_int_equal(e->arg[0]->ref.sym, inner->loop.var);
	assert_int_expr(e->arg[1], 3);
	op = op_at(&outer->loop.body, 1);
	assert_int_equal(op->operand[0].ref.end, SCN_END_R);
	assert_int_equal(op->result.index->kind, SCN_E_MUL);
	assert_true(s->syms[sym(s, "c", SCN_SYM_SOCK)].size == 3);
	assert_true(s->syms[sym(s, "o", SCN_SYM_OWNER)].size == 2);
	assert_int_equal(s->nr_kind[SCN_SYM_LOOPVAR], 3);
	op = op_at(&s->threads[0].body, 2);
	assert_int_expr(op->operand[0].ref.index, 1);
	scn_free(s);
}

static void test_scn_condition_atoms(void **state)
{
	struct scn *s = parse(
		SC
		"param N = 2\n"
		"thread t\n"
		"  mem m 8192\n"
		"  kmem k 64 owner o\n"
		"  file f 100\n"
		"  tcp c d\n"
		"  pipe p\n"
		"  a: read p 4 -> v\n"
		"end\n"
		"expect len(v) == 4 && !(a < 0) || deadlock\n"
		"expect destructed(o) == 1 && destructed_at(o) > at(a)\n"
		"expect refcount(m, 1) == pincount(m, N - 1) + mapcount(k, 0)\n"
		"expect pinned_bytes == 0 && held_bytes(o) >= 0\n"
		"expect file(f) == repeat(\"ab\", 50) && file(f, 0, 2) != \"x\"\n"
		"expect mem(m, 0, 4) == v && completions(c) == \"0-1\"\n"
		"exists a == -EAGAIN || a <= (N + 1) * 2 / 1 % 7 - -1\n"
		"exists ! a == 4\n");
	const struct scn_expr *e;

	(void)state;
	assert_true(s->uses_deadlock);
	e = s->expects[0].expr;
	assert_int_equal(e->kind, SCN_E_OR);
	assert_int_equal(e->arg[1]->kind, SCN_E_DEADLOCK);
	assert_int_equal(e->arg[0]->kind, SCN_E_AND);
	assert_int_equal(e->arg[0]->arg[0]->arg[0]->kind, SCN_E_LEN);
	assert_int_equal(e->arg[0]->arg[0]->arg[0]->ref.sym,
			 sym(s, "v", SCN_SYM_VAR));
	assert_int_equal(e->arg[0]->arg[1]->kind, SCN_E_NOT);
	assert_int_equal(e->arg[0]->arg[1]->arg[0]->kind, SCN_E_LT);

	e = s->expects[1].expr;
	assert_int_equal(e->arg[0]->arg[0]->kind, SCN_E_DESTRUCTED);
	assert_int_equal(e->arg[1]->kind, SCN_E_GT);
	assert_int_equal(e->arg[1]->arg[0]->kind, SCN_E_DESTRUCTED_AT);

	e = s->expects[2].expr;
	assert_int_equal(e->arg[0]->kind, SCN_E_REFCOUNT);
	assert_int_equal(e->arg[0]->ref.sym, sym(s, "m", SCN_SYM_MEM));
	assert_int_expr(e->arg[0]->arg[0], 1);
	assert_int_equal(e->arg[1]->kind, SCN_E_ADD);
	assert_int_equal(e->arg[1]->arg[0]->kind, SCN_E_PINCOUNT);
	assert_int_expr(e->arg[1]->arg[0]->arg[0], 1);
	assert_int_equal(e->arg[1]->arg[1]->kind, SCN_E_MAPCOUNT);
	assert_int_equal(e->arg[1]->arg[1]->ref.sym, sym(s, "k", SCN_SYM_KMEM));

	e = s->expects[3].expr;
	assert_int_equal(e->arg[0]->arg[0]->kind, SCN_E_PINNED_BYTES);
	assert_int_equal(e->arg[1]->arg[0]->kind, SCN_E_HELD_BYTES);

	e = s->expects[4].expr;
	assert_int_equal(e->arg[0]->arg[0]->kind, SCN_E_FILE);
	assert_null(e->arg[0]->arg[0]->arg[0]);
	assert_int_equal(e->arg[0]->arg[1]->kind, SCN_E_REPEAT);
	assert_int_equal(e->arg[1]->arg[0]->kind, SCN_E_FILE);
	assert_int_expr(e->arg[1]->arg[0]->arg[1], 2);
	assert_int_equal(e->arg[1]->kind, SCN_E_NE);

	e = s->expects[5].expr;
	assert_int_equal(e->arg[0]->arg[0]->kind, SCN_E_MEM);
	assert_int_expr(e->arg[0]->arg[0]->arg[1], 4);
	assert_int_equal(e->arg[0]->arg[1]->kind, SCN_E_VAR);
	assert_int_equal(e->arg[1]->arg[0]->kind, SCN_E_COMPLETIONS);
	assert_int_equal(e->arg[1]->arg[0]->ref.sym, sym(s, "c", SCN_SYM_SOCK));

	e = s->exists[0].expr;
	assert_int_expr(e->arg[0]->arg[1], -EAGAIN);
	assert_int_expr(e->arg[1]->arg[1], (2 + 1) * 2 / 1 % 7 + 1);

	/* `! X == Y` negates the comparison */
	e = s->exists[1].expr;
	assert_int_equal(e->kind, SCN_E_NOT);
	assert_int_equal(e->arg[0]->kind, SCN_E_EQ);
	assert_string_equal(s->exists[1].text, "! a == 4");
	scn_free(s);
}

static void test_scn_violation_and_allow(void **state)
{
	struct scn *s =
		parse(SC "# bug reproducer\n"
			 "expect violation use-after-free\n"
			 "allow leak\n"
			 "allow deadlock\n"
			 "allow leak\n"
			 "thread t\nend\n"
			 "expect violation == \"x\" || 1 == 1\n"
			 "thread u\n  pipe p\n  read p 1 -> violation\nend\n");

	(void)state;
	assert_int_equal(s->violation, SPAN_INV_USE_AFTER_FREE);
	assert_int_equal(s->violation_line, 3);
	assert_int_equal(s->nr_allows, 2);
	assert_int_equal(s->allows[0], SPAN_INV_LEAK);
	assert_int_equal(s->allows[1], SPAN_INV_DEADLOCK);
	assert_int_equal(s->nr_expects, 1);
	assert_false(s->uses_deadlock);
	scn_free(s);
}

static void test_scn_policy_lines_and_overrides(void **state)
{
	const char *pol[] = { "vmsplice=pin", "preset=linux-5.4",
			      "pipe_split=copy" };
	struct scn_overrides ov = { .policies = pol, .nr_policies = 3 };
	struct span_policy want;
	struct scn *s = parse(SC "policy preset = linux-7.2-vmsplice-copy\n"
				 "policy loopback = copy_all  # comment\n"
				 "policy skb_shared_frag=drop_on_coalesce\n");

	(void)state;
	span_policy_default(&want);
	want.v[SPAN_KNOB_VMSPLICE] = SPAN_VMSPLICE_COPY;
	want.v[SPAN_KNOB_LOOPBACK] = SPAN_LOOPBACK_COPY_ALL;
	want.v[SPAN_KNOB_SKB_SHARED_FRAG] = SPAN_SHARED_FRAG_DROP_ON_COALESCE;
	assert_memory_equal(&s->policy, &want, sizeof(want));
	/* knob lines name their knob; a preset names none */
	assert_int_equal(s->policy_named,
			 (1u << SPAN_KNOB_LOOPBACK) |
				 (1u << SPAN_KNOB_SKB_SHARED_FRAG));
	scn_free(s);

	/* --policy comes after the file; a preset resets every knob. */
	s = parse_ov(SC "policy cow_reuse = refcount\n", &ov);
	span_policy_preset(&want, "linux-5.4");
	want.v[SPAN_KNOB_PIPE_SPLIT] = SPAN_PIPE_SPLIT_COPY;
	assert_memory_equal(&s->policy, &want, sizeof(want));
	assert_int_equal(s->policy_named,
			 (1u << SPAN_KNOB_COW_REUSE) |
				 (1u << SPAN_KNOB_VMSPLICE) |
				 (1u << SPAN_KNOB_PIPE_SPLIT));
	scn_free(s);

	/* A later policy line overrides the preset. */
	s = parse(SC "policy preset = proposal-pin\npolicy vmsplice = ref\n");
	span_policy_preset(&want, "proposal-pin");
	want.v[SPAN_KNOB_VMSPLICE] = SPAN_VMSPLICE_REF;
	assert_memory_equal(&s->policy, &want, sizeof(want));
	scn_free(s);
}

static void test_scn_set_lines_and_overrides(void **state)
{
	const char *sets[] = { "page_size=8", "mss=0x100", "sndbuf=1K" };
	const char *params[] = { "P=-4" };
	struct scn_overrides ov = {
		.sets = sets, .nr_sets = 3, .params = params, .nr_params = 1
	};
	struct scn *s;

	(void)state;
	s = parse_ov(SC
		     "param P = 1\nset page_size = 3\nset refcount_bits = 8\n"
		     "set mss = 7\nexpect P == -4\n",
		     &ov);
	assert_int_equal(s->nr_sets, 4);
	assert_int_equal(s->sets[0].param, SPAN_PARAM_PAGE_SIZE);
	assert_true(s->sets[0].value == 8);
	assert_int_equal(s->sets[1].param, SPAN_PARAM_REFCOUNT_BITS);
	assert_true(s->sets[1].value == 8);
	assert_false(s->sets[1].overridden);
	assert_true(s->sets[2].value == 256);
	assert_int_equal(s->sets[3].param, SPAN_PARAM_SNDBUF);
	assert_true(s->sets[3].value == 1024);
	assert_int_equal(s->sets[3].line, 0);
	assert_true(s->params[0].value == -4);
	assert_int_expr(s->expects[0].expr->arg[0], -4);
	scn_free(s);
}

static void test_scn_eval_int(void **state)
{
	struct scn *s = parse(SC "thread t\n  pipe p\n"
				 "  for i in 0 .. 1\n"
				 "    for j in 0 .. 1\n"
				 "      read p (i * 10 - j) / (i - j) -> r[j]\n"
				 "    end\n  end\nend\n");
	const struct scn_stmt *outer = &s->threads[0].body.stmts[1];
	const struct scn_op *op =
		op_at(&outer->loop.body.stmts[0].loop.body, 0);
	int64_t vars[2], v;

	(void)state;
	vars[s->syms[outer->loop.var].index] = 3;
	vars[s->syms[outer->loop.body.stmts[0].loop.var].index] = 1;
	assert_int_equal(scn_eval_int(s, op->operand[1].expr, vars, &v), 0);
	assert_true(v == (3 * 10 - 1) / (3 - 1));
	vars[s->syms[outer->loop.var].index] = 1;
	assert_int_equal(scn_eval_int(s, op->operand[1].expr, vars, &v), -EDOM);
	vars[s->syms[outer->loop.var].index] = INT64_MAX;
	assert_int_equal(scn_eval_int(s, op->operand[1].expr, vars, &v),
			 -ERANGE);
	assert_int_equal(scn_eval_int(s, op->result.index, vars, &v), 0);
	assert_true(v == 1);
	assert_int_equal(scn_eval_int(s, NULL, vars, &v), -EINVAL);
	scn_free(s);
}

static void test_scn_names_of_kinds(void **state)
{
	(void)state;
	assert_string_equal(scn_op_name(SCN_OP_PIPE_SIZE), "pipe_size");
	assert_string_equal(scn_op_name(SCN_OP_DECRYPT), "decrypt");
	assert_null(scn_op_name(SCN_NR_OPS));
	assert_string_equal(scn_mod_name(SCN_MOD_SPLICE_PAGES), "splice_pages");
	assert_string_equal(scn_mod_name(SCN_MOD_WAIT), "wait");
	assert_null(scn_mod_name(SCN_MOD_FILL | SCN_MOD_RO));
	assert_string_equal(scn_sym_kind_name(SCN_SYM_SOCK), "socket");
	assert_null(scn_sym_kind_name(SCN_NR_SYM_KINDS));
}

static void test_scn_error_format(void **state)
{
	struct scn_error e = { .file = "a.scn",
			       .line = 3,
			       .col = 7,
			       .msg = "undefined name 'x'" };
	char buf[128];

	(void)state;
	scn_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "a.scn:3:7: error: undefined name 'x'");
	e.line = e.col = 0;
	scn_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "a.scn: error: undefined name 'x'");
}

static void test_scn_unreadable_file(void **state)
{
	struct scn *s = (struct scn *)&s;
	struct scn_error e;
	char buf[512];

	(void)state;
	assert_int_equal(scn_parse_file("/nonexistent/x.scn", NULL, &s, &e),
			 -ENOENT);
	assert_null(s);
	scn_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "/nonexistent/x.scn: error: cannot open: "
				 "No such file or directory");
	/* not regular files: refused before reading (no hang on a FIFO) */
	assert_int_equal(scn_parse_file("/", NULL, &s, &e), -EINVAL);
	assert_int_equal(e.line, 0);
	assert_null(s);
	assert_int_equal(scn_parse_file("/dev/zero", NULL, &s, &e), -EINVAL);
	scn_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "/dev/zero: error: not a regular file (a "
				 "scenario is read from a file)");
	{
		char fifo[] = "/tmp/spansim-fifo-XXXXXX", big[] =
			"/tmp/spansim-big-XXXXXX";
		int fd = mkstemp(fifo);

		assert_true(fd >= 0);
		close(fd);
		unlink(fifo);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		assert_int_equal(scn_parse_file(fifo, NULL, &s, &e), -EINVAL);
		unlink(fifo);
		fd = mkstemp(big);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, SCN_MAX_FILE_SIZE + 1), 0);
		close(fd);
		assert_int_equal(scn_parse_file(big, NULL, &s, &e), -EFBIG);
		assert_null(s);
		unlink(big);
	}
}

/* --------------------------------------------------------------- errors */

static void test_scn_error_unknown_words(void **state)
{
	(void)state;
	ERR(SC "foo bar\n", 2, 1, "unknown statement 'foo'");
	ERR(SC "mem b 4\n", 2, 1, "operation 'mem' outside setup or thread");
	ERR(SC "n: pipe p\n", 2, 1, "label 'n' outside setup or thread");
	ERR(SC "for i in 0 .. 1\nend\n", 2, 1, "'for' outside setup or thread");
	ERR(SC "42\n", 2, 1, "expected a statement, got '42'");
	ERR(SC "thread t\n  for i of 0 .. 1\n  end\nend\n", 3, 9,
	    "expected 'in', got 'of'");
	ERR(SC "thread t\n  for i in 0 to 1\n  end\nend\n", 3, 14,
	    "expected '..', got 'to'");
}

static void test_scn_error_unknown_operation(void **state)
{
	(void)state;
	ERR(SC "thread t\n  frob x\nend\n", 3, 3, "unknown operation 'frob'");
	ERR(SC "thread t\n  x: frob\nend\n", 3, 6, "unknown operation 'frob'");
	ERR(SC "thread t\n  42\nend\n", 3, 3,
	    "expected an operation, got '42'");
	ERR(SC "setup\n  x: \"s\"\nend\n", 3, 6,
	    "expected an operation, got a string");
}

static void test_scn_error_unknown_modifier(void **state)
{
	(void)state;
	ERR(SC "thread t\n  pipe p\n  read p 4 fast\nend\n", 4, 12,
	    "unknown modifier 'fast' for 'read'");
	ERR(SC "thread t\n  pipe p\n  read p 4 gift\nend\n", 4, 12,
	    "unknown modifier 'gift' for 'read'");
	ERR(SC "thread t\n  pipe p all\nend\n", 3, 10,
	    "unknown modifier 'all' for 'pipe'");
	ERR(SC "thread t\n  pipe p nonblock nonblock\nend\n", 3, 19,
	    "duplicate modifier 'nonblock'");
	ERR(SC "thread t\n  mem m 8 fill \"a\" untouched\nend\n", 3, 20,
	    "'fill' and 'untouched' cannot be combined");
	ERR(SC "thread t\n  kmem k 8 slab owner o\nend\n", 3, 17,
	    "'slab' and 'owner' cannot be combined");
	ERR(SC "thread t\n  tcp c d\n  sockopt c nodelay\nend\n", 4, 13,
	    "unknown modifier 'nodelay' for 'sockopt'");
	ERR(SC "thread t\n  tcp c d\n  sockopt c\nend\n", 4, 12,
	    "expected a socket option (zerocopy), got end of line");
	ERR(SC "thread t\n  mem m 8 fill 3\nend\n", 3, 16,
	    "expected a string, got '3'");
	ERR(SC "thread t\n  tcp c d\n  recv c 4 all waitall -> v\nend\n", 4,
	    16, "'all' and 'waitall' cannot be combined");
	ERR(SC "thread t\n  pipe p\n  read p 4 waitall -> v\nend\n", 4, 12,
	    "unknown modifier 'waitall' for 'read'");
}

/* a word operand (ioctl's request): its index, or an error naming the words */
static void test_scn_word_operand(void **state)
{
	struct scn *s;
	const struct scn_op *op;

	(void)state;
	s = parse(SC "thread t\n  pipe p\n  a: ioctl p FIONREAD\n"
		     "  b: ioctl p.w SIOCOUTQ\nend\n");
	op = &s->threads[0].body.stmts[1].op;
	assert_int_equal(op->kind, SCN_OP_IOCTL);
	assert_int_equal(op->nr_operands, 2);
	assert_int_equal(op->operand[1].kind, SCN_OPD_INT);
	assert_int_equal(op->operand[1].expr->kind, SCN_E_INT);
	assert_int_equal(op->operand[1].expr->value, 0);
	op = &s->threads[0].body.stmts[2].op;
	assert_int_equal(op->operand[0].ref.end, SCN_END_W);
	assert_int_equal(op->operand[1].expr->value, 1);
	scn_free(s);
	ERR(SC "thread t\n  pipe p\n  ioctl p fionread\nend\n", 4, 11,
	    "expected FIONREAD or SIOCOUTQ, got 'fionread'");
	ERR(SC "thread t\n  pipe p\n  ioctl p\nend\n", 4, 10,
	    "expected FIONREAD or SIOCOUTQ, got end of line");
	ERR(SC "thread t\n  pipe p\n  ioctl p 0x541B\nend\n", 4, 11,
	    "expected FIONREAD or SIOCOUTQ, got '0x541B'");
	ERR(SC "thread t\n  pipe p\n  ioctl p FIONREAD nonblock\nend\n", 4,
	    20, "unknown modifier 'nonblock' for 'ioctl'");
	s = parse(SC "thread t\n  tcp c d\n  shutdown c rdwr\nend\n");
	op = &s->threads[0].body.stmts[1].op;
	assert_int_equal(op->kind, SCN_OP_SHUTDOWN);
	assert_int_equal(op->operand[1].expr->value, 2);
	scn_free(s);
	ERR(SC "thread t\n  tcp c d\n  shutdown c RD\nend\n", 4, 14,
	    "expected rd, wr or rdwr, got 'RD'");
	s = parse(SC "param N = 4\nthread t\n  file f 8\n  lseek f N-6 end\n"
		     "end\n");
	op = &s->threads[0].body.stmts[1].op;
	assert_int_equal(op->kind, SCN_OP_LSEEK);
	assert_int_expr(op->operand[1].expr, -2);
	assert_int_equal(op->operand[2].expr->value, 2);
	scn_free(s);
	ERR(SC "thread t\n  file f 8\n  lseek f 0\nend\n", 4, 12,
	    "expected set, cur or end, got end of line");
	s = parse(SC "thread t\n  dev d full\n  write d \"a\"\nend\n");
	op = &s->threads[0].body.stmts[0].op;
	assert_int_equal(op->kind, SCN_OP_DEV);
	assert_int_equal(op->operand[1].expr->value, 2);
	assert_int_equal(s->syms[op->operand[0].ref.sym].kind, SCN_SYM_FILE);
	scn_free(s);
	ERR(SC "thread t\n  dev d random\nend\n", 3, 9,
	    "expected null, zero or full, got 'random'");
	/* the words are no keywords elsewhere: a param may be called so */
	s = parse(SC "param FIONREAD = 8192\nparam rd = 4096\nthread t\n"
		     "  pipe p FIONREAD\n  pipe q rd\n"
		     "  ioctl p FIONREAD\nend\n");
	assert_int_expr(s->threads[0].body.stmts[0].op.operand[1].expr, 8192);
	assert_int_expr(s->threads[0].body.stmts[1].op.operand[1].expr, 4096);
	scn_free(s);
}

static void test_scn_error_bad_numbers(void **state)
{
	(void)state;
	ERR(SC "param N = 12abc\n", 2, 11, "bad number '12abc'");
	ERR(SC "param N = 0x\n", 2, 11, "bad number '0x'");
	ERR(SC "param N = 0xfg\n", 2, 11, "bad number '0xfg'");
	ERR(SC "param N = 4KB\n", 2, 11, "bad number '4KB'");
	ERR(SC "param N = 4k\n", 2, 11, "bad number '4k'");
	ERR(SC "param N = \n", 2, 11, "expected an integer, got end of line");
	ERR(SC "param N = 1 / 0\n", 2, 13, "division by zero");
	ERR(SC "param N = 1 % (2 - 2)\n", 2, 13, "division by zero");
	ERR(SC "thread t\n  pipe p\n  read p \"4\"\nend\n", 4, 10,
	    "expected an integer, got a string");
}

static void test_scn_error_integer_overflow(void **state)
{
	(void)state;
	ERR(SC "param N = 9223372036854775808\n", 2, 11, "integer overflow");
	ERR(SC "param N = 0x8000000000000000\n", 2, 11, "integer overflow");
	ERR(SC "param N = 9007199254740992K\n", 2, 11, "integer overflow");
	ERR(SC "param N = 99999999999999999999999\n", 2, 11,
	    "integer overflow");
	ERR(SC "param N = 9223372036854775807 + 1\n", 2, 31,
	    "integer overflow");
	ERR(SC "param N = -9223372036854775807 - 2\n", 2, 32,
	    "integer overflow");
	ERR(SC "param N = 4294967296 * 4294967296\n", 2, 22,
	    "integer overflow");
}

static void test_scn_error_strings(void **state)
{
	(void)state;
	ERR(SC "doc \"abc\n", 2, 5, "unterminated string");
	ERR(SC "doc \"abc", 2, 5, "unterminated string");
	ERR(SC "doc \"abc\\", 2, 5, "unterminated string");
	ERR(SC "doc \"ab\\\nc\"\n", 2, 5, "unterminated string");
	ERR(SC "thread t\n  mem m 8 fill \"ab\n", 3, 16, "unterminated string");
	ERR(SC "doc \"a\\qb\"\n", 2, 5, "bad escape '\\q' in string");
	ERR(SC "doc \"a\\x4g\"\n", 2, 5,
	    "bad escape '\\x' in string (two hex digits)");
	ERR(SC "doc \"a\\x4\"\n", 2, 5,
	    "bad escape '\\x' in string (two hex digits)");
	ERR(SC "doc \"a\\\x01\"\n", 2, 5, "bad escape '\\' + 0x01 in string");
}

static void test_scn_error_unterminated_block(void **state)
{
	(void)state;
	ERR(SC "thread t\n  pipe p\n", 2, 1, "unterminated 'thread' block");
	ERR(SC "thread a\n  pipe p\nthread b\nend\n", 2, 1,
	    "unterminated 'thread' block");
	ERR(SC "setup\n  pipe p\nexpect 1 == 1\n", 2, 1,
	    "unterminated 'setup' block");
	ERR(SC "thread t\n  for i in 0 .. 1\n    close p\nend\n", 2, 1,
	    "unterminated 'thread' block");
	ERR(SC "setup\n  pipe p\nend\nthread t\n  for i in 0 .. 1\n"
	       "    close p\nexpect 1 == 1\n",
	    6, 3, "unterminated 'for' block");
}

static void test_scn_error_missing_scenario(void **state)
{
	(void)state;
	ERR("doc \"x\"\nscenario t\n", 1, 1,
	    "the first statement must be 'scenario NAME'");
	ERR("", 1, 1, "the first statement must be 'scenario NAME'");
	ERR("# only a comment\n\n", 3, 1,
	    "the first statement must be 'scenario NAME'");
	ERR("  \"x\"\n", 1, 3, "the first statement must be 'scenario NAME'");
	ERR("scenario\n", 1, 9, "expected a scenario name, got end of line");
	ERR("scenario \"x\"\n", 1, 10,
	    "expected a scenario name, got a string");
	ERR(SC "scenario u\n", 2, 1, "duplicate 'scenario' statement");
	ERR(SC "doc \"a\"\ndoc \"b\"\n", 3, 1, "duplicate 'doc' statement");
}

static void test_scn_error_undefined_name(void **state)
{
	(void)state;
	ERR(SC "thread t\n  vmsplice p buf 0 4\nend\n", 3, 12,
	    "undefined name 'p'");
	ERR(SC "expect x == 1\n", 2, 8, "undefined name 'x'");
	ERR(SC "thread t\n  pipe p\n  read p N\nend\n", 4, 10,
	    "undefined name 'N'");
	ERR(SC "thread t in nowhere\nend\n", 2, 13, "undefined name 'nowhere'");
	ERR(SC "setup as nowhere\nend\n", 2, 10, "undefined name 'nowhere'");
	ERR(SC "param A = B\nparam B = 1\n", 2, 11, "undefined name 'B'");
	ERR(SC "setup\n  pipe p\nend\nthread t\n  for i in 0 .. 1\n  end\n"
	       "  pipe_size p i\nend\n",
	    8, 15, "loop variable 'i' used outside its loop");
	ERR(SC "thread t\n  for i in 0 .. 1\n  end\nend\nexpect i == 1\n", 6, 8,
	    "loop variable 'i' used outside its loop");
	ERR(SC "thread t\n  for i in 0 .. i\n  end\nend\n", 3, 17,
	    "loop variable 'i' used outside its loop");
}

static void test_scn_error_duplicate_name(void **state)
{
	(void)state;
	ERR(SC "thread t\n  pipe p\n  pipe p\nend\n", 4, 8,
	    "duplicate name 'p' (first declared at 3:8)");
	ERR(SC "process init\n", 2, 9, "duplicate name 'init' (predeclared)");
	ERR(SC "param t = 1\nthread t\nend\n", 3, 8,
	    "duplicate name 't' (first declared at 2:7)");
	ERR(SC "thread t\n  pipe p\n  read p 1 -> p\nend\n", 4, 15,
	    "duplicate name 'p' (first declared at 3:8)");
	ERR(SC "thread t\n  x: pipe p\n  x: pipe q\nend\n", 4, 3,
	    "duplicate name 'x' (first declared at 3:3)");
	ERR(SC "thread t\n  for i in 0 .. 1\n    for i in 0 .. 1\n    end\n"
	       "  end\nend\n",
	    4, 9, "duplicate name 'i' (first declared at 3:7)");
	ERR(SC "thread t\n  for i in 0 .. 1\n  end\n  pipe i\nend\n", 5, 8,
	    "duplicate name 'i' (first declared at 3:7)");
	ERR(SC "param i = 1\nthread t\n  for i in 0 .. 1\n  end\nend\n", 4, 7,
	    "duplicate name 'i' (first declared at 2:7)");
	ERR(SC "thread t\n  kmem k 8 owner k\nend\n", 3, 18,
	    "duplicate name 'k' (first declared at 3:8)");
	ERR(SC "thread t\n  tcp a a\nend\n", 3, 9,
	    "duplicate name 'a' (first declared at 3:7)");
	ERR(SC "thread t\n  pipe deadlock\nend\n", 3, 8,
	    "'deadlock' is reserved");
	ERR(SC "thread t\n  pipe p\n  read p 1 -> pinned_bytes\nend\n", 4, 15,
	    "'pinned_bytes' is reserved");
}

static void test_scn_error_wrong_kind(void **state)
{
	(void)state;
	ERR(SC "thread t\n  mem buf 8\n  pipe p\n  vmsplice buf p 0 8\nend\n",
	    5, 12, "'buf' is a mem, expected a file, a pipe or a socket");
	ERR(SC "thread t\n  mem buf 8\n  put buf\nend\n", 4, 7,
	    "'buf' is a mem, expected an owner");
	ERR(SC "thread t\n  fork t\nend\n", 3, 8,
	    "'t' is a thread, expected a process");
	ERR(SC "thread t in t\nend\n", 2, 13,
	    "'t' is a thread, expected a process");
	ERR(SC "thread t\n  mem m 8\n  read m 4\nend\n", 4, 8,
	    "'m' is a mem, expected a file, a pipe or a socket");
	ERR(SC "thread t\n  kmem k 8\n  pipe p\n  write p k 0 4\nend\n", 5, 11,
	    "'k' is a kmem, expected a mem");
	/* descriptors of the wrong kind are run-time errnos, a mem is not */
	ERR(SC "thread t\n  mem m 8\n  file f 8\n  send m \"x\"\nend\n", 5, 8,
	    "'m' is a mem, expected a file, a pipe or a socket");
	ERR(SC "thread t\n  pipe p\n  mem m 8\n  tee p m 1\nend\n", 5, 9,
	    "'m' is a mem, expected a file, a pipe or a socket");
	ERR(SC "thread t\n  pipe p\n  decrypt p 1\nend\n", 4, 11,
	    "'p' is a pipe, expected a socket");
	ERR(SC "thread t\n  pipe p\n  mem m 8\n  splice p m 1\nend\n", 5, 12,
	    "'m' is a mem, expected a file, a pipe or a socket");
	ERR(SC "thread t\n  pipe p\n  read p p\nend\n", 4, 10,
	    "'p' is a pipe, expected a param or a loop variable");
	ERR(SC "thread t\n  pipe p\nend\nexpect p == 1\n", 5, 8,
	    "'p' is a pipe, expected a param, a label or a variable");
	ERR(SC "thread t\n  pipe p\nend\nexpect destructed(p) == 1\n", 5, 19,
	    "'p' is a pipe, expected an owner");
	ERR(SC "thread t\n  pipe p\n  read p 1 -> r\nend\nexpect at(r) == 1\n",
	    6, 11, "'r' is a variable, expected a label");
	ERR(SC "thread t\n  file f 8\n  read f.r 4\nend\n", 4, 8,
	    "'.r' applies only to pipes ('f' is a file)");
	ERR(SC "thread t\n  pipe p\n  read p.x 4\nend\n", 4, 10,
	    "expected a pipe end (r or w), got 'x'");
	ERR(SC "thread t\n  mem m 8\n  store m.w 0 \"x\"\nend\n", 4, 9,
	    "'.w' applies only to pipes ('m' is a mem)");
	ERR(SC "thread t\n  mem m 8\n  pipe p\n  write p m.r 0 1\nend\n", 5, 11,
	    "'.r' applies only to pipes ('m' is a mem)");
	ERR(SC "thread t\n  tcp a b\n  pipe p\n  vmsplice p.r a.w 0 1\nend\n",
	    5, 16, "'a' is a socket, expected a mem");
	ERR(SC "thread t\n  pipe p\n  write p \"x\" -> r\nend\n", 4, 15,
	    "'write' has no result to store ('-> VAR')");
}

static void test_scn_error_indexing(void **state)
{
	(void)state;
	ERR(SC "setup\n  pipe d[2]\nend\nthread t\n  read d 1\nend\n", 6, 8,
	    "'d' is an array and needs an index");
	ERR(SC "setup\n  pipe p\nend\nthread t\n  read p[0] 1\nend\n", 6, 8,
	    "'p' is not an array");
	ERR(SC "setup\n  pipe d[2]\nend\nthread t\n  read d[2] 1\nend\n", 6, 10,
	    "index 2 out of range for 'd' (size 2)");
	ERR(SC "setup\n  pipe d[2]\nend\nthread t\n  read d[-1] 1\nend\n", 6,
	    10, "index -1 out of range for 'd' (size 2)");
	ERR(SC "setup\n  pipe p\nend\nthread t\n  read p 1 -> r\n"
	       "  read p 1 -> r[0]\nend\n",
	    7, 15, "'r' used both with and without an index");
	ERR(SC "setup\n  pipe p\nend\nthread t\n  read p 1 -> r\nend\n"
	       "expect r[0] == \"x\"\n",
	    8, 8, "'r' is not an array");
	ERR(SC "setup\n  pipe p\nend\nthread t\n  read p 1 -> r[0]\nend\n"
	       "expect r == \"x\"\n",
	    8, 8, "'r' is an array and needs an index");
	ERR(SC "setup\n  n: pipe p\nend\nexpect n[0] == 1\n", 5, 8,
	    "'n' is not an array");
	ERR(SC "param N = 0\nsetup\n  pipe d[N]\nend\n", 4, 10,
	    "array size of 'd' must be 1 to 1048576 (is 0)");
	ERR(SC "setup\n  pipe d[2000000]\nend\n", 3, 10,
	    "array size of 'd' must be 1 to 1048576 (is 2000000)");
	ERR(SC "setup\n  n: pipe q\n  pipe d[n]\nend\n", 4, 10,
	    "'n' is a label, expected a param");
	ERR(SC "setup\n  tcp a[2] b\nend\n", 3, 12,
	    "'b' must have the same array size as 'a'");
	ERR(SC "setup\n  kmem k[2] 8 owner o\nend\n", 3, 21,
	    "'o' must have the same array size as 'k'");
	ERR(SC "thread t\n  for i in 0 .. \"x\"\n  end\nend\n", 3, 17,
	    "expected an integer, got a string");
	ERR(SC "thread t\n  n: pipe p\n  for i in 0 .. n\n  end\nend\n", 4, 17,
	    "'n' is a label, expected a param or a loop variable");
	ERR(SC "thread t\n  for i in 0 .. 1\n    pipe q\n  end\nend\n", 4, 10,
	    "'pipe' cannot declare 'q' inside a 'for' loop (declare an array)");
}

static void test_scn_error_condition_types(void **state)
{
#define R SC "setup\n  pipe p\nend\nthread t\n  read p 1 -> r\nend\n"
	(void)state;
	ERR(R "expect r == 5\n", 8, 10,
	    "cannot compare a string with an integer");
	ERR(R "expect 5 != r\n", 8, 10,
	    "cannot compare a string with an integer");
	ERR(R "expect r < \"x\"\n", 8, 10,
	    "strings compare only with == and !=");
	ERR(R "expect r\n", 8, 8, "expected a condition, got a string");
	ERR(R "expect len(r) == 1 && 5\n", 8, 23,
	    "expected a condition, got an integer");
	ERR(R "expect r + 1 == 2\n", 8, 8, "expected an integer, got a string");
	ERR(R "expect (r == \"a\") == 1\n", 8, 19,
	    "cannot compare a condition");
	ERR(R "expect 1 == 1 == 1\n", 8, 15,
	    "comparisons do not chain (use &&)");
	ERR(R "expect repeat(1, 2) == r\n", 8, 15,
	    "expected a string, got an integer");
	ERR(R "expect foo(r) == 1\n", 8, 8, "unknown function 'foo'");
	ERR(R "expect len(r, 1) == 1\n", 8, 8, "'len' takes 1 argument");
	ERR(R "expect len(1) == 1\n", 8, 12,
	    "argument 1 of 'len' must name a variable");
	ERR(R "expect refcount(r) == 1\n", 8, 8,
	    "'refcount' takes 2 arguments");
	ERR(R "expect file(r, 1) == \"x\"\n", 8, 8,
	    "'file' takes 1 or 3 arguments");
	ERR(R "expect len(r, 1, 2, 3) == 1\n", 8, 21,
	    "too many arguments to 'len'");
	ERR(R "expect\n", 8, 7, "expected a value, got end of line");
	ERR(R "expect (r == \"a\"\n", 8, 17, "expected ')', got end of line");
	ERR(R "expect deadlock == 1\n", 8, 17, "cannot compare a condition");
#undef R
}

static void test_scn_error_policy(void **state)
{
	(void)state;
	ERR(SC "policy foo = bar\n", 2, 8, "unknown policy knob 'foo'");
	ERR(SC "policy vmsplice = x\n", 2, 19,
	    "bad value 'x' for policy knob 'vmsplice' (ref, pin, copy, steal)");
	ERR(SC "policy loopback = copy\n", 2, 19,
	    "bad value 'copy' for policy knob 'loopback' "
	    "(copy_zerocopy, share, copy_all)");
	ERR(SC "policy preset = linux-1.0\n", 2, 17,
	    "unknown preset 'linux-1.0' (linux-6.18, linux-7.2-vmsplice-copy, "
	    "linux-5.16, linux-5.4, linux-4.19, proposal-pin, "
	    "proposal-span-desc, proposal-copy-out)");
	ERR(SC "policy vmsplice copy\n", 2, 17, "expected '=', got 'copy'");
	ERR(SC "policy vmsplice =\n", 2, 18,
	    "expected a value, got end of line");
	ERR(SC "policy vmsplice = copy extra\n", 2, 24,
	    "expected end of line, got 'extra'");
}

static void test_scn_error_overrides(void **state)
{
	const char *bad_params[][1] = { { "M=3" },
					{ "N" },
					{ "=3" },
					{ "N=x" },
					{ "N=99999999999999999999" } };
	const char *const param_msgs[] = {
		"--param 'M=3': unknown param 'M'",
		"--param 'N': expected NAME=VALUE",
		"--param '=3': expected NAME=VALUE",
		"--param 'N=x': bad integer 'x'",
		"--param 'N=99999999999999999999': integer overflow",
	};
	const char *bad_sets[][1] = {
		{ "foo=1" }, { "page_size=7" }, { "mss=-1" }, { "mss=1x" }
	};
	const char *const set_msgs[] = {
		"--set 'foo=1': unknown world parameter 'foo'",
		"--set 'page_size=7': bad value 7 for 'page_size' (a power of two from 8 to 16M)",
		"--set 'mss=-1': bad value -1 for 'mss' (1 to 2^30)",
		"--set 'mss=1x': bad integer '1x'",
	};
	const char *bad_pols[][1] = { { "foo=bar" },
				      { "vmsplice=x" },
				      { "preset=nope" },
				      { "vmsplice" } };
	const char *const pol_msgs[] = {
		"--policy 'foo=bar': unknown policy knob 'foo'",
		"--policy 'vmsplice=x': bad value 'x' for policy knob 'vmsplice' (ref, pin, copy, steal)",
		"--policy 'preset=nope': unknown preset 'nope' (linux-6.18, linux-7.2-vmsplice-copy, linux-5.16, linux-5.4, linux-4.19, proposal-pin, proposal-span-desc, proposal-copy-out)",
		"--policy 'vmsplice': expected NAME=VALUE",
	};
	struct scn_overrides ov;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_params); i++) {
		ov = (struct scn_overrides){ .params = bad_params[i],
					     .nr_params = 1 };
		ERR_OV(SC "param N = 1\n", &ov, 0, 0, param_msgs[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_sets); i++) {
		ov = (struct scn_overrides){ .sets = bad_sets[i],
					     .nr_sets = 1 };
		ERR_OV(SC "set mss = 1\n", &ov, 0, 0, set_msgs[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_pols); i++) {
		ov = (struct scn_overrides){ .policies = bad_pols[i],
					     .nr_policies = 1 };
		ERR_OV(SC, &ov, 0, 0, pol_msgs[i]);
	}
}

static void test_scn_error_set(void **state)
{
	(void)state;
	ERR(SC "set foo = 1\n", 2, 5, "unknown world parameter 'foo'");
	ERR(SC "set page_size = 100\n", 2, 17,
	    "bad value 100 for 'page_size' (a power of two from 8 to 16M)");
	ERR(SC "set page_size = 4\n", 2, 17,
	    "bad value 4 for 'page_size' (a power of two from 8 to 16M)");
	ERR(SC "param P = 12\nset page_size = P\n", 3, 17,
	    "bad value 12 for 'page_size' (a power of two from 8 to 16M)");
	ERR(SC "set sndbuf = -1\n", 2, 14,
	    "bad value -1 for 'sndbuf' (1 to 2^40)");
	ERR(SC "set mss = 1\nset mss = 2\n", 3, 5,
	    "duplicate 'set mss' (first at 2:1)");
	ERR(SC "set mss = q\n", 2, 11, "undefined name 'q'");
	ERR(SC "set mss 1\n", 2, 9, "expected '=', got '1'");
}

static void test_scn_error_binary_garbage(void **state)
{
	(void)state;
	ERR(SC "thread t\0\nend\n", 2, 9, "invalid character 0x00");
	ERR(SC "\xff\n", 2, 1, "invalid character 0xff");
	ERR(SC "thread t\n  pipe p\x80\nend\n", 3, 9, "invalid character 0x80");
	ERR(SC "# ok \xc3\x97 in a comment\n# bad \x01\n", 3, 7,
	    "invalid character 0x01");
	ERR(SC "# bad \0 nul\n", 2, 7, "invalid character 0x00");
	ERR(SC "thread t\rend\n", 2, 9, "invalid character 0x0d");
	ERR(SC "thread t\n  pipe p\x1b[0m\nend\n", 3, 9,
	    "invalid character 0x1b");
	ERR(SC "@\n", 2, 1, "unexpected character '@'");
	ERR(SC "expect 1 == 1 & 1\n", 2, 15, "unexpected character '&'");
	ERR(SC "expect 1 == 1 | 1\n", 2, 15, "unexpected character '|'");
	ERR("\x7f"
	    "ELF\x02\x01\x01\0\0\0",
	    1, 1, "invalid character 0x7f");
}

static void test_scn_error_expect_violation(void **state)
{
	(void)state;
	ERR(SC "expect violation leak\nexpect violation use-after-free\n", 3, 1,
	    "more than one 'expect violation' (first at 2:1)");
	ERR(SC "expect violation foo\n", 2, 18, "unknown invariant 'foo'");
	ERR(SC "expect violation leak extra\n", 2, 23,
	    "expected end of line, got 'extra'");
	ERR(SC "allow foo-bar\n", 2, 7, "unknown invariant 'foo-bar'");
	ERR(SC "allow\n", 2, 6, "expected an invariant name, got end of line");
}

static void test_scn_error_stray_end(void **state)
{
	(void)state;
	ERR(SC "end\n", 2, 1, "'end' outside a block");
	ERR(SC "thread t\nend\nend\n", 4, 1, "'end' outside a block");
}

static void test_scn_error_trailing_tokens(void **state)
{
	(void)state;
	ERR(SC "thread t\n  pipe p 4 5\nend\n", 3, 12,
	    "expected end of line, got '5'");
	ERR("scenario t x\n", 1, 12, "expected end of line, got 'x'");
	ERR(SC "thread t\nend x\n", 3, 5, "expected end of line, got 'x'");
	ERR(SC "thread t extra\nend\n", 2, 10,
	    "expected end of line, got 'extra'");
	ERR(SC "setup as\nend\n", 2, 9,
	    "expected a process name, got end of line");
	ERR(SC "thread t\n  pipe p\n  munmap p \"x\"\nend\n", 4, 12,
	    "expected end of line, got a string");
	ERR(SC "expect 1 == 1 1\n", 2, 15, "expected end of line, got '1'");
	ERR(SC "doc \"a\" \"b\"\n", 2, 9, "expected end of line, got a string");
	ERR(SC "process a b\n", 2, 11, "expected end of line, got 'b'");
}

static void test_scn_error_nesting_limits(void **state)
{
	char text[4096];
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), SC "param N = ");
	for (int i = 0; i < 100; i++)
		text[n++] = '(';
	text[n] = 0;
	check_error(text, n, NULL, 2, 11 + 64, "expression nested too deeply",
		    __LINE__);

	n = (size_t)snprintf(text, sizeof(text), SC "expect ");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "len(");
	check_error(text, n, NULL, 2, 8 + 4 * 64,
		    "expression nested too deeply", __LINE__);

	n = (size_t)snprintf(text, sizeof(text), SC "expect ");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "r[");
	check_error(text, n, NULL, 2, 8 + 2 * 64,
		    "expression nested too deeply", __LINE__);

	n = (size_t)snprintf(text, sizeof(text), SC "thread t\n  pipe p\n");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "for i%d in 0 .. 1\n", i);
	/* loops stop at the runner's depth, before any block limit */
	check_error(text, n, NULL, 4 + SCN_MAX_LOOP_DEPTH, 1,
		    "loops nested more than 31 deep", __LINE__);
}

/* Every error path frees what it built; so does scn_free(). */
static void test_scn_no_leak(void **state)
{
	static const char *const texts[] = {
		SC "thread t\n  pipe p\n  read p 1 -> r\nend\nexpect r == 5\n",
		SC "thread t\n  pipe p\n",
		SC "param N = 9223372036854775807 + 1\n",
		SC "doc \"unterminated\n",
		SC "policy preset = nope\n",
		SC "thread t\n  mem m 8 fill \"abc\"\n  store m 0 \"x\"\nend\n",
	};
	const char *params[] = { "Q=1" };
	struct scn_overrides ov = { .params = params, .nr_params = 1 };
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
	size_t before = mallinfo2().uordblks;
#endif

	(void)state;
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
			struct scn_error e;
			struct scn *s;

			if (!scn_parse_string("t.scn", texts[i],
					      strlen(texts[i]), NULL, &s, &e))
				scn_free(s);
			assert_int_equal(scn_parse_string("t.scn", texts[i],
							  strlen(texts[i]), &ov,
							  &s, &e),
					 -EINVAL);
		}
		for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
			char path[512];
			struct scn_error e;
			struct scn *s;

			snprintf(path, sizeof(path), "%s/%s", SCN_SEED_DIR,
				 seeds[i]);
			assert_int_equal(scn_parse_file(path, NULL, &s, &e), 0);
			scn_free(s);
		}
	}
	scn_free(NULL);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
	/* Not under a sanitizer's allocator, where CI's leak check rules. */
	if (before)
		assert_int_equal(mallinfo2().uordblks, before);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scn_seed_files_parse),
		cmocka_unit_test(test_scn_seed_vmsplice_then_store_tree),
		cmocka_unit_test(test_scn_seed_splice_fanout_tree),
		cmocka_unit_test(test_scn_seed_tcp_loopback_rpc_tree),
		cmocka_unit_test(test_scn_lexical_forms),
		cmocka_unit_test(test_scn_strings_hold_any_byte),
		cmocka_unit_test(test_scn_memory_operations),
		cmocka_unit_test(test_scn_pipe_and_socket_operations),
		cmocka_unit_test(test_scn_blocks_processes_and_forward_uses),
		cmocka_unit_test(test_scn_nested_loops),
		cmocka_unit_test(test_scn_condition_atoms),
		cmocka_unit_test(test_scn_violation_and_allow),
		cmocka_unit_test(test_scn_policy_lines_and_overrides),
		cmocka_unit_test(test_scn_set_lines_and_overrides),
		cmocka_unit_test(test_scn_eval_int),
		cmocka_unit_test(test_scn_names_of_kinds),
		cmocka_unit_test(test_scn_error_format),
		cmocka_unit_test(test_scn_unreadable_file),
		cmocka_unit_test(test_scn_error_unknown_words),
		cmocka_unit_test(test_scn_error_unknown_operation),
		cmocka_unit_test(test_scn_error_unknown_modifier),
		cmocka_unit_test(test_scn_word_operand),
		cmocka_unit_test(test_scn_error_bad_numbers),
		cmocka_unit_test(test_scn_error_integer_overflow),
		cmocka_unit_test(test_scn_error_strings),
		cmocka_unit_test(test_scn_error_unterminated_block),
		cmocka_unit_test(test_scn_error_missing_scenario),
		cmocka_unit_test(test_scn_error_undefined_name),
		cmocka_unit_test(test_scn_error_duplicate_name),
		cmocka_unit_test(test_scn_error_wrong_kind),
		cmocka_unit_test(test_scn_error_indexing),
		cmocka_unit_test(test_scn_error_condition_types),
		cmocka_unit_test(test_scn_error_policy),
		cmocka_unit_test(test_scn_error_overrides),
		cmocka_unit_test(test_scn_error_set),
		cmocka_unit_test(test_scn_error_binary_garbage),
		cmocka_unit_test(test_scn_error_expect_violation),
		cmocka_unit_test(test_scn_error_stray_end),
		cmocka_unit_test(test_scn_error_trailing_tokens),
		cmocka_unit_test(test_scn_error_nesting_limits),
		cmocka_unit_test(test_scn_no_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
