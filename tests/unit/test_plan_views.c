/* test_plan_views.c - the memory plan's Concat views (passes/plan.c):
 * where the producers can write side by side into the Concat's block the
 * node becomes a view with no step; where that is unsafe (the same
 * tensor twice, a graph input or output among the inputs, batch > 1, a
 * multi-output producer, a nested Concat, a misaligned slab) it must
 * stay a copy. Every case checks that no two values live at the same
 * time share bytes, and runs the graph on the reference executor with
 * and without the plan and compiled on the emulator (all exact: the ops
 * here do not round differently). */
#include "graphbuild.h"

#include "ir/op.h"

static ir_node *node_named(ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (!strcmp(g->nodes[i].name, name))
            return &g->nodes[i];
    return NULL;
}

static int64_t nbytes(const ir_value *v)
{
    size_t nb = 0;
    tensor_byte_size(&v->t, &nb); /* intermediates carry a shape, not t.nbytes */
    return (int64_t)nb;
}

/* The value whose block holds v: the output of the view Concat v feeds,
 * else v itself. */
static int block_of(const ir_graph *g, int v)
{
    for (int i = 0; i < g->n_order; i++) {
        const ir_node *n = &g->nodes[g->order[i]];
        if (n->view)
            for (int k = 0; k < n->n_in; k++)
                if (n->in[k] == v)
                    return n->out[0];
    }
    return v;
}

/* No two planned blocks whose lifetimes (first write .. last read of the
 * block or of anything inside it) overlap share a byte; a view's inputs
 * sit inside its output's block. */
static void check_plan_sound(const ir_graph *g)
{
    int nv = g->n_vals;
    int first[64], last[64], step[64];
    CHECK(nv <= 64 && g->n_nodes <= 64);
    for (int i = 0; i < g->n_order; i++)
        step[g->order[i]] = i;
    for (int v = 0; v < nv; v++) {
        first[v] = g->n_order;
        last[v] = -1;
    }
    for (int v = 0; v < nv; v++) {
        const ir_value *val = &g->vals[v];
        if (val->arena_offset < 0)
            continue;
        int b = block_of(g, v);
        CHECK_MSG(g->vals[b].arena_offset >= 0 && val->arena_offset >= g->vals[b].arena_offset &&
                      val->arena_offset + nbytes(val) <= g->vals[b].arena_offset + nbytes(&g->vals[b]),
                  "%s outside the block of %s", val->name, g->vals[b].name);
        if (step[val->producer] < first[b])
            first[b] = step[val->producer];
        if (step[val->producer] > last[b])
            last[b] = step[val->producer];
    }
    for (int i = 0; i < g->n_order; i++) {
        const ir_node *n = &g->nodes[g->order[i]];
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0 && g->vals[n->in[k]].arena_offset >= 0) {
                int b = block_of(g, n->in[k]);
                if (i > last[b])
                    last[b] = i;
            }
    }
    for (int a = 0; a < nv; a++)
        for (int b = a + 1; b < nv; b++) {
            if (block_of(g, a) != a || block_of(g, b) != b || g->vals[a].arena_offset < 0 ||
                g->vals[b].arena_offset < 0 || last[a] < first[b] || last[b] < first[a])
                continue;
            int64_t a0 = g->vals[a].arena_offset, a1 = a0 + nbytes(&g->vals[a]);
            int64_t b0 = g->vals[b].arena_offset, b1 = b0 + nbytes(&g->vals[b]);
            CHECK_MSG(a1 <= b0 || b1 <= a0, "%s [%lld,%lld) and %s [%lld,%lld) are live together",
                      g->vals[a].name, (long long)a0, (long long)a1, g->vals[b].name, (long long)b0, (long long)b1);
        }
}

/* Reference without the plan == reference with it == module on the
 * emulator, exactly. */
static void check_runs(const gb *b)
{
    tensor ins[8], want[8], planned[8], got[8];
    gb_inputs(b, ins);
    ref_options plan = {.use_plan = 1};
    CHECK_MSG(ref_run(b->g, NULL, ins, want) == 0, "%s", err_message());
    CHECK_MSG(ref_run(b->g, &plan, ins, planned) == 0, "%s", err_message());
    rvv_module *mod = gb_compile(b);
    CHECK(mod != NULL);
    int ran = mod && gb_run_emu(mod, 128, ins, got) == 0;
    CHECK_MSG(ran, "%s", err_message());
    for (int o = 0; o < b->g->n_outputs; o++) {
        CHECK(planned[o].nbytes == want[o].nbytes && !memcmp(planned[o].data, want[o].data, want[o].nbytes));
        if (ran)
            CHECK_MSG(got[o].nbytes == want[o].nbytes && !memcmp(got[o].data, want[o].data, want[o].nbytes),
                      "output %d differs from the reference", o); /* exact */
        mem_free(want[o].data);
        mem_free(planned[o].data);
        if (ran)
            mem_free(got[o].data);
    }
    if (mod) {
        /* a view has no step: count the Concat steps */
        int n_concat_steps = 0, n_concat = 0, n_views = 0;
        for (uint32_t i = 0; i < mod->hdr->n_steps; i++)
            n_concat_steps += !strcmp(module_str(mod, mod->steps[i].op), "Concat");
        for (int i = 0; i < b->g->n_order; i++) {
            n_concat += b->g->nodes[b->g->order[i]].op == OP_Concat;
            n_views += b->g->nodes[b->g->order[i]].view;
        }
        CHECK(n_concat_steps == n_concat - n_views && n_views == b->g->n_views);
        module_free(mod);
    }
    for (int i = 0; i < b->g->n_inputs; i++)
        mem_free((void *)ins[i].data);
}

#define SHAPE(...) (int64_t[]){__VA_ARGS__}

/* a = Relu(x), b = Neg(x), c = Concat(a, b) -> Relu -> Neg (t2) -> Abs
 * -> y1, and a read again at the very end (y2 = a * ReduceMax(t2)): the
 * view's block must outlive c's own last use, or t2 could take c's
 * bytes and overwrite a. */
static void test_view_and_lifetime(void)
{
    gb g;
    gb_init(&g);
    int x = gb_input(&g, "x", 4, SHAPE(1, 16, 2, 2)); /* 256 bytes: slabs stay 64-byte aligned */
    int a = gb_node(&g, "ra", "Relu", (int[]){x}, 1, "a");
    int b = gb_node(&g, "nb", "Neg", (int[]){x}, 1, "b");
    int c = gb_node(&g, "cat", "Concat", (int[]){a, b}, 2, "c");
    gb_attr_int(&g, "cat", "axis", 1);
    int t1 = gb_node(&g, "t1", "Relu", (int[]){c}, 1, "t1");
    int t2 = gb_node(&g, "t2", "Neg", (int[]){t1}, 1, "t2");
    int y1 = gb_node(&g, "t3", "Abs", (int[]){t2}, 1, "y1");
    int r = gb_node(&g, "rmax", "ReduceMax", (int[]){t2}, 1, "r");
    gb_attr_ints(&g, "rmax", "axes", (int64_t[]){1}, 1);
    int y2 = gb_node(&g, "late", "Mul", (int[]){a, r}, 2, "y2"); /* after t2: a outlives c's last read */
    gb_output(&g, y1);
    gb_output(&g, y2);
    CHECK_MSG(passes_run(g.m, NULL) == 0, "%s", err_message());
    ir_node *cat = node_named(g.g, "cat");
    CHECK(cat->view && g.g->n_views == 1);
    CHECK(g.g->vals[a].arena_offset == g.g->vals[c].arena_offset);
    CHECK(g.g->vals[b].arena_offset == g.g->vals[c].arena_offset + 256);
    CHECK(g.g->vals[t2].arena_offset >= 0);
    check_plan_sound(g.g);
    check_runs(&g);
    gb_free(&g);
}

/* Cases that must keep their copy. */
enum { NO_TWICE, NO_GRAPH_INPUT, NO_GRAPH_OUTPUT_INPUT, NO_BATCH2, NO_SPLIT, NO_MISALIGNED, NO_CONCAT_OUTPUT, NO__COUNT };

static void test_no_view(int which)
{
    static const char *const what[NO__COUNT] = {"same tensor twice", "graph input", "input is a graph output",
                                                "batch 2", "multi-output producer", "misaligned slab",
                                                "Concat output is a graph output"};
    gb g;
    gb_init(&g);
    int x = which == NO_BATCH2 ? gb_input(&g, "x", 4, SHAPE(2, 16, 2, 2))
            : which == NO_MISALIGNED ? gb_input(&g, "x", 2, SHAPE(1, 3))
            : gb_input(&g, "x", 4, SHAPE(1, 16, 2, 2));
    int a, b;
    if (which == NO_SPLIT) {
        int outs[2] = {ir_add_value(g.g, "a", VAL_INTERMEDIATE), ir_add_value(g.g, "b", VAL_INTERMEDIATE)};
        int two = gb_node(&g, "twice", "Concat", (int[]){x, x}, 2, "xx"); /* a copy: graph input twice */
        gb_attr_int(&g, "twice", "axis", 1);
        ir_add_node(g.g, "split", "Split", "", &two, 1, outs, 2);
        gb_attr_int(&g, "split", "axis", 1);
        a = outs[0];
        b = outs[1];
    } else {
        a = gb_node(&g, "ra", "Relu", (int[]){x}, 1, "a");
        b = gb_node(&g, "nb", "Neg", (int[]){x}, 1, "b");
    }
    int in[2] = {a, which == NO_TWICE ? a : b};
    if (which == NO_GRAPH_INPUT)
        in[0] = x;
    int c = gb_node(&g, "cat", "Concat", in, 2, "c");
    gb_attr_int(&g, "cat", "axis", 1);
    if (which == NO_CONCAT_OUTPUT) {
        gb_output(&g, c);
    } else {
        int y = gb_node(&g, "after", "Relu", (int[]){c}, 1, "y");
        gb_output(&g, y);
    }
    if (which == NO_GRAPH_OUTPUT_INPUT)
        gb_output(&g, a);
    CHECK_MSG(passes_run(g.m, NULL) == 0, "%s: %s", what[which], err_message());
    ir_node *cat = node_named(g.g, "cat");
    CHECK_MSG(cat && !cat->view, "%s: the Concat became a view", what[which]);
    CHECK_MSG(g.g->n_views == 0, "%s: %d views", what[which], g.g->n_views);
    check_plan_sound(g.g);
    check_runs(&g);
    gb_free(&g);
}

/* c1 = Concat(a, b) is a view; c2 = Concat(c1, d) keeps its copy (its
 * input c1 lives inside c1's own block already). */
static void test_nested(void)
{
    gb g;
    gb_init(&g);
    int x = gb_input(&g, "x", 4, SHAPE(1, 16, 2, 2));
    int a = gb_node(&g, "ra", "Relu", (int[]){x}, 1, "a");
    int b = gb_node(&g, "nb", "Neg", (int[]){x}, 1, "b");
    int c1 = gb_node(&g, "cat1", "Concat", (int[]){a, b}, 2, "c1");
    gb_attr_int(&g, "cat1", "axis", 1);
    int d = gb_node(&g, "ad", "Abs", (int[]){x}, 1, "d");
    int c2 = gb_node(&g, "cat2", "Concat", (int[]){c1, d}, 2, "c2");
    gb_attr_int(&g, "cat2", "axis", 1);
    int y = gb_node(&g, "after", "Relu", (int[]){c2}, 1, "y");
    gb_output(&g, y);
    CHECK_MSG(passes_run(g.m, NULL) == 0, "%s", err_message());
    CHECK(node_named(g.g, "cat1")->view && !node_named(g.g, "cat2")->view && g.g->n_views == 1);
    check_plan_sound(g.g);
    check_runs(&g);
    gb_free(&g);
}

int main(void)
{
    test_view_and_lifetime();
    for (int i = 0; i < NO__COUNT; i++)
        test_no_view(i);
    test_nested();
    return check_done();
}
