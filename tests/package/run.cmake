# SPDX-License-Identifier: MIT
#
# package-consumer: install the build into a scratch prefix, then build and
# run an outside program against it twice, through find_package(span) and
# through pkg-config.  Any failing step fails the test.
#
#   cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DLIBDIR=lib
#         -DC_COMPILER=cc [-DEXTRA_FLAGS="-fsanitize=..."] -P run.cmake

foreach(v SOURCE_DIR BUILD_DIR WORK_DIR LIBDIR C_COMPILER)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "run.cmake: -D${v}=... is required")
	endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(consumer "${SOURCE_DIR}/tests/package/consumer")
if(IS_ABSOLUTE "${LIBDIR}")
	set(libdir "${LIBDIR}")
else()
	set(libdir "${prefix}/${LIBDIR}")
endif()
separate_arguments(extra UNIX_COMMAND "${EXTRA_FLAGS}")

# step(NAME COMMAND...) - run a command, echo it, fail the test if it fails.
function(step name)
	message(STATUS "package-consumer: ${name}: ${ARGN}")
	execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "package-consumer: ${name} failed (${rc})")
	endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

step(install ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

step(configure ${CMAKE_COMMAND} -S "${consumer}" -B "${WORK_DIR}/cmake"
	"-DCMAKE_PREFIX_PATH=${prefix}"
	"-DCMAKE_C_COMPILER=${C_COMPILER}"
	"-DCMAKE_C_FLAGS=${EXTRA_FLAGS}"
	"-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}")
step(build ${CMAKE_COMMAND} --build "${WORK_DIR}/cmake")
step(run-static "${WORK_DIR}/cmake/consumer")
step(run-shared "${WORK_DIR}/cmake/consumer_shared")

step(pkg-config-compile ${CMAKE_COMMAND} -E env
	"PKG_CONFIG_PATH=${libdir}/pkgconfig"
	sh -c "exec \"$0\" \"$@\" $(pkg-config --cflags --libs span)"
	"${C_COMPILER}" ${extra} -std=c11 -Wall -Werror
	-o "${WORK_DIR}/consumer_pc" "${consumer}/main.c"
	"-Wl,-rpath,${libdir}")
step(run-pkg-config "${WORK_DIR}/consumer_pc")
