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
#include "../util/limits.h"

/* What protobuf-c may allocate unpacking a file of len bytes: 64 MiB +
 * 8 x the file. Eight because a one-byte varint can unpack into an
 * 8-byte int64; the pre-scan estimates the real figure, which must fit. */
size_t import_decoded_budget(size_t len);

/* The directory of path ("." when it has none), for external data. */
void import_dir_of(const char *path, char *dir, size_t cap);
/* Loads path; external data resolves beneath the file's directory. */
int import_onnx_file(const char *path, const rv_limits *lim, ir_model **out);
/* Loads from memory; dir (may be NULL: then external data is refused)
 * is where external data files are looked up. */
int import_onnx_buffer(const void *buf, size_t len, const char *dir, const rv_limits *lim,
                       ir_model **out);
/* Decodes a serialized TensorProto (ONNX test data .pb). out->data is
 * mem_alloc'd (caller frees); name (may be NULL) receives the tensor's
 * name into a caller buffer of name_cap bytes. */
int import_tensor_pb(const void *buf, size_t len, const rv_limits *lim, tensor *out,
                     char *name, size_t name_cap);


#endif
