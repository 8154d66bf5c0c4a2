# Fails when FAULT_MATRIX.md differs from what fault_matrix_table prints.
execute_process(COMMAND ${TABLE} OUTPUT_VARIABLE generated
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "fault_matrix_table failed: ${result}")
endif()
file(READ ${DOC} committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "${DOC} is out of date; regenerate it with\n"
    "  ${TABLE} > ${DOC}")
endif()
message(STATUS "FAULT_MATRIX.md matches the fault matrix")
