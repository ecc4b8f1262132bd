/* resize.c - RVV code for Resize/Upsample (f32, NCHW, nearest or linear,
 * only the two spatial axes resized, no extrapolation).
 *
 * Shapes, scales and the coordinate mode are static, so the taps of
 * every output row and column (input index, weight: at most two each for
 * linear) are computed at compile time by the reference kernel's own
 * function (ref_resize_taps) into a constant table:
 *
 *   per column ox: byte offsets c0[ox], c1[ox] and weights u0[ox], u1[ox]
 *   per row oy:    byte offsets r0[oy], r1[oy] and weights v0[oy], v1[oy]
 *
 * A strip of output columns then gathers its inputs with vluxei32 from
 * the two input rows and blends them: y = v0 (u0 a + u1 b) + v1 (u0 c + u1 d).
 * A single tap is stored as two with the second weight 0 (so an inf or
 * NaN input next to an integral coordinate can differ from the reference:
 * 0 * inf). Nearest is a pure gather, bit-identical to the reference;
 * linear sums in f32 (the reference in double), within the tolerance
 * tests/codegen/opcases.py states.
 *
 * Registers: a1 x, a2 table, a5 y; s1 plane count, s2/s3 plane bases,
 * s4 row-table pointer, s9 row count, s10 y row, a6/a7 the two input
 * rows, t0 vl, t1 columns left, t2 column-table pointer, t3 y strip,
 * t4 scratch, s0/t6 scratch. */
#include "codegen.h"
#include "frame.h"
#include "../exec/ref/ref.h"

#include <stdio.h>
#include <string.h>

typedef struct rz_plan {
    int64_t planes, H, W, Ho, Wo;
    int linear, lmul;
} rz_plan;

/* Two taps (index, weight) of output index o along axis d; 0 or a reason. */
static const char *two_taps(op_ctx *oc, int d, int64_t o, int64_t *idx, float *wt, int linear)
{
    int64_t ti[4];
    double tw[4];
    int n = ref_resize_taps(oc, d, o, ti, tw);
    if (n < 0) {
        err_clear();
        return "Resize parameters";
    }
    if (n == 0 || n > 2 || (!linear && n != 1))
        return "extrapolated or more than two taps";
    idx[0] = ti[0];
    wt[0] = (float)tw[0];
    idx[1] = n == 2 ? ti[1] : ti[0];
    wt[1] = n == 2 ? (float)tw[1] : 0.0f;
    return NULL;
}

static void emit_strip(cg_asm *a, const rz_plan *p)
{
    int L = p->lmul;
    int vc0 = 2 * L, vc1 = 3 * L, vu0 = 4 * L, vu1 = 5 * L, ga = 6 * L, gb = 7 * L, ra = 8 * L, rb = 9 * L;
    int64_t col = p->Wo * 4;
    asm_vle(a, 32, vc0, T2);
    asm_vluxei32(a, ga, A6, vc0);
    if (!p->linear) {
        asm_vse(a, 32, ga, T3);
        return;
    }
    add_imm(a, T4, T2, col);
    asm_vle(a, 32, vc1, T4);
    add_imm(a, T4, T2, 2 * col);
    asm_vle(a, 32, vu0, T4);
    add_imm(a, T4, T2, 3 * col);
    asm_vle(a, 32, vu1, T4);
    /* row 0: u0 a + u1 b */
    asm_vluxei32(a, gb, A6, vc1);
    asm_vv(a, VF_MUL, ra, ga, vu0);
    asm_vv(a, VF_MACC, ra, gb, vu1);
    /* row 1 */
    asm_vluxei32(a, ga, A7, vc0);
    asm_vluxei32(a, gb, A7, vc1);
    asm_vv(a, VF_MUL, rb, ga, vu0);
    asm_vv(a, VF_MACC, rb, gb, vu1);
    asm_vf(a, VF_MUL, ra, ra, FA0);
    asm_vf(a, VF_MACC, ra, rb, FA1);
    asm_vse(a, 32, ra, T3);
}

static int emit_kernel(cg_asm *a, const rz_plan *p)
{
    int64_t rows = 4 * p->Wo * 4; /* the row table follows the four column tables */
    frame_enter(a);
    asm_ld(a, A1, A0, 0);
    asm_ld(a, A2, A0, 8);
    asm_ld(a, A5, A0, 16);
    asm_li(a, S1, p->planes);
    asm_mv(a, S2, A1);
    asm_mv(a, S3, A5);
    int plane = asm_label(a), row = asm_label(a), strip = asm_label(a);
    asm_bind(a, plane);
    add_imm(a, S4, A2, rows);
    asm_li(a, S9, p->Ho);
    asm_mv(a, S10, S3);
    asm_bind(a, row);
    asm_lw(a, T4, S4, 0);
    asm_add(a, A6, S2, T4);
    if (p->linear) {
        add_imm(a, T4, S4, p->Ho * 4);
        asm_lw(a, T4, T4, 0);
        asm_add(a, A7, S2, T4);
        add_imm(a, T4, S4, 2 * p->Ho * 4);
        asm_flw(a, FA0, T4, 0);
        add_imm(a, T4, S4, 3 * p->Ho * 4);
        asm_flw(a, FA1, T4, 0);
    }
    asm_mv(a, T2, A2);
    asm_mv(a, T3, S10);
    asm_li(a, T1, p->Wo);
    asm_bind(a, strip);
    asm_vsetvli(a, T0, T1, 32, p->lmul);
    emit_strip(a, p);
    asm_sub(a, T1, T1, T0);
    asm_slli(a, T6, T0, 2);
    asm_add(a, T2, T2, T6);
    asm_add(a, T3, T3, T6);
    asm_bnez_far(a, T1, strip);
    asm_addi(a, S4, S4, 4);
    add_imm(a, S10, S10, p->Wo * 4);
    asm_addi(a, S9, S9, -1);
    asm_bnez_far(a, S9, row);
    add_imm(a, S2, S2, p->H * p->W * 4);
    add_imm(a, S3, S3, p->Ho * p->Wo * 4);
    asm_addi(a, S1, S1, -1);
    asm_bnez_far(a, S1, plane);
    frame_leave(a);
    return asm_finish(a);
}

int cg_resize(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *vx = &g->vals[n->in[0]], *vy = &g->vals[n->out[0]];
    if (vx->t.dtype != DT_F32 || vy->t.dtype != DT_F32 || vx->dynamic || vy->dynamic || vx->t.rank != 4 ||
        vy->t.rank != 4)
        return cg_decline(c, "not a static 4-D float32 tensor");
    const char *mode = ir_attr_string(n, "mode", "nearest");
    int linear = !strcmp(mode, "linear") || !strcmp(mode, "bilinear");
    if (!linear && strcmp(mode, "nearest"))
        return cg_decline(c, "cubic mode");
    /* the taps come from the reference with the node's constant inputs */
    tensor *ins[4] = {NULL, NULL, NULL, NULL};
    if (n->n_in > 4)
        return cg_decline(c, "inputs");
    for (int k = 0; k < n->n_in; k++) {
        if (n->in[k] < 0)
            continue;
        const ir_value *v = &g->vals[n->in[k]];
        if (k && (v->kind != VAL_CONST || !v->t.data))
            return cg_decline(c, "roi, scales or sizes known only at run time");
        ins[k] = (tensor *)&v->t;
    }
    tensor *outs[1] = {(tensor *)&vy->t};
    op_ctx oc = {.node = n, .graph = g, .opset = g->opset, .n_in = n->n_in, .n_out = 1, .in = ins, .out = outs};
    rz_plan p = {.planes = vx->t.dims[0] * vx->t.dims[1], .H = vx->t.dims[2], .W = vx->t.dims[3],
                 .Ho = vy->t.dims[2], .Wo = vy->t.dims[3], .linear = linear};
    if (vy->t.dims[0] != vx->t.dims[0] || vy->t.dims[1] != vx->t.dims[1] || p.Ho < 1 || p.Wo < 1 ||
        p.H * p.W * 4 > INT32_MAX || p.Ho > (1 << 24) || p.Wo > (1 << 24))
        return cg_decline(c, "batch or channels resized, or extents out of range");
    /* N and C must map to themselves */
    for (int d = 0; d < 2; d++) {
        int64_t idx[2];
        float wt[2];
        for (int64_t o = 0; o < vx->t.dims[d]; o++) {
            const char *why = two_taps(&oc, d, o, idx, wt, linear);
            if (why || idx[0] != o || wt[0] != 1.0f || wt[1] != 0.0f)
                return cg_decline(c, "batch or channel axis resized");
        }
    }
    int64_t nt = 4 * (p.Wo + p.Ho);
    tensor tt = {DT_F32, 1, {nt}, NULL, 0};
    char name[256];
    snprintf(name, sizeof name, "%s.taps", n->name);
    uint32_t idt, id;
    void *fill;
    int rc = cg_weight_fill(c, name, &tt, &idt, &fill);
    if (rc)
        return rc;
    uint32_t *u = fill;
    float *f = fill;
    for (int64_t ox = 0; ox < p.Wo; ox++) {
        int64_t idx[2];
        float wt[2];
        const char *why = two_taps(&oc, 3, ox, idx, wt, linear);
        if (why)
            return cg_decline(c, why);
        u[ox] = (uint32_t)(idx[0] * 4);
        u[p.Wo + ox] = (uint32_t)(idx[1] * 4);
        f[2 * p.Wo + ox] = wt[0];
        f[3 * p.Wo + ox] = wt[1];
    }
    for (int64_t oy = 0; oy < p.Ho; oy++) {
        int64_t idx[2];
        float wt[2];
        const char *why = two_taps(&oc, 2, oy, idx, wt, linear);
        if (why)
            return cg_decline(c, why);
        int64_t r0 = 4 * p.Wo;
        u[r0 + oy] = (uint32_t)(idx[0] * p.W * 4);
        u[r0 + p.Ho + oy] = (uint32_t)(idx[1] * p.W * 4);
        f[r0 + 2 * p.Ho + oy] = wt[0];
        f[r0 + 3 * p.Ho + oy] = wt[1];
    }
    p.lmul = c->tgt->lmul_max < 2 ? c->tgt->lmul_max : 2;
    uint64_t ids[3];
    if ((rc = cg_value_tensor(c, n->in[0], &id)))
        return rc;
    ids[0] = id;
    ids[1] = idt;
    if ((rc = cg_value_tensor(c, n->out[0], &id)))
        return rc;
    ids[2] = id;
    cg_asm a;
    asm_init(&a);
    rc = emit_kernel(&a, &p);
    if (!rc) {
        int64_t outs_n = p.planes * p.Ho * p.Wo;
        rc = cg_step(c, n, ids, 2, 1, NULL, 0, a.w, a.n * 4, (uint64_t)(outs_n * (linear ? 6 : 0)),
                     (uint64_t)(4 * (p.planes * p.H * p.W + outs_n + nt)));
    }
    asm_free(&a);
    return rc;
}
