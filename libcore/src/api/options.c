/* options.c - rvvnn_options: compile and session settings through string
 * and int keys (so fields can be added without changing the ABI), input
 * shape bindings and custom-op registration; plus the library-wide calls
 * (version, errors, status text). */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rvvnn_version(void) { return RVVNN_VERSION_STRING; }

int rvvnn_abi_version(void) { return RVVNN_ABI_VERSION; }

const char *rvvnn_last_error(void) { return err_message(); }

const char *rvvnn_status_string(int status) { return status_description(status); }

void rvvnn_buffer_free(void *data) { mem_free(data); }

char *api_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int rvvnn_options_create(rvvnn_options **out)
{
    API_NONNULL(out);
    *out = NULL;
    rvvnn_options *o = mem_calloc(1, sizeof *o);
    if (!o)
        return err_set(RV_ENOMEM, "out of memory");
    o->vlen = -1;
    limits_default(&o->limits);
    *out = o;
    return 0;
}

static void options_clear(rvvnn_options *o)
{
    mem_free(o->march);
    mem_free(o->features);
    mem_free(o->executor);
    mem_free(o->qemu_cpu);
    mem_free(o->runtime);
    for (int i = 0; i < o->n_bindings; i++)
        mem_free((void *)o->bindings[i].name);
    for (int i = 0; i < o->n_customs; i++) {
        mem_free(o->customs[i].domain);
        mem_free(o->customs[i].op_type);
    }
    mem_free(o->customs);
}

void rvvnn_options_free(rvvnn_options *o)
{
    if (!o)
        return;
    options_clear(o);
    mem_free(o);
}

int rvvnn_options_bind_input_shape(rvvnn_options *o, const char *name, const int64_t *dims,
                                   size_t rank)
{
    API_NONNULL(o);
    API_NONNULL(name);
    if (rank > TENSOR_MAX_RANK)
        return err_set(RV_EINVAL, "input shape '%s': rank %zu exceeds %d", name, rank, TENSOR_MAX_RANK);
    if (rank && !dims)
        return err_set(RV_EINVAL, "input shape '%s': dims is NULL", name);
    for (size_t d = 0; d < rank; d++)
        if (dims[d] < 0)
            return err_set(RV_EINVAL, "input shape '%s': dim %zu is negative", name, d);
    int slot = -1;
    for (int i = 0; i < o->n_bindings; i++)
        if (!strcmp(o->bindings[i].name, name))
            slot = i;
    if (slot < 0) {
        if (o->n_bindings == API_MAX_BINDINGS)
            return err_set(RV_ELIMIT, "more than %d input shape bindings", API_MAX_BINDINGS);
        char *copy = api_strdup(name);
        if (!copy)
            return err_set(RV_ENOMEM, "out of memory");
        slot = o->n_bindings++;
        o->bindings[slot].name = copy;
    }
    pass_binding *b = &o->bindings[slot];
    b->rank = (int)rank;
    memset(b->dims, 0, sizeof b->dims);
    for (size_t d = 0; d < rank; d++)
        b->dims[d] = dims[d];
    return 0;
}

/* "name=2x128" */
static int bind_from_text(rvvnn_options *o, const char *spec)
{
    const char *eq = strrchr(spec, '=');
    char name[256];
    int64_t dims[TENSOR_MAX_RANK];
    size_t rank = 0;
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof name)
        return err_set(RV_EINVAL, "input_shape '%s': expected NAME=DIMS (e.g. ids=2x128)", spec);
    memcpy(name, spec, (size_t)(eq - spec));
    name[eq - spec] = 0;
    for (const char *p = eq + 1; *p;) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0 || rank == TENSOR_MAX_RANK || (*end && *end != 'x'))
            return err_set(RV_EINVAL, "input_shape '%s': dims must be like 2x128", spec);
        dims[rank++] = v;
        p = *end ? end + 1 : end;
    }
    return rvvnn_options_bind_input_shape(o, name, dims, rank);
}

static int set_str(char **slot, const char *value)
{
    char *copy = NULL;
    if (value && !(copy = api_strdup(value)))
        return err_set(RV_ENOMEM, "out of memory");
    mem_free(*slot);
    *slot = copy;
    return 0;
}

int rvvnn_options_set_string(rvvnn_options *o, const char *key, const char *value)
{
    API_NONNULL(o);
    API_NONNULL(key);
    if (!strcmp(key, "march"))
        return set_str(&o->march, value);
    if (!strcmp(key, "target_cpu_features"))
        return set_str(&o->features, value);
    if (!strcmp(key, "qemu_cpu"))
        return set_str(&o->qemu_cpu, value);
    if (!strcmp(key, "runtime"))
        return set_str(&o->runtime, value);
    if (!strcmp(key, "executor")) {
        static const char *const known[] = {"auto", "ref", "native", "qemu", "emu"};
        int ok = !value;
        for (size_t i = 0; value && i < sizeof known / sizeof *known; i++)
            ok |= !strcmp(value, known[i]);
        if (!ok)
            return err_set(RV_EINVAL, "executor '%s': expected auto, ref, native, qemu or emu", value);
        return set_str(&o->executor, value);
    }
    if (!strcmp(key, "input_shape")) {
        if (!value)
            return err_set(RV_EINVAL, "input_shape: value is NULL");
        return bind_from_text(o, value);
    }
    return err_set(RV_ENOTFOUND, "unknown string option '%s'", key);
}

/* The int keys: name, slot offset, valid range. */
static int64_t *int_slot(rvvnn_options *o, const char *key, int64_t *lo, int64_t *hi)
{
    struct { const char *name; int64_t *slot, lo, hi; } keys[] = {
        {"vlen", &o->vlen, -1, 65536},      {"lmul_max", &o->lmul_max, 0, 8},
        {"threads", &o->threads, 0, 4096},  {"qemu_vlen", &o->qemu_vlen, 0, 65536},
        {"no_rvv", &o->no_rvv, 0, 1},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(key, keys[i].name)) {
            *lo = keys[i].lo;
            *hi = keys[i].hi;
            return keys[i].slot;
        }
    return NULL;
}

int rvvnn_options_set_int(rvvnn_options *o, const char *key, int64_t value)
{
    API_NONNULL(o);
    API_NONNULL(key);
    int li = limits_find(key);
    if (li >= 0) {
        if (value < 0 || (uint64_t)value < limit_table[li].min)
            return err_set(RV_EINVAL, "option '%s': %lld is below its minimum %llu", key, (long long)value,
                           (unsigned long long)limit_table[li].min);
        *limits_slot(&o->limits, li) = (uint64_t)value;
        return 0;
    }
    int64_t lo, hi, *slot = int_slot(o, key, &lo, &hi);
    if (!slot)
        return err_set(RV_ENOTFOUND, "unknown int option '%s'", key);
    if (value < lo || value > hi)
        return err_set(RV_EINVAL, "option '%s': %lld is outside [%lld, %lld]", key, (long long)value,
                       (long long)lo, (long long)hi);
    *slot = value;
    return 0;
}

int rvvnn_options_get_int(const rvvnn_options *o, const char *key, int64_t *out)
{
    API_NONNULL(o);
    API_NONNULL(key);
    API_NONNULL(out);
    int li = limits_find(key);
    if (li >= 0) {
        *out = (int64_t)*limits_slot((rv_limits *)&o->limits, li);
        return 0;
    }
    int64_t lo, hi, *slot = int_slot((rvvnn_options *)o, key, &lo, &hi);
    if (!slot)
        return err_set(RV_ENOTFOUND, "unknown int option '%s'", key);
    *out = *slot;
    return 0;
}

int rvvnn_register_op(rvvnn_options *o, const char *domain, const char *op_type, rvvnn_op_fn fn,
                      rvvnn_shape_fn shape_fn, void *user)
{
    API_NONNULL(o);
    API_NONNULL(domain);
    API_NONNULL(op_type);
    API_NONNULL(fn);
    API_NONNULL(shape_fn);
    if (!*op_type)
        return err_set(RV_EINVAL, "rvvnn_register_op: empty op_type");
    api_custom *grown = mem_realloc(o->customs, (size_t)(o->n_customs + 1) * sizeof *grown);
    if (!grown)
        return err_set(RV_ENOMEM, "out of memory");
    o->customs = grown;
    api_custom *c = &grown[o->n_customs];
    c->domain = api_strdup(domain);
    c->op_type = api_strdup(op_type);
    if (!c->domain || !c->op_type) {
        mem_free(c->domain);
        mem_free(c->op_type);
        return err_set(RV_ENOMEM, "out of memory");
    }
    c->fn = fn;
    c->shape_fn = shape_fn;
    c->user = user;
    o->n_customs++;
    return 0;
}

int api_opts_copy(const rvvnn_options *src, api_opts *out)
{
    memset(out, 0, sizeof *out);
    out->o.vlen = -1;
    limits_default(&out->o.limits);
    if (!src)
        return 0;
    rvvnn_options *d = &out->o;
    d->limits = src->limits;
    d->vlen = src->vlen;
    d->lmul_max = src->lmul_max;
    d->threads = src->threads;
    d->qemu_vlen = src->qemu_vlen;
    d->no_rvv = src->no_rvv;
    int bad = (src->march && !(d->march = api_strdup(src->march))) ||
              (src->features && !(d->features = api_strdup(src->features))) ||
              (src->executor && !(d->executor = api_strdup(src->executor))) ||
              (src->qemu_cpu && !(d->qemu_cpu = api_strdup(src->qemu_cpu))) ||
              (src->runtime && !(d->runtime = api_strdup(src->runtime)));
    for (int i = 0; !bad && i < src->n_bindings; i++) {
        d->bindings[i] = src->bindings[i];
        bad = !(d->bindings[i].name = api_strdup(src->bindings[i].name));
        d->n_bindings = i + 1;
    }
    if (!bad && src->n_customs) {
        d->customs = mem_calloc((size_t)src->n_customs, sizeof *d->customs);
        out->table = mem_calloc((size_t)src->n_customs, sizeof *out->table);
        bad = !d->customs || !out->table;
        for (int i = 0; !bad && i < src->n_customs; i++) {
            api_custom *c = &d->customs[i];
            *c = src->customs[i];
            c->domain = api_strdup(src->customs[i].domain);
            c->op_type = api_strdup(src->customs[i].op_type);
            d->n_customs = i + 1;
            bad = !c->domain || !c->op_type;
            out->table[i] = (custom_op){c->domain ? c->domain : "", c->op_type ? c->op_type : "",
                                        api_custom_shape, api_custom_run, c};
        }
        out->custom.ops = out->table;
        out->custom.n = d->n_customs;
    }
    if (bad) {
        api_opts_release(out);
        return err_set(RV_ENOMEM, "out of memory copying options");
    }
    return 0;
}

void api_opts_release(api_opts *o)
{
    options_clear(&o->o);
    mem_free(o->table);
    memset(o, 0, sizeof *o);
}
