/* asm.c - instruction emission for the code generators (see asm.h).
 * Words are built here from the instruction fields; every form used is
 * cross-checked against GNU as in tests/isa. */
#include "asm.h"
#include "../util/mem.h"
#include "../util/status.h"

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

static uint32_t r_type(uint32_t f7, int rs2, int rs1, uint32_t f3, int rd, uint32_t op)
{
    return f7 << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (uint32_t)rd << 7 | op;
}

static uint32_t i_type(int32_t imm, int rs1, uint32_t f3, int rd, uint32_t op)
{
    return ((uint32_t)imm & 0xfff) << 20 | (uint32_t)rs1 << 15 | f3 << 12 | (uint32_t)rd << 7 | op;
}

static uint32_t s_type(int32_t imm, int rs2, int rs1, uint32_t f3, uint32_t op)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 5) & 0x7f) << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | f3 << 12 |
           (u & 0x1f) << 7 | op;
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
        int64_t off = ((int64_t)tgt - (int64_t)at) * 4;
        uint32_t w = a->w[at], u = (uint32_t)off;
        if ((w & 0x7f) == 0x63) {
            if (off < -4096 || off > 4094) {
                bad(a, "conditional branch out of range (kernel too large)");
                break;
            }
            w |= ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | ((u >> 1) & 0xf) << 8 |
                 ((u >> 11) & 1) << 7;
        } else {
            if (off < -(1 << 20) || off >= (1 << 20)) {
                bad(a, "jump out of range");
                break;
            }
            w |= ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
                 ((u >> 12) & 0xff) << 12;
        }
        a->w[at] = w;
    }
    return a->err;
}

void asm_addi(cg_asm *a, int rd, int rs1, int64_t imm)
{
    if (fits12(imm)) {
        put(a, i_type((int32_t)imm, rs1, 0, rd, 0x13));
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
        put(a, i_type((int32_t)imm, ZERO, 0, rd, 0x13));
        return;
    }
    if (imm >= INT32_MIN && imm <= INT32_MAX) {
        int64_t lo = ((imm & 0xfff) ^ 0x800) - 0x800;
        int64_t hi = (imm - lo) >> 12;
        put(a, ((uint32_t)hi & 0xfffff) << 12 | (uint32_t)rd << 7 | 0x37); /* lui */
        if (lo)
            put(a, i_type((int32_t)lo, rd, 0, rd, 0x1b)); /* addiw */
        return;
    }
    /* 64-bit: upper part, shift, add the low 12 bits */
    int64_t lo = ((imm & 0xfff) ^ 0x800) - 0x800;
    int64_t hi = (imm - lo) >> 12; /* arithmetic: keeps negative values short */
    int sh = 12;
    while (!(hi & 1) && sh < 40) {
        hi >>= 1;
        sh++;
    }
    asm_li(a, rd, hi);
    asm_slli(a, rd, rd, sh);
    if (lo)
        put(a, i_type((int32_t)lo, rd, 0, rd, 0x13));
}

void asm_mv(cg_asm *a, int rd, int rs) { put(a, i_type(0, rs, 0, rd, 0x13)); }
void asm_add(cg_asm *a, int rd, int rs1, int rs2) { put(a, r_type(0, rs2, rs1, 0, rd, 0x33)); }
void asm_sub(cg_asm *a, int rd, int rs1, int rs2) { put(a, r_type(0x20, rs2, rs1, 0, rd, 0x33)); }
void asm_mul(cg_asm *a, int rd, int rs1, int rs2) { put(a, r_type(1, rs2, rs1, 0, rd, 0x33)); }
void asm_slli(cg_asm *a, int rd, int rs1, int sh) { put(a, i_type(sh & 63, rs1, 1, rd, 0x13)); }
void asm_srli(cg_asm *a, int rd, int rs1, int sh) { put(a, i_type(sh & 63, rs1, 5, rd, 0x13)); }

void asm_ld(cg_asm *a, int rd, int rs1, int imm)
{
    if (!fits12(imm))
        bad(a, "ld offset out of range");
    put(a, i_type(imm, rs1, 3, rd, 0x03));
}

void asm_lw(cg_asm *a, int rd, int rs1, int imm)
{
    if (!fits12(imm))
        bad(a, "lw offset out of range");
    put(a, i_type(imm, rs1, 2, rd, 0x03));
}

void asm_sd(cg_asm *a, int rs2, int rs1, int imm)
{
    if (!fits12(imm))
        bad(a, "sd offset out of range");
    put(a, s_type(imm, rs2, rs1, 3, 0x23));
}

void asm_flw(cg_asm *a, int frd, int rs1, int imm)
{
    if (!fits12(imm))
        bad(a, "flw offset out of range");
    put(a, i_type(imm, rs1, 2, frd, 0x07));
}

void asm_fsw(cg_asm *a, int frs2, int rs1, int imm)
{
    if (!fits12(imm))
        bad(a, "fsw offset out of range");
    put(a, s_type(imm, frs2, rs1, 2, 0x27));
}

void asm_fmv_w_x(cg_asm *a, int frd, int rs1) { put(a, r_type(0x78, 0, rs1, 0, frd, 0x53)); }

void asm_fop_s(cg_asm *a, int op, int frd, int frs1, int frs2)
{
    static const uint32_t f7[] = {[FS_ADD] = 0x00, [FS_SUB] = 0x04, [FS_MUL] = 0x08, [FS_DIV] = 0x0c};
    put(a, r_type(f7[op], frs2, frs1, 7, frd, 0x53));
}

void asm_fsqrt_s(cg_asm *a, int frd, int frs1) { put(a, r_type(0x2c, 0, frs1, 7, frd, 0x53)); }

static void branch(cg_asm *a, uint32_t f3, int rs1, int rs2, int label)
{
    fixup(a, label);
    put(a, (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | f3 << 12 | 0x63);
}

void asm_bnez(cg_asm *a, int rs, int label) { branch(a, 1, rs, ZERO, label); }
void asm_beqz(cg_asm *a, int rs, int label) { branch(a, 0, rs, ZERO, label); }
void asm_bltu(cg_asm *a, int rs1, int rs2, int label) { branch(a, 6, rs1, rs2, label); }
void asm_bgeu(cg_asm *a, int rs1, int rs2, int label) { branch(a, 7, rs1, rs2, label); }
void asm_bge(cg_asm *a, int rs1, int rs2, int label) { branch(a, 5, rs1, rs2, label); }

void asm_j(cg_asm *a, int label)
{
    fixup(a, label);
    put(a, 0x6f); /* jal x0 */
}

void asm_call(cg_asm *a, int label)
{
    fixup(a, label);
    put(a, (uint32_t)RA << 7 | 0x6f);
}

void asm_ret(cg_asm *a) { put(a, i_type(0, RA, 0, ZERO, 0x67)); }
void asm_word(cg_asm *a, uint32_t w) { put(a, w); }

static uint32_t vtype(cg_asm *a, int sew, int lmul)
{
    uint32_t vsew = sew == 8 ? 0 : sew == 16 ? 1 : sew == 32 ? 2 : sew == 64 ? 3 : 7;
    uint32_t vlmul = lmul == 1 ? 0 : lmul == 2 ? 1 : lmul == 4 ? 2 : lmul == 8 ? 3
                   : lmul == -8 ? 5 : lmul == -4 ? 6 : lmul == -2 ? 7 : 4;
    if (vsew == 7 || vlmul == 4)
        bad(a, "invalid SEW or LMUL");
    return vlmul | vsew << 3 | 1u << 6 | 1u << 7; /* ta, ma */
}

void asm_vsetvli(cg_asm *a, int rd, int rs1, int sew, int lmul)
{
    put(a, vtype(a, sew, lmul) << 20 | (uint32_t)rs1 << 15 | 7u << 12 | (uint32_t)rd << 7 | 0x57);
}

void asm_vsetivli(cg_asm *a, int rd, unsigned avl, int sew, int lmul)
{
    if (avl > 31)
        bad(a, "vsetivli AVL above 31");
    put(a, 3u << 30 | vtype(a, sew, lmul) << 20 | (avl & 31) << 15 | 7u << 12 | (uint32_t)rd << 7 | 0x57);
}

static uint32_t width_of(cg_asm *a, int sew)
{
    switch (sew) {
    case 8: return 0;
    case 16: return 5;
    case 32: return 6;
    case 64: return 7;
    }
    bad(a, "invalid element width");
    return 0;
}

static void vmem(cg_asm *a, uint32_t op, uint32_t mop, int sew, int vd, int rs1, int rs2)
{
    put(a, mop << 26 | 1u << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | width_of(a, sew) << 12 |
           (uint32_t)vd << 7 | op);
}

void asm_vle(cg_asm *a, int sew, int vd, int rs1) { vmem(a, 0x07, 0, sew, vd, rs1, 0); }
void asm_vse(cg_asm *a, int sew, int vs3, int rs1) { vmem(a, 0x27, 0, sew, vs3, rs1, 0); }
void asm_vlse(cg_asm *a, int sew, int vd, int rs1, int rs2) { vmem(a, 0x07, 2, sew, vd, rs1, rs2); }
void asm_vsse(cg_asm *a, int sew, int vs3, int rs1, int rs2) { vmem(a, 0x27, 2, sew, vs3, rs1, rs2); }

static void opv(cg_asm *a, uint32_t f6, uint32_t f3, int vd, int vs2, int v1)
{
    put(a, f6 << 26 | 1u << 25 | (uint32_t)vs2 << 20 | (uint32_t)v1 << 15 | f3 << 12 | (uint32_t)vd << 7 |
           0x57);
}

static const uint32_t vf_funct6[VF__COUNT] = {
    [VF_ADD] = 0x00, [VF_SUB] = 0x02, [VF_MUL] = 0x24, [VF_DIV] = 0x20, [VF_MIN] = 0x04,
    [VF_MAX] = 0x06, [VF_RSUB] = 0x27, [VF_RDIV] = 0x21, [VF_MACC] = 0x2c, [VF_NMSAC] = 0x2f,
    [VF_MADD] = 0x28, [VF_SGNJ] = 0x08, [VF_SGNJN] = 0x09, [VF_SGNJX] = 0x0a,
};

void asm_vv(cg_asm *a, int op, int vd, int vs2, int vs1)
{
    if (op == VF_RSUB || op == VF_RDIV)
        bad(a, "vfrsub/vfrdiv have no .vv form");
    opv(a, vf_funct6[op], 1, vd, vs2, vs1);
}

void asm_vf(cg_asm *a, int op, int vd, int vs2, int fs1) { opv(a, vf_funct6[op], 5, vd, vs2, fs1); }
void asm_vfsqrt(cg_asm *a, int vd, int vs2) { opv(a, 0x13, 1, vd, vs2, 0); }
void asm_vfmv_v_f(cg_asm *a, int vd, int fs1) { opv(a, 0x17, 5, vd, 0, fs1); }
void asm_vmv_v_i(cg_asm *a, int vd, int imm5) { opv(a, 0x17, 3, vd, 0, imm5 & 31); }
void asm_vmv_v_v(cg_asm *a, int vd, int vs1) { opv(a, 0x17, 0, vd, 0, vs1); }
void asm_vfmv_f_s(cg_asm *a, int frd, int vs2) { opv(a, 0x10, 1, frd, vs2, 0); }
void asm_vfmv_s_f(cg_asm *a, int vd, int fs1) { opv(a, 0x10, 5, vd, 0, fs1); }
void asm_vfredusum(cg_asm *a, int vd, int vs2, int vs1) { opv(a, 0x01, 1, vd, vs2, vs1); }
void asm_vfredosum(cg_asm *a, int vd, int vs2, int vs1) { opv(a, 0x03, 1, vd, vs2, vs1); }
void asm_vfredmax(cg_asm *a, int vd, int vs2, int vs1) { opv(a, 0x07, 1, vd, vs2, vs1); }

void asm_vfcvt_x_f(cg_asm *a, int vd, int vs2) { opv(a, 0x12, 1, vd, vs2, 1); }
void asm_vfcvt_f_x(cg_asm *a, int vd, int vs2) { opv(a, 0x12, 1, vd, vs2, 3); }
void asm_vadd_vx(cg_asm *a, int vd, int vs2, int rs1) { opv(a, 0x00, 4, vd, vs2, rs1); }
void asm_vadd_vi(cg_asm *a, int vd, int vs2, int imm5) { opv(a, 0x00, 3, vd, vs2, imm5 & 31); }
void asm_vsll_vi(cg_asm *a, int vd, int vs2, int uimm5) { opv(a, 0x25, 3, vd, vs2, uimm5 & 31); }
void asm_vsra_vi(cg_asm *a, int vd, int vs2, int uimm5) { opv(a, 0x29, 3, vd, vs2, uimm5 & 31); }
void asm_vsub_vv(cg_asm *a, int vd, int vs2, int vs1) { opv(a, 0x02, 0, vd, vs2, vs1); }

static const uint32_t vmf_funct6[] = {[VMF_EQ] = 0x18, [VMF_LE] = 0x19, [VMF_LT] = 0x1b,
                                      [VMF_NE] = 0x1c, [VMF_GT] = 0x1d, [VMF_GE] = 0x1f};

void asm_vmf_vf(cg_asm *a, int cmp, int vd, int vs2, int fs1) { opv(a, vmf_funct6[cmp], 5, vd, vs2, fs1); }

void asm_vmf_vv(cg_asm *a, int cmp, int vd, int vs2, int vs1)
{
    if (cmp == VMF_GT || cmp == VMF_GE)
        bad(a, "vmfgt/vmfge have no .vv form");
    opv(a, vmf_funct6[cmp], 1, vd, vs2, vs1);
}

/* vm = 0: the v0.t forms */
static void opv_m(cg_asm *a, uint32_t f6, uint32_t f3, int vd, int vs2, int v1)
{
    put(a, f6 << 26 | (uint32_t)vs2 << 20 | (uint32_t)v1 << 15 | f3 << 12 | (uint32_t)vd << 7 | 0x57);
}

void asm_vmerge_vvm(cg_asm *a, int vd, int vs2, int vs1) { opv_m(a, 0x17, 0, vd, vs2, vs1); }
void asm_vfmerge_vfm(cg_asm *a, int vd, int vs2, int fs1) { opv_m(a, 0x17, 5, vd, vs2, fs1); }
