/* npy.h - NumPy .npy files (format 1.0/2.0/3.0, little-endian, C order)
 * to and from tensors, and atomic file writes. */
#ifndef RVVNN_NPY_H
#define RVVNN_NPY_H

#include "tensor.h"

/* Parses an .npy image; out->data is mem_alloc'd. Errors name the field. */
int npy_decode(const void *buf, size_t len, tensor *out);
/* Serialises t into a mem_alloc'd buffer. */
int npy_encode(const tensor *t, void **buf, size_t *len);
/* Encodes t and writes it to path atomically (file_write_atomic). */
int npy_save(const char *path, const tensor *t);
/* Reads a whole regular file (at most max_bytes) into a mem_alloc'd
 * buffer; errors name the path. */
int file_read_all(const char *path, size_t max_bytes, void **buf, size_t *len);
/* Writes len bytes to path via a temporary file in the same directory
 * and rename(2), so a failure never leaves a partial file at path. */
int file_write_atomic(const char *path, const void *buf, size_t len);

#endif
