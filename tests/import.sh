#!/bin/bash
# SPDX-License-Identifier: MIT
# import-strace: `spansim import strace` on the log strace records of
# tests/import/pipes.c here.  The scenario has every call on the program's
# pipes and sockets with the results the log saw; run under the log's
# order (the --schedule the import prints) it passes; explored, it shows
# that the forked reader could have seen less; a log with no pipe or
# socket, and a missing log, exit 2.
#   tests/import.sh SPANSIM SOURCE_DIR WORK_DIR CC
set -u
spansim=$1 src=$2 work=$3 cc=$4
fail=0
if ! command -v strace > /dev/null; then
	echo "SKIP: strace is not installed (make deps)"
	exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
"$cc" -o "$work/pipes" "$src/tests/import/pipes.c" || exit 1
if ! strace -f -s 65535 -o "$work/pipes.log" "$work/pipes"; then
	# the program checks the kernel's results itself
	echo "not ok - the program or strace failed"
	exit 1
fi
if ! "$spansim" import strace "$work/pipes.log" -o "$work/pipes.scn" \
	2> "$work/import.err"; then
	echo "not ok - import failed:"; cat "$work/import.err"; exit 1
fi

# ok NAME COND...: a check
ok() {
	local name=$1
	shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fail=1; fi
}
has() { grep -qF -- "$1" "$work/pipes.scn"; }

ok "counts" grep -q "10 calls of 2 tasks, 1 not modelled" "$work/import.err"
ok "pipes" has "pipe p2 nonblock"
ok "socketpair" has "unix s1 s2"
ok "tee" has "tee p1.r p2.w 5"
ok "splice flags" has "splice p1.r p2.w 7 move"
ok "the child's read and its bytes" has 'expect d4 == "hellohello, "'
ok "an errno result" has "expect c5 == -EAGAIN"
ok "escapes" has 'send s1 "ping\x0a\x01"'
ok "EOF" has "expect c10 == 0"
ok "the forked close is a comment" has "# not modelled (a forked task's own copy"
sched=$(sed -n "s/^# the order the log saw: .*--schedule '\(.*\)'$/\1/p" "$work/pipes.scn")
ok "a schedule" test -n "$sched"
ok "the log's order replays" "$spansim" run "$work/pipes.scn" --schedule "$sched" -q > /dev/null
"$spansim" explore "$work/pipes.scn" -q > "$work/explore.out"
ok "explored: another order fails the child's read" \
	grep -q "expect d4 == \"hellohello, \": FAILS" "$work/explore.out"

printf 'execve("/bin/true", ["true"], 0x0 /* 0 vars */) = 0\n' > "$work/none.log"
"$spansim" import strace "$work/none.log" > /dev/null 2> "$work/none.err"
ok "no pipe in the log: exit 2" test $? -eq 2
ok "... says so" grep -q "no call on a pipe or a socket" "$work/none.err"
"$spansim" import strace "$work/missing.log" > /dev/null 2>&1
ok "a missing log: exit 2" test $? -eq 2
printf '1 pipe2([3, 2000], 0) = 0\n' > "$work/bigfd.log"
"$spansim" import strace "$work/bigfd.log" > /dev/null 2> "$work/bigfd.err"
ok "a descriptor past the limit: exit 2" test $? -eq 2
ok "... with the line" grep -q "line 1: descriptor 2000" "$work/bigfd.err"
exit $fail
