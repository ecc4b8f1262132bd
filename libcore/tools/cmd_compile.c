/* cmd_compile.c - `rvvnn compile`: ONNX model -> .rvvmod (or ELF object,
 * or assembly) for a RISC-V vector target. */
#include "cli.h"
#include "codegen/codegen.h"
#include "import/import.h"
#include "passes/passes.h"
#include "util/mem.h"
#include "util/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char compile_help[] =
    "usage: rvvnn compile MODEL.onnx -o OUT [options]\n"
    "\n"
    "Compiles MODEL into RISC-V Vector (RVV 1.0) code.\n"
    "\n"
    "  -o FILE                    output file (written atomically)\n"
    "  -march=ISA                 rv64gcv (default), rv64gcv_zvl256b, rv64gc_zve64d,\n"
    "                             rv64gc_zve32f ...; zvlNb tunes for VLEN=N\n"
    "  --target-cpu-features=F    LLVM-style list, e.g. \"+m,+a,+f,+d,+zvl1024b,+v\"\n"
    "  --vlen=N                   0 = vector-length agnostic (any VLEN >= the minimum);\n"
    "                             N = tuned for, and only runs at, VLEN=N\n"
    "  --lmul-max=1|2|4|8         largest register group the kernels use (default 8)\n"
    "  --emit=module|obj|asm      .rvvmod (default); ELF64 object + C header (OUT.h) for\n"
    "                             bare-metal linking; or the code as GNU as text\n"
    "  --input-shape=NAME=2x128   bind symbolic input dims (repeatable)\n"
    "  --no-rvv                   every step on the reference kernels (debugging)\n"
    "  --verbose                  print each pass and its time, and the step counts\n"
    "\n"
    "Exit status: 0 ok, 2 error.\n";

int cli_parse_bindings(const char *spec, pass_binding *b, int *n, int max);
int emit_module_asm(const void *buf, size_t len, const char *path);
int emit_module_obj(const void *buf, size_t len, const char *path, const char *name);

int cmd_compile(int argc, char **argv)
{
    int lr;
    const char *path = NULL, *out_path = NULL, *march = NULL, *features = NULL, *emit = "module", *v;
    int vlen = -1, lmul = 0, verbose = 0, no_rvv = 0, rc, n_binds = 0, status = EXIT_OK;
    const char *break_tail = getenv("RVVNN_TEST_BREAK_TAIL");
    pass_binding binds[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_flag(a, "--help") || cli_flag(a, "-h")) {
            fputs(compile_help, stdout);
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if ((v = cli_opt(argc, argv, &i, "-o"))) {
            out_path = v;
        } else if ((v = cli_opt(argc, argv, &i, "-march")) || (v = cli_opt(argc, argv, &i, "--march"))) {
            march = v;
        } else if ((v = cli_opt(argc, argv, &i, "--target-cpu-features"))) {
            features = v;
        } else if ((v = cli_opt(argc, argv, &i, "--vlen"))) {
            vlen = atoi(v);
        } else if ((v = cli_opt(argc, argv, &i, "--lmul-max"))) {
            lmul = atoi(v);
        } else if ((v = cli_opt(argc, argv, &i, "--emit"))) {
            emit = v;
        } else if ((v = cli_opt(argc, argv, &i, "--input-shape"))) {
            if ((rc = cli_parse_bindings(v, binds, &n_binds, 64)))
                return cli_error("compile", rc);
        } else if (cli_flag(a, "--verbose") || cli_flag(a, "-v")) {
            verbose = 1;
        } else if (cli_flag(a, "--no-rvv")) {
            no_rvv = 1;
        } else if ((lr = cli_limit_opt("compile", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (a[0] == '-') {
            return cli_usage_error("compile", "unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("compile", "more than one model given ('%s')", a);
        }
    }
    if (!path)
        return cli_usage_error("compile", "no model given");
    if (!out_path)
        return cli_usage_error("compile", "no output file (-o FILE)");
    if (strcmp(emit, "module") != 0 && strcmp(emit, "asm") != 0 && strcmp(emit, "obj") != 0)
        return cli_usage_error("compile", "--emit=%s: module, obj or asm", emit);
    cg_target tgt;
    if ((rc = cg_target_parse(march, features, vlen, lmul, &tgt)))
        return cli_error("compile", rc);
    tgt.no_rvv = no_rvv;
    if (break_tail)
        snprintf(tgt.break_tail_op, sizeof tgt.break_tail_op, "%s", break_tail);
    double t0 = cli_now_ms();
    ir_model *m = NULL;
    cg_result res = {0};
    if ((rc = import_onnx_file(path, &cli_limits, &m)))
        return cli_error("compile", rc);
    double t_import = cli_now_ms() - t0;
    passes_options po = {.bindings = binds, .n_bindings = n_binds, .verbose = verbose,
                         .limits = &cli_limits};
    if ((rc = passes_run(m, &po))) {
        status = cli_error("compile", rc);
        goto out;
    }
    t0 = cli_now_ms();
    if ((rc = codegen_module(m, &tgt, &res))) {
        status = cli_error("compile", rc);
        goto out;
    }
    double t_codegen = cli_now_ms() - t0;
    if (!strcmp(emit, "asm")) {
        rc = emit_module_asm(res.buf, res.len, out_path);
    } else if (!strcmp(emit, "obj")) {
        /* the C name: the output file's base name */
        const char *base = strrchr(out_path, '/');
        char nm[96];
        snprintf(nm, sizeof nm, "%s", base ? base + 1 : out_path);
        char *dot = strchr(nm, '.');
        if (dot)
            *dot = 0;
        rc = emit_module_obj(res.buf, res.len, out_path, nm);
    }
    else
        rc = file_write_atomic(out_path, res.buf, res.len);
    if (rc) {
        status = cli_error("compile", rc);
        goto out;
    }
    if (verbose) {
        double total = t_import + t_codegen;
        fprintf(stderr, "rvvnn compile: import %8.2f ms\n", t_import);
        for (int i = 0; i < po.n_passes; i++) {
            fprintf(stderr, "rvvnn compile: %-12s %6.2f ms\n", po.pass_names[i], po.pass_ms[i]);
            total += po.pass_ms[i];
        }
        fprintf(stderr, "rvvnn compile: codegen %7.2f ms\n", t_codegen);
        fprintf(stderr, "rvvnn compile: total %9.2f ms; %s: %d RVV steps, %d fallback steps, %zu bytes, "
                "target %s%s\n", total, out_path, res.n_rvv, res.n_ref, res.len, tgt.march,
                tgt.vlen ? "" : " (vector-length agnostic)");
        const ir_graph *g = m->graph;
        fprintf(stderr, "rvvnn compile: layouts: %d conversions inserted, %d constants packed twice; "
                "memory plan: arena %zu bytes, %d Concat views (no copy step)\n", g->n_layout_conversions,
                g->n_layout_copies, g->arena_bytes, res.n_views);
        for (int i = 0; i < res.n_notes; i++)
            fprintf(stderr, "rvvnn compile: fallback %dx %s: %s\n", res.notes[i].count, res.notes[i].op,
                    res.notes[i].reason);
    }
out:
    for (int b = 0; b < n_binds; b++)
        free((void *)binds[b].name);
    mem_free(res.buf);
    ir_model_free(m);
    return status;
}
