/* conv.c - RVV code for Conv (f32, NCHW, 1-D and 2-D),
 * and for rvvnn::ConvEpilogue (Conv + BatchNormalization + residual +
 * Relu/Clip/HardSwish/HardSigmoid/Sigmoid, made by passes/fuse.c; the
 * BatchNormalization is folded into the re-laid weights and the bias at
 * compile time). The activations use the same instruction sequences as
 * the standalone ops in eltwise.c (Sigmoid: vmath.c's), so fused and
 * unfused RVV results agree.
 *
 * A direct convolution vectorised along the output row: a strip of vl
 * output columns of mr output channels lives in mr vector register
 * groups; each kernel tap loads one strip of input (vle32, or vlse32 for
 * a column stride) and, per channel, one scalar weight (flw) and one
 * vfmacc.vf, so the input strip is reused mr times from registers — the
 * GEMM microkernel of gemm.c with the im2col matrix read in place. The
 * weights are re-laid at compile time so a block's taps are contiguous in
 * the order the kernel walks them: [group][block][kx][ky][ci][r] (weights
 * known only at run time are read in place, fewer channels per block).
 *
 * Padding stays implicit (window.h): kernel columns that hang over the
 * edge are masked per strip (loads and FMAs under v0, mask-undisturbed;
 * the mask is two compares of a lane-offset vector made once per kernel),
 * kernel rows outside the input are skipped by a branch. A 1x1 stride-1
 * unpadded conv is a plain GEMM (Y = W X): its rows are flattened into one
 * row of H*W pixels so the strips run across the whole plane. Depthwise
 * (one input channel per output channel) has no channel to reuse a strip
 * across, so its accumulators hold R output rows instead: a pass loads
 * each input row of its window once per kernel column and feeds every
 * output row it is a tap of, with the taps in float registers
 * (emit_taps_rows). Everything is strip-mined with vsetvli, so the same
 * code is right at any VLEN.
 *
 * Scalar registers: a1 x, a2 packed weights, a3 bias, a4 residual, a5 y
 * (batch bases); s1 batch count, s2/s3 group bases of x/y, s4/s5 block's
 * weights/bias, s6 group count, s7 block's y base, s8 block count, s9 oy,
 * s10 y row, s11 x row (at -pt, -pl), a6/a7 strip's x/y, t0 vl, t1 columns
 * left, t2 channel count, t3 ox0 (flat: the strip's first pixel), t4
 * tap's x, t5 tap's weights, t6/s0/a0 scratch, ra the column stride in
 * bytes. Float: ft0-ft7 a block's weights (depthwise passes: ft0-ft11,
 * fa6, fa7 the taps), fs0-fs7 biases, fa2-fa5 activation constants, fa6
 * 0.5 and fa7 1 / W in flat kernels. */
#include "codegen.h"
#include "vmath.h"
#include "window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CONV_MR_MAX 8
/* Stride-1 convs with output rows up to this wide run their strips over
 * the flattened plane, so a long vector is filled by several rows. */
#define CONV_FLAT_MAX_W 64
#define CONV_CI_UNROLL 4

enum { ACT_NONE, ACT_RELU, ACT_CLIP, ACT_HARDSWISH, ACT_HARDSIGMOID, ACT_SIGMOID };

typedef struct conv_plan {
    cg_window w;
    int64_t M, G, cg, mg; /* output channels, groups, input/output channels per group */
    int mr, lmul;
    int vx, vt;           /* input-strip and mask-scratch groups; accumulators follow */
    int ve;               /* Sigmoid's three scratch groups (after the accumulators) */
    int has_bias, has_res, act;
    int packed;           /* weights re-laid at compile time; else read in place (run-time W) */
    int rows;             /* output rows per pass: 1, or more for a depthwise layer (emit_taps_rows) */
    int flat;             /* small plane: strips run over the flattened output plane (flat_mask) */
    int vf;               /* flat: the strip's flat output index group (vt holds its column) */
    float lo, hi;         /* Clip bounds; HardSigmoid's alpha, beta */
} conv_plan;

static const int wt_freg[CONV_MR_MAX] = {FT0, FT1, FT2, FT3, FT4, FT5, FT6, FT7};
static const int bias_freg[CONV_MR_MAX] = {FS0, FS1, FS2, FS3, FS4, FS5, FS6, FS7};

/* Depthwise row passes keep the kernel's taps in float registers, one per
 * tap (not FA0-FA5: the activations use them). */
static const int tap_freg[] = {FT0, FT1, FT2, FT3, FT4, FT5, FT6, FT7, FT8, FT9, FT10, FT11, FA6, FA7};
#define CONV_TAPS_IN_REGS ((int64_t)(sizeof tap_freg / sizeof tap_freg[0]))

static int acc_group(const conv_plan *p, int r) { return p->vt + (r + 1) * p->lmul; }

/* Clamps vd to [flo, fhi] by compare and merge, as the reference's Clip:
 * NaN stays NaN. */
static void clamp(cg_asm *a, int vd, int flo, int fhi)
{
    asm_vmf_vf(a, VMF_LT, 0, vd, flo);
    asm_vfmerge_vfm(a, vd, vd, flo);
    asm_vmf_vf(a, VMF_GT, 0, vd, fhi);
    asm_vfmerge_vfm(a, vd, vd, fhi);
}

/* The activation of one accumulator group; returns the group holding the
 * result (acc, or the input-strip group vx, free by now). Constants are in
 * FA2..FA5 (emit_kernel). v0, fa0, fa1 and t6 may be clobbered: the masks
 * are made again per kernel column of the next strip. */
static int activate(cg_asm *a, const conv_plan *p, int acc)
{
    int vy = p->vx;
    switch (p->act) {
    case ACT_RELU:
        asm_vf(a, VF_MAX, acc, acc, FA4); /* maximumNumber(NaN, 0) = 0, as the reference's Relu */
        return acc;
    case ACT_CLIP:
        clamp(a, acc, FA2, FA3);
        return acc;
    case ACT_HARDSWISH: /* x * clamp((x + 3) / 6, 0, 1), as eltwise.c */
        asm_vf(a, VF_ADD, vy, acc, FA2);
        asm_vf(a, VF_DIV, vy, vy, FA3);
        clamp(a, vy, FA4, FA5);
        asm_vv(a, VF_MUL, vy, vy, acc);
        return vy;
    case ACT_HARDSIGMOID: /* clamp(alpha * x + beta, 0, 1), one rounding (vfmacc); the beta vector
                           * is 0 + beta (vmv.v.i + vfadd.vf: qemu runs vfmv.v.f slowly, see emit_block) */
        asm_vmv_v_i(a, vy, 0);
        asm_vf(a, VF_ADD, vy, vy, FA3);
        asm_vf(a, VF_MACC, vy, acc, FA2);
        clamp(a, vy, FA4, FA5);
        return vy;
    case ACT_SIGMOID:
        vmath_sigmoid(a, vy, acc, p->ve, p->ve + p->lmul, p->ve + 2 * p->lmul);
        return vy;
    }
    return acc;
}

/* One input channel of a tap: load its strip at t4, acc[r] += w * x with
 * the weights at t5 + woff, then (if `advance`) step t4 to the next
 * channel's plane (by a0 when the plane does not fit an immediate). */
static void emit_channel(cg_asm *a, const conv_plan *p, int mr, int woff, int64_t plane, int advance, int masked)
{
    const cg_window *w = &p->w;
    cg_window wl = *w;
    wl.xmask = masked; /* the load runs under v0 when the tap is masked */
    window_load(a, &wl, p->vx);
    for (int r = 0; r < mr; r++)
        asm_flw(a, wt_freg[r], T5, woff + (int)(p->packed ? r * 4 : r * p->cg * w->kh * w->kw * 4));
    for (int r = 0; r < mr; r++) {
        if (masked)
            asm_vf_m(a, VF_MACC, acc_group(p, r), p->vx, wt_freg[r]);
        else
            asm_vf(a, VF_MACC, acc_group(p, r), p->vx, wt_freg[r]);
    }
    if (advance) {
        if (plane > 2047)
            asm_add(a, T4, T4, A0);
        else
            asm_addi(a, T4, T4, plane);
    }
}

/* Flattened plane (stride 1, W = Wo): lane i of a strip holds output
 * pixel f = oy * W + ox, and tap (ky, kx) reads input pixel f + (ky * dh
 * - pt) * W + kx * dw - pl, inside the input when f lies in [ylo, ylo +
 * H * W) (its row) and ox in [xlo, xlo + W) (its column). v0 = those
 * lanes, from the flat index group vf and the column group vt (made per
 * strip by emit_pass), only the bounds some lane can cross; returns 0
 * when no lane of the plane is outside (the tap runs unmasked). Uses t6,
 * v1. */
static int flat_mask(cg_asm *a, const conv_plan *p, int64_t kx, int64_t ky)
{
    const cg_window *w = &p->w;
    int64_t ylo = (w->pt - ky * w->dh) * w->W, xlo = w->pl - kx * w->dw;
    struct { int v, upper; int64_t bound; } c[4];
    int n = 0;
    if (ylo > 0)
        c[n].v = p->vf, c[n].upper = 0, c[n++].bound = ylo;
    if (ylo + w->H * w->W < w->Ho * w->Wo)
        c[n].v = p->vf, c[n].upper = 1, c[n++].bound = ylo + w->H * w->W;
    if (xlo > 0)
        c[n].v = p->vt, c[n].upper = 0, c[n++].bound = xlo;
    if (xlo + w->W < w->Wo)
        c[n].v = p->vt, c[n].upper = 1, c[n++].bound = xlo + w->W;
    for (int i = 0; i < n; i++) {
        int md = i ? 1 : 0;
        asm_li(a, T6, c[i].upper ? c[i].bound : c[i].bound - 1);
        if (c[i].upper)
            asm_vmslt_vx(a, md, c[i].v, T6); /* f < hi */
        else
            asm_vmsgt_vx(a, md, c[i].v, T6); /* f > lo - 1 */
        if (i)
            asm_vmand_mm(a, 0, 0, 1);
    }
    return n > 0;
}

/* The taps of one strip: acc[r] += w[r, tap] * x[tap strip]. */
static void emit_taps(cg_asm *a, const conv_plan *p, int mr)
{
    const cg_window *w = &p->w;
    int64_t plane = w->H * w->W * 4;
    for (int64_t kx = 0; kx < w->kw; kx++) {
        if (w->xmask && !p->flat)
            window_xmask(a, w, kx, p->vt, T3, w->W);
        for (int64_t ky = 0; ky < w->kh; ky++) {
            int skip = asm_label(a);
            int masked = w->xmask;
            if (p->flat)
                masked = flat_mask(a, p, kx, ky);
            else if (w->ycheck)
                window_ycheck(a, w, ky, S9, skip, w->H);
            add_imm(a, T4, A6, (ky * w->dh * w->W + kx * w->dw) * 4);
            if (p->packed)
                add_imm(a, T5, S4, (kx * w->kh + ky) * p->cg * mr * 4);
            else /* W as given: (M, cg, kh, kw), channel r is cg * taps floats on */
                add_imm(a, T5, S4, (ky * w->kw + kx) * 4);
            /* the channel loop, unrolled CONV_CI_UNROLL times for packed weights */
            int U = p->packed && p->cg >= CONV_CI_UNROLL ? CONV_CI_UNROLL : 1;
            int64_t groups = p->cg / U, rest = p->cg % U;
            int64_t wstep = p->packed ? mr * 4 : w->kh * w->kw * 4; /* bytes per channel */
            if (plane > 2047)
                asm_li(a, A0, plane);
            int loop = -1;
            if (groups > 1) {
                asm_li(a, T2, groups);
                loop = asm_label(a);
                asm_bind(a, loop);
            }
            for (int64_t j = 0; j < (groups ? U : 0); j++)
                emit_channel(a, p, mr, (int)(j * wstep), plane, p->cg > 1, masked);
            if (groups > 1 || rest) /* next group's weights (the rest follows) */
                asm_addi(a, T5, T5, U * wstep);
            if (groups > 1) {
                asm_addi(a, T2, T2, -1);
                asm_bnez(a, T2, loop);
            }
            for (int64_t j = 0; j < rest; j++)
                emit_channel(a, p, mr, (int)(j * wstep), plane, j + 1 < rest, masked);
            asm_bind(a, skip);
        }
    }
}

/* The taps of one strip of a depthwise pass of R output rows (oy = s9 ..
 * s9 + R - 1): input row j of the pass (iy = oy * sh + j - pt) is loaded
 * once per kernel column and feeds every output row r it is a tap of
 * (j = r * sh + ky * dh), acc[r] += w[ky, kx] * x with the weights held in
 * tap_freg. So a 3x3 stride-1 pass of R rows loads 3 (R + 2) strips
 * instead of 9 R, and loads no weights. */
static void emit_taps_rows(cg_asm *a, const conv_plan *p, int R)
{
    const cg_window *w = &p->w;
    int64_t jmax = (R - 1) * w->sh + (w->kh - 1) * w->dh;
    for (int64_t kx = 0; kx < w->kw; kx++) {
        if (w->xmask)
            window_xmask(a, w, kx, p->vt, T3, w->W);
        for (int64_t j = 0; j <= jmax; j++) {
            int used = 0;
            for (int r = 0; r < R; r++) {
                int64_t d = j - r * w->sh;
                used |= d >= 0 && d % w->dh == 0 && d / w->dh < w->kh;
            }
            if (!used)
                continue;
            int skip = asm_label(a);
            if (w->ycheck) { /* row iy outside [0, H): its taps read padding */
                asm_li(a, T6, w->sh);
                asm_mul(a, T6, S9, T6);
                add_imm(a, T6, T6, j - w->pt);
                asm_li(a, S0, w->H);
                asm_bgeu(a, T6, S0, skip);
            }
            add_imm(a, T4, A6, (j * w->W + kx * w->dw) * 4);
            window_load(a, w, p->vx);
            for (int r = 0; r < R; r++) {
                int64_t d = j - r * w->sh;
                if (d < 0 || d % w->dh || d / w->dh >= w->kh)
                    continue;
                int f = tap_freg[(d / w->dh) * w->kw + kx];
                if (w->xmask)
                    asm_vf_m(a, VF_MACC, acc_group(p, r), p->vx, f);
                else
                    asm_vf(a, VF_MACC, acc_group(p, r), p->vx, f);
            }
            asm_bind(a, skip);
        }
    }
}

/* One pass over `rows` output rows (from oy = s9, y row s10, x row s11)
 * of a block of mr output channels: strips of vl columns; s9..s11 step
 * past the pass. The accumulators start at 0 and the bias is added in
 * the epilogue: qemu 7.2 runs vfmv.v.f (and vadd.vx) in a strip loop
 * about 1000x slower than vmv.v.i + vfadd.vf, which would make CI's qemu
 * runs crawl. */
static void emit_pass(cg_asm *a, const conv_plan *p, int mr, int rows)
{
    const cg_window *w = &p->w;
    int64_t oplane = w->Ho * w->Wo * 4;
    int nacc = p->rows > 1 ? rows : mr;
    int strip = asm_label(a);
    asm_mv(a, A6, S11);
    asm_mv(a, A7, S10);
    asm_li(a, T1, p->flat ? w->Ho * w->Wo : w->Wo);
    asm_li(a, T3, 0);
    asm_bind(a, strip);
    if (w->xmask || p->flat)
        asm_vsetvli_mu(a, T0, T1, 32, p->lmul);
    else
        asm_vsetvli(a, T0, T1, 32, p->lmul);
    if (p->flat) {
        /* vf = f = t3 + i; vt = ox = f - W * oy with oy = round((f + 0.5) / W - 0.5), exact in f32
         * for planes under 2^20 pixels (FA6 = 0.5, FA7 = 1 / W) */
        asm_vid(a, p->vf);
        asm_vadd_vx(a, p->vf, p->vf, T3);
        asm_vfcvt_f_x(a, p->vt, p->vf);
        asm_vf(a, VF_ADD, p->vt, p->vt, FA6);
        asm_vf(a, VF_MUL, p->vt, p->vt, FA7);
        asm_vf(a, VF_SUB, p->vt, p->vt, FA6);
        asm_vfcvt_x_f(a, p->vt, p->vt);
        asm_li(a, T6, w->W);
        asm_vmul_vx(a, p->vx, p->vt, T6);
        asm_vsub_vv(a, p->vt, p->vf, p->vx);
    }
    for (int r = 0; r < nacc; r++)
        asm_vmv_v_i(a, acc_group(p, r), 0);
    if (p->rows > 1)
        emit_taps_rows(a, p, rows);
    else
        emit_taps(a, p, mr);
    /* epilogue and stores: accumulator r is output channel r (r planes on),
     * or in a depthwise pass output row r (r rows on) */
    for (int r = 0; r < nacc; r++) {
        int acc = acc_group(p, r);
        add_imm(a, T4, A7, p->rows > 1 ? r * w->Wo * 4 : r * oplane);
        if (p->has_bias)
            asm_vf(a, VF_ADD, acc, acc, bias_freg[p->rows > 1 ? 0 : r]);
        if (p->has_res) {
            asm_sub(a, A0, T4, A5); /* the same offset in the residual */
            asm_add(a, A0, A0, A4);
            asm_vle(a, 32, p->vx, A0);
            asm_vv(a, VF_ADD, acc, acc, p->vx);
        }
        asm_vse(a, 32, activate(a, p, acc), T4);
    }
    asm_sub(a, T1, T1, T0);
    asm_add(a, T3, T3, T0);
    asm_slli(a, T6, T0, 2);
    asm_add(a, A7, A7, T6);
    if (w->sw > 1)
        asm_mul(a, T6, T0, RA);
    asm_add(a, A6, A6, T6);
    asm_bnez_far(a, T1, strip);
    add_imm(a, S10, S10, rows * w->Wo * 4);
    add_imm(a, S11, S11, rows * w->sh * w->W * 4);
    asm_addi(a, S9, S9, rows);
}

/* One block of mr output channels over the whole output plane: passes of
 * p->rows output rows, then one pass over the rows left. */
static void emit_block(cg_asm *a, const conv_plan *p, int mr)
{
    const cg_window *w = &p->w;
    int64_t oplane = w->Ho * w->Wo * 4;
    asm_li(a, S9, 0);
    asm_mv(a, S10, S7);
    add_imm(a, S11, S2, (-w->pt * w->W - w->pl) * 4);
    if (p->has_bias)
        for (int r = 0; r < mr; r++)
            asm_flw(a, bias_freg[r], S5, r * 4);
    if (p->rows > 1) /* the depthwise kernel's taps, [kx][ky] packed or (ky, kx) as given */
        for (int64_t ky = 0; ky < w->kh; ky++)
            for (int64_t kx = 0; kx < w->kw; kx++)
                asm_flw(a, tap_freg[ky * w->kw + kx], S4,
                        (int)(p->packed ? (kx * w->kh + ky) * 4 : (ky * w->kw + kx) * 4));
    int64_t full = w->Ho / p->rows, tail = w->Ho % p->rows;
    if (p->flat) { /* one pass over the whole plane */
        full = 0;
        tail = 1;
    }
    if (full) {
        int rows = asm_label(a);
        asm_bind(a, rows);
        emit_pass(a, p, mr, p->rows);
        asm_li(a, T6, full * p->rows);
        asm_sub(a, T6, T6, S9);
        asm_bnez_far(a, T6, rows);
    }
    if (tail)
        emit_pass(a, p, mr, (int)tail);
    /* next block */
    add_imm(a, S4, S4, w->kh * w->kw * p->cg * mr * 4);
    if (p->has_bias)
        asm_addi(a, S5, S5, mr * 4);
    add_imm(a, S7, S7, mr * oplane);
}

static void emit_kernel(cg_asm *a, const conv_plan *p)
{
    const cg_window *w = &p->w;
    int64_t oplane = w->Ho * w->Wo * 4;
    frame_enter(a);
    int k = 0;
    asm_ld(a, A1, A0, 8 * k++);
    asm_ld(a, A2, A0, 8 * k++);
    if (p->has_bias)
        asm_ld(a, A3, A0, 8 * k++);
    if (p->has_res)
        asm_ld(a, A4, A0, 8 * k++);
    asm_ld(a, A5, A0, 8 * k++);
    if (w->xmask && !p->flat)
        window_lanes(a, w, p->vt, p->lmul);
    if (p->flat) {
        load_f32(a, FA6, 0.5f);
        load_f32(a, FA7, 1.0f / (float)w->W);
    }
    if (w->sw > 1)
        asm_li(a, RA, w->sw * 4);
    if (p->act == ACT_CLIP || p->act == ACT_HARDSIGMOID) { /* bounds, or alpha and beta */
        load_f32(a, FA2, p->lo);
        load_f32(a, FA3, p->hi);
    }
    if (p->act == ACT_HARDSWISH) {
        load_f32(a, FA2, 3.0f);
        load_f32(a, FA3, 6.0f);
    }
    if (p->act == ACT_RELU || p->act == ACT_HARDSWISH || p->act == ACT_HARDSIGMOID)
        asm_fmv_w_x(a, FA4, ZERO);
    if (p->act == ACT_HARDSWISH || p->act == ACT_HARDSIGMOID)
        load_f32(a, FA5, 1.0f);
    int64_t full = p->mg / p->mr, tail = p->mg % p->mr;
    asm_li(a, S1, w->N);
    int batch = asm_label(a), group = asm_label(a), block = asm_label(a);
    asm_bind(a, batch);
    asm_mv(a, S2, A1);
    asm_mv(a, S3, A5);
    asm_mv(a, S4, A2);
    if (p->has_bias)
        asm_mv(a, S5, A3);
    asm_li(a, S6, p->G);
    asm_bind(a, group);
    asm_mv(a, S7, S3);
    if (full) {
        asm_li(a, S8, full);
        asm_bind(a, block);
        emit_block(a, p, p->mr);
        asm_addi(a, S8, S8, -1);
        asm_bnez_far(a, S8, block);
    }
    if (tail)
        emit_block(a, p, (int)tail);
    add_imm(a, S2, S2, p->cg * w->H * w->W * 4);
    add_imm(a, S3, S3, p->mg * oplane);
    asm_addi(a, S6, S6, -1);
    asm_bnez_far(a, S6, group);
    add_imm(a, A1, A1, w->C * w->H * w->W * 4);
    add_imm(a, A5, A5, p->M * oplane);
    if (p->has_res)
        add_imm(a, A4, A4, p->M * oplane);
    asm_addi(a, S1, S1, -1);
    asm_bnez_far(a, S1, batch);
    frame_leave(a);
}

/* The register layout for LMUL L: v0 (and v1 for the masks), then the
 * input strip, the lane offsets (only with masks; flat: the flat index and
 * column groups), then the accumulators; the largest block that fits, 0
 * when none does. */
static int plan_registers(conv_plan *p, int L)
{
    const cg_window *w = &p->w;
    p->lmul = L;
    p->vx = (w->xmask || p->flat) && L == 1 ? 2 : L;
    p->vt = w->xmask ? p->vx + L : p->vx; /* accumulators start one group after vt */
    if (p->flat) {
        p->vf = p->vx + L;
        p->vt = p->vf + L;
    }
    return (32 - (p->vt + L) - (p->act == ACT_SIGMOID ? 3 * L : 0)) / L;
}

/* LMUL: large for wide rows, smaller when a row (flat: the plane) would
 * not fill the registers at VLEN 128 (VLMAX = 4 * LMUL), so more channels
 * block. */
static int plan_lmul(const conv_plan *p, int lmul_max)
{
    int64_t extent = p->flat ? p->w.Ho * p->w.Wo : p->w.Wo;
    int L = lmul_max < 4 ? lmul_max : 4;
    while (L > 1 && 4 * (L / 2) >= extent)
        L /= 2;
    return L;
}

/* Weights (M, cg, [kh,] kw) re-laid as [group][block][kx][ky][ci][r],
 * each output channel m scaled by k[m] when a BatchNormalization is folded
 * in (k NULL: as they are). */
static void pack_weights(float *o, const float *wt, const double *k, const conv_plan *p)
{
    const cg_window *w = &p->w;
    int64_t taps = w->kh * w->kw;
    for (int64_t g = 0; g < p->G; g++)
        for (int64_t m0 = 0; m0 < p->mg; m0 += p->mr) {
            int64_t mr = p->mg - m0 < p->mr ? p->mg - m0 : p->mr;
            for (int64_t kx = 0; kx < w->kw; kx++)
                for (int64_t ky = 0; ky < w->kh; ky++)
                    for (int64_t ci = 0; ci < p->cg; ci++)
                        for (int64_t r = 0; r < mr; r++) {
                            int64_t m = g * p->mg + m0 + r;
                            float v = wt[(m * p->cg + ci) * taps + ky * w->kw + kx];
                            *o++ = k ? (float)(v * k[m]) : v;
                        }
        }
}

int cg_conv(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *vx = &g->vals[n->in[0]], *vw = &g->vals[n->in[1]], *vy = &g->vals[n->out[0]];
    const ir_value *vb = n->n_in > 2 && n->in[2] >= 0 ? &g->vals[n->in[2]] : NULL;
    const ir_value *vr = n->n_in > 3 && n->in[3] >= 0 ? &g->vals[n->in[3]] : NULL;
    const ir_value *bn[4] = {NULL, NULL, NULL, NULL}; /* a folded BatchNormalization: scale, B, mean, var */
    for (int k = 0; k < 4 && n->n_in > 7; k++)
        bn[k] = n->in[4 + k] >= 0 ? &g->vals[n->in[4 + k]] : NULL;
    if ((bn[0] || bn[1] || bn[2] || bn[3]) && !(bn[0] && bn[1] && bn[2] && bn[3]))
        return cg_decline(c, "partial BatchNormalization parameters");
    if (vx->t.dtype != DT_F32 || vw->t.dtype != DT_F32 || vy->t.dtype != DT_F32 || vx->dynamic || vy->dynamic)
        return cg_decline(c, "not float32 or dynamic");
    if (vb && (vb->kind != VAL_CONST || vb->t.dtype != DT_F32))
        return cg_decline(c, "bias is not a float32 constant");
    if (vr && (vr->t.dtype != DT_F32 || !shape_equal(&vr->t, &vy->t)))
        return cg_decline(c, "residual shape");
    if (vw->t.rank != vx->t.rank || vy->t.rank != vx->t.rank)
        return cg_decline(c, "weight rank");
    conv_plan p;
    memset(&p, 0, sizeof p);
    const char *why = window_geometry(n, &vx->t, &vy->t, vw->t.dims + 2, &p.w);
    if (why)
        return cg_decline(c, why);
    cg_window *w = &p.w;
    p.G = ir_attr_int(n, "group", 1);
    p.M = vw->t.dims[0];
    if (p.G < 1 || p.M < 1 || w->C % p.G || p.M % p.G || vw->t.dims[1] * p.G != w->C || vy->t.dims[1] != p.M ||
        vy->t.dims[0] != w->N)
        return cg_decline(c, "channels do not match the groups");
    int64_t nb;
    if (vb && (tensor_numel(&vb->t, &nb) || nb != p.M))
        return cg_decline(c, "bias length");
    for (int k = 0; bn[0] && k < 4; k++)
        if (bn[k]->kind != VAL_CONST || bn[k]->t.dtype != DT_F32 || tensor_numel(&bn[k]->t, &nb) || nb != p.M)
            return cg_decline(c, "BatchNormalization parameters are not float32 constants per channel");
    if (bn[0] && vw->kind != VAL_CONST)
        return cg_decline(c, "BatchNormalization after a convolution with run-time weights");
    p.cg = w->C / p.G;
    p.mg = p.M / p.G;
    if (w->kh == 1 && w->kw == 1 && w->sh == 1 && w->sw == 1 && !w->pt && !w->pl && !w->xmask && !w->ycheck) {
        /* 1x1, stride 1: a GEMM over the whole plane, one long row */
        w->W = w->Wo = w->H * w->W;
        w->H = w->Ho = 1;
    }
    if (n->op == OP_ConvEpilogue) {
        const char *act = ir_attr_string(n, "activation", "none");
        static const struct { const char *name; int act; } acts[] = {
            {"none", ACT_NONE}, {"relu", ACT_RELU}, {"clip", ACT_CLIP}, {"hardswish", ACT_HARDSWISH},
            {"hardsigmoid", ACT_HARDSIGMOID}, {"sigmoid", ACT_SIGMOID}};
        p.act = -1;
        for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
            if (!strcmp(act, acts[i].name))
                p.act = acts[i].act;
        if (p.act < 0)
            return cg_decline(c, "unknown epilogue activation");
        p.lo = ir_attr_float(n, "clip_min", 0.0f);
        p.hi = ir_attr_float(n, "clip_max", 6.0f);
        if (p.act == ACT_HARDSIGMOID) {
            p.lo = ir_attr_float(n, "alpha", 0.2f);
            p.hi = ir_attr_float(n, "beta", 0.5f);
        }
    }
    p.has_bias = vb != NULL || bn[0] != NULL;
    p.has_res = vr != NULL;
    /* LMUL: large for wide rows, smaller when a row would not fill the
     * registers at VLEN 128 (VLMAX = 4 * LMUL), so more channels block */
    int dw = p.cg == 1 && p.mg == 1 && w->kh * w->kw <= CONV_TAPS_IN_REGS && w->Ho > 1;
    int flat_ok = w->sh == 1 && w->sw == 1 && w->W == w->Wo && w->Ho > 1 && w->Wo <= CONV_FLAT_MAX_W &&
                  w->Ho * w->Wo <= (1 << 20);
    p.flat = !dw && flat_ok;
    int mr_max = plan_registers(&p, plan_lmul(&p, c->tgt->lmul_max));
    if (mr_max < 1)
        return cg_decline(c, "no registers for the accumulators at this LMUL");
    p.mr = (int)(p.mg < mr_max ? p.mg : mr_max);
    if (p.mr > CONV_MR_MAX)
        p.mr = CONV_MR_MAX;
    /* depthwise: the accumulators hold output rows instead (emit_taps_rows) */
    p.rows = 1;
    if (dw) {
        int R = mr_max < CONV_MR_MAX ? mr_max : CONV_MR_MAX;
        p.rows = (int)(w->Ho < R ? w->Ho : R);
    }
    p.ve = acc_group(&p, p.mr > p.rows ? p.mr : p.rows);
    p.packed = layout_wanted(g, n, 1) == LAYOUT_CONV_BLOCK; /* the layout pass's decision */
    if (!p.packed) {
        /* run-time W read in place: channel r's weights are flw offsets r * cg * taps * 4 (12 bits) */
        int64_t step = p.cg * w->kh * w->kw * 4, fit = 1 + 2047 / step;
        if (w->kh * w->kw * 4 > 2047)
            return cg_decline(c, "run-time weights with a kernel over 511 taps");
        if (p.mr > fit)
            p.mr = (int)fit;
    }
    /* A small depthwise plane: the row passes' loads are few, but a row
     * fills a long vector poorly; strips over the flattened plane (one
     * load per tap, fewer instructions once VLMAX reaches 4 rows) win from
     * VLEN 512 up (at VLEN 256 the X60 model still has the row passes
     * ahead in cycles on MobileNetV2's 7x7 layer: a third of the bytes
     * loaded). The VLEN decides: at compile time when known, else at run
     * time from VLMAX (both kernels emitted, the same packed weights). */
    conv_plan q = p;
    int64_t flat_vlen = 0; /* flat when VLEN >= this; 0: never */
    if (dw && flat_ok) {
        q.flat = 1;
        q.rows = 1;
        if (plan_registers(&q, plan_lmul(&q, c->tgt->lmul_max)) >= 1) {
            q.ve = acc_group(&q, 1);
            flat_vlen = 4 * w->Wo * 32 / q.lmul;
            if (flat_vlen < 512)
                flat_vlen = 512;
        }
    }
    int64_t vlen_lo = c->tgt->vlen ? c->tgt->vlen : c->tgt->min_vlen;
    int dispatch = 0;
    if (flat_vlen && vlen_lo >= flat_vlen)
        p = q; /* always flat */
    else if (flat_vlen && !c->tgt->vlen)
        dispatch = 1;
    /* weights re-laid for the kernel */
    int64_t nw;
    if (tensor_numel(&vw->t, &nw))
        return cg_decline(c, "weight size");
    tensor pt = {DT_F32, 1, {nw}, NULL, 0};
    char name[256];
    snprintf(name, sizeof name, "%s.conv%d", vw->name, p.mr);
    uint32_t idw, id;
    void *fill = NULL;
    /* a BatchNormalization folds into the weights and bias at compile time:
     * y = (conv(x, W) + b - mean) * k + B with k = scale / sqrt(var + eps) */
    double *kbn = NULL;
    uint32_t idb = 0;
    int rc = 0;
    if (bn[0]) {
        kbn = mem_alloc((size_t)p.M * sizeof *kbn);
        if (!kbn)
            return err_set(RV_ENOMEM, "out of memory");
        double eps = ir_attr_float(n, "bn_epsilon", 1e-5f);
        tensor bt = {DT_F32, 1, {p.M}, NULL, 0};
        void *bfill = NULL;
        snprintf(name, sizeof name, "%s.bias_bn", n->name);
        rc = cg_weight_fill(c, name, &bt, &idb, &bfill);
        for (int64_t m = 0; !rc && m < p.M; m++) {
            const float *sc = bn[0]->t.data, *bb = bn[1]->t.data, *mu = bn[2]->t.data, *var = bn[3]->t.data;
            kbn[m] = (double)sc[m] / sqrt((double)var[m] + eps);
            double b0 = vb ? ((const float *)vb->t.data)[m] : 0.0;
            ((float *)bfill)[m] = (float)((b0 - mu[m]) * kbn[m] + bb[m]);
        }
        snprintf(name, sizeof name, "%s.conv%d.bn.%s", vw->name, p.mr, n->name); /* weights scaled for this node */
    }
    if (!rc)
        rc = p.packed ? cg_packed_weight(c, n, 1, LAYOUT_CONV_BLOCK, name, &pt, &idw, &fill)
                      : cg_value_tensor(c, n->in[1], &idw);
    if (!rc && p.packed)
        pack_weights(fill, vw->t.data, kbn, &p);
    mem_free(kbn);
    if (rc)
        return rc;
    uint64_t ids[5];
    int k = 0;
    if ((rc = cg_value_tensor(c, n->in[0], &id)))
        return rc;
    ids[k++] = id;
    ids[k++] = idw;
    if (bn[0]) {
        ids[k++] = idb;
    } else if (vb) {
        if ((rc = cg_value_tensor(c, n->in[2], &id)))
            return rc;
        ids[k++] = id;
    }
    if (vr) {
        if ((rc = cg_value_tensor(c, n->in[3], &id)))
            return rc;
        ids[k++] = id;
    }
    if ((rc = cg_value_tensor(c, n->out[0], &id)))
        return rc;
    ids[k++] = id;
    cg_asm a;
    asm_init(&a);
    if (dispatch) { /* VLMAX of the flat kernel's LMUL below 4 rows: the row passes */
        int rowk = asm_label(&a), flatk = asm_label(&a);
        asm_vsetvli(&a, T6, ZERO, 32, q.lmul);
        asm_li(&a, T5, flat_vlen * q.lmul / 32);
        asm_bltu(&a, T6, T5, rowk);
        asm_j(&a, flatk);
        asm_bind(&a, rowk);
        emit_kernel(&a, &p);
        asm_bind(&a, flatk);
        emit_kernel(&a, &q);
    } else {
        emit_kernel(&a, &p);
    }
    rc = asm_finish(&a);
    if (!rc) {
        int64_t outs = w->N * p.M * w->Ho * w->Wo;
        uint64_t flops = (uint64_t)(2 * outs * p.cg * w->kh * w->kw);
        uint64_t bytes = (uint64_t)(4 * (w->N * w->C * w->H * w->W + nw + outs * (1 + p.has_res)));
        rc = cg_step(c, n, ids, (uint32_t)(k - 1), 1, NULL, 0, a.w, a.n * 4, flops, bytes);
    }
    asm_free(&a);
    return rc;
}
