/* import.h - reading ONNX models and TensorProto files into the IR.
 *
 * Untrusted bytes pass three gates: a size check, a pre-scan of the wire
 * format (nesting depth, element counts, an estimate of the decoded size)
 * and a budgeted allocator during protobuf-c's unpack, because protobuf-c
 * itself has no limits (deep nesting overflows its stack; crafted files
 * amplify memory ~77x). Every error names the graph, node, input or
 * attribute it concerns. */
#ifndef RVVNN_IMPORT_H
#define RVVNN_IMPORT_H

#include "../ir/ir.h"

typedef struct import_limits {
    size_t max_file_bytes;     /* model / tensor file size (default 2 GiB) */
    int max_depth;             /* message nesting (default 64) */
    size_t max_nodes;          /* nodes over all graphs (default 1M) */
    size_t max_decoded_bytes;  /* unpacked size budget (default 64 MiB + 8 x file) */
    size_t max_tensor_bytes;   /* one tensor's data (default 4 GiB) */
} import_limits;

void import_limits_default(import_limits *lim);
/* in (or the defaults when NULL) with derived limits filled for a file
 * of len bytes. */
void import_limits_resolve(const import_limits *in, size_t len, import_limits *out);

/* The directory of path ("." when it has none), for external data. */
void import_dir_of(const char *path, char *dir, size_t cap);
/* Loads path; external data resolves beneath the file's directory. */
int import_onnx_file(const char *path, const import_limits *lim, ir_model **out);
/* Loads from memory; dir (may be NULL: then external data is refused)
 * is where external data files are looked up. */
int import_onnx_buffer(const void *buf, size_t len, const char *dir, const import_limits *lim,
                       ir_model **out);
/* Decodes a serialized TensorProto (ONNX test data .pb). out->data is
 * mem_alloc'd (caller frees); name (may be NULL) receives the tensor's
 * name into a caller buffer of name_cap bytes. */
int import_tensor_pb(const void *buf, size_t len, const import_limits *lim, tensor *out,
                     char *name, size_t name_cap);


#endif
