/* reduce.c - reference reductions: Reduce{Sum,Mean,Max,Min,Prod,L1,L2,
 * LogSum,LogSumExp,SumSquare}, ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax.
 *
 * Each output element is reduced in one fixed order, in double, by one
 * thread (ref_parallel_for splits across output elements only), so the
 * result is the same for any thread count and accurate to the last f32
 * bit in all but pathological cancellations. */
#include "ref.h"

#include <math.h>
#include <string.h>

typedef struct red_plan {
    int rank;
    int red[TENSOR_MAX_RANK];     /* dim is reduced */
    int64_t outer_dims[TENSOR_MAX_RANK], outer_strides[TENSOR_MAX_RANK]; /* kept dims */
    int n_outer;
    int64_t red_dims[TENSOR_MAX_RANK], red_strides[TENSOR_MAX_RANK];
    int n_red;
    int64_t red_count;
} red_plan;

/* axes: attribute before opset 13 (ReduceSum) / 18 (others), else input 1 */
static int red_axes(op_ctx *c, red_plan *p)
{
    const tensor *x = c->in[0];
    int64_t axes[TENSOR_MAX_RANK];
    int n = 0, rc;
    size_t na = 0;
    const int64_t *a = ir_attr_ints(c->node, "axes", &na);
    if (a) {
        if (na > TENSOR_MAX_RANK)
            return op_error(c, RV_ELIMIT, "too many axes");
        memcpy(axes, a, na * 8);
        n = (int)na;
    } else if (c->n_in > 1 && c->in[1] && (rc = read_int_list(c, 1, axes, TENSOR_MAX_RANK, &n))) {
        return rc;
    }
    memset(p->red, 0, sizeof p->red);
    p->rank = x->rank;
    if (n == 0) {
        if (ir_attr_int(c->node, "noop_with_empty_axes", 0))
            return 0;
        for (int d = 0; d < x->rank; d++)
            p->red[d] = 1;
        return 0;
    }
    for (int i = 0; i < n; i++) {
        int ax;
        if ((rc = norm_axis(c, axes[i], x->rank, 0, &ax)))
            return rc;
        p->red[ax] = 1;
    }
    return 0;
}

int shape_reduce(op_ctx *c)
{
    red_plan p;
    int rc = red_axes(c, &p);
    if (rc)
        return rc;
    const tensor *x = c->in[0];
    int keep = (int)ir_attr_int(c->node, "keepdims", 1);
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    y->rank = 0;
    for (int d = 0; d < x->rank; d++) {
        if (!p.red[d])
            y->dims[y->rank++] = x->dims[d];
        else if (keep)
            y->dims[y->rank++] = 1;
    }
    return 0;
}

static void plan_strides(const tensor *x, red_plan *p)
{
    int64_t xs[TENSOR_MAX_RANK];
    tensor_strides(x, xs);
    p->n_outer = p->n_red = 0;
    p->red_count = 1;
    for (int d = 0; d < x->rank; d++) {
        if (p->red[d]) {
            p->red_dims[p->n_red] = x->dims[d];
            p->red_strides[p->n_red++] = xs[d];
            p->red_count *= x->dims[d];
        } else {
            p->outer_dims[p->n_outer] = x->dims[d];
            p->outer_strides[p->n_outer++] = xs[d];
        }
    }
}

typedef struct red_job {
    op_ctx *c;
    red_plan p;
} red_job;

static void reduce_range(void *arg, int64_t o0, int64_t o1)
{
    red_job *j = arg;
    const red_plan *p = &j->p;
    const tensor *x = j->c->in[0];
    tensor *y = j->c->out[0];
    int op = j->c->node->op;
    for (int64_t o = o0; o < o1; o++) {
        int64_t rem = o, base = 0;
        for (int d = p->n_outer - 1; d >= 0; d--) {
            base += (rem % p->outer_dims[d]) * p->outer_strides[d];
            rem /= p->outer_dims[d];
        }
        double acc = op == OP_ReduceProd ? 1 : op == OP_ReduceMax ? -INFINITY : op == OP_ReduceMin ? INFINITY : 0;
        double mx = -INFINITY;
        if (op == OP_ReduceLogSumExp) /* shift by the max so exp cannot overflow */
            for (int64_t r = 0; r < p->red_count; r++) {
                int64_t rr = r, off = base;
                for (int d = p->n_red - 1; d >= 0; d--) {
                    off += (rr % p->red_dims[d]) * p->red_strides[d];
                    rr /= p->red_dims[d];
                }
                double v = tensor_get_f64(x, off);
                mx = v > mx ? v : mx;
            }
        int nan = 0;
        for (int64_t r = 0; r < p->red_count; r++) {
            int64_t rr = r, off = base;
            for (int d = p->n_red - 1; d >= 0; d--) {
                off += (rr % p->red_dims[d]) * p->red_strides[d];
                rr /= p->red_dims[d];
            }
            double v = dtype_is_float(x->dtype) ? tensor_get_f64(x, off) : (double)tensor_get_i64(x, off);
            nan |= v != v;
            switch (op) {
            case OP_ReduceSum: case OP_ReduceMean: case OP_ReduceLogSum: acc += v; break;
            case OP_ReduceMax: acc = v > acc ? v : acc; break;
            case OP_ReduceMin: acc = v < acc ? v : acc; break;
            case OP_ReduceProd: acc *= v; break;
            case OP_ReduceL1: acc += fabs(v); break;
            case OP_ReduceL2: case OP_ReduceSumSquare: acc += v * v; break;
            case OP_ReduceLogSumExp: acc += exp(v - mx); break;
            }
        }
        if (nan && (op == OP_ReduceMax || op == OP_ReduceMin))
            acc = NAN;
        switch (op) {
        case OP_ReduceMean: acc = p->red_count ? acc / (double)p->red_count : NAN; break;
        case OP_ReduceL2: acc = sqrt(acc); break;
        case OP_ReduceLogSum: acc = log(acc); break;
        case OP_ReduceLogSumExp: acc = p->red_count ? log(acc) + mx : -INFINITY; break;
        }
        if (dtype_is_float(y->dtype))
            tensor_set_f64(y, o, acc);
        else
            tensor_set_i64(y, o, (int64_t)acc);
    }
}

int ref_reduce(op_ctx *c)
{
    red_job j = {c, {0}};
    int rc = red_axes(c, &j.p);
    if (rc)
        return rc;
    plan_strides(c->in[0], &j.p);
    int64_t n;
    if ((rc = tensor_numel(c->out[0], &n)))
        return rc;
    ref_parallel_for(n, 64, reduce_range, &j);
    return 0;
}

int shape_argmax(op_ctx *c)
{
    const tensor *x = c->in[0];
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", 0), x->rank, 0, &axis);
    if (rc)
        return rc;
    shape_copy_from(c->out[0], x);
    c->out[0]->dtype = DT_I64;
    if (ir_attr_int(c->node, "keepdims", 1)) {
        c->out[0]->dims[axis] = 1;
    } else {
        for (int d = axis; d < x->rank - 1; d++)
            c->out[0]->dims[d] = x->dims[d + 1];
        c->out[0]->rank--;
    }
    return 0;
}

int ref_argmax(op_ctx *c)
{
    const tensor *x = c->in[0];
    int axis;
    norm_axis(c, ir_attr_int(c->node, "axis", 0), x->rank, 0, &axis);
    int last = (int)ir_attr_int(c->node, "select_last_index", 0), is_max = c->node->op == OP_ArgMax;
    int64_t outer = 1, inner = 1, dim = x->dims[axis];
    for (int d = 0; d < axis; d++)
        outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->dims[d];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t best = 0;
            double bv = tensor_get_f64(x, o * dim * inner + i);
            for (int64_t k = 1; k < dim; k++) {
                double v = tensor_get_f64(x, (o * dim + k) * inner + i);
                int better = is_max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv));
                if (better) {
                    bv = v;
                    best = k;
                }
            }
            ((int64_t *)c->out[0]->data)[o * inner + i] = best;
        }
    return 0;
}

/* Softmax family. Opset >= 13: over one axis. Before: the input is
 * coerced to 2-D at axis (default 1) and the row is everything after. */
typedef struct smax_job {
    op_ctx *c;
    int64_t dim, inner; /* elements along the axis, and its stride */
} smax_job;

static void softmax_range(void *arg, int64_t r0, int64_t r1)
{
    smax_job *j = arg;
    const tensor *x = j->c->in[0];
    tensor *y = j->c->out[0];
    int op = j->c->node->op;
    int64_t dim = j->dim, inner = j->inner;
    for (int64_t r = r0; r < r1; r++) {
        int64_t o = r / inner, i = r % inner, base = o * dim * inner + i;
        double mx = -INFINITY, sum = 0;
        int64_t arg = 0;
        for (int64_t k = 0; k < dim; k++) {
            double v = tensor_get_f64(x, base + k * inner);
            if (v > mx) {
                mx = v;
                arg = k;
            }
        }
        if (op == OP_Hardmax) {
            for (int64_t k = 0; k < dim; k++)
                tensor_set_f64(y, base + k * inner, k == arg);
            continue;
        }
        for (int64_t k = 0; k < dim; k++)
            sum += exp(tensor_get_f64(x, base + k * inner) - mx);
        for (int64_t k = 0; k < dim; k++) {
            double v = tensor_get_f64(x, base + k * inner) - mx;
            tensor_set_f64(y, base + k * inner, op == OP_LogSoftmax ? v - log(sum) : exp(v) / sum);
        }
    }
}

int ref_softmax(op_ctx *c)
{
    const tensor *x = c->in[0];
    int64_t axis_attr = ir_attr_int(c->node, "axis", c->opset >= 13 ? -1 : 1);
    int axis, rc = norm_axis(c, axis_attr, x->rank, 0, &axis);
    if (rc)
        return rc;
    smax_job j = {c, 1, 1};
    int64_t outer = 1;
    if (c->opset >= 13) {
        j.dim = x->dims[axis];
        for (int d = 0; d < axis; d++)
            outer *= x->dims[d];
        for (int d = axis + 1; d < x->rank; d++)
            j.inner *= x->dims[d];
    } else {
        for (int d = 0; d < x->rank; d++)
            *(d < axis ? &outer : &j.dim) *= x->dims[d];
    }
    if (!j.dim)
        return 0;
    ref_parallel_for(outer * j.inner, 16, softmax_range, &j);
    return 0;
}
