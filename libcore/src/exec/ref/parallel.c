/* parallel.c - the one place the reference executor runs threads.
 *
 * Every kernel that parallelises calls ref_parallel_for; keeping the
 * thread pool here keeps thread-count policy and determinism in one
 * file. The chunking never changes what an index computes, only who
 * computes it.
 *
 * The pool is our own (pthreads) rather than an OpenMP parallel for:
 * libgomp's idle threads spin for up to GOMP_SPINCOUNT iterations (tens
 * of ms) after each region unless OMP_WAIT_POLICY=passive was set before
 * the library loaded, and on a machine whose cores other processes hold
 * that spinning takes the core from the thread with the real work (a
 * 2-thread MobileNetV2 ran 14x slower than at 1 thread). Here an idle
 * waiter spins for POOL_HOT_NS, then yields its core to any other
 * runnable thread between checks, and after POOL_SPIN_NS sleeps on a
 * condition variable (see spin_step).
 * OpenMP (when built with it) only gives the default thread count
 * (omp_get_max_threads: OMP_NUM_THREADS, else the CPUs). */
#include "ref.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
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
    return ref_threads ? ref_threads : 1;
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

/* --- the worker pool ---
 * One pool per process, used by one ref_parallel_for at a time: a loop
 * that finds it busy (another thread's session, or a loop nested in a
 * chunk) runs on its calling thread alone, which gives the same bits.
 * A loop publishes its job under the lock and bumps `gen`; workers join
 * (active++), take chunks from the shared counter until none are left,
 * and leave; the caller takes chunks too, then closes the job (no more
 * joining) and waits until active is 0, so the job never outlives its
 * stack frame. */
#define POOL_MAX 64                 /* workers at most (threads - 1) */
#define POOL_HOT_NS 10000           /* plain spin of an idle waiter... */
#define POOL_SPIN_NS 2000000        /* ...then yielding, before it sleeps */

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    atomic_uint_fast64_t gen;       /* bumped per published job */
    const chunk_job *job;           /* under mu; NULL when closed */
    atomic_int_fast64_t next;       /* next chunk to take */
    atomic_int active;              /* workers inside the job (join under mu) */
    int sleepers;                   /* workers waiting on wake (under mu) */
    int waiting;                    /* the caller waits on done (under mu) */
    int n_workers;
    atomic_flag busy;
} pool;

static pool the_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
                        0, NULL, 0, 0, 0, 0, 0, ATOMIC_FLAG_INIT};

static void take_chunks(pool *p, const chunk_job *j)
{
    for (;;) {
        int64_t c = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (c >= j->chunks)
            return;
        run_chunk(j, c);
    }
}

/* A spin-wait hint (x86 pause), else nothing. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* One step of a bounded wait: plain spinning for POOL_HOT_NS (a next
 * job or a last chunk usually comes that soon), then yielding the core
 * to any other runnable thread between checks - on a machine whose cores
 * other processes hold, a spinning waiter would otherwise take time
 * from them and from our own thread with the work - until POOL_SPIN_NS;
 * 0 once that has passed (the caller then sleeps). */
static int spin_step(int64_t *t0, int i)
{
    cpu_relax();
    if ((i & 15) != 15)
        return 1;
    int64_t t = now_ns();
    if (!*t0)
        *t0 = t;
    else if (t - *t0 > POOL_SPIN_NS)
        return 0;
    else if (t - *t0 > POOL_HOT_NS)
        sched_yield();
    return 1;
}

/* Spins until *gen differs from seen or the spin time is over. */
static void spin_for(atomic_uint_fast64_t *gen, uint64_t seen)
{
    int64_t t0 = 0;
    for (int i = 0; atomic_load_explicit(gen, memory_order_acquire) == seen && spin_step(&t0, i); i++)
        ;
}

static void *worker_main(void *arg)
{
    pool *p = arg;
    uint64_t seen = atomic_load_explicit(&p->gen, memory_order_acquire);
    for (;;) {
        spin_for(&p->gen, seen);
        pthread_mutex_lock(&p->mu);
        while (atomic_load_explicit(&p->gen, memory_order_relaxed) == seen) {
            p->sleepers++;
            pthread_cond_wait(&p->wake, &p->mu);
            p->sleepers--;
        }
        seen = atomic_load_explicit(&p->gen, memory_order_relaxed);
        const chunk_job *j = p->job;
        if (j)
            atomic_fetch_add_explicit(&p->active, 1, memory_order_relaxed);
        pthread_mutex_unlock(&p->mu);
        if (!j)
            continue; /* that job closed before this worker got to it */
        take_chunks(p, j);
        if (atomic_fetch_sub_explicit(&p->active, 1, memory_order_release) == 1) {
            pthread_mutex_lock(&p->mu);
            if (p->waiting)
                pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

/* Starts workers up to want (under busy); fewer if the system refuses. */
static void pool_grow(pool *p, int want)
{
    if (want > POOL_MAX)
        want = POOL_MAX;
    while (p->n_workers < want) {
        pthread_t t;
        pthread_attr_t at;
        if (pthread_attr_init(&at))
            return;
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &at, worker_main, p);
        pthread_attr_destroy(&at);
        if (rc)
            return;
        p->n_workers++;
    }
}

/* A forked child has the pool's memory but none of its threads. */
static void pool_atfork_child(void)
{
    pool *p = &the_pool;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    p->job = NULL;
    atomic_store(&p->active, 0);
    p->sleepers = p->waiting = p->n_workers = 0;
    atomic_flag_clear(&p->busy);
}

static void pool_atfork_init(void) { pthread_atfork(NULL, NULL, pool_atfork_child); }

/* Runs chunks [0, j->chunks) on the caller and up to threads - 1
 * workers; 0 if the pool was busy or has no workers (caller runs alone). */
static int pool_run(const chunk_job *j, int threads)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pool *p = &the_pool;
    pthread_once(&once, pool_atfork_init);
    if (atomic_flag_test_and_set_explicit(&p->busy, memory_order_acquire))
        return 0;
    pool_grow(p, threads - 1);
    if (!p->n_workers) {
        atomic_flag_clear_explicit(&p->busy, memory_order_release);
        return 0;
    }
    /* Workers beyond threads - 1 (a larger count earlier) may join too:
     * harmless, the chunk count still bounds the work in flight. */
    pthread_mutex_lock(&p->mu);
    p->job = j;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    if (p->sleepers)
        pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    take_chunks(p, j);
    pthread_mutex_lock(&p->mu);
    p->job = NULL; /* no more joining */
    pthread_mutex_unlock(&p->mu);
    /* the workers still inside finish their last chunk: spin a little
     * (the common case), then sleep; a worker that drops active to 0
     * checks `waiting` under the lock, so the wake-up is not lost */
    int64_t t0 = 0;
    for (int i = 0; atomic_load_explicit(&p->active, memory_order_acquire) && spin_step(&t0, i); i++)
        ;
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->active, memory_order_acquire)) {
        p->waiting = 1;
        pthread_cond_wait(&p->done, &p->mu);
    }
    p->waiting = 0;
    pthread_mutex_unlock(&p->mu);
    atomic_flag_clear_explicit(&p->busy, memory_order_release);
    return 1;
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
    if (threads > 1 && chunks > 1 && pool_run(&j, threads))
        return;
    for (int64_t c = 0; c < chunks; c++)
        run_chunk(&j, c);
}
