/* status.h - status codes and the thread-local error message.
 *
 * Every fallible internal function returns int: 0 or a negative code from
 * status.def. The function that detects a problem calls err_set() with a
 * message naming what and where; callers add context with err_wrap() as
 * the error travels up, so the final text reads outer-to-inner
 * ("node 'mm1' (MatMul): input 1: rank 3, expected 2"). */
#ifndef RVVNN_STATUS_H
#define RVVNN_STATUS_H

#include <stdarg.h>

enum {
#define X(name, val, desc) RV_##name = val,
#include "status.def"
#undef X
};

#if defined(__GNUC__)
#define RV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RV_PRINTF(a, b)
#endif

/* Records code + message for this thread; returns code so callers can
 * write `return err_set(RV_EINVAL, "...")`. */
int err_set(int code, const char *fmt, ...) RV_PRINTF(2, 3);
/* Prefixes the current message with context ("ctx: old message"). */
int err_wrap(int code, const char *fmt, ...) RV_PRINTF(2, 3);
const char *err_message(void);
void err_clear(void);
const char *status_name(int code);        /* "EINVAL" */
const char *status_description(int code); /* "invalid argument" */

#endif
