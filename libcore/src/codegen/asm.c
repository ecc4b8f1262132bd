/* asm.c - instruction emission for the code generators (see asm.h). Every
 * word comes from the ISA table through isa_encode(), which also checks
 * the operands (ranges, and vector register groups against the vtype of
 * the last vsetvli emitted), so an illegal instruction stops code
 * generation with an error instead of becoming a wrong word. */
#include "asm.h"
#include "../isa/isa.h"
#include "../util/mem.h"
#include "../util/status.h"

#include <stdio.h>
#include <string.h>

static void put(cg_asm *a, uint32_t w)
{
    if (a->err)
        return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        uint32_t *p = mem_realloc(a->w, cap * sizeof *p);
        if (!p) {
            a->err = err_set(RV_ENOMEM, "out of memory emitting code");
            return;
        }
        a->w = p;
        a->cap = cap;
    }
    a->w[a->n++] = w;
}

static void bad(cg_asm *a, const char *what)
{
    if (!a->err)
        a->err = err_set(RV_EINTERNAL, "code generator: %s", what);
}

/* Encodes one instruction under the tracked vtype and appends it. */
static void emit(cg_asm *a, isa_inst in)
{
    if (a->err)
        return;
    isa_vctx vt = {a->vsew, a->vlmul8, ISA_X_V | ISA_X_ZVFH};
    uint32_t w;
    if (isa_encode(&in, a->vsew ? &vt : NULL, &w)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", err_message());
        bad(a, msg);
        return;
    }
    put(a, w);
}

/* every instruction the generators use is unmasked with dynamic rounding */
#define I(row, ...) emit(a, (isa_inst){.id = ISA_##row, .vm = 1, .rm = 7, __VA_ARGS__})

void asm_init(cg_asm *a) { memset(a, 0, sizeof *a); }

void asm_free(cg_asm *a)
{
    mem_free(a->w);
    mem_free(a->labels);
    mem_free(a->fix);
    memset(a, 0, sizeof *a);
}

int asm_label(cg_asm *a)
{
    if (a->n_labels == a->cap_labels) {
        int cap = a->cap_labels ? a->cap_labels * 2 : 32;
        size_t *p = mem_realloc(a->labels, (size_t)cap * sizeof *p);
        if (!p) {
            a->err = err_set(RV_ENOMEM, "out of memory");
            return 0;
        }
        a->labels = p;
        a->cap_labels = cap;
    }
    a->labels[a->n_labels] = SIZE_MAX;
    return a->n_labels++;
}

void asm_bind(cg_asm *a, int l)
{
    if (!a->err && l >= 0 && l < a->n_labels)
        a->labels[l] = a->n;
}

static void fixup(cg_asm *a, int label)
{
    if (a->err)
        return;
    if (a->n_fix == a->cap_fix) {
        int cap = a->cap_fix ? a->cap_fix * 2 : 32;
        asm_fixup *p = mem_realloc(a->fix, (size_t)cap * sizeof *p);
        if (!p) {
            a->err = err_set(RV_ENOMEM, "out of memory");
            return;
        }
        a->fix = p;
        a->cap_fix = cap;
    }
    a->fix[a->n_fix++] = (asm_fixup){a->n, label};
}

static int fits12(int64_t v) { return v >= -2048 && v <= 2047; }

int asm_finish(cg_asm *a)
{
    for (int i = 0; !a->err && i < a->n_fix; i++) {
        size_t at = a->fix[i].at;
        size_t tgt = a->labels[a->fix[i].label];
        if (tgt == SIZE_MAX) {
            bad(a, "branch to an unbound label");
            break;
        }
        isa_inst in;
        isa_decode(a->w[at], &in);
        in.imm = ((int64_t)tgt - (int64_t)at) * 4;
        if (isa_pack(&in, &a->w[at])) {
            bad(a, in.id == ISA_JAL ? "jump out of range" : "conditional branch out of range (kernel too large)");
            break;
        }
    }
    return a->err;
}

void asm_addi(cg_asm *a, int rd, int rs1, int64_t imm)
{
    if (fits12(imm)) {
        I(ADDI, .rd = rd, .rs1 = rs1, .imm = imm);
        return;
    }
    if (rd == rs1) { /* needs a temporary: use rd only if distinct */
        bad(a, "addi with a large immediate and rd == rs1");
        return;
    }
    asm_li(a, rd, imm);
    asm_add(a, rd, rd, rs1);
}

void asm_li(cg_asm *a, int rd, int64_t imm)
{
    if (fits12(imm)) {
        I(ADDI, .rd = rd, .imm = imm);
        return;
    }
    int64_t lo = ((imm & 0xfff) ^ 0x800) - 0x800;
    int64_t hi = (imm - lo) >> 12; /* arithmetic: keeps negative values short */
    if (imm >= INT32_MIN && imm <= INT32_MAX) {
        /* lui's 20 bits; addiw wraps the sum to 32 bits */
        I(LUI, .rd = rd, .imm = (int32_t)((uint32_t)hi << 12));
        if (lo)
            I(ADDIW, .rd = rd, .rs1 = rd, .imm = lo);
        return;
    }
    /* 64-bit: upper part, shift, add the low 12 bits */
    int sh = 12;
    while (!(hi & 1) && sh < 40) {
        hi >>= 1;
        sh++;
    }
    asm_li(a, rd, hi);
    asm_slli(a, rd, rd, sh);
    if (lo)
        I(ADDI, .rd = rd, .rs1 = rd, .imm = lo);
}

void asm_auipc(cg_asm *a, int rd, int32_t hi20) { I(AUIPC, .rd = rd, .imm = (int32_t)((uint32_t)hi20 << 12)); }
void asm_mv(cg_asm *a, int rd, int rs) { I(MV, .rd = rd, .rs1 = rs); }
void asm_add(cg_asm *a, int rd, int rs1, int rs2) { I(ADD, .rd = rd, .rs1 = rs1, .rs2 = rs2); }
void asm_sub(cg_asm *a, int rd, int rs1, int rs2) { I(SUB, .rd = rd, .rs1 = rs1, .rs2 = rs2); }
void asm_mul(cg_asm *a, int rd, int rs1, int rs2) { I(MUL, .rd = rd, .rs1 = rs1, .rs2 = rs2); }
void asm_slli(cg_asm *a, int rd, int rs1, int sh) { I(SLLI, .rd = rd, .rs1 = rs1, .imm = sh); }
void asm_srli(cg_asm *a, int rd, int rs1, int sh) { I(SRLI, .rd = rd, .rs1 = rs1, .imm = sh); }
void asm_ld(cg_asm *a, int rd, int rs1, int imm) { I(LD, .rd = rd, .rs1 = rs1, .imm = imm); }
void asm_lw(cg_asm *a, int rd, int rs1, int imm) { I(LW, .rd = rd, .rs1 = rs1, .imm = imm); }
void asm_sd(cg_asm *a, int rs2, int rs1, int imm) { I(SD, .rs2 = rs2, .rs1 = rs1, .imm = imm); }
void asm_flw(cg_asm *a, int frd, int rs1, int imm) { I(FLW, .rd = frd, .rs1 = rs1, .imm = imm); }
void asm_fsw(cg_asm *a, int frs2, int rs1, int imm) { I(FSW, .rs2 = frs2, .rs1 = rs1, .imm = imm); }
void asm_fld(cg_asm *a, int frd, int rs1, int imm) { I(FLD, .rd = frd, .rs1 = rs1, .imm = imm); }
void asm_fsd(cg_asm *a, int frs2, int rs1, int imm) { I(FSD, .rs2 = frs2, .rs1 = rs1, .imm = imm); }
void asm_fmv_w_x(cg_asm *a, int frd, int rs1) { I(FMV_W_X, .rd = frd, .rs1 = rs1); }
void asm_lbu(cg_asm *a, int rd, int rs1, int imm) { I(LBU, .rd = rd, .rs1 = rs1, .imm = imm); }

void asm_fop_s(cg_asm *a, int op, int frd, int frs1, int frs2)
{
    static const isa_id row[] = {[FS_ADD] = ISA_FADD_S, [FS_SUB] = ISA_FSUB_S, [FS_MUL] = ISA_FMUL_S,
                                 [FS_DIV] = ISA_FDIV_S};
    if (op < 0 || op > FS_DIV) {
        bad(a, "unknown scalar float operation");
        return;
    }
    emit(a, (isa_inst){.id = row[op], .rd = frd, .rs1 = frs1, .rs2 = frs2, .rm = 7});
}

void asm_fsqrt_s(cg_asm *a, int frd, int frs1) { I(FSQRT_S, .rd = frd, .rs1 = frs1); }
/* csrrwi zero, frm, rm */
void asm_fsrmi(cg_asm *a, int rm) { I(FSRMI, .rd = ZERO, .imm = rm); }

static void branch(cg_asm *a, isa_id row, int rs1, int rs2, int label)
{
    fixup(a, label);
    emit(a, (isa_inst){.id = row, .rs1 = rs1, .rs2 = rs2});
}

void asm_bnez(cg_asm *a, int rs, int label) { branch(a, ISA_BNE, rs, ZERO, label); }

void asm_bnez_far(cg_asm *a, int rs, int label)
{
    I(BEQ, .rs1 = rs, .imm = 8); /* over the jal */
    asm_j(a, label);
}
void asm_beqz(cg_asm *a, int rs, int label) { branch(a, ISA_BEQ, rs, ZERO, label); }
void asm_bltu(cg_asm *a, int rs1, int rs2, int label) { branch(a, ISA_BLTU, rs1, rs2, label); }
void asm_bgeu(cg_asm *a, int rs1, int rs2, int label) { branch(a, ISA_BGEU, rs1, rs2, label); }
void asm_bge(cg_asm *a, int rs1, int rs2, int label) { branch(a, ISA_BGE, rs1, rs2, label); }

void asm_j(cg_asm *a, int label)
{
    fixup(a, label);
    I(JAL, .rd = ZERO);
}

void asm_call(cg_asm *a, int label)
{
    fixup(a, label);
    I(JAL, .rd = RA);
}

void asm_ret(cg_asm *a) { I(RET); }
void asm_word(cg_asm *a, uint32_t w) { put(a, w); }

/* vtype immediate for (sew, lmul) with ta, ma; tracks it for validation */
static int vtype_pol(cg_asm *a, int sew, int lmul, int ma)
{
    int vsew = sew == 8 ? 0 : sew == 16 ? 1 : sew == 32 ? 2 : sew == 64 ? 3 : -1;
    int vlmul = lmul == 1 ? 0 : lmul == 2 ? 1 : lmul == 4 ? 2 : lmul == 8 ? 3
              : lmul == -8 ? 5 : lmul == -4 ? 6 : lmul == -2 ? 7 : -1;
    if (vsew < 0 || vlmul < 0) {
        bad(a, "invalid SEW or LMUL");
        return 0;
    }
    a->vsew = (unsigned)sew;
    a->vlmul8 = lmul > 0 ? 8 * lmul : 8 / -lmul;
    return vlmul | vsew << 3 | 1 << 6 | ma << 7; /* ta, ma (or mu) */
}

static int vtype(cg_asm *a, int sew, int lmul) { return vtype_pol(a, sew, lmul, 1); }

void asm_vsetvli_mu(cg_asm *a, int rd, int rs1, int sew, int lmul)
{
    int vt = vtype_pol(a, sew, lmul, 0);
    I(VSETVLI, .rd = rd, .rs1 = rs1, .vtype = (uint16_t)vt);
}

void asm_vsetvli(cg_asm *a, int rd, int rs1, int sew, int lmul)
{
    int vt = vtype(a, sew, lmul);
    I(VSETVLI, .rd = rd, .rs1 = rs1, .vtype = (uint16_t)vt);
}

void asm_vsetivli(cg_asm *a, int rd, unsigned avl, int sew, int lmul)
{
    int vt = vtype(a, sew, lmul);
    I(VSETIVLI, .rd = rd, .imm = avl, .vtype = (uint16_t)vt);
}

/* the row of a per-width family (8/16/32/64) */
static isa_id by_width(cg_asm *a, int sew, isa_id e8, isa_id e16, isa_id e32, isa_id e64)
{
    switch (sew) {
    case 8: return e8;
    case 16: return e16;
    case 32: return e32;
    case 64: return e64;
    }
    bad(a, "invalid element width");
    return ISA_INVALID;
}
#define WIDTHS(a, sew, pre, post) by_width(a, sew, ISA_##pre##8##post, ISA_##pre##16##post, ISA_##pre##32##post, \
                                           ISA_##pre##64##post)

void asm_vle(cg_asm *a, int sew, int vd, int rs1)
{
    emit(a, (isa_inst){.id = WIDTHS(a, sew, VLE, _V), .rd = vd, .rs1 = rs1, .vm = 1});
}
void asm_vse(cg_asm *a, int sew, int vs3, int rs1)
{
    emit(a, (isa_inst){.id = WIDTHS(a, sew, VSE, _V), .rd = vs3, .rs1 = rs1, .vm = 1});
}
void asm_vlse(cg_asm *a, int sew, int vd, int rs1, int rs2)
{
    emit(a, (isa_inst){.id = WIDTHS(a, sew, VLSE, _V), .rd = vd, .rs1 = rs1, .rs2 = rs2, .vm = 1});
}
void asm_vluxei32(cg_asm *a, int vd, int rs1, int vs2)
{
    emit(a, (isa_inst){.id = ISA_VLUXEI32_V, .rd = vd, .rs1 = rs1, .rs2 = vs2, .vm = 1});
}
void asm_vle_m(cg_asm *a, int sew, int vd, int rs1)
{
    emit(a, (isa_inst){.id = WIDTHS(a, sew, VLE, _V), .rd = vd, .rs1 = rs1, .vm = 0});
}
void asm_vlse_m(cg_asm *a, int sew, int vd, int rs1, int rs2)
{
    emit(a, (isa_inst){.id = WIDTHS(a, sew, VLSE, _V), .rd = vd, .rs1 = rs1, .rs2 = rs2, .vm = 0});
}
void asm_vsse(cg_asm *a, int sew, int vs3, int rs1, int rs2)
{
    emit(a, (isa_inst){.id = WIDTHS(a, sew, VSSE, _V), .rd = vs3, .rs1 = rs1, .rs2 = rs2, .vm = 1});
}

/* VF_* as .vv and .vf rows (ISA_INVALID: no such form) */
static const isa_id vf_vv[VF__COUNT] = {
    [VF_ADD] = ISA_VFADD_VV, [VF_SUB] = ISA_VFSUB_VV, [VF_MUL] = ISA_VFMUL_VV, [VF_DIV] = ISA_VFDIV_VV,
    [VF_MIN] = ISA_VFMIN_VV, [VF_MAX] = ISA_VFMAX_VV, [VF_MACC] = ISA_VFMACC_VV, [VF_NMSAC] = ISA_VFNMSAC_VV,
    [VF_MADD] = ISA_VFMADD_VV, [VF_SGNJ] = ISA_VFSGNJ_VV, [VF_SGNJN] = ISA_VFSGNJN_VV, [VF_SGNJX] = ISA_VFSGNJX_VV,
};
static const isa_id vf_vf[VF__COUNT] = {
    [VF_ADD] = ISA_VFADD_VF, [VF_SUB] = ISA_VFSUB_VF, [VF_MUL] = ISA_VFMUL_VF, [VF_DIV] = ISA_VFDIV_VF,
    [VF_MIN] = ISA_VFMIN_VF, [VF_MAX] = ISA_VFMAX_VF, [VF_RSUB] = ISA_VFRSUB_VF, [VF_RDIV] = ISA_VFRDIV_VF,
    [VF_MACC] = ISA_VFMACC_VF, [VF_NMSAC] = ISA_VFNMSAC_VF, [VF_MADD] = ISA_VFMADD_VF,
    [VF_SGNJ] = ISA_VFSGNJ_VF, [VF_SGNJN] = ISA_VFSGNJN_VF, [VF_SGNJX] = ISA_VFSGNJX_VF,
};

static void vop_m(cg_asm *a, const isa_id *rows, int op, const char *form, int vd, int vs2, int v1, int vm)
{
    isa_id id = op >= 0 && op < VF__COUNT ? rows[op] : ISA_INVALID;
    if (id == ISA_INVALID) {
        char msg[64];
        snprintf(msg, sizeof msg, "vector float operation %d has no %s form", op, form);
        bad(a, msg);
        return;
    }
    emit(a, (isa_inst){.id = id, .rd = vd, .rs2 = vs2, .rs1 = v1, .vm = (uint8_t)vm});
}
#define vop(a, rows, op, form, vd, vs2, v1) vop_m(a, rows, op, form, vd, vs2, v1, 1)

void asm_vv(cg_asm *a, int op, int vd, int vs2, int vs1) { vop(a, vf_vv, op, ".vv", vd, vs2, vs1); }
void asm_vf(cg_asm *a, int op, int vd, int vs2, int fs1) { vop(a, vf_vf, op, ".vf", vd, vs2, fs1); }
void asm_vv_m(cg_asm *a, int op, int vd, int vs2, int vs1) { vop_m(a, vf_vv, op, ".vv", vd, vs2, vs1, 0); }
void asm_vf_m(cg_asm *a, int op, int vd, int vs2, int fs1) { vop_m(a, vf_vf, op, ".vf", vd, vs2, fs1, 0); }
void asm_vfsqrt(cg_asm *a, int vd, int vs2) { I(VFSQRT_V, .rd = vd, .rs2 = vs2); }
void asm_vfmv_v_f(cg_asm *a, int vd, int fs1) { I(VFMV_V_F, .rd = vd, .rs1 = fs1); }
void asm_vmv_v_i(cg_asm *a, int vd, int imm5) { I(VMV_V_I, .rd = vd, .imm = imm5); }
void asm_vmv_v_v(cg_asm *a, int vd, int vs1) { I(VMV_V_V, .rd = vd, .rs1 = vs1); }
void asm_vfmv_f_s(cg_asm *a, int frd, int vs2) { I(VFMV_F_S, .rd = frd, .rs2 = vs2); }
void asm_vfmv_s_f(cg_asm *a, int vd, int fs1) { I(VFMV_S_F, .rd = vd, .rs1 = fs1); }
void asm_vfredusum(cg_asm *a, int vd, int vs2, int vs1) { I(VFREDUSUM_VS, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vfredosum(cg_asm *a, int vd, int vs2, int vs1) { I(VFREDOSUM_VS, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vfredmax(cg_asm *a, int vd, int vs2, int vs1) { I(VFREDMAX_VS, .rd = vd, .rs2 = vs2, .rs1 = vs1); }

void asm_vfcvt_x_f(cg_asm *a, int vd, int vs2) { I(VFCVT_X_F_V, .rd = vd, .rs2 = vs2); }
void asm_vfcvt_f_x(cg_asm *a, int vd, int vs2) { I(VFCVT_F_X_V, .rd = vd, .rs2 = vs2); }
void asm_vadd_vx(cg_asm *a, int vd, int vs2, int rs1) { I(VADD_VX, .rd = vd, .rs2 = vs2, .rs1 = rs1); }
void asm_vadd_vi(cg_asm *a, int vd, int vs2, int imm5) { I(VADD_VI, .rd = vd, .rs2 = vs2, .imm = imm5); }
void asm_vsll_vi(cg_asm *a, int vd, int vs2, int uimm5) { I(VSLL_VI, .rd = vd, .rs2 = vs2, .imm = uimm5); }
void asm_vsra_vi(cg_asm *a, int vd, int vs2, int uimm5) { I(VSRA_VI, .rd = vd, .rs2 = vs2, .imm = uimm5); }
void asm_vsub_vv(cg_asm *a, int vd, int vs2, int vs1) { I(VSUB_VV, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vfredmin(cg_asm *a, int vd, int vs2, int vs1) { I(VFREDMIN_VS, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vfcvt_f_xu(cg_asm *a, int vd, int vs2) { I(VFCVT_F_XU_V, .rd = vd, .rs2 = vs2); }
void asm_vfwcvt_x_f(cg_asm *a, int vd, int vs2) { I(VFWCVT_X_F_V, .rd = vd, .rs2 = vs2); }
void asm_vfwcvt_f_f(cg_asm *a, int vd, int vs2) { I(VFWCVT_F_F_V, .rd = vd, .rs2 = vs2); }
void asm_vfncvt_f_f(cg_asm *a, int vd, int vs2) { I(VFNCVT_F_F_W, .rd = vd, .rs2 = vs2); }
void asm_vnsrl_wi(cg_asm *a, int vd, int vs2, int uimm5) { I(VNSRL_WI, .rd = vd, .rs2 = vs2, .imm = uimm5); }

static void vext(cg_asm *a, int vd, int vs2, int f, int sign)
{
    static const isa_id rows[2][3] = {{ISA_VZEXT_VF2, ISA_VZEXT_VF4, ISA_VZEXT_VF8},
                                      {ISA_VSEXT_VF2, ISA_VSEXT_VF4, ISA_VSEXT_VF8}};
    int k = f == 2 ? 0 : f == 4 ? 1 : f == 8 ? 2 : -1;
    if (k < 0) {
        bad(a, "vzext/vsext factor other than 2, 4, 8");
        return;
    }
    emit(a, (isa_inst){.id = rows[sign][k], .rd = vd, .rs2 = vs2, .vm = 1});
}
void asm_vzext_vf(cg_asm *a, int vd, int vs2, int f) { vext(a, vd, vs2, f, 0); }
void asm_vsext_vf(cg_asm *a, int vd, int vs2, int f) { vext(a, vd, vs2, f, 1); }
void asm_vmv_v_x(cg_asm *a, int vd, int rs1) { I(VMV_V_X, .rd = vd, .rs1 = rs1); }
void asm_vid(cg_asm *a, int vd) { I(VID_V, .rd = vd); }
void asm_vmul_vx(cg_asm *a, int vd, int vs2, int rs1) { I(VMUL_VX, .rd = vd, .rs2 = vs2, .rs1 = rs1); }
void asm_vmsltu_vx(cg_asm *a, int vd, int vs2, int rs1) { I(VMSLTU_VX, .rd = vd, .rs2 = vs2, .rs1 = rs1); }
void asm_vmslt_vx(cg_asm *a, int vd, int vs2, int rs1) { I(VMSLT_VX, .rd = vd, .rs2 = vs2, .rs1 = rs1); }
void asm_vmsgt_vx(cg_asm *a, int vd, int vs2, int rs1) { I(VMSGT_VX, .rd = vd, .rs2 = vs2, .rs1 = rs1); }
void asm_vmsne_vi(cg_asm *a, int vd, int vs2, int imm5) { I(VMSNE_VI, .rd = vd, .rs2 = vs2, .imm = imm5); }
void asm_vmor_mm(cg_asm *a, int vd, int vs2, int vs1) { I(VMOR_MM, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vmand_mm(cg_asm *a, int vd, int vs2, int vs1) { I(VMAND_MM, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vmandn_mm(cg_asm *a, int vd, int vs2, int vs1) { I(VMANDN_MM, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vcpop_m(cg_asm *a, int rd, int vs2) { I(VCPOP_M, .rd = rd, .rs2 = vs2); }

static const isa_id vmf_vf[] = {[VMF_EQ] = ISA_VMFEQ_VF, [VMF_LE] = ISA_VMFLE_VF, [VMF_LT] = ISA_VMFLT_VF,
                                [VMF_NE] = ISA_VMFNE_VF, [VMF_GT] = ISA_VMFGT_VF, [VMF_GE] = ISA_VMFGE_VF};
static const isa_id vmf_vv[] = {[VMF_EQ] = ISA_VMFEQ_VV, [VMF_LE] = ISA_VMFLE_VV, [VMF_LT] = ISA_VMFLT_VV,
                                [VMF_NE] = ISA_VMFNE_VV, [VMF_GT] = ISA_INVALID, [VMF_GE] = ISA_INVALID};

static void vcmp(cg_asm *a, const isa_id *rows, int cmp, int vd, int vs2, int v1)
{
    isa_id id = cmp >= VMF_EQ && cmp <= VMF_GE ? rows[cmp] : ISA_INVALID;
    if (id == ISA_INVALID) {
        bad(a, "vmfgt/vmfge have no .vv form");
        return;
    }
    emit(a, (isa_inst){.id = id, .rd = vd, .rs2 = vs2, .rs1 = v1, .vm = 1});
}

void asm_vmf_vf(cg_asm *a, int cmp, int vd, int vs2, int fs1) { vcmp(a, vmf_vf, cmp, vd, vs2, fs1); }
void asm_vmf_vv(cg_asm *a, int cmp, int vd, int vs2, int vs1) { vcmp(a, vmf_vv, cmp, vd, vs2, vs1); }
void asm_vmerge_vvm(cg_asm *a, int vd, int vs2, int vs1) { I(VMERGE_VVM, .rd = vd, .rs2 = vs2, .rs1 = vs1); }
void asm_vfmerge_vfm(cg_asm *a, int vd, int vs2, int fs1) { I(VFMERGE_VFM, .rd = vd, .rs2 = vs2, .rs1 = fs1); }
void asm_vmerge_vim(cg_asm *a, int vd, int vs2, int imm5) { I(VMERGE_VIM, .rd = vd, .rs2 = vs2, .imm = imm5); }
