/* emit_obj.c - rvvnn compile --emit=obj: an ELF64 relocatable object and
 * a C header for bare-metal use (no libc, no malloc).
 *
 *   int <name>_run(const void *const *inputs, void *const *outputs,
 *                  const void *weights, void *arena);
 *
 * The object holds a generated driver followed by the module's RVV code
 * in .text, and the weights in .rodata (<name>_weights). The driver
 * builds each step's argument array on the stack from the four base
 * pointers and calls the step; it returns 0, or the first non-zero step
 * status (an index out of range). weights NULL means the linked-in
 * <name>_weights: the driver then takes its address pc-relatively
 * (auipc/addi with R_RISCV_PCREL_HI20/LO12_I relocations). Every step
 * must be RVV code: fallback steps need the reference kernels, which
 * live in the runtime library. */
#include "cli.h"
#include "codegen/asm.h"
#include "codegen/frame.h"
#include "module/elf.h"
#include "module/module.h"
#include "util/mem.h"
#include "util/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Emits the driver; *weights_at gets the word index of the auipc that
 * the weights relocations patch. */
static int emit_driver(const rvv_module *m, cg_asm *a, int *step_label, size_t *weights_at)
{
    uint32_t max_args = 1;
    for (uint32_t i = 0; i < m->hdr->n_steps; i++) {
        uint32_t n = m->steps[i].n_in + m->steps[i].n_out + m->steps[i].n_imm;
        max_args = n > max_args ? n : max_args;
    }
    int64_t args_bytes = ((int64_t)max_args * 8 + 15) & ~(int64_t)15;
    frame_enter(a);
    asm_mv(a, S1, A0);
    asm_mv(a, S2, A1);
    asm_mv(a, S3, A2);
    int have_weights = asm_label(a);
    asm_bnez(a, A2, have_weights);
    *weights_at = a->n;
    asm_auipc(a, S3, 0);
    asm_addi(a, S3, S3, 0);
    asm_bind(a, have_weights);
    asm_mv(a, S4, A3);
    asm_li(a, T0, -args_bytes);
    asm_add(a, SP, SP, T0);
    int fail = asm_label(a);
    for (uint32_t i = 0; i < m->hdr->n_steps; i++) {
        const mod_step *st = &m->steps[i];
        uint32_t nt = st->n_in + st->n_out;
        for (uint32_t k = 0; k < nt + st->n_imm; k++) {
            uint64_t v = m->args[st->args_off + k];
            if (k >= nt) {
                asm_li(a, T0, (int64_t)v);
            } else {
                const mod_tensor *t = &m->tensors[v];
                switch (t->place) {
                case MOD_T_ARENA: add_imm(a, T0, S4, (int64_t)t->offset); break;
                case MOD_T_WEIGHT: add_imm(a, T0, S3, (int64_t)t->offset); break;
                case MOD_T_INPUT: asm_ld(a, T0, S1, (int)t->offset * 8); break;
                default: asm_ld(a, T0, S2, (int)t->offset * 8); break;
                }
            }
            asm_sd(a, T0, SP, (int)k * 8);
        }
        asm_mv(a, A0, SP);
        asm_call(a, step_label[i]);
        asm_bnez(a, A0, fail);
    }
    asm_li(a, A0, 0);
    asm_bind(a, fail);
    asm_li(a, T0, args_bytes);
    asm_add(a, SP, SP, T0);
    frame_leave_status(a);
    return 0;
}

/* Tag_RISCV_arch for the module's vector extensions (the scalar code
 * is rv64imafd), spelled as GNU as writes it, implied extensions
 * included. Zvfh code says only zfhmin: binutils 2.40 rejects an arch
 * naming zvfh or zvfhmin, and their instructions are V encodings. */
static const char *arch_attribute(uint32_t ext, char *buf, size_t cap)
{
    const char *zve = (ext & (MOD_EXT_V | MOD_EXT_ZVE64D)) ? "_zve32f1p0_zve32x1p0_zve64d1p0_zve64f1p0_zve64x1p0"
                      : (ext & MOD_EXT_ZVE64F)             ? "_zve32f1p0_zve32x1p0_zve64f1p0_zve64x1p0"
                                                           : "_zve32f1p0_zve32x1p0";
    const char *zvl = (ext & MOD_EXT_V) ? "_zvl128b1p0_zvl32b1p0_zvl64b1p0"
                      : (ext & (MOD_EXT_ZVE64D | MOD_EXT_ZVE64F)) ? "_zvl32b1p0_zvl64b1p0" : "_zvl32b1p0";
    snprintf(buf, cap, "rv64i2p1_m2p0_a2p1_f2p2_d2p2%s_zicsr2p0%s%s%s", (ext & MOD_EXT_V) ? "_v1p0" : "",
             (ext & MOD_EXT_ZVFH) ? "_zfhmin1p0" : "", zve, zvl);
    return buf;
}

static void c_ident(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ? s[i] : '_';
    out[i] = 0;
    if (out[0] >= '0' && out[0] <= '9')
        out[0] = '_';
}

int emit_module_obj(const void *buf, size_t len, const char *path, const char *name_in)
{
    rvv_module *m;
    int rc = module_load_copy(buf, len, &cli_limits, &m);
    if (rc)
        return rc;
    uint32_t n_ref = 0;
    for (uint32_t i = 0; i < m->hdr->n_steps; i++)
        n_ref += m->steps[i].kind != MOD_STEP_RVV;
    if (n_ref) {
        module_free(m);
        return err_set(RV_EUNSUPPORTED, "--emit=obj needs every step in RVV code; %u steps fall back to reference "
                       "kernels (see rvvnn inspect)", n_ref);
    }
    char name[96], sym_run[128], sym_w[128];
    c_ident(name_in, name, sizeof name);
    snprintf(sym_run, sizeof sym_run, "%s_run", name);
    snprintf(sym_w, sizeof sym_w, "%s_weights", name);
    cg_asm a;
    asm_init(&a);
    int *labels = calloc(m->hdr->n_steps + 1, sizeof *labels);
    elf_symbol *syms = calloc(m->hdr->n_steps + 4, sizeof *syms);
    size_t weights_at = 0;
    char (*names)[32] = calloc(m->hdr->n_steps + 1, 32);
    if (!labels || !syms || !names)
        rc = err_set(RV_ENOMEM, "out of memory");
    for (uint32_t i = 0; !rc && i < m->hdr->n_steps; i++)
        labels[i] = asm_label(&a);
    if (!rc)
        rc = emit_driver(m, &a, labels, &weights_at);
    size_t driver_bytes = a.n * 4;
    /* the module's code, with each step's label at its entry */
    if (!rc) {
        if (driver_bytes % 16)
            for (size_t k = driver_bytes % 16; k < 16; k += 4)
                asm_word(&a, 0);
        size_t base = a.n * 4;
        uint64_t size = m->hdr->sec[SEC_CODE].size;
        for (uint64_t off = 0; off + 4 <= size; off += 4) {
            for (uint32_t i = 0; i < m->hdr->n_steps; i++)
                if (m->steps[i].code_off == off)
                    asm_bind(&a, labels[i]);
            uint32_t w;
            memcpy(&w, m->code + off, 4);
            asm_word(&a, w);
        }
        rc = asm_finish(&a);
        size_t ns = 0;
        syms[ns++] = (elf_symbol){sym_run, ELF_TEXT, 0, driver_bytes, 1, 1};
        syms[ns++] = (elf_symbol){sym_w, ELF_RODATA, 0, m->hdr->sec[SEC_WEIGHTS].size, 0, 1};
        syms[ns++] = (elf_symbol){".Lrvvnn_weights_hi", ELF_TEXT, weights_at * 4, 0, 0, 0};
        for (uint32_t i = 0; i < m->hdr->n_steps; i++) {
            snprintf(names[i], 32, ".Lrvvnn_step_%u", i);
            syms[ns++] = (elf_symbol){names[i], ELF_TEXT, base + m->steps[i].code_off, m->steps[i].code_size, 1, 0};
        }
        const elf_reloc relocs[2] = {
            {weights_at * 4, ELF_R_RISCV_PCREL_HI20, 1, 0},      /* auipc: <name>_weights */
            {weights_at * 4 + 4, ELF_R_RISCV_PCREL_LO12_I, 2, 0}, /* addi: pairs with the auipc's label */
        };
        char arch[160];
        void *obj = NULL;
        size_t obj_len = 0;
        if (!rc)
            rc = elf_write(&(elf_object){a.w, a.n * 4, m->weights, m->hdr->sec[SEC_WEIGHTS].size, syms, ns, relocs,
                                         2, arch_attribute(m->hdr->ext, arch, sizeof arch)},
                           &obj, &obj_len);
        if (!rc)
            rc = file_write_atomic(path, obj, obj_len);
        mem_free(obj);
    }
    /* the header beside it: PATH with .h for .o */
    if (!rc) {
        char hpath[4096];
        snprintf(hpath, sizeof hpath, "%s", path);
        char *dot = strrchr(hpath, '.');
        if (dot && !strchr(dot, '/'))
            strcpy(dot, ".h");
        else
            strncat(hpath, ".h", sizeof hpath - strlen(hpath) - 1);
        char *h = NULL;
        size_t hl = 0;
        FILE *f = open_memstream(&h, &hl);
        if (!f) {
            rc = err_set(RV_ENOMEM, "out of memory");
        } else {
            fprintf(f, "/* %s.h - generated by rvvnn compile --emit=obj: entry point of the compiled model.\n"
                       " * Target %s, %s. No libc, no malloc: the caller passes every buffer. */\n"
                       "#ifndef %s_H\n#define %s_H\n\n#include <stdint.h>\n\n", name, module_str(m, m->hdr->march),
                    m->hdr->vlen ? "fixed VLEN (must match the CPU)" : "vector-length agnostic", name, name);
            fprintf(f, "#define %s_ARENA_BYTES %lluu  /* scratch, 64-byte aligned */\n", name,
                    (unsigned long long)m->hdr->arena_bytes);
            fprintf(f, "#define %s_N_INPUTS %u\n#define %s_N_OUTPUTS %u\n", name, m->hdr->n_inputs, name,
                    m->hdr->n_outputs);
            for (uint32_t i = 0; i < m->hdr->n_inputs + m->hdr->n_outputs; i++) {
                int in = i < m->hdr->n_inputs;
                int id = in ? m->input_tensor[i] : m->output_tensor[i - m->hdr->n_inputs];
                char sh[96], cn[64];
                tensor t;
                module_tensor_desc(m, (uint32_t)id, &t);
                c_ident(module_str(m, m->tensors[id].name), cn, sizeof cn);
                fprintf(f, "#define %s_%s%u_BYTES %zuu  /* '%s' %s */\n", name, in ? "INPUT" : "OUTPUT",
                        in ? i : i - m->hdr->n_inputs, t.nbytes, cn, tensor_shape_str(&t, sh, sizeof sh));
            }
            fprintf(f, "\n/* weights, 64-byte aligned in .rodata; pass it as `weights` */\n"
                       "extern const unsigned char %s[];\n\n"
                       "/* Runs the model: returns 0, or non-zero when a step found invalid input\n"
                       " * (an index out of range). weights NULL: the %s linked in. */\n"
                       "int %s(const void *const *inputs, void *const *outputs, const void *weights, void *arena);\n"
                       "\n#endif\n", sym_w, sym_w, sym_run);
            fclose(f);
            rc = file_write_atomic(hpath, h, hl);
            free(h);
        }
        if (rc) /* the object alone is no use: leave neither behind */
            unlink(path);
    }
    free(labels);
    free(syms);
    free(names);
    asm_free(&a);
    module_free(m);
    return rc;
}
