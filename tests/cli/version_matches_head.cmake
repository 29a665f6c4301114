# `superbet --version` names the commit of the checkout it was built from (read at build time, not
# at configure time). Invoked by CTest with -P: EXE is the tool, SOURCE_DIR the checkout.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rc EQUAL 0)
  set(head unknown)
endif()
execute_process(COMMAND ${EXE} --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\\(git ${head}\\)")
  message(FATAL_ERROR "superbet --version printed '${out}' (exit ${rc}); HEAD is ${head}")
endif()
