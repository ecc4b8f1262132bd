/* convt.c - RVV code for ConvTranspose (f32, NCHW, 2-D, constant
 * weights) in the non-overlapping case segmentation and U-Net heads use
 * for upsampling: stride equal to the kernel, no pads, dilation 1, no
 * output_padding, one group. Every output pixel then receives exactly one
 * tap per input channel:
 *
 *   y[m, iy*s + ky, ix*s + kx] = b[m] + sum_c x[c, iy, ix] * W[c, m, ky, kx]
 *
 * so for each input row iy and kernel tap (ky, kx), a strip of vl input
 * columns gives vl outputs s columns apart: mr output channels are
 * accumulated in registers as in conv.c (one vle32 of x per channel c,
 * one flw + vfmacc.vf per output channel) and stored with vsse32 at
 * stride s. Weights are re-laid at compile time as [block][ky][kx][c][r].
 * Other ConvTranspose geometries decline (reference kernel).
 *
 * Scalar registers: a1 x, a2 packed weights, a3 bias, a5 y; s1 batch
 * count, s4/s5 block's weights/bias, s7 block's y base, s8 block count,
 * s9 iy count, s10 y row (tap 0), s11 x row, a6/a7 strip's x/y, t0 vl,
 * t1 columns left, t2 channel count, t4 channel's x, t5 tap's weights,
 * t6/s0 scratch, ra the output column stride (s * 4 bytes). */
#include "codegen.h"
#include "frame.h"

#include <stdio.h>
#include <string.h>

#define CT_MR_MAX 8

typedef struct convt_plan {
    int64_t N, C, H, W, M, k[2], s[2], Ho, Wo;
    int mr, lmul, has_bias;
} convt_plan;

static const int ct_wreg[CT_MR_MAX] = {FT0, FT1, FT2, FT3, FT4, FT5, FT6, FT7};
static const int ct_breg[CT_MR_MAX] = {FS0, FS1, FS2, FS3, FS4, FS5, FS6, FS7};

static int ct_acc(const convt_plan *p, int r) { return (r + 2) * p->lmul; }

static void emit_block(cg_asm *a, const convt_plan *p, int mr)
{
    int L = p->lmul, vx = L;
    int64_t iplane = p->H * p->W * 4, oplane = p->Ho * p->Wo * 4;
    if (p->has_bias)
        for (int r = 0; r < mr; r++)
            asm_flw(a, ct_breg[r], S5, r * 4);
    asm_li(a, S9, p->H);
    asm_mv(a, S10, S7);
    asm_mv(a, S11, S2);
    int rows = asm_label(a), strip = asm_label(a);
    asm_bind(a, rows);
    asm_mv(a, A6, S11);
    asm_mv(a, A7, S10);
    asm_li(a, T1, p->W);
    asm_bind(a, strip);
    asm_vsetvli(a, T0, T1, 32, L);
    for (int64_t ky = 0; ky < p->k[0]; ky++)
        for (int64_t kx = 0; kx < p->k[1]; kx++) {
            for (int r = 0; r < mr; r++)
                asm_vmv_v_i(a, ct_acc(p, r), 0);
            asm_mv(a, T4, A6);
            add_imm(a, T5, S4, (ky * p->k[1] + kx) * p->C * mr * 4);
            asm_li(a, T2, p->C);
            int loop = asm_label(a);
            asm_bind(a, loop);
            asm_vle(a, 32, vx, T4);
            for (int r = 0; r < mr; r++)
                asm_flw(a, ct_wreg[r], T5, r * 4);
            for (int r = 0; r < mr; r++)
                asm_vf(a, VF_MACC, ct_acc(p, r), vx, ct_wreg[r]);
            add_imm(a, T4, T4, iplane);
            asm_addi(a, T5, T5, mr * 4);
            asm_addi(a, T2, T2, -1);
            asm_bnez(a, T2, loop);
            for (int r = 0; r < mr; r++) {
                if (p->has_bias)
                    asm_vf(a, VF_ADD, ct_acc(p, r), ct_acc(p, r), ct_breg[r]);
                add_imm(a, T4, A7, r * oplane + (ky * p->Wo + kx) * 4);
                asm_vsse(a, 32, ct_acc(p, r), T4, RA);
            }
        }
    /* next strip: vl input columns, vl * s output columns */
    asm_sub(a, T1, T1, T0);
    asm_slli(a, T6, T0, 2);
    asm_add(a, A6, A6, T6);
    asm_mul(a, T6, T0, RA);
    asm_add(a, A7, A7, T6);
    asm_bnez_far(a, T1, strip);
    add_imm(a, S11, S11, p->W * 4);
    add_imm(a, S10, S10, p->s[0] * p->Wo * 4);
    asm_addi(a, S9, S9, -1);
    asm_bnez_far(a, S9, rows);
    add_imm(a, S4, S4, p->k[0] * p->k[1] * p->C * mr * 4);
    if (p->has_bias)
        asm_addi(a, S5, S5, mr * 4);
    add_imm(a, S7, S7, mr * oplane);
}

static int emit_kernel(cg_asm *a, const convt_plan *p)
{
    frame_enter(a);
    int k = 0;
    asm_ld(a, A1, A0, 8 * k++);
    asm_ld(a, A2, A0, 8 * k++);
    if (p->has_bias)
        asm_ld(a, A3, A0, 8 * k++);
    asm_ld(a, A5, A0, 8 * k++);
    asm_li(a, RA, p->s[1] * 4);
    int64_t full = p->M / p->mr, tail = p->M % p->mr;
    asm_li(a, S1, p->N);
    int batch = asm_label(a), block = asm_label(a);
    asm_bind(a, batch);
    asm_mv(a, S2, A1);
    asm_mv(a, S4, A2);
    if (p->has_bias)
        asm_mv(a, S5, A3);
    asm_mv(a, S7, A5);
    if (full) {
        asm_li(a, S8, full);
        asm_bind(a, block);
        emit_block(a, p, p->mr);
        asm_addi(a, S8, S8, -1);
        asm_bnez_far(a, S8, block);
    }
    if (tail)
        emit_block(a, p, (int)tail);
    add_imm(a, A1, A1, p->C * p->H * p->W * 4);
    add_imm(a, A5, A5, p->M * p->Ho * p->Wo * 4);
    asm_addi(a, S1, S1, -1);
    asm_bnez_far(a, S1, batch);
    frame_leave(a);
    return asm_finish(a);
}

static int all_equal(const int64_t *v, size_t n, int64_t want)
{
    for (size_t i = 0; v && i < n; i++)
        if (v[i] != want)
            return 0;
    return 1;
}

int cg_conv_transpose(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *vx = &g->vals[n->in[0]], *vw = &g->vals[n->in[1]], *vy = &g->vals[n->out[0]];
    const ir_value *vb = n->n_in > 2 && n->in[2] >= 0 ? &g->vals[n->in[2]] : NULL;
    if (vx->t.dtype != DT_F32 || vw->t.dtype != DT_F32 || vy->t.dtype != DT_F32 || vx->dynamic || vy->dynamic)
        return cg_decline(c, "not float32 or dynamic");
    if (vx->t.rank != 4 || vw->t.rank != 4 || vy->t.rank != 4)
        return cg_decline(c, "not 2-D");
    if (vw->kind != VAL_CONST || (vb && (vb->kind != VAL_CONST || vb->t.dtype != DT_F32)))
        return cg_decline(c, "weights or bias not constant");
    size_t cnt;
    const int64_t *st = ir_attr_ints(n, "strides", &cnt);
    const int64_t *pd = ir_attr_ints(n, "pads", &cnt);
    size_t n_pd = cnt;
    const int64_t *dl = ir_attr_ints(n, "dilations", &cnt);
    size_t n_dl = cnt;
    const int64_t *op = ir_attr_ints(n, "output_padding", &cnt);
    size_t n_op = cnt;
    convt_plan p;
    memset(&p, 0, sizeof p);
    p.N = vx->t.dims[0], p.C = vx->t.dims[1], p.H = vx->t.dims[2], p.W = vx->t.dims[3];
    p.M = vw->t.dims[1];
    p.k[0] = vw->t.dims[2], p.k[1] = vw->t.dims[3];
    p.s[0] = st ? st[0] : 1, p.s[1] = st ? st[1] : 1;
    p.Ho = vy->t.dims[2], p.Wo = vy->t.dims[3];
    if (ir_attr_int(n, "group", 1) != 1 || vw->t.dims[0] != p.C || vy->t.dims[1] != p.M || vy->t.dims[0] != p.N)
        return cg_decline(c, "groups or channel counts");
    if (!all_equal(pd, n_pd, 0) || !all_equal(dl, n_dl, 1) || !all_equal(op, n_op, 0) ||
        strcmp(ir_attr_string(n, "auto_pad", "NOTSET"), "NOTSET") || ir_attr_ints(n, "output_shape", &cnt))
        return cg_decline(c, "pads, dilations, output_padding or output_shape (only stride == kernel is vectorised)");
    if (p.s[0] != p.k[0] || p.s[1] != p.k[1] || p.Ho != p.H * p.s[0] || p.Wo != p.W * p.s[1] ||
        p.s[0] > 64 || p.s[1] > 64 || p.N < 1 || p.C < 1 || p.M < 1 || p.H < 1 || p.W < 1)
        return cg_decline(c, "stride differs from the kernel (overlapping taps)");
    int64_t nb;
    if (vb && (tensor_numel(&vb->t, &nb) || nb != p.M))
        return cg_decline(c, "bias length");
    p.has_bias = vb != NULL;
    int L = c->tgt->lmul_max < 4 ? c->tgt->lmul_max : 4;
    while (L > 1 && 4 * (L / 2) >= p.W)
        L /= 2;
    p.lmul = L;
    int mr_max = 32 / L - 2;
    p.mr = (int)(p.M < mr_max ? p.M : mr_max);
    if (p.mr > CT_MR_MAX)
        p.mr = CT_MR_MAX;
    if (p.mr < 1)
        return cg_decline(c, "no registers for the accumulators at this LMUL");
    /* W (C, M, kh, kw) -> [block][ky][kx][c][r] */
    int64_t nw = p.C * p.M * p.k[0] * p.k[1];
    tensor pt = {DT_F32, 1, {nw}, NULL, 0};
    char name[256];
    snprintf(name, sizeof name, "%s.convt%d", vw->name, p.mr);
    uint32_t idw, id;
    void *fill;
    int rc = cg_packed_weight(c, n, 1, LAYOUT_CONVT_BLOCK, name, &pt, &idw, &fill);
    if (rc)
        return rc;
    float *o = fill;
    const float *wt = vw->t.data;
    int64_t taps = p.k[0] * p.k[1];
    for (int64_t m0 = 0; m0 < p.M; m0 += p.mr) {
        int64_t mr = p.M - m0 < p.mr ? p.M - m0 : p.mr;
        for (int64_t t = 0; t < taps; t++)
            for (int64_t ci = 0; ci < p.C; ci++)
                for (int64_t r = 0; r < mr; r++)
                    *o++ = wt[(ci * p.M + m0 + r) * taps + t];
    }
    uint64_t ids[4];
    int k = 0;
    if ((rc = cg_value_tensor(c, n->in[0], &id)))
        return rc;
    ids[k++] = id;
    ids[k++] = idw;
    if (vb) {
        if ((rc = cg_value_tensor(c, n->in[2], &id)))
            return rc;
        ids[k++] = id;
    }
    if ((rc = cg_value_tensor(c, n->out[0], &id)))
        return rc;
    ids[k++] = id;
    cg_asm a;
    asm_init(&a);
    rc = emit_kernel(&a, &p);
    if (!rc) {
        int64_t outs = p.N * p.M * p.Ho * p.Wo;
        rc = cg_step(c, n, ids, (uint32_t)(k - 1), 1, NULL, 0, a.w, a.n * 4, (uint64_t)(2 * outs * p.C),
                     (uint64_t)(4 * (p.N * p.C * p.H * p.W + nw + outs)));
    }
    asm_free(&a);
    return rc;
}
