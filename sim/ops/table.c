// SPDX-License-Identifier: MIT
/*
 * ops/table.c - op_table[]: ops.def as data.
 *
 * Not a kernel file.
 */
#include <stdio.h>
#include <string.h>

#include "ops/ops.h"

const struct op_desc op_table[SCN_NR_OPS] = {
#define OP(id, fn, ...)                                          \
	[SCN_OP_##id] = { __VA_ARGS__, .model = op_##fn##_model, \
			  .kernel = op_##fn##_kernel },
#include "ops.def"
#undef OP
};

const struct op_desc *op_desc(int kind)
{
	if (kind < 0 || kind >= SCN_NR_OPS)
		return NULL;
	return &op_table[kind];
}

int op_lookup(const char *name, size_t len)
{
	for (int k = 0; k < SCN_NR_OPS; k++)
		if (strlen(op_table[k].name) == len &&
		    !memcmp(op_table[k].name, name, len))
			return k;
	return -1;
}

/* the upper-case name of an operand of symbol kinds @kinds */
static const char *kinds_word(unsigned int kinds)
{
	static const struct {
		unsigned int kinds;
		const char *word;
	} words[] = {
		{ FD_KINDS, "FD" },
		{ KIND(MEM) | KIND(KMEM), "MEM|KMEM" },
		{ KIND(MEM), "MEM" },
		{ KIND(PIPE), "PIPE" },
		{ KIND(FILE), "FILE" },
		{ KIND(SOCK), "SOCK" },
		{ KIND(PROCESS), "CHILD" },
		{ KIND(OWNER), "OWNER" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].kinds == kinds)
			return words[i].word;
	return "OBJ";
}

void op_signature(const struct op_desc *d, char *buf, size_t n)
{
	static const char *const ints[][4] = {
		[SCN_OP_MEM] = { "SIZE" },
		[SCN_OP_KMEM] = { "SIZE" },
		[SCN_OP_FILE] = { "SIZE" },
		[SCN_OP_STORE] = { "OFF" },
		[SCN_OP_LOAD] = { "OFF", "LEN" },
		[SCN_OP_PWRITE] = { "OFF" },
		[SCN_OP_PIPE] = { "SIZE" },
		[SCN_OP_PIPE_SIZE] = { "SIZE" },
		[SCN_OP_READ] = { "LEN" },
		[SCN_OP_VMSPLICE] = { "OFF", "LEN" },
		[SCN_OP_SPLICE] = { "LEN" },
		[SCN_OP_TEE] = { "LEN" },
		[SCN_OP_RECV] = { "LEN" },
		[SCN_OP_DECRYPT] = { "LEN" },
		[SCN_OP_LSEEK] = { "OFF" },
	};
	int kind = (int)(d - op_table), nobj = 0, nint = 0, ndecl = 0;
	size_t k = 0;

#define PUT(...)                                                            \
	do {                                                                \
		if (k < n)                                                  \
			k += (size_t)snprintf(buf + k, n - k, __VA_ARGS__); \
	} while (0)
	if (n)
		buf[0] = 0;
	PUT("%s", d->name);
	for (const char *c = d->sig; *c; c++) {
		const char *iw = nint < 4 && kind < (int)(sizeof(ints) /
							  sizeof(ints[0])) ?
					 ints[kind][nint] :
					 NULL;

		switch (*c) {
		case 'D':
			PUT(" %s", d->decl == SCN_SYM_SOCK ?
					   (ndecl++ ? "B" : "A") :
					   "NAME");
			break;
		case 'o':
			PUT(" %s", kinds_word(d->obj[nobj < 2 ? nobj : 1]));
			nobj++;
			break;
		case 'i':
			PUT(" %s", iw ? iw : "INT");
			nint++;
			break;
		case '?':
			PUT(" [%s]", iw ? iw : "INT");
			nint++;
			break;
		case 's':
			PUT(" STR");
			break;
		case 'd':
			PUT(" DATA");
			break;
		case 'w':
			for (int i = 0; d->words && d->words[i]; i++)
				PUT("%s%s", i ? "|" : " ", d->words[i]);
			break;
		}
	}
	for (int i = 0; i < SCN_NR_MODS; i++) {
		const char *mn = scn_mod_name(1u << i);

		if (!(d->mods & (1u << i)) || !mn)
			continue;
		if ((1u << i) == SCN_MOD_FILL)
			PUT(" [fill STR]");
		else if ((1u << i) == SCN_MOD_OWNER)
			PUT(" [owner OWNER]");
		else if ((1u << i) == SCN_MOD_OFF)
			PUT(" [off N]");
		else
			PUT(" [%s]", mn);
	}
	if (d->result)
		PUT(" -> VAR");
#undef PUT
}
