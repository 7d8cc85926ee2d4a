// SPDX-License-Identifier: MIT
/* a design whose own invariant breaks after the second step */
#include <stdio.h>

#include <span/span.h>

static const char *check(const struct span_world *w, const void *data,
			 char *buf, size_t len)
{
	(void)data;
	if (span_world_step(w) < 2)
		return NULL;
	snprintf(buf, len, "step %llu is one too many",
		 (unsigned long long)span_world_step(w));
	return buf;
}

SPAN_DESIGN_DEFINE = {
	.api_version = SPAN_DESIGN_API_VERSION,
	.name = "check-always",
	.vmsplice = span_decide_knob,
	.pipe_split = span_decide_knob,
	.kmem_send = span_decide_knob,
	.zerocopy_gup = span_decide_knob,
	.loopback = span_decide_knob,
	.sock_splice = span_decide_knob,
	.pincount = span_decide_knob,
	.cow_reuse = span_decide_knob,
	.fork_pinned = span_decide_knob,
	.get_page_check = span_decide_knob,
	.pipe_buf_init = span_decide_knob,
	.pipe_link_merge = span_decide_knob,
	.skb_shared_frag = span_decide_knob,
	.owner_release = span_decide_knob,
	.check = check,
};
