// SPDX-License-Identifier: MIT
/* a design without a .pipe_split callback: refused */
#include <span/span.h>

SPAN_DESIGN_DEFINE = {
	.api_version = SPAN_DESIGN_API_VERSION,
	.name = "missing-callback",
	.vmsplice = span_decide_knob,
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
};
