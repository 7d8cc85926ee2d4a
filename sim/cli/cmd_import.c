// SPDX-License-Identifier: MIT
/*
 * cmd_import.c - `spansim import strace LOG`: a real program's pipe and
 * socket calls, as `strace -f -s 65535` recorded them, turned into a
 * scenario: one thread per task, each call an operation whose result the
 * log gave is an `expect`, and the order the log saw as a --schedule to
 * replay it.
 *
 * Not a kernel file.  What the model cannot be told from a log is refused
 * or left as a comment, never guessed: the contents of user memory
 * (vmsplice, MSG_ZEROCOPY), files, strings strace cut short.  A close in
 * a forked task of a descriptor it inherited is a comment: the model's
 * handles are per world, not per process (docs/design.md).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "span/errno.h"

#define IMP_MAX_FD	1024
#define IMP_MAX_TASKS	64
#define IMP_MAX_ARGS	8
#define IMP_MAX_LINE	(1 << 20)	/* strace -s 65535: 4 bytes per byte */
#define IMP_MAX_LIT	(1 << 20)

struct imp_fd {
	int obj;		/* 1-based index of the pipe/socket, 0: untracked */
	char end;		/* 'r', 'w' (pipe), 's' (socket) */
};

struct imp_task {
	int pid;
	int forked;		/* a child: its inherited fds are its own copy */
	char *pending;		/* the first half of an <unfinished ...> call */
	FILE *ops;		/* its thread's lines */
	char *ops_buf;
	size_t ops_len;
};

struct imp {
	const char *log;
	struct imp_fd fd[IMP_MAX_FD];
	struct imp_task task[IMP_MAX_TASKS];
	int ntasks;
	FILE *setup, *expects, *schedf;
	char *setup_buf, *expects_buf;
	size_t setup_len, expects_len;
	int npipes, nsocks, nops, nskipped;
	char *sched;		/* the observed order, run-length encoded */
	size_t sched_len;
	int last_task, last_count;
	long lineno;
	char err[256];		/* a limit the log passed: the import stops */
};

static struct imp_task *task_of(struct imp *im, int pid)
{
	for (int i = 0; i < im->ntasks; i++)
		if (im->task[i].pid == pid)
			return &im->task[i];
	if (im->ntasks == IMP_MAX_TASKS) {
		snprintf(im->err, sizeof(im->err),
			 "line %ld: more than %d tasks (pids)", im->lineno,
			 IMP_MAX_TASKS);
		return NULL;
	}
	im->task[im->ntasks].pid = pid;
	im->task[im->ntasks].ops = open_memstream(&im->task[im->ntasks].ops_buf,
						  &im->task[im->ntasks].ops_len);
	if (!im->task[im->ntasks].ops) {
		snprintf(im->err, sizeof(im->err), "out of memory");
		return NULL;
	}
	return &im->task[im->ntasks++];
}

/* append @t's thread to the observed order */
static void sched_add(struct imp *im, int t)
{
	if (t == im->last_task) {
		im->last_count++;
		return;
	}
	if (im->last_count) {
		fprintf(im->schedf, "%st%d", ftell(im->schedf) > 0 ? "," : "",
			im->task[im->last_task].pid);
		if (im->last_count > 1)
			fprintf(im->schedf, "*%d", im->last_count);
	}
	im->last_task = t;
	im->last_count = 1;
}

/*
 * The bytes of strace's quoted string at @s (C escapes, "\x.." and octal)
 * into @out (at most @cap), written as a .scn string literal ("\xHH" for
 * what is not printable).  Return: the byte count, or -1 when the string
 * was cut short (strace's "..." after the quote) or is malformed.
 */
static long strace_string(const char *s, char *lit, size_t litcap)
{
	size_t k = 0;
	long n = 0;

	if (*s++ != '"')
		return -1;
	lit[k++] = '"';
	while (*s && *s != '"') {
		unsigned int c = (unsigned char)*s++;

		if (c == '\\') {
			c = (unsigned char)*s++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'v': c = '\v'; break;
			case 'f': c = '\f'; break;
			case 'x': {
				char h[3] = { s[0], s[0] ? s[1] : 0, 0 };

				c = (unsigned int)strtoul(h, NULL, 16);
				s += 2;
				break;
			}
			default:
				if (c >= '0' && c <= '7') {
					unsigned int v = c - '0';

					for (int i = 0; i < 2 && *s >= '0' &&
							*s <= '7'; i++)
						v = v * 8 + (unsigned int)(*s++ - '0');
					c = v & 0xff;
				}
			}
		}
		if (k + 5 >= litcap)
			return -1;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			lit[k++] = (char)c;
		else
			k += (size_t)snprintf(lit + k, litcap - k, "\\x%02x", c);
		n++;
	}
	if (*s != '"' || !strncmp(s + 1, "...", 3))
		return -1;
	lit[k++] = '"';
	lit[k] = 0;
	return n;
}

/* split "a, [b, c], "d,e"" at its top-level commas; Return: the count */
static int split_args(char *s, char **arg, int max)
{
	int n = 0, depth = 0;
	bool quote = false;

	while (*s == ' ')
		s++;
	if (!*s)
		return 0;
	arg[n++] = s;
	for (; *s; s++) {
		if (quote) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				quote = false;
			continue;
		}
		if (*s == '"')
			quote = true;
		else if (*s == '[' || *s == '{' || *s == '(')
			depth++;
		else if (*s == ']' || *s == '}' || *s == ')')
			depth--;
		else if (*s == ',' && !depth) {
			*s = 0;
			if (n == max)
				return n;
			s++;
			while (*s == ' ')
				s++;
			arg[n++] = s;
			s--;
		}
	}
	return n;
}

static const char *fd_name(struct imp *im, int fd, char *buf, size_t n)
{
	const struct imp_fd *f = &im->fd[fd];

	if (f->end == 's')
		snprintf(buf, n, "s%d", f->obj);
	else
		snprintf(buf, n, "p%d.%c", f->obj, f->end);
	return buf;
}

static bool tracked(struct imp *im, const char *a, int *fd)
{
	char *end;
	long v = strtol(a, &end, 10);

	if (end == a || v < 0 || v >= IMP_MAX_FD || !im->fd[v].obj)
		return false;
	*fd = (int)v;
	return true;
}

/* the return value strace printed ("12", "-1 EAGAIN (...)"); false: "?" */
static bool parse_ret(const char *r, long *ret)
{
	char name[32];

	while (*r == ' ')
		r++;
	if (!strncmp(r, "-1 E", 4) && sscanf(r + 3, "%31[A-Z0-9]", name) == 1) {
		int e = span_errno_lookup(name);

		if (e <= 0)
			return false;
		*ret = -e;
		return true;
	}
	if (!isdigit((unsigned char)*r))
		return false;
	*ret = strtol(r, NULL, 10);
	return true;
}

/* one op line for task @t with its result's expectation */
static void emit(struct imp *im, struct imp_task *t, int ti, const char *op,
		 long ret, const char *data_lit)
{
	int k = ++im->nops;

	if (data_lit)
		fprintf(t->ops, "  c%d: %s -> d%d\n", k, op, k);
	else
		fprintf(t->ops, "  c%d: %s\n", k, op);
	if (ret < 0) {
		fprintf(im->expects, "expect c%d == -%s\n", k,
			span_errname((int)-ret));
	} else {
		fprintf(im->expects, "expect c%d == %ld\n", k, ret);
		if (data_lit && ret > 0)
			fprintf(im->expects, "expect d%d == %s\n", k, data_lit);
	}
	sched_add(im, ti);
}

static void skip(struct imp *im, struct imp_task *t, const char *call,
		 const char *why)
{
	im->nskipped++;
	fprintf(t->ops, "  # not modelled (%s): ", why);
	/* strace's padding before "=" as one space */
	for (const char *p = call; *p; p++)
		if (*p != ' ' || p[1] != ' ')
			fputc(*p, t->ops);
	fputc('\n', t->ops);
}

/* one complete call of task @t: "name(args) = ret ..." */
static void import_call(struct imp *im, struct imp_task *t, char *call)
{
	/* a write of 64 KiB is up to 256 KiB as a literal: not on the stack */
	static char line[IMP_MAX_LINE], op[IMP_MAX_LIT + 256], lit[IMP_MAX_LIT];
	char *name = call, *open, *close, *arg[IMP_MAX_ARGS], a[64], b[64];
	int ti = (int)(t - im->task), n, fd, fd2;
	long ret;
	const char *eq;

	snprintf(line, sizeof(line), "%s", call);
	open = strchr(call, '(');
	if (!open)
		return;
	/* the ')' that closes the arguments (strings and brackets skipped),
	 * then strace's padding and "= RET" */
	{
		int depth = 0;
		bool quote = false;

		for (close = open; *close; close++) {
			if (quote) {
				if (*close == '\\' && close[1])
					close++;
				else if (*close == '"')
					quote = false;
			} else if (*close == '"') {
				quote = true;
			} else if (*close == '(' || *close == '[' ||
				   *close == '{') {
				depth++;
			} else if ((*close == ')' || *close == ']' ||
				    *close == '}') && !--depth) {
				break;
			}
		}
		if (*close != ')')
			return;
		eq = close + 1;
		while (*eq == ' ')
			eq++;
		if (strncmp(eq, "= ", 2))
			return;
	}
	*open = 0;
	*close = 0;
	if (!parse_ret(eq + 2, &ret))
		return;
	n = split_args(open + 1, arg, IMP_MAX_ARGS);

	if ((!strcmp(name, "pipe") || !strcmp(name, "pipe2")) && n >= 1 &&
	    ret == 0) {
		int r, w;
		bool nb = n > 1 && strstr(arg[1], "O_NONBLOCK");

		if (sscanf(arg[0], "[%d, %d]", &r, &w) != 2)
			return;
		if (r < 0 || w < 0 || r >= IMP_MAX_FD || w >= IMP_MAX_FD) {
			snprintf(im->err, sizeof(im->err),
				 "line %ld: descriptor %d: the importer follows descriptors below %d",
				 im->lineno, r > w ? r : w, IMP_MAX_FD);
			return;
		}
		im->npipes++;
		im->fd[r] = (struct imp_fd){ im->npipes, 'r' };
		im->fd[w] = (struct imp_fd){ im->npipes, 'w' };
		fprintf(im->setup, "  pipe p%d%s%s\n", im->npipes,
			nb ? " nonblock" : "",
			n > 1 && strstr(arg[1], "O_DIRECT") ? " packet" : "");
		return;
	}
	if (!strcmp(name, "socketpair") && n == 4 && ret == 0 &&
	    strstr(arg[0], "AF_UNIX") && strstr(arg[1], "SOCK_STREAM")) {
		int x, y;

		if (sscanf(arg[3], "[%d, %d]", &x, &y) != 2)
			return;
		if (x < 0 || y < 0 || x >= IMP_MAX_FD || y >= IMP_MAX_FD) {
			snprintf(im->err, sizeof(im->err),
				 "line %ld: descriptor %d: the importer follows descriptors below %d",
				 im->lineno, x > y ? x : y, IMP_MAX_FD);
			return;
		}
		im->fd[x] = (struct imp_fd){ ++im->nsocks, 's' };
		im->fd[y] = (struct imp_fd){ ++im->nsocks, 's' };
		fprintf(im->setup, "  unix s%d s%d\n", im->nsocks - 1,
			im->nsocks);
		return;
	}
	if ((!strcmp(name, "clone") || !strcmp(name, "fork") ||
	     !strcmp(name, "vfork") || !strcmp(name, "clone3")) && ret > 0) {
		struct imp_task *c = task_of(im, (int)ret);

		if (c)
			c->forked = 1;
		return;
	}
	/* a descriptor strace saw opened or duplicated elsewhere: no longer
	 * the pipe we knew under that number */
	if ((!strcmp(name, "openat") || !strcmp(name, "open") ||
	     !strcmp(name, "dup") || !strcmp(name, "socket") ||
	     !strcmp(name, "eventfd2") || !strcmp(name, "memfd_create")) &&
	    ret >= 0 && ret < IMP_MAX_FD) {
		im->fd[ret].obj = 0;
		return;
	}
	if (n < 1 || !tracked(im, arg[0], &fd)) {
		/* dup2/dup3 onto a tracked fd, or a call on a tracked
		 * second argument (splice, tee) are checked below */
		if (!(n >= 3 && (!strcmp(name, "splice") || !strcmp(name, "tee"))))
			return;
		if (!tracked(im, arg[!strcmp(name, "tee") ? 1 : 2], &fd2))
			return;
		skip(im, t, line, "its input is not a pipe or socket of the log");
		return;
	}
	if ((!strcmp(name, "write") || !strcmp(name, "send") ||
	     !strcmp(name, "sendto")) && n >= 3) {
		long len = strace_string(arg[1], lit, sizeof(lit));

		if (len < 0) {
			skip(im, t, line, "strace cut the data short: record with -s 65535");
			return;
		}
		snprintf(op, sizeof(op), "%s %s %s",
			 im->fd[fd].end == 's' ? "send" : "write",
			 fd_name(im, fd, a, sizeof(a)), lit);
		emit(im, t, ti, op, ret, NULL);
		return;
	}
	if ((!strcmp(name, "read") || !strcmp(name, "recv") ||
	     !strcmp(name, "recvfrom")) && n >= 3) {
		long want = strtol(arg[2], NULL, 10);
		const char *data = NULL;

		if (ret >= 0) {
			if (strace_string(arg[1], lit, sizeof(lit)) != ret) {
				skip(im, t, line, "strace cut the data short: record with -s 65535");
				return;
			}
			data = lit;
		}
		snprintf(op, sizeof(op), "%s %s %ld",
			 im->fd[fd].end == 's' ? "recv" : "read",
			 fd_name(im, fd, a, sizeof(a)), want);
		emit(im, t, ti, op, ret, data ? data : "\"\"");
		return;
	}
	if (!strcmp(name, "splice") && n == 6) {
		if (!tracked(im, arg[2], &fd2)) {
			skip(im, t, line, "its output is not a pipe or socket of the log");
			return;
		}
		if (strcmp(arg[1], "NULL") || strcmp(arg[3], "NULL")) {
			skip(im, t, line, "an offset: files are not imported");
			return;
		}
		snprintf(op, sizeof(op), "splice %s %s %s%s%s%s",
			 fd_name(im, fd, a, sizeof(a)),
			 fd_name(im, fd2, b, sizeof(b)), arg[4],
			 strstr(arg[5], "SPLICE_F_NONBLOCK") ? " nonblock" : "",
			 strstr(arg[5], "SPLICE_F_MORE") ? " more" : "",
			 strstr(arg[5], "SPLICE_F_MOVE") ? " move" : "");
		emit(im, t, ti, op, ret, NULL);
		return;
	}
	if (!strcmp(name, "tee") && n == 4) {
		if (!tracked(im, arg[1], &fd2)) {
			skip(im, t, line, "its output is not a pipe of the log");
			return;
		}
		snprintf(op, sizeof(op), "tee %s %s %s%s",
			 fd_name(im, fd, a, sizeof(a)),
			 fd_name(im, fd2, b, sizeof(b)), arg[2],
			 strstr(arg[3], "SPLICE_F_NONBLOCK") ? " nonblock" : "");
		emit(im, t, ti, op, ret, NULL);
		return;
	}
	if (!strcmp(name, "close")) {
		if (t->forked) {
			/* its parent's copy stays open, and tracked */
			skip(im, t, line, "a forked task's own copy: the model's handles are per world, not per process");
			return;
		}
		snprintf(op, sizeof(op), "close %s",
			 fd_name(im, fd, a, sizeof(a)));
		emit(im, t, ti, op, ret, NULL);
		im->fd[fd].obj = 0;
		return;
	}
	if (!strcmp(name, "fcntl") && n == 3 &&
	    !strcmp(arg[1], "F_SETPIPE_SZ") && im->fd[fd].end != 's') {
		snprintf(op, sizeof(op), "pipe_size %s %s",
			 fd_name(im, fd, a, sizeof(a)), arg[2]);
		emit(im, t, ti, op, ret, NULL);
		return;
	}
	if (!strcmp(name, "fcntl") && n >= 2 && !strcmp(arg[1], "F_GETPIPE_SZ")) {
		snprintf(op, sizeof(op), "get_pipe_size %s",
			 fd_name(im, fd, a, sizeof(a)));
		emit(im, t, ti, op, ret, NULL);
		return;
	}
	if (!strcmp(name, "vmsplice")) {
		skip(im, t, line, "the contents of user memory are not in an strace log");
		return;
	}
	if (!strcmp(name, "fstat") || !strcmp(name, "newfstatat") ||
	    !strcmp(name, "fcntl") || !strcmp(name, "ioctl") ||
	    !strcmp(name, "poll") || !strcmp(name, "ppoll"))
		return;		/* no state of the model's changes */
	skip(im, t, line, "a call the importer does not know");
}

/* one line of the log: "PID call..." (strace -f), "[pid PID] ...", or a
 * single task's "call..." */
static void import_line(struct imp *im, char *s)
{
	struct imp_task *t;
	int pid = 0;
	char *p, *res;

	s[strcspn(s, "\n")] = 0;
	if (!strncmp(s, "[pid ", 5)) {
		pid = (int)strtol(s + 5, &p, 10);
		s = strchr(p, ']') ? strchr(p, ']') + 1 : p;
	} else if (isdigit((unsigned char)*s)) {
		pid = (int)strtol(s, &p, 10);
		s = p;
	}
	while (*s == ' ')
		s++;
	if (!*s || !strncmp(s, "+++", 3) || !strncmp(s, "---", 3))
		return;
	t = task_of(im, pid);
	if (!t)
		return;
	/* an unfinished call waits for its resumed half */
	p = strstr(s, " <unfinished ...>");
	if (p) {
		*p = 0;
		free(t->pending);
		t->pending = strdup(s);
		return;
	}
	res = strstr(s, " resumed>");
	if (!strncmp(s, "<... ", 5) && res) {
		static char whole[2 * IMP_MAX_LINE];

		snprintf(whole, sizeof(whole), "%s%s",
			 t->pending ? t->pending : "", res + 9);
		free(t->pending);
		t->pending = NULL;
		import_call(im, t, whole);
		return;
	}
	import_call(im, t, s);
}

const char cli_usage_import[] =
"usage: spansim import strace LOG [-o OUT.scn]\n"
"\n"
"Turns a log of `strace -f -s 65535 -o LOG PROGRAM` into a scenario: the\n"
"pipes (pipe, pipe2) and AF_UNIX stream socketpairs the program made, a\n"
"thread per task, and each call on them (write, read, send, recv, splice,\n"
"tee, close, F_SETPIPE_SZ, F_GETPIPE_SZ) as an operation whose result in\n"
"the log is an `expect` (the bytes a read returned too).  The order the log\n"
"saw is printed as the --schedule that replays it; `spansim explore`\n"
"then says which other orders give other results.\n"
"\n"
"Not imported, each left as a comment in its thread: vmsplice and user\n"
"memory (a log does not hold its contents), files and offsets, calls on\n"
"descriptors the program did not get from pipe or socketpair, data strace\n"
"cut short (record with -s 65535), and a close by a forked task of a\n"
"descriptor it inherited (the model's descriptors are per world).\n"
"\n"
"Limits (docs/limits.md): 64 tasks, descriptors below 1024, lines below\n"
"1 MiB; past one the import stops with the line, exit 2.\n"
"\n"
"exit status: 0 written; 2 a usage error, a log that cannot be read, a\n"
"limit passed, or a log with no call on a pipe or socket.\n";

int cmd_import(int argc, char **argv)
{
	struct imp *im;
	const char *out_path = NULL, *log = NULL;
	FILE *in, *out = stdout;
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (argc > 0 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		fputs(cli_usage_import, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[0], "strace"))
		return cli_usage_error("import", "needs 'strace LOG'%s", "");
	log = argv[1];
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out_path = argv[++i];
		else
			return cli_usage_error("import", "unknown argument '%s'",
					       argv[i]);
	}
	in = fopen(log, "r");
	if (!in) {
		fprintf(stderr, "spansim import: %s: %s\n", log, strerror(errno));
		return 2;
	}
	im = calloc(1, sizeof(*im));
	if (!im) {
		fclose(in);
		return 2;
	}
	im->log = log;
	im->last_task = -1;
	im->setup = open_memstream(&im->setup_buf, &im->setup_len);
	im->expects = open_memstream(&im->expects_buf, &im->expects_len);
	im->schedf = open_memstream(&im->sched, &im->sched_len);
	if (!im->setup || !im->expects || !im->schedf) {
		ret = 2;
		goto out;
	}
	for (ssize_t len; (len = getline(&line, &cap, in)) > 0 && !im->err[0];) {
		im->lineno++;
		if ((size_t)len >= IMP_MAX_LINE) {
			snprintf(im->err, sizeof(im->err),
				 "line %ld: longer than %d bytes", im->lineno,
				 IMP_MAX_LINE - 1);
			break;
		}
		import_line(im, line);
	}
	if (im->err[0]) {
		fprintf(stderr, "spansim import: %s: %s\n", log, im->err);
		ret = 2;
		goto out;
	}
	if (ferror(in)) {
		fprintf(stderr, "spansim import: %s: %s\n", log, strerror(errno));
		ret = 2;
		goto out;
	}
	sched_add(im, -2);	/* flush the last run */
	if (fflush(im->setup) || fflush(im->expects) || fflush(im->schedf)) {
		fprintf(stderr, "spansim import: out of memory\n");
		ret = 2;
		goto out;
	}
	for (int i = 0; i < im->ntasks; i++)
		fflush(im->task[i].ops);
	if (!im->nops) {
		fprintf(stderr, "spansim import: %s: no call on a pipe or a socket the program made (pipe, pipe2, socketpair); is it an strace log?\n",
			log);
		ret = 2;
		goto out;
	}
	if (out_path && !(out = fopen(out_path, "w"))) {
		fprintf(stderr, "spansim import: cannot write %s: %s\n", out_path,
			strerror(errno));
		ret = 2;
		goto out;
	}
	fprintf(out, "scenario imported\n");
	fprintf(out, "doc \"imported from an strace log: %d calls of %d tasks\"\n",
		im->nops, im->ntasks);
	fprintf(out, "# spansim import strace %s\n", log);
	fprintf(out, "# the order the log saw: spansim run FILE --schedule '%s'\n",
		im->sched ? im->sched : "");
	if (im->nskipped)
		fprintf(out, "# %d calls not modelled: see the comments in the threads\n",
			im->nskipped);
	fputc('\n', out);
	for (int i = 1; i < im->ntasks; i++)
		if (im->task[i].ops_len)
			fprintf(out, "process task%d\n", im->task[i].pid);
	fprintf(out, "\nsetup\n%send\n", im->setup_buf);
	for (int i = 0; i < im->ntasks; i++) {
		if (!im->task[i].ops_len)
			continue;
		fprintf(out, "\nthread t%d", im->task[i].pid);
		if (i)
			fprintf(out, " in task%d", im->task[i].pid);
		fprintf(out, "\n%send\n", im->task[i].ops_buf);
	}
	fprintf(out, "\n%s", im->expects_buf);
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "spansim import: cannot write %s: %s\n", out_path,
			strerror(errno));
		ret = 2;
	}
	fprintf(stderr, "spansim import: %d calls of %d tasks, %d not modelled; replay the log's order with --schedule '%s'\n",
		im->nops, im->ntasks, im->nskipped, im->sched ? im->sched : "");
out:
	fclose(in);
	free(line);
	if (im->setup)
		fclose(im->setup);
	if (im->expects)
		fclose(im->expects);
	if (im->schedf)
		fclose(im->schedf);
	free(im->setup_buf);
	free(im->expects_buf);
	for (int i = 0; i < im->ntasks; i++) {
		fclose(im->task[i].ops);
		free(im->task[i].ops_buf);
		free(im->task[i].pending);
	}
	free(im->sched);
	free(im);
	return ret;
}

