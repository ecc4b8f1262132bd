/* check.h - the tiny assertion layer the C tests share. A failed CHECK
 * prints file:line and the expression, counts the failure and continues;
 * check_done() prints "N passed, N failed" and gives the exit code. */
#ifndef RVVNN_TEST_CHECK_H
#define RVVNN_TEST_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_pass_count, check_fail_count;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            check_pass_count++;                                                        \
        } else {                                                                       \
            check_fail_count++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_MSG(cond, ...)                                                           \
    do {                                                                               \
        if (cond) {                                                                    \
            check_pass_count++;                                                        \
        } else {                                                                       \
            check_fail_count++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
        }                                                                              \
    } while (0)

/* |got - want| <= atol + rtol * |want| : the tolerance is part of every
 * numeric assertion. */
#define CHECK_CLOSE(got, want, atol, rtol)                                             \
    CHECK_MSG(fabs((double)(got) - (double)(want)) <= (atol) + (rtol) * fabs((double)(want)), \
              "got %.9g want %.9g (atol %g rtol %g)", (double)(got), (double)(want),    \
              (double)(atol), (double)(rtol))

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_pass_count, check_fail_count);
    return check_fail_count ? 1 : 0;
}

#endif
