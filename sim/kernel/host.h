/* SPDX-License-Identifier: MIT */
/*
 * host.h - what the live kernel of this machine does where kernel builds
 * and configurations differ, probed by `spansim kernel` before it compares.
 *
 * Not a kernel file.  Each probed behaviour that the model can switch is a
 * host knob (span_knob_is_host()); the differential runner runs the model
 * under the value found here unless the scenario names the knob itself.
 */
#ifndef SPANSIM_HOST_H
#define SPANSIM_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/**
 * struct host_facts - the live kernel, as probed.
 * @release: uname -r.
 * @gup_zero_page: SPAN_GUP_ZERO_PAGE_MAP or _POPULATE, or -1 when the
 *	probe could not tell (@gup_zero_page_why says why).
 * @gup_zero_page_why: how the value was found, or why not.
 * @thp_enabled: /sys/kernel/mm/transparent_hugepage/enabled, the selected
 *	value ("always", "madvise", "never"), or "" if absent.
 * @page_size: sysconf(_SC_PAGESIZE).
 * @pipe_max_size: fs.pipe-max-size, or -1.
 * @pipe_user_pages_soft: fs.pipe-user-pages-soft, or -1.
 * @pipe_user_pages_hard: fs.pipe-user-pages-hard, or -1.
 * @max_skb_frags: net.core.max_skb_frags, or -1.
 * @optmem_max: net.core.optmem_max (bounds MSG_ZEROCOPY notifications), or -1.
 * @tcp_wmem: net.ipv4.tcp_wmem ("min default max"), or "".
 * @tcp_rmem: net.ipv4.tcp_rmem, or "".
 * @cap_eff: the effective capability mask of this process, or 0.
 * @s_maxbytes: sb->s_maxbytes of the file system of HOST_FILE_DIR, where
 *	the runner keeps its files (the largest size ftruncate() takes), or -1.
 * @fs_type: statfs() f_type of HOST_FILE_DIR (0xef53 ext2/3/4, 0x01021994
 *	tmpfs), or 0.
 */
struct host_facts {
	char release[128];
	int gup_zero_page;
	char gup_zero_page_why[160];
	char thp_enabled[16];
	long page_size;
	int64_t pipe_max_size;
	int64_t pipe_user_pages_soft;
	int64_t pipe_user_pages_hard;
	int64_t max_skb_frags;
	int64_t optmem_max;
	char tcp_wmem[64];
	char tcp_rmem[64];
	uint64_t cap_eff;
	int64_t s_maxbytes;
	uint64_t fs_type;
};

/* where `spansim kernel` makes its directory of files (kernel.c) */
#define HOST_FILE_DIR "/tmp"
#define HOST_TMPFS_MAGIC 0x01021994	/* TMPFS_MAGIC, <linux/magic.h> */

/** host_probe - fill @h from the running kernel.  Never fails. */
void host_probe(struct host_facts *h);
/** host_print - @h as `kernel: host: ...` lines. */
void host_print(const struct host_facts *h, FILE *out);
/** host_sysctl - the first integer in @path, or -1. */
int64_t host_sysctl(const char *path);

#endif
