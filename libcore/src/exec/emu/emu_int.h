/* emu_int.h - what the emulator's files share: the machine state, the
 * decode cache entry, memory checks and float helpers. Nothing outside
 * exec/emu includes it. */
#ifndef RVVNN_EMU_INT_H
#define RVVNN_EMU_INT_H

#include "emu.h"
#include "timing.h"
#include "../../isa/isa.h"
#include "../../util/status.h"

#include <math.h>
#include <string.h>

#define EMU_MAX_VLENB 128           /* VLEN 1024 */
#define EMU_STACK_BYTES (64 * 1024)
#define EMU_RET_PC 0x10u            /* ra at entry: returning there ends the step */
#define EMU_MAX_REGIONS 520

/* the QEMU plugin's instruction classes */
enum { EMU_Q_SCALAR, EMU_Q_VSETVL, EMU_Q_VARITH, EMU_Q_VLOAD, EMU_Q_VSTORE, EMU_Q__N };

/* One cached decode: the fields of isa_inst an executor needs. */
typedef struct emu_insn {
    uint16_t op;        /* isa_id of the 32-bit row (compressed rows expanded) */
    uint8_t state;      /* 0 not decoded yet, 1 ok, 2 invalid word */
    uint8_t len;
    uint8_t rd, rs1, rs2, rs3, vm, rm;
    uint16_t vtype, csr;
    uint16_t checked_vt; /* vtype isa_check last passed under (0xffff: none) */
    uint8_t cls;        /* timing class (timing.h) */
    uint8_t qcls;       /* class as benchmarks/insn_count_plugin.c counts it (EMU_Q_*) */
    uint8_t tdst;       /* timing: register written (x 0-31, f 32-63, v 64-95; 0xff none) */
    uint8_t tsrc[4];    /* timing: registers read, the same numbering */
    uint32_t word;
    int64_t imm;
} emu_insn;

struct emu {
    const rvv_module *m;
    unsigned vlen, vlenb, elen;
    int has_f64;                 /* vector f64 elements (V, Zve64d) */
    const unsigned char *code;
    uint64_t code_base, code_len;
    emu_insn *cache;             /* one per 2-byte code slot */
    /* architectural state */
    uint64_t x[32];
    uint64_t f[32];              /* NaN-boxed singles */
    uint64_t pc;
    uint64_t vl, vtype;
    unsigned vsew;               /* bytes; 0 when vill */
    int vlmul8;                  /* LMUL * 8 */
    int vill;
    unsigned frm, fflags;
    unsigned vxrm, vxsat;        /* fixed-point rounding mode and saturation flag */
    uint64_t lr_addr, lr_val;    /* lr.w/lr.d reservation (UINT64_MAX: none) and the value it read */
    unsigned lr_size;            /* 4 or 8: the reserving LR's width */
    unsigned char *v;            /* 32 registers of vlenb bytes (+ slack) */
    unsigned char *stack;
    /* sandbox */
    modrun_region reg[EMU_MAX_REGIONS];
    uint32_t n_reg, last_reg;
    /* fault text of the current step */
    char fault[200];
    int fault_rc;                /* status of the fault: RV_EFORMAT, or RV_ELIMIT for the time limit */
    /* per step */
    emu_counts *counts;
    emu_counts cur;
    uint64_t qn[EMU_Q__N];       /* current step, by class */
    tm_state *tm;                /* timing model state (NULL without a core) */
    double *cycles;              /* per step */
    double *busy;                /* per step x EMU_RES__COUNT */
    uint8_t *limit;              /* per step: index of the limiting resource */
};

/* Returns the host pointer for [addr, addr+n) when it lies inside one
 * region (writable ones for stores), else NULL with e->fault set. */
void *emu_mem_slow(struct emu *e, uint64_t addr, uint64_t n, int write);
static inline void *emu_mem(struct emu *e, uint64_t addr, uint64_t n, int write)
{
    const modrun_region *r = &e->reg[e->last_reg];
    if (addr >= r->base && n <= r->len && addr - r->base <= r->len - n && (!write || r->writable))
        return (void *)(uintptr_t)addr;
    return emu_mem_slow(e, addr, n, write);
}

/* Executes the vector instruction d (everything with opcode OP-V,
 * LOAD-FP/STORE-FP vector widths, and vset*). 0 or -1 with e->fault. */
int emu_vec_exec(struct emu *e, const emu_insn *d);
int emu_fault(struct emu *e, const char *fmt, ...) RV_PRINTF(2, 3);
/* vec_more.c: widening, carry, mask-set, compress and class rows (-1 with
 * "not implemented" for rows neither file handles) */
int emu_vec_more(struct emu *e, const emu_insn *d);
int emu_vec_unsupported(struct emu *e, const emu_insn *d);
/* vec_est.c: vfrec7.v, vfrsqrt7.v (the specification's tables) and vfncvt.rod.f.f.w */
int emu_vec_estimate(struct emu *e, const emu_insn *d);

/* --- vector element access (little-endian host) ----------------------- */
#define VREG(r) (e->v + (size_t)(r) * e->vlenb)

static inline uint64_t get_el(const unsigned char *b, uint64_t i, unsigned eb)
{
    switch (eb) {
    case 1: return b[i];
    case 2: { uint16_t v; memcpy(&v, b + 2 * i, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, b + 4 * i, 4); return v; }
    default: { uint64_t v; memcpy(&v, b + 8 * i, 8); return v; }
    }
}
static inline void set_el(unsigned char *b, uint64_t i, unsigned eb, uint64_t v)
{
    switch (eb) {
    case 1: b[i] = (unsigned char)v; break;
    case 2: { uint16_t t = (uint16_t)v; memcpy(b + 2 * i, &t, 2); break; }
    case 4: { uint32_t t = (uint32_t)v; memcpy(b + 4 * i, &t, 4); break; }
    default: memcpy(b + 8 * i, &v, 8);
    }
}
static inline int64_t sext(uint64_t v, unsigned eb)
{
    unsigned sh = 64 - 8 * eb;
    return (int64_t)(v << sh) >> sh;
}
static inline uint64_t trunc_to(uint64_t v, unsigned eb) { return eb == 8 ? v : v & ((1ull << (8 * eb)) - 1); }
static inline int mask_bit(const unsigned char *m, uint64_t i) { return (m[i >> 3] >> (i & 7)) & 1; }
static inline void set_mask_bit(unsigned char *m, uint64_t i, int v)
{
    m[i >> 3] = (unsigned char)((m[i >> 3] & ~(1u << (i & 7))) | ((unsigned)(v != 0) << (i & 7)));
}
/* element i takes part: unmasked, or v0's bit set (uses e and d) */
#define ACTIVE(i) (d->vm || mask_bit(e->v, (i)))



/* --- float helpers: RISC-V results on IEEE hosts ---------------------- */
#define EMU_QNAN32 0x7fc00000u
#define EMU_QNAN64 0x7ff8000000000000ull
static inline float emu_f32(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline uint32_t emu_b32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static inline double emu_f64(uint64_t b) { double f; memcpy(&f, &b, 8); return f; }
static inline uint64_t emu_b64(double f) { uint64_t b; memcpy(&b, &f, 8); return b; }
/* RISC-V returns the canonical NaN from every arithmetic operation */
static inline uint32_t emu_c32(float f) { return f != f ? EMU_QNAN32 : emu_b32(f); }
static inline uint64_t emu_c64(double f) { return f != f ? EMU_QNAN64 : emu_b64(f); }
/* minimumNumber / maximumNumber (fmin/fmax, vfmin/vfmax, reductions) */
static inline uint32_t emu_fmin32(float a, float b, int max)
{
    if (a != a && b != b)
        return EMU_QNAN32;
    if (a != a)
        return emu_b32(b);
    if (b != b)
        return emu_b32(a);
    if (a == b) /* -0 < +0 */
        return (signbit(a) != 0) != max ? emu_b32(a) : emu_b32(b);
    return (a < b) != max ? emu_b32(a) : emu_b32(b);
}
static inline uint64_t emu_fmin64(double a, double b, int max)
{
    if (a != a && b != b)
        return EMU_QNAN64;
    if (a != a)
        return emu_b64(b);
    if (b != b)
        return emu_b64(a);
    if (a == b)
        return (signbit(a) != 0) != max ? emu_b64(a) : emu_b64(b);
    return (a < b) != max ? emu_b64(a) : emu_b64(b);
}
/* float -> integer with RISC-V saturation (NaN -> largest), rounding in
 * the host's current mode (the emulator keeps it equal to frm) unless
 * rtz. */
int64_t emu_cvt_f_i(double x, int bits, int is_unsigned, int rtz);
/* A NaN-boxed f register as a single (improperly boxed: canonical NaN). */
static inline float emu_unbox32(uint64_t r)
{
    return (r >> 32) == 0xffffffffu ? emu_f32((uint32_t)r) : emu_f32(EMU_QNAN32);
}
static inline uint64_t emu_box32(uint32_t b) { return 0xffffffff00000000ull | b; }
/* Switches the host rounding mode to RISC-V mode rm (0..3); -1 for RMM
 * or reserved modes (no host equivalent). */
int emu_set_round(unsigned rm);

#endif
