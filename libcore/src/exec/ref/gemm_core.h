/* gemm_core.h - the reference executor's one blocked f32 GEMM, shared by
 * MatMul/Gemm (gemm.c) and Conv (conv.c), and the per-ISA row kernels
 * the depthwise convolution uses.
 *
 * Accumulation contract (the same for every caller, thread count and
 * ISA): each output element is
 *     y = round_f32(alpha * S + beta * C + bias),  S = sum_c s_c  in double,
 * where s_c is the f32 sum of a[k]*b[k] over the K-chunk c = [c*GEMM_KC,
 * (c+1)*GEMM_KC), accumulated from 0 with one fmaf per k in ascending k,
 * and the chunk sums are added in ascending c. Only the order of the fmaf
 * steps fixes the bits, so the blocking, the tile shape of the ISA kernel
 * and the split across threads do not change them. Error: |s_c - exact| <=
 * gamma_KC * sum_k |a*b| over the chunk (gamma_KC = KC*u/(1-KC*u), u =
 * 2^-24, about 7.6e-6 for KC = 128); in practice about sqrt(KC)*u. */
#ifndef RVVNN_GEMM_CORE_H
#define RVVNN_GEMM_CORE_H

#include <stdint.h>

#define GEMM_KC 128 /* the accumulation chunk of the contract above */

/* The ISA level kernels run at: 2 = AVX-512F+FMA, 1 = AVX2+FMA (x86-64
 * only), 0 = portable C (fmaf; hardware FMA where the target has one). */
int gemm_core_isa(void);
/* Tests: caps the level this thread's next calls use (-1 = no cap);
 * returns the level now in force. */
int gemm_core_cap_isa(int level);

/* Y(m, n) for m < M, n < N of batch t (t < batches), with element offsets
 * off[4*t + 0..3] added to a, b, y and bias (off NULL: all 0):
 *   A(m, k) = a[m*a_m + k*a_k], B(k, n) = b[k*b_k + n*b_n],
 *   Y(m, n) = y[m*y_m + n], C(m, n) = c[m*c_m + n*c_n] (not batched). */
typedef struct gemm_problem {
    int64_t M, N, K, batches;
    const float *a;
    int64_t a_m, a_k;
    const float *b;
    int64_t b_k, b_n;
    float *y;
    int64_t y_m;
    double alpha, beta;     /* alpha * S + beta * C */
    const float *c;         /* Gemm's C, or NULL */
    int64_t c_m, c_n;
    const float *bias;      /* bias[m], or NULL (conv) */
    const int64_t *off;
    /* Optional B source other than the strided matrix (Conv's implicit
     * im2col): writes B(k0+k, n0+j) for k < kc, j < nc straight into the
     * packed layout pb[(j/nr)*kc*nr + k*nr + j%nr]; b is p->b plus the
     * batch offset. */
    void (*b_pack)(const struct gemm_problem *p, const float *b, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
                   int nr, float *pb);
    const void *b_ctx;      /* for b_pack */
    /* Optional, after rounding: called on y[n0 .. n0+nc) of row m of batch
     * t (already at its offset) while it is in cache (MatMulEpilogue's
     * f32 bias/residual/activation). */
    void (*post)(const struct gemm_problem *p, int64_t t, int64_t m, int64_t n0, int64_t nc, float *y);
    const void *post_ctx;
} gemm_problem;

/* Runs p over ref_parallel_for (output tiles of every batch); 0, or
 * RV_ENOMEM when a worker could not allocate its packing buffers. */
int gemm_core_run(const gemm_problem *p);

/* For kernels outside this file with their own per-ISA instances (the
 * depthwise conv): GEMM_X86 where the levels 1 and 2 exist, and their
 * target attributes. A body written once as a static always-inline
 * function and called from one wrapper per level compiles for each. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GEMM_X86 1
#define GEMM_AVX512 __attribute__((target("avx512f,fma")))
#define GEMM_AVX2 __attribute__((target("avx2,fma")))
#endif

/* MatMul/Gemm (gemm.c) with a post hook run on each output row segment
 * after rounding; *fused = 1 when the hook ran (the f32 path), else the
 * caller applies it (other dtypes). */
struct op_ctx;
typedef struct ref_matmul_post {
    void (*fn)(const gemm_problem *p, int64_t t, int64_t m, int64_t n0, int64_t nc, float *y);
    const void *ctx;
} ref_matmul_post;
int ref_matmul_fused(struct op_ctx *c, const ref_matmul_post *post, int *fused);

/* Conv (conv.c) likewise: fn gets elements [off, off+n) of output plane
 * `plane` (batch x channel) at y, after rounding. */
typedef struct ref_conv_post {
    void (*fn)(const void *ctx, int64_t plane, int64_t off, int64_t n, float *y);
    const void *ctx;
} ref_conv_post;
int ref_conv_fused(struct op_ctx *c, const ref_conv_post *post, int *fused);

#endif
