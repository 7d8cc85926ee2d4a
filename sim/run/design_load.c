// SPDX-License-Identifier: MIT
/*
 * design_load.c - `--design NAME|FILE.so`: a built-in design by name, or a
 * design plugin (span/design.h) loaded with dlopen().
 *
 * Not a kernel file.  A plugin is refused, with the reason, when it cannot
 * be loaded, has no span_design symbol, was built for another design API
 * version, or leaves a decision callback unset.  Its build id (the ELF
 * note NT_GNU_BUILD_ID) goes into every report, so that a result names
 * the exact build of the design that gave it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"

struct build_id_req {
	ElfW(Addr) base;
	char *out;
	size_t len;
	bool found;
};

/* the NT_GNU_BUILD_ID note of the object loaded at req->base, as hex */
static int build_id_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct build_id_req *req = arg;

	(void)size;
	if (info->dlpi_addr != req->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const unsigned char *desc;
			size_t nsz = (nh->n_namesz + 3) & ~3u;
			size_t dsz = (nh->n_descsz + 3) & ~3u;

			desc = (const unsigned char *)(p + sizeof(*nh) + nsz);
			if ((const char *)desc + dsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof(*nh), "GNU", 4)) {
				size_t o = 0;

				for (unsigned int b = 0; b < nh->n_descsz &&
							 o + 3 <= req->len; b++)
					o += (size_t)snprintf(req->out + o,
							      req->len - o,
							      "%02x", desc[b]);
				req->found = true;
				return 1;
			}
			p = (const char *)desc + dsz;
		}
	}
	return 1;
}

int run_design_load(const char *spec, struct run_design *out, char *err,
		    size_t errn)
{
	const struct span_design_ops *ops;
	struct build_id_req req;
	struct link_map *lm = NULL;
	char msg[256];
	struct stat st;
	void *h;
	int e;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec) {
		snprintf(err, errn, "--design needs a name or a FILE.so");
		return -EINVAL;
	}
	if (!strchr(spec, '/') && !strstr(spec, ".so")) {
		ops = span_design_builtin(spec);
		if (!ops) {
			snprintf(err, errn,
				 "no built-in design '%s' (see 'spansim list designs'; a plugin is a path: ./%s.so)",
				 spec, spec);
			return -ENOENT;
		}
		out->ops = ops;
		snprintf(out->desc, sizeof(out->desc), "%s (built in)",
			 ops->name);
		snprintf(out->arg, sizeof(out->arg), "%s", spec);
		return 0;
	}
	if (stat(spec, &st)) {
		snprintf(err, errn, "design %s: %s", spec, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errn, "design %s: not a regular file", spec);
		return -EINVAL;
	}
	/* a bare name would make dlopen() search the library path */
	snprintf(out->arg, sizeof(out->arg), "%s%s",
		 spec[0] == '/' || strchr(spec, '/') ? "" : "./", spec);
	h = dlopen(out->arg, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errn, "design %s: cannot load it: %s", spec,
			 dlerror());
		return -ENOEXEC;
	}
	ops = dlsym(h, SPAN_DESIGN_SYMBOL);
	if (!ops) {
		snprintf(err, errn,
			 "design %s: no symbol '%s' (define the design with SPAN_DESIGN_DEFINE = { ... } from span/design.h)",
			 spec, SPAN_DESIGN_SYMBOL);
		dlclose(h);
		return -ENOENT;
	}
	e = span_design_validate(ops, msg, sizeof(msg));
	if (e) {
		snprintf(err, errn, "design %s: %s", spec, msg);
		dlclose(h);
		return e;
	}
	out->ops = ops;
	out->handle = h;
	snprintf(out->build_id, sizeof(out->build_id), "none");
	if (!dlinfo(h, RTLD_DI_LINKMAP, &lm) && lm) {
		req = (struct build_id_req){ .base = lm->l_addr,
					     .out = out->build_id,
					     .len = sizeof(out->build_id) };
		dl_iterate_phdr(build_id_cb, &req);
		if (!req.found)
			snprintf(out->build_id, sizeof(out->build_id), "none");
	}
	snprintf(out->desc, sizeof(out->desc), "%s (%s, build-id %s)",
		 ops->name, spec, out->build_id);
	return 0;
}

void run_design_unload(struct run_design *d)
{
	if (d && d->handle)
		dlclose(d->handle);
	if (d)
		memset(d, 0, sizeof(*d));
}
