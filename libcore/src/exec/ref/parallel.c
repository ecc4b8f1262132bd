/* parallel.c - the one place the reference executor uses OpenMP.
 *
 * Every kernel that parallelises calls ref_parallel_for; keeping the
 * pragma here keeps thread-count policy and determinism in one file. The
 * chunking never changes what an index computes, only who computes it. */
#include "ref.h"

#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Per calling thread: two sessions on two threads may differ. */
static _Thread_local int ref_threads;

void ref_set_threads(int threads) { ref_threads = threads > 0 ? threads : 0; }

int ref_get_threads(void)
{
#ifdef _OPENMP
    return ref_threads ? ref_threads : omp_get_max_threads();
#else
    return 1;
#endif
}

static _Thread_local ref_deadline step_deadline;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

ref_deadline ref_step_begin(uint64_t ms)
{
    ref_deadline saved = step_deadline;
    if (ms) {
        int64_t at = now_ns() + (ms > INT64_MAX / 2000000 ? INT64_MAX / 2 : (int64_t)ms * 1000000);
        if (!step_deadline.at_ns || at < step_deadline.at_ns)
            step_deadline.at_ns = at;
    }
    step_deadline.expired = 0;
    return saved;
}

int ref_step_end(ref_deadline saved)
{
    int expired = step_deadline.expired || (step_deadline.at_ns && now_ns() > step_deadline.at_ns);
    step_deadline = saved; /* an enclosing step checks its own (earlier or equal) deadline */
    return expired;
}

int ref_step_expired(void)
{
    if (!step_deadline.expired && step_deadline.at_ns && now_ns() > step_deadline.at_ns)
        step_deadline.expired = 1;
    return step_deadline.expired;
}

/* Chunks run in any order; each one checks the deadline first, so with
 * a deadline set the loop is cut into enough chunks to stop soon. */
typedef struct chunk_job {
    int64_t n, chunks, at_ns;
    volatile int *expired;
    void (*fn)(void *, int64_t, int64_t);
    void *arg;
} chunk_job;

static void run_chunk(const chunk_job *j, int64_t c)
{
    if (j->at_ns && (*j->expired || now_ns() > j->at_ns)) {
        *j->expired = 1;
        return;
    }
    j->fn(j->arg, j->n * c / j->chunks, j->n * (c + 1) / j->chunks);
}

void ref_parallel_for(int64_t n, int64_t grain, void (*fn)(void *arg, int64_t begin, int64_t end),
                      void *arg)
{
    if (n <= 0)
        return;
    if (grain < 1)
        grain = 1;
    int threads = ref_get_threads();
    int64_t chunks = n / grain;
    int64_t most = step_deadline.at_ns ? (int64_t)threads * 64 : threads <= 1 ? 1 : (int64_t)threads * 4;
    if (chunks > most)
        chunks = most;
    if (chunks < 1)
        chunks = 1;
    chunk_job j = {n, chunks, step_deadline.at_ns, &step_deadline.expired, fn, arg};
    if (threads <= 1 || chunks <= 1) {
        for (int64_t c = 0; c < chunks; c++)
            run_chunk(&j, c);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t c = 0; c < chunks; c++)
        run_chunk(&j, c);
#else
    for (int64_t c = 0; c < chunks; c++)
        run_chunk(&j, c);
#endif
}
