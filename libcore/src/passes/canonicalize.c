/* canonicalize.c - rewrites op patterns exporters emit into the single
 * ops the code generators have kernels for.
 *
 * LayerNorm: opset < 17 exports (torch) spell it
 *   m = ReduceMean(x, last axis); d = Sub(x, m); v = ReduceMean(Pow(d, 2));
 *   y = Add(Mul(Div(d, Sqrt(Add(v, eps))), gamma), beta)
 * which becomes y = LayerNormalization(x, gamma, beta, axis=-1, epsilon).
 * A rewrite happens only when every intermediate has no other reader and
 * the constants have the expected shapes, so the graph's meaning is kept
 * exactly (up to rounding, within the reference's tolerance). */
#include "passes.h"
#include "../ir/op.h"
#include "match.h"

#include <stdio.h>
#include <string.h>

/* ReduceMean over exactly the last axis with keepdims. */
static int mean_last_axis(const ir_graph *g, const ir_node *n)
{
    int x = n->in[0];
    if (x < 0 || g->vals[x].t.rank < 1 || !ir_attr_int(n, "keepdims", 1))
        return 0;
    int rank = g->vals[x].t.rank;
    int64_t axes[8];
    size_t na = 0;
    const int64_t *a = ir_attr_ints(n, "axes", &na);
    if (a && na <= 8) {
        memcpy(axes, a, na * sizeof *a);
    } else if (!a && n->n_in > 1 && n->in[1] >= 0 && g->vals[n->in[1]].kind == VAL_CONST) {
        int64_t cnt;
        if (tensor_numel(&g->vals[n->in[1]].t, &cnt) || cnt > 8)
            return 0;
        na = (size_t)cnt;
        for (size_t i = 0; i < na; i++)
            axes[i] = tensor_get_i64(&g->vals[n->in[1]].t, (int64_t)i);
    } else {
        return 0;
    }
    return na == 1 && (axes[0] == -1 || axes[0] == rank - 1);
}

static int vec_const_of(const ir_graph *g, int v, int64_t C)
{
    int64_t n;
    return v >= 0 && g->vals[v].kind == VAL_CONST && g->vals[v].t.dtype == DT_F32 &&
           !tensor_numel(&g->vals[v].t, &n) && n == C &&
           g->vals[v].t.dims[g->vals[v].t.rank - 1] == C;
}

static int try_layernorm(ir_graph *g, int mi, int *rewrote)
{
    int chain[9], x, m, d, p, v, a, s, q, y1, y;
    double two, eps;
    const ir_node *nm = &g->nodes[mi];
    if (!mean_last_axis(g, nm))
        return 0;
    x = nm->in[0];
    m = nm->out[0];
    int64_t C = g->vals[x].t.dims[g->vals[x].t.rank - 1];
    if (g->vals[x].t.dtype != DT_F32)
        return 0;
    chain[0] = mi;
    /* d = Sub(x, m): m's only reader */
    if ((chain[1] = match_single_reader(g, m)) < 0 || !match_op(&g->nodes[chain[1]], "Sub") ||
        g->nodes[chain[1]].in[0] != x || g->nodes[chain[1]].in[1] != m)
        return 0;
    d = g->nodes[chain[1]].out[0];
    if (g->vals[d].n_uses != 2 || g->vals[d].is_output)
        return 0;
    /* d feeds Pow(d, 2) and Div(d, s) */
    int pow_i = -1, div_i = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->dead || n->n_in < 1 || n->in[0] != d)
            continue;
        if (match_op(n, "Pow"))
            pow_i = i;
        else if (match_op(n, "Div"))
            div_i = i;
    }
    if (pow_i < 0 || div_i < 0 || !match_const_scalar(g, g->nodes[pow_i].in[1], &two) || two != 2.0)
        return 0;
    chain[2] = pow_i;
    p = g->nodes[pow_i].out[0];
    if ((chain[3] = match_single_reader(g, p)) < 0 || !match_op(&g->nodes[chain[3]], "ReduceMean") ||
        !mean_last_axis(g, &g->nodes[chain[3]]))
        return 0;
    v = g->nodes[chain[3]].out[0];
    if ((chain[4] = match_single_reader(g, v)) < 0 || !match_op(&g->nodes[chain[4]], "Add") ||
        !match_const_scalar(g, match_other_input(&g->nodes[chain[4]], v), &eps))
        return 0;
    a = g->nodes[chain[4]].out[0];
    if ((chain[5] = match_single_reader(g, a)) < 0 || !match_op(&g->nodes[chain[5]], "Sqrt"))
        return 0;
    s = g->nodes[chain[5]].out[0];
    if (match_single_reader(g, s) != div_i || g->nodes[div_i].in[1] != s)
        return 0;
    chain[6] = div_i;
    q = g->nodes[div_i].out[0];
    if ((chain[7] = match_single_reader(g, q)) < 0 || !match_op(&g->nodes[chain[7]], "Mul"))
        return 0;
    int gamma = match_other_input(&g->nodes[chain[7]], q);
    y1 = g->nodes[chain[7]].out[0];
    if (!vec_const_of(g, gamma, C))
        return 0;
    int beta = -1;
    chain[8] = match_single_reader(g, y1);
    if (chain[8] >= 0 && match_op(&g->nodes[chain[8]], "Add") &&
        vec_const_of(g, match_other_input(&g->nodes[chain[8]], y1), C)) {
        beta = match_other_input(&g->nodes[chain[8]], y1);
        y = g->nodes[chain[8]].out[0];
    } else {
        chain[8] = -1;
        y = y1;
    }
    /* all matched: replace the chain */
    char name[256];
    snprintf(name, sizeof name, "%s.layernorm", g->nodes[mi].name);
    int ins[3] = {x, gamma, beta}, outs[1] = {y};
    int ni = ir_add_node(g, name, "LayerNormalization", "", ins, beta >= 0 ? 3 : 2, outs, 1);
    if (ni < 0)
        return ni;
    /* each ir_add_attr may move the array: fill an attribute before the next */
    ir_attr *at = ir_add_attr(g, ni, "axis", ATTR_INT);
    if (at)
        at->i = -1;
    ir_attr *ae = at ? ir_add_attr(g, ni, "epsilon", ATTR_FLOAT) : NULL;
    if (!ae)
        return err_set(RV_ENOMEM, "out of memory rewriting a LayerNorm pattern");
    ae->f = (float)eps;
    for (int i = 0; i < 9; i++)
        if (chain[i] >= 0)
            g->nodes[chain[i]].dead = 1;
    (*rewrote)++;
    return 0;
}

int pass_canonicalize(ir_graph *g, int *n_rewrites)
{
    int rewrote = 0, rc = 0;
    *n_rewrites = 0;
    if (op_lookup("", "LayerNormalization") < 0)
        return 0;
    int n = g->n_nodes; /* new nodes are appended; they need no matching */
    for (int i = 0; !rc && i < n; i++)
        if (match_op(&g->nodes[i], "ReduceMean"))
            rc = try_layernorm(g, i, &rewrote);
    if (rc)
        return rc;
    *n_rewrites = rewrote;
    return rewrote ? ir_graph_link(g) : 0;
}
