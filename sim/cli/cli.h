/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the spansim command line: the options every command parses and
 * the helpers main.c and cmd_explore.c share.
 */
#ifndef SPANSIM_CLI_H
#define SPANSIM_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run.h"

#define MAX_OV 64
#define MAX_DESIGNS 16

struct opts {
	const char *params[MAX_OV], *sets[MAX_OV], *policies[MAX_OV];
	int np, ns, npol;
	struct run_opts ro;
	const char *dot;
	int64_t at;
	const char *presets;
	uint64_t max_states;
	double max_seconds;	/* --max-time; 0: none */
	uint64_t max_bytes;	/* --max-memory; 0: the default */
	int preemptions;
	bool no_reduction, no_shrink, explore;
	bool presets_override;	/* matrix: the column's preset wins */
	int reduction;		/* enum explore_reduction (explore.h) */
	uint64_t bitstate;	/* --bitstate BYTES */
	int shard_index, shard_count;	/* --shard I/N; 0: none */
	int shard_depth;	/* --shard-depth; 0: chosen by the search */
	const char *states_out;	/* --states-out FILE */
	/* --design (matrix: one column each; the others: at most one, the
	 * first is also o->ro.design) */
	struct run_design design[MAX_DESIGNS];
	int ndesigns;
	const char *filter;	/* test --filter PATTERN */
	const char *junit;	/* test --junit FILE */
	bool ktap;		/* test --ktap */
	const char **files;
	int nfiles;
};

/*
 * cli_color - colour stdout?  Not when NO_COLOR is set (no-color.org);
 * yes when CLICOLOR_FORCE is set and not "0"; else when stdout is a
 * terminal other than TERM=dumb.
 */
bool cli_color(void);
/* cli_paint - the ANSI colour of a verdict word (FAIL, ok, Sometimes...),
 * or "" (no colour, or a word without one); CLI_RESET ends it */
const char *cli_paint(const char *word);
#define CLI_RESET(word) (cli_paint(word)[0] ? "\033[0m" : "")

/** cli_usage_error - print "spansim CMD: " @fmt (with @arg) and a hint; 2. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/** cli_parse_u64 - a whole unsigned number (0x and 0 prefixes too); 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *v);
/** cli_parse_bytes - a decimal byte count with an optional K, M or G
 * (powers of 1024) suffix; 0 or -1. */
int cli_parse_bytes(const char *s, uint64_t *v);
/**
 * cli_parse_opts - parse the options of command @cmd into @o.
 * Return: 0, -1 for --help, or 2 after printing a usage error.
 */
int cli_parse_opts(const char *cmd, int argc, char **argv, struct opts *o);
/** cli_parse_scn - parse @file with @o's overrides and @extra_pol. */
int cli_parse_scn(const char *file, struct opts *o, const char **extra_pol,
		  int nextra, struct scn **s, char *err, size_t errn);
/**
 * cli_parse_scn_base - cli_parse_scn() with @base: policies applied
 * before the file's own `policy` lines (which then win over them).
 */
int cli_parse_scn_base(const char *file, struct opts *o, const char **base,
		       int nbase, const char **extra_pol, int nextra,
		       struct scn **s, char *err, size_t errn);
/** cli_cmdline - the command line that reproduces a run, sans schedule. */
void cli_cmdline(char *buf, size_t n, const char *file, struct opts *o);
/** cli_collect - files and directories (recursively) -> sorted .scn paths. */
int cli_collect(const char **in, int nin, char ***out, int *nout);
/*
 * SIGINT and SIGTERM set cli_stop_signal (to the signal) instead of
 * killing: long commands stop, print what they did, marked incomplete,
 * and exit non-zero.  A second signal kills as usual.
 */
extern volatile sig_atomic_t cli_stop_signal;
int cli_catch_stop_signals(void);
void cli_free_list(char **v, int n);
/** cli_run_quiet - run @s once, silently, under fifo, with the checker in
 * @check_mode (0: the default); the caller destroys it. */
struct run *cli_run_quiet(struct scn *s, int check_mode,
			  uint64_t max_model_bytes,
			  const struct span_design_ops *design);
/** cli_opts_free - what cli_parse_opts() loaded (--design plugins). */
void cli_opts_free(struct opts *o);
/**
 * cli_default_max_bytes - the default of --max-memory: half of the
 * physical memory, or of RLIMIT_AS when that is smaller.
 */
uint64_t cli_default_max_bytes(void);
/** cli_check_diverged - with --check verify, the first disagreement of the
 * incremental checker with the full walk in @r's run, or NULL. */
const char *cli_check_diverged(struct run *r, char *buf, size_t n);

/* cmd_explore.c */
extern const char cli_usage_explore[], cli_usage_matrix[];
int cmd_explore(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
struct explore_opts;
/** cli_explore_opts - the bounds, signal flag and progress of @o. */
void cli_explore_opts(struct explore_opts *eo, const struct opts *o);
/** cli_fnv64 - FNV-1a of @n bytes, continuing from @h (first: 0). */
uint64_t cli_fnv64(uint64_t h, const void *p, size_t n);
/** cli_file_hash - FNV-1a of @path's bytes into *@h: 0 or -errno. */
int cli_file_hash(const char *path, uint64_t *h);

/* cmd_import.c: `spansim import strace LOG` */
int cmd_import(int argc, char **argv);
extern const char cli_usage_import[];

/* cmd_merge.c */
extern const char cli_usage_merge[];
int cmd_merge(int argc, char **argv);

/* cli.c: a YAML single-quoted scalar on stdout, for TAP diagnostics */
void cli_yaml_fstr(FILE *out, const char *s);

/*
 * cli_sub - one condition's result for `spansim test` (KTAP subtests,
 * JSON "conditions"): a line "RESULT\tKIND\tCOND\tNOTE" on @subs, RESULT
 * ok, not ok or skip; KIND expect, exists, always, never, breaks or
 * invariants; tabs and newlines in @cond and @note become spaces.
 */
enum { CLI_SUB_OK, CLI_SUB_NOT_OK, CLI_SUB_SKIP };
void cli_sub(FILE *subs, int result, const char *kind, const char *cond,
	     const char *note);
/* one cli_sub() line read back: its fields as pointer and length */
struct cli_sub_rec {
	int result;		/* CLI_SUB_* */
	const char *kind, *cond, *note;
	int kind_len, cond_len, note_len;
};
/* cli_sub_next - the record at @p into @r; Return: the next line, or NULL
 * at the end of the lines */
const char *cli_sub_next(const char *p, struct cli_sub_rec *r);
/* cli_xml - the @n bytes at @s (at most: it stops at a NUL) as XML text:
 * & < > " escaped, control characters but newline and tab dropped */
void cli_xml(FILE *f, const char *s, size_t n);
void cli_yaml_str(const char *s);

/* cmd_explore.c: one `spansim test --explore` TAP record (0 ok, 1 not ok,
 * 4 stopped by a signal) */
struct scn;
int cli_test_explore(int n, const char *file, struct scn *s,
		     struct opts *o, FILE *out, FILE *subs);

#endif
