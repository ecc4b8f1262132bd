/* codegen.h - lowering a planned graph into a .rvvmod: the target
 * description, the per-op generator table and the context generators
 * emit through. */
#ifndef RVVNN_CODEGEN_H
#define RVVNN_CODEGEN_H

#include "../ir/op.h"
#include "../module/module.h"
#include "../passes/passes.h" /* layout_wanted(): the layout pass decides what generators pack */

typedef struct cg_target {
    unsigned vlen;       /* 0: vector-length agnostic; else the exact VLEN tuned for */
    unsigned min_vlen;   /* smallest VLEN the code must be correct for */
    unsigned elen;       /* 64 (V, Zve64*) or 32 (Zve32*) */
    unsigned ext;        /* MOD_EXT_* */
    int lmul_max;        /* 1, 2, 4 or 8 */
    int no_rvv;          /* every step on the reference kernels */
    char march[128];     /* canonical -march string recorded in the module */
    /* Test-only fault: the named op type's generator drops its vector
     * tail (rvvnn check must catch it). Empty = off. */
    char break_tail_op[32];
} cg_target;

/* Parses -march (rv64gcv, rv64gcv_zvl256b, rv64gc_zve64d, rv64gc_zve32f,
 * ...) or an LLVM-style feature list ("+m,+a,+f,+d,+zvl1024b,+v") into t.
 * vlen_opt: -1 = not given, 0 = force agnostic, N = fixed. */
int cg_target_parse(const char *march, const char *features, int vlen_opt, int lmul_max,
                    cg_target *t);

typedef struct cg_ctx {
    const cg_target *tgt;
    const ir_graph *g;
    modb *mb;
    uint32_t *val_tensor;  /* value index -> module tensor id (UINT32_MAX = none yet) */
    const char *fallback_reason; /* set by a generator that declines */
    int n_rvv, n_ref;      /* step counts */
    int n_views;           /* nodes made views by the plan: no step */
    struct cg_result *res; /* fallback notes go here */
} cg_ctx;

/* A generator declines the node (it runs as a fallback step); why is
 * what `rvvnn compile --verbose` prints. */
static inline int cg_decline(cg_ctx *c, const char *why)
{
    c->fallback_reason = why;
    return RV_EUNSUPPORTED;
}

/* An op's RVV generator: emits one (or more) steps for node n and
 * returns 0, or returns RV_EUNSUPPORTED (setting c->fallback_reason)
 * so the node falls back to the reference kernel. */
typedef int (*cg_fn)(cg_ctx *c, const ir_node *n);

/* Module tensor id of value v (creates it on first use). */
int cg_value_tensor(cg_ctx *c, int v, uint32_t *id);
/* The same for n values into ids (a step's argument list). */
int cg_value_tensors(cg_ctx *c, const int *vals, int n, uint64_t *ids);
/* A new constant tensor (re-laid weights) in WEIGHTS. */
int cg_weight(cg_ctx *c, const char *name, const tensor *t, const void *data, uint32_t *id);
/* The same, written by the caller at *fill (valid until the next tensor). */
int cg_weight_fill(cg_ctx *c, const char *name, const tensor *t, uint32_t *id, void **fill);
/* Input k of node n re-laid as layout (LAYOUT_*): like cg_weight_fill,
 * recording the layout on the module tensor; an internal error unless
 * the layout pass's table (layout_wanted) asks for exactly that layout,
 * so the generator and the layout pass cannot disagree. */
int cg_packed_weight(cg_ctx *c, const ir_node *n, int k, int layout, const char *name, const tensor *t,
                     uint32_t *id, void **fill);
/* Emits an RVV step for node n (name/op from the node). */
int cg_step(cg_ctx *c, const ir_node *n, const uint64_t *ids, uint32_t n_in, uint32_t n_out,
            const int64_t *imm, uint32_t n_imm, const void *code, size_t code_size, uint64_t flops,
            uint64_t bytes);

/* Work (FLOPs) and traffic (bytes) estimates of node n run as a
 * fallback step (cost.c), for `rvvnn inspect`. */
void cg_node_cost(const ir_graph *g, const ir_node *n, uint64_t *flops, uint64_t *bytes);

/* Why nodes fell back, one row per distinct (op, reason), for
 * `rvvnn compile --verbose`; reasons are the generators' static text. */
#define CG_MAX_NOTES 24
typedef struct cg_note {
    char op[48];
    const char *reason;
    int count;
} cg_note;

typedef struct cg_result {
    void *buf;      /* mem_alloc'd module image */
    size_t len;
    int n_rvv, n_ref;
    int n_views;    /* Concat nodes the plan made views: no step */
    cg_note notes[CG_MAX_NOTES];
    int n_notes;    /* rows used; reasons past CG_MAX_NOTES are counted in n_ref only */
} cg_result;

/* Lowers g (after passes_run; shapes must be static) for target t. */
int codegen_module(const ir_model *m, const cg_target *t, cg_result *out);

#endif
