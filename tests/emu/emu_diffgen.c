/* emu_diffgen.c - writes random-instruction modules for the emulator's
 * differential test against qemu (emu_diff.py): each module has one RVV
 * step that loads the whole vector register file, eight f and nine x
 * registers from its input x (random bits chosen by the driver), sets a
 * random rounding mode and vxrm, runs a random sequence of vector instructions
 * under random legal vtypes and AVLs - every arithmetic, compare, mask,
 * move, slide, gather, compress, reduction, widening, carry, fixed-point,
 * conversion, estimate (vfrec7, vfrsqrt7) and load/store row of rv.def
 * the emulator implements (indexed ones with their offsets masked into
 * the buffers first), the scalar A extension's AMOs and LR/SC on the
 * scratch area, masked and unmasked, with register operands
 * validated by the ISA layer (isa_encode) under the live vtype - and
 * stores every register (and vxsat) to its output y. Both executors run the same
 * file, so the outputs must be bit-identical.
 *
 *   emu_diffgen OUTDIR COUNT SEED     writes OUTDIR/diff<i>.rvvmod */
#include "codegen/asm.h"
#include "isa/isa.h"
#include "module/module.h"
#include "util/mem.h"
#include "util/npy.h"
#include "util/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X_BYTES 8192
#define Y_DUMP (32 * 128 + 256)
#define Y_BYTES (Y_DUMP + 8192) /* the dump, then a scratch area random stores write */
#define N_INSNS 48

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* scalar registers holding random values (x operands and scalar results) */
static const int xregs[] = {A3, A4, A5, A6, A7, T3, T4, T5, T6};
#define N_XREGS 9

/* rows the emulator implements and the generator may emit: the vector
 * rows and the scalar A extension (AMOs and LR/SC on the scratch area) */
static int wanted(isa_id id)
{
    const isa_row *r = isa_row_of(id);
    if (r->base != id || r->len != 4)
        return 0;
    if (r->ext == ISA_EXT_A)
        return 1;
    if (r->ext < ISA_EXT_V || r->cls == ISA_CL_VSET)
        return 0;
    const char *mn = r->mnemonic;
    /* qemu 7.2 aborts translating the .rtz conversions (asm.h): no reference */
    if (strstr(mn, ".rtz."))
        return 0;
    return 1;
}

static isa_id rows[ISA__COUNT];
static int n_rows;
/* rows drawn one time in eight, so each module has a few: the estimates
 * and vfncvt.rod need float SEWs the uniform draw rarely meets, and SC
 * succeeds only after an LR */
static isa_id boost[16];
static int n_boost;
static int boosted(isa_id id)
{
    static const char *const pre[] = {"vfrec7", "vfrsqrt7", "vfncvt.rod", "lr.", "sc.", NULL};
    for (int i = 0; pre[i]; i++)
        if (!strncmp(isa_row_of(id)->mnemonic, pre[i], strlen(pre[i])))
            return 1;
    return 0;
}

/* A random encodable instance of a random row under (sew, lmul8). */
static int random_insn(unsigned sew, int lmul8, uint32_t *word)
{
    isa_vctx ctx = {sew, lmul8, ISA_X_V};
    for (int attempt = 0; attempt < 200; attempt++) {
        isa_id id = n_boost && rnd() % 8 == 0 ? boost[rnd() % (unsigned)n_boost] : rows[rnd() % (unsigned)n_rows];
        const isa_row *r = isa_row_of(id);
        isa_inst in = {.id = id, .vm = rnd() % 4 != 0, .rm = 7};
        uint32_t opc = r->match & 0x7f;
        int mem = opc == 0x07 || opc == 0x27, amo = opc == 0x2f;
        for (int i = 0; i < r->n_ops; i++) {
            const isa_opkind *o = &isa_opkinds[r->ops[i]];
            int64_t v;
            if (o->type == ISA_T_V)
                v = rnd() % 32;
            else if (o->type == ISA_T_X && mem) /* base: mid-x for loads, mid-scratch for stores; stride a0 */
                v = o->slot == ISA_SLOT_RS1 ? (opc == 0x07 ? A1 : T2) : A0;
            else if (o->type == ISA_T_X && amo && o->slot == ISA_SLOT_RS1) /* an aligned scratch address */
                v = T2;
            else if (o->type == ISA_T_X)
                v = xregs[rnd() % N_XREGS];
            else if (o->type == ISA_T_F)
                v = FA0 + rnd() % 8;
            else if (o->type == ISA_T_S)
                v = (int64_t)(rnd() % 32) - 16;
            else
                v = rnd() % 32;
            if (o->slot != ISA_SLOT_NONE && o->slot != ISA_SLOT_VM && o->slot != ISA_SLOT_RM)
                isa_field_set(&in, o->slot, v);
        }
        if (isa_encode(&in, &ctx, word) == 0)
            return 0;
    }
    return RV_EINTERNAL;
}

static const int lmuls[] = {-8, -4, -2, 1, 2, 4, 8};

/* Before an indexed access (word w, under sew/lmul8 = asm_vsetvli's l):
 * switches to the index vector's EEW and EMUL (the same VLMAX, so the
 * same vl from the AVL in t0), ands the byte offsets with 0x3f8 (8-byte
 * aligned, at most 1016 + 8 fields x 8 bytes past the base: inside the
 * buffers) and switches back. Other words need nothing. */
static int index_offsets(cg_asm *a, uint32_t w, unsigned sew, int lmul8, int l)
{
    uint32_t opc = w & 0x7f, mop = (w >> 26) & 3, width = (w >> 12) & 7;
    if ((opc != 0x07 && opc != 0x27) || (mop != 1 && mop != 3) || !(width == 0 || width >= 5))
        return 0;
    unsigned eew = width == 0 ? 8 : width == 5 ? 16 : width == 6 ? 32 : 64;
    int emul8 = (int)((unsigned)lmul8 * eew / sew);
    if (emul8 < 1 || emul8 > 64)
        return RV_EINTERNAL; /* isa_encode accepted a reserved EMUL */
    asm_vsetvli(a, 0, T0, (int)eew, emul8 >= 8 ? emul8 / 8 : -(8 / emul8));
    asm_li(a, T1, 0x3f8);
    isa_vctx ctx = {eew, emul8, ISA_X_V};
    isa_inst in = {.id = ISA_VAND_VX, .rd = (uint8_t)((w >> 20) & 31), .rs2 = (uint8_t)((w >> 20) & 31), .rs1 = T1,
                   .vm = 1};
    uint32_t aw;
    if (isa_encode(&in, &ctx, &aw))
        return RV_EINTERNAL;
    asm_word(a, aw);
    asm_vsetvli(a, T1, T0, (int)sew, l);
    return 0;
}

static int write_module(const char *path)
{
    cg_asm a;
    asm_init(&a);
    asm_ld(&a, A1, A0, 0); /* x */
    asm_ld(&a, A2, A0, 8); /* y */
    asm_word(&a, 0xc2202e73u); /* csrr t3, vlenb */
    asm_slli(&a, T4, T3, 3);   /* 8 * vlenb */
    asm_mv(&a, T5, A1);
    for (int g = 0; g < 32; g += 8) {
        isa_inst in = {.id = ISA_VL8RE8_V, .rd = (uint8_t)g, .rs1 = T5, .vm = 1};
        uint32_t w;
        if (isa_encode(&in, NULL, &w))
            return RV_EINTERNAL;
        asm_word(&a, w);
        asm_add(&a, T5, T5, T4);
    }
    /* scalars from the 512 bytes after the largest register file */
    asm_li(&a, T5, 4096);
    asm_add(&a, T5, A1, T5);
    for (int i = 0; i < 8; i++) {
        isa_inst in = {.id = (i & 1) ? ISA_FLD : ISA_FLW, .rd = (uint8_t)(FA0 + i), .rs1 = T5, .imm = 8 * i};
        uint32_t w;
        if (isa_encode(&in, NULL, &w))
            return RV_EINTERNAL;
        asm_word(&a, w); /* flw NaN-boxes; fld leaves singles improperly boxed: both paths */
    }
    for (int i = 0; i < N_XREGS; i++)
        asm_ld(&a, xregs[i] == T5 ? T6 : xregs[i], T5, 64 + 8 * i); /* t5 last, below */
    asm_ld(&a, T5, T5, 64 + 8 * 7);
    /* memory operands: loads around x + 4096, stores around the middle of y's
     * scratch area, strides in -32..32 (80 elements x 8 fields x 8 bytes fit) */
    asm_li(&a, T0, 4096);
    asm_add(&a, A1, A1, T0);
    asm_li(&a, T2, Y_DUMP + 4096);
    asm_add(&a, T2, A2, T2);
    asm_li(&a, A0, (int64_t)(rnd() % 65) - 32);
    asm_fsrmi(&a, (int)(rnd() % 4));
    uint32_t csrw;
    isa_inst vx = {.id = ISA_CSRRWI, .rd = 0, .csr = 0x00a, .imm = rnd() % 4}; /* csrwi vxrm, random */
    if (isa_encode(&vx, NULL, &csrw))
        return RV_EINTERNAL;
    asm_word(&a, csrw);
    unsigned sew = 0;
    int lmul8 = 8, cur_l = 1;
    uint32_t lr_width = 0; /* funct3 of the LR holding the reservation, 0 none */
    for (int k = 0; k < N_INSNS; k++) {
        if (k % 6 == 0) {
            unsigned s;
            int l;
            do {
                s = 8u << (rnd() % 4);
                l = lmuls[rnd() % 7];
            } while (l < 0 && s * (unsigned)-l > 64); /* SEW <= LMUL * ELEN */
            int avl = (int)(rnd() % 80);
            asm_li(&a, T0, avl);
            asm_vsetvli(&a, T1, T0, (int)s, l); /* vl <= 79 keeps strided accesses inside the buffers */
            sew = s;
            cur_l = l;
            lmul8 = l > 0 ? 8 * l : 8 / -l;
        }
        uint32_t w;
        do {
            if (random_insn(sew, lmul8, &w))
                return RV_EINTERNAL;
            /* an SC of the other width than the reserving LR: qemu stores
             * when the low word matches yet reports failure (its compare is
             * at LR's width); the emulator fails it outright, as the A
             * extension allows - not generated */
        } while ((w & 0x7f) == 0x2f && w >> 27 == 3 && lr_width && ((w >> 12) & 7) != lr_width);
        if ((w & 0x7f) == 0x2f && (w >> 27 == 2 || w >> 27 == 3))
            lr_width = w >> 27 == 2 ? (w >> 12) & 7 : 0; /* LR reserves, every SC ends the reservation */
        if (index_offsets(&a, w, sew, lmul8, cur_l))
            return RV_EINTERNAL;
        asm_word(&a, w);
    }
    asm_fsrmi(&a, 0);
    /* store everything: the vector registers, then x and f registers */
    asm_mv(&a, T1, A2);
    for (int g = 0; g < 32; g += 8) {
        isa_inst in = {.id = ISA_VS8R_V, .rd = (uint8_t)g, .rs1 = T1, .vm = 1};
        uint32_t w;
        if (isa_encode(&in, NULL, &w))
            return RV_EINTERNAL;
        asm_word(&a, w);
        asm_word(&a, 0xc2202073u | (uint32_t)T2 << 7); /* csrr t2, vlenb */
        asm_slli(&a, T2, T2, 3);
        asm_add(&a, T1, T1, T2);
    }
    isa_inst rs = {.id = ISA_CSRRS, .rd = A3, .rs1 = 0, .csr = 0x009}; /* a3 = vxsat */
    if (isa_encode(&rs, NULL, &csrw))
        return RV_EINTERNAL;
    asm_word(&a, csrw);
    asm_li(&a, T0, 4096);
    asm_add(&a, T0, A2, T0);
    for (int i = 0; i < N_XREGS; i++)
        asm_sd(&a, xregs[i], T0, 8 * i);
    for (int i = 0; i < 8; i++) {
        isa_inst in = {.id = ISA_FSD, .rs2 = (uint8_t)(FA0 + i), .rs1 = T0, .imm = 8 * (N_XREGS + i)};
        uint32_t w;
        if (isa_encode(&in, NULL, &w))
            return RV_EINTERNAL;
        asm_word(&a, w);
    }
    asm_li(&a, A0, 0);
    asm_ret(&a);
    int rc = asm_finish(&a);
    modb b;
    modb_init(&b);
    tensor tx = {DT_U8, 1, {X_BYTES}, NULL, 0}, ty = {DT_U8, 1, {Y_BYTES}, NULL, 0};
    uint32_t ids[2];
    uint64_t id64[2];
    if (!rc)
        rc = modb_tensor(&b, "x", &tx, MOD_T_INPUT, 0, NULL, &ids[0]);
    if (!rc)
        rc = modb_tensor(&b, "y", &ty, MOD_T_OUTPUT, 0, NULL, &ids[1]);
    id64[0] = ids[0];
    id64[1] = ids[1];
    if (!rc)
        rc = modb_step_rvv(&b, "random", "Random", id64, 1, 1, NULL, 0, a.w, a.n * 4, 0, 0);
    b.hdr.ext = MOD_EXT_V;
    b.hdr.min_vlen = 128;
    b.hdr.flags = MOD_FLAG_VLA;
    b.hdr.opset = 17;
    if (!rc)
        rc = modb_string(&b, "rv64gcv", &b.hdr.march);
    void *img = NULL;
    size_t len = 0;
    if (!rc)
        rc = modb_finish(&b, &img, &len);
    modb_free(&b);
    asm_free(&a);
    if (!rc)
        rc = file_write_atomic(path, img, len);
    mem_free(img);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: emu_diffgen OUTDIR COUNT SEED\n");
        return 2;
    }
    for (int id = 1; id < ISA__COUNT; id++)
        if (wanted((isa_id)id)) {
            rows[n_rows++] = (isa_id)id;
            if (boosted((isa_id)id) && n_boost < 16)
                boost[n_boost++] = (isa_id)id;
        }
    rng_state = strtoull(argv[3], NULL, 0) * 2654435761u + 1;
    for (int i = 0; i < atoi(argv[2]); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/diff%d.rvvmod", argv[1], i);
        if (write_module(path)) {
            fprintf(stderr, "emu_diffgen: %s: %s\n", path, err_message());
            return 1;
        }
    }
    printf("%d rows (%d drawn more often)\n", n_rows, n_boost);
    return 0;
}
