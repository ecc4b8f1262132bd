/* fuzz_npy.c - bytes -> tensor through the .npy reader (rvvnn run
 * --input=@x.npy); an accepted file's data must match its shape. */
#include "fuzz.h"
#include "util/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tensor t;
    int rc = npy_decode(data, size, &t);
    fuzz_check_status(rc);
    if (!rc) {
        size_t nb;
        if (tensor_byte_size(&t, &nb) || nb != t.nbytes)
            __builtin_trap();
        mem_free(t.data);
    }
    return 0;
}
