// SPDX-License-Identifier: MIT
/*
 * bench_explore.c - states per second and bytes per stored state of the
 * explorer (explore_run() of sim/explore.h), on the scenario corpus and on
 * the splice fan-out against SPIN checking the same question on
 * bench/fanout.pml.
 *
 * Corpus: the .scn files of ../shared/scenarios, scenarios and
 * scenarios/seed (relative to the repository root, found from the current
 * directory or from this executable's path), the pipe and memory ones
 * (files that use sockets are skipped), each name once; the fan-out with
 * N=3 page_size=8.  Each exploration is repeated until 0.2 s of CPU time
 * has been spent, states/s = states explored / CPU seconds.
 *
 * SPIN: `spin -a` on bench/fanout.pml with `#define N n` prepended,
 * `cc -O2 -DSAFETY -o pan pan.c`, then `./pan -c0 -wW` (the whole space,
 * not stopping at the assertion that encodes the question).  States/s =
 * stored states / CPU time of the pan process (user + system, from
 * wait4(), averaged over repeated runs: pan's own "elapsed time" has a
 * 10 ms resolution), so process start and the hash table's allocation
 * count, as the explorer's run creation and visited-set allocation count
 * on its side.  Bytes per state = ("actual memory usage for states" +
 * "memory used for hash table") / "states, stored", both from pan's
 * output (MiB, three decimals); with pan's default -w24 (a 128 MiB table)
 * and with -wW sized to the space (the smallest W >= 10 with 2^W >= 2 x
 * states).  The explorer's bytes per state is its visited set's size
 * (explore_result.table_bytes: 16-byte slots, at least 2^16) divided by
 * the states; the snapshots on its DFS stack (peak_bytes) are reported
 * apart, as pan's DFS stack is.
 *
 * Output: `name value unit` lines only.
 *
 * usage: bench_explore [--root DIR] [--sizes 3,16,64,128] [--min-cpu S]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"

static double min_cpu = 0.2;

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

/* --- the explorer ------------------------------------------------------- */

struct xres {
	uint64_t states, transitions, reps;
	double cpu;
	size_t table_bytes, peak_bytes;
	bool x_yes, x_no;	/* the fan-out's exists r[0] == "X" */
};

static int explore_file(const char *path, const char **params, int np,
			const char **sets, int ns, struct xres *x)
{
	struct scn_overrides ov = { .params = params, .nr_params = np,
				    .sets = sets, .nr_sets = ns };
	struct explore_opts o = { .preemptions = -1 };
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
		x->table_bytes = res.table_bytes;
		x->peak_bytes = res.peak_bytes;
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
					 fan ? 1 : 0, &x))
				goto next;
			printf("explore_%s_states %" PRIu64 " states\n", name,
			       x.states / x.reps);
			printf("explore_%s_states_per_s %.0f states/s\n", name,
			       x.states / x.cpu);
			printf("explore_%s_table_bytes_per_state %.1f bytes\n",
			       name, (double)x.table_bytes / (x.states / x.reps));
			printf("explore_%s_dfs_snapshot_bytes %zu bytes\n", name,
			       x.peak_bytes);
next:
			free(ents[i]);
		}
		if (n >= 0)
			free(ents);
	}
}

/* --- SPIN --------------------------------------------------------------- */

struct pan_res {
	bool ok;
	uint64_t stored, transitions, errors, vector;
	double state_mib, hash_mib;
	double cpu;		/* per run */
	int w;
};

static int sh(const char *dir, const char *cmd)
{
	char full[PATH_MAX * 2];

	snprintf(full, sizeof(full), "cd '%s' && %s >/dev/null 2>&1", dir, cmd);
	return system(full);
}

static int pan_build(const char *tmp, const char *pml, int n)
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
	if (sh(tmp, "spin -a fanout.pml"))
		return -1;
	return sh(tmp, "cc -O2 -DSAFETY -DVECTORSZ=4096 -o pan pan.c") ? -1 : 0;
}

/* run ./pan -c0 -w@w once, parse its output */
static int pan_run(const char *tmp, int w, struct pan_res *p)
{
	char cmd[PATH_MAX + 64], line[512];
	FILE *f;

	memset(p, 0, sizeof(*p));
	p->w = w;
	snprintf(cmd, sizeof(cmd), "cd '%s' && ./pan -c0 -w%d 2>&1", tmp, w);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		double m;

		if (sscanf(line, "State-vector %llu byte, depth reached %*d, errors: %llu",
			   &a, &b) == 2)
			p->vector = a, p->errors = b;
		else if (strstr(line, "states, stored") &&
			 sscanf(line, " %llu", &a) == 1)
			p->stored = a;
		else if (strstr(line, "transitions (=") &&
			 sscanf(line, " %llu", &a) == 1)
			p->transitions = a;
		else if (strstr(line, "actual memory usage for states") &&
			 sscanf(line, " %lf", &m) == 1)
			p->state_mib = m;
		else if (strstr(line, "memory used for hash table") &&
			 sscanf(line, " %lf", &m) == 1)
			p->hash_mib = m;
	}
	p->ok = pclose(f) != -1 && p->stored > 0;
	return p->ok ? 0 : -1;
}

/* CPU time (user + system) of one ./pan run, averaged */
static double pan_cpu(const char *tmp, int w)
{
	char wopt[16];
	double total = 0;
	int runs = 0;

	snprintf(wopt, sizeof(wopt), "-w%d", w);
	do {
		struct rusage ru;
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (!pid) {
			int fd;

			if (chdir(tmp))
				_exit(127);
			fd = open("/dev/null", O_WRONLY);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
			execl("./pan", "pan", "-c0", wopt, (char *)NULL);
			_exit(127);
		}
		if (wait4(pid, &st, 0, &ru) != pid)
			return -1;
		total += ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		runs++;
	} while (total < min_cpu && runs < 2000);
	return total / runs;
}

static void fanout_vs_spin(const char *root, const int *sizes, int nsizes)
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
	for (int i = 0; i < nsizes; i++) {
		int n = sizes[i], ps = 8, w = 10;
		char pn[32], pps[32];
		const char *params[] = { pn }, *sets[] = { pps };
		struct xres x;
		struct pan_res p, pd;
		double x_sps, x_bps, s_sps, s_bps, s_bps_default, cpu;

		while (ps < n)
			ps *= 2;
		snprintf(pn, sizeof(pn), "N=%d", n);
		snprintf(pps, sizeof(pps), "page_size=%d", ps);
		if (explore_file(scn, params, 1, sets, 1, &x))
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
		if (pan_build(tmp, pml, n) || pan_run(tmp, 24, &pd)) {
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
			/* the headline: the largest N, where fixed costs
			 * (process start, table allocation) matter least */
			printf("explore_vs_spin_states_per_s %.3f x\n",
			       x_sps / s_sps);
			printf("explore_vs_spin_bytes_per_state %.3f x\n",
			       x_bps / s_bps);
		}
		fflush(stdout);
	}
	if (have_spin) {
		char cmd[PATH_MAX];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd))
			fprintf(stderr, "bench_explore: could not remove %s\n", tmp);
	}
}

int main(int argc, char **argv)
{
	const char *given = NULL;
	char root[PATH_MAX];
	int sizes[16] = { 3, 16, 64, 128 }, nsizes = 4;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			given = argv[++i];
		} else if (!strcmp(argv[i], "--min-cpu") && i + 1 < argc) {
			min_cpu = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
			char *s = argv[++i], *tok;

			nsizes = 0;
			for (tok = strtok(s, ","); tok && nsizes < 16;
			     tok = strtok(NULL, ","))
				sizes[nsizes++] = atoi(tok);
		} else {
			fprintf(stderr, "usage: bench_explore [--root DIR] "
				"[--sizes 3,16,64,128] [--min-cpu S]\n");
			return 2;
		}
	}
	for (int i = 0; i < nsizes; i++)
		if (sizes[i] < 1 || sizes[i] > 250) {
			fprintf(stderr, "bench_explore: N must be 1..250\n");
			return 2;
		}
	if (find_root(root, sizeof(root), given)) {
		fprintf(stderr, "bench_explore: cannot find the repository root "
			"(bench/fanout.pml); use --root\n");
		return 2;
	}
	corpus(root);
	fanout_vs_spin(root, sizes, nsizes);
	return 0;
}
