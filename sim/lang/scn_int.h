/* SPDX-License-Identifier: MIT */
/*
 * scn_int.h - private to the scenario parser (scn_lex.c, scn_parse.c,
 * scn_free.c): the arena, the error exit and the lexer.
 *
 * Not a kernel file.  Errors leave through a longjmp() to the one setjmp()
 * in scn_parse_string(); since everything is allocated from one arena, the
 * arena is simply freed there and nothing can leak.
 */
#ifndef SPANSIM_SCN_INT_H
#define SPANSIM_SCN_INT_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "scn.h"

/* Memory of one struct scn: chunks freed all at once by scn_free(). */
struct scn__chunk {
	struct scn__chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct scn__arena {
	struct scn__chunk *head;
};

/** scn__alloc - @n zeroed bytes from @a, or NULL. */
void *scn__alloc(struct scn__arena *a, size_t n);
/** scn__arena_free - free every chunk of @a (not @a itself). */
void scn__arena_free(struct scn__arena *a);

/**
 * struct scn__ctx - what an error exit needs.
 * @jb: the setjmp() of scn_parse_string().
 * @ret: the return value after the longjmp(): -EINVAL or -ENOMEM.
 * @err: where the error goes (never NULL: a local one stands in).
 * @arena: the arena being built.
 */
struct scn__ctx {
	jmp_buf jb;
	int ret;
	struct scn_error *err;
	struct scn__arena *arena;
};

/** scn__fail - record an error at @line:@col and leave with -EINVAL. */
_Noreturn void scn__fail(struct scn__ctx *c, int line, int col, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));
/** scn__oom - record "out of memory" and leave with -ENOMEM. */
_Noreturn void scn__oom(struct scn__ctx *c);
/** scn__xalloc - scn__alloc() that leaves with -ENOMEM on failure. */
void *scn__xalloc(struct scn__ctx *c, size_t n);

enum scn__tok_kind {
	T_EOF,
	T_EOL,
	T_IDENT,
	T_WORD, /* only from scn__lex_word(): [A-Za-z0-9_.-]+ */
	T_INT,
	T_ERRNO, /* -ENAME in value position: v is the negative errno */
	T_STR,
	T_PLUS,
	T_MINUS,
	T_STAR,
	T_SLASH,
	T_PERCENT,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_DOT,
	T_DOTDOT,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_ANDAND,
	T_OROR,
	T_NOT,
	T_ASSIGN,
	T_ARROW,
	T_COLON,
};

/**
 * struct scn__tok - a token.
 * @kind: enum scn__tok_kind.
 * @line: 1-based line.
 * @col: 1-based byte column.
 * @start: offset of its first byte in the source.
 * @end: offset after its last byte.
 * @v: T_INT, T_ERRNO.
 * @str: T_STR (decoded, in the arena).
 */
struct scn__tok {
	int kind;
	int line, col;
	size_t start, end;
	int64_t v;
	struct scn_str str;
};

/**
 * struct scn__lexer - lexer state.
 * @ctx: for errors and string memory.
 * @src: the text.
 * @len: its length.
 * @pos: offset of the next byte to read.
 * @line: current line.
 * @line_start: offset of the current line's first byte.
 * @prev: kind of the last token, to tell `-ENAME` from a minus.
 */
struct scn__lexer {
	struct scn__ctx *ctx;
	const char *src;
	size_t len, pos;
	int line;
	size_t line_start;
	int prev;
};

void scn__lex_init(struct scn__lexer *lx, struct scn__ctx *c, const char *src,
		   size_t len);
/** scn__lex_next - the next token (T_EOL at each newline, then T_EOF). */
void scn__lex_next(struct scn__lexer *lx, struct scn__tok *t);
/**
 * scn__lex_word - the next token, read as a raw word ([A-Za-z0-9_.-]+,
 * for names like `linux-7.2-vmsplice-copy`) when it starts with such a
 * character; otherwise as scn__lex_next().
 */
void scn__lex_word(struct scn__lexer *lx, struct scn__tok *t);
/** scn__tok_spelling - how a punctuation token is written ("=="). */
const char *scn__tok_spelling(int kind);
/**
 * scn__parse_int - an integer as the language writes it (decimal or 0x
 * hex, optional K or M suffix), no sign.
 * Return: 0; -EINVAL when malformed; -ERANGE past INT64_MAX.
 */
int scn__parse_int(const char *s, size_t n, int64_t *v);

#endif
