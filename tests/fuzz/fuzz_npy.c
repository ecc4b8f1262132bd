/* fuzz_npy.c - bytes -> tensor through the .npy reader (rvvnn run
 * --input=@x.npy); an accepted file's data must match its shape. */
#include "fuzz.h"
#include "util/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tensor t;
    fuzz_check_tensor(npy_decode(data, size, &t), &t);
    return 0;
}
