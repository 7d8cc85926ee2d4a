// SPDX-License-Identifier: MIT
/*
 * design.c - the decision points of span/design.h: the built-in designs
 * ("knobs" and one per preset), the checks a design must pass, and
 * span__decide(), through which every decision point of lib/ asks.
 *
 * Not a kernel file: it stands where a kernel developer would edit the
 * code of a decision point to try a design.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* the callback fields of struct span_design_ops, by knob */
static const size_t decide_off[SPAN_NR_KNOBS] = {
	[SPAN_KNOB_VMSPLICE] = offsetof(struct span_design_ops, vmsplice),
	[SPAN_KNOB_PIPE_SPLIT] = offsetof(struct span_design_ops, pipe_split),
	[SPAN_KNOB_KMEM_SEND] = offsetof(struct span_design_ops, kmem_send),
	[SPAN_KNOB_ZEROCOPY_GUP] =
		offsetof(struct span_design_ops, zerocopy_gup),
	[SPAN_KNOB_LOOPBACK] = offsetof(struct span_design_ops, loopback),
	[SPAN_KNOB_SOCK_SPLICE] = offsetof(struct span_design_ops, sock_splice),
	[SPAN_KNOB_PINCOUNT] = offsetof(struct span_design_ops, pincount),
	[SPAN_KNOB_COW_REUSE] = offsetof(struct span_design_ops, cow_reuse),
	[SPAN_KNOB_FORK_PINNED] = offsetof(struct span_design_ops, fork_pinned),
	[SPAN_KNOB_GET_PAGE_CHECK] =
		offsetof(struct span_design_ops, get_page_check),
	[SPAN_KNOB_PIPE_BUF_INIT] =
		offsetof(struct span_design_ops, pipe_buf_init),
	[SPAN_KNOB_PIPE_LINK_MERGE] =
		offsetof(struct span_design_ops, pipe_link_merge),
	[SPAN_KNOB_SKB_SHARED_FRAG] =
		offsetof(struct span_design_ops, skb_shared_frag),
	[SPAN_KNOB_GUP_ZERO_PAGE] = 0,	/* a host knob: no callback */
	[SPAN_KNOB_OWNER_RELEASE] =
		offsetof(struct span_design_ops, owner_release),
};

int span_decide_knob(const struct span_decision *d)
{
	if (!d || !d->w || d->point < 0 || d->point >= SPAN_NR_KNOBS)
		return 0;
	return d->w->policy.v[d->point];
}

int span_decide_mainline(const struct span_decision *d)
{
	(void)d;
	return 0;
}

span_decide_fn span_design_callback(const struct span_design_ops *ops,
				    int knob)
{
	span_decide_fn fn;

	if (!ops || knob < 0 || knob >= SPAN_NR_KNOBS || !decide_off[knob])
		return NULL;
	memcpy(&fn, (const char *)ops + decide_off[knob], sizeof(fn));
	return fn;
}

int span_design_decide(const struct span_design_ops *ops,
		       const struct span_decision *d)
{
	struct span_decision c;
	span_decide_fn fn;

	if (!d)
		return 0;
	fn = span_design_callback(ops, d->point);
	if (!fn)
		return 0;
	c = *d;
	c.data = ops->data;
	return fn(&c);
}

int span_design_validate(const struct span_design_ops *ops, char *msg,
			 size_t len)
{
	char dummy[1];

	if (!msg) {
		msg = dummy;
		len = sizeof(dummy);
	}
	if (len)
		msg[0] = 0;
	if (!ops) {
		snprintf(msg, len, "no design");
		return -EINVAL;
	}
	if (ops->api_version != SPAN_DESIGN_API_VERSION) {
		snprintf(msg, len,
			 "api_version %d, but this spansim has design API version %d: rebuild the design against it",
			 ops->api_version, SPAN_DESIGN_API_VERSION);
		return -EPROTO;
	}
	if (!ops->name || !ops->name[0]) {
		snprintf(msg, len, "the design has no name");
		return -EINVAL;
	}
	for (int k = 0; k < SPAN_NR_KNOBS; k++) {
		if (span_knob_is_host(k) || span_design_callback(ops, k))
			continue;
		snprintf(msg, len,
			 "design '%s' has no callback .%s (set it to span_decide_knob to follow the policy, or span_decide_mainline)",
			 ops->name, span_knob_name(k));
		return -EINVAL;
	}
	return 0;
}

/* the built-in designs: "knobs", then one per preset */
#define MAX_BUILTIN	32

static struct span_design_ops builtin[MAX_BUILTIN];
static struct span_policy builtin_pol[MAX_BUILTIN];
static int nr_builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

/* a preset's design: the preset's value of every knob */
static int decide_preset(const struct span_decision *d)
{
	const struct span_policy *p = d->data;

	return p->v[d->point];
}

#define DESIGN_ALL(fn)							\
	.vmsplice = fn, .pipe_split = fn, .kmem_send = fn,		\
	.zerocopy_gup = fn, .loopback = fn, .sock_splice = fn,		\
	.pincount = fn, .cow_reuse = fn, .fork_pinned = fn,		\
	.get_page_check = fn, .pipe_buf_init = fn,			\
	.pipe_link_merge = fn, .skb_shared_frag = fn,		\
	.owner_release = fn

static void builtin_init(void)
{
	const char *name;

	builtin[0] = (struct span_design_ops){
		.api_version = SPAN_DESIGN_API_VERSION,
		.name = "knobs",
		.doc = "the world's policy decides (policy lines, presets): the default",
		DESIGN_ALL(span_decide_knob),
	};
	nr_builtin = 1;
	for (int i = 0; (name = span_preset_name(i)) && nr_builtin < MAX_BUILTIN;
	     i++) {
		if (span_policy_preset(&builtin_pol[nr_builtin], name))
			continue;
		builtin[nr_builtin] = (struct span_design_ops){
			.api_version = SPAN_DESIGN_API_VERSION,
			.name = name,
			.doc = span_preset_doc(i),
			.data = &builtin_pol[nr_builtin],
			DESIGN_ALL(decide_preset),
		};
		nr_builtin++;
	}
}

const struct span_design_ops *span_design_builtin(const char *name)
{
	if (!name)
		return NULL;
	pthread_once(&builtin_once, builtin_init);
	for (int i = 0; i < nr_builtin; i++)
		if (!strcmp(builtin[i].name, name))
			return &builtin[i];
	return NULL;
}

const char *span_design_builtin_name(int i)
{
	pthread_once(&builtin_once, builtin_init);
	if (i < 0 || i >= nr_builtin)
		return NULL;
	return builtin[i].name;
}

int span_world_set_design(struct span_world *w,
			  const struct span_design_ops *ops)
{
	int err;

	if (!w)
		return -EINVAL;
	if (ops) {
		err = span_design_validate(ops, NULL, 0);
		if (err)
			return err;
	}
	w->design = ops && ops != span_design_builtin("knobs") ? ops : NULL;
	w->design_err[0] = 0;
	w->design_pincount = -1;
	return 0;
}

const struct span_design_ops *span_world_design(const struct span_world *w)
{
	if (!w)
		return NULL;
	return w->design ? w->design : span_design_builtin("knobs");
}

const char *span_world_design_error(const struct span_world *w)
{
	if (!w || !w->design_err[0])
		return NULL;
	return w->design_err;
}

/*
 * span__decide_slow - ask the world's design for @d (the knobs design is
 * span__decide()'s fast path).  A value out of the knob's range, or a
 * pincount answer that changes, is recorded as the design's error and
 * the mainline value is used.
 */
int span__decide_slow(struct span_world *w, struct span_decision *d)
{
	span_decide_fn fn = span_design_callback(w->design, d->point);
	int v, n = span_knob_nr_values(d->point);

	d->w = w;
	d->data = w->design->data;
	if (!d->pid && w->cur_pid > 0)
		d->pid = (uint32_t)w->cur_pid;
	/*
	 * The context is the call's own arguments and the page's kind, which
	 * does not change while the page lives: nothing the step's footprint
	 * must add (a read of the page would make every put of it dependent
	 * and undo the reduction of the fan-out).  A design that reads other
	 * state through the query functions must be explored with
	 * --reduction none (docs/designs.md).
	 */
	if (d->page && span__page_live(w, d->page))
		d->page_kind = PAGE(w, d->page)->kind;
	else
		d->page_kind = -1;
	v = fn(d);
	if (v < 0 || v >= n) {
		if (!w->design_err[0])
			snprintf(w->design_err, sizeof(w->design_err),
				 "design '%s': .%s returned %d in %s, not a value of the knob (0..%d)",
				 w->design->name, span_knob_name(d->point), v,
				 d->func ? d->func : "?", n - 1);
		span__trace(w, d->func, SPAN_TR_NOTE, SPAN_OBJ_PAGE, d->page, 0,
			    -EINVAL, w->design_err);
		return 0;
	}
	if (d->point == SPAN_KNOB_PINCOUNT) {
		if (w->design_pincount >= 0 && w->design_pincount != v) {
			if (!w->design_err[0])
				snprintf(w->design_err, sizeof(w->design_err),
					 "design '%s': .pincount answered %d, then %d: pin accounting needs one answer per run",
					 w->design->name, w->design_pincount, v);
			return w->design_pincount;
		}
		w->design_pincount = v;
	}
	return v;
}

/*
 * span__design_check - the design's own invariant, after the checker's:
 * its message becomes the violation "design".
 */
void span__design_check(struct span_world *w)
{
	char buf[160];
	const char *msg;

	if (!w->design || !w->design->check)
		return;
	buf[0] = 0;
	msg = w->design->check(w, w->design->data, buf, sizeof(buf));
	if (msg)
		span__violate(w, SPAN_INV_DESIGN, SPAN_OBJ_NONE, 0, "design",
			      "design '%s': %s", w->design->name, msg);
}
