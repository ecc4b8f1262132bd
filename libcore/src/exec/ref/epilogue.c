/* epilogue.c - reference kernels of rvvnn::MatMulEpilogue and
 * rvvnn::ConvEpilogue, the nodes passes/fuse.c makes from MatMul/Gemm +
 * bias + residual + Relu/GELU and from Conv + residual + Relu/Clip/
 * HardSwish/HardSigmoid/Sigmoid.
 * Each runs the product with the MatMul/Gemm/Conv kernel and then the
 * epilogue in f32, in the same order and with the same constants as the
 * unfused ONNX ops, so fusion leaves the reference's results unchanged. */
#include "ref.h"

#include <math.h>
#include <string.h>

int shape_matmul(op_ctx *c);
int ref_matmul(op_ctx *c);
int shape_conv(op_ctx *c);
int ref_conv(op_ctx *c);

/* Input 0, 1: A, B; 2: bias row (optional); 3: residual (optional). */
static op_ctx product_ctx(op_ctx *c, ir_node *tmp)
{
    *tmp = *c->node;
    int gemm = ir_attr_int(c->node, "transB", 0) != 0;
    tmp->op = gemm ? OP_Gemm : OP_MatMul;
    op_ctx p = *c;
    p.node = tmp;
    p.n_in = 2;
    return p;
}

int shape_epilogue(op_ctx *c)
{
    ir_node tmp;
    op_ctx p = product_ctx(c, &tmp);
    int rc = shape_matmul(&p);
    if (rc)
        return rc;
    if (c->n_in > 3 && c->in[3] && !shape_equal(c->in[3], c->out[0]))
        return op_error(c, RV_ESHAPE, "input 3 (residual) does not have the product's shape");
    return 0;
}

int ref_epilogue(op_ctx *c)
{
    ir_node tmp;
    op_ctx p = product_ctx(c, &tmp);
    int rc = ref_matmul(&p);
    if (rc)
        return rc;
    tensor *y = c->out[0];
    if (y->dtype != DT_F32)
        return op_error(c, RV_ETYPE, "float32 only");
    int64_t n, cols = y->rank ? y->dims[y->rank - 1] : 1;
    tensor_numel(y, &n);
    float *Y = y->data;
    const float *bias = c->n_in > 2 && c->in[2] ? c->in[2]->data : NULL;
    const float *res = c->n_in > 3 && c->in[3] ? c->in[3]->data : NULL;
    const char *act = ir_attr_string(c->node, "activation", "none");
    float div = ir_attr_float(c->node, "gelu_divisor", 1.4142135f);
    int gelu = !strcmp(act, "gelu"), relu = !strcmp(act, "relu");
    for (int64_t i = 0; i < n; i++) {
        float h = Y[i];
        if (bias)
            h = h + bias[i % cols];
        if (res)
            h = h + res[i];
        if (relu)
            h = h > 0 ? h : 0;
        else if (gelu) {
            float e = (float)erf((double)(h / div)); /* Div, Erf */
            float a = e + 1.0f;                         /* Add 1 */
            h = (h * a) * 0.5f;                         /* Mul, Mul 0.5 */
        }
        Y[i] = h;
    }
    return 0;
}

/* ConvEpilogue: input 0, 1, 2: Conv's x, W, bias (optional); 3: residual
 * (optional); 4..7: a BatchNormalization's scale, B, mean, var (optional,
 * all or none; attribute bn_epsilon), applied before the residual.
 * Attributes: Conv's, plus activation "none" | "relu" | "clip" with
 * clip_min / clip_max | "hardswish" | "hardsigmoid" with alpha / beta |
 * "sigmoid". The last three are computed by ref_unary_f64, as the unfused
 * ops are. */
static op_ctx conv_ctx(op_ctx *c, ir_node *tmp)
{
    *tmp = *c->node;
    tmp->op = OP_Conv;
    op_ctx p = *c;
    p.node = tmp;
    p.n_in = c->n_in < 3 ? c->n_in : 3;
    return p;
}

int shape_conv_epilogue(op_ctx *c)
{
    ir_node tmp;
    op_ctx p = conv_ctx(c, &tmp);
    int rc = shape_conv(&p);
    if (rc)
        return rc;
    if (c->n_in > 3 && c->in[3] && !shape_equal(c->in[3], c->out[0]))
        return op_error(c, RV_ESHAPE, "input 3 (residual) does not have the convolution's shape");
    return 0;
}

int ref_conv_epilogue(op_ctx *c)
{
    ir_node tmp;
    op_ctx p = conv_ctx(c, &tmp);
    int rc = ref_conv(&p);
    if (rc)
        return rc;
    tensor *y = c->out[0];
    const tensor *r = c->n_in > 3 ? c->in[3] : NULL;
    if (y->dtype != DT_F32 || (r && r->dtype != DT_F32))
        return op_error(c, RV_ETYPE, "float32 only");
    int64_t n;
    tensor_numel(y, &n);
    float *Y = y->data;
    const float *res = r ? r->data : NULL;
    const char *act = ir_attr_string(c->node, "activation", "none");
    int relu = !strcmp(act, "relu"), clip = !strcmp(act, "clip");
    ir_node unary = *c->node; /* the fused activation as its own op (alpha/beta attributes included) */
    unary.op = !strcmp(act, "hardswish") ? OP_HardSwish : !strcmp(act, "hardsigmoid") ? OP_HardSigmoid
             : !strcmp(act, "sigmoid") ? OP_Sigmoid : OP_Relu;
    int other = unary.op != OP_Relu;
    if (!relu && !clip && !other && strcmp(act, "none"))
        return op_error(c, RV_EINVAL, "unknown activation '%s'", act);
    double lo = ir_attr_float(c->node, "clip_min", 0.0f), hi = ir_attr_float(c->node, "clip_max", 6.0f);
    int bn = c->n_in > 7 && c->in[4] && c->in[5] && c->in[6] && c->in[7];
    int64_t C = y->rank > 1 ? y->dims[1] : 1, S = 1;
    for (int d = 2; d < y->rank; d++)
        S *= y->dims[d];
    for (int k = 4; bn && k < 8; k++) {
        int64_t nk;
        if (tensor_numel(c->in[k], &nk) || nk != C)
            return op_error(c, RV_ESHAPE, "input %d must have %lld elements (the channels)", k, (long long)C);
    }
    double eps = ir_attr_float(c->node, "bn_epsilon", 1e-5f);
    for (int64_t i = 0; i < n; i++) {
        float h = Y[i];
        if (bn) { /* as ref_batchnorm, in double */
            int64_t ch = i / S % C;
            double k = tensor_get_f64(c->in[4], ch) / sqrt(tensor_get_f64(c->in[7], ch) + eps);
            h = (float)(((double)h - tensor_get_f64(c->in[6], ch)) * k + tensor_get_f64(c->in[5], ch));
        }
        if (res)
            h = h + res[i];
        if (relu) {
            h = h > 0 ? h : 0;
        } else if (clip) { /* as ref_clip: compares in double */
            double v = h;
            v = v < lo ? lo : v;
            v = v > hi ? hi : v;
            h = (float)v;
        } else if (other) {
            h = (float)ref_unary_f64(&unary, h);
        }
        Y[i] = h;
    }
    return 0;
}
