#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_ops: tests/fuzz/corpus/fuzz_ops/*.

Each seed is a sequence of 8-byte records (tests/fuzz/ops_decode.h): the
opcode, then argument bytes.  The hand-written seeds follow the scenario
corpus (vmsplice then store, fan-out, fork after vmsplice, tee, file
splice, F_SETPIPE_SZ, GUP); the others are deterministic pseudo-random
sequences.  No seed breaks an invariant under the default policies.  Some
do under a planted bug's policy (vmsplice-fork is the CVE-2020-29374
exploit under cow_reuse=mapcount; gup-pin-fork, random-07 and random-11
overflow a 4-bit counter under get_page_check=unchecked): the time-to-find
benchmark (bench/fuzz_find.sh, docs/fuzzing.md) leaves out, for each bug,
every seed that breaks an invariant by itself under its policy.

Usage: tests/fuzz/gen_ops_corpus.py [OUTDIR]
"""
import os
import random
import sys

(MMAP, STORE, LOAD, FORK, MUNMAP, PIPE, CLOSE, PIPE_SIZE, WRITE, READ,
 VMSPLICE, SPLICE, TEE, FILE, PWRITE, GUP, GUP_PUT) = range(17)
NR = 17


def rec(op, *args):
    a = list(args) + [0] * (7 - len(args))
    return bytes([op] + [x & 0xff for x in a[:7]])


def pr(i):            # pipe i, the end that fits the role
    return i


def pflip(i):         # pipe i, the other end
    return 0x40 | i


def fl(i):            # file i
    return 0x80 | i


NB = 1                # nonblock bit of write/read/vmsplice/splice flags

SEEDS = {
    # mem buf; pipe p; vmsplice; store; read
    "vmsplice-then-store": [
        rec(MMAP, 0, 0, 0, 0), rec(PIPE, 0), rec(VMSPLICE, 0, NB, 0, 0, 0, 64),
        rec(STORE, 0, 0, 0, 3, 1), rec(READ, 0, NB, 4)],
    "vmsplice-fork": [
        rec(MMAP, 0, 0, 0, 0), rec(PIPE, 0), rec(VMSPLICE, 0, NB, 0, 0, 0, 64),
        rec(FORK, 0), rec(STORE, 0, 0, 0, 3, 15), rec(STORE, 1, 0, 0, 3, 2),
        rec(READ, 0, NB, 4)],
    "splice-fanout": [
        rec(MMAP, 0, 0, 0, 3), rec(PIPE, 0), rec(PIPE, 0), rec(PIPE, 0),
        rec(PIPE, 0), rec(VMSPLICE, 0, NB, 0, 0, 0, 64)] +
        [rec(SPLICE, pr(0), pr(i), NB, 1) for i in (1, 2, 3)] +
        [rec(STORE, 0, 0, 0, 0, 23), rec(MUNMAP, 0, 0)] +
        [rec(READ, pr(i), NB, 1) for i in (1, 2, 3)],
    "tee-chain": [
        rec(PIPE, 0), rec(PIPE, 0), rec(PIPE, 0), rec(WRITE, pflip(0) ^ 0x40, NB, 100, 2),
        rec(TEE, pr(0), pr(1), NB, 50), rec(TEE, pr(1), pr(2), NB, 20),
        rec(READ, pr(0), NB, 100), rec(READ, pr(1), NB, 100), rec(READ, pr(2), NB, 100)],
    "write-read": [
        rec(PIPE, 2), rec(WRITE, 0, NB, 10, 1), rec(WRITE, 0, NB, 30, 2),
        rec(READ, 0, NB, 5), rec(READ, 0, NB, 200), rec(CLOSE, 0x20),
        rec(READ, 0, NB, 1)],
    "file-splice-read": [
        rec(FILE, 0, 200, 5), rec(PIPE, 0), rec(SPLICE, fl(0), pr(0), NB | 8, 100, 10),
        rec(READ, pr(0), NB, 100), rec(PWRITE, 0, 0, 10, 3)],
    "file-splice-ro": [
        rec(FILE, 1, 128, 7), rec(PIPE, 0), rec(SPLICE, fl(0), pr(0), NB, 64),
        rec(SPLICE, pr(0), fl(0), NB, 64), rec(READ, pr(0), NB, 64)],
    "pipe-to-file": [
        rec(FILE, 0, 100, 1), rec(PIPE, 0), rec(WRITE, 0, NB, 50, 4),
        rec(SPLICE, pr(0), fl(0), NB | 8, 50, 20), rec(READ, fl(0), NB, 120)],
    "pipe-size": [
        rec(PIPE, 0), rec(WRITE, 0, NB, 200, 1), rec(PIPE_SIZE, 0, 0, 64),
        rec(PIPE_SIZE, 0, 1, 0), rec(PIPE_SIZE, 0, 0x80, 20), rec(READ, 0, NB, 255)],
    "small-ring": [
        rec(PIPE, 4, 0), rec(WRITE, 0, NB, 40, 1), rec(READ, 0, NB, 40),
        rec(WRITE, 0, NB, 40, 2), rec(WRITE, 0, NB, 40, 3), rec(READ, 0, NB, 100)],
    "packet-pipe": [
        rec(PIPE, 1), rec(WRITE, 0, NB, 10, 1), rec(WRITE, 0, NB, 100, 2),
        rec(READ, 0, NB, 5), rec(READ, 0, NB, 255)],
    "gup-get-put": [
        rec(MMAP, 0, 1, 0, 0), rec(GUP, 0, 0, 0, 100, 2), rec(STORE, 0, 0, 0, 5, 1),
        rec(GUP_PUT, 0), rec(GUP_PUT, 0), rec(MUNMAP, 0, 0)],
    "gup-pin-fork": [
        rec(MMAP, 0, 0, 0, 0), rec(GUP, 0, 0, 0, 10, 3), rec(FORK, 0),
        rec(STORE, 0, 0, 0, 5, 1), rec(STORE, 1, 0, 0, 5, 2), rec(LOAD, 1, 0, 0, 8),
        rec(GUP_PUT, 0)],
    "untouched-vmsplice": [
        rec(MMAP, 0, 1, 1, 0), rec(PIPE, 0), rec(VMSPLICE, 0, NB, 0, 0, 0, 128),
        rec(STORE, 0, 0, 70, 5, 1), rec(READ, 0, NB, 128)],
    "gift": [
        rec(MMAP, 0, 1, 0, 0), rec(PIPE, 0), rec(VMSPLICE, 0, NB | 2, 0, 0, 0, 128),
        rec(SPLICE, pr(0), pr(0), NB | 4, 64), rec(READ, 0, NB, 128)],
    "vmsplice-to-user": [
        rec(MMAP, 0, 0, 0, 0), rec(PIPE, 0), rec(WRITE, 0, NB, 30, 3),
        rec(VMSPLICE, 0, NB | 4, 0, 0, 5, 20), rec(LOAD, 0, 0, 0, 30)],
    "write-from-mem": [
        rec(MMAP, 0, 2, 0, 4), rec(PIPE, 0), rec(WRITE, 0, NB | 2, 150, 10, 0, 0),
        rec(STORE, 0, 0, 10, 5, 1), rec(READ, 0, NB, 150)],
    "munmap-after-vmsplice": [
        rec(MMAP, 0, 0, 0, 0), rec(PIPE, 0), rec(VMSPLICE, 0, NB, 0, 0, 0, 64),
        rec(MUNMAP, 0, 0), rec(READ, 0, NB, 64)],
    "close-with-data": [
        rec(MMAP, 0, 0, 0, 0), rec(PIPE, 0), rec(PIPE, 0), rec(VMSPLICE, 0, NB, 0, 0, 0, 64),
        rec(TEE, pr(0), pr(1), NB, 64), rec(CLOSE, 0), rec(CLOSE, 0x20),
        rec(CLOSE, 1), rec(CLOSE, 0x21)],
    "fork-cow": [
        rec(MMAP, 0, 0, 0, 0), rec(FORK, 0), rec(STORE, 0, 0, 0, 5, 1),
        rec(LOAD, 1, 0, 0, 8), rec(STORE, 1, 0, 0, 5, 2), rec(LOAD, 0, 0, 0, 8)],
    "pwrite-then-splice": [
        rec(FILE, 0, 64, 1), rec(PWRITE, 0, 0, 20, 2), rec(PIPE, 0),
        rec(SPLICE, fl(0), pr(0), NB | 8, 64, 0), rec(PWRITE, 0, 0, 20, 3),
        rec(READ, 0, NB, 64)],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_ops")
    os.makedirs(out, exist_ok=True)
    for name, recs in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"".join(recs))
    rnd = random.Random(20261125)
    for i in range(16):
        n = rnd.randint(4, 24)
        # opcodes weighted towards creating objects early
        recs = [rec(rnd.choice([MMAP, PIPE, FILE]), *[rnd.randrange(256) for _ in range(7)])
                for _ in range(3)]
        recs += [rec(rnd.randrange(NR), *[rnd.randrange(256) for _ in range(7)])
                 for _ in range(n)]
        with open(os.path.join(out, "random-%02d" % i), "wb") as f:
            f.write(b"".join(recs))


if __name__ == "__main__":
    main()
