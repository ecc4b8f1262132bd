/* gemm_c.c - the baseline for the instruction-count benchmark: the same
 * GEMM as plain C loops (i-k-j order, so the inner loop is a unit-stride
 * axpy the compiler can vectorise), built with clang -O3 -march=rv64gcv.
 *
 *   gemm_c M N K REPS   runs C = A*B REPS times on deterministic data */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void gemm(int M, int N, int K, const float *restrict A, const float *restrict B,
                                           float *restrict C)
{
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++)
            C[i * N + j] = 0;
        for (int k = 0; k < K; k++) {
            float a = A[i * K + k];
            for (int j = 0; j < N; j++)
                C[i * N + j] += a * B[k * N + j];
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]), reps = atoi(argv[4]);
    float *A = malloc(sizeof(float) * (size_t)M * K), *B = malloc(sizeof(float) * (size_t)K * N);
    float *C = malloc(sizeof(float) * (size_t)M * N);
    if (!A || !B || !C)
        return 2;
    for (long i = 0; i < (long)M * K; i++)
        A[i] = (float)(i % 7) - 3;
    for (long i = 0; i < (long)K * N; i++)
        B[i] = (float)(i % 5) - 2;
    for (int r = 0; r < reps; r++)
        gemm(M, N, K, A, B, C);
    printf("%g\n", (double)C[(long)M * N - 1]);
    return 0;
}
