# bench/grpc_load_bench (included from bench/CMakeLists.txt when -DSUPERBET_BUILD_SERVICES=ON):
# links the services' plumbing and adapter-svc's handlers, defined in services/ (resolved at
# generation time).
superbet_bench_if_present(grpc_load providers)
if(TARGET grpc_load_bench)
  target_sources(grpc_load_bench PRIVATE ${PROJECT_SOURCE_DIR}/services/adapter/adapter_service.cc)
  target_link_libraries(grpc_load_bench PRIVATE superbet_services_common)
endif()
