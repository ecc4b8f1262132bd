/* test_ref_parallel.c - ref_parallel_for on the executor's own worker
 * pool (exec/ref/parallel.c): every index runs exactly once in
 * non-empty contiguous chunks for 1..4 threads; a loop nested in a chunk
 * and loops from several threads at once (the pool busy: they run on
 * their caller) still cover every index; thousands of short loops in a
 * row (the join / close / wait protocol under churn); a forked child,
 * which has the pool's memory but not its threads, still runs loops. */
#include "check.h"
#include "exec/ref/ref.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct cover {
    atomic_int *hits;
    atomic_int bad; /* a chunk outside [0, n) or empty */
    int64_t n;
    int nest;       /* each index runs an inner loop of this many */
    atomic_long inner;
} cover;

static void inner_fn(void *arg, int64_t b, int64_t e)
{
    cover *c = arg;
    atomic_fetch_add(&c->inner, (long)(e - b));
}

static void cover_fn(void *arg, int64_t b, int64_t e)
{
    cover *c = arg;
    if (b < 0 || e > c->n || b >= e)
        atomic_store(&c->bad, 1);
    for (int64_t i = b; i < e && i < c->n && i >= 0; i++) {
        atomic_fetch_add(&c->hits[i], 1);
        if (c->nest) {
            cover in = {NULL, 0, 0, 0, 0};
            ref_parallel_for(c->nest, 1, inner_fn, &in);
            atomic_fetch_add(&c->inner, atomic_load(&in.inner));
        }
    }
}

/* Runs one loop of n items; 1 if every index ran once (and every nested
 * loop covered its nest items). */
static int run_cover(int64_t n, int64_t grain, int nest)
{
    cover c = {calloc((size_t)n + 1, sizeof(atomic_int)), 0, n, nest, 0};
    if (!c.hits)
        return 0;
    ref_parallel_for(n, grain, cover_fn, &c);
    int ok = !atomic_load(&c.bad) && atomic_load(&c.inner) == (long)n * nest;
    for (int64_t i = 0; i < n; i++)
        ok &= atomic_load(&c.hits[i]) == 1;
    free(c.hits);
    return ok;
}

static void test_coverage(void)
{
    static const int64_t ns[] = {1, 2, 3, 7, 8, 9, 100, 10007};
    for (int th = 1; th <= 4; th++) {
        ref_set_threads(th);
        for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
            for (int64_t grain = 1; grain <= 3; grain += 2)
                CHECK_MSG(run_cover(ns[k], grain, 0), "threads %d n %lld grain %lld", th,
                          (long long)ns[k], (long long)grain);
        CHECK_MSG(run_cover(37, 1, 5), "nested loops, threads %d", th);
    }
    ref_set_threads(0);
}

/* Back-to-back short loops: a worker that wakes late must find its job
 * closed (or the next one), never run a finished loop's chunks. */
static void test_churn(void)
{
    ref_set_threads(3);
    int ok = 1;
    for (int r = 0; r < 5000 && ok; r++)
        ok = run_cover(1 + r % 13, 1, 0);
    CHECK_MSG(ok, "5000 short loops at 3 threads");
    ref_set_threads(0);
}

static void *caller_main(void *arg)
{
    int *ok = arg;
    ref_set_threads(2); /* per calling thread */
    *ok = 1;
    for (int r = 0; r < 300 && *ok; r++)
        *ok = run_cover(50 + r % 50, 1, r % 7 == 0 ? 3 : 0);
    return NULL;
}

static void test_concurrent_callers(void)
{
    enum { T = 4 };
    pthread_t t[T];
    int ok[T] = {0};
    int started = 0;
    for (int i = 0; i < T; i++)
        started += pthread_create(&t[i], NULL, caller_main, &ok[i]) == 0;
    CHECK(started == T);
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        CHECK_MSG(ok[i], "caller thread %d", i);
    }
}

static void test_fork_child(void)
{
    ref_set_threads(2);
    CHECK(run_cover(1000, 1, 0)); /* the parent's pool has workers now */
    pid_t pid = fork();
    if (pid == 0) {
        int ok = 1;
        for (int r = 0; r < 50 && ok; r++)
            ok = run_cover(200 + r, 1, 0);
        _exit(ok ? 0 : 3);
    }
    CHECK(pid > 0);
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    CHECK(run_cover(1000, 1, 0));
    ref_set_threads(0);
}

int main(void)
{
    test_coverage();
    test_churn();
    test_concurrent_callers();
    test_fork_child();
    return check_done();
}
