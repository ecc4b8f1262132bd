/* pipeline.c - the ordered list of graph passes, run once per compile
 * (and before a reference run). Timings feed `rvvnn compile --verbose`. */
#include "passes.h"

#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void record(passes_options *opt, const char *name, double t0)
{
    if (opt && opt->n_passes < 12) {
        opt->pass_names[opt->n_passes] = name;
        opt->pass_ms[opt->n_passes++] = now_ms() - t0;
    }
}

int passes_run(ir_model *m, passes_options *opt)
{
    ir_graph *g = m->graph;
    int rc;
    double t0 = now_ms();
    if (opt)
        opt->n_passes = 0;
    if ((rc = pass_bind_inputs(g, opt)) || (rc = ir_graph_link(g)))
        return rc;
    record(opt, "bind", t0);
    t0 = now_ms();
    if ((rc = pass_infer_shapes_custom(g, opt ? opt->custom : NULL)))
        return rc;
    record(opt, "infer-shapes", t0);
    if (!(opt && opt->no_fold)) {
        /* folding can turn dynamic shapes static (Shape -> ... -> Reshape
         * chains of dynamic-axis exports): infer again until nothing folds */
        t0 = now_ms();
        /* all folds together: 64 MiB + twice the model's own constants */
        size_t budget = ((size_t)64 << 20), consts = 0;
        for (int v = 0; v < g->n_vals; v++)
            if (g->vals[v].kind == VAL_CONST && !size_add(consts, g->vals[v].t.nbytes, &consts))
                consts = SIZE_MAX / 2;
        if (!size_add(budget, consts > SIZE_MAX / 4 ? SIZE_MAX / 2 : consts * 2, &budget))
            budget = SIZE_MAX;
        for (int round = 0; round < 16; round++) {
            int n_folded = 0;
            if ((rc = pass_fold_constants_n(g, opt, &budget, &n_folded)))
                return rc;
            if (!n_folded)
                break;
            if ((rc = pass_infer_shapes_custom(g, opt ? opt->custom : NULL)))
                return rc;
        }
        record(opt, "fold", t0);
    }
    if (!(opt && opt->no_canonicalize)) {
        int n_rw = 0;
        t0 = now_ms();
        if ((rc = pass_canonicalize(g, &n_rw)))
            return rc;
        if (opt)
            opt->n_rewrites = n_rw;
        record(opt, "canonicalize", t0);
    }
    if (!(opt && opt->no_fuse)) {
        int n_fused = 0;
        t0 = now_ms();
        if ((rc = pass_fuse_epilogues(g, &n_fused)))
            return rc;
        if (opt)
            opt->n_fused = n_fused;
        record(opt, "fuse", t0);
    }
    t0 = now_ms();
    if ((rc = pass_dce(g)))
        return rc;
    record(opt, "dce", t0);
    t0 = now_ms();
    if ((rc = pass_choose_layouts(g)))
        return rc;
    record(opt, "layout", t0);
    t0 = now_ms();
    if ((rc = pass_plan_memory(g)))
        return rc;
    record(opt, "plan-memory", t0);
    return 0;
}
