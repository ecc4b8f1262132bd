/* replay.c - main() for a harness built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once per file of each directory (or file)
 * given, in name order, and prints how many it ran. A crash, hang or
 * sanitizer report is the test failing (the file being replayed is
 * named on stderr when that happens); the harness decides the rest.
 * make check runs every harness over its committed corpus and
 * regression files this way. */
#include "fuzz.h"
#include "util/npy.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char current[4096];

/* Names the input that crashed: from a signal handler (plain builds)
 * or the sanitizers' death callback, so only write(2). */
static void say_current(void)
{
    static const char pre[] = "replay: crashed on ";
    if (write(2, pre, sizeof pre - 1) < 0 || write(2, current, strlen(current)) < 0 ||
        write(2, "\n", 1) < 0)
        return;
}

static void on_signal(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static int replay_file(const char *path)
{
    void *buf;
    size_t len;
    if (file_read_all(path, (size_t)1 << 30, &buf, &len)) {
        fprintf(stderr, "replay: %s\n", err_message());
        return -1;
    }
    snprintf(current, sizeof current, "%s", path);
    LLVMFuzzerTestOneInput(buf, len);
    mem_free(buf);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    long n = 0;
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(say_current);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGILL, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGABRT, on_signal);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: not found\n", argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[i]))
                return 2;
            n++;
            continue;
        }
        struct dirent **ents;
        int k = scandir(argv[i], &ents, NULL, by_name);
        if (k < 0) {
            fprintf(stderr, "replay: %s: cannot list\n", argv[i]);
            return 2;
        }
        for (int j = 0; j < k; j++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], ents[j]->d_name);
            if (ents[j]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (replay_file(path))
                    return 2;
                n++;
            }
            free(ents[j]);
        }
        free(ents);
    }
    printf("replayed %ld inputs\n", n);
    return 0;
}
