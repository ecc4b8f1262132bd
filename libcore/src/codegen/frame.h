/* frame.h - the prologue/epilogue every generated kernel shares: a
 * 208-byte frame saving ra, s0-s11 and fs0-fs11 (generators may use them
 * all; the psABI makes them callee-saved, and a kernel linked into a C
 * program with --emit=obj must not clobber its caller's), and immediate
 * adds that stay correct for any 64-bit constant. */
#ifndef RVVNN_CG_FRAME_H
#define RVVNN_CG_FRAME_H

#include "asm.h"

#define FRAME_BYTES 208
#define FRAME_SPARE 104 /* a free 8-byte slot generators may use */
#define FRAME_FSAVE 112 /* fs0-fs11, 8 bytes each (the code needs D: rv64imafd) */

static const int frame_saved[13] = {RA, S0, S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11};
static const int frame_fsaved[12] = {FS0, FS1, FS2, FS3, FS4, FS5, FS6, FS7, FS8, FS9, FS10, FS11};

static inline void frame_enter(cg_asm *a)
{
    asm_addi(a, SP, SP, -FRAME_BYTES);
    for (int i = 0; i < 13; i++)
        asm_sd(a, frame_saved[i], SP, i * 8);
    for (int i = 0; i < 12; i++)
        asm_fsd(a, frame_fsaved[i], SP, FRAME_FSAVE + i * 8);
}

static inline void frame_restore(cg_asm *a)
{
    for (int i = 0; i < 13; i++)
        asm_ld(a, frame_saved[i], SP, i * 8);
    for (int i = 0; i < 12; i++)
        asm_fld(a, frame_fsaved[i], SP, FRAME_FSAVE + i * 8);
    asm_addi(a, SP, SP, FRAME_BYTES);
}

/* Returns 0 (success) to the runtime. */
static inline void frame_leave(cg_asm *a)
{
    asm_li(a, A0, 0);
    frame_restore(a);
    asm_ret(a);
}

/* Returns the status already in a0 (non-zero: the step found invalid
 * input, e.g. an index out of range). */
static inline void frame_leave_status(cg_asm *a)
{
    frame_restore(a);
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
