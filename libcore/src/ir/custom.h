/* custom.h - operators registered at run time (rvvnn_register_op), for
 * nodes whose domain/op type is not in ops.def.
 *
 * The core knows them only through this table: shape inference
 * (passes/infer.c) and the reference executor (exec/ref/run.c) consult it
 * for a node with op < 0, and nothing else does, so constant folding
 * skips custom nodes and codegen refuses them. The callbacks receive the
 * node (for attributes) and the same tensor descriptors built-in ops get;
 * the public API adapts them to rvvnn_tensor handles. */
#ifndef RVVNN_CUSTOM_H
#define RVVNN_CUSTOM_H

#include "ir.h"

#include <string.h>

typedef int (*custom_fn)(void *user, const ir_node *n, tensor *const *in, int n_in,
                         tensor *const *out, int n_out);

typedef struct custom_op {
    const char *domain;   /* "" = ai.onnx */
    const char *op_type;
    custom_fn shape;      /* sets out[k] dtype/rank/dims; may return RV_EDYNAMIC */
    custom_fn run;        /* fills out[k]->data (allocated by the executor) */
    void *user;           /* passed back to shape and run */
} custom_op;

typedef struct custom_ops {
    const custom_op *ops;
    int n;
} custom_ops;

static inline int custom_domain_eq(const char *a, const char *b)
{
    if (!strcmp(a, "ai.onnx"))
        a = "";
    if (!strcmp(b, "ai.onnx"))
        b = "";
    return !strcmp(a, b);
}

/* The registration for node n, or NULL. The last registration wins. */
static inline const custom_op *custom_ops_find(const custom_ops *t, const ir_node *n)
{
    for (int i = t ? t->n - 1 : -1; i >= 0; i--)
        if (!strcmp(t->ops[i].op_type, n->op_type) && custom_domain_eq(t->ops[i].domain, n->domain))
            return &t->ops[i];
    return NULL;
}

#endif
