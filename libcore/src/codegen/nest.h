/* nest.h - the loop nest shared by the elementwise and data-movement
 * generators: up to NEST_LEVELS outer loops, each advancing up to three
 * operand pointers by its own byte strides, around an inner loop the
 * caller emits. Level l's operand bases live in nest_reg[op][l]; the
 * inner emitter reads the bases of level q-1 and must leave them intact.
 * Counters use s10, s11, a7. */
#ifndef RVVNN_CG_NEST_H
#define RVVNN_CG_NEST_H

#include "frame.h"

#define NEST_LEVELS 3
#define NEST_OPS 3

static const int nest_reg[NEST_OPS][NEST_LEVELS + 1] = {{S1, S4, S7, A4}, {S2, S5, S8, A5}, {S3, S6, S9, A6}};
static const int nest_cnt[NEST_LEVELS] = {S10, S11, A7};

typedef struct cg_nest {
    int q;                                  /* levels including the inner one */
    int64_t dims[NEST_LEVELS + 1];
    int64_t stride[NEST_OPS][NEST_LEVELS + 1]; /* bytes per step, per operand */
} cg_nest;

typedef void (*nest_inner_fn)(cg_asm *a, const void *ctx, int level);

static inline void nest_emit(cg_asm *a, const cg_nest *n, int l, nest_inner_fn inner, const void *ctx)
{
    if (l == n->q - 1 || l >= NEST_LEVELS) { /* callers keep q <= NEST_LEVELS + 1 */
        inner(a, ctx, l);
        return;
    }
    for (int o = 0; o < NEST_OPS; o++)
        asm_mv(a, nest_reg[o][l + 1], nest_reg[o][l]);
    asm_li(a, nest_cnt[l], n->dims[l]);
    int loop = asm_label(a);
    asm_bind(a, loop);
    nest_emit(a, n, l + 1, inner, ctx);
    for (int o = 0; o < NEST_OPS; o++)
        if (n->stride[o][l])
            add_imm(a, nest_reg[o][l + 1], nest_reg[o][l + 1], n->stride[o][l]);
    asm_addi(a, nest_cnt[l], nest_cnt[l], -1);
    asm_bnez(a, nest_cnt[l], loop);
}

#endif
