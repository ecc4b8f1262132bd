# compare_report.cmake - conformance_report_current: fails when the
# committed report differs from the one a fresh run just wrote, showing
# the start of the difference and how to refresh the committed copy.
#   cmake -DCOMMITTED=<src>/REPORT.md -DFRESH=<build>/REPORT.md -P compare_report.cmake
if(NOT EXISTS "${FRESH}")
  message(FATAL_ERROR "${FRESH} does not exist: run the test conformance_node first")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${COMMITTED}" "${FRESH}" RESULT_VARIABLE differ)
if(differ)
  find_program(DIFF diff)
  if(DIFF)
    execute_process(COMMAND ${DIFF} -u "${COMMITTED}" "${FRESH}" OUTPUT_VARIABLE d)
    string(LENGTH "${d}" len)
    if(len GREATER 6000)
      string(SUBSTRING "${d}" 0 6000 d)
      string(APPEND d "\n[... diff truncated]\n")
    endif()
    message("${d}")
  endif()
  message(FATAL_ERROR "tests/conformance/REPORT.md is not what the last run produced (${FRESH}).\n"
          "Refresh and commit it: make conformance-report  (or: cmake --build <build dir> --target conformance_report)")
endif()
message("tests/conformance/REPORT.md matches the fresh run")
