/* load.c - the validating .rvvmod loader.
 *
 * A module is untrusted input: every header field, section range,
 * count, tensor descriptor, step and attribute record is checked against
 * the file before anything uses it, and errors say which field of which
 * entry is wrong. Fallback steps are decoded into IR nodes so the
 * reference kernels can run them. */
#include "module.h"
#include "../ir/op.h"
#include "../util/npy.h"
#include "../util/status.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(mod_header) == 192, "mod_header layout is part of the file format");
_Static_assert(sizeof(mod_tensor) == 88, "mod_tensor layout is part of the file format");
_Static_assert(sizeof(mod_step) == 80, "mod_step layout is part of the file format");
_Static_assert(sizeof(mod_attr) == 16, "mod_attr layout is part of the file format");

static const char *sec_names[SEC__COUNT] = {"STRINGS", "TENSORS", "STEPS", "ARGS", "ATTRS", "CODE",
                                            "WEIGHTS"};

int module_is_module(const void *buf, size_t len)
{
    return len >= 8 && memcmp(buf, MOD_MAGIC, 8) == 0;
}

const char *module_str(const rvv_module *m, uint32_t off)
{
    return off < m->strings_size ? m->strings + off : "";
}

void module_tensor_desc(const rvv_module *m, uint32_t id, tensor *t)
{
    const mod_tensor *mt = &m->tensors[id];
    memset(t, 0, sizeof *t);
    t->dtype = mt->dtype;
    t->rank = mt->rank;
    memcpy(t->dims, mt->dims, sizeof t->dims);
    t->nbytes = mt->nbytes;
}

static int check_headers(rvv_module *m, const rv_limits *lim)
{
    const mod_header *h = (const mod_header *)m->buf;
    if (m->len < sizeof *h || memcmp(h->magic, MOD_MAGIC, 8) != 0)
        return err_set(RV_EFORMAT, "module: not an .rvvmod file (bad magic or shorter than the header)");
    if (h->version != MOD_VERSION)
        return err_set(RV_EFORMAT, "module: format version %u, this rvvnn reads version %u (recompile "
                       "the model)", h->version, MOD_VERSION);
    if (h->header_size != sizeof *h)
        return err_set(RV_EFORMAT, "module: header_size %u, expected %zu", h->header_size, sizeof *h);
    if (h->file_size != m->len)
        return err_set(RV_EFORMAT, "module: header says %llu bytes, the file has %zu (truncated?)",
                       (unsigned long long)h->file_size, m->len);
    if (h->arena_bytes > lim->max_arena_bytes)
        return err_set(RV_ELIMIT, "module: arena of %llu bytes exceeds the limit max_arena_bytes (%llu)",
                       (unsigned long long)h->arena_bytes, (unsigned long long)lim->max_arena_bytes);
    if (h->flags & ~(uint32_t)MOD_FLAG_VLA)
        return err_set(RV_EFORMAT, "module: unknown flags 0x%x", h->flags & ~(uint32_t)MOD_FLAG_VLA);
    const uint32_t known_ext = MOD_EXT_V | MOD_EXT_ZVE32F | MOD_EXT_ZVE64F | MOD_EXT_ZVE64D | MOD_EXT_ZVFH;
    if (h->ext & ~known_ext)
        return err_set(RV_EFORMAT, "module: unknown required extensions 0x%x", h->ext & ~known_ext);
    if (h->vlen && (h->vlen < 32 || h->vlen > 65536 || (h->vlen & (h->vlen - 1))))
        return err_set(RV_EFORMAT, "module: vlen %u is not a power of two in 32..65536", h->vlen);
    if (!(h->flags & MOD_FLAG_VLA) != !!h->vlen)
        return err_set(RV_EFORMAT, "module: the vector-length agnostic flag disagrees with vlen %u", h->vlen);
    if (h->min_vlen > 65536 || (h->min_vlen & (h->min_vlen - 1)) || (h->vlen && h->min_vlen > h->vlen))
        return err_set(RV_EFORMAT, "module: min_vlen %u is not a power of two up to %u", h->min_vlen,
                       h->vlen ? h->vlen : 65536);
    if (h->opset < 1 || h->opset > IR_OPSET_MAX)
        return err_set(RV_EFORMAT, "module: opset %u outside 1..%d", h->opset, IR_OPSET_MAX);
    if (h->reserved)
        return err_set(RV_EFORMAT, "module: reserved header field is not zero");
    for (int i = 0; i < SEC__COUNT; i++) {
        const mod_section *s = &h->sec[i];
        if (s->offset % MOD_ALIGN || s->offset < sizeof *h || s->offset > m->len ||
            s->size > m->len - s->offset)
            return err_set(RV_EFORMAT, "module: section %s (offset %llu, size %llu) is misaligned or "
                           "outside the %zu-byte file", sec_names[i], (unsigned long long)s->offset,
                           (unsigned long long)s->size, m->len);
    }
    struct { int sec; uint64_t count; size_t elem; const char *what; } tables[] = {
        {SEC_TENSORS, h->n_tensors, sizeof(mod_tensor), "n_tensors"},
        {SEC_STEPS, h->n_steps, sizeof(mod_step), "n_steps"},
    };
    for (size_t i = 0; i < 2; i++)
        if (tables[i].count > h->sec[tables[i].sec].size / tables[i].elem ||
            tables[i].count * tables[i].elem != h->sec[tables[i].sec].size)
            return err_set(RV_EFORMAT, "module: %s = %llu disagrees with section %s of %llu bytes",
                           tables[i].what, (unsigned long long)tables[i].count,
                           sec_names[tables[i].sec], (unsigned long long)h->sec[tables[i].sec].size);
    if (h->sec[SEC_ARGS].size % 8)
        return err_set(RV_EFORMAT, "module: ARGS section size is not a multiple of 8");
    if (!h->sec[SEC_STRINGS].size || m->buf[h->sec[SEC_STRINGS].offset + h->sec[SEC_STRINGS].size - 1])
        return err_set(RV_EFORMAT, "module: STRINGS section is empty or not NUL-terminated");
    if (h->n_inputs > 4096 || h->n_outputs > 4096)
        return err_set(RV_EFORMAT, "module: %u inputs / %u outputs is implausible", h->n_inputs,
                       h->n_outputs);
    if (h->march >= h->sec[SEC_STRINGS].size)
        return err_set(RV_EFORMAT, "module: march string offset %u outside STRINGS", h->march);
    m->hdr = h;
    m->strings = (const char *)m->buf + h->sec[SEC_STRINGS].offset;
    m->strings_size = h->sec[SEC_STRINGS].size;
    m->tensors = (const mod_tensor *)(m->buf + h->sec[SEC_TENSORS].offset);
    m->steps = (const mod_step *)(m->buf + h->sec[SEC_STEPS].offset);
    m->args = (const uint64_t *)(m->buf + h->sec[SEC_ARGS].offset);
    m->n_args = h->sec[SEC_ARGS].size / 8;
    m->attrs = m->buf + h->sec[SEC_ATTRS].offset;
    m->code = m->buf + h->sec[SEC_CODE].offset;
    m->weights = m->buf + h->sec[SEC_WEIGHTS].offset;
    return 0;
}

static int check_tensor(const rvv_module *m, uint32_t id, const mod_tensor *t, const rv_limits *lim)
{
    const mod_header *h = m->hdr;
    if (t->name >= m->strings_size)
        return err_set(RV_EFORMAT, "module: tensor %u: name offset %u outside STRINGS", id, t->name);
    const char *nm = module_str(m, t->name);
    tensor d;
    module_tensor_desc(m, id, &d);
    size_t nb;
    if (!dtype_size(t->dtype))
        return err_set(RV_EFORMAT, "module: tensor %u '%s': unknown element type %u", id, nm, t->dtype);
    if (t->rank > MOD_MAX_RANK)
        return err_set(RV_EFORMAT, "module: tensor %u '%s': rank %u above %d", id, nm, t->rank, MOD_MAX_RANK);
    int rc = tensor_byte_size(&d, &nb);
    if (rc)
        return err_wrap(RV_EFORMAT, "module: tensor %u '%s'", id, nm);
    if (nb != t->nbytes)
        return err_set(RV_EFORMAT, "module: tensor %u '%s': nbytes %llu, its shape needs %zu", id, nm,
                       (unsigned long long)t->nbytes, nb);
    if (nb > lim->max_tensor_bytes)
        return err_set(RV_ELIMIT, "module: tensor %u '%s': %zu bytes exceed the limit max_tensor_bytes "
                       "(%llu)", id, nm, nb, (unsigned long long)lim->max_tensor_bytes);
    if (t->layout >= LAYOUT__COUNT)
        return err_set(RV_EFORMAT, "module: tensor %u '%s': unknown layout %u (this rvvnn knows %d)", id, nm,
                       t->layout, LAYOUT__COUNT - 1);
    switch (t->place) {
    case MOD_T_ARENA:
        if (t->offset % MOD_ALIGN)
            return err_set(RV_EFORMAT, "module: tensor %u '%s': arena offset %llu is not %d-byte aligned",
                           id, nm, (unsigned long long)t->offset, MOD_ALIGN);
        if (t->offset > h->arena_bytes || nb > h->arena_bytes - t->offset)
            return err_set(RV_EFORMAT, "module: tensor %u '%s': arena range %llu+%zu outside the %llu-byte "
                           "arena", id, nm, (unsigned long long)t->offset, nb,
                           (unsigned long long)h->arena_bytes);
        break;
    case MOD_T_WEIGHT:
        if (t->offset % MOD_ALIGN)
            return err_set(RV_EFORMAT, "module: tensor %u '%s': weight offset %llu is not %d-byte aligned",
                           id, nm, (unsigned long long)t->offset, MOD_ALIGN);
        if (t->offset > h->sec[SEC_WEIGHTS].size || nb > h->sec[SEC_WEIGHTS].size - t->offset)
            return err_set(RV_EFORMAT, "module: tensor %u '%s': weights range %llu+%zu outside WEIGHTS",
                           id, nm, (unsigned long long)t->offset, nb);
        break;
    case MOD_T_INPUT:
    case MOD_T_OUTPUT: {
        uint32_t n = t->place == MOD_T_INPUT ? h->n_inputs : h->n_outputs;
        int *slot = t->place == MOD_T_INPUT ? m->input_tensor : m->output_tensor;
        if (t->offset >= n)
            return err_set(RV_EFORMAT, "module: tensor %u '%s': %s index %llu, the module has %u", id, nm,
                           t->place == MOD_T_INPUT ? "input" : "output", (unsigned long long)t->offset, n);
        if (slot[t->offset] >= 0)
            return err_set(RV_EFORMAT, "module: tensor %u '%s': %s %llu is bound twice", id, nm,
                           t->place == MOD_T_INPUT ? "input" : "output", (unsigned long long)t->offset);
        slot[t->offset] = (int)id;
        break;
    }
    default:
        return err_set(RV_EFORMAT, "module: tensor %u '%s': unknown placement %u", id, nm, t->place);
    }
    return 0;
}

/* Decodes one fallback step's attribute records into node ni. */
static int decode_attrs(rvv_module *m, uint32_t si, const mod_step *s, int ni)
{
    const unsigned char *p = m->attrs + s->attrs_off, *end = p + s->attrs_size;
    ir_graph *g = m->g;
    while (p < end) {
        mod_attr ma;
        if ((size_t)(end - p) < sizeof ma)
            return err_set(RV_EFORMAT, "module: step %u: truncated attribute record", si);
        memcpy(&ma, p, sizeof ma);
        p += sizeof ma;
        if (ma.name >= m->strings_size)
            return err_set(RV_EFORMAT, "module: step %u: attribute name offset outside STRINGS", si);
        const char *nm = module_str(m, ma.name);
        uint64_t esize;
        switch (ma.type) {
        case ATTR_INT: case ATTR_INTS: esize = 8; break;
        case ATTR_FLOAT: case ATTR_FLOATS: esize = 4; break;
        case ATTR_STRING: esize = 1; break;
        case ATTR_STRINGS: esize = 8; break;
        case ATTR_TENSOR: esize = sizeof(mod_tensor); break;
        default:
            return err_set(RV_EFORMAT, "module: step %u: attribute '%s' has type %u", si, nm, ma.type);
        }
        if (((ma.type == ATTR_INT || ma.type == ATTR_FLOAT || ma.type == ATTR_TENSOR) && ma.count != 1) ||
            ma.count > (uint64_t)(end - p) / esize)
            return err_set(RV_EFORMAT, "module: step %u: attribute '%s' count %llu runs past its record",
                           si, nm, (unsigned long long)ma.count);
        size_t payload = (size_t)(ma.count * esize), padded = (payload + 7) & ~(size_t)7;
        if (padded > (size_t)(end - p))
            return err_set(RV_EFORMAT, "module: step %u: attribute '%s' padding runs past its record",
                           si, nm);
        ir_attr *at = ir_add_attr(g, ni, nm, (int)ma.type);
        if (!at)
            return err_set(RV_ENOMEM, "out of memory decoding module attributes");
        at->n = (size_t)ma.count;
        switch (ma.type) {
        case ATTR_INT: memcpy(&at->i, p, 8); break;
        case ATTR_FLOAT: memcpy(&at->f, p, 4); break;
        case ATTR_INTS: at->ints = arena_memdup(g->a, p, payload); break;
        case ATTR_FLOATS: at->floats = arena_memdup(g->a, p, payload); break;
        case ATTR_STRING:
            at->s = arena_strndup(g->a, (const char *)p, payload);
            at->s_len = payload;
            break;
        case ATTR_STRINGS:
            at->strings = arena_alloc_array(g->a, at->n + 1, sizeof(char *));
            for (size_t i = 0; at->strings && i < at->n; i++) {
                uint32_t so[2];
                memcpy(so, p + i * 8, 8);
                if (so[0] >= m->strings_size || so[1] > m->strings_size - so[0])
                    return err_set(RV_EFORMAT, "module: step %u: attribute '%s' string %zu outside STRINGS",
                                   si, nm, i);
                at->strings[i] = arena_strndup(g->a, m->strings + so[0], so[1]);
            }
            break;
        case ATTR_TENSOR: {
            mod_tensor mt;
            memcpy(&mt, p, sizeof mt);
            if (mt.place != MOD_T_WEIGHT || !dtype_size(mt.dtype) || mt.rank > MOD_MAX_RANK)
                return err_set(RV_EFORMAT, "module: step %u: attribute '%s' tensor is malformed", si, nm);
            at->t = arena_alloc(g->a, sizeof *at->t);
            if (!at->t)
                return err_set(RV_ENOMEM, "out of memory");
            at->t->dtype = mt.dtype;
            at->t->rank = mt.rank;
            memcpy(at->t->dims, mt.dims, sizeof mt.dims);
            size_t nb;
            if (tensor_byte_size(at->t, &nb) || nb != mt.nbytes || mt.offset % MOD_ALIGN ||
                mt.offset > m->hdr->sec[SEC_WEIGHTS].size || nb > m->hdr->sec[SEC_WEIGHTS].size - mt.offset)
                return err_set(RV_EFORMAT, "module: step %u: attribute '%s' tensor data outside WEIGHTS",
                               si, nm);
            at->t->data = (void *)(m->weights + mt.offset);
            at->t->nbytes = nb;
            break;
        }
        }
        if ((ma.type == ATTR_INTS && !at->ints) || (ma.type == ATTR_FLOATS && !at->floats) ||
            (ma.type == ATTR_STRING && !at->s) || (ma.type == ATTR_STRINGS && !at->strings))
            return err_set(RV_ENOMEM, "out of memory decoding module attributes");
        p += padded;
    }
    return 0;
}

static int check_steps(rvv_module *m)
{
    const mod_header *h = m->hdr;
    for (uint32_t i = 0; i < h->n_steps; i++) {
        const mod_step *s = &m->steps[i];
        const char *nm = s->name < m->strings_size ? module_str(m, s->name) : "?";
        m->step_node[i] = -1;
        if (s->name >= m->strings_size || s->op >= m->strings_size)
            return err_set(RV_EFORMAT, "module: step %u: name or op offset outside STRINGS", i);
        uint64_t n_args = (uint64_t)s->n_in + s->n_out + s->n_imm;
        if (s->n_in > 4096 || s->n_out > 4096 || s->n_imm > 4096 || s->args_off > m->n_args ||
            n_args > m->n_args - s->args_off)
            return err_set(RV_EFORMAT, "module: step %u '%s': argument list outside ARGS", i, nm);
        for (uint32_t k = 0; k < s->n_in + s->n_out; k++) {
            uint64_t id = m->args[s->args_off + k];
            if (id >= h->n_tensors && !(s->kind != MOD_STEP_RVV && id == MOD_NO_TENSOR))
                return err_set(RV_EFORMAT, "module: step %u '%s': argument %u names tensor %llu of %u",
                               i, nm, k, (unsigned long long)id, h->n_tensors);
            if (k >= s->n_in && id != MOD_NO_TENSOR &&
                (m->tensors[id].place == MOD_T_WEIGHT || m->tensors[id].place == MOD_T_INPUT))
                return err_set(RV_EFORMAT, "module: step %u '%s': output %u writes a weight or input",
                               i, nm, k - s->n_in);
        }
        if (s->kind == MOD_STEP_RVV) {
            if (!(h->ext & (MOD_EXT_V | MOD_EXT_ZVE32F | MOD_EXT_ZVE64F | MOD_EXT_ZVE64D)) || h->min_vlen < 32)
                return err_set(RV_EFORMAT, "module: step %u '%s' is RVV code but the header requires no "
                               "vector extension (ext 0x%x, min_vlen %u)", i, nm, h->ext, h->min_vlen);
            if (s->code_off > h->sec[SEC_CODE].size || s->code_size > h->sec[SEC_CODE].size - s->code_off ||
                s->code_off % 4 || !s->code_size)
                return err_set(RV_EFORMAT, "module: step %u '%s': code range %llu+%llu outside CODE", i, nm,
                               (unsigned long long)s->code_off, (unsigned long long)s->code_size);
        } else if (s->kind == MOD_STEP_REF || s->kind == MOD_STEP_CUSTOM) {
            if (s->attrs_off > h->sec[SEC_ATTRS].size || s->attrs_size > h->sec[SEC_ATTRS].size - s->attrs_off)
                return err_set(RV_EFORMAT, "module: step %u '%s': attributes outside ATTRS", i, nm);
            const char *op = module_str(m, s->op);
            int ins[4096], outs[4096];
            for (uint32_t k = 0; k < s->n_in; k++)
                ins[k] = -1;
            for (uint32_t k = 0; k < s->n_out; k++)
                outs[k] = -1;
            char dom[64] = "";
            const char *sep = strstr(op, "::");
            if (sep && (size_t)(sep - op) < sizeof dom) {
                memcpy(dom, op, (size_t)(sep - op));
                dom[sep - op] = 0;
                op = sep + 2;
            }
            int ni = ir_add_node(m->g, nm, op, dom, ins, (int)s->n_in, outs, (int)s->n_out);
            if (ni < 0)
                return ni;
            if (s->kind == MOD_STEP_CUSTOM) {
                /* resolved against the session's registrations at run time */
                if (s->n_in > 64 || s->n_out > 64)
                    return err_set(RV_EFORMAT, "module: step %u '%s': custom op with %u inputs / %u outputs "
                                   "(at most 64 each)", i, nm, s->n_in, s->n_out);
                m->n_custom++;
            } else {
                if (m->g->nodes[ni].op < 0)
                    return err_set(RV_EUNSUPPORTED, "module: step %u '%s': fallback operator '%s' is not in "
                                   "this runtime", i, nm, op);
                const op_info *oi = &op_table[m->g->nodes[ni].op];
                if ((int)s->n_in < oi->min_in || (int)s->n_in > oi->max_in || (int)s->n_out < oi->min_out ||
                    (int)s->n_out > oi->max_out)
                    return err_set(RV_EFORMAT, "module: step %u '%s': %u inputs / %u outputs for %s", i, nm,
                                   s->n_in, s->n_out, op);
                for (int k = 0; k < oi->min_in; k++)
                    if (m->args[s->args_off + (uint32_t)k] == MOD_NO_TENSOR)
                        return err_set(RV_EFORMAT, "module: step %u '%s': required input %d of %s is omitted",
                                       i, nm, k, op);
            }
            int rc = decode_attrs(m, i, s, ni);
            if (rc)
                return rc;
            m->step_node[i] = ni;
        } else {
            return err_set(RV_EFORMAT, "module: step %u '%s': unknown kind %u", i, nm, s->kind);
        }
    }
    return 0;
}

int module_load(void *buf, size_t len, const rv_limits *lim_in, rvv_module **out)
{
    const rv_limits *lim = limits_or_default(lim_in);
    *out = NULL;
    rvv_module *m = mem_calloc(1, sizeof *m);
    if (!m) {
        mem_free(buf);
        return err_set(RV_ENOMEM, "out of memory loading a module");
    }
    m->buf = buf;
    m->len = len;
    arena_init(&m->a);
    int rc = len > lim->max_file_bytes
                 ? err_set(RV_ELIMIT, "module: %zu bytes exceed the limit max_file_bytes (%llu)", len,
                           (unsigned long long)lim->max_file_bytes)
                 : check_headers(m, lim);
    if (!rc) {
        const mod_header *h = m->hdr;
        m->input_tensor = arena_alloc_array(&m->a, h->n_inputs + 1, sizeof(int));
        m->output_tensor = arena_alloc_array(&m->a, h->n_outputs + 1, sizeof(int));
        m->step_node = arena_alloc_array(&m->a, (size_t)h->n_steps + 1, sizeof(int));
        m->g = ir_graph_new(&m->a, NULL);
        if (!m->input_tensor || !m->output_tensor || !m->step_node || !m->g)
            rc = err_set(RV_ENOMEM, "out of memory loading a module");
    }
    if (!rc) {
        m->g->opset = (int)m->hdr->opset;
        for (uint32_t i = 0; i < m->hdr->n_inputs; i++)
            m->input_tensor[i] = -1;
        for (uint32_t i = 0; i < m->hdr->n_outputs; i++)
            m->output_tensor[i] = -1;
        for (uint32_t i = 0; !rc && i < m->hdr->n_tensors; i++)
            rc = check_tensor(m, i, &m->tensors[i], lim);
        for (uint32_t i = 0; !rc && i < m->hdr->n_inputs; i++)
            if (m->input_tensor[i] < 0)
                rc = err_set(RV_EFORMAT, "module: input %u has no tensor", i);
        for (uint32_t i = 0; !rc && i < m->hdr->n_outputs; i++)
            if (m->output_tensor[i] < 0)
                rc = err_set(RV_EFORMAT, "module: output %u has no tensor", i);
    }
    if (!rc)
        rc = check_steps(m);
    if (rc) {
        module_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int module_load_copy(const void *buf, size_t len, const rv_limits *lim, rvv_module **out)
{
    *out = NULL;
    void *copy = mem_alloc(len ? len : 1);
    if (!copy)
        return err_set(RV_ENOMEM, "out of memory copying a %zu-byte module", len);
    if (len)
        memcpy(copy, buf, len);
    return module_load(copy, len, lim, out);
}

int module_load_file(const char *path, const rv_limits *lim, rvv_module **out)
{
    void *buf;
    size_t len;
    int rc = file_read_all(path, limits_or_default(lim)->max_file_bytes, &buf, &len);
    if (rc)
        return rc;
    rc = module_load(buf, len, lim, out);
    return rc ? err_wrap(rc, "%s", path) : 0;
}

void module_free(rvv_module *m)
{
    if (!m)
        return;
    if (m->g)
        ir_graph_release(m->g);
    arena_release(&m->a);
    mem_free(m->buf);
    mem_free(m);
}
