/* tensorpb.h - TensorProto decoding and external data (import-internal). */
#ifndef RVVNN_TENSORPB_H
#define RVVNN_TENSORPB_H

#include "prescan.h"

/* Decodes tp into out; data goes into arena a, or mem_alloc when a is
 * NULL. dir: where external data lives (NULL refuses external data). */
int tensorpb_decode(const Onnx__TensorProto *tp, arena *a, const char *dir,
                    const rv_limits *lim, tensor *out);
/* Opens tp's external data beneath dir and checks that nb bytes exist
 * at its offset: *fd and *offset are then ready for extdata_read, so no
 * memory is allocated for data a file does not have. */
int extdata_open(const Onnx__TensorProto *tp, const char *dir, size_t nb, int *fd, uint64_t *offset);
/* Reads exactly nb bytes at offset into dst and closes fd. */
int extdata_read(const Onnx__TensorProto *tp, int fd, uint64_t offset, size_t nb, void *dst);

#endif
