/* encode.c - isa_inst -> word, checking every operand against its kind
 * (range, alignment of scaled offsets, non-zero and reserved values,
 * implicit registers of compressed rows) and, for isa_encode, vector
 * rows against the register-group rules (vcheck.c). A word is only
 * produced when all of that holds. */
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
