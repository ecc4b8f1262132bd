/* rvvnn.h - the stable C ABI of librvvnn.so.0: load ONNX models, compile
 * them into RISC-V Vector modules, run models (reference executor) and
 * modules (natively on riscv64, under qemu-riscv64 elsewhere).
 *
 * ABI rules (checked by abi/gen_manifest.py and tests/api):
 *  - opaque handles only; no struct is passed or returned by value;
 *  - every fallible call returns int: RVVNN_OK (0) or a negative RVVNN_E*
 *    code; rvvnn_last_error() then holds this thread's message;
 *  - parameters are fixed-width integers, size_t, double, UTF-8
 *    const char * (NUL-terminated), handles, and void * buffers each
 *    followed by its length in bytes; typed arrays (int64_t dims) are
 *    followed by their element count; no varargs, no enums in signatures;
 *  - out-parameters come last; rvvnn_*_free(NULL) is a no-op;
 *  - callbacks always receive the void *user given at registration;
 *  - the library never prints, aborts or exits.
 *
 * Thread safety, per handle type:
 *  - rvvnn_model, rvvnn_module: immutable once loaded; any number of
 *    threads may compile from, inspect, or create sessions from one
 *    handle at the same time. Free it only after every session made
 *    from it is freed.
 *  - rvvnn_options: setters must not run concurrently with any other use
 *    of the same options; once set up, one options object may be passed
 *    to any number of concurrent compile / session-create calls (they
 *    copy what they need; the options may be freed afterwards).
 *  - rvvnn_session: one thread at a time (no internal locking); distinct
 *    sessions run concurrently, also when made from the same model or
 *    module.
 *  - rvvnn_tensor: belongs to its session (or to the custom-op call it
 *    was passed to) and follows the same rule.
 *  - custom-op callbacks may be called from several threads at once
 *    (one per running session); they must make their use of `user` safe.
 *  - rvvnn_last_error() is thread-local. */
#ifndef RVVNN_H
#define RVVNN_H

#include <stddef.h>
#include <stdint.h>

#include "rvvnn_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(RVVNN_BUILDING_LIBRARY) && defined(__GNUC__)
#define RVVNN_API __attribute__((visibility("default")))
#else
#define RVVNN_API
#endif

/* Bumped (with the SONAME) whenever an existing export changes
 * incompatibly; additions keep it. */
#define RVVNN_ABI_VERSION 0

/* Status codes: the same values as libcore/src/util/status.def (a test
 * checks every one). Values never change; new codes are only added. */
#define RVVNN_OK 0
#define RVVNN_EINVAL (-1)
#define RVVNN_ENOMEM (-2)
#define RVVNN_EIO (-3)
#define RVVNN_EFORMAT (-4)
#define RVVNN_EUNSUPPORTED (-5)
#define RVVNN_ESHAPE (-6)
#define RVVNN_ETYPE (-7)
#define RVVNN_ELIMIT (-8)
#define RVVNN_ENOTFOUND (-9)
#define RVVNN_EGRAPH (-10)
#define RVVNN_EMISMATCH (-11)
#define RVVNN_ETARGET (-12)
#define RVVNN_EINTERNAL (-13)
#define RVVNN_EDYNAMIC (-14)

/* Element types: ONNX TensorProto.DataType codes. */
#define RVVNN_DTYPE_F32 1
#define RVVNN_DTYPE_U8 2
#define RVVNN_DTYPE_I8 3
#define RVVNN_DTYPE_U16 4
#define RVVNN_DTYPE_I16 5
#define RVVNN_DTYPE_I32 6
#define RVVNN_DTYPE_I64 7
#define RVVNN_DTYPE_BOOL 9
#define RVVNN_DTYPE_F16 10
#define RVVNN_DTYPE_F64 11
#define RVVNN_DTYPE_U32 12
#define RVVNN_DTYPE_U64 13
#define RVVNN_DTYPE_BF16 16

/* Module step kinds (rvvnn_module_step_info): RVV code, a reference
 * kernel, or a custom operator the session calls back (rvvnn_register_op). */
#define RVVNN_STEP_RVV 1
#define RVVNN_STEP_FALLBACK 2
#define RVVNN_STEP_CUSTOM 3

/* Largest tensor rank. */
#define RVVNN_MAX_RANK 8

typedef struct rvvnn_model rvvnn_model;
typedef struct rvvnn_module rvvnn_module;
typedef struct rvvnn_session rvvnn_session;
typedef struct rvvnn_options rvvnn_options;
typedef struct rvvnn_tensor rvvnn_tensor;

/* A custom operator's kernel and shape function. Omitted optional inputs
 * are NULL entries. The shape function sets each output's type and shape
 * with rvvnn_tensor_set_shape; during compile-time inference an input's
 * data is NULL unless it is a constant, and the function may return
 * RVVNN_EDYNAMIC when it needs data it does not have. At run time the
 * shape function runs first (all data present), the library allocates
 * the outputs, then the kernel fills them. Return RVVNN_OK or a negative
 * code (the run fails with it). */
typedef int (*rvvnn_op_fn)(void *user, rvvnn_tensor *const *inputs, size_t n_inputs,
                           rvvnn_tensor *const *outputs, size_t n_outputs);
typedef int (*rvvnn_shape_fn)(void *user, rvvnn_tensor *const *inputs, size_t n_inputs,
                              rvvnn_tensor *const *outputs, size_t n_outputs);

/* ---- library ---- */
/* "MAJOR.MINOR.PATCH" of the loaded library (RVVNN_VERSION_STRING is the
 * header's). Never NULL. */
RVVNN_API const char *rvvnn_version(void);
/* RVVNN_ABI_VERSION of the loaded library. */
RVVNN_API int rvvnn_abi_version(void);
/* This thread's message for the last failed call ("" if none). Never
 * NULL; valid until this thread's next rvvnn call. */
RVVNN_API const char *rvvnn_last_error(void);
/* "invalid argument" for RVVNN_EINVAL; "unknown status" for others.
 * Never NULL; static storage. */
RVVNN_API const char *rvvnn_status_string(int status);
/* Frees a buffer the library returned (rvvnn_compile_to_memory). */
RVVNN_API void rvvnn_buffer_free(void *data);

/* ---- options ---- */
RVVNN_API int rvvnn_options_create(rvvnn_options **out);
RVVNN_API void rvvnn_options_free(rvvnn_options *options);
/* String keys: "march" (rv64gcv, rv64gcv_zvl256b, rv64gc_zve32f ...),
 * "target_cpu_features" ("+m,+a,+f,+d,+zvl256b,+v"), "executor" ("auto",
 * "ref", "native", "qemu", or "emu": the built-in RV64GCV emulator, any
 * host, every memory access checked), "qemu_cpu" (qemu's -cpu string), "runtime"
 * (path of the riscv64 runner rvvnn-rt), "input_shape" ("name=2x128",
 * same as rvvnn_options_bind_input_shape). value NULL resets the key.
 * Unknown key: RVVNN_ENOTFOUND. */
RVVNN_API int rvvnn_options_set_string(rvvnn_options *options, const char *key, const char *value);
/* Int keys: "vlen" (-1 default from -march, 0 vector-length agnostic, N
 * fixed), "lmul_max" (0 default, 1/2/4/8), "threads" (0 = all cores),
 * "qemu_vlen" (VLEN qemu or the emulator provides: 0 = the module's VLEN,
 * or 256), "no_rvv" (0/1).
 * Limits on untrusted input (RVVNN_ELIMIT names the one hit): loads take
 * them from the *_with_options calls, compiles and sessions from their
 * options:
 *   "max_file_bytes"   model, module or tensor file size (default 4 GiB)
 *   "max_depth"        protobuf nesting, e.g. subgraphs in subgraphs (64)
 *   "max_nodes"        nodes of a model over all its graphs (1048576)
 *   "max_tensor_bytes" one tensor: initializer, folded constant, input,
 *                      intermediate or output (4 GiB)
 *   "max_arena_bytes"  intermediate memory of one run, or a module's
 *                      arena (4 GiB)
 *   "max_step_ms"      wall time of one step of a run (0 = no limit) */
RVVNN_API int rvvnn_options_set_int(rvvnn_options *options, const char *key, int64_t value);
RVVNN_API int rvvnn_options_get_int(const rvvnn_options *options, const char *key, int64_t *out);
/* Binds the symbolic dims of graph input `name` (compile and sessions). */
RVVNN_API int rvvnn_options_bind_input_shape(rvvnn_options *options, const char *name,
                                             const int64_t *dims, size_t rank);
/* Registers a custom operator. domain "" is ai.onnx; fn and shape_fn are
 * required. Later registrations of the same domain/op_type replace
 * earlier ones. Sessions copy the registration, so `user` must stay
 * valid as long as any session created with these options. Custom ops
 * run in the top-level graph (not inside If/Loop bodies).
 *  - Reference executor: sessions created from the model with these
 *    options run them.
 *  - Modules: compiling with these options (the shape function sizes the
 *    outputs at compile time, with the bound input shapes) records each
 *    custom node as a step of kind RVVNN_STEP_CUSTOM (domain, op type,
 *    attributes). A session created from the module with options that
 *    register the op calls fn for that step: in this process, also when
 *    the module's RVV steps run under qemu-riscv64 (the runner asks this
 *    process over a socket and waits). The shape function runs again on
 *    the actual inputs and must give the compiled shapes (else
 *    RVVNN_ESHAPE). Without a registration the step fails with
 *    RVVNN_EUNSUPPORTED naming the op. */
RVVNN_API int rvvnn_register_op(rvvnn_options *options, const char *domain, const char *op_type,
                                rvvnn_op_fn fn, rvvnn_shape_fn shape_fn, void *user);

/* ---- models (ONNX) ---- */
/* External data files resolve beneath the model's directory. */
RVVNN_API int rvvnn_model_load_file(const char *path, rvvnn_model **out);
/* The bytes are copied; external data is refused. */
RVVNN_API int rvvnn_model_load_memory(const void *data, size_t size, rvvnn_model **out);
/* The same with the options' limits (NULL = defaults); compiles and
 * sessions re-read the model under the limits it was loaded with. */
RVVNN_API int rvvnn_model_load_file_with_options(const char *path, const rvvnn_options *options,
                                                 rvvnn_model **out);
RVVNN_API int rvvnn_model_load_memory_with_options(const void *data, size_t size,
                                                   const rvvnn_options *options, rvvnn_model **out);
RVVNN_API void rvvnn_model_free(rvvnn_model *model);
RVVNN_API int rvvnn_model_input_count(const rvvnn_model *model, size_t *out);
RVVNN_API int rvvnn_model_output_count(const rvvnn_model *model, size_t *out);
/* Names live as long as the model. */
RVVNN_API int rvvnn_model_input_name(const rvvnn_model *model, size_t index, const char **out);
RVVNN_API int rvvnn_model_output_name(const rvvnn_model *model, size_t index, const char **out);

/* ---- compiling ---- */
/* options may be NULL (rv64gcv, vector-length agnostic). */
RVVNN_API int rvvnn_compile(const rvvnn_model *model, const rvvnn_options *options,
                            rvvnn_module **out);
/* *data is freed with rvvnn_buffer_free. */
RVVNN_API int rvvnn_compile_to_memory(const rvvnn_model *model, const rvvnn_options *options,
                                      void **data, size_t *size);
/* Written atomically (no partial file on failure). */
RVVNN_API int rvvnn_compile_to_file(const rvvnn_model *model, const rvvnn_options *options,
                                    const char *path);

/* ---- modules (.rvvmod) ---- */
RVVNN_API int rvvnn_module_load_file(const char *path, rvvnn_module **out);
/* The bytes are copied and validated. */
RVVNN_API int rvvnn_module_load_memory(const void *data, size_t size, rvvnn_module **out);
/* The same with the options' limits (NULL = defaults). */
RVVNN_API int rvvnn_module_load_file_with_options(const char *path, const rvvnn_options *options,
                                                  rvvnn_module **out);
RVVNN_API int rvvnn_module_load_memory_with_options(const void *data, size_t size,
                                                    const rvvnn_options *options, rvvnn_module **out);
RVVNN_API void rvvnn_module_free(rvvnn_module *module);
RVVNN_API int rvvnn_module_save(const rvvnn_module *module, const char *path);
/* The module image, valid as long as the module. */
RVVNN_API int rvvnn_module_data(const rvvnn_module *module, const void **data, size_t *size);
/* *march: the -march compiled for; *vlen: 0 when vector-length agnostic;
 * *min_vlen: smallest VLEN the code runs at. Any out may be NULL. */
RVVNN_API int rvvnn_module_target(const rvvnn_module *module, const char **march, uint32_t *vlen,
                                  uint32_t *min_vlen);
RVVNN_API int rvvnn_module_step_count(const rvvnn_module *module, size_t *out);
/* kind is RVVNN_STEP_RVV or RVVNN_STEP_FALLBACK; flops and bytes are the
 * compiler's work and traffic estimates. Any out may be NULL. */
RVVNN_API int rvvnn_module_step_info(const rvvnn_module *module, size_t index, const char **name,
                                     const char **op, int32_t *kind, uint64_t *flops,
                                     uint64_t *bytes);

/* ---- sessions ---- */
/* Runs the model on the reference executor. Symbolic input dims bind
 * from the options, else from the first inputs given (a later run with
 * other shapes re-prepares). */
RVVNN_API int rvvnn_session_create_from_model(const rvvnn_model *model, const rvvnn_options *options,
                                              rvvnn_session **out);
/* Runs the module natively on riscv64; on other hosts modules with RVV
 * steps run under qemu-riscv64 (executor "auto" or "qemu") and modules
 * with only fallback steps run in-process. */
RVVNN_API int rvvnn_session_create_from_module(const rvvnn_module *module,
                                               const rvvnn_options *options, rvvnn_session **out);
RVVNN_API void rvvnn_session_free(rvvnn_session *session);
/* "ref", "native", "qemu" or "emu". */
RVVNN_API int rvvnn_session_executor(const rvvnn_session *session, const char **out);
RVVNN_API int rvvnn_session_input_count(const rvvnn_session *session, size_t *out);
RVVNN_API int rvvnn_session_output_count(const rvvnn_session *session, size_t *out);
RVVNN_API int rvvnn_session_input_name(const rvvnn_session *session, size_t index, const char **out);
RVVNN_API int rvvnn_session_output_name(const rvvnn_session *session, size_t index,
                                        const char **out);
/* Declared type and shape of an input (dims of -1 are symbolic); *rank
 * -1 when unknown. dims has room for `cap` entries. */
RVVNN_API int rvvnn_session_input_info(const rvvnn_session *session, size_t index, int32_t *dtype,
                                       int64_t *dims, size_t cap, int32_t *rank);
/* Borrows data (caller-owned, not copied): it must stay valid and
 * unchanged until rvvnn_session_run returns. nbytes must match the
 * shape. */
RVVNN_API int rvvnn_session_set_input(rvvnn_session *session, size_t index, int32_t dtype,
                                      const int64_t *dims, size_t rank, const void *data,
                                      size_t nbytes);
/* Makes output `index` land in a caller-owned buffer (at least the
 * output's size, else the run fails with RVVNN_ESHAPE). data NULL goes
 * back to a library-owned output. */
RVVNN_API int rvvnn_session_set_output(rvvnn_session *session, size_t index, void *data,
                                       size_t nbytes);
RVVNN_API int rvvnn_session_run(rvvnn_session *session);
/* Output `index` of the last successful run; the handle (and, for
 * library-owned outputs, the data) belong to the session and stay valid
 * until the next run or rvvnn_session_free. */
RVVNN_API int rvvnn_session_output(const rvvnn_session *session, size_t index, rvvnn_tensor **out);

/* ---- tensors (outputs, custom-op arguments) ---- */
RVVNN_API int rvvnn_tensor_dtype(const rvvnn_tensor *tensor, int32_t *out);
RVVNN_API int rvvnn_tensor_rank(const rvvnn_tensor *tensor, size_t *out);
/* Copies min(rank, cap) dims. */
RVVNN_API int rvvnn_tensor_dims(const rvvnn_tensor *tensor, int64_t *dims, size_t cap);
/* *data is NULL for shape-only tensors (compile-time inference). */
RVVNN_API int rvvnn_tensor_data(const rvvnn_tensor *tensor, void **data, size_t *nbytes);
/* Only for the outputs handed to a custom shape function. */
RVVNN_API int rvvnn_tensor_set_shape(rvvnn_tensor *tensor, int32_t dtype, const int64_t *dims,
                                     size_t rank);

/* ---- custom-op attributes ----
 * Inside a custom-op callback, any of its tensor arguments (inputs or
 * outputs) identifies the node; these read that node's attributes.
 * RVVNN_ENOTFOUND when the node has no such attribute, RVVNN_ETYPE when
 * it has another type, RVVNN_EINVAL for tensors that are not custom-op
 * arguments (session outputs). */
RVVNN_API int rvvnn_op_attr_int(const rvvnn_tensor *arg, const char *name, int64_t *out);
RVVNN_API int rvvnn_op_attr_float(const rvvnn_tensor *arg, const char *name, double *out);
/* The string's bytes (not NUL-terminated in general) and length; valid
 * during the callback. */
RVVNN_API int rvvnn_op_attr_string(const rvvnn_tensor *arg, const char *name, const char **data,
                                   size_t *size);
/* Copies min(count, cap) values; *count is the attribute's length. */
RVVNN_API int rvvnn_op_attr_ints(const rvvnn_tensor *arg, const char *name, int64_t *values,
                                 size_t cap, size_t *count);

#ifdef __cplusplus
}
#endif

#endif
