/* match.h - the small graph queries pattern-rewriting passes share
 * (canonicalize.c, fuse.c): op tests, single readers, constants. */
#ifndef RVVNN_PASSES_MATCH_H
#define RVVNN_PASSES_MATCH_H

#include "../ir/ir.h"

#include <string.h>

/* A live ai.onnx node of type t. */
static inline int match_op(const ir_node *n, const char *t)
{
    return !n->dead && !n->domain[0] && !strcmp(n->op_type, t);
}

/* The only live node reading value v (v not a graph output, no subgraph
 * reading it), or -1. */
static inline int match_single_reader(const ir_graph *g, int v)
{
    if (v < 0 || g->vals[v].n_uses != 1 || g->vals[v].is_output)
        return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] == v)
                return n->n_captures ? -1 : i;
    }
    return -1;
}

/* The input of binary node n that is not v, or -1. */
static inline int match_other_input(const ir_node *n, int v)
{
    if (n->n_in != 2)
        return -1;
    return n->in[0] == v ? n->in[1] : n->in[1] == v ? n->in[0] : -1;
}

/* A one-element float constant's value. */
static inline int match_const_scalar(const ir_graph *g, int v, double *out)
{
    int64_t n;
    if (v < 0 || g->vals[v].kind != VAL_CONST || !dtype_is_float(g->vals[v].t.dtype) ||
        tensor_numel(&g->vals[v].t, &n) || n != 1)
        return 0;
    *out = tensor_get_f64(&g->vals[v].t, 0);
    return 1;
}

#endif
