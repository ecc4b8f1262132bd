/* sweep.c - instruction text for rows.py to compare with GNU binutils
 * and llvm-mc, one line per instruction: "hex<TAB>GNU-as text<TAB>objdump
 * text" (the objdump text has its own tab after the mnemonic), at the
 * addresses the lines have when assembled in order.
 *
 *   isa_sweep rows N      every table row encoded with N operand sets
 *   isa_sweep c16         every 16-bit word (no GNU-as text)
 *   isa_sweep words N     N random 32-bit words, a third forced into the
 *                         vector opcodes (no GNU-as text)
 *
 * Row operands come from a generator seeded per row, so adding a row
 * leaves the other rows' lines alone; combinations the encoder rejects
 * are skipped (validate.c covers those). Vector registers within one
 * line are distinct and compressed hint encodings GNU as refuses are
 * avoided, so every line is valid GNU as input. */
#include "isa/isa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

static const uint16_t csr_pick[] = {0x001, 0x002, 0x003, 0x008, 0x009, 0x00a, 0x00f, 0xc00, 0xc01,
                                    0xc02, 0xc20, 0xc21, 0xc22, 0x7c0, 0x7ff, 0x800, 0x8ff, 0x5c0};
static const uint8_t rm_pick[] = {0, 1, 2, 3, 4, 7, 7, 7};

/* a value for operand kind k; variant 0/1 give the extremes */
static int64_t pick(const isa_opkind *k, int variant)
{
    if (!k->n_segs)
        return k->bias;
    int lo = __builtin_ctz(k->vmask), top = 31 - __builtin_clz(k->vmask);
    int64_t min = k->type == ISA_T_S ? -((int64_t)1 << top) : 0;
    int64_t max = k->type == ISA_T_S ? ((int64_t)1 << top) - 1 : ((int64_t)1 << (top + 1)) - 1;
    int64_t step = (int64_t)1 << lo;
    switch (k->print) {
    case ISA_P_VM: return variant == 0 ? 1 : variant == 1 ? 0 : (int64_t)(rnd() & 1);
    case ISA_P_RM: return rm_pick[variant < 2 ? 7u * (unsigned)variant : rnd() % 8];
    case ISA_P_CSR: return csr_pick[rnd() % (sizeof csr_pick / sizeof csr_pick[0])];
    case ISA_P_FENCE: return (int64_t)(1 + rnd() % 15) << k->seg[0].from;
    case ISA_P_VTYPE: {
        static const unsigned lm[7] = {0, 1, 2, 3, 5, 6, 7};
        return (int64_t)(lm[rnd() % 7] | (rnd() % 4) << 3 | (rnd() % 4) << 6);
    }
    default: break;
    }
    int64_t v;
    if (variant == 0)
        v = min;
    else if (variant == 1)
        v = max;
    else if (variant == 2 && k->type == ISA_T_S)
        v = -step;
    else
        v = min + (int64_t)(((uint64_t)rnd() << 20 ^ rnd()) % (uint64_t)((max - min) / step + 1)) * step;
    if ((k->flags & ISA_F_NZ) && v == 0)
        v = step;
    return v + k->bias;
}

static int line(isa_id id, int variant, uint64_t *pc)
{
    const isa_row *r = isa_row_of(id);
    isa_inst in = {.id = id, .vm = 1, .rm = 7};
    int vregs[ISA_MAX_OPS], nv = 0;
    for (int i = 0; i < r->n_ops; i++) {
        const isa_opkind *k = &isa_opkinds[r->ops[i]];
        int64_t v = pick(k, variant);
        if (k->type == ISA_T_V && k->n_segs) {
            for (int again = 1; again;) { /* distinct vector registers */
                again = 0;
                for (int j = 0; j < nv; j++)
                    if (vregs[j] == v) {
                        v = (v + 1) & 31;
                        again = 1;
                    }
            }
            vregs[nv++] = (int)v;
        }
        if (k->type == ISA_T_X && r->len == 2 && v == 0 && k->slot == ISA_SLOT_RD)
            v = 10; /* compressed hints (rd x0, no shift, adding 0): GNU as refuses them */
        if (r->len == 2 && v == 0 && (r->ops[i] == ISA_OP_CSH6 || (id == ISA_C_ADDI && k->slot == ISA_SLOT_IMM)))
            v = 1;
        if (k->print == ISA_P_TGT && (int64_t)*pc + v < 0)
            v = -v > 0 && -v <= ((int64_t)1 << (31 - __builtin_clz(k->vmask))) - 2 ? -v : 2 * k->vmask / 4;
        if (isa_row_part_of(r, i, NULL)) /* one part of a shared field (fence pred, succ) */
            v |= isa_field_get(&in, k->slot);
        isa_field_set(&in, k->slot, v);
        isa_field_set(&in, k->slot2, v);
    }
    uint32_t w;
    if (isa_encode(&in, NULL, &w))
        return 0;
    isa_inst d;
    isa_decode(w, &d);
    if (d.id != r->base && d.id != id) {
        fprintf(stderr, "sweep: %s encodes to %08x, which decodes as %s\n", r->mnemonic, w, isa_row_of(d.id)->mnemonic);
        exit(1);
    }
    char gas[160], dis[160];
    isa_print(&d, *pc, &(isa_style){ISA_GAS, NULL, NULL, NULL}, gas, sizeof gas);
    isa_print(&d, *pc, &(isa_style){ISA_OBJDUMP, NULL, NULL, NULL}, dis, sizeof dis);
    printf(d.len == 2 ? "%04x\t%s\t%s\n" : "%08x\t%s\t%s\n", w, gas, dis);
    *pc += d.len;
    return 1;
}

static void word_line(uint32_t w, uint64_t *pc)
{
    isa_inst d;
    isa_decode(w, &d);
    char dis[160];
    isa_print(&d, *pc, &(isa_style){ISA_OBJDUMP, NULL, NULL, NULL}, dis, sizeof dis);
    printf(d.len == 2 ? "%04x\t\t%s\n" : "%08x\t\t%s\n", d.word, dis);
    *pc += d.len;
}

int main(int argc, char **argv)
{
    uint64_t pc = 0;
    int n = argc > 2 ? atoi(argv[2]) : 0;
    if (argc > 1 && !strcmp(argv[1], "rows") && n > 0) {
        for (int id = 1; id < ISA__COUNT; id++) {
            rng_state = 0x9e3779b97f4a7c15ull * (uint64_t)id;
            /* a row with no operand bits has one encoding */
            int want = isa_row_of((isa_id)id)->mask == (isa_row_of((isa_id)id)->len == 2 ? 0xffffu : 0xffffffffu) ? 1 : n;
            for (int t = 0, made = 0; made < want && t < n * 8; t++)
                made += line((isa_id)id, t, &pc);
        }
    } else if (argc > 1 && !strcmp(argv[1], "c16")) {
        for (uint32_t w = 0; w < 0x10000; w++)
            if ((w & 3) != 3)
                word_line(w, &pc);
    } else if (argc > 1 && !strcmp(argv[1], "words") && n > 0) {
        static const uint32_t major[] = {0x57, 0x07, 0x27};
        rng_state = 1;
        for (int i = 0; i < n; i++) {
            uint32_t w = rnd() << 1 ^ rnd() >> 20;
            w |= 3;
            if ((w & 0x1c) == 0x1c) /* 48-bit and longer encodings: not RV64GCV */
                w ^= 4;
            if (i % 3 == 0)
                w = (w & ~0x7fu) | major[i / 3 % 3];
            word_line(w, &pc);
        }
    } else {
        fprintf(stderr, "usage: isa_sweep rows N | c16 | words N\n");
        return 2;
    }
    return 0;
}
