/* fuzz_compile.c - bytes -> ONNX model -> passes -> RVV module, for a
 * target picked by the input's length (vector-length agnostic V,
 * VLEN=256 V, Zve32f), then the validating loader on the result: a
 * module the compiler produced must always load. */
#include "fuzz.h"
#include "codegen/codegen.h"
#include "passes/passes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const marchs[] = {"rv64gcv", "rv64gcv_zvl256b", "rv64gc_zve32f"};
    rv_limits lim;
    fuzz_limits(&lim);
    ref_set_threads(1);
    ir_model *m = NULL;
    int rc = import_onnx_buffer(data, size, NULL, &lim, &m);
    fuzz_check_status(rc);
    if (rc)
        return 0;
    passes_options po = {.fold_limit_bytes = (size_t)1 << 20};
    rc = passes_run(m, &po);
    fuzz_check_status(rc);
    cg_target t;
    cg_result res = {0};
    if (!rc && !(rc = cg_target_parse(marchs[size % 3], NULL, -1, 0, &t))) {
        rc = codegen_module(m, &t, &res);
        fuzz_check_status(rc);
        if (!rc) {
            rvv_module *mod;
            if (module_load(res.buf, res.len, NULL, &mod)) /* takes res.buf */
                __builtin_trap();
            module_free(mod);
        }
    }
    ir_model_free(m);
    return 0;
}
