/* eltwise.c - reference kernels for elementwise operators: unary math,
 * binary arithmetic with numpy broadcasting, comparisons, logic, Where,
 * Cast and activations. f32 has direct loops; other types go through
 * double (floats) or int64 (integers). */
#include "ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int shape_same(op_ctx *c)
{
    for (int k = 0; k < c->n_out; k++)
        shape_copy_from(c->out[k], c->in[0]);
    return 0;
}

/* Comparisons: same-typed inputs, bool output. */
int shape_compare(op_ctx *c)
{
    int rc = shape_broadcast(c);
    c->out[0]->dtype = DT_BOOL;
    return rc;
}

/* Pow: the exponent may have another numeric type; the output has the base's. */
int shape_pow(op_ctx *c)
{
    c->out[0]->dtype = c->in[0]->dtype;
    return shape_broadcast_dims(c, c->in[0], c->in[1], c->out[0]);
}

int shape_broadcast(op_ctx *c)
{
    if (c->in[0]->dtype != c->in[1]->dtype)
        return op_error(c, RV_ETYPE, "inputs have different types %s and %s",
                        dtype_suffix(c->in[0]->dtype), dtype_suffix(c->in[1]->dtype));
    c->out[0]->dtype = c->in[0]->dtype;
    return shape_broadcast_dims(c, c->in[0], c->in[1], c->out[0]);
}

typedef struct binary_job {
    const op_ctx *c;
    const tensor *a, *b;
    tensor *y;
    int64_t sa[TENSOR_MAX_RANK], sb[TENSOR_MAX_RANK];
    int64_t inner;     /* length of the innermost run */
} binary_job;

/* Computed in double and rounded once to the output type: for + - * /
 * that is exactly the correctly rounded f32 result (double has more than
 * twice f32's precision), which is what IEEE f32 hardware gives. */
static double binary_f64(int op, double a, double b)
{
    switch (op) {
    case OP_Add: return a + b;
    case OP_Sub: return a - b;
    case OP_Mul: return a * b;
    case OP_Div: return a / b;
    case OP_Pow: return pow(a, b);
    case OP_Mod: return fmod(a, b);
    case OP_Equal: return a == b;
    case OP_Less: return a < b;
    case OP_Greater: return a > b;
    case OP_LessOrEqual: return a <= b;
    case OP_GreaterOrEqual: return a >= b;
    }
    return 0;
}

/* Integer semantics: wrap-around like two's-complement hardware; division
 * truncates like C, and a zero divisor gives 0 instead of trapping (ONNX
 * leaves it undefined; a model must not crash the process). */
static int64_t binary_i64(int op, int64_t a, int64_t b)
{
    switch (op) {
    case OP_Add: return (int64_t)((uint64_t)a + (uint64_t)b);
    case OP_Sub: return (int64_t)((uint64_t)a - (uint64_t)b);
    case OP_Mul: return (int64_t)((uint64_t)a * (uint64_t)b);
    case OP_Div: return b == 0 || (b == -1 && a == INT64_MIN) ? 0 : a / b;
    case OP_Pow: {
        if (b < 0)
            return a == 1 ? 1 : a == -1 ? (b & 1 ? -1 : 1) : 0;
        uint64_t r = 1, base = (uint64_t)a;
        for (int64_t e = b; e > 0; e >>= 1) {
            if (e & 1)
                r *= base;
            base *= base;
        }
        return (int64_t)r;
    }
    case OP_Mod: {
        if (b == 0 || (b == -1 && a == INT64_MIN))
            return 0;
        int64_t r = a % b; /* Python-style sign of the divisor unless fmod=1 */
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }
    case OP_Equal: return a == b;
    case OP_Less: return a < b;
    case OP_Greater: return a > b;
    case OP_LessOrEqual: return a <= b;
    case OP_GreaterOrEqual: return a >= b;
    case OP_And: return a && b;
    case OP_Or: return a || b;
    case OP_Xor: return (a != 0) != (b != 0);
    }
    return 0;
}

/* Rows of the output: every output index except the innermost dim. */
static void binary_rows(void *arg, int64_t r0, int64_t r1)
{
    binary_job *j = arg;
    const tensor *y = j->y;
    int op = j->c->node->op, rank = y->rank;
    int64_t inner = j->inner;
    for (int64_t r = r0; r < r1; r++) {
        int64_t rem = r, oa = 0, ob = 0;
        for (int d = rank - 2; d >= 0; d--) {
            int64_t i = rem % y->dims[d];
            rem /= y->dims[d];
            oa += i * j->sa[d];
            ob += i * j->sb[d];
        }
        int64_t ia = rank ? j->sa[rank - 1] : 0, ib = rank ? j->sb[rank - 1] : 0;
        int64_t base = r * inner;
        int fmod_attr = op == OP_Mod && ir_attr_int(j->c->node, "fmod", 0);
        if (y->dtype == DT_F32 && j->a->dtype == DT_F32 && j->b->dtype == DT_F32) {
            const float *A = (const float *)j->a->data + oa, *B = (const float *)j->b->data + ob;
            float *Y = (float *)y->data + base;
            switch (op) { /* the hot ones without a per-element switch */
            case OP_Add: for (int64_t i = 0; i < inner; i++) Y[i] = A[i * ia] + B[i * ib]; break;
            case OP_Sub: for (int64_t i = 0; i < inner; i++) Y[i] = A[i * ia] - B[i * ib]; break;
            case OP_Mul: for (int64_t i = 0; i < inner; i++) Y[i] = A[i * ia] * B[i * ib]; break;
            case OP_Div: for (int64_t i = 0; i < inner; i++) Y[i] = A[i * ia] / B[i * ib]; break;
            default:
                for (int64_t i = 0; i < inner; i++)
                    Y[i] = (float)binary_f64(op, A[i * ia], B[i * ib]);
            }
        } else if (dtype_is_float(j->a->dtype) || (op == OP_Mod && fmod_attr)) {
            for (int64_t i = 0; i < inner; i++)
                tensor_set_f64(j->y, base + i,
                               binary_f64(op, tensor_get_f64(j->a, oa + i * ia),
                                          tensor_get_f64(j->b, ob + i * ib)));
        } else {
            for (int64_t i = 0; i < inner; i++)
                tensor_set_i64(j->y, base + i,
                               binary_i64(op, tensor_get_i64(j->a, oa + i * ia),
                                          tensor_get_i64(j->b, ob + i * ib)));
        }
    }
}

int ref_binary(op_ctx *c)
{
    binary_job j = {.c = c, .a = c->in[0], .b = c->in[1], .y = c->out[0]};
    int64_t n;
    int rc = tensor_numel(j.y, &n);
    if (rc || n == 0)
        return rc;
    broadcast_strides(j.y, j.a, j.sa);
    broadcast_strides(j.y, j.b, j.sb);
    j.inner = j.y->rank ? j.y->dims[j.y->rank - 1] : 1;
    ref_parallel_for(n / j.inner, 4096 / (j.inner + 1) + 1, binary_rows, &j);
    return 0;
}

typedef struct unary_job {
    const op_ctx *c;
    const tensor *x;
    tensor *y;
} unary_job;

/* One element of a float unary op, in double; shared with the fused
 * activations of exec/ref/epilogue.c so fusing keeps the bits. */
double ref_unary_f64(const ir_node *n, double x)
{
    switch (n->op) {
    case OP_Relu: return x > 0 ? x : 0;
    case OP_Neg: return -x;
    case OP_Abs: return fabs(x);
    case OP_Sqrt: return sqrt(x);
    case OP_Exp: return exp(x);
    case OP_Log: return log(x);
    case OP_Erf: return erf(x);
    case OP_Reciprocal: return 1.0 / x;
    case OP_Sigmoid: return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
    case OP_Tanh: return tanh(x);
    case OP_Floor: return floor(x);
    case OP_Ceil: return ceil(x);
    case OP_Round: return nearbyint(x); /* half to even in the default rounding mode */
    case OP_Sign: return x > 0 ? 1 : x < 0 ? -1 : x;
    case OP_Sin: return sin(x);
    case OP_Cos: return cos(x);
    case OP_Tan: return tan(x);
    case OP_Asin: return asin(x);
    case OP_Acos: return acos(x);
    case OP_Atan: return atan(x);
    case OP_Sinh: return sinh(x);
    case OP_Cosh: return cosh(x);
    case OP_Asinh: return asinh(x);
    case OP_Acosh: return acosh(x);
    case OP_Atanh: return atanh(x);
    case OP_Softplus: return x > 20 ? x : log1p(exp(x));
    case OP_Softsign: return x / (1 + fabs(x));
    case OP_LeakyRelu: return x >= 0 ? x : x * ir_attr_float(n, "alpha", 0.01f);
    case OP_Elu: return x >= 0 ? x : ir_attr_float(n, "alpha", 1.0f) * expm1(x);
    case OP_Selu: {
        double al = ir_attr_float(n, "alpha", 1.67326319217681884765625f);
        double ga = ir_attr_float(n, "gamma", 1.05070102214813232421875f);
        return x > 0 ? ga * x : ga * al * expm1(x);
    }
    case OP_HardSigmoid: {
        double v = ir_attr_float(n, "alpha", 0.2f) * x + ir_attr_float(n, "beta", 0.5f);
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
    case OP_HardSwish: {
        double v = x / 6.0 + 0.5;
        return x * (v < 0 ? 0 : v > 1 ? 1 : v);
    }
    case OP_ThresholdedRelu: return x > ir_attr_float(n, "alpha", 1.0f) ? x : 0;
    case OP_Gelu:
        if (!strcmp(ir_attr_string(n, "approximate", "none"), "tanh"))
            return 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
        return 0.5 * x * (1 + erf(x / 1.4142135623730951));
    case OP_Mish: return x * tanh(x > 20 ? x : log1p(exp(x)));
    case OP_IsNaN: return x != x;
    case OP_Not: return x == 0;
    }
    return 0;
}

static void unary_range(void *arg, int64_t i0, int64_t i1)
{
    unary_job *j = arg;
    int op = j->c->node->op;
    const ir_node *n = j->c->node;
    if (j->y->dtype == DT_F32 && j->x->dtype == DT_F32) {
        const float *X = j->x->data;
        float *Y = j->y->data;
        if (op == OP_Relu) {
            for (int64_t i = i0; i < i1; i++)
                Y[i] = X[i] > 0 ? X[i] : 0;
        } else {
            for (int64_t i = i0; i < i1; i++)
                Y[i] = (float)ref_unary_f64(n, X[i]);
        }
    } else if (dtype_is_float(j->x->dtype) || op == OP_IsNaN) {
        for (int64_t i = i0; i < i1; i++)
            tensor_set_f64(j->y, i, ref_unary_f64(n, tensor_get_f64(j->x, i)));
    } else {
        /* integers: exact where the op is exact on integers */
        for (int64_t i = i0; i < i1; i++) {
            int64_t v = tensor_get_i64(j->x, i);
            switch (op) {
            case OP_Neg: v = (int64_t)(0 - (uint64_t)v); break;
            case OP_Abs: v = v < 0 ? (int64_t)(0 - (uint64_t)v) : v; break;
            case OP_Sign: v = v > 0 ? 1 : v < 0 ? -1 : 0; break;
            case OP_Relu: v = v > 0 ? v : 0; break;
            case OP_Not: v = v == 0; break;
            default: v = (int64_t)ref_unary_f64(n, (double)v);
            }
            tensor_set_i64(j->y, i, v);
        }
    }
}

/* IsNaN/IsInf give bools; everything else keeps the input type. */
int shape_unary_bool(op_ctx *c)
{
    shape_copy_from(c->out[0], c->in[0]);
    c->out[0]->dtype = DT_BOOL;
    return 0;
}

int ref_isinf(op_ctx *c)
{
    int64_t n;
    int rc = tensor_numel(c->in[0], &n);
    int pos = (int)ir_attr_int(c->node, "detect_positive", 1), neg = (int)ir_attr_int(c->node, "detect_negative", 1);
    for (int64_t i = 0; !rc && i < n; i++) {
        double v = tensor_get_f64(c->in[0], i);
        tensor_set_i64(c->out[0], i, (isinf(v) && ((v > 0 && pos) || (v < 0 && neg))));
    }
    return rc;
}

int ref_unary(op_ctx *c)
{
    unary_job j = {c, c->in[0], c->out[0]};
    int64_t n;
    int rc = tensor_numel(j.y, &n);
    if (rc)
        return rc;
    ref_parallel_for(n, 16384, unary_range, &j);
    return 0;
}

/* Max, Min, Sum, Mean: any number of inputs, all broadcast together. */
int shape_variadic(op_ctx *c)
{
    tensor acc = *c->in[0];
    for (int k = 1; k < c->n_in; k++) {
        if (!c->in[k] || c->in[k]->dtype != acc.dtype)
            return op_error(c, RV_ETYPE, "input %d: missing or a different element type", k);
        tensor next; /* the broadcast must not read dims it already wrote */
        int rc = shape_broadcast_dims(c, &acc, c->in[k], &next);
        if (rc)
            return rc;
        acc.rank = next.rank;
        memcpy(acc.dims, next.dims, sizeof acc.dims);
    }
    c->out[0]->dtype = acc.dtype;
    c->out[0]->rank = acc.rank;
    memcpy(c->out[0]->dims, acc.dims, sizeof acc.dims);
    return 0;
}

int ref_variadic(op_ctx *c)
{
    tensor *y = c->out[0];
    int64_t n, st[16][TENSOR_MAX_RANK];
    int rc = tensor_numel(y, &n);
    if (rc)
        return rc;
    if (c->n_in > 16)
        return op_error(c, RV_ELIMIT, "more than 16 inputs");
    for (int k = 0; k < c->n_in; k++)
        broadcast_strides(y, c->in[k], st[k]);
    int op = c->node->op, is_float = dtype_is_float(y->dtype);
    for (int64_t i = 0; i < n; i++) {
        double accf = 0;
        int64_t acci = 0;
        for (int k = 0; k < c->n_in; k++) {
            int64_t off = broadcast_offset(y, i, st[k]);
            if (is_float) {
                double v = tensor_get_f64(c->in[k], off);
                if (k == 0)
                    accf = v;
                else if (op == OP_Max)
                    accf = (v != v || accf != accf) ? NAN : v > accf ? v : accf;
                else if (op == OP_Min)
                    accf = (v != v || accf != accf) ? NAN : v < accf ? v : accf;
                else
                    accf += v;
            } else {
                int64_t v = tensor_get_i64(c->in[k], off);
                if (k == 0)
                    acci = v;
                else if (op == OP_Max)
                    acci = v > acci ? v : acci;
                else if (op == OP_Min)
                    acci = v < acci ? v : acci;
                else
                    acci = (int64_t)((uint64_t)acci + (uint64_t)v);
            }
        }
        if (op == OP_Mean) {
            accf /= c->n_in;
            acci /= c->n_in;
        }
        if (is_float)
            tensor_set_f64(y, i, accf);
        else
            tensor_set_i64(y, i, acci);
    }
    return 0;
}
