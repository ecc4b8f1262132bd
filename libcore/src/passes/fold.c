/* fold.c - constant folding: a node whose inputs are all constants runs
 * once at compile time on the reference kernel and its outputs become
 * constants. This removes the Shape->Gather->Unsqueeze->Concat->Reshape
 * chains torch exports, so later stages see plain static graphs.
 *
 * Folding materialises data the file never held (ConstantOfShape, Expand,
 * Tile of a constant): each fold is capped (64 MiB, and max_tensor_bytes)
 * and all folds of a compile share a budget the pipeline derives from the
 * model's own constants, so a small file cannot make the compiler
 * allocate gigabytes. A node over either bound is simply not folded. */
#include "passes.h"
#include "../exec/ref/ref.h"

#include <string.h>

#define FOLD_DEFAULT_LIMIT ((size_t)64 << 20)

static int fold_node(ir_graph *g, ir_node *n, size_t limit, size_t *budget, int *folded)
{
    const op_info *oi = &op_table[n->op];
    tensor *ins[64], *outs[64];
    if (n->n_captures || (oi->flags & (OPF_NOFOLD | OPF_SELF_ALLOC)) || n->n_in > 64 || n->n_out > 64)
        return 0;
    /* Shape and Size read only dims: a static input is enough */
    int dims_only = n->op == OP_Shape || n->op == OP_Size;
    for (int k = 0; k < n->n_in; k++) {
        int v = n->in[k];
        if (v >= 0 && g->vals[v].kind != VAL_CONST &&
            !(dims_only && !g->vals[v].dynamic && g->vals[v].t.rank >= 0))
            return 0;
        ins[k] = v >= 0 ? &g->vals[v].t : NULL;
    }
    size_t total = 0;
    for (int k = 0; k < n->n_out; k++) {
        int v = n->out[k];
        if (v < 0 || g->vals[v].dynamic || g->vals[v].is_output)
            return 0; /* graph outputs stay computed so the graph keeps a node */
        size_t nb;
        if (tensor_byte_size(&g->vals[v].t, &nb) || !size_add(total, nb, &total) || total > limit)
            return 0;
    }
    if (budget && total > *budget)
        return 0;
    for (int k = 0; k < n->n_out; k++) {
        ir_value *val = &g->vals[n->out[k]];
        size_t nb;
        tensor_byte_size(&val->t, &nb);
        val->t.data = arena_alloc(g->a, nb);
        if (!val->t.data)
            return err_set(RV_ENOMEM, "out of memory folding node '%s'", n->name);
        val->t.nbytes = nb;
        outs[k] = &val->t;
    }
    op_ctx c = {n, g, g->opset, n->n_in, n->n_out, ins, outs, NULL};
    int rc = oi->ref(&c);
    if (rc)
        return rc;
    for (int k = 0; k < n->n_out; k++) {
        ir_value *val = &g->vals[n->out[k]];
        val->kind = VAL_CONST;
        val->producer = -1;
    }
    n->dead = 1;
    (*folded)++;
    if (budget)
        *budget -= total;
    return 0;
}

int pass_fold_constants(ir_graph *g, const passes_options *opt)
{
    return pass_fold_constants_n(g, opt, NULL, NULL);
}

int pass_fold_constants_n(ir_graph *g, const passes_options *opt, size_t *budget, int *n_folded)
{
    size_t limit = opt && opt->fold_limit_bytes ? opt->fold_limit_bytes : FOLD_DEFAULT_LIMIT;
    uint64_t tmax = limits_or_default(opt ? opt->limits : NULL)->max_tensor_bytes;
    if (tmax < limit)
        limit = (size_t)tmax;
    int folded = 0;
    for (int oi = 0; oi < g->n_order; oi++) {
        ir_node *n = &g->nodes[g->order[oi]];
        if (n->dead || n->op < 0)
            continue;
        int rc = fold_node(g, n, limit, budget, &folded);
        if (rc)
            return rc;
    }
    if (n_folded)
        *n_folded = folded;
    return folded ? ir_graph_link(g) : 0;
}
