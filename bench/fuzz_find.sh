#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fuzz_find.sh - time to find each planted bug with fuzz_ops or fuzz_net
# (issue 14).
#
# usage: bench/fuzz_find.sh [BUILD_DIR]
#
# For each planted bug below (a knob value that revives an old kernel bug
# which the model reports as a broken invariant), runs the bug's target,
# BUILD_DIR/fuzz_ops (pipes, files, memory) or BUILD_DIR/fuzz_net (sockets
# too) (default build-fuzzbench, as `make fuzz-find` builds it: clang -O2,
# no sanitizers) with SPAN_FUZZ_POLICY set to the bug's policy, from a
# temporary copy of its seed corpus (tests/fuzz/corpus/TARGET) without
# the exploits: every seed that by itself already breaks an invariant under
# that policy is left out (each seed is run once to decide, so the rule
# cannot go stale when the corpus changes).  Each bug is run with -seed=1
# to FUZZ_FIND_SEEDS, each run stopping at its first crash or after
# FUZZ_FIND_CAP seconds; a crash counts as found when its input breaks the
# bug's invariant (checked by running the input again with
# SPAN_FUZZ_VERBOSE=1) and does not break it without the planted knob (the
# policy's first entry; the rest - parameters, context knobs - kept).
# Prints `name value unit` lines:
#
#   fuzz_find_BUG_excluded   seeds left out (the exploits among them)
#   fuzz_find_BUG_found      runs that found the bug, of FUZZ_FIND_SEEDS
#   fuzz_find_BUG_median_s   median wall seconds to the first report, or
#                            "not_found" when fewer than half found it
#                            (runs that did not count as slower than all)
#   fuzz_find_BUG_median_execs  median executions to it (libFuzzer's
#                            stat::number_of_executed_units), likewise
#   fuzz_find_BUG_le_60s     1 when the median is at most 60 s
#   fuzz_find_unreachable    how many of the bugs no target can reach
#   fuzz_find_all_le_60s     1 when every bug that a target can reach met it
#
# A bug that no target can reach (its invariant written as -; none now:
# DirtyClone became reachable with tcp_retransmit=1) is listed as
# `fuzz_find_BUG_reachable 0 bool` and not run.  One line per run goes to
# stderr.  Once more than half of the runs of a bug did not find it, its
# median is known ("not_found") and the rest
# are skipped (FUZZ_FIND_ALL=1 runs them anyway); found runs do not stop
# early, since a later run may be faster.  Inputs that found a bug are kept
# as BUILD_DIR/fuzz-find-artifacts/BUG-seedN.  Environment:
#   FUZZ_FIND_SEEDS=N   runs per bug, -seed=1..N (5)
#   FUZZ_FIND_CAP=S     seconds per run at most (120)
#   FUZZ_FIND_BUGS="A B"  only these bugs (names as printed)
#   FUZZ_FIND_CPU=N     pin each run to CPU N with taskset (default: none;
#                       the issue's figures are on one core)
#   FUZZ_FIND_LOG=DIR   keep each run's libFuzzer output as DIR/BUG-seedN.log
#   FUZZ_FIND_TMP=DIR   where the temporary corpora go (default /dev/shm
#                       when it is writable, else $TMPDIR or /tmp)
# Not part of `make check`.  Exits with 1 when a bug misses 60 s.
set -u

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-fuzzbench}
nseeds=${FUZZ_FIND_SEEDS:-5}
cap=${FUZZ_FIND_CAP:-120}
only=${FUZZ_FIND_BUGS:-}

# name, target, SPAN_FUZZ_POLICY, the invariant it breaks (- for a bug no
# target can reach), what it is
bugs='dirty_pipe fuzz_ops pipe_buf_init=stale page-cache-write Dirty-Pipe,CVE-2022-0847,5.8-5.16.10
tee_merge fuzz_ops pipe_link_merge=keep shared-merge tee/splice-keeps-CAN_MERGE,before-5.0
refcount_overflow fuzz_ops get_page_check=unchecked,refcount_bits=6 refcount-overflow CVE-2019-11487,before-5.1
refcount_overflow_exact fuzz_ops get_page_check=unchecked,refcount_bits=6,pincount=exact refcount-overflow CVE-2019-11487,without-the-pin-bias
cow_mapcount fuzz_ops cow_reuse=mapcount cow-leak CVE-2020-29374,before-5.8
kmem_send_ref fuzz_net kmem_send=ref get-on-frozen sendpage-of-slab,before-5.9
loopback_share fuzz_net loopback=share premature-completion zerocopy-loopback-sharing
fragnesia fuzz_net skb_shared_frag=drop_on_coalesce page-cache-write Fragnesia
dirty_frag fuzz_net skb_shared_frag=ignore page-cache-write Dirty-Frag
dirtyclone fuzz_net skb_shared_frag=drop_on_copy,tcp_retransmit=1 page-cache-write DirtyClone,a-retransmitted-pskb_copy'
pin=
if [ -n "${FUZZ_FIND_CPU:-}" ]; then
	pin="taskset -c $FUZZ_FIND_CPU"
fi

tmpdir=${FUZZ_FIND_TMP:-}
if [ -z "$tmpdir" ]; then
	tmpdir=${TMPDIR:-/tmp}
	[ -d /dev/shm ] && [ -w /dev/shm ] && tmpdir=/dev/shm
fi
tmp=$(mktemp -d "$tmpdir/fuzz_find.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

now() {
	date +%s.%N
}

# the median (the middle of N values, N odd; the lower middle otherwise)
# of the numbers on stdin, "x" standing for "not found" (larger than all)
median() {
	sed 's/^x$/1e99/' | sort -g | awk -v n="$nseeds" '{ v[NR] = $1 }
		END { m = v[int((n + 1) / 2)]; print (m == "" || m == "1e99" ? "x" : m) }'
}

echo "$bugs" | while read -r name target policy inv what; do
	if [ -n "$only" ]; then
		case " $only " in
		*" $name "*) ;;
		*) continue ;;
		esac
	fi
	if [ "$inv" = - ]; then
		echo "fuzz_find_${name}_reachable 0 bool"
		echo "$name" >>"$tmp/unreachable"
		echo "fuzz_find: $name ($policy, $what): not reachable" >&2
		continue
	fi
	bin=$build/$target
	seeds=$src/tests/fuzz/corpus/$target
	if [ ! -x "$bin" ]; then
		echo "fuzz_find: no $bin (make fuzz-find builds it)" >&2
		echo fail >>"$tmp/failed"
		continue
	fi
	# the seed corpus without the exploits of this bug
	corpus=$tmp/$name.seeds
	mkdir "$corpus"
	excluded=0
	for s in "$seeds"/*; do
		if SPAN_FUZZ_POLICY=$policy $pin "$bin" "$s" </dev/null >/dev/null 2>&1; then
			cp "$s" "$corpus/"
		else
			excluded=$((excluded + 1))
			echo "fuzz_find: $name: seed $(basename "$s") breaks an invariant by itself, left out" >&2
		fi
	done
	echo "fuzz_find_${name}_excluded $excluded seeds"
	: >"$tmp/$name.s"
	: >"$tmp/$name.e"
	found=0
	missed=0
	skipped=
	seed=1
	while [ "$seed" -le "$nseeds" ]; do
		if [ -z "${FUZZ_FIND_ALL:-}" ] && [ $((missed * 2)) -gt "$nseeds" ]; then
			[ -z "$skipped" ] &&
				echo "fuzz_find: $name: $missed of $nseeds runs missed, median known, seed $seed and later skipped" >&2
			skipped=1
			echo x >>"$tmp/$name.s"
			echo x >>"$tmp/$name.e"
			seed=$((seed + 1))
			continue
		fi
		out=$tmp/$name.out
		rm -rf "$out"
		mkdir "$out"
		log=$tmp/$name-seed$seed.log
		t0=$(now)
		SPAN_FUZZ_POLICY=$policy $pin "$bin" -seed="$seed" \
			-max_total_time="$cap" -print_final_stats=1 \
			$("$src/tests/fuzz/options.sh" "$target") \
			-artifact_prefix="$tmp/$name-" "$out" "$corpus" \
			</dev/null >"$log" 2>&1
		rc=$?
		t1=$(now)
		if [ -n "${FUZZ_FIND_LOG:-}" ]; then
			mkdir -p "$FUZZ_FIND_LOG"
			cp "$log" "$FUZZ_FIND_LOG/$name-seed$seed.log"
		fi
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }')
		crash=
		for a in "$tmp/$name-"crash-* "$tmp/$name-"leak-* \
			"$tmp/$name-"timeout-* "$tmp/$name-"oom-*; do
			if [ -f "$a" ]; then
				crash=$a
				break
			fi
		done
		got=
		if [ "$rc" -ne 0 ] && [ -n "$crash" ]; then
			got=$(SPAN_FUZZ_POLICY=$policy SPAN_FUZZ_VERBOSE=1 \
				"$bin" "$crash" 2>&1 </dev/null >/dev/null |
				sed -n 's/^violation \([a-z-]*\) .*/\1/p' | head -n 1)
		fi
		# the planted knob must be the cause: the same input under the
		# rest of the policy (the parameters and context knobs after
		# the first comma) must not break the same invariant
		if [ "$got" = "$inv" ]; then
			base=
			case $policy in *,*) base=${policy#*,} ;; esac
			also=$(SPAN_FUZZ_POLICY=$base SPAN_FUZZ_VERBOSE=1 \
				"$bin" "$crash" 2>&1 </dev/null >/dev/null |
				sed -n 's/^violation \([a-z-]*\) .*/\1/p' | head -n 1)
			if [ "$also" = "$inv" ]; then
				echo "fuzz_find: $name seed $seed: the input breaks $inv without ${policy%%,*} too: not the planted bug" >&2
				got="$inv-without-the-knob"
			fi
		fi
		if [ "$got" = "$inv" ]; then
			found=$((found + 1))
			echo "$secs" >>"$tmp/$name.s"
			echo "${runs:-0}" >>"$tmp/$name.e"
			mkdir -p "$build/fuzz-find-artifacts"
			cp "$crash" "$build/fuzz-find-artifacts/$name-seed$seed"
			echo "fuzz_find: $name seed $seed: $inv after $secs s, ${runs:-?} executions" >&2
		else
			missed=$((missed + 1))
			echo x >>"$tmp/$name.s"
			echo x >>"$tmp/$name.e"
			if [ "$rc" -eq 0 ]; then
				echo "fuzz_find: $name seed $seed: not found in $secs s (${runs:-?} executions)" >&2
			else
				echo "fuzz_find: $name seed $seed: stopped ($rc) after $secs s with ${got:-no violation} instead of $inv" >&2
				mkdir -p "$build/fuzz-find-artifacts"
				[ -n "$crash" ] && cp "$crash" "$build/fuzz-find-artifacts/$name-seed$seed-other"
			fi
		fi
		rm -f "$tmp/$name-"*crash-* "$tmp/$name-"leak-* "$tmp/$name-"timeout-* "$tmp/$name-"oom-*
		seed=$((seed + 1))
	done
	ms=$(median <"$tmp/$name.s")
	me=$(median <"$tmp/$name.e")
	ok=0
	if [ "$ms" = x ]; then
		ms=not_found
		me=not_found
	else
		awk -v s="$ms" 'BEGIN { exit !(s <= 60) }' && ok=1
	fi
	echo "fuzz_find_${name}_found $found of_$nseeds"
	echo "fuzz_find_${name}_median_s $ms s"
	echo "fuzz_find_${name}_median_execs $me execs"
	echo "fuzz_find_${name}_le_60s $ok bool"
	[ "$ok" -eq 1 ] || echo fail >>"$tmp/failed"
	rm -rf "$corpus" "$tmp/$name.out"
done
if [ -s "$tmp/unreachable" ]; then
	echo "fuzz_find_unreachable $(wc -l <"$tmp/unreachable" | tr -d ' ') bugs"
fi
if [ -s "$tmp/failed" ]; then
	echo "fuzz_find_all_le_60s 0 bool"
	exit 1
fi
echo "fuzz_find_all_le_60s 1 bool"
exit 0
