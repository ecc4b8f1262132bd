/* cache.h - the timing model's data caches: one set-associative level
 * with true LRU replacement by line, write-back and write-allocate. It
 * holds only tags (the emulator's memory is the data), so a lookup costs
 * a few compares. timing.c stacks two of them (L1 D, L2) and charges the
 * misses; docs/timing-model.md gives the sizes' sources. */
#ifndef RVVNN_EMU_CACHE_H
#define RVVNN_EMU_CACHE_H

#include <stdint.h>

typedef struct tm_cache tm_cache;

/* A level of `kib` KiB in lines of `line` bytes, `ways`-way associative
 * (the set count is rounded down to a power of two). NULL when out of
 * memory or the geometry is empty. */
tm_cache *cache_create(unsigned kib, unsigned ways, unsigned line);
void cache_free(tm_cache *c);
/* Accesses line number `line` (address / line bytes): 1 on a hit, 0 on a
 * miss, after which the line is present (the set's least recently used
 * line evicted). A write marks the line dirty. *victim gets the evicted
 * line and the result's bit 1 says it was dirty (a write-back). */
int cache_access(tm_cache *c, uint64_t line, int write, uint64_t *victim);

#endif
