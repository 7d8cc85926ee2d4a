// SPDX-License-Identifier: MIT
/*
 * socket.c - the socket layer and the kernel event queue.
 *
 * Placeholder until the network model (tcp.c, af_unix.c, skbuff.c,
 * zerocopy.c, loopback.c) lands: no socket can be created yet, so every
 * socket handle is invalid and socket calls return -EBADF, and creating a
 * socket returns -EOPNOTSUPP.
 */
#include "internal.h"

int span__net_init(struct span_world *w)
{
	return span__tab_init(w, &w->net.events, sizeof(struct span_event_ent));
}

void span__net_destroy(struct span_world *w)
{
	span__tab_destroy(w, &w->net.events);
}

void span__net_teardown(struct span_world *w)
{
	(void)w;
}

bool span__sock_valid(const struct span_world *w, uint32_t sock)
{
	(void)w;
	(void)sock;
	return false;
}

int span__sock_close(struct span_world *w, uint32_t sock)
{
	(void)w;
	(void)sock;
	return -EBADF;
}

ssize_t span__splice_to_socket(struct span_world *w, uint32_t pid,
			       struct span_pipe_inode_info *pipe, int fd,
			       size_t len, unsigned int flags, bool nonblock)
{
	return -EBADF;
}

ssize_t span__sock_splice_read(struct span_world *w, uint32_t pid, int fd,
			       uint64_t *off_in,
			       struct span_pipe_inode_info *pipe, size_t len,
			       unsigned int flags, bool nonblock)
{
	return -EBADF;
}

int span_tcp_connect(struct span_world *w, int *a, int *b)
{
	return -EOPNOTSUPP;
}

int span_unix_pair(struct span_world *w, int *a, int *b)
{
	return -EOPNOTSUPP;
}

int span_setsockopt_zerocopy(struct span_world *w, int fd, int val)
{
	return -EBADF;
}

ssize_t span_sendmsg(struct span_world *w, int pid, int fd,
		     const struct span_src *src, size_t len,
		     unsigned int flags, size_t *done)
{
	return -EBADF;
}

ssize_t span_recvmsg(struct span_world *w, int pid, int fd, void *out,
		     size_t len, unsigned int flags)
{
	return -EBADF;
}

int span_recv_errqueue(struct span_world *w, int fd, bool wait, char *out,
		       size_t size)
{
	return -EBADF;
}

int span_sock_completions(const struct span_world *w, int fd, char *out,
			  size_t size)
{
	return -EBADF;
}

ssize_t span_decrypt(struct span_world *w, int pid, int fd, size_t len)
{
	return -EBADF;
}

const char *span_event_kind_name(int kind)
{
	static const char *const names[SPAN_NR_EVENT_KINDS] = {
		[SPAN_EV_XMIT] = "tcp_write_xmit",
		[SPAN_EV_DELIVER] = "loopback_xmit",
		[SPAN_EV_ACK] = "tcp_ack",
		[SPAN_EV_FREE] = "skb_attempt_defer_free",
	};

	if (kind < 0 || kind >= SPAN_NR_EVENT_KINDS)
		return NULL;
	return names[kind];
}

int span_world_events(const struct span_world *w, struct span_event *out,
		      int max)
{
	(void)out;
	(void)max;
	return w ? 0 : -EINVAL;
}

int span_world_run_event(struct span_world *w, uint32_t id)
{
	return -ENOENT;
}

void span__net_account(struct span_world *w, struct span_counts *c)
{
	(void)w;
	(void)c;
}

bool span__net_refers_owner(struct span_world *w, uint32_t owner)
{
	(void)w;
	(void)owner;
	return false;
}

void span__net_canon(struct span_world *w,
		     void (*sink)(void *ctx, const void *p, size_t n),
		     void *ctx)
{
	(void)w;
	(void)sink;
	(void)ctx;
}
