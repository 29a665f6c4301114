# The main job (scripts/main-job: `superbet backtest --strategy model` on every E0 season of the
# data, the favourite and home baselines beside it) must print the same table and write the same
# JSON report, byte for byte, as the code before issue 16's speed work (commit 468fb8e), whatever
# --threads is: the oracle is the SHA-256 of that commit's outputs, recorded below. A change that
# moves any figure of the report (one bit of a probability moves the Brier score's last digits)
# fails here; if a change is meant to move them, re-record both digests and say why in the commit.
#
#   cmake -DEXE=<superbet> -DDATA=<data root> -DWORK=<scratch dir> -P main_job_golden.cmake

cmake_policy(VERSION 3.20)
set(golden_json "5a1acabde2bad5eec505c3e8c343af224470dcfdea99c583e5c993087d4c3fdb")
set(golden_table "14178bd722e6f3a054b3c87f66ffdf81c9acbf18f8c74171757a7bbf14889b10")

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
# Default (hardware concurrency), serial, and two threads even on a one-core runner.
foreach(threads default 1 2)
  set(extra)
  if(NOT threads STREQUAL "default")
    set(extra --threads ${threads})
  endif()
  execute_process(COMMAND "${EXE}" backtest --data ${DATA} --strategy model
      --json ${WORK}/report_${threads}.json ${extra}
    RESULT_VARIABLE code OUTPUT_FILE ${WORK}/table_${threads}.txt ERROR_VARIABLE err TIMEOUT 300)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "superbet backtest ${extra}: exit ${code}\n${err}")
  endif()
  file(SHA256 ${WORK}/report_${threads}.json json_sha)
  file(SHA256 ${WORK}/table_${threads}.txt table_sha)
  if(NOT json_sha STREQUAL golden_json)
    message(FATAL_ERROR "threads ${threads}: JSON report ${WORK}/report_${threads}.json has "
      "SHA-256 ${json_sha}, the recorded main job's is ${golden_json}")
  endif()
  if(NOT table_sha STREQUAL golden_table)
    message(FATAL_ERROR "threads ${threads}: table ${WORK}/table_${threads}.txt has SHA-256 "
      "${table_sha}, the recorded main job's is ${golden_table}")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
