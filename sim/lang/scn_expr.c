// SPDX-License-Identifier: MIT
/*
 * scn_expr.c - expressions and conditions of the scenario language:
 * parsing (precedence climbing), constant folding, scn_eval_int(), name
 * resolution and type checking.
 *
 * Not a kernel file.  parse_int.h has the parser state it shares with
 * scn_parse.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

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

/* --------------------------------------------------------- expressions */

static struct scn_expr *new_expr(struct parser *p, int kind,
				 const struct scn__tok *at)
{
	struct scn_expr *e;

	if (++p->nodes > MAX_NODES)
		scn__pfail(p, at->line, at->col, "expression too long");
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
		scn__pfail(p, at->line, at->col, "expression nested too deeply");
}

static struct scn_expr *parse_unary(struct parser *p);

/* name( args ): arguments are kept in arg[], their number in value. */
static struct scn_expr *parse_call(struct parser *p, const struct scn__tok *t,
				   char *name)
{
	struct scn_expr *e = new_expr(p, SCN__E_CALL, t);

	e->name = name;
	enter(p, t);
	scn__pnext(p);
	if (p->tok.kind != T_RPAREN) {
		for (;;) {
			if (e->value == 3)
				scn__pfail(p, p->tok.line, p->tok.col,
				     "too many arguments to '%s'", name);
			e->arg[e->value++] = scn__parse_arith(p);
			if (p->tok.kind != T_COMMA)
				break;
			scn__pnext(p);
		}
	}
	scn__expect_tok(p, T_RPAREN);
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
		scn__pnext(p);
		return e;
	case T_STR:
		if (!p->cond)
			break;
		e = new_expr(p, SCN_E_STR, &t);
		e->str = t.str;
		scn__pnext(p);
		return e;
	case T_LPAREN:
		scn__pnext(p);
		enter(p, &t);
		e = p->cond ? scn__parse_or(p) : scn__parse_arith(p);
		p->depth--;
		scn__expect_tok(p, T_RPAREN);
		return e;
	case T_IDENT:
		name = scn__tok_text(p, &t);
		scn__pnext(p);
		if (p->cond && p->tok.kind == T_LPAREN)
			return parse_call(p, &t, name);
		e = new_expr(p, SCN__E_NAME, &t);
		e->name = name;
		if (p->cond && p->tok.kind == T_LBRACK) {
			enter(p, &t);
			scn__pnext(p);
			e->arg[0] = scn__parse_arith(p);
			scn__expect_tok(p, T_RBRACK);
			p->depth--;
		}
		return e;
	default:
		break;
	}
	scn__expected(p, p->cond ? "a value" : "an integer");
}

/* A prefix operator (the current token) applied to what @sub parses. */
static struct scn_expr *prefix(struct parser *p, int kind,
			       struct scn_expr *(*sub)(struct parser *))
{
	struct scn__tok t = p->tok;
	struct scn_expr *e;

	scn__pnext(p);
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

	scn__pnext(p);
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
struct scn_expr *scn__parse_arith(struct parser *p)
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
	struct scn_expr *e = scn__parse_arith(p);

	if (!is_cmp(p->tok.kind))
		return e;
	e = binop(p, e, scn__parse_arith);
	if (is_cmp(p->tok.kind))
		scn__pfail(p, p->tok.line, p->tok.col,
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

struct scn_expr *scn__parse_or(struct parser *p)
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
struct scn_expr *scn__fold(struct parser *p, struct scn_expr *e)
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
		scn__pfail(p, e->line, e->col, "division by zero");
	if (ret)
		scn__pfail(p, e->line, e->col, "integer overflow");
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
struct scn_expr *scn__resolve_int(struct parser *p, struct scn_expr *e,
				    unsigned int allow)
{
	int id;

	switch (e->kind) {
	case SCN_E_INT:
		break;
	case SCN__E_NAME:
		id = scn__lookup(p, e->name, e->line, e->col);
		if (!(allow & (1u << p->s->syms[id].kind)))
			scn__kind_error(p, e->line, e->col, id, allow);
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
		e->arg[0] = scn__resolve_int(p, e->arg[0], allow);
		e = scn__fold(p, e);
		break;
	case SCN_E_ADD:
	case SCN_E_SUB:
	case SCN_E_MUL:
	case SCN_E_DIV:
	case SCN_E_MOD:
		e->arg[0] = scn__resolve_int(p, e->arg[0], allow);
		e->arg[1] = scn__resolve_int(p, e->arg[1], allow);
		e = scn__fold(p, e);
		break;
	default:
		/* Operations never parse strings or calls as integers. */
		scn__pfail(p, e->line, e->col, "expected an integer");
	}
	e->type = SCN_T_INT;
	return e;
}

/* A constant: literals and params only. */
int64_t scn__const_value(struct parser *p, struct scn_expr *e)
{
	e = scn__resolve_int(p, e, KIND(PARAM));
	return e->value;
}

static const char *type_name(int type)
{
	return type == SCN_T_INT ? "an integer" :
	       type == SCN_T_STR ? "a string" :
				   "a condition";
}

static struct scn_expr *resolve_cond(struct parser *p, struct scn_expr *e);

struct scn_expr *scn__need(struct parser *p, struct scn_expr *e, int type)
{
	e = resolve_cond(p, e);
	if ((int)e->type != type)
		scn__pfail(p, e->line, e->col, "expected %s, got %s", type_name(type),
		     type_name(e->type));
	return e;
}

/*
 * Bind reference @r to its symbol and check it: kind in @mask, pipe end on
 * pipes only, an index exactly on indexed symbols, constant indexes in
 * range.  @r->sym may already be set (variables of `-> VAR`).
 */
void scn__resolve_ref(struct parser *p, struct scn_ref *r, unsigned int mask)
{
	int id = r->sym >= 0 ? r->sym : scn__lookup(p, r->name, r->line, r->col);
	const struct scn_sym *sym = &p->s->syms[id];

	if (!(mask & (1u << sym->kind)))
		scn__kind_error(p, r->line, r->col, id, mask);
	if (r->end != SCN_END_NONE && sym->kind != SCN_SYM_PIPE)
		scn__pfail(p, r->line, r->col,
		     "'.%c' applies only to pipes ('%s' is %s)",
		     r->end == SCN_END_R ? 'r' : 'w', sym->name,
		     scn__sym_kind_a[sym->kind]);
	if (sym->indexed && !r->index)
		scn__pfail(p, r->line, r->col, "'%s' is an array and needs an index",
		     sym->name);
	if (!sym->indexed && r->index)
		scn__pfail(p, r->line, r->col, "'%s' is not an array", sym->name);
	r->sym = id;
	if (!r->index)
		return;
	if (p->cond)
		r->index = scn__need(p, r->index, SCN_T_INT);
	else
		r->index =
			scn__resolve_int(p, r->index, KIND(PARAM) | KIND(LOOPVAR));
	if (r->index->kind != SCN_E_INT)
		return;
	if (r->index->value < 0 || (sym->size && r->index->value >= sym->size))
		scn__pfail(p, r->index->line, r->index->col,
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
	id = scn__lookup(p, e->name, e->line, e->col);
	switch (p->s->syms[id].kind) {
	case SCN_SYM_PARAM:
	case SCN_SYM_LABEL:
		if (e->arg[0])
			scn__pfail(p, e->line, e->col, "'%s' is not an array",
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
		scn__resolve_ref(p, &r, KIND(VAR));
		e->kind = SCN_E_VAR;
		e->type = SCN_T_STR;
		e->ref = r;
		e->arg[0] = NULL;
		return e;
	default:
		scn__kind_error(p, e->line, e->col, id,
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
		scn__pfail(p, e->line, e->col, "unknown function '%s'", e->name);
	bar = strchr(funcs[f].sig, '|');
	need_max = strlen(funcs[f].sig) - (bar ? 1 : 0);
	need_min = bar ? (size_t)(bar - funcs[f].sig) : need_max;
	if ((size_t)nargs != need_min && (size_t)nargs != need_max)
		scn__pfail(p, e->line, e->col, "'%s' takes %s", e->name,
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
				scn__pfail(p, a->line, a->col,
				     "argument %d of '%s' must name %s", ai + 1,
				     e->name,
				     scn__kinds_text(funcs[f].mask, buf,
						sizeof(buf)));
			e->ref = (struct scn_ref){ .sym = -1,
						   .name = a->name,
						   .index = a->arg[0],
						   .line = a->line,
						   .col = a->col };
			scn__resolve_ref(p, &e->ref, funcs[f].mask);
			break;
		case 'i':
			e->arg[nout++] = scn__need(p, a, SCN_T_INT);
			break;
		case 's':
			e->arg[nout++] = scn__need(p, a, SCN_T_STR);
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
		e->arg[0] = scn__need(p, e->arg[0], SCN_T_INT);
		e->type = SCN_T_INT;
		return scn__fold(p, e);
	case SCN_E_ADD:
	case SCN_E_SUB:
	case SCN_E_MUL:
	case SCN_E_DIV:
	case SCN_E_MOD:
		e->arg[0] = scn__need(p, e->arg[0], SCN_T_INT);
		e->arg[1] = scn__need(p, e->arg[1], SCN_T_INT);
		e->type = SCN_T_INT;
		return scn__fold(p, e);
	case SCN_E_EQ:
	case SCN_E_NE:
	case SCN_E_LT:
	case SCN_E_LE:
	case SCN_E_GT:
	case SCN_E_GE:
		a = e->arg[0] = resolve_cond(p, e->arg[0]);
		b = e->arg[1] = resolve_cond(p, e->arg[1]);
		if (a->type == SCN_T_BOOL || b->type == SCN_T_BOOL)
			scn__pfail(p, e->line, e->col, "cannot compare a condition");
		if (a->type != b->type)
			scn__pfail(p, e->line, e->col,
			     "cannot compare a string with an integer");
		if (a->type == SCN_T_STR && e->kind != SCN_E_EQ &&
		    e->kind != SCN_E_NE)
			scn__pfail(p, e->line, e->col,
			     "strings compare only with == and !=");
		e->type = SCN_T_BOOL;
		return e;
	case SCN_E_AND:
	case SCN_E_OR:
	case SCN_E_NOT:
		e->arg[0] = scn__need(p, e->arg[0], SCN_T_BOOL);
		if (e->kind != SCN_E_NOT)
			e->arg[1] = scn__need(p, e->arg[1], SCN_T_BOOL);
		e->type = SCN_T_BOOL;
		return e;
	default:
		scn__pfail(p, e->line, e->col, "expected a condition");
	}
}

