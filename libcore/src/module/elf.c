/* elf.c - writes ELF64 relocatable objects for riscv64: .text, .rodata,
 * .symtab, .strtab, .shstrtab and .riscv.attributes (Tag_RISCV_arch), so
 * riscv64-linux-gnu-ld links them and readelf reads them cleanly. The
 * code rvvnn emits is position independent and the object needs no
 * relocations: callers pass every address in. */
#include "elf.h"
#include "module.h"
#include "../util/status.h"

#include <string.h>

#define EM_RISCV 243
#define EF_RISCV_FLOAT_ABI_DOUBLE 0x4

typedef struct { unsigned char e_ident[16]; uint16_t e_type, e_machine; uint32_t e_version;
                 uint64_t e_entry, e_phoff, e_shoff; uint32_t e_flags;
                 uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx; } ehdr;
typedef struct { uint32_t sh_name, sh_type; uint64_t sh_flags, sh_addr, sh_offset, sh_size;
                 uint32_t sh_link, sh_info; uint64_t sh_addralign, sh_entsize; } shdr;
typedef struct { uint32_t st_name; unsigned char st_info, st_other; uint16_t st_shndx;
                 uint64_t st_value, st_size; } sym;

enum { S_NULL, S_TEXT, S_RODATA, S_SYMTAB, S_STRTAB, S_SHSTRTAB, S_ATTR, S__N };

static int put_uleb(bytebuf *b, uint64_t v)
{
    int rc = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        if (v)
            c |= 0x80;
        rc = bytebuf_append(b, &c, 1);
    } while (v && !rc);
    return rc;
}

int elf_write_object(const void *text, size_t text_size, const void *rodata, size_t rodata_size,
                     const elf_symbol *syms, size_t n_syms, const char *arch, void **out, size_t *out_len)
{
    bytebuf f = {0}, strtab = {0}, shstr = {0}, symtab = {0}, attr = {0};
    shdr sh[S__N];
    memset(sh, 0, sizeof sh);
    int rc = bytebuf_append(&strtab, "", 1) || bytebuf_append(&shstr, "", 1);
    static const char *names[S__N] = {"", ".text", ".rodata", ".symtab", ".strtab", ".shstrtab",
                                      ".riscv.attributes"};
    for (int i = 1; !rc && i < S__N; i++) {
        sh[i].sh_name = (uint32_t)shstr.len;
        rc = bytebuf_append(&shstr, names[i], strlen(names[i]) + 1);
    }
    /* symbols: null, section symbols? not needed; locals first, then globals */
    sym z;
    memset(&z, 0, sizeof z);
    rc = rc || bytebuf_append(&symtab, &z, sizeof z);
    uint32_t n_local = 1;
    for (int pass = 0; !rc && pass < 2; pass++)
        for (size_t i = 0; !rc && i < n_syms; i++) {
            if ((pass == 0) == (syms[i].global != 0))
                continue;
            sym s;
            memset(&s, 0, sizeof s);
            s.st_name = (uint32_t)strtab.len;
            rc = bytebuf_append(&strtab, syms[i].name, strlen(syms[i].name) + 1);
            s.st_info = (unsigned char)((syms[i].global ? 1 : 0) << 4 | (syms[i].is_func ? 2 : 1));
            s.st_shndx = syms[i].in_text ? S_TEXT : S_RODATA;
            s.st_value = syms[i].value;
            s.st_size = syms[i].size;
            if (!rc)
                rc = bytebuf_append(&symtab, &s, sizeof s);
            if (pass == 0)
                n_local++;
        }
    /* .riscv.attributes: 'A', then a "riscv" vendor subsection with the
     * file tag (1) holding Tag_RISCV_arch (5, a NUL-terminated string) */
    if (!rc) {
        bytebuf sub = {0};
        rc = put_uleb(&sub, 5) || bytebuf_append(&sub, arch, strlen(arch) + 1);
        uint32_t file_len = (uint32_t)(1 + 4 + sub.len), vend_len = (uint32_t)(4 + 6 + file_len);
        unsigned char tag = 1;
        rc = rc || bytebuf_append(&attr, "A", 1) || bytebuf_append(&attr, &vend_len, 4) ||
             bytebuf_append(&attr, "riscv", 6) || bytebuf_append(&attr, &tag, 1) ||
             bytebuf_append(&attr, &file_len, 4) || bytebuf_append(&attr, sub.p, sub.len);
        bytebuf_free(&sub);
    }
    ehdr eh;
    memset(&eh, 0, sizeof eh);
    memcpy(eh.e_ident, "\x7f" "ELF\x02\x01\x01", 7);
    eh.e_type = 1; /* ET_REL */
    eh.e_machine = EM_RISCV;
    eh.e_version = 1;
    eh.e_flags = EF_RISCV_FLOAT_ABI_DOUBLE;
    eh.e_ehsize = sizeof(ehdr);
    eh.e_shentsize = sizeof(shdr);
    eh.e_shnum = S__N;
    eh.e_shstrndx = S_SHSTRTAB;
    rc = rc || bytebuf_append(&f, &eh, sizeof eh);
    struct { int idx; const void *p; size_t n; uint32_t type; uint64_t flags, align, entsize; } parts[] = {
        {S_TEXT, text, text_size, 1, 0x6 /* ALLOC|EXEC */, 16, 0},
        {S_RODATA, rodata, rodata_size, 1, 0x2 /* ALLOC */, 64, 0},
        {S_SYMTAB, symtab.p, symtab.len, 2, 0, 8, sizeof(sym)},
        {S_STRTAB, strtab.p, strtab.len, 3, 0, 1, 0},
        {S_SHSTRTAB, shstr.p, shstr.len, 3, 0, 1, 0},
        {S_ATTR, attr.p, attr.len, 0x70000003 /* SHT_RISCV_ATTRIBUTES */, 0, 1, 0},
    };
    for (size_t i = 0; !rc && i < sizeof parts / sizeof parts[0]; i++) {
        rc = bytebuf_align(&f, parts[i].align);
        shdr *s = &sh[parts[i].idx];
        s->sh_type = parts[i].type;
        s->sh_flags = parts[i].flags;
        s->sh_offset = f.len;
        s->sh_size = parts[i].n;
        s->sh_addralign = parts[i].align;
        s->sh_entsize = parts[i].entsize;
        if (!rc && parts[i].n)
            rc = bytebuf_append(&f, parts[i].p, parts[i].n);
    }
    sh[S_SYMTAB].sh_link = S_STRTAB;
    sh[S_SYMTAB].sh_info = n_local;
    rc = rc || bytebuf_align(&f, 8);
    if (!rc) {
        ((ehdr *)f.p)->e_shoff = f.len;
        rc = bytebuf_append(&f, sh, sizeof sh);
    }
    bytebuf_free(&strtab);
    bytebuf_free(&shstr);
    bytebuf_free(&symtab);
    bytebuf_free(&attr);
    if (rc) {
        bytebuf_free(&f);
        return rc < 0 ? rc : err_set(RV_ENOMEM, "out of memory writing an ELF object");
    }
    *out = f.p;
    *out_len = f.len;
    return 0;
}
