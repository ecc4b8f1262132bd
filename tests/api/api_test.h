/* api_test.h - helpers the public-API tests share: they include only
 * rvvnn.h (like any consumer) and link librvvnn.so.0. */
#ifndef RVVNN_API_TEST_H
#define RVVNN_API_TEST_H

#include "check.h"
#include "rvvnn.h"

#include <string.h>

/* CHECK that a call returned `want`, printing the library's message. */
#define CHECK_RC(call, want)                                                          \
    do {                                                                              \
        int rc_ = (call);                                                             \
        CHECK_MSG(rc_ == (want), "%s = %d, want %d (%s)", #call, rc_, (int)(want),     \
                  rvvnn_last_error());                                                \
    } while (0)
#define CHECK_OK(call) CHECK_RC(call, RVVNN_OK)

/* The mlp.onnx model (make_models.py): Y = Relu(X @ W + B), computed
 * here independently in double precision for n rows of x. */
static inline void mlp_expected(const float *x, int64_t n, float *y)
{
    for (int64_t r = 0; r < n; r++)
        for (int j = 0; j < 3; j++) {
            static const double b[3] = {0.25, -1.0, 0.5};
            double acc = b[j];
            for (int k = 0; k < 4; k++)
                acc += (double)x[r * 4 + k] * ((double)(k * 3 + j) / 8.0 - 0.5);
            y[r * 3 + j] = (float)(acc > 0 ? acc : 0);
        }
}

/* Runs one float input [n,4] through session s and compares output 0
 * with mlp_expected: |got-want| <= 1e-5 + 1e-5*|want| (f32 MatMul of 4
 * terms against a double reference). Returns 0 when it matched. */
static inline int mlp_run_check(rvvnn_session *s, const float *x, int64_t n)
{
    int64_t dims[2] = {n, 4};
    float want[64 * 3];
    int fails = check_fail_count;
    CHECK_OK(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 2, x, (size_t)n * 4 * sizeof *x));
    CHECK_OK(rvvnn_session_run(s));
    rvvnn_tensor *t = NULL;
    CHECK_OK(rvvnn_session_output(s, 0, &t));
    if (!t)
        return 1;
    void *data = NULL;
    size_t nbytes = 0, rank = 0;
    int64_t od[2] = {0, 0};
    int32_t dt = 0;
    CHECK_OK(rvvnn_tensor_data(t, &data, &nbytes));
    CHECK_OK(rvvnn_tensor_rank(t, &rank));
    CHECK_OK(rvvnn_tensor_dims(t, od, 2));
    CHECK_OK(rvvnn_tensor_dtype(t, &dt));
    CHECK(dt == RVVNN_DTYPE_F32 && rank == 2 && od[0] == n && od[1] == 3);
    CHECK(nbytes == (size_t)n * 3 * sizeof(float));
    if (nbytes != (size_t)n * 3 * sizeof(float) || !data)
        return 1;
    mlp_expected(x, n, want);
    for (int64_t i = 0; i < n * 3; i++)
        CHECK_CLOSE(((float *)data)[i], want[i], 1e-5, 1e-5);
    return check_fail_count != fails;
}

#endif
