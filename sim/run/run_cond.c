// SPDX-License-Identifier: MIT
/*
 * run_cond.c - the model's side of the conditions: what labels, variables,
 * files, memory, completions and the model-internal functions (refcount(),
 * destructed(), at() ...) read in a run's world, for cond.c.
 *
 * Not a kernel file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "run_int.h"

/* --- conditions ---------------------------------------------------------- */

static int m_label(void *ud, int sym, int64_t *value, uint64_t *step)
{
	struct run *r = ud;

	*value = r->labels[sym].value;
	*step = r->labels[sym].step;
	return r->labels[sym].set ? 0 : 1;
}

static const struct scn_str *m_var(void *ud, int sym, int64_t idx)
{
	return run_var(ud, sym, idx);
}

static int m_file(void *ud, const struct scn_ref *ref, int64_t idx,
		  bool whole, int64_t off, int64_t len, struct scn_str *out)
{
	struct run *r = ud;
	int64_t *slot = run__obj_slot(r, ref, idx, NULL);

	if (!slot)
		return -1;
	if (!*slot)
		return 1;
	if (whole)
		len = span_file_size(r->w, (int)*slot);
	if (len < 0 || len > (1 << 28))
		return -1;
	out->data = calloc(1, (size_t)len + 1);
	if (!out->data) {
		r->oom = true;
		return -1;
	}
	len = span_file_contents(r->w, (int)*slot, (uint64_t)off, out->data,
				 (size_t)len);
	out->len = len > 0 ? (size_t)len : 0;
	return 0;
}

static int m_mem(void *ud, const struct scn_ref *ref, int64_t idx,
		 int64_t off, int64_t len, struct scn_str *out)
{
	struct run *r = ud;
	int *mpid;
	int64_t *slot = run__obj_slot(r, ref, idx, &mpid);
	int err;

	if (!slot)
		return -1;
	out->data = calloc(1, (size_t)len + 1);
	if (!out->data) {
		r->oom = true;
		return -1;
	}
	if (r->s->syms[ref->sym].kind == SCN_SYM_KMEM)
		err = span_kmem_peek(r->w, (int)*slot, (uint64_t)off, out->data,
				     (size_t)len);
	else
		err = span_peek(r->w, *mpid, (int)*slot, (uint64_t)off,
				out->data, (size_t)len);
	if (err)
		return 1;
	out->len = (size_t)len;
	return 0;
}

static int m_completions(void *ud, const struct scn_ref *ref, int64_t idx,
			 struct scn_str *out)
{
	struct run *r = ud;
	int64_t *slot = run__obj_slot(r, ref, idx, NULL);
	char buf[8192];

	buf[0] = 0;
	if (!slot || !*slot ||
	    span_sock_completions(r->w, SPAN_FD(SPAN_FD_SOCK, *slot), buf,
				  sizeof(buf)) < 0)
		return 1;
	out->len = strlen(buf);
	out->data = malloc(out->len + 1);
	if (!out->data) {
		r->oom = true;
		return -1;
	}
	memcpy(out->data, buf, out->len + 1);
	return 0;
}

/* at(), destructed(), refcount() ...: what only the model can see */
static int m_internal(void *ud, const struct scn_expr *e, int64_t arg,
		      int64_t *out)
{
	struct run *r = ud;
	uint64_t psz = span_world_param(r->w, SPAN_PARAM_PAGE_SIZE);
	struct span_owner_info oi;
	struct span_page_info pi;
	int64_t idx = 0, *slot;
	int *mpid, page;

	*out = 0;
	switch (e->kind) {
	case SCN_E_AT:
		*out = r->labels[e->ref.sym].set ?
			       (int64_t)r->labels[e->ref.sym].step : 0;
		return 0;
	case SCN_E_PINNED_BYTES:
		*out = (int64_t)span_pinned_bytes(r->w);
		return 0;
	default:
		break;
	}
	if (e->ref.index && scn_eval_int(r->s, e->ref.index, NULL, &idx))
		return -1;
	slot = run__obj_slot(r, &e->ref, idx, &mpid);
	if (!slot)
		return -1;
	switch (e->kind) {
	case SCN_E_DESTRUCTED:
	case SCN_E_DESTRUCTED_AT:
	case SCN_E_HELD_BYTES:
		if (!*slot || span_owner_info(r->w, (int)*slot, &oi))
			return 0;	/* never created */
		*out = e->kind == SCN_E_DESTRUCTED ? oi.destructed :
		       e->kind == SCN_E_DESTRUCTED_AT ?
						(int64_t)oi.destructed_at :
						(int64_t)oi.held_bytes;
		return 0;
	default:
		break;
	}
	/* refcount(), pincount(), mapcount() of page @arg */
	switch (r->s->syms[e->ref.sym].kind) {
	case SCN_SYM_KMEM:
		page = span_kmem_page(r->w, (int)*slot, (uint64_t)arg * psz);
		break;
	case SCN_SYM_FILE:
		page = span_file_page(r->w, (int)*slot, (uint64_t)arg);
		break;
	default:
		page = span_region_page(r->w, *mpid, (int)*slot,
					(uint64_t)arg * psz);
	}
	if (page <= 0 || span_page_info(r->w, page, &pi) ||
	    pi.kind == SPAN_PAGE_FREE)
		return 0;
	*out = e->kind == SCN_E_REFCOUNT ? pi.refcount :
	       e->kind == SCN_E_PINCOUNT ? pi.pincount : pi.mapcount;
	return 0;
}

static bool m_deadlock(void *ud)
{
	return ((struct run *)ud)->deadlock;
}

static void m_oom(void *ud)
{
	((struct run *)ud)->oom = true;
}

const struct cond_ops run__cond_ops = {
	.label = m_label,
	.var = m_var,
	.file = m_file,
	.mem = m_mem,
	.completions = m_completions,
	.internal = m_internal,
	.deadlock = m_deadlock,
	.oom = m_oom,
};

