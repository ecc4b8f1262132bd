/* run_module.c - how `rvvnn run` and `rvvnn check` run a compiled module.
 *
 * A module whose steps are all fallback steps runs in this process. One
 * with RVV code runs natively on riscv64, and on any other host under
 * qemu-riscv64 through the library's runner (exec/native/qemu.c, shared
 * with API sessions), or anywhere on the built-in emulator (exec/emu);
 * this file only adapts the CLI's calls to them. */
#include "cli.h"
#include "exec/native/modrun.h"
#include "exec/native/qemu.h"
#include "exec/emu/emu.h"

int run_module_qemu(const char *module_path, const rvv_module *m, const tensor *ins, tensor *outs,
                    unsigned vlen, const char *qemu_cpu, const char *dump_dir)
{
    qemu_config cfg = {.cpu = qemu_cpu, .vlen = vlen, .dump_dir = dump_dir, .limits = &cli_limits};
    return qemu_run_module(module_path, m, &cfg, ins, outs);
}

int run_module_local(const rvv_module *m, const tensor *ins, tensor *outs)
{
    mod_session *s;
    int rc = modrun_open(m, &s);
    if (rc)
        return rc;
    modrun_set_limits(s, &cli_limits);
    rc = modrun_run(s, ins, outs);
    modrun_close(s);
    return rc;
}

/* On the built-in emulator (vlen 0: the module's, or 256). */
int run_module_emu(const rvv_module *m, const tensor *ins, tensor *outs, unsigned vlen)
{
    emu *e;
    emu_config cfg = {.vlen = vlen};
    int rc = emu_open(m, &cfg, &e);
    if (rc)
        return rc;
    mod_session *s;
    if (!(rc = emu_session_open(e, &s))) {
        modrun_set_limits(s, &cli_limits);
        rc = modrun_run(s, ins, outs);
        modrun_close(s);
    }
    emu_close(e);
    return rc;
}

/* Whether the module must go to qemu from this host. */
int run_module_needs_qemu(const rvv_module *m) { return qemu_needed(m); }
