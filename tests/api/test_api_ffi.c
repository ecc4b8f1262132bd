/* test_api_ffi.c - every export of librvvnn.so.0, called the way a
 * binding calls it: dlopen by SONAME, signatures from the generated
 * manifest (abi/rvvnn.abi.json, libffi type names), ffi_prep_cif and
 * ffi_call. Three passes with hostile arguments:
 *   1. every pointer NULL, every integer 0;
 *   2. every pointer NULL, every integer all-ones (-1 / UINT64_MAX);
 *   3. a valid handle for each handle parameter, other pointers NULL,
 *      integers all-ones (out-of-range indices, sizes, dtypes).
 * Each call must return an error status, or be one of the documented
 * exceptions (string getters return a non-NULL string; *_free(NULL) is a
 * no-op; rvvnn_abi_version returns the version; rvvnn_module_target's
 * outs are all optional), and must never crash.
 *
 *   test_api_ffi MANIFEST MODEL.onnx   (librvvnn.so.0 on LD_LIBRARY_PATH) */
#include "check.h"

#include <dlfcn.h>
#include <ffi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPORTS 256
#define MAX_PARAMS 12

typedef struct export_sig {
    char name[64];
    char ret[16];
    int n_params;
    char params[MAX_PARAMS][16];
    char ctypes[MAX_PARAMS][64]; /* C parameter types, from the "c" prototype */
} export_sig;

static ffi_type *ffi_named(const char *n)
{
    static const struct { const char *name; ffi_type *t; } map[] = {
        {"void", &ffi_type_void},     {"sint32", &ffi_type_sint32}, {"sint64", &ffi_type_sint64},
        {"uint32", &ffi_type_uint32}, {"uint64", &ffi_type_uint64}, {"double", &ffi_type_double},
        {"pointer", &ffi_type_pointer},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i].name, n))
            return map[i].t;
    return NULL;
}

/* Copies the JSON string value after `"key": "` into out. */
static int json_str(const char *line, const char *key, char *out, size_t cap)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(line, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    size_t n = 0;
    while (p[n] && p[n] != '"' && n + 1 < cap)
        n++;
    memcpy(out, p, n);
    out[n] = 0;
    return 0;
}

static int parse_line(const char *line, export_sig *e)
{
    memset(e, 0, sizeof *e);
    char c[512];
    if (json_str(line, "name", e->name, sizeof e->name) || json_str(line, "return", e->ret, sizeof e->ret) ||
        json_str(line, "c", c, sizeof c))
        return -1;
    const char *p = strstr(line, "\"params\": [");
    if (!p)
        return -1;
    p += strlen("\"params\": [");
    while (*p && *p != ']') {
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');
            if (!q || e->n_params == MAX_PARAMS || (size_t)(q - p - 1) >= sizeof e->params[0])
                return -1;
            memcpy(e->params[e->n_params], p + 1, (size_t)(q - p - 1));
            e->params[e->n_params++][q - p - 1] = 0;
            p = q + 1;
        } else {
            p++;
        }
    }
    /* C parameter types: the text between '(' and ')' split at commas,
     * minus the trailing parameter name. */
    char *open = strchr(c, '('), *close = strrchr(c, ')');
    if (!open || !close)
        return -1;
    *close = 0;
    int k = 0;
    for (char *tok = strtok(open + 1, ","); tok && k < MAX_PARAMS; tok = strtok(NULL, ","), k++) {
        char *end = tok + strlen(tok);
        while (end > tok && (end[-1] == '_' || (end[-1] >= 'a' && end[-1] <= 'z') ||
                             (end[-1] >= '0' && end[-1] <= '9')))
            end--;
        *end = 0;
        snprintf(e->ctypes[k], sizeof e->ctypes[k], "%s", tok[0] == ' ' ? tok + 1 : tok);
    }
    return 0;
}

/* Valid handles for pass 3, made through the library itself. */
typedef struct handles {
    void *model, *module, *session, *options, *tensor;
} handles;

typedef int (*fn_i_pp)(void *, void *);

static void *handle_for(const handles *h, const char *ctype)
{
    /* "const rvvnn_model *" and "rvvnn_model *" but not "rvvnn_model **" */
    if (strstr(ctype, "**"))
        return NULL;
    if (strstr(ctype, "rvvnn_model *"))
        return h->model;
    if (strstr(ctype, "rvvnn_module *"))
        return h->module;
    if (strstr(ctype, "rvvnn_session *"))
        return h->session;
    if (strstr(ctype, "rvvnn_options *"))
        return h->options;
    if (strstr(ctype, "rvvnn_tensor *"))
        return h->tensor;
    return NULL;
}

static void call_one(const export_sig *e, void *fn, int pass, const handles *h, int abi_version)
{
    ffi_cif cif;
    ffi_type *types[MAX_PARAMS];
    void *values[MAX_PARAMS];
    uint64_t ints[MAX_PARAMS];
    void *ptrs[MAX_PARAMS];
    double dbls[MAX_PARAMS];
    int any_handle = 0;
    for (int i = 0; i < e->n_params; i++) {
        types[i] = ffi_named(e->params[i]);
        CHECK_MSG(types[i] != NULL, "%s: unknown ffi type %s", e->name, e->params[i]);
        if (!types[i])
            return;
        ints[i] = pass == 1 ? 0 : UINT64_MAX;
        dbls[i] = pass == 1 ? 0.0 : -1.0;
        ptrs[i] = pass == 3 ? handle_for(h, e->ctypes[i]) : NULL;
        any_handle |= ptrs[i] != NULL;
        values[i] = types[i] == &ffi_type_pointer ? (void *)&ptrs[i]
                    : types[i] == &ffi_type_double ? (void *)&dbls[i] : (void *)&ints[i];
    }
    size_t nlen = strlen(e->name);
    int is_free = nlen > 5 && !strcmp(e->name + nlen - 5, "_free");
    if (pass == 3 && (!any_handle || is_free))
        return; /* nothing new to learn / would free a shared handle */
    ffi_type *rt = ffi_named(e->ret);
    CHECK_MSG(rt != NULL, "%s: unknown return type %s", e->name, e->ret);
    if (!rt)
        return;
    CHECK_MSG(ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)e->n_params, rt, types) == FFI_OK,
              "%s: ffi_prep_cif", e->name);
    ffi_arg rv = 0; /* at least register size, as ffi_call requires */
    ffi_call(&cif, FFI_FN(fn), &rv, values);
    if (rt == &ffi_type_void) {
        CHECK_MSG(is_free, "%s returns void but is not a documented no-op free", e->name);
    } else if (rt == &ffi_type_pointer) {
        const char *s = (const char *)(uintptr_t)rv;
        CHECK_MSG(s != NULL, "%s (pass %d) returned NULL", e->name, pass);
    } else if (!strcmp(e->name, "rvvnn_abi_version")) {
        CHECK((int)(int32_t)rv == abi_version);
    } else if (pass == 3 && !strcmp(e->name, "rvvnn_module_target")) {
        CHECK_MSG((int32_t)rv == 0, "rvvnn_module_target with NULL outs: %d", (int)(int32_t)rv);
    } else {
        CHECK_MSG((int32_t)rv < 0, "%s (pass %d) returned %d, want an error status", e->name, pass,
                  (int)(int32_t)rv);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_api_ffi MANIFEST MODEL.onnx\n");
        return 2;
    }
    void *lib = dlopen("librvvnn.so.0", RTLD_NOW | RTLD_LOCAL);
    CHECK_MSG(lib != NULL, "dlopen librvvnn.so.0: %s", dlerror());
    FILE *f = fopen(argv[1], "r");
    CHECK_MSG(f != NULL, "cannot open %s", argv[1]);
    if (!lib || !f)
        return check_done();
    static export_sig ex[MAX_EXPORTS];
    int n = 0, abi_version = -1;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "\"abi_version\":"))
            abi_version = atoi(strchr(line, ':') + 1);
        if (strstr(line, "\"name\": \"rvvnn_") && n < MAX_EXPORTS) {
            CHECK_MSG(parse_line(line, &ex[n]) == 0, "cannot parse manifest line: %s", line);
            n++;
        }
    }
    fclose(f);
    CHECK(n >= 40 && abi_version >= 0);
    /* handles for pass 3, through the same dlopen'd library */
    handles h = {0};
    int (*options_create)(void **) = (int (*)(void **))dlsym(lib, "rvvnn_options_create");
    int (*model_load)(const char *, void **) = (int (*)(const char *, void **))dlsym(lib, "rvvnn_model_load_file");
    int (*compile)(void *, void *, void **) = (int (*)(void *, void *, void **))dlsym(lib, "rvvnn_compile");
    int (*from_model)(void *, void *, void **) =
        (int (*)(void *, void *, void **))dlsym(lib, "rvvnn_session_create_from_model");
    int (*set_input)(void *, size_t, int32_t, const int64_t *, size_t, const void *, size_t) =
        (int (*)(void *, size_t, int32_t, const int64_t *, size_t, const void *, size_t))dlsym(lib, "rvvnn_session_set_input");
    int (*run)(void *) = (int (*)(void *))dlsym(lib, "rvvnn_session_run");
    int (*output)(void *, size_t, void **) = (int (*)(void *, size_t, void **))dlsym(lib, "rvvnn_session_output");
    void (*session_free)(void *) = (void (*)(void *))dlsym(lib, "rvvnn_session_free");
    CHECK(options_create && model_load && compile && from_model && set_input && run && output);
    if (!options_create || !model_load || !compile || !from_model || !set_input || !run || !output)
        return check_done();
    CHECK(options_create(&h.options) == 0);
    CHECK(model_load(argv[2], &h.model) == 0);
    CHECK(compile(h.model, NULL, &h.module) != 0); /* mlp has a symbolic batch: bind it */
    int (*set_string)(void *, const char *, const char *) =
        (int (*)(void *, const char *, const char *))dlsym(lib, "rvvnn_options_set_string");
    CHECK(set_string(h.options, "input_shape", "X=1x4") == 0);
    CHECK(compile(h.model, h.options, &h.module) == 0);
    CHECK(from_model(h.model, NULL, &h.session) == 0);
    void *runner = NULL;
    CHECK(from_model(h.model, NULL, &runner) == 0);
    int64_t dims[2] = {1, 4};
    float x[4] = {1, 2, 3, 4};
    CHECK(set_input(runner, 0, 1, dims, 2, x, sizeof x) == 0 && run(runner) == 0);
    CHECK(output(runner, 0, &h.tensor) == 0 && h.tensor);
    for (int pass = 1; pass <= 3; pass++)
        for (int i = 0; i < n; i++) {
            void *fn = dlsym(lib, ex[i].name);
            CHECK_MSG(fn != NULL, "manifest export %s is not in the library", ex[i].name);
            if (fn)
                call_one(&ex[i], fn, pass, &h, abi_version);
        }
    printf("%d exports called through libffi in 3 passes\n", n);
    session_free(runner);
    session_free(h.session);
    ((void (*)(void *))dlsym(lib, "rvvnn_module_free"))(h.module);
    ((void (*)(void *))dlsym(lib, "rvvnn_model_free"))(h.model);
    ((void (*)(void *))dlsym(lib, "rvvnn_options_free"))(h.options);
    dlclose(lib);
    return check_done();
}
