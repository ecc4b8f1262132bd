/* conformance.c - runs ONNX's conformance tests (Debian's libonnx-testdata:
 * the node, pytorch-converted, pytorch-operator and simple sets) through
 * import, the pass pipeline and the reference executor, and writes a report.
 *
 *   conformance DATA_DIR REPORT.md [--floor PERCENT] [--only PATTERN] [--verbose]
 *               [--time-limit SECONDS]
 *
 * Each test directory holds model.onnx and test_data_set_N/input_K.pb,
 * output_K.pb. A test passes when every output of every data set matches
 * with ONNX's backend-test tolerances (|got - want| <= ATOL + RTOL * |want|,
 * rtol 1e-3, atol 1e-7; integers and bools exactly; NaN equals NaN).
 * "unsupported" = import, inference or the executor answers RV_EUNSUPPORTED
 * (unknown op, string tensors, sequence types, opset outside 7-21); any other
 * error, a wrong value, shape or dtype is "failed". Each test runs in a
 * forked child with a time limit, so a crash or hang fails that test, not
 * the run. The report is sorted, has no timestamps and no host paths: the
 * committed copy must equal what a run produces. Exit status: 0, or 1 when
 * the node-test pass rate is below --floor, 2 on usage errors. */
#include "exec/ref/ref.h"
#include "import/import.h"
#include "passes/passes.h"
#include "util/npy.h"

#include <dirent.h>
#include <fnmatch.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ONNX backend-test defaults (onnx/backend/test/case/node: rtol=1e-3, atol=1e-7). */
#define RTOL 1e-3
#define ATOL 1e-7
#define TIME_LIMIT_S 20
/* A runaway allocation in a kernel must fail its test, not swap the host. */
#define MEM_LIMIT_BYTES ((rlim_t)4 << 30)
#define MAX_IO 64

enum { R_PASS = 0, R_FAIL = 1, R_UNSUPPORTED = 2 };
static const char *const verdict_name[] = {"pass", "FAIL", "unsupported"};
static const char *const sets[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};
#define N_SETS (sizeof sets / sizeof sets[0])

/* Fixed-size so the child can hand it to the parent through a pipe. */
typedef struct result {
    char name[160];
    char set[32];
    int status;
    char reason[200];
    char ops[400]; /* distinct op types of the model's nodes, sorted, space separated */
} result;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* --- op types straight from the wire format ---------------------------
 * Read without the importer so a test whose import fails (unknown op,
 * opset 6) is still counted under its operators. ModelProto.graph = 7,
 * GraphProto.node = 1, NodeProto.op_type = 4, NodeProto.domain = 7. */
typedef struct wire {
    const unsigned char *p, *end;
} wire;

static int wire_varint(wire *w, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && w->p < w->end; shift += 7) {
        unsigned char b = *w->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Next field: number, wire type; for length-delimited ones the payload. */
static int wire_next(wire *w, uint32_t *field, wire *payload)
{
    uint64_t key, v;
    if (wire_varint(w, &key))
        return -1;
    *field = (uint32_t)(key >> 3);
    payload->p = payload->end = NULL;
    switch (key & 7) {
    case 0: return wire_varint(w, &v);
    case 1: if (w->end - w->p < 8) return -1; w->p += 8; return 0;
    case 5: if (w->end - w->p < 4) return -1; w->p += 4; return 0;
    case 2:
        if (wire_varint(w, &v) || v > (uint64_t)(w->end - w->p))
            return -1;
        payload->p = w->p;
        payload->end = w->p + v;
        w->p += v;
        return 0;
    default: return -1; /* groups are not used by ONNX */
    }
}

static int model_op_types(const char *path, char *out, size_t cap)
{
    void *buf;
    size_t len;
    struct stat st;
    out[0] = 0;
    /* a FIFO or device would block the parent, which must never hang */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || file_read_all(path, (size_t)1 << 31, &buf, &len))
        return -1;
    char names[256][96];
    char *seen[256];
    int n = 0, bad = 0;
    wire m = {buf, (const unsigned char *)buf + len}, gr, nd, f;
    uint32_t fn;
    while (!bad && m.p < m.end) {
        if (wire_next(&m, &fn, &gr)) { bad = 1; break; }
        if (fn != 7 || !gr.p)
            continue;
        while (!bad && gr.p < gr.end) {
            if (wire_next(&gr, &fn, &nd)) { bad = 1; break; }
            if (fn != 1 || !nd.p)
                continue;
            wire op = {0}, dom = {0};
            while (nd.p < nd.end) {
                if (wire_next(&nd, &fn, &f)) { bad = 1; break; }
                if (fn == 4) op = f;
                if (fn == 7) dom = f;
            }
            if (bad || !op.p || n == 256)
                continue;
            /* ops outside ai.onnx carry their domain, as import errors do */
            int dl = (int)(dom.end - dom.p), ol = (int)(op.end - op.p);
            if (dl && !(dl == 7 && !memcmp(dom.p, "ai.onnx", 7)))
                snprintf(names[n], sizeof names[n], "%.*s::%.*s", dl, dom.p, ol, op.p);
            else
                snprintf(names[n], sizeof names[n], "%.*s", ol, op.p);
            int dup = 0;
            for (int k = 0; k < n; k++)
                dup |= !strcmp(seen[k], names[n]);
            if (!dup) {
                seen[n] = names[n];
                n++;
            }
        }
    }
    mem_free(buf);
    qsort(seen, (size_t)n, sizeof *seen, cmp_str);
    size_t off = 0;
    for (int k = 0; k < n && off < cap; k++)
        off += (size_t)snprintf(out + off, cap - off, "%s%s", k ? " " : "", seen[k]);
    return bad ? -1 : 0;
}

/* --- one test --------------------------------------------------------- */
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

/* The verdict for an error: RV_EUNSUPPORTED is "unsupported", the rest is a
 * failure. The message loses the test's directory (reports are the same on
 * every host and the test is named anyway) and anything past a newline. */
static void set_error(result *r, int rc, const char *dir, const char *prefix)
{
    char msg[sizeof r->reason];
    const char *e = err_message();
    size_t dl = strlen(dir), o = 0;
    while (*e && o + 1 < sizeof msg) {
        if (!strncmp(e, dir, dl) && e[dl] == '/') {
            e += dl + 1;
            continue;
        }
        if (*e == '\n')
            break;
        msg[o++] = *e++;
    }
    msg[o] = 0;
    if (!msg[0]) /* a path that set no text still says which status */
        snprintf(msg, sizeof msg, "status %s", status_name(rc));
    r->status = rc == RV_EUNSUPPORTED ? R_UNSUPPORTED : R_FAIL;
    snprintf(r->reason, sizeof r->reason, "%s%s", prefix, msg);
}

static int close_enough(const tensor *got, const tensor *want, char *why, size_t cap)
{
    char a[96], b[96];
    if (got->dtype != want->dtype || !shape_equal(got, want)) {
        snprintf(why, cap, "got %s, expected %s", tensor_shape_str(got, a, sizeof a), tensor_shape_str(want, b, sizeof b));
        return 0;
    }
    int64_t n;
    if (tensor_numel(want, &n)) {
        snprintf(why, cap, "expected output has an invalid shape");
        return 0;
    }
    int fl = dtype_is_float(want->dtype);
    for (int64_t i = 0; i < n; i++) {
        if (fl) {
            double g = tensor_get_f64(got, i), w = tensor_get_f64(want, i);
            if ((isnan(g) && isnan(w)) || g == w) /* g == w also covers equal infinities */
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

/* Runs data set dsdir against a freshly imported model: each data set is
 * bound with its own input shapes, so the pipeline runs once per set. */
static void run_data_set(const char *dir, const char *dsdir, int ds, result *r)
{
    char path[4096], pre[64];
    tensor ins[MAX_IO], outs[MAX_IO], want;
    struct stat st;
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);
    int n_in = 0, n_out = 0, rc;
    /* Import before reading the data: a model with sequence or optional
     * inputs is unsupported, and its .pb files are not TensorProtos. */
    ir_model *m = NULL;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    if ((rc = import_onnx_file(path, NULL, &m))) {
        set_error(r, rc, dir, "");
        goto out;
    }
    ir_graph *g = m->graph;
    for (;; n_in++) {
        snprintf(path, sizeof path, "%s/input_%d.pb", dsdir, n_in);
        if (stat(path, &st) != 0)
            break;
        if (n_in == MAX_IO) {
            r->status = R_FAIL;
            snprintf(r->reason, sizeof r->reason, "more than %d inputs", MAX_IO);
            goto free_model;
        }
        snprintf(pre, sizeof pre, "data set %d input %d: ", ds, n_in);
        if ((rc = load_pb(path, &ins[n_in]))) {
            set_error(r, rc, dir, pre);
            goto free_model;
        }
    }
    for (;; n_out++) {
        snprintf(path, sizeof path, "%s/output_%d.pb", dsdir, n_out);
        if (stat(path, &st) != 0)
            break;
    }
    if (n_in != g->n_inputs || n_out != g->n_outputs || n_out > MAX_IO) {
        r->status = R_FAIL;
        snprintf(r->reason, sizeof r->reason, "data set %d has %d inputs and %d outputs, the graph %d and %d", ds,
                 n_in, n_out, g->n_inputs, g->n_outputs);
        goto free_model;
    }
    pass_binding b[MAX_IO];
    for (int i = 0; i < n_in; i++) {
        /* ONNX 1.12's data stores bfloat16 as its uint16 bit patterns
         * (numpy has no bfloat16): read them as the bf16 the model declares. */
        if (ins[i].dtype == DT_U16 && g->vals[g->inputs[i]].t.dtype == DT_BF16)
            ins[i].dtype = DT_BF16;
        b[i].name = g->vals[g->inputs[i]].name;
        b[i].rank = ins[i].rank;
        memcpy(b[i].dims, ins[i].dims, sizeof b[i].dims);
    }
    passes_options po = {.bindings = b, .n_bindings = n_in};
    /* Name the data set when there are several (its shapes may matter). */
    snprintf(pre, sizeof pre, ds ? "data set %d: " : "", ds);
    if ((rc = passes_run(m, &po))) {
        set_error(r, rc, dir, pre);
        goto free_model;
    }
    /* One thread: the runner's children must not oversubscribe shared cores. */
    ref_options ro = {.threads = 1, .use_plan = 1};
    if ((rc = ref_run(g, &ro, ins, outs))) {
        set_error(r, rc, dir, pre);
        goto free_model;
    }
    for (int o = 0; o < n_out && r->status == R_PASS; o++) {
        snprintf(path, sizeof path, "%s/output_%d.pb", dsdir, o);
        snprintf(pre, sizeof pre, "data set %d expected output %d: ", ds, o);
        if ((rc = load_pb(path, &want))) {
            set_error(r, rc, dir, pre);
            break;
        }
        if (want.dtype == DT_U16 && outs[o].dtype == DT_BF16) /* as for inputs */
            want.dtype = DT_BF16;
        char why[160];
        if (!close_enough(&outs[o], &want, why, sizeof why)) {
            r->status = R_FAIL;
            snprintf(r->reason, sizeof r->reason, "data set %d output %d: %s", ds, o, why);
        }
        mem_free(want.data);
    }
    for (int o = 0; o < n_out; o++)
        mem_free(outs[o].data);
free_model:
    ir_model_free(m);
out:
    for (int i = 0; i < MAX_IO; i++)
        mem_free(ins[i].data);
}

static void run_test(const char *dir, result *r)
{
    char path[4096];
    r->status = R_PASS;
    for (int ds = 0; r->status == R_PASS; ds++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/test_data_set_%d", dir, ds);
        if (stat(path, &st) != 0) {
            if (ds == 0) {
                r->status = R_FAIL;
                snprintf(r->reason, sizeof r->reason, "no test data sets");
            }
            break;
        }
        run_data_set(dir, path, ds, r);
    }
}

/* Forks, runs the test under a time and memory limit, takes the child's
 * verdict from a pipe; no verdict means the child crashed or hung. */
static int time_limit_s = TIME_LIMIT_S;

static void run_isolated(const char *dir, result *r)
{
    /* The parent reads the op types (a bounds-checked walk that cannot
     * hang), so a test that crashes or is unsupported counts under them. */
    char path[4096];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    if (model_op_types(path, r->ops, sizeof r->ops) && !r->ops[0])
        snprintf(r->ops, sizeof r->ops, "(unreadable-model)");
    int fd[2];
    if (pipe(fd) != 0) {
        r->status = R_FAIL;
        snprintf(r->reason, sizeof r->reason, "runner: pipe failed");
        return;
    }
    fflush(stdout); /* the child exits with _exit, but be safe with shared buffers */
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        alarm((unsigned)time_limit_s);
#ifndef CONFORMANCE_NO_AS_LIMIT
        /* (sanitizer builds define it: their shadow memory reserves terabytes
         * of address space, which an RLIMIT_AS would refuse) */
        struct rlimit rl = {MEM_LIMIT_BYTES, MEM_LIMIT_BYTES};
        setrlimit(RLIMIT_AS, &rl);
#endif
        result cr = *r;
        run_test(dir, &cr);
        ssize_t w = write(fd[1], &cr, sizeof cr);
        _exit(w == (ssize_t)sizeof cr ? 0 : 3);
    }
    close(fd[1]);
    if (pid < 0) {
        close(fd[0]);
        r->status = R_FAIL;
        snprintf(r->reason, sizeof r->reason, "runner: fork failed");
        return;
    }
    result cr;
    ssize_t got = 0, k;
    while (got < (ssize_t)sizeof cr && (k = read(fd[0], (char *)&cr + got, sizeof cr - (size_t)got)) > 0)
        got += k;
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (got == (ssize_t)sizeof cr) {
        *r = cr;
        return;
    }
    r->status = R_FAIL;
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
        snprintf(r->reason, sizeof r->reason, "timeout (%d s)", time_limit_s);
    else if (WIFSIGNALED(st))
        snprintf(r->reason, sizeof r->reason, "crash: signal %d", WTERMSIG(st));
    else
        snprintf(r->reason, sizeof r->reason, "child exited %d without a verdict", WEXITSTATUS(st));
}

/* --- the report ------------------------------------------------------- */
typedef struct op_row {
    char op[96];
    int n[3]; /* by R_* */
} op_row;

static int cmp_result(const void *a, const void *b)
{
    const result *x = a, *y = b;
    int c = strcmp(x->set, y->set);
    return c ? c : strcmp(x->name, y->name);
}

static int cmp_op(const void *a, const void *b) { return strcmp(((const op_row *)a)->op, ((const op_row *)b)->op); }

/* Most tests not passing first, then by name: where kernel work pays most. */
static int cmp_op_gap(const void *a, const void *b)
{
    const op_row *x = a, *y = b;
    int gx = x->n[R_FAIL] + x->n[R_UNSUPPORTED], gy = y->n[R_FAIL] + y->n[R_UNSUPPORTED];
    return gx != gy ? gy - gx : strcmp(x->op, y->op);
}

/* --only: a substring of set/name, or a glob (unanchored: "resize*cubic"
 * matches node/test_resize_upsample_scales_cubic). */
static int selected(const char *pattern, const char *set, const char *name)
{
    char full[256], glob[256];
    if (!pattern)
        return 1;
    snprintf(full, sizeof full, "%s/%s", set, name);
    if (!strpbrk(pattern, "*?["))
        return strstr(full, pattern) != NULL;
    snprintf(glob, sizeof glob, "*%s*", pattern);
    return !fnmatch(glob, full, 0);
}

static void count(const result *res, size_t n, const char *set, int c[3])
{
    c[0] = c[1] = c[2] = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(res[i].set, set))
            c[res[i].status]++;
}

/* Per operator over the node set: a test counts once under each distinct
 * op type of its model. */
static int per_op_counts(const result *res, size_t n, op_row **out)
{
    int cap = 64, n_ops = 0;
    op_row *ops = calloc((size_t)cap, sizeof *ops);
    for (size_t i = 0; ops && i < n; i++) {
        if (strcmp(res[i].set, "node"))
            continue;
        char buf[sizeof res[i].ops];
        snprintf(buf, sizeof buf, "%s", res[i].ops[0] ? res[i].ops : "(none)");
        char *save = NULL;
        for (char *tok = strtok_r(buf, " ", &save); tok && ops; tok = strtok_r(NULL, " ", &save)) {
            int k = 0;
            while (k < n_ops && strcmp(ops[k].op, tok))
                k++;
            if (k == n_ops) {
                if (n_ops == cap) {
                    op_row *grown = realloc(ops, (size_t)(cap *= 2) * sizeof *ops);
                    if (!grown) {
                        free(ops);
                        ops = NULL;
                        break;
                    }
                    ops = grown;
                }
                memset(&ops[n_ops], 0, sizeof ops[n_ops]);
                snprintf(ops[n_ops++].op, sizeof ops[0].op, "%s", tok);
            }
            ops[k].n[res[i].status]++;
        }
    }
    if (ops)
        qsort(ops, (size_t)n_ops, sizeof *ops, cmp_op);
    *out = ops;
    return ops ? n_ops : -1;
}

static int write_report(const char *report, const result *res, size_t n)
{
    FILE *f = fopen(report, "w");
    if (!f) {
        perror(report);
        return -1;
    }
    fprintf(f, "# ONNX conformance of the reference executor\n\n"
               "Generated by `tests/conformance/conformance` over Debian's `libonnx-testdata`\n"
               "(`make conformance-report` or `cmake --build build --target conformance_report`\n"
               "refreshes it; the test `conformance_report_current` fails if this file differs\n"
               "from a fresh run). Each test: import, the pass pipeline (inputs bound to the\n"
               "data set's shapes), the reference executor with one thread.\n\n"
               "Tolerances: ONNX backend-test defaults, |got - expected| <= atol + rtol * |expected|\n"
               "with rtol %g, atol %g; integers and bools exactly; NaN equals NaN. bfloat16 data\n"
               "stored as uint16 bit patterns (ONNX 1.12) is read as bfloat16. *unsupported* = an\n"
               "operator, element type (string, sequence, optional) or opset (outside 7-21) that\n"
               "rvvnn does not implement: reported, never counted as passed. The `real` set\n"
               "(model URLs only, no data) is not run.\n\n", RTOL, ATOL);
    fprintf(f, "| set | passed | failed | unsupported | total | pass rate |\n|---|---|---|---|---|---|\n");
    for (size_t s = 0; s < N_SETS; s++) {
        int c[3];
        count(res, n, sets[s], c);
        int t = c[0] + c[1] + c[2];
        if (t)
            fprintf(f, "| %s | %d | %d | %d | %d | %.1f%% |\n", sets[s], c[R_PASS], c[R_FAIL], c[R_UNSUPPORTED], t,
                    100.0 * c[R_PASS] / t);
    }
    op_row *ops;
    int n_ops = per_op_counts(res, n, &ops);
    if (n_ops < 0) {
        fclose(f);
        return -1;
    }
    fprintf(f, "\n## Node tests per operator\n\n"
               "A test counts under each distinct op type of its model's top-level nodes.\n\n"
               "| op | passed | failed | unsupported |\n|---|---|---|---|\n");
    for (int k = 0; k < n_ops; k++)
        fprintf(f, "| %s | %d | %d | %d |\n", ops[k].op, ops[k].n[R_PASS], ops[k].n[R_FAIL], ops[k].n[R_UNSUPPORTED]);
    qsort(ops, (size_t)n_ops, sizeof *ops, cmp_op_gap);
    fprintf(f, "\n## Node-test gaps by operator\n\nThe 20 operators with the most failed + unsupported node tests.\n\n");
    for (int k = 0; k < n_ops && k < 20 && ops[k].n[R_FAIL] + ops[k].n[R_UNSUPPORTED]; k++)
        fprintf(f, "%d. %s: %d failed, %d unsupported\n", k + 1, ops[k].op, ops[k].n[R_FAIL], ops[k].n[R_UNSUPPORTED]);
    free(ops);
    static const char *const title[] = {NULL, "Failing tests", "Unsupported tests"};
    for (int st = R_FAIL; st <= R_UNSUPPORTED; st++) {
        fprintf(f, "\n## %s\n\n", title[st]);
        for (size_t i = 0; i < n; i++)
            if (res[i].status == st)
                fprintf(f, "- `%s/%s` (%s): %s\n", res[i].set, res[i].name, res[i].ops, res[i].reason);
    }
    return fclose(f) ? -1 : 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: conformance DATA_DIR REPORT.md [--floor PERCENT] [--only PATTERN] [--verbose]\n"
                    "                   [--time-limit SECONDS]\n"
                    "  DATA_DIR   libonnx-testdata's data directory (holds node/, simple/, ...)\n"
                    "  --floor    exit 1 when the node-test pass rate is below PERCENT\n"
                    "  --only     run only tests whose set/name contains PATTERN (a substring, or a glob with * ? [])\n"
                    "  --time-limit SECONDS  per test (default %d)\n"
                    "  --verbose  print every test's verdict\n", TIME_LIMIT_S);
    return 2;
}

int main(int argc, char **argv)
{
    const char *data = NULL, *report = NULL, *only = NULL;
    double floor_pct = 0;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--floor") && i + 1 < argc) {
            floor_pct = strtod(argv[++i], &end);
            if (*end || end == argv[i])
                return usage();
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--time-limit") && i + 1 < argc) {
            time_limit_s = (int)strtol(argv[++i], &end, 10);
            if (*end || time_limit_s < 1)
                return usage();
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = 1;
        } else if (argv[i][0] != '-' && !data) {
            data = argv[i];
        } else if (argv[i][0] != '-' && !report) {
            report = argv[i];
        } else {
            return usage();
        }
    }
    if (!report)
        return usage();
    size_t cap = 2048, n = 0;
    result *res = malloc(cap * sizeof *res);
    for (size_t s = 0; res && s < N_SETS; s++) {
        char dpath[4096];
        snprintf(dpath, sizeof dpath, "%s/%s", data, sets[s]);
        DIR *d = opendir(dpath);
        if (!d) {
            fprintf(stderr, "conformance: %s: no such set, skipped\n", dpath);
            continue;
        }
        struct dirent *e;
        while (res && (e = readdir(d))) {
            if (strncmp(e->d_name, "test_", 5) || !selected(only, sets[s], e->d_name))
                continue;
            if (n == cap) {
                result *grown = realloc(res, (cap *= 2) * sizeof *res);
                if (!grown)
                    free(res);
                res = grown;
                if (!res)
                    break;
            }
            memset(&res[n], 0, sizeof res[n]);
            snprintf(res[n].name, sizeof res[n].name, "%s", e->d_name);
            snprintf(res[n].set, sizeof res[n].set, "%s", sets[s]);
            n++;
        }
        closedir(d);
    }
    if (!res) {
        fprintf(stderr, "conformance: out of memory\n");
        return 2;
    }
    if (n == 0) {
        fprintf(stderr, "conformance: no test under %s%s%s\n", data, only ? " matches " : "", only ? only : "");
        free(res);
        return 2;
    }
    qsort(res, n, sizeof *res, cmp_result);
    for (size_t i = 0; i < n; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s/%s", data, res[i].set, res[i].name);
        run_isolated(dir, &res[i]);
        if (verbose)
            printf("%-11s %s/%s [%s] %s\n", verdict_name[res[i].status], res[i].set, res[i].name, res[i].ops,
                   res[i].reason);
    }
    if (write_report(report, res, n)) {
        free(res);
        return 2;
    }
    double node_rate = 0;
    int tot[3] = {0, 0, 0};
    for (size_t s = 0; s < N_SETS; s++) {
        int c[3];
        count(res, n, sets[s], c);
        int t = c[0] + c[1] + c[2];
        double rate = t ? 100.0 * c[R_PASS] / t : 0;
        if (!strcmp(sets[s], "node"))
            node_rate = rate;
        for (int k = 0; k < 3; k++)
            tot[k] += c[k];
        printf("%s tests: %d passed, %d failed, %d unsupported, %d total: pass rate %.1f%%\n", sets[s], c[R_PASS],
               c[R_FAIL], c[R_UNSUPPORTED], t, rate);
    }
    free(res);
    int rc = 0;
    printf("report: %s\n", report);
    if (node_rate < floor_pct) {
        printf("FAIL: node-test pass rate %.1f%% is below the floor %g%% (tests/conformance/FLOOR)\n", node_rate,
               floor_pct);
        rc = 1;
    } else if (floor_pct > 0) {
        printf("node-test pass rate %.1f%% >= floor %g%%\n", node_rate, floor_pct);
    }
    printf("%d passed, %d failed\n", tot[R_PASS], tot[R_FAIL]);
    return rc;
}
