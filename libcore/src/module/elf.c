/* elf.c - ELF64 for riscv64, both ways. Writing: relocatable objects
 * with .text, its .rela.text, .rodata, .symtab, .strtab, .shstrtab and
 * .riscv.attributes (Tag_RISCV_arch), laid out so riscv64-linux-gnu-ld
 * links them and readelf -a reads them without a warning: a section
 * symbol per section, locals before globals, every relocation inside
 * .text and naming an existing symbol. Reading (for rvvnn disasm):
 * untrusted input, so every header field is checked before it is used
 * to index the file, and string tables must end in a NUL. */
#include "elf.h"
#include "module.h"
#include "../util/mem.h"
#include "../util/status.h"

#include <string.h>

#define EM_RISCV 243
#define EF_RISCV_FLOAT_ABI_DOUBLE 0x4
#define SHT_PROGBITS 1
#define SHT_SYMTAB 2
#define SHT_NOBITS 8
#define SHT_STRTAB 3
#define SHT_RELA 4
#define SHT_RISCV_ATTRIBUTES 0x70000003
#define SHF_ALLOC 0x2
#define SHF_EXECINSTR 0x4
#define SHF_INFO_LINK 0x40
#define STT_OBJECT 1
#define STT_FUNC 2
#define STT_SECTION 3

typedef struct { unsigned char e_ident[16]; uint16_t e_type, e_machine; uint32_t e_version;
                 uint64_t e_entry, e_phoff, e_shoff; uint32_t e_flags;
                 uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx; } ehdr;
typedef struct { uint32_t sh_name, sh_type; uint64_t sh_flags, sh_addr, sh_offset, sh_size;
                 uint32_t sh_link, sh_info; uint64_t sh_addralign, sh_entsize; } shdr;
typedef struct { uint32_t st_name; unsigned char st_info, st_other; uint16_t st_shndx;
                 uint64_t st_value, st_size; } sym;
typedef struct { uint64_t r_offset, r_info; int64_t r_addend; } rela;

/* section header indices (.rela.text sits right after .text) */
enum { S_NULL, S_TEXT, S_RELA, S_RODATA, S_SYMTAB, S_STRTAB, S_SHSTRTAB, S_ATTR, S__N };

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

/* 'A', then a "riscv" vendor subsection with the file tag (1) holding
 * Tag_RISCV_arch (5, a NUL-terminated string) */
static int attributes(bytebuf *attr, const char *arch)
{
    bytebuf sub = {0};
    int rc = put_uleb(&sub, 5) || bytebuf_append(&sub, arch, strlen(arch) + 1);
    uint32_t file_len = (uint32_t)(1 + 4 + sub.len), vend_len = (uint32_t)(4 + 6 + file_len);
    unsigned char tag = 1;
    rc = rc || bytebuf_append(attr, "A", 1) || bytebuf_append(attr, &vend_len, 4) ||
         bytebuf_append(attr, "riscv", 6) || bytebuf_append(attr, &tag, 1) ||
         bytebuf_append(attr, &file_len, 4) || bytebuf_append(attr, sub.p, sub.len);
    bytebuf_free(&sub);
    return rc;
}

static int check(const elf_object *o)
{
    for (size_t i = 0; i < o->n_syms; i++) {
        const elf_symbol *s = &o->syms[i];
        size_t limit = s->section == ELF_TEXT ? o->text_size : s->section == ELF_RODATA ? o->rodata_size : 0;
        if (s->section != ELF_UNDEF && s->section != ELF_TEXT && s->section != ELF_RODATA)
            return err_set(RV_EINVAL, "ELF symbol '%s': unknown section %d", s->name, s->section);
        if (s->section != ELF_UNDEF && (s->value > limit || s->size > limit - s->value))
            return err_set(RV_EINVAL, "ELF symbol '%s': offset %llu size %llu outside its section of %zu bytes",
                           s->name, (unsigned long long)s->value, (unsigned long long)s->size, limit);
    }
    for (size_t i = 0; i < o->n_relocs; i++) {
        const elf_reloc *r = &o->relocs[i];
        if (r->offset > o->text_size || o->text_size - r->offset < 4 || r->symbol >= o->n_syms)
            return err_set(RV_EINVAL, "ELF relocation %zu: offset %llu or symbol %u out of range", i,
                           (unsigned long long)r->offset, r->symbol);
    }
    return 0;
}

int elf_write(const elf_object *o, void **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    int rc = check(o);
    if (rc)
        return rc;
    bytebuf f = {0}, strtab = {0}, shstr = {0}, symtab = {0}, relas = {0}, attr = {0};
    uint32_t *index = mem_calloc(o->n_syms + 1, sizeof *index); /* output index of each input symbol */
    shdr sh[S__N];
    memset(sh, 0, sizeof sh);
    rc = !index || bytebuf_append(&strtab, "", 1) || bytebuf_append(&shstr, "", 1);
    static const char *names[S__N] = {"", ".text", ".rela.text", ".rodata", ".symtab", ".strtab", ".shstrtab",
                                      ".riscv.attributes"};
    for (int i = 1; !rc && i < S__N; i++) {
        sh[i].sh_name = (uint32_t)shstr.len;
        rc = bytebuf_append(&shstr, names[i], strlen(names[i]) + 1);
    }
    /* null, the two section symbols, locals, then globals */
    sym z;
    memset(&z, 0, sizeof z);
    rc = rc || bytebuf_append(&symtab, &z, sizeof z);
    uint32_t n_out = 1;
    static const uint16_t sections[2] = {S_TEXT, S_RODATA};
    for (int i = 0; !rc && i < 2; i++) {
        sym s = {0, STT_SECTION, 0, sections[i], 0, 0};
        rc = bytebuf_append(&symtab, &s, sizeof s);
        n_out++;
    }
    uint32_t n_local = 0;
    for (int pass = 0; !rc && pass < 2; pass++) {
        if (pass == 1)
            n_local = n_out;
        for (size_t i = 0; !rc && i < o->n_syms; i++) {
            const elf_symbol *in = &o->syms[i];
            if ((pass == 0) == (in->global != 0 || in->section == ELF_UNDEF))
                continue;
            sym s;
            memset(&s, 0, sizeof s);
            s.st_name = (uint32_t)strtab.len;
            rc = bytebuf_append(&strtab, in->name, strlen(in->name) + 1);
            int global = in->global || in->section == ELF_UNDEF;
            s.st_info = (unsigned char)((global ? 1 : 0) << 4 |
                                        (in->section == ELF_UNDEF || (!in->is_func && !in->size) ? 0
                                         : in->is_func ? STT_FUNC : STT_OBJECT));
            s.st_shndx = in->section == ELF_TEXT ? S_TEXT : in->section == ELF_RODATA ? S_RODATA : 0;
            s.st_value = in->value;
            s.st_size = in->size;
            index[i] = n_out++;
            rc = rc || bytebuf_append(&symtab, &s, sizeof s);
        }
    }
    for (size_t i = 0; !rc && i < o->n_relocs; i++) {
        const elf_reloc *r = &o->relocs[i];
        rela e = {r->offset, (uint64_t)index[r->symbol] << 32 | r->type, r->addend};
        rc = bytebuf_append(&relas, &e, sizeof e);
    }
    rc = rc || attributes(&attr, o->arch);
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
        {S_TEXT, o->text, o->text_size, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16, 0},
        {S_RELA, relas.p, relas.len, SHT_RELA, SHF_INFO_LINK, 8, sizeof(rela)},
        {S_RODATA, o->rodata, o->rodata_size, SHT_PROGBITS, SHF_ALLOC, 64, 0},
        {S_SYMTAB, symtab.p, symtab.len, SHT_SYMTAB, 0, 8, sizeof(sym)},
        {S_STRTAB, strtab.p, strtab.len, SHT_STRTAB, 0, 1, 0},
        {S_SHSTRTAB, shstr.p, shstr.len, SHT_STRTAB, 0, 1, 0},
        {S_ATTR, attr.p, attr.len, SHT_RISCV_ATTRIBUTES, 0, 1, 0},
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
    sh[S_RELA].sh_link = S_SYMTAB;
    sh[S_RELA].sh_info = S_TEXT;
    sh[S_SYMTAB].sh_link = S_STRTAB;
    sh[S_SYMTAB].sh_info = n_local;
    rc = rc || bytebuf_align(&f, 8);
    if (!rc) {
        ((ehdr *)f.p)->e_shoff = f.len;
        rc = bytebuf_append(&f, sh, sizeof sh);
    }
    mem_free(index);
    bytebuf_free(&strtab);
    bytebuf_free(&shstr);
    bytebuf_free(&symtab);
    bytebuf_free(&relas);
    bytebuf_free(&attr);
    if (rc) {
        bytebuf_free(&f);
        return rc < 0 ? rc : err_set(RV_ENOMEM, "out of memory writing an ELF object");
    }
    *out = f.p;
    *out_len = f.len;
    return 0;
}

/* --- reading ----------------------------------------------------------- */

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const uint8_t *p) { return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16; }
static uint64_t u64(const uint8_t *p) { return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32; }

int elf_is_elf(const void *buf, size_t len) { return len >= 4 && !memcmp(buf, "\x7f" "ELF", 4); }

static int in_file(uint64_t off, uint64_t size, size_t len) { return off <= len && size <= len - off; }

/* name at offset off of a string table [base, base + size) */
static const char *str_at(const uint8_t *base, uint64_t size, uint64_t off)
{
    if (off >= size || !memchr(base + off, 0, size - off))
        return NULL;
    return (const char *)base + off;
}

int elf_read(const void *buf, size_t len, elf_view *out)
{
    const uint8_t *b = buf;
    memset(out, 0, sizeof *out);
    if (len < 64 || !elf_is_elf(buf, len))
        return err_set(RV_EFORMAT, "not an ELF file (no ELF header)");
    if (b[4] != 2 || b[5] != 1)
        return err_set(RV_EFORMAT, "ELF class %u, data %u: only ELF64 little-endian is read", b[4], b[5]);
    if (u16(b + 18) != EM_RISCV)
        return err_set(RV_EFORMAT, "ELF machine %u is not RISC-V (243)", u16(b + 18));
    uint64_t shoff = u64(b + 40);
    unsigned shentsize = u16(b + 58), shnum = u16(b + 60), shstrndx = u16(b + 62);
    out->type = u16(b + 16);
    out->flags = u32(b + 48);
    if (shnum && shentsize != 64)
        return err_set(RV_EFORMAT, "ELF e_shentsize %u at offset 58, expected 64", shentsize);
    if (!in_file(shoff, (uint64_t)shnum * 64, len))
        return err_set(RV_EFORMAT, "ELF section headers (offset %llu, %u entries) run past the file's %zu bytes",
                       (unsigned long long)shoff, shnum, len);
    if (shnum && shstrndx >= shnum)
        return err_set(RV_EFORMAT, "ELF e_shstrndx %u is not one of the %u sections", shstrndx, shnum);
    out->sec = mem_calloc(shnum ? shnum : 1, sizeof *out->sec);
    if (!out->sec)
        return err_set(RV_ENOMEM, "out of memory reading an ELF file");
    out->n_sec = shnum;
    const uint8_t *sh = b + shoff;
    const uint8_t *names = NULL;
    uint64_t names_size = 0;
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < shnum; i++) {
            const uint8_t *h = sh + (size_t)i * 64;
            elf_view_section *s = &out->sec[i];
            uint64_t off = u64(h + 24), size = u64(h + 32);
            s->type = u32(h + 4);
            s->flags = u64(h + 8);
            s->addr = u64(h + 16);
            s->size = size;
            if (s->type != SHT_NOBITS && i && !in_file(off, size, len)) {
                elf_view_free(out);
                return err_set(RV_EFORMAT, "ELF section %u (header at offset %llu): data at %llu, %llu bytes, "
                               "runs past the file's %zu bytes", i, (unsigned long long)(shoff + i * 64u),
                               (unsigned long long)off, (unsigned long long)size, len);
            }
            s->data = s->type == SHT_NOBITS || !i ? NULL : b + off;
            if (pass == 0) {
                if (i == shstrndx) {
                    names = s->data;
                    names_size = s->data ? s->size : 0;
                }
                continue;
            }
            s->name = names ? str_at(names, names_size, u32(h)) : "";
            if (!s->name) {
                elf_view_free(out);
                return err_set(RV_EFORMAT, "ELF section %u: name offset %u is outside the section-name table", i,
                               u32(h));
            }
        }
    /* the symbol table and its string table */
    for (unsigned i = 0; i < shnum; i++) {
        const elf_view_section *s = &out->sec[i];
        if (s->type != SHT_SYMTAB)
            continue;
        const uint8_t *h = sh + (size_t)i * 64;
        unsigned link = u32(h + 40);
        uint64_t entsize = u64(h + 56);
        if (entsize != 24 || link >= shnum || !out->sec[link].data || s->size % 24) {
            elf_view_free(out);
            return err_set(RV_EFORMAT, "ELF symbol table (section %u): entry size %llu, string table %u", i,
                           (unsigned long long)entsize, link);
        }
        const elf_view_section *st = &out->sec[link];
        size_t n = s->size / 24;
        out->sym = mem_calloc(n ? n : 1, sizeof *out->sym);
        if (!out->sym) {
            elf_view_free(out);
            return err_set(RV_ENOMEM, "out of memory reading an ELF symbol table");
        }
        out->n_sym = n;
        for (size_t k = 0; k < n; k++) {
            const uint8_t *e = s->data + k * 24;
            elf_view_symbol *y = &out->sym[k];
            y->name = str_at(st->data, st->size, u32(e));
            y->type = e[4] & 15;
            y->bind = e[4] >> 4;
            y->shndx = u16(e + 6);
            y->value = u64(e + 8);
            y->size = u64(e + 16);
            if (!y->name) {
                elf_view_free(out);
                return err_set(RV_EFORMAT, "ELF symbol %zu: name offset %u is outside its string table", k, u32(e));
            }
        }
        break;
    }
    return 0;
}

void elf_view_free(elf_view *v)
{
    mem_free(v->sec);
    mem_free(v->sym);
    memset(v, 0, sizeof *v);
}
