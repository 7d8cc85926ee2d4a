// SPDX-License-Identifier: MIT
/*
 * scn_parse.c - parser and checker of the scenario language
 * (SCENARIO-LANGUAGE.md sections 1-4, docs/language.md).
 *
 * Not a kernel file.  Two passes over one arena:
 *  1. parse, line by line: build the tree, declare every name in textual
 *     order (so a duplicate is reported at its second declaration), fold
 *     each param, apply the file's policy lines;
 *  2. resolve, in textual order of the top-level statements: fold array
 *     sizes and set values, bind every use to its symbol (uses may precede
 *     declarations), check kinds, indexes and types, fold constants; then
 *     apply the command-line overrides.
 * The first error ends the parse (longjmp to scn_parse_string()).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "span/check.h"
#include "span/errno.h"
#include "span/policy.h"
#include "span/world.h"
#include "ops/ops.h"
#include "scn_int.h"

#define MAX_DEPTH 64 /* nested blocks; nested parentheses */
#define MAX_NODES 4096 /* expression nodes in one statement */
#define MAX_ARRAY 1048576 /* elements of an object array */
#define HASH_SIZE 1024


/* ---------------------------------------------------------------- names */

static const char *const sym_kind_names[SCN_NR_SYM_KINDS] = {
	"param", "process", "thread", "mem",   "kmem",	   "file",
	"pipe",	 "socket",  "owner",  "label", "variable", "loop variable",
};

static const char *const sym_kind_a[SCN_NR_SYM_KINDS] = {
	"a param",  "a process", "a thread",   "a mem",
	"a kmem",   "a file",	 "a pipe",     "a socket",
	"an owner", "a label",	 "a variable", "a loop variable",
};

const char *scn_sym_kind_name(int kind)
{
	if (kind < 0 || kind >= SCN_NR_SYM_KINDS)
		return NULL;
	return sym_kind_names[kind];
}

enum { ARG_NONE, ARG_STR, ARG_INT, ARG_DECL };

/* Modifier i is bit (1 << i). */
static const struct {
	const char *name;
	int arg;
} mods[SCN_NR_MODS] = {
	{ "fill", ARG_STR },	  { "untouched", ARG_NONE },
	{ "slab", ARG_NONE },	  { "owner", ARG_DECL },
	{ "ro", ARG_NONE },	  { "packet", ARG_NONE },
	{ "nonblock", ARG_NONE }, { "zerocopy", ARG_NONE },
	{ "all", ARG_NONE },	  { "gift", ARG_NONE },
	{ "off", ARG_INT },	  { "more", ARG_NONE },
	{ "move", ARG_NONE },	  { "splice_pages", ARG_NONE },
	{ "peek", ARG_NONE },	  { "wait", ARG_NONE },
};

const char *scn_mod_name(unsigned int mod)
{
	for (int i = 0; i < SCN_NR_MODS; i++)
		if (mod == 1u << i)
			return mods[i].name;
	return NULL;
}

const char *scn_op_name(int kind)
{
	if (kind < 0 || kind >= SCN_NR_OPS)
		return NULL;
	return op_table[kind].name;
}

/*
 * Functions of conditions.  sig: R a reference to a symbol of the kinds in
 * @mask, i an integer, s a string; arguments after '|' are optional as a
 * group.
 */
static const struct {
	const char *name;
	int kind;
	const char *sig;
	unsigned int mask;
	int type;
	const char *arity;
} funcs[] = {
	{ "len", SCN_E_LEN, "R", KIND(VAR), SCN_T_INT, "1 argument" },
	{ "at", SCN_E_AT, "R", KIND(LABEL), SCN_T_INT, "1 argument" },
	{ "destructed", SCN_E_DESTRUCTED, "R", KIND(OWNER), SCN_T_INT,
	  "1 argument" },
	{ "destructed_at", SCN_E_DESTRUCTED_AT, "R", KIND(OWNER), SCN_T_INT,
	  "1 argument" },
	{ "held_bytes", SCN_E_HELD_BYTES, "R", KIND(OWNER), SCN_T_INT,
	  "1 argument" },
	{ "refcount", SCN_E_REFCOUNT, "Ri", KIND(MEM) | KIND(KMEM) | KIND(FILE),
	  SCN_T_INT, "2 arguments" },
	{ "pincount", SCN_E_PINCOUNT, "Ri", KIND(MEM) | KIND(KMEM) | KIND(FILE),
	  SCN_T_INT, "2 arguments" },
	{ "mapcount", SCN_E_MAPCOUNT, "Ri", KIND(MEM) | KIND(KMEM) | KIND(FILE),
	  SCN_T_INT, "2 arguments" },
	{ "repeat", SCN_E_REPEAT, "si", 0, SCN_T_STR, "2 arguments" },
	{ "file", SCN_E_FILE, "R|ii", KIND(FILE), SCN_T_STR,
	  "1 or 3 arguments" },
	{ "mem", SCN_E_MEM, "Rii", KIND(MEM) | KIND(KMEM), SCN_T_STR,
	  "3 arguments" },
	{ "completions", SCN_E_COMPLETIONS, "R", KIND(SOCK), SCN_T_STR,
	  "1 argument" },
};

/* Words that start a top-level statement. */
static const char *const top_words[] = {
	"scenario", "doc",    "param",	"set",	  "policy", "process",
	"setup",    "thread", "expect", "exists", "allow",
};

/* Names a scenario may not declare: conditions use them as atoms. */
static const char *const reserved[] = { "deadlock", "pinned_bytes" };

/* --------------------------------------------------------------- errors */

void scn__fail(struct scn__ctx *c, int line, int col, const char *fmt, ...)
{
	va_list ap;

	c->err->line = line;
	c->err->col = col;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	c->ret = -EINVAL;
	longjmp(c->jb, 1);
}

void scn__oom(struct scn__ctx *c)
{
	c->err->line = 0;
	c->err->col = 0;
	snprintf(c->err->msg, sizeof(c->err->msg), "out of memory");
	c->ret = -ENOMEM;
	longjmp(c->jb, 1);
}

void *scn__xalloc(struct scn__ctx *c, size_t n)
{
	void *p = scn__alloc(c->arena, n);

	if (!p)
		scn__oom(c);
	return p;
}

int scn_error_format(const struct scn_error *e, char *buf, size_t n)
{
	if (!e->line)
		return snprintf(buf, n, "%s: error: %s", e->file, e->msg);
	return snprintf(buf, n, "%s:%d:%d: error: %s", e->file, e->line, e->col,
			e->msg);
}

/* --------------------------------------------------------------- parser */

enum { ITEM_SET, ITEM_SETUP, ITEM_THREAD, ITEM_EXPECT, ITEM_EXISTS };

/*
 * A top-level statement that pass 2 resolves, in textual order.
 * SET: @key (enum span_param), @value, @line/@col of the statement.
 * SETUP/THREAD: @idx, the process @name (NULL: init) at @line/@col.
 * EXPECT/EXISTS: @idx.
 */
struct item {
	int kind;
	int idx;
	int key;
	struct scn_expr *value;
	const char *name;
	int line, col;
};

/* An array declaration: its size is folded in pass 2. */
struct array_decl {
	int sym;
	struct scn_expr *size;
};

/* Symbol @b must have the array size of @a (tcp endpoints, kmem owner). */
struct same_size {
	int a, b;
};

struct block {
	const char *what;
	int line, col;
};

/* --param NAME=V, --set KEY=V, --policy K=V, validated before parsing. */
struct ov_param {
	const char *str;
	size_t nlen;
	int64_t value;
	bool used;
};

struct parser {
	struct scn__ctx ctx;
	struct scn__lexer lx;
	struct scn__tok tok, ahead;
	bool have_ahead;
	size_t last_end; /* end of the last token of the statement */
	const char *src;
	struct scn *s;
	const struct scn_overrides *ov;
	bool cond; /* parsing a condition, not an operation */
	int depth; /* parenthesis / unary nesting */
	int nodes; /* expression nodes of this statement */
	bool seen_scenario, seen_doc;

	int hash[HASH_SIZE]; /* first symbol of each chain, or -1 */
	int *hnext; /* next symbol of the same chain */
	int scope[MAX_DEPTH]; /* loop variables in scope */
	int nr_scope;
	struct block blocks[MAX_DEPTH];
	int nr_blocks;

	struct item *items;
	int nr_items;
	struct array_decl *arrays;
	int nr_arrays;
	struct same_size *same;
	int nr_same;
	struct ov_param *ov_params;
	int set_line[SPAN_NR_PARAMS], set_col[SPAN_NR_PARAMS];
	int set_vline[SPAN_NR_PARAMS], set_vcol[SPAN_NR_PARAMS];
	int set_ov[SPAN_NR_PARAMS]; /* last --set index per key, or -1 */
	int64_t set_ov_value[SPAN_NR_PARAMS]; /* its value */

	int cap_syms, cap_hnext, cap_params, cap_sets, cap_procs, cap_setups;
	int cap_threads, cap_expects, cap_exists, cap_allows, cap_items;
	int cap_arrays, cap_same;
};

static _Noreturn void fail(struct parser *p, int line, int col, const char *fmt,
			   ...) __attribute__((format(printf, 4, 5)));

static _Noreturn void fail(struct parser *p, int line, int col, const char *fmt,
			   ...)
{
	char msg[sizeof(p->ctx.err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	scn__fail(&p->ctx, line, col, "%s", msg);
}

/* Grow an arena array to hold one more element; returns the array. */
static void *grow(struct parser *p, void *arr, int nr, int *cap, size_t size)
{
	void *n;

	if (nr < *cap)
		return arr;
	if (*cap > (1 << 28))
		scn__oom(&p->ctx);
	*cap = *cap ? *cap * 2 : 8;
	n = scn__xalloc(&p->ctx, (size_t)*cap * size);
	if (nr)
		memcpy(n, arr, (size_t)nr * size);
	return n;
}

/* Append a zeroed element to array @arr of @nr elements; a pointer to it. */
#define PUSH(p, arr, nr, cap) \
	((arr) = grow(p, arr, nr, &(cap), sizeof(*(arr))), &(arr)[(nr)++])

static char *copy_text(struct parser *p, size_t start, size_t end)
{
	char *s = scn__xalloc(&p->ctx, end - start + 1);

	memcpy(s, p->src + start, end - start);
	return s;
}

static char *tok_text(struct parser *p, const struct scn__tok *t)
{
	return copy_text(p, t->start, t->end);
}

static bool tok_is(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	return p->tok.kind == T_IDENT && p->tok.end - p->tok.start == n &&
	       !memcmp(p->src + p->tok.start, word, n);
}

static const char *describe(struct parser *p, const struct scn__tok *t,
			    char *buf, size_t n)
{
	size_t len = t->end - t->start;

	switch (t->kind) {
	case T_EOF:
		return "end of file";
	case T_EOL:
		return "end of line";
	case T_STR:
		return "a string";
	case T_IDENT:
	case T_WORD:
	case T_INT:
	case T_ERRNO:
		snprintf(buf, n, "'%.*s'", (int)(len > 40 ? 40 : len),
			 p->src + t->start);
		return buf;
	default:
		snprintf(buf, n, "'%s'", scn__tok_spelling(t->kind));
		return buf;
	}
}

static _Noreturn void expected(struct parser *p, const char *what)
{
	char buf[64];

	fail(p, p->tok.line, p->tok.col, "expected %s, got %s", what,
	     describe(p, &p->tok, buf, sizeof(buf)));
}

static void next(struct parser *p)
{
	if (p->tok.kind != T_EOL && p->tok.kind != T_EOF)
		p->last_end = p->tok.end;
	if (p->have_ahead) {
		p->tok = p->ahead;
		p->have_ahead = false;
		return;
	}
	scn__lex_next(&p->lx, &p->tok);
}

/* Consume the current token and read the next one as a raw word. */
static void next_word(struct parser *p)
{
	p->last_end = p->tok.end;
	scn__lex_word(&p->lx, &p->tok);
}

static const struct scn__tok *peek(struct parser *p)
{
	if (!p->have_ahead) {
		scn__lex_next(&p->lx, &p->ahead);
		p->have_ahead = true;
	}
	return &p->ahead;
}

static void expect_eol(struct parser *p)
{
	if (p->tok.kind != T_EOL && p->tok.kind != T_EOF)
		expected(p, "end of line");
}

static void expect_tok(struct parser *p, int kind)
{
	char what[8];

	if (p->tok.kind != kind) {
		snprintf(what, sizeof(what), "'%s'", scn__tok_spelling(kind));
		expected(p, what);
	}
	next(p);
}

static struct scn__tok take_ident(struct parser *p, const char *what)
{
	struct scn__tok t = p->tok;

	if (t.kind != T_IDENT)
		expected(p, what);
	next(p);
	return t;
}

/* "a pipe, a file or a socket" */
static const char *kinds_text(unsigned int mask, char *buf, size_t n)
{
	int nr = 0, total = 0;

	buf[0] = 0;
	for (int k = 0; k < SCN_NR_SYM_KINDS; k++)
		total += !!(mask & (1u << k));
	for (int k = 0; k < SCN_NR_SYM_KINDS; k++) {
		size_t len = strlen(buf);

		if (!(mask & (1u << k)))
			continue;
		nr++;
		snprintf(buf + len, n - len, "%s%s",
			 nr == 1     ? "" :
			 nr == total ? " or " :
				       ", ",
			 sym_kind_a[k]);
	}
	return buf;
}

/* ------------------------------------------------------------- symbols */

static unsigned int hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % HASH_SIZE;
}

enum { FIND_GLOBAL, FIND_LOOPVAR, FIND_ANY };

/* The first-declared symbol called @name of the given class, or -1. */
static int find_sym(struct parser *p, const char *name, int which)
{
	int best = -1;

	for (int i = p->hash[hash_name(name)]; i >= 0; i = p->hnext[i]) {
		const struct scn_sym *sym = &p->s->syms[i];
		bool lv = sym->kind == SCN_SYM_LOOPVAR;

		if (strcmp(sym->name, name))
			continue;
		if ((which == FIND_GLOBAL && lv) ||
		    (which == FIND_LOOPVAR && !lv))
			continue;
		if (best < 0 || i < best)
			best = i;
	}
	return best;
}

static int add_sym(struct parser *p, const char *name, int kind, int line,
		   int col)
{
	struct scn *s = p->s;
	int id = s->nr_syms, nr = id;
	struct scn_sym *sym = PUSH(p, s->syms, s->nr_syms, p->cap_syms);
	unsigned int h = hash_name(name);

	*PUSH(p, p->hnext, nr, p->cap_hnext) = p->hash[h];
	p->hash[h] = id;
	sym->name = name;
	sym->kind = kind;
	sym->index = s->nr_kind[kind]++;
	sym->line = line;
	sym->col = col;
	return id;
}

static _Noreturn void duplicate(struct parser *p, const struct scn__tok *t,
				const char *name, int first)
{
	const struct scn_sym *f = &p->s->syms[first];

	if (!f->line)
		fail(p, t->line, t->col, "duplicate name '%s' (predeclared)",
		     name);
	fail(p, t->line, t->col,
	     "duplicate name '%s' (first declared at %d:%d)", name, f->line,
	     f->col);
}

/* Declare the name of token @t; every name is declared once. */
static int declare(struct parser *p, const struct scn__tok *t, int kind)
{
	char *name = tok_text(p, t);
	int first;

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			fail(p, t->line, t->col, "'%s' is reserved", name);
	if (kind == SCN_SYM_LOOPVAR) {
		/* Sibling loops may reuse a name; nested ones may not. */
		first = find_sym(p, name, FIND_GLOBAL);
		for (int i = 0; first < 0 && i < p->nr_scope; i++)
			if (!strcmp(p->s->syms[p->scope[i]].name, name))
				first = p->scope[i];
	} else {
		first = find_sym(p, name, FIND_ANY);
	}
	if (first >= 0)
		duplicate(p, t, name, first);
	return add_sym(p, name, kind, t->line, t->col);
}

/* The symbol a use of @name refers to: loop variables in scope first. */
static int lookup(struct parser *p, const char *name, int line, int col)
{
	int id;

	for (int i = p->nr_scope - 1; i >= 0; i--)
		if (!strcmp(p->s->syms[p->scope[i]].name, name))
			return p->scope[i];
	id = find_sym(p, name, FIND_GLOBAL);
	if (id >= 0)
		return id;
	if (find_sym(p, name, FIND_LOOPVAR) >= 0)
		fail(p, line, col, "loop variable '%s' used outside its loop",
		     name);
	fail(p, line, col, "undefined name '%s'", name);
}

static _Noreturn void kind_error(struct parser *p, int line, int col, int id,
				 unsigned int mask)
{
	const struct scn_sym *sym = &p->s->syms[id];
	char buf[160];

	fail(p, line, col, "'%s' is %s, expected %s", sym->name,
	     sym_kind_a[sym->kind], kinds_text(mask, buf, sizeof(buf)));
}

/* --------------------------------------------------------- expressions */

static struct scn_expr *new_expr(struct parser *p, int kind,
				 const struct scn__tok *at)
{
	struct scn_expr *e;

	if (++p->nodes > MAX_NODES)
		fail(p, at->line, at->col, "expression too long");
	e = scn__xalloc(&p->ctx, sizeof(*e));
	e->kind = kind;
	e->line = at->line;
	e->col = at->col;
	e->ref.sym = -1;
	return e;
}

static void enter(struct parser *p, const struct scn__tok *at)
{
	if (++p->depth > MAX_DEPTH)
		fail(p, at->line, at->col, "expression nested too deeply");
}

static struct scn_expr *parse_or(struct parser *p);
static struct scn_expr *parse_arith(struct parser *p);
static struct scn_expr *parse_unary(struct parser *p);

/* name( args ): arguments are kept in arg[], their number in value. */
static struct scn_expr *parse_call(struct parser *p, const struct scn__tok *t,
				   char *name)
{
	struct scn_expr *e = new_expr(p, SCN__E_CALL, t);

	e->name = name;
	enter(p, t);
	next(p);
	if (p->tok.kind != T_RPAREN) {
		for (;;) {
			if (e->value == 3)
				fail(p, p->tok.line, p->tok.col,
				     "too many arguments to '%s'", name);
			e->arg[e->value++] = parse_arith(p);
			if (p->tok.kind != T_COMMA)
				break;
			next(p);
		}
	}
	expect_tok(p, T_RPAREN);
	p->depth--;
	return e;
}

static struct scn_expr *parse_primary(struct parser *p)
{
	struct scn__tok t = p->tok;
	struct scn_expr *e;
	char *name;

	switch (t.kind) {
	case T_INT:
	case T_ERRNO:
		e = new_expr(p, SCN_E_INT, &t);
		e->value = t.v;
		next(p);
		return e;
	case T_STR:
		if (!p->cond)
			break;
		e = new_expr(p, SCN_E_STR, &t);
		e->str = t.str;
		next(p);
		return e;
	case T_LPAREN:
		next(p);
		enter(p, &t);
		e = p->cond ? parse_or(p) : parse_arith(p);
		p->depth--;
		expect_tok(p, T_RPAREN);
		return e;
	case T_IDENT:
		name = tok_text(p, &t);
		next(p);
		if (p->cond && p->tok.kind == T_LPAREN)
			return parse_call(p, &t, name);
		e = new_expr(p, SCN__E_NAME, &t);
		e->name = name;
		if (p->cond && p->tok.kind == T_LBRACK) {
			enter(p, &t);
			next(p);
			e->arg[0] = parse_arith(p);
			expect_tok(p, T_RBRACK);
			p->depth--;
		}
		return e;
	default:
		break;
	}
	expected(p, p->cond ? "a value" : "an integer");
}

/* A prefix operator (the current token) applied to what @sub parses. */
static struct scn_expr *prefix(struct parser *p, int kind,
			       struct scn_expr *(*sub)(struct parser *))
{
	struct scn__tok t = p->tok;
	struct scn_expr *e;

	next(p);
	enter(p, &t);
	e = new_expr(p, kind, &t);
	e->arg[0] = sub(p);
	p->depth--;
	return e;
}

static struct scn_expr *parse_unary(struct parser *p)
{
	if (p->tok.kind == T_MINUS)
		return prefix(p, SCN_E_NEG, parse_unary);
	return parse_primary(p);
}

static int binop_kind(int tok)
{
	switch (tok) {
	case T_PLUS:
		return SCN_E_ADD;
	case T_MINUS:
		return SCN_E_SUB;
	case T_STAR:
		return SCN_E_MUL;
	case T_SLASH:
		return SCN_E_DIV;
	case T_PERCENT:
		return SCN_E_MOD;
	case T_EQ:
		return SCN_E_EQ;
	case T_NE:
		return SCN_E_NE;
	case T_LT:
		return SCN_E_LT;
	case T_LE:
		return SCN_E_LE;
	case T_GT:
		return SCN_E_GT;
	case T_GE:
		return SCN_E_GE;
	case T_ANDAND:
		return SCN_E_AND;
	case T_OROR:
		return SCN_E_OR;
	default:
		return -1;
	}
}

static struct scn_expr *binop(struct parser *p, struct scn_expr *l,
			      struct scn_expr *(*sub)(struct parser *))
{
	struct scn__tok t = p->tok;
	struct scn_expr *e = new_expr(p, binop_kind(t.kind), &t);

	next(p);
	e->arg[0] = l;
	e->arg[1] = sub(p);
	return e;
}

static struct scn_expr *parse_mul(struct parser *p)
{
	struct scn_expr *e = parse_unary(p);

	while (p->tok.kind == T_STAR || p->tok.kind == T_SLASH ||
	       p->tok.kind == T_PERCENT)
		e = binop(p, e, parse_unary);
	return e;
}

/* An integer expression: + - * / %, unary minus, parentheses. */
static struct scn_expr *parse_arith(struct parser *p)
{
	struct scn_expr *e = parse_mul(p);

	while (p->tok.kind == T_PLUS || p->tok.kind == T_MINUS)
		e = binop(p, e, parse_mul);
	return e;
}

static bool is_cmp(int tok)
{
	return tok == T_EQ || tok == T_NE || tok == T_LT || tok == T_LE ||
	       tok == T_GT || tok == T_GE;
}

static struct scn_expr *parse_cmp(struct parser *p)
{
	struct scn_expr *e = parse_arith(p);

	if (!is_cmp(p->tok.kind))
		return e;
	e = binop(p, e, parse_arith);
	if (is_cmp(p->tok.kind))
		fail(p, p->tok.line, p->tok.col,
		     "comparisons do not chain (use &&)");
	return e;
}

/* `! X` negates the comparison X: it binds looser than ==. */
static struct scn_expr *parse_not(struct parser *p)
{
	if (p->tok.kind == T_NOT)
		return prefix(p, SCN_E_NOT, parse_not);
	return parse_cmp(p);
}

static struct scn_expr *parse_and(struct parser *p)
{
	struct scn_expr *e = parse_not(p);

	while (p->tok.kind == T_ANDAND)
		e = binop(p, e, parse_not);
	return e;
}

static struct scn_expr *parse_or(struct parser *p)
{
	struct scn_expr *e = parse_and(p);

	while (p->tok.kind == T_OROR)
		e = binop(p, e, parse_and);
	return e;
}

/* ------------------------------------------------- evaluation, folding */

static int arith(int kind, int64_t a, int64_t b, int64_t *out)
{
	switch (kind) {
	case SCN_E_ADD:
		return __builtin_add_overflow(a, b, out) ? -ERANGE : 0;
	case SCN_E_SUB:
		return __builtin_sub_overflow(a, b, out) ? -ERANGE : 0;
	case SCN_E_MUL:
		return __builtin_mul_overflow(a, b, out) ? -ERANGE : 0;
	case SCN_E_DIV:
	case SCN_E_MOD:
		if (!b)
			return -EDOM;
		if (a == INT64_MIN && b == -1)
			return -ERANGE;
		*out = kind == SCN_E_DIV ? a / b : a % b;
		return 0;
	default:
		return -EINVAL;
	}
}

int scn_eval_int(const struct scn *s, const struct scn_expr *e,
		 const int64_t *loopvars, int64_t *out)
{
	int64_t a, b;
	int ret;

	if (!e)
		return -EINVAL;
	switch (e->kind) {
	case SCN_E_INT:
		*out = e->value;
		return 0;
	case SCN_E_LOOPVAR:
		if (!loopvars || e->ref.sym < 0 || e->ref.sym >= s->nr_syms)
			return -EINVAL;
		*out = loopvars[s->syms[e->ref.sym].index];
		return 0;
	case SCN_E_NEG:
		ret = scn_eval_int(s, e->arg[0], loopvars, &a);
		return ret ? ret : arith(SCN_E_SUB, 0, a, out);
	case SCN_E_ADD:
	case SCN_E_SUB:
	case SCN_E_MUL:
	case SCN_E_DIV:
	case SCN_E_MOD:
		ret = scn_eval_int(s, e->arg[0], loopvars, &a);
		if (!ret)
			ret = scn_eval_int(s, e->arg[1], loopvars, &b);
		return ret ? ret : arith(e->kind, a, b, out);
	default:
		return -EINVAL;
	}
}

/* Fold a NEG or arithmetic node whose operands are literals. */
static struct scn_expr *fold(struct parser *p, struct scn_expr *e)
{
	int64_t v;
	int ret;

	if (e->kind == SCN_E_NEG) {
		if (e->arg[0]->kind != SCN_E_INT)
			return e;
		ret = arith(SCN_E_SUB, 0, e->arg[0]->value, &v);
	} else {
		if (e->arg[0]->kind != SCN_E_INT ||
		    e->arg[1]->kind != SCN_E_INT)
			return e;
		ret = arith(e->kind, e->arg[0]->value, e->arg[1]->value, &v);
	}
	if (ret == -EDOM)
		fail(p, e->line, e->col, "division by zero");
	if (ret)
		fail(p, e->line, e->col, "integer overflow");
	e->kind = SCN_E_INT;
	e->value = v;
	e->arg[0] = e->arg[1] = NULL;
	return e;
}

/* A use of param @id becomes its value. */
static void fold_param(struct parser *p, struct scn_expr *e, int id)
{
	e->kind = SCN_E_INT;
	e->value = p->s->params[p->s->syms[id].index].value;
	e->name = NULL;
}

/*
 * Resolve an integer expression of an operation, a loop bound, an array
 * size, a param or a set value: names may be params (folded) and the
 * kinds in @allow (loop variables in scope).
 */
static struct scn_expr *resolve_int(struct parser *p, struct scn_expr *e,
				    unsigned int allow)
{
	int id;

	switch (e->kind) {
	case SCN_E_INT:
		break;
	case SCN__E_NAME:
		id = lookup(p, e->name, e->line, e->col);
		if (!(allow & (1u << p->s->syms[id].kind)))
			kind_error(p, e->line, e->col, id, allow);
		if (p->s->syms[id].kind == SCN_SYM_PARAM) {
			fold_param(p, e, id);
		} else {
			e->kind = SCN_E_LOOPVAR;
			e->ref.sym = id;
			e->ref.name = e->name;
			e->ref.line = e->line;
			e->ref.col = e->col;
		}
		break;
	case SCN_E_NEG:
		e->arg[0] = resolve_int(p, e->arg[0], allow);
		e = fold(p, e);
		break;
	case SCN_E_ADD:
	case SCN_E_SUB:
	case SCN_E_MUL:
	case SCN_E_DIV:
	case SCN_E_MOD:
		e->arg[0] = resolve_int(p, e->arg[0], allow);
		e->arg[1] = resolve_int(p, e->arg[1], allow);
		e = fold(p, e);
		break;
	default:
		/* Operations never parse strings or calls as integers. */
		fail(p, e->line, e->col, "expected an integer");
	}
	e->type = SCN_T_INT;
	return e;
}

/* A constant: literals and params only. */
static int64_t const_value(struct parser *p, struct scn_expr *e)
{
	e = resolve_int(p, e, KIND(PARAM));
	return e->value;
}

static const char *type_name(int type)
{
	return type == SCN_T_INT ? "an integer" :
	       type == SCN_T_STR ? "a string" :
				   "a condition";
}

static struct scn_expr *resolve_cond(struct parser *p, struct scn_expr *e);

static struct scn_expr *need(struct parser *p, struct scn_expr *e, int type)
{
	e = resolve_cond(p, e);
	if ((int)e->type != type)
		fail(p, e->line, e->col, "expected %s, got %s", type_name(type),
		     type_name(e->type));
	return e;
}

/*
 * Bind reference @r to its symbol and check it: kind in @mask, pipe end on
 * pipes only, an index exactly on indexed symbols, constant indexes in
 * range.  @r->sym may already be set (variables of `-> VAR`).
 */
static void resolve_ref(struct parser *p, struct scn_ref *r, unsigned int mask)
{
	int id = r->sym >= 0 ? r->sym : lookup(p, r->name, r->line, r->col);
	const struct scn_sym *sym = &p->s->syms[id];

	if (!(mask & (1u << sym->kind)))
		kind_error(p, r->line, r->col, id, mask);
	if (r->end != SCN_END_NONE && sym->kind != SCN_SYM_PIPE)
		fail(p, r->line, r->col,
		     "'.%c' applies only to pipes ('%s' is %s)",
		     r->end == SCN_END_R ? 'r' : 'w', sym->name,
		     sym_kind_a[sym->kind]);
	if (sym->indexed && !r->index)
		fail(p, r->line, r->col, "'%s' is an array and needs an index",
		     sym->name);
	if (!sym->indexed && r->index)
		fail(p, r->line, r->col, "'%s' is not an array", sym->name);
	r->sym = id;
	if (!r->index)
		return;
	if (p->cond)
		r->index = need(p, r->index, SCN_T_INT);
	else
		r->index =
			resolve_int(p, r->index, KIND(PARAM) | KIND(LOOPVAR));
	if (r->index->kind != SCN_E_INT)
		return;
	if (r->index->value < 0 || (sym->size && r->index->value >= sym->size))
		fail(p, r->index->line, r->index->col,
		     "index %lld out of range for '%s' (size %lld)",
		     (long long)r->index->value, sym->name,
		     (long long)sym->size);
}

static struct scn_expr *resolve_name(struct parser *p, struct scn_expr *e)
{
	struct scn_ref r = { .sym = -1,
			     .name = e->name,
			     .index = e->arg[0],
			     .line = e->line,
			     .col = e->col };
	int id;

	if (!e->arg[0] && !strcmp(e->name, "deadlock")) {
		e->kind = SCN_E_DEADLOCK;
		e->type = SCN_T_BOOL;
		p->s->uses_deadlock = true;
		return e;
	}
	if (!e->arg[0] && !strcmp(e->name, "pinned_bytes")) {
		e->kind = SCN_E_PINNED_BYTES;
		e->type = SCN_T_INT;
		return e;
	}
	id = lookup(p, e->name, e->line, e->col);
	switch (p->s->syms[id].kind) {
	case SCN_SYM_PARAM:
	case SCN_SYM_LABEL:
		if (e->arg[0])
			fail(p, e->line, e->col, "'%s' is not an array",
			     e->name);
		if (p->s->syms[id].kind == SCN_SYM_PARAM) {
			fold_param(p, e, id);
		} else {
			e->kind = SCN_E_LABEL;
			r.sym = id;
			e->ref = r;
		}
		e->type = SCN_T_INT;
		return e;
	case SCN_SYM_VAR:
		resolve_ref(p, &r, KIND(VAR));
		e->kind = SCN_E_VAR;
		e->type = SCN_T_STR;
		e->ref = r;
		e->arg[0] = NULL;
		return e;
	default:
		kind_error(p, e->line, e->col, id,
			   KIND(PARAM) | KIND(LABEL) | KIND(VAR));
	}
}

static struct scn_expr *resolve_call(struct parser *p, struct scn_expr *e)
{
	struct scn_expr *args[3] = { e->arg[0], e->arg[1], e->arg[2] };
	int nargs = (int)e->value, nout = 0, ai = 0;
	size_t f, need_min, need_max;
	const char *bar;

	for (f = 0; f < sizeof(funcs) / sizeof(funcs[0]); f++)
		if (!strcmp(funcs[f].name, e->name))
			break;
	if (f == sizeof(funcs) / sizeof(funcs[0]))
		fail(p, e->line, e->col, "unknown function '%s'", e->name);
	bar = strchr(funcs[f].sig, '|');
	need_max = strlen(funcs[f].sig) - (bar ? 1 : 0);
	need_min = bar ? (size_t)(bar - funcs[f].sig) : need_max;
	if ((size_t)nargs != need_min && (size_t)nargs != need_max)
		fail(p, e->line, e->col, "'%s' takes %s", e->name,
		     funcs[f].arity);
	memset(e->arg, 0, sizeof(e->arg));
	for (const char *c = funcs[f].sig; *c && ai < nargs; c++) {
		struct scn_expr *a = args[ai];
		char buf[160];

		switch (*c) {
		case '|':
			continue;
		case 'R':
			if (a->kind != SCN__E_NAME)
				fail(p, a->line, a->col,
				     "argument %d of '%s' must name %s", ai + 1,
				     e->name,
				     kinds_text(funcs[f].mask, buf,
						sizeof(buf)));
			e->ref = (struct scn_ref){ .sym = -1,
						   .name = a->name,
						   .index = a->arg[0],
						   .line = a->line,
						   .col = a->col };
			resolve_ref(p, &e->ref, funcs[f].mask);
			break;
		case 'i':
			e->arg[nout++] = need(p, a, SCN_T_INT);
			break;
		case 's':
			e->arg[nout++] = need(p, a, SCN_T_STR);
			break;
		}
		ai++;
	}
	e->kind = funcs[f].kind;
	e->type = funcs[f].type;
	e->value = 0;
	return e;
}

/* Resolve and type a condition or one of its parts. */
static struct scn_expr *resolve_cond(struct parser *p, struct scn_expr *e)
{
	struct scn_expr *a, *b;

	switch (e->kind) {
	case SCN_E_INT:
		e->type = SCN_T_INT;
		return e;
	case SCN_E_STR:
		e->type = SCN_T_STR;
		return e;
	case SCN__E_NAME:
		return resolve_name(p, e);
	case SCN__E_CALL:
		return resolve_call(p, e);
	case SCN_E_NEG:
		e->arg[0] = need(p, e->arg[0], SCN_T_INT);
		e->type = SCN_T_INT;
		return fold(p, e);
	case SCN_E_ADD:
	case SCN_E_SUB:
	case SCN_E_MUL:
	case SCN_E_DIV:
	case SCN_E_MOD:
		e->arg[0] = need(p, e->arg[0], SCN_T_INT);
		e->arg[1] = need(p, e->arg[1], SCN_T_INT);
		e->type = SCN_T_INT;
		return fold(p, e);
	case SCN_E_EQ:
	case SCN_E_NE:
	case SCN_E_LT:
	case SCN_E_LE:
	case SCN_E_GT:
	case SCN_E_GE:
		a = e->arg[0] = resolve_cond(p, e->arg[0]);
		b = e->arg[1] = resolve_cond(p, e->arg[1]);
		if (a->type == SCN_T_BOOL || b->type == SCN_T_BOOL)
			fail(p, e->line, e->col, "cannot compare a condition");
		if (a->type != b->type)
			fail(p, e->line, e->col,
			     "cannot compare a string with an integer");
		if (a->type == SCN_T_STR && e->kind != SCN_E_EQ &&
		    e->kind != SCN_E_NE)
			fail(p, e->line, e->col,
			     "strings compare only with == and !=");
		e->type = SCN_T_BOOL;
		return e;
	case SCN_E_AND:
	case SCN_E_OR:
	case SCN_E_NOT:
		e->arg[0] = need(p, e->arg[0], SCN_T_BOOL);
		if (e->kind != SCN_E_NOT)
			e->arg[1] = need(p, e->arg[1], SCN_T_BOOL);
		e->type = SCN_T_BOOL;
		return e;
	default:
		fail(p, e->line, e->col, "expected a condition");
	}
}

/* ---------------------------------------------------------- operations */

static int find_mod(const char *src, const struct scn__tok *t)
{
	size_t n = t->end - t->start;

	if (t->kind != T_IDENT)
		return -1;
	for (int i = 0; i < SCN_NR_MODS; i++)
		if (strlen(mods[i].name) == n &&
		    !memcmp(mods[i].name, src + t->start, n))
			return i;
	return -1;
}

/* NAME or NAME[SIZE] that operation @d declares. */
static int parse_decl(struct parser *p, const struct op_desc *d, int kind,
		      struct scn_ref *r)
{
	struct scn__tok t = p->tok;
	int id;

	if (t.kind != T_IDENT)
		expected(p, "a name");
	if (p->nr_scope)
		fail(p, t.line, t.col,
		     "'%s' cannot declare '%.*s' inside a 'for' loop (declare an array)",
		     d->name, (int)(t.end - t.start), p->src + t.start);
	next(p);
	id = declare(p, &t, kind);
	r->sym = id;
	r->name = p->s->syms[id].name;
	r->line = t.line;
	r->col = t.col;
	if (p->tok.kind == T_LBRACK) {
		struct array_decl *a =
			PUSH(p, p->arrays, p->nr_arrays, p->cap_arrays);

		next(p);
		a->sym = id;
		a->size = parse_arith(p);
		expect_tok(p, T_RBRACK);
		p->s->syms[id].indexed = true;
	}
	return id;
}

/*
 * NAME, NAME[expr], NAME.r, NAME[expr].w: an object an operation uses (pass
 * 2 checks that an end is only given on a pipe).
 */
static struct scn_ref parse_ref(struct parser *p)
{
	struct scn_ref r = { .sym = -1,
			     .line = p->tok.line,
			     .col = p->tok.col };
	struct scn__tok t;

	if (p->tok.kind != T_IDENT)
		expected(p, "a name");
	r.name = tok_text(p, &p->tok);
	next(p);
	if (p->tok.kind == T_LBRACK) {
		next(p);
		r.index = parse_arith(p);
		expect_tok(p, T_RBRACK);
	}
	if (p->tok.kind != T_DOT)
		return r;
	next(p);
	t = p->tok;
	if (t.kind == T_IDENT && t.end - t.start == 1 &&
	    (p->src[t.start] == 'r' || p->src[t.start] == 'w')) {
		r.end = p->src[t.start] == 'r' ? SCN_END_R : SCN_END_W;
		next(p);
		return r;
	}
	expected(p, "a pipe end (r or w)");
}

static void parse_data(struct parser *p, const struct op_desc *d,
		       struct scn_data *data)
{
	if (p->tok.kind == T_STR) {
		data->kind = SCN_DATA_STR;
		data->str = p->tok.str;
		next(p);
		return;
	}
	if (p->tok.kind != T_IDENT)
		expected(p, d->data & KIND(KMEM) ?
				    "a string, MEM OFF LEN or KMEM OFF LEN" :
				    "a string or MEM OFF LEN");
	data->kind = SCN_DATA_MEM;
	data->ref = parse_ref(p);
	data->off = parse_arith(p);
	data->len = parse_arith(p);
}

/* -> VAR or -> VAR[expr]: the first one declares VAR. */
static void parse_result(struct parser *p, struct scn_ref *r)
{
	struct scn__tok t = p->tok;
	char *name;
	int id;

	if (t.kind != T_IDENT)
		expected(p, "a variable name");
	name = tok_text(p, &t);
	next(p);
	*r = (struct scn_ref){
		.sym = -1, .name = name, .line = t.line, .col = t.col
	};
	if (p->tok.kind == T_LBRACK) {
		next(p);
		r->index = parse_arith(p);
		expect_tok(p, T_RBRACK);
	}
	id = find_sym(p, name, FIND_ANY);
	if (id < 0) {
		id = declare(p, &t, SCN_SYM_VAR);
		p->s->syms[id].indexed = r->index;
	} else if (p->s->syms[id].kind != SCN_SYM_VAR) {
		duplicate(p, &t, name, id);
	} else if (p->s->syms[id].indexed != !!r->index) {
		fail(p, t.line, t.col,
		     "'%s' used both with and without an index", name);
	}
	r->sym = id;
}

static void parse_mods(struct parser *p, const struct op_desc *d,
		       struct scn_op *op)
{
	static const unsigned int excl[][2] = {
		{ SCN_MOD_FILL, SCN_MOD_UNTOUCHED },
		{ SCN_MOD_SLAB, SCN_MOD_OWNER },
	};

	while (p->tok.kind == T_IDENT) {
		struct scn__tok t = p->tok;
		int m = find_mod(p->src, &t);
		unsigned int bit = m < 0 ? 0 : 1u << m;

		if (!(d->mods & bit))
			fail(p, t.line, t.col,
			     "unknown modifier '%.*s' for '%s'",
			     (int)(t.end - t.start), p->src + t.start, d->name);
		if (op->mods & bit)
			fail(p, t.line, t.col, "duplicate modifier '%s'",
			     mods[m].name);
		for (size_t i = 0; i < sizeof(excl) / sizeof(excl[0]); i++)
			if ((bit == excl[i][0] && (op->mods & excl[i][1])) ||
			    (bit == excl[i][1] && (op->mods & excl[i][0])))
				fail(p, t.line, t.col,
				     "'%s' and '%s' cannot be combined",
				     scn_mod_name(excl[i][0]),
				     scn_mod_name(excl[i][1]));
		op->mods |= bit;
		next(p);
		switch (mods[m].arg) {
		case ARG_STR:
			if (p->tok.kind != T_STR)
				expected(p, "a string");
			op->fill = p->tok.str;
			next(p);
			break;
		case ARG_INT:
			op->off = parse_arith(p);
			break;
		case ARG_DECL: {
			struct scn_ref r = { 0 };

			op->owner = parse_decl(p, d, SCN_SYM_OWNER, &r);
			if (p->s->syms[op->owner].indexed ||
			    p->s->syms[op->operand[0].ref.sym].indexed)
				*PUSH(p, p->same, p->nr_same,
				      p->cap_same) = (struct same_size){
					op->operand[0].ref.sym, op->owner
				};
			break;
		}
		}
	}
}

/* [LABEL:] OP operands... [modifiers...] [-> VAR] */
static void parse_op(struct parser *p, struct scn_body *body, int *cap)
{
	struct scn__tok first = p->tok, t;
	struct scn_stmt st = { .kind = SCN_STMT_OP,
			       .line = first.line,
			       .col = first.col };
	struct scn_op *op = &st.op;
	const struct op_desc *d;
	int kind;

	op->label = -1;
	op->owner = -1;
	op->result.sym = -1;
	if (first.kind == T_IDENT && peek(p)->kind == T_COLON) {
		/* in a loop, the label holds the last iteration's result */
		next(p);
		next(p);
		op->label = declare(p, &first, SCN_SYM_LABEL);
	}
	t = p->tok;
	if (t.kind != T_IDENT)
		expected(p, "an operation");
	kind = op_lookup(p->src + t.start, t.end - t.start);
	if (kind < 0)
		fail(p, t.line, t.col, "unknown operation '%.*s'",
		     (int)(t.end - t.start), p->src + t.start);
	d = &op_table[kind];
	op->kind = kind;
	op->line = t.line;
	op->col = t.col;
	next(p);
	for (const char *sig = d->sig; *sig; sig++) {
		struct scn_operand *o = &op->operand[op->nr_operands];

		o->line = p->tok.line;
		o->col = p->tok.col;
		o->ref.sym = -1;
		switch (*sig) {
		case 'D':
			o->kind = SCN_OPD_OBJ;
			parse_decl(p, d, d->decl, &o->ref);
			break;
		case 'o':
			o->kind = SCN_OPD_OBJ;
			o->ref = parse_ref(p);
			break;
		case '?':
			if (p->tok.kind == T_EOL || p->tok.kind == T_EOF ||
			    p->tok.kind == T_ARROW ||
			    find_mod(p->src, &p->tok) >= 0)
				continue;
			/* fall through */
		case 'i':
			o->kind = SCN_OPD_INT;
			o->expr = parse_arith(p);
			break;
		case 's':
			if (p->tok.kind != T_STR)
				expected(p, "a string");
			o->kind = SCN_OPD_STR;
			o->str = p->tok.str;
			next(p);
			break;
		case 'd':
			o->kind = SCN_OPD_DATA;
			parse_data(p, d, &o->data);
			break;
		}
		op->nr_operands++;
	}
	if (kind == SCN_OP_TCP || kind == SCN_OP_UNIX)
		*PUSH(p, p->same, p->nr_same, p->cap_same) =
			(struct same_size){ op->operand[0].ref.sym,
					    op->operand[1].ref.sym };
	parse_mods(p, d, op);
	if (p->tok.kind == T_ARROW) {
		if (!d->result)
			fail(p, p->tok.line, p->tok.col,
			     "'%s' has no result to store ('-> VAR')", d->name);
		next(p);
		parse_result(p, &op->result);
	}
	if (kind == SCN_OP_SOCKOPT && !(op->mods & SCN_MOD_ZEROCOPY))
		expected(p, "a socket option (zerocopy)");
	expect_eol(p);
	op->text = copy_text(p, first.start, p->last_end);
	*PUSH(p, body->stmts, body->nr, *cap) = st;
}

/* ------------------------------------------------------------- blocks */

static void parse_block(struct parser *p, const char *what,
			const struct scn__tok *open, struct scn_body *body);

static bool is_top_word(struct parser *p)
{
	for (size_t i = 0; i < sizeof(top_words) / sizeof(top_words[0]); i++)
		if (tok_is(p, top_words[i]))
			return true;
	return false;
}

/* for VAR in FROM .. TO / body / end */
static void parse_for(struct parser *p, struct scn_body *body, int *cap)
{
	struct scn__tok first = p->tok, v;
	struct scn_stmt st = { .kind = SCN_STMT_FOR,
			       .line = first.line,
			       .col = first.col };

	next(p);
	v = take_ident(p, "a loop variable");
	if (!tok_is(p, "in"))
		expected(p, "'in'");
	next(p);
	st.loop.from = parse_arith(p);
	expect_tok(p, T_DOTDOT);
	st.loop.to = parse_arith(p);
	expect_eol(p);
	st.loop.var = declare(p, &v, SCN_SYM_LOOPVAR);
	p->scope[p->nr_scope++] = st.loop.var;
	parse_block(p, "for", &first, &st.loop.body);
	p->nr_scope--;
	*PUSH(p, body->stmts, body->nr, *cap) = st;
}

static _Noreturn void unterminated(struct parser *p)
{
	const struct block *b = &p->blocks[p->nr_blocks - 1];

	fail(p, b->line, b->col, "unterminated '%s' block", b->what);
}

/*
 * The lines of a block up to its `end`.  A top-level statement or the end
 * of the file inside a block means its `end` is missing.
 */
static void parse_block(struct parser *p, const char *what,
			const struct scn__tok *open, struct scn_body *body)
{
	int cap = 0;

	if (p->nr_blocks == MAX_DEPTH)
		fail(p, open->line, open->col, "blocks nested too deeply");
	p->blocks[p->nr_blocks++] =
		(struct block){ what, open->line, open->col };
	for (;;) {
		next(p);
		p->nodes = 0;
		if (p->tok.kind == T_EOL)
			continue;
		if (p->tok.kind == T_EOF)
			unterminated(p);
		if (p->tok.kind == T_IDENT && peek(p)->kind != T_COLON) {
			if (tok_is(p, "end")) {
				next(p);
				expect_eol(p);
				break;
			}
			if (is_top_word(p))
				unterminated(p);
			if (tok_is(p, "for")) {
				parse_for(p, body, &cap);
				continue;
			}
		}
		parse_op(p, body, &cap);
	}
	p->nr_blocks--;
}

/* -------------------------------------------------- top-level statements */

static struct item *add_item(struct parser *p, int kind,
			     const struct scn__tok *at)
{
	struct item *it = PUSH(p, p->items, p->nr_items, p->cap_items);

	it->kind = kind;
	it->line = at->line;
	it->col = at->col;
	return it;
}

/* "a, b, c" of the values of knob @k, or of the presets (k < 0). */
static const char *choices(int k, char *buf, size_t n)
{
	const char *name;
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0;
	     (name = k < 0 ? span_preset_name(i) : span_knob_value_name(k, i));
	     i++) {
		snprintf(buf + len, n - len, "%s%s", i ? ", " : "", name);
		len = strlen(buf);
	}
	return buf;
}

static void parse_param(struct parser *p)
{
	struct scn__tok first = p->tok, name;
	struct scn_param *pa;
	struct scn_expr *e;
	int64_t value;
	int id;

	next(p);
	name = take_ident(p, "a param name");
	expect_tok(p, T_ASSIGN);
	e = parse_arith(p);
	expect_eol(p);
	value = const_value(p, e);
	id = declare(p, &name, SCN_SYM_PARAM);
	pa = PUSH(p, p->s->params, p->s->nr_params, p->cap_params);
	pa->sym = id;
	pa->name = p->s->syms[id].name;
	pa->value = value;
	pa->line = first.line;
	pa->col = first.col;
	for (int i = 0; p->ov && i < p->ov->nr_params; i++) {
		struct ov_param *o = &p->ov_params[i];

		if (strlen(pa->name) != o->nlen ||
		    memcmp(pa->name, o->str, o->nlen))
			continue;
		pa->value = o->value;
		pa->overridden = true;
		o->used = true;
	}
}

static void parse_set(struct parser *p)
{
	struct scn__tok first = p->tok, key;
	struct item *it;
	int k;

	next(p);
	key = take_ident(p, "a world parameter");
	k = span_param_lookup(tok_text(p, &key));
	if (k < 0 || k >= SPAN_NR_PARAMS)
		fail(p, key.line, key.col, "unknown world parameter '%.*s'",
		     (int)(key.end - key.start), p->src + key.start);
	if (p->set_line[k])
		fail(p, key.line, key.col,
		     "duplicate 'set %s' (first at %d:%d)", span_param_name(k),
		     p->set_line[k], p->set_col[k]);
	p->set_line[k] = first.line;
	p->set_col[k] = first.col;
	expect_tok(p, T_ASSIGN);
	p->set_vline[k] = p->tok.line;
	p->set_vcol[k] = p->tok.col;
	it = add_item(p, ITEM_SET, &first);
	it->key = k;
	it->value = parse_arith(p);
	expect_eol(p);
}

_Static_assert(SPAN_NR_KNOBS <= 32, "scn.policy_named has 32 bits");

static void parse_policy(struct parser *p)
{
	struct scn__tok key, val;
	char *name, *value, buf[200];
	int k = -1, v;

	next(p);
	key = take_ident(p, "a policy knob");
	name = tok_text(p, &key);
	if (strcmp(name, "preset")) {
		k = span_knob_lookup(name);
		if (k < 0)
			fail(p, key.line, key.col, "unknown policy knob '%s'",
			     name);
	}
	if (p->tok.kind != T_ASSIGN)
		expected(p, "'='");
	next_word(p);
	val = p->tok;
	if (val.kind != T_WORD)
		expected(p, k < 0 ? "a preset name" : "a value");
	value = tok_text(p, &val);
	next(p);
	expect_eol(p);
	if (k < 0) {
		if (span_policy_preset(&p->s->policy, value))
			fail(p, val.line, val.col, "unknown preset '%s' (%s)",
			     value, choices(-1, buf, sizeof(buf)));
		return;
	}
	v = span_knob_value_lookup(k, value);
	if (v < 0)
		fail(p, val.line, val.col,
		     "bad value '%s' for policy knob '%s' (%s)", value, name,
		     choices(k, buf, sizeof(buf)));
	p->s->policy.v[k] = (uint8_t)v;
	p->s->policy_named |= 1u << k;
}

/* setup [as PROC] and thread NAME [in PROC]: the process part. */
static void parse_proc(struct parser *p, const char *word, struct item *it)
{
	struct scn__tok t;

	if (!tok_is(p, word))
		return;
	next(p);
	t = take_ident(p, "a process name");
	it->name = tok_text(p, &t);
	it->line = t.line;
	it->col = t.col;
}

static void parse_setup(struct parser *p)
{
	struct scn__tok first = p->tok;
	struct scn_setup *su =
		PUSH(p, p->s->setups, p->s->nr_setups, p->cap_setups);
	int idx = p->s->nr_setups - 1;
	struct item *it;

	su->line = first.line;
	su->col = first.col;
	next(p);
	it = add_item(p, ITEM_SETUP, &first);
	it->idx = idx;
	parse_proc(p, "as", it);
	expect_eol(p);
	parse_block(p, "setup", &first, &p->s->setups[idx].body);
}

static void parse_thread(struct parser *p)
{
	struct scn__tok first = p->tok, name;
	struct scn_thread *th;
	struct item *it;
	int idx, id;

	next(p);
	name = take_ident(p, "a thread name");
	id = declare(p, &name, SCN_SYM_THREAD);
	th = PUSH(p, p->s->threads, p->s->nr_threads, p->cap_threads);
	idx = p->s->nr_threads - 1;
	th->sym = id;
	th->name = p->s->syms[id].name;
	th->line = first.line;
	th->col = first.col;
	it = add_item(p, ITEM_THREAD, &first);
	it->idx = idx;
	parse_proc(p, "in", it);
	expect_eol(p);
	parse_block(p, "thread", &first, &p->s->threads[idx].body);
}

/* Is the token after `violation` a name (expect violation NAME)? */
static bool violation_follows(struct parser *p)
{
	size_t i = p->lx.pos;
	unsigned char c;

	if (!tok_is(p, "violation") || p->have_ahead)
		return false;
	while (i < p->lx.len && (p->src[i] == ' ' || p->src[i] == '\t'))
		i++;
	c = i < p->lx.len ? (unsigned char)p->src[i] : 0;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static void parse_expect(struct parser *p, bool exists)
{
	struct scn__tok first = p->tok, name;
	struct scn_cond *c;
	size_t start;
	int inv;

	next(p);
	if (!exists && violation_follows(p)) {
		next_word(p);
		name = p->tok;
		next(p);
		expect_eol(p);
		if (p->s->violation >= 0)
			fail(p, first.line, first.col,
			     "more than one 'expect violation' (first at %d:%d)",
			     p->s->violation_line, p->s->violation_col);
		inv = span_invariant_lookup(tok_text(p, &name));
		if (inv < 0)
			fail(p, name.line, name.col, "unknown invariant '%.*s'",
			     (int)(name.end - name.start), p->src + name.start);
		p->s->violation = inv;
		p->s->violation_line = first.line;
		p->s->violation_col = first.col;
		return;
	}
	start = p->tok.start;
	p->cond = true;
	if (exists)
		c = PUSH(p, p->s->exists, p->s->nr_exists, p->cap_exists);
	else
		c = PUSH(p, p->s->expects, p->s->nr_expects, p->cap_expects);
	c->line = first.line;
	c->col = first.col;
	c->expr = parse_or(p);
	p->cond = false;
	expect_eol(p);
	c->text = copy_text(p, start, p->last_end);
	add_item(p, exists ? ITEM_EXISTS : ITEM_EXPECT, &first)->idx =
		(exists ? p->s->nr_exists : p->s->nr_expects) - 1;
}

static void parse_allow(struct parser *p)
{
	struct scn__tok name;
	int inv;

	next_word(p);
	name = p->tok;
	if (name.kind != T_WORD)
		expected(p, "an invariant name");
	next(p);
	expect_eol(p);
	inv = span_invariant_lookup(tok_text(p, &name));
	if (inv < 0)
		fail(p, name.line, name.col, "unknown invariant '%.*s'",
		     (int)(name.end - name.start), p->src + name.start);
	for (int i = 0; i < p->s->nr_allows; i++)
		if (p->s->allows[i] == inv)
			return;
	*PUSH(p, p->s->allows, p->s->nr_allows, p->cap_allows) = inv;
}

static void parse_top(struct parser *p)
{
	struct scn__tok t = p->tok;
	int len = (int)(t.end - t.start);

	if (t.kind != T_IDENT ||
	    (!p->seen_scenario && !tok_is(p, "scenario"))) {
		if (!p->seen_scenario)
			fail(p, t.line, t.col,
			     "the first statement must be 'scenario NAME'");
		expected(p, "a statement");
	}
	if (tok_is(p, "scenario")) {
		if (p->seen_scenario)
			fail(p, t.line, t.col,
			     "duplicate 'scenario' statement");
		next_word(p);
		if (p->tok.kind != T_WORD)
			expected(p, "a scenario name");
		p->s->name = tok_text(p, &p->tok);
		next(p);
		expect_eol(p);
		p->seen_scenario = true;
	} else if (tok_is(p, "doc")) {
		if (p->seen_doc)
			fail(p, t.line, t.col, "duplicate 'doc' statement");
		next(p);
		if (p->tok.kind != T_STR)
			expected(p, "a string");
		p->s->doc = p->tok.str.data;
		next(p);
		expect_eol(p);
		p->seen_doc = true;
	} else if (tok_is(p, "param")) {
		parse_param(p);
	} else if (tok_is(p, "set")) {
		parse_set(p);
	} else if (tok_is(p, "policy")) {
		parse_policy(p);
	} else if (tok_is(p, "process")) {
		struct scn_process *pr;
		struct scn__tok name;
		int id;

		next(p);
		name = take_ident(p, "a process name");
		expect_eol(p);
		id = declare(p, &name, SCN_SYM_PROCESS);
		pr = PUSH(p, p->s->processes, p->s->nr_processes, p->cap_procs);
		pr->sym = id;
		pr->name = p->s->syms[id].name;
		pr->line = t.line;
		pr->col = t.col;
	} else if (tok_is(p, "setup")) {
		parse_setup(p);
	} else if (tok_is(p, "thread")) {
		parse_thread(p);
	} else if (tok_is(p, "expect")) {
		parse_expect(p, false);
	} else if (tok_is(p, "exists")) {
		parse_expect(p, true);
	} else if (tok_is(p, "allow")) {
		parse_allow(p);
	} else if (tok_is(p, "end")) {
		fail(p, t.line, t.col, "'end' outside a block");
	} else if (tok_is(p, "for")) {
		fail(p, t.line, t.col, "'for' outside setup or thread");
	} else if (peek(p)->kind == T_COLON) {
		fail(p, t.line, t.col, "label '%.*s' outside setup or thread",
		     len, p->src + t.start);
	} else {
		for (int k = 0; k < SCN_NR_OPS; k++)
			if (tok_is(p, op_table[k].name))
				fail(p, t.line, t.col,
				     "operation '%s' outside setup or thread",
				     op_table[k].name);
		fail(p, t.line, t.col, "unknown statement '%.*s'", len,
		     p->src + t.start);
	}
}

/* ------------------------------------------------------------ pass 2 */

static int resolve_process(struct parser *p, const struct item *it)
{
	int id;

	if (!it->name)
		return 0;
	id = lookup(p, it->name, it->line, it->col);
	if (p->s->syms[id].kind != SCN_SYM_PROCESS)
		kind_error(p, it->line, it->col, id, KIND(PROCESS));
	return p->s->syms[id].index;
}

static void resolve_body(struct parser *p, struct scn_body *b);

static void resolve_op(struct parser *p, struct scn_op *op)
{
	const struct op_desc *d = &op_table[op->kind];
	const unsigned int ints = KIND(PARAM) | KIND(LOOPVAR);
	int nobj = 0;

	for (int i = 0; i < op->nr_operands; i++) {
		struct scn_operand *o = &op->operand[i];
		struct scn_data *data = &o->data;

		switch (o->kind) {
		case SCN_OPD_OBJ:
			if (d->sig[i] == 'o')
				resolve_ref(p, &o->ref, d->obj[nobj++]);
			break;
		case SCN_OPD_INT:
			o->expr = resolve_int(p, o->expr, ints);
			break;
		case SCN_OPD_STR:
			break;
		case SCN_OPD_DATA:
			if (data->kind == SCN_DATA_STR)
				break;
			resolve_ref(p, &data->ref, d->data);
			if (p->s->syms[data->ref.sym].kind == SCN_SYM_KMEM)
				data->kind = SCN_DATA_KMEM;
			data->off = resolve_int(p, data->off, ints);
			data->len = resolve_int(p, data->len, ints);
			break;
		}
	}
	if (op->off)
		op->off = resolve_int(p, op->off, ints);
	if (op->result.sym >= 0)
		resolve_ref(p, &op->result, KIND(VAR));
}

static void resolve_body(struct parser *p, struct scn_body *b)
{
	for (int i = 0; i < b->nr; i++) {
		struct scn_stmt *st = &b->stmts[i];
		const unsigned int ints = KIND(PARAM) | KIND(LOOPVAR);

		if (st->kind == SCN_STMT_OP) {
			resolve_op(p, &st->op);
			continue;
		}
		st->loop.from = resolve_int(p, st->loop.from, ints);
		st->loop.to = resolve_int(p, st->loop.to, ints);
		p->scope[p->nr_scope++] = st->loop.var;
		resolve_body(p, &st->loop.body);
		p->nr_scope--;
	}
}

static void resolve_arrays(struct parser *p)
{
	for (int i = 0; i < p->nr_arrays; i++) {
		struct scn_sym *sym = &p->s->syms[p->arrays[i].sym];
		struct scn_expr *e = p->arrays[i].size;
		int64_t v = const_value(p, e);

		if (v < 1 || v > MAX_ARRAY)
			fail(p, e->line, e->col,
			     "array size of '%s' must be 1 to %d (is %lld)",
			     sym->name, MAX_ARRAY, (long long)v);
		sym->size = v;
	}
	for (int i = 0; i < p->nr_same; i++) {
		const struct scn_sym *a = &p->s->syms[p->same[i].a];
		const struct scn_sym *b = &p->s->syms[p->same[i].b];

		if (a->size != b->size)
			fail(p, b->line, b->col,
			     "'%s' must have the same array size as '%s'",
			     b->name, a->name);
	}
}

static void resolve_items(struct parser *p)
{
	struct scn *s = p->s;

	for (int i = 0; i < p->nr_items; i++) {
		struct item *it = &p->items[i];
		struct scn_cond *c;
		struct scn_set *set;

		switch (it->kind) {
		case ITEM_SET:
			set = PUSH(p, s->sets, s->nr_sets, p->cap_sets);
			set->param = it->key;
			set->value = const_value(p, it->value);
			set->line = it->line;
			set->col = it->col;
			break;
		case ITEM_SETUP:
			s->setups[it->idx].process = resolve_process(p, it);
			resolve_body(p, &s->setups[it->idx].body);
			break;
		case ITEM_THREAD:
			s->threads[it->idx].process = resolve_process(p, it);
			resolve_body(p, &s->threads[it->idx].body);
			break;
		case ITEM_EXPECT:
		case ITEM_EXISTS:
			c = it->kind == ITEM_EXPECT ? &s->expects[it->idx] :
						      &s->exists[it->idx];
			p->cond = true;
			c->expr = need(p, c->expr, SCN_T_BOOL);
			p->cond = false;
			break;
		}
	}
}

/* --------------------------------------------------------- overrides */

/* Split "KEY=VALUE"; returns VALUE or fails. */
static const char *ov_split(struct parser *p, const char *opt, const char *s,
			    size_t *klen)
{
	const char *eq = strchr(s, '=');

	if (!eq || eq == s)
		fail(p, 0, 0, "%s '%s': expected NAME=VALUE", opt, s);
	*klen = (size_t)(eq - s);
	return eq + 1;
}

static int64_t ov_int(struct parser *p, const char *opt, const char *s,
		      const char *v)
{
	bool neg = *v == '-';
	int64_t value;
	int ret = scn__parse_int(v + neg, strlen(v + neg), &value);

	if (ret == -ERANGE)
		fail(p, 0, 0, "%s '%s': integer overflow", opt, s);
	if (ret)
		fail(p, 0, 0, "%s '%s': bad integer '%s'", opt, s, v);
	return neg ? -value : value;
}

/* "KEY" of "KEY=VALUE" as a string (empty when too long to be a name). */
static const char *ov_key(const char *s, size_t klen, char *buf, size_t n)
{
	if (klen >= n)
		klen = 0;
	memcpy(buf, s, klen);
	buf[klen] = 0;
	return buf;
}

/* Check every override before the file is read. */
static void check_overrides(struct parser *p)
{
	const struct scn_overrides *ov = p->ov;
	struct span_policy tmp;
	char key[64], buf[200];
	size_t klen;

	for (int k = 0; k < SPAN_NR_PARAMS; k++)
		p->set_ov[k] = -1;
	if (!ov)
		return;
	if (ov->nr_params > 0)
		p->ov_params = scn__xalloc(
			&p->ctx, (size_t)ov->nr_params * sizeof(*p->ov_params));
	for (int i = 0; i < ov->nr_params; i++) {
		const char *s = ov->params[i];
		const char *v = ov_split(p, "--param", s, &klen);

		p->ov_params[i].str = s;
		p->ov_params[i].nlen = klen;
		p->ov_params[i].value = ov_int(p, "--param", s, v);
	}
	for (int i = 0; i < ov->nr_sets; i++) {
		const char *s = ov->sets[i];
		const char *v = ov_split(p, "--set", s, &klen);
		int k = span_param_lookup(ov_key(s, klen, key, sizeof(key)));

		if (k < 0 || k >= SPAN_NR_PARAMS)
			fail(p, 0, 0,
			     "--set '%s': unknown world parameter '%s'", s,
			     key);
		p->set_ov_value[k] = ov_int(p, "--set", s, v);
		p->set_ov[k] = i;
	}
	for (int i = 0; i < ov->nr_policies; i++) {
		const char *s = ov->policies[i];
		const char *v = ov_split(p, "--policy", s, &klen);
		int k;

		ov_key(s, klen, key, sizeof(key));
		if (!strcmp(key, "preset")) {
			if (span_policy_preset(&tmp, v))
				fail(p, 0, 0,
				     "--policy '%s': unknown preset '%s' (%s)",
				     s, v, choices(-1, buf, sizeof(buf)));
			continue;
		}
		k = span_knob_lookup(key);
		if (k < 0)
			fail(p, 0, 0, "--policy '%s': unknown policy knob '%s'",
			     s, key);
		if (span_knob_value_lookup(k, v) < 0)
			fail(p, 0, 0,
			     "--policy '%s': bad value '%s' for policy knob '%s' (%s)",
			     s, v, key, choices(k, buf, sizeof(buf)));
	}
}

static void check_set(struct parser *p, const struct scn_set *set)
{
	const char *name = span_param_name(set->param);
	char where[320] = "";
	int line = 0, col = 0;

	if (set->overridden) {
		snprintf(where, sizeof(where),
			 "--set '%s': ", p->ov->sets[p->set_ov[set->param]]);
	} else {
		line = p->set_vline[set->param];
		col = p->set_vcol[set->param];
	}
	if (set->value < 0 || span_param_check(set->param, (uint64_t)set->value))
		fail(p, line, col, "%sbad value %lld for '%s' (%s)", where,
		     (long long)set->value, name, span_param_range(set->param));
}

/* --param leftovers, then --set and --policy, then check every set. */
static void apply_overrides(struct parser *p)
{
	const struct scn_overrides *ov = p->ov;
	struct scn *s = p->s;
	size_t klen;

	for (int i = 0; ov && i < ov->nr_params; i++)
		if (!p->ov_params[i].used)
			fail(p, 0, 0, "--param '%s': unknown param '%.*s'",
			     ov->params[i], (int)p->ov_params[i].nlen,
			     ov->params[i]);
	for (int k = 0; k < SPAN_NR_PARAMS; k++) {
		struct scn_set *set = NULL;

		if (p->set_ov[k] < 0)
			continue;
		for (int i = 0; i < s->nr_sets; i++)
			if (s->sets[i].param == k)
				set = &s->sets[i];
		if (!set) {
			set = PUSH(p, s->sets, s->nr_sets, p->cap_sets);
			set->param = k;
		}
		set->value = p->set_ov_value[k];
		set->overridden = true;
	}
	for (int i = 0; ov && i < ov->nr_policies; i++) {
		char key[64];
		const char *v = ov_split(p, "--policy", ov->policies[i], &klen);

		ov_key(ov->policies[i], klen, key, sizeof(key));
		if (!strcmp(key, "preset")) {
			span_policy_preset(&s->policy, v);
		} else {
			int k = span_knob_lookup(key);

			span_policy_set(&s->policy, key, v);
			if (k >= 0)
				s->policy_named |= 1u << k;
		}
	}
	for (int i = 0; i < s->nr_sets; i++)
		check_set(p, &s->sets[i]);
}

/* -------------------------------------------------------------- entry */

static void parse_all(struct parser *p, const char *name, const char *text,
		      size_t len)
{
	struct scn *s = p->s;
	struct scn_process *init;
	struct scn__tok none = { 0 };

	s->file = scn__xalloc(&p->ctx, strlen(name) + 1);
	memcpy((char *)s->file, name, strlen(name));
	s->violation = -1;
	span_policy_default(&s->policy);
	memset(p->hash, 0xff, sizeof(p->hash));
	check_overrides(p);

	init = PUSH(p, s->processes, s->nr_processes, p->cap_procs);
	init->sym = add_sym(p, "init", SCN_SYM_PROCESS, 0, 0);
	init->name = "init";

	p->src = text;
	scn__lex_init(&p->lx, &p->ctx, text, len);
	p->tok = none;
	p->tok.kind = T_EOL;
	for (;;) {
		next(p);
		p->nodes = 0;
		if (p->tok.kind == T_EOL)
			continue;
		if (p->tok.kind == T_EOF)
			break;
		parse_top(p);
	}
	if (!p->seen_scenario)
		fail(p, p->tok.line, p->tok.col,
		     "the first statement must be 'scenario NAME'");

	resolve_arrays(p);
	resolve_items(p);
	apply_overrides(p);
}

/* The only setjmp(): every error comes back here (no local changes after). */
static int parse_guarded(struct parser *p, const char *name, const char *text,
			 size_t len)
{
	if (setjmp(p->ctx.jb))
		return p->ctx.ret;
	parse_all(p, name, text, len);
	return 0;
}

int scn_parse_string(const char *name, const char *text, size_t len,
		     const struct scn_overrides *ov, struct scn **out,
		     struct scn_error *err)
{
	struct scn_error local;
	struct scn__arena *arena;
	struct parser *p;
	struct scn *s;
	int ret;

	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	if (!name)
		name = "<string>";
	snprintf(err->file, sizeof(err->file), "%s", name);
	*out = NULL;
	if (!text)
		text = "";
	s = calloc(1, sizeof(*s));
	arena = calloc(1, sizeof(*arena));
	p = calloc(1, sizeof(*p));
	if (!s || !arena || !p) {
		ret = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out_free;
	}
	s->arena = arena;
	p->s = s;
	p->ov = ov;
	p->ctx.err = err;
	p->ctx.arena = arena;
	ret = parse_guarded(p, name, text, len);
	if (ret) {
		scn__arena_free(arena);
		goto out_free;
	}
	free(p);
	*out = s;
	return 0;

out_free:
	free(p);
	free(arena);
	free(s);
	return ret;
}

int scn_parse_file(const char *path, const struct scn_overrides *ov,
		   struct scn **out, struct scn_error *err)
{
	struct scn_error local;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	FILE *f;
	int ret;

	*out = NULL;
	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	f = fopen(path, "rb");
	if (!f)
		goto out_errno;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nb = cap > SIZE_MAX / 2 ?
					   NULL :
					   realloc(buf, cap ? cap * 2 : 4096);

			if (!nb) {
				errno = ENOMEM;
				goto out_close;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n)
			continue;
		if (ferror(f))
			goto out_close;
		break;
	}
	fclose(f);
	ret = scn_parse_string(path, buf, len, ov, out, err);
	free(buf);
	return ret;

out_close:
	ret = errno;
	fclose(f);
	free(buf);
	errno = ret;
out_errno:
	snprintf(err->msg, sizeof(err->msg), "cannot open: %s",
		 strerror(errno));
	return -ENOENT;
}

static bool body_forks(const struct scn *s, const struct scn_body *b, int proc)
{
	for (int i = 0; i < b->nr; i++) {
		const struct scn_stmt *st = &b->stmts[i];

		if (st->kind == SCN_STMT_FOR) {
			if (body_forks(s, &st->loop.body, proc))
				return true;
		} else if (st->op.kind == SCN_OP_FORK &&
			   s->syms[st->op.operand[0].ref.sym].index == proc) {
			return true;
		}
	}
	return false;
}

bool scn_process_forked(const struct scn *s, int proc)
{
	for (int i = 0; i < s->nr_setups; i++)
		if (body_forks(s, &s->setups[i].body, proc))
			return true;
	for (int i = 0; i < s->nr_threads; i++)
		if (body_forks(s, &s->threads[i].body, proc))
			return true;
	return false;
}
