/* test_ref_convt.c - the reference ConvTranspose against values worked
 * out by hand, for the attributes whose rules are easy to get backwards:
 * how output_shape's odd total padding is split (ONNX: the extra element
 * at the start for NOTSET and SAME_LOWER, at the end for SAME_UPPER),
 * output_padding, and overlapping taps at stride 2. The RVV code is
 * checked against this reference by the codegen sweep. */
#include "check.h"
#include "optest.h"

#include <math.h>
#include <string.h>

/* 1-D ConvTranspose of x (1x1xn) with w (1x1xk); attrs by name */
static void run_1d(const char *what, const float *x, int64_t n, const float *w, int64_t k, int64_t stride,
                   const int64_t *output_shape, const char *auto_pad, int64_t output_padding, const float *want,
                   int64_t n_want)
{
    tensor tx = {DT_F32, 3, {1, 1, n}, (void *)x, (size_t)n * sizeof(float)};
    tensor tw = {DT_F32, 3, {1, 1, k}, (void *)w, (size_t)k * sizeof(float)};
    optest *t = optest_new("ConvTranspose", 17, 2, 1);
    optest_input(t, 0, &tx);
    optest_input(t, 1, &tw);
    int64_t st[1] = {stride}, op[1] = {output_padding};
    optest_attr_ints(t, "strides", st, 1);
    if (output_shape)
        optest_attr_ints(t, "output_shape", output_shape, 1);
    if (auto_pad)
        optest_attr_string(t, "auto_pad", auto_pad);
    if (output_padding)
        optest_attr_ints(t, "output_padding", op, 1);
    tensor out[1];
    int rc = optest_run(t, out);
    optest_free(t);
    CHECK_MSG(rc == 0, "%s: %s", what, err_message());
    if (rc)
        return;
    CHECK_MSG(out[0].rank == 3 && out[0].dims[2] == n_want, "%s: output length %lld, want %lld", what,
              (long long)out[0].dims[2], (long long)n_want);
    if (out[0].rank == 3 && out[0].dims[2] == n_want) {
        const float *y = out[0].data;
        for (int64_t i = 0; i < n_want; i++) /* small integers: exact in f32 */
            CHECK_MSG(y[i] == want[i], "%s: y[%lld] = %g, want %g", what, (long long)i, y[i], want[i]);
    }
    mem_free(out[0].data);
}

int main(void)
{
    static const float x[3] = {1, 2, 3}, w[3] = {1, 1, 1};
    /* stride 1, k 3: the full output is 1 3 6 5 3 (length 5) */
    int64_t os4[1] = {4};
    static const float lower_first[4] = {3, 6, 5, 3}, upper_first[4] = {1, 3, 6, 5};
    run_1d("output_shape 4, NOTSET (total 1: pad at the start)", x, 3, w, 3, 1, os4, NULL, 0, lower_first, 4);
    run_1d("output_shape 4, SAME_LOWER", x, 3, w, 3, 1, os4, "SAME_LOWER", 0, lower_first, 4);
    run_1d("output_shape 4, SAME_UPPER (pad at the end)", x, 3, w, 3, 1, os4, "SAME_UPPER", 0, upper_first, 4);
    int64_t os3[1] = {3};
    static const float mid[3] = {3, 6, 5};
    run_1d("output_shape 3 (total 2: one each side)", x, 3, w, 3, 1, os3, NULL, 0, mid, 3);
    /* stride 2, k 3: taps overlap at every other position: 1 1 3 2 5 3 3 */
    static const float s2[7] = {1, 1, 3, 2, 5, 3, 3}, s2op[8] = {1, 1, 3, 2, 5, 3, 3, 0};
    run_1d("stride 2", x, 3, w, 3, 2, NULL, NULL, 0, s2, 7);
    run_1d("stride 2, output_padding 1 (zero at the end)", x, 3, w, 3, 2, NULL, NULL, 1, s2op, 8);
    return check_done();
}
