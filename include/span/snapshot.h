/* SPDX-License-Identifier: MIT */
/*
 * span/snapshot.h - copy, restore, hash and compare whole worlds.
 */
#ifndef SPAN_SNAPSHOT_H
#define SPAN_SNAPSHOT_H

#include "span/defs.h"

struct span_snapshot;

/**
 * span_world_snapshot - copy the state of @w.
 * Return: 0, -EINVAL (a NULL argument), -ENOMEM.
 */
SPAN_API int span_world_snapshot(const struct span_world *w,
				 struct span_snapshot **out);
/**
 * span_world_restore - make @w's state equal to @s.
 * Return: 0, -EINVAL (a NULL argument, or a snapshot taken at another
 *	page size), -ENOMEM.
 */
SPAN_API int span_world_restore(struct span_world *w,
				const struct span_snapshot *s);
/**
 * span_snapshot_free - free a snapshot.
 * Return: nothing; a NULL @s or world is ignored.
 */
SPAN_API void span_snapshot_free(struct span_world *w,
				 struct span_snapshot *s);
/**
 * span_snapshot_bytes - memory held by a snapshot.
 * Return: the size in bytes (0 for NULL).
 */
SPAN_API size_t span_snapshot_bytes(const struct span_snapshot *s);
/**
 * span_world_hash - 128-bit xxHash (XXH3) over the world's canonical
 * state: live objects only, free slots and step counters excluded.
 * Return: nothing; a NULL world leaves @out as it was.
 */
SPAN_API void span_world_hash(const struct span_world *w, uint64_t out[2]);
/**
 * span_world_equal - do two worlds have the same canonical state?
 * Return: true when equal; false otherwise or when either is NULL.
 */
SPAN_API bool span_world_equal(const struct span_world *a,
			       const struct span_world *b);

#endif
