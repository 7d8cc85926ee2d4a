/* SPDX-License-Identifier: MIT */
/*
 * scn.h - the scenario language (.scn): parser, checker and syntax tree.
 *
 * Not a kernel file.  Reads SCENARIO-LANGUAGE.md sections 1-4 (see
 * docs/language.md for the reference and the list of error messages) into a
 * struct scn that the runner executes one operation at a time.  The whole
 * file is lexed, parsed, resolved and type-checked before scn_parse_*()
 * returns: a struct scn that comes back is complete and consistent, and a
 * scenario with any error yields no struct scn at all.
 *
 * Conventions of the tree:
 *  - Every name is a symbol in scn->syms; references hold its index
 *    ("sym").  Each symbol also has a dense index among the symbols of its
 *    kind (scn_sym.index, 0 .. scn->nr_kind[kind] - 1), so a runner can keep
 *    its runtime objects in one array per kind.
 *  - Params are folded: no param appears in any expression; wherever one was
 *    written there is an SCN_E_INT with its (possibly overridden) value, and
 *    constant sub-expressions are folded too.
 *  - Integer expressions in operations contain only SCN_E_INT, SCN_E_LOOPVAR,
 *    SCN_E_NEG and SCN_E_ADD .. SCN_E_MOD; scn_eval_int() evaluates them.
 *  - Strings are byte arrays with a length (they may contain NUL bytes); the
 *    byte after the last one is always 0, for convenience.
 *  - Positions are 1-based lines and 1-based byte columns (a tab is one
 *    column).  Line 0 means "not from the file" (the predeclared process
 *    init, command-line overrides).
 *  - Everything hangs off the struct scn and is freed by scn_free().
 */
#ifndef SPANSIM_SCN_H
#define SPANSIM_SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "span/policy.h"

/**
 * struct scn_error - where and why a scenario was rejected.
 * @file: the file name given to scn_parse_file()/scn_parse_string().
 * @line: 1-based line, or 0 for an error not tied to a line (unreadable
 *	file, bad command-line override).
 * @col: 1-based byte column, or 0 with @line 0.
 * @msg: the message, without position or "error:" prefix.
 */
struct scn_error {
	char file[256];
	int line, col;
	char msg[256];
};

/**
 * scn_error_format - render an error as the user sees it.
 * @e: the error.
 * @buf: output buffer.
 * @n: its size.
 *
 * Produces `FILE:LINE:COL: error: MESSAGE`, or `FILE: error: MESSAGE` when
 * @e->line is 0.  Return: as snprintf().
 */
int scn_error_format(const struct scn_error *e, char *buf, size_t n);

/**
 * struct scn_overrides - command-line overrides (all arrays may be NULL).
 * @params: "NAME=VALUE" (--param): replaces the value of `param NAME`
 *	before anything uses it; naming a param the file does not declare is
 *	an error.  VALUE is an integer as in the language, optionally negative.
 * @nr_params: entries in @params.
 * @sets: "KEY=VALUE" (--set): wins over the file's `set KEY` line.
 * @nr_sets: entries in @sets.
 * @policies: "KNOB=VALUE" or "preset=NAME" (--policy), applied in order
 *	after every `policy` line of the file; a preset resets every knob
 *	first.
 * @nr_policies: entries in @policies.
 * @base_policies: the same, applied to the defaults *before* the file's
 *	`policy` lines, so that the file's own lines win (`spansim matrix`'s
 *	columns without --presets-override).
 * @nr_base_policies: entries in @base_policies.
 */
struct scn_overrides {
	const char **params;
	int nr_params;
	const char **sets;
	int nr_sets;
	const char **policies;
	int nr_policies;
	const char **base_policies;
	int nr_base_policies;
};

/* Symbols: one scenario-global namespace. */
enum scn_sym_kind {
	SCN_SYM_PARAM, /* param NAME = INT */
	SCN_SYM_PROCESS, /* process NAME; init is predeclared (index 0) */
	SCN_SYM_THREAD, /* thread NAME */
	SCN_SYM_MEM, /* mem NAME ... */
	SCN_SYM_KMEM, /* kmem NAME ... */
	SCN_SYM_FILE, /* file NAME ... */
	SCN_SYM_PIPE, /* pipe NAME ... */
	SCN_SYM_SOCK, /* an endpoint of tcp A B / unix A B */
	SCN_SYM_OWNER, /* kmem ... owner NAME */
	SCN_SYM_LABEL, /* NAME: op ... */
	SCN_SYM_VAR, /* op ... -> NAME  or  -> NAME[i] */
	SCN_SYM_LOOPVAR, /* for NAME in A .. B */
	SCN_NR_SYM_KINDS
};

/**
 * struct scn_sym - a declared name.
 * @name: the name.
 * @kind: enum scn_sym_kind.
 * @indexed: used as NAME[expr]: an array of objects, or an indexed
 *	variable.  Every use of an indexed symbol has an index, and no use of
 *	another symbol has one.
 * @size: number of elements of an object array (declared `pipe p[N]`),
 *	at least 1; 0 for a scalar.  Always 0 for variables: an indexed
 *	variable has no declared size and grows as elements are stored (the
 *	index of a store is never checked against a size).
 * @index: dense index among the symbols of the same kind (order of
 *	declaration).  For params, processes and threads it is also the index
 *	into scn->params, scn->processes and scn->threads.  Loop variables:
 *	every `for` has its own symbol, even when two loops use the same name.
 * @line: where it was declared (0 for init).
 * @col: column of the name there.
 */
struct scn_sym {
	const char *name;
	enum scn_sym_kind kind;
	bool indexed;
	int64_t size;
	int index;
	int line, col;
};

/* A string: @len bytes at @data, followed by a 0 byte. */
struct scn_str {
	char *data;
	size_t len;
};

/* Which end of a pipe a reference names. */
enum scn_end {
	SCN_END_NONE, /* the pipe: the end that fits the operation */
	SCN_END_R, /* name.r */
	SCN_END_W, /* name.w */
};

struct scn_expr;

/**
 * struct scn_ref - a reference to a symbol, as written NAME[index].end.
 * @sym: index into scn->syms; -1 for "none" (e.g. an op without -> VAR).
 * @name: the name as written.
 * @index: the element index expression, or NULL (exactly when the
 *	symbol is not indexed).  In operations it may use loop variables; the
 *	runner checks 0 <= index < size at run time (constant indexes are
 *	checked by the parser).
 * @end: pipe end (only ever set on pipes).
 * @line: position of the name.
 * @col: position of the name.
 */
struct scn_ref {
	int sym;
	const char *name;
	struct scn_expr *index;
	enum scn_end end;
	int line, col;
};

/* Type of an expression. */
enum scn_type {
	SCN_T_INT, /* int64_t */
	SCN_T_STR, /* bytes */
	SCN_T_BOOL, /* a condition */
};

/*
 * Expression nodes.  "ref" is scn_expr.ref, "arg0"/"arg1" are
 * scn_expr.arg[0]/arg[1].  Types: see each line.
 */
enum scn_expr_kind {
	SCN_E_INT, /* INT: value (literal, -ERRNO, folded param) */
	SCN_E_STR, /* STR: str */
	SCN_E_LOOPVAR, /* INT: ref.sym, a loop variable (operations) */
	SCN_E_LABEL, /* INT: ref.sym, the label's return value */
	SCN_E_VAR, /* STR: ref (sym, index), a variable's bytes */
	SCN_E_NEG, /* INT: -arg0 */
	SCN_E_ADD, /* INT: arg0 + arg1 */
	SCN_E_SUB, /* INT: arg0 - arg1 */
	SCN_E_MUL, /* INT: arg0 * arg1 */
	SCN_E_DIV, /* INT: arg0 / arg1 (C semantics, truncating) */
	SCN_E_MOD, /* INT: arg0 % arg1 (C semantics) */
	SCN_E_EQ, /* BOOL: arg0 == arg1 (both INT or both STR) */
	SCN_E_NE, /* BOOL: arg0 != arg1 (both INT or both STR) */
	SCN_E_LT, /* BOOL: arg0 < arg1 (INT only) */
	SCN_E_LE, /* BOOL: arg0 <= arg1 (INT only) */
	SCN_E_GT, /* BOOL: arg0 > arg1 (INT only) */
	SCN_E_GE, /* BOOL: arg0 >= arg1 (INT only) */
	SCN_E_AND, /* BOOL: arg0 && arg1 */
	SCN_E_OR, /* BOOL: arg0 || arg1 */
	SCN_E_NOT, /* BOOL: !arg0 */
	SCN_E_DEADLOCK, /* BOOL: deadlock */
	SCN_E_LEN, /* INT: len(ref), ref a variable */
	SCN_E_AT, /* INT: at(ref), ref a label */
	SCN_E_DESTRUCTED, /* INT: destructed(ref), ref an owner */
	SCN_E_DESTRUCTED_AT, /* INT: destructed_at(ref), ref an owner */
	SCN_E_HELD_BYTES, /* INT: held_bytes(ref), ref an owner */
	SCN_E_REFCOUNT, /* INT: refcount(ref, arg0 = page) */
	SCN_E_PINCOUNT, /* INT: pincount(ref, arg0 = page) */
	SCN_E_MAPCOUNT, /* INT: mapcount(ref, arg0 = page) */
	SCN_E_PINNED_BYTES, /* INT: pinned_bytes */
	SCN_E_REPEAT, /* STR: repeat(arg0 STR, arg1 INT) */
	SCN_E_FILE, /* STR: file(ref[, arg0 = off, arg1 = len]); no arg0: all */
	SCN_E_MEM, /* STR: mem(ref, arg0 = off, arg1 = len) */
	SCN_E_COMPLETIONS, /* STR: completions(ref), ref a socket */
	SCN_NR_EXPR_KINDS,
	/* Parser-internal; never in a struct scn that was returned. */
	SCN__E_NAME,
	SCN__E_CALL,
};

/**
 * struct scn_expr - a node of an integer expression or of a condition.
 * @kind: enum scn_expr_kind.
 * @type: enum scn_type of the value.
 * @line: position: of the literal, name or function name; of the operator
 *	for unary and binary nodes.
 * @col: see @line.
 * @value: SCN_E_INT.
 * @str: SCN_E_STR.
 * @ref: the symbol of SCN_E_LOOPVAR, SCN_E_LABEL, SCN_E_VAR and of the
 *	functions SCN_E_LEN .. SCN_E_COMPLETIONS (see the enum); sym -1 else.
 * @arg: operands and further function arguments (see the enum); unused
 *	ones are NULL.
 * @name: the name or function name as written (SCN_E_LOOPVAR,
 *	SCN_E_LABEL, SCN_E_VAR, functions); NULL else.
 */
struct scn_expr {
	enum scn_expr_kind kind;
	enum scn_type type;
	int line, col;
	int64_t value;
	struct scn_str str;
	struct scn_ref ref;
	struct scn_expr *arg[3];
	const char *name;
};

/* Operations of SCENARIO-LANGUAGE.md section 3: sim/ops/ops.def, in order. */
enum scn_op_kind {
#define OP(id, fn, ...) SCN_OP_##id,
#include "ops/ops.def"
#undef OP
	SCN_NR_OPS
};

/* Modifiers (scn_op.mods).  The ones with an argument say where it is. */
#define SCN_MOD_FILL (1u << 0) /* fill STR: scn_op.fill */
#define SCN_MOD_UNTOUCHED (1u << 1) /* mem: never touched */
#define SCN_MOD_SLAB (1u << 2) /* kmem: kmalloc memory */
#define SCN_MOD_OWNER (1u << 3) /* kmem: owner O: scn_op.owner */
#define SCN_MOD_RO (1u << 4) /* file: read-only everywhere */
#define SCN_MOD_PACKET (1u << 5) /* pipe: O_DIRECT */
#define SCN_MOD_NONBLOCK (1u << 6) /* O_NONBLOCK, SPLICE_F_NONBLOCK, ... */
#define SCN_MOD_ZEROCOPY (1u << 7) /* MSG_ZEROCOPY; SO_ZEROCOPY (sockopt) */
#define SCN_MOD_ALL (1u << 8) /* read/recv/splice: until LEN */
#define SCN_MOD_GIFT (1u << 9) /* vmsplice: SPLICE_F_GIFT */
#define SCN_MOD_OFF (1u << 10) /* splice: off N: scn_op.off */
#define SCN_MOD_MORE (1u << 11) /* SPLICE_F_MORE / MSG_MORE */
#define SCN_MOD_MOVE (1u << 12) /* splice: SPLICE_F_MOVE */
#define SCN_MOD_SPLICE_PAGES (1u << 13) /* send: MSG_SPLICE_PAGES */
#define SCN_MOD_PEEK (1u << 14) /* recv: MSG_PEEK */
#define SCN_MOD_WAIT (1u << 15) /* errqueue: block for one */
#define SCN_MOD_WAITALL (1u << 16) /* recv: MSG_WAITALL */
#define SCN_NR_MODS 17

/* What a DATA operand is. */
enum scn_data_kind {
	SCN_DATA_STR, /* "bytes": scn_data.str */
	SCN_DATA_MEM, /* MEM OFF LEN: ref (a mem), off, len */
	SCN_DATA_KMEM, /* KMEM OFF LEN: ref (a kmem), off, len */
};

/**
 * struct scn_data - the DATA operand of write and send.
 * @kind: enum scn_data_kind.
 * @str: SCN_DATA_STR.
 * @ref: SCN_DATA_MEM / SCN_DATA_KMEM: the memory.
 * @off: its offset (integer expression).
 * @len: its length (integer expression).
 */
struct scn_data {
	enum scn_data_kind kind;
	struct scn_str str;
	struct scn_ref ref;
	struct scn_expr *off, *len;
};

/* What an operand is. */
enum scn_opd_kind {
	SCN_OPD_OBJ, /* scn_operand.ref: a declared or referenced symbol */
	SCN_OPD_INT, /* scn_operand.expr: an integer expression */
	SCN_OPD_STR, /* scn_operand.str */
	SCN_OPD_DATA, /* scn_operand.data */
};

/**
 * struct scn_operand - one operand of an operation.
 * @kind: enum scn_opd_kind; only the matching field is set.
 * @ref: SCN_OPD_OBJ.  For the names an operation declares (mem NAME,
 *	pipe NAME, tcp A B ...) ref.sym is the new symbol and ref.index is
 *	NULL: the operation creates every element of an array at once
 *	(scn_sym.size of them).
 * @expr: SCN_OPD_INT.
 * @str: SCN_OPD_STR.
 * @data: SCN_OPD_DATA.
 * @line: position of the operand's first token.
 * @col: see @line.
 */
struct scn_operand {
	enum scn_opd_kind kind;
	struct scn_ref ref;
	struct scn_expr *expr;
	struct scn_str str;
	struct scn_data data;
	int line, col;
};

#define SCN_MAX_OPERANDS 4

/*
 * Operands of each operation (O = SCN_OPD_OBJ with the symbol kinds allowed,
 * D = an OBJ the operation declares, I = INT, S = STR, DATA = SCN_OPD_DATA),
 * and its modifiers:
 *
 *   mem       D:mem I:size                  fill untouched
 *   kmem      D:kmem I:size                 fill slab owner
 *   file      D:file I:size                 fill ro
 *   store     O:mem I:off S                 -
 *   load      O:mem I:off I:len             -          (-> VAR)
 *   munmap    O:mem                         -
 *   fork      O:process                     -
 *   put       O:owner                       -
 *   pwrite    O:file I:off S                -
 *   pipe      D:pipe [I:size]               packet nonblock
 *   pipe_size O:pipe I:size                 -
 *   tcp       D:sock D:sock                 -          (connect, accept)
 *   unix      D:sock D:sock                 -
 *   sockopt   O:sock                        zerocopy (always present)
 *   write     O:pipe|file|sock DATA(STR|mem)  nonblock
 *   read      O:pipe|file|sock I:len        nonblock all  (-> VAR)
 *   vmsplice  O:pipe O:mem I:off I:len      gift nonblock
 *   splice    O:pipe|file|sock O:pipe|file|sock I:len
 *                                           off nonblock more move all
 *   tee       O:pipe O:pipe I:len           nonblock
 *   send      O:sock DATA(STR|mem|kmem)     zerocopy splice_pages more
 *                                           nonblock
 *   recv      O:sock I:len                  peek nonblock all waitall  (-> VAR)
 *   errqueue  O:sock                        wait       (-> VAR)
 *   close     O:pipe|file|sock              -
 *   decrypt   O:sock I:len                  -
 *   get_pipe_size O:pipe|file|sock          -
 *   ioctl     O:pipe|file|sock W:FIONREAD|SIOCOUTQ  -  (W: a word of
 *             op_desc.words, an SCN_OPD_INT holding its index)
 *   shutdown  O:sock|pipe|file W:rd|wr|rdwr  -
 *   lseek     O:file|pipe|sock I:off W:set|cur|end  -
 *   dev       D:file W:null|zero|full  -  (a memory device: a file symbol)
 *
 * A pipe end (.r/.w) can be given on any O operand that accepts a pipe.
 * The tcp/unix endpoints are both arrays of the same size or both scalars;
 * a kmem array's owner is an array of the same size (element i owns kmem
 * element i).
 */

/**
 * struct scn_op - one operation (one atomic step of its thread).
 * @kind: enum scn_op_kind.
 * @label: the LABEL symbol of `LABEL: op`, or -1.
 * @result: `-> VAR` / `-> VAR[i]`: result.sym is the VAR symbol, or -1.
 * @nr_operands: operands used (see the table above).
 * @operand: the operands, in the order of the table.
 * @mods: SCN_MOD_* bits.
 * @fill: the pattern of `fill STR` (SCN_MOD_FILL).
 * @off: the expression of `off N` (SCN_MOD_OFF), else NULL.
 * @owner: the OWNER symbol declared by `owner O` (SCN_MOD_OWNER), else -1.
 * @line: position of the operation's name.
 * @col: see @line.
 * @text: the statement as written, label included, without indentation
 *	or comment (for traces).
 */
struct scn_op {
	enum scn_op_kind kind;
	int label;
	struct scn_ref result;
	int nr_operands;
	struct scn_operand operand[SCN_MAX_OPERANDS];
	unsigned int mods;
	struct scn_str fill;
	struct scn_expr *off;
	int owner;
	int line, col;
	const char *text;
};

struct scn_stmt;

/* A sequence of statements (setup, thread and for bodies). */
struct scn_body {
	struct scn_stmt *stmts;
	int nr;
};

/**
 * struct scn_for - for VAR in FROM .. TO ... end (inclusive bounds; no
 * iteration when FROM > TO).
 * @var: the LOOPVAR symbol.
 * @from: integer expression (params folded; outer loop variables).
 * @to: see @from.  Both are evaluated once, when the loop starts.
 * @body: the statements.
 */
struct scn_for {
	int var;
	struct scn_expr *from, *to;
	struct scn_body body;
};

enum scn_stmt_kind {
	SCN_STMT_OP, /* scn_stmt.op */
	SCN_STMT_FOR, /* scn_stmt.loop */
};

/**
 * struct scn_stmt - a statement of a body.
 * @kind: enum scn_stmt_kind; only the matching member is set.
 * @line: position of the statement's first token (its label, if any).
 * @col: see @line.
 * @op: SCN_STMT_OP.
 * @loop: SCN_STMT_FOR.
 */
struct scn_stmt {
	enum scn_stmt_kind kind;
	int line, col;
	struct scn_op op;
	struct scn_for loop;
};

/**
 * struct scn_param - param NAME = INT.
 * @sym: its symbol.
 * @name: its name.
 * @value: the final value (after --param).
 * @overridden: @value came from --param.
 * @line: position of the param statement.
 * @col: see @line.
 */
struct scn_param {
	int sym;
	const char *name;
	int64_t value;
	bool overridden;
	int line, col;
};

/**
 * struct scn_set - a world parameter (set KEY = VALUE, or --set).
 * @param: enum span_param (span/world.h).
 * @value: the final value (after --set); validated (page_size is a power
 *	of two >= 8, nothing is negative).
 * @overridden: @value came from --set.
 * @line: position of the set statement, 0 when only given by --set.
 * @col: see @line.
 */
struct scn_set {
	int param;
	int64_t value;
	bool overridden;
	int line, col;
};

/**
 * struct scn_process - a process; processes[0] is init.
 * @sym: its symbol.
 * @name: its name.
 * @line: position of `process NAME` (0 for init).
 * @col: see @line.
 */
struct scn_process {
	int sym;
	const char *name;
	int line, col;
};

/**
 * struct scn_setup - setup [as PROC] ... end.
 * @process: index into scn->processes (0: init).
 * @body: the statements.
 * @line: position of the `setup` keyword.
 * @col: see @line.
 */
struct scn_setup {
	int process;
	struct scn_body body;
	int line, col;
};

/**
 * struct scn_thread - thread NAME [in PROC] ... end.
 * @sym: its symbol (syms[sym].index is this thread's index).
 * @name: its name.
 * @process: index into scn->processes (0: init).
 * @body: the statements.
 * @line: position of the `thread` keyword.
 * @col: see @line.
 */
struct scn_thread {
	int sym;
	const char *name;
	int process;
	struct scn_body body;
	int line, col;
};

/**
 * struct scn_cond - an expect, exists, always or never line.
 * @expr: the condition (type SCN_T_BOOL).
 * @text: the condition as written, for reports.
 * @line: position of the keyword.
 * @col: see @line.
 * @never: a `never COND` line (in scn.always: COND must stay false).
 */
struct scn_cond {
	struct scn_expr *expr;
	const char *text;
	int line, col;
	bool never;
};

struct scn__arena;

/**
 * struct scn - a parsed and checked scenario.
 * @file: the file name it was parsed from.
 * @name: `scenario NAME`.
 * @doc: `doc "text"`, or NULL.
 * @params: the params, in order of declaration.
 * @nr_params: entries in @params.
 * @sets: world parameters given by set lines or --set, one per key, in
 *	order of first appearance (file lines first).
 * @nr_sets: entries in @sets.
 * @policy: the final policy: defaults, then the base policies of the
 *	overrides, then the file's policy lines in order, then --policy.
 * @nr_policy_lines: how many `policy` lines the file has.
 * @policy_named: bit k set when knob k was named by a `policy KNOB = V`
 *	line or by --policy KNOB=V (a preset names none): the kernel runner
 *	sets host knobs (span_knob_is_host()) that no line named from the
 *	live kernel.
 * @processes: processes[0] is init, then `process` lines in order.
 * @nr_processes: entries in @processes.
 * @setups: the setup blocks, in order (run in this order).
 * @nr_setups: entries in @setups.
 * @threads: the threads, in order of declaration.
 * @nr_threads: entries in @threads.
 * @expects: the expect COND lines.
 * @nr_expects: entries in @expects.
 * @exists: the exists COND lines.
 * @nr_exists: entries in @exists.
 * @always: the `always COND` and `never COND` lines, in order: checked
 *	in every state of a run, not only at its end.
 * @nr_always: entries in @always.
 * @violation: enum span_invariant of `expect violation NAME`, or -1.
 * @violation_line: its position (0 if none).
 * @violation_col: see @violation_line.
 * @allows: enum span_invariant of each `allow NAME` (no duplicates).
 * @nr_allows: entries in @allows.
 * @uses_deadlock: some expect/exists condition names `deadlock` (the
 *	deadlock invariant then does not stop the run).
 * @syms: the symbol table.
 * @nr_syms: entries in @syms.
 * @nr_kind: how many symbols of each enum scn_sym_kind.
 * @arena: private: the memory everything above lives in.
 */
struct scn {
	const char *file;
	const char *name;
	const char *doc;
	struct scn_param *params;
	int nr_params;
	struct scn_set *sets;
	int nr_sets;
	struct span_policy policy;
	int nr_policy_lines;
	uint32_t policy_named;
	struct scn_process *processes;
	int nr_processes;
	struct scn_setup *setups;
	int nr_setups;
	struct scn_thread *threads;
	int nr_threads;
	struct scn_cond *expects;
	int nr_expects;
	struct scn_cond *exists;
	int nr_exists;
	struct scn_cond *always;
	int nr_always;
	int violation;
	int violation_line, violation_col;
	int *allows;
	int nr_allows;
	bool uses_deadlock;
	struct scn_sym *syms;
	int nr_syms;
	int nr_kind[SCN_NR_SYM_KINDS];
	struct scn__arena *arena;
};

/**
 * scn_parse_string - parse and check a scenario held in memory.
 * @name: the file name to report in errors and to keep in scn->file.
 * @text: the text (need not be NUL-terminated; may contain NUL bytes,
 *	which are errors outside strings).
 * @len: its length in bytes.
 * @ov: command-line overrides, or NULL.
 * @out: receives the scenario; NULL on error.
 * @err: receives the first error (may be NULL).
 *
 * Return: 0; -EINVAL for any error in the scenario or the overrides;
 * -ENOMEM.  Nothing is allocated on error.
 */
int scn_parse_string(const char *name, const char *text, size_t len,
		     const struct scn_overrides *ov, struct scn **out,
		     struct scn_error *err);

/* The deepest nesting of `for` loops in one block (the runner's limit). */
#define SCN_MAX_LOOP_DEPTH 31

/* The largest scenario file scn_parse_file() reads, in bytes. */
#define SCN_MAX_FILE_SIZE (16 << 20)

/**
 * scn_parse_file - read and parse the scenario file @path.
 * @path: the file; also the name used in errors.
 * @ov: overrides, or NULL.
 * @out: receives the scenario; NULL on error.
 * @err: receives the first error (may be NULL).
 *
 * Return: as scn_parse_string(), or -ENOENT when @path cannot be read
 * (message `cannot open: <strerror>`, line 0), -EINVAL when it is not a
 * regular file (a FIFO or a device is refused before anything is read),
 * -EFBIG when it is larger than SCN_MAX_FILE_SIZE.
 */
int scn_parse_file(const char *path, const struct scn_overrides *ov,
		   struct scn **out, struct scn_error *err);

/** scn_free - free a scenario and everything in it; NULL is a no-op. */
void scn_free(struct scn *s);

/**
 * scn_eval_int - evaluate an integer expression of an operation.
 * @s: the scenario.
 * @e: the expression (SCN_E_INT, SCN_E_LOOPVAR, SCN_E_NEG, SCN_E_ADD ..
 *	SCN_E_MOD nodes).
 * @loopvars: current values of the loop variables, indexed by the dense
 *	index of the LOOPVAR symbol (may be NULL if @e has none).
 * @out: receives the value.
 *
 * Return: 0; -EDOM for a division by zero; -ERANGE for an overflow;
 * -EINVAL for a node that is not an integer expression of an operation.
 */
int scn_eval_int(const struct scn *s, const struct scn_expr *e,
		 const int64_t *loopvars, int64_t *out);

/**
 * scn_process_forked - is process @proc (an index into s->processes) the
 * CHILD of some `fork CHILD` of the scenario?  A declared process that no
 * fork creates exists from the start.
 */
bool scn_process_forked(const struct scn *s, int proc);

/** scn_op_name - "vmsplice" for SCN_OP_VMSPLICE, or NULL. */
const char *scn_op_name(int kind);
/** scn_mod_name - "nonblock" for SCN_MOD_NONBLOCK (one bit), or NULL. */
const char *scn_mod_name(unsigned int mod);
/* What a modifier takes after its name (scn_mod_arg()). */
enum {
	SCN_MODARG_NONE,	/* nonblock */
	SCN_MODARG_STR,		/* fill STR */
	SCN_MODARG_INT,		/* off N */
	SCN_MODARG_DECL,	/* owner NAME: declares NAME */
};
/** scn_mod_arg - SCN_MODARG_* of modifier @mod (one bit), or -1. */
int scn_mod_arg(unsigned int mod);
/** scn_sym_kind_name - "pipe" for SCN_SYM_PIPE ("socket", ...), or NULL. */
const char *scn_sym_kind_name(int kind);

#endif
