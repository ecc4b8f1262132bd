/* gemm.c - reference MatMul (numpy batching and broadcasting, 1-D
 * operands) and Gemm (transA, transB, alpha, beta, broadcast C).
 *
 * The f32 path runs on the shared blocked GEMM (gemm_core.c; its header
 * states the accumulation contract: f32 fmaf sums over fixed K-chunks,
 * chunk sums in double, one rounding), the same bits for any thread
 * count or ISA. Other dtypes take the plain loop below: the sum over k
 * in ascending order, in double, rounded once. */
#include "gemm_core.h"
#include "ref.h"

#include <string.h>

int shape_matmul(op_ctx *c)
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
        const tensor *cb = c->n_in > 2 ? c->in[2] : NULL;
        if (cb) { /* C broadcasts to (M, N) one way: each of its trailing dims is 1 or equal */
            int64_t mn[2] = {M, N};
            if (cb->rank > 2)
                return op_error(c, RV_ESHAPE, "Gemm C has rank %d (at most 2)", cb->rank);
            for (int d = 0; d < cb->rank; d++) {
                int64_t want = mn[2 - cb->rank + d];
                if (cb->dims[d] >= 0 && want >= 0 && cb->dims[d] != 1 && cb->dims[d] != want)
                    return op_error(c, RV_ESHAPE, "Gemm C dimension %d is %lld, which does not broadcast to %lld",
                                    d, (long long)cb->dims[d], (long long)want);
            }
        }
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

/* f32 MatMul/Gemm with operands of rank >= 2 on the shared blocked GEMM
 * (gemm_core.c), every batch (with A/B broadcast) one problem: returns 1
 * when it handled the node (*rc its status), 0 when it did not. */
static int matmul_f32(op_ctx *c, int *rc, const ref_matmul_post *post)
{
    *rc = 0;
    const tensor *a = c->in[0], *b = c->in[1];
    tensor *y = c->out[0];
    if (a->dtype != DT_F32 || b->dtype != DT_F32 || y->dtype != DT_F32 || a->rank < 2 || b->rank < 2)
        return 0;
    int is_gemm = c->node->op == OP_Gemm;
    const tensor *cc = is_gemm && c->n_in > 2 ? c->in[2] : NULL;
    if (cc && cc->dtype != DT_F32)
        return 0;
    int ta = is_gemm && ir_attr_int(c->node, "transA", 0), tb = is_gemm && ir_attr_int(c->node, "transB", 0);
    gemm_problem p;
    memset(&p, 0, sizeof p);
    p.M = y->dims[y->rank - 2];
    p.N = y->dims[y->rank - 1];
    p.K = ta ? a->dims[a->rank - 2] : a->dims[a->rank - 1];
    p.a_m = ta ? 1 : p.K;
    p.a_k = ta ? p.M : 1;
    p.b_k = tb ? 1 : p.N;
    p.b_n = tb ? p.K : 1;
    p.y_m = p.N;
    p.alpha = is_gemm ? ir_attr_float(c->node, "alpha", 1.0f) : 1.0;
    p.beta = is_gemm ? ir_attr_float(c->node, "beta", 1.0f) : 0.0;
    if (cc) {
        p.c = cc->data;
        p.c_m = cc->rank == 2 && cc->dims[0] != 1 ? cc->dims[1] : 0;
        p.c_n = cc->rank >= 1 && cc->dims[cc->rank - 1] != 1 ? 1 : 0;
    }
    p.a = a->data;
    p.b = b->data;
    p.y = y->data;
    if (post) {
        p.post = post->fn;
        p.post_ctx = post->ctx;
    }
    /* batches: y's leading dims, with A/B broadcast */
    p.batches = 1;
    for (int d = 0; d < y->rank - 2; d++)
        p.batches *= y->dims[d];
    if (p.batches <= 0 || p.M <= 0 || p.N <= 0)
        return 1;
    int64_t *off = NULL;
    if (p.batches > 1) {
        off = mem_alloc((size_t)p.batches * 4 * sizeof(int64_t));
        if (!off) {
            *rc = op_error(c, RV_ENOMEM, "cannot allocate %lld batch offsets", (long long)p.batches);
            return 1;
        }
        for (int64_t bt = 0; bt < p.batches; bt++) {
            int64_t oa = 0, ob = 0, rem = bt, sa = p.M * p.K, sb = p.K * p.N;
            for (int d = y->rank - 3; d >= 0; d--) {
                int64_t i = rem % y->dims[d];
                rem /= y->dims[d];
                int da = d - (y->rank - a->rank), db = d - (y->rank - b->rank);
                if (da >= 0) {
                    if (a->dims[da] != 1)
                        oa += i * sa;
                    sa *= a->dims[da];
                }
                if (db >= 0) {
                    if (b->dims[db] != 1)
                        ob += i * sb;
                    sb *= b->dims[db];
                }
            }
            off[4 * bt] = oa;
            off[4 * bt + 1] = ob;
            off[4 * bt + 2] = bt * p.M * p.N;
            off[4 * bt + 3] = 0;
        }
    }
    p.off = off;
    int r = gemm_core_run(&p);
    mem_free(off);
    if (r)
        *rc = op_error(c, r, "cannot allocate the GEMM packing buffers");
    return 1;
}

int ref_matmul(op_ctx *c) { return ref_matmul_fused(c, NULL, NULL); }

int ref_matmul_fused(op_ctx *c, const ref_matmul_post *post, int *fused)
{
    int rc;
    if (fused)
        *fused = 0;
    if (matmul_f32(c, &rc, post)) {
        if (fused)
            *fused = post != NULL;
        return rc;
    }
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
