/* cli_common.c - option parsing, errors, tensor arguments and output
 * comparison shared by the rvvnn subcommands. */
#include "cli.h"
#include "import/import.h"
#include "util/mem.h"
#include "util/npy.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *cli_opt(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] == 0 && *i + 1 < argc) {
        (*i)++;
        return argv[*i];
    }
    return NULL;
}

int cli_flag(const char *arg, const char *name) { return strcmp(arg, name) == 0; }

rv_limits cli_limits = {
#define X(name, flag, def, min, unit, desc) def,
#include "util/limits.def"
#undef X
};

/* "64M" -> 64 MiB; returns 0 or -1. */
static int parse_amount(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (errno || *end || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int cli_limit_opt(const char *cmd, int argc, char **argv, int *i)
{
    for (int k = 0; k < LIMIT__COUNT; k++) {
        const limit_info *li = &limit_table[k];
        char alt[64]; /* --max_depth spelled with underscores too */
        snprintf(alt, sizeof alt, "--%s", li->name);
        const char *v = cli_opt(argc, argv, i, li->flag);
        if (!v)
            v = cli_opt(argc, argv, i, alt);
        if (!v)
            continue;
        uint64_t x;
        if (parse_amount(v, &x) || x < li->min || x > INT64_MAX) {
            cli_usage_error(cmd, "%s=%s: expected a number >= %llu (K, M, G suffixes allowed)", li->flag,
                            v, (unsigned long long)li->min);
            return -1;
        }
        *limits_slot(&cli_limits, k) = x;
        return 1;
    }
    return 0;
}

void cli_limits_help(FILE *f)
{
    fprintf(f, "\nLimits on untrusted input (exit 2 naming the limit when one is hit):\n");
    for (int k = 0; k < LIMIT__COUNT; k++) {
        const limit_info *li = &limit_table[k];
        char def[32];
        if (li->def && li->def % (1u << 30) == 0)
            snprintf(def, sizeof def, "%lluG", (unsigned long long)(li->def >> 30));
        else
            snprintf(def, sizeof def, "%llu", (unsigned long long)li->def);
        fprintf(f, "  %s=N%*s %s (%s; default %s)\n", li->flag, (int)(22 - strlen(li->flag)), "",
                li->desc, li->unit, def);
    }
}

int cli_error(const char *cmd, int status)
{
    const char *msg = err_message();
    if (!msg || !*msg)
        msg = status_description(status);
    /* Names in messages come from untrusted files: escape what a
     * terminal would interpret. */
    fprintf(stderr, "rvvnn %s: error: ", cmd);
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fprintf(stderr, " (%s)\n", status_name(status));
    /* which limit: messages say "limit max_depth"; name the flag that raises it */
    for (int k = 0; status == RV_ELIMIT && k < LIMIT__COUNT; k++) {
        char key[64];
        snprintf(key, sizeof key, "limit %s", limit_table[k].name);
        if (strstr(msg, key)) {
            fprintf(stderr, "rvvnn %s: the input hit the limit %s (%s=N raises it if the input is "
                    "trusted)\n", cmd, limit_table[k].name, limit_table[k].flag);
            break;
        }
    }
    return EXIT_ERROR;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "rvvnn %s: error: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see rvvnn %s --help)\n", cmd);
    return EXIT_ERROR;
}

double cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cli_parse_dims(const char *s, size_t n, int64_t *dims)
{
    int rank = 0;
    size_t i = 0;
    while (i < n) {
        if (rank >= TENSOR_MAX_RANK)
            return err_set(RV_ELIMIT, "more than %d dimensions", TENSOR_MAX_RANK);
        if (s[i] < '0' || s[i] > '9')
            return err_set(RV_EINVAL, "'%.*s': dimension %d is not a non-negative number", (int)n, s, rank);
        int64_t v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return err_set(RV_ELIMIT, "'%.*s': dimension %d too large", (int)n, s, rank);
            v = v * 10 + (s[i++] - '0');
        }
        dims[rank++] = v;
        if (i < n && s[i] != 'x')
            return err_set(RV_EINVAL, "'%.*s': expected 'x' between dimensions", (int)n, s);
        if (i < n)
            i++;
    }
    return rank;
}

static int read_tensor_file(const char *path, tensor *out)
{
    void *buf;
    size_t len;
    int rc = file_read_all(path, cli_limits.max_file_bytes, &buf, &len);
    if (rc)
        return rc;
    size_t pl = strlen(path);
    if (pl > 3 && strcmp(path + pl - 3, ".pb") == 0)
        rc = import_tensor_pb(buf, len, &cli_limits, out, NULL, 0);
    else
        rc = npy_decode(buf, len, out);
    mem_free(buf);
    if (!rc && out->nbytes > cli_limits.max_tensor_bytes) {
        rc = err_set(RV_ELIMIT, "%zu bytes exceed the limit max_tensor_bytes (%llu)", out->nbytes,
                     (unsigned long long)cli_limits.max_tensor_bytes);
        mem_free(out->data);
        out->data = NULL;
    }
    return rc ? err_wrap(rc, "%s", path) : 0;
}

/* Parses the inline value list "1,2,3" into t (already typed and sized). */
static int parse_values(const char *s, tensor *t, int64_t n)
{
    int64_t i = 0;
    while (*s) {
        char *end;
        if (i >= n)
            return err_set(RV_ESHAPE, "more values than the shape's %lld elements", (long long)n);
        double v = strtod(s, &end);
        if (end == s)
            return err_set(RV_EINVAL, "value %lld ('%.16s') is not a number", (long long)i, s);
        if (dtype_is_float(t->dtype))
            tensor_set_f64(t, i, v);
        else
            tensor_set_i64(t, i, (int64_t)strtoll(s, NULL, 10));
        i++;
        s = end;
        while (*s == ',' || *s == ' ')
            s++;
    }
    if (i != n && !(i == 1 && n > 1))
        return err_set(RV_ESHAPE, "%lld values for a shape of %lld elements", (long long)i, (long long)n);
    /* one value splats: copy the filled part onto the rest, doubling */
    size_t filled = dtype_size(t->dtype) * (size_t)i, total = t->nbytes;
    while (filled && filled < total) {
        size_t c = filled < total - filled ? filled : total - filled;
        memcpy((char *)t->data + filled, t->data, c);
        filled += c;
    }
    return 0;
}

int cli_parse_tensor(const char *spec, tensor *out)
{
    memset(out, 0, sizeof *out);
    if (spec[0] == '@')
        return read_tensor_file(spec + 1, out);
    const char *eq = strchr(spec, '=');
    size_t tl = eq ? (size_t)(eq - spec) : strlen(spec);
    /* type is after the last 'x' (or the whole thing for scalars) */
    const char *lx = NULL;
    for (const char *p = spec; p < spec + tl; p++)
        if (*p == 'x')
            lx = p;
    const char *ty = lx ? lx + 1 : spec;
    int dt = dtype_from_suffix(ty, (size_t)(spec + tl - ty));
    if (!dt)
        return err_set(RV_EINVAL, "'%.*s': unknown element type (use f32, f16, f64, i64, i32, i8, u8, "
                       "i1 ...)", (int)(spec + tl - ty), ty);
    tensor decl = {.dtype = dt};
    int rank = lx ? cli_parse_dims(spec, (size_t)(lx - spec), decl.dims) : 0;
    if (rank < 0)
        return rank;
    decl.rank = rank;
    if (eq && eq[1] == '@') {
        int rc = read_tensor_file(eq + 2, out);
        if (rc)
            return rc;
        char a[96], b[96];
        if (out->dtype != decl.dtype || !shape_equal(out, &decl)) {
            rc = err_set(RV_ESHAPE, "%s holds %s, the argument says %s", eq + 2,
                         tensor_shape_str(out, a, sizeof a), tensor_shape_str(&decl, b, sizeof b));
            mem_free(out->data);
            out->data = NULL;
        }
        return rc;
    }
    *out = decl;
    size_t nb;
    int64_t n;
    int rc = tensor_byte_size(out, &nb);
    if (rc || (rc = tensor_numel(out, &n)))
        return rc;
    if (nb > cli_limits.max_tensor_bytes)
        return err_set(RV_ELIMIT, "'%s': %zu bytes exceed the limit max_tensor_bytes (%llu)", spec, nb,
                       (unsigned long long)cli_limits.max_tensor_bytes);
    out->data = mem_calloc(1, nb ? nb : 1);
    if (!out->data)
        return err_set(RV_ENOMEM, "cannot allocate %zu bytes", nb);
    out->nbytes = nb;
    if (eq && (rc = parse_values(eq + 1, out, n))) {
        mem_free(out->data);
        out->data = NULL;
    }
    return rc;
}

int cli_write_tensor(const char *path, const tensor *t) { return npy_save(path, t); }

void cli_print_tensor(const char *name, const tensor *t)
{
    char sh[128];
    int64_t n = 0;
    tensor_numel(t, &n);
    printf("%s: %s", name, tensor_shape_str(t, sh, sizeof sh));
    printf(" = [");
    for (int64_t i = 0; i < n && i < 8; i++) {
        if (dtype_is_float(t->dtype))
            printf("%s%.6g", i ? ", " : "", tensor_get_f64(t, i));
        else
            printf("%s%lld", i ? ", " : "", (long long)tensor_get_i64(t, i));
    }
    printf("%s]\n", n > 8 ? ", ..." : "");
}

static void index_str(const tensor *t, int64_t flat, char *buf, size_t cap)
{
    int64_t idx[TENSOR_MAX_RANK];
    for (int d = t->rank - 1; d >= 0; d--) {
        idx[d] = t->dims[d] ? flat % t->dims[d] : 0;
        flat = t->dims[d] ? flat / t->dims[d] : 0;
    }
    size_t off = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < t->rank && off < cap; d++)
        off += (size_t)snprintf(buf + off, cap - off, "%s%lld", d ? "," : "", (long long)idx[d]);
    if (off < cap)
        snprintf(buf + off, cap - off, "]");
}

int cli_compare(const char *name, const tensor *got, const tensor *want, double atol, double rtol,
                int verbose)
{
    char a[96], b[96];
    if (got->dtype != want->dtype || !shape_equal(got, want)) {
        fprintf(stderr, "%s: got %s, expected %s\n", name, tensor_shape_str(got, a, sizeof a),
                tensor_shape_str(want, b, sizeof b));
        return 1;
    }
    int64_t n;
    if (tensor_numel(got, &n))
        return -1;
    int is_float = dtype_is_float(got->dtype);
    int64_t worst = -1, bad = 0;
    double worst_excess = -1, max_abs = 0, max_rel = 0;
    for (int64_t i = 0; i < n; i++) {
        double g = is_float ? tensor_get_f64(got, i) : (double)tensor_get_i64(got, i);
        double w = is_float ? tensor_get_f64(want, i) : (double)tensor_get_i64(want, i);
        double err, tol = is_float ? atol + rtol * fabs(w) : 0;
        if (isnan(g) || isnan(w))
            err = isnan(g) && isnan(w) ? 0 : INFINITY;
        else if (isinf(g) || isinf(w))
            err = g == w ? 0 : INFINITY;
        else
            err = fabs(g - w);
        double rel = w != 0 ? err / fabs(w) : (err ? INFINITY : 0);
        if (err > max_abs)
            max_abs = err;
        if (rel > max_rel)
            max_rel = rel;
        if (err > tol)
            bad++;
        if (err - tol > worst_excess) {
            worst_excess = err - tol;
            worst = i;
        }
    }
    if (verbose || bad) {
        char ix[128] = "-";
        double g = 0, w = 0;
        if (worst >= 0) {
            index_str(got, worst, ix, sizeof ix);
            g = tensor_get_f64(got, worst);
            w = tensor_get_f64(want, worst);
        }
        fprintf(bad ? stderr : stdout,
                "%s: %s: %lld of %lld elements outside atol=%g rtol=%g; max abs err %.3g, max rel err "
                "%.3g; worst at %s: got %.9g expected %.9g\n",
                name, bad ? "MISMATCH" : "ok", (long long)bad, (long long)n, atol, rtol, max_abs,
                max_rel, ix, g, w);
    }
    return bad ? 1 : 0;
}

void cli_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}
