/* error.c - the thread-local last-error message behind err_set().
 * The library never prints; this buffer is how detail reaches the caller
 * (rvvnn_last_error() in the public API, the CLI's "error:" line). */
#include "status.h"

#include <stdio.h>
#include <string.h>

#define ERR_CAP 1024

static _Thread_local char err_buf[ERR_CAP];

int err_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_buf, sizeof err_buf, fmt, ap);
    va_end(ap);
    return code;
}

int err_wrap(int code, const char *fmt, ...)
{
    char prefix[512], old[ERR_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err_buf, sizeof old);
    if (old[0])
        snprintf(err_buf, sizeof err_buf, "%s: %s", prefix, old);
    else
        snprintf(err_buf, sizeof err_buf, "%s", prefix);
    return code;
}

const char *err_message(void) { return err_buf; }

void err_clear(void) { err_buf[0] = 0; }

const char *status_name(int code)
{
    switch (code) {
#define X(name, val, desc) case val: return #name;
#include "status.def"
#undef X
    }
    return "EUNKNOWN";
}

const char *status_description(int code)
{
    switch (code) {
#define X(name, val, desc) case val: return desc;
#include "status.def"
#undef X
    }
    return "unknown status";
}
