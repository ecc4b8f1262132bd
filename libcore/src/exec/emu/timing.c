/* timing.c - the resource model of timing.h driven by cores.def: each
 * retired instruction adds busy cycles to the resources it occupies; a
 * step's cycles are its busiest resource plus the stalls that do not
 * overlap. The formulas (and why they are shaped so) are in
 * docs/timing-model.md. */
#include "emu_int.h"
#include "cache.h"
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
enum { TC_SCALAR, TC_SLOAD, TC_SSTORE, TC_SMUL, TC_SFP, TC_SDIV, TC_SFDIV, TC_VSET, TC_VARITH, TC_VFMA,
       TC_VWIDE, TC_VMASK, TC_VFDIV, TC_VIDIV, TC_VRED, TC_VREDO, TC_V2S, TC_VMEM };

#define R_NONE 0xff
static uint8_t reg_id(int type, int n)
{
    if (type == ISA_T_X)
        return n ? (uint8_t)n : R_NONE;
    return (uint8_t)((type == ISA_T_F ? 32 : 64) + n);
}

/* multiply-add rows read their destination (the accumulator) */
static int reads_vd(const char *mn)
{
    return strstr(mn, "macc") || strstr(mn, "nmsac") || strstr(mn, "msac") || strstr(mn, "madd") ||
           strstr(mn, "msub");
}

void tm_operands(const isa_inst *in, uint8_t *dst, uint8_t src[4])
{
    const isa_row *r = isa_row_of(in->base);
    int ns = 0;
    *dst = R_NONE;
    memset(src, R_NONE, 4);
    for (int i = 0; i < r->n_ops; i++) {
        const isa_opkind *o = &isa_opkinds[r->ops[i]];
        if (o->type != ISA_T_X && o->type != ISA_T_F && o->type != ISA_T_V)
            continue;
        if (o->slot == ISA_SLOT_NONE) { /* the implicit v0 of vmerge/vadc */
            if (ns < 4)
                src[ns++] = 64;
            continue;
        }
        int v = (int)isa_field_get(in, o->slot);
        uint8_t id = reg_id(o->type, v);
        int is_dst = o->slot == ISA_SLOT_RD && strcmp(o->name, "VS3") != 0;
        if (is_dst) {
            *dst = id;
            if (o->type == ISA_T_V && reads_vd(r->mnemonic) && ns < 4)
                src[ns++] = id;
        } else if (ns < 4) {
            src[ns++] = id;
        }
    }
    if (r->ext >= ISA_EXT_V && !in->vm && ns < 4 && r->cls != ISA_CL_VSET)
        src[ns++] = 64; /* masked: reads v0 */
}

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
        if (reads_vd(mn) && strncmp(mn, "vfw", 3) && strncmp(mn, "vw", 2))
            return TC_VFMA;
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
    if (opc == 0x03 || opc == 0x07 || opc == 0x2f) /* AMOs and LR/SC: a load's latency */
        return TC_SLOAD;
    if (opc == 0x23 || opc == 0x27)
        return TC_SSTORE;
    if (b == ISA_MUL || b == ISA_MULH || b == ISA_MULHU || b == ISA_MULHSU || b == ISA_MULW)
        return TC_SMUL;
    if (opc == 0x53 || opc == 0x43 || opc == 0x47 || opc == 0x4b || opc == 0x4f)
        return TC_SFP;
    return TC_SCALAR;
}

#define TM_MAX_PIPES 8
#define TM_MAX_VQ 64
#define TM_STREAMS 4
#define TM_PF 1024
#define TM_NOWHERE UINT64_MAX
struct tm_state {
    const emu_core *c;
    unsigned vlen;
    tm_cache *l1, *l2;          /* persist across steps (a step finds what the last one left) */
    unsigned line_shift;
    double busy[EMU_RES__COUNT];
    uint64_t bytes;
    /* the timeline of the current step */
    double ts;                  /* scalar front end: next issue cycle */
    double rdy[96];             /* cycle each register's value is usable */
    double rd_end[32];          /* cycle the last vector reader of each v register is done with it */
    double pipe[TM_MAX_PIPES];  /* cycle each vector pipe is free */
    double vq;                  /* last vector start (the vector unit issues in order) */
    double vlsu;                /* cycle the vector load/store unit is free */
    double vend;                /* last vector completion */
    double vqs[TM_MAX_VQ];      /* start cycles of the last vq_depth vector instructions (a ring) */
    unsigned vqn;
    double l2_port, dram_port;  /* cycle the L2 -> L1 and DRAM <-> L2 transfers are free */
    double l2_busy, dram_busy;
    uint64_t stream[TM_STREAMS]; /* the last missed line of recent miss streams (the prefetcher's view) */
    unsigned stream_next;
    struct {                    /* the stride prefetcher's table: by instruction */
        uint64_t pc;            /* code slot + 1 */
        uint64_t last;
        int64_t stride;
    } pf[TM_PF];
    int predicted;              /* the access being charged was predicted by pf */
    uint64_t mru_line;          /* the line accessed last (+ 1; 0 none): most recent in its set */
    uint32_t creg[2];           /* the regions canon() found last */
    int mru_dirty;
};

tm_state *tm_create(const emu_core *c, unsigned vlen)
{
    tm_state *t = mem_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->c = c;
    t->vlen = vlen;
    t->l1 = cache_create(c->l1d_kib, c->l1d_ways, c->line_bytes);
    t->l2 = cache_create(c->l2_kib, c->l2_ways, c->line_bytes);
    while ((1u << t->line_shift) < c->line_bytes)
        t->line_shift++;
    if (!t->l1 || !t->l2 || (1u << t->line_shift) != c->line_bytes) {
        tm_free(t);
        return NULL;
    }
    return t;
}

void tm_free(tm_state *t)
{
    if (t) {
        cache_free(t->l1);
        cache_free(t->l2);
    }
    mem_free(t);
}

void tm_begin(tm_state *t)
{
    /* a new timeline; the caches keep their lines */
    tm_state keep = *t;
    memset(t, 0, sizeof *t);
    t->c = keep.c;
    t->vlen = keep.vlen;
    t->l1 = keep.l1;
    t->l2 = keep.l2;
    t->line_shift = keep.line_shift;
}

static inline double dmax(double a, double b) { return a > b ? a : b; }

/* --- the memory hierarchy ------------------------------------------------ */
/* A dirty line leaving L1 goes to L2 (which may push its own dirty victim
 * to DRAM); both take transfer time on the ports, nobody waits for it. */
static void write_back(tm_state *t, uint64_t line, double at)
{
    const emu_core *c = t->c;
    double x2 = c->line_bytes / c->l2_bytes, xd = c->line_bytes / c->dram_bytes;
    t->l2_port = dmax(at, t->l2_port) + x2;
    t->l2_busy += x2;
    uint64_t v;
    if (cache_access(t->l2, line, 1, &v) & 2) {
        t->dram_port = dmax(at, t->dram_port) + xd;
        t->dram_busy += xd;
    }
}

/* One line accessed at cycle `at`: returns when its data is in L1 (at
 * itself on a hit). A miss is filled through the L2 port (and the DRAM
 * port before it on an L2 miss), transfers queueing behind each other:
 * bandwidth. A line the prefetchers would have fetched early - the next
 * line of a recent miss stream, or any line of an access whose
 * instruction repeats its last address stride - costs only that
 * transfer time on the ports (the step lasts at least until they are
 * done) and its data is usable at once; any other miss delays its data
 * by the transfers and the level's latency. Misses do not block later
 * accesses. */
static double line_access(tm_state *t, uint64_t line, int write, double at)
{
    const emu_core *c = t->c;
    uint64_t victim;
    if (line + 1 == t->mru_line && (!write || t->mru_dirty))
        return at; /* the last line again: a hit that changes nothing (the common case) */
    int r = cache_access(t->l1, line, write, &victim);
    t->mru_line = line + 1;
    t->mru_dirty = write;
    if (r & 1)
        return at;
    if (r & 2)
        write_back(t, victim, at);
    int seq = t->predicted;
    for (unsigned i = 0; i < TM_STREAMS && !seq; i++)
        if (t->stream[i] + 1 == line) {
            t->stream[i] = line;
            seq = 1;
            break;
        }
    if (!seq) {
        t->stream[t->stream_next] = line;
        t->stream_next = (t->stream_next + 1) % TM_STREAMS;
    }
    double x2 = c->line_bytes / c->l2_bytes, xd = c->line_bytes / c->dram_bytes, ready = at;
    int r2 = cache_access(t->l2, line, 0, &victim);
    if (r2 & 2) {
        t->dram_port = dmax(at, t->dram_port) + xd;
        t->dram_busy += xd;
    }
    if (!(r2 & 1)) {
        t->dram_port = dmax(at, t->dram_port) + xd;
        t->dram_busy += xd;
        ready = t->dram_port + (seq ? 0 : c->dram_lat);
    }
    t->l2_port = dmax(ready, t->l2_port) + x2;
    t->l2_busy += x2;
    return seq ? at : t->l2_port + c->l2_lat;
}

/* The address the caches see: region number x 2^36 + the offset in the
 * region, so the modeled sets do not depend on where the host's
 * allocator put the buffers (the figures are the same run to run).
 * TM_NOWHERE for an address in no region: no cache sees it (the access
 * faults, or it is a masked-off element that is never made). */
static uint64_t canon(tm_state *t, const emu *e, uint64_t a)
{
    for (int k = 0; k < 2; k++) { /* the two regions used last (kernels alternate between operands) */
        uint32_t i = t->creg[k];
        if (i < e->n_reg && a - e->reg[i].base < e->reg[i].len)
            return ((uint64_t)i << 36) + (a - e->reg[i].base);
    }
    for (uint32_t i = 0; i < e->n_reg; i++)
        if (a - e->reg[i].base < e->reg[i].len) {
            t->creg[1] = t->creg[0];
            t->creg[0] = i;
            return ((uint64_t)i << 36) + (a - e->reg[i].base);
        }
    return TM_NOWHERE;
}

/* The stride prefetcher's view of an access at addr by the instruction
 * at code slot pc: predicted when the instruction's last two addresses
 * were `stride` apart and this one continues them. */
static void predict(tm_state *t, uint64_t pc, uint64_t addr)
{
    unsigned h = (unsigned)((pc * 0x9e3779b97f4a7c15ull) >> 54); /* the top 10 bits: TM_PF entries */
    int64_t st = (int64_t)(addr - t->pf[h].last);
    t->predicted = t->pf[h].pc == pc + 1 && st != 0 && st == t->pf[h].stride;
    if (t->pf[h].pc != pc + 1) {
        t->pf[h].pc = pc + 1; /* 0: an empty entry */
        st = 0;
    }
    t->pf[h].stride = st;
    t->pf[h].last = addr;
}

/* The bytes [addr, addr + n) accessed at `at`: when the last line's data is in L1. */
static double range_access(tm_state *t, uint64_t addr, uint64_t n, int write, double at)
{
    if (!n || addr == TM_NOWHERE)
        return at;
    double done = at;
    for (uint64_t l = addr >> t->line_shift, end = (addr + n - 1) >> t->line_shift; l <= end; l++)
        done = dmax(done, line_access(t, l, write, at));
    return done;
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

/* load/store unit cycles of a vector memory access starting at `at`;
 * *load says whether it writes registers, *data when the last byte it
 * touches is in L1 (the caches see every line: unit-stride and
 * whole-register accesses as one range, strided and indexed ones element
 * by element, masked-off elements included) */
static double vmem_cycles(tm_state *t, const emu *e, const emu_insn *d, double at, int *load, double *data)
{
    const emu_core *c = t->c;
    uint32_t w = d->word;
    int store = (w & 0x7f) == 0x27;
    unsigned width = (w >> 12) & 7, mop = (w >> 26) & 3, lumop = (w >> 20) & 31, nf = ((w >> 29) & 7) + 1;
    unsigned eew = width == 0 ? 1 : width == 5 ? 2 : width == 6 ? 4 : 8;
    double bw = store ? c->vst_bytes : c->vld_bytes, cyc;
    uint64_t bytes, base = canon(t, e, e->x[d->rs1]);
    predict(t, (uint64_t)(d - e->cache), base);
    if (mop == 0 && lumop == 8) {
        bytes = (uint64_t)nf * e->vlenb;
        cyc = (double)bytes / bw;
        *data = range_access(t, base, bytes, store, at);
    } else if (mop == 0) {
        bytes = lumop == 0xb ? (e->vl + 7) / 8 : e->vl * eew * nf;
        cyc = (double)bytes / bw;
        *data = range_access(t, base, bytes, store, at);
    } else {
        unsigned eb = mop == 2 ? eew : e->vsew;
        bytes = e->vl * eb * nf;
        cyc = (double)(e->vl * nf) * (mop == 2 ? c->strided_elem_cycles : c->indexed_elem_cycles);
        int64_t stride = (int64_t)e->x[d->rs2];
        const unsigned char *idx = e->v + (size_t)d->rs2 * e->vlenb;
        uint64_t last = UINT64_MAX;
        double done = at;
        for (uint64_t i = 0; i < e->vl; i++) {
            if (!d->vm && !mask_bit(e->v, i))
                continue; /* masked off: not accessed */
            uint64_t a = canon(t, e, e->x[d->rs1] + (mop == 2 ? (uint64_t)((int64_t)i * stride) : get_el(idx, i, eew)));
            uint64_t l0 = a >> t->line_shift, l1 = (a + (uint64_t)nf * eb - 1) >> t->line_shift;
            if ((l0 == last && l1 == last) || a == TM_NOWHERE)
                continue; /* the line the previous element touched: no new lookup */
            done = dmax(done, range_access(t, a, (uint64_t)nf * eb, store, at));
            last = l1;
        }
        *data = done;
    }
    t->bytes += bytes;
    *load = !store;
    return cyc < 1 ? 1 : cyc;
}

void tm_insn(tm_state *t, const emu *e, const emu_insn *d)
{
    const emu_core *c = t->c;
    double *b = t->busy, slot = 1.0 / c->scalar_issue;
    int cls = d->cls, vec = cls >= TC_VARITH && !e->vill;
    unsigned qd = c->vq_depth < TM_MAX_VQ ? c->vq_depth : TM_MAX_VQ;
    /* the in-order front end issues when the scalar operands are ready
     * (a vector instruction needs only its scalar ones to dispatch) and,
     * for a vector instruction, when the vector queue has room: the one
     * vq_depth places earlier has started */
    double at = t->ts;
    for (int i = 0; i < 4; i++)
        if (d->tsrc[i] < 64)
            at = dmax(at, t->rdy[d->tsrc[i]]);
    if (vec && qd)
        at = dmax(at, t->vqs[t->vqn % qd]);
    t->ts = at + slot;
    b[EMU_RES_SCALAR] += slot;
    double lat = 1;
    uint32_t opc = d->word & 0x7f;
    switch (cls) {
    case TC_SLOAD: {
        uint64_t addr = canon(t, e, e->x[d->rs1] + (opc == 0x2f ? 0 : (uint64_t)d->imm));
        predict(t, (uint64_t)(d - e->cache), addr);
        double data = range_access(t, addr, 1, opc == 0x2f && (d->word >> 27) != 2, at);
        lat = dmax(c->sld_lat, data - at);
        t->bytes += 4;
        break;
    }
    case TC_SSTORE: {
        uint64_t addr = canon(t, e, e->x[d->rs1] + (uint64_t)d->imm);
        predict(t, (uint64_t)(d - e->cache), addr);
        range_access(t, addr, 1, 1, at);
        t->bytes += 4;
        break;
    }
    case TC_SMUL: lat = c->smul_lat; break;
    case TC_SFP: lat = c->sfp_lat; break;
    case TC_SDIV: case TC_SFDIV:
        lat = cls == TC_SDIV ? c->sdiv_cycles : c->sfdiv_cycles;
        t->ts = at + lat; /* blocking */
        b[EMU_RES_SCALAR] += lat - slot;
        break;
    case TC_VSET:
        t->ts = at + c->vset_cycles;
        b[EMU_RES_SCALAR] += c->vset_cycles - slot;
        break;
    }
    if (!vec) {
        if (d->tdst != R_NONE && cls < TC_VARITH)
            t->rdy[d->tdst] = at + lat;
        return;
    }
    /* the vector unit: in order, after dispatch and the vector operands */
    double start = dmax(at, t->vq);
    for (int i = 0; i < 4; i++)
        if (d->tsrc[i] != R_NONE && d->tsrc[i] >= 64)
            start = dmax(start, t->rdy[d->tsrc[i]]);
    double regs = e->vlmul8 < 8 ? 1 : e->vlmul8 / 8.0, occ = 1, ready = c->vld_lat;
    unsigned dregs = (unsigned)regs, sregs = dregs;
    int mem = cls == TC_VMEM;
    switch (mem ? -1 : cls) {
    case -1: break;
    case TC_VWIDE: occ = group_cycles(t, regs * 2); ready = c->valu_lat; dregs *= 2; break;
    case TC_VMASK: occ = 1; ready = c->valu_lat; dregs = sregs = 1; break;
    case TC_VFDIV: occ = group_cycles(t, regs) * c->vfdiv_occ; ready = occ; break;
    case TC_VIDIV: occ = group_cycles(t, regs) * c->vidiv_occ; ready = occ; break;
    case TC_VRED: {
        /* the group folds to one DLEN slice, then a log2 tree of dependent adds */
        unsigned lanes = c->dlen / (e->vsew * 8);
        occ = group_cycles(t, regs) + ilog2(lanes ? lanes : 1) * c->vfadd_lat;
        ready = occ; /* nothing chains out of a reduction */
        dregs = 1;
        break;
    }
    case TC_VREDO: occ = (double)(e->vl ? e->vl : 1) * c->vfadd_lat; ready = occ; dregs = 1; break;
    case TC_V2S: occ = 1; ready = 1 + c->v2s_lat; dregs = 1; break; /* into a scalar register */
    case TC_VFMA: occ = group_cycles(t, regs); ready = c->vfma_lat; break;
    default: occ = group_cycles(t, regs); ready = c->valu_lat; break;
    }
    /* write-after-write and write-after-read: the in-order unit lets a
     * result land neither before an earlier write of the same register
     * nor before an earlier instruction has finished reading it */
    int vdst = d->tdst != R_NONE && d->tdst >= 64;
    if (vdst)
        for (unsigned r = d->tdst - 64; r < d->tdst - 64u + dregs && r < 32; r++)
            start = dmax(start, dmax(t->rdy[64 + r], t->rd_end[r]) - ready);
    if (mem) {
        int load;
        double data;
        start = dmax(start, t->vlsu);
        occ = vmem_cycles(t, e, d, start, &load, &data);
        t->vlsu = start + occ;
        b[EMU_RES_VLSU] += occ;
        t->vend = dmax(t->vend, dmax(start + occ, data));
        if (load && vdst)
            for (unsigned r = 0; r < dregs && d->tdst + r < 96; r++)
                t->rdy[d->tdst + r] = dmax(start + c->vld_lat, data);
    } else {
        unsigned np = c->vpipes < TM_MAX_PIPES ? c->vpipes : TM_MAX_PIPES, p = 0;
        for (unsigned i = 1; i < np; i++)
            if (t->pipe[i] < t->pipe[p])
                p = i;
        start = dmax(start, t->pipe[p]);
        t->pipe[p] = start + occ;
        t->vend = dmax(t->vend, start + occ);
        b[EMU_RES_VEXEC] += occ / np;
        if (d->tdst != R_NONE) {
            if (d->tdst < 64)
                t->rdy[d->tdst] = start + ready;
            else
                for (unsigned r = 0; r < dregs && d->tdst + r < 96; r++)
                    t->rdy[d->tdst + r] = start + ready;
        }
    }
    t->vq = start;
    /* the sources are read over the occupancy */
    for (int i = 0; i < 4; i++)
        if (d->tsrc[i] != R_NONE && d->tsrc[i] >= 64)
            for (unsigned r = d->tsrc[i] - 64u; r < d->tsrc[i] - 64u + sregs && r < 32; r++)
                t->rd_end[r] = dmax(t->rd_end[r], start + occ);
    if (qd)
        t->vqs[t->vqn++ % qd] = start;
}

double tm_end(tm_state *t, double *busy, int *limit)
{
    /* the memory ports: the busier one is the "memory" resource */
    t->busy[EMU_RES_MEMORY] = dmax(t->l2_busy, t->dram_busy);
    double timeline = dmax(dmax(t->ts, t->vend), t->vlsu);
    for (int p = 0; p < TM_MAX_PIPES; p++)
        timeline = dmax(timeline, t->pipe[p]);
    double cycles = dmax(timeline, dmax(t->l2_port, t->dram_port));
    int lim = 0;
    for (int r = 1; r < EMU_RES_STALL; r++)
        if (t->busy[r] > t->busy[lim])
            lim = r;
    /* what the timeline has beyond the busiest resource: dependencies */
    t->busy[EMU_RES_STALL] = dmax(0, cycles - t->busy[lim]);
    if (t->busy[EMU_RES_STALL] > t->busy[lim])
        lim = EMU_RES_STALL;
    for (int r = 0; r < EMU_RES__COUNT; r++)
        busy[r] += t->busy[r];
    *limit = lim;
    return cycles;
}
