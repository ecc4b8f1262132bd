/* softmax.c - RVV Softmax and LogSoftmax (f32) over any axis.
 *
 * Over the last axis (or, before opset 13, the trailing dims from axis)
 * each row is contiguous: a max reduction (vfredmax), then exp(x - max)
 * summed (vfredusum) - Softmax writes it out and divides by the sum in a
 * third pass, LogSoftmax writes (x - max) - log(sum). Over an inner axis
 * (opset 13+, elements `inner` apart) the kernel vectorises across the
 * contiguous inner dims instead: per strip, running max, sum and output
 * vectors walk the axis with the same three passes.
 *
 * exp and log are vmath.c's; the sums' order differs from the
 * reference's, so results agree within a few ULP (tests state the
 * bound). */
#include "codegen.h"
#include "rows.h"
#include "vmath.h"

#include <math.h>
#include <string.h>

typedef struct sm_plan {
    int64_t R, D, I; /* outer rows, axis length, inner extent (stride of the axis) */
    int log, lmul;
    int g[8];
} sm_plan;

/* Walks the axis for the current strip: t4/t5 from t2/t3, s4 counting. */
static int axis_begin(cg_asm *a, const sm_plan *p, int with_y)
{
    asm_mv(a, T4, T2);
    if (with_y)
        asm_mv(a, T5, T3);
    asm_li(a, S4, p->D);
    int loop = asm_label(a);
    asm_bind(a, loop);
    return loop;
}

static void axis_end(cg_asm *a, const sm_plan *p, int loop, int with_y)
{
    add_imm(a, T4, T4, p->I * 4);
    if (with_y)
        add_imm(a, T5, T5, p->I * 4);
    asm_addi(a, S4, S4, -1);
    asm_bnez(a, S4, loop);
}

/* Inner axis: g0 max, g1 sum, g2 x, g3 exp, g4.. scratch. */
static void emit_columns(cg_asm *a, const sm_plan *p)
{
    const int *g = p->g;
    asm_ld(a, S2, A0, 0);
    asm_ld(a, S3, A0, 8);
    asm_li(a, S1, p->R);
    load_f32(a, FT0, -INFINITY);
    asm_fmv_w_x(a, FT2, ZERO);
    int rows = asm_label(a);
    asm_bind(a, rows);
    asm_li(a, T1, p->I);
    asm_mv(a, T2, S2);
    asm_mv(a, T3, S3);
    int strip = asm_label(a);
    asm_bind(a, strip);
    asm_vsetvli(a, T0, T1, 32, p->lmul);
    asm_vfmv_v_f(a, g[0], FT0);
    int lp = axis_begin(a, p, 0);
    asm_vle(a, 32, g[2], T4);
    asm_vv(a, VF_MAX, g[0], g[0], g[2]);
    axis_end(a, p, lp, 0);
    asm_vfmv_v_f(a, g[1], FT2);
    lp = axis_begin(a, p, !p->log);
    asm_vle(a, 32, g[2], T4);
    asm_vv(a, VF_SUB, g[2], g[2], g[0]);
    vmath_exp(a, g[3], g[2], g[4], g[5]);
    asm_vv(a, VF_ADD, g[1], g[1], g[3]);
    if (!p->log)
        asm_vse(a, 32, g[3], T5);
    axis_end(a, p, lp, !p->log);
    if (p->log)
        vmath_log(a, g[2], g[1], g[3], g[4], g[5], g[6]); /* g2 = log(sum) */
    lp = axis_begin(a, p, 1);
    if (p->log) {
        asm_vle(a, 32, g[3], T4);
        asm_vv(a, VF_SUB, g[3], g[3], g[0]);
        asm_vv(a, VF_SUB, g[3], g[3], g[2]);
    } else {
        asm_vle(a, 32, g[3], T5);
        asm_vv(a, VF_DIV, g[3], g[3], g[1]);
    }
    asm_vse(a, 32, g[3], T5);
    axis_end(a, p, lp, 1);
    asm_slli(a, S0, T0, 2);
    asm_add(a, T2, T2, S0);
    asm_add(a, T3, T3, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez_far(a, T1, strip);
    add_imm(a, S2, S2, p->D * p->I * 4);
    add_imm(a, S3, S3, p->D * p->I * 4);
    asm_addi(a, S1, S1, -1);
    asm_bnez_far(a, S1, rows);
}

/* Contiguous rows of C = D elements. */
static void emit_rows(cg_asm *a, const sm_plan *p)
{
    const int *g = p->g;
    int64_t C = p->D;
    int L = p->lmul;
    asm_ld(a, S3, A0, 8);
    int rows = rows_begin(a, p->R);
    /* max */
    asm_vsetvli(a, T0, ZERO, 32, L);
    load_f32(a, FT0, -INFINITY);
    asm_vfmv_s_f(a, 1, FT0);
    int lp = row_sweep_begin(a, C, S2, -1, L);
    asm_vle(a, 32, g[0], T2);
    asm_vfredmax(a, 1, g[0], 1);
    row_sweep_end(a, lp, 0, 0);
    asm_vfmv_f_s(a, FT1, 1);
    /* exp(x - max), summed (and stored for Softmax) */
    asm_fmv_w_x(a, FT2, ZERO);
    asm_vfmv_s_f(a, 2, FT2);
    lp = row_sweep_begin(a, C, S2, p->log ? -1 : S3, L);
    asm_vle(a, 32, g[0], T2);
    asm_vf(a, VF_SUB, g[0], g[0], FT1);
    vmath_exp(a, g[1], g[0], g[2], g[3]);
    if (!p->log)
        asm_vse(a, 32, g[1], T3);
    asm_vfredusum(a, 2, g[1], 2);
    row_sweep_end(a, lp, !p->log, 0);
    asm_vfmv_f_s(a, FT2, 2);
    if (p->log) {
        /* log(sum) on a one-element vector, then y = (x - max) - log(sum) */
        asm_vsetivli(a, ZERO, 1, 32, 1);
        asm_vfmv_s_f(a, g[0], FT2);
        vmath_log(a, g[1], g[0], g[2], g[3], g[4], g[5]);
        asm_vfmv_f_s(a, FT2, g[1]);
        lp = row_sweep_begin(a, C, S2, S3, L);
        asm_vle(a, 32, g[0], T2);
        asm_vf(a, VF_SUB, g[0], g[0], FT1);
        asm_vf(a, VF_SUB, g[0], g[0], FT2);
    } else {
        lp = row_sweep_begin(a, C, S3, S3, L);
        asm_vle(a, 32, g[0], T2);
        asm_vf(a, VF_DIV, g[0], g[0], FT2);
    }
    asm_vse(a, 32, g[0], T3);
    row_sweep_end(a, lp, 1, 0);
    rows_end(a, rows, C);
}

int cg_softmax(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *x = &g->vals[n->in[0]], *y = &g->vals[n->out[0]];
    if (x->t.dtype != DT_F32 || x->dynamic || y->dynamic || x->t.rank < 1) {
        c->fallback_reason = "not a static float32 tensor";
        return RV_EUNSUPPORTED;
    }
    sm_plan p;
    memset(&p, 0, sizeof p);
    p.log = !strcmp(n->op_type, "LogSoftmax");
    int rank = x->t.rank;
    int64_t axis = ir_attr_int(n, "axis", g->opset >= 13 ? -1 : 1);
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank) {
        c->fallback_reason = "axis out of range";
        return RV_EUNSUPPORTED;
    }
    /* opset 13+: one axis; before: the trailing dims from axis are one row */
    p.R = p.D = p.I = 1;
    for (int d = 0; d < rank; d++) {
        int64_t e = x->t.dims[d];
        if (d < axis)
            p.R *= e;
        else if (d == axis || g->opset < 13)
            p.D *= e;
        else
            p.I *= e;
    }
    if (!p.R || !p.D || !p.I) {
        c->fallback_reason = "empty tensor";
        return RV_EUNSUPPORTED;
    }
    /* register groups from v4 (v1, v2 hold the row reductions' scalars) */
    int need = p.I > 1 ? 7 : 6;
    p.lmul = c->tgt->lmul_max;
    while (p.lmul > 1 && (32 - 4) / p.lmul < need)
        p.lmul /= 2;
    for (int i = 0; i < 8; i++)
        p.g[i] = 4 + i * p.lmul;
    uint64_t ids[2];
    int rc = cg_value_tensors(c, (const int[]){n->in[0], n->out[0]}, 2, ids);
    if (rc)
        return rc;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    if (p.I > 1)
        emit_columns(&a, &p);
    else
        emit_rows(&a, &p);
    frame_leave(&a);
    rc = asm_finish(&a);
    int64_t ne = p.R * p.D * p.I;
    if (!rc)
        rc = cg_step(c, n, ids, 1, 1, NULL, 0, a.w, a.n * 4, (uint64_t)(ne * 20), (uint64_t)(ne * 4 * 4));
    asm_free(&a);
    return rc;
}
