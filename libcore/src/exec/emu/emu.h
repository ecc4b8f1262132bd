/* emu.h - the built-in RV64GCV interpreter ("emu" executor): runs a
 * loaded module's RVV steps on any host, in-process, with every memory
 * access checked against the regions the step may touch (the module's
 * code and weights, the run's arena, inputs and outputs, the argument
 * array and a private stack). Fallback and custom steps run exactly as
 * in modrun.c (the emulator plugs into its step loop), so only the RVV
 * code is interpreted.
 *
 * Decoding goes through the ISA table (isa/isa.h) once per code address:
 * the decoded instruction is cached, and the vector register rules
 * (isa_check) are re-checked only when the live vtype differs from the
 * one the cached entry was last checked under.
 *
 * With a core model (timing.h) the interpreter also feeds every retired
 * instruction to the timing model, which accumulates modeled cycles per
 * step. */
#ifndef RVVNN_EMU_H
#define RVVNN_EMU_H

#include "../native/modrun.h"

#include <stdint.h>

typedef struct emu emu;
typedef struct emu_core emu_core; /* timing.h */

typedef struct emu_config {
    unsigned vlen;          /* 128..1024, power of two; 0 = the module's VLEN, else 256 */
    const emu_core *core;   /* timing model, or NULL (counts only) */
} emu_config;

/* Dynamic counts of one step (summed over runs), classified like the
 * project's QEMU plugin (benchmarks/insn_count_plugin.c) so the two can
 * be compared, plus the work and traffic the timing report needs. */
typedef struct emu_counts {
    uint64_t insns, scalar, vsetvl, varith, vload, vstore;
    uint64_t flops;              /* float operations on active elements (FMA = 2) */
    uint64_t bytes_loaded, bytes_stored; /* scalar and vector accesses */
    uint64_t runs;
} emu_counts;

/* Checks that the module's vector requirements fit the configuration
 * (VLEN vs the module's fixed or minimum VLEN, V / Zve* subsets) and
 * prepares the decode cache. */
int emu_open(const rvv_module *m, const emu_config *cfg, emu **out);
void emu_close(emu *e);
/* A modrun session whose RVV steps run on e (e must outlive it). */
int emu_session_open(emu *e, mod_session **out);
/* Runs RVV step `step` with argument array argv (n entries) and the
 * run's memory regions. 0, the step's non-zero return status as
 * RV_EINVAL (like modrun), or an error naming the step, pc and cause. */
int emu_run_step(void *emu_ptr, uint32_t step, uint64_t *argv, uint32_t n, const modrun_region *reg,
                 uint32_t n_reg);
/* Zeroes the per-step counts, cycles and busy figures; the timing model's
 * caches keep their lines (so runs after it are measured warm). */
void emu_reset_stats(emu *e);
/* Per-step counts (NULL past the last step) and the VLEN in use. */
const emu_counts *emu_step_counts(const emu *e, uint32_t step);
unsigned emu_vlen(const emu *e);
/* Modeled cycles of a step and which resource bound it (timing.h's
 * names); 0 and NULL without a core model. */
double emu_step_cycles(const emu *e, uint32_t step, const char **limit);
/* Cycles each resource was busy in a step (timing.h's EMU_RES_* order). */
const double *emu_step_busy(const emu *e, uint32_t step);

#endif
