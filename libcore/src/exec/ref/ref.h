/* ref.h - what reference kernels share: the executor entry points, the
 * one parallel loop, broadcasting and small shape helpers.
 *
 * The reference executor is the oracle: it favours exactness and
 * determinism (same bits for any thread count) over speed, but its hot
 * kernels are fast: f32 MatMul/Gemm/Conv share a blocked GEMM with a
 * fixed accumulation order (gemm_core.h), elementwise f32 loops are
 * plain. */
#ifndef RVVNN_REF_H
#define RVVNN_REF_H

#include "../../ir/op.h"
#include "../../util/limits.h"

/* What one run may still allocate (max_tensor_bytes per tensor,
 * max_arena_bytes for the planned arena plus the intermediates on the
 * heap); shared by the frames of the run, subgraphs included. */
typedef struct ref_budget {
    uint64_t max_tensor_bytes, max_arena_bytes, max_step_ms;
    uint64_t arena_bytes;   /* the planned arena, allocated up front */
    uint64_t heap_bytes;    /* heap intermediates live now */
} ref_budget;

/* Run-time scope of one graph execution: value index -> tensor. Subgraph
 * frames point at their parent so VAL_OUTER names resolve. */
typedef struct exec_frame {
    const ir_graph *g;
    tensor **vals;          /* per value: current tensor (NULL = not yet) */
    unsigned char *owned;   /* per value: data is heap-owned by this frame */
    struct exec_frame *parent;
    int threads;
    void *arena_base;       /* the planned intermediate arena, or NULL */
    ref_budget *budget;     /* NULL: unlimited (static folding) */
    uint64_t *charged;      /* per value: heap bytes counted in budget */
} exec_frame;

typedef struct ref_options {
    int threads;          /* 0 = OpenMP default */
    int use_plan;         /* place intermediates per the memory plan */
    /* Optional per-node hook (rvvnn check dumps intermediates with it). */
    int (*on_node)(void *user, const ir_graph *g, int node, tensor *const *outs, int n_out);
    void *user;
    /* Operators registered through the API for nodes not in ops.def
     * (ir/custom.h); NULL = none. Top-level graph only. */
    const struct custom_ops *custom;
    const rv_limits *limits; /* max_tensor_bytes, max_arena_bytes, max_step_ms; NULL = defaults */
} ref_options;

/* Runs graph g. inputs[i] binds g->inputs[i] (shapes must be concrete);
 * outputs[i] receive heap-allocated data the caller frees with mem_free
 * (outputs[i].data). */
int ref_run(const ir_graph *g, const ref_options *opt, const tensor *inputs, tensor *outputs);
/* Runs a subgraph with a parent frame (If/Loop bodies). */
int ref_run_frame(const ir_graph *g, exec_frame *parent, const tensor *inputs, tensor *outputs);

/* Runs one node of g on the given input tensors (NULL for omitted
 * optional inputs): shape function, allocation, kernel. outs[k].data is
 * mem_alloc'd (caller frees). Used by rvvnn check to re-run a step on
 * the inputs a module actually saw. */
int ref_run_node(const ir_graph *g, int node, tensor *const *ins, tensor *outs);

/* The single OpenMP parallel site: calls fn(arg, begin, end) over
 * [0, n) in contiguous chunks. Each index is processed exactly once and
 * by code that does not depend on the chunking, so results are the same
 * for any thread count. grain = minimum items per chunk. */
void ref_parallel_for(int64_t n, int64_t grain, void (*fn)(void *arg, int64_t begin, int64_t end),
                      void *arg);
void ref_set_threads(int threads); /* 0 = OpenMP default */
int ref_get_threads(void);

/* Wall-time limit of one step (max_step_ms) for this thread: the
 * deadline is the earlier of any enclosing step's and now + ms (0 = no
 * new limit). ref_parallel_for stops handing out chunks once it has
 * passed, so a long kernel ends early with garbage that ref_step_end
 * turns into RV_ELIMIT. Steps nest (subgraphs): end restores saved. */
typedef struct ref_deadline {
    int64_t at_ns;     /* CLOCK_MONOTONIC; 0 = none */
    int expired;
} ref_deadline;
ref_deadline ref_step_begin(uint64_t ms);
/* 1 if this step's deadline passed (the caller reports the error). */
int ref_step_end(ref_deadline saved);
/* 1 once the current step's deadline has passed (long-running code that
 * is not a ref_parallel_for loop - the emulator - polls it). */
int ref_step_expired(void);

/* --- shape helpers shared by shape functions --- */
/* out gets dtype+shape of in[0]. */
int shape_copy_from(tensor *out, const tensor *in);
/* numpy multidirectional broadcast of a and b into out (dims only). */
int shape_broadcast_dims(const op_ctx *c, const tensor *a, const tensor *b, tensor *out);
/* Normalises axis in [-rank, rank) (or [-rank-1, rank] when extra=1). */
int norm_axis(const op_ctx *c, int64_t axis, int rank, int extra, int *out);
/* Resize's taps along axis d for output index o, as ref_resize computes
 * them (for codegen/resize.c): fills up to 4 (index, weight) pairs and
 * returns their count, 0 where the output is the extrapolation value, or
 * a negative status. c's inputs 1..3 (roi, scales, sizes) need data. */
/* One element of a float unary op (Relu, Sigmoid, HardSwish, ...) as ref_unary computes it. */
double ref_unary_f64(const ir_node *n, double x);
int ref_resize_taps(op_ctx *c, int d, int64_t o, int64_t *idx, double *w);
/* Reads a 1-D int64/int32 constant input into vals (max n); RV_EDYNAMIC
 * when the input's data is not known. */
int read_int_list(const op_ctx *c, int input, int64_t *vals, int max, int *count);
/* 0 when input holds at least one element (a scalar operand read as
 * element 0), else RV_ESHAPE naming the input: a module may hand any
 * tensor to any operand. */
int need_scalar(const op_ctx *c, int input);

/* Broadcast iteration: for an output of shape `out` and an input of shape
 * `in` (right-aligned, dims 1 broadcast), element strides of the input
 * per output dim (0 where broadcast). */
void broadcast_strides(const tensor *out, const tensor *in, int64_t *strides);
/* Element offset in an input (strides from broadcast_strides) of flat
 * output index i. */
int64_t broadcast_offset(const tensor *out, int64_t i, const int64_t *strides);

#endif
