/* op.c - the operator table built from ops.def, and op-level errors. */
#include "op.h"

#include <stdio.h>
#include <string.h>

const op_info op_table[OP__COUNT] = {
#define OP(name, min_in, max_in, min_out, max_out, shape, ref, flags) \
    {#name, min_in, max_in, min_out, max_out, shape, ref, flags},
#include "ops.def"
#undef OP
};

int op_lookup(const char *domain, const char *op_type)
{
    /* rvvnn's own fused ops live in the "rvvnn" domain; standard ones in ai.onnx */
    int own = domain && !strcmp(domain, "rvvnn");
    if (domain && *domain && strcmp(domain, "ai.onnx") != 0 && !own)
        return -1;
    if (own != (!strcmp(op_type, "MatMulEpilogue") || !strcmp(op_type, "ConvEpilogue")))
        return -1;
    for (int i = 0; i < OP__COUNT; i++)
        if (strcmp(op_table[i].name, op_type) == 0)
            return i;
    return -1;
}

int op_error(const op_ctx *c, int code, const char *fmt, ...)
{
    char msg[768], lbl[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(code, "%s: %s", ir_node_label(c->node, lbl, sizeof lbl), msg);
}
