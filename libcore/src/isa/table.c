/* table.c - the rows and operand kinds of rv.def as C data. Each row's
 * mask is computed here from its operands (every bit no operand covers
 * is fixed), so no mask is ever written by hand. */
#include "isa.h"

enum { ISA_FL_0 = 0, ISA_FL_NZ = ISA_F_NZ, ISA_FL_NOT2 = ISA_F_NOT2, ISA_FL_RMOK = ISA_F_RMOK };

/* Word bits of each operand kind, split in 16-bit halves because enum
 * constants are ints. */
#define S(at, from, w) | ((((uint32_t)1 << (w)) - 1) << (at))
enum {
#define OPK(name, slot, slot2, type, print, bias, flags, segs) \
    OPB_LO_##name = (int)((0u segs) & 0xffffu), OPB_HI_##name = (int)((0u segs) >> 16),
#include "rv.def"
};
#undef S
#define S(at, from, w) | ((((uint32_t)1 << (w)) - 1) << (from))
enum {
#define OPK(name, slot, slot2, type, print, bias, flags, segs) \
    OPV_LO_##name = (int)((0u segs) & 0xffffu), OPV_HI_##name = (int)((0u segs) >> 16),
#include "rv.def"
};
#undef S

#define HALVES(p, n) ((uint32_t)p##HI_##n << 16 | (uint32_t)p##LO_##n)
#define S(at, from, w) {at, from, w},
const isa_opkind isa_opkinds[ISA_OP__COUNT] = {
#define OPK(name, slot, slot2, type, print, bias, flags, segs)                                   \
    [ISA_OP_##name] = {#name, ISA_SLOT_##slot, ISA_SLOT_##slot2, ISA_T_##type, ISA_P_##print,     \
                       ISA_FL_##flags, bias,                                                      \
                       (uint8_t)(sizeof((isa_seg[]){{0, 0, 0}, segs}) / sizeof(isa_seg) - 1),      \
                       HALVES(OPV_, name), HALVES(OPB_, name), {segs}},
#include "rv.def"
};
#undef S

/* the bits each row's operands cover */
#define O(k) | HALVES(OPB_, k)
enum {
#define RV(id, mn, fmt, match, ext, cls, base, ops) \
    RB_LO_##id = (int)((0u ops) & 0xffffu), RB_HI_##id = (int)((0u ops) >> 16),
#include "rv.def"
};
#undef O

#define LENMASK(m) (((m) & 3u) == 3u ? 0xffffffffu : 0xffffu)
#define O(k) ISA_OP_##k,
const isa_row isa_rows[ISA__COUNT] = {
    [ISA_INVALID] = {".word", 0, 0, ISA_INVALID, 4, 0, 0, 0, 0, {0}},
#define RV(id, mn, fmt, match, ext, cls, base, ops)                                              \
    [ISA_##id] = {mn, (uint32_t)(match), ~HALVES(RB_, id) & LENMASK((uint32_t)(match)),           \
                  ISA_##base == ISA_SELF ? ISA_##id : ISA_##base,                                \
                  ((uint32_t)(match) & 3u) == 3u ? 4 : 2, ISA_FMT_##fmt, ISA_EXT_##ext, ISA_CL_##cls, \
                  (uint8_t)(sizeof((uint8_t[]){0, ops}) - 1), {ops ISA_OP_NONE}},
#include "rv.def"
};
#undef O

static const char *const ext_names[] = {
#define X(n) #n,
    ISA_EXTS(X)
#undef X
};
static const char *const class_names[] = {
#define X(n) #n,
    ISA_CLASSES(X)
#undef X
};
static const char *const fmt_names[] = {
#define X(n) #n,
    ISA_FORMATS(X)
#undef X
};

#define NAME_OF(tab, i) ((unsigned)(i) < sizeof tab / sizeof tab[0] ? tab[i] : "?")
const char *isa_ext_name(int ext) { return NAME_OF(ext_names, ext); }
const char *isa_class_name(int cls) { return NAME_OF(class_names, cls); }
const char *isa_fmt_name(int fmt) { return NAME_OF(fmt_names, fmt); }

int64_t isa_field_get(const isa_inst *in, int slot)
{
    switch (slot) {
    case ISA_SLOT_RD: return in->rd;
    case ISA_SLOT_RS1: return in->rs1;
    case ISA_SLOT_RS2: return in->rs2;
    case ISA_SLOT_RS3: return in->rs3;
    case ISA_SLOT_IMM: return in->imm;
    case ISA_SLOT_VM: return in->vm;
    case ISA_SLOT_RM: return in->rm;
    case ISA_SLOT_AQRL: return in->aqrl;
    case ISA_SLOT_VTYPE: return in->vtype;
    case ISA_SLOT_CSR: return in->csr;
    }
    return 0;
}

void isa_field_set(isa_inst *in, int slot, int64_t v)
{
    switch (slot) {
    case ISA_SLOT_RD: in->rd = (uint8_t)v; break;
    case ISA_SLOT_RS1: in->rs1 = (uint8_t)v; break;
    case ISA_SLOT_RS2: in->rs2 = (uint8_t)v; break;
    case ISA_SLOT_RS3: in->rs3 = (uint8_t)v; break;
    case ISA_SLOT_IMM: in->imm = v; break;
    case ISA_SLOT_VM: in->vm = (uint8_t)v; break;
    case ISA_SLOT_RM: in->rm = (uint8_t)v; break;
    case ISA_SLOT_AQRL: in->aqrl = (uint8_t)v; break;
    case ISA_SLOT_VTYPE: in->vtype = (uint16_t)v; break;
    case ISA_SLOT_CSR: in->csr = (uint16_t)v; break;
    }
}
