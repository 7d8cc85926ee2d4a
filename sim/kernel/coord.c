// SPDX-License-Identifier: MIT
/*
 * coord.c - the coordinator: the control channel to the agents,
 * dispatching and waiting, the kernel side of conditions, and the
 * comparison of every result and condition.
 *
 * Not a kernel file.  Part of `spansim kernel` (kernel.c has the shape
 * of a run); kernel_int.h declares what the parts share.
 */
#define _GNU_SOURCE
/* run.h first: <sched.h> (through <pthread.h>) defines SCHED_FIFO too */
#include "run.h"

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

/* --- the coordinator --------------------------------------------------------- */

static void coord_send(struct kctx *k, int p, const struct cmsg *c);

/* read one message from agent @p; Return 0, or -1 when it is gone */
static int coord_read(struct kctx *k, int p, struct amsg *h, char **data)
{
	int fds[FDS_PER_MSG], nfds = 0;

	*data = NULL;
	if (kern__recv_fds(k->ag[p].fd, h, sizeof(*h), fds, &nfds))
		goto gone;
	if (h->len) {
		*data = kern__xcalloc(1, (size_t)h->len + 1);
		if (kern__read_all(k->ag[p].fd, *data, (size_t)h->len))
			goto gone;
	}
	if (h->type == A_FDS) {
		/* the handles of a new object: every other process gets them */
		struct cmsg c = { .type = C_IMPORT, .sym = h->rec,
				  .len = (int64_t)(h->len / sizeof(struct fdslot)) };

		for (int q = 0; q < k->s->nr_processes; q++) {
			if (q == p || !k->ag[q].alive)
				continue;
			if (kern__send_fds(k->ag[q].fd, &c, sizeof(c), fds, nfds) ||
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
bool kern__coord_wait(struct kctx *k, int ms, int want_rec, int want_p,
		       struct amsg *out, char **outdata)
{
	int64_t end = kern__now_ms() + ms;

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
		left = (int)(end - kern__now_ms());
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

void kern__coord_settle(struct kctx *k)
{
	for (int p = 0; p < k->s->nr_processes; p++) {
		struct cmsg c = { .type = C_SETTLE };
		struct amsg h;

		if (!k->ag[p].alive)
			continue;
		coord_send(k, p, &c);
		kern__coord_wait(k, 5000, -1, p, &h, NULL);
	}
}

/*
 * Handles are per scenario, not per process (span/fd.h): a new pipe, file
 * or socket is passed to every other process, and close closes it in all.
 */
void kern__coord_after(struct kctx *k, struct rec *rc)
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
			kern__coord_wait(k, 5000, -1, rc->process, &h, NULL);
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

void kern__coord_dispatch(struct kctx *k, int ri)
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
bool kern__coord_interrupt(struct kctx *k, int ri)
{
	struct rec *rc = &k->recs[ri];

	for (int i = 0; i < 40 && !rc->kdone; i++) {
		struct cmsg c = { .type = C_INTR, .key = rc->key };

		coord_send(k, rc->process, &c);
		kern__coord_wait(k, 50, ri, -1, NULL, NULL);
	}
	return rc->kdone;
}

static pid_t spawn_agent(struct kctx *k, int me, pid_t pgid);

int kern__agent_start(struct kctx *k)
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
		struct sigaction sa = { .sa_handler = kern__on_sigusr1 };

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
		kern__K = k;
		pthread_mutex_init(&k->wmu, NULL);
		k->me = me;
		k->ctl = k->ctl_agent[me];
		kern__agent_loop(k);
	}
	setpgid(pid, pgid ? pgid : pid);
	return pid;
}

void kern__agent_stop(struct kctx *k, pid_t pgid)
{
	for (int p = 0; p < k->s->nr_processes; p++) {
		struct cmsg c = { .type = C_QUIT };

		coord_send(k, p, &c);
	}
	kern__sleep_ms(5);
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

/* free what kstate_build() and kern__compare_conds() allocated (the variables'
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
	if (!kern__coord_wait(k, 5000, -1, p, &h, data))
		return -ETIMEDOUT;
	return h.ret;
}

/* the record that created element @idx of object @sym, or NULL */
static const struct rec *obj_rec(struct kctx *k, int sym, int64_t idx)
{
	for (int i = 0; i < k->nr_recs; i++) {
		const struct scn_op *op = k->recs[i].op;

		if (!k->recs[i].kdone || k->recs[i].kret)
			continue;
		for (int j = 0; j < op->nr_operands; j++)
			if (op->operand[j].kind == SCN_OPD_OBJ &&
			    op->operand[j].ref.sym == sym &&
			    (op->kind == SCN_OP_MEM || op->kind == SCN_OP_TCP ||
			     op->kind == SCN_OP_UNIX || op->kind == SCN_OP_FILE ||
			     op->kind == SCN_OP_DEV))
				return &k->recs[i];
	}
	(void)idx;
	return NULL;
}

/* the process that created element @idx of object @sym in the kernel run */
static int obj_creator(struct kctx *k, int sym, int64_t idx)
{
	const struct rec *rc = obj_rec(k, sym, idx);

	return rc ? rc->process : -1;
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
	/*
	 * A memory device (`dev`) has no page cache and an i_size of 0, as
	 * the model's file() sees it: empty (a read(2) would be the device's
	 * read, not its contents).
	 */
	if (obj_rec(k, ref->sym, idx)->op->kind == SCN_OP_DEV) {
		out->data = kern__xcalloc(1, 1);
		out->len = 0;
		return 0;
	}
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

void kern__diff(struct kctx *k, const struct scn_op *op, int line,
		const char *what, const char *model, const char *kernel)
{
	struct kern_diff *d;
	const char *obj = NULL;

	k->nr_diff++;
	if (k->res->nr_diffs == k->res->cap_diffs) {
		int cap = k->res->cap_diffs ? 2 * k->res->cap_diffs : 8;
		struct kern_diff *n = realloc(k->res->diffs,
					      (size_t)cap * sizeof(*n));

		if (!n)
			return;
		k->res->diffs = n;
		k->res->cap_diffs = cap;
	}
	d = &k->res->diffs[k->res->nr_diffs++];
	memset(d, 0, sizeof(*d));
	d->op = op ? (int)op->kind : -1;
	d->line = line;
	/* the kind of object the operation works on (its first operand) */
	if (op && op->nr_operands && op->operand[0].kind == SCN_OPD_OBJ &&
	    op->operand[0].ref.sym >= 0)
		obj = scn_sym_kind_name(k->s->syms[op->operand[0].ref.sym].kind);
	snprintf(d->obj, sizeof(d->obj), "%s", obj ? obj : "");
	snprintf(d->what, sizeof(d->what), "%s", what);
	snprintf(d->model, sizeof(d->model), "%s", model);
	snprintf(d->kernel, sizeof(d->kernel), "%s", kernel);
}

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
	kern__out(k, "%s %s:%d  %s  `%s`%s%s%s\n", tag, k->file, rc->op->line, who,
	       rc->op->text, lv[0] ? "  (" : "", lv[0] ? lv + 1 : "",
	       lv[0] ? ")" : "");
}

static void side(struct kctx *k, const char *what, const char *m,
		 const char *kk)
{
	kern__out(k, "    %-8s model:  %s\n", what, m);
	kern__out(k, "    %-8s kernel: %s\n", "", kk);
}

void kern__compare_rec(struct kctx *k, struct rec *rc)
{
	char mr[64], kr[96], mb[512], kb[512];
	bool ret_ok, data_ok = true;
	size_t first = 0;

	k->nr_ops++;
	if (rc->mblocked) {
		snprintf(mr, sizeof(mr), "blocked");
		if (rc->kdone && !rc->kintr)
			kern__fmt_ret(kr, sizeof(kr), rc->kret);
		else
			snprintf(kr, sizeof(kr), "blocked");
		ret_ok = !strcmp(kr, "blocked");
		if (!ret_ok || k->verbose) {
			print_rec_head(k, rc, ret_ok ? "    " : "DIFF");
			side(k, "result", mr, kr);
		}
		if (!ret_ok)
			kern__diff(k, rc->op, rc->op->line, "blocking",
				   mr, kr);
		return;
	}
	kern__fmt_ret(mr, sizeof(mr), rc->mret);
	if (!rc->kdone)
		snprintf(kr, sizeof(kr), "no result (agent gone)");
	else if (rc->kintr)
		snprintf(kr, sizeof(kr), "blocked (interrupted after %d ms, returned %" PRId64 ")",
			 DONE_TIMEOUT_MS, rc->kret);
	else
		kern__fmt_ret(kr, sizeof(kr), rc->kret);
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
			kern__fmt_bytes(mb, sizeof(mb), rc->mdata, rc->mlen, first, 48);
		else
			snprintf(mb, sizeof(mb), "(none)");
		if (rc->kdata_set)
			kern__fmt_bytes(kb, sizeof(kb), rc->kdata, rc->klen, first, 48);
		else
			snprintf(kb, sizeof(kb), "(none)");
	}
	if (ret_ok && data_ok && !k->verbose)
		return;
	print_rec_head(k, rc, ret_ok && data_ok ? "    " : "DIFF");
	side(k, "result", mr, kr);
	if (rc->mdata_set || rc->kdata_set) {
		char name[80];

		snprintf(name, sizeof(name), "%s", rc->op->result.name ?
			 rc->op->result.name : "bytes");
		side(k, name, mb, kb);
	}
	if (!ret_ok)
		kern__diff(k, rc->op, rc->op->line,
			   rc->kearly ? "sleep" : "result", mr, kr);
	if (!data_ok)
		kern__diff(k, rc->op, rc->op->line, "bytes", mb, kb);
}

void kern__compare_conds(struct kctx *k, bool model_valid)
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
				kern__out(k, "skip %s:%d  %s %s  (needs model internals: %s)\n",
				       k->file, cs[i].line, kw, cs[i].text, why);
				continue;
			}
			k->nr_conds++;
			kv = cond_eval(s, &kernel_cond_ops, &kc, cs[i].expr,
				       &err);
			if (err) {
				kern__out(k, "DIFF %s:%d  %s %s\n    kernel: cannot be evaluated\n",
				       k->file, cs[i].line, kw, cs[i].text);
				kern__diff(k, NULL, cs[i].line, kw, "",
					   "cannot be evaluated");
				continue;
			}
			/* an expect must hold on the kernel; either must match */
			differ = (!pass && !kv) ||
				 (model_valid && !mr[i].error && mr[i].value != kv);
			if (differ || k->verbose) {
				kern__out(k, "%s %s:%d  %s %s\n", differ ? "DIFF" : "    ",
				       k->file, cs[i].line, kw, cs[i].text);
				kern__out(k, "    model:  %s\n", !model_valid ? "not evaluated" :
				       mr[i].error ? "error" :
				       mr[i].value ? (pass ? "yes" : "holds") :
						     (pass ? "no" : "FAILS"));
				kern__out(k, "    kernel: %s\n", kv ? (pass ? "yes" : "holds") :
				       (pass ? "no" : "FAILS"));
			}
			if (differ)
				kern__diff(k, NULL, cs[i].line, kw,
					   !model_valid || mr[i].error ? "?" :
					   mr[i].value ? "true" : "false",
					   kv ? "true" : "false");
		}
	}
	kstate_free(k, &ks);
}

/* free the coordinator's bookkeeping */
