// SPDX-License-Identifier: MIT
/*
 * main.c - an outside program linked against an installed libspan: make a
 * world, make a pipe in it, destroy the world.  Exit status 0 on success.
 */
#include <stdio.h>

#include <span/span.h>

int main(void)
{
	struct span_world *w = NULL;
	int pipe = 0;
	int ret;

	ret = span_world_create(&w, NULL, NULL);
	if (ret || !w) {
		fprintf(stderr, "span_world_create: %d\n", ret);
		return 1;
	}
	ret = span_pipe_create(w, 0, &pipe);
	if (ret || pipe <= 0) {
		fprintf(stderr, "span_pipe_create: %d, pipe %d\n", ret, pipe);
		span_world_destroy(w);
		return 1;
	}
	span_world_destroy(w);
	printf("libspan %d.%d.%d: world and pipe %d ok\n", SPAN_VERSION_MAJOR,
	       SPAN_VERSION_MINOR, SPAN_VERSION_PATCH, pipe);
	return 0;
}
