# Helpers shared by the CLI determinism scripts (hrl_determinism.cmake, live_determinism.cmake):
# run(<expected exit> <superbet args...>) runs ${EXE} with a 300 s bound, fails on another exit
# code and leaves its stderr in `last_err`; same(<a> <b>) fails unless the two files have the same
# SHA-256 (same seed and data must give identical bytes).

function(run expect_exit)
  execute_process(COMMAND "${EXE}" ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out
    ERROR_VARIABLE err TIMEOUT 300)
  if(NOT "${code}" STREQUAL "${expect_exit}")
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "superbet ${shown}: exit ${code}, expected ${expect_exit}\n${err}")
  endif()
  set(last_err "${err}" PARENT_SCOPE)
endfunction()

function(same a b)
  file(SHA256 "${a}" ha)
  file(SHA256 "${b}" hb)
  if(NOT ha STREQUAL hb)
    message(FATAL_ERROR "${a} and ${b} differ: same seed and data must give identical bytes")
  endif()
endfunction()
