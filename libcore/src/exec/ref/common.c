/* common.c - helpers shared by shape functions and kernels: numpy
 * broadcasting, axis normalisation, reading constant int lists. */
#include "ref.h"

#include <string.h>

int shape_broadcast_dims(const op_ctx *c, const tensor *a, const tensor *b, tensor *out)
{
    int r = a->rank > b->rank ? a->rank : b->rank;
    if (a->rank < 0 || b->rank < 0)
        return op_error(c, RV_ESHAPE, "broadcast of unknown rank");
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da == db || db == 1)
            out->dims[i] = da;
        else if (da == 1)
            out->dims[i] = db;
        else
            return op_error(c, RV_ESHAPE, "cannot broadcast dimension %d: %lld vs %lld", i,
                            (long long)da, (long long)db);
    }
    out->rank = r;
    return 0;
}

void broadcast_strides(const tensor *out, const tensor *in, int64_t *strides)
{
    int64_t s = 1;
    for (int i = out->rank - 1; i >= 0; i--) {
        int ii = i - (out->rank - in->rank);
        if (ii < 0 || in->dims[ii] == 1) {
            strides[i] = 0;
        } else {
            strides[i] = s;
        }
        if (ii >= 0)
            s *= in->dims[ii];
    }
}

int64_t broadcast_offset(const tensor *out, int64_t i, const int64_t *strides)
{
    int64_t off = 0;
    for (int d = out->rank - 1; d >= 0; d--) {
        off += (i % out->dims[d]) * strides[d];
        i /= out->dims[d];
    }
    return off;
}

/* Valid axes are [-rank, rank - 1 + extra]; a negative one counts from
 * rank (Flatten's axis may equal rank: extra = 1). */
int norm_axis(const op_ctx *c, int64_t axis, int rank, int extra, int *out)
{
    if (axis < -(int64_t)rank || axis > (int64_t)rank - 1 + extra)
        return op_error(c, RV_EINVAL, "axis %lld out of range for rank %d", (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return 0;
}

int need_scalar(const op_ctx *c, int input)
{
    int64_t n;
    const tensor *t = c->in[input];
    if (tensor_numel(t, &n) || n < 1 || !t->data)
        return op_error(c, RV_ESHAPE, "input %d must hold one element", input);
    return 0;
}

int read_int_list(const op_ctx *c, int input, int64_t *vals, int max, int *count)
{
    const tensor *t = input < c->n_in ? c->in[input] : NULL;
    if (!t) {
        *count = 0;
        return 0;
    }
    if (!t->data)
        return RV_EDYNAMIC;
    if (t->dtype != DT_I64 && t->dtype != DT_I32)
        return op_error(c, RV_ETYPE, "input %d must be int64 or int32, got %s", input,
                        dtype_suffix(t->dtype));
    int64_t n;
    int rc = tensor_numel(t, &n);
    if (rc)
        return op_error(c, rc, "input %d: %s", input, err_message());
    if (t->rank > 1 || n > max)
        return op_error(c, RV_ELIMIT, "input %d: expected a list of at most %d integers", input, max);
    for (int64_t i = 0; i < n; i++)
        vals[i] = tensor_get_i64(t, i);
    *count = (int)n;
    return 0;
}
