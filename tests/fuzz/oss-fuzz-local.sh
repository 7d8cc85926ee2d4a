#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# oss-fuzz-local.sh - test .clusterfuzzlite/build.sh without Docker.  For
# each sanitizer asked for, run build.sh with the environment OSS-Fuzz gives
# it (CC, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SANITIZER, SRC, WORK, OUT),
# then run every target it put into $OUT for FUZZ_SECONDS (10) on its seed
# corpus, with its dictionary; the coverage build runs each seed corpus once
# and prints llvm-cov's total.
#
#   tests/fuzz/oss-fuzz-local.sh [address] [undefined] [coverage]
#
# Default: address undefined.  Everything goes to CFLITE_DIR (default
# build-cflite/ in the checkout): SANITIZER/out is $OUT, SANITIZER/work is
# $WORK, SANITIZER/run/NAME holds a run's corpus, seeds and log.  SRC is the
# parent of the checkout, or with XXHASH_SRC=DIR (an xxHash 0.8 source tree)
# a directory laid out like the image's $SRC: spansim/ and xxHash/, so that
# build.sh compiles xxHash as it does in Docker.  The compiler and libraries
# are this machine's (clang with libFuzzer; llvm-profdata and llvm-cov for
# coverage), not base-builder's.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${CFLITE_DIR:-$top/build-cflite}
secs=${FUZZ_SECONDS:-10}
[ $# -gt 0 ] || set -- address undefined

# base-builder's defaults (base-clang CFLAGS; SANITIZER_FLAGS_* and
# COVERAGE_FLAGS_* of base-builder, as its compile script combines them)
base="-O1 -fno-omit-frame-pointer -gline-tables-only"
base="$base -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ubsan=array-bounds,bool,builtin,enum,float-divide-by-zero,function
ubsan=$ubsan,integer-divide-by-zero,null,object-size,return
ubsan=$ubsan,returns-nonnull-attribute,shift,signed-integer-overflow
ubsan_recover=$ubsan,unreachable,vla-bound,vptr
ubsan=$ubsan,unsigned-integer-overflow,unreachable,vla-bound,vptr

# the runner's options that matter here
: "${ASAN_OPTIONS:=allocator_may_return_null=1:detect_leaks=1:symbolize=1}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

if grep -v '^[[:space:]]*#' "$top/.clusterfuzzlite/build.sh" |
		grep -e '-fsanitize'; then
	echo "oss-fuzz-local: build.sh names a sanitizer or an engine" >&2
	exit 1
fi

src=$(dirname "$top")
if [ -n "${XXHASH_SRC:-}" ]; then
	src=$dir/src
	mkdir -p "$src"
	ln -sfn "$top" "$src/spansim"
	ln -sfn "$(cd "$XXHASH_SRC" && pwd)" "$src/xxHash"
fi

failed=
summary=
for san in "$@"; do
	case $san in
	address)
		flags="-fsanitize=address -fsanitize-address-use-after-scope"
		cov="-fsanitize=fuzzer-no-link" ;;
	undefined)
		flags="-fsanitize=$ubsan -fno-sanitize-recover=$ubsan_recover"
		cov="-fsanitize=fuzzer-no-link" ;;
	coverage)
		flags=
		cov="-fprofile-instr-generate -fcoverage-mapping -pthread"
		cov="$cov -Wl,--no-as-needed -Wl,-ldl -Wl,-lm"
		cov="$cov -Wno-unused-command-line-argument" ;;
	*)
		echo "oss-fuzz-local: unknown sanitizer $san" >&2
		exit 2 ;;
	esac
	out=$dir/$san/out
	work=$dir/$san/work
	rm -rf "$out" "$dir/$san/run"
	mkdir -p "$out" "$work"

	echo "==> build.sh, SANITIZER=$san"
	(cd "$top" && env CC=clang CXX=clang++ \
		CFLAGS="$base $flags $cov" CXXFLAGS="$base $flags $cov" \
		LIB_FUZZING_ENGINE=-fsanitize=fuzzer FUZZING_ENGINE=libfuzzer \
		FUZZING_LANGUAGE=c SANITIZER="$san" ARCHITECTURE=x86_64 \
		SRC="$src" WORK="$work" OUT="$out" \
		bash -eu "$top/.clusterfuzzlite/build.sh")
	echo "==> $out:"
	(cd "$out" && ls -l)

	for bin in "$out"/fuzz_*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		name=$(basename "$bin")
		run=$dir/$san/run/$name
		mkdir -p "$run/corpus" "$run/seeds"
		if [ -f "$out/${name}_seed_corpus.zip" ]; then
			unzip -q "$out/${name}_seed_corpus.zip" -d "$run/seeds"
		fi
		if [ "$san" = coverage ]; then
			args=(-runs=0 "$run/seeds")
		else
			args=(-max_total_time="$secs" -print_final_stats=1
				-artifact_prefix="$run/")
			if [ -f "$out/$name.dict" ]; then
				args+=(-dict="$out/$name.dict")
			fi
			args+=("$run/corpus" "$run/seeds")
		fi
		echo "==> $name ${args[*]}"
		if ! LLVM_PROFILE_FILE=$run/%m.profraw \
				"$bin" "${args[@]}" >"$run/log" 2>&1; then
			tail -n 40 "$run/log"
			failed="$failed $san/$name"
			continue
		fi
		if [ "$san" = coverage ]; then
			llvm-profdata merge -sparse "$run"/*.profraw \
				-o "$run/merged.profdata"
			# TOTAL: regions (3), functions (3), lines, branches
			lines=$(llvm-cov report "$bin" \
				-instr-profile="$run/merged.profdata" \
				"$top/lib" "$top/sim" | awk '$1 == "TOTAL" {
					print $8 - $9 " of " $8 " (" $10 ")" }')
			seeds=$(ls "$run/seeds" | wc -l)
			line="$san $name: $seeds seeds cover lines of lib/ and sim/: $lines"
		else
			execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log")
			rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run/log")
			units=$(ls "$run/corpus" | wc -l)
			line="$san $name: $execs runs, $rate exec/s, $units new inputs"
		fi
		echo "$line"
		summary="$summary$line"$'\n'
	done
done

echo "==> summary"
printf '%s' "$summary"
if [ -n "$failed" ]; then
	echo "oss-fuzz-local: failed:$failed (see $dir/SANITIZER/run/NAME/log)"
	exit 1
fi
