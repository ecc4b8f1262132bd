/* cost.c - work and traffic estimates of a fallback step, so `rvvnn
 * inspect` weighs RVV and fallback steps alike ("x% of FLOPs in RVV
 * code"). The RVV generators count their own; these follow the same
 * conventions: a multiply-add is 2 FLOPs, a window tap or an elementwise
 * result 1, data movement 0; bytes are every static operand read or
 * written once. Estimates only: nothing depends on them but reports. */
#include "codegen.h"

#include <string.h>

static int64_t numel_of(const ir_graph *g, int v)
{
    int64_t n = 0;
    if (v < 0 || g->vals[v].dynamic || tensor_numel(&g->vals[v].t, &n))
        return 0;
    return n;
}

static int is_movement(const char *op)
{
    static const char *const mv[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Transpose",
                                     "Gather", "GatherElements", "GatherND", "Concat", "Slice", "Split",
                                     "Pad", "Where", "Cast", "CastLike", "Tile", "Expand", "Shape", "Size",
                                     "ConstantOfShape", "Constant", "ScatterND", "ScatterElements",
                                     "DepthToSpace", "SpaceToDepth", "Dropout", "OneHot", "Range"};
    for (size_t i = 0; i < sizeof mv / sizeof mv[0]; i++)
        if (!strcmp(op, mv[i]))
            return 1;
    return 0;
}

void cg_node_cost(const ir_graph *g, const ir_node *n, uint64_t *flops, uint64_t *bytes)
{
    uint64_t b = 0;
    for (int k = 0; k < n->n_in + n->n_out; k++) {
        int v = k < n->n_in ? n->in[k] : n->out[k - n->n_in];
        if (v >= 0)
            b += (uint64_t)numel_of(g, v) * dtype_size(g->vals[v].t.dtype);
    }
    *bytes = b;
    int64_t y = n->n_out > 0 ? numel_of(g, n->out[0]) : 0;
    int64_t x = n->n_in > 0 ? numel_of(g, n->in[0]) : 0;
    int64_t f = y;
    const tensor *w = n->n_in > 1 && n->in[1] >= 0 ? &g->vals[n->in[1]].t : NULL;
    switch (n->op) {
    case OP_Conv:
    case OP_ConvEpilogue: /* each output: (C / group) x taps multiply-adds = W's numel / M */
        if (w && w->rank > 0 && w->dims[0] > 0)
            f = 2 * y * (numel_of(g, n->in[1]) / w->dims[0]);
        break;
    case OP_ConvTranspose: /* each input element scatters into (M / group) x taps outputs */
        if (w && w->rank > 0 && w->dims[0] > 0)
            f = 2 * x * (numel_of(g, n->in[1]) / w->dims[0]);
        break;
    case OP_MatMul:
    case OP_Gemm:
    case OP_MatMulEpilogue: {
        const tensor *a = n->n_in > 0 && n->in[0] >= 0 ? &g->vals[n->in[0]].t : NULL;
        int64_t k = a && a->rank ? a->dims[a->rank - 1] : 1;
        if (a && a->rank == 2 && n->op == OP_Gemm && ir_attr_int(n, "transA", 0))
            k = a->dims[0];
        f = 2 * y * k;
        break;
    }
    case OP_MaxPool:
    case OP_AveragePool:
    case OP_LpPool: {
        size_t cnt;
        const int64_t *ks = ir_attr_ints(n, "kernel_shape", &cnt);
        for (size_t i = 0; ks && i < cnt; i++)
            f *= ks[i] > 0 ? ks[i] : 1;
        break;
    }
    case OP_GlobalAveragePool:
    case OP_GlobalMaxPool:
        f = x;
        break;
    default:
        if (is_movement(n->op_type))
            f = 0;
    }
    *flops = f > 0 ? (uint64_t)f : 0;
}
