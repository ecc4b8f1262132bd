/* cmd_run.c - `rvvnn run`: runs an ONNX model on the reference executor
 * with inputs in IREE's syntax, writes or prints the outputs, and
 * compares them with expected outputs. */
#include "cli.h"
#include "exec/ref/ref.h"
#include "import/import.h"
#include "passes/passes.h"
#include "module/module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char run_help[] =
    "usage: rvvnn run MODEL.onnx|MODULE.rvvmod [options]\n"
    "\n"
    "Runs an ONNX model on the reference executor (portable C + threads, the\n"
    "oracle), or a compiled RVV module.\n"
    "\n"
    "  --input=SPEC            one per graph input, in order. SPEC is\n"
    "                          2x128xi64=@ids.npy | @x.npy | @x.pb (TensorProto) |\n"
    "                          2x2xf32=1,2,3,4 | 4xf32=0.5 (splat) | 3xf32 (zeros)\n"
    "  --output=@FILE.npy      one per graph output, in order (written atomically);\n"
    "                          without it outputs are summarised on stdout\n"
    "  --expected_output=SPEC  one per output; exit 1 when any element has\n"
    "                          |got-expected| > atol + rtol*|expected|\n"
    "  --atol=A --rtol=R       tolerances for --expected_output (default 1e-5, 1e-4)\n"
    "  --input-shape=NAME=2x128  bind symbolic input dims (repeatable)\n"
    "  --threads=N             threads (default: OMP_NUM_THREADS, else all cores);\n"
    "                          results are identical for any N\n"
    "  --executor=ref|native|qemu|emu\n"
    "                          ONNX models run on ref; modules (.rvvmod from rvvnn\n"
    "                          compile) run natively on riscv64 and under\n"
    "                          qemu-riscv64 on other hosts (native, qemu), or on\n"
    "                          the built-in RV64GCV emulator on any host (emu)\n"
    "  --vlen=N                VLEN qemu or emu emulates for a module (default: the\n"
    "                          module's VLEN, or 256 for agnostic modules)\n"
    "  --qemu-cpu=CPU          override qemu's -cpu string\n"
    "  --repeat=N              run N times and print the time per run (stderr)\n"
    "  --time                  print import, prepare and run times (stderr)\n"
    "\n"
    "Exit status: 0 ok, 1 outputs differ from --expected_output, 2 error.\n";

#define MAX_ARGS 64

int run_module_qemu(const char *module_path, const rvv_module *m, const tensor *ins, tensor *outs,
                    unsigned vlen, const char *qemu_cpu, const char *dump_dir);
int run_module_local(const rvv_module *m, const tensor *ins, tensor *outs);
int run_module_needs_qemu(const rvv_module *m);
int run_module_emu(const rvv_module *m, const tensor *ins, tensor *outs, unsigned vlen);

/* Writes, prints or compares outputs; returns the exit status. */
static int finish_outputs(const char *const *names, tensor *outs, int n, const char *const *out_paths,
                          int n_out, const char *const *exp_specs, int n_exp, double atol, double rtol)
{
    int rc, status = EXIT_OK;
    for (int k = 0; k < n; k++) {
        if (n_out) {
            if ((rc = cli_write_tensor(out_paths[k], &outs[k]))) {
                err_wrap(rc, "output '%s'", names[k]);
                for (int j = 0; j < k; j++) /* all outputs or none */
                    unlink(out_paths[j]);
                return cli_error("run", rc);
            }
        } else if (!n_exp) {
            cli_print_tensor(names[k], &outs[k]);
        }
    }
    for (int k = 0; k < n_exp; k++) {
        tensor want;
        if ((rc = cli_parse_tensor(exp_specs[k], &want))) {
            err_wrap(rc, "--expected_output %d", k);
            return cli_error("run", rc);
        }
        int c = cli_compare(names[k], &outs[k], &want, atol, rtol, 1);
        mem_free(want.data);
        if (c < 0)
            return cli_error("run", RV_EINTERNAL);
        if (c)
            status = EXIT_MISMATCH;
    }
    return status;
}

static int run_module_cmd(const char *path, const char *const *in_specs, int n_in,
                          const char *const *out_paths, int n_out, const char *const *exp_specs,
                          int n_exp, double atol, double rtol, unsigned vlen, const char *qemu_cpu,
                          int show_time, const char *executor)
{
    rvv_module *m;
    int rc, status = EXIT_OK;
    if ((rc = module_load_file(path, &cli_limits, &m)))
        return cli_error("run", rc);
    uint32_t ni = m->hdr->n_inputs, no = m->hdr->n_outputs;
    tensor ins[MAX_ARGS], outs[MAX_ARGS];
    const char *names[MAX_ARGS];
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);
    if (ni > MAX_ARGS || no > MAX_ARGS || (uint32_t)n_in != ni || (n_out && (uint32_t)n_out != no) ||
        (n_exp && (uint32_t)n_exp != no)) {
        status = cli_usage_error("run", "the module has %u inputs and %u outputs: give one --input per "
                                 "input and one --output / --expected_output per output", ni, no);
        goto out;
    }
    for (uint32_t i = 0; i < no; i++)
        names[i] = module_str(m, m->tensors[m->output_tensor[i]].name);
    for (int i = 0; i < n_in; i++)
        if ((rc = cli_parse_tensor(in_specs[i], &ins[i]))) {
            err_wrap(rc, "--input %d", i);
            status = cli_error("run", rc);
            goto out;
        }
    double t0 = cli_now_ms();
    int use_emu = executor && !strcmp(executor, "emu");
    int use_qemu = !use_emu && (run_module_needs_qemu(m) || (executor && !strcmp(executor, "qemu")));
    if (use_emu) {
        rc = run_module_emu(m, ins, outs, vlen);
    } else if (use_qemu) {
        if (!vlen)
            vlen = m->hdr->vlen ? m->hdr->vlen : 256;
        rc = run_module_qemu(path, m, ins, outs, vlen, qemu_cpu, NULL);
    } else {
        rc = run_module_local(m, ins, outs);
    }
    if (rc) {
        status = cli_error("run", rc);
        goto out;
    }
    if (show_time)
        fprintf(stderr, "rvvnn run: module run %.1f ms%s\n", cli_now_ms() - t0,
                use_emu ? " (on the built-in emulator)"
                : use_qemu ? " (under qemu-riscv64, including start-up)" : "");
    status = finish_outputs(names, outs, (int)no, out_paths, n_out, exp_specs, n_exp, atol, rtol);
out:
    for (int i = 0; i < MAX_ARGS; i++) {
        mem_free(ins[i].data);
        mem_free(outs[i].data);
    }
    module_free(m);
    return status;
}

int cli_parse_bindings(const char *spec, pass_binding *b, int *n, int max)
{
    /* NAME=2x128[,NAME2=...] */
    const char *p = spec;
    while (*p) {
        const char *eq = strchr(p, '=');
        if (!eq)
            return err_set(RV_EINVAL, "--input-shape '%s': expected NAME=DIMS", spec);
        const char *end = strchr(eq, ',');
        if (!end)
            end = eq + strlen(eq);
        if (*n >= max)
            return err_set(RV_ELIMIT, "too many --input-shape bindings");
        pass_binding *pb = &b[(*n)++];
        char *name = malloc((size_t)(eq - p) + 1);
        if (!name)
            return err_set(RV_ENOMEM, "out of memory");
        memcpy(name, p, (size_t)(eq - p));
        name[eq - p] = 0;
        pb->name = name;
        int r = cli_parse_dims(eq + 1, (size_t)(end - eq - 1), pb->dims);
        if (r < 0)
            return err_wrap(r, "--input-shape '%s'", spec);
        pb->rank = r;
        p = *end ? end + 1 : end;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    int lr;
    const char *model_path = NULL, *in_specs[MAX_ARGS], *out_paths[MAX_ARGS], *exp_specs[MAX_ARGS];
    const char *executor = NULL;
    int n_in = 0, n_out = 0, n_exp = 0, threads = 0, repeat = 0, show_time = 0, rc, status = EXIT_OK;
    double atol = 1e-5, rtol = 1e-4;
    unsigned vlen = 0;
    const char *qemu_cpu = NULL;
    pass_binding binds[MAX_ARGS];
    int n_binds = 0, n_user_binds;
    const char *v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_flag(a, "--help") || cli_flag(a, "-h")) {
            fputs(run_help, stdout);
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if ((v = cli_opt(argc, argv, &i, "--input"))) {
            if (n_in == MAX_ARGS)
                return cli_usage_error("run", "too many --input");
            in_specs[n_in++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--output"))) {
            if (n_out == MAX_ARGS || v[0] != '@')
                return cli_usage_error("run", "--output takes @FILE.npy");
            out_paths[n_out++] = v + 1;
        } else if ((v = cli_opt(argc, argv, &i, "--expected_output"))) {
            if (n_exp == MAX_ARGS)
                return cli_usage_error("run", "too many --expected_output");
            exp_specs[n_exp++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--atol"))) {
            atol = atof(v);
        } else if ((v = cli_opt(argc, argv, &i, "--rtol"))) {
            rtol = atof(v);
        } else if ((v = cli_opt(argc, argv, &i, "--threads"))) {
            threads = atoi(v);
        } else if ((v = cli_opt(argc, argv, &i, "--repeat"))) {
            repeat = atoi(v);
        } else if ((v = cli_opt(argc, argv, &i, "--input-shape"))) {
            if ((rc = cli_parse_bindings(v, binds, &n_binds, MAX_ARGS)))
                return cli_error("run", rc);
        } else if ((v = cli_opt(argc, argv, &i, "--executor"))) {
            if (strcmp(v, "ref") != 0 && strcmp(v, "native") != 0 && strcmp(v, "qemu") != 0 &&
                strcmp(v, "emu") != 0)
                return cli_usage_error("run", "unknown executor '%s' (ref, native, qemu, emu)", v);
            executor = v;
        } else if ((v = cli_opt(argc, argv, &i, "--vlen"))) {
            vlen = (unsigned)atoi(v);
            if (vlen < 32 || vlen > 1024 || (vlen & (vlen - 1)))
                return cli_usage_error("run", "--vlen=%s: a power of two from 32 to 1024", v);
        } else if ((v = cli_opt(argc, argv, &i, "--qemu-cpu"))) {
            qemu_cpu = v;
        } else if (cli_flag(a, "--time")) {
            show_time = 1;
        } else if ((lr = cli_limit_opt("run", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (a[0] == '-') {
            return cli_usage_error("run", "unknown option '%s'", a);
        } else if (!model_path) {
            model_path = a;
        } else {
            return cli_usage_error("run", "more than one model given ('%s')", a);
        }
    }
    if (!model_path)
        return cli_usage_error("run", "no model given");
    n_user_binds = n_binds;
    {
        FILE *f = fopen(model_path, "rb");
        char magic[8] = {0};
        if (f) {
            size_t got = fread(magic, 1, 8, f);
            fclose(f);
            if (got == 8 && module_is_module(magic, 8)) {
                if (executor && !strcmp(executor, "ref"))
                    return cli_usage_error("run", "a module runs on the native, qemu or emu executor; "
                                           "run the .onnx model for --executor=ref");
                return run_module_cmd(model_path, in_specs, n_in, out_paths, n_out, exp_specs, n_exp,
                                      atol, rtol, vlen, qemu_cpu, show_time, executor);
            }
        }
    }
    if (executor && strcmp(executor, "ref") != 0)
        return cli_usage_error("run", "an ONNX model runs on the ref executor; compile it (rvvnn "
                               "compile) to run RVV code");

    double t0 = cli_now_ms();
    ir_model *m = NULL;
    tensor ins[MAX_ARGS], outs[MAX_ARGS];
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);
    if ((rc = import_onnx_file(model_path, &cli_limits, &m)))
        return cli_error("run", rc);
    double t_import = cli_now_ms() - t0;
    ir_graph *g = m->graph;
    if (n_in != g->n_inputs) {
        status = cli_usage_error("run", "the model has %d inputs, %d --input given", g->n_inputs, n_in);
        goto out;
    }
    if (g->n_outputs > MAX_ARGS || (n_out && n_out != g->n_outputs) ||
        (n_exp && n_exp != g->n_outputs)) {
        status = cli_usage_error("run", "the model has %d outputs: give that many --output / "
                                 "--expected_output (or none)", g->n_outputs);
        goto out;
    }
    for (int i = 0; i < n_in; i++) {
        if ((rc = cli_parse_tensor(in_specs[i], &ins[i]))) {
            err_wrap(rc, "--input %d (%s)", i, g->vals[g->inputs[i]].name);
            status = cli_error("run", rc);
            goto out;
        }
        /* the given input binds the model's symbolic dims */
        int given = 0;
        const ir_value *iv = &g->vals[g->inputs[i]];
        for (int b = 0; b < n_user_binds; b++)
            given |= strcmp(binds[b].name, iv->name) == 0;
        /* Only open dims need binding; a fixed-shape mismatch is left to
         * the executor, whose message compares whole shapes. */
        int open_dims = iv->t.rank < 0;
        for (int d = 0; d < iv->t.rank; d++)
            open_dims |= iv->t.dims[d] < 0 || iv->dim_param[d] != NULL;
        if (!given && open_dims && n_binds < MAX_ARGS) {
            binds[n_binds].name = g->vals[g->inputs[i]].name;
            binds[n_binds].rank = ins[i].rank;
            memcpy(binds[n_binds].dims, ins[i].dims, sizeof ins[i].dims);
            n_binds++;
        }
    }
    t0 = cli_now_ms();
    passes_options po = {.bindings = binds, .n_bindings = n_binds, .limits = &cli_limits};
    if ((rc = passes_run(m, &po))) {
        status = cli_error("run", rc);
        goto out;
    }
    double t_prepare = cli_now_ms() - t0;
    ref_options ro = {.threads = threads, .use_plan = 1, .limits = &cli_limits};
    t0 = cli_now_ms();
    if ((rc = ref_run(g, &ro, ins, outs))) {
        status = cli_error("run", rc);
        goto out;
    }
    double t_run = cli_now_ms() - t0;
    if (show_time)
        fprintf(stderr, "rvvnn run: import %.1f ms, prepare %.1f ms, run %.1f ms (%d threads)\n",
                t_import, t_prepare, t_run, ref_get_threads());
    for (int r = 0; r < repeat; r++) {
        tensor tmp[MAX_ARGS];
        t0 = cli_now_ms();
        if ((rc = ref_run(g, &ro, ins, tmp))) {
            status = cli_error("run", rc);
            goto out;
        }
        double dt = cli_now_ms() - t0;
        fprintf(stderr, "rvvnn run: repetition %d: %.1f ms (%d threads)\n", r + 1, dt, ref_get_threads());
        for (int k = 0; k < g->n_outputs; k++)
            mem_free(tmp[k].data);
    }
    {
        const char *names[MAX_ARGS];
        for (int k = 0; k < g->n_outputs; k++)
            names[k] = g->vals[g->outputs[k]].name;
        status = finish_outputs(names, outs, g->n_outputs, out_paths, n_out, exp_specs, n_exp, atol,
                                rtol);
    }
out:
    for (int i = 0; i < MAX_ARGS; i++) {
        mem_free(ins[i].data);
        mem_free(outs[i].data);
    }
    for (int b = 0; b < n_user_binds; b++)
        free((void *)binds[b].name);
    ir_model_free(m);
    return status;
}
