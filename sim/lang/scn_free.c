// SPDX-License-Identifier: MIT
/*
 * scn_free.c - the memory of a parsed scenario: one arena per struct scn.
 *
 * Not a kernel file.  Every node, string and array of a struct scn comes
 * from its arena, so scn_free() and the parser's error exit free it all
 * with one walk over the chunks.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

#define CHUNK_SIZE 16384

void *scn__alloc(struct scn__arena *a, size_t n)
{
	struct scn__chunk *c = a->head;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (!n)
		n = align;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		if (size > SIZE_MAX - sizeof(*c))
			return NULL;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		/* A big block gets its own chunk behind the current one. */
		if (a->head && size > CHUNK_SIZE) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void scn__arena_free(struct scn__arena *a)
{
	struct scn__chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void scn_free(struct scn *s)
{
	struct scn__arena *a;

	if (!s)
		return;
	a = s->arena;
	scn__arena_free(a);
	free(a);
	free(s);
}
