/* softmax.c - RVV Softmax over the last axis (f32): per row, a max
 * reduction (vfredmax), then exp(x - max) written out while it is summed
 * (vfredusum), then a division by the sum. The exp is vmath.c's; the
 * sum's order differs from the reference's, so results agree within a
 * few ULP (tests state the bound). */
#include "codegen.h"
#include "rows.h"
#include "vmath.h"

#include <math.h>
#include <string.h>

int cg_softmax(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *x = &g->vals[n->in[0]], *y = &g->vals[n->out[0]];
    if (x->t.dtype != DT_F32 || x->dynamic || x->t.rank < 1) {
        c->fallback_reason = "not a static float32 tensor";
        return RV_EUNSUPPORTED;
    }
    int rank = x->t.rank;
    int64_t axis = ir_attr_int(n, "axis", g->opset >= 13 ? -1 : 1);
    if (axis < 0)
        axis += rank;
    /* opset 13+: one axis; before: the trailing dims from axis are one
     * row. Both are plain rows when axis is the last dim. */
    if (axis < 0 || axis >= rank || (g->opset >= 13 && axis != rank - 1)) {
        c->fallback_reason = "softmax over an inner axis";
        return RV_EUNSUPPORTED;
    }
    int64_t R = 1, C = 1;
    for (int d = 0; d < rank; d++) {
        if (d < axis)
            R *= x->t.dims[d];
        else
            C *= x->t.dims[d];
    }
    if (!R || !C) {
        c->fallback_reason = "empty tensor";
        return RV_EUNSUPPORTED;
    }
    uint64_t ids[2];
    uint32_t id;
    int rc = cg_value_tensor(c, n->in[0], &id);
    ids[0] = id;
    if (!rc && !(rc = cg_value_tensor(c, n->out[0], &id)))
        ids[1] = id;
    if (rc)
        return rc;
    int L = c->tgt->lmul_max < 4 ? c->tgt->lmul_max : 4;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, S3, A0, 8);
    int rows = rows_begin(&a, R);
    /* max */
    asm_vsetvli(&a, T0, ZERO, 32, L);
    load_f32(&a, FT0, -INFINITY);
    asm_vfmv_s_f(&a, 1, FT0);
    int lp = row_sweep_begin(&a, C, S2, -1, L);
    asm_vle(&a, 32, 8, T2);
    asm_vfredmax(&a, 1, 8, 1);
    row_sweep_end(&a, lp, 0, 0);
    asm_vfmv_f_s(&a, FT1, 1);
    /* exp(x - max), stored and summed */
    asm_fmv_w_x(&a, FT2, ZERO);
    asm_vfmv_s_f(&a, 2, FT2);
    lp = row_sweep_begin(&a, C, S2, S3, L);
    asm_vle(&a, 32, 8, T2);
    asm_vf(&a, VF_SUB, 8, 8, FT1);
    vmath_exp(&a, 24, 8, 12, 16);
    asm_vse(&a, 32, 24, T3);
    asm_vfredusum(&a, 2, 24, 2);
    row_sweep_end(&a, lp, 1, 0);
    asm_vfmv_f_s(&a, FT2, 2);
    /* divide by the sum */
    lp = row_sweep_begin(&a, C, S3, S3, L);
    asm_vle(&a, 32, 8, T2);
    asm_vf(&a, VF_DIV, 8, 8, FT2);
    asm_vse(&a, 32, 8, T3);
    row_sweep_end(&a, lp, 1, 0);
    rows_end(&a, rows, C);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc)
        rc = cg_step(c, n, ids, 1, 1, NULL, 0, a.w, a.n * 4, (uint64_t)(R * C * 20),
                     (uint64_t)(R * C * 4 * 4));
    asm_free(&a);
    (void)y;
    return rc;
}
