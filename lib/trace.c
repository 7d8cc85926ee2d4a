// SPDX-License-Identifier: MIT
/*
 * trace.c - formatting of trace events as text or JSON lines.
 *
 * Not a kernel file; the text form reads like page_ref tracepoints:
 *   step 7: pipe_buf_get page#3 get 5->6 (splice_pipe_to_pipe, partial)
 */
#include <stdio.h>

#include "internal.h"

static const char *const what_names[SPAN_NR_TRACE_WHAT] = {
	[SPAN_TR_GET] = "get",		[SPAN_TR_PUT] = "put",
	[SPAN_TR_PIN] = "pin",		[SPAN_TR_UNPIN] = "unpin",
	[SPAN_TR_ALLOC] = "alloc",	[SPAN_TR_FREE] = "free",
	[SPAN_TR_COPY] = "copy",	[SPAN_TR_MAP] = "map",
	[SPAN_TR_FLAGS] = "flags",	[SPAN_TR_DESTRUCT] = "destruct",
	[SPAN_TR_QUEUE] = "queue",	[SPAN_TR_NOTE] = "note",
};

static const char *const obj_names[SPAN_NR_OBJ_TYPES] = {
	[SPAN_OBJ_NONE] = "-",		[SPAN_OBJ_PAGE] = "page",
	[SPAN_OBJ_OWNER] = "owner",	[SPAN_OBJ_DESC] = "desc",
	[SPAN_OBJ_PROCESS] = "process",	[SPAN_OBJ_VMA] = "vma",
	[SPAN_OBJ_KMEM] = "kmem",	[SPAN_OBJ_FILE] = "file",
	[SPAN_OBJ_PIPE] = "pipe",	[SPAN_OBJ_SKB] = "skb",
	[SPAN_OBJ_UBUF] = "ubuf",	[SPAN_OBJ_SOCK] = "sock",
};

const char *span_trace_what_name(int what)
{
	if (what < 0 || what >= SPAN_NR_TRACE_WHAT)
		return NULL;
	return what_names[what];
}

const char *span_obj_type_name(int type)
{
	if (type < 0 || type >= SPAN_NR_OBJ_TYPES)
		return NULL;
	return obj_names[type];
}

/* JSON string escaping of a short text */
static int json_str(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	if (!s)
		return snprintf(buf, size, "null");
#define PUT(c) do { if (n + 1 < size) buf[n] = (c); n++; } while (0)
	PUT('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			PUT('\\');
			PUT((char)c);
		} else if (c < 0x20) {
			char tmp[8];

			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			for (char *t = tmp; *t; t++)
				PUT(*t);
		} else {
			PUT((char)c);
		}
	}
	PUT('"');
#undef PUT
	if (size)
		buf[n < size ? n : size - 1] = 0;
	return (int)n;
}

int span_trace_format(const struct span_trace_event *ev, bool json, char *buf,
		      size_t size)
{
	const char *what, *obj;
	char f[128], m[256];

	if (!ev || (!buf && size))
		return -EINVAL;
	what = span_trace_what_name(ev->what);
	obj = span_obj_type_name(ev->obj_type);
	if (!what)
		what = "?";
	if (!obj)
		obj = "?";
	if (json) {
		json_str(f, sizeof(f), ev->func);
		json_str(m, sizeof(m), ev->msg);
		return snprintf(buf, size,
				"{\"step\":%llu,\"func\":%s,\"what\":\"%s\",\"obj\":\"%s\",\"id\":%u,\"old\":%lld,\"new\":%lld,\"msg\":%s}",
				(unsigned long long)ev->step, f, what, obj,
				ev->obj, (long long)ev->old, (long long)ev->new,
				m);
	}
	return snprintf(buf, size, "step %llu: %s %s#%u %s %lld->%lld%s%s%s",
			(unsigned long long)ev->step,
			ev->func ? ev->func : "?", obj, ev->obj, what,
			(long long)ev->old, (long long)ev->new,
			ev->msg ? " (" : "", ev->msg ? ev->msg : "",
			ev->msg ? ")" : "");
}
