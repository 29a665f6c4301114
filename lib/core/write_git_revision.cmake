# Writes OUT (a C++ fragment defining SUPERBET_GIT_REVISION) from `git rev-parse` in SOURCE_DIR,
# rewriting it only when the revision changed, so that `superbet --version` names the commit the
# binary was built from without recompiling anything on a build at the same commit.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT revision MATCHES "^[0-9a-f]+$")
  set(revision unknown)
endif()
set(content "#define SUPERBET_GIT_REVISION \"${revision}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE ${OUT} "${content}")
