/* plan.c - liveness-based memory planning of intermediates into one arena.
 *
 * Each static intermediate lives from the step that produces it to the
 * last step that reads it (inclusive, so a kernel's inputs and outputs
 * never share bytes). Values are placed first-fit in offset order among
 * the blocks live at the same time, largest-first within a step, aligned
 * to 64 bytes (a cache line, and enough for any vector load). Graph
 * outputs and dynamic values are not planned: outputs are handed to the
 * caller, dynamic sizes are known only at run time.
 *
 * Concat without copies: where each input of a Concat is one contiguous
 * slab of its output (every dim before the axis is 1), the inputs are
 * placed at their offsets inside the output's block and the Concat node
 * becomes a view (no step). The block then lives from the first input's
 * producer to the last use of the output or of any input. Only when it is
 * safe: see concat_view_ok(). */
#include "passes.h"

#include "../ir/op.h"

#include <stdlib.h>

#define PLAN_ALIGN 64

typedef struct plan_item {
    int v;
    int first, last; /* steps, inclusive */
    size_t size;
    size_t off;
} plan_item;

static int item_cmp(const void *a, const void *b)
{
    const plan_item *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->v - y->v;
}

static int off_cmp(const void *a, const void *b)
{
    const plan_item *const *x = a, *const *y = b;
    return (*x)->off < (*y)->off ? -1 : (*x)->off > (*y)->off;
}

/* Whether Concat node n can be a view, filling offs[k] with input k's
 * byte offset inside the output. Refused unless: the output is a static
 * intermediate (not a graph output: the caller owns those bytes); every
 * dim before the axis is 1, so each input is one contiguous slab; each
 * input is a static intermediate of the same type written by a live step
 * with that one output (a graph input, an initializer or a graph output
 * has bytes of its own), appears once in this Concat (one tensor cannot
 * sit at two offsets), is not already inside another Concat's block and
 * is not itself a view (nested Concats keep their copy); every slab
 * starts 64-byte aligned, as arena offsets must. */
static int concat_view_ok(const ir_graph *g, const ir_node *n, const int *alias, int64_t *offs)
{
    if (n->op != OP_Concat || n->n_out != 1 || n->out[0] < 0 || n->n_in < 1 || n->n_captures)
        return 0;
    const ir_value *y = &g->vals[n->out[0]];
    size_t ynb;
    if (y->kind != VAL_INTERMEDIATE || y->is_output || y->dynamic || y->t.rank < 1 ||
        tensor_byte_size(&y->t, &ynb))
        return 0;
    int64_t axis = ir_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += y->t.rank;
    if (axis < 0 || axis >= y->t.rank)
        return 0;
    for (int d = 0; d < axis; d++)
        if (y->t.dims[d] != 1)
            return 0;
    size_t off = 0;
    for (int k = 0; k < n->n_in; k++) {
        int v = n->in[k];
        if (v < 0)
            return 0;
        const ir_value *x = &g->vals[v];
        size_t nb;
        if (x->kind != VAL_INTERMEDIATE || x->producer < 0 || x->is_output || x->dynamic ||
            x->t.dtype != y->t.dtype || alias[v] >= 0 || tensor_byte_size(&x->t, &nb))
            return 0;
        for (int j = 0; j < k; j++)
            if (n->in[j] == v)
                return 0;
        const ir_node *p = &g->nodes[x->producer];
        if (p->dead || p->view || p->n_out != 1 || p->out[0] != v)
            return 0;
        if (off % PLAN_ALIGN)
            return 0;
        offs[k] = (int64_t)off;
        off += nb;
    }
    return off == ynb;
}

int pass_plan_memory(ir_graph *g)
{
    int nv = g->n_vals, n_items = 0, rc = 0;
    int *step = mem_calloc((size_t)g->n_nodes + 1, sizeof *step);
    plan_item *items = mem_calloc((size_t)nv + 1, sizeof *items);
    plan_item **live = mem_calloc((size_t)nv + 1, sizeof *live);
    int *alias = mem_calloc((size_t)nv + 1, sizeof *alias);       /* value -> Concat output holding it */
    int64_t *alias_off = mem_calloc((size_t)nv + 1, sizeof *alias_off); /* its byte offset there */
    int64_t *offs = NULL;
    if (!step || !items || !live || !alias || !alias_off) {
        rc = err_set(RV_ENOMEM, "out of memory planning %d values", nv);
        goto out;
    }
    for (int i = 0; i < g->n_order; i++)
        step[g->order[i]] = i;
    for (int v = 0; v < nv; v++) {
        g->vals[v].arena_offset = -1;
        alias[v] = -1;
    }
    g->sum_intermediate_bytes = 0;
    g->n_views = 0;
    for (int i = 0; i < g->n_nodes; i++)
        g->nodes[i].view = 0;
    /* Concat views first, in order, so a Concat sees whether its
     * producers became views themselves */
    for (int oi = 0; oi < g->n_order; oi++) {
        ir_node *n = &g->nodes[g->order[oi]];
        if (n->op != OP_Concat)
            continue;
        mem_free(offs);
        if (!(offs = mem_calloc((size_t)n->n_in + 1, sizeof *offs))) {
            rc = err_set(RV_ENOMEM, "out of memory planning %d values", nv);
            goto out;
        }
        if (!concat_view_ok(g, n, alias, offs))
            continue;
        for (int k = 0; k < n->n_in; k++) {
            alias[n->in[k]] = n->out[0];
            alias_off[n->in[k]] = offs[k];
        }
        n->view = 1;
        g->n_views++;
    }
    for (int v = 0; v < nv; v++) {
        ir_value *val = &g->vals[v];
        size_t nb;
        if (val->kind != VAL_INTERMEDIATE || val->producer < 0 || val->is_output || val->dynamic ||
            tensor_byte_size(&val->t, &nb))
            continue;
        g->sum_intermediate_bytes += nb;
        if (alias[v] >= 0)
            continue; /* inside its Concat's block */
        plan_item *it = &items[n_items++];
        it->v = v;
        it->first = it->last = step[val->producer];
        it->size = (nb + PLAN_ALIGN - 1) & ~(size_t)(PLAN_ALIGN - 1);
    }
    /* last use: one scan over the nodes */
    int *which = mem_calloc((size_t)nv + 1, sizeof *which);
    if (!which) {
        rc = err_set(RV_ENOMEM, "out of memory planning %d values", nv);
        goto out;
    }
    for (int v = 0; v < nv; v++)
        which[v] = -1;
    for (int i = 0; i < n_items; i++)
        which[items[i].v] = i;
    /* a Concat's block: from its first input's producer on */
    for (int v = 0; v < nv; v++)
        if (alias[v] >= 0 && which[alias[v]] >= 0) {
            plan_item *it = &items[which[alias[v]]];
            if (step[g->vals[v].producer] < it->first)
                it->first = step[g->vals[v].producer];
        }
    for (int oi = 0; oi < g->n_order; oi++) {
        const ir_node *n = &g->nodes[g->order[oi]];
        for (int k = 0; k < n->n_in + n->n_captures; k++) {
            int v = k < n->n_in ? n->in[k] : n->captures[k - n->n_in];
            if (v >= 0 && alias[v] >= 0)
                v = alias[v]; /* a use of an input keeps its Concat's block alive */
            if (v >= 0 && which[v] >= 0 && items[which[v]].last < oi)
                items[which[v]].last = oi;
        }
    }
    mem_free(which);
    qsort(items, (size_t)n_items, sizeof *items, item_cmp);
    size_t arena_end = 0;
    int n_live = 0;
    for (int i = 0; i < n_items; i++) {
        plan_item *it = &items[i];
        /* retire blocks whose last use is before this item's first step */
        int w = 0;
        for (int j = 0; j < n_live; j++)
            if (live[j]->last >= it->first)
                live[w++] = live[j];
        n_live = w;
        qsort(live, (size_t)n_live, sizeof *live, off_cmp);
        size_t off = 0;
        for (int j = 0; j < n_live; j++) {
            if (live[j]->off >= off + it->size)
                break; /* fits in the gap before live[j] */
            if (live[j]->off + live[j]->size > off)
                off = live[j]->off + live[j]->size;
        }
        it->off = off;
        live[n_live++] = it;
        if (off + it->size > arena_end)
            arena_end = off + it->size;
        g->vals[it->v].arena_offset = (int64_t)off;
    }
    g->arena_bytes = arena_end;
    for (int v = 0; v < nv; v++)
        if (alias[v] >= 0)
            g->vals[v].arena_offset = g->vals[alias[v]].arena_offset + alias_off[v];
out:
    mem_free(step);
    mem_free(items);
    mem_free(live);
    mem_free(alias);
    mem_free(alias_off);
    mem_free(offs);
    return rc;
}
