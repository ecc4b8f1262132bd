/* run_module.c - `rvvnn run MODULE.rvvmod`: runs a compiled module.
 *
 * A module whose steps are all fallback steps runs in this process. One
 * with RVV code runs natively on riscv64, and on any other host under
 * qemu-riscv64 with the riscv64 runner (rvvnn-rt) built beside this CLI:
 * inputs go over as .npy files in a private temporary directory, outputs
 * come back the same way, and comparison happens here. */
#include "cli.h"
#include "exec/native/modrun.h"
#include "util/mem.h"
#include "util/npy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The riscv64 runner: $RVVNN_RT, or riscv64/rvvnn-rt beside this
 * executable (build tree), or the installed copy. */
static int find_runtime(char *out, size_t cap)
{
    const char *env = getenv("RVVNN_RT");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return access(out, X_OK) == 0 ? 0 : err_set(RV_ENOTFOUND, "RVVNN_RT=%s is not executable", env);
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            snprintf(out, cap, "%s/riscv64/rvvnn-rt", self);
            if (access(out, X_OK) == 0)
                return 0;
            snprintf(out, cap, "%s/../lib/rvvnn/riscv64/rvvnn-rt", self);
            if (access(out, X_OK) == 0)
                return 0;
        }
    }
    return err_set(RV_ENOTFOUND, "the riscv64 runner rvvnn-rt was not found (build it with the "
                   "riscv64 cross compiler, or set RVVNN_RT)");
}

static const char *qemu_cpu_for(const rvv_module *m, unsigned vlen, char *buf, size_t cap)
{
    unsigned ext = m->hdr->ext;
    /* qemu 7.2 has no Zve64d: full V is its closest superset. */
    const char *vec = (ext & (MOD_EXT_V | MOD_EXT_ZVE64D)) ? "v=true"
                      : (ext & MOD_EXT_ZVE64F) ? "v=false,Zve64f=true"
                      : (ext & MOD_EXT_ZVE32F) ? "v=false,Zve32f=true" : "v=true";
    snprintf(buf, cap, "rv64,%s,vlen=%u,vext_spec=v1.0", vec, vlen);
    return buf;
}

static int run_cmd(char *const *argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return err_set(RV_EIO, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "rvvnn run: error: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return err_set(RV_EIO, "waitpid failed");
    if (WIFSIGNALED(st))
        return err_set(RV_EINTERNAL, "%s was killed by signal %d", argv[0], WTERMSIG(st));
    if (WEXITSTATUS(st) == 127)
        return err_set(RV_ENOTFOUND, "%s could not be started (is qemu-user installed?)", argv[0]);
    if (WEXITSTATUS(st))
        return err_set(RV_ETARGET, "the riscv64 runner failed (exit %d; its message is above)",
                       WEXITSTATUS(st));
    return 0;
}

static void remove_tree(const char *dir, int n_in, int n_out)
{
    char p[PATH_MAX];
    for (int i = 0; i < n_in; i++) {
        snprintf(p, sizeof p, "%s/in%d.npy", dir, i);
        unlink(p);
    }
    for (int i = 0; i < n_out; i++) {
        snprintf(p, sizeof p, "%s/out%d.npy", dir, i);
        unlink(p);
    }
    rmdir(dir);
}

int run_module_qemu(const char *module_path, const rvv_module *m, const tensor *ins, tensor *outs,
                    unsigned vlen, const char *qemu_cpu, const char *dump_dir)
{
    char rt[PATH_MAX], dir[] = "/tmp/rvvnn-run-XXXXXX", cpu[256], path[PATH_MAX];
    int rc = find_runtime(rt, sizeof rt);
    if (rc)
        return rc;
    if (!mkdtemp(dir))
        return err_set(RV_EIO, "cannot create a temporary directory: %s", strerror(errno));
    uint32_t n_in = m->hdr->n_inputs, n_out = m->hdr->n_outputs;
    char **argv = calloc((size_t)(n_in + n_out) + 8, sizeof *argv);
    int argc = 0;
    if (!argv) {
        rmdir(dir);
        return err_set(RV_ENOMEM, "out of memory");
    }
    const char *qemu = getenv("RVVNN_QEMU");
    argv[argc++] = strdup(qemu && *qemu ? qemu : "qemu-riscv64");
    argv[argc++] = strdup("-cpu");
    argv[argc++] = strdup(qemu_cpu ? qemu_cpu : qemu_cpu_for(m, vlen, cpu, sizeof cpu));
    argv[argc++] = strdup(rt);
    argv[argc++] = strdup(module_path);
    for (uint32_t i = 0; !rc && i < n_in; i++) {
        snprintf(path, sizeof path, "%s/in%u.npy", dir, i);
        if (!(rc = cli_write_tensor(path, &ins[i]))) {
            char arg[PATH_MAX + 16];
            snprintf(arg, sizeof arg, "--input=@%s", path);
            argv[argc++] = strdup(arg);
        }
    }
    for (uint32_t i = 0; !rc && i < n_out; i++) {
        char arg[PATH_MAX + 16];
        snprintf(arg, sizeof arg, "--output=@%s/out%u.npy", dir, i);
        argv[argc++] = strdup(arg);
    }
    if (!rc && dump_dir) {
        char arg[PATH_MAX + 16];
        snprintf(arg, sizeof arg, "--dump-dir=%s", dump_dir);
        argv[argc++] = strdup(arg);
    }
    for (int i = 0; !rc && i < argc; i++)
        if (!argv[i])
            rc = err_set(RV_ENOMEM, "out of memory");
    if (!rc)
        rc = run_cmd(argv);
    for (uint32_t i = 0; !rc && i < n_out; i++) {
        void *buf;
        size_t len;
        snprintf(path, sizeof path, "%s/out%u.npy", dir, i);
        if (!(rc = file_read_all(path, (size_t)8 << 30, &buf, &len))) {
            rc = npy_decode(buf, len, &outs[i]);
            mem_free(buf);
        }
    }
    if (rc)
        for (uint32_t i = 0; i < n_out; i++) {
            mem_free(outs[i].data);
            outs[i].data = NULL;
        }
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    remove_tree(dir, (int)n_in, (int)n_out);
    return rc;
}

int run_module_local(const rvv_module *m, const tensor *ins, tensor *outs)
{
    mod_session *s;
    int rc = modrun_open(m, &s);
    if (rc)
        return rc;
    rc = modrun_run(s, ins, outs);
    modrun_close(s);
    return rc;
}

/* Whether the module must go to qemu from this host. */
int run_module_needs_qemu(const rvv_module *m)
{
    int has_rvv = 0;
    for (uint32_t i = 0; i < m->hdr->n_steps; i++)
        has_rvv |= m->steps[i].kind == MOD_STEP_RVV;
#if defined(__riscv)
    return 0;
#else
    return has_rvv;
#endif
}
