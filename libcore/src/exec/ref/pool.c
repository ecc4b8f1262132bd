/* pool.c - reference pooling: MaxPool (with optional Indices),
 * AveragePool (count_include_pad, ceil_mode), LpPool, GlobalAveragePool,
 * GlobalMaxPool, for 1-D to 3-D spatial inputs (NCHW layout). */
#include "ref.h"

#include <math.h>
#include <string.h>

typedef struct pool_geom {
    int sp;
    int64_t N, C, in[3], k[3], out[3], stride[3], dil[3], pad_b[3], pad_e[3];
} pool_geom;

static int pool_geometry(op_ctx *c, pool_geom *g)
{
    const tensor *x = c->in[0];
    memset(g, 0, sizeof *g);
    if (x->rank < 3 || x->rank > 5)
        return op_error(c, RV_ESHAPE, "input must have rank 3..5, got %d", x->rank);
    g->sp = x->rank - 2;
    g->N = x->dims[0];
    g->C = x->dims[1];
    int global = c->node->op == OP_GlobalAveragePool || c->node->op == OP_GlobalMaxPool;
    size_t n;
    const int64_t *ks = ir_attr_ints(c->node, "kernel_shape", &n);
    if (!global && (!ks || (int)n != g->sp))
        return op_error(c, RV_EINVAL, "attribute 'kernel_shape' needs %d values", g->sp);
    const int64_t *st = ir_attr_ints(c->node, "strides", &n);
    if (st && (int)n != g->sp)
        return op_error(c, RV_EINVAL, "attribute 'strides' needs %d values", g->sp);
    const int64_t *dl = ir_attr_ints(c->node, "dilations", &n);
    if (dl && (int)n != g->sp)
        return op_error(c, RV_EINVAL, "attribute 'dilations' needs %d values", g->sp);
    const int64_t *pd = ir_attr_ints(c->node, "pads", &n);
    if (pd && (int)n != 2 * g->sp)
        return op_error(c, RV_EINVAL, "attribute 'pads' needs %d values", 2 * g->sp);
    int ceil_mode = (int)ir_attr_int(c->node, "ceil_mode", 0);
    const char *ap = ir_attr_string(c->node, "auto_pad", "NOTSET");
    for (int d = 0; d < 3; d++) {
        g->in[d] = g->k[d] = g->stride[d] = g->dil[d] = g->out[d] = 1;
        if (d >= g->sp)
            continue;
        g->in[d] = x->dims[2 + d];
        g->k[d] = global ? g->in[d] : ks[d];
        g->stride[d] = st ? st[d] : 1;
        g->dil[d] = dl ? dl[d] : 1;
        g->pad_b[d] = pd ? pd[d] : 0;
        g->pad_e[d] = pd ? pd[g->sp + d] : 0;
        if (g->k[d] < 1 || g->stride[d] < 1 || g->dil[d] < 1 || g->pad_b[d] < 0 || g->pad_e[d] < 0)
            return op_error(c, RV_EINVAL, "invalid kernel, stride, dilation or pad on spatial dim %d", d);
        /* bounded so the geometry below cannot overflow int64 */
        if (g->k[d] > INT32_MAX || g->stride[d] > INT32_MAX || g->dil[d] > INT32_MAX ||
            g->pad_b[d] > INT32_MAX || g->pad_e[d] > INT32_MAX)
            return op_error(c, RV_EINVAL, "kernel, stride, dilation or pad above 2^31 on spatial dim %d", d);
        int64_t ke = (g->k[d] - 1) * g->dil[d] + 1;
        if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
            g->out[d] = (g->in[d] + g->stride[d] - 1) / g->stride[d];
            int64_t total = (g->out[d] - 1) * g->stride[d] + ke - g->in[d];
            total = total < 0 ? 0 : total;
            g->pad_b[d] = !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2;
            g->pad_e[d] = total - g->pad_b[d];
            continue;
        }
        if (!strcmp(ap, "VALID"))
            g->pad_b[d] = g->pad_e[d] = 0;
        int64_t span = g->in[d] + g->pad_b[d] + g->pad_e[d] - ke;
        if (span < 0)
            return op_error(c, RV_ESHAPE, "kernel larger than the padded input on spatial dim %d", d);
        g->out[d] = (ceil_mode ? (span + g->stride[d] - 1) / g->stride[d] : span / g->stride[d]) + 1;
        /* ceil mode: a window must start inside the input or left padding */
        if (ceil_mode && (g->out[d] - 1) * g->stride[d] >= g->in[d] + g->pad_b[d])
            g->out[d]--;
    }
    return 0;
}

int shape_pool(op_ctx *c)
{
    pool_geom g;
    int rc = pool_geometry(c, &g);
    if (rc)
        return rc;
    for (int k = 0; k < c->n_out; k++) {
        tensor *y = c->out[k];
        y->dtype = k ? DT_I64 : c->in[0]->dtype;
        y->rank = c->in[0]->rank;
        y->dims[0] = g.N;
        y->dims[1] = g.C;
        for (int d = 0; d < g.sp; d++)
            y->dims[2 + d] = g.out[d];
    }
    return 0;
}

typedef struct pool_job {
    op_ctx *c;
    pool_geom g;
} pool_job;

/* The kernel taps of one output position along one spatial dim: those
 * inside the input, [*lo, *hi), and how many lie inside the explicitly
 * padded extent (count_include_pad). Computed, not searched, so the work
 * is bounded by the input, never by a (hostile) kernel or pad size. */
typedef struct pool_taps {
    int64_t lo, hi, padded;
} pool_taps;

static pool_taps pool_dim_taps(const pool_geom *g, int d, int64_t o)
{
    int64_t base = o * g->stride[d] - g->pad_b[d], dl = g->dil[d];
    pool_taps t = {base < 0 ? (-base + dl - 1) / dl : 0, 0, 0};
    int64_t last_in = g->in[d] - 1 - base, last_pad = g->in[d] + g->pad_e[d] - 1 - base;
    t.hi = last_in < 0 ? 0 : (last_in / dl + 1 < g->k[d] ? last_in / dl + 1 : g->k[d]);
    if (t.hi < t.lo)
        t.hi = t.lo;
    t.padded = last_pad < 0 ? 0 : (last_pad / dl + 1 < g->k[d] ? last_pad / dl + 1 : g->k[d]);
    return t;
}

/* f32 MaxPool / AveragePool / GlobalAveragePool without indices: the
 * loop below with the taps of dims 1 and 2 computed once per call and
 * the data read as floats; the same comparisons and double sums, so the
 * same results. 0 when it cannot allocate its tap tables (the caller
 * then runs the general loop). */
static int pool_planes_f32(pool_job *j, int64_t p0, int64_t p1)
{
    const pool_geom *g = &j->g;
    int op = j->c->node->op, is_max = op == OP_MaxPool;
    int include_pad = (int)ir_attr_int(j->c->node, "count_include_pad", 0);
    pool_taps *ty = mem_alloc((size_t)(g->out[1] + g->out[2]) * sizeof(pool_taps)), *tx = ty + g->out[1];
    if (!ty)
        return 0;
    for (int64_t o = 0; o < g->out[1]; o++)
        ty[o] = pool_dim_taps(g, 1, o);
    for (int64_t o = 0; o < g->out[2]; o++)
        tx[o] = pool_dim_taps(g, 2, o);
    int64_t in_sz = g->in[0] * g->in[1] * g->in[2], out_sz = g->out[0] * g->out[1] * g->out[2];
    for (int64_t pl = p0; pl < p1; pl++) {
        const float *xp = (const float *)j->c->in[0]->data + pl * in_sz;
        float *yp = (float *)j->c->out[0]->data + pl * out_sz;
        for (int64_t oz = 0; oz < g->out[0]; oz++) {
            pool_taps tz = pool_dim_taps(g, 0, oz);
            for (int64_t oy = 0; oy < g->out[1]; oy++)
                for (int64_t ox = 0; ox < g->out[2]; ox++, yp++) {
                    const pool_taps *a = &ty[oy], *b = &tx[ox];
                    double padded = (double)tz.padded * (double)a->padded * (double)b->padded;
                    int64_t cnt = 0, sx = g->dil[2];
                    double acc = is_max ? -INFINITY : 0;
                    if (is_max && tz.lo < tz.hi && a->lo < a->hi && b->lo < b->hi) /* the first tap */
                        acc = xp[((oz * g->stride[0] + tz.lo * g->dil[0] - g->pad_b[0]) * g->in[1] + oy * g->stride[1] +
                                  a->lo * g->dil[1] - g->pad_b[1]) * g->in[2] + ox * g->stride[2] + b->lo * sx - g->pad_b[2]];
                    for (int64_t kz = tz.lo; kz < tz.hi; kz++)
                        for (int64_t ky = a->lo; ky < a->hi; ky++) {
                            int64_t iz = oz * g->stride[0] + kz * g->dil[0] - g->pad_b[0];
                            int64_t iy = oy * g->stride[1] + ky * g->dil[1] - g->pad_b[1];
                            int64_t row = (iz * g->in[1] + iy) * g->in[2] + ox * g->stride[2] - g->pad_b[2];
                            if (is_max)
                                for (int64_t kx = b->lo; kx < b->hi; kx++, cnt++) {
                                    double v = xp[row + kx * sx];
                                    acc = v > acc ? v : acc; /* from the first tap, strictly greater (no branch) */
                                }
                            else
                                for (int64_t kx = b->lo; kx < b->hi; kx++, cnt++)
                                    acc += xp[row + kx * sx];
                        }
                    if (!is_max) {
                        double div = include_pad ? padded : (double)cnt;
                        acc = div ? acc / div : 0;
                    }
                    *yp = (float)acc;
                }
        }
    }
    mem_free(ty);
    return 1;
}

/* f32 MaxPool without indices, 1-D/2-D: output row by row, each kernel
 * tap a max over the row's valid outputs (0 <= ix < W). Each output
 * still sees its taps in (ky, kx) order starting from its first one, so
 * it is the same value as the loop below, NaN and signed zeros included.
 * 0 when it cannot allocate its tables. */
static int pool_max_rows(pool_job *j, int64_t p0, int64_t p1)
{
    const pool_geom *g0 = &j->g;
    int sh = 3 - g0->sp; /* right-align the spatial dims: dim 2 is the row */
    int64_t H = sh >= 2 ? 1 : g0->in[0], W = g0->in[sh >= 2 ? 0 : 1];
    int64_t kw = g0->k[sh >= 2 ? 0 : 1];
    int64_t oh = sh >= 2 ? 1 : g0->out[0], ow = g0->out[sh >= 2 ? 0 : 1];
    int dy = sh >= 2 ? -1 : 0, dx = sh >= 2 ? 0 : 1; /* source dims (-1: none) */
    int64_t sy = dy < 0 ? 1 : g0->stride[dy], sx = g0->stride[dx], ly = dy < 0 ? 1 : g0->dil[dy], lx = g0->dil[dx];
    int64_t py = dy < 0 ? 0 : g0->pad_b[dy], px = g0->pad_b[dx];
    float *acc = mem_alloc((size_t)ow * sizeof(float) + 4);
    pool_taps *ty = mem_alloc((size_t)(oh + ow) * sizeof(pool_taps)), *tx = ty ? ty + oh : NULL;
    int64_t *span = mem_alloc((size_t)kw * 3 * sizeof(int64_t)); /* per kx: first, last valid ox, offset */
    if (!acc || !ty || !span) {
        mem_free(acc);
        mem_free(ty);
        mem_free(span);
        return 0;
    }
    for (int64_t o = 0; o < oh; o++)
        ty[o] = dy < 0 ? (pool_taps){0, 1, 1} : pool_dim_taps(g0, dy, o);
    for (int64_t o = 0; o < ow; o++)
        tx[o] = pool_dim_taps(g0, dx, o);
    for (int64_t kx = 0; kx < kw; kx++) {
        int64_t off = kx * lx - px;
        int64_t lo = off >= 0 ? 0 : (-off + sx - 1) / sx;
        int64_t hi = (W - 1 - off) < 0 ? -1 : (W - 1 - off) / sx;
        span[3 * kx] = lo;
        span[3 * kx + 1] = hi >= ow ? ow - 1 : hi;
        span[3 * kx + 2] = off;
    }
    for (int64_t pl = p0; pl < p1; pl++) {
        const float *xp = (const float *)j->c->in[0]->data + pl * H * W;
        float *yp = (float *)j->c->out[0]->data + pl * oh * ow;
        for (int64_t oy = 0; oy < oh; oy++, yp += ow) {
            const pool_taps *a = &ty[oy];
            for (int64_t ox = 0; ox < ow; ox++) /* each output's first tap, or -inf for none */
                acc[ox] = a->lo < a->hi && tx[ox].lo < tx[ox].hi
                              ? xp[(oy * sy + a->lo * ly - py) * W + ox * sx + tx[ox].lo * lx - px]
                              : -INFINITY;
            for (int64_t ky = a->lo; ky < a->hi; ky++) {
                const float *row = xp + (oy * sy + ky * ly - py) * W;
                for (int64_t kx = 0; kx < kw; kx++) {
                    int64_t lo = span[3 * kx], hi = span[3 * kx + 1], off = span[3 * kx + 2];
                    for (int64_t ox = lo; ox <= hi; ox++) {
                        float v = row[ox * sx + off];
                        acc[ox] = v > acc[ox] ? v : acc[ox];
                    }
                }
            }
            memcpy(yp, acc, (size_t)ow * sizeof(float));
        }
    }
    mem_free(acc);
    mem_free(ty);
    mem_free(span);
    return 1;
}

static void pool_planes(void *arg, int64_t p0, int64_t p1)
{
    pool_job *j = arg;
    {
        int op = j->c->node->op;
        int f32 = j->c->in[0]->dtype == DT_F32 && j->c->out[0]->dtype == DT_F32 && j->c->n_out < 2;
        if (f32 && op == OP_MaxPool && j->g.sp <= 2 && pool_max_rows(j, p0, p1))
            return;
        if (f32 && (op == OP_MaxPool || op == OP_AveragePool || op == OP_GlobalAveragePool) &&
            pool_planes_f32(j, p0, p1))
            return;
    }
    const pool_geom *g = &j->g;
    const tensor *x = j->c->in[0];
    tensor *y = j->c->out[0];
    tensor *ind = j->c->n_out > 1 ? j->c->out[1] : NULL;
    int op = j->c->node->op;
    int is_max = op == OP_MaxPool || op == OP_GlobalMaxPool;
    int include_pad = (int)ir_attr_int(j->c->node, "count_include_pad", 0);
    int storage_col = (int)ir_attr_int(j->c->node, "storage_order", 0);
    double p = op == OP_LpPool ? (double)ir_attr_int(j->c->node, "p", 2) : 0;
    int64_t in_sz = g->in[0] * g->in[1] * g->in[2], out_sz = g->out[0] * g->out[1] * g->out[2];
    for (int64_t pl = p0; pl < p1; pl++) {
        int64_t xbase = pl * in_sz, ybase = pl * out_sz;
        for (int64_t oz = 0; oz < g->out[0]; oz++) {
            pool_taps tz = pool_dim_taps(g, 0, oz);
            for (int64_t oy = 0; oy < g->out[1]; oy++) {
                pool_taps ty = pool_dim_taps(g, 1, oy);
                for (int64_t ox = 0; ox < g->out[2]; ox++) {
                    pool_taps tx = pool_dim_taps(g, 2, ox);
                    double acc = is_max ? -INFINITY : 0;
                    /* a double: the padded window of a 3-D kernel can exceed 2^63 taps */
                    double padded = (double)tz.padded * (double)ty.padded * (double)tx.padded;
                    int64_t cnt = 0, arg = -1;
                    for (int64_t kz = tz.lo; kz < tz.hi; kz++)
                        for (int64_t ky = ty.lo; ky < ty.hi; ky++)
                            for (int64_t kx = tx.lo; kx < tx.hi; kx++) {
                                int64_t iz = oz * g->stride[0] + kz * g->dil[0] - g->pad_b[0];
                                int64_t iy = oy * g->stride[1] + ky * g->dil[1] - g->pad_b[1];
                                int64_t ix = ox * g->stride[2] + kx * g->dil[2] - g->pad_b[2];
                                int64_t off = (iz * g->in[1] + iy) * g->in[2] + ix;
                                double v = tensor_get_f64(x, xbase + off);
                                if (is_max) {
                                    if (v > acc || arg < 0) {
                                        acc = v;
                                        arg = off;
                                    }
                                } else if (op == OP_LpPool) {
                                    acc += pow(fabs(v), p);
                                } else {
                                    acc += v;
                                }
                                cnt++;
                            }
                    int64_t o = ybase + (oz * g->out[1] + oy) * g->out[2] + ox;
                    double div = include_pad ? padded : (double)cnt;
                    if (op == OP_AveragePool || op == OP_GlobalAveragePool)
                        acc = div ? acc / div : 0;
                    else if (op == OP_LpPool)
                        acc = pow(acc, 1.0 / p);
                    tensor_set_f64(y, o, acc);
                    if (ind && ind->data) {
                        int64_t idx = arg;
                        if (storage_col && g->sp == 2 && arg >= 0)
                            idx = (arg % g->in[2]) * g->in[1] + arg / g->in[2];
                        ((int64_t *)ind->data)[o] = pl * in_sz + idx;
                    }
                }
            }
        }
    }
}

int ref_pool(op_ctx *c)
{
    pool_job j = {c, {0}};
    int rc = pool_geometry(c, &j.g);
    if (rc)
        return rc;
    ref_parallel_for(j.g.N * j.g.C, 1, pool_planes, &j);
    return 0;
}
