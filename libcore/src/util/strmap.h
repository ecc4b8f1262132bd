/* strmap.h - string -> int map (open addressing, FNV-1a) for value and
 * node names. Keys are not copied: they must outlive the map (they live
 * in the same arena as the graph). */
#ifndef RVVNN_STRMAP_H
#define RVVNN_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap {
    const char **keys;
    int *vals;
    size_t cap, len;
} strmap;

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

void strmap_init(strmap *m);
void strmap_free(strmap *m);
/* 0, or RV_ENOMEM. Replaces an existing key's value. */
int strmap_put(strmap *m, const char *key, int val);
/* The value, or -1 when absent. */
int strmap_get(const strmap *m, const char *key);

#endif
