/* rows.h - the loop shape shared by row-wise kernels (Softmax,
 * LayerNormalization): R rows of C contiguous f32, one pass = one
 * strip-mined sweep over a row. */
#ifndef RVVNN_CG_ROWS_H
#define RVVNN_CG_ROWS_H

#include "frame.h"

/* Starts a sweep over C elements: t1 = C, t2 = src, t3 = dst; returns
 * the loop label. Inside, t0 = vl after vsetvli. */
static inline int row_sweep_begin(cg_asm *a, int64_t C, int src, int dst, int lmul)
{
    asm_li(a, T1, C);
    asm_mv(a, T2, src);
    if (dst >= 0)
        asm_mv(a, T3, dst);
    int loop = asm_label(a);
    asm_bind(a, loop);
    asm_vsetvli(a, T0, T1, 32, lmul);
    return loop;
}

/* Advances t2 (and t3, and extra pointer t4 when used) by vl elements. */
static inline void row_sweep_end(cg_asm *a, int loop, int has_dst, int has_t4)
{
    asm_slli(a, S0, T0, 2);
    asm_add(a, T2, T2, S0);
    if (has_dst)
        asm_add(a, T3, T3, S0);
    if (has_t4)
        asm_add(a, T4, T4, S0);
    asm_sub(a, T1, T1, T0);
    asm_bnez(a, T1, loop);
}

/* Rows: s1 counts, s2/s3 are the row bases of input/output. */
static inline int rows_begin(cg_asm *a, int64_t R)
{
    asm_ld(a, S2, A0, 0);
    asm_li(a, S1, R);
    int loop = asm_label(a);
    asm_bind(a, loop);
    return loop;
}

static inline void rows_end(cg_asm *a, int loop, int64_t C)
{
    add_imm(a, S2, S2, C * 4);
    add_imm(a, S3, S3, C * 4);
    asm_addi(a, S1, S1, -1);
    asm_bnez(a, S1, loop);
}

#endif
