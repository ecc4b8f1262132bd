/* rt_main.c - rvvnn-rt, the module runner built for riscv64: loads a
 * .rvvmod, checks this CPU against it, runs it on .npy inputs and writes
 * .npy outputs. On a board it is the native runtime; on an x86 host
 * `rvvnn run model.rvvmod` runs it under qemu-riscv64. It carries no
 * ONNX importer (no protobuf), only the module loader, the RVV step
 * caller and the reference kernels for fallback steps.
 *
 *   rvvnn-rt MODULE --input=@x.npy ... --output=@y.npy ... [--dump-dir=D] [--info] [--repeat=N]
 *            [--code-range]
 *            [--max-file-bytes=N ...: the limits of util/limits.def]
 *            [--host-fd=N]
 *
 * --host-fd=N: custom-op steps are run by the process that started this
 * one, asked over socket N (exec/native/hostcall.h); qemu.c passes it.
 *
 * --code-range prints "code 0xLO 0xHI", where the module's code is mapped,
 * before running (instruction-count tests restrict the QEMU plugin to it).
 *
 * --repeat=N runs the module N times (benchmarks take the difference of
 * instruction counts between two N to isolate one run).
 *
 * --dump-dir writes every step's outputs as D/step<i>_out<k>.npy (the
 * debug mode `rvvnn check` compares against the reference executor).
 * Exit: 0 ok, 2 error (message on stderr). */
#include "exec/native/hostcall.h"
#include "exec/native/modrun.h"
#include "util/npy.h"
#include "util/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RT_MAX 64

typedef struct dump_ctx {
    const char *dir;
} dump_ctx;

static int dump_step(void *user, uint32_t step, const tensor *outs, uint32_t n_out)
{
    dump_ctx *d = user;
    char path[4096];
    for (uint32_t k = 0; k < n_out; k++) {
        if (!outs[k].data)
            continue;
        snprintf(path, sizeof path, "%s/step%u_out%u.npy", d->dir, step, k);
        int rc = npy_save(path, &outs[k]);
        if (rc)
            return rc;
    }
    return 0;
}

static int ask_host(void *user, uint32_t step, const ir_node *n, tensor *const *in, int n_in,
                    tensor *const *out, int n_out)
{
    (void)n;
    return hostcall_request(*(const int *)user, step, in, n_in, out, n_out);
}

static int fail(int rc)
{
    fprintf(stderr, "rvvnn-rt: error: %s (%s)\n", err_message(), status_name(rc));
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *ins[RT_MAX], *outs[RT_MAX], *dump = NULL;
    int n_in = 0, n_out = 0, info = 0, code_range = 0, rc, status = 0, repeat = 1, host_fd = -1;
    rv_limits lim;
    limits_default(&lim);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int li = -1;
        for (int k = 0; k < LIMIT__COUNT; k++) {
            size_t fl = strlen(limit_table[k].flag);
            if (!strncmp(a, limit_table[k].flag, fl) && a[fl] == '=')
                li = k;
        }
        if (li >= 0) {
            *limits_slot(&lim, li) = strtoull(strchr(a, '=') + 1, NULL, 10);
            continue;
        }
        if (!strncmp(a, "--input=@", 9) && n_in < RT_MAX)
            ins[n_in++] = a + 9;
        else if (!strncmp(a, "--output=@", 10) && n_out < RT_MAX)
            outs[n_out++] = a + 10;
        else if (!strncmp(a, "--dump-dir=", 11))
            dump = a + 11;
        else if (!strncmp(a, "--host-fd=", 10) && atoi(a + 10) > 2)
            host_fd = atoi(a + 10);
        else if (!strcmp(a, "--info"))
            info = 1;
        else if (!strcmp(a, "--code-range"))
            code_range = 1;
        else if (!strncmp(a, "--repeat=", 9) && atoi(a + 9) > 0)
            repeat = atoi(a + 9);
        else if (a[0] != '-' && !path)
            path = a;
        else {
            fprintf(stderr, "rvvnn-rt: error: unexpected argument '%s'\n"
                            "usage: rvvnn-rt MODULE --input=@x.npy ... --output=@y.npy ... "
                            "[--dump-dir=D] [--info]\n", a);
            return 2;
        }
    }
    if (info) {
        printf("vlen %u\n", modrun_host_vlen());
        if (!path)
            return 0;
    }
    if (!path) {
        fprintf(stderr, "rvvnn-rt: error: no module given\n");
        return 2;
    }
    rvv_module *m = NULL;
    mod_session *s = NULL;
    tensor tin[RT_MAX], tout[RT_MAX];
    memset(tin, 0, sizeof tin);
    memset(tout, 0, sizeof tout);
    if ((rc = module_load_file(path, &lim, &m)))
        return fail(rc);
    if ((uint32_t)n_in != m->hdr->n_inputs || (uint32_t)n_out != m->hdr->n_outputs) {
        fprintf(stderr, "rvvnn-rt: error: the module has %u inputs and %u outputs; %d --input and %d "
                "--output given\n", m->hdr->n_inputs, m->hdr->n_outputs, n_in, n_out);
        status = 2;
        goto out;
    }
    for (int i = 0; i < n_in; i++) {
        void *buf;
        size_t len;
        if ((rc = file_read_all(ins[i], lim.max_file_bytes, &buf, &len))) {
            status = fail(rc);
            goto out;
        }
        rc = npy_decode(buf, len, &tin[i]);
        mem_free(buf);
        if (rc) {
            err_wrap(rc, "%s", ins[i]);
            status = fail(rc);
            goto out;
        }
    }
    if ((rc = modrun_open(m, &s))) {
        status = fail(rc);
        goto out;
    }
    modrun_set_limits(s, &lim);
    if (code_range) {
        uint64_t lo, hi;
        modrun_code_range(s, &lo, &hi);
        printf("code 0x%llx 0x%llx\n", (unsigned long long)lo, (unsigned long long)hi);
        fflush(stdout);
    }
    dump_ctx dc = {dump};
    if (dump)
        modrun_set_hook(s, dump_step, &dc);
    if (host_fd >= 0)
        modrun_set_custom(s, ask_host, &host_fd);
    for (int r = 0; r < repeat; r++) {
        if (r) {
            for (int i = 0; i < n_out; i++) {
                mem_free(tout[i].data);
                tout[i].data = NULL;
            }
        }
        if ((rc = modrun_run(s, tin, tout))) {
            status = fail(rc);
            goto out;
        }
    }
    for (int i = 0; i < n_out; i++)
        if ((rc = npy_save(outs[i], &tout[i]))) {
            status = fail(rc);
            goto out;
        }
out:
    for (int i = 0; i < RT_MAX; i++) {
        mem_free(tin[i].data);
        mem_free(tout[i].data);
    }
    modrun_close(s);
    module_free(m);
    return status;
}
