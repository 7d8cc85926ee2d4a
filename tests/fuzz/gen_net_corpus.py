#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_net: tests/fuzz/corpus/fuzz_net/*.

Each seed is a sequence of 8-byte records (tests/fuzz/net_decode.h): the
opcode, then argument bytes.  The hand-written seeds are the building
blocks of the net scenarios (scenarios/net/): a connection, copies and
MSG_ZEROCOPY sends, the error queue, kernel memory sent with
MSG_SPLICE_PAGES, file -> pipe -> socket and socket -> pipe splices,
decrypt, kernel events one at a time; the others are deterministic
pseudo-random sequences.  No seed is an exploit: none breaks an invariant
under the default policies, nor under the planted bugs' policies of
bench/fuzz_find.sh (kmem_send=ref, loopback=share, skb_shared_frag=...),
which leaves out any seed that does by itself anyway.

Usage: tests/fuzz/gen_net_corpus.py [OUTDIR]
"""
import os
import random
import sys

(MMAP, STORE, PIPE, FILE, PWRITE, WRITE, READ, VMSPLICE, SPLICE, TEE, CLOSE,
 SOCKPAIR, SOCKOPT, SEND, SEND_ZC, SEND_KMEM, RECV, ERRQUEUE, DECRYPT, KMEM,
 OWNER_PUT, EVENT, SETTLE) = range(23)
NR = 23


def rec(op, *args):
    a = list(args) + [0] * (7 - len(args))
    return bytes([op] + [x & 0xff for x in a[:7]])


def pipe(i):          # pipe i, the end that fits the role
    return i


def sock(i):          # socket i (0, 1: the first pair; 2, 3: the second)
    return 0x80 | i


def fl(i):            # file i
    return 0xc0 | i


NB = 1                # nonblock bit of write/read/splice/send/recv flags
TCP, UNIX = 1, 0
K_PAGES, K_SLAB, K_OWNER = 0, 1, 2

SEEDS = {
    "tcp-send-recv": [
        rec(SOCKPAIR, TCP), rec(SEND, 0, NB, 20, 3), rec(SETTLE),
        rec(RECV, 1, NB, 20), rec(RECV, 1, NB, 20)],
    "unix-send-recv": [
        rec(SOCKPAIR, UNIX), rec(SEND, 0, NB, 30, 4), rec(SEND, 1, NB, 5, 1),
        rec(RECV, 1, NB, 64), rec(RECV, 0, NB, 64), rec(CLOSE, sock(0)),
        rec(RECV, 1, NB, 1)],
    "tcp-events": [
        rec(SOCKPAIR, TCP), rec(SEND, 0, NB, 40, 2), rec(EVENT, 0),
        rec(EVENT, 0), rec(RECV, 1, NB, 10), rec(EVENT, 0),
        rec(SEND, 1, NB, 8, 5), rec(EVENT, 1), rec(EVENT, 0),
        rec(RECV, 0, NB, 8)],
    "tcp-zc-errqueue": [
        rec(SOCKPAIR, TCP), rec(SOCKOPT, 0), rec(MMAP, 1, 2),
        rec(SEND_ZC, 0, NB, 100, 0, 0), rec(SETTLE), rec(RECV, 1, NB, 100),
        rec(ERRQUEUE, 0), rec(STORE, 0, 0, 4, 7)],
    "tcp-zc-store-recv": [
        rec(SOCKPAIR, TCP), rec(SOCKOPT, 0), rec(MMAP, 0, 25),
        rec(SEND_ZC, 0, NB, 64, 0, 0), rec(STORE, 0, 0, 8, 1), rec(EVENT, 0),
        rec(EVENT, 0), rec(RECV, 1, NB, 64), rec(SETTLE), rec(ERRQUEUE, 0)],
    "unix-zc": [
        rec(SOCKPAIR, UNIX), rec(SOCKOPT, 0), rec(MMAP, 0, 3),
        rec(SEND, 0, NB | 2, 64, 0, 1, 0), rec(RECV, 1, NB, 64)],
    "kmem-pages-splice-send": [
        rec(SOCKPAIR, TCP), rec(KMEM, K_PAGES, 100, 2),
        rec(SEND_KMEM, 0, NB, 80, 0, 0), rec(SETTLE), rec(RECV, 1, NB, 80)],
    "kmem-slab-copy-send": [
        rec(SOCKPAIR, UNIX), rec(KMEM, K_SLAB, 40, 1),
        rec(SEND, 0, NB, 40, 0, 2, 0), rec(RECV, 1, NB, 40)],
    "kmem-owner-copy-put": [
        rec(SOCKPAIR, TCP), rec(KMEM, K_OWNER, 60, 3),
        rec(SEND, 0, NB, 60, 0, 2, 0), rec(OWNER_PUT, 0), rec(SETTLE),
        rec(RECV, 1, NB, 60)],
    "file-splice-read": [
        rec(FILE, 0, 200, 5), rec(PIPE, 0), rec(SPLICE, fl(0), pipe(0), NB | 8, 100, 10),
        rec(READ, pipe(0), NB, 100), rec(PWRITE, 0, 0, 10, 3)],
    "file-splice-sock-recv": [
        rec(FILE, 1, 128, 7), rec(SOCKPAIR, TCP), rec(PIPE, 0),
        rec(SPLICE, fl(0), pipe(0), NB | 8, 16, 0), rec(SPLICE, pipe(0), sock(0), NB, 16),
        rec(SETTLE), rec(RECV, 1, NB, 16)],
    # sendfile with a header: the header copied, the body spliced
    "tcp-header-then-file": [
        rec(FILE, 1, 128, 7), rec(SOCKPAIR, TCP), rec(PIPE, 0),
        rec(SEND, 0, NB, 4, 7), rec(SETTLE),
        rec(SPLICE, fl(0), pipe(0), NB | 8, 16, 0), rec(SPLICE, pipe(0), sock(0), NB, 16),
        rec(SETTLE), rec(RECV, 1, NB, 20)],
    # a spliced file segment still in flight when the retransmission timer
    # fires (tcp_retransmit=1): event 0 transmits, 1 the timer, 1 the
    # retransmission overtaking; with tcp_retransmit=0 the events are
    # just the deliveries and the ACK
    "tcp-file-retransmit": [
        rec(FILE, 1, 128, 7), rec(SOCKPAIR, TCP), rec(PIPE, 0),
        rec(SPLICE, fl(0), pipe(0), NB | 8, 16, 0), rec(SPLICE, pipe(0), sock(0), NB, 16),
        rec(EVENT, 0), rec(EVENT, 1), rec(EVENT, 1), rec(SETTLE), rec(RECV, 1, NB, 16)],
    "sock-splice-pipe-read": [
        rec(SOCKPAIR, TCP), rec(PIPE, 0), rec(SEND, 0, NB, 50, 6), rec(SETTLE),
        rec(SPLICE, sock(1), pipe(0), NB, 50), rec(READ, pipe(0), NB, 50)],
    "decrypt-copied": [
        rec(SOCKPAIR, TCP), rec(SEND, 0, NB, 12, 7), rec(SETTLE),
        rec(DECRYPT, 1, 0, 12), rec(RECV, 1, NB, 12)],
    "pipe-write-read": [
        rec(PIPE, 2), rec(WRITE, pipe(0), NB, 10, 1), rec(WRITE, pipe(0), NB, 30, 2),
        rec(READ, pipe(0), NB, 5), rec(READ, pipe(0), NB, 200), rec(CLOSE, 0x20),
        rec(READ, pipe(0), NB, 1)],
    "vmsplice-read": [
        rec(MMAP, 0, 0), rec(PIPE, 0), rec(VMSPLICE, 0, NB, 0, 0, 64),
        rec(STORE, 0, 0, 3, 1), rec(READ, pipe(0), NB, 4)],
    "tee-write": [
        rec(PIPE, 0), rec(PIPE, 0), rec(WRITE, pipe(0), NB, 60, 2),
        rec(TEE, pipe(0), pipe(1), NB, 30), rec(READ, pipe(1), NB, 30),
        rec(READ, pipe(0), NB, 60)],
    "pipe-to-sock-write": [
        rec(SOCKPAIR, UNIX), rec(PIPE, 0), rec(WRITE, pipe(0), NB, 50, 4),
        rec(SPLICE, pipe(0), sock(0), NB, 50), rec(READ, sock(1), NB, 50)],
    "tcp-close-pending": [
        rec(SOCKPAIR, TCP), rec(SEND, 0, NB, 30, 3), rec(CLOSE, sock(0)),
        rec(SETTLE), rec(RECV, 1, NB, 40), rec(RECV, 1, NB, 40)],
    "two-pairs": [
        rec(SOCKPAIR, TCP), rec(SOCKPAIR, UNIX), rec(SEND, 0, NB, 10, 1),
        rec(SEND, 2, NB, 10, 2), rec(SETTLE), rec(RECV, 1, NB, 10),
        rec(RECV, 3, NB, 10), rec(WRITE, sock(1), NB, 5, 3), rec(READ, sock(0), NB | 0, 5)],
}


def random_seed(rng):
    n = rng.randrange(6, 24)
    out = [rec(SOCKPAIR, rng.randrange(2))]
    for _ in range(n):
        op = rng.randrange(NR)
        out.append(rec(op, *[rng.randrange(256) for _ in range(7)]))
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_net")
    os.makedirs(out, exist_ok=True)
    for name, recs in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(recs))
    rng = random.Random(20261206)
    for i in range(12):
        with open(os.path.join(out, "random-%02d" % i), "wb") as f:
            f.write(b"".join(random_seed(rng)))


if __name__ == "__main__":
    main()
