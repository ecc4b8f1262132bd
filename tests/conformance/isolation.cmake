# isolation.cmake - conformance_isolation: the runner's own verdicts on a
# made-up data directory, one test per outcome: a correct test passes, a
# wrong expected output fails with the element named, an opset-6 model is
# unsupported, and a model that blocks forever (a FIFO) is a timeout
# failure instead of a hung run.
#   cmake -DRUNNER=<conformance> -DDATA=<libonnx-testdata data> -DWORK=<dir> -P isolation.cmake
file(REMOVE_RECURSE "${WORK}")
set(n ${WORK}/node)
file(MAKE_DIRECTORY ${n}/test_ok ${n}/test_wrong/test_data_set_0 ${n}/test_hang/test_data_set_0)
file(COPY ${DATA}/node/test_abs/ DESTINATION ${n}/test_ok)
file(COPY ${DATA}/node/test_abs/model.onnx DESTINATION ${n}/test_wrong)
# abs(x) compared against x: differs wherever x < 0
file(COPY_FILE ${DATA}/node/test_abs/test_data_set_0/input_0.pb ${n}/test_wrong/test_data_set_0/input_0.pb)
file(COPY_FILE ${DATA}/node/test_abs/test_data_set_0/input_0.pb ${n}/test_wrong/test_data_set_0/output_0.pb)
file(COPY ${DATA}/node/test_elu/ DESTINATION ${n}/test_old_opset)
execute_process(COMMAND mkfifo ${n}/test_hang/model.onnx RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "mkfifo failed")
endif()
execute_process(COMMAND ${RUNNER} ${WORK} ${WORK}/REPORT.md --time-limit 1 --verbose
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
file(READ ${WORK}/REPORT.md report)
foreach(want
    "| node | 1 | 2 | 1 | 4 | 25.0% |"
    "- `node/test_hang` ((unreadable-model)): timeout (1 s)"
    "- `node/test_wrong` (Abs): data set 0 output 0: element "
    "- `node/test_old_opset` (Elu): model.onnx: model: ai.onnx opset 6")
  string(FIND "${report}" "${want}" at)
  if(at LESS 0)
    message(FATAL_ERROR "report lacks: ${want}\n${report}")
  endif()
endforeach()
if(NOT rc EQUAL 0 OR NOT out MATCHES "\n1 passed, 2 failed\n$")
  message(FATAL_ERROR "runner exit ${rc}, expected 0 and a last line '1 passed, 2 failed'")
endif()
# the floor: 25% is below 50, so the runner must say so and exit 1
execute_process(COMMAND ${RUNNER} ${WORK} ${WORK}/REPORT.md --time-limit 1 --floor 50
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 1 OR NOT out MATCHES "below the floor")
  message(FATAL_ERROR "runner exit ${rc} under --floor 50, expected 1:\n${out}")
endif()
