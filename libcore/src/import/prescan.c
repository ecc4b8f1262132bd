/* prescan.c - walks protobuf wire format before protobuf-c unpacks it.
 *
 * Guided by protobuf-c's own message descriptors, it visits every field,
 * recursing into sub-messages, and rejects: malformed varints/lengths,
 * nesting deeper than the limit, more nodes than the limit, and files
 * whose unpacked size (message structs, repeated-field arrays, strings)
 * would exceed the byte budget. It allocates nothing, and its recursion
 * depth is bounded by the limit it enforces. */
#include "prescan.h"
#include "../util/status.h"

#include <string.h>

typedef struct scan {
    const uint8_t *base;
    size_t decoded;
    size_t nodes;
    const rv_limits *lim;
    size_t max_decoded;
} scan;

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static size_t field_elem_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

static int scan_message(scan *s, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                        const uint8_t *end, int depth)
{
    if ((uint64_t)depth > s->lim->max_depth)
        return err_set(RV_ELIMIT, "byte %zu: messages nested deeper than %llu levels (limit max_depth)",
                       (size_t)(p - s->base), (unsigned long long)s->lim->max_depth);
    /* The struct itself, and (pessimistically) one array slot per
     * repeated element: protobuf-c sizes arrays exactly. */
    s->decoded += d->sizeof_message + 16;
    if (d == &onnx__node_proto__descriptor && ++s->nodes > s->lim->max_nodes)
        return err_set(RV_ELIMIT, "more than %llu nodes (limit max_nodes)",
                       (unsigned long long)s->lim->max_nodes);
    while (p < end) {
        size_t at = (size_t)(p - s->base);
        uint64_t key, len, v;
        if (read_varint(&p, end, &key))
            return err_set(RV_EFORMAT, "byte %zu: truncated or invalid field tag in %s", at, d->name);
        uint32_t num = (uint32_t)(key >> 3), wire = (uint32_t)(key & 7);
        if (num == 0 || (key >> 3) > 0x1fffffff)
            return err_set(RV_EFORMAT, "byte %zu: invalid field number in %s", at, d->name);
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, num);
        switch (wire) {
        case 0:
            if (read_varint(&p, end, &v))
                return err_set(RV_EFORMAT, "byte %zu: truncated varint in %s", at, d->name);
            if (f && f->label == PROTOBUF_C_LABEL_REPEATED)
                s->decoded += field_elem_size(f);
            break;
        case 1:
        case 5: {
            size_t w = wire == 1 ? 8 : 4;
            if ((size_t)(end - p) < w)
                return err_set(RV_EFORMAT, "byte %zu: truncated fixed-width field in %s", at, d->name);
            p += w;
            if (f && f->label == PROTOBUF_C_LABEL_REPEATED)
                s->decoded += field_elem_size(f);
            break;
        }
        case 2:
            if (read_varint(&p, end, &len) || len > (uint64_t)(end - p))
                return err_set(RV_EFORMAT, "byte %zu: length-delimited field %u of %s runs past the end "
                               "of its enclosing message (truncated or corrupt file)", at, num, d->name);
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (f->label == PROTOBUF_C_LABEL_REPEATED)
                    s->decoded += sizeof(void *);
                int rc = scan_message(s, f->descriptor, p, p + len, depth + 1);
                if (rc)
                    return rc;
            } else if (f && (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_BYTES)) {
                s->decoded += (size_t)len + 1 + field_elem_size(f);
            } else if (f) {
                /* packed repeated scalars: fixed-width ones decode to their
                 * own size; varints to at most one element per byte */
                int fixed = f->type == PROTOBUF_C_TYPE_FLOAT || f->type == PROTOBUF_C_TYPE_DOUBLE ||
                            f->type == PROTOBUF_C_TYPE_FIXED32 || f->type == PROTOBUF_C_TYPE_SFIXED32 ||
                            f->type == PROTOBUF_C_TYPE_FIXED64 || f->type == PROTOBUF_C_TYPE_SFIXED64;
                s->decoded += fixed ? (size_t)len : (size_t)len * field_elem_size(f);
            }
            p += len;
            break;
        default:
            return err_set(RV_EFORMAT, "byte %zu: unsupported wire type %u (field %u of %s)", at, wire,
                           num, d->name);
        }
        if (s->decoded > s->max_decoded)
            return err_set(RV_ELIMIT, "byte %zu: decoding would need more than %zu bytes (the decode "
                           "budget: 64 MiB + 8 x the file size)", at, s->max_decoded);
    }
    return 0;
}

int prescan_message(const ProtobufCMessageDescriptor *d, const void *buf, size_t len,
                    const rv_limits *lim, size_t max_decoded, size_t *decoded_bytes)
{
    scan s = {buf, 0, 0, limits_or_default(lim), max_decoded};
    int rc = scan_message(&s, d, buf, (const uint8_t *)buf + len, 0);
    if (!rc && decoded_bytes)
        *decoded_bytes = s.decoded;
    return rc;
}

/* protobuf-c allocator that refuses to go past the scan's estimate (with
 * slack): the last line of defence if the estimate were ever wrong. */
static void *budget_alloc(void *data, size_t size)
{
    prescan_budget *b = data;
    if (size > b->limit || b->used > b->limit - size) {
        b->refused = 1;
        return NULL;
    }
    size_t *p = size <= SIZE_MAX - sizeof(size_t) * 2 ? mem_alloc(size + sizeof(size_t) * 2) : NULL;
    if (!p) {
        b->no_memory = 1;
        return NULL;
    }
    b->used += size;
    p[0] = size;
    return p + 2;
}

static void budget_free(void *data, void *ptr)
{
    prescan_budget *b = data;
    if (!ptr)
        return;
    size_t *p = (size_t *)ptr - 2;
    b->used -= p[0];
    mem_free(p);
}

void prescan_allocator(prescan_budget *b, size_t limit, ProtobufCAllocator *out)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
    out->alloc = budget_alloc;
    out->free = budget_free;
    out->allocator_data = b;
}

int prescan_unpack_error(const prescan_budget *b, const char *what)
{
    if (b->no_memory)
        return err_set(RV_ENOMEM, "%s: out of memory decoding protobuf", what);
    if (b->refused)
        return err_set(RV_EINTERNAL, "%s: decoding needs more memory than the pre-scan estimated (%zu "
                       "bytes)", what, b->limit);
    return err_set(RV_EFORMAT, "%s: protobuf decoding failed (corrupt file, or not %s)", what,
                   strcmp(what, "model") == 0 ? "an ONNX model" : "a serialized TensorProto");
}
