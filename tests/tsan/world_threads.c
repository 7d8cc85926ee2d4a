// SPDX-License-Identifier: MIT
/*
 * world_threads.c - one world per thread is the contract (span/world.h):
 * independent worlds on several threads at once share nothing.
 *
 * Built with -fsanitize=thread (CMakeLists.txt: tsan_world_threads): each
 * of THREADS threads creates its own world and runs the same workload -
 * a vmsplice, a splice fan-out, fork and copy-on-write, a TCP exchange
 * over loopback with zerocopy, a snapshot and a restore - then tears it
 * down.  ThreadSanitizer reports any data race between them (a global
 * that libspan writes); the test also checks that every thread ends in
 * the same state hash and without a violation, as one thread alone does.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "span/span.h"

#define THREADS 4
#define ROUNDS 20
#define FANOUT 16

struct job {
	uint64_t hash[2];
	int violations;
	int err;
	const char *where;	/* the call that failed */
};

#define CHECK(job, expr)                                                  \
	do {                                                              \
		long long _v = (long long)(expr);                         \
		if (_v < 0) {                                             \
			(job)->err = (int)_v;                             \
			(job)->where = #expr;                             \
			return;                                           \
		}                                                         \
	} while (0)

static void drain_events(struct span_world *w)
{
	struct span_event ev[16];
	int n;

	while ((n = span_world_events(w, ev, 16)) > 0) {
		span_world_step_begin(w, 0, 0);
		span_world_run_event(w, ev[0].id);
		span_world_step_end(w);
	}
}

static void workload(struct span_world *w, struct job *job)
{
	int src, dst[FANOUT], region, child, a, b;
	struct span_src s = { 0 };
	struct span_snapshot *snap = NULL;
	char out[64];

	span_world_step_begin(w, 1, SPAN_INIT_PID);
	CHECK(job, span_mmap_anon(w, SPAN_INIT_PID, 4096, 0, "0123456789", 10,
				  &region));
	CHECK(job, span_pipe_create(w, 0, &src));
	for (int i = 0; i < FANOUT; i++)
		CHECK(job, span_pipe_create(w, 0, &dst[i]));
	CHECK(job, span_vmsplice(w, SPAN_INIT_PID,
				 SPAN_FD(SPAN_FD_PIPE_W, src), region, 0,
				 FANOUT, 0));
	for (int i = 0; i < FANOUT; i++)
		CHECK(job, span_splice(w, SPAN_INIT_PID,
				       SPAN_FD(SPAN_FD_PIPE_R, src), NULL,
				       SPAN_FD(SPAN_FD_PIPE_W, dst[i]), NULL, 1,
				       0));
	CHECK(job, span_fork(w, SPAN_INIT_PID, &child));
	CHECK(job, span_store(w, SPAN_INIT_PID, region, 0, "X", 1));
	for (int i = 0; i < FANOUT; i++)
		CHECK(job, span_read(w, SPAN_INIT_PID,
				     SPAN_FD(SPAN_FD_PIPE_R, dst[i]), out, 1, 0));
	CHECK(job, span_world_snapshot(w, &snap));
	CHECK(job, span_tcp_connect(w, &a, &b));
	CHECK(job, span_setsockopt_zerocopy(w, SPAN_FD(SPAN_FD_SOCK, a), 1));
	s.region = region;
	CHECK(job, span_sendmsg(w, SPAN_INIT_PID, SPAN_FD(SPAN_FD_SOCK, a), &s,
				32, SPAN_MSG_ZEROCOPY, NULL));
	span_world_step_end(w);
	drain_events(w);
	span_world_step_begin(w, 2, SPAN_INIT_PID);
	CHECK(job, span_recvmsg(w, SPAN_INIT_PID, SPAN_FD(SPAN_FD_SOCK, b), out,
				32, 0));
	span_world_step_end(w);
	drain_events(w);
	/* back to before the connection, and on to the end */
	CHECK(job, span_world_restore(w, snap));
	span_snapshot_free(w, snap);
	span_world_hash(w, job->hash);
	CHECK(job, span_world_teardown(w));
	job->violations = (int)span_world_nr_violations(w);
}

static void *thread_main(void *arg)
{
	struct job *job = arg;

	for (int r = 0; r < ROUNDS && !job->err; r++) {
		struct span_world *w;

		if (span_world_create(&w, NULL, NULL)) {
			job->err = -1;
			job->where = "span_world_create";
			break;
		}
		workload(w, job);
		span_world_destroy(w);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	struct job jobs[THREADS], alone = { 0 };
	int failed = 0;

	/* the reference: one thread alone */
	thread_main(&alone);
	if (alone.err || alone.violations) {
		printf("not ok - alone: %s = %d, %d violations\n",
		       alone.where ? alone.where : "-",
		       alone.err, alone.violations);
		return 1;
	}
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, thread_main, &jobs[i])) {
			printf("not ok - pthread_create\n");
			return 1;
		}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		bool same = !memcmp(jobs[i].hash, alone.hash, sizeof(alone.hash));

		if (jobs[i].err || jobs[i].violations || !same) {
			printf("not ok %d - thread %d: %s = %d, %d violations, hash %s\n",
			       i + 1, i, jobs[i].where ? jobs[i].where : "-",
			       jobs[i].err,
			       jobs[i].violations, same ? "same" : "differs");
			failed++;
		} else {
			printf("ok %d - thread %d: %d worlds, same state as one thread alone\n",
			       i + 1, i, ROUNDS);
		}
	}
	return failed ? 1 : 0;
}
