/* tensor.c - rvvnn_tensor: read access to session outputs and to the
 * arguments of custom-op callbacks (with their node's attributes), and the
 * adapter that presents the core's tensor descriptors to user callbacks
 * as rvvnn_tensor handles. */
#include "api.h"

#include <string.h>

int rvvnn_tensor_dtype(const rvvnn_tensor *t, int32_t *out)
{
    API_NONNULL(t);
    API_NONNULL(out);
    *out = t->t->dtype;
    return 0;
}

int rvvnn_tensor_rank(const rvvnn_tensor *t, size_t *out)
{
    API_NONNULL(t);
    API_NONNULL(out);
    if (t->t->rank < 0)
        return err_set(RV_EDYNAMIC, "tensor rank is not known yet");
    *out = (size_t)t->t->rank;
    return 0;
}

int rvvnn_tensor_dims(const rvvnn_tensor *t, int64_t *dims, size_t cap)
{
    API_NONNULL(t);
    if (cap && !dims)
        return err_set(RV_EINVAL, "rvvnn_tensor_dims: dims is NULL");
    if (t->t->rank < 0)
        return err_set(RV_EDYNAMIC, "tensor rank is not known yet");
    for (size_t d = 0; d < cap && d < (size_t)t->t->rank; d++)
        dims[d] = t->t->dims[d];
    return 0;
}

int rvvnn_tensor_data(const rvvnn_tensor *t, void **data, size_t *nbytes)
{
    API_NONNULL(t);
    API_NONNULL(data);
    API_NONNULL(nbytes);
    *data = t->t->data;
    *nbytes = t->t->data ? t->t->nbytes : 0;
    return 0;
}

int rvvnn_tensor_set_shape(rvvnn_tensor *t, int32_t dtype, const int64_t *dims, size_t rank)
{
    API_NONNULL(t);
    if (!t->shape_writable)
        return err_set(RV_EINVAL, "rvvnn_tensor_set_shape: only the outputs given to a custom "
                       "shape function can be reshaped");
    if (!dtype_size(dtype))
        return err_set(RV_ETYPE, "rvvnn_tensor_set_shape: unknown element type %d", (int)dtype);
    if (rank > TENSOR_MAX_RANK || (rank && !dims))
        return err_set(RV_EINVAL, "rvvnn_tensor_set_shape: rank %zu (max %d) or dims NULL", rank,
                       TENSOR_MAX_RANK);
    tensor tmp = {.dtype = dtype, .rank = (int)rank};
    for (size_t d = 0; d < rank; d++)
        tmp.dims[d] = dims[d];
    int64_t n;
    int rc = tensor_numel(&tmp, &n);
    if (rc)
        return err_wrap(rc, "rvvnn_tensor_set_shape");
    t->t->dtype = dtype;
    t->t->rank = (int)rank;
    memcpy(t->t->dims, tmp.dims, sizeof tmp.dims);
    return 0;
}

int api_check_callback_status(int rc, const ir_node *n, const char *what)
{
    char lbl[256];
    if (rc == 0 || rc == RV_EDYNAMIC)
        return rc;
    if (rc > 0 || !status_name(rc) || !strcmp(status_name(rc), "EUNKNOWN"))
        return err_set(RV_EINTERNAL, "%s: custom %s returned %d, which is not a status code",
                       ir_node_label(n, lbl, sizeof lbl), what, rc);
    /* Keep what the callback may have said through rvvnn_last_error's
     * setter-free API: only the node and the status are known here. */
    return err_set(rc, "%s: custom %s failed: %s", ir_node_label(n, lbl, sizeof lbl), what,
                   status_description(rc));
}

/* Wraps descriptors into handles for the duration of one callback. */
static int adapt_call(const api_custom *c, const ir_node *n, tensor *const *in, int n_in,
                      tensor *const *out, int n_out, int shape)
{
    rvvnn_tensor hin[64], hout[64];
    rvvnn_tensor *pin[64], *pout[64];
    if (n_in > 64 || n_out > 64)
        return err_set(RV_ELIMIT, "custom op '%s': more than 64 inputs or outputs", n->op_type);
    for (int k = 0; k < n_in; k++) {
        hin[k] = (rvvnn_tensor){in[k], 0, n};
        pin[k] = in[k] ? &hin[k] : NULL;
    }
    for (int k = 0; k < n_out; k++) {
        hout[k] = (rvvnn_tensor){out[k], shape, n};
        pout[k] = &hout[k];
    }
    int rc = shape ? c->shape_fn(c->user, pin, (size_t)n_in, pout, (size_t)n_out)
                   : c->fn(c->user, pin, (size_t)n_in, pout, (size_t)n_out);
    rc = api_check_callback_status(rc, n, shape ? "shape function" : "kernel");
    if (!rc && shape)
        for (int k = 0; k < n_out; k++)
            if (out[k]->rank < 0 || !dtype_size(out[k]->dtype))
                return err_set(RV_ESHAPE, "custom op '%s': the shape function left output %d without "
                               "a type and shape", n->op_type, k);
    return rc;
}

int api_custom_shape(void *user, const ir_node *n, tensor *const *in, int n_in, tensor *const *out,
                     int n_out)
{
    return adapt_call(user, n, in, n_in, out, n_out, 1);
}

int api_custom_run(void *user, const ir_node *n, tensor *const *in, int n_in, tensor *const *out,
                   int n_out)
{
    return adapt_call(user, n, in, n_in, out, n_out, 0);
}

/* The attribute `name` of the custom-op node behind arg, of ATTR_* type. */
static int find_attr(const rvvnn_tensor *arg, const char *name, int type, const ir_attr **out)
{
    API_NONNULL(arg);
    API_NONNULL(name);
    if (!arg->node)
        return err_set(RV_EINVAL, "%s: not a custom-op argument", name);
    const ir_attr *a = ir_attr_find(arg->node, name);
    if (!a)
        return err_set(RV_ENOTFOUND, "node '%s' has no attribute '%s'", arg->node->name, name);
    if (a->type != type)
        return err_set(RV_ETYPE, "node '%s': attribute '%s' has type %d, not %d", arg->node->name, name,
                       a->type, type);
    *out = a;
    return 0;
}

int rvvnn_op_attr_int(const rvvnn_tensor *arg, const char *name, int64_t *out)
{
    const ir_attr *a;
    API_NONNULL(out);
    int rc = find_attr(arg, name, ATTR_INT, &a);
    if (!rc)
        *out = a->i;
    return rc;
}

int rvvnn_op_attr_float(const rvvnn_tensor *arg, const char *name, double *out)
{
    const ir_attr *a;
    API_NONNULL(out);
    int rc = find_attr(arg, name, ATTR_FLOAT, &a);
    if (!rc)
        *out = a->f;
    return rc;
}

int rvvnn_op_attr_string(const rvvnn_tensor *arg, const char *name, const char **data, size_t *size)
{
    const ir_attr *a;
    API_NONNULL(data);
    API_NONNULL(size);
    int rc = find_attr(arg, name, ATTR_STRING, &a);
    if (!rc) {
        *data = a->s;
        *size = a->s_len;
    }
    return rc;
}

int rvvnn_op_attr_ints(const rvvnn_tensor *arg, const char *name, int64_t *values, size_t cap,
                       size_t *count)
{
    const ir_attr *a;
    API_NONNULL(count);
    if (cap && !values)
        return err_set(RV_EINVAL, "rvvnn_op_attr_ints: values is NULL with cap %zu", cap);
    int rc = find_attr(arg, name, ATTR_INTS, &a);
    if (rc)
        return rc;
    for (size_t i = 0; i < cap && i < a->n; i++)
        values[i] = a->ints[i];
    *count = a->n;
    return 0;
}
