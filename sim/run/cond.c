// SPDX-License-Identifier: MIT
/*
 * cond.c - the one evaluator of conditions (cond.h).
 *
 * Not a kernel file.
 */
#include <stdlib.h>
#include <string.h>

#include "cond.h"

struct val {
	bool is_str, unset, err;
	int64_t i;
	struct scn_str s;	/* s.data owned when @owned */
	bool owned;
};

struct ctx {
	const struct scn *s;
	const struct cond_ops *ops;
	void *ud;
	bool unset_is_error;	/* cond_eval_defined() */
};

static void val_free(struct val *v)
{
	if (v->owned)
		free(v->s.data);
}

static bool eval_bool(struct ctx *c, const struct scn_expr *e, bool *err);

/* index of an element reference; conditions have no loop variables */
static bool ref_index(struct ctx *c, const struct scn_ref *ref, int64_t *idx)
{
	*idx = 0;
	return !ref->index || !scn_eval_int(c->s, ref->index, NULL, idx);
}

/* a string from a state accessor's return value */
static void take_str(struct val *v, int rc, struct scn_str *out)
{
	v->is_str = true;
	if (rc < 0) {
		v->err = true;
	} else if (rc > 0) {
		v->unset = true;
	} else {
		v->s = *out;
		v->owned = true;
	}
	if (rc)
		free(out->data);
}

static struct val eval_val(struct ctx *c, const struct scn_expr *e)
{
	struct val v = { 0 };
	struct scn_str out = { 0 };
	int64_t idx;

	switch (e->kind) {
	case SCN_E_INT:
		v.i = e->value;
		break;
	case SCN_E_STR:
		v.is_str = true;
		v.s = e->str;
		break;
	case SCN_E_LABEL: {
		uint64_t step;

		v.unset = c->ops->label(c->ud, e->ref.sym, &v.i, &step) != 0;
		break;
	}
	case SCN_E_VAR:
	case SCN_E_LEN: {
		const struct scn_str *s;

		if (!ref_index(c, &e->ref, &idx)) {
			v.err = true;
			break;
		}
		s = c->ops->var(c->ud, e->ref.sym, idx);
		v.unset = !s;
		if (e->kind == SCN_E_LEN) {
			v.i = s ? (int64_t)s->len : 0;
			break;
		}
		v.is_str = true;
		if (s)
			v.s = *s;
		break;
	}
	case SCN_E_NEG:
	case SCN_E_ADD: case SCN_E_SUB: case SCN_E_MUL: case SCN_E_DIV:
	case SCN_E_MOD: {
		struct val a = eval_val(c, e->arg[0]);
		struct val b = e->kind == SCN_E_NEG ? (struct val){ 0 } :
						      eval_val(c, e->arg[1]);

		v.unset = a.unset || b.unset;
		v.err = a.err || b.err;
		switch (e->kind) {
		case SCN_E_NEG: v.i = -a.i; break;
		case SCN_E_ADD: v.i = a.i + b.i; break;
		case SCN_E_SUB: v.i = a.i - b.i; break;
		case SCN_E_MUL: v.i = a.i * b.i; break;
		case SCN_E_DIV:
			if (!b.i)
				v.err = true;
			else
				v.i = a.i / b.i;
			break;
		default:
			if (!b.i)
				v.err = true;
			else
				v.i = a.i % b.i;
		}
		break;
	}
	case SCN_E_AT:
	case SCN_E_DESTRUCTED:
	case SCN_E_DESTRUCTED_AT:
	case SCN_E_HELD_BYTES:
	case SCN_E_PINNED_BYTES:
	case SCN_E_REFCOUNT:
	case SCN_E_PINCOUNT:
	case SCN_E_MAPCOUNT: {
		struct val a = e->arg[0] ? eval_val(c, e->arg[0]) :
					   (struct val){ 0 };

		if (a.err || !c->ops->internal ||
		    c->ops->internal(c->ud, e, a.i, &v.i))
			v.err = true;
		break;
	}
	case SCN_E_REPEAT: {
		struct val a = eval_val(c, e->arg[0]);
		struct val b = eval_val(c, e->arg[1]);
		size_t n;

		v.is_str = true;
		if (a.err || b.err || b.i < 0 || b.i > (1 << 26) ||
		    (a.s.len && (size_t)b.i > (size_t)(1 << 28) / a.s.len)) {
			v.err = true;
			val_free(&a);
			break;
		}
		n = a.s.len * (size_t)b.i;
		v.s.data = malloc(n + 1);
		if (!v.s.data) {
			v.err = true;
			if (c->ops->oom)
				c->ops->oom(c->ud);
			val_free(&a);
			break;
		}
		for (int64_t i = 0; i < b.i; i++)
			memcpy(v.s.data + (size_t)i * a.s.len, a.s.data, a.s.len);
		v.s.data[n] = 0;
		v.s.len = n;
		v.owned = true;
		val_free(&a);
		break;
	}
	case SCN_E_FILE: {
		int64_t off = 0, len = 0;

		if (!ref_index(c, &e->ref, &idx)) {
			v.is_str = v.err = true;
			break;
		}
		if (e->arg[0]) {
			struct val a = eval_val(c, e->arg[0]);
			struct val b = eval_val(c, e->arg[1]);

			off = a.i;
			len = b.i;
			if (a.err || b.err || off < 0 || len < 0 ||
			    len > (1 << 28)) {
				v.is_str = v.err = true;
				break;
			}
		}
		take_str(&v, c->ops->file(c->ud, &e->ref, idx, !e->arg[0],
					  off, len, &out), &out);
		break;
	}
	case SCN_E_MEM: {
		struct val a = eval_val(c, e->arg[0]);
		struct val b = eval_val(c, e->arg[1]);

		if (!ref_index(c, &e->ref, &idx) || a.err || b.err ||
		    a.i < 0 || b.i < 0 || b.i > (1 << 28)) {
			v.is_str = v.err = true;
			break;
		}
		take_str(&v, c->ops->mem(c->ud, &e->ref, idx, a.i, b.i, &out),
			 &out);
		break;
	}
	case SCN_E_COMPLETIONS:
		if (!ref_index(c, &e->ref, &idx)) {
			v.is_str = v.err = true;
			break;
		}
		take_str(&v, c->ops->completions(c->ud, &e->ref, idx, &out),
			 &out);
		break;
	default: {
		bool err = false;

		v.i = eval_bool(c, e, &err);
		v.err = err;
	}
	}
	return v;
}

static bool eval_bool(struct ctx *c, const struct scn_expr *e, bool *err)
{
	struct val a, b;
	bool res = false;

	switch (e->kind) {
	case SCN_E_AND:
		return eval_bool(c, e->arg[0], err) && eval_bool(c, e->arg[1], err);
	case SCN_E_OR:
		return eval_bool(c, e->arg[0], err) || eval_bool(c, e->arg[1], err);
	case SCN_E_NOT:
		return !eval_bool(c, e->arg[0], err);
	case SCN_E_DEADLOCK:
		return c->ops->deadlock(c->ud);
	case SCN_E_EQ: case SCN_E_NE: case SCN_E_LT: case SCN_E_LE:
	case SCN_E_GT: case SCN_E_GE:
		break;
	default:
		*err = true;
		return false;
	}
	a = eval_val(c, e->arg[0]);
	b = eval_val(c, e->arg[1]);
	if (a.err || b.err) {
		*err = true;
	} else if ((a.unset || b.unset) && c->unset_is_error) {
		*err = true;
	} else if (a.unset || b.unset) {
		/* an operation that never completed: only != holds */
		res = e->kind == SCN_E_NE;
	} else if (a.is_str) {
		bool eq = a.s.len == b.s.len &&
			  (!a.s.len || !memcmp(a.s.data, b.s.data, a.s.len));

		res = e->kind == SCN_E_EQ ? eq : !eq;
	} else {
		switch (e->kind) {
		case SCN_E_EQ: res = a.i == b.i; break;
		case SCN_E_NE: res = a.i != b.i; break;
		case SCN_E_LT: res = a.i < b.i; break;
		case SCN_E_LE: res = a.i <= b.i; break;
		case SCN_E_GT: res = a.i > b.i; break;
		default: res = a.i >= b.i;
		}
	}
	val_free(&a);
	val_free(&b);
	return res;
}

bool cond_eval(const struct scn *s, const struct cond_ops *ops, void *ud,
	       const struct scn_expr *e, bool *err)
{
	struct ctx c = { .s = s, .ops = ops, .ud = ud };

	return eval_bool(&c, e, err);
}

bool cond_eval_defined(const struct scn *s, const struct cond_ops *ops,
		       void *ud, const struct scn_expr *e, bool *err)
{
	struct ctx c = { .s = s, .ops = ops, .ud = ud, .unset_is_error = true };

	return eval_bool(&c, e, err);
}

const char *cond_internal(const struct scn_expr *e)
{
	static const char *const names[] = {
		[SCN_E_AT] = "at()",
		[SCN_E_DESTRUCTED] = "destructed()",
		[SCN_E_DESTRUCTED_AT] = "destructed_at()",
		[SCN_E_HELD_BYTES] = "held_bytes()",
		[SCN_E_REFCOUNT] = "refcount()",
		[SCN_E_PINCOUNT] = "pincount()",
		[SCN_E_MAPCOUNT] = "mapcount()",
		[SCN_E_PINNED_BYTES] = "pinned_bytes",
	};

	if (!e)
		return NULL;
	if ((size_t)e->kind < sizeof(names) / sizeof(names[0]) &&
	    names[e->kind])
		return names[e->kind];
	for (int i = 0; i < 3; i++) {
		const char *n = cond_internal(e->arg[i]);

		if (n)
			return n;
	}
	return NULL;
}
