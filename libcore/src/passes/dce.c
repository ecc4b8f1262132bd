/* dce.c - dead-code elimination: drops nodes none of whose outputs reach
 * a graph output (directly or through other live nodes). */
#include "passes.h"

int pass_dce(ir_graph *g)
{
    int removed = 0;
    /* Reverse topological order: a node's consumers are decided first. */
    for (int oi = g->n_order - 1; oi >= 0; oi--) {
        ir_node *n = &g->nodes[g->order[oi]];
        int used = 0;
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] >= 0 && g->vals[n->out[k]].n_uses > 0)
                used = 1;
        if (used)
            continue;
        n->dead = 1;
        removed++;
        for (int k = 0; k < n->n_in + n->n_captures; k++) {
            int v = k < n->n_in ? n->in[k] : n->captures[k - n->n_in];
            if (v >= 0)
                g->vals[v].n_uses--;
        }
    }
    return removed ? ir_graph_link(g) : 0;
}
