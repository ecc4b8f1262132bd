/* fuzz_values.c - the CLI's inline tensor syntax (--input=2x2xf32=1,2,3,4,
 * 4xf32=0.5, 3xi64): the input is the text after --input=. Specs that
 * name files (@) are left to fuzz_npy and fuzz_tensorpb. */
#include "fuzz.h"
#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, '@', size))
        return 0;
    char spec[4097];
    memcpy(spec, data, size);
    spec[size] = 0;
    cli_limits.max_tensor_bytes = (uint64_t)16 << 20;
    tensor t;
    fuzz_check_tensor(cli_parse_tensor(spec, &t), &t);
    return 0;
}
