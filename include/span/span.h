/* SPDX-License-Identifier: MIT */
/*
 * span/span.h - the libspan umbrella header.
 *
 * libspan models how Linux moves memory through pipes and sockets: pages
 * with refcounts and pins, owner records with destructors, pipe buffers,
 * splice/vmsplice/tee, sk_buffs, TCP over loopback, AF_UNIX, MSG_ZEROCOPY
 * and MSG_SPLICE_PAGES.  See docs/api.md.
 */
#ifndef SPAN_SPAN_H
#define SPAN_SPAN_H

#include "span/defs.h"
#include "span/errno.h"
#include "span/policy.h"
#include "span/design.h"
#include "span/world.h"
#include "span/mm.h"
#include "span/fd.h"
#include "span/pipe.h"
#include "span/splice.h"
#include "span/file.h"
#include "span/net.h"
#include "span/check.h"
#include "span/trace.h"
#include "span/fault.h"
#include "span/snapshot.h"

#endif
