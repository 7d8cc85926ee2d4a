# SPDX-License-Identifier: MIT
#
# FindxxHash - locate the xxHash library (Debian: libxxhash-dev).
#
# Looks through pkg-config (module "libxxhash") first, then falls back to
# find_path(xxhash.h) + find_library(xxhash).  Defines:
#   xxHash_FOUND, xxHash_INCLUDE_DIR, xxHash_LIBRARY, xxHash_VERSION
#   xxHash::xxHash     imported target
#
# Installed next to spanConfig.cmake, so that users of the static libspan
# (whose link interface names xxHash::xxHash) find it the same way.

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
	pkg_check_modules(PC_xxHash QUIET libxxhash)
endif()

find_path(xxHash_INCLUDE_DIR NAMES xxhash.h
	HINTS ${PC_xxHash_INCLUDEDIR} ${PC_xxHash_INCLUDE_DIRS})
find_library(xxHash_LIBRARY NAMES xxhash
	HINTS ${PC_xxHash_LIBDIR} ${PC_xxHash_LIBRARY_DIRS})

if(PC_xxHash_VERSION)
	set(xxHash_VERSION "${PC_xxHash_VERSION}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xxHash
	REQUIRED_VARS xxHash_LIBRARY xxHash_INCLUDE_DIR
	VERSION_VAR xxHash_VERSION)

if(xxHash_FOUND AND NOT TARGET xxHash::xxHash)
	add_library(xxHash::xxHash UNKNOWN IMPORTED)
	set_target_properties(xxHash::xxHash PROPERTIES
		IMPORTED_LOCATION "${xxHash_LIBRARY}"
		INTERFACE_INCLUDE_DIRECTORIES "${xxHash_INCLUDE_DIR}")
endif()

mark_as_advanced(xxHash_INCLUDE_DIR xxHash_LIBRARY)
