/* movement.c - RVV code for operators that only move bytes:
 * Reshape, Flatten, Squeeze, Unsqueeze, Identity (a strip-mined e8 copy;
 * the bytes do not change, only the descriptor) and Transpose (any
 * element size of 1, 2, 4 or 8 bytes): output rows are written with unit
 * stride from strided loads (vlse) of the input, inside up to three
 * outer loops; Gather along axis 0; Concat (row copies at each input's
 * offset). Results are bit-identical to the reference. */
#include "codegen.h"
#include "nest.h"

#include <string.h>

typedef struct mv_plan {
    int sew, lmul;
    int64_t inner_src_stride; /* bytes between consecutive inner elements of the source */
    int64_t inner;            /* elements in the inner loop */
    int copy;                 /* plain byte copy */
} mv_plan;

static void mv_inner(cg_asm *a, const void *ctx, int l)
{
    const mv_plan *p = ctx;
    asm_li(a, T1, p->inner);
    asm_mv(a, T2, nest_reg[0][l]);
    asm_mv(a, T3, nest_reg[2][l]);
    if (!p->copy)
        asm_li(a, T4, p->inner_src_stride);
    int loop = asm_label(a);
    asm_bind(a, loop);
    asm_vsetvli(a, T0, T1, p->sew, p->lmul);
    if (p->copy || p->inner_src_stride == p->sew / 8)
        asm_vle(a, p->sew, 8, T2);
    else
        asm_vlse(a, p->sew, 8, T2, T4);
    asm_vse(a, p->sew, 8, T3);
    asm_li(a, S0, p->copy ? 1 : p->inner_src_stride);
    asm_mul(a, S0, S0, T0);
    asm_add(a, T2, T2, S0);
    asm_li(a, S0, p->sew / 8);
    asm_mul(a, S0, S0, T0);
    asm_add(a, T3, T3, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez(a, T1, loop);
}

static int emit_step(cg_ctx *c, const ir_node *n, const cg_nest *nest, const mv_plan *p, uint64_t bytes)
{
    uint64_t ids[2];
    int rc = cg_value_tensors(c, (const int[]){n->in[0], n->out[0]}, 2, ids);
    if (rc)
        return rc;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, nest_reg[0][0], A0, 0);
    asm_ld(&a, nest_reg[2][0], A0, 8);
    asm_mv(&a, nest_reg[1][0], ZERO);
    nest_emit(&a, nest, 0, mv_inner, p);
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc)
        rc = cg_step(c, n, ids, 1, 1, NULL, 0, a.w, a.n * 4, 0, bytes * 2);
    asm_free(&a);
    return rc;
}

/* Reshape, Flatten, Squeeze, Unsqueeze, Identity: the same bytes. */
int cg_copy(cg_ctx *c, const ir_node *n)
{
    const ir_value *x = &c->g->vals[n->in[0]], *y = &c->g->vals[n->out[0]];
    size_t nb;
    if (x->dynamic || y->dynamic || tensor_byte_size(&y->t, &nb) || nb == 0)
        return cg_decline(c, "dynamic or empty");
    cg_nest nest = {.q = 1, .n_ops = 3, .dims = {(int64_t)nb}};
    mv_plan p = {.sew = 8, .lmul = c->tgt->lmul_max, .inner = (int64_t)nb, .copy = 1};
    return emit_step(c, n, &nest, &p, nb);
}

int cg_transpose(cg_ctx *c, const ir_node *n)
{
    const ir_value *x = &c->g->vals[n->in[0]], *y = &c->g->vals[n->out[0]];
    size_t es = dtype_size(x->t.dtype), np;
    if (x->dynamic || y->dynamic || x->t.rank < 1 || (es != 1 && es != 2 && es != 4 && es != 8))
        return cg_decline(c, "dynamic tensor or element size");
    if (es == 8 && c->tgt->elen < 64)
        return cg_decline(c, "64-bit elements on an ELEN=32 target");
    const int64_t *perm = ir_attr_ints(n, "perm", &np);
    int64_t xs[TENSOR_MAX_RANK], d_[TENSOR_MAX_RANK], s_[TENSOR_MAX_RANK], ys[TENSOR_MAX_RANK];
    tensor_strides(&x->t, xs);
    int r = y->t.rank, q = 0;
    /* collapse output dims whose sources stay contiguous; drop 1-extents */
    for (int d = 0; d < r; d++) {
        int64_t dim = y->t.dims[d], src = xs[perm ? perm[d] : r - 1 - d];
        if (dim == 1)
            continue;
        if (q && s_[q - 1] == src * dim) {
            d_[q - 1] *= dim;
            s_[q - 1] = src;
            continue;
        }
        d_[q] = dim;
        s_[q++] = src;
    }
    if (!q) {
        d_[0] = 1;
        s_[0] = 1;
        q = 1;
    }
    if (q > NEST_LEVELS + 1)
        return cg_decline(c, "more than four non-trivial dims after collapsing");
    int64_t st = 1;
    for (int l = q - 1; l >= 0; l--) {
        ys[l] = st;
        st *= d_[l];
    }
    cg_nest nest = {.q = q, .n_ops = 3};
    for (int l = 0; l < q; l++) {
        nest.dims[l] = d_[l];
        nest.stride[0][l] = s_[l] * (int64_t)es;
        nest.stride[2][l] = ys[l] * (int64_t)es;
    }
    mv_plan p = {.sew = (int)es * 8, .lmul = c->tgt->lmul_max, .inner = d_[q - 1],
                 .inner_src_stride = s_[q - 1] * (int64_t)es};
    return emit_step(c, n, &nest, &p, (uint64_t)st * es);
}

/* A strip-mined e8 copy of t1 bytes from src to dst (both advanced). */
static void copy_bytes(cg_asm *a, int src, int dst, int lmul)
{
    int copy = asm_label(a);
    asm_bind(a, copy);
    asm_vsetvli(a, T0, T1, 8, lmul);
    asm_vle(a, 8, 8, src);
    asm_vse(a, 8, 8, dst);
    asm_add(a, src, src, T0);
    asm_add(a, dst, dst, T0);
    asm_sub(a, T1, T1, T0);
    asm_bnez(a, T1, copy);
}

/* Gather along axis 0 (embedding lookup): per index a bounds check
 * (negative indices count from the end, as ONNX says), then a strip-mined
 * byte copy of one row. An index out of range makes the step return 1, so
 * the runtime reports an error instead of reading outside the table. */
int cg_gather(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *x = &g->vals[n->in[0]], *ind = &g->vals[n->in[1]], *y = &g->vals[n->out[0]];
    int64_t axis = ir_attr_int(n, "axis", 0), ni;
    if (axis != 0 && axis != -x->t.rank)
        return cg_decline(c, "gather along an inner axis");
    if (x->dynamic || ind->dynamic || y->dynamic || x->t.rank < 1 || tensor_numel(&ind->t, &ni) ||
        (ind->t.dtype != DT_I64 && ind->t.dtype != DT_I32))
        return cg_decline(c, "dynamic shapes or index type");
    int64_t rows = x->t.dims[0], row_bytes = (int64_t)dtype_size(x->t.dtype);
    for (int d = 1; d < x->t.rank; d++)
        row_bytes *= x->t.dims[d];
    if (!ni || !row_bytes)
        return cg_decline(c, "empty");
    uint64_t ids[3];
    int rc = cg_value_tensors(c, (const int[]){n->in[0], n->in[1], n->out[0]}, 3, ids);
    if (rc)
        return rc;
    int is64 = ind->t.dtype == DT_I64;
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    asm_ld(&a, S1, A0, 0);
    asm_ld(&a, S2, A0, 8);
    asm_ld(&a, S3, A0, 16);
    asm_li(&a, S4, ni);
    asm_li(&a, S5, rows);
    asm_li(&a, S6, row_bytes);
    int loop = asm_label(&a), bad = asm_label(&a), nonneg = asm_label(&a);
    asm_bind(&a, loop);
    if (is64)
        asm_ld(&a, T5, S2, 0);
    else
        asm_lw(&a, T5, S2, 0);
    asm_bge(&a, T5, ZERO, nonneg);
    asm_add(&a, T5, T5, S5);
    asm_bind(&a, nonneg);
    asm_bgeu(&a, T5, S5, bad); /* also catches what is still negative */
    asm_mul(&a, T5, T5, S6);
    asm_add(&a, T2, S1, T5);
    asm_mv(&a, T3, S3);
    asm_mv(&a, T1, S6);
    copy_bytes(&a, T2, T3, c->tgt->lmul_max);
    asm_add(&a, S3, S3, S6);
    asm_addi(&a, S2, S2, is64 ? 8 : 4);
    asm_addi(&a, S4, S4, -1);
    asm_bnez(&a, S4, loop);
    frame_leave(&a);
    asm_bind(&a, bad);
    asm_li(&a, A0, 1);
    frame_leave_status(&a);
    rc = asm_finish(&a);
    if (!rc)
        rc = cg_step(c, n, ids, 2, 1, NULL, 0, a.w, a.n * 4, 0, (uint64_t)(ni * row_bytes * 2));
    asm_free(&a);
    return rc;
}

/* Concat: per input, its rows of (axis extent x inner) elements are
 * byte-copied into the output's rows at that input's offset; one step
 * for all inputs. */
int cg_concat(cg_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    const ir_value *y = &g->vals[n->out[0]];
    if (y->dynamic || n->n_in < 1 || n->n_in > 64)
        return cg_decline(c, "dynamic, or more than 64 inputs");
    int rank = y->t.rank;
    int64_t axis = ir_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= rank)
        return cg_decline(c, "axis out of range");
    int64_t R = 1, inner = (int64_t)dtype_size(y->t.dtype);
    for (int d = 0; d < axis; d++)
        R *= y->t.dims[d];
    for (int d = (int)axis + 1; d < rank; d++)
        inner *= y->t.dims[d];
    int64_t out_row = inner * y->t.dims[axis];
    uint64_t ids[65];
    int vals[65];
    for (int k = 0; k <= n->n_in; k++) {
        vals[k] = k < n->n_in ? n->in[k] : n->out[0];
        if (vals[k] < 0 || g->vals[vals[k]].dynamic)
            return cg_decline(c, "omitted or dynamic input");
    }
    int rc = cg_value_tensors(c, vals, n->n_in + 1, ids);
    if (rc)
        return rc;
    if (!R || !out_row)
        return cg_decline(c, "empty");
    cg_asm a;
    asm_init(&a);
    frame_enter(&a);
    int64_t off = 0;
    for (int k = 0; k < n->n_in; k++) {
        int64_t row = inner * g->vals[n->in[k]].t.dims[axis];
        if (!row)
            continue;
        asm_ld(&a, T2, A0, k * 8);
        asm_ld(&a, T3, A0, n->n_in * 8);
        add_imm(&a, T3, T3, off);
        asm_li(&a, S1, R);
        int rows = asm_label(&a);
        asm_bind(&a, rows);
        asm_li(&a, T1, row);
        asm_mv(&a, T4, T2);
        asm_mv(&a, T5, T3);
        copy_bytes(&a, T4, T5, c->tgt->lmul_max);
        add_imm(&a, T2, T2, row);
        add_imm(&a, T3, T3, out_row);
        asm_addi(&a, S1, S1, -1);
        asm_bnez(&a, S1, rows);
        off += row;
    }
    frame_leave(&a);
    rc = asm_finish(&a);
    if (!rc)
        rc = cg_step(c, n, ids, (uint32_t)n->n_in, 1, NULL, 0, a.w, a.n * 4, 0, (uint64_t)(R * out_row * 2));
    asm_free(&a);
    return rc;
}
