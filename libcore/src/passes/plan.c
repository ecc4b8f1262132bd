/* plan.c - liveness-based memory planning of intermediates into one arena.
 *
 * Each static intermediate lives from the step that produces it to the
 * last step that reads it (inclusive, so a kernel's inputs and outputs
 * never share bytes). Values are placed first-fit in offset order among
 * the blocks live at the same time, largest-first within a step, aligned
 * to 64 bytes (a cache line, and enough for any vector load). Graph
 * outputs and dynamic values are not planned: outputs are handed to the
 * caller, dynamic sizes are known only at run time. */
#include "passes.h"

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

int pass_plan_memory(ir_graph *g)
{
    int nv = g->n_vals, n_items = 0, rc = 0;
    int *step = mem_calloc((size_t)g->n_nodes + 1, sizeof *step);
    plan_item *items = mem_calloc((size_t)nv + 1, sizeof *items);
    plan_item **live = mem_calloc((size_t)nv + 1, sizeof *live);
    if (!step || !items || !live) {
        rc = err_set(RV_ENOMEM, "out of memory planning %d values", nv);
        goto out;
    }
    for (int i = 0; i < g->n_order; i++)
        step[g->order[i]] = i;
    for (int v = 0; v < nv; v++)
        g->vals[v].arena_offset = -1;
    g->sum_intermediate_bytes = 0;
    for (int v = 0; v < nv; v++) {
        ir_value *val = &g->vals[v];
        size_t nb;
        if (val->kind != VAL_INTERMEDIATE || val->producer < 0 || val->is_output || val->dynamic ||
            tensor_byte_size(&val->t, &nb))
            continue;
        plan_item *it = &items[n_items++];
        it->v = v;
        it->first = it->last = step[val->producer];
        it->size = (nb + PLAN_ALIGN - 1) & ~(size_t)(PLAN_ALIGN - 1);
        g->sum_intermediate_bytes += nb;
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
    for (int oi = 0; oi < g->n_order; oi++) {
        const ir_node *n = &g->nodes[g->order[oi]];
        for (int k = 0; k < n->n_in + n->n_captures; k++) {
            int v = k < n->n_in ? n->in[k] : n->captures[k - n->n_in];
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
out:
    mem_free(step);
    mem_free(items);
    mem_free(live);
    return rc;
}
