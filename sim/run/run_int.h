/* SPDX-License-Identifier: MIT */
/*
 * run_int.h - the runner's internals, shared by run.c and the operation
 * families under sim/ops/ (their model halves).
 *
 * Not a kernel file.  Nothing outside sim/ includes this.
 */
#ifndef SPANSIM_RUN_INT_H
#define SPANSIM_RUN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ops/ops.h"
#include "run.h"

#define MAX_DEPTH (SCN_MAX_LOOP_DEPTH + 1)	/* the body and its loops */
#define MAX_EVENTS 256

struct frame {
	const struct scn_body *body;
	int idx;
	int loopvar;		/* dense LOOPVAR index, or -1 */
	int64_t to;
};

struct thread {
	const char *name;
	int process;		/* scn process index */
	struct frame stack[MAX_DEPTH];
	int depth;
	int64_t *loopvars;
	bool finished;
	bool blocked;
	struct span_footprint wait_fp;	/* what the blocked attempt read */
	/* the operation in progress */
	bool in_op;
	size_t done;		/* span_write()/span_sendmsg() progress */
	int64_t total;		/* `all`: bytes moved so far */
	uint64_t off;		/* `off N` as the kernel advances it */
	struct scn_str acc;	/* `all ... -> VAR`: bytes so far */
};

struct var {
	struct scn_str *v;	/* by index */
	bool *set;
	int64_t n;
};

struct label {
	bool set;
	int64_t value;
	uint64_t step;
};

struct objs {
	int64_t *id;		/* by element */
	int *pid;		/* mem: the process that mapped it */
	int64_t n;
};

struct run {
	const struct scn *s;
	struct run_opts o;
	struct span_world *w;
	enum run_status status;
	char error[512];
	struct thread *threads;
	int nr_threads;
	struct thread setup;	/* the setup pseudo-thread */
	int *pids;		/* scn process index -> world pid (0: none) */
	struct var *vars;	/* by symbol */
	struct label *labels;	/* by symbol */
	struct objs *objs;	/* by symbol */
	struct span_footprint last_fp;	/* of the last step (fork: all) */
	bool uses_time;		/* conditions compare at()/destructed_at() */
	uint64_t nr_steps;
	int cur;		/* fifo: the thread being run */
	uint64_t rng;
	/* the schedule taken */
	char *sched;
	size_t sched_len, sched_cap;
	char last_tok[64];
	uint64_t last_count;
	/* a given schedule */
	char **given;
	uint64_t *given_rep;	/* repetitions of each token */
	uint64_t given_used;	/* of the current token */
	int nr_given, given_pos;
	/* results */
	bool finished;
	struct cond_result *expects, *exists;
	bool deadlock;
	/* the first always/never line broken, and the step that broke it */
	int always_broken;	/* index into scn.always, or -1 */
	uint64_t always_step;
	const struct span_violation *viol;
	struct span_violation deadlock_viol;
	const struct scn_str *step_data;	/* on_step: the var stored */
	bool oom;		/* a host allocation failed: results unreliable */
	bool over_budget;	/* ... because of o.max_model_bytes */
	uint64_t model_bytes;	/* the world's allocations, headers included */
	/* run_hash()'s scratch (not state: run_load() keeps the current) */
	struct XXH3_state_s *hash_st;
	uint64_t *hash_stamps;
	size_t hash_stamps_cap;
	bool hole_spliced;	/* a file's hole was spliced (run_hole_spliced()) */
};

/* --- executing one operation -------------------------------------------- */


void run__set_error(struct run *r, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int run__eval_int(struct run *r, struct thread *t, const struct scn_expr *e,
		  int64_t *v);
/* element @idx of the object @ref names (and its process), or NULL with a
 * run-time error when @idx is out of range */
int64_t *run__obj_slot(struct run *r, const struct scn_ref *ref, int64_t idx,
		       int **pidp);
/* the element of an object symbol a reference names (and its process) */
int64_t *run__ref_slot(struct run *r, struct thread *t,
		       const struct scn_ref *ref, int **pidp);
/* a handle for a pipe/file/socket reference; @write picks the plain end */
int run__ref_fd(struct run *r, struct thread *t, const struct scn_ref *ref,
		bool write, int *fd);
int64_t run__sym_size(const struct scn_sym *sym);
void run__var_store(struct run *r, struct thread *t, const struct scn_ref *ref,
		    const void *data, size_t len);
void run__acc_append(struct run *r, struct scn_str *acc, const void *p,
		     size_t n);
int run__thread_pid(struct run *r, struct thread *t);
/* a host allocation for @op failed: the run stops with an error */
void run__oom(struct run *r, const struct scn_op *op);
const struct scn_ref *run__opd_ref(const struct scn_op *op, int i);
enum op_res run__opd_int(struct run *r, struct thread *t,
			 const struct scn_op *op, int i, int64_t *v);
/* the `all` and byte-count bookkeeping shared by read/recv/splice */
enum op_res run__finish_bytes(struct run *r, struct thread *t,
			      const struct scn_op *op, ssize_t n, int64_t len,
			      const void *data, int64_t *ret);

/* the model's accessors for cond_eval() (run_cond.c) */
struct cond_ops;
extern const struct cond_ops run__cond_ops;

#endif
