/* module.c - rvvnn_module: a compiled .rvvmod, loaded through the
 * validating loader (a corrupt image gives an error, never a crash),
 * saved, and inspected (target, steps with kind, FLOPs and bytes). */
#include "api.h"
#include "../util/npy.h"

#include <string.h>

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

int rvvnn_module_load_file(const char *path, rvvnn_module **out)
{
    API_NONNULL(path);
    API_NONNULL(out);
    *out = NULL;
    rvv_module *mod;
    int rc = module_load_file(path, NULL, &mod);
    return rc ? rc : wrap_module(mod, out);
}

int rvvnn_module_load_memory(const void *data, size_t size, rvvnn_module **out)
{
    API_NONNULL(data);
    API_NONNULL(out);
    *out = NULL;
    void *copy = mem_alloc(size ? size : 1);
    if (!copy)
        return err_set(RV_ENOMEM, "out of memory copying a %zu-byte module", size);
    memcpy(copy, data, size);
    rvv_module *mod;
    int rc = module_load(copy, size, NULL, &mod); /* takes copy */
    return rc ? rc : wrap_module(mod, out);
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
        *kind = s->kind == MOD_STEP_RVV ? RVVNN_STEP_RVV : RVVNN_STEP_FALLBACK;
    if (flops)
        *flops = s->flops;
    if (bytes)
        *bytes = s->bytes;
    return 0;
}
