# Included from tests/CMakeLists.txt when -DSUPERBET_BUILD_SERVICES=ON (this folder's tests need
# the gRPC services, which services/CMakeLists.txt defines after tests/ is read; CMake resolves
# the target names at generation time).
add_library(superbet_services_testing STATIC ${CMAKE_CURRENT_SOURCE_DIR}/services/process.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/services/fake_telegram.cc ${CMAKE_CURRENT_SOURCE_DIR}/services/e2e_support.cc)
target_include_directories(superbet_services_testing PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(superbet_services_testing PUBLIC gRPC::grpc++ cpp-httplib superbet_proto)

superbet_tests(services MODULES providers hrl bus broadcast
  LIBS superbet_services_common superbet_services_testing)
target_compile_definitions(superbet_services_itests PRIVATE
  ADAPTER_SVC="$<TARGET_FILE:adapter-svc>")
add_dependencies(superbet_services_itests adapter-svc)
if(TARGET broadcast-svc OR EXISTS ${PROJECT_SOURCE_DIR}/services/broadcast/broadcast_main.cc)
  target_compile_definitions(superbet_services_itests PRIVATE
    BROADCAST_SVC="$<TARGET_FILE:broadcast-svc>")
  add_dependencies(superbet_services_itests broadcast-svc)
endif()
target_compile_definitions(superbet_services_itests PRIVATE AGENT_SVC="$<TARGET_FILE:agent-svc>")
add_dependencies(superbet_services_itests agent-svc)
# agent_training_itest.cc compares agent-svc's training checkpoint with `superbet train`'s.
target_compile_definitions(superbet_services_itests PRIVATE
  SUPERBET_CLI="$<TARGET_FILE:superbet_tool>")
add_dependencies(superbet_services_itests superbet_tool)
# examples_itest.cc runs the gRPC examples against the services.
target_compile_definitions(superbet_services_itests PRIVATE
  EXAMPLE_AGENT_DECIDE_CLIENT="$<TARGET_FILE:example_agent_decide_client>"
  EXAMPLE_BROADCAST_PUBLISH_CLIENT="$<TARGET_FILE:example_broadcast_publish_client>")
add_dependencies(superbet_services_itests example_agent_decide_client
  example_broadcast_publish_client)
# The end-to-end test (e2e_itest.cc) trains its checkpoint with the `superbet` tool.
target_compile_definitions(superbet_services_itests PRIVATE
  SUPERBET_TOOL="$<TARGET_FILE:superbet_tool>")
# The gRPC examples answer --help (exit 0, the usage on stdout) and refuse a flag or extra
# arguments where HOST:PORT goes (exit 2) instead of resolving "--help" as a host name.
foreach(example agent_decide_client broadcast_publish_client)
  add_test(NAME "examples: ${example} --help prints its usage and exits 0"
    COMMAND sh -c "out=$($<TARGET_FILE:example_${example}> --help) && echo \"$out\" | grep -q 'usage: .*HOST:PORT'")
  add_test(NAME "examples: ${example} with a flag for HOST:PORT is a usage error (exit 2)"
    COMMAND sh -c "$<TARGET_FILE:example_${example}> --port 1 2>/dev/null; test $? -eq 2")
  set_tests_properties("examples: ${example} --help prints its usage and exits 0"
    "examples: ${example} with a flag for HOST:PORT is a usage error (exit 2)"
    PROPERTIES LABELS fast TIMEOUT 20)
endforeach()
