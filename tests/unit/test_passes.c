/* test_passes.c - shape inference, constant folding, DCE and the memory
 * plan on small hand-built graphs. */
#include "check.h"
#include "optest.h"

static void test_optest_add(void)
{
    float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {10, 20, 30};
    tensor ta = {DT_F32, 2, {2, 3}, a, sizeof a}, tb = {DT_F32, 1, {3}, b, sizeof b}, out[1];
    optest *t = optest_new("Add", 17, 2, 1);
    optest_input(t, 0, &ta);
    optest_const(t, 1, &tb);
    CHECK_MSG(optest_run_ex(t, out, 1) == 0, "%s", err_message());
    for (int i = 0; i < 6; i++)
        CHECK_CLOSE(((float *)out[0].data)[i], a[i] + b[i % 3], 0, 0); /* exact */
    mem_free(out[0].data);
    optest_free(t);
}

/* chain x -> Relu -> Relu -> Relu -> y: three intermediates, two live at a time */
static void test_plan_chain(void)
{
    ir_model *m = ir_model_new();
    ir_graph *g = m->graph = ir_graph_new(&m->a, NULL);
    g->opset = 17;
    int x = ir_add_value(g, "x", VAL_INPUT);
    g->vals[x].t = (tensor){DT_F32, 1, {100}, NULL, 0};
    int prev = x, vals[5];
    const char *names[5] = {"a", "b", "c", "d", "y"};
    for (int i = 0; i < 5; i++) {
        vals[i] = ir_add_value(g, names[i], VAL_INTERMEDIATE);
        int in[1] = {prev}, out[1] = {vals[i]};
        ir_add_node(g, NULL, "Relu", "", in, 1, out, 1);
        prev = vals[i];
    }
    int outs[1] = {vals[4]}, ins[1] = {x};
    g->inputs = ins;
    g->n_inputs = 1;
    g->outputs = outs;
    g->n_outputs = 1;
    g->vals[vals[4]].is_output = 1;
    CHECK_MSG(passes_run(m, NULL) == 0, "%s", err_message());
    /* 4 planned intermediates of 400 bytes (448 aligned), at most 2 live */
    CHECK(g->sum_intermediate_bytes == 1600);
    CHECK(g->arena_bytes == 2 * 448);
    CHECK(g->vals[vals[0]].arena_offset != g->vals[vals[1]].arena_offset);
    CHECK(g->vals[vals[4]].arena_offset == -1);
    float xd[100];
    for (int i = 0; i < 100; i++)
        xd[i] = (float)(i - 50);
    tensor tin = {DT_F32, 1, {100}, xd, sizeof xd}, tout;
    ref_options o = {.use_plan = 1};
    CHECK_MSG(ref_run(g, &o, &tin, &tout) == 0, "%s", err_message());
    for (int i = 0; i < 100; i++)
        CHECK_CLOSE(((float *)tout.data)[i], xd[i] > 0 ? xd[i] : 0, 0, 0); /* exact */
    mem_free(tout.data);
    ir_model_free(m);
}

/* constant subgraph folds away; a dead branch is removed */
static void test_fold_dce(void)
{
    ir_model *m = ir_model_new();
    ir_graph *g = m->graph = ir_graph_new(&m->a, NULL);
    g->opset = 17;
    static float c1d[2] = {1, -1};
    int x = ir_add_value(g, "x", VAL_INPUT);
    g->vals[x].t = (tensor){DT_F32, 1, {2}, NULL, 0};
    int c1 = ir_add_value(g, "c1", VAL_CONST);
    g->vals[c1].t = (tensor){DT_F32, 1, {2}, c1d, sizeof c1d};
    int r = ir_add_value(g, "r", VAL_INTERMEDIATE), y = ir_add_value(g, "y", VAL_INTERMEDIATE);
    int dead = ir_add_value(g, "dead", VAL_INTERMEDIATE);
    int i1[1] = {c1}, o1[1] = {r};
    ir_add_node(g, "relu_c", "Relu", "", i1, 1, o1, 1);
    int i2[2] = {x, r}, o2[1] = {y};
    ir_add_node(g, "add", "Add", "", i2, 2, o2, 1);
    int i3[1] = {x}, o3[1] = {dead};
    ir_add_node(g, "unused", "Relu", "", i3, 1, o3, 1);
    int ins[1] = {x}, outs[1] = {y};
    g->inputs = ins;
    g->n_inputs = 1;
    g->outputs = outs;
    g->n_outputs = 1;
    g->vals[y].is_output = 1;
    CHECK_MSG(passes_run(m, NULL) == 0, "%s", err_message());
    CHECK(g->n_order == 1 && g->nodes[g->order[0]].op == OP_Add);
    CHECK(g->vals[r].kind == VAL_CONST && ((float *)g->vals[r].t.data)[1] == 0);
    ir_model_free(m);
}

int main(void)
{
    test_optest_add();
    test_plan_chain();
    test_fold_dce();
    return check_done();
}
