/* SPDX-License-Identifier: MIT */
/*
 * span/world.h - the world: every object of one model run.
 *
 * Objects are plain data addressed by small integer ids (1, 2, ...; 0 is
 * never a valid id).  No function keeps global state: two worlds never
 * interfere.  Every public function that takes an id returns a negative
 * errno for an id that is out of range or names a dead object.
 *
 * Threads: one world per thread.  Independent worlds may be used on as
 * many threads at once as you like (tests/tsan/world_threads.c checks it
 * under ThreadSanitizer); one world must not be used by two threads at
 * the same time (nothing in it is locked), and its hooks (struct
 * span_world_ops) are called on the thread that called into the world.
 */
#ifndef SPAN_WORLD_H
#define SPAN_WORLD_H

#include "span/defs.h"
#include "span/policy.h"

/* World parameters (SCENARIO-LANGUAGE.md, "set KEY = VALUE"). */
enum span_param {
	SPAN_PARAM_PAGE_SIZE,		/* 4096; power of two >= 8 */
	SPAN_PARAM_PIPE_BUFFERS,	/* PIPE_DEF_BUFFERS = 16 */
	SPAN_PARAM_PIPE_MAX_SIZE,	/* /proc/sys/fs/pipe-max-size */
	SPAN_PARAM_MAX_SKB_FRAGS,	/* net.core.max_skb_frags = 17 */
	SPAN_PARAM_REFCOUNT_BITS,	/* width of a signed refcount: 32 */
	SPAN_PARAM_MSS,			/* TCP segment size: 65483 */
	SPAN_PARAM_SNDBUF,		/* sk_sndbuf in bytes; 0: the kernel's
					 * default (TCP: tcp_sndbuf_expand(),
					 * AF_UNIX: wmem_default) */
	SPAN_PARAM_RCVBUF,		/* sk_rcvbuf in bytes */
	SPAN_PARAM_PIPE_USER_PAGES_SOFT, /* fs.pipe-user-pages-soft: 16384 */
	SPAN_PARAM_PIPE_USER_PAGES_HARD, /* fs.pipe-user-pages-hard: 0 = none */
	SPAN_PARAM_TCP_RETRANSMIT,	/* 0: no segment on lo is ever late;
					 * 1: the retransmission timer may fire
					 * while a segment is in flight (a
					 * delay on lo, as netem makes) */
	SPAN_PARAM_S_MAXBYTES,		/* sb->s_maxbytes of the files' file
					 * system: 0xffffffff000 (ext4, 4 KiB
					 * blocks) */
	SPAN_NR_PARAMS
};

/* Object types, for traces, footprints and the ownership graph. */
enum span_obj_type {
	SPAN_OBJ_NONE,
	SPAN_OBJ_PAGE,
	SPAN_OBJ_OWNER,
	SPAN_OBJ_DESC,
	SPAN_OBJ_PROCESS,
	SPAN_OBJ_VMA,
	SPAN_OBJ_KMEM,
	SPAN_OBJ_FILE,
	SPAN_OBJ_PIPE,
	SPAN_OBJ_SKB,
	SPAN_OBJ_UBUF,
	SPAN_OBJ_SOCK,
	SPAN_NR_OBJ_TYPES
};

struct span_trace_event;
struct span_violation;

/**
 * struct span_world_ops - hooks a user of the library installs.
 * @trace: called for every state change (may be NULL).
 * @report: called when an invariant is violated (may be NULL).
 * @alloc: realloc-like allocator (NULL: the C library's); called with
 *	size 0 to free.
 *
 * Note on the nesting: the library calls these from inside a modelled
 * function; a hook must not call back into the same world.
 */
struct span_world_ops {
	void (*trace)(void *ud, const struct span_trace_event *ev);
	void (*report)(void *ud, const struct span_violation *v);
	void *(*alloc)(void *ud, void *ptr, size_t size);
};

/**
 * span_world_create - make an empty world with default policy and params.
 * @out: receives the world.
 * @ops: hooks (may be NULL); copied.
 * @ud: passed to every hook.
 *
 * The world starts with process 1 ("init"), the shared zero page and no
 * other object.
 * Return: 0, -EINVAL (a NULL @out), -ENOMEM.
 */
SPAN_API int span_world_create(struct span_world **out,
			       const struct span_world_ops *ops, void *ud);
/**
 * span_world_destroy - free the world and everything in it.
 * Return: nothing; a NULL world is ignored.
 */
SPAN_API void span_world_destroy(struct span_world *w);
/**
 * span_world_reset - make @w what span_world_create() with the same hooks
 * would make, in the memory it already has: no object but process 1 and
 * the zero page, no violation, step 0, the default policy, parameters,
 * allowed invariants, checker mode and fault plan, a checker whose
 * statistics start over.  Cheaper than destroy and create when many short
 * runs follow each other (the fuzz targets).  The world keeps the memory
 * of its page arrays when it is small (up to 256 KiB of page bytes), so
 * a reset world may hold a little more than a new one.
 * Return: 0; -EINVAL for a NULL world; -ENOMEM, and @w is as it was.
 */
SPAN_API int span_world_reset(struct span_world *w);
/**
 * span_world_reset_params - span_world_reset(), with the parameters whose
 * bit is set in @mask (1u << SPAN_PARAM_*) taken from @param[] instead of
 * the defaults: the same world as a reset followed by span_world_set_param()
 * of each, without making the zero page twice (at 4096 bytes, then at the
 * page size the run uses).  For the fuzz targets, which reset a world of
 * small pages once per execution.
 * Return: 0; -EINVAL for a NULL world, a @mask bit without @param, or a
 * bad value (@w unchanged); -ENOMEM, and @w is as it was.
 */
SPAN_API int span_world_reset_params(struct span_world *w,
				     const uint64_t *param, uint32_t mask);

/**
 * span_param_name - "page_size" for SPAN_PARAM_PAGE_SIZE, or NULL.
 * Return: the name, or NULL for an unknown @p.
 */
SPAN_API const char *span_param_name(int p);
/**
 * span_param_lookup - the parameter called @name, or -ENOENT.
 * Return: the parameter; -ENOENT for an unknown name, -EINVAL for NULL.
 */
SPAN_API int span_param_lookup(const char *name);
/**
 * span_param_check - is @v a valid value of parameter @p?
 * Return: 0 or -EINVAL.
 */
SPAN_API int span_param_check(int p, uint64_t v);
/**
 * span_param_range - the valid values of @p, in words ("4 to 62").
 * Return: the range in words, or NULL for an unknown @p.
 */
SPAN_API const char *span_param_range(int p);
/**
 * span_param_doc - what @p is and its default, one line; NULL if none.
 * Return: one line, or NULL for an unknown @p.
 */
SPAN_API const char *span_param_doc(int p);
/**
 * span_world_set_param - set a world parameter.
 *
 * page_size (8 to 16 MiB) sizes the page arrays and the world's scratch
 * buffers anew; each page then costs 5 bytes per byte of page (data and
 * provenance), 80 MiB at 16 MiB.
 * Return: 0; -EINVAL for a bad value or id; -EBUSY when page_size is
 * changed after memory was created; -ENOMEM (the world unchanged).
 */
SPAN_API int span_world_set_param(struct span_world *w, int p, uint64_t v);
/**
 * span_world_param - the value of parameter @p (0 for a bad id).
 * Return: the value (0 for a NULL world or an unknown @p).
 */
SPAN_API uint64_t span_world_param(const struct span_world *w, int p);

/**
 * span_world_step_begin - start step @step of thread @tid in process @pid.
 *
 * Every state change until span_world_step_end() is attributed to this
 * step in traces, provenance and footprints.  @tid is the scheduler's id
 * for the acting thread (0 for a kernel event).
 * Return: nothing; a NULL world is ignored.
 */
SPAN_API void span_world_step_begin(struct span_world *w, int tid, int pid);
/**
 * span_world_step_end - finish the current step and run the checker.
 * Return: the number of violations recorded so far, or -EINVAL for a NULL
 *	world.
 */
SPAN_API int span_world_step_end(struct span_world *w);
/**
 * span_world_step_cancel - undo span_world_step_begin() for an attempt
 * that changed nothing (a call that returned -SPAN_EWOULDSLEEP without
 * progress): the step number goes back and no checker runs.
 * Return: nothing; a NULL world is ignored.
 */
SPAN_API void span_world_step_cancel(struct span_world *w);
/**
 * span_world_step - the number of the current (or last) step.
 * Return: the step number (0 for a NULL world).
 */
SPAN_API uint64_t span_world_step(const struct span_world *w);

/**
 * span_world_set_check - turn the after-every-step checker on or off.
 * Violations found inside modelled functions are recorded either way.
 * Return: nothing; a NULL world is ignored.
 */
SPAN_API void span_world_set_check(struct span_world *w, bool on);

/*
 * Kernel events: work the kernel does asynchronously (loopback transmit,
 * delivery to a receive queue, an ACK, a deferred free).  The library
 * queues them; the scheduler picks when each runs.
 */
enum span_event_kind {
	SPAN_EV_XMIT,		/* tcp_write_xmit() of a socket's write queue */
	SPAN_EV_DELIVER,	/* loopback_xmit() -> ip_local_deliver_finish() */
	SPAN_EV_ACK,		/* tcp_ack() -> tcp_clean_rtx_queue() */
	SPAN_EV_FREE,		/* a deferred release (skb_attempt_defer_free) */
	SPAN_EV_RTO,		/* tcp_retransmit_timer() (tcp_retransmit=1) */
	SPAN_EV_DESTRUCT,	/* an owner's destructor, from a work item
				 * (owner_release=deferred) */
	SPAN_NR_EVENT_KINDS
};

/**
 * struct span_event - a pending kernel event.
 * @id: stable id of this event while it is pending.
 * @kind: enum span_event_kind.
 * @obj: the object it acts on (socket or skb id).
 */
struct span_event {
	uint32_t id;
	uint8_t kind;
	uint32_t obj;
};

/**
 * span_event_kind_name - "loopback_xmit" etc.
 * Return: the name, or NULL for an unknown @kind.
 */
SPAN_API const char *span_event_kind_name(int kind);
/**
 * span_world_events - the enabled kernel events, in the order they were
 * queued.  Writes up to @max to @out.
 * Return: how many are pending (possibly more than @max; @out may be NULL to
 *	count them), or -EINVAL for a NULL world.
 */
SPAN_API int span_world_events(const struct span_world *w,
			       struct span_event *out, int max);
/**
 * span_world_run_event - run the pending event @id as one step.
 *
 * It runs the event's work only: the caller brackets it with
 * span_world_step_begin(w, 0, 0) and span_world_step_end(w), exactly like
 * a thread step (tid 0 is the kernel).  Deliveries to one socket are
 * enabled in FIFO order (the loopback backlog is a queue): a later one is
 * not listed by span_world_events() and cannot be run before the earlier.
 * Return: 0; -ENOENT when no such event is pending and enabled; -EINVAL for a
 *	NULL world.
 */
SPAN_API int span_world_run_event(struct span_world *w, uint32_t id);

/**
 * struct span_footprint - what a step read and wrote.
 *
 * Objects are encoded as (type << 24 | id) with an enum span_obj_type, or
 * SPAN_FP_LIVE for "is page id live, and of which kind" (what an access to
 * a page's bytes checks first).  Besides plain reads and writes a step may
 * make:
 *  - @count: commutative updates of an object's reference counts (a get,
 *    or a put that does not free).  Two counts commute; a count conflicts
 *    with a read or a write of the object.  A put that frees the object
 *    also writes it.
 *  - @range: reads and writes of the bytes [off, off + len) of a page's
 *    contents.  Ranges of one page conflict when they overlap and one of
 *    them writes; a plain write of the page conflicts with all of them, a
 *    plain read with the written ones.
 * Two steps are independent when none of these conflict.
 *
 * @await and @fill say when a step could not have run earlier: @await, a
 * step that would have slept on the object (a blocking read of a pipe)
 * and found it ready; @fill, a step that made it ready (the first buffer
 * into an empty pipe).  Run before the step that filled the object, the
 * awaiting step sleeps, so an explorer need not try that order.  They do
 * not change span_footprint_conflict().  When more was
 * touched than fits, @overflow is set and the step must be treated as
 * dependent on every other step; @updates_lost says that writes or count
 * updates were among what did not fit.
 */
#define SPAN_FP_MAX 32
#define SPAN_FP_MAX_RANGES 8
#define SPAN_FP_MAX_WAIT 4
#define SPAN_FP_LIVE 0xfe	/* type byte of a page-liveness key */
struct span_fp_range {
	uint32_t page, off, len;
	bool write;
};
struct span_footprint {
	uint16_t nr_read, nr_write, nr_count, nr_range;
	bool overflow;
	bool updates_lost;	/* with @overflow: a write or count did not fit
				 * (not only reads); the checker then walks
				 * the whole world */
	uint32_t read[SPAN_FP_MAX];
	uint32_t write[SPAN_FP_MAX];
	uint32_t count[SPAN_FP_MAX];
	struct span_fp_range range[SPAN_FP_MAX_RANGES];
	uint16_t nr_await, nr_fill;
	uint32_t await[SPAN_FP_MAX_WAIT];
	uint32_t fill[SPAN_FP_MAX_WAIT];
};

/**
 * enum span_access_kind, struct span_access - one access of a step to one
 * object, as its footprint records it.  @key is the object
 * (type << 24 | id); liveness and byte ranges of a page are keyed by the
 * page itself, so that every access to a page meets every other.
 * Two accesses to the same object conflict when one writes it (a plain
 * write meets everything, liveness included), when one reads it and the
 * other updates its count or writes some of its bytes, or when both are
 * byte ranges that overlap and one writes.  Counts commute with counts;
 * liveness reads meet only plain writes.
 */
enum span_access_kind {
	SPAN_ACC_READ,
	SPAN_ACC_WRITE,
	SPAN_ACC_COUNT,		/* a get, or a put that does not free */
	SPAN_ACC_LIVE,		/* is the page live, and of which kind */
	SPAN_ACC_BYTES_READ,	/* bytes [off, off + len) of a page */
	SPAN_ACC_BYTES_WRITE,
};
struct span_access {
	uint32_t key;
	int kind;		/* enum span_access_kind */
	uint32_t off, len;	/* SPAN_ACC_BYTES_* */
};

/**
 * span_footprint_access - the @i-th access of @fp (reads, then writes,
 * counts and byte ranges).  Return: 0, or -ENOENT past the last one (and
 * -EINVAL for a NULL argument).
 */
SPAN_API int span_footprint_access(const struct span_footprint *fp, int i,
				   struct span_access *out);
/**
 * span_access_conflict - do two accesses conflict?  They conflict only if
 * they name the same object (see enum span_access_kind for the rules);
 * span_footprint_conflict() is this over every pair of accesses.
 * Return: true when they conflict, or when either is NULL (the safe answer);
 *	false otherwise.
 */
SPAN_API bool span_access_conflict(const struct span_access *a,
				   const struct span_access *b);

/**
 * span_world_footprint - the footprint of the last step.
 * Return: the footprint, or NULL for a NULL world.
 */
SPAN_API const struct span_footprint *
span_world_footprint(const struct span_world *w);
/**
 * span_footprint_conflict - do two footprints conflict?
 * Return: true when they conflict, or when either is NULL or overflowed (the
 *	safe answer); false otherwise.
 */
SPAN_API bool span_footprint_conflict(const struct span_footprint *a,
				      const struct span_footprint *b);

#endif
