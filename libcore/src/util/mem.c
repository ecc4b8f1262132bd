/* mem.c - allocation with fault injection and usage counters, and
 * chunked arenas. */
#include "mem.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Atomic because API sessions allocate from many threads at once (the
 * counter exists for fault injection, but every allocation touches it);
 * relaxed order is enough: it only counts. */
static _Atomic uint64_t mem_count;
static _Atomic uint64_t mem_fail_target;

uint64_t mem_fail_at(uint64_t n)
{
    uint64_t c = atomic_exchange_explicit(&mem_count, 0, memory_order_relaxed);
    atomic_store_explicit(&mem_fail_target, n, memory_order_relaxed);
    return c;
}

static int mem_should_fail(void)
{
    uint64_t c = atomic_fetch_add_explicit(&mem_count, 1, memory_order_relaxed) + 1;
    uint64_t t = atomic_load_explicit(&mem_fail_target, memory_order_relaxed);
    return t && c == t;
}

/* Live bytes count what malloc really handed out (malloc_usable_size),
 * so frees need no size header and the figure includes malloc's
 * rounding; blocks count allocations not yet freed (leak checks). */
static _Atomic int64_t mem_live, mem_peak, mem_blocks;

static void *mem_account(void *p)
{
    if (!p)
        return NULL;
    int64_t n = (int64_t)malloc_usable_size(p);
    int64_t live = atomic_fetch_add_explicit(&mem_live, n, memory_order_relaxed) + n;
    atomic_fetch_add_explicit(&mem_blocks, 1, memory_order_relaxed);
    int64_t peak = atomic_load_explicit(&mem_peak, memory_order_relaxed);
    while (live > peak &&
           !atomic_compare_exchange_weak_explicit(&mem_peak, &peak, live, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
    return p;
}

static void mem_unaccount(void *p)
{
    if (!p)
        return;
    atomic_fetch_sub_explicit(&mem_live, (int64_t)malloc_usable_size(p), memory_order_relaxed);
    atomic_fetch_sub_explicit(&mem_blocks, 1, memory_order_relaxed);
}

void mem_usage_get(mem_usage *u)
{
    u->live_bytes = atomic_load_explicit(&mem_live, memory_order_relaxed);
    u->peak_bytes = atomic_load_explicit(&mem_peak, memory_order_relaxed);
    u->live_blocks = atomic_load_explicit(&mem_blocks, memory_order_relaxed);
}

void mem_peak_reset(void)
{
    atomic_store_explicit(&mem_peak, atomic_load_explicit(&mem_live, memory_order_relaxed),
                          memory_order_relaxed);
}

void *mem_alloc(size_t n)
{
    if (mem_should_fail())
        return NULL;
    return mem_account(malloc(n ? n : 1));
}

void *mem_calloc(size_t n, size_t size)
{
    size_t total;
    if (!size_mul(n, size, &total) || mem_should_fail())
        return NULL;
    return mem_account(calloc(total ? total : 1, 1));
}

void *mem_realloc(void *p, size_t n)
{
    if (mem_should_fail())
        return NULL;
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n ? n : 1);
    if (!q)
        return NULL;
    if (p) { /* the old block is gone either way: count the move as free + alloc */
        atomic_fetch_sub_explicit(&mem_live, (int64_t)old, memory_order_relaxed);
        atomic_fetch_sub_explicit(&mem_blocks, 1, memory_order_relaxed);
    }
    return mem_account(q);
}

void mem_free(void *p)
{
    mem_unaccount(p);
    free(p);
}

#define ARENA_ALIGN 16
#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
    arena_chunk *next;
    size_t cap, used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena_init(arena *a) { memset(a, 0, sizeof *a); }

void arena_release(arena *a)
{
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *next = c->next;
        mem_free(c);
        c = next;
    }
    a->head = NULL;
    a->used_bytes = 0;
}

void *arena_alloc(arena *a, size_t n)
{
    size_t need, total;
    if (!size_add(n, ARENA_ALIGN - 1, &need))
        return NULL;
    need &= ~(size_t)(ARENA_ALIGN - 1);
    if (a->limit_bytes && (a->used_bytes > a->limit_bytes || need > a->limit_bytes - a->used_bytes))
        return NULL;
    arena_chunk *c = a->head;
    int zeroed = 0;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;
        if (!size_add(sizeof *c, cap, &total))
            return NULL;
        /* calloc hands out big blocks as fresh zero pages: no memset pass
         * over (say) a model's weights that are about to be copied in */
        zeroed = need > ARENA_CHUNK;
        c = zeroed ? mem_calloc(1, total) : mem_alloc(total);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        /* A big one-off block goes behind the head so the head's free
         * space stays usable for the small allocations that follow. */
        if (a->head && need > ARENA_CHUNK) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used_bytes += need;
    if (!zeroed)
        memset(p, 0, need);
    return p;
}

void *arena_alloc_array(arena *a, size_t count, size_t size)
{
    size_t n;
    if (!size_mul(count, size, &n))
        return NULL;
    return arena_alloc(a, n);
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = n < SIZE_MAX ? arena_alloc(a, n + 1) : NULL;
    if (p) {
        if (n) /* s may be NULL when n is 0 (an empty protobuf string) */
            memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

void *arena_memdup(arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n);
    if (q && n)
        memcpy(q, p, n);
    return q;
}
