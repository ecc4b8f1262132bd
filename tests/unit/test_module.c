/* test_module.c - .rvvmod round trip (compile -> bytes -> validating
 * load -> run) for fallback steps, and the loader against corruption:
 * every header byte flipped, every truncation length, all must give an
 * error or a module that still runs, never a crash. */
#include "check.h"
#include "codegen/codegen.h"
#include "exec/native/modrun.h"
#include "exec/ref/ref.h"
#include "optest.h"

#include <stdlib.h>
#include <string.h>

static ir_model *build_model(void)
{
    ir_model *m = ir_model_new();
    ir_graph *g = m->graph = ir_graph_new(&m->a, NULL);
    g->opset = m->opset = 17;
    static float bias[4] = {1, -2, 3, -4};
    int x = ir_add_value(g, "x", VAL_INPUT);
    g->vals[x].t = (tensor){DT_F32, 2, {3, 4}, NULL, 0};
    int b = ir_add_value(g, "b", VAL_CONST);
    g->vals[b].t = (tensor){DT_F32, 1, {4}, bias, sizeof bias};
    int s = ir_add_value(g, "s", VAL_INTERMEDIATE), y = ir_add_value(g, "y", VAL_INTERMEDIATE);
    int i1[2] = {x, b}, o1[1] = {s}, i2[1] = {s}, o2[1] = {y};
    ir_add_node(g, "add", "Add", "", i1, 2, o1, 1);
    ir_add_node(g, "relu", "Relu", "", i2, 1, o2, 1);
    g->inputs = arena_alloc(&m->a, sizeof(int));
    g->outputs = arena_alloc(&m->a, sizeof(int));
    g->inputs[0] = x;
    g->outputs[0] = y;
    g->n_inputs = g->n_outputs = 1;
    g->vals[y].is_output = 1;
    return m;
}

static int run_module_bytes(const void *buf, size_t len, const tensor *in, tensor *out)
{
    void *copy = mem_alloc(len);
    memcpy(copy, buf, len);
    rvv_module *mod;
    int rc = module_load(copy, len, NULL, &mod);
    if (rc)
        return rc;
    mod_session *s;
    if (!(rc = modrun_open(mod, &s))) {
        rc = modrun_run(s, in, out);
        modrun_close(s);
    }
    module_free(mod);
    return rc;
}

int main(void)
{
    ir_model *m = build_model();
    CHECK_MSG(passes_run(m, NULL) == 0, "%s", err_message());
    cg_target t;
    CHECK(cg_target_parse("rv64gcv", NULL, -1, 0, &t) == 0);
    t.no_rvv = 1;
    cg_result res;
    CHECK_MSG(codegen_module(m, &t, &res) == 0, "%s", err_message());
    CHECK(res.n_ref == 2 && res.n_rvv == 0);

    float xd[12];
    for (int i = 0; i < 12; i++)
        xd[i] = (float)i - 6.0f;
    tensor in = {DT_F32, 2, {3, 4}, xd, sizeof xd}, out, want;
    CHECK(ref_run(m->graph, NULL, &in, &want) == 0);
    CHECK_MSG(run_module_bytes(res.buf, res.len, &in, &out) == 0, "%s", err_message());
    CHECK(out.nbytes == want.nbytes && memcmp(out.data, want.data, want.nbytes) == 0); /* exact */
    mem_free(out.data);

    /* a wrong input shape is refused by the module runner */
    tensor bad = {DT_F32, 2, {4, 3}, xd, sizeof xd};
    CHECK(run_module_bytes(res.buf, res.len, &bad, &out) == RV_ESHAPE);

    /* every truncation: an error, never a crash */
    int trunc_ok = 1;
    for (size_t n = 0; n < res.len; n++) {
        if (run_module_bytes(res.buf, n, &in, &out) == 0) {
            trunc_ok = 0;
            mem_free(out.data);
        }
    }
    CHECK(trunc_ok);

    /* every bit of the header and tables flipped: no crash; when the
     * loader accepts, the run completes (a flip in a name or padding) */
    unsigned char *img = mem_alloc(res.len);
    int accepted = 0, refused = 0;
    for (size_t byte = 0; byte < res.len; byte++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(img, res.buf, res.len);
            img[byte] ^= (unsigned char)(1u << bit);
            int rc = run_module_bytes(img, res.len, &in, &out);
            if (rc == 0) {
                accepted++;
                mem_free(out.data);
            } else {
                refused++;
            }
        }
    printf("bit flips: %d refused, %d accepted\n", refused, accepted);
    CHECK(refused > 0);
    mem_free(img);

    /* target parsing: VLA default, zvl fixes VLEN, Zve32f, the seed's features */
    CHECK(cg_target_parse("rv64gcv", NULL, -1, 0, &t) == 0 && t.vlen == 0 && t.min_vlen == 128);
    CHECK(cg_target_parse("rv64gcv_zvl256b", NULL, -1, 0, &t) == 0 && t.vlen == 256);
    CHECK(cg_target_parse("rv64gcv_zvl256b", NULL, 0, 0, &t) == 0 && t.vlen == 0 && t.min_vlen == 256);
    CHECK(cg_target_parse("rv64gc_zve32f", NULL, -1, 0, &t) == 0 && t.elen == 32 && t.min_vlen == 32);
    CHECK(cg_target_parse(NULL, "+m,+a,+f,+d,+zvl1024b,+v", -1, 1, &t) == 0 && t.vlen == 1024 &&
          t.lmul_max == 1);
    CHECK(cg_target_parse("rv64gc", NULL, -1, 0, &t) == RV_EINVAL); /* no vector unit */
    CHECK(cg_target_parse("rv64gcv_zfoo", NULL, -1, 0, &t) == RV_EINVAL);
    CHECK(cg_target_parse("rv64gcv", NULL, 100, 0, &t) == RV_EINVAL);
    CHECK(cg_target_parse("rv64gcv", NULL, -1, 3, &t) == RV_EINVAL);

    mem_free(want.data);
    mem_free(res.buf);
    ir_model_free(m);
    return check_done();
}
