/* SPDX-License-Identifier: MIT */
/*
 * span/design.h - ownership designs as code: one ops table of decisions.
 *
 * A design answers, at each decision point of the modelled kernel, which of
 * the model's primitive ways of holding memory the code takes there: a page
 * reference (get_page), a pin (FOLL_PIN), a copy into pages of its own, a
 * reference on a span descriptor or the memory's owner, or a refusal.  The
 * decision points are the design knobs of span/policy.h (enum span_knob):
 * the answer of a point is one of that knob's values, and the model carries
 * it out with its own get/put, pin/unpin, copy and owner primitives, so the
 * checker's invariants hold any design to the same rules.
 *
 * Unlike a knob, which is one value for the whole world, a callback sees
 * the call it decides for (struct span_decision): the task, the page and
 * its kind, the length, the SPLICE_F_ flags, where the memory goes.  So a
 * design can take a descriptor only for borrowed user memory, copy only
 * what goes to a socket, or pin only large ranges.
 *
 * In the style of the kernel's pipe_buf_operations, a design is one
 * struct span_design_ops.  The built-in designs (span_design_builtin())
 * are written against this header: "knobs" follows the world's policy,
 * which is what the `policy` lines and presets set, and each preset is a
 * design of its own.  A plugin is a shared object that defines
 *
 *	const struct span_design_ops span_design = { ... };
 *
 * (SPAN_DESIGN_DEFINE), built against the installed package; every
 * decision callback must be set (span_decide_knob and span_decide_mainline
 * are there to delegate to), and .api_version must be
 * SPAN_DESIGN_API_VERSION, or span_design_load() refuses it.
 */
#ifndef SPAN_DESIGN_H
#define SPAN_DESIGN_H

#include "span/defs.h"
#include "span/policy.h"

/* changed whenever struct span_design_ops or struct span_decision changes */
#define SPAN_DESIGN_API_VERSION	1

/* struct span_decision.dst: where the memory goes */
enum span_dst {
	SPAN_DST_NONE,
	SPAN_DST_PIPE,		/* a pipe buffer */
	SPAN_DST_SOCK,		/* an skb of a socket */
	SPAN_DST_PROCESS,	/* a process's mapping (fault, fork) */
};

/**
 * struct span_decision - the call a decision is made for (read-only).
 * @w: the world, to read with the query functions (span_page_info(), ...).
 * @point: the decision point, an enum span_knob (never a host knob).
 * @func: the modelled kernel function that asks ("iter_to_pipe").
 * @pid: the task whose call it is; 0 in a kernel context (a softirq).
 * @page: the page concerned, or 0 when the decision is for the whole call.
 * @page_kind: @page's enum span_page_kind, or -1 when @page is 0.
 * @len: the bytes the decision covers (0 when it does not apply).
 * @flags: the call's SPLICE_F_ or MSG_ flags.
 * @dst: enum span_dst.
 * @borrowed: the memory is borrowed user memory (vmsplice'd pages or a
 *	span descriptor over them), not memory the kernel owns.
 * @data: the design's .data.
 */
struct span_decision {
	const struct span_world *w;
	int point;
	const char *func;
	uint32_t pid;
	uint32_t page;
	int page_kind;
	uint64_t len;
	unsigned int flags;
	int dst;
	bool borrowed;
	const void *data;
};

/*
 * span_decide_fn - answer one decision: a value of the knob d->point
 * (SPAN_VMSPLICE_PIN, ...), which the model then carries out.  A value out
 * of the knob's range is an error of the design: the model reports it
 * (span_world_design_error()), goes on with the mainline value for the
 * rest of the step, and the runners stop with exit status 2.
 */
typedef int (*span_decide_fn)(const struct span_decision *d);

/*
 * span_design_check_fn - an invariant of the design's own, run after the
 * checker's after every step: NULL when it holds, else a message (in
 * static storage or @buf, @len bytes), reported as the violation
 * "design" (SPAN_INV_DESIGN).
 */
typedef const char *(*span_design_check_fn)(const struct span_world *w,
					    const void *data, char *buf,
					    size_t len);

/**
 * struct span_design_ops - one design.
 * @api_version: SPAN_DESIGN_API_VERSION.
 * @name: short name, shown in reports ("span-desc-borrowed").
 * @doc: one line on what the design does.
 * @data: passed to every callback as span_decision.data.
 * @vmsplice ... @owner_release: one callback per design knob, named as
 *	the knob (span_knob_name()); each returns a value of that knob.
 *	@pincount is asked without a page (d->page 0) and must give the same
 *	answer for the whole run: pin accounting depends on it.
 * @check: the design's own invariant, or NULL.
 *
 * The host knob gup_zero_page is not a decision: it describes the kernel
 * build, and stays a policy line for every design.
 */
struct span_design_ops {
	int api_version;
	const char *name;
	const char *doc;
	const void *data;
	span_decide_fn vmsplice;
	span_decide_fn pipe_split;
	span_decide_fn kmem_send;
	span_decide_fn zerocopy_gup;
	span_decide_fn loopback;
	span_decide_fn sock_splice;
	span_decide_fn pincount;
	span_decide_fn cow_reuse;
	span_decide_fn fork_pinned;
	span_decide_fn get_page_check;
	span_decide_fn pipe_buf_init;
	span_decide_fn pipe_link_merge;
	span_decide_fn skb_shared_frag;
	span_decide_fn owner_release;
	span_design_check_fn check;
};

/* a plugin defines its design with this: the symbol span_load looks for */
#define SPAN_DESIGN_SYMBOL	"span_design"
#define SPAN_DESIGN_DEFINE	const struct span_design_ops span_design

/**
 * span_decide_knob - the decision the world's policy gives: the value of
 * knob d->point (what the `policy` lines and presets set).
 * Return: the knob's value, or 0 for a NULL @d or an unknown point.
 */
SPAN_API int span_decide_knob(const struct span_decision *d);
/**
 * span_decide_mainline - the decision of mainline Linux v6.18, whatever
 * the policy says.
 * Return: 0, the mainline value of every knob.
 */
SPAN_API int span_decide_mainline(const struct span_decision *d);

/**
 * span_design_decide - the decision design @ops makes for @d: its callback
 * for d->point, called with @ops's own .data (so one design can delegate
 * to another: return span_design_decide(span_design_builtin("..."), d)).
 * Return: the callback's value; 0 for a NULL argument, an unknown point
 *	or an unset callback.
 */
SPAN_API int span_design_decide(const struct span_design_ops *ops,
				const struct span_decision *d);
/**
 * span_design_callback - the callback of @ops for decision point @knob.
 * Return: the callback, or NULL for a NULL @ops, a host or unknown knob, or
 *	a callback @ops leaves unset.
 */
SPAN_API span_decide_fn span_design_callback(const struct span_design_ops *ops,
					     int knob);
/**
 * span_design_validate - is @ops a complete design of this API version?
 * @msg: @len bytes for the reason when it is not; may be NULL.
 * Return: 0; -EPROTO for another api_version; -EINVAL for a NULL @ops, a
 *	missing name or a missing decision callback (named in @msg).
 */
SPAN_API int span_design_validate(const struct span_design_ops *ops,
				  char *msg, size_t len);
/**
 * span_design_builtin - the built-in design called @name: "knobs" (the
 * world's policy decides: the default) or a preset's name (that preset's
 * decisions, whatever the policy says).
 * Return: the design, or NULL for an unknown or NULL @name.
 */
SPAN_API const struct span_design_ops *span_design_builtin(const char *name);
/**
 * span_design_builtin_name - the name of built-in design @i, or NULL past
 * the last ("knobs" first, then the presets in span_preset_name() order).
 * Return: the name, or NULL past the last.
 */
SPAN_API const char *span_design_builtin_name(int i);

/**
 * span_world_set_design - decide with @ops from now on; NULL is "knobs".
 * The world keeps the pointer: @ops must outlive it.
 * Return: 0; -EINVAL for a NULL world; span_design_validate()'s errors for
 *	an incomplete @ops.
 */
SPAN_API int span_world_set_design(struct span_world *w,
				   const struct span_design_ops *ops);
/**
 * span_world_design - the world's design.
 * Return: the design ("knobs" unless set), or NULL for a NULL world.
 */
SPAN_API const struct span_design_ops *
span_world_design(const struct span_world *w);
/**
 * span_world_design_error - the first error of the design in this world:
 * a callback's value out of range, or a pincount answer that changed.
 * Return: the message, NULL when there is none or for a NULL world.
 */
SPAN_API const char *span_world_design_error(const struct span_world *w);

#endif /* SPAN_DESIGN_H */
