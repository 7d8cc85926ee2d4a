// SPDX-License-Identifier: MIT
/*
 * policy.c - the knobs and presets of POLICIES.md as tables.
 *
 * Not a kernel file: it gathers, as data, the decision points that the other
 * files of lib/ read (see each knob's users in docs/policies.md).
 */
#include <string.h>

#include "internal.h"

struct knob_desc {
	const char *name;
	const char *doc;
	const char *values[5];
	bool host;	/* a property of the kernel build, probed live */
};

static const struct knob_desc knobs[SPAN_NR_KNOBS] = {
	[SPAN_KNOB_VMSPLICE] = { "vmsplice",
		"how vmsplice captures user pages: FOLL_GET refs, FOLL_PIN pins, a copy into pipe pages, or steal gifted pages",
		{ "ref", "pin", "copy", "steal" }, false },
	[SPAN_KNOB_PIPE_SPLIT] = { "pipe_split",
		"what a partial pipe-to-pipe splice or tee fragment holds: a ref of the buffer's kind, a shared span descriptor, or a private copy",
		{ "ref", "desc", "copy" }, false },
	[SPAN_KNOB_KMEM_SEND] = { "kmem_send",
		"MSG_SPLICE_PAGES of memory with no usable refcount: -EIO (sendpage_ok), page refs anyway, copy at send, or an owner reference",
		{ "reject", "ref", "copy", "desc" }, false },
	[SPAN_KNOB_ZEROCOPY_GUP] = { "zerocopy_gup",
		"how MSG_ZEROCOPY captures user pages: FOLL_GET or FOLL_PIN",
		{ "ref", "pin" }, false },
	[SPAN_KNOB_LOOPBACK] = { "loopback",
		"local delivery over lo: copy zerocopy frags (skb_orphan_frags_rx), share everything, or copy every frag not owned by the receiver",
		{ "copy_zerocopy", "share", "copy_all" }, false },
	[SPAN_KNOB_SOCK_SPLICE] = { "sock_splice",
		"socket to pipe (skb_splice_bits): frag page refs, the owner/descriptor reference, or a copy",
		{ "ref", "desc", "copy" }, false },
	[SPAN_KNOB_PINCOUNT] = { "pincount",
		"a pin adds GUP_PIN_COUNTING_BIAS (1024) to a small page's refcount, or counts exactly",
		{ "bias", "exact" }, false },
	[SPAN_KNOB_COW_REUSE] = { "cow_reuse",
		"may a write fault reuse a shared anon page: PageAnonExclusive (5.19+), refcount == 1 (5.8-5.18), mapcount == 1 (< 5.8)",
		{ "exclusive", "refcount", "mapcount" }, false },
	[SPAN_KNOB_FORK_PINNED] = { "fork_pinned",
		"fork copies maybe-pinned exclusive anon pages for the child up front (5.9+), or shares them",
		{ "copy", "share" }, false },
	[SPAN_KNOB_GET_PAGE_CHECK] = { "get_page_check",
		"try_get_page refuses a get that would overflow (5.1+), or refs are taken blindly (CVE-2019-11487)",
		{ "checked", "unchecked" }, false },
	[SPAN_KNOB_PIPE_BUF_INIT] = { "pipe_buf_init",
		"a new buffer from the file-to-pipe path gets flags = 0, or keeps the slot's stale flags (Dirty Pipe)",
		{ "clear", "stale" }, false },
	[SPAN_KNOB_PIPE_LINK_MERGE] = { "pipe_link_merge",
		"tee and partial splice clear CAN_MERGE and GIFT on the new buffer (5.0+), or keep them",
		{ "clear", "keep" }, false },
	[SPAN_KNOB_SKB_SHARED_FRAG] = { "skb_shared_frag",
		"SKBFL_SHARED_FRAG survives every helper; is lost by skb_try_coalesce or pskb_copy; or in-place consumers ignore it",
		{ "keep", "drop_on_coalesce", "drop_on_copy", "ignore" }, false },
	[SPAN_KNOB_GUP_ZERO_PAGE] = { "gup_zero_page",
		"a read fault or read-only GUP of never-touched anon memory maps the shared zero page, or populates a private zeroed page (host property)",
		{ "map", "populate" }, true },
	[SPAN_KNOB_OWNER_RELEASE] = { "owner_release",
		"an owner's destructor runs in the put of its last reference, from a work item after it (a kernel event), or at its service's own put whoever still holds it",
		{ "last_ref", "deferred", "service_put" }, false },
};

struct preset_desc {
	const char *name;
	const char *doc;
	const char *set;	/* "knob=value,..." over the defaults */
};

static const struct preset_desc presets[] = {
	{ "linux-6.18", "mainline v6.18 (the default)", "" },
	{ "linux-7.2-vmsplice-copy", "the vfs-7.2.vmsplice branch: vmsplice copies like pwritev2",
	  "vmsplice=copy" },
	{ "linux-5.16", "5.8-5.16.10: Dirty Pipe, refcount-based COW reuse",
	  "pipe_buf_init=stale,cow_reuse=refcount" },
	{ "linux-5.4", "before 5.8: mapcount COW reuse (CVE-2020-29374), no fork copy of pinned pages, slab splice",
	  "cow_reuse=mapcount,fork_pinned=share,kmem_send=ref" },
	{ "linux-4.19", "before 5.1: as linux-5.4, unchecked page refs (CVE-2019-11487), tee keeps CAN_MERGE",
	  "cow_reuse=mapcount,fork_pinned=share,kmem_send=ref,get_page_check=unchecked,pipe_link_merge=keep" },
	{ "proposal-pin", "vmsplice and MSG_ZEROCOPY take FOLL_PIN pins, exact pin counts",
	  "vmsplice=pin,zerocopy_gup=pin,pincount=exact" },
	{ "proposal-span-desc", "a shared span descriptor propagates through splits, sends, loopback and socket splice",
	  "pipe_split=desc,kmem_send=desc,loopback=share,sock_splice=desc" },
	{ "proposal-copy-out", "destructor memory is copied when it leaves: at loopback, socket splice and pipe split",
	  "kmem_send=desc,loopback=copy_all,sock_splice=copy,pipe_split=copy" },
};

#define NR_PRESETS (sizeof(presets) / sizeof(presets[0]))

const char *span_knob_name(int k)
{
	if (k < 0 || k >= SPAN_NR_KNOBS)
		return NULL;
	return knobs[k].name;
}

int span_knob_lookup(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int k = 0; k < SPAN_NR_KNOBS; k++)
		if (!strcmp(knobs[k].name, name))
			return k;
	return -ENOENT;
}

int span_knob_nr_values(int k)
{
	int n = 0;

	if (k < 0 || k >= SPAN_NR_KNOBS)
		return -EINVAL;
	while (n < 5 && knobs[k].values[n])
		n++;
	return n;
}

const char *span_knob_value_name(int k, int v)
{
	if (k < 0 || k >= SPAN_NR_KNOBS || v < 0 || v >= span_knob_nr_values(k))
		return NULL;
	return knobs[k].values[v];
}

int span_knob_value_lookup(int k, const char *name)
{
	int n = span_knob_nr_values(k);

	if (n < 0 || !name)
		return -EINVAL;
	for (int v = 0; v < n; v++)
		if (!strcmp(knobs[k].values[v], name))
			return v;
	return -ENOENT;
}

const char *span_knob_doc(int k)
{
	if (k < 0 || k >= SPAN_NR_KNOBS)
		return NULL;
	return knobs[k].doc;
}

int span_knob_is_host(int k)
{
	if (k < 0 || k >= SPAN_NR_KNOBS)
		return -EINVAL;
	return knobs[k].host;
}

void span_policy_default(struct span_policy *p)
{
	if (p)
		memset(p, 0, sizeof(*p));
}

int span_policy_set(struct span_policy *p, const char *knob, const char *value)
{
	int k = span_knob_lookup(knob);
	int v;

	if (!p)
		return -EINVAL;
	if (k < 0)
		return -ENOENT;
	v = span_knob_value_lookup(k, value);
	if (v < 0)
		return -EINVAL;
	p->v[k] = (uint8_t)v;
	return 0;
}

int span_policy_preset(struct span_policy *p, const char *name)
{
	const char *s;
	char knob[32], value[32];

	if (!p || !name)
		return -EINVAL;
	for (size_t i = 0; i < NR_PRESETS; i++) {
		if (strcmp(presets[i].name, name))
			continue;
		span_policy_default(p);
		s = presets[i].set;
		while (*s) {
			size_t kn = strcspn(s, "="), vn;

			if (kn >= sizeof(knob))
				return -EINVAL;
			memcpy(knob, s, kn);
			knob[kn] = 0;
			s += kn + 1;
			vn = strcspn(s, ",");
			if (vn >= sizeof(value))
				return -EINVAL;
			memcpy(value, s, vn);
			value[vn] = 0;
			s += vn;
			if (*s == ',')
				s++;
			if (span_policy_set(p, knob, value))
				return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

const char *span_preset_name(int i)
{
	if (i < 0 || (size_t)i >= NR_PRESETS)
		return NULL;
	return presets[i].name;
}

const char *span_preset_doc(int i)
{
	if (i < 0 || (size_t)i >= NR_PRESETS)
		return NULL;
	return presets[i].doc;
}
