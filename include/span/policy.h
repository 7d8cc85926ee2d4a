/* SPDX-License-Identifier: MIT */
/*
 * span/policy.h - design choices as data (POLICIES.md).
 *
 * Each knob is one decision point in a modelled kernel function.  Value 0 of
 * every knob is mainline Linux v6.18.  A world's policy can be changed at any
 * time; the modelled functions read it at their decision points.
 */
#ifndef SPAN_POLICY_H
#define SPAN_POLICY_H

#include "span/defs.h"

enum span_knob {
	SPAN_KNOB_VMSPLICE,
	SPAN_KNOB_PIPE_SPLIT,
	SPAN_KNOB_KMEM_SEND,
	SPAN_KNOB_ZEROCOPY_GUP,
	SPAN_KNOB_LOOPBACK,
	SPAN_KNOB_SOCK_SPLICE,
	SPAN_KNOB_PINCOUNT,
	SPAN_KNOB_COW_REUSE,
	SPAN_KNOB_FORK_PINNED,
	SPAN_KNOB_GET_PAGE_CHECK,
	SPAN_KNOB_PIPE_BUF_INIT,
	SPAN_KNOB_PIPE_LINK_MERGE,
	SPAN_KNOB_SKB_SHARED_FRAG,
	SPAN_KNOB_GUP_ZERO_PAGE,
	SPAN_KNOB_OWNER_RELEASE,
	SPAN_NR_KNOBS
};

/* vmsplice: how vmsplice() captures user pages */
enum { SPAN_VMSPLICE_REF, SPAN_VMSPLICE_PIN, SPAN_VMSPLICE_COPY,
       SPAN_VMSPLICE_STEAL };
/* pipe_split: what a partial pipe-to-pipe splice or tee fragment holds */
enum { SPAN_PIPE_SPLIT_REF, SPAN_PIPE_SPLIT_DESC, SPAN_PIPE_SPLIT_COPY };
/* kmem_send: MSG_SPLICE_PAGES of memory without a usable refcount */
enum { SPAN_KMEM_SEND_REJECT, SPAN_KMEM_SEND_REF, SPAN_KMEM_SEND_COPY,
       SPAN_KMEM_SEND_DESC };
/* zerocopy_gup: how MSG_ZEROCOPY captures user pages */
enum { SPAN_ZEROCOPY_GUP_REF, SPAN_ZEROCOPY_GUP_PIN };
/* loopback: local delivery over lo */
enum { SPAN_LOOPBACK_COPY_ZEROCOPY, SPAN_LOOPBACK_SHARE,
       SPAN_LOOPBACK_COPY_ALL };
/* sock_splice: socket to pipe (skb_splice_bits) */
enum { SPAN_SOCK_SPLICE_REF, SPAN_SOCK_SPLICE_DESC, SPAN_SOCK_SPLICE_COPY };
/* pincount: GUP_PIN_COUNTING_BIAS or an exact pin count */
enum { SPAN_PINCOUNT_BIAS, SPAN_PINCOUNT_EXACT };
/* cow_reuse: may a write fault reuse a shared anon page */
enum { SPAN_COW_REUSE_EXCLUSIVE, SPAN_COW_REUSE_REFCOUNT,
       SPAN_COW_REUSE_MAPCOUNT };
/* fork_pinned: fork and maybe-pinned exclusive anon pages */
enum { SPAN_FORK_PINNED_COPY, SPAN_FORK_PINNED_SHARE };
/* get_page_check: try_get_page() overflow guard */
enum { SPAN_GET_PAGE_CHECKED, SPAN_GET_PAGE_UNCHECKED };
/* pipe_buf_init: flags of a buffer made by the file-to-pipe path */
enum { SPAN_PIPE_BUF_INIT_CLEAR, SPAN_PIPE_BUF_INIT_STALE };
/* pipe_link_merge: tee/partial splice and CAN_MERGE */
enum { SPAN_PIPE_LINK_MERGE_CLEAR, SPAN_PIPE_LINK_MERGE_KEEP };
/* skb_shared_frag: SKBFL_SHARED_FRAG propagation */
enum { SPAN_SHARED_FRAG_KEEP, SPAN_SHARED_FRAG_DROP_ON_COALESCE,
       SPAN_SHARED_FRAG_DROP_ON_COPY, SPAN_SHARED_FRAG_IGNORE };
/*
 * gup_zero_page: a read fault (a load, copy_from_user, read-only GUP) of
 * never-touched anonymous memory maps the shared zero page (mainline x86),
 * or populates a private zeroed page as a write fault would (kernel builds
 * and configurations that do not use the zero page for anonymous read
 * faults).  A host property, not a design choice: `spansim kernel` probes
 * the live kernel for it.
 */
enum { SPAN_GUP_ZERO_PAGE_MAP, SPAN_GUP_ZERO_PAGE_POPULATE };
/*
 * owner_release: when an owner's destructor runs.  last_ref: in the put
 * that drops the last reference (as ubuf_info_ops->complete runs in the
 * last skb_zcopy_clear()); deferred: from a work item, a kernel event
 * after that put; service_put: when the service that created the owner
 * puts its own reference, whoever else still holds one (a design error
 * the checker reports as early-destruct).
 */
enum { SPAN_OWNER_RELEASE_LAST_REF, SPAN_OWNER_RELEASE_DEFERRED,
       SPAN_OWNER_RELEASE_SERVICE_PUT };

/**
 * struct span_policy - one value per knob.
 * @v: indexed by enum span_knob; 0 is the mainline default.
 */
struct span_policy {
	uint8_t v[SPAN_NR_KNOBS];
};

/**
 * span_knob_name - the name of knob @k ("vmsplice"), or NULL.
 * Return: the name, or NULL for an unknown @k.
 */
SPAN_API const char *span_knob_name(int k);
/**
 * span_knob_lookup - the knob called @name, or -ENOENT.
 * Return: the knob; -ENOENT for an unknown name, -EINVAL for NULL.
 */
SPAN_API int span_knob_lookup(const char *name);
/**
 * span_knob_nr_values - how many values knob @k has, or -EINVAL.
 * Return: the number of values, or -EINVAL for an unknown @k.
 */
SPAN_API int span_knob_nr_values(int k);
/**
 * span_knob_value_name - the name of value @v of knob @k, or NULL.
 * Return: the name, or NULL for an unknown @k or @v.
 */
SPAN_API const char *span_knob_value_name(int k, int v);
/**
 * span_knob_value_lookup - value @name of knob @k, or -ENOENT/-EINVAL.
 * Return: the value; -ENOENT for an unknown name, -EINVAL for an unknown @k or
 *	a NULL name.
 */
SPAN_API int span_knob_value_lookup(int k, const char *name);
/**
 * span_knob_doc - one line on what knob @k decides, or NULL.
 * Return: one line, or NULL for an unknown @k.
 */
SPAN_API const char *span_knob_doc(int k);
/**
 * span_knob_is_host - does knob @k describe the kernel build or
 * configuration a scenario runs on (gup_zero_page) rather than a design
 * choice?  Return: 1, 0, or -EINVAL for an unknown knob.
 */
SPAN_API int span_knob_is_host(int k);

/**
 * span_policy_default - fill @p with the mainline defaults.
 * Return: nothing; a NULL @p is ignored.
 */
SPAN_API void span_policy_default(struct span_policy *p);
/**
 * span_policy_set - set one knob by name.
 * Return: 0; -ENOENT for an unknown knob; -EINVAL for a bad value.
 */
SPAN_API int span_policy_set(struct span_policy *p, const char *knob,
			     const char *value);
/**
 * span_policy_preset - set every knob from preset @name.
 * Return: 0, -ENOENT, or -EINVAL for a NULL argument.
 */
SPAN_API int span_policy_preset(struct span_policy *p, const char *name);
/**
 * span_preset_name - the name of preset @i, or NULL past the last.
 * Return: the name, or NULL past the last preset.
 */
SPAN_API const char *span_preset_name(int i);
/**
 * span_preset_doc - one line about preset @i, or NULL.
 * Return: one line, or NULL past the last preset.
 */
SPAN_API const char *span_preset_doc(int i);

/**
 * span_world_policy - the world's policy (read-write, live).
 * Return: the policy, or NULL for a NULL world.
 */
SPAN_API struct span_policy *span_world_policy(struct span_world *w);

#endif
