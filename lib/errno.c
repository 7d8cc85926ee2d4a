// SPDX-License-Identifier: MIT
/*
 * errno.c - errno names and descriptions, from one X-macro table
 * (libuv UV_ERRNO_MAP style).  Kernel-internal codes keep their kernel
 * numbers (include/linux/errno.h).
 */
#include <stdlib.h>

#include "internal.h"

#define SPAN_ERRNO_MAP(X)						\
	X(EPERM, "Operation not permitted")				\
	X(ENOENT, "No such file or directory")				\
	X(ESRCH, "No such process")					\
	X(EINTR, "Interrupted system call")				\
	X(EIO, "Input/output error")					\
	X(ENXIO, "No such device or address")				\
	X(E2BIG, "Argument list too long")				\
	X(EBADF, "Bad file descriptor")					\
	X(EAGAIN, "Resource temporarily unavailable")			\
	X(ENOMEM, "Cannot allocate memory")				\
	X(EACCES, "Permission denied")					\
	X(EFAULT, "Bad address")					\
	X(EBUSY, "Device or resource busy")				\
	X(EEXIST, "File exists")					\
	X(EXDEV, "Invalid cross-device link")				\
	X(ENODEV, "No such device")					\
	X(ENOTDIR, "Not a directory")					\
	X(EISDIR, "Is a directory")					\
	X(EINVAL, "Invalid argument")					\
	X(ENFILE, "Too many open files in system")			\
	X(EMFILE, "Too many open files")				\
	X(EFBIG, "File too large")					\
	X(ENOSPC, "No space left on device")				\
	X(ESPIPE, "Illegal seek")					\
	X(EROFS, "Read-only file system")				\
	X(EPIPE, "Broken pipe")						\
	X(ERANGE, "Numerical result out of range")			\
	X(ENODATA, "No data available")					\
	X(ENOBUFS, "No buffer space available")				\
	X(EOPNOTSUPP, "Operation not supported")			\
	X(EMSGSIZE, "Message too long")					\
	X(ENOTCONN, "Transport endpoint is not connected")		\
	X(EISCONN, "Transport endpoint is already connected")		\
	X(ECONNRESET, "Connection reset by peer")			\
	X(ECONNREFUSED, "Connection refused")				\
	X(ENOTSOCK, "Socket operation on non-socket")			\
	X(EDESTADDRREQ, "Destination address required")			\
	X(EPROTO, "Protocol error")					\
	X(ENOSYS, "Function not implemented")				\
	X(ETIMEDOUT, "Connection timed out")				\
	X(EREMOTEIO, "Remote I/O error")				\
	X(EOVERFLOW, "Value too large for defined data type")		\
	X(ENOTEMPTY, "Directory not empty")				\
	X(ESHUTDOWN, "Cannot send after transport endpoint shutdown")	\
	X(EALREADY, "Operation already in progress")			\
	X(EINPROGRESS, "Operation now in progress")			\
	X(ENOTTY, "Inappropriate ioctl for device")			\
	X(ETXTBSY, "Text file busy")					\
	X(ENOTBLK, "Block device required")				\
	X(ECHILD, "No child processes")					\
	X(EDOM, "Numerical argument out of domain")			\
	X(EDEADLK, "Resource deadlock avoided")				\
	X(ENAMETOOLONG, "File name too long")				\
	X(ENOLCK, "No locks available")					\
	X(ELOOP, "Too many levels of symbolic links")			\
	X(ENOMSG, "No message of desired type")				\
	X(EBADMSG, "Bad message")					\
	X(ENOTSUP_, "Operation not supported")

struct errno_ent {
	int err;
	const char *name;
	const char *desc;
};

#define ENOTSUP_ EOPNOTSUPP
#define X(e, d) { e, #e, d },
static const struct errno_ent errno_map[] = {
	SPAN_ERRNO_MAP(X)
	{ SPAN_ERESTARTSYS, "ERESTARTSYS", "Restart the system call" },
	{ SPAN_ENOIOCTLCMD, "ENOIOCTLCMD", "No ioctl command" },
	{ SPAN_EWOULDSLEEP, "EWOULDSLEEP", "The call would sleep (model-internal)" },
};
#undef X

#define NR_ERRNO (sizeof(errno_map) / sizeof(errno_map[0]))

static const struct errno_ent *find(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < NR_ERRNO; i++)
		if (errno_map[i].err == err && strcmp(errno_map[i].name, "ENOTSUP_"))
			return &errno_map[i];
	return NULL;
}

const char *span_errname(int err)
{
	const struct errno_ent *e = find(err);

	return e ? e->name : NULL;
}

const char *span_strerror(int err)
{
	const struct errno_ent *e = find(err);

	return e ? e->desc : "Unknown error";
}

int span_errno_lookup(const char *name)
{
	if (!name)
		return 0;
	if (*name == '-')
		name++;
	if (!strcmp(name, "ENOTSUP") || !strcmp(name, "EWOULDBLOCK"))
		return !strcmp(name, "ENOTSUP") ? EOPNOTSUPP : EAGAIN;
	for (size_t i = 0; i < NR_ERRNO; i++)
		if (!strcmp(errno_map[i].name, name) &&
		    strcmp(name, "ENOTSUP_"))
			return errno_map[i].err;
	return 0;
}
