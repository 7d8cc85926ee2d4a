// SPDX-License-Identifier: MIT
/*
 * test_api_misuse.c - every public function of libspan (sockets aside)
 * given what a careless caller gives: NULL pointers, invalid ids (0, -1,
 * huge), ids of closed or freed objects, ids of the wrong type, offsets
 * and lengths out of range.  Each must return a negative errno (the
 * documented one where the header names it) or its documented value, and
 * never crash.
 *
 * span/world.h: "Every public function that takes an id returns a negative
 * errno for an id that is out of range or names a dead object."
 *
 * The NULL-pointer calls run in a child process each, so one that crashes
 * is named instead of taking the whole test program down.
 */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "span_unit.h"

#define assert_neg(x)                                                        \
	do {                                                                 \
		long long v_ = (long long)(x);                               \
		if (v_ >= 0)                                                 \
			fail_msg("%s = %lld, expected a negative errno", #x, \
				 v_);                                        \
	} while (0)

static const int bad_ids[] = { 0, -1, 0x7fffffff, 0xffffff, 4242 };

/* --- NULL pointers, one child process per call ---------------------------- */

/* the objects a probe can use, made in the child before the call */
struct ctx {
	int pipe, region, file, kmem, owner;
};

typedef bool (*probe_fn)(struct span_world *w, const struct ctx *c);

struct probe {
	const char *name;
	probe_fn fn;
};

#define PROBE(name, expr)                                           \
	static bool name(struct span_world *w, const struct ctx *c) \
	{                                                           \
		(void)w;                                            \
		(void)c;                                            \
		return (expr);                                      \
	}

/* span_world_restore(NULL, a real snapshot) fails; the snapshot is freed */
static bool probe_restore_null_world(struct span_world *w)
{
	struct span_snapshot *s = NULL;
	bool ok;

	span_world_snapshot(w, &s);
	ok = s && span_world_restore(NULL, s) < 0;
	span_snapshot_free(w, s);
	return ok;
}

static bool probe_trace_format(void)
{
	struct span_trace_event ev = { .func = "f", .msg = "m" };
	char buf[8];

	return span_trace_format(NULL, false, buf, sizeof(buf)) < 0 &&
	       span_trace_format(&ev, false, NULL, 10) < 0 &&
	       span_trace_format(&ev, false, NULL, 0) > 0 &&
	       span_trace_format(&ev, true, NULL, 0) > 0 &&
	       span_trace_format(&ev, true, buf, sizeof(buf)) > 0 &&
	       strlen(buf) == sizeof(buf) - 1;
}

static bool probe_policy_null(void)
{
	struct span_policy p;

	span_policy_default(&p);
	return span_policy_set(NULL, "vmsplice", "ref") < 0 &&
	       span_policy_set(&p, NULL, "ref") < 0 &&
	       span_policy_set(&p, "vmsplice", NULL) < 0 &&
	       span_policy_preset(NULL, "linux-6.18") < 0 &&
	       span_policy_preset(&p, NULL) < 0 && span_knob_lookup(NULL) < 0 &&
	       span_knob_value_lookup(SPAN_KNOB_VMSPLICE, NULL) < 0;
}

/* world.h */
PROBE(world_create_null, span_world_create(NULL, NULL, NULL) == -EINVAL)
PROBE(world_destroy_null, (span_world_destroy(NULL), true))
PROBE(param_lookup_null, span_param_lookup(NULL) < 0)
PROBE(set_param_null, span_world_set_param(NULL, 0, 4096) < 0)
PROBE(param_null, span_world_param(NULL, 0) == 0)
PROBE(step_null,
      (span_world_step_begin(NULL, 1, 1), span_world_step_cancel(NULL),
       span_world_set_check(NULL, true),
       span_world_step_end(NULL) < 0 && span_world_step(NULL) == 0))
PROBE(events_null, span_world_events(NULL, NULL, 4) < 0 &&
			   span_world_events(w, NULL, 0) == 0)
PROBE(run_event_null, span_world_run_event(NULL, 1) < 0)
PROBE(footprint_null,
      span_world_footprint(NULL) == NULL &&
	      span_footprint_conflict(NULL, NULL) &&
	      span_footprint_conflict(span_world_footprint(w), NULL))
PROBE(world_policy_null, span_world_policy(NULL) == NULL)
/* mm.h */
PROBE(page_info_null,
      span_page_info(NULL, 1, &(struct span_page_info){ 0 }) < 0 &&
	      span_page_info(w, 1, NULL) < 0)
PROBE(zero_page_null, span_zero_page(NULL) < 0)
PROBE(process_create_null, span_process_create(NULL, &(int){ 0 }) < 0 &&
				   span_process_create(w, NULL) < 0)
PROBE(fork_null,
      span_fork(NULL, 1, &(int){ 0 }) < 0 && span_fork(w, 1, NULL) < 0)
PROBE(mmap_null, span_mmap_anon(NULL, 1, PG, 0, NULL, 0, &(int){ 0 }) < 0 &&
			 span_mmap_anon(w, 1, PG, 0, NULL, 0, NULL) < 0 &&
			 span_mmap_anon(w, 1, PG, 0, NULL, 3, &(int){ 0 }) < 0)
PROBE(store_null, span_store(NULL, 1, c->region, 0, "x", 1) < 0 &&
			  span_store(w, 1, c->region, 0, NULL, 5) < 0)
PROBE(load_null, span_load(NULL, 1, c->region, 0, (char[4]){ 0 }, 1) < 0 &&
			 span_load(w, 1, c->region, 0, NULL, 5) < 0)
PROBE(munmap_null, span_munmap(NULL, 1, c->region) < 0)
PROBE(peek_null, span_peek(NULL, 1, c->region, 0, (char[4]){ 0 }, 1) < 0 &&
			 span_peek(w, 1, c->region, 0, NULL, 5) < 0)
PROBE(region_null, span_region_page(NULL, 1, c->region, 0) < 0 &&
			   span_region_size(NULL, c->region) < 0)
PROBE(gup_null, span_get_user_pages(NULL, 1, c->region, 0, 1, SPAN_FOLL_GET,
				    (int[1]){ 0 }, 1) < 0 &&
			span_get_user_pages(w, 1, c->region, 0, 1,
					    SPAN_FOLL_GET, NULL, 1) < 0)
PROBE(page_refs_null,
      span_get_page(NULL, 1) < 0 && span_put_page(NULL, 1) < 0 &&
	      span_unpin_user_page(NULL, 1) < 0 && span_pinned_bytes(NULL) == 0)
PROBE(kmem_null,
      span_kmem_alloc(NULL, PG, SPAN_KMEM_PAGES, 0, NULL, 0, &(int){ 0 }) < 0 &&
	      span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, NULL, 0, NULL) < 0 &&
	      span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, NULL, 5, &(int){ 0 }) <
		      0 &&
	      span_kmem_free(NULL, c->kmem) < 0 &&
	      span_kmem_page(NULL, c->kmem, 0) < 0)
PROBE(kmem_peek_null, span_kmem_peek(NULL, c->kmem, 0, (char[4]){ 0 }, 1) < 0 &&
			      span_kmem_peek(w, c->kmem, 0, NULL, 4) < 0)
PROBE(owner_null, span_owner_create(NULL, &(int){ 0 }) < 0 &&
			  span_owner_create(w, NULL) < 0 &&
			  span_owner_put(NULL, c->owner) < 0 &&
			  span_owner_info(NULL, c->owner,
					  &(struct span_owner_info){ 0 }) < 0 &&
			  span_owner_info(w, c->owner, NULL) < 0)
/* pipe.h */
PROBE(pipe_create_null, span_pipe_create(NULL, 0, &(int){ 0 }) < 0 &&
				span_pipe_create(w, 0, NULL) < 0)
PROBE(pipe_size_null, span_pipe_set_size(NULL, PW(c->pipe), PG) < 0 &&
			      span_pipe_get_size(NULL, PW(c->pipe)) < 0)
PROBE(pipe_info_null,
      span_pipe_info(NULL, c->pipe, &(struct span_pipe_info){ 0 }) < 0 &&
	      span_pipe_info(w, c->pipe, NULL) < 0 &&
	      span_pipe_buf(NULL, c->pipe, 0,
			    &(struct span_pipe_buf_info){ 0 }) < 0 &&
	      span_pipe_buf(w, c->pipe, 0, NULL) < 0)
/* splice.h */
PROBE(splice_null,
      span_splice(NULL, 1, PR(c->pipe), NULL, PW(c->pipe), NULL, 1, 0) < 0 &&
	      span_tee(NULL, 1, PR(c->pipe), PW(c->pipe), 1, 0) < 0 &&
	      span_vmsplice(NULL, 1, PW(c->pipe), c->region, 0, 1, 0) < 0)
/* file.h */
PROBE(file_create_null,
      span_file_create(NULL, PG, 0, NULL, 0, &(int){ 0 }) < 0 &&
	      span_file_create(w, PG, 0, NULL, 0, NULL) < 0 &&
	      span_file_create(w, PG, 0, NULL, 4, &(int){ 0 }) < 0)
PROBE(pwrite_null, span_pwrite(NULL, 1, FD_FILE(c->file), "x", 1, 0) < 0 &&
			   span_pwrite(w, 1, FD_FILE(c->file), NULL, 4, 0) < 0)
PROBE(file_query_null,
      span_file_contents(NULL, c->file, 0, (char[4]){ 0 }, 1) < 0 &&
	      span_file_contents(w, c->file, 0, NULL, 4) < 0 &&
	      span_file_page(NULL, c->file, 0) < 0 &&
	      span_file_size(NULL, c->file) < 0)
/* fd.h */
PROBE(write_null,
      span_write(NULL, 1, PW(c->pipe), &(struct span_src){ .buf = "x" }, 1, 0,
		 NULL) < 0 &&
	      span_write(w, 1, PW(c->pipe), NULL, 1, 0, NULL) < 0)
PROBE(write_no_source, span_write(w, 1, PW(c->pipe), &(struct span_src){ 0 }, 4,
				  0, NULL) == -EFAULT)
PROBE(write_done_null,
      span_write(w, 1, PW(c->pipe), &(struct span_src){ .buf = "abc" }, 3, 0,
		 NULL) == 3)
PROBE(read_null, span_read(NULL, 1, PR(c->pipe), (char[4]){ 0 }, 1, 0) < 0 &&
			 span_read(w, 1, PR(c->pipe), NULL, 4, 0) < 0)
PROBE(close_null,
      span_close(NULL, 1, PR(c->pipe)) < 0 && !span_fd_valid(NULL, PR(c->pipe)))
/* check.h */
PROBE(check_null,
      span_world_allow(NULL, 0, true) < 0 && span_world_check(NULL) < 0 &&
	      span_world_nr_violations(NULL) == 0 &&
	      span_world_violation(NULL, 0) == NULL &&
	      span_world_teardown(NULL) < 0 && span_invariant_lookup(NULL) < 0)
/* fault.h */
PROBE(fault_null, span_fault_set(NULL, SPAN_FAULT_ALLOC, 1, 0) < 0 &&
			  span_fault_count(NULL, SPAN_FAULT_ALLOC) == 0 &&
			  span_fault_hits(NULL, SPAN_FAULT_COPY) == 0)
/* snapshot.h */
PROBE(snapshot_null,
      span_world_snapshot(NULL, &(struct span_snapshot *){ 0 }) < 0 &&
	      span_world_snapshot(w, NULL) < 0 &&
	      span_world_restore(w, NULL) < 0 &&
	      probe_restore_null_world(w) &&
	      (span_snapshot_free(NULL, NULL), true) &&
	      (span_snapshot_free(w, NULL), true) &&
	      span_snapshot_bytes(NULL) == 0 &&
	      (span_world_hash(NULL, (uint64_t[2]){ 0 }), true) &&
	      (span_world_hash(w, NULL), true) &&
	      !span_world_equal(NULL, NULL) && !span_world_equal(w, NULL))
/* policy.h, errno.h, trace.h */
PROBE(policy_null, probe_policy_null())
PROBE(policy_default_null, (span_policy_default(NULL), true))
PROBE(errno_null, span_errno_lookup(NULL) == 0 && span_errno_lookup("") == 0)
PROBE(trace_null, probe_trace_format())

static const struct probe probes[] = {
#define P(n)          \
	{             \
#n, n \
	}
	P(world_create_null),	P(world_destroy_null), P(param_lookup_null),
	P(set_param_null),	P(param_null),	       P(step_null),
	P(events_null),		P(run_event_null),     P(footprint_null),
	P(world_policy_null),	P(page_info_null),     P(zero_page_null),
	P(process_create_null), P(fork_null),	       P(mmap_null),
	P(store_null),		P(load_null),	       P(munmap_null),
	P(peek_null),		P(region_null),	       P(gup_null),
	P(page_refs_null),	P(kmem_null),	       P(kmem_peek_null),
	P(owner_null),		P(pipe_create_null),   P(pipe_size_null),
	P(pipe_info_null),	P(splice_null),	       P(file_create_null),
	P(pwrite_null),		P(file_query_null),    P(write_null),
	P(write_no_source),	P(write_done_null),    P(read_null),
	P(close_null),		P(check_null),	       P(fault_null),
	P(snapshot_null),	P(policy_null),	       P(policy_default_null),
	P(errno_null),		P(trace_null),
#undef P
};

/* in the child: a world with one object of each kind, then the call */
static int run_probe_child(probe_fn fn)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct span_world *w = NULL;
	struct ctx c = { 0 };
	bool ok;

	/* cmocka catches these; in the child a crash must kill it */
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);
	if (span_world_create(&w, NULL, NULL) ||
	    span_pipe_create(w, 0, &c.pipe) ||
	    span_mmap_anon(w, 1, PG, 0, "m", 1, &c.region) ||
	    span_file_create(w, PG, 0, "f", 1, &c.file) ||
	    span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, "k", 1, &c.kmem) ||
	    span_owner_create(w, &c.owner))
		return 100; /* the setup failed */
	ok = fn(w, &c);
	span_world_destroy(w);
	return ok ? 0 : 1;
}

static void test_api_null_pointers(void **state)
{
	int failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		int status = 0;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid)
			_exit(run_probe_child(probes[i].fn));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (WIFSIGNALED(status)) {
			print_message("%s: crashed (signal %d)\n",
				      probes[i].name, WTERMSIG(status));
			failed++;
		} else if (WEXITSTATUS(status)) {
			print_message("%s: wrong return value (%d)\n",
				      probes[i].name, WEXITSTATUS(status));
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* --- invalid ids ---------------------------------------------------------- */

static void test_api_bad_ids_mm(void **state)
{
	struct span_world *w = world_new();
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "m"), out = 0, pages[1];
	struct span_page_info pi;
	struct span_owner_info oi;
	char buf[4];

	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		int id = bad_ids[i];

		step_begin(w, SPAN_INIT_PID);
		/* processes */
		assert_ret(span_fork(w, id, &out), -ESRCH);
		assert_ret(span_mmap_anon(w, id, PG, 0, NULL, 0, &out), -ESRCH);
		assert_ret(span_store(w, id, r, 0, "x", 1), -ESRCH);
		assert_ret(span_load(w, id, r, 0, buf, 1), -ESRCH);
		assert_ret(span_munmap(w, id, r), -ESRCH);
		assert_ret(span_peek(w, id, r, 0, buf, 1), -EFAULT);
		assert_neg(span_region_page(w, id, r, 0));
		assert_neg(span_get_user_pages(w, id, r, 0, 1, SPAN_FOLL_GET,
					       pages, 1));
		/* regions */
		assert_neg(span_store(w, SPAN_INIT_PID, id, 0, "x", 1));
		assert_neg(span_load(w, SPAN_INIT_PID, id, 0, buf, 1));
		assert_neg(span_munmap(w, SPAN_INIT_PID, id));
		assert_neg(span_peek(w, SPAN_INIT_PID, id, 0, buf, 1));
		assert_neg(span_region_page(w, SPAN_INIT_PID, id, 0));
		assert_ret(span_region_size(w, id), -EINVAL);
		assert_neg(span_get_user_pages(w, SPAN_INIT_PID, id, 0, 1,
					       SPAN_FOLL_GET, pages, 1));
		/* pages */
		assert_ret(span_page_info(w, id, &pi), -EINVAL);
		assert_ret(span_get_page(w, id), -EINVAL);
		assert_ret(span_put_page(w, id), -EINVAL);
		assert_ret(span_unpin_user_page(w, id), -EINVAL);
		/* kernel memory and owners */
		assert_ret(span_kmem_free(w, id), -EINVAL);
		assert_ret(span_kmem_page(w, id, 0), -EINVAL);
		assert_neg(span_kmem_peek(w, id, 0, buf, 1));
		assert_ret(span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, id, NULL, 0,
					   &out),
			   -EINVAL);
		assert_ret(span_owner_put(w, id), -EINVAL);
		assert_ret(span_owner_info(w, id, &oi), -EINVAL);
		step_end(w);
	}
	/* unknown flags and kinds */
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_mmap_anon(w, SPAN_INIT_PID, PG, 0x80, NULL, 0, &out),
		   -EINVAL);
	assert_ret(span_kmem_alloc(w, PG, 99, 0, NULL, 0, &out), -EINVAL);
	assert_ret(span_get_user_pages(w, SPAN_INIT_PID, r, 0, 1, 0, pages, 1),
		   -EINVAL);
	assert_ret(span_get_user_pages(w, SPAN_INIT_PID, r, 0, 1,
				       SPAN_FOLL_GET | SPAN_FOLL_PIN, pages, 1),
		   -EINVAL);
	assert_ret(span_get_user_pages(w, SPAN_INIT_PID, r, 0, 1, SPAN_FOLL_GET,
				       pages, 0),
		   -EINVAL);
	assert_ret(span_get_user_pages(w, SPAN_INIT_PID, r, 0, 1, SPAN_FOLL_GET,
				       pages, -1),
		   -EINVAL);
	step_end(w);
	assert_int_equal(page_ref(w, span_region_page(w, SPAN_INIT_PID, r, 0)),
			 1);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_api_bad_ids_fd(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), f = new_file(w, PG, 0, "f");
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "m");
	struct span_src src = { .buf = "abc" };
	struct span_pipe_info pinfo;
	struct span_pipe_buf_info binfo;
	uint64_t off = 0;
	char buf[8];
	/* handles of no open file: bad type, bad id, and ids of the wrong
	 * kind (the pipe's id as a file, the file's id as a pipe) */
	const int bad_fds[] = {
		0,
		-1,
		INT_MAX,
		SPAN_FD(SPAN_FD_NONE, p),
		SPAN_FD(SPAN_FD_PIPE_R, 0),
		SPAN_FD(SPAN_FD_PIPE_W, 0xffffff),
		SPAN_FD(SPAN_FD_PIPE_R, p + 1),
		SPAN_FD(SPAN_FD_FILE, f + 7),
		SPAN_FD(SPAN_FD_FILE, 0),
		SPAN_FD(SPAN_FD_SOCK, 77),
		SPAN_FD(6, 1),
		SPAN_FD(0x7f, p),
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad_fds); i++) {
		int fd = bad_fds[i];

		step_begin(w, SPAN_INIT_PID);
		assert_false(span_fd_valid(w, fd));
		assert_ret(span_write(w, SPAN_INIT_PID, fd, &src, 3, 0, NULL),
			   -EBADF);
		assert_ret(span_read(w, SPAN_INIT_PID, fd, buf, 3, 0), -EBADF);
		assert_ret(span_close(w, SPAN_INIT_PID, fd), -EBADF);
		assert_ret(span_pwrite(w, SPAN_INIT_PID, fd, "x", 1, 0),
			   -EBADF);
		assert_ret(span_pipe_set_size(w, fd, PG), -EBADF);
		assert_ret(span_pipe_get_size(w, fd), -EBADF);
		assert_ret(span_splice(w, SPAN_INIT_PID, fd, NULL, PW(p), NULL,
				       3, 0),
			   -EBADF);
		assert_ret(span_splice(w, SPAN_INIT_PID, PR(p), NULL, fd, NULL,
				       3, 0),
			   -EBADF);
		assert_ret(span_tee(w, SPAN_INIT_PID, fd, PW(p), 3, 0), -EBADF);
		assert_ret(span_vmsplice(w, SPAN_INIT_PID, fd, r, 0, 3, 0),
			   -EBADF);
		step_end(w);
	}
	/* bad pids */
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		step_begin(w, SPAN_INIT_PID);
		assert_ret(span_write(w, bad_ids[i], PW(p), &src, 3, 0, NULL),
			   -ESRCH);
		assert_ret(span_read(w, bad_ids[i], PR(p), buf, 3, 0), -ESRCH);
		assert_ret(span_vmsplice(w, bad_ids[i], PW(p), r, 0, 3, 0),
			   -ESRCH);
		step_end(w);
	}
	/* bad pipe ids */
	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		assert_ret(span_pipe_info(w, bad_ids[i], &pinfo), -EINVAL);
		assert_ret(span_pipe_buf(w, bad_ids[i], 0, &binfo), -EINVAL);
		assert_ret(span_file_size(w, bad_ids[i]), -EINVAL);
		assert_ret(span_file_page(w, bad_ids[i], 0), -EINVAL);
		assert_ret(span_file_contents(w, bad_ids[i], 0, buf, 1),
			   -EINVAL);
	}
	/* unknown flags */
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_write(w, SPAN_INIT_PID, PW(p), &src, 3,
			      SPAN_SPLICE_F_GIFT, NULL),
		   -EINVAL);
	assert_ret(span_read(w, SPAN_INIT_PID, PR(p), buf, 3, 0x4000), -EINVAL);
	assert_ret(span_pipe_create(w, 0x8, &(int){ 0 }), -EINVAL);
	assert_ret(span_file_create(w, PG, 0x2, NULL, 0, &(int){ 0 }), -EINVAL);
	assert_ret(span_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL,
			       3, 0x100000),
		   -EINVAL);
	step_end(w);
	assert_int_equal(pipe_bytes(w, p), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_api_bad_ids_world(void **state)
{
	struct span_world *w = world_new();
	uint64_t before;

	assert_null(span_param_name(-1));
	assert_null(span_param_name(SPAN_NR_PARAMS));
	assert_null(span_param_doc(-1));
	assert_null(span_param_doc(SPAN_NR_PARAMS));
	assert_ret(span_param_lookup("no_such_param"), -ENOENT);
	assert_ret(span_param_lookup("page_size"), SPAN_PARAM_PAGE_SIZE);
	assert_ret(span_world_set_param(w, -1, 1), -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_NR_PARAMS, 1), -EINVAL);
	assert_int_equal(span_world_param(w, -1), 0);
	assert_int_equal(span_world_param(w, SPAN_NR_PARAMS), 0);
	/* bad values leave the parameter alone */
	before = span_world_param(w, SPAN_PARAM_PAGE_SIZE);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, 0), -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, 4095),
		   -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, 4), -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, 1ull << 40),
		   -EINVAL);
	assert_int_equal(span_world_param(w, SPAN_PARAM_PAGE_SIZE), before);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PIPE_BUFFERS, 0),
		   -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PIPE_MAX_SIZE, 0),
		   -EINVAL);
	assert_ret(span_world_set_param(w, SPAN_PARAM_REFCOUNT_BITS, 0),
		   -EINVAL);
	/* page_size cannot change once memory exists */
	do_mmap(w, SPAN_INIT_PID, PG, 0, "m");
	assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, 8192), -EBUSY);
	assert_ret(span_world_set_param(w, SPAN_PARAM_PAGE_SIZE, 4096), 0);
	/* events, invariants, violations */
	assert_ret(span_world_run_event(w, 0), -ENOENT);
	assert_ret(span_world_run_event(w, 12345), -ENOENT);
	assert_ret(span_world_run_event(w, UINT32_MAX), -ENOENT);
	assert_ret(span_world_events(w, NULL, 0), 0);
	assert_null(span_event_kind_name(-1));
	assert_null(span_event_kind_name(SPAN_NR_EVENT_KINDS));
	assert_ret(span_world_allow(w, -1, true), -EINVAL);
	assert_ret(span_world_allow(w, SPAN_NR_INVARIANTS, true), -EINVAL);
	assert_null(span_invariant_name(-1));
	assert_null(span_invariant_name(SPAN_NR_INVARIANTS));
	assert_null(span_invariant_doc(SPAN_NR_INVARIANTS));
	assert_ret(span_invariant_lookup("no-such-invariant"), -ENOENT);
	assert_ret(span_invariant_lookup("cow-leak"), SPAN_INV_COW_LEAK);
	assert_null(span_world_violation(w, -1));
	assert_null(span_world_violation(w, 0));
	assert_null(span_world_violation(w, INT_MAX));
	/* names */
	assert_null(span_page_kind_name(-1));
	assert_null(span_pipe_buf_ops_name(-1));
	assert_null(span_pipe_buf_ops_name(SPAN_NR_PBO));
	assert_null(span_trace_what_name(-1));
	assert_null(span_trace_what_name(SPAN_NR_TRACE_WHAT));
	assert_null(span_obj_type_name(SPAN_NR_OBJ_TYPES));
	assert_string_equal(span_errname(-EAGAIN), "EAGAIN");
	assert_string_equal(span_errname(SPAN_EWOULDSLEEP), "EWOULDSLEEP");
	assert_null(span_errname(99999));
	assert_null(span_errname(INT_MAX));
	assert_non_null(span_strerror(99999));
	assert_non_null(span_strerror(INT_MAX));
	assert_int_equal(span_errno_lookup("-EAGAIN"), EAGAIN);
	assert_int_equal(span_errno_lookup("EBOGUS"), 0);
	/* steps */
	assert_ret(span_world_step_end(w), 0);
	span_world_step_cancel(w);
	span_world_set_check(w, false);
	span_world_set_check(w, true);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- closed and freed objects --------------------------------------------- */

static void test_api_closed_pipe(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), q = new_pipe(w, 0);
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "m");
	struct span_pipe_info info;
	struct span_pipe_buf_info b;
	char buf[4];

	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abc", 3, 0), 3);
	/* only the read end closed */
	assert_ret(do_close(w, SPAN_INIT_PID, PR(p)), 0);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(p), buf, 3, 0), -EBADF);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PR(p), r, 0, 3, 0), -EBADF);
	assert_ret(do_set_size(w, PR(p), PG), -EBADF);
	assert_ret(span_pipe_get_size(w, PR(p)), -EBADF);
	assert_ret(span_pipe_get_size(w, PW(p)), 65536);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, PW(q), NULL, 3, 0),
		   -EBADF);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(p), PW(q), 3, 0), -EBADF);
	assert_ret(do_close(w, SPAN_INIT_PID, PR(p)), -EBADF);
	assert_ret(span_pipe_info(w, p, &info), 0);
	assert_int_equal(info.readers, 0);
	/* both */
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), 0);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "x", 1, 0), -EBADF);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 3, 0), -EBADF);
	assert_ret(do_set_size(w, PW(p), PG), -EBADF);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(q), NULL, PW(p), NULL, 3, 0),
		   -EBADF);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(q), PW(p), 3, 0), -EBADF);
	assert_ret(do_close(w, SPAN_INIT_PID, PW(p)), -EBADF);
	assert_ret(span_pipe_info(w, p, &info), -EINVAL);
	assert_ret(span_pipe_buf(w, p, 0, &b), -EINVAL);
	/* the other pipe is untouched */
	assert_ret(span_pipe_get_size(w, PW(q)), 65536);
	/* documented: any slot index, masked by the ring size */
	assert_ret(span_pipe_buf(w, q, UINT32_MAX, &b), 0);
	assert_int_equal(b.ops, SPAN_PBO_NONE);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_api_unmapped_region(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), r = do_mmap(w, SPAN_INIT_PID, PG, 0, "m");
	int pages[1];
	char buf[4];

	assert_ret(do_munmap(w, SPAN_INIT_PID, r), 0);
	assert_ret(do_store(w, SPAN_INIT_PID, r, 0, "x", 1), -EFAULT);
	assert_ret(do_load(w, SPAN_INIT_PID, r, 0, buf, 1), -EFAULT);
	assert_ret(span_peek(w, SPAN_INIT_PID, r, 0, buf, 1), -EFAULT);
	assert_ret(span_region_page(w, SPAN_INIT_PID, r, 0), -EFAULT);
	assert_ret(do_gup(w, SPAN_INIT_PID, r, 0, 1, SPAN_FOLL_GET, pages, 1),
		   -EFAULT);
	assert_ret(do_gup(w, SPAN_INIT_PID, r, 0, 1, SPAN_FOLL_PIN, pages, 1),
		   -EFAULT);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, 1, 0), -EFAULT);
	/* munmap(2) of a range that is no longer mapped succeeds */
	assert_ret(do_munmap(w, SPAN_INIT_PID, r), 0);
	assert_int_equal(pipe_bytes(w, p), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

static void test_api_freed_kmem_and_owner(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), k = 0, o = 0, ko = 0, out = 0;
	struct span_owner_info oi;
	char buf[4];

	step_begin(w, 0);
	assert_ret(span_kmem_alloc(w, PG, SPAN_KMEM_PAGES, 0, "k", 1, &k), 0);
	assert_ret(span_owner_create(w, &o), 0);
	assert_ret(span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, o, "o", 1, &ko), 0);
	assert_ret(span_kmem_free(w, k), 0);
	assert_ret(span_owner_put(w, o), 0);
	step_end(w);

	step_begin(w, 0);
	assert_ret(span_kmem_free(w, k), -EINVAL);
	assert_ret(span_kmem_page(w, k, 0), -EINVAL);
	assert_ret(span_owner_put(w, o), -EINVAL);
	assert_ret(span_kmem_alloc(w, PG, SPAN_KMEM_OWNER, o, NULL, 0, &out),
		   -EINVAL);
	assert_ret(span_owner_info(w, o, &oi), 0);
	assert_int_equal(oi.destructed, 1);
	step_end(w);
	/* writing from freed kernel memory faults */
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .kmem = k }, 4, 0, NULL),
		   -EFAULT);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .kmem = ko }, 4, 0, NULL),
		   -EFAULT);
	assert_int_equal(pipe_bytes(w, p), 0);
	/* span/mm.h span_kmem_peek(): "-EFAULT (out of range or freed)" */
	assert_ret(span_kmem_peek(w, k, 0, buf, 1), -EFAULT);
	assert_ret(span_kmem_peek(w, ko, 0, buf, 1), -EFAULT);

	span_world_teardown(w);
	/* the second span_owner_put() above may count as an underflow */
	assert_only_violations_of(w, SPAN_INV_REFCOUNT_UNDERFLOW,
				  SPAN_OBJ_OWNER, o);
	span_world_destroy(w);
}

static void test_api_closed_file(void **state)
{
	struct span_world *w = world_new();
	int f = new_file(w, PG, 0, "f"), p = new_pipe(w, 0);
	uint64_t off = 0;
	char buf[4];

	assert_ret(do_close(w, SPAN_INIT_PID, FD_FILE(f)), 0);
	assert_false(span_fd_valid(w, FD_FILE(f)));
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 0), -EBADF);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, FD_FILE(f), "x", 1, 0),
		   -EBADF);
	assert_ret(do_read(w, SPAN_INIT_PID, FD_FILE(f), buf, 1, 0), -EBADF);
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL, 1,
			     0),
		   -EBADF);
	assert_ret(do_close(w, SPAN_INIT_PID, FD_FILE(f)), -EBADF);
	assert_int_equal(pipe_bytes(w, p), 0);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/* --- offsets and lengths out of range ------------------------------------- */

static void test_api_out_of_range(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, 0), q = new_pipe(w, 0),
	    f = new_file(w, 100, 0, "f");
	int r = do_mmap(w, SPAN_INIT_PID, PG, 0, "m"), k = 0, out = 0;
	int pages[1];
	uint64_t off;
	char buf[8];

	/* user memory */
	assert_ret(do_store(w, SPAN_INIT_PID, r, PG, "x", 1), -EFAULT);
	assert_ret(do_store(w, SPAN_INIT_PID, r, UINT64_MAX, "xx", 2), -EFAULT);
	assert_ret(do_load(w, SPAN_INIT_PID, r, UINT64_MAX - 1, buf, 4),
		   -EFAULT);
	assert_ret(span_peek(w, SPAN_INIT_PID, r, UINT64_MAX, buf, 2), -EFAULT);
	assert_ret(span_region_page(w, SPAN_INIT_PID, r, UINT64_MAX), -EFAULT);
	assert_ret(do_gup(w, SPAN_INIT_PID, r, 0, SIZE_MAX, SPAN_FOLL_GET,
			  pages, 1),
		   -EFAULT);
	assert_ret(do_gup(w, SPAN_INIT_PID, r, UINT64_MAX, 2, SPAN_FOLL_GET,
			  pages, 1),
		   -EFAULT);
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, UINT64_MAX - 1, 4,
			       0),
		   -EFAULT);
	/* import_iovec(): negative as an ssize_t (checked on Linux 6.18) */
	assert_ret(do_vmsplice(w, SPAN_INIT_PID, PW(p), r, 0, SIZE_MAX, 0),
		   -EINVAL);
	/* sizes */
	step_begin(w, SPAN_INIT_PID);
	assert_ret(span_mmap_anon(w, SPAN_INIT_PID, 0, 0, NULL, 0, &out),
		   -EINVAL);
	assert_ret(span_mmap_anon(w, SPAN_INIT_PID, 1ull << 40, 0, NULL, 0,
				  &out),
		   -EINVAL);
	assert_ret(span_kmem_alloc(w, 1ull << 40, SPAN_KMEM_PAGES, 0, NULL, 0,
				   &out),
		   -EINVAL);
	/* past s_maxbytes (inode_newsize_ok()); a fill is written page by
	 * page, so a filled file stops at 4 GiB */
	assert_ret(span_file_create(w, 0xffffffff001ull, 0, NULL, 0, &out),
		   -EFBIG);
	assert_ret(span_file_create(w, (1ull << 32) + 1, 0, "f", 1, &out),
		   -EINVAL);
	assert_ret(span_kmem_alloc(w, 10, SPAN_KMEM_PAGES, 0, "k", 1, &k), 0);
	step_end(w);
	/* kernel memory */
	assert_neg(span_kmem_page(w, k, 10));
	assert_neg(span_kmem_page(w, k, UINT64_MAX));
	assert_ret(span_kmem_peek(w, k, 8, buf, 4), -EFAULT);
	assert_ret(span_kmem_peek(w, k, UINT64_MAX, buf, 2), -EFAULT);
	assert_ret(span_kmem_peek(w, k, 6, buf, 4), 0);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .kmem = k, .off = PG }, 4, 0,
			    NULL),
		   -EFAULT);
	/* files */
	/* generic_write_check_limits(): at s_maxbytes -EFBIG, across it
	 * short (ext4's 0xffffffff000 by default) */
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "x", 1,
			     0xffffffff000ull),
		   -EFBIG);
	/* ksys_pwrite64(): a negative position; rw_verify_area(): its end */
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "xy", 2, UINT64_MAX),
		   -EINVAL);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "xy", 2,
			     INT64_MAX - 1), -EINVAL);
	assert_ret(span_file_size(w, f), 100);
	assert_ret(span_file_contents(w, f, UINT64_MAX, buf, 8), 0);
	assert_ret(span_file_page(w, f, 1), -EINVAL);
	assert_ret(span_file_page(w, f, UINT64_MAX), -EINVAL);
	assert_true(span_file_page(w, f, 0) > 0);
	assert_ret(do_pwrite(w, SPAN_INIT_PID, FD_FILE(f), "xy", 2,
			     0xfffffffefffull),
		   1);
	assert_ret(span_file_size(w, f), 0xffffffff000ll);
	/* rw_verify_area(): a negative offset, or one whose end passes 2^63 */
	off = UINT64_MAX - 1;
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL, 8,
			     0),
		   -EINVAL);
	off = INT64_MAX - 4;
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL, 8,
			     0),
		   -EINVAL);
	/* past the end of the file but below 2^63: nothing to read */
	off = INT64_MAX - 8;
	assert_ret(do_splice(w, SPAN_INIT_PID, FD_FILE(f), &off, PW(p), NULL, 8,
			     0),
		   0);
	/* pipes */
	/* the fcntl argument is an unsigned int: 2^64-1 -> 0xffffffff */
	assert_ret(do_set_size(w, PW(p), UINT64_MAX), -EINVAL);
	/* 2^32 -> 0 -> PAGE_SIZE (checked against Linux 6.18) */
	assert_ret(do_set_size(w, PW(p), 1ull << 32), 4096);
	assert_ret(do_set_size(w, PW(p), 65536), 65536);
	assert_ret(span_pipe_get_size(w, PW(p)), 65536);
	assert_ret(do_write_buf(w, SPAN_INIT_PID, PW(p), "abcdef", 6, 0), 6);
	assert_ret(do_tee(w, SPAN_INIT_PID, PR(p), PW(q), SIZE_MAX, 0), 6);
	assert_ret(do_splice(w, SPAN_INIT_PID, PR(p), NULL, PW(q), NULL,
			     SIZE_MAX, 0),
		   6);
	assert_ret(do_read(w, SPAN_INIT_PID, PR(q), buf, 8, 0), 8);
	assert_memory_equal(buf, "abcdefab", 8);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

/*
 * write(2) from user memory the process does not have mapped: an unknown
 * region, another process's region, an unmapped region, or past the end
 * of a region.  KSEM 4.3: a short copy gives -EFAULT if nothing was
 * written, else the count written so far.
 */
static void test_api_write_from_unmapped_source(void **state)
{
	struct span_world *w = world_new();
	int p = new_pipe(w, SPAN_PIPE_NONBLOCK), f = new_file(w, PG, 0, "f");
	int mine = do_mmap(w, SPAN_INIT_PID, PG, 0, "m");
	int child = do_fork(w, SPAN_INIT_PID);
	int theirs = do_mmap(w, child, PG, 0, "t");
	int gone = do_mmap(w, SPAN_INIT_PID, PG, 0, "g");
	char buf[4];

	assert_ret(do_munmap(w, SPAN_INIT_PID, gone), 0);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .region = 999 }, 4, 0, NULL),
		   -EFAULT);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .region = theirs }, 4, 0, NULL),
		   -EFAULT);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .region = gone }, 4, 0, NULL),
		   -EFAULT);
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .region = mine, .off = PG }, 4,
			    0, NULL),
		   -EFAULT);
	assert_ret(do_write(w, SPAN_INIT_PID, FD_FILE(f),
			    &(struct span_src){ .region = theirs }, 4, 0, NULL),
		   -EFAULT);
	assert_int_equal(pipe_bytes(w, p), 0);
	assert_ret(span_file_contents(w, f, 0, buf, 4), 4);
	assert_memory_equal(buf, "ffff", 4);
	/* running off the end of the mapping: a short write */
	assert_ret(do_write(w, SPAN_INIT_PID, PW(p),
			    &(struct span_src){ .region = mine }, 3 * PG, 0,
			    NULL),
		   PG);
	assert_int_equal(pipe_bytes(w, p), PG);

	span_world_teardown(w);
	assert_no_violations(w);
	span_world_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_null_pointers),
		cmocka_unit_test(test_api_bad_ids_mm),
		cmocka_unit_test(test_api_bad_ids_fd),
		cmocka_unit_test(test_api_bad_ids_world),
		cmocka_unit_test(test_api_closed_pipe),
		cmocka_unit_test(test_api_unmapped_region),
		cmocka_unit_test(test_api_freed_kmem_and_owner),
		cmocka_unit_test(test_api_closed_file),
		cmocka_unit_test(test_api_out_of_range),
		cmocka_unit_test(test_api_write_from_unmapped_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
