/* test_limits_api.c - the limits of util/limits.def through the public
 * API: every key reads back its default and takes a new value, values
 * below a limit's minimum are refused, and loads, compiles and sessions
 * return RVVNN_ELIMIT naming the limit when their options' limit is hit. */
#include "check.h"
#include "rvvnn.h"
#include "util/limits.h"

#include <stdlib.h>
#include <string.h>

static void *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc(*len ? *len : 1);
    if (p && fread(p, 1, *len, f) != *len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

static int elimit_naming(int rc, const char *limit)
{
    return rc == RVVNN_ELIMIT && strstr(rvvnn_last_error(), limit) != NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_limits_api FILES_DIR\n");
        return 2;
    }
    char path[1024];
    rvvnn_options *o;
    CHECK(rvvnn_options_create(&o) == RVVNN_OK);
    for (int i = 0; i < LIMIT__COUNT; i++) {
        int64_t v = -1;
        CHECK_MSG(rvvnn_options_get_int(o, limit_table[i].name, &v) == RVVNN_OK &&
                      (uint64_t)v == limit_table[i].def,
                  "%s: default %lld", limit_table[i].name, (long long)v);
        CHECK(rvvnn_options_set_int(o, limit_table[i].name, 12345) == RVVNN_OK);
        CHECK(rvvnn_options_get_int(o, limit_table[i].name, &v) == RVVNN_OK && v == 12345);
        CHECK(rvvnn_options_set_int(o, limit_table[i].name, -1) == RVVNN_EINVAL);
        if (limit_table[i].min)
            CHECK(rvvnn_options_set_int(o, limit_table[i].name, 0) == RVVNN_EINVAL);
        CHECK(rvvnn_options_set_int(o, limit_table[i].name, (int64_t)limit_table[i].def) == RVVNN_OK);
    }

    /* loads: the nesting bomb under the default depth, a small file under max_file_bytes */
    rvvnn_model *m = NULL;
    snprintf(path, sizeof path, "%s/nest_bomb.onnx", argv[1]);
    CHECK(elimit_naming(rvvnn_model_load_file_with_options(path, o, &m), "limit max_depth") && !m);
    snprintf(path, sizeof path, "%s/chain21.onnx", argv[1]);
    CHECK(rvvnn_options_set_int(o, "max_nodes", 10) == RVVNN_OK);
    CHECK(elimit_naming(rvvnn_model_load_file_with_options(path, o, &m), "limit max_nodes"));
    CHECK(rvvnn_options_set_int(o, "max_nodes", 1 << 20) == RVVNN_OK);
    size_t len = 0;
    void *bytes = read_all(path, &len);
    CHECK(bytes != NULL);
    CHECK(rvvnn_options_set_int(o, "max_file_bytes", 100) == RVVNN_OK);
    CHECK(elimit_naming(rvvnn_model_load_memory_with_options(bytes, len, o, &m), "limit max_file_bytes"));
    CHECK(elimit_naming(rvvnn_model_load_file_with_options(path, o, &m), "limit max_file_bytes"));
    CHECK(rvvnn_options_set_int(o, "max_file_bytes", (int64_t)4 << 30) == RVVNN_OK);
    CHECK(rvvnn_model_load_memory_with_options(bytes, len, o, &m) == RVVNN_OK && m);
    free(bytes);

    /* a session whose intermediates may not exceed 16 bytes */
    rvvnn_session *s = NULL;
    CHECK(rvvnn_options_set_int(o, "max_arena_bytes", 16) == RVVNN_OK);
    CHECK(rvvnn_session_create_from_model(m, o, &s) == RVVNN_OK);
    float x[6] = {1, -2, 3, -4, 5, -6};
    int64_t dims[2] = {2, 3};
    CHECK(rvvnn_session_set_input(s, 0, RVVNN_DTYPE_F32, dims, 2, x, sizeof x) == RVVNN_OK);
    CHECK(elimit_naming(rvvnn_session_run(s), "limit max_arena_bytes"));
    rvvnn_session_free(s);

    /* a module whose tensors are over max_tensor_bytes */
    CHECK(rvvnn_options_set_int(o, "max_arena_bytes", (int64_t)4 << 30) == RVVNN_OK);
    CHECK(rvvnn_options_set_int(o, "max_tensor_bytes", 8) == RVVNN_OK);
    snprintf(path, sizeof path, "%s/ref.rvvmod", argv[1]);
    rvvnn_module *mod = NULL;
    CHECK(elimit_naming(rvvnn_module_load_file_with_options(path, o, &mod), "limit max_tensor_bytes") && !mod);
    CHECK(rvvnn_module_load_file_with_options(path, NULL, &mod) == RVVNN_OK && mod);
    rvvnn_module_free(mod);

    rvvnn_model_free(m);
    rvvnn_options_free(o);
    return check_done();
}
