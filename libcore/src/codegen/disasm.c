/* disasm.c - a table-driven decoder for the RV64I/M, F and RVV forms the
 * generators use (asm.c). Each row matches (word & mask) == match and
 * names an operand layout; rows are tried in order, specific before
 * general. Round trip (emit -> print -> GNU as -> same bytes) is tested
 * on every module the test suite compiles (tests/codegen). */
#include "disasm.h"

#include <stdio.h>
#include <string.h>

static const char *xr[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                             "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                             "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
static const char *fr[32] = {"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0",
                             "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5",
                             "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

/* operand layouts */
enum {
    L_RRR,     /* rd, rs1, rs2 */
    L_RRI,     /* rd, rs1, imm12 */
    L_SH,      /* rd, rs1, shamt */
    L_LUI,     /* rd, imm20 */
    L_LOAD,    /* rd, imm(rs1) */
    L_FLOAD,   /* frd, imm(rs1) */
    L_STORE,   /* rs2, imm(rs1) */
    L_FSTORE,  /* frs2, imm(rs1) */
    L_FRX,     /* frd, rs1 */
    L_FFF,     /* frd, frs1, frs2 */
    L_FF,      /* frd, frs1 */
    L_BR,      /* rs1, rs2, label */
    L_BRZ,     /* rs1, label */
    L_J,       /* label */
    L_JAL,     /* rd, label */
    L_NONE,    /* ret */
    L_VSETVLI, /* rd, rs1, vtype */
    L_VSETIVLI,/* rd, uimm, vtype */
    L_VLD,     /* vd, (rs1) */
    L_VLDS,    /* vd, (rs1), rs2 */
    L_VV,      /* vd, vs2, vs1 */
    L_VVFMA,   /* vd, vs1, vs2 */
    L_VF,      /* vd, vs2, fs1 */
    L_VFFMA,   /* vd, fs1, vs2 */
    L_V,       /* vd, vs2 */
    L_VS1,     /* vd, vs1 */
    L_VFS,     /* vd, fs1 */
    L_FV,      /* frd, vs2 */
    L_VX,      /* vd, vs2, rs1 */
    L_VI,      /* vd, vs2, simm5 */
    L_VUI,     /* vd, vs2, uimm5 */
    L_VIMM,    /* vd, simm5 */
    L_VVM,     /* vd, vs2, vs1, v0 */
    L_VFM,     /* vd, vs2, fs1, v0 */
};

typedef struct form {
    uint32_t mask, match;
    const char *name;
    int layout;
} form;

#define OPV(f6, f3) (((uint32_t)(f6) << 26) | ((uint32_t)(f3) << 12) | 0x57u)
#define M_OPV 0xfc00707fu           /* funct6, funct3, opcode */
#define M_OPV_VM 0xfe00707fu        /* + vm */
#define M_OPV_VS1 0xfc0ff07fu       /* + vs1 field */
#define M_OPV_VS2 0xfdf0707fu       /* + vm? no: vs2 field */

static const form forms[] = {
    /* scalar integer */
    {0xffffffff, 0x00008067, "ret", L_NONE},
    {0x0000707f, 0x00000013, "addi", L_RRI},
    {0xfc00707f, 0x00001013, "slli", L_SH},
    {0xfc00707f, 0x00005013, "srli", L_SH},
    {0x0000707f, 0x0000001b, "addiw", L_RRI},
    {0xfe00707f, 0x00000033, "add", L_RRR},
    {0xfe00707f, 0x40000033, "sub", L_RRR},
    {0xfe00707f, 0x02000033, "mul", L_RRR},
    {0x0000007f, 0x00000037, "lui", L_LUI},
    {0x0000707f, 0x00003003, "ld", L_LOAD},
    {0x0000707f, 0x00002003, "lw", L_LOAD},
    {0x0000707f, 0x00003023, "sd", L_STORE},
    {0x01f0707f, 0x00001063, "bnez", L_BRZ},
    {0x01f0707f, 0x00000063, "beqz", L_BRZ},
    {0x0000707f, 0x00005063, "bge", L_BR},
    {0x0000707f, 0x00006063, "bltu", L_BR},
    {0x0000707f, 0x00007063, "bgeu", L_BR},
    {0x00000fff, 0x0000006f, "j", L_J},
    {0x0000007f, 0x0000006f, "jal", L_JAL},
    /* scalar float (dynamic rounding) */
    {0x0000707f, 0x00002007, "flw", L_FLOAD},
    {0x0000707f, 0x00002027, "fsw", L_FSTORE},
    {0xfff0707f, 0xf0000053, "fmv.w.x", L_FRX},
    {0xfe00707f, 0x00007053, "fadd.s", L_FFF},
    {0xfe00707f, 0x08007053, "fsub.s", L_FFF},
    {0xfe00707f, 0x10007053, "fmul.s", L_FFF},
    {0xfe00707f, 0x18007053, "fdiv.s", L_FFF},
    {0xfff0707f, 0x58007053, "fsqrt.s", L_FF},
    /* vector configuration */
    {0x8000707f, 0x00007057, "vsetvli", L_VSETVLI},
    {0xc000707f, 0xc0007057, "vsetivli", L_VSETIVLI},
    /* vector loads / stores, unmasked (width decides the name below) */
    {0xfdf0007f, 0x02000007, "vle", L_VLD},
    {0xfdf0007f, 0x02000027, "vse", L_VLD},
    {0xfe00007f, 0x0a000007, "vlse", L_VLDS},
    {0xfe00007f, 0x0a000027, "vsse", L_VLDS},
    /* OPFVV */
    {M_OPV_VM, OPV(0x00, 1) | 1u << 25, "vfadd.vv", L_VV},
    {M_OPV_VM, OPV(0x01, 1) | 1u << 25, "vfredusum.vs", L_VV},
    {M_OPV_VM, OPV(0x02, 1) | 1u << 25, "vfsub.vv", L_VV},
    {M_OPV_VM, OPV(0x03, 1) | 1u << 25, "vfredosum.vs", L_VV},
    {M_OPV_VM, OPV(0x04, 1) | 1u << 25, "vfmin.vv", L_VV},
    {M_OPV_VM, OPV(0x06, 1) | 1u << 25, "vfmax.vv", L_VV},
    {M_OPV_VM, OPV(0x07, 1) | 1u << 25, "vfredmax.vs", L_VV},
    {M_OPV_VM, OPV(0x08, 1) | 1u << 25, "vfsgnj.vv", L_VV},
    {M_OPV_VM, OPV(0x09, 1) | 1u << 25, "vfsgnjn.vv", L_VV},
    {M_OPV_VM, OPV(0x0a, 1) | 1u << 25, "vfsgnjx.vv", L_VV},
    {M_OPV_VM | 0x000f8000u, OPV(0x10, 1) | 1u << 25, "vfmv.f.s", L_FV},
    {M_OPV_VM | 0x000f8000u, OPV(0x12, 1) | 1u << 25 | 1u << 15, "vfcvt.x.f.v", L_V},
    {M_OPV_VM | 0x000f8000u, OPV(0x12, 1) | 1u << 25 | 3u << 15, "vfcvt.f.x.v", L_V},
    {M_OPV_VM | 0x000f8000u, OPV(0x13, 1) | 1u << 25, "vfsqrt.v", L_V},
    {M_OPV_VM, OPV(0x18, 1) | 1u << 25, "vmfeq.vv", L_VV},
    {M_OPV_VM, OPV(0x19, 1) | 1u << 25, "vmfle.vv", L_VV},
    {M_OPV_VM, OPV(0x1b, 1) | 1u << 25, "vmflt.vv", L_VV},
    {M_OPV_VM, OPV(0x1c, 1) | 1u << 25, "vmfne.vv", L_VV},
    {M_OPV_VM, OPV(0x20, 1) | 1u << 25, "vfdiv.vv", L_VV},
    {M_OPV_VM, OPV(0x24, 1) | 1u << 25, "vfmul.vv", L_VV},
    {M_OPV_VM, OPV(0x28, 1) | 1u << 25, "vfmadd.vv", L_VVFMA},
    {M_OPV_VM, OPV(0x2c, 1) | 1u << 25, "vfmacc.vv", L_VVFMA},
    {M_OPV_VM, OPV(0x2f, 1) | 1u << 25, "vfnmsac.vv", L_VVFMA},
    /* OPFVF */
    {M_OPV_VM, OPV(0x00, 5) | 1u << 25, "vfadd.vf", L_VF},
    {M_OPV_VM, OPV(0x02, 5) | 1u << 25, "vfsub.vf", L_VF},
    {M_OPV_VM, OPV(0x04, 5) | 1u << 25, "vfmin.vf", L_VF},
    {M_OPV_VM, OPV(0x06, 5) | 1u << 25, "vfmax.vf", L_VF},
    {M_OPV_VM, OPV(0x08, 5) | 1u << 25, "vfsgnj.vf", L_VF},
    {M_OPV_VM | 0x01f00000u, OPV(0x10, 5) | 1u << 25, "vfmv.s.f", L_VFS},
    {M_OPV_VM | 0x01f00000u, OPV(0x17, 5) | 1u << 25, "vfmv.v.f", L_VFS},
    {M_OPV_VM, OPV(0x17, 5), "vfmerge.vfm", L_VFM},
    {M_OPV_VM, OPV(0x18, 5) | 1u << 25, "vmfeq.vf", L_VF},
    {M_OPV_VM, OPV(0x19, 5) | 1u << 25, "vmfle.vf", L_VF},
    {M_OPV_VM, OPV(0x1b, 5) | 1u << 25, "vmflt.vf", L_VF},
    {M_OPV_VM, OPV(0x1c, 5) | 1u << 25, "vmfne.vf", L_VF},
    {M_OPV_VM, OPV(0x1d, 5) | 1u << 25, "vmfgt.vf", L_VF},
    {M_OPV_VM, OPV(0x1f, 5) | 1u << 25, "vmfge.vf", L_VF},
    {M_OPV_VM, OPV(0x20, 5) | 1u << 25, "vfdiv.vf", L_VF},
    {M_OPV_VM, OPV(0x21, 5) | 1u << 25, "vfrdiv.vf", L_VF},
    {M_OPV_VM, OPV(0x24, 5) | 1u << 25, "vfmul.vf", L_VF},
    {M_OPV_VM, OPV(0x27, 5) | 1u << 25, "vfrsub.vf", L_VF},
    {M_OPV_VM, OPV(0x28, 5) | 1u << 25, "vfmadd.vf", L_VFFMA},
    {M_OPV_VM, OPV(0x2c, 5) | 1u << 25, "vfmacc.vf", L_VFFMA},
    {M_OPV_VM, OPV(0x2f, 5) | 1u << 25, "vfnmsac.vf", L_VFFMA},
    /* integer vector */
    {M_OPV_VM, OPV(0x00, 0) | 1u << 25, "vadd.vv", L_VV},
    {M_OPV_VM, OPV(0x02, 0) | 1u << 25, "vsub.vv", L_VV},
    {M_OPV_VM | 0x01f00000u, OPV(0x17, 0) | 1u << 25, "vmv.v.v", L_VS1},
    {M_OPV_VM, OPV(0x17, 0), "vmerge.vvm", L_VVM},
    {M_OPV_VM, OPV(0x00, 3) | 1u << 25, "vadd.vi", L_VI},
    {M_OPV_VM | 0x01f00000u, OPV(0x17, 3) | 1u << 25, "vmv.v.i", L_VIMM},
    {M_OPV_VM, OPV(0x25, 3) | 1u << 25, "vsll.vi", L_VUI},
    {M_OPV_VM, OPV(0x29, 3) | 1u << 25, "vsra.vi", L_VUI},
    {M_OPV_VM, OPV(0x00, 4) | 1u << 25, "vadd.vx", L_VX},
};

static int32_t sext(uint32_t v, int bits) { return (int32_t)(v << (32 - bits)) >> (32 - bits); }

static const char *vtype_str(uint32_t vt, char *buf, size_t cap)
{
    static const char *lm[8] = {"m1", "m2", "m4", "m8", "?", "mf8", "mf4", "mf2"};
    snprintf(buf, cap, "e%u, %s, %s, %s", 8u << ((vt >> 3) & 7), lm[vt & 7], (vt >> 6) & 1 ? "ta" : "tu",
             (vt >> 7) & 1 ? "ma" : "mu");
    return buf;
}

const char *disasm_word(uint32_t w, uint64_t pc, const char *lp, char *buf, size_t cap, uint64_t *target)
{
    *target = UINT64_MAX;
    const form *f = NULL;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0] && !f; i++)
        if ((w & forms[i].mask) == forms[i].match)
            f = &forms[i];
    if (!f) {
        snprintf(buf, cap, ".word 0x%08x", w);
        return buf;
    }
    unsigned rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31, f3 = (w >> 12) & 7;
    int32_t imm_i = sext(w >> 20, 12), imm_s = sext(((w >> 25) << 5) | ((w >> 7) & 31), 12);
    int32_t imm_b = sext(((w >> 31) << 12) | (((w >> 7) & 1) << 11) | (((w >> 25) & 0x3f) << 5) | (((w >> 8) & 15) << 1), 13);
    int32_t imm_j = sext(((w >> 31) << 20) | (((w >> 12) & 0xff) << 12) | (((w >> 20) & 1) << 11) | (((w >> 21) & 0x3ff) << 1), 21);
    char vt[48];
    static const unsigned width_bits[8] = {8, 0, 0, 0, 0, 16, 32, 64};
    switch (f->layout) {
    case L_RRR: snprintf(buf, cap, "%s %s, %s, %s", f->name, xr[rd], xr[rs1], xr[rs2]); break;
    case L_RRI: snprintf(buf, cap, "%s %s, %s, %d", f->name, xr[rd], xr[rs1], imm_i); break;
    case L_SH: snprintf(buf, cap, "%s %s, %s, %u", f->name, xr[rd], xr[rs1], (w >> 20) & 63); break;
    case L_LUI: snprintf(buf, cap, "lui %s, 0x%x", xr[rd], w >> 12); break;
    case L_LOAD: snprintf(buf, cap, "%s %s, %d(%s)", f->name, xr[rd], imm_i, xr[rs1]); break;
    case L_FLOAD: snprintf(buf, cap, "%s %s, %d(%s)", f->name, fr[rd], imm_i, xr[rs1]); break;
    case L_STORE: snprintf(buf, cap, "%s %s, %d(%s)", f->name, xr[rs2], imm_s, xr[rs1]); break;
    case L_FSTORE: snprintf(buf, cap, "%s %s, %d(%s)", f->name, fr[rs2], imm_s, xr[rs1]); break;
    case L_FRX: snprintf(buf, cap, "%s %s, %s", f->name, fr[rd], xr[rs1]); break;
    case L_FFF: snprintf(buf, cap, "%s %s, %s, %s", f->name, fr[rd], fr[rs1], fr[rs2]); break;
    case L_FF: snprintf(buf, cap, "%s %s, %s", f->name, fr[rd], fr[rs1]); break;
    case L_BR:
        *target = pc + (uint64_t)(int64_t)imm_b;
        snprintf(buf, cap, "%s %s, %s, %s%llx", f->name, xr[rs1], xr[rs2], lp, (unsigned long long)*target);
        break;
    case L_BRZ:
        *target = pc + (uint64_t)(int64_t)imm_b;
        snprintf(buf, cap, "%s %s, %s%llx", f->name, xr[rs1], lp, (unsigned long long)*target);
        break;
    case L_J:
        *target = pc + (uint64_t)(int64_t)imm_j;
        snprintf(buf, cap, "j %s%llx", lp, (unsigned long long)*target);
        break;
    case L_JAL:
        *target = pc + (uint64_t)(int64_t)imm_j;
        snprintf(buf, cap, "jal %s, %s%llx", xr[rd], lp, (unsigned long long)*target);
        break;
    case L_NONE: snprintf(buf, cap, "%s", f->name); break;
    case L_VSETVLI:
        snprintf(buf, cap, "vsetvli %s, %s, %s", xr[rd], xr[rs1], vtype_str((w >> 20) & 0x7ff, vt, sizeof vt));
        break;
    case L_VSETIVLI:
        snprintf(buf, cap, "vsetivli %s, %u, %s", xr[rd], rs1, vtype_str((w >> 20) & 0x3ff, vt, sizeof vt));
        break;
    case L_VLD:
    case L_VLDS:
        if (!width_bits[f3]) {
            snprintf(buf, cap, ".word 0x%08x", w);
            break;
        }
        if (f->layout == L_VLD)
            snprintf(buf, cap, "%s%u.v v%u, (%s)", f->name, width_bits[f3], rd, xr[rs1]);
        else
            snprintf(buf, cap, "%s%u.v v%u, (%s), %s", f->name, width_bits[f3], rd, xr[rs1], xr[rs2]);
        break;
    case L_VV: snprintf(buf, cap, "%s v%u, v%u, v%u", f->name, rd, rs2, rs1); break;
    case L_VVFMA: snprintf(buf, cap, "%s v%u, v%u, v%u", f->name, rd, rs1, rs2); break;
    case L_VF: snprintf(buf, cap, "%s v%u, v%u, %s", f->name, rd, rs2, fr[rs1]); break;
    case L_VFFMA: snprintf(buf, cap, "%s v%u, %s, v%u", f->name, rd, fr[rs1], rs2); break;
    case L_V: snprintf(buf, cap, "%s v%u, v%u", f->name, rd, rs2); break;
    case L_VS1: snprintf(buf, cap, "%s v%u, v%u", f->name, rd, rs1); break;
    case L_VFS: snprintf(buf, cap, "%s v%u, %s", f->name, rd, fr[rs1]); break;
    case L_FV: snprintf(buf, cap, "%s %s, v%u", f->name, fr[rd], rs2); break;
    case L_VX: snprintf(buf, cap, "%s v%u, v%u, %s", f->name, rd, rs2, xr[rs1]); break;
    case L_VI: snprintf(buf, cap, "%s v%u, v%u, %d", f->name, rd, rs2, sext(rs1, 5)); break;
    case L_VUI: snprintf(buf, cap, "%s v%u, v%u, %u", f->name, rd, rs2, rs1); break;
    case L_VIMM: snprintf(buf, cap, "%s v%u, %d", f->name, rd, sext(rs1, 5)); break;
    case L_VVM: snprintf(buf, cap, "%s v%u, v%u, v%u, v0", f->name, rd, rs2, rs1); break;
    case L_VFM: snprintf(buf, cap, "%s v%u, v%u, %s, v0", f->name, rd, rs2, fr[rs1]); break;
    }
    return buf;
}
