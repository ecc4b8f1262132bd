/* eltwise.c - RVV code for elementwise f32 operators with numpy
 * broadcasting:
 *  - binary arithmetic Add, Sub, Mul, Div; Max and Min with one to three
 *    inputs; PRelu; comparisons Equal, Less, Greater, LessOrEqual,
 *    GreaterOrEqual (bool output);
 *  - unary Relu, Neg, Abs, Sqrt, Reciprocal, Clip (constant or run-time
 *    bounds), Pow by a constant 2, 1 or 0.5, Floor, Ceil, Round, Sign,
 *    LeakyRelu, ThresholdedRelu, HardSigmoid, HardSwish, Softsign, and
 *    the vmath.c ones: Exp, Erf, Sigmoid, Tanh, Elu, Selu, Log, Softplus.
 *
 * Output dims are collapsed (nest_collapse) into at most three outer
 * loops around one strip-mined inner loop. An input broadcast along the
 * inner dim becomes a scalar operand (.vf form; vfrsub/vfrdiv when it is
 * the left operand of Sub/Div). The arithmetic ones, Max/Min/Clip (done
 * with compares and merges so NaN and signed zeros come out as the
 * reference's), the comparisons, Floor/Ceil/Round/Sign, LeakyRelu,
 * ThresholdedRelu and PRelu equal the reference executor bit for bit;
 * the others are within the bounds documented in vmath.c or stated in
 * tests/codegen/opcases.py. */
#include "codegen.h"
#include "nest.h"
#include "vmath.h"
#include "../exec/ref/ref.h"

#include <math.h>
#include <string.h>

enum { K_BIN, K_MAXMIN, K_PRELU, K_CMP, K_UN };
enum {
    U_NONE, U_RELU, U_NEG, U_ABS, U_SQRT, U_RECIP, U_CLIP, U_SQUARE, U_COPY, U_EXP, U_ERF, U_SIGMOID,
    U_TANH, U_HARDSIGMOID, U_HARDSWISH, U_LEAKYRELU, U_ELU, U_SELU, U_THRELU, U_SOFTSIGN, U_SIGN,
    U_FLOOR, U_CEIL, U_ROUND, U_LOG, U_SOFTPLUS
};

typedef struct ew_op {
    const char *name;
    int kind;     /* K_* */
    int vop;      /* VF_* (K_BIN, K_MAXMIN) or VMF_* (K_CMP) */
    int rvop;     /* the same with the scalar as the left operand; -1 = commutative */
    int unary;    /* U_* for K_UN */
    int scratch;  /* register groups the unary needs besides input and output */
} ew_op;

static const ew_op ew_ops[] = {
    {"Add", K_BIN, VF_ADD, -1, 0, 0},       {"Sub", K_BIN, VF_SUB, VF_RSUB, 0, 0},
    {"Mul", K_BIN, VF_MUL, -1, 0, 0},       {"Div", K_BIN, VF_DIV, VF_RDIV, 0, 0},
    {"Max", K_MAXMIN, VF_MAX, -1, 0, 0},    {"Min", K_MAXMIN, VF_MIN, -1, 0, 0},
    {"PRelu", K_PRELU, 0, -1, 0, 0},
    {"Equal", K_CMP, VMF_EQ, VMF_EQ, 0, 0}, {"Less", K_CMP, VMF_LT, VMF_GT, 0, 0},
    {"Greater", K_CMP, VMF_GT, VMF_LT, 0, 0}, {"LessOrEqual", K_CMP, VMF_LE, VMF_GE, 0, 0},
    {"GreaterOrEqual", K_CMP, VMF_GE, VMF_LE, 0, 0},
    {"Relu", K_UN, 0, 0, U_RELU, 0},        {"Neg", K_UN, 0, 0, U_NEG, 0},
    {"Abs", K_UN, 0, 0, U_ABS, 0},          {"Sqrt", K_UN, 0, 0, U_SQRT, 0},
    {"Reciprocal", K_UN, 0, 0, U_RECIP, 0}, {"Clip", K_UN, 0, 0, U_CLIP, 0},
    {"Pow", K_UN, 0, 0, U_NONE, 0},         {"Exp", K_UN, 0, 0, U_EXP, 2},
    {"Erf", K_UN, 0, 0, U_ERF, 3},          {"Sigmoid", K_UN, 0, 0, U_SIGMOID, 3},
    {"Tanh", K_UN, 0, 0, U_TANH, 3},        {"HardSigmoid", K_UN, 0, 0, U_HARDSIGMOID, 0},
    {"HardSwish", K_UN, 0, 0, U_HARDSWISH, 0}, {"LeakyRelu", K_UN, 0, 0, U_LEAKYRELU, 0},
    {"Elu", K_UN, 0, 0, U_ELU, 3},          {"Selu", K_UN, 0, 0, U_SELU, 3},
    {"ThresholdedRelu", K_UN, 0, 0, U_THRELU, 0}, {"Softsign", K_UN, 0, 0, U_SOFTSIGN, 0},
    {"Sign", K_UN, 0, 0, U_SIGN, 0},        {"Floor", K_UN, 0, 0, U_FLOOR, 1},
    {"Ceil", K_UN, 0, 0, U_CEIL, 1},        {"Round", K_UN, 0, 0, U_ROUND, 1},
    {"Log", K_UN, 0, 0, U_LOG, 4},          {"Softplus", K_UN, 0, 0, U_SOFTPLUS, 6},
};

#define EW_MAX_IN 3

typedef struct ew_plan {
    const ew_op *op;
    int unary;            /* effective U_* (Pow maps to square/sqrt/copy) */
    int n_in;             /* inputs walked by the loops (1..3) */
    float k[3];           /* op constants: alpha, beta, gamma */
    int clip_slot[2];     /* Clip bound read at run time from argument slot, else -1 */
    float clip[2];        /* constant Clip bounds */
    int q;                /* collapsed rank */
    int64_t dims[TENSOR_MAX_RANK], s[EW_MAX_IN + 1][TENSOR_MAX_RANK]; /* element strides; [n_in] = y */
    int lmul;
    int g[8];             /* register groups: g[0] input, g[1] output, then scratch */
    int break_tail;
} ew_plan;

/* Clamps vd to [lo, hi] by compare and merge: NaN stays NaN and -0 stays
 * -0, as in the reference's `v < lo ? lo : v > hi ? hi : v`. */
static void clamp(cg_asm *a, int vd, int flo, int fhi)
{
    asm_vmf_vf(a, VMF_LT, 0, vd, flo);
    asm_vfmerge_vfm(a, vd, vd, flo);
    asm_vmf_vf(a, VMF_GT, 0, vd, fhi);
    asm_vfmerge_vfm(a, vd, vd, fhi);
}

/* Constants a unary op needs in FA2..FA5, loaded once before its loop. */
static void unary_constants(cg_asm *a, const ew_plan *p)
{
    switch (p->unary) {
    case U_RELU: asm_fmv_w_x(a, FA2, ZERO); break;
    case U_RECIP: case U_SOFTSIGN: load_f32(a, FA2, 1.0f); break;
    case U_HARDSIGMOID:
        load_f32(a, FA2, p->k[0]);
        load_f32(a, FA3, p->k[1]);
        asm_fmv_w_x(a, FA4, ZERO);
        load_f32(a, FA5, 1.0f);
        break;
    case U_HARDSWISH:
        load_f32(a, FA2, 3.0f);
        load_f32(a, FA3, 6.0f);
        asm_fmv_w_x(a, FA4, ZERO);
        load_f32(a, FA5, 1.0f);
        break;
    case U_LEAKYRELU: case U_ELU: case U_THRELU:
        load_f32(a, FA2, p->k[0]);
        asm_fmv_w_x(a, FA3, ZERO);
        break;
    case U_SELU:
        load_f32(a, FA2, p->k[1]);                       /* gamma */
        load_f32(a, FA3, (float)((double)p->k[1] * p->k[0])); /* gamma * alpha */
        asm_fmv_w_x(a, FA4, ZERO);
        break;
    case U_SIGN:
        load_f32(a, FA2, 1.0f);
        load_f32(a, FA3, -1.0f);
        asm_fmv_w_x(a, FA4, ZERO);
        break;
    case U_FLOOR: case U_CEIL: case U_ROUND:
        load_f32(a, FA3, 8388608.0f); /* 2^23: from here on every f32 is an integer */
        if (p->unary != U_ROUND)
            asm_fsrmi(a, p->unary == U_FLOOR ? FRM_RDN : FRM_RUP);
        break;
    case U_SOFTPLUS:
        asm_fmv_w_x(a, FA2, ZERO);
        load_f32(a, FA3, -1.0f);
        load_f32(a, FA4, 1.0f);
        break;
    }
}

/* Floor, Ceil, Round: convert to an integer and back in the rounding
 * mode emit_inner set (down, up, nearest even), give the result x's sign
 * (so -0.5 -> -0), and keep x itself where |x| >= 2^23, inf or NaN. */
static void round_to_int(cg_asm *a, int vy, int vx, int vt)
{
    asm_vfcvt_x_f(a, vy, vx);
    asm_vfcvt_f_x(a, vy, vy);
    asm_vv(a, VF_SGNJ, vy, vy, vx);
    asm_vv(a, VF_SGNJX, vt, vx, vx);
    asm_vmf_vf(a, VMF_LT, 0, vt, FA3);
    asm_vmerge_vvm(a, vy, vx, vy);
}

/* vy = f(vx) for the unary ops; g[2..] are scratch groups. */
static void emit_unary(cg_asm *a, const ew_plan *p, int vy, int vx)
{
    const int *g = p->g;
    switch (p->unary) {
    case U_RELU: asm_vf(a, VF_MAX, vy, vx, FA2); break; /* maximumNumber(NaN, 0) = 0, as the reference */
    case U_NEG: asm_vv(a, VF_SGNJN, vy, vx, vx); break;
    case U_ABS: asm_vv(a, VF_SGNJX, vy, vx, vx); break;
    case U_SQRT: asm_vfsqrt(a, vy, vx); break;
    case U_RECIP: asm_vf(a, VF_RDIV, vy, vx, FA2); break;
    case U_SQUARE: asm_vv(a, VF_MUL, vy, vx, vx); break;
    case U_COPY: asm_vmv_v_v(a, vy, vx); break;
    case U_CLIP:
        asm_vmv_v_v(a, vy, vx);
        clamp(a, vy, FT8, FT9);
        break;
    case U_EXP: vmath_exp(a, vy, vx, g[2], g[3]); break;
    case U_ERF: vmath_erf(a, vy, vx, g[2], g[3], g[4]); break;
    case U_SIGMOID: vmath_sigmoid(a, vy, vx, g[2], g[3], g[4]); break;
    case U_TANH: vmath_tanh(a, vy, vx, g[2], g[3], g[4]); break;
    case U_LOG: vmath_log(a, vy, vx, g[2], g[3], g[4], g[5]); break;
    case U_HARDSIGMOID: /* alpha*x + beta with one rounding, clamped */
        asm_vfmv_v_f(a, vy, FA3);
        asm_vf(a, VF_MACC, vy, vx, FA2);
        clamp(a, vy, FA4, FA5);
        break;
    case U_HARDSWISH: /* x * clamp((x + 3) / 6): exact near x = -3 */
        asm_vf(a, VF_ADD, vy, vx, FA2);
        asm_vf(a, VF_DIV, vy, vy, FA3);
        clamp(a, vy, FA4, FA5);
        asm_vv(a, VF_MUL, vy, vy, vx);
        break;
    case U_LEAKYRELU:
        asm_vf(a, VF_MUL, vy, vx, FA2);
        asm_vmf_vf(a, VMF_LT, 0, vx, FA3);
        asm_vmerge_vvm(a, vy, vx, vy);
        break;
    case U_THRELU:
        asm_vmv_v_i(a, vy, 0);
        asm_vmf_vf(a, VMF_GT, 0, vx, FA2);
        asm_vmerge_vvm(a, vy, vy, vx);
        break;
    case U_ELU:
        vmath_expm1(a, vy, vx, g[2], g[3], g[4]);
        asm_vf(a, VF_MUL, vy, vy, FA2);
        asm_vmf_vf(a, VMF_GE, 0, vx, FA3);
        asm_vmerge_vvm(a, vy, vy, vx);
        break;
    case U_SELU:
        vmath_expm1(a, vy, vx, g[2], g[3], g[4]);
        asm_vf(a, VF_MUL, vy, vy, FA3);
        asm_vf(a, VF_MUL, g[2], vx, FA2);
        asm_vmf_vf(a, VMF_GT, 0, vx, FA4);
        asm_vmerge_vvm(a, vy, vy, g[2]);
        break;
    case U_SOFTSIGN:
        asm_vv(a, VF_SGNJX, vy, vx, vx);
        asm_vf(a, VF_ADD, vy, vy, FA2);
        asm_vv(a, VF_DIV, vy, vx, vy);
        break;
    case U_SIGN:
        asm_vmv_v_v(a, vy, vx); /* 0, -0 and NaN stay */
        asm_vmf_vf(a, VMF_GT, 0, vx, FA4);
        asm_vfmerge_vfm(a, vy, vy, FA2);
        asm_vmf_vf(a, VMF_LT, 0, vx, FA4);
        asm_vfmerge_vfm(a, vy, vy, FA3);
        break;
    case U_FLOOR: case U_CEIL: case U_ROUND: round_to_int(a, vy, vx, g[2]); break;
    case U_SOFTPLUS:
        /* max(x, 0) + log1p(t), t = exp(-|x|) in (0, 1]: log1p(t) as
         * log(u) * t / (u - 1) with u = 1 + t (u - 1 is exact), or t itself
         * where u rounds to 1 */
        asm_vf(a, VF_SGNJ, g[2], vx, FA3);        /* -|x| */
        vmath_exp(a, g[3], g[2], g[4], g[5]);     /* t */
        asm_vf(a, VF_MAX, vy, vx, FA2);           /* max(x, 0); NaN comes back through t */
        asm_vf(a, VF_ADD, g[2], g[3], FA4);       /* u */
        vmath_log(a, g[4], g[2], g[5], g[6], g[7], vx); /* log(u); x is not needed below */
        asm_vf(a, VF_SUB, g[5], g[2], FA4);       /* u - 1 */
        asm_vv(a, VF_DIV, g[5], g[3], g[5]);      /* t / (u - 1) */
        asm_vv(a, VF_MUL, g[4], g[4], g[5]);
        asm_vmf_vf(a, VMF_EQ, 0, g[2], FA4);
        asm_vmerge_vvm(a, g[4], g[4], g[3]);
        asm_vv(a, VF_ADD, vy, vy, g[4]);
        break;
    }
}

/* Max/Min step acc = op(acc, v) as the reference does it: v replaces acc
 * where v > acc (v < acc), and a NaN in v wins (a NaN acc already stays). */
static void maxmin_step(cg_asm *a, int is_max, int acc, int v)
{
    if (is_max)
        asm_vmf_vv(a, VMF_LT, 0, acc, v);
    else
        asm_vmf_vv(a, VMF_LT, 0, v, acc);
    asm_vmerge_vvm(a, acc, acc, v);
    asm_vmf_vv(a, VMF_NE, 0, v, v);
    asm_vmerge_vvm(a, acc, acc, v);
}

/* Inner-loop pointer registers: inputs t2, t3, t6; output t4. */
static const int in_ptr[EW_MAX_IN] = {T2, T3, T6};
static const int in_scalar[EW_MAX_IN] = {FT0, FT1, FT2};

/* Input k into group vd: a strip of the vector or the broadcast scalar. */
static void load_operand(cg_asm *a, const ew_plan *p, int k, int vd)
{
    if (p->s[k][p->q - 1])
        asm_vle(a, 32, vd, in_ptr[k]);
    else
        asm_vfmv_v_f(a, vd, in_scalar[k]);
}

static void emit_compute(cg_asm *a, const ew_plan *p)
{
    int n = p->q - 1, va = p->g[0], vy = p->g[1], vb = p->g[2];
    int a_vec = p->s[0][n] != 0, b_vec = p->n_in > 1 && p->s[1][n] != 0;
    switch (p->op->kind) {
    case K_UN:
        load_operand(a, p, 0, va);
        emit_unary(a, p, vy, va);
        break;
    case K_BIN:
        if (a_vec && b_vec) {
            asm_vle(a, 32, va, T2);
            asm_vle(a, 32, vb, T3);
            asm_vv(a, p->op->vop, vy, va, vb);
        } else if (b_vec) { /* scalar (op) vector */
            asm_vle(a, 32, vb, T3);
            asm_vf(a, p->op->rvop >= 0 ? p->op->rvop : p->op->vop, vy, vb, FT0);
        } else {
            asm_vle(a, 32, va, T2);
            asm_vf(a, p->op->vop, vy, va, FT1);
        }
        break;
    case K_MAXMIN:
        load_operand(a, p, 0, vy);
        for (int k = 1; k < p->n_in; k++) {
            load_operand(a, p, k, vb);
            maxmin_step(a, p->op->vop == VF_MAX, vy, vb);
        }
        break;
    case K_PRELU: /* x < 0 ? x * slope : x */
        load_operand(a, p, 0, va);
        load_operand(a, p, 1, vb);
        asm_vv(a, VF_MUL, vy, va, vb);
        asm_vmf_vf(a, VMF_LT, 0, va, FA2);
        asm_vmerge_vvm(a, vy, va, vy);
        break;
    case K_CMP: {
        int c = p->op->vop;
        if (a_vec && b_vec) {
            asm_vle(a, 32, va, T2);
            asm_vle(a, 32, vb, T3);
            if (c == VMF_GT || c == VMF_GE) /* no .vv form: swap the operands */
                asm_vmf_vv(a, c == VMF_GT ? VMF_LT : VMF_LE, 0, vb, va);
            else
                asm_vmf_vv(a, c, 0, va, vb);
        } else if (b_vec) {
            asm_vle(a, 32, vb, T3);
            asm_vmf_vf(a, p->op->rvop, 0, vb, FT0);
        } else {
            asm_vle(a, 32, va, T2);
            asm_vmf_vf(a, c, 0, va, FT1);
        }
        /* mask -> bytes: same vl at e8 with a quarter of the LMUL */
        int L = p->lmul, l8 = L >= 4 ? L / 4 : -(4 / L);
        asm_vsetvli(a, ZERO, ZERO, 8, l8);
        asm_vmv_v_i(a, vy, 0);
        asm_vmerge_vim(a, vy, vy, 1);
        break;
    }
    }
}

static void emit_inner(cg_asm *a, const void *ctx, int l)
{
    const ew_plan *p = ctx;
    int L = p->lmul, n = p->q - 1, vy = p->g[1], out_es = p->op->kind == K_CMP ? 1 : 4;
    asm_li(a, T1, p->dims[n]);
    for (int k = 0; k < p->n_in; k++) {
        asm_mv(a, in_ptr[k], nest_reg[k][l]);
        if (!p->s[k][n])
            asm_flw(a, in_scalar[k], nest_reg[k][l], 0);
    }
    asm_mv(a, T4, nest_reg[p->n_in][l]);
    if (p->op->kind == K_UN)
        unary_constants(a, p);
    if (p->op->kind == K_PRELU)
        asm_fmv_w_x(a, FA2, ZERO);
    int done = asm_label(a), loop = asm_label(a);
    if (p->break_tail)
        asm_vsetvli(a, T5, ZERO, 32, L); /* VLMAX */
    asm_bind(a, loop);
    if (p->break_tail)
        asm_bltu(a, T1, T5, done); /* test fault: the partial last strip is skipped */
    asm_vsetvli(a, T0, T1, 32, L);
    emit_compute(a, p);
    asm_vse(a, out_es * 8, vy, T4);
    asm_slli(a, S0, T0, 2);
    for (int k = 0; k < p->n_in; k++)
        if (p->s[k][n])
            asm_add(a, in_ptr[k], in_ptr[k], S0);
    if (out_es == 1)
        asm_add(a, T4, T4, T0);
    else
        asm_add(a, T4, T4, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez(a, T1, loop);
    asm_bind(a, done);
    if (p->unary == U_FLOOR || p->unary == U_CEIL)
        asm_fsrmi(a, FRM_RNE);
}

static int const_scalar(const ir_graph *g, int v, float *out)
{
    if (v < 0 || g->vals[v].kind != VAL_CONST || g->vals[v].t.dtype != DT_F32)
        return 0;
    int64_t n;
    if (tensor_numel(&g->vals[v].t, &n) || n != 1)
        return 0;
    *out = *(const float *)g->vals[v].t.data;
    return 1;
}

/* Clip bounds: attributes before opset 11, optional inputs after; a
 * bound that is not a constant is read from its tensor at run time. */
static int clip_bounds(cg_ctx *c, const ir_node *n, ew_plan *p, int *extra_in)
{
    const ir_graph *g = c->g;
    p->clip[0] = -INFINITY;
    p->clip[1] = INFINITY;
    p->clip_slot[0] = p->clip_slot[1] = -1;
    if (g->opset < 11) {
        p->clip[0] = ir_attr_float(n, "min", -INFINITY);
        p->clip[1] = ir_attr_float(n, "max", INFINITY);
        return 0;
    }
    for (int b = 0; b < 2; b++) {
        int v = n->n_in > b + 1 ? n->in[b + 1] : -1;
        int64_t ne;
        if (v < 0 || const_scalar(g, v, &p->clip[b]))
            continue;
        if (g->vals[v].t.dtype != DT_F32 || tensor_numel(&g->vals[v].t, &ne) || ne != 1)
            return cg_decline(c, "Clip bound is not a float32 scalar");
        extra_in[b] = v;
        p->clip_slot[b] = 1 + (b && extra_in[0] >= 0);
    }
    return 0;
}

/* Picks LMUL (as large as allowed while the op's register groups fit;
 * v0 is the mask) and the groups themselves. */
static void pick_registers(ew_plan *p, int lmul_max, int scratch)
{
    int need = 2 + (p->op->kind == K_UN ? scratch : 1);
    int L = lmul_max;
    while (L > 1 && 32 / L - 1 < need)
        L /= 2;
    p->lmul = L;
    for (int i = 0; i < 8; i++)
        p->g[i] = (i + 1) * L < 32 ? (i + 1) * L : 0;
    if (L == 8) { /* the pre-existing layout: input v8, output v24, second input v16 */
        p->g[0] = 8;
        p->g[1] = 24;
        p->g[2] = 16;
    }
}

int cg_eltwise(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    ew_plan p;
    memset(&p, 0, sizeof p);
    for (size_t i = 0; i < sizeof ew_ops / sizeof ew_ops[0]; i++)
        if (!strcmp(ew_ops[i].name, n->op_type))
            p.op = &ew_ops[i];
    if (!p.op)
        return cg_decline(c, "operator not vectorised");
    p.unary = p.op->unary;
    const ir_value *y = &g->vals[n->out[0]];
    int k = p.op->kind;
    p.n_in = k == K_UN ? 1 : k == K_MAXMIN ? n->n_in : 2;
    if ((k == K_BIN || k == K_CMP || k == K_PRELU) && n->n_in != 2)
        return cg_decline(c, "not two inputs");
    if (p.n_in < 1 || p.n_in > EW_MAX_IN)
        return cg_decline(c, "more than three inputs");
    for (int i = 0; i < p.n_in; i++)
        if (n->in[i] < 0 || g->vals[n->in[i]].t.dtype != DT_F32)
            return cg_decline(c, "not float32");
    if (y->dynamic || y->t.dtype != (k == K_CMP ? DT_BOOL : DT_F32))
        return cg_decline(c, "not float32 or dynamic");
    if (!strcmp(n->op_type, "Pow")) {
        float e;
        if (!const_scalar(g, n->in[1], &e) || (e != 2.0f && e != 1.0f && e != 0.5f))
            return cg_decline(c, "Pow exponent is not a constant 2, 1 or 0.5");
        p.unary = e == 2.0f ? U_SQUARE : e == 1.0f ? U_COPY : U_SQRT;
    }
    int extra_in[2] = {-1, -1};
    int rc;
    if (p.unary == U_CLIP && (rc = clip_bounds(c, n, &p, extra_in)))
        return rc;
    switch (p.unary) {
    case U_HARDSIGMOID:
        p.k[0] = ir_attr_float(n, "alpha", 0.2f);
        p.k[1] = ir_attr_float(n, "beta", 0.5f);
        break;
    case U_LEAKYRELU: p.k[0] = ir_attr_float(n, "alpha", 0.01f); break;
    case U_ELU: case U_THRELU: p.k[0] = ir_attr_float(n, "alpha", 1.0f); break;
    case U_SELU:
        p.k[0] = ir_attr_float(n, "alpha", 1.67326319217681884765625f);
        p.k[1] = ir_attr_float(n, "gamma", 1.05070102214813232421875f);
        break;
    }
    int64_t st[EW_MAX_IN + 1][TENSOR_MAX_RANK];
    for (int i = 0; i < p.n_in; i++)
        broadcast_strides(&y->t, &g->vals[n->in[i]].t, st[i]);
    tensor_strides(&y->t, st[p.n_in]);
    p.q = nest_collapse(&y->t, p.n_in + 1, (const int64_t (*)[TENSOR_MAX_RANK])st, p.dims, p.s);
    if (p.q > NEST_LEVELS + 1)
        return cg_decline(c, "broadcast pattern needs more than 3 loop levels");
    for (int i = 0; i < p.n_in; i++)
        if (p.s[i][p.q - 1] != 0 && p.s[i][p.q - 1] != 1)
            return cg_decline(c, "inner dim neither contiguous nor broadcast");
    pick_registers(&p, c->tgt->lmul_max, p.op->scratch);
    p.break_tail = c->tgt->break_tail_op[0] && !strcmp(c->tgt->break_tail_op, n->op_type);
    /* arguments: the loop inputs, run-time Clip bounds, the output */
    uint64_t ids[EW_MAX_IN + 3];
    int n_args = 0;
    int vals[EW_MAX_IN + 3];
    for (int i = 0; i < p.n_in; i++)
        vals[n_args++] = n->in[i];
    for (int b = 0; b < 2; b++)
        if (extra_in[b] >= 0)
            vals[n_args++] = extra_in[b];
    vals[n_args++] = n->out[0];
    if ((rc = cg_value_tensors(c, vals, n_args, ids)))
        return rc;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    for (int i = 0; i < p.n_in; i++)
        asm_ld(&a, nest_reg[i][0], A0, i * 8);
    asm_ld(&a, nest_reg[p.n_in][0], A0, (n_args - 1) * 8);
    if (p.unary == U_CLIP)
        for (int b = 0; b < 2; b++) {
            int f = b ? FT9 : FT8;
            if (p.clip_slot[b] >= 0) {
                asm_ld(&a, T0, A0, p.clip_slot[b] * 8);
                asm_flw(&a, f, T0, 0);
            } else {
                load_f32(&a, f, p.clip[b]);
            }
        }
    cg_nest nest = {.q = p.q, .n_ops = p.n_in + 1};
    for (int l = 0; l < p.q; l++) {
        nest.dims[l] = p.dims[l];
        for (int i = 0; i < p.n_in; i++)
            nest.stride[i][l] = p.s[i][l] * 4;
        nest.stride[p.n_in][l] = p.s[p.n_in][l] * (k == K_CMP ? 1 : 4);
    }
    nest_emit(&a, &nest, 0, emit_inner, &p);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc) {
        int64_t ne = 1;
        tensor_numel(&y->t, &ne);
        rc = cg_step(c, n, ids, (uint32_t)(n_args - 1), 1, NULL, 0, a.w, a.n * 4, (uint64_t)ne,
                     (uint64_t)ne * 4 * (uint64_t)(p.n_in + 1));
    }
    asm_free(&a);
    return rc;
}
