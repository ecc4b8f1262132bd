/* norm.c - reference normalisations: LayerNormalization,
 * BatchNormalization (inference), InstanceNormalization. Statistics are
 * accumulated in double per normalised group, in a fixed order. */
#include "ref.h"

#include <math.h>
#include <string.h>

int shape_layernorm(op_ctx *c)
{
    const tensor *x = c->in[0];
    int axis, rc = norm_axis(c, ir_attr_int(c->node, "axis", -1), x->rank, 0, &axis);
    if (rc)
        return rc;
    shape_copy_from(c->out[0], x);
    for (int k = 1; k < c->n_out; k++) { /* Mean, InvStdDev: reduced dims kept as 1 */
        shape_copy_from(c->out[k], x);
        c->out[k]->dtype = (int)ir_attr_int(c->node, "stash_type", 1) == 1 ? DT_F32 : x->dtype;
        for (int d = axis; d < x->rank; d++)
            c->out[k]->dims[d] = 1;
    }
    return 0;
}

typedef struct ln_job {
    op_ctx *c;
    int64_t inner;
    double eps;
} ln_job;

static void layernorm_rows(void *arg, int64_t r0, int64_t r1)
{
    ln_job *j = arg;
    const tensor *x = j->c->in[0], *g = j->c->in[1], *b = j->c->n_in > 2 ? j->c->in[2] : NULL;
    tensor *y = j->c->out[0];
    int64_t n = j->inner, ng = 1, nb = 1;
    tensor_numel(g, &ng);
    if (b)
        tensor_numel(b, &nb);
    for (int64_t r = r0; r < r1; r++) {
        double mean = 0, var = 0;
        for (int64_t i = 0; i < n; i++)
            mean += tensor_get_f64(x, r * n + i);
        mean /= (double)n;
        for (int64_t i = 0; i < n; i++) {
            double d = tensor_get_f64(x, r * n + i) - mean;
            var += d * d;
        }
        var /= (double)n;
        double inv = 1.0 / sqrt(var + j->eps);
        for (int64_t i = 0; i < n; i++) {
            double v = (tensor_get_f64(x, r * n + i) - mean) * inv * tensor_get_f64(g, i % ng);
            if (b)
                v += tensor_get_f64(b, i % nb);
            tensor_set_f64(y, r * n + i, v);
        }
        if (j->c->n_out > 1 && j->c->out[1]->data)
            tensor_set_f64(j->c->out[1], r, mean);
        if (j->c->n_out > 2 && j->c->out[2]->data)
            tensor_set_f64(j->c->out[2], r, inv);
    }
}

int ref_layernorm(op_ctx *c)
{
    const tensor *x = c->in[0];
    int axis;
    norm_axis(c, ir_attr_int(c->node, "axis", -1), x->rank, 0, &axis);
    ln_job j = {c, 1, ir_attr_float(c->node, "epsilon", 1e-5f)};
    int64_t rows = 1, ng;
    for (int d = 0; d < x->rank; d++)
        *(d < axis ? &rows : &j.inner) *= x->dims[d];
    if (tensor_numel(c->in[1], &ng) || !ng || j.inner % ng)
        return op_error(c, RV_ESHAPE, "input 1 (scale) does not broadcast over the normalised dims");
    if (c->n_in > 2 && c->in[2]) {
        int64_t nb;
        if (tensor_numel(c->in[2], &nb) || !nb || j.inner % nb)
            return op_error(c, RV_ESHAPE, "input 2 (bias) does not broadcast over the normalised dims");
    }
    if (j.inner)
        ref_parallel_for(rows, 4, layernorm_rows, &j);
    return 0;
}

/* BatchNormalization in inference mode: y = (x - mean) / sqrt(var + eps)
 * * scale + B, per channel (dim 1). Training-mode outputs are not
 * produced. */
int shape_batchnorm(op_ctx *c)
{
    if (c->n_out > 1 && ir_attr_int(c->node, "training_mode", 0))
        return op_error(c, RV_EUNSUPPORTED, "training_mode outputs are not supported");
    return shape_copy_from(c->out[0], c->in[0]);
}

int ref_batchnorm(op_ctx *c)
{
    const tensor *x = c->in[0];
    if (x->rank < 2)
        return op_error(c, RV_ESHAPE, "input 0 must have rank >= 2");
    int64_t N = x->dims[0], C = x->dims[1], S = 1;
    for (int d = 2; d < x->rank; d++)
        S *= x->dims[d];
    for (int k = 1; k <= 4; k++) {
        int64_t n;
        if (tensor_numel(c->in[k], &n) || n != C)
            return op_error(c, RV_ESHAPE, "input %d must have %lld elements (the channels)", k, (long long)C);
    }
    double eps = ir_attr_float(c->node, "epsilon", 1e-5f);
    for (int64_t ch = 0; ch < C; ch++) {
        double sc = tensor_get_f64(c->in[1], ch), b = tensor_get_f64(c->in[2], ch);
        double m = tensor_get_f64(c->in[3], ch), v = tensor_get_f64(c->in[4], ch);
        double k = sc / sqrt(v + eps);
        for (int64_t n = 0; n < N; n++)
            for (int64_t s = 0; s < S; s++) {
                int64_t i = (n * C + ch) * S + s;
                tensor_set_f64(c->out[0], i, (tensor_get_f64(x, i) - m) * k + b);
            }
    }
    return 0;
}

int ref_instancenorm(op_ctx *c)
{
    const tensor *x = c->in[0];
    if (x->rank < 2)
        return op_error(c, RV_ESHAPE, "input 0 must have rank >= 2");
    int64_t N = x->dims[0], C = x->dims[1], S = 1;
    for (int d = 2; d < x->rank; d++)
        S *= x->dims[d];
    double eps = ir_attr_float(c->node, "epsilon", 1e-5f);
    for (int64_t n = 0; n < N; n++)
        for (int64_t ch = 0; ch < C; ch++) {
            int64_t base = (n * C + ch) * S;
            double mean = 0, var = 0;
            for (int64_t s = 0; s < S; s++)
                mean += tensor_get_f64(x, base + s);
            mean /= (double)(S ? S : 1);
            for (int64_t s = 0; s < S; s++) {
                double d = tensor_get_f64(x, base + s) - mean;
                var += d * d;
            }
            var /= (double)(S ? S : 1);
            double k = tensor_get_f64(c->in[1], ch) / sqrt(var + eps), b = tensor_get_f64(c->in[2], ch);
            for (int64_t s = 0; s < S; s++)
                tensor_set_f64(c->out[0], base + s, (tensor_get_f64(x, base + s) - mean) * k + b);
        }
    return 0;
}
