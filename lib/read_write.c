// SPDX-License-Identifier: MIT
/*
 * read_write.c - read(2), write(2) and close(2) on a handle.
 *
 * Models the dispatch of fs/read_write.c (vfs_read(), vfs_write()) and
 * fs/open.c (filp_close()) to the pipe, regular-file and socket
 * implementations.
 */
#include "internal.h"

bool span_fd_valid(const struct span_world *w, int fd)
{
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);

	if (!w || fd <= 0)
		return false;
	switch (SPAN_FD_TYPE(fd)) {
	case SPAN_FD_PIPE_R:
		return span__tab_live(&w->pipes, id) &&
		       TAB_AT(w->pipes, struct span_pipe_inode_info, id)->readers;
	case SPAN_FD_PIPE_W:
		return span__tab_live(&w->pipes, id) &&
		       TAB_AT(w->pipes, struct span_pipe_inode_info, id)->writers;
	case SPAN_FD_FILE:
		return span__tab_live(&w->files, id) &&
		       TAB_AT(w->files, struct span_file, id)->open;
	case SPAN_FD_SOCK:
		return span__sock_valid(w, id);
	default:
		return false;
	}
}

ssize_t span_write(struct span_world *w, int pid, int fd,
		   const struct span_src *src, size_t len, unsigned int flags,
		   size_t *done)
{
	size_t local = 0;
	struct span_file *f;
	ssize_t ret;

	if (!w || !src || (flags & ~SPAN_O_NONBLOCK))
		return -EINVAL;
	if (!done)
		done = &local;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	if (!span_fd_valid(w, fd))
		return -EBADF;
	switch (SPAN_FD_TYPE(fd)) {
	case SPAN_FD_PIPE_W:
		return span__pipe_write(w, (uint32_t)pid,
					PIPE(w, SPAN_FD_ID(fd)), src, len,
					flags, done);
	case SPAN_FD_FILE:
		f = FILEP(w, SPAN_FD_ID(fd));
		if (f->ro)
			return -EBADF;
		if (f->chr)	/* write_null(), write_full() */
			return span__chr_write(w, (uint32_t)SPAN_FD_ID(fd), len);
		if (!len)
			return 0;
		{
			/*
			 * KREF: generic_perform_write() copies page by page
			 * and a copy that faults ends the write short: the
			 * bytes before the first unmapped page of the source
			 * are written, -EFAULT only when there are none.
			 * Nothing past the source's mapping can be copied.
			 */
			size_t cap = len, got = 0;
			uint8_t *tmp;
			struct span_prov *prov;

			if (src->region > 0) {
				int64_t sz = span_region_size(w, src->region);

				cap = sz > 0 && (uint64_t)sz > src->off ?
					      (size_t)((uint64_t)sz - src->off) :
					      0;
				if (cap > len)
					cap = len;
			}
			tmp = span__alloc(w, cap ? cap : 1);
			prov = span__alloc(w, (cap ? cap : 1) * sizeof(*prov));
			while (tmp && prov && got < cap) {
				uint64_t at = src->off + got;
				size_t n = w->page_size - (at & (w->page_size - 1));

				if (!src->region || n > cap - got)
					n = cap - got;
				if (span__user_copy_from(w, (uint32_t)pid, src,
							 got, tmp + got,
							 prov + got, (uint32_t)n))
					break;
				got += n;
			}
			if (!tmp || !prov) {
				ret = -ENOMEM;
			} else if (!got) {
				ret = -EFAULT;
			} else {
				ret = span__file_write_iter(w, (uint32_t)pid,
							    (uint32_t)SPAN_FD_ID(fd),
							    f->pos, tmp, prov,
							    got);
				if (ret > 0)
					FILEP(w, SPAN_FD_ID(fd))->pos +=
						(uint64_t)ret;
			}
			span__free(w, tmp);
			span__free(w, prov);
		}
		return ret;
	case SPAN_FD_SOCK:
		return span_sendmsg(w, pid, fd, src, len, flags, done);
	default:
		return -EBADF;	/* the read end: not FMODE_WRITE */
	}
}

ssize_t span_read(struct span_world *w, int pid, int fd, void *out, size_t len,
		  unsigned int flags)
{
	if (!w || (len && !out) || (flags & ~SPAN_O_NONBLOCK))
		return -EINVAL;
	if (!span__proc_live(w, (uint32_t)pid))
		return -ESRCH;
	if (!span_fd_valid(w, fd))
		return -EBADF;
	switch (SPAN_FD_TYPE(fd)) {
	case SPAN_FD_PIPE_R:
		return span__pipe_read(w, (uint32_t)pid, PIPE(w, SPAN_FD_ID(fd)),
				       out, len, flags);
	case SPAN_FD_FILE:
		if (FILEP(w, SPAN_FD_ID(fd))->chr)
			return span__chr_read(w, (uint32_t)SPAN_FD_ID(fd), out,
					      len);
		if (!len)
			return 0;
		return span__file_read(w, (uint32_t)SPAN_FD_ID(fd), out, len);
	case SPAN_FD_SOCK:
		if (!len)
			return 0;	/* KREF: sock_read_iter(): SYS5 behaviour */
		return span_recvmsg(w, pid, fd, out, len, flags);
	default:
		return -EBADF;	/* the write end: not FMODE_READ */
	}
}

/*
 * span_ioctl - KREF: fs/ioctl.c SYSCALL_DEFINE3(ioctl): fdget() (-EBADF),
 * do_vfs_ioctl(): FIONREAD on a regular file is i_size - f_pos (on a
 * memory device, not S_ISREG, it goes on to vfs_ioctl(): no
 * ->unlocked_ioctl in mem.c, -ENOTTY), put into
 * an int; every other request on a regular file reaches file_ioctl() and
 * the filesystem's ->unlocked_ioctl(), neither of which knows the ones
 * modelled (-ENOIOCTLCMD, which vfs_ioctl() turns into -ENOTTY).  Pipes go
 * to pipe_ioctl(), sockets to sock_ioctl() -> sock_do_ioctl().
 */
int span_ioctl(struct span_world *w, int fd, unsigned int cmd, int *arg)
{
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);
	struct span_file *f;

	if (!w || !arg)
		return -EINVAL;
	if (!span_fd_valid(w, fd))
		return -EBADF;
	switch (SPAN_FD_TYPE(fd)) {
	case SPAN_FD_PIPE_R:
	case SPAN_FD_PIPE_W:
		return span__pipe_ioctl(w, PIPE(w, id), cmd, arg);
	case SPAN_FD_FILE:
		/* a device: not S_ISREG, and mem.c has no ->unlocked_ioctl */
		if (cmd != SPAN_FIONREAD || FILEP(w, id)->chr)
			return -ENOTTY;
		span__fp(w, false, SPAN_OBJ_FILE, id);
		f = FILEP(w, id);
		*arg = (int)(uint32_t)(f->size - f->pos);
		return 0;
	case SPAN_FD_SOCK:
		return span__sock_ioctl(w, id, cmd, arg);
	}
	return -EBADF;
}

/*
 * span_lseek - KREF: fs/read_write.c ksys_lseek(): fdget_pos() (-EBADF),
 * whence > SEEK_MAX is -EINVAL; vfs_llseek(): no FMODE_LSEEK (pipes,
 * sockets) is -ESPIPE; generic_file_llseek_size() with i_size as eof:
 * SEEK_END adds i_size, SEEK_CUR the position (SEEK_CUR 0 only reads it),
 * vfs_setpos(): a negative result or one past maxsize is -EINVAL, where
 * maxsize is sb->s_maxbytes (ext4_llseek() and shmem's generic llseek pass
 * it): the s_maxbytes parameter, which `spansim kernel` probes.
 */
int64_t span_lseek(struct span_world *w, int fd, int64_t off, int whence)
{
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);
	struct span_file *f;
	int64_t base, max;

	if (!w || !span_fd_valid(w, fd))
		return -EBADF;
	if (whence < SPAN_SEEK_SET || whence > SPAN_SEEK_END)
		return -EINVAL;
	if (SPAN_FD_TYPE(fd) != SPAN_FD_FILE)
		return -ESPIPE;
	f = FILEP(w, id);
	/* drivers/char/mem.c null_lseek() (also zero_ and full_lseek()) */
	if (f->chr) {
		span__fp(w, false, SPAN_OBJ_FILE, id);
		return 0;
	}
	if (whence == SPAN_SEEK_CUR && !off) {
		span__fp(w, false, SPAN_OBJ_FILE, id);
		return (int64_t)f->pos;
	}
	span__fp(w, true, SPAN_OBJ_FILE, id);
	base = whence == SPAN_SEEK_SET ? 0 :
	       whence == SPAN_SEEK_CUR ? (int64_t)f->pos : (int64_t)f->size;
	max = w->param[SPAN_PARAM_S_MAXBYTES] > (uint64_t)SPAN_MAX_LFS_FILESIZE ?
	      SPAN_MAX_LFS_FILESIZE : (int64_t)w->param[SPAN_PARAM_S_MAXBYTES];
	if (off > 0 && base > max - off)
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return base + off;
}

int span_close(struct span_world *w, int pid, int fd)
{
	uint32_t id = (uint32_t)SPAN_FD_ID(fd);

	(void)pid;
	if (!w || !span_fd_valid(w, fd))
		return -EBADF;
	switch (SPAN_FD_TYPE(fd)) {
	case SPAN_FD_PIPE_R:
		return span__pipe_close_end(w, id, true);
	case SPAN_FD_PIPE_W:
		return span__pipe_close_end(w, id, false);
	case SPAN_FD_FILE:
		span__fp(w, true, SPAN_OBJ_FILE, id);
		FILEP(w, id)->open = 0;
		return 0;
	case SPAN_FD_SOCK:
		return span__sock_close(w, id);
	}
	return -EBADF;
}
