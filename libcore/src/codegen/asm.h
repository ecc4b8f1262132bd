/* asm.h - the code buffer the RVV generators write through: one
 * function per instruction they use (named after its mnemonic), labels
 * with forward branch fixups, and a sticky error so generators check
 * once at the end. The encodings come from the ISA layer (isa/); this
 * file only names registers and shapes the calls. */
#ifndef RVVNN_CG_ASM_H
#define RVVNN_CG_ASM_H

#include <stddef.h>
#include <stdint.h>

/* integer registers (ABI names) */
enum {
    ZERO = 0, RA = 1, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9,
    A0 = 10, A1, A2, A3, A4, A5, A6, A7,
    S2 = 18, S3, S4, S5, S6, S7, S8, S9, S10, S11,
    T3 = 28, T4, T5, T6,
};
/* float registers */
enum { FT0 = 0, FT1, FT2, FT3, FT4, FT5, FT6, FT7, FS0, FS1, FA0, FA1, FA2, FA3, FA4, FA5, FA6, FA7,
       FS2, FS3, FS4, FS5, FS6, FS7, FS8, FS9, FS10, FS11, FT8, FT9, FT10, FT11 };

typedef struct asm_fixup {
    size_t at;   /* word index of the branch/jump */
    int label;
} asm_fixup;

typedef struct cg_asm {
    uint32_t *w;
    size_t n, cap;
    int err;               /* first error (sticky) */
    size_t *labels;        /* word index per label, SIZE_MAX = unbound */
    int n_labels, cap_labels;
    asm_fixup *fix;
    int n_fix, cap_fix;
    /* vtype of the last vsetvli/vsetivli emitted (sew 0: none yet); the
     * vector register rules are checked against it */
    unsigned vsew;
    int vlmul8;
} cg_asm;

void asm_init(cg_asm *a);
void asm_free(cg_asm *a);
/* Resolves labels; returns 0 or the first error (RV_E*), with the
 * message naming the instruction that failed. */
int asm_finish(cg_asm *a);
int asm_label(cg_asm *a);
void asm_bind(cg_asm *a, int label);

/* scalar */
void asm_li(cg_asm *a, int rd, int64_t imm);
void asm_auipc(cg_asm *a, int rd, int32_t hi20); /* rd = pc + (hi20 << 12) */
void asm_mv(cg_asm *a, int rd, int rs);
void asm_addi(cg_asm *a, int rd, int rs1, int64_t imm); /* any imm: splits if needed (uses rd) */
void asm_add(cg_asm *a, int rd, int rs1, int rs2);
void asm_sub(cg_asm *a, int rd, int rs1, int rs2);
void asm_mul(cg_asm *a, int rd, int rs1, int rs2);
void asm_slli(cg_asm *a, int rd, int rs1, int sh);
void asm_srli(cg_asm *a, int rd, int rs1, int sh);
void asm_ld(cg_asm *a, int rd, int rs1, int imm);
void asm_lw(cg_asm *a, int rd, int rs1, int imm);
void asm_lbu(cg_asm *a, int rd, int rs1, int imm);
void asm_sd(cg_asm *a, int rs2, int rs1, int imm);
void asm_flw(cg_asm *a, int frd, int rs1, int imm);
void asm_fsw(cg_asm *a, int frs2, int rs1, int imm);
void asm_fld(cg_asm *a, int frd, int rs1, int imm);
void asm_fsd(cg_asm *a, int frs2, int rs1, int imm);
void asm_fmv_w_x(cg_asm *a, int frd, int rs1);
/* scalar f32 arithmetic, dynamic rounding (round to nearest even) */
enum { FS_ADD, FS_SUB, FS_MUL, FS_DIV };
void asm_fop_s(cg_asm *a, int op, int frd, int frs1, int frs2);
void asm_fsqrt_s(cg_asm *a, int frd, int frs1);
/* frm: the dynamic rounding mode vector conversions use. Generators that
 * change it restore FRM_RNE before they return. */
enum { FRM_RNE = 0, FRM_RTZ = 1, FRM_RDN = 2, FRM_RUP = 3 };
void asm_fsrmi(cg_asm *a, int rm);
void asm_bnez(cg_asm *a, int rs, int label);
/* bnez for loops whose body may exceed a branch's +-4 KiB: beqz over a jal. */
void asm_bnez_far(cg_asm *a, int rs, int label);
void asm_beqz(cg_asm *a, int rs, int label);
void asm_bltu(cg_asm *a, int rs1, int rs2, int label);
void asm_bgeu(cg_asm *a, int rs1, int rs2, int label);
void asm_bge(cg_asm *a, int rs1, int rs2, int label);
void asm_j(cg_asm *a, int label);
void asm_call(cg_asm *a, int label); /* jal ra, label */
void asm_ret(cg_asm *a);
/* A raw word (already encoded code copied in, or padding). */
void asm_word(cg_asm *a, uint32_t w);

/* vector configuration: lmul as 1,2,4,8 (or -2,-4,-8 for mf2..mf8) */
void asm_vsetvli(cg_asm *a, int rd, int rs1, int sew, int lmul);   /* ta, ma */
void asm_vsetivli(cg_asm *a, int rd, unsigned avl, int sew, int lmul);
/* ta, mu: masked-off destination elements keep their values (masked accumulation) */
void asm_vsetvli_mu(cg_asm *a, int rd, int rs1, int sew, int lmul);

/* vector memory (unmasked) */
void asm_vle(cg_asm *a, int sew, int vd, int rs1);
void asm_vse(cg_asm *a, int sew, int vs3, int rs1);
void asm_vlse(cg_asm *a, int sew, int vd, int rs1, int rs2);
void asm_vsse(cg_asm *a, int sew, int vs3, int rs1, int rs2);
void asm_vluxei32(cg_asm *a, int vd, int rs1, int vs2); /* vd[i] = mem[rs1 + vs2[i]] (32-bit offsets) */

/* masked by v0 (v0.t): inactive elements are not accessed (loads) or keep
 * their value under a mask-undisturbed vtype (arithmetic) */
void asm_vle_m(cg_asm *a, int sew, int vd, int rs1);
void asm_vlse_m(cg_asm *a, int sew, int vd, int rs1, int rs2);

/* vector float arithmetic: asm_vf(a, VF_ADD, vd, vs2, fs1) etc. */
enum { VF_ADD, VF_SUB, VF_MUL, VF_DIV, VF_MIN, VF_MAX, VF_RSUB, VF_RDIV, VF_MACC, VF_NMSAC,
       VF_MADD, VF_SGNJ, VF_SGNJN, VF_SGNJX, VF__COUNT };
void asm_vv(cg_asm *a, int op, int vd, int vs2, int vs1);  /* .vv form */
void asm_vf(cg_asm *a, int op, int vd, int vs2, int fs1);  /* .vf form */
void asm_vv_m(cg_asm *a, int op, int vd, int vs2, int vs1); /* .vv, v0.t */
void asm_vf_m(cg_asm *a, int op, int vd, int vs2, int fs1); /* .vf, v0.t */
void asm_vfsqrt(cg_asm *a, int vd, int vs2);
void asm_vfmv_v_f(cg_asm *a, int vd, int fs1);
void asm_vmv_v_i(cg_asm *a, int vd, int imm5);
void asm_vmv_v_v(cg_asm *a, int vd, int vs1);
void asm_vfmv_f_s(cg_asm *a, int frd, int vs2);
void asm_vfmv_s_f(cg_asm *a, int vd, int fs1);
void asm_vfredusum(cg_asm *a, int vd, int vs2, int vs1);
void asm_vfredosum(cg_asm *a, int vd, int vs2, int vs1);
void asm_vfredmax(cg_asm *a, int vd, int vs2, int vs1);
void asm_vfredmin(cg_asm *a, int vd, int vs2, int vs1);

/* conversions (dynamic rounding mode: round to nearest even by default) */
void asm_vfcvt_x_f(cg_asm *a, int vd, int vs2);      /* float -> int, frm */
void asm_vfcvt_f_x(cg_asm *a, int vd, int vs2);      /* int -> float */
void asm_vfcvt_f_xu(cg_asm *a, int vd, int vs2);     /* unsigned int -> float */
/* (qemu 7.2 aborts on the .rtz conversions: truncate with asm_fsrmi(FRM_RTZ)) */
/* widening (SEW -> 2*SEW; vd a 2*LMUL group) and narrowing (2*SEW -> SEW) */
void asm_vfwcvt_x_f(cg_asm *a, int vd, int vs2);     /* f32 -> i64, frm, saturating */
void asm_vfwcvt_f_f(cg_asm *a, int vd, int vs2);     /* f32 -> f64 */
void asm_vfncvt_f_f(cg_asm *a, int vd, int vs2);     /* f64 -> f32, frm */
void asm_vnsrl_wi(cg_asm *a, int vd, int vs2, int uimm5); /* 2*SEW -> SEW, low bits after >> uimm */
/* vd (SEW) = vs2 (SEW/f) zero- or sign-extended; f = 2, 4 or 8 */
void asm_vzext_vf(cg_asm *a, int vd, int vs2, int f);
void asm_vsext_vf(cg_asm *a, int vd, int vs2, int f);
/* integer ops on the bit patterns */
void asm_vadd_vx(cg_asm *a, int vd, int vs2, int rs1);
void asm_vadd_vi(cg_asm *a, int vd, int vs2, int imm5);
void asm_vsll_vi(cg_asm *a, int vd, int vs2, int uimm5);
void asm_vsra_vi(cg_asm *a, int vd, int vs2, int uimm5);
void asm_vsub_vv(cg_asm *a, int vd, int vs2, int vs1);
void asm_vmv_v_x(cg_asm *a, int vd, int rs1);
void asm_vid(cg_asm *a, int vd);                          /* vd[i] = i */
void asm_vmul_vx(cg_asm *a, int vd, int vs2, int rs1);
void asm_vmsltu_vx(cg_asm *a, int vd, int vs2, int rs1);  /* mask: vs2 < rs1, unsigned */
void asm_vmslt_vx(cg_asm *a, int vd, int vs2, int rs1);   /* mask: vs2 < rs1, signed */
void asm_vmsgt_vx(cg_asm *a, int vd, int vs2, int rs1);   /* mask: vs2 > rs1, signed */
void asm_vmsne_vi(cg_asm *a, int vd, int vs2, int imm5);  /* mask: vs2 != imm */
/* compares into a mask register, and merges under v0 */
enum { VMF_EQ, VMF_LE, VMF_LT, VMF_NE, VMF_GT, VMF_GE };
void asm_vmf_vf(cg_asm *a, int cmp, int vd, int vs2, int fs1);
void asm_vmf_vv(cg_asm *a, int cmp, int vd, int vs2, int vs1); /* EQ, LE, LT, NE only */
void asm_vmerge_vvm(cg_asm *a, int vd, int vs2, int vs1);  /* vd = v0 ? vs1 : vs2 */
void asm_vfmerge_vfm(cg_asm *a, int vd, int vs2, int fs1); /* vd = v0 ? f : vs2 */
void asm_vmerge_vim(cg_asm *a, int vd, int vs2, int imm5); /* vd = v0 ? imm : vs2 */
/* mask registers */
void asm_vmor_mm(cg_asm *a, int vd, int vs2, int vs1);
void asm_vmand_mm(cg_asm *a, int vd, int vs2, int vs1);
void asm_vmandn_mm(cg_asm *a, int vd, int vs2, int vs1);  /* vs2 & ~vs1 */
void asm_vcpop_m(cg_asm *a, int rd, int vs2);             /* rd = set bits of vs2 among vl */

#endif
