/* loss.c - reference NegativeLogLikelihoodLoss and
 * SoftmaxCrossEntropyLoss (reduction none/sum/mean, class weights,
 * ignore_index; SCE's optional log_prob output). Inputs are [N, C, d...]
 * with targets [N, d...]; sums run in double in index order. */
#include "ref.h"

#include <math.h>
#include <string.h>

int shape_loss(op_ctx *c)
{
    const tensor *x = c->in[0], *t = c->in[1];
    if (x->rank < 2 || t->rank != x->rank - 1 || t->dims[0] != x->dims[0])
        return op_error(c, RV_ESHAPE, "input must be [N, C, d...] and target [N, d...]");
    for (int d = 2; d < x->rank; d++)
        if (t->dims[d - 1] != x->dims[d])
            return op_error(c, RV_ESHAPE, "target dim %d differs from the input's", d - 1);
    const char *red = ir_attr_string(c->node, "reduction", "mean");
    tensor *y = c->out[0];
    y->dtype = x->dtype;
    if (!strcmp(red, "none")) {
        y->rank = t->rank;
        memcpy(y->dims, t->dims, sizeof t->dims);
    } else if (!strcmp(red, "sum") || !strcmp(red, "mean")) {
        y->rank = 0;
    } else {
        return op_error(c, RV_EINVAL, "reduction '%s'", red);
    }
    if (c->n_out > 1)
        shape_copy_from(c->out[1], x);
    return 0;
}

/* loss over log-probabilities lp (shape of input 0) */
static int nll(op_ctx *c, const tensor *lp, const tensor *t, const tensor *w, tensor *y)
{
    int64_t N = lp->dims[0], C = lp->dims[1], D = 1;
    for (int d = 2; d < lp->rank; d++)
        D *= lp->dims[d];
    const ir_attr *ig = ir_attr_find(c->node, "ignore_index");
    int64_t ignore = ig ? ig->i : INT64_MIN;
    const char *red = ir_attr_string(c->node, "reduction", "mean");
    double sum = 0, wsum = 0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t d = 0; d < D; d++) {
            int64_t k = tensor_get_i64(t, n * D + d);
            double l = 0, wk = 0;
            if (k != ignore) {
                if (k < 0 || k >= C)
                    return op_error(c, RV_EINVAL, "input 1 (target): element %lld is %lld, outside [0, %lld)",
                                    (long long)(n * D + d), (long long)k, (long long)C);
                wk = w ? tensor_get_f64(w, k) : 1.0;
                l = -tensor_get_f64(lp, (n * C + k) * D + d) * wk;
            }
            if (!strcmp(red, "none"))
                tensor_set_f64(y, n * D + d, l);
            sum += l;
            wsum += wk;
        }
    if (!strcmp(red, "sum"))
        tensor_set_f64(y, 0, sum);
    else if (!strcmp(red, "mean"))
        tensor_set_f64(y, 0, wsum != 0 ? sum / wsum : 0);
    return 0;
}

int ref_nll_loss(op_ctx *c)
{
    return nll(c, c->in[0], c->in[1], c->n_in > 2 ? c->in[2] : NULL, c->out[0]);
}

int ref_sce_loss(op_ctx *c)
{
    const tensor *x = c->in[0];
    int64_t N = x->dims[0], C = x->dims[1], D = 1, n_all;
    for (int d = 2; d < x->rank; d++)
        D *= x->dims[d];
    tensor lp = *x;
    int rc = tensor_numel(x, &n_all);
    if (rc)
        return rc;
    lp.dtype = DT_F64;
    lp.nbytes = (size_t)n_all * 8;
    lp.data = mem_alloc(lp.nbytes + 8);
    if (!lp.data)
        return op_error(c, RV_ENOMEM, "out of memory");
    for (int64_t n = 0; n < N; n++)
        for (int64_t d = 0; d < D; d++) {
            double mx = -INFINITY, s = 0;
            for (int64_t k = 0; k < C; k++) {
                double v = tensor_get_f64(x, (n * C + k) * D + d);
                mx = v > mx ? v : mx;
            }
            for (int64_t k = 0; k < C; k++)
                s += exp(tensor_get_f64(x, (n * C + k) * D + d) - mx);
            for (int64_t k = 0; k < C; k++)
                ((double *)lp.data)[(n * C + k) * D + d] = tensor_get_f64(x, (n * C + k) * D + d) - mx - log(s);
        }
    rc = nll(c, &lp, c->in[1], c->n_in > 2 ? c->in[2] : NULL, c->out[0]);
    if (!rc && c->n_out > 1 && c->out[1]->data)
        for (int64_t i = 0; i < n_all; i++)
            tensor_set_f64(c->out[1], i, ((double *)lp.data)[i]);
    mem_free(lp.data);
    return rc;
}
