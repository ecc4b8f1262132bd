/* print.c - instruction text in two syntaxes from the same rows:
 * objdump -d's (tab after the mnemonic, operands joined by "," with no
 * space, aliases, compressed instructions shown as the instruction they
 * expand to, ".4byte 0x..." for unknown words) and GNU-as source
 * (", " separators, aliases, compressed rows as their c. mnemonic, branch
 * targets as labels or ".+offset", ".word 0x........" for unknown words)
 * that riscv64-linux-gnu-as assembles back to the same bytes. */
#include "isa.h"
#include "isa_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const xreg[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
static const char *const freg[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
static const char *const rm_names[8] = {"rne", "rtz", "rdn", "rup", "rmm", "?", "?", "dyn"};

/* the CSRs printed by name (objdump knows more; others print as hex) */
static const struct { uint16_t num; const char *name; } csrs[] = {
    {0x001, "fflags"}, {0x002, "frm"}, {0x003, "fcsr"}, {0x008, "vstart"}, {0x009, "vxsat"}, {0x00a, "vxrm"},
    {0x00f, "vcsr"}, {0xc00, "cycle"}, {0xc01, "time"}, {0xc02, "instret"}, {0xc20, "vl"}, {0xc21, "vtype"},
    {0xc22, "vlenb"}, {0x100, "sstatus"}, {0x104, "sie"}, {0x105, "stvec"}, {0x140, "sscratch"},
    {0x141, "sepc"}, {0x142, "scause"}, {0x143, "stval"}, {0x144, "sip"}, {0x180, "satp"},
    {0x300, "mstatus"}, {0x301, "misa"}, {0x304, "mie"}, {0x305, "mtvec"}, {0x340, "mscratch"},
    {0x341, "mepc"}, {0x342, "mcause"}, {0x343, "mtval"}, {0x344, "mip"}, {0xf14, "mhartid"},
};

typedef struct out {
    char *p;
    size_t cap, n;
} out;

static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->n < o->cap ? o->p + o->n : NULL, o->n < o->cap ? o->cap - o->n : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += (size_t)k;
}

static const char *reg_name(int type, int64_t v, char *tmp)
{
    unsigned r = (unsigned)v & 31;
    if (type == ISA_T_X)
        return xreg[r];
    if (type == ISA_T_F)
        return freg[r];
    snprintf(tmp, 8, "v%u", r);
    return tmp;
}

static int vtype_ok(unsigned vt, int bits)
{
    return !(vt >> 8 & ((1u << (bits - 8)) - 1)) && ((vt >> 3) & 7) <= 3 && (vt & 7) != 4;
}

static void put_vtype(out *o, unsigned vt, int bits, const char *sep)
{
    static const char *const lm[8] = {"m1", "m2", "m4", "m8", "", "mf8", "mf4", "mf2"};
    if (!vtype_ok(vt, bits)) {
        put(o, "%u", vt);
        return;
    }
    put(o, "e%u%s%s%s%s%s%s", 8u << ((vt >> 3) & 7), sep, lm[vt & 7], sep, vt >> 6 & 1 ? "ta" : "tu", sep,
        vt >> 7 & 1 ? "ma" : "mu");
}

static void put_fence(out *o, unsigned bits)
{
    if (!bits)
        put(o, "0");
    for (int i = 3; i >= 0; i--)
        if (bits >> i & 1)
            put(o, "%c", "wroi"[i]);
}

uint64_t isa_target(const isa_inst *in, uint64_t pc)
{
    const isa_row *r = isa_row_of(in->id);
    for (int i = 0; i < r->n_ops; i++)
        if (isa_opkinds[r->ops[i]].print == ISA_P_TGT)
            return pc + (uint64_t)in->imm;
    return UINT64_MAX;
}

/* Prints row r's operands from fields f. */
static void put_insn(out *o, const isa_row *r, const isa_inst *f, uint64_t pc, const isa_style *st)
{
    int gas = st->syntax == ISA_GAS;
    const char *sep = gas ? ", " : ",";
    char tmp[8];
    put(o, "%s", r->mnemonic);
    int first = 1, joined = 0;
    for (int i = 0; i < r->n_ops; i++) {
        const isa_opkind *k = &isa_opkinds[r->ops[i]];
        int64_t v = k->n_segs ? isa_field_get(f, k->slot) : k->bias;
        if (k->print == ISA_P_AQRL) {
            put(o, "%s", (const char *[]){"", ".rl", ".aq", ".aqrl"}[v & 3]);
            continue;
        }
        if (k->print == ISA_P_HIDE || (k->print == ISA_P_VM && v) || (k->print == ISA_P_RM && v == 7))
            continue;
        if (first)
            put(o, gas ? " " : "\t");
        else if (!joined)
            put(o, "%s", sep);
        first = joined = 0;
        switch (k->print) {
        case ISA_P_REG: put(o, "%s", reg_name(k->type, v, tmp)); break;
        case ISA_P_DEC: put(o, "%lld", (long long)v); break;
        case ISA_P_HEX: put(o, "0x%llx", (unsigned long long)v); break;
        case ISA_P_HI20: put(o, "0x%llx", (unsigned long long)((v >> 12) & 0xfffff)); break;
        case ISA_P_OFF: put(o, "%lld", (long long)v); joined = 1; break;
        case ISA_P_MEM: put(o, "(%s)", xreg[v & 31]); break;
        case ISA_P_RM: put(o, "%s", rm_names[v & 7]); break;
        case ISA_P_FENCE: put_fence(o, (unsigned)(v >> k->seg[0].from) & 15); break;
        case ISA_P_VTYPE: put_vtype(o, (unsigned)v, k->seg[0].width, sep); break;
        case ISA_P_VM: put(o, "v0.t"); break;
        case ISA_P_CSR: {
            const char *name = NULL;
            for (size_t c = 0; c < sizeof csrs / sizeof csrs[0] && !name; c++)
                if (csrs[c].num == v)
                    name = csrs[c].name;
            if (name)
                put(o, "%s", name);
            else
                put(o, "0x%llx", (unsigned long long)v);
            break;
        }
        case ISA_P_TGT: {
            uint64_t t = pc + (uint64_t)v;
            if (!gas) {
                put(o, "%llx", (unsigned long long)t);
                if (st->symbolize && o->n < o->cap) {
                    st->symbolize(st->ctx, t, o->p + o->n, o->cap - o->n);
                    o->n += strlen(o->p + o->n);
                }
            } else if (st->label_prefix) {
                put(o, "%s%llx", st->label_prefix, (unsigned long long)t);
            } else {
                put(o, ".%+lld", (long long)v);
            }
            break;
        }
        }
    }
}

/* The first alias of in's row that accepts its word, or its row. */
static isa_id spelling(const isa_inst *in, isa_inst *fields)
{
    int n;
    const uint16_t *al = isa_aliases_of(in->id, &n);
    for (int i = 0; i < n; i++) {
        const isa_row *a = &isa_rows[al[i]];
        isa_inst t = *in;
        if ((in->word & a->mask) == a->match && isa_row_extract((isa_id)al[i], in->word, &t)) {
            *fields = t;
            return (isa_id)al[i];
        }
    }
    *fields = *in;
    return in->id;
}

const char *isa_print(const isa_inst *in, uint64_t pc, const isa_style *st, char *buf, size_t cap)
{
    out o = {buf, cap, 0};
    if (cap)
        buf[0] = 0;
    if (in->id <= ISA_INVALID || in->id >= ISA__COUNT) {
        if (st->syntax == ISA_GAS)
            put(&o, in->len == 2 ? ".half 0x%04x" : ".word 0x%08x", in->word);
        else
            put(&o, ".%dbyte\t0x%x", in->len == 2 ? 2 : 4, in->word);
        return buf;
    }
    isa_inst e = *in;
    if (isa_rows[in->id].len == 2 && st->syntax == ISA_OBJDUMP) {
        /* objdump shows the 32-bit instruction a compressed one expands to */
        isa_inst b = *in;
        uint32_t w;
        b.id = in->base;
        if (isa_encode(&b, NULL, &w) == 0)
            isa_decode(w, &e);
    }
    isa_inst f;
    isa_id id = spelling(&e, &f);
    put_insn(&o, &isa_rows[id], &f, pc, st);
    return buf;
}
