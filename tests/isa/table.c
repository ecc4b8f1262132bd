/* table.c - properties of the rv.def table that need no assembler:
 * rows are well formed (match inside mask, every bit fixed or an
 * operand's, the format's opcode/funct fields fixed), no two rows accept
 * the same word (every pair of 32-bit rows, every 16-bit word), aliases
 * and compressed rows agree with their base rows, the decode index finds
 * what a linear scan finds, and a random sweep of 10^6 words decodes,
 * prints and re-encodes without loss. */
#include "check.h"
#include "isa/isa.h"
#include "util/status.h"

#include <inttypes.h>
#include <string.h>

static const uint32_t fmt_fixed[] = {
    [ISA_FMT_R] = 0xfe00707f, [ISA_FMT_RF] = 0xfe00007f, [ISA_FMT_I] = 0x707f, [ISA_FMT_S] = 0x707f, [ISA_FMT_B] = 0x707f,
    [ISA_FMT_U] = 0x7f, [ISA_FMT_J] = 0x7f, [ISA_FMT_R4] = 0x0600007f, [ISA_FMT_A] = 0xf800707f,
    [ISA_FMT_VA] = 0xfc00707f, [ISA_FMT_VL] = 0x1c00707f, [ISA_FMT_VS] = 0x1c00707f, [ISA_FMT_VC] = 0x8000707f,
    [ISA_FMT_CR] = 0xf003, [ISA_FMT_CI] = 0xe003, [ISA_FMT_CSS] = 0xe003, [ISA_FMT_CIW] = 0xe003,
    [ISA_FMT_CL] = 0xe003, [ISA_FMT_CS] = 0xe003, [ISA_FMT_CA] = 0xfc63, [ISA_FMT_CB] = 0xe003,
    [ISA_FMT_CJ] = 0xe003,
};

/* rows accepting w by a linear scan over the table (aliases excluded) */
static int scan(uint32_t w, isa_id *first)
{
    int n = 0;
    for (int id = 1; id < ISA__COUNT; id++) {
        const isa_row *r = isa_row_of((isa_id)id);
        if (isa_is_alias((isa_id)id) || (r->len == 2) != ((w & 3) != 3))
            continue;
        uint32_t x = r->len == 2 ? w & 0xffff : w;
        if ((x & r->mask) != r->match)
            continue;
        int ok = 1;
        for (int i = 0; i < r->n_ops && ok; i++) {
            const isa_opkind *k = &isa_opkinds[r->ops[i]];
            int64_t v = 0;
            uint32_t val = 0, seen = 0;
            for (int s = 0; s < k->n_segs; s++) {
                uint32_t m = ((1u << k->seg[s].width) - 1) << k->seg[s].from;
                uint32_t bits = ((x >> k->seg[s].at) & ((1u << k->seg[s].width) - 1)) << k->seg[s].from;
                if ((seen & m) && (val & m) != bits)
                    ok = 0;
                val |= bits;
                seen |= m;
            }
            v = val;
            if (k->type == ISA_T_S && k->n_segs && (val >> (31 - __builtin_clz(k->vmask)) & 1))
                v -= (int64_t)1 << (32 - __builtin_clz(k->vmask));
            v = k->n_segs ? v + k->bias : k->bias;
            if (((k->flags & ISA_F_NZ) && v == 0) || ((k->flags & ISA_F_NOT2) && v == 2) ||
                ((k->flags & ISA_F_RMOK) && (v == 5 || v == 6)))
                ok = 0;
        }
        if (ok && !n++)
            *first = (isa_id)id;
    }
    return n;
}

static void rows_well_formed(void)
{
    int bad = 0, n_real = 0, n_alias = 0, n_c = 0;
    for (int id = 1; id < ISA__COUNT; id++) {
        const isa_row *r = isa_row_of((isa_id)id);
        uint32_t full = r->len == 2 ? 0xffff : 0xffffffff, ops = 0;
        int overlap = 0;
        for (int i = 0; i < r->n_ops; i++) {
            uint32_t b = isa_opkinds[r->ops[i]].bits;
            overlap |= (ops & b) != 0;
            ops |= b;
        }
        n_real += r->base == (isa_id)id && r->len == 4;
        n_alias += isa_is_alias((isa_id)id);
        n_c += r->len == 2;
        if ((r->match & ~r->mask) || (r->mask | ops) != full || (r->mask & ops) || overlap ||
            (r->mask & fmt_fixed[r->fmt]) != fmt_fixed[r->fmt] || ((r->match & 3) == 3) != (r->len == 4)) {
            bad++;
            fprintf(stderr, "row %s: match %08x mask %08x operand bits %08x format %s\n", r->mnemonic, r->match,
                    r->mask, ops, isa_fmt_name(r->fmt));
        }
    }
    CHECK_MSG(!bad, "%d malformed rows", bad);
    printf("table: %d rows (%d instructions, %d compressed, %d aliases)\n", ISA__COUNT - 1, n_real, n_c, n_alias);
}

static void rows_disjoint(void)
{
    int overlaps = 0;
    for (int a = 1; a < ISA__COUNT; a++)
        for (int b = a + 1; b < ISA__COUNT; b++) {
            const isa_row *x = isa_row_of((isa_id)a), *y = isa_row_of((isa_id)b);
            if (isa_is_alias((isa_id)a) || isa_is_alias((isa_id)b) || x->len != 4 || y->len != 4)
                continue;
            uint32_t both = x->mask & y->mask;
            if (((x->match ^ y->match) & both) == 0) {
                overlaps++;
                fprintf(stderr, "rows %s and %s accept the same words\n", x->mnemonic, y->mnemonic);
            }
        }
    CHECK_MSG(!overlaps, "%d overlapping pairs of 32-bit rows", overlaps);
    /* 16-bit rows separate by operand rules too (c.lui/c.addi16sp,
     * c.jr/c.mv): try every word */
    int multi = 0, index_wrong = 0, expand_bad = 0, n_valid = 0;
    for (uint32_t w = 0; w < 0x10000; w++) {
        if ((w & 3) == 3)
            continue;
        isa_id first = ISA_INVALID;
        int n = scan(w, &first);
        isa_inst in;
        isa_decode(w, &in);
        multi += n > 1;
        index_wrong += in.id != (n ? first : ISA_INVALID);
        if (in.id == ISA_INVALID)
            continue;
        n_valid++;
        /* the expansion is an ordinary instruction of the base row */
        isa_inst b = in, e;
        uint32_t w32;
        b.id = in.base;
        if (isa_encode(&b, NULL, &w32) || (isa_decode(w32, &e), e.id != in.base) || e.rd != in.rd ||
            e.rs1 != in.rs1 || e.rs2 != in.rs2 || e.imm != in.imm)
            expand_bad++;
    }
    CHECK_MSG(!multi, "%d 16-bit words accepted by two rows", multi);
    CHECK_MSG(!index_wrong, "%d 16-bit words where the decode index and a scan disagree", index_wrong);
    CHECK_MSG(!expand_bad, "%d compressed words whose expansion does not round-trip", expand_bad);
    printf("compressed: %d of 49152 16-bit words decode\n", n_valid);
}

static void aliases_within_base(void)
{
    int bad = 0;
    for (int id = 1; id < ISA__COUNT; id++) {
        const isa_row *a = isa_row_of((isa_id)id), *b = isa_row_of(a->base);
        if (!isa_is_alias((isa_id)id))
            continue;
        if ((a->mask & b->mask) != b->mask || (a->match & b->mask) != b->match || isa_is_alias(a->base) ||
            b->len != 4) {
            bad++;
            fprintf(stderr, "alias %s is not a special case of %s\n", a->mnemonic, b->mnemonic);
        }
    }
    CHECK_MSG(!bad, "%d aliases outside their base row", bad);
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* 10^6 random words: each decodes to the one row a scan finds, or is
 * invalid and prints as .word/.half; valid ones print and re-encode to
 * the same bits. Every fourth word is forced into the vector opcodes. */
static void random_words(void)
{
    static const uint32_t major[] = {0x57, 0x07, 0x27, 0x53, 0x73};
    int n = 1000000, valid = 0, wrong_row = 0, reencode = 0, bad_text = 0, reserved = 0;
    char a[200], o[200], want[32];
    for (int i = 0; i < n; i++) {
        uint32_t w = rnd32();
        if (i % 4 == 0)
            w = (w & ~0x7fu) | major[(w >> 7) % 5];
        isa_inst in;
        int len = isa_decode(w, &in);
        isa_id first = ISA_INVALID;
        int rows = scan(len == 2 ? w & 0xffff : w, &first);
        wrong_row += rows > 1 || in.id != (rows ? first : ISA_INVALID);
        isa_print(&in, 0x10000, &(isa_style){ISA_GAS, ".L", NULL, NULL}, a, sizeof a);
        isa_print(&in, 0x10000, &(isa_style){ISA_OBJDUMP, NULL, NULL, NULL}, o, sizeof o);
        if (in.id == ISA_INVALID) {
            snprintf(want, sizeof want, len == 2 ? ".half 0x%04x" : ".word 0x%08x", in.word);
            bad_text += strcmp(a, want) != 0;
            continue;
        }
        valid++;
        uint32_t back;
        bad_text += !a[0] || !o[0] || a[0] == '.' || o[0] == '.';
        if (isa_pack(&in, &back) || back != in.word) {
            if (reencode++ < 10)
                fprintf(stderr, "%08x (%s) re-packs to %08x: %s\n", in.word, o, back, err_message());
        }
        /* reserved under every vtype: isa_encode must refuse, with text */
        if (isa_encode(&in, NULL, &back)) {
            reserved++;
            bad_text += back != 0 || !strstr(err_message(), isa_row_of(in.id)->mnemonic);
        }
    }
    CHECK_MSG(!wrong_row, "%d words decoded to the wrong row", wrong_row);
    CHECK_MSG(!reencode, "%d decoded words re-encode differently", reencode);
    CHECK_MSG(!bad_text, "%d words printed wrongly", bad_text);
    printf("random sweep: %d words, %d decode to one row, %d print as .word/.half, %d re-encode differently; "
           "%d are vector encodings reserved under any vtype (isa_encode refuses them)\n",
           n, valid, n - valid, reencode, reserved);
}

int main(void)
{
    rows_well_formed();
    aliases_within_base();
    rows_disjoint();
    random_words();
    return check_done();
}
