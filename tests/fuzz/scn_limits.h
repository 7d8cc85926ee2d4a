/* SPDX-License-Identifier: MIT */
/*
 * scn_limits.h - keep fuzzed scenarios small enough to run in
 * milliseconds: a parsed scenario is run only when every integer operand
 * of an operation, every loop and every world parameter stays under a
 * bound.  The bound of an expression is computed over the ranges of the
 * loop variables it uses.
 *
 * page_size may take any valid value (8 to 16 MiB), but a page above
 * big_page bytes costs 5 bytes of world memory per byte (data and
 * provenance) and a memset of all that on allocation: at 16 MiB one run
 * takes about a second.  So only one input in big_page_every (by a hash
 * of its bytes) may set a page above big_page, and the others with such a
 * page are not run; the fuzzer still reaches large pages, rarely enough
 * that the executions per second stay those of small pages.  A run with
 * a big page may also execute only big_max_ops operations: each operation
 * allocates a page or two at most (operands stay below max_value, far
 * below a big page), so a 16 MiB world stays within libFuzzer's 2 GB
 * malloc and RSS limits.  Not a kernel file; included by fuzz_scenario.c
 * and fuzz_explore.c (each fuzz target is built from one source file).
 */
#ifndef SPAN_FUZZ_SCN_LIMITS_H
#define SPAN_FUZZ_SCN_LIMITS_H

#include <stdint.h>
#include <stdlib.h>

#include "scn.h"
#include "span/span.h"

struct scn_limits {
	int64_t max_value;	/* operands: sizes, offsets, lengths */
	int64_t max_array;	/* elements of `pipe p[N]` and friends */
	int64_t max_ops;	/* operations executed, loops unrolled */
	int64_t max_page_size;	/* set page_size */
	int64_t big_page;	/* a page above this is big, */
	uint64_t big_page_every; /* allowed for one input in this many */
	int64_t big_max_ops;	/* max_ops with a big page */
	uint64_t seed;		/* scn_input_seed() of the input */
	int64_t *loop_max;	/* per loop variable: largest |value| */
	int64_t ops;
};

static int64_t lim_sat(int64_t a, int64_t b)
{
	return (a > (INT64_MAX >> 1) || b > (INT64_MAX >> 1)) ? INT64_MAX >> 1 :
	       a + b;
}

/* largest |value| an integer expression can take, or INT64_MAX >> 1 */
static int64_t lim_bound(const struct scn *s, struct scn_limits *l,
			 const struct scn_expr *e)
{
	int64_t a, b;

	if (!e)
		return 0;
	switch (e->kind) {
	case SCN_E_INT:
		return e->value < 0 ? (e->value == INT64_MIN ? INT64_MAX >> 1 :
				       -e->value) : e->value;
	case SCN_E_LOOPVAR:
		return l->loop_max[s->syms[e->ref.sym].index];
	case SCN_E_NEG:
	case SCN_E_DIV:
	case SCN_E_MOD:
		return lim_bound(s, l, e->arg[0]);
	case SCN_E_ADD:
	case SCN_E_SUB:
		return lim_sat(lim_bound(s, l, e->arg[0]), lim_bound(s, l, e->arg[1]));
	case SCN_E_MUL:
		a = lim_bound(s, l, e->arg[0]);
		b = lim_bound(s, l, e->arg[1]);
		if (a && b > (INT64_MAX >> 1) / a)
			return INT64_MAX >> 1;
		return a * b;
	default:
		return INT64_MAX >> 1;
	}
}

static int lim_body(const struct scn *s, struct scn_limits *l,
		    const struct scn_body *b, int64_t mult)
{
	for (int i = 0; i < b->nr; i++) {
		const struct scn_stmt *st = &b->stmts[i];

		if (st->kind == SCN_STMT_FOR) {
			int64_t from = lim_bound(s, l, st->loop.from);
			int64_t to = lim_bound(s, l, st->loop.to);
			int64_t n = from + to + 1;

			if (from > l->max_ops || to > l->max_ops ||
			    n * mult > l->max_ops)
				return -1;
			l->loop_max[s->syms[st->loop.var].index] =
				from > to ? from : to;
			if (lim_body(s, l, &st->loop.body, n * mult))
				return -1;
			continue;
		}
		l->ops += mult;
		if (l->ops > l->max_ops)
			return -1;
		for (int k = 0; k < st->op.nr_operands; k++) {
			const struct scn_operand *o = &st->op.operand[k];

			if (o->ref.index &&
			    lim_bound(s, l, o->ref.index) > l->max_value)
				return -1;
			if (o->kind == SCN_OPD_INT &&
			    lim_bound(s, l, o->expr) > l->max_value)
				return -1;
			if (o->kind == SCN_OPD_DATA &&
			    (lim_bound(s, l, o->data.off) > l->max_value ||
			     lim_bound(s, l, o->data.len) > l->max_value))
				return -1;
		}
		if (st->op.off && lim_bound(s, l, st->op.off) > l->max_value)
			return -1;
	}
	return 0;
}

/* scn_within_limits - 1 when @s is small enough to run */
static int scn_within_limits(const struct scn *s, struct scn_limits *l)
{
	int ok = 1;

	l->ops = 0;
	for (int i = 0; i < s->nr_sets; i++)
		if (s->sets[i].param == SPAN_PARAM_PAGE_SIZE &&
		    s->sets[i].value > l->big_page &&
		    l->max_ops > l->big_max_ops)
			l->max_ops = l->big_max_ops;
	for (int i = 0; i < s->nr_syms; i++)
		if (s->syms[i].size > l->max_array)
			return 0;
	for (int i = 0; i < s->nr_sets; i++)
		if ((s->sets[i].param == SPAN_PARAM_PAGE_SIZE &&
		     (s->sets[i].value > l->max_page_size ||
		      (s->sets[i].value > l->big_page &&
		       l->big_page_every && l->seed % l->big_page_every))) ||
		    (s->sets[i].param == SPAN_PARAM_PIPE_BUFFERS &&
		     s->sets[i].value > 1024))
			return 0;
	l->loop_max = calloc((size_t)s->nr_kind[SCN_SYM_LOOPVAR] + 1,
			     sizeof(int64_t));
	if (!l->loop_max)
		return 0;
	for (int i = 0; i < s->nr_setups && ok; i++)
		ok = !lim_body(s, l, &s->setups[i].body, 1);
	for (int i = 0; i < s->nr_threads && ok; i++)
		ok = !lim_body(s, l, &s->threads[i].body, 1);
	free(l->loop_max);
	l->loop_max = NULL;
	return ok;
}

/* FNV-1a of the input: a schedule seed that follows the bytes */
static uint64_t scn_input_seed(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

#endif
