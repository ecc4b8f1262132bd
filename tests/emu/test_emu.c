/* test_emu.c - the emulator on hand-written code in one-step modules:
 *  - timing calibration: the model's vfmacc throughput at each LMUL, its
 *    unit-stride load bandwidth and a reduction's cost must be exactly
 *    the figures of cores.def they are built from, for every core row,
 *    and a dependent FMA chain runs at the table's FMA latency;
 *  - hostile code: an illegal word, a load outside the sandbox, a store
 *    into read-only memory, a jump out of the code, a vector instruction
 *    reserved under the live vtype, an endless loop under max_step_ms -
 *    each an error naming the step and pc, never a crash;
 *  - a small kernel's result and its per-class instruction counts. */
#include "check.h"
#include "rvvnn.h"
#include "codegen/asm.h"
#include "exec/emu/emu.h"
#include "exec/emu/timing.h"
#include "module/module.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/status.h"

#include <string.h>

#define N_ELEMS 2048 /* input/output f32 elements: 8 KiB, L1 resident */

/* The image of a module with input x and output y (n f32 each) and one
 * RVV step (x, y) running the code in a (freed). footprint: the step's
 * bytes estimate. */
static int one_step_image_n(cg_asm *a, uint64_t footprint, int64_t n, void **img, size_t *len)
{
    if (asm_finish(a)) {
        fprintf(stderr, "asm: %s\n", err_message());
        asm_free(a);
        return RV_EINTERNAL;
    }
    modb b;
    modb_init(&b);
    tensor t = {DT_F32, 1, {n}, NULL, 0};
    uint32_t ids[2];
    uint64_t id64[2];
    int rc = modb_tensor(&b, "x", &t, MOD_T_INPUT, 0, NULL, &ids[0]);
    if (!rc)
        rc = modb_tensor(&b, "y", &t, MOD_T_OUTPUT, 0, NULL, &ids[1]);
    id64[0] = ids[0];
    id64[1] = ids[1];
    if (!rc)
        rc = modb_step_rvv(&b, "k", "Test", id64, 1, 1, NULL, 0, a->w, a->n * 4, 0, footprint);
    b.hdr.ext = MOD_EXT_V;
    b.hdr.opset = 17;
    b.hdr.min_vlen = 128;
    b.hdr.flags = MOD_FLAG_VLA;
    if (!rc)
        rc = modb_string(&b, "rv64gcv", &b.hdr.march);
    if (!rc)
        rc = modb_finish(&b, img, len);
    modb_free(&b);
    asm_free(a);
    if (rc)
        fprintf(stderr, "module: %s\n", err_message());
    return rc;
}

static int one_step_image(cg_asm *a, uint64_t footprint, void **img, size_t *len)
{
    return one_step_image_n(a, footprint, N_ELEMS, img, len);
}

static rvv_module *one_step_n(cg_asm *a, uint64_t footprint, int64_t n)
{
    void *img;
    size_t len;
    rvv_module *m = NULL;
    if (one_step_image_n(a, footprint, n, &img, &len))
        return NULL;
    if (module_load(img, len, NULL, &m)) {
        fprintf(stderr, "module: %s\n", err_message());
        return NULL;
    }
    return m;
}
static rvv_module *one_step(cg_asm *a, uint64_t footprint) { return one_step_n(a, footprint, N_ELEMS); }

/* What the timing model said of step 0's last run. */
typedef struct {
    double cycles, busy[EMU_RES__COUNT], flops, bytes;
    const char *limit;
} step_figs;

/* Runs m on the emulator (core may be NULL) `runs` times on an input of n
 * f32; returns the status, the emulator in *out (caller closes), the last
 * run's y in *y (caller frees) and, with a core, the last run's figures
 * in *f (the earlier runs warm the caches). */
static int run_n(rvv_module *m, const emu_core *core, unsigned vlen, const rv_limits *lim, int64_t n, int runs,
                 emu **out, tensor *y, step_figs *f)
{
    float *x = mem_calloc((size_t)n, sizeof *x);
    if (!x)
        return RV_ENOMEM;
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)(i % N_ELEMS) * 0.5f;
    tensor in = {DT_F32, 1, {n}, x, (size_t)n * sizeof *x};
    emu_config cfg = {.vlen = vlen, .core = core};
    emu *e;
    mod_session *s;
    memset(y, 0, sizeof *y);
    int rc = emu_open(m, &cfg, &e);
    if (rc) {
        mem_free(x);
        return rc;
    }
    if (!(rc = emu_session_open(e, &s))) {
        if (lim)
            modrun_set_limits(s, lim);
        step_figs before = {0};
        for (int r = 0; !rc && r < runs; r++) {
            if (core && r == runs - 1) {
                before.cycles = emu_step_cycles(e, 0, NULL);
                memcpy(before.busy, emu_step_busy(e, 0), sizeof before.busy);
                before.flops = (double)emu_step_counts(e, 0)->flops;
                before.bytes = (double)emu_step_counts(e, 0)->bytes_loaded;
            }
            mem_free(y->data);
            memset(y, 0, sizeof *y);
            rc = modrun_run(s, &in, y);
        }
        if (!rc && core && f) {
            f->cycles = emu_step_cycles(e, 0, &f->limit) - before.cycles;
            for (int r = 0; r < EMU_RES__COUNT; r++)
                f->busy[r] = emu_step_busy(e, 0)[r] - before.busy[r];
            f->flops = (double)emu_step_counts(e, 0)->flops - before.flops;
            f->bytes = (double)emu_step_counts(e, 0)->bytes_loaded - before.bytes;
        }
        modrun_close(s);
    }
    mem_free(x);
    *out = e;
    return rc;
}

static int run(rvv_module *m, const emu_core *core, unsigned vlen, const rv_limits *lim, emu **out, tensor *y)
{
    return run_n(m, core, vlen, lim, N_ELEMS, 1, out, y, NULL);
}

/* prologue: a1 = x, a2 = y */
static void prologue(cg_asm *a)
{
    asm_ld(a, A1, A0, 0);
    asm_ld(a, A2, A0, 8);
}
static void epilogue(cg_asm *a)
{
    asm_li(a, A0, 0);
    asm_ret(a);
}

#define ITERS 200
#define UNROLL 8

static void calibrate(const emu_core *c)
{
    for (int lmul = 1; lmul <= 8; lmul *= 2) {
        /* vfmacc.vf throughput: UNROLL independent FMAs per iteration */
        cg_asm a;
        asm_init(&a);
        prologue(&a);
        asm_vsetvli(&a, T0, ZERO, 32, lmul);
        asm_vv(&a, VF_SUB, 8, 8, 8);
        asm_vv(&a, VF_SUB, 0, 0, 0);
        asm_li(&a, T1, ITERS);
        int loop = asm_label(&a);
        asm_bind(&a, loop);
        /* independent accumulators (v8 up, one group each; vs2 = v0's group), so the
         * loop is bound by the pipes, not by the FMA latency of one chain */
        int n_acc = 24 / lmul;
        for (int u = 0; u < UNROLL; u++)
            asm_vf(&a, VF_MACC, 8 + (u % n_acc) * lmul, 0, FA0);
        asm_addi(&a, T1, T1, -1);
        asm_bnez(&a, T1, loop);
        epilogue(&a);
        rvv_module *m = one_step(&a, 2 * N_ELEMS * 4);
        CHECK(m != NULL);
        if (!m)
            return;
        emu *e;
        tensor y;
        int rc = run(m, c, c->vlen, NULL, &e, &y);
        CHECK_MSG(rc == 0, "%s", err_message());
        if (!rc) {
            const char *lim;
            double cyc = emu_step_cycles(e, 0, &lim);
            const double *busy = emu_step_busy(e, 0);
            double fmas = (double)ITERS * UNROLL;
            /* the table's figure: each pipe does DLEN/32 f32 FMAs (2 FLOP) per cycle */
            double want_flop_cycle = 2.0 * c->vpipes * c->dlen / 32;
            double flop = (double)emu_step_counts(e, 0)->flops;
            /* every element counted, exactly: 2 per FMA, 1 per element of the two setup vfsub */
            CHECK(flop == (fmas * 2 + 2) * (double)lmul * c->vlen / 32);
            /* vector-exec cycles per vfmacc: LMUL x VLEN/DLEN / pipes, exact (tolerance 1e-9 relative) */
            CHECK_CLOSE((busy[EMU_RES_VEXEC] - 2.0 * lmul * c->vlen / c->dlen / c->vpipes) / fmas,
                        (double)lmul * c->vlen / c->dlen / c->vpipes, 0, 1e-9);
            /* the loop is vector bound: its FLOP/cycle is the table's peak (the two setup
             * vfsub and the prologue are the only other cost: within 1%) */
            CHECK_CLOSE(flop / cyc, want_flop_cycle, 0, 0.01);
            CHECK_MSG(want_flop_cycle == c->peak_f32_flops, "%s: peak %g, DLEN x pipes give %g", c->id,
                      c->peak_f32_flops, want_flop_cycle);
            CHECK(lim && !strcmp(lim, tm_resource_name(EMU_RES_VEXEC)));
        }
        mem_free(y.data);
        emu_close(e);
        module_free(m);

        /* unit-stride load bandwidth: UNROLL vle32 of an L1-resident buffer per iteration */
        asm_init(&a);
        prologue(&a);
        asm_vsetvli(&a, T0, ZERO, 32, lmul);
        asm_li(&a, T1, ITERS);
        loop = asm_label(&a);
        asm_bind(&a, loop);
        for (int u = 0; u < UNROLL; u++)
            asm_vle(&a, 32, 8, A1);
        asm_addi(&a, T1, T1, -1);
        asm_bnez(&a, T1, loop);
        epilogue(&a);
        m = one_step(&a, N_ELEMS * 4);
        CHECK(m != NULL);
        if (!m)
            return;
        step_figs f;
        rc = run_n(m, c, c->vlen, NULL, N_ELEMS, 2, &e, &y, &f); /* the second run: L1 warm */
        CHECK_MSG(rc == 0, "%s", err_message());
        if (!rc) {
            double bytes = f.bytes;
            CHECK(bytes == (double)ITERS * UNROLL * lmul * c->vlen / 8 + 16); /* + the two argument loads */
            /* bytes per cycle equal the table's vld_bytes (tolerance 1e-9 relative: the loads are all
             * that occupies the load/store unit) */
            CHECK_CLOSE((bytes - 16) / f.busy[EMU_RES_VLSU], c->vld_bytes, 0, 1e-9);
            CHECK_CLOSE(bytes / f.cycles, c->vld_bytes, 0, 0.01); /* load bound: within 1% */
            CHECK(f.limit && !strcmp(f.limit, tm_resource_name(EMU_RES_VLSU)));
            CHECK(f.busy[EMU_RES_MEMORY] == 0); /* every line hits L1 */
        }
        mem_free(y.data);
        emu_close(e);
        module_free(m);
    }
    /* a reduction at LMUL 1: the group's cycles plus log2(DLEN/32) dependent adds */
    cg_asm a;
    asm_init(&a);
    prologue(&a);
    asm_vsetvli(&a, T0, ZERO, 32, 1);
    asm_li(&a, T1, ITERS);
    int loop = asm_label(&a);
    asm_bind(&a, loop);
    asm_vfredusum(&a, 8, 16, 24);
    asm_addi(&a, T1, T1, -1);
    asm_bnez(&a, T1, loop);
    epilogue(&a);
    rvv_module *m = one_step(&a, N_ELEMS * 4);
    CHECK(m != NULL);
    if (!m)
        return;
    emu *e;
    tensor y;
    int rc = run(m, c, c->vlen, NULL, &e, &y);
    CHECK_MSG(rc == 0, "%s", err_message());
    if (!rc) {
        double lanes = c->dlen / 32, tree = 0;
        while (lanes > 1) {
            lanes /= 2;
            tree++;
        }
        double want = ((double)c->vlen / c->dlen + tree * c->vfadd_lat) / c->vpipes;
        /* exact (tolerance 1e-9 relative): independent reductions share the pipes */
        CHECK_CLOSE(emu_step_busy(e, 0)[EMU_RES_VEXEC] / ITERS, want, 0, 1e-9);
    }
    mem_free(y.data);
    emu_close(e);
    module_free(m);
}

/* A streaming load four times the L2: every line misses both levels in
 * sequence (the prefetcher's case: no latency, only transfer), so the
 * step runs at the table's DRAM bandwidth and memory is the limit. */
static void stream(const emu_core *c)
{
    int64_t n = (int64_t)c->l2_kib * 1024; /* f32: 4 x the L2's bytes */
    cg_asm a;
    asm_init(&a);
    prologue(&a);
    asm_li(&a, T2, n);
    int loop = asm_label(&a);
    asm_bind(&a, loop);
    asm_vsetvli(&a, T0, T2, 32, 8);
    asm_vle(&a, 32, 8, A1);
    asm_slli(&a, T1, T0, 2);
    asm_add(&a, A1, A1, T1);
    asm_sub(&a, T2, T2, T0);
    asm_bnez(&a, T2, loop);
    epilogue(&a);
    rvv_module *m = one_step_n(&a, (uint64_t)n * 4, n);
    CHECK(m != NULL);
    if (!m)
        return;
    emu *e;
    tensor y;
    step_figs f;
    int rc = run_n(m, c, c->vlen, NULL, n, 1, &e, &y, &f);
    CHECK_MSG(rc == 0, "%s", err_message());
    if (!rc) {
        /* within 1%: the two argument loads and the last line's L2 transfer are extra */
        printf("%s: streaming load of %lld KiB: %.3f bytes/cycle (%s)\n", c->id, (long long)n * 4 / 1024,
               f.bytes / f.cycles, f.limit);
        CHECK_CLOSE(f.bytes / f.cycles, c->dram_bytes, 0, 0.01);
        CHECK_CLOSE(f.busy[EMU_RES_MEMORY], (double)n * 4 / c->dram_bytes, 0, 0.01);
        CHECK_MSG(f.limit && !strcmp(f.limit, tm_resource_name(EMU_RES_MEMORY)), "%s: limit %s", c->id,
                  f.limit ? f.limit : "?");
    }
    mem_free(y.data);
    emu_close(e);
    module_free(m);
}

/* An L1-resident GEMM microkernel: 8 rows x one LMUL-2 vector of
 * columns, per k one vle32 of B (alternating v0/v2, so the load never
 * waits for the FMAs still reading the other) and 8 flw + vfmacc.vf;
 * K = 32 steps over 1 KiB of A and up to 4 KiB of B, repeated. Warm, it
 * stays at >= 90% of the table's peak with the queue, the hazards and
 * the caches in the model. */
#define GEMM_K 32
#define GEMM_REPS 20
static void gemm_kernel(const emu_core *c)
{
    cg_asm a;
    asm_init(&a);
    prologue(&a);
    asm_vsetvli(&a, T0, ZERO, 32, 2);
    for (int r = 0; r < 8; r++)
        asm_vv(&a, VF_SUB, 8 + 2 * r, 8 + 2 * r, 8 + 2 * r); /* acc = 0 (x - x) */
    asm_slli(&a, T0, T0, 2);                                 /* bytes of one B row */
    asm_li(&a, T3, GEMM_REPS);
    int rep = asm_label(&a), loop = asm_label(&a);
    asm_bind(&a, rep);
    asm_mv(&a, T4, A1);         /* A: 8 floats per k */
    asm_addi(&a, T5, A1, 2048); /* B: one row per k */
    asm_li(&a, T1, GEMM_K / 2);
    asm_bind(&a, loop);
    for (int h = 0; h < 2; h++) {
        asm_vle(&a, 32, 2 * h, T5);
        asm_add(&a, T5, T5, T0);
        for (int r = 0; r < 8; r++)
            asm_flw(&a, FA0 + r, T4, 4 * r);
        for (int r = 0; r < 8; r++)
            asm_vf(&a, VF_MACC, 8 + 2 * r, 2 * h, FA0 + r);
        asm_addi(&a, T4, T4, 32);
    }
    asm_addi(&a, T1, T1, -1);
    asm_bnez(&a, T1, loop);
    asm_addi(&a, T3, T3, -1);
    asm_bnez(&a, T3, rep);
    for (int r = 0; r < 8; r++) {
        asm_vse(&a, 32, 8 + 2 * r, A2);
        asm_add(&a, A2, A2, T0);
    }
    epilogue(&a);
    rvv_module *m = one_step(&a, 2 * N_ELEMS * 4);
    CHECK(m != NULL);
    if (!m)
        return;
    emu *e;
    tensor y;
    step_figs f;
    int rc = run_n(m, c, c->vlen, NULL, N_ELEMS, 2, &e, &y, &f);
    CHECK_MSG(rc == 0, "%s", err_message());
    if (!rc) {
        double want = 2.0 * GEMM_REPS * GEMM_K * 8 * (2.0 * c->vlen / 32);
        CHECK(f.flops == want + 8 * 2.0 * c->vlen / 32); /* + the 8 zeroing vfsub */
        double pct = f.flops / f.cycles / c->peak_f32_flops;
        CHECK_MSG(pct >= 0.90, "%s: GEMM microkernel at %.1f%% of peak", c->id, 100 * pct);
        printf("%s: L1-resident GEMM microkernel %.1f%% of peak (%s)\n", c->id, 100 * pct, f.limit);
        CHECK(f.limit && !strcmp(f.limit, tm_resource_name(EMU_RES_VEXEC)));
    }
    mem_free(y.data);
    emu_close(e);
    module_free(m);
}

/* The bounded vector queue: per iteration 32 independent vfadd.vv at
 * LMUL 8 (each occupies a pipe occ = 8 x VLEN / DLEN cycles; with np
 * pipes the k-th starts at occ x floor(k / np)), then 256 scalar addi
 * (S = 128 cycles at 2 per cycle). The front end dispatches the last
 * vfadd only once the one vq_depth before it has started, so the scalar
 * part begins then: an iteration takes max(32 occ / np,
 * occ x floor((31 - vq_depth) / np) + S) cycles (within 2%: the loop's
 * own instructions). */
#define VQ_ADDS 256
static void vqueue(const emu_core *c)
{
    cg_asm a;
    asm_init(&a);
    prologue(&a);
    asm_vsetvli(&a, T0, ZERO, 32, 8);
    asm_li(&a, T1, ITERS / 4);
    int loop = asm_label(&a);
    asm_bind(&a, loop);
    for (int u = 0; u < 32; u++)
        asm_vv(&a, VF_ADD, 8, 16, 24);
    for (int u = 0; u < VQ_ADDS; u++)
        asm_addi(&a, T2 + u % 3, T2 + u % 3, 1); /* t2..t4: three independent chains */
    asm_addi(&a, T1, T1, -1);
    asm_bnez(&a, T1, loop);
    epilogue(&a);
    rvv_module *m = one_step(&a, 0);
    CHECK(m != NULL);
    if (!m)
        return;
    emu *e;
    tensor y;
    step_figs f;
    int rc = run_n(m, c, c->vlen, NULL, N_ELEMS, 1, &e, &y, &f);
    CHECK_MSG(rc == 0, "%s", err_message());
    if (!rc) {
        double occ = 8.0 * c->vlen / c->dlen, sc = VQ_ADDS / c->scalar_issue;
        double want = occ * (double)((31 - c->vq_depth) / c->vpipes) + sc;
        if (want < 32 * occ / c->vpipes)
            want = 32 * occ / c->vpipes;
        printf("%s: vector queue: %.1f cycles per iteration (model %g)\n", c->id, f.cycles / (ITERS / 4), want);
        CHECK_CLOSE(f.cycles / (ITERS / 4), want, 0, 0.02);
    }
    mem_free(y.data);
    emu_close(e);
    module_free(m);
}

/* Write-after-write: a vfdiv.vv into v8, then a vadd.vv into v8 that a
 * free second pipe could start at once; its result may not land before
 * the divide's, so it starts (divide latency - ALU latency) later, and
 * the next pair's divide takes the pipe that add freed: per pair
 * vfdiv_occ x group - valu_lat + group cycles on a core with two pipes
 * (within 1%), the divide's occupancy on one pipe. */
static void waw(const emu_core *c)
{
    cg_asm a;
    asm_init(&a);
    prologue(&a);
    asm_vsetvli(&a, T0, ZERO, 32, 1);
    asm_li(&a, T1, ITERS);
    int loop = asm_label(&a);
    asm_bind(&a, loop);
    for (int u = 0; u < UNROLL; u++) {
        asm_vv(&a, VF_DIV, 8, 16, 24);
        asm_vv(&a, VF_ADD, 8, 16, 24);
    }
    asm_addi(&a, T1, T1, -1);
    asm_bnez(&a, T1, loop);
    epilogue(&a);
    rvv_module *m = one_step(&a, 0);
    CHECK(m != NULL);
    if (!m)
        return;
    emu *e;
    tensor y;
    step_figs f;
    int rc = run_n(m, c, c->vlen, NULL, N_ELEMS, 1, &e, &y, &f);
    CHECK_MSG(rc == 0, "%s", err_message());
    if (!rc) {
        double grp = (double)c->vlen / c->dlen, dv = grp * c->vfdiv_occ;
        double want = c->vpipes >= 2 ? dv - c->valu_lat + grp : dv + grp;
        printf("%s: vfdiv + vadd into one register: %.2f cycles per pair (model %g)\n", c->id,
               f.cycles / (ITERS * UNROLL), want);
        CHECK_CLOSE(f.cycles / (ITERS * UNROLL), want, 0, 0.01);
    }
    mem_free(y.data);
    emu_close(e);
    module_free(m);
}

/* One accumulator: every vfmacc waits for the previous one, so the loop
 * runs at vfma_lat cycles per FMA (the pipes are not the limit). */
static void chain(const emu_core *c)
{
    cg_asm a;
    asm_init(&a);
    prologue(&a);
    asm_vsetvli(&a, T0, ZERO, 32, 1);
    asm_li(&a, T1, ITERS);
    int loop = asm_label(&a);
    asm_bind(&a, loop);
    for (int u = 0; u < UNROLL; u++)
        asm_vf(&a, VF_MACC, 8, 16, FA0);
    asm_addi(&a, T1, T1, -1);
    asm_bnez(&a, T1, loop);
    epilogue(&a);
    rvv_module *m = one_step(&a, 0);
    CHECK(m != NULL);
    if (!m)
        return;
    emu *e;
    tensor y;
    int rc = run(m, c, c->vlen, NULL, &e, &y);
    CHECK_MSG(rc == 0, "%s", err_message());
    if (!rc) {
        const char *lim;
        double cyc = emu_step_cycles(e, 0, &lim);
        /* within 1% (the prologue and the first FMA's occupancy are extra) */
        CHECK_CLOSE(cyc / (ITERS * UNROLL), c->vfma_lat, 0, 0.01);
        CHECK(lim && !strcmp(lim, tm_resource_name(EMU_RES_STALL)));
    }
    mem_free(y.data);
    emu_close(e);
    module_free(m);
}

/* Expects the step to fail with `code` and a message naming step 0, a pc and `why`. */
static void expect_fault(cg_asm *a, int code, const char *why, const rv_limits *lim)
{
    rvv_module *m = one_step(a, 0);
    CHECK(m != NULL);
    if (!m)
        return;
    emu *e = NULL;
    tensor y;
    int rc = run(m, NULL, 256, lim, &e, &y);
    const char *msg = err_message();
    CHECK_MSG(rc == code, "want %d got %d: %s", code, rc, msg);
    CHECK_MSG(strstr(msg, "step 0") && (code == RV_ELIMIT || strstr(msg, "pc 0x")) && strstr(msg, why),
              "message '%s' should name the step, the pc and '%s'", msg, why);
    CHECK(y.data == NULL); /* a failed run frees its outputs */
    emu_close(e);
    module_free(m);
}

static void hostile(void)
{
    cg_asm a;
    asm_init(&a);
    prologue(&a);
    asm_word(&a, 0xffffffffu); /* no row: a reserved >32-bit encoding */
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "illegal instruction", NULL);

    asm_init(&a);
    asm_ld(&a, A1, ZERO, 64); /* address 64: nothing mapped there */
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "outside the step's memory", NULL);

    asm_init(&a);
    prologue(&a);
    asm_vsetvli(&a, T0, ZERO, 32, 1);
    asm_addi(&a, A3, A2, N_ELEMS * 4 - 8); /* the last 8 bytes of y: a full vector runs past it */
    asm_vse(&a, 32, 8, A3);
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "outside the step's memory", NULL);

    asm_init(&a);
    prologue(&a);
    asm_sd(&a, ZERO, A1, 0); /* inputs are read-only to module code */
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "read-only", NULL);

    asm_init(&a);
    asm_li(&a, T0, 0x1000);
    asm_word(&a, 0x00028067); /* jalr zero, 0(t0) */
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "outside the module's code", NULL);

    asm_init(&a);
    asm_vsetvli(&a, T0, ZERO, 32, 2);
    asm_word(&a, 0x02006087); /* vle32.v v1, (zero): v1 is no LMUL=2 group */
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "reserved under SEW=32", NULL);

    asm_init(&a);
    asm_word(&a, 0x02056407); /* vle32.v v8, (a0) before any vsetvli */
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "vill", NULL);

    asm_init(&a);
    asm_word(&a, 0x00000073); /* ecall */
    epilogue(&a);
    expect_fault(&a, RV_EFORMAT, "system", NULL);

    rv_limits lim;
    limits_default(&lim);
    lim.max_step_ms = 200;
    asm_init(&a);
    int l = asm_label(&a);
    asm_bind(&a, l);
    asm_j(&a, l); /* forever */
    epilogue(&a);
    expect_fault(&a, RV_ELIMIT, "max_step_ms", &lim);
}

/* y = 2 * x + 1 strip-mined at LMUL 4 */
static void affine_code(cg_asm *a)
{
    asm_init(a);
    prologue(a);
    asm_li(a, T2, N_ELEMS);
    asm_li(a, T3, 0x40000000); /* 2.0f */
    asm_fmv_w_x(a, FA1, T3);
    asm_li(a, T3, 0x3f800000); /* 1.0f */
    asm_fmv_w_x(a, FA2, T3);
    int loop = asm_label(a);
    asm_bind(a, loop);
    asm_vsetvli(a, T0, T2, 32, 4);
    asm_vle(a, 32, 8, A1);
    asm_vf(a, VF_MUL, 8, 8, FA1);
    asm_vf(a, VF_ADD, 8, 8, FA2);
    asm_vse(a, 32, 8, A2);
    asm_slli(a, T1, T0, 2);
    asm_add(a, A1, A1, T1);
    asm_add(a, A2, A2, T1);
    asm_sub(a, T2, T2, T0);
    asm_bnez(a, T2, loop);
    epilogue(a);
}

/* The public API: a session with executor "emu" at qemu_vlen 512. */
static void api_session(void)
{
    cg_asm a;
    void *img;
    size_t len;
    affine_code(&a);
    CHECK(one_step_image(&a, 0, &img, &len) == 0);
    rvvnn_module *mod = NULL;
    rvvnn_options *o = NULL;
    rvvnn_session *s = NULL;
    CHECK(rvvnn_module_load_memory(img, len, &mod) == 0);
    mem_free(img);
    CHECK(rvvnn_options_create(&o) == 0);
    CHECK(rvvnn_options_set_string(o, "executor", "emu") == 0);
    CHECK(rvvnn_options_set_int(o, "qemu_vlen", 512) == 0);
    CHECK(rvvnn_options_set_string(o, "executor", "emulator") == RVVNN_EINVAL);
    int rc = rvvnn_session_create_from_module(mod, o, &s);
    CHECK_MSG(rc == 0, "%s", rvvnn_last_error());
    if (!rc) {
        const char *ex;
        CHECK(rvvnn_session_executor(s, &ex) == 0 && !strcmp(ex, "emu"));
        static float x[N_ELEMS];
        for (int i = 0; i < N_ELEMS; i++)
            x[i] = (float)i - 1000.25f;
        int64_t dims[1] = {N_ELEMS};
        CHECK(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 1, x, sizeof x) == 0);
        rc = rvvnn_session_run(s);
        CHECK_MSG(rc == 0, "%s", rvvnn_last_error());
        rvvnn_tensor *t;
        void *data;
        size_t nb;
        if (!rc && !rvvnn_session_output(s, 0, &t) && !rvvnn_tensor_data(t, &data, &nb)) {
            const float *y = data;
            int bad = 0;
            for (int i = 0; i < N_ELEMS; i++)
                bad += y[i] != x[i] * 2.0f + 1.0f; /* exact: one rounding each, as in C */
            CHECK(nb == sizeof x && bad == 0);
        }
    }
    rvvnn_session_free(s);
    rvvnn_options_free(o);
    rvvnn_module_free(mod);
}

/* y = 2 * x + 1 compared with the C result (exact: one rounding each, as
 * in C), and the plugin-class counts, at every VLEN. */
static void kernel(void)
{
    cg_asm a;
    affine_code(&a);
    rvv_module *m = one_step(&a, 0);
    CHECK(m != NULL);
    if (!m)
        return;
    for (unsigned vlen = 128; vlen <= 1024; vlen *= 2) {
        emu *e;
        tensor y;
        int rc = run(m, NULL, vlen, NULL, &e, &y);
        CHECK_MSG(rc == 0, "%s", err_message());
        if (!rc) {
            const float *yv = y.data;
            int bad = 0;
            for (int i = 0; i < N_ELEMS; i++)
                bad += yv[i] != (float)i * 0.5f * 2.0f + 1.0f; /* exact */
            CHECK(bad == 0);
            const emu_counts *c = emu_step_counts(e, 0);
            uint64_t iters = N_ELEMS / (vlen * 4 / 32);
            CHECK(c->vsetvl == iters && c->vload == iters && c->vstore == iters && c->varith == 2 * iters);
            CHECK(c->scalar == 10 + 5 * iters); /* 8 setup + li, ret; 5 scalar per strip */
            CHECK(c->insns == c->scalar + c->vsetvl + c->varith + c->vload + c->vstore);
            CHECK(c->flops == 2 * N_ELEMS);
        }
        mem_free(y.data);
        emu_close(e);
    }
    /* VLEN outside 128..1024 is refused up front */
    emu *e;
    emu_config cfg = {.vlen = 64};
    CHECK(emu_open(m, &cfg, &e) == RV_EINVAL);
    module_free(m);
}

int main(void)
{
    for (int i = 0; tm_core_at(i); i++) {
        calibrate(tm_core_at(i));
        chain(tm_core_at(i));
        stream(tm_core_at(i));
        vqueue(tm_core_at(i));
        waw(tm_core_at(i));
        gemm_kernel(tm_core_at(i));
    }
    hostile();
    kernel();
    api_session();
    return check_done();
}
