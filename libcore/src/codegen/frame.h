/* frame.h - the prologue/epilogue every generated kernel shares: a
 * 128-byte frame saving ra and s0-s11 (generators may use them all),
 * and immediate adds that stay correct for any 64-bit constant. */
#ifndef RVVNN_CG_FRAME_H
#define RVVNN_CG_FRAME_H

#include "asm.h"

#define FRAME_BYTES 128
#define FRAME_SPARE 104 /* a free 8-byte slot generators may use */

static const int frame_saved[13] = {RA, S0, S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11};

static inline void frame_enter(cg_asm *a)
{
    asm_addi(a, SP, SP, -FRAME_BYTES);
    for (int i = 0; i < 13; i++)
        asm_sd(a, frame_saved[i], SP, i * 8);
}

/* Returns 0 (success) to the runtime. */
static inline void frame_leave(cg_asm *a)
{
    asm_li(a, A0, 0);
    for (int i = 0; i < 13; i++)
        asm_ld(a, frame_saved[i], SP, i * 8);
    asm_addi(a, SP, SP, FRAME_BYTES);
    asm_ret(a);
}

/* Returns the status already in a0 (non-zero: the step found invalid
 * input, e.g. an index out of range). */
static inline void frame_leave_status(cg_asm *a)
{
    for (int i = 0; i < 13; i++)
        asm_ld(a, frame_saved[i], SP, i * 8);
    asm_addi(a, SP, SP, FRAME_BYTES);
    asm_ret(a);
}

/* rd = rs + imm; s0 is the scratch register when imm needs one. */
static inline void add_imm(cg_asm *a, int rd, int rs, int64_t imm)
{
    if (imm >= -2048 && imm <= 2047) {
        asm_addi(a, rd, rs, imm);
    } else {
        asm_li(a, S0, imm);
        asm_add(a, rd, rs, S0);
    }
}

/* Loads the f32 constant v into float register frd (via t6). */
static inline void load_f32(cg_asm *a, int frd, float v)
{
    union { float f; uint32_t u; } x = {v};
    asm_li(a, T6, (int32_t)x.u);
    asm_fmv_w_x(a, frd, T6);
}

#endif
