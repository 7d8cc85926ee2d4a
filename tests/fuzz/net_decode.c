// SPDX-License-Identifier: MIT
/*
 * net_decode.c - fuzz input -> socket, pipe and memory operations and
 * kernel events (see net_decode.h).
 *
 * Not a kernel file.  Included by fuzz_net.c (every fuzz target is built
 * from one source file); it includes ops_decode.c for the configuration
 * (SPAN_FUZZ_POLICY) and the record mutator.
 */
#include "ops_decode.c"
#include "net_decode.h"

#define NET_MAX_REGIONS	8
#define NET_MAX_PIPES	8
#define NET_MAX_FILES	4
#define NET_MAX_SOCKS	8
#define NET_MAX_KMEMS	8
#define NET_MAX_EVENTS	64

struct net_state {
	struct span_world *w;
	uint64_t ps;			/* page size */
	int pid;
	int regions[NET_MAX_REGIONS];
	uint64_t region_size[NET_MAX_REGIONS];
	int nregions;
	int pipes[NET_MAX_PIPES];
	int npipes;
	int files[NET_MAX_FILES];
	int nfiles;
	int socks[NET_MAX_SOCKS];
	int nsocks;
	int kmems[NET_MAX_KMEMS];
	uint64_t kmem_size[NET_MAX_KMEMS];
	int nkmems;
	int kmem_owner[NET_MAX_KMEMS];	/* index in owners[], -1: none */
	int owners[NET_MAX_KMEMS];
	bool owner_put[NET_MAX_KMEMS];	/* the service's reference is gone */
	int nowners;
	int verbose;
};

static const char *const net_op_names[NET_NR] = {
	[NET_MMAP] = "mmap", [NET_STORE] = "store", [NET_PIPE] = "pipe",
	[NET_FILE] = "file", [NET_PWRITE] = "pwrite", [NET_WRITE] = "write",
	[NET_READ] = "read", [NET_VMSPLICE] = "vmsplice",
	[NET_SPLICE] = "splice", [NET_TEE] = "tee", [NET_CLOSE] = "close",
	[NET_SOCKPAIR] = "sockpair", [NET_SOCKOPT] = "sockopt",
	[NET_SEND] = "send", [NET_SEND_ZC] = "send_zc",
	[NET_SEND_KMEM] = "send_kmem", [NET_RECV] = "recv",
	[NET_ERRQUEUE] = "errqueue", [NET_DECRYPT] = "decrypt",
	[NET_KMEM] = "kmem", [NET_OWNER_PUT] = "owner_put",
	[NET_EVENT] = "event", [NET_SETTLE] = "settle",
};

/* opcodes whose argument bytes mean the same things (ops_mutate_nr()) */
static const uint8_t net_kin[NET_NR] = {
	[NET_READ] = 1, [NET_RECV] = 1, [NET_DECRYPT] = 1,	/* fd flags len */
	[NET_WRITE] = 2, [NET_SEND] = 2, [NET_SEND_ZC] = 2,
	[NET_SEND_KMEM] = 2,				/* fd flags len ... */
	[NET_SPLICE] = 3, [NET_TEE] = 3,		/* in out flags len */
	[NET_EVENT] = 4, [NET_SETTLE] = 4,		/* kernel work */
	[NET_CLOSE] = 5, [NET_SOCKOPT] = 5, [NET_ERRQUEUE] = 5,
	[NET_OWNER_PUT] = 5,				/* one handle */
	[NET_MMAP] = 6, [NET_PIPE] = 6, [NET_FILE] = 6,
	[NET_SOCKPAIR] = 6, [NET_KMEM] = 6,		/* a new object */
	[NET_STORE] = 7, [NET_PWRITE] = 7,		/* obj off len byte */
};

/*
 * A descriptor from selector @s (net_decode.h); false when there is no
 * pipe, socket or file at all.
 */
static bool net_pick_fd(struct net_state *st, uint8_t s, enum fd_role role,
			int *fd)
{
	int idx = s & 0x3f;

	for (int k = 0; k < 4; k++) {
		int kind = ((s >> 6) + k) % 4;

		switch (kind) {
		case 0:
		case 1:
			if (st->npipes) {
				bool rd = (role == FD_IN) != (kind == 1);

				*fd = SPAN_FD(rd ? SPAN_FD_PIPE_R : SPAN_FD_PIPE_W,
					      st->pipes[idx % st->npipes]);
				return true;
			}
			break;
		case 2:
			if (st->nsocks) {
				*fd = SPAN_FD(SPAN_FD_SOCK,
					      st->socks[idx % st->nsocks]);
				return true;
			}
			break;
		default:
			if (st->nfiles) {
				*fd = SPAN_FD(SPAN_FD_FILE,
					      st->files[idx % st->nfiles]);
				return true;
			}
			break;
		}
	}
	return false;
}

static int net_sock(struct net_state *st, uint8_t a)
{
	return SPAN_FD(SPAN_FD_SOCK, st->socks[a % st->nsocks]);
}

/* run kernel event @ev as a step of its own; false on a violation */
static bool net_event_step(struct net_state *st, int idx,
			   const struct span_event *ev)
{
	int ret;

	span_world_step_begin(st->w, 0, 0);
	ret = span_world_run_event(st->w, ev->id);
	if (st->verbose)
		fprintf(stderr, "op %d: event %s of #%u = %d\n", idx,
			span_event_kind_name(ev->kind), ev->obj, ret);
	return span_world_step_end(st->w) == 0;
}

/*
 * Run record @rec (@idx-th) as one step (NET_SETTLE: as many steps as
 * events).  Return: false when the world recorded a violation.
 */
static bool net_run_one(struct net_state *st, int idx, const uint8_t *rec)
{
	struct span_world *w = st->w;
	uint8_t a = rec[1], b = rec[2], c = rec[3], d = rec[4], e = rec[5],
		f = rec[6];
	int op = rec[0] % NET_NR, pid = st->pid, fd = 0, fd2 = 0;
	static char buf[BUF_MAX], data[BUF_MAX];
	struct span_event ev[NET_MAX_EVENTS];
	struct span_src src = { 0 };
	unsigned int fl = 0;
	bool skip = false;
	int64_t ret = 0;
	size_t len, done = 0;
	uint64_t off;
	int n;

	if (op == NET_EVENT || op == NET_SETTLE) {
		n = span_world_events(w, ev, NET_MAX_EVENTS);
		if (n <= 0)
			return true;
		if (n > NET_MAX_EVENTS)
			n = NET_MAX_EVENTS;
		if (op == NET_EVENT)
			return net_event_step(st, idx, &ev[a % n]);
		for (int guard = 0; guard < 4096; guard++) {
			if (span_world_events(w, ev, 1) <= 0)
				break;
			if (!net_event_step(st, idx, &ev[0]))
				return false;
		}
		return true;
	}

	span_world_step_begin(w, 0, pid);
	switch (op) {
	case NET_MMAP: {
		char fill = (char)('A' + b % 26);
		uint64_t size = (uint64_t)(a % 4 + 1) * st->ps;
		int region = 0;

		if (st->nregions == NET_MAX_REGIONS) {
			skip = true;
			break;
		}
		ret = span_mmap_anon(w, pid, size,
				     (c & 1) ? SPAN_MMAP_UNTOUCHED : 0,
				     &fill, 1, &region);
		st->region_size[st->nregions] = size;
		st->regions[st->nregions++] = ret ? 0 : region;
		break;
	}
	case NET_STORE:
		if (!st->nregions) {
			skip = true;
			break;
		}
		off = b % st->region_size[a % st->nregions];
		len = 1 + c % 96;
		memset(data, 'a' + d % 26, len);
		ret = span_store(w, pid, st->regions[a % st->nregions], off,
				 data, len);
		break;
	case NET_PIPE: {
		int p = 0;

		if (st->npipes == NET_MAX_PIPES) {
			skip = true;
			break;
		}
		fl = ((a & 1) ? SPAN_PIPE_PACKET : 0) |
		     ((a & 2) ? SPAN_PIPE_NONBLOCK : 0);
		ret = span_pipe_create(w, fl, &p);
		st->pipes[st->npipes++] = ret ? 0 : p;
		if (!ret && (a & 4)) {
			int64_t sz = span_pipe_set_size(w, SPAN_FD(SPAN_FD_PIPE_W, p),
							st->ps << (b % 3));

			ret = sz < 0 ? sz : 0;
		}
		break;
	}
	case NET_FILE: {
		char fill = (char)('a' + c % 26);
		int file = 0;

		if (st->nfiles == NET_MAX_FILES) {
			skip = true;
			break;
		}
		ret = span_file_create(w, b, (a & 1) ? SPAN_FILE_RDONLY : 0,
				       &fill, 1, &file);
		st->files[st->nfiles++] = ret ? 0 : file;
		break;
	}
	case NET_PWRITE:
		if (!st->nfiles) {
			skip = true;
			break;
		}
		off = b % (5 * st->ps);
		len = 1 + c % 64;
		memset(data, 'A' + d % 26, len);
		ret = span_pwrite(w, pid, SPAN_FD(SPAN_FD_FILE,
						  st->files[a % st->nfiles]),
				  data, len, off);
		break;
	case NET_WRITE:
		fl = (b & 1) ? SPAN_O_NONBLOCK : 0;
		len = (b & 4) ? (size_t)c * 8 : c;
		if (!net_pick_fd(st, a, FD_OUT, &fd)) {
			skip = true;
			break;
		}
		memset(data, 'a' + d % 26, len);
		src.buf = data;
		ret = span_write(w, pid, fd, &src, len, fl, &done);
		break;
	case NET_READ:
		fl = (b & 1) ? SPAN_O_NONBLOCK : 0;
		len = (b & 4) ? (size_t)c * 8 : c;
		if (!net_pick_fd(st, a, FD_IN, &fd)) {
			skip = true;
			break;
		}
		ret = span_read(w, pid, fd, buf, len, fl);
		break;
	case NET_VMSPLICE: {
		int ri;

		if (!st->nregions || !st->npipes) {
			skip = true;
			break;
		}
		fl = ((b & 1) ? SPAN_SPLICE_F_NONBLOCK : 0) |
		     ((b & 2) ? SPAN_SPLICE_F_GIFT : 0);
		/* the write end maps pages in; the read end copies out */
		fd = SPAN_FD((b & 4) ? SPAN_FD_PIPE_R : SPAN_FD_PIPE_W,
			     st->pipes[a % st->npipes]);
		ri = c % st->nregions;
		off = d % st->region_size[ri];
		ret = span_vmsplice(w, pid, fd, st->regions[ri], off, e, fl);
		break;
	}
	case NET_SPLICE:
	case NET_TEE: {
		uint64_t pos = e % (5 * st->ps), *off_in = NULL, *off_out = NULL;

		fl = ((c & 1) ? SPAN_SPLICE_F_NONBLOCK : 0) |
		     ((c & 2) ? SPAN_SPLICE_F_MORE : 0) |
		     ((c & 4) ? SPAN_SPLICE_F_MOVE : 0);
		if (!net_pick_fd(st, a, FD_IN, &fd) ||
		    !net_pick_fd(st, b, FD_OUT, &fd2)) {
			skip = true;
			break;
		}
		len = d;
		if (op == NET_TEE) {
			ret = span_tee(w, pid, fd, fd2, len,
				       fl & SPAN_SPLICE_F_NONBLOCK);
			break;
		}
		if (c & 8) {
			if (SPAN_FD_TYPE(fd) == SPAN_FD_FILE ||
			    SPAN_FD_TYPE(fd2) != SPAN_FD_FILE)
				off_in = &pos;
			else
				off_out = &pos;
		}
		ret = span_splice(w, pid, fd, off_in, fd2, off_out, len, fl);
		break;
	}
	case NET_CLOSE:
		if (!net_pick_fd(st, a, (a & 0x20) ? FD_OUT : FD_IN, &fd)) {
			skip = true;
			break;
		}
		ret = span_close(w, pid, fd);
		break;
	case NET_SOCKPAIR: {
		int sa = 0, sb = 0;

		if (st->nsocks + 2 > NET_MAX_SOCKS) {
			skip = true;
			break;
		}
		ret = (a & 1) ? span_tcp_connect(w, &sa, &sb) :
				span_unix_pair(w, &sa, &sb);
		if (ret) {
			/* no sockets: nothing to name */
			break;
		}
		st->socks[st->nsocks++] = sa;
		st->socks[st->nsocks++] = sb;
		break;
	}
	case NET_SOCKOPT:
		if (!st->nsocks) {
			skip = true;
			break;
		}
		ret = span_setsockopt_zerocopy(w, net_sock(st, a),
					       (b & 3) == 3 ? 0 : 1);
		break;
	case NET_SEND:
	case NET_SEND_ZC:
	case NET_SEND_KMEM: {
		int kind = op == NET_SEND ? e % 3 : op == NET_SEND_ZC ? 1 : 2;
		int i = op == NET_SEND ? f : e;

		if (!st->nsocks) {
			skip = true;
			break;
		}
		fl = ((b & 1) ? SPAN_O_NONBLOCK : 0) |
		     ((b & 8) ? SPAN_MSG_MORE : 0);
		if (op == NET_SEND_ZC)
			fl |= SPAN_MSG_ZEROCOPY;
		else if (op == NET_SEND_KMEM)
			fl |= SPAN_MSG_SPLICE_PAGES;
		len = c;
		if (kind == 1 && st->nregions) {
			i %= st->nregions;
			src.region = st->regions[i];
			src.off = d % st->region_size[i];
			/* mostly within the region */
			if (!(b & 0x80) && len > st->region_size[i] - src.off)
				len = st->region_size[i] - src.off;
		} else if (kind == 2 && st->nkmems) {
			i %= st->nkmems;
			/* memory whose owner the service put is not its own
			 * any more: it does not send it (a service bug) */
			if (st->kmem_owner[i] >= 0 &&
			    st->owner_put[st->kmem_owner[i]]) {
				skip = true;
				break;
			}
			src.kmem = st->kmems[i];
			src.off = d % st->kmem_size[i];
			if (!(b & 0x80) && len > st->kmem_size[i] - src.off)
				len = st->kmem_size[i] - src.off;
		} else if (op != NET_SEND) {
			skip = true;
			break;
		} else {
			memset(data, 'a' + d % 26, len);
			src.buf = data;
		}
		/*
		 * MSG_SPLICE_PAGES is for kernel senders (sendmsg(2) clears
		 * it: MSG_INTERNAL_SENDMSG_FLAGS), MSG_ZEROCOPY for user
		 * memory: each only with its kind of source
		 */
		if (op == NET_SEND && (b & 4) && src.kmem)
			fl |= SPAN_MSG_SPLICE_PAGES;
		if (op == NET_SEND && (b & 2) && !src.kmem)
			fl |= SPAN_MSG_ZEROCOPY;
		ret = span_sendmsg(w, pid, net_sock(st, a), &src, len, fl,
				   &done);
		break;
	}
	case NET_RECV:
		if (!st->nsocks) {
			skip = true;
			break;
		}
		fl = ((b & 1) ? SPAN_O_NONBLOCK : 0) |
		     ((b & 2) ? SPAN_MSG_PEEK : 0);
		len = (b & 4) ? (size_t)c * 8 : c;
		ret = span_recvmsg(w, pid, net_sock(st, a), buf, len, fl);
		break;
	case NET_ERRQUEUE:
		if (!st->nsocks) {
			skip = true;
			break;
		}
		ret = span_recv_errqueue(w, net_sock(st, a), false, buf,
					 sizeof(buf));
		break;
	case NET_DECRYPT:
		if (!st->nsocks) {
			skip = true;
			break;
		}
		/* the length where recv has it: a recv turned decrypt */
		len = (b & 4) ? (size_t)c * 8 : c;
		ret = span_decrypt(w, pid, net_sock(st, a), len);
		break;
	case NET_KMEM: {
		int kind = a % 3 == 0 ? SPAN_KMEM_PAGES :
			   a % 3 == 1 ? SPAN_KMEM_SLAB : SPAN_KMEM_OWNER;
		uint64_t size = 1 + b % (4 * st->ps);
		char fill = (char)('K' + c % 16);
		int region = 0, owner = 0;

		if (st->nkmems == NET_MAX_KMEMS ||
		    (kind == SPAN_KMEM_OWNER && st->nowners == NET_MAX_KMEMS)) {
			skip = true;
			break;
		}
		if (kind == SPAN_KMEM_OWNER) {
			ret = span_owner_create(w, &owner);
			if (ret)
				break;
			st->owners[st->nowners++] = owner;
		}
		ret = span_kmem_alloc(w, size, kind, owner, &fill, 1, &region);
		if (ret)
			break;
		st->kmem_owner[st->nkmems] = owner ? st->nowners - 1 : -1;
		st->kmem_size[st->nkmems] = size;
		st->kmems[st->nkmems++] = region;
		break;
	}
	case NET_OWNER_PUT:
		/* the service puts its reference once (a second put is a
		 * service bug, refcount-underflow) */
		if (!st->nowners || st->owner_put[a % st->nowners]) {
			skip = true;
			break;
		}
		st->owner_put[a % st->nowners] = true;
		ret = span_owner_put(w, st->owners[a % st->nowners]);
		break;
	default:
		skip = true;
	}

	if (ret == -SPAN_EWOULDSLEEP && done) {
		/* a blocking call that moved some bytes and would sleep:
		 * what it returns when a signal comes */
		ret = (int64_t)done;
	}
	if (skip || ret == -SPAN_EWOULDSLEEP) {
		/* nothing happened: a blocking call that would sleep */
		span_world_step_cancel(w);
		if (st->verbose && !skip)
			fprintf(stderr, "op %d: %s would block\n", idx,
				net_op_names[op]);
		return true;
	}
	if (st->verbose)
		fprintf(stderr, "op %d: %s = %lld\n", idx, net_op_names[op],
			(long long)ret);
	return span_world_step_end(w) == 0;
}

int net_run_world(struct span_world *w, const struct ops_config *cfg,
		  const uint8_t *data, size_t size, int verbose)
{
	struct ops_config def;
	struct net_state st;
	uint32_t mask = 0;
	int nviol, err;

	if (!cfg) {
		config_default(&def);
		cfg = &def;
	}
	/* the new world at the run's page size: no 4096-byte zero page */
	for (int p = 0; p < SPAN_NR_PARAMS; p++)
		if (cfg->param_set[p])
			mask |= 1u << p;
	err = span_world_reset_params(w, cfg->param, mask);
	if (err)
		return err;
	memset(&st, 0, sizeof(st));
	st.verbose = verbose;
	st.w = w;
	*span_world_policy(w) = cfg->policy;
	if (cfg->check_mode)
		span_world_set_check_mode(w, cfg->check_mode);
	for (int i = 0; i < SPAN_NR_INVARIANTS; i++)
		if (cfg->allow[i])
			span_world_allow(w, i, true);
	st.ps = span_world_param(w, SPAN_PARAM_PAGE_SIZE);
	st.pid = SPAN_INIT_PID;

	for (size_t i = 0; i + OPS_REC_SIZE <= size && i / OPS_REC_SIZE < OPS_MAX_RECS;
	     i += OPS_REC_SIZE)
		if (!net_run_one(&st, (int)(i / OPS_REC_SIZE), data + i))
			break;

	/* the end of the run: pending events, then every object goes */
	if (!span_world_nr_violations(w)) {
		span_world_step_begin(w, 0, 0);
		span_world_teardown(w);
	}
	nviol = span_world_nr_violations(w);
	for (int i = 0; i < nviol && verbose; i++) {
		const struct span_violation *v = span_world_violation(w, i);

		fprintf(stderr, "violation %s at step %llu in %s: %s\n",
			span_invariant_name(v->inv), (unsigned long long)v->step,
			v->func ? v->func : "?", v->msg);
	}
	{
		struct span_check_stats cs;

		if (!span_world_check_stats(w, &cs) && cs.diverged) {
			fprintf(stderr, "net_run: the incremental checker and the full walk disagree at step %llu: %s\n",
				(unsigned long long)cs.diverged_step,
				cs.diverged_msg);
			nviol = OPS_DIVERGED;
		}
	}
	return nviol;
}
