/* tensor.c - dtype table, overflow-checked sizes, generic element access
 * and half-precision conversion (IEEE binary16 and bfloat16). */
#include "tensor.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

size_t dtype_size(int dt)
{
    switch (dt) {
#define X(name, code, size, ctype, sfx) case code: return size;
#include "dtype.def"
#undef X
    }
    return 0;
}

const char *dtype_name(int dt)
{
    switch (dt) {
#define X(name, code, size, ctype, sfx) case code: return #name;
#include "dtype.def"
#undef X
    }
    return "?";
}

const char *dtype_suffix(int dt)
{
    switch (dt) {
#define X(name, code, size, ctype, sfx) case code: return sfx;
#include "dtype.def"
#undef X
    }
    return "?";
}

int dtype_from_suffix(const char *s, size_t n)
{
#define X(name, code, size, ctype, sfx) \
    if (n == sizeof(sfx) - 1 && memcmp(s, sfx, n) == 0) return code;
#include "dtype.def"
#undef X
    return DT_UNDEFINED;
}

int dtype_is_float(int dt)
{
    return dt == DT_F32 || dt == DT_F64 || dt == DT_F16 || dt == DT_BF16;
}

int dtype_is_int(int dt) { return dtype_size(dt) && !dtype_is_float(dt); }

int tensor_numel(const tensor *t, int64_t *out)
{
    int64_t n = 1;
    if (t->rank < 0 || t->rank > TENSOR_MAX_RANK)
        return err_set(RV_ESHAPE, "unknown or invalid rank %d", t->rank);
    for (int i = 0; i < t->rank; i++) {
        int64_t d = t->dims[i];
        if (d < 0)
            return err_set(RV_ESHAPE, "dimension %d is %lld (unknown or negative)", i, (long long)d);
        if (d && n > TENSOR_MAX_NUMEL / d)
            return err_set(RV_ELIMIT, "dimension %d (%lld): element count exceeds the limit 2^40", i,
                           (long long)d);
        n *= d;
    }
    *out = n;
    return 0;
}

int tensor_byte_size(const tensor *t, size_t *out)
{
    int64_t n = 0;
    int rc = tensor_numel(t, &n);
    if (rc)
        return rc;
    size_t es = dtype_size(t->dtype);
    if (!es)
        return err_set(RV_ETYPE, "unsupported element type %d", t->dtype);
    *out = (size_t)n * es;
    return 0;
}

int shape_equal(const tensor *a, const tensor *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

const char *tensor_shape_str(const tensor *t, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = 0;
    if (t->rank < 0) {
        snprintf(buf, n, "?x%s", dtype_suffix(t->dtype));
        return buf;
    }
    for (int i = 0; i < t->rank && off < n; i++) {
        if (t->dims[i] < 0)
            off += (size_t)snprintf(buf + off, n - off, "?x");
        else
            off += (size_t)snprintf(buf + off, n - off, "%lldx", (long long)t->dims[i]);
    }
    if (off < n)
        snprintf(buf + off, n - off, "%s", dtype_suffix(t->dtype));
    return buf;
}

void tensor_strides(const tensor *t, int64_t *strides)
{
    int64_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        strides[i] = s;
        s *= t->dims[i];
    }
}

float fp16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (!man) {
            bits = sign;
        } else { /* subnormal: normalise */
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) {
                man <<= 1;
                exp--;
            }
            man &= 0x3ff;
            bits = sign | (exp << 23) | (man << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t f32_to_fp16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = (int32_t)((x >> 23) & 0xff);
    uint32_t man = x & 0x7fffff;
    if (exp == 255)
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0));
    int32_t e = exp - 127 + 15;
    if (e >= 31)
        return (uint16_t)(sign | 0x7c00);
    if (e <= 0) {
        if (e < -10)
            return (uint16_t)sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - e);
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
        half++; /* may carry into the exponent: correct, rounds up to inf */
    return (uint16_t)half;
}

float bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000)
        return (uint16_t)((x >> 16) | 0x40);
    x += 0x7fff + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

double tensor_get_f64(const tensor *t, int64_t i)
{
    const void *d = t->data;
    switch (t->dtype) {
    case DT_F32: return ((const float *)d)[i];
    case DT_F64: return ((const double *)d)[i];
    case DT_F16: return fp16_to_f32(((const uint16_t *)d)[i]);
    case DT_BF16: return bf16_to_f32(((const uint16_t *)d)[i]);
    case DT_U8: case DT_BOOL: return ((const uint8_t *)d)[i];
    case DT_I8: return ((const int8_t *)d)[i];
    case DT_U16: return ((const uint16_t *)d)[i];
    case DT_I16: return ((const int16_t *)d)[i];
    case DT_I32: return ((const int32_t *)d)[i];
    case DT_I64: return (double)((const int64_t *)d)[i];
    case DT_U32: return ((const uint32_t *)d)[i];
    case DT_U64: return (double)((const uint64_t *)d)[i];
    }
    return 0;
}

int64_t tensor_get_i64(const tensor *t, int64_t i)
{
    const void *d = t->data;
    switch (t->dtype) {
    case DT_U8: case DT_BOOL: return ((const uint8_t *)d)[i];
    case DT_I8: return ((const int8_t *)d)[i];
    case DT_U16: return ((const uint16_t *)d)[i];
    case DT_I16: return ((const int16_t *)d)[i];
    case DT_I32: return ((const int32_t *)d)[i];
    case DT_I64: return ((const int64_t *)d)[i];
    case DT_U32: return ((const uint32_t *)d)[i];
    case DT_U64: return (int64_t)((const uint64_t *)d)[i];
    default: {
        double v = tensor_get_f64(t, i);
        /* float -> int like C truncation, saturated so NaN/inf stay defined */
        if (v != v) return 0;
        if (v >= 9.2233720368547758e18) return INT64_MAX;
        if (v <= -9.2233720368547758e18) return INT64_MIN;
        return (int64_t)v;
    }
    }
}

void tensor_set_f64(tensor *t, int64_t i, double v)
{
    void *d = t->data;
    switch (t->dtype) {
    case DT_F32: ((float *)d)[i] = (float)v; return;
    case DT_F64: ((double *)d)[i] = v; return;
    case DT_F16: ((uint16_t *)d)[i] = f32_to_fp16((float)v); return;
    case DT_BF16: ((uint16_t *)d)[i] = f32_to_bf16((float)v); return;
    case DT_BOOL: ((uint8_t *)d)[i] = v != 0; return;
    default: {
        int64_t iv;
        if (v != v) iv = 0;
        else if (v >= 9.2233720368547758e18) iv = INT64_MAX;
        else if (v <= -9.2233720368547758e18) iv = INT64_MIN;
        else iv = (int64_t)v;
        tensor_set_i64(t, i, iv);
    }
    }
}

void tensor_set_i64(tensor *t, int64_t i, int64_t v)
{
    void *d = t->data;
    switch (t->dtype) {
    case DT_U8: ((uint8_t *)d)[i] = (uint8_t)v; return;
    case DT_BOOL: ((uint8_t *)d)[i] = v != 0; return;
    case DT_I8: ((int8_t *)d)[i] = (int8_t)v; return;
    case DT_U16: ((uint16_t *)d)[i] = (uint16_t)v; return;
    case DT_I16: ((int16_t *)d)[i] = (int16_t)v; return;
    case DT_I32: ((int32_t *)d)[i] = (int32_t)v; return;
    case DT_I64: ((int64_t *)d)[i] = v; return;
    case DT_U32: ((uint32_t *)d)[i] = (uint32_t)v; return;
    case DT_U64: ((uint64_t *)d)[i] = (uint64_t)v; return;
    default:
        if (dtype_is_float(t->dtype))
            tensor_set_f64(t, i, (double)v);
    }
}
