#!/bin/sh
# SPDX-License-Identifier: MIT
#
# options.sh NAME - the libFuzzer flags of tests/fuzz/NAME.options, one
# -key=value per line (nothing when the file does not exist).
#
# NAME.options is OSS-Fuzz's format (.clusterfuzzlite/build.sh copies it to
# $OUT, where ClusterFuzz reads it): `key = value` lines in a [libfuzzer]
# section.  make fuzz, bench/fuzz_bench.sh and bench/fuzz_find.sh read it
# through this script, CMakeLists.txt (the fuzz smoke) by itself, so that a
# target runs with the same flags everywhere.
set -u
f=$(cd "$(dirname "$0")" && pwd)/$1.options
[ -f "$f" ] || exit 0
awk '
	/^[ \t]*(#|;|$)/ { next }
	/^[ \t]*\[/ { sec = $0; gsub(/[][ \t]/, "", sec); next }
	sec == "libfuzzer" {
		line = $0
		k = line; sub(/[ \t]*=.*/, "", k); sub(/^[ \t]*/, "", k)
		v = line; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]*$/, "", v)
		if (k != "" && index(line, "="))
			print "-" k "=" v
	}
' "$f"
