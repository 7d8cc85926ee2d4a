/* SPDX-License-Identifier: MIT */
/*
 * span/check.h - the invariants of SCENARIO-LANGUAGE.md section 5.
 *
 * The checker is separate from the model: after every step it recomputes
 * the counts of the holders (mappings, pipe buffers, descriptors, skb
 * frags, pins) that the step wrote and compares them with the stored
 * counts (enum span_check_mode).
 * Violations detected inside modelled functions (a get on frozen memory, a
 * write into the page cache without permission) are recorded where they
 * happen.  Nothing aborts: a violation is data.
 */
#ifndef SPAN_CHECK_H
#define SPAN_CHECK_H

#include "span/defs.h"

enum span_invariant {
	SPAN_INV_REFCOUNT_UNDERFLOW,
	SPAN_INV_REFCOUNT_OVERFLOW,
	SPAN_INV_GET_ON_FROZEN,
	SPAN_INV_USE_AFTER_FREE,
	SPAN_INV_DOUBLE_DESTRUCT,
	SPAN_INV_EARLY_DESTRUCT,
	SPAN_INV_PAGE_CACHE_WRITE,
	SPAN_INV_SHARED_MERGE,
	SPAN_INV_COW_LEAK,
	SPAN_INV_PREMATURE_COMPLETION,
	SPAN_INV_LEAK,
	SPAN_INV_DEADLOCK,
	SPAN_INV_DESIGN,
	SPAN_NR_INVARIANTS
};

/**
 * span_invariant_name - "refcount-underflow" etc., or NULL.
 * Return: the name, or NULL for an unknown @inv.
 */
SPAN_API const char *span_invariant_name(int inv);
/**
 * span_invariant_lookup - the invariant called @name, or -ENOENT.
 * Return: the invariant; -ENOENT for an unknown name, -EINVAL for NULL.
 */
SPAN_API int span_invariant_lookup(const char *name);
/**
 * span_invariant_doc - what the invariant forbids, one line.
 * Return: one line, or NULL for an unknown @inv.
 */
SPAN_API const char *span_invariant_doc(int inv);

/**
 * struct span_violation - one broken invariant.
 * @inv: enum span_invariant.
 * @step: the step that broke it.
 * @obj_type, @obj: the object concerned (enum span_obj_type, id).
 * @func: the modelled kernel function in which it was detected.
 * @msg: a readable explanation.
 */
struct span_violation {
	int inv;
	uint64_t step;
	int obj_type;
	uint32_t obj;
	const char *func;
	char msg[160];
};

/**
 * span_world_allow - turn invariant @inv off (the scenario's `allow`).
 * Return: 0 or -EINVAL.
 */
SPAN_API int span_world_allow(struct span_world *w, int inv, bool allow);
/**
 * span_world_check - walk the world now and record what is broken.
 * Return: the number of violations recorded so far, or -EINVAL for a NULL
 *	world.
 */
SPAN_API int span_world_check(struct span_world *w);
/**
 * enum span_check_mode - how the after-every-step checker works.
 * @SPAN_CHECK_INCREMENTAL: the default.  Count again only the holders the
 *	step wrote (its footprint, struct span_footprint) and compare the
 *	pages, owners and descriptors whose counts changed.  A step whose
 *	footprint overflowed, a world changed outside a step, or a step in
 *	which anything looks wrong gets the full walk, so the violations
 *	reported, their messages and their steps are the full walk's.
 * @SPAN_CHECK_FULL: walk the whole world after every step.
 * @SPAN_CHECK_VERIFY: the incremental check, then the full walk into
 *	counts of its own; every disagreement is counted in
 *	struct span_check_stats (for tests and fuzzing).
 */
enum span_check_mode {
	SPAN_CHECK_INCREMENTAL = 1,
	SPAN_CHECK_FULL,
	SPAN_CHECK_VERIFY,
};

/**
 * span_world_set_check_mode - choose the checker's enum span_check_mode.
 * Return: 0, or -EINVAL for an unknown mode.
 */
SPAN_API int span_world_set_check_mode(struct span_world *w, int mode);
/**
 * span_world_check_mode - the world's mode, or -EINVAL.
 * Return: the mode (enum span_check_mode), or -EINVAL for a NULL world.
 */
SPAN_API int span_world_check_mode(const struct span_world *w);
/**
 * span_check_mode_name - "incremental", "full", "verify", or NULL.
 * Return: the name, or NULL for an unknown @mode.
 */
SPAN_API const char *span_check_mode_name(int mode);
/**
 * span_check_mode_lookup - the mode called @name, or -ENOENT.
 * Return: the mode; -ENOENT for an unknown name, -EINVAL for NULL.
 */
SPAN_API int span_check_mode_lookup(const char *name);

/**
 * struct span_check_stats - what the checker did.
 * @steps: checks run (steps, span_world_check(), teardown).
 * @incremental: checks answered from the footprint alone.
 * @full: full walks, of which @full_stale because the world changed
 *	outside a step (or the mode or policy changed), @full_overflow
 *	because the footprint overflowed, @full_suspect because the
 *	incremental check found something to report, @full_destruct
 *	because an owner was destructed (what still refers to its memory);
 * @skipped: checks not run because the host was out of memory.
 * @verified: (verify) checks compared with a full walk, and @diverged how
 *	many disagreed: @diverged_step and @diverged_msg describe the first.
 */
struct span_check_stats {
	uint64_t steps, incremental, full;
	uint64_t full_stale, full_overflow, full_suspect, full_destruct;
	uint64_t skipped;
	uint64_t verified, diverged, diverged_step;
	char diverged_msg[160];
};

/**
 * span_world_check_stats - copy the world's checker statistics.
 * Return: 0, or -EINVAL for a NULL argument.
 */
SPAN_API int span_world_check_stats(const struct span_world *w,
				    struct span_check_stats *out);

/**
 * span_world_nr_violations - how many violations were recorded.
 * Return: the number of violations recorded (0 for a NULL world).
 */
SPAN_API int span_world_nr_violations(const struct span_world *w);
/**
 * span_world_violation - the @i-th recorded violation, or NULL.
 * Return: the violation, or NULL when @i is out of range.
 */
SPAN_API const struct span_violation *
span_world_violation(const struct span_world *w, int i);

/**
 * span_world_teardown - the end of a run: close every pipe, file and
 * socket, drain every queue and pending kernel event, put the services'
 * owner references, unmap all memory, free kernel memory; then report a
 * `leak` for every page with references left, owner never destructed, pin
 * never released and completion never delivered.
 * Return: the number of violations recorded so far, or -EINVAL for a NULL
 *	world.
 */
SPAN_API int span_world_teardown(struct span_world *w);

#endif
