/* test_graph.c - IR building, linking (order, cycles, dangling inputs)
 * and a first reference run through the executor driver. */
#include "check.h"
#include "exec/ref/ref.h"
#include "ir/ir.h"

#include <string.h>

static int add_f32(ir_graph *g, const char *name, int kind, int rank, const int64_t *dims)
{
    int v = ir_add_value(g, name, kind);
    if (v < 0)
        return v;
    g->vals[v].t.dtype = DT_F32;
    g->vals[v].t.rank = rank;
    memcpy(g->vals[v].t.dims, dims, (size_t)rank * sizeof *dims);
    return v;
}

static void test_add_relu(void)
{
    ir_model *m = ir_model_new();
    ir_graph *g = m->graph = ir_graph_new(&m->a, NULL);
    g->opset = 17;
    int64_t d[2] = {2, 3}, d1[1] = {3};
    int x = add_f32(g, "x", VAL_INPUT, 2, d);
    int b = add_f32(g, "b", VAL_CONST, 1, d1);
    static float bias[3] = {1, -2, 0.5f};
    g->vals[b].t.data = bias;
    g->vals[b].t.nbytes = sizeof bias;
    int s = ir_add_value(g, "s", VAL_INTERMEDIATE);
    int y = ir_add_value(g, "y", VAL_INTERMEDIATE);
    /* nodes deliberately out of order: link must sort them */
    int in2[1] = {s}, out2[1] = {y};
    CHECK(ir_add_node(g, "relu", "Relu", "", in2, 1, out2, 1) == 0);
    int in1[2] = {x, b}, out1[1] = {s};
    CHECK(ir_add_node(g, "add", "Add", "", in1, 2, out1, 1) == 1);
    int ins[1] = {x}, outs[1] = {y};
    g->inputs = ins;
    g->n_inputs = 1;
    g->outputs = outs;
    g->n_outputs = 1;
    CHECK(ir_graph_link(g) == 0);
    CHECK(g->n_order == 2 && g->order[0] == 1 && g->order[1] == 0);

    float xd[6] = {0, 1, 2, -3, 4, -5};
    tensor tin = {DT_F32, 2, {2, 3}, xd, sizeof xd}, tout;
    CHECK_MSG(ref_run(g, NULL, &tin, &tout) == 0, "%s", err_message());
    float want[6] = {1, 0, 2.5f, 0, 2, 0};
    CHECK(tout.rank == 2 && tout.dims[0] == 2 && tout.dims[1] == 3);
    for (int i = 0; i < 6; i++)
        CHECK_CLOSE(((float *)tout.data)[i], want[i], 0, 0); /* exact: one rounding */
    mem_free(tout.data);

    /* wrong input shape: clear error naming the input */
    tensor bad = {DT_F32, 2, {3, 2}, xd, sizeof xd};
    CHECK(ref_run(g, NULL, &bad, &tout) == RV_ESHAPE);
    CHECK(strstr(err_message(), "input 'x'") != NULL);
    ir_model_free(m);
}

static void test_cycle(void)
{
    ir_model *m = ir_model_new();
    ir_graph *g = m->graph = ir_graph_new(&m->a, NULL);
    int a = ir_add_value(g, "a", VAL_INTERMEDIATE), b = ir_add_value(g, "b", VAL_INTERMEDIATE);
    int ia[1] = {b}, oa[1] = {a}, ib[1] = {a}, ob[1] = {b};
    ir_add_node(g, "n1", "Relu", "", ia, 1, oa, 1);
    ir_add_node(g, "n2", "Relu", "", ib, 1, ob, 1);
    CHECK(ir_graph_link(g) == RV_EGRAPH);
    CHECK(strstr(err_message(), "cycle") != NULL);
    ir_model_free(m);
}

static void test_dangling(void)
{
    ir_model *m = ir_model_new();
    ir_graph *g = m->graph = ir_graph_new(&m->a, NULL);
    int a = ir_add_value(g, "a", VAL_INTERMEDIATE), b = ir_add_value(g, "b", VAL_INTERMEDIATE);
    int ia[1] = {a}, ob[1] = {b};
    ir_add_node(g, "n1", "Relu", "", ia, 1, ob, 1);
    CHECK(ir_graph_link(g) == RV_EGRAPH);
    CHECK(strstr(err_message(), "'a' is not produced") != NULL);
    CHECK(ir_add_value(g, "a", VAL_INPUT) == RV_EGRAPH); /* duplicate name */
    ir_model_free(m);
}

int main(void)
{
    test_add_relu();
    test_cycle();
    test_dangling();
    return check_done();
}
