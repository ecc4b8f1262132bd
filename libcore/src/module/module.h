/* module.h - building (compile side) and loading (run side) .rvvmod
 * modules; the layout itself is in format.h. */
#ifndef RVVNN_MODULE_H
#define RVVNN_MODULE_H

#include "format.h"
#include "../ir/ir.h"

/* ---- building ---- */
typedef struct bytebuf {
    unsigned char *p;
    size_t len, cap;
} bytebuf;

int bytebuf_append(bytebuf *b, const void *data, size_t n);
int bytebuf_reserve(bytebuf *b, size_t cap); /* capacity only */
int bytebuf_align(bytebuf *b, size_t align);
void bytebuf_free(bytebuf *b);

typedef struct modb {
    bytebuf sec[SEC__COUNT];
    strmap strings;        /* dedup of names */
    uint32_t n_tensors, n_steps, n_inputs, n_outputs;
    mod_header hdr;        /* flags, ext, vlen, min_vlen, arena_bytes, opset, march */
} modb;

void modb_init(modb *b);
void modb_free(modb *b);
int modb_string(modb *b, const char *s, uint32_t *off);
/* Adds a tensor descriptor; returns its id in *id. For MOD_T_WEIGHT
 * with data != NULL the bytes are appended to WEIGHTS (64-byte aligned)
 * and offset is ignored. */
int modb_tensor(modb *b, const char *name, const tensor *t, int place, uint64_t offset,
                const void *data, uint32_t *id);
/* A WEIGHT tensor whose bytes the caller writes at *fill (valid until the
 * next tensor is added): re-laid weights go straight into WEIGHTS. */
int modb_weight_fill(modb *b, const char *name, const tensor *t, uint32_t *id, void **fill);
/* Records the layout (LAYOUT_*, ir/layouts.def) of tensor id; tensors
 * are LAYOUT_PLAIN unless a generator re-laid them. */
int modb_tensor_layout(modb *b, uint32_t id, int layout);
/* A fallback step running node n on the reference kernel, or - for a
 * node outside ops.def (n->op < 0) - a CUSTOM step naming its
 * registered operator. ids: n_in input ids then n_out output ids
 * (MOD_NO_TENSOR for omitted ones). */
int modb_step_ref(modb *b, const ir_node *n, const uint64_t *ids, uint32_t n_in, uint32_t n_out,
                  uint64_t flops, uint64_t bytes);
/* An RVV step: code is appended to CODE (aligned to 16 bytes). */
int modb_step_rvv(modb *b, const char *name, const char *op, const uint64_t *ids, uint32_t n_in,
                  uint32_t n_out, const int64_t *imm, uint32_t n_imm, const void *code,
                  size_t code_size, uint64_t flops, uint64_t bytes);
/* Serialises the module into one mem_alloc'd buffer (reusing WEIGHTS's;
 * b is spent afterwards: only modb_free may follow). */
int modb_finish(modb *b, void **out, size_t *len);

/* ---- loading ---- */
#include "../util/limits.h"

typedef struct rvv_module {
    unsigned char *buf;        /* the file image (owned) */
    size_t len;
    const mod_header *hdr;
    const mod_tensor *tensors;
    const mod_step *steps;
    const uint64_t *args;
    size_t n_args;
    const char *strings;
    size_t strings_size;
    const unsigned char *attrs, *code, *weights;
    int *input_tensor, *output_tensor; /* module io index -> tensor id */
    /* fallback steps rebuilt as IR nodes (attributes decoded) */
    arena a;
    ir_graph *g;               /* holds the nodes; opset from the header */
    int *step_node;            /* step -> node index in g (REF and CUSTOM steps), else -1 */
    uint32_t n_custom;         /* CUSTOM steps */
} rvv_module;

/* Validates every header field, offset, size, count and alignment, then
 * decodes fallback steps; lim (NULL = defaults) bounds the file, the
 * arena and each tensor. Takes ownership of buf (mem_alloc'd) on
 * success and on failure. */
int module_load(void *buf, size_t len, const rv_limits *lim, rvv_module **out);
int module_load_file(const char *path, const rv_limits *lim, rvv_module **out);
/* module_load on a copy of buf (the caller keeps buf). */
int module_load_copy(const void *buf, size_t len, const rv_limits *lim, rvv_module **out);
void module_free(rvv_module *m);
const char *module_str(const rvv_module *m, uint32_t off);
/* Fills t (dtype, rank, dims, nbytes; data NULL) from tensor id. */
void module_tensor_desc(const rvv_module *m, uint32_t id, tensor *t);
int module_is_module(const void *buf, size_t len); /* magic check */

#endif
