// SPDX-License-Identifier: MIT
/*
 * early-release - a deliberately broken design, as a spansim design
 * plugin: the explorer catches it.
 *
 * It is proposal-span-desc, but for one shortcut: a service takes its
 * buffers back as soon as it has handed them to the socket.  The owner's
 * destructor runs when the service puts its own reference, whoever else
 * still holds one - trusting that the send has copied the bytes.  Over
 * loopback the receiver's skb, and a pipe spliced from it, still refer to
 * that memory: early-destruct, then use-after-free on the read.
 */
#include <span/span.h>

static int like_span_desc(const struct span_decision *d)
{
	return span_design_decide(span_design_builtin("proposal-span-desc"),
				  d);
}

static int owner_release(const struct span_decision *d)
{
	(void)d;
	return SPAN_OWNER_RELEASE_SERVICE_PUT;
}

SPAN_DESIGN_DEFINE = {
	.api_version = SPAN_DESIGN_API_VERSION,
	.name = "early-release",
	.doc = "proposal-span-desc, but the service's own put runs the destructor (broken)",
	.vmsplice = like_span_desc,
	.pipe_split = like_span_desc,
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
};
