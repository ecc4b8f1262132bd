/* test_ref_gemm.c - the reference executor's shared f32 GEMM
 * (exec/ref/gemm_core.h) and the MatMul/Gemm/Conv kernels on it: the
 * accumulation contract bit for bit (f32 fmaf within GEMM_KC chunks of
 * K, chunk sums in double, one rounding), the same bits for 1, 2 and 3
 * threads and for every ISA level this CPU has, and closeness to a plain
 * double-accumulation loop within the contract's error bound, on shapes
 * around the block sizes (1, 7, 8, 9, 31..33, 127..129, 257, ...). */
#include "check.h"
#include "exec/ref/gemm_core.h"
#include "optest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)((rng >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static float *rand_buf(int64_t n)
{
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    for (int64_t i = 0; i < n; i++)
        p[i] = frand();
    return p;
}

/* The contract, written out as plainly as possible: S before rounding. */
static double contract_dot(const float *a, int64_t sa, const float *b, int64_t sb, int64_t K)
{
    double s = 0;
    for (int64_t k0 = 0; k0 < K; k0 += GEMM_KC) {
        float c = 0;
        for (int64_t k = k0; k < K && k < k0 + GEMM_KC; k++)
            c = fmaf(a[k * sa], b[k * sb], c);
        s += (double)c;
    }
    return s;
}

/* Worst-case bound of the contract against the exact sum: gamma_KC times
 * sum |a*b| (each chunk) plus the final rounding. */
static double contract_bound(const float *a, int64_t sa, const float *b, int64_t sb, int64_t K, double exact)
{
    double abs = 0;
    for (int64_t k = 0; k < K; k++)
        abs += fabs((double)a[k * sa] * (double)b[k * sb]);
    double u = ldexp(1.0, -24), gamma = GEMM_KC * u / (1 - GEMM_KC * u);
    return gamma * abs + u * fabs(exact) + 1e-30;
}

static int same_bits(const float *x, const float *y, int64_t n)
{
    return memcmp(x, y, (size_t)n * sizeof(float)) == 0;
}

/* gemm_core_run directly: plain, transposed A and B, alpha/beta/C, bias. */
static void test_core_shapes(void)
{
    static const int64_t dims[][3] = {{1, 1, 1},   {1, 7, 129},   {7, 1, 128}, {8, 32, 127},  {9, 33, 257},
                                      {31, 129, 7}, {33, 31, 300}, {64, 49, 600}, {129, 130, 1}, {2, 300, 0},
                                      {17, 513, 131}, {1, 200, 300}};
    int top = gemm_core_isa();
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        int64_t M = dims[d][0], N = dims[d][1], K = dims[d][2];
        for (int form = 0; form < 3; form++) {
            int ta = form == 1, tb = form >= 1;
            float *a = rand_buf(M * K), *b = rand_buf(K * N), *c = rand_buf(N), *bias = rand_buf(M);
            float *want = malloc((size_t)(M * N) * sizeof(float)), *got = malloc((size_t)(M * N) * sizeof(float));
            gemm_problem p;
            memset(&p, 0, sizeof p);
            p.M = M, p.N = N, p.K = K, p.batches = 1;
            p.a = a, p.a_m = ta ? 1 : K, p.a_k = ta ? M : 1;
            p.b = b, p.b_k = tb ? 1 : N, p.b_n = tb ? K : 1;
            p.y = want, p.y_m = N;
            p.alpha = form == 2 ? 0.5 : 1, p.beta = form == 2 ? 2.0 : 0;
            p.c = form == 2 ? c : NULL, p.c_n = 1;
            p.bias = form == 1 ? bias : NULL;
            gemm_core_cap_isa(0);
            ref_set_threads(1);
            CHECK(gemm_core_run(&p) == 0);
            int exact = 1, close = 1;
            for (int64_t m = 0; m < M; m++)
                for (int64_t n = 0; n < N; n++) {
                    const float *ar = a + m * p.a_m, *bc = b + n * p.b_n;
                    double s = contract_dot(ar, p.a_k, bc, p.b_k, K);
                    double ex = 0;
                    for (int64_t k = 0; k < K; k++)
                        ex += (double)ar[k * p.a_k] * (double)bc[k * p.b_k];
                    double extra = (p.c ? p.beta * (double)c[n] : 0) + (p.bias ? (double)bias[m] : 0);
                    float cw = (float)(s * p.alpha + extra);
                    double exw = ex * p.alpha + extra, v = want[m * N + n];
                    exact &= v == cw;
                    /* tolerance: the contract's worst-case bound, scaled by alpha, + 1 ulp */
                    close &= fabs(v - exw) <= p.alpha * contract_bound(ar, p.a_k, bc, p.b_k, K, ex) +
                                                  ldexp(fabs(exw), -23);
                }
            CHECK_MSG(exact, "M=%lld N=%lld K=%lld form %d: not the contract's bits", (long long)M, (long long)N,
                      (long long)K, form);
            CHECK_MSG(close, "M=%lld N=%lld K=%lld form %d: outside the error bound", (long long)M, (long long)N,
                      (long long)K, form);
            for (int lvl = 0; lvl <= top; lvl++)
                for (int th = 1; th <= 3; th++) {
                    gemm_core_cap_isa(lvl);
                    ref_set_threads(th);
                    memset(got, 0xff, (size_t)(M * N) * sizeof(float));
                    p.y = got;
                    CHECK(gemm_core_run(&p) == 0);
                    CHECK_MSG(same_bits(got, want, M * N), "M=%lld N=%lld K=%lld form %d: ISA %d, %d threads differ",
                              (long long)M, (long long)N, (long long)K, form, lvl, th);
                }
            gemm_core_cap_isa(-1);
            free(a), free(b), free(c), free(bias), free(want), free(got);
        }
    }
}

static tensor mk(int rank, const int64_t *dims, float *data)
{
    tensor t = {DT_F32, rank, {0}, data, 0};
    int64_t n = 1;
    for (int d = 0; d < rank; d++)
        n *= t.dims[d] = dims[d];
    t.nbytes = (size_t)n * sizeof(float);
    return t;
}

/* One Conv node through the executor at 1, 2 and 3 threads and every ISA
 * level; checked against a double-accumulation direct convolution. */
typedef struct conv_case {
    int64_t N, C, H, W, M, kh, kw, group, stride, pad, dil;
    int bias;
} conv_case;

static void run_conv_case(const conv_case *cc)
{
    int64_t cg = cc->C / cc->group, mg = cc->M / cc->group;
    int64_t OH = (cc->H + 2 * cc->pad - (cc->kh - 1) * cc->dil - 1) / cc->stride + 1;
    int64_t OW = (cc->W + 2 * cc->pad - (cc->kw - 1) * cc->dil - 1) / cc->stride + 1;
    int64_t xd[4] = {cc->N, cc->C, cc->H, cc->W}, wd[4] = {cc->M, cg, cc->kh, cc->kw}, bd[1] = {cc->M};
    float *x = rand_buf(cc->N * cc->C * cc->H * cc->W), *w = rand_buf(cc->M * cg * cc->kh * cc->kw),
          *b = rand_buf(cc->M);
    tensor tx = mk(4, xd, x), tw = mk(4, wd, w), tb = mk(1, bd, b);
    int64_t ny = cc->N * cc->M * OH * OW;
    float *first = NULL;
    int64_t strides[2] = {cc->stride, cc->stride}, pads[4] = {cc->pad, cc->pad, cc->pad, cc->pad},
            dils[2] = {cc->dil, cc->dil};
    for (int lvl = 0; lvl <= gemm_core_isa(); lvl++)
        for (int th = 1; th <= 3; th++) {
            gemm_core_cap_isa(lvl);
            optest *t = optest_new("Conv", 17, cc->bias ? 3 : 2, 1);
            optest_input(t, 0, &tx);
            optest_const(t, 1, &tw);
            if (cc->bias)
                optest_const(t, 2, &tb);
            optest_attr_int(t, "group", cc->group);
            optest_attr_ints(t, "strides", strides, 2);
            optest_attr_ints(t, "pads", pads, 4);
            optest_attr_ints(t, "dilations", dils, 2);
            ref_options opt = {0};
            opt.threads = th;
            tensor out[1];
            int rc = optest_run_opts(t, out, 1, &opt);
            CHECK_MSG(rc == 0, "%s", err_message());
            if (rc == 0) {
                CHECK(out[0].dims[2] == OH && out[0].dims[3] == OW);
                if (!first)
                    first = out[0].data;
                else {
                    CHECK_MSG(same_bits(out[0].data, first, ny), "conv C=%lld M=%lld g=%lld k=%lldx%lld: ISA %d, %d "
                              "threads differ", (long long)cc->C, (long long)cc->M, (long long)cc->group,
                              (long long)cc->kh, (long long)cc->kw, lvl, th);
                    mem_free(out[0].data);
                }
            }
            optest_free(t);
        }
    gemm_core_cap_isa(-1);
    int close = 1;
    double u = ldexp(1.0, -24), gamma = GEMM_KC * u / (1 - GEMM_KC * u);
    for (int64_t n = 0; first && n < cc->N; n++)
        for (int64_t m = 0; m < cc->M; m++)
            for (int64_t oy = 0; oy < OH; oy++)
                for (int64_t ox = 0; ox < OW; ox++) {
                    double s = cc->bias ? b[m] : 0, abs = 0;
                    int64_t grp = m / mg;
                    for (int64_t ci = 0; ci < cg; ci++)
                        for (int64_t ky = 0; ky < cc->kh; ky++)
                            for (int64_t kx = 0; kx < cc->kw; kx++) {
                                int64_t iy = oy * cc->stride + ky * cc->dil - cc->pad,
                                        ix = ox * cc->stride + kx * cc->dil - cc->pad;
                                if (iy < 0 || iy >= cc->H || ix < 0 || ix >= cc->W)
                                    continue;
                                double p = (double)x[((n * cc->C + grp * cg + ci) * cc->H + iy) * cc->W + ix] *
                                           (double)w[((m * cg + ci) * cc->kh + ky) * cc->kw + kx];
                                s += p;
                                abs += fabs(p);
                            }
                    double got = first[((n * cc->M + m) * OH + oy) * OW + ox];
                    /* tolerance: the contract's worst-case bound + final rounding */
                    close &= fabs(got - s) <= gamma * abs + ldexp(fabs(s), -23) + 1e-30;
                }
    /* depthwise: the contract written out (taps in (ky, kx) order, padding
     * taps as w * 0, fmaf within GEMM_KC taps, double chunk sums, + bias,
     * one rounding) must give the kernel's bits exactly */
    int exact = 1;
    for (int64_t n = 0; first && cg == 1 && n < cc->N; n++)
        for (int64_t m = 0; m < cc->M; m++)
            for (int64_t oy = 0; oy < OH; oy++)
                for (int64_t ox = 0; ox < OW; ox++) {
                    float acc = 0;
                    double sum = 0;
                    int64_t tap = 0;
                    for (int64_t ky = 0; ky < cc->kh; ky++)
                        for (int64_t kx = 0; kx < cc->kw; kx++, tap++) {
                            if (tap && tap % GEMM_KC == 0) {
                                sum += (double)acc;
                                acc = 0;
                            }
                            int64_t iy = oy * cc->stride + ky * cc->dil - cc->pad,
                                    ix = ox * cc->stride + kx * cc->dil - cc->pad;
                            float xv = iy < 0 || iy >= cc->H || ix < 0 || ix >= cc->W
                                           ? 0.0f : x[((n * cc->C + m / mg) * cc->H + iy) * cc->W + ix];
                            acc = fmaf(w[(m * cc->kh + ky) * cc->kw + kx], xv, acc);
                        }
                    float want = (float)(sum + (double)acc + (cc->bias ? (double)b[m] : 0));
                    float got = first[((n * cc->M + m) * OH + oy) * OW + ox];
                    exact &= memcmp(&got, &want, sizeof got) == 0;
                }
    CHECK_MSG(exact, "depthwise C=%lld M=%lld k=%lldx%lld stride %lld pad %lld dil %lld: not the contract's bits",
              (long long)cc->C, (long long)cc->M, (long long)cc->kh, (long long)cc->kw, (long long)cc->stride,
              (long long)cc->pad, (long long)cc->dil);
    CHECK_MSG(close, "conv C=%lld M=%lld group %lld k=%lldx%lld stride %lld pad %lld dil %lld: outside the bound",
              (long long)cc->C, (long long)cc->M, (long long)cc->group, (long long)cc->kh, (long long)cc->kw,
              (long long)cc->stride, (long long)cc->pad, (long long)cc->dil);
    mem_free(first);
    free(x), free(w), free(b);
}

static void test_conv(void)
{
    static const conv_case cases[] = {
        {1, 3, 17, 19, 9, 3, 3, 1, 1, 1, 1, 1},    /* general 3x3, odd sizes */
        {2, 16, 9, 7, 33, 3, 3, 1, 2, 1, 1, 1},    /* batch 2, stride 2, M around the strip */
        {1, 15, 11, 11, 8, 3, 3, 1, 1, 2, 2, 0},   /* dilation 2, pad 2, no bias */
        {1, 20, 6, 5, 7, 1, 1, 1, 1, 0, 1, 1},     /* 1x1 stride 1: direct */
        {2, 20, 6, 5, 7, 1, 1, 1, 2, 0, 1, 1},     /* 1x1 stride 2: im2col */
        {1, 8, 10, 9, 12, 3, 3, 4, 1, 1, 1, 1},    /* grouped */
        {2, 6, 13, 12, 6, 3, 3, 6, 1, 1, 1, 1},    /* depthwise */
        {1, 4, 12, 12, 8, 5, 5, 4, 2, 2, 1, 0},    /* depthwise, multiplier 2, stride 2 */
        {1, 1, 15, 15, 2, 12, 12, 1, 1, 3, 1, 1},  /* depthwise-like with 144 taps > GEMM_KC */
        {1, 5, 14, 15, 5, 3, 3, 5, 2, 1, 1, 1},    /* depthwise stride 2 (MobileNetV2's), odd width */
        {1, 3, 17, 16, 3, 3, 3, 3, 3, 2, 2, 1},    /* depthwise stride 3, dilation 2 */
        {1, 2, 9, 11, 2, 5, 5, 2, 2, 0, 1, 0},     /* depthwise stride 2, no padding, no bias */
        {1, 16, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1},     /* K = 144: two chunks */
        {1, 3, 40, 41, 5, 7, 7, 1, 2, 3, 1, 1},    /* 7x7 stride 2 pad 3, more than one column tile */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_conv_case(&cases[i]);
}

/* MatMul with batch broadcasting and Gemm with transB at 1..3 threads. */
static void test_matmul_threads(void)
{
    int64_t ad[3] = {3, 9, 130}, bd[2] = {130, 33};
    float *a = rand_buf(3 * 9 * 130), *b = rand_buf(130 * 33);
    tensor ta = mk(3, ad, a), tb = mk(2, bd, b);
    float *first = NULL;
    for (int th = 1; th <= 3; th++) {
        optest *t = optest_new("MatMul", 17, 2, 1);
        optest_input(t, 0, &ta);
        optest_const(t, 1, &tb);
        ref_options opt = {0};
        opt.threads = th;
        tensor out[1];
        CHECK_MSG(optest_run_opts(t, out, 1, &opt) == 0, "%s", err_message());
        if (!first) {
            first = out[0].data;
            int exact = 1;
            for (int64_t bt = 0; bt < 3; bt++)
                for (int64_t m = 0; m < 9; m++)
                    for (int64_t n = 0; n < 33; n++)
                        exact &= first[(bt * 9 + m) * 33 + n] == (float)contract_dot(a + (bt * 9 + m) * 130, 1, b + n, 33, 130);
            CHECK_MSG(exact, "batched MatMul: not the contract's bits");
        } else {
            CHECK_MSG(same_bits(out[0].data, first, 3 * 9 * 33), "MatMul: %d threads differ", th);
            mem_free(out[0].data);
        }
        optest_free(t);
    }
    mem_free(first);
    free(a), free(b);
}

int main(void)
{
    test_core_shapes();
    test_conv();
    test_matmul_threads();
    return check_done();
}
