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
 *
 * This file: names, errors, tokens, symbols, operations (read from the
 * operation table) and blocks.  scn_expr.c has expressions and
 * conditions, scn_stmt.c the top-level statements, pass 2, the overrides
 * and the entry points; parse_int.h what they share.
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
#include "parse_int.h"



/* ---------------------------------------------------------------- names */

static const char *const sym_kind_names[SCN_NR_SYM_KINDS] = {
	"param", "process", "thread", "mem",   "kmem",	   "file",
	"pipe",	 "socket",  "owner",  "label", "variable", "loop variable",
};

const char *const scn__sym_kind_a[SCN_NR_SYM_KINDS] = {
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
	{ "waitall", ARG_NONE },
};

const char *scn_mod_name(unsigned int mod)
{
	for (int i = 0; i < SCN_NR_MODS; i++)
		if (mod == 1u << i)
			return mods[i].name;
	return NULL;
}

int scn_mod_arg(unsigned int mod)
{
	static const int arg[] = {
		[ARG_NONE] = SCN_MODARG_NONE, [ARG_STR] = SCN_MODARG_STR,
		[ARG_INT] = SCN_MODARG_INT, [ARG_DECL] = SCN_MODARG_DECL,
	};

	for (int i = 0; i < SCN_NR_MODS; i++)
		if (mod == 1u << i)
			return arg[mods[i].arg];
	return -1;
}

const char *scn_op_name(int kind)
{
	if (kind < 0 || kind >= SCN_NR_OPS)
		return NULL;
	return op_table[kind].name;
}


/* Words that start a top-level statement. */
static const char *const top_words[] = {
	"scenario", "doc",    "param",	"set",	  "policy", "process",
	"setup",    "thread", "expect", "exists", "allow",
	"always",   "never",
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

_Noreturn void scn__pfail(struct parser *p, int line, int col, const char *fmt,
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
void *scn__grow(struct parser *p, void *arr, int nr, int *cap, size_t size)
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


char *scn__copy_text(struct parser *p, size_t start, size_t end)
{
	char *s = scn__xalloc(&p->ctx, end - start + 1);

	memcpy(s, p->src + start, end - start);
	return s;
}

char *scn__tok_text(struct parser *p, const struct scn__tok *t)
{
	return scn__copy_text(p, t->start, t->end);
}

bool scn__tok_is(struct parser *p, const char *word)
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

_Noreturn void scn__expected(struct parser *p, const char *what)
{
	char buf[64];

	scn__pfail(p, p->tok.line, p->tok.col, "expected %s, got %s", what,
	     describe(p, &p->tok, buf, sizeof(buf)));
}

void scn__pnext(struct parser *p)
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
void scn__next_word(struct parser *p)
{
	p->last_end = p->tok.end;
	scn__lex_word(&p->lx, &p->tok);
}

const struct scn__tok *scn__peek(struct parser *p)
{
	if (!p->have_ahead) {
		scn__lex_next(&p->lx, &p->ahead);
		p->have_ahead = true;
	}
	return &p->ahead;
}

void scn__expect_eol(struct parser *p)
{
	if (p->tok.kind != T_EOL && p->tok.kind != T_EOF)
		scn__expected(p, "end of line");
}

void scn__expect_tok(struct parser *p, int kind)
{
	char what[8];

	if (p->tok.kind != kind) {
		snprintf(what, sizeof(what), "'%s'", scn__tok_spelling(kind));
		scn__expected(p, what);
	}
	scn__pnext(p);
}

struct scn__tok scn__take_ident(struct parser *p, const char *what)
{
	struct scn__tok t = p->tok;

	if (t.kind != T_IDENT)
		scn__expected(p, what);
	scn__pnext(p);
	return t;
}

/* "a pipe, a file or a socket" */
const char *scn__kinds_text(unsigned int mask, char *buf, size_t n)
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
			 scn__sym_kind_a[k]);
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

int scn__add_sym(struct parser *p, const char *name, int kind, int line,
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

_Noreturn void scn__duplicate(struct parser *p, const struct scn__tok *t,
				const char *name, int first)
{
	const struct scn_sym *f = &p->s->syms[first];

	if (!f->line)
		scn__pfail(p, t->line, t->col, "duplicate name '%s' (predeclared)",
		     name);
	scn__pfail(p, t->line, t->col,
	     "duplicate name '%s' (first declared at %d:%d)", name, f->line,
	     f->col);
}

/* Declare the name of token @t; every name is declared once. */
int scn__declare(struct parser *p, const struct scn__tok *t, int kind)
{
	char *name = scn__tok_text(p, t);
	int first;

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			scn__pfail(p, t->line, t->col, "'%s' is reserved", name);
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
		scn__duplicate(p, t, name, first);
	return scn__add_sym(p, name, kind, t->line, t->col);
}

/* The symbol a use of @name refers to: loop variables in scope first. */
int scn__lookup(struct parser *p, const char *name, int line, int col)
{
	int id;

	for (int i = p->nr_scope - 1; i >= 0; i--)
		if (!strcmp(p->s->syms[p->scope[i]].name, name))
			return p->scope[i];
	id = find_sym(p, name, FIND_GLOBAL);
	if (id >= 0)
		return id;
	if (find_sym(p, name, FIND_LOOPVAR) >= 0)
		scn__pfail(p, line, col, "loop variable '%s' used outside its loop",
		     name);
	scn__pfail(p, line, col, "undefined name '%s'", name);
}

_Noreturn void scn__kind_error(struct parser *p, int line, int col, int id,
				 unsigned int mask)
{
	const struct scn_sym *sym = &p->s->syms[id];
	char buf[160];

	scn__pfail(p, line, col, "'%s' is %s, expected %s", sym->name,
	     scn__sym_kind_a[sym->kind], scn__kinds_text(mask, buf, sizeof(buf)));
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
		scn__expected(p, "a name");
	if (p->nr_scope)
		scn__pfail(p, t.line, t.col,
		     "'%s' cannot declare '%.*s' inside a 'for' loop (declare an array)",
		     d->name, (int)(t.end - t.start), p->src + t.start);
	scn__pnext(p);
	id = scn__declare(p, &t, kind);
	r->sym = id;
	r->name = p->s->syms[id].name;
	r->line = t.line;
	r->col = t.col;
	if (p->tok.kind == T_LBRACK) {
		struct array_decl *a =
			PUSH(p, p->arrays, p->nr_arrays, p->cap_arrays);

		scn__pnext(p);
		a->sym = id;
		a->size = scn__parse_arith(p);
		scn__expect_tok(p, T_RBRACK);
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
		scn__expected(p, "a name");
	r.name = scn__tok_text(p, &p->tok);
	scn__pnext(p);
	if (p->tok.kind == T_LBRACK) {
		scn__pnext(p);
		r.index = scn__parse_arith(p);
		scn__expect_tok(p, T_RBRACK);
	}
	if (p->tok.kind != T_DOT)
		return r;
	scn__pnext(p);
	t = p->tok;
	if (t.kind == T_IDENT && t.end - t.start == 1 &&
	    (p->src[t.start] == 'r' || p->src[t.start] == 'w')) {
		r.end = p->src[t.start] == 'r' ? SCN_END_R : SCN_END_W;
		scn__pnext(p);
		return r;
	}
	scn__expected(p, "a pipe end (r or w)");
}

static void parse_data(struct parser *p, const struct op_desc *d,
		       struct scn_data *data)
{
	if (p->tok.kind == T_STR) {
		data->kind = SCN_DATA_STR;
		data->str = p->tok.str;
		scn__pnext(p);
		return;
	}
	if (p->tok.kind != T_IDENT)
		scn__expected(p, d->data & KIND(KMEM) ?
				    "a string, MEM OFF LEN or KMEM OFF LEN" :
				    "a string or MEM OFF LEN");
	data->kind = SCN_DATA_MEM;
	data->ref = parse_ref(p);
	data->off = scn__parse_arith(p);
	data->len = scn__parse_arith(p);
}

/* -> VAR or -> VAR[expr]: the first one declares VAR. */
static void parse_result(struct parser *p, struct scn_ref *r)
{
	struct scn__tok t = p->tok;
	char *name;
	int id;

	if (t.kind != T_IDENT)
		scn__expected(p, "a variable name");
	name = scn__tok_text(p, &t);
	scn__pnext(p);
	*r = (struct scn_ref){
		.sym = -1, .name = name, .line = t.line, .col = t.col
	};
	if (p->tok.kind == T_LBRACK) {
		scn__pnext(p);
		r->index = scn__parse_arith(p);
		scn__expect_tok(p, T_RBRACK);
	}
	id = find_sym(p, name, FIND_ANY);
	if (id < 0) {
		id = scn__declare(p, &t, SCN_SYM_VAR);
		p->s->syms[id].indexed = r->index;
	} else if (p->s->syms[id].kind != SCN_SYM_VAR) {
		scn__duplicate(p, &t, name, id);
	} else if (p->s->syms[id].indexed != !!r->index) {
		scn__pfail(p, t.line, t.col,
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
		{ SCN_MOD_ALL, SCN_MOD_WAITALL },
	};

	while (p->tok.kind == T_IDENT) {
		struct scn__tok t = p->tok;
		int m = find_mod(p->src, &t);
		unsigned int bit = m < 0 ? 0 : 1u << m;

		if (!(d->mods & bit))
			scn__pfail(p, t.line, t.col,
			     "unknown modifier '%.*s' for '%s'",
			     (int)(t.end - t.start), p->src + t.start, d->name);
		if (op->mods & bit)
			scn__pfail(p, t.line, t.col, "duplicate modifier '%s'",
			     mods[m].name);
		for (size_t i = 0; i < sizeof(excl) / sizeof(excl[0]); i++)
			if ((bit == excl[i][0] && (op->mods & excl[i][1])) ||
			    (bit == excl[i][1] && (op->mods & excl[i][0])))
				scn__pfail(p, t.line, t.col,
				     "'%s' and '%s' cannot be combined",
				     scn_mod_name(excl[i][0]),
				     scn_mod_name(excl[i][1]));
		op->mods |= bit;
		scn__pnext(p);
		switch (mods[m].arg) {
		case ARG_STR:
			if (p->tok.kind != T_STR)
				scn__expected(p, "a string");
			op->fill = p->tok.str;
			scn__pnext(p);
			break;
		case ARG_INT:
			op->off = scn__parse_arith(p);
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

/*
 * One of the words of @d (a 'w' operand): an SCN_E_INT holding the index of
 * the word, so the runners evaluate it as any integer operand.
 */
static struct scn_expr *parse_word(struct parser *p, const struct op_desc *d)
{
	struct scn__tok t = p->tok;
	struct scn_expr *e;
	char what[128];
	size_t k = 0;

	for (int i = 0; t.kind == T_IDENT && d->words[i]; i++) {
		if (strlen(d->words[i]) != t.end - t.start ||
		    memcmp(d->words[i], p->src + t.start, t.end - t.start))
			continue;
		e = scn__xalloc(&p->ctx, sizeof(*e));
		e->kind = SCN_E_INT;
		e->type = SCN_T_INT;
		e->line = t.line;
		e->col = t.col;
		e->ref.sym = -1;
		e->value = i;
		scn__pnext(p);
		return e;
	}
	for (int i = 0; d->words[i] && k < sizeof(what); i++)
		k += (size_t)snprintf(what + k, sizeof(what) - k, "%s%s",
				      i ? (d->words[i + 1] ? ", " : " or ") :
					  "",
				      d->words[i]);
	scn__expected(p, what);
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
	if (first.kind == T_IDENT && scn__peek(p)->kind == T_COLON) {
		/* in a loop, the label holds the last iteration's result */
		scn__pnext(p);
		scn__pnext(p);
		op->label = scn__declare(p, &first, SCN_SYM_LABEL);
	}
	t = p->tok;
	if (t.kind != T_IDENT)
		scn__expected(p, "an operation");
	kind = op_lookup(p->src + t.start, t.end - t.start);
	if (kind < 0)
		scn__pfail(p, t.line, t.col, "unknown operation '%.*s'",
		     (int)(t.end - t.start), p->src + t.start);
	d = &op_table[kind];
	op->kind = kind;
	op->line = t.line;
	op->col = t.col;
	scn__pnext(p);
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
			o->expr = scn__parse_arith(p);
			break;
		case 's':
			if (p->tok.kind != T_STR)
				scn__expected(p, "a string");
			o->kind = SCN_OPD_STR;
			o->str = p->tok.str;
			scn__pnext(p);
			break;
		case 'd':
			o->kind = SCN_OPD_DATA;
			parse_data(p, d, &o->data);
			break;
		case 'w':
			o->kind = SCN_OPD_INT;
			o->expr = parse_word(p, d);
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
			scn__pfail(p, p->tok.line, p->tok.col,
			     "'%s' has no result to store ('-> VAR')", d->name);
		scn__pnext(p);
		parse_result(p, &op->result);
	}
	if (kind == SCN_OP_SOCKOPT && !(op->mods & SCN_MOD_ZEROCOPY))
		scn__expected(p, "a socket option (zerocopy)");
	scn__expect_eol(p);
	op->text = scn__copy_text(p, first.start, p->last_end);
	*PUSH(p, body->stmts, body->nr, *cap) = st;
}

/* ------------------------------------------------------------- blocks */

void scn__parse_block(struct parser *p, const char *what,
			const struct scn__tok *open, struct scn_body *body);

static bool is_top_word(struct parser *p)
{
	for (size_t i = 0; i < sizeof(top_words) / sizeof(top_words[0]); i++)
		if (scn__tok_is(p, top_words[i]))
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

	scn__pnext(p);
	v = scn__take_ident(p, "a loop variable");
	if (!scn__tok_is(p, "in"))
		scn__expected(p, "'in'");
	scn__pnext(p);
	st.loop.from = scn__parse_arith(p);
	scn__expect_tok(p, T_DOTDOT);
	st.loop.to = scn__parse_arith(p);
	scn__expect_eol(p);
	if (p->nr_scope >= SCN_MAX_LOOP_DEPTH)
		scn__pfail(p, first.line, first.col,
			   "loops nested more than %d deep", SCN_MAX_LOOP_DEPTH);
	st.loop.var = scn__declare(p, &v, SCN_SYM_LOOPVAR);
	p->scope[p->nr_scope++] = st.loop.var;
	scn__parse_block(p, "for", &first, &st.loop.body);
	p->nr_scope--;
	*PUSH(p, body->stmts, body->nr, *cap) = st;
}

static _Noreturn void unterminated(struct parser *p)
{
	const struct block *b = &p->blocks[p->nr_blocks - 1];

	scn__pfail(p, b->line, b->col, "unterminated '%s' block", b->what);
}

/*
 * The lines of a block up to its `end`.  A top-level statement or the end
 * of the file inside a block means its `end` is missing.
 */
void scn__parse_block(struct parser *p, const char *what,
			const struct scn__tok *open, struct scn_body *body)
{
	int cap = 0;

	if (p->nr_blocks == MAX_DEPTH)
		scn__pfail(p, open->line, open->col, "blocks nested too deeply");
	p->blocks[p->nr_blocks++] =
		(struct block){ what, open->line, open->col };
	for (;;) {
		scn__pnext(p);
		p->nodes = 0;
		if (p->tok.kind == T_EOL)
			continue;
		if (p->tok.kind == T_EOF)
			unterminated(p);
		if (p->tok.kind == T_IDENT && scn__peek(p)->kind != T_COLON) {
			if (scn__tok_is(p, "end")) {
				scn__pnext(p);
				scn__expect_eol(p);
				break;
			}
			if (is_top_word(p))
				unterminated(p);
			if (scn__tok_is(p, "for")) {
				parse_for(p, body, &cap);
				continue;
			}
		}
		parse_op(p, body, &cap);
	}
	p->nr_blocks--;
}

