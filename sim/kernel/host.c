// SPDX-License-Identifier: MIT
/*
 * host.c - probe the live kernel for the behaviours that differ between
 * kernel builds and configurations (host.h).
 *
 * Not a kernel file.  Each probe is a few system calls whose result
 * userspace can observe; nothing here needs privileges.
 */
#define _GNU_SOURCE
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#include "span/policy.h"

int64_t host_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t len;

	buf[0] = 0;
	if (!f)
		return;
	if (!fgets(buf, (int)n, f))
		buf[0] = 0;
	fclose(f);
	len = strlen(buf);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = 0;
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
}

/* "always [madvise] never" -> "madvise" */
static void thp_selected(char *out, size_t n)
{
	char line[128], *a, *b;

	read_line("/sys/kernel/mm/transparent_hugepage/enabled", line,
		  sizeof(line));
	out[0] = 0;
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b && (size_t)(b - a - 1) < n) {
		memcpy(out, a + 1, (size_t)(b - a - 1));
		out[b - a - 1] = 0;
	}
}

/*
 * What a pipe reader sees after vmsplice() of never-touched (@touch false)
 * or read-faulted (@touch true) anonymous memory and a later store of 'B':
 * 0 (the pipe holds the zero page), 'B' (a private page the store went
 * into), or -errno.  KREF: mm/memory.c do_anonymous_page(), mm/gup.c.
 */
static int vmsplice_sees(bool touch)
{
	long pg = sysconf(_SC_PAGESIZE);
	int p[2], ret;
	char *buf, c = 'x';
	struct iovec iov;

	buf = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -errno;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK)) {
		ret = -errno;
		munmap(buf, (size_t)pg);
		return ret;
	}
	if (touch)
		c = *(volatile char *)buf;
	iov = (struct iovec){ buf, (size_t)pg };
	if (vmsplice(p[1], &iov, 1, 0) != pg) {
		ret = -EIO;
	} else {
		buf[0] = 'B';
		ret = read(p[0], &c, 1) == 1 ? (unsigned char)c : -EIO;
	}
	close(p[0]);
	close(p[1]);
	munmap(buf, (size_t)pg);
	return ret;
}

static void probe_gup_zero_page(struct host_facts *h)
{
	int untouched = vmsplice_sees(false), read = vmsplice_sees(true);

	h->gup_zero_page = -1;
	if (untouched < 0 || read < 0) {
		snprintf(h->gup_zero_page_why, sizeof(h->gup_zero_page_why),
			 "probe failed: %s",
			 strerror(untouched < 0 ? -untouched : -read));
	} else if (untouched != read ||
		   (untouched != 0 && untouched != 'B')) {
		snprintf(h->gup_zero_page_why, sizeof(h->gup_zero_page_why),
			 "inconclusive: vmsplice of untouched memory gives 0x%02x, of read-faulted memory 0x%02x",
			 untouched, read);
	} else if (untouched == 0) {
		h->gup_zero_page = SPAN_GUP_ZERO_PAGE_MAP;
		snprintf(h->gup_zero_page_why, sizeof(h->gup_zero_page_why),
			 "vmsplice of untouched memory holds the zero page: a later store is not seen");
	} else {
		h->gup_zero_page = SPAN_GUP_ZERO_PAGE_POPULATE;
		snprintf(h->gup_zero_page_why, sizeof(h->gup_zero_page_why),
			 "vmsplice of untouched memory holds a private page: a later store is seen");
	}
}

/*
 * sb->s_maxbytes of the file system under @dir, where `spansim kernel`
 * keeps its files: the largest size ftruncate() accepts on a file there
 * (inode_newsize_ok(): -EFBIG past s_maxbytes).  Truncating up writes no
 * data, so the search costs 63 ftruncate()s and no disk space.
 */
static void probe_s_maxbytes(struct host_facts *h, const char *dir)
{
	char path[256];
	struct statfs sf;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	uint64_t lo = 0, hi = (1ull << 63) - 1;
	int fd;

	h->s_maxbytes = -1;
	h->fs_type = 0;
	if (!statfs(dir, &sf))
		h->fs_type = (uint64_t)sf.f_type;
	snprintf(path, sizeof(path), "%s/spansim-probe.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return;
	unlink(path);
	/* RLIMIT_FSIZE would send SIGXFSZ: make it -EFBIG */
	sigaction(SIGXFSZ, &ign, &old);
	if (ftruncate(fd, 0))
		goto out;
	/* the largest size in [lo, hi] that ftruncate() takes */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (!ftruncate(fd, (off_t)mid))
			lo = mid;
		else if (errno == EFBIG || errno == EINVAL)
			hi = mid - 1;
		else
			goto out;
	}
	h->s_maxbytes = (int64_t)lo;
out:
	if (ftruncate(fd, 0)) {
		/* nothing to undo: the file is unlinked */
	}
	sigaction(SIGXFSZ, &old, NULL);
	close(fd);
}

static uint64_t cap_eff(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

void host_probe(struct host_facts *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	if (!uname(&u))
		snprintf(h->release, sizeof(h->release), "%s", u.release);
	probe_gup_zero_page(h);
	thp_selected(h->thp_enabled, sizeof(h->thp_enabled));
	h->page_size = sysconf(_SC_PAGESIZE);
	h->pipe_max_size = host_sysctl("/proc/sys/fs/pipe-max-size");
	h->pipe_user_pages_soft =
		host_sysctl("/proc/sys/fs/pipe-user-pages-soft");
	h->pipe_user_pages_hard =
		host_sysctl("/proc/sys/fs/pipe-user-pages-hard");
	h->max_skb_frags = host_sysctl("/proc/sys/net/core/max_skb_frags");
	h->optmem_max = host_sysctl("/proc/sys/net/core/optmem_max");
	read_line("/proc/sys/net/ipv4/tcp_wmem", h->tcp_wmem,
		  sizeof(h->tcp_wmem));
	read_line("/proc/sys/net/ipv4/tcp_rmem", h->tcp_rmem,
		  sizeof(h->tcp_rmem));
	h->cap_eff = cap_eff();
	probe_s_maxbytes(h, HOST_FILE_DIR);
}

void host_print(const struct host_facts *h, FILE *out)
{
	fprintf(out, "kernel: host: Linux %s, page size %ld\n",
		h->release[0] ? h->release : "?", h->page_size);
	if (h->gup_zero_page >= 0)
		fprintf(out, "kernel: host: gup_zero_page = %s (%s)\n",
			span_knob_value_name(SPAN_KNOB_GUP_ZERO_PAGE,
					     h->gup_zero_page),
			h->gup_zero_page_why);
	else
		fprintf(out, "kernel: host: gup_zero_page unknown (%s); the model keeps its own value\n",
			h->gup_zero_page_why);
	fprintf(out, "kernel: host: transparent_hugepage = %s (not modelled)\n",
		h->thp_enabled[0] ? h->thp_enabled : "absent");
	fprintf(out, "kernel: host: fs.pipe-max-size = %" PRId64
		", fs.pipe-user-pages-soft = %" PRId64
		", fs.pipe-user-pages-hard = %" PRId64 "\n",
		h->pipe_max_size, h->pipe_user_pages_soft,
		h->pipe_user_pages_hard);
	fprintf(out, "kernel: host: net.core.max_skb_frags = %" PRId64
		", net.core.optmem_max = %" PRId64 "\n",
		h->max_skb_frags, h->optmem_max);
	fprintf(out, "kernel: host: net.ipv4.tcp_wmem = %s, net.ipv4.tcp_rmem = %s\n",
		h->tcp_wmem[0] ? h->tcp_wmem : "?",
		h->tcp_rmem[0] ? h->tcp_rmem : "?");
	fprintf(out, "kernel: host: effective capabilities of spansim 0x%" PRIx64 "\n",
		h->cap_eff);
	fprintf(out, "kernel: host: s_maxbytes of %s = %" PRId64 " (0x%" PRIx64
		"), file system magic 0x%" PRIx64 "\n", HOST_FILE_DIR,
		h->s_maxbytes, (uint64_t)h->s_maxbytes, h->fs_type);
}
