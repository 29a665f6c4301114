# Compiles SOURCE with CXX and FLAGS (a ;-list) and passes only when the compiler REFUSES it with
# a message matching EXPECT. Invoked by CTest with -P.
separate_arguments(flag_list UNIX_COMMAND "${FLAGS}")
execute_process(COMMAND ${CXX} ${flag_list} -c ${SOURCE} -o ${OBJECT}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE ${OBJECT})
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not: ${out}${err}")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "${SOURCE} failed for another reason than '${EXPECT}':\n${err}")
endif()
message(STATUS "refused as expected: ${EXPECT}")
