/* fuzz_module.c - bytes -> validated .rvvmod; a module the loader
 * accepts is disassembled (rvvnn disasm's listing) and, when it has
 * only fallback steps and small tensors, run in this process on the
 * reference kernels with patterned inputs of its declared shapes. */
#include "fuzz.h"
#include "cli.h"
#include "exec/native/modrun.h"

#include <stdio.h>

#define FUZZ_RUN_BYTES ((uint64_t)1 << 20)

static void run_module(const rvv_module *m)
{
    const mod_header *h = m->hdr;
    uint64_t total = h->arena_bytes;
    for (uint32_t i = 0; i < h->n_steps; i++)
        if (m->steps[i].kind != MOD_STEP_REF)
            return;
    if (h->n_inputs > 16 || h->n_outputs > 16)
        return;
    for (uint32_t i = 0; i < h->n_inputs; i++)
        total += m->tensors[m->input_tensor[i]].nbytes;
    for (uint32_t i = 0; i < h->n_outputs; i++)
        total += m->tensors[m->output_tensor[i]].nbytes;
    if (total > FUZZ_RUN_BYTES)
        return;
    tensor ins[16], outs[16];
    memset(ins, 0, sizeof ins);
    for (uint32_t i = 0; i < h->n_inputs; i++) {
        module_tensor_desc(m, (uint32_t)m->input_tensor[i], &ins[i]);
        unsigned char *p = mem_alloc(ins[i].nbytes + 1);
        if (!p)
            goto out;
        for (size_t k = 0; k < ins[i].nbytes; k++)
            p[k] = (unsigned char)(k * 37 + i); /* small ints and odd floats, never all zero */
        ins[i].data = p;
    }
    mod_session *s;
    int rc = modrun_open(m, &s);
    fuzz_check_status(rc);
    if (!rc) {
        rc = modrun_run(s, ins, outs);
        fuzz_check_status(rc);
        for (uint32_t i = 0; !rc && i < h->n_outputs; i++)
            mem_free(outs[i].data);
        modrun_close(s);
    }
out:
    for (uint32_t i = 0; i < h->n_inputs; i++)
        mem_free(ins[i].data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    ref_set_threads(1);
    rvv_module *m;
    int rc = module_load_copy(data, size, NULL, &m);
    fuzz_check_status(rc);
    if (rc)
        return 0;
    fuzz_check_status(emit_code_text(m, devnull, (int)(size & 1)));
    run_module(m);
    module_free(m);
    return 0;
}
