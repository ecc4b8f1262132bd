/* test_api_threads.c - the thread-safety contract of rvvnn.h: many
 * threads share one model and one compiled module (immutable handles)
 * and one set-up options object, each creating its own sessions and
 * compiling concurrently, with thread-specific inputs; every result is
 * checked. Run under -DRVVNN_SANITIZE=thread too. */
#include "api_test.h"

#include <pthread.h>

#define THREADS 8
#define ROUNDS 10

typedef struct shared {
    rvvnn_model *model;
    rvvnn_module *module;      /* fallback-only: runs in-process on any host */
    const rvvnn_options *opts; /* batch bound to 2: compile, module sessions */
    const rvvnn_options *ref_opts; /* unbound: ref sessions follow the inputs */
    size_t module_len;
} shared;

/* mlp_run_check without the (unsynchronised) CHECK counters: returns
 * non-zero on any failure. Tolerance as in api_test.h. */
static int run_check(rvvnn_session *s, const float *x, int64_t n)
{
    int64_t dims[2] = {n, 4};
    float want[16 * 3];
    rvvnn_tensor *t = NULL;
    void *data = NULL;
    size_t nb = 0;
    if (rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 2, x, (size_t)n * 16) ||
        rvvnn_session_run(s) || rvvnn_session_output(s, 0, &t) || rvvnn_tensor_data(t, &data, &nb) ||
        nb != (size_t)n * 12)
        return 1;
    mlp_expected(x, n, want);
    for (int64_t i = 0; i < n * 3; i++)
        if (fabs((double)((float *)data)[i] - want[i]) > 1e-5 + 1e-5 * fabs((double)want[i]))
            return 1;
    return 0;
}

typedef struct job {
    shared *sh;
    int id;
    int failures;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    float x[4 * 4];
    rvvnn_session *ref = NULL, *nat = NULL;
    int fails = 0;
    fails |= rvvnn_session_create_from_model(j->sh->model, j->sh->ref_opts, &ref) != 0;
    fails |= rvvnn_session_create_from_module(j->sh->module, j->sh->opts, &nat) != 0;
    for (int r = 0; !fails && r < ROUNDS; r++) {
        for (int i = 0; i < 16; i++)
            x[i] = (float)((j->id * 31 + r * 7 + i) % 17) * 0.25f - 2.0f;
        /* batch 2 for the module (bound at compile time), 2..4 for ref */
        fails |= run_check(nat, x, 2) != 0;
        fails |= run_check(ref, x, 2 + (j->id + r) % 3) != 0;
        if (r == ROUNDS / 2) {
            void *buf = NULL;
            size_t len = 0;
            fails |= rvvnn_compile_to_memory(j->sh->model, j->sh->opts, &buf, &len) != 0;
            fails |= len != j->sh->module_len;
            rvvnn_buffer_free(buf);
        }
        /* errors are per thread: provoke one and check its text */
        rvvnn_model *none = NULL;
        char path[64];
        snprintf(path, sizeof path, "models/missing-%d.onnx", j->id);
        fails |= rvvnn_model_load_file(path, &none) == 0;
        fails |= strstr(rvvnn_last_error(), path) == NULL;
    }
    rvvnn_session_free(ref);
    rvvnn_session_free(nat);
    j->failures = fails;
    return NULL;
}

int main(void)
{
    shared sh = {0};
    rvvnn_options *o = NULL;
    CHECK_OK(rvvnn_options_create(&o));
    CHECK_OK(rvvnn_options_set_string(o, "input_shape", "X=2x4"));
    CHECK_OK(rvvnn_options_set_int(o, "no_rvv", 1));
    CHECK_OK(rvvnn_options_set_int(o, "threads", 2));
    CHECK_OK(rvvnn_model_load_file("models/mlp.onnx", &sh.model));
    if (sh.model)
        CHECK_OK(rvvnn_compile(sh.model, o, &sh.module));
    if (!sh.module)
        return check_done();
    const void *img;
    CHECK_OK(rvvnn_module_data(sh.module, &img, &sh.module_len));
    rvvnn_options *ro = NULL;
    CHECK_OK(rvvnn_options_create(&ro));
    CHECK_OK(rvvnn_options_set_int(ro, "threads", 2));
    sh.opts = o;
    sh.ref_opts = ro;
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){&sh, i, 0};
        CHECK(pthread_create(&th[i], NULL, worker, &jobs[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(jobs[i].failures == 0, "thread %d failed", i);
    }
    rvvnn_module_free(sh.module);
    rvvnn_model_free(sh.model);
    rvvnn_options_free(o);
    rvvnn_options_free(ro);
    return check_done();
}
