/* parallel.c - the one place the reference executor uses OpenMP.
 *
 * Every kernel that parallelises calls ref_parallel_for; keeping the
 * pragma here keeps thread-count policy and determinism in one file. The
 * chunking never changes what an index computes, only who computes it. */
#include "ref.h"

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

void ref_parallel_for(int64_t n, int64_t grain, void (*fn)(void *arg, int64_t begin, int64_t end),
                      void *arg)
{
    if (n <= 0)
        return;
    if (grain < 1)
        grain = 1;
    int threads = ref_get_threads();
    int64_t chunks = n / grain;
    if (chunks > (int64_t)threads * 4)
        chunks = (int64_t)threads * 4;
    if (threads <= 1 || chunks <= 1) {
        fn(arg, 0, n);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t c = 0; c < chunks; c++)
        fn(arg, n * c / chunks, n * (c + 1) / chunks);
#else
    fn(arg, 0, n);
#endif
}
