# SPDX-License-Identifier: MIT
#
# package-files: cpack makes a .deb (and an .rpm where rpmbuild is); each is
# unpacked into a scratch root, where an outside program builds against
# its span.pc and runs against its libspan.so, and its spansim runs a seed
# scenario.  Without rpmbuild the .rpm part is not run and says SKIP, which
# ctest reports as a skip of the whole test (SKIP_REGULAR_EXPRESSION), not
# a pass (rpm is in the Makefile's Debian packages).
#
#   cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DWORK_DIR=... -DLIBDIR=lib
#         -DC_COMPILER=cc [-DEXTRA_FLAGS="-fsanitize=..."] -P cpack.cmake

foreach(v SOURCE_DIR BUILD_DIR WORK_DIR LIBDIR C_COMPILER)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "cpack.cmake: -D${v}=... is required")
	endif()
endforeach()
separate_arguments(extra UNIX_COMMAND "${EXTRA_FLAGS}")

function(step name)
	message(STATUS "package-files: ${name}: ${ARGN}")
	execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "package-files: ${name} failed (${rc})")
	endif()
endfunction()

# check_root(KIND ROOT) - build and run the consumer against ROOT/usr
function(check_root kind root)
	set(libdir "${root}/usr/${LIBDIR}")
	foreach(f "${libdir}/libspan.so" "${libdir}/libspan.a"
		"${libdir}/pkgconfig/span.pc" "${root}/usr/bin/spansim"
		"${root}/usr/include/span/design.h"
		"${root}/usr/share/man/man1/spansim.1"
		"${root}/usr/share/bash-completion/completions/spansim")
		if(NOT EXISTS "${f}")
			message(FATAL_ERROR "package-files: the ${kind} lacks ${f}")
		endif()
	endforeach()
	step(${kind}-pkg-config ${CMAKE_COMMAND} -E env
		"PKG_CONFIG_PATH=${libdir}/pkgconfig"
		sh -c "exec \"$0\" \"$@\" $(pkg-config --cflags --libs span)"
		"${C_COMPILER}" ${extra} -std=c11 -Wall -Werror
		-o "${root}/consumer" "${SOURCE_DIR}/tests/package/consumer/main.c"
		"-Wl,-rpath,${libdir}")
	step(${kind}-run "${root}/consumer")
	step(${kind}-spansim ${CMAKE_COMMAND} -E env
		"LD_LIBRARY_PATH=${libdir}" "${root}/usr/bin/spansim" run -q
		"${SOURCE_DIR}/scenarios/seed/vmsplice-fork.scn")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

step(cpack-deb ${CMAKE_COMMAND} -E chdir "${WORK_DIR}" cpack -G DEB
	--config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK_DIR}/out")
file(GLOB debs "${WORK_DIR}/out/*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
	message(FATAL_ERROR "package-files: ${n} .deb files, not 1: ${debs}")
endif()
step(deb-info dpkg-deb --info "${debs}")
step(deb-extract dpkg-deb -x "${debs}" "${WORK_DIR}/deb")
check_root(deb "${WORK_DIR}/deb")

find_program(RPMBUILD rpmbuild)
find_program(RPM2CPIO rpm2cpio)
if(NOT RPMBUILD OR NOT RPM2CPIO)
	message(STATUS "package-files: SKIP the .rpm: no rpmbuild or rpm2cpio (apt-get install rpm)")
	return()
endif()
step(cpack-rpm ${CMAKE_COMMAND} -E chdir "${WORK_DIR}" cpack -G RPM
	--config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK_DIR}/out")
file(GLOB rpms "${WORK_DIR}/out/*.rpm")
list(LENGTH rpms n)
if(NOT n EQUAL 1)
	message(FATAL_ERROR "package-files: ${n} .rpm files, not 1: ${rpms}")
endif()
file(MAKE_DIRECTORY "${WORK_DIR}/rpm")
message(STATUS "package-files: rpm-extract: rpm2cpio ${rpms}, then CMake's own cpio reader")
execute_process(COMMAND "${RPM2CPIO}" "${rpms}"
	OUTPUT_FILE "${WORK_DIR}/spansim.cpio" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "package-files: rpm2cpio failed (${rc})")
endif()
file(ARCHIVE_EXTRACT INPUT "${WORK_DIR}/spansim.cpio"
	DESTINATION "${WORK_DIR}/rpm")
check_root(rpm "${WORK_DIR}/rpm")
