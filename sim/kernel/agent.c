// SPDX-License-Identifier: MIT
/*
 * agent.c - the live-kernel side: small helpers, the agents and their
 * worker threads, executing operations (their op_table halves), settling.
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

struct kctx *kern__K;		/* the agent's context (signal handler, fork) */
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

int64_t kern__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kern__sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

char *kern__mem_addr(const struct kobj *mo, int64_t off)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t end = (mo->size + pg - 1) / pg * pg;

	/* its mmap failed (size 0): no address at all, as region 0 in the
	 * model; NULL passes access_ok() and faults at the copy */
	if (!mo->addr)
		return NULL;
	if (off < 0 || (uint64_t)off > end)
		off = (int64_t)end;
	return mo->addr + off;
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

int kern__read_all(int fd, void *p, size_t n)
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
int kern__send_fds(int sock, const void *p, size_t n, const int *fds, int nfds)
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
int kern__recv_fds(int sock, void *p, size_t n, int *fds, int *nfds)
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
	return kern__read_all(sock, (char *)p + k, n - (size_t)k);
}

/* a result as the reports print it: "4096", "-EAGAIN", "blocked" */
void kern__fmt_ret(char *buf, size_t n, int64_t v)
{
	const char *en = v < 0 ? span_errname((int)v) : NULL;

	if (en)
		snprintf(buf, n, "-%s", en);
	else
		snprintf(buf, n, "%" PRId64, v);
}

/* bytes as a quoted string, at most @max shown */
void kern__fmt_bytes(char *buf, size_t n, const char *p, size_t len,
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
static bool fd_is_socket(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISSOCK(st.st_mode);
}

int kern__errq_drain(int fd, bool wait, char *out, size_t size)
{
	int nrec = 0;
	size_t k = 0;

	out[0] = 0;
	/* only a socket has an error queue to wait for: recvmsg() says
	 * -ENOTSOCK at once */
	if (wait && !fd_is_socket(fd))
		wait = false;
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
		int got = nrec;

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
			nrec++;
		}
		/*
		 * No record: a socket without an error queue of its own
		 * (AF_UNIX ignores MSG_ERRQUEUE and returns ordinary data,
		 * or 0 at end of file).  Stop there: what the call returned
		 * is the result when it is the first.
		 */
		if (nrec == got)
			return nrec ? nrec : (int)n;
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
	struct kctx *k = kern__K;

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

void kern__on_sigusr1(int sig)
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
 * Let the kernel kern__settle: every busy thread of this process asleep (it
 * reached the point where it blocks), then every TCP socket's send queue
 * acknowledged (SIOCOUTQ == 0) and, after zerocopy sends, the error queue
 * readable, or nothing changing for 30 ms; at most SETTLE_MAX_MS.
 */
void kern__settle(struct kctx *k)
{
	int64_t t0 = kern__now_ms();
	bool any_tcp = false, any_zc = false;

	for (int i = 0; i < k->nr_keys; i++) {
		struct worker *wk = &k->workers[i];

		while (wk->started && wk->busy && kern__now_ms() - t0 < SLEEP_MAX_MS) {
			char st = thread_state(wk->tid);

			if (st == 'S' || st == 'D' || st == 't' || st == 'T')
				break;
			kern__sleep_ms(1);
		}
	}
	t0 = kern__now_ms();
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
		if (kern__now_ms() - t0 > SETTLE_MAX_MS) {
			if (!k->settle_timeouts++)
				kern__out(k, "kernel: note: TCP did not kern__settle within %d ms (acks or zerocopy notifications still due); results after this point may depend on timing\n",
				       SETTLE_MAX_MS);
			break;
		}
		kern__sleep_ms(2);
	}
	if (any_tcp)
		kern__sleep_ms(any_zc ? 2 : 1);
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
			kern__sleep_ms(1);
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
			if (kern__send_fds(k->ctl, &h, sizeof(h), fds, n) ||
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

		if (kern__recv_fds(k->ctl, &c, sizeof(c), fds, &nfds))
			_exit(0);
		switch (c.type) {
		case C_EXPORT:
			agent_export(k, c.sym);
			agent_send(k, &h, NULL);
			break;
		case C_IMPORT: {
			struct fdslot sl[FDS_PER_MSG];

			if (c.len < 0 || c.len > FDS_PER_MSG ||
			    kern__read_all(k->ctl, sl, (size_t)c.len * sizeof(sl[0])))
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
			kern__settle(k);
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
			kern__settle(k);
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

