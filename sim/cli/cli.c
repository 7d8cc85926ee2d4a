// SPDX-License-Identifier: MIT
/*
 * cli.c - what the spansim commands share: option parsing, parsing a
 * scenario with the command-line overrides, the replay command line,
 * collecting .scn files and a quiet fifo run.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "spansim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'spansim help %s')\n", cmd);
	return 2;
}

int cli_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

int cli_parse_bytes(const char *s, uint64_t *v)
{
	char *end;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 0:
		return 0;
	default:
		return -1;
	}
	if (end[1] || *v > UINT64_MAX >> shift)
		return -1;
	*v <<= shift;
	return 0;
}

bool cli_color(void)
{
	static int color = -1;
	const char *nc = getenv("NO_COLOR"), *force = getenv("CLICOLOR_FORCE");
	const char *term = getenv("TERM");

	if (color >= 0)
		return color;
	if (nc && *nc)
		color = 0;
	else if (force && *force && strcmp(force, "0"))
		color = 1;
	else
		color = isatty(1) && !(term && !strcmp(term, "dumb"));
	return color;
}

const char *cli_paint(const char *w)
{
	static const char *const red[] = {
		"FAIL", "FAILS", "NEVER", "viol", "error", "no-memory",
		"not ok", NULL,
	};
	static const char *const green[] = {
		"ok", "always", "PASS", "yes", NULL,
	};

	if (!cli_color() || !w)
		return "";
	for (int i = 0; red[i]; i++)
		if (!strcmp(w, red[i]))
			return "\033[31m";
	for (int i = 0; green[i]; i++)
		if (!strcmp(w, green[i]))
			return "\033[32m";
	if (!strcmp(w, "incomplete") || !strcmp(w, "INCOMPLETE"))
		return "\033[33m";
	/* an invariant's name in the matrix's last row */
	if (span_invariant_lookup(w) >= 0)
		return "\033[31m";
	return "";
}

/* a positive number of seconds, fractions allowed, at most ten years */
static int parse_seconds(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end || !(*v > 0) || *v > 3.2e8 ? -1 : 0;
}

/*
 * Which command honours which option: an option a command would ignore is
 * an error, not a silent no-op.
 */
static const struct {
	const char *opt;
	const char *cmds;	/* space-separated */
} honoured[] = {
	{ "--policy", "run test explore matrix list" },
	{ "--param", "run test explore matrix list" },
	{ "--set", "run test explore matrix list" },
	{ "--seed", "run" },
	{ "--check", "run test explore" },
	{ "--schedule", "run" },
	{ "--fault", "run" },
	{ "--trace", "run" },
	{ "--dot", "run" },
	{ "--at", "run" },
	{ "--json", "run explore test matrix" },
	{ "--quiet", "run explore matrix" },
	{ "-q", "run explore matrix" },
	{ "--max-states", "explore matrix test" },
	{ "--max-time", "explore matrix test" },
	{ "--max-memory", "run explore matrix test" },
	{ "--preemptions", "explore matrix test" },
	{ "--no-reduction", "explore matrix test" },
	{ "--reduction", "explore matrix test" },
	{ "--bitstate", "explore matrix test" },
	{ "--no-shrink", "explore matrix" },
	{ "--presets-override", "matrix" },
	{ "--shard", "explore" },
	{ "--shard-depth", "explore" },
	{ "--states-out", "explore" },
	{ "--explore", "matrix test" },
	{ "--presets", "matrix" },
	{ "--design", "run test explore matrix" },
	{ "--filter", "test" },
	{ "--junit", "test matrix" },
	{ "--ktap", "test" },
};

/* 1: @cmd honours @opt; 0: another command does; -1: no command does */
static int option_honoured(const char *cmd, const char *opt)
{
	size_t cl = strlen(cmd);

	for (size_t i = 0; i < sizeof(honoured) / sizeof(honoured[0]); i++) {
		const char *c = honoured[i].cmds;

		if (strcmp(honoured[i].opt, opt))
			continue;
		while ((c = strstr(c, cmd))) {
			if ((c == honoured[i].cmds || c[-1] == ' ') &&
			    (c[cl] == ' ' || !c[cl]))
				return 1;
			c += cl;
		}
		return 0;
	}
	return -1;
}

int cli_parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
{
	static const char *files[1024];

	memset(o, 0, sizeof(*o));
	o->at = -1;
	o->preemptions = -1;
	o->files = files;
	o->ro.sched = SCHED_FIFO;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED() do { if (!v) return cli_usage_error(cmd, "%s needs a value", a); i++; } while (0)
		if (a[0] == '-' && a[1] && strcmp(a, "--help") && strcmp(a, "-h") &&
		    !option_honoured(cmd, a))
			return cli_usage_error(cmd, "%s is not an option of this command", a);
		if (!strcmp(a, "--policy")) {
			NEED();
			if (o->npol == MAX_OV)
				return cli_usage_error(cmd, "too many %s", a);
			o->policies[o->npol++] = v;
		} else if (!strcmp(a, "--param")) {
			NEED();
			if (o->np == MAX_OV)
				return cli_usage_error(cmd, "too many %s", a);
			o->params[o->np++] = v;
		} else if (!strcmp(a, "--set")) {
			NEED();
			if (o->ns == MAX_OV)
				return cli_usage_error(cmd, "too many %s", a);
			o->sets[o->ns++] = v;
		} else if (!strcmp(a, "--seed")) {
			NEED();
			if (cli_parse_u64(v, &o->ro.seed))
				return cli_usage_error(cmd, "bad seed '%s'", v);
			o->ro.sched = SCHED_RANDOM;
		} else if (!strcmp(a, "--check")) {
			NEED();
			o->ro.check_mode = span_check_mode_lookup(v);
			if (o->ro.check_mode < 0)
				return cli_usage_error(cmd, "bad checker mode '%s' (incremental, full or verify)", v);
		} else if (!strcmp(a, "--schedule")) {
			NEED();
			o->ro.schedule = v;
			o->ro.sched = SCHED_GIVEN;
		} else if (!strcmp(a, "--fault")) {
			const char *colon;

			NEED();
			colon = strchr(v, ':');
			if (!colon || cli_parse_u64(colon + 1, &o->ro.fault_nth) ||
			    !o->ro.fault_nth)
				return cli_usage_error(cmd, "bad fault '%s' (alloc:N or copy:N)", v);
			if (!strncmp(v, "alloc:", 6))
				o->ro.fault_class = SPAN_FAULT_ALLOC;
			else if (!strncmp(v, "copy:", 5))
				o->ro.fault_class = SPAN_FAULT_COPY;
			else
				return cli_usage_error(cmd, "bad fault '%s' (alloc:N or copy:N)", v);
		} else if (!strcmp(a, "--trace")) {
			o->ro.trace = true;
		} else if (!strcmp(a, "--json")) {
			o->ro.json = true;
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			o->ro.quiet = true;
		} else if (!strcmp(a, "--dot")) {
			NEED();
			o->dot = v;
		} else if (!strcmp(a, "--at")) {
			uint64_t at;

			NEED();
			if (cli_parse_u64(v, &at))
				return cli_usage_error(cmd, "bad step '%s'", v);
			o->at = (int64_t)at;
		} else if (!strcmp(a, "--max-states")) {
			NEED();
			if (cli_parse_u64(v, &o->max_states) || !o->max_states)
				return cli_usage_error(cmd, "bad state count '%s'", v);
		} else if (!strcmp(a, "--max-time")) {
			NEED();
			if (parse_seconds(v, &o->max_seconds))
				return cli_usage_error(cmd, "bad time '%s' (seconds)", v);
		} else if (!strcmp(a, "--max-memory")) {
			NEED();
			if (cli_parse_bytes(v, &o->max_bytes) || !o->max_bytes)
				return cli_usage_error(cmd, "bad size '%s' (bytes, or with K, M or G)", v);
		} else if (!strcmp(a, "--preemptions")) {
			uint64_t k;

			NEED();
			if (cli_parse_u64(v, &k) || k > 1000)
				return cli_usage_error(cmd, "bad preemption bound '%s'", v);
			o->preemptions = (int)k;
		} else if (!strcmp(a, "--no-reduction")) {
			o->no_reduction = true;
		} else if (!strcmp(a, "--bitstate")) {
			NEED();
			if (cli_parse_bytes(v, &o->bitstate) || o->bitstate < 8 ||
			    o->bitstate > (1ull << 40))
				return cli_usage_error(cmd, "bad bitstate size '%s' (8 bytes to 1T, suffixes K, M, G)", v);
		} else if (!strcmp(a, "--reduction")) {
			NEED();
			if (!strcmp(v, "dpor"))
				o->reduction = 0;
			else if (!strcmp(v, "sleep"))
				o->reduction = 1;
			else if (!strcmp(v, "none"))
				o->reduction = 2;
			else
				return cli_usage_error(cmd, "bad reduction '%s' (dpor, sleep or none)", v);
		} else if (!strcmp(a, "--no-shrink")) {
			o->no_shrink = true;
		} else if (!strcmp(a, "--presets-override")) {
			o->presets_override = true;
		} else if (!strcmp(a, "--shard")) {
			uint64_t si, sn;
			char buf[64], *slash;

			NEED();
			snprintf(buf, sizeof(buf), "%s", v);
			slash = strchr(buf, '/');
			if (slash)
				*slash = 0;
			if (!slash || cli_parse_u64(buf, &si) ||
			    cli_parse_u64(slash + 1, &sn) || !sn || sn > 1000000 ||
			    !si || si > sn)
				return cli_usage_error(cmd, "bad shard '%s' (I/N, 1 <= I <= N <= 1000000)", v);
			o->shard_index = (int)si;
			o->shard_count = (int)sn;
		} else if (!strcmp(a, "--shard-depth")) {
			uint64_t d;

			NEED();
			if (cli_parse_u64(v, &d) || !d || d > 1000)
				return cli_usage_error(cmd, "bad shard depth '%s' (1 to 1000)", v);
			o->shard_depth = (int)d;
		} else if (!strcmp(a, "--states-out")) {
			NEED();
			o->states_out = v;
		} else if (!strcmp(a, "--explore")) {
			o->explore = true;
		} else if (!strcmp(a, "--presets")) {
			NEED();
			o->presets = v;
		} else if (!strcmp(a, "--filter")) {
			NEED();
			o->filter = v;
		} else if (!strcmp(a, "--junit")) {
			NEED();
			o->junit = v;
		} else if (!strcmp(a, "--ktap")) {
			o->ktap = true;
		} else if (!strcmp(a, "--design")) {
			char derr[1024];
			int e;

			NEED();
			if (o->ndesigns && strcmp(cmd, "matrix")) {
				cli_opts_free(o);
				return cli_usage_error(cmd, "one --design at a time (matrix takes several)%s", "");
			}
			if (o->ndesigns == MAX_DESIGNS) {
				cli_opts_free(o);
				return cli_usage_error(cmd, "too many %s", a);
			}
			e = run_design_load(v, &o->design[o->ndesigns], derr,
					    sizeof(derr));
			if (e) {
				fprintf(stderr, "spansim %s: %s\n", cmd, derr);
				cli_opts_free(o);
				return 2;
			}
			o->ndesigns++;
			o->ro.design = o->design[0].ops;
			o->ro.design_desc = o->design[0].desc;
			o->ro.design_arg = o->design[0].arg;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return -1;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error(cmd, "unknown option '%s'", a);
		} else {
			if (o->nfiles == 1024)
				return cli_usage_error(cmd, "too many files", a);
			files[o->nfiles++] = a;
		}
#undef NEED
	}
	if (o->at >= 0 && !o->dot) {
		cli_opts_free(o);
		return cli_usage_error(cmd, "--at needs --dot%s", "");
	}
	if ((o->shard_depth || o->states_out) && !o->shard_count)
		return cli_usage_error(cmd, "--shard-depth and --states-out need --shard%s", "");
	/* the bounded search keeps the first way a state was reached: which
	 * states it covers depends on the order, so shards would not add up */
	if (o->shard_count && o->preemptions >= 0)
		return cli_usage_error(cmd, "--shard and --preemptions do not go together%s", "");
	return 0;
}

void cli_opts_free(struct opts *o)
{
	for (int i = 0; i < o->ndesigns; i++)
		run_design_unload(&o->design[i]);
	o->ndesigns = 0;
	o->ro.design = NULL;
	o->ro.design_desc = o->ro.design_arg = NULL;
}

int cli_parse_scn(const char *file, struct opts *o, const char **extra_pol,
		  int nextra, struct scn **s, char *err, size_t errn)
{
	return cli_parse_scn_base(file, o, NULL, 0, extra_pol, nextra, s, err,
				  errn);
}

int cli_parse_scn_base(const char *file, struct opts *o, const char **base,
		       int nbase, const char **extra_pol, int nextra,
		       struct scn **s, char *err, size_t errn)
{
	const char *pol[MAX_OV * 2];
	struct scn_overrides ov;
	struct scn_error e;
	int n = 0, ret;

	for (int i = 0; i < o->npol; i++)
		pol[n++] = o->policies[i];
	for (int i = 0; i < nextra && n < MAX_OV * 2; i++)
		pol[n++] = extra_pol[i];
	ov = (struct scn_overrides){ .params = o->params, .nr_params = o->np,
				     .sets = o->sets, .nr_sets = o->ns,
				     .policies = pol, .nr_policies = n,
				     .base_policies = base,
				     .nr_base_policies = nbase };
	ret = scn_parse_file(file, &ov, s, &e);
	if (ret)
		scn_error_format(&e, err, errn);
	return ret;
}

/* the command line that reproduces a run (without the schedule) */
void cli_cmdline(char *buf, size_t n, const char *file, struct opts *o)
{
	size_t k = (size_t)snprintf(buf, n, "spansim run %s", file);

	for (int i = 0; i < o->npol && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, " --policy %s", o->policies[i]);
	for (int i = 0; i < o->np && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, " --param %s", o->params[i]);
	for (int i = 0; i < o->ns && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, " --set %s", o->sets[i]);
	if (o->ro.design && k < n)
		k += (size_t)snprintf(buf + k, n - k, " --design %s",
				      o->ro.design_arg);
	if (o->ro.fault_nth && k < n)
		k += (size_t)snprintf(buf + k, n - k, " --fault %s:%" PRIu64,
				      o->ro.fault_class == SPAN_FAULT_ALLOC ?
					      "alloc" : "copy",
				      o->ro.fault_nth);
}
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_path(char ***v, int *n, const char *path)
{
	char **nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = strdup(path);
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

/* every .scn below @dir, sorted by path */
static int walk(const char *dir, char ***v, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int first = *n;

	if (!d) {
		fprintf(stderr, "spansim: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		/* "scenarios/" given: "scenarios/seed/x.scn", not "//" */
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir,
				     dir[0] && dir[strlen(dir) - 1] == '/' ?
				     "" : "/", de->d_name) >= sizeof(path)) {
			fprintf(stderr, "spansim: %s/%s: path too long\n", dir,
				de->d_name);
			closedir(d);
			return -1;
		}
		/* lstat: symbolic links are not followed (no loops) */
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (walk(path, v, n)) {
				closedir(d);
				return -1;
			}
		} else if (l > 4 && !strcmp(de->d_name + l - 4, ".scn")) {
			if (push_path(v, n, path)) {
				closedir(d);
				return -1;
			}
		}
	}
	closedir(d);
	if (*n > first)
		qsort(*v + first, (size_t)(*n - first), sizeof(**v), cmp_str);
	return 0;
}

/* expand files and directories (recursively) into .scn paths */
int cli_collect(const char **in, int nin, char ***out, int *nout)
{
	char **v = NULL;
	int n = 0;

	for (int i = 0; i < nin; i++) {
		struct stat st;

		if (stat(in[i], &st)) {
			fprintf(stderr, "spansim: %s: %s\n", in[i], strerror(errno));
			goto fail;
		}
		if (S_ISDIR(st.st_mode) ? walk(in[i], &v, &n) :
					  push_path(&v, &n, in[i]))
			goto fail;
	}
	if (!n) {
		fprintf(stderr, "spansim: no scenario (.scn) files in %s%s\n",
			nin ? in[0] : "the arguments", nin > 1 ? " ..." : "");
		goto fail;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -1;
}

void cli_free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* run one file silently under fifo; returns the run (caller destroys) */
uint64_t cli_default_max_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t half = 0;
	struct rlimit rl;

	if (pages > 0 && psize > 0)
		half = (uint64_t)pages * (uint64_t)psize / 2;
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    (!half || (uint64_t)rl.rlim_cur / 2 < half))
		half = (uint64_t)rl.rlim_cur / 2;
	return half;
}

struct run *cli_run_quiet(struct scn *s, int check_mode,
			  uint64_t max_model_bytes,
			  const struct span_design_ops *design)
{
	struct run_opts ro = { .sched = SCHED_FIFO, .quiet = true,
			       .check_mode = check_mode,
			       .max_model_bytes = max_model_bytes,
			       .design = design };
	struct run *r;

	if (run_create(s, &ro, &r))
		return NULL;
	run_to_end(r);
	run_finish(r);
	return r;
}

const char *cli_check_diverged(struct run *r, char *buf, size_t n)
{
	struct span_check_stats st;

	if (span_world_check_stats(run_world(r), &st) || !st.diverged)
		return NULL;
	snprintf(buf, n, "the incremental checker and the full walk disagree %" PRIu64 " times, first at step %" PRIu64 ": %s",
		 st.diverged, st.diverged_step, st.diverged_msg);
	return buf;
}

/* --- signals ---------------------------------------------------------------- */

volatile sig_atomic_t cli_stop_signal;

static void on_stop_signal(int sig)
{
	cli_stop_signal = sig;
}

/* SIGINT and SIGTERM stop the search; a second one kills as usual */
int cli_catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND;
	if (sigemptyset(&sa.sa_mask) || sigaction(SIGINT, &sa, NULL) ||
	    sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

/* a YAML single-quoted scalar on stdout (TAP diagnostics): quotes
 * doubled, newlines as spaces */
void cli_sub(FILE *subs, int result, const char *kind, const char *cond,
	     const char *note)
{
	fprintf(subs, "%s\t%s\t", result == CLI_SUB_NOT_OK ? "not ok" :
		result == CLI_SUB_SKIP ? "skip" : "ok", kind);
	for (const char *p = cond ? cond : ""; *p; p++)
		fputc(*p == '\t' || *p == '\n' ? ' ' : *p, subs);
	fputc('\t', subs);
	for (const char *p = note ? note : ""; *p; p++)
		fputc(*p == '\t' || *p == '\n' ? ' ' : *p, subs);
	fputc('\n', subs);
}

const char *cli_sub_next(const char *p, struct cli_sub_rec *r)
{
	const char *f[4];
	int len[4];

	if (!p || !*p)
		return NULL;
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		len[i] = (int)strcspn(p, i < 3 ? "\t\n" : "\n");
		p += len[i];
		if (*p == '\t' || (i == 3 && *p == '\n'))
			p++;
	}
	r->result = *f[0] == 'n' ? CLI_SUB_NOT_OK : *f[0] == 's' ?
		    CLI_SUB_SKIP : CLI_SUB_OK;
	r->kind = f[1];
	r->kind_len = len[1];
	r->cond = f[2];
	r->cond_len = len[2];
	r->note = f[3];
	r->note_len = len[3];
	return p;
}

void cli_xml(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)s[i] >= 0x20 || s[i] == '\n' ||
			    s[i] == '\t')
				fputc(s[i], f);
		}
	}
}

void cli_yaml_fstr(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
	fputc('\'', out);
}

void cli_yaml_str(const char *s)
{
	cli_yaml_fstr(stdout, s);
}
