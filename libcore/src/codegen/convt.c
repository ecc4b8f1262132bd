/* convt.c - RVV code for ConvTranspose (f32, NCHW, 1-D, 2-D and 3-D).
 * Constant weights are re-laid at compile time; weights given at run time
 * (ONNX's node tests) are read in place, fewer channels per block.
 *
 * The non-overlapping case segmentation and U-Net heads use for
 * upsampling (stride equal to the kernel, no pads, dilation 1, no
 * output_padding, one group) stores each output once. Every output pixel
 * then receives exactly one tap per input channel:
 *
 *   y[m, iy*s + ky, ix*s + kx] = b[m] + sum_c x[c, iy, ix] * W[c, m, ky, kx]
 *
 * so for each input row iy and kernel tap (ky, kx), a strip of vl input
 * columns gives vl outputs s columns apart: mr output channels are
 * accumulated in registers as in conv.c (one vle32 of x per channel c,
 * one flw + vfmacc.vf per output channel) and stored with vsse32 at
 * stride s. Weights are re-laid at compile time as [block][ky][kx][c][r].
 *
 * Every other geometry (any strides, pads, output_padding, dilations,
 * groups, output_shape / auto_pad, resolved at compile time as the
 * reference's conv_geometry does) runs emit_general: the output planes of
 * a block of mr output channels are first set to the bias, then each
 * input row iy and kernel tap (ky, kx) adds its contribution
 *
 *   y[m, iy*sh + ky*dh - pt, ix*sw + kx*dw - pl] += sum_c x[c, iy, ix] * W[c, m, ky, kx]
 *
 * (3-D: a depth term the same way) over the input columns ix whose output
 * column is inside the plane (a range fixed at compile time per kx), the
 * rows and depth slices outside skipped by a branch: strips of vl columns accumulate mr channels in registers as
 * above, then read-modify-write the outputs (vlse32/vsse32 at stride sw,
 * unit-stride when sw = 1). Taps that overlap just add in turn; outputs
 * no tap reaches (output_padding, large pads) keep the bias.
 *
 * Scalar registers: a1 x, a2 (packed) weights, a3 bias, a5 y; s1 batch
 * count, s4/s5 block's weights/bias, s7 block's y base, s8 block count,
 * s9 iy count, s10 y row (tap 0), s11 x row, a6/a7 strip's x/y, t0 vl,
 * t1 columns left, t2 channel count, t4 channel's x, t5 tap's weights,
 * t6/s0 scratch, ra the output column stride (s * 4 bytes); the general
 * case also s2 group x base, s6 group count, s3 depth slice, a4 its y,
 * a0 the channel plane when it does not fit an immediate. */
#include "codegen.h"
#include "frame.h"

#include <stdio.h>
#include <string.h>

#define CT_MR_MAX 8

typedef struct convt_plan {
    int64_t N, C, H, W, M, k[2], s[2], Ho, Wo;
    int64_t G, cg, mg, d[2], pb[2]; /* groups, channels per group, dilations, leading pads */
    int64_t D, Do, kd, sd, dd, pd;  /* the depth dim of 3-D (1 otherwise): extents, kernel, stride, dilation, pad */
    int mr, lmul, has_bias;
    int packed; /* weights re-laid at compile time; else W (C, mg, taps) read in place at run time */
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

/* Input positions i whose output i*s + off lies in [0, out): [lo, hi]
 * clipped to [0, in - 1] (empty when lo > hi). */
static void tap_range(int64_t off, int64_t s, int64_t in, int64_t out, int64_t *lo, int64_t *hi)
{
    *lo = off >= 0 ? 0 : (-off + s - 1) / s;
    *hi = out - 1 - off < 0 ? -1 : (out - 1 - off) / s;
    if (*hi > in - 1)
        *hi = in - 1;
}

/* Branches to `skip` unless lo <= counter <= hi (nothing when that holds
 * for every counter value 0..n-1); a far jump, as the taps can be long. */
static void range_check(cg_asm *a, int counter, int64_t lo, int64_t hi, int64_t n, int skip)
{
    if (lo <= 0 && hi >= n - 1)
        return;
    int take = asm_label(a);
    add_imm(a, T6, counter, -lo);
    asm_li(a, S0, hi - lo + 1);
    asm_bltu(a, T6, S0, take); /* unsigned: counter - lo < count */
    asm_j(a, skip);
    asm_bind(a, take);
}

/* One kernel tap (kz, ky, kx) of the current input row, columns
 * [xlo, xhi]: strips of vl columns, mr channels accumulated over the
 * group's input channels, then added into y at s10 + yoff bytes. */
static void emit_tap(cg_asm *a, const convt_plan *p, int mr, int64_t tap, int64_t xlo, int64_t xhi, int64_t yoff)
{
    int L = p->lmul, vx = L;
    int64_t iplane = p->D * p->H * p->W * 4, oplane = p->Do * p->Ho * p->Wo * 4, sx = p->s[1];
    int strip = asm_label(a), loop = asm_label(a);
    add_imm(a, A6, S11, xlo * 4);
    add_imm(a, A7, S10, yoff);
    asm_li(a, T1, xhi - xlo + 1);
    asm_bind(a, strip);
    asm_vsetvli(a, T0, T1, 32, L);
    for (int r = 0; r < mr; r++)
        asm_vmv_v_i(a, ct_acc(p, r), 0);
    asm_mv(a, T4, A6);
    int64_t taps = p->kd * p->k[0] * p->k[1];
    /* packed: [tap][ci][r]; in place: W[ci][m][tap], channel r taps floats on */
    int64_t rstep = p->packed ? 4 : taps * 4, cstep = p->packed ? mr * 4 : p->mg * taps * 4;
    add_imm(a, T5, S4, p->packed ? tap * p->cg * mr * 4 : tap * 4);
    asm_li(a, T2, p->cg);
    if (iplane > 2047)
        asm_li(a, A0, iplane);
    asm_bind(a, loop);
    asm_vle(a, 32, vx, T4);
    for (int r = 0; r < mr; r++)
        asm_flw(a, ct_wreg[r], T5, (int)(r * rstep));
    for (int r = 0; r < mr; r++)
        asm_vf(a, VF_MACC, ct_acc(p, r), vx, ct_wreg[r]);
    if (iplane > 2047)
        asm_add(a, T4, T4, A0);
    else
        asm_addi(a, T4, T4, iplane);
    add_imm(a, T5, T5, cstep);
    asm_addi(a, T2, T2, -1);
    asm_bnez(a, T2, loop);
    /* y += acc, channel r's row r planes further */
    for (int r = 0; r < mr; r++) {
        add_imm(a, T4, A7, r * oplane);
        if (sx > 1)
            asm_vlse(a, 32, vx, T4, RA);
        else
            asm_vle(a, 32, vx, T4);
        asm_vv(a, VF_ADD, ct_acc(p, r), ct_acc(p, r), vx);
        if (sx > 1)
            asm_vsse(a, 32, ct_acc(p, r), T4, RA);
        else
            asm_vse(a, 32, ct_acc(p, r), T4);
    }
    asm_sub(a, T1, T1, T0);
    asm_slli(a, T6, T0, 2);
    asm_add(a, A6, A6, T6);
    if (sx > 1)
        asm_mul(a, T6, T0, RA);
    asm_add(a, A7, A7, T6);
    asm_bnez_far(a, T1, strip);
}

/* The general case, one block of mr output channels of one group: the
 * planes set to the bias, then the taps scattered in (see the top). s2 is
 * the group's x base; s3 counts input depth slices iz (a4: y at iz*sz),
 * s9 input rows iy (s10: y at iz*sz, iy*sy), s11 walks the input rows. */
static void emit_general_block(cg_asm *a, const convt_plan *p, int mr)
{
    int L = p->lmul, vx = L;
    int64_t oslice = p->Ho * p->Wo * 4, oplane = p->Do * oslice;
    if (p->has_bias)
        for (int r = 0; r < mr; r++)
            asm_flw(a, ct_breg[r], S5, r * 4);
    /* y = bias over the block's planes */
    int fill = asm_label(a);
    asm_mv(a, A7, S7);
    asm_li(a, T1, p->Do * p->Ho * p->Wo);
    asm_bind(a, fill);
    asm_vsetvli(a, T0, T1, 32, L);
    asm_vmv_v_i(a, ct_acc(p, 0), 0);
    for (int r = 0; r < mr; r++) {
        if (p->has_bias)
            asm_vf(a, VF_ADD, vx, ct_acc(p, 0), ct_breg[r]);
        add_imm(a, T4, A7, r * oplane);
        asm_vse(a, 32, p->has_bias ? vx : ct_acc(p, 0), T4);
    }
    asm_sub(a, T1, T1, T0);
    asm_slli(a, T6, T0, 2);
    asm_add(a, A7, A7, T6);
    asm_bnez_far(a, T1, fill);
    /* the taps, input row by input row */
    asm_li(a, S3, 0);
    asm_mv(a, A4, S7);
    asm_mv(a, S11, S2);
    int slices = asm_label(a), rows = asm_label(a);
    asm_bind(a, slices);
    asm_li(a, S9, 0);
    asm_mv(a, S10, A4);
    asm_bind(a, rows);
    for (int64_t kz = 0; kz < p->kd; kz++) {
        int64_t zoff = kz * p->dd - p->pd, zlo, zhi;
        tap_range(zoff, p->sd, p->D, p->Do, &zlo, &zhi);
        if (zlo > zhi)
            continue;
        int zskip = asm_label(a);
        range_check(a, S3, zlo, zhi, p->D, zskip);
        for (int64_t ky = 0; ky < p->k[0]; ky++) {
            int64_t off = ky * p->d[0] - p->pb[0], ylo, yhi;
            tap_range(off, p->s[0], p->H, p->Ho, &ylo, &yhi);
            if (ylo > yhi)
                continue;
            int skip = asm_label(a);
            range_check(a, S9, ylo, yhi, p->H, skip);
            for (int64_t kx = 0; kx < p->k[1]; kx++) {
                int64_t xoff = kx * p->d[1] - p->pb[1], xlo, xhi;
                tap_range(xoff, p->s[1], p->W, p->Wo, &xlo, &xhi);
                if (xlo <= xhi)
                    emit_tap(a, p, mr, (kz * p->k[0] + ky) * p->k[1] + kx, xlo, xhi,
                             zoff * oslice + (off * p->Wo + xlo * p->s[1] + xoff) * 4);
            }
            asm_bind(a, skip);
        }
        asm_bind(a, zskip);
    }
    add_imm(a, S11, S11, p->W * 4);
    add_imm(a, S10, S10, p->s[0] * p->Wo * 4);
    asm_addi(a, S9, S9, 1);
    asm_li(a, T6, p->H);
    asm_sub(a, T6, T6, S9);
    asm_bnez_far(a, T6, rows);
    add_imm(a, A4, A4, p->sd * oslice);
    asm_addi(a, S3, S3, 1);
    asm_li(a, T6, p->D);
    asm_sub(a, T6, T6, S3);
    asm_bnez_far(a, T6, slices);
    int64_t taps = p->kd * p->k[0] * p->k[1];
    add_imm(a, S4, S4, p->packed ? taps * p->cg * mr * 4 : mr * taps * 4);
    if (p->has_bias)
        asm_addi(a, S5, S5, mr * 4);
    add_imm(a, S7, S7, mr * oplane);
}

static int emit_general(cg_asm *a, const convt_plan *p)
{
    frame_enter(a);
    int k = 0;
    asm_ld(a, A1, A0, 8 * k++);
    asm_ld(a, A2, A0, 8 * k++);
    if (p->has_bias)
        asm_ld(a, A3, A0, 8 * k++);
    asm_ld(a, A5, A0, 8 * k++);
    asm_li(a, RA, p->s[1] * 4);
    int64_t full = p->mg / p->mr, tail = p->mg % p->mr;
    asm_li(a, S1, p->N);
    int batch = asm_label(a), group = asm_label(a), block = asm_label(a);
    asm_bind(a, batch);
    asm_mv(a, S2, A1);
    asm_mv(a, S4, A2);
    if (p->has_bias)
        asm_mv(a, S5, A3);
    asm_mv(a, S7, A5);
    asm_li(a, S6, p->G);
    asm_bind(a, group);
    if (full) {
        asm_li(a, S8, full);
        asm_bind(a, block);
        emit_general_block(a, p, p->mr);
        asm_addi(a, S8, S8, -1);
        asm_bnez_far(a, S8, block);
    }
    if (tail)
        emit_general_block(a, p, (int)tail);
    if (!p->packed) /* the blocks walked W[g*cg][0..mg); the next group's channels start cg-1 channels on */
        add_imm(a, S4, S4, (p->cg - 1) * p->mg * p->kd * p->k[0] * p->k[1] * 4);
    add_imm(a, S2, S2, p->cg * p->D * p->H * p->W * 4);
    asm_addi(a, S6, S6, -1);
    asm_bnez_far(a, S6, group);
    add_imm(a, A1, A1, p->C * p->D * p->H * p->W * 4);
    add_imm(a, A5, A5, p->M * p->Do * p->Ho * p->Wo * 4);
    asm_addi(a, S1, S1, -1);
    asm_bnez_far(a, S1, batch);
    frame_leave(a);
    return asm_finish(a);
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

/* The leading pads of ConvTranspose on spatial dim d as the reference
 * (exec/ref/conv.c) resolves them: from output_shape, from auto_pad
 * SAME_UPPER / SAME_LOWER, or the pads attribute; and the output extent. */
static void convt_pads(const ir_node *n, int sp, int d, int64_t in, int64_t k, int64_t s, int64_t dil, int64_t *pb,
                       int64_t *out)
{
    size_t cnt;
    const int64_t *pd = ir_attr_ints(n, "pads", &cnt);
    size_t n_pd = cnt;
    const int64_t *op = ir_attr_ints(n, "output_padding", &cnt);
    size_t n_op = cnt;
    const int64_t *os = ir_attr_ints(n, "output_shape", &cnt);
    if (os && (int)cnt == sp + 2)
        os += 2;
    else if (os && (int)cnt != sp)
        os = NULL;
    const char *ap = ir_attr_string(n, "auto_pad", "NOTSET");
    int64_t full = s * (in - 1) + (op && (int)n_op == sp ? op[d] : 0) + (k - 1) * dil + 1;
    int64_t b = pd && (int)n_pd == 2 * sp ? pd[d] : 0, e = pd && (int)n_pd == 2 * sp ? pd[sp + d] : 0;
    if (os) {
        int64_t total = full - os[d] < 0 ? 0 : full - os[d];
        b = !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2; /* as exec/ref/conv.c */
        *pb = b;
        *out = os[d];
        return;
    }
    if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
        int64_t total = full - in * s < 0 ? 0 : full - in * s;
        b = !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2;
        e = total - b;
    }
    *pb = b;
    *out = full - b - e;
}

int cg_conv_transpose(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *vx = &g->vals[n->in[0]], *vw = &g->vals[n->in[1]], *vy = &g->vals[n->out[0]];
    const ir_value *vb = n->n_in > 2 && n->in[2] >= 0 ? &g->vals[n->in[2]] : NULL;
    if (vx->t.dtype != DT_F32 || vw->t.dtype != DT_F32 || vy->t.dtype != DT_F32 || vx->dynamic || vy->dynamic)
        return cg_decline(c, "not float32 or dynamic");
    int rank = vx->t.rank, sp = rank - 2;
    if (rank < 3 || rank > 5 || vw->t.rank != rank || vy->t.rank != rank)
        return cg_decline(c, "not 1-D, 2-D or 3-D");
    if (vw->dynamic || (vb && (vb->dynamic || vb->t.dtype != DT_F32)))
        return cg_decline(c, "weights or bias of unknown shape or not float32");
    size_t cnt;
    const int64_t *st = ir_attr_ints(n, "strides", &cnt);
    if (st && (int)cnt != sp)
        return cg_decline(c, "strides");
    const int64_t *dl = ir_attr_ints(n, "dilations", &cnt);
    if (dl && (int)cnt != sp)
        return cg_decline(c, "dilations");
    convt_plan p;
    memset(&p, 0, sizeof p);
    p.N = vx->t.dims[0], p.C = vx->t.dims[1];
    p.G = ir_attr_int(n, "group", 1);
    if (p.G < 1 || p.C % p.G || vw->t.dims[0] != p.C)
        return cg_decline(c, "groups or channel counts");
    p.cg = p.C / p.G, p.mg = vw->t.dims[1], p.M = p.mg * p.G;
    if (vy->t.dims[1] != p.M || vy->t.dims[0] != p.N)
        return cg_decline(c, "groups or channel counts");
    /* spatial dims as (depth, rows, columns), the missing leading ones of extent 1 */
    int64_t in[3], kk[3], ss[3], dd[3], pb[3], out[3], want[3];
    for (int d = 0; d < 3; d++) {
        int sd = d - (3 - sp); /* the attribute's index; < 0 for a missing dim */
        in[d] = sd >= 0 ? vx->t.dims[2 + sd] : 1;
        kk[d] = sd >= 0 ? vw->t.dims[2 + sd] : 1;
        want[d] = sd >= 0 ? vy->t.dims[2 + sd] : 1;
        ss[d] = st && sd >= 0 ? st[sd] : 1;
        dd[d] = dl && sd >= 0 ? dl[sd] : 1;
        pb[d] = 0, out[d] = 1;
        if (ss[d] < 1 || ss[d] > 1024 || dd[d] < 1 || dd[d] > 1024 || kk[d] < 1 || kk[d] > 64)
            return cg_decline(c, "stride, dilation or kernel out of range");
        if (sd >= 0)
            convt_pads(n, sp, sd, in[d], kk[d], ss[d], dd[d], &pb[d], &out[d]);
        if (pb[d] < 0 || pb[d] > INT32_MAX)
            return cg_decline(c, "pads out of range");
        if (out[d] != want[d])
            return cg_decline(c, "output extent differs from the inferred shape");
    }
    if (kk[0] * kk[1] * kk[2] > 512)
        return cg_decline(c, "kernel over 512 taps");
    p.D = in[0], p.kd = kk[0], p.sd = ss[0], p.dd = dd[0], p.pd = pb[0], p.Do = out[0];
    p.H = in[1], p.W = in[2], p.k[0] = kk[1], p.k[1] = kk[2], p.s[0] = ss[1], p.s[1] = ss[2];
    p.d[0] = dd[1], p.d[1] = dd[2], p.pb[0] = pb[1], p.pb[1] = pb[2], p.Ho = out[1], p.Wo = out[2];
    if (p.N < 1 || p.C < 1 || p.M < 1 || p.D < 1 || p.H < 1 || p.W < 1 || p.Do < 1 || p.Ho < 1 || p.Wo < 1)
        return cg_decline(c, "empty tensor");
    /* stride == kernel, nothing else: each output written once (emit_kernel) */
    p.packed = layout_wanted(g, n, 1) == LAYOUT_CONVT_BLOCK; /* the layout pass's decision */
    int simple = p.packed && sp < 3 && p.G == 1 && p.s[0] == p.k[0] && p.s[1] == p.k[1] && p.d[0] == 1 && p.d[1] == 1 && !p.pb[0] &&
                 !p.pb[1] && p.Ho == p.H * p.s[0] && p.Wo == p.W * p.s[1] && p.s[0] <= 64 && p.s[1] <= 64;
    int64_t nb;
    if (vb && (tensor_numel(&vb->t, &nb) || nb != p.M))
        return cg_decline(c, "bias length");
    p.has_bias = vb != NULL;
    int L = c->tgt->lmul_max < 4 ? c->tgt->lmul_max : 4;
    while (L > 1 && 4 * (L / 2) >= p.W)
        L /= 2;
    p.lmul = L;
    int mr_max = 32 / L - 2;
    p.mr = (int)(p.mg < mr_max ? p.mg : mr_max);
    if (p.mr > CT_MR_MAX)
        p.mr = CT_MR_MAX;
    int64_t taps = p.kd * p.k[0] * p.k[1];
    if (!p.packed && p.mr > 1 + 2047 / (taps * 4)) /* in place: channel r's weight is an flw offset r*taps*4 */
        p.mr = (int)(1 + 2047 / (taps * 4));
    if (p.mr < 1)
        return cg_decline(c, "no registers for the accumulators at this LMUL");
    /* W (C, mg, kh, kw) -> [group][block][ky][kx][c][r] */
    int64_t nw = p.C * p.mg * taps;
    tensor pt = {DT_F32, 1, {nw}, NULL, 0};
    char name[256];
    snprintf(name, sizeof name, "%s.convt%d.g%lld", vw->name, p.mr, (long long)p.G);
    uint32_t idw, id;
    void *fill = NULL;
    int rc = p.packed ? cg_packed_weight(c, n, 1, LAYOUT_CONVT_BLOCK, name, &pt, &idw, &fill)
                      : cg_value_tensor(c, n->in[1], &idw);
    if (rc)
        return rc;
    float *o = fill;
    const float *wt = vw->t.data;
    for (int64_t gi = 0; p.packed && gi < p.G; gi++)
        for (int64_t m0 = 0; m0 < p.mg; m0 += p.mr) {
            int64_t mr = p.mg - m0 < p.mr ? p.mg - m0 : p.mr;
            for (int64_t t = 0; t < taps; t++)
                for (int64_t ci = gi * p.cg; ci < (gi + 1) * p.cg; ci++)
                    for (int64_t r = 0; r < mr; r++)
                        *o++ = wt[(ci * p.mg + m0 + r) * taps + t];
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
    rc = simple ? emit_kernel(&a, &p) : emit_general(&a, &p);
    if (!rc) {
        int64_t outs = p.N * p.M * p.Do * p.Ho * p.Wo;
        rc = cg_step(c, n, ids, (uint32_t)(k - 1), 1, NULL, 0, a.w, a.n * 4,
                     (uint64_t)(2 * p.N * p.C * p.D * p.H * p.W * p.mg * taps),
                     (uint64_t)(4 * (p.N * p.C * p.D * p.H * p.W + nw + (p.has_bias ? p.M : 0) + outs)));
    }
    asm_free(&a);
    return rc;
}
