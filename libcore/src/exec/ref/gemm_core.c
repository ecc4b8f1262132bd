/* gemm_core.c - the reference executor's blocked f32 GEMM (contract in
 * gemm_core.h): packed A/B panels, a register-blocked microkernel in GCC
 * vector extensions, double chunk sums, one rounding in the epilogue.
 *
 * Work is split into output tiles of GEMM_MC x GEMM_NC (per batch), run
 * through ref_parallel_for; each tile walks K in GEMM_KC chunks: it packs
 * the A rows and B columns of the chunk, runs the microkernel on every
 * MR x NR sub-tile (f32 fmaf from zero over the chunk) and adds the
 * result to the tile's double accumulators. The kernel is written once
 * and instantiated per ISA level (x86-64: AVX-512F+FMA, AVX2+FMA, and
 * the portable one); only tile shapes differ between them, never the
 * order of the fmaf steps of an element, so all give the same bits. The
 * portable level calls fmaf, which is a libm call on x86-64 CPUs without
 * FMA (slow, still exact) and one instruction on riscv64 and aarch64. */
#include "gemm_core.h"
#include "ref.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GEMM_X86 1
#define GEMM_AVX512 __attribute__((target("avx512f,fma")))
#define GEMM_AVX2 __attribute__((target("avx2,fma")))
#endif

typedef float gemm_v4 __attribute__((vector_size(16)));
#ifdef GEMM_X86
typedef float gemm_v8 __attribute__((vector_size(32)));
typedef float gemm_v16 __attribute__((vector_size(64)));
#endif

/* acc[MR][NR] (row-major, doubles) += the f32 fmaf sum over kc steps of
 * ap[k*MR + i] * bp[k*NR + j]; NR = NV vectors of VL lanes. The lane loop
 * of __builtin_fmaf becomes one vector FMA where the target has it. */
#define GEMM_UKERNEL(NAME, ATTR, VT, VL, MR, NV)                                                        \
    ATTR static void NAME(int64_t kc, const float *ap, const float *bp, double *acc)                    \
    {                                                                                                   \
        VT cv[MR][NV];                                                                                  \
        _Pragma("GCC unroll 16") for (int i = 0; i < (MR); i++)                                         \
            _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) cv[i][v] = (VT){0};                  \
        for (int64_t k = 0; k < kc; k++, ap += (MR), bp += (NV) * (VL)) {                               \
            VT bv[NV];                                                                                  \
            _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) memcpy(&bv[v], bp + v * (VL), sizeof(VT)); \
            _Pragma("GCC unroll 16") for (int i = 0; i < (MR); i++) {                                   \
                float a = ap[i];                                                                        \
                _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) {                                \
                    VT t, c0 = cv[i][v], b0 = bv[v];                                                    \
                    _Pragma("GCC unroll 16") for (int l = 0; l < (VL); l++) t[l] =                      \
                        __builtin_fmaf(a, b0[l], c0[l]);                                                \
                    cv[i][v] = t;                                                                       \
                }                                                                                       \
            }                                                                                           \
        }                                                                                               \
        _Pragma("GCC unroll 16") for (int i = 0; i < (MR); i++)                                         \
            _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) {                                    \
                float o[VL];                                                                            \
                memcpy(o, &cv[i][v], sizeof o);                                                         \
                double *d = acc + (i * (NV) + v) * (VL);                                                \
                for (int l = 0; l < (VL); l++)                                                          \
                    d[l] += (double)o[l];                                                               \
            }                                                                                           \
    }

/* acc[i] = fmaf(w, x[i*s], acc[i]): the depthwise convolution's step. */
#define GEMM_AXPY(NAME, ATTR)                                                                           \
    ATTR static void NAME(int64_t n, float w, const float *restrict x, int64_t s, float *restrict acc)   \
    {                                                                                                   \
        if (s == 1)                                                                                     \
            for (int64_t i = 0; i < n; i++)                                                             \
                acc[i] = __builtin_fmaf(w, x[i], acc[i]);                                               \
        else                                                                                            \
            for (int64_t i = 0; i < n; i++)                                                             \
                acc[i] = __builtin_fmaf(w, x[i * s], acc[i]);                                           \
    }

GEMM_UKERNEL(ukernel_c, , gemm_v4, 4, 4, 1)
GEMM_AXPY(axpy_c, )
#ifdef GEMM_X86
GEMM_UKERNEL(ukernel_avx2, GEMM_AVX2, gemm_v8, 8, 6, 2)
GEMM_UKERNEL(ukernel_avx512, GEMM_AVX512, gemm_v16, 16, 8, 2)
GEMM_AXPY(axpy_avx2, GEMM_AVX2)
GEMM_AXPY(axpy_avx512, GEMM_AVX512)
#endif

typedef struct gemm_isa {
    int mr, nr, mc, nc; /* micro tile; macro tile (multiples of it) */
    void (*ukernel)(int64_t kc, const float *ap, const float *bp, double *acc);
    gemm_axpy_fn axpy;
} gemm_isa;

static const gemm_isa isas[] = {
    {4, 4, 64, 64, ukernel_c, axpy_c},
#ifdef GEMM_X86
    {6, 16, 96, 128, ukernel_avx2, axpy_avx2},
    {8, 32, 128, 128, ukernel_avx512, axpy_avx512},
#endif
};

static _Thread_local int isa_cap = -1;

static int isa_available(void)
{
#ifdef GEMM_X86
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 1;
#endif
    return 0;
}

int gemm_core_isa(void)
{
    int l = isa_available();
    return isa_cap >= 0 && isa_cap < l ? isa_cap : l;
}

int gemm_core_cap_isa(int level)
{
    isa_cap = level < 0 ? -1 : level;
    return gemm_core_isa();
}

gemm_axpy_fn gemm_core_axpy(void) { return isas[gemm_core_isa()].axpy; }

typedef struct gemm_job {
    const gemm_problem *p;
    const gemm_isa *isa;
    int64_t mt, nt;      /* macro tiles per batch along M and N */
    volatile int failed; /* a worker could not allocate (all write 1) */
} gemm_job;

/* A rows [m0, m0+mc) x k [k0, k0+kc) into MR-row strips, zero rows past M. */
static void pack_a(const gemm_problem *p, const float *a, int mr, int64_t m0, int64_t mc, int64_t k0, int64_t kc,
                   float *pa)
{
    for (int64_t s = 0; s < mc; s += mr, pa += kc * mr)
        for (int i = 0; i < mr; i++) {
            if (s + i >= mc) {
                for (int64_t k = 0; k < kc; k++)
                    pa[k * mr + i] = 0;
                continue;
            }
            const float *row = a + (m0 + s + i) * p->a_m + k0 * p->a_k;
            if (p->a_k == 1)
                for (int64_t k = 0; k < kc; k++)
                    pa[k * mr + i] = row[k];
            else
                for (int64_t k = 0; k < kc; k++)
                    pa[k * mr + i] = row[k * p->a_k];
        }
}

/* B k [k0, k0+kc) x columns [n0, n0+nc) into NR-column strips, zero past N. */
static void pack_b(const gemm_problem *p, const float *b, int nr, int64_t n0, int64_t nc, int64_t k0, int64_t kc,
                   float *pb)
{
    for (int64_t s = 0; s < nc; s += nr, pb += kc * nr) {
        int64_t w = nc - s < nr ? nc - s : nr;
        for (int64_t k = 0; k < kc; k++) {
            const float *src = b + (k0 + k) * p->b_k + (n0 + s) * p->b_n;
            float *dst = pb + k * nr;
            if (p->b_n == 1)
                memcpy(dst, src, (size_t)w * sizeof(float));
            else
                for (int64_t j = 0; j < w; j++)
                    dst[j] = src[j * p->b_n];
            for (int64_t j = w; j < nr; j++)
                dst[j] = 0;
        }
    }
}

static void gemm_tiles(void *arg, int64_t t0, int64_t t1)
{
    gemm_job *j = arg;
    const gemm_problem *p = j->p;
    const gemm_isa *is = j->isa;
    int mr = is->mr, nr = is->nr;
    int64_t kcmax = p->K < GEMM_KC ? (p->K > 0 ? p->K : 1) : GEMM_KC;
    float *pa = mem_alloc((size_t)is->mc * (size_t)kcmax * sizeof(float));
    float *pb = mem_alloc((size_t)is->nc * (size_t)kcmax * sizeof(float));
    double *acc = mem_alloc((size_t)is->mc * (size_t)is->nc * sizeof(double));
    if (!pa || !pb || !acc) {
        j->failed = 1;
        goto out;
    }
    int64_t packed_a = -1; /* tile row whose single-chunk A panel is in pa */
    for (int64_t t = t0; t < t1; t++) {
        int64_t bt = t / (j->mt * j->nt), mi = t / j->nt, ni = t % j->nt;
        int64_t m0 = (mi % j->mt) * is->mc, n0 = ni * is->nc;
        int64_t mc = p->M - m0 < is->mc ? p->M - m0 : is->mc, nc = p->N - n0 < is->nc ? p->N - n0 : is->nc;
        const int64_t *o = p->off ? p->off + 4 * bt : NULL;
        const float *a = p->a + (o ? o[0] : 0), *b = p->b + (o ? o[1] : 0);
        float *y = p->y + (o ? o[2] : 0);
        const float *bias = p->bias ? p->bias + (o ? o[3] : 0) : NULL;
        int64_t ms = (mc + mr - 1) / mr, ns = (nc + nr - 1) / nr;
        memset(acc, 0, (size_t)(ms * mr) * (size_t)(ns * nr) * sizeof(double));
        for (int64_t k0 = 0; k0 < p->K; k0 += GEMM_KC) {
            int64_t kc = p->K - k0 < GEMM_KC ? p->K - k0 : GEMM_KC;
            if (p->K > GEMM_KC || packed_a != mi) {
                pack_a(p, a, mr, m0, mc, k0, kc, pa);
                packed_a = p->K > GEMM_KC ? -1 : mi;
            }
            pack_b(p, b, nr, n0, nc, k0, kc, pb);
            for (int64_t js = 0; js < ns; js++)
                for (int64_t is_ = 0; is_ < ms; is_++)
                    is->ukernel(kc, pa + is_ * kc * mr, pb + js * kc * nr, acc + (js * ms + is_) * mr * nr);
        }
        for (int64_t m = 0; m < mc; m++) {
            float *yr = y + (m0 + m) * p->y_m + n0;
            const double *ar = acc + (m / mr) * mr * nr + (m % mr) * nr;
            double bm = bias ? (double)bias[m0 + m] : 0;
            const float *cr = p->c ? p->c + (m0 + m) * p->c_m + n0 * p->c_n : NULL;
            for (int64_t n = 0; n < nc; n++) {
                double v = ar[(n / nr) * ms * mr * nr + n % nr];
                if (p->alpha != 1)
                    v *= p->alpha;
                if (cr)
                    v += p->beta * (double)cr[n * p->c_n];
                yr[n] = (float)(v + bm);
            }
        }
    }
out:
    mem_free(pa);
    mem_free(pb);
    mem_free(acc);
}

int gemm_core_run(const gemm_problem *p)
{
    if (p->M <= 0 || p->N <= 0 || p->batches <= 0)
        return 0;
    gemm_job j = {p, &isas[gemm_core_isa()], 0, 0, 0};
    j.mt = (p->M + j.isa->mc - 1) / j.isa->mc;
    j.nt = (p->N + j.isa->nc - 1) / j.isa->nc;
    ref_parallel_for(p->batches * j.mt * j.nt, 1, gemm_tiles, &j);
    return j.failed ? RV_ENOMEM : 0;
}
