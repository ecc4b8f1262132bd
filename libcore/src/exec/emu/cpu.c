/* cpu.c - the emulator's machine: state, sandboxed memory, the decode
 * cache, the scalar RV64IMFD(C) instructions and the run loop of one
 * RVV step. Vector instructions are in vec.c, the timing model in
 * timing.c.
 *
 * Guest addresses are host addresses: the argument array the step gets
 * holds the real buffer addresses (as on riscv64), and every access is
 * checked against the run's regions before it happens, so a wild pointer
 * becomes an error naming the step and pc instead of touching memory. */
#include "emu_int.h"
#include "../../util/mem.h"
#include "../../util/status.h"
#include "../ref/ref.h"

#include <fenv.h>
#include <stdarg.h>
#include <stdio.h>

int emu_fault(emu *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->fault, sizeof e->fault, fmt, ap);
    va_end(ap);
    return -1;
}

void *emu_mem_slow(emu *e, uint64_t addr, uint64_t n, int write)
{
    for (uint32_t i = 0; i < e->n_reg; i++) {
        const modrun_region *r = &e->reg[i];
        if (addr >= r->base && n <= r->len && addr - r->base <= r->len - n) {
            if (write && !r->writable) {
                emu_fault(e, "store of %llu bytes at 0x%llx into read-only memory", (unsigned long long)n,
                          (unsigned long long)addr);
                return NULL;
            }
            e->last_reg = i;
            return (void *)(uintptr_t)addr;
        }
    }
    emu_fault(e, "%s of %llu bytes at 0x%llx is outside the step's memory (arena, weights, inputs, "
              "outputs, stack)", write ? "store" : "load", (unsigned long long)n, (unsigned long long)addr);
    return NULL;
}

int emu_set_round(unsigned rm)
{
    static const int modes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    if (rm > 3)
        return -1;
    fesetround(modes[rm]);
    return 0;
}

int64_t emu_cvt_f_i(double x, int bits, int is_unsigned, int rtz)
{
    /* representable range [lo, hi) after rounding; bits 8..64 */
    double hi = ldexp(1.0, is_unsigned ? bits : bits - 1), lo = is_unsigned ? 0 : -hi;
    uint64_t maxv = is_unsigned ? (bits == 64 ? ~0ull : (1ull << bits) - 1) : (1ull << (bits - 1)) - 1;
    int64_t minv = is_unsigned ? 0 : (bits == 64 ? INT64_MIN : -(int64_t)(1ull << (bits - 1)));
    if (x != x)
        return (int64_t)maxv;
    double r = rtz ? trunc(x) : nearbyint(x);
    if (r >= hi)
        return (int64_t)maxv;
    if (r < lo)
        return minv;
    if (is_unsigned) {
        uint64_t u = (uint64_t)r;
        return bits == 32 ? (int64_t)(int32_t)(uint32_t)u : (int64_t)u; /* sign-extended like RV64 */
    }
    return (int64_t)r;
}

static unsigned parse_vlen(const rvv_module *m, const emu_config *cfg)
{
    if (cfg && cfg->vlen)
        return cfg->vlen;
    return m->hdr->vlen ? m->hdr->vlen : 256;
}

int emu_open(const rvv_module *m, const emu_config *cfg, emu **out)
{
    *out = NULL;
    const mod_header *h = m->hdr;
    unsigned vlen = parse_vlen(m, cfg);
    if (vlen < 128 || vlen > 1024 || (vlen & (vlen - 1)))
        return err_set(RV_EINVAL, "emulator: VLEN %u (a power of two from 128 to 1024)", vlen);
    if (h->vlen && vlen != h->vlen)
        return err_set(RV_ETARGET, "module was compiled for VLEN=%u (%s), the emulator runs VLEN=%u; recompile "
                       "with --vlen=%u or --vlen=0 (vector-length agnostic), or pass --vlen=%u", h->vlen,
                       module_str(m, h->march), vlen, vlen, h->vlen);
    if (h->min_vlen && vlen < h->min_vlen)
        return err_set(RV_ETARGET, "module needs VLEN >= %u, the emulator was asked for VLEN=%u", h->min_vlen,
                       vlen);
    if (h->ext & MOD_EXT_ZVFH)
        return err_set(RV_EUNSUPPORTED, "module needs Zvfh (f16 vectors): the emulator does not implement it yet");
    emu *e = mem_calloc(1, sizeof *e);
    if (!e)
        return err_set(RV_ENOMEM, "out of memory");
    e->m = m;
    e->vlen = vlen;
    e->vlenb = vlen / 8;
    /* the module's subset decides ELEN: Zve32f code gets ELEN 32, so a
     * 64-bit vtype is illegal (vill) exactly as on such a core */
    int zve32 = (h->ext & MOD_EXT_ZVE32F) && !(h->ext & (MOD_EXT_V | MOD_EXT_ZVE64D | MOD_EXT_ZVE64F));
    e->elen = zve32 ? 32 : 64;
    e->has_f64 = (h->ext & (MOD_EXT_V | MOD_EXT_ZVE64D)) || !(h->ext & (MOD_EXT_ZVE32F | MOD_EXT_ZVE64F));
    e->code = m->code;
    e->code_base = (uint64_t)(uintptr_t)m->code;
    e->code_len = h->sec[SEC_CODE].size;
    e->cache = mem_calloc(e->code_len / 2 + 1, sizeof *e->cache);
    e->v = mem_calloc(40, e->vlenb); /* 32 registers + slack */
    e->stack = mem_calloc(1, EMU_STACK_BYTES);
    e->counts = mem_calloc(h->n_steps + 1, sizeof *e->counts);
    e->cycles = mem_calloc(h->n_steps + 1, sizeof *e->cycles);
    e->busy = mem_calloc((size_t)(h->n_steps + 1) * EMU_RES__COUNT, sizeof *e->busy);
    e->limit = mem_calloc(h->n_steps + 1, 1);
    if (!e->cache || !e->v || !e->stack || !e->counts || !e->cycles || !e->busy || !e->limit) {
        emu_close(e);
        return err_set(RV_ENOMEM, "emulator: out of memory");
    }
    if (cfg && cfg->core && !(e->tm = tm_create(cfg->core, vlen))) {
        emu_close(e);
        return err_set(RV_ENOMEM, "emulator: out of memory");
    }
    e->vill = 1;
    e->vtype = 1ull << 63;
    *out = e;
    return 0;
}

void emu_close(emu *e)
{
    if (!e)
        return;
    tm_free(e->tm);
    mem_free(e->cache);
    mem_free(e->v);
    mem_free(e->stack);
    mem_free(e->counts);
    mem_free(e->cycles);
    mem_free(e->busy);
    mem_free(e->limit);
    mem_free(e);
}

int emu_session_open(emu *e, mod_session **out) { return modrun_open_rvv(e->m, emu_run_step, e, out); }
void emu_reset_stats(emu *e)
{
    size_t n = (size_t)e->m->hdr->n_steps + 1;
    memset(e->counts, 0, n * sizeof *e->counts);
    memset(e->cycles, 0, n * sizeof *e->cycles);
    memset(e->busy, 0, n * EMU_RES__COUNT * sizeof *e->busy);
    memset(e->limit, 0, n);
}
const emu_counts *emu_step_counts(const emu *e, uint32_t step)
{
    return step < e->m->hdr->n_steps ? &e->counts[step] : NULL;
}
unsigned emu_vlen(const emu *e) { return e->vlen; }
double emu_step_cycles(const emu *e, uint32_t step, const char **limit)
{
    if (limit)
        *limit = NULL;
    if (!e->tm || step >= e->m->hdr->n_steps)
        return 0;
    if (limit)
        *limit = tm_resource_name(e->limit[step]);
    return e->cycles[step];
}
const double *emu_step_busy(const emu *e, uint32_t step)
{
    return e->tm && step < e->m->hdr->n_steps ? &e->busy[(size_t)step * EMU_RES__COUNT] : NULL;
}

/* Decodes the instruction at code offset off into the cache. */
static void decode_at(emu *e, uint64_t off, emu_insn *d)
{
    uint32_t w = e->code[off];
    w |= (uint32_t)e->code[off + 1] << 8;
    if ((w & 3) == 3) {
        if (off + 4 > e->code_len) {
            d->state = 2;
            d->word = w;
            d->len = 4;
            return;
        }
        w |= (uint32_t)e->code[off + 2] << 16 | (uint32_t)e->code[off + 3] << 24;
    }
    isa_inst in;
    int len = isa_decode(w, &in);
    d->word = in.word;
    d->len = (uint8_t)len;
    if (in.id == ISA_INVALID) {
        d->state = 2;
        return;
    }
    d->op = (uint16_t)in.base;
    d->rd = in.rd;
    d->rs1 = in.rs1;
    d->rs2 = in.rs2;
    d->rs3 = in.rs3;
    d->vm = in.vm;
    d->rm = in.rm;
    d->vtype = in.vtype;
    d->csr = in.csr;
    d->imm = in.imm;
    d->checked_vt = 0xffff;
    d->cls = (uint8_t)tm_classify(in.base, w);
    tm_operands(&in, &d->tdst, d->tsrc);
    /* the plugin's rule: by major opcode and width, compressed = scalar */
    uint32_t opc = w & 0x7f, f3 = (w >> 12) & 7;
    int vw = f3 == 0 || f3 >= 5;
    d->qcls = len == 2 ? EMU_Q_SCALAR
              : opc == 0x57 ? (f3 == 7 ? EMU_Q_VSETVL : EMU_Q_VARITH)
              : opc == 0x07 && vw ? EMU_Q_VLOAD
              : opc == 0x27 && vw ? EMU_Q_VSTORE : EMU_Q_SCALAR;
    d->state = 1;
}

static int is_vector(const emu_insn *d)
{
    const isa_row *r = isa_row_of((isa_id)d->op);
    return r->ext >= ISA_EXT_V;
}

/* --- CSRs ---------------------------------------------------------------- */
static int csr_read(emu *e, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case 0x001: *v = e->fflags; return 0;
    case 0x002: *v = e->frm; return 0;
    case 0x003: *v = e->frm << 5 | e->fflags; return 0;
    case 0x008: *v = 0; return 0;      /* vstart: always 0 (no traps mid-instruction) */
    case 0x009: *v = e->vxsat; return 0;
    case 0x00a: *v = e->vxrm; return 0;
    case 0x00f: *v = e->vxrm << 1 | e->vxsat; return 0; /* vcsr */
    case 0xc20: *v = e->vl; return 0;
    case 0xc21: *v = e->vtype; return 0;
    case 0xc22: *v = e->vlenb; return 0;
    case 0xc00: case 0xc01: case 0xc02: *v = e->cur.insns; return 0;
    }
    return emu_fault(e, "CSR 0x%03x is not available to the emulated code", csr);
}

static int csr_write(emu *e, unsigned csr, uint64_t v)
{
    switch (csr) {
    case 0x001: e->fflags = v & 31; return 0;
    case 0x002: e->frm = v & 7; break;
    case 0x003: e->fflags = v & 31; e->frm = (v >> 5) & 7; break;
    case 0x009: e->vxsat = v & 1; return 0;
    case 0x00a: e->vxrm = v & 3; return 0;
    case 0x00f: e->vxsat = v & 1; e->vxrm = (v >> 1) & 3; return 0;
    case 0x008:
        if (v)
            return emu_fault(e, "writing %llu to vstart is not supported", (unsigned long long)v);
        return 0;
    default:
        return emu_fault(e, "CSR 0x%03x is read-only or not available to the emulated code", csr);
    }
    if (e->frm <= 3)
        emu_set_round(e->frm);
    return 0; /* a reserved frm faults at the first float op that uses it */
}

static int do_csr(emu *e, const emu_insn *d)
{
    uint64_t old = 0, src = d->op >= ISA_CSRRWI ? (uint64_t)d->imm : e->x[d->rs1];
    int is_w = d->op == ISA_CSRRW || d->op == ISA_CSRRWI;
    if ((!is_w || d->rd) && csr_read(e, d->csr, &old))
        return -1;
    uint64_t nv = is_w ? src : (d->op == ISA_CSRRS || d->op == ISA_CSRRSI) ? old | src : old & ~src;
    int writes = is_w || (d->op >= ISA_CSRRWI ? d->imm != 0 : d->rs1 != 0);
    if (writes && csr_write(e, d->csr, nv))
        return -1;
    e->x[d->rd] = old;
    return 0;
}

/* --- scalar float ---------------------------------------------------------- */
/* Rounding for one float op: the instruction's static mode, or frm. Sets
 * the host mode when it differs from frm; *restore says to put frm back. */
static int fp_round(emu *e, const emu_insn *d, int *restore)
{
    unsigned rm = d->rm == 7 ? e->frm : d->rm;
    *restore = 0;
    if (rm > 3)
        return emu_fault(e, "rounding mode %u (RMM or reserved) is not supported by the emulator", rm);
    if (rm != e->frm) {
        emu_set_round(rm);
        *restore = 1;
    }
    return 0;
}

#define FS(r) emu_unbox32(e->f[r])
#define FD(r) emu_f64(e->f[r])
#define SETS(r, v) (e->f[r] = emu_box32(emu_c32(v)))
#define SETD(r, v) (e->f[r] = emu_c64(v))

static int do_fp(emu *e, const emu_insn *d)
{
    int restore, rc = 0;
    uint64_t *X = e->x;
    switch (d->op) { /* no rounding involved */
    case ISA_FSGNJ_S: case ISA_FSGNJN_S: case ISA_FSGNJX_S: {
        uint32_t a = emu_b32(FS(d->rs1)), b = emu_b32(FS(d->rs2)), s = b & 0x80000000u;
        s = d->op == ISA_FSGNJ_S ? s : d->op == ISA_FSGNJN_S ? s ^ 0x80000000u : (a ^ b) & 0x80000000u;
        e->f[d->rd] = emu_box32((a & 0x7fffffffu) | s);
        return 0;
    }
    case ISA_FSGNJ_D: case ISA_FSGNJN_D: case ISA_FSGNJX_D: {
        uint64_t a = e->f[d->rs1], b = e->f[d->rs2], m = 1ull << 63, s = b & m;
        s = d->op == ISA_FSGNJ_D ? s : d->op == ISA_FSGNJN_D ? s ^ m : (a ^ b) & m;
        e->f[d->rd] = (a & ~m) | s;
        return 0;
    }
    case ISA_FMIN_S: case ISA_FMAX_S:
        e->f[d->rd] = emu_box32(emu_fmin32(FS(d->rs1), FS(d->rs2), d->op == ISA_FMAX_S));
        return 0;
    case ISA_FMIN_D: case ISA_FMAX_D:
        e->f[d->rd] = emu_fmin64(FD(d->rs1), FD(d->rs2), d->op == ISA_FMAX_D);
        return 0;
    case ISA_FMV_X_W: X[d->rd] = (uint64_t)(int64_t)(int32_t)(uint32_t)e->f[d->rs1]; return 0;
    case ISA_FMV_W_X: e->f[d->rd] = emu_box32((uint32_t)X[d->rs1]); return 0;
    case ISA_FMV_X_D: X[d->rd] = e->f[d->rs1]; return 0;
    case ISA_FMV_D_X: e->f[d->rd] = X[d->rs1]; return 0;
    case ISA_FEQ_S: X[d->rd] = FS(d->rs1) == FS(d->rs2); return 0;
    case ISA_FLT_S: X[d->rd] = FS(d->rs1) < FS(d->rs2); return 0;
    case ISA_FLE_S: X[d->rd] = FS(d->rs1) <= FS(d->rs2); return 0;
    case ISA_FEQ_D: X[d->rd] = FD(d->rs1) == FD(d->rs2); return 0;
    case ISA_FLT_D: X[d->rd] = FD(d->rs1) < FD(d->rs2); return 0;
    case ISA_FLE_D: X[d->rd] = FD(d->rs1) <= FD(d->rs2); return 0;
    }
    if (fp_round(e, d, &restore))
        return -1;
    int rtz = (d->rm == 7 ? e->frm : d->rm) == 1;
    switch (d->op) {
    case ISA_FADD_S: SETS(d->rd, FS(d->rs1) + FS(d->rs2)); break;
    case ISA_FSUB_S: SETS(d->rd, FS(d->rs1) - FS(d->rs2)); break;
    case ISA_FMUL_S: SETS(d->rd, FS(d->rs1) * FS(d->rs2)); break;
    case ISA_FDIV_S: SETS(d->rd, FS(d->rs1) / FS(d->rs2)); break;
    case ISA_FSQRT_S: SETS(d->rd, sqrtf(FS(d->rs1))); break;
    case ISA_FMADD_S: SETS(d->rd, fmaf(FS(d->rs1), FS(d->rs2), FS(d->rs3))); break;
    case ISA_FMSUB_S: SETS(d->rd, fmaf(FS(d->rs1), FS(d->rs2), -FS(d->rs3))); break;
    case ISA_FNMSUB_S: SETS(d->rd, fmaf(-FS(d->rs1), FS(d->rs2), FS(d->rs3))); break;
    case ISA_FNMADD_S: SETS(d->rd, fmaf(-FS(d->rs1), FS(d->rs2), -FS(d->rs3))); break;
    case ISA_FADD_D: SETD(d->rd, FD(d->rs1) + FD(d->rs2)); break;
    case ISA_FSUB_D: SETD(d->rd, FD(d->rs1) - FD(d->rs2)); break;
    case ISA_FMUL_D: SETD(d->rd, FD(d->rs1) * FD(d->rs2)); break;
    case ISA_FDIV_D: SETD(d->rd, FD(d->rs1) / FD(d->rs2)); break;
    case ISA_FSQRT_D: SETD(d->rd, sqrt(FD(d->rs1))); break;
    case ISA_FMADD_D: SETD(d->rd, fma(FD(d->rs1), FD(d->rs2), FD(d->rs3))); break;
    case ISA_FMSUB_D: SETD(d->rd, fma(FD(d->rs1), FD(d->rs2), -FD(d->rs3))); break;
    case ISA_FNMSUB_D: SETD(d->rd, fma(-FD(d->rs1), FD(d->rs2), FD(d->rs3))); break;
    case ISA_FNMADD_D: SETD(d->rd, fma(-FD(d->rs1), FD(d->rs2), -FD(d->rs3))); break;
    case ISA_FCVT_S_D: SETS(d->rd, (float)FD(d->rs1)); break;
    case ISA_FCVT_D_S: SETD(d->rd, (double)FS(d->rs1)); break;
    case ISA_FCVT_W_S: X[d->rd] = (uint64_t)emu_cvt_f_i(FS(d->rs1), 32, 0, rtz); break;
    case ISA_FCVT_WU_S: X[d->rd] = (uint64_t)emu_cvt_f_i(FS(d->rs1), 32, 1, rtz); break;
    case ISA_FCVT_L_S: X[d->rd] = (uint64_t)emu_cvt_f_i(FS(d->rs1), 64, 0, rtz); break;
    case ISA_FCVT_LU_S: X[d->rd] = (uint64_t)emu_cvt_f_i(FS(d->rs1), 64, 1, rtz); break;
    case ISA_FCVT_W_D: X[d->rd] = (uint64_t)emu_cvt_f_i(FD(d->rs1), 32, 0, rtz); break;
    case ISA_FCVT_WU_D: X[d->rd] = (uint64_t)emu_cvt_f_i(FD(d->rs1), 32, 1, rtz); break;
    case ISA_FCVT_L_D: X[d->rd] = (uint64_t)emu_cvt_f_i(FD(d->rs1), 64, 0, rtz); break;
    case ISA_FCVT_LU_D: X[d->rd] = (uint64_t)emu_cvt_f_i(FD(d->rs1), 64, 1, rtz); break;
    case ISA_FCVT_S_W: SETS(d->rd, (float)(int32_t)X[d->rs1]); break;
    case ISA_FCVT_S_WU: SETS(d->rd, (float)(uint32_t)X[d->rs1]); break;
    case ISA_FCVT_S_L: SETS(d->rd, (float)(int64_t)X[d->rs1]); break;
    case ISA_FCVT_S_LU: SETS(d->rd, (float)X[d->rs1]); break;
    case ISA_FCVT_D_W: SETD(d->rd, (double)(int32_t)X[d->rs1]); break;
    case ISA_FCVT_D_WU: SETD(d->rd, (double)(uint32_t)X[d->rs1]); break;
    case ISA_FCVT_D_L: SETD(d->rd, (double)(int64_t)X[d->rs1]); break;
    case ISA_FCVT_D_LU: SETD(d->rd, (double)X[d->rs1]); break;
    default:
        rc = emu_fault(e, "instruction '%s' is not implemented by the emulator", isa_row_of((isa_id)d->op)->mnemonic);
    }
    if (restore)
        emu_set_round(e->frm);
    return rc;
}

/* --- the step loop --------------------------------------------------------- */
#define LDST(type, write)                                                     \
    do {                                                                      \
        uint64_t a_ = X[d->rs1] + (uint64_t)d->imm;                           \
        p = emu_mem(e, a_, sizeof(type), write);                              \
        if (!p)                                                               \
            goto fault;                                                       \
    } while (0)

/* The A extension on one hart: AMOs read, combine and write back at the
 * access width (words sign-extend into rd). LR/SC follow qemu's user-mode
 * rule, so the two agree: SC succeeds when its address and width are the
 * reserving LR's and memory still holds what LR read; every SC ends the
 * reservation. (An SC of the other width always fails here; qemu then
 * compares at LR's width - a case the A extension leaves open.) */
static int do_amo(emu *e, const emu_insn *d)
{
    const isa_row *row = isa_row_of((isa_id)d->op);
    unsigned n = ((d->word >> 12) & 7) == 3 ? 8 : 4, f5 = d->word >> 27;
    uint64_t addr = e->x[d->rs1], src = e->x[d->rs2], old;
    if (addr & (n - 1))
        return emu_fault(e, "%s at 0x%llx: not aligned to %u bytes", row->mnemonic, (unsigned long long)addr, n);
    void *p = emu_mem(e, addr, n, f5 != 2);
    if (!p)
        return -1;
    if (n == 4) {
        int32_t w;
        memcpy(&w, p, 4);
        old = (uint64_t)(int64_t)w;
    } else {
        memcpy(&old, p, 8);
    }
    uint64_t nv;
    int64_t so = n == 4 ? (int64_t)(int32_t)old : (int64_t)old, ss = n == 4 ? (int64_t)(int32_t)src : (int64_t)src;
    uint64_t uo = n == 4 ? (uint32_t)old : old, us = n == 4 ? (uint32_t)src : src;
    switch (f5) {
    case 0x02: /* lr */
        e->lr_addr = addr;
        e->lr_val = old;
        e->lr_size = n;
        e->x[d->rd] = old;
        e->cur.bytes_loaded += n;
        return 0;
    case 0x03: { /* sc: rd = 0 on success */
        int ok = e->lr_addr == addr && e->lr_size == n && old == e->lr_val;
        e->lr_addr = UINT64_MAX;
        if (ok) {
            memcpy(p, &src, n); /* little-endian: the low n bytes */
            e->cur.bytes_stored += n;
        }
        e->x[d->rd] = !ok;
        return 0;
    }
    case 0x01: nv = src; break;
    case 0x00: nv = old + src; break;
    case 0x04: nv = old ^ src; break;
    case 0x0c: nv = old & src; break;
    case 0x08: nv = old | src; break;
    case 0x10: nv = so < ss ? old : src; break;
    case 0x14: nv = so > ss ? old : src; break;
    case 0x18: nv = uo < us ? old : src; break;
    case 0x1c: nv = uo > us ? old : src; break;
    default: return emu_fault(e, "AMO funct5 0x%02x is not implemented", f5);
    }
    memcpy(p, &nv, n);
    e->cur.bytes_loaded += n;
    e->cur.bytes_stored += n;
    e->x[d->rd] = old;
    return 0;
}

static int exec_one(emu *e, const emu_insn *d, uint64_t *next)
{
    uint64_t *X = e->x, pc = e->pc;
    void *p;
    int64_t s1 = (int64_t)X[d->rs1], s2 = (int64_t)X[d->rs2];
    uint64_t u1 = X[d->rs1], u2 = X[d->rs2];
    uint64_t r;
    switch (d->op) {
    case ISA_LUI: r = (uint64_t)d->imm; break;
    case ISA_AUIPC: r = pc + (uint64_t)d->imm; break;
    case ISA_JAL: r = pc + d->len; *next = pc + (uint64_t)d->imm; break;
    case ISA_JALR: r = pc + d->len; *next = (u1 + (uint64_t)d->imm) & ~1ull; break;
    case ISA_BEQ: if (u1 == u2) *next = pc + (uint64_t)d->imm; return 0;
    case ISA_BNE: if (u1 != u2) *next = pc + (uint64_t)d->imm; return 0;
    case ISA_BLT: if (s1 < s2) *next = pc + (uint64_t)d->imm; return 0;
    case ISA_BGE: if (s1 >= s2) *next = pc + (uint64_t)d->imm; return 0;
    case ISA_BLTU: if (u1 < u2) *next = pc + (uint64_t)d->imm; return 0;
    case ISA_BGEU: if (u1 >= u2) *next = pc + (uint64_t)d->imm; return 0;
    case ISA_LB: { int8_t v; LDST(v, 0); memcpy(&v, p, 1); r = (uint64_t)(int64_t)v; e->cur.bytes_loaded += 1; break; }
    case ISA_LH: { int16_t v; LDST(v, 0); memcpy(&v, p, 2); r = (uint64_t)(int64_t)v; e->cur.bytes_loaded += 2; break; }
    case ISA_LW: { int32_t v; LDST(v, 0); memcpy(&v, p, 4); r = (uint64_t)(int64_t)v; e->cur.bytes_loaded += 4; break; }
    case ISA_LD: { uint64_t v; LDST(v, 0); memcpy(&v, p, 8); r = v; e->cur.bytes_loaded += 8; break; }
    case ISA_LBU: { uint8_t v; LDST(v, 0); memcpy(&v, p, 1); r = v; e->cur.bytes_loaded += 1; break; }
    case ISA_LHU: { uint16_t v; LDST(v, 0); memcpy(&v, p, 2); r = v; e->cur.bytes_loaded += 2; break; }
    case ISA_LWU: { uint32_t v; LDST(v, 0); memcpy(&v, p, 4); r = v; e->cur.bytes_loaded += 4; break; }
    case ISA_SB: { uint8_t v = (uint8_t)u2; LDST(v, 1); memcpy(p, &v, 1); e->cur.bytes_stored += 1; return 0; }
    case ISA_SH: { uint16_t v = (uint16_t)u2; LDST(v, 1); memcpy(p, &v, 2); e->cur.bytes_stored += 2; return 0; }
    case ISA_SW: { uint32_t v = (uint32_t)u2; LDST(v, 1); memcpy(p, &v, 4); e->cur.bytes_stored += 4; return 0; }
    case ISA_SD: { LDST(uint64_t, 1); memcpy(p, &u2, 8); e->cur.bytes_stored += 8; return 0; }
    case ISA_FLW: {
        uint32_t v;
        LDST(v, 0);
        memcpy(&v, p, 4);
        e->f[d->rd] = emu_box32(v);
        e->cur.bytes_loaded += 4;
        return 0;
    }
    case ISA_FLD: { LDST(uint64_t, 0); memcpy(&e->f[d->rd], p, 8); e->cur.bytes_loaded += 8; return 0; }
    case ISA_FSW: {
        uint32_t v = (uint32_t)e->f[d->rs2];
        LDST(v, 1);
        memcpy(p, &v, 4);
        e->cur.bytes_stored += 4;
        return 0;
    }
    case ISA_FSD: { LDST(uint64_t, 1); memcpy(p, &e->f[d->rs2], 8); e->cur.bytes_stored += 8; return 0; }
    case ISA_ADDI: r = u1 + (uint64_t)d->imm; break;
    case ISA_SLTI: r = s1 < d->imm; break;
    case ISA_SLTIU: r = u1 < (uint64_t)d->imm; break;
    case ISA_XORI: r = u1 ^ (uint64_t)d->imm; break;
    case ISA_ORI: r = u1 | (uint64_t)d->imm; break;
    case ISA_ANDI: r = u1 & (uint64_t)d->imm; break;
    case ISA_SLLI: r = u1 << (d->imm & 63); break;
    case ISA_SRLI: r = u1 >> (d->imm & 63); break;
    case ISA_SRAI: r = (uint64_t)(s1 >> (d->imm & 63)); break;
    case ISA_ADD: r = u1 + u2; break;
    case ISA_SUB: r = u1 - u2; break;
    case ISA_SLL: r = u1 << (u2 & 63); break;
    case ISA_SLT: r = s1 < s2; break;
    case ISA_SLTU: r = u1 < u2; break;
    case ISA_XOR: r = u1 ^ u2; break;
    case ISA_SRL: r = u1 >> (u2 & 63); break;
    case ISA_SRA: r = (uint64_t)(s1 >> (u2 & 63)); break;
    case ISA_OR: r = u1 | u2; break;
    case ISA_AND: r = u1 & u2; break;
    case ISA_ADDIW: r = (uint64_t)(int64_t)(int32_t)(uint32_t)(u1 + (uint64_t)d->imm); break;
    case ISA_SLLIW: r = (uint64_t)(int64_t)(int32_t)((uint32_t)u1 << (d->imm & 31)); break;
    case ISA_SRLIW: r = (uint64_t)(int64_t)(int32_t)((uint32_t)u1 >> (d->imm & 31)); break;
    case ISA_SRAIW: r = (uint64_t)(int64_t)((int32_t)(uint32_t)u1 >> (d->imm & 31)); break;
    case ISA_ADDW: r = (uint64_t)(int64_t)(int32_t)(uint32_t)(u1 + u2); break;
    case ISA_SUBW: r = (uint64_t)(int64_t)(int32_t)(uint32_t)(u1 - u2); break;
    case ISA_SLLW: r = (uint64_t)(int64_t)(int32_t)((uint32_t)u1 << (u2 & 31)); break;
    case ISA_SRLW: r = (uint64_t)(int64_t)(int32_t)((uint32_t)u1 >> (u2 & 31)); break;
    case ISA_SRAW: r = (uint64_t)(int64_t)((int32_t)(uint32_t)u1 >> (u2 & 31)); break;
    case ISA_MUL: r = u1 * u2; break;
    case ISA_MULH: r = (uint64_t)(((__int128)s1 * s2) >> 64); break;
    case ISA_MULHSU: r = (uint64_t)(((__int128)s1 * (unsigned __int128)u2) >> 64); break;
    case ISA_MULHU: r = (uint64_t)(((unsigned __int128)u1 * u2) >> 64); break;
    case ISA_DIV: r = u2 == 0 ? ~0ull : (s1 == INT64_MIN && s2 == -1) ? u1 : (uint64_t)(s1 / s2); break;
    case ISA_DIVU: r = u2 == 0 ? ~0ull : u1 / u2; break;
    case ISA_REM: r = u2 == 0 ? u1 : (s1 == INT64_MIN && s2 == -1) ? 0 : (uint64_t)(s1 % s2); break;
    case ISA_REMU: r = u2 == 0 ? u1 : u1 % u2; break;
    case ISA_MULW: r = (uint64_t)(int64_t)(int32_t)(uint32_t)(u1 * u2); break;
    case ISA_DIVW: {
        int32_t a = (int32_t)u1, b = (int32_t)u2;
        r = (uint64_t)(int64_t)(b == 0 ? -1 : (a == INT32_MIN && b == -1) ? a : a / b);
        break;
    }
    case ISA_DIVUW: {
        uint32_t a = (uint32_t)u1, b = (uint32_t)u2;
        r = (uint64_t)(int64_t)(int32_t)(b == 0 ? 0xffffffffu : a / b);
        break;
    }
    case ISA_REMW: {
        int32_t a = (int32_t)u1, b = (int32_t)u2;
        r = (uint64_t)(int64_t)(b == 0 ? a : (a == INT32_MIN && b == -1) ? 0 : a % b);
        break;
    }
    case ISA_REMUW: {
        uint32_t a = (uint32_t)u1, b = (uint32_t)u2;
        r = (uint64_t)(int64_t)(int32_t)(b == 0 ? a : a % b);
        break;
    }
    case ISA_FENCE: case ISA_FENCE_TSO: case ISA_FENCE_I: return 0;
    case ISA_CSRRW: case ISA_CSRRS: case ISA_CSRRC: case ISA_CSRRWI: case ISA_CSRRSI: case ISA_CSRRCI:
        return do_csr(e, d);
    case ISA_ECALL: case ISA_EBREAK:
        return emu_fault(e, "%s: module code may not call the system", d->op == ISA_ECALL ? "ecall" : "ebreak");
    default:
        if (is_vector(d))
            return emu_vec_exec(e, d);
        if ((d->word & 0x7f) == 0x2f && d->len == 4)
            return do_amo(e, d);
        return do_fp(e, d);
    }
    X[d->rd] = r;
    return 0;
fault:
    return -1;
}

/* Interprets from entry until the code returns to EMU_RET_PC. */
static int interpret(emu *e, uint64_t entry)
{
    e->pc = entry;
    uint64_t budget_check = 1u << 22, prev = entry;
    while (e->pc != EMU_RET_PC) {
        uint64_t off = e->pc - e->code_base;
        if (off >= e->code_len || (off & 1)) {
            uint64_t to = e->pc;
            e->pc = prev; /* report the jump, not where it went */
            return emu_fault(e, "jump to 0x%llx, outside the module's code", (unsigned long long)to);
        }
        prev = e->pc;
        emu_insn *d = &e->cache[off >> 1];
        if (!d->state)
            decode_at(e, off, d);
        if (d->state == 2)
            return emu_fault(e, "illegal instruction word 0x%0*x", d->len == 2 ? 4 : 8, d->word);
        if (e->tm)
            tm_insn(e->tm, e, d);
        uint64_t next = e->pc + d->len;
        if (exec_one(e, d, &next))
            return -1;
        e->x[0] = 0;
        e->cur.insns++;
        e->qn[d->qcls]++;
        e->pc = next;
        if (!--budget_check) {
            budget_check = 1u << 22;
            if (ref_step_expired()) {
                e->fault_rc = RV_ELIMIT;
                return emu_fault(e, "the step ran longer than the limit max_step_ms");
            }
        }
    }
    return 0;
}

int emu_run_step(void *user, uint32_t step, uint64_t *argv, uint32_t n, const modrun_region *reg,
                 uint32_t n_reg)
{
    emu *e = user;
    const mod_step *st = &e->m->steps[step];
    (void)n;
    if (n_reg + 1 > EMU_MAX_REGIONS)
        return err_set(RV_ELIMIT, "emulator: more than %d memory regions", EMU_MAX_REGIONS - 1);
    memcpy(e->reg, reg, n_reg * sizeof *reg);
    e->reg[n_reg] = (modrun_region){(uintptr_t)e->stack, EMU_STACK_BYTES, 1};
    e->n_reg = n_reg + 1;
    e->last_reg = 0;
    memset(e->x, 0, sizeof e->x);
    e->lr_addr = UINT64_MAX;
    e->x[1] = EMU_RET_PC;                                      /* ra */
    e->x[2] = (uint64_t)(uintptr_t)e->stack + EMU_STACK_BYTES; /* sp, 16-byte aligned */
    e->x[10] = (uint64_t)(uintptr_t)argv;                      /* a0 */
    e->fault_rc = RV_EFORMAT;
    memset(&e->cur, 0, sizeof e->cur);
    memset(e->qn, 0, sizeof e->qn);
    if (e->tm)
        tm_begin(e->tm);
    int host_round = fegetround();
    if (e->frm <= 3)
        emu_set_round(e->frm);
    int rc = interpret(e, e->code_base + st->code_off);
    fesetround(host_round);
    emu_counts *c = &e->counts[step];
    c->insns += e->cur.insns;
    c->scalar += e->qn[EMU_Q_SCALAR];
    c->vsetvl += e->qn[EMU_Q_VSETVL];
    c->varith += e->qn[EMU_Q_VARITH];
    c->vload += e->qn[EMU_Q_VLOAD];
    c->vstore += e->qn[EMU_Q_VSTORE];
    c->flops += e->cur.flops;
    c->bytes_loaded += e->cur.bytes_loaded;
    c->bytes_stored += e->cur.bytes_stored;
    c->runs++;
    if (e->tm) {
        double *busy = &e->busy[(size_t)step * EMU_RES__COUNT];
        int lim;
        e->cycles[step] += tm_end(e->tm, busy, &lim);
        e->limit[step] = (uint8_t)lim;
    }
    if (rc) {
        char text[112] = "";
        uint64_t off = e->pc - e->code_base;
        if (off < e->code_len && e->cache[off >> 1].state == 1) {
            isa_inst in;
            char ins[96];
            isa_decode(e->cache[off >> 1].word, &in);
            isa_style sty = {ISA_OBJDUMP, NULL, NULL, NULL};
            isa_print(&in, e->pc, &sty, ins, sizeof ins);
            for (char *p = ins; *p; p++)
                if (*p == '\t')
                    *p = ' ';
            snprintf(text, sizeof text, " '%s'", ins);
        }
        return err_set(e->fault_rc, "emulator: pc 0x%llx (code offset; the step starts at 0x%llx)%s: %s",
                       (unsigned long long)off, (unsigned long long)st->code_off, text, e->fault);
    }
    if (e->x[10] != 0)
        return err_set(RV_EINVAL, "an index read by the step is out of range");
    return 0;
}
