/* control.c - reference If and Loop. Their bodies are subgraphs run by
 * ref_run_frame with the current frame as parent, so names the body
 * reads from enclosing scopes resolve at run time. Output shapes depend
 * on which branch runs or how many iterations happen, so both ops set
 * their outputs themselves (OPF_SELF_ALLOC). */
#include "ref.h"

#include <string.h>

static const ir_graph *graph_attr(const op_ctx *c, const char *name)
{
    const ir_attr *a = ir_attr_find(c->node, name);
    return a && a->type == ATTR_GRAPH ? a->g : NULL;
}

int shape_control(op_ctx *c) { return RV_EDYNAMIC; }

/* Moves a body output into the node's output k (takes the buffer). */
static void adopt(op_ctx *c, int k, tensor *t)
{
    *c->out[k] = *t;
    t->data = NULL;
}

int ref_if(op_ctx *c)
{
    const tensor *cond = c->in[0];
    int64_t n;
    if (tensor_numel(cond, &n) || n != 1)
        return op_error(c, RV_ESHAPE, "input 0 (cond) must hold exactly one element");
    int take = dtype_is_float(cond->dtype) ? tensor_get_f64(cond, 0) != 0 : tensor_get_i64(cond, 0) != 0;
    const ir_graph *body = graph_attr(c, take ? "then_branch" : "else_branch");
    if (!body)
        return op_error(c, RV_EGRAPH, "missing attribute '%s'", take ? "then_branch" : "else_branch");
    if (body->n_inputs)
        return op_error(c, RV_EGRAPH, "branch '%s' takes %d inputs; If branches take none", body->name,
                        body->n_inputs);
    if (body->n_outputs != c->n_out)
        return op_error(c, RV_EGRAPH, "branch '%s' has %d outputs, the node %d", body->name, body->n_outputs,
                        c->n_out);
    /* whichever branch runs, the outputs must have one type: the two
     * branches' declared output types must agree */
    const ir_graph *other = graph_attr(c, take ? "else_branch" : "then_branch");
    for (int k = 0; other && k < c->n_out && k < other->n_outputs; k++) {
        int a = body->vals[body->outputs[k]].t.dtype, b = other->vals[other->outputs[k]].t.dtype;
        if (a && b && a != b)
            return op_error(c, RV_ETYPE, "output %d: branch '%s' gives %s, branch '%s' %s", k, body->name,
                            dtype_suffix(a), other->name, dtype_suffix(b));
    }
    tensor outs[64];
    if (c->n_out > 64)
        return op_error(c, RV_ELIMIT, "more than 64 outputs");
    int rc = ref_run_frame(body, c->frame, NULL, outs);
    if (rc)
        return err_wrap(rc, "%s: branch '%s'", c->node->name, body->name);
    for (int k = 0; k < c->n_out; k++)
        adopt(c, k, &outs[k]);
    return 0;
}

/* Loop(M, cond, v_initial...) -> (v_final..., scan_outputs...).
 * Body inputs: (iteration_num, cond, v...); outputs: (cond, v..., scans...). */
int ref_loop(op_ctx *c)
{
    const ir_graph *body = graph_attr(c, "body");
    if (!body)
        return op_error(c, RV_EGRAPH, "missing attribute 'body'");
    int n_carried = c->n_in - 2, n_scan = c->n_out - n_carried;
    if (n_carried < 0 || n_scan < 0 || body->n_inputs != n_carried + 2 || body->n_outputs != n_carried + 1 + n_scan)
        return op_error(c, RV_EGRAPH, "body has %d inputs and %d outputs; the node needs %d and %d", body->n_inputs,
                        body->n_outputs, n_carried + 2, n_carried + 1 + n_scan);
    if (n_carried + n_scan > 60)
        return op_error(c, RV_ELIMIT, "too many loop values");
    int64_t max_trip = INT64_MAX;
    if (c->in[0]) {
        int64_t n;
        if (tensor_numel(c->in[0], &n) || n != 1)
            return op_error(c, RV_ESHAPE, "input 0 (M) must be a scalar");
        max_trip = tensor_get_i64(c->in[0], 0);
    }
    int cond = 1;
    if (c->in[1]) {
        if (need_scalar(c, 1))
            return RV_ESHAPE;
        cond = tensor_get_i64(c->in[1], 0) != 0;
    }
    if (!c->in[0] && !c->in[1])
        return op_error(c, RV_EINVAL, "neither a trip count nor a condition: the loop would not end");
    /* carried values: start as copies of the inputs */
    tensor carried[64], scans[64][1];
    tensor *scan_parts[64] = {NULL};
    int64_t scan_n = 0, scan_cap = 0;
    memset(carried, 0, sizeof carried);
    memset(scans, 0, sizeof scans);
    int rc = 0;
    for (int k = 0; k < n_carried; k++) {
        carried[k] = *c->in[2 + k];
        carried[k].data = mem_alloc(carried[k].nbytes + 1);
        if (!carried[k].data) {
            rc = op_error(c, RV_ENOMEM, "out of memory");
            goto out;
        }
        memcpy(carried[k].data, c->in[2 + k]->data, carried[k].nbytes);
    }
    int64_t it_val;
    uint8_t cond_val;
    for (int64_t it = 0; it < max_trip && cond; it++) {
        if (it >= (int64_t)1 << 32) {
            rc = op_error(c, RV_ELIMIT, "more than 2^32 iterations");
            goto out;
        }
        tensor ins[64], outs[64];
        it_val = it;
        cond_val = (uint8_t)cond;
        ins[0] = (tensor){DT_I64, 0, {0}, &it_val, 8};
        ins[1] = (tensor){DT_BOOL, 0, {0}, &cond_val, 1};
        for (int k = 0; k < n_carried; k++)
            ins[2 + k] = carried[k];
        /* body inputs may be declared with any rank: pass what we have */
        rc = ref_run_frame(body, c->frame, ins, outs);
        if (rc) {
            rc = err_wrap(rc, "%s: iteration %lld", c->node->name, (long long)it);
            goto out;
        }
        cond = tensor_get_i64(&outs[0], 0) != 0;
        mem_free(outs[0].data);
        for (int k = 0; k < n_carried; k++) {
            mem_free(carried[k].data);
            carried[k] = outs[1 + k];
        }
        if (scan_n == scan_cap) {
            int64_t cap = scan_cap ? scan_cap * 2 : 16;
            for (int s = 0; s < n_scan; s++) {
                tensor *p = mem_realloc(scan_parts[s], (size_t)cap * sizeof *p);
                if (!p) {
                    for (int q = 0; q < n_scan; q++)
                        mem_free(outs[1 + n_carried + q].data);
                    rc = op_error(c, RV_ENOMEM, "out of memory");
                    goto out;
                }
                scan_parts[s] = p;
            }
            scan_cap = cap;
        }
        for (int s = 0; s < n_scan; s++)
            scan_parts[s][scan_n] = outs[1 + n_carried + s];
        scan_n++;
    }
    for (int k = 0; k < n_carried; k++)
        adopt(c, k, &carried[k]);
    for (int s = 0; s < n_scan; s++) {
        tensor *y = c->out[n_carried + s];
        memset(y, 0, sizeof *y);
        const tensor *first = scan_n ? &scan_parts[s][0] : NULL;
        y->dtype = first ? first->dtype : DT_F32;
        y->rank = first ? first->rank + 1 : 1;
        y->dims[0] = scan_n;
        for (int d = 0; first && d < first->rank; d++)
            y->dims[1 + d] = first->dims[d];
        for (int64_t i = 0; i < scan_n; i++)
            if (!shape_equal(&scan_parts[s][i], first)) {
                rc = op_error(c, RV_ESHAPE, "scan output %d changes shape at iteration %lld", s, (long long)i);
                goto out;
            }
        if ((rc = op_alloc_output(c, n_carried + s)))
            goto out;
        for (int64_t i = 0; i < scan_n; i++)
            memcpy((char *)y->data + (size_t)i * first->nbytes, scan_parts[s][i].data, first->nbytes);
    }
out:
    for (int k = 0; k < n_carried; k++)
        mem_free(carried[k].data);
    for (int s = 0; s < n_scan; s++) {
        for (int64_t i = 0; i < scan_n; i++)
            mem_free(scan_parts[s][i].data);
        mem_free(scan_parts[s]);
    }
    (void)scans;
    return rc;
}
