/* SPDX-License-Identifier: MIT */
/*
 * fuzz_alloc.h - the C library's allocator in a fuzz target: keep freed
 * memory in the process.
 *
 * glibc gives the top of the heap back to the kernel when more than
 * M_TRIM_THRESHOLD of it is free, and serves blocks above M_MMAP_THRESHOLD
 * with mmap(); both thresholds start at 128 KiB.  An execution that takes
 * a few megabytes and frees them (the explorer's snapshots, a world's page
 * arrays) then pays page faults for the same memory on every execution:
 * about half the CPU time of fuzz_explore (docs/fuzzing.md).  The thresholds
 * below keep what the process once had, as bench_fanout does; blocks above
 * 32 MiB (16 MiB pages) still come and go with mmap().  Nothing changes
 * under ASan, whose allocator is its own.  Not a kernel file; included by
 * each fuzz target (each is built from one source file).
 */
#ifndef SPAN_FUZZ_ALLOC_H
#define SPAN_FUZZ_ALLOC_H

#include <limits.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

static void fuzz_keep_freed_memory(void)
{
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 32 << 20);	/* glibc's maximum */
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

#endif
