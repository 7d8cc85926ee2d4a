#!/bin/bash -eu
# SPDX-License-Identifier: MIT
#
# ClusterFuzzLite / OSS-Fuzz build: every tests/fuzz/fuzz_*.c into $OUT, with
# its dictionary and its seed corpus.  The environment is OSS-Fuzz's: CC and
# CFLAGS (which carry the sanitizer of $SANITIZER and the coverage
# instrumentation), LIB_FUZZING_ENGINE (the engine, linked as given), SRC,
# WORK and OUT.  No sanitizer and no engine is named here.  Run from the
# checkout (the Dockerfile's WORKDIR); tests/fuzz/oss-fuzz-local.sh runs it
# outside Docker.

# the checkout: the working directory, else $SRC/spansim
if [ -f CMakeLists.txt ] && [ -d tests/fuzz ]; then
	top=$PWD
else
	top=$SRC/spansim
fi
build=$WORK/spansim
mkdir -p "$build" "$OUT"

# xxHash 0.8: the Dockerfile's clone, compiled like the rest into a static
# library, so that a target needs nothing on the runner image but itself;
# without the clone (outside Docker), the system's static libxxhash.a.
xxhash=()
if [ -f "$SRC/xxHash/xxhash.c" ]; then
	$CC $CFLAGS -c "$SRC/xxHash/xxhash.c" -o "$build/xxhash.o"
	rm -f "$build/libxxhash.a"
	ar rcs "$build/libxxhash.a" "$build/xxhash.o"
	xxhash=(-DxxHash_INCLUDE_DIR="$SRC/xxHash"
		-DxxHash_LIBRARY="$build/libxxhash.a"
		-DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON)
else
	lib=$($CC -print-file-name=libxxhash.a)
	if [ -f "$lib" ]; then
		xxhash=(-DxxHash_LIBRARY="$lib")
	fi
fi

# No CMAKE_BUILD_TYPE: CFLAGS alone set optimisation and debug info.
# SPAN_FUZZ_ENGINE makes CMake add no -fsanitize of its own.
cmake -S "$top" -B "$build" \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DCMAKE_BUILD_TYPE= \
	-DSPAN_BUILD_FUZZ=ON -DSPAN_BUILD_TESTS=OFF \
	-DSPAN_FUZZ_SANITIZERS= \
	-DSPAN_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
	"${xxhash[@]}"

targets=()
for src in "$top"/tests/fuzz/fuzz_*.c; do
	targets+=("$(basename "$src" .c)")
done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

# The same dictionary and corpus as the fuzz smoke of CMakeLists.txt:
# tests/fuzz/NAME.dict or ENTRY.dict, tests/fuzz/corpus/NAME or ENTRY, and
# the directories of tests/fuzz/NAME.seeds.
for name in "${targets[@]}"; do
	entry=${name#fuzz_}
	cp "$build/$name" "$OUT/"
	for d in "$name" "$entry"; do
		if [ -f "$top/tests/fuzz/$d.dict" ]; then
			cp "$top/tests/fuzz/$d.dict" "$OUT/$name.dict"
			break
		fi
	done
	if [ -f "$top/tests/fuzz/$name.options" ]; then
		cp "$top/tests/fuzz/$name.options" "$OUT/"
	fi
	rm -f "$OUT/${name}_seed_corpus.zip"
	for d in "$name" "$entry"; do
		if [ -d "$top/tests/fuzz/corpus/$d" ]; then
			zip -q -j "$OUT/${name}_seed_corpus.zip" \
				"$top/tests/fuzz/corpus/$d"/*
			break
		fi
	done
	# tests/fuzz/NAME.seeds: more seed directories (scenarios/), kept
	# with their paths (two directories may hold the same file name)
	if [ -f "$top/tests/fuzz/$name.seeds" ]; then
		for d in $(grep -v '^#' "$top/tests/fuzz/$name.seeds"); do
			(cd "$top" && zip -q -r "$OUT/${name}_seed_corpus.zip" "$d")
		done
	fi
done
