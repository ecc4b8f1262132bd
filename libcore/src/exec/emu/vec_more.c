/* vec_more.c - the emulator's less common RVV rows: widening integer
 * and float arithmetic (.vv/.vx/.vf and .wv/.wx/.wf), widening
 * reductions, add/subtract with carry and their carry-out masks,
 * vcompress, viota, vmsbf/vmsif/vmsof, vfclass, and the fixed-point
 * rows (saturating add/subtract, averaging, vsmul, scaling shifts,
 * narrowing clips: rounding by vxrm, saturation sets vxsat). Same
 * conventions as vec.c: tail and inactive elements undisturbed, canonical
 * NaNs, float reductions in element order (the vfrec7/vfrsqrt7 estimate
 * tables are in vec_est.c). */
#include "emu_int.h"

/* the SEW-wide second operand of element i: vs1, x[rs1] or the immediate */
static uint64_t opnd(emu *e, const emu_insn *d, uint64_t i, unsigned eb)
{
    unsigned f3 = (d->word >> 12) & 7;
    if (f3 == 0 || f3 == 2)
        return get_el(VREG(d->rs1), i, eb);
    if (f3 == 3)
        return trunc_to((uint64_t)d->imm, eb);
    return trunc_to(e->x[d->rs1], eb);
}

static uint64_t ext(uint64_t v, unsigned eb, int sign) { return sign ? (uint64_t)sext(v, eb) : v; }

/* widening integer: vd (2*SEW) from vs2 (SEW, or 2*SEW for .w forms) and
 * the SEW operand; as: vs2 signed, bs: the other operand signed */
static int widen_int(emu *e, const emu_insn *d, int kind, int wide_src, int as, int bs)
{
    unsigned eb = e->vsew, wb = 2 * eb;
    if (wb > 8)
        return emu_vec_unsupported(e, d);
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t a = wide_src ? get_el(v2, i, wb) : ext(get_el(v2, i, eb), eb, as);
        uint64_t b = ext(opnd(e, d, i, eb), eb, bs), r;
        switch (kind) {
        case 0: r = a + b; break;
        case 1: r = a - b; break;
        case 2: r = a * b; break;                      /* the exact product fits 2*SEW */
        default: r = get_el(vd, i, wb) + a * b; break; /* multiply-accumulate */
        }
        set_el(vd, i, wb, trunc_to(r, wb));
    }
    return 0;
}

static int check_frm(emu *e)
{
    if (e->frm > 3)
        return emu_fault(e, "frm %u (RMM or reserved) is not supported by the emulator", e->frm);
    return 0;
}

/* widening float, SEW 32 -> 64: kind 0 add 1 sub 2 mul 3.. multiply-adds */
static int widen_float(emu *e, const emu_insn *d, int kind, int wide_src)
{
    if (e->vsew != 4 || !e->has_f64)
        return emu_vec_unsupported(e, d);
    if (check_frm(e))
        return -1;
    int scalar = ((d->word >> 12) & 7) == 5;
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2), *v1 = VREG(d->rs1);
    double fs = (double)emu_unbox32(e->f[d->rs1]);
    uint64_t n = 0;
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        double a = wide_src ? emu_f64(get_el(v2, i, 8)) : (double)emu_f32((uint32_t)get_el(v2, i, 4));
        double b = scalar ? fs : (double)emu_f32((uint32_t)get_el(v1, i, 4));
        double c = emu_f64(get_el(vd, i, 8)), r;
        switch (kind) {
        case 0: r = a + b; break;
        case 1: r = a - b; break;
        case 2: r = a * b; break;
        case 3: r = fma(b, a, c); break;   /* vfwmacc */
        case 4: r = fma(-b, a, -c); break; /* vfwnmacc */
        case 5: r = fma(b, a, -c); break;  /* vfwmsac */
        default: r = fma(-b, a, c); break; /* vfwnmsac */
        }
        set_el(vd, i, 8, emu_c64(r));
        n++;
    }
    e->cur.flops += n * (kind >= 3 ? 2 : 1);
    return 0;
}

static int widen_reduce(emu *e, const emu_insn *d)
{
    unsigned eb = e->vsew, wb = 2 * eb;
    if (!e->vl)
        return 0;
    const unsigned char *v2 = VREG(d->rs2);
    if (d->op == ISA_VFWREDUSUM_VS || d->op == ISA_VFWREDOSUM_VS) {
        if (eb != 4 || !e->has_f64)
            return emu_vec_unsupported(e, d);
        if (check_frm(e))
            return -1;
        uint64_t acc = get_el(VREG(d->rs1), 0, 8);
        for (uint64_t i = 0; i < e->vl; i++)
            if (ACTIVE(i))
                acc = emu_c64(emu_f64(acc) + (double)emu_f32((uint32_t)get_el(v2, i, 4)));
        set_el(VREG(d->rd), 0, 8, acc);
        return 0;
    }
    if (wb > 8)
        return emu_vec_unsupported(e, d);
    int sign = d->op == ISA_VWREDSUM_VS;
    uint64_t acc = get_el(VREG(d->rs1), 0, wb);
    for (uint64_t i = 0; i < e->vl; i++)
        if (ACTIVE(i))
            acc += ext(get_el(v2, i, eb), eb, sign);
    set_el(VREG(d->rd), 0, wb, trunc_to(acc, wb));
    return 0;
}

/* vadc/vsbc (sum or difference with v0 as carry/borrow in) and
 * vmadc/vmsbc (the carry/borrow out as a mask; with or without carry in) */
static int carry(emu *e, const emu_insn *d, int sub, int mask_out)
{
    unsigned eb = e->vsew, bits = 8 * eb;
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    int with_in = !mask_out || !d->vm; /* vmadc.vv/vx/vi (vm=1) take no carry in */
    for (uint64_t i = 0; i < e->vl; i++) {
        unsigned __int128 a = get_el(v2, i, eb), b = opnd(e, d, i, eb), c = with_in ? mask_bit(e->v, i) : 0;
        unsigned __int128 r = sub ? a - b - c : a + b + c;
        if (mask_out)
            set_mask_bit(vd, i, (int)((r >> bits) & 1));
        else
            set_el(vd, i, eb, trunc_to((uint64_t)r, eb));
    }
    return 0;
}

static int mask_set(emu *e, const emu_insn *d)
{
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    int seen = 0;
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        int bit = mask_bit(v2, i), r;
        if (d->op == ISA_VMSBF_M)
            r = !seen && !bit;
        else if (d->op == ISA_VMSIF_M)
            r = !seen;
        else
            r = !seen && bit;
        seen |= bit;
        set_mask_bit(vd, i, r);
    }
    return 0;
}

static unsigned fclass(uint64_t v, unsigned eb)
{
    double x = eb == 4 ? (double)emu_f32((uint32_t)v) : emu_f64(v);
    int neg = eb == 4 ? (int)(v >> 31) & 1 : (int)(v >> 63) & 1;
    if (x != x) { /* quiet bit: the top fraction bit */
        int quiet = eb == 4 ? (int)(v >> 22) & 1 : (int)(v >> 51) & 1;
        return quiet ? 1u << 9 : 1u << 8;
    }
    if (isinf(x))
        return neg ? 1u : 1u << 7;
    if (x == 0)
        return neg ? 1u << 3 : 1u << 4;
    int sub = eb == 4 ? fabs(x) < 1.17549435e-38 : fabs(x) < 2.2250738585072014e-308;
    return neg ? (sub ? 1u << 2 : 1u << 1) : (sub ? 1u << 5 : 1u << 6);
}

/* the rounding increment for shifting v right by sh under vxrm */
static uint64_t round_inc(unsigned vxrm, unsigned __int128 v, unsigned sh)
{
    if (!sh)
        return 0;
    unsigned __int128 one = 1;
    int lsb = (int)((v >> sh) & 1), half = (int)((v >> (sh - 1)) & 1);
    int rest = sh > 1 && (v & ((one << (sh - 1)) - 1)) != 0;
    switch (vxrm) {
    case 0: return (uint64_t)half;                   /* rnu */
    case 1: return (uint64_t)(half && (rest || lsb)); /* rne */
    case 2: return 0;                                /* rdn */
    default: return (uint64_t)(!lsb && (half || rest)); /* rod */
    }
}

static int fixed_point(emu *e, const emu_insn *d)
{
    unsigned eb = e->vsew, bits = 8 * eb, op = d->op;
    int narrow = op >= ISA_VNCLIPU_WV && op <= ISA_VNCLIP_WI;
    if (narrow && eb > 4)
        return emu_vec_unsupported(e, d);
    unsigned char *vd = VREG(d->rd);
    const unsigned char *v2 = VREG(d->rs2);
    __int128 smax = ((__int128)1 << (bits - 1)) - 1, smin = -((__int128)1 << (bits - 1));
    unsigned __int128 umax = ((unsigned __int128)1 << bits) - 1;
    for (uint64_t i = 0; i < e->vl; i++) {
        if (!ACTIVE(i))
            continue;
        uint64_t ua = get_el(v2, i, narrow ? 2 * eb : eb), ub = opnd(e, d, i, eb);
        __int128 sa = narrow ? sext(ua, 2 * eb) : sext(ua, eb), sb = sext(ub, eb), r = 0;
        int is_u = 0, sat = 1;
        switch (op) {
        case ISA_VSADDU_VV: case ISA_VSADDU_VX: case ISA_VSADDU_VI: r = (__int128)ua + ub; is_u = 1; break;
        case ISA_VSADD_VV: case ISA_VSADD_VX: case ISA_VSADD_VI: r = sa + sb; break;
        case ISA_VSSUBU_VV: case ISA_VSSUBU_VX: r = (__int128)ua - (__int128)ub; is_u = 1; break;
        case ISA_VSSUB_VV: case ISA_VSSUB_VX: r = sa - sb; break;
        case ISA_VAADDU_VV: case ISA_VAADDU_VX: case ISA_VASUBU_VV: case ISA_VASUBU_VX: {
            __int128 t = op <= ISA_VAADDU_VX ? (__int128)ua + ub : (__int128)ua - (__int128)ub;
            r = (t >> 1) + (__int128)round_inc(e->vxrm, (unsigned __int128)t, 1);
            sat = 0;
            break;
        }
        case ISA_VAADD_VV: case ISA_VAADD_VX: case ISA_VASUB_VV: case ISA_VASUB_VX: {
            __int128 t = op <= ISA_VAADD_VX ? sa + sb : sa - sb;
            r = (t >> 1) + (__int128)round_inc(e->vxrm, (unsigned __int128)t, 1);
            sat = 0;
            break;
        }
        case ISA_VSMUL_VV: case ISA_VSMUL_VX: {
            __int128 p = sa * sb;
            r = (p >> (bits - 1)) + (__int128)round_inc(e->vxrm, (unsigned __int128)p, bits - 1);
            break;
        }
        case ISA_VSSRL_VV: case ISA_VSSRL_VX: case ISA_VSSRL_VI: {
            unsigned sh = (unsigned)(ub & (bits - 1));
            r = (__int128)((ua >> sh) + round_inc(e->vxrm, ua, sh));
            sat = 0;
            break;
        }
        case ISA_VSSRA_VV: case ISA_VSSRA_VX: case ISA_VSSRA_VI: {
            unsigned sh = (unsigned)(ub & (bits - 1));
            r = (sa >> sh) + (__int128)round_inc(e->vxrm, (unsigned __int128)sa, sh);
            sat = 0;
            break;
        }
        case ISA_VNCLIPU_WV: case ISA_VNCLIPU_WX: case ISA_VNCLIPU_WI: {
            unsigned sh = (unsigned)(ub & (2 * bits - 1));
            r = (__int128)((ua >> sh) + round_inc(e->vxrm, ua, sh));
            is_u = 1;
            break;
        }
        default: { /* vnclip */
            unsigned sh = (unsigned)(ub & (2 * bits - 1));
            r = (sa >> sh) + (__int128)round_inc(e->vxrm, (unsigned __int128)sa, sh);
            break;
        }
        }
        if (sat && is_u && (r < 0 || r > (__int128)umax)) {
            r = r < 0 ? 0 : (__int128)umax;
            e->vxsat = 1;
        } else if (sat && !is_u && (r > smax || r < smin)) {
            r = r > smax ? smax : smin;
            e->vxsat = 1;
        }
        set_el(vd, i, eb, trunc_to((uint64_t)r, eb));
    }
    return 0;
}

int emu_vec_more(emu *e, const emu_insn *d)
{
    if ((d->op >= ISA_VSADDU_VV && d->op <= ISA_VSSUB_VX) || (d->op >= ISA_VAADDU_VV && d->op <= ISA_VASUB_VX) ||
        d->op == ISA_VSMUL_VV || d->op == ISA_VSMUL_VX || (d->op >= ISA_VSSRL_VV && d->op <= ISA_VSSRA_VI) ||
        (d->op >= ISA_VNCLIPU_WV && d->op <= ISA_VNCLIP_WI))
        return fixed_point(e, d);
    unsigned op = d->op, eb = e->vsew;
    switch (op) {
    case ISA_VWADDU_VV: case ISA_VWADDU_VX: return widen_int(e, d, 0, 0, 0, 0);
    case ISA_VWADD_VV: case ISA_VWADD_VX: return widen_int(e, d, 0, 0, 1, 1);
    case ISA_VWSUBU_VV: case ISA_VWSUBU_VX: return widen_int(e, d, 1, 0, 0, 0);
    case ISA_VWSUB_VV: case ISA_VWSUB_VX: return widen_int(e, d, 1, 0, 1, 1);
    case ISA_VWADDU_WV: case ISA_VWADDU_WX: return widen_int(e, d, 0, 1, 0, 0);
    case ISA_VWADD_WV: case ISA_VWADD_WX: return widen_int(e, d, 0, 1, 1, 1);
    case ISA_VWSUBU_WV: case ISA_VWSUBU_WX: return widen_int(e, d, 1, 1, 0, 0);
    case ISA_VWSUB_WV: case ISA_VWSUB_WX: return widen_int(e, d, 1, 1, 1, 1);
    case ISA_VWMULU_VV: case ISA_VWMULU_VX: return widen_int(e, d, 2, 0, 0, 0);
    case ISA_VWMUL_VV: case ISA_VWMUL_VX: return widen_int(e, d, 2, 0, 1, 1);
    case ISA_VWMULSU_VV: case ISA_VWMULSU_VX: return widen_int(e, d, 2, 0, 1, 0);
    case ISA_VWMACCU_VV: case ISA_VWMACCU_VX: return widen_int(e, d, 3, 0, 0, 0);
    case ISA_VWMACC_VV: case ISA_VWMACC_VX: return widen_int(e, d, 3, 0, 1, 1);
    case ISA_VWMACCSU_VV: case ISA_VWMACCSU_VX: return widen_int(e, d, 3, 0, 0, 1); /* vs1 signed, vs2 unsigned */
    case ISA_VWMACCUS_VX: return widen_int(e, d, 3, 0, 1, 0);                      /* rs1 unsigned, vs2 signed */
    case ISA_VFWADD_VV: case ISA_VFWADD_VF: return widen_float(e, d, 0, 0);
    case ISA_VFWSUB_VV: case ISA_VFWSUB_VF: return widen_float(e, d, 1, 0);
    case ISA_VFWADD_WV: case ISA_VFWADD_WF: return widen_float(e, d, 0, 1);
    case ISA_VFWSUB_WV: case ISA_VFWSUB_WF: return widen_float(e, d, 1, 1);
    case ISA_VFWMUL_VV: case ISA_VFWMUL_VF: return widen_float(e, d, 2, 0);
    case ISA_VFWMACC_VV: case ISA_VFWMACC_VF: return widen_float(e, d, 3, 0);
    case ISA_VFWNMACC_VV: case ISA_VFWNMACC_VF: return widen_float(e, d, 4, 0);
    case ISA_VFWMSAC_VV: case ISA_VFWMSAC_VF: return widen_float(e, d, 5, 0);
    case ISA_VFWNMSAC_VV: case ISA_VFWNMSAC_VF: return widen_float(e, d, 6, 0);
    case ISA_VWREDSUMU_VS: case ISA_VWREDSUM_VS: case ISA_VFWREDUSUM_VS: case ISA_VFWREDOSUM_VS:
        return widen_reduce(e, d);
    case ISA_VADC_VVM: case ISA_VADC_VXM: case ISA_VADC_VIM: return carry(e, d, 0, 0);
    case ISA_VSBC_VVM: case ISA_VSBC_VXM: return carry(e, d, 1, 0);
    case ISA_VMADC_VVM: case ISA_VMADC_VXM: case ISA_VMADC_VIM:
    case ISA_VMADC_VV: case ISA_VMADC_VX: case ISA_VMADC_VI: return carry(e, d, 0, 1);
    case ISA_VMSBC_VVM: case ISA_VMSBC_VXM: case ISA_VMSBC_VV: case ISA_VMSBC_VX: return carry(e, d, 1, 1);
    case ISA_VMSBF_M: case ISA_VMSIF_M: case ISA_VMSOF_M: return mask_set(e, d);
    case ISA_VIOTA_M: {
        uint64_t n = 0;
        for (uint64_t i = 0; i < e->vl; i++) {
            if (!ACTIVE(i))
                continue;
            set_el(VREG(d->rd), i, eb, trunc_to(n, eb));
            n += mask_bit(VREG(d->rs2), i);
        }
        return 0;
    }
    case ISA_VCOMPRESS_VM: {
        uint64_t k = 0;
        for (uint64_t i = 0; i < e->vl; i++)
            if (mask_bit(VREG(d->rs1), i))
                set_el(VREG(d->rd), k++, eb, get_el(VREG(d->rs2), i, eb));
        return 0;
    }
    case ISA_VFCLASS_V:
        if (eb != 4 && !(eb == 8 && e->has_f64))
            return emu_vec_unsupported(e, d);
        for (uint64_t i = 0; i < e->vl; i++)
            if (ACTIVE(i))
                set_el(VREG(d->rd), i, eb, fclass(get_el(VREG(d->rs2), i, eb), eb));
        return 0;
    }
    return emu_vec_unsupported(e, d);
}
