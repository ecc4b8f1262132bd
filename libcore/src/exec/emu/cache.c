/* cache.c - cache.h's set-associative LRU tag store. Each set keeps its
 * ways in recency order (most recent first), so a hit moves one entry to
 * the front and a miss drops the last; with 4 to 16 ways that is cheaper
 * than age counters. A tag is the line number + 1 (0: empty way), its
 * top bit the dirty flag. */
#include "cache.h"
#include "../../util/mem.h"


#define DIRTY (1ull << 63)

struct tm_cache {
    unsigned ways, set_mask;
    uint64_t *tag; /* sets x ways */
};

tm_cache *cache_create(unsigned kib, unsigned ways, unsigned line)
{
    if (!kib || !ways || !line)
        return NULL;
    uint64_t lines = (uint64_t)kib * 1024 / line, sets = 1;
    while (sets * 2 * ways <= lines)
        sets *= 2;
    tm_cache *c = mem_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ways = ways;
    c->set_mask = (unsigned)sets - 1;
    c->tag = mem_calloc(sets * ways, sizeof *c->tag);
    if (!c->tag) {
        mem_free(c);
        return NULL;
    }
    return c;
}

void cache_free(tm_cache *c)
{
    if (c)
        mem_free(c->tag);
    mem_free(c);
}

int cache_access(tm_cache *c, uint64_t line, int write, uint64_t *victim)
{
    uint64_t *set = c->tag + (size_t)(line & c->set_mask) * c->ways, want = line + 1;
    if ((set[0] & ~DIRTY) == want) { /* the most recent way: nothing moves */
        set[0] |= write ? DIRTY : 0;
        return 1;
    }
    unsigned w = 1;
    while (w < c->ways && (set[w] & ~DIRTY) != want)
        w++;
    int hit = w < c->ways, rc = hit;
    uint64_t entry = hit ? set[w] : want;
    if (!hit) { /* the last way is the least recently used: evict it */
        w = c->ways - 1;
        if (set[w] & DIRTY)
            rc |= 2;
        *victim = (set[w] & ~DIRTY) - 1;
    }
    for (; w > 0; w--) /* a few ways: a plain loop beats a memmove call */
        set[w] = set[w - 1];
    set[0] = entry | (write ? DIRTY : 0);
    return rc;
}
