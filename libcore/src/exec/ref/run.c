/* run.c - the reference executor's driver: binds inputs, walks the
 * topological order, asks each op's shape function for output shapes,
 * allocates (from the memory plan when shapes are static, else the heap),
 * runs the kernel, and frees every intermediate after its last use.
 * Every tensor it allocates is checked against max_tensor_bytes, and the
 * planned arena plus the heap intermediates alive at once against
 * max_arena_bytes; each node is one step for max_step_ms. */
#include "ref.h"
#include "../../ir/custom.h"

#include <stdio.h>
#include <string.h>

int shape_copy_from(tensor *out, const tensor *in)
{
    out->dtype = in->dtype;
    out->rank = in->rank;
    memcpy(out->dims, in->dims, sizeof out->dims);
    return 0;
}

static tensor *frame_lookup_outer(exec_frame *f, const char *name)
{
    for (exec_frame *p = f->parent; p; p = p->parent) {
        int v = ir_find_value(p->g, name);
        if (v >= 0 && p->vals[v])
            return p->vals[v];
    }
    return NULL;
}

int op_alloc_output(op_ctx *c, int i)
{
    tensor *t = c->out[i];
    size_t nb;
    int rc = tensor_byte_size(t, &nb);
    if (rc)
        return op_error(c, rc, "output %d: %s", i, err_message());
    const ref_budget *b = c->frame ? c->frame->budget : NULL;
    if (b && nb > b->max_tensor_bytes)
        return op_error(c, RV_ELIMIT, "output %d: %zu bytes exceed the limit max_tensor_bytes (%llu)", i,
                        nb, (unsigned long long)b->max_tensor_bytes);
    if (b && (b->arena_bytes + b->heap_bytes > b->max_arena_bytes ||
              nb > b->max_arena_bytes - b->arena_bytes - b->heap_bytes))
        return op_error(c, RV_ELIMIT, "output %d: %zu more bytes of intermediates (%llu in use) exceed "
                        "the limit max_arena_bytes (%llu)", i, nb,
                        (unsigned long long)(b->arena_bytes + b->heap_bytes),
                        (unsigned long long)b->max_arena_bytes);
    t->data = mem_alloc(nb);
    if (!t->data)
        return op_error(c, RV_ENOMEM, "output %d: cannot allocate %zu bytes", i, nb);
    t->nbytes = nb;
    /* The frame marks it owned (see run_node). */
    return 0;
}

/* Checks a bound input against the model's declared type and shape. */
static int check_input(const ir_value *v, const tensor *t)
{
    char want[96], got[96];
    if (v->t.dtype && t->dtype != v->t.dtype)
        return err_set(RV_ETYPE, "input '%s': element type %s, the model expects %s", v->name,
                       dtype_suffix(t->dtype), dtype_suffix(v->t.dtype));
    if (v->t.rank >= 0) {
        int ok = t->rank == v->t.rank;
        for (int i = 0; ok && i < t->rank; i++)
            ok = v->t.dims[i] < 0 || v->dim_param[i] || v->t.dims[i] == t->dims[i];
        if (!ok)
            return err_set(RV_ESHAPE, "input '%s': shape %s, the model expects %s", v->name,
                           tensor_shape_str(t, got, sizeof got),
                           tensor_shape_str(&v->t, want, sizeof want));
    }
    size_t nb;
    int rc = tensor_byte_size(t, &nb);
    if (rc)
        return err_wrap(rc, "input '%s'", v->name);
    if (!t->data && nb)
        return err_set(RV_EINVAL, "input '%s': no data", v->name);
    if (t->nbytes < nb)
        return err_set(RV_ESHAPE, "input '%s': %zu bytes of data for shape %s (%zu bytes)", v->name,
                       t->nbytes, tensor_shape_str(t, got, sizeof got), nb);
    return 0;
}

/* Runs a registered custom op: its shape function on the run-time
 * inputs, allocation, then its kernel. */
static int custom_run(const custom_op *co, op_ctx *c)
{
    int rc = co->shape(co->user, c->node, c->in, c->n_in, c->out, c->n_out);
    if (rc)
        return rc == RV_EDYNAMIC ? op_error(c, RV_EINTERNAL, "shape unknown at run time") : rc;
    for (int k = 0; k < c->n_out; k++)
        if ((rc = op_alloc_output(c, k)))
            return rc;
    return co->run(co->user, c->node, c->in, c->n_in, c->out, c->n_out);
}

typedef struct run_state {
    exec_frame f;
    const ref_options *opt;
    tensor *store;     /* per value: storage for node outputs and inputs */
    int *remaining;    /* per value: uses not yet executed */
} run_state;

/* Heap bytes of value v now owned by this frame count against the run's
 * max_arena_bytes until released. */
static void charge(run_state *s, int v)
{
    if (s->f.budget && !s->f.charged[v]) {
        s->f.charged[v] = s->store[v].nbytes;
        s->f.budget->heap_bytes += s->store[v].nbytes;
    }
}

static void uncharge(run_state *s, int v)
{
    if (s->f.budget) {
        s->f.budget->heap_bytes -= s->f.charged[v];
        s->f.charged[v] = 0;
    }
}

static void release_value(run_state *s, int v)
{
    if (s->f.owned[v]) {
        mem_free(s->store[v].data);
        s->f.owned[v] = 0;
    }
    uncharge(s, v);
    s->store[v].data = NULL;
}

static int run_node(run_state *s, int ni)
{
    const ir_graph *g = s->f.g;
    const ir_node *n = &g->nodes[ni];
    char lbl[256];
    const custom_op *co = n->op < 0 ? custom_ops_find(s->opt ? s->opt->custom : NULL, n) : NULL;
    if (n->op < 0 && !co)
        return err_set(RV_EUNSUPPORTED, "%s: operator not supported by the reference executor",
                       ir_node_label(n, lbl, sizeof lbl));
    /* A custom op sizes and allocates its outputs itself (custom_run). */
    static const op_info custom_info = {"custom", 0, 64, 0, 64, NULL, NULL, OPF_SELF_ALLOC};
    const op_info *oi = co ? &custom_info : &op_table[n->op];
    tensor *ins[64], *outs[64];
    if (n->n_in > 64 || n->n_out > 64)
        return err_set(RV_ELIMIT, "%s: more than 64 inputs or outputs",
                       ir_node_label(n, lbl, sizeof lbl));
    for (int k = 0; k < n->n_in; k++) {
        int v = n->in[k];
        ins[k] = v >= 0 ? s->f.vals[v] : NULL;
        if (v >= 0 && !ins[k])
            return err_set(RV_EINTERNAL, "%s: input '%s' has no value at run time",
                           ir_node_label(n, lbl, sizeof lbl), g->vals[v].name);
    }
    for (int k = 0; k < n->n_out; k++) {
        int v = n->out[k];
        if (v < 0) {
            /* Omitted optional output: give the kernel a scratch slot. */
            outs[k] = NULL;
            continue;
        }
        memset(&s->store[v], 0, sizeof s->store[v]);
        outs[k] = &s->store[v];
    }
    tensor scratch[64];
    for (int k = 0; k < n->n_out; k++)
        if (!outs[k]) {
            memset(&scratch[k], 0, sizeof scratch[k]);
            outs[k] = &scratch[k];
        }
    op_ctx c = {n, g, g->opset, n->n_in, n->n_out, ins, outs, &s->f};
    int rc;
    if (!(oi->flags & OPF_SELF_ALLOC)) {
        if ((rc = oi->shape(&c)))
            return rc == RV_EDYNAMIC ? op_error(&c, RV_EINTERNAL, "shape unknown at run time") : rc;
        for (int k = 0; k < n->n_out; k++) {
            int v = n->out[k];
            const ir_value *val = v >= 0 ? &g->vals[v] : NULL;
            size_t nb;
            if ((rc = tensor_byte_size(outs[k], &nb)))
                return op_error(&c, rc, "output %d: %s", k, err_message());
            /* a view's output shares bytes with its inputs: the reference
             * kernel copies into a buffer of its own instead */
            if (val && s->f.arena_base && val->arena_offset >= 0 && !val->dynamic && !n->view &&
                shape_equal(outs[k], &val->t)) {
                outs[k]->data = (char *)s->f.arena_base + val->arena_offset;
                outs[k]->nbytes = nb;
            } else if ((rc = op_alloc_output(&c, k))) {
                return rc;
            } else if (v >= 0) {
                s->f.owned[v] = 1;
                charge(s, v);
            }
        }
    }
    uint64_t max_ms = s->f.budget ? s->f.budget->max_step_ms : 0;
    ref_deadline saved = ref_step_begin(max_ms);
    rc = co ? custom_run(co, &c) : oi->ref(&c);
    if (ref_step_end(saved) && !rc)
        rc = op_error(&c, RV_ELIMIT, "the step ran longer than the limit max_step_ms (%llu ms)",
                      (unsigned long long)max_ms);
    for (int k = 0; k < n->n_out; k++) {
        int v = n->out[k];
        if (v < 0) {
            mem_free(scratch[k].data);
            continue;
        }
        if ((oi->flags & OPF_SELF_ALLOC) && s->store[v].data) {
            s->f.owned[v] = 1;
            charge(s, v);
        }
        s->f.vals[v] = &s->store[v];
    }
    return rc;
}

static int frame_run(run_state *s, const tensor *inputs, tensor *outputs)
{
    const ir_graph *g = s->f.g;
    int rc = 0;
    for (int v = 0; v < g->n_vals; v++) {
        const ir_value *val = &g->vals[v];
        s->remaining[v] = val->n_uses;
        if (val->kind == VAL_CONST) {
            s->f.vals[v] = (tensor *)&val->t;
        } else if (val->kind == VAL_OUTER) {
            s->f.vals[v] = frame_lookup_outer(&s->f, val->name);
            if (!s->f.vals[v])
                return err_set(RV_EGRAPH, "subgraph value '%s' is not defined in any enclosing scope",
                               val->name);
        }
    }
    for (int i = 0; i < g->n_inputs; i++) {
        int v = g->inputs[i];
        if ((rc = check_input(&g->vals[v], &inputs[i])))
            return rc;
        s->store[v] = inputs[i];
        s->f.vals[v] = &s->store[v];
    }
    for (int oi = 0; oi < g->n_order; oi++) {
        int ni = g->order[oi];
        const ir_node *n = &g->nodes[ni];
        if ((rc = run_node(s, ni)))
            return rc;
        if (s->opt && s->opt->on_node) {
            tensor *outs[64];
            for (int k = 0; k < n->n_out && k < 64; k++)
                outs[k] = n->out[k] >= 0 ? s->f.vals[n->out[k]] : NULL;
            if ((rc = s->opt->on_node(s->opt->user, g, ni, outs, n->n_out)))
                return rc;
        }
        for (int k = 0; k < n->n_in + n->n_captures; k++) {
            int v = k < n->n_in ? n->in[k] : n->captures[k - n->n_in];
            if (v >= 0 && --s->remaining[v] == 0 && g->vals[v].kind == VAL_INTERMEDIATE)
                release_value(s, v);
        }
        /* Outputs nobody reads (optional outputs, dead ends) go now. */
        for (int k = 0; k < n->n_out; k++) {
            int v = n->out[k];
            if (v >= 0 && g->vals[v].n_uses == 0)
                release_value(s, v);
        }
    }
    for (int i = 0; i < g->n_outputs; i++) {
        int v = g->outputs[i];
        tensor *t = s->f.vals[v];
        if (!t)
            return err_set(RV_EINTERNAL, "graph output '%s' was not computed", g->vals[v].name);
        outputs[i] = *t;
        if (s->f.owned[v] && g->vals[v].kind == VAL_INTERMEDIATE &&
            (outputs[i].data == s->store[v].data)) {
            /* Hand the heap buffer over unless another output shares it. */
            int shared = 0;
            for (int j = 0; j < i; j++)
                shared |= g->outputs[j] == v;
            if (!shared) {
                s->f.owned[v] = 0;
                continue;
            }
        }
        outputs[i].data = mem_alloc(t->nbytes);
        if (!outputs[i].data && t->nbytes)
            return err_set(RV_ENOMEM, "out of memory copying output '%s'", g->vals[v].name);
        if (t->nbytes)
            memcpy(outputs[i].data, t->data, t->nbytes);
    }
    return 0;
}

static int run_graph(const ir_graph *g, exec_frame *parent, void *arena_base, ref_budget *budget,
                     const ref_options *opt, const tensor *inputs, tensor *outputs)
{
    run_state s;
    memset(&s, 0, sizeof s);
    s.opt = opt;
    memset(outputs, 0, (size_t)g->n_outputs * sizeof *outputs);
    size_t nv = (size_t)g->n_vals + 1;
    s.f.g = g;
    s.f.parent = parent;
    s.f.arena_base = arena_base;
    s.f.budget = budget;
    s.f.vals = mem_calloc(nv, sizeof *s.f.vals);
    s.f.owned = mem_calloc(nv, 1);
    s.f.charged = mem_calloc(nv, sizeof *s.f.charged);
    s.store = mem_calloc(nv, sizeof *s.store);
    s.remaining = mem_calloc(nv, sizeof *s.remaining);
    int rc;
    if (!s.f.vals || !s.f.owned || !s.f.charged || !s.store || !s.remaining)
        rc = err_set(RV_ENOMEM, "out of memory starting a run of %d values", g->n_vals);
    else
        rc = frame_run(&s, inputs, outputs);
    if (rc) { /* outputs handed over or copied so far are the caller's no more */
        for (int i = 0; i < g->n_outputs; i++) {
            mem_free(outputs[i].data);
            outputs[i].data = NULL;
        }
    }
    if (s.f.owned)
        for (int v = 0; v < g->n_vals; v++)
            if (s.f.owned[v])
                mem_free(s.store[v].data);
    /* outputs handed to the caller leave this frame's count too: an
     * enclosing frame charges them again as its node's outputs */
    if (s.f.charged && budget)
        for (int v = 0; v < g->n_vals; v++)
            budget->heap_bytes -= s.f.charged[v];
    mem_free(s.f.vals);
    mem_free(s.f.owned);
    mem_free(s.f.charged);
    mem_free(s.store);
    mem_free(s.remaining);
    return rc;
}

int ref_run_frame(const ir_graph *g, exec_frame *parent, const tensor *inputs, tensor *outputs)
{
    return run_graph(g, parent, NULL, parent ? parent->budget : NULL, NULL, inputs, outputs);
}

int ref_run(const ir_graph *g, const ref_options *opt, const tensor *inputs, tensor *outputs)
{
    int threads = opt ? opt->threads : 0;
    const rv_limits *lim = limits_or_default(opt ? opt->limits : NULL);
    ref_budget budget = {lim->max_tensor_bytes, lim->max_arena_bytes, lim->max_step_ms, 0, 0};
    ref_set_threads(threads);
    void *base = NULL;
    if (opt && opt->use_plan && g->arena_bytes) {
        if (g->arena_bytes > lim->max_arena_bytes) {
            memset(outputs, 0, (size_t)g->n_outputs * sizeof *outputs);
            return err_set(RV_ELIMIT, "the intermediate arena of %zu bytes exceeds the limit "
                           "max_arena_bytes (%llu)", g->arena_bytes,
                           (unsigned long long)lim->max_arena_bytes);
        }
        base = mem_alloc(g->arena_bytes);
        if (!base)
            return err_set(RV_ENOMEM, "cannot allocate the %zu-byte intermediate arena",
                           g->arena_bytes);
        budget.arena_bytes = g->arena_bytes;
    }
    int rc = run_graph(g, NULL, base, &budget, opt, inputs, outputs);
    mem_free(base);
    return rc;
}

int ref_run_node(const ir_graph *g, int node, tensor *const *ins, tensor *outs)
{
    const ir_node *n = &g->nodes[node];
    char lbl[256];
    if (n->op < 0)
        return err_set(RV_EUNSUPPORTED, "%s: operator not supported", ir_node_label(n, lbl, sizeof lbl));
    const op_info *oi = &op_table[n->op];
    if (oi->flags & OPF_SELF_ALLOC)
        return err_set(RV_EUNSUPPORTED, "%s: control flow cannot run as a single step",
                       ir_node_label(n, lbl, sizeof lbl));
    tensor *op_out[64];
    if (n->n_out > 64)
        return err_set(RV_ELIMIT, "%s: too many outputs", ir_node_label(n, lbl, sizeof lbl));
    for (int k = 0; k < n->n_out; k++) {
        memset(&outs[k], 0, sizeof outs[k]);
        op_out[k] = &outs[k];
    }
    op_ctx c = {n, g, g->opset, n->n_in, n->n_out, ins, op_out, NULL};
    int rc = oi->shape(&c);
    for (int k = 0; !rc && k < n->n_out; k++)
        rc = op_alloc_output(&c, k);
    if (!rc)
        rc = oi->ref(&c);
    if (rc)
        for (int k = 0; k < n->n_out; k++) {
            mem_free(outs[k].data);
            outs[k].data = NULL;
        }
    return rc;
}
