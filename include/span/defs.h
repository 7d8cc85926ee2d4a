/* SPDX-License-Identifier: MIT */
/* span/defs.h - common definitions of the libspan public API. */
#ifndef SPAN_DEFS_H
#define SPAN_DEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#if defined(SPAN_STATIC_DEFINE)
#define SPAN_API
#elif defined(SPAN_BUILDING)
#define SPAN_API __attribute__((visibility("default")))
#else
#define SPAN_API
#endif

#define SPAN_VERSION_MAJOR 0
#define SPAN_VERSION_MINOR 1
#define SPAN_VERSION_PATCH 0

struct span_world;

#endif
