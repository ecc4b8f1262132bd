/* pool.c - RVV code for MaxPool and AveragePool (f32, NCHW, 1-D and 2-D;
 * GlobalAveragePool/GlobalMaxPool are reductions, reduce.c).
 *
 * Like conv.c, vectorised along the output row: a strip of vl output
 * columns is one register group; each kernel tap loads the strip of input
 * it covers (vle32, or vlse32 for a column stride) and folds it in with
 * vfmax.vv or vfadd.vv. Taps hanging over the input's edge are masked
 * (columns) or skipped (rows) as window.h describes, so padding never
 * reaches the result and nothing is copied. ceil_mode only changes the
 * output extent, which shape inference already fixed.
 *
 * AveragePool divides by the number of taps each output position counts
 * (inside the input, or with count_include_pad inside the padded extent).
 * Shapes are static, so those counts are computed at compile time into a
 * constant Ho x Wo map the kernel loads alongside the output row.
 *
 * MaxPool equals the reference bit for bit except where a window holds a
 * NaN (fmax ignores it; the reference keeps a NaN found in the first tap)
 * or both signs of zero as its maximum; AveragePool sums in f32 (the
 * reference in double), within tests/codegen/opcases.py's avgpool bounds.
 *
 * Registers as in conv.c: a1 x, a2 divisor map, a5 y; s1 plane count,
 * s2/s3 plane bases, s4 divisor row, s9 oy, s10 y row, s11 x row, a6/a7
 * strip's x/y, t0 vl, t1 columns left, t3 ox0, t4 tap's x, t5 strip's
 * divisors, ra the column stride in bytes. */
#include "codegen.h"
#include "window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct pool_plan {
    cg_window w;
    int is_max, lmul, vx, vt, acc;
} pool_plan;

static void emit_strip(cg_asm *a, const pool_plan *p)
{
    const cg_window *w = &p->w;
    asm_vmv_v_i(a, p->acc, 0);
    if (p->is_max) /* -inf - 0: qemu 7.2 runs vfmv.v.f in a loop ~1000x slower than this */
        asm_vf(a, VF_RSUB, p->acc, p->acc, FA2);
    for (int64_t kx = 0; kx < w->kw; kx++) {
        if (w->xmask)
            window_xmask(a, w, kx, p->vt, T3, w->W);
        for (int64_t ky = 0; ky < w->kh; ky++) {
            int skip = asm_label(a);
            if (w->ycheck)
                window_ycheck(a, w, ky, S9, skip, w->H);
            add_imm(a, T4, A6, (ky * w->dh * w->W + kx * w->dw) * 4);
            window_load(a, w, p->vx);
            int op = p->is_max ? VF_MAX : VF_ADD;
            if (w->xmask)
                asm_vv_m(a, op, p->acc, p->acc, p->vx);
            else
                asm_vv(a, op, p->acc, p->acc, p->vx);
            asm_bind(a, skip);
        }
    }
    if (!p->is_max) {
        asm_vle(a, 32, p->vx, T5);
        asm_vv(a, VF_DIV, p->acc, p->acc, p->vx);
    }
    asm_vse(a, 32, p->acc, A7);
}

static int emit_kernel(cg_asm *a, const pool_plan *p)
{
    const cg_window *w = &p->w;
    frame_enter(a);
    asm_ld(a, A1, A0, 0);
    if (!p->is_max)
        asm_ld(a, A2, A0, 8);
    asm_ld(a, A5, A0, p->is_max ? 8 : 16);
    if (w->xmask)
        window_lanes(a, w, p->vt, p->lmul);
    if (w->sw > 1)
        asm_li(a, RA, w->sw * 4);
    if (p->is_max)
        load_f32(a, FA2, -INFINITY);
    asm_li(a, S1, w->N * w->C);
    asm_mv(a, S2, A1);
    asm_mv(a, S3, A5);
    int plane = asm_label(a), rows = asm_label(a), strip = asm_label(a);
    asm_bind(a, plane);
    asm_li(a, S9, 0);
    asm_mv(a, S10, S3);
    add_imm(a, S11, S2, (-w->pt * w->W - w->pl) * 4);
    asm_mv(a, S4, A2);
    asm_bind(a, rows);
    asm_mv(a, A6, S11);
    asm_mv(a, A7, S10);
    asm_mv(a, T5, S4);
    asm_li(a, T1, w->Wo);
    asm_li(a, T3, 0);
    asm_bind(a, strip);
    if (w->xmask)
        asm_vsetvli_mu(a, T0, T1, 32, p->lmul);
    else
        asm_vsetvli(a, T0, T1, 32, p->lmul);
    emit_strip(a, p);
    asm_sub(a, T1, T1, T0);
    asm_add(a, T3, T3, T0);
    asm_slli(a, T6, T0, 2);
    asm_add(a, A7, A7, T6);
    asm_add(a, T5, T5, T6);
    if (w->sw > 1)
        asm_mul(a, T6, T0, RA);
    asm_add(a, A6, A6, T6);
    asm_bnez_far(a, T1, strip);
    add_imm(a, S10, S10, w->Wo * 4);
    add_imm(a, S11, S11, w->sh * w->W * 4);
    add_imm(a, S4, S4, w->Wo * 4);
    asm_addi(a, S9, S9, 1);
    asm_li(a, T6, w->Ho);
    asm_sub(a, T6, T6, S9);
    asm_bnez_far(a, T6, rows);
    add_imm(a, S2, S2, w->H * w->W * 4);
    add_imm(a, S3, S3, w->Ho * w->Wo * 4);
    asm_addi(a, S1, S1, -1);
    asm_bnez_far(a, S1, plane);
    frame_leave(a);
    return asm_finish(a);
}

/* Taps of output position o along one dim that the average counts: those
 * inside [0, in) or, with count_include_pad, inside [-pad_begin, in + pad_end). */
static int64_t taps_counted(int64_t o, int64_t s, int64_t d, int64_t k, int64_t pb, int64_t first, int64_t limit)
{
    int64_t n = 0;
    for (int64_t t = 0; t < k; t++) {
        int64_t i = o * s + t * d - pb;
        n += i >= first && i < limit;
    }
    return n;
}

/* Fills the Ho x Wo divisor map of an AveragePool. */
static void divisors(float *o, const ir_node *n, const cg_window *w, int sp)
{
    int include_pad = (int)ir_attr_int(n, "count_include_pad", 0);
    int64_t end[2] = {0, 0}; /* trailing pads (only counted with count_include_pad) */
    if (include_pad) {
        const char *ap = ir_attr_string(n, "auto_pad", "NOTSET");
        size_t cnt;
        const int64_t *pd = ir_attr_ints(n, "pads", &cnt);
        int64_t in[2] = {w->H, w->W}, out[2] = {w->Ho, w->Wo}, k[2] = {w->kh, w->kw};
        int64_t s[2] = {w->sh, w->sw}, dl[2] = {w->dh, w->dw}, pb[2] = {w->pt, w->pl};
        for (int e = 2 - sp; e < 2; e++) {
            int d = e - (2 - sp);
            if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
                int64_t total = (out[e] - 1) * s[e] + (k[e] - 1) * dl[e] + 1 - in[e];
                end[e] = (total < 0 ? 0 : total) - pb[e];
            } else if (strcmp(ap, "VALID") && pd && (int)cnt == 2 * sp) {
                end[e] = pd[sp + d];
            }
        }
    }
    for (int64_t oy = 0; oy < w->Ho; oy++) {
        int64_t cy = taps_counted(oy, w->sh, w->dh, w->kh, w->pt, include_pad ? -w->pt : 0, w->H + end[0]);
        for (int64_t ox = 0; ox < w->Wo; ox++) {
            int64_t cx = taps_counted(ox, w->sw, w->dw, w->kw, w->pl, include_pad ? -w->pl : 0, w->W + end[1]);
            /* no tap: the sum is 0 and so is the reference's average */
            *o++ = cy && cx ? (float)(cy * cx) : 1.0f;
        }
    }
}

int cg_pool(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *vx = &g->vals[n->in[0]], *vy = &g->vals[n->out[0]];
    if (vx->t.dtype != DT_F32 || vy->t.dtype != DT_F32 || vx->dynamic || vy->dynamic)
        return cg_decline(c, "not float32 or dynamic");
    if (n->n_out > 1 && n->out[1] >= 0)
        return cg_decline(c, "MaxPool Indices output");
    if (vy->t.rank != vx->t.rank)
        return cg_decline(c, "output rank");
    size_t cnt;
    const int64_t *ks = ir_attr_ints(n, "kernel_shape", &cnt);
    if (!ks || (int)cnt != vx->t.rank - 2)
        return cg_decline(c, "kernel_shape");
    pool_plan p;
    memset(&p, 0, sizeof p);
    const char *why = window_geometry(n, &vx->t, &vy->t, ks, &p.w);
    if (why)
        return cg_decline(c, why);
    cg_window *w = &p.w;
    if (vy->t.dims[0] != w->N || vy->t.dims[1] != w->C)
        return cg_decline(c, "output shape");
    p.is_max = n->op == OP_MaxPool;
    if (p.is_max && ir_attr_int(n, "storage_order", 0))
        return cg_decline(c, "storage_order");
    int L = c->tgt->lmul_max;
    while (L > 1 && 4 * (L / 2) >= w->Wo)
        L /= 2;
    p.lmul = L;
    p.vx = L == 1 ? 2 : L; /* v0, v1: masks */
    p.vt = p.vx + L;
    p.acc = p.vt + L;
    uint64_t ids[3];
    uint32_t id;
    int k = 0, rc;
    if ((rc = cg_value_tensor(c, n->in[0], &id)))
        return rc;
    ids[k++] = id;
    if (!p.is_max) {
        tensor dt = {DT_F32, 1, {w->Ho * w->Wo}, NULL, 0};
        void *fill;
        char name[256];
        snprintf(name, sizeof name, "%s.divisors", n->name);
        if ((rc = cg_weight_fill(c, name, &dt, &id, &fill)))
            return rc;
        divisors(fill, n, w, vx->t.rank - 2);
        ids[k++] = id;
    }
    if ((rc = cg_value_tensor(c, n->out[0], &id)))
        return rc;
    ids[k++] = id;
    cg_asm a;
    asm_init(&a);
    rc = emit_kernel(&a, &p);
    if (!rc) {
        int64_t outs = w->N * w->C * w->Ho * w->Wo;
        rc = cg_step(c, n, ids, (uint32_t)(k - 1), 1, NULL, 0, a.w, a.n * 4,
                     (uint64_t)(outs * w->kh * w->kw), (uint64_t)(4 * (w->N * w->C * w->H * w->W + outs)));
    }
    asm_free(&a);
    return rc;
}
