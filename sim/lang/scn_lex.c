// SPDX-License-Identifier: MIT
/*
 * scn_lex.c - the lexer of the scenario language (SCENARIO-LANGUAGE.md,
 * section 1).
 *
 * Not a kernel file.  Tokens are produced on demand; a newline is a token
 * (one statement per line).  Columns count bytes from 1, a tab is one
 * column.  Outside strings only printable ASCII, space and tab are valid;
 * comments may also hold UTF-8 (bytes >= 0x80) but no control byte.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "span/errno.h"
#include "scn_int.h"

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(int c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_word_char(int c)
{
	return is_ident_char(c) || c == '-' || c == '.';
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int scn__parse_int(const char *s, size_t n, int64_t *out)
{
	uint64_t v = 0, mul = 1, base = 10;
	size_t i = 0;

	if (n && (s[n - 1] == 'K' || s[n - 1] == 'M')) {
		mul = s[n - 1] == 'K' ? 1024 : 1048576;
		n--;
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	for (size_t j = i; j < n; j++) {
		int d = hex_value((unsigned char)s[j]);

		if (d < 0 || (uint64_t)d >= base)
			return -EINVAL;
	}
	for (; i < n; i++) {
		uint64_t d = (uint64_t)hex_value((unsigned char)s[i]);

		if (v > ((uint64_t)INT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (v > (uint64_t)INT64_MAX / mul)
		return -ERANGE;
	*out = (int64_t)(v * mul);
	return 0;
}

void scn__lex_init(struct scn__lexer *lx, struct scn__ctx *c, const char *src,
		   size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->ctx = c;
	lx->src = src;
	lx->len = len;
	lx->line = 1;
	lx->prev = T_EOL;
}

static int col_of(const struct scn__lexer *lx, size_t pos)
{
	return (int)(pos - lx->line_start) + 1;
}

static _Noreturn void bad_byte(struct scn__lexer *lx, size_t pos)
{
	unsigned char c = (unsigned char)lx->src[pos];

	if (c >= 0x21 && c < 0x7f)
		scn__fail(lx->ctx, lx->line, col_of(lx, pos),
			  "unexpected character '%c'", c);
	scn__fail(lx->ctx, lx->line, col_of(lx, pos),
		  "invalid character 0x%02x", c);
}

/* A carriage return is whitespace only right before a newline. */
static bool is_crlf(const struct scn__lexer *lx, size_t pos)
{
	return lx->src[pos] == '\r' && pos + 1 < lx->len &&
	       lx->src[pos + 1] == '\n';
}

/* Skip blanks and a comment; stop at a newline, the end or a token. */
static void skip_blanks(struct scn__lexer *lx)
{
	while (lx->pos < lx->len) {
		unsigned char c = (unsigned char)lx->src[lx->pos];

		if (c == ' ' || c == '\t' || is_crlf(lx, lx->pos)) {
			lx->pos++;
			continue;
		}
		if (c != '#')
			return;
		while (lx->pos < lx->len && lx->src[lx->pos] != '\n') {
			c = (unsigned char)lx->src[lx->pos];
			if ((c < 0x20 && c != '\t' && !is_crlf(lx, lx->pos)) ||
			    c == 0x7f)
				bad_byte(lx, lx->pos);
			lx->pos++;
		}
	}
}

/*
 * A string: check it up to the closing quote, then decode it into the
 * arena.  Every error is reported at the opening quote.
 */
static void lex_string(struct scn__lexer *lx, struct scn__tok *t)
{
	const char *s = lx->src;
	size_t i = lx->pos + 1, n = 0;
	char *out;

	for (;;) {
		int e;

		if (i >= lx->len || s[i] == '\n')
			scn__fail(lx->ctx, t->line, t->col,
				  "unterminated string");
		if (s[i] == '"')
			break;
		if (s[i] != '\\') {
			i++;
			n++;
			continue;
		}
		if (i + 1 >= lx->len || s[i + 1] == '\n')
			scn__fail(lx->ctx, t->line, t->col,
				  "unterminated string");
		e = (unsigned char)s[i + 1];
		if (e == 'x') {
			if (i + 3 >= lx->len ||
			    hex_value((unsigned char)s[i + 2]) < 0 ||
			    hex_value((unsigned char)s[i + 3]) < 0)
				scn__fail(
					lx->ctx, t->line, t->col,
					"bad escape '\\x' in string (two hex digits)");
			i += 4;
		} else if (e == 'n' || e == 't' || e == '\\' || e == '"') {
			i += 2;
		} else if (e > 0x20 && e < 0x7f) {
			scn__fail(lx->ctx, t->line, t->col,
				  "bad escape '\\%c' in string", e);
		} else {
			scn__fail(lx->ctx, t->line, t->col,
				  "bad escape '\\' + 0x%02x in string", e);
		}
		n++;
	}
	out = scn__xalloc(lx->ctx, n + 1);
	n = 0;
	for (i = lx->pos + 1; s[i] != '"'; n++) {
		if (s[i] != '\\') {
			out[n] = s[i++];
			continue;
		}
		switch (s[i + 1]) {
		case 'n':
			out[n] = '\n';
			break;
		case 't':
			out[n] = '\t';
			break;
		case 'x':
			out[n] =
				(char)(hex_value((unsigned char)s[i + 2]) * 16 +
				       hex_value((unsigned char)s[i + 3]));
			i += 2;
			break;
		default:
			out[n] = s[i + 1];
			break;
		}
		i += 2;
	}
	t->kind = T_STR;
	t->str.data = out;
	t->str.len = n;
	lx->pos = i + 1;
}

static void lex_number(struct scn__lexer *lx, struct scn__tok *t)
{
	size_t i = lx->pos;
	int ret;

	while (i < lx->len && is_ident_char((unsigned char)lx->src[i]))
		i++;
	ret = scn__parse_int(lx->src + lx->pos, i - lx->pos, &t->v);
	if (ret == -ERANGE)
		scn__fail(lx->ctx, t->line, t->col, "integer overflow");
	if (ret)
		scn__fail(lx->ctx, t->line, t->col, "bad number '%.*s'",
			  (int)(i - lx->pos > 40 ? 40 : i - lx->pos),
			  lx->src + lx->pos);
	t->kind = T_INT;
	lx->pos = i;
}

/* Tokens after which a value ends, so that a '-' is a binary minus. */
static bool ends_value(int kind)
{
	return kind == T_IDENT || kind == T_INT || kind == T_ERRNO ||
	       kind == T_STR || kind == T_RPAREN || kind == T_RBRACK ||
	       kind == T_WORD;
}

/* `-ENAME` where a value starts and ENAME is an errno name. */
static bool lex_errno(struct scn__lexer *lx, struct scn__tok *t)
{
	size_t i = lx->pos + 1, n;
	char name[32];
	int e;

	if (ends_value(lx->prev) || i >= lx->len || lx->src[i] != 'E')
		return false;
	while (i < lx->len && is_ident_char((unsigned char)lx->src[i]))
		i++;
	n = i - lx->pos - 1;
	if (n >= sizeof(name))
		return false;
	memcpy(name, lx->src + lx->pos + 1, n);
	name[n] = 0;
	e = span_errno_lookup(name);
	if (e <= 0)
		return false;
	t->kind = T_ERRNO;
	t->v = -(int64_t)e;
	lx->pos = i;
	return true;
}

/* Two-character operators, then one-character ones. */
static const struct {
	char s[3];
	int kind;
} puncts[] = {
	{ "->", T_ARROW },  { "..", T_DOTDOT }, { "==", T_EQ },
	{ "!=", T_NE },	    { "<=", T_LE },	{ ">=", T_GE },
	{ "&&", T_ANDAND }, { "||", T_OROR },	{ "+", T_PLUS },
	{ "-", T_MINUS },   { "*", T_STAR },	{ "/", T_SLASH },
	{ "%", T_PERCENT }, { "(", T_LPAREN },	{ ")", T_RPAREN },
	{ "[", T_LBRACK },  { "]", T_RBRACK },	{ ",", T_COMMA },
	{ ".", T_DOT },	    { "<", T_LT },	{ ">", T_GT },
	{ "!", T_NOT },	    { "=", T_ASSIGN },	{ ":", T_COLON },
};

const char *scn__tok_spelling(int kind)
{
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++)
		if (puncts[i].kind == kind)
			return puncts[i].s;
	return "?";
}

static void lex_token(struct scn__lexer *lx, struct scn__tok *t, bool word)
{
	const char *s = lx->src;
	unsigned char c;

	skip_blanks(lx);
	memset(t, 0, sizeof(*t));
	t->start = lx->pos;
	t->line = lx->line;
	t->col = col_of(lx, lx->pos);
	if (lx->pos >= lx->len) {
		t->kind = T_EOF;
		goto out;
	}
	c = (unsigned char)s[lx->pos];
	if (c == '\n') {
		t->kind = T_EOL;
		lx->pos++;
		lx->line++;
		lx->line_start = lx->pos;
		goto out;
	}
	if (word && is_word_char(c)) {
		while (lx->pos < lx->len &&
		       is_word_char((unsigned char)s[lx->pos]))
			lx->pos++;
		t->kind = T_WORD;
		goto out;
	}
	if (is_alpha(c)) {
		while (lx->pos < lx->len &&
		       is_ident_char((unsigned char)s[lx->pos]))
			lx->pos++;
		t->kind = T_IDENT;
		goto out;
	}
	if (is_digit(c)) {
		lex_number(lx, t);
		goto out;
	}
	if (c == '"') {
		lex_string(lx, t);
		goto out;
	}
	if (c == '-' && lex_errno(lx, t))
		goto out;
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		size_t n = strlen(puncts[i].s);

		if (lx->pos + n <= lx->len &&
		    !memcmp(s + lx->pos, puncts[i].s, n)) {
			t->kind = puncts[i].kind;
			lx->pos += n;
			goto out;
		}
	}
	bad_byte(lx, lx->pos);
out:
	t->end = lx->pos;
	lx->prev = t->kind;
}

void scn__lex_next(struct scn__lexer *lx, struct scn__tok *t)
{
	lex_token(lx, t, false);
}

void scn__lex_word(struct scn__lexer *lx, struct scn__tok *t)
{
	lex_token(lx, t, true);
}
