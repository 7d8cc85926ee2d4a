// SPDX-License-Identifier: MIT
/*
 * ops_decode.c - fuzz input -> libspan operations (see ops_decode.h).
 *
 * Not a kernel file.  Used by fuzz_ops.c (included there, since every fuzz
 * target is built from one source file) and by ops2scn.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ops_decode.h"

#define MAX_PROCS	4
#define MAX_REGIONS	8
#define MAX_PIPES	8
#define MAX_FILES	4
#define MAX_HELD	64
#define MAX_GUP		8
#define BUF_MAX		4096

struct held {
	int page;
	bool pin;
};

struct ops_state {
	struct span_world *w;
	uint64_t ps;			/* page size */
	int pids[MAX_PROCS];
	int nprocs;
	int regions[MAX_REGIONS];
	int nregions;
	int pipes[MAX_PIPES];
	int npipes;
	int files[MAX_FILES];
	int nfiles;
	struct held held[MAX_HELD];
	int nheld;
	/* the .scn being printed */
	FILE *out;		/* the body (setup blocks), or NULL */
	int block_proc;		/* process of the open setup block, -1 none */
	int nr_gup;		/* operations .scn cannot express */
	int nr_vars;
	int verbose;
};

/* --- configuration ------------------------------------------------------ */

static void config_default(struct ops_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	span_policy_default(&cfg->policy);
	cfg->param[SPAN_PARAM_PAGE_SIZE] = 64;
	cfg->param_set[SPAN_PARAM_PAGE_SIZE] = 1;
}

int ops_config_parse(struct ops_config *cfg, const char *text)
{
	char buf[512], *save = NULL, *tok;

	config_default(cfg);
	if (!text || !*text)
		return 0;
	snprintf(cfg->text, sizeof(cfg->text), "%s", text);
	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(tok, '=');
		int p;

		if (!eq) {
			fprintf(stderr, "SPAN_FUZZ_POLICY: '%s' is not KEY=VALUE\n", tok);
			return -EINVAL;
		}
		*eq = 0;
		if (!strcmp(tok, "check")) {
			cfg->check_mode = span_check_mode_lookup(eq + 1);
			if (cfg->check_mode < 0) {
				fprintf(stderr, "SPAN_FUZZ_POLICY: no checker mode '%s' (incremental, full, verify)\n",
					eq + 1);
				return -EINVAL;
			}
		} else if (!strcmp(tok, "allow")) {
			int inv = span_invariant_lookup(eq + 1);

			if (inv < 0) {
				fprintf(stderr, "SPAN_FUZZ_POLICY: no invariant '%s'\n",
					eq + 1);
				return -EINVAL;
			}
			cfg->allow[inv] = 1;
		} else if (!strcmp(tok, "preset")) {
			if (span_policy_preset(&cfg->policy, eq + 1)) {
				fprintf(stderr, "SPAN_FUZZ_POLICY: no preset '%s'\n", eq + 1);
				return -EINVAL;
			}
		} else if (span_knob_lookup(tok) >= 0) {
			if (span_policy_set(&cfg->policy, tok, eq + 1)) {
				fprintf(stderr, "SPAN_FUZZ_POLICY: bad value '%s' for %s\n",
					eq + 1, tok);
				return -EINVAL;
			}
		} else if ((p = span_param_lookup(tok)) >= 0) {
			char *end;

			cfg->param[p] = strtoull(eq + 1, &end, 0);
			if (*end || end == eq + 1) {
				fprintf(stderr, "SPAN_FUZZ_POLICY: bad number '%s'\n", eq + 1);
				return -EINVAL;
			}
			cfg->param_set[p] = 1;
		} else {
			fprintf(stderr, "SPAN_FUZZ_POLICY: unknown knob or parameter '%s'\n",
				tok);
			return -EINVAL;
		}
	}
	return 0;
}

/* --- printing the scenario --------------------------------------------- */

static void print_ret(FILE *f, int64_t ret)
{
	const char *en = ret < 0 ? span_errname((int)ret) : NULL;

	if (en)
		fprintf(f, "  # = -%s\n", en);
	else
		fprintf(f, "  # = %lld\n", (long long)ret);
}

static const char *proc_name(int i, char *buf, size_t n)
{
	if (!i)
		return "init";
	snprintf(buf, n, "c%d", i);
	return buf;
}

/* start the line of an operation of process @proc (NULL: not printing) */
static FILE *line_start(struct ops_state *st, int proc)
{
	char nb[16];

	if (!st->out)
		return NULL;
	if (st->block_proc != proc) {
		if (st->block_proc >= 0)
			fputs("end\n", st->out);
		if (proc)
			fprintf(st->out, "setup as %s\n",
				proc_name(proc, nb, sizeof(nb)));
		else
			fputs("setup\n", st->out);
		st->block_proc = proc;
	}
	fputs("  ", st->out);
	return st->out;
}

static void print_str(FILE *f, int byte, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++)
		fputc(byte, f);
	fputc('"', f);
}

/* --- objects --------------------------------------------------------------- */

enum fd_role { FD_IN, FD_OUT };

/*
 * A handle from selector @s, and its name in the .scn when one is printed;
 * false when there is no object at all.
 */
static bool pick_fd(struct ops_state *st, uint8_t s, enum fd_role role,
		    int *fd, char *name, size_t n)
{
	if (st->nfiles && (s & 0x80)) {
		int i = (s & 0x7f) % st->nfiles;

		*fd = SPAN_FD(SPAN_FD_FILE, st->files[i]);
		if (st->out)
			snprintf(name, n, "f%d", i);
		return true;
	}
	if (st->npipes) {
		int i = (s & 0x3f) % st->npipes;
		bool rd = (role == FD_IN) != !!(s & 0x40);

		*fd = SPAN_FD(rd ? SPAN_FD_PIPE_R : SPAN_FD_PIPE_W, st->pipes[i]);
		if (st->out)
			snprintf(name, n, "p%d.%c", i, rd ? 'r' : 'w');
		return true;
	}
	if (st->nfiles) {
		int i = s % st->nfiles;

		*fd = SPAN_FD(SPAN_FD_FILE, st->files[i]);
		if (st->out)
			snprintf(name, n, "f%d", i);
		return true;
	}
	return false;
}

static void held_release(struct ops_state *st, int i)
{
	if (st->held[i].pin)
		span_unpin_user_page(st->w, st->held[i].page);
	else
		span_put_page(st->w, st->held[i].page);
	st->held[i] = st->held[--st->nheld];
}

/* --- one operation ----------------------------------------------------------- */

/*
 * Run record @rec (@idx-th) as one step.  Return: false when the world
 * recorded a violation (the run stops, as `spansim run` does).
 */
static bool run_one(struct ops_state *st, int idx, const uint8_t *rec)
{
	struct span_world *w = st->w;
	uint8_t a = rec[1], b = rec[2], c = rec[3], d = rec[4], e = rec[5],
		f = rec[6];
	int op = rec[0] % OPS_NR;
	int proc = 0, pid, region = 0, ri = 0, err, fd = 0, fd2 = 0;
	char n1[16], n2[16], nb[16];
	static char buf[BUF_MAX], data[BUF_MAX];
	int64_t ret = 0;
	bool skip = false, comment = false, partial = false;
	FILE *o = NULL;
	size_t len, done = 0;
	uint64_t off;

	/* operands that name a process and a region */
	switch (op) {
	case OPS_MMAP: case OPS_LOAD: case OPS_STORE: case OPS_FORK:
	case OPS_MUNMAP: case OPS_GUP:
		proc = a % st->nprocs;
		break;
	case OPS_VMSPLICE:
		proc = c % st->nprocs;
		break;
	case OPS_WRITE:
		proc = e % st->nprocs;
		break;
	default:
		break;
	}
	pid = st->pids[proc];
	span_world_step_begin(w, 0, pid);

	switch (op) {
	case OPS_MMAP: {
		unsigned int fl = (c & 1) ? SPAN_MMAP_UNTOUCHED : 0;
		char fill = (char)('A' + d % 26);
		uint64_t size = (uint64_t)(b % 4 + 1) * st->ps;

		if (st->nregions == MAX_REGIONS) {
			skip = true;
			break;
		}
		err = span_mmap_anon(w, pid, size, fl, &fill, 1, &region);
		ret = err;
		if ((o = line_start(st, proc))) {
			fprintf(o, "s%d: mem m%d %llu", idx, st->nregions,
				(unsigned long long)size);
			fprintf(o, fl ? " untouched" : " fill \"%c\"", fill);
		}
		st->regions[st->nregions++] = err ? 0 : region;
		break;
	}
	case OPS_STORE:
	case OPS_LOAD:
	case OPS_MUNMAP:
	case OPS_GUP:
		if (!st->nregions) {
			skip = true;
			break;
		}
		ri = b % st->nregions;
		region = st->regions[ri];
		off = c % (5 * st->ps);
		if (op == OPS_STORE) {
			len = 1 + d % 96;
			memset(data, 'a' + e % 26, len);
			ret = span_store(w, pid, region, off, data, len);
			if ((o = line_start(st, proc))) {
				fprintf(o, "s%d: store m%d %llu ", idx, ri,
					(unsigned long long)off);
				print_str(o, 'a' + e % 26, len);
			}
		} else if (op == OPS_LOAD) {
			len = d % 160;
			ret = span_load(w, pid, region, off, buf, len);
			if ((o = line_start(st, proc)))
				fprintf(o, "s%d: load m%d %llu %zu -> v%d", idx,
					ri, (unsigned long long)off, len,
					st->nr_vars++);
		} else if (op == OPS_MUNMAP) {
			ret = span_munmap(w, pid, region);
			if ((o = line_start(st, proc)))
				fprintf(o, "s%d: munmap m%d", idx, ri);
		} else {
			unsigned int gup = ((e & 1) ? SPAN_FOLL_PIN : SPAN_FOLL_GET) |
					   ((e & 2) ? SPAN_FOLL_WRITE : 0);
			int pages[MAX_GUP];

			len = 1 + d % 128;
			ret = span_get_user_pages(w, pid, region, off, len, gup,
						  pages, MAX_GUP);
			for (int i = 0; i < ret; i++) {
				if (st->nheld == MAX_HELD) {
					/* no room: give it back at once */
					if (gup & SPAN_FOLL_PIN)
						span_unpin_user_page(w, pages[i]);
					else
						span_put_page(w, pages[i]);
					continue;
				}
				st->held[st->nheld++] = (struct held){
					pages[i], !!(gup & SPAN_FOLL_PIN) };
			}
			comment = true;
			st->nr_gup++;
			if ((o = line_start(st, proc)))
				fprintf(o, "# %s_user_pages m%d %llu %zu%s",
					(gup & SPAN_FOLL_PIN) ? "pin" : "get",
					ri, (unsigned long long)off, len,
					(gup & SPAN_FOLL_WRITE) ? " write" : "");
		}
		break;
	case OPS_FORK: {
		int child = 0;

		if (st->nprocs == MAX_PROCS) {
			skip = true;
			break;
		}
		err = span_fork(w, pid, &child);
		ret = err;
		if (err) {
			/* the scenario cannot name a process that failed */
			comment = true;
		} else {
			st->pids[st->nprocs++] = child;
		}
		if ((o = line_start(st, proc))) {
			if (comment)
				fputs("# ", o);
			fprintf(o, "s%d: fork %s", idx,
				proc_name(err ? 9 : st->nprocs - 1, nb, sizeof(nb)));
		}
		break;
	}
	case OPS_PIPE: {
		unsigned int fl = ((a & 1) ? SPAN_PIPE_PACKET : 0) |
				  ((a & 2) ? SPAN_PIPE_NONBLOCK : 0);
		int p = 0;

		if (st->npipes == MAX_PIPES) {
			skip = true;
			break;
		}
		ret = span_pipe_create(w, fl, &p);
		/* the pipe exists even when the resize below fails (the runner) */
		st->pipes[st->npipes] = ret ? 0 : p;
		/* `pipe NAME SIZE`: a small ring (1, 2 or 4 slots) wraps soon */
		if (!ret && (a & 4)) {
			int64_t sz = span_pipe_set_size(w, SPAN_FD(SPAN_FD_PIPE_W, p),
							st->ps << (b % 3));

			ret = sz < 0 ? sz : 0;
		}
		if ((o = line_start(st, proc))) {
			fprintf(o, "s%d: pipe p%d", idx, st->npipes);
			if (a & 4)
				fprintf(o, " %llu",
					(unsigned long long)(st->ps << (b % 3)));
			fprintf(o, "%s%s", (fl & SPAN_PIPE_PACKET) ? " packet" : "",
				(fl & SPAN_PIPE_NONBLOCK) ? " nonblock" : "");
		}
		st->npipes++;
		break;
	}
	case OPS_CLOSE:
		if (!pick_fd(st, a, (a & 0x20) ? FD_OUT : FD_IN, &fd, n1,
			     sizeof(n1))) {
			skip = true;
			break;
		}
		ret = span_close(w, pid, fd);
		if ((o = line_start(st, proc)))
			fprintf(o, "s%d: close %s", idx, n1);
		break;
	case OPS_PIPE_SIZE: {
		uint64_t size = (((uint64_t)b << 8) | c) % 2100;

		if (!st->npipes) {
			skip = true;
			break;
		}
		if (b & 0x80)
			size = (uint64_t)1 << (c % 22);
		ret = span_pipe_set_size(w, SPAN_FD(SPAN_FD_PIPE_W,
						    st->pipes[a % st->npipes]),
					 size);
		if ((o = line_start(st, proc)))
			fprintf(o, "s%d: pipe_size p%d.w %llu", idx,
				a % st->npipes, (unsigned long long)size);
		break;
	}
	case OPS_WRITE: {
		struct span_src src = { 0 };
		unsigned int fl = (b & 1) ? SPAN_O_NONBLOCK : 0;

		len = (b & 4) ? (size_t)c * 8 : c;	/* up to a full pipe */
		if (!pick_fd(st, a, FD_OUT, &fd, n1, sizeof(n1))) {
			skip = true;
			break;
		}
		if ((b & 2) && st->nregions) {
			ri = f % st->nregions;
			src.region = st->regions[ri];
			src.off = d % (4 * st->ps);
		} else {
			memset(data, 'a' + d % 26, len);
			src.buf = data;
		}
		ret = span_write(w, pid, fd, &src, len, fl, &done);
		if (ret == -SPAN_EWOULDSLEEP && done) {
			/* a blocking write that moved some bytes and would
			 * sleep: what a nonblocking write returns */
			ret = (int64_t)done;
			partial = true;
		}
		if ((o = line_start(st, proc))) {
			fprintf(o, "s%d: write %s ", idx, n1);
			if (src.region)
				fprintf(o, "m%d %llu %zu", ri,
					(unsigned long long)src.off, len);
			else
				print_str(o, 'a' + d % 26, len);
			if (fl || partial)
				fputs(" nonblock", o);
		}
		break;
	}
	case OPS_READ: {
		unsigned int fl = (b & 1) ? SPAN_O_NONBLOCK : 0;

		len = (b & 4) ? (size_t)c * 8 : c;
		if (!pick_fd(st, a, FD_IN, &fd, n1, sizeof(n1))) {
			skip = true;
			break;
		}
		ret = span_read(w, pid, fd, buf, len, fl);
		if ((o = line_start(st, proc)) && ret != -SPAN_EWOULDSLEEP)
			fprintf(o, "s%d: read %s %zu%s -> v%d", idx, n1, len,
				fl ? " nonblock" : "", st->nr_vars++);
		break;
	}
	case OPS_VMSPLICE: {
		unsigned int fl = ((b & 1) ? SPAN_SPLICE_F_NONBLOCK : 0) |
				  ((b & 2) ? SPAN_SPLICE_F_GIFT : 0);

		if (!st->nregions || !st->npipes) {
			skip = true;
			break;
		}
		/* the write end maps pages in; the read end copies out */
		pick_fd(st, a & 0x7f, (b & 4) ? FD_IN : FD_OUT, &fd, n1,
			sizeof(n1));
		ri = d % st->nregions;
		off = e % (4 * st->ps);
		len = f;
		ret = span_vmsplice(w, pid, fd, st->regions[ri], off, len, fl);
		if ((o = line_start(st, proc)) && ret != -SPAN_EWOULDSLEEP)
			fprintf(o, "s%d: vmsplice %s m%d %llu %zu%s%s", idx, n1,
				ri, (unsigned long long)off, len,
				(fl & SPAN_SPLICE_F_GIFT) ? " gift" : "",
				(fl & SPAN_SPLICE_F_NONBLOCK) ? " nonblock" : "");
		break;
	}
	case OPS_SPLICE:
	case OPS_TEE: {
		unsigned int fl = ((c & 1) ? SPAN_SPLICE_F_NONBLOCK : 0) |
				  ((c & 2) ? SPAN_SPLICE_F_MORE : 0) |
				  ((c & 4) ? SPAN_SPLICE_F_MOVE : 0);
		uint64_t pos = e % (5 * st->ps), *off_in = NULL, *off_out = NULL;
		bool has_off = op == OPS_SPLICE && (c & 8);

		if (op == OPS_TEE) {
			/* tee takes pipes only (in the language too) */
			if (!st->npipes) {
				skip = true;
				break;
			}
			a &= 0x7f;
			b &= 0x7f;
		}
		if (!pick_fd(st, a, FD_IN, &fd, n1, sizeof(n1)) ||
		    !pick_fd(st, b, FD_OUT, &fd2, n2, sizeof(n2))) {
			skip = true;
			break;
		}
		len = d;
		if (op == OPS_TEE) {
			fl &= SPAN_SPLICE_F_NONBLOCK;
			ret = span_tee(w, pid, fd, fd2, len, fl);
		} else {
			/* where the runner applies `off N` */
			if (has_off) {
				if (SPAN_FD_TYPE(fd) == SPAN_FD_FILE ||
				    SPAN_FD_TYPE(fd2) != SPAN_FD_FILE)
					off_in = &pos;
				else
					off_out = &pos;
			}
			ret = span_splice(w, pid, fd, off_in, fd2, off_out, len,
					  fl);
		}
		if ((o = line_start(st, proc)) && ret != -SPAN_EWOULDSLEEP) {
			fprintf(o, "s%d: %s %s %s %zu", idx,
				op == OPS_TEE ? "tee" : "splice", n1, n2, len);
			if (has_off)
				fprintf(o, " off %llu",
					(unsigned long long)(e % (5 * st->ps)));
			if (fl & SPAN_SPLICE_F_NONBLOCK)
				fputs(" nonblock", o);
			if (fl & SPAN_SPLICE_F_MORE)
				fputs(" more", o);
			if (fl & SPAN_SPLICE_F_MOVE)
				fputs(" move", o);
		}
		break;
	}
	case OPS_FILE: {
		char fill = (char)('A' + c % 26);
		int file = 0;

		if (st->nfiles == MAX_FILES) {
			skip = true;
			break;
		}
		ret = span_file_create(w, b, (a & 1) ? SPAN_FILE_RDONLY : 0,
				       &fill, 1, &file);
		if ((o = line_start(st, proc)))
			fprintf(o, "s%d: file f%d %u fill \"%c\"%s", idx,
				st->nfiles, b, fill, (a & 1) ? " ro" : "");
		st->files[st->nfiles++] = ret ? 0 : file;
		break;
	}
	case OPS_PWRITE:
		if (!st->nfiles) {
			skip = true;
			break;
		}
		off = b % (5 * st->ps);
		len = 1 + c % 64;
		memset(data, 'a' + d % 26, len);
		ret = span_pwrite(w, pid, SPAN_FD(SPAN_FD_FILE,
						  st->files[a % st->nfiles]),
				  data, len, off);
		if ((o = line_start(st, proc))) {
			fprintf(o, "s%d: pwrite f%d %llu ", idx, a % st->nfiles,
				(unsigned long long)off);
			print_str(o, 'a' + d % 26, len);
		}
		break;
	case OPS_GUP_PUT:
		if (!st->nheld) {
			skip = true;
			break;
		}
		{
			int i = a % st->nheld;
			bool pin = st->held[i].pin;
			int page = st->held[i].page;

			held_release(st, i);
			comment = true;
			if ((o = line_start(st, proc)))
				fprintf(o, "# %s page#%d", pin ?
					"unpin_user_page" : "put_page", page);
		}
		break;
	default:
		skip = true;
	}

	if (skip || ret == -SPAN_EWOULDSLEEP) {
		/* nothing happened: a blocking call that would sleep */
		span_world_step_cancel(w);
		if (st->verbose && !skip)
			fprintf(stderr, "op %d: %d would block\n", idx, op);
		return true;
	}
	if (o)
		print_ret(o, ret);
	if (st->verbose)
		fprintf(stderr, "op %d: %d = %lld\n", idx, op, (long long)ret);
	return span_world_step_end(w) == 0;
}

/* --- a whole run --------------------------------------------------------- */

static void print_header(FILE *f, const struct ops_config *cfg,
			 const struct ops_state *st)
{
	char buf[512], *save = NULL, *tok, nb[16];

	fputs("scenario fuzz-ops\n"
	      "doc \"converted from a fuzz_ops input (tests/fuzz/ops2scn)\"\n",
	      f);
	if (st->nr_gup)
		fprintf(f, "# %d get_user_pages/put/unpin operations of the input "
			"have no .scn form:\n# they are kept as comments, and "
			"the replay may differ without them.\n", st->nr_gup);
	fprintf(f, "set page_size = %llu\n",
		(unsigned long long)cfg->param[SPAN_PARAM_PAGE_SIZE]);
	snprintf(buf, sizeof(buf), "%s", cfg->text);
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = 0;
		if (!strcmp(tok, "page_size"))
			continue;
		if (!strcmp(tok, "allow"))
			fprintf(f, "allow %s  # SPAN_FUZZ_POLICY\n", eq + 1);
		else if (span_param_lookup(tok) >= 0)
			fprintf(f, "set %s = %s\n", tok, eq + 1);
		else
			fprintf(f, "policy %s = %s\n", tok, eq + 1);
	}
	for (int i = 1; i < st->nprocs; i++)
		fprintf(f, "process %s\n", proc_name(i, nb, sizeof(nb)));
}

/* ops_run() in @w, a new world or one just reset */
static int run_in(struct span_world *w, const struct ops_config *cfg,
		  const uint8_t *data, size_t size, FILE *scn, int verbose)
{
	struct ops_config def;
	struct ops_state st;
	char *body = NULL;
	size_t body_len = 0;
	int nviol;

	if (!cfg) {
		config_default(&def);
		cfg = &def;
	}
	memset(&st, 0, sizeof(st));
	st.block_proc = -1;
	st.verbose = verbose;
	st.w = w;
	*span_world_policy(st.w) = cfg->policy;
	if (cfg->check_mode)
		span_world_set_check_mode(st.w, cfg->check_mode);
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		if (cfg->param_set[p])
			span_world_set_param(st.w, p, cfg->param[p]);
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		if (cfg->allow[i])
			span_world_allow(st.w, i, true);
	st.ps = span_world_param(st.w, SPAN_PARAM_PAGE_SIZE);
	st.pids[0] = SPAN_INIT_PID;
	st.nprocs = 1;
	if (scn)
		st.out = open_memstream(&body, &body_len);

	for (size_t i = 0; i + OPS_REC_SIZE <= size && i / OPS_REC_SIZE < OPS_MAX_RECS;
	     i += OPS_REC_SIZE)
		if (!run_one(&st, (int)(i / OPS_REC_SIZE), data + i))
			break;

	/* the harness gives back what it took, then the end of the run */
	if (!span_world_nr_violations(st.w)) {
		while (st.nheld)
			held_release(&st, st.nheld - 1);
		span_world_step_begin(st.w, 0, 0);
		span_world_teardown(st.w);
	}
	nviol = span_world_nr_violations(st.w);
	for (int i = 0; i < nviol && (verbose || scn); i++) {
		const struct span_violation *v = span_world_violation(st.w, i);

		fprintf(stderr, "violation %s at step %llu in %s: %s\n",
			span_invariant_name(v->inv), (unsigned long long)v->step,
			v->func ? v->func : "?", v->msg);
	}
	if (st.out) {
		if (st.block_proc >= 0)
			fputs("end\n", st.out);
		fclose(st.out);
		print_header(scn, cfg, &st);
		fputs("\n", scn);
		if (body)
			fwrite(body, 1, body_len, scn);
		if (nviol) {
			const struct span_violation *v = span_world_violation(st.w, 0);

			fprintf(scn, "\n# found by fuzz_ops: %s (%s)\n"
				"expect violation %s\n",
				span_invariant_name(v->inv), v->msg,
				span_invariant_name(v->inv));
		}
		free(body);
	}
	{
		struct span_check_stats cs;

		if (!span_world_check_stats(st.w, &cs) && cs.diverged) {
			fprintf(stderr, "ops_run: the incremental checker and the full walk disagree at step %llu: %s\n",
				(unsigned long long)cs.diverged_step,
				cs.diverged_msg);
			nviol = OPS_DIVERGED;
		}
	}
	return nviol;
}

int ops_run(const struct ops_config *cfg, const uint8_t *data, size_t size,
	    FILE *scn, int verbose)
{
	struct span_world *w;
	int ret;

	if (span_world_create(&w, NULL, NULL))
		return -ENOMEM;
	ret = run_in(w, cfg, data, size, scn, verbose);
	span_world_destroy(w);
	return ret;
}

int ops_run_world(struct span_world *w, const struct ops_config *cfg,
		  const uint8_t *data, size_t size, FILE *scn, int verbose)
{
	struct ops_config def;
	uint32_t mask = 0;
	int err;

	if (!cfg) {
		config_default(&def);
		cfg = &def;
	}
	/* the new world at the run's page size: no 4096-byte zero page */
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		if (cfg->param_set[p])
			mask |= 1u << p;
	err = span_world_reset_params(w, cfg->param, mask);
	if (err)
		return err;
	return run_in(w, cfg, data, size, scn, verbose);
}

/* --- structure-aware mutation ---------------------------------------------- */

static unsigned int next_rand(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Argument values worth trying: lengths and offsets at the edges of a
 * 64-byte page and of the x8 lengths, the selector bits of pick_fd()
 * (0x40 the other end, 0x80 a file) and the flag bits.
 */
static const uint8_t interesting[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127,
	128, 129, 191, 192, 254, 255, 0x40, 0x41, 0x80, 0x81, 0xc0,
};

/* opcodes whose argument bytes mean the same things (ops_mutate_nr()) */
static const uint8_t ops_kin[OPS_NR] = {
	[OPS_STORE] = 1, [OPS_LOAD] = 1, [OPS_GUP] = 1,	/* proc region off len */
	[OPS_WRITE] = 2, [OPS_READ] = 2,		/* fd flags len */
	[OPS_SPLICE] = 3, [OPS_TEE] = 3,		/* in out flags len */
	[OPS_FORK] = 4, [OPS_MUNMAP] = 4,		/* proc */
	[OPS_MMAP] = 5, [OPS_PIPE] = 5, [OPS_FILE] = 5,	/* a new object */
	[OPS_CLOSE] = 6, [OPS_GUP_PUT] = 6,		/* one handle */
};

size_t ops_mutate(uint8_t *data, size_t size, size_t max_size,
		  unsigned int seed)
{
	return ops_mutate_nr(data, size, max_size, seed, OPS_NR, ops_kin);
}

/* another opcode of @op's group, or @op when it has none */
static uint8_t kin_of(const uint8_t *kin, unsigned int nr_ops,
		      unsigned int op, unsigned int *s)
{
	unsigned int n = 0, pick;

	if (!kin || !kin[op])
		return (uint8_t)op;
	for (unsigned int k = 0; k < nr_ops; k++)
		n += k != op && kin[k] == kin[op];
	if (!n)
		return (uint8_t)op;
	pick = next_rand(s) % n;
	for (unsigned int k = 0; k < nr_ops; k++)
		if (k != op && kin[k] == kin[op] && !pick--)
			return (uint8_t)k;
	return (uint8_t)op;
}

size_t ops_mutate_nr(uint8_t *data, size_t size, size_t max_size,
		     unsigned int seed, unsigned int nr_ops,
		     const uint8_t *kin)
{
	size_t nrec = size / OPS_REC_SIZE, maxrec = max_size / OPS_REC_SIZE;
	unsigned int s = seed;
	size_t i, j, n;

	size = nrec * OPS_REC_SIZE;
	if (maxrec > OPS_MAX_RECS)
		maxrec = OPS_MAX_RECS;
	switch (next_rand(&s) % 6) {
	case 0:	/* one argument byte: a step, an edge value or any */
		if (!nrec)
			break;
		i = next_rand(&s) % nrec;
		i = i * OPS_REC_SIZE + 1 + next_rand(&s) % (OPS_REC_SIZE - 1);
		switch (next_rand(&s) % 4) {
		case 0:
			data[i] = (uint8_t)next_rand(&s);
			break;
		case 1:
			data[i] = interesting[next_rand(&s) %
					      sizeof(interesting)];
			break;
		default:
			data[i] = (uint8_t)(data[i] + next_rand(&s) % 5 - 2);
			break;
		}
		return size;
	case 1:	/* the opcode: half the time, to one of its kin */
		if (!nrec)
			break;
		i = next_rand(&s) % nrec;
		if (next_rand(&s) % 2)
			data[i * OPS_REC_SIZE] = kin_of(kin, nr_ops,
							data[i * OPS_REC_SIZE] % nr_ops, &s);
		else
			data[i * OPS_REC_SIZE] = (uint8_t)(next_rand(&s) % nr_ops);
		return size;
	case 2:	/* delete a record */
		if (nrec < 2)
			break;
		i = next_rand(&s) % nrec;
		memmove(data + i * OPS_REC_SIZE, data + (i + 1) * OPS_REC_SIZE,
			(nrec - i - 1) * OPS_REC_SIZE);
		return size - OPS_REC_SIZE;
	case 3:	/* duplicate a run of 1 to 4 records (a write and a read) */
		if (!nrec || nrec >= maxrec)
			break;
		i = next_rand(&s) % nrec;
		n = next_rand(&s) % 2 ? 1 : 2 + next_rand(&s) % 3;
		if (n > nrec - i)
			n = nrec - i;
		if (n > maxrec - nrec)
			n = maxrec - nrec;
		j = next_rand(&s) % (nrec + 1);
		{
			uint8_t run[4 * OPS_REC_SIZE];

			memcpy(run, data + i * OPS_REC_SIZE, n * OPS_REC_SIZE);
			memmove(data + (j + n) * OPS_REC_SIZE,
				data + j * OPS_REC_SIZE,
				(nrec - j) * OPS_REC_SIZE);
			memcpy(data + j * OPS_REC_SIZE, run, n * OPS_REC_SIZE);
		}
		return size + n * OPS_REC_SIZE;
	case 4:	/* swap two records */
		if (nrec < 2)
			break;
		i = next_rand(&s) % nrec;
		j = next_rand(&s) % nrec;
		for (size_t k = 0; k < OPS_REC_SIZE; k++) {
			uint8_t t = data[i * OPS_REC_SIZE + k];

			data[i * OPS_REC_SIZE + k] = data[j * OPS_REC_SIZE + k];
			data[j * OPS_REC_SIZE + k] = t;
		}
		return size;
	default:
		break;
	}
	/* insert a random record */
	if (nrec >= maxrec)
		return size;
	j = nrec ? next_rand(&s) % (nrec + 1) : 0;
	memmove(data + (j + 1) * OPS_REC_SIZE, data + j * OPS_REC_SIZE,
		(nrec - j) * OPS_REC_SIZE);
	data[j * OPS_REC_SIZE] = (uint8_t)(next_rand(&s) % nr_ops);
	for (size_t k = 1; k < OPS_REC_SIZE; k++)
		data[j * OPS_REC_SIZE + k] = (uint8_t)next_rand(&s);
	return size + OPS_REC_SIZE;
}

size_t ops_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2,
		     size_t s2, uint8_t *out, size_t max_out, unsigned int seed)
{
	size_t n1 = s1 / OPS_REC_SIZE, n2 = s2 / OPS_REC_SIZE;
	size_t maxrec = max_out / OPS_REC_SIZE, i, j, k, n;
	unsigned int s = seed;

	if (maxrec > OPS_MAX_RECS)
		maxrec = OPS_MAX_RECS;
	/* a prefix of the first input, then a run of records of the second */
	i = n1 ? next_rand(&s) % (n1 + 1) : 0;
	j = n2 ? next_rand(&s) % n2 : 0;
	k = n2 ? j + 1 + next_rand(&s) % (n2 - j) : 0;
	if (i > maxrec)
		i = maxrec;
	n = k - j;
	if (i + n > maxrec)
		n = maxrec - i;
	memcpy(out, d1, i * OPS_REC_SIZE);
	memcpy(out + i * OPS_REC_SIZE, d2 + j * OPS_REC_SIZE, n * OPS_REC_SIZE);
	return (i + n) * OPS_REC_SIZE;
}
