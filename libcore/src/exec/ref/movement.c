/* movement.c - reference kernels that move data without arithmetic:
 * Transpose, Concat, Split, Slice, Gather. Every index read from a
 * tensor is range-checked and an error names it. */
#include "ref.h"

#include <string.h>

int shape_transpose(op_ctx *c)
{
    const tensor *x = c->in[0];
    size_t np;
    const int64_t *perm = ir_attr_ints(c->node, "perm", &np);
    int seen[TENSOR_MAX_RANK] = {0};
    if (perm && (int)np != x->rank)
        return op_error(c, RV_EINVAL, "attribute 'perm' has %zu entries for rank %d", np, x->rank);
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    y->rank = x->rank;
    for (int d = 0; d < x->rank; d++) {
        int64_t p = perm ? perm[d] : x->rank - 1 - d;
        if (p < 0 || p >= x->rank || seen[p])
            return op_error(c, RV_EINVAL, "attribute 'perm' is not a permutation");
        seen[p] = 1;
        y->dims[d] = x->dims[p];
    }
    return 0;
}

typedef struct transpose_job {
    const op_ctx *c;
    int64_t src_stride[TENSOR_MAX_RANK]; /* input stride of each output dim */
    size_t es;
} transpose_job;

/* Rows of the output (all dims but the last) in parallel. */
static void transpose_rows(void *arg, int64_t r0, int64_t r1)
{
    transpose_job *j = arg;
    const tensor *x = j->c->in[0];
    tensor *y = j->c->out[0];
    int r = y->rank;
    int64_t inner = r ? y->dims[r - 1] : 1, is = r ? j->src_stride[r - 1] : 0;
    for (int64_t row = r0; row < r1; row++) {
        int64_t rem = row, off = 0;
        for (int d = r - 2; d >= 0; d--) {
            off += (rem % y->dims[d]) * j->src_stride[d];
            rem /= y->dims[d];
        }
        if (j->es == 4) {
            const uint32_t *s = (const uint32_t *)x->data + off;
            uint32_t *o = (uint32_t *)y->data + row * inner;
            for (int64_t i = 0; i < inner; i++)
                o[i] = s[i * is];
        } else {
            for (int64_t i = 0; i < inner; i++)
                memcpy((char *)y->data + (size_t)(row * inner + i) * j->es,
                       (const char *)x->data + (size_t)(off + i * is) * j->es, j->es);
        }
    }
}

int ref_transpose(op_ctx *c)
{
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    transpose_job j = {c, {0}, dtype_size(x->dtype)};
    int64_t xs[TENSOR_MAX_RANK], n;
    size_t np;
    const int64_t *perm = ir_attr_ints(c->node, "perm", &np);
    tensor_strides(x, xs);
    for (int d = 0; d < y->rank; d++)
        j.src_stride[d] = xs[perm ? perm[d] : x->rank - 1 - d];
    int rc = tensor_numel(y, &n);
    if (rc || !n)
        return rc;
    int64_t inner = y->rank ? y->dims[y->rank - 1] : 1;
    ref_parallel_for(n / inner, 1024 / (inner + 1) + 1, transpose_rows, &j);
    return 0;
}

int shape_concat(op_ctx *c)
{
    const tensor *x0 = c->in[0];
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", 0), x0->rank, 0, &axis);
    if (rc)
        return rc;
    tensor *y = c->out[0];
    shape_copy_from(y, x0);
    y->dims[axis] = 0;
    for (int k = 0; k < c->n_in; k++) {
        const tensor *x = c->in[k];
        if (!x || x->rank != x0->rank || x->dtype != x0->dtype)
            return op_error(c, RV_ESHAPE, "input %d: rank or type differs from input 0", k);
        for (int d = 0; d < x->rank; d++)
            if (d != axis && x->dims[d] != x0->dims[d])
                return op_error(c, RV_ESHAPE, "input %d: dim %d is %lld, input 0 has %lld", k, d,
                                (long long)x->dims[d], (long long)x0->dims[d]);
        y->dims[axis] += x->dims[axis];
    }
    return 0;
}

int ref_concat(op_ctx *c)
{
    tensor *y = c->out[0];
    int axis;
    norm_axis(c, ir_attr_int(c->node, "axis", 0), y->rank, 0, &axis);
    int64_t outer = 1, inner = (int64_t)dtype_size(y->dtype);
    for (int d = 0; d < axis; d++)
        outer *= y->dims[d];
    for (int d = axis + 1; d < y->rank; d++)
        inner *= y->dims[d];
    int64_t yrow = y->dims[axis] * inner, off = 0;
    for (int k = 0; k < c->n_in; k++) {
        int64_t xrow = c->in[k]->dims[axis] * inner;
        for (int64_t o = 0; o < outer && xrow; o++)
            memcpy((char *)y->data + o * yrow + off, (const char *)c->in[k]->data + o * xrow, (size_t)xrow);
        off += xrow;
    }
    return 0;
}

/* Split: equal parts, the 'split' attribute (< 13) or input 1, or
 * num_outputs (18). */
static int split_sizes(op_ctx *c, int axis, int64_t *sizes)
{
    const tensor *x = c->in[0];
    int64_t total = x->dims[axis], sum = 0;
    size_t na = 0;
    const int64_t *a = ir_attr_ints(c->node, "split", &na);
    int n = c->n_out, rc;
    if (a) {
        if ((int)na != n)
            return op_error(c, RV_EINVAL, "attribute 'split' has %zu entries for %d outputs", na, n);
        memcpy(sizes, a, na * sizeof *a);
    } else if (c->n_in > 1 && c->in[1]) {
        int cnt;
        if ((rc = read_int_list(c, 1, sizes, 64, &cnt)))
            return rc;
        if (cnt != n)
            return op_error(c, RV_EINVAL, "input 'split' has %d entries for %d outputs", cnt, n);
    } else {
        int64_t part = (total + n - 1) / n;
        for (int k = 0; k < n; k++) {
            sizes[k] = total - sum < part ? total - sum : part;
            sum += sizes[k];
        }
        if (ir_attr_int(c->node, "num_outputs", 0) == 0 && total % n)
            return op_error(c, RV_ESHAPE, "dim %lld does not split evenly into %d", (long long)total, n);
        return 0;
    }
    for (int k = 0; k < n; k++) {
        if (sizes[k] < 0)
            return op_error(c, RV_EINVAL, "split size %d is negative", k);
        sum += sizes[k];
    }
    if (sum != total)
        return op_error(c, RV_ESHAPE, "split sizes add up to %lld, the axis has %lld", (long long)sum,
                        (long long)total);
    return 0;
}

int shape_split(op_ctx *c)
{
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", 0), c->in[0]->rank, 0, &axis);
    int64_t sizes[64];
    if (rc || c->n_out > 64 || (rc = split_sizes(c, axis, sizes)))
        return rc ? rc : op_error(c, RV_ELIMIT, "more than 64 outputs");
    for (int k = 0; k < c->n_out; k++) {
        shape_copy_from(c->out[k], c->in[0]);
        c->out[k]->dims[axis] = sizes[k];
    }
    return 0;
}

int ref_split(op_ctx *c)
{
    const tensor *x = c->in[0];
    int axis;
    norm_axis(c, ir_attr_int(c->node, "axis", 0), x->rank, 0, &axis);
    int64_t outer = 1, inner = (int64_t)dtype_size(x->dtype), off = 0;
    for (int d = 0; d < axis; d++)
        outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->dims[d];
    int64_t xrow = x->dims[axis] * inner;
    for (int k = 0; k < c->n_out; k++) {
        int64_t yrow = c->out[k]->dims[axis] * inner;
        for (int64_t o = 0; o < outer && yrow; o++)
            memcpy((char *)c->out[k]->data + o * yrow, (const char *)x->data + o * xrow + off, (size_t)yrow);
        off += yrow;
    }
    return 0;
}

/* Slice parameters per input dim after clamping (ONNX rules). */
typedef struct slice_plan {
    int64_t start[TENSOR_MAX_RANK], step[TENSOR_MAX_RANK], count[TENSOR_MAX_RANK];
} slice_plan;

static int slice_plan_of(op_ctx *c, slice_plan *p)
{
    const tensor *x = c->in[0];
    int64_t st[TENSOR_MAX_RANK], en[TENSOR_MAX_RANK], ax[TENSOR_MAX_RANK], sp[TENSOR_MAX_RANK];
    int ns, ne, na, nsp, rc;
    if (c->opset < 10) {
        size_t a, b, d;
        const int64_t *s0 = ir_attr_ints(c->node, "starts", &a), *e0 = ir_attr_ints(c->node, "ends", &b);
        const int64_t *x0 = ir_attr_ints(c->node, "axes", &d);
        if (!s0 || !e0 || a != b || a > TENSOR_MAX_RANK || (x0 && d != a))
            return op_error(c, RV_EINVAL, "attributes 'starts'/'ends'/'axes' disagree");
        ns = ne = (int)a;
        memcpy(st, s0, a * 8);
        memcpy(en, e0, a * 8);
        na = x0 ? (int)d : 0;
        if (x0)
            memcpy(ax, x0, d * 8);
        nsp = 0;
    } else {
        if ((rc = read_int_list(c, 1, st, TENSOR_MAX_RANK, &ns)) || (rc = read_int_list(c, 2, en, TENSOR_MAX_RANK, &ne)) ||
            (rc = read_int_list(c, 3, ax, TENSOR_MAX_RANK, &na)) || (rc = read_int_list(c, 4, sp, TENSOR_MAX_RANK, &nsp)))
            return rc;
        if (ns != ne || (na && na != ns) || (nsp && nsp != ns))
            return op_error(c, RV_EINVAL, "starts, ends, axes and steps have different lengths");
    }
    for (int d = 0; d < x->rank; d++) {
        p->start[d] = 0;
        p->step[d] = 1;
        p->count[d] = x->dims[d];
    }
    int used[TENSOR_MAX_RANK] = {0};
    for (int i = 0; i < ns; i++) {
        int a;
        if ((rc = norm_axis(c, na ? ax[i] : i, x->rank, 0, &a)))
            return rc;
        if (used[a]++)
            return op_error(c, RV_EINVAL, "axis %d repeated", a);
        int64_t dim = x->dims[a], step = nsp ? sp[i] : 1, s = st[i], e = en[i];
        if (step == 0)
            return op_error(c, RV_EINVAL, "step is 0 on axis %d", a);
        s = s < 0 ? s + dim : s;
        e = e < 0 ? e + dim : e;
        if (step > 0) {
            s = s < 0 ? 0 : s > dim ? dim : s;
            e = e < 0 ? 0 : e > dim ? dim : e;
            p->count[a] = e > s ? (e - s + step - 1) / step : 0;
        } else {
            s = s < 0 ? -1 : s > dim - 1 ? dim - 1 : s;
            e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
            p->count[a] = s > e ? (s - e + (-step) - 1) / (-step) : 0;
        }
        p->start[a] = s;
        p->step[a] = step;
    }
    return 0;
}

int shape_slice(op_ctx *c)
{
    slice_plan p;
    int rc = slice_plan_of(c, &p);
    if (rc)
        return rc;
    shape_copy_from(c->out[0], c->in[0]);
    for (int d = 0; d < c->in[0]->rank; d++)
        c->out[0]->dims[d] = p.count[d];
    return 0;
}

int ref_slice(op_ctx *c)
{
    slice_plan p;
    int rc = slice_plan_of(c, &p);
    if (rc)
        return rc;
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    int64_t xs[TENSOR_MAX_RANK], n;
    tensor_strides(x, xs);
    if ((rc = tensor_numel(y, &n)))
        return rc;
    size_t es = dtype_size(x->dtype);
    for (int64_t i = 0; i < n; i++) {
        int64_t rem = i, off = 0;
        for (int d = y->rank - 1; d >= 0; d--) {
            off += (p.start[d] + (rem % y->dims[d]) * p.step[d]) * xs[d];
            rem /= y->dims[d];
        }
        memcpy((char *)y->data + (size_t)i * es, (const char *)x->data + (size_t)off * es, es);
    }
    return 0;
}

int shape_gather(op_ctx *c)
{
    const tensor *x = c->in[0], *idx = c->in[1];
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", 0), x->rank, 0, &axis);
    if (rc)
        return rc;
    if (idx->dtype != DT_I64 && idx->dtype != DT_I32)
        return op_error(c, RV_ETYPE, "input 1 (indices) must be int64 or int32, got %s", dtype_suffix(idx->dtype));
    int r = x->rank - 1 + idx->rank;
    if (r > TENSOR_MAX_RANK)
        return op_error(c, RV_ELIMIT, "result rank %d above %d", r, TENSOR_MAX_RANK);
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    y->rank = 0;
    for (int d = 0; d < axis; d++)
        y->dims[y->rank++] = x->dims[d];
    for (int d = 0; d < idx->rank; d++)
        y->dims[y->rank++] = idx->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        y->dims[y->rank++] = x->dims[d];
    return 0;
}

int ref_gather(op_ctx *c)
{
    const tensor *x = c->in[0], *idx = c->in[1];
    int axis;
    norm_axis(c, ir_attr_int(c->node, "axis", 0), x->rank, 0, &axis);
    int64_t outer = 1, inner = (int64_t)dtype_size(x->dtype), ni;
    for (int d = 0; d < axis; d++)
        outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->dims[d];
    int rc = tensor_numel(idx, &ni);
    if (rc)
        return rc;
    int64_t dim = x->dims[axis];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < ni; i++) {
            int64_t k = tensor_get_i64(idx, i);
            if (k < -dim || k >= dim)
                return op_error(c, RV_EINVAL, "input 1 (indices): element %lld is %lld, outside [%lld, %lld)",
                                (long long)i, (long long)k, (long long)-dim, (long long)dim);
            k = k < 0 ? k + dim : k;
            memcpy((char *)c->out[0]->data + (o * ni + i) * inner,
                   (const char *)x->data + (o * dim + k) * inner, (size_t)inner);
        }
    return 0;
}
