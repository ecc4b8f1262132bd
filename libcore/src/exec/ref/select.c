/* select.c - reference kernels for Where, Cast/CastLike and Clip: the
 * elementwise ops whose semantics hinge on types or optional operands
 * rather than arithmetic. */
#include "ref.h"

#include <math.h>
#include <string.h>

int shape_where(op_ctx *c)
{
    if (c->in[0]->dtype != DT_BOOL)
        return op_error(c, RV_ETYPE, "input 0 (condition) must be bool, got %s", dtype_suffix(c->in[0]->dtype));
    if (c->in[1]->dtype != c->in[2]->dtype)
        return op_error(c, RV_ETYPE, "inputs 1 and 2 have different types %s and %s",
                        dtype_suffix(c->in[1]->dtype), dtype_suffix(c->in[2]->dtype));
    tensor t;
    int rc = shape_broadcast_dims(c, c->in[0], c->in[1], &t);
    if (!rc)
        rc = shape_broadcast_dims(c, &t, c->in[2], c->out[0]);
    c->out[0]->dtype = c->in[1]->dtype;
    return rc;
}

int ref_where(op_ctx *c)
{
    tensor *y = c->out[0];
    int64_t n, s[3][TENSOR_MAX_RANK];
    int rc = tensor_numel(y, &n);
    if (rc)
        return rc;
    for (int k = 0; k < 3; k++)
        broadcast_strides(y, c->in[k], s[k]);
    size_t es = dtype_size(y->dtype);
    const uint8_t *cond = c->in[0]->data;
    for (int64_t i = 0; i < n; i++) {
        int64_t o[3];
        for (int k = 0; k < 3; k++)
            o[k] = broadcast_offset(y, i, s[k]);
        const tensor *src = cond[o[0]] ? c->in[1] : c->in[2];
        memcpy((char *)y->data + (size_t)i * es, (const char *)src->data + (size_t)o[cond[o[0]] ? 1 : 2] * es, es);
    }
    return 0;
}

int shape_cast(op_ctx *c)
{
    int to = c->node->op == OP_CastLike ? c->in[1]->dtype : (int)ir_attr_int(c->node, "to", 0);
    if (!dtype_size(to))
        return op_error(c, RV_EUNSUPPORTED, "attribute 'to': element type %d not supported", to);
    shape_copy_from(c->out[0], c->in[0]);
    c->out[0]->dtype = to;
    return 0;
}

int ref_cast(op_ctx *c)
{
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    int64_t n;
    int rc = tensor_numel(x, &n);
    if (rc)
        return rc;
    if (x->dtype == y->dtype) {
        memcpy(y->data, x->data, y->nbytes);
        return 0;
    }
    int fx = dtype_is_float(x->dtype), fy = dtype_is_float(y->dtype);
    for (int64_t i = 0; i < n; i++) {
        if (y->dtype == DT_BOOL)
            tensor_set_i64(y, i, fx ? tensor_get_f64(x, i) != 0 : tensor_get_i64(x, i) != 0);
        else if (fy)
            tensor_set_f64(y, i, fx ? tensor_get_f64(x, i) : (double)tensor_get_i64(x, i));
        else
            tensor_set_i64(y, i, tensor_get_i64(x, i)); /* float -> int truncates, saturated */
    }
    return 0;
}

/* Clip: bounds are attributes before opset 11, optional inputs after. */
int ref_clip(op_ctx *c)
{
    const tensor *x = c->in[0];
    tensor *y = c->out[0];
    int64_t n;
    int rc = tensor_numel(x, &n);
    if (rc)
        return rc;
    int is_f = dtype_is_float(x->dtype);
    double lo = -INFINITY, hi = INFINITY;
    if (c->opset < 11) {
        lo = ir_attr_float(c->node, "min", -INFINITY);
        hi = ir_attr_float(c->node, "max", INFINITY);
    } else {
        for (int k = 1; k < c->n_in && k < 3; k++)
            if (c->in[k] && (rc = need_scalar(c, k)))
                return rc;
        if (c->n_in > 1 && c->in[1])
            lo = is_f ? tensor_get_f64(c->in[1], 0) : (double)tensor_get_i64(c->in[1], 0);
        if (c->n_in > 2 && c->in[2])
            hi = is_f ? tensor_get_f64(c->in[2], 0) : (double)tensor_get_i64(c->in[2], 0);
    }
    for (int64_t i = 0; i < n; i++) {
        if (is_f) {
            double v = tensor_get_f64(x, i);
            v = v < lo ? lo : v;
            v = v > hi ? hi : v;
            tensor_set_f64(y, i, v);
        } else {
            int64_t v = tensor_get_i64(x, i);
            if (lo > -INFINITY && (double)v < lo)
                v = (int64_t)lo;
            if (hi < INFINITY && (double)v > hi)
                v = (int64_t)hi;
            tensor_set_i64(y, i, v);
        }
    }
    return 0;
}
