/* fuse.c - folds the elementwise epilogue of a MatMul/Gemm into it:
 *
 *   y = MatMul(a, B) [+ bias row] [+ residual] [-> Relu | -> GELU(erf)]
 *
 * becomes one rvvnn::MatMulEpilogue node (exec/ref/epilogue.c), whose
 * RVV kernel applies the epilogue while the output block is still in
 * cache, saving a pass over memory and an arena buffer per step. The same
 * for convolutions (CNN blocks: ResNet's residual + Relu, MobileNet's
 * ReLU6 as Clip(0, 6), MobileNetV3's HardSwish and squeeze-excite
 * HardSigmoid, segmentation heads' Sigmoid):
 *
 *   y = Conv(x, W[, b]) [-> BatchNormalization] [+ residual]
 *       [-> Relu | -> Clip(constant bounds) | -> HardSwish | -> HardSigmoid | -> Sigmoid]
 *
 * becomes rvvnn::ConvEpilogue with Conv's attributes (the RVV kernel folds
 * the BatchNormalization into its re-laid weights and bias; the reference
 * applies it as ref_batchnorm does, so its bits do not change).
 *
 * GELU is matched exactly as torch exports it,
 *   Mul(Mul(h, Add(Erf(Div(h, c)), 1)), 0.5),
 * and the reference kernel repeats those f32 operations in that order, so
 * fusing never changes the reference executor's bits. Every intermediate
 * must have a single reader; otherwise nothing is rewritten. */
#include "passes.h"
#include "../ir/op.h"
#include "match.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int const_f32(const ir_graph *g, int v, float *out)
{
    int64_t n;
    if (v < 0 || g->vals[v].kind != VAL_CONST || g->vals[v].t.dtype != DT_F32 || tensor_numel(&g->vals[v].t, &n) ||
        n != 1)
        return 0;
    *out = *(const float *)g->vals[v].t.data;
    return 1;
}

/* A constant that broadcasts as a row over the last dim of y. */
static int bias_row(const ir_graph *g, int v, const ir_value *y)
{
    int64_t n;
    const ir_value *b = v >= 0 ? &g->vals[v] : NULL;
    if (!b || b->kind != VAL_CONST || b->t.dtype != DT_F32 || tensor_numel(&b->t, &n) || y->t.rank < 1 ||
        n != y->t.dims[y->t.rank - 1] || b->t.rank > y->t.rank)
        return 0;
    return b->t.rank == 0 || b->t.dims[b->t.rank - 1] == n;
}

static int same_shape(const ir_value *a, const ir_value *b)
{
    return a->t.dtype == b->t.dtype && shape_equal(&a->t, &b->t) && !a->dynamic && !b->dynamic;
}

/* Tries GELU starting at h (MatMul+bias output); returns the node chain
 * (5 nodes) and the divisor, or 0. */
static int match_gelu(const ir_graph *g, int h, int *chain, int *out, float *div)
{
    float c1, c05;
    if (g->vals[h].n_uses != 2 || g->vals[h].is_output)
        return 0;
    int d = -1, mul1 = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->dead || n->n_in != 2)
            continue;
        if (match_op(n, "Div") && n->in[0] == h && const_f32(g, n->in[1], div))
            d = i;
        else if (match_op(n, "Mul") && (n->in[0] == h || n->in[1] == h))
            mul1 = i;
    }
    if (d < 0 || mul1 < 0)
        return 0;
    int e = match_single_reader(g, g->nodes[d].out[0]);
    if (e < 0 || !match_op(&g->nodes[e], "Erf"))
        return 0;
    int a = match_single_reader(g, g->nodes[e].out[0]);
    if (a < 0 || !match_op(&g->nodes[a], "Add") || !const_f32(g, match_other_input(&g->nodes[a], g->nodes[e].out[0]), &c1) ||
        c1 != 1.0f || match_single_reader(g, g->nodes[a].out[0]) != mul1 ||
        match_other_input(&g->nodes[mul1], g->nodes[a].out[0]) != h)
        return 0;
    int m2 = match_single_reader(g, g->nodes[mul1].out[0]);
    if (m2 < 0 || !match_op(&g->nodes[m2], "Mul") ||
        !const_f32(g, match_other_input(&g->nodes[m2], g->nodes[mul1].out[0]), &c05) || c05 != 0.5f)
        return 0;
    chain[0] = d, chain[1] = e, chain[2] = a, chain[3] = mul1, chain[4] = m2;
    *out = g->nodes[m2].out[0];
    return 1;
}

static int fuse_one(ir_graph *g, int mi, int *count)
{
    const ir_node *mm = &g->nodes[mi];
    if (mm->n_in != 2 || mm->n_out != 1)
        return 0;
    int y = mm->out[0], dead[8], n_dead = 0, bias = -1, res = -1, act = 0;
    float div = 0;
    const ir_value *yv = &g->vals[y];
    if (yv->t.dtype != DT_F32 || yv->dynamic)
        return 0;
    /* bias */
    int r = match_single_reader(g, y);
    if (r >= 0 && match_op(&g->nodes[r], "Add") && bias_row(g, match_other_input(&g->nodes[r], y), yv)) {
        bias = match_other_input(&g->nodes[r], y);
        dead[n_dead++] = r;
        y = g->nodes[r].out[0];
        r = match_single_reader(g, y);
    }
    /* residual: an Add of a same-shaped non-constant value */
    if (r >= 0 && match_op(&g->nodes[r], "Add")) {
        int o = match_other_input(&g->nodes[r], y);
        if (o >= 0 && o != y && g->vals[o].kind != VAL_CONST && same_shape(&g->vals[o], &g->vals[y])) {
            res = o;
            dead[n_dead++] = r;
            y = g->nodes[r].out[0];
            r = match_single_reader(g, y);
        }
    }
    int chain[5], gout;
    if (r >= 0 && match_op(&g->nodes[r], "Relu")) {
        act = 1;
        dead[n_dead++] = r;
        y = g->nodes[r].out[0];
    } else if (match_gelu(g, y, chain, &gout, &div)) {
        act = 2;
        for (int k = 0; k < 5; k++)
            dead[n_dead++] = chain[k];
        y = gout;
    }
    if (!n_dead)
        return 0;
    char name[256];
    snprintf(name, sizeof name, "%s.epilogue", g->nodes[mi].name);
    int ins[4] = {g->nodes[mi].in[0], g->nodes[mi].in[1], bias, res}, outs[1] = {y};
    int is_gemm = !strcmp(g->nodes[mi].op_type, "Gemm");
    int trans_b = is_gemm ? (int)ir_attr_int(&g->nodes[mi], "transB", 0) : 0;
    int ni = ir_add_node(g, name, "MatMulEpilogue", "rvvnn", ins, 4, outs, 1);
    if (ni < 0)
        return ni;
    /* fill each attribute before adding the next: the array may move */
    ir_attr *at = ir_add_attr(g, ni, "activation", ATTR_STRING);
    if (at) {
        at->s = act == 2 ? "gelu" : act == 1 ? "relu" : "none";
        at->s_len = strlen(at->s);
    }
    ir_attr *ad = at ? ir_add_attr(g, ni, "gelu_divisor", ATTR_FLOAT) : NULL;
    if (ad)
        ad->f = div;
    ir_attr *tb = ad ? ir_add_attr(g, ni, "transB", ATTR_INT) : NULL;
    if (!tb)
        return err_set(RV_ENOMEM, "out of memory fusing '%s'", name);
    tb->i = trans_b;
    g->nodes[mi].dead = 1;
    for (int k = 0; k < n_dead; k++)
        g->nodes[dead[k]].dead = 1;
    (*count)++;
    return 0;
}

/* Clip's constant bounds (attributes before opset 11, inputs after). */
static int clip_consts(const ir_graph *g, const ir_node *n, float *lo, float *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (g->opset < 11) {
        *lo = ir_attr_float(n, "min", -INFINITY);
        *hi = ir_attr_float(n, "max", INFINITY);
        return 1;
    }
    if (n->n_in > 1 && n->in[1] >= 0 && !const_f32(g, n->in[1], lo))
        return 0;
    if (n->n_in > 2 && n->in[2] >= 0 && !const_f32(g, n->in[2], hi))
        return 0;
    return 1;
}

/* An inference BatchNormalization of the conv output yv with constant
 * float32 per-channel parameters and only its first output used. */
static int match_bn(const ir_graph *g, const ir_node *n, const ir_value *yv, int *bn, float *eps)
{
    if (!match_op(n, "BatchNormalization") || n->n_in != 5 || ir_attr_int(n, "training_mode", 0) || yv->t.rank < 2)
        return 0;
    for (int k = 1; k < n->n_out; k++)
        if (n->out[k] >= 0 && (g->vals[n->out[k]].n_uses || g->vals[n->out[k]].is_output))
            return 0;
    for (int k = 1; k < 5; k++) {
        const ir_value *v = n->in[k] >= 0 ? &g->vals[n->in[k]] : NULL;
        int64_t ne;
        if (!v || v->kind != VAL_CONST || v->t.dtype != DT_F32 || tensor_numel(&v->t, &ne) || ne != yv->t.dims[1])
            return 0;
        bn[k - 1] = n->in[k];
    }
    *eps = ir_attr_float(n, "epsilon", 1e-5f);
    return 1;
}

static int fuse_conv(ir_graph *g, int ci, int *count)
{
    const ir_node *cv = &g->nodes[ci];
    if (cv->n_out != 1 || cv->n_in < 2)
        return 0;
    int y = cv->out[0], dead[4], n_dead = 0, res = -1, act = 0, bn[4] = {-1, -1, -1, -1};
    float lo = 0, hi = 0, eps = 1e-5f, alpha = 0.2f, beta = 0.5f;
    const ir_value *yv = &g->vals[y];
    if (yv->t.dtype != DT_F32 || yv->dynamic)
        return 0;
    int r = match_single_reader(g, y);
    if (r >= 0 && match_bn(g, &g->nodes[r], yv, bn, &eps)) {
        dead[n_dead++] = r;
        y = g->nodes[r].out[0];
        r = match_single_reader(g, y);
    }
    if (r >= 0 && match_op(&g->nodes[r], "Add")) {
        int o = match_other_input(&g->nodes[r], y);
        if (o >= 0 && o != y && g->vals[o].kind != VAL_CONST && same_shape(&g->vals[o], &g->vals[y])) {
            res = o;
            dead[n_dead++] = r;
            y = g->nodes[r].out[0];
            r = match_single_reader(g, y);
        }
    }
    if (r >= 0 && match_op(&g->nodes[r], "Relu")) {
        act = 1;
        dead[n_dead++] = r;
        y = g->nodes[r].out[0];
    } else if (r >= 0 && match_op(&g->nodes[r], "Clip") && clip_consts(g, &g->nodes[r], &lo, &hi)) {
        act = 2;
        dead[n_dead++] = r;
        y = g->nodes[r].out[0];
    } else if (r >= 0 && (match_op(&g->nodes[r], "HardSwish") || match_op(&g->nodes[r], "HardSigmoid") ||
                          match_op(&g->nodes[r], "Sigmoid"))) {
        const ir_node *an = &g->nodes[r];
        act = match_op(an, "HardSwish") ? 3 : match_op(an, "Sigmoid") ? 5 : 4;
        alpha = ir_attr_float(an, "alpha", 0.2f);
        beta = ir_attr_float(an, "beta", 0.5f);
        dead[n_dead++] = r;
        y = an->out[0];
    }
    if (!n_dead)
        return 0;
    char name[256];
    snprintf(name, sizeof name, "%s.epilogue", cv->name);
    int ins[8] = {cv->in[0], cv->in[1], cv->n_in > 2 ? cv->in[2] : -1, res, bn[0], bn[1], bn[2], bn[3]};
    int outs[1] = {y};
    int ni = ir_add_node(g, name, "ConvEpilogue", "rvvnn", ins, bn[0] >= 0 ? 8 : 4, outs, 1);
    if (ni < 0)
        return ni;
    cv = &g->nodes[ci]; /* the node array may have moved */
    for (int i = 0; i < cv->n_attrs; i++) {
        ir_attr *at = ir_add_attr(g, ni, cv->attrs[i].name, cv->attrs[i].type);
        if (!at)
            return err_set(RV_ENOMEM, "out of memory fusing '%s'", name);
        *at = cv->attrs[i]; /* values stay in the model's arena */
    }
    static const char *const act_names[] = {"none", "relu", "clip", "hardswish", "hardsigmoid", "sigmoid"};
    ir_attr *at = ir_add_attr(g, ni, "activation", ATTR_STRING);
    if (at) {
        at->s = act_names[act];
        at->s_len = strlen(at->s);
    }
    if (act == 4) { /* HardSigmoid's own attributes (Conv has none of these names) */
        ir_attr *aa = at ? ir_add_attr(g, ni, "alpha", ATTR_FLOAT) : NULL;
        if (aa)
            aa->f = alpha;
        ir_attr *ab = aa ? ir_add_attr(g, ni, "beta", ATTR_FLOAT) : NULL;
        if (ab)
            ab->f = beta;
        at = ab;
    }
    ir_attr *al = at ? ir_add_attr(g, ni, "clip_min", ATTR_FLOAT) : NULL;
    if (al)
        al->f = lo;
    ir_attr *ah = al ? ir_add_attr(g, ni, "clip_max", ATTR_FLOAT) : NULL;
    if (ah)
        ah->f = hi;
    ir_attr *ae = ah ? ir_add_attr(g, ni, "bn_epsilon", ATTR_FLOAT) : NULL;
    if (!ae)
        return err_set(RV_ENOMEM, "out of memory fusing '%s'", name);
    ae->f = eps;
    g->nodes[ci].dead = 1;
    for (int k = 0; k < n_dead; k++)
        g->nodes[dead[k]].dead = 1;
    (*count)++;
    return 0;
}

int pass_fuse_epilogues(ir_graph *g, int *n_fused)
{
    int count = 0, rc = 0, n = g->n_nodes;
    *n_fused = 0;
    for (int i = 0; !rc && i < n; i++) {
        const ir_node *nd = &g->nodes[i];
        if (nd->dead || nd->domain[0])
            continue;
        int is_gemm = !strcmp(nd->op_type, "Gemm");
        if (!strcmp(nd->op_type, "MatMul") ||
            (is_gemm && nd->n_in == 2 && !ir_attr_int(nd, "transA", 0) && ir_attr_float(nd, "alpha", 1.0f) == 1.0f))
            rc = fuse_one(g, i, &count);
        else if (!strcmp(nd->op_type, "Conv"))
            rc = fuse_conv(g, i, &count);
    }
    if (rc)
        return rc;
    *n_fused = count;
    return count ? ir_graph_link(g) : 0;
}
