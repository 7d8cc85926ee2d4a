// SPDX-License-Identifier: MIT
/*
 * fuzz.c - `spansim kernel --fuzz N`: differential fuzzing.
 *
 * Not a kernel file.  Generates random well-typed scenarios from the
 * operation table (kfuzz_gen(): every operation of ops.def that the live
 * kernel can run, its operands, modifiers and result read from struct
 * op_desc), runs each on the model and on the live kernel in this process
 * with kernel_compare(), and shrinks every new disagreement, one line at a
 * time, to a minimal scenario written to the output directory.
 * Disagreements whose signature is in known_diffs[] (each one a
 * DEVIATION: documented in docs/deviations.md) are counted as explained.
 * docs/differential.md ("Differential fuzzing") has the rules.
 */
#define _GNU_SOURCE
/* run.h first: <sched.h> (through <pthread.h>) defines SCHED_FIFO too */
#include "run.h"

#include "host.h"
#include "kernel.h"
#include "kfuzz.h"
#include "ops/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* --- the generator ----------------------------------------------------------- */

struct rng {
	uint64_t s;
};

/* splitmix64 */
static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, int pct)
{
	return below(r, 100) < (uint64_t)pct;
}

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
			      b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
			char *p = realloc(b->p, cap);

			if (!p) {
				b->oom = true;
				return;
			}
			b->p = p;
			b->cap = cap;
		}
	}
}

#define GEN_MAX_OBJS 48
/* the model's memory budget per program (run_opts.max_model_bytes) */
#define FUZZ_MAX_MODEL (1ull << 30)
/* the longest a shrink may take, in ms */
#define FUZZ_SHRINK_MS 60000

struct gen {
	struct rng rng;
	long page;
	struct sbuf top, body;
	struct {
		char name[16];
		int kind;	/* SCN_SYM_* */
	} obj[GEN_MAX_OBJS];
	int nobj, nname, nvar, nops;
};

/* may the live kernel run operation @k (ops.def .kskip)? */
static bool op_runnable(int k)
{
	return !op_table[k].kskip;
}

static int pick_obj(struct gen *g, unsigned int kinds)
{
	int idx[GEN_MAX_OBJS], n = 0;

	for (int i = 0; i < g->nobj; i++)
		if (g->obj[i].kind >= 0 && (kinds & (1u << g->obj[i].kind)))
			idx[n++] = i;
	return n ? idx[below(&g->rng, (uint64_t)n)] : -1;
}

/* forget object @o: its name is not picked again */
static void drop_obj(struct gen *g, int o)
{
	g->obj[o].kind = -1;
}

static const char *new_name(struct gen *g, int kind)
{
	const char *kn = scn_sym_kind_name(kind);

	if (g->nobj == GEN_MAX_OBJS)
		return NULL;
	snprintf(g->obj[g->nobj].name, sizeof(g->obj[0].name), "%c%d",
		 kn ? kn[0] : 'x', g->nname++);
	g->obj[g->nobj].kind = kind;
	return g->obj[g->nobj++].name;
}

/* an integer operand: the values where kernels and models tend to differ */
static int64_t gen_int(struct gen *g)
{
	int64_t pg = g->page;
	const int64_t v[] = {
		0, 1, 2, 3, 7, 100, pg - 1, pg, pg + 1, 2 * pg, 3 * pg + 5,
		16 * pg, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1, -1,
		-pg, INT32_MAX, 0x80000000ll, UINT32_MAX, 1ll << 32,
		0x100001000ll, INT64_MAX,
	};

	if (chance(&g->rng, 20))
		return (int64_t)below(&g->rng, (uint64_t)(2 * pg + 2));
	return v[below(&g->rng, sizeof(v) / sizeof(v[0]))];
}

/* a size of an object an operation creates: small enough to fill */
static int64_t gen_size(struct gen *g)
{
	int64_t pg = g->page;
	const int64_t v[] = {
		0, 1, 100, pg - 1, pg, pg + 1, 2 * pg, 3 * pg, 16 * pg,
		65536, 1 << 20,
	};

	return v[below(&g->rng, sizeof(v) / sizeof(v[0]))];
}

static void put_int(struct sbuf *b, int64_t v)
{
	if (v < 0)
		sb_add(b, " (0 - %" PRId64 ")", -v);
	else if (v > 65536)
		sb_add(b, " 0x%" PRIx64, (uint64_t)v);
	else
		sb_add(b, " %" PRId64, v);
}

static void put_str(struct gen *g, struct sbuf *b)
{
	static const char alpha[] = "abcxyzAB0189";
	int n = (int)below(&g->rng, 9);

	sb_add(b, " \"");
	for (int i = 0; i < n; i++)
		sb_add(b, "%c", alpha[below(&g->rng, sizeof(alpha) - 1)]);
	sb_add(b, "\"");
}

static bool gen_op(struct gen *g, int k, int depth);

/*
 * An object of @kinds for an operand: one that exists, or a new one from
 * an operation that declares that kind (ops.def .decl), or, for a kind
 * no operation declares (a process), a top-level declaration.
 */
static int need_obj(struct gen *g, unsigned int kinds, int depth)
{
	int o = pick_obj(g, kinds);
	int cand[SCN_NR_OPS], n = 0;

	if (o >= 0 && (depth || !chance(&g->rng, 10)))
		return o;
	for (int k = 0; k < SCN_NR_OPS; k++)
		if (op_runnable(k) && op_table[k].decl &&
		    (kinds & (1u << op_table[k].decl)))
			cand[n++] = k;
	if (n && depth < 3) {
		if (gen_op(g, cand[below(&g->rng, (uint64_t)n)], depth + 1))
			return pick_obj(g, kinds);
		return o;
	}
	for (int kind = 0; !n && kind < SCN_NR_SYM_KINDS && o < 0; kind++) {
		const char *name;

		if (kind != SCN_SYM_PROCESS || !(kinds & (1u << kind)))
			continue;
		name = new_name(g, kind);
		if (!name)
			return -1;
		sb_add(&g->top, "process %s\n", name);
		return g->nobj - 1;
	}
	return o;
}

static void put_ref(struct gen *g, struct sbuf *b, int o)
{
	sb_add(b, " %s", g->obj[o].name);
	if (g->obj[o].kind == SCN_SYM_PIPE) {
		uint64_t e = below(&g->rng, 3);

		sb_add(b, "%s", e == 0 ? "" : e == 1 ? ".r" : ".w");
	}
}

/* one statement of operation @k (and first what its operands need) */
static bool gen_op(struct gen *g, int k, int depth)
{
	const struct op_desc *d = &op_table[k];
	int objs[4], nobj = 0, nd = 0;
	const char *decl[2];
	struct sbuf b = { 0 };
	bool declares = strchr(d->sig, 'D') != NULL;

	if (g->nops >= 64)
		return false;
	/* the objects first: creating one emits its own statement */
	for (const char *c = d->sig; *c; c++) {
		if (*c != 'o')
			continue;
		objs[nobj] = need_obj(g, d->obj[nobj < 2 ? nobj : 1], depth);
		if (objs[nobj] < 0)
			return false;
		nobj++;
	}
	sb_add(&b, "  %s", d->name);
	nobj = 0;
	for (const char *c = d->sig; *c; c++) {
		switch (*c) {
		case 'D':
			decl[nd] = new_name(g, d->decl);
			if (!decl[nd]) {
				free(b.p);
				return false;
			}
			sb_add(&b, " %s", decl[nd++]);
			break;
		case 'o':
			put_ref(g, &b, objs[nobj++]);
			break;
		case '?':
			if (chance(&g->rng, 50))
				break;
			/* fall through */
		case 'i':
			put_int(&b, declares ? gen_size(g) : gen_int(g));
			break;
		case 's':
			put_str(g, &b);
			break;
		case 'w': {	/* one of the operation's words (.words) */
			int nw = 0;

			while (d->words && d->words[nw])
				nw++;
			if (nw)
				sb_add(&b, " %s",
				       d->words[below(&g->rng, (uint64_t)nw)]);
			break;
		}
		case 'd': {
			int m = pick_obj(g, d->data);

			if (m >= 0 && chance(&g->rng, 60)) {
				sb_add(&b, " %s", g->obj[m].name);
				put_int(&b, chance(&g->rng, 50) ? 0 : gen_int(g));
				put_int(&b, gen_int(g));
			} else {
				put_str(g, &b);
			}
			break;
		}
		}
	}
	for (int i = 0; i < SCN_NR_MODS; i++) {
		unsigned int bit = 1u << i;
		int pct = 25;

		if (!(d->mods & bit) || (d->kskip_mods & bit))
			continue;
		/* a blocking operation mostly does not block: a thread
		 * left asleep ends the program (docs/differential.md) */
		if (bit == SCN_MOD_NONBLOCK)
			pct = (d->flags & OPF_BLOCKS) ? 95 : 50;
		/* the modifier that waits for an event (errqueue's): rare */
		if (bit == SCN_MOD_WAIT)
			pct = 5;
		if (!chance(&g->rng, pct))
			continue;
		switch (scn_mod_arg(bit)) {
		case SCN_MODARG_NONE:
			sb_add(&b, " %s", scn_mod_name(bit));
			break;
		case SCN_MODARG_STR:
			sb_add(&b, " %s", scn_mod_name(bit));
			put_str(g, &b);
			break;
		case SCN_MODARG_INT:
			sb_add(&b, " %s", scn_mod_name(bit));
			put_int(&b, gen_int(g));
			break;
		default:	/* declares an object: not generated */
			break;
		}
	}
	if (d->result)
		sb_add(&b, " -> v%d", g->nvar++);
	/* a closed handle is not used again (OPF_CLOSES) */
	for (int i = 0; (d->flags & OPF_CLOSES) && i < nobj; i++)
		drop_obj(g, objs[i]);
	sb_add(&b, "\n");
	if (!b.oom)
		sb_add(&g->body, "%s", b.p);
	free(b.p);
	g->nops++;
	return true;
}

/* the text of the program; NULL without memory */
static char *gen_text(struct gen *g, uint64_t seed, uint64_t index,
		      const char *top, const char *body)
{
	struct sbuf t = { 0 };

	sb_add(&t, "scenario fuzz_%" PRIu64 "_%" PRIu64 "\n", seed, index);
	sb_add(&t, "%s", top);
	sb_add(&t, "thread t\n%send\n", body);
	(void)g;
	if (t.oom) {
		free(t.p);
		return NULL;
	}
	return t.p;
}

/* drop line @line (1-based) of @text in place */
static void drop_line(char *text, int line)
{
	char *p = text, *e;

	for (int l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return;
	e = strchr(p, '\n');
	if (e)
		memmove(p, e + 1, strlen(e + 1) + 1);
	else
		*p = 0;
}

char *kfuzz_gen(uint64_t seed, uint64_t index, int max_ops, long page,
		int *rejected)
{
	struct gen g = { .page = page > 0 ? page : 4096 };
	int ops[SCN_NR_OPS], nops = 0, n;
	char *text;

	g.rng.s = seed * 0x2545f4914f6cdd1dull ^ (index + 1) * 0x9e3779b97f4a7c15ull;
	rnd(&g.rng);
	for (int k = 0; k < SCN_NR_OPS; k++)
		if (op_runnable(k))
			ops[nops++] = k;
	n = 1 + (int)below(&g.rng, (uint64_t)(max_ops > 0 ? max_ops : 1));
	sb_add(&g.top, "%s", "");
	sb_add(&g.body, "%s", "");
	while (g.nops < n && nops)
		gen_op(&g, ops[below(&g.rng, (uint64_t)nops)], 0);
	text = gen_text(&g, seed, index, g.top.p ? g.top.p : "",
			g.body.p ? g.body.p : "");
	free(g.top.p);
	free(g.body.p);
	/* a statement that does not parse (a combination the table cannot
	 * express) is dropped, then those that needed it */
	for (int tries = 0; text && tries < 256; tries++) {
		struct scn *s = NULL;
		struct scn_error e;

		if (!scn_parse_string("fuzz", text, strlen(text), NULL, &s, &e)) {
			scn_free(s);
			return text;
		}
		if (e.line <= 1) {
			free(text);
			return NULL;
		}
		if (rejected)
			(*rejected)++;
		drop_line(text, e.line);
	}
	free(text);
	return NULL;
}

/* --- disagreements ------------------------------------------------------------ */

/*
 * The disagreements that are explained: each is a deliberate modelling
 * choice with a DEVIATION: comment where the model makes it and a section
 * of docs/deviations.md.  @sig is an fnmatch(3) pattern on a
 * disagreement's signature (sig_of()): "OP(KIND):OBSERVABLE MODEL/KERNEL",
 * KIND the kind of the operation's first operand, the values with every
 * positive number written N.  Keep this list and
 * docs/deviations.md in step.
 */
static const struct known_diff {
	const char *sig;
	const char *why;
	const char *needs;	/* text the program must contain, or NULL */
} known_diffs[] = {
	/* no clock: corked (MSG_MORE) data is pushed by the XMIT event
	 * that stands for the 200 ms probe timer; the live run does not
	 * wait for it */
	{ "read(socket):result N/-EAGAIN", "TCP has no clock (lib/tcp.c)",
	  " more" },
	{ "recv(socket):result N/-EAGAIN", "TCP has no clock (lib/tcp.c)",
	  " more" },
	{ "splice(socket):result N/-EAGAIN", "TCP has no clock (lib/tcp.c)",
	  " more" },
	{ "read(socket):result N/N", "TCP has no clock (lib/tcp.c)", " more" },
	{ "recv(socket):result N/N", "TCP has no clock (lib/tcp.c)", " more" },
	/* ... and reaches a peer that then closes with it unread: RST */
	{ "*(socket):result -ECONNRESET/*", "TCP has no clock (lib/tcp.c)",
	  " more" },
	/* ... or reaches a peer already closed: its RST makes the next
	 * send -EPIPE, where the kernel, still corked, sent nothing */
	{ "*(socket):result -EPIPE/N", "TCP has no clock (lib/tcp.c)",
	  " more" },
	/* truesize is the payload: AF_UNIX SIOCOUTQ (sk_wmem_alloc) counts
	 * the skbs' allocations in the kernel (768 for a 5-byte send) */
	{ "ioctl(socket):result N/N", "skb truesize (lib/af_unix.c, lib/tcp.c)",
	  " SIOCOUTQ" },
	/* one-page page_frag pieces: a source that faults part way (TCP
	 * and AF_UNIX sockets: both copy into page frags) */
	{ "send(socket):result N/-EFAULT",
	  "TCP copies in one-page pieces (lib/tcp.c)", NULL },
	{ "write(socket):result N/-EFAULT",
	  "TCP copies in one-page pieces (lib/tcp.c)", NULL },
	{ "send(socket):result N/N", "TCP copies in one-page pieces (lib/tcp.c)", NULL },
	{ "write(socket):result N/N",
	  "TCP copies in one-page pieces (lib/tcp.c)", NULL },
	/* no RLIMIT_MEMLOCK accounting of MSG_ZEROCOPY */
	{ "send(socket):result */-ENOBUFS",
	  "No RLIMIT_MEMLOCK accounting of MSG_ZEROCOPY (lib/zerocopy.c)", NULL },
	{ NULL, NULL, NULL },
};

/* a printed value with positive numbers as N, errno names kept */
static void norm_val(const char *v, char *out, size_t n)
{
	size_t k = 0;

	while (*v == ' ')
		v++;
	if (*v >= '1' && *v <= '9') {
		snprintf(out, n, "N");
		return;
	}
	while (v[k] && v[k] != ' ' && k + 1 < n) {
		out[k] = v[k];
		k++;
	}
	out[k] = 0;
}

static void sig_of(const struct kern_diff *d, char *buf, size_t n)
{
	const char *op = d->op >= 0 ? op_table[d->op].name : "cond";
	char m[40], k[40];

	if (!strcmp(d->what, "bytes")) {
		snprintf(buf, n, "%s(%s):%s", op, d->obj, d->what);
		return;
	}
	norm_val(d->model, m, sizeof(m));
	norm_val(d->kernel, k, sizeof(k));
	snprintf(buf, n, "%s(%s):%s %s/%s", op, d->obj, d->what, m, k);
}

static const struct known_diff *known(const char *sig, const char *text)
{
	for (size_t i = 0; known_diffs[i].sig; i++)
		if (!fnmatch(known_diffs[i].sig, sig, 0) &&
		    (!known_diffs[i].needs || strstr(text, known_diffs[i].needs)))
			return &known_diffs[i];
	return NULL;
}

/* --- the run --------------------------------------------------------------------- */

struct distinct {
	char sig[160];
	uint64_t count;
	const char *why;	/* explained */
	char path[512];		/* the shrunk scenario */
	bool flaky;
	bool env;		/* seen only while the user was limited */
};

struct fuzz {
	uint64_t seed, n;
	int max_ops;
	const char *out;
	struct scn_overrides ov;
	struct kern_opts ko;
	struct host_facts host;
	/* counts */
	uint64_t done, agree, differ, explained, unexplained, flaky;
	uint64_t environment;	/* the user over its pipe page limit */
	uint64_t skipped, errors, runs;
	int rejected;
	struct distinct *dist;
	int nr_dist, cap_dist;
	struct {
		const char *name;
		uint64_t count;
	} viol[32];
	int nr_viol;
	bool out_made;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* run @text; Return: KERNEL_EXIT_*, the diffs in @res */
static int run_text(struct fuzz *f, const char *text, struct kern_result *res)
{
	struct scn *s = NULL;
	struct scn_error e;
	int ret;

	memset(res, 0, sizeof(*res));
	if (scn_parse_string("fuzz.scn", text, strlen(text), &f->ov, &s, &e))
		return -1;	/* not a program */
	f->runs++;
	{
		int64_t t0 = now_ms();

		ret = kernel_compare(s, "fuzz.scn", &f->ko, res);
		if (getenv("SPANSIM_FUZZ_TRACE"))
			fprintf(stderr, "fuzz: run %" PRIu64 ": %d ms, exit %d\n",
				f->runs, (int)(now_ms() - t0), ret);
		/* a model that grew large leaves a large heap behind: give
		 * it back, or every later fork of an agent copies it */
		if (now_ms() - t0 > 200)
			malloc_trim(0);
	}
	scn_free(s);
	/* agents of forked processes are ours (PR_SET_CHILD_SUBREAPER) */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return ret;
}

/*
 * Is the agents' user over its pipe page limit now?  fs.pipe-user-pages-
 * soft is per user, shared with every other process of user nobody on the
 * machine (other differential runs): over it, a new pipe gets 2 buffers
 * and F_SETPIPE_SZ past them is -EPERM, which the model (one user, alone)
 * does not see.  A disagreement seen while this holds is the
 * environment's, not the model's.
 */
static bool user_pipes_limited(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return false;
	if (pid == 0) {
		int p[2];

		if (geteuid() == 0 &&
		    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
			_exit(0);
		if (pipe(p))
			_exit(0);
		_exit(fcntl(p[1], F_GETPIPE_SZ) < 16 * sysconf(_SC_PAGESIZE) ||
		      fcntl(p[1], F_SETPIPE_SZ, 1 << 20) < 0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 1;
}

/* does @text still show a first disagreement of signature @sig? */
static bool still_differs(struct fuzz *f, const char *text, const char *sig)
{
	struct kern_result res;
	char s2[160];
	bool yes = false;

	if (run_text(f, text, &res) == KERNEL_EXIT_DIFFER && res.nr_diffs) {
		sig_of(&res.diffs[0], s2, sizeof(s2));
		yes = !strcmp(s2, sig);
	}
	kern_result_free(&res);
	return yes;
}

/*
 * Remove lines one at a time, last first, while the disagreement stays
 * and the program parses; repeat until no line can go.  @text is
 * shortened in place.
 */
static void shrink(struct fuzz *f, char *text, const char *sig)
{
	bool changed = true;
	int budget = 400;

	int64_t t0 = now_ms();

	while (changed && budget > 0 && !kernel_stopped() &&
	       now_ms() - t0 < FUZZ_SHRINK_MS) {
		int lines = 0;

		changed = false;
		for (const char *p = text; *p; p++)
			lines += *p == '\n';
		for (int l = lines; l >= 2 && budget > 0 && !kernel_stopped() &&
		     now_ms() - t0 < FUZZ_SHRINK_MS; l--) {
			char *cand = strdup(text);
			struct scn *s = NULL;

			if (!cand)
				return;
			drop_line(cand, l);
			if (scn_parse_string("fuzz.scn", cand, strlen(cand),
					     &f->ov, &s, NULL)) {
				free(cand);
				continue;
			}
			scn_free(s);
			budget--;
			if (still_differs(f, cand, sig)) {
				strcpy(text, cand);
				changed = true;
			}
			free(cand);
		}
	}
}

static struct distinct *distinct_of(struct fuzz *f, const char *sig)
{
	for (int i = 0; i < f->nr_dist; i++)
		if (!strcmp(f->dist[i].sig, sig))
			return &f->dist[i];
	if (f->nr_dist == f->cap_dist) {
		int cap = f->cap_dist ? 2 * f->cap_dist : 16;
		struct distinct *d = realloc(f->dist, (size_t)cap * sizeof(*d));

		if (!d)
			return NULL;
		f->dist = d;
		f->cap_dist = cap;
	}
	memset(&f->dist[f->nr_dist], 0, sizeof(f->dist[0]));
	snprintf(f->dist[f->nr_dist].sig, sizeof(f->dist[0].sig), "%s", sig);
	return &f->dist[f->nr_dist++];
}

/* write @text to the output directory; the path in @path */
static void save(struct fuzz *f, const char *prefix, uint64_t index,
		 const char *text, const struct kern_diff *d, const char *sig,
		 char *path, size_t n)
{
	FILE *fp;
	char name[96];
	size_t k = 0;

	if (!f->out_made) {
		mkdir(f->out, 0755);
		f->out_made = true;
	}
	/* the signature's operation and observable, as a file name */
	for (const char *p = sig; *p && *p != ' ' && k + 1 < sizeof(name);
	     p++) {
		if (*p == ')')
			continue;
		name[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ?
				    *p : '-';
	}
	name[k] = 0;
	snprintf(path, n, "%s/%s%s-%" PRIu64 "-%" PRIu64 ".scn", f->out,
		 prefix, name, f->seed, index);
	fp = fopen(path, "w");
	if (!fp) {
		fprintf(stderr, "spansim kernel --fuzz: %s: %s\n", path,
			strerror(errno));
		path[0] = 0;
		return;
	}
	fprintf(fp, "# spansim kernel --fuzz %" PRIu64 " --seed %" PRIu64
		": program %" PRIu64 "%s\n", f->n, f->seed, index,
		prefix[0] ? " (did not disagree again when rerun)" : ", shrunk");
	for (int i = 0; i < f->ov.nr_policies; i++)
		fprintf(fp, "# run with --policy %s\n", f->ov.policies[i]);
	fprintf(fp, "# first disagreement: %s (line %d before shrinking): model %s, kernel %s\n",
		sig, d->line, d->model, d->kernel);
	fputs(text, fp);
	fclose(fp);
}

static void one_program(struct fuzz *f, uint64_t index)
{
	struct kern_result res;
	char *text = kfuzz_gen(f->seed, index, f->max_ops, f->host.page_size,
			       &f->rejected);
	char sig[160];
	struct distinct *ds;
	const struct known_diff *kd;
	int ret;

	if (!text) {
		f->errors++;
		return;
	}
	ret = run_text(f, text, &res);
	if (kernel_stopped()) {
		kern_result_free(&res);
		free(text);
		return;
	}
	f->done++;
	if (res.violation) {
		int i;

		for (i = 0; i < f->nr_viol; i++)
			if (!strcmp(f->viol[i].name, res.violation))
				break;
		if (i < 32) {
			f->viol[i].name = res.violation;
			f->viol[i].count++;
			if (i == f->nr_viol)
				f->nr_viol++;
		}
	}
	switch (ret) {
	case KERNEL_EXIT_AGREE:
		f->agree++;
		break;
	case KERNEL_EXIT_SKIP:
		f->skipped++;
		break;
	case KERNEL_EXIT_DIFFER:
		break;
	default:
		f->errors++;
		break;
	}
	if (ret != KERNEL_EXIT_DIFFER || !res.nr_diffs) {
		kern_result_free(&res);
		free(text);
		return;
	}
	f->differ++;
	sig_of(&res.diffs[0], sig, sizeof(sig));
	ds = distinct_of(f, sig);
	kd = known(sig, text);
	if (ds)
		ds->count++;
	if (kd) {
		f->explained++;
		if (ds)
			ds->why = kd->why;
	} else if (user_pipes_limited()) {
		f->environment++;
		if (ds && !ds->why && !ds->path[0])
			ds->env = true;
	} else if (ds && (ds->path[0] || ds->flaky)) {
		/* shrunk once already */
		f->unexplained++;
	} else if (!still_differs(f, text, sig)) {
		f->flaky++;
		if (ds) {
			ds->flaky = true;
			save(f, "flaky-", index, text, &res.diffs[0], sig,
			     ds->path, sizeof(ds->path));
			printf("fuzz: program %" PRIu64 ": %s, not again when rerun: %s\n",
			       index, sig, ds->path);
		}
	} else {
		f->unexplained++;
		shrink(f, text, sig);
		if (ds) {
			save(f, "", index, text, &res.diffs[0], sig, ds->path,
			     sizeof(ds->path));
			printf("fuzz: program %" PRIu64 ": %s: %s\n", index, sig,
			       ds->path);
		}
		fflush(stdout);
	}
	kern_result_free(&res);
	free(text);
}

static void progress(struct fuzz *f, int64_t t0, FILE *out)
{
	double s = (double)(now_ms() - t0) / 1000.0;

	fprintf(out, "fuzz: %" PRIu64 "/%" PRIu64 " programs in %.0f s (%.1f/s): %" PRIu64
		" agree, %" PRIu64 " disagree (%" PRIu64 " explained, %" PRIu64
		" unexplained, %" PRIu64 " flaky, %" PRIu64
		" environment), %" PRIu64 " skipped, %" PRIu64
		" rejected by the model (run-time error)\n", f->done, f->n, s, s > 0 ? (double)f->done / s : 0.0,
		f->agree, f->differ, f->explained, f->unexplained, f->flaky,
		f->environment,
		f->skipped, f->errors);
}

static const char usage_fuzz[] =
"usage: spansim kernel --fuzz N [--seed S] [--out DIR] [--max-ops K]\n"
"                      [--policy K=V]... [--print]\n";

int cmd_kernel_fuzz(int argc, char **argv)
{
	static const char *pols[64];
	struct fuzz f = { .seed = 1, .max_ops = 12, .out = "difffuzz-out" };
	int64_t t0, last;
	int npol = 0;
	bool print = false;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (!strcmp(a, "--fuzz") || !strcmp(a, "--seed") ||
		    !strcmp(a, "--max-ops")) {
			unsigned long long x;

			if (!v) {
				fprintf(stderr, "spansim kernel: %s needs a value\n", a);
				return KERNEL_EXIT_USAGE;
			}
			errno = 0;
			x = strtoull(v, &end, 0);
			if (errno || !*v || *end || v[0] == '-' ||
			    (a[2] == 'm' && (x < 1 || x > 60))) {
				fprintf(stderr, "spansim kernel: bad %s '%s'\n", a, v);
				return KERNEL_EXIT_USAGE;
			}
			if (a[2] == 'f')
				f.n = x;
			else if (a[2] == 's')
				f.seed = x;
			else
				f.max_ops = (int)x;
			i++;
		} else if (!strcmp(a, "--print")) {
			print = true;
		} else if (!strcmp(a, "--out") || !strcmp(a, "--policy")) {
			if (!v) {
				fprintf(stderr, "spansim kernel: %s needs a value\n", a);
				return KERNEL_EXIT_USAGE;
			}
			if (a[2] == 'o')
				f.out = v;
			else if (npol < 64)
				pols[npol++] = v;
			i++;
		} else {
			fprintf(stderr, "spansim kernel: --fuzz: unknown argument '%s'\n%s",
				a, usage_fuzz);
			return KERNEL_EXIT_USAGE;
		}
	}
	f.ov = (struct scn_overrides){ .policies = pols, .nr_policies = npol };
	{
		/* the overrides must parse before anything runs */
		struct scn *s = NULL;
		struct scn_error e;
		const char *t = "scenario x\nthread t\n  pipe p\nend\n";

		if (scn_parse_string("--policy", t, strlen(t), &f.ov, &s, &e)) {
			char buf[512];

			scn_error_format(&e, buf, sizeof(buf));
			fprintf(stderr, "%s\n", buf);
			return KERNEL_EXIT_USAGE;
		}
		scn_free(s);
	}
	host_probe(&f.host);
	/* the files' file system decides s_maxbytes (as for one scenario) */
	if (f.host.s_maxbytes > 0) {
		static char set_max[64];
		static const char *sets[1];

		snprintf(set_max, sizeof(set_max), "s_maxbytes=%" PRId64,
			 f.host.s_maxbytes);
		sets[0] = set_max;
		f.ov.sets = sets;
		f.ov.nr_sets = 1;
	}
	if (print) {
		/* the programs only, nothing run */
		for (uint64_t i = 0; i < f.n; i++) {
			char *t = kfuzz_gen(f.seed, i, f.max_ops,
					    f.host.page_size, NULL);

			printf("# program %" PRIu64 "\n%s", i, t ? t : "");
			free(t);
		}
		return KERNEL_EXIT_AGREE;
	}
	/* a program whose model outgrows the budget is skipped instead of
	 * swapping the machine (an address-space limit would stop ASan and
	 * Valgrind, which reserve more than a gigabyte themselves) */
	f.ko = (struct kern_opts){ .quiet = true, .any_policy = npol > 0,
				   .host = &f.host,
				   .max_model_bytes = FUZZ_MAX_MODEL };
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	kernel_catch_stop();
	printf("fuzz: %" PRIu64 " programs, seed %" PRIu64 ", at most %d operations each%s%s\n",
	       f.n, f.seed, f.max_ops, npol ? "; model policy off mainline: " : "",
	       npol ? pols[0] : "");
	fflush(stdout);
	t0 = last = now_ms();
	for (uint64_t i = 0; i < f.n && !kernel_stopped(); i++) {
		one_program(&f, i);
		if (now_ms() - last >= 5000) {
			last = now_ms();
			progress(&f, t0, stderr);
		}
	}
	progress(&f, t0, stdout);
	if (f.rejected)
		printf("fuzz: %d generated statements did not parse and were dropped\n",
		       f.rejected);
	printf("fuzz: %" PRIu64 " runs in all (shrinking and reruns included)\n", f.runs);
	for (int i = 0; i < f.nr_viol; i++)
		printf("fuzz: the model run ended in %s in %" PRIu64 " programs\n",
		       f.viol[i].name, f.viol[i].count);
	if (f.nr_dist)
		printf("fuzz: %d distinct disagreements (operation:observable model/kernel):\n",
		       f.nr_dist);
	for (int i = 0; i < f.nr_dist; i++) {
		const struct distinct *d = &f.dist[i];

		printf("  %6" PRIu64 "  %-40s %s%s\n", d->count, d->sig,
		       d->why ? "explained: " : d->flaky ? "flaky: " :
		       d->path[0] ? "UNEXPLAINED: " :
		       "environment: user nobody over fs.pipe-user-pages-soft",
		       d->why ? d->why : d->path);
	}
	if (kernel_stopped()) {
		printf("fuzz: INCOMPLETE: interrupted by %s after %" PRIu64 " of %" PRIu64 " programs\n",
		       kernel_stopped() == SIGTERM ? "SIGTERM" : "SIGINT", f.done, f.n);
		free(f.dist);
		return KERNEL_EXIT_INCOMPLETE;
	}
	free(f.dist);
	return f.unexplained ? KERNEL_EXIT_DIFFER : KERNEL_EXIT_AGREE;
}
