/* test_api_flow.c - the whole public workflow through librvvnn.so.0:
 * load a model (file and memory), run it on the reference executor
 * (library- and caller-owned outputs, re-preparing for a new batch
 * size), compile it (to a handle, memory and file), inspect the module's
 * steps, load modules back (file, memory, corrupt bytes), run them (RVV
 * steps under qemu-riscv64 on x86, fallback-only modules in-process) and
 * compare with the reference results; plus the error paths. */
#include "api_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const float X2[8] = {1, 2, 3, 4, -1, 0.5f, -2, 3};
static const float X3[12] = {0.1f, -0.2f, 0.3f, 4, 1, 1, 1, 1, -3, 2, 0, 0.5f};

static void *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc(*len);
    if (p && fread(p, 1, *len, f) != *len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

static void test_errors(void)
{
    rvvnn_model *m = (rvvnn_model *)1;
    int rc = rvvnn_model_load_file("models/does-not-exist.onnx", &m);
    CHECK(rc < 0 && m == NULL);
    CHECK(strstr(rvvnn_last_error(), "does-not-exist") != NULL);
    CHECK_RC(rvvnn_model_load_memory("not a model", 11, &m), RVVNN_EFORMAT);
    CHECK(strlen(rvvnn_last_error()) > 0);
    CHECK_RC(rvvnn_model_load_file(NULL, &m), RVVNN_EINVAL);
    CHECK(strstr(rvvnn_last_error(), "path") != NULL);
    rvvnn_options *o = NULL;
    CHECK_OK(rvvnn_options_create(&o));
    CHECK_RC(rvvnn_options_set_string(o, "no_such_key", "x"), RVVNN_ENOTFOUND);
    CHECK_RC(rvvnn_options_set_int(o, "no_such_key", 1), RVVNN_ENOTFOUND);
    CHECK_RC(rvvnn_options_set_string(o, "executor", "gpu"), RVVNN_EINVAL);
    CHECK_RC(rvvnn_options_set_int(o, "lmul_max", 9), RVVNN_EINVAL);
    CHECK_OK(rvvnn_options_set_int(o, "threads", 2));
    int64_t v = 0;
    CHECK_OK(rvvnn_options_get_int(o, "threads", &v));
    CHECK(v == 2);
    CHECK_OK(rvvnn_options_get_int(o, "vlen", &v));
    CHECK(v == -1);
    CHECK_RC(rvvnn_options_set_string(o, "input_shape", "X=2xq"), RVVNN_EINVAL);
    int64_t neg[1] = {-3};
    CHECK_RC(rvvnn_options_bind_input_shape(o, "X", neg, 1), RVVNN_EINVAL);
    rvvnn_options_free(o);
    /* documented no-ops */
    rvvnn_options_free(NULL);
    rvvnn_model_free(NULL);
    rvvnn_module_free(NULL);
    rvvnn_session_free(NULL);
    rvvnn_buffer_free(NULL);
}

static void test_ref(rvvnn_model *m)
{
    size_t n = 0;
    const char *name = NULL;
    CHECK_OK(rvvnn_model_input_count(m, &n));
    CHECK(n == 1);
    CHECK_OK(rvvnn_model_output_count(m, &n));
    CHECK(n == 1);
    CHECK_OK(rvvnn_model_input_name(m, 0, &name));
    CHECK(name && !strcmp(name, "X"));
    CHECK_OK(rvvnn_model_output_name(m, 0, &name));
    CHECK(name && !strcmp(name, "Y"));
    CHECK_RC(rvvnn_model_input_name(m, 1, &name), RVVNN_EINVAL);

    rvvnn_session *s = NULL;
    CHECK_OK(rvvnn_session_create_from_model(m, NULL, &s));
    if (!s)
        return;
    const char *ex = NULL;
    CHECK_OK(rvvnn_session_executor(s, &ex));
    CHECK(ex && !strcmp(ex, "ref"));
    int32_t dt = 0, rank = 0;
    int64_t dims[4] = {0};
    CHECK_OK(rvvnn_session_input_info(s, 0, &dt, dims, 4, &rank));
    CHECK(dt == RVVNN_DTYPE_F32 && rank == 2 && dims[0] == -1 && dims[1] == 4);
    rvvnn_tensor *t;
    CHECK_RC(rvvnn_session_output(s, 0, &t), RVVNN_EINVAL); /* not run yet */
    CHECK_RC(rvvnn_session_run(s), RVVNN_EINVAL);           /* input not set */
    int64_t bad[2] = {2, 4};
    CHECK_RC(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, bad, 2, X2, 4), RVVNN_ESHAPE);
    CHECK_RC(rvvnn_session_set_input(s, 0, 99, bad, 2, X2, sizeof X2), RVVNN_ETYPE);
    CHECK_RC(rvvnn_session_set_input(s, 3, RVVNN_DTYPE_F32, bad, 2, X2, sizeof X2), RVVNN_EINVAL);
    CHECK(mlp_run_check(s, X2, 2) == 0);
    CHECK(mlp_run_check(s, X3, 3) == 0); /* a new batch size re-prepares */
    CHECK(mlp_run_check(s, X2, 2) == 0);
    /* wrong element type for the model */
    int32_t ints[8] = {0};
    CHECK_OK(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_I32, bad, 2, ints, sizeof ints));
    CHECK_RC(rvvnn_session_run(s), RVVNN_ETYPE);
    /* caller-owned output */
    float out[6] = {0}, want[6];
    CHECK_OK(rvvnn_session_set_output(s, 0, out, sizeof out));
    CHECK_OK(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, bad, 2, X2, sizeof X2));
    CHECK_OK(rvvnn_session_run(s));
    mlp_expected(X2, 2, want);
    for (int i = 0; i < 6; i++)
        CHECK_CLOSE(out[i], want[i], 1e-5, 1e-5);
    void *data = NULL;
    size_t nb = 0;
    CHECK_OK(rvvnn_session_output(s, 0, &t));
    CHECK_OK(rvvnn_tensor_data(t, &data, &nb));
    CHECK(data == (void *)out && nb == sizeof out);
    CHECK_RC(rvvnn_tensor_set_shape(t, RVVNN_DTYPE_F32, bad, 2), RVVNN_EINVAL); /* not a shape fn */
    CHECK_OK(rvvnn_session_set_output(s, 0, out, 5 * sizeof(float)));
    CHECK_RC(rvvnn_session_run(s), RVVNN_ESHAPE); /* too small */
    CHECK_OK(rvvnn_session_set_output(s, 0, NULL, 0));
    CHECK(mlp_run_check(s, X2, 2) == 0);
    rvvnn_session_free(s);

    rvvnn_options *o = NULL;
    CHECK_OK(rvvnn_options_create(&o));
    CHECK_OK(rvvnn_options_set_string(o, "executor", "native"));
    CHECK_RC(rvvnn_session_create_from_model(m, o, &s), RVVNN_EINVAL);
    CHECK(s == NULL);
    rvvnn_options_free(o);
}

/* Steps of a compiled mlp: some RVV kernel unless no_rvv, and an RVV
 * MatMul's FLOPs are 2*N*K*M = 2*2*4*3. */
static void check_steps(rvvnn_module *mod, int expect_rvv)
{
    size_t n = 0;
    int n_rvv = 0, saw_mm = 0;
    CHECK_OK(rvvnn_module_step_count(mod, &n));
    CHECK(n >= 1);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL, *op = NULL;
        int32_t kind = 0;
        uint64_t flops = 0, bytes = 0;
        CHECK_OK(rvvnn_module_step_info(mod, i, &name, &op, &kind, &flops, &bytes));
        CHECK(kind == RVVNN_STEP_RVV || kind == RVVNN_STEP_FALLBACK);
        n_rvv += kind == RVVNN_STEP_RVV;
        /* the mlp's MatMul + bias (+ Relu) is fused into one epilogue step */
        if (op && strstr(op, "MatMul")) { /* MatMul, MatMulEpilogue, rvvnn::MatMulEpilogue */
            saw_mm = 1;
            CHECK(name && !strncmp(name, "mm", 2));
            if (kind == RVVNN_STEP_RVV) { /* fallback steps carry no estimates */
                CHECK_MSG(flops == 48, "MatMul flops %llu", (unsigned long long)flops);
                CHECK(bytes > 0);
            }
        }
    }
    CHECK(saw_mm);
    CHECK(expect_rvv ? n_rvv > 0 : n_rvv == 0);
    CHECK_RC(rvvnn_module_step_info(mod, n, NULL, NULL, NULL, NULL, NULL), RVVNN_EINVAL);
    const char *march = NULL;
    uint32_t vlen = 1, min_vlen = 0;
    CHECK_OK(rvvnn_module_target(mod, &march, &vlen, &min_vlen));
    CHECK(march && !strncmp(march, "rv64", 4));
    CHECK(vlen == 0 && (!expect_rvv || min_vlen >= 32));
}

static void run_module(rvvnn_module *mod, const char *executor, const char *want_executor)
{
    rvvnn_options *o = NULL;
    rvvnn_session *s = NULL;
    CHECK_OK(rvvnn_options_create(&o));
    if (executor)
        CHECK_OK(rvvnn_options_set_string(o, "executor", executor));
    CHECK_OK(rvvnn_session_create_from_module(mod, o, &s));
    rvvnn_options_free(o); /* sessions keep their own copy */
    if (!s)
        return;
    const char *ex = NULL, *name = NULL;
    CHECK_OK(rvvnn_session_executor(s, &ex));
    CHECK_MSG(ex && !strcmp(ex, want_executor), "executor %s, want %s", ex, want_executor);
    CHECK_OK(rvvnn_session_input_name(s, 0, &name));
    CHECK(name && !strcmp(name, "X"));
    int32_t dt = 0, rank = 0;
    int64_t dims[2] = {0};
    CHECK_OK(rvvnn_session_input_info(s, 0, &dt, dims, 2, &rank));
    CHECK(rank == 2 && dims[0] == 2 && dims[1] == 4); /* bound at compile time */
    CHECK(mlp_run_check(s, X2, 2) == 0);
    CHECK(mlp_run_check(s, X2 + 0, 2) == 0); /* a session runs many times */
    rvvnn_session_free(s);
}

static void test_compile(rvvnn_model *m)
{
    rvvnn_options *o = NULL;
    rvvnn_module *mod = NULL, *mod2 = NULL;
    CHECK_OK(rvvnn_options_create(&o));
    CHECK_OK(rvvnn_options_set_string(o, "march", "rv64gcv"));
    CHECK_OK(rvvnn_options_set_int(o, "vlen", 0));
    CHECK_OK(rvvnn_options_set_string(o, "input_shape", "X=2x4"));
    CHECK_OK(rvvnn_compile(m, o, &mod));
    if (!mod) {
        rvvnn_options_free(o);
        return;
    }
    check_steps(mod, 1);
    /* to memory and back */
    void *buf = NULL;
    size_t len = 0;
    CHECK_OK(rvvnn_compile_to_memory(m, o, &buf, &len));
    const void *img = NULL;
    size_t img_len = 0;
    CHECK_OK(rvvnn_module_data(mod, &img, &img_len));
    CHECK(len == img_len && buf && !memcmp(buf, img, len)); /* compiles are deterministic */
    CHECK_OK(rvvnn_module_load_memory(buf, len, &mod2));
    if (mod2)
        check_steps(mod2, 1);
    rvvnn_module_free(mod2);
    /* every truncation and a few bit flips fail cleanly */
    unsigned char *bad = malloc(len);
    for (size_t cut = 0; bad && cut < len; cut += 1 + cut / 8) {
        mod2 = NULL;
        CHECK_MSG(rvvnn_module_load_memory(buf, cut, &mod2) < 0 && !mod2, "truncated to %zu", cut);
    }
    for (size_t i = 0; bad && i < 192; i += 7) {
        memcpy(bad, buf, len);
        bad[i] ^= 0x5a;
        mod2 = NULL;
        if (rvvnn_module_load_memory(bad, len, &mod2) == 0)
            rvvnn_module_free(mod2); /* a flip in a don't-care byte may load */
    }
    free(bad);
    rvvnn_buffer_free(buf);
    /* to a file and back */
    char path[] = "/tmp/rvvnn-api-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK_OK(rvvnn_compile_to_file(m, o, path));
    CHECK_OK(rvvnn_module_load_file(path, &mod2));
    unlink(path);
    CHECK_OK(rvvnn_module_save(mod, path));
    rvvnn_module *mod3 = NULL;
    CHECK_OK(rvvnn_module_load_file(path, &mod3));
    unlink(path);
    rvvnn_module_free(mod3);
    /* RVV steps: qemu on x86, native on riscv64 */
#if defined(__riscv)
    run_module(mod, NULL, "native");
#else
    run_module(mod, NULL, "qemu");
    rvvnn_options *on = NULL;
    rvvnn_session *s = NULL;
    CHECK_OK(rvvnn_options_create(&on));
    CHECK_OK(rvvnn_options_set_string(on, "executor", "native"));
    CHECK_RC(rvvnn_session_create_from_module(mod, on, &s), RVVNN_ETARGET);
    CHECK(strstr(rvvnn_last_error(), "riscv64") != NULL);
    /* a runner that does not exist gives an error naming it */
    CHECK_OK(rvvnn_options_set_string(on, "executor", "qemu"));
    CHECK_OK(rvvnn_options_set_string(on, "runtime", "/nonexistent/rvvnn-rt"));
    CHECK_OK(rvvnn_session_create_from_module(mod, on, &s));
    int64_t dims[2] = {2, 4};
    if (s) {
        CHECK_OK(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 2, X2, sizeof X2));
        CHECK_RC(rvvnn_session_run(s), RVVNN_ENOTFOUND);
        CHECK(strstr(rvvnn_last_error(), "/nonexistent/rvvnn-rt") != NULL);
    }
    rvvnn_session_free(s);
    rvvnn_options_free(on);
#endif
    rvvnn_module_free(mod2);
    rvvnn_module_free(mod);
    /* fallback-only module: runs in-process anywhere */
    mod = NULL;
    CHECK_OK(rvvnn_options_set_int(o, "no_rvv", 1));
    CHECK_OK(rvvnn_compile(m, o, &mod));
    if (mod) {
        check_steps(mod, 0);
        run_module(mod, NULL, "native");
        rvvnn_options *oe = NULL;
        rvvnn_session *s = NULL;
        CHECK_OK(rvvnn_options_create(&oe));
        CHECK_OK(rvvnn_options_set_string(oe, "executor", "ref"));
        CHECK_RC(rvvnn_session_create_from_module(mod, oe, &s), RVVNN_EINVAL);
        rvvnn_options_free(oe);
    }
    rvvnn_module_free(mod);
    /* bad target */
    CHECK_OK(rvvnn_options_set_string(o, "march", "x86_64"));
    CHECK(rvvnn_compile(m, o, &mod) < 0 && mod == NULL);
    rvvnn_options_free(o);
}

int main(void)
{
    test_errors();
    rvvnn_model *m = NULL, *m2 = NULL;
    CHECK_OK(rvvnn_model_load_file("models/mlp.onnx", &m));
    size_t len = 0;
    void *bytes = slurp("models/mlp.onnx", &len);
    CHECK(bytes != NULL);
    if (bytes)
        CHECK_OK(rvvnn_model_load_memory(bytes, len, &m2));
    free(bytes); /* the model keeps its own copy */
    if (m2)
        test_ref(m2);
    if (m)
        test_compile(m);
    rvvnn_model_free(m);
    rvvnn_model_free(m2);
    return check_done();
}
