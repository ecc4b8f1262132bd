/* build.c - assembles a .rvvmod in memory: sections grow as the
 * compiler lowers the graph, and modb_finish lays them out behind the
 * header at 64-byte boundaries (format.h). */
#include "module.h"
#include "../util/status.h"

#include <stdio.h>
#include <stddef.h>
#include <string.h>

int bytebuf_reserve(bytebuf *b, size_t cap)
{
    if (cap <= b->cap)
        return 0;
    unsigned char *p = mem_realloc(b->p, cap);
    if (!p)
        return err_set(RV_ENOMEM, "out of memory growing a module section to %zu bytes", cap);
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Grows b by n bytes and returns where they start (uninitialised). */
static int bytebuf_extend(bytebuf *b, size_t n, unsigned char **at)
{
    size_t need;
    if (!size_add(b->len, n, &need))
        return err_set(RV_ELIMIT, "module section larger than memory");
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need) {
            if (!size_mul(cap, 2, &cap))
                return err_set(RV_ELIMIT, "module section larger than memory");
        }
        int rc = bytebuf_reserve(b, cap);
        if (rc)
            return rc;
    }
    *at = b->p + b->len;
    b->len = need;
    return 0;
}

int bytebuf_append(bytebuf *b, const void *data, size_t n)
{
    unsigned char *at;
    int rc = bytebuf_extend(b, n, &at);
    if (rc || !n)
        return rc;
    if (data)
        memcpy(at, data, n);
    else
        memset(at, 0, n);
    return 0;
}

int bytebuf_align(bytebuf *b, size_t align)
{
    size_t pad = (align - b->len % align) % align;
    return pad ? bytebuf_append(b, NULL, pad) : 0;
}

void bytebuf_free(bytebuf *b)
{
    mem_free(b->p);
    memset(b, 0, sizeof *b);
}

void modb_init(modb *b)
{
    memset(b, 0, sizeof *b);
    strmap_init(&b->strings);
}

void modb_free(modb *b)
{
    for (int i = 0; i < SEC__COUNT; i++)
        bytebuf_free(&b->sec[i]);
    for (size_t i = 0; i < b->strings.cap; i++)
        mem_free((void *)b->strings.keys[i]);
    strmap_free(&b->strings);
}

int modb_string(modb *b, const char *s, uint32_t *off)
{
    bytebuf *st = &b->sec[SEC_STRINGS];
    if (!st->len) { /* offset 0 is the empty string */
        int rc = bytebuf_append(st, "", 1);
        if (rc)
            return rc;
    }
    if (!*s) {
        *off = 0;
        return 0;
    }
    /* STRINGS moves as it grows, so the dedup map keeps its own copy of
     * each key. */
    int found = strmap_get(&b->strings, s);
    if (found >= 0) {
        *off = (uint32_t)found;
        return 0;
    }
    size_t n = strlen(s) + 1;
    if (st->len + n > UINT32_MAX)
        return err_set(RV_ELIMIT, "module string table over 4 GiB");
    *off = (uint32_t)st->len;
    int rc = bytebuf_append(st, s, n);
    if (rc)
        return rc;
    char *key = mem_alloc(n);
    if (!key)
        return err_set(RV_ENOMEM, "out of memory");
    memcpy(key, s, n);
    if ((rc = strmap_put(&b->strings, key, (int)*off))) {
        mem_free(key);
        return rc;
    }
    return 0;
}

/* modb_tensor's work; for a WEIGHT with fill != NULL the weight bytes
 * are reserved, not copied, and *fill says where to write them. */
static int add_tensor(modb *b, const char *name, const tensor *t, int place, uint64_t offset,
                      const void *data, uint32_t *id, void **fill)
{
    mod_tensor mt;
    memset(&mt, 0, sizeof mt);
    int rc = modb_string(b, name, &mt.name);
    if (rc)
        return rc;
    size_t nb;
    if ((rc = tensor_byte_size(t, &nb)))
        return err_wrap(rc, "tensor '%s'", name);
    mt.dtype = (uint8_t)t->dtype;
    mt.rank = (uint8_t)t->rank;
    mt.place = (uint8_t)place;
    mt.layout = LAYOUT_PLAIN; /* modb_tensor_layout() for re-laid weights */
    mt.nbytes = nb;
    memcpy(mt.dims, t->dims, sizeof mt.dims);
    mt.offset = offset;
    if (place == MOD_T_WEIGHT && (data || fill)) {
        bytebuf *w = &b->sec[SEC_WEIGHTS];
        unsigned char *at;
        if ((rc = bytebuf_align(w, MOD_ALIGN)))
            return rc;
        mt.offset = w->len;
        if ((rc = bytebuf_extend(w, nb, &at)))
            return rc;
        if (fill)
            *fill = at;
        else if (nb)
            memcpy(at, data, nb);
    }
    if (place == MOD_T_INPUT)
        b->n_inputs++;
    if (place == MOD_T_OUTPUT)
        b->n_outputs++;
    *id = b->n_tensors++;
    return bytebuf_append(&b->sec[SEC_TENSORS], &mt, sizeof mt);
}

int modb_tensor_layout(modb *b, uint32_t id, int layout)
{
    if (id >= b->n_tensors || layout <= LAYOUT_NONE || layout >= LAYOUT__COUNT)
        return err_set(RV_EINTERNAL, "layout %d for module tensor %u", layout, id);
    b->sec[SEC_TENSORS].p[(size_t)id * sizeof(mod_tensor) + offsetof(mod_tensor, layout)] = (unsigned char)layout;
    return 0;
}

int modb_tensor(modb *b, const char *name, const tensor *t, int place, uint64_t offset,
                const void *data, uint32_t *id)
{
    return add_tensor(b, name, t, place, offset, data, id, NULL);
}

int modb_weight_fill(modb *b, const char *name, const tensor *t, uint32_t *id, void **fill)
{
    return add_tensor(b, name, t, MOD_T_WEIGHT, 0, NULL, id, fill);
}

static int put_attr(modb *b, const ir_attr *a)
{
    bytebuf *ab = &b->sec[SEC_ATTRS];
    mod_attr ma;
    memset(&ma, 0, sizeof ma);
    int rc = modb_string(b, a->name, &ma.name);
    if (rc)
        return rc;
    ma.type = (uint32_t)a->type;
    switch (a->type) {
    case ATTR_INT: case ATTR_FLOAT: ma.count = 1; break;
    case ATTR_INTS: case ATTR_FLOATS: case ATTR_STRINGS: ma.count = a->n; break;
    case ATTR_STRING: ma.count = a->s_len; break;
    case ATTR_TENSOR: ma.count = 1; break;
    default:
        return err_set(RV_EUNSUPPORTED, "attribute '%s': subgraphs cannot be stored in a module "
                       "(run models with If/Loop on the reference executor)", a->name);
    }
    if ((rc = bytebuf_append(ab, &ma, sizeof ma)))
        return rc;
    switch (a->type) {
    case ATTR_INT: rc = bytebuf_append(ab, &a->i, 8); break;
    case ATTR_FLOAT: rc = bytebuf_append(ab, &a->f, 4); break;
    case ATTR_INTS: rc = bytebuf_append(ab, a->ints, a->n * 8); break;
    case ATTR_FLOATS: rc = bytebuf_append(ab, a->floats, a->n * 4); break;
    case ATTR_STRING: rc = bytebuf_append(ab, a->s, a->s_len); break;
    case ATTR_STRINGS:
        for (size_t i = 0; !rc && i < a->n; i++) {
            uint32_t so[2];
            if (!(rc = modb_string(b, a->strings[i], &so[0]))) {
                so[1] = (uint32_t)strlen(a->strings[i]);
                rc = bytebuf_append(ab, so, sizeof so);
            }
        }
        break;
    case ATTR_TENSOR: {
        uint32_t id;
        if ((rc = modb_tensor(b, a->name, a->t, MOD_T_WEIGHT, 0, a->t->data, &id)))
            return rc;
        mod_tensor *mt = (mod_tensor *)(b->sec[SEC_TENSORS].p + (size_t)id * sizeof(mod_tensor));
        rc = bytebuf_append(ab, mt, sizeof *mt);
        break;
    }
    }
    return rc ? rc : bytebuf_align(ab, 8);
}

static int put_step(modb *b, mod_step *s, const uint64_t *ids, uint32_t n_ids, const int64_t *imm,
                    uint32_t n_imm)
{
    bytebuf *args = &b->sec[SEC_ARGS];
    s->args_off = args->len / 8;
    int rc = bytebuf_append(args, ids, (size_t)n_ids * 8);
    if (!rc && n_imm)
        rc = bytebuf_append(args, imm, (size_t)n_imm * 8);
    if (rc)
        return rc;
    b->n_steps++;
    return bytebuf_append(&b->sec[SEC_STEPS], s, sizeof *s);
}

int modb_step_ref(modb *b, const ir_node *n, const uint64_t *ids, uint32_t n_in, uint32_t n_out,
                  uint64_t flops, uint64_t bytes)
{
    mod_step s;
    memset(&s, 0, sizeof s);
    s.kind = n->op < 0 ? MOD_STEP_CUSTOM : MOD_STEP_REF;
    s.n_in = n_in;
    s.n_out = n_out;
    s.flops = flops;
    s.bytes = bytes;
    /* ops outside ai.onnx keep their domain: "domain::op" */
    char op[256];
    snprintf(op, sizeof op, "%s%s%s", n->domain, n->domain[0] ? "::" : "", n->op_type);
    int rc = modb_string(b, n->name, &s.name);
    if (!rc)
        rc = modb_string(b, op, &s.op);
    if (rc)
        return rc;
    bytebuf *ab = &b->sec[SEC_ATTRS];
    s.attrs_off = ab->len;
    for (int i = 0; i < n->n_attrs; i++)
        if ((rc = put_attr(b, &n->attrs[i])))
            return err_wrap(rc, "node '%s' (%s)", n->name, n->op_type);
    s.attrs_size = ab->len - s.attrs_off;
    return put_step(b, &s, ids, n_in + n_out, NULL, 0);
}

int modb_step_rvv(modb *b, const char *name, const char *op, const uint64_t *ids, uint32_t n_in,
                  uint32_t n_out, const int64_t *imm, uint32_t n_imm, const void *code,
                  size_t code_size, uint64_t flops, uint64_t bytes)
{
    mod_step s;
    memset(&s, 0, sizeof s);
    s.kind = MOD_STEP_RVV;
    s.n_in = n_in;
    s.n_out = n_out;
    s.n_imm = n_imm;
    s.flops = flops;
    s.bytes = bytes;
    int rc = modb_string(b, name, &s.name);
    if (!rc)
        rc = modb_string(b, op, &s.op);
    bytebuf *cb = &b->sec[SEC_CODE];
    if (!rc)
        rc = bytebuf_align(cb, 16);
    s.code_off = cb->len;
    s.code_size = code_size;
    if (!rc)
        rc = bytebuf_append(cb, code, code_size);
    if (rc)
        return rc;
    return put_step(b, &s, ids, n_in + n_out, imm, n_imm);
}

int modb_finish(modb *b, void **out, size_t *len)
{
    mod_header h = b->hdr;
    memcpy(h.magic, MOD_MAGIC, 8);
    h.version = MOD_VERSION;
    h.header_size = sizeof h;
    h.n_tensors = b->n_tensors;
    h.n_steps = b->n_steps;
    h.n_inputs = b->n_inputs;
    h.n_outputs = b->n_outputs;
    int rc = 0;
    if (!b->sec[SEC_STRINGS].len)
        rc = bytebuf_append(&b->sec[SEC_STRINGS], "", 1);
    size_t off = (sizeof h + MOD_ALIGN - 1) & ~(size_t)(MOD_ALIGN - 1);
    for (int i = 0; !rc && i < SEC__COUNT; i++) {
        h.sec[i].offset = off;
        h.sec[i].size = b->sec[i].len;
        if (!size_add(off, b->sec[i].len + MOD_ALIGN - 1, &off))
            rc = err_set(RV_ELIMIT, "module larger than memory");
        off &= ~(size_t)(MOD_ALIGN - 1);
    }
    if (rc)
        return rc;
    h.file_size = off;
    /* WEIGHTS is last and by far the largest: grow its buffer into the
     * image (realloc can do that without copying) and move the weights to
     * their place, instead of allocating and filling a second copy. */
    bytebuf *w = &b->sec[SEC_WEIGHTS];
    size_t w_off = (size_t)h.sec[SEC_WEIGHTS].offset, w_len = w->len;
    unsigned char *p = mem_realloc(w->p, off);
    if (!p)
        return err_set(RV_ENOMEM, "cannot allocate a %zu-byte module", off);
    if (w_len)
        memmove(p + w_off, p, w_len);
    memset(p, 0, w_off);
    memset(p + w_off + w_len, 0, off - w_off - w_len);
    memcpy(p, &h, sizeof h);
    for (int i = 0; i < SEC_WEIGHTS; i++)
        if (b->sec[i].len)
            memcpy(p + h.sec[i].offset, b->sec[i].p, b->sec[i].len);
    memset(w, 0, sizeof *w); /* the buffer is the image now */
    *out = p;
    *len = off;
    return 0;
}
