/* cmd_inspect.c - `rvvnn inspect MODULE.rvvmod`: what a compiled module
 * holds and how it will run: target, VLEN policy, arena and weights,
 * inputs and outputs, and every step (RVV code or reference fallback)
 * with its code size, FLOPs and bytes. */
#include "cli.h"
#include "module/module.h"

#include <stdio.h>
#include <string.h>

static const char inspect_help[] =
    "usage: rvvnn inspect MODULE.rvvmod [--json]\n"
    "\n"
    "Prints the module's target (-march, VLEN or vector-length agnostic with the\n"
    "minimum VLEN), required extensions, arena and weight sizes, inputs and\n"
    "outputs, and each step: RVV kernel or reference fallback, op, node name,\n"
    "code bytes, FLOPs and bytes moved, then every tensor with its placement\n"
    "and layout (plain, conv-block, gemm-panel, ...: as the layout pass chose).\n";

static const char *place_name(unsigned place)
{
    static const char *const names[] = {"arena", "weight", "input", "output"};
    return place < 4 ? names[place] : "?";
}

/* The layouts section: how many tensors have each layout, then every
 * tensor (id, placement, offset, layout, shape, name). */
static void print_layouts(const rvv_module *m, int json)
{
    const mod_header *h = m->hdr;
    unsigned count[LAYOUT__COUNT] = {0};
    for (uint32_t i = 0; i < h->n_tensors; i++)
        count[m->tensors[i].layout]++; /* the loader checked layout < LAYOUT__COUNT */
    if (json) {
        printf("  \"layouts\": {");
        for (int l = 0, first = 1; l < LAYOUT__COUNT; l++)
            if (count[l]) {
                printf("%s\"%s\": %u", first ? "" : ", ", ir_layout_name(l), count[l]);
                first = 0;
            }
        printf("},\n  \"tensors\": [\n");
    } else {
        printf("layouts:");
        for (int l = 0, first = 1; l < LAYOUT__COUNT; l++)
            if (count[l]) {
                printf("%s %s %u", first ? "" : ",", ir_layout_name(l), count[l]);
                first = 0;
            }
        printf(" (of %u tensors)\n  %-4s %-7s %10s %-12s %-20s %s\n", h->n_tensors, "#", "place", "offset",
               "layout", "shape", "name");
    }
    for (uint32_t i = 0; i < h->n_tensors; i++) {
        const mod_tensor *mt = &m->tensors[i];
        tensor t;
        char sh[128];
        module_tensor_desc(m, i, &t);
        tensor_shape_str(&t, sh, sizeof sh);
        if (json) {
            printf("    {\"id\": %u, \"place\": \"%s\", \"offset\": %llu, \"layout\": \"%s\", \"type\": \"%s\", "
                   "\"name\": ", i, place_name(mt->place), (unsigned long long)mt->offset,
                   ir_layout_name(mt->layout), sh);
            cli_json_str(stdout, module_str(m, mt->name));
            printf("}%s\n", i + 1 == h->n_tensors ? "" : ",");
        } else
            printf("  %-4u %-7s %10llu %-12s %-20s %s\n", i, place_name(mt->place),
                   (unsigned long long)mt->offset, ir_layout_name(mt->layout), sh, module_str(m, mt->name));
    }
    if (json)
        printf("  ],\n");
}

static void print_desc(const rvv_module *m, int id, const char *role, int json, int last)
{
    tensor t;
    char sh[128];
    module_tensor_desc(m, (uint32_t)id, &t);
    if (json) {
        printf("    {\"role\": \"%s\", \"name\": ", role);
        cli_json_str(stdout, module_str(m, m->tensors[id].name));
        printf(", \"type\": \"%s\"}%s\n", tensor_shape_str(&t, sh, sizeof sh), last ? "" : ",");
    } else
        printf("  %-6s %-28s %s\n", role, module_str(m, m->tensors[id].name), tensor_shape_str(&t, sh, sizeof sh));
}

int cmd_inspect(int argc, char **argv)
{
    int lr;
    const char *path = NULL;
    int json = 0, rc;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(inspect_help, stdout);
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if (cli_flag(argv[i], "--json")) {
            json = 1;
        } else if ((lr = cli_limit_opt("inspect", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("inspect", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error("inspect", "more than one module given");
        }
    }
    if (!path)
        return cli_usage_error("inspect", "no module given");
    rvv_module *m;
    if ((rc = module_load_file(path, &cli_limits, &m)))
        return cli_error("inspect", rc);
    const mod_header *h = m->hdr;
    uint32_t n_rvv = 0, n_ref = 0;
    uint64_t fl_rvv = 0, fl_all = 0;
    for (uint32_t i = 0; i < h->n_steps; i++) {
        int rvv = m->steps[i].kind == MOD_STEP_RVV;
        n_rvv += rvv;
        n_ref += !rvv;
        fl_all += m->steps[i].flops;
        if (rvv)
            fl_rvv += m->steps[i].flops;
    }
    if (json) {
        printf("{\n  \"module\": ");
        cli_json_str(stdout, path);
        printf(",\n  \"format_version\": %u,\n  \"march\": ", h->version);
        cli_json_str(stdout, module_str(m, h->march));
        printf(",\n");
        printf("  \"vlen\": %u,\n  \"min_vlen\": %u,\n  \"arena_bytes\": %llu,\n  \"weight_bytes\": %llu,\n",
               h->vlen, h->min_vlen, (unsigned long long)h->arena_bytes,
               (unsigned long long)h->sec[SEC_WEIGHTS].size);
        printf("  \"code_bytes\": %llu,\n  \"rvv_steps\": %u,\n  \"fallback_steps\": %u,\n  \"io\": [\n",
               (unsigned long long)h->sec[SEC_CODE].size, n_rvv, n_ref);
    } else {
        printf("module %s (format %u)\n", path, h->version);
        printf("target: %s, %s\n", module_str(m, h->march),
               h->vlen ? "tuned for one VLEN" : "vector-length agnostic");
        if (h->vlen)
            printf("VLEN: exactly %u\n", h->vlen);
        else if (h->min_vlen)
            printf("VLEN: any >= %u\n", h->min_vlen);
        printf("arena %llu bytes, weights %llu bytes, code %llu bytes\n", (unsigned long long)h->arena_bytes,
               (unsigned long long)h->sec[SEC_WEIGHTS].size, (unsigned long long)h->sec[SEC_CODE].size);
    }
    for (uint32_t i = 0; i < h->n_inputs; i++)
        print_desc(m, m->input_tensor[i], "input", json, 0);
    for (uint32_t i = 0; i < h->n_outputs; i++)
        print_desc(m, m->output_tensor[i], "output", json, i + 1 == h->n_outputs);
    if (json) {
        printf("  ],\n");
        print_layouts(m, 1);
        printf("  \"steps\": [\n");
    }
    else
        printf("steps: %u RVV, %u fallback (%u custom); %.1f%% of FLOPs in RVV code\n  %-4s %-8s %-22s %-32s %9s %12s %12s\n",
               n_rvv, n_ref, m->n_custom, fl_all ? 100.0 * (double)fl_rvv / (double)fl_all : 0.0, "#", "kind", "op", "node",
               "code", "flops", "bytes");
    for (uint32_t i = 0; i < h->n_steps; i++) {
        const mod_step *s = &m->steps[i];
        const char *kind = s->kind == MOD_STEP_RVV ? "rvv" : s->kind == MOD_STEP_CUSTOM ? "custom" : "fallback";
        if (json) {
            printf("    {\"index\": %u, \"kind\": \"%s\", \"op\": ", i, kind);
            cli_json_str(stdout, module_str(m, s->op));
            printf(", \"node\": ");
            cli_json_str(stdout, module_str(m, s->name));
            printf(", \"code_bytes\": %llu, \"flops\": %llu, \"bytes\": %llu}%s\n",
                   (unsigned long long)s->code_size, (unsigned long long)s->flops,
                   (unsigned long long)s->bytes, i + 1 == h->n_steps ? "" : ",");
        } else
            printf("  %-4u %-8s %-22s %-32.32s %9llu %12llu %12llu\n", i, kind, module_str(m, s->op),
                   module_str(m, s->name), (unsigned long long)s->code_size, (unsigned long long)s->flops,
                   (unsigned long long)s->bytes);
    }
    if (json)
        printf("  ]\n}\n");
    else
        print_layouts(m, 0);
    module_free(m);
    return EXIT_OK;
}
