/* select.c - RVV code for Where: y = cond ? x : y2 with numpy
 * broadcasting of all three inputs, for elements of 1, 4 or 8 bytes (any
 * type: the select moves bits). The condition bytes become a mask
 * (vmsne against 0) at the data's vl, the two sources are loaded, or
 * splatted when broadcast along the inner dim, and merged. Results are
 * bit-identical to the reference. */
#include "codegen.h"
#include "nest.h"
#include "../exec/ref/ref.h"

#include <string.h>

typedef struct wh_plan {
    int q, es, sew, lmul;
    int64_t dims[TENSOR_MAX_RANK], s[4][TENSOR_MAX_RANK]; /* cond, x, y, out (elements) */
} wh_plan;

/* Inner-loop registers: pointers, or the value itself for an operand
 * broadcast along the inner dim. */
static const int wh_reg[3] = {T2, T3, T5};

static void scalar_load(cg_asm *a, int rd, int rs, int es)
{
    if (es == 1)
        asm_lbu(a, rd, rs, 0);
    else if (es == 4)
        asm_lw(a, rd, rs, 0);
    else
        asm_ld(a, rd, rs, 0);
}

/* LMUL of sew-bit elements at the vl of `sew0`-bit ones with LMUL L. */
static int lmul_at(int L, int sew0, int sew)
{
    int num = L * sew, den = sew0;
    return num >= den ? num / den : -(den / num);
}

static void wh_inner(cg_asm *a, const void *ctx, int l)
{
    const wh_plan *p = ctx;
    int n = p->q - 1, sew = p->sew, L = p->lmul, vc = 8, vx = 16, vy = 24;
    asm_li(a, T1, p->dims[n]);
    for (int k = 0; k < 3; k++) {
        if (p->s[k][n])
            asm_mv(a, wh_reg[k], nest_reg[k][l]);
        else
            scalar_load(a, wh_reg[k], nest_reg[k][l], k ? p->es : 1);
    }
    asm_mv(a, T4, nest_reg[3][l]);
    int loop = asm_label(a);
    asm_bind(a, loop);
    asm_vsetvli(a, T0, T1, sew, L);
    if (p->s[0][n]) {
        asm_vsetvli(a, ZERO, ZERO, 8, lmul_at(L, sew, 8));
        asm_vle(a, 8, vc, T2);
        asm_vmsne_vi(a, 0, vc, 0);
        asm_vsetvli(a, ZERO, ZERO, sew, L);
    } else {
        asm_vmv_v_x(a, vc, T2);
        asm_vmsne_vi(a, 0, vc, 0);
    }
    for (int k = 1; k < 3; k++) {
        int vd = k == 1 ? vx : vy;
        if (p->s[k][n])
            asm_vle(a, sew, vd, wh_reg[k]);
        else
            asm_vmv_v_x(a, vd, wh_reg[k]);
    }
    asm_vmerge_vvm(a, vy, vy, vx);
    asm_vse(a, sew, vy, T4);
    asm_slli(a, S0, T0, p->es == 1 ? 0 : p->es == 4 ? 2 : 3);
    if (p->s[0][n])
        asm_add(a, T2, T2, T0);
    for (int k = 1; k < 3; k++)
        if (p->s[k][n])
            asm_add(a, wh_reg[k], wh_reg[k], S0);
    asm_add(a, T4, T4, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez(a, T1, loop);
}

int cg_where(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *y = &g->vals[n->out[0]];
    wh_plan p;
    memset(&p, 0, sizeof p);
    if (n->n_in != 3 || y->dynamic || g->vals[n->in[0]].t.dtype != DT_BOOL) {
        c->fallback_reason = "dynamic shape or a condition that is not bool";
        return RV_EUNSUPPORTED;
    }
    p.es = (int)dtype_size(y->t.dtype);
    if ((p.es != 1 && p.es != 4 && p.es != 8) || (p.es == 8 && c->tgt->elen < 64)) {
        c->fallback_reason = "element size other than 1, 4 or 8 bytes (8 needs ELEN=64)";
        return RV_EUNSUPPORTED;
    }
    p.sew = p.es * 8;
    int64_t st[4][TENSOR_MAX_RANK];
    for (int k = 0; k < 3; k++)
        broadcast_strides(&y->t, &g->vals[n->in[k]].t, st[k]);
    tensor_strides(&y->t, st[3]);
    p.q = nest_collapse(&y->t, 4, (const int64_t (*)[TENSOR_MAX_RANK])st, p.dims, p.s);
    if (p.q > NEST_LEVELS + 1) {
        c->fallback_reason = "broadcast pattern needs more than 3 loop levels";
        return RV_EUNSUPPORTED;
    }
    /* three groups besides v0 (8, 16, 24); the condition's e8 group has
     * LMUL >= 1/8 (1/4 for 4-byte data), legal at ELEN 64 (32) */
    p.lmul = c->tgt->lmul_max;
    uint64_t ids[4];
    int rc = cg_value_tensors(c, (const int[]){n->in[0], n->in[1], n->in[2], n->out[0]}, 4, ids);
    if (rc)
        return rc;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    for (int k = 0; k < 4; k++) /* before the nest: its fourth operand reuses a0 */
        asm_ld(&a, nest_reg[k][0], A0, k * 8);
    cg_nest nest = {.q = p.q, .n_ops = 4};
    for (int l = 0; l < p.q; l++) {
        nest.dims[l] = p.dims[l];
        nest.stride[0][l] = p.s[0][l];
        for (int k = 1; k < 4; k++)
            nest.stride[k][l] = p.s[k][l] * p.es;
    }
    nest_emit(&a, &nest, 0, wh_inner, &p);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc) {
        int64_t ne = 1;
        tensor_numel(&y->t, &ne);
        rc = cg_step(c, n, ids, 3, 1, NULL, 0, a.w, a.n * 4, 0, (uint64_t)ne * (uint64_t)(3 * p.es + 1));
    }
    asm_free(&a);
    return rc;
}
