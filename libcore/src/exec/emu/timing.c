/* timing.c - the resource model of timing.h driven by cores.def: each
 * retired instruction adds busy cycles to the resources it occupies; a
 * step's cycles are its busiest resource plus the stalls that do not
 * overlap. The formulas (and why they are shaped so) are in
 * docs/timing-model.md. */
#include "emu_int.h"
#include "../../util/mem.h"

#include <string.h>

static const emu_core cores[] = {
#define CORE(...) __VA_ARGS__,
#include "cores.def"
};

const emu_core *tm_core_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof cores / sizeof *cores; i++)
        if (!strcmp(cores[i].id, name))
            return &cores[i];
    return NULL;
}

const emu_core *tm_core_at(int i)
{
    return i >= 0 && (size_t)i < sizeof cores / sizeof *cores ? &cores[i] : NULL;
}

static const char *const res_names[] = {
#define X(id, name) name,
    EMU_RESOURCES(X)
#undef X
};
const char *tm_resource_name(int r) { return r >= 0 && r < EMU_RES__COUNT ? res_names[r] : "?"; }

/* timing classes */
enum { TC_SCALAR, TC_SDIV, TC_SFDIV, TC_VSET, TC_VARITH, TC_VWIDE, TC_VMASK, TC_VFDIV, TC_VIDIV,
       TC_VRED, TC_VREDO, TC_V2S, TC_VMEM };

int tm_classify(int b, uint32_t w)
{
    uint32_t opc = w & 0x7f, f3 = (w >> 12) & 7;
    if (b == ISA_VSETVLI || b == ISA_VSETIVLI || b == ISA_VSETVL)
        return TC_VSET;
    if ((opc == 0x07 || opc == 0x27) && (f3 == 0 || f3 >= 5))
        return TC_VMEM;
    if (opc == 0x57) {
        switch (b) {
        case ISA_VFDIV_VV: case ISA_VFDIV_VF: case ISA_VFRDIV_VF: case ISA_VFSQRT_V:
            return TC_VFDIV;
        case ISA_VDIV_VV: case ISA_VDIV_VX: case ISA_VDIVU_VV: case ISA_VDIVU_VX:
        case ISA_VREM_VV: case ISA_VREM_VX: case ISA_VREMU_VV: case ISA_VREMU_VX:
            return TC_VIDIV;
        case ISA_VFREDUSUM_VS: case ISA_VFREDMAX_VS: case ISA_VFREDMIN_VS: case ISA_VREDSUM_VS:
        case ISA_VREDMAX_VS: case ISA_VREDMAXU_VS: case ISA_VREDMIN_VS: case ISA_VREDMINU_VS:
        case ISA_VREDAND_VS: case ISA_VREDOR_VS: case ISA_VREDXOR_VS:
            return TC_VRED;
        case ISA_VFREDOSUM_VS:
            return TC_VREDO;
        case ISA_VFMV_F_S: case ISA_VMV_X_S: case ISA_VCPOP_M: case ISA_VFIRST_M:
            return TC_V2S;
        case ISA_VMAND_MM: case ISA_VMNAND_MM: case ISA_VMANDN_MM: case ISA_VMXOR_MM: case ISA_VMOR_MM:
        case ISA_VMNOR_MM: case ISA_VMORN_MM: case ISA_VMXNOR_MM:
            return TC_VMASK;
        }
        const char *mn = isa_row_of((isa_id)b)->mnemonic;
        /* widening (vfwcvt, vwadd ...) and narrowing rows work on a 2*LMUL group */
        if (!strncmp(mn, "vfw", 3) || !strncmp(mn, "vw", 2) || !strncmp(mn, "vfn", 3) || !strncmp(mn, "vn", 2))
            return TC_VWIDE;
        return TC_VARITH;
    }
    if (b == ISA_DIV || b == ISA_DIVU || b == ISA_REM || b == ISA_REMU || b == ISA_DIVW || b == ISA_DIVUW ||
        b == ISA_REMW || b == ISA_REMUW)
        return TC_SDIV;
    if (b == ISA_FDIV_S || b == ISA_FSQRT_S || b == ISA_FDIV_D || b == ISA_FSQRT_D)
        return TC_SFDIV;
    return TC_SCALAR;
}

struct tm_state {
    const emu_core *c;
    unsigned vlen;
    double busy[EMU_RES__COUNT];
    uint64_t bytes;
};

tm_state *tm_create(const emu_core *c, unsigned vlen)
{
    tm_state *t = mem_calloc(1, sizeof *t);
    if (t) {
        t->c = c;
        t->vlen = vlen;
    }
    return t;
}

void tm_free(tm_state *t) { mem_free(t); }
void tm_begin(tm_state *t)
{
    memset(t->busy, 0, sizeof t->busy);
    t->bytes = 0;
}

/* cycles one pipe spends on a register group of `regs` registers */
static double group_cycles(const tm_state *t, double regs)
{
    double c = regs * t->vlen / t->c->dlen;
    return c < 1 ? 1 : c;
}

static unsigned ilog2(uint64_t v)
{
    unsigned n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

static void vmem(tm_state *t, const emu *e, const emu_insn *d)
{
    const emu_core *c = t->c;
    uint32_t w = d->word;
    int store = (w & 0x7f) == 0x27;
    unsigned width = (w >> 12) & 7, mop = (w >> 26) & 3, lumop = (w >> 20) & 31, nf = ((w >> 29) & 7) + 1;
    unsigned eew = width == 0 ? 1 : width == 5 ? 2 : width == 6 ? 4 : 8;
    double bw = store ? c->vst_bytes : c->vld_bytes, cyc;
    uint64_t bytes;
    if (mop == 0 && lumop == 8) {
        bytes = (uint64_t)nf * e->vlenb;
        cyc = (double)bytes / bw;
    } else if (mop == 0) {
        uint64_t n = lumop == 0xb ? (e->vl + 7) / 8 : e->vl * eew * nf;
        bytes = n;
        cyc = (double)n / bw;
    } else {
        unsigned eb = mop == 2 ? eew : e->vsew;
        bytes = e->vl * eb * nf;
        cyc = (double)(e->vl * nf) * (mop == 2 ? c->strided_elem_cycles : c->indexed_elem_cycles);
    }
    t->busy[EMU_RES_VLSU] += cyc < 1 ? 1 : cyc;
    t->bytes += bytes;
}

void tm_insn(tm_state *t, const emu *e, const emu_insn *d)
{
    const emu_core *c = t->c;
    double *b = t->busy;
    b[EMU_RES_SCALAR] += 1.0 / c->scalar_issue; /* every instruction passes the in-order front end */
    if (d->cls == TC_SCALAR) {
        uint32_t opc = d->word & 0x7f;
        if (opc == 0x03 || opc == 0x23 || opc == 0x07 || opc == 0x27) /* scalar loads/stores */
            t->bytes += 4;
        return;
    }
    if (d->cls == TC_SDIV || d->cls == TC_SFDIV) {
        b[EMU_RES_SCALAR] += (d->cls == TC_SDIV ? c->sdiv_cycles : c->sfdiv_cycles) - 1.0 / c->scalar_issue;
        return;
    }
    if (d->cls == TC_VSET) {
        b[EMU_RES_SCALAR] += c->vset_cycles - 1.0 / c->scalar_issue;
        return;
    }
    if (e->vill)
        return;
    if (d->cls == TC_VMEM) {
        vmem(t, e, d);
        return;
    }
    double regs = e->vlmul8 < 8 ? 1 : e->vlmul8 / 8.0, occ;
    switch (d->cls) {
    case TC_VWIDE: occ = group_cycles(t, regs * 2); break;
    case TC_VMASK: occ = 1; break;
    case TC_VFDIV: occ = group_cycles(t, regs) * c->vfdiv_occ; break;
    case TC_VIDIV: occ = group_cycles(t, regs) * c->vidiv_occ; break;
    case TC_VRED: {
        /* the group folds to one DLEN slice, then a log2 tree of dependent adds */
        unsigned lanes = c->dlen / (e->vsew * 8);
        occ = group_cycles(t, regs) + ilog2(lanes ? lanes : 1) * c->vfadd_lat;
        b[EMU_RES_VEXEC] += occ; /* a reduction holds its pipe through the tree */
        return;
    }
    case TC_VREDO: occ = (double)(e->vl ? e->vl : 1) * c->vfadd_lat; b[EMU_RES_VEXEC] += occ; return;
    case TC_V2S:
        b[EMU_RES_STALL] += c->v2s_lat;
        occ = 1;
        break;
    default: occ = group_cycles(t, regs); break;
    }
    b[EMU_RES_VEXEC] += occ / c->vpipes;
}

double tm_end(tm_state *t, double *busy, int *limit, uint64_t footprint)
{
    const emu_core *c = t->c;
    /* compulsory traffic: what does not fit a cache level comes from the
     * next one once (reuse inside the step is assumed to hit) */
    uint64_t l1 = (uint64_t)c->l1d_kib * 1024, l2 = (uint64_t)c->l2_kib * 1024;
    uint64_t fp = footprint < t->bytes ? footprint : t->bytes;
    double mem = 0;
    if (fp > l1)
        mem += (double)fp / c->l2_bytes;
    if (fp > l2)
        mem += (double)fp / c->dram_bytes;
    t->busy[EMU_RES_MEMORY] = mem;
    int lim = 0;
    for (int r = 1; r < EMU_RES_STALL; r++)
        if (t->busy[r] > t->busy[lim])
            lim = r;
    double cycles = t->busy[lim] + t->busy[EMU_RES_STALL];
    if (t->busy[EMU_RES_STALL] > t->busy[lim])
        lim = EMU_RES_STALL;
    for (int r = 0; r < EMU_RES__COUNT; r++)
        busy[r] += t->busy[r];
    *limit = lim;
    return cycles;
}
