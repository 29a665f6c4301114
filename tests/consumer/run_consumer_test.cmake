# Installs the already-built library into a temporary prefix, then checks the installed package as a
# downstream user meets it. Invoked by CTest with -P.
#   1. libsuperbet.a holds the library only: no object of the `superbet` tool (lib/cli).
#   2. tests/consumer: find_package(superbet) + superbet::superbet builds and runs.
#   3. tests/consumer/odds_only: find_package(superbet COMPONENTS odds) + superbet::odds builds and
#      runs, and neither its configure cache nor its link line mentions CURL, simdjson, spdlog,
#      SQLite or absl flags.
#   4. The .proto sources are installed where the README says.
#   5. tests/consumer/quickstart: the README's three quick-start programs build against the
#      installed tree and run on the real data (exit 0, expected output).
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${SUPERBET_BINARY_DIR} --prefix ${prefix}
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed: ${rc}")
endif()

# 1. No CLI objects in the umbrella archive.
file(GLOB archive ${prefix}/lib*/libsuperbet.a)
if(archive)
  execute_process(COMMAND ${AR} t ${archive} OUTPUT_VARIABLE members RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT members MATCHES "margin\\.cc\\.o")
    message(FATAL_ERROR "cannot list ${archive} (rc ${rc}): ${members}")
  endif()
  if(members MATCHES "(backtest_command|normalize_command|replay_command|coverage_command|flags|command|superbet_main)\\.cc\\.o")
    message(FATAL_ERROR "libsuperbet.a holds CLI objects: ${CMAKE_MATCH_0}")
  endif()
endif()

# 4. The proto sources.
if(NOT EXISTS ${prefix}/share/superbet/proto/superbet/v1/model.proto)
  message(FATAL_ERROR "model.proto is not installed at share/superbet/proto/superbet/v1/")
endif()

function(build_and_run name source_dir exe)
  set(bdir ${WORK_DIR}/build-${name})
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${source_dir} -B ${bdir} -G "Unix Makefiles"
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release -DEXAMPLES_DIR=${EXAMPLES_DIR}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: configure failed: ${rc}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${bdir} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: build failed: ${rc}")
  endif()
  foreach(e IN LISTS exe)
    execute_process(COMMAND ${bdir}/${e} ${DATA_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out
      ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${name}: ${e} failed (${rc}): ${err}")
    endif()
    set(last_output "${out}" PARENT_SCOPE)
    set(output_${e} "${out}" PARENT_SCOPE)
  endforeach()
endfunction()

# 2. The umbrella.
build_and_run(umbrella ${CONSUMER_SOURCE_DIR} consumer)

# 3. The odds component, with what it must not need.
build_and_run(odds ${CONSUMER_SOURCE_DIR}/odds_only odds_consumer)
file(READ ${WORK_DIR}/build-odds/CMakeCache.txt cache)
file(READ ${WORK_DIR}/build-odds/CMakeFiles/odds_consumer.dir/link.txt link_line)
foreach(dep CURL simdjson spdlog SQLite absl_flags)
  string(TOLOWER "${dep}" lower)
  if(cache MATCHES "${dep}_DIR:|${dep}_INCLUDE_DIR:|${dep}_LIBRARY")
    message(FATAL_ERROR "find_package(superbet COMPONENTS odds) looked for ${dep}")
  endif()
  if(link_line MATCHES "${lower}")
    message(FATAL_ERROR "superbet::odds links ${dep}: ${link_line}")
  endif()
endforeach()
message(STATUS "odds-only link line: ${link_line}")

# 5. The README quick start against the installed tree.
build_and_run(quickstart ${CONSUMER_SOURCE_DIR}/quickstart
  "quickstart_predict;quickstart_live;quickstart_strategy")
if(NOT output_quickstart_predict MATCHES "Liverpool +v Crystal Palace +model 0\\.[0-9]+")
  message(FATAL_ERROR "quickstart_predict printed: ${output_quickstart_predict}")
endif()
if(NOT output_quickstart_live MATCHES "Club Queretaro +2-0 .* minute 16")
  message(FATAL_ERROR "quickstart_live printed: ${output_quickstart_live}")
endif()
if(NOT output_quickstart_strategy MATCHES "draw>=3\\.40 .*\nfavourite .*\nhome ")
  message(FATAL_ERROR "quickstart_strategy printed: ${output_quickstart_strategy}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
