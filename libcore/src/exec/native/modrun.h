/* modrun.h - running a loaded .rvvmod: RVV steps as native code (on
 * riscv64 with the required vector unit), fallback steps on the
 * reference kernels (anywhere). */
#ifndef RVVNN_MODRUN_H
#define RVVNN_MODRUN_H

#include "../../module/module.h"

typedef struct mod_session mod_session;

/* Called after each step with its outputs (rvvnn check's dump mode);
 * a non-zero return stops the run with that status. */
typedef int (*modrun_step_hook)(void *user, uint32_t step, const tensor *outs, uint32_t n_out);

/* Whether this process can run m's RVV steps: architecture, V or Zve*
 * support, and VLEN vs what the module was compiled for. On a mismatch
 * returns RV_ETARGET with the reason. Modules with only fallback steps
 * run anywhere. */
int modrun_check_target(const rvv_module *m);
/* This machine's VLEN in bits, 0 when it has no vector unit (or is not
 * riscv64). */
unsigned modrun_host_vlen(void);

/* Runs custom-op step `step` (node n: domain, op type, attributes): in
 * are its inputs, out its outputs with the module's shapes and buffers
 * to fill (NULL for omitted ones). See hostcall.h. */
typedef int (*modrun_custom_fn)(void *user, uint32_t step, const ir_node *n, tensor *const *in, int n_in,
                                tensor *const *out, int n_out);

int modrun_open(const rvv_module *m, mod_session **out);

/* One block of memory an RVV step may touch (the emulator's sandbox). */
typedef struct modrun_region {
    uintptr_t base;
    size_t len;
    int writable;
} modrun_region;
/* Runs RVV step `step` somewhere other than this CPU (the emulator):
 * argv holds the n entry arguments (buffer addresses, then immediates),
 * reg the run's memory: code, weights, arena, argv, inputs, outputs. */
typedef int (*modrun_rvv_fn)(void *user, uint32_t step, uint64_t *argv, uint32_t n,
                             const modrun_region *reg, uint32_t n_reg);
/* As modrun_open, but RVV steps go to fn (no target check, no code
 * mapping): fallback and custom steps run here as usual. */
int modrun_open_rvv(const rvv_module *m, modrun_rvv_fn fn, void *user, mod_session **out);
/* Without one, custom steps fail with "not registered". */
void modrun_set_custom(mod_session *s, modrun_custom_fn fn, void *user);
void modrun_set_hook(mod_session *s, modrun_step_hook hook, void *user);
/* max_step_ms (checked after every step, and between the chunks of a
 * fallback step's kernel) and max_tensor_bytes (scratch outputs); the
 * file, arena and tensor limits were applied by module_load. NULL =
 * defaults. */
void modrun_set_limits(mod_session *s, const rv_limits *lim);
/* inputs[i] binds module input i (type and shape must match exactly);
 * outputs[i] get mem_alloc'd data the caller frees. */
int modrun_run(mod_session *s, const tensor *inputs, tensor *outputs);
void modrun_close(mod_session *s);
/* Where the executable copy of the module's code lives ([*lo, *hi);
 * both 0 when nothing is mapped): benchmarks count instructions there. */
void modrun_code_range(const mod_session *s, uint64_t *lo, uint64_t *hi);

#endif
