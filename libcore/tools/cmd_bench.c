/* cmd_bench.c - `rvvnn bench MODULE.rvvmod --executor=emu --core=x60`:
 * runs a module on the built-in emulator with a core timing model
 * (exec/emu/cores.def) and reports per step and in total: dynamic
 * instructions by class, modeled cycles, FLOPs, FLOP/cycle, % of the
 * core's f32 peak, vector-unit busy %, bytes loaded and stored, and the
 * resource that bound the step. A table, or JSON with --json. It never
 * fails on the numbers: they are a model's, not a measurement. */
#include "cli.h"
#include "exec/emu/emu.h"
#include "exec/emu/timing.h"
#include "module/module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char bench_help[] =
    "usage: rvvnn bench MODULE.rvvmod [--executor=emu] [--core=x60|x280] [--vlen=N]\n"
    "                   [--input=SPEC ...] [--warmup=N] [--iterations=N] [--json]\n"
    "\n"
    "Runs a compiled module on the built-in RV64GCV emulator with the timing model\n"
    "of a RISC-V core and prints, per step and in total: instructions, modeled\n"
    "cycles, FLOPs, FLOP/cycle, %% of the core's f32 peak, vector-unit busy %%,\n"
    "bytes loaded/stored and the limiting resource (docs/timing-model.md).\n"
    "\n"
    "  --executor=emu    the only executor with a timing model (default)\n"
    "  --core=NAME       core model (default x60), one of:\n%s"
    "  --vlen=N          VLEN to emulate (default: the core's; another one models\n"
    "                    a what-if core with the same pipes)\n"
    "  --input=SPEC      as for rvvnn run; inputs default to zeros of the declared\n"
    "                    shapes\n"
    "  --warmup=N        runs before the measured ones (default 0: the measured run\n"
    "                    starts with empty caches; after a warm-up it finds what\n"
    "                    the warm-up left in L1 and L2)\n"
    "  --iterations=N    measured runs, figures are per run (default 1)\n"
    "  --json            JSON instead of the table\n";

#define MAX_IO 64

static void help(void)
{
    char cores[1024] = "";
    for (int i = 0; tm_core_at(i); i++) {
        size_t n = strlen(cores);
        snprintf(cores + n, sizeof cores - n, "                      %-6s %s, VLEN %u, %g f32 FLOP/cycle\n",
                 tm_core_at(i)->id, tm_core_at(i)->name, tm_core_at(i)->vlen, tm_core_at(i)->peak_f32_flops);
    }
    printf(bench_help, cores);
}

typedef struct row {
    double cycles, insns, flops, ld, st, vbusy;
    const char *limit;
} row;

static void print_row_text(const char *idx, const char *name, const char *op, const row *r, const emu_core *c)
{
    double fpc = r->cycles > 0 ? r->flops / r->cycles : 0;
    printf("%-5s %-28.28s %-12.12s %12.0f %13.0f %12.0f %7.2f %6.1f%% %6.1f%% %11.0f %11.0f  %s\n", idx, name, op,
           r->insns, r->cycles, r->flops, fpc, 100.0 * fpc / c->peak_f32_flops,
           r->cycles > 0 ? 100.0 * r->vbusy / r->cycles : 0, r->ld, r->st, r->limit ? r->limit : "-");
}

static void print_row_json(const row *r, const emu_core *c)
{
    double fpc = r->cycles > 0 ? r->flops / r->cycles : 0;
    printf("\"instructions\": %.0f, \"cycles\": %.1f, \"flops\": %.0f, \"flop_per_cycle\": %.4f, "
           "\"pct_peak\": %.3f, \"vector_busy_pct\": %.3f, \"bytes_loaded\": %.0f, \"bytes_stored\": %.0f, "
           "\"limit\": ",
           r->insns, r->cycles, r->flops, fpc, 100.0 * fpc / c->peak_f32_flops,
           r->cycles > 0 ? 100.0 * r->vbusy / r->cycles : 0, r->ld, r->st);
    if (r->limit)
        cli_json_str(stdout, r->limit);
    else
        printf("null");
}

static int bench(const char *path, const char *const *in_specs, int n_in, const emu_core *core, unsigned vlen,
                 int warmup, int iters, int json)
{
    rvv_module *m;
    int rc, status = EXIT_OK;
    if ((rc = module_load_file(path, &cli_limits, &m)))
        return cli_error("bench", rc);
    const mod_header *h = m->hdr;
    tensor ins[MAX_IO], outs[MAX_IO];
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);
    emu *e = NULL;
    mod_session *s = NULL;
    if (h->n_inputs > MAX_IO || h->n_outputs > MAX_IO || (n_in && (uint32_t)n_in != h->n_inputs)) {
        status = cli_usage_error("bench", "the module has %u inputs: give one --input per input (or none "
                                 "for zeros)", h->n_inputs);
        goto out;
    }
    for (uint32_t i = 0; i < h->n_inputs; i++) {
        if (n_in) {
            rc = cli_parse_tensor(in_specs[i], &ins[i]);
        } else {
            module_tensor_desc(m, (uint32_t)m->input_tensor[i], &ins[i]);
            ins[i].data = mem_calloc(1, ins[i].nbytes + 1);
            rc = ins[i].data ? 0 : err_set(RV_ENOMEM, "out of memory");
        }
        if (rc) {
            err_wrap(rc, "input %u", i);
            status = cli_error("bench", rc);
            goto out;
        }
    }
    /* the core's VLEN unless asked otherwise (a what-if): a module tuned for
     * another VLEN is refused by emu_open with the reason */
    emu_config cfg = {.vlen = vlen ? vlen : core->vlen, .core = core};
    if ((rc = emu_open(m, &cfg, &e)) || (rc = emu_session_open(e, &s))) {
        status = cli_error("bench", rc);
        goto out;
    }
    modrun_set_limits(s, &cli_limits);
    double t0 = 0;
    for (int r = 0; r < warmup + iters; r++) {
        if (r == warmup) {
            /* measured runs count from zero; the caches stay as the warm-up left them */
            emu_reset_stats(e);
            t0 = cli_now_ms();
        }
        for (uint32_t k = 0; k < h->n_outputs; k++) {
            mem_free(outs[k].data);
            outs[k].data = NULL;
        }
        if ((rc = modrun_run(s, ins, outs))) {
            status = cli_error("bench", rc);
            goto out;
        }
    }
    double host_ms = (cli_now_ms() - t0) / iters;
    row tot = {0};
    double tot_busy[EMU_RES__COUNT] = {0};
    uint64_t n_fallback = 0;
    if (json) {
        printf("{\n  \"module\": ");
        cli_json_str(stdout, path);
        printf(",\n  \"core\": ");
        cli_json_str(stdout, core->id);
        printf(",\n  \"vlen\": %u,\n  \"peak_f32_flop_per_cycle\": %g,\n  \"iterations\": %d,\n  \"steps\": [\n",
               emu_vlen(e), core->peak_f32_flops, iters);
    } else {
        printf("rvvnn bench: %s on %s (VLEN %u, peak %g f32 FLOP/cycle), per run (%d measured)\n", path,
               core->name, emu_vlen(e), core->peak_f32_flops, iters);
        printf("%-5s %-28s %-12s %12s %13s %12s %7s %7s %7s %11s %11s  %s\n", "step", "name", "op", "insns",
               "cycles", "flops", "flop/c", "%peak", "vbusy", "loaded", "stored", "limit");
    }
    int first = 1;
    for (uint32_t i = 0; i < h->n_steps; i++) {
        const mod_step *st = &m->steps[i];
        if (st->kind != MOD_STEP_RVV) {
            n_fallback++;
            continue;
        }
        const emu_counts *c = emu_step_counts(e, i);
        const double *busy = emu_step_busy(e, i);
        row r;
        double n = (double)iters;
        r.cycles = emu_step_cycles(e, i, &r.limit) / n;
        r.insns = (double)c->insns / n;
        r.flops = (double)c->flops / n;
        r.ld = (double)c->bytes_loaded / n;
        r.st = (double)c->bytes_stored / n;
        r.vbusy = busy[EMU_RES_VEXEC] / n;
        tot.cycles += r.cycles;
        tot.insns += r.insns;
        tot.flops += r.flops;
        tot.ld += r.ld;
        tot.st += r.st;
        tot.vbusy += r.vbusy;
        for (int k = 0; k < EMU_RES__COUNT; k++)
            tot_busy[k] += busy[k] / n;
        if (json) {
            printf("%s    {\"step\": %u, \"name\": ", first ? "" : ",\n", i);
            cli_json_str(stdout, module_str(m, st->name));
            printf(", \"op\": ");
            cli_json_str(stdout, module_str(m, st->op));
            printf(", \"scalar\": %.0f, \"vsetvl\": %.0f, \"vector_arith\": %.0f, \"vector_load\": %.0f, "
                   "\"vector_store\": %.0f, ", (double)c->scalar / n, (double)c->vsetvl / n,
                   (double)c->varith / n, (double)c->vload / n, (double)c->vstore / n);
            print_row_json(&r, core);
            printf("}");
        } else {
            char idx[16];
            snprintf(idx, sizeof idx, "%u", i);
            print_row_text(idx, module_str(m, st->name), module_str(m, st->op), &r, core);
        }
        first = 0;
    }
    int lim = 0;
    for (int k = 1; k < EMU_RES__COUNT; k++)
        if (tot_busy[k] > tot_busy[lim])
            lim = k;
    tot.limit = tm_resource_name(lim);
    if (json) {
        printf("\n  ],\n  \"total\": {");
        print_row_json(&tot, core);
        printf(", \"fallback_steps_not_modeled\": %llu, \"gflops_at_clock\": %.3f, \"modeled_ms_at_clock\": %.4f, "
               "\"host_ms_per_run\": %.1f}\n}\n",
               (unsigned long long)n_fallback, tot.cycles > 0 ? tot.flops / tot.cycles * core->ghz : 0,
               tot.cycles / (core->ghz * 1e6), host_ms);
    } else {
        print_row_text("total", "", "", &tot, core);
        printf("modeled %.3f ms at %.2f GHz (%.2f GFLOP/s); %llu fallback steps not modeled; emulation took "
               "%.0f ms per run on this host\n", tot.cycles / (core->ghz * 1e6), core->ghz,
               tot.cycles > 0 ? tot.flops / tot.cycles * core->ghz : 0, (unsigned long long)n_fallback, host_ms);
    }
out:
    for (int i = 0; i < MAX_IO; i++) {
        mem_free(ins[i].data);
        mem_free(outs[i].data);
    }
    modrun_close(s);
    emu_close(e);
    module_free(m);
    return status;
}

int cmd_bench(int argc, char **argv)
{
    int lr, json = 0, warmup = 0, iters = 1, n_in = 0;
    const char *path = NULL, *v, *in_specs[MAX_IO];
    const emu_core *core = tm_core_find("x60");
    unsigned vlen = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_flag(a, "--help") || cli_flag(a, "-h")) {
            help();
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if (cli_flag(a, "--json")) {
            json = 1;
        } else if ((v = cli_opt(argc, argv, &i, "--executor"))) {
            if (strcmp(v, "emu") != 0)
                return cli_usage_error("bench", "executor '%s': only the emulator (--executor=emu) has a "
                                       "timing model", v);
        } else if ((v = cli_opt(argc, argv, &i, "--core"))) {
            if (!(core = tm_core_find(v)))
                return cli_usage_error("bench", "unknown core '%s' (rvvnn bench --help lists them)", v);
        } else if ((v = cli_opt(argc, argv, &i, "--vlen"))) {
            vlen = (unsigned)atoi(v);
            if (vlen < 128 || vlen > 1024 || (vlen & (vlen - 1)))
                return cli_usage_error("bench", "--vlen=%s: a power of two from 128 to 1024", v);
        } else if ((v = cli_opt(argc, argv, &i, "--input"))) {
            if (n_in == MAX_IO)
                return cli_usage_error("bench", "too many --input");
            in_specs[n_in++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--warmup"))) {
            warmup = atoi(v);
            if (warmup < 0)
                return cli_usage_error("bench", "--warmup=%s: a count >= 0", v);
        } else if ((v = cli_opt(argc, argv, &i, "--iterations"))) {
            iters = atoi(v);
            if (iters < 1)
                return cli_usage_error("bench", "--iterations=%s: a count >= 1", v);
        } else if ((lr = cli_limit_opt("bench", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (a[0] == '-') {
            return cli_usage_error("bench", "unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("bench", "more than one module given");
        }
    }
    if (!path)
        return cli_usage_error("bench", "no module given (compile the model first: rvvnn compile)");
    return bench(path, in_specs, n_in, core, vlen, warmup, iters, json);
}
