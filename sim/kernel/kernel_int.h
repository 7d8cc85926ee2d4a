/* SPDX-License-Identifier: MIT */
/*
 * kernel_int.h - the live-kernel runner's internals, shared by kernel.c and
 * the operation families under sim/ops/ (their live-kernel halves).
 *
 * Not a kernel file.  The halves run inside an agent process (one per
 * scenario process), on the worker thread of the scenario thread that
 * issued the operation; see kernel.c for the shape of a run.
 */
#ifndef SPANSIM_KERNEL_INT_H
#define SPANSIM_KERNEL_INT_H

/* run.h first: <sched.h> (through <pthread.h>) defines SCHED_FIFO too */
#include "run.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/errqueue.h>

#include "host.h"
#include "kernel.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

/* --- records of the model run --------------------------------------------- */

/* one operation as the model ran it, and as the kernel ran it */
struct rec {
	int key;		/* 0: setup, 1 + thread index */
	int process;		/* scn process index */
	const struct scn_op *op;
	int64_t *lv;		/* loop variables when it ran */
	/* model */
	bool mdone, mblocked;
	bool msleep;		/* it slept in the model before completing */
	int64_t mret;
	bool mdata_set;
	char *mdata;
	size_t mlen;
	/* kernel */
	bool sent, kdone, kintr;
	bool kearly;		/* msleep, but the kernel had returned at once */
	int64_t kret;
	bool kdata_set;
	char *kdata;
	size_t klen;
	int kchild;		/* fork: the child's pid */
};

enum { EV_START, EV_DONE };

struct event {
	int kind;
	int rec;
};

/* --- the kernel side's objects (per agent process, inherited by fork) ---- */

struct kobj {
	int fd[2];		/* pipe: r, w; file and socket: fd[0] */
	char *addr;		/* mem */
	uint64_t size;
	bool mapped;
	bool tcp;
	bool zc, zc_pending;
	int creator;		/* scn process that created it, -1: never */
};

struct kobjs {
	struct kobj *o;
	int64_t n;
};

struct worker {
	bool started;
	pthread_t th;
	pid_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int rec;		/* to run, -1: idle */
	volatile int busy;	/* 1 while an operation runs */
};

/* coordinator -> agent */
enum { C_EXEC, C_INTR, C_SETTLE, C_LOAD, C_DRAIN, C_EXPORT, C_IMPORT,
       C_CLOSE, C_QUIT };
struct cmsg {
	int type;
	int rec;
	int key;
	int sym;
	int64_t idx, off, len;
};

/* agent -> coordinator */
enum { A_RESULT, A_ACK, A_REPLY, A_FDS };

/* C_IMPORT / A_FDS: which descriptor each passed fd is (SCM_RIGHTS) */
struct fdslot {
	int64_t idx;
	int which;		/* kobj.fd[which] */
	int pad;
};

#define FDS_PER_MSG 128
struct amsg {
	int type;
	int rec;
	int64_t ret;
	int intr;
	int child;
	uint64_t len;
};

struct agent_in {
	int fd;
	bool alive;
	pid_t pid;
};

struct kctx {
	const struct scn *s;
	const char *file;
	bool verbose, keep;
	bool quiet;		/* print nothing: the results are in @res */
	bool any_policy;	/* run policies off mainline (kern_opts) */
	uint64_t max_model_bytes;	/* kern_opts */
	struct kern_result *res;
	struct host_facts host;
	/* model phase */
	struct run *r;
	int *open;		/* key -> rec in progress, -1 */
	struct rec *recs;
	int nr_recs, cap_recs;
	struct event *evs;
	int nr_evs, cap_evs;
	int nr_keys;
	char err[512];
	/* kernel phase */
	char dir[64];
	uid_t uid;
	bool root;
	struct kobjs *objs;	/* by symbol */
	int *ctl_agent;		/* agent ends, by process */
	struct agent_in *ag;	/* coordinator ends, by process */
	/* inside an agent */
	int me, ctl;
	pthread_mutex_t wmu;
	struct worker *workers;	/* by key */
	/* results */
	int nr_diff, nr_ops, nr_conds, nr_cond_skipped;
	int settle_timeouts;	/* settle() gave up waiting for TCP */
};

/* print unless the run is quiet (the fuzzer) */
#define kern__out(k, ...)                        \
	do {                                     \
		if (!(k)->quiet)                 \
			printf(__VA_ARGS__);     \
	} while (0)

/* record (and count) one disagreement; @op NULL for a condition */
void kern__diff(struct kctx *k, const struct scn_op *op, int line,
		const char *what, const char *model, const char *kernel);

#define MAX_OV		64
#define DONE_TIMEOUT_MS	2000	/* a completed model op may take this long */
#define PROBE_MS	500	/* a model-blocked op must not return in this */
#define SETTLE_MAX_MS	1000	/* TCP settling bound */
#define SLEEP_MAX_MS	200	/* a dispatched thread reaching its sleep */
#define NOBODY		65534
/* the agent's context (signal handler, fork) */
extern struct kctx *kern__K;
/* set by SIGUSR1 on a worker thread: its blocked call was interrupted */
extern _Thread_local volatile sig_atomic_t kern__intr;

void *kern__xcalloc(size_t n, size_t sz);
char *kern__xmemdup(const void *p, size_t n);
/* a system call's return value, or -errno */
int64_t kern__sysret(ssize_t n);
/* the number of elements of an object symbol */
int64_t kern__sym_n(const struct scn_sym *sym);
int kern__write_all(int fd, const void *p, size_t n);
/* an integer operand of the operation of @rc, with its loop variables */
int kern__eval(struct kctx *k, const struct rec *rc, const struct scn_expr *e,
	       int64_t *v);
/* the object a reference names, or NULL */
struct kobj *kern__ref_obj(struct kctx *k, const struct rec *rc,
			   const struct scn_ref *ref);
/* the descriptor a reference names (as the model half picks it), -1 */
int kern__ref_fd(struct kctx *k, const struct rec *rc,
		 const struct scn_ref *ref, bool write, bool *is_sock);
/* per-call O_NONBLOCK for pipes and files: set it around the call */
int kern__nb_on(int fd);
void kern__nb_off(int fd, int fl);
/*
 * The address of byte @off of memory @mo for a system call: inside the
 * mapping, or its guard page (PROT_NONE, after the last page) for any
 * offset out of it, so that the call faults where the model's bounds end
 * instead of reaching whatever the agent has mapped there; NULL for a
 * mem whose mmap failed.
 */
char *kern__mem_addr(const struct kobj *mo, int64_t off);
/* the path of element @i of file @sym in the run's directory */
void kern__file_path(struct kctx *k, int sym, int64_t i, char *buf, size_t n);
/* the initial contents of mem and file: the fill pattern */
void kern__pattern_fill(char *p, size_t n, const struct scn_str *fill);
/* drain MSG_ERRQUEUE as the language's text ("0-3,4-4 copied") */
int kern__errq_drain(int fd, bool wait, char *out, size_t size);
/* a connected TCP pair over 127.0.0.1 */
void kern__tcp_pair(int *a, int *b);
/* the live-kernel half of an operation the runner skips (ops.def .kskip) */
void kern__unsupported(struct kctx *k, struct rec *rc, struct amsg *res,
		       char **data);
int64_t kern__now_ms(void);
void kern__sleep_ms(int ms);
int kern__read_all(int fd, void *p, size_t n);
int kern__send_fds(int sock, const void *p, size_t n, const int *fds, int nfds);
int kern__recv_fds(int sock, void *p, size_t n, int *fds, int *nfds);
/* a return value as the reports print it: 4, -EAGAIN */
void kern__fmt_ret(char *buf, size_t n, int64_t v);
/* @len bytes of @p from @from, at most @max, quoted */
void kern__fmt_bytes(char *buf, size_t n, const char *p, size_t len,
		     size_t from, size_t max);
/* SIGUSR1 on a worker: interrupt its blocked call (kern__intr) */
void kern__on_sigusr1(int sig);
/* wait, in every live process, until the kernel has settled */
void kern__settle(struct kctx *k);
/* the coordinator (coord.c) */
int kern__agent_start(struct kctx *k);
void kern__agent_stop(struct kctx *k, pid_t pgid);
void kern__coord_dispatch(struct kctx *k, int ri);
bool kern__coord_wait(struct kctx *k, int ms, int want_rec, int want_p,
		      struct amsg *h, char **data);
bool kern__coord_interrupt(struct kctx *k, int ri);
void kern__coord_after(struct kctx *k, struct rec *rc);
void kern__coord_settle(struct kctx *k);
void kern__compare_rec(struct kctx *k, struct rec *rc);
void kern__compare_conds(struct kctx *k, bool model_valid);
/* the model half of kernel_compare() and its end (kernel.c; export.c) */
struct scn_overrides;
int kern__prepare(struct kctx *k, struct scn *s, const char *file,
		  const struct kern_opts *o, struct kern_result *res);
void kern__ctx_free(struct kctx *k);
int kern__parse(const char *file, struct scn_overrides *ov, const char **sets,
		const struct host_facts *host, struct scn **s);
/* the agent's command loop (a forked child becomes the new agent) */
_Noreturn void kern__agent_loop(struct kctx *k);

#endif
