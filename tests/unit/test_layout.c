/* test_layout.c - the layout pass (passes/layout.c) on small graphs:
 * conv -> conv, a conv output feeding two consumers, GEMMs with a
 * constant and a run-time B, a constant wanted in two layouts; that the
 * code generators pack what the pass decided (the module records it),
 * that they refuse a disagreement, and that the compiled modules still
 * match the reference executor. */
#include "graphbuild.h"

#include <math.h>

/* The module's tensors agree with the IR: a tensor named after a value
 * has that value's layout (plain for activations), and the packed copy
 * of constant w ("w.conv<mr>" / "w.packed<pw>") has w's layout. */
static void check_module_layouts(const gb *b, const rvv_module *mod, int w, const char *packed_prefix)
{
    const ir_graph *g = b->g;
    for (int v = 0; v < g->n_vals; v++) {
        int id = gb_mod_tensor(mod, g->vals[v].name);
        if (id >= 0 && g->vals[v].kind != VAL_CONST)
            CHECK_MSG(mod->tensors[id].layout == g->vals[v].layout, "%s: module %s, pass %s", g->vals[v].name,
                      ir_layout_name(mod->tensors[id].layout), ir_layout_name(g->vals[v].layout));
    }
    int found = 0;
    size_t np = strlen(packed_prefix);
    for (uint32_t i = 0; i < mod->hdr->n_tensors; i++)
        if (!strncmp(module_str(mod, mod->tensors[i].name), packed_prefix, np)) {
            found = 1;
            CHECK_MSG(mod->tensors[i].layout == g->vals[w].layout, "%s: module %s, pass %s",
                      module_str(mod, mod->tensors[i].name), ir_layout_name(mod->tensors[i].layout),
                      ir_layout_name(g->vals[w].layout));
        }
    CHECK_MSG(found, "no packed tensor %s* in the module", packed_prefix);
}

/* Module on the emulator vs the reference executor, every output. */
static void check_runs(const gb *b, rvv_module *mod)
{
    tensor ins[8], want[8], got[8];
    gb_inputs(b, ins);
    CHECK_MSG(ref_run(b->g, NULL, ins, want) == 0, "%s", err_message());
    CHECK_MSG(gb_run_emu(mod, 256, ins, got) == 0, "%s", err_message());
    for (int o = 0; o < b->g->n_outputs; o++) {
        CHECK(got[o].nbytes == want[o].nbytes);
        const float *p = got[o].data, *q = want[o].data;
        for (size_t i = 0; i < want[o].nbytes / 4; i++)
            CHECK_CLOSE(p[i], q[i], 1e-5, 1e-5); /* f32 sums in another order: abs 1e-5 + rel 1e-5 */
        mem_free(got[o].data);
        mem_free(want[o].data);
    }
    for (int i = 0; i < b->g->n_inputs; i++)
        mem_free((void *)ins[i].data);
}

/* x -> Conv(w1) -> a -> Conv(w2) -> y */
static void test_conv_conv(void)
{
    gb b;
    gb_init(&b);
    int x = gb_input(&b, "x", 4, (int64_t[]){1, 4, 6, 6});
    int w1 = gb_const(&b, "w1", 4, (int64_t[]){8, 4, 3, 3});
    int w2 = gb_const(&b, "w2", 4, (int64_t[]){8, 8, 1, 1});
    int a = gb_node(&b, "conv1", "Conv", (int[]){x, w1}, 2, "a");
    int y = gb_node(&b, "conv2", "Conv", (int[]){a, w2}, 2, "y");
    gb_output(&b, y);
    CHECK_MSG(passes_run(b.m, NULL) == 0, "%s", err_message());
    CHECK(b.g->vals[w1].layout == LAYOUT_CONV_BLOCK && b.g->vals[w2].layout == LAYOUT_CONV_BLOCK);
    CHECK(b.g->vals[x].layout == LAYOUT_PLAIN && b.g->vals[a].layout == LAYOUT_PLAIN &&
          b.g->vals[y].layout == LAYOUT_PLAIN);
    CHECK(b.g->n_layout_conversions == 0 && b.g->n_layout_copies == 0);
    rvv_module *mod = gb_compile(&b);
    CHECK(mod != NULL);
    if (mod) {
        check_module_layouts(&b, mod, w1, "w1.conv");
        check_module_layouts(&b, mod, w2, "w2.conv");
        check_runs(&b, mod);
        module_free(mod);
    }
    gb_free(&b);
}

/* a = Conv(x, w1) feeds Conv(a, w2) and Relu(a): one plain tensor for
 * both, no conversion */
static void test_conv_two_consumers(void)
{
    gb b;
    gb_init(&b);
    int x = gb_input(&b, "x", 4, (int64_t[]){1, 3, 5, 5});
    int w1 = gb_const(&b, "w1", 4, (int64_t[]){4, 3, 3, 3});
    int w2 = gb_const(&b, "w2", 4, (int64_t[]){6, 4, 1, 1});
    int a = gb_node(&b, "conv1", "Conv", (int[]){x, w1}, 2, "a");
    int y1 = gb_node(&b, "conv2", "Conv", (int[]){a, w2}, 2, "y1");
    int y2 = gb_node(&b, "relu", "Relu", (int[]){a}, 1, "y2");
    gb_output(&b, y1);
    gb_output(&b, y2);
    CHECK_MSG(passes_run(b.m, NULL) == 0, "%s", err_message());
    CHECK(b.g->vals[a].layout == LAYOUT_PLAIN && b.g->vals[a].n_uses == 2);
    CHECK(b.g->vals[w1].layout == LAYOUT_CONV_BLOCK && b.g->vals[w2].layout == LAYOUT_CONV_BLOCK);
    CHECK(b.g->n_layout_conversions == 0);
    rvv_module *mod = gb_compile(&b);
    CHECK(mod != NULL);
    if (mod) {
        check_module_layouts(&b, mod, w1, "w1.conv");
        check_runs(&b, mod);
        module_free(mod);
    }
    gb_free(&b);
}

/* p = x @ s (s constant: GEMM panels), q = p + s (s plain: a second,
 * compile-time form), r = p @ q (run-time B: read in place, plain) */
static void test_gemm(void)
{
    gb b;
    gb_init(&b);
    int x = gb_input(&b, "x", 2, (int64_t[]){4, 4});
    int s = gb_const(&b, "s", 2, (int64_t[]){4, 4});
    int p = gb_node(&b, "mm1", "MatMul", (int[]){x, s}, 2, "p");
    int q = gb_node(&b, "add", "Add", (int[]){p, s}, 2, "q");
    int r = gb_node(&b, "mm2", "MatMul", (int[]){p, q}, 2, "r");
    gb_output(&b, r);
    passes_options po = {.no_fuse = 1}; /* keep the Add a consumer of its own */
    CHECK_MSG(passes_run(b.m, &po) == 0, "%s", err_message());
    CHECK(b.g->vals[s].layout == LAYOUT_GEMM_PANEL);
    CHECK(b.g->vals[q].layout == LAYOUT_PLAIN && b.g->vals[p].layout == LAYOUT_PLAIN);
    CHECK(b.g->n_layout_copies == 1 && b.g->n_layout_conversions == 0);
    const ir_node *mm2 = NULL;
    for (int i = 0; i < b.g->n_nodes; i++)
        if (!strcmp(b.g->nodes[i].name, "mm2"))
            mm2 = &b.g->nodes[i];
    CHECK(mm2 && layout_wanted(b.g, mm2, 1) == LAYOUT_PLAIN && layout_wanted(b.g, mm2, 0) == LAYOUT_PLAIN);
    rvv_module *mod = gb_compile(&b);
    CHECK(mod != NULL);
    if (mod) {
        check_module_layouts(&b, mod, s, "s.packed");
        int id = gb_mod_tensor(mod, "s"); /* the Add reads s as it is */
        CHECK(id >= 0 && mod->tensors[id].layout == LAYOUT_PLAIN);
        check_runs(&b, mod);
        module_free(mod);
    }
    gb_free(&b);
}

/* A generator that would pack other than the pass decided is refused. */
static void test_disagreement_refused(void)
{
    gb b;
    gb_init(&b);
    int x = gb_input(&b, "x", 4, (int64_t[]){1, 2, 3, 3});
    int w = gb_const(&b, "w", 4, (int64_t[]){2, 2, 1, 1});
    int y = gb_node(&b, "conv", "Conv", (int[]){x, w}, 2, "y");
    gb_output(&b, y);
    CHECK_MSG(passes_run(b.m, NULL) == 0, "%s", err_message());
    modb mb;
    modb_init(&mb);
    cg_result res;
    memset(&res, 0, sizeof res);
    cg_ctx c = {.g = b.g, .mb = &mb, .res = &res};
    tensor t = {DT_F32, 1, {4}, NULL, 0};
    uint32_t id;
    void *fill;
    const ir_node *n = &b.g->nodes[b.g->order[0]];
    CHECK(cg_packed_weight(&c, n, 1, LAYOUT_GEMM_PANEL, "w.bad", &t, &id, &fill) == RV_EINTERNAL);
    CHECK(strstr(err_message(), "layout pass decided conv-block") != NULL);
    CHECK(cg_packed_weight(&c, n, 0, LAYOUT_CONV_BLOCK, "x.bad", &t, &id, &fill) == RV_EINTERNAL);
    CHECK(cg_packed_weight(&c, n, 1, LAYOUT_CONV_BLOCK, "w.good", &t, &id, &fill) == 0);
    modb_free(&mb);
    gb_free(&b);
}

int main(void)
{
    test_conv_conv();
    test_conv_two_consumers();
    test_gemm();
    test_disagreement_refused();
    return check_done();
}
