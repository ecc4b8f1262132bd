/* layout.c - the layout pass: decides, in one place, the layout every
 * value is read in (ir/layouts.def), from what its consumers want.
 *
 * Activations stay plain (NCHW, row-major): every RVV generator reads
 * and writes them so, and reads run-time weights in place. Constants
 * that a packing generator consumes (Conv/ConvTranspose weights, the
 * MatMul/Gemm B operand, BatchNormalization parameters) are re-laid at
 * compile time; layout_wanted() is the table of who wants what, and the
 * generators ask it whether to pack instead of deciding on their own.
 *
 * A conversion step is needed only where two consumers of a run-time
 * tensor want different layouts. No consumer in the table wants a
 * packed run-time tensor, so none is inserted today and the pass counts
 * them (g->n_layout_conversions, `rvvnn compile --verbose`); a table
 * change that asked for one is refused here rather than miscompiled,
 * until a conversion op exists. A constant wanted in two layouts is
 * simply packed twice at compile time (g->n_layout_copies). */
#include "passes.h"

#include "../ir/op.h"

static int is_f32_const(const ir_graph *g, int v)
{
    return v >= 0 && g->vals[v].kind == VAL_CONST && g->vals[v].t.dtype == DT_F32 && g->vals[v].t.data;
}

int layout_wanted(const ir_graph *g, const ir_node *n, int k)
{
    if (k < 0 || k >= n->n_in || n->in[k] < 0)
        return LAYOUT_PLAIN;
    int v = n->in[k];
    switch (n->op) {
    case OP_Conv:
    case OP_ConvEpilogue:
        return k == 1 && is_f32_const(g, v) ? LAYOUT_CONV_BLOCK : LAYOUT_PLAIN;
    case OP_ConvTranspose:
        return k == 1 && is_f32_const(g, v) ? LAYOUT_CONVT_BLOCK : LAYOUT_PLAIN;
    case OP_MatMul:
    case OP_MatMulEpilogue:
    case OP_Gemm:
        return k == 1 && is_f32_const(g, v) ? LAYOUT_GEMM_PANEL : LAYOUT_PLAIN;
    case OP_BatchNormalization:
        return k >= 1 && k <= 4 && is_f32_const(g, v) ? LAYOUT_SCALE_SHIFT : LAYOUT_PLAIN;
    default:
        return LAYOUT_PLAIN;
    }
}

int pass_choose_layouts(ir_graph *g)
{
    int rc = 0;
    uint32_t *want = mem_calloc((size_t)g->n_vals + 1, sizeof *want);
    int *first_user = mem_calloc((size_t)g->n_vals + 1, sizeof *first_user);
    if (!want || !first_user) {
        rc = err_set(RV_ENOMEM, "out of memory choosing layouts for %d values", g->n_vals);
        goto out;
    }
    _Static_assert(LAYOUT__COUNT <= 32, "layouts fit a 32-bit mask");
    for (int v = 0; v < g->n_vals; v++)
        first_user[v] = -1;
    for (int oi = 0; oi < g->n_order; oi++) {
        const ir_node *n = &g->nodes[g->order[oi]];
        for (int k = 0; k < n->n_in; k++) {
            int v = n->in[k];
            if (v < 0)
                continue;
            int l = layout_wanted(g, n, k);
            if (!want[v] || (l != LAYOUT_PLAIN && !(want[v] & ~(1u << LAYOUT_PLAIN))))
                first_user[v] = g->order[oi];
            want[v] |= 1u << l;
        }
    }
    g->n_layout_conversions = 0;
    g->n_layout_copies = 0;
    for (int v = 0; v < g->n_vals; v++) {
        ir_value *val = &g->vals[v];
        uint32_t packed = want[v] & ~(1u << LAYOUT_PLAIN);
        int l = LAYOUT_PLAIN;
        for (int i = 0; packed && i < LAYOUT__COUNT; i++)
            if (packed & (1u << i)) {
                l = i; /* the lowest id among the packed forms wanted */
                break;
            }
        if (packed && val->kind != VAL_CONST) {
            char lbl[160];
            rc = err_set(RV_EINTERNAL, "layout pass: %s wants run-time tensor '%s' as %s and no layout "
                         "conversion op exists", ir_node_label(&g->nodes[first_user[v]], lbl, sizeof lbl),
                         val->name, ir_layout_name(l));
            goto out;
        }
        int n_forms = 0;
        for (int i = 0; i < LAYOUT__COUNT; i++)
            n_forms += (want[v] >> i) & 1;
        if (n_forms > 1)
            g->n_layout_copies += n_forms - 1;
        val->layout = (uint8_t)l;
    }
out:
    mem_free(want);
    mem_free(first_user);
    return rc;
}
