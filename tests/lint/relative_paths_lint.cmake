# No tracked file names a machine's absolute path (under /work, /root or /home) to the shared
# material, the checkout or a worktree (they are ../shared/... and paths relative to the
# repository). Invoked by CTest with -P; SOURCE_DIR is the repository root.
execute_process(COMMAND git ls-files WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE files RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0)
  message(STATUS "not a git checkout: nothing to check")
  return()
endif()
string(REPLACE "\n" ";" files "${files}")
set(bad "")
foreach(f IN LISTS files)
  if(f STREQUAL "" OR NOT EXISTS ${SOURCE_DIR}/${f})
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/${f} hits REGEX "/[w]ork/[A-Za-z.]|/[r]oot/|/[h]ome/[a-z]")  # [x]: this line does not match itself
  if(hits)
    list(APPEND bad "${f}: ${hits}")
  endif()
endforeach()
if(bad)
  string(REPLACE ";" "\n" bad "${bad}")
  message(FATAL_ERROR "absolute machine paths in tracked files:\n${bad}")
endif()
