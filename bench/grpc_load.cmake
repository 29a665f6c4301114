# bench/grpc_load_bench (included from bench/CMakeLists.txt when -DSUPERBET_BUILD_SERVICES=ON):
# links the services' plumbing and adapter-svc's handlers, defined in services/ (resolved at
# generation time), and spawns agent-svc and broadcast-svc for Decide and Publish.
# adapter: adapter_service.cc builds its stream options with superbet/adapter/stream_request.h.
superbet_bench_if_present(grpc_load providers hrl adapter)
if(TARGET grpc_load_bench)
  target_sources(grpc_load_bench PRIVATE ${PROJECT_SOURCE_DIR}/services/adapter/adapter_service.cc)
  target_link_libraries(grpc_load_bench PRIVATE superbet_services_common cpp-httplib)
  target_compile_definitions(grpc_load_bench PRIVATE AGENT_SVC="$<TARGET_FILE:agent-svc>"
    BROADCAST_SVC="$<TARGET_FILE:broadcast-svc>")
  add_dependencies(grpc_load_bench agent-svc broadcast-svc)
endif()
