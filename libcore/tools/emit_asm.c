/* emit_asm.c - module code as GNU-as text (rvvnn compile --emit=asm).
 *
 * The .s file holds the CODE section: one global symbol per RVV step
 * (rvvnn_step_<i>, with the node and op in a comment), 16-byte alignment
 * filled with zero bytes exactly like the module, and local labels for
 * branch targets. riscv64-linux-gnu-as -march=rv64gcv assembles it to
 * the same bytes as the module's CODE section (tested). */
#include "cli.h"
#include "isa/isa.h"
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

/* Writes m's CODE section into f as GNU as source. */
static int module_code_text(const rvv_module *m, FILE *f)
{
    uint64_t size = m->hdr->sec[SEC_CODE].size;
    uint8_t *marks = calloc(size / 4 + 1, 1);
    char line[160], nm[128], op[64];
    if (!marks)
        return err_set(RV_ENOMEM, "out of memory");
    /* first pass: branch targets become labels */
    for (uint64_t a = 0; a + 4 <= size; a += 4) {
        uint32_t w;
        isa_inst in;
        memcpy(&w, m->code + a, 4);
        isa_decode(w, &in);
        uint64_t t = isa_target(&in, a);
        if (t < size && t % 4 == 0)
            marks[t / 4] = 1;
    }
    fprintf(f, "# rvvnn module code: %s, %s\n\t.option norvc\n\t.option norelax\n\t.attribute arch, "
               "\"rv64i2p1_m2p0_a2p1_f2p2_d2p2_v1p0\"\n\t.text\n",
            module_str(m, m->hdr->march), m->hdr->vlen ? "fixed VLEN" : "vector-length agnostic");
    uint64_t pos = 0;
    for (uint32_t si = 0; si < m->hdr->n_steps; si++) {
        const mod_step *st = &m->steps[si];
        if (st->kind != MOD_STEP_RVV)
            continue;
        if (st->code_off > pos)
            fprintf(f, "\t.balign 16, 0\n");
        fprintf(f, "\n# step %u: node '%s' (%s)\n\t.globl rvvnn_step_%u\n\t.type rvvnn_step_%u, @function\n"
                   "rvvnn_step_%u:\n", si, clean(module_str(m, st->name), nm, sizeof nm),
                clean(module_str(m, st->op), op, sizeof op), si, si, si);
        for (uint64_t a = st->code_off; a + 4 <= st->code_off + st->code_size; a += 4) {
            uint32_t w;
            isa_inst in;
            memcpy(&w, m->code + a, 4);
            if (isa_decode(w, &in) != 4) /* module code is 32-bit words only */
                in = (isa_inst){.id = ISA_INVALID, .word = w, .len = 4};
            isa_print(&in, a, &(isa_style){ISA_GAS, ".L", NULL, NULL}, line, sizeof line);
            if (is_target(marks, a, size))
                fprintf(f, ".L%llx:\n", (unsigned long long)a);
            fprintf(f, "\t%s\n", line);
        }
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
    rc = module_code_text(m, f);
    fclose(f);
    if (!rc)
        rc = file_write_atomic(path, text, tlen);
    free(text);
    module_free(m);
    return rc;
}

int emit_code_text(const rvv_module *m, FILE *f, int as_source)
{
    return as_source ? module_code_text(m, f) : disasm_module_text(m, f);
}
