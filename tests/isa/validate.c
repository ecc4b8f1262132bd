/* validate.c - the encoder refuses illegal operand combinations with a
 * message naming the instruction and the rule, and accepts the legal
 * neighbour of each (which then decodes back to the same fields). Also
 * checks that a code generator mistake surfaces from asm_finish(). */
#include "check.h"
#include "codegen/asm.h"
#include "isa/isa.h"
#include "util/status.h"

#include <string.h>

#define V (ISA_X_V | ISA_X_ZVFH)
enum { MF8 = 1, MF4 = 2, MF2 = 4, M1 = 8, M2 = 16, M4 = 32, M8 = 64 };

typedef struct vcase {
    isa_inst in;
    unsigned sew;       /* 0: no vtype known */
    int lmul8;
    unsigned ext;
    const char *want;   /* NULL: legal; else a piece of the error text */
} vcase;

#define R(row, ...) {.id = ISA_##row, .vm = 1, .rm = 7, __VA_ARGS__}
#define M(row, ...) {.id = ISA_##row, .vm = 0, .rm = 7, __VA_ARGS__}

static const vcase cases[] = {
    /* register groups aligned to EMUL */
    {R(VADD_VV, .rd = 3, .rs2 = 8, .rs1 = 10), 32, M2, V, "vd v3 is not a multiple of its group size 2"},
    {R(VADD_VV, .rd = 4, .rs2 = 8, .rs1 = 10), 32, M2, V, NULL},
    {R(VADD_VV, .rd = 0, .rs2 = 8, .rs1 = 20), 32, M8, V, "vs1 v20 is not a multiple of its group size 8"},
    {R(VADD_VV, .rd = 3, .rs2 = 5, .rs1 = 7), 32, MF2, V, NULL},
    /* masked destination and v0 */
    {M(VADD_VV, .rd = 0, .rs2 = 8, .rs1 = 16), 32, M1, V, "must not overlap v0"},
    {M(VADD_VV, .rd = 2, .rs2 = 8, .rs1 = 16), 32, M1, V, NULL},
    {M(VMSEQ_VV, .rd = 0, .rs2 = 8, .rs1 = 16), 32, M1, V, NULL},
    {M(VREDSUM_VS, .rd = 0, .rs2 = 8, .rs1 = 16), 32, M1, V, NULL},
    {R(VADC_VVM, .rd = 0, .rs2 = 8, .rs1 = 16), 32, M1, V, "vd must not be v0, which holds the carry"},
    {R(VMERGE_VVM, .rd = 0, .rs2 = 8, .rs1 = 16), 32, M1, V, "vd must not be v0, which holds the mask"},
    {R(VMADC_VVM, .rd = 0, .rs2 = 8, .rs1 = 16), 32, M1, V, NULL},
    {M(VLE32_V, .rd = 0, .rs1 = 10), 32, M1, V, "must not overlap v0"},
    {M(VSE32_V, .rd = 0, .rs1 = 10), 32, M1, V, NULL},
    /* widening: the narrow source may sit only in the top of vd */
    {R(VWADD_VV, .rd = 4, .rs2 = 4, .rs1 = 8), 32, M1, V, "only in its highest part"},
    {R(VWADD_VV, .rd = 4, .rs2 = 5, .rs1 = 8), 32, M1, V, NULL},
    {R(VWADD_VV, .rd = 4, .rs2 = 4, .rs1 = 8), 32, MF2, V, "not at all for a fractional EMUL"},
    {R(VWADD_VV, .rd = 3, .rs2 = 8, .rs1 = 10), 32, M1, V, "vd v3 is not a multiple of its group size 2"},
    {R(VWADD_VV, .rd = 4, .rs2 = 8, .rs1 = 10), 64, M1, V, "no element wider than 64 bits"},
    {R(VWADD_VV, .rd = 0, .rs2 = 8, .rs1 = 16), 32, M8, V, "EMUL 16"},
    {R(VWADD_WV, .rd = 4, .rs2 = 4, .rs1 = 8), 32, M1, V, NULL},
    {R(VWMACC_VV, .rd = 8, .rs1 = 8, .rs2 = 12), 16, M2, V, "only in its highest part"},
    {R(VZEXT_VF4, .rd = 8, .rs2 = 11), 32, M4, V, NULL},
    {R(VZEXT_VF4, .rd = 8, .rs2 = 9), 32, M4, V, "only in its highest part"},
    {R(VZEXT_VF4, .rd = 8, .rs2 = 9), 8, M1, V, "2-bit source elements"},
    /* narrowing: vd may be the lowest register of the wide source */
    {R(VNSRL_WV, .rd = 4, .rs2 = 4, .rs1 = 8), 32, M1, V, NULL},
    {R(VNSRL_WV, .rd = 5, .rs2 = 4, .rs1 = 8), 32, M1, V, "only in its lowest register"},
    {R(VNCLIP_WI, .rd = 8, .rs2 = 7, .imm = 3), 16, M1, V, "vs2 v7 is not a multiple of its group size 2"},
    {R(VZEXT_VF2, .rd = 8, .rs2 = 8), 0, 0, 0, "only in its highest part"},
    {R(VNSRL_WX, .rd = 8, .rs2 = 8, .rs1 = 5), 0, 0, 0, NULL},
    /* mask results over LMUL > 1 sources */
    {R(VMSLT_VV, .rd = 9, .rs2 = 8, .rs1 = 12), 32, M2, V, "only in its lowest register"},
    {R(VMSLT_VV, .rd = 8, .rs2 = 8, .rs1 = 12), 32, M2, V, NULL},
    {R(VMFLT_VF, .rd = 1, .rs2 = 8, .rs1 = 10), 32, M4, V, NULL},
    /* no overlap at all */
    {R(VRGATHER_VV, .rd = 8, .rs2 = 8, .rs1 = 16), 32, M1, V, "vd v8 must not overlap vs2 v8"},
    {R(VRGATHER_VV, .rd = 8, .rs2 = 16, .rs1 = 9), 32, M2, V, "vs1 v9 is not a multiple"},
    {R(VRGATHEREI16_VV, .rd = 8, .rs2 = 16, .rs1 = 4), 8, M4, V, "vs1 v4 is not a multiple of its group size 8"},
    {R(VSLIDEUP_VX, .rd = 8, .rs2 = 8, .rs1 = 10), 32, M1, V, "must not overlap vs2"},
    {R(VSLIDEDOWN_VX, .rd = 8, .rs2 = 8, .rs1 = 10), 32, M1, V, NULL},
    {R(VCOMPRESS_VM, .rd = 8, .rs2 = 16, .rs1 = 9), 32, M2, V, "vd v8 must not overlap vs1 v9"},
    {R(VIOTA_M, .rd = 8, .rs2 = 8), 32, M1, V, "must not overlap vs2"},
    {R(VMSBF_M, .rd = 2, .rs2 = 2), 32, M1, V, "must not overlap vs2"},
    /* loads and stores: EMUL from EEW, segments, indexed overlap */
    {R(VLE64_V, .rd = 8, .rs1 = 10), 8, M2, V, "EMUL 16"},
    {R(VLE8_V, .rd = 8, .rs1 = 10), 64, MF8, V, "EMUL 1/64"},
    {R(VLE64_V, .rd = 8, .rs1 = 10), 32, M4, V, NULL},
    {R(VLSEG4E32_V, .rd = 28, .rs1 = 10), 32, M2, V, "spans 8 registers, past v31"},
    {R(VLSEG4E32_V, .rd = 24, .rs1 = 10), 32, M2, V, NULL},
    {R(VLSEG4E32_V, .rd = 0, .rs1 = 10), 32, M4, V, "4 fields of EMUL 4 exceed 8 registers"},
    {R(VLUXSEG2EI32_V, .rd = 8, .rs1 = 10, .rs2 = 8), 32, M1, V, "must not overlap vs2"},
    {R(VLUXEI32_V, .rd = 8, .rs1 = 10, .rs2 = 8), 32, M1, V, NULL},
    {R(VLUXEI8_V, .rd = 8, .rs1 = 10, .rs2 = 9), 32, M4, V, "only in its highest part"},
    {R(VL2RE32_V, .rd = 3, .rs1 = 10), 0, 0, 0, "vd v3 is not a multiple of its group size 2"},
    {R(VL8RE8_V, .rd = 24, .rs1 = 10), 0, 0, 0, NULL},
    {R(VMV2R_V, .rd = 2, .rs2 = 5), 0, 0, 0, "vs2 v5 is not a multiple of its group size 2"},
    {R(VS4R_V, .rd = 30, .rs1 = 10), 0, 0, 0, "not a multiple of its group size 4"},
    /* element widths the target has */
    {R(VFADD_VV, .rd = 1, .rs2 = 2, .rs1 = 3), 16, M1, ISA_X_V, "16-bit float elements at SEW 16 need Zvfh"},
    {R(VFADD_VV, .rd = 1, .rs2 = 2, .rs1 = 3), 16, M1, ISA_X_V | ISA_X_ZVFHMIN, "need Zvfh"},
    {R(VFADD_VV, .rd = 1, .rs2 = 2, .rs1 = 3), 16, M1, ISA_X_V | ISA_X_ZVFH, NULL},
    {R(VFWCVT_F_F_V, .rd = 2, .rs2 = 1), 16, M1, ISA_X_V | ISA_X_ZVFHMIN, NULL},
    {R(VFNCVT_F_F_W, .rd = 1, .rs2 = 2), 16, M1, ISA_X_V | ISA_X_ZVFHMIN, NULL},
    {R(VFWCVT_F_F_V, .rd = 2, .rs2 = 1), 16, M1, ISA_X_V, "need Zvfhmin"},
    {R(VFADD_VV, .rd = 1, .rs2 = 2, .rs1 = 3), 8, M1, V, "8-bit float elements"},
    {R(VFADD_VV, .rd = 1, .rs2 = 2, .rs1 = 3), 64, M1, ISA_X_ELEN64 | ISA_X_F32, "need Zve64d"},
    {R(VFWADD_VV, .rd = 2, .rs2 = 4, .rs1 = 5), 32, M1, ISA_X_ELEN64 | ISA_X_F32, "64-bit float elements at SEW 32 need Zve64d"},
    {R(VFWCVT_F_X_V, .rd = 2, .rs2 = 4), 8, M1, V, NULL},
    {R(VFWCVT_F_X_V, .rd = 2, .rs2 = 4), 8, M1, ISA_X_V, "16-bit float elements at SEW 8 need Zvfh"},
    {R(VADD_VV, .rd = 1, .rs2 = 2, .rs1 = 3), 64, M1, ISA_X_F32, "need ELEN 64"},
    {R(VFWREDUSUM_VS, .rd = 1, .rs2 = 2, .rs1 = 3), 64, M1, V, "no element wider than 64 bits"},
    {R(VADD_VV, .rd = 1, .rs2 = 2, .rs1 = 3), 12, M1, V, "invalid vtype"},
    /* with no vtype known only what is illegal under every vtype */
    {R(VWADD_VV, .rd = 4, .rs2 = 4, .rs1 = 8), 0, 0, 0, "only in its highest part"},
    {R(VWADD_VV, .rd = 3, .rs2 = 4, .rs1 = 8), 0, 0, 0, NULL},
    {R(VRGATHER_VI, .rd = 6, .rs2 = 6, .imm = 1), 0, 0, 0, "must not overlap vs2"},
    {M(VFMUL_VF, .rd = 0, .rs2 = 8, .rs1 = 1), 0, 0, 0, "must not overlap v0"},
    /* operand ranges */
    {R(ADDI, .rd = 1, .rs1 = 2, .imm = 2048), 0, 0, 0, "immediate 2048 is outside -2048..2047"},
    {R(ADDI, .rd = 1, .rs1 = 2, .imm = -2048), 0, 0, 0, NULL},
    {R(ADD, .rd = 32, .rs1 = 2, .rs2 = 3), 0, 0, 0, "rd 32 is outside 0..31"},
    {R(SLLI, .rd = 1, .rs1 = 2, .imm = 64), 0, 0, 0, "immediate 64 is outside 0..63"},
    {R(SLLIW, .rd = 1, .rs1 = 2, .imm = 32), 0, 0, 0, "outside 0..31"},
    {R(BEQ, .rs1 = 1, .rs2 = 2, .imm = 3), 0, 0, 0, "branch offset 3 is not a multiple of 2"},
    {R(BEQ, .rs1 = 1, .rs2 = 2, .imm = 4096), 0, 0, 0, "branch offset 4096 is outside -4096..4094"},
    {R(JAL, .rd = 1, .imm = 1 << 20), 0, 0, 0, "outside -1048576..1048574"},
    {R(LUI, .rd = 1, .imm = 0x1234), 0, 0, 0, "not a multiple of 4096"},
    {R(LD, .rd = 1, .rs1 = 2, .imm = -2049), 0, 0, 0, "offset -2049 is outside -2048..2047"},
    {{.id = ISA_FADD_S, .rd = 1, .rs1 = 2, .rs2 = 3, .rm = 5}, 0, 0, 0, "rounding mode 5 is reserved"},
    {R(CSRRS, .rd = 1, .csr = 0x1000), 0, 0, 0, "csr 4096 is outside 0..4095"},
    {R(VSETIVLI, .rd = 1, .imm = 32, .vtype = 0xd0), 0, 0, 0, "immediate 32 is outside 0..31"},
    {R(VADD_VI, .rd = 1, .rs2 = 2, .imm = 16), 32, M1, V, "immediate 16 is outside -16..15"},
    {R(VSLL_VI, .rd = 1, .rs2 = 2, .imm = 31), 32, M1, V, NULL},
    {R(VSLL_VI, .rd = 1, .rs2 = 2, .imm = -1), 32, M1, V, "immediate -1 is outside 0..31"},
    {R(FENCE, .imm = 0x100), 0, 0, 0, "outside"},
    /* compressed rows: register classes, scaled and non-zero immediates */
    {R(C_ADDI4SPN, .rd = 8, .rs1 = 2, .imm = 0), 0, 0, 0, "immediate must not be 0"},
    {R(C_ADDI4SPN, .rd = 8, .rs1 = 2, .imm = 1020), 0, 0, 0, NULL},
    {R(C_ADDI4SPN, .rd = 8, .rs1 = 3, .imm = 16), 0, 0, 0, "rs1 must be register 2, not 3"},
    {R(C_LW, .rd = 5, .rs1 = 8, .imm = 4), 0, 0, 0, "rd 5 is outside 8..15"},
    {R(C_LWSP, .rd = 1, .rs1 = 2, .imm = 6), 0, 0, 0, "offset 6 is not a multiple of 4"},
    {R(C_LWSP, .rd = 0, .rs1 = 2, .imm = 8), 0, 0, 0, "rd must not be 0"},
    {R(C_LUI, .rd = 2, .imm = 4096), 0, 0, 0, "rd must not be sp"},
    {R(C_ADDI, .rd = 8, .rs1 = 9, .imm = 1), 0, 0, 0, "rd and rs1 must be the same register"},
    {R(C_JALR, .rd = 5, .rs1 = 9), 0, 0, 0, "rd must be register 1, not 5"},
    {R(C_JALR, .rd = 1, .rs1 = 9), 0, 0, 0, NULL},
    {R(C_J, .imm = 2048), 0, 0, 0, "branch offset 2048 is outside -2048..2046"},
    {{.id = ISA_INVALID}, 0, 0, 0, "no instruction with id 0"},
};

static void table_cases(void)
{
    int n_legal = 0, n_illegal = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const vcase *c = &cases[i];
        isa_vctx vt = {c->sew, c->lmul8, c->ext};
        uint32_t w = 1;
        err_clear();
        int rc = isa_encode(&c->in, c->sew ? &vt : NULL, &w);
        const char *mn = isa_row_of(c->in.id)->mnemonic;
        if (c->want) {
            n_illegal++;
            CHECK_MSG(rc == RV_EINVAL && w == 0 && strstr(err_message(), c->want) &&
                          (c->in.id == ISA_INVALID || strstr(err_message(), mn)),
                      "case %zu (%s): rc %d, message '%s', want '%s'", i, mn, rc, err_message(), c->want);
            CHECK_MSG(isa_check(&c->in, c->sew ? &vt : NULL) == rc, "case %zu: isa_check disagrees", i);
        } else {
            n_legal++;
            isa_inst d;
            isa_decode(w, &d);
            CHECK_MSG(rc == 0 && (d.id == c->in.id || d.id == isa_row_of(c->in.id)->base),
                      "case %zu (%s): rc %d (%s), decodes as %s", i, mn, rc, err_message(), isa_row_of(d.id)->mnemonic);
        }
    }
    printf("validation: %d illegal combinations refused, %d legal neighbours accepted\n", n_illegal, n_legal);
}

/* the operand shapes an executor reads from isa_vlayout_of */
static void layouts(void)
{
    isa_vlayout L;
    isa_vctx vt = {16, M2, V};
    CHECK(isa_vlayout_of(ISA_VWMACC_VV, &vt, &L) == 0 && L.d.eew == 32 && L.d.regs == 4 && L.s1.eew == 16 &&
          L.s1.regs == 2 && L.s2.emul8 == 16);
    vt = (isa_vctx){32, M1, V};
    CHECK(isa_vlayout_of(ISA_VLSSEG3E8_V, &vt, &L) == 0 && L.nf == 3 && L.d.eew == 8 && L.d.emul8 == 2 &&
          L.d.regs == 3 && !L.s2.used);
    CHECK(isa_vlayout_of(ISA_VLOXEI16_V, &vt, &L) == 0 && L.d.eew == 32 && L.s2.eew == 16 && L.s2.emul8 == 4);
    CHECK(isa_vlayout_of(ISA_VMSLT_VX, &vt, &L) == 0 && L.d.eew == 1 && L.d.regs == 1 && !L.s1.used);
    CHECK(isa_vlayout_of(ISA_ADD, &vt, &L) == 0 && !L.d.used && !L.s1.used && !L.s2.used);
}

/* a generator passing a misaligned group gets the encoder's message from asm_finish */
static void generator_mistake(void)
{
    cg_asm a;
    asm_init(&a);
    asm_vsetvli(&a, T0, A0, 32, 4);
    asm_vv(&a, VF_ADD, 8, 16, 24);
    size_t good = a.n;
    asm_vv(&a, VF_ADD, 3, 16, 24);
    asm_vv(&a, VF_ADD, 4, 16, 24);
    int rc = asm_finish(&a);
    CHECK_MSG(rc == RV_EINTERNAL && strstr(err_message(), "vfadd.vv: vd v3 is not a multiple of its group size 4") &&
                  a.n == good,
              "rc %d, '%s', %zu words", rc, err_message(), a.n);
    asm_free(&a);
    asm_init(&a);
    asm_vsetvli(&a, T0, A0, 32, 1);
    asm_vmv_v_i(&a, 8, 16);
    rc = asm_finish(&a);
    CHECK_MSG(rc == RV_EINTERNAL && strstr(err_message(), "vmv.v.i: immediate 16 is outside -16..15"), "'%s'",
              err_message());
    asm_free(&a);
}

int main(void)
{
    table_cases();
    layouts();
    generator_mistake();
    return check_done();
}
