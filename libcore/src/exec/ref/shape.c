/* shape.c - reference kernels for shape-manipulating operators: Shape,
 * Size, Reshape, Flatten, Squeeze, Unsqueeze, Expand, Identity,
 * ConstantOfShape, Range. Most are views: the kernel copies bytes, the
 * interesting part is the shape function. */
#include "ref.h"

#include <math.h>
#include <string.h>

int ref_identity(op_ctx *c)
{
    if (c->out[0]->nbytes && c->out[0]->data != c->in[0]->data) /* not in place */
        memcpy(c->out[0]->data, c->in[0]->data, c->out[0]->nbytes);
    return 0;
}

/* Shape: the input's dims as int64 (start/end attributes from opset 15). */
int shape_shape(op_ctx *c)
{
    const tensor *x = c->in[0];
    if (x->rank < 0)
        return RV_EDYNAMIC;
    int64_t r = x->rank, s = ir_attr_int(c->node, "start", 0), e = ir_attr_int(c->node, "end", r);
    s = s < 0 ? s + r : s;
    e = e < 0 ? e + r : e;
    s = s < 0 ? 0 : s > r ? r : s;
    e = e < 0 ? 0 : e > r ? r : e;
    c->out[0]->dtype = DT_I64;
    c->out[0]->rank = 1;
    c->out[0]->dims[0] = e > s ? e - s : 0;
    return 0;
}

int ref_shape(op_ctx *c)
{
    const tensor *x = c->in[0];
    int64_t r = x->rank, s = ir_attr_int(c->node, "start", 0);
    s = s < 0 ? s + r : s;
    s = s < 0 ? 0 : s > r ? r : s;
    for (int64_t i = 0; i < c->out[0]->dims[0]; i++)
        ((int64_t *)c->out[0]->data)[i] = x->dims[s + i];
    return 0;
}

int shape_size(op_ctx *c)
{
    c->out[0]->dtype = DT_I64;
    c->out[0]->rank = 0;
    return 0;
}

int ref_size(op_ctx *c)
{
    int64_t n;
    int rc = tensor_numel(c->in[0], &n);
    if (!rc)
        *(int64_t *)c->out[0]->data = n;
    return rc;
}

/* Copies the input's bytes: Reshape, Flatten, Squeeze, Unsqueeze share
 * it (views in the compiler; copies in the reference executor). */
int ref_copy(op_ctx *c)
{
    if (c->out[0]->nbytes && c->out[0]->data != c->in[0]->data) /* not in place */
        memcpy(c->out[0]->data, c->in[0]->data, c->out[0]->nbytes);
    return 0;
}

int shape_reshape(op_ctx *c)
{
    const tensor *x = c->in[0];
    int64_t dims[TENSOR_MAX_RANK];
    int n, rc;
    if (c->opset < 5) {
        size_t na;
        const int64_t *s = ir_attr_ints(c->node, "shape", &na);
        if (na > TENSOR_MAX_RANK)
            return op_error(c, RV_ELIMIT, "attribute 'shape' has more than %d dims", TENSOR_MAX_RANK);
        if (na)
            memcpy(dims, s, na * sizeof *s);
        n = (int)na;
    } else if ((rc = read_int_list(c, 1, dims, TENSOR_MAX_RANK, &n))) {
        return rc;
    }
    int allowzero = (int)ir_attr_int(c->node, "allowzero", 0), infer = -1;
    int64_t total, known = 1;
    if ((rc = tensor_numel(x, &total)))
        return op_error(c, rc, "input 0: %s", err_message());
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    y->rank = n;
    for (int i = 0; i < n; i++) {
        int64_t d = dims[i];
        if (d == 0 && !allowzero) {
            if (i >= x->rank)
                return op_error(c, RV_ESHAPE, "shape[%d] = 0 copies a dim the input (rank %d) does not have",
                                i, x->rank);
            d = x->dims[i];
        }
        if (d == -1) {
            if (infer >= 0)
                return op_error(c, RV_ESHAPE, "shape has more than one -1");
            infer = i;
            continue;
        }
        if (d < 0)
            return op_error(c, RV_ESHAPE, "shape[%d] = %lld is negative", i, (long long)d);
        y->dims[i] = d;
        if (d && known > TENSOR_MAX_NUMEL / d)
            return op_error(c, RV_ELIMIT, "shape has more than 2^40 elements");
        known *= d;
    }
    if (infer >= 0) {
        if (known == 0 || total % known)
            return op_error(c, RV_ESHAPE, "cannot infer the -1 dim: %lld elements into %lld", (long long)total,
                            (long long)known);
        y->dims[infer] = total / known;
        known *= y->dims[infer];
    }
    if (known != total)
        return op_error(c, RV_ESHAPE, "cannot reshape %lld elements into %lld", (long long)total, (long long)known);
    return 0;
}

int shape_flatten(op_ctx *c)
{
    const tensor *x = c->in[0];
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", 1), x->rank, 1, &axis);
    if (rc)
        return rc;
    int64_t a = 1, b = 1;
    for (int d = 0; d < x->rank; d++)
        if (__builtin_mul_overflow(*(d < axis ? &a : &b), x->dims[d], d < axis ? &a : &b))
            return op_error(c, RV_ESHAPE, "the flattened dimensions overflow");
    c->out[0]->dtype = x->dtype;
    c->out[0]->rank = 2;
    c->out[0]->dims[0] = a;
    c->out[0]->dims[1] = b;
    return 0;
}

/* axes from the attribute (before opset 13) or input 1 */
static int axes_of(op_ctx *c, int64_t *axes, int *n)
{
    size_t na = 0;
    const int64_t *a = ir_attr_ints(c->node, "axes", &na);
    if (a) {
        if (na > TENSOR_MAX_RANK)
            return op_error(c, RV_ELIMIT, "too many axes");
        memcpy(axes, a, na * sizeof *a);
        *n = (int)na;
        return 0;
    }
    return read_int_list(c, 1, axes, TENSOR_MAX_RANK, n);
}

int shape_squeeze(op_ctx *c)
{
    const tensor *x = c->in[0];
    int64_t axes[TENSOR_MAX_RANK];
    int n = 0, rc = axes_of(c, axes, &n), drop[TENSOR_MAX_RANK] = {0};
    if (rc)
        return rc;
    for (int i = 0; i < n; i++) {
        int ax;
        if ((rc = norm_axis(c, axes[i], x->rank, 0, &ax)))
            return rc;
        if (x->dims[ax] != 1)
            return op_error(c, RV_ESHAPE, "axis %d has extent %lld, not 1", ax, (long long)x->dims[ax]);
        drop[ax] = 1;
    }
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    y->rank = 0;
    for (int d = 0; d < x->rank; d++)
        if (n ? !drop[d] : x->dims[d] != 1)
            y->dims[y->rank++] = x->dims[d];
    return 0;
}

int shape_unsqueeze(op_ctx *c)
{
    const tensor *x = c->in[0];
    int64_t axes[TENSOR_MAX_RANK];
    int n = 0, rc = axes_of(c, axes, &n), add[TENSOR_MAX_RANK] = {0};
    if (rc)
        return rc;
    int r = x->rank + n;
    if (r > TENSOR_MAX_RANK)
        return op_error(c, RV_ELIMIT, "result rank %d above %d", r, TENSOR_MAX_RANK);
    for (int i = 0; i < n; i++) {
        int ax;
        if ((rc = norm_axis(c, axes[i], r, 0, &ax)))
            return rc;
        if (add[ax])
            return op_error(c, RV_EINVAL, "axis %d repeated", ax);
        add[ax] = 1;
    }
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    y->rank = r;
    for (int d = 0, s = 0; d < r; d++)
        y->dims[d] = add[d] ? 1 : x->dims[s++];
    return 0;
}

int shape_expand(op_ctx *c)
{
    int64_t dims[TENSOR_MAX_RANK];
    int n, rc = read_int_list(c, 1, dims, TENSOR_MAX_RANK, &n);
    if (rc)
        return rc;
    tensor t = {c->in[0]->dtype, n, {0}, NULL, 0};
    memcpy(t.dims, dims, sizeof dims);
    for (int i = 0; i < n; i++)
        if (dims[i] < 0)
            return op_error(c, RV_ESHAPE, "shape[%d] = %lld is negative", i, (long long)dims[i]);
    c->out[0]->dtype = c->in[0]->dtype;
    return shape_broadcast_dims(c, c->in[0], &t, c->out[0]);
}

int ref_expand(op_ctx *c)
{
    tensor *y = c->out[0];
    int64_t n, s[TENSOR_MAX_RANK];
    int rc = tensor_numel(y, &n);
    if (rc)
        return rc;
    broadcast_strides(y, c->in[0], s);
    size_t es = dtype_size(y->dtype);
    for (int64_t i = 0; i < n; i++) {
        int64_t o = broadcast_offset(y, i, s);
        memcpy((char *)y->data + (size_t)i * es, (const char *)c->in[0]->data + (size_t)o * es, es);
    }
    return 0;
}

int shape_constant_of_shape(op_ctx *c)
{
    int64_t dims[TENSOR_MAX_RANK];
    int n, rc = read_int_list(c, 0, dims, TENSOR_MAX_RANK, &n);
    if (rc)
        return rc;
    const ir_attr *v = ir_attr_find(c->node, "value");
    c->out[0]->dtype = v && v->type == ATTR_TENSOR ? v->t->dtype : DT_F32;
    c->out[0]->rank = n;
    for (int i = 0; i < n; i++) {
        if (dims[i] < 0)
            return op_error(c, RV_ESHAPE, "shape[%d] = %lld is negative", i, (long long)dims[i]);
        c->out[0]->dims[i] = dims[i];
    }
    return 0;
}

int ref_constant_of_shape(op_ctx *c)
{
    const ir_attr *v = ir_attr_find(c->node, "value");
    tensor *y = c->out[0];
    size_t es = dtype_size(y->dtype);
    int64_t n;
    int rc = tensor_numel(y, &n);
    if (rc)
        return rc;
    if (!v || v->type != ATTR_TENSOR || !v->t->data) {
        memset(y->data, 0, y->nbytes);
        return 0;
    }
    for (int64_t i = 0; i < n; i++)
        memcpy((char *)y->data + (size_t)i * es, v->t->data, es);
    return 0;
}

int shape_range(op_ctx *c)
{
    for (int k = 0; k < 3; k++)
        if (!c->in[k]->data)
            return RV_EDYNAMIC;
    for (int k = 0; k < 3; k++)
        if (need_scalar(c, k))
            return RV_ESHAPE;
    int dt = c->in[0]->dtype;
    double s, l, d;
    if (dtype_is_float(dt)) {
        s = tensor_get_f64(c->in[0], 0), l = tensor_get_f64(c->in[1], 0), d = tensor_get_f64(c->in[2], 0);
    } else {
        s = (double)tensor_get_i64(c->in[0], 0), l = (double)tensor_get_i64(c->in[1], 0);
        d = (double)tensor_get_i64(c->in[2], 0);
    }
    if (d == 0)
        return op_error(c, RV_EINVAL, "delta is zero");
    double cnt = ceil((l - s) / d);
    if (!(cnt < (double)TENSOR_MAX_NUMEL))
        return op_error(c, RV_ELIMIT, "range of %g elements", cnt);
    c->out[0]->dtype = dt;
    c->out[0]->rank = 1;
    c->out[0]->dims[0] = cnt > 0 ? (int64_t)cnt : 0;
    return 0;
}

int ref_range(op_ctx *c)
{
    int dt = c->in[0]->dtype;
    for (int64_t i = 0; i < c->out[0]->dims[0]; i++) {
        if (dtype_is_float(dt))
            tensor_set_f64(c->out[0], i, tensor_get_f64(c->in[0], 0) + (double)i * tensor_get_f64(c->in[2], 0));
        else
            tensor_set_i64(c->out[0], i, tensor_get_i64(c->in[0], 0) + i * tensor_get_i64(c->in[2], 0));
    }
    return 0;
}

/* Constant inside a subgraph (the importer folds top-level ones). */
int shape_constant(op_ctx *c)
{
    const ir_attr *v = ir_attr_find(c->node, "value");
    if (v && v->type == ATTR_TENSOR)
        return shape_copy_from(c->out[0], v->t);
    const ir_attr *a;
    if ((a = ir_attr_find(c->node, "value_float")) || (a = ir_attr_find(c->node, "value_int"))) {
        c->out[0]->dtype = a->type == ATTR_FLOAT ? DT_F32 : DT_I64;
        c->out[0]->rank = 0;
        return 0;
    }
    if ((a = ir_attr_find(c->node, "value_floats")) || (a = ir_attr_find(c->node, "value_ints"))) {
        c->out[0]->dtype = a->type == ATTR_FLOATS ? DT_F32 : DT_I64;
        c->out[0]->rank = 1;
        c->out[0]->dims[0] = (int64_t)a->n;
        return 0;
    }
    return op_error(c, RV_EUNSUPPORTED, "no supported value attribute");
}

int ref_constant(op_ctx *c)
{
    const ir_attr *v = ir_attr_find(c->node, "value");
    if (v && v->type == ATTR_TENSOR) {
        memcpy(c->out[0]->data, v->t->data, c->out[0]->nbytes);
        return 0;
    }
    const ir_attr *a;
    if ((a = ir_attr_find(c->node, "value_float")))
        memcpy(c->out[0]->data, &a->f, 4);
    else if ((a = ir_attr_find(c->node, "value_int")))
        memcpy(c->out[0]->data, &a->i, 8);
    else if ((a = ir_attr_find(c->node, "value_floats")))
        memcpy(c->out[0]->data, a->floats, a->n * 4);
    else if ((a = ir_attr_find(c->node, "value_ints")))
        memcpy(c->out[0]->data, a->ints, a->n * 8);
    return 0;
}
