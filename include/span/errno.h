/* SPDX-License-Identifier: MIT */
/*
 * span/errno.h - error codes of libspan.
 *
 * Functions return 0 or a negative errno from <errno.h>.  Kernel-internal
 * codes that userspace never sees keep their kernel numbers here.
 */
#ifndef SPAN_ERRNO_H
#define SPAN_ERRNO_H

#include <errno.h>

#include "span/defs.h"

#define SPAN_ERESTARTSYS	512	/* include/linux/errno.h */
#define SPAN_ENOIOCTLCMD	515	/* include/linux/errno.h */
/*
 * Not a kernel errno: the call would sleep (wait_for_space(),
 * pipe_wait_readable(), sk_wait_data(), sk_stream_wait_memory()).  Nothing
 * beyond what the call's progress argument reports has happened; the caller
 * (the scheduler) parks the thread and calls again once woken.
 */
#define SPAN_EWOULDSLEEP	4096

/**
 * span_errname - the symbolic name of an errno value ("EAGAIN").
 * @err: positive or negative errno.
 *
 * Return: a static string, or NULL for an unknown value.
 */
SPAN_API const char *span_errname(int err);

/**
 * span_errno_lookup - parse an errno name ("EAGAIN", "-EAGAIN").
 * @name: the name.
 *
 * Return: the positive errno value, or 0 when unknown.
 */
SPAN_API int span_errno_lookup(const char *name);

/**
 * span_strerror - a one-line description of an errno value.
 * @err: positive or negative errno.
 * Return: a static string, "Unknown error" for an unknown value (never NULL).
 */
SPAN_API const char *span_strerror(int err);

#endif
