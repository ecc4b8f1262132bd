/* format.h - the .rvvmod file layout, documented here and nowhere else.
 *
 * A module is one little-endian file: a fixed header, then sections each
 * aligned to 64 bytes. Every offset is from the start of the file; every
 * count and size is checked by the loader (load.c) before use.
 *
 *   header    mod_header (192 bytes)
 *   STRINGS   NUL-terminated UTF-8 names; offsets into it are u32
 *   TENSORS   n_tensors x mod_tensor: every buffer a step touches
 *   STEPS     n_steps x mod_step, in execution order
 *   ARGS      u64 pool: step argument lists (tensor ids, immediates)
 *   ATTRS     attribute records of fallback steps (see mod_attr)
 *   CODE      position-independent RISC-V code; each RVV step's entry
 *             is code_off bytes in. Entry ABI: a0 = pointer to the
 *             step's argument array (u64: buffer addresses, then
 *             immediates), uses only caller-saved registers and no stack
 *             unless it saves what it uses; returns 0 in a0, or non-zero
 *             when it found invalid input (an index out of range).
 *   WEIGHTS   constant tensors, each 64-byte aligned
 *
 * Tensor placement: ARENA (offset into the run's intermediate arena of
 * arena_bytes, 64-byte aligned like WEIGHTS offsets), WEIGHT (offset into WEIGHTS), INPUT / OUTPUT (index into
 * the module's inputs / outputs, in order).
 *
 * Tensor layout: mod_tensor.layout names how the bytes are arranged
 * (ir/layouts.def: plain, conv-block, gemm-panel, ...), as the layout pass
 * and the generator that packed them decided; informational (the code
 * already knows), for `rvvnn inspect`. Version 2 writers before layouts
 * left the byte 0 ("not recorded"), so it did not need a version bump;
 * the loader refuses ids past the table.
 *
 * Version history: 1 - first format; 2 - RVV entries return a status in
 * a0. A loader refuses other versions. */
#ifndef RVVNN_MODULE_FORMAT_H
#define RVVNN_MODULE_FORMAT_H

#include <stdint.h>

#define MOD_MAGIC "RVVNNMOD"
#define MOD_VERSION 2
#define MOD_ALIGN 64
#define MOD_MAX_RANK 8

/* required extensions (mod_header.ext) */
enum {
    MOD_EXT_V = 1u << 0,       /* full V: ELEN 64, VLEN >= 128, f32+f64 */
    MOD_EXT_ZVE32F = 1u << 1,  /* embedded: ELEN 32, f32 */
    MOD_EXT_ZVE64F = 1u << 2,
    MOD_EXT_ZVE64D = 1u << 3,
    MOD_EXT_ZVFH = 1u << 4,
};

enum { MOD_FLAG_VLA = 1u << 0 };

typedef struct mod_section {
    uint64_t offset, size;
} mod_section;

enum { SEC_STRINGS, SEC_TENSORS, SEC_STEPS, SEC_ARGS, SEC_ATTRS, SEC_CODE, SEC_WEIGHTS, SEC__COUNT };

typedef struct mod_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;  /* sizeof(mod_header) */
    uint64_t file_size;
    uint32_t flags;        /* MOD_FLAG_* */
    uint32_t ext;          /* MOD_EXT_* required */
    uint32_t vlen;         /* 0: vector-length agnostic; else the exact VLEN tuned for */
    uint32_t min_vlen;     /* smallest VLEN the code is correct for */
    uint32_t n_tensors, n_steps, n_inputs, n_outputs;
    uint64_t arena_bytes;  /* intermediate arena the steps need */
    uint32_t opset;
    uint32_t march;        /* string offset: the -march the module was built for */
    mod_section sec[SEC__COUNT]; /* 7 x 16 = 112 bytes */
    uint64_t reserved;
} mod_header;

enum { MOD_T_ARENA = 0, MOD_T_WEIGHT = 1, MOD_T_INPUT = 2, MOD_T_OUTPUT = 3 };

typedef struct mod_tensor {
    uint32_t name;         /* string offset */
    uint8_t dtype;         /* ONNX element type code */
    uint8_t rank;
    uint8_t place;         /* MOD_T_* */
    uint8_t layout;        /* LAYOUT_* of ir/layouts.def; 0 = not recorded (older writers) */
    uint64_t offset;       /* ARENA/WEIGHT: byte offset; INPUT/OUTPUT: index */
    uint64_t nbytes;
    int64_t dims[MOD_MAX_RANK];
} mod_tensor;

/* RVV: code in CODE. REF: a reference kernel of ops.def, attributes in
 * ATTRS. CUSTOM: an operator registered at run time (rvvnn_register_op),
 * op = "domain::op_type" (or just op_type for ai.onnx), attributes in
 * ATTRS like REF; the session running the module supplies the callback
 * (the format is unchanged otherwise: version 2 readers that predate
 * CUSTOM refuse such modules by their unknown kind). */
enum { MOD_STEP_RVV = 1, MOD_STEP_REF = 2, MOD_STEP_CUSTOM = 3 };

typedef struct mod_step {
    uint32_t kind;         /* MOD_STEP_* */
    uint32_t name;         /* string offset: the ONNX node name */
    uint32_t op;           /* string offset: the ONNX op type */
    uint32_t n_in, n_out;  /* tensor ids: args[args_off ..] in, then out */
    uint32_t n_imm;        /* RVV: immediates after the tensor ids */
    uint64_t args_off;     /* index into the ARGS pool (u64 entries) */
    uint64_t code_off, code_size; /* RVV: entry and length inside CODE */
    uint64_t attrs_off, attrs_size; /* REF: byte range inside ATTRS */
    uint64_t flops, bytes; /* for inspect: work and traffic estimates */
} mod_step;

/* An attribute record in ATTRS: header then payload, 8-byte aligned.
 * INT: 1 x i64; FLOAT: 1 x f32 (padded to 8); INTS: count x i64;
 * FLOATS: count x f32 (padded); STRING: count bytes (no NUL, padded);
 * STRINGS: count x (u32 offset into STRINGS, u32 length);
 * TENSOR: one mod_tensor (place WEIGHT). Graph attributes are not
 * representable: models with If/Loop run on the reference executor. */
typedef struct mod_attr {
    uint32_t name;         /* string offset */
    uint32_t type;         /* ATTR_* (ONNX AttributeType codes) */
    uint64_t count;
} mod_attr;

#define MOD_NO_TENSOR UINT64_MAX /* an omitted optional input/output */

#endif
