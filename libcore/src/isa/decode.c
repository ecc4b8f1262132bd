/* decode.c - the rows and operand kinds of rv.def as C data, and word ->
 * row + operands. Each row's mask is computed here from its operands
 * (every bit no operand covers is fixed), so no mask is ever written by
 * hand. Rows are bucketed once per process by opcode and funct3 (the
 * fields every 32-bit row but lui/auipc/jal fixes, and quadrant + funct3
 * for compressed rows), so a decode tries only the few rows of its
 * bucket. Rows never overlap (tests/isa checks every pair), so the first
 * row that accepts a word is the only one. */
#include "isa.h"
#include "isa_int.h"

#include <pthread.h>

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

#define N_KEYS (256 + 32)
#define MAX_ENTRIES (ISA__COUNT * 8)

static uint16_t bucket_start[N_KEYS + 1];
static uint16_t bucket_rows[MAX_ENTRIES];
static uint16_t alias_start[ISA__COUNT + 1];
static uint16_t alias_rows[ISA__COUNT];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static int key_of(uint32_t w)
{
    if ((w & 3) == 3)
        return (int)(((w >> 2) & 31) | ((w >> 12) & 7) << 5);
    return 256 + (int)((w & 3) | ((w >> 13) & 7) << 2);
}

/* Calls f for every key the row can match (funct3 not fixed: all 8). */
static void each_key(const isa_row *r, void (*f)(int key, int id), int id)
{
    if (r->len == 2) {
        f(256 + (int)((r->match & 3) | ((r->match >> 13) & 7) << 2), id);
        return;
    }
    int fixed = (r->mask & 0x7000u) == 0x7000u;
    for (uint32_t f3 = 0; f3 < 8; f3++)
        if (!fixed || f3 == ((r->match >> 12) & 7))
            f((int)(((r->match >> 2) & 31) | f3 << 5), id);
}

static void count_key(int key, int id)
{
    (void)id;
    bucket_start[key + 1]++;
}

static uint16_t fill_at[N_KEYS];
static void fill_key(int key, int id) { bucket_rows[fill_at[key]++] = (uint16_t)id; }

static void build_index(void)
{
    for (int id = 1; id < ISA__COUNT; id++)
        if (!isa_is_alias((isa_id)id))
            each_key(&isa_rows[id], count_key, id);
    for (int k = 0; k < N_KEYS; k++) {
        bucket_start[k + 1] += bucket_start[k];
        fill_at[k] = bucket_start[k];
    }
    for (int id = 1; id < ISA__COUNT; id++)
        if (!isa_is_alias((isa_id)id))
            each_key(&isa_rows[id], fill_key, id);
    /* aliases by base, in table order */
    for (int id = 1; id < ISA__COUNT; id++)
        if (isa_is_alias((isa_id)id))
            alias_start[isa_rows[id].base + 1]++;
    for (int i = 0; i < ISA__COUNT; i++)
        alias_start[i + 1] += alias_start[i];
    uint16_t at[ISA__COUNT];
    for (int i = 0; i < ISA__COUNT; i++)
        at[i] = alias_start[i];
    for (int id = 1; id < ISA__COUNT; id++)
        if (isa_is_alias((isa_id)id))
            alias_rows[at[isa_rows[id].base]++] = (uint16_t)id;
}

void isa_index_ready(void) { pthread_once(&index_once, build_index); }

const uint16_t *isa_aliases_of(isa_id base, int *n)
{
    isa_index_ready();
    *n = alias_start[base + 1] - alias_start[base];
    return alias_rows + alias_start[base];
}

int isa_opk_extract(const isa_opkind *o, uint32_t w, int64_t *out)
{
    if (!o->n_segs) {
        *out = o->bias;
        return 1;
    }
    uint32_t v = 0, seen = 0;
    for (int i = 0; i < o->n_segs; i++) {
        const isa_seg *s = &o->seg[i];
        uint32_t m = ((1u << s->width) - 1) << s->from;
        uint32_t bits = ((w >> s->at) & ((1u << s->width) - 1)) << s->from;
        if (seen & m) {
            if ((v & m) != bits)
                return 0; /* copies of one value disagree */
        } else {
            v |= bits;
            seen |= m;
        }
    }
    int64_t x = v;
    if (o->type == ISA_T_S) {
        int top = 31 - __builtin_clz(o->vmask);
        if (v >> top & 1)
            x = (int64_t)v - ((int64_t)1 << (top + 1));
    }
    x += o->bias;
    if ((o->flags & ISA_F_NZ) && x == 0)
        return 0;
    if ((o->flags & ISA_F_NOT2) && x == 2)
        return 0;
    if ((o->flags & ISA_F_RMOK) && (x == 5 || x == 6))
        return 0;
    *out = x;
    return 1;
}

uint32_t isa_row_part_of(const isa_row *r, int i, uint32_t *whole)
{
    const isa_opkind *o = &isa_opkinds[r->ops[i]];
    uint32_t others = 0;
    if (o->type != ISA_T_U || o->slot == ISA_SLOT_NONE)
        return 0;
    for (int j = 0; j < r->n_ops; j++) {
        const isa_opkind *p = &isa_opkinds[r->ops[j]];
        if (j != i && p->slot == o->slot && p->type == ISA_T_U && !(p->vmask & o->vmask))
            others |= p->vmask;
    }
    if (whole)
        *whole = others | o->vmask;
    return others ? o->vmask : 0;
}

/* Fills in's fields from w as row id reads it; 0 if an operand rejects w. */
int isa_row_extract(isa_id id, uint32_t w, isa_inst *in)
{
    const isa_row *r = &isa_rows[id];
    for (int i = 0; i < r->n_ops; i++) {
        const isa_opkind *o = &isa_opkinds[r->ops[i]];
        int64_t v;
        if (!isa_opk_extract(o, w, &v))
            return 0;
        if (isa_row_part_of(r, i, NULL)) /* add to what the other parts put there */
            v |= isa_field_get(in, o->slot);
        isa_field_set(in, o->slot, v);
        isa_field_set(in, o->slot2, v);
    }
    return 1;
}

int isa_decode(uint32_t word, isa_inst *out)
{
    isa_index_ready();
    int len = (word & 3) == 3 ? 4 : 2;
    if (len == 2)
        word &= 0xffff;
    int key = key_of(word);
    for (int i = bucket_start[key]; i < bucket_start[key + 1]; i++) {
        isa_id id = (isa_id)bucket_rows[i];
        const isa_row *r = &isa_rows[id];
        if ((word & r->mask) != r->match)
            continue;
        isa_inst in = {0};
        in.vm = 1;
        if (!isa_row_extract(id, word, &in))
            continue;
        in.id = id;
        in.base = r->base;
        in.word = word;
        in.len = (uint8_t)len;
        if (r->ext >= ISA_EXT_V && r->cls != ISA_CL_VSET)
            in.vm = (uint8_t)(word >> 25 & 1);
        *out = in;
        return len;
    }
    *out = (isa_inst){.id = ISA_INVALID, .base = ISA_INVALID, .word = word, .len = (uint8_t)len, .vm = 1};
    return len;
}
