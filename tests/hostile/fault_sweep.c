/* fault_sweep.c - allocation-failure injection over every allocation of
 * a model's import, passes, code generation + module load, reference
 * run, module run and the public API's load/compile/session/run.
 *
 * For each phase it first counts the phase's allocations, then repeats
 * the phase once per N = 1..count with the N-th allocation failing
 * (mem_fail_at). Every repetition must return RV_ENOMEM with a message,
 * or succeed (a failed allocation that has a fallback), and must leave
 * mem.c's live-block count where it found it: a failure path that leaks
 * is caught in any build, not only under LeakSanitizer (which the ASan
 * tree adds on top). A crash is the test failing.
 *
 *   fault_sweep MODEL.onnx INPUT.npy [--phases=import,passes,...] [--stride=K]
 *
 * --stride=K tries every K-th N only (make fault-sweep runs K=1 on the
 * big models; make check runs the small model at K=1). */
#include "check.h"
#include "rvvnn.h"
#include "codegen/codegen.h"
#include "exec/native/modrun.h"
#include "exec/ref/ref.h"
#include "import/import.h"
#include "passes/passes.h"
#include "util/npy.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sweep {
    void *bytes;           /* the model file */
    size_t len;
    char dir[4096];
    tensor in;             /* its single input */
    ir_model *prepared;    /* imported + passes (ref phase) */
    void *mod_img;         /* compiled with every step on the reference kernels */
    size_t mod_len;
    rvv_module *mod;       /* mod_img loaded (modrun phase) */
    /* per-phase state between setup, body and teardown */
    ir_model *m;
} sweep;

static int import_fresh(sweep *s, ir_model **out)
{
    return import_onnx_buffer(s->bytes, s->len, s->dir, NULL, out);
}

/* ---- phases: setup runs without injection, body with it ---- */
static int body_import(sweep *s)
{
    ir_model *m;
    int rc = import_fresh(s, &m);
    ir_model_free(m);
    return rc;
}

static int setup_import(sweep *s) { return import_fresh(s, &s->m); }
static void teardown_model(sweep *s)
{
    ir_model_free(s->m);
    s->m = NULL;
}

static int body_passes(sweep *s) { return passes_run(s->m, NULL); }

static int setup_prepared(sweep *s)
{
    int rc = import_fresh(s, &s->m);
    return rc ? rc : passes_run(s->m, NULL);
}

static int body_codegen(sweep *s)
{
    cg_target t;
    cg_result res;
    rvv_module *mod;
    int rc = cg_target_parse("rv64gcv", NULL, -1, 0, &t);
    if (!rc)
        rc = codegen_module(s->m, &t, &res);
    if (!rc && !(rc = module_load(res.buf, res.len, NULL, &mod))) /* takes res.buf */
        module_free(mod);
    return rc;
}

static int body_ref(sweep *s)
{
    tensor outs[64];
    ref_options ro = {.threads = 1, .use_plan = 1};
    int rc = ref_run(s->prepared->graph, &ro, &s->in, outs);
    for (int k = 0; !rc && k < s->prepared->graph->n_outputs; k++)
        mem_free(outs[k].data);
    return rc;
}

static int body_modrun(sweep *s)
{
    mod_session *ms;
    tensor outs[64];
    int rc = modrun_open(s->mod, &ms);
    if (rc)
        return rc;
    if (!(rc = modrun_run(ms, &s->in, outs)))
        for (uint32_t k = 0; k < s->mod->hdr->n_outputs; k++)
            mem_free(outs[k].data);
    modrun_close(ms);
    return rc;
}

/* The public API end to end: model from memory, a reference session,
 * a compile (fallback steps only, so it runs in this process) and a
 * module session. */
static int api_run_session(rvvnn_session *ss, const tensor *in)
{
    int rc = rvvnn_session_set_input(ss, 0, in->dtype, in->dims, (size_t)in->rank, in->data,
                                     in->nbytes);
    if (!rc)
        rc = rvvnn_session_run(ss);
    rvvnn_tensor *t;
    if (!rc)
        rc = rvvnn_session_output(ss, 0, &t);
    return rc;
}

static int body_api(sweep *s)
{
    rvvnn_model *model = NULL;
    rvvnn_options *o = NULL;
    rvvnn_session *ss = NULL;
    rvvnn_module *mod = NULL;
    int rc = rvvnn_model_load_memory(s->bytes, s->len, &model);
    if (!rc)
        rc = rvvnn_options_create(&o);
    if (!rc)
        rc = rvvnn_options_set_int(o, "threads", 1);
    if (!rc)
        rc = rvvnn_options_set_int(o, "no_rvv", 1);
    if (!rc)
        rc = rvvnn_session_create_from_model(model, o, &ss);
    if (!rc)
        rc = api_run_session(ss, &s->in);
    rvvnn_session_free(ss);
    ss = NULL;
    if (!rc)
        rc = rvvnn_compile(model, o, &mod);
    if (!rc)
        rc = rvvnn_session_create_from_module(mod, o, &ss);
    if (!rc)
        rc = api_run_session(ss, &s->in);
    rvvnn_session_free(ss);
    rvvnn_module_free(mod);
    rvvnn_options_free(o);
    rvvnn_model_free(model);
    return rc;
}

typedef struct phase {
    const char *name;
    int (*setup)(sweep *);
    int (*body)(sweep *);
    void (*teardown)(sweep *);
} phase;

static const phase phases[] = {
    {"import", NULL, body_import, NULL},
    {"passes", setup_import, body_passes, teardown_model},
    {"codegen", setup_prepared, body_codegen, teardown_model},
    {"ref", NULL, body_ref, NULL},
    {"modrun", NULL, body_modrun, NULL},
    {"api", NULL, body_api, NULL},
};

/* One repetition with the n-th allocation failing (0: none); returns the
 * body's status and the number of allocations the body made. */
static int run_once(sweep *s, const phase *p, uint64_t n, uint64_t *count)
{
    int rc = p->setup ? p->setup(s) : 0;
    if (rc) {
        fprintf(stderr, "%s: setup failed: %s\n", p->name, err_message());
        return INT32_MIN;
    }
    err_clear();
    mem_fail_at(n);
    rc = p->body(s);
    *count = mem_fail_at(0);
    if (p->teardown)
        p->teardown(s);
    return rc;
}

static void sweep_phase(sweep *s, const phase *p, uint64_t stride)
{
    uint64_t count, c;
    mem_usage before, after;
    double t0 = (double)clock() / CLOCKS_PER_SEC;
    int rc = run_once(s, p, 0, &count);
    CHECK_MSG(rc == 0, "%s: the unfaulted run fails: %s", p->name, err_message());
    if (rc)
        return;
    uint64_t tried = 0, nomem = 0, ok = 0, bad = 0;
    for (uint64_t n = 1; n <= count; n += stride) {
        mem_usage_get(&before);
        rc = run_once(s, p, n, &c);
        mem_usage_get(&after);
        tried++;
        if (rc == 0) {
            ok++;
        } else if (rc == RV_ENOMEM && err_message()[0]) {
            nomem++;
        } else if (bad++ < 10) {
            CHECK_MSG(0, "%s: allocation %llu of %llu failing gives %s: %s", p->name,
                      (unsigned long long)n, (unsigned long long)count, status_name(rc), err_message());
        }
        if (after.live_blocks != before.live_blocks && bad++ < 10)
            CHECK_MSG(0, "%s: allocation %llu failing (status %s) leaks %lld blocks", p->name,
                      (unsigned long long)n, status_name(rc),
                      (long long)(after.live_blocks - before.live_blocks));
    }
    if (bad >= 10)
        CHECK_MSG(0, "%s: %llu problems in all", p->name, (unsigned long long)bad);
    CHECK_MSG(nomem > 0, "%s: no repetition reported RV_ENOMEM", p->name);
    printf("%-8s %7llu allocations, %7llu failures injected: %llu ENOMEM, %llu recovered; %.1f s cpu\n",
           p->name, (unsigned long long)count, (unsigned long long)tried, (unsigned long long)nomem,
           (unsigned long long)ok, (double)clock() / CLOCKS_PER_SEC - t0);
    fflush(stdout);
}

static int read_input(const char *path, tensor *t)
{
    void *buf;
    size_t len;
    int rc = file_read_all(path, (size_t)1 << 30, &buf, &len);
    if (rc)
        return rc;
    rc = npy_decode(buf, len, t);
    mem_free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fault_sweep MODEL.onnx INPUT.npy [--phases=a,b] [--stride=K]\n");
        return 2;
    }
    const char *want = "import,passes,codegen,ref,modrun,api";
    uint64_t stride = 1;
    for (int i = 3; i < argc; i++) {
        if (!strncmp(argv[i], "--phases=", 9))
            want = argv[i] + 9;
        else if (!strncmp(argv[i], "--stride=", 9) && atoll(argv[i] + 9) > 0)
            stride = (uint64_t)atoll(argv[i] + 9);
    }
    ref_set_threads(1); /* one thread: the same allocations in the same order every time */
    sweep s = {0};
    int rc = file_read_all(argv[1], (size_t)1 << 31, &s.bytes, &s.len);
    if (!rc)
        rc = read_input(argv[2], &s.in);
    import_dir_of(argv[1], s.dir, sizeof s.dir);
    if (!rc && !(rc = import_fresh(&s, &s.prepared)))
        rc = passes_run(s.prepared, NULL);
    cg_target t;
    cg_result res;
    if (!rc && !(rc = cg_target_parse("rv64gcv", NULL, -1, 0, &t))) {
        t.no_rvv = 1;
        ir_model *m;
        if (!(rc = import_fresh(&s, &m)) && !(rc = passes_run(m, NULL)) &&
            !(rc = codegen_module(m, &t, &res)))
            rc = module_load(res.buf, res.len, NULL, &s.mod);
        ir_model_free(m);
    }
    if (rc) {
        fprintf(stderr, "fault_sweep: %s: %s\n", argv[1], err_message());
        return 2;
    }
    printf("fault_sweep %s (%zu bytes), every %llu-th allocation\n", argv[1], s.len,
           (unsigned long long)stride);
    for (size_t i = 0; i < sizeof phases / sizeof *phases; i++) {
        const char *hit = strstr(want, phases[i].name);
        size_t nl = strlen(phases[i].name);
        if (hit && (hit == want || hit[-1] == ',') && (hit[nl] == 0 || hit[nl] == ','))
            sweep_phase(&s, &phases[i], stride);
    }
    module_free(s.mod);
    ir_model_free(s.prepared);
    mem_free(s.in.data);
    mem_free(s.bytes);
    return check_done();
}
