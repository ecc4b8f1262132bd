/* hostile.c - the hostile corpus (cases.tsv, files/) through the library
 * in-process: each case must give the table's status with the table's
 * message fragment, leave no allocation behind, and, while reading the
 * input (import, passes, code generation, module validation, listing),
 * allocate at most
 *
 *     HOSTILE_FIXED_BYTES + HOSTILE_PER_BYTE x (size of the input)
 *
 * at its peak (mem.c's counters; the file buffer itself included). A run
 * then needs what the model or module declares, which the limits bound:
 * the arena and heap intermediates max_arena_bytes, each tensor
 * max_tensor_bytes. Both bounds are documented in README.md; the worst
 * ratio of load peak to input size is printed. Families expand here: truncate:F runs every prefix of
 * F, flip:F:N:SEED runs N copies of F with 1-4 random bits flipped,
 * chain:N is a model of N Relu nodes with short names built here (the
 * most IR per file byte a model can take: ~32x at 21 bytes per node).
 * Cases the library cannot run in-process (RVV code: qemu) are left to
 * hostile_cli.py, which runs every case through the CLI.
 *
 *   hostile CASES.tsv FILES_DIR */
#include "check.h"
#include "cli.h"
#include "codegen/codegen.h"
#include "exec/native/modrun.h"
#include "exec/ref/ref.h"
#include "import/import.h"
#include "passes/passes.h"
#include "util/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOSTILE_FIXED_BYTES ((int64_t)96 << 20)
#define HOSTILE_PER_BYTE 48

typedef struct hcase {
    char name[128], command[16], file[256], status[16], message[256], args[512];
} hcase;

static const char *files_dir;
static double worst_ratio;
static char worst_name[300];
static int64_t worst_peak, worst_run_peak, largest_peak;
static char largest_name[300];
static int n_runs, n_cli_only;
static char model_dir[1024];   /* the case file's directory: external data */
static int64_t run_peak;       /* peak of the run phase alone (0 without one) */

/* Ends the load phase: what it peaked at stays in mem.c's peak until
 * here; the run phase is measured on its own from now. */
static int64_t load_peak, load_base;
static void start_run_phase(void)
{
    mem_usage u;
    mem_usage_get(&u);
    load_peak = u.peak_bytes - load_base;
    mem_peak_reset();
    run_peak = -u.live_bytes; /* the run's own allocations, above what is live now */
}

static void end_run_phase(void)
{
    mem_usage u;
    mem_usage_get(&u);
    run_peak += u.peak_bytes;
}

/* Applies the case's --max-* flags to cli_limits and collects --input= specs. */
static int parse_args(const hcase *c, char specs[][256], int *n_specs)
{
    limits_default(&cli_limits);
    *n_specs = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", c->args);
    char *argv[32];
    int argc = 0;
    for (char *tok = strtok(buf, " "); tok && argc < 32; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--input=", 8)) {
            char *dir = strstr(argv[i], "{dir}");
            if (dir)
                snprintf(specs[*n_specs], 256, "%.*s%s%s", (int)(dir - argv[i] - 8), argv[i] + 8, files_dir,
                         dir + 5);
            else
                snprintf(specs[*n_specs], 256, "%s", argv[i] + 8);
            (*n_specs)++;
        } else if (cli_limit_opt("hostile", argc, argv, &i) < 0) {
            return -1;
        }
    }
    return 0;
}

static void free_tensors(tensor *t, int n)
{
    for (int i = 0; i < n; i++) {
        mem_free(t[i].data);
        t[i].data = NULL;
    }
}

static int run_model(const void *buf, size_t len, const char *cmd, char specs[][256], int n_specs)
{
    ir_model *m = NULL;
    int rc = import_onnx_buffer(buf, len, model_dir, &cli_limits, &m);
    if (!rc) {
        passes_options po = {.limits = &cli_limits};
        rc = passes_run(m, &po);
    }
    if (!rc && !strcmp(cmd, "compile")) {
        cg_target t;
        cg_result res;
        rvv_module *mod;
        if (!(rc = cg_target_parse("rv64gcv", NULL, -1, 0, &t)) && !(rc = codegen_module(m, &t, &res)) &&
            !(rc = module_load(res.buf, res.len, &cli_limits, &mod)))
            module_free(mod);
    }
    if (!rc && !strcmp(cmd, "run")) {
        tensor ins[8] = {{0}}, outs[64];
        for (int i = 0; !rc && i < n_specs && i < 8; i++)
            rc = cli_parse_tensor(specs[i], &ins[i]);
        if (!rc && n_specs != m->graph->n_inputs)
            rc = err_set(RV_EINVAL, "the model has %d inputs, %d given", m->graph->n_inputs, n_specs);
        ref_options ro = {.threads = 1, .use_plan = 1, .limits = &cli_limits};
        start_run_phase();
        if (!rc && !(rc = ref_run(m->graph, &ro, ins, outs)))
            free_tensors(outs, m->graph->n_outputs);
        end_run_phase();
        free_tensors(ins, 8);
    }
    ir_model_free(m);
    return rc;
}

/* 1 when the module has RVV code this host cannot run in-process. */
static int run_module(const void *buf, size_t len, const char *cmd, char specs[][256], int n_specs,
                      int *cli_only)
{
    rvv_module *m;
    int rc = module_load_copy(buf, len, &cli_limits, &m);
    if (rc)
        return rc;
    if (!strcmp(cmd, "disasm")) {
        FILE *f = fopen("/dev/null", "w");
        rc = emit_code_text(m, f, 0);
        fclose(f);
    }
    if (!rc && !strcmp(cmd, "run")) {
        int rvv = 0;
        for (uint32_t i = 0; i < m->hdr->n_steps; i++)
            rvv |= m->steps[i].kind == MOD_STEP_RVV;
        if (rvv) {
            *cli_only = 1;
        } else {
            tensor ins[8] = {{0}}, outs[64];
            for (int i = 0; !rc && i < n_specs && i < 8; i++)
                rc = cli_parse_tensor(specs[i], &ins[i]);
            if (!rc && (uint32_t)n_specs != m->hdr->n_inputs)
                rc = err_set(RV_EINVAL, "the module has %u inputs", m->hdr->n_inputs);
            mod_session *s;
            start_run_phase();
            if (!rc && !(rc = modrun_open(m, &s))) {
                modrun_set_limits(s, &cli_limits);
                if (!(rc = modrun_run(s, ins, outs)))
                    free_tensors(outs, (int)m->hdr->n_outputs);
                modrun_close(s);
            }
            end_run_phase();
            free_tensors(ins, 8);
        }
    }
    module_free(m);
    return rc;
}

/* One input through the case's command; checks status, message, leaks
 * and memory. label names the input in failures (family member). */
static void run_one(const hcase *c, const void *buf, size_t len, const char *label)
{
    char specs[8][256];
    int n_specs, cli_only = 0;
    if (parse_args(c, specs, &n_specs)) {
        CHECK_MSG(0, "%s: bad args '%s'", c->name, c->args);
        return;
    }
    mem_usage before, after;
    mem_usage_get(&before);
    mem_peak_reset();
    load_base = before.live_bytes;
    load_peak = -1;
    run_peak = 0;
    err_clear();
    int rc;
    if (!strcmp(c->command, "input"))
        rc = 0; /* handled by the caller: the spec is the input */
    else if (module_is_module(buf, len) || !strcmp(c->command, "inspect") || !strcmp(c->command, "disasm"))
        rc = run_module(buf, len, c->command, specs, n_specs, &cli_only);
    else
        rc = run_model(buf, len, c->command, specs, n_specs);
    mem_usage_get(&after);
    n_runs++;
    if (cli_only) {
        n_cli_only++;
        return;
    }
    const char *got = rc ? status_name(rc) : "OK";
    int ok = !strcmp(c->status, "any") || (!strcmp(c->status, "error") ? rc != 0 : !strcmp(c->status, got));
    CHECK_MSG(ok, "%s%s: status %s, want %s: %s", c->name, label, got, c->status, err_message());
    if (rc && c->message[0])
        CHECK_MSG(strstr(err_message(), c->message), "%s%s: message lacks '%s': %s", c->name, label,
                  c->message, err_message());
    if (rc)
        CHECK_MSG(err_message()[0], "%s%s: %s without a message", c->name, label, got);
    CHECK_MSG(after.live_blocks == before.live_blocks, "%s%s: %lld blocks leaked", c->name, label,
              (long long)(after.live_blocks - before.live_blocks));
    int64_t peak = load_peak >= 0 ? load_peak : after.peak_bytes - before.live_bytes;
    CHECK_MSG(peak <= HOSTILE_FIXED_BYTES + HOSTILE_PER_BYTE * (int64_t)len,
              "%s%s: peak %lld bytes for a %zu-byte input, above the bound %lld + %d x size", c->name, label,
              (long long)peak, len, (long long)HOSTILE_FIXED_BYTES, HOSTILE_PER_BYTE);
    /* a run: the arena and heap intermediates, plus inputs and outputs */
    CHECK_MSG(run_peak <= (int64_t)cli_limits.max_arena_bytes + 16 * (int64_t)cli_limits.max_tensor_bytes,
              "%s%s: run peak %lld bytes above the limits", c->name, label, (long long)run_peak);
    if (run_peak > worst_run_peak)
        worst_run_peak = run_peak;
    /* the ratio means something once the file outweighs the fixed part */
    double ratio = len >= 4096 ? (double)peak / (double)len : 0;
    if (peak > largest_peak) {
        largest_peak = peak;
        snprintf(largest_name, sizeof largest_name, "%s%s (%zu bytes)", c->name, label, len);
    }
    if (ratio > worst_ratio) {
        worst_ratio = ratio;
        worst_peak = peak;
        snprintf(worst_name, sizeof worst_name, "%s%s (%zu bytes)", c->name, label, len);
    }
}

static void run_input(const hcase *c)
{
    char specs[8][256];
    int n_specs;
    if (parse_args(c, specs, &n_specs))
        return;
    char spec[512];
    const char *dir = strstr(c->file, "{dir}");
    if (dir)
        snprintf(spec, sizeof spec, "%.*s%s%s", (int)(dir - c->file), c->file, files_dir, dir + 5);
    else
        snprintf(spec, sizeof spec, "%s", c->file);
    mem_usage before, after;
    mem_usage_get(&before);
    mem_peak_reset();
    err_clear();
    tensor t;
    int rc = cli_parse_tensor(spec, &t);
    if (!rc)
        mem_free(t.data);
    mem_usage_get(&after);
    n_runs++;
    const char *got = rc ? status_name(rc) : "OK";
    CHECK_MSG(!strcmp(c->status, got) || (!strcmp(c->status, "error") && rc), "%s: status %s, want %s: %s",
              c->name, got, c->status, err_message());
    if (rc && c->message[0])
        CHECK_MSG(strstr(err_message(), c->message), "%s: message lacks '%s': %s", c->name, c->message,
                  err_message());
    CHECK_MSG(after.live_blocks == before.live_blocks, "%s: leaked", c->name);
    /* inline specs: bounded by the limit, not by their text; files by their size */
    int64_t peak = after.peak_bytes - before.live_bytes;
    CHECK_MSG(rc || peak <= (int64_t)cli_limits.max_tensor_bytes + HOSTILE_FIXED_BYTES,
              "%s: peak %lld bytes", c->name, (long long)peak);
}

static int read_file(const char *rel, void **buf, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", files_dir, rel);
    return file_read_all(path, (size_t)1 << 30, buf, len);
}

/* ---- chain:N, as raw protobuf ---- */
typedef struct pbuf {
    unsigned char *p;
    size_t len, cap;
} pbuf;

static void pb_bytes(pbuf *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

static void pb_varint(pbuf *b, uint64_t v)
{
    unsigned char t[10];
    int n = 0;
    do {
        t[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pb_bytes(b, t, (size_t)n);
}

static void pb_field(pbuf *b, int num, const void *d, size_t n)
{
    pb_varint(b, (uint64_t)num << 3 | 2);
    pb_varint(b, n);
    pb_bytes(b, d, n);
}

static const char *chain_name(uint64_t i, char *buf)
{
    int n = 0;
    do {
        buf[n++] = (char)('a' + i % 26);
        i /= 26;
    } while (i);
    buf[n] = 0;
    return buf;
}

/* ModelProto{ir_version 8, opset 17, graph{N x Relu(v_i) -> v_i+1, input v_0, output v_N}} */
static void chain_model(uint64_t n, pbuf *out)
{
    pbuf g = {0}, node = {0}, vi = {0};
    char a[16], b[16];
    for (uint64_t i = 0; i < n; i++) {
        node.len = 0;
        chain_name(i, a);
        chain_name(i + 1, b);
        pb_field(&node, 1, a, strlen(a));
        pb_field(&node, 2, b, strlen(b));
        pb_field(&node, 4, "Relu", 4);
        pb_field(&g, 1, node.p, node.len);
    }
    for (int k = 0; k < 2; k++) { /* input v_0, output v_N: float, shape [1] */
        static const unsigned char type[] = {0x0a, 0x08, 0x08, 0x01, 0x12, 0x04, 0x0a, 0x02, 0x08, 0x01};
        vi.len = 0;
        chain_name(k ? n : 0, a);
        pb_field(&vi, 1, a, strlen(a));
        pb_field(&vi, 2, type, sizeof type);
        pb_field(&g, k ? 12 : 11, vi.p, vi.len);
    }
    static const unsigned char opset[] = {0x10, 17};
    out->len = 0;
    pb_varint(out, 1 << 3);
    pb_varint(out, 8);
    pb_field(out, 7, g.p, g.len);
    pb_field(out, 8, opset, sizeof opset);
    free(g.p);
    free(node.p);
    free(vi.p);
}

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void run_case(const hcase *c)
{
    void *buf;
    size_t len;
    char label[64];
    if (!strcmp(c->command, "input")) {
        run_input(c);
        return;
    }
    if (!strncmp(c->file, "chain:", 6)) {
        pbuf b = {0};
        chain_model(strtoull(c->file + 6, NULL, 10), &b);
        snprintf(model_dir, sizeof model_dir, "%s", files_dir);
        run_one(c, b.p, b.len, "");
        free(b.p);
        return;
    }
    /* the file a family is made from: truncate:F, flip:F:N:SEED */
    char base[256];
    const char *fam = !strncmp(c->file, "truncate:", 9) ? c->file + 9 : !strncmp(c->file, "flip:", 5)
                                                                              ? c->file + 5 : NULL;
    snprintf(base, sizeof base, "%s", fam ? fam : c->file);
    base[strcspn(base, ":")] = 0;
    snprintf(model_dir, sizeof model_dir, "%s/%s", files_dir, base);
    *strrchr(model_dir, '/') = 0;
    if (read_file(base, &buf, &len)) {
        CHECK_MSG(0, "%s: cannot read %s: %s", c->name, base, err_message());
        return;
    }
    if (!strncmp(c->file, "truncate:", 9)) {
        for (size_t n = 0; n < len; n++) {
            snprintf(label, sizeof label, " [%zu of %zu bytes]", n, len);
            run_one(c, buf, n, label);
        }
    } else if (!strncmp(c->file, "flip:", 5)) {
        int count = 0;
        unsigned long long seed = 1;
        sscanf(fam + strlen(base), ":%d:%llu", &count, &seed);
        rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
        unsigned char *img = mem_alloc(len);
        for (int i = 0; img && i < count; i++) {
            memcpy(img, buf, len);
            for (int b = 0; b <= i % 4; b++) {
                uint64_t r = rng_next();
                img[(r >> 8) % len] ^= (unsigned char)(1u << (r & 7));
            }
            snprintf(label, sizeof label, " [flip %d]", i);
            run_one(c, img, len, label);
        }
        mem_free(img);
    } else {
        run_one(c, buf, len, "");
    }
    mem_free(buf);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hostile CASES.tsv FILES_DIR\n");
        return 2;
    }
    files_dir = argv[2];
    ref_set_threads(1);
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "hostile: cannot open %s\n", argv[1]);
        return 2;
    }
    char line[2048];
    int n_cases = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = 0;
        hcase c;
        memset(&c, 0, sizeof c);
        char *cols[6] = {0};
        int nc = 0;
        for (char *p = line; p && nc < 6; nc++) {
            cols[nc] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = 0;
        }
        if (nc < 5) {
            CHECK_MSG(0, "cases.tsv: malformed line '%s'", line);
            continue;
        }
        snprintf(c.name, sizeof c.name, "%s", cols[0]);
        snprintf(c.command, sizeof c.command, "%s", cols[1]);
        snprintf(c.file, sizeof c.file, "%s", cols[2]);
        snprintf(c.status, sizeof c.status, "%s", cols[3]);
        snprintf(c.message, sizeof c.message, "%s", cols[4]);
        snprintf(c.args, sizeof c.args, "%s", nc > 5 ? cols[5] : "");
        run_case(&c);
        n_cases++;
    }
    fclose(f);
    printf("hostile: %d cases, %d inputs run in-process (%d with RVV code left to the CLI test)\n", n_cases,
           n_runs, n_cli_only);
    printf("hostile: reading inputs (bound %lld + %d x size): largest peak %lld bytes: %s; worst "
           "peak/size ratio over inputs >= 4 KiB %.1f: %s, peak %lld bytes\n", (long long)HOSTILE_FIXED_BYTES,
           HOSTILE_PER_BYTE, (long long)largest_peak, largest_name, worst_ratio, worst_name,
           (long long)worst_peak);
    printf("hostile: running, largest peak %lld bytes (bound: the limits max_arena_bytes, max_tensor_bytes)\n",
           (long long)worst_run_peak);
    return check_done();
}
