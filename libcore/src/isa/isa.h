/* isa.h - the RISC-V instruction layer: decode, encode (with operand
 * validation), and text in objdump's layout or as GNU-as source, all
 * driven by the one table in rv.def. The code generators reach it
 * through codegen/asm.h; `rvvnn disasm`, --emit=asm and the emulator use
 * it directly.
 *
 * Decoding fills an isa_inst: the row, and the operand values in named
 * fields (rd, rs1, rs2, rs3, imm, vm, rm, ...). Which register file a
 * field names comes from the row's operand kinds (isa_row_of(id)->ops):
 * for vector rows vd and the store data vs3 are in rd, vs1 in rs1, vs2
 * in rs2. A compressed row decodes with `base` set to the 32-bit row it
 * expands to and the fields filled for that row (c.addi16sp -16 reads as
 * addi sp, sp, -16), so an executor needs only the 32-bit semantics plus
 * `len` to advance the pc. Aliases (li, mv, ret, vmv.v.v's spellings...)
 * are printing and encoding spellings only: decode never returns them.
 *
 * An executor's loop:
 *
 *     isa_inst in;
 *     int len = isa_decode(fetch32(pc), &in);
 *     if (in.id == ISA_INVALID)                  -> illegal instruction
 *     if (isa_check(&in, &live_vtype))           -> reserved under this vtype
 *     switch (in.base) { case ISA_ADDI: x[in.rd] = x[in.rs1] + in.imm; ... }
 *     pc += len;
 *
 * and isa_vlayout_of() gives each vector operand's EEW and register
 * group under the live vtype.
 *
 * Nothing here allocates. isa_decode, isa_row_of and the printers never
 * fail; isa_encode returns 0 or RV_EINVAL with err_set() text naming the
 * instruction and the operand at fault. */
#ifndef RVVNN_ISA_H
#define RVVNN_ISA_H

#include <stddef.h>
#include <stdint.h>

typedef enum isa_id {
    ISA_INVALID = 0,
#define RV(id, ...) ISA_##id,
#include "rv.def"
    ISA__COUNT,
    ISA_SELF /* table marker: base of a row that is an instruction itself */
} isa_id;

typedef enum isa_opk {
#define OPK(name, ...) ISA_OP_##name,
#include "rv.def"
    ISA_OP__COUNT
} isa_opk;

/* instruction formats (documentation, and the table test checks each
 * row fixes at least its format's opcode/funct fields); RF: R with a
 * rounding mode in funct3 */
#define ISA_FORMATS(X) X(R) X(RF) X(I) X(S) X(B) X(U) X(J) X(R4) X(A) \
    X(VA) X(VL) X(VS) X(VC) X(CR) X(CI) X(CSS) X(CIW) X(CL) X(CS) X(CA) X(CB) X(CJ)
/* extensions. Vector float rows say which element widths are floats:
 * VF at SEW; VFW at SEW and 2*SEW; VFH as VFW but Zvfhmin is enough at
 * SEW 16 (vfwcvt.f.f.v, vfncvt.f.f.w); VFWI/VFNI integer to float (the
 * float is 2*SEW / SEW); VFWX/VFNX float to integer (SEW / 2*SEW). */
#define ISA_EXTS(X) X(I) X(M) X(A) X(F) X(D) X(C) X(ZICSR) X(ZIFENCEI) X(ZFHMIN) \
    X(V) X(VF) X(VFW) X(VFH) X(VFWI) X(VFNI) X(VFWX) X(VFNX)
/* vector operand constraint classes (see encode.c for the rules) */
#define ISA_CLASSES(X) X(NONE) X(VSET) X(VV) X(VW) X(VWW) X(VN) X(VMASK) X(VCARRY) \
    X(VRED) X(VWRED) X(VGATHER) X(VGATHER16) X(VSLIDEUP) X(VCOMPRESS) X(VEXT2) X(VEXT4) \
    X(VEXT8) X(VMLOGIC) X(VMSCALAR) X(VMSBF) X(VIOTA) X(VID) X(VSCALAR) X(VWHOLE) \
    X(VLD) X(VST) X(VLDX) X(VSTX) X(VLDW) X(VSTW) X(VLDM) X(VSTM)

typedef enum isa_fmt {
#define X(n) ISA_FMT_##n,
    ISA_FORMATS(X)
#undef X
} isa_fmt;
typedef enum isa_ext {
#define X(n) ISA_EXT_##n,
    ISA_EXTS(X)
#undef X
} isa_ext;
typedef enum isa_class {
#define X(n) ISA_CL_##n,
    ISA_CLASSES(X)
#undef X
} isa_class;

/* which isa_inst field an operand kind fills */
typedef enum isa_slot {
    ISA_SLOT_NONE, ISA_SLOT_RD, ISA_SLOT_RS1, ISA_SLOT_RS2, ISA_SLOT_RS3, ISA_SLOT_IMM,
    ISA_SLOT_VM, ISA_SLOT_RM, ISA_SLOT_AQRL, ISA_SLOT_VTYPE, ISA_SLOT_CSR
} isa_slot;
typedef enum isa_optype { ISA_T_X, ISA_T_F, ISA_T_V, ISA_T_S, ISA_T_U } isa_optype;
typedef enum isa_print_as {
    ISA_P_HIDE, ISA_P_REG, ISA_P_DEC, ISA_P_HEX, ISA_P_HI20, ISA_P_TGT, ISA_P_OFF, ISA_P_MEM,
    ISA_P_RM, ISA_P_CSR, ISA_P_FENCE, ISA_P_VTYPE, ISA_P_VM, ISA_P_AQRL
} isa_print_as;
enum { ISA_F_NZ = 1, ISA_F_NOT2 = 2, ISA_F_RMOK = 4 }; /* operand kind flags */

#define ISA_MAX_OPS 6
#define ISA_MAX_SEGS 8

typedef struct isa_seg {
    uint8_t at, from, width; /* word bits at.., value bits from.. */
} isa_seg;

typedef struct isa_opkind {
    const char *name;
    uint8_t slot, slot2;     /* isa_slot; slot2: a second field given the same value */
    uint8_t type, print, flags;
    int16_t bias;            /* value = field + bias; the value itself when n_segs == 0 */
    uint8_t n_segs;
    uint32_t vmask;          /* the value bits the segments give */
    uint32_t bits;           /* the word bits it covers */
    isa_seg seg[ISA_MAX_SEGS];
} isa_opkind;

typedef struct isa_row {
    const char *mnemonic;
    uint32_t match, mask;    /* (word & mask) == match; mask = bits no operand covers */
    isa_id base;             /* the row itself, an alias's row, a compressed row's expansion */
    uint8_t len;             /* 4, or 2 for compressed */
    uint8_t fmt, ext, cls;
    uint8_t n_ops;
    uint8_t ops[ISA_MAX_OPS]; /* isa_opk, in assembly order */
} isa_row;

typedef struct isa_inst {
    isa_id id;       /* row decoded, ISA_INVALID for a word no row accepts */
    isa_id base;     /* id itself, or the 32-bit row a compressed row expands to */
    uint32_t word;   /* the instruction bits (low 16 for compressed) */
    uint8_t len;     /* 2 or 4 bytes; from the low bits for an invalid word too */
    uint8_t rd, rs1, rs2, rs3;
    uint8_t vm;      /* vector rows: bit 25, 0 = masked by v0 (v0.t, vmerge's v0) */
    uint8_t rm;      /* rounding mode of rows with an rm operand (7 = dynamic) */
    uint8_t aqrl;    /* aq << 1 | rl */
    uint16_t vtype;  /* vsetvli/vsetivli immediate */
    uint16_t csr;
    int64_t imm;     /* sign- or zero-extended as the row says; branches and jumps:
                        byte offset; lui/auipc: value << 12; fence: pred << 4 | succ;
                        vsetivli: AVL; csr*i: uimm */
} isa_inst;

extern const isa_row isa_rows[ISA__COUNT];
extern const isa_opkind isa_opkinds[ISA_OP__COUNT];

static inline const isa_row *isa_row_of(isa_id id) { return &isa_rows[(unsigned)id < ISA__COUNT ? id : 0]; }
static inline int isa_is_alias(isa_id id) { return isa_rows[id].base != id && isa_rows[id].len == 4; }
const char *isa_ext_name(int ext);
const char *isa_class_name(int cls);
const char *isa_fmt_name(int fmt);

/* Decodes the instruction whose first bytes are word (a compressed one
 * uses the low 16 bits). Returns its length, 2 or 4; out->id is
 * ISA_INVALID when no row accepts it. */
int isa_decode(uint32_t word, isa_inst *out);

/* --- encoding ---------------------------------------------------------- */
/* Target vector features for validation (ISA_X_V = what V provides). */
enum {
    ISA_X_ELEN64 = 1,   /* 64-bit elements (Zve64x) */
    ISA_X_F32 = 2,      /* float32 elements (Zve32f) */
    ISA_X_F64 = 4,      /* float64 elements (Zve64d) */
    ISA_X_ZVFHMIN = 8,
    ISA_X_ZVFH = 16,
    ISA_X_V = ISA_X_ELEN64 | ISA_X_F32 | ISA_X_F64,
};
/* The vtype in force: sew 8..64 and LMUL as lmul8 = LMUL * 8 (1 = mf8 ..
 * 64 = m8). sew 0 (or a NULL context) means unknown: then only the rules
 * that hold for every vtype are checked. */
typedef struct isa_vctx {
    unsigned sew;
    int lmul8;
    unsigned ext;
} isa_vctx;

/* Builds in->id's word from the fields of in (fields the row does not use
 * are ignored) after isa_check(): 0, or RV_EINVAL with a message and
 * *word 0. This is what code generators call. */
int isa_encode(const isa_inst *in, const isa_vctx *ctx, uint32_t *word);
/* The operand checks alone: every operand's range and alignment, the
 * compressed rows' register rules, and for vector rows the register
 * group rules under ctx: groups aligned to their EMUL and inside
 * v0..v31, legal EMUL, no illegal overlap of the destination with a
 * source (widening, narrowing, mask-producing, gather, slide-up,
 * compress, iota, indexed segments), a masked destination clear of v0,
 * and element widths the extensions in ctx allow. An executor can call
 * it with the live vtype to find reserved encodings. */
int isa_check(const isa_inst *in, const isa_vctx *ctx);
/* Packs the fields without the vector register rules: the inverse of
 * isa_decode, for words that decode but are reserved under every vtype
 * (a masked vd of v0, a segment group past v31). */
int isa_pack(const isa_inst *in, uint32_t *word);

/* Shape of one vector operand group under a vtype. */
typedef struct isa_vgroup {
    uint8_t used;   /* the row has this operand */
    uint8_t eew;    /* element width; 1 for a mask */
    uint8_t regs;   /* registers spanned (segments: NFIELDS groups) */
    int16_t emul8;  /* EMUL * 8 of one group */
} isa_vgroup;
typedef struct isa_vlayout {
    isa_vgroup d, s1, s2; /* vd or store data vs3, vs1, vs2 */
    uint8_t nf;           /* segment fields, 1 when not a segment access */
} isa_vlayout;
/* Layout of a vector row's register operands under ctx (for rows with no
 * vector registers every group is unused). RV_EINVAL when the vtype
 * makes the row illegal (EMUL outside 1/8..8, element width over 64, a
 * float width the extensions lack). */
int isa_vlayout_of(isa_id id, const isa_vctx *ctx, isa_vlayout *out);

/* --- text -------------------------------------------------------------- */
typedef enum isa_syntax {
    ISA_OBJDUMP, /* "addi\ta0,a1,-7": objdump -d's text (aliases, expanded C) */
    ISA_GAS      /* "addi a0, a1, -7": GNU as source giving back the same bytes */
} isa_syntax;
typedef struct isa_style {
    isa_syntax syntax;
    /* GAS branch targets: label_prefix + hex address, or ".+offset" when NULL */
    const char *label_prefix;
    /* objdump branch targets: called to append " <sym+0x..>" (may be NULL) */
    void (*symbolize)(void *ctx, uint64_t addr, char *buf, size_t cap);
    void *ctx;
} isa_style;

/* Writes in's text (pc: its address) into buf; an invalid word prints as
 * objdump's ".4byte 0x..."/".2byte" or GNU as's ".word 0x........" /
 * ".half". Returns buf. */
const char *isa_print(const isa_inst *in, uint64_t pc, const isa_style *st, char *buf, size_t cap);
/* Target of a branch or jump at pc, or UINT64_MAX. */
uint64_t isa_target(const isa_inst *in, uint64_t pc);

/* Operand value helpers shared by the encoder, decoder and printer. */
int64_t isa_field_get(const isa_inst *in, int slot);
void isa_field_set(isa_inst *in, int slot, int64_t v);
/* Row r's operand i is one part of a field other operands share (fence:
 * pred and succ are both bits of imm): its value bits, else 0; *whole
 * (if not NULL) gets the bits of all the parts. */
uint32_t isa_row_part_of(const isa_row *r, int i, uint32_t *whole);

#endif
