# SPDX-License-Identifier: MIT
#
# check_dict.cmake - fail when a checked-in fuzz dictionary is not what
# gen_dict prints today (the test fuzz_dict_current).
#   cmake -DGEN_DICT=path/to/gen_dict -DSRC=source-dir -P check_dict.cmake
execute_process(COMMAND "${GEN_DICT}" OUTPUT_VARIABLE want
	RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "gen_dict failed (${rc})")
endif()
# the word lists are for the message: brackets would join list elements
string(REGEX REPLACE "[][]" "?" want_words "${want}")
string(REPLACE "\n" ";" want_words "${want_words}")
set(stale "")
foreach(name fuzz_scenario fuzz_explore)
	set(file "${SRC}/tests/fuzz/${name}.dict")
	if(NOT EXISTS "${file}")
		message(SEND_ERROR "tests/fuzz/${name}.dict is missing")
		list(APPEND stale ${name})
		continue()
	endif()
	file(READ "${file}" have)
	if(NOT have STREQUAL want)
		string(REGEX REPLACE "[][]" "?" have_words "${have}")
		string(REPLACE "\n" ";" have_words "${have_words}")
		set(missing ${want_words})
		list(REMOVE_ITEM missing ${have_words})
		set(extra ${have_words})
		list(REMOVE_ITEM extra ${want_words})
		message(SEND_ERROR "tests/fuzz/${name}.dict differs from what "
			"gen_dict prints; missing: ${missing}; not printed any "
			"more: ${extra}")
		list(APPEND stale ${name})
	endif()
endforeach()
if(stale)
	message(FATAL_ERROR "run `make dict` and commit tests/fuzz/*.dict")
endif()
message(STATUS "fuzz dictionaries current (${SRC}/tests/fuzz)")
