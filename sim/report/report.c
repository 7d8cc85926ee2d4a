// SPDX-License-Identifier: MIT
/*
 * report.c - what a run prints at its end: text for people, JSON for
 * programs, and a Graphviz ownership graph.
 *
 * Not a kernel file.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/*
 * Print bytes as a string: JSON's escapes, or C-like ones with long
 * strings abbreviated.  Escaped into a buffer and written in pieces: a
 * byte at a time through stdio (a formatted write per zero byte of a
 * loaded page) was most of the time of a report.
 */
static void put_str(FILE *out, const char *p, size_t n, bool json)
{
	static const char hex[] = "0123456789abcdef";
	size_t shown = n > 64 && !json ? 48 : n, k = 0;
	char buf[512];

	buf[k++] = '"';
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)p[i];

		if (k > sizeof(buf) - 8) {
			fwrite(buf, 1, k, out);
			k = 0;
		}
		if (c == '"' || c == '\\' || c == '\n' || c == '\t') {
			buf[k++] = '\\';
			buf[k++] = c == '\n' ? 'n' : c == '\t' ? 't' : (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			/* as "\\u%04x" (JSON) or "\\x%02x" would */
			buf[k++] = '\\';
			if (json) {
				buf[k++] = 'u';
				buf[k++] = '0';
				buf[k++] = '0';
			} else {
				buf[k++] = 'x';
			}
			buf[k++] = hex[c >> 4];
			buf[k++] = hex[c & 15];
		} else {
			buf[k++] = (char)c;
		}
	}
	buf[k++] = '"';
	fwrite(buf, 1, k, out);
	if (shown < n)
		fprintf(out, "... (%zu bytes)", n);
}

void report_json_bytes(FILE *out, const char *p, size_t n)
{
	put_str(out, p, n, true);
}

void report_json_string(FILE *out, const char *s)
{
	if (!s)
		fputs("null", out);
	else
		put_str(out, s, strlen(s), true);
}

static void put_policy(FILE *out, const struct scn *s)
{
	int any = 0;

	for (int k = 0; k < SPAN_NR_KNOBS; k++) {
		if (!s->policy.v[k])
			continue;
		fprintf(out, "%s%s=%s", any++ ? " " : "", span_knob_name(k),
			span_knob_value_name(k, s->policy.v[k]));
	}
	if (!any)
		fputs("mainline defaults (linux-6.18)", out);
}

void report_text(struct run *r, FILE *out)
{
	const struct scn *s = run_scn(r);
	const struct span_violation *v = run_violation(r);
	struct span_world *w = run_world(r);
	bool pass = run_passed(r);
	uint64_t b_step;
	int b = run_always_broken(r, &b_step);	/* always/never */

	fprintf(out, "\nend: %s after %" PRIu64 " steps\n",
		run_status_name(run_status(r)), run_nr_steps(r));
	if (run_status(r) == RUN_ERROR || run_status(r) == RUN_BAD_SCHEDULE)
		fprintf(out, "  %s\n", run_error(r));
	/* the data every reader saw */
	fputs("data:\n", out);
	for (int i = 0; i < s->nr_syms; i++) {
		const struct scn_sym *sym = &s->syms[i];

		if (sym->kind != SCN_SYM_VAR)
			continue;
		for (int64_t j = 0, shown = 0; j < run_var_count(r, i); j++) {
			const struct scn_str *d = run_var(r, i, j);

			if (!d)
				continue;
			if (sym->indexed && ++shown > 8 &&
			    j < run_var_count(r, i) - 2) {
				if (shown == 9)
					fprintf(out, "  ... (%d elements)\n",
						run_var_count(r, i));
				continue;
			}
			if (sym->indexed)
				fprintf(out, "  %s[%" PRId64 "] = ", sym->name, j);
			else
				fprintf(out, "  %s = ", sym->name);
			put_str(out, d->data, d->len, false);
			fputc('\n', out);
		}
	}
	/* labels */
	for (int i = 0; i < s->nr_syms; i++) {
		int64_t val;
		uint64_t step;

		if (s->syms[i].kind != SCN_SYM_LABEL)
			continue;
		if (!run_label(r, i, &val, &step)) {
			fprintf(out, "  %s: never completed\n", s->syms[i].name);
			continue;
		}
		if (val < 0 && span_errname((int)val))
			fprintf(out, "  %s = -%s (step %" PRIu64 ")\n",
				s->syms[i].name, span_errname((int)val), step);
		else
			fprintf(out, "  %s = %" PRId64 " (step %" PRIu64 ")\n",
				s->syms[i].name, val, step);
	}
	/* owners and when their destructors ran */
	for (int i = 0; i < s->nr_syms; i++) {
		struct span_owner_info oi;
		int64_t id;

		if (s->syms[i].kind != SCN_SYM_OWNER)
			continue;
		if (run_obj(r, i, 0, &id) || !id ||
		    span_owner_info(w, (int)id, &oi)) {
			fprintf(out, "owner %s: never created\n", s->syms[i].name);
			continue;
		}
		if (oi.destructed)
			fprintf(out, "owner %s: destructor ran at step %" PRIu64
				" (%u time%s)\n", s->syms[i].name,
				oi.destructed_at, oi.destructed,
				oi.destructed > 1 ? "s" : "");
		else
			fprintf(out, "owner %s: not destructed, %" PRIu64
				" bytes held, refcount %" PRId64 "\n",
				s->syms[i].name, oi.held_bytes, oi.refcount);
	}
	fputs("invariants: ", out);
	if (v)
		fprintf(out, "%s at step %" PRIu64 " in %s: %s\n",
			span_invariant_name(v->inv), v->step,
			v->func ? v->func : "?", v->msg);
	else if (run_status(r) == RUN_DONE || run_status(r) == RUN_DEADLOCK)
		fputs("all held\n", out);
	else
		fputs("not checked to the end\n", out);
	if (s->violation >= 0)
		fprintf(out, "expect violation %s ... %s\n",
			span_invariant_name(s->violation),
			pass ? "ok (it broke as stated)" : "FAILED");
	for (int i = 0; i < s->nr_expects; i++) {
		const struct cond_result *c = &run_expects(r)[i];
		bool evaluated = run_status(r) == RUN_DONE ||
				 run_status(r) == RUN_DEADLOCK;

		fprintf(out, "expect %s ... %s\n", s->expects[i].text,
			!evaluated ? "not evaluated" :
			c->error ? "ERROR (cannot evaluate)" :
			c->value ? "ok" : "FAILED");
	}
	for (int i = 0; i < s->nr_always; i++) {
		fprintf(out, "%s %s ... ", s->always[i].never ? "never" : "always",
			s->always[i].text);
		if (b == i)
			fprintf(out, "FAILED at step %" PRIu64 "\n", b_step);
		else if (b >= 0)
			fputs("not checked after the first failure\n", out);
		else
			fputs("ok in every state\n", out);
	}
	for (int i = 0; i < s->nr_exists; i++) {
		const struct cond_result *c = &run_exists(r)[i];
		bool evaluated = run_status(r) == RUN_DONE ||
				 run_status(r) == RUN_DEADLOCK;

		fprintf(out, "exists %s ... %s\n", s->exists[i].text,
			!evaluated ? "not evaluated" :
			c->error ? "cannot evaluate" :
			c->value ? "yes, in this run" : "not in this run");
	}
	fprintf(out, "policy: ");
	put_policy(out, s);
	fputc('\n', out);
	if (run_design_desc(r))
		fprintf(out, "design: %s\n", run_design_desc(r));
	fprintf(out, "schedule: %s\n", run_schedule(r));
	fprintf(out, "reproduce: %s --schedule '%s'\n", run_cmdline(r),
		run_schedule(r));
	fprintf(out, "result: %s\n", pass ? "PASS" : "FAIL");
}

void report_json(struct run *r, FILE *out)
{
	const struct scn *s = run_scn(r);
	const struct span_violation *v = run_violation(r);
	bool evaluated = run_status(r) == RUN_DONE || run_status(r) == RUN_DEADLOCK;
	int first = 1;
	uint64_t b_step;
	int b = run_always_broken(r, &b_step);	/* always/never */

	fprintf(out, "{\"summary\":{\"schema\":1,\"scenario\":");
	put_str(out, s->name, strlen(s->name), true);
	fprintf(out, ",\"status\":\"%s\",\"steps\":%" PRIu64 ",\"pass\":%s,",
		run_status_name(run_status(r)), run_nr_steps(r),
		run_passed(r) ? "true" : "false");
	fprintf(out, "\"schedule\":");
	put_str(out, run_schedule(r), strlen(run_schedule(r)), true);
	fputs(",\"policy\":{", out);
	for (int k = 0; k < SPAN_NR_KNOBS; k++)
		fprintf(out, "%s\"%s\":\"%s\"", k ? "," : "", span_knob_name(k),
			span_knob_value_name(k, s->policy.v[k]));
	fputc('}', out);
	if (run_design_desc(r)) {
		fputs(",\"design\":", out);
		report_json_string(out, run_design_desc(r));
	}
	fputs(",\"violation\":", out);
	if (v) {
		fprintf(out, "{\"name\":\"%s\",\"step\":%" PRIu64 ",\"func\":",
			span_invariant_name(v->inv), v->step);
		put_str(out, v->func ? v->func : "", v->func ? strlen(v->func) : 0,
			true);
		fputs(",\"msg\":", out);
		put_str(out, v->msg, strlen(v->msg), true);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	if (run_status(r) == RUN_ERROR) {
		fputs(",\"error\":", out);
		put_str(out, run_error(r), strlen(run_error(r)), true);
	}
	fputs(",\"data\":{", out);
	for (int i = 0; i < s->nr_syms; i++) {
		if (s->syms[i].kind != SCN_SYM_VAR)
			continue;
		for (int64_t j = 0; j < run_var_count(r, i); j++) {
			const struct scn_str *d = run_var(r, i, j);

			if (!d)
				continue;
			if (s->syms[i].indexed)
				fprintf(out, "%s\"%s[%" PRId64 "]\":", first ? "" : ",",
					s->syms[i].name, j);
			else
				fprintf(out, "%s\"%s\":", first ? "" : ",",
					s->syms[i].name);
			first = 0;
			put_str(out, d->data, d->len, true);
		}
	}
	fputs("},\"labels\":{", out);
	first = 1;
	for (int i = 0; i < s->nr_syms; i++) {
		int64_t val;
		uint64_t step;

		if (s->syms[i].kind != SCN_SYM_LABEL ||
		    !run_label(r, i, &val, &step))
			continue;
		fprintf(out, "%s\"%s\":{\"value\":%" PRId64 ",\"step\":%" PRIu64 "}",
			first ? "" : ",", s->syms[i].name, val, step);
		first = 0;
	}
	fputs("},\"expect\":[", out);
	for (int i = 0; i < s->nr_expects; i++) {
		fprintf(out, "%s{\"cond\":", i ? "," : "");
		put_str(out, s->expects[i].text, strlen(s->expects[i].text), true);
		fprintf(out, ",\"holds\":%s}",
			!evaluated ? "null" : run_expects(r)[i].value ? "true" : "false");
	}
	fputs("],\"always\":[", out);
	for (int i = 0; i < s->nr_always; i++) {
		fprintf(out, "%s{\"kind\":\"%s\",\"cond\":", i ? "," : "",
			s->always[i].never ? "never" : "always");
		put_str(out, s->always[i].text, strlen(s->always[i].text), true);
		if (b == i)
			fprintf(out, ",\"holds\":false,\"step\":%" PRIu64 "}", b_step);
		else
			fprintf(out, ",\"holds\":%s}", b >= 0 ? "null" : "true");
	}
	fputs("],\"exists\":[", out);
	for (int i = 0; i < s->nr_exists; i++) {
		fprintf(out, "%s{\"cond\":", i ? "," : "");
		put_str(out, s->exists[i].text, strlen(s->exists[i].text), true);
		fprintf(out, ",\"holds\":%s}",
			!evaluated ? "null" : run_exists(r)[i].value ? "true" : "false");
	}
	fputs("]}}\n", out);
}

/* --- the ownership graph ---------------------------------------------------- */

static const char *flag_names(uint32_t f, char *buf, size_t n)
{
	static const char *const names[] = { "LRU", "ATOMIC", "GIFT", "PACKET",
					     "CAN_MERGE", "WHOLE" };
	size_t k = 0;

	buf[0] = 0;
	for (int i = 0; i < 6; i++)
		if (f & (1u << i))
			k += (size_t)snprintf(buf + k, n > k ? n - k : 0, "%s%s",
					      k ? "|" : "", names[i]);
	return buf;
}

/* --- the network part of the ownership graph ----------------------------- */

static const char *const sq_names[] = { "write", "rtx", "recv", "on lo" };
static const char *const frag_ref_names[] = { "ref", "pin", "none" };

static const char *skbfl_names(uint32_t f, char *buf, size_t n)
{
	static const char *const names[] = { "ZEROCOPY", "SHARED_FRAG", "PURE",
					     "DONT_ORPHAN", "MANAGED" };
	size_t k = 0;

	buf[0] = 0;
	for (int i = 0; i < 5; i++)
		if (f & (1u << i))
			k += (size_t)snprintf(buf + k, n > k ? n - k : 0, "%s%s",
					      k ? "+" : "", names[i]);
	return buf;
}

/* the scenario's name of socket @id, or NULL */
static const char *sock_name(struct run *r, int id, char *buf, size_t n)
{
	const struct scn *s = run_scn(r);

	for (int i = 0; i < s->nr_syms; i++) {
		const struct scn_sym *sym = &s->syms[i];

		if (sym->kind != SCN_SYM_SOCK)
			continue;
		for (int64_t j = 0; j < (sym->size > 0 ? sym->size : 1); j++) {
			int64_t oid;

			if (run_obj(r, i, j, &oid) || oid != id)
				continue;
			if (sym->size > 0)
				snprintf(buf, n, "%s[%" PRId64 "]", sym->name, j);
			else
				snprintf(buf, n, "%s", sym->name);
			return buf;
		}
	}
	return NULL;
}

/*
 * Sockets with their queues, every live skb (on a queue, on lo, or held),
 * one node per skb_shared_info (clones point at the same one) with its frags
 * as edges to pages labelled by what they hold (ref, pin, none), the ubuf
 * (MSG_ZEROCOPY) and the owner reference (kmem_send=desc).
 */
static void dot_net(struct run *r, FILE *out)
{
	struct span_world *w = run_world(r);
	char name[128], fl[96];
	uint32_t shown_sh[256];
	int nr_sh = 0;

	for (int id = 1;; id++) {
		struct span_sock_info si;
		int err = span_sock_info(w, id, &si);

		if (err == -EINVAL)
			break;
		if (err)
			continue;
		fprintf(out, "\tsock%d [shape=component, label=\"socket %s#%d %s%s%s\\nunread %" PRIu64 "%s\"];\n",
			id, sock_name(r, id, name, sizeof(name)) ?
				    name : "", id,
			si.family == SPAN_SOCK_TCP ? "TCP" : "AF_UNIX",
			si.zerocopy ? " SO_ZEROCOPY" : "",
			si.dead ? " dead" : (si.open ? "" : " closed"),
			si.bytes[SPAN_SQ_RECEIVE],
			si.family == SPAN_SOCK_TCP && si.bytes[SPAN_SQ_RTX] ?
				"\\nunacked" : "");
		if (si.peer && si.peer > (uint32_t)id)
			fprintf(out, "\tsock%d -> sock%u [dir=both, style=dotted, label=\"peer\"];\n",
				id, si.peer);
		if (si.pfrag_page)
			fprintf(out, "\tsock%d -> page%d [label=\"page_frag\"];\n",
				id, si.pfrag_page);
	}
	for (int id = 1;; id++) {
		struct span_skb_info k;
		bool seen = false;
		int err = span_skb_info(w, id, &k);

		if (err == -EINVAL)
			break;
		if (err)
			continue;
		fprintf(out, "\tskb%d [shape=box, style=rounded, label=\"skb#%d len %u%s\\nusers %d%s%s\"];\n",
			id, id, k.len, k.consumed ? " (part read)" : "",
			k.users, k.cloned ? " cloned" : "", k.fin ? " FIN" : "");
		if (k.where <= SPAN_SQ_IN_FLIGHT)
			fprintf(out, "\tsock%u -> skb%d [label=\"%s\"];\n",
				k.where_sock, id, sq_names[k.where]);
		if (!k.shinfo)
			continue;
		fprintf(out, "\tskb%d -> shinfo%u;\n", id, k.shinfo);
		for (int i = 0; i < nr_sh; i++)
			seen |= shown_sh[i] == k.shinfo;
		if (seen)
			continue;
		if (nr_sh < (int)(sizeof(shown_sh) / sizeof(shown_sh[0])))
			shown_sh[nr_sh++] = k.shinfo;
		fprintf(out, "\tshinfo%u [shape=record, label=\"shinfo#%u|dataref %d|%s\"];\n",
			k.shinfo, k.shinfo, k.dataref,
			k.flags ? skbfl_names(k.flags, fl, sizeof(fl)) : "-");
		if (k.head_page)
			fprintf(out, "\tshinfo%u -> page%d [label=\"head %s\"];\n",
				k.shinfo, k.head_page,
				k.head_frag ? "ref" : "kmalloc");
		for (uint32_t f = 0; f < k.nr_frags; f++)
			fprintf(out, "\tshinfo%u -> page%d [label=\"%s off %u len %u\"%s];\n",
				k.shinfo, k.frags[f].page,
				k.frags[f].ref >= 0 && k.frags[f].ref <= 2 ?
					frag_ref_names[k.frags[f].ref] : "?",
				k.frags[f].offset, k.frags[f].len,
				k.frags[f].ref == SPAN_FRAG_REF_NONE ?
					", style=dashed" : "");
		if (k.ubuf)
			fprintf(out, "\tshinfo%u -> ubuf%u [label=\"ref\"];\n",
				k.shinfo, k.ubuf);
		if (k.owner)
			fprintf(out, "\tshinfo%u -> owner%u [label=\"ref\"];\n",
				k.shinfo, k.owner);
	}
	for (int id = 1;; id++) {
		struct span_ubuf_view u;
		int err = span_ubuf_info(w, id, &u);

		if (err == -EINVAL)
			break;
		if (err)
			continue;
		fprintf(out, "\tubuf%d [shape=octagon, label=\"ubuf#%d ids %u-%u\\nrefcnt %d%s\"];\n",
			id, id, u.id, u.id + u.len - 1, u.refcnt,
			u.zerocopy ? "" : " copied");
		fprintf(out, "\tubuf%d -> sock%u [style=dotted, label=\"notifies\"];\n",
			id, u.sk);
	}
}

int report_dot(struct run *r, FILE *out)
{
	const struct scn *s = run_scn(r);
	struct span_world *w = run_world(r);
	char fl[64];

	fprintf(out, "digraph spansim {\n\trankdir=LR;\n\tnode [fontname=\"monospace\", fontsize=10];\n");
	fprintf(out, "\tlabel=\"%s at step %" PRIu64 "\";\n", s->name,
		span_world_step(w));
	for (int page = 1; page < 1 << 20; page++) {
		struct span_page_info pi;

		if (span_page_info(w, page, &pi)) {
			if (page > 64)
				break;
			continue;
		}
		if (pi.kind == SPAN_PAGE_FREE)
			continue;
		fprintf(out, "\tpage%d [shape=box, label=\"page#%d %s\\nref %" PRId64
			" pin %" PRId64 " map %" PRId64 "%s\"];\n", page, page,
			span_page_kind_name(pi.kind), pi.refcount, pi.pincount,
			pi.mapcount, pi.anon_exclusive ? "\\nAnonExclusive" : "");
		if (pi.owner)
			fprintf(out, "\towner%u -> page%d [style=dashed, label=\"owns\"];\n",
				pi.owner, page);
	}
	for (int i = 0; i < s->nr_syms; i++) {
		const struct scn_sym *sym = &s->syms[i];

		for (int64_t j = 0; j < (sym->size > 0 ? sym->size : 1); j++) {
			int64_t id;
			char name[128];

			if (run_obj(r, i, j, &id) || !id)
				continue;
			if (sym->size > 0)
				snprintf(name, sizeof(name), "%s[%" PRId64 "]",
					 sym->name, j);
			else
				snprintf(name, sizeof(name), "%s", sym->name);
			if (sym->kind == SCN_SYM_OWNER) {
				struct span_owner_info oi;

				if (span_owner_info(w, (int)id, &oi))
					continue;
				fprintf(out, "\towner%" PRId64 " [shape=hexagon, label=\"owner %s\\nref %" PRId64 "%s\"];\n",
					id, name, oi.refcount,
					oi.destructed ? "\\ndestructed" : "");
			} else if (sym->kind == SCN_SYM_PIPE) {
				struct span_pipe_info pi;

				if (span_pipe_info(w, (int)id, &pi))
					continue;
				fprintf(out, "\tpipe%" PRId64 " [shape=record, label=\"pipe %s|head %u tail %u|%" PRIu64 " bytes\"];\n",
					id, name, pi.head, pi.tail, pi.bytes);
				for (uint32_t k = pi.tail; k != pi.head; k++) {
					struct span_pipe_buf_info b;

					span_pipe_buf(w, (int)id, k, &b);
					fprintf(out, "\tbuf%" PRId64 "_%u [shape=note, label=\"%s\\noff %u len %u %s\"];\n",
						id, k, span_pipe_buf_ops_name(b.ops),
						b.offset, b.len,
						flag_names(b.flags, fl, sizeof(fl)));
					fprintf(out, "\tpipe%" PRId64 " -> buf%" PRId64 "_%u;\n",
						id, id, k);
					if (b.ops == SPAN_PBO_OWNER)
						fprintf(out, "\tbuf%" PRId64 "_%u -> owner%u [label=\"ref\"];\n",
							id, k, b.priv);
					else if (b.page)
						fprintf(out, "\tbuf%" PRId64 "_%u -> page%d [label=\"%s\"];\n",
							id, k, b.page,
							b.ops == SPAN_PBO_USER_PIN ? "pin" :
							b.ops == SPAN_PBO_DESC ? "desc" : "ref");
				}
			} else if (sym->kind == SCN_SYM_MEM) {
				int pid = 0;
				int64_t size = span_region_size(w, (int)id);
				uint64_t ps = span_world_param(w, SPAN_PARAM_PAGE_SIZE);

				for (int p = 0; p < s->nr_processes; p++) {
					pid = run_pid(r, p);
					if (!pid)
						continue;
					for (int64_t off = 0; off < size; off += (int64_t)ps) {
						int page = span_region_page(w, pid, (int)id,
									    (uint64_t)off);

						if (page > 0 && page != span_zero_page(w))
							fprintf(out, "\t\"%s@%s\" -> page%d [label=\"pte\"];\n",
								name, s->processes[p].name, page);
					}
				}
			}
		}
	}
	dot_net(r, out);
	fputs("}\n", out);
	return 0;
}
