# SPDX-License-Identifier: MIT
#
# design-plugins (issue 19): install the build into a scratch prefix; build
# the two example designs of examples/designs/ outside the source tree
# against it (find_package(span)), and one through pkg-config; then, with
# the installed spansim:
#   - the matrix of the seed scenarios, explored, has a column per design;
#     the broken design (early-release) breaks early-destruct there and the
#     variant (span-desc-workqueue) breaks nothing;
#   - explore gives the broken design's counterexample with --design in
#     its replay line, and that replay fails the same way;
#   - a design built for another API version, one missing a callback, one
#     without the span_design symbol and a file that is not a shared
#     object are refused with a message and exit status 2, and a callback
#     answering out of range stops the run with exit status 2;
#   - a design's own invariant (.check) is reported as the violation
#     "design" with its message, in run and explore.
#
#   cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DLIBDIR=lib
#         -DC_COMPILER=cc [-DEXTRA_FLAGS="-fsanitize=..."] -P designs.cmake

foreach(v SOURCE_DIR BUILD_DIR WORK_DIR LIBDIR C_COMPILER)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "designs.cmake: -D${v}=... is required")
	endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
if(IS_ABSOLUTE "${LIBDIR}")
	set(libdir "${LIBDIR}")
else()
	set(libdir "${prefix}/${LIBDIR}")
endif()
set(spansim "${prefix}/bin/spansim")
separate_arguments(extra UNIX_COMMAND "${EXTRA_FLAGS}")

function(step name)
	message(STATUS "design-plugins: ${name}: ${ARGN}")
	execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "design-plugins: ${name} failed (${rc})")
	endif()
endfunction()

# expect(NAME RC PATTERN COMMAND...) - run it (in the source dir), check
# its exit status and that stdout+stderr match PATTERN; OUT gets them.
function(expect name want pattern)
	message(STATUS "design-plugins: ${name}: ${ARGN}")
	execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${SOURCE_DIR}"
		RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
	set(all "${out}${err}")
	if(NOT rc EQUAL want)
		message(FATAL_ERROR "design-plugins: ${name}: exit ${rc}, not ${want}:\n${all}")
	endif()
	if(NOT all MATCHES "${pattern}")
		message(FATAL_ERROR "design-plugins: ${name}: no match for '${pattern}' in:\n${all}")
	endif()
	set(OUT "${all}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
step(install ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

# the examples, each on its own, as a user builds them
foreach(d span-desc-workqueue early-release)
	step(configure-${d} ${CMAKE_COMMAND}
		-S "${SOURCE_DIR}/examples/designs/${d}" -B "${WORK_DIR}/${d}"
		"-DCMAKE_PREFIX_PATH=${prefix}"
		"-DCMAKE_C_COMPILER=${C_COMPILER}"
		"-DCMAKE_C_FLAGS=${EXTRA_FLAGS}"
		"-DCMAKE_MODULE_LINKER_FLAGS=${EXTRA_FLAGS}")
	step(build-${d} ${CMAKE_COMMAND} --build "${WORK_DIR}/${d}")
endforeach()
set(good "${WORK_DIR}/span-desc-workqueue/span-desc-workqueue.so")
set(broken "${WORK_DIR}/early-release/early-release.so")

# the bad ones, and the variant again, through pkg-config
foreach(b bad_version missing_callback out_of_range no_symbol check_always)
	step(pkg-config-${b} ${CMAKE_COMMAND} -E env
		"PKG_CONFIG_PATH=${libdir}/pkgconfig"
		sh -c "exec \"$0\" \"$@\" $(pkg-config --cflags span)"
		"${C_COMPILER}" ${extra} -std=c11 -Wall -Werror -shared -fPIC
		-o "${WORK_DIR}/${b}.so"
		"${SOURCE_DIR}/tests/package/designs/${b}.c")
endforeach()
step(pkg-config-variant ${CMAKE_COMMAND} -E env
	"PKG_CONFIG_PATH=${libdir}/pkgconfig"
	sh -c "exec \"$0\" \"$@\" $(pkg-config --cflags span)"
	"${C_COMPILER}" ${extra} -std=c11 -Wall -Werror -shared -fPIC
	-o "${WORK_DIR}/variant-pc.so"
	"${SOURCE_DIR}/examples/designs/span-desc-workqueue/design.c")

file(GLOB seeds "${SOURCE_DIR}/scenarios/seed/*.scn")
list(SORT seeds)
expect(matrix 0 "early-release" ${spansim} matrix ${seeds}
	--design ${good} --design ${broken} --explore -q)
# the rows of tcp-loopback-rpc.scn: its invariant row names early-destruct
# in the last column only
string(FIND "${OUT}" "tcp-loopback-rpc.scn\n" at)
string(SUBSTRING "${OUT}" ${at} -1 rpc)
string(REGEX MATCH "  invariant broken[^\n]*" rpc "${rpc}")
if(NOT rpc MATCHES "invariant broken +- +- +early-destruct *$")
	message(FATAL_ERROR "design-plugins: matrix: tcp-loopback-rpc's invariant row is not '- - early-destruct':\n${rpc}")
endif()
if(NOT OUT MATCHES "design span-desc-workqueue: span-desc-workqueue \\([^\n]*build-id [0-9a-f]+\\)")
	message(FATAL_ERROR "design-plugins: matrix does not name the design's file and build id:\n${OUT}")
endif()
expect(matrix-pkg-config 0 "span-desc-workqueue +\n" ${spansim} matrix
	scenarios/seed/tcp-loopback-rpc.scn --design ${WORK_DIR}/variant-pc.so -q)

# the broken design: a counterexample, replayable
expect(explore-broken 1 "invariant broken: early-destruct" ${spansim}
	explore scenarios/seed/tcp-loopback-rpc.scn --design ${broken} -q)
string(REGEX MATCH "counterexample [^\n]*: (spansim run [^\n]*)" m "${OUT}")
if(NOT m)
	message(FATAL_ERROR "design-plugins: no counterexample line:\n${OUT}")
endif()
string(REGEX MATCH "--schedule '([^']*)'" s "${CMAKE_MATCH_1}")
set(sched "${CMAKE_MATCH_1}")
if(NOT OUT MATCHES "--design ${broken} --schedule")
	message(FATAL_ERROR "design-plugins: the replay line lacks --design:\n${OUT}")
endif()
expect(replay-broken 1 "early-destruct" ${spansim} run
	scenarios/seed/tcp-loopback-rpc.scn --design ${broken}
	--schedule "${sched}")
expect(explore-variant 0 "Result: PASS" ${spansim} explore
	scenarios/seed/tcp-loopback-rpc.scn --design ${good} -q)

# refusals: a message and exit status 2
expect(bad-version 2 "api_version 2, but this spansim has design API version 1"
	${spansim} run scenarios/seed/tcp-loopback-rpc.scn
	--design ${WORK_DIR}/bad_version.so)
expect(missing-callback 2 "has no callback \\.pipe_split" ${spansim} matrix
	scenarios/seed/tcp-loopback-rpc.scn --design ${WORK_DIR}/missing_callback.so)
expect(no-symbol 2 "no symbol 'span_design'" ${spansim} explore
	scenarios/seed/tcp-loopback-rpc.scn --design ${WORK_DIR}/no_symbol.so)
expect(not-elf 2 "cannot load it" ${spansim} test scenarios/seed
	--design "${SOURCE_DIR}/README.md")
expect(out-of-range 2 "\\.vmsplice returned 42 in iter_to_pipe" ${spansim}
	run scenarios/seed/vmsplice-fork.scn --design ${WORK_DIR}/out_of_range.so)
expect(out-of-range-matrix 2 "\\.vmsplice returned 42" ${spansim} matrix
	scenarios/seed/vmsplice-fork.scn --explore -q
	--design ${WORK_DIR}/out_of_range.so)

# a design's own invariant: the violation "design", its message, exit 1
expect(design-check-run 1 "invariants: design at step 2 in design: design 'check-always': step 2 is one too many"
	${spansim} run scenarios/seed/vmsplice-fork.scn
	--design ${WORK_DIR}/check_always.so)
expect(design-check-explore 1 "invariant broken: design in" ${spansim} explore
	scenarios/seed/vmsplice-fork.scn --design ${WORK_DIR}/check_always.so -q)
