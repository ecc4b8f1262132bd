/* graph.c - building and linking IR graphs: values, nodes, attributes,
 * name lookup, and the topological order every later stage walks. */
#include "ir.h"
#include "op.h"

#include <stdio.h>
#include <string.h>

ir_model *ir_model_new(void)
{
    ir_model *m = mem_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    arena_init(&m->a);
    return m;
}

static void graph_release_tree(ir_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_attrs; k++)
            if (g->nodes[i].attrs[k].type == ATTR_GRAPH)
                graph_release_tree(g->nodes[i].attrs[k].g);
    ir_graph_release(g);
}

void ir_model_free(ir_model *m)
{
    if (!m)
        return;
    graph_release_tree(m->graph);
    arena_release(&m->a);
    mem_free(m);
}

ir_graph *ir_graph_new(arena *a, ir_graph *parent)
{
    ir_graph *g = arena_alloc(a, sizeof *g);
    if (!g)
        return NULL;
    g->a = a;
    g->parent = parent;
    g->opset = parent ? parent->opset : 0;
    strmap_init(&g->names);
    return g;
}

void ir_graph_release(ir_graph *g)
{
    if (!g)
        return;
    strmap_free(&g->names);
    mem_free(g->vals);
    mem_free(g->nodes);
    g->vals = NULL;
    g->nodes = NULL;
    g->n_vals = g->cap_vals = g->n_nodes = g->cap_nodes = 0;
}

/* Grows a heap array (not arena: graphs grow node by node while passes
 * run, and arena growth would leave dead copies behind). */
static int grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *p = mem_realloc(*arr, (size_t)ncap * elem);
    if (!p)
        return err_set(RV_ENOMEM, "out of memory growing the graph to %d entries", ncap);
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return 0;
}

int ir_add_value(ir_graph *g, const char *name, int kind)
{
    if (ir_find_value(g, name) >= 0)
        return err_set(RV_EGRAPH, "value '%s' is defined twice", name);
    int rc = grow((void **)&g->vals, &g->cap_vals, g->n_vals + 1, sizeof *g->vals);
    if (rc)
        return rc;
    ir_value *v = &g->vals[g->n_vals];
    memset(v, 0, sizeof *v);
    v->name = arena_strdup(g->a, name);
    if (!v->name)
        return err_set(RV_ENOMEM, "out of memory adding value '%s'", name);
    v->kind = kind;
    v->t.rank = -1;
    v->producer = -1;
    v->arena_offset = -1;
    if ((rc = strmap_put(&g->names, v->name, g->n_vals)))
        return rc;
    return g->n_vals++;
}

int ir_find_value(const ir_graph *g, const char *name) { return strmap_get(&g->names, name); }

int ir_add_node(ir_graph *g, const char *name, const char *op_type, const char *domain,
                const int *in, int n_in, const int *out, int n_out)
{
    int rc = grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof *g->nodes);
    if (rc)
        return rc;
    ir_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    char auto_name[64];
    if (!name || !*name) {
        snprintf(auto_name, sizeof auto_name, "%s_%d", op_type, g->n_nodes);
        name = auto_name;
    }
    n->name = arena_strdup(g->a, name);
    n->op_type = arena_strdup(g->a, op_type);
    n->domain = arena_strdup(g->a, domain ? domain : "");
    n->in = arena_memdup(g->a, in, (size_t)n_in * sizeof *in);
    n->out = arena_memdup(g->a, out, (size_t)n_out * sizeof *out);
    if (!n->name || !n->op_type || !n->domain || !n->in || !n->out)
        return err_set(RV_ENOMEM, "out of memory adding node '%s'", name);
    n->n_in = n_in;
    n->n_out = n_out;
    n->op = op_lookup(n->domain, op_type);
    return g->n_nodes++;
}

ir_attr *ir_add_attr(ir_graph *g, int node, const char *name, int type)
{
    ir_node *n = &g->nodes[node];
    ir_attr *na = arena_alloc_array(g->a, (size_t)n->n_attrs + 1, sizeof *na);
    char *nm = arena_strdup(g->a, name);
    if (!na || !nm)
        return NULL;
    if (n->n_attrs)
        memcpy(na, n->attrs, (size_t)n->n_attrs * sizeof *na);
    n->attrs = na;
    ir_attr *at = &na[n->n_attrs++];
    at->name = nm;
    at->type = type;
    return at;
}

const ir_attr *ir_attr_find(const ir_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t ir_attr_int(const ir_node *n, const char *name, int64_t dflt)
{
    const ir_attr *a = ir_attr_find(n, name);
    return a && a->type == ATTR_INT ? a->i : dflt;
}

float ir_attr_float(const ir_node *n, const char *name, float dflt)
{
    const ir_attr *a = ir_attr_find(n, name);
    if (a && a->type == ATTR_FLOAT)
        return a->f;
    if (a && a->type == ATTR_INT)
        return (float)a->i;
    return dflt;
}

const char *ir_attr_string(const ir_node *n, const char *name, const char *dflt)
{
    const ir_attr *a = ir_attr_find(n, name);
    return a && a->type == ATTR_STRING ? a->s : dflt;
}

const int64_t *ir_attr_ints(const ir_node *n, const char *name, size_t *count)
{
    const ir_attr *a = ir_attr_find(n, name);
    if (a && a->type == ATTR_INTS) {
        *count = a->n;
        return a->ints;
    }
    *count = 0;
    return NULL;
}

const float *ir_attr_floats(const ir_node *n, const char *name, size_t *count)
{
    const ir_attr *a = ir_attr_find(n, name);
    if (a && a->type == ATTR_FLOATS) {
        *count = a->n;
        return a->floats;
    }
    *count = 0;
    return NULL;
}

const char *ir_node_label(const ir_node *n, char *buf, size_t cap)
{
    snprintf(buf, cap, "node '%s' (%s%s%s)", n->name, n->domain[0] ? n->domain : "",
             n->domain[0] ? "::" : "", n->op_type);
    return buf;
}

/* Adds to node n's captures every value of g that subgraph sg (or its
 * nested subgraphs) reads by name without defining it. */
static int collect_captures(ir_graph *g, ir_node *n, const ir_graph *sg)
{
    for (int v = 0; v < sg->n_vals; v++) {
        if (sg->vals[v].kind != VAL_OUTER)
            continue;
        int idx = ir_find_value(g, sg->vals[v].name);
        if (idx < 0)
            continue; /* defined further out: available throughout */
        int seen = 0;
        for (int k = 0; k < n->n_captures; k++)
            seen |= n->captures[k] == idx;
        if (seen)
            continue;
        int *nc = arena_alloc_array(g->a, (size_t)n->n_captures + 1, sizeof *nc);
        if (!nc)
            return err_set(RV_ENOMEM, "out of memory linking subgraph captures");
        if (n->n_captures)
            memcpy(nc, n->captures, (size_t)n->n_captures * sizeof *nc);
        nc[n->n_captures++] = idx;
        n->captures = nc;
    }
    for (int i = 0; i < sg->n_nodes; i++)
        for (int k = 0; k < sg->nodes[i].n_attrs; k++)
            if (sg->nodes[i].attrs[k].type == ATTR_GRAPH) {
                int rc = collect_captures(g, n, sg->nodes[i].attrs[k].g);
                if (rc)
                    return rc;
            }
    return 0;
}

/* Input slot k of node n counting captures after the explicit inputs. */
static int node_input(const ir_node *n, int k)
{
    return k < n->n_in ? n->in[k] : n->captures[k - n->n_in];
}

int ir_graph_link(ir_graph *g)
{
    char lbl[256];
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        n->n_captures = 0;
        for (int k = 0; k < n->n_attrs; k++)
            if (n->attrs[k].type == ATTR_GRAPH && n->attrs[k].g) {
                int rc = collect_captures(g, n, n->attrs[k].g);
                if (rc)
                    return rc;
            }
    }
    for (int v = 0; v < g->n_vals; v++) {
        g->vals[v].producer = -1;
        g->vals[v].n_uses = 0;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->n_out; k++) {
            int v = n->out[k];
            if (v < 0)
                continue;
            ir_value *val = &g->vals[v];
            if (val->producer >= 0 || val->kind == VAL_INPUT || val->kind == VAL_CONST)
                return err_set(RV_EGRAPH, "%s: output '%s' is already defined elsewhere",
                               ir_node_label(n, lbl, sizeof lbl), val->name);
            val->producer = i;
        }
        for (int k = 0; k < n->n_in + n->n_captures; k++)
            if (node_input(n, k) >= 0)
                g->vals[node_input(n, k)].n_uses++;
    }
    for (int k = 0; k < g->n_outputs; k++)
        g->vals[g->outputs[k]].n_uses++;

    /* Kahn's algorithm over live nodes, with a CSR list of each value's
     * consumers so linking stays linear in graph size. A value with no
     * producer must be an input, constant or outer-scope reference. */
    size_t nv = (size_t)g->n_vals, nn = (size_t)g->n_nodes, n_edges = 0;
    for (size_t i = 0; i < nn; i++)
        if (!g->nodes[i].dead)
            n_edges += (size_t)(g->nodes[i].n_in + g->nodes[i].n_captures);
    int *pending = mem_calloc(nn + 1, sizeof *pending);
    int *queue = mem_calloc(nn + 1, sizeof *queue);
    int *first = mem_calloc(nv + 2, sizeof *first);
    int *cons = mem_calloc(n_edges + 1, sizeof *cons);
    int *order = arena_alloc_array(g->a, nn + 1, sizeof *order);
    int rc = 0, head = 0, tail = 0, live = 0;
    if (!pending || !queue || !first || !cons || !order) {
        rc = err_set(RV_ENOMEM, "out of memory ordering %d nodes", g->n_nodes);
        goto out;
    }
    for (size_t i = 0; i < nn; i++) {
        ir_node *n = &g->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->n_in + n->n_captures; k++)
            if (node_input(n, k) >= 0)
                first[node_input(n, k) + 2]++;
    }
    for (size_t v = 2; v < nv + 2; v++)
        first[v] += first[v - 1];
    for (size_t i = 0; i < nn; i++) {
        ir_node *n = &g->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->n_in + n->n_captures; k++)
            if (node_input(n, k) >= 0)
                cons[first[node_input(n, k) + 1]++] = (int)i;
    }
    /* now consumers of v are cons[first[v] .. first[v+1]) */
    for (size_t i = 0; i < nn; i++) {
        ir_node *n = &g->nodes[i];
        if (n->dead)
            continue;
        live++;
        for (int k = 0; k < n->n_in + n->n_captures; k++) {
            int v = node_input(n, k);
            if (v < 0)
                continue;
            ir_value *val = &g->vals[v];
            if (val->producer >= 0)
                pending[i]++;
            else if (val->kind == VAL_INTERMEDIATE) {
                rc = err_set(RV_EGRAPH, "%s: input %d '%s' is not produced by any node, "
                             "initializer or graph input", ir_node_label(n, lbl, sizeof lbl), k,
                             val->name);
                goto out;
            }
        }
        if (!pending[i])
            queue[tail++] = (int)i;
    }
    while (head < tail) {
        int i = queue[head++];
        ir_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_out; k++) {
            int v = n->out[k];
            if (v < 0)
                continue;
            for (int e = first[v]; e < first[v + 1]; e++)
                if (--pending[cons[e]] == 0)
                    queue[tail++] = cons[e];
        }
    }
    if (tail != live) {
        for (size_t i = 0; i < nn; i++)
            if (!g->nodes[i].dead && pending[i]) {
                rc = err_set(RV_EGRAPH, "%s is on a cycle (or depends on one)",
                             ir_node_label(&g->nodes[i], lbl, sizeof lbl));
                break;
            }
        goto out;
    }
    for (int k = 0; k < g->n_outputs; k++) {
        ir_value *val = &g->vals[g->outputs[k]];
        if (val->producer < 0 && val->kind == VAL_INTERMEDIATE) {
            rc = err_set(RV_EGRAPH, "graph output '%s' is never produced", val->name);
            goto out;
        }
    }
    memcpy(order, queue, (size_t)tail * sizeof *order);
    g->order = order;
    g->n_order = tail;
out:
    mem_free(pending);
    mem_free(queue);
    mem_free(first);
    mem_free(cons);
    return rc;
}

const char *ir_layout_name(int layout)
{
    static const char *const names[] = {
        "-",
#define LAYOUT(id, name, what) name,
#include "layouts.def"
#undef LAYOUT
    };
    return layout >= 0 && layout < LAYOUT__COUNT ? names[layout] : "?";
}
