/* fuzz.h - what the libFuzzer harnesses share. Each harness defines
 * LLVMFuzzerTestOneInput; built with -DRVVNN_FUZZ=ON (clang) it links
 * libFuzzer's main, otherwise replay.c's main, which feeds it the files
 * of the committed corpus and regression directories (make check).
 *
 * The limits are the library's defaults except where a default would
 * let one input take seconds (a fuzzer wants many short runs): those
 * are lowered here, and a limit hit is an ordinary, correct outcome. */
#ifndef RVVNN_FUZZ_H
#define RVVNN_FUZZ_H

#include "exec/ref/ref.h"
#include "import/import.h"
#include "util/mem.h"
#include "util/status.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_limits(rv_limits *lim)
{
    limits_default(lim);
    lim->max_tensor_bytes = (size_t)16 << 20;
    lim->max_nodes = 4096;
}

/* Every status a harness may see must be one of status.def's codes and
 * come with a message: anything else is a bug worth a crash report. */
static inline void fuzz_check_status(int rc)
{
    if (rc > 0 || rc < RV_EDYNAMIC || (rc && !err_message()[0]))
        __builtin_trap();
}

/* An accepted tensor's data must match its shape; frees it. */
static inline void fuzz_check_tensor(int rc, tensor *t)
{
    fuzz_check_status(rc);
    if (rc)
        return;
    size_t nb;
    if (tensor_byte_size(t, &nb) || nb != t->nbytes)
        __builtin_trap();
    mem_free(t->data);
}

#endif
