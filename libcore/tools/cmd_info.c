/* cmd_info.c - `rvvnn info`: what a model is, after the passes a
 * compile would run: inputs, outputs, opset, operator histogram,
 * parameter count and the intermediate memory plan. */
#include "cli.h"
#include "import/import.h"
#include "ir/op.h"
#include "passes/passes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char info_help[] =
    "usage: rvvnn info MODEL.onnx [--input-shape=NAME=2x128 ...] [--no-fold]\n"
    "\n"
    "Prints the model's inputs and outputs (with symbolic dims), ai.onnx opset,\n"
    "operator histogram before and after constant folding and DCE, parameter\n"
    "count and bytes, and the memory plan: the arena size for all intermediates\n"
    "versus the sum of their sizes without reuse.\n";

int cli_parse_bindings(const char *spec, pass_binding *b, int *n, int max);

static void print_value(const ir_value *v)
{
    char sh[128] = "";
    size_t off = 0;
    if (v->t.rank < 0) {
        snprintf(sh, sizeof sh, "?");
    }
    for (int d = 0; d < v->t.rank && off < sizeof sh; d++) {
        if (v->dim_param[d] && v->t.dims[d] < 0)
            off += (size_t)snprintf(sh + off, sizeof sh - off, "%s%s", d ? "x" : "", v->dim_param[d]);
        else if (v->t.dims[d] < 0)
            off += (size_t)snprintf(sh + off, sizeof sh - off, "%s?", d ? "x" : "");
        else
            off += (size_t)snprintf(sh + off, sizeof sh - off, "%s%lld", d ? "x" : "", (long long)v->t.dims[d]);
    }
    printf("  %-24s %s%s%s\n", v->name, sh, v->t.rank > 0 ? "x" : "", dtype_suffix(v->t.dtype));
}

static void histogram(const ir_graph *g, const char *title)
{
    int counts[OP__COUNT + 1];
    memset(counts, 0, sizeof counts);
    int live = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead) {
            counts[g->nodes[i].op >= 0 ? g->nodes[i].op : OP__COUNT]++;
            live++;
        }
    printf("%s: %d nodes\n", title, live);
    for (int o = 0; o < OP__COUNT; o++)
        if (counts[o])
            printf("  %-24s %d\n", op_table[o].name, counts[o]);
    if (counts[OP__COUNT])
        printf("  %-24s %d\n", "(unsupported)", counts[OP__COUNT]);
}

int cmd_info(int argc, char **argv)
{
    int lr;
    const char *path = NULL, *v;
    pass_binding binds[64];
    int n_binds = 0, no_fold = 0, rc, status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(info_help, stdout);
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if ((v = cli_opt(argc, argv, &i, "--input-shape"))) {
            if ((rc = cli_parse_bindings(v, binds, &n_binds, 64)))
                return cli_error("info", rc);
        } else if (cli_flag(argv[i], "--no-fold")) {
            no_fold = 1;
        } else if ((lr = cli_limit_opt("info", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("info", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error("info", "more than one model given");
        }
    }
    if (!path)
        return cli_usage_error("info", "no model given");
    ir_model *m;
    if ((rc = import_onnx_file(path, &cli_limits, &m)))
        return cli_error("info", rc);
    ir_graph *g = m->graph;
    printf("model: %s\nproducer: %s, IR version %lld, ai.onnx opset %d\n", path, m->producer,
           (long long)m->ir_version, m->opset);
    printf("inputs:\n");
    for (int i = 0; i < g->n_inputs; i++)
        print_value(&g->vals[g->inputs[i]]);
    int64_t params = 0;
    size_t param_bytes = 0;
    for (int i = 0; i < g->n_vals; i++)
        if (g->vals[i].kind == VAL_CONST && g->vals[i].t.data) {
            int64_t n = 0;
            if (!tensor_numel(&g->vals[i].t, &n)) {
                params += n;
                param_bytes += g->vals[i].t.nbytes;
            }
        }
    printf("parameters: %lld (%.2f MiB)\n", (long long)params, (double)param_bytes / 1048576.0);
    histogram(g, "operators (as imported)");
    passes_options po = {.bindings = binds, .n_bindings = n_binds, .no_fold = no_fold,
                         .limits = &cli_limits};
    if ((rc = passes_run(m, &po))) {
        status = cli_error("info", rc);
        goto out;
    }
    printf("outputs:\n");
    for (int i = 0; i < g->n_outputs; i++)
        print_value(&g->vals[g->outputs[i]]);
    histogram(g, "operators (after folding and DCE)");
    int dyn = 0;
    for (int i = 0; i < g->n_vals; i++)
        dyn += g->vals[i].dynamic;
    printf("memory plan: arena %zu bytes (%.2f MiB) for intermediates totalling %zu bytes (%.2f MiB)%s\n",
           g->arena_bytes, (double)g->arena_bytes / 1048576.0, g->sum_intermediate_bytes,
           (double)g->sum_intermediate_bytes / 1048576.0, dyn ? "; some shapes are dynamic" : "");
    if (g->sum_intermediate_bytes)
        printf("memory plan: reuse saves %.1f%%\n",
               100.0 * (1.0 - (double)g->arena_bytes / (double)g->sum_intermediate_bytes));
out:
    for (int b = 0; b < n_binds; b++)
        free((void *)binds[b].name);
    ir_model_free(m);
    return status;
}
