/* tensor.h - the one tensor descriptor shared by the IR, the executors
 * and the file readers: element type, shape, and (optionally) data.
 *
 * A tensor with data == NULL is a type+shape only (static inference).
 * rank == -1 means unknown rank; a dim of -1 means unknown extent. Sizes
 * are computed with overflow checks: hostile dims (2^62) must give an
 * error, never a wrapped allocation. */
#ifndef RVVNN_TENSOR_H
#define RVVNN_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define TENSOR_MAX_RANK 8

enum {
    DT_UNDEFINED = 0,
#define X(name, code, size, ctype, sfx) DT_##name = code,
#include "dtype.def"
#undef X
};

typedef struct tensor {
    int dtype;
    int rank;
    int64_t dims[TENSOR_MAX_RANK];
    void *data;
    size_t nbytes; /* bytes at data (== numel * dtype_size when set) */
} tensor;

size_t dtype_size(int dt);            /* 0 for unknown/unsupported */
const char *dtype_name(int dt);       /* "F32", or "?" */
const char *dtype_suffix(int dt);     /* "f32", "i64", or "?" */
int dtype_from_suffix(const char *s, size_t n); /* DT_UNDEFINED if none */
int dtype_is_float(int dt);           /* F16 BF16 F32 F64 */
int dtype_is_int(int dt);             /* signed/unsigned ints and BOOL */

/* Number of elements; 0 on success, RV_ELIMIT on overflow or beyond
 * TENSOR_MAX_NUMEL, RV_ESHAPE on negative/unknown dims. */
#define TENSOR_MAX_NUMEL ((int64_t)1 << 40)
int tensor_numel(const tensor *t, int64_t *out);
int tensor_byte_size(const tensor *t, size_t *out);
int shape_equal(const tensor *a, const tensor *b);
/* "2x128xi64" style text into buf. */
const char *tensor_shape_str(const tensor *t, char *buf, size_t n);

/* Element access through double / int64 for the generic (non-hot) paths
 * of reference kernels. F16/BF16 convert through f32. */
double tensor_get_f64(const tensor *t, int64_t i);
int64_t tensor_get_i64(const tensor *t, int64_t i);
void tensor_set_f64(tensor *t, int64_t i, double v);
void tensor_set_i64(tensor *t, int64_t i, int64_t v);

float fp16_to_f32(uint16_t h);
uint16_t f32_to_fp16(float f);   /* round to nearest even */
float bf16_to_f32(uint16_t h);
uint16_t f32_to_bf16(float f);   /* round to nearest even */

/* Row-major strides in elements for t's dims. */
void tensor_strides(const tensor *t, int64_t *strides);

#endif
