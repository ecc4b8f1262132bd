/* optest.h - builds a one-node graph around an operator and runs it on
 * the reference executor, so kernel tests state inputs, attributes and
 * expected outputs without writing ONNX files.
 *
 *   optest *t = optest_new("Add", 17, 2, 1);
 *   optest_input(t, 0, &a);  optest_input(t, 1, &b);   // tensors with data
 *   optest_const(t, 2, &shape);                         // a constant input
 *   optest_attr_int(t, "axis", 1);
 *   int rc = optest_run(t, outs);    // outs[i].data: mem_free() them
 *   optest_free(t);
 */
#ifndef RVVNN_TEST_OPTEST_H
#define RVVNN_TEST_OPTEST_H

#include "exec/ref/ref.h"
#include "ir/ir.h"
#include "passes/passes.h"

#include <stdio.h>
#include <string.h>

typedef struct optest {
    ir_model *m;
    const char *op_type;
    int n_in, n_out;
    tensor in[16];
    int is_const[16], present[16];
    int node;
    /* attributes are added after the node exists */
    struct { const char *name; int type; int64_t i; float f; const char *s;
             const int64_t *ints; const float *floats; size_t n; } attrs[16];
    int n_attrs;
} optest;

static inline optest *optest_new(const char *op_type, int opset, int n_in, int n_out)
{
    static optest t;
    memset(&t, 0, sizeof t);
    t.m = ir_model_new();
    t.m->graph = ir_graph_new(&t.m->a, NULL);
    t.m->graph->opset = opset;
    t.m->opset = opset;
    t.op_type = op_type;
    t.n_in = n_in;
    t.n_out = n_out;
    return &t;
}

static inline void optest_input(optest *t, int i, const tensor *x) { t->in[i] = *x; t->present[i] = 1; }
static inline void optest_const(optest *t, int i, const tensor *x)
{
    optest_input(t, i, x);
    t->is_const[i] = 1;
}
#define OPTEST_ATTR(fn, field, ctype, atype)                                       \
    static inline void fn(optest *t, const char *name, ctype v)                    \
    {                                                                              \
        t->attrs[t->n_attrs].name = name;                                          \
        t->attrs[t->n_attrs].type = atype;                                         \
        t->attrs[t->n_attrs++].field = v;                                          \
    }
OPTEST_ATTR(optest_attr_int, i, int64_t, ATTR_INT)
OPTEST_ATTR(optest_attr_float, f, float, ATTR_FLOAT)
OPTEST_ATTR(optest_attr_string, s, const char *, ATTR_STRING)
static inline void optest_attr_ints(optest *t, const char *name, const int64_t *v, size_t n)
{
    t->attrs[t->n_attrs].name = name;
    t->attrs[t->n_attrs].type = ATTR_INTS;
    t->attrs[t->n_attrs].ints = v;
    t->attrs[t->n_attrs++].n = n;
}
static inline void optest_attr_floats(optest *t, const char *name, const float *v, size_t n)
{
    t->attrs[t->n_attrs].name = name;
    t->attrs[t->n_attrs].type = ATTR_FLOATS;
    t->attrs[t->n_attrs].floats = v;
    t->attrs[t->n_attrs++].n = n;
}

/* Builds the graph and runs it; outs[0..n_out) receive the outputs. When
 * infer is set, static passes (shape inference, folding) run first, as a
 * compile would. Returns the status. */
static inline int optest_run_opts(optest *t, tensor *outs, int infer, const ref_options *opt);
static inline int optest_run_ex(optest *t, tensor *outs, int infer) { return optest_run_opts(t, outs, infer, NULL); }

/* opt: ref_run's options (threads, ...); NULL = defaults. */
static inline int optest_run_opts(optest *t, tensor *outs, int infer, const ref_options *opt)
{
    ir_graph *g = t->m->graph;
    int ins[16], outv[16], gin[16], n_gin = 0;
    tensor bound[16];
    char nm[32];
    for (int i = 0; i < t->n_in; i++) {
        if (!t->present[i]) {
            ins[i] = -1;
            continue;
        }
        snprintf(nm, sizeof nm, "in%d", i);
        int v = ir_add_value(g, nm, t->is_const[i] ? VAL_CONST : VAL_INPUT);
        if (v < 0)
            return v;
        g->vals[v].t = t->in[i];
        if (!t->is_const[i]) {
            g->vals[v].t.data = NULL;
            g->vals[v].t.nbytes = 0;
            bound[n_gin] = t->in[i];
            gin[n_gin++] = v;
        }
        ins[i] = v;
    }
    for (int k = 0; k < t->n_out; k++) {
        snprintf(nm, sizeof nm, "out%d", k);
        outv[k] = ir_add_value(g, nm, VAL_INTERMEDIATE);
    }
    t->node = ir_add_node(g, "n", t->op_type, "", ins, t->n_in, outv, t->n_out);
    if (t->node < 0)
        return t->node;
    for (int a = 0; a < t->n_attrs; a++) {
        ir_attr *at = ir_add_attr(g, t->node, t->attrs[a].name, t->attrs[a].type);
        at->i = t->attrs[a].i;
        at->f = t->attrs[a].f;
        at->s = t->attrs[a].s;
        at->s_len = at->s ? strlen(at->s) : 0;
        at->ints = (int64_t *)t->attrs[a].ints;
        at->floats = (float *)t->attrs[a].floats;
        at->n = t->attrs[a].n;
    }
    g->inputs = arena_memdup(g->a, gin, sizeof gin);
    g->n_inputs = n_gin;
    g->outputs = arena_memdup(g->a, outv, sizeof outv);
    g->n_outputs = t->n_out;
    int rc = ir_graph_link(g);
    if (rc)
        return rc;
    if (infer && (rc = passes_run(t->m, NULL)))
        return rc;
    return ref_run(g, opt, bound, outs);
}

static inline int optest_run(optest *t, tensor *outs) { return optest_run_ex(t, outs, 0); }

static inline void optest_free(optest *t) { ir_model_free(t->m); }

#endif
