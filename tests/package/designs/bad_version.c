// SPDX-License-Identifier: MIT
/* a design built for another version of the design API: refused */
#include <span/span.h>

SPAN_DESIGN_DEFINE = {
	.api_version = SPAN_DESIGN_API_VERSION + 1,
	.name = "bad-version",
	.vmsplice = span_decide_knob,
};
