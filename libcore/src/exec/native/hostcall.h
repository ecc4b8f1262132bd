/* hostcall.h - custom-op steps of a module (MOD_STEP_CUSTOM).
 *
 * In-process sessions run them against the registration table
 * (custom_step_run: the shape function on the run-time inputs must give
 * the shapes the module was compiled with, then the kernel fills the
 * module's buffers). A module under qemu cannot call back into the host
 * process directly, so rvvnn-rt asks over a socket the host passed it:
 * it sends the step index and the step's input tensors, the host
 * (qemu.c) runs the step with custom_step_run and sends back the output
 * bytes or the error status and message; rvvnn-rt waits in between.
 *
 * Wire format (little-endian, one request then one reply at a time):
 *   request: u32 HOSTCALL_REQ, u32 step, u32 n_in, u32 n_out, then per
 *            input an 88-byte descriptor {u32 present, i32 dtype,
 *            u32 rank, u32 0, i64 dims[8], u64 nbytes} and, if present,
 *            nbytes of data;
 *   reply:   u32 HOSTCALL_REP, i32 status, then if status == 0, per
 *            output the module has a tensor for: u64 nbytes, data;
 *            else u32 length and that many bytes of message. */
#ifndef RVVNN_HOSTCALL_H
#define RVVNN_HOSTCALL_H

#include "../../ir/custom.h"
#include "../../module/module.h"

#define HOSTCALL_REQ 0x52435652u /* "RVCR" */
#define HOSTCALL_REP 0x41435652u /* "RVCA" */

/* Runs custom step n (its node, for domain, op type and attributes) with
 * the registrations in t (NULL = none). out[k] carry the module's dtype,
 * shape and buffer, or are NULL for omitted outputs (scratch is used). */
int custom_step_run(const custom_ops *t, const ir_node *n, tensor *const *in, int n_in, tensor *const *out,
                    int n_out);

/* The same as a modrun_custom_fn (modrun.h); user is the const
 * custom_ops *. */
int custom_step_local(void *user, uint32_t step, const ir_node *n, tensor *const *in, int n_in,
                      tensor *const *out, int n_out);

/* rvvnn-rt's side: asks the host on socket fd to run `step`; fills the
 * present outputs' buffers. */
int hostcall_request(int fd, uint32_t step, tensor *const *in, int n_in, tensor *const *out, int n_out);

/* The host's side: answers requests for module m's custom steps from t
 * until rvvnn-rt closes the socket. Returns 0 at a clean end; a callback's
 * failure is returned (with its message) after the reply told the runner,
 * and the serving goes on so the runner can exit. */
int hostcall_serve(int fd, const rvv_module *m, const custom_ops *t);

#endif
