/* strmap.c - open-addressing string map with linear probing. */
#include "strmap.h"
#include "mem.h"
#include "status.h"

#include <string.h>

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

void strmap_init(strmap *m) { memset(m, 0, sizeof *m); }

void strmap_free(strmap *m)
{
    mem_free(m->keys);
    mem_free(m->vals);
    strmap_init(m);
}

static size_t strmap_slot(const strmap *m, const char *key)
{
    size_t i = (size_t)hash_bytes(key, strlen(key), 0) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int strmap_grow(strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    const char **keys = mem_calloc(cap, sizeof *keys);
    int *vals = mem_calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        mem_free(keys);
        mem_free(vals);
        return err_set(RV_ENOMEM, "out of memory growing a name table to %zu entries", cap);
    }
    strmap old = *m;
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i]) {
            size_t s = strmap_slot(m, old.keys[i]);
            m->keys[s] = old.keys[i];
            m->vals[s] = old.vals[i];
        }
    mem_free(old.keys);
    mem_free(old.vals);
    return 0;
}

int strmap_put(strmap *m, const char *key, int val)
{
    if ((m->len + 1) * 2 > m->cap) {
        int rc = strmap_grow(m);
        if (rc)
            return rc;
    }
    size_t s = strmap_slot(m, key);
    if (!m->keys[s]) {
        m->keys[s] = key;
        m->len++;
    }
    m->vals[s] = val;
    return 0;
}

int strmap_get(const strmap *m, const char *key)
{
    if (!m->cap)
        return -1;
    size_t s = strmap_slot(m, key);
    return m->keys[s] ? m->vals[s] : -1;
}
