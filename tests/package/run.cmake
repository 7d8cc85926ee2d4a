# SPDX-License-Identifier: MIT
#
# package-consumer: install the build into a scratch prefix, then build and
# run an outside program against it through find_package(span) (span::span,
# span::span_static, span::span_shared) and through pkg-config (span,
# span-static), and check that the default is the shared library both ways
# and the static ones are static.  Any failing step fails the test.
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
step(run-static "${WORK_DIR}/cmake/consumer_static")
step(run-shared "${WORK_DIR}/cmake/consumer_shared")
step(run-compat "${WORK_DIR}/cmake/consumer_compat")

step(pkg-config-compile ${CMAKE_COMMAND} -E env
	"PKG_CONFIG_PATH=${libdir}/pkgconfig"
	sh -c "exec \"$0\" \"$@\" $(pkg-config --cflags --libs span)"
	"${C_COMPILER}" ${extra} -std=c11 -Wall -Werror
	-o "${WORK_DIR}/consumer_pc" "${consumer}/main.c"
	"-Wl,-rpath,${libdir}")
step(run-pkg-config "${WORK_DIR}/consumer_pc")
step(pkg-config-static-compile ${CMAKE_COMMAND} -E env
	"PKG_CONFIG_PATH=${libdir}/pkgconfig"
	sh -c "exec \"$0\" \"$@\" $(pkg-config --cflags --libs span-static)"
	"${C_COMPILER}" ${extra} -std=c11 -Wall -Werror
	-o "${WORK_DIR}/consumer_pc_static" "${consumer}/main.c")
step(run-pkg-config-static "${WORK_DIR}/consumer_pc_static")

# linked_shared(NAME FILE WANT) - does FILE need libspan.so (readelf -d)?
function(linked_shared name file want)
	execute_process(COMMAND readelf -d "${file}" OUTPUT_VARIABLE dyn
		RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "package-consumer: readelf ${file} failed")
	endif()
	if(dyn MATCHES "NEEDED[^\n]*libspan\\.so")
		set(got 1)
	else()
		set(got 0)
	endif()
	if(NOT got EQUAL want)
		message(FATAL_ERROR "package-consumer: ${name}: libspan.so needed: ${got}, expected ${want}")
	endif()
	message(STATUS "package-consumer: ${name}: libspan.so needed: ${want}, as it should")
endfunction()
# the same library by default both ways (shared), the static one on request
linked_shared(cmake-default "${WORK_DIR}/cmake/consumer_shared" 1)
linked_shared(cmake-compat "${WORK_DIR}/cmake/consumer_compat" 1)
linked_shared(cmake-static "${WORK_DIR}/cmake/consumer_static" 0)
linked_shared(pkg-config-default "${WORK_DIR}/consumer_pc" 1)
linked_shared(pkg-config-static "${WORK_DIR}/consumer_pc_static" 0)
