/* test_api_custom.c - custom operators from C: a Scale op in domain
 * "test.domain" registered with rvvnn_register_op runs on the reference
 * executor (shape function, then kernel, with the user pointer given at
 * registration, reading the node's attributes); without the registration
 * the model is unsupported; callback failures and bogus statuses come
 * back as errors. Compiled into a module, Scale is a custom step: the
 * module's session calls the callback in this process, both when the
 * module's RVV step runs under qemu-riscv64 (the runner asks over a
 * socket) and for an all-fallback module run in-process; without the
 * registration, with a failing callback, or with a shape function that
 * disagrees at run time, the run fails with the right status. */
#include "api_test.h"

typedef struct scale_state {
    float factor;
    int shape_calls, run_calls;
    int fail_shape, fail_run; /* inject a status to return */
    int grow;                 /* the shape function adds a dim (a run-time shape change) */
    int saw_alpha;            /* the shape function read alpha = 3 from the node */
} scale_state;

static int scale_shape(void *user, rvvnn_tensor *const *in, size_t n_in, rvvnn_tensor *const *out,
                       size_t n_out)
{
    scale_state *st = user;
    st->shape_calls++;
    if (st->fail_shape)
        return st->fail_shape;
    if (n_in != 1 || n_out != 1 || !in[0])
        return RVVNN_EGRAPH;
    int32_t dt;
    size_t rank;
    int64_t dims[RVVNN_MAX_RANK];
    int rc;
    if ((rc = rvvnn_tensor_dtype(in[0], &dt)) || (rc = rvvnn_tensor_rank(in[0], &rank)) ||
        (rc = rvvnn_tensor_dims(in[0], dims, RVVNN_MAX_RANK)))
        return rc;
    if (dt != RVVNN_DTYPE_F32)
        return RVVNN_ETYPE;
    /* the node's attributes are reachable from any argument */
    double alpha = 0;
    int64_t iv;
    const char *sv;
    size_t len;
    if ((rc = rvvnn_op_attr_float(in[0], "alpha", &alpha)) || alpha != 3.0)
        return rc ? rc : RVVNN_EGRAPH;
    if (rvvnn_op_attr_int(out[0], "alpha", &iv) != RVVNN_ETYPE ||
        rvvnn_op_attr_string(out[0], "beta", &sv, &len) != RVVNN_ENOTFOUND)
        return RVVNN_EINTERNAL; /* wrong answers for a float / a missing attribute */
    st->saw_alpha = 1;
    if (st->grow)
        dims[rank++] = 1;
    return rvvnn_tensor_set_shape(out[0], dt, dims, rank);
}

static int scale_run(void *user, rvvnn_tensor *const *in, size_t n_in, rvvnn_tensor *const *out,
                     size_t n_out)
{
    scale_state *st = user;
    st->run_calls++;
    if (st->fail_run)
        return st->fail_run;
    void *src, *dst;
    size_t nb_in, nb_out;
    int rc;
    if ((rc = rvvnn_tensor_data(in[0], &src, &nb_in)) || (rc = rvvnn_tensor_data(out[0], &dst, &nb_out)))
        return rc;
    if (nb_in != nb_out || !src || !dst)
        return RVVNN_ESHAPE;
    for (size_t i = 0; i < nb_in / sizeof(float); i++)
        ((float *)dst)[i] = ((const float *)src)[i] * st->factor;
    return 0;
}

static const float X[6] = {1, -2, 0.5f, 3, 0, -0.25f};

/* Runs custom.onnx with options o; returns the run status. */
static int run_model(rvvnn_model *m, rvvnn_options *o, float *y)
{
    rvvnn_session *s = NULL;
    int64_t dims[2] = {2, 3};
    int rc = rvvnn_session_create_from_model(m, o, &s);
    if (!rc)
        rc = rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 2, X, sizeof X);
    if (!rc)
        rc = rvvnn_session_set_output(s, 0, y, 6 * sizeof *y);
    if (!rc)
        rc = rvvnn_session_run(s);
    rvvnn_session_free(s);
    return rc;
}

/* Runs the module on `executor` (options o, or none); returns the status. */
static int run_module(rvvnn_module *mod, const rvvnn_options *o, const char *executor, float *y)
{
    rvvnn_options *so = NULL;
    rvvnn_session *s = NULL;
    int64_t dims[2] = {2, 3};
    const char *ex = NULL;
    int rc = 0;
    if (!o) {
        if (!(rc = rvvnn_options_create(&so)))
            o = so;
    }
    if (!rc)
        rc = rvvnn_options_set_string((rvvnn_options *)o, "executor", executor);
    if (!rc)
        rc = rvvnn_session_create_from_module(mod, o, &s);
    if (!rc && !(rc = rvvnn_session_executor(s, &ex)) && strcmp(ex, executor) != 0)
        rc = RVVNN_EINTERNAL;
    if (!rc)
        rc = rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 2, X, sizeof X);
    if (!rc)
        rc = rvvnn_session_set_output(s, 0, y, 6 * sizeof *y);
    if (!rc)
        rc = rvvnn_session_run(s);
    rvvnn_session_free(s);
    rvvnn_options_free(so);
    return rc;
}

int main(void)
{
    rvvnn_model *m = NULL;
    CHECK_OK(rvvnn_model_load_file("models/custom.onnx", &m));
    if (!m)
        return check_done();
    float y[6] = {0};
    /* unregistered: the model is unsupported and the message says which op */
    CHECK_RC(run_model(m, NULL, y), RVVNN_EUNSUPPORTED);
    CHECK(strstr(rvvnn_last_error(), "Scale") != NULL);

    scale_state st = {.factor = 3.0f};
    rvvnn_options *o = NULL;
    CHECK_OK(rvvnn_options_create(&o));
    CHECK_RC(rvvnn_register_op(o, "test.domain", "Scale", NULL, scale_shape, &st), RVVNN_EINVAL);
    CHECK_RC(rvvnn_register_op(o, "test.domain", "", scale_run, scale_shape, &st), RVVNN_EINVAL);
    /* registered in another domain: still unsupported */
    CHECK_OK(rvvnn_register_op(o, "other.domain", "Scale", scale_run, scale_shape, &st));
    CHECK_RC(run_model(m, o, y), RVVNN_EUNSUPPORTED);
    CHECK_OK(rvvnn_register_op(o, "test.domain", "Scale", scale_run, scale_shape, &st));
    CHECK_OK(run_model(m, o, y));
    for (int i = 0; i < 6; i++)
        CHECK_CLOSE(y[i], X[i] * 3.0f + 1.0f, 0, 0); /* exact: 3x+1 in f32 for these x */
    CHECK(st.run_calls == 1);
    CHECK(st.shape_calls >= 2); /* static inference and the run */
    CHECK(st.saw_alpha);

    /* the user pointer is per registration: a later one replaces it */
    scale_state st2 = {.factor = -1.0f};
    CHECK_OK(rvvnn_register_op(o, "test.domain", "Scale", scale_run, scale_shape, &st2));
    CHECK_OK(run_model(m, o, y));
    for (int i = 0; i < 6; i++)
        CHECK_CLOSE(y[i], 1.0f - X[i], 0, 0);
    CHECK(st2.run_calls == 1 && st.run_calls == 1);

    /* callback failures propagate with the node named */
    st2.fail_run = RVVNN_ELIMIT;
    CHECK_RC(run_model(m, o, y), RVVNN_ELIMIT);
    CHECK(strstr(rvvnn_last_error(), "scale") != NULL);
    st2.fail_run = 7; /* not a status code */
    CHECK_RC(run_model(m, o, y), RVVNN_EINTERNAL);
    st2.fail_run = 0;
    st2.fail_shape = RVVNN_ETYPE;
    CHECK_RC(run_model(m, o, y), RVVNN_ETYPE);
    st2.fail_shape = 0;

    /* attributes are only for custom-op arguments */
    rvvnn_session *s = NULL;
    rvvnn_tensor *t = NULL;
    double d;
    int64_t dims[2] = {2, 3};
    CHECK_OK(rvvnn_session_create_from_model(m, o, &s));
    CHECK_OK(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 2, X, sizeof X));
    CHECK_OK(rvvnn_session_run(s));
    CHECK_OK(rvvnn_session_output(s, 0, &t));
    CHECK_RC(rvvnn_op_attr_float(t, "alpha", &d), RVVNN_EINVAL);
    rvvnn_session_free(s);

    /* compiled without the registration: the shape is unknown, nothing to compile */
    rvvnn_module *mod = NULL;
    CHECK_RC(rvvnn_compile(m, NULL, &mod), RVVNN_EUNSUPPORTED);
    CHECK(mod == NULL);
    /* with it: Scale is a custom step, the Add an RVV step */
    CHECK_OK(rvvnn_compile(m, o, &mod));
    size_t n_steps = 0;
    CHECK_OK(rvvnn_module_step_count(mod, &n_steps));
    CHECK(n_steps == 2);
    const char *op = NULL;
    int32_t kind = 0;
    CHECK_OK(rvvnn_module_step_info(mod, 0, NULL, &op, &kind, NULL, NULL));
    CHECK(kind == RVVNN_STEP_CUSTOM && op && !strcmp(op, "test.domain::Scale"));
    CHECK_OK(rvvnn_module_step_info(mod, 1, NULL, NULL, &kind, NULL, NULL));
    CHECK(kind == RVVNN_STEP_RVV);
    /* under qemu: the runner calls back into this process */
    int before = st2.run_calls;
    CHECK_OK(run_module(mod, o, "qemu", y));
    for (int i = 0; i < 6; i++)
        CHECK_CLOSE(y[i], 1.0f - X[i], 0, 0); /* exact, as above */
    CHECK(st2.run_calls == before + 1);
    CHECK_RC(run_module(mod, NULL, "qemu", y), RVVNN_EUNSUPPORTED); /* no registration */
    CHECK(strstr(rvvnn_last_error(), "Scale") != NULL);
    st2.fail_run = RVVNN_ELIMIT;
    CHECK_RC(run_module(mod, o, "qemu", y), RVVNN_ELIMIT); /* the callback's own status comes back */
    st2.fail_run = 0;
    st2.grow = 1;
    CHECK_RC(run_module(mod, o, "qemu", y), RVVNN_ESHAPE);
    st2.grow = 0;
    rvvnn_module_free(mod);
    /* all-fallback module: runs in-process on any host */
    mod = NULL;
    CHECK_OK(rvvnn_options_set_int(o, "no_rvv", 1));
    CHECK_OK(rvvnn_compile(m, o, &mod));
    before = st2.run_calls;
    CHECK_OK(run_module(mod, o, "native", y));
    for (int i = 0; i < 6; i++)
        CHECK_CLOSE(y[i], 1.0f - X[i], 0, 0);
    CHECK(st2.run_calls == before + 1);
    CHECK_RC(run_module(mod, NULL, "native", y), RVVNN_EUNSUPPORTED);
    st2.grow = 1;
    CHECK_RC(run_module(mod, o, "native", y), RVVNN_ESHAPE);
    rvvnn_module_free(mod);
    rvvnn_options_free(o);
    rvvnn_model_free(m);
    return check_done();
}
