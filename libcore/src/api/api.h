/* api.h - what the public API's handles are inside, shared by the files
 * of libcore/src/api (one per handle type). Nothing outside src/api
 * includes it: the core never sees rvvnn_* types. */
#ifndef RVVNN_API_INTERNAL_H
#define RVVNN_API_INTERNAL_H

#include "rvvnn.h"
#include "../ir/custom.h"
#include "../ir/ir.h"
#include "../module/module.h"
#include "../passes/passes.h"
#include "../util/limits.h"
#include "../util/mem.h"
#include "../util/status.h"

#define API_MAX_BINDINGS 64
#define API_MAX_IO 256

/* One registered custom op, with the public callbacks the adapter in
 * tensor.c calls. */
typedef struct api_custom {
    char *domain, *op_type;
    rvvnn_op_fn fn;
    rvvnn_shape_fn shape_fn;
    void *user;
} api_custom;

struct rvvnn_options {
    char *march, *features, *executor, *qemu_cpu, *runtime;
    int64_t vlen, lmul_max, threads, qemu_vlen, no_rvv;
    rv_limits limits;      /* the int keys named in util/limits.def */
    pass_binding bindings[API_MAX_BINDINGS]; /* names are heap copies */
    int n_bindings;
    api_custom *customs;
    int n_customs;
};

/* Options resolved for one compile or session: an owned deep copy, so
 * the caller may change or free its options afterwards. */
typedef struct api_opts {
    rvvnn_options o;
    custom_op *table;      /* core view of o.customs (ir/custom.h) */
    custom_ops custom;
} api_opts;

int api_opts_copy(const rvvnn_options *src, api_opts *out);
void api_opts_release(api_opts *o);

struct rvvnn_model {
    void *bytes;           /* the ONNX file image: every compile/session re-imports it */
    size_t len;
    char *dir;             /* external data base directory, or NULL */
    rv_limits limits;      /* what it was loaded with: re-imports use the same */
    ir_model *ir;          /* imported once for names (never mutated) */
};

/* A fresh, mutable IR of the model (passes rewrite it). */
int api_model_import(const rvvnn_model *m, ir_model **out);

struct rvvnn_module {
    rvv_module *mod;       /* owns the image */
};

struct rvvnn_tensor {
    tensor *t;
    int shape_writable;    /* custom-op shape function outputs only */
    const ir_node *node;   /* custom-op arguments: the node (attributes), else NULL */
};

/* The core-side callbacks (ir/custom.h) that present tensors to a
 * user's rvvnn_op_fn / rvvnn_shape_fn as rvvnn_tensor handles. */
int api_custom_shape(void *user, const ir_node *n, tensor *const *in, int n_in, tensor *const *out,
                     int n_out);
int api_custom_run(void *user, const ir_node *n, tensor *const *in, int n_in, tensor *const *out,
                   int n_out);

/* Status from a user callback: must be 0 or a negative code. */
int api_check_callback_status(int rc, const ir_node *n, const char *what);

/* Argument checks that set the message and return RV_EINVAL. */
#define API_NONNULL(p)                                                        \
    do {                                                                      \
        if (!(p))                                                             \
            return err_set(RV_EINVAL, "%s: argument '%s' is NULL", __func__, #p); \
    } while (0)

/* Copies a NUL-terminated string into a mem_alloc'd buffer (NULL on
 * failure or when s is NULL). */
char *api_strdup(const char *s);

#endif
