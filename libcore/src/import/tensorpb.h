/* tensorpb.h - TensorProto decoding and external data (import-internal). */
#ifndef RVVNN_TENSORPB_H
#define RVVNN_TENSORPB_H

#include "prescan.h"

/* Decodes tp into out; data goes into arena a, or mem_alloc when a is
 * NULL. dir: where external data lives (NULL refuses external data). */
int tensorpb_decode(const Onnx__TensorProto *tp, arena *a, const char *dir,
                    const import_limits *lim, tensor *out);
/* Reads exactly nb bytes of tp's external data into dst. */
int extdata_read(const Onnx__TensorProto *tp, const char *dir, size_t nb, void *dst);

#endif
