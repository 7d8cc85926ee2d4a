// SPDX-License-Identifier: MIT
/*
 * pipes.c - a small program whose strace log tests `spansim import strace`
 * (tests/import.sh): pipes, tee, splice, a forked reader, an AF_UNIX
 * socketpair, a read at EOF and one that would block.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int a[2], b[2], s[2], status = 0;
	char buf[64];

	if (pipe(a) || pipe2(b, O_NONBLOCK) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, s))
		return 1;
	if (write(a[1], "hello, world", 12) != 12)
		return 1;
	if (tee(a[0], b[1], 5, 0) != 5)
		return 1;
	if (splice(a[0], NULL, b[1], NULL, 7, SPLICE_F_MOVE) != 7)
		return 1;
	if (fork() == 0) {
		ssize_t n = read(b[0], buf, sizeof(buf));

		close(b[0]);
		_exit(n == 12 ? 0 : 1);
	}
	wait(&status);
	if (read(b[0], buf, sizeof(buf)) != -1)	/* empty, O_NONBLOCK */
		return 1;
	if (send(s[0], "ping\n\001", 6, 0) != 6 ||
	    recv(s[1], buf, sizeof(buf), 0) != 6)
		return 1;
	if (read(a[0], buf, sizeof(buf)) != 5)	/* "world" */
		return 1;
	close(a[1]);
	if (read(a[0], buf, sizeof(buf)) != 0)	/* EOF */
		return 1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}
