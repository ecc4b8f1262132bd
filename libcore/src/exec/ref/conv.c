/* conv.c - reference Conv and ConvTranspose for 1-D, 2-D and 3-D
 * (spatial dims padded to three internally), with groups, strides,
 * pads, auto_pad, dilations and optional bias.
 *
 * f32 Conv runs on the shared GEMM (gemm_core.h states the accumulation
 * contract; K in (input channel, kz, ky, kx) order): Y = W x im2col(X)
 * per (batch, group), the im2col implicit (the GEMM packs its B chunks
 * straight from a zero-padded copy of X; 1x1 stride-1 unpadded convs read
 * X as a matrix). Convs with one input channel per output channel
 * (depthwise) run a per-ISA row/plane kernel with the same contract (the
 * taps are K). Padding taps count as products with 0 in both. Other
 * dtypes and ConvTranspose accumulate each output plane in double in a
 * fixed order (input channel, then kernel position) on one thread.
 * Threads never change the bits. */
#include "gemm_core.h"
#include "ref.h"

#include <string.h>

typedef struct conv_geom {
    int sp;                       /* spatial rank: 1..3 */
    int64_t N, C, M, G;           /* batch, in channels, out channels, groups */
    int64_t in[3], k[3], out[3];  /* spatial extents (padded to 3 with 1) */
    int64_t stride[3], dil[3], pad_b[3], pad_e[3], out_pad[3];
} conv_geom;

/* Reads strides/dilations/pads/auto_pad; for ConvTranspose also
 * output_padding and output_shape. Fills out[] too. */
static int conv_geometry(op_ctx *c, int transpose, conv_geom *g)
{
    const tensor *x = c->in[0], *w = c->in[1];
    memset(g, 0, sizeof *g);
    if (x->rank < 3 || x->rank > 5 || w->rank != x->rank)
        return op_error(c, RV_ESHAPE, "input and weight must both have rank 3..5 (got %d and %d)", x->rank,
                        w->rank);
    g->sp = x->rank - 2;
    g->N = x->dims[0];
    g->C = x->dims[1];
    g->G = ir_attr_int(c->node, "group", 1);
    if (g->G < 1 || (g->C && g->G > g->C) || (g->C && g->C % g->G))
        return op_error(c, RV_EINVAL, "group %lld does not divide %lld channels", (long long)g->G, (long long)g->C);
    int64_t wg; /* weight channels x groups */
    if (__builtin_mul_overflow(w->dims[1], g->G, &wg))
        return op_error(c, RV_ESHAPE, "weight dim 1 x %lld groups overflows", (long long)g->G);
    g->M = transpose ? wg : w->dims[0];
    if (transpose ? w->dims[0] != g->C : wg != g->C)
        return op_error(c, RV_ESHAPE, "weight shape does not match %lld input channels in %lld groups",
                        (long long)g->C, (long long)g->G);
    if (!transpose && g->M % g->G)
        return op_error(c, RV_EINVAL, "group %lld does not divide %lld output channels", (long long)g->G,
                        (long long)g->M);
    size_t n;
    const int64_t *st = ir_attr_ints(c->node, "strides", &n);
    if (st && (int)n != g->sp)
        return op_error(c, RV_EINVAL, "attribute 'strides' needs %d values", g->sp);
    const int64_t *dl = ir_attr_ints(c->node, "dilations", &n);
    if (dl && (int)n != g->sp)
        return op_error(c, RV_EINVAL, "attribute 'dilations' needs %d values", g->sp);
    const int64_t *pd = ir_attr_ints(c->node, "pads", &n);
    if (pd && (int)n != 2 * g->sp)
        return op_error(c, RV_EINVAL, "attribute 'pads' needs %d values", 2 * g->sp);
    const int64_t *op = ir_attr_ints(c->node, "output_padding", &n);
    const int64_t *os = ir_attr_ints(c->node, "output_shape", &n);
    if (os && (int)n != g->sp && (int)n != g->sp + 2)
        return op_error(c, RV_EINVAL, "attribute 'output_shape' needs %d values", g->sp);
    if (os && (int)n == g->sp + 2)
        os += 2;
    const char *ap = ir_attr_string(c->node, "auto_pad", "NOTSET");
    for (int d = 0; d < 3; d++) {
        g->in[d] = g->k[d] = g->stride[d] = g->dil[d] = g->out[d] = 1;
        if (d >= g->sp)
            continue;
        g->in[d] = x->dims[2 + d];
        g->k[d] = w->dims[2 + d];
        g->stride[d] = st ? st[d] : 1;
        g->dil[d] = dl ? dl[d] : 1;
        g->pad_b[d] = pd ? pd[d] : 0;
        g->pad_e[d] = pd ? pd[g->sp + d] : 0;
        g->out_pad[d] = op ? op[d] : 0;
        if (g->stride[d] < 1 || g->dil[d] < 1 || g->pad_b[d] < 0 || g->pad_e[d] < 0 || g->k[d] < 1 ||
            g->out_pad[d] < 0)
            return op_error(c, RV_EINVAL, "non-positive stride/dilation/kernel or negative pad on spatial dim %d", d);
        /* bounded so no sum or product below can overflow int64 */
        if (g->stride[d] > INT32_MAX || g->dil[d] > INT32_MAX || g->pad_b[d] > INT32_MAX ||
            g->pad_e[d] > INT32_MAX || g->out_pad[d] > INT32_MAX || g->k[d] > INT32_MAX ||
            g->in[d] > INT32_MAX || (os && (os[d] < 0 || os[d] > INT32_MAX)))
            return op_error(c, RV_EINVAL, "stride, dilation, pad, kernel or extent above 2^31 on spatial dim %d",
                            d);
        int64_t ke = (g->k[d] - 1) * g->dil[d] + 1;
        if (transpose) {
            int64_t full = g->stride[d] * (g->in[d] - 1) + g->out_pad[d] + ke;
            if (os) {
                int64_t total = full - os[d];
                if (total < 0)
                    total = 0;
                /* ONNX: SAME_UPPER puts the odd element of the padding at
                 * the end; NOTSET and SAME_LOWER put it at the start */
                int upper = strcmp(ap, "SAME_UPPER") == 0;
                g->pad_b[d] = upper ? total / 2 : total - total / 2;
                g->pad_e[d] = total - g->pad_b[d];
                g->out[d] = os[d];
            } else {
                if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
                    int64_t target = g->in[d] * g->stride[d], total = full - target;
                    total = total < 0 ? 0 : total;
                    g->pad_b[d] = !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2;
                    g->pad_e[d] = total - g->pad_b[d];
                }
                g->out[d] = full - g->pad_b[d] - g->pad_e[d];
            }
        } else {
            if (!strcmp(ap, "VALID")) {
                g->pad_b[d] = g->pad_e[d] = 0;
            } else if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
                int64_t o = (g->in[d] + g->stride[d] - 1) / g->stride[d];
                int64_t total = (o - 1) * g->stride[d] + ke - g->in[d];
                total = total < 0 ? 0 : total;
                g->pad_b[d] = !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2;
                g->pad_e[d] = total - g->pad_b[d];
            }
            int64_t span = g->in[d] + g->pad_b[d] + g->pad_e[d] - ke;
            if (span < 0)
                return op_error(c, RV_ESHAPE, "kernel (extent %lld) larger than the padded input (%lld) on dim %d",
                                (long long)ke, (long long)(g->in[d] + g->pad_b[d] + g->pad_e[d]), d);
            g->out[d] = span / g->stride[d] + 1;
        }
        if (g->out[d] < 0)
            return op_error(c, RV_ESHAPE, "negative output size on spatial dim %d", d);
    }
    return 0;
}

static int conv_shape_common(op_ctx *c, int transpose)
{
    conv_geom g;
    int rc = conv_geometry(c, transpose, &g);
    if (rc)
        return rc;
    tensor *y = c->out[0];
    y->dtype = c->in[0]->dtype;
    y->rank = c->in[0]->rank;
    y->dims[0] = g.N;
    y->dims[1] = g.M;
    for (int d = 0; d < g.sp; d++)
        y->dims[2 + d] = g.out[d];
    if (c->n_in > 2 && c->in[2]) {
        int64_t nb;
        if (tensor_numel(c->in[2], &nb) || nb != g.M)
            return op_error(c, RV_ESHAPE, "input 2 (bias) must have %lld elements", (long long)g.M);
    }
    return 0;
}

int shape_conv(op_ctx *c) { return conv_shape_common(c, 0); }
int shape_conv_transpose(op_ctx *c) { return conv_shape_common(c, 1); }

typedef struct conv_job {
    op_ctx *c;
    conv_geom g;
    int transpose;
    volatile int failed; /* a worker could not allocate its plane */
} conv_job;

static void conv_planes(void *arg, int64_t p0, int64_t p1)
{
    conv_job *j = arg;
    const conv_geom *g = &j->g;
    const tensor *x = j->c->in[0], *w = j->c->in[1];
    const tensor *b = j->c->n_in > 2 ? j->c->in[2] : NULL;
    tensor *y = j->c->out[0];
    int64_t in_sz = g->in[0] * g->in[1] * g->in[2], out_sz = g->out[0] * g->out[1] * g->out[2];
    int64_t k_sz = g->k[0] * g->k[1] * g->k[2];
    int64_t cg = g->C / g->G, mg = g->M / g->G;
    int f32 = x->dtype == DT_F32 && w->dtype == DT_F32;
    double *acc = mem_alloc((size_t)out_sz * sizeof(double) + 8);
    if (!acc) {
        j->failed = 1; /* every writer stores the same value */
        return;
    }
    for (int64_t p = p0; p < p1; p++) {
        int64_t n = p / g->M, m = p % g->M, grp = m / mg;
        double bias = b ? tensor_get_f64(b, m) : 0;
        for (int64_t i = 0; i < out_sz; i++)
            acc[i] = bias;
        for (int64_t ci = 0; ci < cg; ci++) {
            int64_t ic = grp * cg + ci;
            const float *xp = f32 ? (const float *)x->data + (n * g->C + ic) * in_sz : NULL;
            for (int64_t kz = 0; kz < g->k[0]; kz++)
                for (int64_t ky = 0; ky < g->k[1]; ky++)
                    for (int64_t kx = 0; kx < g->k[2]; kx++) {
                        int64_t kidx = (kz * g->k[1] + ky) * g->k[2] + kx;
                        int64_t widx = j->transpose ? ((ic * mg + (m - grp * mg)) * k_sz + kidx)
                                                    : ((m * cg + ci) * k_sz + kidx);
                        double wv = tensor_get_f64(w, widx);
                        if (wv == 0)
                            continue;
                        if (!j->transpose) {
                            for (int64_t oz = 0; oz < g->out[0]; oz++) {
                                int64_t iz = oz * g->stride[0] + kz * g->dil[0] - g->pad_b[0];
                                if (iz < 0 || iz >= g->in[0])
                                    continue;
                                for (int64_t oy = 0; oy < g->out[1]; oy++) {
                                    int64_t iy = oy * g->stride[1] + ky * g->dil[1] - g->pad_b[1];
                                    if (iy < 0 || iy >= g->in[1])
                                        continue;
                                    double *arow = acc + (oz * g->out[1] + oy) * g->out[2];
                                    int64_t base = (iz * g->in[1] + iy) * g->in[2];
                                    /* valid ox: 0 <= ox*s + kx*d - pad < W */
                                    int64_t off = kx * g->dil[2] - g->pad_b[2], s = g->stride[2];
                                    int64_t lo = off >= 0 ? 0 : (-off + s - 1) / s;
                                    int64_t hi = (g->in[2] - 1 - off) < 0 ? -1 : (g->in[2] - 1 - off) / s;
                                    if (hi >= g->out[2])
                                        hi = g->out[2] - 1;
                                    if (xp)
                                        for (int64_t ox = lo; ox <= hi; ox++)
                                            arow[ox] += wv * (double)xp[base + ox * s + off];
                                    else
                                        for (int64_t ox = lo; ox <= hi; ox++)
                                            arow[ox] += wv * tensor_get_f64(x, (n * g->C + ic) * in_sz + base + ox * s + off);
                                }
                            }
                        } else {
                            /* scatter: input position i lands on o = i*s + k*d - pad */
                            for (int64_t iz = 0; iz < g->in[0]; iz++) {
                                int64_t oz = iz * g->stride[0] + kz * g->dil[0] - g->pad_b[0];
                                if (oz < 0 || oz >= g->out[0])
                                    continue;
                                for (int64_t iy = 0; iy < g->in[1]; iy++) {
                                    int64_t oy = iy * g->stride[1] + ky * g->dil[1] - g->pad_b[1];
                                    if (oy < 0 || oy >= g->out[1])
                                        continue;
                                    for (int64_t ix = 0; ix < g->in[2]; ix++) {
                                        int64_t ox = ix * g->stride[2] + kx * g->dil[2] - g->pad_b[2];
                                        if (ox < 0 || ox >= g->out[2])
                                            continue;
                                        acc[(oz * g->out[1] + oy) * g->out[2] + ox] +=
                                            wv * tensor_get_f64(x, (n * g->C + ic) * in_sz + (iz * g->in[1] + iy) * g->in[2] + ix);
                                    }
                                }
                            }
                        }
                    }
        }
        for (int64_t i = 0; i < out_sz; i++)
            tensor_set_f64(y, (n * g->M + m) * out_sz + i, acc[i]);
    }
    mem_free(acc);
}

/* ---- f32 Conv on the shared GEMM (gemm_core.h's accumulation contract) ---- */

/* Copies input planes [p0, p1) into the zero-padded buffer. */
typedef struct pad_job {
    const conv_geom *g, *gp; /* unpadded and padded geometry */
    const float *x;
    float *xp;
} pad_job;

static void pad_planes(void *arg, int64_t p0, int64_t p1)
{
    const pad_job *j = arg;
    const conv_geom *g = j->g, *gp = j->gp;
    int64_t in_sz = g->in[0] * g->in[1] * g->in[2], pin_sz = gp->in[0] * gp->in[1] * gp->in[2];
    for (int64_t p = p0; p < p1; p++) {
        float *d = j->xp + p * pin_sz;
        memset(d, 0, (size_t)pin_sz * sizeof(float));
        for (int64_t z = 0; z < g->in[0]; z++)
            for (int64_t yy = 0; yy < g->in[1]; yy++)
                memcpy(d + ((z + g->pad_b[0]) * gp->in[1] + yy + g->pad_b[1]) * gp->in[2] + g->pad_b[2],
                       j->x + p * in_sz + (z * g->in[1] + yy) * g->in[2], (size_t)g->in[2] * sizeof(float));
    }
}

/* Depthwise-like (one input channel per output channel): output plane p =
 * (n, m), one axpy per kernel tap in (kz, ky, kx) order over a row (or,
 * 2-D stride 1, the whole plane), f32 fmaf within GEMM_KC taps and the
 * chunk sums in double, then bias. */
typedef struct dw_job {
    const conv_geom *g; /* unpadded: each task pads its own planes */
    const float *x, *w, *bias;
    float *y;
    const ref_conv_post *post; /* or NULL */
    volatile int failed;
} dw_job;

/* acc[i] = fmaf(w, x[i], acc[i]): one tap on one output row */
static inline __attribute__((always_inline)) void dw_axpy(int64_t n, float w, const float *restrict x,
                                                          float *restrict acc)
{
    for (int64_t i = 0; i < n; i++)
        acc[i] = __builtin_fmaf(w, x[i], acc[i]);
}

/* The zero-padded input plane x (padded extents dp x hp x wp) split by
 * column phase for the column stride s: phase r holds padded columns r,
 * r+s, ... as rows of wq = ceil(wp/s), so the tap at column offset c0 of
 * output column i reads phase c0 % s at i + c0/s - contiguous for any
 * stride, and in cache while the plane's taps run. */
static inline __attribute__((always_inline)) void dw_split(const conv_geom *g, const float *x, int64_t s,
                                                           int64_t hp, int64_t wq, int64_t phase_sz,
                                                           float *restrict xs)
{
    int64_t dp = phase_sz / (hp * wq), W = g->in[2], pb = g->pad_b[2];
    for (int64_t zz = 0; zz < dp; zz++)
        for (int64_t yy = 0; yy < hp; yy++) {
            int64_t row = zz * hp + yy, iz = zz - g->pad_b[0], iy = yy - g->pad_b[1];
            int inside = iz >= 0 && iz < g->in[0] && iy >= 0 && iy < g->in[1];
            const float *src = inside ? x + (iz * g->in[1] + iy) * W : NULL;
            if (s == 1) {
                float *d = xs + row * wq;
                if (!inside) {
                    memset(d, 0, (size_t)wq * sizeof(float));
                    continue;
                }
                memset(d, 0, (size_t)pb * sizeof(float));
                memcpy(d + pb, src, (size_t)W * sizeof(float));
                memset(d + pb + W, 0, (size_t)(wq - pb - W) * sizeof(float));
                continue;
            }
            for (int64_t r = 0; r < s; r++) {
                /* phase r's entry q is input column q*s + r - pb: zeros
                 * before q0 and from q1 on, the strided copy between */
                float *d = xs + r * phase_sz + row * wq;
                int64_t q0 = pb > r ? (pb - r + s - 1) / s : 0, q1 = (W + pb - r + s - 1) / s;
                q1 = !inside ? 0 : q1 < wq ? q1 : wq;
                q0 = q0 < q1 ? q0 : q1;
                int64_t q = 0;
                for (; q < q0; q++)
                    d[q] = 0;
                const float *sr = src ? src + q0 * s + r - pb : NULL;
                if (s == 2) /* a constant stride the vectoriser turns into permutes */
                    for (int64_t i = 0; i < q1 - q0; i++)
                        d[q0 + i] = sr[2 * i];
                else
                    for (int64_t i = 0; i < q1 - q0; i++)
                        d[q0 + i] = sr[i * s];
                for (q = q1; q < wq; q++)
                    d[q] = 0;
            }
        }
}

/* out[i] = the f32 fmaf sum over taps t (ascending, from 0) of
 * w[t] * x[toff[t] + i], + bf in f32, for i < n (the sum + bias rounded
 * once, as the contract has it); the whole sum of an element stays in
 * registers (blocks of 64, then 16, then one vector for the rest) instead of
 * one pass over an accumulator row per tap; same steps, same bits. */
typedef float dw_v __attribute__((vector_size(64)));
static inline __attribute__((always_inline)) void dw_taps(int64_t n, int64_t nt, const int64_t *toff,
                                                          const float *w, const float *x, float *restrict out,
                                                          float bf)
{
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        dw_v a[4];
        _Pragma("GCC unroll 4") for (int v = 0; v < 4; v++) a[v] = (dw_v){0};
        for (int64_t t = 0; t < nt; t++) {
            const float *xt = x + toff[t] + i;
            float wt = w[t];
            _Pragma("GCC unroll 4") for (int v = 0; v < 4; v++) {
                dw_v xv, r, c0 = a[v];
                memcpy(&xv, xt + 16 * v, sizeof xv);
                _Pragma("GCC unroll 16") for (int l = 0; l < 16; l++) r[l] = __builtin_fmaf(wt, xv[l], c0[l]);
                a[v] = r;
            }
        }
        _Pragma("GCC unroll 4") for (int v = 0; v < 4; v++) a[v] += bf;
        memcpy(out + i, a, sizeof a);
    }
    for (; i + 16 <= n; i += 16) {
        dw_v a = (dw_v){0};
        for (int64_t t = 0; t < nt; t++) {
            dw_v xv, r;
            memcpy(&xv, x + toff[t] + i, sizeof xv);
            float wt = w[t];
            _Pragma("GCC unroll 16") for (int l = 0; l < 16; l++) r[l] = __builtin_fmaf(wt, xv[l], a[l]);
            a = r;
        }
        a += bf;
        memcpy(out + i, &a, sizeof a);
    }
    if (i < n) { /* the last n - i < 16: a whole vector, reading up to 15
                  * elements past the row (the caller leaves that slack) */
        dw_v a = (dw_v){0};
        for (int64_t t = 0; t < nt; t++) {
            dw_v xv, r;
            memcpy(&xv, x + toff[t] + i, sizeof xv);
            float wt = w[t];
            _Pragma("GCC unroll 16") for (int l = 0; l < 16; l++) r[l] = __builtin_fmaf(wt, xv[l], a[l]);
            a = r;
        }
        a += bf;
        memcpy(out + i, &a, (size_t)(n - i) * sizeof(float));
    }
}

/* dw_taps on 4 rows at once (input rows xrs apart, output rows ors
 * apart): short rows (stride-2 layers have 7..56 outputs) still get 4
 * independent fmaf chains instead of one; same steps per element. */
static inline __attribute__((always_inline)) void dw_taps4(int64_t n, int64_t nt, const int64_t *toff,
                                                           const float *w, const float *x, int64_t xrs,
                                                           float *restrict out, int64_t ors, float bf)
{
    for (int64_t i = 0; i < n; i += 16) {
        dw_v a[4];
        _Pragma("GCC unroll 4") for (int r = 0; r < 4; r++) a[r] = (dw_v){0};
        for (int64_t t = 0; t < nt; t++) {
            const float *xt = x + toff[t] + i;
            float wt = w[t];
            _Pragma("GCC unroll 4") for (int r = 0; r < 4; r++) {
                dw_v xv, v, c0 = a[r];
                memcpy(&xv, xt + r * xrs, sizeof xv); /* up to 15 past the row: the plane's slack */
                _Pragma("GCC unroll 16") for (int l = 0; l < 16; l++) v[l] = __builtin_fmaf(wt, xv[l], c0[l]);
                a[r] = v;
            }
        }
        _Pragma("GCC unroll 4") for (int r = 0; r < 4; r++) a[r] += bf;
        if (n - i >= 16) { /* a constant size: vector stores, not memcpy calls */
            _Pragma("GCC unroll 4") for (int r = 0; r < 4; r++) memcpy(out + r * ors + i, &a[r], sizeof a[r]);
        } else {
            size_t nb = (size_t)(n - i) * sizeof(float);
            for (int r = 0; r < 4; r++)
                memcpy(out + r * ors + i, &a[r], nb);
        }
    }
}

/* written once, compiled per ISA level by the wrappers below; each plane
 * is first padded (and split by column phase, dw_split) into a scratch
 * buffer, so every tap covers the whole output row (padding taps add
 * w * 0, like the GEMM path's) */
static inline __attribute__((always_inline)) void dw_body(void *arg, int64_t p0, int64_t p1)
{
    dw_job *j = arg;
    const conv_geom *g = j->g;
    int64_t in_sz = g->in[0] * g->in[1] * g->in[2], o2 = g->out[2];
    int64_t k_sz = g->k[0] * g->k[1] * g->k[2], mg = g->M / g->G, kw = g->k[2], s = g->stride[2];
    int64_t dp = g->in[0] + g->pad_b[0] + g->pad_e[0], hp = g->in[1] + g->pad_b[1] + g->pad_e[1];
    int64_t wp = g->in[2] + g->pad_b[2] + g->pad_e[2], wq = (wp + s - 1) / s, phase_sz = dp * hp * wq;
    /* 2-D stride 1: the whole plane at once, as rows of the padded width
     * (the columns past o2 are computed and dropped), so each tap is one
     * long axpy; the reads stay inside the padded plane. */
    int plane = s == 1 && g->out[0] == 1 && g->k[0] == 1;
    int64_t len = plane ? (g->out[1] - 1) * wp + o2 : o2;
    float *accf = mem_alloc((size_t)len * sizeof(float) + 4);
    /* + 16: dw_taps' last vector of a row may read 15 past the plane */
    float *xs = mem_alloc((size_t)(s * phase_sz + 16) * sizeof(float));
    double *accd = k_sz > GEMM_KC ? mem_alloc((size_t)len * sizeof(double) + 8) : NULL;
    if (!accf || !xs || (k_sz > GEMM_KC && !accd)) {
        j->failed = 1;
        goto out;
    }
    memset(xs + s * phase_sz, 0, 16 * sizeof(float)); /* defined values, though unused */
    if (k_sz <= GEMM_KC) { /* one chunk: dw_taps, tap offsets from the row start */
        int64_t toff[GEMM_KC], t = 0;
        for (int64_t kz = 0; kz < g->k[0]; kz++)
            for (int64_t ky = 0; ky < g->k[1]; ky++)
                for (int64_t kx = 0; kx < kw; kx++) {
                    int64_t c0 = kx * g->dil[2];
                    toff[t++] = (kz * g->dil[0] * hp + ky * g->dil[1]) * wq + (c0 % s) * phase_sz + c0 / s;
                }
        for (int64_t p = p0; p < p1; p++) {
            int64_t n = p / g->M, m = p % g->M, ic = m / mg;
            dw_split(g, j->x + (n * g->C + ic) * in_sz, s, hp, wq, phase_sz, xs);
            const float *wm = j->w + m * k_sz;
            float bf = j->bias ? j->bias[m] : 0.0f; /* + in f32: see the plane loop below */
            float *yp = j->y + p * g->out[0] * g->out[1] * o2;
            if (plane) {
                dw_taps(len, k_sz, toff, wm, xs, accf, bf);
                for (int64_t oy = 0; oy < g->out[1]; oy++)
                    for (int64_t i = 0; i < o2; i++)
                        yp[oy * o2 + i] = accf[oy * wp + i];
                if (j->post)
                    j->post->fn(j->post->ctx, p, 0, g->out[1] * o2, yp);
                continue;
            }
            for (int64_t oz = 0; oz < g->out[0]; oz++)
                for (int64_t oy = 0; oy < g->out[1]; oy++, yp += o2) {
                    const float *xr = xs + (oz * g->stride[0] * hp + oy * g->stride[1]) * wq;
                    if (oy % 4 == 0 && oy + 4 <= g->out[1] && o2 < 64) /* rows oy..oy+3 now */
                        dw_taps4(o2, k_sz, toff, wm, xr, g->stride[1] * wq, yp, o2, bf);
                    else if (oy % 4 == 0 || oy + (4 - oy % 4) > g->out[1] || o2 >= 64)
                        dw_taps(o2, k_sz, toff, wm, xr, yp, bf); /* not covered by a dw_taps4 */
                    if (j->post)
                        j->post->fn(j->post->ctx, p, (oz * g->out[1] + oy) * o2, o2, yp);
                }
        }
        goto out;
    }
    for (int64_t p = p0; plane && p < p1; p++) {
        int64_t n = p / g->M, m = p % g->M, ic = m / mg, W = wp;
        dw_split(g, j->x + (n * g->C + ic) * in_sz, 1, hp, wq, phase_sz, xs);
        const float *wm = j->w + m * k_sz;
        double bias = j->bias ? (double)j->bias[m] : 0;
        float *yp = j->y + p * g->out[1] * o2;
        memset(accf, 0, (size_t)len * sizeof(float));
        if (accd)
            memset(accd, 0, (size_t)len * sizeof(double));
        int64_t tap = 0, next_flush = GEMM_KC;
        for (int64_t ky = 0; ky < g->k[1]; ky++)
            for (int64_t kx = 0; kx < kw; kx++, tap++) {
                if (tap == next_flush) { /* chunk boundary: accd exists */
                    for (int64_t i = 0; i < len; i++) {
                        accd[i] += (double)accf[i];
                        accf[i] = 0;
                    }
                    next_flush += GEMM_KC;
                }
                dw_axpy(len, wm[tap], xs + ky * g->dil[1] * W + kx * g->dil[2], accf);
            }
        for (int64_t oy = 0; oy < g->out[1]; oy++) {
            float *restrict yr = yp + oy * o2;
            const float *restrict af = accf + oy * W;
            if (accd)
                for (int64_t i = 0; i < o2; i++)
                    yr[i] = (float)((double)af[i] + accd[oy * W + i] + bias);
            else /* af + bias in f32 is that sum rounded once (double has > 2*24+2 bits) */
                for (int64_t i = 0; i < o2; i++)
                    yr[i] = af[i] + (float)bias;
        }
        if (j->post)
            j->post->fn(j->post->ctx, p, 0, g->out[1] * o2, yp);
    }
    for (int64_t p = p0; !plane && p < p1; p++) {
        int64_t n = p / g->M, m = p % g->M, ic = m / mg;
        dw_split(g, j->x + (n * g->C + ic) * in_sz, s, hp, wq, phase_sz, xs);
        const float *wm = j->w + m * k_sz;
        double bias = j->bias ? (double)j->bias[m] : 0;
        float *yp = j->y + p * g->out[0] * g->out[1] * o2;
        for (int64_t oz = 0; oz < g->out[0]; oz++)
            for (int64_t oy = 0; oy < g->out[1]; oy++, yp += o2) {
                memset(accf, 0, (size_t)o2 * sizeof(float));
                if (accd)
                    memset(accd, 0, (size_t)o2 * sizeof(double));
                int64_t tap = 0, next_flush = GEMM_KC;
                for (int64_t kz = 0; kz < g->k[0]; kz++)
                    for (int64_t ky = 0; ky < g->k[1]; ky++) {
                        int64_t iz = oz * g->stride[0] + kz * g->dil[0], iy = oy * g->stride[1] + ky * g->dil[1];
                        const float *xr = xs + (iz * hp + iy) * wq;
                        for (int64_t kx = 0; kx < kw; kx++, tap++) {
                            if (tap == next_flush) { /* chunk boundary: accd exists */
                                for (int64_t i = 0; i < o2; i++) {
                                    accd[i] += (double)accf[i];
                                    accf[i] = 0;
                                }
                                next_flush += GEMM_KC;
                            }
                            int64_t c0 = kx * g->dil[2];
                            dw_axpy(o2, wm[tap], xr + (c0 % s) * phase_sz + c0 / s, accf);
                        }
                    }
                float *restrict yr = yp;
                const float *restrict af = accf;
                if (accd)
                    for (int64_t i = 0; i < o2; i++)
                        yr[i] = (float)((double)af[i] + accd[i] + bias);
                else
                    for (int64_t i = 0; i < o2; i++)
                        yr[i] = af[i] + (float)bias;
                if (j->post)
                    j->post->fn(j->post->ctx, p, (oz * g->out[1] + oy) * o2, o2, yp);
            }
    }
out:
    mem_free(accf);
    mem_free(xs);
    mem_free(accd);
}

static void dw_planes_c(void *arg, int64_t p0, int64_t p1) { dw_body(arg, p0, p1); }
#ifdef GEMM_X86
GEMM_AVX2 static void dw_planes_avx2(void *arg, int64_t p0, int64_t p1) { dw_body(arg, p0, p1); }
GEMM_AVX512 static void dw_planes_avx512(void *arg, int64_t p0, int64_t p1) { dw_body(arg, p0, p1); }
#endif

/* Conv's B as a gemm_core b_pack source (implicit im2col) over the
 * zero-padded input (g: the padded geometry, pads 0): row r = (ci, kz,
 * ky, kx) of the group, column = output position; b is the group's first
 * padded input channel of the batch. The columns are cut once per call
 * into runs within one output row and one NR strip; each row is then a
 * copy per run, with no bounds to check. */
typedef struct col_run {
    int64_t dst, src, len; /* packed offset of the first column, its input offset, columns */
} col_run;

static void conv_b_pack(const gemm_problem *p, const float *b, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
                        int nr, float *pb)
{
    const conv_geom *g = p->b_ctx;
    int64_t in_sz = g->in[0] * g->in[1] * g->in[2], k_sz = g->k[0] * g->k[1] * g->k[2];
    int64_t o1 = g->out[1], o2 = g->out[2], s = g->stride[2];
    col_run runs[256]; /* nc <= 128 columns (gemm_core's widest column tile): at most nc runs */
    int nrun = 0;
    for (int64_t n = n0; n < n0 + nc && nrun < 256;) {
        int64_t ox = n % o2, row = n / o2, j = n - n0;
        int64_t len = o2 - ox, to_strip = nr - j % nr, left = n0 + nc - n;
        len = len < to_strip ? len : to_strip;
        len = len < left ? len : left;
        int64_t src = ((row / o1) * g->stride[0] * g->in[1] + (row % o1) * g->stride[1]) * g->in[2] + ox * s;
        runs[nrun++] = (col_run){(j / nr) * kc * nr + j % nr, src, len};
        n += len;
    }
    int64_t ci = k0 / k_sz, kk = k0 % k_sz, kx = kk % g->k[2], ky = (kk / g->k[2]) % g->k[1],
            kz = kk / (g->k[2] * g->k[1]);
    for (int64_t k = 0; k < kc; k++) {
        const float *base =
            b + ci * in_sz + (kz * g->dil[0] * g->in[1] + ky * g->dil[1]) * g->in[2] + kx * g->dil[2];
        float *dk = pb + k * nr;
        if (s == 1)
            for (int r = 0; r < nrun; r++)
                memcpy(dk + runs[r].dst, base + runs[r].src, (size_t)runs[r].len * sizeof(float));
        else
            for (int r = 0; r < nrun; r++) {
                float *d = dk + runs[r].dst;
                const float *x = base + runs[r].src;
                for (int64_t q = 0; q < runs[r].len; q++)
                    d[q] = x[q * s];
            }
        if (++kx == g->k[2]) { /* next (ci, kz, ky, kx) */
            kx = 0;
            if (++ky == g->k[1]) {
                ky = 0;
                if (++kz == g->k[0]) {
                    kz = 0;
                    ci++;
                }
            }
        }
    }
}

/* The geometry with the spatial dims right-aligned (1-D and 2-D convs
 * get leading extents of 1), so dim 2 is always the contiguous row the
 * kernels below vectorise along; flattened orders do not change. */
static conv_geom right_aligned(const conv_geom *g)
{
    conv_geom a = *g;
    int sh = 3 - g->sp;
    for (int d = 0; d < 3; d++) {
        int s = d - sh; /* source dim, < 0: a leading 1 */
        a.in[d] = s < 0 ? 1 : g->in[s];
        a.k[d] = s < 0 ? 1 : g->k[s];
        a.out[d] = s < 0 ? 1 : g->out[s];
        a.stride[d] = s < 0 ? 1 : g->stride[s];
        a.dil[d] = s < 0 ? 1 : g->dil[s];
        a.pad_b[d] = s < 0 ? 0 : g->pad_b[s];
        a.pad_e[d] = s < 0 ? 0 : g->pad_e[s];
        a.out_pad[d] = s < 0 ? 0 : g->out_pad[s];
    }
    return a;
}

/* the GEMM's row m of (batch n, group) is plane n*M + grp*mg + m */
typedef struct conv_gemm_post {
    const ref_conv_post *post;
    int64_t plane0;
} conv_gemm_post;

static void conv_post_row(const gemm_problem *p, int64_t t, int64_t m, int64_t n0, int64_t nc, float *y)
{
    (void)t;
    const conv_gemm_post *cp = p->post_ctx;
    cp->post->fn(cp->post->ctx, cp->plane0 + m, n0, nc, y);
}

static int conv_f32(op_ctx *c, const conv_geom *g0, const ref_conv_post *post)
{
    conv_geom ga = right_aligned(g0);
    const conv_geom *g = &ga;
    const tensor *x = c->in[0], *w = c->in[1], *b = c->n_in > 2 ? c->in[2] : NULL;
    tensor *y = c->out[0];
    int64_t in_sz = g->in[0] * g->in[1] * g->in[2], out_sz = g->out[0] * g->out[1] * g->out[2];
    int64_t k_sz = g->k[0] * g->k[1] * g->k[2], cg = g->C / g->G, mg = g->M / g->G, kg = cg * k_sz;
    const float *bias = b ? b->data : NULL;
    if (g->N * g->M == 0 || out_sz == 0)
        return 0;
    int direct = 1, padded = 0; /* direct: 1x1, stride 1, no padding: B is x itself */
    conv_geom gp = *g;          /* the zero-padded input's geometry */
    for (int d = 0; d < 3; d++) {
        direct &= g->k[d] == 1 && g->stride[d] == 1 && g->pad_b[d] == 0 && g->pad_e[d] == 0;
        padded |= g->pad_b[d] || g->pad_e[d];
        gp.in[d] = g->in[d] + g->pad_b[d] + g->pad_e[d];
        gp.pad_b[d] = gp.pad_e[d] = 0;
    }
    int64_t pin_sz = gp.in[0] * gp.in[1] * gp.in[2];
    const float *xb = x->data;
    float *xpad = NULL;
    if (cg == 1) { /* depthwise: each task pads its own planes (dw_split) */
        dw_job j = {g, x->data, w->data, bias, y->data, post, 0};
        void (*fn)(void *, int64_t, int64_t) = dw_planes_c;
#ifdef GEMM_X86
        int isa = gemm_core_isa();
        fn = isa == 2 ? dw_planes_avx512 : isa == 1 ? dw_planes_avx2 : dw_planes_c;
#endif
        ref_parallel_for(g->N * g->M, 1, fn, &j);
        return j.failed ? op_error(c, RV_ENOMEM, "cannot allocate a depthwise plane of %lld elements",
                                   (long long)(g->stride[2] * pin_sz))
                        : 0;
    }
    if (padded && g->N * g->C > 0) {
        xpad = mem_alloc((size_t)(g->N * g->C) * (size_t)pin_sz * sizeof(float));
        if (!xpad)
            return op_error(c, RV_ENOMEM, "cannot allocate the padded input (%lld x %lld elements)",
                            (long long)(g->N * g->C), (long long)pin_sz);
        pad_job pj = {g, &gp, x->data, xpad};
        ref_parallel_for(g->N * g->C, 1, pad_planes, &pj);
        xb = xpad;
    }
    gemm_problem p;
    memset(&p, 0, sizeof p);
    p.M = mg;
    p.K = kg;
    p.a = w->data;
    p.a_m = kg;
    p.a_k = 1;
    p.b_n = 1;
    p.y_m = out_sz;
    p.alpha = 1;
    p.bias = bias;
    int64_t off[4];
    p.off = off;
    p.batches = 1;
    if (!direct) {
        p.b_pack = conv_b_pack;
        p.b_ctx = &gp;
    }
    p.b_k = in_sz;
    p.N = out_sz;
    p.y = y->data;
    conv_gemm_post cp = {post, 0};
    if (post) {
        p.post = conv_post_row;
        p.post_ctx = &cp;
    }
    int rc = 0;
    for (int64_t n = 0; n < g->N && !rc; n++)
        for (int64_t grp = 0; grp < g->G && !rc; grp++) {
            p.b = xb + (n * g->C + grp * cg) * pin_sz;
            off[0] = grp * mg * kg;
            off[1] = 0;
            off[2] = (n * g->M + grp * mg) * out_sz;
            off[3] = grp * mg;
            cp.plane0 = n * g->M + grp * mg;
            rc = gemm_core_run(&p);
        }
    mem_free(xpad);
    return rc ? op_error(c, rc, "cannot allocate the GEMM packing buffers") : 0;
}

static int conv_run(op_ctx *c, int transpose, const ref_conv_post *post, int *fused)
{
    conv_job j = {c, {0}, transpose, 0};
    if (fused)
        *fused = 0;
    int rc = conv_geometry(c, transpose, &j.g);
    if (rc)
        return rc;
    const tensor *x = c->in[0], *w = c->in[1], *b = c->n_in > 2 ? c->in[2] : NULL;
    if (!transpose && x->dtype == DT_F32 && w->dtype == DT_F32 && c->out[0]->dtype == DT_F32 &&
        (!b || b->dtype == DT_F32)) {
        if (fused)
            *fused = post != NULL;
        return conv_f32(c, &j.g, post);
    }
    ref_parallel_for(j.g.N * j.g.M, 1, conv_planes, &j);
    if (j.failed)
        return op_error(c, RV_ENOMEM, "cannot allocate an accumulation plane of %lld elements",
                        (long long)(j.g.out[0] * j.g.out[1] * j.g.out[2]));
    return 0;
}

int ref_conv(op_ctx *c) { return conv_run(c, 0, NULL, NULL); }
int ref_conv_fused(op_ctx *c, const ref_conv_post *post, int *fused) { return conv_run(c, 0, post, fused); }
int ref_conv_transpose(op_ctx *c) { return conv_run(c, 1, NULL, NULL); }
