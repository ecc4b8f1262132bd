/* onnx.c - ModelProto -> IR. The only file that walks protobuf-c's
 * generated structures for models (tensorpb.c does tensors).
 *
 * Two passes per graph: first every node output becomes a value (so a
 * subgraph can refer to any value of its enclosing graph), then inputs
 * are resolved and attributes converted, recursing into subgraphs.
 * Constant nodes become constant values directly. */
#include "tensorpb.h"
#include "../util/npy.h"
#include "../util/status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


size_t import_decoded_budget(size_t len)
{
    return ((size_t)64 << 20) + (len > SIZE_MAX / 9 ? SIZE_MAX / 9 : len) * 8;
}

typedef struct imp {
    ir_model *m;
    const rv_limits *lim;
    const char *dir;
} imp;

static int convert_graph(imp *im, const Onnx__GraphProto *gp, ir_graph *parent, ir_graph **out);

static int value_type(const Onnx__ValueInfoProto *vi, ir_value *v, arena *a)
{
    const Onnx__TypeProto *tp = vi->type;
    if (!tp)
        return 0;
    if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        return err_set(RV_EUNSUPPORTED, "value '%s': only tensor types are supported (sequence, map, "
                       "optional and sparse values are not)", v->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (tt->has_elem_type && tt->elem_type && !dtype_size(tt->elem_type))
        return err_set(RV_EUNSUPPORTED, "value '%s': element type %d not supported", v->name,
                       tt->elem_type);
    v->t.dtype = tt->has_elem_type ? tt->elem_type : 0;
    if (!tt->shape)
        return 0;
    if (tt->shape->n_dim > TENSOR_MAX_RANK)
        return err_set(RV_ELIMIT, "value '%s': rank %zu exceeds the supported %d", v->name,
                       tt->shape->n_dim, TENSOR_MAX_RANK);
    v->t.rank = (int)tt->shape->n_dim;
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        v->t.dims[i] = -1;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 0)
                return err_set(RV_EFORMAT, "value '%s': dimension %zu is negative (%lld)", v->name, i,
                               (long long)d->dim_value);
            v->t.dims[i] = d->dim_value;
        } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                   d->dim_param && *d->dim_param) {
            v->dim_param[i] = arena_strdup(a, d->dim_param);
            if (!v->dim_param[i])
                return err_set(RV_ENOMEM, "out of memory");
        }
    }
    return 0;
}

static int attr_from_constant(imp *im, const Onnx__NodeProto *np, ir_value *v)
{
    /* Constant: exactly one of value, value_float(s), value_int(s). */
    for (size_t k = 0; k < np->n_attribute; k++) {
        const Onnx__AttributeProto *ap = np->attribute[k];
        const char *nm = ap->name ? ap->name : "";
        tensor *t = &v->t;
        if (strcmp(nm, "value") == 0 && ap->t) {
            int rc = tensorpb_decode(ap->t, &im->m->a, im->dir, im->lim, t);
            return rc ? err_wrap(rc, "Constant node '%s': attribute 'value'", np->name ? np->name : "")
                      : 0;
        }
        int is_list = strcmp(nm, "value_floats") == 0 || strcmp(nm, "value_ints") == 0;
        if (strcmp(nm, "value_float") == 0 || strcmp(nm, "value_int") == 0 || is_list) {
            int is_f = nm[6] == 'f';
            size_t n = is_list ? (is_f ? ap->n_floats : ap->n_ints) : 1;
            t->dtype = is_f ? DT_F32 : DT_I64;
            t->rank = is_list ? 1 : 0;
            t->dims[0] = (int64_t)n;
            t->nbytes = n * dtype_size(t->dtype);
            t->data = arena_alloc(&im->m->a, t->nbytes);
            if (!t->data)
                return err_set(RV_ENOMEM, "out of memory");
            if (is_f)
                memcpy(t->data, is_list ? ap->floats : &ap->f, t->nbytes);
            else
                memcpy(t->data, is_list ? ap->ints : &ap->i, t->nbytes);
            return 0;
        }
    }
    return err_set(RV_EUNSUPPORTED, "Constant node '%s': no supported value attribute (value, "
                   "value_float(s), value_int(s))", np->name ? np->name : "");
}

static int convert_attr(imp *im, ir_graph *g, int ni, const Onnx__AttributeProto *ap)
{
    const char *nm = ap->name ? ap->name : "";
    char lbl[256];
    ir_node *n = &g->nodes[ni];
    int type = ap->has_type ? (int)ap->type : 0;
    if (!type) { /* IR < 3 left the type implicit */
        type = ap->g ? ATTR_GRAPH : ap->t ? ATTR_TENSOR : ap->n_floats ? ATTR_FLOATS
             : ap->n_ints ? ATTR_INTS : ap->n_strings ? ATTR_STRINGS : ap->has_s ? ATTR_STRING
             : ap->has_f ? ATTR_FLOAT : ATTR_INT;
    }
    if (ap->ref_attr_name && *ap->ref_attr_name)
        return err_set(RV_EUNSUPPORTED, "%s: attribute '%s' refers to a function attribute",
                       ir_node_label(n, lbl, sizeof lbl), nm);
    if (type < ATTR_FLOAT || type > ATTR_STRINGS)
        return err_set(RV_EUNSUPPORTED, "%s: attribute '%s' has type %d (tensor lists, graph lists, "
                       "sparse tensors and type protos are not supported)",
                       ir_node_label(n, lbl, sizeof lbl), nm, type);
    ir_attr *at = ir_add_attr(g, ni, nm, type);
    if (!at)
        return err_set(RV_ENOMEM, "out of memory");
    arena *a = g->a;
    int rc = 0;
    switch (type) {
    case ATTR_FLOAT: at->f = ap->f; break;
    case ATTR_INT: at->i = ap->i; break;
    case ATTR_STRING:
        at->s = arena_strndup(a, (const char *)ap->s.data, ap->s.len);
        at->s_len = ap->s.len;
        if (!at->s)
            rc = RV_ENOMEM;
        break;
    case ATTR_FLOATS:
        at->n = ap->n_floats;
        at->floats = arena_memdup(a, ap->floats, ap->n_floats * sizeof(float));
        if (!at->floats)
            rc = RV_ENOMEM;
        break;
    case ATTR_INTS:
        at->n = ap->n_ints;
        at->ints = arena_memdup(a, ap->ints, ap->n_ints * sizeof(int64_t));
        if (!at->ints)
            rc = RV_ENOMEM;
        break;
    case ATTR_STRINGS:
        at->n = ap->n_strings;
        at->strings = arena_alloc_array(a, ap->n_strings + 1, sizeof(char *));
        if (!at->strings)
            rc = RV_ENOMEM;
        for (size_t i = 0; !rc && i < ap->n_strings; i++)
            if (!(at->strings[i] = arena_strndup(a, (const char *)ap->strings[i].data,
                                                 ap->strings[i].len)))
                rc = RV_ENOMEM;
        break;
    case ATTR_TENSOR:
        if (!ap->t)
            return err_set(RV_EFORMAT, "%s: attribute '%s' of type TENSOR has no tensor",
                           ir_node_label(n, lbl, sizeof lbl), nm);
        at->t = arena_alloc(a, sizeof *at->t);
        if (!at->t)
            return err_set(RV_ENOMEM, "out of memory");
        if ((rc = tensorpb_decode(ap->t, a, im->dir, im->lim, at->t)))
            return err_wrap(rc, "%s: attribute '%s'", ir_node_label(&g->nodes[ni], lbl, sizeof lbl), nm);
        break;
    case ATTR_GRAPH:
        if (!ap->g)
            return err_set(RV_EFORMAT, "%s: attribute '%s' of type GRAPH has no graph",
                           ir_node_label(n, lbl, sizeof lbl), nm);
        if ((rc = convert_graph(im, ap->g, g, &at->g)))
            return err_wrap(rc, "%s: subgraph '%s'", ir_node_label(&g->nodes[ni], lbl, sizeof lbl), nm);
        break;
    }
    if (rc == RV_ENOMEM)
        return err_set(RV_ENOMEM, "out of memory reading attribute '%s'", nm);
    return rc;
}

/* Value index for name as seen from g: its own, or a new VAL_OUTER
 * reference when an enclosing graph defines it; -1 if nobody does. */
static int resolve_name(ir_graph *g, const char *name)
{
    int v = ir_find_value(g, name);
    if (v >= 0)
        return v;
    for (ir_graph *p = g->parent; p; p = p->parent)
        if (ir_find_value(p, name) >= 0)
            return ir_add_value(g, name, VAL_OUTER);
    return -1;
}

static int convert_graph(imp *im, const Onnx__GraphProto *gp, ir_graph *parent, ir_graph **out)
{
    ir_graph *g = ir_graph_new(&im->m->a, parent);
    char lbl[256];
    int rc = 0;
    if (!g)
        return err_set(RV_ENOMEM, "out of memory");
    *out = g;
    g->opset = parent ? parent->opset : im->m->opset;
    g->name = arena_strdup(g->a, gp->name ? gp->name : "");
    if (gp->n_sparse_initializer)
        return err_set(RV_EUNSUPPORTED, "graph '%s': sparse initializers are not supported", g->name);
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        if (!tp->name || !*tp->name)
            return err_set(RV_EFORMAT, "graph '%s': initializer %zu has no name", g->name, i);
        int v = ir_add_value(g, tp->name, VAL_CONST);
        if (v < 0)
            return err_wrap(v, "graph '%s': initializer %zu", g->name, i);
        if ((rc = tensorpb_decode(tp, g->a, im->dir, im->lim, &g->vals[v].t)))
            return err_wrap(rc, "graph '%s': initializer %zu", g->name, i);
    }
    g->inputs = arena_alloc_array(g->a, gp->n_input + 1, sizeof *g->inputs);
    g->outputs = arena_alloc_array(g->a, gp->n_output + 1, sizeof *g->outputs);
    if (!g->inputs || !g->outputs)
        return err_set(RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *vi = gp->input[i];
        if (!vi->name || !*vi->name)
            return err_set(RV_EFORMAT, "graph '%s': input %zu has no name", g->name, i);
        int v = ir_find_value(g, vi->name);
        if (v >= 0 && g->vals[v].kind == VAL_CONST)
            continue; /* an initializer listed as input (IR < 4): a constant */
        if ((v = ir_add_value(g, vi->name, VAL_INPUT)) < 0)
            return err_wrap(v, "graph '%s': input %zu", g->name, i);
        if ((rc = value_type(vi, &g->vals[v], g->a)))
            return err_wrap(rc, "graph '%s': input %zu", g->name, i);
        g->inputs[g->n_inputs++] = v;
    }
    /* pass 1: every node output is a value */
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        for (size_t k = 0; k < np->n_output; k++) {
            if (!np->output[k] || !*np->output[k])
                continue;
            int v = ir_add_value(g, np->output[k], VAL_INTERMEDIATE);
            if (v < 0)
                return err_wrap(v, "graph '%s': node '%s' (%s): output %zu", g->name,
                                np->name ? np->name : "", np->op_type ? np->op_type : "", k);
        }
    }
    /* pass 2: nodes, inputs, attributes */
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        const char *op_type = np->op_type ? np->op_type : "";
        const char *domain = np->domain ? np->domain : "";
        if (!*op_type)
            return err_set(RV_EFORMAT, "graph '%s': node %zu '%s' has no op_type", g->name, i,
                           np->name ? np->name : "");
        int is_std = !*domain || strcmp(domain, "ai.onnx") == 0;
        if (is_std && strcmp(op_type, "Constant") == 0 && np->n_output == 1 && np->n_input == 0 &&
            np->output[0] && *np->output[0]) {
            ir_value *v = &g->vals[ir_find_value(g, np->output[0])];
            if ((rc = attr_from_constant(im, np, v)))
                return err_wrap(rc, "graph '%s'", g->name);
            v->kind = VAL_CONST;
            continue;
        }
        if (np->n_input > 4096 || np->n_output > 4096)
            return err_set(RV_ELIMIT, "graph '%s': node '%s' (%s): more than 4096 inputs or outputs",
                           g->name, np->name ? np->name : "", op_type);
        int ins[4096], outs[4096];
        for (size_t k = 0; k < np->n_output; k++)
            outs[k] = np->output[k] && *np->output[k] ? ir_find_value(g, np->output[k]) : -1;
        for (size_t k = 0; k < np->n_input; k++) {
            const char *nm = np->input[k];
            if (!nm || !*nm) {
                ins[k] = -1;
                continue;
            }
            ins[k] = resolve_name(g, nm);
            if (ins[k] < 0)
                return err_set(RV_EGRAPH, "graph '%s': node '%s' (%s): input %zu '%s' is not defined by "
                               "any node, initializer or graph input", g->name,
                               np->name ? np->name : "", op_type, k, nm);
        }
        int ni = ir_add_node(g, np->name, op_type, domain, ins, (int)np->n_input, outs,
                             (int)np->n_output);
        if (ni < 0)
            return ni;
        for (size_t k = 0; k < np->n_attribute; k++)
            if ((rc = convert_attr(im, g, ni, np->attribute[k])))
                return err_wrap(rc, "graph '%s'", g->name);
        (void)lbl;
    }
    for (size_t i = 0; i < gp->n_output; i++) {
        const Onnx__ValueInfoProto *vi = gp->output[i];
        const char *nm = vi->name ? vi->name : "";
        int v = resolve_name(g, nm);
        if (v < 0)
            return err_set(RV_EGRAPH, "graph '%s': output '%s' is not produced by any node", g->name, nm);
        g->vals[v].is_output = 1;
        g->outputs[g->n_outputs++] = v;
        if (!g->vals[v].t.dtype && vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
            vi->type->tensor_type->has_elem_type)
            g->vals[v].t.dtype = vi->type->tensor_type->elem_type;
    }
    if ((rc = ir_graph_link(g)))
        return err_wrap(rc, "graph '%s'", g->name);
    return 0;
}

/* The import; with owned, buf is the caller's mem_alloc'd file image and
 * is freed as soon as protobuf-c has unpacked it (the unpacked form has
 * its own copy of every byte), which keeps one copy of the weights fewer
 * alive at the peak. */
static int import_onnx(void *owned, const void *buf, size_t len, const char *dir, const rv_limits *lim_in,
                       ir_model **out)
{
    const rv_limits *lim = limits_or_default(lim_in);
    *out = NULL;
    if (len > lim->max_file_bytes) {
        mem_free(owned);
        return err_set(RV_ELIMIT, "model: %zu bytes exceed the limit max_file_bytes (%llu)", len,
                       (unsigned long long)lim->max_file_bytes);
    }
    size_t budget;
    int rc = prescan_message(&onnx__model_proto__descriptor, buf, len, lim, import_decoded_budget(len),
                             &budget);
    if (rc) {
        mem_free(owned);
        return err_wrap(rc, "model");
    }
    prescan_budget b;
    ProtobufCAllocator al;
    prescan_allocator(&b, budget * 2 + 4096, &al);
    Onnx__ModelProto *mp = onnx__model_proto__unpack(&al, len, buf);
    mem_free(owned);
    if (!mp)
        return prescan_unpack_error(&b, "model");
    ir_model *m = ir_model_new();
    if (!m) {
        onnx__model_proto__free_unpacked(mp, &al);
        return err_set(RV_ENOMEM, "out of memory");
    }
    m->ir_version = mp->has_ir_version ? mp->ir_version : 0;
    m->producer = arena_strdup(&m->a, mp->producer_name ? mp->producer_name : "");
    m->dir = dir ? arena_strdup(&m->a, dir) : NULL;
    m->opset = -1;
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const char *d = mp->opset_import[i]->domain ? mp->opset_import[i]->domain : "";
        if (!*d || strcmp(d, "ai.onnx") == 0)
            m->opset = (int)mp->opset_import[i]->version;
    }
    imp im = {m, lim, m->dir};
    if (!mp->graph)
        rc = err_set(RV_EFORMAT, "model: no graph (not an ONNX model?)");
    else if (m->opset == -1 && mp->n_opset_import)
        rc = err_set(RV_EUNSUPPORTED, "model: does not import the ai.onnx domain");
    else if (m->opset == -1 && m->ir_version >= 3)
        rc = err_set(RV_EFORMAT, "model: IR version %lld but no opset_import (truncated file?)",
                     (long long)m->ir_version);
    else if (m->opset != -1 && (m->opset < IR_OPSET_MIN || m->opset > IR_OPSET_MAX))
        rc = err_set(RV_EUNSUPPORTED, "model: ai.onnx opset %d is outside the supported range %d-%d",
                     m->opset, IR_OPSET_MIN, IR_OPSET_MAX);
    else {
        if (m->opset == -1)
            m->opset = 1; /* IR 1-2 files carry no opset_import */
        rc = convert_graph(&im, mp->graph, NULL, &m->graph);
    }
    onnx__model_proto__free_unpacked(mp, &al);
    if (rc) {
        ir_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int import_onnx_buffer(const void *buf, size_t len, const char *dir, const rv_limits *lim_in,
                       ir_model **out)
{
    return import_onnx(NULL, buf, len, dir, lim_in, out);
}

void import_dir_of(const char *path, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = 0; /* "/m.onnx" -> "/" */
    else
        snprintf(dir, cap, ".");
}

int import_onnx_file(const char *path, const rv_limits *lim, ir_model **out)
{
    void *buf;
    size_t len;
    *out = NULL;
    int rc = file_read_all(path, limits_or_default(lim)->max_file_bytes, &buf, &len);
    if (rc)
        return rc;
    char dir[4096];
    import_dir_of(path, dir, sizeof dir);
    rc = import_onnx(buf, buf, len, dir, lim, out);
    if (rc)
        return err_wrap(rc, "%s", path);
    return 0;
}
