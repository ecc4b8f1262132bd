/* cli.h - what the rvvnn subcommands share: option parsing helpers,
 * tensor arguments in IREE's syntax, output comparison, exit codes.
 *
 * Exit codes (documented in README and `rvvnn --help`):
 *   0 success; 1 results differ from --expected_output (or a check
 *   diverged); 2 any error: bad usage, unreadable or malformed input,
 *   unsupported model, limits hit, target mismatch. */
#ifndef RVVNN_CLI_H
#define RVVNN_CLI_H

#include "util/limits.h"
#include "util/status.h"
#include "util/tensor.h"

#include <stddef.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_MISMATCH = 1, EXIT_ERROR = 2 };

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

/* "--name=value" or "--name value": returns value and advances *i, or
 * NULL when argv[*i] is not that option. */
const char *cli_opt(int argc, char **argv, int *i, const char *name);
int cli_flag(const char *arg, const char *name); /* exact "--name" */
/* Prints "rvvnn <cmd>: error: <message>" (and the library's last error). */
int cli_error(const char *cmd, int status);
int cli_usage_error(const char *cmd, const char *fmt, ...) RV_PRINTF(2, 3);

/* The limits on untrusted input every subcommand applies (util/limits.def),
 * set by --max-file-bytes=N ... (K/M/G suffixes: KiB, MiB, GiB). */
extern rv_limits cli_limits;
/* argv[*i] is a limit flag: 1 (consumed, *i advanced past a separate
 * value), -1 with a usage error printed for a bad value, 0 otherwise. */
int cli_limit_opt(const char *cmd, int argc, char **argv, int *i);
/* The limit flags, their defaults and what they bound, for --help. */
void cli_limits_help(FILE *f);

/* Parses one --input value:  [SHAPEx]TYPE=@file.npy | @file.npy | @file.pb |
 * SHAPExTYPE=v1,v2,... | SHAPExTYPE (zeros) ; out->data is mem_alloc'd. */
int cli_parse_tensor(const char *spec, tensor *out);
/* Writes t to path by extension (.npy, .pb is not written), atomically. */
int cli_write_tensor(const char *path, const tensor *t);
/* Prints a short human summary of t (shape, dtype, first values). */
void cli_print_tensor(const char *name, const tensor *t);

/* Compares got with want: |got-want| <= atol + rtol*|want| per element
 * (integers and bools exactly; NaN equals NaN). Prints the worst element
 * (index, got, expected, abs and relative error) when verbose or on
 * mismatch. Returns 0 if within tolerance, 1 if not, <0 on error. */
int cli_compare(const char *name, const tensor *got, const tensor *want, double atol, double rtol,
                int verbose);

/* Writes the text for m's CODE section into f (as_source = 1: GNU as
 * source that assembles to the same bytes; 0: objdump-style listing). */
struct rvv_module;

/* "2x128" -> dims; returns rank or <0. */
int cli_parse_dims(const char *s, size_t n, int64_t *dims);

double cli_now_ms(void);
/* Writes s as a JSON string literal (quotes, escapes) to f. */
void cli_json_str(FILE *f, const char *s);

/* m's RVV code as text: GNU as source (as_source) or objdump's layout
 * with one labelled block per RVV step (rvvnn disasm). */
int emit_code_text(const struct rvv_module *m, FILE *f, int as_source);
int disasm_module_text(const struct rvv_module *m, FILE *f);

#endif
