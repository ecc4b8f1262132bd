/* eltwise.c - reference kernels for elementwise operators: unary math,
 * binary arithmetic with numpy broadcasting, comparisons, logic, Where,
 * Cast and activations. f32 has direct loops; other types go through
 * double (floats) or int64 (integers). */
#include "ref.h"

#include <math.h>
#include <string.h>

int shape_same(op_ctx *c)
{
    for (int k = 0; k < c->n_out; k++)
        shape_copy_from(c->out[k], c->in[0]);
    return 0;
}

int shape_broadcast(op_ctx *c)
{
    if (c->in[0]->dtype != c->in[1]->dtype)
        return op_error(c, RV_ETYPE, "inputs have different types %s and %s",
                        dtype_suffix(c->in[0]->dtype), dtype_suffix(c->in[1]->dtype));
    c->out[0]->dtype = c->in[0]->dtype;
    return shape_broadcast_dims(c, c->in[0], c->in[1], c->out[0]);
}

typedef struct binary_job {
    const op_ctx *c;
    const tensor *a, *b;
    tensor *y;
    int64_t sa[TENSOR_MAX_RANK], sb[TENSOR_MAX_RANK];
    int64_t inner;     /* length of the innermost run */
} binary_job;

static double binary_f64(int op, double a, double b)
{
    switch (op) {
    case OP_Add: return a + b;
    }
    return 0;
}

static int64_t binary_i64(int op, int64_t a, int64_t b)
{
    switch (op) {
    case OP_Add: return (int64_t)((uint64_t)a + (uint64_t)b);
    }
    return 0;
}

/* Rows of the output: every output index except the innermost dim. */
static void binary_rows(void *arg, int64_t r0, int64_t r1)
{
    binary_job *j = arg;
    const tensor *y = j->y;
    int op = j->c->node->op, rank = y->rank;
    int64_t inner = j->inner;
    for (int64_t r = r0; r < r1; r++) {
        int64_t rem = r, oa = 0, ob = 0;
        for (int d = rank - 2; d >= 0; d--) {
            int64_t i = rem % y->dims[d];
            rem /= y->dims[d];
            oa += i * j->sa[d];
            ob += i * j->sb[d];
        }
        int64_t ia = rank ? j->sa[rank - 1] : 0, ib = rank ? j->sb[rank - 1] : 0;
        int64_t base = r * inner;
        if (y->dtype == DT_F32) {
            const float *A = (const float *)j->a->data + oa, *B = (const float *)j->b->data + ob;
            float *Y = (float *)y->data + base;
            for (int64_t i = 0; i < inner; i++)
                Y[i] = (float)binary_f64(op, A[i * ia], B[i * ib]);
        } else if (dtype_is_float(y->dtype)) {
            for (int64_t i = 0; i < inner; i++)
                tensor_set_f64(j->y, base + i,
                               binary_f64(op, tensor_get_f64(j->a, oa + i * ia),
                                          tensor_get_f64(j->b, ob + i * ib)));
        } else {
            for (int64_t i = 0; i < inner; i++)
                tensor_set_i64(j->y, base + i,
                               binary_i64(op, tensor_get_i64(j->a, oa + i * ia),
                                          tensor_get_i64(j->b, ob + i * ib)));
        }
    }
}

int ref_binary(op_ctx *c)
{
    binary_job j = {.c = c, .a = c->in[0], .b = c->in[1], .y = c->out[0]};
    int64_t n;
    int rc = tensor_numel(j.y, &n);
    if (rc || n == 0)
        return rc;
    broadcast_strides(j.y, j.a, j.sa);
    broadcast_strides(j.y, j.b, j.sb);
    j.inner = j.y->rank ? j.y->dims[j.y->rank - 1] : 1;
    ref_parallel_for(n / j.inner, 4096 / (j.inner + 1) + 1, binary_rows, &j);
    return 0;
}

typedef struct unary_job {
    const op_ctx *c;
    const tensor *x;
    tensor *y;
} unary_job;

static double unary_f64(int op, double x)
{
    switch (op) {
    case OP_Relu: return x > 0 ? x : 0;
    }
    return 0;
}

static void unary_range(void *arg, int64_t i0, int64_t i1)
{
    unary_job *j = arg;
    int op = j->c->node->op;
    if (j->y->dtype == DT_F32) {
        const float *X = j->x->data;
        float *Y = j->y->data;
        for (int64_t i = i0; i < i1; i++)
            Y[i] = (float)unary_f64(op, X[i]);
    } else {
        for (int64_t i = i0; i < i1; i++)
            tensor_set_f64(j->y, i, unary_f64(op, tensor_get_f64(j->x, i)));
    }
}

int ref_unary(op_ctx *c)
{
    unary_job j = {c, c->in[0], c->out[0]};
    int64_t n;
    int rc = tensor_numel(j.y, &n);
    if (rc)
        return rc;
    ref_parallel_for(n, 16384, unary_range, &j);
    return 0;
}
