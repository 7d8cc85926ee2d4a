/* SPDX-License-Identifier: MIT */
/*
 * span/fault.h - fault injection (SQLite faultsim style).
 *
 * Every allocation of a modelled object (page, pipe ring, skb, ubuf, ...)
 * and every copy from or to user space goes through the world, which can
 * be told to fail the Nth one: allocations then fail with -ENOMEM and user
 * copies with -EFAULT, and the modelled function takes its error path.
 */
#ifndef SPAN_FAULT_H
#define SPAN_FAULT_H

#include "span/defs.h"

enum span_fault_class {
	SPAN_FAULT_ALLOC,	/* -ENOMEM */
	SPAN_FAULT_COPY,	/* copy_from_user()/copy_to_user(): -EFAULT */
	SPAN_NR_FAULT_CLASSES
};

/**
 * span_fault_set - fail the @nth (1-based) next operation of @cls, and
 * @repeat more after it (0: just one).  @nth == 0 disarms.
 * Return: 0 or -EINVAL.
 */
SPAN_API int span_fault_set(struct span_world *w, int cls, uint64_t nth,
			    uint64_t repeat);
/**
 * span_fault_count - operations of @cls seen so far.
 * Return: the count (0 for a NULL world or an unknown @cls).
 */
SPAN_API uint64_t span_fault_count(const struct span_world *w, int cls);
/**
 * span_fault_hits - faults of @cls injected so far.
 * Return: the count (0 for a NULL world or an unknown @cls).
 */
SPAN_API uint64_t span_fault_hits(const struct span_world *w, int cls);
/**
 * span_fault_hit - a breakpoint: called whenever a fault is injected.
 * Return: nothing; it cannot fail.
 */
SPAN_API void span_fault_hit(int cls);

#endif
