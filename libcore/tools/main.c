/* main.c - the rvvnn command line: a table of subcommands, each in its
 * own cmd_<name>.c file, plus --help and --version. */
#include "cli.h"
#include "rvvnn_version.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_bench(int argc, char **argv);

static const cli_command commands[] = {
    {"compile", cmd_compile, "compile an ONNX model to an RVV module (.rvvmod)"},
    {"run", cmd_run, "run a model on the reference executor and check its outputs"},
    {"bench", cmd_bench, "model a module's cycles per step on a RISC-V core (built-in emulator)"},
    {"check", cmd_check, "run a model's module at several VLENs and find the first diverging node"},
    {"disasm", cmd_disasm, "disassemble an ELF object, a module or raw code (objdump layout)"},
    {"inspect", cmd_inspect, "show a compiled module's target, I/O and steps (RVV or fallback)"},
    {"info", cmd_info, "show a model's inputs, outputs, operators, parameters and memory plan"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: rvvnn COMMAND [options]   (rvvnn COMMAND --help for details)\n\n"
               "Compiles ONNX models to RISC-V Vector code and runs them.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nexit status: 0 ok, 1 results differ from the expected ones, 2 error\n");
    cli_limits_help(f);
}

int main(int argc, char **argv)
{
    /* A file size limit (RLIMIT_FSIZE) must fail the write with EFBIG, which
     * the atomic writer reports and cleans up, not kill the process. */
    signal(SIGXFSZ, SIG_IGN);
#ifdef __GLIBC__
    /* A compile frees and allocates model-sized blocks several times
     * (file image, unpacked protobuf, IR, module): keeping them in the
     * heap instead of a fresh mmap each time halves its CPU time. A
     * command is short-lived, so the memory going back only at exit is
     * fine. (The library itself leaves malloc alone.) */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
    if (argc < 2) {
        usage(stderr);
        return EXIT_ERROR;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("rvvnn %s\n", RVVNN_VERSION_STRING);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "rvvnn: error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_ERROR;
}
