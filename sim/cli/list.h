/* SPDX-License-Identifier: MIT */
/*
 * list.h - `spansim list ops|knobs|presets|invariants|params`.
 *
 * Not a kernel file.
 */
#ifndef SPANSIM_LIST_H
#define SPANSIM_LIST_H

#include <stdio.h>

/**
 * list_names - print the list called @what ("ops", "knobs", "presets",
 * "invariants") to @out.  Return: 0, or -1 when @what names no list.
 */
int list_names(const char *what, FILE *out);

#endif
