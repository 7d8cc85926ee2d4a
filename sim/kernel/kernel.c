// SPDX-License-Identifier: MIT
/*
 * kernel.c - `spansim kernel`: the differential runner.
 *
 * Not a kernel file.  Runs a scenario on the model with the fifo schedule,
 * recording every operation's result (struct run_opts.on_step) and the
 * order in which operations started and completed, then replays the same
 * operations in the same order with real system calls on the live kernel
 * and diffs every observable: return values and errno, bytes read, file
 * contents, zerocopy completions, pipe sizes, and the scenario's
 * observable expect/exists conditions.  docs/differential.md describes
 * the ordering and settling rules, the skips and the known disagreements.
 *
 * Shape of the kernel run:
 *  - the coordinator (this process) keeps the model's record and a
 *    control channel (an AF_UNIX stream) to one agent process per
 *    scenario process;
 *  - the agent of `init` is forked from the coordinator and drops to user
 *    nobody; agents of other processes are created by the scenario's own
 *    `fork` operations (the fork runs in the forking thread, and the child
 *    becomes the new process's agent), so memory and descriptors are
 *    inherited exactly as the scenario says;
 *  - inside an agent each scenario thread is a pthread that executes the
 *    operations it is sent, so an operation that blocks in the kernel
 *    blocks only its thread;
 *  - the coordinator sends an operation when the model first made
 *    progress on it (START) or completed it (DONE), waits for the result
 *    at DONE (2 s, then interrupts the thread with SIGUSR1 and reports
 *    "blocked"), and after every event lets the kernel settle (threads
 *    asleep or done, TCP queues acked, zerocopy notifications queued).
 */
#define _GNU_SOURCE
/* run.h first: <sched.h> (through <pthread.h>) defines SCHED_FIFO too */
#include "run.h"

enum { KSCHED_FIFO = SCHED_FIFO };

#include "cond.h"
#include "host.h"
#include "kernel.h"
#include "kernel_int.h"
#include "ops/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define MAX_OV		64
#define DONE_TIMEOUT_MS	2000	/* a completed model op may take this long */
#define PROBE_MS	500	/* a model-blocked op must not return in this */
#define SETTLE_MAX_MS	1000	/* TCP settling bound */
#define SLEEP_MAX_MS	200	/* a dispatched thread reaching its sleep */
#define NOBODY		65534

static const char usage_kernel[] =
"usage: spansim kernel FILE [--param K=V]... [--set K=V]... [--policy K=V]...\n"
"                      [--verbose] [--keep]\n"
"       spansim kernel --probe\n"
"\n"
"Differential run against the live kernel.  Runs the scenario on the model\n"
"with the fifo schedule, then executes the same operations in the same\n"
"order with real system calls (pipe2, fcntl F_SETPIPE_SZ, read, write,\n"
"vmsplice, splice, tee, files in a temporary directory, anonymous mmap,\n"
"fork, TCP over 127.0.0.1, AF_UNIX socketpairs, MSG_ZEROCOPY and\n"
"MSG_ERRQUEUE) as user nobody (when started as root), and compares every\n"
"observable: return values and errno, bytes read, file contents,\n"
"zerocopy completions, pipe sizes, and the observable expect/exists\n"
"conditions.  Each disagreement is printed with the operation, its\n"
"FILE:LINE, the model's result and the kernel's.\n"
"\n"
"  --param K=V, --set K=V, --policy K=V   as for run\n"
"  --verbose, -v   print every operation side by side, not only the\n"
"                  disagreements\n"
"  --keep          keep the temporary directory\n"
"  --probe         print what the live kernel does where kernel builds\n"
"                  differ, and exit\n"
"\n"
"Host knobs: before comparing, the runner probes the live kernel for the\n"
"behaviours that differ between kernel builds and configurations\n"
"(gup_zero_page: does vmsplice of never-touched memory hold the zero page)\n"
"and runs the model under the values it found.  A scenario that names a\n"
"host knob itself (`policy gup_zero_page = map`) runs only on a host that\n"
"behaves that way, and is skipped elsewhere.\n"
"\n"
"Scenarios that cannot run for real print `SKIP: REASON` and exit 3: kmem,\n"
"put, decrypt, MSG_SPLICE_PAGES sends, a policy knob off its mainline\n"
"default, `expect violation`, world parameters (set) the live kernel does\n"
"not have, or sockets while the model has no network layer.  Conditions\n"
"that need "
"model internals (refcount(), pincount(), mapcount(), destructed(),\n"
"destructed_at(), held_bytes(), pinned_bytes, at()) are skipped one by one\n"
"and listed; `deadlock` is evaluated as \"every thread left blocks for real\".\n"
"\n"
"exit status: 0 model and kernel agree; 1 a disagreement; 2 usage,\n"
"scenario or run-time errors; 3 skipped (SKIP: REASON printed).\n";

static struct kctx *K;		/* the agent's context (signal handler, fork) */
_Thread_local volatile sig_atomic_t kern__intr;

/* --- small helpers ------------------------------------------------------- */

void *kern__xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p) {
		fprintf(stderr, "spansim kernel: out of memory\n");
		exit(KERNEL_EXIT_USAGE);
	}
	return p;
}

char *kern__xmemdup(const void *p, size_t n)
{
	char *q = kern__xcalloc(1, n + 1);

	if (n)
		memcpy(q, p, n);
	return q;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int64_t kern__sysret(ssize_t n)
{
	return n < 0 ? -(int64_t)errno : (int64_t)n;
}

int64_t kern__sym_n(const struct scn_sym *sym)
{
	return sym->size > 0 ? sym->size : 1;
}

int kern__write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n) {
		ssize_t k = read(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/* send @n bytes with @nfds descriptors attached (SCM_RIGHTS) */
static int send_fds(int sock, const void *p, size_t n, const int *fds, int nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * FDS_PER_MSG)];
	struct iovec iov = { (void *)p, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t k;

	memset(ctl, 0, sizeof(ctl));
	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	do
		k = sendmsg(sock, &mh, 0);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -1;
	return kern__write_all(sock, (const char *)p + k, n - (size_t)k);
}

/* read @n bytes; descriptors that come with them go to @fds */
static int recv_fds(int sock, void *p, size_t n, int *fds, int *nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * FDS_PER_MSG)];
	struct iovec iov = { p, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t k;

	*nfds = 0;
	do
		k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	if (k <= 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int m = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			memcpy(fds + *nfds, CMSG_DATA(c), sizeof(int) * (size_t)m);
			*nfds += m;
		}
	return read_all(sock, (char *)p + k, n - (size_t)k);
}

/* a result as the reports print it: "4096", "-EAGAIN", "blocked" */
static void fmt_ret(char *buf, size_t n, int64_t v)
{
	const char *en = v < 0 ? span_errname((int)v) : NULL;

	if (en)
		snprintf(buf, n, "-%s", en);
	else
		snprintf(buf, n, "%" PRId64, v);
}

/* bytes as a quoted string, at most @max shown */
static void fmt_bytes(char *buf, size_t n, const char *p, size_t len,
		      size_t from, size_t max)
{
	size_t k = 0;

	if (from)
		k += (size_t)snprintf(buf + k, n - k, "...");
	k += (size_t)snprintf(buf + k, n - k, "\"");
	for (size_t i = from; i < len && i < from + max && k + 8 < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\')
			k += (size_t)snprintf(buf + k, n - k, "\\%c", c);
		else if (c == '\n')
			k += (size_t)snprintf(buf + k, n - k, "\\n");
		else if (c < 32 || c > 126)
			k += (size_t)snprintf(buf + k, n - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	if (k < n)
		k += (size_t)snprintf(buf + k, n - k, "\"%s",
				      len > from + max ? "..." : "");
	if (k < n)
		snprintf(buf + k, n - k, " (%zu bytes)", len);
}

/* --- the model run --------------------------------------------------------- */

static void add_event(struct kctx *k, int kind, int rec)
{
	if (k->nr_evs == k->cap_evs) {
		k->cap_evs = k->cap_evs ? k->cap_evs * 2 : 256;
		k->evs = realloc(k->evs, (size_t)k->cap_evs * sizeof(*k->evs));
		if (!k->evs)
			exit(KERNEL_EXIT_USAGE);
	}
	k->evs[k->nr_evs++] = (struct event){ kind, rec };
}

/* a record for operation @op of @key (0: setup, 1 + thread) */
static int rec_new(struct kctx *k, int key, const struct scn_op *op,
		   int process, const int64_t *loopvars)
{
	struct rec *rc;
	size_t nlv = (size_t)k->s->nr_kind[SCN_SYM_LOOPVAR] + 1;

	if (!op)
		return -1;
	if (k->nr_recs == k->cap_recs) {
		k->cap_recs = k->cap_recs ? k->cap_recs * 2 : 256;
		k->recs = realloc(k->recs, (size_t)k->cap_recs * sizeof(*k->recs));
		if (!k->recs)
			exit(KERNEL_EXIT_USAGE);
	}
	rc = &k->recs[k->nr_recs];
	memset(rc, 0, sizeof(*rc));
	rc->key = key;
	rc->process = process;
	rc->op = op;
	rc->lv = kern__xcalloc(nlv, sizeof(int64_t));
	if (loopvars)
		memcpy(rc->lv, loopvars, nlv * sizeof(int64_t));
	return k->nr_recs++;
}

/*
 * Every step of the model run: an operation that made progress without
 * completing (a blocking write, an `all` read) starts there in the kernel
 * run (EV_START); a completed one is sent, if it was not yet, and waited
 * for (EV_DONE).
 */
static void on_step(void *ud, const struct run_step_info *si)
{
	struct kctx *k = ud;
	int key = si->thread + 1, ri = k->open[key];
	struct rec *rc;

	if (ri >= 0 && k->recs[ri].op != si->op) {
		snprintf(k->err, sizeof(k->err),
			 "internal error: lost track of thread %s at line %d",
			 si->name, si->op->line);
		return;
	}
	if (ri < 0) {
		ri = rec_new(k, key, si->op, si->process, si->loopvars);
		if (ri < 0)
			return;
		if (!si->done) {
			k->recs[ri].msleep = si->sleeps;
			k->open[key] = ri;
			add_event(k, EV_START, ri);
			return;
		}
	}
	if (!si->done) {
		k->recs[ri].msleep |= si->sleeps;
		return;
	}
	rc = &k->recs[ri];
	rc->mdone = true;
	rc->mret = si->ret;
	if (si->data) {
		rc->mdata_set = true;
		rc->mdata = kern__xmemdup(si->data, si->len);
		rc->mlen = si->len;
	}
	add_event(k, EV_DONE, ri);
	k->open[key] = -1;
}

/*
 * The model run: the fifo schedule of run.c:pick(), step by step; on_step()
 * records every operation in the order the kernel run replays them.
 */
static int model_run(struct kctx *k)
{
	const struct scn *s = k->s;
	struct run_opts o = { .sched = (enum sched_kind)KSCHED_FIFO, .quiet = true,
			      .on_step = on_step, .on_step_ud = k };
	struct run_choice ch[512];
	int cur = 0;

	k->nr_keys = s->nr_threads + 1;
	k->open = kern__xcalloc((size_t)k->nr_keys, sizeof(int));
	for (int i = 0; i < k->nr_keys; i++)
		k->open[i] = -1;
	if (run_create(s, &o, &k->r)) {
		fprintf(stderr, "spansim kernel: out of memory\n");
		return -1;
	}
	while (run_status(k->r) == RUN_RUNNING && !k->err[0]) {
		int n = run_enabled(k->r, ch, 512), pick = -1;

		if (!n)
			break;
		for (int i = 0; i < n && pick < 0; i++)
			if (ch[i].thread < 0)
				pick = i;
		for (int i = 0; i < n && pick < 0; i++)
			if (ch[i].thread == cur)
				pick = i;
		if (pick < 0) {
			pick = 0;
			cur = ch[0].thread;
		}
		run_step(k->r, &ch[pick]);
	}
	run_finish(k->r);
	if (k->err[0])
		return -1;
	/* threads blocked at the end: the kernel must block there too */
	if (run_status(k->r) == RUN_DONE || run_status(k->r) == RUN_DEADLOCK ||
	    (run_status(k->r) == RUN_VIOLATION && run_violation(k->r) &&
	     run_violation(k->r)->inv == SPAN_INV_DEADLOCK)) {
		for (int t = 0; t < s->nr_threads; t++) {
			int ri;

			const struct scn_op *op;
			const int64_t *lv;
			int process;

			if (!run_thread_blocked(k->r, t))
				continue;
			op = run_thread_current(k->r, t, &process, &lv);
			ri = k->open[t + 1] >= 0 ? k->open[t + 1] :
						   rec_new(k, t + 1, op, process, lv);
			if (ri >= 0)
				k->recs[ri].mblocked = true;
		}
	}
	return 0;
}

/* --- skipping ---------------------------------------------------------------- */

static const char *body_skip(const struct scn_body *b)
{
	for (int i = 0; i < b->nr; i++) {
		const struct scn_stmt *st = &b->stmts[i];
		const char *why;

		if (st->kind == SCN_STMT_FOR) {
			why = body_skip(&st->loop.body);
			if (why)
				return why;
			continue;
		}
		{
			const struct op_desc *d = op_desc(st->op.kind);

			if (d->kskip)
				return d->kskip;
			if (st->op.mods & d->kskip_mods)
				return d->kskip_mods_why;
		}
	}
	return NULL;
}

/* why the scenario cannot run for real, or NULL; @why is scratch space */
static const char *skip_reason(struct kctx *k, char *why, size_t n)
{
	const struct scn *s = k->s;
	struct span_policy def;
	struct span_world *w;
	const char *r;

	if (s->violation >= 0) {
		snprintf(why, n, "`expect violation %s` asks for a model invariant",
			 span_invariant_name(s->violation));
		return why;
	}
	for (int i = 0; i < s->nr_setups; i++)
		if ((r = body_skip(&s->setups[i].body)))
			return r;
	for (int i = 0; i < s->nr_threads; i++)
		if ((r = body_skip(&s->threads[i].body)))
			return r;
	span_policy_default(&def);
	for (int i = 0; i < SPAN_NR_KNOBS; i++) {
		if (span_knob_is_host(i) == 1) {
			/* set from the probe unless the scenario named it */
			if (i == SPAN_KNOB_GUP_ZERO_PAGE &&
			    k->host.gup_zero_page >= 0 &&
			    s->policy.v[i] != k->host.gup_zero_page) {
				snprintf(why, n,
					 "policy %s = %s: the live kernel behaves as %s",
					 span_knob_name(i),
					 span_knob_value_name(i, s->policy.v[i]),
					 span_knob_value_name(i, k->host.gup_zero_page));
				return why;
			}
			continue;
		}
		if (s->policy.v[i] != def.v[i]) {
			snprintf(why, n,
				 "policy %s = %s is not the mainline default (only mainline runs live)",
				 span_knob_name(i),
				 span_knob_value_name(i, s->policy.v[i]));
			return why;
		}
	}
	/* world parameters: the model's (after `set`) against the live ones */
	if (span_world_create(&w, NULL, NULL))
		return "out of memory";
	for (int i = 0; i < s->nr_sets; i++)
		span_world_set_param(w, s->sets[i].param,
				     (uint64_t)s->sets[i].value);
	{
		struct {
			int p;
			int64_t live;
			const char *what;
		} live[] = {
			{ SPAN_PARAM_PAGE_SIZE, k->host.page_size, "the page size" },
			{ SPAN_PARAM_PIPE_BUFFERS, 16, "PIPE_DEF_BUFFERS" },
			{ SPAN_PARAM_PIPE_MAX_SIZE, k->host.pipe_max_size,
			  "fs.pipe-max-size" },
			{ SPAN_PARAM_MAX_SKB_FRAGS, k->host.max_skb_frags,
			  "net.core.max_skb_frags" },
			{ SPAN_PARAM_PIPE_USER_PAGES_SOFT,
			  k->host.pipe_user_pages_soft,
			  "fs.pipe-user-pages-soft" },
			{ SPAN_PARAM_PIPE_USER_PAGES_HARD,
			  k->host.pipe_user_pages_hard,
			  "fs.pipe-user-pages-hard" },
		};
		struct span_world *d;

		for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
			uint64_t mv = span_world_param(w, live[i].p);

			if (live[i].live >= 0 && (int64_t)mv != live[i].live) {
				snprintf(why, n,
					 "set %s = %" PRIu64 ": the live kernel has %s = %" PRId64,
					 span_param_name(live[i].p), mv,
					 live[i].what, live[i].live);
				span_world_destroy(w);
				return why;
			}
		}
		/* no live knob: only the model's defaults are known to match */
		if (span_world_create(&d, NULL, NULL)) {
			span_world_destroy(w);
			return "out of memory";
		}
		for (int i = 0; i < s->nr_sets; i++) {
			int p = s->sets[i].param;

			if ((p == SPAN_PARAM_REFCOUNT_BITS || p == SPAN_PARAM_MSS ||
			     p == SPAN_PARAM_SNDBUF || p == SPAN_PARAM_RCVBUF) &&
			    span_world_param(w, p) != span_world_param(d, p)) {
				snprintf(why, n,
					 "set %s = %" PRId64 " cannot be matched on the live kernel (default %" PRIu64 ")",
					 span_param_name(p), s->sets[i].value,
					 span_world_param(d, p));
				span_world_destroy(d);
				span_world_destroy(w);
				return why;
			}
		}
		span_world_destroy(d);
	}
	span_world_destroy(w);
	return NULL;
}

/* --- the agent: executing operations -------------------------------------- */

int kern__eval(struct kctx *k, const struct rec *rc, const struct scn_expr *e,
		int64_t *v)
{
	*v = 0;
	return e ? scn_eval_int(k->s, e, rc->lv, v) : 0;
}

struct kobj *kern__ref_obj(struct kctx *k, const struct rec *rc,
			    const struct scn_ref *ref)
{
	int64_t i = 0;

	if (ref->sym < 0 || (ref->index && kern__eval(k, rc, ref->index, &i)))
		return NULL;
	if (i < 0 || i >= k->objs[ref->sym].n)
		return NULL;
	return &k->objs[ref->sym].o[i];
}

/* the descriptor a reference names (run.c:kern__ref_fd()), -1 if none */
int kern__ref_fd(struct kctx *k, const struct rec *rc,
		  const struct scn_ref *ref, bool write, bool *is_sock)
{
	struct kobj *o = kern__ref_obj(k, rc, ref);
	enum scn_sym_kind kind = k->s->syms[ref->sym].kind;

	if (is_sock)
		*is_sock = kind == SCN_SYM_SOCK;
	if (!o)
		return -1;
	if (kind == SCN_SYM_PIPE) {
		if (ref->end == SCN_END_R)
			return o->fd[0];
		if (ref->end == SCN_END_W)
			return o->fd[1];
		return write ? o->fd[1] : o->fd[0];
	}
	return o->fd[0];
}

/* per-call O_NONBLOCK for pipes and files: set it around the call */
int kern__nb_on(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return fl;
}

void kern__nb_off(int fd, int fl)
{
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl);
}

void kern__file_path(struct kctx *k, int sym, int64_t i, char *buf, size_t n)
{
	if (k->s->syms[sym].size > 0)
		snprintf(buf, n, "%s/%s.%" PRId64, k->dir, k->s->syms[sym].name, i);
	else
		snprintf(buf, n, "%s/%s", k->dir, k->s->syms[sym].name);
}

void kern__pattern_fill(char *p, size_t n, const struct scn_str *fill)
{
	if (!fill->len) {
		memset(p, 0, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = fill->data[i % fill->len];
}

/* drain MSG_ERRQUEUE into text; Return: records, or -errno */
int kern__errq_drain(int fd, bool wait, char *out, size_t size)
{
	int nrec = 0;
	size_t k = 0;

	out[0] = 0;
	if (wait) {
		struct pollfd p = { .fd = fd, .events = 0 };

		while (!kern__intr) {
			int n = poll(&p, 1, -1);

			if (n < 0)
				return -errno;
			if (p.revents & (POLLERR | POLLNVAL))
				break;
		}
		if (kern__intr)
			return -EINTR;
	}
	for (;;) {
		char ctl[512];
		struct msghdr mh = { .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN && nrec)
				break;
			return -errno;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;

			if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_origin == SO_EE_ORIGIN_ZEROCOPY)
				k += (size_t)snprintf(out + k, size - k, "%s%u-%u%s",
						      nrec ? "," : "", ee.ee_info,
						      ee.ee_data,
						      (ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED) ?
							      " copied" : "");
			else
				k += (size_t)snprintf(out + k, size - k,
						      "%serror %u origin %u",
						      nrec ? "," : "", ee.ee_errno,
						      ee.ee_origin);
			if (k >= size)
				k = size - 1;
		}
		nrec++;
	}
	return nrec;
}

void kern__tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*a = *b = -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &sl))
		goto out;
	*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof(sa)))
		goto out;
	*b = accept4(l, NULL, NULL, SOCK_CLOEXEC);
out:
	if (l >= 0)
		close(l);
}

/* the operation of record @rc with real system calls */
void kern__unsupported(struct kctx *k, struct rec *rc, struct amsg *res,
		       char **data)
{
	(void)k;
	(void)rc;
	*data = NULL;
	res->ret = -ENOSYS;
}

/* the operation of record @rc with real system calls: its op_table entry */
static void exec_kop(struct kctx *k, struct rec *rc, struct amsg *res,
		     char **data)
{
	const struct scn_op *op = rc->op;

	*data = NULL;
	res->len = 0;
	res->ret = -ENOSYS;
	op_desc(op->kind)->kernel(k, rc, res, data);
	/* which operations store bytes, as the model half does */
	if (op->result.sym >= 0 && op_desc(op->kind)->result &&
	    (op->kind != SCN_OP_LOAD || res->ret == 0)) {
		if (!*data)
			*data = kern__xmemdup("", 0);
	} else {
		free(*data);
		*data = NULL;
		res->len = 0;
	}
}

static void agent_send(struct kctx *k, const struct amsg *h, const void *data)
{
	pthread_mutex_lock(&k->wmu);
	if (kern__write_all(k->ctl, h, sizeof(*h)) ||
	    (h->len && kern__write_all(k->ctl, data, (size_t)h->len)))
		_exit(1);
	pthread_mutex_unlock(&k->wmu);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct kctx *k = K;

	wk->tid = (pid_t)syscall(SYS_gettid);
	for (;;) {
		struct amsg h = { .type = A_RESULT };
		char *data = NULL;
		int ri;

		pthread_mutex_lock(&wk->mu);
		while (wk->rec < 0)
			pthread_cond_wait(&wk->cv, &wk->mu);
		ri = wk->rec;
		pthread_mutex_unlock(&wk->mu);
		kern__intr = 0;
		exec_kop(k, &k->recs[ri], &h, &data);
		h.rec = ri;
		h.intr = kern__intr ? 1 : 0;
		pthread_mutex_lock(&wk->mu);
		wk->rec = -1;
		wk->busy = 0;
		pthread_mutex_unlock(&wk->mu);
		/* a data-carrying result is flagged by intr bit 2 */
		if (data)
			h.intr |= 2;
		agent_send(k, &h, data);
		free(data);
	}
	return NULL;
}

static void on_sigusr1(int sig)
{
	(void)sig;
	kern__intr = 1;
}

/* the state letter of one of our threads (R, S, D, ...) */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

/*
 * Let the kernel settle: every busy thread of this process asleep (it
 * reached the point where it blocks), then every TCP socket's send queue
 * acknowledged (SIOCOUTQ == 0) and, after zerocopy sends, the error queue
 * readable, or nothing changing for 30 ms; at most SETTLE_MAX_MS.
 */
static void settle(struct kctx *k)
{
	int64_t t0 = now_ms();
	bool any_tcp = false, any_zc = false;

	for (int i = 0; i < k->nr_keys; i++) {
		struct worker *wk = &k->workers[i];

		while (wk->started && wk->busy && now_ms() - t0 < SLEEP_MAX_MS) {
			char st = thread_state(wk->tid);

			if (st == 'S' || st == 'D' || st == 't' || st == 'T')
				break;
			sleep_ms(1);
		}
	}
	t0 = now_ms();
	for (;;) {
		bool busy = false;

		for (int sym = 0; sym < k->s->nr_syms; sym++) {
			if (k->s->syms[sym].kind != SCN_SYM_SOCK)
				continue;
			for (int64_t i = 0; i < k->objs[sym].n; i++) {
				struct kobj *o = &k->objs[sym].o[i];
				int outq = 0, nsd = 0;

				if (!o->tcp || o->fd[0] < 0)
					continue;
				any_tcp = true;
				if (ioctl(o->fd[0], SIOCOUTQ, &outq))
					outq = 0;
				if (ioctl(o->fd[0], SIOCOUTQNSD, &nsd))
					nsd = 0;
				/*
				 * Sent and not yet acked: an ACK is coming (a
				 * delayed ACK takes 40 ms or more).  Data not
				 * sent at all (a closed window, MSG_MORE) waits
				 * for a step of the scenario, not for time.
				 */
				if (outq > nsd)
					busy = true;
				if (o->zc_pending) {
					struct pollfd p = { .fd = o->fd[0] };

					any_zc = true;
					if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLERR))
						busy = true;
				}
			}
		}
		if (!busy)
			break;
		if (now_ms() - t0 > SETTLE_MAX_MS) {
			if (!k->settle_timeouts++)
				printf("kernel: note: TCP did not settle within %d ms (acks or zerocopy notifications still due); results after this point may depend on timing\n",
				       SETTLE_MAX_MS);
			break;
		}
		sleep_ms(2);
	}
	if (any_tcp)
		sleep_ms(any_zc ? 2 : 1);
}

static void worker_post(struct kctx *k, int key, int ri)
{
	struct worker *wk = &k->workers[key];

	if (!wk->started) {
		pthread_attr_t at;

		pthread_mutex_init(&wk->mu, NULL);
		pthread_cond_init(&wk->cv, NULL);
		wk->rec = -1;
		wk->busy = 0;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&wk->th, &at, worker_main, wk))
			_exit(1);
		pthread_attr_destroy(&at);
		wk->started = true;
		while (!wk->tid)
			sleep_ms(1);
	}
	pthread_mutex_lock(&wk->mu);
	wk->rec = ri;
	wk->busy = 1;
	pthread_cond_signal(&wk->cv);
	pthread_mutex_unlock(&wk->mu);
}

/* C_EXPORT: pass every descriptor of object @sym to the coordinator */
static void agent_export(struct kctx *k, int sym)
{
	struct fdslot sl[FDS_PER_MSG];
	int fds[FDS_PER_MSG], n = 0;
	struct kobjs *os = &k->objs[sym];

	for (int64_t i = 0; i <= os->n; i++) {
		for (int w = 0; w < 2 && i < os->n; w++) {
			if (os->o[i].fd[w] < 0)
				continue;
			sl[n] = (struct fdslot){ .idx = i, .which = w,
						 .pad = os->o[i].tcp };
			fds[n++] = os->o[i].fd[w];
		}
		if (n && (n > FDS_PER_MSG - 2 || i >= os->n - 1)) {
			struct amsg h = { .type = A_FDS, .rec = sym,
					  .len = (uint64_t)n * sizeof(sl[0]) };

			pthread_mutex_lock(&k->wmu);
			if (send_fds(k->ctl, &h, sizeof(h), fds, n) ||
			    kern__write_all(k->ctl, sl, (size_t)h.len))
				_exit(1);
			pthread_mutex_unlock(&k->wmu);
			n = 0;
		}
	}
}

_Noreturn void kern__agent_loop(struct kctx *k)
{
	for (;;) {
		struct cmsg c;
		struct amsg h = { .type = A_ACK };
		int fds[FDS_PER_MSG], nfds;

		if (recv_fds(k->ctl, &c, sizeof(c), fds, &nfds))
			_exit(0);
		switch (c.type) {
		case C_EXPORT:
			agent_export(k, c.sym);
			agent_send(k, &h, NULL);
			break;
		case C_IMPORT: {
			struct fdslot sl[FDS_PER_MSG];

			if (c.len < 0 || c.len > FDS_PER_MSG ||
			    read_all(k->ctl, sl, (size_t)c.len * sizeof(sl[0])))
				_exit(1);
			for (int i = 0; i < c.len && i < nfds; i++) {
				struct kobj *o = &k->objs[c.sym].o[sl[i].idx];

				o->fd[sl[i].which] = fds[i];
				o->tcp = sl[i].pad;
			}
			break;
		}
		case C_CLOSE: {
			struct kobj *o = &k->objs[c.sym].o[c.idx];

			for (int w = 0; w < 2; w++)
				if ((c.off & (1 << w)) && o->fd[w] >= 0) {
					close(o->fd[w]);
					o->fd[w] = -1;
				}
			break;
		}
		case C_EXEC:
			worker_post(k, c.key, c.rec);
			break;
		case C_INTR:
			if (k->workers[c.key].started)
				pthread_kill(k->workers[c.key].th, SIGUSR1);
			break;
		case C_SETTLE:
			settle(k);
			agent_send(k, &h, NULL);
			break;
		case C_LOAD: {
			struct kobj *o = c.sym >= 0 && c.idx >= 0 &&
						 c.idx < k->objs[c.sym].n ?
					 &k->objs[c.sym].o[c.idx] : NULL;

			h.type = A_REPLY;
			if (!o || !o->mapped || c.off < 0 || c.len < 0 ||
			    (uint64_t)(c.off + c.len) > o->size) {
				h.ret = -EFAULT;
				agent_send(k, &h, NULL);
				break;
			}
			h.len = (uint64_t)c.len;
			agent_send(k, &h, o->addr + c.off);
			break;
		}
		case C_DRAIN: {
			struct kobj *o = c.sym >= 0 && c.idx >= 0 &&
						 c.idx < k->objs[c.sym].n ?
					 &k->objs[c.sym].o[c.idx] : NULL;
			char buf[8192];

			h.type = A_REPLY;
			settle(k);
			h.ret = kern__errq_drain(o ? o->fd[0] : -1, false, buf, sizeof(buf));
			h.len = h.ret > 0 ? strlen(buf) : 0;
			agent_send(k, &h, buf);
			break;
		}
		case C_QUIT:
		default:
			_exit(0);
		}
	}
}

/* --- the coordinator --------------------------------------------------------- */

static void coord_send(struct kctx *k, int p, const struct cmsg *c);

/* read one message from agent @p; Return 0, or -1 when it is gone */
static int coord_read(struct kctx *k, int p, struct amsg *h, char **data)
{
	int fds[FDS_PER_MSG], nfds = 0;

	*data = NULL;
	if (recv_fds(k->ag[p].fd, h, sizeof(*h), fds, &nfds))
		goto gone;
	if (h->len) {
		*data = kern__xcalloc(1, (size_t)h->len + 1);
		if (read_all(k->ag[p].fd, *data, (size_t)h->len))
			goto gone;
	}
	if (h->type == A_FDS) {
		/* the handles of a new object: every other process gets them */
		struct cmsg c = { .type = C_IMPORT, .sym = h->rec,
				  .len = (int64_t)(h->len / sizeof(struct fdslot)) };

		for (int q = 0; q < k->s->nr_processes; q++) {
			if (q == p || !k->ag[q].alive)
				continue;
			if (send_fds(k->ag[q].fd, &c, sizeof(c), fds, nfds) ||
			    kern__write_all(k->ag[q].fd, *data, (size_t)h->len))
				k->ag[q].alive = false;
		}
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
	}
	return 0;
gone:
	free(*data);
	*data = NULL;
	k->ag[p].alive = false;
	return -1;
}

static void coord_result(struct kctx *k, const struct amsg *h, char *data)
{
	struct rec *rc;

	if (h->rec < 0 || h->rec >= k->nr_recs) {
		free(data);
		return;
	}
	rc = &k->recs[h->rec];
	rc->kdone = true;
	rc->kret = h->ret;
	rc->kintr = h->intr & 1;
	rc->kchild = h->child;
	if (h->intr & 2) {
		rc->kdata_set = true;
		rc->kdata = data ? data : kern__xmemdup("", 0);
		rc->klen = (size_t)h->len;
	} else {
		free(data);
	}
	if (rc->op->kind == SCN_OP_FORK && !h->ret && h->child > 0) {
		int child = k->s->syms[rc->op->operand[0].ref.sym].index;

		k->ag[child].alive = true;
		k->ag[child].pid = h->child;
	}
}

/*
 * Wait until @cond holds or @ms pass, handling results as they come.
 * @want_p/@want_type: an ACK/REPLY expected from agent @want_p (the
 * message is returned in @out/@outdata); -1 for none.
 */
static bool coord_wait(struct kctx *k, int ms, int want_rec, int want_p,
		       struct amsg *out, char **outdata)
{
	int64_t end = now_ms() + ms;

	for (;;) {
		struct pollfd pf[64];
		int map[64], n = 0, left;

		if (want_rec >= 0 && k->recs[want_rec].kdone)
			return true;
		if (want_p >= 0 && !k->ag[want_p].alive)
			return false;
		for (int p = 0; p < k->s->nr_processes && n < 64; p++)
			if (k->ag[p].alive) {
				pf[n] = (struct pollfd){ .fd = k->ag[p].fd,
							 .events = POLLIN };
				map[n++] = p;
			}
		left = (int)(end - now_ms());
		if (left < 0)
			return false;
		if (poll(pf, (nfds_t)n, left) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			struct amsg h;
			char *data;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (coord_read(k, map[i], &h, &data))
				continue;
			if (h.type == A_RESULT) {
				coord_result(k, &h, data);
			} else if (map[i] == want_p) {
				*out = h;
				if (outdata)
					*outdata = data;
				else
					free(data);
				return true;
			} else {
				free(data);
			}
		}
	}
}

static void coord_send(struct kctx *k, int p, const struct cmsg *c)
{
	if (k->ag[p].alive && kern__write_all(k->ag[p].fd, c, sizeof(*c)))
		k->ag[p].alive = false;
}

static void coord_settle(struct kctx *k)
{
	for (int p = 0; p < k->s->nr_processes; p++) {
		struct cmsg c = { .type = C_SETTLE };
		struct amsg h;

		if (!k->ag[p].alive)
			continue;
		coord_send(k, p, &c);
		coord_wait(k, 5000, -1, p, &h, NULL);
	}
}

/*
 * Handles are per scenario, not per process (span/fd.h): a new pipe, file
 * or socket is passed to every other process, and close closes it in all.
 */
static void coord_after(struct kctx *k, struct rec *rc)
{
	const struct scn_op *op = rc->op;
	const struct scn_ref *ref = &op->operand[0].ref;
	int others = 0;

	for (int q = 0; q < k->s->nr_processes; q++)
		if (q != rc->process && k->ag[q].alive)
			others++;
	if (!others || !rc->kdone)
		return;
	switch (op->kind) {
	case SCN_OP_PIPE:
	case SCN_OP_FILE:
	case SCN_OP_TCP:
	case SCN_OP_UNIX:
		for (int i = 0; i < (op->kind == SCN_OP_TCP ||
				     op->kind == SCN_OP_UNIX ? 2 : 1); i++) {
			struct cmsg c = { .type = C_EXPORT,
					  .sym = op->operand[i].ref.sym };
			struct amsg h;

			coord_send(k, rc->process, &c);
			coord_wait(k, 5000, -1, rc->process, &h, NULL);
		}
		break;
	case SCN_OP_CLOSE: {
		struct cmsg c = { .type = C_CLOSE, .sym = ref->sym, .off = 1 };

		if (ref->index && kern__eval(k, rc, ref->index, &c.idx))
			return;
		if (c.idx < 0 || c.idx >= k->objs[ref->sym].n)
			return;
		if (k->s->syms[ref->sym].kind == SCN_SYM_PIPE)
			c.off = ref->end == SCN_END_R ? 1 :
				ref->end == SCN_END_W ? 2 : 3;
		for (int q = 0; q < k->s->nr_processes; q++)
			if (q != rc->process)
				coord_send(k, q, &c);
		break;
	}
	default:
		break;
	}
}

static void coord_dispatch(struct kctx *k, int ri)
{
	struct rec *rc = &k->recs[ri];
	struct cmsg c = { .type = C_EXEC, .rec = ri, .key = rc->key };

	if (rc->sent)
		return;
	rc->sent = true;
	if (!k->ag[rc->process].alive) {
		/* the process does not exist in the kernel run */
		rc->kdone = true;
		rc->kret = -ESRCH;
		return;
	}
	coord_send(k, rc->process, &c);
}

/* interrupt a thread until its operation returns; false if it never does */
static bool coord_interrupt(struct kctx *k, int ri)
{
	struct rec *rc = &k->recs[ri];

	for (int i = 0; i < 40 && !rc->kdone; i++) {
		struct cmsg c = { .type = C_INTR, .key = rc->key };

		coord_send(k, rc->process, &c);
		coord_wait(k, 50, ri, -1, NULL, NULL);
	}
	return rc->kdone;
}

static pid_t spawn_agent(struct kctx *k, int me, pid_t pgid);

static int agent_start(struct kctx *k)
{
	int np = k->s->nr_processes;
	pid_t pid;

	k->ctl_agent = kern__xcalloc((size_t)np, sizeof(int));
	k->ag = kern__xcalloc((size_t)np, sizeof(*k->ag));
	for (int p = 0; p < np; p++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return -1;
		k->ag[p].fd = sv[0];
		k->ctl_agent[p] = sv[1];
	}
	k->workers = kern__xcalloc((size_t)k->nr_keys, sizeof(*k->workers));
	k->objs = kern__xcalloc((size_t)k->s->nr_syms, sizeof(*k->objs));
	for (int i = 0; i < k->s->nr_syms; i++) {
		const struct scn_sym *sym = &k->s->syms[i];

		if (sym->kind != SCN_SYM_MEM && sym->kind != SCN_SYM_FILE &&
		    sym->kind != SCN_SYM_PIPE && sym->kind != SCN_SYM_SOCK)
			continue;
		k->objs[i].n = kern__sym_n(sym);
		k->objs[i].o = kern__xcalloc((size_t)k->objs[i].n, sizeof(struct kobj));
		for (int64_t j = 0; j < k->objs[i].n; j++)
			k->objs[i].o[j] = (struct kobj){ .fd = { -1, -1 },
							 .creator = -1 };
	}
	/* init, and every process no `fork` creates, exists from the start */
	for (int p = 0; p < np; p++) {
		if (p && scn_process_forked(k->s, p))
			continue;
		pid = spawn_agent(k, p, p ? k->ag[0].pid : 0);
		if (pid < 0)
			return -1;
		k->ag[p].alive = true;
		k->ag[p].pid = pid;
	}
	for (int p = 0; p < np; p++)
		close(k->ctl_agent[p]);
	return 0;
}

static pid_t spawn_agent(struct kctx *k, int me, pid_t pgid)
{
	int np = k->s->nr_processes;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sigusr1 };

		setpgid(0, pgid);
		if (k->root) {
			if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
				_exit(1);
		}
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_IGN);
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
		for (int p = 0; p < np; p++)
			close(k->ag[p].fd);
		K = k;
		pthread_mutex_init(&k->wmu, NULL);
		k->me = me;
		k->ctl = k->ctl_agent[me];
		kern__agent_loop(k);
	}
	setpgid(pid, pgid ? pgid : pid);
	return pid;
}

static void agent_stop(struct kctx *k, pid_t pgid)
{
	for (int p = 0; p < k->s->nr_processes; p++) {
		struct cmsg c = { .type = C_QUIT };

		coord_send(k, p, &c);
	}
	sleep_ms(5);
	kill(-pgid, SIGKILL);
	waitpid(pgid, NULL, 0);
	for (int p = 0; p < k->s->nr_processes; p++)
		close(k->ag[p].fd);
}

/* --- conditions on the kernel side ----------------------------------------- */

struct kvar {
	struct scn_str *v;	/* the bytes belong to the records */
	bool *set;
	int64_t n;
};

struct kstate {
	/* by symbol: the kernel's last value of each label and variable */
	bool *label_set;
	int64_t *label;
	struct kvar *var;
	char ***compl;		/* by socket symbol, by element: completions */
	bool deadlock;		/* threads left, all blocked in the kernel */
};

static void kstate_build(struct kctx *k, struct kstate *ks)
{
	const struct scn *s = k->s;

	ks->label_set = kern__xcalloc((size_t)s->nr_syms, sizeof(bool));
	ks->label = kern__xcalloc((size_t)s->nr_syms, sizeof(int64_t));
	ks->var = kern__xcalloc((size_t)s->nr_syms, sizeof(*ks->var));
	for (int e = 0; e < k->nr_evs; e++) {
		struct rec *rc = &k->recs[k->evs[e].rec];
		const struct scn_op *op = rc->op;
		int64_t idx = 0;

		if (k->evs[e].kind != EV_DONE || !rc->kdone || rc->kintr)
			continue;
		if (op->label >= 0) {
			ks->label_set[op->label] = true;
			ks->label[op->label] = rc->kret;
		}
		if (op->result.sym < 0 || !rc->kdata_set)
			continue;
		if (op->result.index && kern__eval(k, rc, op->result.index, &idx))
			continue;
		if (idx < 0 || idx > 10000000)
			continue;
		{
			struct kvar *v = &ks->var[op->result.sym];

			if (idx >= v->n) {
				int64_t n = idx + 1;

				v->v = realloc(v->v, (size_t)n * sizeof(*v->v));
				v->set = realloc(v->set, (size_t)n * sizeof(bool));
				if (!v->v || !v->set)
					exit(KERNEL_EXIT_USAGE);
				for (int64_t j = v->n; j < n; j++) {
					v->v[j] = (struct scn_str){ 0 };
					v->set[j] = false;
				}
				v->n = n;
			}
			v->v[idx] = (struct scn_str){ .data = rc->kdata,
						      .len = rc->klen };
			v->set[idx] = true;
		}
	}
}

/* free what kstate_build() and compare_conds() allocated (the variables'
 * bytes belong to the records) */
static void kstate_free(struct kctx *k, struct kstate *ks)
{
	for (int i = 0; i < k->s->nr_syms; i++) {
		if (ks->var) {
			free(ks->var[i].v);
			free(ks->var[i].set);
		}
		if (ks->compl && ks->compl[i]) {
			for (int64_t j = 0; j < k->objs[i].n; j++)
				free(ks->compl[i][j]);
			free(ks->compl[i]);
		}
	}
	free(ks->label_set);
	free(ks->label);
	free(ks->var);
	free(ks->compl);
}

/* ask agent @p for a reply to @c */
static int64_t coord_query(struct kctx *k, int p, struct cmsg *c, char **data)
{
	struct amsg h = { .ret = -ESRCH };

	*data = NULL;
	if (p < 0 || !k->ag[p].alive)
		return -ESRCH;
	coord_send(k, p, c);
	if (!coord_wait(k, 5000, -1, p, &h, data))
		return -ETIMEDOUT;
	return h.ret;
}

/* the process that created element @idx of object @sym in the kernel run */
static int obj_creator(struct kctx *k, int sym, int64_t idx)
{
	for (int i = 0; i < k->nr_recs; i++) {
		const struct scn_op *op = k->recs[i].op;

		if (!k->recs[i].kdone || k->recs[i].kret)
			continue;
		for (int j = 0; j < op->nr_operands; j++)
			if (op->operand[j].kind == SCN_OPD_OBJ &&
			    op->operand[j].ref.sym == sym &&
			    (op->kind == SCN_OP_MEM || op->kind == SCN_OP_TCP ||
			     op->kind == SCN_OP_UNIX || op->kind == SCN_OP_FILE))
				return k->recs[i].process;
	}
	(void)idx;
	return -1;
}

struct kcond {
	struct kctx *k;
	struct kstate *ks;
};

static int k_label(void *ud, int sym, int64_t *value, uint64_t *step)
{
	struct kstate *ks = ((struct kcond *)ud)->ks;

	*value = ks->label[sym];
	*step = 0;
	return ks->label_set[sym] ? 0 : 1;
}

static const struct scn_str *k_var(void *ud, int sym, int64_t idx)
{
	struct kvar *var = &((struct kcond *)ud)->ks->var[sym];

	if (idx < 0 || idx >= var->n || !var->set[idx])
		return NULL;
	return &var->v[idx];
}

static int k_file(void *ud, const struct scn_ref *ref, int64_t idx,
		  bool whole, int64_t off, int64_t len, struct scn_str *out)
{
	struct kctx *k = ((struct kcond *)ud)->k;
	char path[512];
	struct stat st;
	ssize_t n;
	int fd;

	if (obj_creator(k, ref->sym, idx) < 0)
		return 1;
	kern__file_path(k, ref->sym, idx, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (whole)
		len = st.st_size;
	if (len < 0 || len > (1 << 28)) {
		close(fd);
		return -1;
	}
	out->data = kern__xcalloc(1, (size_t)len + 1);
	n = pread(fd, out->data, (size_t)len, (off_t)off);
	out->len = n > 0 ? (size_t)n : 0;
	close(fd);
	return 0;
}

static int k_mem(void *ud, const struct scn_ref *ref, int64_t idx,
		 int64_t off, int64_t len, struct scn_str *out)
{
	struct kctx *k = ((struct kcond *)ud)->k;
	struct cmsg c = { .type = C_LOAD, .sym = ref->sym, .idx = idx,
			  .off = off, .len = len };
	char *data;

	if (coord_query(k, obj_creator(k, ref->sym, idx), &c, &data)) {
		free(data);
		return 1;
	}
	out->data = data ? data : kern__xcalloc(1, 1);
	out->len = (size_t)len;
	return 0;
}

static int k_completions(void *ud, const struct scn_ref *ref, int64_t idx,
			 struct scn_str *out)
{
	struct kcond *kc = ud;
	char **logs;
	const char *t;

	if (idx < 0 || idx >= kc->k->objs[ref->sym].n)
		return 1;
	logs = kc->ks->compl[ref->sym];
	t = logs && logs[idx] ? logs[idx] : "";
	out->len = strlen(t);
	out->data = kern__xmemdup(t, out->len);
	return 0;
}

static bool k_deadlock(void *ud)
{
	return ((struct kcond *)ud)->ks->deadlock;
}

/* the live kernel's side: no model internals (cond_internal() skips them) */
static const struct cond_ops kernel_cond_ops = {
	.label = k_label,
	.var = k_var,
	.file = k_file,
	.mem = k_mem,
	.completions = k_completions,
	.deadlock = k_deadlock,
};

/* --- comparing and reporting ---------------------------------------------- */

static void print_rec_head(struct kctx *k, const struct rec *rc, const char *tag)
{
	const char *who = rc->key ? k->s->threads[rc->key - 1].name : "setup";
	char lv[128] = "";

	if (k->s->nr_kind[SCN_SYM_LOOPVAR]) {
		size_t n = 0;

		for (int i = 0; i < k->s->nr_syms && n + 32 < sizeof(lv); i++) {
			const struct scn_sym *sym = &k->s->syms[i];

			if (sym->kind == SCN_SYM_LOOPVAR && rc->lv[sym->index])
				n += (size_t)snprintf(lv + n, sizeof(lv) - n,
						      " %s=%" PRId64, sym->name,
						      rc->lv[sym->index]);
		}
	}
	printf("%s %s:%d  %s  `%s`%s%s%s\n", tag, k->file, rc->op->line, who,
	       rc->op->text, lv[0] ? "  (" : "", lv[0] ? lv + 1 : "",
	       lv[0] ? ")" : "");
}

static void side(const char *what, const char *m, const char *kk)
{
	printf("    %-8s model:  %s\n", what, m);
	printf("    %-8s kernel: %s\n", "", kk);
}

static void compare_rec(struct kctx *k, struct rec *rc)
{
	char mr[64], kr[96], mb[512], kb[512];
	bool ret_ok, data_ok = true;
	size_t first = 0;

	k->nr_ops++;
	if (rc->mblocked) {
		snprintf(mr, sizeof(mr), "blocked");
		if (rc->kdone && !rc->kintr)
			fmt_ret(kr, sizeof(kr), rc->kret);
		else
			snprintf(kr, sizeof(kr), "blocked");
		ret_ok = !strcmp(kr, "blocked");
		if (!ret_ok || k->verbose) {
			print_rec_head(k, rc, ret_ok ? "    " : "DIFF");
			side("result", mr, kr);
		}
		if (!ret_ok)
			k->nr_diff++;
		return;
	}
	fmt_ret(mr, sizeof(mr), rc->mret);
	if (!rc->kdone)
		snprintf(kr, sizeof(kr), "no result (agent gone)");
	else if (rc->kintr)
		snprintf(kr, sizeof(kr), "blocked (interrupted after %d ms, returned %" PRId64 ")",
			 DONE_TIMEOUT_MS, rc->kret);
	else
		fmt_ret(kr, sizeof(kr), rc->kret);
	ret_ok = rc->kdone && !rc->kintr && rc->kret == rc->mret;
	if (rc->kearly) {
		/* the result may agree; the sleep did not */
		size_t l = strlen(kr);

		snprintf(kr + l, sizeof(kr) - l, " at once (the model sleeps first)");
		snprintf(mr + strlen(mr), sizeof(mr) - strlen(mr),
			 " after sleeping");
		ret_ok = false;
	}
	if (rc->mdata_set || rc->kdata_set) {
		data_ok = rc->mdata_set == rc->kdata_set && rc->mlen == rc->klen &&
			  (!rc->mlen || !memcmp(rc->mdata, rc->kdata, rc->mlen));
		if (!data_ok && rc->mdata_set && rc->kdata_set)
			while (first < rc->mlen && first < rc->klen &&
			       rc->mdata[first] == rc->kdata[first])
				first++;
		first = first > 8 ? first - 8 : 0;
		if (rc->mdata_set)
			fmt_bytes(mb, sizeof(mb), rc->mdata, rc->mlen, first, 48);
		else
			snprintf(mb, sizeof(mb), "(none)");
		if (rc->kdata_set)
			fmt_bytes(kb, sizeof(kb), rc->kdata, rc->klen, first, 48);
		else
			snprintf(kb, sizeof(kb), "(none)");
	}
	if (ret_ok && data_ok && !k->verbose)
		return;
	print_rec_head(k, rc, ret_ok && data_ok ? "    " : "DIFF");
	side("result", mr, kr);
	if (rc->mdata_set || rc->kdata_set) {
		char name[80];

		snprintf(name, sizeof(name), "%s", rc->op->result.name ?
			 rc->op->result.name : "bytes");
		side(name, mb, kb);
	}
	if (!ret_ok || !data_ok)
		k->nr_diff++;
}

static void compare_conds(struct kctx *k, bool model_valid)
{
	const struct scn *s = k->s;
	const struct cond_result *me = run_expects(k->r), *mx = run_exists(k->r);
	struct kstate ks = { 0 };
	struct kcond kc = { .k = k, .ks = &ks };
	int nsock = 0;

	kstate_build(k, &ks);
	/* deadlock: some thread is left and every one left blocks for real */
	for (int i = 0; i < k->nr_recs; i++) {
		const struct rec *rc = &k->recs[i];

		if (!rc->mblocked)
			continue;
		ks.deadlock = true;
		if (rc->kdone && !rc->kintr) {
			ks.deadlock = false;
			break;
		}
	}
	/* completions: what errqueue ops drained, then the rest of the queue */
	ks.compl = kern__xcalloc((size_t)s->nr_syms, sizeof(char **));
	for (int e = 0; e < k->nr_evs; e++) {
		struct rec *rc = &k->recs[k->evs[e].rec];
		int64_t idx = 0;
		int sym = rc->op->operand[0].ref.sym;
		char ***logs = &ks.compl[sym];

		if (k->evs[e].kind != EV_DONE || rc->op->kind != SCN_OP_ERRQUEUE ||
		    !rc->kdone || rc->kret <= 0 || !rc->kdata)
			continue;
		if (rc->op->operand[0].ref.index)
			kern__eval(k, rc, rc->op->operand[0].ref.index, &idx);
		if (idx < 0 || idx >= k->objs[sym].n)
			continue;
		if (!*logs)
			*logs = kern__xcalloc((size_t)k->objs[sym].n, sizeof(char *));
		{
			char *old = (*logs)[idx];
			size_t n = (old ? strlen(old) : 0) + rc->klen + 2;
			char *t = kern__xcalloc(1, n);

			snprintf(t, n, "%s%s%s", old ? old : "",
				 old && old[0] ? "," : "", rc->kdata);
			free(old);
			(*logs)[idx] = t;
		}
	}
	for (int sym = 0; sym < s->nr_syms; sym++) {
		if (s->syms[sym].kind != SCN_SYM_SOCK)
			continue;
		nsock++;
		for (int64_t idx = 0; idx < k->objs[sym].n; idx++) {
			struct cmsg c = { .type = C_DRAIN, .sym = sym, .idx = idx };
			char ***logs = &ks.compl[sym];
			char *data = NULL;
			int p = obj_creator(k, sym, idx);
			int64_t n;

			if (p < 0)
				continue;
			n = coord_query(k, p, &c, &data);
			if (n > 0 && data) {
				char *old;
				size_t len;
				char *t;

				if (!*logs)
					*logs = kern__xcalloc((size_t)k->objs[sym].n,
							sizeof(char *));
				old = (*logs)[idx];
				len = (old ? strlen(old) : 0) + strlen(data) + 2;
				t = kern__xcalloc(1, len);
				snprintf(t, len, "%s%s%s", old ? old : "",
					 old && old[0] ? "," : "", data);
				free(old);
				(*logs)[idx] = t;
			}
			free(data);
		}
	}
	(void)nsock;
	for (int pass = 0; pass < 2; pass++) {
		const struct scn_cond *cs = pass ? s->exists : s->expects;
		const struct cond_result *mr = pass ? mx : me;
		int nc = pass ? s->nr_exists : s->nr_expects;

		for (int i = 0; i < nc; i++) {
			const char *why = cond_internal(cs[i].expr);
			const char *kw = pass ? "exists" : "expect";
			bool err = false, kv;
			bool differ;

			if (why) {
				k->nr_cond_skipped++;
				printf("skip %s:%d  %s %s  (needs model internals: %s)\n",
				       k->file, cs[i].line, kw, cs[i].text, why);
				continue;
			}
			k->nr_conds++;
			kv = cond_eval(s, &kernel_cond_ops, &kc, cs[i].expr,
				       &err);
			if (err) {
				printf("DIFF %s:%d  %s %s\n    kernel: cannot be evaluated\n",
				       k->file, cs[i].line, kw, cs[i].text);
				k->nr_diff++;
				continue;
			}
			/* an expect must hold on the kernel; either must match */
			differ = (!pass && !kv) ||
				 (model_valid && !mr[i].error && mr[i].value != kv);
			if (differ || k->verbose) {
				printf("%s %s:%d  %s %s\n", differ ? "DIFF" : "    ",
				       k->file, cs[i].line, kw, cs[i].text);
				printf("    model:  %s\n", !model_valid ? "not evaluated" :
				       mr[i].error ? "error" :
				       mr[i].value ? (pass ? "yes" : "holds") :
						     (pass ? "no" : "FAILS"));
				printf("    kernel: %s\n", kv ? (pass ? "yes" : "holds") :
				       (pass ? "no" : "FAILS"));
			}
			if (differ)
				k->nr_diff++;
		}
	}
	kstate_free(k, &ks);
}

/* free the coordinator's bookkeeping */
static void kctx_free(struct kctx *k)
{
	for (int i = 0; i < k->nr_recs; i++) {
		free(k->recs[i].lv);
		free(k->recs[i].mdata);
		free(k->recs[i].kdata);
	}
	free(k->recs);
	free(k->evs);
	free(k->open);
	for (int i = 0; k->objs && i < k->s->nr_syms; i++)
		free(k->objs[i].o);
	free(k->objs);
	free(k->ctl_agent);
	free(k->ag);
	free(k->workers);
}

/* --- the command --------------------------------------------------------------- */

/* is an operation other than @ri sent to the kernel and not returned? */
static bool in_flight(struct kctx *k, int ri)
{
	for (int i = 0; i < k->nr_recs; i++)
		if (i != ri && k->recs[i].sent && !k->recs[i].kdone)
			return true;
	return false;
}

static int kernel_run(struct kctx *k)
{
	bool model_valid;
	enum run_status st = run_status(k->r);
	pid_t pgid;
	struct rlimit rl;
	int nfds = 64;

	model_valid = st == RUN_DONE || st == RUN_DEADLOCK ||
		      (st == RUN_VIOLATION && run_violation(k->r) &&
		       run_violation(k->r)->inv == SPAN_INV_LEAK);
	if (st == RUN_ERROR) {
		fprintf(stderr, "%s\n", run_error(k->r));
		return KERNEL_EXIT_USAGE;
	}
	if (st == RUN_VIOLATION)
		printf("note: the model run ended in invariant violation %s at step %" PRIu64
		       "%s\n", span_invariant_name(run_violation(k->r)->inv),
		       run_violation(k->r)->step,
		       model_valid ? "" : "; only the operations it ran are compared, not the conditions");
	else if (st == RUN_STEP_LIMIT)
		printf("note: the model run hit its step limit; only the operations it ran are compared\n");

	/* descriptors: pipes need two each */
	for (int i = 0; i < k->s->nr_syms; i++)
		if (k->s->syms[i].kind == SCN_SYM_PIPE ||
		    k->s->syms[i].kind == SCN_SYM_SOCK ||
		    k->s->syms[i].kind == SCN_SYM_FILE)
			nfds += 2 * (int)kern__sym_n(&k->s->syms[i]);
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < (rlim_t)nfds) {
		if (k->root && rl.rlim_max < (rlim_t)nfds)
			rl.rlim_max = (rlim_t)nfds;
		rl.rlim_cur = rl.rlim_max < (rlim_t)nfds ? rl.rlim_max : (rlim_t)nfds;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	snprintf(k->dir, sizeof(k->dir), "/tmp/spansim-kernel.XXXXXX");
	if (!mkdtemp(k->dir)) {
		fprintf(stderr, "spansim kernel: mkdtemp: %s\n", strerror(errno));
		return KERNEL_EXIT_USAGE;
	}
	if (k->root && chown(k->dir, NOBODY, NOBODY)) {
		fprintf(stderr, "spansim kernel: chown %s: %s\n", k->dir,
			strerror(errno));
		return KERNEL_EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (agent_start(k)) {
		fprintf(stderr, "spansim kernel: cannot start the agent: %s\n",
			strerror(errno));
		return KERNEL_EXIT_USAGE;
	}
	pgid = k->ag[0].pid;

	/* the operations, in the model's order */
	for (int e = 0; e < k->nr_evs; e++) {
		int ri = k->evs[e].rec;
		struct rec *rc = &k->recs[ri];
		bool alone = !in_flight(k, ri);

		coord_dispatch(k, ri);
		if (k->evs[e].kind == EV_DONE) {
			if (!coord_wait(k, DONE_TIMEOUT_MS, ri, -1, NULL, NULL))
				coord_interrupt(k, ri);
			coord_after(k, rc);
		}
		coord_settle(k);
		/*
		 * The model slept in this operation (it is sent at its first
		 * attempt): if no other operation was in flight when it was
		 * sent, nothing could wake it, and the kernel must still be
		 * sleeping in it too.
		 */
		if (k->evs[e].kind == EV_START && rc->msleep && rc->kdone &&
		    !rc->kintr && alone)
			rc->kearly = true;
	}
	/* operations the model left blocked must block here too */
	for (int i = 0; i < k->nr_recs; i++) {
		if (!k->recs[i].mblocked)
			continue;
		coord_dispatch(k, i);
	}
	coord_settle(k);
	for (int i = 0; i < k->nr_recs; i++) {
		if (!k->recs[i].mblocked)
			continue;
		coord_wait(k, PROBE_MS, i, -1, NULL, NULL);
		if (!k->recs[i].kdone) {
			coord_interrupt(k, i);
			k->recs[i].kintr = true;
		}
	}
	/* started but never completed in a stopped model run: just stop them */
	for (int i = 0; i < k->nr_recs; i++)
		if (k->recs[i].sent && !k->recs[i].kdone && !k->recs[i].mdone)
			coord_interrupt(k, i);

	for (int e = 0; e < k->nr_evs; e++)
		if (k->evs[e].kind == EV_DONE)
			compare_rec(k, &k->recs[k->evs[e].rec]);
	for (int i = 0; i < k->nr_recs; i++)
		if (k->recs[i].mblocked)
			compare_rec(k, &k->recs[i]);
	if (model_valid || st == RUN_VIOLATION)
		compare_conds(k, model_valid);
	agent_stop(k, pgid);
	if (!k->keep) {
		char cmd[128];

		/* only the files this run created, in its own directory */
		for (int i = 0; i < k->s->nr_syms; i++) {
			if (k->s->syms[i].kind != SCN_SYM_FILE)
				continue;
			for (int64_t j = 0; j < kern__sym_n(&k->s->syms[i]); j++) {
				char path[512];

				kern__file_path(k, i, j, path, sizeof(path));
				unlink(path);
			}
		}
		if (rmdir(k->dir))
			printf("note: %s was not removed: %s\n", k->dir, strerror(errno));
		(void)cmd;
	} else {
		printf("note: files kept in %s\n", k->dir);
	}
	printf("kernel: %d operations, %d conditions compared", k->nr_ops,
	       k->nr_conds);
	if (k->nr_cond_skipped)
		printf(", %d conditions skipped", k->nr_cond_skipped);
	printf(": %s\n", k->nr_diff ? "DISAGREE" : "agree");
	if (k->nr_diff)
		printf("kernel: %d disagreement%s\n", k->nr_diff,
		       k->nr_diff == 1 ? "" : "s");
	return k->nr_diff ? KERNEL_EXIT_DIFFER : KERNEL_EXIT_AGREE;
}

int cmd_kernel(int argc, char **argv)
{
	const char *params[MAX_OV], *sets[MAX_OV], *pols[MAX_OV], *file = NULL;
	int np = 0, ns = 0, npol = 0, ret;
	bool probe = false;
	struct scn_overrides ov;
	struct scn_error e;
	struct kctx k = { 0 };
	struct scn *s = NULL;
	char why[512];
	const char *skip;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_kernel, stdout);
			return KERNEL_EXIT_AGREE;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			k.verbose = true;
		} else if (!strcmp(a, "--keep")) {
			k.keep = true;
		} else if (!strcmp(a, "--probe")) {
			probe = true;
		} else if (!strcmp(a, "--param") || !strcmp(a, "--set") ||
			   !strcmp(a, "--policy")) {
			const char **arr = a[2] == 'p' && a[3] == 'a' ? params :
					   a[2] == 's' ? sets : pols;
			int *n = arr == params ? &np : arr == sets ? &ns : &npol;

			if (!v) {
				fprintf(stderr, "spansim kernel: %s needs a value\n", a);
				return KERNEL_EXIT_USAGE;
			}
			if (*n == MAX_OV) {
				fprintf(stderr, "spansim kernel: too many %s\n", a);
				return KERNEL_EXIT_USAGE;
			}
			arr[(*n)++] = v;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "spansim kernel: unknown option '%s'\n(see 'spansim kernel --help')\n", a);
			return KERNEL_EXIT_USAGE;
		} else if (file) {
			fprintf(stderr, "spansim kernel: needs exactly one FILE\n");
			return KERNEL_EXIT_USAGE;
		} else {
			file = a;
		}
	}
	if (probe) {
		if (file || np || ns || npol || k.keep) {
			fprintf(stderr, "spansim kernel: --probe takes no FILE and no other option\n");
			return KERNEL_EXIT_USAGE;
		}
		host_probe(&k.host);
		host_print(&k.host, stdout);
		return KERNEL_EXIT_AGREE;
	}
	if (!file) {
		fprintf(stderr, "spansim kernel: needs exactly one FILE\n(see 'spansim kernel --help')\n");
		return KERNEL_EXIT_USAGE;
	}
	ov = (struct scn_overrides){ .params = params, .nr_params = np,
				     .sets = sets, .nr_sets = ns,
				     .policies = pols, .nr_policies = npol };
	if (scn_parse_file(file, &ov, &s, &e)) {
		char buf[1024];

		scn_error_format(&e, buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
		return KERNEL_EXIT_USAGE;
	}
	k.s = s;
	k.file = file;
	printf("kernel: scenario %s (%s)\n", s->name, file);
	host_probe(&k.host);
	if (k.verbose)
		host_print(&k.host, stdout);
	/* host knobs that the scenario leaves open follow the live kernel */
	if (!(s->policy_named & (1u << SPAN_KNOB_GUP_ZERO_PAGE)) &&
	    k.host.gup_zero_page >= 0) {
		s->policy.v[SPAN_KNOB_GUP_ZERO_PAGE] =
			(uint8_t)k.host.gup_zero_page;
		if (k.host.gup_zero_page != SPAN_GUP_ZERO_PAGE_MAP)
			printf("kernel: the model runs with gup_zero_page = %s, as probed on this host\n",
			       span_knob_value_name(SPAN_KNOB_GUP_ZERO_PAGE,
						    k.host.gup_zero_page));
	} else if (k.host.gup_zero_page < 0) {
		printf("kernel: note: gup_zero_page %s; the model keeps gup_zero_page = %s\n",
		       k.host.gup_zero_page_why,
		       span_knob_value_name(SPAN_KNOB_GUP_ZERO_PAGE,
					    s->policy.v[SPAN_KNOB_GUP_ZERO_PAGE]));
	}
	skip = skip_reason(&k, why, sizeof(why));
	if (skip) {
		printf("SKIP: %s\n", skip);
		scn_free(s);
		return KERNEL_EXIT_SKIP;
	}
	if (model_run(&k)) {
		fprintf(stderr, "spansim kernel: %s\n", k.err[0] ? k.err : "model run failed");
		ret = KERNEL_EXIT_USAGE;
		goto out;
	}
	/* sockets need the network model */
	for (int i = 0; i < k.nr_recs; i++) {
		const struct rec *rc = &k.recs[i];

		if ((rc->op->kind == SCN_OP_TCP || rc->op->kind == SCN_OP_UNIX) &&
		    rc->mdone && rc->mret == -EOPNOTSUPP) {
			printf("SKIP: the model has no network layer in this build (%s:%d: `%s` = -EOPNOTSUPP)\n",
			       file, rc->op->line, rc->op->text);
			ret = KERNEL_EXIT_SKIP;
			goto out;
		}
	}
	k.uid = geteuid();
	k.root = k.uid == 0;
	if (k.root)
		printf("kernel: operations run as uid %d (nobody), unprivileged\n", NOBODY);
	else
		printf("kernel: note: not root: operations run as uid %d, with this user's limits and privileges\n",
		       (int)k.uid);
	ret = kernel_run(&k);
out:
	if (k.r)
		run_destroy(k.r);
	kctx_free(&k);
	scn_free(s);
	return ret;
}
