/* epilogue.c - reference kernels of rvvnn::MatMulEpilogue and
 * rvvnn::ConvEpilogue, the nodes passes/fuse.c makes from MatMul/Gemm +
 * bias + residual + Relu/GELU and from Conv + residual + Relu/Clip/
 * HardSwish/HardSigmoid/Sigmoid.
 * Each runs the product with the MatMul/Gemm/Conv kernel and then the
 * epilogue in f32, in the same order and with the same constants as the
 * unfused ONNX ops, so fusion leaves the reference's results unchanged. */
#include "gemm_core.h"
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

typedef struct mm_epi {
    float *y;
    const float *bias, *res;
    int64_t cols;
    int gelu, relu;
    float div;
} mm_epi;

/* Columns [n0, n0+nc) of row r of the product (Y points at column n0):
 * the same f32 steps as the unfused ops. */
static void mm_epi_span(const mm_epi *j, int64_t r, int64_t n0, int64_t nc, float *Y)
{
    const float *res = j->res ? j->res + r * j->cols + n0 : NULL;
    const float *bias = j->bias ? j->bias + n0 : NULL;
    /* one pass per step (each but GELU vectorises), in the unfused order */
    if (bias)
        for (int64_t i = 0; i < nc; i++)
            Y[i] = Y[i] + bias[i];
    if (res)
        for (int64_t i = 0; i < nc; i++)
            Y[i] = Y[i] + res[i];
    if (j->relu)
        for (int64_t i = 0; i < nc; i++)
            Y[i] = Y[i] > 0 ? Y[i] : 0;
    else if (j->gelu)
        for (int64_t i = 0; i < nc; i++) {
            float h = Y[i];
            float e = (float)erf((double)(h / j->div)); /* Div, Erf */
            float a = e + 1.0f;                          /* Add 1 */
            Y[i] = (h * a) * 0.5f;                       /* Mul, Mul 0.5 */
        }
}

static void mm_epi_rows(void *arg, int64_t r0, int64_t r1)
{
    const mm_epi *j = arg;
    for (int64_t r = r0; r < r1; r++)
        mm_epi_span(j, r, 0, j->cols, j->y + r * j->cols);
}

/* the GEMM's hook: row m of batch t is row t*M + m of Y */
static void mm_epi_post(const gemm_problem *p, int64_t t, int64_t m, int64_t n0, int64_t nc, float *y)
{
    mm_epi_span(p->post_ctx, t * p->M + m, n0, nc, y);
}

int ref_epilogue(op_ctx *c)
{
    ir_node tmp;
    op_ctx p = product_ctx(c, &tmp);
    tensor *y = c->out[0];
    if (y->dtype != DT_F32)
        return op_error(c, RV_ETYPE, "float32 only");
    int64_t n, cols = y->rank ? y->dims[y->rank - 1] : 1;
    tensor_numel(y, &n);
    const char *act = ir_attr_string(c->node, "activation", "none");
    mm_epi j = {y->data, c->n_in > 2 && c->in[2] ? c->in[2]->data : NULL,
                c->n_in > 3 && c->in[3] ? c->in[3]->data : NULL, cols,
                !strcmp(act, "gelu"), !strcmp(act, "relu"), ir_attr_float(c->node, "gelu_divisor", 1.4142135f)};
    ref_matmul_post post = {mm_epi_post, &j};
    int fused, rc = ref_matmul_fused(&p, &post, &fused);
    if (rc)
        return rc;
    if (!fused && cols > 0)
        ref_parallel_for(n / cols, 1, mm_epi_rows, &j);
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

typedef struct cv_epi {
    float *y;
    const float *res;
    int64_t S, C;
    int relu, clip;
    double lo, hi;
    double *bn;           /* per channel k, mean, B; or NULL */
    const ir_node *unary; /* HardSwish / HardSigmoid / Sigmoid as their own op, or NULL */
} cv_epi;

/* Elements [off, off+n) of output plane p (batch x channel) at Y: one
 * pass per step (each vectorises; the data stays in cache), the steps in
 * the unfused ops' order. */
static inline __attribute__((always_inline)) void cv_epi_body(const void *ctx, int64_t p, int64_t off, int64_t n,
                                                              float *Y)
{
    const cv_epi *j = ctx;
    const float *res = j->res ? j->res + p * j->S + off : NULL;
    const double *bn = j->bn ? j->bn + 3 * (p % j->C) : NULL;
    if (bn)
        for (int64_t i = 0; i < n; i++)
            Y[i] = (float)(((double)Y[i] - bn[1]) * bn[0] + bn[2]);
    if (res)
        for (int64_t i = 0; i < n; i++)
            Y[i] = Y[i] + res[i];
    if (j->relu)
        for (int64_t i = 0; i < n; i++)
            Y[i] = Y[i] > 0 ? Y[i] : 0;
    else if (j->clip) {
        /* as ref_clip, which compares in double: lo and hi are f32
         * attributes, so the f32 comparisons pick the same values (NaN
         * passes through either way) at a quarter of the cost */
        float lo = (float)j->lo, hi = (float)j->hi;
        for (int64_t i = 0; i < n; i++) {
            float v = Y[i];
            v = v < lo ? lo : v;
            Y[i] = v > hi ? hi : v;
        }
    }
    else if (j->unary) /* as the unfused op computes it */
        for (int64_t i = 0; i < n; i++)
            Y[i] = (float)ref_unary_f64(j->unary, Y[i]);
}

/* The body compiled per ISA level like the kernels it follows (wider
 * vectors for the same element-wise steps; ISO C mode keeps GCC from
 * contracting them into FMAs, so the bits do not change). */
static void cv_epi_span(const void *ctx, int64_t p, int64_t off, int64_t n, float *Y)
{
    cv_epi_body(ctx, p, off, n, Y);
}
#ifdef GEMM_X86
GEMM_AVX2 static void cv_epi_span_avx2(const void *ctx, int64_t p, int64_t off, int64_t n, float *Y)
{
    cv_epi_body(ctx, p, off, n, Y);
}
GEMM_AVX512 static void cv_epi_span_avx512(const void *ctx, int64_t p, int64_t off, int64_t n, float *Y)
{
    cv_epi_body(ctx, p, off, n, Y);
}
#endif

/* Planes [p0, p1) (batch x channel) of the convolution's output. */
static void cv_epi_planes(void *arg, int64_t p0, int64_t p1)
{
    const cv_epi *j = arg;
    for (int64_t p = p0; p < p1; p++)
        cv_epi_span(j, p, 0, j->S, j->y + p * j->S);
}

int ref_conv_epilogue(op_ctx *c)
{
    ir_node tmp;
    op_ctx p = conv_ctx(c, &tmp);
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
    cv_epi j = {Y, res, S, C, relu, clip, lo, hi, NULL, other ? &unary : NULL};
    if (bn) { /* per channel, as ref_batchnorm, in double: k, mean, B */
        j.bn = mem_alloc((size_t)C * 3 * sizeof(double) + 8);
        if (!j.bn)
            return op_error(c, RV_ENOMEM, "cannot allocate %lld batch-norm constants", (long long)C);
        double eps = ir_attr_float(c->node, "bn_epsilon", 1e-5f);
        for (int64_t ch = 0; ch < C; ch++) {
            j.bn[3 * ch] = tensor_get_f64(c->in[4], ch) / sqrt(tensor_get_f64(c->in[7], ch) + eps);
            j.bn[3 * ch + 1] = tensor_get_f64(c->in[6], ch);
            j.bn[3 * ch + 2] = tensor_get_f64(c->in[5], ch);
        }
    }
    /* the f32 conv applies the steps to each piece of output it writes,
     * while in cache; other paths leave them to the pass below */
    ref_conv_post post = {cv_epi_span, &j};
#ifdef GEMM_X86
    int isa = gemm_core_isa();
    post.fn = isa == 2 ? cv_epi_span_avx512 : isa == 1 ? cv_epi_span_avx2 : cv_epi_span;
#endif
    int fused, rc = ref_conv_fused(&p, &post, &fused);
    if (!rc && !fused && S > 0)
        ref_parallel_for(n / S, 1, cv_epi_planes, &j);
    mem_free(j.bn);
    return rc;
}
