/* mem.h - the library's only allocation entry points, and arenas.
 *
 * All heap memory goes through mem_alloc/mem_realloc/mem_free so a test
 * can make the N-th allocation fail (mem_fail_at) and check that every
 * path returns RV_ENOMEM without crashing or leaking. An arena is a list
 * of chunks freed together: one per imported model, one per compile. */
#ifndef RVVNN_MEM_H
#define RVVNN_MEM_H

#include <stddef.h>
#include <stdint.h>

void *mem_alloc(size_t n);          /* NULL on failure, never aborts */
void *mem_calloc(size_t n, size_t size); /* overflow-checked */
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);

/* Test hook: the n-th allocation from now fails (1 = the next); 0 turns
 * injection off. Returns how many allocations happened since the last call.
 * Process-global on purpose: it exists for the fault-injection tests only. */
uint64_t mem_fail_at(uint64_t n);

/* What mem_alloc'd memory is live now and at most since the last
 * mem_peak_reset (bytes as malloc rounds them), and how many blocks are
 * not yet freed. Process-global; the hostile-input tests measure peak
 * memory against file size with it and the fault sweep checks that an
 * operation that failed left live_blocks where it found them. */
typedef struct mem_usage {
    int64_t live_bytes, peak_bytes, live_blocks;
} mem_usage;
void mem_usage_get(mem_usage *u);
void mem_peak_reset(void);

typedef struct arena_chunk arena_chunk;
typedef struct arena {
    arena_chunk *head;
    size_t used_bytes;  /* sum of requests, for reports and limits */
    size_t limit_bytes; /* 0 = unlimited; past it allocations fail */
} arena;

void arena_init(arena *a);
void arena_release(arena *a);
/* 16-byte aligned zeroed memory; NULL on failure or limit. */
void *arena_alloc(arena *a, size_t n);
void *arena_alloc_array(arena *a, size_t count, size_t size);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
void *arena_memdup(arena *a, const void *p, size_t n);

/* Overflow-checked size arithmetic; return 0 on overflow. */
static inline int size_mul(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline int size_add(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

#endif
