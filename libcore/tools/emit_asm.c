/* emit_asm.c - module code as GNU-as text (rvvnn compile --emit=asm) and
 * in objdump's layout (rvvnn disasm).
 *
 * The .s file holds the CODE section: one global symbol per RVV step
 * (rvvnn_step_<i>, with the node and op in a comment), 16-byte alignment
 * filled with zero bytes exactly like the module, and local labels for
 * branch targets. riscv64-linux-gnu-as -march=rv64gcv assembles it to
 * the same bytes as the module's CODE section (tested). */
#include "cli.h"
#include "codegen/disasm.h"
#include "module/module.h"
#include "util/mem.h"
#include "util/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names come from untrusted models: keep them on one comment line. */
static const char *clean(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[i] = 0;
    return buf;
}

static int is_target(const uint8_t *marks, uint64_t a, uint64_t n) { return a < n && marks[a / 4]; }

int emit_code_text(const rvv_module *m, FILE *f, int as_source)
{
    uint64_t size = m->hdr->sec[SEC_CODE].size;
    uint8_t *marks = calloc(size / 4 + 1, 1);
    char line[160], nm[128], op[64];
    if (!marks)
        return err_set(RV_ENOMEM, "out of memory");
    /* first pass: branch targets become labels */
    for (uint64_t a = 0; a + 4 <= size; a += 4) {
        uint32_t w;
        uint64_t t;
        memcpy(&w, m->code + a, 4);
        disasm_word(w, a, ".L", line, sizeof line, &t);
        if (t < size)
            marks[t / 4] = 1;
    }
    if (as_source)
        fprintf(f, "# rvvnn module code: %s, %s\n\t.option norvc\n\t.option norelax\n\t.attribute arch, "
                   "\"rv64i2p1_m2p0_a2p1_f2p2_d2p2_v1p0\"\n\t.text\n",
                module_str(m, m->hdr->march), m->hdr->vlen ? "fixed VLEN" : "vector-length agnostic");
    uint64_t pos = 0;
    for (uint32_t si = 0; si < m->hdr->n_steps; si++) {
        const mod_step *st = &m->steps[si];
        if (st->kind != MOD_STEP_RVV)
            continue;
        if (as_source) {
            if (st->code_off > pos)
                fprintf(f, "\t.balign 16, 0\n");
            fprintf(f, "\n# step %u: node '%s' (%s)\n\t.globl rvvnn_step_%u\n\t.type rvvnn_step_%u, @function\n"
                       "rvvnn_step_%u:\n", si, clean(module_str(m, st->name), nm, sizeof nm),
                    clean(module_str(m, st->op), op, sizeof op), si, si, si);
        } else {
            fprintf(f, "\n%016llx <step %u: %s (%s)>:\n", (unsigned long long)st->code_off, si,
                    clean(module_str(m, st->name), nm, sizeof nm), clean(module_str(m, st->op), op, sizeof op));
        }
        for (uint64_t a = st->code_off; a + 4 <= st->code_off + st->code_size; a += 4) {
            uint32_t w;
            uint64_t t;
            memcpy(&w, m->code + a, 4);
            disasm_word(w, a, ".L", line, sizeof line, &t);
            if (as_source) {
                if (is_target(marks, a, size))
                    fprintf(f, ".L%llx:\n", (unsigned long long)a);
                fprintf(f, "\t%s\n", line);
            } else {
                fprintf(f, "%8llx:\t%08x\t%s\n", (unsigned long long)a, w, line);
            }
        }
        if (as_source)
            fprintf(f, "\t.size rvvnn_step_%u, .-rvvnn_step_%u\n", si, si);
        pos = st->code_off + st->code_size;
    }
    free(marks);
    return 0;
}

/* --emit=asm: text into path, atomically. */
int emit_module_asm(const void *buf, size_t len, const char *path)
{
    rvv_module *m;
    int rc = module_load_copy(buf, len, &cli_limits, &m);
    if (rc)
        return rc;
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    if (!f) {
        module_free(m);
        return err_set(RV_ENOMEM, "out of memory");
    }
    rc = emit_code_text(m, f, 1);
    fclose(f);
    if (!rc)
        rc = file_write_atomic(path, text, tlen);
    free(text);
    module_free(m);
    return rc;
}

static const char disasm_help[] =
    "usage: rvvnn disasm MODULE.rvvmod\n"
    "\n"
    "Prints the module's RVV code in objdump's layout (offset, word, instruction),\n"
    "one block per RVV step labelled with its node and op.\n";

int cmd_disasm(int argc, char **argv)
{
    int lr;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(disasm_help, stdout);
            cli_limits_help(stdout);
            return EXIT_OK;
        } else if ((lr = cli_limit_opt("disasm", argc, argv, &i))) {
            if (lr < 0)
                return EXIT_ERROR;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("disasm", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error("disasm", "more than one file given");
        }
    }
    if (!path)
        return cli_usage_error("disasm", "no module given");
    rvv_module *m;
    int rc = module_load_file(path, &cli_limits, &m);
    if (rc)
        return cli_error("disasm", rc);
    printf("%s:\tfile format rvvmod (%s)\n", path, module_str(m, m->hdr->march));
    rc = emit_code_text(m, stdout, 0);
    module_free(m);
    return rc ? cli_error("disasm", rc) : EXIT_OK;
}
