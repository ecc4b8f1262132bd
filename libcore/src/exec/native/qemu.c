/* qemu.c - runs a module's RVV code on a non-RISC-V host: the riscv64
 * runner rvvnn-rt under qemu-riscv64 (user mode), inputs and outputs as
 * .npy files in a private temporary directory.
 *
 * It lives in the library (not the CLI) so API sessions on x86 run
 * modules the same way `rvvnn run` does. The library never prints: the
 * child's stdout and stderr go to a log file in the temporary directory
 * and its tail becomes part of the error message. posix_spawn (not fork)
 * because the caller may be multithreaded (OpenMP, API users). */
#include "qemu.h"
#include "hostcall.h"
#include "../../util/mem.h"
#include "../../util/npy.h"
#include "../../util/status.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* dir/rel when it is an executable file. */
static int try_runtime(char *out, size_t cap, const char *dir, const char *rel)
{
    snprintf(out, cap, "%s/%s", dir, rel);
    return access(out, X_OK) == 0;
}

/* Directory part of path into buf (in place). */
static int dir_of(char *buf)
{
    char *slash = strrchr(buf, '/');
    if (!slash)
        return 0;
    *slash = 0;
    return 1;
}

/* Where `cmake --install` puts the runner, relative to the installed
 * CLI and library (so a relocated prefix still finds it) and absolute
 * (for programs linked with librvvnn.a elsewhere). CMake passes the
 * real ones from GNUInstallDirs; these are its defaults. */
#ifndef RVVNN_RT_FROM_BINDIR
#define RVVNN_RT_FROM_BINDIR "../libexec/rvvnn/riscv64/rvvnn-rt"
#endif
#ifndef RVVNN_RT_FROM_LIBDIR
#define RVVNN_RT_FROM_LIBDIR "../libexec/rvvnn/riscv64/rvvnn-rt"
#endif
#ifndef RVVNN_RT_INSTALLED
#define RVVNN_RT_INSTALLED "/usr/local/libexec/rvvnn/riscv64/rvvnn-rt"
#endif

/* The riscv64 runner: the configured path, $RVVNN_RT, riscv64/rvvnn-rt
 * beside the executable (CLI build tree) or beside librvvnn.so (API
 * users in the build tree), or the installed copy. */
static int find_runtime(const char *configured, char *out, size_t cap)
{
    const char *env = getenv("RVVNN_RT");
    const char *given = configured && *configured ? configured : env && *env ? env : NULL;
    if (given) {
        snprintf(out, cap, "%s", given);
        return access(out, X_OK) == 0 ? 0 : err_set(RV_ENOTFOUND, "runner %s is not executable", given);
    }
    char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n > 0) {
        dir[n] = 0;
        if (dir_of(dir) && (try_runtime(out, cap, dir, "riscv64/rvvnn-rt") ||
                            try_runtime(out, cap, dir, RVVNN_RT_FROM_BINDIR)))
            return 0;
    }
    Dl_info info;
    if (dladdr((void *)find_runtime, &info) && info.dli_fname) {
        snprintf(dir, sizeof dir, "%s", info.dli_fname);
        if (dir_of(dir) && (try_runtime(out, cap, dir, "riscv64/rvvnn-rt") ||
                            try_runtime(out, cap, dir, RVVNN_RT_FROM_LIBDIR)))
            return 0;
    }
    if (access(RVVNN_RT_INSTALLED, X_OK) == 0) {
        snprintf(out, cap, "%s", RVVNN_RT_INSTALLED);
        return 0;
    }
    return err_set(RV_ENOTFOUND, "the riscv64 runner rvvnn-rt was not found beside the program, "
                   "beside librvvnn or as %s (build it with the riscv64 cross compiler, or set "
                   "RVVNN_RT)", RVVNN_RT_INSTALLED);
}

const char *qemu_cpu_for(const rvv_module *m, unsigned vlen, char *buf, size_t cap)
{
    unsigned ext = m->hdr->ext;
    /* qemu 7.2 has no Zve64d: full V is its closest superset. */
    const char *vec = (ext & (MOD_EXT_V | MOD_EXT_ZVE64D)) ? "v=true"
                      : (ext & MOD_EXT_ZVE64F) ? "v=false,Zve64f=true"
                      : (ext & MOD_EXT_ZVE32F) ? "v=false,Zve32f=true" : "v=true";
    snprintf(buf, cap, "rv64,%s,vlen=%u,vext_spec=v1.0", vec, vlen);
    return buf;
}

int qemu_needed(const rvv_module *m)
{
#if defined(__riscv)
    (void)m;
    return 0;
#else
    for (uint32_t i = 0; i < m->hdr->n_steps; i++)
        if (m->steps[i].kind == MOD_STEP_RVV)
            return 1;
    return 0;
#endif
}

/* The last ~600 bytes of the child's log, one line, for the message. */
static void log_tail(const char *path, char *out, size_t cap)
{
    out[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char buf[600];
    long sz = 0;
    if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > (long)sizeof buf - 1)
        fseek(f, sz - (long)(sizeof buf - 1), SEEK_SET);
    else
        fseek(f, 0, SEEK_SET);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        n--;
    buf[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
            buf[i] = ' ';
    snprintf(out, cap, "%s", buf);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Waits for pid; after timeout_ms (0 = never) kills it. 1 if killed. */
static int wait_child(pid_t pid, int *st, double timeout_ms)
{
    double t0 = mono_ms();
    for (;;) {
        pid_t r = waitpid(pid, st, timeout_ms ? WNOHANG : 0);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (timeout_ms && mono_ms() - t0 > timeout_ms) {
            kill(pid, SIGKILL);
            while (waitpid(pid, st, 0) < 0 && errno == EINTR)
                ;
            return 1;
        }
        if (timeout_ms) {
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
        }
    }
}

/* The runner's end of the custom-op socket is this fd in the child. */
#define HOST_FD 3

/* Runs the child to its end; with sv (a socketpair, or NULL) it serves
 * the child's custom-op calls meanwhile. The time limit counts from when
 * the serving ends: a custom op runs in this process, under its caller's
 * control, not the runner's. */
static int run_child(char *const *argv, const char *log_path, int *sv, const rvv_module *m,
                     const custom_ops *custom, double timeout_ms)
{
    posix_spawn_file_actions_t fa;
    char tail[640];
    if (posix_spawn_file_actions_init(&fa))
        return err_set(RV_ENOMEM, "posix_spawn_file_actions_init failed");
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (sv)
        posix_spawn_file_actions_adddup2(&fa, sv[1], HOST_FD); /* clears close-on-exec */
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int serve_rc = 0;
    if (sv) {
        close(sv[1]);
        if (!e)
            serve_rc = hostcall_serve(sv[0], m, custom);
        close(sv[0]); /* a runner still waiting for a reply sees the end */
    }
    if (e)
        return err_set(e == ENOENT ? RV_ENOTFOUND : RV_EIO, "cannot start %s: %s (is qemu-user "
                       "installed?)", argv[0], strerror(e));
    char serve_msg[1024];
    snprintf(serve_msg, sizeof serve_msg, "%s", serve_rc ? err_message() : "");
    int st, killed = wait_child(pid, &st, timeout_ms);
    if (killed < 0)
        return err_set(RV_EIO, "waitpid failed: %s", strerror(errno));
    if (serve_rc && !killed) /* a custom op failed (or the call broke): that is the cause */
        return err_set(serve_rc, "%s", serve_msg);
    log_tail(log_path, tail, sizeof tail);
    if (killed)
        return err_set(RV_ELIMIT, "the riscv64 runner ran longer than %.0f ms (limit max_step_ms per "
                       "step, plus start-up) and was stopped%s%s", timeout_ms, tail[0] ? ": " : "", tail);
    if (WIFSIGNALED(st))
        return err_set(RV_EINTERNAL, "%s was killed by signal %d%s%s", argv[0], WTERMSIG(st),
                       tail[0] ? ": " : "", tail);
    if (WEXITSTATUS(st) == 127)
        return err_set(RV_ENOTFOUND, "%s could not be started: %s", argv[0], tail);
    if (WEXITSTATUS(st)) {
        /* the runner ends its error line with "(ENAME)": keep that status
         * (a limit hit stays RV_ELIMIT), else call it a target problem. The
         * last one counts: names from the module may come before it. */
        int code = RV_ETARGET;
        const char *at = NULL;
        for (int c = -1; c >= -64 && strcmp(status_name(c), "EUNKNOWN"); c--) {
            char key[40];
            snprintf(key, sizeof key, "(%s)", status_name(c));
            for (const char *p = strstr(tail, key); p; p = strstr(p + 1, key))
                if (!at || p > at) {
                    at = p;
                    code = c;
                }
        }
        return err_set(code, "the riscv64 runner failed (exit %d): %s", WEXITSTATUS(st), tail);
    }
    return 0;
}

static void remove_tree(const char *dir, uint32_t n_in, uint32_t n_out)
{
    char p[PATH_MAX];
    for (uint32_t i = 0; i < n_in; i++) {
        snprintf(p, sizeof p, "%s/in%u.npy", dir, i);
        unlink(p);
    }
    for (uint32_t i = 0; i < n_out; i++) {
        snprintf(p, sizeof p, "%s/out%u.npy", dir, i);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/log.txt", dir);
    unlink(p);
    rmdir(dir);
}

/* Appends a mem_alloc'd copy of s to argv. */
static int push_arg(char **argv, int *argc, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);
    if (!p)
        return err_set(RV_ENOMEM, "out of memory");
    memcpy(p, s, n);
    argv[(*argc)++] = p;
    return 0;
}

int qemu_run_module(const char *module_path, const rvv_module *m, const qemu_config *cfg,
                    const tensor *ins, tensor *outs)
{
    static const qemu_config none;
    char rt[PATH_MAX], dir[PATH_MAX], cpu[256], path[PATH_MAX + 32], arg[PATH_MAX + 64];
    if (!cfg)
        cfg = &none;
    uint32_t n_in = m->hdr->n_inputs, n_out = m->hdr->n_outputs;
    for (uint32_t i = 0; i < n_out; i++)
        outs[i].data = NULL;
    int rc = find_runtime(cfg->runtime, rt, sizeof rt);
    if (rc)
        return rc;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/rvvnn-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return err_set(RV_EIO, "cannot create a temporary directory: %s", strerror(errno));
    char **argv = mem_calloc((size_t)n_in + n_out + 8 + LIMIT__COUNT, sizeof *argv);
    int argc = 0;
    if (!argv) {
        rmdir(dir);
        return err_set(RV_ENOMEM, "out of memory");
    }
    const char *qemu = cfg->qemu ? cfg->qemu : getenv("RVVNN_QEMU");
    unsigned vlen = cfg->vlen ? cfg->vlen : m->hdr->vlen ? m->hdr->vlen : 256;
    if (!(rc = push_arg(argv, &argc, qemu && *qemu ? qemu : "qemu-riscv64")) &&
        !(rc = push_arg(argv, &argc, "-cpu")) &&
        !(rc = push_arg(argv, &argc, cfg->cpu ? cfg->cpu : qemu_cpu_for(m, vlen, cpu, sizeof cpu))) &&
        !(rc = push_arg(argv, &argc, rt)))
        rc = push_arg(argv, &argc, module_path);
    for (uint32_t i = 0; !rc && i < n_in; i++) {
        snprintf(path, sizeof path, "%s/in%u.npy", dir, i);
        if (!(rc = npy_save(path, &ins[i]))) {
            snprintf(arg, sizeof arg, "--input=@%s", path);
            rc = push_arg(argv, &argc, arg);
        }
    }
    for (uint32_t i = 0; !rc && i < n_out; i++) {
        snprintf(arg, sizeof arg, "--output=@%s/out%u.npy", dir, i);
        rc = push_arg(argv, &argc, arg);
    }
    if (!rc && cfg->dump_dir) {
        snprintf(arg, sizeof arg, "--dump-dir=%s", cfg->dump_dir);
        rc = push_arg(argv, &argc, arg);
    }
    rv_limits lim = *limits_or_default(cfg->limits);
    for (int i = 0; !rc && i < LIMIT__COUNT; i++) {
        snprintf(arg, sizeof arg, "%s=%llu", limit_table[i].flag,
                 (unsigned long long)*limits_slot(&lim, i));
        rc = push_arg(argv, &argc, arg);
    }
    int sv[2] = {-1, -1};
    if (!rc && m->n_custom) {
        snprintf(arg, sizeof arg, "--host-fd=%d", HOST_FD);
        rc = push_arg(argv, &argc, arg);
        if (!rc && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            rc = err_set(RV_EIO, "socketpair for custom-op calls failed: %s", strerror(errno));
        for (int k = 0; !rc && k < 2; k++) /* above the fds the spawn rewires (0-2, HOST_FD) */
            if (sv[k] <= HOST_FD) {
                int hi = fcntl(sv[k], F_DUPFD_CLOEXEC, HOST_FD + 1);
                close(sv[k]);
                sv[k] = hi;
                if (hi < 0)
                    rc = err_set(RV_EIO, "fcntl(F_DUPFD_CLOEXEC) failed: %s", strerror(errno));
            }
        if (rc)
            for (int k = 0; k < 2; k++)
                if (sv[k] >= 0)
                    close(sv[k]);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/log.txt", dir);
        double timeout = lim.max_step_ms ? (double)lim.max_step_ms * (m->hdr->n_steps + 1) + 60000 : 0;
        rc = run_child(argv, path, sv[0] >= 0 ? sv : NULL, m, cfg->custom, timeout);
    }
    for (uint32_t i = 0; !rc && i < n_out; i++) {
        void *buf;
        size_t len;
        snprintf(path, sizeof path, "%s/out%u.npy", dir, i);
        if (!(rc = file_read_all(path, (size_t)8 << 30, &buf, &len))) {
            rc = npy_decode(buf, len, &outs[i]);
            mem_free(buf);
        }
        if (rc)
            err_wrap(rc, "output %u from the riscv64 runner", i);
    }
    if (rc)
        for (uint32_t i = 0; i < n_out; i++) {
            mem_free(outs[i].data);
            outs[i].data = NULL;
        }
    for (int i = 0; i < argc; i++)
        mem_free(argv[i]);
    mem_free(argv);
    remove_tree(dir, n_in, n_out);
    return rc;
}
