/* model.c - rvvnn_model (an ONNX model), compiling it, and rvvnn_module
 * (the compiled .rvvmod).
 *
 * The model handle keeps the validated file image and one imported IR
 * used only for names. Passes rewrite the IR they run on (bindings,
 * folding), so every compile and every session imports its own copy from
 * the image: that keeps the handle immutable and shareable between
 * threads. Modules go through the validating loader (a corrupt image gives
 * an error, never a crash) and are inspected step by step. */
#include "api.h"
#include "../codegen/codegen.h"
#include "../import/import.h"
#include "../util/npy.h"

#include <stdio.h>
#include <string.h>

/* The limits a load or compile uses: the options', else the defaults. */
static rv_limits options_limits(const rvvnn_options *o)
{
    rv_limits l;
    if (o)
        l = o->limits;
    else
        limits_default(&l);
    return l;
}

static int model_from_bytes(void *bytes, size_t len, const char *dir, const rvvnn_options *o,
                            rvvnn_model **out)
{
    rvvnn_model *m = mem_calloc(1, sizeof *m);
    if (!m) {
        mem_free(bytes);
        return err_set(RV_ENOMEM, "out of memory");
    }
    m->bytes = bytes;
    m->len = len;
    m->limits = options_limits(o);
    if (dir && !(m->dir = api_strdup(dir))) {
        rvvnn_model_free(m);
        return err_set(RV_ENOMEM, "out of memory");
    }
    int rc = import_onnx_buffer(bytes, len, m->dir, &m->limits, &m->ir);
    if (rc) {
        rvvnn_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int rvvnn_model_load_file_with_options(const char *path, const rvvnn_options *o, rvvnn_model **out)
{
    API_NONNULL(path);
    API_NONNULL(out);
    *out = NULL;
    void *buf;
    size_t len;
    int rc = file_read_all(path, options_limits(o).max_file_bytes, &buf, &len);
    if (rc)
        return rc;
    char dir[4096];
    import_dir_of(path, dir, sizeof dir);
    if ((rc = model_from_bytes(buf, len, dir, o, out)))
        return err_wrap(rc, "%s", path);
    return 0;
}

int rvvnn_model_load_file(const char *path, rvvnn_model **out)
{
    return rvvnn_model_load_file_with_options(path, NULL, out);
}

int rvvnn_model_load_memory_with_options(const void *data, size_t size, const rvvnn_options *o,
                                         rvvnn_model **out)
{
    API_NONNULL(data);
    API_NONNULL(out);
    *out = NULL;
    if (size > options_limits(o).max_file_bytes)
        return err_set(RV_ELIMIT, "model: %zu bytes exceed the limit max_file_bytes (%llu)", size,
                       (unsigned long long)options_limits(o).max_file_bytes);
    void *copy = mem_alloc(size ? size : 1);
    if (!copy)
        return err_set(RV_ENOMEM, "out of memory copying a %zu-byte model", size);
    memcpy(copy, data, size);
    return model_from_bytes(copy, size, NULL, o, out);
}

int rvvnn_model_load_memory(const void *data, size_t size, rvvnn_model **out)
{
    return rvvnn_model_load_memory_with_options(data, size, NULL, out);
}

void rvvnn_model_free(rvvnn_model *m)
{
    if (!m)
        return;
    ir_model_free(m->ir);
    mem_free(m->bytes);
    mem_free(m->dir);
    mem_free(m);
}

int api_model_import(const rvvnn_model *m, ir_model **out)
{
    return import_onnx_buffer(m->bytes, m->len, m->dir, &m->limits, out);
}

int rvvnn_model_input_count(const rvvnn_model *m, size_t *out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    *out = (size_t)m->ir->graph->n_inputs;
    return 0;
}

int rvvnn_model_output_count(const rvvnn_model *m, size_t *out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    *out = (size_t)m->ir->graph->n_outputs;
    return 0;
}

int rvvnn_model_input_name(const rvvnn_model *m, size_t index, const char **out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    const ir_graph *g = m->ir->graph;
    if (index >= (size_t)g->n_inputs)
        return err_set(RV_EINVAL, "input index %zu: the model has %d inputs", index, g->n_inputs);
    *out = g->vals[g->inputs[index]].name;
    return 0;
}

int rvvnn_model_output_name(const rvvnn_model *m, size_t index, const char **out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    const ir_graph *g = m->ir->graph;
    if (index >= (size_t)g->n_outputs)
        return err_set(RV_EINVAL, "output index %zu: the model has %d outputs", index, g->n_outputs);
    *out = g->vals[g->outputs[index]].name;
    return 0;
}

/* The whole compile: import a private IR, run the passes with the
 * options' bindings and custom ops (their shape functions size the
 * outputs), lower for the options' target: custom ops become CUSTOM
 * steps that the sessions running the module call back. */
static int compile_buffer(const rvvnn_model *m, const rvvnn_options *o, cg_result *res)
{
    api_opts ao;
    cg_target tgt;
    ir_model *ir = NULL;
    int rc = api_opts_copy(o, &ao);
    if (rc)
        return rc;
    memset(res, 0, sizeof *res);
    rc = cg_target_parse(ao.o.march, ao.o.features, (int)ao.o.vlen, (int)ao.o.lmul_max, &tgt);
    if (!rc) {
        tgt.no_rvv = (int)ao.o.no_rvv;
        rc = api_model_import(m, &ir);
    }
    if (!rc) {
        passes_options po = {.bindings = ao.o.bindings, .n_bindings = ao.o.n_bindings,
                             .limits = &ao.o.limits, .custom = &ao.custom};
        rc = passes_run(ir, &po);
    }
    if (!rc)
        rc = codegen_module(ir, &tgt, res);
    ir_model_free(ir);
    api_opts_release(&ao);
    return rc;
}

int rvvnn_compile_to_memory(const rvvnn_model *m, const rvvnn_options *o, void **data, size_t *size)
{
    API_NONNULL(m);
    API_NONNULL(data);
    API_NONNULL(size);
    *data = NULL;
    *size = 0;
    cg_result res;
    int rc = compile_buffer(m, o, &res);
    if (rc)
        return rc;
    *data = res.buf;
    *size = res.len;
    return 0;
}

int rvvnn_compile_to_file(const rvvnn_model *m, const rvvnn_options *o, const char *path)
{
    API_NONNULL(m);
    API_NONNULL(path);
    cg_result res;
    int rc = compile_buffer(m, o, &res);
    if (rc)
        return rc;
    rc = file_write_atomic(path, res.buf, res.len);
    mem_free(res.buf);
    return rc;
}

static int wrap_module(rvv_module *mod, rvvnn_module **out);

int rvvnn_compile(const rvvnn_model *m, const rvvnn_options *o, rvvnn_module **out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    *out = NULL;
    cg_result res;
    rvv_module *mod;
    int rc = compile_buffer(m, o, &res);
    if (rc)
        return rc;
    rv_limits lim = options_limits(o);
    if ((rc = module_load(res.buf, res.len, &lim, &mod))) /* takes res.buf */
        return err_wrap(rc, "loading the module just compiled");
    return wrap_module(mod, out);
}

/* ---- modules ---- */
static int wrap_module(rvv_module *mod, rvvnn_module **out)
{
    rvvnn_module *h = mem_calloc(1, sizeof *h);
    if (!h) {
        module_free(mod);
        return err_set(RV_ENOMEM, "out of memory");
    }
    h->mod = mod;
    *out = h;
    return 0;
}

int rvvnn_module_load_file_with_options(const char *path, const rvvnn_options *o, rvvnn_module **out)
{
    API_NONNULL(path);
    API_NONNULL(out);
    *out = NULL;
    rvv_module *mod;
    rv_limits lim = options_limits(o);
    int rc = module_load_file(path, &lim, &mod);
    return rc ? rc : wrap_module(mod, out);
}

int rvvnn_module_load_file(const char *path, rvvnn_module **out)
{
    return rvvnn_module_load_file_with_options(path, NULL, out);
}

int rvvnn_module_load_memory_with_options(const void *data, size_t size, const rvvnn_options *o,
                                          rvvnn_module **out)
{
    API_NONNULL(data);
    API_NONNULL(out);
    *out = NULL;
    rv_limits lim = options_limits(o);
    if (size > lim.max_file_bytes)
        return err_set(RV_ELIMIT, "module: %zu bytes exceed the limit max_file_bytes (%llu)", size,
                       (unsigned long long)lim.max_file_bytes);
    rvv_module *mod;
    int rc = module_load_copy(data, size, &lim, &mod);
    return rc ? rc : wrap_module(mod, out);
}

int rvvnn_module_load_memory(const void *data, size_t size, rvvnn_module **out)
{
    return rvvnn_module_load_memory_with_options(data, size, NULL, out);
}

void rvvnn_module_free(rvvnn_module *m)
{
    if (!m)
        return;
    module_free(m->mod);
    mem_free(m);
}

int rvvnn_module_save(const rvvnn_module *m, const char *path)
{
    API_NONNULL(m);
    API_NONNULL(path);
    return file_write_atomic(path, m->mod->buf, m->mod->len);
}

int rvvnn_module_data(const rvvnn_module *m, const void **data, size_t *size)
{
    API_NONNULL(m);
    API_NONNULL(data);
    API_NONNULL(size);
    *data = m->mod->buf;
    *size = m->mod->len;
    return 0;
}

int rvvnn_module_target(const rvvnn_module *m, const char **march, uint32_t *vlen, uint32_t *min_vlen)
{
    API_NONNULL(m);
    const mod_header *h = m->mod->hdr;
    if (march)
        *march = module_str(m->mod, h->march);
    if (vlen)
        *vlen = h->vlen;
    if (min_vlen)
        *min_vlen = h->min_vlen;
    return 0;
}

int rvvnn_module_step_count(const rvvnn_module *m, size_t *out)
{
    API_NONNULL(m);
    API_NONNULL(out);
    *out = m->mod->hdr->n_steps;
    return 0;
}

int rvvnn_module_step_info(const rvvnn_module *m, size_t index, const char **name, const char **op,
                           int32_t *kind, uint64_t *flops, uint64_t *bytes)
{
    API_NONNULL(m);
    if (index >= m->mod->hdr->n_steps)
        return err_set(RV_EINVAL, "step index %zu: the module has %u steps", index, m->mod->hdr->n_steps);
    const mod_step *s = &m->mod->steps[index];
    if (name)
        *name = module_str(m->mod, s->name);
    if (op)
        *op = module_str(m->mod, s->op);
    if (kind)
        *kind = s->kind == MOD_STEP_RVV ? RVVNN_STEP_RVV : s->kind == MOD_STEP_CUSTOM ? RVVNN_STEP_CUSTOM
                : RVVNN_STEP_FALLBACK;
    if (flops)
        *flops = s->flops;
    if (bytes)
        *bytes = s->bytes;
    return 0;
}
