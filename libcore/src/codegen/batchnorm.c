/* batchnorm.c - RVV code for inference BatchNormalization (f32, NCHW or
 * any rank >= 2, constant per-channel parameters) that passes/fuse.c did
 * not fold into a preceding Conv.
 *
 * The four parameter vectors are folded at compile time (in double, as
 * the reference computes them) into one multiplier and one offset per
 * channel, k = scale / sqrt(var + eps) and t = B - mean * k, stored as a
 * constant table [k, t] x C. Each (batch, channel) plane is then one
 * strip-mined vfmadd: y = x * k + t. The reference evaluates
 * (x - mean) * k + B in double; the f32 result here differs by a few ULP
 * (rvvnn check: the ROWNORM family; tests/codegen/opcases.py states the
 * sweep's bound).
 *
 * Registers: a1 x, a2 table, a3 y; s1 plane count, s2 channel count,
 * s3 table pointer; t0 vl, t1 elements left, t2/t3 strip pointers. */
#include "codegen.h"
#include "frame.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cg_batchnorm(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *vx = &g->vals[n->in[0]], *vy = &g->vals[n->out[0]];
    if (vx->t.dtype != DT_F32 || vy->t.dtype != DT_F32 || vx->dynamic || vx->t.rank < 2 ||
        !shape_equal(&vx->t, &vy->t))
        return cg_decline(c, "not a static float32 tensor of rank >= 2");
    if (ir_attr_int(n, "training_mode", 0) || n->n_in != 5)
        return cg_decline(c, "training mode");
    for (int k = 1; k < n->n_out; k++)
        if (n->out[k] >= 0)
            return cg_decline(c, "running statistics requested");
    int64_t N = vx->t.dims[0], C = vx->t.dims[1], S = 1;
    for (int d = 2; d < vx->t.rank; d++)
        S *= vx->t.dims[d];
    if (N < 1 || C < 1 || S < 1)
        return cg_decline(c, "empty tensor");
    const float *prm[4];
    for (int k = 0; k < 4; k++) {
        const ir_value *v = n->in[k + 1] >= 0 ? &g->vals[n->in[k + 1]] : NULL;
        int64_t ne;
        if (!v || v->kind != VAL_CONST || v->t.dtype != DT_F32 || tensor_numel(&v->t, &ne) || ne != C)
            return cg_decline(c, "parameters are not float32 constants per channel");
        prm[k] = v->t.data;
    }
    tensor tt = {DT_F32, 1, {2 * C}, NULL, 0};
    char name[256];
    snprintf(name, sizeof name, "%s.scale_shift", n->name);
    uint32_t idt, id;
    void *fill;
    int rc = cg_packed_weight(c, n, 1, LAYOUT_SCALE_SHIFT, name, &tt, &idt, &fill);
    if (rc)
        return rc;
    double eps = ir_attr_float(n, "epsilon", 1e-5f);
    for (int64_t ch = 0; ch < C; ch++) {
        double k = (double)prm[0][ch] / sqrt((double)prm[3][ch] + eps);
        ((float *)fill)[2 * ch] = (float)k;
        ((float *)fill)[2 * ch + 1] = (float)((double)prm[1][ch] - (double)prm[2][ch] * k);
    }
    uint64_t ids[3];
    if ((rc = cg_value_tensor(c, n->in[0], &id)))
        return rc;
    ids[0] = id;
    ids[1] = idt;
    if ((rc = cg_value_tensor(c, n->out[0], &id)))
        return rc;
    ids[2] = id;
    int L = c->tgt->lmul_max;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, A1, A0, 0);
    asm_ld(&a, A2, A0, 8);
    asm_ld(&a, A3, A0, 16);
    asm_mv(&a, T2, A1);
    asm_mv(&a, T3, A3);
    asm_li(&a, S1, N);
    int batch = asm_label(&a), chan = asm_label(&a), strip = asm_label(&a);
    asm_bind(&a, batch);
    asm_mv(&a, S3, A2);
    asm_li(&a, S2, C);
    asm_bind(&a, chan);
    asm_flw(&a, FA0, S3, 0);
    asm_flw(&a, FA1, S3, 4);
    asm_li(&a, T1, S);
    asm_bind(&a, strip);
    asm_vsetvli(&a, T0, T1, 32, L);
    asm_vle(&a, 32, 8, T2);
    asm_vmv_v_i(&a, 16, 0); /* t, as 0 + t: qemu 7.2 runs vfmv.v.f in loops ~1000x slower */
    asm_vf(&a, VF_ADD, 16, 16, FA1);
    asm_vf(&a, VF_MACC, 16, 8, FA0); /* x * k + t, one rounding */
    asm_vse(&a, 32, 16, T3);
    asm_slli(&a, T6, T0, 2);
    asm_add(&a, T2, T2, T6);
    asm_add(&a, T3, T3, T6);
    asm_sub(&a, T1, T1, T0);
    asm_bnez(&a, T1, strip);
    asm_addi(&a, S3, S3, 8);
    asm_addi(&a, S2, S2, -1);
    asm_bnez(&a, S2, chan);
    asm_addi(&a, S1, S1, -1);
    asm_bnez(&a, S1, batch);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc)
        rc = cg_step(c, n, ids, 2, 1, NULL, 0, a.w, a.n * 4, (uint64_t)(2 * N * C * S),
                     (uint64_t)(8 * N * C * S + 8 * C));
    asm_free(&a);
    return rc;
}
