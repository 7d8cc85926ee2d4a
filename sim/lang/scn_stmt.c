// SPDX-License-Identifier: MIT
/*
 * scn_stmt.c - the top-level statements of the scenario language (scenario,
 * doc, param, set, policy, process, setup, thread, expect, exists, allow),
 * pass 2 (processes, arrays, folding of what the statements left open),
 * the command-line overrides, and the entry points scn_parse_string() and
 * scn_parse_file().
 *
 * Not a kernel file.  parse_int.h has the parser state it shares with
 * scn_parse.c (tokens, symbols, operations and blocks) and scn_expr.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "span/check.h"
#include "span/errno.h"
#include "span/policy.h"
#include "parse_int.h"

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

	scn__pnext(p);
	name = scn__take_ident(p, "a param name");
	scn__expect_tok(p, T_ASSIGN);
	e = scn__parse_arith(p);
	scn__expect_eol(p);
	value = scn__const_value(p, e);
	id = scn__declare(p, &name, SCN_SYM_PARAM);
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

	scn__pnext(p);
	key = scn__take_ident(p, "a world parameter");
	k = span_param_lookup(scn__tok_text(p, &key));
	if (k < 0 || k >= SPAN_NR_PARAMS)
		scn__pfail(p, key.line, key.col, "unknown world parameter '%.*s'",
		     (int)(key.end - key.start), p->src + key.start);
	if (p->set_line[k])
		scn__pfail(p, key.line, key.col,
		     "duplicate 'set %s' (first at %d:%d)", span_param_name(k),
		     p->set_line[k], p->set_col[k]);
	p->set_line[k] = first.line;
	p->set_col[k] = first.col;
	scn__expect_tok(p, T_ASSIGN);
	p->set_vline[k] = p->tok.line;
	p->set_vcol[k] = p->tok.col;
	it = add_item(p, ITEM_SET, &first);
	it->key = k;
	it->value = scn__parse_arith(p);
	scn__expect_eol(p);
}

_Static_assert(SPAN_NR_KNOBS <= 32, "scn.policy_named has 32 bits");

static void parse_policy(struct parser *p)
{
	struct scn__tok key, val;
	char *name, *value, buf[200];
	int k = -1, v;

	p->s->nr_policy_lines++;
	scn__pnext(p);
	key = scn__take_ident(p, "a policy knob");
	name = scn__tok_text(p, &key);
	if (strcmp(name, "preset")) {
		k = span_knob_lookup(name);
		if (k < 0)
			scn__pfail(p, key.line, key.col, "unknown policy knob '%s'",
			     name);
	}
	if (p->tok.kind != T_ASSIGN)
		scn__expected(p, "'='");
	scn__next_word(p);
	val = p->tok;
	if (val.kind != T_WORD)
		scn__expected(p, k < 0 ? "a preset name" : "a value");
	value = scn__tok_text(p, &val);
	scn__pnext(p);
	scn__expect_eol(p);
	if (k < 0) {
		if (span_policy_preset(&p->s->policy, value))
			scn__pfail(p, val.line, val.col, "unknown preset '%s' (%s)",
			     value, choices(-1, buf, sizeof(buf)));
		return;
	}
	v = span_knob_value_lookup(k, value);
	if (v < 0)
		scn__pfail(p, val.line, val.col,
		     "bad value '%s' for policy knob '%s' (%s)", value, name,
		     choices(k, buf, sizeof(buf)));
	p->s->policy.v[k] = (uint8_t)v;
	p->s->policy_named |= 1u << k;
}

/* setup [as PROC] and thread NAME [in PROC]: the process part. */
static void parse_proc(struct parser *p, const char *word, struct item *it)
{
	struct scn__tok t;

	if (!scn__tok_is(p, word))
		return;
	scn__pnext(p);
	t = scn__take_ident(p, "a process name");
	it->name = scn__tok_text(p, &t);
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
	scn__pnext(p);
	it = add_item(p, ITEM_SETUP, &first);
	it->idx = idx;
	parse_proc(p, "as", it);
	scn__expect_eol(p);
	scn__parse_block(p, "setup", &first, &p->s->setups[idx].body);
}

static void parse_thread(struct parser *p)
{
	struct scn__tok first = p->tok, name;
	struct scn_thread *th;
	struct item *it;
	int idx, id;

	scn__pnext(p);
	name = scn__take_ident(p, "a thread name");
	id = scn__declare(p, &name, SCN_SYM_THREAD);
	th = PUSH(p, p->s->threads, p->s->nr_threads, p->cap_threads);
	idx = p->s->nr_threads - 1;
	th->sym = id;
	th->name = p->s->syms[id].name;
	th->line = first.line;
	th->col = first.col;
	it = add_item(p, ITEM_THREAD, &first);
	it->idx = idx;
	parse_proc(p, "in", it);
	scn__expect_eol(p);
	scn__parse_block(p, "thread", &first, &p->s->threads[idx].body);
}

/* Is the token after `violation` a name (expect violation NAME)? */
static bool violation_follows(struct parser *p)
{
	size_t i = p->lx.pos;
	unsigned char c;

	if (!scn__tok_is(p, "violation") || p->have_ahead)
		return false;
	while (i < p->lx.len && (p->src[i] == ' ' || p->src[i] == '\t'))
		i++;
	c = i < p->lx.len ? (unsigned char)p->src[i] : 0;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* @item: ITEM_EXPECT, ITEM_EXISTS or ITEM_ALWAYS (@never: a never line) */
static void parse_expect(struct parser *p, int item, bool never)
{
	struct scn__tok first = p->tok, name;
	struct scn_cond *c;
	size_t start;
	int inv;

	scn__pnext(p);
	if (item == ITEM_EXPECT && violation_follows(p)) {
		scn__next_word(p);
		name = p->tok;
		scn__pnext(p);
		scn__expect_eol(p);
		if (p->s->violation >= 0)
			scn__pfail(p, first.line, first.col,
			     "more than one 'expect violation' (first at %d:%d)",
			     p->s->violation_line, p->s->violation_col);
		inv = span_invariant_lookup(scn__tok_text(p, &name));
		if (inv < 0)
			scn__pfail(p, name.line, name.col, "unknown invariant '%.*s'",
			     (int)(name.end - name.start), p->src + name.start);
		p->s->violation = inv;
		p->s->violation_line = first.line;
		p->s->violation_col = first.col;
		return;
	}
	start = p->tok.start;
	p->cond = true;
	if (item == ITEM_ALWAYS)
		c = PUSH(p, p->s->always, p->s->nr_always, p->cap_always);
	else if (item == ITEM_EXISTS)
		c = PUSH(p, p->s->exists, p->s->nr_exists, p->cap_exists);
	else
		c = PUSH(p, p->s->expects, p->s->nr_expects, p->cap_expects);
	c->never = never;
	c->line = first.line;
	c->col = first.col;
	c->expr = scn__parse_or(p);
	p->cond = false;
	scn__expect_eol(p);
	c->text = scn__copy_text(p, start, p->last_end);
	add_item(p, item, &first)->idx =
		(item == ITEM_ALWAYS ? p->s->nr_always :
		 item == ITEM_EXISTS ? p->s->nr_exists : p->s->nr_expects) - 1;
}

static void parse_allow(struct parser *p)
{
	struct scn__tok name;
	int inv;

	scn__next_word(p);
	name = p->tok;
	if (name.kind != T_WORD)
		scn__expected(p, "an invariant name");
	scn__pnext(p);
	scn__expect_eol(p);
	inv = span_invariant_lookup(scn__tok_text(p, &name));
	if (inv < 0)
		scn__pfail(p, name.line, name.col, "unknown invariant '%.*s'",
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
	    (!p->seen_scenario && !scn__tok_is(p, "scenario"))) {
		if (!p->seen_scenario)
			scn__pfail(p, t.line, t.col,
			     "the first statement must be 'scenario NAME'");
		scn__expected(p, "a statement");
	}
	if (scn__tok_is(p, "scenario")) {
		if (p->seen_scenario)
			scn__pfail(p, t.line, t.col,
			     "duplicate 'scenario' statement");
		scn__next_word(p);
		if (p->tok.kind != T_WORD)
			scn__expected(p, "a scenario name");
		p->s->name = scn__tok_text(p, &p->tok);
		scn__pnext(p);
		scn__expect_eol(p);
		p->seen_scenario = true;
	} else if (scn__tok_is(p, "doc")) {
		if (p->seen_doc)
			scn__pfail(p, t.line, t.col, "duplicate 'doc' statement");
		scn__pnext(p);
		if (p->tok.kind != T_STR)
			scn__expected(p, "a string");
		p->s->doc = p->tok.str.data;
		scn__pnext(p);
		scn__expect_eol(p);
		p->seen_doc = true;
	} else if (scn__tok_is(p, "param")) {
		parse_param(p);
	} else if (scn__tok_is(p, "set")) {
		parse_set(p);
	} else if (scn__tok_is(p, "policy")) {
		parse_policy(p);
	} else if (scn__tok_is(p, "process")) {
		struct scn_process *pr;
		struct scn__tok name;
		int id;

		scn__pnext(p);
		name = scn__take_ident(p, "a process name");
		scn__expect_eol(p);
		id = scn__declare(p, &name, SCN_SYM_PROCESS);
		pr = PUSH(p, p->s->processes, p->s->nr_processes, p->cap_procs);
		pr->sym = id;
		pr->name = p->s->syms[id].name;
		pr->line = t.line;
		pr->col = t.col;
	} else if (scn__tok_is(p, "setup")) {
		parse_setup(p);
	} else if (scn__tok_is(p, "thread")) {
		parse_thread(p);
	} else if (scn__tok_is(p, "expect")) {
		parse_expect(p, ITEM_EXPECT, false);
	} else if (scn__tok_is(p, "exists")) {
		parse_expect(p, ITEM_EXISTS, false);
	} else if (scn__tok_is(p, "always")) {
		parse_expect(p, ITEM_ALWAYS, false);
	} else if (scn__tok_is(p, "never")) {
		parse_expect(p, ITEM_ALWAYS, true);
	} else if (scn__tok_is(p, "allow")) {
		parse_allow(p);
	} else if (scn__tok_is(p, "end")) {
		scn__pfail(p, t.line, t.col, "'end' outside a block");
	} else if (scn__tok_is(p, "for")) {
		scn__pfail(p, t.line, t.col, "'for' outside setup or thread");
	} else if (scn__peek(p)->kind == T_COLON) {
		scn__pfail(p, t.line, t.col, "label '%.*s' outside setup or thread",
		     len, p->src + t.start);
	} else {
		for (int k = 0; k < SCN_NR_OPS; k++)
			if (scn__tok_is(p, op_table[k].name))
				scn__pfail(p, t.line, t.col,
				     "operation '%s' outside setup or thread",
				     op_table[k].name);
		scn__pfail(p, t.line, t.col, "unknown statement '%.*s'", len,
		     p->src + t.start);
	}
}

/* ------------------------------------------------------------ pass 2 */

static int resolve_process(struct parser *p, const struct item *it)
{
	int id;

	if (!it->name)
		return 0;
	id = scn__lookup(p, it->name, it->line, it->col);
	if (p->s->syms[id].kind != SCN_SYM_PROCESS)
		scn__kind_error(p, it->line, it->col, id, KIND(PROCESS));
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
				scn__resolve_ref(p, &o->ref, d->obj[nobj++]);
			break;
		case SCN_OPD_INT:
			o->expr = scn__resolve_int(p, o->expr, ints);
			break;
		case SCN_OPD_STR:
			break;
		case SCN_OPD_DATA:
			if (data->kind == SCN_DATA_STR)
				break;
			scn__resolve_ref(p, &data->ref, d->data);
			if (p->s->syms[data->ref.sym].kind == SCN_SYM_KMEM)
				data->kind = SCN_DATA_KMEM;
			data->off = scn__resolve_int(p, data->off, ints);
			data->len = scn__resolve_int(p, data->len, ints);
			break;
		}
	}
	if (op->off)
		op->off = scn__resolve_int(p, op->off, ints);
	if (op->result.sym >= 0)
		scn__resolve_ref(p, &op->result, KIND(VAR));
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
		st->loop.from = scn__resolve_int(p, st->loop.from, ints);
		st->loop.to = scn__resolve_int(p, st->loop.to, ints);
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
		int64_t v = scn__const_value(p, e);

		if (v < 1 || v > MAX_ARRAY)
			scn__pfail(p, e->line, e->col,
			     "array size of '%s' must be 1 to %d (is %lld)",
			     sym->name, MAX_ARRAY, (long long)v);
		sym->size = v;
	}
	for (int i = 0; i < p->nr_same; i++) {
		const struct scn_sym *a = &p->s->syms[p->same[i].a];
		const struct scn_sym *b = &p->s->syms[p->same[i].b];

		if (a->size != b->size)
			scn__pfail(p, b->line, b->col,
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
			set->value = scn__const_value(p, it->value);
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
		case ITEM_ALWAYS:
			c = it->kind == ITEM_EXPECT ? &s->expects[it->idx] :
			    it->kind == ITEM_EXISTS ? &s->exists[it->idx] :
						      &s->always[it->idx];
			p->cond = true;
			c->expr = scn__need(p, c->expr, SCN_T_BOOL);
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
		scn__pfail(p, 0, 0, "%s '%s': expected NAME=VALUE", opt, s);
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
		scn__pfail(p, 0, 0, "%s '%s': integer overflow", opt, s);
	if (ret)
		scn__pfail(p, 0, 0, "%s '%s': bad integer '%s'", opt, s, v);
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
/* every "KNOB=VALUE" or "preset=NAME" of @list names a knob and value */
static void check_policies(struct parser *p, const char **list, int n)
{
	struct span_policy tmp;
	char key[64], buf[200];
	size_t klen;

	for (int i = 0; i < n; i++) {
		const char *s = list[i];
		const char *v = ov_split(p, "--policy", s, &klen);
		int k;

		ov_key(s, klen, key, sizeof(key));
		if (!strcmp(key, "preset")) {
			if (span_policy_preset(&tmp, v))
				scn__pfail(p, 0, 0,
				     "--policy '%s': unknown preset '%s' (%s)",
				     s, v, choices(-1, buf, sizeof(buf)));
			continue;
		}
		k = span_knob_lookup(key);
		if (k < 0)
			scn__pfail(p, 0, 0, "--policy '%s': unknown policy knob '%s'",
			     s, key);
		if (span_knob_value_lookup(k, v) < 0)
			scn__pfail(p, 0, 0,
			     "--policy '%s': bad value '%s' for policy knob '%s' (%s)",
			     s, v, key, choices(k, buf, sizeof(buf)));
	}
}

/* apply the checked @list to the scenario's policy, in order */
static void apply_policies(struct parser *p, const char **list, int n)
{
	struct scn *s = p->s;
	size_t klen;

	for (int i = 0; i < n; i++) {
		char key[64];
		const char *v = ov_split(p, "--policy", list[i], &klen);

		ov_key(list[i], klen, key, sizeof(key));
		if (!strcmp(key, "preset")) {
			span_policy_preset(&s->policy, v);
		} else {
			int k = span_knob_lookup(key);

			span_policy_set(&s->policy, key, v);
			if (k >= 0)
				s->policy_named |= 1u << k;
		}
	}
}

static void check_overrides(struct parser *p)
{
	const struct scn_overrides *ov = p->ov;
	char key[64];
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
			scn__pfail(p, 0, 0,
			     "--set '%s': unknown world parameter '%s'", s,
			     key);
		p->set_ov_value[k] = ov_int(p, "--set", s, v);
		p->set_ov[k] = i;
	}
	check_policies(p, ov->policies, ov->nr_policies);
	check_policies(p, ov->base_policies, ov->nr_base_policies);
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
		scn__pfail(p, line, col, "%sbad value %lld for '%s' (%s)", where,
		     (long long)set->value, name, span_param_range(set->param));
}

/* --param leftovers, then --set and --policy, then check every set. */
static void apply_overrides(struct parser *p)
{
	const struct scn_overrides *ov = p->ov;
	struct scn *s = p->s;

	for (int i = 0; ov && i < ov->nr_params; i++)
		if (!p->ov_params[i].used)
			scn__pfail(p, 0, 0, "--param '%s': unknown param '%.*s'",
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
	if (ov)
		apply_policies(p, ov->policies, ov->nr_policies);
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
	if (p->ov)
		apply_policies(p, p->ov->base_policies,
			       p->ov->nr_base_policies);

	init = PUSH(p, s->processes, s->nr_processes, p->cap_procs);
	init->sym = scn__add_sym(p, "init", SCN_SYM_PROCESS, 0, 0);
	init->name = "init";

	p->src = text;
	scn__lex_init(&p->lx, &p->ctx, text, len);
	p->tok = none;
	p->tok.kind = T_EOL;
	for (;;) {
		scn__pnext(p);
		p->nodes = 0;
		if (p->tok.kind == T_EOL)
			continue;
		if (p->tok.kind == T_EOF)
			break;
		parse_top(p);
	}
	if (!p->seen_scenario)
		scn__pfail(p, p->tok.line, p->tok.col,
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
	size_t len = 0, cap;
	struct stat st;
	char *buf = NULL;
	int fd, ret;

	*out = NULL;
	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		goto out_errno;
	if (fstat(fd, &st)) {
		ret = errno;
		close(fd);
		errno = ret;
		goto out_errno;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err->msg, sizeof(err->msg),
			 "not a regular file (a scenario is read from a file)");
		return -EINVAL;
	}
	if (st.st_size > SCN_MAX_FILE_SIZE) {
		close(fd);
		snprintf(err->msg, sizeof(err->msg),
			 "too large: %lld bytes (the limit is %d)",
			 (long long)st.st_size, SCN_MAX_FILE_SIZE);
		return -EFBIG;
	}
	/* one byte more than the limit tells a file that grew meanwhile */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		goto out_errno;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = errno;
			close(fd);
			free(buf);
			errno = ret;
			goto out_errno;
		}
		if (!n)
			break;
		len += (size_t)n;
		if (len == cap) {
			char *nb;

			if (cap > SCN_MAX_FILE_SIZE) {
				close(fd);
				free(buf);
				snprintf(err->msg, sizeof(err->msg),
					 "too large (the limit is %d bytes)",
					 SCN_MAX_FILE_SIZE);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				close(fd);
				free(buf);
				errno = ENOMEM;
				goto out_errno;
			}
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	ret = scn_parse_string(path, buf, len, ov, out, err);
	free(buf);
	return ret;

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
