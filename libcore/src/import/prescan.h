/* prescan.h - wire-format limits check before protobuf-c unpack (see prescan.c). */
#ifndef RVVNN_PRESCAN_H
#define RVVNN_PRESCAN_H

#include "import.h"
#include "onnx.pb-c.h"

int prescan_message(const ProtobufCMessageDescriptor *d, const void *buf, size_t len,
                    const rv_limits *lim, size_t max_decoded, size_t *decoded_bytes);

typedef struct prescan_budget {
    size_t used, limit;
    int refused;   /* an allocation was over the budget */
    int no_memory; /* mem_alloc failed */
} prescan_budget;
void prescan_allocator(prescan_budget *b, size_t limit, ProtobufCAllocator *out);
/* Why protobuf-c's unpack returned NULL, as a status with the message
 * set: out of memory, over the budget, or (otherwise) a malformed
 * message. what names the message ("model", "TensorProto"). */
int prescan_unpack_error(const prescan_budget *b, const char *what);

#endif
