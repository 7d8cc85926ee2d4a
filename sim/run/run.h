/* SPDX-License-Identifier: MIT */
/*
 * run.h - the scenario runner: executes a parsed scenario on a libspan
 * world, one step at a time, under a scheduler.
 *
 * Not a kernel file.  A step is one operation of one thread (a thread
 * step) or one kernel event.  The runner keeps each thread's program
 * counter, the values of labels and variables, and the schedule taken so
 * far; a report can be printed from it at any point.  The explorer drives
 * the same runner with snapshots (run_save/run_load).
 */
#ifndef SPANSIM_RUN_H
#define SPANSIM_RUN_H

#include <stdio.h>

#include "scn.h"
#include "span/span.h"

enum sched_kind {
	SCHED_FIFO,	/* kernel events first, then threads in order */
	SCHED_RANDOM,	/* seeded random choice among enabled steps */
	SCHED_GIVEN,	/* an exact list of choices (--schedule) */
};

/**
 * struct run_step_info - one thread step, for run_opts.on_step.
 * @thread: the thread's index, or -1 for a setup operation.
 * @name: the thread's name ("setup" for setup operations).
 * @process: the scn process index it runs in.
 * @op: the operation.
 * @loopvars: the values of the loop variables (by dense LOOPVAR index)
 *	while it runs.
 * @done: it completed; else it made progress and stays current (a write
 *	that will sleep, an `all` read), or it would block before doing
 *	anything (@sleeps; not a step of the run).
 * @sleeps: the thread now sleeps in @op until another step wakes it.
 * @ret: @done: its return value.
 * @data: @done: the bytes it stored, or NULL.
 * @len: their length.
 */
struct run_step_info {
	int thread;
	const char *name;
	int process;
	const struct scn_op *op;
	const int64_t *loopvars;
	bool done;
	bool sleeps;
	int64_t ret;
	const void *data;
	size_t len;
};

/* What the runner prints while it runs. */
struct run_opts {
	enum sched_kind sched;
	uint64_t seed;
	const char *schedule;	/* SCHED_GIVEN: "writer,writer,@,reader" */
	bool trace;		/* every state change */
	bool json;		/* JSON lines instead of text */
	bool quiet;		/* nothing while running */
	FILE *out;
	uint64_t max_steps;	/* 0: 10 million */
	const char *cmdline;	/* how to reproduce, printed in reports */
	/*
	 * Called after every thread step (setup operations included): the
	 * operation, whether it completed, its return value and, when it
	 * stores to a result variable (read, recv, load, errqueue; `all` ops:
	 * the accumulated bytes), those bytes.  For the differential runner
	 * (sim/kernel.c).
	 */
	void (*on_step)(void *ud, const struct run_step_info *si);
	void *on_step_ud;
	/* fault injection (span/fault.h): fail the Nth operation of a class */
	int fault_class;	/* SPAN_FAULT_ALLOC or SPAN_FAULT_COPY */
	uint64_t fault_nth;	/* 0: none */
	uint64_t fault_repeat;	/* that many more after it */
	int check_mode;		/* enum span_check_mode; 0: the default */
	/*
	 * The model's memory budget in bytes (every allocation of the world,
	 * headers included); 0: none.  An allocation past it fails, and the
	 * run reports that (run_over_budget()) instead of a result.
	 */
	uint64_t max_model_bytes;
	/*
	 * The design that decides (span/design.h); NULL: "knobs", the
	 * world's policy.  @design_desc names it in reports ("name (file,
	 * build-id ...)"); @design_arg is what --design reproduces it with.
	 */
	const struct span_design_ops *design;
	const char *design_desc;
	const char *design_arg;
};

/**
 * struct run_design - a design that --design picked: a built-in one or a
 * loaded plugin.
 */
struct run_design {
	const struct span_design_ops *ops;
	void *handle;		/* dlopen() handle of a plugin, or NULL */
	char build_id[80];	/* hex, or "none" */
	char desc[640];		/* "name (file, build-id ...)" */
	char arg[512];		/* the --design argument that gives it again */
};

/**
 * run_design_load - the design @spec names: a built-in design's name, or
 * the path of a plugin (anything with a '/' or ".so").
 * Return: 0; -errno with the reason in @err (a file that is missing or
 *	not regular, cannot be loaded, lacks the span_design symbol, was
 *	built for another design API version, or leaves a callback unset).
 */
int run_design_load(const char *spec, struct run_design *out, char *err,
		    size_t errn);
/** run_design_unload - dlclose() a plugin run_design_load() opened. */
void run_design_unload(struct run_design *d);

/* A choice of the scheduler. */
struct run_choice {
	int thread;		/* thread index, or -1 for a kernel event */
	uint32_t event;		/* event id when thread == -1 */
	int event_pos;		/* its position in the pending list */
};

enum run_status {
	RUN_RUNNING,
	RUN_DONE,		/* every thread finished, events drained */
	RUN_VIOLATION,		/* an invariant broke: stopped */
	RUN_DEADLOCK,		/* every thread blocked, no event pending */
	RUN_ERROR,		/* a run-time scenario error (exit 2) */
	RUN_STEP_LIMIT,
	RUN_BAD_SCHEDULE,	/* a given schedule named a disabled step */
};

struct run;

/** run_create - a runner for @s (setup blocks run here). Return 0/-errno. */
int run_create(const struct scn *s, const struct run_opts *o, struct run **out);
void run_destroy(struct run *r);
/** run_world - the world of a runner. */
struct span_world *run_world(struct run *r);
/**
 * run_enabled - the steps that may run next (threads that are runnable,
 * then pending kernel events).  Return: how many (<= max written).
 */
int run_enabled(struct run *r, struct run_choice *out, int max);
/** run_step - execute one choice.  Return: the new status. */
enum run_status run_step(struct run *r, const struct run_choice *c);
/** run_to_end - schedule with o->sched until the run ends. */
enum run_status run_to_end(struct run *r);
/** run_until - as run_to_end(), but stop once step @step is done (0: end). */
enum run_status run_until(struct run *r, uint64_t step);
/**
 * run_finish - the end of a run: drain kernel events, evaluate the
 * conditions, tear down and check for leaks.  Idempotent.
 */
void run_finish(struct run *r);
enum run_status run_status(const struct run *r);

/* Results, after run_finish(). */
struct cond_result {
	bool value;		/* the condition held at the end */
	bool error;		/* it could not be evaluated */
};
const struct cond_result *run_expects(const struct run *r);
const struct cond_result *run_exists(const struct run *r);
/** run_passed - every expect held and no invariant broke (or the
 * expected violation happened). */
bool run_passed(const struct run *r);
/** run_schedule - the schedule taken, as --schedule accepts it. */
const char *run_schedule(const struct run *r);
/** run_design_desc - "name (file, build-id ...)" of --design, or NULL. */
const char *run_design_desc(const struct run *r);
/** run_cmdline - the command line that reproduces the run, sans schedule. */
const char *run_cmdline(const struct run *r);
/** run_error - the run-time error message (RUN_ERROR). */
const char *run_error(const struct run *r);
/**
 * run_oom - an allocation of the host failed during the run (in the world
 * or in the runner): its results are unreliable.  Injected faults (--fault)
 * do not count.
 */
bool run_oom(const struct run *r);
/** run_violation - the first violation, or NULL. */
const struct span_violation *run_violation(const struct run *r);
/** run_always_broken - the first always/never line (index into scn.always)
 * a state of this run broke, and the step (@step may be NULL); or -1. */
int run_always_broken(const struct run *r, uint64_t *step);

/* Reports (report.c). */
void report_text(struct run *r, FILE *out);
/** report_json_string - @s as a JSON string, or null for NULL. */
void report_json_string(FILE *out, const char *s);
/** report_json_bytes - the @n bytes at @p as a JSON string. */
void report_json_bytes(FILE *out, const char *p, size_t n);
void report_json(struct run *r, FILE *out);
int report_dot(struct run *r, FILE *out);
const char *run_status_name(enum run_status st);

/* Accessors used by reports. */
const struct scn *run_scn(const struct run *r);
uint64_t run_nr_steps(const struct run *r);
/**
 * run_hole_spliced - did a splice read a hole of a sparse file (the model
 * added a zeroed page-cache page, filemap_create_folio())?  The kernel
 * runner skips such a run where the files live on tmpfs.
 */
bool run_hole_spliced(const struct run *r);
int run_var_count(const struct run *r, int sym);
const struct scn_str *run_var(const struct run *r, int sym, int64_t index);
bool run_label(const struct run *r, int sym, int64_t *value, uint64_t *step);
int run_obj(const struct run *r, int sym, int64_t index, int64_t *id);
int run_pid(const struct run *r, int process);

/* Snapshots of a whole run, for the explorer. */
struct run_snap;
struct run_snap *run_save(struct run *r);
int run_load(struct run *r, const struct run_snap *sn);
void run_snap_free(struct run *r, struct run_snap *sn);
size_t run_snap_bytes(const struct run_snap *sn);
/** run_hash - 128-bit hash of the run's whole state (world and runner). */
void run_hash(struct run *r, uint64_t out[2]);
/* an allocation failed because of run_opts.max_model_bytes (run_oom() too) */
bool run_over_budget(const struct run *r);
/** run_last_footprint - what the last step (or blocked attempt) touched. */
const struct span_footprint *run_last_footprint(const struct run *r);
bool run_thread_blocked(const struct run *r, int tid);
/**
 * run_thread_current - the operation at thread @tid's program counter (the
 * one it is blocked in or will run next), its process and loop variables;
 * NULL when the thread has finished.
 */
const struct scn_op *run_thread_current(struct run *r, int tid, int *process,
					const int64_t **loopvars);

#endif
