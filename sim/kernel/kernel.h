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

#include <stdbool.h>

/* Exit statuses of cmd_kernel(). */
#define KERNEL_EXIT_AGREE	0	/* every observable agreed */
#define KERNEL_EXIT_DIFFER	1	/* at least one disagreement */
#define KERNEL_EXIT_USAGE	2	/* usage, scenario or run-time error */
#define KERNEL_EXIT_SKIP	3	/* cannot run for real: "SKIP: reason" */
#define KERNEL_EXIT_INCOMPLETE	4	/* SIGINT/SIGTERM: compared in part */

struct scn;
struct host_facts;

/**
 * struct kern_diff - one disagreement of a differential run.
 * @op: the operation's SCN_OP_* kind, or -1 for a condition.
 * @line: its line in the scenario.
 * @obj: the kind of its first operand ("pipe", "socket", "file", "mem"),
 *	or "" (scn_sym_kind_name()).
 * @what: the observable: "result", "bytes", "blocking" (the model left
 *	it blocked), "sleep" (the model sleeps first), "expect", "exists".
 * @model: the model's value, as printed.
 * @kernel: the kernel's value, as printed.
 */
struct kern_diff {
	int op;
	int line;
	char obj[16];
	char what[16];
	char model[96];
	char kernel[160];
};

/**
 * struct kern_result - what kernel_compare() found.
 * @diffs: every disagreement, in the order they were printed.
 * @nr_diffs: how many.
 * @cap_diffs: allocated.
 * @skip: the reason of KERNEL_EXIT_SKIP, or "".
 * @violation: the invariant the model run ended in, or NULL.
 */
struct kern_result {
	struct kern_diff *diffs;
	int nr_diffs, cap_diffs;
	char skip[600];
	const char *violation;
};

/**
 * struct kern_opts - how kernel_compare() runs.
 * @verbose: print every operation, not only the disagreements.
 * @keep: keep the temporary directory.
 * @quiet: print nothing (the fuzzer reads struct kern_result).
 * @any_policy: run a scenario whose policy is off the mainline default
 *	instead of skipping it (the fuzzer's planted-bug test: the model
 *	is then expected to differ).
 * @host: the live kernel as host_probe() found it.
 */
struct kern_opts {
	bool verbose, keep, quiet, any_policy;
	const struct host_facts *host;
	uint64_t max_model_bytes;	/* the model's budget (run_opts); 0: none */
};

/**
 * kernel_compare - run parsed scenario @s on the model and on the live
 * kernel and compare (the body of `spansim kernel FILE`).
 * @s: the scenario; its host knobs are set from @o->host.
 * @file: its name in reports.
 * @o: options.
 * @res: the disagreements (kern_result_free() it).
 *
 * Return: one of KERNEL_EXIT_*.
 */
int kernel_compare(struct scn *s, const char *file, const struct kern_opts *o,
		   struct kern_result *res);
void kern_result_free(struct kern_result *res);
/** kernel_stopped - SIGINT or SIGTERM arrived (0), else the signal. */
int kernel_stopped(void);
/** kernel_catch_stop - from now on SIGINT/SIGTERM set kernel_stopped(). */
void kernel_catch_stop(void);

/**
 * cmd_kernel_fuzz - `spansim kernel --fuzz N [--seed S] ...` (fuzz.c).
 * @argc: arguments after the command name.
 * @argv: them.
 *
 * Return: one of KERNEL_EXIT_*.
 */
int cmd_kernel_fuzz(int argc, char **argv);

/**
 * cmd_kernel - `spansim kernel FILE [options]`.
 * @argc: arguments after the command name.
 * @argv: them.
 *
 * Return: one of KERNEL_EXIT_*.
 */
int cmd_kernel(int argc, char **argv);

/**
 * cmd_export - `spansim export kselftest|c FILE [-o OUT.c]` (export.c).
 * @argc: arguments after the command name.
 * @argv: them.
 *
 * Return: 0 written, 2 usage or scenario error, or refused.
 */
int cmd_export(int argc, char **argv);

#endif
