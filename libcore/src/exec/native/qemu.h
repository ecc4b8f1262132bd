/* qemu.h - running a module's RVV code from a non-RISC-V host: the
 * riscv64 runner (rvvnn-rt) under qemu-riscv64, with inputs and outputs
 * passed as .npy files in a private temporary directory. Used by the CLI
 * (`rvvnn run`, `rvvnn check`) and by API sessions on x86. */
#ifndef RVVNN_QEMU_H
#define RVVNN_QEMU_H

#include "../../module/module.h"

/* Where to find things; any field may be NULL (then: $RVVNN_RT /
 * $RVVNN_QEMU, riscv64/rvvnn-rt beside the running executable or beside
 * librvvnn.so, or the installed copy; qemu-riscv64 on PATH). */
typedef struct qemu_config {
    const char *runtime;   /* path of rvvnn-rt */
    const char *qemu;      /* qemu-riscv64 binary */
    const char *cpu;       /* full -cpu string; NULL = derived from the module */
    unsigned vlen;         /* VLEN to emulate; 0 = the module's, else 256 */
    const char *dump_dir;  /* rvvnn-rt --dump-dir (rvvnn check), or NULL */
    const rv_limits *limits; /* passed on to rvvnn-rt (NULL = defaults); with max_step_ms
                              * set, the runner is also killed after max_step_ms per
                              * step plus 60 s for emulator start-up */
    const struct custom_ops *custom; /* what the module's custom steps call (NULL: none registered) */
} qemu_config;

/* Whether m must go to qemu from this host (it has RVV steps and this is
 * not riscv64). */
int qemu_needed(const rvv_module *m);
/* The -cpu string for m at vlen into buf. */
const char *qemu_cpu_for(const rvv_module *m, unsigned vlen, char *buf, size_t cap);
/* Runs the module file at module_path (whose loaded form is m) on ins;
 * outs[i].data are mem_alloc'd. The runner's own error output becomes
 * part of the error message; nothing is printed. Custom-op steps are run
 * here, in this process, when the runner asks (hostcall.h). */
int qemu_run_module(const char *module_path, const rvv_module *m, const qemu_config *cfg,
                    const tensor *ins, tensor *outs);

#endif
