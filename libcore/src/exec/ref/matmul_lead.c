/* matmul_lead.c - interim MatMul/Gemm reference kernels used while the
 * full gemm.c family lands; numpy-style batched MatMul and Gemm with
 * transA/transB/alpha/beta, f32, summing k in order in double. */
#include "ref.h"

#include <string.h>

int shape_matmul_lead(op_ctx *c)
{
    const tensor *a = c->in[0], *b = c->in[1];
    tensor *y = c->out[0];
    if (a->rank < 1 || b->rank < 1)
        return op_error(c, RV_ESHAPE, "operands must have rank >= 1");
    if (c->node->op == OP_Gemm) {
        if (a->rank != 2 || b->rank != 2)
            return op_error(c, RV_ESHAPE, "Gemm operands must be 2-D");
        int ta = (int)ir_attr_int(c->node, "transA", 0), tb = (int)ir_attr_int(c->node, "transB", 0);
        int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
        int64_t K2 = tb ? b->dims[1] : b->dims[0], N = tb ? b->dims[0] : b->dims[1];
        if (K != K2)
            return op_error(c, RV_ESHAPE, "inner dimensions %lld and %lld differ", (long long)K, (long long)K2);
        y->dtype = a->dtype;
        y->rank = 2;
        y->dims[0] = M;
        y->dims[1] = N;
        return 0;
    }
    tensor a2 = *a, b2 = *b;
    if (a2.rank == 1) {
        a2.rank = 2;
        a2.dims[1] = a2.dims[0];
        a2.dims[0] = 1;
    }
    if (b2.rank == 1) {
        b2.rank = 2;
        b2.dims[1] = 1;
    }
    if (a2.dims[a2.rank - 1] != b2.dims[b2.rank - 2])
        return op_error(c, RV_ESHAPE, "inner dimensions %lld and %lld differ",
                        (long long)a2.dims[a2.rank - 1], (long long)b2.dims[b2.rank - 2]);
    tensor ba = a2, bb = b2;
    ba.rank -= 2;
    bb.rank -= 2;
    int rc = shape_broadcast_dims(c, &ba, &bb, y);
    if (rc)
        return rc;
    y->dtype = a->dtype;
    y->dims[y->rank++] = a2.dims[a2.rank - 2];
    y->dims[y->rank++] = b2.dims[b2.rank - 1];
    if (a->rank == 1) { /* drop the prepended 1 */
        y->dims[y->rank - 2] = y->dims[y->rank - 1];
        y->rank--;
    }
    if (b->rank == 1)
        y->rank--;
    return 0;
}

int ref_matmul_lead(op_ctx *c)
{
    const tensor *a = c->in[0], *b = c->in[1];
    tensor *y = c->out[0];
    int is_gemm = c->node->op == OP_Gemm;
    int ta = is_gemm && ir_attr_int(c->node, "transA", 0), tb = is_gemm && ir_attr_int(c->node, "transB", 0);
    double alpha = is_gemm ? ir_attr_float(c->node, "alpha", 1.0f) : 1.0;
    double beta = is_gemm ? ir_attr_float(c->node, "beta", 1.0f) : 1.0;
    int64_t K = ta ? a->dims[a->rank - 2] : a->dims[a->rank - 1];
    int64_t M = a->rank == 1 ? 1 : (ta ? a->dims[a->rank - 1] : a->dims[a->rank - 2]);
    int64_t N = b->rank == 1 ? 1 : (tb ? b->dims[b->rank - 2] : b->dims[b->rank - 1]);
    int64_t total;
    tensor_numel(y, &total);
    int64_t batches = (M > 0 && N > 0) ? total / (M * N) : 0;
    int yr = y->rank + (a->rank == 1) + (b->rank == 1);
    int64_t ydims[TENSOR_MAX_RANK + 2];
    for (int d = 0, s = 0; d < yr - 2; d++)
        ydims[d] = y->dims[s++];
    for (int64_t bt = 0; bt < batches; bt++) {
        int64_t oa = 0, ob = 0, rem = bt, sa = M * K, sb = K * N;
        for (int d = yr - 3; d >= 0; d--) {
            int64_t i = rem % ydims[d];
            rem /= ydims[d];
            int da = d - (yr - a->rank), db = d - (yr - b->rank);
            if (da >= 0 && a->rank > 2) {
                if (a->dims[da] != 1)
                    oa += i * sa;
                sa *= a->dims[da];
            }
            if (db >= 0 && b->rank > 2) {
                if (b->dims[db] != 1)
                    ob += i * sb;
                sb *= b->dims[db];
            }
        }
        for (int64_t m = 0; m < M; m++)
            for (int64_t n = 0; n < N; n++) {
                double acc = 0;
                for (int64_t k = 0; k < K; k++) {
                    int64_t ia = oa + (ta ? k * M + m : m * K + k);
                    int64_t ib = ob + (tb ? n * K + k : k * N + n);
                    acc += tensor_get_f64(a, ia) * tensor_get_f64(b, ib);
                }
                acc *= alpha;
                if (is_gemm && c->n_in > 2 && c->in[2]) {
                    const tensor *cc = c->in[2];
                    int64_t ci = 0;
                    if (cc->rank == 2)
                        ci = (cc->dims[0] == 1 ? 0 : m) * cc->dims[1] + (cc->dims[1] == 1 ? 0 : n);
                    else if (cc->rank == 1)
                        ci = cc->dims[0] == 1 ? 0 : n;
                    acc += beta * tensor_get_f64(cc, ci);
                }
                tensor_set_f64(y, bt * M * N + m * N + n, acc);
            }
    }
    return 0;
}
