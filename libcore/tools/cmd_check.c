/* cmd_check.c - `rvvnn check`: differential testing of a compiled
 * module against the reference executor, node by node, at several VLENs.
 *
 * The module runs under qemu-riscv64 (or natively) in dump mode, writing
 * every step's outputs. Each step is then re-run on the reference kernel
 * with the inputs the module actually fed it, so a step is judged on its
 * own error, not on error it inherited; the first step beyond its
 * family's tolerance (check_tol.def) is reported with its worst element.
 * The module's final outputs are also compared with a whole-graph
 * reference run. Exit: 0 all within tolerance, 1 a divergence, 2 error. */
#include "cli.h"
#include "codegen/codegen.h"
#include "exec/ref/ref.h"
#include "import/import.h"
#include "module/module.h"
#include "passes/passes.h"
#include "util/mem.h"
#include "util/npy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char check_help[] =
    "usage: rvvnn check MODEL.onnx [options]\n"
    "\n"
    "Compiles MODEL, runs the module at each VLEN under qemu-riscv64 dumping every\n"
    "step, re-runs each step on the reference kernel with the same inputs, and\n"
    "reports the first step outside its op family's tolerance (node, op, RVV or\n"
    "fallback, VLEN, max abs/rel/ULP error, worst element, tolerance).\n"
    "\n"
    "  --vlen=128,256,512,1024   VLENs to run (default all four)\n"
    "  -march=ISA                target (default rv64gcv); --lmul-max=N\n"
    "  --fixed                   also compile and check a fixed-VLEN module per VLEN\n"
    "  --input=SPEC              inputs as for rvvnn run, or:\n"
    "  --random-inputs[=SEED]    random inputs in each input's valid range (token\n"
    "                            ids below the vocabulary, masks in {0,1})\n"
    "  --input-shape=NAME=DIMS   bind symbolic dims\n"
    "  --json                    print the full per-step comparison as JSON\n"
    "\n"
    "Exit status: 0 all steps within tolerance, 1 a step diverged, 2 error.\n";

enum {
#define TOL(f, u, a, r, d) TOL_##f,
#include "check_tol.def"
#undef TOL
};
static const struct { const char *name; int ulp; double atol_rel, rtol; } tol_table[] = {
#define TOL(f, u, a, r, d) {#f, u, a, r},
#include "check_tol.def"
#undef TOL
};

int run_module_qemu(const char *module_path, const rvv_module *m, const tensor *ins, tensor *outs,
                    unsigned vlen, const char *qemu_cpu, const char *dump_dir);
int cli_parse_bindings(const char *spec, pass_binding *b, int *n, int max);

static int family_of(const char *op, int rvv)
{
    if (!rvv)
        return TOL_EXACT;
    if (!strcmp(op, "MatMul") || !strcmp(op, "Gemm") || !strcmp(op, "MatMulEpilogue") || !strcmp(op, "Conv") ||
        !strcmp(op, "ConvEpilogue") ||
        !strcmp(op, "ConvTranspose"))
        return TOL_GEMM;
    static const char *const rownorm[] = {"Softmax", "LayerNormalization", "LogSoftmax", "GlobalAveragePool",
                                          "AveragePool", "Resize", "BatchNormalization",
                                          "ReduceSum", "ReduceMean", "ReduceProd", "ReduceL1", "ReduceL2",
                                          "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"};
    static const char *const math[] = {"Exp", "Erf", "Gelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish",
                                       "Elu", "Selu", "Softsign", "Log", "Softplus"};
    for (size_t i = 0; i < sizeof rownorm / sizeof rownorm[0]; i++)
        if (!strcmp(op, rownorm[i]))
            return TOL_ROWNORM;
    for (size_t i = 0; i < sizeof math / sizeof math[0]; i++)
        if (!strcmp(op, math[i]))
            return TOL_MATH;
    return TOL_EXACT;
}

static int64_t ulp_dist(float a, float b)
{
    int32_t ia, ib;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    if (ia < 0)
        ia = INT32_MIN - ia;
    if (ib < 0)
        ib = INT32_MIN - ib;
    int64_t d = (int64_t)ia - ib;
    return d < 0 ? -d : d;
}

typedef struct cmp_result {
    double max_abs, max_rel, atol;
    int64_t max_ulp, worst, bad;
    double got, want;
} cmp_result;

/* Compares got with want under family f (k = reduction length for GEMM). */
static void compare(const tensor *got, const tensor *want, int f, int64_t k, cmp_result *r)
{
    memset(r, 0, sizeof *r);
    r->worst = -1;
    int64_t n = 0;
    if (got->dtype != want->dtype || !shape_equal(got, want) || tensor_numel(want, &n)) {
        r->bad = 1;
        r->max_abs = INFINITY;
        return;
    }
    double scale = 0;
    for (int64_t i = 0; i < n; i++) {
        double w = fabs(tensor_get_f64(want, i));
        if (w > scale && isfinite(w))
            scale = w;
    }
    r->atol = tol_table[f].atol_rel * scale * (f == TOL_GEMM ? (double)(k > 0 ? k : 1) : 1.0);
    double worst_excess = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        double g = tensor_get_f64(got, i), w = tensor_get_f64(want, i);
        int64_t ulp = 0;
        double err;
        if (isnan(g) || isnan(w)) {
            err = isnan(g) && isnan(w) ? 0 : INFINITY;
        } else {
            err = g == w ? 0 : fabs(g - w);
            if (got->dtype == DT_F32)
                ulp = ulp_dist((float)g, (float)w);
        }
        double rel = w != 0 ? err / fabs(w) : (err ? INFINITY : 0);
        if (err > r->max_abs)
            r->max_abs = err;
        if (rel > r->max_rel)
            r->max_rel = rel;
        if (ulp > r->max_ulp)
            r->max_ulp = ulp;
        int ok = err == 0 || (got->dtype == DT_F32 && ulp <= tol_table[f].ulp) ||
                 err <= r->atol + tol_table[f].rtol * fabs(w);
        double excess = err - (r->atol + tol_table[f].rtol * fabs(w));
        if (!ok)
            r->bad++;
        if ((!ok || r->worst < 0) && excess > worst_excess) {
            worst_excess = excess;
            r->worst = i;
            r->got = g;
            r->want = w;
        }
    }
}

/* Random inputs in each input's valid range. */
static int random_inputs(const ir_graph *g, uint64_t seed, tensor *ins)
{
    for (int i = 0; i < g->n_inputs; i++) {
        const ir_value *v = &g->vals[g->inputs[i]];
        tensor *t = &ins[i];
        memset(t, 0, sizeof *t);
        t->dtype = v->t.dtype;
        t->rank = v->t.rank;
        memcpy(t->dims, v->t.dims, sizeof t->dims);
        size_t nb;
        int64_t n;
        int rc = tensor_byte_size(t, &nb);
        if (rc || (rc = tensor_numel(t, &n)))
            return err_wrap(rc, "input '%s' needs static dims for --random-inputs (use --input-shape)",
                            v->name);
        t->data = mem_calloc(1, nb + 1);
        if (!t->data)
            return err_set(RV_ENOMEM, "out of memory");
        t->nbytes = nb;
        /* integer inputs: bound by the Gather they index, masks by {0,1} */
        int64_t bound = 2;
        for (int ni = 0; ni < g->n_nodes; ni++) {
            const ir_node *nd = &g->nodes[ni];
            if (!nd->dead && !strcmp(nd->op_type, "Gather") && nd->n_in == 2 && nd->in[1] == g->inputs[i]) {
                const ir_value *data = &g->vals[nd->in[0]];
                int64_t axis = ir_attr_int(nd, "axis", 0);
                if (axis < 0)
                    axis += data->t.rank;
                if (axis >= 0 && axis < data->t.rank && data->t.dims[axis] > 0)
                    bound = data->t.dims[axis];
            }
        }
        uint64_t s = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i + 1;
        for (int64_t k = 0; k < n; k++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            if (dtype_is_float(t->dtype)) {
                /* sum of uniforms: a bell shape in about [-2, 2] */
                double u = 0;
                for (int j = 0; j < 4; j++)
                    u += (double)((s >> (j * 16)) & 0xffff) / 65536.0;
                tensor_set_f64(t, k, (u - 2.0) * 1.7);
            } else {
                tensor_set_i64(t, k, (int64_t)(s % (uint64_t)bound));
            }
        }
    }
    return 0;
}

typedef struct ref_capture {
    tensor *vals; /* per value: copy of the reference output */
} ref_capture;

static int capture(void *user, const ir_graph *g, int node, tensor *const *outs, int n_out)
{
    ref_capture *rc = user;
    const ir_node *n = &g->nodes[node];
    for (int k = 0; k < n_out; k++) {
        int v = n->out[k];
        if (v < 0 || !outs[k])
            continue;
        tensor *t = &rc->vals[v];
        *t = *outs[k];
        t->data = mem_alloc(outs[k]->nbytes + 1);
        if (!t->data)
            return err_set(RV_ENOMEM, "out of memory keeping reference outputs");
        memcpy(t->data, outs[k]->data, outs[k]->nbytes);
    }
    return 0;
}

static int load_npy(const char *path, tensor *t)
{
    void *buf;
    size_t len;
    int rc = file_read_all(path, (size_t)8 << 30, &buf, &len);
    if (rc)
        return rc;
    rc = npy_decode(buf, len, t);
    mem_free(buf);
    return rc;
}

/* Checks one module at one VLEN; returns 0 / 1 (diverged) / <0 error. */
static int check_one(const char *label, const char *mod_path, const ir_graph *g, const tensor *ins,
                     const tensor *ref_vals, unsigned vlen, int json, int *first_json)
{
    rvv_module *m;
    int rc = module_load_file(mod_path, &cli_limits, &m);
    if (rc)
        return rc;
    char dir[] = "/tmp/rvvnn-check-XXXXXX", path[4096];
    if (!mkdtemp(dir)) {
        module_free(m);
        return err_set(RV_EIO, "cannot create a temporary directory");
    }
    tensor outs[64];
    memset(outs, 0, sizeof outs);
    if (isatty(2))
        fprintf(stderr, "rvvnn check: %s at VLEN %u: running under qemu-riscv64...\n", label, vlen);
    rc = run_module_qemu(mod_path, m, ins, outs, vlen, NULL, dir);
    tensor *mv = mem_calloc((size_t)g->n_vals + 1, sizeof *mv);
    int diverged = 0, reported = 0;
    if (!rc && !mv)
        rc = err_set(RV_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < g->n_inputs; i++)
        mv[g->inputs[i]] = ins[i];
    for (uint32_t si = 0; !rc && si < m->hdr->n_steps && (int)si < g->n_order; si++) {
        const mod_step *st = &m->steps[si];
        int ni = g->order[si];
        const ir_node *n = &g->nodes[ni];
        if (strcmp(module_str(m, st->name), n->name) != 0)
            break; /* trailing pass-through copies */
        tensor *tin[64], tout[64];
        for (int k = 0; k < n->n_in && k < 64; k++) {
            int v = n->in[k];
            tin[k] = v < 0 ? NULL : g->vals[v].kind == VAL_CONST ? (tensor *)&g->vals[v].t : &mv[v];
        }
        for (int k = 0; !rc && k < n->n_out; k++) {
            if (n->out[k] < 0)
                continue;
            snprintf(path, sizeof path, "%s/step%u_out%d.npy", dir, si, k);
            rc = load_npy(path, &mv[n->out[k]]);
        }
        if (rc)
            break;
        if (isatty(2))
            fprintf(stderr, "\rrvvnn check: %s VLEN %u: step %u of %u", label, vlen, si + 1, m->hdr->n_steps);
        if ((rc = ref_run_node(g, ni, tin, tout)))
            break;
        int rvv = st->kind == MOD_STEP_RVV, fam = family_of(n->op_type, rvv);
        int64_t kdim = n->in[0] >= 0 && g->vals[n->in[0]].t.rank > 0
                           ? g->vals[n->in[0]].t.dims[g->vals[n->in[0]].t.rank - 1] : 1;
        if ((n->op == OP_Conv || n->op == OP_ConvEpilogue) && n->n_in > 1 && n->in[1] >= 0) {
            /* a convolution sums over (input channels per group) x kernel taps: W's dims past the first */
            const tensor *wt = &g->vals[n->in[1]].t;
            kdim = 1;
            for (int d = 1; d < wt->rank; d++)
                kdim *= wt->dims[d];
        } else if (n->op == OP_ConvTranspose && n->n_in > 1 && n->in[1] >= 0) {
            /* at most every input channel x kernel tap lands on one output: W's dims but the second */
            const tensor *wt = &g->vals[n->in[1]].t;
            kdim = 1;
            for (int d = 0; d < wt->rank; d++)
                kdim *= d == 1 ? 1 : wt->dims[d];
        }
        for (int k = 0; k < n->n_out; k++) {
            if (n->out[k] < 0)
                continue;
            cmp_result r;
            compare(&mv[n->out[k]], &tout[k], fam, kdim, &r);
            if (json) {
                printf("%s    {\"module\": \"%s\", \"vlen\": %u, \"step\": %u, \"node\": ", *first_json ? "" : ",\n",
                       label, vlen, si);
                cli_json_str(stdout, n->name);
                printf(", \"op\": ");
                cli_json_str(stdout, n->op_type);
                printf(", \"kind\": \"%s\", \"output\": %d, \"family\": \"%s\", \"max_abs\": %.9g, "
                       "\"max_rel\": %.9g, \"max_ulp\": %lld, \"worst_index\": %lld, \"atol\": %.9g, "
                       "\"bad\": %lld}", rvv ? "rvv" : "fallback", k, tol_table[fam].name,
                       isfinite(r.max_abs) ? r.max_abs : -1.0, isfinite(r.max_rel) ? r.max_rel : -1.0,
                       (long long)r.max_ulp, (long long)r.worst, r.atol, (long long)r.bad);
                *first_json = 0;
            }
            if (r.bad && !reported) {
                fprintf(json ? stderr : stdout,
                        "%s VLEN %u: FIRST DIVERGENCE at step %u: node '%s' (%s, %s) output %d: %lld elements "
                        "outside tolerance %s (%d ULP or atol %.3g + rtol %g); max abs err %.3g, max rel err "
                        "%.3g, max ULP %lld; worst element %lld: got %.9g, reference %.9g\n",
                        label, vlen, si, n->name, n->op_type, rvv ? "RVV kernel" : "fallback", k,
                        (long long)r.bad, tol_table[fam].name, tol_table[fam].ulp, r.atol, tol_table[fam].rtol,
                        r.max_abs, r.max_rel, (long long)r.max_ulp, (long long)r.worst, r.got, r.want);
                reported = 1;
            }
            diverged |= r.bad != 0;
            mem_free(tout[k].data);
        }
    }
    if (isatty(2))
        fprintf(stderr, "\n");
    /* whole-model outputs vs the whole-graph reference run */
    for (int i = 0; !rc && i < g->n_outputs; i++) {
        cmp_result r;
        compare(&outs[i], &ref_vals[g->outputs[i]], TOL_GEMM, 64, &r);
        if (!json)
            printf("%s VLEN %u: output '%s': max abs err %.3g (max rel %.3g) vs the reference executor\n", label,
                   vlen, g->vals[g->outputs[i]].name, r.max_abs, r.max_rel);
    }
    if (!rc && !diverged && !json)
        printf("%s VLEN %u: all %u steps within tolerance\n", label, vlen, m->hdr->n_steps);
    for (int v = 0; mv && v < g->n_vals; v++) {
        int is_input = 0;
        for (int i = 0; i < g->n_inputs; i++)
            is_input |= g->inputs[i] == v;
        if (!is_input)
            mem_free(mv[v].data);
    }
    mem_free(mv);
    for (int i = 0; i < 64; i++)
        mem_free(outs[i].data);
    /* the dump directory */
    for (uint32_t si = 0; si < m->hdr->n_steps; si++)
        for (int k = 0; k < 16; k++) {
            snprintf(path, sizeof path, "%s/step%u_out%d.npy", dir, si, k);
            unlink(path);
        }
    rmdir(dir);
    module_free(m);
    return rc ? rc : diverged;
}

int cmd_check(int argc, char **argv)
{
    int lr;
    const char *path = NULL, *march = "rv64gcv", *in_specs[64], *v;
    unsigned vlens[8] = {128, 256, 512, 1024};
    int n_vlens = 4, n_in = 0, json = 0, fixed = 0, lmul = 0, rc, n_binds = 0, status = EXIT_OK;
    long long seed = -1;
    pass_binding binds[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_flag(a, "--help") || cli_flag(a, "-h")) {
            fputs(check_help, stdout);
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if ((v = cli_opt(argc, argv, &i, "--vlen"))) {
            n_vlens = 0;
            for (const char *p = v; *p && n_vlens < 8;) {
                vlens[n_vlens] = (unsigned)strtoul(p, (char **)&p, 10);
                if (vlens[n_vlens] < 32 || vlens[n_vlens] > 1024 || (vlens[n_vlens] & (vlens[n_vlens] - 1)))
                    return cli_usage_error("check", "--vlen: powers of two from 32 to 1024, comma separated");
                n_vlens++;
                if (*p == ',')
                    p++;
            }
        } else if ((v = cli_opt(argc, argv, &i, "-march"))) {
            march = v;
        } else if ((v = cli_opt(argc, argv, &i, "--lmul-max"))) {
            lmul = atoi(v);
        } else if ((v = cli_opt(argc, argv, &i, "--input"))) {
            if (n_in < 64)
                in_specs[n_in++] = v;
        } else if (!strncmp(a, "--random-inputs", 15)) {
            seed = a[15] == '=' ? atoll(a + 16) : 1;
        } else if ((v = cli_opt(argc, argv, &i, "--input-shape"))) {
            if ((rc = cli_parse_bindings(v, binds, &n_binds, 64)))
                return cli_error("check", rc);
        } else if (cli_flag(a, "--json")) {
            json = 1;
        } else if (cli_flag(a, "--fixed")) {
            fixed = 1;
        } else if ((lr = cli_limit_opt("check", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (a[0] == '-') {
            return cli_usage_error("check", "unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("check", "more than one model given");
        }
    }
    if (!path)
        return cli_usage_error("check", "no model given");
    if (n_in && seed >= 0)
        return cli_usage_error("check", "--input and --random-inputs are exclusive");
    if (!n_in && seed < 0)
        seed = 1;
    ir_model *mdl = NULL;
    tensor ins[64];
    ref_capture cap = {NULL};
    memset(ins, 0, sizeof ins);
    char mod_path[] = "/tmp/rvvnn-check-mod-XXXXXX";
    int mod_fd = -1, first_json = 1;
    if ((rc = import_onnx_file(path, &cli_limits, &mdl)))
        return cli_error("check", rc);
    ir_graph *g = mdl->graph;
    if (n_in && n_in != g->n_inputs) {
        status = cli_usage_error("check", "the model has %d inputs, %d --input given", g->n_inputs, n_in);
        goto out;
    }
    for (int i = 0; i < n_in; i++) {
        if ((rc = cli_parse_tensor(in_specs[i], &ins[i]))) {
            status = cli_error("check", rc);
            goto out;
        }
        if (n_binds < 64) {
            binds[n_binds].name = strdup(g->vals[g->inputs[i]].name);
            binds[n_binds].rank = ins[i].rank;
            memcpy(binds[n_binds].dims, ins[i].dims, sizeof ins[i].dims);
            n_binds++;
        }
    }
    passes_options po = {.bindings = binds, .n_bindings = n_binds, .limits = &cli_limits};
    if ((rc = passes_run(mdl, &po)) || (!n_in && (rc = random_inputs(g, (uint64_t)seed, ins)))) {
        status = cli_error("check", rc);
        goto out;
    }
    cap.vals = mem_calloc((size_t)g->n_vals + 1, sizeof *cap.vals);
    tensor ref_out[64];
    ref_options ro = {.use_plan = 1, .on_node = capture, .user = &cap, .limits = &cli_limits};
    if (!cap.vals || (rc = ref_run(g, &ro, ins, ref_out))) {
        status = cli_error("check", rc ? rc : RV_ENOMEM);
        goto out;
    }
    for (int i = 0; i < g->n_outputs; i++)
        mem_free(ref_out[i].data);
    if (json) {
        printf("{\n  \"model\": ");
        cli_json_str(stdout, path);
        printf(",\n  \"steps\": [\n");
    }
    for (int variant = 0; variant < (fixed ? 1 + n_vlens : 1) && status != EXIT_ERROR; variant++) {
        cg_target t;
        int vl_opt = variant == 0 ? 0 : (int)vlens[variant - 1];
        if ((rc = cg_target_parse(march, NULL, vl_opt, lmul, &t))) {
            status = cli_error("check", rc);
            break;
        }
        const char *env = getenv("RVVNN_TEST_BREAK_TAIL");
        if (env)
            snprintf(t.break_tail_op, sizeof t.break_tail_op, "%s", env);
        cg_result res;
        if ((rc = codegen_module(mdl, &t, &res))) {
            status = cli_error("check", rc);
            break;
        }
        strcpy(mod_path, "/tmp/rvvnn-check-mod-XXXXXX");
        mod_fd = mkstemp(mod_path);
        rc = mod_fd < 0 ? err_set(RV_EIO, "cannot create a temporary module file") : 0;
        if (mod_fd >= 0)
            close(mod_fd);
        if (!rc)
            rc = file_write_atomic(mod_path, res.buf, res.len);
        mem_free(res.buf);
        if (rc) {
            status = cli_error("check", rc);
            unlink(mod_path);
            break;
        }
        char label[64];
        snprintf(label, sizeof label, variant ? "fixed-VLEN module" : "VLA module");
        for (int k = 0; k < n_vlens; k++) {
            if (variant && k != variant - 1)
                continue;
            int r = check_one(label, mod_path, g, ins, cap.vals, vlens[k], json, &first_json);
            if (r < 0) {
                status = cli_error("check", r);
                break;
            }
            if (r)
                status = EXIT_MISMATCH;
        }
        unlink(mod_path);
    }
    if (json)
        printf("\n  ],\n  \"result\": \"%s\"\n}\n", status == EXIT_OK ? "pass" : status == EXIT_MISMATCH ? "diverged" : "error");
out:
    for (int i = 0; i < 64; i++)
        mem_free(ins[i].data);
    for (int v = 0; cap.vals && v < g->n_vals; v++)
        mem_free(cap.vals[v].data);
    mem_free(cap.vals);
    for (int b = 0; b < n_binds; b++)
        free((void *)binds[b].name);
    ir_model_free(mdl);
    return status;
}
