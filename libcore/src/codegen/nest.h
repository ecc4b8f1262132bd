/* nest.h - the loop nest shared by the elementwise, select and
 * data-movement generators: up to NEST_LEVELS outer loops, each advancing
 * up to four operand pointers by its own byte strides, around an inner
 * loop the caller emits. Level l's operand bases live in nest_reg[op][l];
 * the inner emitter reads the bases of level q-1 and must leave them
 * intact. Counters use s10, s11, a7; the fourth operand uses a1-a3 and
 * a0 (so a0, the argument array, must be read before the nest starts).
 * nest_collapse() reduces an output shape and its operands' broadcast
 * strides to the fewest loop levels. */
#ifndef RVVNN_CG_NEST_H
#define RVVNN_CG_NEST_H

#include "frame.h"

#define NEST_LEVELS 3
#define NEST_OPS 4

static const int nest_reg[NEST_OPS][NEST_LEVELS + 1] = {
    {S1, S4, S7, A4}, {S2, S5, S8, A5}, {S3, S6, S9, A6}, {A1, A2, A3, A0}};
static const int nest_cnt[NEST_LEVELS] = {S10, S11, A7};

typedef struct cg_nest {
    int q;                                  /* levels including the inner one */
    int n_ops;                              /* operands the loops advance (<= NEST_OPS) */
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
    for (int o = 0; o < n->n_ops; o++)
        asm_mv(a, nest_reg[o][l + 1], nest_reg[o][l]);
    asm_li(a, nest_cnt[l], n->dims[l]);
    int loop = asm_label(a);
    asm_bind(a, loop);
    nest_emit(a, n, l + 1, inner, ctx);
    for (int o = 0; o < n->n_ops; o++)
        if (n->stride[o][l])
            add_imm(a, nest_reg[o][l + 1], nest_reg[o][l + 1], n->stride[o][l]);
    asm_addi(a, nest_cnt[l], nest_cnt[l], -1);
    asm_bnez(a, nest_cnt[l], loop);
}

/* Collapses y's dims for n operands whose element strides along y's dims
 * are s[k] (0 where broadcast; the output itself is one of them): size-1
 * dims are dropped and neighbours merged where every operand stays
 * contiguous across them. Fills dims/cs (outermost first) and returns the
 * number of levels (at least 1). */
static inline int nest_collapse(const tensor *y, int n, const int64_t (*s)[TENSOR_MAX_RANK], int64_t *dims,
                                int64_t (*cs)[TENSOR_MAX_RANK])
{
    int q = 0;
    for (int d = 0; d < y->rank; d++) {
        if (y->dims[d] == 1)
            continue;
        int merge = q > 0;
        for (int k = 0; merge && k < n; k++)
            merge = cs[k][q - 1] == s[k][d] * y->dims[d];
        if (merge) {
            dims[q - 1] *= y->dims[d];
            for (int k = 0; k < n; k++)
                cs[k][q - 1] = s[k][d];
            continue;
        }
        dims[q] = y->dims[d];
        for (int k = 0; k < n; k++)
            cs[k][q] = s[k][d];
        q++;
    }
    if (!q) { /* a single element */
        dims[0] = 1;
        for (int k = 0; k < n; k++)
            cs[k][0] = 1;
        q = 1;
    }
    return q;
}

#endif
