/* SPDX-License-Identifier: MIT */
/*
 * parse_int.h - the parser's state and the helpers its two files share:
 * scn_parse.c (statements, operations, blocks, pass 2, overrides) and
 * scn_expr.c (expressions and conditions: parsing, folding, resolution).
 *
 * Not a kernel file.  Private to sim/lang/.
 */
#ifndef SPANSIM_PARSE_INT_H
#define SPANSIM_PARSE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/ops.h"
#include "scn_int.h"
#include "span/world.h"

#define MAX_DEPTH 64 /* nested blocks; nested parentheses */
#define MAX_NODES 4096 /* expression nodes in one statement */
#define MAX_ARRAY 1048576 /* elements of an object array */
#define HASH_SIZE 1024

enum { ITEM_SET, ITEM_SETUP, ITEM_THREAD, ITEM_EXPECT, ITEM_EXISTS,
       ITEM_ALWAYS };

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
	int cap_always;
	int cap_arrays, cap_same;
};

/* "a mem", "a pipe", ... by enum scn_sym_kind */
extern const char *const scn__sym_kind_a[SCN_NR_SYM_KINDS];

int64_t scn__const_value(struct parser *p, struct scn_expr *e);
void scn__expect_tok(struct parser *p, int kind);
_Noreturn void scn__expected(struct parser *p, const char *what);
_Noreturn void scn__pfail(struct parser *p, int line, int col, const char *fmt,
			   ...) __attribute__((format(printf, 4, 5)));
struct scn_expr *scn__fold(struct parser *p, struct scn_expr *e);
_Noreturn void scn__kind_error(struct parser *p, int line, int col, int id,
				 unsigned int mask);
const char *scn__kinds_text(unsigned int mask, char *buf, size_t n);
int scn__lookup(struct parser *p, const char *name, int line, int col);
struct scn_expr *scn__need(struct parser *p, struct scn_expr *e, int type);
void scn__pnext(struct parser *p);
struct scn_expr *scn__parse_arith(struct parser *p);
struct scn_expr *scn__parse_or(struct parser *p);
struct scn_expr *scn__resolve_int(struct parser *p, struct scn_expr *e,
				    unsigned int allow);
void scn__resolve_ref(struct parser *p, struct scn_ref *r, unsigned int mask);
char *scn__tok_text(struct parser *p, const struct scn__tok *t);

int scn__add_sym(struct parser *p, const char *name, int kind, int line,
		   int col);
char *scn__copy_text(struct parser *p, size_t start, size_t end);
int scn__declare(struct parser *p, const struct scn__tok *t, int kind);
_Noreturn void scn__duplicate(struct parser *p, const struct scn__tok *t,
				const char *name, int first);
void scn__expect_eol(struct parser *p);
void scn__next_word(struct parser *p);
void scn__parse_block(struct parser *p, const char *what,
			const struct scn__tok *open, struct scn_body *body);
const struct scn__tok *scn__peek(struct parser *p);
struct scn__tok scn__take_ident(struct parser *p, const char *what);
bool scn__tok_is(struct parser *p, const char *word);
void *scn__grow(struct parser *p, void *arr, int nr, int *cap, size_t size);

/* Append a zeroed element to array @arr of @nr elements; a pointer to it. */
#define PUSH(p, arr, nr, cap) \
	((arr) = scn__grow(p, arr, nr, &(cap), sizeof(*(arr))), &(arr)[(nr)++])

#endif
