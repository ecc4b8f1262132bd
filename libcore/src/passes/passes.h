/* passes.h - the graph pipeline between import and execution/codegen.
 *
 * passes_run() binds symbolic input dims, infers every static shape,
 * folds constant subgraphs, rewrites exporter patterns into single ops,
 * removes dead nodes, chooses layouts and plans intermediate memory, in that order (pipeline.c is the list). Each pass is one file. */
#ifndef RVVNN_PASSES_H
#define RVVNN_PASSES_H

#include "../ir/ir.h"
#include "../util/limits.h"
#include "../util/status.h"

typedef struct pass_binding {
    const char *name;     /* graph input name */
    int rank;
    int64_t dims[TENSOR_MAX_RANK];
} pass_binding;

typedef struct passes_options {
    const pass_binding *bindings; /* --input-shape name=2x128 */
    int n_bindings;
    size_t fold_limit_bytes;      /* largest constant a fold may create; 0 = default 64 MiB */
    const rv_limits *limits;      /* max_tensor_bytes caps folds too; NULL = defaults */
    int no_canonicalize;          /* keep exporter patterns as they are */
    int no_fuse;                  /* keep MatMul epilogues as separate ops */
    int n_fused;                  /* out: epilogues fused */
    int n_rewrites;               /* out: patterns rewritten */
    int no_fold;                  /* keep every node (debugging, rvvnn check) */
    int verbose;                  /* fill the timings below */
    double pass_ms[12];
    const char *pass_names[12];
    int n_passes;
    const struct custom_ops *custom; /* registered custom ops (ir/custom.h), or NULL */
} passes_options;

int passes_run(ir_model *m, passes_options *opt);

/* The individual passes, in pipeline order. */
int pass_bind_inputs(ir_graph *g, const passes_options *opt);
int pass_infer_shapes(ir_graph *g);
/* The same with custom operators (nodes not in ops.def) resolved. */
int pass_infer_shapes_custom(ir_graph *g, const struct custom_ops *custom);
int pass_fold_constants(ir_graph *g, const passes_options *opt);
/* budget (may be NULL: unlimited) is what all folds together may still
 * create, in bytes; each fold takes its outputs' size from it. */
int pass_fold_constants_n(ir_graph *g, const passes_options *opt, size_t *budget, int *n_folded);
int pass_canonicalize(ir_graph *g, int *n_rewrites);
int pass_fuse_epilogues(ir_graph *g, int *n_fused);
int pass_dce(ir_graph *g);
/* Sets every value's layout (ir/layouts.def) and the graph's conversion
 * and copy counts (layout.c). */
int pass_choose_layouts(ir_graph *g);
/* The layout node n reads its input k in: the one table the layout pass
 * and the packing code generators share. */
int layout_wanted(const ir_graph *g, const ir_node *n, int k);
/* Also makes Concat nodes views where their producers can write side by
 * side into the output (plan.c). */
int pass_plan_memory(ir_graph *g);

#endif
