/* gemm_core.c - the reference executor's blocked f32 GEMM (contract in
 * gemm_core.h): packed A/B panels, a register-blocked microkernel in GCC
 * vector extensions, double chunk sums, one rounding in the epilogue.
 *
 * A is read in place (a last strip of fewer than MR rows is copied and
 * zero-padded once per call). The work is split
 * into tasks of (batch, row group, column tile of NC) run through
 * ref_parallel_for; each walks K in GEMM_KC chunks: it packs the chunk of
 * its B columns once (from a strided matrix or a b_pack source such as
 * Conv's implicit im2col), runs the microkernel on every MR x NR
 * sub-tile of the group (f32 fmaf from zero over the chunk) and adds the
 * result to the task's double accumulators. The kernel is written once
 * and instantiated per ISA level (x86-64: AVX-512F+FMA, AVX2+FMA, and
 * the portable one); only tile shapes differ between them, never the
 * order of the fmaf steps of an element, so all give the same bits. The
 * portable level calls fmaf, which is a libm call on x86-64 CPUs without
 * FMA (slow, still exact) and one instruction on riscv64 and aarch64. */
#include "gemm_core.h"
#include "ref.h"

#include <string.h>

typedef float gemm_v4 __attribute__((vector_size(16)));
#ifdef GEMM_X86
typedef float gemm_v8 __attribute__((vector_size(32)));
typedef float gemm_v16 __attribute__((vector_size(64)));
#endif

/* The chunk's f32 tile: cv[i][v] = sum over k of fmaf(ap[i*rs + k*cs], bp[k*NR + v*VL ..]), in
 * ascending k; both kernels below start from it. */
#define GEMM_UKERNEL_TILE(VT, VL, MR, NV)                                                               \
        VT cv[MR][NV];                                                                                  \
        _Pragma("GCC unroll 16") for (int i = 0; i < (MR); i++)                                         \
            _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) cv[i][v] = (VT){0};                  \
        for (int64_t k = 0; k < kc; k++, ap += cs, bp += (NV) * (VL)) {                                 \
            VT bv[NV];                                                                                  \
            _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) memcpy(&bv[v], bp + v * (VL), sizeof(VT)); \
            _Pragma("GCC unroll 16") for (int i = 0; i < (MR); i++) {                                   \
                float a = ap[i * rs];                                                                   \
                _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) {                                \
                    VT t, c0 = cv[i][v], b0 = bv[v];                                                    \
                    _Pragma("GCC unroll 16") for (int l = 0; l < (VL); l++) t[l] =                      \
                        __builtin_fmaf(a, b0[l], c0[l]);                                                \
                    cv[i][v] = t;                                                                       \
                }                                                                                       \
            }                                                                                           \
        }

/* acc[MR][NR] (row-major, doubles) += (first: =) the f32 fmaf sum over kc steps of
 * ap[i*rs + k*cs] * bp[k*NR + j]; NR = NV vectors of VL lanes. The lane loop
 * of __builtin_fmaf becomes one vector FMA where the target has it. */
#define GEMM_UKERNEL(NAME, ATTR, VT, VL, MR, NV)                                                        \
    ATTR static void NAME(int64_t kc, const float *ap, int64_t rs, int64_t cs, const float *bp, double *acc, \
                          int first)                                                                    \
    {                                                                                                   \
        GEMM_UKERNEL_TILE(VT, VL, MR, NV);                                                              \
        _Pragma("GCC unroll 16") for (int i = 0; i < (MR); i++)                                         \
            _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++) {                                    \
                float o[VL];                                                                            \
                memcpy(o, &cv[i][v], sizeof o);                                                         \
                double *d = acc + (i * (NV) + v) * (VL);                                                \
                if (first)                                                                              \
                    for (int l = 0; l < (VL); l++)                                                      \
                        d[l] = (double)o[l];                                                            \
                else                                                                                    \
                    for (int l = 0; l < (VL); l++)                                                      \
                        d[l] += (double)o[l];                                                           \
            }                                                                                           \
    }                                                                                                   \
    /* K within one chunk: S is that chunk's f32 sum, stored as is (no  \
     * double accumulators, no conversions) into the float tile accf. */ \
    ATTR static void NAME##_f32(int64_t kc, const float *ap, int64_t rs, int64_t cs, const float *bp,   \
                                float *accf)                                                            \
    {                                                                                                   \
        GEMM_UKERNEL_TILE(VT, VL, MR, NV);                                                              \
        _Pragma("GCC unroll 16") for (int i = 0; i < (MR); i++)                                         \
            _Pragma("GCC unroll 4") for (int v = 0; v < (NV); v++)                                      \
                memcpy(accf + (i * (NV) + v) * (VL), &cv[i][v], sizeof(VT));                            \
    }

GEMM_UKERNEL(ukernel_c, , gemm_v4, 4, 4, 1)
#ifdef GEMM_X86
GEMM_UKERNEL(ukernel_avx2, GEMM_AVX2, gemm_v8, 8, 6, 2)
GEMM_UKERNEL(ukernel_avx512, GEMM_AVX512, gemm_v16, 16, 8, 2)
#endif

typedef struct gemm_isa {
    int mr, nr, mc, nc; /* micro tile; row group and column tile (multiples of it) */
    void (*ukernel)(int64_t kc, const float *ap, int64_t rs, int64_t cs, const float *bp, double *acc, int first);
    void (*ukernel_f32)(int64_t kc, const float *ap, int64_t rs, int64_t cs, const float *bp, float *accf);
} gemm_isa;

static const gemm_isa isas[] = {
    {4, 4, 256, 64, ukernel_c, ukernel_c_f32},
#ifdef GEMM_X86
    {6, 16, 384, 128, ukernel_avx2, ukernel_avx2_f32},
    {8, 32, 512, 128, ukernel_avx512, ukernel_avx512_f32},
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

typedef struct gemm_job {
    const gemm_problem *p;
    const gemm_isa *isa;
    int64_t ms;          /* MR-row strips of A per batch */
    int64_t nt, mg;      /* tasks per batch: nt column tiles x mg row groups */
    int64_t strips_per_group;
    float *pa;           /* the last strip of every batch when M % MR, packed */
    volatile int failed; /* a worker could not allocate (all write 1) */
} gemm_job;

/* The kernels read A in place (rows rs = a_m apart, k steps cs = a_k);
 * only a last strip with fewer than MR rows is copied, zero-padded, for
 * batches [b0, b1): pa[(batch*K + k)*MR + i]. */
static void pack_a_tail(void *arg, int64_t b0, int64_t b1)
{
    gemm_job *j = arg;
    const gemm_problem *p = j->p;
    int mr = j->isa->mr;
    int64_t m0 = (j->ms - 1) * mr;
    for (int64_t bt = b0; bt < b1; bt++) {
        const float *a = p->a + (p->off ? p->off[4 * bt] : 0);
        float *pa = j->pa + bt * p->K * mr;
        for (int i = 0; i < mr; i++)
            for (int64_t k = 0; k < p->K; k++)
                pa[k * mr + i] = m0 + i < p->M ? a[(m0 + i) * p->a_m + k * p->a_k] : 0;
    }
}

/* B rows [k0, k0+kc) x columns [n0, n0+nc) into NR-column strips (strip
 * s: pb[s*kc*NR + k*NR + j]), zero past nc. */
static inline __attribute__((always_inline)) void pack_b(const gemm_problem *p, const float *b, int nr, int64_t n0,
                                                        int64_t nc, int64_t k0, int64_t kc,
                   float *pb)
{
    int64_t full = nc / nr * nr, w = nc - full;
    if (p->b_pack) {
        p->b_pack(p, b, k0, kc, n0, nc, nr, pb);
        if (w)
            for (int64_t k = 0; k < kc; k++)
                for (int64_t q = w; q < nr; q++)
                    pb[full * kc + k * nr + q] = 0;
        return;
    }
    for (int64_t s = 0; s < nc; s += nr, pb += kc * nr) {
        int64_t sw = nc - s < nr ? nc - s : nr;
        for (int64_t k = 0; k < kc; k++) {
            const float *src = b + (k0 + k) * p->b_k + (n0 + s) * p->b_n;
            float *dst = pb + k * nr;
            if (p->b_n == 1 && sw == 32 && nr == 32) /* a fixed size: inline vector moves */
                memcpy(dst, src, 32 * sizeof(float));
            else if (p->b_n == 1 && sw == 16 && nr == 16)
                memcpy(dst, src, 16 * sizeof(float));
            else if (p->b_n == 1)
                for (int64_t q = 0; q < sw; q++)
                    dst[q] = src[q];
            else
                for (int64_t q = 0; q < sw; q++)
                    dst[q] = src[q * p->b_n];
            for (int64_t q = sw; q < nr; q++)
                dst[q] = 0;
        }
    }
}

/* Task t = (batch, row group, column tile): for each K-chunk, packs the
 * tile's B chunk once and runs every (row strip, column strip) of the
 * group on it, adding into double accumulators; then the epilogue. */
static inline __attribute__((always_inline)) void gemm_tasks(void *arg, int64_t t0, int64_t t1)
{
    gemm_job *j = arg;
    const gemm_problem *p = j->p;
    const gemm_isa *is = j->isa;
    int mr = is->mr, nr = is->nr;
    int64_t kcmax = p->K < GEMM_KC ? (p->K > 0 ? p->K : 1) : GEMM_KC;
    int64_t gs = j->strips_per_group;
    int single = p->K > 0 && p->K <= GEMM_KC;
    float *pb = mem_alloc((size_t)is->nc * (size_t)kcmax * sizeof(float));
    double *acc = mem_alloc((size_t)(gs * mr) * (size_t)is->nc * sizeof(double));
    if (!pb || !acc) {
        j->failed = 1;
        goto out;
    }
    for (int64_t t = t0; t < t1; t++) {
        int64_t bt = t / (j->mg * j->nt), gi = (t / j->nt) % j->mg, ni = t % j->nt;
        int64_t s0 = gi * gs, s1 = s0 + gs < j->ms ? s0 + gs : j->ms, n0 = ni * is->nc;
        int64_t nc = p->N - n0 < is->nc ? p->N - n0 : is->nc;
        if (s0 >= s1)
            continue;
        const int64_t *o = p->off ? p->off + 4 * bt : NULL;
        const float *b = p->b + (o ? o[1] : 0);
        float *y = p->y + (o ? o[2] : 0);
        const float *bias = p->bias ? p->bias + (o ? o[3] : 0) : NULL;
        const float *a = p->a + (o ? o[0] : 0), *pa = j->pa ? j->pa + bt * p->K * mr : NULL;
        int64_t ss = s1 - s0, ns = (nc + nr - 1) / nr;
        /* one K-chunk: S = (double)s_0 exactly, so the tile stays f32 */
        float *accf = single ? (float *)acc : NULL;
        if (p->K == 0)
            memset(acc, 0, (size_t)(ss * mr) * (size_t)(ns * nr) * sizeof(double));
        for (int64_t k0 = 0; k0 < p->K; k0 += GEMM_KC) {
            int64_t kc = p->K - k0 < GEMM_KC ? p->K - k0 : GEMM_KC;
            pack_b(p, b, nr, n0, nc, k0, kc, pb);
            for (int64_t js = 0; js < ns; js++)
                for (int64_t si = s0; si < s1; si++) {
                    int64_t to = (js * ss + (si - s0)) * mr * nr;
                    double *at = acc + to;
                    const float *ak = pa && si == j->ms - 1 ? pa + k0 * mr : a + si * mr * p->a_m + k0 * p->a_k;
                    if (accf)
                        is->ukernel_f32(kc, ak, pa && si == j->ms - 1 ? 1 : p->a_m, pa && si == j->ms - 1 ? mr : p->a_k,
                                        pb + js * kc * nr, accf + to);
                    else if (pa && si == j->ms - 1)
                        is->ukernel(kc, pa + k0 * mr, 1, mr, pb + js * kc * nr, at, k0 == 0);
                    else
                        is->ukernel(kc, a + si * mr * p->a_m + k0 * p->a_k, p->a_m, p->a_k, pb + js * kc * nr, at,
                                    k0 == 0);
                }
        }
        int64_t m0 = s0 * mr, m1 = s1 * mr < p->M ? s1 * mr : p->M;
        for (int64_t m = m0; m < m1; m++) {
            float *yr = y + m * p->y_m + n0;
            int64_t ro = ((m - m0) / mr) * mr * nr + ((m - m0) % mr) * nr;
            const double *ar = acc + ro;
            const float *arf = accf ? accf + ro : NULL;
            double bm = bias ? (double)bias[m] : 0;
            const float *cr = p->c ? p->c + m * p->c_m + n0 * p->c_n : NULL;
            if (arf && p->alpha == 1 && !cr) {
                /* round_f32((double)s + b) is the f32 sum s + b: double has
                 * more than 2*24+2 bits, so rounding twice cannot differ
                 * from rounding once (b = +0 keeps -0 + 0 = +0 as well) */
                float bf = bias ? bias[m] : 0.0f;
                for (int64_t js = 0, n = 0; js < ns; js++, arf += ss * mr * nr) {
                    int64_t e = n + nr < nc ? n + nr : nc;
                    for (int64_t q = 0; n < e; n++, q++)
                        yr[n] = arf[q] + bf;
                }
                if (p->post)
                    p->post(p, bt, m, n0, nc, yr);
                continue;
            }
            for (int64_t js = 0, n = 0; js < ns; js++, ar += ss * mr * nr, arf = arf ? arf + ss * mr * nr : NULL) {
                int64_t e = n + nr < nc ? n + nr : nc;
                if (p->alpha == 1 && !cr) /* the common case, a loop that vectorises */
                    for (int64_t q = 0; n < e; n++, q++)
                        yr[n] = (float)(ar[q] + bm);
                else
                    for (int64_t q = 0; n < e; n++, q++) {
                        double v = arf ? (double)arf[q] : ar[q];
                        if (p->alpha != 1)
                            v *= p->alpha;
                        if (cr)
                            v += p->beta * (double)cr[n * p->c_n];
                        yr[n] = (float)(v + bm);
                    }
            }
            if (p->post)
                p->post(p, bt, m, n0, nc, yr);
        }
    }
out:
    mem_free(pb);
    mem_free(acc);
}

/* The task loop compiled per ISA level too, so its packing copies and
 * epilogue loops use the level's vectors (element-wise IEEE steps: ISO
 * C mode does not contract them into FMAs, the bits stay the same). */
static void gemm_tasks_c(void *arg, int64_t t0, int64_t t1) { gemm_tasks(arg, t0, t1); }
#ifdef GEMM_X86
GEMM_AVX2 static void gemm_tasks_avx2(void *arg, int64_t t0, int64_t t1) { gemm_tasks(arg, t0, t1); }
GEMM_AVX512 static void gemm_tasks_avx512(void *arg, int64_t t0, int64_t t1) { gemm_tasks(arg, t0, t1); }
#endif

int gemm_core_run(const gemm_problem *p)
{
    if (p->M <= 0 || p->N <= 0 || p->batches <= 0)
        return 0;
    gemm_job j = {p, &isas[gemm_core_isa()], 0, 0, 0, 0, NULL, 0};
    int mr = j.isa->mr;
    j.ms = (p->M + mr - 1) / mr;
    j.nt = (p->N + j.isa->nc - 1) / j.isa->nc;
    /* Row groups of whole MC tiles; more of them (down to one strip) only
     * when there are too few tasks to keep the threads busy. Any split
     * gives the same bits. */
    int threads = ref_get_threads();
    int64_t per_mc = j.isa->mc / mr, want = threads > 1 ? (int64_t)threads * 3 : 1;
    j.strips_per_group = per_mc < j.ms ? per_mc : j.ms;
    while (j.strips_per_group > 1 && p->batches * j.nt * ((j.ms + j.strips_per_group - 1) / j.strips_per_group) < want)
        j.strips_per_group = (j.strips_per_group + 1) / 2;
    j.mg = (j.ms + j.strips_per_group - 1) / j.strips_per_group;
    if (p->M % mr && p->K > 0) {
        j.pa = mem_alloc((size_t)p->batches * (size_t)p->K * (size_t)mr * sizeof(float));
        if (!j.pa)
            return RV_ENOMEM;
        ref_parallel_for(p->batches, 1, pack_a_tail, &j);
    }
    void (*tasks)(void *, int64_t, int64_t) = gemm_tasks_c;
#ifdef GEMM_X86
    tasks = j.isa == &isas[2] ? gemm_tasks_avx512 : j.isa == &isas[1] ? gemm_tasks_avx2 : gemm_tasks_c;
#endif
    ref_parallel_for(p->batches * j.mg * j.nt, 1, tasks, &j);
    mem_free(j.pa);
    return j.failed ? RV_ENOMEM : 0;
}
