// SPDX-License-Identifier: MIT
/*
 * run.c - the scenario runner and its schedulers.
 *
 * Not a kernel file.  Executes a struct scn (scn.h) on a libspan world:
 * setup blocks first, atomically, then thread steps and kernel events in
 * the order a scheduler picks (fifo, seeded random, or a given schedule),
 * then the end-of-run drain, the conditions, and the teardown that reports
 * leaks.  Each operation of the language maps to one libspan call.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "cond.h"
#include "run_int.h"

static const char *const status_names[] = {
	[RUN_RUNNING] = "running",	[RUN_DONE] = "done",
	[RUN_VIOLATION] = "violation",	[RUN_DEADLOCK] = "deadlock",
	[RUN_ERROR] = "error",		[RUN_STEP_LIMIT] = "step-limit",
	[RUN_BAD_SCHEDULE] = "bad-schedule",
};

const char *run_status_name(enum run_status st)
{
	return status_names[st];
}

/* --- small helpers ------------------------------------------------------ */

void run__set_error(struct run *r, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->status == RUN_ERROR)
		return;
	n = snprintf(r->error, sizeof(r->error), "%s:%d:%d: error: ",
		     r->s->file, line, col);
	va_start(ap, fmt);
	vsnprintf(r->error + n, sizeof(r->error) - (size_t)n, fmt, ap);
	va_end(ap);
	r->status = RUN_ERROR;
}

/*
 * The schedule is kept run-length encoded: "writer*4098,reader*4096".
 * r->sched holds the text up to the last token; the last token and its
 * count are kept apart until another token comes.
 */
static void sched_flush(struct run *r)
{
	char tok[96];
	size_t n;

	if (!r->last_count)
		return;
	if (r->last_count > 1)
		snprintf(tok, sizeof(tok), "%s*%" PRIu64, r->last_tok,
			 r->last_count);
	else
		snprintf(tok, sizeof(tok), "%s", r->last_tok);
	n = strlen(tok) + 1;
	if (r->sched_len + n + 1 > r->sched_cap) {
		size_t cap = r->sched_cap ? r->sched_cap * 2 : 256;
		char *p;

		while (cap < r->sched_len + n + 1)
			cap *= 2;
		p = realloc(r->sched, cap);
		if (!p) {
			r->oom = true;
			return;
		}
		r->sched = p;
		r->sched_cap = cap;
	}
	if (r->sched_len)
		r->sched[r->sched_len++] = ',';
	memcpy(r->sched + r->sched_len, tok, n);
	r->sched_len += n - 1;
	r->last_count = 0;
}

static void sched_add(struct run *r, const char *tok)
{
	if (r->last_count && !strcmp(r->last_tok, tok)) {
		r->last_count++;
		return;
	}
	sched_flush(r);
	snprintf(r->last_tok, sizeof(r->last_tok), "%s", tok);
	r->last_count = 1;
}

static uint64_t rng_next(struct run *r)
{
	/* xorshift64* */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ull;
}

static void label_store(struct run *r, const struct scn_op *op, int64_t value)
{
	if (op->label < 0)
		return;
	r->labels[op->label].set = true;
	r->labels[op->label].value = value;
	r->labels[op->label].step = span_world_step(r->w);
}

static enum op_res exec_op(struct run *r, struct thread *t,
			   const struct scn_op *op, int64_t *ret)
{
	*ret = 0;
	return op_desc(op->kind)->model(r, t, op, ret);
}

/* --- threads ------------------------------------------------------------ */

/* the operation at a thread's program counter, entering loops as needed */
static const struct scn_op *thread_op(struct run *r, struct thread *t)
{
	while (t->depth > 0) {
		struct frame *f = &t->stack[t->depth - 1];
		const struct scn_stmt *st;

		if (f->idx >= f->body->nr) {
			if (f->loopvar >= 0 && t->loopvars[f->loopvar] < f->to) {
				t->loopvars[f->loopvar]++;
				f->idx = 0;
				continue;
			}
			t->depth--;
			if (t->depth)
				t->stack[t->depth - 1].idx++;
			continue;
		}
		st = &f->body->stmts[f->idx];
		if (st->kind == SCN_STMT_OP)
			return &st->op;
		{
			int64_t from, to;
			int lv = r->s->syms[st->loop.var].index;

			if (run__eval_int(r, t, st->loop.from, &from) ||
			    run__eval_int(r, t, st->loop.to, &to))
				return NULL;
			if (from > to) {
				f->idx++;
				continue;
			}
			if (t->depth == MAX_DEPTH) {
				run__set_error(r, st->line, st->col,
					  "loops nested too deeply");
				return NULL;
			}
			t->loopvars[lv] = from;
			t->stack[t->depth++] = (struct frame){
				.body = &st->loop.body, .idx = 0, .loopvar = lv,
				.to = to };
		}
	}
	t->finished = true;
	return NULL;
}

static void thread_advance(struct thread *t)
{
	t->stack[t->depth - 1].idx++;
	t->in_op = false;
	t->done = 0;
	t->total = 0;
	t->off = 0;
	free(t->acc.data);
	t->acc.data = NULL;
	t->acc.len = 0;
}

static bool thread_runnable(struct run *r, struct thread *t)
{
	if (t->finished || !r->pids[t->process])
		return false;
	if (t->blocked)
		return false;
	return true;
}

/* --- trace sink, allocator ------------------------------------------------ */

/*
 * The world's allocator.  Each block carries its size in a header of
 * ALLOC_HDR bytes (which keeps malloc's alignment), so the run knows how
 * much the model holds: an allocation past o.max_model_bytes fails as if
 * the host had refused it.  Any failure marks the run's results
 * unreliable (run_oom()): the model's -ENOMEM would be a lie.
 */
#define ALLOC_HDR 16

static void *on_alloc(void *ud, void *ptr, size_t size)
{
	struct run *r = ud;
	char *base = ptr ? (char *)ptr - ALLOC_HDR : NULL;
	uint64_t old = 0;
	char *p;

	if (base)
		memcpy(&old, base, sizeof(old));
	if (!size) {
		free(base);
		r->model_bytes -= old;
		return NULL;
	}
	if (size > SIZE_MAX - ALLOC_HDR ||
	    (r->o.max_model_bytes &&
	     r->model_bytes - old + size + ALLOC_HDR > r->o.max_model_bytes)) {
		r->oom = true;
		r->over_budget = size <= SIZE_MAX - ALLOC_HDR;
		return NULL;
	}
	p = realloc(base, size + ALLOC_HDR);
	if (!p) {
		r->oom = true;
		return NULL;
	}
	r->model_bytes += (uint64_t)size + ALLOC_HDR - old;
	old = (uint64_t)size + ALLOC_HDR;
	memcpy(p, &old, sizeof(old));
	return p + ALLOC_HDR;
}

static void on_trace(void *ud, const struct span_trace_event *ev)
{
	struct run *r = ud;
	char buf[512];

	if (ev->what == SPAN_TR_ALLOC && ev->obj_type == SPAN_OBJ_PAGE &&
	    ev->func && !strcmp(ev->func, "filemap_create_folio"))
		r->hole_spliced = true;
	if (!r->o.trace || r->o.quiet || !r->o.out)
		return;
	span_trace_format(ev, r->o.json, buf, sizeof(buf));
	if (r->o.json)
		fprintf(r->o.out, "{\"trace\":%s}\n", buf);
	else
		fprintf(r->o.out, "        | %s\n", buf);
}

/* --- steps ---------------------------------------------------------------- */

static void print_step(struct run *r, const char *who, const char *text,
		       int64_t ret, bool ok)
{
	FILE *out = r->o.out;
	const char *en;

	if (r->o.quiet || !out)
		return;
	en = ret < 0 ? span_errname((int)ret) : NULL;
	if (r->o.json) {
		fprintf(out, "{\"step\":%" PRIu64 ",\"thread\":\"%s\",\"op\":\"",
			span_world_step(r->w), who);
		for (const char *p = text; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', out);
			fputc(*p, out);
		}
		fprintf(out, "\",\"result\":%" PRId64, ret);
		if (en)
			fprintf(out, ",\"errno\":\"%s\"", en);
		fprintf(out, "%s}\n", ok ? "" : ",\"partial\":true");
		return;
	}
	fprintf(out, "%5" PRIu64 "  %-10s %-44s", span_world_step(r->w), who,
		text);
	if (!ok)
		fprintf(out, " ... %" PRId64 " so far\n", ret);
	else if (en)
		fprintf(out, " = -%s\n", en);
	else
		fprintf(out, " = %" PRId64 "\n", ret);
}

static void check_after(struct run *r)
{
	const char *de = span_world_design_error(r->w);

	if (__builtin_expect(de != NULL, 0) && r->status != RUN_ERROR) {
		snprintf(r->error, sizeof(r->error), "%s: error: %s",
			 r->s->file, de);
		r->status = RUN_ERROR;
		return;
	}
	if (span_world_nr_violations(r->w) && r->status == RUN_RUNNING) {
		r->viol = span_world_violation(r->w, 0);
		r->status = RUN_VIOLATION;
	}
}

#define FP_CLOCK (((uint32_t)SPAN_OBJ_NONE << 24) | 0xffffff)

/* add @key to @fp's writes or reads, once; overflow when full */
static void fp_key(struct span_footprint *fp, bool write, uint32_t key)
{
	uint32_t *v = write ? fp->write : fp->read;
	uint16_t *n = write ? &fp->nr_write : &fp->nr_read;

	for (int i = 0; i < *n; i++)
		if (v[i] == key)
			return;
	if (*n < SPAN_FP_MAX)
		v[(*n)++] = key;
	else
		fp->overflow = true;
}

/*
 * When conditions compare the steps at which things happened (at(L),
 * destructed_at(O)), the order of two steps that stamp a time is
 * observable even when they touch disjoint objects: such steps write a
 * pseudo-object, the clock, so that the explorer never commutes them.
 */
static void stamp_clock(struct run *r, bool labelled)
{
	struct span_footprint *fp = &r->last_fp;
	bool owner = false;

	if (!r->uses_time)
		return;
	for (int i = 0; i < fp->nr_write; i++)
		if ((fp->write[i] >> 24) == SPAN_OBJ_OWNER)
			owner = true;
	if (!labelled && !owner)
		return;
	fp_key(fp, true, FP_CLOCK);
}

static bool expr_uses_time(const struct scn_expr *e)
{
	if (!e)
		return false;
	if (e->kind == SCN_E_AT || e->kind == SCN_E_DESTRUCTED_AT)
		return true;
	for (int i = 0; i < 3; i++)
		if (expr_uses_time(e->arg[i]))
			return true;
	return false;
}

/*
 * The runner's own names are shared state too: `mem buf` in one thread
 * sets what `buf` means to every other, and two `-> v` store into the same
 * variable.  A step that declares a name writes a pseudo-object for it, a
 * step that names an object reads it, and a step that stores a result
 * writes one for that element of the variable, so that the explorer never
 * commutes a use with the declaration it depends on.  Declarations key the
 * whole symbol (they create every element at once); results key the
 * element, so that `read dst[i] 1 -> r[i]` in many threads stay independent.
 */
#define FP_SYM_OBJ 0x800000u
#define FP_SYM_VAR 0x400000u
#define FP_SYM_MASK 0x3fffffu

static uint32_t fp_sym_key(int sym)
{
	return ((uint32_t)SPAN_OBJ_NONE << 24) | FP_SYM_OBJ |
	       ((uint32_t)sym & FP_SYM_MASK);
}

static void stamp_names(struct run *r, struct thread *t,
			const struct scn_op *op, struct span_footprint *fp,
			bool stored)
{
	const struct op_desc *d = op_desc(op->kind);
	int j = 0;

	for (const char *c = d ? d->sig : ""; *c && j < op->nr_operands; c++) {
		const struct scn_operand *o = &op->operand[j];

		if (*c == '?' && o->kind != SCN_OPD_INT)
			continue;
		j++;
		if (*c == 'D' && o->ref.sym >= 0)
			fp_key(fp, true, fp_sym_key(o->ref.sym));
		else if (*c == 'o' && o->ref.sym >= 0)
			fp_key(fp, false, fp_sym_key(o->ref.sym));
		else if (*c == 'd' && o->data.kind != SCN_DATA_STR &&
			 o->data.ref.sym >= 0)
			fp_key(fp, false, fp_sym_key(o->data.ref.sym));
	}
	if (op->owner >= 0)
		fp_key(fp, true, fp_sym_key(op->owner));
	if (stored && op->result.sym >= 0) {
		int64_t i = 0;
		uint64_t h;

		if (op->result.index &&
		    scn_eval_int(r->s, op->result.index, t->loopvars, &i))
			i = 0;
		h = ((uint64_t)op->result.sym << 32 ^ (uint64_t)i) *
		    0x9e3779b97f4a7c15ull;
		fp_key(fp, true, ((uint32_t)SPAN_OBJ_NONE << 24) | FP_SYM_VAR |
					 ((uint32_t)(h >> 40) & FP_SYM_MASK));
	}
}

/*
 * A blocked thread sleeps until a step writes something its blocked
 * attempt looked at (the wait queue it would sleep on).
 */
static void wake_blocked(struct run *r, const struct span_footprint *fp)
{
	for (int i = 0; i < r->nr_threads; i++) {
		struct thread *t = &r->threads[i];

		if (t->blocked && span_footprint_conflict(fp, &t->wait_fp))
			t->blocked = false;
	}
}

/*
 * always/never lines hold in every state after setup: the first one a step
 * breaks is kept.  A condition whose operands are not defined yet (a
 * result not stored, an object not created) is not checked in that state.
 */
static void check_always(struct run *r)
{
	const struct scn *s = r->s;

	if (!s->nr_always || r->always_broken >= 0 || r->status == RUN_ERROR)
		return;
	for (int i = 0; i < s->nr_always; i++) {
		bool err = false, v = cond_eval_defined(s, &run__cond_ops, r,
							s->always[i].expr, &err);

		if (!err && v == s->always[i].never) {
			r->always_broken = i;
			r->always_step = span_world_step(r->w);
			return;
		}
	}
}

/* run one operation of @t as a step; setup ops use tid -1 */
static enum op_res thread_step(struct run *r, struct thread *t, int tid)
{
	const struct scn_op *op = thread_op(r, t);
	enum op_res res;
	int64_t ret = 0;

	if (!op)
		return r->status == RUN_ERROR ? OP_FAIL : OP_DONE;
	span_world_step_begin(r->w, tid + 1, run__thread_pid(r, t));
	t->in_op = true;
	r->step_data = NULL;
	res = exec_op(r, t, op, &ret);
	if (res == OP_BLOCKED) {
		span_world_step_cancel(r->w);
		t->blocked = true;
		t->wait_fp = *span_world_footprint(r->w);
		stamp_names(r, t, op, &t->wait_fp, false);
		r->last_fp = t->wait_fp;
		if (r->o.on_step) {
			struct run_step_info si = {
				.thread = tid, .name = t->name,
				.process = t->process, .op = op,
				.loopvars = t->loopvars, .sleeps = true,
			};

			r->o.on_step(r->o.on_step_ud, &si);
		}
		return res;
	}
	if (res == OP_FAIL) {
		span_world_step_cancel(r->w);
		return res;
	}
	r->nr_steps++;
	t->blocked = false;
	r->last_fp = *span_world_footprint(r->w);
	if (op->kind == SCN_OP_FORK)
		r->last_fp.overflow = true;	/* it makes threads runnable */
	stamp_clock(r, op->label >= 0 && res == OP_DONE);
	stamp_names(r, t, op, &r->last_fp, res == OP_DONE);
	wake_blocked(r, &r->last_fp);
	if (r->o.on_step) {
		struct run_step_info si = {
			.thread = tid, .name = t->name, .process = t->process,
			.op = op, .loopvars = t->loopvars,
			.done = res == OP_DONE, .sleeps = res == OP_SLEEP,
			.ret = ret,
			.data = res == OP_DONE && r->step_data ?
					r->step_data->data : NULL,
			.len = res == OP_DONE && r->step_data ?
				       r->step_data->len : 0,
		};

		r->o.on_step(r->o.on_step_ud, &si);
	}
	if (res == OP_DONE) {
		label_store(r, op, ret);
		print_step(r, t->name, op->text, ret, true);
		thread_advance(t);
		thread_op(r, t);	/* notice the end of the thread now */
	} else {
		print_step(r, t->name, op->text,
			   t->total ? t->total : (int64_t)t->done, false);
		if (res == OP_SLEEP) {
			t->blocked = true;
			t->wait_fp = r->last_fp;
		}
	}
	span_world_step_end(r->w);
	check_after(r);
	if (tid >= 0)
		check_always(r);
	return res;
}

static void event_step(struct run *r, uint32_t id)
{
	struct span_event ev[MAX_EVENTS];
	int n = span_world_events(r->w, ev, MAX_EVENTS);
	const char *name = "kernel";
	char text[64];

	for (int i = 0; i < n && i < MAX_EVENTS; i++)
		if (ev[i].id == id)
			name = span_event_kind_name(ev[i].kind);
	span_world_step_begin(r->w, 0, 0);
	span_world_run_event(r->w, id);
	r->nr_steps++;
	r->last_fp = *span_world_footprint(r->w);
	stamp_clock(r, false);
	wake_blocked(r, &r->last_fp);
	snprintf(text, sizeof(text), "%s", name);
	print_step(r, "[kernel]", text, 0, true);
	span_world_step_end(r->w);
	check_after(r);
	check_always(r);
}

int run_enabled(struct run *r, struct run_choice *out, int max)
{
	struct span_event ev[MAX_EVENTS];
	int n = 0, ne;

	if (r->status != RUN_RUNNING)
		return 0;
	for (int i = 0; i < r->nr_threads; i++) {
		if (!thread_runnable(r, &r->threads[i]))
			continue;
		if (n < max)
			out[n] = (struct run_choice){ .thread = i };
		n++;
	}
	ne = span_world_events(r->w, ev, MAX_EVENTS);
	for (int i = 0; i < ne && i < MAX_EVENTS; i++) {
		if (n < max)
			out[n] = (struct run_choice){ .thread = -1,
						      .event = ev[i].id,
						      .event_pos = i };
		n++;
	}
	return n < max ? n : max;
}

enum run_status run_step(struct run *r, const struct run_choice *c)
{
	char tok[64];

	if (r->status != RUN_RUNNING)
		return r->status;
	if (r->o.max_steps && r->nr_steps >= r->o.max_steps) {
		r->status = RUN_STEP_LIMIT;
		return r->status;
	}
	if (c->thread < 0) {
		if (c->event_pos)
			snprintf(tok, sizeof(tok), "@%d", c->event_pos);
		else
			snprintf(tok, sizeof(tok), "@");
		sched_add(r, tok);
		event_step(r, c->event);
		return r->status;
	}
	/* a blocked attempt is not a step and not part of the schedule */
	{
		struct thread *t = &r->threads[c->thread];
		enum op_res res = thread_step(r, t, c->thread);

		if (res != OP_BLOCKED && res != OP_FAIL)
			sched_add(r, t->name);
	}
	return r->status;
}

/* "every thread is blocked (reader in 'read p 1', ...) ...", cut to @n */
static void deadlock_msg(struct run *r, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "every thread is blocked (");
	bool first = true;

	for (int i = 0; i < r->nr_threads && len < n; i++) {
		struct thread *t = &r->threads[i];
		const struct scn_op *op;

		if (t->finished)
			continue;
		op = thread_op(r, t);
		len += (size_t)snprintf(buf + len, n - len, "%s%s in '%s'",
					first ? "" : ", ", t->name,
					op ? op->text : "?");
		first = false;
	}
	if (len < n)
		snprintf(buf + len, n - len, ") and no kernel event is pending");
	if (len >= n - 1 && n > 4)
		memcpy(buf + n - 4, "...", 4);
}

/* no enabled step: finished, or a deadlock */
static void run_idle(struct run *r)
{
	for (int i = 0; i < r->nr_threads; i++) {
		struct thread *t = &r->threads[i];

		if (!t->finished) {
			r->deadlock = true;
			if (r->s->uses_deadlock) {
				r->status = RUN_DEADLOCK;
				return;
			}
			memset(&r->deadlock_viol, 0, sizeof(r->deadlock_viol));
			r->deadlock_viol.inv = SPAN_INV_DEADLOCK;
			r->deadlock_viol.step = span_world_step(r->w);
			r->deadlock_viol.func = "scheduler";
			deadlock_msg(r, r->deadlock_viol.msg,
				     sizeof(r->deadlock_viol.msg));
			r->viol = &r->deadlock_viol;
			r->status = RUN_VIOLATION;
			return;
		}
	}
	r->status = RUN_DONE;
}

/* pick with the configured scheduler; false when nothing is enabled */
static bool pick(struct run *r, struct run_choice *c)
{
	struct run_choice ch[MAX_EVENTS + 64];
	int n = run_enabled(r, ch, (int)(sizeof(ch) / sizeof(ch[0])));

	if (!n)
		return false;
	if (r->o.sched == SCHED_GIVEN && r->given_pos < r->nr_given) {
		const char *tok = r->given[r->given_pos];

		if (++r->given_used >= r->given_rep[r->given_pos]) {
			r->given_pos++;
			r->given_used = 0;
		}

		for (int i = 0; i < n; i++) {
			if (tok[0] == '@') {
				int pos = tok[1] ? atoi(tok + 1) : 0;

				if (ch[i].thread < 0 && ch[i].event_pos == pos) {
					*c = ch[i];
					return true;
				}
			} else if (ch[i].thread >= 0 &&
				   !strcmp(r->threads[ch[i].thread].name, tok)) {
				*c = ch[i];
				return true;
			}
		}
		snprintf(r->error, sizeof(r->error),
			 "schedule step %d: '%s' is not enabled", r->given_pos,
			 tok);
		r->status = RUN_BAD_SCHEDULE;
		return false;
	}
	if (r->o.sched == SCHED_RANDOM) {
		*c = ch[rng_next(r) % (uint64_t)n];
		return true;
	}
	/* fifo: kernel events first, then the current thread until it blocks */
	for (int i = 0; i < n; i++)
		if (ch[i].thread < 0) {
			*c = ch[i];
			return true;
		}
	for (int i = 0; i < n; i++)
		if (ch[i].thread == r->cur) {
			*c = ch[i];
			return true;
		}
	*c = ch[0];
	r->cur = ch[0].thread;
	return true;
}

enum run_status run_to_end(struct run *r)
{
	return run_until(r, 0);
}

enum run_status run_until(struct run *r, uint64_t step)
{
	struct run_choice c;

	while (r->status == RUN_RUNNING &&
	       (!step || span_world_step(r->w) < step)) {
		if (!pick(r, &c)) {
			if (r->status == RUN_RUNNING)
				run_idle(r);
			break;
		}
		run_step(r, &c);
	}
	return r->status;
}

/* --- conditions: run/run_cond.c ------------------------------------------ */

static bool eval_bool(struct run *r, const struct scn_expr *e, bool *err)
{
	return cond_eval(r->s, &run__cond_ops, r, e, err);
}

/* --- end of a run --------------------------------------------------------- */

void run_finish(struct run *r)
{
	struct span_event ev[1];

	if (r->finished)
		return;
	r->finished = true;
	if (r->status == RUN_RUNNING)
		run_idle(r);
	/* the end-of-run drain: pending kernel events run in order */
	while ((r->status == RUN_DONE || r->status == RUN_DEADLOCK) &&
	       span_world_events(r->w, ev, 1) > 0) {
		struct run_choice c = { .thread = -1, .event = ev[0].id };
		enum run_status st = r->status;

		r->status = RUN_RUNNING;
		run_step(r, &c);
		if (r->status == RUN_RUNNING)
			r->status = st;
	}
	if (r->status == RUN_DONE || r->status == RUN_DEADLOCK) {
		for (int i = 0; i < r->s->nr_expects; i++) {
			bool err = false;

			r->expects[i].value = eval_bool(r, r->s->expects[i].expr, &err);
			r->expects[i].error = err;
		}
		for (int i = 0; i < r->s->nr_exists; i++) {
			bool err = false;

			r->exists[i].value = eval_bool(r, r->s->exists[i].expr, &err);
			r->exists[i].error = err;
		}
		span_world_step_begin(r->w, 0, 0);
		span_world_teardown(r->w);
		if (span_world_nr_violations(r->w)) {
			r->viol = span_world_violation(r->w, 0);
			r->status = RUN_VIOLATION;
		}
	}
}

bool run_passed(const struct run *r)
{
	if (r->s->violation >= 0)
		return r->status == RUN_VIOLATION && r->viol &&
		       r->viol->inv == r->s->violation;
	if (r->status != RUN_DONE && r->status != RUN_DEADLOCK)
		return false;
	if (r->always_broken >= 0)
		return false;
	for (int i = 0; i < r->s->nr_expects; i++)
		if (!r->expects[i].value || r->expects[i].error)
			return false;
	return true;
}

/* --- create / destroy ----------------------------------------------------- */

static void thread_init(struct run *r, struct thread *t, const char *name,
			int process, const struct scn_body *body)
{
	t->name = name;
	t->process = process;
	t->loopvars = calloc((size_t)r->s->nr_kind[SCN_SYM_LOOPVAR] + 1,
			     sizeof(int64_t));
	if (!t->loopvars)
		r->oom = true;
	t->stack[0] = (struct frame){ .body = body, .idx = 0, .loopvar = -1 };
	t->depth = 1;
}

static int split_schedule(struct run *r, const char *s)
{
	const char *p = s;

	while (*p) {
		size_t n = strcspn(p, ", ");
		char **g;

		if (n) {
			char *tok = strndup(p, n), *star;
			unsigned long long k = 1;

			if (!tok)
				return -ENOMEM;
			star = strchr(tok, '*');
			if (star) {
				char *end;

				*star = 0;
				k = strtoull(star + 1, &end, 10);
				if (*end || !k || k > 100000000ull) {
					free(tok);
					return -EINVAL;
				}
			}
			g = realloc(r->given, (size_t)(r->nr_given + 1) * sizeof(*g));
			if (!g) {
				free(tok);
				return -ENOMEM;
			}
			r->given = g;
			r->given[r->nr_given] = tok;
			r->given_rep = realloc(r->given_rep,
					       (size_t)(r->nr_given + 1) * sizeof(uint64_t));
			if (!r->given_rep)
				return -ENOMEM;
			r->given_rep[r->nr_given] = k;
			r->nr_given++;
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

int run_create(const struct scn *s, const struct run_opts *o, struct run **out)
{
	struct span_world_ops ops = { .trace = on_trace, .alloc = on_alloc };
	struct run *r;
	int err;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->s = s;
	r->o = *o;
	r->always_broken = -1;
	if (!r->o.out)
		r->o.out = stdout;
	if (!r->o.max_steps)
		r->o.max_steps = 10000000;
	r->rng = o->seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!r->rng)
		r->rng = 1;
	if (!r->o.quiet && !r->o.json && r->o.out) {
		fprintf(r->o.out, "scenario %s%s%s\n", s->name, s->doc ? ": " : "",
			s->doc ? s->doc : "");
		fprintf(r->o.out, "%5s  %-10s %-44s   %s\n", "step", "thread",
			"operation", "result");
	}
	err = span_world_create(&r->w, &ops, r);
	if (err)
		goto fail;
	*span_world_policy(r->w) = s->policy;
	if (o->design) {
		err = span_world_set_design(r->w, o->design);
		if (err)
			goto fail;
	}
	if (o->check_mode)
		span_world_set_check_mode(r->w, o->check_mode);
	/* the parser checked every value against span_param_check() */
	for (int i = 0; i < s->nr_sets; i++) {
		err = span_world_set_param(r->w, s->sets[i].param,
					   (uint64_t)s->sets[i].value);
		if (err)
			goto fail;
	}
	for (int i = 0; i < s->nr_allows; i++)
		span_world_allow(r->w, s->allows[i], true);
	r->pids = calloc((size_t)s->nr_processes, sizeof(int));
	r->vars = calloc((size_t)s->nr_syms, sizeof(*r->vars));
	r->labels = calloc((size_t)s->nr_syms, sizeof(*r->labels));
	r->objs = calloc((size_t)s->nr_syms, sizeof(*r->objs));
	r->threads = calloc((size_t)s->nr_threads + 1, sizeof(*r->threads));
	r->expects = calloc((size_t)s->nr_expects + 1, sizeof(*r->expects));
	r->exists = calloc((size_t)s->nr_exists + 1, sizeof(*r->exists));
	if (!r->pids || !r->vars || !r->labels || !r->objs || !r->threads ||
	    !r->expects || !r->exists) {
		err = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i < s->nr_expects; i++)
		r->uses_time |= expr_uses_time(s->expects[i].expr);
	for (int i = 0; i < s->nr_exists; i++)
		r->uses_time |= expr_uses_time(s->exists[i].expr);
	r->pids[0] = SPAN_INIT_PID;
	/* a process no `fork` creates exists from the start */
	for (int i = 1; i < s->nr_processes; i++) {
		if (scn_process_forked(s, i))
			continue;
		err = span_process_create(r->w, &r->pids[i]);
		if (err)
			goto fail;
	}
	/* faults count from the scenario's first operation */
	if (o->fault_nth)
		span_fault_set(r->w, o->fault_class, o->fault_nth, o->fault_repeat);
	for (int i = 0; i < s->nr_syms; i++) {
		const struct scn_sym *sym = &s->syms[i];
		int64_t n = run__sym_size(sym);

		switch (sym->kind) {
		case SCN_SYM_MEM: case SCN_SYM_KMEM: case SCN_SYM_FILE:
		case SCN_SYM_PIPE: case SCN_SYM_SOCK: case SCN_SYM_OWNER:
			r->objs[i].id = calloc((size_t)n, sizeof(int64_t));
			r->objs[i].pid = calloc((size_t)n, sizeof(int));
			if (!r->objs[i].id || !r->objs[i].pid) {
				err = -ENOMEM;
				goto fail;
			}
			r->objs[i].n = n;
			break;
		default:
			break;
		}
	}
	r->nr_threads = s->nr_threads;
	for (int i = 0; i < s->nr_threads; i++)
		thread_init(r, &r->threads[i], s->threads[i].name,
			    s->threads[i].process, &s->threads[i].body);
	if (r->oom) {
		err = -ENOMEM;
		goto fail;
	}
	if (o->sched == SCHED_GIVEN && o->schedule &&
	    (err = split_schedule(r, o->schedule))) {
		if (err == -EINVAL) {
			snprintf(r->error, sizeof(r->error),
				 "bad --schedule: a repetition must be NAME*COUNT");
			r->status = RUN_BAD_SCHEDULE;
			*out = r;
			return 0;
		}
		goto fail;
	}
	/* setup blocks: every operation in order, atomically */
	for (int i = 0; i < s->nr_setups && r->status == RUN_RUNNING; i++) {
		struct thread *t = &r->setup;

		free(t->loopvars);
		memset(t, 0, sizeof(*t));
		thread_init(r, t, "setup", s->setups[i].process,
			    &s->setups[i].body);
		if (r->oom)
			break;
		if (!r->pids[t->process]) {
			run__set_error(r, s->setups[i].line, s->setups[i].col,
				  "setup as '%s': that process does not exist yet",
				  s->processes[t->process].name);
			break;
		}
		while (!t->finished && r->status == RUN_RUNNING) {
			enum op_res res = thread_step(r, t, -1);

			if (res == OP_BLOCKED) {
				const struct scn_op *op = thread_op(r, t);

				run__set_error(r, op ? op->line : 0, op ? op->col : 0,
					  "a setup operation would block");
			}
		}
	}
	if (!r->setup.loopvars)
		thread_init(r, &r->setup, "setup", 0, NULL);
	if (r->oom) {
		err = -ENOMEM;
		goto fail;
	}
	r->setup.finished = true;
	check_always(r);
	*out = r;
	return 0;
fail:
	run_destroy(r);
	return err;
}

void run_destroy(struct run *r)
{
	if (!r)
		return;
	span_world_destroy(r->w);
	for (int i = 0; i < r->nr_threads; i++) {
		free(r->threads[i].loopvars);
		free(r->threads[i].acc.data);
	}
	free(r->setup.loopvars);
	free(r->setup.acc.data);
	if (r->vars)
		for (int i = 0; i < r->s->nr_syms; i++) {
			for (int64_t j = 0; j < r->vars[i].n; j++)
				free(r->vars[i].v[j].data);
			free(r->vars[i].v);
			free(r->vars[i].set);
		}
	if (r->objs)
		for (int i = 0; i < r->s->nr_syms; i++) {
			free(r->objs[i].id);
			free(r->objs[i].pid);
		}
	for (int i = 0; i < r->nr_given; i++)
		free(r->given[i]);
	free(r->given);
	free(r->given_rep);
	free(r->vars);
	free(r->labels);
	free(r->objs);
	free(r->threads);
	free(r->pids);
	free(r->expects);
	free(r->exists);
	free(r->sched);
	XXH3_freeState(r->hash_st);
	free(r->hash_stamps);
	free(r);
}

/* --- accessors ------------------------------------------------------------ */

struct span_world *run_world(struct run *r) { return r->w; }
enum run_status run_status(const struct run *r) { return r->status; }
const struct cond_result *run_expects(const struct run *r) { return r->expects; }
const struct cond_result *run_exists(const struct run *r) { return r->exists; }
const char *run_schedule(const struct run *r)
{
	sched_flush((struct run *)r);
	return r->sched ? r->sched : "";
}
const char *run_cmdline(const struct run *r) { return r->o.cmdline ? r->o.cmdline : "spansim run FILE"; }
const char *run_error(const struct run *r) { return r->error; }
const char *run_design_desc(const struct run *r) { return r->o.design ? r->o.design_desc : NULL; }
bool run_oom(const struct run *r) { return r->oom; }
bool run_over_budget(const struct run *r) { return r->over_budget; }
const struct span_violation *run_violation(const struct run *r) { return r->viol; }
const struct scn *run_scn(const struct run *r) { return r->s; }
uint64_t run_nr_steps(const struct run *r) { return r->nr_steps; }
bool run_hole_spliced(const struct run *r) { return r->hole_spliced; }

int run_var_count(const struct run *r, int sym)
{
	return (int)r->vars[sym].n;
}

const struct scn_str *run_var(const struct run *r, int sym, int64_t index)
{
	const struct var *v = &r->vars[sym];

	if (index < 0 || index >= v->n || !v->set[index])
		return NULL;
	return &v->v[index];
}

int run_always_broken(const struct run *r, uint64_t *step)
{
	if (step)
		*step = r->always_step;
	return r->always_broken;
}

bool run_label(const struct run *r, int sym, int64_t *value, uint64_t *step)
{
	if (!r->labels[sym].set)
		return false;
	*value = r->labels[sym].value;
	*step = r->labels[sym].step;
	return true;
}

int run_obj(const struct run *r, int sym, int64_t index, int64_t *id)
{
	if (index < 0 || index >= r->objs[sym].n)
		return -EINVAL;
	*id = r->objs[sym].id[index];
	return 0;
}

int run_pid(const struct run *r, int process)
{
	return r->pids[process];
}

const struct span_footprint *run_last_footprint(const struct run *r)
{
	return &r->last_fp;
}

const struct scn_op *run_thread_current(struct run *r, int tid, int *process,
					const int64_t **loopvars)
{
	struct thread *t;

	if (tid < 0 || tid >= r->nr_threads)
		return NULL;
	t = &r->threads[tid];
	*process = t->process;
	*loopvars = t->loopvars;
	return t->finished ? NULL : thread_op(r, t);
}

bool run_thread_blocked(const struct run *r, int tid)
{
	return r->threads[tid].blocked;
}
