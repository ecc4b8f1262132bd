/* test_ref_pool.c - the reference executor's f32 MaxPool fast paths (row
 * kernel for 1-D/2-D, float reads) give the same bits as its general loop,
 * which MaxPool runs when the Indices output is asked for: NaNs, signed
 * zeros and -inf in the data; pads, strides, dilations, ceil_mode and
 * windows clipped at the borders. */
#include "check.h"
#include "optest.h"

#include <math.h>

static uint32_t rng = 777;
static float sample(void)
{
    rng = rng * 1664525u + 1013904223u;
    uint32_t r = rng >> 8;
    switch (r % 17) {
    case 0: return NAN;
    case 1: return -0.0f;
    case 2: return 0.0f;
    case 3: return -INFINITY;
    default: return (float)(r % 1000) / 100.0f - 5.0f;
    }
}

typedef struct pool_case {
    int sp;
    int64_t in[2], k[2], stride[2], dil[2], pads[4];
    int ceil;
} pool_case;

static void run_case(const pool_case *pc)
{
    int64_t dims[4] = {2, 3, pc->in[0], pc->in[1]}, n = 6;
    for (int d = 0; d < pc->sp; d++)
        n *= pc->in[d];
    float *x = mem_alloc((size_t)n * sizeof(float));
    for (int64_t i = 0; i < n; i++)
        x[i] = sample();
    tensor tx = {DT_F32, 2 + pc->sp, {0}, x, (size_t)n * sizeof(float)};
    for (int d = 0; d < 2 + pc->sp; d++)
        tx.dims[d] = dims[d];
    tensor outs[2][2];
    for (int with_ind = 0; with_ind < 2; with_ind++) {
        optest *t = optest_new("MaxPool", 12, 1, with_ind ? 2 : 1);
        optest_input(t, 0, &tx);
        optest_attr_ints(t, "kernel_shape", pc->k, (size_t)pc->sp);
        optest_attr_ints(t, "strides", pc->stride, (size_t)pc->sp);
        optest_attr_ints(t, "dilations", pc->dil, (size_t)pc->sp);
        int64_t pads[4] = {pc->pads[0], pc->pads[1], pc->pads[2], pc->pads[3]};
        if (pc->sp == 1)
            pads[1] = pc->pads[2];
        optest_attr_ints(t, "pads", pads, (size_t)(2 * pc->sp));
        optest_attr_int(t, "ceil_mode", pc->ceil);
        int rc = optest_run(t, outs[with_ind]);
        CHECK_MSG(rc == 0, "%s", err_message());
        optest_free(t);
        if (rc)
            return;
    }
    int64_t ny;
    tensor_numel(&outs[0][0], &ny);
    CHECK(shape_equal(&outs[0][0], &outs[1][0]));
    CHECK_MSG(memcmp(outs[0][0].data, outs[1][0].data, (size_t)ny * sizeof(float)) == 0,
              "MaxPool %dd k=%lldx%lld s=%lld d=%lld ceil %d: the fast path differs from the general loop", pc->sp,
              (long long)pc->k[0], (long long)pc->k[1], (long long)pc->stride[0], (long long)pc->dil[0], pc->ceil);
    mem_free(outs[0][0].data);
    mem_free(outs[1][0].data);
    mem_free(outs[1][1].data);
    mem_free(x);
}

int main(void)
{
    static const pool_case cases[] = {
        {2, {13, 11}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}, 1}, /* SqueezeNet's: 3x3 s2 ceil */
        {2, {12, 12}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 0}, /* ResNet's: 3x3 s2 pad 1 */
        {2, {9, 10}, {2, 3}, {1, 2}, {2, 1}, {1, 0, 2, 1}, 1}, /* dilation, uneven pads */
        {2, {5, 7}, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, 0},  /* windows clipped on both sides */
        {1, {17, 1}, {4, 1}, {3, 1}, {2, 1}, {1, 0, 2, 0}, 1},  /* 1-D */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
    return check_done();
}
