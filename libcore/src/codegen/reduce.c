/* reduce.c - RVV code for ReduceSum, ReduceMean, ReduceMax, ReduceMin,
 * ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum,
 * ReduceLogSumExp (any axes, keepdims or not) and GlobalAveragePool /
 * GlobalMaxPool, f32.
 *
 * The input's dims collapse into alternating kept and reduced groups
 * (size-1 dims dropped, neighbours of the same kind merged). Two shapes
 * of kernel:
 *  - vertical: vectorise across a kept group (the innermost kept one):
 *    each strip of outputs keeps its accumulators in a register group
 *    while loops over every reduced group add in whole vectors, loaded
 *    with unit stride when that kept group is the innermost dim and with
 *    strided loads otherwise (short innermost reductions: many outputs,
 *    few inputs each);
 *  - horizontal: when the innermost group is reduced and long (>= 16) or
 *    nothing is kept, each output is a strip-mined reduction of rows
 *    (vfredusum / vfredmax / vfredmin into one element).
 * Outer kept groups are loops around either (nest.h). Sums run in f32 in
 * another order than the reference's double, so results agree within
 * the reduction tolerance (tests/codegen/opcases.py states it); Max and
 * Min are exact, and a NaN anywhere in a reduction gives NaN, as in the
 * reference. LogSum and LogSumExp use vmath.c's log and exp; LogSumExp
 * subtracts the maximum first like the reference. */
#include "codegen.h"
#include "nest.h"
#include "vmath.h"

#include <math.h>
#include <string.h>

enum { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_L1, R_L2, R_SUMSQ, R_LOGSUM, R_LSE };

static const struct {
    const char *name;
    int kind;
} rd_ops[] = {
    {"ReduceSum", R_SUM},         {"ReduceMean", R_MEAN},     {"ReduceMax", R_MAX},
    {"ReduceMin", R_MIN},         {"ReduceProd", R_PROD},     {"ReduceL1", R_L1},
    {"ReduceL2", R_L2},           {"ReduceSumSquare", R_SUMSQ}, {"ReduceLogSum", R_LOGSUM},
    {"ReduceLogSumExp", R_LSE},   {"GlobalAveragePool", R_MEAN}, {"GlobalMaxPool", R_MAX},
};

#define RD_LOOPS 3

typedef struct rd_plan {
    int kind, horiz, lmul;
    int g[8];                       /* vector register groups */
    int64_t count;                  /* reduced elements per output */
    int n_red;                      /* reduced loops inside each output (or strip) */
    int64_t r_n[RD_LOOPS], r_xs[RD_LOOPS]; /* extent, x stride in bytes */
    int64_t inner_n, inner_xs;      /* vertical: strip extent and x stride (bytes); horizontal: row */
} rd_plan;

/* Reduced-loop registers (the outer kept loops use nest.h's operands 0
 * and 1; these are what nest.h leaves free). */
static const int r_base[RD_LOOPS] = {A1, A2, A3}, r_cnt[RD_LOOPS] = {S3, S6, S9};

/* Float constants held across the kernel. */
#define F_INIT FT8   /* accumulator start: 0, 1, -inf or +inf */
#define F_NAN FT9
#define F_COUNT FT10 /* reduced count, for Mean */
#define F_MAX FT11   /* LogSumExp: the row's maximum (horizontal) */

typedef void (*rd_body_fn)(cg_asm *a, const rd_plan *p, int ptr, int pass);

static void reduced_loops(cg_asm *a, const rd_plan *p, int depth, int base, rd_body_fn body, int pass)
{
    if (depth == p->n_red) {
        body(a, p, base, pass);
        return;
    }
    int r = r_base[depth], cnt = r_cnt[depth];
    asm_mv(a, r, base);
    asm_li(a, cnt, p->r_n[depth]);
    int loop = asm_label(a);
    asm_bind(a, loop);
    reduced_loops(a, p, depth + 1, r, body, pass);
    add_imm(a, r, r, p->r_xs[depth]);
    asm_addi(a, cnt, cnt, -1);
    asm_bnez_far(a, cnt, loop);
}

/* ---- vertical: g[0] accumulator, g[1] loaded strip; LogSumExp: g[0]
 * max, g[2] sum, g[3..5] exp ---- */
static void vert_body(cg_asm *a, const rd_plan *p, int ptr, int pass)
{
    int acc = p->g[0], vx = p->g[1];
    if (p->inner_xs == 4)
        asm_vle(a, 32, vx, ptr);
    else
        asm_vlse(a, 32, vx, ptr, T4);
    switch (p->kind) {
    case R_SUM: case R_MEAN: case R_LOGSUM: asm_vv(a, VF_ADD, acc, acc, vx); break;
    case R_L1:
        asm_vv(a, VF_SGNJX, vx, vx, vx);
        asm_vv(a, VF_ADD, acc, acc, vx);
        break;
    case R_L2: case R_SUMSQ: asm_vv(a, VF_MACC, acc, vx, vx); break;
    case R_PROD: asm_vv(a, VF_MUL, acc, acc, vx); break;
    case R_MAX: case R_MIN:
        asm_vv(a, p->kind == R_MAX ? VF_MAX : VF_MIN, acc, acc, vx);
        asm_vmf_vv(a, VMF_NE, 2, vx, vx); /* NaN seen: sticky in v1 */
        asm_vmor_mm(a, 1, 1, 2);
        break;
    case R_LSE:
        if (pass == 0) {
            asm_vv(a, VF_MAX, acc, acc, vx);
        } else {
            asm_vv(a, VF_SUB, vx, vx, acc);
            vmath_exp(a, p->g[3], vx, p->g[4], p->g[5]);
            asm_vv(a, VF_ADD, p->g[2], p->g[2], p->g[3]);
        }
        break;
    }
}

static void vert_inner(cg_asm *a, const void *ctx, int l)
{
    const rd_plan *p = ctx;
    int acc = p->g[0];
    asm_li(a, T1, p->inner_n);
    asm_mv(a, T2, nest_reg[0][l]);
    asm_mv(a, T3, nest_reg[1][l]);
    if (p->inner_xs != 4)
        asm_li(a, T4, p->inner_xs);
    int loop = asm_label(a);
    asm_bind(a, loop);
    asm_vsetvli(a, T0, T1, 32, p->lmul);
    asm_vfmv_v_f(a, acc, F_INIT);
    if (p->kind == R_MAX || p->kind == R_MIN)
        asm_vmf_vv(a, VMF_NE, 1, acc, acc); /* all clear */
    reduced_loops(a, p, 0, T2, vert_body, 0);
    switch (p->kind) {
    case R_MEAN: asm_vf(a, VF_DIV, acc, acc, F_COUNT); break;
    case R_L2: asm_vfsqrt(a, acc, acc); break;
    case R_LOGSUM:
        vmath_log(a, p->g[1], acc, p->g[2], p->g[3], p->g[4], p->g[5]);
        acc = p->g[1];
        break;
    case R_MAX: case R_MIN:
        asm_vmor_mm(a, 0, 1, 1);
        asm_vfmerge_vfm(a, acc, acc, F_NAN);
        break;
    case R_LSE:
        asm_fmv_w_x(a, FT0, ZERO);
        asm_vfmv_v_f(a, p->g[2], FT0);
        reduced_loops(a, p, 0, T2, vert_body, 1);
        vmath_log(a, p->g[1], p->g[2], p->g[3], p->g[4], p->g[5], p->g[6]);
        asm_vv(a, VF_ADD, p->g[1], p->g[1], acc);
        acc = p->g[1];
        break;
    }
    asm_vse(a, 32, acc, T3);
    if (p->inner_xs == 4)
        asm_slli(a, S0, T0, 2);
    else
        asm_mul(a, S0, T0, T4);
    asm_add(a, T2, T2, S0);
    asm_slli(a, S0, T0, 2);
    asm_add(a, T3, T3, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez_far(a, T1, loop);
}

/* ---- horizontal: one output per call; the running value in v1[0]
 * (LogSumExp's sum in v2[0]), NaN count in t5 ---- */
static void horiz_body(cg_asm *a, const rd_plan *p, int ptr, int pass)
{
    int vx = p->g[0];
    asm_li(a, T1, p->inner_n);
    asm_mv(a, T2, ptr);
    int loop = asm_label(a);
    asm_bind(a, loop);
    asm_vsetvli(a, T0, T1, 32, p->lmul);
    asm_vle(a, 32, vx, T2);
    switch (p->kind) {
    case R_SUM: case R_MEAN: case R_LOGSUM: asm_vfredusum(a, 1, vx, 1); break;
    case R_L1:
        asm_vv(a, VF_SGNJX, vx, vx, vx);
        asm_vfredusum(a, 1, vx, 1);
        break;
    case R_L2: case R_SUMSQ:
        asm_vv(a, VF_MUL, vx, vx, vx);
        asm_vfredusum(a, 1, vx, 1);
        break;
    case R_MAX: case R_MIN:
        if (p->kind == R_MAX)
            asm_vfredmax(a, 1, vx, 1);
        else
            asm_vfredmin(a, 1, vx, 1);
        asm_vmf_vv(a, VMF_NE, 2, vx, vx);
        asm_vcpop_m(a, T4, 2);
        asm_add(a, T5, T5, T4);
        break;
    case R_LSE:
        if (pass == 0) {
            asm_vfredmax(a, 1, vx, 1);
        } else {
            asm_vf(a, VF_SUB, vx, vx, F_MAX);
            vmath_exp(a, p->g[1], vx, p->g[2], p->g[3]);
            asm_vfredusum(a, 2, p->g[1], 2);
        }
        break;
    }
    asm_slli(a, S0, T0, 2);
    asm_add(a, T2, T2, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez_far(a, T1, loop);
}

/* Scalar log of fs into fd on a one-element vector. */
static void scalar_log(cg_asm *a, const rd_plan *p, int fd, int fs)
{
    asm_vsetivli(a, ZERO, 1, 32, 1);
    asm_vfmv_s_f(a, p->g[0], fs);
    vmath_log(a, p->g[1], p->g[0], p->g[2], p->g[3], p->g[4], p->g[5]);
    asm_vfmv_f_s(a, fd, p->g[1]);
}

static void horiz_inner(cg_asm *a, const void *ctx, int l)
{
    const rd_plan *p = ctx;
    int x = nest_reg[0][l], y = nest_reg[1][l];
    asm_vsetivli(a, ZERO, 1, 32, 1);
    asm_vfmv_s_f(a, 1, F_INIT);
    asm_li(a, T5, 0);
    reduced_loops(a, p, 0, x, horiz_body, 0);
    asm_vsetivli(a, ZERO, 1, 32, 1);
    asm_vfmv_f_s(a, FT1, 1);
    switch (p->kind) {
    case R_MEAN: asm_fop_s(a, FS_DIV, FT1, FT1, F_COUNT); break;
    case R_L2: asm_fsqrt_s(a, FT1, FT1); break;
    case R_LOGSUM: scalar_log(a, p, FT1, FT1); break;
    case R_MAX: case R_MIN: {
        int ok = asm_label(a);
        asm_beqz(a, T5, ok);
        asm_fop_s(a, FS_ADD, FT1, F_NAN, F_NAN);
        asm_bind(a, ok);
        break;
    }
    case R_LSE:
        asm_vfmv_f_s(a, F_MAX, 1);
        asm_fmv_w_x(a, FT0, ZERO);
        asm_vfmv_s_f(a, 2, FT0);
        reduced_loops(a, p, 0, x, horiz_body, 1);
        asm_vsetivli(a, ZERO, 1, 32, 1);
        asm_vfmv_f_s(a, FT1, 2);
        scalar_log(a, p, FT1, FT1);
        asm_fop_s(a, FS_ADD, FT1, FT1, F_MAX);
        break;
    }
    asm_fsw(a, FT1, y, 0);
}

/* The reduced axes of node n into red[] (1 = reduced). */
static int reduced_axes(cg_ctx *c, const ir_node *n, int rank, int *red)
{
    const ir_graph *g = c->g;
    memset(red, 0, sizeof(int) * TENSOR_MAX_RANK);
    if (!strncmp(n->op_type, "Global", 6)) {
        if (rank < 3)
            return cg_decline(c, "global pool of a tensor below rank 3");
        for (int d = 2; d < rank; d++)
            red[d] = 1;
        return 0;
    }
    int64_t axes[TENSOR_MAX_RANK];
    size_t na = 0;
    const int64_t *at = ir_attr_ints(n, "axes", &na);
    if (at) {
        if (na > TENSOR_MAX_RANK)
            return cg_decline(c, "too many axes");
        memcpy(axes, at, na * sizeof *axes);
    } else if (n->n_in > 1 && n->in[1] >= 0) {
        const ir_value *v = &g->vals[n->in[1]];
        int64_t ne;
        if (v->kind != VAL_CONST || v->t.dtype != DT_I64 || tensor_numel(&v->t, &ne) || ne > TENSOR_MAX_RANK)
            return cg_decline(c, "axes not a constant int64 list");
        na = (size_t)ne;
        memcpy(axes, v->t.data, na * sizeof *axes);
    }
    if (!na) {
        if (ir_attr_int(n, "noop_with_empty_axes", 0))
            return cg_decline(c, "noop_with_empty_axes");
        for (int d = 0; d < rank; d++)
            red[d] = 1;
        return 0;
    }
    for (size_t i = 0; i < na; i++) {
        int64_t ax = axes[i] < 0 ? axes[i] + rank : axes[i];
        if (ax < 0 || ax >= rank)
            return cg_decline(c, "axis out of range");
        red[ax] = 1;
    }
    return 0;
}

int cg_reduce(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *x = &g->vals[n->in[0]], *y = &g->vals[n->out[0]];
    rd_plan p;
    memset(&p, 0, sizeof p);
    p.kind = -1;
    for (size_t i = 0; i < sizeof rd_ops / sizeof rd_ops[0]; i++)
        if (!strcmp(rd_ops[i].name, n->op_type))
            p.kind = rd_ops[i].kind;
    if (p.kind < 0 || x->t.dtype != DT_F32 || y->t.dtype != DT_F32 || x->dynamic || y->dynamic)
        return cg_decline(c, "not a static float32 reduction");
    int red[TENSOR_MAX_RANK], rc;
    if ((rc = reduced_axes(c, n, x->t.rank, red)))
        return rc;
    /* groups: extent, reduced?, x stride (elements) */
    int ng = 0, gred[TENSOR_MAX_RANK];
    int64_t gext[TENSOR_MAX_RANK], gxs[TENSOR_MAX_RANK];
    p.count = 1;
    for (int d = 0; d < x->t.rank; d++) {
        int64_t e = x->t.dims[d];
        if (e == 0)
            return cg_decline(c, "empty tensor");
        if (red[d])
            p.count *= e;
        if (e == 1)
            continue;
        if (ng && gred[ng - 1] == red[d]) {
            gext[ng - 1] *= e;
            continue;
        }
        gext[ng] = e;
        gred[ng++] = red[d];
    }
    int64_t s = 1;
    for (int i = ng - 1; i >= 0; i--) {
        gxs[i] = s;
        s *= gext[i];
    }
    int inner_red = ng && gred[ng - 1];
    int vgroup = -1; /* the kept group a vertical kernel vectorises */
    for (int i = ng - 1; i >= 0 && vgroup < 0; i--)
        if (!gred[i])
            vgroup = i;
    p.horiz = vgroup < 0 || (inner_red && gext[ng - 1] >= 16 && p.kind != R_PROD);
    if (vgroup < 0 && p.kind == R_PROD)
        p.horiz = 0; /* a single output: a vertical kernel of width 1 over everything */
    cg_nest nest = {.n_ops = 2};
    int64_t ys = 1, gys[TENSOR_MAX_RANK];
    for (int i = ng - 1; i >= 0; i--)
        if (!gred[i]) {
            gys[i] = ys;
            ys *= gext[i];
        }
    int q = 0;
    for (int i = 0; i < ng; i++) {
        int64_t xs_b = gxs[i] * 4;
        if (gred[i]) {
            if (p.horiz && i == ng - 1) {
                p.inner_n = gext[i];
                continue;
            }
            if (p.n_red == RD_LOOPS)
                return cg_decline(c, "more than three reduced groups");
            p.r_n[p.n_red] = gext[i];
            p.r_xs[p.n_red++] = xs_b;
        } else if (!p.horiz && i == vgroup) {
            p.inner_n = gext[i];
            p.inner_xs = xs_b;
        } else {
            if (q == NEST_LEVELS)
                return cg_decline(c, "more than three outer kept groups");
            nest.dims[q] = gext[i];
            nest.stride[0][q] = xs_b;
            nest.stride[1][q] = gys[i] * 4;
            q++;
        }
    }
    if (!p.horiz && vgroup < 0) { /* a product of everything: one output */
        p.inner_n = 1;
        p.inner_xs = 4;
    }
    if (p.horiz && !p.inner_n) /* no dim left (one element) */
        p.inner_n = 1;
    nest.q = q + 1;
    /* LMUL: v0-v3 hold masks; groups from v4 (v8 at LMUL 8) */
    int need = p.kind == R_LSE ? 7 : p.kind == R_LOGSUM ? 6 : 3;
    int L = c->tgt->lmul_max;
    while (L > 1 && (L == 8 ? 3 : (32 - 4) / L) < need)
        L /= 2;
    p.lmul = L;
    for (int i = 0; i < 8; i++)
        p.g[i] = L == 8 ? 8 + 8 * (i % 3) : 4 + i * L;
    uint64_t ids[2];
    if ((rc = cg_value_tensors(c, (const int[]){n->in[0], n->out[0]}, 2, ids)))
        return rc;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, nest_reg[0][0], A0, 0);
    asm_ld(&a, nest_reg[1][0], A0, 8);
    float init = p.kind == R_PROD ? 1.0f : p.kind == R_MAX || p.kind == R_LSE ? -INFINITY
                 : p.kind == R_MIN ? INFINITY : 0.0f;
    load_f32(&a, F_INIT, init);
    load_f32(&a, F_NAN, NAN);
    load_f32(&a, F_COUNT, (float)p.count);
    nest_emit(&a, &nest, 0, p.horiz ? horiz_inner : vert_inner, &p);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc) {
        int64_t ne = 1;
        tensor_numel(&x->t, &ne);
        rc = cg_step(c, n, ids, 1, 1, NULL, 0, a.w, a.n * 4, (uint64_t)ne * (p.kind == R_LSE ? 30 : 1),
                     (uint64_t)ne * 4);
    }
    asm_free(&a);
    return rc;
}
