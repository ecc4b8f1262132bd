/* norm.c - RVV LayerNormalization over the last axis (f32): per row the
 * mean (vfredusum), the variance of x - mean (a second pass, which is
 * more accurate than E[x^2] - mean^2), then (x - mean) * rstd * gamma +
 * beta with gamma and beta as vectors. The decomposed ReduceMean / Sub /
 * Pow / Sqrt / Div pattern of opset-13 exports is rewritten into this op
 * by passes/canonicalize.c, so both reach this kernel. */
#include "codegen.h"
#include "rows.h"

#include <string.h>

int cg_layernorm(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *x = &g->vals[n->in[0]];
    if (x->t.dtype != DT_F32 || x->dynamic || x->t.rank < 1 || n->n_out > 1) {
        c->fallback_reason = "not a static float32 tensor, or Mean/InvStdDev outputs requested";
        return RV_EUNSUPPORTED;
    }
    int rank = x->t.rank;
    int64_t axis = ir_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += rank;
    if (axis != rank - 1) {
        c->fallback_reason = "normalisation over more than the last axis";
        return RV_EUNSUPPORTED;
    }
    int64_t C = x->t.dims[rank - 1], R = 1;
    for (int d = 0; d < rank - 1; d++)
        R *= x->t.dims[d];
    const ir_value *gm = &g->vals[n->in[1]];
    const ir_value *bt = n->n_in > 2 && n->in[2] >= 0 ? &g->vals[n->in[2]] : NULL;
    int64_t ng = 0, nb = 0;
    tensor_numel(&gm->t, &ng);
    if (bt)
        tensor_numel(&bt->t, &nb);
    if (!R || !C || gm->t.dtype != DT_F32 || ng != C || (bt && (bt->t.dtype != DT_F32 || nb != C))) {
        c->fallback_reason = "scale/bias not a row of the normalised size";
        return RV_EUNSUPPORTED;
    }
    float eps = ir_attr_float(n, "epsilon", 1e-5f);
    uint64_t ids[4];
    uint32_t id;
    int rc = 0, k = 0;
    int vin[3] = {n->in[0], n->in[1], bt ? n->in[2] : -1};
    for (int i = 0; !rc && i < 3; i++)
        if (vin[i] >= 0 && !(rc = cg_value_tensor(c, vin[i], &id)))
            ids[k++] = id;
    if (!rc && !(rc = cg_value_tensor(c, n->out[0], &id)))
        ids[k++] = id;
    if (rc)
        return rc;
    int L = c->tgt->lmul_max < 4 ? c->tgt->lmul_max : 4;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, S4, A0, 8);                 /* gamma */
    if (bt) {
        asm_ld(&a, S5, A0, 16);            /* beta */
        asm_ld(&a, S3, A0, 24);
    } else {
        asm_ld(&a, S3, A0, 16);
    }
    load_f32(&a, FT5, 1.0f / (float)C);
    load_f32(&a, FT6, eps);
    int rows = rows_begin(&a, R);
    asm_vsetvli(&a, T0, ZERO, 32, L);
    asm_fmv_w_x(&a, FT0, ZERO);
    asm_vfmv_s_f(&a, 1, FT0);
    asm_vfmv_s_f(&a, 2, FT0);
    /* mean */
    int lp = row_sweep_begin(&a, C, S2, -1, L);
    asm_vle(&a, 32, 8, T2);
    asm_vfredusum(&a, 1, 8, 1);
    row_sweep_end(&a, lp, 0, 0);
    asm_vfmv_f_s(&a, FT1, 1);
    asm_fop_s(&a, FS_MUL, FT1, FT1, FT5);
    /* variance of x - mean */
    lp = row_sweep_begin(&a, C, S2, -1, L);
    asm_vle(&a, 32, 8, T2);
    asm_vf(&a, VF_SUB, 8, 8, FT1);
    asm_vv(&a, VF_MUL, 8, 8, 8);
    asm_vfredusum(&a, 2, 8, 2);
    row_sweep_end(&a, lp, 0, 0);
    asm_vfmv_f_s(&a, FT2, 2);
    asm_fop_s(&a, FS_MUL, FT2, FT2, FT5);
    asm_fop_s(&a, FS_ADD, FT2, FT2, FT6);
    asm_fsqrt_s(&a, FT2, FT2);              /* stddev; divide below like the reference */
    /* (x - mean) / stddev * gamma + beta */
    lp = row_sweep_begin(&a, C, S2, S3, L);
    asm_vle(&a, 32, 8, T2);
    asm_vf(&a, VF_SUB, 8, 8, FT1);
    asm_vf(&a, VF_DIV, 8, 8, FT2);
    asm_sub(&a, T5, T2, S2);                /* byte offset within the row */
    asm_add(&a, T6, S4, T5);
    asm_vle(&a, 32, 16, T6);
    asm_vv(&a, VF_MUL, 8, 8, 16);
    if (bt) {
        asm_add(&a, T6, S5, T5);
        asm_vle(&a, 32, 16, T6);
        asm_vv(&a, VF_ADD, 8, 8, 16);
    }
    asm_vse(&a, 32, 8, T3);
    row_sweep_end(&a, lp, 1, 0);
    rows_end(&a, rows, C);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc)
        rc = cg_step(c, n, ids, (uint32_t)(k - 1), 1, NULL, 0, a.w, a.n * 4, (uint64_t)(R * C * 8),
                     (uint64_t)(R * C * 4 * 3 + C * 8));
    asm_free(&a);
    return rc;
}
