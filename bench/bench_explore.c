// SPDX-License-Identifier: MIT
/*
 * bench_explore.c - the explorer (explore_run() of sim/explore.h) against
 * SPIN on the splice fan-out, and the explorer on the scenario corpus.
 *
 * 1. Corpus: the .scn files of ../shared/scenarios, scenarios and
 *    scenarios/seed (relative to the repository root, found from the
 *    current directory or from this executable's path), the pipe and
 *    memory ones (files that use sockets are skipped), each name once; the
 *    fan-out with N=3 page_size=8.  Default reduction (DPOR).  Each
 *    exploration is repeated until --min-cpu seconds (0.2) of CPU time have
 *    been spent; states/s = states / CPU seconds.
 *
 * 2. Small fan-outs (--small-sizes, 3,16,64,128): the stateful explorer
 *    (EXPLORE_RED_SLEEP: visited set and sleep sets, what `explore` did
 *    before DPOR) against pan with full state storage, in states/s and
 *    bytes per stored state, as before:
 *    `spin -a` on bench/fanout.pml with `#define N n` prepended,
 *    `cc -O2 -DSAFETY -o pan pan.c`, `./pan -c0 -wW` (the whole space, not
 *    stopping at the assertion that encodes the question).  SPIN states/s
 *    = stored states / CPU time of the pan process (user + system, from
 *    wait4(), averaged over repeated runs: pan's own "elapsed time" has a
 *    10 ms resolution).  Bytes per state = ("actual memory usage for
 *    states" + "memory used for hash table") / "states, stored", with
 *    pan's default -w24 and with -wW sized (the smallest W >= 10 with
 *    2^W >= 2 x states).  The explorer's bytes per state is its visited
 *    set (explore_result.table_bytes) / states.
 *
 * 3. Side by side (--sizes, 128,1024,4096): one search each, at N pipes
 *    and page_size N (rounded up to a power of two, at least 8), of
 *      - spansim, default reduction (DPOR): `dpor_*` lines;
 *      - spansim, stateful (EXPLORE_RED_SLEEP), only up to --sleep-max-n
 *        (128): `sleep_*` lines, else `sleep_skipped_N 1`;
 *      - SPIN: `spin_*` lines.
 *    Wall time: from fork() to wait4() of the process doing the search
 *    (spansim: a forked child that parses the scenario and runs
 *    explore_run(); SPIN: ./pan, exec'd in a forked child), so process
 *    start, allocation and teardown count on both sides; `*_cpu_N` is
 *    that process's user + system time (the machine may be shared).
 *    Peak memory: that process's ru_maxrss from wait4(), so one size does
 *    not pollute another.  A forked child starts with the parent's
 *    resident pages (and exec keeps that count), so `rss_floor` is the
 *    ru_maxrss of a child that exits at once: the floor of every peak
 *    below.  Parts 1 and 2 run in forked children too, so that the
 *    parent stays small.
 *    spansim states: states on every schedule (DPOR counts a state again
 *    when two schedules share it) and traces (schedules run to the end);
 *    SPIN states: "states, stored".
 *    SPIN mode: full storage (`-DSAFETY`, -wW with the smallest W with
 *    2^W >= the states) where the estimate fits in --spin-mem-mb (half of
 *    MemAvailable): states x (state vector + 32) + 8 x 2^W bytes.  The
 *    states are known in closed form, (N^2 + 13N + 56) / 2, pan's count
 *    with full storage for N = 3..1024 (`spin_states_full_N`), and the
 *    state vector comes from a pan run cut at depth 1.  Where full
 *    storage does not fit: --spin-lossy, `bitstate` (default: -DBITSTATE
 *    -w32, 3 bits per state, 512 MiB) or `hc4` (-DHC4 hash compaction;
 *    with -w <= 32 pan 6.5.2 keys it by a 32-bit hash and loses states:
 *    at N = 4096 it missed the assertion), or `both`.  `spin_mode_N`
 *    says which was used (full, bitstate, hc4).  Every pan gets
 *    -DMEMLIM=--spin-mem-mb (`spin_memlim_hit_N 1` when pan stopped at
 *    it) and -m (depth) 5N + 1000.
 *    Every search gets --time-limit seconds (1200): the explorer as
 *    explore_opts.max_seconds, pan as SIGINT (it prints what it has and
 *    exits), SIGKILL 30 s later; `spin_timed_out_N 1` when that happened.
 *    r0_X: the question "can r[0] == 'X'": spansim's `exists r[0] == "X"`
 *    has a yes end state; pan reports "errors: K" with K > 0.
 *    `agree_r0_X_N` is 1 when both tools say it is reachable.
 *    Ratios: spansim (DPOR) / SPIN, for wall time, CPU time and peak RSS.
 *
 * Output: `name value unit` lines only.
 *
 * usage: bench_explore [--root DIR] [--sizes 128,1024,4096]
 *        [--small-sizes 3,16,64,128|none] [--min-cpu S] [--time-limit S]
 *        [--sleep-max-n N] [--spin-lossy bitstate|hc4|both]
 *        [--spin-mem-mb MB] [--no-corpus] [--quick]
 * --quick: --sizes 128,1024 --small-sizes 16 --min-cpu 0.05 (about 30 s).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"

#define MAX_SIZES	16
#define MAX_N		16383	/* fanout.pml's shorts */

static double min_cpu = 0.2;
static double time_limit = 1200;
static int sleep_max_n = 128;
static unsigned spin_lossy = 1;		/* bit 0: bitstate, bit 1: hc4 */
static uint64_t spin_mem_mb;		/* 0: half of MemAvailable */

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISREG(st.st_mode);
}

/* the repository root: has bench/fanout.pml */
static int find_root(char *root, size_t n, const char *given)
{
	char exe[PATH_MAX], p[PATH_MAX + 32];
	ssize_t len;

	if (given) {
		snprintf(root, n, "%s", given);
		return 0;
	}
	if (is_file("bench/fanout.pml")) {
		if (!getcwd(root, n))
			return -1;
		return 0;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = 0;
		/* build/bench_explore -> build -> the root */
		snprintf(root, n, "%s", dirname(dirname(exe)));
		snprintf(p, sizeof(p), "%s/bench/fanout.pml", root);
		if (is_file(p))
			return 0;
	}
	return -1;
}

static int fanout_page_size(int n)
{
	int ps = 8;

	while (ps < n)
		ps *= 2;
	return ps;
}

/*
 * reap @pid (by its pidfd @pfd, or polling when there is none) if it ends
 * before @end (CLOCK_MONOTONIC seconds).  Return: 1 reaped, 0 still
 * running at @end, -1 error.
 */
static int wait_until(pid_t pid, int pfd, double end, int *st,
		      struct rusage *ru)
{
	for (;;) {
		double left = end - wall_now();
		pid_t r;

		if (left <= 0)
			return 0;
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			int ms = left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;

			if (poll(&p, 1, ms) <= 0)
				continue;
			while ((r = wait4(pid, st, 0, ru)) < 0 && errno == EINTR)
				;
			return r == pid ? 1 : -1;
		}
		r = wait4(pid, st, WNOHANG, ru);
		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(1000);
	}
}

/*
 * wait for @pid, at most @limit seconds; then send @sig, and SIGKILL 30 s
 * later.  Return: 0 and *@st, *@ru, or -1; *@hit when the limit was
 * reached.
 */
static int wait_limited(pid_t pid, double limit, int sig, int *st,
			struct rusage *ru, bool *hit)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int r = wait_until(pid, pfd, wall_now() + limit, st, ru);

	*hit = r == 0;
	if (!r) {
		kill(pid, sig);
		r = wait_until(pid, pfd, wall_now() + 30, st, ru);
	}
	if (!r) {
		kill(pid, SIGKILL);
		while ((r = wait4(pid, st, 0, ru)) < 0 && errno == EINTR)
			;
		r = r == pid ? 1 : -1;
	}
	if (pfd >= 0)
		close(pfd);
	return r == 1 ? 0 : -1;
}

/*
 * fork for a part of the bench that allocates (the corpus, the small
 * fan-outs): the parent's heap then does not grow, and the children it
 * forks later to measure peak RSS start from its small footprint.
 * Returns 0 in the child (which then calls sub_exit()), the child's pid
 * in the parent (for sub_wait()), or -1: run it in the parent.
 */
static pid_t sub_fork(void)
{
	fflush(stdout);
	fflush(stderr);
	return fork();
}

static void sub_exit(void)
{
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

static void sub_wait(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* ru_maxrss (KiB) of a forked child that exits at once */
static long rss_floor_kib(void)
{
	struct rusage ru;
	int st;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(0);
	if (wait4(pid, &st, 0, &ru) != pid)
		return -1;
	return ru.ru_maxrss;
}

/* --- the explorer ------------------------------------------------------- */

struct xres {
	uint64_t states, transitions, reps;
	double cpu;
	size_t table_bytes, peak_bytes, mem_bytes;
	uint64_t traces;
	int reduction;
	bool x_yes, x_no;	/* the fan-out's exists r[0] == "X" */
};

static int explore_file(const char *path, const char **params, int np,
			const char **sets, int ns, int reduction,
			struct xres *x)
{
	struct scn_overrides ov = { .params = params, .nr_params = np,
				    .sets = sets, .nr_sets = ns };
	struct explore_opts o = { .preemptions = -1, .reduction = reduction };
	struct scn_error err;
	struct scn *s;
	double t0;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = scn_parse_file(path, &ov, &s, &err);
	if (rc) {
		char msg[256];

		scn_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "bench_explore: %s: %s\n", path, msg);
		return rc;
	}
	t0 = cpu_now();
	do {
		struct explore_result res;

		rc = explore_run(s, &o, &res);
		if (rc) {
			fprintf(stderr, "bench_explore: %s: explore_run %d\n",
				path, rc);
			explore_result_free(s, &res);
			break;
		}
		x->states += res.states;
		x->transitions += res.transitions;
		x->traces = res.traces;
		x->reduction = res.reduction;
		x->table_bytes = res.table_bytes;
		x->peak_bytes = res.peak_bytes;
		x->mem_bytes = res.mem_bytes;
		if (s->nr_exists > 0) {
			x->x_yes = res.exists[0].yes > 0;
			x->x_no = res.exists[0].no > 0;
		}
		x->reps++;
		explore_result_free(s, &res);
		x->cpu = cpu_now() - t0;
	} while (x->cpu < min_cpu && x->reps < 100000);
	scn_free(s);
	return rc;
}

static bool uses_sockets(const char *path)
{
	static const char *const words[] = { "tcp ", "unix ", "send ", "recv ",
					     "sockopt", "decrypt" };
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;
	bool yes = false;

	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(buf, words[i]))
			yes = true;
	return yes;
}

static void name_of(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	size_t i = 0;

	for (b = b ? b + 1 : path; *b && *b != '.' && i + 1 < n; b++)
		out[i++] = (*b == '-') ? '_' : *b;
	out[i] = 0;
}

static const char *reduction_name(int r)
{
	return r == EXPLORE_RED_DPOR ? "dpor" :
	       r == EXPLORE_RED_SLEEP ? "sleep" : "none";
}

static void corpus(const char *root)
{
	const char *dirs[] = { "../shared/scenarios", "scenarios",
			       "scenarios/seed" };
	char seen[64][64];
	int nseen = 0;
	const char *fanout_params[] = { "N=3" }, *fanout_sets[] = { "page_size=8" };

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char dir[PATH_MAX];
		struct dirent **ents;
		int n;

		snprintf(dir, sizeof(dir), "%s/%s", root, dirs[d]);
		if (!is_dir(dir))
			continue;
		n = scandir(dir, &ents, NULL, alphasort);
		for (int i = 0; i < n; i++) {
			char path[PATH_MAX + 256], name[64];
			size_t l = strlen(ents[i]->d_name);
			bool dup = false, fan;
			struct xres x;

			if (l < 5 || strcmp(ents[i]->d_name + l - 4, ".scn"))
				goto next;
			snprintf(path, sizeof(path), "%s/%s", dir,
				 ents[i]->d_name);
			name_of(path, name, sizeof(name));
			for (int k = 0; k < nseen; k++)
				dup |= !strcmp(seen[k], name);
			if (dup || uses_sockets(path) || nseen == 64)
				goto next;
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
			fan = !strcmp(name, "splice_fanout");
			if (explore_file(path, fan ? fanout_params : NULL,
					 fan ? 1 : 0, fan ? fanout_sets : NULL,
					 fan ? 1 : 0, EXPLORE_RED_DPOR, &x))
				goto next;
			printf("explore_%s_reduction %s mode\n", name,
			       reduction_name(x.reduction));
			printf("explore_%s_states %" PRIu64 " states\n", name,
			       x.states / x.reps);
			printf("explore_%s_traces %" PRIu64 " traces\n", name,
			       x.traces);
			printf("explore_%s_states_per_s %.0f states/s\n", name,
			       x.states / x.cpu);
			if (x.table_bytes)
				printf("explore_%s_table_bytes_per_state %.1f bytes\n",
				       name, (double)x.table_bytes /
				       (x.states / x.reps));
			printf("explore_%s_dfs_snapshot_bytes %zu bytes\n", name,
			       x.peak_bytes);
			printf("explore_%s_mem_bytes %zu bytes\n", name,
			       x.mem_bytes);
next:
			free(ents[i]);
		}
		if (n >= 0)
			free(ents);
	}
	fflush(stdout);
}

/* one exploration in a forked child: what it sends back */
struct xchild {
	int ok;			/* explore_run returned a result */
	int reduction, stop;
	uint64_t states, traces, transitions;
	double seconds;
	size_t mem_bytes, peak_bytes, table_bytes;
	int x_yes;		/* exists r[0] == "X": a yes end state */
};

struct xmeas {
	struct xchild r;
	double wall;		/* fork to wait4 */
	double cpu;		/* user + system, from wait4 */
	long maxrss_kib;
	bool killed;
};

static void explore_child(const char *scn, int n, int reduction, int fd)
{
	char pn[32], pps[32];
	const char *params[] = { pn }, *sets[] = { pps };
	struct scn_overrides ov = { .params = params, .nr_params = 1,
				    .sets = sets, .nr_sets = 1 };
	struct explore_opts o = { .preemptions = -1, .reduction = reduction,
				  .max_seconds = time_limit };
	struct explore_result res;
	struct xchild r;
	struct scn_error err;
	struct scn *s;

	memset(&r, 0, sizeof(r));
	snprintf(pn, sizeof(pn), "N=%d", n);
	snprintf(pps, sizeof(pps), "page_size=%d", fanout_page_size(n));
	if (scn_parse_file(scn, &ov, &s, &err)) {
		char msg[256];

		scn_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "bench_explore: %s: %s\n", scn, msg);
		goto out;
	}
	if (explore_run(s, &o, &res)) {
		fprintf(stderr, "bench_explore: %s N=%d: explore_run failed\n",
			scn, n);
		goto out;
	}
	r.ok = 1;
	r.reduction = res.reduction;
	r.stop = res.stop;
	r.states = res.states;
	r.traces = res.traces;
	r.transitions = res.transitions;
	r.seconds = res.seconds;
	r.mem_bytes = res.mem_bytes;
	r.peak_bytes = res.peak_bytes;
	r.table_bytes = res.table_bytes;
	r.x_yes = s->nr_exists > 0 && res.exists[0].yes > 0;
	/* no explore_result_free()/scn_free(): exit() returns it all */
out:
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

static int explore_forked(const char *scn, int n, int reduction,
			  struct xmeas *m)
{
	struct rusage ru;
	int fds[2], st;
	double t0;
	pid_t pid;

	memset(m, 0, sizeof(*m));
	if (pipe(fds))
		return -1;
	fflush(stdout);
	fflush(stderr);
	t0 = wall_now();
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		close(fds[0]);
		explore_child(scn, n, reduction, fds[1]);
	}
	close(fds[1]);
	/* the explorer stops itself at max_seconds; this is for a hang */
	if (wait_limited(pid, time_limit + 60, SIGKILL, &st, &ru, &m->killed)) {
		close(fds[0]);
		return -1;
	}
	m->wall = wall_now() - t0;
	m->cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	m->maxrss_kib = ru.ru_maxrss;
	if (read(fds[0], &m->r, sizeof(m->r)) != (ssize_t)sizeof(m->r))
		m->r.ok = 0;
	close(fds[0]);
	return m->r.ok ? 0 : -1;
}

/* --- SPIN --------------------------------------------------------------- */

enum spin_mode { SPIN_FULL, SPIN_BITSTATE, SPIN_HC4 };

static const char *const spin_mode_name[] = { "full", "bitstate", "hc4" };
static const char *const spin_mode_flags[] = { "", "-DBITSTATE", "-DHC4" };

struct pan_res {
	bool ok;
	uint64_t stored, transitions, errors, vector, depth;
	double state_mib, hash_mib, total_mib;
	double cpu;		/* per run */
	double wall;		/* fork to wait4 */
	long maxrss_kib;
	int w;
	bool timed_out, interrupted, memlim, depth_too_small;
};

static int sh(const char *dir, const char *cmd)
{
	char full[PATH_MAX * 2];

	snprintf(full, sizeof(full), "cd '%s' && %s >/dev/null 2>&1", dir, cmd);
	return system(full);
}

/* fanout.pml with N = @n into @tmp, then spin -a */
static int pan_model(const char *tmp, const char *pml, int n)
{
	char path[PATH_MAX + 32], line[1024];
	FILE *in = fopen(pml, "r"), *out;

	if (!in)
		return -1;
	snprintf(path, sizeof(path), "%s/fanout.pml", tmp);
	out = fopen(path, "w");
	if (!out) {
		fclose(in);
		return -1;
	}
	fprintf(out, "#define N %d\n", n);
	while (fgets(line, sizeof(line), in))
		fputs(line, out);
	fclose(in);
	fclose(out);
	return sh(tmp, "spin -a fanout.pml") ? -1 : 0;
}

static int pan_compile(const char *tmp, int n, enum spin_mode mode)
{
	char cmd[256];
	int vsz = 8 * n + 1024;

	if (vsz < 4096)
		vsz = 4096;
	snprintf(cmd, sizeof(cmd),
		 "cc -O2 -DSAFETY %s -DVECTORSZ=%d -DMEMLIM=%" PRIu64
		 " -o pan pan.c", spin_mode_flags[mode], vsz, spin_mem_mb);
	return sh(tmp, cmd) ? -1 : 0;
}

static void pan_parse(const char *file, struct pan_res *p)
{
	char line[512];
	FILE *f = fopen(file, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, c;
		double m;

		if (sscanf(line, "State-vector %llu byte, depth reached %llu, errors: %llu",
			   &a, &c, &b) == 3)
			p->vector = a, p->depth = c, p->errors = b;
		else if (strstr(line, "states, stored") &&
			 sscanf(line, " %llu", &a) == 1)
			p->stored = a;
		else if (strstr(line, "transitions (=") &&
			 sscanf(line, " %llu", &a) == 1)
			p->transitions = a;
		else if (strstr(line, "actual memory usage for states") &&
			 sscanf(line, " %lf", &m) == 1)
			p->state_mib = m;
		else if ((strstr(line, "memory used for hash table") ||
			  strstr(line, "memory used for hash array")) &&
			 sscanf(line, " %lf", &m) == 1)
			p->hash_mib = m;
		else if (strstr(line, "total actual memory usage") &&
			 sscanf(line, " %lf", &m) == 1)
			p->total_mib = m;
		else if (!strncmp(line, "Interrupted", 11))
			p->interrupted = true;
		else if (strstr(line, "max search depth too small"))
			p->depth_too_small = true;
		else if (strstr(line, "-DMEMLIM bound") ||
			 strstr(line, "memory limit") ||
			 strstr(line, "out of memory"))
			p->memlim = true;
	}
	fclose(f);
}

/*
 * one ./pan run with @args (NULL-terminated, at most 8), output to
 * @tmp/pan.out, parsed; wall time and ru_maxrss from fork to wait4;
 * @limit seconds (< 0: none), then SIGINT.
 */
static int pan_exec(const char *tmp, const char *const *args, double limit,
		    struct pan_res *p)
{
	char out[PATH_MAX + 16];
	const char *argv[10] = { "pan" };
	struct rusage ru;
	double t0;
	int st;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	for (int i = 0; args[i] && i < 8; i++)
		argv[i + 1] = args[i];
	snprintf(out, sizeof(out), "%s/pan.out", tmp);
	fflush(stdout);
	fflush(stderr);
	t0 = wall_now();
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || chdir(tmp))
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		execv("./pan", (char *const *)argv);
		_exit(127);
	}
	if (wait_limited(pid, limit, SIGINT, &st, &ru, &p->timed_out))
		return -1;
	p->wall = wall_now() - t0;
	p->maxrss_kib = ru.ru_maxrss;
	p->cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	pan_parse(out, p);
	p->ok = p->stored > 0;
	return p->ok ? 0 : -1;
}

/* run ./pan -c0 -w@w once, parse its output */
static int pan_run(const char *tmp, int w, struct pan_res *p)
{
	char wopt[16];
	const char *args[] = { "-c0", wopt, NULL };

	snprintf(wopt, sizeof(wopt), "-w%d", w);
	if (pan_exec(tmp, args, time_limit, p))
		return -1;
	p->w = w;
	return 0;
}

/* CPU time (user + system) of one ./pan run, averaged */
static double pan_cpu(const char *tmp, int w)
{
	char wopt[16];
	const char *args[] = { "-c0", wopt, NULL };
	double total = 0;
	int runs = 0;

	snprintf(wopt, sizeof(wopt), "-w%d", w);
	do {
		struct pan_res p;

		if (pan_exec(tmp, args, time_limit, &p))
			return -1;
		total += p.cpu;
		runs++;
	} while (total < min_cpu && runs < 2000);
	return total / runs;
}

static void small_vs_spin(const char *scn, const char *pml, const char *tmp,
			  bool have_spin, const int *sizes, int nsizes)
{
	for (int i = 0; i < nsizes; i++) {
		int n = sizes[i], w = 10;
		char pn[32], pps[32];
		const char *params[] = { pn }, *sets[] = { pps };
		struct xres x;
		struct pan_res p, pd;
		double x_sps, x_bps, s_sps, s_bps, s_bps_default, cpu;

		snprintf(pn, sizeof(pn), "N=%d", n);
		snprintf(pps, sizeof(pps), "page_size=%d", fanout_page_size(n));
		if (explore_file(scn, params, 1, sets, 1, EXPLORE_RED_SLEEP, &x))
			continue;
		x_sps = x.states / x.cpu;
		x_bps = (double)x.table_bytes / (x.states / x.reps);
		printf("fanout_n%d_explore_states %" PRIu64 " states\n", n,
		       x.states / x.reps);
		printf("fanout_n%d_explore_states_per_s %.0f states/s\n", n, x_sps);
		printf("fanout_n%d_explore_bytes_per_state %.1f bytes\n", n, x_bps);
		printf("fanout_n%d_explore_dfs_snapshot_bytes %zu bytes\n", n,
		       x.peak_bytes);
		printf("fanout_n%d_explore_r0_X_reachable %d bool\n", n, x.x_yes);
		if (!have_spin)
			continue;
		if (pan_model(tmp, pml, n) || pan_compile(tmp, n, SPIN_FULL) ||
		    pan_run(tmp, 24, &pd)) {
			fprintf(stderr, "bench_explore: spin/pan failed for N=%d\n", n);
			continue;
		}
		while ((1ull << w) < 2 * pd.stored)
			w++;
		if (pan_run(tmp, w, &p) || (cpu = pan_cpu(tmp, w)) <= 0)
			continue;
		s_sps = p.stored / cpu;
		s_bps = (p.state_mib + p.hash_mib) * 1048576.0 / p.stored;
		s_bps_default = (pd.state_mib + pd.hash_mib) * 1048576.0 / pd.stored;
		printf("fanout_n%d_spin_states %" PRIu64 " states\n", n, p.stored);
		printf("fanout_n%d_spin_state_vector %" PRIu64 " bytes\n", n,
		       p.vector);
		printf("fanout_n%d_spin_cpu_per_run %.6f s\n", n, cpu);
		printf("fanout_n%d_spin_states_per_s %.0f states/s\n", n, s_sps);
		printf("fanout_n%d_spin_hash_w %d bits\n", n, w);
		printf("fanout_n%d_spin_bytes_per_state %.1f bytes\n", n, s_bps);
		printf("fanout_n%d_spin_bytes_per_state_w24 %.1f bytes\n", n,
		       s_bps_default);
		printf("fanout_n%d_spin_r0_X_reachable %d bool\n", n,
		       p.errors > 0);
		printf("fanout_n%d_explore_vs_spin_states_per_s %.3f x\n", n,
		       x_sps / s_sps);
		printf("fanout_n%d_explore_vs_spin_bytes_per_state %.3f x\n", n,
		       x_bps / s_bps);
		printf("fanout_n%d_explore_vs_spin_bytes_per_state_w24 %.4f x\n",
		       n, x_bps / s_bps_default);
		if (i == nsizes - 1) {
			/* the largest N, where fixed costs (process start,
			 * table allocation) matter least */
			printf("explore_vs_spin_states_per_s %.3f x\n",
			       x_sps / s_sps);
			printf("explore_vs_spin_bytes_per_state %.3f x\n",
			       x_bps / s_bps);
		}
		fflush(stdout);
	}
}

/* fanout.pml's reachable states with full storage (pan, N = 3..1024) */
static uint64_t fanout_states(int n)
{
	return ((uint64_t)n * n + 13ull * n + 56) / 2;
}

static double mib(long kib)
{
	return kib / 1024.0;
}

static void print_explore(const char *tag, int n, const struct xmeas *m)
{
	printf("%s_wall_%d %.3f s\n", tag, n, m->wall);
	printf("%s_cpu_%d %.3f s\n", tag, n, m->cpu);
	printf("%s_search_%d %.3f s\n", tag, n, m->r.seconds);
	printf("%s_states_%d %" PRIu64 " states\n", tag, n, m->r.states);
	printf("%s_traces_%d %" PRIu64 " traces\n", tag, n, m->r.traces);
	printf("%s_transitions_%d %" PRIu64 " transitions\n", tag, n,
	       m->r.transitions);
	printf("%s_peak_rss_%d %.1f MiB\n", tag, n, mib(m->maxrss_kib));
	printf("%s_explorer_mem_%d %.1f MiB\n", tag, n,
	       m->r.mem_bytes / 1048576.0);
	printf("%s_reduction_%d %s mode\n", tag, n,
	       reduction_name(m->r.reduction));
	printf("%s_complete_%d %d bool\n", tag, n,
	       m->r.stop == EXPLORE_COMPLETE && !m->killed);
	printf("%s_r0_X_%d %d bool\n", tag, n, m->r.x_yes);
}

/* MemAvailable / 2 in MiB, at most 16 GiB; 4 GiB if unknown */
static uint64_t default_mem_mb(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
				break;
		fclose(f);
	}
	if (!kb)
		return 4096;
	kb /= 2 * 1024;
	return kb > 16384 ? 16384 : kb;
}

/* the side-by-side search at one N, SPIN in @mode */
static void spin_one(const char *tmp, int n, enum spin_mode mode,
		     const struct xmeas *dpor, bool print_ratio)
{
	char wopt[16], mopt[16];
	const char *args[] = { "-c0", wopt, mopt, NULL };
	uint64_t full = fanout_states(n);
	struct pan_res p;
	int w = 10;

	if (mode == SPIN_BITSTATE) {
		w = 32;
	} else {
		while ((1ull << w) < full)
			w++;
	}
	snprintf(wopt, sizeof(wopt), "-w%d", w);
	snprintf(mopt, sizeof(mopt), "-m%d", 5 * n + 1000);
	if (pan_compile(tmp, n, mode)) {
		fprintf(stderr, "bench_explore: cc pan.c failed for N=%d\n", n);
		return;
	}
	if (pan_exec(tmp, args, time_limit, &p) && !p.timed_out && !p.memlim) {
		fprintf(stderr, "bench_explore: pan failed for N=%d\n", n);
		return;
	}
	printf("spin_mode_%d %s mode\n", n, spin_mode_name[mode]);
	printf("spin_hash_w_%d %d bits\n", n, w);
	printf("spin_wall_%d %.3f s\n", n, p.wall);
	printf("spin_cpu_%d %.3f s\n", n, p.cpu);
	printf("spin_states_%d %" PRIu64 " states\n", n, p.stored);
	printf("spin_states_full_%d %" PRIu64 " states\n", n, full);
	printf("spin_state_vector_%d %" PRIu64 " bytes\n", n, p.vector);
	printf("spin_peak_rss_%d %.1f MiB\n", n, mib(p.maxrss_kib));
	printf("spin_pan_total_mem_%d %.1f MiB\n", n, p.total_mib);
	printf("spin_timed_out_%d %d bool\n", n, p.timed_out);
	if (p.memlim)
		printf("spin_memlim_hit_%d 1 bool\n", n);
	if (p.depth_too_small)
		printf("spin_depth_too_small_%d 1 bool\n", n);
	printf("spin_r0_X_%d %d bool\n", n, p.errors > 0);
	if (!dpor)
		return;
	printf("agree_r0_X_%d %d bool\n", n, dpor->r.x_yes && p.errors > 0);
	if (!print_ratio || !p.ok || p.memlim)
		return;
	if (p.wall > 0)
		printf("ratio_wall_%d %.4f x\n", n, dpor->wall / p.wall);
	if (p.cpu > 0)
		printf("ratio_cpu_%d %.4f x\n", n, dpor->cpu / p.cpu);
	if (p.maxrss_kib > 0)
		printf("ratio_peak_rss_%d %.4f x\n", n,
		       (double)dpor->maxrss_kib / p.maxrss_kib);
}

static void side_by_side(const char *scn, const char *pml, const char *tmp,
			 bool have_spin, const int *sizes, int nsizes)
{
	long floor = rss_floor_kib();

	printf("rss_floor %.1f MiB\n", mib(floor));
	printf("time_limit %.0f s\n", time_limit);
	if (have_spin)
		printf("spin_mem_budget %" PRIu64 " MiB\n", spin_mem_mb);
	fflush(stdout);
	for (int i = 0; i < nsizes; i++) {
		int n = sizes[i];
		struct xmeas d, s;
		bool have_d;
		struct pan_res probe;
		const char *pargs[] = { "-c0", "-m1", "-w10", NULL };
		uint64_t need;
		int w = 10;

		have_d = !explore_forked(scn, n, EXPLORE_RED_DPOR, &d);
		if (have_d)
			print_explore("dpor", n, &d);
		else
			fprintf(stderr, "bench_explore: explore failed, N=%d\n", n);
		if (n <= sleep_max_n) {
			if (!explore_forked(scn, n, EXPLORE_RED_SLEEP, &s))
				print_explore("sleep", n, &s);
		} else {
			printf("sleep_skipped_%d 1 bool\n", n);
		}
		fflush(stdout);
		if (!have_spin)
			continue;
		/* the state vector, from a run cut at depth 1 */
		if (pan_model(tmp, pml, n) || pan_compile(tmp, n, SPIN_FULL)) {
			fprintf(stderr, "bench_explore: spin/cc failed for N=%d\n", n);
			continue;
		}
		pan_exec(tmp, pargs, 60, &probe);
		while ((1ull << w) < fanout_states(n))
			w++;
		need = fanout_states(n) * (probe.vector + 32) + (8ull << w);
		printf("spin_full_estimate_%d %.1f MiB\n", n, need / 1048576.0);
		if (probe.vector && need <= spin_mem_mb << 20) {
			spin_one(tmp, n, SPIN_FULL, have_d ? &d : NULL, true);
		} else {
			bool first = true;

			if (spin_lossy & 1) {
				spin_one(tmp, n, SPIN_BITSTATE,
					 have_d ? &d : NULL, first);
				first = false;
			}
			if (spin_lossy & 2)
				spin_one(tmp, n, SPIN_HC4, have_d ? &d : NULL,
					 first);
		}
		fflush(stdout);
	}
}

static void fanout_vs_spin(const char *root, const int *small, int nsmall,
			   const int *sizes, int nsizes)
{
	char tmp[] = "/tmp/bench_explore.XXXXXX", pml[PATH_MAX + 64];
	char scn[PATH_MAX + 64];
	bool have_spin = !system("command -v spin >/dev/null 2>&1");

	snprintf(pml, sizeof(pml), "%s/bench/fanout.pml", root);
	snprintf(scn, sizeof(scn), "%s/../shared/scenarios/splice-fanout.scn", root);
	if (!is_file(scn))
		snprintf(scn, sizeof(scn), "%s/scenarios/seed/splice-fanout.scn",
			 root);
	if (!is_file(scn)) {
		fprintf(stderr, "bench_explore: no splice-fanout.scn\n");
		return;
	}
	if (!have_spin)
		fprintf(stderr, "bench_explore: spin not installed, no comparison\n");
	if (have_spin && !mkdtemp(tmp)) {
		fprintf(stderr, "bench_explore: mkdtemp: %s\n", strerror(errno));
		have_spin = false;
	}
	if (nsmall) {
		pid_t pid = sub_fork();

		if (pid <= 0)
			small_vs_spin(scn, pml, tmp, have_spin, small, nsmall);
		if (!pid)
			sub_exit();
		sub_wait(pid);
	}
	side_by_side(scn, pml, tmp, have_spin, sizes, nsizes);
	if (have_spin) {
		char cmd[PATH_MAX];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd))
			fprintf(stderr, "bench_explore: could not remove %s\n", tmp);
	}
}

static int parse_sizes(char *s, int *sizes)
{
	int n = 0;

	if (!strcmp(s, "none"))
		return 0;
	for (char *tok = strtok(s, ","); tok && n < MAX_SIZES;
	     tok = strtok(NULL, ","))
		sizes[n++] = atoi(tok);
	return n;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_explore [--root DIR] [--sizes 128,1024,4096] "
		"[--small-sizes 3,16,64,128|none] [--min-cpu S] [--time-limit S] "
		"[--sleep-max-n N] [--spin-lossy bitstate|hc4|both] "
		"[--spin-mem-mb MB] [--no-corpus] [--quick]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *given = NULL;
	char root[PATH_MAX];
	int sizes[MAX_SIZES] = { 128, 1024, 4096 }, nsizes = 3;
	int small[MAX_SIZES] = { 3, 16, 64, 128 }, nsmall = 4;
	bool no_corpus = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool arg = i + 1 < argc;

		if (!strcmp(a, "--root") && arg) {
			given = argv[++i];
		} else if (!strcmp(a, "--min-cpu") && arg) {
			min_cpu = atof(argv[++i]);
		} else if (!strcmp(a, "--time-limit") && arg) {
			time_limit = atof(argv[++i]);
		} else if (!strcmp(a, "--sleep-max-n") && arg) {
			sleep_max_n = atoi(argv[++i]);
		} else if (!strcmp(a, "--spin-mem-mb") && arg) {
			spin_mem_mb = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(a, "--spin-lossy") && arg) {
			a = argv[++i];
			if (!strcmp(a, "bitstate"))
				spin_lossy = 1;
			else if (!strcmp(a, "hc4"))
				spin_lossy = 2;
			else if (!strcmp(a, "both"))
				spin_lossy = 3;
			else
				return usage();
		} else if (!strcmp(a, "--sizes") && arg) {
			nsizes = parse_sizes(argv[++i], sizes);
		} else if (!strcmp(a, "--small-sizes") && arg) {
			nsmall = parse_sizes(argv[++i], small);
		} else if (!strcmp(a, "--no-corpus")) {
			no_corpus = true;
		} else if (!strcmp(a, "--quick")) {
			sizes[0] = 128, sizes[1] = 1024, nsizes = 2;
			small[0] = 16, nsmall = 1;
			min_cpu = 0.05;
		} else {
			return usage();
		}
	}
	for (int i = 0; i < nsizes + nsmall; i++) {
		int n = i < nsizes ? sizes[i] : small[i - nsizes];

		if (n < 1 || n > MAX_N) {
			fprintf(stderr, "bench_explore: N must be 1..%d\n", MAX_N);
			return 2;
		}
	}
	if (time_limit <= 0)
		time_limit = 1e9;
	if (!spin_mem_mb)
		spin_mem_mb = default_mem_mb();
	if (find_root(root, sizeof(root), given)) {
		fprintf(stderr, "bench_explore: cannot find the repository root "
			"(bench/fanout.pml); use --root\n");
		return 2;
	}
	if (!no_corpus) {
		pid_t pid = sub_fork();

		if (pid <= 0)
			corpus(root);
		if (!pid)
			sub_exit();
		sub_wait(pid);
	}
	fanout_vs_spin(root, small, nsmall, sizes, nsizes);
	return 0;
}
