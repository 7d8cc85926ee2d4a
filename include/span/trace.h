/* SPDX-License-Identifier: MIT */
/*
 * span/trace.h - every state change as an event naming the kernel function.
 */
#ifndef SPAN_TRACE_H
#define SPAN_TRACE_H

#include "span/defs.h"

enum span_trace_what {
	SPAN_TR_GET,		/* reference taken */
	SPAN_TR_PUT,		/* reference dropped */
	SPAN_TR_PIN,
	SPAN_TR_UNPIN,
	SPAN_TR_ALLOC,
	SPAN_TR_FREE,
	SPAN_TR_COPY,		/* bytes copied */
	SPAN_TR_MAP,		/* mapping/pte change */
	SPAN_TR_FLAGS,		/* flag change */
	SPAN_TR_DESTRUCT,	/* owner destructor */
	SPAN_TR_QUEUE,		/* buffer or skb queued/unqueued */
	SPAN_TR_NOTE,		/* anything else */
	SPAN_NR_TRACE_WHAT
};

/**
 * struct span_trace_event - one state change.
 * @step: the step number.
 * @func: modelled kernel function ("pipe_buf_get").
 * @what: enum span_trace_what.
 * @obj_type, @obj: the object changed.
 * @old, @new: the count or value before and after (when meaningful).
 * @msg: extra words ("splice_pipe_to_pipe, partial").
 */
struct span_trace_event {
	uint64_t step;
	const char *func;
	int what;
	int obj_type;
	uint32_t obj;
	int64_t old, new;
	const char *msg;
};

/**
 * span_trace_what_name - "get", "put", ...
 * Return: the name, or NULL for an unknown @what.
 */
SPAN_API const char *span_trace_what_name(int what);
/**
 * span_obj_type_name - "page", "pipe", ...
 * Return: the name, or NULL for an unknown @type.
 */
SPAN_API const char *span_obj_type_name(int type);
/**
 * span_trace_format - format @ev as a text line ("step 7: pipe_buf_get
 * page#0 ref 5->6 (splice_pipe_to_pipe, partial)") or, with @json, as one
 * JSON object.
 * Return: the length snprintf() would have written, or -EINVAL for a NULL @ev,
 *	or a NULL @buf with a non-zero @size.
 */
SPAN_API int span_trace_format(const struct span_trace_event *ev, bool json,
			       char *buf, size_t size);

#endif
