/* graphbuild.h - hand-built multi-node graphs for the pass tests
 * (layout choice, memory plan views), and running them three ways: the
 * reference executor without and with the memory plan, and compiled to
 * an RVV module on the built-in emulator.
 *
 *   gb b; gb_init(&b);
 *   int x = gb_input(&b, "x", 4, (int64_t[]){1, 4, 6, 6});
 *   int w = gb_const(&b, "w", 4, (int64_t[]){8, 4, 3, 3});   // deterministic data
 *   int y = gb_node(&b, "conv", "Conv", (int[]){x, w}, 2, "y");
 *   gb_output(&b, y);
 *   passes_run(b.m, NULL);  ...  gb_free(&b);
 */
#ifndef RVVNN_TEST_GRAPHBUILD_H
#define RVVNN_TEST_GRAPHBUILD_H

#include "check.h"
#include "codegen/codegen.h"
#include "exec/emu/emu.h"
#include "exec/ref/ref.h"
#include "passes/passes.h"

#include <string.h>

typedef struct gb {
    ir_model *m;
    ir_graph *g;
    int ins[8], outs[8];
} gb;

static inline void gb_init(gb *b)
{
    b->m = ir_model_new();
    b->g = b->m->graph = ir_graph_new(&b->m->a, NULL);
    b->g->opset = b->m->opset = 17;
    b->g->inputs = b->ins;
    b->g->outputs = b->outs;
}

static inline void gb_free(gb *b)
{
    ir_model_free(b->m);
}

static inline int gb_value(gb *b, const char *name, int kind, int rank, const int64_t *dims)
{
    int v = ir_add_value(b->g, name, kind);
    b->g->vals[v].t.dtype = DT_F32;
    b->g->vals[v].t.rank = rank;
    for (int d = 0; d < rank; d++)
        b->g->vals[v].t.dims[d] = dims[d];
    return v;
}

static inline int gb_input(gb *b, const char *name, int rank, const int64_t *dims)
{
    int v = gb_value(b, name, VAL_INPUT, rank, dims);
    b->ins[b->g->n_inputs++] = v;
    return v;
}

/* A float constant with small deterministic values in [-1, 1]. */
static inline int gb_const(gb *b, const char *name, int rank, const int64_t *dims)
{
    int v = gb_value(b, name, VAL_CONST, rank, dims);
    tensor *t = &b->g->vals[v].t;
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= dims[d];
    float *p = arena_alloc(&b->m->a, (size_t)n * sizeof *p);
    for (int64_t i = 0; i < n; i++)
        p[i] = (float)((i * 37 + v * 11) % 17 - 8) / 8.0f;
    t->data = p;
    t->nbytes = (size_t)n * sizeof *p;
    return v;
}

/* Adds node name (op) with inputs in[0..n_in) and one new output value
 * called out (shape from inference); returns the output value. */
static inline int gb_node(gb *b, const char *name, const char *op, const int *in, int n_in, const char *out)
{
    int y = ir_add_value(b->g, out, VAL_INTERMEDIATE);
    ir_add_node(b->g, name, op, "", in, n_in, &y, 1);
    return y;
}

static inline void gb_output(gb *b, int v)
{
    b->outs[b->g->n_outputs++] = v;
    b->g->vals[v].is_output = 1;
}

static inline void gb_attr_int(gb *b, const char *node_name, const char *attr, int64_t i)
{
    for (int n = 0; n < b->g->n_nodes; n++)
        if (!strcmp(b->g->nodes[n].name, node_name)) {
            ir_attr *a = ir_add_attr(b->g, n, attr, ATTR_INT);
            a->i = i;
        }
}

static inline void gb_attr_ints(gb *b, const char *node_name, const char *attr, const int64_t *v, size_t n)
{
    for (int i = 0; i < b->g->n_nodes; i++)
        if (!strcmp(b->g->nodes[i].name, node_name)) {
            ir_attr *a = ir_add_attr(b->g, i, attr, ATTR_INTS);
            a->ints = arena_alloc(&b->m->a, n * sizeof *v);
            memcpy(a->ints, v, n * sizeof *v);
            a->n = n;
        }
}

/* Deterministic input data for every graph input (caller frees ins[i].data). */
static inline void gb_inputs(const gb *b, tensor *ins)
{
    for (int i = 0; i < b->g->n_inputs; i++) {
        ins[i] = b->g->vals[b->ins[i]].t;
        int64_t n = 1;
        for (int d = 0; d < ins[i].rank; d++)
            n *= ins[i].dims[d];
        float *p = mem_alloc((size_t)n * sizeof *p);
        for (int64_t k = 0; k < n; k++)
            p[k] = (float)((k * 13 + i * 5) % 23 - 11) / 4.0f;
        ins[i].data = p;
        ins[i].nbytes = (size_t)n * sizeof *p;
    }
}

/* Compiles the (already passed) graph for rv64gcv, vector-length
 * agnostic, and loads the module (caller frees). */
static inline rvv_module *gb_compile(const gb *b)
{
    cg_target t;
    cg_result res;
    rvv_module *mod = NULL;
    if (cg_target_parse("rv64gcv", NULL, -1, 0, &t) || codegen_module(b->m, &t, &res) ||
        module_load(res.buf, res.len, NULL, &mod)) {
        fprintf(stderr, "compile: %s\n", err_message());
        return NULL;
    }
    return mod;
}

/* Runs the module on the emulator at VLEN vlen. */
static inline int gb_run_emu(rvv_module *mod, unsigned vlen, const tensor *ins, tensor *outs)
{
    emu_config cfg = {.vlen = vlen, .core = NULL};
    emu *e;
    mod_session *s;
    int rc = emu_open(mod, &cfg, &e);
    if (rc)
        return rc;
    if (!(rc = emu_session_open(e, &s))) {
        rc = modrun_run(s, ins, outs);
        modrun_close(s);
    }
    emu_close(e);
    return rc;
}

/* The module tensor called name, or -1. */
static inline int gb_mod_tensor(const rvv_module *mod, const char *name)
{
    for (uint32_t i = 0; i < mod->hdr->n_tensors; i++)
        if (!strcmp(module_str(mod, mod->tensors[i].name), name))
            return (int)i;
    return -1;
}

#endif
