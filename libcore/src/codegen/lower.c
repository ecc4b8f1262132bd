/* lower.c - turns a planned graph into a module: assigns every value a
 * module tensor (weights, inputs, outputs, arena slots from the memory
 * plan), then walks the nodes in order, giving each to its RVV generator
 * (kernels.def) or, failing that, a fallback step. */
#include "codegen.h"

#include <stdio.h>
#include <string.h>

#define CG(op, fn) int fn(cg_ctx *c, const ir_node *n);
#include "kernels.def"
#undef CG

static cg_fn generator_for(int op)
{
    switch (op) {
#define CG(name, fn) case OP_##name: return fn;
#include "kernels.def"
#undef CG
    }
    return NULL;
}

int cg_value_tensor(cg_ctx *c, int v, uint32_t *id)
{
    if (c->val_tensor[v] != UINT32_MAX) {
        *id = c->val_tensor[v];
        return 0;
    }
    const ir_value *val = &c->g->vals[v];
    int place, rc;
    uint64_t off = 0;
    const void *data = NULL;
    if (val->kind == VAL_CONST) {
        place = MOD_T_WEIGHT;
        data = val->t.data;
    } else if (val->kind == VAL_INPUT) {
        place = MOD_T_INPUT;
        for (int i = 0; i < c->g->n_inputs; i++)
            if (c->g->inputs[i] == v)
                off = (uint64_t)i;
    } else if (val->is_output) {
        place = MOD_T_OUTPUT;
        for (int i = c->g->n_outputs - 1; i >= 0; i--) /* the first, if listed twice */
            if (c->g->outputs[i] == v)
                off = (uint64_t)i;
    } else if (val->arena_offset >= 0) {
        place = MOD_T_ARENA;
        off = (uint64_t)val->arena_offset;
    } else {
        return err_set(RV_EUNSUPPORTED, "value '%s' has a shape known only at run time; compile with "
                       "--input-shape to fix the input dims", val->name);
    }
    if ((rc = modb_tensor(c->mb, val->name, &val->t, place, off, data, id)))
        return rc;
    c->val_tensor[v] = *id;
    return 0;
}

int cg_value_tensors(cg_ctx *c, const int *vals, int n, uint64_t *ids)
{
    for (int i = 0; i < n; i++) {
        uint32_t id;
        int rc = cg_value_tensor(c, vals[i], &id);
        if (rc)
            return rc;
        ids[i] = id;
    }
    return 0;
}

int cg_weight(cg_ctx *c, const char *name, const tensor *t, const void *data, uint32_t *id)
{
    return modb_tensor(c->mb, name, t, MOD_T_WEIGHT, 0, data, id);
}

int cg_weight_fill(cg_ctx *c, const char *name, const tensor *t, uint32_t *id, void **fill)
{
    return modb_weight_fill(c->mb, name, t, id, fill);
}

int cg_packed_weight(cg_ctx *c, const ir_node *n, int k, int layout, const char *name, const tensor *t,
                     uint32_t *id, void **fill)
{
    int want = layout_wanted(c->g, n, k);
    if (want != layout)
        return err_set(RV_EINTERNAL, "node '%s': the generator re-lays input %d as %s, the layout pass decided "
                       "%s", n->name, k, ir_layout_name(layout), ir_layout_name(want));
    int rc = modb_weight_fill(c->mb, name, t, id, fill);
    return rc ? rc : modb_tensor_layout(c->mb, *id, layout);
}

int cg_step(cg_ctx *c, const ir_node *n, const uint64_t *ids, uint32_t n_in, uint32_t n_out,
            const int64_t *imm, uint32_t n_imm, const void *code, size_t code_size, uint64_t flops,
            uint64_t bytes)
{
    c->n_rvv++;
    return modb_step_rvv(c->mb, n->name, n->op_type, ids, n_in, n_out, imm, n_imm, code, code_size,
                         flops, bytes);
}

static int lower_ref(cg_ctx *c, const ir_node *n)
{
    uint64_t ids[1024];
    if (n->n_in + n->n_out > 1024)
        return err_set(RV_ELIMIT, "node '%s': too many operands", n->name);
    if (n->n_captures)
        return err_set(RV_EUNSUPPORTED, "node '%s' (%s) has subgraphs: modules cannot hold If/Loop; run "
                       "this model on the reference executor", n->name, n->op_type);
    for (int k = 0; k < n->n_in + n->n_out; k++) {
        int v = k < n->n_in ? n->in[k] : n->out[k - n->n_in];
        uint32_t id;
        if (v < 0) {
            ids[k] = MOD_NO_TENSOR;
            continue;
        }
        int rc = cg_value_tensor(c, v, &id);
        if (rc)
            return rc;
        ids[k] = id;
    }
    c->n_ref++;
    uint64_t flops, bytes;
    cg_node_cost(c->g, n, &flops, &bytes);
    return modb_step_ref(c->mb, n, ids, (uint32_t)n->n_in, (uint32_t)n->n_out, flops, bytes);
}

/* A graph output that no node writes (an input or a constant passed
 * through), or a value listed as an output again, gets an explicit copy
 * so every module output has its own tensor and a producer. */
static int lower_passthrough_outputs(cg_ctx *c)
{
    const ir_graph *g = c->g;
    for (int i = 0; i < g->n_outputs; i++) {
        int v = g->outputs[i], again = 0;
        for (int j = 0; j < i; j++)
            again |= g->outputs[j] == v;
        if (!again && g->vals[v].producer >= 0 && !g->nodes[g->vals[v].producer].dead &&
            g->vals[v].kind == VAL_INTERMEDIATE)
            continue;
        uint32_t src, dst;
        int rc = cg_value_tensor(c, v, &src);
        if (rc)
            return rc;
        if ((rc = modb_tensor(c->mb, g->vals[v].name, &g->vals[v].t, MOD_T_OUTPUT, (uint64_t)i, NULL,
                              &dst)))
            return rc;
        ir_node id = {.name = g->vals[v].name, .op_type = "Identity", .domain = ""};
        uint64_t ids[2] = {src, dst};
        c->n_ref++;
        if ((rc = modb_step_ref(c->mb, &id, ids, 1, 1, 0, 0)))
            return rc;
    }
    return 0;
}

static void note_fallback(cg_ctx *c, const ir_node *n, int has_generator)
{
    const char *why = c->fallback_reason ? c->fallback_reason
                      : has_generator ? "declined" : c->tgt->no_rvv ? "--no-rvv" : "no RVV generator";
    cg_result *r = c->res;
    for (int i = 0; i < r->n_notes; i++)
        if (!strcmp(r->notes[i].op, n->op_type) && !strcmp(r->notes[i].reason, why)) {
            r->notes[i].count++;
            return;
        }
    if (r->n_notes == CG_MAX_NOTES)
        return;
    cg_note *nt = &r->notes[r->n_notes++];
    snprintf(nt->op, sizeof nt->op, "%s", n->op_type);
    nt->reason = why;
    nt->count = 1;
}

int codegen_module(const ir_model *m, const cg_target *t, cg_result *out)
{
    const ir_graph *g = m->graph;
    memset(out, 0, sizeof *out);
    modb mb;
    modb_init(&mb);
    cg_ctx c = {.tgt = t, .g = g, .mb = &mb, .res = out};
    c.val_tensor = mem_alloc(((size_t)g->n_vals + 1) * sizeof *c.val_tensor);
    int rc = 0;
    if (!c.val_tensor)
        rc = err_set(RV_ENOMEM, "out of memory");
    /* WEIGHTS ends up about as large as the constants (used as they are
     * or re-laid): reserving that once spares the copies of growing it */
    size_t const_bytes = 0;
    for (int v = 0; !rc && v < g->n_vals; v++) {
        c.val_tensor[v] = UINT32_MAX;
        if (g->vals[v].kind == VAL_CONST && g->vals[v].n_uses)
            const_bytes += g->vals[v].t.nbytes + MOD_ALIGN;
    }
    if (!rc)
        rc = bytebuf_reserve(&mb.sec[SEC_WEIGHTS], const_bytes + MOD_ALIGN);
    /* inputs and outputs first, so their tensors exist even if unused */
    for (int i = 0; !rc && i < g->n_inputs; i++) {
        uint32_t id;
        rc = cg_value_tensor(&c, g->inputs[i], &id);
    }
    for (int i = 0; !rc && i < g->n_outputs; i++) {
        const ir_value *val = &g->vals[g->outputs[i]];
        uint32_t id;
        if (val->kind == VAL_INTERMEDIATE)
            rc = cg_value_tensor(&c, g->outputs[i], &id);
    }
    for (int oi = 0; !rc && oi < g->n_order; oi++) {
        const ir_node *n = &g->nodes[g->order[oi]];
        if (n->view) {
            /* the plan put its inputs in place (passes/plan.c): no step,
             * but its output's tensor exists for the consumers */
            uint32_t id;
            c.n_views++;
            rc = cg_value_tensor(&c, n->out[0], &id);
            continue;
        }
        cg_fn fn = t->no_rvv ? NULL : generator_for(n->op);
        c.fallback_reason = NULL;
        rc = fn ? fn(&c, n) : RV_EUNSUPPORTED;
        if (rc == RV_EUNSUPPORTED) {
            err_clear();
            note_fallback(&c, n, fn != NULL);
            rc = lower_ref(&c, n);
        }
    }
    if (!rc)
        rc = lower_passthrough_outputs(&c);
    if (!rc) {
        mb.hdr.flags = t->vlen ? 0 : MOD_FLAG_VLA;
        mb.hdr.ext = c.n_rvv ? t->ext : 0;
        mb.hdr.vlen = t->vlen;
        mb.hdr.min_vlen = c.n_rvv ? t->min_vlen : 0;
        mb.hdr.arena_bytes = g->arena_bytes;
        mb.hdr.opset = (uint32_t)g->opset;
        rc = modb_string(&mb, t->march, &mb.hdr.march);
    }
    if (!rc)
        rc = modb_finish(&mb, &out->buf, &out->len);
    out->n_rvv = c.n_rvv;
    out->n_ref = c.n_ref;
    out->n_views = c.n_views;
    mem_free(c.val_tensor);
    modb_free(&mb);
    return rc;
}
