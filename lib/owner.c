// SPDX-License-Identifier: MIT
/*
 * owner.c - owner records and shared span descriptors.
 *
 * An owner record stands for memory whose lifetime the network or pipe
 * code may not manage with page refcounts: a kernel service's buffers
 * released by a destructor (the "iov_manager" / generalised ubuf_info of
 * design-alternatives.md P2).  A span descriptor (P3) is the shared
 * cleanup record of a span split into fragments: every fragment holds a
 * reference, and the one reference of the original buffer (page ref, pin,
 * or owner ref) is released once, when the last fragment goes.
 *
 * No mainline counterpart; the nearest is struct ubuf_info with
 * ubuf_info_ops->complete (include/linux/skbuff.h).
 */
#include "internal.h"

int span_owner_create(struct span_world *w, int *owner)
{
	uint32_t id;

	if (!w || !owner)
		return -EINVAL;
	id = span__tab_alloc(w, &w->owners);
	if (!id)
		return -ENOMEM;
	OWNER(w, id)->refcount = 1;
	OWNER(w, id)->service_ref = 1;
	span__fp(w, true, SPAN_OBJ_OWNER, id);
	span__trace(w, "owner_create", SPAN_TR_ALLOC, SPAN_OBJ_OWNER, id, 0, 1,
		    NULL);
	*owner = (int)id;
	return 0;
}

void span__owner_get(struct span_world *w, uint32_t owner, const char *func)
{
	struct span_owner *o = OWNER(w, owner);

	if (o->destructed || o->refcount <= 0) {
		span__fp(w, false, SPAN_OBJ_OWNER, owner);
		span__violate(w, SPAN_INV_USE_AFTER_FREE, SPAN_OBJ_OWNER, owner,
			      func, "%s: reference on destructed owner#%u",
			      func, owner);
		return;
	}
	o->refcount++;
	span__fp_count(w, SPAN_OBJ_OWNER, owner);	/* gets commute */
	span__trace(w, func, SPAN_TR_GET, SPAN_OBJ_OWNER, owner,
		    o->refcount - 1, o->refcount, NULL);
}

/* the destructor: free the owner's memory, exactly once */
static void owner_destruct(struct span_world *w, uint32_t owner,
			   const char *func)
{
	struct span_owner *o = OWNER(w, owner);

	o->destructed++;
	if (o->destructed > 1) {
		span__violate(w, SPAN_INV_DOUBLE_DESTRUCT, SPAN_OBJ_OWNER,
			      owner, func, "%s: owner#%u destructor ran %u times",
			      func, owner, o->destructed);
		return;
	}
	o->destructed_at = w->step;
	span__trace(w, func, SPAN_TR_DESTRUCT, SPAN_OBJ_OWNER, owner, 0, 0,
		    "destructor");
	span__owner_destructed_check(w, owner);
	for (uint32_t k = 1; k < w->kmems.n; k++)
		if (span__tab_live(&w->kmems, k) && KMEM(w, k)->owner == owner)
			span__kmem_release(w, k, func);
	o->bytes = 0;
}

void span__owner_put(struct span_world *w, uint32_t owner, const char *func)
{
	struct span_owner *o = OWNER(w, owner);

	if (o->refcount <= 0) {
		span__fp(w, false, SPAN_OBJ_OWNER, owner);
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_OWNER,
			      owner, func, "%s: put on owner#%u with refcount %lld",
			      func, owner, (long long)o->refcount);
		return;
	}
	o->refcount--;
	/* a put commutes with gets and puts, except the last one */
	span__fp_count(w, SPAN_OBJ_OWNER, owner);
	span__trace(w, func, SPAN_TR_PUT, SPAN_OBJ_OWNER, owner,
		    o->refcount + 1, o->refcount, NULL);
	if (!o->refcount) {
		int when = span__decide_knob(w, SPAN_KNOB_OWNER_RELEASE, func);

		span__fp(w, true, SPAN_OBJ_OWNER, owner);
		/* owner_release=service_put ran it at the service's put */
		if (o->destructed && when == SPAN_OWNER_RELEASE_SERVICE_PUT)
			return;
		if (when == SPAN_OWNER_RELEASE_DEFERRED) {
			/* queue_work(): the destructor runs later, alone */
			if (span__event_queue(w, SPAN_EV_DESTRUCT, owner, 0,
					      0) > 0) {
				span__trace(w, func, SPAN_TR_NOTE,
					    SPAN_OBJ_OWNER, owner, 0, 0,
					    "destructor queued (owner_release=deferred)");
				return;
			}
			/* no memory for the work item: run it now */
		}
		owner_destruct(w, owner, func);
	}
}

/*
 * span__owner_destruct_work - the work item of owner_release=deferred:
 * the destructor of @owner, whose last reference is gone.
 */
void span__owner_destruct_work(struct span_world *w, uint32_t owner)
{
	span__fp(w, true, SPAN_OBJ_OWNER, owner);
	if (!span__tab_live(&w->owners, owner) || OWNER(w, owner)->destructed)
		return;
	owner_destruct(w, owner, "owner_destruct_work");
}

int span_owner_put(struct span_world *w, int owner)
{
	if (!w || !span__tab_live(&w->owners, (uint32_t)owner))
		return -EINVAL;
	if (!OWNER(w, owner)->service_ref) {
		/* the service puts a reference it no longer holds */
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_OWNER,
			      (uint32_t)owner, "owner_put",
			      "owner_put: owner#%d put twice by its service",
			      owner);
		return -EINVAL;
	}
	OWNER(w, owner)->service_ref = 0;
	if (OWNER(w, owner)->refcount > 1 && !OWNER(w, owner)->destructed &&
	    span__decide_knob(w, SPAN_KNOB_OWNER_RELEASE, "owner_put") ==
		    SPAN_OWNER_RELEASE_SERVICE_PUT) {
		/* the service frees its memory now: others still hold it */
		span__fp(w, true, SPAN_OBJ_OWNER, (uint32_t)owner);
		owner_destruct(w, (uint32_t)owner, "owner_put");
	}
	span__owner_put(w, (uint32_t)owner, "owner_put");
	return 0;
}

int span_owner_info(const struct span_world *w, int owner,
		    struct span_owner_info *info)
{
	const struct span_owner *o;

	if (!w || !info || !span__tab_live(&w->owners, (uint32_t)owner))
		return -EINVAL;
	o = TAB_AT(w->owners, struct span_owner, owner);
	info->refcount = o->refcount;
	info->destructed = o->destructed;
	info->destructed_at = o->destructed_at;
	info->held_bytes = o->destructed ? 0 : o->bytes;
	info->service_ref = o->service_ref;
	return 0;
}

bool span__owner_memory_page(const struct span_world *w, uint32_t page,
			     uint32_t *owner)
{
	const struct span_page *p = TAB_AT(w->pages, struct span_page, page);

	if (!span__page_live(w, page) || p->kind != SPAN_PAGE_OWNER)
		return false;
	*owner = p->owner;
	return true;
}

/* --- span descriptors -------------------------------------------------- */

/*
 * span__desc_create - a descriptor that takes over one reference of the
 * given kind (the caller's) and starts with one holder.
 */
uint32_t span__desc_create(struct span_world *w, int kind, uint32_t page,
			   uint32_t owner, uint32_t capturer)
{
	uint32_t id = span__tab_alloc(w, &w->descs);
	struct span_desc *d;

	if (!id)
		return 0;
	d = DESC(w, id);
	d->kind = (uint8_t)kind;
	d->page = page;
	d->owner = owner;
	d->capturer = capturer;
	d->refcount = 1;
	span__fp(w, true, SPAN_OBJ_DESC, id);
	span__trace(w, "span_desc_create", SPAN_TR_ALLOC, SPAN_OBJ_DESC, id, 0,
		    1, NULL);
	return id;
}

void span__desc_get(struct span_world *w, uint32_t desc, const char *func)
{
	struct span_desc *d = DESC(w, desc);

	span__fp_count(w, SPAN_OBJ_DESC, desc);	/* gets commute */
	d->refcount++;
	span__trace(w, func, SPAN_TR_GET, SPAN_OBJ_DESC, desc, d->refcount - 1,
		    d->refcount, NULL);
}

void span__desc_put(struct span_world *w, uint32_t desc, const char *func)
{
	struct span_desc *d = DESC(w, desc);

	if (d->refcount <= 0) {
		span__fp(w, false, SPAN_OBJ_DESC, desc);
		span__violate(w, SPAN_INV_REFCOUNT_UNDERFLOW, SPAN_OBJ_DESC,
			      desc, func, "%s: put on desc#%u with no holders",
			      func, desc);
		return;
	}
	d->refcount--;
	span__fp_count(w, SPAN_OBJ_DESC, desc);
	span__trace(w, func, SPAN_TR_PUT, SPAN_OBJ_DESC, desc, d->refcount + 1,
		    d->refcount, NULL);
	if (d->refcount)
		return;
	span__fp(w, true, SPAN_OBJ_DESC, desc);	/* the last: release */
	/* the last fragment: release the span's one reference, once */
	switch (d->kind) {
	case DESC_PAGE_REF:
		span__put_page(w, d->page, "span_desc_release");
		break;
	case DESC_PAGE_PIN:
		span__unpin_page(w, d->page, "span_desc_release");
		break;
	case DESC_OWNER_REF:
		span__owner_put(w, d->owner, "span_desc_release");
		break;
	}
	span__tab_free(&w->descs, desc);
}
