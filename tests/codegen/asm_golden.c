/* asm_golden.c - prints every instruction form the code generators emit,
 * as "hex<TAB>GNU as text", so test_asm.sh can assemble the text with
 * riscv64-linux-gnu-as -march=rv64gcv and compare the bytes. */
#include "codegen/asm.h"

#include <stdio.h>

#define EMIT(call, text)                                                 \
    do {                                                                 \
        cg_asm a;                                                        \
        asm_init(&a);                                                    \
        call;                                                            \
        for (size_t i = 0; i < a.n; i++)                                 \
            printf("%08x%s", a.w[i], i + 1 < a.n ? " " : "");            \
        printf("\t%s\n", text);                                          \
        asm_free(&a);                                                    \
    } while (0)

int main(void)
{
    EMIT(asm_li(&a, A5, 42), "li a5, 42");
    EMIT(asm_li(&a, T0, -2048), "li t0, -2048");
    EMIT(asm_li(&a, A1, 122088), "li a1, 122088");
    EMIT(asm_li(&a, A2, 0x123456789abLL), "li a2, 0x123456789ab");
    EMIT(asm_li(&a, A2, -5000000000LL), "li a2, -5000000000");
    EMIT(asm_mv(&a, S2, A3), "mv s2, a3");
    EMIT(asm_addi(&a, T1, T2, -7), "addi t1, t2, -7");
    EMIT(asm_add(&a, A0, A1, A2), "add a0, a1, a2");
    EMIT(asm_sub(&a, T6, T5, T4), "sub t6, t5, t4");
    EMIT(asm_mul(&a, S11, S10, S9), "mul s11, s10, s9");
    EMIT(asm_slli(&a, A4, A4, 2), "slli a4, a4, 2");
    EMIT(asm_srli(&a, A4, A3, 33), "srli a4, a3, 33");
    EMIT(asm_ld(&a, A1, A0, 8), "ld a1, 8(a0)");
    EMIT(asm_sd(&a, S0, SP, -16), "sd s0, -16(sp)");
    EMIT(asm_flw(&a, FA3, T3, 2044), "flw fa3, 2044(t3)");
    EMIT(asm_fsw(&a, FT11, A7, -4), "fsw ft11, -4(a7)");
    EMIT(asm_fmv_w_x(&a, FT0, ZERO), "fmv.w.x ft0, zero");
    EMIT(asm_ret(&a), "ret");
    EMIT(asm_vsetvli(&a, T0, A5, 32, 4), "vsetvli t0, a5, e32, m4, ta, ma");
    EMIT(asm_vsetvli(&a, ZERO, ZERO, 64, 1), "vsetvli zero, zero, e64, m1, ta, ma");
    EMIT(asm_vsetvli(&a, A0, A1, 8, -2), "vsetvli a0, a1, e8, mf2, ta, ma");
    EMIT(asm_vsetivli(&a, T1, 17, 16, 8), "vsetivli t1, 17, e16, m8, ta, ma");
    EMIT(asm_vle(&a, 32, 8, A2), "vle32.v v8, (a2)");
    EMIT(asm_vle(&a, 64, 0, T0), "vle64.v v0, (t0)");
    EMIT(asm_vse(&a, 32, 24, A3), "vse32.v v24, (a3)");
    EMIT(asm_vse(&a, 8, 1, A3), "vse8.v v1, (a3)");
    EMIT(asm_vlse(&a, 32, 4, A1, T2), "vlse32.v v4, (a1), t2");
    EMIT(asm_vsse(&a, 16, 12, A1, T2), "vsse16.v v12, (a1), t2");
    EMIT(asm_vv(&a, VF_ADD, 8, 16, 24), "vfadd.vv v8, v16, v24");
    EMIT(asm_vv(&a, VF_SUB, 8, 16, 24), "vfsub.vv v8, v16, v24");
    EMIT(asm_vv(&a, VF_MUL, 1, 2, 3), "vfmul.vv v1, v2, v3");
    EMIT(asm_vv(&a, VF_DIV, 1, 2, 3), "vfdiv.vv v1, v2, v3");
    EMIT(asm_vv(&a, VF_MIN, 1, 2, 3), "vfmin.vv v1, v2, v3");
    EMIT(asm_vv(&a, VF_MAX, 1, 2, 3), "vfmax.vv v1, v2, v3");
    EMIT(asm_vv(&a, VF_MACC, 0, 28, 4), "vfmacc.vv v0, v4, v28");
    EMIT(asm_vv(&a, VF_MADD, 0, 28, 4), "vfmadd.vv v0, v4, v28");
    EMIT(asm_vv(&a, VF_NMSAC, 0, 28, 4), "vfnmsac.vv v0, v4, v28");
    EMIT(asm_vv(&a, VF_SGNJX, 5, 6, 7), "vfsgnjx.vv v5, v6, v7");
    EMIT(asm_vf(&a, VF_MACC, 4, 28, FA2), "vfmacc.vf v4, fa2, v28");
    EMIT(asm_vf(&a, VF_ADD, 8, 16, FT0), "vfadd.vf v8, v16, ft0");
    EMIT(asm_vf(&a, VF_RSUB, 8, 16, FT0), "vfrsub.vf v8, v16, ft0");
    EMIT(asm_vf(&a, VF_RDIV, 8, 16, FT0), "vfrdiv.vf v8, v16, ft0");
    EMIT(asm_vf(&a, VF_MAX, 8, 16, FT0), "vfmax.vf v8, v16, ft0");
    EMIT(asm_vf(&a, VF_MUL, 8, 16, FA7), "vfmul.vf v8, v16, fa7");
    EMIT(asm_vfsqrt(&a, 8, 16), "vfsqrt.v v8, v16");
    EMIT(asm_vfmv_v_f(&a, 8, FT1), "vfmv.v.f v8, ft1");
    EMIT(asm_vmv_v_i(&a, 16, 0), "vmv.v.i v16, 0");
    EMIT(asm_vmv_v_i(&a, 16, -3), "vmv.v.i v16, -3");
    EMIT(asm_vmv_v_v(&a, 16, 8), "vmv.v.v v16, v8");
    EMIT(asm_vfmv_f_s(&a, FA0, 24), "vfmv.f.s fa0, v24");
    EMIT(asm_vfmv_s_f(&a, 24, FA0), "vfmv.s.f v24, fa0");
    EMIT(asm_vfredusum(&a, 1, 8, 2), "vfredusum.vs v1, v8, v2");
    EMIT(asm_vfredosum(&a, 1, 8, 2), "vfredosum.vs v1, v8, v2");
    EMIT(asm_vfredmax(&a, 1, 8, 2), "vfredmax.vs v1, v8, v2");
    EMIT(asm_vfcvt_x_f(&a, 8, 16), "vfcvt.x.f.v v8, v16");
    EMIT(asm_vfcvt_f_x(&a, 8, 16), "vfcvt.f.x.v v8, v16");
    EMIT(asm_vadd_vx(&a, 8, 16, A3), "vadd.vx v8, v16, a3");
    EMIT(asm_vadd_vi(&a, 8, 16, -5), "vadd.vi v8, v16, -5");
    EMIT(asm_vsll_vi(&a, 8, 16, 23), "vsll.vi v8, v16, 23");
    EMIT(asm_vmf_vf(&a, VMF_LT, 0, 16, FA0), "vmflt.vf v0, v16, fa0");
    EMIT(asm_vmf_vf(&a, VMF_GT, 0, 16, FA0), "vmfgt.vf v0, v16, fa0");
    EMIT(asm_vmf_vf(&a, VMF_GE, 1, 16, FA0), "vmfge.vf v1, v16, fa0");
    EMIT(asm_vmf_vf(&a, VMF_LE, 1, 16, FA0), "vmfle.vf v1, v16, fa0");
    EMIT(asm_vmf_vf(&a, VMF_EQ, 1, 16, FA0), "vmfeq.vf v1, v16, fa0");
    EMIT(asm_vmf_vf(&a, VMF_NE, 1, 16, FA0), "vmfne.vf v1, v16, fa0");
    EMIT(asm_vmerge_vvm(&a, 8, 16, 24), "vmerge.vvm v8, v16, v24, v0");
    EMIT(asm_vfmerge_vfm(&a, 8, 16, FA1), "vfmerge.vfm v8, v16, fa1, v0");
    EMIT((asm_label(&a), asm_call(&a, 0), asm_bind(&a, 0), asm_finish(&a)), "jal ra, 1f; 1:");
    EMIT(asm_vsra_vi(&a, 8, 16, 1), "vsra.vi v8, v16, 1");
    EMIT(asm_vsub_vv(&a, 8, 16, 24), "vsub.vv v8, v16, v24");
    EMIT(asm_vmf_vv(&a, VMF_NE, 0, 16, 16), "vmfne.vv v0, v16, v16");
    EMIT(asm_vmf_vv(&a, VMF_LT, 0, 16, 8), "vmflt.vv v0, v16, v8");
    EMIT(asm_fop_s(&a, FS_ADD, FA0, FA1, FT2), "fadd.s fa0, fa1, ft2");
    EMIT(asm_fop_s(&a, FS_SUB, FA0, FA1, FT2), "fsub.s fa0, fa1, ft2");
    EMIT(asm_fop_s(&a, FS_MUL, FA0, FA1, FT2), "fmul.s fa0, fa1, ft2");
    EMIT(asm_fop_s(&a, FS_DIV, FA0, FA1, FT2), "fdiv.s fa0, fa1, ft2");
    EMIT(asm_fsqrt_s(&a, FT3, FT4), "fsqrt.s ft3, ft4");
    EMIT(asm_lw(&a, T0, S2, 12), "lw t0, 12(s2)");
    EMIT((asm_label(&a), asm_bgeu(&a, T0, S5, 0), asm_bind(&a, 0), asm_finish(&a)), "bgeu t0, s5, 1f; 1:");
    EMIT((asm_label(&a), asm_bge(&a, T0, ZERO, 0), asm_bind(&a, 0), asm_finish(&a)), "bge t0, zero, 1f; 1:");
    EMIT((asm_label(&a), asm_bind(&a, 0), asm_bltu(&a, A1, A2, 0), asm_finish(&a)), "1: bltu a1, a2, 1b");
    EMIT((asm_label(&a), asm_bind(&a, 0), asm_bnez_far(&a, A5, 0), asm_finish(&a)), "1: beqz a5, 2f; j 1b; 2:");
    EMIT(asm_lbu(&a, T1, S3, -5), "lbu t1, -5(s3)");
    EMIT(asm_vfredmin(&a, 1, 8, 2), "vfredmin.vs v1, v8, v2");
    EMIT(asm_vfcvt_f_xu(&a, 8, 16), "vfcvt.f.xu.v v8, v16");
    EMIT(asm_fsrmi(&a, FRM_RDN), "fsrmi zero, 2");
    EMIT(asm_fsrmi(&a, FRM_RNE), "fsrmi zero, 0");
    EMIT(asm_vfwcvt_x_f(&a, 8, 4), "vfwcvt.x.f.v v8, v4");
    EMIT(asm_vfwcvt_f_f(&a, 8, 4), "vfwcvt.f.f.v v8, v4");
    EMIT(asm_vfncvt_f_f(&a, 4, 8), "vfncvt.f.f.w v4, v8");
    EMIT(asm_vnsrl_wi(&a, 4, 8, 0), "vnsrl.wi v4, v8, 0");
    EMIT(asm_vzext_vf(&a, 8, 4, 4), "vzext.vf4 v8, v4");
    EMIT(asm_vsext_vf(&a, 8, 4, 2), "vsext.vf2 v8, v4");
    EMIT(asm_vsext_vf(&a, 8, 2, 8), "vsext.vf8 v8, v2");
    EMIT(asm_vzext_vf(&a, 8, 2, 8), "vzext.vf8 v8, v2");
    EMIT(asm_vmv_v_x(&a, 8, T3), "vmv.v.x v8, t3");
    EMIT(asm_vmsne_vi(&a, 0, 8, 0), "vmsne.vi v0, v8, 0");
    EMIT(asm_vmerge_vim(&a, 24, 24, 1), "vmerge.vim v24, v24, 1, v0");
    EMIT(asm_vmor_mm(&a, 2, 2, 1), "vmor.mm v2, v2, v1");
    EMIT(asm_vcpop_m(&a, T2, 1), "vcpop.m t2, v1");
    return 0;
}
