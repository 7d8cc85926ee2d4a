#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fuzz_bench.sh - executions per second of each fuzz target (issue 14).
#
# usage: bench/fuzz_bench.sh [BUILD_DIR] [TARGET...]
#
# Runs each libFuzzer target of BUILD_DIR (default build-fuzzbench, as
# `make fuzz-bench` builds it: clang -O2, no sanitizers) from its checked-in
# seed corpus (tests/fuzz/corpus/NAME and the directories tests/fuzz/NAME.seeds
# lists, read only) and dictionary, with new
# inputs and crashes going to a temporary directory that is removed
# afterwards, and prints `name value unit` lines:
#
#   NAME_exec_per_s        libFuzzer's stat::average_exec_per_sec (wall)
#   NAME_exec_per_cpu_s    executions per second of CPU time (user + sys)
#   NAME_runs              stat::number_of_executed_units
#   NAME_peak_rss          stat::peak_rss_mb
#   NAME_crashed           1 when the target stopped at a finding (its
#                          input is kept in BUILD_DIR/fuzz-artifacts/; the
#                          numbers are those of the executions before it,
#                          and the script exits with 1)
#   NAME_exec_per_s_ge_N   1 when exec/s (wall) meets the issue's target
#
# Targets without sanitizers on one core: fuzz_ops >= 100k, fuzz_scenario
# >= 20k, fuzz_explore >= 5k executions per second.  Environment:
#   FUZZ_BENCH_TIME=S   seconds per target (20)
#   FUZZ_BENCH_RUNS=N   stop after N executions instead (-runs=N)
#   FUZZ_BENCH_SEED=N   libFuzzer's -seed (1)
#   FUZZ_BENCH_LOG=DIR  keep each target's libFuzzer output as DIR/NAME.log
#   FUZZ_BENCH_TMP=DIR  where the temporary corpora go (default /dev/shm
#                       when it is writable, else $TMPDIR or /tmp): the
#                       new inputs libFuzzer writes are its own cost, not
#                       the target's, and a disk makes it larger
# Not part of `make check`.
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-fuzzbench}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_ops fuzz_scenario fuzz_explore}
time_s=${FUZZ_BENCH_TIME:-20}
seed=${FUZZ_BENCH_SEED:-1}

tmpdir=${FUZZ_BENCH_TMP:-}
if [ -z "$tmpdir" ]; then
	tmpdir=${TMPDIR:-/tmp}
	[ -d /dev/shm ] && [ -w /dev/shm ] && tmpdir=/dev/shm
fi
tmp=$(mktemp -d "$tmpdir/fuzz_bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# children's user + sys seconds so far (the second line of `times`,
# which must run in this shell, not in a subshell)
cpu_s() {
	times >"$tmp/times"
	awk 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) {
			split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2]
		}
		printf "%.3f\n", t
	}' "$tmp/times"
}

goal() {
	case $1 in
	fuzz_ops) echo 100000 100k ;;
	fuzz_scenario) echo 20000 20k ;;
	fuzz_explore) echo 5000 5k ;;
	*) echo 0 0 ;;
	esac
}

status=0
for name in $targets; do
	bin=$build/$name
	if [ ! -x "$bin" ]; then
		echo "fuzz_bench: no $bin (make fuzz-bench builds it)" >&2
		status=1
		continue
	fi
	entry=${name#fuzz_}
	set -- -seed="$seed" -print_final_stats=1 \
		-artifact_prefix="$tmp/$name-" $("$src/tests/fuzz/options.sh" "$name")
	if [ -n "${FUZZ_BENCH_RUNS:-}" ]; then
		set -- "$@" -runs="$FUZZ_BENCH_RUNS"
	else
		set -- "$@" -max_total_time="$time_s"
	fi
	for d in "$src/tests/fuzz/$name.dict" "$src/tests/fuzz/$entry.dict"; do
		if [ -f "$d" ]; then
			set -- "$@" -dict="$d"
			break
		fi
	done
	mkdir "$tmp/$name"
	set -- "$@" "$tmp/$name"
	for d in "$src/tests/fuzz/corpus/$name" "$src/tests/fuzz/corpus/$entry"; do
		if [ -d "$d" ]; then
			set -- "$@" "$d"
			break
		fi
	done
	# tests/fuzz/NAME.seeds: more seed directories (scenarios/)
	if [ -f "$src/tests/fuzz/$name.seeds" ]; then
		for d in $(grep -v '^#' "$src/tests/fuzz/$name.seeds"); do
			set -- "$@" "$src/$d"
		done
	fi
	log=$tmp/$name.log
	cpu_s >"$tmp/before"
	"$bin" "$@" >"$log" 2>&1
	rc=$?
	cpu_s >"$tmp/after"
	before=$(cat "$tmp/before")
	after=$(cat "$tmp/after")
	if [ -n "${FUZZ_BENCH_LOG:-}" ]; then
		mkdir -p "$FUZZ_BENCH_LOG"
		cp "$log" "$FUZZ_BENCH_LOG/$name.log"
	fi
	crashed=0
	if [ $rc -ne 0 ]; then
		# a finding: keep its input, report what ran until then
		crashed=1
		status=1
		mkdir -p "$build/fuzz-artifacts"
		for a in "$tmp/$name-"*; do
			[ -f "$a" ] && cp "$a" "$build/fuzz-artifacts/"
		done
		echo "fuzz_bench: $name stopped ($rc); its input is in $build/fuzz-artifacts/:" >&2
		grep -E '^(SUMMARY|==[0-9]+== ?ERROR|fuzz_[a-z]+:|ops_run:)' "$log" |
			tail -n 8 >&2
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
	if [ -z "$runs" ] || [ -z "$eps" ]; then
		echo "fuzz_bench: $name printed no final stats" >&2
		status=1
		continue
	fi
	set -- $(goal "$name")
	echo "${name}_exec_per_s $eps exec/s"
	awk -v n="$name" -v r="$runs" -v a="$before" -v b="$after" 'BEGIN {
		c = b - a
		if (c > 0)
			printf "%s_exec_per_cpu_s %.0f exec/s\n", n, r / c
	}'
	echo "${name}_runs $runs runs"
	echo "${name}_peak_rss ${rss:-0} MiB"
	echo "${name}_crashed $crashed bool"
	if [ "$1" -gt 0 ]; then
		ok=0
		[ "$eps" -ge "$1" ] && ok=1
		echo "${name}_exec_per_s_ge_$2 $ok bool"
	fi
done
exit $status
