// SPDX-License-Identifier: MIT
/*
 * test_difffuzz_gen.c - the program generator of `spansim kernel --fuzz`
 * (sim/kernel/fuzz.c, kfuzz_gen()).
 *
 * The generator reads the operation table: every operation of ops.def
 * that the live kernel can run (.kskip NULL) must appear in a few
 * hundred programs, and no other one may, without the generator naming
 * any operation.  A new OP() entry is covered here without editing
 * either file.  Every program must parse, and the same seed and index
 * must give the same text.
 */
#include <stdlib.h>

#include "span_unit.h"

#include "sim/kernel/kfuzz.h"
#include "sim/lang/scn.h"
#include "sim/ops/ops.h"

#define PROGRAMS 600

static void count_ops(const struct scn_body *b, int *seen)
{
	for (int i = 0; i < b->nr; i++) {
		const struct scn_stmt *st = &b->stmts[i];

		if (st->kind == SCN_STMT_FOR)
			count_ops(&st->loop.body, seen);
		else
			seen[st->op.kind]++;
	}
}

static void test_every_runnable_op_generated(void **state)
{
	int seen[SCN_NR_OPS] = { 0 };
	int mods[SCN_NR_OPS] = { 0 };

	(void)state;
	for (uint64_t i = 0; i < PROGRAMS; i++) {
		char *text = kfuzz_gen(1, i, 12, 4096, NULL);
		struct scn *s = NULL;
		struct scn_error e;

		assert_non_null(text);
		if (scn_parse_string("gen", text, strlen(text), NULL, &s, &e)) {
			char buf[512];

			scn_error_format(&e, buf, sizeof(buf));
			fail_msg("program %d does not parse: %s\n%s", (int)i, buf,
				 text);
		}
		for (int t = 0; t < s->nr_threads; t++)
			count_ops(&s->threads[t].body, seen);
		for (int t = 0; t < s->nr_threads; t++)
			for (int k = 0; k < s->threads[t].body.nr; k++)
				if (s->threads[t].body.stmts[k].kind ==
				    SCN_STMT_OP)
					mods[s->threads[t].body.stmts[k].op.kind] |=
						(int)s->threads[t].body.stmts[k].op.mods;
		scn_free(s);
		free(text);
	}
	for (int k = 0; k < SCN_NR_OPS; k++) {
		const struct op_desc *d = &op_table[k];

		if (d->kskip) {
			assert_int_equal(seen[k], 0);
			continue;
		}
		if (!seen[k])
			fail_msg("operation '%s' never generated in %d programs",
				 d->name, PROGRAMS);
		/* every modifier it can run, too (the table's .mods) */
		for (int m = 0; m < SCN_NR_MODS; m++) {
			unsigned int bit = 1u << m;

			if (!(d->mods & bit) || (d->kskip_mods & bit) ||
			    scn_mod_arg(bit) == SCN_MODARG_DECL)
				continue;
			if (!(mods[k] & (int)bit))
				fail_msg("'%s' never generated with '%s'",
					 d->name, scn_mod_name(bit));
		}
		assert_false(mods[k] & (int)d->kskip_mods);
	}
}

static void test_deterministic(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < 20; i++) {
		char *a = kfuzz_gen(7, i, 12, 4096, NULL);
		char *b = kfuzz_gen(7, i, 12, 4096, NULL);
		char *c = kfuzz_gen(8, i, 12, 4096, NULL);

		assert_string_equal(a, b);
		assert_string_not_equal(a, c);
		free(a);
		free(b);
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_runnable_op_generated),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
