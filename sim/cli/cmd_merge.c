// SPDX-License-Identifier: MIT
/*
 * cmd_merge.c - `spansim merge`: the verdict of N shards of one search
 * (`spansim explore --shard I/N --json`), as if one process had run it.
 *
 * Each report names its search (the explore arguments that define it and
 * the scenario file's FNV-1a hash); merge parses the scenario again with
 * those arguments, adds the shards' results up (explore_result_merge())
 * and prints the summary `spansim explore` prints, with its exit statuses.
 * A shard that is missing or was incomplete makes the merge incomplete.
 * The state count is the union of the shards' fingerprint files
 * (--states-out) when every shard wrote one, else the sum of the counts,
 * an upper bound (the shared prefix is in every shard), and it says so.
 *
 * The JSON reader below reads what explore_report() writes: objects,
 * arrays, strings (the escapes json_str() writes), numbers, true, false,
 * null.
 */
#define _XOPEN_SOURCE 700	/* realpath */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "explore.h"

const char cli_usage_merge[] =
"usage: spansim merge REPORT.json... [--json] [--no-shrink]\n"
"\n"
"Joins the JSON reports of the shards of one search (`spansim explore FILE\n"
"--shard I/N --json [--states-out F]`, one per I in 1..N) into one verdict,\n"
"printed as `spansim explore` prints it: an expect fails if it failed in any\n"
"shard, an exists is seen if any shard saw it (Always/Never only when every\n"
"shard was complete), broken invariants are joined (the shortest witness\n"
"kept).  The reports must be of the same search (the same scenario file,\n"
"unchanged, and arguments; bounds such as --max-states may differ); the\n"
"scenario is read again, from the path the reports give.\n"
"\n"
"States: when every shard wrote --states-out, the number of distinct\n"
"fingerprints in those files (the files are found at the path a report\n"
"gives, or beside the report); otherwise the sum of the shards' counts, an\n"
"upper bound (the states near the start are searched by every shard).\n"
"\n"
"  --json       one JSON object, as explore --json, with a \"merge\" member\n"
"  --no-shrink  do not shrink counterexamples\n"
"\n"
"exit status: as explore: 0 every shard was there and complete and nothing\n"
"failed; 1 a counterexample or broken invariant; 2 usage errors, reports\n"
"that are not shards of one search; 4 a shard is missing or was incomplete\n"
"and nothing failed.\n";

/* --- a small JSON reader ----------------------------------------------------- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	int type;
	bool b;
	uint64_t u;	/* J_NUM: an unsigned integer part */
	double d;
	char *str;
	char **keys;	/* J_OBJ */
	struct jv *kids;
	int n;
};

struct jp {
	const char *p;
	int depth;
};

static void jv_free(struct jv *v)
{
	for (int i = 0; i < v->n; i++) {
		jv_free(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static int jstring(struct jp *j, char **out)
{
	size_t n = 0, cap = 16;
	char *s = malloc(cap);

	if (!s)
		return -ENOMEM;
	j->p++;	/* '"' */
	while (*j->p != '"') {
		char c = *j->p++;

		if (!c)
			goto bad;
		if (c == '\\') {
			c = *j->p++;
			if (c == 'u') {
				unsigned int x;

				if (sscanf(j->p, "%4x", &x) != 1 || x > 0x7f)
					goto bad;
				c = (char)x;
				j->p += 4;
			} else if (c == 'n') {
				c = '\n';
			} else if (c == 't') {
				c = '\t';
			} else if (c != '"' && c != '\\' && c != '/') {
				goto bad;
			}
		}
		if (n + 2 > cap) {
			char *ns = realloc(s, cap * 2);

			if (!ns) {
				free(s);
				return -ENOMEM;
			}
			s = ns;
			cap *= 2;
		}
		s[n++] = c;
	}
	j->p++;
	s[n] = 0;
	*out = s;
	return 0;
bad:
	free(s);
	return -EINVAL;
}

static int jvalue(struct jp *j, struct jv *v);

/* the members of an object or the elements of an array */
static int jlist(struct jp *j, struct jv *v, bool obj)
{
	char close = obj ? '}' : ']';
	int cap = 0, err;

	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		ws(j);
		if (obj) {
			if (*j->p != '"')
				return -EINVAL;
			err = jstring(j, &key);
			if (err)
				return err;
			ws(j);
			if (*j->p++ != ':') {
				free(key);
				return -EINVAL;
			}
		}
		if (v->n == cap) {
			int nc = cap ? cap * 2 : 8;
			struct jv *k = realloc(v->kids, (size_t)nc * sizeof(*k));
			char **ks = obj ? realloc(v->keys, (size_t)nc * sizeof(*ks)) :
				    NULL;

			if (k)
				v->kids = k;
			if (ks)
				v->keys = ks;
			if (!k || (obj && !ks)) {
				free(key);
				return -ENOMEM;
			}
			cap = nc;
		}
		memset(&v->kids[v->n], 0, sizeof(v->kids[0]));
		if (obj)
			v->keys[v->n] = key;
		v->n++;
		err = jvalue(j, &v->kids[v->n - 1]);
		if (err)
			return err;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != close)
			return -EINVAL;
		return 0;
	}
}

static int jvalue(struct jp *j, struct jv *v)
{
	int err;

	ws(j);
	memset(v, 0, sizeof(*v));
	if (++j->depth > 32)
		return -EINVAL;
	if (*j->p == '{' || *j->p == '[') {
		v->type = *j->p == '{' ? J_OBJ : J_ARR;
		err = jlist(j, v, v->type == J_OBJ);
	} else if (*j->p == '"') {
		v->type = J_STR;
		err = jstring(j, &v->str);
	} else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "false", 5)) {
		v->type = J_BOOL;
		v->b = *j->p == 't';
		j->p += v->b ? 4 : 5;
		err = 0;
	} else if (!strncmp(j->p, "null", 4)) {
		j->p += 4;
		err = 0;
	} else {
		char *end;

		v->type = J_NUM;
		v->d = strtod(j->p, &end);
		if (end == j->p)
			return -EINVAL;
		if (*j->p >= '0' && *j->p <= '9')
			v->u = strtoull(j->p, NULL, 10);
		j->p = end;
		err = 0;
	}
	j->depth--;
	return err;
}

static const struct jv *jget(const struct jv *o, const char *key)
{
	if (!o || o->type != J_OBJ)
		return NULL;
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->kids[i];
	return NULL;
}

static uint64_t ju(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);

	return v && v->type == J_NUM ? v->u : 0;
}

static const char *js(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);

	return v && v->type == J_STR ? v->str : NULL;
}

/* --- the reports ------------------------------------------------------------- */

struct shard {
	const char *path;	/* the report */
	struct jv doc;
	const struct jv *ex, *sh;	/* "explore", "explore"."shard" */
	int index, count;
	char *args_key;		/* the args, joined */
};

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, k;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		k = fread(buf + n, 1, 4096, f);
		n += k;
	} while (k);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static int load_shard(struct shard *sh, const char *path)
{
	const struct jv *args;
	char *text = read_all(path, NULL);
	struct jp j;
	size_t len = 1;
	int err;

	sh->path = path;
	if (!text) {
		fprintf(stderr, "spansim merge: %s: %s\n", path, strerror(errno));
		return -1;
	}
	j = (struct jp){ .p = text };
	err = jvalue(&j, &sh->doc);
	free(text);
	sh->ex = jget(&sh->doc, "explore");
	sh->sh = jget(sh->ex, "shard");
	args = jget(sh->sh, "args");
	if (err || !sh->ex) {
		fprintf(stderr, "spansim merge: %s: not a JSON report of spansim explore\n",
			path);
		return -1;
	}
	if (!sh->sh || !args || args->type != J_ARR || !args->n ||
	    !js(sh->sh, "source_fnv64")) {
		fprintf(stderr, "spansim merge: %s: not the report of a shard (spansim explore --shard I/N --json)\n",
			path);
		return -1;
	}
	sh->index = (int)ju(sh->sh, "index");
	sh->count = (int)ju(sh->sh, "count");
	for (int i = 0; i < args->n; i++)
		len += (args->kids[i].str ? strlen(args->kids[i].str) : 0) + 1;
	sh->args_key = calloc(1, len);
	if (!sh->args_key)
		return -1;
	for (int i = 0; i < args->n; i++) {
		if (args->kids[i].type != J_STR)
			return -1;
		strcat(sh->args_key, args->kids[i].str);
		strcat(sh->args_key, "\x1f");
	}
	return 0;
}

/* @name as is, or else beside the report @report */
static const char *find_beside(const char *name, const char *report,
			       char *buf, size_t n)
{
	struct stat st;
	const char *slash = strrchr(report, '/');
	const char *base = strrchr(name, '/');

	if (!stat(name, &st))
		return name;
	snprintf(buf, n, "%.*s%s", slash ? (int)(slash - report + 1) : 0,
		 report, base ? base + 1 : name);
	return stat(buf, &st) ? NULL : buf;
}

static int cond_from(struct explore_cond *c, const struct jv *e, bool expect)
{
	const char *wy = expect ? NULL : js(e, "witness");
	const char *wn = expect ? js(e, "counterexample") : js(e, "witness_no");

	c->yes = ju(e, expect ? "holds" : "yes");
	c->no = ju(e, expect ? "fails" : "no");
	c->error = ju(e, "errors");
	if (wy && !(c->witness_yes = strdup(wy)))
		return -ENOMEM;
	if (wn && !(c->witness_no = strdup(wn)))
		return -ENOMEM;
	c->len_yes = wy ? explore_sched_steps(wy) : 0;
	c->len_no = wn ? explore_sched_steps(wn) : 0;
	return 0;
}

/* a shard's report as an explore_result of @s; -EINVAL when it does not
 * fit @s */
static int result_from(const struct scn *s, const struct shard *sh,
		       struct explore_result *r)
{
	const struct jv *ex = sh->ex, *v;
	const struct jv *exp = jget(ex, "expect"), *exi = jget(ex, "exists");
	const struct jv *alw = jget(ex, "always"), *vio = jget(ex, "violations");
	const char *red = js(ex, "reduction"), *str;
	char buf[512];
	int err;

	if (!exp || !exi || !alw || !vio || exp->n != s->nr_expects ||
	    exi->n != s->nr_exists || alw->n != s->nr_always)
		return -EINVAL;
	err = explore_result_alloc(s, r);
	if (err)
		return err;
	r->states = ju(ex, "states");
	r->transitions = ju(ex, "transitions");
	r->end_states = ju(ex, "end_states");
	r->traces = ju(ex, "traces");
	r->max_depth = ju(ex, "max_depth");
	r->pruned_sleep = ju(ex, "pruned_sleep");
	r->table_bytes = ju(ex, "table_bytes");
	r->peak_bytes = ju(ex, "peak_snapshot_bytes");
	r->mem_bytes = ju(ex, "peak_memory_bytes");
	v = jget(ex, "seconds");
	r->seconds = v ? v->d : 0;
	v = jget(ex, "bitstate_expected_missed");
	r->bitstate_missed = v ? v->d : 0;
	r->reduction = red && !strcmp(red, "sleep") ? EXPLORE_RED_SLEEP :
		       red && !strcmp(red, "none") ? EXPLORE_RED_NONE :
		       EXPLORE_RED_DPOR;
	r->reduction_note = js(ex, "reduction_note") ? "--shard" : NULL;
	v = jget(ex, "complete");
	if (!v || v->type != J_BOOL || !v->b) {
		str = js(ex, "incomplete_reason");
		snprintf(buf, sizeof(buf), "shard %d/%d: %s", sh->index,
			 sh->count, str ? str : "incomplete");
		r->stop = EXPLORE_SHARDS;
		r->truncated = true;
		if (!(r->stop_note = strdup(buf)))
			return -ENOMEM;
	}
	for (int i = 0; !err && i < s->nr_expects; i++)
		err = cond_from(&r->expects[i], &exp->kids[i], true);
	for (int i = 0; !err && i < s->nr_exists; i++)
		err = cond_from(&r->exists[i], &exi->kids[i], false);
	for (int i = 0; !err && i < s->nr_always; i++) {
		str = js(&alw->kids[i], "counterexample");
		r->always[i].no = ju(&alw->kids[i], "fails");
		if (str && !(r->always[i].witness_no = strdup(str)))
			err = -ENOMEM;
		r->always[i].len_no = str ? explore_sched_steps(str) : 0;
	}
	for (int i = 0; !err && i < vio->n; i++) {
		int inv = span_invariant_lookup(vio->keys[i]);

		str = js(&vio->kids[i], "witness");
		if (inv < 0 || inv >= SPAN_NR_INVARIANTS)
			return -EINVAL;
		r->viol[inv] = ju(&vio->kids[i], "end_states");
		if (str && !(r->viol_witness[inv] = strdup(str)))
			err = -ENOMEM;
		r->viol_len[inv] = str ? explore_sched_steps(str) : 0;
	}
	r->errors = ju(ex, "errors");
	str = js(ex, "error_message");
	if (!err && str && !(r->error_msg = strdup(str)))
		err = -ENOMEM;
	r->missed_violation = ju(ex, "missed_violation");
	str = js(ex, "missed_witness");
	if (!err && str && !(r->missed_witness = strdup(str)))
		err = -ENOMEM;
	r->missed_len = str ? explore_sched_steps(str) : 0;
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The number of distinct fingerprints in every shard's --states-out file;
 * -ENOENT when a shard has none (or it does not hold the shard's count of
 * states: 8 bytes each), with the reason in @why.
 */
static int64_t union_states(struct shard *sh, int n, char *why, size_t whyn)
{
	uint64_t *all = NULL, total = 0, distinct = 0;
	size_t have = 0;

	for (int i = 0; i < n; i++)
		total += ju(sh[i].ex, "states");
	if (total > SIZE_MAX / 8)
		return -ENOMEM;
	all = malloc((size_t)total * 8 + 8);
	if (!all)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const char *name = js(sh[i].sh, "states_file");
		char buf[PATH_MAX + 256];
		const char *path = name ? find_beside(name, sh[i].path, buf,
						      sizeof(buf)) : NULL;
		uint64_t want = ju(sh[i].ex, "states");
		unsigned char *bytes;
		size_t len;

		if (!path) {
			snprintf(why, whyn, "shard %d/%d: %s", sh[i].index,
				 sh[i].count, name ? "its fingerprint file is gone" :
				 "no fingerprint file (--states-out)");
			free(all);
			return -ENOENT;
		}
		bytes = (unsigned char *)read_all(path, &len);
		if (!bytes || len != want * 8) {
			snprintf(why, whyn, "shard %d/%d: %.200s does not hold its %" PRIu64 " states",
				 sh[i].index, sh[i].count, path, want);
			free(bytes);
			free(all);
			return -ENOENT;
		}
		for (size_t k = 0; k < want; k++) {
			uint64_t f = 0;

			for (int b = 7; b >= 0; b--)
				f = f << 8 | bytes[k * 8 + (size_t)b];
			all[have++] = f;
		}
		free(bytes);
	}
	qsort(all, have, sizeof(*all), cmp_u64);
	for (size_t k = 0; k < have; k++)
		if (!k || all[k] != all[k - 1])
			distinct++;
	free(all);
	return (int64_t)distinct;
}

int cmd_merge(int argc, char **argv)
{
	struct shard *sh = NULL;
	struct explore_result res, part;
	struct explore_opts eo = { 0 };
	struct opts o;
	struct scn *s = NULL;
	const struct jv *args;
	char **sargv = NULL, err[1024], cl[2048], why[512] = "", extra[1024];
	char buf[PATH_MAX + 256], *missing = NULL, shard_arg[32];
	const char *scn_path;
	bool json = false, no_shrink = false;
	int n = 0, count, ret = 2, have_res = 0;
	uint64_t h, want;
	int64_t distinct;

	sh = calloc((size_t)argc + 1, sizeof(*sh));
	if (!sh)
		return 2;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(cli_usage_merge, stdout);
			ret = 0;
			goto out;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--no-shrink")) {
			no_shrink = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			ret = cli_usage_error("merge", "unknown option '%s'", argv[i]);
			goto out;
		} else if (load_shard(&sh[n++], argv[i])) {
			goto out;
		}
	}
	if (!n) {
		ret = cli_usage_error("merge", "needs at least one REPORT.json%s", "");
		goto out;
	}
	/* one search: the same arguments, scenario text and number of shards */
	count = sh[0].count;
	for (int i = 0; i < n; i++) {
		if (sh[i].count != count || sh[i].index < 1 ||
		    sh[i].index > count || strcmp(sh[i].args_key, sh[0].args_key) ||
		    strcmp(js(sh[i].sh, "source_fnv64"), js(sh[0].sh, "source_fnv64"))) {
			fprintf(stderr, "spansim merge: %s and %s are not shards of the same search\n",
				sh[0].path, sh[i].path);
			goto out;
		}
		for (int k = 0; k < i; k++)
			if (sh[k].index == sh[i].index) {
				fprintf(stderr, "spansim merge: shard %d/%d twice: %s and %s\n",
					sh[i].index, count, sh[k].path, sh[i].path);
				goto out;
			}
	}
	/* the search, again: its arguments, the scenario as the shards read it */
	args = jget(sh[0].sh, "args");
	sargv = calloc((size_t)args->n + 3, sizeof(*sargv));
	if (!sargv)
		goto out;
	for (int i = 0; i < args->n; i++)
		sargv[i] = args->kids[i].str;
	/* (--shard-depth needs a --shard) */
	snprintf(shard_arg, sizeof(shard_arg), "1/%d", count);
	sargv[args->n] = "--shard";
	sargv[args->n + 1] = shard_arg;
	if (cli_parse_opts("explore", args->n + 2, sargv, &o) || o.nfiles != 1) {
		fprintf(stderr, "spansim merge: %s: the arguments of its search do not parse\n",
			sh[0].path);
		goto out;
	}
	scn_path = o.files[0];
	if (cli_file_hash(scn_path, &h) && js(sh[0].sh, "file_path")) {
		scn_path = js(sh[0].sh, "file_path");
		if (cli_file_hash(scn_path, &h)) {
			fprintf(stderr, "spansim merge: cannot read the scenario %s (nor %s)\n",
				o.files[0], scn_path);
			goto out;
		}
	}
	snprintf(buf, sizeof(buf), "%016" PRIx64, h);
	if (strcmp(buf, js(sh[0].sh, "source_fnv64"))) {
		fprintf(stderr, "spansim merge: %s changed since the shards ran\n",
			scn_path);
		goto out;
	}
	if (cli_parse_scn(scn_path, &o, NULL, 0, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	cli_cmdline(cl, sizeof(cl), o.files[0], &o);
	cli_explore_opts(&eo, &o);
	eo.shrink = !no_shrink && !o.no_shrink;
	eo.cmdline = cl;
	eo.progress = EXPLORE_PROGRESS_NONE;
	eo.shard_count = 0;	/* the summary is the whole search's */
	if (explore_result_alloc(s, &res))
		goto out;
	have_res = 1;
	for (int i = 0; i < n; i++) {
		int e = result_from(s, &sh[i], &part);

		if (!e)
			e = explore_result_merge(s, &res, &part);
		explore_result_free(s, &part);
		if (e) {
			fprintf(stderr, "spansim merge: %s: %s\n", sh[i].path,
				e == -EINVAL ? "does not fit the scenario" :
				span_strerror(e));
			goto out;
		}
	}
	/* every shard, once */
	missing = calloc(1, (size_t)count * 12 + 64);
	if (!missing)
		goto out;
	for (int k = 1, nm = 0; k <= count; k++) {
		bool found = false;

		for (int i = 0; i < n && !found; i++)
			found = sh[i].index == k;
		if (found)
			continue;
		if (nm++ < 8)
			sprintf(missing + strlen(missing), "%s%d", nm > 1 ? ", " : "", k);
		else if (nm == 9)
			strcat(missing, ", ...");
	}
	if (missing[0]) {
		size_t len = strlen(missing) + 64;

		free(res.stop_note);
		res.stop_note = malloc(len);
		if (!res.stop_note)
			goto out;
		snprintf(res.stop_note, len, "shard%s %s of %d missing",
			 n + 1 < count ? "s" : "", missing, count);
		res.stop = EXPLORE_SHARDS;
		res.truncated = true;
	}
	/* the distinct states */
	want = res.states;
	distinct = union_states(sh, n, why, sizeof(why));
	if (distinct == -ENOMEM)
		goto out;
	if (distinct >= 0)
		res.states = (uint64_t)distinct;
	snprintf(extra, sizeof(extra), "\"merge\":{\"shards\":%d,\"of\":%d,\"states_exact\":%s,\"states_sum\":%" PRIu64 "}",
		 n, count, distinct >= 0 ? "true" : "false", want);
	eo.json_extra = extra;
	if (!json) {
		printf("Merged %d of %d shards: ", n, count);
		if (distinct >= 0)
			printf("states are the %" PRIu64 " distinct fingerprints of the shards' %" PRIu64 "\n",
			       res.states, want);
		else
			printf("states are the sum of the shards' counts, an upper bound (%s)\n",
			       why);
	}
	explore_report(s, &eo, &res, json, stdout);
	ret = explore_exit_status(s, &res);
out:
	if (have_res)
		explore_result_free(s, &res);
	scn_free(s);
	free(missing);
	free(sargv);
	for (int i = 0; i < n; i++) {
		jv_free(&sh[i].doc);
		free(sh[i].args_key);
	}
	free(sh);
	return ret;
}
