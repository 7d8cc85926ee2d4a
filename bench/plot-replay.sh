#!/bin/sh
# plot-replay.sh - plot ns per step against stream length from bench_replay
# output (`name value unit` lines) with gnuplot.
#
# usage: bench/plot-replay.sh OUT.png LABEL=FILE [LABEL=FILE...]
#   e.g. bench/plot-replay.sh docs/replay-ns-per-step.png \
#            main=replay-main.txt prototype=replay-proto.txt
set -e
out=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plot=
i=0
for arg in "$@"; do
	label=${arg%%=*}
	file=${arg#*=}
	i=$((i + 1))
	for mode in nocheck check; do
		dat="$tmp/$i-$mode.dat"
		sed -n "s/^replay_ns_per_step_\([0-9]*\)_${mode} \([0-9.]*\) ns$/\1 \2/p" \
			"$file" > "$dat"
		[ -s "$dat" ] || continue
		on=off
		[ $mode = check ] && on=on
		plot="$plot${plot:+, }'$dat' using 1:2 with linespoints lw 2 title '$label, checker $on'"
	done
done
gnuplot <<GP
set terminal png size 900,620 font ",11"
set output '$out'
set logscale x
set xrange [500:2000000]
set yrange [0:*]
set grid
set key below
set xlabel 'steps in the replayed stream'
set ylabel 'ns per step (CPU time)'
set title 'bench\_replay: ns per step against stream length (bounded world)'
plot $plot, 200 with lines dashtype 2 lc rgb 'gray' title 'target, checker off (200 ns)'
GP
