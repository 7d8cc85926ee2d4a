// SPDX-License-Identifier: MIT
/*
 * list.c - `spansim list ops|knobs|presets|designs|invariants|params`: the names a
 * scenario can use, each with one line on what it is.
 *
 * Not a kernel file.  Everything printed here comes from the tables the
 * parser and the model read (sim/ops/ops.def, lib/policy.c, lib/check.c,
 * lib/world.c), so the lists cannot drift from what is accepted.
 */
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "ops/ops.h"
#include "span/check.h"
#include "span/design.h"
#include "span/policy.h"
#include "span/world.h"

static void list_ops(FILE *out)
{
	char sig[256];

	for (int k = 0; k < SCN_NR_OPS; k++) {
		const struct op_desc *d = &op_table[k];

		op_signature(d, sig, sizeof(sig));
		fprintf(out, "%s\n", sig);
		fprintf(out, "    %s\n", d->doc);
		fprintf(out, "    models: %s\n", d->kfunc);
		fprintf(out, "    family: %s%s%s\n", d->family,
			(d->flags & OPF_BLOCKS) ? "; may block" : "",
			(d->flags & OPF_NET) ? "; needs the network model" : "");
		if (d->kskip)
			fprintf(out, "    live kernel: not run (%s)\n", d->kskip);
		else
			fprintf(out, "    live kernel: %s%s%s\n", d->syscall,
				d->kskip_mods ? "; not run with " : "",
				d->kskip_mods ? scn_mod_name(d->kskip_mods) : "");
	}
}

static void list_knobs(FILE *out)
{
	for (int k = 0; k < SPAN_NR_KNOBS; k++) {
		fprintf(out, "%-16s", span_knob_name(k));
		for (int v = 0; v < span_knob_nr_values(k); v++)
			fprintf(out, "%s%s", v ? " | " : "",
				span_knob_value_name(k, v));
		fprintf(out, "%s\n    %s\n",
			span_knob_is_host(k) == 1 ? "  (host knob)" : "",
			span_knob_doc(k));
	}
}

static void list_presets(FILE *out)
{
	for (int i = 0; span_preset_name(i); i++) {
		struct span_policy p;
		int any = 0;

		span_policy_preset(&p, span_preset_name(i));
		fprintf(out, "%-24s %s\n    ", span_preset_name(i),
			span_preset_doc(i));
		for (int k = 0; k < SPAN_NR_KNOBS; k++)
			if (p.v[k])
				fprintf(out, "%s%s=%s", any++ ? " " : "",
					span_knob_name(k),
					span_knob_value_name(k, p.v[k]));
		fprintf(out, "%s\n", any ? "" : "(all defaults)");
	}
}

static void list_designs(FILE *out)
{
	const char *name;

	for (int i = 0; (name = span_design_builtin_name(i)); i++)
		fprintf(out, "%-24s %s\n", name,
			span_design_builtin(name)->doc);
	fprintf(out, "(a plugin: --design ./FILE.so, built against span/design.h; docs/designs.md)\n");
}

static void list_params(FILE *out)
{
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		fprintf(out, "%-22s %s\n    %s\n", span_param_name(p),
			span_param_range(p), span_param_doc(p));
}

static void list_invariants(FILE *out)
{
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		fprintf(out, "%-22s %s\n", span_invariant_name(i),
			span_invariant_doc(i));
}

int list_names(const char *what, FILE *out)
{
	static const struct {
		const char *name;
		void (*fn)(FILE *out);
	} lists[] = {
		{ "ops", list_ops },
		{ "knobs", list_knobs },
		{ "presets", list_presets },
		{ "designs", list_designs },
		{ "invariants", list_invariants },
		{ "params", list_params },
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (strcmp(what, lists[i].name))
			continue;
		lists[i].fn(out);
		return 0;
	}
	return -1;
}
