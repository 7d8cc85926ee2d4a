#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# valgrind.sh BUILD_DIR - run every unit test and scenario suite that ctest
# lists in BUILD_DIR (labels unit, scenario; each an executable of the test's
# name) under Valgrind memcheck, JOBS at a time; fail if any reports an
# error or a definite/indirect leak.
#
# Check suites run with CK_FORK=no here, so Valgrind sees the tests
# themselves rather than a parent that only waits.  The spansim command the
# suites launch ($SPANSIM) runs under Valgrind too, through a wrapper that
# keeps its stderr clean (reports go to valgrind-logs/spansim.PID.log) and
# exits 97 on an error, so 0/1/2 keep their spansim meaning; any non-empty
# spansim log fails the run.  VALGRIND_CHILDREN=0 runs spansim natively.
# Environment: JOBS (default 2), VALGRIND_CHILDREN (default 1).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
logs="$build/valgrind-logs"
vg=(valgrind --error-exitcode=1 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --track-origins=no -q)

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed (make deps)" >&2; exit 1; }
rm -rf "$logs"
mkdir -p "$logs"

export SPAN_SOURCE_DIR="$src"
export SPAN_SCENARIO_DIR="$src/scenarios"
export SPAN_SHARED_DIR="$src/../shared"
if [ -x "$build/spansim" ]; then
	if [ "${VALGRIND_CHILDREN:-1}" = 1 ]; then
		wrapper="$logs/spansim"
		{
			echo '#!/bin/sh'
			printf 'exec'
			printf ' %q' "${vg[@]/--error-exitcode=1/--error-exitcode=97}" \
				"--log-file=$logs/spansim.%p.log" "$build/spansim"
			printf ' "$@"\n'
		} >"$wrapper"
		chmod +x "$wrapper"
		export SPANSIM="$wrapper"
	else
		export SPANSIM="$build/spansim"
	fi
fi

# The tests ctest knows now (not stale binaries of removed ones) whose
# command is the executable of the same name.
tests=()
while read -r name; do
	# The differential suites (and the export suite, whose programs run
	# on the live kernel) compare with the live kernel under
	# timeouts and settling waits that Valgrind's slowdown breaks (and
	# difffuzz runs hundreds of programs, each forking agents: too long
	# under Valgrind); they run natively and under ASan+UBSan instead.
	if [ "$name" = scenario_differential ] || [ "$name" = scenario_difffuzz ] ||
	   [ "$name" = scenario_export ]; then
		echo "valgrind: skip $name (live-kernel timing; runs natively and under ASan)"
		continue
	fi
	# ThreadSanitizer's runtime and Valgrind cannot share a process
	if [ "$name" = tsan_world_threads ]; then
		echo "valgrind: skip $name (built with ThreadSanitizer; runs natively)"
		continue
	fi
	[ -f "$build/$name" ] && [ -x "$build/$name" ] && tests+=("$build/$name")
done < <(ctest --test-dir "$build" -N -L 'unit|scenario' |
	 sed -n 's/^ *Test *#[0-9]*: *//p')
if [ ${#tests[@]} -eq 0 ]; then
	echo "valgrind.sh: no unit or scenario test executables in $build" >&2
	exit 1
fi

# run_one TEST - run it under Valgrind, log to $logs/NAME.log, print a line.
run_one() {
	local t=$1 name log rc=0
	name=$(basename "$t")
	log="$logs/$name.log"
	case $name in
	scenario_*) CK_FORK=no "${vg[@]}" "$t" >"$log" 2>&1 || rc=$? ;;
	*) "${vg[@]}" "$t" >"$log" 2>&1 || rc=$? ;;
	esac
	if [ $rc -eq 0 ]; then
		echo "valgrind: ok   $name"
	elif [ $rc -eq 77 ]; then
		# SKIP_RETURN_CODE of the suites that cannot run here
		echo "valgrind: skip $name ($(grep -m1 SKIP "$log" || echo 'exit 77'))"
		rc=0
	else
		echo "valgrind: FAIL $name (exit $rc)"
		sed 's/^/    /' "$log"
	fi
	return $rc
}

failed=0
running=0
for t in "${tests[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n || failed=$((failed + 1))
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
while [ $running -gt 0 ]; do
	wait -n || failed=$((failed + 1))
	running=$((running - 1))
done

for log in "$logs"/spansim.*.log; do
	if [ -s "$log" ]; then
		echo "valgrind: FAIL spansim ($(basename "$log"))"
		sed 's/^/    /' "$log"
		failed=$((failed + 1))
	fi
done

if [ $failed -ne 0 ]; then
	echo "valgrind: $failed failures (logs in $logs)"
	exit 1
fi
echo "valgrind: all ${#tests[@]} test programs clean"
