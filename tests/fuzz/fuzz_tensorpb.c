/* fuzz_tensorpb.c - bytes -> tensor through the TensorProto reader
 * (rvvnn run --input=@x.pb, ONNX test data); an accepted tensor's data
 * must match its shape. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rv_limits lim;
    fuzz_limits(&lim);
    tensor t;
    char name[64];
    int rc = import_tensor_pb(data, size, &lim, &t, name, sizeof name);
    if (!rc && strnlen(name, sizeof name) >= sizeof name)
        __builtin_trap();
    fuzz_check_tensor(rc, &t);
    return 0;
}
