/* window.h - the sliding-window geometry Conv and the pooling generators
 * share (NCHW, one or two spatial dims), and the two tests they emit so a
 * window that hangs over the input's edge reads nothing outside it:
 *  - along x, a mask per kernel column: lane i of a strip starting at
 *    output column ox0 reads input column ix = (ox0 + i) * sw + kx * dw - pl,
 *    valid when ix (unsigned) < W; loads and accumulations run under v0;
 *  - along y, a branch per kernel row: iy = oy * sh + ky * dh - pt outside
 *    [0, H) skips that row of taps.
 * Padding is implicit (zeros for Conv, nothing for MaxPool), never
 * materialised, so no scratch buffer is needed. */
#ifndef RVVNN_CG_WINDOW_H
#define RVVNN_CG_WINDOW_H

#include "codegen.h"
#include "frame.h"

#include <string.h>

typedef struct cg_window {
    int64_t N, C, H, W;     /* input; a 1-D input has H = 1 */
    int64_t Ho, Wo;         /* output extent */
    int64_t kh, kw, sh, sw, dh, dw, pt, pl; /* kernel, strides, dilations, leading pads */
    int xmask, ycheck;      /* some tap falls outside the input along x / y */
} cg_window;

/* Leading pad of one spatial dim for output extent o (already inferred). */
static inline int64_t window_pad(const char *ap, const int64_t *pads, int d, int64_t in, int64_t o,
                                 int64_t k, int64_t s, int64_t dil)
{
    if (!strcmp(ap, "VALID"))
        return 0;
    if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
        int64_t total = (o - 1) * s + (k - 1) * dil + 1 - in;
        total = total < 0 ? 0 : total;
        return !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2;
    }
    return pads ? pads[d] : 0;
}

/* Fills w from x (N, C, [H,] W), y and kernel extents; 0 or a reason the
 * geometry is outside what the generators handle. */
static inline const char *window_geometry(const ir_node *n, const tensor *x, const tensor *y, const int64_t *k,
                                          cg_window *w)
{
    memset(w, 0, sizeof *w);
    if (x->rank != 3 && x->rank != 4)
        return "not 1-D or 2-D";
    int sp = x->rank - 2;
    size_t cnt;
    const int64_t *st = ir_attr_ints(n, "strides", &cnt);
    if (st && (int)cnt != sp)
        return "strides";
    const int64_t *dl = ir_attr_ints(n, "dilations", &cnt);
    if (dl && (int)cnt != sp)
        return "dilations";
    const int64_t *pd = ir_attr_ints(n, "pads", &cnt);
    if (pd && (int)cnt != 2 * sp)
        return "pads";
    const char *ap = ir_attr_string(n, "auto_pad", "NOTSET");
    int64_t in[2] = {1, 1}, out[2] = {1, 1}, kk[2] = {1, 1}, s[2] = {1, 1}, di[2] = {1, 1}, pb[2] = {0, 0};
    for (int d = 0; d < sp; d++) {
        int e = 2 - sp + d;
        in[e] = x->dims[2 + d];
        out[e] = y->dims[2 + d];
        kk[e] = k[d];
        s[e] = st ? st[d] : 1;
        di[e] = dl ? dl[d] : 1;
        pb[e] = window_pad(ap, pd, d, in[e], out[e], kk[e], s[e], di[e]);
        /* bounded so every offset the generators form fits comfortably in int64 */
        if (s[e] < 1 || di[e] < 1 || kk[e] < 1 || pb[e] < 0 || s[e] > 4096 || di[e] > 4096 || kk[e] > 4096 ||
            pb[e] > 4096 || in[e] > (1 << 24) || out[e] < 1)
            return "stride, dilation, kernel or pad out of range";
    }
    w->N = x->dims[0];
    w->C = x->dims[1];
    w->H = in[0], w->W = in[1], w->Ho = out[0], w->Wo = out[1];
    w->kh = kk[0], w->kw = kk[1], w->sh = s[0], w->sw = s[1], w->dh = di[0], w->dw = di[1];
    w->pt = pb[0], w->pl = pb[1];
    w->xmask = w->pl > 0 || (w->Wo - 1) * w->sw + (w->kw - 1) * w->dw - w->pl >= w->W;
    w->ycheck = w->pt > 0 || (w->Ho - 1) * w->sh + (w->kh - 1) * w->dh - w->pt >= w->H;
    if (w->N < 1 || w->C < 1)
        return "empty input";
    if (w->kh * w->kw > 1024) /* the taps are unrolled in the code */
        return "kernel over 1024 taps";
    return NULL;
}

/* The lane offsets window_xmask compares: vt[i] = i * sw, for every lane
 * up to VLMAX (sets vl = VLMAX; emitted once, before the loops; vt must
 * stay untouched). */
static inline void window_lanes(cg_asm *a, const cg_window *w, int vt, int lmul)
{
    asm_vsetvli(a, T6, ZERO, 32, lmul);
    asm_vid(a, vt);
    if (w->sw > 1) {
        asm_li(a, T6, w->sw);
        asm_vmul_vx(a, vt, vt, T6);
    }
}

/* v0 = the lanes of the strip starting at output column `ox0` (register)
 * whose input column for kernel column kx, ix = ox0 * sw + vt[i] + kx * dw
 * - pl, lies inside [0, bound): bound = W for "inside the input", or a
 * larger extent (AveragePool's count_include_pad counts the right pad).
 * Two compares of vt against scalar bounds and a vmandn, with v1 as the
 * second mask: no vector integer arithmetic per strip (qemu 7.2 runs a
 * vadd.vx here three orders of magnitude slower than its neighbours).
 * Uses t6 and s0. */
static inline void window_xmask(cg_asm *a, const cg_window *w, int64_t kx, int vt, int ox0, int64_t bound)
{
    /* valid: lo <= vt[i] < hi with lo = pl - kx*dw - ox0*sw, hi = lo + bound */
    if (w->sw > 1) {
        asm_li(a, S0, w->sw);
        asm_mul(a, S0, ox0, S0);
    } else {
        asm_mv(a, S0, ox0);
    }
    asm_li(a, T6, w->pl - kx * w->dw);
    asm_sub(a, T6, T6, S0);                /* lo */
    asm_vmslt_vx(a, 1, vt, T6);            /* below the input */
    asm_li(a, S0, bound);
    asm_add(a, T6, T6, S0);                /* hi */
    asm_vmslt_vx(a, 0, vt, T6);
    asm_vmandn_mm(a, 0, 0, 1);
}

/* Branches to `skip` when input row oy * sh + ky * dh - pt (oy in register
 * `oy`) is outside [0, bound) (bound = H, or H + bottom pad, as above).
 * Uses t6 and s0. */
static inline void window_ycheck(cg_asm *a, const cg_window *w, int64_t ky, int oy, int skip, int64_t bound)
{
    asm_li(a, T6, w->sh);
    asm_mul(a, T6, oy, T6);
    add_imm(a, T6, T6, ky * w->dh - w->pt);
    asm_li(a, S0, bound);
    if (bound == w->H)
        asm_bgeu(a, T6, S0, skip);
    else
        asm_bge(a, T6, S0, skip);
}

/* Loads one input row of the window into vector register vx from t4:
 * strided (by ra) when sw > 1, under the column mask v0 when padding
 * columns are masked off (window_xmask). */
static inline void window_load(cg_asm *a, const cg_window *w, int vx)
{
    if (w->sw > 1) {
        if (w->xmask)
            asm_vlse_m(a, 32, vx, T4, RA);
        else
            asm_vlse(a, 32, vx, T4, RA);
    } else if (w->xmask) {
        asm_vle_m(a, 32, vx, T4);
    } else {
        asm_vle(a, 32, vx, T4);
    }
}

#endif
