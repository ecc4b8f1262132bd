/* infer.c - binds symbolic input dims and infers every static shape.
 *
 * Shapes are concrete after this pass wherever they can be: symbolic
 * dims (dim_param) are resolved from --input-shape bindings, then each
 * node's shape function runs in topological order on the descriptors of
 * its inputs (with data for constants). An op whose output depends on
 * run-time values answers RV_EDYNAMIC; its outputs and everything
 * downstream are marked dynamic and sized by the executor at run time. */
#include "passes.h"
#include "../ir/custom.h"
#include "../ir/op.h"

#include <stdio.h>
#include <string.h>

int pass_bind_inputs(ir_graph *g, const passes_options *opt)
{
    for (int b = 0; opt && b < opt->n_bindings; b++) {
        const pass_binding *pb = &opt->bindings[b];
        int v = ir_find_value(g, pb->name);
        int is_input = 0;
        for (int i = 0; v >= 0 && i < g->n_inputs; i++)
            is_input |= g->inputs[i] == v;
        if (!is_input)
            return err_set(RV_ENOTFOUND, "input shape binding: '%s' is not a graph input", pb->name);
        ir_value *val = &g->vals[v];
        if (val->t.rank >= 0 && val->t.rank != pb->rank)
            return err_set(RV_ESHAPE, "input '%s': rank %d in the model, %d given",
                           pb->name, val->t.rank, pb->rank);
        for (int d = 0; d < pb->rank; d++) {
            if (pb->dims[d] < 0)
                return err_set(RV_ESHAPE, "input '%s': dim %d is negative", pb->name, d);
            if (val->t.rank >= 0 && val->t.dims[d] >= 0 && !val->dim_param[d] &&
                val->t.dims[d] != pb->dims[d])
                return err_set(RV_ESHAPE, "input '%s': dim %d is %lld in the model, %lld given",
                               pb->name, d, (long long)val->t.dims[d], (long long)pb->dims[d]);
        }
        /* A dim_param names the same extent everywhere it appears: bind
         * every input dim that shares the name. */
        for (int d = 0; d < pb->rank; d++) {
            const char *sym = val->t.rank >= 0 ? val->dim_param[d] : NULL;
            for (int i = 0; sym && i < g->n_inputs; i++) {
                ir_value *o = &g->vals[g->inputs[i]];
                for (int e = 0; e < o->t.rank; e++)
                    if (o->dim_param[e] && strcmp(o->dim_param[e], sym) == 0)
                        o->t.dims[e] = pb->dims[d];
            }
        }
        val->t.rank = pb->rank;
        memcpy(val->t.dims, pb->dims, sizeof pb->dims);
    }
    return 0;
}

static int value_is_static(const ir_value *v)
{
    if (v->dynamic || v->t.rank < 0 || !v->t.dtype)
        return 0;
    for (int d = 0; d < v->t.rank; d++)
        if (v->t.dims[d] < 0)
            return 0;
    return 1;
}

int pass_infer_shapes(ir_graph *g) { return pass_infer_shapes_custom(g, NULL); }

int pass_infer_shapes_custom(ir_graph *g, const custom_ops *custom)
{
    char lbl[256];
    /* start over: folding may have made once-dynamic values static */
    for (int v = 0; v < g->n_vals; v++)
        if (g->vals[v].kind == VAL_INTERMEDIATE)
            g->vals[v].dynamic = 0;
    for (int oi = 0; oi < g->n_order; oi++) {
        ir_node *n = &g->nodes[g->order[oi]];
        tensor *ins[64], *outs[64];
        int dynamic = 0;
        if (n->n_in > 64 || n->n_out > 64)
            return err_set(RV_ELIMIT, "%s: more than 64 inputs or outputs",
                           ir_node_label(n, lbl, sizeof lbl));
        const custom_op *co = n->op < 0 ? custom_ops_find(custom, n) : NULL;
        if (n->op < 0 && !co)
            return err_set(RV_EUNSUPPORTED, "%s: unsupported operator (domain '%s', type '%s')",
                           ir_node_label(n, lbl, sizeof lbl), n->domain[0] ? n->domain : "ai.onnx",
                           n->op_type);
        /* A custom op declares no arity: its shape function checks. */
        static const op_info custom_info = {"custom", 0, 64, 0, 64, NULL, NULL, 0};
        const op_info *oi_ = co ? &custom_info : &op_table[n->op];
        if (n->n_in < oi_->min_in || n->n_in > oi_->max_in)
            return err_set(RV_EGRAPH, "%s: %d inputs, the operator takes %d to %d",
                           ir_node_label(n, lbl, sizeof lbl), n->n_in, oi_->min_in, oi_->max_in);
        if (n->n_out < oi_->min_out || n->n_out > oi_->max_out)
            return err_set(RV_EGRAPH, "%s: %d outputs, the operator gives %d to %d",
                           ir_node_label(n, lbl, sizeof lbl), n->n_out, oi_->min_out, oi_->max_out);
        /* the first min_in inputs are required (Loop's M and cond are the
         * exception: ONNX lets both be omitted) */
        for (int k = 0; !co && n->op != OP_Loop && k < oi_->min_in; k++)
            if (n->in[k] < 0)
                return err_set(RV_EGRAPH, "%s: input %d is required but omitted",
                               ir_node_label(n, lbl, sizeof lbl), k);
        for (int k = 0; k < n->n_in; k++) {
            int v = n->in[k];
            ins[k] = v >= 0 ? &g->vals[v].t : NULL;
            if (v >= 0 && !value_is_static(&g->vals[v]))
                dynamic = 1;
        }
        tensor scratch[64];
        for (int k = 0; k < n->n_out; k++) {
            int v = n->out[k];
            outs[k] = v >= 0 ? &g->vals[v].t : &scratch[k];
            /* inference owns the output descriptor: start from nothing */
            tensor keep = *outs[k];
            memset(outs[k], 0, sizeof *outs[k]);
            outs[k]->rank = -1;
            outs[k]->dtype = keep.dtype; /* value_info type, if any */
        }
        int rc = RV_EDYNAMIC;
        if (!dynamic && !(oi_->flags & OPF_SELF_ALLOC)) {
            op_ctx c = {n, g, g->opset, n->n_in, n->n_out, ins, outs, NULL};
            rc = co ? co->shape(co->user, n, ins, n->n_in, outs, n->n_out) : oi_->shape(&c);
        }
        if (rc == RV_EDYNAMIC) {
            for (int k = 0; k < n->n_out; k++)
                if (n->out[k] >= 0) {
                    g->vals[n->out[k]].dynamic = 1;
                    g->vals[n->out[k]].t.rank = -1;
                }
            continue;
        }
        if (rc)
            return rc;
    }
    return 0;
}
