/* gemm.c - RVV code for MatMul and Gemm (f32): a register-blocked
 * outer-product microkernel.
 *
 * C[m, n0:n0+vl] for MR rows at a time is held in MR vector register
 * groups; each k step loads one vector of B (vle32, or vlse32 when B is
 * transposed and not constant) and, per row, one scalar of A (flw) and
 * one vfmacc.vf. The B vector alternates between two register groups,
 * loaded one k step ahead (see emit_micro). Constant B is packed at
 * compile time into panels of Pw columns stored k-major (K x Pw
 * contiguous), so the vector loads of a panel are unit-stride and the
 * panel stays in L1 while all row blocks sweep it. Pw = VLMAX for a
 * fixed VLEN; for vector-length agnostic code Pw = the VLMAX of the
 * largest VLEN supported (1024) and a panel is strip-mined with vsetvli,
 * so the same code is right at any VLEN.
 *
 * Shapes are static, so loop counts, strides and the M tail are
 * constants in the code. The 2-D body is a local subroutine called once
 * per batch with the batch's base pointers in s1..s3.
 *
 * Register use: a0 argument array; a1..a4 A, B, C, bias bases; s1..s3
 * batch bases; s4 panel pointer; s5 column byte offset; s6 B k-step;
 * s7/s8 A/C row-block pointers; s9 row-block count; s10 k-loop count;
 * s11 B k pointer; t0 vl; t1 columns left in the panel; t2 B chunk
 * pointer; a5-a7, t3-t6 the MR row pointers; s0 scratch (the vlse32
 * stride through the k loop). Vector groups: the accumulators from v0,
 * the two B groups at v(32 - 2 LMUL) and v(32 - LMUL). Saved registers
 * and ra live in a 112-byte frame. */
#include "codegen.h"
#include "frame.h"
#include "vmath.h"

#include <stdio.h>
#include <string.h>

#define MR_MAX 7
#define K_UNROLL 8

enum { BIAS_ROW, BIAS_MAT, BIAS_SCALAR };

static const int row_reg[MR_MAX] = {A5, A6, A7, T3, T4, T5, T6};
static const int a_freg[MR_MAX] = {FT0, FT1, FT2, FT3, FT4, FT5, FT6};

typedef struct gemm_plan {
    int64_t M, N, K, batch;
    int lmul, mr;
    int64_t pw;             /* panel width (columns) */
    int64_t a_row, a_k;     /* A strides in bytes */
    int64_t b_k, b_n;       /* B strides in bytes (for packed B: b_n = 4, b_k = panel width * 4) */
    int64_t c_row;          /* C row stride in bytes */
    int packed;             /* B is a packed constant */
    int has_bias;           /* bias pointer in a4 */
    int bias_post;          /* Gemm's C applied after the k loop (else: the accumulators start as the row) */
    int bias_kind;          /* post: BIAS_ROW, BIAS_MAT or BIAS_SCALAR */
    float alpha, beta;      /* Gemm: alpha*A*B + beta*C (post mode) */
    int has_res;            /* residual added in the epilogue (base in a0) */
    int act;                /* 0 none, 1 relu, 2 gelu */
    float gelu_div;
    int64_t a_batch[64], b_batch[64], c_batch[64]; /* byte offsets per batch */
} gemm_plan;

/* The fused epilogue over the mr rows just stored (still in cache):
 * + residual, then Relu or GELU(erf) exactly as torch exports it
 * (x * (erf(x / c) + 1) * 0.5). Uses s10/s11 (free after the k loop)
 * and vector groups v8..v28 (free after the accumulators are stored). */
static void emit_epilogue(cg_asm *a, const gemm_plan *p, int mr)
{
    if (p->act == 1)
        asm_fmv_w_x(a, FA2, ZERO);
    for (int r = 0; r < mr; r++) {
        add_imm(a, S11, S8, p->c_row * r);
        asm_vle(a, 32, 8, S11);
        if (p->has_res) {
            asm_sub(a, S10, S11, A3); /* same offset in the residual */
            asm_add(a, S10, S10, A0);
            asm_vle(a, 32, 12, S10);
            asm_vv(a, VF_ADD, 8, 8, 12);
        }
        if (p->act == 1) {
            asm_vf(a, VF_MAX, 8, 8, FA2);
        } else if (p->act == 2) {
            load_f32(a, FA3, p->gelu_div);
            asm_vf(a, VF_DIV, 16, 8, FA3);
            vmath_erf(a, 24, 16, 12, 20, 28);
            load_f32(a, FA3, 1.0f);
            asm_vf(a, VF_ADD, 24, 24, FA3);
            asm_vv(a, VF_MUL, 8, 8, 24);
            load_f32(a, FA3, 0.5f);
            asm_vf(a, VF_MUL, 8, 8, FA3);
        }
        asm_vse(a, 32, 8, S11);
    }
}

/* The next B row into group v (vle32, or vlse32 with the stride in s0),
 * then the B pointer on by one k step. */
static void emit_b_load(cg_asm *a, const gemm_plan *p, int v)
{
    if (p->b_n == 4)
        asm_vle(a, 32, v, S11);
    else
        asm_vlse(a, 32, v, S11, S0);
    asm_add(a, S11, S11, S6);
}

/* One block of mr rows for the current vl: acc init, k loop, store. */
static void emit_micro(cg_asm *a, const gemm_plan *p, int mr)
{
    int L = p->lmul, vb = 32 - L, vb0 = 32 - 2 * L, vb1 = 32 - L;
    for (int r = 0; r < mr; r++) {
        if (r == 0)
            asm_mv(a, row_reg[0], S7);
        else
            add_imm(a, row_reg[r], S7, p->a_row * r);
    }
    for (int r = 0; r < mr; r++) {
        if (p->has_bias && !p->bias_post) {
            asm_add(a, S0, A4, S5);
            asm_vle(a, 32, r * L, S0);
        } else {
            asm_vmv_v_i(a, r * L, 0);
        }
    }
    asm_mv(a, S11, T2);
    if (p->b_n != 4)
        asm_li(a, S0, p->b_n); /* the vlse32 stride: s0 is scratch before here and after the k loop */
    /* Software-pipelined k loop over two B groups: step k's FMAs read
     * group k & 1 while the load of row k + 1 fills the other one, so
     * that load waits for no FMA still reading its register (WAR) and
     * its latency hides behind step k's FMAs. Row 0 is loaded up front;
     * the loop runs (K - 1) / K_UNROLL times, every step loading one row
     * ahead (always a row < K); the rest, 1..K_UNROLL steps, is straight
     * code whose last step loads nothing. K_UNROLL is even, so a step's
     * group is the same in every trip. */
    emit_b_load(a, p, vb0);
    int64_t full = (p->K - 1) / K_UNROLL, rest = p->K - full * K_UNROLL;
    for (int pass = 0; pass < 2; pass++) {
        int64_t steps = pass == 0 ? K_UNROLL : rest;
        int loop = -1;
        if (pass == 0) {
            if (!full)
                continue;
            asm_li(a, S10, full);
            loop = asm_label(a);
            asm_bind(a, loop);
        }
        for (int64_t k = 0; k < steps; k++) {
            int cur = k & 1 ? vb1 : vb0, next = k & 1 ? vb0 : vb1;
            if (pass == 0 || k + 1 < steps)
                emit_b_load(a, p, next);
            for (int r = 0; r < mr; r++)
                asm_flw(a, a_freg[r], row_reg[r], (int)(k * p->a_k));
            for (int r = 0; r < mr; r++)
                asm_vf(a, VF_MACC, r * L, cur, a_freg[r]);
        }
        if (pass == 0) {
            for (int r = 0; r < mr; r++)
                add_imm(a, row_reg[r], row_reg[r], p->a_k * K_UNROLL);
            asm_addi(a, S10, S10, -1);
            asm_bnez(a, S10, loop);
        }
    }
    for (int r = 0; r < mr; r++) {
        if (r == 0)
            asm_mv(a, row_reg[0], S8);
        else
            add_imm(a, row_reg[r], S8, p->c_row * r);
        if (p->alpha != 1.0f)
            asm_vf(a, VF_MUL, r * L, r * L, FT7);
        if (p->has_bias && p->bias_post) { /* + beta * C; the B group vb is free now */
            if (p->bias_kind == BIAS_SCALAR) {
                asm_vf(a, VF_ADD, r * L, r * L, FT9);
            } else {
                if (p->bias_kind == BIAS_ROW) {
                    asm_add(a, S0, A4, S5);
                } else { /* same offset as in the output */
                    asm_sub(a, S0, row_reg[r], S3);
                    asm_add(a, S0, S0, A4);
                }
                asm_vle(a, 32, vb, S0);
                if (p->beta != 1.0f)
                    asm_vf(a, VF_MUL, vb, vb, FT8);
                asm_vv(a, VF_ADD, r * L, r * L, vb);
            }
        }
        asm_vse(a, 32, r * L, row_reg[r]);
    }
    if (p->has_res || p->act)
        emit_epilogue(a, p, mr);
}

/* A panel of width w starting at s4 (B) / s5 (column bytes). */
static void emit_panel(cg_asm *a, const gemm_plan *p, int64_t w)
{
    int L = p->lmul;
    asm_li(a, T1, w);
    asm_mv(a, T2, S4);
    int chunk = asm_label(a);
    asm_bind(a, chunk);
    asm_vsetvli(a, T0, T1, 32, L);
    asm_mv(a, S7, S1);
    asm_add(a, S8, S3, S5);
    int64_t blocks = p->M / p->mr, tail = p->M % p->mr;
    if (blocks) {
        asm_li(a, S9, blocks);
        int rows = asm_label(a);
        asm_bind(a, rows);
        emit_micro(a, p, p->mr);
        add_imm(a, S7, S7, p->a_row * p->mr);
        add_imm(a, S8, S8, p->c_row * p->mr);
        asm_addi(a, S9, S9, -1);
        asm_bnez_far(a, S9, rows);
    }
    if (tail)
        emit_micro(a, p, (int)tail);
    /* advance by vl columns: B chunk pointer and column offset */
    asm_sub(a, T1, T1, T0);
    asm_li(a, S0, p->b_n);
    asm_mul(a, S0, S0, T0);
    asm_add(a, T2, T2, S0);
    asm_slli(a, S0, T0, 2);
    asm_add(a, S5, S5, S0);
    asm_bnez_far(a, T1, chunk);
}

static void emit_body(cg_asm *a, const gemm_plan *p)
{
    asm_mv(a, S4, S2);
    asm_li(a, S5, 0);
    int64_t full = p->N / p->pw, last = p->N % p->pw;
    for (int64_t i = 0; i < full; i++) {
        asm_li(a, S6, p->b_k);
        emit_panel(a, p, p->pw);
        add_imm(a, S4, S4, p->packed ? p->K * p->pw * 4 : p->pw * p->b_n);
        if (full > 4 && i == 0) {
            /* more panels: loop instead of repeating the panel code */
            asm_li(a, S10, full - 1);
            int lp = asm_label(a);
            asm_bind(a, lp);
            asm_sd(a, S10, SP, FRAME_SPARE);
            asm_li(a, S6, p->b_k);
            emit_panel(a, p, p->pw);
            add_imm(a, S4, S4, p->packed ? p->K * p->pw * 4 : p->pw * p->b_n);
            asm_ld(a, S10, SP, FRAME_SPARE);
            asm_addi(a, S10, S10, -1);
            asm_bnez_far(a, S10, lp);
            break;
        }
    }
    if (last) {
        asm_li(a, S6, p->packed ? last * 4 : p->b_k);
        emit_panel(a, p, last);
    }
    asm_ret(a);
}

static int emit_kernel(const gemm_plan *p, cg_asm *a)
{
    frame_enter(a);
    /* args: A, B, [bias], [residual], C; a0 itself last (residual base) */
    int k = 0;
    asm_ld(a, A1, A0, 8 * k++);
    asm_ld(a, A2, A0, 8 * k++);
    if (p->has_bias)
        asm_ld(a, A4, A0, 8 * k++);
    int res_slot = p->has_res ? k++ : -1;
    asm_ld(a, A3, A0, 8 * k++);
    if (res_slot >= 0)
        asm_ld(a, A0, A0, 8 * res_slot);
    if (p->alpha != 1.0f)
        load_f32(a, FT7, p->alpha);
    if (p->beta != 1.0f || (p->has_bias && p->bias_post && p->bias_kind == BIAS_SCALAR))
        load_f32(a, FT8, p->beta);
    if (p->has_bias && p->bias_post && p->bias_kind == BIAS_SCALAR) {
        asm_flw(a, FT9, A4, 0);
        asm_fop_s(a, FS_MUL, FT9, FT9, FT8);
    }
    int body = asm_label(a);
    for (int64_t b = 0; b < p->batch; b++) {
        add_imm(a, S1, A1, p->a_batch[b]);
        add_imm(a, S2, A2, p->b_batch[b]);
        add_imm(a, S3, A3, p->c_batch[b]);
        asm_call(a, body);
    }
    frame_leave(a);
    asm_bind(a, body);
    emit_body(a, p);
    return asm_finish(a);
}

/* Copies constant B (K x N with strides in elements) into panels at o. */
static void pack_b(float *o, const float *b, int64_t K, int64_t N, int64_t sk, int64_t sn, int64_t pw)
{
    for (int64_t n0 = 0; n0 < N; n0 += pw) {
        int64_t w = N - n0 < pw ? N - n0 : pw;
        for (int64_t k = 0; k < K; k++)
            for (int64_t j = 0; j < w; j++)
                *o++ = b[k * sk + (n0 + j) * sn];
    }
}

int cg_gemm(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *va = &g->vals[n->in[0]], *vb = &g->vals[n->in[1]], *vc = &g->vals[n->out[0]];
    const ir_value *vbias = NULL;
    int is_gemm = n->op == OP_Gemm, is_epi = n->op == OP_MatMulEpilogue, trans_b = 0;
    const ir_value *vres = NULL;
    if (va->t.dtype != DT_F32 || vb->t.dtype != DT_F32 || vc->t.dtype != DT_F32)
        return cg_decline(c, "not float32");
    if (va->t.rank < 2 || vb->t.rank < 2 || va->dynamic || vb->dynamic)
        return cg_decline(c, "1-D or dynamic operands");
    if (is_epi) {
        trans_b = (int)ir_attr_int(n, "transB", 0);
        if (n->n_in > 2 && n->in[2] >= 0)
            vbias = &g->vals[n->in[2]];
        if (n->n_in > 3 && n->in[3] >= 0)
            vres = &g->vals[n->in[3]];
        if (vbias && (vbias->kind != VAL_CONST || vbias->t.dtype != DT_F32))
            return cg_decline(c, "bias is not a float32 constant");
        if (vres && (vres->t.dtype != DT_F32 || !shape_equal(&vres->t, &vc->t)))
            return cg_decline(c, "residual shape");
    }
    int trans_a = 0, bias_kind = BIAS_ROW;
    float alpha = 1.0f, beta = 1.0f;
    if (is_gemm) {
        trans_a = (int)ir_attr_int(n, "transA", 0);
        trans_b = (int)ir_attr_int(n, "transB", 0);
        alpha = ir_attr_float(n, "alpha", 1.0f);
        beta = ir_attr_float(n, "beta", 1.0f);
        if (n->n_in > 2 && n->in[2] >= 0) {
            /* C broadcast to (M, N): a row, the whole matrix, or a scalar */
            vbias = &g->vals[n->in[2]];
            const tensor *t = &vbias->t;
            int64_t ne;
            if (t->dtype != DT_F32 || vbias->dynamic || tensor_numel(t, &ne) || va->t.rank != 2)
                return cg_decline(c, "Gemm bias not a static float32 tensor");
            int64_t last = t->rank ? t->dims[t->rank - 1] : 1, first = t->rank == 2 ? t->dims[0] : 1;
            if (ne == 1)
                bias_kind = BIAS_SCALAR;
            else if (first == 1 && last == vc->t.dims[1])
                bias_kind = BIAS_ROW;
            else if (t->rank == 2 && first == vc->t.dims[0] && last == vc->t.dims[1])
                bias_kind = BIAS_MAT;
            else
                return cg_decline(c, "Gemm bias broadcast along N (a column)");
        }
    }
    gemm_plan *p = mem_calloc(1, sizeof *p);
    if (!p)
        return err_set(RV_ENOMEM, "out of memory");
    int ra = va->t.rank, rb = vb->t.rank, rc_ = vc->t.rank;
    p->M = va->t.dims[ra - (trans_a ? 1 : 2)];
    p->K = va->t.dims[ra - (trans_a ? 2 : 1)];
    p->N = vc->t.dims[rc_ - 1];
    p->alpha = alpha;
    p->beta = beta;
    p->bias_kind = bias_kind;
    /* alpha, beta and all but a plain row add after the k loop */
    p->bias_post = alpha != 1.0f || beta != 1.0f || bias_kind != BIAS_ROW;
    int64_t kb = trans_b ? vb->t.dims[rb - 1] : vb->t.dims[rb - 2];
    if (kb != p->K || (trans_b ? vb->t.dims[rb - 2] : vb->t.dims[rb - 1]) != p->N) {
        mem_free(p);
        return cg_decline(c, "operand shapes do not line up");
    }
    /* batch: output dims before the last two; A/B broadcast over them */
    int64_t batch = 1;
    for (int d = 0; d < rc_ - 2; d++)
        batch *= vc->t.dims[d];
    if (batch > 64 || p->K == 0 || p->M == 0 || p->N == 0) {
        mem_free(p);
        return cg_decline(c, "more than 64 batches or an empty dimension");
    }
    p->batch = batch;
    for (int64_t b = 0; b < batch; b++) {
        int64_t rem = b, oa = 0, ob = 0, sa = p->M * p->K, sb = p->K * p->N;
        for (int d = rc_ - 3; d >= 0; d--) {
            int64_t i = rem % vc->t.dims[d];
            rem /= vc->t.dims[d];
            int da = d - (rc_ - ra), db = d - (rc_ - rb);
            if (da >= 0) {
                if (va->t.dims[da] != 1)
                    oa += i * sa;
                sa *= va->t.dims[da];
            }
            if (db >= 0) {
                if (vb->t.dims[db] != 1)
                    ob += i * sb;
                sb *= vb->t.dims[db];
            }
        }
        p->a_batch[b] = oa * 4;
        p->b_batch[b] = ob; /* elements; scaled below */
        p->c_batch[b] = b * p->M * p->N * 4;
    }
    p->lmul = c->tgt->lmul_max < 4 ? c->tgt->lmul_max : 4;
    /* the accumulators and two B groups: 6 rows at LMUL 4, 7 (MR_MAX) below */
    p->mr = 32 / p->lmul - 2 < MR_MAX ? 32 / p->lmul - 2 : MR_MAX;
    p->a_row = trans_a ? 4 : p->K * 4;
    p->a_k = trans_a ? p->M * 4 : 4;
    if ((K_UNROLL - 1) * p->a_k > 2047) { /* the unrolled flw offsets are 12-bit */
        mem_free(p);
        return cg_decline(c, "transposed A with more than 73 rows");
    }
    p->c_row = p->N * 4;
    p->has_bias = vbias != NULL;
    p->has_res = vres != NULL;
    if (is_epi) {
        const char *act = ir_attr_string(n, "activation", "none");
        p->act = !strcmp(act, "relu") ? 1 : !strcmp(act, "gelu") ? 2 : 0;
        p->gelu_div = ir_attr_float(n, "gelu_divisor", 1.4142135f);
    }
    unsigned vlen_for_panels = c->tgt->vlen ? c->tgt->vlen : 1024;
    int64_t vlmax = (int64_t)vlen_for_panels * p->lmul / 32;
    uint32_t idb;
    int rc;
    if (layout_wanted(g, n, 1) == LAYOUT_GEMM_PANEL) { /* the layout pass's decision */
        /* pack every distinct batch of B, straight into the module's weights */
        p->packed = 1;
        p->pw = vlmax;
        int64_t nbb = 1;
        for (int d = 0; d < rb - 2; d++)
            nbb *= vb->t.dims[d];
        for (int64_t b = 0; b < batch; b++)
            p->b_batch[b] *= 4; /* element offset of a batch == packed offset */
        p->b_n = 4;
        p->b_k = p->pw * 4;
        tensor pt = {DT_F32, 1, {nbb * p->K * p->N}, NULL, 0};
        char name[256];
        snprintf(name, sizeof name, "%s.packed%lld", vb->name, (long long)p->pw);
        void *fill;
        rc = cg_packed_weight(c, n, 1, LAYOUT_GEMM_PANEL, name, &pt, &idb, &fill);
        for (int64_t q = 0; !rc && q < nbb; q++) {
            const float *src = (const float *)vb->t.data + q * p->K * p->N;
            float *dst = (float *)fill + q * p->K * p->N;
            if (trans_b)
                pack_b(dst, src, p->K, p->N, 1, p->K, p->pw);
            else
                pack_b(dst, src, p->K, p->N, p->N, 1, p->pw);
        }
    } else {
        /* transposed: each k step is a strided load across B's rows */
        p->pw = p->N;
        p->b_n = trans_b ? p->K * 4 : 4;
        p->b_k = trans_b ? 4 : p->N * 4;
        for (int64_t b = 0; b < batch; b++)
            p->b_batch[b] *= 4;
        rc = cg_value_tensor(c, n->in[1], &idb);
    }
    uint64_t ids[5];
    uint32_t id;
    int k = 0;
    if (!rc && !(rc = cg_value_tensor(c, n->in[0], &id)))
        ids[k++] = id;
    ids[k++] = idb;
    if (!rc && vbias && !(rc = cg_value_tensor(c, n->in[2], &id)))
        ids[k++] = id;
    if (!rc && vres && !(rc = cg_value_tensor(c, n->in[3], &id)))
        ids[k++] = id;
    if (!rc && !(rc = cg_value_tensor(c, n->out[0], &id)))
        ids[k++] = id;
    if (rc) {
        mem_free(p);
        return rc;
    }
    cg_asm a;
    asm_init(&a);
    rc = emit_kernel(p, &a);
    if (!rc) {
        uint64_t flops = (uint64_t)(2 * p->M * p->N * p->K * p->batch);
        uint64_t bytes = (uint64_t)(4 * p->batch * (p->M * p->K + p->K * p->N + p->M * p->N));
        rc = cg_step(c, n, ids, (uint32_t)(k - 1), 1, NULL, 0, a.w, a.n * 4, flops, bytes);
    }
    asm_free(&a);
    mem_free(p);
    return rc;
}
