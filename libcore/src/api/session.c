/* session.c - rvvnn_session: one executor instance with its bound inputs
 * and last outputs. From a model it runs the reference executor on a
 * private, prepared copy of the IR; from a module it runs the module
 * executor in-process (riscv64, or fallback-only modules anywhere), the
 * riscv64 runner under qemu-riscv64 (exec/native/qemu.c) or the built-in
 * RV64GCV emulator (exec/emu, executor "emu", VLEN from "qemu_vlen").
 *
 * A session is used by one thread at a time; it shares only immutable
 * state (the model's bytes, the loaded module) with other sessions. */
#include "api.h"
#include "../exec/native/hostcall.h"
#include "../exec/native/modrun.h"
#include "../exec/native/qemu.h"
#include "../exec/emu/emu.h"
#include "../exec/ref/ref.h"
#include "../util/npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SES_REF, SES_NATIVE, SES_QEMU, SES_EMU };
static const char *const ses_names[] = {"ref", "native", "qemu", "emu"};

struct rvvnn_session {
    int kind;
    api_opts opts;
    size_t n_in, n_out;
    const char **in_names, **out_names;
    tensor *decl;          /* per input: declared type and shape (dims -1 = open) */
    tensor *ins;           /* per input: bound (data borrowed) */
    unsigned char *in_set;
    tensor *outs;          /* per output: last results */
    unsigned char *out_owned;
    void **user_out;       /* caller-owned output buffers, or NULL */
    size_t *user_len;
    rvvnn_tensor *out_h;
    int have_outputs;
    /* SES_REF */
    const rvvnn_model *model;
    ir_model *ir;          /* prepared for prep[] shapes, or NULL */
    tensor *prep;          /* input shapes the IR was prepared for */
    /* SES_NATIVE / SES_QEMU */
    const rvvnn_module *module;
    mod_session *ms;
    emu *emu;              /* SES_EMU: the interpreter the module session runs RVV steps on */
    char *mod_path;        /* the module image written out for qemu */
};

static int session_alloc(size_t n_in, size_t n_out, rvvnn_session **out)
{
    if (n_in > API_MAX_IO || n_out > API_MAX_IO)
        return err_set(RV_ELIMIT, "%zu inputs / %zu outputs (at most %d each)", n_in, n_out, API_MAX_IO);
    rvvnn_session *s = mem_calloc(1, sizeof *s);
    if (!s)
        return err_set(RV_ENOMEM, "out of memory");
    s->n_in = n_in;
    s->n_out = n_out;
    size_t ni = n_in ? n_in : 1, no = n_out ? n_out : 1;
    s->in_names = mem_calloc(ni, sizeof *s->in_names);
    s->out_names = mem_calloc(no, sizeof *s->out_names);
    s->decl = mem_calloc(ni, sizeof *s->decl);
    s->ins = mem_calloc(ni, sizeof *s->ins);
    s->in_set = mem_calloc(ni, 1);
    s->prep = mem_calloc(ni, sizeof *s->prep);
    s->outs = mem_calloc(no, sizeof *s->outs);
    s->out_owned = mem_calloc(no, 1);
    s->user_out = mem_calloc(no, sizeof *s->user_out);
    s->user_len = mem_calloc(no, sizeof *s->user_len);
    s->out_h = mem_calloc(no, sizeof *s->out_h);
    *out = s;
    if (!s->in_names || !s->out_names || !s->decl || !s->ins || !s->in_set || !s->prep || !s->outs ||
        !s->out_owned || !s->user_out || !s->user_len || !s->out_h)
        return err_set(RV_ENOMEM, "out of memory");
    return 0;
}

static void release_outputs(rvvnn_session *s)
{
    for (size_t k = 0; k < s->n_out; k++) {
        if (s->out_owned[k])
            mem_free(s->outs[k].data);
        s->out_owned[k] = 0;
        memset(&s->outs[k], 0, sizeof s->outs[k]);
    }
    s->have_outputs = 0;
}

void rvvnn_session_free(rvvnn_session *s)
{
    if (!s)
        return;
    if (s->outs && s->out_owned) /* either may be missing when session_alloc ran out of memory */
        release_outputs(s);
    if (s->ms)
        modrun_close(s->ms);
    emu_close(s->emu);
    if (s->mod_path) {
        unlink(s->mod_path);
        mem_free(s->mod_path);
    }
    ir_model_free(s->ir);
    api_opts_release(&s->opts);
    mem_free(s->in_names);
    mem_free(s->out_names);
    mem_free(s->decl);
    mem_free(s->ins);
    mem_free(s->in_set);
    mem_free(s->prep);
    mem_free(s->outs);
    mem_free(s->out_owned);
    mem_free(s->user_out);
    mem_free(s->user_len);
    mem_free(s->out_h);
    mem_free(s);
}

int rvvnn_session_create_from_model(const rvvnn_model *m, const rvvnn_options *o, rvvnn_session **out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    *out = NULL;
    const ir_graph *g = m->ir->graph;
    rvvnn_session *s = NULL;
    int rc = session_alloc((size_t)g->n_inputs, (size_t)g->n_outputs, &s);
    if (!rc)
        rc = api_opts_copy(o, &s->opts);
    const char *ex = s && s->opts.o.executor ? s->opts.o.executor : "auto";
    if (!rc && strcmp(ex, "auto") != 0 && strcmp(ex, "ref") != 0)
        rc = err_set(RV_EINVAL, "executor '%s': an ONNX model runs on the reference executor; compile "
                     "it to run RVV code", ex);
    if (rc) {
        rvvnn_session_free(s);
        return rc;
    }
    s->kind = SES_REF;
    s->model = m;
    for (size_t i = 0; i < s->n_in; i++) {
        const ir_value *v = &g->vals[g->inputs[i]];
        s->in_names[i] = v->name;
        s->decl[i] = v->t;
        s->decl[i].data = NULL;
        for (int d = 0; d < v->t.rank; d++)
            if (v->dim_param[d])
                s->decl[i].dims[d] = -1;
    }
    for (size_t k = 0; k < s->n_out; k++)
        s->out_names[k] = g->vals[g->outputs[k]].name;
    *out = s;
    return 0;
}

/* The module image as a file qemu's runner can open. */
static int write_module_file(rvvnn_session *s)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/rvvnn-module-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(RV_EIO, "cannot create a temporary module file: %s", strerror(errno));
    close(fd);
    if (!(s->mod_path = api_strdup(path))) {
        unlink(path);
        return err_set(RV_ENOMEM, "out of memory");
    }
    return file_write_atomic(path, s->module->mod->buf, s->module->mod->len);
}

int rvvnn_session_create_from_module(const rvvnn_module *m, const rvvnn_options *o, rvvnn_session **out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    *out = NULL;
    const rvv_module *mod = m->mod;
    rvvnn_session *s = NULL;
    int rc = session_alloc(mod->hdr->n_inputs, mod->hdr->n_outputs, &s);
    if (!rc)
        rc = api_opts_copy(o, &s->opts);
    if (rc) {
        rvvnn_session_free(s);
        return rc;
    }
    s->module = m;
    const char *ex = s->opts.o.executor ? s->opts.o.executor : "auto";
    if (!strcmp(ex, "ref"))
        rc = err_set(RV_EINVAL, "executor 'ref': a module runs natively, under qemu or on the emulator; "
                     "load the ONNX model for the reference executor");
    else if (!strcmp(ex, "emu"))
        s->kind = SES_EMU;
    else if (!strcmp(ex, "qemu") || (!strcmp(ex, "auto") && qemu_needed(mod)))
        s->kind = SES_QEMU;
    else
        s->kind = SES_NATIVE;
    if (!rc && s->kind == SES_NATIVE && !(rc = modrun_open(mod, &s->ms))) {
        modrun_set_limits(s->ms, &s->opts.o.limits);
        modrun_set_custom(s->ms, custom_step_local, (void *)&s->opts.custom);
    }
    if (!rc && s->kind == SES_EMU) {
        emu_config ec = {.vlen = (unsigned)s->opts.o.qemu_vlen};
        if (!(rc = emu_open(mod, &ec, &s->emu)) && !(rc = emu_session_open(s->emu, &s->ms))) {
            modrun_set_limits(s->ms, &s->opts.o.limits);
            modrun_set_custom(s->ms, custom_step_local, (void *)&s->opts.custom);
        }
    }
    if (!rc && s->kind == SES_QEMU)
        rc = write_module_file(s);
    if (rc) {
        rvvnn_session_free(s);
        return rc;
    }
    for (size_t i = 0; i < s->n_in; i++) {
        uint32_t id = (uint32_t)mod->input_tensor[i];
        s->in_names[i] = module_str(mod, mod->tensors[id].name);
        module_tensor_desc(mod, id, &s->decl[i]);
    }
    for (size_t k = 0; k < s->n_out; k++)
        s->out_names[k] = module_str(mod, mod->tensors[mod->output_tensor[k]].name);
    *out = s;
    return 0;
}

int rvvnn_session_executor(const rvvnn_session *s, const char **out)
{
    API_NONNULL(s);
    API_NONNULL(out);
    *out = ses_names[s->kind];
    return 0;
}

int rvvnn_session_input_count(const rvvnn_session *s, size_t *out)
{
    API_NONNULL(s);
    API_NONNULL(out);
    *out = s->n_in;
    return 0;
}

int rvvnn_session_output_count(const rvvnn_session *s, size_t *out)
{
    API_NONNULL(s);
    API_NONNULL(out);
    *out = s->n_out;
    return 0;
}

static int check_index(size_t index, size_t n, const char *what)
{
    if (index >= n)
        return err_set(RV_EINVAL, "%s index %zu: the session has %zu", what, index, n);
    return 0;
}

int rvvnn_session_input_name(const rvvnn_session *s, size_t index, const char **out)
{
    API_NONNULL(s);
    API_NONNULL(out);
    int rc = check_index(index, s->n_in, "input");
    if (!rc)
        *out = s->in_names[index];
    return rc;
}

int rvvnn_session_output_name(const rvvnn_session *s, size_t index, const char **out)
{
    API_NONNULL(s);
    API_NONNULL(out);
    int rc = check_index(index, s->n_out, "output");
    if (!rc)
        *out = s->out_names[index];
    return rc;
}

int rvvnn_session_input_info(const rvvnn_session *s, size_t index, int32_t *dtype, int64_t *dims,
                             size_t cap, int32_t *rank)
{
    API_NONNULL(s);
    int rc = check_index(index, s->n_in, "input");
    if (rc)
        return rc;
    if (cap && !dims)
        return err_set(RV_EINVAL, "rvvnn_session_input_info: dims is NULL with cap %zu", cap);
    const tensor *t = &s->decl[index];
    if (dtype)
        *dtype = t->dtype;
    if (rank)
        *rank = t->rank;
    for (size_t d = 0; d < cap && (int)d < t->rank; d++)
        dims[d] = t->dims[d];
    return 0;
}

int rvvnn_session_set_input(rvvnn_session *s, size_t index, int32_t dtype, const int64_t *dims,
                            size_t rank, const void *data, size_t nbytes)
{
    API_NONNULL(s);
    int rc = check_index(index, s->n_in, "input");
    if (rc)
        return rc;
    if (!dtype_size(dtype))
        return err_set(RV_ETYPE, "input '%s': unknown element type %d", s->in_names[index], (int)dtype);
    if (rank > TENSOR_MAX_RANK || (rank && !dims))
        return err_set(RV_EINVAL, "input '%s': rank %zu (max %d) or dims NULL", s->in_names[index],
                       rank, TENSOR_MAX_RANK);
    tensor t = {.dtype = dtype, .rank = (int)rank, .data = (void *)data, .nbytes = nbytes};
    for (size_t d = 0; d < rank; d++)
        t.dims[d] = dims[d];
    size_t want;
    if ((rc = tensor_byte_size(&t, &want)))
        return err_wrap(rc, "input '%s'", s->in_names[index]);
    if (want != nbytes)
        return err_set(RV_ESHAPE, "input '%s': %zu bytes given, the shape needs %zu",
                       s->in_names[index], nbytes, want);
    if (want && !data)
        return err_set(RV_EINVAL, "input '%s': data is NULL", s->in_names[index]);
    s->ins[index] = t;
    s->in_set[index] = 1;
    return 0;
}

int rvvnn_session_set_output(rvvnn_session *s, size_t index, void *data, size_t nbytes)
{
    API_NONNULL(s);
    int rc = check_index(index, s->n_out, "output");
    if (rc)
        return rc;
    s->user_out[index] = data;
    s->user_len[index] = data ? nbytes : 0;
    return 0;
}

/* Imports and prepares a private IR for the bound input shapes unless
 * the one we have was prepared for the same shapes. Open (symbolic or
 * unknown) dims bind from the inputs, as `rvvnn run` does. */
static int prepare_ref(rvvnn_session *s)
{
    int same = s->ir != NULL;
    for (size_t i = 0; same && i < s->n_in; i++)
        same = shape_equal(&s->prep[i], &s->ins[i]);
    if (same)
        return 0;
    ir_model_free(s->ir);
    s->ir = NULL;
    pass_binding b[API_MAX_BINDINGS + API_MAX_IO];
    int nb = s->opts.o.n_bindings;
    memcpy(b, s->opts.o.bindings, (size_t)nb * sizeof *b);
    for (size_t i = 0; i < s->n_in; i++) {
        int given = 0, open = s->decl[i].rank < 0;
        for (int k = 0; k < s->opts.o.n_bindings; k++)
            given |= !strcmp(b[k].name, s->in_names[i]);
        for (int d = 0; d < s->decl[i].rank; d++)
            open |= s->decl[i].dims[d] < 0;
        if (!given && open) {
            b[nb].name = s->in_names[i];
            b[nb].rank = s->ins[i].rank;
            memcpy(b[nb].dims, s->ins[i].dims, sizeof b[nb].dims);
            nb++;
        }
    }
    ir_model *ir;
    int rc = api_model_import(s->model, &ir);
    if (rc)
        return rc;
    passes_options po = {.bindings = b, .n_bindings = nb, .custom = &s->opts.custom,
                         .limits = &s->opts.o.limits};
    if ((rc = passes_run(ir, &po))) {
        ir_model_free(ir);
        return rc;
    }
    s->ir = ir;
    for (size_t i = 0; i < s->n_in; i++)
        s->prep[i] = s->ins[i];
    return 0;
}

/* Moves results into caller-owned buffers where the caller gave one. */
static int deliver_outputs(rvvnn_session *s)
{
    for (size_t k = 0; k < s->n_out; k++) {
        s->out_owned[k] = 1;
        s->out_h[k] = (rvvnn_tensor){&s->outs[k], 0, NULL};
        if (!s->user_out[k])
            continue;
        if (s->user_len[k] < s->outs[k].nbytes)
            return err_set(RV_ESHAPE, "output '%s': the caller's buffer has %zu bytes, the result %zu",
                           s->out_names[k], s->user_len[k], s->outs[k].nbytes);
        if (s->outs[k].nbytes)
            memcpy(s->user_out[k], s->outs[k].data, s->outs[k].nbytes);
        mem_free(s->outs[k].data);
        s->outs[k].data = s->user_out[k];
        s->out_owned[k] = 0;
    }
    return 0;
}

int rvvnn_session_run(rvvnn_session *s)
{
    API_NONNULL(s);
    release_outputs(s);
    for (size_t i = 0; i < s->n_in; i++)
        if (!s->in_set[i])
            return err_set(RV_EINVAL, "input '%s' (index %zu) is not set", s->in_names[i], i);
    int rc;
    if (s->kind == SES_REF) {
        if ((rc = prepare_ref(s)))
            return rc;
        ref_options ro = {.threads = (int)s->opts.o.threads, .use_plan = 1, .custom = &s->opts.custom,
                          .limits = &s->opts.o.limits};
        rc = ref_run(s->ir->graph, &ro, s->ins, s->outs);
    } else if (s->kind == SES_NATIVE || s->kind == SES_EMU) {
        rc = modrun_run(s->ms, s->ins, s->outs);
    } else {
        qemu_config cfg = {.runtime = s->opts.o.runtime, .cpu = s->opts.o.qemu_cpu,
                           .vlen = (unsigned)s->opts.o.qemu_vlen, .limits = &s->opts.o.limits,
                           .custom = &s->opts.custom};
        rc = qemu_run_module(s->mod_path, s->module->mod, &cfg, s->ins, s->outs);
    }
    if (rc) {
        memset(s->outs, 0, s->n_out * sizeof *s->outs); /* executors free their partial outputs */
        return rc;
    }
    if ((rc = deliver_outputs(s))) {
        release_outputs(s);
        return rc;
    }
    s->have_outputs = 1;
    return 0;
}

int rvvnn_session_output(const rvvnn_session *s, size_t index, rvvnn_tensor **out)
{
    API_NONNULL(s);
    API_NONNULL(out);
    *out = NULL;
    int rc = check_index(index, s->n_out, "output");
    if (rc)
        return rc;
    if (!s->have_outputs)
        return err_set(RV_EINVAL, "no outputs: the session has not run successfully");
    *out = &s->out_h[index];
    return 0;
}
