// SPDX-License-Identifier: MIT
/*
 * span-desc-workqueue - a variant of the shared span descriptor proposal
 * (the preset proposal-span-desc), as a spansim design plugin.
 *
 * Two changes to it:
 *  - a piece split off a pipe buffer (tee, a partial splice) takes a span
 *    descriptor only where the memory needs one: borrowed user memory
 *    (vmsplice'd pages) and owner-managed memory.  Page-cache and pipe
 *    pages have refcounts of their own; a page reference is cheaper.
 *  - an owner's destructor runs from a work item, not in the put of its
 *    last reference, which may come from softirq context.
 * Everything else is decided as proposal-span-desc decides it.
 *
 * Its own invariant: the work queue never holds more than 8 destructors.
 */
#include <stdio.h>

#include <span/span.h>

static int like_span_desc(const struct span_decision *d)
{
	return span_design_decide(span_design_builtin("proposal-span-desc"),
				  d);
}

static int pipe_split(const struct span_decision *d)
{
	if (d->borrowed || d->page_kind == SPAN_PAGE_OWNER)
		return SPAN_PIPE_SPLIT_DESC;
	return SPAN_PIPE_SPLIT_REF;
}

static int owner_release(const struct span_decision *d)
{
	(void)d;
	return SPAN_OWNER_RELEASE_DEFERRED;
}

static const char *backlog(const struct span_world *w, const void *data,
			   char *buf, size_t len)
{
	struct span_event ev[64];
	int n = span_world_events(w, ev, 64), queued = 0;

	(void)data;
	for (int i = 0; i < n && i < 64; i++)
		queued += ev[i].kind == SPAN_EV_DESTRUCT;
	if (queued <= 8)
		return NULL;
	snprintf(buf, len, "%d destructors wait in the work queue", queued);
	return buf;
}

SPAN_DESIGN_DEFINE = {
	.api_version = SPAN_DESIGN_API_VERSION,
	.name = "span-desc-workqueue",
	.doc = "proposal-span-desc; descriptors only for borrowed and owner memory; destructors from a work item",
	.vmsplice = like_span_desc,
	.pipe_split = pipe_split,
	.kmem_send = like_span_desc,
	.zerocopy_gup = like_span_desc,
	.loopback = like_span_desc,
	.sock_splice = like_span_desc,
	.pincount = like_span_desc,
	.cow_reuse = like_span_desc,
	.fork_pinned = like_span_desc,
	.get_page_check = like_span_desc,
	.pipe_buf_init = like_span_desc,
	.pipe_link_merge = like_span_desc,
	.skb_shared_frag = like_span_desc,
	.owner_release = owner_release,
	.check = backlog,
};
