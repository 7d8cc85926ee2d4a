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
 *    "blocked"), and after every event lets the kernel kern__settle (threads
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

static const char usage_kernel[] =
"usage: spansim kernel FILE [--param K=V]... [--set K=V]... [--policy K=V]...\n"
"                      [--verbose] [--keep]\n"
"       spansim kernel --probe\n"
"       spansim kernel --fuzz N [--seed S] [--out DIR] [--max-ops K]\n"
"                      [--policy K=V]... [--print]\n"
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
"--fuzz N: differential fuzzing.  Generates N random single-thread\n"
"programs from the operation table (every operation the live kernel can\n"
"run, with its operands and modifiers; seed S, default 1; at most K\n"
"operations, default 12), runs each on the model and the kernel in this\n"
"process, and shrinks each new unexplained disagreement, a line at a time,\n"
"to a scenario written to DIR (default ./difffuzz-out).  Disagreements\n"
"listed in docs/deviations.md (known_diffs[] in sim/kernel/fuzz.c) are\n"
"explained; --policy runs the model off mainline (a planted bug); --print\n"
"writes the programs and runs nothing.  Progress on stderr every 5 s, a\n"
"summary at the end; exit 0, or 1 on an unexplained disagreement, 4 when\n"
"interrupted (summary marked INCOMPLETE).\n"
"\n"
"SIGINT or SIGTERM stops the kernel run: what finished is compared, the\n"
"agents are stopped and the temporary files removed.\n"
"\n"
"exit status: 0 model and kernel agree; 1 a disagreement; 2 usage,\n"
"scenario or run-time errors; 3 skipped (SKIP: REASON printed); 4\n"
"interrupted, no disagreement in what was compared.\n";

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
			      .on_step = on_step, .on_step_ud = k,
			      .max_model_bytes = k->max_model_bytes };
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
		if (s->policy.v[i] != def.v[i] && !k->any_policy) {
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
			{ SPAN_PARAM_S_MAXBYTES, k->host.s_maxbytes,
			  "s_maxbytes (of " HOST_FILE_DIR ")" },
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
			     p == SPAN_PARAM_SNDBUF || p == SPAN_PARAM_RCVBUF ||
			     p == SPAN_PARAM_TCP_RETRANSMIT) &&
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

/* SIGINT/SIGTERM during the kernel run: stop, clean up, say so */
static volatile sig_atomic_t kstop;

static void on_kstop(int sig)
{
	kstop = sig;
}

static bool kstop_caught;

void kernel_catch_stop(void)
{
	struct sigaction sa;

	if (kstop_caught)
		return;
	kstop_caught = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kstop;
	sa.sa_flags = SA_RESETHAND;	/* a second signal kills */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int kernel_stopped(void)
{
	return kstop;
}

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
	int nr_evs = k->nr_evs;
	bool model_valid;
	enum run_status st = run_status(k->r);
	pid_t pgid;
	struct rlimit rl;
	int nfds = 64;

	model_valid = st == RUN_DONE || st == RUN_DEADLOCK ||
		      (st == RUN_VIOLATION && run_violation(k->r) &&
		       run_violation(k->r)->inv == SPAN_INV_LEAK);
	if (st == RUN_ERROR) {
		if (!k->quiet)
			fprintf(stderr, "%s\n", run_error(k->r));
		return KERNEL_EXIT_USAGE;
	}
	if (st == RUN_VIOLATION && run_violation(k->r))
		k->res->violation =
			span_invariant_name(run_violation(k->r)->inv);
	if (st == RUN_VIOLATION)
		kern__out(k, "note: the model run ended in invariant violation %s at step %" PRIu64
		       "%s\n", span_invariant_name(run_violation(k->r)->inv),
		       run_violation(k->r)->step,
		       model_valid ? "" : "; only the operations it ran are compared, not the conditions");
	else if (st == RUN_STEP_LIMIT)
		kern__out(k, "note: the model run hit its step limit; only the operations it ran are compared\n");

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
	/* the pid names whose directory it is (tests, stale ones) */
	snprintf(k->dir, sizeof(k->dir), HOST_FILE_DIR "/spansim-kernel.%d.XXXXXX",
		 (int)getpid());
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
	if (kern__agent_start(k)) {
		fprintf(stderr, "spansim kernel: cannot start the agent: %s\n",
			strerror(errno));
		return KERNEL_EXIT_USAGE;
	}
	pgid = k->ag[0].pid;
	/* after the agents exist: they keep the default actions */
	kernel_catch_stop();

	/* the operations, in the model's order */
	for (int e = 0; e < k->nr_evs; e++) {
		int ri = k->evs[e].rec;
		struct rec *rc = &k->recs[ri];
		bool alone = !in_flight(k, ri);

		if (kstop) {
			nr_evs = e;
			break;
		}
		kern__coord_dispatch(k, ri);
		if (k->evs[e].kind == EV_DONE) {
			if (!kern__coord_wait(k, DONE_TIMEOUT_MS, ri, -1, NULL, NULL))
				kern__coord_interrupt(k, ri);
			kern__coord_after(k, rc);
		}
		kern__coord_settle(k);
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
	for (int i = 0; i < k->nr_recs && !kstop; i++) {
		if (!k->recs[i].mblocked)
			continue;
		kern__coord_dispatch(k, i);
	}
	if (!kstop)
		kern__coord_settle(k);
	for (int i = 0; i < k->nr_recs && !kstop; i++) {
		if (!k->recs[i].mblocked)
			continue;
		kern__coord_wait(k, PROBE_MS, i, -1, NULL, NULL);
		if (!k->recs[i].kdone) {
			kern__coord_interrupt(k, i);
			k->recs[i].kintr = true;
		}
	}
	/* started but never completed in a stopped model run (or in an
	 * interrupted kernel run): just stop them */
	for (int i = 0; i < k->nr_recs; i++)
		if (k->recs[i].sent && !k->recs[i].kdone &&
		    (!k->recs[i].mdone || kstop))
			kern__coord_interrupt(k, i);

	/* an interrupted run compares only what it finished */
	for (int e = 0; e < nr_evs; e++)
		if (k->evs[e].kind == EV_DONE)
			kern__compare_rec(k, &k->recs[k->evs[e].rec]);
	for (int i = 0; i < k->nr_recs && !kstop; i++)
		if (k->recs[i].mblocked)
			kern__compare_rec(k, &k->recs[i]);
	if ((model_valid || st == RUN_VIOLATION) && !kstop)
		kern__compare_conds(k, model_valid);
	kern__agent_stop(k, pgid);
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
			kern__out(k, "note: %s was not removed: %s\n", k->dir, strerror(errno));
		(void)cmd;
	} else {
		kern__out(k, "note: files kept in %s\n", k->dir);
	}
	kern__out(k, "kernel: %d operations, %d conditions compared", k->nr_ops,
	       k->nr_conds);
	if (k->nr_cond_skipped)
		kern__out(k, ", %d conditions skipped", k->nr_cond_skipped);
	if (kstop) {
		kern__out(k, ": %s so far; interrupted by %s after %d of %d steps (incomplete: the rest and the conditions were not compared)\n",
		       k->nr_diff ? "DISAGREE" : "agree",
		       kstop == SIGTERM ? "SIGTERM" : "SIGINT", nr_evs,
		       k->nr_evs);
	} else {
		kern__out(k, ": %s\n", k->nr_diff ? "DISAGREE" : "agree");
	}
	if (k->nr_diff)
		kern__out(k, "kernel: %d disagreement%s\n", k->nr_diff,
		       k->nr_diff == 1 ? "" : "s");
	if (k->nr_diff)
		return KERNEL_EXIT_DIFFER;
	return kstop ? KERNEL_EXIT_INCOMPLETE : KERNEL_EXIT_AGREE;
}

/* does a set line or --set of @s name world parameter @p? */
static bool sets_param(const struct scn *s, int p)
{
	for (int i = 0; i < s->nr_sets; i++)
		if (s->sets[i].param == p)
			return true;
	return false;
}

void kern_result_free(struct kern_result *res)
{
	free(res->diffs);
	memset(res, 0, sizeof(*res));
}

/*
 * kern__prepare - the model half of kernel_compare(), shared with `spansim
 * export`: fill @k for scenario @s, decide whether it can run for real,
 * and run the model with the fifo schedule (k->recs, k->evs).
 *
 * Return: KERNEL_EXIT_AGREE when the kernel run may start; otherwise
 * KERNEL_EXIT_SKIP (the reason in @res->skip) or KERNEL_EXIT_USAGE.  The
 * caller frees @k with kern__ctx_free() in every case.
 */
int kern__prepare(struct kctx *k, struct scn *s, const char *file,
		  const struct kern_opts *o, struct kern_result *res)
{
	char why[512];
	const char *skip;

	memset(res, 0, sizeof(*res));
	memset(k, 0, sizeof(*k));
	k->s = s;
	k->file = file;
	k->verbose = o->verbose;
	k->keep = o->keep;
	k->quiet = o->quiet;
	k->any_policy = o->any_policy;
	k->max_model_bytes = o->max_model_bytes;
	k->res = res;
	k->host = *o->host;
	kern__out(k, "kernel: scenario %s (%s)\n", s->name, file);
	if (k->verbose && !k->quiet)
		host_print(&k->host, stdout);
	/* host knobs that the scenario leaves open follow the live kernel */
	if (!(s->policy_named & (1u << SPAN_KNOB_GUP_ZERO_PAGE)) &&
	    k->host.gup_zero_page >= 0) {
		s->policy.v[SPAN_KNOB_GUP_ZERO_PAGE] =
			(uint8_t)k->host.gup_zero_page;
		if (k->host.gup_zero_page != SPAN_GUP_ZERO_PAGE_MAP)
			kern__out(k, "kernel: the model runs with gup_zero_page = %s, as probed on this host\n",
				  span_knob_value_name(SPAN_KNOB_GUP_ZERO_PAGE,
						       k->host.gup_zero_page));
	} else if (k->host.gup_zero_page < 0) {
		kern__out(k, "kernel: note: gup_zero_page %s; the model keeps gup_zero_page = %s\n",
			  k->host.gup_zero_page_why,
			  span_knob_value_name(SPAN_KNOB_GUP_ZERO_PAGE,
					       s->policy.v[SPAN_KNOB_GUP_ZERO_PAGE]));
	}
	skip = skip_reason(k, why, sizeof(why));
	if (skip) {
		kern__out(k, "SKIP: %s\n", skip);
		snprintf(res->skip, sizeof(res->skip), "%s", skip);
		return KERNEL_EXIT_SKIP;
	}
	if (model_run(k)) {
		if (!k->quiet)
			fprintf(stderr, "spansim kernel: %s\n",
				k->err[0] ? k->err : "model run failed");
		return KERNEL_EXIT_USAGE;
	}
	/* a model over its memory budget has no result to compare */
	if (run_oom(k->r)) {
		snprintf(res->skip, sizeof(res->skip),
			 "the model ran out of memory (%s)",
			 run_over_budget(k->r) ? "its budget" : "the host's");
		kern__out(k, "SKIP: %s\n", res->skip);
		return KERNEL_EXIT_SKIP;
	}
	/*
	 * The model's files are ext4's: a spliced hole gets a page-cache
	 * folio.  tmpfs splices the ZERO_PAGE (shmem_file_splice_read()),
	 * so a later write would not be seen through the pipe.
	 */
	if (k->host.fs_type == HOST_TMPFS_MAGIC && run_hole_spliced(k->r)) {
		snprintf(res->skip, sizeof(res->skip),
			 "the model spliced a hole of a file, and %s is tmpfs, whose holes splice the ZERO_PAGE (the model's files are ext4's)",
			 HOST_FILE_DIR);
		kern__out(k, "SKIP: %s\n", res->skip);
		return KERNEL_EXIT_SKIP;
	}
	/* sockets need the network model */
	for (int i = 0; i < k->nr_recs; i++) {
		const struct rec *rc = &k->recs[i];

		if ((rc->op->kind == SCN_OP_TCP || rc->op->kind == SCN_OP_UNIX) &&
		    rc->mdone && rc->mret == -EOPNOTSUPP) {
			snprintf(res->skip, sizeof(res->skip),
				 "the model has no network layer in this build (%s:%d: `%s` = -EOPNOTSUPP)",
				 file, rc->op->line, rc->op->text);
			kern__out(k, "SKIP: %s\n", res->skip);
			return KERNEL_EXIT_SKIP;
		}
	}
	return KERNEL_EXIT_AGREE;
}

/* kern__ctx_free - free what kern__prepare() and the kernel run left in @k */
void kern__ctx_free(struct kctx *k)
{
	if (k->r)
		run_destroy(k->r);
	k->r = NULL;
	kctx_free(k);
}

int kernel_compare(struct scn *s, const char *file, const struct kern_opts *o,
		   struct kern_result *res)
{
	struct kctx k;
	int ret;

	ret = kern__prepare(&k, s, file, o, res);
	if (ret != KERNEL_EXIT_AGREE)
		goto out;
	k.uid = geteuid();
	k.root = k.uid == 0;
	if (k.root)
		kern__out(&k, "kernel: operations run as uid %d (nobody), unprivileged\n", NOBODY);
	else
		kern__out(&k, "kernel: note: not root: operations run as uid %d, with this user's limits and privileges\n",
			  (int)k.uid);
	ret = kernel_run(&k);
out:
	kern__ctx_free(&k);
	return ret;
}

/*
 * kern__parse - parse @file for a live-kernel run: s_maxbytes follows the
 * file system the files live on (@host) unless the scenario sets it.
 * @sets must have room for one more entry than @ov->nr_sets.
 *
 * Return: 0 with *@s, or KERNEL_EXIT_USAGE (the error printed).
 */
int kern__parse(const char *file, struct scn_overrides *ov, const char **sets,
		const struct host_facts *host, struct scn **s)
{
	struct scn_error e;

	*s = NULL;
	if (scn_parse_file(file, ov, s, &e)) {
		char buf[1024];

		scn_error_format(&e, buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
		return KERNEL_EXIT_USAGE;
	}
	/*
	 * s_maxbytes follows the file system the files live on unless the
	 * scenario set it: parse again with it as one more --set (a set line
	 * of the file would lose to it, so only when there is none)
	 */
	if (host->s_maxbytes > 0 && !sets_param(*s, SPAN_PARAM_S_MAXBYTES) &&
	    ov->nr_sets < MAX_OV) {
		static char set_max[64];

		snprintf(set_max, sizeof(set_max), "s_maxbytes=%" PRId64,
			 host->s_maxbytes);
		sets[ov->nr_sets++] = set_max;
		ov->sets = sets;
		scn_free(*s);
		*s = NULL;
		if (scn_parse_file(file, ov, s, &e)) {
			char buf[1024];

			scn_error_format(&e, buf, sizeof(buf));
			fprintf(stderr, "%s\n", buf);
			return KERNEL_EXIT_USAGE;
		}
	}
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	const char *params[MAX_OV], *sets[MAX_OV], *pols[MAX_OV], *file = NULL;
	int np = 0, ns = 0, npol = 0, ret;
	bool probe = false;
	struct scn_overrides ov;
	struct host_facts host;
	struct kern_opts ko = { .host = &host };
	struct kern_result res;
	struct scn *s = NULL;

	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--fuzz"))
			return cmd_kernel_fuzz(argc, argv);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_kernel, stdout);
			return KERNEL_EXIT_AGREE;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			ko.verbose = true;
		} else if (!strcmp(a, "--keep")) {
			ko.keep = true;
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
		if (file || np || ns || npol || ko.keep) {
			fprintf(stderr, "spansim kernel: --probe takes no FILE and no other option\n");
			return KERNEL_EXIT_USAGE;
		}
		host_probe(&host);
		host_print(&host, stdout);
		return KERNEL_EXIT_AGREE;
	}
	if (!file) {
		fprintf(stderr, "spansim kernel: needs exactly one FILE\n(see 'spansim kernel --help')\n");
		return KERNEL_EXIT_USAGE;
	}
	ov = (struct scn_overrides){ .params = params, .nr_params = np,
				     .sets = sets, .nr_sets = ns,
				     .policies = pols, .nr_policies = npol };
	host_probe(&host);
	if (kern__parse(file, &ov, sets, &host, &s))
		return KERNEL_EXIT_USAGE;
	if (ov.nr_sets > ns && host.s_maxbytes != 0xffffffff000ll)	/* the default */
		printf("kernel: the model runs with s_maxbytes = %" PRId64 ", as probed on %s\n",
		       host.s_maxbytes, HOST_FILE_DIR);
	ret = kernel_compare(s, file, &ko, &res);
	kern_result_free(&res);
	scn_free(s);
	return ret;
}
