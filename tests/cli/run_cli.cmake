# Runs one `superbet` command and checks its real outcome: the exact exit code and the output.
# (CTest's PASS_REGULAR_EXPRESSION ignores the exit code and WILL_FAIL passes on any non-zero exit,
# a crash or a missing binary included; this script checks both the code and the messages.)
#
#   cmake -DEXE=<superbet> -DEXPECT_EXIT=<code> [-DSTDOUT=<regex>] [-DSTDERR=<regex>]
#         [-DNOT_STDOUT=<regex>] [-DNOT_STDERR=<regex>] [-DSTDOUT_JSON=ON]
#         [-DOUT_FILE=<path> -DOUT_FILE_REGEX=<regex>] -P run_cli.cmake -- <args>...
#
# STDOUT / STDERR must match; NOT_STDOUT / NOT_STDERR must not (NOT_STDOUT=. : stdout is empty);
# STDOUT_JSON: stdout is exactly one JSON document; OUT_FILE is removed before the run and must
# then exist and match OUT_FILE_REGEX. Regexes are CMake regexes.

cmake_policy(VERSION 3.20)
set(args "")
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE 1 ${last})
  if(after_dashes)
    list(APPEND args "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_dashes TRUE)
  endif()
endforeach()
if(NOT EXE OR NOT DEFINED EXPECT_EXIT)
  message(FATAL_ERROR "run_cli.cmake: EXE and EXPECT_EXIT are required")
endif()
if(OUT_FILE)
  file(REMOVE "${OUT_FILE}")
endif()

execute_process(COMMAND "${EXE}" ${args}
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 110)
string(REPLACE ";" " " shown "${args}")
set(failures "")
if(NOT "${code}" STREQUAL "${EXPECT_EXIT}")
  string(APPEND failures "exit code ${code}, expected ${EXPECT_EXIT}\n")
endif()
foreach(stream STDOUT STDERR)
  if(stream STREQUAL "STDOUT")
    set(text "${out}")
  else()
    set(text "${err}")
  endif()
  if(DEFINED ${stream} AND NOT text MATCHES "${${stream}}")
    string(APPEND failures "${stream} does not match: ${${stream}}\n")
  endif()
  if(DEFINED NOT_${stream} AND text MATCHES "${NOT_${stream}}")
    string(APPEND failures "${stream} matches what it must not: ${NOT_${stream}}\n")
  endif()
endforeach()
if(STDOUT_JSON)
  string(JSON type ERROR_VARIABLE json_error TYPE "${out}")
  if(json_error)
    string(APPEND failures "stdout is not one JSON document: ${json_error}\n")
  endif()
endif()
if(OUT_FILE)
  if(NOT EXISTS "${OUT_FILE}")
    string(APPEND failures "${OUT_FILE} was not written\n")
  else()
    file(READ "${OUT_FILE}" written)
    file(REMOVE "${OUT_FILE}")
    if(DEFINED OUT_FILE_REGEX AND NOT written MATCHES "${OUT_FILE_REGEX}")
      string(APPEND failures "${OUT_FILE} does not match: ${OUT_FILE_REGEX}\n")
    endif()
  endif()
endif()
if(failures)
  string(SUBSTRING "${out}" 0 2000 out_head)
  string(SUBSTRING "${err}" 0 2000 err_head)
  message(FATAL_ERROR "superbet ${shown}\n${failures}--- stdout (first 2000 chars):\n${out_head}\n"
    "--- stderr (first 2000 chars):\n${err_head}")
endif()
message(STATUS "superbet ${shown}: exit ${code} as expected")
