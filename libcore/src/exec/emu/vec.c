/* vec.c - the emulator's RVV 1.0 unit: vset*, loads and stores (unit,
 * strided, indexed, segment, whole-register, mask, fault-only-first),
 * integer and float arithmetic, compares, masks, reductions, moves,
 * slides and gathers.
 *
 * Semantics follow the specification where it is exact and qemu 7.2
 * (the project's other test vehicle) where it leaves a choice, so the
 * two agree bit for bit: vl = min(AVL, VLMAX); tail and masked-off
 * elements are left undisturbed (agnostic allows it); every float result
 * that is a NaN is the canonical NaN; float reductions, ordered and
 * unordered, add in element order starting from vs1[0]. f16 elements are
 * not implemented: they fail with a
 * clear error (the code generators do not emit them). */
#include "emu_int.h"
#include "../../util/status.h"

static const char *mn(const emu_insn *d) { return isa_row_of((isa_id)d->op)->mnemonic; }
int emu_vec_unsupported(emu *e, const emu_insn *d)
{
    return emu_fault(e, "instruction '%s' (SEW %u) is not implemented by the emulator", mn(d), e->vsew * 8);
}
#define unsupported emu_vec_unsupported

/* --- vset* ------------------------------------------------------------------ */
static int do_vset(emu *e, const emu_insn *d)
{
    uint64_t vt = d->op == ISA_VSETVL ? e->x[d->rs2] : d->vtype;
    uint64_t avl;
    if (d->op == ISA_VSETIVLI)
        avl = (uint64_t)d->imm;
    else if (d->rs1)
        avl = e->x[d->rs1];
    else
        avl = d->rd ? UINT64_MAX : e->vl;
    unsigned vlmul = vt & 7, vsew = (vt >> 3) & 7, sew = 8u << vsew;
    int ill = vlmul == 4 || vsew > 3 || sew > e->elen || (vt >> 8) != 0;
    if (vlmul >= 5 && (e->elen >> (8 - vlmul)) < sew)
        ill = 1; /* fractional LMUL below SEW/ELEN */
    if (ill) {
        e->vill = 1;
        e->vtype = 1ull << 63;
        e->vl = 0;
        e->vsew = 0;
        e->x[d->rd] = 0;
        return 0;
    }
    int lmul8 = vlmul < 4 ? 8 << vlmul : 8 >> (8 - vlmul);
    uint64_t vlmax = (uint64_t)e->vlen * (unsigned)lmul8 / 8 / sew;
    e->vill = 0;
    e->vtype = vt;
    e->vsew = sew / 8;
    e->vlmul8 = lmul8;
    e->vl = avl < vlmax ? avl : vlmax;
    e->x[d->rd] = e->vl;
    return 0;
}

/* --- loads and stores -------------------------------------------------------- */
static int do_vmem(emu *e, const emu_insn *d)
{
    uint32_t w = d->word;
    int store = (w & 0x7f) == 0x27;
    unsigned width = (w >> 12) & 7, mop = (w >> 26) & 3, lumop = (w >> 20) & 31, nf = ((w >> 29) & 7) + 1;
    unsigned eew = width == 0 ? 1 : width == 5 ? 2 : width == 6 ? 4 : 8;
    uint64_t base = e->x[d->rs1];
    unsigned eb = eew, sewb = e->vsew;
    int indexed = mop == 1 || mop == 3;
    if (indexed)
        eb = sewb; /* data elements are SEW wide, the index vector EEW wide */
    uint64_t vl = e->vl;
    if (mop == 0 && lumop == 8) { /* whole registers: nf registers, ignores vl and vtype */
        uint64_t n = (uint64_t)nf * e->vlenb;
        void *p = emu_mem(e, base, n, store);
        if (!p)
            return -1;
        if (store) {
            memcpy(p, VREG(d->rd), n);
            e->cur.bytes_stored += n;
        } else {
            memcpy(VREG(d->rd), p, n);
            e->cur.bytes_loaded += n;
        }
        return 0;
    }
    if (!sewb) /* vill: emu_vec_exec lets only whole-register accesses through */
        return emu_fault(e, "vector access while vtype is illegal (vill)");
    /* registers one field's group spans */
    int emul8 = indexed ? e->vlmul8 : (int)(e->vlmul8 * eew / sewb);
    unsigned gregs = emul8 < 8 ? 1 : (unsigned)emul8 / 8;
    if (mop == 0 && lumop == 0xb) { /* vlm.v / vsm.v */
        uint64_t n = (vl + 7) / 8;
        void *p = n ? emu_mem(e, base, n, store) : (void *)VREG(d->rd);
        if (!p)
            return -1;
        if (store) {
            memcpy(p, VREG(d->rd), n);
            e->cur.bytes_stored += n;
        } else {
            memcpy(VREG(d->rd), p, n);
            e->cur.bytes_loaded += n;
        }
        return 0;
    }
    if (mop == 0 && lumop == 0x10 && !store) { /* fault-only-first: trim vl at the first bad element */
        uint64_t ok = 0;
        while (ok < vl && emu_mem(e, base + ok * nf * eb, (uint64_t)nf * eb, 0))
            ok++;
        if (vl && !ok)
            return -1;
        e->vl = vl = ok;
    } else if (mop == 0 && lumop != 0) {
        return unsupported(e, d);
    }
    if (!vl)
        return 0;
    /* the fast path: unit stride, unmasked, one field - the group is
     * the memory image */
    if (mop == 0 && nf == 1 && d->vm) {
        uint64_t n = vl * eb;
        void *p = emu_mem(e, base, n, store);
        if (!p)
            return -1;
        if (store) {
            memcpy(p, VREG(d->rd), n);
            e->cur.bytes_stored += n;
        } else {
            memcpy(VREG(d->rd), p, n);
            e->cur.bytes_loaded += n;
        }
        return 0;
    }
    int64_t stride = mop == 2 ? (int64_t)e->x[d->rs2] : (int64_t)nf * eb;
    const unsigned char *idx = VREG(d->rs2);
    uint64_t moved = 0;
    for (uint64_t i = 0; i < vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t a = indexed ? base + get_el(idx, i, eew) : base + (uint64_t)((int64_t)i * stride);
        for (unsigned f = 0; f < nf; f++) {
            uint64_t at = a + (uint64_t)f * eb;
            void *p = emu_mem(e, at, eb, store);
            if (!p)
                return -1;
            unsigned char *r = VREG(d->rd + f * gregs);
            if (store)
                memcpy(p, r + i * eb, eb);
            else
                memcpy(r + i * eb, p, eb);
            moved += eb;
        }
    }
    if (store)
        e->cur.bytes_stored += moved;
    else
        e->cur.bytes_loaded += moved;
    return 0;
}

/* --- float ------------------------------------------------------------------- */
enum { F_ADD, F_SUB, F_RSUB, F_MUL, F_DIV, F_RDIV, F_MIN, F_MAX, F_SGNJ, F_SGNJN, F_SGNJX,
       F_MACC, F_NMACC, F_MSAC, F_NMSAC, F_MADD, F_NMADD, F_MSUB, F_NMSUB,
       F_EQ, F_LE, F_LT, F_NE, F_GT, F_GE, F_NONE };

static int fkind(unsigned op)
{
    switch (op) {
    case ISA_VFADD_VV: case ISA_VFADD_VF: return F_ADD;
    case ISA_VFSUB_VV: case ISA_VFSUB_VF: return F_SUB;
    case ISA_VFRSUB_VF: return F_RSUB;
    case ISA_VFMUL_VV: case ISA_VFMUL_VF: return F_MUL;
    case ISA_VFDIV_VV: case ISA_VFDIV_VF: return F_DIV;
    case ISA_VFRDIV_VF: return F_RDIV;
    case ISA_VFMIN_VV: case ISA_VFMIN_VF: return F_MIN;
    case ISA_VFMAX_VV: case ISA_VFMAX_VF: return F_MAX;
    case ISA_VFSGNJ_VV: case ISA_VFSGNJ_VF: return F_SGNJ;
    case ISA_VFSGNJN_VV: case ISA_VFSGNJN_VF: return F_SGNJN;
    case ISA_VFSGNJX_VV: case ISA_VFSGNJX_VF: return F_SGNJX;
    case ISA_VFMACC_VV: case ISA_VFMACC_VF: return F_MACC;
    case ISA_VFNMACC_VV: case ISA_VFNMACC_VF: return F_NMACC;
    case ISA_VFMSAC_VV: case ISA_VFMSAC_VF: return F_MSAC;
    case ISA_VFNMSAC_VV: case ISA_VFNMSAC_VF: return F_NMSAC;
    case ISA_VFMADD_VV: case ISA_VFMADD_VF: return F_MADD;
    case ISA_VFNMADD_VV: case ISA_VFNMADD_VF: return F_NMADD;
    case ISA_VFMSUB_VV: case ISA_VFMSUB_VF: return F_MSUB;
    case ISA_VFNMSUB_VV: case ISA_VFNMSUB_VF: return F_NMSUB;
    case ISA_VMFEQ_VV: case ISA_VMFEQ_VF: return F_EQ;
    case ISA_VMFLE_VV: case ISA_VMFLE_VF: return F_LE;
    case ISA_VMFLT_VV: case ISA_VMFLT_VF: return F_LT;
    case ISA_VMFNE_VV: case ISA_VMFNE_VF: return F_NE;
    case ISA_VMFGT_VF: return F_GT;
    case ISA_VMFGE_VF: return F_GE;
    }
    return F_NONE;
}

/* a (vs2), b (vs1 or the scalar), c (vd) -> result bits, SEW 32 */
static inline uint32_t f32_op(int k, float a, float b, float c)
{
    switch (k) {
    case F_ADD: return emu_c32(a + b);
    case F_SUB: return emu_c32(a - b);
    case F_RSUB: return emu_c32(b - a);
    case F_MUL: return emu_c32(a * b);
    case F_DIV: return emu_c32(a / b);
    case F_RDIV: return emu_c32(b / a);
    case F_MIN: return emu_fmin32(a, b, 0);
    case F_MAX: return emu_fmin32(a, b, 1);
    case F_SGNJ: return (emu_b32(a) & 0x7fffffffu) | (emu_b32(b) & 0x80000000u);
    case F_SGNJN: return (emu_b32(a) & 0x7fffffffu) | (~emu_b32(b) & 0x80000000u);
    case F_SGNJX: return emu_b32(a) ^ (emu_b32(b) & 0x80000000u);
    case F_MACC: return emu_c32(fmaf(b, a, c));
    case F_NMACC: return emu_c32(fmaf(-b, a, -c));
    case F_MSAC: return emu_c32(fmaf(b, a, -c));
    case F_NMSAC: return emu_c32(fmaf(-b, a, c));
    case F_MADD: return emu_c32(fmaf(b, c, a));
    case F_NMADD: return emu_c32(fmaf(-b, c, -a));
    case F_MSUB: return emu_c32(fmaf(b, c, -a));
    case F_NMSUB: return emu_c32(fmaf(-b, c, a));
    case F_EQ: return a == b;
    case F_LE: return a <= b;
    case F_LT: return a < b;
    case F_NE: return a != b;
    case F_GT: return a > b;
    default: return a >= b;
    }
}
static inline uint64_t f64_op(int k, double a, double b, double c)
{
    switch (k) {
    case F_ADD: return emu_c64(a + b);
    case F_SUB: return emu_c64(a - b);
    case F_RSUB: return emu_c64(b - a);
    case F_MUL: return emu_c64(a * b);
    case F_DIV: return emu_c64(a / b);
    case F_RDIV: return emu_c64(b / a);
    case F_MIN: return emu_fmin64(a, b, 0);
    case F_MAX: return emu_fmin64(a, b, 1);
    case F_SGNJ: return (emu_b64(a) & ~(1ull << 63)) | (emu_b64(b) & (1ull << 63));
    case F_SGNJN: return (emu_b64(a) & ~(1ull << 63)) | (~emu_b64(b) & (1ull << 63));
    case F_SGNJX: return emu_b64(a) ^ (emu_b64(b) & (1ull << 63));
    case F_MACC: return emu_c64(fma(b, a, c));
    case F_NMACC: return emu_c64(fma(-b, a, -c));
    case F_MSAC: return emu_c64(fma(b, a, -c));
    case F_NMSAC: return emu_c64(fma(-b, a, c));
    case F_MADD: return emu_c64(fma(b, c, a));
    case F_NMADD: return emu_c64(fma(-b, c, -a));
    case F_MSUB: return emu_c64(fma(b, c, -a));
    case F_NMSUB: return emu_c64(fma(-b, c, a));
    case F_EQ: return a == b;
    case F_LE: return a <= b;
    case F_LT: return a < b;
    case F_NE: return a != b;
    case F_GT: return a > b;
    default: return a >= b;
    }
}

static int need_float(emu *e, const emu_insn *d)
{
    if (e->vsew == 4 || (e->vsew == 8 && e->has_f64))
        return 0;
    return unsupported(e, d);
}

static int check_frm(emu *e)
{
    if (e->frm > 3)
        return emu_fault(e, "frm %u (RMM or reserved) is not supported by the emulator", e->frm);
    return 0;
}

static int do_farith(emu *e, const emu_insn *d, int k)
{
    if (need_float(e, d) || check_frm(e))
        return -1;
    int scalar = ((d->word >> 12) & 7) == 5; /* OPFVF */
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2), *v1 = VREG(d->rs1);
    uint64_t vl = e->vl, active = 0;
    int cmp = k >= F_EQ, fl = k < F_SGNJ || (k >= F_MACC && k <= F_NMSUB) ? (k >= F_MACC ? 2 : 1) : 0;
    if (e->vsew == 4) {
        float fs = emu_unbox32(e->f[d->rs1]);
        for (uint64_t i = 0; i < vl; i++) {
            if (!ACTIVE(i))
                continue;
            float a = emu_f32((uint32_t)get_el(v2, i, 4));
            float b = scalar ? fs : emu_f32((uint32_t)get_el(v1, i, 4));
            float c = cmp ? 0 : emu_f32((uint32_t)get_el(vd, i, 4));
            uint32_t r = f32_op(k, a, b, c);
            if (cmp)
                set_mask_bit(vd, i, (int)r);
            else
                set_el(vd, i, 4, r);
            active++;
        }
    } else {
        double fs = emu_f64(e->f[d->rs1]);
        for (uint64_t i = 0; i < vl; i++) {
            if (!ACTIVE(i))
                continue;
            double a = emu_f64(get_el(v2, i, 8)), b = scalar ? fs : emu_f64(get_el(v1, i, 8));
            double c = cmp ? 0 : emu_f64(get_el(vd, i, 8));
            uint64_t r = f64_op(k, a, b, c);
            if (cmp)
                set_mask_bit(vd, i, (int)r);
            else
                set_el(vd, i, 8, r);
            active++;
        }
    }
    e->cur.flops += active * (uint64_t)fl;
    return 0;
}

/* float <-> integer of any legal widths (the row says which side is the
 * float): src/dst element widths in bytes, kinds F float, I signed, U
 * unsigned */
enum { K_F, K_I, K_U };
static uint64_t convert(uint64_t s, unsigned sw, int sk, unsigned dw, int dk, int rtz)
{
    if (sk == K_F) {
        double x = sw == 4 ? (double)emu_f32((uint32_t)s) : emu_f64(s);
        if (dk == K_F)
            return dw == 4 ? emu_c32((float)x) : emu_c64(x);
        return trunc_to((uint64_t)emu_cvt_f_i(x, 8 * (int)dw, dk == K_U, rtz), dw);
    }
    if (dk == K_U || dk == K_I) /* not a conversion row */
        return s;
    if (sk == K_I) {
        int64_t v = sext(s, sw);
        return dw == 4 ? emu_b32((float)v) : emu_b64((double)v);
    }
    return dw == 4 ? emu_b32((float)s) : emu_b64((double)s);
}

/* vfsqrt and the conversions (same width, widening, narrowing) */
static int do_funary(emu *e, const emu_insn *d)
{
    if (check_frm(e))
        return -1;
    unsigned sb = e->vsew, op = d->op;
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    uint64_t vl = e->vl;
    unsigned sw = sb, dw = sb;
    int sk = K_F, dk = K_F, rtz = 0;
    switch (op) {
    case ISA_VFSQRT_V: break;
    case ISA_VFCVT_X_F_V: dk = K_I; break;
    case ISA_VFCVT_XU_F_V: dk = K_U; break;
    case ISA_VFCVT_RTZ_X_F_V: dk = K_I; rtz = 1; break;
    case ISA_VFCVT_RTZ_XU_F_V: dk = K_U; rtz = 1; break;
    case ISA_VFCVT_F_X_V: sk = K_I; break;
    case ISA_VFCVT_F_XU_V: sk = K_U; break;
    case ISA_VFWCVT_X_F_V: dk = K_I; dw = 2 * sb; break;
    case ISA_VFWCVT_XU_F_V: dk = K_U; dw = 2 * sb; break;
    case ISA_VFWCVT_RTZ_X_F_V: dk = K_I; dw = 2 * sb; rtz = 1; break;
    case ISA_VFWCVT_RTZ_XU_F_V: dk = K_U; dw = 2 * sb; rtz = 1; break;
    case ISA_VFWCVT_F_F_V: dw = 2 * sb; break;
    case ISA_VFWCVT_F_X_V: sk = K_I; dw = 2 * sb; break;
    case ISA_VFWCVT_F_XU_V: sk = K_U; dw = 2 * sb; break;
    case ISA_VFNCVT_F_F_W: sw = 2 * sb; break;
    case ISA_VFNCVT_X_F_W: sw = 2 * sb; dk = K_I; break;
    case ISA_VFNCVT_XU_F_W: sw = 2 * sb; dk = K_U; break;
    case ISA_VFNCVT_RTZ_X_F_W: sw = 2 * sb; dk = K_I; rtz = 1; break;
    case ISA_VFNCVT_RTZ_XU_F_W: sw = 2 * sb; dk = K_U; rtz = 1; break;
    case ISA_VFNCVT_F_X_W: sw = 2 * sb; sk = K_I; break;
    case ISA_VFNCVT_F_XU_W: sw = 2 * sb; sk = K_U; break;
    default: return unsupported(e, d);
    }
    /* the float sides must be f32 or (with f64 support) f64: f16 is Zvfh */
    if ((sk == K_F && sw != 4 && !(sw == 8 && e->has_f64)) || (dk == K_F && dw != 4 && !(dw == 8 && e->has_f64)) ||
        sw > 8 || dw > 8)
        return unsupported(e, d);
    for (uint64_t i = 0; i < vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t s = get_el(v2, i, sw), r;
        if (op == ISA_VFSQRT_V)
            r = sb == 4 ? emu_c32(sqrtf(emu_f32((uint32_t)s))) : emu_c64(sqrt(emu_f64(s)));
        else
            r = convert(s, sw, sk, dw, dk, rtz);
        set_el(vd, i, dw, r);
    }
    if (op == ISA_VFSQRT_V)
        e->cur.flops += vl;
    return 0;
}

static int do_fred(emu *e, const emu_insn *d)
{
    if (need_float(e, d) || check_frm(e))
        return -1;
    uint64_t vl = e->vl;
    if (!vl)
        return 0;
    const unsigned char *v2 = VREG(d->rs2);
    int k = d->op == ISA_VFREDMAX_VS ? F_MAX : d->op == ISA_VFREDMIN_VS ? F_MIN : F_ADD;
    uint64_t n = 0;
    if (e->vsew == 4) {
        uint32_t acc = (uint32_t)get_el(VREG(d->rs1), 0, 4);
        for (uint64_t i = 0; i < vl; i++)
            if (ACTIVE(i)) {
                acc = f32_op(k, emu_f32(acc), emu_f32((uint32_t)get_el(v2, i, 4)), 0);
                n++;
            }
        set_el(VREG(d->rd), 0, 4, acc);
    } else {
        uint64_t acc = get_el(VREG(d->rs1), 0, 8);
        for (uint64_t i = 0; i < vl; i++)
            if (ACTIVE(i)) {
                acc = f64_op(k, emu_f64(acc), emu_f64(get_el(v2, i, 8)), 0);
                n++;
            }
        set_el(VREG(d->rd), 0, 8, acc);
    }
    e->cur.flops += n;
    return 0;
}

/* --- integer ----------------------------------------------------------------- */
enum { I_ADD, I_SUB, I_RSUB, I_MINU, I_MIN, I_MAXU, I_MAX, I_AND, I_OR, I_XOR, I_SLL, I_SRL, I_SRA,
       I_MUL, I_MULH, I_MULHU, I_MULHSU, I_DIVU, I_DIV, I_REMU, I_REM, I_MACC, I_NMSAC, I_MADD, I_NMSUB,
       I_SEQ, I_SNE, I_SLTU, I_SLT, I_SLEU, I_SLE, I_SGTU, I_SGT, I_MERGE, I_MV, I_NONE };

static int ikind(unsigned op)
{
#define K3(n, k) case ISA_##n##_VV: case ISA_##n##_VX: return k;
    switch (op) {
    case ISA_VADD_VV: case ISA_VADD_VX: case ISA_VADD_VI: return I_ADD;
    K3(VSUB, I_SUB)
    case ISA_VRSUB_VX: case ISA_VRSUB_VI: return I_RSUB;
    K3(VMINU, I_MINU) K3(VMIN, I_MIN) K3(VMAXU, I_MAXU) K3(VMAX, I_MAX)
    case ISA_VAND_VV: case ISA_VAND_VX: case ISA_VAND_VI: return I_AND;
    case ISA_VOR_VV: case ISA_VOR_VX: case ISA_VOR_VI: return I_OR;
    case ISA_VXOR_VV: case ISA_VXOR_VX: case ISA_VXOR_VI: return I_XOR;
    case ISA_VSLL_VV: case ISA_VSLL_VX: case ISA_VSLL_VI: return I_SLL;
    case ISA_VSRL_VV: case ISA_VSRL_VX: case ISA_VSRL_VI: return I_SRL;
    case ISA_VSRA_VV: case ISA_VSRA_VX: case ISA_VSRA_VI: return I_SRA;
    K3(VMUL, I_MUL) K3(VMULH, I_MULH) K3(VMULHU, I_MULHU) K3(VMULHSU, I_MULHSU)
    K3(VDIVU, I_DIVU) K3(VDIV, I_DIV) K3(VREMU, I_REMU) K3(VREM, I_REM)
    K3(VMACC, I_MACC) K3(VNMSAC, I_NMSAC) K3(VMADD, I_MADD) K3(VNMSUB, I_NMSUB)
    case ISA_VMSEQ_VV: case ISA_VMSEQ_VX: case ISA_VMSEQ_VI: return I_SEQ;
    case ISA_VMSNE_VV: case ISA_VMSNE_VX: case ISA_VMSNE_VI: return I_SNE;
    K3(VMSLTU, I_SLTU) K3(VMSLT, I_SLT)
    case ISA_VMSLEU_VV: case ISA_VMSLEU_VX: case ISA_VMSLEU_VI: return I_SLEU;
    case ISA_VMSLE_VV: case ISA_VMSLE_VX: case ISA_VMSLE_VI: return I_SLE;
    case ISA_VMSGTU_VX: case ISA_VMSGTU_VI: return I_SGTU;
    case ISA_VMSGT_VX: case ISA_VMSGT_VI: return I_SGT;
    case ISA_VMERGE_VVM: case ISA_VMERGE_VXM: case ISA_VMERGE_VIM: return I_MERGE;
    case ISA_VMV_V_V: case ISA_VMV_V_X: case ISA_VMV_V_I: return I_MV;
    }
#undef K3
    return I_NONE;
}

static inline uint64_t i_op(int k, uint64_t a, uint64_t b, uint64_t c, unsigned eb)
{
    int64_t sa = sext(a, eb), sb = sext(b, eb);
    unsigned bits = 8 * eb, sh = (unsigned)(b & (bits - 1));
    switch (k) {
    case I_ADD: return a + b;
    case I_SUB: return a - b;
    case I_RSUB: return b - a;
    case I_MINU: return a < b ? a : b;
    case I_MIN: return sa < sb ? a : b;
    case I_MAXU: return a > b ? a : b;
    case I_MAX: return sa > sb ? a : b;
    case I_AND: return a & b;
    case I_OR: return a | b;
    case I_XOR: return a ^ b;
    case I_SLL: return a << sh;
    case I_SRL: return a >> sh;
    case I_SRA: return (uint64_t)(sa >> sh);
    case I_MUL: return a * b;
    case I_MULH: return (uint64_t)(((__int128)sa * sb) >> bits);
    case I_MULHU: return (uint64_t)(((unsigned __int128)a * b) >> bits);
    case I_MULHSU: return (uint64_t)(((__int128)sa * (unsigned __int128)b) >> bits);
    case I_DIVU: return b ? a / b : ~0ull;
    case I_DIV: return !b ? ~0ull : (sb == -1 && sa == sext(1ull << (bits - 1), eb)) ? a : (uint64_t)(sa / sb);
    case I_REMU: return b ? a % b : a;
    case I_REM: return !b ? a : (sb == -1) ? 0 : (uint64_t)(sa % sb);
    case I_MACC: return b * a + c;
    case I_NMSAC: return c - b * a;
    case I_MADD: return b * c + a;
    case I_NMSUB: return a - b * c;
    case I_SEQ: return a == b;
    case I_SNE: return a != b;
    case I_SLTU: return a < b;
    case I_SLT: return sa < sb;
    case I_SLEU: return a <= b;
    case I_SLE: return sa <= sb;
    case I_SGTU: return a > b;
    default: return sa > sb;
    }
}

/* the second operand of element i: vs1, x[rs1] or the immediate (funct3) */
static inline uint64_t opnd(emu *e, const emu_insn *d, unsigned f3, uint64_t i, unsigned eb)
{
    if (f3 == 0 || f3 == 2)
        return get_el(VREG(d->rs1), i, eb);
    if (f3 == 3)
        return trunc_to((uint64_t)d->imm, eb);
    return trunc_to(e->x[d->rs1], eb);
}

static int do_iarith(emu *e, const emu_insn *d, int k)
{
    unsigned eb = e->vsew, f3 = (d->word >> 12) & 7;
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    uint64_t vl = e->vl;
    int cmp = k >= I_SEQ && k <= I_SGT;
    for (uint64_t i = 0; i < vl; i++) {
        uint64_t b = opnd(e, d, f3, i, eb);
        if (k == I_MERGE) {
            set_el(vd, i, eb, mask_bit(e->v, i) ? b : get_el(v2, i, eb));
            continue;
        }
        if (k == I_MV) {
            set_el(vd, i, eb, b);
            continue;
        }
        if (!ACTIVE(i))
            continue;
        uint64_t a = get_el(v2, i, eb), c = cmp ? 0 : get_el(vd, i, eb);
        uint64_t r = i_op(k, a, b, c, eb);
        if (cmp)
            set_mask_bit(vd, i, (int)r);
        else
            set_el(vd, i, eb, trunc_to(r, eb));
    }
    return 0;
}

static int do_narrow_shift(emu *e, const emu_insn *d)
{
    unsigned eb = e->vsew, f3 = (d->word >> 12) & 7;
    if (eb > 4)
        return unsupported(e, d);
    int arith = d->op == ISA_VNSRA_WV || d->op == ISA_VNSRA_WX || d->op == ISA_VNSRA_WI;
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t a = get_el(v2, i, 2 * eb), sh = opnd(e, d, f3, i, eb) & (16 * eb - 1);
        uint64_t r = arith ? (uint64_t)(sext(a, 2 * eb) >> sh) : a >> sh;
        set_el(vd, i, eb, trunc_to(r, eb));
    }
    return 0;
}

static int do_ext(emu *e, const emu_insn *d)
{
    unsigned f = d->op == ISA_VZEXT_VF2 || d->op == ISA_VSEXT_VF2   ? 2
                 : d->op == ISA_VZEXT_VF4 || d->op == ISA_VSEXT_VF4 ? 4 : 8;
    int sign = d->op == ISA_VSEXT_VF2 || d->op == ISA_VSEXT_VF4 || d->op == ISA_VSEXT_VF8;
    unsigned eb = e->vsew, sb = eb / f;
    if (!sb)
        return unsupported(e, d);
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t v = get_el(VREG(d->rs2), i, sb);
        set_el(VREG(d->rd), i, eb, trunc_to(sign ? (uint64_t)sext(v, sb) : v, eb));
    }
    return 0;
}

static int do_mask_logic(emu *e, const emu_insn *d)
{
    const unsigned char *a = VREG(d->rs2), *b = VREG(d->rs1);
    unsigned char *vd = VREG(d->rd);
    for (uint64_t i = 0; i < e->vl; i++) {
        int x = mask_bit(a, i), y = mask_bit(b, i), r;
        switch (d->op) {
        case ISA_VMAND_MM: r = x & y; break;
        case ISA_VMNAND_MM: r = !(x & y); break;
        case ISA_VMANDN_MM: r = x & !y; break;
        case ISA_VMXOR_MM: r = x ^ y; break;
        case ISA_VMOR_MM: r = x | y; break;
        case ISA_VMNOR_MM: r = !(x | y); break;
        case ISA_VMORN_MM: r = x | !y; break;
        default: r = !(x ^ y); break;
        }
        set_mask_bit(vd, i, r);
    }
    return 0;
}

static int do_ired(emu *e, const emu_insn *d)
{
    unsigned eb = e->vsew;
    if (!e->vl)
        return 0;
    uint64_t acc = get_el(VREG(d->rs1), 0, eb);
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t v = get_el(VREG(d->rs2), i, eb);
        switch (d->op) {
        case ISA_VREDSUM_VS: acc += v; break;
        case ISA_VREDAND_VS: acc &= v; break;
        case ISA_VREDOR_VS: acc |= v; break;
        case ISA_VREDXOR_VS: acc ^= v; break;
        case ISA_VREDMINU_VS: acc = v < acc ? v : acc; break;
        case ISA_VREDMAXU_VS: acc = v > acc ? v : acc; break;
        case ISA_VREDMIN_VS: acc = sext(v, eb) < sext(acc, eb) ? v : acc; break;
        default: acc = sext(v, eb) > sext(acc, eb) ? v : acc; break;
        }
    }
    set_el(VREG(d->rd), 0, eb, trunc_to(acc, eb));
    return 0;
}

/* slides and gathers write a group that must not overlap the source,
 * which isa_check enforces, so reading and writing in place is safe */
static int do_permute(emu *e, const emu_insn *d)
{
    unsigned eb = e->vsew, f3 = (d->word >> 12) & 7;
    uint64_t vl = e->vl, vlmax = (uint64_t)e->vlen * (unsigned)e->vlmul8 / 8 / (8 * eb);
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    uint64_t off = f3 == 3 ? (uint64_t)d->imm : e->x[d->rs1];
    /* vfslide1*: the scalar as an SEW float (a single not NaN-boxed reads as the canonical NaN) */
    uint64_t fs = eb == 4 ? emu_b32(emu_unbox32(e->f[d->rs1])) : e->f[d->rs1];
    switch (d->op) {
    case ISA_VSLIDEUP_VX: case ISA_VSLIDEUP_VI:
        for (uint64_t i = off; i < vl; i++)
            if (ACTIVE(i))
                set_el(vd, i, eb, get_el(v2, i - off, eb));
        return 0;
    case ISA_VSLIDEDOWN_VX: case ISA_VSLIDEDOWN_VI:
        for (uint64_t i = 0; i < vl; i++)
            if (ACTIVE(i))
                set_el(vd, i, eb, off < vlmax && i + off < vlmax ? get_el(v2, i + off, eb) : 0);
        return 0;
    case ISA_VSLIDE1UP_VX: case ISA_VFSLIDE1UP_VF:
        for (uint64_t i = vl; i-- > 0;)
            if (ACTIVE(i))
                set_el(vd, i, eb, i ? get_el(v2, i - 1, eb)
                                    : d->op == ISA_VSLIDE1UP_VX ? e->x[d->rs1] : fs);
        return 0;
    case ISA_VSLIDE1DOWN_VX: case ISA_VFSLIDE1DOWN_VF:
        for (uint64_t i = 0; i < vl; i++)
            if (ACTIVE(i))
                set_el(vd, i, eb, i + 1 < vl ? get_el(v2, i + 1, eb)
                                             : d->op == ISA_VSLIDE1DOWN_VX ? e->x[d->rs1] : fs);
        return 0;
    case ISA_VRGATHER_VV: case ISA_VRGATHER_VX: case ISA_VRGATHER_VI: case ISA_VRGATHEREI16_VV: {
        unsigned ib = d->op == ISA_VRGATHEREI16_VV ? 2 : eb;
        for (uint64_t i = 0; i < vl; i++) {
            if (!ACTIVE(i))
                continue;
            uint64_t j = f3 == 0 ? get_el(VREG(d->rs1), i, ib) : off;
            set_el(vd, i, eb, j < vlmax ? get_el(v2, j, eb) : 0);
        }
        return 0;
    }
    }
    return unsupported(e, d);
}

int emu_vec_exec(emu *e, const emu_insn *d)
{
    unsigned op = d->op;
    if (op == ISA_VSETVLI || op == ISA_VSETIVLI || op == ISA_VSETVL)
        return do_vset(e, d);
    int whole = (op >= ISA_VMV1R_V && op <= ISA_VMV8R_V);
    uint32_t opc = d->word & 0x7f;
    int wholemem = (opc == 0x07 || opc == 0x27) && ((d->word >> 20) & 31) == 8 && ((d->word >> 26) & 3) == 0;
    if (e->vill && !whole && !wholemem)
        return emu_fault(e, "vector instruction while vtype is illegal (vill: no valid vsetvli before it)");
    if (d->checked_vt != e->vtype && !e->vill) {
        unsigned ext = e->elen == 64 ? (e->has_f64 ? ISA_X_V : ISA_X_ELEN64 | ISA_X_F32) : ISA_X_F32;
        isa_vctx ctx = {e->vsew * 8, e->vlmul8, ext};
        if (isa_check(&(isa_inst){.id = (isa_id)op, .base = (isa_id)op, .word = d->word, .len = d->len,
                                  .rd = d->rd, .rs1 = d->rs1, .rs2 = d->rs2, .rs3 = d->rs3, .vm = d->vm,
                                  .rm = d->rm, .vtype = d->vtype, .csr = d->csr, .imm = d->imm},
                      &ctx))
            return emu_fault(e, "reserved under SEW=%u LMUL=%d/8: %s", e->vsew * 8, e->vlmul8, err_message());
        ((emu_insn *)d)->checked_vt = (uint16_t)e->vtype;
    }
    if (opc == 0x07 || opc == 0x27)
        return do_vmem(e, d);
    int k = fkind(op);
    if (k != F_NONE)
        return do_farith(e, d, k);
    k = ikind(op);
    if (k != I_NONE)
        return do_iarith(e, d, k);
    unsigned eb = e->vsew;
    switch (op) {
    case ISA_VFMV_F_S:
        if (eb == 4)
            e->f[d->rd] = emu_box32((uint32_t)get_el(VREG(d->rs2), 0, 4));
        else if (eb == 8)
            e->f[d->rd] = get_el(VREG(d->rs2), 0, 8);
        else
            return unsupported(e, d);
        return 0;
    case ISA_VFMV_S_F:
        if (eb != 4 && eb != 8)
            return unsupported(e, d);
        if (e->vl)
            set_el(VREG(d->rd), 0, eb, eb == 4 ? emu_b32(emu_unbox32(e->f[d->rs1])) : e->f[d->rs1]);
        return 0;
    case ISA_VFMV_V_F: case ISA_VFMERGE_VFM: {
        if (need_float(e, d))
            return -1;
        uint64_t fv = eb == 4 ? emu_b32(emu_unbox32(e->f[d->rs1])) : e->f[d->rs1];
        for (uint64_t i = 0; i < e->vl; i++)
            set_el(VREG(d->rd), i, eb,
                   op == ISA_VFMV_V_F || mask_bit(e->v, i) ? fv : get_el(VREG(d->rs2), i, eb));
        return 0;
    }
    case ISA_VMV_X_S: e->x[d->rd] = (uint64_t)sext(get_el(VREG(d->rs2), 0, eb), eb); return 0;
    case ISA_VMV_S_X:
        if (e->vl)
            set_el(VREG(d->rd), 0, eb, trunc_to(e->x[d->rs1], eb));
        return 0;
    case ISA_VFREDUSUM_VS: case ISA_VFREDOSUM_VS: case ISA_VFREDMAX_VS: case ISA_VFREDMIN_VS:
        return do_fred(e, d);
    case ISA_VREDSUM_VS: case ISA_VREDAND_VS: case ISA_VREDOR_VS: case ISA_VREDXOR_VS:
    case ISA_VREDMINU_VS: case ISA_VREDMIN_VS: case ISA_VREDMAXU_VS: case ISA_VREDMAX_VS:
        return do_ired(e, d);
    case ISA_VNSRL_WV: case ISA_VNSRL_WX: case ISA_VNSRL_WI:
    case ISA_VNSRA_WV: case ISA_VNSRA_WX: case ISA_VNSRA_WI:
        return do_narrow_shift(e, d);
    case ISA_VZEXT_VF2: case ISA_VZEXT_VF4: case ISA_VZEXT_VF8:
    case ISA_VSEXT_VF2: case ISA_VSEXT_VF4: case ISA_VSEXT_VF8:
        return do_ext(e, d);
    case ISA_VMAND_MM: case ISA_VMNAND_MM: case ISA_VMANDN_MM: case ISA_VMXOR_MM:
    case ISA_VMOR_MM: case ISA_VMNOR_MM: case ISA_VMORN_MM: case ISA_VMXNOR_MM:
        return do_mask_logic(e, d);
    case ISA_VCPOP_M: case ISA_VFIRST_M: {
        int64_t n = 0, first = -1;
        for (uint64_t i = 0; i < e->vl; i++)
            if (ACTIVE(i) && mask_bit(VREG(d->rs2), i)) {
                n++;
                if (first < 0)
                    first = (int64_t)i;
            }
        e->x[d->rd] = (uint64_t)(op == ISA_VCPOP_M ? n : first);
        return 0;
    }
    case ISA_VID_V:
        for (uint64_t i = 0; i < e->vl; i++)
            if (ACTIVE(i))
                set_el(VREG(d->rd), i, eb, trunc_to(i, eb));
        return 0;
    case ISA_VMV1R_V: case ISA_VMV2R_V: case ISA_VMV4R_V: case ISA_VMV8R_V: {
        unsigned n = op == ISA_VMV1R_V ? 1 : op == ISA_VMV2R_V ? 2 : op == ISA_VMV4R_V ? 4 : 8;
        if (d->rd % n || d->rs2 % n)
            return emu_fault(e, "%s with misaligned registers", mn(d));
        memmove(VREG(d->rd), VREG(d->rs2), (size_t)n * e->vlenb);
        return 0;
    }
    case ISA_VFSQRT_V:
        if (eb == 8 && !e->has_f64)
            return unsupported(e, d);
        return do_funary(e, d);
    }
    if (op == ISA_VFREC7_V || op == ISA_VFRSQRT7_V || op == ISA_VFNCVT_ROD_F_F_W)
        return emu_vec_estimate(e, d);
    if ((op >= ISA_VFCVT_XU_F_V && op <= ISA_VFNCVT_RTZ_X_F_W))
        return do_funary(e, d);
    if ((op >= ISA_VSLIDEUP_VX && op <= ISA_VSLIDEDOWN_VI) || op == ISA_VRGATHER_VV || op == ISA_VRGATHER_VX ||
        op == ISA_VRGATHER_VI || op == ISA_VRGATHEREI16_VV || op == ISA_VSLIDE1UP_VX ||
        op == ISA_VSLIDE1DOWN_VX || op == ISA_VFSLIDE1UP_VF || op == ISA_VFSLIDE1DOWN_VF)
        return do_permute(e, d);
    return emu_vec_more(e, d);
}
