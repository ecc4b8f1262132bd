/* misc.c - reference kernels for the smaller data-shaping operators:
 * Dropout (inference), Trilu, CumSum, BitShift, Shrink, PRelu, EyeLike,
 * OneHot, Tile, DepthToSpace, SpaceToDepth, GatherElements,
 * ScatterElements, GatherND, ScatterND, Pad. Indices read from tensors
 * are range-checked; an out-of-range one is an error naming it. */
#include "ref.h"

#include <math.h>
#include <string.h>

static void unravel(const tensor *t, int64_t i, int64_t *idx)
{
    for (int d = t->rank - 1; d >= 0; d--) {
        idx[d] = t->dims[d] ? i % t->dims[d] : 0;
        i = t->dims[d] ? i / t->dims[d] : 0;
    }
}

static int64_t ravel(const tensor *t, const int64_t *idx)
{
    int64_t off = 0;
    for (int d = 0; d < t->rank; d++)
        off = off * t->dims[d] + idx[d];
    return off;
}

/* Dropout at inference: output = input, mask = all true. */
int shape_dropout(op_ctx *c)
{
    shape_copy_from(c->out[0], c->in[0]);
    if (c->n_out > 1) {
        shape_copy_from(c->out[1], c->in[0]);
        c->out[1]->dtype = DT_BOOL;
    }
    return 0;
}

int ref_dropout(op_ctx *c)
{
    if (c->n_in > 2 && c->in[2] && need_scalar(c, 2))
        return RV_ESHAPE;
    if (c->n_in > 2 && c->in[2] && tensor_get_i64(c->in[2], 0))
        return op_error(c, RV_EUNSUPPORTED, "training_mode = true (random dropout) is not supported");
    memcpy(c->out[0]->data, c->in[0]->data, c->out[0]->nbytes);
    if (c->n_out > 1 && c->out[1]->data)
        memset(c->out[1]->data, 1, c->out[1]->nbytes);
    return 0;
}

int ref_trilu(op_ctx *c)
{
    const tensor *x = c->in[0];
    if (x->rank < 2)
        return op_error(c, RV_ESHAPE, "input must have rank >= 2");
    if (c->n_in > 1 && c->in[1] && need_scalar(c, 1))
        return RV_ESHAPE;
    int64_t k = c->n_in > 1 && c->in[1] ? tensor_get_i64(c->in[1], 0) : 0, n;
    int upper = (int)ir_attr_int(c->node, "upper", 1);
    int64_t R = x->dims[x->rank - 2], C = x->dims[x->rank - 1];
    tensor_numel(x, &n);
    size_t es = dtype_size(x->dtype);
    for (int64_t i = 0; i < n; i++) {
        int64_t col = i % C, row = (i / C) % R;
        int keep = upper ? col - row >= k : col - row <= k;
        if (keep)
            memcpy((char *)c->out[0]->data + i * (int64_t)es, (const char *)x->data + i * (int64_t)es, es);
        else
            memset((char *)c->out[0]->data + i * (int64_t)es, 0, es);
    }
    return 0;
}

int ref_cumsum(op_ctx *c)
{
    const tensor *x = c->in[0];
    if (need_scalar(c, 1))
        return RV_ESHAPE;
    int axis, rc = norm_axis(c, tensor_get_i64(c->in[1], 0), x->rank, 0, &axis);
    if (rc)
        return rc;
    int excl = (int)ir_attr_int(c->node, "exclusive", 0), rev = (int)ir_attr_int(c->node, "reverse", 0);
    int64_t outer = 1, inner = 1, dim = x->dims[axis];
    for (int d = 0; d < axis; d++)
        outer *= x->dims[d];
    for (int d = axis + 1; d < x->rank; d++)
        inner *= x->dims[d];
    int fl = dtype_is_float(x->dtype);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double accf = 0;
            int64_t acci = 0;
            for (int64_t s = 0; s < dim; s++) {
                int64_t k = rev ? dim - 1 - s : s, off = (o * dim + k) * inner + i;
                if (excl) {
                    fl ? tensor_set_f64(c->out[0], off, accf) : tensor_set_i64(c->out[0], off, acci);
                }
                if (fl)
                    accf += tensor_get_f64(x, off);
                else
                    acci += tensor_get_i64(x, off);
                if (!excl) {
                    fl ? tensor_set_f64(c->out[0], off, accf) : tensor_set_i64(c->out[0], off, acci);
                }
            }
        }
    return 0;
}

int ref_bitshift(op_ctx *c)
{
    tensor *y = c->out[0];
    int64_t n, sa[TENSOR_MAX_RANK], sb[TENSOR_MAX_RANK];
    tensor_numel(y, &n);
    broadcast_strides(y, c->in[0], sa);
    broadcast_strides(y, c->in[1], sb);
    int left = !strcmp(ir_attr_string(c->node, "direction", ""), "LEFT");
    unsigned bits = (unsigned)dtype_size(y->dtype) * 8;
    for (int64_t i = 0; i < n; i++) {
        int64_t oa = broadcast_offset(y, i, sa), ob = broadcast_offset(y, i, sb);
        uint64_t a = (uint64_t)tensor_get_i64(c->in[0], oa), s = (uint64_t)tensor_get_i64(c->in[1], ob);
        uint64_t v = s >= bits ? 0 : left ? a << s : a >> s;
        tensor_set_i64(y, i, (int64_t)v);
    }
    return 0;
}

int ref_shrink(op_ctx *c)
{
    int64_t n;
    tensor_numel(c->in[0], &n);
    double lambd = ir_attr_float(c->node, "lambd", 0.5f), bias = ir_attr_float(c->node, "bias", 0.0f);
    for (int64_t i = 0; i < n; i++) {
        double x = dtype_is_float(c->in[0]->dtype) ? tensor_get_f64(c->in[0], i) : (double)tensor_get_i64(c->in[0], i);
        double y = x < -lambd ? x + bias : x > lambd ? x - bias : 0;
        tensor_set_f64(c->out[0], i, y);
    }
    return 0;
}

int shape_prelu(op_ctx *c)
{
    c->out[0]->dtype = c->in[0]->dtype;
    return shape_broadcast_dims(c, c->in[0], c->in[1], c->out[0]);
}

int ref_prelu(op_ctx *c)
{
    tensor *y = c->out[0];
    int64_t n, sa[TENSOR_MAX_RANK], sb[TENSOR_MAX_RANK];
    tensor_numel(y, &n);
    broadcast_strides(y, c->in[0], sa);
    broadcast_strides(y, c->in[1], sb);
    for (int64_t i = 0; i < n; i++) {
        int64_t oa = broadcast_offset(y, i, sa), ob = broadcast_offset(y, i, sb);
        double x = tensor_get_f64(c->in[0], oa);
        tensor_set_f64(y, i, x < 0 ? x * tensor_get_f64(c->in[1], ob) : x);
    }
    return 0;
}

int shape_eyelike(op_ctx *c)
{
    if (c->in[0]->rank != 2)
        return op_error(c, RV_ESHAPE, "input must be 2-D");
    shape_copy_from(c->out[0], c->in[0]);
    const ir_attr *dt = ir_attr_find(c->node, "dtype");
    if (dt) {
        if (!dtype_size((int)dt->i))
            return op_error(c, RV_EUNSUPPORTED, "dtype %lld", (long long)dt->i);
        c->out[0]->dtype = (int)dt->i;
    }
    return 0;
}

int ref_eyelike(op_ctx *c)
{
    int64_t k = ir_attr_int(c->node, "k", 0), R = c->out[0]->dims[0], C = c->out[0]->dims[1];
    memset(c->out[0]->data, 0, c->out[0]->nbytes);
    for (int64_t r = 0; r < R; r++)
        if (r + k >= 0 && r + k < C)
            tensor_set_i64(c->out[0], r * C + r + k, 1);
    return 0;
}

int shape_onehot(op_ctx *c)
{
    const tensor *ind = c->in[0], *depth = c->in[1];
    if (!depth->data)
        return RV_EDYNAMIC;
    int64_t d = dtype_is_float(depth->dtype) ? (int64_t)tensor_get_f64(depth, 0) : tensor_get_i64(depth, 0);
    if (d < 1 || d > TENSOR_MAX_NUMEL)
        return op_error(c, RV_EINVAL, "depth %lld", (long long)d);
    int r = ind->rank + 1, axis;
    if (r > TENSOR_MAX_RANK)
        return op_error(c, RV_ELIMIT, "rank");
    int rc = norm_axis(c, ir_attr_int(c->node, "axis", -1), r, 0, &axis);
    if (rc)
        return rc;
    tensor *y = c->out[0];
    y->dtype = c->in[2]->dtype;
    y->rank = r;
    for (int i = 0, s = 0; i < r; i++)
        y->dims[i] = i == axis ? d : ind->dims[s++];
    return 0;
}

int ref_onehot(op_ctx *c)
{
    const tensor *ind = c->in[0], *vals = c->in[2];
    tensor *y = c->out[0];
    int axis;
    norm_axis(c, ir_attr_int(c->node, "axis", -1), y->rank, 0, &axis);
    int64_t depth = y->dims[axis], outer = 1, inner = 1, n;
    for (int d = 0; d < axis; d++)
        outer *= y->dims[d];
    for (int d = axis + 1; d < y->rank; d++)
        inner *= y->dims[d];
    tensor_numel(y, &n);
    size_t es = dtype_size(y->dtype);
    for (int64_t i = 0; i < n; i++)
        memcpy((char *)y->data + i * (int64_t)es, vals->data, es);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double v = dtype_is_float(ind->dtype) ? tensor_get_f64(ind, o * inner + i) : (double)tensor_get_i64(ind, o * inner + i);
            int64_t k = (int64_t)v;
            if (k < 0)
                k += depth;
            if (k < 0 || k >= depth)
                continue;
            memcpy((char *)y->data + ((o * depth + k) * inner + i) * (int64_t)es, (const char *)vals->data + es, es);
        }
    return 0;
}

int shape_tile(op_ctx *c)
{
    int64_t reps[TENSOR_MAX_RANK];
    int n, rc = read_int_list(c, 1, reps, TENSOR_MAX_RANK, &n);
    if (rc)
        return rc;
    if (n != c->in[0]->rank)
        return op_error(c, RV_EINVAL, "repeats has %d values for rank %d", n, c->in[0]->rank);
    shape_copy_from(c->out[0], c->in[0]);
    for (int d = 0; d < n; d++) {
        if (reps[d] < 0)
            return op_error(c, RV_EINVAL, "negative repeat");
        c->out[0]->dims[d] *= reps[d];
    }
    return 0;
}

int ref_tile(op_ctx *c)
{
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    int64_t n, idx[TENSOR_MAX_RANK];
    tensor_numel(y, &n);
    size_t es = dtype_size(y->dtype);
    for (int64_t i = 0; i < n; i++) {
        unravel(y, i, idx);
        for (int d = 0; d < y->rank; d++)
            idx[d] %= x->dims[d];
        memcpy((char *)y->data + i * (int64_t)es, (const char *)x->data + ravel(x, idx) * (int64_t)es, es);
    }
    return 0;
}

/* DepthToSpace / SpaceToDepth on NCHW. */
int shape_depth_space(op_ctx *c)
{
    const tensor *x = c->in[0];
    int64_t b = ir_attr_int(c->node, "blocksize", 0);
    if (x->rank != 4 || b < 1 || b > INT32_MAX)
        return op_error(c, RV_EINVAL, "needs a 4-D input and blocksize in 1..2^31-1");
    shape_copy_from(c->out[0], x);
    if (__builtin_mul_overflow(x->dims[1], b * b, &(int64_t){0}) ||
        __builtin_mul_overflow(x->dims[2], b, &(int64_t){0}) ||
        __builtin_mul_overflow(x->dims[3], b, &(int64_t){0}))
        return op_error(c, RV_ELIMIT, "blocksize %lld makes the output shape overflow", (long long)b);
    if (c->node->op == OP_DepthToSpace) {
        if (x->dims[1] % (b * b))
            return op_error(c, RV_ESHAPE, "channels not divisible by blocksize^2");
        c->out[0]->dims[1] /= b * b;
        c->out[0]->dims[2] *= b;
        c->out[0]->dims[3] *= b;
    } else {
        if (x->dims[2] % b || x->dims[3] % b)
            return op_error(c, RV_ESHAPE, "spatial dims not divisible by blocksize");
        c->out[0]->dims[1] *= b * b;
        c->out[0]->dims[2] /= b;
        c->out[0]->dims[3] /= b;
    }
    return 0;
}

int ref_depth_space(op_ctx *c)
{
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    int64_t b = ir_attr_int(c->node, "blocksize", 0), n, yi[4];
    int crd = !strcmp(ir_attr_string(c->node, "mode", "DCR"), "CRD");
    tensor_numel(y, &n);
    size_t es = dtype_size(y->dtype);
    int d2s = c->node->op == OP_DepthToSpace;
    for (int64_t i = 0; i < n; i++) {
        unravel(y, i, yi);
        int64_t xi[4];
        if (d2s) {
            int64_t C = y->dims[1], by = yi[2] % b, bx = yi[3] % b;
            xi[0] = yi[0];
            xi[1] = crd ? yi[1] * b * b + by * b + bx : (by * b + bx) * C + yi[1];
            xi[2] = yi[2] / b;
            xi[3] = yi[3] / b;
        } else {
            int64_t C = x->dims[1], blk = yi[1] / C;
            xi[0] = yi[0];
            xi[1] = yi[1] % C;
            xi[2] = yi[2] * b + blk / b;
            xi[3] = yi[3] * b + blk % b;
        }
        memcpy((char *)y->data + i * (int64_t)es, (const char *)x->data + ravel(x, xi) * (int64_t)es, es);
    }
    return 0;
}

int shape_gather_elements(op_ctx *c)
{
    if (c->in[1]->rank != c->in[0]->rank)
        return op_error(c, RV_ESHAPE, "indices must have the data's rank");
    shape_copy_from(c->out[0], c->in[1]);
    c->out[0]->dtype = c->in[0]->dtype;
    return 0;
}

int ref_gather_elements(op_ctx *c)
{
    const tensor *x = c->in[0], *ind = c->in[1];
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", 0), x->rank, 0, &axis);
    if (rc)
        return rc;
    int64_t n, idx[TENSOR_MAX_RANK];
    tensor_numel(ind, &n);
    size_t es = dtype_size(x->dtype);
    for (int64_t i = 0; i < n; i++) {
        unravel(ind, i, idx);
        int64_t k = tensor_get_i64(ind, i), dim = x->dims[axis];
        if (k < -dim || k >= dim)
            return op_error(c, RV_EINVAL, "input 1 (indices): element %lld is %lld, outside [%lld, %lld)",
                            (long long)i, (long long)k, (long long)-dim, (long long)dim);
        idx[axis] = k < 0 ? k + dim : k;
        memcpy((char *)c->out[0]->data + i * (int64_t)es, (const char *)x->data + ravel(x, idx) * (int64_t)es, es);
    }
    return 0;
}

static double reduce_into(const char *red, double old, double v)
{
    if (!strcmp(red, "add"))
        return old + v;
    if (!strcmp(red, "mul"))
        return old * v;
    if (!strcmp(red, "max"))
        return v > old ? v : old;
    if (!strcmp(red, "min"))
        return v < old ? v : old;
    return v;
}

int ref_scatter_elements(op_ctx *c)
{
    const tensor *x = c->in[0], *ind = c->in[1], *upd = c->in[2];
    tensor *y = c->out[0];
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", 0), x->rank, 0, &axis);
    if (rc)
        return rc;
    memcpy(y->data, x->data, y->nbytes);
    const char *red = ir_attr_string(c->node, "reduction", "none");
    int64_t n, idx[TENSOR_MAX_RANK];
    tensor_numel(ind, &n);
    for (int64_t i = 0; i < n; i++) {
        unravel(ind, i, idx);
        int64_t k = tensor_get_i64(ind, i), dim = x->dims[axis];
        if (k < -dim || k >= dim)
            return op_error(c, RV_EINVAL, "input 1 (indices): element %lld is %lld, outside [%lld, %lld)",
                            (long long)i, (long long)k, (long long)-dim, (long long)dim);
        idx[axis] = k < 0 ? k + dim : k;
        int64_t o = ravel(x, idx);
        if (dtype_is_float(y->dtype))
            tensor_set_f64(y, o, reduce_into(red, tensor_get_f64(y, o), tensor_get_f64(upd, i)));
        else
            tensor_set_i64(y, o, (int64_t)reduce_into(red, (double)tensor_get_i64(y, o), (double)tensor_get_i64(upd, i)));
    }
    return 0;
}

int shape_gather_nd(op_ctx *c)
{
    const tensor *x = c->in[0], *ind = c->in[1];
    int64_t b = ir_attr_int(c->node, "batch_dims", 0);
    if (ind->rank < 1 || b < 0 || b >= ind->rank || b >= x->rank)
        return op_error(c, RV_EINVAL, "batch_dims or indices rank");
    int64_t k = ind->dims[ind->rank - 1];
    if (k < 1 || k > x->rank - b)
        return op_error(c, RV_ESHAPE, "indices' last dim %lld does not fit the data's rank", (long long)k);
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    y->rank = 0;
    int r = (int)(ind->rank - 1 + x->rank - b - k);
    if (r > TENSOR_MAX_RANK)
        return op_error(c, RV_ELIMIT, "rank");
    for (int d = 0; d < ind->rank - 1; d++)
        y->dims[y->rank++] = ind->dims[d];
    for (int64_t d = b + k; d < x->rank; d++)
        y->dims[y->rank++] = x->dims[d];
    return 0;
}

int ref_gather_nd(op_ctx *c)
{
    const tensor *x = c->in[0], *ind = c->in[1];
    int64_t b = ir_attr_int(c->node, "batch_dims", 0), k = ind->dims[ind->rank - 1];
    int64_t slice = 1, n_tuples = 1, batch = 1;
    for (int64_t d = b + k; d < x->rank; d++)
        slice *= x->dims[d];
    for (int d = 0; d < ind->rank - 1; d++)
        n_tuples *= ind->dims[d];
    for (int64_t d = 0; d < b; d++)
        batch *= x->dims[d];
    int64_t per_batch = n_tuples / (batch ? batch : 1), xbatch = 1;
    for (int64_t d = b; d < x->rank; d++)
        xbatch *= x->dims[d];
    size_t es = dtype_size(x->dtype);
    for (int64_t t = 0; t < n_tuples; t++) {
        int64_t bt = per_batch ? t / per_batch : 0, off = 0;
        for (int64_t j = 0; j < k; j++) {
            int64_t dim = x->dims[b + j], v = tensor_get_i64(ind, t * k + j);
            if (v < -dim || v >= dim)
                return op_error(c, RV_EINVAL, "input 1 (indices): tuple %lld has %lld outside [%lld, %lld)",
                                (long long)t, (long long)v, (long long)-dim, (long long)dim);
            off = off * dim + (v < 0 ? v + dim : v);
        }
        memcpy((char *)c->out[0]->data + t * slice * (int64_t)es,
               (const char *)x->data + (bt * xbatch + off * slice) * (int64_t)es, (size_t)slice * es);
    }
    return 0;
}

int ref_scatter_nd(op_ctx *c)
{
    const tensor *x = c->in[0], *ind = c->in[1], *upd = c->in[2];
    tensor *y = c->out[0];
    memcpy(y->data, x->data, y->nbytes);
    int64_t k = ind->dims[ind->rank - 1], slice = 1, n_tuples = 1;
    if (k > x->rank)
        return op_error(c, RV_ESHAPE, "indices' last dim exceeds the data's rank");
    for (int d = (int)k; d < x->rank; d++)
        slice *= x->dims[d];
    for (int d = 0; d < ind->rank - 1; d++)
        n_tuples *= ind->dims[d];
    const char *red = ir_attr_string(c->node, "reduction", "none");
    for (int64_t t = 0; t < n_tuples; t++) {
        int64_t off = 0;
        for (int64_t j = 0; j < k; j++) {
            int64_t dim = x->dims[j], v = tensor_get_i64(ind, t * k + j);
            if (v < -dim || v >= dim)
                return op_error(c, RV_EINVAL, "input 1 (indices): tuple %lld has %lld outside [%lld, %lld)",
                                (long long)t, (long long)v, (long long)-dim, (long long)dim);
            off = off * dim + (v < 0 ? v + dim : v);
        }
        for (int64_t s = 0; s < slice; s++) {
            int64_t o = off * slice + s;
            if (dtype_is_float(y->dtype))
                tensor_set_f64(y, o, reduce_into(red, tensor_get_f64(y, o), tensor_get_f64(upd, t * slice + s)));
            else
                tensor_set_i64(y, o, (int64_t)reduce_into(red, (double)tensor_get_i64(y, o),
                                                          (double)tensor_get_i64(upd, t * slice + s)));
        }
    }
    return 0;
}

/* Pad: pads as attribute (< 11) or input; modes constant/reflect/edge/wrap; axes (18). */
static int pad_amounts(op_ctx *c, int64_t *pb, int64_t *pe)
{
    const tensor *x = c->in[0];
    int64_t pads[2 * TENSOR_MAX_RANK], axes[TENSOR_MAX_RANK];
    int np, na = 0, rc;
    size_t n;
    const int64_t *pa = ir_attr_ints(c->node, "pads", &n);
    if (pa) {
        np = (int)n;
        if (np > 2 * TENSOR_MAX_RANK)
            return op_error(c, RV_ELIMIT, "too many pads");
        memcpy(pads, pa, n * 8);
    } else if ((rc = read_int_list(c, 1, pads, 2 * TENSOR_MAX_RANK, &np))) {
        return rc;
    }
    if (c->n_in > 3 && c->in[3] && (rc = read_int_list(c, 3, axes, TENSOR_MAX_RANK, &na)))
        return rc;
    int cnt = na ? na : x->rank;
    if (np != 2 * cnt)
        return op_error(c, RV_EINVAL, "pads has %d values, expected %d", np, 2 * cnt);
    for (int d = 0; d < x->rank; d++)
        pb[d] = pe[d] = 0;
    for (int i = 0; i < cnt; i++) {
        int a = i;
        if (na && (rc = norm_axis(c, axes[i], x->rank, 0, &a)))
            return rc;
        pb[a] = pads[i];
        pe[a] = pads[cnt + i];
    }
    return 0;
}

int shape_pad(op_ctx *c)
{
    int64_t pb[TENSOR_MAX_RANK], pe[TENSOR_MAX_RANK];
    int rc = pad_amounts(c, pb, pe);
    if (rc)
        return rc;
    shape_copy_from(c->out[0], c->in[0]);
    for (int d = 0; d < c->in[0]->rank; d++) {
        c->out[0]->dims[d] += pb[d] + pe[d];
        if (c->out[0]->dims[d] < 0)
            return op_error(c, RV_ESHAPE, "negative output size on axis %d", d);
    }
    return 0;
}

int ref_pad(op_ctx *c)
{
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    int64_t pb[TENSOR_MAX_RANK], pe[TENSOR_MAX_RANK], n, idx[TENSOR_MAX_RANK];
    int rc = pad_amounts(c, pb, pe);
    if (rc)
        return rc;
    const char *mode = ir_attr_string(c->node, "mode", "constant");
    if (c->opset >= 11 && c->n_in > 2 && c->in[2] && c->in[2]->data && (rc = need_scalar(c, 2)))
        return rc;
    double cval = c->opset < 11 ? ir_attr_float(c->node, "value", 0.0f)
                                : (c->n_in > 2 && c->in[2] && c->in[2]->data ? tensor_get_f64(c->in[2], 0) : 0);
    tensor_numel(y, &n);
    size_t es = dtype_size(y->dtype);
    for (int64_t i = 0; i < n; i++) {
        unravel(y, i, idx);
        int outside = 0;
        for (int d = 0; d < x->rank; d++) {
            int64_t s = idx[d] - pb[d], dim = x->dims[d];
            if (s >= 0 && s < dim) {
                idx[d] = s;
                continue;
            }
            if (!strcmp(mode, "edge"))
                s = s < 0 ? 0 : dim - 1;
            else if (!strcmp(mode, "reflect")) {
                if (dim == 1)
                    s = 0;
                else {
                    int64_t p = 2 * (dim - 1);
                    s = ((s % p) + p) % p;
                    s = s >= dim ? p - s : s;
                }
            } else if (!strcmp(mode, "wrap"))
                s = ((s % dim) + dim) % dim;
            else
                outside = 1;
            idx[d] = s;
        }
        if (outside)
            tensor_set_f64(y, i, cval);
        else
            memcpy((char *)y->data + i * (int64_t)es, (const char *)x->data + ravel(x, idx) * (int64_t)es, es);
    }
    return 0;
}
