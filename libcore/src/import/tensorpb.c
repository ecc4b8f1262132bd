/* tensorpb.c - TensorProto -> tensor: element type, dims and data from
 * raw_data, the typed repeated fields, or external data. Every count and
 * length is checked against the shape before a byte is copied. Assumes a
 * little-endian host, like ONNX's raw_data layout (riscv64 and x86-64). */
#include "tensorpb.h"
#include "../util/status.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int tp_fail(const Onnx__TensorProto *tp, int code, const char *what)
{
    return err_set(code, "tensor '%s': %s", tp->name ? tp->name : "", what);
}

static void *tp_alloc(arena *a, size_t n)
{
    return a ? arena_alloc(a, n) : mem_alloc(n ? n : 1);
}

int tensorpb_decode(const Onnx__TensorProto *tp, arena *a, const char *dir,
                    const rv_limits *lim, tensor *out)
{
    char msg[160];
    memset(out, 0, sizeof *out);
    int dt = tp->data_type;
    if (!dtype_size(dt)) {
        snprintf(msg, sizeof msg, "element type %d is not supported (string, complex and 8/4-bit "
                 "floats are not)", dt);
        return tp_fail(tp, RV_EUNSUPPORTED, msg);
    }
    if (tp->n_dims > TENSOR_MAX_RANK) {
        snprintf(msg, sizeof msg, "rank %zu exceeds the supported %d", tp->n_dims, TENSOR_MAX_RANK);
        return tp_fail(tp, RV_ELIMIT, msg);
    }
    if (tp->segment)
        return tp_fail(tp, RV_EUNSUPPORTED, "segmented tensors are not supported");
    out->dtype = dt;
    out->rank = (int)tp->n_dims;
    for (size_t i = 0; i < tp->n_dims; i++) {
        if (tp->dims[i] < 0) {
            snprintf(msg, sizeof msg, "dimension %zu is negative (%lld)", i, (long long)tp->dims[i]);
            return tp_fail(tp, RV_EFORMAT, msg);
        }
        out->dims[i] = tp->dims[i];
    }
    size_t nb;
    int64_t n;
    int rc = tensor_numel(out, &n);
    if (rc)
        return err_wrap(rc, "tensor '%s'", tp->name ? tp->name : "");
    nb = (size_t)n * dtype_size(dt);
    if (nb > lim->max_tensor_bytes) {
        snprintf(msg, sizeof msg, "%zu bytes exceed the limit max_tensor_bytes (%llu)", nb,
                 (unsigned long long)lim->max_tensor_bytes);
        return tp_fail(tp, RV_ELIMIT, msg);
    }
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        int fd;
        uint64_t off;
        if ((rc = extdata_open(tp, dir, nb, &fd, &off)))
            return rc;
        void *data = tp_alloc(a, nb);
        if (!data) {
            close(fd);
            return tp_fail(tp, RV_ENOMEM, "out of memory for external data");
        }
        rc = extdata_read(tp, fd, off, nb, data);
        if (rc) {
            if (!a)
                mem_free(data);
            return rc;
        }
        out->data = data;
        out->nbytes = nb;
        return 0;
    }
    /* exactly one source must hold numel elements */
    size_t count = 0;
    int src = 0;
    if (tp->has_raw_data) {
        if (tp->raw_data.len != nb) {
            snprintf(msg, sizeof msg, "raw_data has %zu bytes, shape %lld elements x %zu bytes = %zu",
                     tp->raw_data.len, (long long)n, dtype_size(dt), nb);
            return tp_fail(tp, RV_EFORMAT, msg);
        }
        src = 1;
    } else {
        switch (dt) {
        case DT_F32: count = tp->n_float_data; src = 2; break;
        case DT_I64: count = tp->n_int64_data; src = 3; break;
        case DT_F64: count = tp->n_double_data; src = 4; break;
        case DT_U32: case DT_U64: count = tp->n_uint64_data; src = 5; break;
        default: count = tp->n_int32_data; src = 6; break; /* int32 and narrower, bool, f16 bits */
        }
        if (count != (size_t)n) {
            snprintf(msg, sizeof msg, "has %zu data elements, its shape needs %lld", count, (long long)n);
            return tp_fail(tp, RV_EFORMAT, msg);
        }
    }
    void *data = tp_alloc(a, nb);
    if (!data)
        return tp_fail(tp, RV_ENOMEM, "out of memory for tensor data");
    out->data = data;
    out->nbytes = nb;
    switch (src) {
    case 1: if (nb) memcpy(data, tp->raw_data.data, nb); break;
    case 2: if (nb) memcpy(data, tp->float_data, nb); break;
    case 3: if (nb) memcpy(data, tp->int64_data, nb); break;
    case 4: if (nb) memcpy(data, tp->double_data, nb); break;
    case 5:
        for (int64_t i = 0; i < n; i++)
            tensor_set_i64(out, i, (int64_t)tp->uint64_data[i]);
        break;
    case 6:
        for (int64_t i = 0; i < n; i++) {
            int32_t v = tp->int32_data[i];
            if (dt == DT_F16 || dt == DT_BF16)
                ((uint16_t *)data)[i] = (uint16_t)v; /* the bits, per the spec */
            else
                tensor_set_i64(out, i, v);
        }
        break;
    }
    return 0;
}

int import_tensor_pb(const void *buf, size_t len, const rv_limits *lim_in, tensor *out,
                     char *name, size_t name_cap)
{
    const rv_limits *lim = limits_or_default(lim_in);
    memset(out, 0, sizeof *out);
    if (len > lim->max_file_bytes)
        return err_set(RV_ELIMIT, "TensorProto: %zu bytes exceed the limit max_file_bytes (%llu)", len,
                       (unsigned long long)lim->max_file_bytes);
    size_t budget;
    int rc = prescan_message(&onnx__tensor_proto__descriptor, buf, len, lim, import_decoded_budget(len),
                             &budget);
    if (rc)
        return err_wrap(rc, "TensorProto");
    prescan_budget b;
    ProtobufCAllocator al;
    prescan_allocator(&b, budget * 2 + 4096, &al);
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(&al, len, buf);
    if (!tp)
        return prescan_unpack_error(&b, "TensorProto");
    if (name && name_cap) {
        snprintf(name, name_cap, "%s", tp->name ? tp->name : "");
    }
    rc = tensorpb_decode(tp, NULL, NULL, lim, out);
    onnx__tensor_proto__free_unpacked(tp, &al);
    return rc;
}
