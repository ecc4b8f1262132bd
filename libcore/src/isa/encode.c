/* encode.c - isa_inst -> word, checking every operand against its kind
 * (range, alignment of scaled offsets, non-zero and reserved values,
 * implicit registers of compressed rows) and, for isa_encode, vector
 * rows against the RVV 1.0 register operand rules: each operand's
 * element width (EEW) and group size (EMUL) from the row's class and the
 * vtype in force, group alignment, legal EMUL and element widths, the
 * overlap rules of spec section 5.2 (a destination may overlap a source
 * of equal EEW, the lowest part of a wider source, or the highest part
 * of itself when the narrower source has EMUL >= 1), the instructions
 * that allow no overlap at all (vrgather, slide-up, vcompress, viota,
 * vmsbf/sif/sof, indexed segment loads), and v0 rules (a masked
 * destination clear of v0, vadc/vsbc/vmerge writing v0). With no vtype
 * known every group is one register, which flags only what is illegal
 * under any vtype. A word is only produced when all of that holds. */
#include "isa.h"
#include "isa_int.h"
#include "../util/status.h"

#include <inttypes.h>

const char *isa_opk_role(const isa_opkind *o)
{
    static const char *const reg[3][5] = {
        {"", "rd", "rs1", "rs2", "rs3"},
        {"", "fd", "fs1", "fs2", "fs3"},
        {"", "vd", "vs1", "vs2", "vs3"},
    };
    switch (o->slot) {
    case ISA_SLOT_RD:
    case ISA_SLOT_RS1:
    case ISA_SLOT_RS2:
    case ISA_SLOT_RS3:
        if (o->type <= ISA_T_V)
            return reg[o->type][o->slot];
        return "register";
    case ISA_SLOT_IMM: return o->print == ISA_P_TGT ? "branch offset" : o->print == ISA_P_OFF ? "offset" : "immediate";
    case ISA_SLOT_VM: return "vm";
    case ISA_SLOT_RM: return "rounding mode";
    case ISA_SLOT_AQRL: return "aq/rl";
    case ISA_SLOT_VTYPE: return "vtype";
    case ISA_SLOT_CSR: return "csr";
    }
    return "operand";
}

/* Field value v - bias into the kind's segments; 0 if it does not fit. */
static int pack(const isa_opkind *o, int64_t v, uint32_t *w, const char *mn)
{
    int64_t f = v - o->bias;
    int lo = __builtin_ctz(o->vmask), top = 31 - __builtin_clz(o->vmask);
    int64_t step = (int64_t)1 << lo;
    int64_t min = o->type == ISA_T_S ? -((int64_t)1 << top) : 0;
    int64_t max = o->type == ISA_T_S ? ((int64_t)1 << top) - step : ((int64_t)1 << (top + 1)) - step;
    const char *role = isa_opk_role(o);
    if (f & (step - 1))
        return err_set(RV_EINVAL, "%s: %s %" PRId64 " is not a multiple of %d", mn, role, v, 1 << lo);
    if (f < min || f > max)
        return err_set(RV_EINVAL, "%s: %s %" PRId64 " is outside %" PRId64 "..%" PRId64, mn, role, v,
                       min + o->bias, max + o->bias);
    if ((o->flags & ISA_F_NZ) && v == 0)
        return err_set(RV_EINVAL, "%s: %s must not be 0", mn, role);
    if ((o->flags & ISA_F_NOT2) && v == 2)
        return err_set(RV_EINVAL, "%s: %s must not be sp", mn, role);
    if ((o->flags & ISA_F_RMOK) && (v == 5 || v == 6))
        return err_set(RV_EINVAL, "%s: rounding mode %" PRId64 " is reserved", mn, v);
    uint32_t u = (uint32_t)f;
    for (int i = 0; i < o->n_segs; i++) {
        const isa_seg *s = &o->seg[i];
        *w |= ((u >> s->from) & ((1u << s->width) - 1)) << s->at;
    }
    return 0;
}

static int width_eew(uint32_t match)
{
    static const uint8_t eew[8] = {8, 0, 0, 0, 0, 16, 32, 64};
    return eew[(match >> 12) & 7];
}

static isa_vgroup grp(int eew, const isa_vctx *vt)
{
    isa_vgroup g = {1, (uint8_t)eew, 1, 8};
    if (eew == 1)
        return g;
    if (!vt) { /* unknown vtype: one register, and fractional for the overlap rules */
        g.emul8 = 1;
        return g;
    }
    g.emul8 = (int16_t)(eew * vt->lmul8 / (int)vt->sew);
    if (eew * vt->lmul8 % (int)vt->sew)
        g.emul8 = 0; /* below 1/64: illegal, reported below */
    g.regs = (uint8_t)(g.emul8 > 8 ? g.emul8 / 8 : 1);
    return g;
}

static isa_vgroup single(int eew) { return (isa_vgroup){1, (uint8_t)eew, 1, 8}; }

static int fp_widths(int ext, unsigned sew, unsigned out[2])
{
    switch (ext) {
    case ISA_EXT_VF: out[0] = sew; return 1;
    case ISA_EXT_VFW:
    case ISA_EXT_VFH: out[0] = sew; out[1] = 2 * sew; return 2;
    case ISA_EXT_VFWI:
    case ISA_EXT_VFNX: out[0] = 2 * sew; return 1;
    case ISA_EXT_VFNI:
    case ISA_EXT_VFWX: out[0] = sew; return 1;
    }
    return 0;
}

static int check_widths(const isa_row *r, const isa_vctx *vt, const isa_vlayout *L)
{
    const isa_vgroup *g[3] = {&L->d, &L->s1, &L->s2};
    for (int i = 0; i < 3; i++) {
        if (!g[i]->used || g[i]->eew == 1)
            continue;
        if (g[i]->eew < 8)
            return err_set(RV_EINVAL, "%s: %u-bit source elements at SEW %u", r->mnemonic, g[i]->eew * 1u, vt->sew);
        if (g[i]->eew > 64)
            return err_set(RV_EINVAL, "%s: %u-bit elements at SEW %u (no element wider than 64 bits)",
                           r->mnemonic, g[i]->eew * 1u, vt->sew);
        if (g[i]->eew == 64 && !(vt->ext & ISA_X_ELEN64))
            return err_set(RV_EINVAL, "%s: 64-bit elements need ELEN 64 (Zve64x)", r->mnemonic);
        if (!g[i]->emul8 || g[i]->emul8 > 64)
            return err_set(RV_EINVAL, "%s: EMUL %s%d for EEW %u at SEW %u, LMUL*8 %d is outside 1/8..8",
                           r->mnemonic, g[i]->emul8 >= 8 ? "" : "1/",
                           g[i]->emul8 >= 8 ? g[i]->emul8 / 8 : g[i]->emul8 ? 8 / g[i]->emul8 : 64,
                           g[i]->eew * 1u, vt->sew, vt->lmul8);
    }
    if (L->nf > 1 && L->nf * (L->d.emul8 > 8 ? L->d.emul8 : 8) > 64)
        return err_set(RV_EINVAL, "%s: %u fields of EMUL %d exceed 8 registers", r->mnemonic, L->nf * 1u,
                       L->d.emul8 / 8);
    unsigned fw[2];
    int n = fp_widths(r->ext, vt->sew, fw);
    for (int i = 0; i < n; i++) {
        unsigned need = fw[i] == 16 ? (r->ext == ISA_EXT_VFH ? ISA_X_ZVFHMIN | ISA_X_ZVFH : ISA_X_ZVFH)
                        : fw[i] == 32 ? ISA_X_F32 : fw[i] == 64 ? ISA_X_F64 : 0;
        if (!(vt->ext & need))
            return err_set(RV_EINVAL, "%s: %u-bit float elements at SEW %u need %s", r->mnemonic, fw[i], vt->sew,
                           fw[i] == 16 ? (r->ext == ISA_EXT_VFH ? "Zvfhmin" : "Zvfh")
                           : fw[i] == 32 ? "Zve32f" : fw[i] == 64 ? "Zve64d" : "a float format that does not exist");
    }
    return 0;
}

int isa_vlayout_of(isa_id id, const isa_vctx *ctx, isa_vlayout *out)
{
    const isa_row *r = isa_row_of(id);
    const isa_vctx *vt = ctx && ctx->sew ? ctx : NULL;
    *out = (isa_vlayout){.nf = 1};
    if (r->ext < ISA_EXT_V || r->cls == ISA_CL_VSET)
        return 0;
    if (vt && ((vt->sew != 8 && vt->sew != 16 && vt->sew != 32 && vt->sew != 64) || vt->lmul8 < 1 ||
               vt->lmul8 > 64 || (vt->lmul8 & (vt->lmul8 - 1))))
        return err_set(RV_EINVAL, "%s: invalid vtype (SEW %u, LMUL*8 %d)", r->mnemonic, vt->sew, vt->lmul8);
    /* unknown vtype: any SEW keeps the EEW relations the rules compare */
    int sew = vt ? (int)vt->sew : 64, w = sew * 2;
    int mem = r->fmt == ISA_FMT_VL || r->fmt == ISA_FMT_VS;
    int eew = mem ? width_eew(r->match) : 0;
    if (mem)
        out->nf = (uint8_t)((r->match >> 29) + 1);
    isa_vlayout *L = out;
    switch (r->cls) {
    case ISA_CL_VW: L->d = grp(w, vt); L->s1 = L->s2 = grp(sew, vt); break;
    case ISA_CL_VWW: L->d = L->s2 = grp(w, vt); L->s1 = grp(sew, vt); break;
    case ISA_CL_VN: L->d = L->s1 = grp(sew, vt); L->s2 = grp(w, vt); break;
    case ISA_CL_VMASK: L->d = single(1); L->s1 = L->s2 = grp(sew, vt); break;
    case ISA_CL_VRED: L->d = L->s1 = single(sew); L->s2 = grp(sew, vt); break;
    case ISA_CL_VWRED: L->d = L->s1 = single(w); L->s2 = grp(sew, vt); break;
    case ISA_CL_VGATHER16: L->d = L->s2 = grp(sew, vt); L->s1 = grp(16, vt); break;
    case ISA_CL_VCOMPRESS: L->d = L->s2 = grp(sew, vt); L->s1 = single(1); break;
    case ISA_CL_VEXT2: L->d = grp(sew, vt); L->s2 = grp(sew / 2, vt); break;
    case ISA_CL_VEXT4: L->d = grp(sew, vt); L->s2 = grp(sew / 4, vt); break;
    case ISA_CL_VEXT8:
        /* at SEW 8 the source EEW would be 1, which the width check reads as a mask */
        if (vt && sew == 8)
            return err_set(RV_EINVAL, "%s: 1-bit source elements at SEW %u", r->mnemonic, vt->sew);
        L->d = grp(sew, vt);
        L->s2 = grp(sew / 8, vt);
        break;
    case ISA_CL_VMLOGIC: L->d = L->s1 = L->s2 = single(1); break;
    case ISA_CL_VMSCALAR: L->s2 = single(1); break;
    case ISA_CL_VMSBF: L->d = L->s2 = single(1); break;
    case ISA_CL_VIOTA: L->d = grp(sew, vt); L->s2 = single(1); break;
    case ISA_CL_VSCALAR: L->d = L->s2 = single(sew); break;
    case ISA_CL_VWHOLE: {
        int nr = (int)((r->match >> 15) & 31) + 1;
        L->d = L->s2 = (isa_vgroup){1, (uint8_t)sew, (uint8_t)nr, (int16_t)(nr * 8)};
        break;
    }
    case ISA_CL_VLD:
    case ISA_CL_VST:
        L->d = grp(eew, vt);
        break;
    case ISA_CL_VLDX:
    case ISA_CL_VSTX:
        L->d = grp(sew, vt);
        L->s2 = grp(vt ? eew : sew, vt); /* unknown: as wide as the data */
        break;
    case ISA_CL_VLDW:
    case ISA_CL_VSTW:
        L->d = (isa_vgroup){1, (uint8_t)eew, out->nf, (int16_t)(out->nf * 8)};
        out->nf = 1;
        break;
    case ISA_CL_VLDM:
    case ISA_CL_VSTM: L->d = single(1); break;
    default: L->d = L->s1 = L->s2 = grp(sew, vt); break;
    }
    if (out->nf > 1)
        L->d.regs = (uint8_t)(out->nf * L->d.regs);
    /* keep only the groups the row's operands name */
    int used[3] = {0, 0, 0};
    for (int i = 0; i < r->n_ops; i++) {
        const isa_opkind *o = &isa_opkinds[r->ops[i]];
        if (o->type != ISA_T_V)
            continue;
        used[0] |= o->slot == ISA_SLOT_RD;
        used[1] |= o->slot == ISA_SLOT_RS1;
        used[2] |= o->slot == ISA_SLOT_RS2;
    }
    if (!used[0])
        L->d = (isa_vgroup){0};
    if (!used[1])
        L->s1 = (isa_vgroup){0};
    if (!used[2])
        L->s2 = (isa_vgroup){0};
    return vt ? check_widths(r, vt, L) : 0;
}

static int is_store(int cls)
{
    return cls == ISA_CL_VST || cls == ISA_CL_VSTX || cls == ISA_CL_VSTW || cls == ISA_CL_VSTM;
}

static int check_group(const isa_row *r, const char *role, int reg, const isa_vgroup *g, int nf)
{
    int align = r->cls == ISA_CL_VWHOLE || r->cls == ISA_CL_VLDW || r->cls == ISA_CL_VSTW ? g->regs
                : g->emul8 > 8 ? g->emul8 / 8 : 1;
    if (reg % align)
        return err_set(RV_EINVAL, "%s: %s v%d is not a multiple of its group size %d", r->mnemonic, role, reg, align);
    if (reg + g->regs > 32)
        return err_set(RV_EINVAL, "%s: %s v%d%s spans %d registers, past v31", r->mnemonic, role, reg,
                       nf > 1 ? " (all fields)" : "", g->regs);
    return 0;
}

static int overlaps(int a, int na, int b, int nb) { return a < b + nb && b < a + na; }

/* Destination d against source s under the spec's overlap rules. */
static int check_overlap(const isa_row *r, int d, const isa_vgroup *gd, const char *srole, int s,
                         const isa_vgroup *gs, int none_allowed)
{
    if (!overlaps(d, gd->regs, s, gs->regs))
        return 0;
    if (none_allowed)
        return err_set(RV_EINVAL, "%s: vd v%d must not overlap %s v%d", r->mnemonic, d, srole, s);
    if (gd->eew == gs->eew)
        return 0;
    if (gd->eew < gs->eew) {
        if (d == s)
            return 0;
        return err_set(RV_EINVAL, "%s: vd v%d (EEW %d) may overlap the wider %s v%d only in its lowest register",
                       r->mnemonic, d, gd->eew, srole, s);
    }
    if (gs->emul8 >= 8 && s + gs->regs == d + gd->regs)
        return 0;
    return err_set(RV_EINVAL, "%s: vd v%d (EEW %d) may overlap the narrower %s v%d only in its highest part%s",
                   r->mnemonic, d, gd->eew, srole, s, gs->emul8 < 8 ? ", and not at all for a fractional EMUL" : "");
}

static int isa_vcheck(const isa_inst *in, const isa_vctx *ctx)
{
    const isa_row *r = &isa_rows[in->id];
    isa_vlayout L;
    int rc = isa_vlayout_of(in->id, ctx, &L);
    if (rc || r->cls == ISA_CL_VSET)
        return rc;
    int cls = r->cls, d = in->rd, s1 = in->rs1, s2 = in->rs2;
    const char *drole = is_store(cls) ? "vs3" : "vd";
    if ((L.d.used && (rc = check_group(r, drole, d, &L.d, L.nf))) ||
        (L.s1.used && (rc = check_group(r, "vs1", s1, &L.s1, 1))) ||
        (L.s2.used && (rc = check_group(r, "vs2", s2, &L.s2, 1))))
        return rc;
    int writes_vd = L.d.used && !is_store(cls) && cls != ISA_CL_VRED && cls != ISA_CL_VWRED;
    if (writes_vd) {
        int none = cls == ISA_CL_VGATHER || cls == ISA_CL_VGATHER16 || cls == ISA_CL_VSLIDEUP ||
                   cls == ISA_CL_VCOMPRESS || cls == ISA_CL_VIOTA || cls == ISA_CL_VMSBF ||
                   (cls == ISA_CL_VLDX && L.nf > 1);
        if ((L.s1.used && (rc = check_overlap(r, d, &L.d, "vs1", s1, &L.s1, none))) ||
            (L.s2.used && (rc = check_overlap(r, d, &L.d, "vs2", s2, &L.s2, none))))
            return rc;
    }
    int has_vm = 0;
    for (int i = 0; i < r->n_ops; i++)
        has_vm |= r->ops[i] == ISA_OP_VM;
    if (has_vm && !in->vm && writes_vd && cls != ISA_CL_VMASK && d == 0)
        return err_set(RV_EINVAL, "%s: the destination of a masked (v0.t) instruction must not overlap v0",
                       r->mnemonic);
    if (cls == ISA_CL_VCARRY && d == 0)
        return err_set(RV_EINVAL, "%s: vd must not be v0, which holds the %s", r->mnemonic,
                       r->base == ISA_VMERGE_VVM || r->base == ISA_VMERGE_VXM || r->base == ISA_VMERGE_VIM ||
                       r->base == ISA_VFMERGE_VFM ? "mask" : "carry");
    return 0;
}

int isa_pack(const isa_inst *in, uint32_t *word)
{
    *word = 0;
    if (in->id <= ISA_INVALID || in->id >= ISA__COUNT)
        return err_set(RV_EINVAL, "encode: no instruction with id %d", (int)in->id);
    const isa_row *r = &isa_rows[in->id];
    uint32_t w = r->match;
    for (int i = 0; i < r->n_ops; i++) {
        const isa_opkind *o = &isa_opkinds[r->ops[i]];
        int64_t v = o->slot == ISA_SLOT_NONE ? o->bias : isa_field_get(in, o->slot);
        if (o->slot2 != ISA_SLOT_NONE && isa_field_get(in, o->slot2) != v)
            return err_set(RV_EINVAL, "%s: %s and %s must be the same register (%" PRId64 ", %" PRId64 ")",
                           r->mnemonic, isa_opk_role(o),
                           isa_opk_role(&(isa_opkind){.slot = o->slot2, .type = o->type}), v,
                           isa_field_get(in, o->slot2));
        if (!o->n_segs) {
            if (v != o->bias)
                return err_set(RV_EINVAL, "%s: %s must be register %d, not %" PRId64, r->mnemonic,
                               isa_opk_role(o), o->bias, v);
            continue;
        }
        uint32_t whole, part = isa_row_part_of(r, i, &whole);
        if (part && ((uint64_t)v & ~(uint64_t)whole))
            return err_set(RV_EINVAL, "%s: %s %" PRId64 " is outside 0..%u", r->mnemonic, isa_opk_role(o), v,
                           whole);
        if (part)
            v &= part;
        int rc = pack(o, v, &w, r->mnemonic);
        if (rc)
            return rc;
    }
    *word = w;
    return 0;
}

int isa_check(const isa_inst *in, const isa_vctx *ctx)
{
    uint32_t w;
    int rc = isa_pack(in, &w);
    if (!rc && isa_rows[in->id].ext >= ISA_EXT_V)
        rc = isa_vcheck(in, ctx);
    return rc;
}

int isa_encode(const isa_inst *in, const isa_vctx *ctx, uint32_t *word)
{
    int rc = isa_pack(in, word);
    if (!rc && isa_rows[in->id].ext >= ISA_EXT_V && (rc = isa_vcheck(in, ctx)) != 0)
        *word = 0;
    return rc;
}
