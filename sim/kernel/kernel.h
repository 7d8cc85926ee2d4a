/* SPDX-License-Identifier: MIT */
/*
 * kernel.h - `spansim kernel`: the differential runner.
 *
 * Not a kernel file.  Runs a scenario on the model with the fifo schedule,
 * then executes the same operations in the same order with real system
 * calls on the machine's kernel (pipes, files in a temporary directory,
 * anonymous memory, fork, TCP over 127.0.0.1, AF_UNIX socketpairs,
 * MSG_ZEROCOPY) and diffs every observable result.  docs/differential.md
 * has the rules (ordering, settling, skips) and the disagreements found.
 */
#ifndef SPANSIM_KERNEL_H
#define SPANSIM_KERNEL_H

/* Exit statuses of cmd_kernel(). */
#define KERNEL_EXIT_AGREE	0	/* every observable agreed */
#define KERNEL_EXIT_DIFFER	1	/* at least one disagreement */
#define KERNEL_EXIT_USAGE	2	/* usage, scenario or run-time error */
#define KERNEL_EXIT_SKIP	3	/* cannot run for real: "SKIP: reason" */
#define KERNEL_EXIT_INCOMPLETE	4	/* SIGINT/SIGTERM: compared in part */

/**
 * cmd_kernel - `spansim kernel FILE [options]`.
 * @argc: arguments after the command name.
 * @argv: them.
 *
 * Return: one of KERNEL_EXIT_*.
 */
int cmd_kernel(int argc, char **argv);

#endif
