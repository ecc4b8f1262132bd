/* conformance.c - runs ONNX's node conformance tests (Debian's
 * libonnx-testdata) on the reference executor and writes a report.
 *
 *   conformance DATA_DIR REPORT.md [--floor PERCENT] [--only SUBSTR] [--verbose]
 *
 * Each test directory holds model.onnx and test_data_set_N/input_K.pb,
 * output_*.pb. A test passes when every output of every data set matches
 * with ONNX's backend-test tolerances (rtol 1e-3, atol 1e-7; integers and
 * bools exactly; NaN equals NaN). A test is "unsupported" when import or
 * inference answers RV_EUNSUPPORTED (unknown op, string tensors, sequence
 * types, opset outside 7-21) and "failed" otherwise. Each test runs in a
 * forked child with a time limit, so a crash or hang is a failure of that
 * test, not of the run. The report is sorted and has no timestamps: the
 * committed copy must equal what a run produces. */
#include "exec/ref/ref.h"
#include "import/import.h"
#include "passes/passes.h"
#include "util/npy.h"

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RTOL 1e-3
#define ATOL 1e-7
#define TIME_LIMIT_S 20

enum { R_PASS = 0, R_FAIL = 1, R_UNSUPPORTED = 2 };

typedef struct result {
    char name[256];
    char set[32];
    int status;
    char reason[200];
    char ops[256]; /* distinct op types, space separated */
} result;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int load_pb(const char *path, tensor *t)
{
    void *buf;
    size_t len;
    int rc = file_read_all(path, (size_t)1 << 30, &buf, &len);
    if (rc)
        return rc;
    rc = import_tensor_pb(buf, len, NULL, t, NULL, 0);
    mem_free(buf);
    return rc;
}

static int close_enough(const tensor *got, const tensor *want, char *why, size_t cap)
{
    char a[96], b[96];
    if (got->dtype != want->dtype || !shape_equal(got, want)) {
        snprintf(why, cap, "got %s, expected %s", tensor_shape_str(got, a, sizeof a), tensor_shape_str(want, b, sizeof b));
        return 0;
    }
    int64_t n;
    tensor_numel(want, &n);
    int fl = dtype_is_float(want->dtype);
    for (int64_t i = 0; i < n; i++) {
        if (fl) {
            double g = tensor_get_f64(got, i), w = tensor_get_f64(want, i);
            if ((isnan(g) && isnan(w)) || g == w)
                continue;
            if (!(fabs(g - w) <= ATOL + RTOL * fabs(w))) {
                snprintf(why, cap, "element %lld: got %.9g, expected %.9g", (long long)i, g, w);
                return 0;
            }
        } else if (tensor_get_i64(got, i) != tensor_get_i64(want, i)) {
            snprintf(why, cap, "element %lld: got %lld, expected %lld", (long long)i,
                     (long long)tensor_get_i64(got, i), (long long)tensor_get_i64(want, i));
            return 0;
        }
    }
    return 1;
}

/* Runs one test directory in this process; writes status + reason. */
static void run_test(const char *dir, result *r)
{
    char path[4096];
    ir_model *m = NULL;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    int rc = import_onnx_file(path, NULL, &m);
    if (rc) {
        r->status = rc == RV_EUNSUPPORTED ? R_UNSUPPORTED : R_FAIL;
        snprintf(r->reason, sizeof r->reason, "%s", err_message());
        return;
    }
    ir_graph *g = m->graph;
    size_t off = 0;
    char *seen[512];
    int n_seen = 0;
    for (int i = 0; i < g->n_nodes && n_seen < 512; i++) {
        int dup = 0;
        for (int k = 0; k < n_seen; k++)
            dup |= !strcmp(seen[k], g->nodes[i].op_type);
        if (!dup)
            seen[n_seen++] = (char *)g->nodes[i].op_type;
    }
    qsort(seen, (size_t)n_seen, sizeof *seen, cmp_str);
    for (int k = 0; k < n_seen && off < sizeof r->ops; k++)
        off += (size_t)snprintf(r->ops + off, sizeof r->ops - off, "%s%s", k ? " " : "", seen[k]);
    r->status = R_PASS;
    for (int ds = 0; r->status == R_PASS; ds++) {
        char dsdir[4096];
        snprintf(dsdir, sizeof dsdir, "%s/test_data_set_%d", dir, ds);
        struct stat st;
        if (stat(dsdir, &st) != 0) {
            if (ds == 0) {
                r->status = R_FAIL;
                snprintf(r->reason, sizeof r->reason, "no test data sets");
            }
            break;
        }
        tensor ins[64], outs[64], want;
        memset(ins, 0, sizeof ins);
        int n_in = 0;
        for (; n_in < 64; n_in++) {
            snprintf(path, sizeof path, "%s/input_%d.pb", dsdir, n_in);
            if (stat(path, &st) != 0)
                break;
            if ((rc = load_pb(path, &ins[n_in]))) {
                r->status = rc == RV_EUNSUPPORTED ? R_UNSUPPORTED : R_FAIL;
                snprintf(r->reason, sizeof r->reason, "input %d: %s", n_in, err_message());
                break;
            }
        }
        if (r->status == R_PASS && n_in != g->n_inputs) {
            r->status = R_FAIL;
            snprintf(r->reason, sizeof r->reason, "%d inputs given, the graph has %d", n_in, g->n_inputs);
        }
        pass_binding b[64];
        for (int i = 0; r->status == R_PASS && i < n_in; i++) {
            b[i].name = g->vals[g->inputs[i]].name;
            b[i].rank = ins[i].rank;
            memcpy(b[i].dims, ins[i].dims, sizeof b[i].dims);
        }
        passes_options po = {.bindings = b, .n_bindings = n_in};
        /* passes run once per model: later data sets reuse the prepared graph */
        if (r->status == R_PASS && ds == 0 && (rc = passes_run(m, &po))) {
            r->status = rc == RV_EUNSUPPORTED ? R_UNSUPPORTED : R_FAIL;
            snprintf(r->reason, sizeof r->reason, "%s", err_message());
        }
        ref_options ro = {.threads = 1, .use_plan = 1};
        if (r->status == R_PASS && (rc = ref_run(g, &ro, ins, outs))) {
            r->status = rc == RV_EUNSUPPORTED ? R_UNSUPPORTED : R_FAIL;
            snprintf(r->reason, sizeof r->reason, "%s", err_message());
        } else if (r->status == R_PASS) {
            for (int o = 0; o < g->n_outputs && r->status == R_PASS; o++) {
                snprintf(path, sizeof path, "%s/output_%d.pb", dsdir, o);
                if ((rc = load_pb(path, &want))) {
                    r->status = R_FAIL;
                    snprintf(r->reason, sizeof r->reason, "expected output %d: %s", o, err_message());
                    break;
                }
                char why[160];
                if (!close_enough(&outs[o], &want, why, sizeof why)) {
                    r->status = R_FAIL;
                    snprintf(r->reason, sizeof r->reason, "data set %d output %d: %s", ds, o, why);
                }
                mem_free(want.data);
            }
            for (int o = 0; o < g->n_outputs; o++)
                mem_free(outs[o].data);
        }
        for (int i = 0; i < 64; i++)
            mem_free(ins[i].data);
    }
    ir_model_free(m);
}

/* Forks, runs the test with a time limit, returns the child's verdict. */
static void run_isolated(const char *dir, result *r)
{
    int fd[2];
    if (pipe(fd) != 0) {
        run_test(dir, r);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        alarm(TIME_LIMIT_S);
        result cr = *r;
        run_test(dir, &cr);
        ssize_t w = write(fd[1], &cr, sizeof cr);
        _exit(w == (ssize_t)sizeof cr ? 0 : 3);
    }
    close(fd[1]);
    result cr;
    ssize_t got = read(fd[0], &cr, sizeof cr);
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (got == (ssize_t)sizeof cr) {
        *r = cr;
    } else {
        r->status = R_FAIL;
        if (WIFSIGNALED(st))
            snprintf(r->reason, sizeof r->reason, WTERMSIG(st) == SIGALRM ? "timeout (%d s)" : "crash: signal %d",
                     WTERMSIG(st) == SIGALRM ? TIME_LIMIT_S : WTERMSIG(st));
        else
            snprintf(r->reason, sizeof r->reason, "child exited %d without a verdict", WEXITSTATUS(st));
    }
}

typedef struct op_row {
    char op[64];
    int pass, fail, unsup;
} op_row;

static int cmp_result(const void *a, const void *b)
{
    const result *x = a, *y = b;
    int c = strcmp(x->set, y->set);
    return c ? c : strcmp(x->name, y->name);
}

static int cmp_op(const void *a, const void *b) { return strcmp(((const op_row *)a)->op, ((const op_row *)b)->op); }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: conformance DATA_DIR REPORT.md [--floor PERCENT] [--only SUBSTR] [--verbose]\n");
        return 2;
    }
    const char *data = argv[1], *report = argv[2], *only = NULL;
    double floor_pct = 0;
    int verbose = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--floor") && i + 1 < argc)
            floor_pct = atof(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--verbose"))
            verbose = 1;
    }
    static const char *sets[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};
    size_t cap = 4096, n = 0;
    result *res = calloc(cap, sizeof *res);
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        char dpath[4096];
        snprintf(dpath, sizeof dpath, "%s/%s", data, sets[s]);
        DIR *d = opendir(dpath);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || (only && !strstr(e->d_name, only)))
                continue;
            if (n == cap) {
                cap *= 2;
                res = realloc(res, cap * sizeof *res);
            }
            memset(&res[n], 0, sizeof res[n]);
            snprintf(res[n].name, sizeof res[n].name, "%s", e->d_name);
            snprintf(res[n].set, sizeof res[n].set, "%s", sets[s]);
            n++;
        }
        closedir(d);
    }
    qsort(res, n, sizeof *res, cmp_result);
    for (size_t i = 0; i < n; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s/%s", data, res[i].set, res[i].name);
        run_isolated(dir, &res[i]);
        if (verbose)
            printf("%-8s %s/%s %s\n", res[i].status == R_PASS ? "pass" : res[i].status == R_FAIL ? "FAIL" : "unsup",
                   res[i].set, res[i].name, res[i].reason);
    }
    FILE *f = fopen(report, "w");
    if (!f) {
        perror(report);
        return 2;
    }
    fprintf(f, "# ONNX conformance of the reference executor\n\n"
               "Generated by `tests/conformance/conformance` over Debian's `libonnx-testdata`\n"
               "(`make conformance-report` refreshes it; a test fails if this file differs from\n"
               "a fresh run). Tolerances: ONNX backend-test defaults, rtol %g, atol %g; integers\n"
               "and bools exactly. *unsupported* = an operator, element type or opset rvvnn does\n"
               "not implement (reported, not a silent pass).\n\n", RTOL, ATOL);
    fprintf(f, "| set | passed | failed | unsupported | total | pass rate |\n|---|---|---|---|---|---|\n");
    double node_rate = 0;
    int tot_fail = 0, tot_pass = 0;
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        int p = 0, fl = 0, u = 0;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(res[i].set, sets[s])) {
                p += res[i].status == R_PASS;
                fl += res[i].status == R_FAIL;
                u += res[i].status == R_UNSUPPORTED;
            }
        int t = p + fl + u;
        double rate = t ? 100.0 * p / t : 0;
        if (!strcmp(sets[s], "node"))
            node_rate = rate;
        tot_fail += fl;
        tot_pass += p;
        if (t)
            fprintf(f, "| %s | %d | %d | %d | %d | %.1f%% |\n", sets[s], p, fl, u, t, rate);
        printf("%-18s passed %4d, failed %4d, unsupported %4d, total %4d: %.1f%%\n", sets[s], p, fl, u, t, rate);
    }
    /* per op (node set) */
    op_row *ops = calloc(4096, sizeof *ops);
    int n_ops = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(res[i].set, "node"))
            continue;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", res[i].ops[0] ? res[i].ops : "(import failed)");
        for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
            int k = 0;
            while (k < n_ops && strcmp(ops[k].op, tok))
                k++;
            if (k == n_ops && n_ops < 4096)
                snprintf(ops[n_ops++].op, sizeof ops[0].op, "%s", tok);
            if (k < n_ops) {
                ops[k].pass += res[i].status == R_PASS;
                ops[k].fail += res[i].status == R_FAIL;
                ops[k].unsup += res[i].status == R_UNSUPPORTED;
            }
        }
    }
    qsort(ops, (size_t)n_ops, sizeof *ops, cmp_op);
    fprintf(f, "\n## Node tests per operator\n\n| op | passed | failed | unsupported |\n|---|---|---|---|\n");
    for (int k = 0; k < n_ops; k++)
        fprintf(f, "| %s | %d | %d | %d |\n", ops[k].op, ops[k].pass, ops[k].fail, ops[k].unsup);
    fprintf(f, "\n## Failing tests\n\n");
    for (size_t i = 0; i < n; i++)
        if (res[i].status == R_FAIL)
            fprintf(f, "- `%s/%s`: %.160s\n", res[i].set, res[i].name, res[i].reason);
    fprintf(f, "\n## Unsupported tests\n\n");
    for (size_t i = 0; i < n; i++)
        if (res[i].status == R_UNSUPPORTED)
            fprintf(f, "- `%s/%s`: %.160s\n", res[i].set, res[i].name, res[i].reason);
    fclose(f);
    free(ops);
    free(res);
    printf("node pass rate %.1f%% (floor %.1f%%)\n", node_rate, floor_pct);
    printf("%d passed, %d failed\n", tot_pass, tot_fail);
    if (node_rate < floor_pct) {
        printf("FAIL: node-test pass rate %.1f%% is below the floor %.1f%% (tests/conformance/FLOOR)\n", node_rate,
               floor_pct);
        return 1;
    }
    return 0;
}
