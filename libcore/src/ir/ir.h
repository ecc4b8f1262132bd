/* ir.h - the graph IR every stage shares: import builds it, passes
 * rewrite it, executors and code generators read it.
 *
 * A graph owns arrays of values (tensors: inputs, constants, node
 * outputs) and nodes that refer to values by index. All strings and
 * constant data live in the model's arena, so a model is freed in one
 * call. Subgraphs (If/Loop bodies) are graphs whose `parent` is the
 * enclosing graph; a name they use but do not define is a VAL_OUTER value
 * resolved by name in the enclosing scope at run time. */
#ifndef RVVNN_IR_H
#define RVVNN_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/mem.h"
#include "../util/strmap.h"
#include "../util/tensor.h"

enum {
    VAL_INTERMEDIATE = 0, /* produced by a node */
    VAL_INPUT,            /* graph input, bound at run time */
    VAL_CONST,            /* initializer, Constant node or folded: t.data set */
    VAL_OUTER,            /* subgraph reference to an enclosing scope's value */
};

typedef struct ir_value {
    const char *name;
    int kind;                 /* VAL_* */
    tensor t;                 /* dtype + shape (+ data for VAL_CONST) */
    const char *dim_param[TENSOR_MAX_RANK]; /* symbolic dim names, NULL if none */
    int producer;             /* producing node index, -1 if none */
    int n_uses;               /* nodes consuming it (+1 per graph output use) */
    bool is_output;           /* listed in the graph's outputs */
    bool dynamic;             /* shape known only at run time */
    int64_t arena_offset;     /* memory plan, -1 = not in the arena */
    uint8_t layout;           /* LAYOUT_* (layouts.def) its consumers read it in; passes/layout.c */
} ir_value;

/* Tensor layouts (layouts.def); 0 = not decided / not recorded. */
enum {
    LAYOUT_NONE = 0,
#define LAYOUT(id, name, what) LAYOUT_##id,
#include "layouts.def"
#undef LAYOUT
    LAYOUT__COUNT
};
/* "plain", "conv-block", ...; "-" for LAYOUT_NONE, "?" out of range. */
const char *ir_layout_name(int layout);

/* ONNX AttributeProto.AttributeType codes. */
enum {
    ATTR_UNDEFINED = 0, ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3,
    ATTR_TENSOR = 4, ATTR_GRAPH = 5, ATTR_FLOATS = 6, ATTR_INTS = 7,
    ATTR_STRINGS = 8,
};

struct ir_graph;

typedef struct ir_attr {
    const char *name;
    int type;            /* ATTR_* */
    float f;
    int64_t i;
    const char *s;       /* STRING: bytes, NUL-terminated, s_len excludes NUL */
    size_t s_len;
    size_t n;            /* element count of floats / ints / strings */
    float *floats;
    int64_t *ints;
    const char **strings;
    tensor *t;           /* TENSOR */
    struct ir_graph *g;  /* GRAPH */
} ir_attr;

typedef struct ir_node {
    const char *name;     /* never NULL: import names unnamed nodes "<op>_<idx>" */
    const char *op_type;  /* as in the model */
    const char *domain;   /* "" for ai.onnx */
    int op;               /* OP_* index into ops.def, or -1 */
    int n_in, n_out;
    int *in;              /* value indices; -1 = optional input omitted */
    int *out;
    int n_attrs;
    ir_attr *attrs;
    /* Values of this graph that the node's subgraphs (If/Loop bodies)
     * read by name: implicit inputs for ordering and lifetime. */
    int *captures, n_captures;
    bool dead;            /* removed by a pass; skipped everywhere */
    /* The memory plan made this node a view: its output already holds
     * its inputs in place (a Concat whose producers write side by side
     * into its buffer, passes/plan.c), so no step copies. The reference
     * executor still runs it, into a buffer of its own. */
    bool view;
} ir_node;

/* ai.onnx opsets the importer accepts (IR 1-2 files without an
 * opset_import count as opset 1); modules record one of these too. */
#define IR_OPSET_MIN 7
#define IR_OPSET_MAX 21

typedef struct ir_graph {
    arena *a;               /* the model's arena (shared with subgraphs) */
    const char *name;
    struct ir_graph *parent;
    int opset;              /* ai.onnx opset in force */
    ir_value *vals;
    int n_vals, cap_vals;
    ir_node *nodes;
    int n_nodes, cap_nodes;
    int *inputs, n_inputs;   /* value indices (non-initializer inputs) */
    int *outputs, n_outputs;
    strmap names;           /* value name -> index */
    int *order;             /* topological order of live nodes, n_order long */
    int n_order;
    size_t arena_bytes;     /* memory plan: size of the intermediate arena */
    size_t sum_intermediate_bytes; /* what it would take without sharing */
    int n_views;            /* memory plan: Concat nodes made views (no copy) */
    int n_layout_conversions; /* layout pass: conversions inserted (run-time tensors) */
    int n_layout_copies;    /* layout pass: constants packed twice (compile time only) */
} ir_graph;

typedef struct ir_model {
    arena a;
    ir_graph *graph;
    int64_t ir_version;
    int opset;
    const char *producer;
    const char *dir;        /* directory of the model file (external data) */
} ir_model;

/* --- building (used by import, passes and tests) --- */
ir_model *ir_model_new(void);
void ir_model_free(ir_model *m);
ir_graph *ir_graph_new(arena *a, ir_graph *parent);
void ir_graph_release(ir_graph *g); /* frees the heap parts (name maps) */
/* Adds a value; returns its index or a negative status. The name is
 * copied. Duplicate names are an error (RV_EGRAPH). */
int ir_add_value(ir_graph *g, const char *name, int kind);
int ir_find_value(const ir_graph *g, const char *name); /* -1 if absent */
/* Adds a node; in/out arrays are copied; returns index or status. */
int ir_add_node(ir_graph *g, const char *name, const char *op_type, const char *domain,
                const int *in, int n_in, const int *out, int n_out);
/* Appends an attribute to node; returns pointer to fill (zeroed) or NULL.
 * The pointer is valid until the next ir_add_attr on the same node. */
ir_attr *ir_add_attr(ir_graph *g, int node, const char *name, int type);

/* --- attribute reading (kernels and shape functions) --- */
const ir_attr *ir_attr_find(const ir_node *n, const char *name);
int64_t ir_attr_int(const ir_node *n, const char *name, int64_t dflt);
float ir_attr_float(const ir_node *n, const char *name, float dflt);
const char *ir_attr_string(const ir_node *n, const char *name, const char *dflt);
/* Returns the ints array (and *count) or NULL (and *count = 0). */
const int64_t *ir_attr_ints(const ir_node *n, const char *name, size_t *count);
const float *ir_attr_floats(const ir_node *n, const char *name, size_t *count);

/* --- analysis --- */
/* Recomputes producer / n_uses / order; RV_EGRAPH naming a node on a
 * cycle, a value used but never defined, or a value defined twice. */
int ir_graph_link(ir_graph *g);
/* Node label for messages: "node 'name' (OpType)". */
const char *ir_node_label(const ir_node *n, char *buf, size_t cap);

#endif
