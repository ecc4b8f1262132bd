/* eltwise.c - RVV code for elementwise f32 operators with numpy
 * broadcasting: Add, Sub, Mul, Div, Max, Min, Pow by a constant 2, 1 or
 * 0.5, and Relu, Neg, Abs, Sqrt, Reciprocal, Clip with constant bounds,
 * Exp and Erf (vmath.c polynomials).
 *
 * Output dims are collapsed (size-1 dims dropped, neighbours merged when
 * both inputs stay contiguous across them) into at most three outer
 * loops around one strip-mined inner loop. An input broadcast along the
 * inner dim becomes a scalar operand (.vf form; vfrsub/vfrdiv when it is
 * the left operand of Sub/Div). The arithmetic ones are correctly rounded
 * in IEEE f32, so results equal the reference executor's bit for bit;
 * Exp and Erf are within the bounds documented in vmath.c. */
#include "codegen.h"
#include "nest.h"
#include "vmath.h"
#include "../exec/ref/ref.h"

#include <math.h>
#include <string.h>

enum { U_NONE, U_RELU, U_NEG, U_ABS, U_SQRT, U_RECIP, U_CLIP, U_SQUARE, U_COPY, U_EXP, U_ERF };

typedef struct ew_op {
    const char *name;
    int binary;
    int vop;      /* VF_* for binaries */
    int rvop;     /* VF_* when the scalar is the left operand, -1 = commutative */
    int unary;    /* U_* for unaries */
} ew_op;

static const ew_op ew_ops[] = {
    {"Add", 1, VF_ADD, -1, U_NONE},  {"Sub", 1, VF_SUB, VF_RSUB, U_NONE},
    {"Mul", 1, VF_MUL, -1, U_NONE},  {"Div", 1, VF_DIV, VF_RDIV, U_NONE},
    {"Max", 1, VF_MAX, -1, U_NONE},  {"Min", 1, VF_MIN, -1, U_NONE},
    {"Relu", 0, 0, 0, U_RELU},       {"Neg", 0, 0, 0, U_NEG},
    {"Abs", 0, 0, 0, U_ABS},         {"Sqrt", 0, 0, 0, U_SQRT},
    {"Reciprocal", 0, 0, 0, U_RECIP}, {"Clip", 0, 0, 0, U_CLIP},
    {"Pow", 0, 0, 0, U_NONE},        {"Exp", 0, 0, 0, U_EXP},
    {"Erf", 0, 0, 0, U_ERF},
};

#define EW_LEVELS NEST_LEVELS
#define PA nest_reg[0]
#define PB nest_reg[1]
#define PY nest_reg[2]

typedef struct ew_plan {
    const ew_op *op;
    int unary;            /* effective U_* (Pow maps to square/sqrt/copy) */
    float lo, hi;         /* Clip bounds */
    int q;                /* collapsed rank */
    int64_t dims[TENSOR_MAX_RANK], sa[TENSOR_MAX_RANK], sb[TENSOR_MAX_RANK], sy[TENSOR_MAX_RANK];
    int lmul;
    int break_tail;
} ew_plan;

static void emit_inner(cg_asm *a, const void *ctx, int l)
{
    const ew_plan *p = ctx;
    int L = p->lmul, va = 8, vb = 16, vy = 24, n = p->q - 1;
    int a_vec = p->sa[n] != 0, b_vec = p->op->binary && p->sb[n] != 0;
    asm_li(a, T1, p->dims[n]);
    asm_mv(a, T2, PA[l]);
    asm_mv(a, T3, PB[l]);
    asm_mv(a, T4, PY[l]);
    if (!a_vec)
        asm_flw(a, FA0, PA[l], 0);
    if (p->op->binary && !b_vec)
        asm_flw(a, FA1, PB[l], 0);
    /* constants the loop needs, hoisted out of it */
    switch (p->unary) {
    case U_RELU: asm_fmv_w_x(a, FA2, ZERO); break;
    case U_RECIP: load_f32(a, FA2, 1.0f); break;
    case U_CLIP: load_f32(a, FA2, p->lo); load_f32(a, FA3, p->hi); break;
    }
    int done = asm_label(a), loop = asm_label(a);
    if (p->break_tail)
        asm_vsetvli(a, T5, ZERO, 32, L); /* VLMAX */
    asm_bind(a, loop);
    if (p->break_tail)
        asm_bltu(a, T1, T5, done); /* test fault: the partial last strip is skipped */
    asm_vsetvli(a, T0, T1, 32, L);
    if (a_vec)
        asm_vle(a, 32, va, T2);
    else if (!(p->op->binary && b_vec))
        asm_vfmv_v_f(a, va, FA0);
    if (p->op->binary) {
        if (b_vec && a_vec) {
            asm_vle(a, 32, vb, T3);
            asm_vv(a, p->op->vop, vy, va, vb);
        } else if (b_vec) { /* scalar (op) vector */
            asm_vle(a, 32, vb, T3);
            asm_vf(a, p->op->rvop >= 0 ? p->op->rvop : p->op->vop, vy, vb, FA0);
        } else {
            asm_vf(a, p->op->vop, vy, va, FA1);
        }
    } else {
        switch (p->unary) {
        case U_RELU: asm_vf(a, VF_MAX, vy, va, FA2); break;
        case U_NEG: asm_vv(a, VF_SGNJN, vy, va, va); break;
        case U_ABS: asm_vv(a, VF_SGNJX, vy, va, va); break;
        case U_SQRT: asm_vfsqrt(a, vy, va); break;
        case U_RECIP: asm_vf(a, VF_RDIV, vy, va, FA2); break;
        case U_SQUARE: asm_vv(a, VF_MUL, vy, va, va); break;
        case U_COPY: asm_vmv_v_v(a, vy, va); break;
        case U_CLIP:
            asm_vf(a, VF_MAX, vy, va, FA2);
            asm_vf(a, VF_MIN, vy, vy, FA3);
            break;
        case U_EXP: vmath_exp(a, vy, va, 12, 16); break;
        case U_ERF: vmath_erf(a, vy, va, 12, 16, 20); break;
        }
    }
    asm_vse(a, 32, vy, T4);
    asm_slli(a, S0, T0, 2);
    if (a_vec)
        asm_add(a, T2, T2, S0);
    if (b_vec)
        asm_add(a, T3, T3, S0);
    asm_add(a, T4, T4, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez(a, T1, loop);
    asm_bind(a, done);
}

static int decline(cg_ctx *c, const char *why)
{
    c->fallback_reason = why;
    return RV_EUNSUPPORTED;
}

/* Collapses y's dims with per-input element strides into p. */
static int collapse(ew_plan *p, const tensor *y, const tensor *ta, const tensor *tb)
{
    int64_t sa[TENSOR_MAX_RANK], sb[TENSOR_MAX_RANK], sy[TENSOR_MAX_RANK];
    broadcast_strides(y, ta, sa);
    if (tb)
        broadcast_strides(y, tb, sb);
    else
        memset(sb, 0, sizeof sb);
    tensor_strides(y, sy);
    p->q = 0;
    for (int d = 0; d < y->rank; d++) {
        if (y->dims[d] == 1)
            continue;
        int q = p->q;
        if (q && p->sa[q - 1] == sa[d] * y->dims[d] && p->sb[q - 1] == sb[d] * y->dims[d]) {
            p->dims[q - 1] *= y->dims[d];
            p->sa[q - 1] = sa[d];
            p->sb[q - 1] = sb[d];
            p->sy[q - 1] = sy[d];
            continue;
        }
        p->dims[q] = y->dims[d];
        p->sa[q] = sa[d];
        p->sb[q] = sb[d];
        p->sy[q] = sy[d];
        p->q++;
    }
    if (!p->q) { /* a single element */
        p->q = 1;
        p->dims[0] = 1;
        p->sa[0] = 1;
        p->sb[0] = tb ? 1 : 0;
        p->sy[0] = 1;
    }
    /* the inner dim must be unit-stride or broadcast for each input */
    int n = p->q - 1;
    if ((p->sa[n] != 0 && p->sa[n] != 1) || (p->sb[n] != 0 && p->sb[n] != 1) || p->q > EW_LEVELS + 1)
        return -1;
    return 0;
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

int cg_eltwise(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    ew_plan p;
    memset(&p, 0, sizeof p);
    for (size_t i = 0; i < sizeof ew_ops / sizeof ew_ops[0]; i++)
        if (!strcmp(ew_ops[i].name, n->op_type))
            p.op = &ew_ops[i];
    if (!p.op)
        return decline(c, "operator not vectorised");
    p.unary = p.op->unary;
    const ir_value *y = &g->vals[n->out[0]];
    int n_vec_in = p.op->binary ? 2 : 1;
    if (p.op->binary && n->n_in != 2)
        return decline(c, "variadic form");
    for (int k = 0; k < n_vec_in; k++)
        if (n->in[k] < 0 || g->vals[n->in[k]].t.dtype != DT_F32)
            return decline(c, "not float32");
    if (y->t.dtype != DT_F32 || y->dynamic)
        return decline(c, "not float32 or dynamic");
    if (!strcmp(n->op_type, "Pow")) {
        float e;
        if (!const_scalar(g, n->in[1], &e) || (e != 2.0f && e != 1.0f && e != 0.5f))
            return decline(c, "Pow exponent is not a constant 2, 1 or 0.5");
        p.unary = e == 2.0f ? U_SQUARE : e == 1.0f ? U_COPY : U_SQRT;
    }
    if (p.unary == U_CLIP) {
        p.lo = -INFINITY;
        p.hi = INFINITY;
        if (g->opset < 11) {
            p.lo = ir_attr_float(n, "min", -INFINITY);
            p.hi = ir_attr_float(n, "max", INFINITY);
        } else {
            if ((n->n_in > 1 && n->in[1] >= 0 && !const_scalar(g, n->in[1], &p.lo)) ||
                (n->n_in > 2 && n->in[2] >= 0 && !const_scalar(g, n->in[2], &p.hi)))
                return decline(c, "Clip bounds are not constants");
        }
    }
    const tensor *tb = p.op->binary ? &g->vals[n->in[1]].t : NULL;
    if (collapse(&p, &y->t, &g->vals[n->in[0]].t, tb))
        return decline(c, "broadcast pattern needs more than 3 loop levels");
    p.lmul = c->tgt->lmul_max;
    /* the math sequences need five register groups besides v0 */
    if ((p.unary == U_EXP || p.unary == U_ERF) && p.lmul > 4)
        p.lmul = 4;
    p.break_tail = c->tgt->break_tail_op[0] && !strcmp(c->tgt->break_tail_op, n->op_type);
    uint64_t ids[3];
    uint32_t id;
    int rc = 0, k = 0;
    for (int i = 0; !rc && i < n_vec_in; i++)
        if (!(rc = cg_value_tensor(c, n->in[i], &id)))
            ids[k++] = id;
    if (!rc && !(rc = cg_value_tensor(c, n->out[0], &id)))
        ids[k++] = id;
    if (rc)
        return rc;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, PA[0], A0, 0);
    if (p.op->binary) {
        asm_ld(&a, PB[0], A0, 8);
        asm_ld(&a, PY[0], A0, 16);
    } else {
        asm_mv(&a, PB[0], ZERO);
        asm_ld(&a, PY[0], A0, 8);
    }
    cg_nest nest = {.q = p.q};
    for (int l = 0; l < p.q; l++) {
        nest.dims[l] = p.dims[l];
        nest.stride[0][l] = p.sa[l] * 4;
        nest.stride[1][l] = p.sb[l] * 4;
        nest.stride[2][l] = p.sy[l] * 4;
    }
    nest_emit(&a, &nest, 0, emit_inner, &p);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc) {
        int64_t ne = 1;
        tensor_numel(&y->t, &ne);
        rc = cg_step(c, n, ids, (uint32_t)n_vec_in, 1, NULL, 0, a.w, a.n * 4, (uint64_t)ne,
                     (uint64_t)ne * 4 * (uint64_t)(n_vec_in + 1));
    }
    asm_free(&a);
    return rc;
}
