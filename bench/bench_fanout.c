// SPDX-License-Identifier: MIT
/*
 * bench_fanout.c - the seed's splice fan-out, in the model and on the
 * live kernel, in one run.
 *
 * vmsplice one page (N bytes, filled with "0123456789abcdef") into a
 * pipe, splice it out one byte at a time into N other pipes, read each of
 * them, close everything.  The model does it through the libspan C API,
 * every call one step (span_world_step_begin/end), once with the checker
 * off and once with it on; the kernel does it with pipe2, vmsplice, splice
 * and read.  Both times cover pipe creation to the last close.
 *
 * The allocator is kept warm, as the kernel's slab caches are: after the
 * RSS child is forked, glibc is told to keep the memory a destroyed world
 * frees (warm_heap()), so the tables the N pipes need come from memory the
 * process already has.  Left to its defaults, glibc hands that memory back
 * when the world is destroyed, and every run faults it in again; on a KVM
 * guest with shadow paging a first touch costs about 10 us per 4 KiB page,
 * more than the model's whole step.  That cost belongs to the machine, not
 * to the model, so it is measured apart: `fanout_model_cold_*` is the
 * checker-off fan-out after malloc_trim(0), its tables in pages faulted in
 * afresh as they were with glibc's default trimming, and the minor page
 * faults of each timed region are printed.
 *
 * Then instructions (Ir): unless --no-ir, the checker-off fan-out again,
 * once, in a child run under `valgrind --tool=callgrind`, counting from the
 * first pipe2 to the last close only (CALLGRIND_START/STOP_INSTRUMENTATION),
 * after one warm-up fan-out in the same child.  Ir per step does not depend
 * on the machine or its load: the number to compare across machines.
 * Without valgrind (or <valgrind/callgrind.h> at build time) it prints
 * `fanout_model_ir_skipped 1 bool` and says why on stderr.
 *
 * Then memory: bytes per pipe buffer, per page and per pipe as a world
 * snapshot accounts them, the snapshot of the fan-out world, and the peak
 * RSS of a fresh process running the model fan-out at N = 65536.
 *
 * Output: `name value unit` lines only.
 *
 * Also the scenario file scenarios/seed/splice-fanout.scn (N = 4096) run by
 * spansim's runner with the checker on: issue 3's "well under a second".
 *
 * usage: bench_fanout [--n N] [--reps R] [--rss-n N] [--no-kernel]
 *		[--no-check] [--no-full] [--no-mem] [--no-ir] [--scenario FILE]
 *		(--no-full: not the checker's full walk, 0.5 s a run at N = 4096)
 *		(--rss-n 0: no RSS child; run from the source directory)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND_H 1
#endif
#endif

#include "span/span.h"
#include "run.h"

static const char pattern[] = "0123456789abcdef";

/*
 * CPU time of this thread (user + system, so the kernel's work in the
 * syscalls counts): the machine may be shared, and time spent descheduled
 * is neither the model's nor the kernel's cost.
 */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* minor page faults of this thread so far */
static long minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return ru.ru_minflt;
}

static void die(const char *what, long err)
{
	fprintf(stderr, "bench_fanout: %s: %ld (%s)\n", what, err,
		strerror(err < 0 ? (int)-err : (int)err));
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* the model page size: the page holds N bytes, as `set page_size = N` */
static uint64_t model_page_size(int n)
{
	uint64_t ps = 4096;

	while (ps < (uint64_t)n)
		ps <<= 1;
	return ps;
}

/* --- the model ---------------------------------------------------------- */

#define STEP(w, call)							\
	do {								\
		span_world_step_begin((w), 1, SPAN_INIT_PID);		\
		call;							\
		span_world_step_end(w);					\
	} while (0)

struct model_fan {
	struct span_world *w;
	int n, src, region;
	int *dst;
};

/* the world and the user buffer: the process the syscalls run in */
/* @check: 0 off, or the enum span_check_mode */
static void model_world(struct model_fan *m, int n, int check)
{
	int err = 0;

	m->n = n;
	m->dst = calloc((size_t)n, sizeof(*m->dst));
	if (!m->dst)
		die("calloc", ENOMEM);
	err = span_world_create(&m->w, NULL, NULL);
	if (err)
		die("span_world_create", err);
	span_world_set_check(m->w, check != 0);
	if (check)
		span_world_set_check_mode(m->w, check);
	err = span_world_set_param(m->w, SPAN_PARAM_PAGE_SIZE,
				   model_page_size(n));
	if (err)
		die("page_size", err);
	STEP(m->w, err = span_mmap_anon(m->w, SPAN_INIT_PID,
					model_page_size(n), 0, pattern,
					16, &m->region));
	if (err)
		die("span_mmap_anon", err);
}

/* pipe2 for the source and the N destinations, vmsplice */
static void model_pipes(struct model_fan *m)
{
	int err = 0, n = m->n;
	ssize_t r = 0;

	STEP(m->w, err = span_pipe_create(m->w, 0, &m->src));
	if (err)
		die("span_pipe_create", err);
	for (int i = 0; i < n; i++) {
		STEP(m->w, err = span_pipe_create(m->w, 0, &m->dst[i]));
		if (err)
			die("span_pipe_create", err);
	}
	STEP(m->w, r = span_vmsplice(m->w, SPAN_INIT_PID,
				     SPAN_FD(SPAN_FD_PIPE_W, m->src),
				     m->region, 0, (size_t)n, 0));
	if (r != n)
		die("span_vmsplice", (long)r);
}

static void model_splices(struct model_fan *m)
{
	ssize_t r = 0;

	for (int i = 0; i < m->n; i++) {
		STEP(m->w, r = span_splice(m->w, SPAN_INIT_PID,
					   SPAN_FD(SPAN_FD_PIPE_R, m->src), NULL,
					   SPAN_FD(SPAN_FD_PIPE_W, m->dst[i]),
					   NULL, 1, 0));
		if (r != 1)
			die("span_splice", (long)r);
	}
}

static void model_reads_and_close(struct model_fan *m)
{
	ssize_t r = 0;
	int err = 0;
	char c;

	/* keep the steps in order: the reads follow the splices */

	for (int i = 0; i < m->n; i++) {
		STEP(m->w, r = span_read(m->w, SPAN_INIT_PID,
					 SPAN_FD(SPAN_FD_PIPE_R, m->dst[i]), &c,
					 1, 0));
		if (r != 1 || c != pattern[i % 16])
			die("span_read", (long)r);
	}
	for (int i = -1; i < m->n; i++) {
		int p = i < 0 ? m->src : m->dst[i];

		STEP(m->w, err = span_close(m->w, SPAN_INIT_PID,
					    SPAN_FD(SPAN_FD_PIPE_R, p)));
		if (!err)
			STEP(m->w, err = span_close(m->w, SPAN_INIT_PID,
						    SPAN_FD(SPAN_FD_PIPE_W, p)));
		if (err)
			die("span_close", err);
	}
}

static void model_unmap(struct model_fan *m)
{
	int err = 0;

	STEP(m->w, err = span_munmap(m->w, SPAN_INIT_PID, m->region));
	if (err)
		die("span_munmap", err);
	if (span_world_nr_violations(m->w))
		die("violations", span_world_nr_violations(m->w));
}

static void model_free(struct model_fan *m)
{
	span_world_destroy(m->w);
	free(m->dst);
	m->w = NULL;
	m->dst = NULL;
}

/*
 * The fan-out: ns from the first pipe2 to the last close, as the kernel
 * run is timed; *@total (if not NULL) from world creation to destruction;
 * *@faults (if not NULL) the minor page faults from the first pipe2 to the
 * last close.
 */
/* the checker's statistics of the last checked model_fanout() */
static struct span_check_stats check_stats;

/* @check: 0 off, or the enum span_check_mode */
static uint64_t model_fanout(int n, int check, uint64_t *total, long *faults)
{
	struct model_fan m;
	uint64_t t0 = now_ns(), t1, t2;
	long f1;

	model_world(&m, n, check);
	f1 = minflt();
	t1 = now_ns();
	model_pipes(&m);
	model_splices(&m);
	model_reads_and_close(&m);
	t2 = now_ns();
	if (check)
		span_world_check_stats(m.w, &check_stats);
	if (faults)
		*faults = minflt() - f1;
	model_unmap(&m);
	model_free(&m);
	if (total)
		*total = now_ns() - t0;
	return t2 - t1;
}

/*
 * Keep freed memory in the process (glibc): no trimming of the heap top
 * and no mmap() for the tables of a world of up to 32 MiB each, so a world
 * destroyed leaves its memory for the next, as a kernel's slab caches do.
 */
static void warm_heap(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 32 << 20);	/* glibc's maximum */
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

/* give the free memory back, so the next world faults fresh pages in */
static void cold_heap(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* --- instructions (callgrind) ------------------------------------------- */

/*
 * The child run under callgrind: one warm-up fan-out, then one counted
 * from the first pipe2 to the last close, checker off.
 */
static int ir_child(int n)
{
#ifdef HAVE_CALLGRIND_H
	struct model_fan m;

	if (n < 1 || n > 1 << 20)
		return 2;
	warm_heap();
	model_fanout(n, 0, NULL, NULL);
	model_world(&m, n, false);
	CALLGRIND_START_INSTRUMENTATION;
	model_pipes(&m);
	model_splices(&m);
	model_reads_and_close(&m);
	CALLGRIND_STOP_INSTRUMENTATION;
	model_unmap(&m);
	model_free(&m);
	return 0;
#else
	(void)n;
	return 1;
#endif
}

/* the "totals:" line of a callgrind output file: Ir, or 0 */
static uint64_t callgrind_totals(const char *path)
{
	char line[512];
	uint64_t ir = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "totals:", 7))
			ir = strtoull(line + 7, NULL, 10);
	fclose(f);
	return ir;
}

/* Ir of the checker-off fan-out at @n, or 0 and a reason in @why */
static uint64_t model_ir(int n, const char **why)
{
#ifdef HAVE_CALLGRIND_H
	char exe[PATH_MAX], out[64], ns[16], file[96];
	const char *tmp = getenv("TMPDIR");
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	uint64_t ir = 0;
	int status, fd;
	pid_t pid;

	if (system("command -v valgrind >/dev/null 2>&1")) {
		*why = "valgrind not installed";
		return 0;
	}
	if (len <= 0) {
		*why = "cannot find this executable";
		return 0;
	}
	exe[len] = 0;
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(out, sizeof(out), "%s/bench_fanout.cg.XXXXXX", tmp);
	fd = mkstemp(out);
	if (fd < 0) {
		*why = "mkstemp failed";
		return 0;
	}
	close(fd);
	snprintf(file, sizeof(file), "--callgrind-out-file=%s", out);
	snprintf(ns, sizeof(ns), "%d", n);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("valgrind", "valgrind", "--tool=callgrind",
		       "--instr-atstart=no", file, exe, "--ir-child", ns,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    !WEXITSTATUS(status))
		ir = callgrind_totals(out);
	unlink(out);
	if (!ir)
		*why = "the callgrind run failed";
	return ir;
#else
	(void)n;
	*why = "built without <valgrind/callgrind.h>";
	return 0;
#endif
}

/* --- the kernel --------------------------------------------------------- */

static void raise_nofile(int n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n * 2 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit", errno);
	if (rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;	/* needs CAP_SYS_RESOURCE */
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* the same syscalls on this machine: ns, or 0 when it cannot run */
static uint64_t kernel_fanout(int n)
{
	size_t len = (size_t)n;
	size_t alloc = (len + 4095) & ~(size_t)4095;
	int (*fds)[2] = calloc((size_t)n + 1, sizeof(*fds));
	char *buf = aligned_alloc(4096, alloc);
	uint64_t t0, t;
	struct iovec iov;
	int nfd = 0;

	if (!fds || !buf)
		die("calloc", ENOMEM);
	for (size_t i = 0; i < alloc; i++)
		buf[i] = pattern[i % 16];
	t0 = now_ns();
	for (int i = 0; i <= n; i++, nfd++)
		if (pipe2(fds[i], 0)) {
			fprintf(stderr, "bench_fanout: pipe2 #%d: %s\n", i,
				strerror(errno));
			t = 0;
			goto out;
		}
	/* the source pipe must hold the whole span */
	if (len > 65536 && fcntl(fds[0][1], F_SETPIPE_SZ, (int)alloc) < 0)
		die("F_SETPIPE_SZ", errno);
	iov.iov_base = buf;
	iov.iov_len = len;
	for (size_t done = 0; done < len;) {
		ssize_t r = vmsplice(fds[0][1], &iov, 1, 0);

		if (r <= 0)
			die("vmsplice", errno);
		done += (size_t)r;
		iov.iov_base = buf + done;
		iov.iov_len = len - done;
	}
	for (int i = 1; i <= n; i++)
		if (splice(fds[0][0], NULL, fds[i][1], NULL, 1, 0) != 1)
			die("splice", errno);
	for (int i = 1; i <= n; i++) {
		char c;

		if (read(fds[i][0], &c, 1) != 1 || c != pattern[(i - 1) % 16])
			die("read", errno);
	}
	t = 1;
out:
	for (int i = 0; i < nfd; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	if (t)
		t = now_ns() - t0;
	free(fds);
	free(buf);
	return t;
}

/* --- memory ------------------------------------------------------------- */

static size_t world_snapshot_bytes(struct span_world *w)
{
	struct span_snapshot *s;
	size_t b;
	int err = span_world_snapshot(w, &s);

	if (err)
		die("span_world_snapshot", err);
	b = span_snapshot_bytes(s);
	span_snapshot_free(w, s);
	return b;
}

/* a world with @pipes pipes of @slots slots each */
static size_t pipes_world_bytes(int pipes, uint64_t slots)
{
	struct span_world *w;
	size_t b;
	int id, err = span_world_create(&w, NULL, NULL);

	if (err)
		die("span_world_create", err);
	span_world_set_param(w, SPAN_PARAM_PIPE_BUFFERS, slots);
	for (int i = 0; i < pipes; i++)
		if ((err = span_pipe_create(w, 0, &id)))
			die("span_pipe_create", err);
	b = world_snapshot_bytes(w);
	span_world_destroy(w);
	return b;
}

/* a world with one mapping of @pages pages, touched or not */
static size_t pages_world_bytes(int pages, bool touched)
{
	struct span_world *w;
	size_t b;
	int region, err = span_world_create(&w, NULL, NULL);

	if (err)
		die("span_world_create", err);
	err = span_mmap_anon(w, SPAN_INIT_PID, (uint64_t)pages * 4096,
			     touched ? 0 : SPAN_MMAP_UNTOUCHED, "x", 1,
			     &region);
	if (err)
		die("span_mmap_anon", err);
	b = world_snapshot_bytes(w);
	span_world_destroy(w);
	return b;
}

static void memory_report(int n)
{
	const int P = 64;
	size_t empty = pipes_world_bytes(0, 16);
	size_t p16 = pipes_world_bytes(P, 16), p1 = pipes_world_bytes(P, 1);
	size_t untouched = pages_world_bytes(P, false);
	size_t touched = pages_world_bytes(P, true);
	double per_buf = (double)(p16 - p1) / (P * 15.0);
	double per_pipe = (double)(p16 - empty) / P;
	struct model_fan m;
	size_t snap;
	uint64_t t0, t;

	printf("mem_bytes_per_pipe_buffer %.1f bytes\n", per_buf);
	printf("mem_bytes_per_pipe_16_slots %.1f bytes\n", per_pipe);
	printf("mem_bytes_per_page_4096 %.1f bytes\n",
	       (double)(touched - untouched) / P);
	printf("mem_bytes_empty_world_snapshot %zu bytes\n", empty);
	/* the fan-out world after the splices: N pipes of one byte each */
	model_world(&m, n, 0);
	model_pipes(&m);
	model_splices(&m);
	t0 = now_ns();
	snap = world_snapshot_bytes(m.w);
	t = now_ns() - t0;
	printf("mem_fanout_snapshot_bytes_%d %zu bytes\n", n, snap);
	printf("mem_fanout_snapshot_bytes_per_pipe_%d %.1f bytes\n", n,
	       (double)snap / (n + 1));
	printf("fanout_snapshot_and_free_ns_%d %" PRIu64 " ns\n", n, t);
	model_reads_and_close(&m);
	model_unmap(&m);
	model_free(&m);
}

/*
 * Peak RSS of a fresh process (fork at startup, before this one grows)
 * running the model fan-out at @n with the checker off.
 */
static void rss_report(int n)
{
	struct rusage ru;
	int status, fd[2];
	pid_t pid;
	uint64_t ns = 0;
	long base_kib = 0;

	if (pipe(fd))
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		struct rusage self;

		close(fd[0]);
		getrusage(RUSAGE_SELF, &self);
		base_kib = self.ru_maxrss;
		model_fanout(n, 0, &ns, NULL);
		if (write(fd[1], &ns, sizeof(ns)) != sizeof(ns) ||
		    write(fd[1], &base_kib, sizeof(base_kib)) != sizeof(base_kib))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &ns, sizeof(ns)) != sizeof(ns) ||
	    read(fd[0], &base_kib, sizeof(base_kib)) != sizeof(base_kib))
		ns = 0;
	close(fd[0]);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || !ns)
		die("rss child", status);
	printf("fanout_model_with_world_create_destroy_ns_n%d %" PRIu64 " ns\n",
	       n, ns);
	printf("fanout_peak_rss_n%d %ld KiB\n", n, ru.ru_maxrss);
	printf("fanout_peak_rss_n%d_before_run %ld KiB\n", n, base_kib);
	printf("fanout_peak_rss_n%d_under_1GiB %d bool\n", n,
	       ru.ru_maxrss < 1024L * 1024);
}

/* --- main --------------------------------------------------------------- */

/*
 * The scenario file itself through spansim's runner (parse, setup, fifo
 * schedule with the checker after every step, drain, conditions,
 * teardown): what `spansim run scenarios/seed/splice-fanout.scn` costs
 * without its printing.  0 if the file cannot be read.
 */
static uint64_t scenario_run(const char *path)
{
	struct run_opts ro = { .sched = SCHED_FIFO, .quiet = true };
	struct scn_error e;
	struct scn *s;
	struct run *r;
	uint64_t t0 = now_ns(), t;
	bool pass;

	if (scn_parse_file(path, NULL, &s, &e))
		return 0;
	if (run_create(s, &ro, &r))
		die("run_create", ENOMEM);
	run_to_end(r);
	run_finish(r);
	t = now_ns() - t0;
	pass = run_passed(r);
	run_destroy(r);
	scn_free(s);
	if (!pass)
		die("the fan-out scenario failed", EINVAL);
	return t;
}

int main(int argc, char **argv)
{
	int n = 4096, reps = 5, rss_n = 65536;
	const char *scenario = "scenarios/seed/splice-fanout.scn";
	bool kernel = true, check = true, full = true, mem = true, ir = true;
	uint64_t *tm, *tt, *tc, *tf, *tk, *tcold, *fm, *fc, *fcold, m, t, c = 0,
		 f = 0, k = 0;
	long nflt;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--n") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rss-n") && i + 1 < argc)
			rss_n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-kernel"))
			kernel = false;
		else if (!strcmp(argv[i], "--no-check"))
			check = false;
		else if (!strcmp(argv[i], "--no-full"))
			full = false;
		else if (!strcmp(argv[i], "--no-mem"))
			mem = false;
		else if (!strcmp(argv[i], "--no-ir"))
			ir = false;
		else if (!strcmp(argv[i], "--ir-child") && i + 1 < argc)
			return ir_child(atoi(argv[++i]));
		else if (!strcmp(argv[i], "--scenario") && i + 1 < argc)
			scenario = argv[++i];
		else {
			fprintf(stderr, "usage: bench_fanout [--n N] [--reps R] "
				"[--rss-n N] [--no-kernel] [--no-check] [--no-full] [--no-mem] "
				"[--no-ir] [--scenario FILE]\n");
			return 2;
		}
	}
	if (n < 1 || n > 1 << 20 || reps < 1 || rss_n < 0 || rss_n > 1 << 22) {
		fprintf(stderr, "bench_fanout: bad arguments\n");
		return 2;
	}
	/* first, while this process is small */
	if (rss_n)
		rss_report(rss_n);
	warm_heap();

	tm = calloc((size_t)reps, sizeof(*tm));
	tc = calloc((size_t)reps, sizeof(*tc));
	tf = calloc((size_t)reps, sizeof(*tf));
	tt = calloc((size_t)reps, sizeof(*tt));
	tk = calloc((size_t)reps, sizeof(*tk));
	tcold = calloc((size_t)reps, sizeof(*tcold));
	fm = calloc((size_t)reps, sizeof(*fm));
	fc = calloc((size_t)reps, sizeof(*fc));
	fcold = calloc((size_t)reps, sizeof(*fcold));
	if (!tm || !tc || !tf || !tk || !tt || !tcold || !fm || !fc || !fcold)
		die("calloc", ENOMEM);
	if (kernel)
		raise_nofile(n + 1);
	/* interleave them so that drift hits them alike; one warm-up */
	model_fanout(n, 0, NULL, NULL);
	if (kernel && !kernel_fanout(n))
		kernel = false;
	for (int r = 0; r < reps; r++) {
		/*
		 * Warm: the heap already holds what the biggest of the timed
		 * runs needs (the checker's counts and records come on top
		 * of the world), so no timed run but the cold one faults.
		 */
		if (check)
			model_fanout(n, SPAN_CHECK_INCREMENTAL, NULL, NULL);
		tm[r] = model_fanout(n, 0, &tt[r], &nflt);
		fm[r] = (uint64_t)nflt;
		if (check) {
			/* right after the run without it, as that one comes
			 * right after a checked run: alike caches */
			tc[r] = model_fanout(n, SPAN_CHECK_INCREMENTAL, NULL,
					     &nflt);
			fc[r] = (uint64_t)nflt;
			if (full)
				tf[r] = model_fanout(n, SPAN_CHECK_FULL, NULL,
						     NULL);
		}
		if (kernel)
			tk[r] = kernel_fanout(n);
		/* last: the heap is warm again after it */
		cold_heap();
		tcold[r] = model_fanout(n, 0, NULL, &nflt);
		fcold[r] = (uint64_t)nflt;
	}
	m = median(tm, reps);
	t = median(tt, reps);
	if (check) {
		c = median(tc, reps);
		f = median(tf, reps);
	}
	printf("fanout_n %d pipes\n", n);
	/* timed steps: N + 1 pipes, vmsplice, N splices, N reads,
	 * 2(N + 1) closes */
	printf("fanout_model_steps %d steps\n", 5 * n + 4);
	printf("fanout_model_ns %" PRIu64 " ns\n", m);
	printf("fanout_model_with_world_create_destroy_ns %" PRIu64 " ns\n", t);
	printf("fanout_model_ns_per_step %.1f ns\n", (double)m / (5 * n + 4));
	printf("fanout_model_page_faults %" PRIu64 " faults\n",
	       median(fm, reps));
	printf("fanout_model_cold_ns %" PRIu64 " ns\n", median(tcold, reps));
	printf("fanout_model_cold_page_faults %" PRIu64 " faults\n",
	       median(fcold, reps));
	if (check) {
		printf("fanout_model_check_ns %" PRIu64 " ns\n", c);
		printf("fanout_model_check_ns_per_step %.1f ns\n",
		       (double)c / (5 * n + 4));
		printf("fanout_model_check_page_faults %" PRIu64 " faults\n",
		       median(fc, reps));
		if (full)
			printf("fanout_model_check_full_ns %" PRIu64 " ns\n", f);
		/* issue 14: the incremental checker costs <= 1.5x no checker */
		printf("fanout_check_over_nocheck %.2f x\n", (double)c / m);
		printf("fanout_check_over_nocheck_at_most_1_5 %d bool\n",
		       (double)c / m <= 1.5);
		if (full)
			printf("fanout_check_full_over_nocheck %.2f x\n",
			       (double)f / m);
		printf("fanout_check_full_walks %" PRIu64 " walks\n",
		       check_stats.full);
		printf("fanout_check_incremental_steps %" PRIu64 " steps\n",
		       check_stats.incremental);
	}
	if (kernel) {
		k = median(tk, reps);
		printf("fanout_kernel_ns %" PRIu64 " ns\n", k);
		printf("speedup_kernel_over_model %.2f x\n", (double)k / m);
		printf("speedup_kernel_over_model_with_world_create %.2f x\n",
		       (double)k / t);
		printf("speedup_kernel_over_model_cold %.2f x\n",
		       (double)k / median(tcold, reps));
		printf("fanout_model_50x_kernel %d bool\n", k >= 50 * m);
		if (check)
			printf("speedup_kernel_over_model_check %.3f x\n",
			       (double)k / c);
	}
	if (ir) {
		const char *why = NULL;
		uint64_t irs = model_ir(n, &why);

		if (irs) {
			printf("fanout_model_ir %" PRIu64 " Ir\n", irs);
			printf("fanout_model_ir_per_step %.1f Ir\n",
			       (double)irs / (5 * n + 4));
		} else {
			fprintf(stderr, "bench_fanout: no Ir count: %s\n", why);
			printf("fanout_model_ir_skipped 1 bool\n");
		}
		fflush(stdout);
	}
	{
		uint64_t *ts = calloc((size_t)reps, sizeof(*ts));

		if (!ts)
			die("calloc", ENOMEM);
		for (int r = 0; r < reps && (r == 0 || ts[0]); r++)
			ts[r] = scenario_run(scenario);
		if (ts[0]) {
			uint64_t sr = median(ts, reps);

			printf("fanout_scenario_run_ns %" PRIu64 " ns\n", sr);
			printf("fanout_scenario_run_under_1s %d bool\n",
			       sr < 1000000000ull);
		}
		free(ts);
	}
	if (mem)
		memory_report(n);
	free(tm);
	free(tc);
	free(tf);
	free(tt);
	free(tk);
	free(tcold);
	free(fm);
	free(fc);
	free(fcold);
	return 0;
}
