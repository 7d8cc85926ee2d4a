# SPDX-License-Identifier: MIT
#
# Drives CMake.  From a fresh clone on Debian 12:  make check  (as root, it
# installs what is missing first).  Targets:
#
#   deps      install missing Debian packages (apt-get; root only)
#   build     configure and build build/ (RelWithDebInfo, -Werror, benches)
#   demo      build quietly (build-demo.log), run every scenarios/seed/*.scn
#             (one line each; full traces in build/demo/), the policy matrix
#             and the explorer on the 4096-pipe fan-out: one screen
#   check     ctest in build/; ASan+UBSan (build-asan/); Valgrind; fuzz smoke
#   test      the fast inner loop: build/, then its unit and scenario suites
#             natively (no sanitizers, no Valgrind, not the live-kernel
#             suites scenario_differential and scenario_difffuzz)
#   bench     run every build/bench_*
#   fuzz      run every fuzz target for FUZZ_TIME seconds (600)
#   fuzz-bench  build-fuzzbench/: the fuzz targets without sanitizers (-O2),
#             each run FUZZ_BENCH_TIME seconds (20) from its seeds; prints
#             exec/s per target (bench/fuzz_bench.sh; not part of check)
#   fuzz-find build-fuzzbench/ as fuzz-bench, then bench/fuzz_find.sh: time
#             and executions for fuzz_ops or fuzz_net to find each planted bug from the
#             seeds without its exploit, FUZZ_FIND_SEEDS (5) runs of at most
#             FUZZ_FIND_CAP s (120) each (docs/fuzzing.md; not part of check)
#   coverage  build-cov/: the tests (not package-consumer, whose outside
#             program would count), gcovr summary of lib/ and sim/, and a
#             failure under 90% line coverage of lib/
#   mutate    tests/mutate.py: mutation testing of lib/ on a sample of
#             MUTATE_COUNT mutants (80) drawn by MUTATE_SEED (1), in
#             build-mutate/, one core, nice 19; not part of check
#             (docs/mutation.md; about 40 minutes on 2 cores)
#   install   cmake --install build --prefix $(PREFIX)
#   clean     remove every build directory

JOBS      ?= 2
PREFIX    ?= /usr/local
FUZZ_TIME ?= 600
MUTATE_SEED  ?= 1
MUTATE_COUNT ?= 80
BUILD     := build
SPANSIM   := $(BUILD)/spansim

DEB_PACKAGES := cmake build-essential pkg-config libcmocka-dev check \
	libxxhash-dev valgrind clang libclang-rt-14-dev gcovr graphviz spin \
	groff-base jq rpm strace

# cmake --build must not inherit this make's jobserver or flags.
CMAKE := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL cmake

ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	CK_TIMEOUT_MULTIPLIER=4

.PHONY: all deps build demo test check check-ctest check-asan check-valgrind \
	check-fuzz bench fuzz fuzz-build fuzz-bench fuzzbench-build fuzz-find coverage mutate \
	install clean dict

all: build

deps:
	@missing=; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
			grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "make deps: missing Debian packages:$$missing"; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "make deps: not root; run:"; \
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing"; \
		exit 1; \
	fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update && apt-get install -y --no-install-recommends $$missing

build: deps
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSPAN_WERROR=ON -DSPAN_BUILD_BENCH=ON \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX)
	$(CMAKE) --build $(BUILD) -j$(JOBS)

demo:
	@echo "==> make build   (the log: build-demo.log)"
	@$(MAKE) --no-print-directory build > build-demo.log 2>&1 || \
		{ tail -40 build-demo.log; echo "make demo: the build failed (build-demo.log)"; exit 1; }
	@if [ ! -x $(SPANSIM) ]; then \
		echo "make demo: $(SPANSIM) does not exist yet (sim/main.c is not written)"; \
		exit 1; \
	fi
	@set -- scenarios/seed/*.scn; \
	if [ ! -e "$$1" ]; then \
		echo "make demo: no seed scenarios in scenarios/seed/ (copy ../shared/scenarios/*.scn there)"; \
		exit 1; \
	fi; \
	failed=; mkdir -p $(BUILD)/demo; \
	for f in "$$@"; do \
		n=$$(basename "$$f" .scn); \
		$(SPANSIM) run "$$f" --trace > $(BUILD)/demo/$$n.txt 2>&1 || failed="$$failed $$f"; \
	done; \
	echo "==> the seed scenarios, one fifo run each (every step and state change: $(BUILD)/demo/NAME.txt)"; \
	$(SPANSIM) test "$$@" | grep -v '^TAP version\|^1\.\.' || failed="$$failed test"; \
	echo; \
	echo "==> $(SPANSIM) matrix scenarios/seed/*.scn   (every preset: does each expect hold?)"; \
	$(SPANSIM) matrix "$$@" || failed="$$failed matrix"; \
	echo; \
	echo "==> $(SPANSIM) explore scenarios/seed/splice-fanout.scn -q   (every schedule, 4096 pipes)"; \
	$(SPANSIM) explore scenarios/seed/splice-fanout.scn -q || failed="$$failed explore"; \
	echo; \
	echo "Next: docs/tutorial.md (the fan-out, step by step); $(SPANSIM) help; $(SPANSIM) list ops|knobs|presets|designs;"; \
	echo "      $(SPANSIM) run FILE --trace for every state change; make test while editing, make check before a commit."; \
	if [ -n "$$failed" ]; then echo "make demo: failed:$$failed"; exit 1; fi

test: build
	ctest --test-dir $(BUILD) --output-on-failure --progress -j$(JOBS) \
		-E '^scenario_(differential|difffuzz)$$'

check: build
	$(MAKE) --no-print-directory check-ctest
	$(MAKE) --no-print-directory check-asan
	$(MAKE) --no-print-directory check-valgrind
	$(MAKE) --no-print-directory check-fuzz
	@echo "make check: all passes clean"

check-ctest:
	ctest --test-dir $(BUILD) --output-on-failure --progress -j$(JOBS)

check-asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
		-DSPAN_WERROR=ON -DSPAN_SANITIZE="address;undefined" \
		-DSPAN_HASH_VERIFY=ON
	$(CMAKE) --build build-asan -j$(JOBS)
	$(ASAN_ENV) ctest --test-dir build-asan --output-on-failure --progress \
		-j$(JOBS) -L 'unit|scenario'

check-valgrind: build
	JOBS=$(JOBS) tests/valgrind.sh $(BUILD)

fuzz-build: deps
	$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSPAN_BUILD_FUZZ=ON -DSPAN_BUILD_TESTS=OFF \
		-DSPAN_HASH_VERIFY=ON
	$(CMAKE) --build build-fuzz -j$(JOBS)

# Executions per second without sanitizers (issue 14); the sanitizer
# build above is the one CI and `make check` use.
fuzzbench-build: deps
	$(CMAKE) -S . -B build-fuzzbench -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSPAN_BUILD_FUZZ=ON -DSPAN_BUILD_TESTS=OFF \
		-DSPAN_FUZZ_SANITIZERS=
	$(CMAKE) --build build-fuzzbench -j$(JOBS)

fuzz-bench: fuzzbench-build
	bench/fuzz_bench.sh build-fuzzbench

fuzz-find: fuzzbench-build
	bench/fuzz_find.sh build-fuzzbench

check-fuzz:
	@if ! ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then \
		echo "make check: no fuzz targets (tests/fuzz/fuzz_*.c) yet, skipping fuzz smoke"; \
	else \
		$(MAKE) --no-print-directory fuzz-build && \
		ctest --test-dir build-fuzz --output-on-failure -j$(JOBS) \
			-L fuzz-smoke; \
	fi

bench: build
	@set -- $(BUILD)/bench_*; \
	if [ ! -x "$$1" ]; then echo "make bench: no benchmarks (bench/bench_*.c)"; exit 0; fi; \
	for b in "$$@"; do \
		[ -f "$$b" ] && [ -x "$$b" ] || continue; \
		echo "==> $$b"; \
		"$$b" || exit 1; \
	done

# New inputs go to build-fuzz/fuzz-corpus/NAME; tests/fuzz/corpus/NAME is
# read only.  Merge worthwhile ones back with -merge=1 by hand.
fuzz:
	@if ! ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then \
		echo "make fuzz: no fuzz targets (tests/fuzz/fuzz_*.c)"; exit 1; \
	fi
	$(MAKE) --no-print-directory fuzz-build
	@for src in tests/fuzz/fuzz_*.c; do \
		name=$$(basename $$src .c); entry=$${name#fuzz_}; \
		out=build-fuzz/fuzz-corpus/$$name; mkdir -p $$out build-fuzz/fuzz-artifacts; \
		set -- -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/fuzz-artifacts/$$name-; \
		set -- "$$@" $$(tests/fuzz/options.sh $$name); \
		for d in tests/fuzz/$$name.dict tests/fuzz/$$entry.dict; do \
			if [ -f $$d ]; then set -- "$$@" -dict=$$d; break; fi; \
		done; \
		set -- "$$@" $$out; \
		for d in tests/fuzz/corpus/$$name tests/fuzz/corpus/$$entry; do \
			if [ -d $$d ]; then set -- "$$@" $$d; break; fi; \
		done; \
		if [ -f tests/fuzz/$$name.seeds ]; then \
			set -- "$$@" $$(grep -v '^#' tests/fuzz/$$name.seeds); \
		fi; \
		echo "==> build-fuzz/$$name $$*"; \
		build-fuzz/$$name "$$@" || exit 1; \
	done

coverage: deps
	$(CMAKE) -S . -B build-cov -DCMAKE_BUILD_TYPE=Debug -DSPAN_COVERAGE=ON
	$(CMAKE) --build build-cov -j$(JOBS)
	find build-cov -name '*.gcda' -delete
	ctest --test-dir build-cov --output-on-failure -j$(JOBS) \
		-E '^package-consumer$$'
	gcovr -r . --filter lib/ --filter sim/ --print-summary build-cov
	gcovr -r . --filter lib/ --print-summary --fail-under-line 90 build-cov

mutate: deps
	@command -v python3 >/dev/null || { \
		echo "make mutate: needs python3 (apt-get install python3)"; exit 1; }
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL nice -n 19 \
		python3 tests/mutate.py --seed $(MUTATE_SEED) --count $(MUTATE_COUNT)

# The fuzz dictionaries, printed from the operation table and libspan's
# names (tests/fuzz/gen_dict.c); the test fuzz_dict_current checks them.
dict: build
	$(BUILD)/gen_dict > tests/fuzz/fuzz_scenario.dict
	cp tests/fuzz/fuzz_scenario.dict tests/fuzz/fuzz_explore.dict

install: build
	$(CMAKE) --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf build build-asan build-fuzz build-fuzzbench build-cov build-mutate
