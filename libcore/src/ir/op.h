/* op.h - the operator registry generated from ops.def, and the context
 * a shape function or reference kernel receives.
 *
 * Every ONNX operator is one row in ops.def naming its arity, its shape
 * function and its reference kernel. A shape function fills the output
 * descriptors (dtype, rank, dims) from the inputs; input data is present
 * for constants (static inference) and always at run time, so an op whose
 * output shape depends on values returns RV_EDYNAMIC when it lacks them.
 * A kernel computes outputs whose storage the executor has allocated from
 * the shapes, except for ops flagged OPF_SELF_ALLOC (If, Loop, ...) which
 * set their output shapes while running and call op_alloc_output(). */
#ifndef RVVNN_OP_H
#define RVVNN_OP_H

#include "ir.h"
#include "../util/status.h"

struct exec_frame;

typedef struct op_ctx {
    const ir_node *node;
    const ir_graph *graph;
    int opset;
    int n_in, n_out;
    tensor *const *in;   /* in[i] NULL when the optional input is omitted */
    tensor *const *out;
    struct exec_frame *frame; /* run-time scope (NULL during static inference) */
} op_ctx;

typedef int (*op_shape_fn)(op_ctx *c);
typedef int (*op_ref_fn)(op_ctx *c);

enum {
    OPF_NONE = 0,
    OPF_NOFOLD = 1,     /* never constant-fold (random, control flow) */
    OPF_SELF_ALLOC = 2, /* kernel allocates its outputs (op_alloc_output) */
    OPF_VIEW = 4,       /* output is the input's bytes reinterpreted (Reshape...) */
};

enum {
#define OP(name, min_in, max_in, min_out, max_out, shape, ref, flags) OP_##name,
#include "ops.def"
#undef OP
    OP__COUNT
};

typedef struct op_info {
    const char *name;
    int min_in, max_in, min_out, max_out;
    op_shape_fn shape;
    op_ref_fn ref;
    int flags;
} op_info;

extern const op_info op_table[OP__COUNT];

/* OP_* for an ai.onnx op type, or -1. */
int op_lookup(const char *domain, const char *op_type);

/* Formats "node 'n' (Op): <message>" into the error slot; returns code. */
int op_error(const op_ctx *c, int code, const char *fmt, ...) RV_PRINTF(3, 4);

/* Allocates out[i]->data for the shape already set (OPF_SELF_ALLOC ops). */
int op_alloc_output(op_ctx *c, int i);

/* Declarations of every shape function and kernel named in ops.def. */
#define OP(name, min_in, max_in, min_out, max_out, shape, ref, flags) \
    int shape(op_ctx *c);                                              \
    int ref(op_ctx *c);
#include "ops.def"
#undef OP

#endif
