/* fuzz_import.c - bytes -> ONNX model (pre-scan, protobuf-c unpack,
 * conversion to the IR). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rv_limits lim;
    fuzz_limits(&lim);
    ir_model *m = NULL;
    int rc = import_onnx_buffer(data, size, NULL, &lim, &m);
    fuzz_check_status(rc);
    if (!rc != (m != NULL))
        __builtin_trap();
    ir_model_free(m);
    return 0;
}
